/* test-pipeline.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-pipeline.h"
#include "ward-store.h"

typedef struct
{
  char          *dir;
  char          *path;
  WardPipeline  *pipeline;
  guint          n_snapshots;
  WardSnapshot  *last;
  GThread       *main_thread;
} Fixture;

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
  Fixture *f = user_data;

  /* Delivered on the thread that started the pipeline. */
  g_assert_true (g_thread_self () == f->main_thread);

  if (f->last != NULL)
    g_assert_cmpuint (ward_snapshot_get_serial (snapshot), >, ward_snapshot_get_serial (f->last));

  f->n_snapshots++;
  g_clear_pointer (&f->last, ward_snapshot_unref);
  f->last = ward_snapshot_ref (snapshot);
}

/* A loopback URL where nothing listens: a port the kernel gave and took back. */
static char *
closed_port_url (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  return g_strdup_printf ("http://127.0.0.1:%u/fhir/R4", port);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };

  f->main_thread = g_thread_self ();
  f->dir = g_dir_make_tmp ("ward-pipeline-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->path);
  config.demo = TRUE;
  config.n_beds = 4;
  config.seed = 7;
  config.time_scale = 120;
  config.tick_msec = 20;
  if (g_strcmp0 (data, "outbox-limit") == 0)
    config.outbox_limit = 10;
  else if (g_strcmp0 (data, "server-down") == 0)
    config.fhir_url = closed_port_url ();

  f->pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f->pipeline, snapshot_cb, f, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->pipeline);
  g_clear_pointer (&f->last, ward_snapshot_unref);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out waiting in %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

static void
wait_for_messages (Fixture *f,
                   guint64  n)
{
  guint id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "wait_for_messages");

  while (f->last == NULL || ward_snapshot_get_counters (f->last)->messages < n)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (id);
}

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError **error_out = user_data;
  GError *error = NULL;

  if (!ward_pipeline_command_finish (WARD_PIPELINE (object), result, &error))
    *error_out = error ? error : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "?");
  else
    *error_out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "ok");
}

typedef struct
{
  gboolean           done;
  WardIngestOutcome  outcome;
  char              *reason;
  GError            *error;
} Push;

static void
push_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Push *push = user_data;

  ward_pipeline_push_message_finish (WARD_PIPELINE (object), result, &push->outcome,
                                     &push->reason, &push->error);
  push->done = TRUE;
}

static void
wait_push (Push *push)
{
  guint id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "wait_push");

  while (!push->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* Runs the main loop until the command completes; returns its error or
 * NULL on success.
 */
static GError *
wait_command (gpointer *slot)
{
  guint id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "wait_command");
  GError *error;

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  error = *slot;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_error_free (error);
      return NULL;
    }
  return error;
}

static gint64
db_query (Fixture    *f,
          const char *sql)
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

static void
test_runs_and_delivers (Fixture       *f,
                        gconstpointer  data)
{
  const WardBedState *bed;

  wait_for_messages (f, 20);

  g_assert_cmpuint (ward_snapshot_get_n_beds (f->last), ==, 4);
  bed = ward_snapshot_get_bed (f->last, 0);
  g_assert_cmpstr (bed->bed_id, ==, "bed-01");
  g_assert_cmpstr (bed->device_id, !=, NULL);
  g_assert_true (bed->latest[WARD_MEAS_HR].valid);

  /* Simulated time runs at the requested scale. */
  g_assert_cmpint (ward_pipeline_get_now (f->pipeline) - g_get_real_time (), >, 0);

  /* What the snapshot counts is in the store. */
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages"), >=, 20);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM beds"), ==, 4);
}

static void
test_one_pending_delivery (Fixture       *f,
                           gconstpointer  data)
{
  guint delivered = 0;

  wait_for_messages (f, 1);

  /* The main thread is busy for 300 ms: about 15 ticks happen, but the
   * reader gets one delivery with the newest snapshot, not a backlog.
   * On a loaded machine (or under the sanitizers) the pipeline thread
   * may not tick at all in 300 ms: the main thread stays busy again
   * until it has, and never gets more than one.
   */
  for (guint i = 0; i < 50 && delivered == 0; i++)
    {
      guint before;

      g_usleep (300 * 1000);
      before = f->n_snapshots;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      delivered = f->n_snapshots - before;
      g_assert_cmpuint (delivered, <=, 1);
    }
  g_assert_cmpuint (delivered, ==, 1);
}

