/* ward-pipeline-live.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-pipeline.h"

G_BEGIN_DECLS

/* A running pipeline changed without a restart (issue #12): the ward
 * policy, the retention and the FHIR server.  Each call checks what it
 * can at once, on the caller's thread, and applies the rest on the
 * pipeline thread between two ticks, so that no tick sees half of a
 * change.  The device sources (MQTT, MLLP) are not the pipeline's: see
 * ward-settings-live.h.
 */

/* Reads policy_file (NULL: the built-in defaults) as ward_pipeline_start()
 * does, over the options the pipeline was started with; a file that
 * cannot be used is refused here with error and nothing changes.  Else
 * the windows' validity, the flag rules (threshold, delays), the device
 * silence, the observation frequency, the measurement retention (unless
 * the command line set it) and the care team's routing apply from the
 * next tick.  Open flags keep their state and follow the new rules from
 * then on.  The models the policy names are kept as they were loaded.
 */
gboolean  ward_pipeline_reload_policy       (WardPipeline             *self,
                                             const char               *policy_file,
                                             GError                  **error);

/* Raw archive and measurement retention in days (0 keeps everything;
 * measurement_days NAN: the ward policy's), from the next tick.
 */
void      ward_pipeline_set_retention       (WardPipeline             *self,
                                             double                    raw_days,
                                             double                    measurement_days);

/* Another IoMT device mapping file (NULL: the built-in one), read and
 * checked now; the next message is mapped with it.
 */
gboolean  ward_pipeline_set_device_mapping  (WardPipeline             *self,
                                             const char               *path,
                                             GError                  **error);

/* Another FHIR server or authentication: fhir_url, fhir_auth,
 * fhir_token_file, fhir_client_id and fhir_private_key are taken from
 * config (fhir_url NULL: none).  On the pipeline thread the old sync is
 * stopped (what is in flight stays pending in the outbox), the shared
 * Tasks are flushed for a bounded time, and a new sync starts with the
 * new settings; the outbox is sent there.  Completes on the caller's
 * thread-default context; an authentication that cannot be set up
 * (a key that does not load) fails and leaves FHIR off until the next
 * change, which the snapshot's sync state shows.  Identity lookups
 * (--identity) keep the server they started with.
 */
void      ward_pipeline_reconfigure_fhir_async  (WardPipeline             *self,
                                                 const WardPipelineConfig *config,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
gboolean  ward_pipeline_reconfigure_fhir_finish (WardPipeline             *self,
                                                 GAsyncResult             *result,
                                                 GError                  **error);

/* TRUE when a and b name the same FHIR server and authentication. */
gboolean  ward_pipeline_config_fhir_equal   (const WardPipelineConfig *a,
                                             const WardPipelineConfig *b);

G_END_DECLS
