/* ward-store-errors.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Why the store cannot write, as the technical alarm says it. */
typedef enum
{
  WARD_STORE_CONDITION_NONE,       /* writes succeed */
  WARD_STORE_CONDITION_FULL,       /* the disk is full */
  WARD_STORE_CONDITION_READ_ONLY,  /* the file or file system is read-only */
  WARD_STORE_CONDITION_IO,         /* an I/O error, or the file cannot be opened */
  WARD_STORE_CONDITION_LOCKED,     /* the database was locked too long */
  WARD_STORE_CONDITION_DAMAGED,    /* the file is not a sound database */
  WARD_STORE_CONDITION_OTHER,      /* any other store error */
} WardStoreCondition;

/* The writers of one database whose failures the alarm follows: the
 * pipeline's batches and the archive-first connection of the sources.
 * The alarm stands while either fails.
 */
typedef enum
{
  WARD_STORE_WRITER_PIPELINE,
  WARD_STORE_WRITER_ARCHIVE,
  WARD_STORE_N_WRITERS,
} WardStoreWriter;

/* The condition of a WARD_STORE_ERROR; NONE for another domain. */
WardStoreCondition  ward_store_condition_from_error (const GError       *error);
/* A stable name for logs and JSON: "disk-full", "read-only", "io-error",
 * "locked", "damaged", "store-error", "none".
 */
const char         *ward_store_condition_to_string  (WardStoreCondition  condition);

/* Follows whether the store can write, for the snapshot's alarm, and
 * logs it: one line per condition per minute with the count of the
 * failures not logged, one line when writes succeed again.  Thread-safe
 * (the pipeline thread and the sources' threads report to it).
 */
typedef struct _WardStoreHealth WardStoreHealth;

WardStoreHealth    *ward_store_health_new           (void);
void                ward_store_health_free          (WardStoreHealth    *self);

/* A write by writer failed at now (the caller's clock, as the snapshot
 * has it).  The first failure of an episode sets failing_since.
 */
void                ward_store_health_failed        (WardStoreHealth    *self,
                                                     WardStoreWriter     writer,
                                                     const GError       *error,
                                                     gint64              now);
/* A write by writer was committed: its failure episode, if any, ends. */
void                ward_store_health_succeeded     (WardStoreHealth    *self,
                                                     WardStoreWriter     writer,
                                                     gint64              now);
/* The worst current condition (NONE when every writer succeeds), since
 * when the first failing writer has failed, and its last error.
 */
WardStoreCondition  ward_store_health_get           (WardStoreHealth    *self,
                                                     gint64             *failing_since,
                                                     char              **last_error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardStoreHealth, ward_store_health_free)

G_END_DECLS
