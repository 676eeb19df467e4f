/* test-cli-map.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-cli-map"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <string.h>

/* Runs the built wardwatch-cli (path in $WARDWATCH_CLI) as a user would:
 * `wardwatch-cli map` on files written to a temporary folder, reading
 * stdout, stderr and the exit status.
 */

typedef struct
{
  char      *stdout_text;
  char      *stderr_text;
  int        exit_status;
  GPtrArray *out;          /* JsonObject*, one per stdout line */
  GPtrArray *err;          /* JsonObject*, one per stderr line (when JSON) */
} CliRun;

static void
cli_run_free (CliRun *run)
{
  g_free (run->stdout_text);
  g_free (run->stderr_text);
  g_clear_pointer (&run->out, g_ptr_array_unref);
  g_clear_pointer (&run->err, g_ptr_array_unref);
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

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

static GPtrArray *
parse_lines (const char *text,
             gboolean    must_be_json)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonObject *object;

      if (*lines[i] == '\0')
        continue;

      object = parse_object (lines[i]);
      if (object == NULL)
        {
          if (must_be_json)
            g_error ("not a JSON object: %s", lines[i]);
          continue;
        }
      g_ptr_array_add (objects, object);
    }

  return objects;
}

static CliRun *
run_cli (Fixture            *fixture,
         const char * const *args,
         const char         *input)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CliRun *run = g_new0 (CliRun, 1);

  g_ptr_array_add (argv, (char *) get_cli ());
  g_ptr_array_add (argv, (char *) "map");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_cwd (launcher, fixture->dir);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL,
                                 &run->stdout_text, &run->stderr_text, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->exit_status = g_subprocess_get_exit_status (process);

  g_test_message ("map%s%s -> %d\nstdout:\n%s\nstderr:\n%s", args[0] ? " " : "", args[0] ? args[0] : "",
                  run->exit_status, run->stdout_text, run->stderr_text);

  /* --check writes text; everything else writes JSON lines. */
  run->out = parse_lines (run->stdout_text, !g_strv_contains (args, "--check"));
  run->err = parse_lines (run->stderr_text, FALSE);
  return run;
}

static void
write_file (Fixture    *fixture,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("wardwatch-cli-map-XXXXXX", &error);
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

static const char monitor_messages[] =
  "{\"deviceId\":\"sim-monitor-01\",\"messageId\":\"sim-monitor-01-000001\",\"kind\":\"vitals\","
  "\"measuredAt\":\"2024-05-01T10:00:00.000Z\",\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97}\n"
  "\n"
  "{\"deviceId\":\"sim-monitor-01\",\"messageId\":\"sim-monitor-01-000002\",\"kind\":\"nibp\","
  "\"measuredAt\":\"2024-05-01T10:00:05.000Z\",\"systolic\":128,\"diastolic\":78,\"mean\":95}\n"
  "{\"deviceId\":\"sim-monitor-01\",\"messageId\":\"sim-monitor-01-000003\",\"kind\":\"temperature\","
  "\"measuredAt\":\"2024-05-01T10:00:06.000Z\",\"temperature\":37.0}\n";

static const char *
get_string (JsonObject *object,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;
  char number[64];

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *end = NULL;
      guint64 index = g_ascii_strtoull (parts[i], &end, 10);

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node) && end != parts[i] && *end == '\0')
        {
          JsonArray *array = json_node_get_array (node);

          node = index < json_array_get_length (array) ? json_array_get_element (array, (guint) index) : NULL;
        }
      else
        {
          JsonObject *current = node == NULL ? object : JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

          node = current != NULL ? json_object_get_member (current, parts[i]) : NULL;
        }

      if (node == NULL)
        return NULL;
    }

  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  /* Numbers as text, for easy comparison. */
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    g_snprintf (number, sizeof number, "%g", json_node_get_double (node));
  else
    return NULL;

  return g_intern_string (number);
}

static void
test_normalized (Fixture       *fixture,
                 gconstpointer  data)
{
  const char * const args[] = { "--normalized", "monitor.jsonl", NULL };
  g_autoptr(CliRun) run = NULL;
  JsonObject *m;

  REQUIRE_CLI ();

  write_file (fixture, "monitor.jsonl", monitor_messages, -1);
  run = run_cli (fixture, args, NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->stderr_text, ==, "");
  g_assert_cmpuint (run->out->len, ==, 5);

  m = run->out->pdata[0];
  g_assert_cmpstr (get_string (m, "type"), ==, "heartrate");
  g_assert_cmpstr (get_string (m, "occurrenceTimeUtc"), ==, "2024-05-01T10:00:00.000Z");
  g_assert_cmpstr (get_string (m, "deviceId"), ==, "sim-monitor-01");
  g_assert_cmpstr (get_string (m, "correlationId"), ==, "sim-monitor-01-000001");
  g_assert_cmpstr (get_string (m, "properties.0.name"), ==, "hr");
  g_assert_cmpstr (get_string (m, "properties.0.value"), ==, "72");
  g_assert_cmpstr (get_string (run->out->pdata[1], "type"), ==, "respiratoryrate");
  g_assert_cmpstr (get_string (run->out->pdata[2], "type"), ==, "spo2");

  m = run->out->pdata[3];
  g_assert_cmpstr (get_string (m, "type"), ==, "bloodpressure");
  g_assert_cmpstr (get_string (m, "properties.0.name"), ==, "systolic");
  g_assert_cmpstr (get_string (m, "properties.1.name"), ==, "diastolic");
  g_assert_cmpstr (get_string (m, "properties.2.name"), ==, "mean");
  g_assert_cmpstr (get_string (m, "properties.2.value"), ==, "95");

  /* 37.0 is stored as the connector stores it: "37". */
  g_assert_cmpstr (get_string (run->out->pdata[4], "properties.0.value"), ==, "37");
}

