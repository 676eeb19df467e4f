/* ward-simulator.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-simulator"

#include "config.h"

#include "ward-simulator.h"

#include "ward-core-resources.h"

#include <glib/gi18n.h>

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* The simulator is a set of independent beds.  Each bed owns its GRand
 * (seeded from the ward seed and the bed index) and produces its events
 * strictly one at a time in its own time order, drawing random numbers
 * only while producing an event.  A bed's event sequence therefore does
 * not depend on the other beds nor on how advance() is stepped, and the
 * ward merges the beds with a binary heap keyed on (time, bed index).
 */

#define SCENARIO_RESOURCE_DIR "/io/github/wardwatch/Wardwatch/core/scenarios/"
#define SCENARIO_FORMAT       1
#define VITALS_PERIOD_USEC    (5 * WARD_USEC_PER_SEC)
#define MESSAGES_PER_HOUR     (WARD_USEC_PER_HOUR / VITALS_PERIOD_USEC)
#define PAYLOAD_SIZE          320

typedef enum
{
  VITAL_HR,
  VITAL_RR,
  VITAL_SPO2,
  VITAL_SBP,
  VITAL_DBP,
  VITAL_TEMP,
  N_VITALS
} Vital;

typedef enum
{
  ARTIFACT_MOTION,
  ARTIFACT_PROBE_OFF,
  ARTIFACT_SPIKE,
  ARTIFACT_CORRUPT,
  N_ARTIFACTS
} Artifact;

/* A bed's event streams, in the order used to break ties at one instant:
 * the nurse's entries come before the device data of the same instant.
 */
typedef enum
{
  STREAM_NURSE,
  STREAM_VITALS,
  STREAM_NIBP,
  STREAM_TEMP,
  N_STREAMS
} Stream;

typedef struct
{
  gint64 at;              /* offset from the scenario start, usec */
  double value;
} Keyframe;

typedef struct
{
  gint64 start;           /* offsets from the scenario start, usec */
  gint64 end;
} Gap;

typedef struct
{
  gint64            at;   /* offset from the scenario start, usec */
  WardSimEventType  type;
  WardMeasKind      kind;
  double            value;
  char             *user; /* NULL: the bed's nurse */
} NurseAction;

typedef struct
{
  char   *id;
  char   *name;
  char   *description;
  guint   age;
  int     spo2_scale;
  GArray *keyframes[N_VITALS];
  double  noise[N_VITALS];
  double  artifact_rate[N_ARTIFACTS];
  gint64  nibp_interval;
  gint64  temp_interval;
  GArray *gaps;
  GArray *actions;
} Scenario;

typedef struct
{
  WardSimBed      info;

  /* Borrowed. */
  const Scenario *scenario;
  const char     *nurse;

  /* Owned. */
  GRand          *rand;
  char           *message_prefix;    /* {"deviceId":"…","messageId":"…- */
  gsize           message_prefix_len;

  gint64          start;
  gint64          next_at;
  gint64          stream_at[N_STREAMS];
  gint64          stream_base[N_STREAMS];
  gint64          stream_period[N_STREAMS];
  guint64         stream_slot[N_STREAMS];
  guint           action_index;
  guint64         message_count;

  /* Physiology: an AR(1) deviation per vital around the keyframe curve. */
  guint           cursor[N_VITALS];
  double          ar[N_VITALS];
  gint64          ar_at[N_VITALS];
  gboolean        ar_started[N_VITALS];
  double          ar_sd[N_VITALS];
  double          white_sd[N_VITALS];
  double          step_a[N_VITALS];  /* AR factors for one vitals period */
  double          step_b[N_VITALS];
  gboolean        have_gauss;
  double          gauss;

  /* Artifacts in progress. */
  guint           motion_left;
  double          motion_hr;
  double          motion_spo2;
  guint           probe_off_left;
} Bed;

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

static const struct
{
  const char *name;
  double      min;             /* allowed in keyframes and clamped to */
  double      max;
  double      default_noise;
  double      tau_sec;         /* correlation time of the slow variation */
} vital_info[N_VITALS] = {
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

/* Scenarios */

static void
nurse_action_clear (gpointer data)
{
  NurseAction *action = data;

  g_clear_pointer (&action->user, g_free);
}

static void
scenario_free (Scenario *scenario)
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Scenario, scenario_free)

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
    scenario->noise[i] = vital_info[i].default_noise;

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
      if (strcmp (name, vital_info[i].name) == 0)
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
  const char *name = vital_info[vital].name;
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

      if (keyframe.value < vital_info[vital].min || keyframe.value > vital_info[vital].max)
        return set_scenario_error (error, origin, "%s: %g is outside %g-%g", where,
                                   keyframe.value, vital_info[vital].min, vital_info[vital].max);

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
        return set_scenario_error (error, origin, "vitals: missing “%s”", vital_info[i].name);
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
          || amplitude > (vital_info[vital].max - vital_info[vital].min) / 4)
        return set_scenario_error (error, origin,
                                   "noise.%s: expected a number from 0 to %g", name,
                                   (vital_info[vital].max - vital_info[vital].min) / 4);

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

typedef struct
{
  char     *path;
  gboolean  is_resource;
} Source;

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

static GHashTable *
collect_sources (const char * const  *scenario_dirs,
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

static Scenario *
load_source (const char    *id,
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
      double a = exp (-dt / vital_info[vital].tau_sec);

      bed->ar[vital] = a * bed->ar[vital]
                       + bed->ar_sd[vital] * sqrt (1.0 - a * a) * next_gaussian (bed);
    }
  bed->ar_at[vital] = at;

  value = keyframe_value (bed, vital, at - bed->start)
          + bed->ar[vital]
          + bed->white_sd[vital] * next_gaussian (bed);

  return CLAMP (value, vital_info[vital].min, vital_info[vital].max);
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
      double a = exp (-((double) VITALS_PERIOD_USEC / WARD_USEC_PER_SEC) / vital_info[v].tau_sec);

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
  p = put_int (p, round_to_int (CLAMP (hr, vital_info[VITAL_HR].min, vital_info[VITAL_HR].max)));
  p = PUT_LITERAL (p, ",\"respiratoryRate\":");
  p = put_int (p, round_to_int (CLAMP (rr, vital_info[VITAL_RR].min, vital_info[VITAL_RR].max)));
  if (probe_off)
    {
      p = PUT_LITERAL (p, ",\"status\":\"probe-off\"");
    }
  else
    {
      p = PUT_LITERAL (p, ",\"spo2\":");
      p = put_int (p, round_to_int (CLAMP (spo2, vital_info[VITAL_SPO2].min, 100.0)));
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
                                           (GDestroyNotify) scenario_free);
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

  sources = collect_sources (scenario_dirs, error);
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

      scenario = load_source (plan[i], source, error);
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

char **
ward_simulator_list_scenarios (const char * const  *scenario_dirs,
                               GError             **error)
{
  g_autoptr(GHashTable) sources = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sources = collect_sources (scenario_dirs, error);
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
      g_autoptr(Scenario) scenario = load_source (id, g_hash_table_lookup (sources, id), error);

      if (scenario == NULL)
        return NULL;
    }

  g_ptr_array_add (ids, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}
