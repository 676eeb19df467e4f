/* test-cli-replay.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-cli-replay"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <string.h>

#include "ward-store.h"

/* Runs the built wardwatch-cli (path in $WARDWATCH_CLI) as a clinical
 * safety officer would: `wardwatch-cli replay` on the example scenario
 * of data/scenarios/replay/ and on files written to a temporary folder.
 * The expected scores are worked out from the RCP NEWS2 chart
 * (CLINICAL.md section 1), not taken from the program.
 */

typedef struct
{
  char      *stdout_text;
  char      *stderr_text;
  int        exit_status;
  GPtrArray *out;          /* JsonObject*, one per stdout line */
} CliRun;

static void
cli_run_free (CliRun *run)
{
  g_free (run->stdout_text);
  g_free (run->stderr_text);
  g_clear_pointer (&run->out, g_ptr_array_unref);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliRun, cli_run_free)

typedef struct
{
  char *dir;
} Fixture;

static const char *
get_cli (void)
{
  const char *cli = g_getenv ("WARDWATCH_CLI");

  if (cli == NULL || !g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;

  return cli;
}

static char *
source_path (const char *relative)
{
  const char *root = g_getenv ("WARD_SOURCE_DIR");

  g_assert_nonnull (root);
  return g_build_filename (root, relative, NULL);
}

static GPtrArray *
parse_lines (const char *text)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      if (*lines[i] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_ptr_array_add (objects, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }

  return objects;
}

static CliRun *
run_replay (Fixture            *fixture,
            const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CliRun *run = g_new0 (CliRun, 1);

  g_ptr_array_add (argv, (char *) get_cli ());
  g_ptr_array_add (argv, (char *) "replay");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_cwd (launcher, fixture->dir);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, "", NULL, &run->stdout_text, &run->stderr_text, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->exit_status = g_subprocess_get_exit_status (process);

  g_test_message ("replay -> %d\nstdout:\n%s\nstderr:\n%s", run->exit_status, run->stdout_text,
                  run->stderr_text);

  run->out = parse_lines (run->stdout_text);
  return run;
}

static void
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("wardwatch-cli-replay-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

#define REQUIRE_CLI() \
  G_STMT_START { \
    if (get_cli () == NULL) \
      { \
        g_test_skip ("WARDWATCH_CLI does not name the built wardwatch-cli"); \
        return; \
      } \
  } G_STMT_END

static JsonNode *
get_node (JsonObject *object,
          const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      JsonObject *current = node == NULL ? object :
                            JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      node = current != NULL ? json_object_get_member (current, parts[i]) : NULL;
      if (node == NULL)
        return NULL;
    }

  return node;
}

/* A member as text, for easy comparison: "null", "true", 15, "high". */
static const char *
get_text (JsonObject *object,
          const char *path)
{
  JsonNode *node = get_node (object, path);
  char text[64];

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return json_node_get_string (node);
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node) ? "true" : "false";
    case G_TYPE_INT64:
      g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, json_node_get_int (node));
      return g_intern_string (text);
    case G_TYPE_DOUBLE:
      g_snprintf (text, sizeof text, "%g", json_node_get_double (node));
      return g_intern_string (text);
    default:
      return NULL;
    }
}

/* The points per parameter, in the RCP chart's order:
 * rr spo2 air_or_oxygen sbp hr consciousness temp, "-" where absent.
 */
static char *
points_of (JsonObject *line)
{
  static const char * const params[] = {
    "rr", "spo2", "air_or_oxygen", "sbp", "hr", "consciousness", "temp"
  };
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    {
      g_autofree char *path = g_strconcat ("per_param.", params[i], NULL);
      const char *text = get_text (line, path);

      g_assert_nonnull (text);
      g_string_append_printf (str, "%s%s", i ? " " : "", g_str_equal (text, "null") ? "-" : text);
    }

  return g_string_free (str, FALSE);
}

static void
assert_line (JsonObject *line,
             const char *at,
             const char *total,
             const char *band,
             const char *complete,
             const char *final,
             const char *points,
             const char *flag_state,
             const char *flag_priority)
{
  g_autofree char *actual_points = points_of (line);

  g_assert_cmpstr (get_text (line, "at"), ==, at);
  g_assert_cmpstr (get_text (line, "patient"), ==, "p-ward-04");
  g_assert_cmpstr (get_text (line, "bed"), ==, "bed-04");
  g_assert_cmpstr (get_text (line, "total"), ==, total);
  g_assert_cmpstr (get_text (line, "band"), ==, band);
  g_assert_cmpstr (get_text (line, "complete"), ==, complete);
  g_assert_cmpstr (get_text (line, "final"), ==, final);
  g_assert_cmpstr (actual_points, ==, points);
  if (flag_state == NULL)
    g_assert_cmpstr (get_text (line, "flag"), ==, "null");
  else
    {
      g_assert_cmpstr (get_text (line, "flag.state"), ==, flag_state);
      g_assert_cmpstr (get_text (line, "flag.priority"), ==, flag_priority);
    }
}

