/* bench-mqtt.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ward-bench.h"
#include "ward-mqtt-source.h"
#include "ward-pipeline.h"
#include "ward-store.h"
#include "ward-test-broker.h"

/* The demo ward's JSON device messages through a real mosquitto broker
 * into the store: `wardwatch-cli simulate` publishes N messages (QoS 1,
 * as fast as the broker takes them) while two subscribers receive the
 * same stream from the same broker at the same time:
 *
 *   - Wardwatch: WardMqttSource + WardPipeline, which reads what the
 *     socket holds, commits that batch to the raw archive in one
 *     transaction and only then sends its PUBACKs (the architecture's
 *     "acknowledged means committed"), then maps it on the pipeline
 *     thread;
 *   - mosquitto_sub -q 1 -C N, which only prints the payloads.
 *
 * Each rate is N over the time from the publisher's start to the
 * subscriber's N-th message.  The ratio Wardwatch / mosquitto_sub is what
 * the batched commit costs against a receiver that does nothing.
 */

#define DEFAULT_N   50000
#define N_BEDS      16
#define MIN_RATIO   0.5
#define TIMEOUT_SEC 300

typedef struct
{
  GInputStream *stream;
  guint64       target;
  guint64       lines;
  gint64        first_usec;
  gint64        last_usec;
} SubReader;

static gpointer
read_sub_output (gpointer data)
{
  SubReader *r = data;
  guint8 buf[65536];
  gssize n;

  while ((n = g_input_stream_read (r->stream, buf, sizeof buf, NULL, NULL)) > 0)
    {
      gint64 now = g_get_monotonic_time ();

      if (r->first_usec == 0)
        r->first_usec = now;
      for (gssize i = 0; i < n; i++)
        {
          if (buf[i] == '\n' && ++r->lines == r->target)
            r->last_usec = now;
        }
    }

  return NULL;
}

static gboolean
wait_log_line (WardTestBroker *broker,
               const char     *needle,
               guint           timeout_msec)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_msec * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *log = ward_test_broker_dup_log (broker);

      if (strstr (log, needle) != NULL)
        return TRUE;
      g_usleep (20 * 1000);
    }

  return FALSE;
}

static gint64
db_query (const char *path,
          const char *sql)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 value;

  store = ward_store_open_readonly (path, &error);
  g_assert_no_error (error);
  value = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);

  return value;
}

