/* test-mllp.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-hl7.h"
#include "ward-mllp-listener.h"
#include "ward-pipeline.h"
#include "ward-store.h"

/* 2025-03-14T12:00:00Z: the pipeline's clock starts there, and the
 * messages are observed just before.
 */
#define START_USEC G_GINT64_CONSTANT (1741953600000000)

/* The demo ward's bed monitors; anything else is an unknown device. */
#define BED1_DEVICE "sim-monitor-01"
#define BED2_DEVICE "sim-monitor-02"
#define UNKNOWN_DEVICE "0011223344556677"

typedef struct
{
  char             *dir;
  char             *path;
  WardPipeline     *pipeline;
  WardMllpListener *listener;
  guint16           port;
} Fixture;

typedef struct
{
  GSocketConnection *connection;
  GSocket           *socket;
  GByteArray        *buffer;
} Client;

typedef void (*ClientFunc) (guint16 port);

typedef struct
{
  ClientFunc  func;
  guint16     port;
  gint       *n_done;
} ClientThread;

/* The listener's messages about the garbage this test sends are
 * expected, and counted here.
 */
static gint n_listener_warnings;

static void
listener_log_cb (const char     *log_domain,
                 GLogLevelFlags  log_level,
                 const char     *message,
                 gpointer        user_data)
{
  g_test_message ("%s: %s", log_domain, message);
  if ((log_level & G_LOG_LEVEL_MESSAGE) &&
      (strstr (message, "outside an MLLP frame") || strstr (message, "larger than")))
    g_atomic_int_inc (&n_listener_warnings);
}

static gboolean
log_fatal_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "ward-mllp") == 0 && (log_level & G_LOG_LEVEL_WARNING));
}

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
}

static char *
make_oru (const char *control_id,
          const char *device,
          const char *accept_ack,
          const char *hr,
          const char *hr_unit)
{
  return g_strdup_printf ("MSH|^~\\&|MON^%s^EUI-64|WARD|WARDWATCH|HOSP|20250314115930+0000||"
                          "ORU^R01^ORU_R01|%s|P|2.6|||%s|NE||UNICODE UTF-8|||IHE_PCD_001\r"
                          "OBR|1|||182777000^monitoring of patient^SCT|||20250314115930+0000\r"
                          "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.7.4.147842|%s|%s|||||R|||"
                          "20250314115930+0000\r"
                          "OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|96|"
                          "262688^MDC_DIM_PERCENT^MDC|||||R|||20250314115930+0000\r",
                          device, control_id, accept_ack, hr, hr_unit);
}

static char *
make_valid (const char *control_id,
            const char *device,
            const char *accept_ack)
{
  return make_oru (control_id, device, accept_ack, "82", "264864^MDC_DIM_BEAT_PER_MIN^MDC");
}

static char *
frame (const char *message)
{
  return g_strdup_printf ("\x0b%s\x1c\r", message);
}

/* Clients: plain blocking sockets, each in a thread of its own. */

static Client *
client_new (guint16 port)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Client *c = g_new0 (Client, 1);

  /* Loopback only: no proxy lookup. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  c->connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  c->socket = g_socket_connection_get_socket (c->connection);
  g_socket_set_timeout (c->socket, 30);
  c->buffer = g_byte_array_new ();
  return c;
}

static void
client_free (Client *c)
{
  g_io_stream_close (G_IO_STREAM (c->connection), NULL, NULL);
  g_object_unref (c->connection);
  g_byte_array_unref (c->buffer);
  g_free (c);
}

static void
client_send (Client     *c,
             const char *data,
             gsize       len)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c->connection));

  g_assert_true (g_output_stream_write_all (out, data, len, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
client_send_frame (Client     *c,
                   const char *message)
{
  g_autofree char *framed = frame (message);

  client_send (c, framed, strlen (framed));
}

/* The next ACK, unframed; NULL when the server closed the connection. */
static char *
client_read_ack (Client *c)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint8 buf[4096];
      const guint8 *start;
      gssize n;

      start = c->buffer->len > 0 ? memchr (c->buffer->data, 0x0b, c->buffer->len) : NULL;
      if (start != NULL)
        {
          gsize offset = start - c->buffer->data;

          for (gsize i = offset + 1; i + 1 < c->buffer->len; i++)
            if (c->buffer->data[i] == 0x1c && c->buffer->data[i + 1] == 0x0d)
              {
                char *ack = g_strndup ((const char *) c->buffer->data + offset + 1, i - offset - 1);

                g_byte_array_remove_range (c->buffer, 0, i + 2);
                return ack;
              }
        }

      n = g_socket_receive (c->socket, (char *) buf, sizeof buf, NULL, &error);
      if (n == 0 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        return NULL;
      g_assert_no_error (error);
      g_byte_array_append (c->buffer, buf, n);
    }
}