static void
test_commands_complete_after_commit (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *good = NULL;
  g_autofree char *now_iso = NULL;
  gpointer slot = NULL;
  Push push = { 0 };
  GError *error;

  wait_for_messages (f, 1);

  ward_pipeline_nurse_entry_async (f->pipeline, "sim-patient-02", WARD_MEAS_CONSCIOUSNESS,
                                   WARD_ACVPU_VOICE, "Nurse Test", NULL, command_done_cb, &slot);
  error = wait_command (&slot);
  g_assert_no_error (error);

  /* Completed means committed: another connection sees it at once. */
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'sim-patient-02' "
                                "AND kind = 'consciousness' AND value = 2 AND source = 'nurse' "
                                "AND entered_by = 'Nurse Test'"), ==, 1);

  slot = NULL;
  ward_pipeline_confirm_async (f->pipeline, "nobody", "Nurse Test", NULL, command_done_cb, &slot);
  error = wait_command (&slot);
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_UNKNOWN_PATIENT);
  g_clear_error (&error);

  slot = NULL;
  ward_pipeline_acknowledge_async (f->pipeline, 424242, "Nurse Test", NULL, command_done_cb, &slot);
  error = wait_command (&slot);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not open"));
  g_clear_error (&error);

  /* A garbage device message is archived and dead-lettered; the command
   * itself succeeds, because bad input is not a pipeline failure.
   */
  slot = NULL;
  ward_pipeline_push_message_async (f->pipeline, "test", WARD_CONTENT_TYPE_JSON, "sim-monitor-01",
                                    "\x01garbage", -1, NULL, push_done_cb, &push);
  wait_push (&push);
  g_assert_no_error (push.error);
  g_assert_cmpint (push.outcome, ==, WARD_INGEST_REJECTED);
  g_assert_nonnull (strstr (push.reason, "not JSON"));
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                                "ON r.id = d.raw_message_id WHERE r.source = 'test' "
                                "AND d.stage = 'parse' AND r.processed_at IS NOT NULL"), ==, 1);
  g_clear_pointer (&push.reason, g_free);

  /* A good one is accepted, and stored by the time it completes. */
  now_iso = ward_time_format_iso8601 (ward_pipeline_get_now (f->pipeline));
  good = g_strdup_printf ("{\"deviceId\":\"sim-monitor-03\",\"messageId\":\"t-1\",\"measuredAt\":\"%s\",\"heartRate\":181}",
                          now_iso);
  push = (Push) { 0 };
  ward_pipeline_push_message_async (f->pipeline, "test", WARD_CONTENT_TYPE_JSON, NULL, good, -1,
                                    NULL, push_done_cb, &push);
  wait_push (&push);
  g_assert_no_error (push.error);
  g_assert_cmpint (push.outcome, ==, WARD_INGEST_ACCEPTED);
  g_assert_null (push.reason);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM measurements WHERE value = 181 "
                                "AND patient_id = 'sim-patient-03'"), ==, 1);
}

static void
test_archive_first (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  g_autofree char *iso = NULL;
  gint64 raw_id;
  guint id;

  wait_for_messages (f, 1);

  /* Committed before it returns: another connection sees it at once,
   * not yet mapped...
   */
  iso = ward_time_format_iso8601 (ward_pipeline_get_now (f->pipeline));
  msg = g_strdup_printf ("{\"messageId\":\"t-2\",\"measuredAt\":\"%s\",\"heartRate\":177}", iso);
  raw_id = ward_pipeline_archive_message (f->pipeline, "mqtt", WARD_CONTENT_TYPE_JSON,
                                          "sim-monitor-02", msg, strlen (msg), &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_id, >, 0);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt'"), ==, 1);

  /* ...and mapped by the pipeline shortly after, with the device id the
   * transport gave.
   */
  id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "archive-first");
  while (db_query (f, "SELECT count(*) FROM measurements WHERE value = 177 "
                      "AND patient_id = 'sim-patient-02'") == 0)
    g_main_context_iteration (NULL, FALSE), g_usleep (10000);
  g_source_remove (id);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"), ==, 0);
}

static void
test_pending_mapped_at_start (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-pipeline-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_autofree char *msg = NULL;
  g_autofree char *iso = NULL;

  /* A message archived by a Wardwatch that died before mapping it. */
  iso = ward_time_format_iso8601 (g_get_real_time ());
  msg = g_strdup_printf ("{\"deviceId\":\"sim-monitor-01\",\"messageId\":\"t-3\",\"measuredAt\":\"%s\",\"spo2\":83}", iso);
  store = ward_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_add_raw_message (store, g_get_real_time (), "mqtt",
                                               WARD_CONTENT_TYPE_JSON, NULL, msg, strlen (msg),
                                               &error), >, 0);
  g_clear_object (&store);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.demo = TRUE;
  config.n_beds = 1;
  pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (pipeline, NULL, NULL, &error));
  g_assert_no_error (error);
  ward_pipeline_stop (pipeline);

  store = ward_store_open_readonly (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM measurements WHERE kind = 'spo2' "
                                                 "AND value = 83", &error), ==, 1);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM raw_messages "
                                                 "WHERE processed_at IS NULL", &error), ==, 0);
  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name (d)))
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (dir);
  }
}

