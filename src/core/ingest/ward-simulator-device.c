/* ward-simulator-device.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-simulator"

#include "config.h"

#include "ward-simulator-private.h"

#include <math.h>
#include <string.h>

/* What a bed's monitor measures and sends: each vital sampled from the
 * scenario's curve with slow variation and noise, the artifacts a real
 * monitor shows (motion, probe off, spikes, cut-short messages), and the
 * JSON text of its messages.
 */

/* Physiology */

static double
next_gaussian (Bed *bed)
{
  double u, v, r;

  if (bed->have_gauss)
    {
      bed->have_gauss = FALSE;
      return bed->gauss;
    }

  /* Marsaglia's polar method: two normal deviates per accepted pair. */
  do
    {
      u = 2.0 * g_rand_double (bed->rand) - 1.0;
      v = 2.0 * g_rand_double (bed->rand) - 1.0;
      r = u * u + v * v;
    }
  while (r >= 1.0 || r == 0.0);

  r = sqrt (-2.0 * log (r) / r);
  bed->gauss = v * r;
  bed->have_gauss = TRUE;

  return u * r;
}

static double
uniform (Bed    *bed,
         double  low,
         double  high)
{
  return g_rand_double_range (bed->rand, low, high);
}

/* Piecewise linear between keyframes, holding the first and last values.
 * Each vital is only ever sampled forwards in time, so a cursor makes the
 * lookup O(1).
 */
static double
keyframe_value (Bed    *bed,
                Vital   vital,
                gint64  offset)
{
  const GArray *keyframes = bed->scenario->keyframes[vital];
  const Keyframe *k = (const Keyframe *) (gpointer) keyframes->data;
  guint i = bed->cursor[vital];

  while (i + 1 < keyframes->len && k[i + 1].at <= offset)
    i++;
  bed->cursor[vital] = i;

  if (offset <= k[i].at || i + 1 == keyframes->len)
    return k[i].value;

  return k[i].value + (k[i + 1].value - k[i].value)
                      * (double) (offset - k[i].at) / (double) (k[i + 1].at - k[i].at);
}

/* The noise amplitude is the total standard deviation around the curve:
 * 80 % slow variation (an AR(1) process, exact for any sampling step)
 * and 60 % measurement noise (sqrt (0.8² + 0.6²) = 1).
 */
static double
sample_vital (Bed    *bed,
              Vital   vital,
              gint64  at)
{
  double value;

  if (!bed->ar_started[vital])
    {
      bed->ar[vital] = bed->ar_sd[vital] * next_gaussian (bed);
      bed->ar_started[vital] = TRUE;
    }
  else if (at - bed->ar_at[vital] == VITALS_PERIOD_USEC)
    {
      bed->ar[vital] = bed->step_a[vital] * bed->ar[vital]
                       + bed->step_b[vital] * next_gaussian (bed);
    }
  else
    {
      double dt = (double) (at - bed->ar_at[vital]) / WARD_USEC_PER_SEC;
      double a = exp (-dt / _ward_sim_vitals[vital].tau_sec);

      bed->ar[vital] = a * bed->ar[vital]
                       + bed->ar_sd[vital] * sqrt (1.0 - a * a) * next_gaussian (bed);
    }
  bed->ar_at[vital] = at;

  value = keyframe_value (bed, vital, at - bed->start)
          + bed->ar[vital]
          + bed->white_sd[vital] * next_gaussian (bed);

  return CLAMP (value, _ward_sim_vitals[vital].min, _ward_sim_vitals[vital].max);
}

/* Payloads are built by hand: formatting a message is the hot path of the
 * benchmark, and printf-style formatting would also follow the locale.
 */

static inline char *
put_string (char       *p,
            const char *s,
            gsize       len)
{
  memcpy (p, s, len);
  return p + len;
}

#define PUT_LITERAL(p, s) put_string ((p), (s), sizeof (s) - 1)

