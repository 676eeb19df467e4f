/* test-source.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source contract: a tiny source implementing WardDeviceSource feeds
 * a real pipeline on a temporary database through a WardSink, and may
 * acknowledge only what the store already holds.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-device-source.h"
#include "ward-pipeline.h"
#include "ward-sink.h"
#include "ward-simulator-source.h"
#include "ward-sources.h"
#include "ward-store.h"

/* TestSource: on start, submits its queued payloads one by one from the
 * main context; each completion checks the store and then "acknowledges".
 */

#define TEST_TYPE_SOURCE (test_source_get_type ())
G_DECLARE_FINAL_TYPE (TestSource, test_source, TEST, SOURCE, GObject)

struct _TestSource
{
  GObject     parent_instance;

  WardSink   *sink;
  char       *db_path;
  GPtrArray  *queue;          /* payloads to send */
  gboolean    with_key;       /* de-duplicate by a fixed key */
  gboolean    running;
  guint64     received;
  guint64     committed;
  guint64     duplicates;
  guint64     failed;
  guint       acknowledged;   /* completions that saw their row stored */
  guint       pending;
};

static void test_source_iface_init (WardDeviceSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSource, test_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WARD_TYPE_DEVICE_SOURCE,
                                                      test_source_iface_init))

static gint64
db_query (const char *path,
          const char *sql)
{
  g_autoptr(WardStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  gint64 v;

  reader = ward_store_open_readonly (path, &error);
  g_assert_no_error (error);
  v = _ward_store_query_int (reader, sql, &error);
  g_assert_no_error (error);
  return v;
}

typedef struct
{
  TestSource *self;
  char       *payload;
} Sent;

static void
submitted_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Sent *sent = user_data;
  TestSource *self = sent->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *sql = NULL;
  WardIngestOutcome outcome = WARD_INGEST_REJECTED;
  gboolean duplicate = FALSE;

  self->pending--;
  if (!ward_sink_submit_finish (WARD_SINK (object), result, &outcome, &reason, &duplicate, &error))
    {
      self->failed++;
      goto out;
    }

  /* The durability point: before acknowledging, another connection
   * must already see the message archived and mapped.
   */
  sql = g_strdup_printf ("SELECT count(*) FROM raw_messages WHERE source = 'test-source' "
                         "AND processed_at IS NOT NULL AND CAST(payload AS TEXT) = '%s'",
                         sent->payload);
  g_assert_cmpint (db_query (self->db_path, sql), >=, 1);
  g_assert_cmpint (outcome, ==, WARD_INGEST_ACCEPTED);

  self->committed++;
  if (duplicate)
    self->duplicates++;
  self->acknowledged++;

out:
  g_free (sent->payload);
  g_object_unref (sent->self);
  g_free (sent);
}

static gboolean
send_next (gpointer user_data)
{
  TestSource *self = user_data;
  Sent *sent;

  if (!self->running || self->queue->len == 0)
    return G_SOURCE_REMOVE;

  sent = g_new0 (Sent, 1);
  sent->self = g_object_ref (self);
  sent->payload = g_ptr_array_steal_index (self->queue, 0);
  self->received++;
  self->pending++;

  if (self->with_key)
    {
      g_autoptr(WardMessageKey) key = ward_message_key_new ("WARD", "TEST", "msg-1", "digest-1",
                                                            G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);

      ward_sink_submit_async (self->sink, WARD_CONTENT_TYPE_JSON, NULL, key, sent->payload, -1,
                              NULL, submitted_cb, sent);
    }
  else
    ward_sink_submit_async (self->sink, WARD_CONTENT_TYPE_JSON, NULL, NULL, sent->payload, -1,
                            NULL, submitted_cb, sent);

  return G_SOURCE_CONTINUE;
}

static gboolean
test_source_start (WardDeviceSource  *source,
                   GError           **error)
{
  TestSource *self = TEST_SOURCE (source);

  self->running = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, send_next, g_object_ref (self), g_object_unref);
  return TRUE;
}