static void
test_stop_is_clean (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(WardSnapshot) final = NULL;
  gpointer slot = NULL;
  GError *error;

  wait_for_messages (f, 5);
  ward_pipeline_stop (f->pipeline);
  ward_pipeline_stop (f->pipeline);

  /* The final snapshot counts what the store holds: the last tick was
   * committed before the thread ended.
   */
  final = ward_pipeline_get_snapshot (f->pipeline);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM raw_messages"), ==,
                   (gint64) ward_snapshot_get_counters (final)->messages);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM measurements"), ==,
                   (gint64) ward_snapshot_get_counters (final)->measurements);

  ward_pipeline_confirm_async (f->pipeline, "sim-patient-01", "Nurse Test", NULL,
                               command_done_cb, &slot);
  error = wait_command (&slot);
  g_assert_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED);
  g_clear_error (&error);
}

static void
test_bad_start (void)
{
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup ("/proc/wardwatch-cannot-be-here/ward.db");
  pipeline = ward_pipeline_new (&config);
  g_assert_false (ward_pipeline_start (pipeline, NULL, NULL, &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN);
  g_clear_error (&error);
  g_clear_object (&pipeline);

  /* An unknown scenario is a clear error naming it. */
  g_clear_pointer (&config.db_path, g_free);
  {
    g_autofree char *dir = g_dir_make_tmp ("ward-pipeline-XXXXXX", NULL);
    g_autofree char *db = g_build_filename (dir, "x.db", NULL);
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    char *scenarios[] = { (char *) "no-such-scenario", NULL };

    config.db_path = g_strdup (db);
    config.demo = TRUE;
    config.scenarios = g_strdupv (scenarios);
    pipeline = ward_pipeline_new (&config);
    g_assert_false (ward_pipeline_start (pipeline, NULL, NULL, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "no-such-scenario"));
    g_clear_error (&error);
    g_clear_object (&pipeline);

    /* A nurse entry for a bed that does not exist is refused. */
    g_clear_pointer (&config.scenarios, g_strfreev);
    config.n_beds = 2;
    config.nurse_entries = g_strsplit ("9:acvpu=C", ";", -1);
    pipeline = ward_pipeline_new (&config);
    g_assert_false (ward_pipeline_start (pipeline, NULL, NULL, &error));
    g_assert_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_clear_object (&pipeline);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

static void
wait_for_snapshot (Fixture    *f,
                   gboolean  (*done) (WardSnapshot *snapshot),
                   const char *what)
{
  guint id = g_timeout_add_seconds (20, timeout_cb, (gpointer) what);

  while (f->last == NULL || !done (f->last))
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (id);
}

static gboolean
is_over_limit (WardSnapshot *snapshot)
{
  return ward_snapshot_get_counters (snapshot)->outbox_over_limit;
}

/* No FHIR server: the outbox grows and, past its limit, the snapshot
 * says so for the window's warning; nothing is dropped.
 */
static void
test_outbox_limit (Fixture       *f,
                   gconstpointer  data)
{
  const WardCounters *counters;
  const WardFhirStatus *fhir;

  wait_for_snapshot (f, is_over_limit, "outbox over its limit");
  counters = ward_snapshot_get_counters (f->last);
  fhir = ward_snapshot_get_fhir_status (f->last);
  g_assert_cmpuint (counters->outbox_pending, >, 10);
  g_assert_false (fhir->configured);
  g_assert_cmpint (fhir->failing_since, ==, 0);
  ward_pipeline_stop (f->pipeline);
  g_assert_cmpint (db_query (f, "SELECT count(*) FROM outbox WHERE state = 'pending'"), >=,
                   (gint64) counters->outbox_pending);
}

static gboolean
is_failing (WardSnapshot *snapshot)
{
  return ward_snapshot_get_fhir_status (snapshot)->failing_since > 0;
}

/* A FHIR server that cannot be reached: the snapshot says since when,
 * and why, on the pipeline's clock.
 */
static void
test_server_down (Fixture       *f,
                  gconstpointer  data)
{
  const WardFhirStatus *fhir;

  wait_for_snapshot (f, is_failing, "the FHIR sync failing");
  fhir = ward_snapshot_get_fhir_status (f->last);
  g_assert_true (fhir->configured);
  g_assert_cmpint (fhir->failing_since, <=, ward_snapshot_get_now (f->last));
  g_assert_nonnull (fhir->last_error);
  g_assert_false (ward_snapshot_get_counters (f->last)->outbox_over_limit);
}

static gboolean
has_snapshot (WardSnapshot *snapshot)
{
  return snapshot != NULL;
}

/* Demo patients are adults with a birth date in the store. */
static void
test_demo_birth_dates (Fixture       *f,
                       gconstpointer  data)
{
  wait_for_snapshot (f, has_snapshot, "a snapshot");

  g_assert_cmpint (db_query (f, "SELECT count(*) FROM patients WHERE birth_date IS NOT NULL "
                                "AND length(birth_date) = 10"), ==, 4);
  for (guint i = 0; i < ward_snapshot_get_n_beds (f->last); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (f->last, i);

      g_assert_cmpint (bed->age, >=, 16);
      g_assert_false (bed->news2_not_applicable);
    }
}

/* The ward file's optional birthDate: a child, an adult, none; a bad one
 * stops the start with a message naming it.
 */
static void
test_ward_file_birth_date (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-pipeline-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autofree char *ward = g_build_filename (dir, "ward.json", NULL);
  g_auto(WardPipelineConfig) config = { 0 };
  Fixture f = { 0 };

  g_assert_true (g_file_set_contents (ward,
    "{\"beds\": ["
    "{\"id\": \"bed-01\", \"patient\": {\"id\": \"p1\", \"birthDate\": \"2015-06-01\"}},"
    "{\"id\": \"bed-02\", \"patient\": {\"id\": \"p2\", \"birthDate\": \"1948-10\"}},"
    "{\"id\": \"bed-03\", \"patient\": {\"id\": \"p3\"}}]}", -1, &error));
  g_assert_no_error (error);

  f.main_thread = g_thread_self ();
  f.path = db;
  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.ward_file = g_strdup (ward);
  config.tick_msec = 20;
  f.pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f.pipeline, snapshot_cb, &f, &error));
  g_assert_no_error (error);
  wait_for_snapshot (&f, has_snapshot, "a snapshot");

  g_assert_cmpuint (ward_snapshot_get_n_beds (f.last), ==, 3);
  g_assert_cmpint (ward_snapshot_get_bed (f.last, 0)->age, >=, 10);
  g_assert_cmpint (ward_snapshot_get_bed (f.last, 0)->age, <, 16);
  g_assert_true (ward_snapshot_get_bed (f.last, 0)->news2_not_applicable);
  g_assert_cmpint (ward_snapshot_get_bed (f.last, 1)->age, >=, 77);
  g_assert_false (ward_snapshot_get_bed (f.last, 1)->news2_not_applicable);
  g_assert_cmpint (ward_snapshot_get_bed (f.last, 2)->age, ==, -1);
  g_assert_false (ward_snapshot_get_bed (f.last, 2)->news2_not_applicable);
  g_clear_object (&f.pipeline);
  g_clear_pointer (&f.last, ward_snapshot_unref);
  g_assert_cmpint (db_query (&f, "SELECT count(*) FROM patients WHERE id = 'p1' "
                                 "AND birth_date = '2015-06-01'"), ==, 1);

  /* Not a date. */
  g_assert_true (g_file_set_contents (ward,
    "{\"beds\": [{\"id\": \"bed-01\", \"patient\": {\"id\": \"p1\", "
    "\"birthDate\": \"01/06/2015\"}}]}", -1, &error));
  f.pipeline = ward_pipeline_new (&config);
  g_assert_false (ward_pipeline_start (f.pipeline, NULL, NULL, &error));
  g_assert_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "beds[0]: patient.birthDate"));
  g_clear_object (&f.pipeline);

  g_unlink (ward);
  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

