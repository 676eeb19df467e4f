/* test-mqtt-sigkill.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "ward-test-broker.h"
#include "ward-test-util.h"

/* Acknowledged means committed, proven the hard way: a real mosquitto
 * (persistence true, max_queued_messages raised) receives a stream of
 * numbered QoS 1 device messages from mosquitto_pub, while the real
 * `wardwatch --headless` subscribes with a fixed client id (a persistent
 * session).  Wardwatch is killed with SIGKILL several times in the
 * middle of the stream and started again on the same database with the
 * same client id.  At the end every number must be in the store: the
 * broker only forgets a message once it has our PUBACK, so a missing
 * number is a message acknowledged before it was committed.  QoS 1
 * redelivers what was committed but not yet acknowledged: the raw
 * archive may hold such a message twice (marked as a duplicate), the
 * measurements must hold it once.
 *
 * The same harness measures the control (mqtt-control-subscriber: a
 * bare libmosquitto subscriber that commits in its callback) and takes
 * bigger figures from the environment, for the evidence in
 * docs/ARCHITECTURE.md:
 *
 *   WARD_SIGKILL_SUBJECT  wardwatch (default), control or control-threaded
 *   WARD_SIGKILL_N        messages (default 4000)
 *   WARD_SIGKILL_KILLS    kills (default 3)
 *   WARD_SIGKILL_RATE     messages per second from the publisher (default 2000; 0: unpaced)
 *   WARD_SIGKILL_RUNS     runs of the whole scenario (default 1)
 *   WARD_SIGKILL_DOWN_MSEC  how long the subject stays dead (default 0)
 *   WARD_SIGKILL_EVERY_MSEC  kill at this interval from each start, not at progress points
 *   WARD_SIGKILL_BROKER   extra lines for mosquitto.conf ("\n" between lines)
 */

#define DEFAULT_N        4000
#define DEFAULT_KILLS    3
#define DEFAULT_RATE     2000
#define DEVICE_ID        "sim-monitor-01"
#define TOPIC            "devices/" DEVICE_ID "/messages/events/"
#define CLIENT_ID        "wardwatch-sigkill"
#define START_WAIT_MSEC  15000
#define STALL_MSEC       8000
#define RUN_TIMEOUT_MSEC 50000

typedef enum
{
  SUBJECT_WARDWATCH,
  SUBJECT_CONTROL,
  SUBJECT_CONTROL_THREADED,
} Subject;

typedef struct
{
  guint   n;
  guint   kills;
  guint   rate;
  guint   down_msec;
  guint   every_msec;
  Subject subject;
} Params;

typedef struct
{
  guint   missing;
  guint   gaps;              /* contiguous runs of missing numbers */
  guint   raw_rows;
  guint   raw_duplicates;    /* rows beyond the first for a number */
  guint   raw_marked;        /* rows marked as a QoS 1 duplicate */
  gint64  measured;          /* messages with measurements (wardwatch) */
  gint64  measurement_duplicates;
  gint64  pending;           /* archived, not mapped (wardwatch) */
  gint64  dead_letters;
  GString *gap_text;
} Counts;

typedef struct
{
  GOutputStream *stream;
  guint          n;
  guint          rate;
  gint64         base_sec;
  gboolean       ok;
} Writer;