static void
test_source_stop (WardDeviceSource *source)
{
  TEST_SOURCE (source)->running = FALSE;
}

static void
test_source_get_status (WardDeviceSource       *source,
                        WardDeviceSourceStatus *status)
{
  TestSource *self = TEST_SOURCE (source);

  status->name = g_strdup (ward_sink_get_source_name (self->sink));
  status->running = self->running;
  status->connected = self->running;
  status->received = self->received;
  status->committed = self->committed;
  status->duplicates = self->duplicates;
  status->failed = self->failed;
  status->detail = g_strdup_printf ("%u queued", self->queue->len);
}

static void
test_source_iface_init (WardDeviceSourceInterface *iface)
{
  iface->start = test_source_start;
  iface->stop = test_source_stop;
  iface->get_status = test_source_get_status;
}

static void
test_source_finalize (GObject *object)
{
  TestSource *self = TEST_SOURCE (object);

  g_clear_object (&self->sink);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->queue, g_ptr_array_unref);

  G_OBJECT_CLASS (test_source_parent_class)->finalize (object);
}

static void
test_source_class_init (TestSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_source_finalize;
}

static void
test_source_init (TestSource *self)
{
  self->queue = g_ptr_array_new_with_free_func (g_free);
}

/* Fixture: a real pipeline on a temporary database. */

typedef struct
{
  char          *dir;
  char          *path;
  WardPipeline  *pipeline;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };

  f->dir = g_dir_make_tmp ("ward-source-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->path);
  config.demo = TRUE;
  config.n_beds = 4;
  config.seed = 7;
  config.time_scale = 120;
  config.tick_msec = 20;
  f->pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f->pipeline, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->pipeline);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Timed out: %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

static char *
reading (Fixture    *f,
         const char *message_id,
         int         heart_rate)
{
  g_autofree char *iso = ward_time_format_iso8601 (ward_pipeline_get_now (f->pipeline));

  return g_strdup_printf ("{\"deviceId\":\"sim-monitor-03\",\"messageId\":\"%s\","
                          "\"measuredAt\":\"%s\",\"heartRate\":%d}",
                          message_id, iso, heart_rate);
}

static TestSource *
test_source_new (Fixture *f)
{
  TestSource *source = g_object_new (TEST_TYPE_SOURCE, NULL);

  source->sink = ward_sink_new (f->pipeline, "test-source");
  source->db_path = g_strdup (f->path);
  return source;
}

