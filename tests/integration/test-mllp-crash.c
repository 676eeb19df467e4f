/* test-mllp-crash.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real wardwatch binary behind its MLLP port, as a monitor gateway
 * sees it:
 *
 * - killed with SIGKILL several times during a stream of numbered
 *   ORU^R01 messages and started again on the same database, while the
 *   sender resends every message it has no AA for (and some it has, as a
 *   sender that lost the ACK would): every message is stored exactly
 *   once in the end, and every AA the sender got was for a message that
 *   is stored;
 * - run out of file descriptors by idle connections: the log stays
 *   quiet, and a monitor gets through once the idle ones are closed.
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ward-store.h"
#include "ward-test-broker.h"

/* The demo ward's first monitor. */
#define DEVICE "sim-monitor-01"

#define N_MESSAGES 2000
#define N_KILLS    4
/* Frames sent before their ACKs, as a gateway with a send window. */
#define WINDOW     24

typedef struct
{
  int     nofile;      /* RLIMIT_NOFILE for the child, or 0 */
  pid_t   parent;
} ChildSetup;

/* wardwatch dies with the test, also when an assertion aborts it. */
static void
child_setup (gpointer data)
{
  ChildSetup *setup = data;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != setup->parent)
    _exit (1);
  if (setup->nofile > 0)
    {
      struct rlimit limit = { setup->nofile, setup->nofile };

      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        _exit (1);
    }
}

static GSubprocess *
spawn_wardwatch (const char         *db,
                 guint16             port,
                 const char         *stderr_path,
                 int                 nofile,
                 const char * const *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_arg = g_strdup_printf ("--db=%s", db);
  g_autofree char *port_arg = g_strdup_printf ("--mllp-port=%u", port);
  ChildSetup *setup = g_new0 (ChildSetup, 1);
  const char *path = g_getenv ("WARDWATCH");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GSubprocess *proc;

  if (path == NULL)
    g_error ("WARDWATCH is not set: run through meson test");

  setup->parent = getpid ();
  setup->nofile = nofile;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "", TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, setup, g_free);
  g_ptr_array_add (argv, (gpointer) path);
  g_ptr_array_add (argv, (gpointer) "--headless");
  g_ptr_array_add (argv, (gpointer) "--demo");
  g_ptr_array_add (argv, (gpointer) "--beds=2");
  g_ptr_array_add (argv, db_arg);
  g_ptr_array_add (argv, port_arg);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (ward_test_wait_for_port (port, 20000));
  return proc;
}

/* A monitor gateway's side of MLLP, on a plain blocking socket. */
typedef struct
{
  GSocketConnection *connection;
  GSocket           *socket;
  GByteArray        *buffer;
} Sender;

static Sender *
sender_new (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Sender *s = g_new0 (Sender, 1);

  g_socket_client_set_enable_proxy (client, FALSE);
  s->connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  s->socket = g_socket_connection_get_socket (s->connection);
  g_socket_set_timeout (s->socket, 30);
  s->buffer = g_byte_array_new ();
  return s;
}

static void
sender_free (Sender *s)
{
  g_io_stream_close (G_IO_STREAM (s->connection), NULL, NULL);
  g_object_unref (s->connection);
  g_byte_array_unref (s->buffer);
  g_free (s);
}

/* FALSE when the connection is gone (Wardwatch was killed). */
static gboolean
sender_send (Sender     *s,
             const char *message)
{
  g_autofree char *framed = g_strdup_printf ("\x0b%s\x1c\r", message);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (s->connection));

  return g_output_stream_write_all (out, framed, strlen (framed), NULL, NULL, NULL);
}

/* The next ACK's MSA-1 and MSA-2; FALSE when the connection is gone. */
static gboolean
sender_read_ack (Sender  *s,
                 char   **code,
                 char   **control_id)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint8 buf[4096];
      gssize n;
      guint8 *end;

      end = s->buffer->len > 0 ? memchr (s->buffer->data, 0x1c, s->buffer->len) : NULL;
      if (end != NULL)
        {
          g_autofree char *ack = g_strndup ((const char *) s->buffer->data,
                                            end - s->buffer->data);
          const char *msa = strstr (ack, "\rMSA|");
          g_auto(GStrv) fields = NULL;
          gsize used = end - s->buffer->data + 1;

          if (used < s->buffer->len && s->buffer->data[used] == 0x0d)
            used++;
          g_byte_array_remove_range (s->buffer, 0, used);

          g_assert_nonnull (msa);
          fields = g_strsplit_set (msa + 1, "|\r", 5);
          g_assert_cmpuint (g_strv_length (fields), >=, 3);
          *code = g_strdup (fields[1]);
          *control_id = g_strdup (fields[2]);
          return TRUE;
        }

      n = g_socket_receive (s->socket, (char *) buf, sizeof buf, NULL, &error);
      if (n <= 0)
        {
          /* Killed: a reset or the end, never a timeout. */
          g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
          return FALSE;
        }
      g_byte_array_append (s->buffer, buf, n);
    }
}

/* Message n: its own control id, values and observation time (base + n
 * seconds), so that what the store holds can be counted per message.
 */
