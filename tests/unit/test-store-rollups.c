/* test-store-rollups.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sqlite3.h>

#include "ward-history.h"
#include "ward-store.h"
#include "ward-store-private.h"
#include "ward-store-rollups.h"
#include "ward-test-util.h"

/* 2026-11-22T10:00:00Z */
#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

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
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ward-rollups-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);
  f->store = ward_store_open (f->path, &error);
  g_assert_no_error (error);

  g_assert_true (ward_store_upsert_patient (f->store, "p1", "Ada Lovelace", 1, &error));
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (f->store, "p2", "Other", 1, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  ward_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
add (WardStore    *store,
     const char   *patient,
     WardMeasKind  kind,
     double        value,
     gint64        at,
     WardSource    source)
{
  g_autoptr(GError) error = NULL;
  WardMeasurement m = {
    .kind = kind,
    .value = value,
    .observed_at = at,
    .source = source,
    .patient_id = (char *) patient,
    .entered_by = source == WARD_SOURCE_NURSE ? (char *) "n1" : NULL,
  };

  g_assert_cmpint (ward_store_add_measurement (store, &m, at, &error), >, 0);
  g_assert_no_error (error);
}

/* Three days of two patients' heart rate and SpO2, every 37 s, with
 * some nurse entries; the roll-up runs now and then as the pipeline's
 * would.
 */
static gint64
fill (WardStore *store,
      gint64     from,
      gint64     to)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  gint64 n = 0;

  /* One transaction, as the pipeline's ticks: the roll-ups run in it. */
  g_assert_true (ward_store_begin (store, &error));
  for (gint64 t = from; t < to; t += 37 * G_USEC_PER_SEC)
    {
      add (store, "p1", WARD_MEAS_HR, g_rand_int_range (rand, 40, 160), t, WARD_SOURCE_DEVICE);
      add (store, "p2", WARD_MEAS_SPO2, g_rand_double_range (rand, 85, 100), t, WARD_SOURCE_DEVICE);
      n += 2;
      if (n % 1000 == 0)
        {
          add (store, "p1", WARD_MEAS_HR, 180, t + 1, WARD_SOURCE_NURSE);
          n++;
        }
      if (n % 5000 < 2)
        {
          g_assert_cmpint (ward_store_rollup (store, &error), >, 0);
          g_assert_no_error (error);
        }
    }
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);

  return n;
}

/* The roll-ups hold what SQL computes from the raw rows: the same
 * buckets with the same counts and extremes, and sums equal but for the
 * order of floating-point additions.
 */
