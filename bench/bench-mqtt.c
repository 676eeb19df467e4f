/* bench-mqtt.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <mosquitto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "ward-bench.h"
#include "ward-mqtt-source.h"
#include "ward-pipeline.h"
#include "ward-store.h"
#include "ward-test-broker.h"

/* What a ward needs from the MQTT way in: device messages from a real
 * mosquitto broker through Wardwatch's ingestion into the store (the
 * MQTT source commits each batch it reads from the socket to the raw
 * archive and only then sends the PUBACKs; the pipeline thread maps the
 * messages into measurements), at the ward's rate and at saturation.
 *
 * The reference, in the same run and on the same stream: a bare durable
 * subscriber, one libmosquitto client (QoS 1) on a thread of its own
 * that inserts every message (topic, payload, time) into a bare SQLite
 * table (WAL, synchronous=FULL, as the store) in one transaction per
 * batch read from the socket, and does nothing else: no mapping, no
 * identity, no scoring, and libmosquitto sends its PUBACKs on receipt,
 * before the commit.  It is what any durable ingestion costs at least.
 *
 *   1. The ward's rate: 64 monitors each send their vitals once a second
 *      (an in-process libmosquitto publisher, QoS 1, spread over the
 *      second) for WARD_SECONDS.  Each message's lag from its publish to
 *      its commit, in Wardwatch's archive and in the bare table (the
 *      broker keeps one publisher's order: the k-th message is committed
 *      when k are).  Limit: every message kept, p99 under
 *      LIMIT_WARD_P99_MS (the end-to-end bench's snapshot limit, which
 *      this lag is the first part of).
 *   2. Saturation: `wardwatch-cli simulate` publishes N messages of the
 *      64-bed demo ward as fast as the broker takes them, both
 *      subscribers receiving.  Each rate is N over the time from the
 *      publisher's start to the N-th message committed; Wardwatch's is
 *      taken to the last message mapped into the store too.  Limits:
 *      Wardwatch's archive (the same work as the bare subscriber's, plus
 *      holding the PUBACKs until the commit) at least MIN_RATIO of the
 *      bare subscriber's rate; and through the mapping (measurements,
 *      FHIR Observations and their outbox, NEWS2 windows, which the bare
 *      subscriber does none of) at least MIN_HEADROOM times the ward's
 *      rate, so that the backlog a broker kept while the station was
 *      down drains while the ward goes on sending.  The mapped rate
 *      against the bare subscriber's is printed: 0.15-0.26 on a loaded
 *      2-core machine when this was written.
 *
 * The ratio is the worst of the three over its limit and passes at or
 * above 1.  Measuring polls cheap counters; the one store query (the
 * pending rows, on their index) runs every 20 ms.
 */

#define N_BEDS            64
#define WARD_SECONDS      20
#define DEFAULT_N         20000
#define MIN_RATIO         0.5
#define MIN_HEADROOM      4.0
#define LIMIT_WARD_P99_MS 250.0
#define TIMEOUT_SEC       300
#define TOPIC_FILTER      "devices/+/messages/events/#"

/* The bare durable subscriber. */
typedef struct
{
  struct mosquitto *mosq;
  sqlite3          *db;
  sqlite3_stmt     *insert;
  GThread          *thread;
  gboolean          in_transaction;
  gint              subscribed;      /* atomic */
  gint              stop;            /* atomic */
  guint64           received;
  GArray           *commit_at;       /* gint64: when the k-th message was committed (monotonic) */
  GMutex            lock;            /* commit_at */
} Bare;

