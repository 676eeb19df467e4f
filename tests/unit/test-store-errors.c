/* test-store-errors.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-log-limit.h"
#include "ward-pipeline.h"
#include "ward-pipeline-private.h"
#include "ward-store.h"
#include "ward-store-errors.h"
#include "ward-test-store.h"

/* Store errors: the disk fills (SQLite's page limit: the same SQLITE_FULL
 * a full file system gives, on every machine), the file turns read-only.
 * What users rely on: a failed batch leaves no trace in memory that the
 * store does not have, a command that was not saved says so, the alarm
 * is in the snapshot, the log says it once a minute, and the pipeline
 * resumes by itself with nothing committed lost.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define NO_PAGE_LIMIT "max_page_count = 1073741823"

/* Log lines, counted per domain and level.  Warnings of the store's
 * domain are expected here and must not abort the test; any other
 * warning still does.
 */
static GMutex log_lock;
static guint n_store_warnings;
static guint n_store_messages;
static guint n_other_lines;

static void
count_log_cb (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
  g_mutex_lock (&log_lock);
  if (g_strcmp0 (domain, "ward-store") == 0 && (level & G_LOG_LEVEL_WARNING))
    n_store_warnings++;
  else if (g_strcmp0 (domain, "ward-store") == 0 && (level & G_LOG_LEVEL_MESSAGE))
    n_store_messages++;
  else if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING |
                    G_LOG_LEVEL_MESSAGE))
    n_other_lines++;
  g_mutex_unlock (&log_lock);

  if (g_test_verbose () ||
      (g_strcmp0 (domain, "ward-store") != 0 &&
       (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))))
    g_printerr ("# %s: %s\n", domain ? domain : "(none)", message);
}

static gboolean
fatal_cb (const char     *domain,
          GLogLevelFlags  level,
          const char     *message,
          gpointer        user_data)
{
  return !(g_strcmp0 (domain, "ward-store") == 0 && (level & G_LOG_LEVEL_WARNING));
}

/* GLib forgets the fatal handler at the start of each test. */
static void
reset_log_counts (void)
{
  g_test_log_set_fatal_handler (fatal_cb, NULL);
  g_mutex_lock (&log_lock);
  n_store_warnings = n_store_messages = n_other_lines = 0;
  g_mutex_unlock (&log_lock);
}

static char *
vitals_message (const char *device,
                gint64      at,
                const char *values,
                gsize       padding)
{
  g_autofree char *iso = ward_time_format_iso8601 (at);
  g_autofree char *pad = g_strnfill (padding, 'x');
  static guint serial;

  /* The padding makes the raw message larger than a page: storing it
   * needs new pages, which a full disk does not have.
   */
  return g_strdup_printf ("{\"deviceId\":\"%s\",\"messageId\":\"m-%u\",\"kind\":\"vitals\","
                          "\"measuredAt\":\"%s\",\"note\":\"%s\",%s}",
                          device, ++serial, iso, pad, values);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *p = g_build_filename (path, name, NULL);
      g_unlink (p);
    }
  g_rmdir (path);
}

/* The log helper: one line per key per interval, with the count of
 * those held back.
 */