static void
assert_rollups_equal_raw (WardStore *store,
                          int        span)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rollups = g_strdup_printf (
    "SELECT patient_id, kind, bucket, n, value_min, value_max, round (value_sum, 4) "
    "FROM measurement_rollups WHERE span = %d", span);
  g_autofree char *raw = g_strdup_printf (
    "SELECT patient_id, kind, observed_at - observed_at %% %d000000, count (*), min (value), "
    "max (value), round (sum (value), 4) FROM measurements GROUP BY 1, 2, 3", span);
  g_autofree char *missing = g_strdup_printf ("SELECT count (*) FROM (%s EXCEPT %s)", raw, rollups);
  g_autofree char *extra = g_strdup_printf ("SELECT count (*) FROM (%s EXCEPT %s)", rollups, raw);
  g_autofree char *n_sql = g_strdup_printf ("SELECT count (*) FROM (%s)", rollups);

  g_assert_cmpint (_ward_store_query_int (store, n_sql, &error), >, 0);
  g_assert_cmpint (_ward_store_query_int (store, missing, &error), ==, 0);
  g_assert_cmpint (_ward_store_query_int (store, extra, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_rollups_equal_raw (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 n = fill (f->store, NOW - 72 * G_TIME_SPAN_HOUR, NOW);
  gint64 mark = 0;

  /* A late reading into a bucket already rolled up. */
  g_assert_cmpint (ward_store_rollup (f->store, &error), >=, 0);
  g_assert_no_error (error);
  add (f->store, "p1", WARD_MEAS_HR, 31, NOW - 70 * G_TIME_SPAN_HOUR + 5, WARD_SOURCE_DEVICE);
  g_assert_cmpint (ward_store_rollup (f->store, &error), ==, 1);
  g_assert_no_error (error);

  /* Idempotent: nothing new, nothing counted. */
  g_assert_cmpint (ward_store_rollup (f->store, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (ward_store_get_rollup_mark (f->store, &mark, &error));
  g_assert_cmpint (mark, ==, n + 1);

  assert_rollups_equal_raw (f->store, WARD_ROLLUP_MINUTE);
  assert_rollups_equal_raw (f->store, WARD_ROLLUP_HOUR);
}

/* A failed transaction counts nothing: the mark moves with the sums. */
static void
test_rollups_rolled_back (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 mark = -1;

  add (f->store, "p1", WARD_MEAS_HR, 80, NOW, WARD_SOURCE_DEVICE);
  g_assert_true (ward_store_begin (f->store, &error));
  g_assert_cmpint (ward_store_rollup (f->store, &error), ==, 1);
  ward_store_rollback (f->store);
  g_assert_true (ward_store_get_rollup_mark (f->store, &mark, &error));
  g_assert_cmpint (mark, ==, 0);
  g_assert_cmpint (ward_store_rollup (f->store, &error), ==, 1);
  g_assert_no_error (error);
  assert_rollups_equal_raw (f->store, WARD_ROLLUP_MINUTE);
}

static gint64
count (WardStore  *store,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = _ward_store_query_int (store, sql, &error);

  g_assert_no_error (error);
  return n;
}

/* Retention deletes old raw rows, says how many, and the roll-ups and
 * the long-span chart still have them.
 */
static void
test_retention (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) before = NULL;
  g_autoptr(WardHistory) after = NULL;
  gint64 cutoff = NOW - 24 * G_TIME_SPAN_HOUR;
  g_autofree char *old_sql = g_strdup_printf ("SELECT count (*) FROM measurements "
                                              "WHERE observed_at < %" G_GINT64_FORMAT, cutoff);
  WardRetentionResult result = { 0 };
  gint64 n = fill (f->store, NOW - 72 * G_TIME_SPAN_HOUR, NOW);
  gint64 n_old;
  gint64 hour_rows;

  /* The last rows are not rolled up yet: retention rolls them up first. */
  add (f->store, "p2", WARD_MEAS_SPO2, 91, NOW - 60 * G_TIME_SPAN_HOUR, WARD_SOURCE_DEVICE);
  n++;
  n_old = count (f->store, old_sql);
  hour_rows = count (f->store, "SELECT count (*) FROM (SELECT DISTINCT patient_id, kind, "
                               "observed_at - observed_at % 3600000000 FROM measurements)");

  before = ward_history_load (f->path, "p1", NOW - 72 * G_TIME_SPAN_HOUR, NOW, 1600, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ward_store_apply_retention (f->store, cutoff, NOW - 48 * G_TIME_SPAN_HOUR,
                                             &result, &error));
  g_assert_no_error (error);
  /* Every old row but the newest row of the table (the back-dated SpO2
   * reading), which keeps its id from being used again.
   */
  g_assert_cmpint (result.measurements, ==, n_old - 1);
  g_assert_cmpint (count (f->store, old_sql), ==, 1);
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM measurements"), ==, n - n_old + 1);
  g_assert_cmpint (result.minute_rollups, >, 0);
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM measurement_rollups WHERE span = 60 "
                                    "AND bucket < 1795168800000000"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM measurement_rollups WHERE span = 3600"),
                   ==, hour_rows);
  g_assert_cmpint (count (f->store, "SELECT sum (n) FROM measurement_rollups WHERE span = 3600"),
                   ==, n);

  /* The 72-hour chart is drawn from the roll-ups: the same stored count
   * and the same extremes before and after the raw rows went.
   */
  after = ward_history_load (f->path, "p1", NOW - 72 * G_TIME_SPAN_HOUR, NOW, 1600, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ward_history_get_n_stored (after, WARD_MEAS_HR), ==,
                    ward_history_get_n_stored (before, WARD_MEAS_HR));
  g_assert_cmpuint (ward_history_get_n_stored (after, WARD_MEAS_HR), ==,
                    count (f->store, "SELECT sum (n) FROM measurement_rollups "
                                     "WHERE span = 3600 AND patient_id = 'p1'"));
  {
    guint n_points = 0;
    const WardHistoryPoint *points = ward_history_get_points (after, WARD_MEAS_HR, &n_points);
    double min = INFINITY;
    double max = -INFINITY;

    g_assert_cmpuint (n_points, >, 72);
    g_assert_cmpuint (n_points, <=, 1600);
    /* It reaches back before the raw cutoff. */
    g_assert_cmpint (points[0].t, <, cutoff);
    for (guint i = 0; i < n_points; i++)
      {
        min = MIN (min, points[i].value);
        max = MAX (max, points[i].value);
      }
    g_assert_cmpfloat (min, ==, count (f->store, "SELECT min (value_min) FROM measurement_rollups "
                                                 "WHERE patient_id = 'p1' AND span = 3600"));
    g_assert_cmpfloat (max, ==, 180);
  }
}

/* In batches, each its own transaction as the pipeline's ticks are:
 * every batch deletes at most its size, oldest first, says whether it
 * was full, lets a writer store readings in between, and the batches
 * together leave what one unbatched run leaves.
 */
static void
test_retention_batched (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 cutoff = NOW - 24 * G_TIME_SPAN_HOUR;
  g_autofree char *old_sql = g_strdup_printf ("SELECT count (*) FROM measurements "
                                              "WHERE observed_at < %" G_GINT64_FORMAT, cutoff);
  gint64 n = fill (f->store, NOW - 72 * G_TIME_SPAN_HOUR, NOW);
  gint64 n_old = count (f->store, old_sql);
  gint64 deleted = 0;
  gint64 batch_rows = 1000;
  guint batches = 0;
  WardRetentionResult result = { 0 };

  g_assert_cmpint (n_old, >, 3 * batch_rows);

  do
    {
      gint64 oldest_before = count (f->store, "SELECT min (id) FROM measurements");

      memset (&result, 0, sizeof result);
      g_assert_true (ward_store_apply_retention_batch (f->store, cutoff, 0, batch_rows, &result,
                                                       &error));
      g_assert_no_error (error);
      g_assert_cmpint (result.measurements, <=, batch_rows);
      g_assert_cmpint (result.more, ==, result.measurements == batch_rows);
      /* Oldest first: the rows left start right after the batch. */
      if (result.measurements > 0)
        g_assert_cmpint (count (f->store, "SELECT min (id) FROM measurements"), >,
                         oldest_before);
      deleted += result.measurements;
      batches++;

      /* Between batches the writer stores a new reading, as the
       * pipeline's sources do between ticks.
       */
      add (f->store, "p1", WARD_MEAS_HR, 77, NOW + batches * G_USEC_PER_SEC, WARD_SOURCE_DEVICE);
      n++;
    }
  while (result.more);

  g_assert_cmpuint (batches, >=, (guint) ((n_old - 1) / batch_rows));
  g_assert_cmpuint (batches, <=, (guint) ((n_old - 1) / batch_rows + 2));
  /* All the old rows but one (the newest row of the table is never
   * deleted; here the fill's last back-dated row is not the newest, so
   * all go) and nothing recent.
   */
  g_assert_cmpint (deleted, ==, n_old);
  g_assert_cmpint (count (f->store, old_sql), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM measurements"), ==, n - n_old);
  /* The readings stored between batches were kept and are counted. */
  g_assert_cmpint (ward_store_rollup (f->store, &error), >=, 0);
  g_assert_no_error (error);
  g_assert_cmpint (count (f->store, "SELECT sum (n) FROM measurement_rollups WHERE span = 3600"),
                   ==, n);
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM measurements WHERE value = 77 "
                                    "AND observed_at > 1795341600000000"), ==, batches);

  /* Per-minute roll-ups the same way. */
  deleted = 0;
  do
    {
      memset (&result, 0, sizeof result);
      g_assert_true (ward_store_apply_retention_batch (f->store, 0, NOW - 48 * G_TIME_SPAN_HOUR,
                                                       200, &result, &error));
      g_assert_no_error (error);
      g_assert_cmpint (result.minute_rollups, <=, 200);
      deleted += result.minute_rollups;
    }
  while (result.more);
  g_assert_cmpint (deleted, >, 200);
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM measurement_rollups WHERE span = 60 "
                                    "AND bucket < 1795168800000000"), ==, 0);
}

