/* test-mqtt.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-mqtt-source.h"
#include "ward-mqtt-source-private.h"
#include "ward-pipeline.h"
#include "ward-store.h"
#include "ward-test-broker.h"
#include "ward-test-util.h"

/* The MQTT source against a real mosquitto broker on 127.0.0.1, fed by
 * mosquitto_pub and by `wardwatch-cli simulate`.  "Nothing lost" is
 * checked in the store: every message published is in the raw archive
 * (by content: QoS 1 is at least once, so a message may be there twice)
 * and mapped (measurements, or a dead letter).  Every wait is bounded.
 */

#define CONNECT_TIMEOUT_MSEC  15000
#define ARRIVE_TIMEOUT_MSEC   60000
#define PROCESS_TIMEOUT_MSEC  90000

typedef struct
{
  WardTestBroker *broker;
  char           *dir;
  char           *db;
  WardPipeline   *pipeline;
  WardMqttSource *source;
  guint           n_connected_notify;
  guint           n_error_notify;
  GThread        *main_thread;
} Fixture;

static const char *
cli (void)
{
  return g_getenv ("WARDWATCH_CLI");
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Fixture *f = user_data;

  /* Notifications come on the thread that started the source. */
  g_assert_true (g_thread_self () == f->main_thread);

  if (g_str_equal (pspec->name, "connected"))
    f->n_connected_notify++;
  else if (g_str_equal (pspec->name, "last-error"))
    f->n_error_notify++;
}

static void
start_wardwatch (Fixture    *f,
                 const char *url)
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardMqttSourceConfig) mqtt = { 0 };
  g_autoptr(GError) error = NULL;

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->db);
  config.demo = TRUE;         /* registers the demo ward's beds and devices */
  config.n_beds = 4;
  config.seed = 1;
  config.tick_msec = 20;

  f->pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f->pipeline, NULL, NULL, &error));
  g_assert_no_error (error);

  ward_mqtt_source_config_init (&mqtt);
  mqtt.url = g_strdup (url);
  mqtt.reconnect_delay_max = 2;

  f->source = ward_mqtt_source_new (f->pipeline, &mqtt);
  g_signal_connect (f->source, "notify", G_CALLBACK (notify_cb), f);
  g_assert_true (ward_mqtt_source_start (f->source, &error));
  g_assert_no_error (error);
}

static void
stop_wardwatch (Fixture *f)
{
  /* The source first: what it acknowledged must reach a running pipeline. */
  if (f->source != NULL)
    ward_mqtt_source_stop (f->source);
  g_clear_object (&f->source);
  if (f->pipeline != NULL)
    ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->main_thread = g_thread_self ();
  f->dir = g_dir_make_tmp ("ward-mqtt-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "ward.db", NULL);

  if (GPOINTER_TO_INT (data) == 0)
    {
      f->broker = ward_test_broker_new (&error);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  stop_wardwatch (f);

  if (f->broker != NULL && g_test_failed ())
    {
      g_autofree char *log = ward_test_broker_dup_log (f->broker);

      g_test_message ("Broker log:\n%s", log);
    }
  g_clear_pointer (&f->broker, ward_test_broker_free);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->dir);
}

/* Helpers */

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

static gint64
db_query (Fixture    *f,
          const char *sql)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 value;

  store = ward_store_open_readonly (f->db, &error);
  g_assert_no_error (error);
  value = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);

  return value;
}

static gint64
n_distinct (Fixture *f)
{
  return db_query (f, "SELECT count(DISTINCT payload) FROM raw_messages WHERE source = 'mqtt'");
}

