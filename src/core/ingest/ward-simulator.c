/* ward-simulator.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-simulator"

#include "config.h"

#include "ward-simulator-private.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

/* The simulator is a set of independent beds.  Each bed owns its GRand
 * (seeded from the ward seed and the bed index) and produces its events
 * strictly one at a time in its own time order, drawing random numbers
 * only while producing an event.  A bed's event sequence therefore does
 * not depend on the other beds nor on how advance() is stepped, and the
 * ward merges the beds with a binary heap keyed on (time, bed index).
 */

struct _WardSimulator
{
  GObject      parent_instance;

  GHashTable  *scenarios;      /* id → Scenario */
  Bed         *beds;
  guint        n_beds;
  guint       *heap;
  guint        heap_len;
  gint64       start;
  gint64       time;
  char         payload[PAYLOAD_SIZE];
};

G_DEFINE_FINAL_TYPE (WardSimulator, ward_simulator, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-simulator-error-quark, ward_simulator_error)

static const char * const default_ward_plan[] = {
  "stable", "sepsis", "stable", "type2-respiratory-failure",
  "stable", "recovery", "stable", "device-disconnect",
  NULL
};

/* Coprime list lengths give every bed of a ward of up to 24 × 25 beds a
 * different name.
 */
static const char * const first_names[] = {
  "Amara", "Wei", "Fatima", "Oliver", "Priya", "Kwame", "Sofia", "Hiroshi",
  "Aisha", "Mateo", "Ingrid", "Tariq", "Mei", "Daniel", "Zainab", "Lukas",
  "Ananya", "Joseph", "Leila", "Kofi", "Elena", "Ravi", "Grace", "Yusuf",
};

static const char * const last_names[] = {
  "Okafor", "Chen", "Khan", "Williams", "Patel", "Boateng", "García", "Tanaka",
  "Hussein", "Novak", "Nielsen", "Rahman", "Wong", "Murphy", "Abubakar",
  "Schmidt", "Sharma", "O'Connor", "Haddad", "Asante", "Rossi", "Iyer",
  "Campbell", "Demir", "Kowalski",
};

/* One nurse looks after four beds. */
static const char * const nurse_names[] = {
  "Nurse A. Mensah", "Nurse T. Lindqvist", "Nurse R. Fernandes",
  "Nurse K. Adeyemi", "Nurse M. Byrne", "Nurse S. Takahashi",
};

G_STATIC_ASSERT (G_N_ELEMENTS (first_names) == 24);
G_STATIC_ASSERT (G_N_ELEMENTS (last_names) == 25);

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

/* Beds */

static gboolean
in_gap (const Bed *bed,
        gint64     offset,
        gint64    *gap_end)
{
  const GArray *gaps = bed->scenario->gaps;

  for (guint i = 0; i < gaps->len; i++)
    {
      const Gap *gap = &g_array_index (gaps, Gap, i);

      if (offset >= gap->start && offset < gap->end)
        {
          *gap_end = gap->end;
          return TRUE;
        }
    }

  return FALSE;
}

/* Moves a device stream to its next slot, skipping slots in which the
 * device is silent.  Slot times are base + k × period, so no drift.
 */
static void
schedule_device_stream (Bed    *bed,
                        Stream  stream)
{
  gint64 period = bed->stream_period[stream];
  gint64 base = bed->stream_base[stream];
  gint64 at = base + (gint64) bed->stream_slot[stream] * period;
  gint64 gap_end;

  while (in_gap (bed, at - bed->start, &gap_end))
    {
      gint64 end = bed->start + gap_end;

      bed->stream_slot[stream] = (guint64) ((end - base + period - 1) / period);
      at = base + (gint64) bed->stream_slot[stream] * period;
    }

  bed->stream_at[stream] = at;
}

static void
schedule_nurse_stream (Bed *bed)
{
  const GArray *actions = bed->scenario->actions;

  if (bed->action_index < actions->len)
    bed->stream_at[STREAM_NURSE] = bed->start
                                   + g_array_index (actions, NurseAction, bed->action_index).at;
  else
    bed->stream_at[STREAM_NURSE] = G_MAXINT64;
}

static void
update_next_at (Bed *bed)
{
  bed->next_at = G_MAXINT64;
  for (guint i = 0; i < N_STREAMS; i++)
    bed->next_at = MIN (bed->next_at, bed->stream_at[i]);
}

