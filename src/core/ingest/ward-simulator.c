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
        _ward_sim_produce_vitals (bed, event->at, payload);
      else if (stream == STREAM_NIBP)
        _ward_sim_produce_nibp (bed, event->at, payload);
      else
        _ward_sim_produce_temperature (bed, event->at, payload);

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
