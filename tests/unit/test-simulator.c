/* test-simulator.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-simulator"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "ward-simulator.h"

static const char * const builtin_ids[] = {
  "device-disconnect", "recovery", "sepsis", "stable", "type2-respiratory-failure", NULL
};

/* 2026-11-22T10:00:00Z */
static gint64
start_time (void)
{
  gint64 usec = 0;

  g_assert_true (ward_time_parse_iso8601 ("2026-11-22T10:00:00.000Z", &usec));
  return usec;
}

/* A copy of an event, so it outlives the emit callback. */
typedef struct
{
  WardSimEventType  type;
  gint64            at;
  guint             bed_index;
  char             *device_id;
  char             *patient_id;
  char             *payload;
  WardMeasKind      kind;
  double            value;
  char             *user;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->device_id);
  g_free (event->patient_id);
  g_free (event->payload);
  g_free (event->user);
  g_free (event);
}

static void
collect_cb (const WardSimEvent *sim_event,
            gpointer            user_data)
{
  GPtrArray *events = user_data;
  Event *event = g_new0 (Event, 1);

  event->type = sim_event->type;
  event->at = sim_event->at;
  event->bed_index = sim_event->bed_index;
  event->device_id = g_strdup (sim_event->device_id);
  event->patient_id = g_strdup (sim_event->patient_id);
  event->payload = g_strdup (sim_event->payload);
  event->kind = sim_event->kind;
  event->value = sim_event->value;
  event->user = g_strdup (sim_event->user);
  g_ptr_array_add (events, event);
}

static GPtrArray *
run (WardSimulator *sim,
     gint64         until)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (event_free);

  ward_simulator_advance (sim, until, collect_cb, events);
  return events;
}

static WardSimulator *
new_simulator (guint               n_beds,
               guint64             seed,
               const char * const *ids,
               const char * const *dirs)
{
  g_autoptr(GError) error = NULL;
  WardSimulator *sim;

  sim = ward_simulator_new (n_beds, seed, start_time (), ids, dirs, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sim);

  return sim;
}

/* Serialises every field of an event, for byte-wise comparison. */
static char *
event_to_string (const Event *event)
{
  return g_strdup_printf ("%d|%" G_GINT64_FORMAT "|%u|%s|%s|%d|%.17g|%s|%s",
                          event->type, event->at, event->bed_index,
                          event->device_id, event->patient_id, event->kind, event->value,
                          event->user ? event->user : "-",
                          event->payload ? event->payload : "-");
}

static char *
events_to_string (GPtrArray *events)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *line = event_to_string (g_ptr_array_index (events, i));

      g_string_append (str, line);
      g_string_append_c (str, '\n');
    }

  return g_string_free (str, FALSE);
}

static GPtrArray *
run_in_steps (guint64 seed,
              guint   n_beds,
              gint64  duration,
              guint32 step_seed)
{
  g_autoptr(WardSimulator) sim = new_simulator (n_beds, seed, NULL, NULL);
  g_autoptr(GRand) steps = g_rand_new_with_seed (step_seed);
  GPtrArray *events = g_ptr_array_new_with_free_func (event_free);
  gint64 start = start_time ();
  gint64 t = start;

  while (t < start + duration)
    {
      /* Uneven steps: from a microsecond to seven minutes, sometimes
       * repeating the same instant.
       */
      switch (g_rand_int_range (steps, 0, 4))
        {
        case 0:
          break;
        case 1:
          t += g_rand_int_range (steps, 1, 1000);
          break;
        case 2:
          t += g_rand_int_range (steps, 1, 10 * 1000 * 1000);
          break;
        default:
          t += g_rand_int_range (steps, 1, 7 * 60) * WARD_USEC_PER_SEC;
          break;
        }

      t = MIN (t, start + duration);
      ward_simulator_advance (sim, t, collect_cb, events);
      g_assert_cmpint (ward_simulator_get_time (sim), ==, t);
    }

  return events;
}