static gint64
n_raw (Fixture *f)
{
  return db_query (f, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt'");
}

/* Waits until n distinct MQTT messages are archived and none is waiting
 * to be mapped.
 */
static void
wait_archived_and_mapped (Fixture *f,
                          gint64   n)
{
  gint64 deadline = g_get_monotonic_time () + ward_test_timeout_msec (ARRIVE_TIMEOUT_MSEC) * (gint64) 1000;
  gint64 distinct = 0, pending = -1;

  while (g_get_monotonic_time () < deadline)
    {
      distinct = n_distinct (f);
      pending = db_query (f, "SELECT count(*) FROM raw_messages "
                             "WHERE source = 'mqtt' AND processed_at IS NULL");
      if (distinct >= n && pending == 0)
        break;
      iterate (50);
    }

  g_test_message ("archived %" G_GINT64_FORMAT " distinct of %" G_GINT64_FORMAT
                  " (%" G_GINT64_FORMAT " rows), %" G_GINT64_FORMAT " not mapped",
                  distinct, n, n_raw (f), pending);
  g_assert_cmpint (distinct, ==, n);
  g_assert_cmpint (pending, ==, 0);

  /* Mapped means: measurements, or a dead letter with its reason; a
   * redelivered copy is marked and left unmapped (the original was).
   */
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages r WHERE r.source = 'mqtt' "
                                "AND r.duplicate_of IS NULL "
                                "AND NOT EXISTS (SELECT 1 FROM measurements m "
                                "                WHERE m.raw_message_id = r.id) "
                                "AND NOT EXISTS (SELECT 1 FROM dead_letters d "
                                "                WHERE d.raw_message_id = r.id)"), ==, 0);
}

static void
wait_connected (Fixture  *f,
                gboolean  connected)
{
  gint64 deadline = g_get_monotonic_time () + ward_test_timeout_msec (CONNECT_TIMEOUT_MSEC) * (gint64) 1000;

  while (ward_mqtt_source_get_connected (f->source) != connected &&
         g_get_monotonic_time () < deadline)
    iterate (20);

  g_assert_cmpint (ward_mqtt_source_get_connected (f->source), ==, connected);
  /* Give the SUBSCRIBE its round trip. */
  iterate (200);
}

static char *
run_process (const char * const *argv,
             const char         *input,
             int                *status)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) stdin_bytes = NULL;
  g_autoptr(GBytes) stdout_bytes = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE;

  if (input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;

  process = ward_test_spawnv (argv, flags, &error);
  g_assert_no_error (error);

  if (input != NULL)
    stdin_bytes = g_bytes_new (input, strlen (input));
  /* Output is small (a summary line), and the programs bound their own
   * run time (--timeout, -q 1 against a live broker).
   */
  g_subprocess_communicate (process, stdin_bytes, NULL, &stdout_bytes, NULL, &error);
  g_assert_no_error (error);

  *status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  return g_strndup (g_bytes_get_data (stdout_bytes, NULL), g_bytes_get_size (stdout_bytes));
}

/* The summary line of `wardwatch-cli simulate`. */
static void
parse_summary (char   *out,
               gint64 *sent,
               gint64 *acked,
               gint64 *errors)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *line = strrchr (g_strchomp (out), '\n');
  JsonObject *obj;

  line = line ? line + 1 : out;
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));
  *sent = json_object_get_int_member (obj, "sent");
  *acked = json_object_get_int_member (obj, "acked");
  *errors = json_object_get_int_member (obj, "errors");
}

static void
run_simulate (Fixture    *f,
              const char *count,
              const char *client_id,
              gint64     *sent)
{
  g_autofree char *url = g_strdup_printf ("--mqtt-url=%s", ward_test_broker_get_url (f->broker));
  g_autofree char *count_arg = g_strdup_printf ("--count=%s", count);
  g_autofree char *id_arg = client_id ? g_strdup_printf ("--client-id=%s", client_id) : NULL;
  const char *argv[] = {
    cli (), "simulate", url, "--beds=4", "--seed=3", "--time-scale=0", "--timeout=30",
    count_arg, id_arg, NULL
  };
  g_autofree char *out = NULL;
  gint64 acked, errors;
  int status;

  out = run_process (argv, NULL, &status);
  g_test_message ("simulate: %s", out);
  g_assert_cmpint (status, ==, 0);
  parse_summary (out, sent, &acked, &errors);
  g_assert_cmpint (*sent, ==, g_ascii_strtoll (count, NULL, 10));
  g_assert_cmpint (acked, ==, *sent);
  g_assert_cmpint (errors, ==, 0);
}

