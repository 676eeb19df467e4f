/* ward-store-shared.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* Settings: small durable values under a key (table settings).
 * dup_setting() gives NULL and no error when the key has none.
 */
char       *ward_store_dup_setting          (WardStore    *self,
                                             const char   *key,
                                             GError      **error);
gboolean    ward_store_set_setting          (WardStore    *self,
                                             const char   *key,
                                             const char   *value,
                                             GError      **error);

/* Resources shared between stations through the FHIR server (schema 8;
 * fhir/ward-fhir-shared.h is the protocol).
 *
 * "Known": the server's copy of a resource this station last saw, with
 * its versionId.  A local write is queued in shared_outbox with the
 * version it was made on (NULL: a creation) and a write id; a resource
 * has at most one pending write: queueing again while one is pending
 * replaces its content and write id and keeps its base version, so the
 * server sees the newest local intent, made on the version it started
 * from.
 */
typedef struct
{
  gint64       seq;
  const char  *resource_type;
  const char  *id;
  const char  *base_version;   /* NULL: create only */
  const char  *write_id;
  const char  *json;
  gboolean     merged;         /* the result of a merge after a conflict */
  int          attempts;
  gint64       created_at;
} WardSharedWrite;

typedef void (*WardStoreSharedWriteFunc) (const WardSharedWrite *write,
                                          gpointer               user_data);

/* TRUE with *version_id NULL when nothing is known.  json may be NULL. */
gboolean    ward_store_shared_get_known     (WardStore    *self,
                                             const char   *resource_type,
                                             const char   *id,
                                             char        **version_id,
                                             char        **json,
                                             GError      **error);
gboolean    ward_store_shared_set_known     (WardStore    *self,
                                             const char   *resource_type,
                                             const char   *id,
                                             const char   *version_id,
                                             const char   *last_updated,
                                             const char   *json,
                                             GError      **error);

/* Queues a local write (see above); *seq (may be NULL) is its row. */
gboolean    ward_store_shared_queue         (WardStore    *self,
                                             const char   *resource_type,
                                             const char   *id,
                                             const char   *base_version,
                                             const char   *write_id,
                                             const char   *json,
                                             gint64        at,
                                             gint64       *seq,
                                             GError      **error);
/* The oldest pending write, given to func; *found FALSE when none. */
gboolean    ward_store_shared_next          (WardStore               *self,
                                             WardStoreSharedWriteFunc func,
                                             gpointer                 user_data,
                                             gboolean                *found,
                                             GError                 **error);
/* Is a write of this resource pending? */
gboolean    ward_store_shared_is_pending    (WardStore    *self,
                                             const char   *resource_type,
                                             const char   *id,
                                             gboolean     *pending,
                                             GError      **error);
/* The server took write_id of row seq as server_version.  When the row
 * was replaced by a newer local write meanwhile (its write id moved on),
 * it stays pending, now based on server_version (our own write), and
 * *done is FALSE.
 */
gboolean    ward_store_shared_mark_sent     (WardStore    *self,
                                             gint64        seq,
                                             const char   *write_id,
                                             const char   *server_version,
                                             gint64        at,
                                             gboolean     *done,
                                             GError      **error);
/* After a conflict: the write becomes json, a new write (new_write_id)
 * on base_version, marked merged.  Does nothing (*done FALSE) when the
 * row's write id is no longer write_id: the newer local write goes to the
 * server on the old base, meets the conflict again and is merged then.
 */
gboolean    ward_store_shared_rebase        (WardStore    *self,
                                             gint64        seq,
                                             const char   *write_id,
                                             const char   *base_version,
                                             const char   *new_write_id,
                                             const char   *json,
                                             gboolean     *done,
                                             GError      **error);
/* Ends row seq as 'merged' (the local intent gave way to the server's
 * copy) or 'failed' (refused for good, with error_text).
 */
gboolean    ward_store_shared_mark_ended    (WardStore    *self,
                                             gint64        seq,
                                             gboolean      failed,
                                             const char   *server_version,
                                             const char   *error_text,
                                             gint64        at,
                                             GError      **error);
/* A transient failure: counted, kept pending, in its place in the order. */
gboolean    ward_store_shared_mark_attempt  (WardStore    *self,
                                             gint64        seq,
                                             const char   *error_text,
                                             GError      **error);
/* Hands rows of resource_type still pending in the FHIR outbox (queued
 * before the type was shared, e.g. made with no server) to the sharing
 * layer: each is queued as a shared write on the known version (unless a
 * newer one is pending already) and leaves the outbox as sent, so that
 * the resource has one writer and the outbox never overwrites the shared
 * copy with an older one.  In a transaction of its own.  Returns the rows
 * handed over, -1 with error.
 */
gint64      ward_store_shared_adopt_outbox  (WardStore    *self,
                                             const char   *resource_type,
                                             gint64        at,
                                             GError      **error);
/* The same while the station runs, in the caller's transaction (the
 * pipeline's tick, right after the stage that wrote them): the outbox's
 * row is the newest local state, so it replaces a shared write still
 * pending for the resource.  Returns the rows handed over, -1 with error.
 */
gint64      ward_store_shared_claim_outbox  (WardStore    *self,
                                             const char   *resource_type,
                                             gint64        at,
                                             GError      **error);
/* An open clinical (NEWS2) flag, as the sharing of Flags needs it. */
typedef struct
{
  gint64  id;
  char   *patient_id;
  gint64  opened_at;
  char   *acknowledged_by;   /* or NULL */
} WardSharedOpenFlag;

/* The open clinical flags (WardSharedOpenFlag, cleared by the array), or
 * NULL with error.
 */
GArray     *ward_store_shared_list_open_flags (WardStore  *self,
                                             GError      **error);
/* Routing (ward-store-shared-route.c): while a station shares
 * resource_types with the others, this connection's
 * ward_store_put_resource() of those types queues them here, in the same
 * transaction as the resource, instead of in the FHIR outbox, and calls
 * queued (on this thread, before the transaction ends: a cue to send
 * soon, not a promise that the write is committed).  NULL
 * resource_types: none is routed, everything goes to the outbox.
 */
typedef void (*WardStoreSharedQueuedFunc) (const char *resource_type,
                                           const char *id,
                                           gpointer    user_data);

void        ward_store_shared_set_routes    (WardStore                 *self,
                                             const char * const        *resource_types,
                                             WardStoreSharedQueuedFunc  queued,
                                             gpointer                   user_data);
gboolean    ward_store_shared_is_routed     (WardStore    *self,
                                             const char   *resource_type);

/* Deletes at most limit rows the server has (sent, or merged with its
 * copy) that were done before done_before (UTC microseconds), oldest
 * first (ward-store-shared-prune.c); pending and refused rows stay.
 * Returns the rows deleted, -1 with error.
 */
gint64      ward_store_shared_prune         (WardStore    *self,
                                             gint64        done_before,
                                             guint         limit,
                                             GError      **error);

/* Pending writes; -1 with error. */
gint64      ward_store_shared_get_n_pending (WardStore    *self,
                                             GError      **error);

G_END_DECLS
