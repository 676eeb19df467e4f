/* ward-alarm-tone.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-alarm-priority.h"

G_BEGIN_DECLS

#define WARD_ALARM_TONE_N_HARMONICS 5

/* The sound of one alarm priority, after the auditory alarm signals of
 * IEC 60601-1-8 (Tables 3 and 4): a burst of pulses, then silence until
 * the next burst.  Times are in milliseconds from the start of the
 * burst.  Pure data and arithmetic: no audio library.
 */
typedef struct
{
  WardAlarmPriority  priority;
  guint              n_pulses;
  const guint       *onsets_ms;       /* the start of each pulse */
  guint              pulse_ms;        /* effective pulse duration, td */
  guint              ramp_ms;         /* rise and fall, each inside td */
  guint              interval_ms;     /* burst interval: end of the last pulse to the next burst */
  double             frequency;       /* fundamental, f0 */
  double             harmonics[WARD_ALARM_TONE_N_HARMONICS]; /* amplitude of f0, 2 f0, ... */
} WardAlarmTone;

const WardAlarmTone *ward_alarm_tone_get            (WardAlarmPriority     priority);
guint                ward_alarm_tone_get_burst_ms   (const WardAlarmTone  *tone);
guint                ward_alarm_tone_get_cycle_ms   (const WardAlarmTone  *tone);
double               ward_alarm_tone_envelope       (const WardAlarmTone  *tone,
                                                     gint64                usec);
void                 ward_alarm_tone_render         (const WardAlarmTone  *tone,
                                                     guint                 rate,
                                                     guint64               first_sample,
                                                     gint16               *samples,
                                                     gsize                 n_samples);

G_END_DECLS