static char *
vitals_lines (const char *tag,
              guint       n)
{
  GString *lines = g_string_new (NULL);
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc ((now / G_USEC_PER_SEC) - n + i);
      g_autofree char *iso = g_date_time_format (at, "%Y-%m-%dT%H:%M:%SZ");

      g_string_append_printf (lines,
                              "{\"deviceId\":\"sim-monitor-01\",\"messageId\":\"%s-%u\","
                              "\"kind\":\"vitals\",\"measuredAt\":\"%s\",\"heartRate\":%u,"
                              "\"respiratoryRate\":16,\"spo2\":97}\n",
                              tag, i, iso, 70 + i % 20);
    }

  return g_string_free (lines, FALSE);
}

static void
mosquitto_pub (Fixture    *f,
               const char *topic,
               const char *message,
               const char *lines)
{
  g_autofree char *port = g_strdup_printf ("%u", ward_test_broker_get_port (f->broker));
  const char *argv[] = {
    "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-q", "1", "-t", topic,
    message ? "-m" : "-l", message, NULL
  };
  g_autofree char *out = NULL;
  int status;

  out = run_process (argv, lines, &status);
  g_assert_cmpint (status, ==, 0);
}

/* Tests */

static void
test_config (void)
{
  static const char * const filters[] = {
    WARD_MQTT_DEFAULT_TOPIC, "ward/5/{deviceId}/vitals", "gateway/#",
    "$share/ward-5/beds/{deviceId}/#", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  gboolean tls = FALSE;
  int port = 0;
  char *id;

  g_assert_true (ward_mqtt_source_parse_url ("mqtt://broker.ward", &host, &port, &tls, &error));
  g_assert_cmpstr (host, ==, "broker.ward");
  g_assert_cmpint (port, ==, 1883);
  g_assert_false (tls);
  g_clear_pointer (&host, g_free);
  g_assert_true (ward_mqtt_source_parse_url ("mqtts://[::1]:9000/", &host, &port, &tls, &error));
  g_assert_cmpstr (host, ==, "::1");
  g_assert_cmpint (port, ==, 9000);
  g_assert_true (tls);

  g_assert_false (ward_mqtt_source_parse_url ("http://broker", NULL, NULL, NULL, &error));
  g_assert_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_URL);
  g_clear_error (&error);
  g_assert_false (ward_mqtt_source_parse_url ("mqtt://user:secret@broker", NULL, NULL, NULL,
                                              &error));
  g_assert_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_URL);
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);
  g_assert_false (ward_mqtt_source_parse_url ("mqtt://broker/topic", NULL, NULL, NULL, &error));
  g_clear_error (&error);

  id = ward_mqtt_source_device_id_for_topic (NULL, "devices/monitor-7/messages/events/");
  g_assert_cmpstr (id, ==, "monitor-7");
  g_free (id);
  id = ward_mqtt_source_device_id_for_topic (filters, "ward/5/pump-2/vitals");
  g_assert_cmpstr (id, ==, "pump-2");
  g_free (id);
  id = ward_mqtt_source_device_id_for_topic (filters, "gateway/a/b");
  g_assert_null (id);
  id = ward_mqtt_source_device_id_for_topic (filters, "beds/monitor-3/vitals");
  g_assert_cmpstr (id, ==, "monitor-3");
  g_free (id);
  id = ward_mqtt_source_device_id_for_topic (filters, "devices/x/other");
  g_assert_cmpstr (id, ==, "x");
  g_free (id);
}