static void
bed_init (Bed            *bed,
          guint           index,
          guint64         seed,
          gint64          start,
          const Scenario *scenario)
{
  guint32 seed_array[4] = {
    (guint32) (seed & 0xffffffff), (guint32) (seed >> 32), index, 0x62656473 /* "beds" */
  };
  gint64 phase;

  bed->rand = g_rand_new_with_seed_array (seed_array, G_N_ELEMENTS (seed_array));
  bed->scenario = scenario;
  bed->start = start;
  bed->nurse = nurse_names[(index / 4) % G_N_ELEMENTS (nurse_names)];

  bed->info.bed_id = g_strdup_printf ("bed-%02u", index + 1);
  /* Translators: a simulated bed's name on the demo ward, "Bed 4"; a
   * real ward names its beds in its ward file. */
  bed->info.bed_label = g_strdup_printf (_("Bed %u"), index + 1);
  bed->info.patient_id = g_strdup_printf ("sim-patient-%02u", index + 1);
  bed->info.device_id = g_strdup_printf ("sim-monitor-%02u", index + 1);
  bed->info.scenario_id = g_strdup (scenario->id);
  bed->info.spo2_scale = scenario->spo2_scale;

  bed->message_prefix = g_strdup_printf ("{\"deviceId\":\"%s\",\"messageId\":\"%s-",
                                         bed->info.device_id, bed->info.device_id);
  bed->message_prefix_len = strlen (bed->message_prefix);

  for (guint v = 0; v < N_VITALS; v++)
    {
      double a = exp (-((double) VITALS_PERIOD_USEC / WARD_USEC_PER_SEC) / _ward_sim_vitals[v].tau_sec);

      bed->ar_sd[v] = 0.8 * scenario->noise[v];
      bed->white_sd[v] = 0.6 * scenario->noise[v];
      bed->step_a[v] = a;
      bed->step_b[v] = bed->ar_sd[v] * sqrt (1.0 - a * a);
    }

  /* Stagger the beds: each monitor has its own phase in the 5-second
   * cycle, and the first NIBP and temperature follow within minutes.
   */
  phase = g_rand_int_range (bed->rand, 0, 5000) * (gint64) 1000;

  bed->stream_base[STREAM_VITALS] = start + phase;
  bed->stream_period[STREAM_VITALS] = VITALS_PERIOD_USEC;
  bed->stream_base[STREAM_NIBP] = start + phase
                                  + g_rand_int_range (bed->rand, 0, 30000) * (gint64) 1000;
  bed->stream_period[STREAM_NIBP] = scenario->nibp_interval;
  bed->stream_base[STREAM_TEMP] = start
                                  + g_rand_int_range (bed->rand, 30000, 120000) * (gint64) 1000;
  bed->stream_period[STREAM_TEMP] = scenario->temp_interval;

  schedule_nurse_stream (bed);
  schedule_device_stream (bed, STREAM_VITALS);
  schedule_device_stream (bed, STREAM_NIBP);
  schedule_device_stream (bed, STREAM_TEMP);
  update_next_at (bed);
}

static void
bed_clear (Bed *bed)
{
  g_clear_pointer (&bed->rand, g_rand_free);
  g_clear_pointer (&bed->message_prefix, g_free);
  g_clear_pointer (&bed->info.bed_id, g_free);
  g_clear_pointer (&bed->info.bed_label, g_free);
  g_clear_pointer (&bed->info.patient_id, g_free);
  g_clear_pointer (&bed->info.patient_name, g_free);
  g_clear_pointer (&bed->info.device_id, g_free);
  g_clear_pointer (&bed->info.scenario_id, g_free);
  g_clear_pointer (&bed->info.birth_date, g_free);
}

static int
round_to_int (double value)
{
  return (int) lround (value);
}