static char *
put_uint (char    *p,
          guint64  value,
          guint    min_digits)
{
  char digits[24];
  guint n = 0;

  do
    {
      digits[n++] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);

  while (n < min_digits)
    digits[n++] = '0';

  while (n > 0)
    *p++ = digits[--n];

  return p;
}

static char *
put_int (char *p,
         int   value)
{
  if (value < 0)
    {
      *p++ = '-';
      return put_uint (p, (guint64) -(gint64) value, 1);
    }

  return put_uint (p, (guint64) value, 1);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant). */
static void
civil_from_days (gint64  days,
                 int    *year,
                 int    *month,
                 int    *day)
{
  gint64 era, doe, yoe, doy, mp, y;

  days += 719468;
  era = (days >= 0 ? days : days - 146096) / 146097;
  doe = days - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = (int) (y + (*month <= 2));
}

/* Same output as ward_time_format_iso8601(), without a GDateTime. */
static char *
put_iso8601 (char   *p,
             gint64  usec)
{
  gint64 secs = usec / WARD_USEC_PER_SEC;
  gint64 rem = usec % WARD_USEC_PER_SEC;
  gint64 days, sod;
  int year, month, day;

  if (rem < 0)
    {
      rem += WARD_USEC_PER_SEC;
      secs--;
    }

  days = secs / 86400;
  sod = secs % 86400;
  if (sod < 0)
    {
      sod += 86400;
      days--;
    }

  civil_from_days (days, &year, &month, &day);

  p = put_uint (p, (guint64) MAX (year, 0), 4);
  *p++ = '-';
  p = put_uint (p, (guint64) month, 2);
  *p++ = '-';
  p = put_uint (p, (guint64) day, 2);
  *p++ = 'T';
  p = put_uint (p, (guint64) (sod / 3600), 2);
  *p++ = ':';
  p = put_uint (p, (guint64) (sod / 60 % 60), 2);
  *p++ = ':';
  p = put_uint (p, (guint64) (sod % 60), 2);
  *p++ = '.';
  p = put_uint (p, (guint64) (rem / 1000), 3);
  *p++ = 'Z';

  return p;
}

static char *
put_header (Bed        *bed,
            char       *p,
            const char *kind_member,
            gsize       kind_len,
            gint64      at)
{
  bed->message_count++;
  p = put_string (p, bed->message_prefix, bed->message_prefix_len);
  p = put_uint (p, bed->message_count, 6);
  p = put_string (p, kind_member, kind_len);
  p = put_iso8601 (p, at);
  return PUT_LITERAL (p, "\"");
}

#define PUT_HEADER(bed, p, kind, at) \
  put_header ((bed), (p), "\",\"kind\":\"" kind "\",\"measuredAt\":\"", \
              sizeof ("\",\"kind\":\"" kind "\",\"measuredAt\":\"") - 1, (at))

/* The messages */

static int
round_to_int (double value)
{
  return (int) lround (value);
}

