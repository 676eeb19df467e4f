/* ward-alarm-tone.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-alarm-tone"

#include "config.h"

#include <math.h>

#include "ward-alarm-tone.h"

/* The figures, chosen inside the ranges of IEC 60601-1-8 Tables 3 and 4
 * (tests/ui/test-alarm-tone.c measures each from the envelope and checks
 * it against its range).  Durations and spacings are measured at half
 * amplitude, so a pulse of 150 ms with ramps of 22 ms lasts td = 128 ms
 * and the silence between pulses is 22 ms longer than between their
 * ramps:
 *
 *   high:   10 pulses as 3 + 2, a pause, 3 + 2; td 128 ms (75-200),
 *           spacing x = 112 ms (50-125), the gap between the 3rd and
 *           4th pulse 2x + td = 352 ms, between the 5th and 6th about
 *           1 s (0.35-1.3 s); 3 s after the last pulse the burst comes
 *           again (2.5-15 s); 784 Hz.
 *   medium: 3 pulses; td 170 ms (125-250), spacing y = 230 ms (125-250);
 *           7 s between bursts (2.5-30 s); 587 Hz.
 *   low:    2 pulses; td 170 ms, spacing 230 ms; 20 s between bursts
 *           (more than 15 s); 440 Hz.
 *
 * Every pulse has its fundamental and four harmonics (IEC asks at least
 * four components between 300 and 4000 Hz: here 2 f0 to 5 f0, all
 * inside) and rises and falls in 15 % of its length (10-20 %).  The
 * priorities differ in three ways a listener tells apart: the number
 * and rhythm of the pulses, the pitch (high is highest) and how often
 * the burst comes back.
 */
static const guint high_onsets[] = { 0, 240, 480, 960, 1200, 2350, 2590, 2830, 3310, 3550 };
static const guint medium_onsets[] = { 0, 400, 800 };
static const guint low_onsets[] = { 0, 400 };

static const WardAlarmTone tones[] = {
  {
    WARD_ALARM_PRIORITY_LOW, G_N_ELEMENTS (low_onsets), low_onsets,
    200, 30, 20000, 440.0, { 1.0, 0.5, 0.33, 0.25, 0.2 },
  },
  {
    WARD_ALARM_PRIORITY_MEDIUM, G_N_ELEMENTS (medium_onsets), medium_onsets,
    200, 30, 7000, 587.0, { 1.0, 0.5, 0.33, 0.25, 0.2 },
  },
  {
    WARD_ALARM_PRIORITY_HIGH, G_N_ELEMENTS (high_onsets), high_onsets,
    150, 22, 3000, 784.0, { 1.0, 0.5, 0.33, 0.25, 0.2 },
  },
};

/* The loudest a sample gets, leaving headroom below full scale. */
#define PEAK 0.8

const WardAlarmTone *
ward_alarm_tone_get (WardAlarmPriority priority)
{
  g_return_val_if_fail (priority <= WARD_ALARM_PRIORITY_HIGH, NULL);

  return &tones[priority];
}

/* From the start of the first pulse to the end of the last. */
guint
ward_alarm_tone_get_burst_ms (const WardAlarmTone *tone)
{
  g_return_val_if_fail (tone != NULL, 0);

  return tone->onsets_ms[tone->n_pulses - 1] + tone->pulse_ms;
}

/* One burst and the silence after it: the sound repeats with this period. */
guint
ward_alarm_tone_get_cycle_ms (const WardAlarmTone *tone)
{
  g_return_val_if_fail (tone != NULL, 0);

  return ward_alarm_tone_get_burst_ms (tone) + tone->interval_ms;
}

/**
 * ward_alarm_tone_envelope:
 * @tone: a tone
 * @usec: time since the start of a burst; the sound repeats, so any
 *   time counts from the start of the first burst
 *
 * Returns: the loudness at @usec, from 0 (silence) to 1 (a pulse at its
 *   full level); the rise and fall are raised cosines, so that pulses
 *   start and stop without clicks.
 */
double
ward_alarm_tone_envelope (const WardAlarmTone *tone,
                          gint64               usec)
{
  gint64 cycle_usec;
  gint64 t;

  g_return_val_if_fail (tone != NULL, 0.0);
  g_return_val_if_fail (usec >= 0, 0.0);

  cycle_usec = (gint64) ward_alarm_tone_get_cycle_ms (tone) * 1000;
  t = usec % cycle_usec;

  for (guint i = 0; i < tone->n_pulses; i++)
    {
      gint64 start = (gint64) tone->onsets_ms[i] * 1000;
      gint64 end = start + (gint64) tone->pulse_ms * 1000;
      gint64 ramp = (gint64) tone->ramp_ms * 1000;

      if (t < start)
        break;
      if (t >= end)
        continue;
      if (t - start < ramp)
        return 0.5 - 0.5 * cos (G_PI * (double) (t - start) / (double) ramp);
      if (end - t < ramp)
        return 0.5 - 0.5 * cos (G_PI * (double) (end - t) / (double) ramp);
      return 1.0;
    }

  return 0.0;
}

/**
 * ward_alarm_tone_render:
 * @tone: a tone
 * @rate: samples per second
 * @first_sample: the position of @samples[0], in samples since the
 *   start of the first burst
 * @samples: (out caller-allocates): where to write signed 16-bit mono
 * @n_samples: how many
 *
 * Writes @n_samples of @tone, so that a player asks for one chunk after
 * another and the pattern repeats on its own.
 */
void
ward_alarm_tone_render (const WardAlarmTone *tone,
                        guint                rate,
                        guint64              first_sample,
                        gint16              *samples,
                        gsize                n_samples)
{
  guint64 cycle_samples;
  double sum = 0.0;

  g_return_if_fail (tone != NULL);
  g_return_if_fail (rate > 0);
  g_return_if_fail (samples != NULL || n_samples == 0);

  cycle_samples = (guint64) ward_alarm_tone_get_cycle_ms (tone) * rate / 1000;
  for (guint h = 0; h < WARD_ALARM_TONE_N_HARMONICS; h++)
    sum += tone->harmonics[h];

  for (gsize i = 0; i < n_samples; i++)
    {
      /* Within the cycle, so that the phase stays exact however long an
       * alarm sounds; the cycle wraps in silence.
       */
      guint64 k = (first_sample + i) % cycle_samples;
      gint64 usec = (gint64) (k * G_USEC_PER_SEC / rate);
      double envelope = ward_alarm_tone_envelope (tone, usec);
      double value = 0.0;

      if (envelope > 0.0)
        {
          double t = (double) k / rate;

          for (guint h = 0; h < WARD_ALARM_TONE_N_HARMONICS; h++)
            value += tone->harmonics[h] * sin (2.0 * G_PI * tone->frequency * (h + 1) * t);
          value = value / sum * envelope * PEAK;
        }

      samples[i] = (gint16) lrint (CLAMP (value, -1.0, 1.0) * G_MAXINT16);
    }
}