static void
assert_input (JsonObject *line,
              const char *param,
              const char *value,
              const char *source,
              const char *observed_at,
              const char *age_s)
{
  g_autofree char *base = g_strconcat ("inputs.", param, ".", NULL);
  g_autofree char *v = g_strconcat (base, "value", NULL);
  g_autofree char *s = g_strconcat (base, "source", NULL);
  g_autofree char *o = g_strconcat (base, "observed_at", NULL);
  g_autofree char *a = g_strconcat (base, "age_s", NULL);

  g_assert_cmpstr (get_text (line, v), ==, value);
  g_assert_cmpstr (get_text (line, s), ==, source);
  g_assert_cmpstr (get_text (line, o), ==, observed_at);
  g_assert_cmpstr (get_text (line, a), ==, age_s);
}

/* The README's documented output of the example: the JSON lines of the
 * code block after the <!-- replay-example-output --> marker.
 */
static GPtrArray *
read_documented_lines (void)
{
  g_autofree char *readme = source_path ("README.md");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *objects;
  const char *start, *end;
  g_autofree char *block = NULL;

  g_file_get_contents (readme, &text, NULL, &error);
  g_assert_no_error (error);
  start = strstr (text, "<!-- replay-example-output -->\n```json\n");
  g_assert_nonnull (start);
  start = strchr (strchr (start, '\n') + 1, '\n') + 1;
  end = strstr (start, "```");
  g_assert_nonnull (end);
  block = g_strndup (start, end - start);
  objects = parse_lines (block);

  return objects;
}

/* The example scenario: a monitor, a nurse's round on a deteriorating
 * patient, the monitor agreeing, a doctor's confirmation.
 */
static void
test_example_scenario (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *ward = source_path ("data/scenarios/replay/ward.json");
  g_autofree char *events = source_path ("data/scenarios/replay/nurse-round.ndjson");
  g_autofree char *ward_arg = g_strconcat ("--ward=", ward, NULL);
  const char * const args[] = { ward_arg, events, NULL };
  g_autoptr(CliRun) run = NULL;
  g_autoptr(GPtrArray) documented = NULL;
  JsonObject *line;

  REQUIRE_CLI ();

  run = run_replay (fixture, args);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->stderr_text, ==, "");
  g_assert_cmpuint (run->out->len, ==, 5);

  /* 10:00 monitor: RR 20 (12-20) 0, SpO2 95 % (Scale 1, 94-95) 1,
   * pulse 96 (91-110) 1; no BP, consciousness, air/oxygen or
   * temperature yet: partial, 2, low.
   */
  line = run->out->pdata[0];
  assert_line (line, "2026-03-02T10:00:00.000Z", "2", "low", "false", "false",
               "0 1 - - 1 - -", NULL, NULL);
  assert_input (line, "rr", "20", "device", "2026-03-02T10:00:00.000Z", "0");
  assert_input (line, "hr", "96", "device", "2026-03-02T10:00:00.000Z", "0");
  g_assert_cmpstr (get_text (line, "inputs.temp"), ==, "null");

  /* NIBP 108 (101-110) 1: 3, low. */
  line = run->out->pdata[1];
  assert_line (line, "2026-03-02T10:00:30.000Z", "3", "low", "false", "false",
               "0 1 - 1 1 - -", NULL, NULL);
  assert_input (line, "sbp", "108", "device", "2026-03-02T10:00:30.000Z", "0");
  assert_input (line, "spo2", "95", "device", "2026-03-02T10:00:00.000Z", "30");

  /* 38.3 °C (38.1-39.0) 1: 4, low. */
  line = run->out->pdata[2];
  assert_line (line, "2026-03-02T10:01:00.000Z", "4", "low", "false", "false",
               "0 1 - 1 1 - 1", NULL, NULL);
  assert_input (line, "temp", "38.3", "device", "2026-03-02T10:01:00.000Z", "0");

  /* The round: RR 28 (>= 25) 3, SpO2 91 % (<= 91) 3, oxygen 2, BP 104
   * (101-110) 1, pulse 118 (111-130) 2, new confusion 3, 38.5 °C
   * (38.1-39.0) 1: 15, high (>= 7), complete.  A full round is a nurse's
   * judgement, not a device artefact: the flag opens at high at once,
   * without the open delay.
   */
  line = run->out->pdata[3];
  assert_line (line, "2026-03-02T10:02:00.000Z", "15", "high", "true", "false",
               "3 3 2 1 2 3 1", "open", "high");
  assert_input (line, "rr", "28", "nurse", "2026-03-02T10:02:00.000Z", "0");
  assert_input (line, "spo2", "91", "nurse", "2026-03-02T10:02:00.000Z", "0");
  assert_input (line, "air_or_oxygen", "oxygen", "nurse", "2026-03-02T10:02:00.000Z", "0");
  assert_input (line, "consciousness", "C", "nurse", "2026-03-02T10:02:00.000Z", "0");
  assert_input (line, "temp", "38.5", "nurse", "2026-03-02T10:02:00.000Z", "0");
  g_assert_cmpstr (get_text (line, "inputs.rr.entered_by"), ==, "rn-patel");

  /* The monitor then sends RR 28 (3), SpO2 90 % (3) and pulse 120 (2):
   * no parameter scores more than the nurse's value, so the nurse's
   * values stay in the score and nothing is printed until the doctor
   * confirms at 10:05:30, inside the step of the window ending 10:10:
   * final.
   */
  line = run->out->pdata[4];
  assert_line (line, "2026-03-02T10:05:30.000Z", "15", "high", "true", "true",
               "3 3 2 1 2 3 1", "open", "high");
  assert_input (line, "hr", "118", "nurse", "2026-03-02T10:02:00.000Z", "210");
  assert_input (line, "temp", "38.5", "nurse", "2026-03-02T10:02:00.000Z", "210");

  /* The README documents these lines (inputs left out): each member it
   * shows is the replay's.
   */
  documented = read_documented_lines ();
  g_assert_cmpuint (documented->len, ==, run->out->len);
  for (guint i = 0; i < documented->len; i++)
    {
      JsonObject *doc = documented->pdata[i];
      g_autoptr(GList) members = json_object_get_members (doc);

      g_assert_cmpuint (g_list_length (members), >=, 8);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *expected = json_object_get_member (doc, l->data);
          JsonNode *actual = json_object_get_member (run->out->pdata[i], l->data);

          g_test_message ("README line %u, %s", i + 1, (const char *) l->data);
          g_assert_nonnull (actual);
          g_assert_true (json_node_equal (expected, actual));
        }
    }
}

