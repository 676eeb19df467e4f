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

/* The device mapping stage: a device message in, normalised measurements
 * out.  This is the built-in mapping of the Wardwatch monitor format
 * (what the simulator sends, see data/scenarios/README.md).  The IoMT
 * template engine that reads users' own mappings takes its place per
 * source when it lands (see docs/ARCHITECTURE.md).
 */
#define WARD_TYPE_DEVICE_MAPPING (ward_device_mapping_get_type ())
G_DECLARE_FINAL_TYPE (WardDeviceMapping, ward_device_mapping, WARD, DEVICE_MAPPING, GObject)

GQuark             ward_mapping_error_quark   (void);

WardDeviceMapping *ward_device_mapping_new    (void);

/* Appends WardMeasurement structs to out (an array with clear func
 * ward_measurement_clear) and returns the device id.  On error nothing
 * is appended.  Values that are impossible are not appended; each is
 * described in *rejected (NULL if none), and the others are kept.
 */
gboolean           ward_device_mapping_map    (WardDeviceMapping  *self,
                                               const char         *payload,
                                               gsize               length,
                                               const char         *device_id_hint,
                                               gint64              received_at,
                                               GArray             *out,
                                               char              **device_id,
                                               char              **rejected,
                                               GError            **error);

/* Whether a device value is physically possible (not: clinically normal). */
gboolean           ward_measurement_is_plausible (WardMeasKind     kind,
                                                  double           value);

G_END_DECLS