static void
test_observations (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const args[] = { "monitor.jsonl", NULL };
  g_autoptr(CliRun) run = NULL;
  JsonObject *o;

  REQUIRE_CLI ();

  write_file (fixture, "monitor.jsonl", monitor_messages, -1);
  run = run_cli (fixture, args, NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->out->len, ==, 5);

  o = run->out->pdata[0];
  g_assert_cmpstr (get_string (o, "resourceType"), ==, "Observation");
  g_assert_cmpstr (get_string (o, "meta.profile.0"), ==, "http://hl7.org/fhir/StructureDefinition/vitalsigns");
  g_assert_cmpstr (get_string (o, "status"), ==, "final");
  g_assert_cmpstr (get_string (o, "category.0.coding.0.system"), ==,
                   "http://terminology.hl7.org/CodeSystem/observation-category");
  g_assert_cmpstr (get_string (o, "category.0.coding.0.code"), ==, "vital-signs");
  g_assert_cmpstr (get_string (o, "code.coding.0.system"), ==, "http://loinc.org");
  g_assert_cmpstr (get_string (o, "code.coding.0.code"), ==, "8867-4");
  g_assert_cmpstr (get_string (o, "code.coding.0.display"), ==, "Heart rate");
  g_assert_cmpstr (get_string (o, "effectiveDateTime"), ==, "2024-05-01T10:00:00.000Z");
  g_assert_cmpstr (get_string (o, "device.identifier.value"), ==, "sim-monitor-01");
  g_assert_null (json_object_get_member (o, "subject"));
  g_assert_cmpstr (get_string (o, "valueQuantity.value"), ==, "72");
  g_assert_cmpstr (get_string (o, "valueQuantity.system"), ==, "http://unitsofmeasure.org");
  g_assert_cmpstr (get_string (o, "valueQuantity.code"), ==, "/min");

  g_assert_cmpstr (get_string (run->out->pdata[1], "code.coding.0.code"), ==, "9279-1");
  g_assert_cmpstr (get_string (run->out->pdata[2], "code.coding.0.code"), ==, "2708-6");
  g_assert_cmpstr (get_string (run->out->pdata[2], "code.coding.1.code"), ==, "59408-5");
  g_assert_cmpstr (get_string (run->out->pdata[2], "valueQuantity.code"), ==, "%");

  o = run->out->pdata[3];
  g_assert_cmpstr (get_string (o, "code.coding.0.code"), ==, "85354-9");
  g_assert_null (json_object_get_member (o, "valueQuantity"));
  g_assert_cmpstr (get_string (o, "component.0.code.coding.0.code"), ==, "8480-6");
  g_assert_cmpstr (get_string (o, "component.0.valueQuantity.value"), ==, "128");
  g_assert_cmpstr (get_string (o, "component.0.valueQuantity.code"), ==, "mm[Hg]");
  g_assert_cmpstr (get_string (o, "component.1.code.coding.0.code"), ==, "8462-4");
  g_assert_cmpstr (get_string (o, "component.1.valueQuantity.value"), ==, "78");

  o = run->out->pdata[4];
  g_assert_cmpstr (get_string (o, "code.coding.0.code"), ==, "8310-5");
  g_assert_cmpstr (get_string (o, "valueQuantity.code"), ==, "Cel");
}

/* A mapping of one's own, a single pretty-printed message file that is
 * already in the Event Hub envelope, a patient id and a BOM.
 */
static void
test_own_mapping (Fixture       *fixture,
                  gconstpointer  data)
{
  const char * const args[] = { "--device-mapping=mine.json", "message.json", NULL };
  g_autoptr(CliRun) run = NULL;
  JsonObject *o;

  REQUIRE_CLI ();

  write_file (fixture, "mine.json",
              "\xef\xbb\xbf{\n"
              "  \"templateType\": \"collectionContent\",\n"
              "  \"template\": [\n"
              "    {\n"
              "      \"templateType\": \"CalculatedContent\",\n"
              "      \"template\": {\n"
              "        \"typeName\": \"heartrate\",\n"
              "        \"typeMatchExpression\": \"$..[?(@pulse)]\",\n"
              "        \"deviceIdExpression\": \"$.Body.device\",\n"
              "        \"timestampExpression\": \"$.matchedToken.at\",\n"
              "        \"patientIdExpression\": { \"value\": \"$.Properties.patient\" },\n"
              "        \"values\": [ { \"valueName\": \"hr\", \"valueExpression\": \"$.matchedToken.pulse\", \"required\": \"true\" } ]\n"
              "      }\n"
              "    }\n"
              "  ]\n"
              "}\n", -1);
  write_file (fixture, "message.json",
              "{\n"
              "  \"Body\": {\n"
              "    \"device\": \"band-7\",\n"
              "    \"readings\": [ { \"pulse\": 64, \"at\": \"2024-05-01T12:00:00+02:00\" },\n"
              "                  { \"pulse\": 66.5, \"at\": \"2024-05-01T10:01:00Z\" } ]\n"
              "  },\n"
              "  \"Properties\": { \"patient\": \"p-001\" }\n"
              "}\n", -1);

  run = run_cli (fixture, args, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->out->len, ==, 2);

  o = run->out->pdata[0];
  g_assert_cmpstr (get_string (o, "effectiveDateTime"), ==, "2024-05-01T10:00:00.000Z");
  g_assert_cmpstr (get_string (o, "subject.identifier.value"), ==, "p-001");
  g_assert_cmpstr (get_string (o, "device.identifier.value"), ==, "band-7");
  g_assert_cmpstr (get_string (o, "valueQuantity.value"), ==, "64");
  g_assert_cmpstr (get_string (run->out->pdata[1], "valueQuantity.value"), ==, "66.5");
}