static void
test_bad_config (Fixture       *f,
                 gconstpointer  data)
{
  static const char * const bad_topics[][2] = {
    { "devices/{deviceId}/x/{deviceId}", NULL },
    { "devices/dev{deviceId}/#", NULL },
    { "devices/#/x", NULL },
  };
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->db);
  pipeline = ward_pipeline_new (&config);

  for (guint i = 0; i < G_N_ELEMENTS (bad_topics); i++)
    {
      g_auto(WardMqttSourceConfig) mqtt = { 0 };
      g_autoptr(WardMqttSource) source = NULL;

      ward_mqtt_source_config_init (&mqtt);
      mqtt.url = g_strdup ("mqtt://127.0.0.1:1");
      mqtt.topics = g_strdupv ((char **) bad_topics[i]);
      source = ward_mqtt_source_new (pipeline, &mqtt);
      g_assert_false (ward_mqtt_source_start (source, &error));
      g_assert_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_TOPIC);
      g_clear_error (&error);
    }

  {
    g_auto(WardMqttSourceConfig) mqtt = { 0 };
    g_autoptr(WardMqttSource) source = NULL;

    /* max_inflight 0 is unlimited, and quadratic: refused. */
    ward_mqtt_source_config_init (&mqtt);
    mqtt.url = g_strdup ("mqtt://127.0.0.1:1");
    mqtt.max_inflight = 0;
    source = ward_mqtt_source_new (pipeline, &mqtt);
    g_assert_false (ward_mqtt_source_start (source, &error));
    g_assert_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG);
    g_clear_error (&error);
  }

  {
    g_auto(WardMqttSourceConfig) mqtt = { 0 };
    g_autoptr(WardMqttSource) source = NULL;

    /* TLS files for a plain URL would look secure and not be. */
    ward_mqtt_source_config_init (&mqtt);
    mqtt.url = g_strdup ("mqtt://127.0.0.1:1");
    mqtt.ca_file = g_strdup ("/etc/ssl/certs/ca-certificates.crt");
    source = ward_mqtt_source_new (pipeline, &mqtt);
    g_assert_false (ward_mqtt_source_start (source, &error));
    g_assert_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG);
    g_clear_error (&error);
  }
}

/* (a) mosquitto_pub and wardwatch-cli simulate into the archive, mapped. */
static void
test_archive_and_map (Fixture       *f,
                      gconstpointer  data)
{
  static const char malformed[] = "{\"deviceId\":\"sim-monitor-02\",\"heartRate\":";
  g_autofree char *lines = vitals_lines ("pub", 20);
  g_autofree char *sql = NULL;
  g_auto(WardMqttSourceStatus) status = { 0 };
  gint64 sent = 0;

  if (cli () == NULL)
    {
      g_test_skip ("WARDWATCH_CLI is not set: run through meson test");
      return;
    }

  start_wardwatch (f, ward_test_broker_get_url (f->broker));
  wait_connected (f, TRUE);
  g_assert_cmpuint (f->n_connected_notify, >=, 1);

  mosquitto_pub (f, "devices/sim-monitor-01/messages/events/", NULL, lines);
  mosquitto_pub (f, "devices/sim-monitor-02/messages/events/", malformed, NULL);
  run_simulate (f, "500", NULL, &sent);

  wait_archived_and_mapped (f, 20 + 1 + sent);

  /* The device id comes from the topic. */
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt' "
                                "AND device_id IS NULL"), ==, 0);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt' "
                                "AND content_type = 'application/json'"), ==, n_raw (f));

  /* mosquitto_pub's vitals: three measurements each. */
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM measurements m JOIN raw_messages r "
                                "ON m.raw_message_id = r.id WHERE r.source = 'mqtt' "
                                "AND CAST (r.payload AS TEXT) LIKE '%\"pub-%'"), ==, 60);

  /* The malformed payload is archived and dead-lettered at parse. */
  sql = g_strdup_printf ("SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                         "ON d.raw_message_id = r.id WHERE r.source = 'mqtt' "
                         "AND d.stage = 'parse' AND CAST (r.payload AS TEXT) = '%s'", malformed);
  g_assert_cmpint (db_query (f, sql), ==, 1);

  /* The simulator's messages are mapped to measurements. */
  g_assert_cmpint (db_query (f, "SELECT count(DISTINCT r.id) FROM measurements m "
                                "JOIN raw_messages r ON m.raw_message_id = r.id "
                                "WHERE r.source = 'mqtt' AND r.device_id LIKE 'sim-monitor-%'"),
                   >=, sent * 9 / 10);

  iterate (200);
  ward_mqtt_source_get_status (f->source, &status);
  g_assert_true (status.connected);
  g_assert_cmpuint (status.failed, ==, 0);
  g_assert_cmpuint (status.archived, ==, status.received);
  g_assert_cmpuint (status.archived, ==, (guint64) n_raw (f));
  g_assert_null (status.last_error);
}

