/* ward-sources.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-sources"

#include "config.h"

#include "ward-sources.h"

#include "ward-mllp-listener.h"

#include <string.h>

struct _WardSources
{
  GObject            parent_instance;

  WardPipeline      *pipeline;
  WardSourcesConfig  config;
  WardMqttSource    *mqtt;
  WardMllpListener  *mllp;
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

gboolean
ward_sources_start (WardSources  *self,
                    GError      **error)
{
  g_return_val_if_fail (WARD_IS_SOURCES (self), FALSE);

  if (self->config.mllp_port >= 0 && self->mllp == NULL)
    {
      self->mllp = ward_mllp_listener_new (self->pipeline);
      ward_mllp_listener_set_limits (self->mllp, &self->config.mllp_limits);
      if (!ward_mllp_listener_listen (self->mllp,
                                      self->config.mllp_bind ? self->config.mllp_bind : "127.0.0.1",
                                      (guint16) self->config.mllp_port, error))
        {
          g_clear_object (&self->mllp);
          return FALSE;
        }
      g_message ("Listening for HL7 v2 over MLLP on %s:%u",
                 self->config.mllp_bind ? self->config.mllp_bind : "127.0.0.1",
                 ward_mllp_listener_get_port (self->mllp));
    }

  if (self->config.mqtt.url != NULL && self->mqtt == NULL)
    {
      self->mqtt = ward_mqtt_source_new (self->pipeline, &self->config.mqtt);
      if (!ward_mqtt_source_start (self->mqtt, error))
        {
          g_clear_object (&self->mqtt);
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

  if (self->mqtt != NULL)
    {
      ward_mqtt_source_stop (self->mqtt);
      g_clear_object (&self->mqtt);
    }

  if (self->mllp != NULL)
    {
      ward_mllp_listener_stop (self->mllp);
      g_clear_object (&self->mllp);
    }
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
