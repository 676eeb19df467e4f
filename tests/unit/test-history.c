/* test-history.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-history.h"
#include "ward-news2.h"
#include "ward-score-window.h"
#include "ward-store.h"

/* 2026-11-22T10:00:00Z */
#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

typedef struct
{
  char      *dir;
  char      *path;
  WardStore *store;
} Fixture;

static void
add_measurement (Fixture      *f,
                 WardMeasKind  kind,
                 double        value,
                 gint64        at,
                 WardSource    source,
                 const char   *entered_by)
{
  g_autoptr(GError) error = NULL;
  WardMeasurement m = {
    .kind = kind,
    .value = value,
    .observed_at = at,
    .source = source,
    .patient_id = (char *) "p1",
    .device_id = source == WARD_SOURCE_DEVICE ? (char *) "dev1" : NULL,
    .entered_by = (char *) entered_by,
  };

  g_assert_cmpint (ward_store_add_measurement (f->store, &m, at, &error), >, 0);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ward-history-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);
  f->store = ward_store_open (f->path, &error);
  g_assert_no_error (error);

  g_assert_true (ward_store_upsert_patient (f->store, "p1", "Ada Lovelace", 1, &error));
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (f->store, "p2", "Other", 1, &error));
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_device (f->store, "dev1", NULL, "p1", &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* A range is (from, to]; other patients and kinds stay out. */
static void
test_range (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) history = NULL;
  const WardHistoryPoint *points;
  guint n;

  for (int i = 0; i < 10; i++)
    add_measurement (f, WARD_MEAS_HR, 80 + i, NOW - (gint64) (10 - i) * WARD_USEC_PER_MINUTE,
                     WARD_SOURCE_DEVICE, NULL);
  add_measurement (f, WARD_MEAS_RR, 18, NOW - 60 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  add_measurement (f, WARD_MEAS_TEMP, 38.2, NOW - 30 * G_USEC_PER_SEC, WARD_SOURCE_NURSE, "nurse.kim");

  /* From 8 minutes before (exclusive) to now. */
  history = ward_history_load (f->path, "p1", NOW - 8 * WARD_USEC_PER_MINUTE, NOW, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (history);

  points = ward_history_get_points (history, WARD_MEAS_HR, &n);
  g_assert_cmpuint (n, ==, 7);
  g_assert_cmpfloat (points[0].value, ==, 83);
  g_assert_cmpint (points[0].t, ==, NOW - 7 * WARD_USEC_PER_MINUTE);
  g_assert_cmpfloat (points[6].value, ==, 89);
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (points[i].t, >, points[i - 1].t);
  g_assert_false (ward_history_is_decimated (history, WARD_MEAS_HR));

  points = ward_history_get_points (history, WARD_MEAS_TEMP, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (points[0].source, ==, WARD_SOURCE_NURSE);
  g_assert_cmpfloat_with_epsilon (points[0].value, 38.2, 1e-9);

  ward_history_get_points (history, WARD_MEAS_SPO2, &n);
  g_assert_cmpuint (n, ==, 0);

  g_clear_pointer (&history, ward_history_unref);
  history = ward_history_load (f->path, "p2", NOW - WARD_USEC_PER_HOUR, NOW, 0, NULL, &error);
  g_assert_no_error (error);
  ward_history_get_points (history, WARD_MEAS_HR, &n);
  g_assert_cmpuint (n, ==, 0);
}

/* 72 hours of a value every 5 s with one spike: the spike survives. */
static void
test_decimate (void)
{
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));
  g_autoptr(GArray) out = NULL;
  gint64 from = NOW - 72 * WARD_USEC_PER_HOUR;
  gboolean seen_spike = FALSE;
  gboolean seen_dip = FALSE;
  gboolean seen_nurse = FALSE;
  guint n = 0;

  for (gint64 t = from + 5 * G_USEC_PER_SEC; t <= NOW; t += 5 * G_USEC_PER_SEC, n++)
    {
      WardHistoryPoint p = { t, 80 + (n % 7), WARD_SOURCE_DEVICE };

      if (n == 20000)
        p.value = 190;
      if (n == 40000)
        p.value = 31;
      if (n == 30000)
        p.source = WARD_SOURCE_NURSE;
      g_array_append_val (points, p);
    }
  g_assert_cmpuint (points->len, ==, 51840);

  out = ward_history_decimate ((WardHistoryPoint *) (gpointer) points->data, points->len,
                               from, NOW, 1000);
  /* Buckets on multiples of their width: a partial one at each end, plus
   * the nurse entry and the newest point.
   */
  g_assert_cmpuint (out->len, <=, 1000 + 4);
  g_assert_cmpuint (out->len, >=, 900);

  for (guint i = 0; i < out->len; i++)
    {
      const WardHistoryPoint *p = &g_array_index (out, WardHistoryPoint, i);

      if (i > 0)
        g_assert_cmpint (p->t, >=, g_array_index (out, WardHistoryPoint, i - 1).t);
      seen_spike |= p->value == 190;
      seen_dip |= p->value == 31;
      seen_nurse |= p->source == WARD_SOURCE_NURSE;
    }
  g_assert_true (seen_spike);
  g_assert_true (seen_dip);
  g_assert_true (seen_nurse);

  /* The newest point is kept as it is: the chart marks it. */
  g_assert_cmpint (g_array_index (out, WardHistoryPoint, out->len - 1).t, ==,
                   g_array_index (points, WardHistoryPoint, points->len - 1).t);

  /* Short series are not touched. */
  g_clear_pointer (&out, g_array_unref);
  out = ward_history_decimate ((WardHistoryPoint *) (gpointer) points->data, 500, from, NOW, 1000);
  g_assert_cmpuint (out->len, ==, 500);
}

/* The same through the store, and the count before decimation. */
static void
test_decimate_store (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) history = NULL;
  const WardHistoryPoint *points;
  gboolean seen_spike = FALSE;
  guint n;

  ward_store_begin (f->store, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 5000; i++)
    add_measurement (f, WARD_MEAS_HR, i == 2500 ? 170 : 75,
                     NOW - (gint64) (5000 - i) * 5 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  ward_store_commit (f->store, &error);
  g_assert_no_error (error);

  history = ward_history_load (f->path, "p1", NOW - 8 * WARD_USEC_PER_HOUR, NOW, 600, NULL, &error);
  g_assert_no_error (error);
  points = ward_history_get_points (history, WARD_MEAS_HR, &n);
  g_assert_cmpuint (ward_history_get_n_stored (history, WARD_MEAS_HR), ==, 5000);
  g_assert_true (ward_history_is_decimated (history, WARD_MEAS_HR));
  g_assert_cmpuint (n, <=, 600 + 4);
  for (guint i = 0; i < n; i++)
    seen_spike |= points[i].value == 170;
  g_assert_true (seen_spike);
}

/* Scores come with their inputs; a nurse input names the nurse. */
static void
test_scores_and_flags (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) history = NULL;
  g_autofree char *inputs = NULL;
  const WardHistoryScore *score;
  const WardHistoryFlag *flag;
  WardWindowPolicy policy;
  WardWindowScore window = { 0 };
  WardLatestValue latest[WARD_MEAS_N_KINDS] = { 0 };
  WardScoreRecord record = { 0 };
  const char *set_by = NULL;
  gint64 set_at = 0;
  gint64 flag_id;
  gint64 score_id;

  add_measurement (f, WARD_MEAS_HR, 118, NOW - 60 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  add_measurement (f, WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_VOICE, NOW - 120 * G_USEC_PER_SEC,
                   WARD_SOURCE_NURSE, "nurse.kim");
  g_assert_true (ward_store_set_spo2_scale (f->store, "p1", 2, "dr.osei", NOW - WARD_USEC_PER_HOUR,
                                            &error));
  g_assert_no_error (error);

  latest[WARD_MEAS_HR] = (WardLatestValue) { TRUE, 118, NOW - 60 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE };
  latest[WARD_MEAS_CONSCIOUSNESS] = (WardLatestValue) { TRUE, WARD_ACVPU_VOICE,
                                                        NOW - 120 * G_USEC_PER_SEC, WARD_SOURCE_NURSE };
  ward_window_policy_init (&policy);
  ward_window_score (&policy, latest, 2, NOW, &window);
  inputs = ward_window_score_to_json (&window);

  record.patient_id = "p1";
  record.window_start = window.window_start;
  record.window_end = window.window_end;
  record.computed_at = NOW;
  record.total = window.result.total;
  record.band = window.result.band;
  record.complete = window.result.complete;
  record.final = TRUE;
  record.confirmed_by = "nurse.kim";
  record.confirmed_at = NOW;
  record.inputs_json = inputs;
  score_id = ward_store_upsert_score (f->store, &record, NULL, &error);
  g_assert_no_error (error);

  flag_id = ward_store_open_flag (f->store, "p1", "clinical", NULL, WARD_BAND_LOW_MEDIUM,
                                  NOW - 30 * G_USEC_PER_SEC, score_id, "red score", &error);
  g_assert_no_error (error);
  /* Closed before the range: left out. */
  ward_store_open_flag (f->store, "p1", "clinical", NULL, WARD_BAND_MEDIUM,
                        NOW - 5 * WARD_USEC_PER_HOUR, 0, "old", &error);
  g_assert_no_error (error);
  ward_store_close_flag (f->store, flag_id + 1, NOW - 4 * WARD_USEC_PER_HOUR, &error);
  g_assert_no_error (error);

  history = ward_history_load (f->path, "p1", NOW - WARD_USEC_PER_HOUR, NOW, 0, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (ward_history_get_spo2_scale (history, &set_by, &set_at), ==, 2);
  g_assert_cmpstr (set_by, ==, "dr.osei");
  g_assert_cmpint (set_at, ==, NOW - WARD_USEC_PER_HOUR);

  g_assert_cmpuint (ward_history_get_n_scores (history), ==, 1);
  score = ward_history_get_score (history, 0);
  g_assert_cmpint (score->total, ==, 5);
  g_assert_true (score->final);
  g_assert_cmpstr (score->confirmed_by, ==, "nurse.kim");
  g_assert_cmpint (score->spo2_scale, ==, 2);
  g_assert_cmpint (score->age, ==, -1);
  g_assert_true (score->news2_applicable);
  g_assert_true (score->inputs[WARD_NEWS2_HR].present);
  g_assert_cmpint (score->inputs[WARD_NEWS2_HR].points, ==, 2);
  g_assert_cmpfloat (score->inputs[WARD_NEWS2_HR].value, ==, 118);
  g_assert_cmpint (score->inputs[WARD_NEWS2_HR].source, ==, WARD_SOURCE_DEVICE);
  g_assert_null (score->inputs[WARD_NEWS2_HR].entered_by);
  g_assert_cmpint (score->inputs[WARD_NEWS2_HR].observed_at, ==, NOW - 60 * G_USEC_PER_SEC);
  g_assert_true (score->inputs[WARD_NEWS2_CONSCIOUSNESS].present);
  g_assert_cmpint (score->inputs[WARD_NEWS2_CONSCIOUSNESS].points, ==, 3);
  g_assert_cmpfloat (score->inputs[WARD_NEWS2_CONSCIOUSNESS].value, ==, WARD_ACVPU_VOICE);
  g_assert_cmpint (score->inputs[WARD_NEWS2_CONSCIOUSNESS].source, ==, WARD_SOURCE_NURSE);
  g_assert_cmpstr (score->inputs[WARD_NEWS2_CONSCIOUSNESS].entered_by, ==, "nurse.kim");
  g_assert_false (score->inputs[WARD_NEWS2_SPO2].present);

  g_assert_cmpuint (ward_history_get_n_flags (history), ==, 1);
  flag = ward_history_get_flag (history, 0);
  g_assert_cmpint (flag->id, ==, flag_id);
  g_assert_cmpint (flag->band, ==, WARD_BAND_LOW_MEDIUM);
  g_assert_cmpstr (flag->kind, ==, "clinical");
  g_assert_cmpint (flag->closed_at, ==, 0);
  g_clear_pointer (&history, ward_history_unref);

  /* A child's window: kept, marked. */
  record.age_known = TRUE;
  record.age = 12;
  record.news2_not_applicable = TRUE;
  ward_store_upsert_score (f->store, &record, NULL, &error);
  g_assert_no_error (error);
  history = ward_history_load (f->path, "p1", NOW - WARD_USEC_PER_HOUR, NOW, 0, NULL, &error);
  g_assert_no_error (error);
  score = ward_history_get_score (history, 0);
  g_assert_cmpint (score->age, ==, 12);
  g_assert_false (score->news2_applicable);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  WardHistory **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ward_history_load_finish (result, &error);
  g_assert_no_error (error);
}

static void
cancelled_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) history = ward_history_load_finish (result, &error);

  g_assert_null (history);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

/* The async load runs in a worker and completes on the caller's context;
 * a cancelled one reports the cancellation, never a stale result.
 */
static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(WardHistory) history = NULL;
  gboolean done = FALSE;
  guint n;

  add_measurement (f, WARD_MEAS_SPO2, 95, NOW - 60 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);

  ward_history_load_async (f->path, "p1", NOW - WARD_USEC_PER_HOUR, NOW, 100, NULL, load_cb, &history);
  while (history == NULL)
    g_main_context_iteration (NULL, TRUE);
  ward_history_get_points (history, WARD_MEAS_SPO2, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (ward_history_get_patient_id (history), ==, "p1");

  ward_history_load_async (f->path, "p1", NOW - WARD_USEC_PER_HOUR, NOW, 100, cancellable,
                           cancelled_cb, &done);
  g_cancellable_cancel (cancellable);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The reader runs beside the writer's open transaction (WAL) and sees the
 * last commit.
 */
static void
test_beside_writer (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) history = NULL;
  guint n;

  add_measurement (f, WARD_MEAS_RR, 16, NOW - 60 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  g_assert_true (ward_store_begin (f->store, &error));
  add_measurement (f, WARD_MEAS_RR, 26, NOW - 30 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);

  history = ward_history_load (f->path, "p1", NOW - WARD_USEC_PER_HOUR, NOW, 0, NULL, &error);
  g_assert_no_error (error);
  ward_history_get_points (history, WARD_MEAS_RR, &n);
  g_assert_cmpuint (n, ==, 1);

  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
}

static void
test_missing_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) history = NULL;

  history = ward_history_load ("/nonexistent/ward.db", "p1", 0, NOW, 0, NULL, &error);
  g_assert_null (history);
  g_assert_error (error, WARD_HISTORY_ERROR, WARD_HISTORY_ERROR_OPEN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/history/range", Fixture, NULL, fixture_set_up, test_range, fixture_tear_down);
  g_test_add_func ("/core/history/decimate", test_decimate);
  g_test_add ("/core/history/decimate-store", Fixture, NULL,
              fixture_set_up, test_decimate_store, fixture_tear_down);
  g_test_add ("/core/history/scores-and-flags", Fixture, NULL,
              fixture_set_up, test_scores_and_flags, fixture_tear_down);
  g_test_add ("/core/history/async", Fixture, NULL, fixture_set_up, test_async, fixture_tear_down);
  g_test_add ("/core/history/beside-writer", Fixture, NULL,
              fixture_set_up, test_beside_writer, fixture_tear_down);
  g_test_add_func ("/core/history/missing-database", test_missing_database);

  return g_test_run ();
}
