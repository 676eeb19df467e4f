/* test-settings-live.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-pipeline.h"
#include "ward-policy-edit.h"
#include "ward-settings-config.h"
#include "ward-settings-live.h"
#include "ward-sources.h"
#include "ward-store.h"
#include "ward-test-broker.h"
#include "ward-test-fhir-server.h"
#include "ward-test-util.h"

/* The preferences applied while Wardwatch runs (issue #12): a running
 * pipeline and its device sources, the saved settings changed under
 * them (GSettings' memory backend, as the preferences window changes
 * them), and what the ward sees afterwards: messages from another real
 * mosquitto broker, flags under another ward policy.  Nothing restarts.
 */

#define WAIT_SEC 30

#define WARD_JSON \
  "{\"beds\": [{\"id\": \"bed-1\", \"label\": \"Bed 1\"," \
  " \"patient\": {\"id\": \"p-1\", \"name\": \"Ada Example\", \"spo2_scale\": 1}," \
  " \"devices\": [\"MON-1\"]}]}"

typedef struct
{
  char             *dir;
  char             *db;
  GSettings        *settings;
  WardPipeline     *pipeline;
  WardSettingsLive *live;
  guint             n_sources_changed;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  f->dir = g_dir_make_tmp ("settings-live-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "ward.db", NULL);
  f->settings = ward_settings_config_new_settings ();
  g_assert_nonnull (f->settings);
  g_object_get (f->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (f->settings, keys[i]);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  WardSources *sources = f->live != NULL ? ward_settings_live_get_sources (f->live) : NULL;

  if (sources != NULL)
    ward_sources_stop (sources);
  g_clear_object (&f->live);
  if (f->pipeline != NULL)
    ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);
  g_clear_object (&f->settings);
  ward_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static void
iterate (guint msec)
{
  gint64 end = g_get_monotonic_time () + msec * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
}

static void
sources_changed_cb (Fixture *f)
{
  f->n_sources_changed++;
}

/* Starts as main.c and the application do: the command line's
 * configuration, the settings merged under it, the pipeline and sources
 * from the merge, and the settings followed from then on.
 */
static void
start (Fixture                  *f,
       const WardPipelineConfig *command_line)
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardSourcesConfig) command_line_sources = { 0 };
  g_auto(WardSourcesConfig) sources_config = { 0 };
  g_autoptr(WardSources) sources = NULL;
  g_autoptr(GError) error = NULL;

  ward_sources_config_init (&command_line_sources);
  ward_sources_config_init (&sources_config);
  ward_pipeline_config_copy (command_line, &config);
  g_assert_true (ward_settings_config_merge (f->settings, &config, &sources_config, &error));
  g_assert_no_error (error);

  f->pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f->pipeline, NULL, NULL, &error));
  g_assert_no_error (error);
  sources = ward_sources_new (f->pipeline, &sources_config);
  g_assert_true (ward_sources_start (sources, &error));
  g_assert_no_error (error);

  f->live = ward_settings_live_new (f->settings, f->pipeline, command_line,
                                    &command_line_sources, sources);
  ward_settings_live_set_delay (f->live, 50);
  g_signal_connect_swapped (f->live, "sources-changed", G_CALLBACK (sources_changed_cb), f);
  g_assert_null (ward_settings_live_get_error (f->live));
}

static void
wait_applied (Fixture *f,
              guint    n_before)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;

  while (ward_settings_live_get_n_applied (f->live) == n_before &&
         g_get_monotonic_time () < deadline)
    iterate (20);
  g_assert_cmpuint (ward_settings_live_get_n_applied (f->live), >, n_before);
}

/* MQTT */

static gint64
n_archived (Fixture    *f,
            const char *tag)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM raw_messages WHERE "
                                          "source = 'mqtt' AND instr(payload, '%s') > 0", tag);
  gint64 n;

  store = ward_store_open_readonly (f->db, &error);
  g_assert_no_error (error);
  n = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);

  return n;
}