static void
test_determinism (void)
{
  gint64 duration = 3 * WARD_USEC_PER_HOUR;
  g_autoptr(WardSimulator) sim = new_simulator (16, 42, NULL, NULL);
  g_autoptr(GPtrArray) one_step = run (sim, start_time () + duration);
  g_autoptr(GPtrArray) steps_a = run_in_steps (42, 16, duration, 1);
  g_autoptr(GPtrArray) steps_b = run_in_steps (42, 16, duration, 2);
  g_autoptr(GPtrArray) other_seed = run_in_steps (43, 16, duration, 1);
  g_autofree char *text_one = events_to_string (one_step);
  g_autofree char *text_a = events_to_string (steps_a);
  g_autofree char *text_b = events_to_string (steps_b);
  g_autofree char *text_other = events_to_string (other_seed);

  /* 16 beds × 3 h × 720 vitals per hour, plus NIBP, temperatures, nurses. */
  g_assert_cmpuint (one_step->len, >, 16 * 3 * 700);
  g_assert_cmpstr (text_one, ==, text_a);
  g_assert_cmpstr (text_one, ==, text_b);
  g_assert_cmpstr (text_one, !=, text_other);
}

/* A bed's events do not depend on how many other beds the ward has. */
static void
test_bed_independence (void)
{
  gint64 until = start_time () + WARD_USEC_PER_HOUR;
  g_autoptr(WardSimulator) small = new_simulator (4, 7, NULL, NULL);
  g_autoptr(WardSimulator) large = new_simulator (24, 7, NULL, NULL);
  g_autoptr(GPtrArray) small_events = run (small, until);
  g_autoptr(GPtrArray) large_events = run (large, until);
  g_autoptr(GString) small_bed = g_string_new (NULL);
  g_autoptr(GString) large_bed = g_string_new (NULL);

  for (guint i = 0; i < small_events->len; i++)
    {
      const Event *event = g_ptr_array_index (small_events, i);
      g_autofree char *line = event_to_string (event);

      if (event->bed_index == 3)
        g_string_append_printf (small_bed, "%s\n", line);
    }

  for (guint i = 0; i < large_events->len; i++)
    {
      const Event *event = g_ptr_array_index (large_events, i);
      g_autofree char *line = event_to_string (event);

      if (event->bed_index == 3)
        g_string_append_printf (large_bed, "%s\n", line);
    }

  g_assert_cmpuint (small_bed->len, >, 0);
  g_assert_cmpstr (small_bed->str, ==, large_bed->str);
}

static void
test_time_order (void)
{
  g_autoptr(WardSimulator) sim = new_simulator (32, 5, NULL, NULL);
  g_autoptr(GPtrArray) events = NULL;
  gint64 start = start_time ();
  gint64 until = start + 2 * WARD_USEC_PER_HOUR;
  gint64 previous = start;
  g_autoptr(GHashTable) instants = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint n_device = 0;

  g_assert_cmpint (ward_simulator_get_time (sim), ==, start);

  events = run (sim, until);
  g_assert_cmpuint (events->len, >, 0);

  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);

      g_assert_cmpint (event->at, >=, previous);
      g_assert_cmpint (event->at, <=, until);
      g_assert_cmpuint (event->bed_index, <, 32);
      previous = event->at;

      if (event->type == WARD_SIM_EVENT_DEVICE_MESSAGE)
        {
          g_hash_table_add (instants, &event->at);
          n_device++;
        }
    }

  /* The beds' 5-second phases are staggered, not all at one instant. */
  g_assert_cmpuint (g_hash_table_size (instants), >, n_device / 4);

  /* Nothing is emitted twice, and nothing before the current time. */
  g_clear_pointer (&events, g_ptr_array_unref);
  events = run (sim, until);
  g_assert_cmpuint (events->len, ==, 0);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = run (sim, until - WARD_USEC_PER_MINUTE);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_cmpint (ward_simulator_get_time (sim), ==, until);
}