static char *
make_message (guint      n,
              GDateTime *base)
{
  g_autoptr(GDateTime) at = g_date_time_add_seconds (base, n);
  g_autofree char *when = g_date_time_format (at, "%Y%m%d%H%M%S+0000");

  return g_strdup_printf ("MSH|^~\\&|GW^" DEVICE "^EUI-64|WARD|WARDWATCH|HOSP|%s||"
                          "ORU^R01^ORU_R01|K-%05u|P|2.6|||AL|NE||UNICODE UTF-8|||IHE_PCD_001\r"
                          "OBR|1|||182777000^monitoring of patient^SCT|||%s\r"
                          "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.7.4.147842|%u|"
                          "264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||%s\r"
                          "OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|%u|"
                          "262688^MDC_DIM_PERCENT^MDC|||||R|||%s\r",
                          when, n, when, 60 + n % 40, when, 90 + n % 10, when);
}

typedef struct
{
  guint16    port;
  GDateTime *base;
  char     **messages;
  gboolean   acked[N_MESSAGES];
  guint      n_acks;           /* AAs received, duplicates included */
  guint      n_resent_acked;   /* messages sent again after their AA */
} Stream;

/* Sends what has no AA yet, in order, after the messages in resend (a
 * gateway that lost their ACKs sends them first), with WINDOW frames
 * unanswered at most.  Kills wardwatch after kill_after AAs (0: never).
 * TRUE when everything sent got its AA.
 */
static gboolean
run_stream (Stream      *stream,
            GSubprocess *proc,
            GArray      *resend,
            guint        kill_after)
{
  g_autoptr(GQueue) in_flight = g_queue_new ();
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  Sender *s = sender_new (stream->port);
  guint next = 0;
  guint n_acks = 0;
  gboolean complete = FALSE;

  g_array_append_vals (queue, resend->data, resend->len);
  stream->n_resent_acked += resend->len;
  for (guint n = 0; n < N_MESSAGES; n++)
    if (!stream->acked[n])
      g_array_append_val (queue, n);

  for (;;)
    {
      g_autofree char *code = NULL;
      g_autofree char *control_id = NULL;
      g_autofree char *expected = NULL;
      guint n;

      while (g_queue_get_length (in_flight) < WINDOW && next < queue->len)
        {
          n = g_array_index (queue, guint, next++);
          if (!sender_send (s, stream->messages[n]))
            break;
          g_queue_push_tail (in_flight, GUINT_TO_POINTER (n));
        }

      if (g_queue_is_empty (in_flight))
        {
          complete = next == queue->len;
          break;
        }

      if (!sender_read_ack (s, &code, &control_id))
        break;

      /* ACKs come in the order of the frames. */
      n = GPOINTER_TO_UINT (g_queue_pop_head (in_flight));
      expected = g_strdup_printf ("K-%05u", n);
      g_assert_cmpstr (control_id, ==, expected);
      g_assert_cmpstr (code, ==, "AA");
      stream->acked[n] = TRUE;
      stream->n_acks++;

      if (kill_after > 0 && ++n_acks == kill_after)
        {
          g_autoptr(GError) error = NULL;

          /* Frames are in flight: some in the pipeline, some committed
           * with their ACK not yet written.
           */
          g_subprocess_send_signal (proc, SIGKILL);
          g_assert_true (g_subprocess_wait (proc, NULL, &error));
          g_assert_true (g_subprocess_get_if_signaled (proc));
          g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
          break;
        }
    }

  sender_free (s);
  return complete;
}

