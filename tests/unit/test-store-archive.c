/* test-store-archive.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-pipeline.h"
#include "ward-store.h"
#include "ward-store-archive.h"
#include "ward-test-store.h"
#include "ward-types.h"

/* The raw archive in batches (the MQTT source's durability point) and the
 * recognition of QoS 1 redeliveries: a copy is archived and marked, and
 * never makes a second measurement.
 */

typedef struct
{
  char      *dir;
  char      *path;
  WardStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->path = ward_test_db_new ("ward-archive", &f->dir);
  f->store = ward_test_store_open (f->path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

static gint64
query (WardStore  *store,
       const char *sql)
{
  return ward_test_query_int (store, sql);
}

static void
archive (Fixture         *f,
         WardArchiveItem *items,
         guint            n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_store_begin (f->store, &error));
  g_assert_true (ward_store_archive_items (f->store, g_get_real_time (), "mqtt",
                                           WARD_CONTENT_TYPE_JSON, items, n, &error));
  g_assert_no_error (error);
  g_assert_true (ward_store_commit (f->store, &error));
}

static void
test_redelivery (Fixture       *f,
                 gconstpointer  data)
{
  static const char a[] = "{\"heartRate\":80}";
  static const char b[] = "{\"heartRate\":81}";
  WardArchiveItem first[] = {
    { "monitor-1", a, sizeof a - 1, 7 },
    { "monitor-1", b, sizeof b - 1, 8 },
    { NULL, a, sizeof a - 1, 9 },
  };
  WardArchiveItem again[] = {
    /* The same message again (same device, id and bytes): a copy. */
    { "monitor-1", a, sizeof a - 1, 7 },
    /* Same bytes, another message id: a new message of the device. */
    { "monitor-1", a, sizeof a - 1, 10 },
    /* Same id and bytes, another device: not the same message. */
    { "monitor-2", b, sizeof b - 1, 8 },
    /* No device id from the topic: matched as such. */
    { NULL, a, sizeof a - 1, 9 },
    /* No transport id (QoS 0): never taken for a copy. */
    { "monitor-1", b, sizeof b - 1, 0 },
  };

  archive (f, first, G_N_ELEMENTS (first));
  for (guint i = 0; i < G_N_ELEMENTS (first); i++)
    {
      g_assert_cmpint (first[i].raw_id, >, 0);
      g_assert_cmpint (first[i].duplicate_of, ==, 0);
    }
  g_assert_cmpint (query (f->store, "SELECT count(*) FROM raw_messages "
                                    "WHERE processed_at IS NULL"), ==, 3);

  archive (f, again, G_N_ELEMENTS (again));
  g_assert_cmpint (again[0].duplicate_of, ==, first[0].raw_id);
  g_assert_cmpint (again[1].duplicate_of, ==, 0);
  g_assert_cmpint (again[2].duplicate_of, ==, 0);
  g_assert_cmpint (again[3].duplicate_of, ==, first[2].raw_id);
  g_assert_cmpint (again[4].duplicate_of, ==, 0);

  /* Both kept as they arrived; the copies are marked and already
   * processed, so the mapping never sees them.
   */
  g_assert_cmpint (query (f->store, "SELECT count(*) FROM raw_messages"), ==, 8);
  g_assert_cmpint (query (f->store, "SELECT count(*) FROM raw_messages "
                                    "WHERE duplicate_of IS NOT NULL"), ==, 2);
  g_assert_cmpint (query (f->store, "SELECT count(*) FROM raw_messages "
                                    "WHERE duplicate_of IS NOT NULL AND processed_at IS NULL"),
                   ==, 0);
  g_assert_cmpint (query (f->store, "SELECT count(*) FROM raw_messages "
                                    "WHERE processed_at IS NULL"), ==, 3 + 3);

  /* A copy of a copy names the original. */
  {
    WardArchiveItem third[] = { { "monitor-1", a, sizeof a - 1, 7 } };

    archive (f, third, 1);
    g_assert_cmpint (third[0].duplicate_of, ==, first[0].raw_id);
  }
}

static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  static const char a[] = "{\"spo2\":95}";
  WardArchiveItem original = { "monitor-1", a, sizeof a - 1, 42 };
  g_autofree WardArchiveItem *filler = g_new0 (WardArchiveItem, WARD_STORE_REDELIVERY_WINDOW);
  WardArchiveItem late = { "monitor-1", a, sizeof a - 1, 42 };

  archive (f, &original, 1);

  /* Past the window the message id has had time to come round again:
   * the same id and bytes are a new message, not a copy.
   */
  for (guint i = 0; i < WARD_STORE_REDELIVERY_WINDOW; i++)
    {
      filler[i].device_id = "monitor-9";
      filler[i].payload = "{}";
      filler[i].length = 2;
      filler[i].mqtt_mid = 1 + i % 65535;
    }
  archive (f, filler, WARD_STORE_REDELIVERY_WINDOW);
  archive (f, &late, 1);
  g_assert_cmpint (late.duplicate_of, ==, 0);
}

/* Through the pipeline: a redelivered copy makes no second measurement. */
static void
test_pipeline_measures_once (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-archive-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_autofree char *iso = NULL;
  g_autofree char *msg = NULL;
  gint64 deadline;

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.demo = TRUE;
  config.n_beds = 2;
  config.simulate = FALSE;
  config.tick_msec = 20;
  pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (pipeline, NULL, NULL, &error));
  g_assert_no_error (error);

  iso = ward_time_format_iso8601 (ward_pipeline_get_now (pipeline));
  msg = g_strdup_printf ("{\"messageId\":\"r-1\",\"measuredAt\":\"%s\",\"heartRate\":133}", iso);

  for (guint round = 0; round < 2; round++)
    {
      WardArchiveItem item = { "sim-monitor-01", msg, strlen (msg), 1234 };

      g_assert_true (ward_pipeline_archive_batch (pipeline, "mqtt", WARD_CONTENT_TYPE_JSON,
                                                  &item, 1, &error));
      g_assert_no_error (error);
      g_assert_cmpint (item.duplicate_of > 0, ==, round == 1);
    }

  reader = ward_store_open_readonly (db, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (query (reader, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL") > 0 &&
         g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  ward_pipeline_stop (pipeline);

  g_assert_cmpint (query (reader, "SELECT count(*) FROM raw_messages WHERE source = 'mqtt'"), ==, 2);
  g_assert_cmpint (query (reader, "SELECT count(*) FROM raw_messages "
                                  "WHERE processed_at IS NULL"), ==, 0);
  g_assert_cmpint (query (reader, "SELECT count(*) FROM measurements WHERE value = 133 "
                                  "AND patient_id = 'sim-patient-01'"), ==, 1);
  g_clear_object (&reader);

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

  g_test_add ("/core/store/archive/redelivery", Fixture, NULL,
              fixture_set_up, test_redelivery, fixture_tear_down);
  g_test_add ("/core/store/archive/window", Fixture, NULL,
              fixture_set_up, test_window, fixture_tear_down);
  g_test_add_func ("/core/store/archive/pipeline-measures-once", test_pipeline_measures_once);

  return g_test_run ();
}