/* Bad lines are reported with their line number and skipped; the lines
 * around them are replayed; the exit status says some line was bad.
 */
static void
test_bad_lines (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *ward = source_path ("data/scenarios/replay/ward.json");
  g_autofree char *ward_arg = g_strconcat ("--ward=", ward, NULL);
  const char * const args[] = { ward_arg, "events.ndjson", NULL };
  g_autoptr(CliRun) run = NULL;
  static const struct {
    guint       line;
    const char *reason;
  } expected[] = {
    { 2, "not valid JSON" },
    { 3, "unknown kind of event “acknowledge”" },
    { 4, "out of time order: 2026-03-02T09:59:00.000Z is before the previous event's "
         "2026-03-02T10:00:00.000Z; line skipped" },
    { 5, "unknown patient “p-nobody”: not in the ward file; line skipped" },
    { 7, "nurse.rr: impossible value 300" },
    { 8, "nurse: unknown member “spo2_scale”; line skipped" },
    { 9, "device message refused: device mon-99 is not assigned to a patient; kept as a dead letter" },
    { 10, "device message partly refused: spo2.spo2: impossible value 130; its other values were used" },
    { 11, "confirm.by (who entered it) is required; line skipped" },
    { 12, "\"at\": expected a time" },
    { 13, "one event per line: both" },
  };
  g_auto(GStrv) errors = NULL;
  JsonObject *line;

  REQUIRE_CLI ();

  write_file (fixture, "events.ndjson",
    /* 1 */ "{\"at\": \"2026-03-02T10:00:00Z\", \"device\": \"mon-04\", \"message\": {\"deviceId\": \"mon-04\", "
            "\"messageId\": \"a1\", \"kind\": \"vitals\", \"measuredAt\": \"2026-03-02T10:00:00Z\", "
            "\"heartRate\": 96, \"respiratoryRate\": 20, \"spo2\": 95}}\n"
    /* 2 */ "not json\n"
    /* 3 */ "{\"at\": \"2026-03-02T10:01:00Z\", \"acknowledge\": {\"patient\": \"p-ward-04\"}}\n"
    /* 4 */ "{\"at\": \"2026-03-02T09:59:00Z\", \"confirm\": {\"patient\": \"p-ward-04\", \"by\": \"x\"}}\n"
    /* 5 */ "{\"at\": \"2026-03-02T10:01:00Z\", \"nurse\": {\"patient\": \"p-nobody\", \"by\": \"rn\", \"rr\": 30}}\n"
    /* 6 */ "\n"
    /* 7 */ "{\"at\": \"2026-03-02T10:01:00Z\", \"nurse\": {\"patient\": \"p-ward-04\", \"by\": \"rn\", \"rr\": 300}}\n"
    /* 8 */ "{\"at\": \"2026-03-02T10:01:00Z\", \"nurse\": {\"patient\": \"p-ward-04\", \"by\": \"rn\", \"rr\": 30, "
            "\"spo2_scale\": 2}}\n"
    /* 9 */ "{\"at\": \"2026-03-02T10:01:10Z\", \"device\": \"mon-99\", \"message\": {\"deviceId\": \"mon-99\", "
            "\"messageId\": \"a2\", \"kind\": \"vitals\", \"measuredAt\": \"2026-03-02T10:01:10Z\", \"heartRate\": 96}}\n"
    /* 10 */ "{\"at\": \"2026-03-02T10:01:20Z\", \"device\": \"mon-04\", \"message\": {\"deviceId\": \"mon-04\", "
             "\"messageId\": \"a3\", \"kind\": \"vitals\", \"measuredAt\": \"2026-03-02T10:01:20Z\", "
             "\"heartRate\": 112, \"spo2\": 130}}\n"
    /* 11 */ "{\"at\": \"2026-03-02T10:01:30Z\", \"confirm\": {\"patient\": \"p-ward-04\"}}\n"
    /* 12 */ "{\"at\": \"ten o'clock\", \"confirm\": {\"patient\": \"p-ward-04\", \"by\": \"x\"}}\n"
    /* 13 */ "{\"at\": \"2026-03-02T10:01:40Z\", \"confirm\": {\"patient\": \"p-ward-04\", \"by\": \"x\"}, "
             "\"nurse\": {\"patient\": \"p-ward-04\", \"by\": \"x\", \"rr\": 12}}\n"
    /* 14 */ "{\"at\": \"2026-03-02T10:02:00Z\", \"nurse\": {\"patient\": \"p-ward-04\", \"by\": \"rn\", \"rr\": 25}}\n");

  run = run_replay (fixture, args);
  g_assert_cmpint (run->exit_status, ==, 1);

  errors = g_strsplit (run->stderr_text, "\n", -1);
  g_assert_cmpuint (g_strv_length (errors), ==, G_N_ELEMENTS (expected) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("events.ndjson:%u: ", expected[i].line);

      g_assert_true (g_str_has_prefix (errors[i], prefix));
      g_assert_nonnull (strstr (errors[i], expected[i].reason));
    }

  /* Line 1: RR 20 0, SpO2 95 % 1, pulse 96 1: 2, low.  Line 10's pulse
   * 112 (111-130) 2 is used, its SpO2 of 130 % is not: 3, low.  Line 14:
   * RR 25 (>= 25) 3 with SpO2 95 % 1 and pulse 112 2: 6, medium.
   */
  g_assert_cmpuint (run->out->len, ==, 3);
  line = run->out->pdata[0];
  g_assert_cmpstr (get_text (line, "at"), ==, "2026-03-02T10:00:00.000Z");
  g_assert_cmpstr (get_text (line, "total"), ==, "2");
  line = run->out->pdata[1];
  g_assert_cmpstr (get_text (line, "at"), ==, "2026-03-02T10:01:20.000Z");
  g_assert_cmpstr (get_text (line, "total"), ==, "3");
  g_assert_cmpstr (get_text (line, "per_param.hr"), ==, "2");
  g_assert_cmpstr (get_text (line, "inputs.spo2.value"), ==, "95");
  line = run->out->pdata[2];
  g_assert_cmpstr (get_text (line, "at"), ==, "2026-03-02T10:02:00.000Z");
  g_assert_cmpstr (get_text (line, "total"), ==, "6");
  g_assert_cmpstr (get_text (line, "band"), ==, "medium");
  g_assert_cmpstr (get_text (line, "per_param.rr"), ==, "3");
  g_assert_cmpstr (get_text (line, "inputs.rr.source"), ==, "nurse");
}

