/* ward-store.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ward-measurement.h"
#include "ward-types.h"

G_BEGIN_DECLS

#define WARD_STORE_ERROR (ward_store_error_quark ())

typedef enum
{
  WARD_STORE_ERROR_OPEN,
  WARD_STORE_ERROR_SQL,
  WARD_STORE_ERROR_TOO_NEW,      /* written by a newer Wardwatch */
  WARD_STORE_ERROR_NOT_FOUND,
  /* The conditions of the disk or the file rather than of the SQL: the
   * same statement may succeed once they pass (ward-store-errors.h).
   */
  WARD_STORE_ERROR_FULL,         /* disk full, or the page limit reached */
  WARD_STORE_ERROR_READ_ONLY,    /* the file or its file system cannot be written */
  WARD_STORE_ERROR_IO,           /* the operating system reported an I/O error */
  WARD_STORE_ERROR_BUSY,         /* another connection held the lock too long */
  WARD_STORE_ERROR_DAMAGED,      /* the file is not a sound database */
} WardStoreError;

/* The latest schema version; the migrations in ward-store-migrations.c go
 * up to it.
 */
#define WARD_STORE_SCHEMA_VERSION 15

typedef struct
{
  gint64 patients;
  gint64 beds;
  gint64 devices;
  gint64 raw_messages;
  gint64 raw_messages_pending;     /* archived, not yet mapped */
  gint64 measurements;
  gint64 dead_letters;
  gint64 scores;
  gint64 flags_open;
  gint64 flags_total;
  gint64 technical_alerts_open;
  gint64 technical_alerts_total;
  gint64 events;
  gint64 fhir_resources;
  gint64 outbox_pending;
  gint64 outbox_sent;
  gint64 outbox_failed;
} WardStoreCounts;

/* One NEWS2 window score, with every input it was made from. */
typedef struct
{
  const char  *patient_id;
  gint64       window_start;
  gint64       window_end;
  gint64       computed_at;
  int          total;
  WardBand     band;
  gboolean     complete;
  gboolean     final;
  const char  *confirmed_by;     /* NULL while preliminary */
  gint64       confirmed_at;
  const char  *inputs_json;      /* per parameter: value, time, source, points */
  gboolean     age_known;        /* the patient's age at window_end is known: age */
  int          age;              /* full years */
  gboolean     news2_not_applicable; /* under 16: kept for the record, claims no risk */
} WardScoreRecord;

typedef gboolean (*WardStoreRawFunc) (gint64       id,
                                      gint64       received_at,
                                      const char  *source,
                                      const char  *content_type,
                                      const char  *device_id,
                                      const void  *payload,
                                      gsize        length,
                                      gpointer     user_data,
                                      GError     **error);

#define WARD_TYPE_STORE (ward_store_get_type ())
G_DECLARE_FINAL_TYPE (WardStore, ward_store, WARD, STORE, GObject)

GQuark      ward_store_error_quark         (void);

/* A path for ward_store_open(): a fresh database in memory, gone when
 * the store is freed.
 */
#define WARD_STORE_IN_MEMORY ":memory:"

WardStore  *ward_store_open                (const char             *path,
                                            GError                **error);
WardStore  *ward_store_open_readonly       (const char             *path,
                                            GError                **error);
int         ward_store_get_schema_version  (WardStore              *self);
const char *ward_store_get_path            (WardStore              *self);

gboolean    ward_store_begin               (WardStore              *self,
                                            GError                **error);
gboolean    ward_store_commit              (WardStore              *self,
                                            GError                **error);
void        ward_store_rollback            (WardStore              *self);

gboolean    ward_store_upsert_patient      (WardStore              *self,
                                            const char             *patient_id,
                                            const char             *name,
                                            int                     spo2_scale,
                                            GError                **error);
gboolean    ward_store_set_spo2_scale      (WardStore              *self,
                                            const char             *patient_id,
                                            int                     spo2_scale,
                                            const char             *set_by,
                                            gint64                  at,
                                            GError                **error);
/* A patient's birth date, a FHIR date (ward_birth_date_is_valid()), or
 * NULL for unknown.  get() gives NULL when none is stored, and fails with
 * WARD_STORE_ERROR_NOT_FOUND for a patient who is not in the store.
 */
gboolean    ward_store_set_birth_date      (WardStore              *self,
                                            const char             *patient_id,
                                            const char             *birth_date,
                                            GError                **error);
gboolean    ward_store_get_birth_date      (WardStore              *self,
                                            const char             *patient_id,
                                            char                  **birth_date,
                                            GError                **error);
gboolean    ward_store_upsert_bed          (WardStore              *self,
                                            const char             *bed_id,
                                            const char             *label,
                                            const char             *patient_id,
                                            GError                **error);
gboolean    ward_store_upsert_device       (WardStore              *self,
                                            const char             *device_id,
                                            const char             *bed_id,
                                            const char             *patient_id,
                                            GError                **error);

