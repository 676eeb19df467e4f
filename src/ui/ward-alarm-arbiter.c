/* ward-alarm-arbiter.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-alarm-arbiter"

#include "config.h"

#include "ward-alarm-arbiter.h"

static int
raise_to (int               highest,
          WardAlarmPriority priority)
{
  return MAX (highest, (int) priority);
}

/**
 * ward_alarm_arbiter_collect:
 * @snapshot: (nullable): the ward
 * @source_alarm: whether the device source is down (the alarm bar's
 *   high-priority technical alarm)
 *
 * Which priority the ward's sound must have: the highest among the
 * alarms the alarm bar shows as active and not acknowledged, each at the
 * priority the bar gives it (what is heard and what is seen never
 * disagree).  An acknowledged alarm keeps its place on screen but is
 * silent; a recovering flag (its score fell back) is no longer an alarm
 * condition and is silent too.  Silent devices and a model's own flags
 * are low priority, a clinical flag takes its band's priority, and a
 * device source that is down is high.
 *
 * Returns: a #WardAlarmPriority, or %WARD_ALARM_SILENT
 */
int
ward_alarm_arbiter_collect (WardSnapshot *snapshot,
                            gboolean      source_alarm)
{
  int highest = WARD_ALARM_SILENT;

  if (source_alarm)
    highest = raise_to (highest, WARD_ALARM_PRIORITY_HIGH);

  if (snapshot == NULL)
    return highest;

  for (guint i = 0; i < ward_snapshot_get_n_beds (snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);

      if (bed->flag_state == WARD_FLAG_STATE_OPEN && bed->flag_id != 0 &&
          bed->flag_acknowledged_by == NULL)
        highest = raise_to (highest, ward_alarm_priority_from_band (bed->flag_band));

      if (bed->technical_alert && bed->technical_alert_acknowledged_by == NULL)
        highest = raise_to (highest, WARD_ALARM_PRIORITY_LOW);

      for (guint m = 0; bed->model_flags != NULL && m < bed->model_flags->len; m++)
        {
          const WardModelFlagView *flag = &g_array_index (bed->model_flags, WardModelFlagView, m);

          if (flag->flag_id != 0 && flag->state == WARD_FLAG_STATE_OPEN &&
              flag->acknowledged_by == NULL)
            highest = raise_to (highest, WARD_ALARM_PRIORITY_LOW);
        }
    }

  return highest;
}

void
ward_alarm_arbiter_init (WardAlarmArbiter *self)
{
  g_return_if_fail (self != NULL);

  self->highest = WARD_ALARM_SILENT;
  self->sounding = WARD_ALARM_SILENT;
  self->pause_until = 0;
  self->pause_ceiling = WARD_ALARM_SILENT;
  self->broke_through = FALSE;
}

static gboolean
set_sounding (WardAlarmArbiter *self)
{
  int sounding = self->pause_until != 0 ? WARD_ALARM_SILENT : self->highest;

  if (sounding == self->sounding)
    return FALSE;

  self->sounding = sounding;
  return TRUE;
}

/**
 * ward_alarm_arbiter_update:
 * @self: an arbiter
 * @highest: what ward_alarm_arbiter_collect() found, or WARD_ALARM_SILENT
 * @now: the time, in microseconds of a clock that does not jump
 *
 * Ends an audio pause that ran out, that a higher priority than the one
 * paused broke through (the reference: "a new higher-priority alarm
 * breaks through a pause"), or that has nothing left to pause (every
 * alarm acknowledged or over: a later alarm then sounds at once rather
 * than waiting for the rest of a pause meant for another).
 *
 * Returns: %TRUE when what sounds changed
 */
gboolean
ward_alarm_arbiter_update (WardAlarmArbiter *self,
                           int               highest,
                           gint64            now)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (highest >= WARD_ALARM_SILENT && highest <= WARD_ALARM_PRIORITY_HIGH, FALSE);

  self->highest = highest;

  if (self->pause_until != 0)
    {
      if (now >= self->pause_until || highest == WARD_ALARM_SILENT)
        {
          self->pause_until = 0;
          self->pause_ceiling = WARD_ALARM_SILENT;
        }
      else if (highest > self->pause_ceiling)
        {
          self->pause_until = 0;
          self->pause_ceiling = WARD_ALARM_SILENT;
          self->broke_through = TRUE;
        }
    }

  return set_sounding (self);
}

/**
 * ward_alarm_arbiter_pause:
 * @self: an arbiter
 * @now: the time
 * @duration: how long, in microseconds (%WARD_ALARM_PAUSE_USEC)
 *
 * Pauses the sound of the alarms active now.  Only while something
 * sounds: a pause taken before any alarm would silence the next one,
 * whoever it is for, at a screen that watches a whole ward.  Pausing
 * again while paused starts the pause again.
 *
 * Returns: %TRUE if the sound is now paused
 */
gboolean
ward_alarm_arbiter_pause (WardAlarmArbiter *self,
                          gint64            now,
                          gint64            duration)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (duration > 0, FALSE);

  if (self->pause_until == 0 && self->sounding == WARD_ALARM_SILENT)
    return FALSE;

  if (self->pause_until == 0)
    self->pause_ceiling = self->sounding;
  self->pause_until = now + duration;
  self->broke_through = FALSE;
  set_sounding (self);

  return TRUE;
}

/* Ends a pause early.  Returns: %TRUE if there was one. */
gboolean
ward_alarm_arbiter_resume (WardAlarmArbiter *self,
                           gint64            now)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->pause_until == 0)
    return FALSE;

  self->pause_until = 0;
  self->pause_ceiling = WARD_ALARM_SILENT;
  set_sounding (self);

  return TRUE;
}

gboolean
ward_alarm_arbiter_is_paused (const WardAlarmArbiter *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->pause_until != 0;
}

/* Returns: microseconds left of the pause, 0 when not paused. */
gint64
ward_alarm_arbiter_get_pause_remaining (const WardAlarmArbiter *self,
                                        gint64                  now)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->pause_until == 0)
    return 0;

  return MAX (self->pause_until - now, 0);
}
