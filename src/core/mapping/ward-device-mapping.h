/* ward-device-mapping.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ward-measurement.h"

G_BEGIN_DECLS

#define WARD_MAPPING_ERROR (ward_mapping_error_quark ())

typedef enum
{
  WARD_MAPPING_ERROR_PARSE,        /* not JSON, or not an object */
  WARD_MAPPING_ERROR_NO_DEVICE,    /* no device id in the message or its topic */
  WARD_MAPPING_ERROR_BAD_TIME,     /* missing, unparsable or in the future */
  WARD_MAPPING_ERROR_BAD_VALUE,    /* a value of the wrong type or impossible */
  WARD_MAPPING_ERROR_NO_VALUES,    /* nothing this mapping knows */
} WardMappingError;

/* The errors of device mapping, shared by the IoMT device templates
 * (ward-device-template.h) and the HL7 mapper's callers: the pipeline
 * records them as dead letters at stage "parse" (PARSE) or "mapping".
 */
GQuark             ward_mapping_error_quark   (void);

/* Whether a device value is physically possible (not: clinically normal). */
gboolean           ward_measurement_is_plausible (WardMeasKind     kind,
                                                  double           value);

G_END_DECLS