static const char *
wardwatch (void)
{
  return g_getenv ("WARDWATCH");
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

static char *
control_path (void)
{
  const char *builddir = g_getenv ("G_TEST_BUILDDIR");

  return g_build_filename (builddir ? builddir : ".", "integration", "mqtt-control-subscriber",
                           NULL);
}

/* The publisher: mosquitto_pub -l, one QoS 1 message a line, fed at a
 * steady rate so that the kills fall in the middle of a live stream.
 */
static gpointer
write_lines (gpointer data)
{
  Writer *w = data;
  gint64 start = g_get_monotonic_time ();
  GString *chunk = g_string_new (NULL);
  guint i = 0;

  w->ok = TRUE;
  while (i < w->n && w->ok)
    {
      guint end = MIN (w->n, i + 50);

      g_string_truncate (chunk, 0);
      for (; i < end; i++)
        {
          g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (w->base_sec + i);
          g_autofree char *iso = g_date_time_format (at, "%Y-%m-%dT%H:%M:%SZ");

          g_string_append_printf (chunk,
                                  "{\"deviceId\":\"" DEVICE_ID "\",\"messageId\":\"sk-%u\","
                                  "\"kind\":\"vitals\",\"measuredAt\":\"%s\",\"heartRate\":%u,"
                                  "\"respiratoryRate\":%u,\"spo2\":%u}\n",
                                  i, iso, 60 + i % 40, 12 + i % 8, 92 + i % 8);
        }
      if (!g_output_stream_write_all (w->stream, chunk->str, chunk->len, NULL, NULL, NULL))
        w->ok = FALSE;

      if (w->rate > 0)
        {
          gint64 due = start + (gint64) i * G_USEC_PER_SEC / w->rate;
          gint64 now = g_get_monotonic_time ();

          if (due > now)
            g_usleep (due - now);
        }
    }

  g_output_stream_close (w->stream, NULL, NULL);
  g_string_free (chunk, TRUE);
  return NULL;
}

static GSubprocess *
start_subject (const Params   *p,
               WardTestBroker *broker,
               const char     *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autofree char *url_arg = g_strconcat ("--mqtt-url=", ward_test_broker_get_url (broker), NULL);
  g_autofree char *port_arg = g_strdup_printf ("--port=%u", ward_test_broker_get_port (broker));
  g_autofree char *control = control_path ();
  GSubprocess *process;

  if (p->subject == SUBJECT_WARDWATCH)
    {
      /* exec keeps the pid, so the SIGKILL reaches wardwatch itself;
       * its log is kept for a failing run.
       */
      g_autofree char *log = g_strconcat (db, ".log", NULL);
      g_autofree char *script = g_strdup_printf ("exec \"$0\" \"$@\" 2>>'%s'", log);
      const char *argv[] = {
        "/bin/sh", "-c", script, wardwatch (), "--headless", "--demo", "--beds=4", db_arg,
        url_arg, "--mqtt-client-id=" CLIENT_ID, NULL
      };

      process = ward_test_spawnv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
    }
  else
    {
      const char *argv[] = {
        control, port_arg, "--client-id=" CLIENT_ID, db_arg,
        p->subject == SUBJECT_CONTROL_THREADED ? "--threaded" : NULL, NULL
      };

      process = ward_test_spawnv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
    }
  g_assert_no_error (error);

  return process;
}

/* How many connections of the subject's client id the broker has logged. */
static guint
n_connections (WardTestBroker *broker)
{
  g_autofree char *log = ward_test_broker_dup_log (broker);
  guint seen = 0;

  for (const char *at = log; at != NULL && (at = strstr (at, "as " CLIENT_ID " ")) != NULL; at++)
    seen++;
  return seen;
}

/* Waits until the broker has logged more than n connections of the
 * subject's client id.
 */
static gboolean
wait_connections_above (WardTestBroker *broker,
                        guint           n)
{
  gint64 deadline = g_get_monotonic_time () + ward_test_timeout_msec (START_WAIT_MSEC) * (gint64) 1000;

  while (g_get_monotonic_time () < deadline)
    {
      if (n_connections (broker) > n)
        return TRUE;
      g_usleep (20 * 1000);
    }

  return FALSE;
}

static sqlite3 *
open_db (const char *db)
{
  sqlite3 *handle = NULL;

  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    return NULL;
  if (sqlite3_open_v2 (db, &handle, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      sqlite3_close (handle);
      return NULL;
    }
  sqlite3_busy_timeout (handle, 5000);

  return handle;
}

static gboolean
has_column (sqlite3    *handle,
            const char *table,
            const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pragma_table_info('%s') "
                                          "WHERE name = '%s'", table, column);
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    found = sqlite3_column_int (stmt, 0) > 0;
  sqlite3_finalize (stmt);

  return found;
}

static gint64
query_int (sqlite3    *handle,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

/* How many distinct numbers the archive holds (-1 while it has no table). */
static gint64
count_distinct (const char *db)
{
  sqlite3 *handle = open_db (db);
  gint64 n;

  if (handle == NULL)
    return -1;
  n = query_int (handle, "SELECT count(DISTINCT payload) FROM raw_messages WHERE source = 'mqtt'");
  sqlite3_close (handle);

  return n;
}

static void
count_store (const Params *p,
             const char   *db,
             Counts       *c)
{
  sqlite3 *handle = open_db (db);
  g_autofree guint *seen = g_new0 (guint, p->n);
  sqlite3_stmt *stmt = NULL;
  gboolean marked_column;
  g_autofree char *sql = NULL;

  g_assert_nonnull (handle);
  memset (c, 0, sizeof *c);
  c->gap_text = g_string_new (NULL);

  marked_column = has_column (handle, "raw_messages", "duplicate_of");
  sql = g_strdup_printf ("SELECT CAST (payload AS TEXT), %s FROM raw_messages "
                         "WHERE source = 'mqtt'",
                         marked_column ? "duplicate_of IS NOT NULL" : "0");
  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);
      const char *id = text ? strstr (text, "\"messageId\":\"sk-") : NULL;
      guint64 number;

      c->raw_rows++;
      if (sqlite3_column_int (stmt, 1))
        c->raw_marked++;
      g_assert_nonnull (id);
      number = g_ascii_strtoull (id + strlen ("\"messageId\":\"sk-"), NULL, 10);
      g_assert_cmpuint (number, <, p->n);
      if (seen[number]++ > 0)
        c->raw_duplicates++;
    }
  sqlite3_finalize (stmt);

  for (guint i = 0; i < p->n; i++)
    {
      guint first = i;

      if (seen[i] > 0)
        continue;
      while (i + 1 < p->n && seen[i + 1] == 0)
        i++;
      c->missing += i - first + 1;
      c->gaps++;
      g_string_append_printf (c->gap_text, " %u-%u", first, i);
    }

  if (p->subject == SUBJECT_WARDWATCH)
    {
      /* Each message carries a time of its own and three values. */
      c->measured = query_int (handle, "SELECT count(DISTINCT observed_at) FROM measurements "
                                       "WHERE device_id = '" DEVICE_ID "'");
      c->measurement_duplicates =
        query_int (handle, "SELECT count(*) - count(DISTINCT kind || ':' || observed_at) "
                           "FROM measurements WHERE device_id = '" DEVICE_ID "'");
      c->pending = query_int (handle, "SELECT count(*) FROM raw_messages "
                                      "WHERE processed_at IS NULL");
      c->dead_letters = query_int (handle, "SELECT count(*) FROM dead_letters");
      if (c->dead_letters > 0)
        {
          sqlite3_stmt *reasons = NULL;

          sqlite3_prepare_v2 (handle, "SELECT stage, reason, count(*) FROM dead_letters "
                                      "GROUP BY 1, 2", -1, &reasons, NULL);
          while (reasons != NULL && sqlite3_step (reasons) == SQLITE_ROW)
            g_test_message ("dead letters: %s: %s (%d)", sqlite3_column_text (reasons, 0),
                            sqlite3_column_text (reasons, 1), sqlite3_column_int (reasons, 2));
          sqlite3_finalize (reasons);
        }
    }

  sqlite3_close (handle);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

/* One scenario: the stream, the kills, the count. */
static void
run_scenario (const Params *p,
              Counts       *c)
{
  g_autoptr(WardTestBroker) broker = NULL;
  g_autoptr(GSubprocess) subject = NULL;
  g_autoptr(GSubprocess) publisher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *port = NULL;
  Writer writer = { 0 };
  GThread *writer_thread;
  guint kills = 0;
  gint64 start, deadline, last_progress, started;
  gint64 distinct = 0, last_distinct = -1;
  guint connections = 0;

  broker = ward_test_broker_new (&error);
  g_assert_no_error (error);
  if (g_getenv ("WARD_SIGKILL_BROKER") != NULL)
    {
      g_autofree char *conf = g_build_filename (ward_test_broker_get_dir (broker),
                                                "mosquitto.conf", NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = g_strsplit (g_getenv ("WARD_SIGKILL_BROKER"), "\\n", -1);
      g_autofree char *extra = g_strjoinv ("\n", lines);
      g_autofree char *joined = NULL;

      g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
      joined = g_strconcat (text, extra, "\n", NULL);
      g_assert_true (g_file_set_contents (conf, joined, -1, NULL));
      ward_test_broker_stop (broker);
      ward_test_broker_start (broker, &error);
      g_assert_no_error (error);
    }

  dir = g_dir_make_tmp ("ward-sigkill-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "ward.db", NULL);

  /* Subscribed (a new persistent session) before the first message. */
  subject = start_subject (p, broker, db);
  {
    g_autofree char *needle = g_strdup_printf ("as %s", CLIENT_ID);

    deadline = g_get_monotonic_time () + ward_test_timeout_msec (START_WAIT_MSEC) * (gint64) 1000;
    while (g_get_monotonic_time () < deadline)
      {
        g_autofree char *log = ward_test_broker_dup_log (broker);

        if (strstr (log, needle) != NULL)
          break;
        g_usleep (20 * 1000);
      }
    g_usleep (500 * 1000);
  }

  port = g_strdup_printf ("%u", ward_test_broker_get_port (broker));
  {
    const char *argv[] = {
      "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-q", "1", "-i", "sigkill-publisher",
      "-t", TOPIC, "-l", NULL
    };

    publisher = ward_test_spawnv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
    g_assert_no_error (error);
  }
  writer.stream = g_subprocess_get_stdin_pipe (publisher);
  writer.n = p->n;
  writer.rate = p->rate;
  writer.base_sec = g_get_real_time () / G_USEC_PER_SEC - p->n - 60;
  writer_thread = g_thread_new ("publisher", write_lines, &writer);

  /* Kill at evenly spaced points of what the subject has stored. */
  start = g_get_monotonic_time ();
  last_progress = started = start;
  deadline = start + ward_test_timeout_msec (RUN_TIMEOUT_MSEC) * (gint64) 1000;
  while (g_get_monotonic_time () < deadline)
    {
      gint64 now = g_get_monotonic_time ();

      distinct = count_distinct (db);
      if (distinct != last_distinct)
        {
          last_distinct = distinct;
          last_progress = now;
        }

      if (kills < p->kills &&
          (p->every_msec > 0 ? now - started >= (gint64) p->every_msec * 1000
                             : distinct >= (gint64) (p->n * (kills + 1) / (p->kills + 1))))
        {
          g_subprocess_send_signal (subject, SIGKILL);
          g_subprocess_wait (subject, NULL, NULL);
          g_clear_object (&subject);
          kills++;
          g_test_message ("kill %u at %" G_GINT64_FORMAT " stored", kills, distinct);
          if (p->down_msec > 0)
            g_usleep (p->down_msec * 1000);
          /* The killed subject logs no connection from now on: the
           * next one logged is the new subject's.
           */
          connections = n_connections (broker);
          subject = start_subject (p, broker, db);
          last_progress = started = g_get_monotonic_time ();
          continue;
        }

      /* A subject that ends by itself is a failure of its own. */
      g_assert_nonnull (g_subprocess_get_identifier (subject));

      if (distinct >= p->n && kills == p->kills)
        break;
      /* Nothing more comes: the rest is lost. */
      if (g_subprocess_get_identifier (publisher) == NULL &&
          now - last_progress > ward_test_timeout_msec (STALL_MSEC) * (gint64) 1000)
        break;

      g_usleep (5 * 1000);
    }

  g_thread_join (writer_thread);
  g_assert_true (writer.ok);
  g_assert_true (ward_test_wait_process (publisher, 30000));
  g_assert_cmpint (g_subprocess_get_exit_status (publisher), ==, 0);
  g_assert_cmpuint (kills, ==, p->kills);

  /* The last subject started has connected (so it is up, its SIGTERM
   * handler in place: a slow build may still be starting it), then
   * redeliveries still in flight have their moment, then a clean stop.
   */
  g_assert_true (wait_connections_above (broker, connections));
  g_usleep (1000 * 1000);
  g_subprocess_send_signal (subject, SIGTERM);
  g_assert_true (ward_test_wait_process (subject, 30000));
  /* wardwatch --headless exits 1 when a transaction failed during the run. */
  if (p->subject == SUBJECT_WARDWATCH)
    g_assert_cmpint (g_subprocess_get_exit_status (subject), ==, 0);

  count_store (p, db, c);

  if (c->pending > 0 || c->dead_letters > 0)
    {
      g_autofree char *log_path = g_strconcat (db, ".log", NULL);
      g_autofree char *log = NULL;

      if (g_file_get_contents (log_path, &log, NULL, NULL))
        g_test_message ("wardwatch's log: %s", log);
    }

  if (g_test_failed () || c->missing > 0)
    {
      g_autofree char *log = ward_test_broker_dup_log (broker);

      g_test_message ("broker log (tail): %s", strlen (log) > 4000 ? log + strlen (log) - 4000 : log);
    }

  remove_tree (dir);
}

static void
get_params (Params  *p,
            Subject  fallback)
{
  const char *subject = g_getenv ("WARD_SIGKILL_SUBJECT");

  p->n = env_uint ("WARD_SIGKILL_N", DEFAULT_N);
  p->kills = env_uint ("WARD_SIGKILL_KILLS", DEFAULT_KILLS);
  p->rate = env_uint ("WARD_SIGKILL_RATE", DEFAULT_RATE);
  p->down_msec = env_uint ("WARD_SIGKILL_DOWN_MSEC", 0);
  p->every_msec = env_uint ("WARD_SIGKILL_EVERY_MSEC", 0);
  p->subject = fallback;
  if (g_strcmp0 (subject, "control") == 0)
    p->subject = SUBJECT_CONTROL;
  else if (g_strcmp0 (subject, "control-threaded") == 0)
    p->subject = SUBJECT_CONTROL_THREADED;
}

static void
test_sigkill (void)
{
  static const char * const names[] = { "wardwatch", "control", "control-threaded" };
  Params p;
  guint runs = env_uint ("WARD_SIGKILL_RUNS", 1);
  guint runs_with_loss = 0;
  guint total_missing = 0;
  guint runs_with_bad_duplicates = 0;

  if (wardwatch () == NULL)
    {
      g_test_skip ("WARDWATCH is not set: run through meson test");
      return;
    }

  get_params (&p, SUBJECT_WARDWATCH);

  for (guint run = 0; run < runs; run++)
    {
      Counts c;

      run_scenario (&p, &c);
      /* One line per run: the figures for the documentation. */
      printf ("# sigkill %s n=%u kills=%u rate=%u: missing %u in %u gaps (%s ), "
              "raw rows %u, raw duplicates %u (marked %u), "
              "messages measured %" G_GINT64_FORMAT ", measurement duplicates %" G_GINT64_FORMAT
              ", not mapped %" G_GINT64_FORMAT ", dead letters %" G_GINT64_FORMAT "\n",
              names[p.subject], p.n, p.kills, p.rate, c.missing, c.gaps, c.gap_text->str,
              c.raw_rows, c.raw_duplicates, c.raw_marked, c.measured, c.measurement_duplicates,
              c.pending, c.dead_letters);
      fflush (stdout);

      total_missing += c.missing;
      if (c.missing > 0)
        runs_with_loss++;

      /* Every duplicate row in the archive is marked as one, and the
       * measurements hold each message once.
       */
      if (p.subject == SUBJECT_WARDWATCH &&
          (c.raw_marked != c.raw_duplicates || c.measured != (gint64) p.n - c.missing ||
           c.measurement_duplicates != 0 || c.pending != 0 || c.dead_letters != 0))
        runs_with_bad_duplicates++;
      g_string_free (c.gap_text, TRUE);
    }

  printf ("# sigkill %s: %u of %u runs lost messages, %u missing in all\n",
          names[p.subject], runs_with_loss, runs, total_missing);
  g_assert_cmpuint (total_missing, ==, 0);
  g_assert_cmpuint (runs_with_bad_duplicates, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mqtt/sigkill/no-loss", test_sigkill);

  return g_test_run ();
}