static void
remove_db (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(WardTestBroker) broker = NULL;
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardMqttSource) source = NULL;
  g_autoptr(GSubprocess) sub = NULL;
  g_autoptr(GSubprocess) publisher = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardMqttSourceConfig) mqtt = { 0 };
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *port = NULL;
  g_autofree char *count = NULL;
  g_autofree char *count_arg = NULL;
  g_autofree char *url_arg = NULL;
  g_autofree char *pub_out = NULL;
  g_autoptr(GBytes) pub_bytes = NULL;
  const char *cli = g_getenv ("WARDWATCH_CLI");
  const char *bench_dir = g_getenv ("WARD_BENCH_DIR");
  const char *n_env = g_getenv ("WARD_BENCH_MQTT_N");
  SubReader reader = { 0 };
  GThread *reader_thread;
  guint64 n = n_env ? g_ascii_strtoull (n_env, NULL, 10) : ward_bench_scale (DEFAULT_N, 2000);
  gint64 t0, t_ours = 0, t_mapped = 0, t_pub, deadline;
  double ours_rate, sub_rate, mapped_rate, pub_rate, ratio;
  gboolean pass;
  gint64 archived, pending;

  if (cli == NULL)
    {
      g_printerr ("bench-mqtt: WARDWATCH_CLI is not set: run through meson test --benchmark\n");
      return 77;
    }

  broker = ward_test_broker_new (&error);
  g_assert_no_error (error);

  /* On the disk the store lives on, not tmpfs: the commits are the cost. */
  dir = g_build_filename (bench_dir ? bench_dir : g_get_user_cache_dir (), "wardwatch-bench", NULL);
  g_mkdir_with_parents (dir, 0700);
  db = g_build_filename (dir, "mqtt.db", NULL);
  remove_db (db);

  /* The demo ward registers the devices the simulator's messages name. */
  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.demo = TRUE;
  config.n_beds = N_BEDS;
  pipeline = ward_pipeline_new (&config);
  ward_pipeline_start (pipeline, NULL, NULL, &error);
  g_assert_no_error (error);

  ward_mqtt_source_config_init (&mqtt);
  mqtt.url = g_strdup (ward_test_broker_get_url (broker));
  source = ward_mqtt_source_new (pipeline, &mqtt);
  ward_mqtt_source_start (source, &error);
  g_assert_no_error (error);

  port = g_strdup_printf ("%u", ward_test_broker_get_port (broker));
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  {
    const char *sub_argv[] = {
      "mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-q", "1", "-C", count,
      "-i", "bench-mosquitto-sub", "-t", "devices/+/messages/events/#", NULL
    };

    sub = ward_test_spawnv (sub_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error (error);
  }
  reader.stream = g_subprocess_get_stdout_pipe (sub);
  reader.target = n;
  reader_thread = g_thread_new ("sub-reader", read_sub_output, &reader);

  /* Both subscribed before the first message. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!ward_mqtt_source_get_connected (source) && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_true (ward_mqtt_source_get_connected (source));
  g_assert_true (wait_log_line (broker, "as bench-mosquitto-sub", 10000));
  g_usleep (500 * 1000);

  count_arg = g_strdup_printf ("--count=%s", count);
  url_arg = g_strdup_printf ("--mqtt-url=%s", ward_test_broker_get_url (broker));
  {
    const char *pub_argv[] = {
      cli, "simulate", url_arg, "--beds=16", "--seed=42", "--time-scale=0", count_arg, NULL
    };

    t0 = g_get_monotonic_time ();
    publisher = ward_test_spawnv (pub_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error (error);
  }

  /* Each end time when first seen, polled together every millisecond. */
  deadline = t0 + TIMEOUT_SEC * G_USEC_PER_SEC;
  t_pub = 0;
  while (g_get_monotonic_time () < deadline && (t_ours == 0 || t_pub == 0))
    {
      gint64 now = g_get_monotonic_time ();

      if (t_ours == 0 && ward_mqtt_source_get_n_archived (source) >= n)
        t_ours = now;
      if (t_pub == 0 && g_subprocess_get_identifier (publisher) == NULL)
        t_pub = now;
      g_usleep (1000);
    }
  g_assert_true (ward_test_wait_process (publisher, TIMEOUT_SEC * 1000));
  if (t_pub == 0)
    t_pub = g_get_monotonic_time ();
  g_subprocess_communicate (publisher, NULL, NULL, &pub_bytes, NULL, &error);
  g_assert_no_error (error);
  pub_out = g_strstrip (g_strndup (g_bytes_get_data (pub_bytes, NULL), g_bytes_get_size (pub_bytes)));

  g_assert_true (ward_test_wait_process (sub, TIMEOUT_SEC * 1000));
  g_thread_join (reader_thread);

  /* End to end: mapped by the pipeline thread too. */
  while (g_get_monotonic_time () < deadline)
    {
      pending = db_query (db, "SELECT count(*) FROM raw_messages "
                              "WHERE source = 'mqtt' AND processed_at IS NULL");
      if (pending == 0)
        break;
      g_usleep (20 * 1000);
    }
  t_mapped = g_get_monotonic_time ();

  archived = db_query (db, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt'");
  pending = db_query (db, "SELECT count(*) FROM raw_messages "
                          "WHERE source = 'mqtt' AND processed_at IS NULL");

  g_assert_cmpuint (reader.lines, ==, n);
  g_assert_cmpint (t_ours, >, 0);
  g_assert_cmpint (archived, >=, (gint64) n);

  ours_rate = n / ((t_ours - t0) / 1e6);
  sub_rate = n / ((reader.last_usec - t0) / 1e6);
  pub_rate = n / ((t_pub - t0) / 1e6);
  mapped_rate = n / ((t_mapped - t0) / 1e6);
  ratio = ours_rate / sub_rate;

  printf ("bench-mqtt: %" G_GUINT64_FORMAT " device messages of a %d-bed demo ward, QoS 1, "
          "mosquitto on 127.0.0.1 (publisher: %s)\n", n, N_BEDS, pub_out);
  printf ("  publisher (wardwatch-cli simulate), all PUBACKs: %.3f s, %.0f messages/s\n",
          (t_pub - t0) / 1e6, pub_rate);
  printf ("  mosquitto_sub -q 1 -C N:                          %.3f s, %.0f messages/s\n",
          (reader.last_usec - t0) / 1e6, sub_rate);
  printf ("  Wardwatch MQTT source, committed to the archive:  %.3f s, %.0f messages/s\n",
          (t_ours - t0) / 1e6, ours_rate);
  printf ("  ... and mapped by the pipeline:                   %.3f s, %.0f messages/s"
          " (%" G_GINT64_FORMAT " rows, %" G_GINT64_FORMAT " pending)\n",
          (t_mapped - t0) / 1e6, mapped_rate, archived, pending);
  printf ("  (one SQLite commit per batch read from the socket, PUBACKs after it)\n");
  printf ("  ratio Wardwatch/mosquitto_sub: %.3f (limit >= %.2f): %s\n", ratio, MIN_RATIO,
          ratio >= MIN_RATIO ? "PASS" : "FAIL");

  ward_mqtt_source_stop (source);
  ward_pipeline_stop (pipeline);
  remove_db (db);
  g_rmdir (dir);

  /* The ratio Wardwatch/mosquitto_sub passes at or above the limit. */
  pass = ward_bench_report ("mqtt", WARD_BENCH_AT_LEAST, MIN_RATIO, ratio,
                            "messages", (double) n,
                            "publisher_per_s", pub_rate,
                            "mosquitto_sub_per_s", sub_rate,
                            "archived_per_s", ours_rate,
                            "mapped_per_s", mapped_rate,
                            NULL);
  return ward_bench_exit_status (pass);
}