static void
produce_vitals (Bed    *bed,
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

static void
produce_nibp (Bed    *bed,
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

static void
produce_temperature (Bed    *bed,
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

/* Produces the bed's next event (the earliest stream, ties in stream
 * order) and schedules the stream's following one.
 */
static void
bed_produce (Bed          *bed,
             char         *payload,
             WardSimEvent *event)
{
  Stream stream = STREAM_NURSE;

  for (guint i = 1; i < N_STREAMS; i++)
    {
      if (bed->stream_at[i] < bed->stream_at[stream])
        stream = (Stream) i;
    }

  g_assert (bed->stream_at[stream] == bed->next_at);

  event->at = bed->next_at;
  event->device_id = bed->info.device_id;
  event->patient_id = bed->info.patient_id;
  event->payload = NULL;
  event->kind = 0;
  event->value = 0;
  event->user = NULL;

  if (stream == STREAM_NURSE)
    {
      const NurseAction *action = &g_array_index (bed->scenario->actions, NurseAction,
                                                  bed->action_index);

      event->type = action->type;
      event->kind = action->kind;
      event->value = action->value;
      event->user = action->user != NULL ? action->user : bed->nurse;

      bed->action_index++;
      schedule_nurse_stream (bed);
    }
  else
    {
      event->type = WARD_SIM_EVENT_DEVICE_MESSAGE;
      event->payload = payload;

      if (stream == STREAM_VITALS)
        produce_vitals (bed, event->at, payload);
      else if (stream == STREAM_NIBP)
        produce_nibp (bed, event->at, payload);
      else
        produce_temperature (bed, event->at, payload);

      bed->stream_slot[stream]++;
      schedule_device_stream (bed, stream);
    }

  update_next_at (bed);
}

/* The merge heap, ordered by (next_at, bed index). */

static inline gboolean
heap_less (WardSimulator *self,
           guint          a,
           guint          b)
{
  const Bed *bed_a = &self->beds[a];
  const Bed *bed_b = &self->beds[b];

  if (bed_a->next_at != bed_b->next_at)
    return bed_a->next_at < bed_b->next_at;

  return a < b;
}

static void
heap_sift_down (WardSimulator *self,
                guint          pos)
{
  guint *heap = self->heap;
  guint n = self->heap_len;

  for (;;)
    {
      guint left = 2 * pos + 1;
      guint right = left + 1;
      guint smallest = pos;
      guint tmp;

      if (left < n && heap_less (self, heap[left], heap[smallest]))
        smallest = left;
      if (right < n && heap_less (self, heap[right], heap[smallest]))
        smallest = right;
      if (smallest == pos)
        return;

      tmp = heap[pos];
      heap[pos] = heap[smallest];
      heap[smallest] = tmp;
      pos = smallest;
    }
}

static void
assign_patient_names (WardSimulator *self,
                      guint64        seed)
{
  guint32 seed_array[3] = { (guint32) (seed & 0xffffffff), (guint32) (seed >> 32), 0x6e616d65 };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seed_array, G_N_ELEMENTS (seed_array));
  guint first[G_N_ELEMENTS (first_names)];
  guint last[G_N_ELEMENTS (last_names)];

  for (guint i = 0; i < G_N_ELEMENTS (first); i++)
    first[i] = i;
  for (guint i = 0; i < G_N_ELEMENTS (last); i++)
    last[i] = i;

  for (guint i = G_N_ELEMENTS (first) - 1; i > 0; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i + 1);
      guint tmp = first[i];

      first[i] = first[j];
      first[j] = tmp;
    }
  for (guint i = G_N_ELEMENTS (last) - 1; i > 0; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i + 1);
      guint tmp = last[i];

      last[i] = last[j];
      last[j] = tmp;
    }

  for (guint i = 0; i < self->n_beds; i++)
    self->beds[i].info.patient_name =
      g_strdup_printf ("%s %s",
                       first_names[first[i % G_N_ELEMENTS (first)]],
                       last_names[last[i % G_N_ELEMENTS (last)]]);
}

/* Demo patients are adults with plausible birth dates: the scenario's
 * age on the UTC day the simulation starts, born 1 to 300 days after a
 * birthday (so the age holds whatever the day), from a stream of the seed
 * of its own: the device messages do not change.
 */
static void
assign_birth_dates (WardSimulator *self,
                    guint64        seed,
                    gint64         start_usec)
{
  guint32 seed_array[3] = { (guint32) (seed & 0xffffffff), (guint32) (seed >> 32), 0x62697274 };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seed_array, G_N_ELEMENTS (seed_array));
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (start_usec / WARD_USEC_PER_SEC);

  for (guint i = 0; i < self->n_beds; i++)
    {
      Bed *bed = &self->beds[i];
      guint days = (guint) g_rand_int_range (rand, 1, 301);
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_dmy (&date, (GDateDay) g_date_time_get_day_of_month (start),
                      (GDateMonth) g_date_time_get_month (start),
                      (GDateYear) g_date_time_get_year (start));
      g_date_subtract_years (&date, bed->scenario->age);
      g_date_subtract_days (&date, days);
      bed->info.birth_date = g_strdup_printf ("%04u-%02u-%02u", (guint) g_date_get_year (&date),
                                              (guint) g_date_get_month (&date),
                                              (guint) g_date_get_day (&date));
    }
}

/* GObject */

static void
ward_simulator_finalize (GObject *object)
{
  WardSimulator *self = (WardSimulator *) object;

  for (guint i = 0; self->beds != NULL && i < self->n_beds; i++)
    bed_clear (&self->beds[i]);
  g_clear_pointer (&self->beds, g_free);
  g_clear_pointer (&self->heap, g_free);
  g_clear_pointer (&self->scenarios, g_hash_table_unref);

  G_OBJECT_CLASS (ward_simulator_parent_class)->finalize (object);
}

