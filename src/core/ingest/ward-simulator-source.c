/* ward-simulator-source.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-simulator-source"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ward-simulator-source.h"

struct _WardSimulatorSource
{
  GObject   parent_instance;

  WardSink *sink;
};

static void ward_simulator_source_iface_init (WardDeviceSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WardSimulatorSource, ward_simulator_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WARD_TYPE_DEVICE_SOURCE,
                                                      ward_simulator_source_iface_init))

static gboolean
ward_simulator_source_start (WardDeviceSource  *source,
                             GError           **error)
{
  WardSimulatorSource *self = WARD_SIMULATOR_SOURCE (source);

  if (!ward_sink_set_stepped_running (self->sink, TRUE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("There is no simulated ward to start: the pipeline is not "
                             "in demo mode with in-process devices"));
      return FALSE;
    }

  return TRUE;
}

static void
ward_simulator_source_stop (WardDeviceSource *source)
{
  WardSimulatorSource *self = WARD_SIMULATOR_SOURCE (source);

  ward_sink_set_stepped_running (self->sink, FALSE);
}

static void
ward_simulator_source_get_status (WardDeviceSource       *source,
                                  WardDeviceSourceStatus *status)
{
  WardSimulatorSource *self = WARD_SIMULATOR_SOURCE (source);
  guint n_beds = 0;
  double time_scale = 0;

  ward_sink_get_stepped_status (self->sink, &status->running, &n_beds, &time_scale,
                                &status->received, &status->committed, &status->failed);
  status->name = g_strdup (ward_sink_get_source_name (self->sink));
  /* In process: there is no peer to be cut off from. */
  status->connected = status->running;
  status->detail = g_strdup_printf ("%u simulated beds, time scale %g", n_beds, time_scale);
}

static void
ward_simulator_source_iface_init (WardDeviceSourceInterface *iface)
{
  iface->start = ward_simulator_source_start;
  iface->stop = ward_simulator_source_stop;
  iface->get_status = ward_simulator_source_get_status;
}

static void
ward_simulator_source_finalize (GObject *object)
{
  WardSimulatorSource *self = (WardSimulatorSource *) object;

  g_clear_object (&self->sink);

  G_OBJECT_CLASS (ward_simulator_source_parent_class)->finalize (object);
}

static void
ward_simulator_source_class_init (WardSimulatorSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_simulator_source_finalize;
}

static void
ward_simulator_source_init (WardSimulatorSource *self)
{
}

WardSimulatorSource *
ward_simulator_source_new (WardSink *sink)
{
  WardSimulatorSource *self;

  g_return_val_if_fail (WARD_IS_SINK (sink), NULL);

  self = g_object_new (WARD_TYPE_SIMULATOR_SOURCE, NULL);
  self->sink = g_object_ref (sink);

  return self;
}
