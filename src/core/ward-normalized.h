/* ward-normalized.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-measurement.h"

G_BEGIN_DECLS

/* The normalised measurement: what device mapping makes of a device
 * message, the same for every source (MQTT JSON through IoMT templates,
 * HL7 v2 through the HL7 mapper, the simulator through the default
 * template).  It follows the IoMT FHIR Connector's Measurement: a type
 * name, an occurrence time, ids, and named values kept as strings, as
 * the connector keeps them.
 */
typedef struct
{
  char    *name;
  char    *value;
} WardNormalizedValue;

typedef struct
{
  char    *type;             /* the template's typeName: "heartrate" */
  gint64   occurrence_time;  /* UTC usec */
  char    *device_id;
  char    *patient_id;       /* NULL unless the mapping gives one */
  char    *encounter_id;
  char    *correlation_id;
  GArray  *properties;       /* WardNormalizedValue, in template order */
} WardNormalized;

WardNormalized *ward_normalized_new            (const char           *type,
                                                gint64                occurrence_time,
                                                const char           *device_id);
void            ward_normalized_free           (WardNormalized       *self);
void            ward_normalized_add_value      (WardNormalized       *self,
                                                const char           *name,
                                                const char           *value);
const char     *ward_normalized_get_value      (const WardNormalized *self,
                                                const char           *name);

/* One JSON object in the connector's shape, camelCase: type,
 * occurrenceTimeUtc, deviceId, patientId, encounterId, correlationId,
 * properties [{name, value}].
 */
char           *ward_normalized_to_json        (const WardNormalized *self);

/* The canonical type and value names that Wardwatch scores: what the
 * default mappings in data/mappings/ and the HL7 mapper produce.  A user's
 * device mapping that uses these names is scored; other types are stored
 * in the raw archive and in FHIR but not scored.
 *
 *   heartrate        hr                        /min
 *   respiratoryrate  rr                        /min
 *   spo2             spo2                      %
 *   bloodpressure    systolic, diastolic, mean mm[Hg]
 *   temperature      temperature               Cel
 *
 * Returns the number of values bound; each becomes a WardMeasurement
 * appended to out (clear func ward_measurement_clear), with source device.
 * Values that are not numbers, or impossible, are described in
 * *rejected (appended, "; "-separated) and skipped.
 */
guint           ward_normalized_bind           (const WardNormalized *self,
                                                GArray               *out,
                                                GString              *rejected);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardNormalized, ward_normalized_free)

G_END_DECLS