static void
test_beds (void)
{
  g_autoptr(WardSimulator) sim = new_simulator (16, 99, NULL, NULL);
  g_autoptr(WardSimulator) same = new_simulator (16, 99, NULL, NULL);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  static const char * const plan[] = {
    "stable", "sepsis", "stable", "type2-respiratory-failure",
    "stable", "recovery", "stable", "device-disconnect",
  };

  g_assert_cmpuint (ward_simulator_get_n_beds (sim), ==, 16);

  for (guint i = 0; i < 16; i++)
    {
      const WardSimBed *bed = ward_simulator_get_bed (sim, i);
      g_autofree char *bed_id = g_strdup_printf ("bed-%02u", i + 1);
      g_autofree char *label = g_strdup_printf ("Bed %u", i + 1);
      g_autofree char *patient_id = g_strdup_printf ("sim-patient-%02u", i + 1);
      g_autofree char *device_id = g_strdup_printf ("sim-monitor-%02u", i + 1);

      g_assert_cmpstr (bed->bed_id, ==, bed_id);
      g_assert_cmpstr (bed->bed_label, ==, label);
      g_assert_cmpstr (bed->patient_id, ==, patient_id);
      g_assert_cmpstr (bed->device_id, ==, device_id);
      g_assert_cmpstr (bed->scenario_id, ==, plan[i % G_N_ELEMENTS (plan)]);
      g_assert_cmpint (bed->spo2_scale, ==,
                       g_str_equal (bed->scenario_id, "type2-respiratory-failure") ? 2 : 1);
      g_assert_nonnull (strchr (bed->patient_name, ' '));
      g_assert_cmpstr (bed->patient_name, ==, ward_simulator_get_bed (same, i)->patient_name);
      g_assert_false (g_hash_table_contains (names, bed->patient_name));
      g_hash_table_add (names, bed->patient_name);
      g_assert_nonnull (ward_simulator_get_scenario_name (sim, i));
      g_assert_cmpuint (ward_simulator_get_patient_age (sim, i), >=, 16);
      /* A birth date that gives the scenario's age at the start, the
       * same for the same seed.
       */
      g_assert_true (ward_birth_date_is_valid (bed->birth_date));
      g_assert_cmpuint (strlen (bed->birth_date), ==, 10);
      g_assert_cmpint (ward_age_in_years (bed->birth_date, start_time ()), ==,
                       (int) ward_simulator_get_patient_age (sim, i));
      g_assert_cmpstr (bed->birth_date, ==, ward_simulator_get_bed (same, i)->birth_date);
    }
}

typedef struct
{
  guint n_vitals;
  guint n_corrupt;
  guint n_probe_off;
  guint n_nibp;
  guint n_temperature;
} Counts;

/* Checks one payload against the device message format; returns FALSE for
 * a deliberately corrupt one (not JSON, a truncated vitals message).
 */
static gboolean
check_payload (const Event *event,
               guint64      expected_message,
               Counts      *counts)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *expected_id = g_strdup_printf ("%s-%06" G_GUINT64_FORMAT,
                                                  event->device_id, expected_message);
  g_autofree char *prefix = g_strdup_printf ("{\"deviceId\":\"%s\",\"messageId\":\"",
                                             event->device_id);
  const char *kind;
  JsonObject *object;
  gint64 measured_at = 0;

  if (!json_parser_load_from_data (parser, event->payload, -1, NULL))
    {
      g_assert_true (g_str_has_prefix (event->payload, prefix));
      g_assert_true (strstr (event->payload, "\"kind\":\"vitals\"") != NULL
                     || strlen (event->payload) < 90);
      counts->n_corrupt++;
      return FALSE;
    }

  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpstr (json_object_get_string_member (object, "deviceId"), ==, event->device_id);
  g_assert_cmpstr (json_object_get_string_member (object, "messageId"), ==, expected_id);
  g_assert_true (ward_time_parse_iso8601 (json_object_get_string_member (object, "measuredAt"),
                                          &measured_at));
  g_assert_cmpint (measured_at, ==, event->at);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "measuredAt"), "Z"));
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "measuredAt")), ==,
                    strlen ("2026-11-22T10:00:05.000Z"));

  kind = json_object_get_string_member (object, "kind");
  if (g_str_equal (kind, "vitals"))
    {
      gint64 hr = json_object_get_int_member (object, "heartRate");
      gint64 rr = json_object_get_int_member (object, "respiratoryRate");

      counts->n_vitals++;
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "heartRate")),
                       ==, G_TYPE_INT64);
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (object,
                                                                         "respiratoryRate")),
                       ==, G_TYPE_INT64);
      g_assert_cmpint (hr, >=, 20);
      g_assert_cmpint (hr, <=, 250);
      g_assert_cmpint (rr, >=, 3);
      g_assert_cmpint (rr, <=, 70);

      if (json_object_has_member (object, "status"))
        {
          g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "probe-off");
          g_assert_false (json_object_has_member (object, "spo2"));
          counts->n_probe_off++;
        }
      else
        {
          gint64 spo2 = json_object_get_int_member (object, "spo2");

          g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "spo2")),
                           ==, G_TYPE_INT64);
          g_assert_cmpint (spo2, >=, 50);
          g_assert_cmpint (spo2, <=, 100);
        }
      g_assert_cmpuint (json_object_get_size (object), ==, 7);
    }
  else if (g_str_equal (kind, "nibp"))
    {
      gint64 sys = json_object_get_int_member (object, "systolic");
      gint64 dia = json_object_get_int_member (object, "diastolic");
      gint64 mean = json_object_get_int_member (object, "mean");

      counts->n_nibp++;
      g_assert_cmpint (sys, >, dia);
      g_assert_cmpint (mean, >, dia);
      g_assert_cmpint (mean, <, sys);
      g_assert_cmpint (dia, >=, 20);
      g_assert_cmpuint (json_object_get_size (object), ==, 7);
    }
  else if (g_str_equal (kind, "temperature"))
    {
      double temperature = json_object_get_double_member (object, "temperature");
      const char *text = strstr (event->payload, "\"temperature\":");

      counts->n_temperature++;
      g_assert_cmpfloat (temperature, >=, 30.0);
      g_assert_cmpfloat (temperature, <=, 43.0);
      /* One decimal, always written, whatever the locale. */
      g_assert_true (g_regex_match_simple ("^\"temperature\":[0-9]{2}\\.[0-9]}$", text, 0, 0));
      g_assert_cmpuint (json_object_get_size (object), ==, 5);
    }
  else
    {
      g_assert_not_reached ();
    }

  return TRUE;
}

