/* ward-alarm-priority.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* The priorities of IEC 60601-1-8, shared by what is seen (the alarm
 * bar: colour, flashing, the *** / ** / * markers) and what is heard
 * (ward-alarm-tone.c), so that both always give an alarm the same one.
 * Kept free of GTK so that the sound's logic can be tested without a
 * display.
 */
typedef enum
{
  WARD_ALARM_PRIORITY_LOW,
  WARD_ALARM_PRIORITY_MEDIUM,
  WARD_ALARM_PRIORITY_HIGH,
} WardAlarmPriority;

WardAlarmPriority  ward_alarm_priority_from_band   (WardBand           band);
const char        *ward_alarm_priority_get_marker  (WardAlarmPriority  priority);

G_END_DECLS