static void
publish (WardTestBroker *broker,
         const char     *tag)
{
  g_autofree char *port = g_strdup_printf ("%u", ward_test_broker_get_port (broker));
  g_autofree char *message = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *iso = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  message = g_strdup_printf ("{\"deviceId\":\"MON-1\",\"messageId\":\"%s\",\"kind\":\"vitals\","
                             "\"measuredAt\":\"%s\",\"heartRate\":72}", tag, iso);
  {
    const char *argv[] = {
      "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-q", "1",
      "-t", "devices/MON-1/messages/events/", "-m", message, NULL
    };

    process = ward_test_spawnv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  }
  g_assert_no_error (error);
  g_assert_true (ward_test_wait_process (process, 10000));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

/* Publishes tag through broker until it is archived: the subscription
 * follows the connection by a moment, and a QoS 1 message published
 * before it has no session to wait in.
 */
static void
publish_until_archived (Fixture        *f,
                        WardTestBroker *broker,
                        const char     *tag)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;

  while (n_archived (f, tag) == 0 && g_get_monotonic_time () < deadline)
    {
      publish (broker, tag);
      iterate (300);
    }
  g_assert_cmpint (n_archived (f, tag), >=, 1);
}

static void
test_mqtt_broker (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(WardTestBroker) first = NULL;
  g_autoptr(WardTestBroker) second = NULL;
  g_auto(WardPipelineConfig) command_line = { 0 };
  g_autofree char *ward = g_build_filename (f->dir, "ward.json", NULL);
  g_autoptr(GError) error = NULL;
  WardSources *before;
  guint n;

  first = ward_test_broker_new (&error);
  g_assert_no_error (error);
  second = ward_test_broker_new (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (ward_test_broker_get_port (first), !=, ward_test_broker_get_port (second));

  g_assert_true (g_file_set_contents (ward, WARD_JSON, -1, NULL));
  ward_pipeline_config_init (&command_line);
  command_line.db_path = g_strdup (f->db);
  command_line.ward_file = g_strdup (ward);
  command_line.tick_msec = 20;
  command_line.raw_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;
  command_line.measurement_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;

  g_settings_set_string (f->settings, "mqtt-url", ward_test_broker_get_url (first));
  start (f, &command_line);
  before = ward_settings_live_get_sources (f->live);
  g_assert_nonnull (ward_sources_get_mqtt (before));
  publish_until_archived (f, first, "first-broker");

  /* The port changes in the preferences, as the broker moved. */
  n = ward_settings_live_get_n_applied (f->live);
  g_settings_set_string (f->settings, "mqtt-url", ward_test_broker_get_url (second));
  wait_applied (f, n);
  g_assert_null (ward_settings_live_get_error (f->live));
  g_assert_cmpuint (f->n_sources_changed, ==, 1);
  g_assert_true (ward_settings_live_get_sources (f->live) != before);

  publish_until_archived (f, second, "second-broker");

  /* The old connection is closed: the first broker reaches nobody now. */
  publish (first, "first-again");
  iterate (1000);
  g_assert_cmpint (n_archived (f, "first-again"), ==, 0);

  /* A broker address that does not parse is refused before it is saved
   * (the preferences check it); saved anyway, nothing changes and the
   * error says why.
   */
  n = ward_settings_live_get_n_applied (f->live);
  g_settings_set_string (f->settings, "mqtt-url", "mqtt//nowhere");
  {
    gint64 deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;

    while (ward_settings_live_get_error (f->live) == NULL && g_get_monotonic_time () < deadline)
      iterate (20);
  }
  g_assert_nonnull (ward_settings_live_get_error (f->live));
  g_test_message ("refused: %s", ward_settings_live_get_error (f->live));
  g_assert_cmpuint (ward_settings_live_get_n_applied (f->live), ==, n);
  g_assert_cmpuint (f->n_sources_changed, ==, 1);
  publish_until_archived (f, second, "second-still");
}

/* Policy */

static void
write_policy (const char *path,
              WardBand    threshold)
{
  g_autoptr(GError) error = NULL;
  WardPolicyNumbers numbers;

  g_assert_true (ward_policy_edit_read (NULL, &numbers, &error));
  g_assert_no_error (error);
  numbers.flag_threshold = threshold;
  numbers.open_delay_seconds = 0;
  g_assert_true (ward_policy_edit_save (NULL, path, &numbers, &error));
  g_assert_no_error (error);
}

/* A bed scored in the low band, with no open flag. */
static gboolean
find_low_bed (WardSnapshot *snapshot,
              char        **bed_id)
{
  for (guint i = 0; i < ward_snapshot_get_n_beds (snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);

      if (bed->score_band == WARD_BAND_LOW && bed->score_total > 0 && bed->flag_id == 0)
        {
          *bed_id = g_strdup (bed->bed_id);
          return TRUE;
        }
    }

  return FALSE;
}

static const WardBedState *
get_bed (WardSnapshot *snapshot,
         const char   *bed_id)
{
  for (guint i = 0; i < ward_snapshot_get_n_beds (snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);

      if (g_str_equal (bed->bed_id, bed_id))
        return bed;
    }

  g_assert_not_reached ();
}

static void
test_policy_threshold (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(WardPipelineConfig) command_line = { 0 };
  g_autofree char *policy = g_build_filename (f->dir, "ward-policy.json", NULL);
  g_autofree char *bed_id = NULL;
  gint64 deadline;
  gboolean flagged = FALSE;
  guint n;

  /* Only high scores raise a flag at first. */
  write_policy (policy, WARD_BAND_HIGH);
  g_settings_set_string (f->settings, "policy-file", policy);

  ward_pipeline_config_init (&command_line);
  command_line.db_path = g_strdup (f->db);
  command_line.demo = TRUE;
  command_line.simulate = TRUE;
  command_line.n_beds = 8;
  command_line.seed = 7;
  command_line.time_scale = 120;
  command_line.tick_msec = 20;
  command_line.raw_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;
  command_line.measurement_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;
  start (f, &command_line);

  deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(WardSnapshot) snapshot = ward_pipeline_get_snapshot (f->pipeline);

      if (find_low_bed (snapshot, &bed_id))
        break;
      iterate (50);
    }
  g_assert_nonnull (bed_id);
  g_test_message ("%s scores low and has no flag", bed_id);

  /* The ward decides that low scores raise a flag too: the same file,
   * saved again as the preferences save it.
   */
  n = ward_settings_live_get_n_applied (f->live);
  write_policy (policy, WARD_BAND_LOW);
  wait_applied (f, n);
  g_assert_null (ward_settings_live_get_error (f->live));

  deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;
  while (!flagged && g_get_monotonic_time () < deadline)
    {
      g_autoptr(WardSnapshot) snapshot = ward_pipeline_get_snapshot (f->pipeline);
      const WardBedState *bed = get_bed (snapshot, bed_id);

      flagged = bed->flag_id != 0;
      iterate (50);
    }
  g_assert_true (flagged);

  /* A policy file that cannot be read is refused; what runs stays. */
  n = ward_settings_live_get_n_applied (f->live);
  g_settings_set_string (f->settings, "policy-file", "/nonexistent/ward-policy.json");
  deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;
  while (ward_settings_live_get_error (f->live) == NULL && g_get_monotonic_time () < deadline)
    iterate (20);
  g_assert_nonnull (ward_settings_live_get_error (f->live));
  g_assert_cmpuint (ward_settings_live_get_n_applied (f->live), ==, n);
}