static void
test_rates (void)
{
  static const char * const ids[] = { "stable", NULL };
  g_autoptr(WardSimulator) sim = new_simulator (16, 2026, ids, NULL);
  g_autoptr(GPtrArray) events = NULL;
  gint64 start = start_time ();
  Counts total = { 0 };
  Counts counts[16] = { { 0 } };
  guint64 next_message[16];

  events = run (sim, start + WARD_USEC_PER_HOUR);

  for (guint i = 0; i < 16; i++)
    next_message[i] = 1;

  for (guint i = 0; i < events->len; i++)
    {
      const Event *event = g_ptr_array_index (events, i);
      const WardSimBed *bed = ward_simulator_get_bed (sim, event->bed_index);

      g_assert_cmpstr (event->device_id, ==, bed->device_id);
      g_assert_cmpstr (event->patient_id, ==, bed->patient_id);

      if (event->type != WARD_SIM_EVENT_DEVICE_MESSAGE)
        {
          g_assert_null (event->payload);
          g_assert_nonnull (event->user);
          g_assert_true (g_str_has_prefix (event->user, "Nurse "));
          continue;
        }

      g_assert_null (event->user);
      check_payload (event, next_message[event->bed_index]++, &counts[event->bed_index]);
    }

  for (guint i = 0; i < 16; i++)
    {
      /* A vitals message every 5 s: exactly 720 slots in the hour
       * (valid or deliberately corrupt), an NIBP every 15 min and one
       * temperature.
       */
      g_assert_cmpuint (counts[i].n_vitals + counts[i].n_corrupt, ==, 720);
      g_assert_cmpuint (counts[i].n_nibp, ==, 4);
      g_assert_cmpuint (counts[i].n_temperature, ==, 1);

      total.n_corrupt += counts[i].n_corrupt;
      total.n_probe_off += counts[i].n_probe_off;
    }

  /* Artifacts are rare: the stable scenario has 0.1 corrupt and 0.3
   * probe-off episodes per hour.
   */
  g_assert_cmpuint (total.n_corrupt, <=, 8);
  g_assert_cmpuint (total.n_probe_off, <, 16 * 720 / 20);
}

/* Over a long run every kind of artifact shows up and is well formed. */
static void
test_artifacts (void)
{
  g_autoptr(WardSimulator) sim = new_simulator (16, 77, NULL, NULL);
  g_autoptr(GPtrArray) events = run (sim, start_time () + 8 * WARD_USEC_PER_HOUR);
  guint64 next_message[16];
  Counts counts = { 0 };
  guint n_hr_jumps = 0;
  int last_hr[16] = { 0 };

  for (guint i = 0; i < 16; i++)
    next_message[i] = 1;

  for (guint i = 0; i < events->len; i++)
    {
      const Event *event = g_ptr_array_index (events, i);
      const char *hr_text;

      if (event->type != WARD_SIM_EVENT_DEVICE_MESSAGE)
        continue;

      if (!check_payload (event, next_message[event->bed_index]++, &counts))
        continue;

      hr_text = strstr (event->payload, "\"heartRate\":");
      if (hr_text != NULL)
        {
          int hr = atoi (hr_text + strlen ("\"heartRate\":"));

          if (last_hr[event->bed_index] > 0 && hr - last_hr[event->bed_index] >= 15)
            n_hr_jumps++;
          last_hr[event->bed_index] = hr;
        }
    }

  g_assert_cmpuint (counts.n_corrupt, >=, 1);
  g_assert_cmpuint (counts.n_probe_off, >=, 6);
  g_assert_cmpuint (n_hr_jumps, >=, 10);
  g_assert_cmpuint (counts.n_corrupt, <, counts.n_vitals / 1000);
}

