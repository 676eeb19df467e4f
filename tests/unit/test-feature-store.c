/* test-feature-store.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-feature-store"

#include "config.h"

#include <glib/gstdio.h>

#include "ward-feature-store.h"
#include "ward-store.h"

#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
add (WardStore    *store,
     const char   *patient,
     WardMeasKind  kind,
     double        value,
     gint64        at,
     WardSource    source)
{
  g_autoptr(GError) error = NULL;
  WardMeasurement m = { .kind = kind, .value = value, .observed_at = at, .source = source,
                        .patient_id = (char *) patient,
                        .device_id = source == WARD_SOURCE_DEVICE ? (char *) "mon-1" : NULL,
                        .entered_by = source == WARD_SOURCE_NURSE ? (char *) "nurse-a" : NULL };

  ward_store_add_measurement (store, &m, at, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;

  f->dir = g_dir_make_tmp ("test-feature-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_begin (store, &error));
  g_assert_true (ward_store_upsert_patient (store, "p-1", NULL, 2, &error));
  g_assert_true (ward_store_set_birth_date (store, "p-1", "1960-05-01", &error));
  g_assert_true (ward_store_upsert_patient (store, "p-2", NULL, 1, &error));
  g_assert_true (ward_store_upsert_patient (store, "p-empty", NULL, 1, &error));

  /* Stored out of time order, as a late nurse entry would be. */
  add (store, "p-1", WARD_MEAS_HR, 90, NOW, WARD_SOURCE_DEVICE);
  add (store, "p-1", WARD_MEAS_HR, 80, NOW - 10 * WARD_USEC_PER_MINUTE, WARD_SOURCE_DEVICE);
  add (store, "p-1", WARD_MEAS_HR, 85, NOW - 5 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE);
  /* Outside (from, to]: the start is open, the end closed. */
  add (store, "p-1", WARD_MEAS_HR, 70, NOW - WARD_USEC_PER_HOUR, WARD_SOURCE_DEVICE);
  add (store, "p-1", WARD_MEAS_HR, 99, NOW + 1, WARD_SOURCE_DEVICE);
  add (store, "p-1", WARD_MEAS_ON_OXYGEN, 1, NOW - 20 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE);
  /* A kind features do not read. */
  add (store, "p-1", WARD_MEAS_DBP, 70, NOW - 20 * WARD_USEC_PER_MINUTE, WARD_SOURCE_DEVICE);
  /* Another patient's. */
  add (store, "p-2", WARD_MEAS_HR, 120, NOW - 2 * WARD_USEC_PER_MINUTE, WARD_SOURCE_DEVICE);
  g_assert_true (ward_store_commit (store, &error));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardFeatureReader) reader = ward_feature_reader_new (f->path, &error);
  g_autoptr(WardFeatureSeries) series = ward_feature_series_new ();
  g_autoptr(GPtrArray) patients = NULL;
  const WardFeaturePoint *hr;

  g_assert_no_error (error);
  g_assert_true (ward_feature_reader_load (reader, "p-1", NOW - WARD_USEC_PER_HOUR, NOW,
                                           series, &error));
  g_assert_no_error (error);

  /* In time order whatever the order of storing, sources kept. */
  g_assert_cmpuint (series->points[WARD_MEAS_HR]->len, ==, 3);
  hr = (const WardFeaturePoint *) series->points[WARD_MEAS_HR]->data;
  g_assert_cmpfloat (hr[0].value, ==, 80);
  g_assert_cmpfloat (hr[1].value, ==, 85);
  g_assert_cmpint (hr[1].source, ==, WARD_SOURCE_NURSE);
  g_assert_cmpfloat (hr[2].value, ==, 90);
  g_assert_cmpint (hr[2].t, ==, NOW);
  g_assert_cmpuint (series->points[WARD_MEAS_ON_OXYGEN]->len, ==, 1);
  g_assert_cmpuint (series->points[WARD_MEAS_DBP]->len, ==, 0);
  g_assert_cmpint (series->spo2_scale, ==, 2);
  g_assert_cmpstr (series->birth_date, ==, "1960-05-01");

  /* The same reader, another patient: nothing of the first is left. */
  g_assert_true (ward_feature_reader_load (reader, "p-2", NOW - WARD_USEC_PER_HOUR, NOW,
                                           series, &error));
  g_assert_cmpuint (series->points[WARD_MEAS_HR]->len, ==, 1);
  g_assert_cmpuint (series->points[WARD_MEAS_ON_OXYGEN]->len, ==, 0);
  g_assert_cmpint (series->spo2_scale, ==, 1);
  g_assert_null (series->birth_date);

  /* An unknown patient is an empty series, not an error. */
  g_assert_true (ward_feature_reader_load (reader, "nobody", 0, NOW, series, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (series->points[WARD_MEAS_HR]->len, ==, 0);

  /* Only patients with measurements. */
  patients = ward_feature_reader_list_patients (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (patients->len, ==, 2);
  g_assert_cmpstr (patients->pdata[0], ==, "p-1");
  g_assert_cmpstr (patients->pdata[1], ==, "p-2");

  {
    gint64 first = 0, last = 0;

    g_assert_true (ward_feature_reader_time_range (reader, "p-1", &first, &last, &error));
    g_assert_cmpint (first, ==, NOW - WARD_USEC_PER_HOUR);
    g_assert_cmpint (last, ==, NOW + 1);
    g_assert_false (ward_feature_reader_time_range (reader, "p-empty", &first, &last, &error));
    g_assert_no_error (error);
  }
}

/* Each time's features use the SpO2 scale valid then (the scale's
 * changes are events), not the patient's scale today: the training
 * table must not rewrite the past.
 */
static void
test_spo2_scale_per_window (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (f->path, &error);
  g_autoptr(WardFeatureReader) reader = NULL;
  g_autoptr(WardFeatureSeries) series = ward_feature_series_new ();
  double before[WARD_FEATURE_N_FEATURES];
  double after[WARD_FEATURE_N_FEATURES];
  int scale = ward_features_lookup ("spo2_scale");
  int points = ward_features_lookup ("news2_spo2");

  g_assert_no_error (error);
  g_assert_cmpint (scale, >=, 0);
  g_assert_cmpint (points, >=, 0);
  g_assert_true (ward_store_begin (store, &error));
  /* Scale 2 today, set 30 minutes ago; SpO2 90 on air before and after. */
  g_assert_true (ward_store_upsert_patient (store, "p-3", NULL, 2, &error));
  g_assert_cmpint (ward_store_add_event (store, NOW - 30 * WARD_USEC_PER_MINUTE, "nurse-a",
                                         "spo2-scale", "p-3",
                                         "{\"spo2_scale\":2,\"decided_by\":\"dr-b\"}", &error),
                   >, 0);
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);
  add (store, "p-3", WARD_MEAS_SPO2, 90, NOW - 40 * WARD_USEC_PER_MINUTE, WARD_SOURCE_DEVICE);
  add (store, "p-3", WARD_MEAS_ON_OXYGEN, 0, NOW - 40 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE);
  add (store, "p-3", WARD_MEAS_SPO2, 90, NOW - 8 * WARD_USEC_PER_MINUTE, WARD_SOURCE_DEVICE);

  reader = ward_feature_reader_new (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_feature_reader_load (reader, "p-3", NOW - WARD_USEC_PER_HOUR, NOW,
                                           series, &error));
  g_assert_no_error (error);

  ward_features_compute (series, NOW - 35 * WARD_USEC_PER_MINUTE, NULL, before);
  ward_features_compute (series, NOW - 5 * WARD_USEC_PER_MINUTE, NULL, after);
  /* Before the change Scale 1: 90 % scores 3.  After it Scale 2 on air:
   * 88-92 % scores 0.
   */
  g_assert_cmpfloat (before[scale], ==, 1);
  g_assert_cmpfloat (before[points], ==, 3);
  g_assert_cmpfloat (after[scale], ==, 2);
  g_assert_cmpfloat (after[points], ==, 0);
}

/* A missing file is an error, and the reader does not create it. */
static void
test_missing (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "missing.db", NULL);
  g_autofree char *text = g_build_filename (f->dir, "text.db", NULL);
  WardFeatureReader *reader;

  reader = ward_feature_reader_new (missing, &error);
  g_assert_null (reader);
  g_assert_error (error, WARD_FEATURE_STORE_ERROR, WARD_FEATURE_STORE_ERROR_OPEN);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (text, "not a database", -1, NULL));
  reader = ward_feature_reader_new (text, &error);
  g_assert_null (reader);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, text));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/feature-store/load", Fixture, NULL,
              fixture_set_up, test_load, fixture_tear_down);
  g_test_add ("/core/feature-store/spo2-scale-per-window", Fixture, NULL,
              fixture_set_up, test_spo2_scale_per_window, fixture_tear_down);
  g_test_add ("/core/feature-store/missing", Fixture, NULL,
              fixture_set_up, test_missing, fixture_tear_down);

  return g_test_run ();
}