/* The example replayed into a database: what the replay stored is
 * there for the other commands (stats, export) to read.
 */
static void
test_db (Fixture       *fixture,
         gconstpointer  data)
{
  g_autofree char *ward = source_path ("data/scenarios/replay/ward.json");
  g_autofree char *events = source_path ("data/scenarios/replay/nurse-round.ndjson");
  g_autofree char *ward_arg = g_strconcat ("--ward=", ward, NULL);
  g_autofree char *db = g_build_filename (fixture->dir, "replay.db", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  const char * const args[] = { ward_arg, db_arg, events, NULL };
  g_autoptr(CliRun) run = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardStoreCounts counts;

  REQUIRE_CLI ();

  run = run_replay (fixture, args);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->out->len, ==, 5);

  store = ward_store_open_readonly (db, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_get_counts (store, &counts, &error));
  g_assert_no_error (error);
  /* 11 lines: 9 device messages (7 vitals of HR, RR and SpO2; one NIBP
   * of systolic, diastolic and mean; one temperature), a round of 8
   * values and a confirmation.
   */
  g_assert_cmpint (counts.patients, ==, 1);
  g_assert_cmpint (counts.raw_messages, ==, 9);
  g_assert_cmpint (counts.measurements, ==, 7 * 3 + 3 + 1 + 8);
  g_assert_cmpint (counts.dead_letters, ==, 0);
  g_assert_cmpint (counts.flags_open, ==, 1);
  g_assert_cmpint (counts.scores, >=, 2);
}