static void
test_list_builtin (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = ward_simulator_list_scenarios (NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  g_assert_cmpstrv (ids, builtin_ids);

  for (guint i = 0; builtin_ids[i] != NULL; i++)
    {
      const char * const one[] = { builtin_ids[i], NULL };
      g_autoptr(WardSimulator) sim = new_simulator (2, 1, one, NULL);

      g_assert_cmpstr (ward_simulator_get_bed (sim, 0)->scenario_id, ==, builtin_ids[i]);
      g_assert_cmpstr (ward_simulator_get_bed (sim, 1)->scenario_id, ==, builtin_ids[i]);
    }
}

/* Every scenario enters consciousness and air/oxygen at minute 0. */
static void
test_nurse_start (void)
{
  for (guint i = 0; builtin_ids[i] != NULL; i++)
    {
      const char * const one[] = { builtin_ids[i], NULL };
      g_autoptr(WardSimulator) sim = new_simulator (1, 3, one, NULL);
      g_autoptr(GPtrArray) events = run (sim, start_time ());
      gboolean consciousness = FALSE, oxygen = FALSE, confirm = FALSE;

      for (guint j = 0; j < events->len; j++)
        {
          const Event *event = g_ptr_array_index (events, j);

          g_assert_cmpint (event->at, ==, start_time ());
          if (event->type == WARD_SIM_EVENT_NURSE_ENTRY
              && event->kind == WARD_MEAS_CONSCIOUSNESS)
            consciousness = TRUE;
          else if (event->type == WARD_SIM_EVENT_NURSE_ENTRY
                   && event->kind == WARD_MEAS_ON_OXYGEN)
            oxygen = TRUE;
          else if (event->type == WARD_SIM_EVENT_CONFIRM)
            confirm = TRUE;
        }

      g_assert_true (consciousness);
      g_assert_true (oxygen);
      g_assert_true (confirm);
    }
}

/* Mean of a vitals member over [from, to) minutes, for one device. */
static double
mean_member (GPtrArray  *events,
             const char *kind,
             const char *member,
             double      from_min,
             double      to_min)
{
  gint64 start = start_time ();
  double sum = 0;
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      const Event *event = g_ptr_array_index (events, i);
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *object;

      if (event->type != WARD_SIM_EVENT_DEVICE_MESSAGE
          || event->at < start + from_min * WARD_USEC_PER_MINUTE
          || event->at >= start + to_min * WARD_USEC_PER_MINUTE)
        continue;

      parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, event->payload, -1, NULL))
        continue;

      object = json_node_get_object (json_parser_get_root (parser));
      if (!g_str_equal (json_object_get_string_member (object, "kind"), kind)
          || !json_object_has_member (object, member))
        continue;

      sum += json_object_get_double_member (object, member);
      n++;
    }

  g_assert_cmpuint (n, >, 0);
  return sum / n;
}

static void
test_sepsis (void)
{
  static const char * const ids[] = { "sepsis", NULL };
  g_autoptr(WardSimulator) sim = new_simulator (1, 11, ids, NULL);
  g_autoptr(GPtrArray) events = run (sim, start_time () + 5 * WARD_USEC_PER_HOUR);
  gint64 confusion_at = 0;

  g_assert_cmpstr (ward_simulator_get_scenario_name (sim, 0), ==, "Sepsis");

  g_assert_cmpfloat (mean_member (events, "vitals", "heartRate", 230, 250), >,
                     mean_member (events, "vitals", "heartRate", 0, 20) + 15);
  g_assert_cmpfloat (mean_member (events, "vitals", "respiratoryRate", 230, 250), >,
                     mean_member (events, "vitals", "respiratoryRate", 0, 20) + 4);
  g_assert_cmpfloat (mean_member (events, "nibp", "systolic", 210, 270), <,
                     mean_member (events, "nibp", "systolic", 0, 60) - 10);
  g_assert_cmpfloat (mean_member (events, "temperature", "temperature", 200, 300), >,
                     mean_member (events, "temperature", "temperature", 0, 60) + 1);

  for (guint i = 0; i < events->len; i++)
    {
      const Event *event = g_ptr_array_index (events, i);

      if (event->type == WARD_SIM_EVENT_NURSE_ENTRY
          && event->kind == WARD_MEAS_CONSCIOUSNESS
          && event->value == WARD_ACVPU_CONFUSION)
        confusion_at = event->at;
    }

  /* New confusion, entered by the nurse, later in the course. */
  g_assert_cmpint (confusion_at, >, start_time () + 3 * WARD_USEC_PER_HOUR);
}