/* Dead letters: a bad line is reported with its line and stage, and the
 * lines after it are mapped.
 */
static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  const char * const args[] = { "--normalized", "mixed.jsonl", NULL };
  g_autoptr(CliRun) run = NULL;
  JsonObject *e;

  REQUIRE_CLI ();

  write_file (fixture, "mixed.jsonl",
              "{\"deviceId\":\"m1\",\"messageId\":\"a\",\"measuredAt\":\"2024-05-01T10:00:00Z\",\"heartRate\":70}\n"
              "{\"deviceId\":\"m1\",\"messageId\":\"b\",\"measuredAt\":\"2024-05-01T10:00:05Z\",\"heartRa\n"
              "{\"messageId\":\"c\",\"measuredAt\":\"2024-05-01T10:00:10Z\",\"heartRate\":71}\n"
              "{\"deviceId\":\"m1\",\"messageId\":\"d\",\"measuredAt\":\"soon\",\"heartRate\":72}\n"
              "{\"deviceId\":\"m1\",\"messageId\":\"e\",\"measuredAt\":\"2024-05-01T10:00:20Z\",\"status\":\"probe-off\"}\n"
              "{\"deviceId\":\"m1\",\"messageId\":\"f\",\"measuredAt\":\"2024-05-01T10:00:25Z\",\"heartRate\":73}\n",
              -1);

  run = run_cli (fixture, args, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->out->len, ==, 2);
  g_assert_cmpstr (get_string (run->out->pdata[0], "correlationId"), ==, "a");
  g_assert_cmpstr (get_string (run->out->pdata[1], "correlationId"), ==, "f");

  g_assert_cmpuint (run->err->len, ==, 4);
  e = run->err->pdata[0];
  g_assert_cmpstr (get_string (e, "file"), ==, "mixed.jsonl");
  g_assert_cmpstr (get_string (e, "line"), ==, "2");
  g_assert_cmpstr (get_string (e, "stage"), ==, "parse");
  g_assert_nonnull (strstr (get_string (e, "reason"), "unterminated string"));

  e = run->err->pdata[1];
  g_assert_cmpstr (get_string (e, "line"), ==, "3");
  g_assert_cmpstr (get_string (e, "stage"), ==, "mapping");
  g_assert_true (g_str_has_prefix (get_string (e, "reason"),
                                   "Unable to extract required value for [DeviceIdExpression] using $.deviceId"));

  e = run->err->pdata[2];
  g_assert_cmpstr (get_string (e, "line"), ==, "4");
  g_assert_nonnull (strstr (get_string (e, "reason"), "[TimestampExpression]"));

  /* A message with nothing to map is a warning, not a failure. */
  e = run->err->pdata[3];
  g_assert_cmpstr (get_string (e, "line"), ==, "5");
  g_assert_true (json_object_get_boolean_member (e, "warning"));
}

static void
test_device_id_hint_and_stdin (Fixture       *fixture,
                               gconstpointer  data)
{
  const char * const args[] = { "--normalized", "--device-id=devices-topic-7", "-", NULL };
  g_autoptr(CliRun) run = NULL;

  REQUIRE_CLI ();

  run = run_cli (fixture, args,
                 "{\"messageId\":\"c\",\"measuredAt\":\"2024-05-01T10:00:10Z\",\"spo2\":96}");
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->out->len, ==, 1);
  g_assert_cmpstr (get_string (run->out->pdata[0], "deviceId"), ==, "devices-topic-7");
  g_assert_cmpstr (get_string (run->out->pdata[0], "type"), ==, "spo2");
}

