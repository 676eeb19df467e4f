/* ward-fhir-sync.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-fhir-auth.h"
#include "ward-fhir-template.h"
#include "ward-store.h"

G_BEGIN_DECLS

/* Sends the outbox to a FHIR R4 server with PUT {base}/{type}/{id}
 * (update-as-create), on the thread-default main context where it was
 * started (the pipeline thread, between its ticks).
 *
 * Once per session (start to stop) it reads {base}/metadata: when the
 * CapabilityStatement lists the "batch" interaction, up to batch_size due
 * rows go as one batch Bundle of PUT entries, and each entry's status is
 * mapped back to its row; otherwise (or once the server refuses a
 * Bundle) one PUT per row.  Also once per session, before any other row,
 * the Wardwatch Device (ward_fhir_device_id() of the installation) is
 * PUT, since the other resources reference it.
 *
 * 200/201 marks the row sent; 408, 429, 5xx, 401, network errors and
 * answers that are not FHIR are retried with exponential backoff and
 * jitter (Retry-After honoured); any other 4xx parks the row with the
 * OperationOutcome.  A row is marked only after the server answered, and
 * PUT with deterministic ids is idempotent: a crash sends a row again,
 * never makes a second resource.  Store writes are short transactions
 * (one per single PUT, one per Bundle).
 *
 * Observations in the IoMT connector's format (an identifier in
 * WARD_FHIR_SERVICE_SYSTEM), which the connector may write too, are
 * merged into the server's copy, never overwrite it: the sync keeps, per
 * session, the server's versionId of each one it wrote and PUTs the next
 * version with If-Match (in a Bundle, request.ifMatch).  Without one (the
 * first write of the session) it GETs the server's copy first (in batch
 * mode, one batch Bundle of GETs per take): 404 creates it, 200 merges
 * ours into it (ward_fhir_template_merge_observations() with the
 * template set) and PUTs the result with If-Match.  A 412 (written
 * meanwhile) reads and merges again, at most 3 times per row and cycle,
 * then the row is retried with backoff.  The local copy becomes the
 * merged one, without a new outbox row.
 */

typedef gint64 (*WardFhirSyncClock) (gpointer user_data);

#define WARD_TYPE_FHIR_SYNC (ward_fhir_sync_get_type ())
G_DECLARE_FINAL_TYPE (WardFhirSync, ward_fhir_sync, WARD, FHIR_SYNC, GObject)

WardFhirSync *ward_fhir_sync_new             (WardStore         *store,
                                              const char        *base_url,
                                              const char        *bearer_token);
/* Replaces the bearer token given to new() (before start).  With SMART
 * auth, a 401 forgets the token, authenticates again and sends the row
 * once more; a second 401 retries it later.  A failed authentication
 * retries the batch later (it stays pending).
 */
void          ward_fhir_sync_set_auth        (WardFhirSync      *self,
                                              WardFhirAuth      *auth);
/* The FHIR destination mapping whose rules merge connector Observations
 * (the one that made them).  Without it they are still merged, our
 * values winning, the period widened.
 */
void          ward_fhir_sync_set_template    (WardFhirSync      *self,
                                              WardFhirTemplate  *template);
/* The time outbox rows are due by (default g_get_real_time). */
void          ward_fhir_sync_set_clock       (WardFhirSync      *self,
                                              WardFhirSyncClock  clock,
                                              gpointer           user_data);
/* Backoff: min_msec * 2^attempts, at most max_msec, plus up to 25 %
 * jitter.  Defaults 1 s and 5 min.
 */
void          ward_fhir_sync_set_backoff     (WardFhirSync      *self,
                                              guint              min_msec,
                                              guint              max_msec);
/* Entries per batch Bundle (default 100); 1 sends single PUTs only. */
void          ward_fhir_sync_set_batch_size  (WardFhirSync      *self,
                                              guint              batch_size);
/* Cycles every interval_msec (default 1000); request timeout in s (10). */
void          ward_fhir_sync_set_interval    (WardFhirSync      *self,
                                              guint              interval_msec);
void          ward_fhir_sync_set_timeout     (WardFhirSync      *self,
                                              guint              timeout_sec);

/* Starts a session: pending rows waiting for a retry are due at once. */
void          ward_fhir_sync_start           (WardFhirSync      *self);
/* Starts a cycle now unless one is running. */
void          ward_fhir_sync_kick            (WardFhirSync      *self);
/* Kicks when rows were queued since the last cycle (cheap: call after
 * every commit).
 */
void          ward_fhir_sync_notify          (WardFhirSync      *self);
gboolean      ward_fhir_sync_is_busy         (WardFhirSync      *self);
/* One last cycle, iterating the thread-default context for at most
 * timeout_msec; then stops.  What was not sent stays pending.
 */
void          ward_fhir_sync_flush_and_stop  (WardFhirSync      *self,
                                              guint              timeout_msec);
/* Cancels what is in flight (it stays pending) and stops the timer. */
void          ward_fhir_sync_stop            (WardFhirSync      *self);

guint64       ward_fhir_sync_get_n_sent      (WardFhirSync      *self);
guint64       ward_fhir_sync_get_n_retried   (WardFhirSync      *self);
guint64       ward_fhir_sync_get_n_parked    (WardFhirSync      *self);
/* Batch Bundles sent (POSTed) so far, of PUTs or of GETs. */
guint64       ward_fhir_sync_get_n_bundles   (WardFhirSync      *self);
/* Connector Observations read before a merge (GETs, alone or in Bundles). */
guint64       ward_fhir_sync_get_n_reads     (WardFhirSync      *self);
/* 412 answers: another writer changed an Observation meanwhile. */
guint64       ward_fhir_sync_get_n_conflicts (WardFhirSync      *self);
/* The server offers batch and none was refused (this session). */
gboolean      ward_fhir_sync_get_batch_allowed     (WardFhirSync *self);
/* The Wardwatch Device was PUT this session. */
gboolean      ward_fhir_sync_get_device_registered (WardFhirSync *self);
/* The last failure, without resource content, or NULL. */
char         *ward_fhir_sync_dup_last_error  (WardFhirSync      *self);
/* When (on the sync's clock) the server stopped taking resources: the
 * first transient failure (network, 5xx, 429, an answer that is not FHIR)
 * since a row was last sent or parked; 0 while it answers.
 */
gint64        ward_fhir_sync_get_failing_since (WardFhirSync    *self);

G_END_DECLS