/* (b) The broker stops and restarts while a publisher is sending. */
static void
test_broker_restart (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) publisher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out_bytes = NULL;
  g_autofree char *out = NULL;
  gint64 deadline;
  gint64 sent, acked, errors;
  guint connects;

  if (cli () == NULL)
    {
      g_test_skip ("WARDWATCH_CLI is not set: run through meson test");
      return;
    }

  start_wardwatch (f, ward_test_broker_get_url (f->broker));
  wait_connected (f, TRUE);

  url = g_strdup_printf ("--mqtt-url=%s", ward_test_broker_get_url (f->broker));
  {
    /* Paced, so that the broker goes down in the middle of the stream;
     * a persistent session on the publisher's side too.
     */
    const char *argv[] = {
      cli (), "simulate", url, "--beds=4", "--seed=5", "--time-scale=0", "--count=3000",
      "--rate-limit=600", "--client-id=test-publisher", "--timeout=45", NULL
    };

    publisher = ward_test_spawnv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error (error);
  }

  /* Until some of the stream has arrived. */
  deadline = g_get_monotonic_time () + ward_test_timeout_msec (ARRIVE_TIMEOUT_MSEC) * (gint64) 1000;
  while (n_raw (f) < 500 && g_get_monotonic_time () < deadline)
    iterate (20);
  g_assert_cmpint (n_raw (f), >=, 500);

  ward_test_broker_stop (f->broker);
  iterate (300);
  g_assert_false (ward_mqtt_source_get_connected (f->source));
  iterate (1200);
  ward_test_broker_start (f->broker, &error);
  g_assert_no_error (error);

  g_assert_true (ward_test_wait_process (publisher, PROCESS_TIMEOUT_MSEC));
  g_subprocess_communicate (publisher, NULL, NULL, &out_bytes, NULL, &error);
  g_assert_no_error (error);
  out = g_strndup (g_bytes_get_data (out_bytes, NULL), g_bytes_get_size (out_bytes));
  g_test_message ("simulate: %s", out);
  g_assert_cmpint (g_subprocess_get_exit_status (publisher), ==, 0);
  parse_summary (out, &sent, &acked, &errors);
  g_assert_cmpint (sent, ==, 3000);
  g_assert_cmpint (acked, ==, 3000);
  g_assert_cmpint (errors, ==, 0);

  wait_archived_and_mapped (f, sent);

  connects = 0;
  {
    g_auto(WardMqttSourceStatus) status = { 0 };

    ward_mqtt_source_get_status (f->source, &status);
    connects = status.connects;
    g_assert_cmpuint (status.failed, ==, 0);
  }
  g_assert_cmpuint (connects, >=, 2);
  g_test_message ("duplicates (QoS 1 is at least once): %" G_GINT64_FORMAT,
                  n_raw (f) - n_distinct (f));
}