/* Checks the ACK's MSA and returns its text (MSA-3), or NULL. */
static char *
check_ack (const char *ack,
           const char *code,
           const char *control_id)
{
  g_autoptr(WardHl7Message) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msa_code = NULL;
  g_autofree char *msa_id = NULL;
  g_autofree char *type = NULL;
  int msa;

  g_assert_nonnull (ack);
  msg = ward_hl7_message_parse (ack, strlen (ack), &error);
  g_assert_no_error (error);

  type = ward_hl7_message_get_field_er7 (msg, 0, 9);
  g_assert_true (g_str_has_prefix (type, "ACK^"));

  msa = ward_hl7_message_find_segment (msg, "MSA", 0);
  g_assert_cmpint (msa, ==, 1);
  msa_code = ward_hl7_message_get_component (msg, msa, 1, 1);
  msa_id = ward_hl7_message_get_component (msg, msa, 2, 1);
  if (g_strcmp0 (msa_code, code) != 0 || g_strcmp0 (msa_id, control_id) != 0)
    g_error ("expected MSA|%s|%s, got ACK %s", code, control_id, ack);

  return ward_hl7_message_get_component (msg, msa, 3, 1);
}

static void
expect_ack (Client     *c,
            const char *code,
            const char *control_id,
            const char *text_fragment)
{
  g_autofree char *ack = client_read_ack (c);
  g_autofree char *text = check_ack (ack, code, control_id);

  if (text_fragment != NULL && (text == NULL || strstr (text, text_fragment) == NULL))
    g_error ("ACK text \"%s\" does not mention \"%s\"", text ? text : "", text_fragment);
}

static gpointer
client_thread (gpointer data)
{
  ClientThread *t = data;

  t->func (t->port);
  g_atomic_int_inc (t->n_done);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* Runs the clients at once, each in its thread, while this thread
 * serves them: the listener and the pipeline completions live on its
 * main context.
 */
static void
run_clients (Fixture          *f,
             const ClientFunc *funcs,
             guint             n)
{
  g_autofree ClientThread *threads = g_new0 (ClientThread, n);
  g_autofree GThread **handles = g_new0 (GThread *, n);
  gint n_done = 0;

  for (guint i = 0; i < n; i++)
    {
      threads[i].func = funcs[i];
      threads[i].port = f->port;
      threads[i].n_done = &n_done;
      handles[i] = g_thread_new ("mllp-client", client_thread, &threads[i]);
    }

  while ((guint) g_atomic_int_get (&n_done) < n)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < n; i++)
    g_thread_join (handles[i]);
}

/* Two frames in one write: two ACKs, in order. */
static void
client_two_in_one_write (guint16 port)
{
  Client *c = client_new (port);
  g_autofree char *m1 = make_valid ("A-1", BED1_DEVICE, "AL");
  g_autofree char *m2 = make_valid ("A-2", BED1_DEVICE, "AL");
  g_autofree char *f1 = frame (m1);
  g_autofree char *f2 = frame (m2);
  g_autofree char *both = g_strconcat (f1, f2, NULL);

  client_send (c, both, strlen (both));
  expect_ack (c, "AA", "A-1", NULL);
  expect_ack (c, "AA", "A-2", NULL);
  client_free (c);
}

/* Garbage outside frames, a frame split across writes with pauses, a
 * frame that is not HL7, a message that is not ORU^R01 and one from a
 * device nobody knows: each gets its ACK, and the connection stays open
 * through all of them.
 */
