/* test-headless.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "ward-store.h"
#include "ward-test-broker.h"
#include "ward-test-util.h"

/* Runs the installed-style binaries the way a user does. */

typedef struct
{
  int    status;
  char  *out;
  char  *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static GSubprocessLauncher *
make_launcher (void)
{
  GSubprocessLauncher *launcher;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Headless means no display at all. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  return launcher;
}

static Result
run (const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = make_launcher ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { 0 };

  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  return r;
}

static const char *
wardwatch (void)
{
  const char *path = g_getenv ("WARDWATCH");

  if (path == NULL)
    g_error ("WARDWATCH is not set: run through meson test");
  return path;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
tmp_db (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-headless-XXXXXX", NULL);

  return g_build_filename (dir, "demo.db", NULL);
}

static void
remove_db (const char *db)
{
  g_autofree char *dir = g_path_get_dirname (db);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

static gint64
db_count (const char *db,
          const char *sql)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 v;

  store = ward_store_open_readonly (db, &error);
  g_assert_no_error (error);
  v = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);
  return v;
}

static void
test_demo_summary (void)
{
  g_autofree char *db = tmp_db ();
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autoptr(JsonObject) summary = NULL;
  g_autoptr(JsonObject) stats = NULL;
  /* The run ends on the ward's clock; this only bounds it on a build too
   * slow to get there (scaled as the sanitizer runs scale timeouts).
   */
  g_autofree char *duration_arg = g_strdup_printf ("--duration=%u",
                                                   ward_test_timeout_msec (300 * 1000) / 1000);
  const char *argv[] = { wardwatch (), "--headless", "--demo", "--simulated-duration=7200",
                         duration_arg, "--time-scale=1800", "--seed=3", "--beds=8", db_arg, "--acvpu=2:C", "--spo2-scale=bed-04:2",
                         "--station=Ward 7 nurse station", NULL };
  static const char * const keys[] = {
    "beds", "messages", "measurements", "scores", "flags_raised", "dead_letters",
  };
  g_auto(GStrv) lines = NULL;
  Result r = run (argv);
  Result s;

  if (r.status != 0)
    g_printerr ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);

  /* Exactly one JSON object on stdout. */
  lines = g_strsplit (g_strchomp (r.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  summary = parse_object (lines[0]);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *node = json_object_get_member (summary, keys[i]);

      g_assert_nonnull (node);
      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
    }

  /* Two simulated hours of 8 beds (four real seconds at 1800x on a quiet
   * machine, longer on a busy one: the run ends on the ward's clock): a
   * monitor message every 5 s per bed, three values in each.
   */
  g_assert_cmpint (json_object_get_int_member (summary, "beds"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (summary, "messages"), >=, 8 * 1400);
  g_assert_cmpint (json_object_get_int_member (summary, "measurements"), >,
                   2 * json_object_get_int_member (summary, "messages"));
  g_assert_cmpint (json_object_get_int_member (summary, "scores"), >=, 8 * 12);
  /* The default plan puts a deteriorating and a recovering patient on
   * the first eight beds: at least one flag in two hours.
   */
  g_assert_cmpint (json_object_get_int_member (summary, "flags_raised"), >=, 1);

  /* The summary is the store's truth, record for record. */
  {
    g_autofree char *stats_db = g_strconcat ("--db=", db, NULL);
    const char *sargv[] = { g_getenv ("WARDWATCH_CLI"), "stats", stats_db, NULL };

    s = run (sargv);
    g_assert_cmpint (s.status, ==, 0);
    stats = parse_object (s.out);
    result_clear (&s);
  }
  g_assert_cmpint (json_object_get_int_member (stats, "raw_messages"), ==,
                   json_object_get_int_member (summary, "messages"));
  g_assert_cmpint (json_object_get_int_member (stats, "measurements"), ==,
                   json_object_get_int_member (summary, "measurements"));
  g_assert_cmpint (json_object_get_int_member (stats, "scores"), ==,
                   json_object_get_int_member (summary, "scores"));
  g_assert_cmpint (json_object_get_int_member (stats, "flags_total"), ==,
                   json_object_get_int_member (summary, "flags_raised"));
  g_assert_cmpint (json_object_get_int_member (stats, "dead_letters"), ==,
                   json_object_get_int_member (summary, "dead_letters"));

  /* The command-line nurse entries went in as nurse measurements. */
  g_assert_cmpint (db_count (db, "SELECT count(*) FROM measurements WHERE patient_id = 'sim-patient-02' "
                                 "AND kind = 'consciousness' AND value = 1 AND entered_by = 'command line'"),
                   ==, 1);
  g_assert_cmpint (db_count (db, "SELECT spo2_scale FROM patients WHERE id = 'sim-patient-04'"), ==, 2);

  result_clear (&r);
  remove_db (db);
}

/* Waits until the store at db holds a raw message: the program is past its
 * start and running the demo ward.
 */
static gboolean
wait_archiving (const char *db)
{
  gint64 deadline = g_get_monotonic_time () + ward_test_timeout_msec (30 * 1000) * (gint64) 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(WardStore) store = NULL;

      if (g_file_test (db, G_FILE_TEST_EXISTS))
        store = ward_store_open_readonly (db, NULL);
      if (store != NULL && _ward_store_query_int (store, "SELECT count(*) FROM raw_messages", NULL) > 0)
        return TRUE;
      g_usleep (50 * 1000);
    }

  return FALSE;
}

static void
test_sigterm_stops_cleanly (void)
{
  g_autofree char *db = tmp_db ();
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autoptr(GSubprocessLauncher) launcher = make_launcher ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) summary = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { wardwatch (), "--headless", "--demo", "--time-scale=60", db_arg, NULL };

  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  /* Running (its SIGTERM handler in place, the demo ward archiving), on a
   * slow build too: a signal during start would end it before.
   */
  g_assert_true (wait_archiving (db));
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);

  summary = parse_object (out);
  g_assert_cmpint (json_object_get_int_member (summary, "beds"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (summary, "messages"), ==,
                   db_count (db, "SELECT count(*) FROM raw_messages"));
  remove_db (db);
}

