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

/* Every line the listener logged, for the tests of its rate limit. */
static GMutex log_lock;
static GPtrArray *log_lines;

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

  g_mutex_lock (&log_lock);
  g_ptr_array_add (log_lines, g_strdup (message));
  g_mutex_unlock (&log_lock);
}

static guint
count_log_lines (const char *fragment)
{
  guint n = 0;

  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_lines->len; i++)
    if (strstr (g_ptr_array_index (log_lines, i), fragment) != NULL)
      n++;
  g_mutex_unlock (&log_lock);

  return n;
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

/* Starts the pipeline on f->path and a listener with the limits in data
 * (a WardMllpLimits, or NULL for the defaults).
 */
static void
start_pipeline_and_listener (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };

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
  if (data != NULL)
    ward_mllp_listener_set_limits (f->listener, data);
  g_assert_true (ward_mllp_listener_listen (f->listener, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  f->port = ward_mllp_listener_get_port (f->listener);
  g_assert_cmpuint (f->port, >, 0);
}

static void
stop_pipeline_and_listener (Fixture *f)
{
  if (f->listener != NULL)
    ward_mllp_listener_stop (f->listener);
  g_clear_object (&f->listener);
  if (f->pipeline != NULL)
    ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* GLib resets this for every test case. */
  g_test_log_set_fatal_handler (log_fatal_cb, NULL);

  f->dir = g_dir_make_tmp ("ward-mllp-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);

  g_mutex_lock (&log_lock);
  g_ptr_array_set_size (log_lines, 0);
  g_mutex_unlock (&log_lock);

  start_pipeline_and_listener (f, data);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  stop_pipeline_and_listener (f);

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
  /* the second time: stored already, answered AA again. */
  g_assert_cmpuint (counters.duplicates, ==, 2);
  /* The junk and the frame too large. */
  g_assert_cmpuint (counters.framing_errors, ==, 2);

  /* Everything pushed is committed by the time the pipeline stops. */
  ward_mllp_listener_stop (f->listener);
  ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);

  store = ward_store_open_readonly (f->path, &error);
  g_assert_no_error (error);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM raw_messages WHERE source = 'mllp' "
                                     "AND content_type = 'x-application/hl7-v2+er7'"), ==, 15);
  /* The framing errors: archived as bytes, dead-lettered with the peer. */
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id "
                              "WHERE d.stage = 'framing' AND r.source = 'mllp' "
                              "AND r.content_type = 'application/octet-stream' "
                              "AND d.reason LIKE '%from 127.0.0.1:%'"), ==, 2);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id "
                              "WHERE d.stage = 'framing' "
                              "AND CAST(r.payload AS TEXT) = 'junk before the frame' || "
                              "char(13, 10) "
                              "AND d.reason LIKE '%23 bytes outside an MLLP frame%'"), ==, 1);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id "
                              "WHERE d.stage = 'framing' AND length(r.payload) = 65536 "
                              "AND r.processed_at IS NOT NULL "
                              "AND d.reason LIKE '%frame larger than 4194304 bytes%'"), ==, 1);
  /* The client that hung up: its message is stored and mapped. */
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM measurements m JOIN raw_messages r "
                              "ON r.id = m.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|D-1|%'"), ==, 2);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM measurements m JOIN raw_messages r "
                              "ON r.id = m.raw_message_id "
                              "WHERE CAST(r.payload AS TEXT) LIKE '%|A-1|%'"), ==, 2);

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

/* Runs func (data) in a thread while this thread serves the listener and
 * the pipeline's completions.
 */
typedef struct
{
  GThreadFunc  func;
  gpointer     data;
  gint         done;
} Job;