static void
client_split_and_garbage (guint16 port)
{
  Client *c = client_new (port);
  g_autofree char *m1 = make_valid ("B-1", BED2_DEVICE, "AL");
  g_autofree char *f1 = frame (m1);
  g_autofree char *m2 = make_valid ("B-2", BED2_DEVICE, "");
  g_autofree char *m3 = make_valid ("B-3", UNKNOWN_DEVICE, "AL");
  g_autofree char *m4 = make_oru ("B-4", BED2_DEVICE, "AL", "900", "264864^MDC_DIM_BEAT_PER_MIN^MDC");
  gsize len = strlen (f1);
  static const char junk[] = "junk before the frame\r\n";
  static const char garbage[] = "\x0bhello, this is not HL7\x1c\r";
  static const char adt[] = "MSH|^~\\&|ADT|HOSP|||20250314115930+0000||ADT^A01^ADT_A01|B-ADT|P|2.5|||AL\r"
                            "PID|||123\r";

  client_send (c, junk, sizeof junk - 1);
  client_send (c, f1, 7);
  g_usleep (50 * 1000);
  client_send (c, f1 + 7, len / 2 - 7);
  g_usleep (50 * 1000);
  client_send (c, f1 + len / 2, len - len / 2 - 1);
  g_usleep (50 * 1000);
  client_send (c, f1 + len - 1, 1);
  expect_ack (c, "AA", "B-1", NULL);

  client_send (c, garbage, sizeof garbage - 1);
  expect_ack (c, "AR", "", "MSH");

  /* Original mode (MSH-15 empty) always answers. */
  client_send_frame (c, m2);
  expect_ack (c, "AA", "B-2", NULL);

  client_send_frame (c, adt);
  expect_ack (c, "AR", "B-ADT", "ORU^R01");

  client_send_frame (c, m3);
  expect_ack (c, "AE", "B-3", UNKNOWN_DEVICE);

  /* Stored, but not all of it: accepted, with what was not as a warning. */
  client_send_frame (c, m4);
  expect_ack (c, "AA", "B-4", "heartrate.hr");

  client_free (c);
}

/* MSH-15: NE never answers, ER only errors, SU only successes. */
static void
client_accept_ack_types (guint16 port)
{
  Client *c = client_new (port);
  g_autofree char *ne = make_valid ("C-NE", BED1_DEVICE, "NE");
  g_autofree char *er_ok = make_valid ("C-ER-OK", BED1_DEVICE, "ER");
  g_autofree char *er_bad = make_valid ("C-ER-BAD", UNKNOWN_DEVICE, "ER");
  g_autofree char *su_bad = make_valid ("C-SU-BAD", UNKNOWN_DEVICE, "SU");
  g_autofree char *su_ok = make_valid ("C-SU-OK", BED1_DEVICE, "SU");
  g_autofree char *al = make_valid ("C-AL", BED1_DEVICE, "AL");

  client_send_frame (c, ne);
  client_send_frame (c, er_ok);
  client_send_frame (c, er_bad);
  client_send_frame (c, su_bad);
  client_send_frame (c, su_ok);
  client_send_frame (c, al);

  expect_ack (c, "AE", "C-ER-BAD", UNKNOWN_DEVICE);
  expect_ack (c, "AA", "C-SU-OK", NULL);
  expect_ack (c, "AA", "C-AL", NULL);
  client_free (c);
}

/* Gone before its ACK: the message is still stored. */
static void
client_hang_up (guint16 port)
{
  Client *c = client_new (port);
  g_autofree char *m = make_valid ("D-1", BED2_DEVICE, "AL");

  client_send_frame (c, m);
  client_free (c);
}

/* A frame over the limit closes the connection. */
static void
client_too_large (guint16 port)
{
  Client *c = client_new (port);
  g_autofree char *big = g_malloc (WARD_MLLP_MAX_FRAME_SIZE + 2);

  big[0] = 0x0b;
  memset (big + 1, 'A', WARD_MLLP_MAX_FRAME_SIZE + 1);

  /* The server may close before it has read all of it. */
  {
    g_autoptr(GError) error = NULL;
    GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c->connection));

    g_output_stream_write_all (out, big, WARD_MLLP_MAX_FRAME_SIZE + 2, NULL, NULL, &error);
  }
  g_assert_null (client_read_ack (c));
  client_free (c);
}