/* The migration fills the roll-ups from what is already stored. */
static void
test_migration (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) old = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autofree char *path = g_build_filename (f->dir, "old.db", NULL);
  gint64 mark = 0;

  /* 12: the schema before migration 13 made the roll-ups (later ones
   * follow it).
   */
  old = _ward_store_open_at_version (path, 12, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (old, "p1", "Ada Lovelace", 1, &error));
  g_assert_true (ward_store_begin (old, &error));
  for (gint64 i = 0; i < 500; i++)
    add (old, "p1", WARD_MEAS_RR, 10 + i % 20, NOW - i * 13 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE);
  g_assert_true (ward_store_commit (old, &error));
  g_assert_no_error (error);
  g_clear_object (&old);

  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_get_rollup_mark (store, &mark, &error));
  g_assert_cmpint (mark, ==, 500);
  assert_rollups_equal_raw (store, WARD_ROLLUP_MINUTE);
  assert_rollups_equal_raw (store, WARD_ROLLUP_HOUR);
  g_assert_cmpint (ward_store_rollup (store, &error), ==, 0);
}

/* The patient view's 24-hour chart (1,600 points) comes from the minute
 * roll-ups, as bench-history measures it: a 5-second spike and dip still
 * show, every stored reading is counted, and the readings stored after
 * the roll-ups' mark are on it too.
 */