static gpointer
job_thread (gpointer data)
{
  Job *job = data;

  job->func (job->data);
  g_atomic_int_set (&job->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
run_in_thread (GThreadFunc func,
               gpointer    data)
{
  Job job = { func, data, 0 };
  GThread *thread = g_thread_new ("mllp-job", job_thread, &job);

  while (!g_atomic_int_get (&job.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
}

/* Serves until cond holds, at most 10 s. */
static void
serve_until (Fixture  *f,
             gboolean (*cond) (const WardMllpCounters *counters, gconstpointer data),
             gconstpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  WardMllpCounters counters;

  for (;;)
    {
      ward_mllp_listener_get_counters (f->listener, &counters);
      if (cond (&counters, data))
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
n_open_is (const WardMllpCounters *counters,
           gconstpointer           data)
{
  return counters->open_connections == GPOINTER_TO_UINT (data);
}

static gboolean
n_refused_is (const WardMllpCounters *counters,
              gconstpointer           data)
{
  return counters->connections_refused == GPOINTER_TO_UINT (data);
}

/* The ACK as it came, MSH-7 of the ACK aside (its own time). */
static char *
ack_without_time (const char *ack)
{
  g_auto(GStrv) segments = g_strsplit (ack, "\r", -1);
  g_auto(GStrv) msh = g_strsplit (segments[0], "|", -1);

  g_assert_cmpuint (g_strv_length (msh), >, 7);
  g_free (msh[6]);
  msh[6] = g_strdup ("");
  g_free (segments[0]);
  segments[0] = g_strjoinv ("|", msh);
  return g_strjoinv ("\r", segments);
}

typedef struct
{
  guint16     port;
  const char *message;
  char       *ack;          /* out */
} SendOne;

/* One frame on a connection of its own; the ACK, or NULL. */
static gpointer
send_one (gpointer data)
{
  SendOne *one = data;
  Client *c = client_new (one->port);

  client_send_frame (c, one->message);
  one->ack = client_read_ack (c);
  client_free (c);
  return NULL;
}

static char *
exchange (Fixture    *f,
          const char *message)
{
  SendOne one = { f->port, message, NULL };

  run_in_thread (send_one, &one);
  g_assert_nonnull (one.ack);
  return one.ack;
}

static gint64
count_raw_with (WardStore  *store,
                const char *control_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM raw_messages "
                                          "WHERE CAST(payload AS TEXT) LIKE '%%|%s|%%'",
                                          control_id);

  return query_int (store, sql);
}

static gint64
count_measurements_of (WardStore  *store,
                       const char *control_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM measurements m JOIN raw_messages r "
                                          "ON r.id = m.raw_message_id "
                                          "WHERE CAST(r.payload AS TEXT) LIKE '%%|%s|%%'",
                                          control_id);

  return query_int (store, sql);
}

/* A monitor that did not get its ACK sends the message again: stored
 * once, and the ACK repeats the first answer, code and text, also after a
 * restart of Wardwatch.  An id reused for other content is another
 * message; MSH-7 alone changed is the same one.
 */
static void
test_mllp_dedup (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *accepted = make_valid ("E-1", BED1_DEVICE, "AL");
  g_autofree char *partial = make_oru ("E-2", BED1_DEVICE, "AL", "900",
                                       "264864^MDC_DIM_BEAT_PER_MIN^MDC");
  g_autofree char *refused = make_valid ("E-3", UNKNOWN_DEVICE, "AL");
  g_autofree char *other_content = make_oru ("E-1", BED1_DEVICE, "AL", "83",
                                             "264864^MDC_DIM_BEAT_PER_MIN^MDC");
  g_autofree char *other_facility = NULL;
  g_autofree char *later = NULL;
  /* g_autofree on an array would free its first element only. */
  g_auto(GStrv) first = g_new0 (char *, 4);
  const char *messages[3] = { accepted, partial, refused };
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardMllpCounters counters;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *ack = exchange (f, messages[i]);

      first[i] = ack_without_time (ack);
    }
  g_free (check_ack (first[0], "AA", "E-1"));
  g_free (check_ack (first[1], "AA", "E-2"));
  g_free (check_ack (first[2], "AE", "E-3"));

  /* Sent again, each on a new connection: the same answers. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *ack = exchange (f, messages[i]);
      g_autofree char *again = ack_without_time (ack);

      g_assert_cmpstr (again, ==, first[i]);
    }

  /* MSH-7 is when it was sent: a resend may give it anew. */
  later = g_strdup (accepted);
  memcpy (strstr (later, "20250314115930+0000||ORU"), "20250314120030", 14);
  {
    g_autofree char *ack = exchange (f, later);
    g_autofree char *again = ack_without_time (ack);

    g_assert_cmpstr (again, ==, first[0]);
  }

  ward_mllp_listener_get_counters (f->listener, &counters);
  g_assert_cmpuint (counters.duplicates, ==, 4);

  /* After a restart, the store remembers. */
  stop_pipeline_and_listener (f);
  start_pipeline_and_listener (f, data);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *ack = exchange (f, messages[i]);
      g_autofree char *again = ack_without_time (ack);

      g_assert_cmpstr (again, ==, first[i]);
    }

  /* The same id with other values: a message of its own, stored. */
  {
    g_autofree char *ack = exchange (f, other_content);

    g_free (check_ack (ack, "AA", "E-1"));
  }
  /* The same id from another facility: another sender's message. */
  other_facility = g_strdup (accepted);
  memcpy (strstr (other_facility, "|WARD|"), "|ICU0|", 6);
  {
    g_autofree char *ack = exchange (f, other_facility);

    g_free (check_ack (ack, "AA", "E-1"));
  }

  ward_mllp_listener_get_counters (f->listener, &counters);
  g_assert_cmpuint (counters.duplicates, ==, 3);
  stop_pipeline_and_listener (f);

  store = ward_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  /* E-1 three times: the first, other content, another facility. */
  g_assert_cmpint (count_raw_with (store, "E-1"), ==, 3);
  g_assert_cmpint (count_measurements_of (store, "E-1"), ==, 6);
  g_assert_cmpint (count_raw_with (store, "E-2"), ==, 1);
  g_assert_cmpint (count_measurements_of (store, "E-2"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                                     "ON r.id = d.raw_message_id "
                                     "WHERE CAST(r.payload AS TEXT) LIKE '%|E-2|%'"), ==, 1);
  g_assert_cmpint (count_raw_with (store, "E-3"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                                     "ON r.id = d.raw_message_id "
                                     "WHERE CAST(r.payload AS TEXT) LIKE '%|E-3|%'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM message_answers"), ==, 4);
}

/* With de-duplication off, a resend is stored again (the check above
 * would pass for nothing if the listener never sent twice).
 */
static void
test_mllp_dedup_off (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *accepted = make_valid ("F-1", BED1_DEVICE, "AL");
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autofree char *ack = exchange (f, accepted);

    g_free (check_ack (ack, "AA", "F-1"));
  }
  {
    g_autofree char *ack = exchange (f, accepted);

    g_free (check_ack (ack, "AA", "F-1"));
  }
  stop_pipeline_and_listener (f);

  store = ward_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_raw_with (store, "F-1"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM message_answers"), ==, 0);
}

typedef struct
{
  guint16 port;
} Port;

/* Each framing error on a connection of its own, then one good message:
 * the listener goes on.
 */
static gpointer
send_framing_errors (gpointer data)
{
  Port *port = data;
  g_autofree char *good = make_valid ("G-1", BED2_DEVICE, "AL");
  g_autofree char *half = make_valid ("G-HALF", BED2_DEVICE, "AL");
  g_autofree char *abandoned = make_valid ("G-ABANDONED", BED2_DEVICE, "AL");
  g_autofree char *after = make_valid ("G-AFTER", BED2_DEVICE, "AL");
  Client *c;

  /* Garbage before a start block: the frame after it still counts. */
  c = client_new (port->port);
  client_send (c, "GET / HTTP/1.0\r\n\r\n", 18);
  client_send_frame (c, good);
  expect_ack (c, "AA", "G-1", NULL);
  client_free (c);

  /* An empty frame: AR, and the next frame on it answered. */
  c = client_new (port->port);
  client_send (c, "\x0b\x1c\r", 3);
  expect_ack (c, "AR", "", "empty");
  client_send (c, "\x0b\x1c", 2);
  expect_ack (c, "AR", "", "empty");
  client_free (c);

  /* Unterminated at close: half a message, then the peer goes. */
  c = client_new (port->port);
  client_send (c, "\x0b", 1);
  client_send (c, half, strlen (half) / 2);
  client_free (c);

  /* A start block before the end of the frame: the first is abandoned,
   * the second answered.
   */
  c = client_new (port->port);
  client_send (c, "\x0b", 1);
  client_send (c, abandoned, 40);
  client_send_frame (c, after);
  expect_ack (c, "AA", "G-AFTER", NULL);
  client_free (c);

  return NULL;
}

static void
test_mllp_framing_errors (Fixture       *f,
                          gconstpointer  data)
{
  Port port = { f->port };
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardMllpCounters counters;

  run_in_thread (send_framing_errors, &port);
  /* The half message's connection is closed when the listener reads the end. */
  serve_until (f, n_open_is, GUINT_TO_POINTER (0));
  ward_mllp_listener_get_counters (f->listener, &counters);
  g_assert_cmpuint (counters.framing_errors, ==, 5);
  stop_pipeline_and_listener (f);

  store = ward_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM dead_letters WHERE stage = 'framing' "
                                     "AND reason LIKE 'MLLP framing error from 127.0.0.1:%'"), ==, 5);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id WHERE d.stage = 'framing' "
                              "AND CAST(r.payload AS TEXT) = 'GET / HTTP/1.0' || char(13, 10, 13, 10) "
                              "AND d.reason LIKE '%18 bytes outside an MLLP frame'"), ==, 1);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id WHERE d.stage = 'framing' "
                              "AND length(r.payload) = 0 AND d.reason LIKE '%empty frame'"), ==, 2);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id WHERE d.stage = 'framing' "
                              "AND CAST(r.payload AS TEXT) LIKE 'MSH|%|G-HALF|%' "
                              "AND d.reason LIKE '%unterminated frame%closed before its end'"), ==, 1);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id WHERE d.stage = 'framing' "
                              "AND length(r.payload) = 40 "
                              "AND d.reason LIKE '%unterminated frame of 40 bytes%new start block%'"),
                   ==, 1);
  /* Nothing of them was mapped or is waiting to be; the good ones were. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"),
                   ==, 0);
  g_assert_cmpint (count_measurements_of (store, "G-1"), ==, 2);
  g_assert_cmpint (count_measurements_of (store, "G-AFTER"), ==, 2);
  g_assert_cmpint (count_measurements_of (store, "G-HALF"), ==, 0);
}

/* Beyond the cap, a connection is closed at once, one log line for all
 * of them; when one idle connection goes, a monitor gets through.
 */
