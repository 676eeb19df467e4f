/* ward-alarm-priority.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-alarm-priority"

#include "config.h"

#include "ward-alarm-priority.h"

WardAlarmPriority
ward_alarm_priority_from_band (WardBand band)
{
  switch (band)
    {
    case WARD_BAND_HIGH:
      return WARD_ALARM_PRIORITY_HIGH;
    /* A single red parameter calls for an urgent ward-based response. */
    case WARD_BAND_MEDIUM:
    case WARD_BAND_LOW_MEDIUM:
      return WARD_ALARM_PRIORITY_MEDIUM;
    case WARD_BAND_LOW:
    default:
      return WARD_ALARM_PRIORITY_LOW;
    }
}

const char *
ward_alarm_priority_get_marker (WardAlarmPriority priority)
{
  switch (priority)
    {
    case WARD_ALARM_PRIORITY_HIGH:
      return "***";
    case WARD_ALARM_PRIORITY_MEDIUM:
      return "**";
    case WARD_ALARM_PRIORITY_LOW:
      return "*";
    default:
      g_return_val_if_reached ("*");
    }
}