static void
test_type2 (void)
{
  static const char * const ids[] = { "type2-respiratory-failure", NULL };
  g_autoptr(WardSimulator) sim = new_simulator (1, 12, ids, NULL);
  g_autoptr(GPtrArray) events = run (sim, start_time () + 4 * WARD_USEC_PER_HOUR);
  gboolean scale2_at_start = FALSE;
  gint64 oxygen_at = 0;
  double spo2;

  g_assert_cmpint (ward_simulator_get_bed (sim, 0)->spo2_scale, ==, 2);

  for (guint i = 0; i < events->len; i++)
    {
      const Event *event = g_ptr_array_index (events, i);

      if (event->type == WARD_SIM_EVENT_SPO2_SCALE)
        {
          g_assert_cmpfloat (event->value, ==, 2);
          g_assert_cmpint (event->at, ==, start_time ());
          g_assert_nonnull (event->user);
          scale2_at_start = TRUE;
        }
      else if (event->type == WARD_SIM_EVENT_NURSE_ENTRY
               && event->kind == WARD_MEAS_ON_OXYGEN && event->value == 1)
        {
          oxygen_at = event->at;
        }
    }

  g_assert_true (scale2_at_start);
  g_assert_cmpint (oxygen_at, >, start_time ());

  /* On target (88-92 %) with oxygen, below it before. */
  spo2 = mean_member (events, "vitals", "spo2", 120, 240);
  g_assert_cmpfloat (spo2, >=, 88);
  g_assert_cmpfloat (spo2, <=, 92);
  g_assert_cmpfloat (mean_member (events, "vitals", "spo2", 55, 75), <, 88);
}

static void
test_device_disconnect (void)
{
  static const char * const ids[] = { "device-disconnect", NULL };
  g_autoptr(WardSimulator) sim = new_simulator (1, 13, ids, NULL);
  g_autoptr(GPtrArray) events = run (sim, start_time () + 2 * WARD_USEC_PER_HOUR);
  gint64 previous = start_time ();
  guint n_gaps = 0;

  for (guint i = 0; i < events->len; i++)
    {
      const Event *event = g_ptr_array_index (events, i);

      if (event->type != WARD_SIM_EVENT_DEVICE_MESSAGE)
        continue;

      g_assert_cmpstr (event->device_id, ==, "sim-monitor-01");
      if (event->at - previous > 60 * WARD_USEC_PER_SEC)
        {
          g_assert_cmpint (event->at - previous, <, 10 * WARD_USEC_PER_MINUTE);
          n_gaps++;
        }
      previous = event->at;
    }

  g_assert_cmpuint (n_gaps, ==, 2);
}