/* The ward file is read as the wardwatch start reads it: a device or a
 * patient in two beds, or an invalid NHS number, stops the replay before
 * anything is played.
 */
static void
test_ward_file_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  static const struct {
    const char *ward;
    const char *message;
  } cases[] = {
    { "{\"beds\": ["
      "{\"id\": \"bed-03\", \"label\": \"Bed 3\", \"patient\": {\"id\": \"p-3\"}, \"devices\": [\"mon-7\"]},"
      "{\"id\": \"bed-12\", \"label\": \"Bed 12\", \"patient\": {\"id\": \"p-12\"}, \"devices\": [\"mon-7\"]}]}",
      "ward.json: Device mon-7 is listed for Bed 3 (bed-03) and Bed 12 (bed-12)\n" },
    { "{\"beds\": ["
      "{\"id\": \"bed-03\", \"label\": \"Bed 3\", \"patient\": {\"id\": \"p-ward-04\"}},"
      "{\"id\": \"bed-12\", \"label\": \"Bed 12\", \"patient\": {\"id\": \"p-ward-04\"}}]}",
      "ward.json: Patient p-ward-04 is listed for Bed 3 (bed-03) and Bed 12 (bed-12)\n" },
    { "{\"beds\": [{\"id\": \"bed-04\", \"patient\": {\"id\": \"p-ward-04\", \"identifier\": ["
      "{\"system\": \"https://fhir.nhs.uk/Id/nhs-number\", \"value\": \"9434765918\"}]}}]}",
      "ward.json: beds[0]: patient.identifier[0]: not a valid NHS number (ten digits, no spaces, "
      "the last the modulus-11 check digit of the others)\n" },
  };

  REQUIRE_CLI ();

  write_file (fixture, "events.ndjson",
              "{\"at\": \"2026-03-02T10:00:00Z\", \"confirm\": {\"patient\": \"p-ward-04\", \"by\": \"x\"}}\n");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char * const args[] = { "--ward=ward.json", "events.ndjson", NULL };
      g_autoptr(CliRun) run = NULL;
      g_autofree char *expected = g_strconcat ("wardwatch-cli replay: ", cases[i].message, NULL);

      write_file (fixture, "ward.json", cases[i].ward);
      run = run_replay (fixture, args);
      g_assert_cmpint (run->exit_status, ==, 2);
      g_assert_cmpstr (run->stdout_text, ==, "");
      g_assert_cmpstr (run->stderr_text, ==, expected);
    }
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  const char * const no_ward[] = { "events.ndjson", NULL };
  const char * const no_events[] = { "--ward=ward.json", NULL };
  const char * const missing[] = { "--ward=ward.json", "nothing-here.ndjson", NULL };
  g_autoptr(CliRun) run = NULL;

  REQUIRE_CLI ();

  run = run_replay (fixture, no_ward);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text, "--ward=FILE is required"));
  g_clear_pointer (&run, cli_run_free);

  run = run_replay (fixture, no_events);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text, "expected one events file"));
  g_clear_pointer (&run, cli_run_free);

  run = run_replay (fixture, missing);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text, "cannot open nothing-here.ndjson"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cli/replay/example-scenario", test_example_scenario);
  ADD ("/cli/replay/bad-lines", test_bad_lines);
  ADD ("/cli/replay/db", test_db);
  ADD ("/cli/replay/ward-file-refused", test_ward_file_refused);
  ADD ("/cli/replay/usage", test_usage);
#undef ADD

  return g_test_run ();
}
