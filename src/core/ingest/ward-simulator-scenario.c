/* ward-simulator-scenario.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-simulator"

#include "config.h"

#include "ward-simulator-private.h"

#include "ward-core-resources.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* The scenarios the simulated beds follow: JSON files, built in as
 * resources or found in the folders given, parsed and checked strictly
 * (a misspelt member is an error, not a default).
 */

const VitalInfo _ward_sim_vitals[N_VITALS] = {
  [VITAL_HR]   = { "heart_rate",       20.0, 250.0, 3.0,  120.0 },
  [VITAL_RR]   = { "respiratory_rate",  3.0,  70.0, 0.8,  180.0 },
  [VITAL_SPO2] = { "spo2",             50.0, 100.0, 0.7,   90.0 },
  [VITAL_SBP]  = { "systolic",         50.0, 260.0, 5.0, 1200.0 },
  [VITAL_DBP]  = { "diastolic",        20.0, 160.0, 3.0, 1200.0 },
  [VITAL_TEMP] = { "temperature",      30.0,  43.0, 0.1, 5400.0 },
};

static const char * const artifact_names[N_ARTIFACTS + 1] = {
  "motion", "probe_off", "spike", "corrupt", NULL
};

/* Scenarios */

static void
nurse_action_clear (gpointer data)
{
  NurseAction *action = data;

  g_clear_pointer (&action->user, g_free);
}

void
_ward_sim_scenario_free (Scenario *scenario)
{
  if (scenario == NULL)
    return;

  g_free (scenario->id);
  g_free (scenario->name);
  g_free (scenario->description);
  for (guint i = 0; i < N_VITALS; i++)
    g_clear_pointer (&scenario->keyframes[i], g_array_unref);
  g_clear_pointer (&scenario->gaps, g_array_unref);
  g_clear_pointer (&scenario->actions, g_array_unref);
  g_free (scenario);
}

static Scenario *
scenario_new (void)
{
  Scenario *scenario = g_new0 (Scenario, 1);

  scenario->spo2_scale = 1;
  scenario->nibp_interval = 15 * WARD_USEC_PER_MINUTE;
  scenario->temp_interval = 60 * WARD_USEC_PER_MINUTE;
  scenario->gaps = g_array_new (FALSE, FALSE, sizeof (Gap));
  scenario->actions = g_array_new (FALSE, FALSE, sizeof (NurseAction));
  g_array_set_clear_func (scenario->actions, nurse_action_clear);
  for (guint i = 0; i < N_VITALS; i++)
    scenario->noise[i] = _ward_sim_vitals[i].default_noise;

  return scenario;
}

static gboolean set_scenario_error (GError     **error,
                                    const char  *origin,
                                    const char  *format,
                                    ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_scenario_error (GError     **error,
                    const char  *origin,
                    const char  *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, WARD_SIMULATOR_ERROR, WARD_SIMULATOR_ERROR_SCENARIO,
               "%s: %s", origin, message);

  return FALSE;
}

static gboolean
get_number (JsonNode *node,
            double   *out)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;

  *out = json_node_get_double (node);
  return isfinite (*out);
}