/* FHIR */

static gint64
server_total (WardTestFhirServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = ward_test_fhir_server_dup_stats (server, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, stats, -1, &error));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "total");
}

static guint64
outbox_pending (Fixture *f)
{
  g_autoptr(WardSnapshot) snapshot = ward_pipeline_get_snapshot (f->pipeline);

  return ward_snapshot_get_counters (snapshot)->outbox_pending;
}

static void
push_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_pipeline_push_message_finish (WARD_PIPELINE (object), result, NULL, NULL,
                                                    &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* Vital signs (fields: JSON members) from bed 1's monitor, committed. */
static void
push_vitals (Fixture    *f,
             const char *tag,
             const char *fields)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *iso = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *message = NULL;
  gboolean done = FALSE;

  message = g_strdup_printf ("{\"deviceId\":\"MON-1\",\"messageId\":\"%s\",\"kind\":\"vitals\","
                             "\"measuredAt\":\"%s\",%s}", tag, iso, fields);
  ward_pipeline_push_message_async (f->pipeline, "test", WARD_CONTENT_TYPE_JSON, NULL, message, -1,
                                    NULL, push_done_cb, &done);
  while (!done)
    iterate (20);
}

static void
wait_sent (Fixture            *f,
           WardTestFhirServer *server)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;

  while ((outbox_pending (f) > 0 || server_total (server) == 0) &&
         g_get_monotonic_time () < deadline)
    iterate (100);
  g_test_message ("outbox %" G_GUINT64_FORMAT ", server %" G_GINT64_FORMAT, outbox_pending (f),
                  server_total (server));
  g_assert_cmpuint (outbox_pending (f), ==, 0);
  g_assert_cmpint (server_total (server), >, 0);
}