static void
bare_exec (Bare       *bare,
           const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (bare->db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("bare subscriber: %s: %s", sql, message);
}

static void
bare_message_cb (struct mosquitto                *mosq,
                 void                            *user_data,
                 const struct mosquitto_message  *msg)
{
  Bare *bare = user_data;

  if (!bare->in_transaction)
    {
      bare_exec (bare, "BEGIN");
      bare->in_transaction = TRUE;
    }
  sqlite3_bind_text (bare->insert, 1, msg->topic, -1, SQLITE_STATIC);
  sqlite3_bind_blob (bare->insert, 2, msg->payload, msg->payloadlen, SQLITE_STATIC);
  sqlite3_bind_int64 (bare->insert, 3, g_get_real_time ());
  if (sqlite3_step (bare->insert) != SQLITE_DONE)
    g_error ("bare subscriber: insert: %s", sqlite3_errmsg (bare->db));
  sqlite3_reset (bare->insert);
  bare->received++;
}

static void
bare_subscribe_cb (struct mosquitto *mosq,
                   void             *user_data,
                   int               mid,
                   int               qos_count,
                   const int        *granted_qos)
{
  Bare *bare = user_data;

  g_atomic_int_set (&bare->subscribed, 1);
}

static void
bare_connect_cb (struct mosquitto *mosq,
                 void             *user_data,
                 int               rc)
{
  if (rc == 0)
    mosquitto_subscribe (mosq, NULL, TOPIC_FILTER, 1);
}

/* What the socket holds, then its messages committed at once.
 * mosquitto_loop() reads one packet a call: after the first (waited
 * for), it is called without waiting until a call brings nothing.
 */
static gpointer
bare_thread (gpointer data)
{
  Bare *bare = data;

  while (!g_atomic_int_get (&bare->stop))
    {
      guint64 before;
      int rc = mosquitto_loop (bare->mosq, 10, 1);

      do
        {
          before = bare->received;
          if (rc == MOSQ_ERR_SUCCESS)
            rc = mosquitto_loop (bare->mosq, 0, 1);
        }
      while (rc == MOSQ_ERR_SUCCESS && bare->received > before);
      if (rc != MOSQ_ERR_SUCCESS)
        {
          g_usleep (10 * 1000);
          mosquitto_reconnect (bare->mosq);
        }
      if (bare->in_transaction)
        {
          gint64 now;

          bare_exec (bare, "COMMIT");
          bare->in_transaction = FALSE;
          now = g_get_monotonic_time ();
          g_mutex_lock (&bare->lock);
          while (bare->commit_at->len < bare->received)
            g_array_append_val (bare->commit_at, now);
          g_mutex_unlock (&bare->lock);
        }
    }

  return NULL;
}

static guint64
bare_get_committed (Bare *bare)
{
  guint64 n;

  g_mutex_lock (&bare->lock);
  n = bare->commit_at->len;
  g_mutex_unlock (&bare->lock);

  return n;
}

static gint64
bare_get_commit_at (Bare    *bare,
                    guint64  k)
{
  gint64 at = 0;

  g_mutex_lock (&bare->lock);
  if (k >= 1 && k <= bare->commit_at->len)
    at = g_array_index (bare->commit_at, gint64, k - 1);
  g_mutex_unlock (&bare->lock);

  return at;
}

static void
bare_start (Bare       *bare,
            const char *path,
            guint16     port)
{
  g_mutex_init (&bare->lock);
  bare->commit_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (sqlite3_open (path, &bare->db) != SQLITE_OK)
    g_error ("bare subscriber: cannot open %s", path);
  bare_exec (bare, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                   "CREATE TABLE raw (id INTEGER PRIMARY KEY, topic TEXT NOT NULL, "
                   "payload BLOB NOT NULL, received_at INTEGER NOT NULL)");
  if (sqlite3_prepare_v2 (bare->db, "INSERT INTO raw (topic, payload, received_at) "
                                    "VALUES (?1, ?2, ?3)", -1, &bare->insert, NULL) != SQLITE_OK)
    g_error ("bare subscriber: %s", sqlite3_errmsg (bare->db));

  bare->mosq = mosquitto_new ("bench-bare-subscriber", true, bare);
  g_assert (bare->mosq != NULL);
  mosquitto_connect_callback_set (bare->mosq, bare_connect_cb);
  mosquitto_subscribe_callback_set (bare->mosq, bare_subscribe_cb);
  mosquitto_message_callback_set (bare->mosq, bare_message_cb);
  g_assert_cmpint (mosquitto_connect (bare->mosq, "127.0.0.1", port, 30), ==, MOSQ_ERR_SUCCESS);
  bare->thread = g_thread_new ("bare-subscriber", bare_thread, bare);
}

static void
bare_stop (Bare *bare)
{
  g_atomic_int_set (&bare->stop, 1);
  g_thread_join (bare->thread);
  mosquitto_disconnect (bare->mosq);
  mosquitto_destroy (bare->mosq);
  sqlite3_finalize (bare->insert);
  sqlite3_close (bare->db);
  g_array_unref (bare->commit_at);
  g_mutex_clear (&bare->lock);
}

/* The ward's monitors, once a second each. */
typedef struct
{
  struct mosquitto *mosq;
  gint64            started;
  guint             seconds;
  GArray           *published_at;    /* gint64, monotonic, per message in order */
  GMutex            lock;
} Ward;

static gpointer
ward_thread (gpointer data)
{
  Ward *ward = data;
  guint64 serial = 0;

  for (guint tick = 0; tick < ward->seconds; tick++)
    for (guint bed = 1; bed <= N_BEDS; bed++)
      {
        gint64 due = ward->started + tick * G_USEC_PER_SEC + (bed - 1) * G_USEC_PER_SEC / N_BEDS;
        g_autoptr(GDateTime) now_utc = NULL;
        g_autofree char *at = NULL;
        g_autofree char *topic = NULL;
        g_autofree char *payload = NULL;
        gint64 now = g_get_monotonic_time ();

        if (due > now)
          g_usleep (due - now);
        now_utc = g_date_time_new_now_utc ();
        at = g_date_time_format (now_utc, "%Y-%m-%dT%H:%M:%S.%fZ");
        topic = g_strdup_printf ("devices/sim-monitor-%02u/messages/events/", bed);
        payload = g_strdup_printf ("{\"deviceId\":\"sim-monitor-%02u\",\"messageId\":\"ward-%02u-%"
                                   G_GUINT64_FORMAT "\",\"kind\":\"vitals\",\"measuredAt\":\"%s\","
                                   "\"heartRate\":%d,\"respiratoryRate\":%d,\"spo2\":%d}",
                                   bed, bed, serial++, at, 70 + (int) (tick % 7),
                                   14 + (int) (tick % 3), 96 + (int) (tick % 3));
        now = g_get_monotonic_time ();
        g_mutex_lock (&ward->lock);
        g_array_append_val (ward->published_at, now);
        g_mutex_unlock (&ward->lock);
        if (mosquitto_publish (ward->mosq, NULL, topic, (int) strlen (payload), payload, 1,
                               false) != MOSQ_ERR_SUCCESS)
          g_error ("ward publisher: publish failed");
      }

  return NULL;
}

static gint64
db_query (WardStore  *store,
          const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 value;

  value = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);

  return value;
}