static gboolean
get_string (JsonNode    *node,
            const char **out)
{
  if (node == NULL
      || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;

  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_boolean (JsonNode *node,
             gboolean *out)
{
  if (node == NULL
      || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  *out = json_node_get_boolean (node);
  return TRUE;
}

/* Typos must not pass silently: a misspelt "nibp_interval" would quietly
 * keep the default.  Every object accepts a free-text "comment".
 */
static gboolean
check_members (JsonObject         *object,
               const char * const *allowed,
               const char         *origin,
               const char         *where,
               GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (g_strcmp0 (name, "comment") == 0 || g_strv_contains (allowed, name))
        continue;

      return set_scenario_error (error, origin, "%s: unknown member “%s”", where, name);
    }

  return TRUE;
}

static gboolean
parse_vital_name (const char *name,
                  Vital      *vital)
{
  for (guint i = 0; i < N_VITALS; i++)
    {
      if (strcmp (name, _ward_sim_vitals[i].name) == 0)
        {
          *vital = (Vital) i;
          return TRUE;
        }
    }

  return FALSE;
}

static gint64
minutes_to_usec (double minutes)
{
  return (gint64) llround (minutes * WARD_USEC_PER_MINUTE);
}

static gboolean
parse_minutes (JsonNode    *node,
               gboolean     positive,
               gint64      *out,
               const char  *origin,
               const char  *where,
               GError     **error)
{
  double minutes;

  if (!get_number (node, &minutes))
    return set_scenario_error (error, origin, "%s: expected a number of minutes", where);
  if (minutes < 0)
    return set_scenario_error (error, origin, "%s: negative time %g min", where, minutes);
  if (positive && minutes <= 0)
    return set_scenario_error (error, origin, "%s: must be more than 0 min", where);
  if (minutes > 60.0 * 24 * 365)
    return set_scenario_error (error, origin, "%s: %g min is more than a year", where, minutes);

  *out = minutes_to_usec (minutes);
  return TRUE;
}

static gboolean
parse_keyframes (Scenario    *scenario,
                 Vital        vital,
                 JsonNode    *node,
                 const char  *origin,
                 GError     **error)
{
  const char *name = _ward_sim_vitals[vital].name;
  g_autoptr(GArray) keyframes = NULL;
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node)
      || (n = json_array_get_length ((array = json_node_get_array (node)))) == 0)
    return set_scenario_error (error, origin,
                               "vitals.%s: expected a non-empty array of [minute, value] pairs",
                               name);

  keyframes = g_array_sized_new (FALSE, FALSE, sizeof (Keyframe), n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *pair = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("vitals.%s[%u]", name, i);
      JsonArray *pair_array;
      Keyframe keyframe;

      if (!JSON_NODE_HOLDS_ARRAY (pair)
          || json_array_get_length ((pair_array = json_node_get_array (pair))) != 2)
        return set_scenario_error (error, origin, "%s: expected a [minute, value] pair", where);

      if (!parse_minutes (json_array_get_element (pair_array, 0), FALSE, &keyframe.at,
                          origin, where, error))
        return FALSE;

      if (!get_number (json_array_get_element (pair_array, 1), &keyframe.value))
        return set_scenario_error (error, origin, "%s: the value is not a number", where);

      if (keyframe.value < _ward_sim_vitals[vital].min || keyframe.value > _ward_sim_vitals[vital].max)
        return set_scenario_error (error, origin, "%s: %g is outside %g-%g", where,
                                   keyframe.value, _ward_sim_vitals[vital].min, _ward_sim_vitals[vital].max);

      if (i > 0 && keyframe.at <= g_array_index (keyframes, Keyframe, i - 1).at)
        return set_scenario_error (error, origin, "%s: minutes must increase", where);

      g_array_append_val (keyframes, keyframe);
    }

  scenario->keyframes[vital] = g_steal_pointer (&keyframes);
  return TRUE;
}

static gboolean
parse_patient (Scenario    *scenario,
               JsonNode    *node,
               const char  *origin,
               GError     **error)
{
  static const char * const allowed[] = { "age", "spo2_scale", NULL };
  JsonObject *object;
  double number;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return set_scenario_error (error, origin, "missing object “patient”");

  object = json_node_get_object (node);
  if (!check_members (object, allowed, origin, "patient", error))
    return FALSE;

  /* NEWS2 is not validated for under-16s. */
  if (!get_number (json_object_get_member (object, "age"), &number)
      || number != floor (number) || number < 16 || number > 120)
    return set_scenario_error (error, origin,
                               "patient.age: expected a whole number of years, 16-120");
  scenario->age = (guint) number;

  if (json_object_has_member (object, "spo2_scale"))
    {
      if (!get_number (json_object_get_member (object, "spo2_scale"), &number)
          || (number != 1 && number != 2))
        return set_scenario_error (error, origin, "patient.spo2_scale: expected 1 or 2");
      scenario->spo2_scale = (int) number;
    }

  return TRUE;
}

static gboolean
parse_vitals (Scenario    *scenario,
              JsonNode    *node,
              const char  *origin,
              GError     **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return set_scenario_error (error, origin, "missing object “vitals”");

  object = json_node_get_object (node);
  members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      Vital vital;

      if (g_strcmp0 (name, "comment") == 0)
        continue;

      if (!parse_vital_name (name, &vital))
        return set_scenario_error (error, origin, "vitals: unknown vital “%s”", name);

      if (!parse_keyframes (scenario, vital, json_object_get_member (object, name), origin, error))
        return FALSE;
    }

  for (guint i = 0; i < N_VITALS; i++)
    {
      if (scenario->keyframes[i] == NULL)
        return set_scenario_error (error, origin, "vitals: missing “%s”", _ward_sim_vitals[i].name);
    }

  return TRUE;
}

