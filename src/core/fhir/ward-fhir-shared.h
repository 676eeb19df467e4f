/* ward-fhir-shared.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-store.h"

G_BEGIN_DECLS

/* The FHIR server as the shared truth between stations (the nurse station
 * and a doctor's desktop, each with its own database) for the resource
 * types registered here (Task, Flag, Communication).  Generic: the owner
 * of each type gives a merge and an apply callback.
 *
 * Writes.  ward_fhir_shared_write() queues a resource durably
 * (store/ward-store-shared.h), made on the server version this station
 * last saw of it.  The queue goes out in order, one request at a time:
 * PUT {base}/{type}/{id} with If-Match: W/"base" (FHIR R4 http.html,
 * "Managing Resource Contention"), or for a resource the station has
 * never seen If-None-Match: * (create only).  meta.source carries
 * urn:wardwatch:station:NAME#WRITE-ID: the other stations read the
 * station's name from it (ward_fhir_shared_dup_station()), and the
 * write id recognises, after a crash between the server's answer and
 * our marking the write done, that the server already has it.
 *
 * Conflicts.  On 412 the server's current copy is read (GET) and given
 * with the local intent to the type's merge callback: it returns either
 * a resource to write on the server's version (sent with If-Match on
 * it, and applied locally once the server took it) or TAKE_SERVER: the
 * local intent gives way, the server's copy is applied (e.g. a second
 * accept of a task loses to the first; the callback tells the user).
 *
 * Polling.  Every poll interval (default 3 s), after the queue, each
 * registered type is searched with _lastUpdated=gt{mark - overlap} and
 * _sort=_lastUpdated, paged with _count; the mark (the newest
 * meta.lastUpdated seen, per type) is kept in the store's settings
 * ("fhir-shared-mark:TYPE").  Each resource whose versionId differs from
 * (or is numerically above) the one this station knows goes to the
 * apply callback, and becomes the known one: our own writes coming back
 * and the overlap's repeats are skipped.  A resource with a local write
 * pending is not applied now: that write meets the change as a conflict.
 *
 * Offline.  Network errors, 401, 408, 429 and 5xx leave the write pending
 * in its place (the later ones wait behind it: order kept) and the cycle
 * goes on to polling; the next cycle tries again.  Other 4xx park it
 * (state failed, the reason logged) and the server's copy is read and
 * applied.  Nothing queued is lost: it is in the database before write()
 * returns.
 *
 * Searches are paged by time: a full page is followed by
 * _lastUpdated=ge{newest on it}, not by an offset.
 *
 * Everything runs on the thread-default main context of start().
 */

#define WARD_FHIR_SHARED_SOURCE_PREFIX "urn:wardwatch:station:"

typedef enum
{
  WARD_FHIR_MERGE_WRITE,        /* write *merged on the server's version */
  WARD_FHIR_MERGE_TAKE_SERVER,  /* drop the local intent, apply the server's copy */
} WardFhirMergeResult;

/* local: the resource this station wanted written; server: the server's
 * current copy (with meta.versionId).  For WRITE, set *merged to a new
 * object (its meta is replaced).
 */
typedef WardFhirMergeResult (*WardFhirSharedMergeFunc) (const char   *resource_type,
                                                        JsonObject   *local,
                                                        JsonObject   *server,
                                                        JsonObject  **merged,
                                                        gpointer      user_data);
/* A change on the server to show here: another station's write, or the
 * outcome of a conflict.  station is who wrote it (NULL: not a Wardwatch
 * station).
 */
typedef void (*WardFhirSharedApplyFunc) (const char   *resource_type,
                                         JsonObject   *resource,
                                         const char   *station,
                                         gpointer      user_data);

#define WARD_TYPE_FHIR_SHARED (ward_fhir_shared_get_type ())
G_DECLARE_FINAL_TYPE (WardFhirShared, ward_fhir_shared, WARD, FHIR_SHARED, GObject)

/* A station name: 1 to 64 characters, not only spaces, no control
 * characters.  FALSE with G_IO_ERROR_INVALID_ARGUMENT otherwise.
 */
gboolean        ward_fhir_shared_station_is_valid (const char            *station,
                                                 GError                 **error);

/* station: this station's name (--station; NULL: the host name). */
WardFhirShared *ward_fhir_shared_new            (WardStore               *store,
                                                 const char              *base_url,
                                                 const char              *station);
const char     *ward_fhir_shared_get_station    (WardFhirShared          *self);
void            ward_fhir_shared_set_bearer_token (WardFhirShared        *self,
                                                 const char              *token);
/* Before start().  A type registered twice replaces the callbacks. */
void            ward_fhir_shared_register_type  (WardFhirShared          *self,
                                                 const char              *resource_type,
                                                 WardFhirSharedMergeFunc  merge,
                                                 WardFhirSharedApplyFunc  apply,
                                                 gpointer                 user_data,
                                                 GDestroyNotify           destroy);
