/* test-alarm-tone.c: the alarm sounds against IEC 60601-1-8, no audio.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-alarm-tone"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ward-alarm-tone.h"

#define RATE 48000

typedef struct
{
  guint  n;
  gint64 start[16];  /* usec: where the envelope first reaches half */
  gint64 end[16];    /* usec: where it falls below half again */
} Pulses;

/* The pulses of one cycle, read from the envelope every 0.1 ms. */
static void
find_pulses (const WardAlarmTone *tone,
             Pulses              *pulses)
{
  gint64 cycle = (gint64) ward_alarm_tone_get_cycle_ms (tone) * 1000;
  gboolean on = FALSE;

  memset (pulses, 0, sizeof *pulses);
  for (gint64 t = 0; t < cycle; t += 100)
    {
      gboolean now_on = ward_alarm_tone_envelope (tone, t) >= 0.5;

      if (now_on && !on)
        {
          g_assert_cmpuint (pulses->n, <, G_N_ELEMENTS (pulses->start));
          pulses->start[pulses->n] = t;
        }
      else if (!now_on && on)
        pulses->end[pulses->n++] = t;
      on = now_on;
    }
  g_assert_false (on);
}

static gint64
pulse_ms (const Pulses *p,
          guint         i)
{
  return (p->end[i] - p->start[i] + 500) / 1000;
}

static gint64
spacing_ms (const Pulses *p,
            guint         i)
{
  return (p->start[i + 1] - p->end[i] + 500) / 1000;
}

/* Pulse counts, durations and spacings in the ranges of IEC 60601-1-8
 * Table 3 and 4, measured from the envelope (at half amplitude), not
 * taken from the table of figures.
 */
static void
test_tone_patterns (void)
{
  Pulses p;
  const WardAlarmTone *high = ward_alarm_tone_get (WARD_ALARM_PRIORITY_HIGH);
  const WardAlarmTone *medium = ward_alarm_tone_get (WARD_ALARM_PRIORITY_MEDIUM);
  const WardAlarmTone *low = ward_alarm_tone_get (WARD_ALARM_PRIORITY_LOW);
  gint64 x;

  /* High: 10 pulses, 3 + 2, a pause, 3 + 2. */
  find_pulses (high, &p);
  g_assert_cmpuint (p.n, ==, 10);
  for (guint i = 0; i < p.n; i++)
    {
      g_assert_cmpint (pulse_ms (&p, i), >=, 75);
      g_assert_cmpint (pulse_ms (&p, i), <=, 200);
    }
  x = spacing_ms (&p, 0);
  g_assert_cmpint (x, >=, 50);
  g_assert_cmpint (x, <=, 125);
  for (guint i = 0; i < p.n - 1; i++)
    {
      if (i == 2 || i == 7)
        /* Between the 3rd and 4th pulse: 2x + td, a missing pulse. */
        g_assert_cmpint (ABS (spacing_ms (&p, i) - (2 * x + pulse_ms (&p, i))), <=, 1);
      else if (i == 4)
        {
          /* Between the 5th and 6th: 0.35 to 1.30 s. */
          g_assert_cmpint (spacing_ms (&p, i), >=, 350);
          g_assert_cmpint (spacing_ms (&p, i), <=, 1300);
        }
      else
        g_assert_cmpint (ABS (spacing_ms (&p, i) - x), <=, 1);
    }
  g_assert_cmpuint (high->interval_ms, >=, 2500);
  g_assert_cmpuint (high->interval_ms, <=, 15000);

  /* Medium: 3 pulses, td and spacing 125-250 ms, 2.5-30 s between bursts. */
  find_pulses (medium, &p);
  g_assert_cmpuint (p.n, ==, 3);
  for (guint i = 0; i < p.n; i++)
    {
      g_assert_cmpint (pulse_ms (&p, i), >=, 125);
      g_assert_cmpint (pulse_ms (&p, i), <=, 250);
      if (i + 1 < p.n)
        {
          g_assert_cmpint (spacing_ms (&p, i), >=, 125);
          g_assert_cmpint (spacing_ms (&p, i), <=, 250);
        }
    }
  g_assert_cmpuint (medium->interval_ms, >=, 2500);
  g_assert_cmpuint (medium->interval_ms, <=, 30000);

  /* Low: 1 or 2 pulses, more than 15 s between bursts. */
  find_pulses (low, &p);
  g_assert_cmpuint (p.n, >=, 1);
  g_assert_cmpuint (p.n, <=, 2);
  for (guint i = 0; i < p.n; i++)
    {
      g_assert_cmpint (pulse_ms (&p, i), >=, 125);
      g_assert_cmpint (pulse_ms (&p, i), <=, 250);
    }
  g_assert_cmpuint (low->interval_ms, >, 15000);

  /* Told apart by rhythm, and by how often they come back. */
  g_assert_cmpuint (ward_alarm_tone_get_cycle_ms (high), <, ward_alarm_tone_get_cycle_ms (medium));
  g_assert_cmpuint (ward_alarm_tone_get_cycle_ms (medium), <, ward_alarm_tone_get_cycle_ms (low));
}