static void
test_check (Fixture       *fixture,
            gconstpointer  data)
{
  const char * const bad_args[] = { "--check", "--device-mapping=bad.json", NULL };
  const char * const good_args[] = { "--check", "--device-mapping=good.json", NULL };
  g_autoptr(CliRun) bad = NULL;
  g_autoptr(CliRun) good = NULL;

  REQUIRE_CLI ();

  write_file (fixture, "bad.json",
              "{\n"
              "  \"templateType\": \"CollectionContent\",\n"
              "  \"template\": [\n"
              "    { \"templateType\": \"JsonPathContent\",\n"
              "      \"template\": {\n"
              "        \"typeName\": \"heartrate\",\n"
              "        \"typeMatchExpresion\": \"$..[?(@hr)]\",\n"
              "        \"deviceIdExpression\": \"$.device\",\n"
              "        \"timestampExpression\": \"$..[?(@.t\",\n"
              "        \"values\": [ { \"valueName\": \"hr\", \"valueExpression\": \"$.hr\" } ] } },\n"
              "    { \"templateType\": \"JsonPathContent\",\n"
              "      \"template\": { \"typeName\": \"spo2\", \"typeMatchExpression\": \"$..[?(@spo2)]\",\n"
              "        \"deviceIdExpression\": \"$.device\", \"timestampExpression\": \"$.t\" } }\n"
              "  ]\n"
              "}\n", -1);
  write_file (fixture, "good.json",
              "{\"templateType\":\"CollectionContent\",\"template\":[{\"templateType\":\"IotJsonPathContent\","
              "\"template\":{\"typeName\":\"hr\",\"typeMatchExpression\":\"$..[?(@Body.hr)]\","
              "\"values\":[{\"valueName\":\"hr\",\"valueExpression\":\"$.Body.hr\",\"required\":true}]}}]}", -1);

  bad = run_cli (fixture, bad_args, NULL);
  g_assert_cmpint (bad->exit_status, ==, 1);
  g_assert_nonnull (strstr (bad->stdout_text,
                            "bad.json:7:9: $.template[0].template.typeMatchExpresion: error: "
                            "Could not find member 'typeMatchExpresion' on object of type 'JsonPathContent'.\n"));
  g_assert_nonnull (strstr (bad->stdout_text,
                            "bad.json:9:32: $.template[0].template.timestampExpression: error: "
                            "TimestampExpression \"$..[?(@.t\" is not a valid JSONPath expression: column 10:"));
  g_assert_nonnull (strstr (bad->stdout_text,
                            "bad.json:5:19: $.template[0].template: error: "
                            "Required property 'TypeMatchExpression' not found in JSON.\n"));
  g_assert_nonnull (strstr (bad->stdout_text, "bad.json: 1 template usable, 3 errors, 0 warnings\n"));

  good = run_cli (fixture, good_args, NULL);
  g_assert_cmpint (good->exit_status, ==, 0);
  g_assert_cmpstr (good->stdout_text, ==, "good.json: 1 template usable, 0 errors, 0 warnings\n");
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  const char * const fhir[] = { "--fhir-mapping=fhir.json", "m.json", NULL };
  const char * const fhir_normalized[] = { "--fhir-mapping=fhir.json", "--normalized", "m.json", NULL };
  const char * const fhir_unusable[] = { "--fhir-mapping=unusable.json", "m.json", NULL };
  const char * const none[] = { NULL };
  const char * const unknown[] = { "--frobnicate", "m.json", NULL };
  const char * const missing[] = { "--device-mapping=nowhere.json", "m.json", NULL };
  const char * const check_alone[] = { "--check", NULL };
  const char * const unusable[] = { "--device-mapping=unusable.json", "m.json", NULL };
  g_autoptr(CliRun) run = NULL;

  REQUIRE_CLI ();

  write_file (fixture, "unusable.json", "{\"templateType\":\"JsonPathContent\",\"template\":{}}", -1);

  /* A FHIR mapping that is not there, or not usable, or with
   * --normalized, which writes no Observation.
   */
  run = run_cli (fixture, fhir, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text, "fhir.json"));
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (fixture, fhir_normalized, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text, "--normalized"));
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (fixture, fhir_unusable, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text,
                            "unusable.json:1:17: Expected TemplateType value CollectionFhirTemplate, actual "
                            "JsonPathContent."));
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (fixture, none, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (fixture, unknown, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (fixture, missing, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text, "nowhere.json"));
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (fixture, check_alone, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (fixture, unusable, NULL);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text,
                            "unusable.json:1:17: Expected TemplateType value CollectionContentTemplate, actual "
                            "JsonPathContent."));
}

/* FHIR destination mappings */

#define SERVICE_SYSTEM "https://azure.microsoft.com/en-us/services/iomt-fhir-connector/"

/* The connector's ids, computed here independently: SHA-256 of
 * "{system}_{value}".
 */