gint64      ward_store_add_raw_message     (WardStore              *self,
                                            gint64                  received_at,
                                            const char             *source,
                                            const char             *content_type,
                                            const char             *device_id,
                                            const char             *payload,
                                            gsize                   length,
                                            GError                **error);
gboolean    ward_store_mark_processed      (WardStore              *self,
                                            gint64                  raw_message_id,
                                            gint64                  at,
                                            GError                **error);
/* Raw messages archived but not yet mapped, oldest first. */
gboolean    ward_store_foreach_pending     (WardStore              *self,
                                            WardStoreRawFunc        func,
                                            gpointer                user_data,
                                            GError                **error);
/* A dead letter with the raw message it points at. */
typedef struct
{
  gint64       id;
  gint64       created_at;
  const char  *stage;
  const char  *reason;
  gint64       raw_message_id;
  gint64       received_at;
  const char  *source;
  const char  *content_type;
  const char  *device_id;
  const void  *payload;
  gsize        payload_length;
  gboolean     payload_pruned;
} WardDeadLetter;

typedef void (*WardStoreDeadLetterFunc) (const WardDeadLetter *dead_letter,
                                         gpointer              user_data);

gboolean    ward_store_foreach_dead_letter (WardStore              *self,
                                            gint64                  since,
                                            WardStoreDeadLetterFunc func,
                                            gpointer                user_data,
                                            GError                **error);

/* Retention: drops the payloads of mapped raw messages received before
 * older_than.  Returns how many, or -1 with error.
 */
gint64      ward_store_prune_raw           (WardStore              *self,
                                            gint64                  older_than,
                                            gint64                  now,
                                            GError                **error);
/* FULL (the default) syncs the WAL at every commit: durable against power
 * loss.  NORMAL syncs at checkpoints only: a commit still survives a
 * crash of the process.
 */
void        ward_store_set_sync_full       (WardStore              *self,
                                            gboolean                full);
gint64      ward_store_add_dead_letter     (WardStore              *self,
                                            gint64                  raw_message_id,
                                            const char             *stage,
                                            const char             *reason,
                                            gint64                  at,
                                            GError                **error);
gint64      ward_store_add_measurement     (WardStore              *self,
                                            const WardMeasurement  *m,
                                            gint64                  received_at,
                                            GError                **error);
gint64      ward_store_upsert_score        (WardStore              *self,
                                            const WardScoreRecord  *score,
                                            gboolean               *inserted,
                                            GError                **error);
/* The stored inputs JSON of one window score (the score's inputs_json),
 * or WARD_STORE_ERROR_NOT_FOUND.
 */
gboolean    ward_store_get_score_inputs    (WardStore              *self,
                                            const char             *patient_id,
                                            gint64                  window_end,
                                            char                  **inputs_json,
                                            GError                **error);
gint64      ward_store_open_flag           (WardStore              *self,
                                            const char             *patient_id,
                                            const char             *kind,
                                            const char             *subject,
                                            WardBand                band,
                                            gint64                  opened_at,
                                            gint64                  score_id,
                                            const char             *reason,
                                            GError                **error);
gboolean    ward_store_escalate_flag       (WardStore              *self,
                                            gint64                  flag_id,
                                            WardBand                band,
                                            gint64                  at,
                                            GError                **error);
gboolean    ward_store_close_flag          (WardStore              *self,
                                            gint64                  flag_id,
                                            gint64                  at,
                                            GError                **error);
gboolean    ward_store_acknowledge_flag    (WardStore              *self,
                                            gint64                  flag_id,
                                            const char             *user,
                                            gint64                  at,
                                            char                  **patient_id,
                                            GError                **error);
gint64      ward_store_add_event           (WardStore              *self,
                                            gint64                  at,
                                            const char             *actor,
                                            const char             *kind,
                                            const char             *patient_id,
                                            const char             *detail_json,
                                            GError                **error);

gboolean    ward_store_get_counts          (WardStore              *self,
                                            WardStoreCounts        *counts,
                                            GError                **error);

/* The local FHIR resource store and its outbox (schema version 4).
 *
 * put_resource keeps the newest version of a resource, as FHIR JSON under
 * its (type, id).  JSON byte-identical to the stored one changes nothing
 * (*changed FALSE).  Otherwise the version goes up by one and the
 * resource is queued: a new pending outbox row, or, when one is already
 * pending, that row's version moves on, so a resource is never pending
 * twice.  The outbox is never trimmed here: nothing is dropped.
 */
typedef struct
{
  gint64       seq;
  const char  *resource_type;
  const char  *id;
  gint64       version;
  int          attempts;
  gint64       next_attempt_at;
  const char  *last_error;
  const char  *json;          /* the resource's newest version */
} WardOutboxEntry;

typedef void (*WardStoreResourceFunc)   (const char             *resource_type,
                                         const char             *id,
                                         gint64                  version,
                                         const char             *json,
                                         gpointer                user_data);
typedef void (*WardStoreOutboxFunc)     (const WardOutboxEntry  *entry,
                                         gpointer                user_data);