static gpointer
expect_closed (gpointer data)
{
  Client *c = data;

  g_assert_null (client_read_ack (c));
  return NULL;
}

static void
test_mllp_connection_cap (Fixture       *f,
                          gconstpointer  data)
{
  const WardMllpLimits *limits = data;
  g_autofree char *message = make_valid ("H-1", BED1_DEVICE, "AL");
  g_autoptr(GPtrArray) idle = g_ptr_array_new ();
  g_autoptr(GPtrArray) refused = g_ptr_array_new ();
  g_autofree char *ack = NULL;
  WardMllpCounters counters;

  for (guint i = 0; i < limits->max_connections; i++)
    g_ptr_array_add (idle, client_new (f->port));
  serve_until (f, n_open_is, GUINT_TO_POINTER (limits->max_connections));

  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (refused, client_new (f->port));
  serve_until (f, n_refused_is, GUINT_TO_POINTER (20));
  for (guint i = 0; i < refused->len; i++)
    {
      run_in_thread (expect_closed, g_ptr_array_index (refused, i));
      client_free (g_ptr_array_index (refused, i));
    }

  ward_mllp_listener_get_counters (f->listener, &counters);
  g_assert_cmpuint (counters.open_connections, ==, limits->max_connections);
  g_assert_cmpuint (counters.connections, ==, limits->max_connections);
  g_assert_cmpint (count_log_lines ("Refused an MLLP connection from 127.0.0.1:"), ==, 1);

  /* One idle client goes: room for a monitor. */
  client_free (g_ptr_array_index (idle, 0));
  g_ptr_array_remove_index (idle, 0);
  serve_until (f, n_open_is, GUINT_TO_POINTER (limits->max_connections - 1));
  ack = exchange (f, message);
  g_free (check_ack (ack, "AA", "H-1"));

  for (guint i = 0; i < idle->len; i++)
    client_free (g_ptr_array_index (idle, i));
}