static void
test_log_limit (void)
{
  g_autoptr(WardLogLimit) limit = ward_log_limit_new (60 * SEC);
  guint64 n = 99;
  guint allowed = 0;

  g_assert_true (ward_log_limit_check (limit, "disk-full", 0, &n));
  g_assert_cmpuint (n, ==, 0);
  /* A failure every 50 ms for three minutes: three lines, not 3,600. */
  for (gint64 t = 50000; t < 180 * SEC; t += 50000)
    {
      if (ward_log_limit_check (limit, "disk-full", t, &n))
        {
          allowed++;
          g_assert_cmpuint (n, ==, 60 * SEC / 50000 - 1);
        }
    }
  g_assert_cmpuint (allowed, ==, 2);
  /* Another condition has its own minute. */
  g_assert_true (ward_log_limit_check (limit, "read-only", 180 * SEC, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (ward_log_limit_check (limit, "read-only", 181 * SEC, &n));
}

/* SQLite's conditions become the store's error codes and the alarm's
 * conditions.
 */
static void
test_conditions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-store-errors-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *big = g_strnfill (64 * 1024, 'x');
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardStore) reader = NULL;
  g_autoptr(GError) error = NULL;

  store = ward_store_open (path, &error);
  g_assert_no_error (error);

  g_assert_true (_ward_store_exec (store, "PRAGMA max_page_count = 1", &error));
  g_assert_cmpint (ward_store_add_raw_message (store, T0, "test", NULL, NULL, big, strlen (big),
                                               &error), ==, 0);
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_FULL);
  g_assert_cmpint (ward_store_condition_from_error (error), ==, WARD_STORE_CONDITION_FULL);
  g_assert_cmpstr (ward_store_condition_to_string (WARD_STORE_CONDITION_FULL), ==, "disk-full");
  g_clear_error (&error);

  g_assert_true (_ward_store_exec (store, "PRAGMA query_only = 1", &error));
  g_assert_false (ward_store_upsert_patient (store, "p9", NULL, 1, &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_READ_ONLY);
  g_assert_cmpint (ward_store_condition_from_error (error), ==, WARD_STORE_CONDITION_READ_ONLY);
  g_clear_error (&error);

  /* A wrong statement is not a condition of the disk. */
  g_assert_true (_ward_store_exec (store, "PRAGMA query_only = 0", &error));
  g_assert_false (_ward_store_exec (store, "SELECT nonsense FROM nowhere", &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_SQL);
  g_assert_cmpint (ward_store_condition_from_error (error), ==, WARD_STORE_CONDITION_OTHER);
  g_clear_error (&error);

  g_clear_object (&store);
  remove_dir (dir);
}

/* The health tracker: the alarm stands while either writer fails, from
 * the first failure of the episode, and clears when both write again.
 */
static void
test_health (void)
{
  g_autoptr(WardStoreHealth) health = ward_store_health_new ();
  g_autoptr(GError) full = g_error_new_literal (WARD_STORE_ERROR, WARD_STORE_ERROR_FULL,
                                                "database or disk is full");
  g_autoptr(GError) io = g_error_new_literal (WARD_STORE_ERROR, WARD_STORE_ERROR_IO,
                                              "disk I/O error");
  g_autofree char *message = NULL;
  gint64 since = -1;

  reset_log_counts ();
  g_assert_cmpint (ward_store_health_get (health, &since, &message), ==, WARD_STORE_CONDITION_NONE);
  g_assert_cmpint (since, ==, 0);
  g_assert_null (message);

  for (int i = 0; i < 100; i++)
    ward_store_health_failed (health, WARD_STORE_WRITER_PIPELINE, full, T0 + i * SEC);
  ward_store_health_failed (health, WARD_STORE_WRITER_ARCHIVE, io, T0 + 50 * SEC);
  g_assert_cmpint (ward_store_health_get (health, &since, &message), ==, WARD_STORE_CONDITION_FULL);
  g_assert_cmpint (since, ==, T0);
  g_assert_cmpstr (message, ==, "database or disk is full");
  g_clear_pointer (&message, g_free);

  ward_store_health_succeeded (health, WARD_STORE_WRITER_PIPELINE, T0 + 101 * SEC);
  g_assert_cmpint (ward_store_health_get (health, &since, NULL), ==, WARD_STORE_CONDITION_IO);
  g_assert_cmpint (since, ==, T0 + 50 * SEC);
  ward_store_health_succeeded (health, WARD_STORE_WRITER_ARCHIVE, T0 + 102 * SEC);
  g_assert_cmpint (ward_store_health_get (health, &since, NULL), ==, WARD_STORE_CONDITION_NONE);

  /* 101 failures, two lines: one per condition and writer; then one line
   * per recovery.
   */
  g_assert_cmpuint (n_store_warnings, ==, 2);
  g_assert_cmpuint (n_store_messages, ==, 2);
}

/* The engine, driven as the pipeline drives it. */

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
} EngineFixture;

static void
engine_set_up (EngineFixture *f,
               gconstpointer  data)
{
  WardEngineConfig config;

  reset_log_counts ();
  f->path = ward_test_db_new ("ward-store-errors", &f->dir);
  f->store = ward_test_store_open (f->path);

  ward_engine_config_init (&config);
  config.flags.open_delay_usec = 0;
  f->engine = ward_test_engine_new (f->store, &config, 1, NULL, NULL);
}