static gboolean
parse_noise (Scenario    *scenario,
             JsonNode    *node,
             const char  *origin,
             GError     **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_scenario_error (error, origin, "noise: expected an object");

  object = json_node_get_object (node);
  members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      double amplitude;
      Vital vital;

      if (g_strcmp0 (name, "comment") == 0)
        continue;

      if (!parse_vital_name (name, &vital))
        return set_scenario_error (error, origin, "noise: unknown vital “%s”", name);

      if (!get_number (json_object_get_member (object, name), &amplitude)
          || amplitude < 0
          || amplitude > (_ward_sim_vitals[vital].max - _ward_sim_vitals[vital].min) / 4)
        return set_scenario_error (error, origin,
                                   "noise.%s: expected a number from 0 to %g", name,
                                   (_ward_sim_vitals[vital].max - _ward_sim_vitals[vital].min) / 4);

      scenario->noise[vital] = amplitude;
    }

  return TRUE;
}

static gboolean
parse_artifacts (Scenario    *scenario,
                 JsonNode    *node,
                 const char  *origin,
                 GError     **error)
{
  JsonObject *object;
  double total = 0;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_scenario_error (error, origin, "artifacts_per_hour: expected an object");

  object = json_node_get_object (node);
  if (!check_members (object, artifact_names, origin, "artifacts_per_hour", error))
    return FALSE;

  for (guint i = 0; i < N_ARTIFACTS; i++)
    {
      JsonNode *member = json_object_get_member (object, artifact_names[i]);
      double rate;

      if (member == NULL)
        continue;

      if (!get_number (member, &rate) || rate < 0)
        return set_scenario_error (error, origin,
                                   "artifacts_per_hour.%s: expected a number, 0 or more",
                                   artifact_names[i]);

      scenario->artifact_rate[i] = rate;
      total += rate;
    }

  /* One start at most per 5-second message, and leave most messages clean. */
  if (total > MESSAGES_PER_HOUR / 2)
    return set_scenario_error (error, origin,
                               "artifacts_per_hour: %g per hour in total, more than %d",
                               total, (int) (MESSAGES_PER_HOUR / 2));

  return TRUE;
}

static gboolean
parse_interval (JsonObject  *root,
                const char  *name,
                gint64      *out,
                const char  *origin,
                GError     **error)
{
  JsonNode *node = json_object_get_member (root, name);

  if (node == NULL)
    return TRUE;

  if (!parse_minutes (node, TRUE, out, origin, name, error))
    return FALSE;

  if (*out < WARD_USEC_PER_MINUTE)
    return set_scenario_error (error, origin, "%s: must be 1 min or more", name);

  return TRUE;
}

static gboolean
parse_gaps (Scenario    *scenario,
            JsonNode    *node,
            const char  *origin,
            GError     **error)
{
  static const char * const allowed[] = { "start_min", "duration_min", NULL };
  JsonArray *array;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_scenario_error (error, origin, "silent_gaps: expected an array");

  array = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("silent_gaps[%u]", i);
      g_autofree char *where_start = g_strdup_printf ("%s.start_min", where);
      g_autofree char *where_duration = g_strdup_printf ("%s.duration_min", where);
      JsonObject *object;
      gint64 duration;
      Gap gap;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return set_scenario_error (error, origin, "%s: expected an object", where);

      object = json_node_get_object (element);
      if (!check_members (object, allowed, origin, where, error)
          || !parse_minutes (json_object_get_member (object, "start_min"), FALSE,
                             &gap.start, origin, where_start, error)
          || !parse_minutes (json_object_get_member (object, "duration_min"), TRUE,
                             &duration, origin, where_duration, error))
        return FALSE;

      gap.end = gap.start + duration;
      g_array_append_val (scenario->gaps, gap);
    }

  return TRUE;
}

static void
add_action (Scenario         *scenario,
            gint64            at,
            WardSimEventType  type,
            WardMeasKind      kind,
            double            value,
            const char       *user)
{
  NurseAction action = { at, type, kind, value, g_strdup (user) };

  g_array_append_val (scenario->actions, action);
}