static void
test_day_chart (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) history = NULL;
  const WardHistoryPoint *points;
  gint64 from = NOW - 24 * G_TIME_SPAN_HOUR;
  gboolean spike = FALSE, dip = FALSE, newest = FALSE, from_rollups = FALSE;
  guint n = 0;
  guint n_rows = 0;

  g_assert_true (ward_store_begin (f->store, &error));
  for (gint64 t = from + 5 * G_USEC_PER_SEC; t <= NOW - G_TIME_SPAN_MINUTE;
       t += 5 * G_USEC_PER_SEC)
    {
      double value = 70 + (n_rows % 7);

      if (n_rows == 4000)
        value = 190;
      else if (n_rows == 12000)
        value = 35;
      add (f->store, "p1", WARD_MEAS_HR, value, t, WARD_SOURCE_DEVICE);
      n_rows++;
    }
  g_assert_cmpint (ward_store_rollup (f->store, &error), ==, n_rows);
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
  /* The last minute, not rolled up yet. */
  for (gint64 t = NOW - 55 * G_USEC_PER_SEC; t <= NOW; t += 5 * G_USEC_PER_SEC)
    {
      add (f->store, "p1", WARD_MEAS_HR, t == NOW ? 200 : 72, t, WARD_SOURCE_DEVICE);
      n_rows++;
    }

  history = ward_history_load (f->path, "p1", from, NOW, 1600, NULL, &error);
  g_assert_no_error (error);
  points = ward_history_get_points (history, WARD_MEAS_HR, &n);
  g_assert_cmpuint (ward_history_get_n_stored (history, WARD_MEAS_HR), ==, n_rows);
  g_assert_true (ward_history_is_decimated (history, WARD_MEAS_HR));
  g_assert_cmpuint (n, >, 800);
  g_assert_cmpuint (n, <=, 1600 + 4);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (points[i].t, >, from - G_TIME_SPAN_MINUTE);
      g_assert_cmpint (points[i].t, <=, NOW);
      spike |= points[i].value == 190;
      dip |= points[i].value == 35;
      newest |= points[i].value == 200 && points[i].t == NOW;
      /* A roll-up's point stands at the middle of its minute. */
      from_rollups |= points[i].value == 190 &&
                      points[i].t % G_TIME_SPAN_MINUTE == 30 * G_USEC_PER_SEC;
    }
  g_assert_true (spike);
  g_assert_true (dip);
  g_assert_true (newest);
  g_assert_true (from_rollups);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/rollups/equal-raw", Fixture, NULL, fixture_set_up,
              test_rollups_equal_raw, fixture_tear_down);
  g_test_add ("/store/rollups/rolled-back", Fixture, NULL, fixture_set_up,
              test_rollups_rolled_back, fixture_tear_down);
  g_test_add ("/store/rollups/retention", Fixture, NULL, fixture_set_up,
              test_retention, fixture_tear_down);
  g_test_add ("/store/rollups/retention-batched", Fixture, NULL, fixture_set_up,
              test_retention_batched, fixture_tear_down);
  g_test_add ("/store/rollups/migration", Fixture, NULL, fixture_set_up,
              test_migration, fixture_tear_down);
  g_test_add ("/store/rollups/day-chart", Fixture, NULL, fixture_set_up,
              test_day_chart, fixture_tear_down);

  return g_test_run ();
}