static char *
connector_id (const char *system,
              const char *value)
{
  g_autofree char *input = g_strconcat (system != NULL ? system : "", "_", value, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
}

static const char bedside_mapping[] =
  "{\"templateType\":\"CollectionContent\",\"template\":["
  "{\"templateType\":\"JsonPathContent\",\"template\":{\"typeName\":\"heartrate\","
  "\"typeMatchExpression\":\"$..[?(@hr)]\",\"deviceIdExpression\":\"$.device\",\"timestampExpression\":\"$.at\","
  "\"patientIdExpression\":\"$.patient\",\"values\":[{\"valueName\":\"hr\",\"valueExpression\":\"$.hr\",\"required\":true}]}},"
  "{\"templateType\":\"JsonPathContent\",\"template\":{\"typeName\":\"bloodpressure\","
  "\"typeMatchExpression\":\"$..[?(@sys)]\",\"deviceIdExpression\":\"$.device\",\"timestampExpression\":\"$.at\","
  "\"patientIdExpression\":\"$.patient\",\"values\":[{\"valueName\":\"systolic\",\"valueExpression\":\"$.sys\",\"required\":true},"
  "{\"valueName\":\"diastolic\",\"valueExpression\":\"$.dia\",\"required\":true}]}},"
  "{\"templateType\":\"JsonPathContent\",\"template\":{\"typeName\":\"steps\","
  "\"typeMatchExpression\":\"$..[?(@steps)]\",\"deviceIdExpression\":\"$.device\",\"timestampExpression\":\"$.at\","
  "\"values\":[{\"valueName\":\"steps\",\"valueExpression\":\"$.steps\",\"required\":true}]}}]}";

/* Heart rate sampled every 10 s, grouped by the hour; blood pressure
 * one Observation per reading.
 */
static const char bedside_fhir_mapping[] =
  "{\n"
  "  \"templateType\": \"CollectionFhir\",\n"
  "  \"template\": [\n"
  "    { \"templateType\": \"CodeValueFhir\",\n"
  "      \"template\": { \"typeName\": \"heartrate\", \"periodInterval\": 60,\n"
  "        \"codes\": [ { \"code\": \"8867-4\", \"system\": \"http://loinc.org\", \"display\": \"Heart rate\" } ],\n"
  "        \"value\": { \"valueName\": \"hr\", \"valueType\": \"SampledData\", \"defaultPeriod\": 10000, \"unit\": \"/min\" } } },\n"
  "    { \"templateType\": \"CodeValueFhir\",\n"
  "      \"template\": { \"typeName\": \"bloodpressure\", \"periodInterval\": 0,\n"
  "        \"category\": [ { \"text\": \"Vital Signs\", \"codes\": [ { \"code\": \"vital-signs\",\n"
  "          \"system\": \"http://terminology.hl7.org/CodeSystem/observation-category\" } ] } ],\n"
  "        \"codes\": [ { \"code\": \"85354-9\", \"system\": \"http://loinc.org\" } ],\n"
  "        \"components\": [\n"
  "          { \"codes\": [ { \"code\": \"8480-6\", \"system\": \"http://loinc.org\" } ],\n"
  "            \"value\": { \"valueName\": \"systolic\", \"valueType\": \"Quantity\", \"unit\": \"mmHg\", \"code\": \"mm[Hg]\",\n"
  "                       \"system\": \"http://unitsofmeasure.org\" } },\n"
  "          { \"codes\": [ { \"code\": \"8462-4\", \"system\": \"http://loinc.org\" } ],\n"
  "            \"value\": { \"valueName\": \"diastolic\", \"valueType\": \"Quantity\", \"unit\": \"mmHg\", \"code\": \"mm[Hg]\",\n"
  "                       \"system\": \"http://unitsofmeasure.org\" } } ] } }\n"
  "  ]\n"
  "}\n";

/* Messages of two files, grouped together: the heart rates of one hour,
 * from both files, are one Observation.
 */
static void
test_fhir_mapping (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const args[] = { "--device-mapping=bedside.json", "--fhir-mapping=bedside-fhir.json",
                                "first.jsonl", "second.jsonl", NULL };
  g_autoptr(CliRun) run = NULL;
  g_autofree char *patient = connector_id (NULL, "p-001");
  g_autofree char *device = connector_id (NULL, "bed-7");
  g_autofree char *hr_identifier = NULL;
  g_autofree char *hr_id = NULL;
  g_autofree char *bp_identifier = NULL;
  g_autofree char *bp_id = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *device_reference = NULL;
  g_auto(GStrv) samples = NULL;
  JsonObject *o;
  JsonObject *e;

  REQUIRE_CLI ();

  write_file (fixture, "bedside.json", bedside_mapping, -1);
  write_file (fixture, "bedside-fhir.json", bedside_fhir_mapping, -1);
  write_file (fixture, "first.jsonl",
              "{\"device\":\"bed-7\",\"patient\":\"p-001\",\"at\":\"2024-05-01T10:00:00Z\",\"hr\":72}\n"
              "{\"device\":\"bed-7\",\"patient\":\"p-001\",\"at\":\"2024-05-01T10:05:03Z\",\"sys\":128,\"dia\":78}\n"
              "{\"device\":\"bed-7\",\"patient\":\"p-001\",\"at\":\"2024-05-01T10:00:20Z\",\"hr\":74}\n", -1);
  write_file (fixture, "second.jsonl",
              "{\"device\":\"bed-7\",\"patient\":\"p-001\",\"at\":\"2024-05-01T10:00:10+00:00\",\"hr\":\"73.5\"}\n"
              "{\"device\":\"bed-7\",\"at\":\"2024-05-01T10:01:00Z\",\"steps\":12}\n", -1);

  run = run_cli (fixture, args, NULL);

  /* steps has no FHIR template: an error on its line; the rest is written. */
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->out->len, ==, 2);
  g_assert_cmpuint (run->err->len, ==, 1);
  e = run->err->pdata[0];
  g_assert_cmpstr (get_string (e, "file"), ==, "second.jsonl");
  g_assert_cmpstr (get_string (e, "line"), ==, "2");
  g_assert_cmpstr (get_string (e, "stage"), ==, "mapping");
  g_assert_true (g_str_has_prefix (get_string (e, "reason"), "No Fhir Template exists with the type name [steps]."));
  g_assert_false (json_object_has_member (e, "warning"));

  subject = g_strdup_printf ("Patient/%s", patient);
  device_reference = g_strdup_printf ("Device/%s", device);

  /* Heart rate: the hour, three samples 10 s apart, 360 slots. */
  hr_identifier = g_strdup_printf ("%s.%s.heartrate.20240501100000Z.20240501105959Z", patient, device);
  hr_id = connector_id (SERVICE_SYSTEM, hr_identifier);
  o = run->out->pdata[0];
  g_assert_cmpstr (get_string (o, "resourceType"), ==, "Observation");
  g_assert_cmpstr (get_string (o, "id"), ==, hr_id);
  g_assert_cmpstr (get_string (o, "identifier.0.system"), ==, SERVICE_SYSTEM);
  g_assert_cmpstr (get_string (o, "identifier.0.value"), ==, hr_identifier);
  g_assert_cmpstr (get_string (o, "status"), ==, "final");
  g_assert_cmpstr (get_string (o, "code.coding.0.code"), ==, "8867-4");
  g_assert_cmpstr (get_string (o, "code.coding.1.system"), ==, SERVICE_SYSTEM);
  g_assert_cmpstr (get_string (o, "code.coding.1.code"), ==, "heartrate");
  g_assert_cmpstr (get_string (o, "code.text"), ==, "heartrate");
  g_assert_cmpstr (get_string (o, "subject.reference"), ==, subject);
  g_assert_cmpstr (get_string (o, "device.reference"), ==, device_reference);
  g_assert_cmpstr (get_string (o, "effectivePeriod.start"), ==, "2024-05-01T10:00:00.0000000Z");
  g_assert_cmpstr (get_string (o, "effectivePeriod.end"), ==, "2024-05-01T10:59:59.9999999Z");
  g_assert_cmpstr (get_string (o, "valueSampledData.period"), ==, "10000");
  g_assert_cmpstr (get_string (o, "valueSampledData.origin.unit"), ==, "/min");
  samples = g_strsplit (get_string (o, "valueSampledData.data"), " ", -1);
  g_assert_cmpuint (g_strv_length (samples), ==, 360);
  g_assert_cmpstr (samples[0], ==, "72");
  g_assert_cmpstr (samples[1], ==, "73.5");
  g_assert_cmpstr (samples[2], ==, "74");
  g_assert_cmpstr (samples[3], ==, "E");

  /* Blood pressure: one reading, Quantity components. */
  bp_identifier = g_strdup_printf ("%s.%s.bloodpressure.20240501100503Z.20240501100503Z", patient, device);
  bp_id = connector_id (SERVICE_SYSTEM, bp_identifier);
  o = run->out->pdata[1];
  g_assert_cmpstr (get_string (o, "id"), ==, bp_id);
  g_assert_cmpstr (get_string (o, "category.0.coding.0.code"), ==, "vital-signs");
  g_assert_cmpstr (get_string (o, "code.coding.0.code"), ==, "85354-9");
  g_assert_cmpstr (get_string (o, "effectivePeriod.start"), ==, "2024-05-01T10:05:03.0000000Z");
  g_assert_cmpstr (get_string (o, "effectivePeriod.end"), ==, "2024-05-01T10:05:03.0000000Z");
  g_assert_null (json_object_get_member (o, "valueQuantity"));
  g_assert_cmpstr (get_string (o, "component.0.code.coding.0.code"), ==, "8480-6");
  g_assert_cmpstr (get_string (o, "component.0.code.text"), ==, "systolic");
  g_assert_cmpstr (get_string (o, "component.0.valueQuantity.value"), ==, "128");
  g_assert_cmpstr (get_string (o, "component.0.valueQuantity.unit"), ==, "mmHg");
  g_assert_cmpstr (get_string (o, "component.0.valueQuantity.code"), ==, "mm[Hg]");
  g_assert_cmpstr (get_string (o, "component.1.code.coding.0.code"), ==, "8462-4");
  g_assert_cmpstr (get_string (o, "component.1.valueQuantity.value"), ==, "78");
}

