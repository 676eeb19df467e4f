/* ward-measurement.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-measurement"

#include "config.h"

#include "ward-measurement.h"

void
ward_measurement_clear (WardMeasurement *m)
{
  g_return_if_fail (m != NULL);

  g_clear_pointer (&m->device_id, g_free);
  g_clear_pointer (&m->patient_id, g_free);
  g_clear_pointer (&m->entered_by, g_free);
}
