/* ward-store-export.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* The changes of the local FHIR resource store in the order they were
 * made, for the incremental NDJSON export (wardwatch-cli export).  Every
 * write of a resource (a new version, or the server's copy of one) gives
 * it the next change_seq (schema version 13), so "everything after the
 * last change exported" is exactly what is new or changed since.  Only
 * each resource's newest version is kept, so a resource changed twice
 * between two exports is exported once, in its newest version.
 */

typedef struct
{
  const char  *resource_type;
  const char  *id;
  gint64       version;
  gint64       updated_at;    /* UTC usec */
  gint64       change_seq;
  const char  *json;
} WardResourceChange;

/* Returns FALSE to stop, with error set. */
typedef gboolean (*WardStoreChangeFunc) (const WardResourceChange  *change,
                                         gpointer                   user_data,
                                         GError                   **error);

/* The highest change_seq in the store (0 when it is empty). */
gboolean    ward_store_get_last_change     (WardStore              *self,
                                            gint64                 *change_seq,
                                            GError                **error);
/* Every resource whose change_seq is in (after, up_to] and whose
 * updated_at is at least since (0: any), in change order.
 */
gboolean    ward_store_foreach_change      (WardStore              *self,
                                            gint64                  after,
                                            gint64                  up_to,
                                            gint64                  since,
                                            WardStoreChangeFunc     func,
                                            gpointer                user_data,
                                            GError                **error);

G_END_DECLS