/* The built-in device mapping with data/mappings/wardwatch-fhir.json. */
static void
test_fhir_default_mapping (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *source = g_getenv ("WARD_SOURCE_DIR");
  g_autofree char *mapping = NULL;
  g_autofree char *option = NULL;
  g_autofree char *device = connector_id (NULL, "sim-monitor-01");
  g_autofree char *identifier = NULL;
  g_autofree char *id = NULL;
  const char *args[] = { NULL, "monitor.jsonl", NULL };
  g_autoptr(CliRun) run = NULL;
  const char * const codes[] = { "8867-4", "9279-1", "2708-6", "85354-9", "8310-5" };
  JsonObject *o;
  JsonObject *e;

  REQUIRE_CLI ();
  if (source == NULL)
    {
      g_test_skip ("WARD_SOURCE_DIR is not set: cannot find data/mappings/wardwatch-fhir.json");
      return;
    }

  mapping = g_build_filename (source, "data", "mappings", "wardwatch-fhir.json", NULL);
  option = g_strdup_printf ("--fhir-mapping=%s", mapping);
  args[0] = option;
  write_file (fixture, "monitor.jsonl", monitor_messages, -1);
  run = run_cli (fixture, args, NULL);

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->out->len, ==, G_N_ELEMENTS (codes));
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      o = run->out->pdata[i];
      g_assert_cmpstr (get_string (o, "code.coding.0.code"), ==, codes[i]);
      g_assert_cmpstr (get_string (o, "category.0.coding.0.code"), ==, "vital-signs");
      g_assert_null (json_object_get_member (o, "subject"));
    }

  o = run->out->pdata[0];
  identifier = g_strdup_printf (".%s.heartrate.20240501100000Z.20240501100000Z", device);
  id = connector_id (SERVICE_SYSTEM, identifier);
  g_assert_cmpstr (get_string (o, "id"), ==, id);
  g_assert_cmpstr (get_string (o, "valueQuantity.value"), ==, "72");
  g_assert_cmpstr (get_string (o, "valueQuantity.code"), ==, "/min");
  g_assert_cmpstr (get_string (run->out->pdata[2], "code.coding.1.code"), ==, "59408-5");
  g_assert_cmpstr (get_string (run->out->pdata[3], "component.1.valueQuantity.value"), ==, "78");
  g_assert_cmpstr (get_string (run->out->pdata[4], "valueQuantity.value"), ==, "37");

  /* The monitor gives no patient: one warning for the run. */
  g_assert_cmpuint (run->err->len, ==, 1);
  e = run->err->pdata[0];
  g_assert_true (json_object_get_boolean_member (e, "warning"));
  g_assert_nonnull (strstr (get_string (e, "reason"), "5 Observations without a patient id"));
}