typedef struct
{
  gint64  at;
  guint   index;
  JsonObject *object;
} PendingEntry;

static int
compare_pending (gconstpointer a,
                 gconstpointer b)
{
  const PendingEntry *pa = a;
  const PendingEntry *pb = b;

  if (pa->at != pb->at)
    return pa->at < pb->at ? -1 : 1;

  return pa->index < pb->index ? -1 : pa->index > pb->index;
}

/* Each nurse event becomes one or more actions at its minute, in a fixed
 * order: the SpO2 scale first (it changes how the rest is scored), then
 * consciousness, air/oxygen and flow, and the confirmation last.
 */
static gboolean
parse_nurse_events (Scenario    *scenario,
                    JsonNode    *node,
                    const char  *origin,
                    GError     **error)
{
  static const char * const allowed[] = {
    "minute", "consciousness", "on_oxygen", "o2_flow", "spo2_scale", "confirm", "nurse", NULL
  };
  g_autoptr(GArray) pending = NULL;
  gboolean start_consciousness = FALSE;
  gboolean start_oxygen = FALSE;
  int start_scale = 0;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length ((array = json_node_get_array (node))) == 0)
    return set_scenario_error (error, origin, "missing non-empty array “nurse_events”");

  pending = g_array_new (FALSE, FALSE, sizeof (PendingEntry));

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("nurse_events[%u]", i);
      g_autofree char *where_minute = g_strdup_printf ("%s.minute", where);
      PendingEntry entry = { 0, i, NULL };

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return set_scenario_error (error, origin, "%s: expected an object", where);

      entry.object = json_node_get_object (element);
      if (!check_members (entry.object, allowed, origin, where, error)
          || !parse_minutes (json_object_get_member (entry.object, "minute"), FALSE,
                             &entry.at, origin, where_minute, error))
        return FALSE;

      g_array_append_val (pending, entry);
    }

  g_array_sort (pending, compare_pending);

  for (guint i = 0; i < pending->len; i++)
    {
      const PendingEntry *entry = &g_array_index (pending, PendingEntry, i);
      g_autofree char *where = g_strdup_printf ("nurse_events[%u]", entry->index);
      JsonObject *object = entry->object;
      const char *user = NULL;
      gboolean on_oxygen = FALSE;
      gboolean has_oxygen = FALSE;
      gboolean confirm = FALSE;
      guint n_actions = scenario->actions->len;
      JsonNode *member;
      double number;

      if ((member = json_object_get_member (object, "nurse")) != NULL
          && (!get_string (member, &user) || user[0] == '\0'))
        return set_scenario_error (error, origin, "%s.nurse: expected a name", where);

      if ((member = json_object_get_member (object, "spo2_scale")) != NULL)
        {
          if (!get_number (member, &number) || (number != 1 && number != 2))
            return set_scenario_error (error, origin, "%s.spo2_scale: expected 1 or 2", where);
          add_action (scenario, entry->at, WARD_SIM_EVENT_SPO2_SCALE, 0, number, user);
          if (entry->at == 0)
            start_scale = (int) number;
        }

      if ((member = json_object_get_member (object, "consciousness")) != NULL)
        {
          const char *letter = NULL;
          WardAcvpu acvpu;

          if (!get_string (member, &letter)
              || strlen (letter) != 1
              || strchr ("ACVPU", letter[0]) == NULL
              || !ward_acvpu_from_string (letter, &acvpu))
            return set_scenario_error (error, origin,
                                       "%s.consciousness: expected one of "
                                       "\"A\", \"C\", \"V\", \"P\", \"U\"",
                                       where);
          add_action (scenario, entry->at, WARD_SIM_EVENT_NURSE_ENTRY,
                      WARD_MEAS_CONSCIOUSNESS, acvpu, user);
          if (entry->at == 0)
            start_consciousness = TRUE;
        }

      if ((member = json_object_get_member (object, "on_oxygen")) != NULL)
        {
          if (!get_boolean (member, &on_oxygen))
            return set_scenario_error (error, origin, "%s.on_oxygen: expected true or false",
                                       where);
          has_oxygen = TRUE;
          add_action (scenario, entry->at, WARD_SIM_EVENT_NURSE_ENTRY,
                      WARD_MEAS_ON_OXYGEN, on_oxygen ? 1 : 0, user);
          if (entry->at == 0)
            start_oxygen = TRUE;
        }

      if ((member = json_object_get_member (object, "o2_flow")) != NULL)
        {
          if (!get_number (member, &number) || number < 0 || number > 60)
            return set_scenario_error (error, origin, "%s.o2_flow: expected 0-60 L/min", where);
          if (has_oxygen && !on_oxygen && number > 0)
            return set_scenario_error (error, origin,
                                       "%s.o2_flow: a flow of %g L/min while on_oxygen is false",
                                       where, number);
          add_action (scenario, entry->at, WARD_SIM_EVENT_NURSE_ENTRY,
                      WARD_MEAS_O2_FLOW, number, user);
        }

      if ((member = json_object_get_member (object, "confirm")) != NULL)
        {
          if (!get_boolean (member, &confirm))
            return set_scenario_error (error, origin, "%s.confirm: expected true or false", where);
          if (confirm)
            add_action (scenario, entry->at, WARD_SIM_EVENT_CONFIRM, 0, 0, user);
        }

      if (scenario->actions->len == n_actions)
        return set_scenario_error (error, origin, "%s: the event enters nothing", where);
    }

  /* Scores can only be complete once the nurse has entered what monitors
   * cannot measure, so every scenario starts with those entries.
   */
  if (!start_consciousness || !start_oxygen)
    return set_scenario_error (error, origin,
                               "nurse_events: minute 0 must enter "
                               "“consciousness” and “on_oxygen”");

  if (scenario->spo2_scale == 2 && start_scale != 2)
    return set_scenario_error (error, origin,
                               "nurse_events: patient.spo2_scale is 2, "
                               "so minute 0 must set \"spo2_scale\": 2");

  if (scenario->spo2_scale == 1 && start_scale == 2)
    return set_scenario_error (error, origin,
                               "nurse_events: minute 0 sets SpO2 scale 2 "
                               "but patient.spo2_scale is 1");

  return TRUE;
}