static void
wait_idle (TestSource *source,
           const char *what)
{
  guint id = g_timeout_add_seconds (20, timeout_cb, (gpointer) what);

  while (source->pending > 0 || (source->running && source->queue->len > 0))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
test_submit_committed_first (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(TestSource) source = test_source_new (f);
  g_autoptr(GError) error = NULL;
  g_auto(WardDeviceSourceStatus) status = { 0 };

  g_ptr_array_add (source->queue, reading (f, "s-1", 171));
  g_ptr_array_add (source->queue, reading (f, "s-2", 172));
  g_ptr_array_add (source->queue, reading (f, "s-3", 173));

  ward_device_source_get_status (WARD_DEVICE_SOURCE (source), &status);
  g_assert_false (status.running);
  ward_device_source_status_clear (&status);

  g_assert_true (ward_device_source_start (WARD_DEVICE_SOURCE (source), &error));
  g_assert_no_error (error);
  wait_idle (source, "submit");

  /* Every completion found its row stored before acknowledging. */
  g_assert_cmpuint (source->acknowledged, ==, 3);
  g_assert_cmpint (db_query (f->path, "SELECT count(*) FROM measurements "
                                      "WHERE value IN (171, 172, 173) "
                                      "AND patient_id = 'sim-patient-03'"), ==, 3);

  ward_device_source_get_status (WARD_DEVICE_SOURCE (source), &status);
  g_assert_cmpstr (status.name, ==, "test-source");
  g_assert_true (status.running);
  g_assert_cmpuint (status.received, ==, 3);
  g_assert_cmpuint (status.committed, ==, 3);
  g_assert_cmpuint (status.failed, ==, 0);
  g_assert_cmpstr (status.detail, ==, "0 queued");
  ward_device_source_status_clear (&status);

  /* Stopped, it sends nothing more. */
  ward_device_source_stop (WARD_DEVICE_SOURCE (source));
  g_ptr_array_add (source->queue, reading (f, "s-4", 174));
  g_main_context_iteration (NULL, FALSE);
  ward_device_source_get_status (WARD_DEVICE_SOURCE (source), &status);
  g_assert_false (status.running);
  g_assert_cmpuint (status.received, ==, 3);
  g_assert_cmpint (db_query (f->path, "SELECT count(*) FROM raw_messages "
                                      "WHERE source = 'test-source'"), ==, 3);
}

static void
test_submit_once (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(TestSource) source = test_source_new (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = reading (f, "once-1", 166);

  /* The sender resends after a lost acknowledgement: same key, same bytes. */
  source->with_key = TRUE;
  g_ptr_array_add (source->queue, g_strdup (payload));
  g_ptr_array_add (source->queue, g_strdup (payload));

  g_assert_true (ward_device_source_start (WARD_DEVICE_SOURCE (source), &error));
  g_assert_no_error (error);
  wait_idle (source, "submit once");

  g_assert_cmpuint (source->acknowledged, ==, 2);
  g_assert_cmpuint (source->duplicates, ==, 1);
  g_assert_cmpint (db_query (f->path, "SELECT count(*) FROM measurements WHERE value = 166 "
                                      "AND patient_id = 'sim-patient-03'"), ==, 1);
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Rejected;

static void
rejected_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Rejected *r = user_data;

  ward_sink_reject_finish (WARD_SINK (object), result, &r->error);
  r->done = TRUE;
}

static void
test_reject (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(WardSink) sink = ward_sink_new (f->pipeline, "test-source");
  Rejected r = { 0 };
  guint id;

  ward_sink_reject_async (sink, "application/octet-stream", "\x0b\x01oops", 6, "framing",
                          "framing error from 127.0.0.1:1: no end block", NULL, rejected_cb, &r);
  id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "reject");
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  /* Completed after the commit: the dead letter is there, with its bytes. */
  g_assert_no_error (r.error);
  g_assert_cmpint (db_query (f->path, "SELECT count(*) FROM dead_letters d JOIN raw_messages m "
                                      "ON m.id = d.raw_message_id WHERE m.source = 'test-source' "
                                      "AND d.stage = 'framing' AND length(m.payload) = 6 "
                                      "AND d.reason LIKE '%127.0.0.1:1%'"), ==, 1);
}

typedef struct
{
  WardSink  *sink;
  char      *db_path;
  char      *payload;
  gint64     seen_after;   /* rows another connection saw when the commit returned */
} Batch;

static gpointer
batch_thread (gpointer user_data)
{
  Batch *b = user_data;
  g_autoptr(GError) error = NULL;
  WardArchiveItem items[2] = {
    { .device_id = "sim-monitor-02", .payload = b->payload, .length = strlen (b->payload),
      .mqtt_mid = 7 },
    { .device_id = "sim-monitor-02", .payload = b->payload, .length = strlen (b->payload),
      .mqtt_mid = 7 },
  };

  /* A thread-driven source: when commit_batch returns, it may acknowledge. */
  g_assert_true (ward_sink_commit_batch (b->sink, WARD_CONTENT_TYPE_JSON, items, 2, &error));
  g_assert_no_error (error);
  b->seen_after = db_query (b->db_path, "SELECT count(*) FROM raw_messages "
                                        "WHERE source = 'test-source'");
  g_assert_cmpint (items[0].raw_id, >, 0);
  g_assert_cmpint (items[1].duplicate_of, ==, items[0].raw_id);

  return NULL;
}

static void
test_commit_batch (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(WardSink) sink = ward_sink_new (f->pipeline, "test-source");
  g_autofree char *iso = ward_time_format_iso8601 (ward_pipeline_get_now (f->pipeline));
  Batch b = { 0 };
  GThread *thread;
  guint id;

  b.sink = sink;
  b.db_path = f->path;
  b.payload = g_strdup_printf ("{\"messageId\":\"b-1\",\"measuredAt\":\"%s\",\"heartRate\":163}", iso);
  thread = g_thread_new ("batch", batch_thread, &b);
  g_thread_join (thread);
  g_assert_cmpint (b.seen_after, ==, 2);

  /* Mapped shortly after, once: the redelivered copy makes no measurement. */
  id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "batch mapped");
  while (db_query (f->path, "SELECT count(*) FROM raw_messages WHERE source = 'test-source' "
                            "AND processed_at IS NULL") > 0)
    g_main_context_iteration (NULL, FALSE), g_usleep (10000);
  g_source_remove (id);
  g_assert_cmpint (db_query (f->path, "SELECT count(*) FROM measurements WHERE value = 163 "
                                      "AND patient_id = 'sim-patient-02'"), ==, 1);
  g_free (b.payload);
}

