/* ward-device-source.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-device-source"

#include "config.h"

#include "ward-device-source.h"

#include <string.h>

G_DEFINE_INTERFACE (WardDeviceSource, ward_device_source, G_TYPE_OBJECT)

static void
ward_device_source_default_init (WardDeviceSourceInterface *iface)
{
}

void
ward_device_source_status_clear (WardDeviceSourceStatus *status)
{
  g_return_if_fail (status != NULL);

  g_free (status->name);
  g_free (status->last_error);
  g_free (status->detail);
  memset (status, 0, sizeof *status);
}

gboolean
ward_device_source_start (WardDeviceSource  *self,
                   GError     **error)
{
  g_return_val_if_fail (WARD_IS_DEVICE_SOURCE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return WARD_DEVICE_SOURCE_GET_IFACE (self)->start (self, error);
}

void
ward_device_source_stop (WardDeviceSource *self)
{
  g_return_if_fail (WARD_IS_DEVICE_SOURCE (self));

  WARD_DEVICE_SOURCE_GET_IFACE (self)->stop (self);
}

void
ward_device_source_get_status (WardDeviceSource       *self,
                        WardDeviceSourceStatus *status)
{
  g_return_if_fail (WARD_IS_DEVICE_SOURCE (self));
  g_return_if_fail (status != NULL);

  memset (status, 0, sizeof *status);
  WARD_DEVICE_SOURCE_GET_IFACE (self)->get_status (self, status);
}