static gboolean
is_valid_id (const char *id)
{
  if (id[0] == '\0' || !g_ascii_isalnum (id[0]))
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    {
      if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '_')
        return FALSE;
    }

  return TRUE;
}

static Scenario *
scenario_parse (const char  *data,
                gsize        length,
                const char  *origin,
                const char  *expected_id,
                GError     **error)
{
  static const char * const allowed[] = {
    "format", "id", "name", "description", "patient", "vitals", "noise",
    "artifacts_per_hour", "nibp_interval_min", "temperature_interval_min",
    "silent_gaps", "nurse_events", NULL
  };
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(Scenario) scenario = scenario_new ();
  g_autoptr(GError) local_error = NULL;
  const char *string;
  JsonObject *root;
  JsonNode *node;
  double number;

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      set_scenario_error (error, origin, "not valid JSON: %s", local_error->message);
      return NULL;
    }

  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      set_scenario_error (error, origin, "the top level must be a JSON object");
      return NULL;
    }

  root = json_node_get_object (node);
  if (!check_members (root, allowed, origin, "scenario", error))
    return NULL;

  if ((node = json_object_get_member (root, "format")) != NULL
      && (!get_number (node, &number) || number != SCENARIO_FORMAT))
    {
      set_scenario_error (error, origin, "format: only format %d is known", SCENARIO_FORMAT);
      return NULL;
    }

  if (!get_string (json_object_get_member (root, "id"), &string) || !is_valid_id (string))
    {
      set_scenario_error (error, origin,
                          "id: expected lower-case letters, digits, “-” and “_”");
      return NULL;
    }
  if (g_strcmp0 (string, expected_id) != 0)
    {
      set_scenario_error (error, origin, "id: “%s” does not match the file name (%s.json)",
                          string, expected_id);
      return NULL;
    }
  scenario->id = g_strdup (string);

  if (!get_string (json_object_get_member (root, "name"), &string) || string[0] == '\0')
    {
      set_scenario_error (error, origin, "missing string “name”");
      return NULL;
    }
  scenario->name = g_strdup (string);

  if (!get_string (json_object_get_member (root, "description"), &string))
    {
      set_scenario_error (error, origin, "missing string “description”");
      return NULL;
    }
  scenario->description = g_strdup (string);

  if (!parse_patient (scenario, json_object_get_member (root, "patient"), origin, error)
      || !parse_vitals (scenario, json_object_get_member (root, "vitals"), origin, error)
      || !parse_noise (scenario, json_object_get_member (root, "noise"), origin, error)
      || !parse_artifacts (scenario, json_object_get_member (root, "artifacts_per_hour"),
                           origin, error)
      || !parse_interval (root, "nibp_interval_min", &scenario->nibp_interval, origin, error)
      || !parse_interval (root, "temperature_interval_min", &scenario->temp_interval,
                          origin, error)
      || !parse_gaps (scenario, json_object_get_member (root, "silent_gaps"), origin, error)
      || !parse_nurse_events (scenario, json_object_get_member (root, "nurse_events"),
                              origin, error))
    return NULL;

  return g_steal_pointer (&scenario);
}