static void
test_fhir_check (Fixture       *fixture,
                 gconstpointer  data)
{
  const char * const bad_args[] = { "--check", "--fhir-mapping=bad-fhir.json", NULL };
  const char * const both_args[] = { "--check", "--device-mapping=bedside.json", "--fhir-mapping=bedside-fhir.json",
                                     NULL };
  g_autoptr(CliRun) bad = NULL;
  g_autoptr(CliRun) both = NULL;

  REQUIRE_CLI ();

  write_file (fixture, "bad-fhir.json",
              "{\n"
              "  \"templateType\": \"CollectionFhir\",\n"
              "  \"template\": [\n"
              "    { \"templateType\": \"CodeValueFhir\",\n"
              "      \"template\": {\n"
              "        \"codes\": [ { \"code\": \"8867-4\" } ],\n"
              "        \"value\": { \"valueName\": \"hr\", \"unit\": \"/min\" } } },\n"
              "    { \"templateType\": \"CodeValueFhir\",\n"
              "      \"template\": { \"typeName\": \"spo2\", \"periodInterval\": 5, \"codes\": [] } },\n"
              "    { \"templateType\": \"CodeValueFhir\",\n"
              "      \"template\": { \"typeName\": \"rr\", \"codes\": [], \"unit\": \"/min\" } },\n"
              "    { \"templateType\": \"CodeValueFhir\", \"template\": { \"typeName\": \"temp\", \"codes\": [] } },\n"
              "    { \"templateType\": \"CodeValueFhir\", \"template\": { \"typeName\": \"Temp\", \"codes\": [] } }\n"
              "  ]\n"
              "}\n", -1);
  write_file (fixture, "bedside.json", bedside_mapping, -1);
  write_file (fixture, "bedside-fhir.json", bedside_fhir_mapping, -1);

  bad = run_cli (fixture, bad_args, NULL);
  g_assert_cmpint (bad->exit_status, ==, 1);
  g_assert_nonnull (strstr (bad->stdout_text,
                            "bad-fhir.json:5:19: $.template[0].template: error: "
                            "Required property 'TypeName' not found in JSON.\n"));
  g_assert_nonnull (strstr (bad->stdout_text,
                            "bad-fhir.json:7:18: $.template[0].template.value: error: Property ValueType is missing.\n"));
  g_assert_nonnull (strstr (bad->stdout_text,
                            "bad-fhir.json:9:59: $.template[1].template.periodInterval: error: periodInterval 5 is "
                            "not one of -1 (correlation id), 0 (single), 60 (hourly) and 1440 (daily).\n"));
  g_assert_nonnull (strstr (bad->stdout_text,
                            "bad-fhir.json:11:52: $.template[2].template.unit: error: "
                            "Could not find member 'unit' on object of type 'CodeValueFhirTemplate'.\n"));
  g_assert_nonnull (strstr (bad->stdout_text,
                            "bad-fhir.json:13:66: $.template[4].template.typeName: error: "
                            "Duplicate template defined for type name: 'Temp'\n"));
  g_assert_nonnull (strstr (bad->stdout_text, "bad-fhir.json: 1 template usable, 5 errors, 0 warnings\n"));

  /* Both mappings: each checked, then whether they fit. */
  both = run_cli (fixture, both_args, NULL);
  g_assert_cmpint (both->exit_status, ==, 0);
  g_assert_cmpstr (both->stdout_text, ==,
                   "bedside.json: 3 templates usable, 0 errors, 0 warnings\n"
                   "bedside-fhir.json: warning: No matching Fhir Template exists for Device Mapping [steps]. "
                   "Ensure case matches. Available Fhir Templates: [heartrate, bloodpressure].\n"
                   "bedside-fhir.json: 2 templates usable, 0 errors, 1 warning\n");
}

/* An ORU^R01 of our own: IHE PCD-01 codes, two messages in MLLP frames,
 * then the same unframed with \n, then one that is not HL7.
 */