static void
engine_tear_down (EngineFixture *f,
                  gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
query (EngineFixture *f,
       const char    *sql)
{
  return ward_test_query_int (f->store, sql);
}

static gboolean
ingest (EngineFixture  *f,
        gint64          at,
        const char     *values,
        gsize           padding,
        GError        **error)
{
  g_autofree char *msg = vitals_message ("mon-1", at, values, padding);

  return ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg, strlen (msg),
                             at, NULL, NULL, error);
}

#define NORMAL "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97"
#define SICK "\"heartRate\":135,\"respiratoryRate\":25,\"spo2\":91"

/* Fails the open batch the way a full disk does: the next write that
 * needs a page is refused, and the caller rolls back.
 */
static void
fill_disk_and_fail (EngineFixture *f,
                    gint64         at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_ward_store_exec (f->store, "PRAGMA max_page_count = 1", &error));
  g_assert_false (ingest (f, at, NORMAL, 64 * 1024, &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_FULL);
  g_clear_error (&error);
  ward_engine_rollback (f->engine);
  g_assert_true (_ward_store_exec (f->store, "PRAGMA " NO_PAGE_LIMIT, &error));
}

/* The flag a failed batch opened is not on the board afterwards, and the
 * flag that opens once the store writes again can be acknowledged (on
 * main, the engine kept the rolled-back id: "Flag N is not open").
 */
static void
test_rollback_forgets_flag (EngineFixture *f,
                            gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  g_autoptr(GError) error = NULL;
  const WardBedState *bed;
  gint64 t = T0;
  gint64 flag_id;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ingest (f, t, NORMAL, 0, &error));
  g_assert_true (ward_engine_evaluate (f->engine, t, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));

  /* The batch: the patient deteriorates, a flag opens, a nurse confirms,
   * then the disk is full.
   */
  t += 5 * SEC;
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ingest (f, t, SICK, 0, &error));
  g_assert_true (ward_engine_evaluate (f->engine, t, &error));
  g_assert_true (ward_engine_evaluate (f->engine, t + SEC, &error));
  g_assert_true (ward_engine_confirm (f->engine, "p1", t + SEC, "Nurse Kim", &error));
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE closed_at IS NULL"), ==, 1);
  snap = ward_engine_snapshot (f->engine, t + SEC);
  g_assert_cmpint (ward_snapshot_get_bed (snap, 0)->flag_id, >, 0);
  g_clear_pointer (&snap, ward_snapshot_unref);
  fill_disk_and_fail (f, t + SEC);

  /* Memory is what the store has: no flag, the old values and counts. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags"), ==, 0);
  snap = ward_engine_snapshot (f->engine, t + SEC);
  bed = ward_snapshot_get_bed (snap, 0);
  g_assert_cmpint (bed->flag_id, ==, 0);
  g_assert_cmpint (bed->flag_state, ==, WARD_FLAG_STATE_NONE);
  g_assert_cmpfloat (bed->latest[WARD_MEAS_HR].value, ==, 72);
  g_assert_cmpint (bed->score_total, ==, 0);
  g_assert_false (bed->score_final);
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->flags_raised, ==, 0);
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->measurements, ==,
                    (guint64) query (f, "SELECT count(*) FROM measurements"));
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->messages, ==,
                    (guint64) query (f, "SELECT count(*) FROM raw_messages"));
  g_clear_pointer (&snap, ward_snapshot_unref);

  /* The message comes again (unacknowledged, the source resends): the
   * flag opens, in the store and on the board alike.
   */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ingest (f, t, SICK, 0, &error));
  g_assert_true (ward_engine_evaluate (f->engine, t + 2 * SEC, &error));
  g_assert_true (ward_engine_evaluate (f->engine, t + 3 * SEC, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  flag_id = query (f, "SELECT id FROM flags WHERE closed_at IS NULL AND kind = 'clinical'");
  snap = ward_engine_snapshot (f->engine, t + 3 * SEC);
  bed = ward_snapshot_get_bed (snap, 0);
  g_assert_cmpint (bed->flag_id, ==, flag_id);
  g_assert_cmpint (bed->flag_state, ==, WARD_FLAG_STATE_OPEN);
  g_assert_cmpfloat (bed->latest[WARD_MEAS_HR].value, ==, 135);
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->flags_raised, ==, 1);
  g_clear_pointer (&snap, ward_snapshot_unref);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_acknowledge (f->engine, flag_id, t + 4 * SEC, "Nurse Kim", &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);

  /* An acknowledgement in a failed batch is not shown as made. */
  t += 10 * SEC;
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ingest (f, t, NORMAL, 0, &error));
  g_assert_true (ward_engine_evaluate (f->engine, t, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_nurse_entry (f->engine, "p1", WARD_MEAS_TEMP, 39.5, t,
                                          "Nurse Kim", &error));
  g_assert_true (ward_engine_set_spo2_scale (f->engine, "p1", 2, t, "Dr Ode", &error));
  fill_disk_and_fail (f, t);
  snap = ward_engine_snapshot (f->engine, t);
  bed = ward_snapshot_get_bed (snap, 0);
  g_assert_false (bed->latest[WARD_MEAS_TEMP].valid);
  /* The nurse's value, kept apart from the monitor's, goes back too: a
   * round that was not saved must not hold the score up.
   */
  g_assert_false (bed->nurse_latest[WARD_MEAS_TEMP].valid);
  g_assert_false (bed->score_inputs[WARD_NEWS2_TEMP].valid);
  g_assert_cmpint (bed->spo2_scale, ==, 1);
  g_assert_cmpstr (bed->flag_acknowledged_by, ==, "Nurse Kim");
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE kind = 'temperature'"), ==, 0);
}