/* Scenario sources.  A source is a resource path or a file path; the id
 * is the file name without ".json", which must match the "id" member.
 */

static void
source_free (Source *source)
{
  g_free (source->path);
  g_free (source);
}

static char *
id_from_file_name (const char *name)
{
  if (!g_str_has_suffix (name, ".json") || name[0] == '.')
    return NULL;

  return g_strndup (name, strlen (name) - strlen (".json"));
}

static void
add_source (GHashTable *sources,
            const char *name,
            char       *path,
            gboolean    is_resource)
{
  g_autofree char *id = id_from_file_name (name);
  Source *source;

  if (id == NULL)
    {
      g_free (path);
      return;
    }

  source = g_new0 (Source, 1);
  source->path = path;
  source->is_resource = is_resource;
  g_hash_table_replace (sources, g_steal_pointer (&id), source);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
collect_dir (GHashTable  *sources,
             const char  *dir_path,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &local_error);
  const char *name;

  if (dir == NULL)
    {
      /* A user data folder that does not exist simply adds nothing. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;

      return set_scenario_error (error, dir_path, "cannot read the folder: %s",
                                 local_error->message);
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));

  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file_name = g_ptr_array_index (names, i);

      add_source (sources, file_name, g_build_filename (dir_path, file_name, NULL), FALSE);
    }

  return TRUE;
}

GHashTable *
_ward_sim_collect_sources (const char * const  *scenario_dirs,
                           GError             **error)
{
  g_autoptr(GHashTable) sources = NULL;
  g_autofree char *user_dir = NULL;
  g_auto(GStrv) children = NULL;

  sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) source_free);

  children = g_resource_enumerate_children (ward_core_get_resource (), SCENARIO_RESOURCE_DIR,
                                            G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    add_source (sources, children[i], g_strconcat (SCENARIO_RESOURCE_DIR, children[i], NULL),
                TRUE);

  for (guint i = 0; scenario_dirs != NULL && scenario_dirs[i] != NULL; i++)
    {
      if (!collect_dir (sources, scenario_dirs[i], error))
        return NULL;
    }

  user_dir = g_build_filename (g_get_user_data_dir (), "wardwatch", "scenarios", NULL);
  if (!collect_dir (sources, user_dir, error))
    return NULL;

  return g_steal_pointer (&sources);
}

Scenario *
_ward_sim_load_source (const char    *id,
                       const Source  *source,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (source->is_resource)
    {
      bytes = g_resource_lookup_data (ward_core_get_resource (), source->path,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
      if (bytes == NULL)
        {
          set_scenario_error (error, source->path, "%s", local_error->message);
          return NULL;
        }

      return scenario_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                             source->path, id, error);
    }

  if (!g_file_get_contents (source->path, &contents, &length, &local_error))
    {
      set_scenario_error (error, source->path, "%s", local_error->message);
      return NULL;
    }

  return scenario_parse (contents, length, source->path, id, error);
}

char **
ward_simulator_list_scenarios (const char * const  *scenario_dirs,
                               GError             **error)
{
  g_autoptr(GHashTable) sources = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sources = _ward_sim_collect_sources (scenario_dirs, error);
  if (sources == NULL)
    return NULL;

  ids = g_ptr_array_new_with_free_func (g_free);

  g_hash_table_iter_init (&iter, sources);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));

  /* Sorted first so that the first malformed file reported is stable. */
  g_ptr_array_sort (ids, compare_strings);

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autoptr(Scenario) scenario = NULL;

      scenario = _ward_sim_load_source (id, g_hash_table_lookup (sources, id), error);

      if (scenario == NULL)
        return NULL;
    }

  g_ptr_array_add (ids, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}