typedef struct
{
  gboolean  done;
  gint64    result;
  GError   *error;
} CareDone;

static void
care_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CareDone *done = user_data;

  done->result = ward_pipeline_care_finish (WARD_PIPELINE (object), result, &done->error);
  done->done = TRUE;
}

static void
run_care (Fixture         *f,
          WardCareCommand *command,
          CareDone        *done)
{
  guint id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "run_care");

  *done = (CareDone) { 0 };
  ward_pipeline_care_async (f->pipeline, command, NULL, care_done_cb, done);
  while (!done->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static gboolean
has_care_state (WardSnapshot *snapshot)
{
  const WardBedState *bed;

  if (ward_snapshot_get_n_beds (snapshot) == 0)
    return FALSE;
  bed = ward_snapshot_get_bed (snapshot, 0);
  return bed->open_tasks != NULL && bed->open_tasks->len == 1 &&
         g_strcmp0 (bed->bed_nurse, "n.kim") == 0;
}

/* Care-team actions queued from the UI run on the pipeline thread, and
 * the snapshot carries each bed's nurse and open tasks.  A refused action
 * says why and leaves nothing behind.
 */
static void
test_care_commands (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-pipeline-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autofree char *ward = g_build_filename (dir, "ward.json", NULL);
  g_auto(WardPipelineConfig) config = { 0 };
  const WardTask *task;
  CareDone done;
  Fixture f = { 0 };

  g_assert_true (g_file_set_contents (ward,
    "{\"beds\": [{\"id\": \"bed-01\", \"patient\": {\"id\": \"p1\"}},"
    "{\"id\": \"bed-02\", \"patient\": {\"id\": \"p2\"}}]}", -1, &error));
  g_assert_no_error (error);

  f.main_thread = g_thread_self ();
  f.path = db;
  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.ward_file = g_strdup (ward);
  config.tick_msec = 20;
  f.pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f.pipeline, snapshot_cb, &f, &error));
  g_assert_no_error (error);

  run_care (&f, ward_care_command_allocate ("bed-01", "n.kim", "n.charge", "station-a"), &done);
  g_assert_no_error (done.error);
  run_care (&f, ward_care_command_raise_concern ("p1", "Not herself", "n.kim", "station-a"),
            &done);
  g_assert_no_error (done.error);
  g_assert_cmpint (done.result, >, 0);
  g_assert_cmpint (db_query (&f, "SELECT count(*) FROM care_tasks WHERE kind = 'concern' "
                                 "AND bed_id = 'bed-01'"), ==, 1);

  wait_for_snapshot (&f, has_care_state, "the bed's nurse and task");
  task = g_ptr_array_index (ward_snapshot_get_bed (f.last, 0)->open_tasks, 0);
  g_assert_cmpint (task->id, ==, done.result);
  g_assert_cmpint (task->owner_role, ==, WARD_ROLE_NURSE_IN_CHARGE);
  g_assert_cmpint (task->status, ==, WARD_TASK_REQUESTED);

  /* Refused: no note; nothing is kept, not even an audit row. */
  {
    gint64 audit_rows = db_query (&f, "SELECT count(*) FROM audit_log");

    run_care (&f, ward_care_command_raise_concern ("p2", "", "n.kim", "station-a"), &done);
    g_assert_error (done.error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID);
    g_clear_error (&done.error);
    run_care (&f, ward_care_command_complete (999, WARD_OUTCOME_REVIEWED, NULL, "n.kim",
                                              "station-a"), &done);
    g_assert_error (done.error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_FOUND);
    g_clear_error (&done.error);
    g_assert_cmpint (db_query (&f, "SELECT count(*) FROM care_tasks"), ==, 1);
    g_assert_cmpint (db_query (&f, "SELECT count(*) FROM audit_log"), ==, audit_rows);
  }

  g_clear_object (&f.pipeline);
  g_clear_pointer (&f.last, ward_snapshot_unref);
  g_unlink (ward);
  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/pipeline/runs-and-delivers", test_runs_and_delivers);
  ADD ("/core/pipeline/one-pending-delivery", test_one_pending_delivery);
  ADD ("/core/pipeline/commands-complete-after-commit", test_commands_complete_after_commit);
  ADD ("/core/pipeline/stop-is-clean", test_stop_is_clean);
  ADD ("/core/pipeline/archive-first", test_archive_first);
  ADD ("/core/pipeline/demo-birth-dates", test_demo_birth_dates);
#undef ADD
  g_test_add ("/core/pipeline/outbox-limit", Fixture, "outbox-limit", fixture_set_up,
              test_outbox_limit, fixture_tear_down);
  g_test_add ("/core/pipeline/server-down", Fixture, "server-down", fixture_set_up,
              test_server_down, fixture_tear_down);
  g_test_add_func ("/core/pipeline/bad-start", test_bad_start);
  g_test_add_func ("/core/pipeline/pending-mapped-at-start", test_pending_mapped_at_start);
  g_test_add_func ("/core/pipeline/ward-file-birth-date", test_ward_file_birth_date);
  g_test_add_func ("/core/pipeline/care-commands", test_care_commands);

  return g_test_run ();
}