static void
remove_db (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

static void
print_lags (const char *what,
            GArray     *lags,
            double     *p50,
            double     *p99,
            double     *max)
{
  *p50 = ward_bench_percentile (lags, 0.5);
  *p99 = ward_bench_percentile (lags, 0.99);
  *max = ward_bench_percentile (lags, 1.0);
  printf ("  %-44s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms\n", what, *p50, *p99, *max);
}

/* Phase 1: the ward's rate.  Returns whether every message was kept. */
static gboolean
run_ward_rate (WardTestBroker *broker,
               WardMqttSource *source,
               Bare           *bare,
               GArray         *ours_lags,
               GArray         *bare_lags)
{
  Ward ward = { 0 };
  GThread *thread;
  guint64 ours_base = ward_mqtt_source_get_n_archived (source);
  guint64 bare_base = bare_get_committed (bare);
  guint64 n, ours_seen;
  gint64 deadline;
  GArray *ours_at = g_array_new (FALSE, FALSE, sizeof (gint64));

  ward.seconds = ward_bench_scale (WARD_SECONDS, 3);
  ward.published_at = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_mutex_init (&ward.lock);
  n = (guint64) ward.seconds * N_BEDS;
  ward.mosq = mosquitto_new ("bench-mqtt-monitors", true, NULL);
  g_assert (ward.mosq != NULL);
  g_assert_cmpint (mosquitto_connect (ward.mosq, "127.0.0.1", ward_test_broker_get_port (broker),
                                      30), ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_loop_start (ward.mosq), ==, MOSQ_ERR_SUCCESS);

  ward.started = g_get_monotonic_time ();
  thread = g_thread_new ("ward-monitors", ward_thread, &ward);

  /* Wardwatch's commits, seen every millisecond; the bare subscriber
   * notes its own.
   */
  ours_seen = 0;
  deadline = ward.started + (ward.seconds + 30) * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline &&
         (ours_seen < n || bare_get_committed (bare) - bare_base < n))
    {
      guint64 archived = ward_mqtt_source_get_n_archived (source) - ours_base;
      gint64 now = g_get_monotonic_time ();

      while (ours_seen < MIN (archived, n))
        {
          g_array_append_val (ours_at, now);
          ours_seen++;
        }
      g_usleep (1000);
    }
  g_thread_join (thread);
  mosquitto_loop_stop (ward.mosq, true);
  mosquitto_disconnect (ward.mosq);
  mosquitto_destroy (ward.mosq);

  for (guint64 k = 0; k < n; k++)
    {
      gint64 published = g_array_index (ward.published_at, gint64, k);
      gint64 bare_at = bare_get_commit_at (bare, bare_base + k + 1);
      double ms;

      if (k < ours_at->len)
        {
          ms = (g_array_index (ours_at, gint64, k) - published) / 1000.0;
          g_array_append_val (ours_lags, ms);
        }
      if (bare_at != 0)
        {
          ms = (bare_at - published) / 1000.0;
          g_array_append_val (bare_lags, ms);
        }
    }

  printf ("bench-mqtt: the ward's rate: %d monitors once a second for %u s (%" G_GUINT64_FORMAT
          " messages, QoS 1, mosquitto on 127.0.0.1); publish -> committed:\n",
          N_BEDS, ward.seconds, n);

  g_array_unref (ours_at);
  g_array_unref (ward.published_at);
  g_mutex_clear (&ward.lock);

  return ours_lags->len == n && bare_lags->len == n;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(WardTestBroker) broker = NULL;
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardMqttSource) source = NULL;
  g_autoptr(WardStore) reader = NULL;
  g_autoptr(GSubprocess) publisher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ours_lags = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare_lags = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardMqttSourceConfig) mqtt = { 0 };
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *bare_db = NULL;
  g_autofree char *count_arg = NULL;
  g_autofree char *beds_arg = NULL;
  g_autofree char *url_arg = NULL;
  g_autofree char *pub_out = NULL;
  g_autoptr(GBytes) pub_bytes = NULL;
  const char *cli = g_getenv ("WARDWATCH_CLI");
  const char *bench_dir = g_getenv ("WARD_BENCH_DIR");
  const char *n_env = g_getenv ("WARD_BENCH_MQTT_N");
  Bare bare = { 0 };
  guint64 n = n_env ? g_ascii_strtoull (n_env, NULL, 10) : ward_bench_scale (DEFAULT_N, 2000);
  guint64 ours_base, bare_base;
  gint64 t0, t_ours = 0, t_bare = 0, t_mapped = 0, t_pub = 0, deadline;
  double ours_rate, bare_rate, mapped_rate, pub_rate, sat_ratio, archive_ratio, headroom, ratio;
  double o50, o99, omax, b50, b99, bmax;
  gboolean kept, pass;
  gint64 archived, pending;

  if (cli == NULL)
    {
      g_printerr ("bench-mqtt: WARDWATCH_CLI is not set: run through meson test --benchmark\n");
      return 77;
    }

  mosquitto_lib_init ();
  broker = ward_test_broker_new (&error);
  if (broker == NULL)
    {
      printf ("bench-mqtt: SKIP: no mosquitto broker: %s\n", error->message);
      return 77;
    }

  /* On the disk the store lives on, not tmpfs: the commits are the cost. */
  {
    g_autofree char *parent = g_strdup (bench_dir ? bench_dir : g_get_user_cache_dir ());

    /* A folder of this run's own: another run may go on beside it. */
    g_mkdir_with_parents (parent, 0700);
    dir = g_build_filename (parent, "wardwatch-bench-mqtt-XXXXXX", NULL);
    g_assert_nonnull (g_mkdtemp (dir));
  }
  db = g_build_filename (dir, "mqtt.db", NULL);
  bare_db = g_build_filename (dir, "mqtt-bare.db", NULL);
  remove_db (db);
  remove_db (bare_db);

  /* The demo ward registers the devices the messages name; they come
   * over the network only, not from the in-process simulator too.
   */
  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.demo = TRUE;
  config.simulate = FALSE;
  config.n_beds = N_BEDS;
  pipeline = ward_pipeline_new (&config);
  ward_pipeline_start (pipeline, NULL, NULL, &error);
  g_assert_no_error (error);

  ward_mqtt_source_config_init (&mqtt);
  mqtt.url = g_strdup (ward_test_broker_get_url (broker));
  source = ward_mqtt_source_new (pipeline, &mqtt);
  ward_mqtt_source_start (source, &error);
  g_assert_no_error (error);

  bare_start (&bare, bare_db, ward_test_broker_get_port (broker));

  /* Both subscribed before the first message. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((!ward_mqtt_source_get_connected (source) || !g_atomic_int_get (&bare.subscribed)) &&
         g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_true (ward_mqtt_source_get_connected (source));
  g_assert_true (g_atomic_int_get (&bare.subscribed));
  g_usleep (500 * 1000);

  /* 1. The ward's rate. */
  kept = run_ward_rate (broker, source, &bare, ours_lags, bare_lags);
  print_lags ("Wardwatch (archive committed, then PUBACK):", ours_lags, &o50, &o99, &omax);
  print_lags ("bare durable subscriber (for reference):", bare_lags, &b50, &b99, &bmax);
  if (!kept)
    printf ("  not every message was committed: Wardwatch %u, bare %u\n",
            ours_lags->len, bare_lags->len);
  fflush (stdout);

  /* 2. Saturation. */
  ours_base = ward_mqtt_source_get_n_archived (source);
  bare_base = bare_get_committed (&bare);
  count_arg = g_strdup_printf ("--count=%" G_GUINT64_FORMAT, n);
  beds_arg = g_strdup_printf ("--beds=%d", N_BEDS);
  url_arg = g_strdup_printf ("--mqtt-url=%s", ward_test_broker_get_url (broker));
  {
    const char *pub_argv[] = {
      cli, "simulate", url_arg, beds_arg, "--seed=42", "--time-scale=0", count_arg, NULL
    };

    t0 = g_get_monotonic_time ();
    publisher = ward_test_spawnv (pub_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error (error);
  }

  /* Each end time when first seen, polled together every millisecond. */
  deadline = t0 + TIMEOUT_SEC * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline && (t_ours == 0 || t_bare == 0 || t_pub == 0))
    {
      gint64 now = g_get_monotonic_time ();

      if (t_ours == 0 && ward_mqtt_source_get_n_archived (source) - ours_base >= n)
        t_ours = now;
      if (t_bare == 0 && bare_get_committed (&bare) - bare_base >= n)
        t_bare = now;
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

  /* Through the mapping: every message processed.  One read-only
   * connection, and a count on the index of the pending rows, every
   * 20 ms: the measuring must not take the pipeline's CPU.
   */
  reader = ward_store_open_readonly (db, &error);
  g_assert_no_error (error);
  while (g_get_monotonic_time () < deadline)
    {
      pending = db_query (reader, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL");
      if (pending == 0)
        break;
      g_usleep (20 * 1000);
    }
  t_mapped = g_get_monotonic_time ();

  archived = db_query (reader, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt'");
  pending = db_query (reader, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL");
  g_clear_object (&reader);

  g_assert_cmpint (t_ours, >, 0);
  g_assert_cmpint (t_bare, >, 0);
  g_assert_cmpint (archived, >=, (gint64) (n + ours_base));
  g_assert_cmpint (pending, ==, 0);

  ours_rate = n / ((t_ours - t0) / 1e6);
  bare_rate = n / ((t_bare - t0) / 1e6);
  pub_rate = n / ((t_pub - t0) / 1e6);
  mapped_rate = n / ((t_mapped - t0) / 1e6);
  sat_ratio = mapped_rate / bare_rate;
  archive_ratio = ours_rate / bare_rate;
  headroom = mapped_rate / N_BEDS;

  printf ("bench-mqtt: saturation: %" G_GUINT64_FORMAT " device messages of the %d-bed demo "
          "ward as fast as the broker takes them (publisher: %s)\n", n, N_BEDS, pub_out);
  printf ("  publisher (wardwatch-cli simulate), all PUBACKs: %.3f s, %.0f messages/s\n",
          (t_pub - t0) / 1e6, pub_rate);
  printf ("  bare durable subscriber, committed:              %.3f s, %.0f messages/s\n",
          (t_bare - t0) / 1e6, bare_rate);
  printf ("  Wardwatch MQTT source, committed to the archive: %.3f s, %.0f messages/s\n",
          (t_ours - t0) / 1e6, ours_rate);
  printf ("  ... and mapped into the store by the pipeline:   %.3f s, %.0f messages/s"
          " (%" G_GINT64_FORMAT " MQTT rows)\n", (t_mapped - t0) / 1e6, mapped_rate, archived);
  printf ("  mapped, over the ward's rate (%d messages/s): %.1f times\n", N_BEDS, headroom);

  ratio = MIN (MIN (archive_ratio / MIN_RATIO, headroom / MIN_HEADROOM),
               LIMIT_WARD_P99_MS / o99);
  if (!kept)
    ratio = NAN;
  printf ("  archive / bare %.3f (limit >= %.2f); mapped / bare %.3f; headroom %.1f (limit >= "
          "%.0f); the ward's rate, p99 %.1f ms (limit < %.0f ms): %s\n", archive_ratio, MIN_RATIO,
          sat_ratio, headroom, MIN_HEADROOM, o99, LIMIT_WARD_P99_MS,
          ward_bench_passes (WARD_BENCH_AT_LEAST, ratio, 1.0) ? "PASS" : "FAIL");

  bare_stop (&bare);
  ward_mqtt_source_stop (source);
  ward_pipeline_stop (pipeline);
  remove_db (db);
  remove_db (bare_db);
  g_rmdir (dir);
  mosquitto_lib_cleanup ();

  pass = ward_bench_report ("mqtt", WARD_BENCH_AT_LEAST, 1.0, ratio,
                            "ward_messages", (double) ours_lags->len,
                            "ward_p50_ms", o50, "ward_p99_ms", o99, "ward_max_ms", omax,
                            "bare_ward_p99_ms", b99,
                            "messages", (double) n,
                            "publisher_per_s", pub_rate,
                            "bare_per_s", bare_rate,
                            "archived_per_s", ours_rate,
                            "mapped_per_s", mapped_rate,
                            "ratio_archive", archive_ratio,
                            "ratio_mapped", sat_ratio,
                            "headroom", headroom,
                            NULL);
  return ward_bench_exit_status (pass);
}