static const char oru[] =
  "MSH|^~\\&|MON^0060B0FFFE000001^EUI-64|WARD 7|WARDWATCH|HOSP|20240501100000+0000||ORU^R01^ORU_R01|M%u|P|2.6|||AL|NE"
  "||UNICODE UTF-8|||IHE_PCD_001\r"
  "PID|||P-%u^^^HOSP^MR\r"
  "OBR|1|||182777000^monitoring of patient^SCT|||20240501100000+0000\r"
  "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.1|%u|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||20240501100000+0000\r"
  "OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.2.1|96|262688^MDC_DIM_PERCENT^MDC|||||R|||20240501100000+0000\r";

static void
test_hl7 (Fixture       *fixture,
          gconstpointer  data)
{
  const char * const framed_args[] = { "--hl7", "framed.hl7", NULL };
  const char * const plain_args[] = { "--hl7", "--normalized", "plain.hl7", "broken.hl7", NULL };
  g_autoptr(GString) framed = g_string_new (NULL);
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(CliRun) run = NULL;
  JsonObject *o;

  REQUIRE_CLI ();

  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *message = g_strdup_printf (oru, i, i, 70 + i);
      g_autofree char *lf = g_strdup (message);

      g_string_append_printf (framed, "\x0b%s\x1c\r", message);
      g_strdelimit (lf, "\r", '\n');
      g_string_append (plain, lf);
    }
  write_file (fixture, "framed.hl7", framed->str, (gssize) framed->len);
  write_file (fixture, "plain.hl7", plain->str, (gssize) plain->len);
  write_file (fixture, "broken.hl7", "not HL7 at all\n", -1);

  run = run_cli (fixture, framed_args, NULL);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->out->len, ==, 4);
  o = run->out->pdata[0];
  g_assert_cmpstr (get_string (o, "resourceType"), ==, "Observation");
  g_assert_cmpstr (get_string (o, "code.coding.0.code"), ==, "8867-4");
  g_assert_cmpstr (get_string (o, "valueQuantity.value"), ==, "71");
  g_assert_cmpstr (get_string (o, "subject.identifier.value"), ==, "P-1");
  g_assert_cmpstr (get_string (o, "device.identifier.value"), ==, "0060B0FFFE000001");
  g_assert_cmpstr (get_string (run->out->pdata[1], "code.coding.0.code"), ==, "2708-6");
  g_assert_cmpstr (get_string (run->out->pdata[2], "subject.identifier.value"), ==, "P-2");
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (fixture, plain_args, NULL);
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->out->len, ==, 4);
  g_assert_cmpstr (get_string (run->out->pdata[2], "type"), ==, "heartrate");
  g_assert_cmpstr (get_string (run->out->pdata[2], "properties.0.value"), ==, "72");
  g_assert_cmpstr (get_string (run->out->pdata[2], "patientId"), ==, "P-2");
  g_assert_cmpuint (run->err->len, ==, 1);
  o = run->err->pdata[0];
  g_assert_cmpstr (get_string (o, "file"), ==, "broken.hl7");
  g_assert_cmpstr (get_string (o, "line"), ==, "1");
  g_assert_cmpstr (get_string (o, "stage"), ==, "parse");
  g_clear_pointer (&run, cli_run_free);

  /* An OBX in an unknown unit: its sibling is written, the skip is
   * reported as a problem of the message, not as a warning.
   */
  {
    const char * const partial_args[] = { "--hl7", "--normalized", "partial.hl7", NULL };
    g_autofree char *message = g_strdup_printf (oru, 3, 3, 73);
    g_autofree char *bad_unit = NULL;
    char *unit = strstr (message, "264864^MDC_DIM_BEAT_PER_MIN^MDC");

    g_assert_nonnull (unit);
    *unit = '\0';
    bad_unit = g_strconcat (message, "furlongs^^UCUM", unit + strlen ("264864^MDC_DIM_BEAT_PER_MIN^MDC"),
                            NULL);
    write_file (fixture, "partial.hl7", bad_unit, -1);
    run = run_cli (fixture, partial_args, NULL);
    g_assert_cmpint (run->exit_status, ==, 0);
    g_assert_cmpuint (run->out->len, ==, 1);
    g_assert_cmpstr (get_string (run->out->pdata[0], "type"), ==, "spo2");
    g_assert_cmpuint (run->err->len, ==, 1);
    o = run->err->pdata[0];
    g_assert_cmpstr (get_string (o, "stage"), ==, "mapping");
    g_assert_nonnull (strstr (get_string (o, "reason"), "has an unknown unit furlongs"));
    g_assert_false (json_object_has_member (o, "warning"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

  ADD ("/cli/map/normalized", test_normalized);
  ADD ("/cli/map/observations", test_observations);
  ADD ("/cli/map/own-mapping", test_own_mapping);
  ADD ("/cli/map/errors", test_errors);
  ADD ("/cli/map/device-id-and-stdin", test_device_id_hint_and_stdin);
  ADD ("/cli/map/check", test_check);
  ADD ("/cli/map/usage", test_usage);
  ADD ("/cli/map/hl7", test_hl7);
  ADD ("/cli/map/fhir-mapping", test_fhir_mapping);
  ADD ("/cli/map/fhir-default-mapping", test_fhir_default_mapping);
  ADD ("/cli/map/fhir-check", test_fhir_check);

#undef ADD

  return g_test_run ();
}