/* (c) Wardwatch is stopped while the broker keeps receiving. */
static void
test_wardwatch_offline (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *client_id = NULL;
  gint64 sent = 0;

  if (cli () == NULL)
    {
      g_test_skip ("WARDWATCH_CLI is not set: run through meson test");
      return;
    }

  start_wardwatch (f, ward_test_broker_get_url (f->broker));
  wait_connected (f, TRUE);
  client_id = g_strdup (ward_mqtt_source_get_client_id (f->source));
  stop_wardwatch (f);

  /* The broker queues them in Wardwatch's persistent session. */
  run_simulate (f, "400", NULL, &sent);
  g_assert_cmpint (n_raw (f), ==, 0);

  start_wardwatch (f, ward_test_broker_get_url (f->broker));
  /* The same database gives the same client id, so the same session. */
  g_assert_cmpstr (ward_mqtt_source_get_client_id (f->source), ==, client_id);
  wait_archived_and_mapped (f, sent);
}

/* (d) Nothing listens at start: the source keeps retrying, reports it,
 * and connects once a broker appears.
 */
static void
test_broker_down (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *last_error = NULL;
  guint16 port;
  gint64 start;

  port = ward_test_free_port (&error);
  g_assert_no_error (error);
  url = g_strdup_printf ("mqtt://127.0.0.1:%u", port);

  start_wardwatch (f, url);
  iterate (2500);

  g_assert_false (ward_mqtt_source_get_connected (f->source));
  last_error = ward_mqtt_source_dup_last_error (f->source);
  g_assert_nonnull (last_error);
  g_test_message ("last error: %s", last_error);
  g_assert_cmpuint (f->n_error_notify, >=, 1);

  f->broker = ward_test_broker_new_at_port (port, &error);
  g_assert_no_error (error);
  wait_connected (f, TRUE);

  /* Stopping is prompt, connected or not. */
  ward_test_broker_stop (f->broker);
  iterate (300);
  start = g_get_monotonic_time ();
  ward_mqtt_source_stop (f->source);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_false (ward_mqtt_source_get_connected (f->source));
}

/* The archive fails: the message is not acknowledged, the connection is
 * dropped, and the broker redelivers it.
 */
static void
test_archive_failure (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *lines = vitals_lines ("fail", 10);
  g_auto(WardMqttSourceStatus) status = { 0 };

  start_wardwatch (f, ward_test_broker_get_url (f->broker));
  wait_connected (f, TRUE);

  _ward_mqtt_source_inject_failures (f->source, 1);
  mosquitto_pub (f, "devices/sim-monitor-01/messages/events/", NULL, lines);

  wait_archived_and_mapped (f, 10);
  wait_connected (f, TRUE);
  ward_mqtt_source_get_status (f->source, &status);
  /* The whole batch the failure hit was dropped unacknowledged. */
  g_assert_cmpuint (status.failed, >=, 1);
  g_assert_cmpuint (status.failed, <=, 10);
  g_assert_cmpuint (status.connects, >=, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mqtt/config", test_config);
  g_test_add ("/mqtt/bad-config", Fixture, GINT_TO_POINTER (1),
              fixture_set_up, test_bad_config, fixture_tear_down);
  g_test_add ("/mqtt/archive-and-map", Fixture, NULL,
              fixture_set_up, test_archive_and_map, fixture_tear_down);
  g_test_add ("/mqtt/broker-restart", Fixture, NULL,
              fixture_set_up, test_broker_restart, fixture_tear_down);
  g_test_add ("/mqtt/wardwatch-offline", Fixture, NULL,
              fixture_set_up, test_wardwatch_offline, fixture_tear_down);
  g_test_add ("/mqtt/broker-down", Fixture, GINT_TO_POINTER (1),
              fixture_set_up, test_broker_down, fixture_tear_down);
  g_test_add ("/mqtt/archive-failure", Fixture, NULL,
              fixture_set_up, test_archive_failure, fixture_tear_down);

  return g_test_run ();
}