/* The same through the pipeline: commands that were not saved fail, the
 * alarm is in the snapshot and gone once writes succeed, the log says
 * it once, and nothing committed is lost.
 */

typedef struct
{
  char          *dir;
  char          *path;
  WardPipeline  *pipeline;
  WardSnapshot  *last;
} PipelineFixture;

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
  PipelineFixture *f = user_data;

  g_clear_pointer (&f->last, ward_snapshot_unref);
  f->last = ward_snapshot_ref (snapshot);
}

static void
pipeline_set_up (PipelineFixture *f,
                 gconstpointer    data)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };

  reset_log_counts ();
  f->path = ward_test_db_new ("ward-store-errors", &f->dir);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->path);
  config.demo = TRUE;
  config.simulate = FALSE;
  config.n_beds = 2;
  config.tick_msec = 20;
  config.flag_open_delay_usec = 0;
  config.vitals_observations = FALSE;

  f->pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f->pipeline, snapshot_cb, f, &error));
  g_assert_no_error (error);
}

static void
pipeline_tear_down (PipelineFixture *f,
                    gconstpointer    data)
{
  g_clear_object (&f->pipeline);
  g_clear_pointer (&f->last, ward_snapshot_unref);
  remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

static gint64
db_query (PipelineFixture *f,
          const char      *sql)
{
  g_autoptr(WardStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  gint64 v;

  reader = ward_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  v = _ward_store_query_int (reader, sql, &error);
  g_assert_no_error (error);
  return v;
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Done;

static void
push_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Done *done = user_data;

  ward_pipeline_push_message_finish (WARD_PIPELINE (object), result, NULL, NULL, &done->error);
  done->done = TRUE;
}

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Done *done = user_data;

  ward_pipeline_command_finish (WARD_PIPELINE (object), result, &done->error);
  done->done = TRUE;
}

static void
wait_done (Done *done)
{
  guint id = g_timeout_add_seconds (30, timeout_cb, (gpointer) "a command");

  while (!done->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* Pushes a message as a monitor would; TRUE when it was saved. */
static gboolean
push (PipelineFixture *f,
      const char      *values,
      gsize            padding,
      GError         **error)
{
  g_autofree char *msg = vitals_message ("sim-monitor-01", ward_pipeline_get_now (f->pipeline),
                                         values, padding);
  Done done = { 0 };

  ward_pipeline_push_message_async (f->pipeline, "test", WARD_CONTENT_TYPE_JSON, NULL, msg, -1,
                                    NULL, push_done_cb, &done);
  wait_done (&done);
  if (done.error != NULL)
    {
      g_propagate_error (error, done.error);
      return FALSE;
    }
  return TRUE;
}

static GError *
acknowledge (PipelineFixture *f,
             gint64           flag_id)
{
  Done done = { 0 };

  ward_pipeline_acknowledge_async (f->pipeline, flag_id, "Nurse Kim", NULL, command_done_cb, &done);
  wait_done (&done);
  return done.error;
}

static void
wait_condition (PipelineFixture    *f,
                WardStoreCondition  condition)
{
  guint id = g_timeout_add_seconds (30, timeout_cb, (gpointer) "the store condition");

  while (f->last == NULL || ward_snapshot_get_store_status (f->last)->condition != condition)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static const WardBedState *
wait_flag_open (PipelineFixture *f)
{
  guint id = g_timeout_add_seconds (30, timeout_cb, (gpointer) "the flag");

  while (f->last == NULL || ward_snapshot_get_bed (f->last, 0)->flag_id == 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return ward_snapshot_get_bed (f->last, 0);
}

static void
test_pipeline_store_fails_and_resumes (PipelineFixture *f,
                                       gconstpointer    data)
{
  g_autoptr(GError) error = NULL;
  const WardStoreStatus *status;
  guint n_saved = 0;
  guint n_refused = 0;
  gint64 flag_id;
  gint64 raw_id;

  g_assert_true (push (f, NORMAL, 0, &error));
  g_assert_true (push (f, SICK, 0, &error));
  n_saved = 2;
  flag_id = wait_flag_open (f)->flag_id;
  g_assert_cmpint (db_query (f, "SELECT id FROM flags WHERE closed_at IS NULL"), ==, flag_id);
  wait_condition (f, WARD_STORE_CONDITION_NONE);
  reset_log_counts ();

  /* The file turns read-only: every write fails. */
  _ward_pipeline_set_store_pragma (f->pipeline, WARD_STORE_WRITER_PIPELINE, "query_only = 1");
  for (int i = 0; i < 40; i++)
    {
      if (push (f, SICK, 0, &error))
        n_saved++;
      else
        {
          g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_READ_ONLY);
          g_assert_nonnull (strstr (error->message, "Not saved"));
          n_refused++;
          g_clear_error (&error);
        }
    }
  /* The first push may have been in the tick before the pragma. */
  g_assert_cmpuint (n_refused, >=, 39);

  /* An acknowledgement that cannot be saved says so, and is not shown. */
  error = acknowledge (f, flag_id);
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* A message the archive committed is mapped once the pipeline can write. */
  {
    g_autofree char *msg = vitals_message ("sim-monitor-02", ward_pipeline_get_now (f->pipeline),
                                           NORMAL, 0);

    raw_id = ward_pipeline_archive_message (f->pipeline, "mqtt", WARD_CONTENT_TYPE_JSON, NULL,
                                            msg, strlen (msg), &error);
    g_assert_no_error (error);
    g_assert_cmpint (raw_id, >, 0);
  }

  wait_condition (f, WARD_STORE_CONDITION_READ_ONLY);
  status = ward_snapshot_get_store_status (f->last);
  g_assert_cmpint (status->failing_since, >, 0);
  g_assert_cmpint (status->failing_since, <=, ward_snapshot_get_now (f->last));
  g_assert_nonnull (status->last_error);
  g_assert_null (ward_snapshot_get_bed (f->last, 0)->flag_acknowledged_by);
  g_assert_cmpint (ward_snapshot_get_bed (f->last, 0)->flag_id, ==, flag_id);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"),
                   ==, 1);

  /* Writable again: it resumes by itself, the alarm goes, the flag can
   * be acknowledged and the archived message is mapped, once.
   */
  _ward_pipeline_set_store_pragma (f->pipeline, WARD_STORE_WRITER_PIPELINE, "query_only = 0");
  wait_condition (f, WARD_STORE_CONDITION_NONE);
  g_assert_cmpint (ward_snapshot_get_store_status (f->last)->failing_since, ==, 0);
  error = acknowledge (f, flag_id);
  g_assert_no_error (error);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM flags WHERE acknowledged_by = 'Nurse Kim'"),
                   ==, 1);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM measurements WHERE "
                                            "raw_message_id = %" G_GINT64_FORMAT, raw_id);

    g_assert_cmpint (db_query (f, sql), ==, 3);
  }
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"),
                   ==, 0);

  /* The disk fills: the monitor's messages are refused (an MLLP AR), and
   * stored when it sends them again after space came back.
   */
  _ward_pipeline_set_store_pragma (f->pipeline, WARD_STORE_WRITER_PIPELINE, "max_page_count = 1");
  for (int i = 0; i < 20; i++)
    {
      if (push (f, NORMAL, 16 * 1024, &error))
        n_saved++;
      else
        {
          g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_FULL);
          n_refused++;
          g_clear_error (&error);
        }
    }
  wait_condition (f, WARD_STORE_CONDITION_FULL);
  _ward_pipeline_set_store_pragma (f->pipeline, WARD_STORE_WRITER_PIPELINE, NO_PAGE_LIMIT);
  wait_condition (f, WARD_STORE_CONDITION_NONE);
  for (int i = 0; i < 20; i++)
    {
      g_assert_true (push (f, NORMAL, 16 * 1024, &error));
      n_saved++;
    }

  /* Every message saved is there, none that was refused, and the
   * archived one.
   */
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE source = 'test'"), ==,
                   n_saved);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM measurements m JOIN raw_messages r "
                                "ON r.id = m.raw_message_id WHERE r.source = 'test'"), ==,
                   3 * n_saved);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt'"), ==, 1);

  /* Two conditions, one line each, and one line per recovery; nothing
   * else logged at all.
   */
  g_assert_cmpuint (n_store_warnings, ==, 2);
  g_assert_cmpuint (n_store_messages, ==, 2);
  g_assert_cmpuint (n_other_lines, ==, 0);
}