/* A type whose writes are merged (with its merge callback) with the
 * server's copy they are based on before they go, and dropped when the
 * server's copy already holds everything: for resources every station
 * derives on its own (Flags), so that a station that has not yet seen
 * the data change does not write back an older state.  After
 * register_type().
 */
void            ward_fhir_shared_set_merge_on_write (WardFhirShared      *self,
                                                 const char              *resource_type,
                                                 gboolean                 merge_on_write);
/* Default 3000 ms. */
void            ward_fhir_shared_set_poll_interval (WardFhirShared       *self,
                                                 guint                    msec);
/* Resources per search page (_count), default 100. */
void            ward_fhir_shared_set_page_size  (WardFhirShared          *self,
                                                 guint                    page_size);
/* Margin for the server's clock and for commits that land late: each
 * poll reaches back this far before the mark.  Default 5000 ms.
 */
void            ward_fhir_shared_set_overlap    (WardFhirShared          *self,
                                                 guint                    msec);
/* Request timeout in seconds (default 10). */
void            ward_fhir_shared_set_timeout    (WardFhirShared          *self,
                                                 guint                    timeout_sec);
/* How long a write the server has (sent, or merged with the server's
 * copy) stays in the store's shared_outbox as a record before it is
 * pruned, in bounded batches after clean cycles (default 7 days).
 */
#define WARD_FHIR_SHARED_DEFAULT_RETENTION ((GTimeSpan) 7 * G_TIME_SPAN_DAY)
void            ward_fhir_shared_set_retention  (WardFhirShared          *self,
                                                 GTimeSpan                retention);

/* Queues resource (its resourceType a registered type, with an id) on the
 * version this station knows; kicks a cycle when started.  Fails without
 * queueing on bad input or a store error.
 */
gboolean        ward_fhir_shared_write          (WardFhirShared          *self,
                                                 JsonObject              *resource,
                                                 GError                 **error);
/* Resources of the shared types waiting in the store's FHIR outbox
 * become shared writes: queued here, marked sent in the outbox, so that
 * they have one writer.  While started, the station's own writes of
 * those types never reach the outbox (start() routes them to the sharing
 * queue, see ward_store_shared_set_routes()), so a running station does
 * not need this; it is for rows another connection queued.  In the
 * caller's transaction; kicks a cycle when something was claimed.
 */
gboolean        ward_fhir_shared_claim_outbox   (WardFhirShared          *self,
                                                 gint64                   at,
                                                 GError                 **error);
/* The server's copy this station last saw (a new object), or NULL. */
JsonObject     *ward_fhir_shared_dup_known      (WardFhirShared          *self,
                                                 const char              *resource_type,
                                                 const char              *id,
                                                 GError                 **error);

/* Hands over the outbox's rows of the registered types, routes the
 * store's later writes of them to the sharing queue (until stop()), and
 * starts the cycles on the thread-default main context.
 */
void            ward_fhir_shared_start          (WardFhirShared          *self);
/* A cycle now (unless one is running: then one more after it). */
void            ward_fhir_shared_kick           (WardFhirShared          *self);
/* Cancels what is in flight (it stays pending), stops the timer and the
 * routing: later writes of the shared types go to the FHIR outbox (and
 * are handed over at the next start).
 */
void            ward_fhir_shared_stop           (WardFhirShared          *self);
/* A clean stop: sends what is queued (no polling) for at most
 * timeout_msec on the context of start(), then stops as stop() does.
 * What the server did not take stays queued for the next start.
 */
void            ward_fhir_shared_flush_and_stop (WardFhirShared          *self,
                                                 guint                    timeout_msec);
gboolean        ward_fhir_shared_is_busy        (WardFhirShared          *self);

guint64         ward_fhir_shared_get_n_sent     (WardFhirShared          *self);
guint64         ward_fhir_shared_get_n_conflicts (WardFhirShared         *self);
guint64         ward_fhir_shared_get_n_applied  (WardFhirShared          *self);
guint64         ward_fhir_shared_get_n_polls    (WardFhirShared          *self);
/* Cycles that ended with every pending write sent and every type read. */
guint64         ward_fhir_shared_get_n_clean_cycles (WardFhirShared      *self);
/* Done writes pruned from the store since creation. */
guint64         ward_fhir_shared_get_n_pruned   (WardFhirShared          *self);
/* The last failure (no resource content), or NULL. */
char           *ward_fhir_shared_dup_last_error (WardFhirShared          *self);

/* The station named in a resource's meta.source, or NULL. */
char           *ward_fhir_shared_dup_station    (JsonObject              *resource);
/* The write id in a resource's meta.source, or NULL. */
char           *ward_fhir_shared_dup_write_id   (JsonObject              *resource);

G_END_DECLS