static gint64
db_int (WardStore  *store,
        const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = _ward_store_query_int (store, sql, &error);

  g_assert_no_error (error);
  return n;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
test_kill_during_stream (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-mllp-crash-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *log = g_build_filename (dir, "wardwatch.log", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(WardStore) store = NULL;
  Stream *stream = g_new0 (Stream, 1);
  guint n_kills = 0;
  guint n_runs = 0;
  gboolean complete = FALSE;

  g_assert_no_error (error);
  stream->port = ward_test_free_port (&error);
  g_assert_no_error (error);
  /* Observed over the last hour: nothing is in the future. */
  stream->base = g_date_time_add_seconds (now, -3600);
  stream->messages = g_new0 (char *, N_MESSAGES + 1);
  for (guint n = 0; n < N_MESSAGES; n++)
    stream->messages[n] = make_message (n, stream->base);

  while (!complete)
    {
      g_autoptr(GSubprocess) proc = spawn_wardwatch (db, stream->port, log, 0, NULL);
      g_autoptr(GArray) resend = g_array_new (FALSE, FALSE, sizeof (guint));
      guint kill_after = n_kills < N_KILLS ? (guint) g_test_rand_int_range (150, 450) : 0;

      /* After a kill: the gateway sends again the last ten it got an AA
       * for, and five more at random, besides everything without one.
       */
      if (n_runs > 0)
        {
          guint last = N_MESSAGES;
          guint n_last = 0;

          for (guint n = N_MESSAGES; n > 0 && n_last < 10; n--)
            if (stream->acked[n - 1])
              {
                last = MIN (last, n - 1);
                n_last++;
              }
          for (guint n = last; n < N_MESSAGES && n_last > 0; n++)
            if (stream->acked[n])
              {
                g_array_append_val (resend, n);
                n_last--;
              }
          for (guint i = 0; i < 5; i++)
            {
              guint n = (guint) g_test_rand_int_range (0, N_MESSAGES);

              if (stream->acked[n])
                g_array_append_val (resend, n);
            }
        }

      complete = run_stream (stream, proc, resend, kill_after);
      n_runs++;
      if (kill_after > 0 && !complete)
        n_kills++;

      if (complete)
        {
          /* A clean stop after the last run. */
          g_subprocess_send_signal (proc, SIGTERM);
          g_assert_true (g_subprocess_wait (proc, NULL, &error));
          g_assert_no_error (error);
          g_assert_true (g_subprocess_get_if_exited (proc));
          g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
        }
      g_assert_cmpuint (n_runs, <, 20);
    }

  g_test_message ("%u runs, %u kills, %u AAs, %u messages sent again after their AA",
                  n_runs, n_kills, stream->n_acks, stream->n_resent_acked);
  g_assert_cmpuint (n_kills, ==, N_KILLS);
  g_assert_cmpuint (stream->n_resent_acked, >=, N_KILLS * 10);
  for (guint n = 0; n < N_MESSAGES; n++)
    g_assert_true (stream->acked[n]);

  store = ward_store_open_readonly (db, &error);
  g_assert_no_error (error);
  /* Each message archived once, mapped once: two values at its own time. */
  g_assert_cmpint (db_int (store, "SELECT count(*) FROM raw_messages WHERE source = 'mllp'"), ==,
                   N_MESSAGES);
  g_assert_cmpint (db_int (store, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"),
                   ==, 0);
  g_assert_cmpint (db_int (store, "SELECT count(*) FROM measurements"), ==, 2 * N_MESSAGES);
  g_assert_cmpint (db_int (store, "SELECT count(DISTINCT observed_at) FROM measurements"), ==,
                   N_MESSAGES);
  g_assert_cmpint (db_int (store, "SELECT max(n) FROM (SELECT count(*) AS n FROM measurements "
                                  "GROUP BY observed_at, kind)"), ==, 1);
  g_assert_cmpint (db_int (store, "SELECT count(*) FROM dead_letters"), ==, 0);
  g_assert_cmpint (db_int (store, "SELECT count(*) FROM message_answers"), ==, N_MESSAGES);

  g_clear_object (&store);
  g_strfreev (stream->messages);
  g_date_time_unref (stream->base);
  g_free (stream);
  remove_dir (dir);
}

static guint
count_lines_with (const char *path,
                  const char *fragment,
                  guint      *n_lines)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], fragment) != NULL)
      n++;
  if (n_lines != NULL)
    *n_lines = g_strv_length (lines);
  return n;
}

/* File descriptors run out (a low RLIMIT_NOFILE, a cap above it): the
 * accept errors make a line or two, not hundreds of thousands, and once
 * the idle connections are closed a monitor gets its AA.
 */
static void
test_out_of_file_descriptors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-mllp-fds-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *log = g_build_filename (dir, "wardwatch.log", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) base = g_date_time_add_seconds (now, -60);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func ((GDestroyNotify) sender_free);
  g_autofree char *message = make_message (7, base);
  g_autofree char *code = NULL;
  g_autofree char *control_id = NULL;
  guint16 port;
  guint n_lines = 0;
  guint n_emfile;
  Sender *monitor;

  g_assert_no_error (error);
  port = ward_test_free_port (&error);
  g_assert_no_error (error);

  {
    static const char * const extra[] = {
      "--mllp-max-connections=1000", "--mllp-idle-timeout=2", NULL
    };

    proc = spawn_wardwatch (db, port, log, 64, extra);
  }
  /* The kernel queues what wardwatch cannot accept. */
  for (guint i = 0; i < 100; i++)
    g_ptr_array_add (idle, sender_new (port));
  g_usleep (3 * G_USEC_PER_SEC);

  /* A monitor among them: it gets through as the idle ones are closed. */
  monitor = sender_new (port);
  g_assert_true (sender_send (monitor, message));
  g_assert_true (sender_read_ack (monitor, &code, &control_id));
  g_assert_cmpstr (code, ==, "AA");
  g_assert_cmpstr (control_id, ==, "K-00007");
  sender_free (monitor);

  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);

  n_emfile = count_lines_with (log, "Too many open files", &n_lines);

  g_test_message ("%u lines in wardwatch's log, %u of them about EMFILE", n_lines, n_emfile);
  /* It did run out, and said so once a minute at most (a run is shorter). */
  g_assert_cmpuint (n_emfile, >=, 1);
  g_assert_cmpuint (n_emfile, <=, 2);
  g_assert_cmpuint (count_lines_with (log, "idle for", NULL), <=, 2);
  g_assert_cmpuint (n_lines, <, 30);

  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mllp-crash/kill-during-stream", test_kill_during_stream);
  g_test_add_func ("/mllp-crash/out-of-file-descriptors", test_out_of_file_descriptors);

  return g_test_run ();
}