void
_ward_sim_produce_vitals (Bed    *bed,
                          gint64  at,
                          char   *payload)
{
  const double *rate = bed->scenario->artifact_rate;
  gboolean corrupt = FALSE;
  gboolean probe_off;
  double hr, rr, spo2;
  char *p;

  hr = sample_vital (bed, VITAL_HR, at);
  rr = sample_vital (bed, VITAL_RR, at);
  spo2 = sample_vital (bed, VITAL_SPO2, at);

  /* At most one artifact starts per message, and none while one runs. */
  if (bed->motion_left == 0 && bed->probe_off_left == 0)
    {
      double u = g_rand_double (bed->rand) * MESSAGES_PER_HOUR;

      if (u < rate[ARTIFACT_MOTION])
        {
          bed->motion_left = (guint) g_rand_int_range (bed->rand, 1, 4);
          bed->motion_hr = uniform (bed, 15, 35);
          bed->motion_spo2 = uniform (bed, 3, 10);
        }
      else if ((u -= rate[ARTIFACT_MOTION]) < rate[ARTIFACT_PROBE_OFF])
        {
          bed->probe_off_left = (guint) g_rand_int_range (bed->rand, 6, 37);
        }
      else if ((u -= rate[ARTIFACT_PROBE_OFF]) < rate[ARTIFACT_SPIKE])
        {
          switch (g_rand_int_range (bed->rand, 0, 3))
            {
            case 0:
              hr += uniform (bed, 35, 60);
              break;
            case 1:
              rr += uniform (bed, 12, 25);
              break;
            default:
              spo2 -= uniform (bed, 10, 20);
              break;
            }
        }
      else if ((u -= rate[ARTIFACT_SPIKE]) < rate[ARTIFACT_CORRUPT])
        {
          corrupt = TRUE;
        }
    }

  if (bed->motion_left > 0)
    {
      bed->motion_left--;
      hr += bed->motion_hr;
      spo2 -= bed->motion_spo2;
    }

  probe_off = bed->probe_off_left > 0;
  if (probe_off)
    bed->probe_off_left--;

  p = PUT_HEADER (bed, payload, "vitals", at);
  p = PUT_LITERAL (p, ",\"heartRate\":");
  p = put_int (p, round_to_int (CLAMP (hr, _ward_sim_vitals[VITAL_HR].min, _ward_sim_vitals[VITAL_HR].max)));
  p = PUT_LITERAL (p, ",\"respiratoryRate\":");
  p = put_int (p, round_to_int (CLAMP (rr, _ward_sim_vitals[VITAL_RR].min, _ward_sim_vitals[VITAL_RR].max)));
  if (probe_off)
    {
      p = PUT_LITERAL (p, ",\"status\":\"probe-off\"");
    }
  else
    {
      p = PUT_LITERAL (p, ",\"spo2\":");
      p = put_int (p, round_to_int (CLAMP (spo2, _ward_sim_vitals[VITAL_SPO2].min, 100.0)));
    }
  p = PUT_LITERAL (p, "}");
  *p = '\0';

  /* A transmission error: the message is cut short, never valid JSON
   * because at least the closing brace is lost.
   */
  if (corrupt)
    {
      gsize len = (gsize) (p - payload);

      payload[g_rand_int_range (bed->rand, (gint32) (len / 3), (gint32) len - 1)] = '\0';
    }
}

void
_ward_sim_produce_nibp (Bed    *bed,
                        gint64  at,
                        char   *payload)
{
  double sbp = sample_vital (bed, VITAL_SBP, at);
  double dbp = sample_vital (bed, VITAL_DBP, at);
  int systolic, diastolic;
  char *p;

  systolic = round_to_int (sbp);
  diastolic = MIN (round_to_int (dbp), systolic - 15);

  p = PUT_HEADER (bed, payload, "nibp", at);
  p = PUT_LITERAL (p, ",\"systolic\":");
  p = put_int (p, systolic);
  p = PUT_LITERAL (p, ",\"diastolic\":");
  p = put_int (p, diastolic);
  p = PUT_LITERAL (p, ",\"mean\":");
  p = put_int (p, round_to_int ((systolic + 2.0 * diastolic) / 3.0));
  p = PUT_LITERAL (p, "}");
  *p = '\0';
}

void
_ward_sim_produce_temperature (Bed    *bed,
                               gint64  at,
                               char   *payload)
{
  int tenths = round_to_int (sample_vital (bed, VITAL_TEMP, at) * 10);
  char *p;

  p = PUT_HEADER (bed, payload, "temperature", at);
  p = PUT_LITERAL (p, ",\"temperature\":");
  p = put_int (p, tenths / 10);
  *p++ = '.';
  p = put_uint (p, (guint64) (tenths % 10), 1);
  p = PUT_LITERAL (p, "}");
  *p = '\0';
}