/* Rise and fall 10-20 % of td; f0 150-1000 Hz with at least four
 * components between 300 and 4000 Hz; pitch falls with priority.
 */
static void
test_tone_spectrum_limits (void)
{
  for (WardAlarmPriority priority = WARD_ALARM_PRIORITY_LOW;
       priority <= WARD_ALARM_PRIORITY_HIGH; priority++)
    {
      const WardAlarmTone *tone = ward_alarm_tone_get (priority);
      guint in_band = 0;

      g_assert_cmpint (tone->priority, ==, priority);
      g_assert_cmpfloat (tone->ramp_ms, >=, 0.1 * tone->pulse_ms);
      g_assert_cmpfloat (tone->ramp_ms, <=, 0.2 * tone->pulse_ms);
      g_assert_cmpfloat (tone->frequency, >=, 150.0);
      g_assert_cmpfloat (tone->frequency, <=, 1000.0);
      for (guint h = 0; h < WARD_ALARM_TONE_N_HARMONICS; h++)
        {
          double f = tone->frequency * (h + 1);

          if (tone->harmonics[h] > 0.0 && f >= 300.0 && f <= 4000.0)
            in_band++;
          g_assert_cmpfloat (tone->harmonics[h], >, 0.0);
        }
      g_assert_cmpuint (in_band, >=, 4);
    }

  g_assert_cmpfloat (ward_alarm_tone_get (WARD_ALARM_PRIORITY_HIGH)->frequency, >,
                     ward_alarm_tone_get (WARD_ALARM_PRIORITY_MEDIUM)->frequency);
  g_assert_cmpfloat (ward_alarm_tone_get (WARD_ALARM_PRIORITY_MEDIUM)->frequency, >,
                     ward_alarm_tone_get (WARD_ALARM_PRIORITY_LOW)->frequency);
}

/* The power of one frequency in a stretch of samples (Goertzel). */
static double
goertzel (const gint16 *samples,
          gsize         n,
          double        frequency)
{
  double coeff = 2.0 * cos (2.0 * G_PI * frequency / RATE);
  double s1 = 0.0, s2 = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double s = samples[i] / 32768.0 + coeff * s1 - s2;

      s2 = s1;
      s1 = s;
    }

  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/* The samples: silent between pulses, loud inside, never clipped, at
 * the tone's own pitch, and the same when rendered in chunks as at once
 * (the player asks for 100 ms at a time), repeating after a cycle.
 */
static void
test_tone_render (void)
{
  for (WardAlarmPriority priority = WARD_ALARM_PRIORITY_LOW;
       priority <= WARD_ALARM_PRIORITY_HIGH; priority++)
    {
      const WardAlarmTone *tone = ward_alarm_tone_get (priority);
      gsize cycle = (gsize) ward_alarm_tone_get_cycle_ms (tone) * RATE / 1000;
      g_autofree gint16 *whole = g_new (gint16, cycle);
      g_autofree gint16 *chunks = g_new (gint16, cycle);
      g_autofree gint16 *again = g_new (gint16, RATE);
      /* The middle 50 ms of the first pulse. */
      gsize mid = (gsize) (tone->onsets_ms[0] + tone->pulse_ms / 2) * RATE / 1000;
      gsize window = RATE / 20;
      gsize silent = (gsize) (ward_alarm_tone_get_burst_ms (tone) + 100) * RATE / 1000;
      gint peak = 0;
      double own, other;
      const WardAlarmTone *neighbour =
        ward_alarm_tone_get (priority == WARD_ALARM_PRIORITY_HIGH ? WARD_ALARM_PRIORITY_LOW
                                                                  : priority + 1);

      ward_alarm_tone_render (tone, RATE, 0, whole, cycle);
      for (gsize i = 0; i < cycle; i += 4800)
        ward_alarm_tone_render (tone, RATE, i, chunks + i, MIN (4800, cycle - i));
      g_assert_cmpmem (whole, cycle * sizeof (gint16), chunks, cycle * sizeof (gint16));

      ward_alarm_tone_render (tone, RATE, cycle, again, RATE);
      g_assert_cmpmem (whole, RATE * sizeof (gint16), again, RATE * sizeof (gint16));

      for (gsize i = 0; i < cycle; i++)
        peak = MAX (peak, ABS ((gint) whole[i]));
      g_assert_cmpint (peak, >, G_MAXINT16 / 2);
      g_assert_cmpint (peak, <, G_MAXINT16);

      for (gsize i = silent; i < cycle; i++)
        g_assert_cmpint (whole[i], ==, 0);

      own = goertzel (whole + mid - window / 2, window, tone->frequency);
      other = goertzel (whole + mid - window / 2, window, neighbour->frequency);
      g_assert_cmpfloat (own, >, 100.0 * other);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/alarm-tone/patterns", test_tone_patterns);
  g_test_add_func ("/ui/alarm-tone/spectrum-limits", test_tone_spectrum_limits);
  g_test_add_func ("/ui/alarm-tone/render", test_tone_render);

  return g_test_run ();
}
