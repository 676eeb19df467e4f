/* ward-settings-live.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-pipeline.h"
#include "ward-sources.h"

G_BEGIN_DECLS

/* The saved settings applied to a running Wardwatch (issue #12): when a
 * key of the preferences changes, or the ward policy file it names is
 * written again, the settings are merged under the command line again
 * (ward_settings_config_merge(), so an option given on the command line
 * still wins) after a short delay that lets typing settle, and what
 * changed is applied:
 *
 *  - MQTT or MLLP: the device sources are stopped (the MQTT client
 *    disconnects cleanly; what the broker did not get acknowledged it
 *    sends again) and new ones started with the new settings.  When the
 *    new ones cannot start (a port already in use) the old settings are
 *    started again and the error is kept;
 *  - the FHIR server or its authentication: ward_pipeline_reconfigure_fhir_async();
 *  - the ward policy: ward_pipeline_reload_policy();
 *  - the device mapping: ward_pipeline_set_device_mapping();
 *  - retention: ward_pipeline_set_retention().
 *
 * A saved value that cannot be used is not applied: what runs keeps
 * running, and WardSettingsLive:error says why.  GIO only: the window's
 * application and a test use it alike.
 */

#define WARD_TYPE_SETTINGS_LIVE (ward_settings_live_get_type ())
G_DECLARE_FINAL_TYPE (WardSettingsLive, ward_settings_live, WARD, SETTINGS_LIVE, GObject)

/* command_line and command_line_sources: what the command line gave,
 * before the settings were merged in (copied).  sources: the running
 * sources, started from the merged configuration (may be NULL: none).
 */
WardSettingsLive *ward_settings_live_new          (GSettings                *settings,
                                                   WardPipeline             *pipeline,
                                                   const WardPipelineConfig *command_line,
                                                   const WardSourcesConfig  *command_line_sources,
                                                   WardSources              *sources);
/* The sources now running; they change on WardSettingsLive::sources-changed. */
WardSources      *ward_settings_live_get_sources  (WardSettingsLive         *self);
/* How long after the last change the settings are applied (500 ms). */
void              ward_settings_live_set_delay    (WardSettingsLive         *self,
                                                   guint                     msec);
/* Why the last change was not applied, or NULL. */
const char       *ward_settings_live_get_error    (WardSettingsLive         *self);
/* How many times settings were applied (for tests and the log). */
guint             ward_settings_live_get_n_applied (WardSettingsLive        *self);

/* A deep copy of src into dest (initialised or cleared). */
void              ward_sources_config_copy        (const WardSourcesConfig  *src,
                                                   WardSourcesConfig        *dest);

G_END_DECLS