static void
ward_simulator_class_init (WardSimulatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_simulator_finalize;
}

static void
ward_simulator_init (WardSimulator *self)
{
  self->scenarios = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) _ward_sim_scenario_free);
}

/* Public API */

WardSimulator *
ward_simulator_new (guint               n_beds,
                    guint64             seed,
                    gint64              start_usec,
                    const char * const *scenario_ids,
                    const char * const *scenario_dirs,
                    GError            **error)
{
  g_autoptr(WardSimulator) self = NULL;
  g_autoptr(GHashTable) sources = NULL;
  const char * const *plan;
  guint n_plan;

  g_return_val_if_fail (n_beds > 0 && n_beds <= 9999, NULL);
  g_return_val_if_fail (scenario_ids == NULL || scenario_ids[0] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  plan = scenario_ids != NULL ? scenario_ids : default_ward_plan;
  n_plan = g_strv_length ((char **) plan);

  sources = _ward_sim_collect_sources (scenario_dirs, error);
  if (sources == NULL)
    return NULL;

  self = g_object_new (WARD_TYPE_SIMULATOR, NULL);
  self->start = start_usec;
  self->time = start_usec;

  for (guint i = 0; i < n_plan; i++)
    {
      const Source *source;
      Scenario *scenario;

      if (g_hash_table_contains (self->scenarios, plan[i]))
        continue;

      source = g_hash_table_lookup (sources, plan[i]);
      if (source == NULL)
        {
          g_set_error (error, WARD_SIMULATOR_ERROR, WARD_SIMULATOR_ERROR_SCENARIO,
                       "Unknown scenario “%s”", plan[i]);
          return NULL;
        }

      scenario = _ward_sim_load_source (plan[i], source, error);
      if (scenario == NULL)
        return NULL;

      g_hash_table_insert (self->scenarios, scenario->id, scenario);
    }

  self->n_beds = n_beds;
  self->beds = g_new0 (Bed, n_beds);
  self->heap = g_new (guint, n_beds);

  for (guint i = 0; i < n_beds; i++)
    {
      const Scenario *scenario = g_hash_table_lookup (self->scenarios, plan[i % n_plan]);

      bed_init (&self->beds[i], i, seed, start_usec, scenario);
    }

  assign_patient_names (self, seed);
  assign_birth_dates (self, seed, start_usec);

  /* The beds are in index order and all start at the same instant, but
   * their phases differ: heapify.
   */
  self->heap_len = n_beds;
  for (guint i = 0; i < n_beds; i++)
    self->heap[i] = i;
  for (guint i = n_beds / 2; i-- > 0;)
    heap_sift_down (self, i);

  return g_steal_pointer (&self);
}

guint
ward_simulator_get_n_beds (WardSimulator *self)
{
  g_return_val_if_fail (WARD_IS_SIMULATOR (self), 0);

  return self->n_beds;
}

const WardSimBed *
ward_simulator_get_bed (WardSimulator *self,
                        guint          index)
{
  g_return_val_if_fail (WARD_IS_SIMULATOR (self), NULL);
  g_return_val_if_fail (index < self->n_beds, NULL);

  return &self->beds[index].info;
}

gint64
ward_simulator_get_time (WardSimulator *self)
{
  g_return_val_if_fail (WARD_IS_SIMULATOR (self), 0);

  return self->time;
}

const char *
ward_simulator_get_scenario_name (WardSimulator *self,
                                  guint          index)
{
  g_return_val_if_fail (WARD_IS_SIMULATOR (self), NULL);
  g_return_val_if_fail (index < self->n_beds, NULL);

  return self->beds[index].scenario->name;
}

guint
ward_simulator_get_patient_age (WardSimulator *self,
                                guint          index)
{
  g_return_val_if_fail (WARD_IS_SIMULATOR (self), 0);
  g_return_val_if_fail (index < self->n_beds, 0);

  return self->beds[index].scenario->age;
}

void
ward_simulator_advance (WardSimulator   *self,
                        gint64           until_usec,
                        WardSimEmitFunc  emit,
                        gpointer         user_data)
{
  g_return_if_fail (WARD_IS_SIMULATOR (self));
  g_return_if_fail (emit != NULL);

  while (self->beds[self->heap[0]].next_at <= until_usec)
    {
      guint index = self->heap[0];
      WardSimEvent event;

      bed_produce (&self->beds[index], self->payload, &event);
      event.bed_index = index;
      heap_sift_down (self, 0);

      emit (&event, user_data);
    }

  self->time = MAX (self->time, until_usec);
}