/* The archive connection (MQTT's) fails: the alarm stands too, and the
 * message is refused, so the source does not acknowledge it.
 */
static void
test_pipeline_archive_fails (PipelineFixture *f,
                             gconstpointer    data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = vitals_message ("sim-monitor-02", ward_pipeline_get_now (f->pipeline),
                                         NORMAL, 0);

  wait_condition (f, WARD_STORE_CONDITION_NONE);
  _ward_pipeline_set_store_pragma (f->pipeline, WARD_STORE_WRITER_ARCHIVE, "query_only = 1");
  g_assert_cmpint (ward_pipeline_archive_message (f->pipeline, "mqtt", WARD_CONTENT_TYPE_JSON,
                                                  NULL, msg, strlen (msg), &error), ==, 0);
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  wait_condition (f, WARD_STORE_CONDITION_READ_ONLY);

  _ward_pipeline_set_store_pragma (f->pipeline, WARD_STORE_WRITER_ARCHIVE, "query_only = 0");
  g_assert_cmpint (ward_pipeline_archive_message (f->pipeline, "mqtt", WARD_CONTENT_TYPE_JSON,
                                                  NULL, msg, strlen (msg), &error), >, 0);
  g_assert_no_error (error);
  wait_condition (f, WARD_STORE_CONDITION_NONE);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt'"), ==, 1);
  g_assert_cmpuint (n_store_warnings, ==, 1);
  g_assert_cmpuint (n_other_lines, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_default_handler (count_log_cb, NULL);

  g_test_add_func ("/core/log-limit/one-line-per-minute", test_log_limit);
  g_test_add_func ("/core/store-errors/conditions", test_conditions);
  g_test_add_func ("/core/store-errors/health", test_health);
  g_test_add ("/core/store-errors/engine-rollback-forgets-flag", EngineFixture, NULL,
              engine_set_up, test_rollback_forgets_flag, engine_tear_down);
  g_test_add ("/core/store-errors/pipeline-fails-and-resumes", PipelineFixture, NULL,
              pipeline_set_up, test_pipeline_store_fails_and_resumes, pipeline_tear_down);
  g_test_add ("/core/store-errors/pipeline-archive-fails", PipelineFixture, NULL,
              pipeline_set_up, test_pipeline_archive_fails, pipeline_tear_down);

  return g_test_run ();
}
