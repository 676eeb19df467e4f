/* ward-device-mapping.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-device-mapping"

#include "config.h"

#include "ward-device-mapping.h"
#include "ward-clinical.h"

G_DEFINE_QUARK (ward-mapping-error-quark, ward_mapping_error)

/* Physically possible ranges: ward-clinical.h keeps them for every layer. */
gboolean
ward_measurement_is_plausible (WardMeasKind kind,
                               double       value)
{
  return ward_clinical_is_plausible (kind, value);
}