/* Waits until a client has subscribed to the demo ward's monitor topics
 * at the broker (its log has a line per SUBSCRIBE): what the monitors
 * publish from then on reaches Wardwatch.
 */
static gboolean
wait_subscribed (WardTestBroker *broker)
{
  gint64 deadline = g_get_monotonic_time () + ward_test_timeout_msec (15 * 1000) * (gint64) 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *log = ward_test_broker_dup_log (broker);

      if (log != NULL && strstr (log, " devices/+/messages/events/#") != NULL)
        return TRUE;
      g_usleep (20 * 1000);
    }

  return FALSE;
}

/* Runs wardwatch --headless with a network source while wardwatch-cli
 * simulate plays the demo ward's monitors into it, waits until the store
 * holds every message processed, stops it and returns the summary.  What
 * the test waits for is the condition, not a fixed time: a slower build
 * (the sanitizers) takes longer, and the run ends as soon as it is done.
 */
static JsonObject *
run_with_simulated_devices (const char     *db,
                            const char     *source_arg,
                            const char     *simulate_arg,
                            guint16         wait_port,
                            WardTestBroker *broker)
{
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autoptr(GSubprocessLauncher) launcher = make_launcher ();
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  /* A bound on the whole run, in case it never gets there. */
  g_autofree char *duration_arg = g_strdup_printf ("--duration=%u",
                                                   ward_test_timeout_msec (120 * 1000) / 1000);
  const char *app_argv[] = { wardwatch (), "--headless", "--demo", "--beds=4", duration_arg,
                             db_arg, source_arg, NULL };
  const char *sim_argv[] = { g_getenv ("WARDWATCH_CLI"), "simulate", simulate_arg, "--beds=4",
                             "--time-scale=0", "--count=400", NULL };
  Result sim;
  gint64 deadline;
  gint64 processed = 0;

  app = g_subprocess_launcher_spawnv (launcher, app_argv, &error);
  g_assert_no_error (error);
  if (wait_port != 0)
    g_assert_true (ward_test_wait_for_port (wait_port, 5000));
  else
    g_assert_true (wait_subscribed (broker));

  sim = run (sim_argv);
  if (sim.status != 0)
    g_printerr ("simulate: %s %s\n", sim.out, sim.err);
  g_assert_cmpint (sim.status, ==, 0);
  g_assert_nonnull (strstr (sim.out, "\"sent\":400,\"acked\":400,\"errors\":0"));
  result_clear (&sim);

  /* Acknowledged is not yet processed for MQTT (the broker acknowledges
   * the publisher): every message archived and mapped (or a dead letter),
   * then a clean stop, which prints the summary.
   */
  deadline = g_get_monotonic_time () + ward_test_timeout_msec (30 * 1000) * (gint64) 1000;
  while (g_get_monotonic_time () < deadline)
    {
      processed = db_count (db, "SELECT count(*) FROM raw_messages WHERE processed_at IS NOT NULL");
      if (processed >= 400)
        break;
      g_usleep (50 * 1000);
    }
  g_assert_cmpint (processed, ==, 400);
  g_subprocess_send_signal (app, SIGTERM);

  g_subprocess_communicate_utf8 (app, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (app) != 0)
    g_printerr ("%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (app), ==, 0);

  return parse_object (out);
}

static void
test_mllp_source (void)
{
  g_autofree char *db = tmp_db ();
  g_autoptr(GError) error = NULL;
  guint16 port = ward_test_free_port (&error);
  g_autofree char *port_arg = g_strdup_printf ("--mllp-port=%u", port);
  g_autofree char *sim_arg = g_strdup_printf ("--mllp=127.0.0.1:%u", port);
  g_autoptr(JsonObject) summary = NULL;

  g_assert_no_error (error);

  /* The demo ward's monitors over MLLP: each ORU^R01 acknowledged after
   * its commit, mapped by the HL7 mapper to the simulated patients.
   */
  summary = run_with_simulated_devices (db, port_arg, sim_arg, port, NULL);
  g_assert_cmpint (json_object_get_int_member (summary, "messages"), ==, 400);
  g_assert_cmpint (json_object_get_int_member (summary, "dead_letters"), ==, 0);
  /* Three values a monitor message, fewer while a probe is off. */
  g_assert_cmpint (json_object_get_int_member (summary, "measurements"), >, 400 * 2);
  g_assert_cmpint (json_object_get_int_member (summary, "measurements"), ==,
                   db_count (db, "SELECT count(*) FROM measurements"));
  g_assert_cmpint (db_count (db, "SELECT count(*) FROM raw_messages WHERE source = 'mllp' "
                                 "AND content_type = 'x-application/hl7-v2+er7'"), ==, 400);
  g_assert_cmpint (db_count (db, "SELECT count(DISTINCT patient_id) FROM measurements"), ==, 4);
  remove_db (db);
}

static void
test_mqtt_source (void)
{
  g_autofree char *db = tmp_db ();
  g_autoptr(WardTestBroker) broker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url_arg = NULL;
  g_autofree char *sim_arg = NULL;
  g_autoptr(JsonObject) summary = NULL;

  broker = ward_test_broker_new (&error);   /* started, on a free loopback port */
  g_assert_no_error (error);
  url_arg = g_strdup_printf ("--mqtt-url=%s", ward_test_broker_get_url (broker));
  sim_arg = g_strdup_printf ("--mqtt-url=%s", ward_test_broker_get_url (broker));

  /* The demo ward's monitors over a real broker: JSON on the IoT Hub
   * device topics, mapped by the built-in IoMT device mapping.
   */
  summary = run_with_simulated_devices (db, url_arg, sim_arg, 0, broker);
  g_assert_cmpint (json_object_get_int_member (summary, "messages"), ==, 400);
  g_assert_cmpint (db_count (db, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt'"), ==, 400);
  g_assert_cmpint (db_count (db, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"), ==, 0);
  /* Simulated monitors now and then send a corrupt message: each one is
   * a dead letter, and everything else is measured.
   */
  g_assert_cmpint (json_object_get_int_member (summary, "dead_letters"), ==,
                   db_count (db, "SELECT count(*) FROM dead_letters WHERE stage = 'parse'"));
  g_assert_cmpint (db_count (db, "SELECT count(DISTINCT patient_id) FROM measurements"), ==, 4);
  remove_db (db);
}

static void
test_usage_errors (void)
{
  static const struct {
    const char *args[4];
    int         status;
    const char *message;
  } cases[] = {
    { { "--headless", NULL }, 2, "--demo" },
    { { "--headless", "--demo", "--mllp-port=70000", NULL }, 2, "--mllp-port" },
    { { "--headless", "--demo", "--mllp-max-connections=0", NULL }, 2, "--mllp-max-connections" },
    { { "--headless", "--demo", "--mllp-idle-timeout=-1", NULL }, 2, "--mllp-idle-timeout" },
    { { "--headless", "--demo", "--mqtt-password-file=/nonexistent/secret", NULL }, 2, "/nonexistent/secret" },
    { { "--headless", "--ward=/nonexistent/ward.json", "--mllp-port=0", NULL }, 1, "/nonexistent/ward.json" },
    { { "--headless", "--demo", "--beds=0", NULL }, 2, "--beds" },
    { { "--headless", "--demo", "--time-scale=-1", NULL }, 2, "--time-scale" },
    { { "--headless", "--demo", "--flag-threshold=severe", NULL }, 2, "low, low-medium, medium or high" },
    { { "--headless", "--demo", "--scenario=no-such-thing", NULL }, 1, "no-such-thing" },
    { { "--headless", "--demo", "--acvpu=3:Q", NULL }, 1, "bad value Q" },
    { { "--headless", "--demo", "--no-such-option", NULL }, 2, "no-such-option" },
    { { "--headless", "--demo", "--station=", NULL }, 2, "--station" },
    { { "--headless", "--demo", "--station=   ", NULL }, 2, "--station" },
    { { "--headless", "--demo", "--station=ward 7\tdesk", NULL }, 2, "--station" },
    { { "--headless", "--demo", "--simulated-duration=-5", NULL }, 2, "--simulated-duration" },
    { { "--headless", "--mllp-port=0", "--simulated-duration=60", NULL }, 2, "--simulated-duration" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *db = tmp_db ();
      g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
      const char *argv[8] = { wardwatch (), db_arg, "--duration=1" };
      Result r;

      for (guint k = 0; cases[i].args[k] != NULL; k++)
        argv[3 + k] = cases[i].args[k];

      r = run (argv);
      if (r.status != cases[i].status || strstr (r.err, cases[i].message) == NULL)
        g_error ("case %u: status %d, stderr: %s", i, r.status, r.err);
      /* Errors go to stderr; stdout stays clean for scripts. */
      g_assert_cmpstr (r.out, ==, "");
      result_clear (&r);
      remove_db (db);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/headless/demo-summary", test_demo_summary);
  g_test_add_func ("/headless/sigterm-stops-cleanly", test_sigterm_stops_cleanly);
  g_test_add_func ("/headless/usage-errors", test_usage_errors);
  g_test_add_func ("/headless/mllp-source", test_mllp_source);
  g_test_add_func ("/headless/mqtt-source", test_mqtt_source);

  return g_test_run ();
}
