/* ward-sources.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-device-source.h"
#include "ward-mllp-listener.h"
#include "ward-mqtt-source.h"
#include "ward-pipeline.h"

G_BEGIN_DECLS

/* The device sources of one Wardwatch (the demo's in-process monitors too): an MQTT subscription and
 * an MLLP listener, both optional, feeding one pipeline.  The headless
 * runner and the application own one beside their pipeline: started after
 * the pipeline, stopped before it.
 */
typedef struct
{
  WardMqttSourceConfig  mqtt;          /* mqtt.url NULL: no MQTT */
  char                 *mllp_bind;     /* NULL: 127.0.0.1 */
  int                   mllp_port;     /* -1: no MLLP listener; 0: any free port */
  WardMllpLimits        mllp_limits;   /* connection cap, idle timeout, de-duplication */
} WardSourcesConfig;

void  ward_sources_config_init   (WardSourcesConfig       *config);
void  ward_sources_config_clear  (WardSourcesConfig       *config);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardSourcesConfig, ward_sources_config_clear)

#define WARD_TYPE_SOURCES (ward_sources_get_type ())
G_DECLARE_FINAL_TYPE (WardSources, ward_sources, WARD, SOURCES, GObject)

WardSources    *ward_sources_new            (WardPipeline             *pipeline,
                                             const WardSourcesConfig  *config);
/* Starts what is configured, on the caller's thread-default context.
 * An MQTT broker that cannot be reached is not an error (the source
 * keeps trying and says so); a port that cannot be bound is.
 */
gboolean        ward_sources_start          (WardSources              *self,
                                             GError                  **error);
void            ward_sources_stop           (WardSources              *self);
gboolean        ward_sources_is_empty       (WardSources              *self);
/* The running sources (WardDeviceSource), for their status; empty when
 * stopped.  Owned by self.
 */
GPtrArray      *ward_sources_get_sources    (WardSources              *self);
WardMqttSource *ward_sources_get_mqtt       (WardSources              *self);
guint16         ward_sources_get_mllp_port  (WardSources              *self);

G_END_DECLS