static gint64
query_int (WardStore  *store,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = _ward_store_query_int (store, sql, &error);

  g_assert_no_error (error);
  return n;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };

  /* GLib resets this for every test case. */
  g_test_log_set_fatal_handler (log_fatal_cb, NULL);

  f->dir = g_dir_make_tmp ("ward-mllp-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->path);
  config.demo = TRUE;
  config.n_beds = 2;
  config.seed = 11;
  config.time_scale = 1;
  config.start_usec = START_USEC;
  config.tick_msec = 20;

  f->pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f->pipeline, snapshot_cb, f, &error));
  g_assert_no_error (error);

  f->listener = ward_mllp_listener_new (f->pipeline);
  g_assert_true (ward_mllp_listener_listen (f->listener, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  f->port = ward_mllp_listener_get_port (f->listener);
  g_assert_cmpuint (f->port, >, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->listener);
  if (f->pipeline != NULL)
    ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
test_mllp_listener (Fixture       *f,
                    gconstpointer  data)
{
  static const ClientFunc together[] = {
    client_two_in_one_write,
    client_split_and_garbage,
    client_accept_ack_types,
    client_hang_up,
  };
  static const ClientFunc after[] = { client_too_large, client_two_in_one_write };
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardMllpCounters counters;

  run_clients (f, together, G_N_ELEMENTS (together));
  run_clients (f, after, G_N_ELEMENTS (after));

  ward_mllp_listener_get_counters (f->listener, &counters);
  g_assert_cmpuint (counters.connections, ==, 6);
  g_assert_cmpuint (counters.frames_too_large, ==, 1);
  g_assert_cmpuint (counters.bytes_skipped, >=, strlen ("junk before the frame\r\n"));
  /* The junk and the frame too large were each reported. */
  g_assert_cmpint (g_atomic_int_get (&n_listener_warnings), ==, 2);
  /* A-1 A-2 (twice), B-1 B-2 B-4, C-SU-OK C-AL, and D-1 unless D hung up first. */
  g_assert_cmpuint (counters.acks_aa, >=, 9);
  g_assert_cmpuint (counters.acks_ae, ==, 2);
  g_assert_cmpuint (counters.acks_ar, ==, 2);
  g_assert_cmpuint (counters.frames, ==, 17);

  /* Everything pushed is committed by the time the pipeline stops. */
  ward_mllp_listener_stop (f->listener);
  ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);

  store = ward_store_open_readonly (f->path, &error);
  g_assert_no_error (error);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM raw_messages WHERE source = 'mllp'"),
                   ==, 17);
  /* The client that hung up: its message is stored and mapped. */
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM measurements m JOIN raw_messages r "
                              "ON r.id = m.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|D-1|%'"), ==, 2);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM measurements m JOIN raw_messages r "
                              "ON r.id = m.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|A-1|%'"), ==, 4);

  /* Garbage is archived and dead-lettered, with its stage and reason. */
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) = 'hello, this is not HL7' "
                              "AND d.stage = 'parse' AND d.reason LIKE '%MSH%'"), ==, 1);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|B-ADT|%' "
                              "AND d.stage = 'mapping' "
                              "AND d.reason LIKE '%ORU^R01%'"), ==, 1);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|B-3|%' "
                              "AND d.stage = 'identity' "
                              "AND d.reason LIKE '%" UNKNOWN_DEVICE "%'"), ==, 1);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|C-ER-BAD|%' "
                              "AND d.stage = 'identity'"), ==, 1);
  /* The partial one: SpO2 stored, the impossible heart rate dead-lettered. */
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM measurements m JOIN raw_messages r "
                              "ON r.id = m.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|B-4|%'"), ==, 1);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|B-4|%' "
                              "AND d.stage = 'validation' AND d.reason LIKE '%heartrate.hr%'"), ==, 1);
  /* Nothing of a rejected message is stored. */
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM measurements m JOIN raw_messages r "
                              "ON r.id = m.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|C-ER-BAD|%'"), ==, 0);
}

/* Stopping with a connection open closes it; the client sees the end. */
static void
test_mllp_stop (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  WardMllpCounters counters;
  char buf[16];
  gssize n;

  g_socket_client_set_enable_proxy (socket_client, FALSE);
  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", f->port, NULL, &error);
  g_assert_no_error (error);

  do
    {
      g_main_context_iteration (NULL, TRUE);
      ward_mllp_listener_get_counters (f->listener, &counters);
    }
  while (counters.open_connections == 0);

  ward_mllp_listener_stop (f->listener);
  ward_mllp_listener_get_counters (f->listener, &counters);
  g_assert_cmpuint (counters.open_connections, ==, 0);

  g_socket_set_timeout (g_socket_connection_get_socket (connection), 10);
  n = g_socket_receive (g_socket_connection_get_socket (connection), buf, sizeof buf, NULL, &error);
  g_assert_cmpint (n, <=, 0);

  /* And the port is free again. */
  g_clear_object (&connection);
  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", f->port, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_mllp_bad_address (void)
{
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardMllpListener) listener = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };

  ward_pipeline_config_init (&config);
  pipeline = ward_pipeline_new (&config);
  listener = ward_mllp_listener_new (pipeline);

  g_assert_false (ward_mllp_listener_listen (listener, "localhost.invalid", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_handler ("ward-mllp", G_LOG_LEVEL_MESSAGE, listener_log_cb, NULL);

  g_test_add ("/integration/mllp/listener", Fixture, NULL,
              fixture_set_up, test_mllp_listener, fixture_tear_down);
  g_test_add ("/integration/mllp/stop", Fixture, NULL,
              fixture_set_up, test_mllp_stop, fixture_tear_down);
  g_test_add_func ("/integration/mllp/bad-address", test_mllp_bad_address);

  return g_test_run ();
}
