/* bench-rollups.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The patient view's 72-hour chart load (ward_history_load(), which
 * reads the roll-ups over 24 hours) against a bare SQLite scan of the
 * raw rows the chart covers, in the same run.  The store holds 4 beds
 * with 72 hours of HR, RR, SpO2 and systolic pressure every 5 s.
 *
 * Limits: the chart load under 20 ms, and at most 0.1 times the bare
 * scan (ratio = load / scan; lower passes).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>

#include "ward-history.h"
#include "ward-store.h"
#include "ward-store-rollups.h"

#define N_BEDS       4
#define INTERVAL_SEC 5
#define SPAN_HOURS   72
#define ROUNDS       15
#define MAX_POINTS   1600      /* as the patient view */
#define LIMIT_MS     20.0
#define MAX_RATIO    0.1

static const WardMeasKind kinds[] = { WARD_MEAS_HR, WARD_MEAS_RR, WARD_MEAS_SPO2, WARD_MEAS_SBP };

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static gint64
fill_store (const char *path,
            gint64      end)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (path, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  gint64 n = 0;

  g_assert_no_error (error);
  g_assert_true (ward_store_begin (store, &error));
  for (guint b = 0; b < N_BEDS; b++)
    {
      g_autofree char *patient = g_strdup_printf ("bench-patient-%02u", b);

      g_assert_true (ward_store_upsert_patient (store, patient, NULL, 1, &error));
      for (gint64 t = end - SPAN_HOURS * G_TIME_SPAN_HOUR; t < end; t += INTERVAL_SEC * G_USEC_PER_SEC)
        for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
          {
            WardMeasurement m = {
              .kind = kinds[k], .value = g_rand_double_range (rand, 10, 150), .observed_at = t,
              .source = WARD_SOURCE_DEVICE, .patient_id = patient,
            };

            if (ward_store_add_measurement (store, &m, t, &error) <= 0)
              g_error ("%s", error->message);
            n++;
          }
    }
  g_assert_cmpint (ward_store_rollup (store, &error), ==, n);
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);

  return n;
}

/* What the chart read before the roll-ups: every raw row of its span. */
static gint64
bare_scan (sqlite3 *db,
           gint64   from,
           gint64   to,
           double  *sink)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT observed_at, value, source FROM measurements "
                                       "WHERE patient_id = ?1 AND kind = ?2 "
                                       "AND observed_at > ?3 AND observed_at <= ?4 "
                                       "ORDER BY observed_at, id", -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      sqlite3_bind_text (stmt, 1, "bench-patient-02", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, ward_meas_kind_to_string (kinds[k]), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, from);
      sqlite3_bind_int64 (stmt, 4, to);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          *sink += sqlite3_column_double (stmt, 1);
          n++;
        }
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);

  return n;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-rollups-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  gint64 end = G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC;
  gint64 from = end - SPAN_HOURS * G_TIME_SPAN_HOUR;
  double best_scan = G_MAXDOUBLE, best_load = G_MAXDOUBLE;
  double start, ratio, sink = 0;
  gint64 n_rows, n_scanned = 0;
  guint n_points = 0;
  sqlite3 *db = NULL;
  gboolean pass;

  g_assert_no_error (error);

  start = now_seconds ();
  n_rows = fill_store (path, end);
  printf ("bench-rollups: %d beds, %d h of HR/RR/SpO2/SBP every %d s (%" G_GINT64_FORMAT
          " rows), filled and rolled up in %.1f s\n",
          N_BEDS, SPAN_HOURS, INTERVAL_SEC, n_rows, now_seconds () - start);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(WardHistory) history = NULL;

      start = now_seconds ();
      n_scanned = bare_scan (db, from, end, &sink);
      best_scan = MIN (best_scan, now_seconds () - start);

      start = now_seconds ();
      history = ward_history_load (path, "bench-patient-02", from, end, MAX_POINTS, NULL, &error);
      g_assert_no_error (error);
      best_load = MIN (best_load, now_seconds () - start);

      n_points = 0;
      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          guint n = 0;

          ward_history_get_points (history, kinds[k], &n);
          n_points += n;
          g_assert_cmpuint (ward_history_get_n_stored (history, kinds[k]), ==,
                            SPAN_HOURS * 3600 / INTERVAL_SEC);
        }
    }
  sqlite3_close (db);

  ratio = best_load / best_scan;
  pass = best_load * 1000 < LIMIT_MS && ratio <= MAX_RATIO;
  printf ("  bare scan of the raw rows:   %8.2f ms (%" G_GINT64_FORMAT " rows)\n",
          best_scan * 1000, n_scanned);
  printf ("  72-hour chart load:          %8.2f ms (%u points, limit %.0f ms)\n",
          best_load * 1000, n_points, LIMIT_MS);
  printf ("  ratio %.3f (limit <= %.1f): %s  (checksum %.0f)\n", ratio, MAX_RATIO,
          pass ? "PASS" : "FAIL", sink);
  printf ("{\"name\": \"rollups\", \"figures\": {\"chart_load_ms\": %.3f, \"bare_scan_ms\": %.3f, "
          "\"raw_rows\": %" G_GINT64_FORMAT ", \"points\": %u}, \"limit\": %.1f, \"ratio\": %.4f, "
          "\"pass\": %s}\n",
          best_load * 1000, best_scan * 1000, n_scanned, n_points, MAX_RATIO, ratio,
          pass ? "true" : "false");

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);

  return pass ? 0 : 1;
}