static void
test_recovery (void)
{
  static const char * const ids[] = { "recovery", NULL };
  g_autoptr(WardSimulator) sim = new_simulator (1, 14, ids, NULL);
  g_autoptr(GPtrArray) events = run (sim, start_time () + 6 * WARD_USEC_PER_HOUR);

  g_assert_cmpfloat (mean_member (events, "vitals", "heartRate", 0, 20), >, 100);
  g_assert_cmpfloat (mean_member (events, "vitals", "heartRate", 300, 360), <, 85);
  g_assert_cmpfloat (mean_member (events, "vitals", "respiratoryRate", 0, 20), >, 21);
  g_assert_cmpfloat (mean_member (events, "vitals", "respiratoryRate", 300, 360), <, 18);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

#define SCENARIO_TEMPLATE \
  "{\n" \
  "  \"id\": \"%s\",\n" \
  "  \"name\": \"%s\",\n" \
  "  \"description\": \"A test patient.\",\n" \
  "  \"patient\": { \"age\": 40, \"spo2_scale\": 1 },\n" \
  "  \"vitals\": {\n" \
  "    \"heart_rate\": [[0, %d]],\n" \
  "    \"respiratory_rate\": [[0, 14]],\n" \
  "    \"spo2\": [[0, 98]],\n" \
  "    \"systolic\": [[0, 120]],\n" \
  "    \"diastolic\": [[0, 80]],\n" \
  "    \"temperature\": [[0, 36.6]]\n" \
  "  },\n" \
  "  \"noise\": { \"heart_rate\": 1 },\n" \
  "  \"artifacts_per_hour\": { \"motion\": 0, \"probe_off\": 0, \"spike\": 0, \"corrupt\": 0 },\n" \
  "  \"nurse_events\": [ { \"minute\": 0, \"consciousness\": \"A\", \"on_oxygen\": false } ]\n" \
  "}\n"

static char *
make_scenario (const char *id,
               const char *name,
               int         hr)
{
  return g_strdup_printf (SCENARIO_TEMPLATE, id, name, hr);
}

static void
test_user_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wardwatch-scenarios-XXXXXX", &error);
  g_autofree char *override = make_scenario ("stable", "My stable", 100);
  g_autofree char *custom = make_scenario ("custom-ward", "Custom", 55);
  const char *dirs[] = { NULL, NULL };
  static const char * const ids[] = { "stable", "custom-ward", "sepsis", NULL };
  g_autoptr(WardSimulator) sim = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(GStrv) listed = NULL;
  double hr_sum = 0;
  guint n_hr = 0;

  g_assert_no_error (error);
  dirs[0] = dir;
  write_file (dir, "stable.json", override);
  write_file (dir, "custom-ward.json", custom);
  write_file (dir, "notes.txt", "not a scenario");

  listed = ward_simulator_list_scenarios (dirs, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) listed, "custom-ward"));
  g_assert_true (g_strv_contains ((const char * const *) listed, "stable"));
  g_assert_true (g_strv_contains ((const char * const *) listed, "sepsis"));
  g_assert_cmpuint (g_strv_length (listed), ==, 6);

  sim = new_simulator (3, 8, ids, dirs);
  g_assert_cmpstr (ward_simulator_get_scenario_name (sim, 0), ==, "My stable");
  g_assert_cmpstr (ward_simulator_get_scenario_name (sim, 1), ==, "Custom");
  g_assert_cmpstr (ward_simulator_get_scenario_name (sim, 2), ==, "Sepsis");
  g_assert_cmpuint (ward_simulator_get_patient_age (sim, 0), ==, 40);

  /* Only bed 0 uses the override: check its own messages. */
  events = run (sim, start_time () + WARD_USEC_PER_HOUR);
  for (guint i = 0; i < events->len; i++)
    {
      const Event *event = g_ptr_array_index (events, i);
      const char *text;

      if (event->bed_index != 0 || event->type != WARD_SIM_EVENT_DEVICE_MESSAGE
          || (text = strstr (event->payload, "\"heartRate\":")) == NULL)
        continue;

      hr_sum += atoi (text + strlen ("\"heartRate\":"));
      n_hr++;
    }

  g_assert_cmpuint (n_hr, ==, 720);
  g_assert_cmpfloat (hr_sum / n_hr, >, 98);
  g_assert_cmpfloat (hr_sum / n_hr, <, 102);

  remove_dir (dir);
}

/* $XDG_DATA_HOME/wardwatch/scenarios comes after the given folders. */
static void
test_xdg_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wardwatch-scenarios-XXXXXX", &error);
  g_autofree char *xdg = g_build_filename (g_get_user_data_dir (), "wardwatch", "scenarios", NULL);
  g_autofree char *from_dir = make_scenario ("sepsis", "From the folder", 90);
  g_autofree char *from_xdg = make_scenario ("sepsis", "From XDG", 90);
  const char *dirs[] = { NULL, NULL };
  static const char * const ids[] = { "sepsis", NULL };
  g_autoptr(WardSimulator) sim = NULL;

  g_assert_no_error (error);
  dirs[0] = dir;
  g_assert_cmpint (g_mkdir_with_parents (xdg, 0700), ==, 0);
  write_file (dir, "sepsis.json", from_dir);
  write_file (xdg, "sepsis.json", from_xdg);

  sim = new_simulator (1, 8, ids, dirs);
  g_assert_cmpstr (ward_simulator_get_scenario_name (sim, 0), ==, "From XDG");

  remove_dir (dir);
  remove_dir (xdg);
}

