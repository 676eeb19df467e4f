/* ward-measurement.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* One normalised value, as every source (simulator, MQTT, HL7, nurse)
 * produces it after device mapping.  Plain struct: copied, not shared.
 */
typedef struct
{
  WardMeasKind  kind;
  double        value;
  gint64        observed_at;      /* UTC usec: when it was measured */
  WardSource    source;
  char         *device_id;        /* NULL for nurse entries */
  char         *patient_id;       /* NULL until identity resolution */
  char         *entered_by;       /* the nurse, NULL for device data */
  gint64        raw_message_id;   /* 0 for nurse entries */
} WardMeasurement;

void ward_measurement_clear (WardMeasurement *m);

G_END_DECLS