/* A short idle timeout: silent connections are closed, one with half a
 * frame leaves a dead letter, one that keeps sending stays.
 */
typedef struct
{
  guint16  port;
  gboolean stayed;
} Chatty;

static gpointer
chatty_monitor (gpointer data)
{
  Chatty *chatty = data;
  Client *c = client_new (chatty->port);

  /* Busy for three idle timeouts, a message every half timeout. */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("I-%u", i);
      g_autofree char *m = make_valid (id, BED2_DEVICE, "AL");

      client_send_frame (c, m);
      expect_ack (c, "AA", id, NULL);
      g_usleep (150 * 1000);
    }
  chatty->stayed = TRUE;
  client_free (c);
  return NULL;
}

static void
test_mllp_idle_timeout (Fixture       *f,
                        gconstpointer  data)
{
  Client *silent[3];
  Client *half;
  Chatty chatty = { f->port, FALSE };
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardMllpCounters counters;

  for (guint i = 0; i < G_N_ELEMENTS (silent); i++)
    silent[i] = client_new (f->port);
  half = client_new (f->port);
  client_send (half, "\x0bMSH|^~\\&|MON", 13);

  run_in_thread (chatty_monitor, &chatty);
  g_assert_true (chatty.stayed);

  serve_until (f, n_open_is, GUINT_TO_POINTER (0));
  for (guint i = 0; i < G_N_ELEMENTS (silent); i++)
    {
      run_in_thread (expect_closed, silent[i]);
      client_free (silent[i]);
    }
  run_in_thread (expect_closed, half);
  client_free (half);

  ward_mllp_listener_get_counters (f->listener, &counters);
  g_assert_cmpuint (counters.connections_idle, ==, 4);
  g_assert_cmpuint (counters.acks_aa, ==, 6);
  /* Four closes, one line (the rest counted at the next). */
  g_assert_cmpint (count_log_lines ("Closed the MLLP connection from"), ==, 1);
  stop_pipeline_and_listener (f);

  store = ward_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                              "ON r.id = d.raw_message_id WHERE d.stage = 'framing' "
                              "AND CAST(r.payload AS TEXT) = 'MSH|^~\\&|MON' "
                              "AND d.reason LIKE '%unterminated frame of 12 bytes: the connection "
                              "was idle for 0.3 s and closed%'"), ==, 1);
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
  log_lines = g_ptr_array_new_with_free_func (g_free);
  g_log_set_handler ("ward-mllp", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                     listener_log_cb, NULL);

  g_test_add ("/integration/mllp/listener", Fixture, NULL,
              fixture_set_up, test_mllp_listener, fixture_tear_down);
  g_test_add ("/integration/mllp/stop", Fixture, NULL,
              fixture_set_up, test_mllp_stop, fixture_tear_down);
  g_test_add_func ("/integration/mllp/bad-address", test_mllp_bad_address);

  {
    static WardMllpLimits dedup_off, cap, idle;

    ward_mllp_limits_init (&dedup_off);
    dedup_off.dedup_keep_usec = 0;
    ward_mllp_limits_init (&cap);
    cap.max_connections = 8;
    cap.idle_timeout_usec = 0;
    ward_mllp_limits_init (&idle);
    idle.idle_timeout_usec = 300 * 1000;

    g_test_add ("/integration/mllp/dedup", Fixture, NULL,
                fixture_set_up, test_mllp_dedup, fixture_tear_down);
    g_test_add ("/integration/mllp/dedup-off", Fixture, &dedup_off,
                fixture_set_up, test_mllp_dedup_off, fixture_tear_down);
    g_test_add ("/integration/mllp/framing-errors", Fixture, NULL,
                fixture_set_up, test_mllp_framing_errors, fixture_tear_down);
    g_test_add ("/integration/mllp/connection-cap", Fixture, &cap,
                fixture_set_up, test_mllp_connection_cap, fixture_tear_down);
    g_test_add ("/integration/mllp/idle-timeout", Fixture, &idle,
                fixture_set_up, test_mllp_idle_timeout, fixture_tear_down);
  }

  return g_test_run ();
}
