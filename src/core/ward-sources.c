/* ward-sources.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-sources"

#include "config.h"

#include "ward-sources.h"

#include "ward-mllp-listener.h"
#include "ward-simulator-source.h"
#include "ward-sink.h"

#include <string.h>

struct _WardSources
{
  GObject            parent_instance;

  WardPipeline      *pipeline;
  WardSourcesConfig  config;
  WardMqttSource    *mqtt;
  WardMllpListener  *mllp;
  GPtrArray         *sources;      /* WardDeviceSource, in start order */
};

G_DEFINE_FINAL_TYPE (WardSources, ward_sources, G_TYPE_OBJECT)

void
ward_sources_config_init (WardSourcesConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  ward_mqtt_source_config_init (&config->mqtt);
  config->mllp_port = -1;
  ward_mllp_limits_init (&config->mllp_limits);
}

void
ward_sources_config_clear (WardSourcesConfig *config)
{
  g_return_if_fail (config != NULL);

  ward_mqtt_source_config_clear (&config->mqtt);
  g_clear_pointer (&config->mllp_bind, g_free);
}

static void
ward_sources_dispose (GObject *object)
{
  WardSources *self = (WardSources *) object;

  ward_sources_stop (self);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (ward_sources_parent_class)->dispose (object);
}

static void
ward_sources_finalize (GObject *object)
{
  WardSources *self = (WardSources *) object;

  ward_sources_config_clear (&self->config);
  g_clear_pointer (&self->sources, g_ptr_array_unref);

  G_OBJECT_CLASS (ward_sources_parent_class)->finalize (object);
}

static void
ward_sources_class_init (WardSourcesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_sources_dispose;
  object_class->finalize = ward_sources_finalize;
}

static void
ward_sources_init (WardSources *self)
{
  self->sources = g_ptr_array_new_with_free_func (g_object_unref);
}

WardSources *
ward_sources_new (WardPipeline            *pipeline,
                  const WardSourcesConfig *config)
{
  WardSources *self;

  g_return_val_if_fail (WARD_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (WARD_TYPE_SOURCES, NULL);
  self->pipeline = g_object_ref (pipeline);
  ward_mqtt_source_config_copy (&config->mqtt, &self->config.mqtt);
  self->config.mllp_bind = g_strdup (config->mllp_bind);
  self->config.mllp_port = config->mllp_port;
  self->config.mllp_limits = config->mllp_limits;

  return self;
}

/* Each configured source gets a sink of its own on the pipeline; from
 * then on they are all started and stopped alike.
 */
static void
build_sources (WardSources *self)
{
  /* The demo's in-process monitors are a source like the others (a
   * stepped one: the pipeline's tick runs them and its commit is their
   * durability point), so their status and start/stop go through the
   * same list.  Started first, stopped last.
   */
  if (ward_pipeline_has_simulator (self->pipeline))
    {
      g_autoptr(WardSink) sink = ward_sink_new (self->pipeline, "simulator");

      g_ptr_array_add (self->sources, ward_simulator_source_new (sink));
    }

  if (self->config.mllp_port >= 0)
    {
      g_autoptr(WardSink) sink = ward_sink_new (self->pipeline, "mllp");

      self->mllp = ward_mllp_listener_new_for_sink (sink, self->config.mllp_bind,
                                                    (guint16) self->config.mllp_port);
      ward_mllp_listener_set_limits (self->mllp, &self->config.mllp_limits);
      g_ptr_array_add (self->sources, g_object_ref (self->mllp));
    }

  if (self->config.mqtt.url != NULL)
    {
      g_autoptr(WardSink) sink = ward_sink_new (self->pipeline, "mqtt");

      self->mqtt = ward_mqtt_source_new_for_sink (sink, &self->config.mqtt);
      g_ptr_array_add (self->sources, g_object_ref (self->mqtt));
    }
}

gboolean
ward_sources_start (WardSources  *self,
                    GError      **error)
{
  g_return_val_if_fail (WARD_IS_SOURCES (self), FALSE);

  if (self->sources->len == 0)
    build_sources (self);

  for (guint i = 0; i < self->sources->len; i++)
    {
      if (!ward_device_source_start (g_ptr_array_index (self->sources, i), error))
        {
          ward_sources_stop (self);
          return FALSE;
        }
    }

  return TRUE;
}

void
ward_sources_stop (WardSources *self)
{
  g_return_if_fail (WARD_IS_SOURCES (self));

  /* In reverse: MQTT (its loop thread joined) before the listener. */
  for (guint i = self->sources->len; i > 0; i--)
    ward_device_source_stop (g_ptr_array_index (self->sources, i - 1));

  g_ptr_array_set_size (self->sources, 0);
  g_clear_object (&self->mqtt);
  g_clear_object (&self->mllp);
}

GPtrArray *
ward_sources_get_sources (WardSources *self)
{
  g_return_val_if_fail (WARD_IS_SOURCES (self), NULL);

  return self->sources;
}

gboolean
ward_sources_is_empty (WardSources *self)
{
  g_return_val_if_fail (WARD_IS_SOURCES (self), TRUE);

  return self->config.mqtt.url == NULL && self->config.mllp_port < 0;
}

WardMqttSource *
ward_sources_get_mqtt (WardSources *self)
{
  g_return_val_if_fail (WARD_IS_SOURCES (self), NULL);

  return self->mqtt;
}

guint16
ward_sources_get_mllp_port (WardSources *self)
{
  g_return_val_if_fail (WARD_IS_SOURCES (self), 0);

  return self->mllp ? ward_mllp_listener_get_port (self->mllp) : 0;
}