static void
test_malformed (void)
{
  static const struct
  {
    const char *contents;
    const char *expected;   /* in the message, after the file name */
  } cases[] = {
    { "{ \"id\": \"broken\", ", "not valid JSON" },
    { "[1, 2]", "top level" },
    { "{ \"id\": \"broken\" }", "name" },
    { NULL, "unknown vital “pulse”" },
    { NULL, "negative time" },
    { NULL, "missing “temperature”" },
    { NULL, "minutes must increase" },
    { NULL, "unknown member “nibp_interval”" },
    { NULL, "minute 0 must enter" },
    { NULL, "does not match the file name" },
    { NULL, "consciousness" },
  };
  g_autoptr(GError) dir_error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wardwatch-scenarios-XXXXXX", &dir_error);
  g_autofree char *path = NULL;
  g_autofree char *good = make_scenario ("broken", "Broken", 70);
  const char *dirs[] = { NULL, NULL };
  static const char * const ids[] = { "broken", NULL };

  g_assert_no_error (dir_error);
  dirs[0] = dir;
  path = g_build_filename (dir, "broken.json", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WardSimulator) sim = NULL;
      g_autofree char *contents = NULL;
      g_auto(GStrv) listed = NULL;
      GString *edit = g_string_new (good);

      switch (i)
        {
        case 3:
          g_string_replace (edit, "\"heart_rate\"", "\"pulse\"", 1);
          break;
        case 4:
          g_string_replace (edit, "[[0, 14]]", "[[-5, 14]]", 1);
          break;
        case 5:
          g_string_replace (edit, ",\n    \"temperature\": [[0, 36.6]]", "", 1);
          break;
        case 6:
          g_string_replace (edit, "[[0, 98]]", "[[0, 98], [30, 97], [20, 96]]", 1);
          break;
        case 7:
          g_string_replace (edit, "\"noise\"", "\"nibp_interval\": 10, \"noise\"", 1);
          break;
        case 8:
          g_string_replace (edit, "\"minute\": 0", "\"minute\": 5", 1);
          break;
        case 9:
          g_string_replace (edit, "\"id\": \"broken\"", "\"id\": \"other\"", 1);
          break;
        case 10:
          g_string_replace (edit, "\"consciousness\": \"A\"", "\"consciousness\": \"Z\"", 1);
          break;
        default:
          break;
        }
      contents = g_string_free (edit, FALSE);
      write_file (dir, "broken.json", cases[i].contents ? cases[i].contents : contents);

      sim = ward_simulator_new (1, 1, start_time (), ids, dirs, &error);
      g_assert_null (sim);
      g_assert_error (error, WARD_SIMULATOR_ERROR, WARD_SIMULATOR_ERROR_SCENARIO);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].expected));
      g_clear_error (&error);

      listed = ward_simulator_list_scenarios (dirs, &error);
      g_assert_null (listed);
      g_assert_error (error, WARD_SIMULATOR_ERROR, WARD_SIMULATOR_ERROR_SCENARIO);
      g_assert_true (g_str_has_prefix (error->message, path));
    }

  /* The unmodified file is fine. */
  write_file (dir, "broken.json", good);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(WardSimulator) sim = ward_simulator_new (1, 1, start_time (), ids, dirs, &error);

    g_assert_no_error (error);
    g_assert_nonnull (sim);
  }

  remove_dir (dir);
}

static void
test_unknown_scenario (void)
{
  static const char * const ids[] = { "stable", "no-such-scenario", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(WardSimulator) sim = ward_simulator_new (4, 1, start_time (), ids, NULL, &error);

  g_assert_null (sim);
  g_assert_error (error, WARD_SIMULATOR_ERROR, WARD_SIMULATOR_ERROR_SCENARIO);
  g_assert_nonnull (strstr (error->message, "no-such-scenario"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/simulator/determinism", test_determinism);
  g_test_add_func ("/core/simulator/bed-independence", test_bed_independence);
  g_test_add_func ("/core/simulator/time-order", test_time_order);
  g_test_add_func ("/core/simulator/beds", test_beds);
  g_test_add_func ("/core/simulator/rates", test_rates);
  g_test_add_func ("/core/simulator/artifacts", test_artifacts);
  g_test_add_func ("/core/simulator/scenarios/builtin", test_list_builtin);
  g_test_add_func ("/core/simulator/scenarios/nurse-start", test_nurse_start);
  g_test_add_func ("/core/simulator/scenarios/sepsis", test_sepsis);
  g_test_add_func ("/core/simulator/scenarios/type2-respiratory-failure", test_type2);
  g_test_add_func ("/core/simulator/scenarios/device-disconnect", test_device_disconnect);
  g_test_add_func ("/core/simulator/scenarios/recovery", test_recovery);
  g_test_add_func ("/core/simulator/scenarios/user-dir", test_user_dir);
  g_test_add_func ("/core/simulator/scenarios/xdg-dir", test_xdg_dir);
  g_test_add_func ("/core/simulator/scenarios/malformed", test_malformed);
  g_test_add_func ("/core/simulator/scenarios/unknown", test_unknown_scenario);

  return g_test_run ();
}