/* What was kept while there was no server goes to the server named
 * later; with the server taken out again the outbox keeps what comes,
 * and sends it once the server is back.  Nothing restarts.  (One real
 * FHIR test server: starting node is the slow part of this test.)
 */
static void
test_fhir_server (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(WardTestFhirServer) server = NULL;
  g_auto(WardPipelineConfig) command_line = { 0 };
  g_autofree char *ward = g_build_filename (f->dir, "ward.json", NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  gint64 total;
  guint n;

  server = ward_test_fhir_server_new (NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_test_skip (error->message);
      return;
    }
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (ward, WARD_JSON, -1, NULL));
  ward_pipeline_config_init (&command_line);
  command_line.db_path = g_strdup (f->db);
  command_line.ward_file = g_strdup (ward);
  command_line.tick_msec = 20;
  command_line.raw_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;
  command_line.measurement_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;
  start (f, &command_line);

  /* No server yet: the outbox keeps it. */
  push_vitals (f, "before-any-server", "\"heartRate\":72,\"respiratoryRate\":16");
  deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;
  while (outbox_pending (f) == 0 && g_get_monotonic_time () < deadline)
    iterate (50);
  g_assert_cmpuint (outbox_pending (f), >, 0);

  n = ward_settings_live_get_n_applied (f->live);
  g_settings_set_string (f->settings, "fhir-url", ward_test_fhir_server_get_base_url (server));
  wait_applied (f, n);
  wait_sent (f, server);
  total = server_total (server);

  /* Taken out: what comes stays in the outbox, and nothing reaches the
   * server.
   */
  n = ward_settings_live_get_n_applied (f->live);
  g_settings_set_string (f->settings, "fhir-url", "");
  wait_applied (f, n);
  iterate (200);
  /* A parameter not sent before: a new Observation of the hour. */
  push_vitals (f, "while-no-server", "\"spo2\":97");
  deadline = g_get_monotonic_time () + WAIT_SEC * G_USEC_PER_SEC;
  while (outbox_pending (f) == 0 && g_get_monotonic_time () < deadline)
    iterate (50);
  g_assert_cmpuint (outbox_pending (f), >, 0);
  iterate (500);
  g_assert_cmpint (server_total (server), ==, total);

  /* Back: it is sent. */
  n = ward_settings_live_get_n_applied (f->live);
  g_settings_set_string (f->settings, "fhir-url", ward_test_fhir_server_get_base_url (server));
  wait_applied (f, n);
  wait_sent (f, server);
  g_assert_cmpint (server_total (server), >, total);
  g_assert_null (ward_settings_live_get_error (f->live));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/settings-live/mqtt-broker", Fixture, NULL, fixture_set_up, test_mqtt_broker,
              fixture_tear_down);
  g_test_add ("/settings-live/fhir-server", Fixture, NULL, fixture_set_up, test_fhir_server,
              fixture_tear_down);
  g_test_add ("/settings-live/policy-threshold", Fixture, NULL, fixture_set_up,
              test_policy_threshold, fixture_tear_down);

  return g_test_run ();
}