gboolean    ward_store_put_resource        (WardStore              *self,
                                            const char             *resource_type,
                                            const char             *id,
                                            const char             *json,
                                            gint64                  at,
                                            gboolean               *changed,
                                            GError                **error);
/* Queues the newest version of a stored resource again, due at at,
 * unless it is pending already: a server that lost it (a referential-
 * integrity refusal of what references it) gets it again.  *queued (may
 * be NULL) is FALSE when nothing changed.
 */
gboolean    ward_store_outbox_requeue      (WardStore              *self,
                                            const char             *resource_type,
                                            const char             *id,
                                            gint64                  at,
                                            gboolean               *queued,
                                            GError                **error);
/* The stored JSON, or NULL (and no error) when there is none. */
char       *ward_store_get_resource        (WardStore              *self,
                                            const char             *resource_type,
                                            const char             *id,
                                            gint64                 *version,
                                            GError                **error);
/* Replaces the stored JSON of a resource whose version is still version,
 * keeping that version and queueing nothing: the FHIR sync stores the copy
 * the server has after merging into it.  *replaced (may be NULL) is FALSE
 * when the resource has moved on to a newer version or is not there.
 */
gboolean    ward_store_replace_resource_json (WardStore            *self,
                                            const char             *resource_type,
                                            const char             *id,
                                            gint64                  version,
                                            const char             *json,
                                            gboolean               *replaced,
                                            GError                **error);
/* Every resource of a type (NULL: of every type), by type and id. */
gboolean    ward_store_foreach_resource    (WardStore              *self,
                                            const char             *resource_type,
                                            WardStoreResourceFunc   func,
                                            gpointer                user_data,
                                            GError                **error);
/* Up to limit pending rows due at now, the most overdue first.  func may
 * mark them: the rows are read before it runs.
 */
gboolean    ward_store_outbox_next         (WardStore              *self,
                                            gint64                  now,
                                            guint                   limit,
                                            WardStoreOutboxFunc     func,
                                            gpointer                user_data,
                                            GError                **error);
/* Rows due later than at become due at at (a new sync session tries
 * everything once; in the demo the simulated clock starts again from the
 * present, behind the times its earlier run scheduled).  Returns how many
 * rows changed, -1 with error.
 */
gint64      ward_store_outbox_make_due     (WardStore              *self,
                                            gint64                  at,
                                            GError                **error);
/* The server has version of the row's resource.  When the resource was
 * updated since (the row's version moved on), the row stays pending
 * with the new version and *sent (may be NULL) is FALSE.
 */
gboolean    ward_store_outbox_mark_sent    (WardStore              *self,
                                            gint64                  seq,
                                            gint64                  version,
                                            gint64                  at,
                                            gboolean               *sent,
                                            GError                **error);
/* A transient failure: try again at next_at. */
gboolean    ward_store_outbox_mark_retry   (WardStore              *self,
                                            gint64                  seq,
                                            gint64                  next_at,
                                            const char             *error_text,
                                            GError                **error);
/* A permanent rejection: parked with its reason, never retried.  A later
 * version of the resource is queued again.
 */
gboolean    ward_store_outbox_mark_failed  (WardStore              *self,
                                            gint64                  seq,
                                            const char             *error_text,
                                            const char             *operation_outcome_json,
                                            GError                **error);
/* A resource the FHIR server rejected for good, parked with its reason. */
typedef struct
{
  gint64       seq;
  const char  *resource_type;
  const char  *id;
  gint64       version;
  int          attempts;
  gint64       created_at;          /* when it was queued */
  const char  *last_error;          /* the status line and the outcome's text */
  const char  *operation_outcome;   /* the server's OperationOutcome JSON, or NULL */
  const char  *json;                /* the resource's newest local version, or NULL */
} WardOutboxFailure;

typedef void (*WardStoreOutboxFailureFunc) (const WardOutboxFailure *failure,
                                            gpointer                 user_data);

/* The parked rows, oldest first. */
gboolean    ward_store_foreach_outbox_failure (WardStore                 *self,
                                            WardStoreOutboxFailureFunc func,
                                            gpointer                   user_data,
                                            GError                   **error);
/* Pending rows, counted once and then kept up to date by this connection;
 * -1 with error.
 */
gint64      ward_store_outbox_get_n_pending (WardStore             *self,
                                            GError                **error);
/* Parked rows (rejected by the server), counted the same way. */
gint64      ward_store_outbox_get_n_failed (WardStore              *self,
                                            GError                **error);

/* This installation's id: a random UUID made once and kept in the
 * database.  A read-only store returns NULL with WARD_STORE_ERROR_NOT_FOUND
 * when there is none yet.
 */
char       *ward_store_get_installation_id (WardStore              *self,
                                            GError                **error);

/* Runs sql (statements without results) on the store's connection. */
gboolean    _ward_store_exec               (WardStore              *self,
                                            const char             *sql,
                                            GError                **error);
gint64      _ward_store_query_int          (WardStore              *self,
                                            const char             *sql,
                                            GError                **error);

G_END_DECLS