static void
test_instance_id (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(WardSink) a = ward_sink_new (f->pipeline, "mqtt");
  g_autoptr(WardSink) b = ward_sink_new (f->pipeline, "mllp");
  g_autofree char *id_a = ward_sink_dup_instance_id (a);
  g_autofree char *id_b = ward_sink_dup_instance_id (b);
  g_autofree char *other_dir = g_dir_make_tmp ("ward-source-XXXXXX", NULL);
  g_autofree char *other_db = g_build_filename (other_dir, "ward.db", NULL);
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardPipeline) other = NULL;
  g_autoptr(WardSink) c = NULL;
  g_autofree char *id_c = NULL;

  /* One per Wardwatch instance (database), whichever source asks. */
  g_assert_true (g_str_has_prefix (id_a, "wardwatch-"));
  g_assert_cmpuint (strlen (id_a), ==, 22);
  g_assert_cmpstr (id_a, ==, id_b);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (other_db);
  other = ward_pipeline_new (&config);
  c = ward_sink_new (other, "mqtt");
  id_c = ward_sink_dup_instance_id (c);
  g_assert_cmpstr (id_a, !=, id_c);
  g_rmdir (other_dir);
}

static void
test_sources_list (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(WardSourcesConfig) config = { 0 };
  g_autoptr(WardSources) sources = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(WardDeviceSourceStatus) status = { 0 };
  GPtrArray *list;

  /* An MLLP listener on a free port, started and stopped as a source,
   * after the demo pipeline's in-process monitors (the fixture's
   * pipeline simulates its ward): both are in the one list.
   */
  ward_sources_config_init (&config);
  config.mllp_port = 0;
  sources = ward_sources_new (f->pipeline, &config);
  g_assert_cmpuint (ward_sources_get_sources (sources)->len, ==, 0);

  g_assert_true (ward_sources_start (sources, &error));
  g_assert_no_error (error);
  list = ward_sources_get_sources (sources);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpuint (ward_sources_get_mllp_port (sources), >, 0);

  ward_device_source_get_status (g_ptr_array_index (list, 0), &status);
  g_assert_cmpstr (status.name, ==, "simulator");
  g_assert_true (status.running);
  ward_device_source_status_clear (&status);

  ward_device_source_get_status (g_ptr_array_index (list, 1), &status);
  g_assert_cmpstr (status.name, ==, "mllp");
  g_assert_true (status.running);
  g_assert_true (g_str_has_prefix (status.detail, "listening on 127.0.0.1:"));
  g_assert_true (g_str_has_suffix (status.detail, ", 0 monitors"));

  ward_sources_stop (sources);
  g_assert_cmpuint (ward_sources_get_sources (sources)->len, ==, 0);
  g_assert_cmpuint (ward_sources_get_mllp_port (sources), ==, 0);
}

/* The simulator, a stepped source: its monitors' messages flow while it
 * is started and are counted, stop silences them while the pipeline (its
 * clock and scores) goes on, start again resumes them.
 */
