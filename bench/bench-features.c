/* bench-features.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "ward-bench.h"
#include "ward-feature-store.h"
#include "ward-features.h"
#include "ward-store.h"

/* What a model scorer pays per 5-minute step for a full ward: for each
 * of 64 beds, read a day of its measurements with a WardFeatureReader
 * (one indexed query) and compute its feature row.  Measured against
 * the plainest read of the same rows in the same run (sqlite3_step over
 * the same SELECT, summing the values): the ratio is what building the
 * series and computing 96 features costs on top of reading the rows.
 * Also printed: the step's cost as a share of the 5 minutes it has.
 *
 * The ward: HR, RR and SpO2 every 5 s (as the simulator's monitors),
 * systolic pressure every 15 min, temperature hourly, over 24 h.
 */

#define N_BEDS       64
#define INTERVAL_SEC 5
#define MAX_RATIO    3.0
#define ROUNDS       3

/* Fewer beds under WARD_BENCH_QUICK. */
static guint n_beds = N_BEDS;

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
fill_store (const char *path,
            gint64      end)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (path, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  g_assert_no_error (error);
  for (guint b = 0; b < n_beds; b++)
    {
      g_autofree char *patient = g_strdup_printf ("bench-patient-%02u", b);
      g_autofree char *device = g_strdup_printf ("bench-monitor-%02u", b);

      g_assert_true (ward_store_begin (store, &error));
      g_assert_true (ward_store_upsert_patient (store, patient, NULL, 1, &error));
      for (gint64 t = end - 24 * WARD_USEC_PER_HOUR + WARD_USEC_PER_SEC; t <= end;
           t += INTERVAL_SEC * WARD_USEC_PER_SEC)
        {
          WardMeasurement m = { .source = WARD_SOURCE_DEVICE, .device_id = device,
                                .patient_id = patient, .observed_at = t };
          gint64 s = t / WARD_USEC_PER_SEC;

          m.kind = WARD_MEAS_HR;
          m.value = 80 + g_rand_int_range (rand, -5, 6);
          ward_store_add_measurement (store, &m, t, &error);
          m.kind = WARD_MEAS_RR;
          m.value = 16 + g_rand_int_range (rand, -2, 3);
          ward_store_add_measurement (store, &m, t, &error);
          m.kind = WARD_MEAS_SPO2;
          m.value = 96 + g_rand_int_range (rand, -2, 3);
          ward_store_add_measurement (store, &m, t, &error);
          if (s % 900 == 0)
            {
              m.kind = WARD_MEAS_SBP;
              m.value = 120 + g_rand_int_range (rand, -10, 11);
              ward_store_add_measurement (store, &m, t, &error);
            }
          if (s % 3600 == 0)
            {
              m.kind = WARD_MEAS_TEMP;
              m.value = 37 + g_rand_int_range (rand, -5, 6) / 10.0;
              ward_store_add_measurement (store, &m, t, &error);
            }
          g_assert_no_error (error);
        }
      g_assert_true (ward_store_commit (store, &error));
    }
}

/* The same rows as the reader's query, read and summed, nothing else. */
static double
plain_scan (sqlite3 *db,
            gint64   end,
            gint64  *n_rows)
{
  sqlite3_stmt *stmt = NULL;
  double sum = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT kind, observed_at, value, source FROM measurements "
                                       "WHERE patient_id = ?1 AND kind IN ('rr', 'spo2', 'on_oxygen', "
                                       "'sbp', 'hr', 'consciousness', 'temp') "
                                       "AND observed_at > ?2 AND observed_at <= ?3",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  *n_rows = 0;
  for (guint b = 0; b < n_beds; b++)
    {
      g_autofree char *patient = g_strdup_printf ("bench-patient-%02u", b);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, patient, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, end - 24 * WARD_USEC_PER_HOUR);
      sqlite3_bind_int64 (stmt, 3, end);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          sum += sqlite3_column_double (stmt, 2) + sqlite3_column_int64 (stmt, 1) % 2;
          (*n_rows)++;
        }
    }
  sqlite3_finalize (stmt);

  return sum;
}

static gboolean
plan_uses_index (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gboolean uses = FALSE;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "EXPLAIN QUERY PLAN SELECT kind, observed_at, value, source "
                                       "FROM measurements WHERE patient_id = 'x' AND kind IN ('rr', "
                                       "'spo2') AND observed_at > 0 AND observed_at <= 1 "
                                       "ORDER BY kind, observed_at, id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *detail = (const char *) sqlite3_column_text (stmt, 3);

      printf ("  plan: %s\n", detail);
      uses |= strstr (detail, "measurements_patient_kind_time") != NULL;
    }
  sqlite3_finalize (stmt);

  return uses;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-features-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  gint64 end = G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC;
  double best_plain = G_MAXDOUBLE, best_features = G_MAXDOUBLE;
  double start, ratio, sink = 0;
  gint64 n_rows = 0;
  sqlite3 *db = NULL;
  gboolean indexed, pass;

  g_assert_no_error (error);
  n_beds = ward_bench_scale (N_BEDS, 4);

  start = now_seconds ();
  fill_store (path, end);
  printf ("bench-features: %u beds, a day of HR/RR/SpO2 every %d s, filled in %.1f s\n",
          n_beds, INTERVAL_SEC, now_seconds () - start);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  indexed = plan_uses_index (db);

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(WardFeatureReader) reader = ward_feature_reader_new (path, &error);
      g_autoptr(WardFeatureSeries) series = ward_feature_series_new ();
      double row[WARD_FEATURE_N_FEATURES];

      g_assert_no_error (error);

      start = now_seconds ();
      sink += plain_scan (db, end, &n_rows);
      best_plain = MIN (best_plain, now_seconds () - start);

      start = now_seconds ();
      for (guint b = 0; b < n_beds; b++)
        {
          g_autofree char *patient = g_strdup_printf ("bench-patient-%02u", b);

          g_assert_true (ward_feature_reader_load (reader, patient, end - 24 * WARD_USEC_PER_HOUR,
                                                   end, series, &error));
          ward_features_compute (series, end, NULL, row);
          sink += isnan (row[0]) ? 0 : row[0];
        }
      best_features = MIN (best_features, now_seconds () - start);
    }
  sqlite3_close (db);

  ratio = best_features / best_plain;
  pass = indexed && ratio <= MAX_RATIO;
  printf ("  %" G_GINT64_FORMAT " rows per step (%.0f per bed)\n", n_rows, (double) n_rows / n_beds);
  printf ("  plain read of the rows:      %8.1f ms per step\n", best_plain * 1000);
  printf ("  features (read + compute):   %8.1f ms per step, %.2f ms per bed, %.3f %% of a 5-min step\n",
          best_features * 1000, best_features * 1000 / n_beds, best_features / 300 * 100);
  printf ("  ratio %.2f (limit <= %.1f), the index %s: %s  (checksum %.0f)\n", ratio, MAX_RATIO,
          indexed ? "used" : "NOT used", pass ? "PASS" : "FAIL", sink);

  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (path);
    g_rmdir (dir);
  }

  /* The ratio features/plain read passes at or below the limit; without
   * the index it fails whatever the ratio.
   */
  pass = ward_bench_report ("features", WARD_BENCH_AT_MOST, MAX_RATIO, indexed ? ratio : INFINITY,
                            "plain_ms_per_step", best_plain * 1000,
                            "features_ms_per_step", best_features * 1000,
                            "rows_per_step", (double) n_rows,
                            "index_used", indexed ? 1.0 : 0.0,
                            NULL);
  return ward_bench_exit_status (pass);
}
