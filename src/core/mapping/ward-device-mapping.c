/* ward-device-mapping.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-device-mapping"

#include "config.h"

#include "ward-device-mapping.h"

#include <math.h>


G_DEFINE_QUARK (ward-mapping-error-quark, ward_mapping_error)

/* Physically possible ranges.  Wide on purpose: a septic patient's heart
 * rate of 180 is real; a heart rate of -3 or 900 is a broken sensor.
 */
gboolean
ward_measurement_is_plausible (WardMeasKind kind,
                               double       value)
{
  if (!isfinite (value))
    return FALSE;

  switch (kind)
    {
    case WARD_MEAS_HR:
      return value >= 0 && value <= 350;
    case WARD_MEAS_RR:
      return value >= 0 && value <= 120;
    case WARD_MEAS_SPO2:
      return value >= 0 && value <= 100;
    case WARD_MEAS_SBP:
    case WARD_MEAS_DBP:
    case WARD_MEAS_MAP:
      return value >= 0 && value <= 350;
    case WARD_MEAS_TEMP:
      return value >= 25 && value <= 45;
    case WARD_MEAS_CONSCIOUSNESS:
      return value >= WARD_ACVPU_ALERT && value <= WARD_ACVPU_UNRESPONSIVE && value == floor (value);
    case WARD_MEAS_ON_OXYGEN:
      return value == 0 || value == 1;
    case WARD_MEAS_O2_FLOW:
      return value >= 0 && value <= 70;
    case WARD_MEAS_N_KINDS:
    default:
      return FALSE;
    }
}