static void
sim_status (WardDeviceSource       *source,
            WardDeviceSourceStatus *status)
{
  ward_device_source_status_clear (status);
  ward_device_source_get_status (source, status);
}

static void
wait_sim_settled (Fixture          *f,
                  WardDeviceSource *source,
                  guint64           at_least,
                  const char       *what)
{
  guint id = g_timeout_add_seconds (30, timeout_cb, (gpointer) what);
  g_auto(WardDeviceSourceStatus) status = { 0 };

  for (;;)
    {
      sim_status (source, &status);
      if (status.received >= at_least && status.committed == status.received)
        break;
      g_usleep (10 * 1000);
    }
  g_source_remove (id);
}

static gint64
sim_rows (Fixture *f)
{
  return db_query (f->path, "SELECT count(*) FROM raw_messages WHERE source = 'simulator'");
}

static void
wait_sim_time (Fixture *f,
               gint64   usec)
{
  gint64 until = ward_pipeline_get_now (f->pipeline) + usec;

  while (ward_pipeline_get_now (f->pipeline) < until)
    g_usleep (20 * 1000);
}

static void
test_simulator_source (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(WardSink) sink = ward_sink_new (f->pipeline, "simulator");
  g_autoptr(WardSimulatorSource) sim = ward_simulator_source_new (sink);
  WardDeviceSource *source = WARD_DEVICE_SOURCE (sim);
  g_auto(WardDeviceSourceStatus) status = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(WardSnapshot) before = NULL;
  g_autoptr(WardSnapshot) after = NULL;
  guint64 received, committed;

  /* Started: messages flow, and what the status counts is in the store. */
  g_assert_true (ward_device_source_start (source, &error));
  g_assert_no_error (error);
  wait_sim_settled (f, source, 20, "simulator messages");
  sim_status (source, &status);
  g_assert_cmpstr (status.name, ==, "simulator");
  g_assert_true (status.running);
  g_assert_cmpstr (status.detail, ==, "4 simulated beds, time scale 120");
  g_assert_cmpuint (status.failed, ==, 0);
  g_assert_cmpint (sim_rows (f), >=, (gint64) status.committed);

  /* Stopped: the tick in flight settles, then nothing new while the
   * pipeline's clock runs on for ten simulated minutes (30 ticks at least).
   */
  ward_device_source_stop (source);
  wait_sim_time (f, WARD_USEC_PER_MINUTE / 2);
  wait_sim_settled (f, source, 0, "the last simulator tick");
  sim_status (source, &status);
  g_assert_false (status.running);
  received = status.received;
  committed = status.committed;
  g_assert_cmpint (sim_rows (f), ==, (gint64) committed);
  before = ward_pipeline_get_snapshot (f->pipeline);
  wait_sim_time (f, 10 * WARD_USEC_PER_MINUTE);
  after = ward_pipeline_get_snapshot (f->pipeline);
  g_assert_cmpint (ward_snapshot_get_now (after), >, ward_snapshot_get_now (before));
  sim_status (source, &status);
  g_assert_cmpuint (status.received, ==, received);
  g_assert_cmpuint (status.committed, ==, committed);
  g_assert_cmpint (sim_rows (f), ==, (gint64) committed);

  /* Started again: they resume. */
  g_assert_true (ward_device_source_start (source, &error));
  g_assert_no_error (error);
  wait_sim_settled (f, source, received + 20, "simulator messages again");
  sim_status (source, &status);
  g_assert_true (status.running);
  g_assert_cmpint (sim_rows (f), >=, (gint64) committed + 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/core/source/submit-committed-first", test_submit_committed_first);
  ADD ("/core/source/submit-once", test_submit_once);
  ADD ("/core/source/reject", test_reject);
  ADD ("/core/source/commit-batch", test_commit_batch);
  ADD ("/core/source/instance-id", test_instance_id);
  ADD ("/core/source/sources-list", test_sources_list);
  ADD ("/core/source/simulator", test_simulator_source);

#undef ADD

  return g_test_run ();
}
