/* bench-summary.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>

#include "ward-store-private.h"
#include "ward-summary.h"

/* The ward summary over 30 days of a 64-bed ward (the view's refresh and
 * the shift report's figures), against a bare SQLite scan of the same
 * rows in the same run: every row of the tables the summary reads that
 * falls in the period (scores, flags, tasks, communications, dead
 * letters), stepped and summed.  Issue #13 asks for the summary under
 * 200 ms on the reference machine; on a shared, loaded machine the wall
 * time says little, so the bound held is the ratio to the scan, which
 * suffers the same load: ratio = summary / scan, passing when it is at
 * most MAX_RATIO (lower is better).  The absolute times are printed too.
 *
 * The ward: a NEWS2 score per patient every 5 minutes (the pipeline's
 * window step), 5 clinical flags per bed per day each with its task (a
 * third escalated), a technical alert per bed per day, two
 * notifications per flag, and a few dead letters.
 */

#define N_BEDS      64
#define N_DAYS      30
#define STEP_MIN    5
#define MAX_RATIO   2.0
#define ROUNDS      5
#define MINUTE      (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define DAY         (24 * 60 * MINUTE)

static const char * const bands[] = { "low", "low-medium", "medium", "high" };

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
exec (sqlite3    *db,
      const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  return stmt;
}

static void
step_done (sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_error ("insert: %s", sqlite3_errmsg (sqlite3_db_handle (stmt)));
  sqlite3_reset (stmt);
}

static void
fill (WardStore *store,
      gint64     from,
      gint64     to)
{
  sqlite3 *db = _ward_store_get_db (store);
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  sqlite3_stmt *score, *flag, *task, *comm;
  gint64 flag_id = 0;
  gint64 task_id = 0;

  exec (db, "BEGIN");
  score = prepare (db, "INSERT INTO scores (patient_id, kind, window_start, window_end, computed_at,"
                       " value, total, band, complete, status, inputs)"
                       " VALUES (?1, 'news2', ?2 - 300000000, ?2, ?2, ?3, ?3, ?4, 1, 'final', '{}')");
  flag = prepare (db, "INSERT INTO flags (id, patient_id, kind, subject, band, opened_at, closed_at)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  task = prepare (db, "INSERT INTO care_tasks (id, flag_id, patient_id, kind, band, status, priority,"
                      " owner_role, requester, requested_at, due_at, accepted_by, accepted_at, part_of,"
                      " station, updated_at)"
                      " VALUES (?1, ?2, ?3, 'clinical', ?4, ?5, 'urgent', ?6, 'wardwatch', ?7, ?7 + 1800000000,"
                      " ?8, ?9, ?10, 'bench', ?7)");
  comm = prepare (db, "INSERT INTO care_communications (kind, task_id, patient_id, sender, sent_at,"
                      " payload, station) VALUES (?1, ?2, ?3, 'wardwatch', ?4, 'text', 'bench')");

  for (guint b = 0; b < N_BEDS; b++)
    {
      g_autofree char *patient = g_strdup_printf ("p%02u", b);
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO patients (id, name) VALUES ('p%02u', 'Patient %02u');"
        "INSERT INTO beds (id, label, patient_id) VALUES ('bed-%02u', 'Bed %u', 'p%02u');"
        "INSERT INTO devices (id, bed_id, patient_id) VALUES ('mon-%02u', 'bed-%02u', 'p%02u');",
        b, b, b, b + 1, b, b, b, b);
      int total = g_rand_int_range (rand, 0, 4);

      exec (db, sql);
      for (gint64 t = from; t < to; t += STEP_MIN * MINUTE)
        {
          /* CLAMP evaluates its argument more than once. */
          total += g_rand_int_range (rand, -1, 2);
          total = CLAMP (total, 0, 9);
          sqlite3_bind_text (score, 1, patient, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (score, 2, t);
          sqlite3_bind_int (score, 3, total);
          sqlite3_bind_text (score, 4, total >= 7 ? "high" : total >= 5 ? "medium" : "low", -1, SQLITE_STATIC);
          step_done (score);
        }

      for (gint64 day = from; day < to; day += DAY)
        {
          g_autofree char *device = g_strdup_printf ("mon-%02u", b);

          for (guint i = 0; i < 6; i++)
            {
              gint64 opened = day + g_rand_int_range (rand, 0, 23 * 60) * MINUTE;
              gint64 closed = opened + g_rand_int_range (rand, 10, 120) * MINUTE;
              gboolean technical = i == 5;
              const char *band = technical ? "low" : bands[g_rand_int_range (rand, 0, 4)];

              flag_id++;
              sqlite3_bind_int64 (flag, 1, flag_id);
              sqlite3_bind_text (flag, 2, patient, -1, SQLITE_STATIC);
              sqlite3_bind_text (flag, 3, technical ? "technical" : "clinical", -1, SQLITE_STATIC);
              if (technical)
                sqlite3_bind_text (flag, 4, device, -1, SQLITE_STATIC);
              else
                sqlite3_bind_null (flag, 4);
              sqlite3_bind_text (flag, 5, band, -1, SQLITE_STATIC);
              sqlite3_bind_int64 (flag, 6, opened);
              sqlite3_bind_int64 (flag, 7, closed);
              step_done (flag);
              if (technical)
                continue;

              /* The flag's task, accepted after 1 to 90 min; a third
               * escalate first and are accepted on the escalation.
               */
              {
                gint64 accepted = opened + g_rand_int_range (rand, 1, 90) * MINUTE;
                gboolean escalated = g_rand_int_range (rand, 0, 3) == 0;
                gint64 root = ++task_id;

                sqlite3_bind_int64 (task, 1, root);
                sqlite3_bind_int64 (task, 2, flag_id);
                sqlite3_bind_text (task, 3, patient, -1, SQLITE_STATIC);
                sqlite3_bind_text (task, 4, band, -1, SQLITE_STATIC);
                sqlite3_bind_text (task, 5, escalated ? "cancelled" : "completed", -1, SQLITE_STATIC);
                sqlite3_bind_text (task, 6, "bed-nurse", -1, SQLITE_STATIC);
                sqlite3_bind_int64 (task, 7, opened);
                if (escalated)
                  {
                    sqlite3_bind_null (task, 8);
                    sqlite3_bind_null (task, 9);
                  }
                else
                  {
                    sqlite3_bind_text (task, 8, "nurse", -1, SQLITE_STATIC);
                    sqlite3_bind_int64 (task, 9, accepted);
                  }
                sqlite3_bind_null (task, 10);
                step_done (task);
                sqlite3_clear_bindings (task);

                sqlite3_bind_text (comm, 1, "notification", -1, SQLITE_STATIC);
                sqlite3_bind_int64 (comm, 2, root);
                sqlite3_bind_text (comm, 3, patient, -1, SQLITE_STATIC);
                sqlite3_bind_int64 (comm, 4, opened);
                step_done (comm);

                if (escalated)
                  {
                    sqlite3_bind_int64 (task, 1, ++task_id);
                    sqlite3_bind_int64 (task, 2, flag_id);
                    sqlite3_bind_text (task, 3, patient, -1, SQLITE_STATIC);
                    sqlite3_bind_text (task, 4, band, -1, SQLITE_STATIC);
                    sqlite3_bind_text (task, 5, "completed", -1, SQLITE_STATIC);
                    sqlite3_bind_text (task, 6, "nurse-in-charge", -1, SQLITE_STATIC);
                    sqlite3_bind_int64 (task, 7, opened + 30 * MINUTE);
                    sqlite3_bind_text (task, 8, "charge", -1, SQLITE_STATIC);
                    sqlite3_bind_int64 (task, 9, MAX (accepted, opened + 31 * MINUTE));
                    sqlite3_bind_int64 (task, 10, root);
                    step_done (task);
                    sqlite3_clear_bindings (task);

                    sqlite3_bind_text (comm, 1, "escalation", -1, SQLITE_STATIC);
                    sqlite3_bind_int64 (comm, 2, task_id);
                    sqlite3_bind_text (comm, 3, patient, -1, SQLITE_STATIC);
                    sqlite3_bind_int64 (comm, 4, opened + 30 * MINUTE);
                    step_done (comm);
                  }
              }
            }
        }
    }

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO dead_letters (stage, reason, created_at) VALUES ('%s', 'bench', %" G_GINT64_FORMAT ")",
        i % 2 ? "mapping" : "parse", from + (gint64) g_rand_int_range (rand, 0, N_DAYS * 24 * 60) * MINUTE);

      exec (db, sql);
    }

  sqlite3_finalize (score);
  sqlite3_finalize (flag);
  sqlite3_finalize (task);
  sqlite3_finalize (comm);
  exec (db, "COMMIT");
  exec (db, "ANALYZE");
}

/* The reference: every row of the period in the tables the summary
 * reads, each column it uses summed so that nothing is skipped.
 */
static const char scan_sql[] =
  "SELECT (SELECT COUNT(*) + SUM (total) + SUM (length (band)) FROM scores"
  "        WHERE window_end >= ?1 AND window_end < ?2)"
  " + (SELECT COUNT(*) + SUM (opened_at % 7) + SUM (COALESCE (closed_at, 0) % 7) FROM flags"
  "    WHERE opened_at < ?2 AND (closed_at IS NULL OR closed_at >= ?1))"
  " + (SELECT COUNT(*) + SUM (COALESCE (accepted_at, 0) % 7) FROM care_tasks"
  "    WHERE requested_at >= ?1 AND requested_at < ?2)"
  " + (SELECT COUNT(*) FROM care_communications WHERE sent_at >= ?1 AND sent_at < ?2)"
  " + (SELECT COUNT(*) FROM dead_letters WHERE created_at >= ?1 AND created_at < ?2)";

static gint64
scan (WardStore *store,
      gint64     from,
      gint64     to)
{
  sqlite3_stmt *stmt = prepare (_ward_store_get_db (store), scan_sql);
  gint64 sum;

  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("scan: %s", sqlite3_errmsg (sqlite3_db_handle (stmt)));
  sum = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return sum;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-summary-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(WardStore) writer = NULL;
  g_autoptr(WardStore) reader = NULL;
  gint64 to = G_GINT64_CONSTANT (1796626800000000);
  gint64 from = to - N_DAYS * DAY;
  double best_scan = G_MAXDOUBLE, best_summary = G_MAXDOUBLE, best_details = G_MAXDOUBLE;
  double start, ratio;
  gint64 n_scores;
  gint64 checksum = 0;
  guint n_flags = 0;
  gboolean pass;

  g_assert_no_error (error);
  path = g_build_filename (dir, "bench.db", NULL);
  writer = ward_store_open (path, &error);
  g_assert_no_error (error);

  start = now_seconds ();
  fill (writer, from, to);
  printf ("bench-summary: %d beds, %d days, filled in %.1f s\n", N_BEDS, N_DAYS, now_seconds () - start);
  g_clear_object (&writer);

  /* Read as the view does: its own read-only connection. */
  reader = ward_store_open_readonly (path, &error);
  g_assert_no_error (error);
  n_scores = scan (reader, 0, G_MAXINT64);

  for (guint round = 0; round < ROUNDS; round++)
    {
      WardSummaryOptions options = { .from = from, .to = to };
      g_autoptr(WardSummary) summary = NULL;
      g_autoptr(WardSummary) details = NULL;

      start = now_seconds ();
      checksum += scan (reader, from, to);
      best_scan = MIN (best_scan, now_seconds () - start);

      start = now_seconds ();
      summary = ward_summary_compute (reader, &options, &error);
      best_summary = MIN (best_summary, now_seconds () - start);
      g_assert_no_error (error);
      n_flags = summary->n_flags;

      options.details = TRUE;
      start = now_seconds ();
      details = ward_summary_compute (reader, &options, &error);
      best_details = MIN (best_details, now_seconds () - start);
      g_assert_no_error (error);
    }

  ratio = best_summary / best_scan;
  pass = ratio <= MAX_RATIO;
  printf ("  rows: %" G_GINT64_FORMAT " (checksum), flags opened in the period: %u\n", n_scores, n_flags);
  printf ("  bare scan of the period's rows:   %8.1f ms\n", best_scan * 1000);
  printf ("  summary (the view):               %8.1f ms (issue #13: under 200 ms)\n", best_summary * 1000);
  printf ("  summary with details (report):    %8.1f ms\n", best_details * 1000);
  printf ("  ratio %.2f (limit <= %.1f): %s  (checksum %" G_GINT64_FORMAT ")\n", ratio, MAX_RATIO,
          pass ? "PASS" : "FAIL", checksum);
  /* Lower passes: ratio = summary time / bare scan time. */
  printf ("{\"name\": \"summary\", \"figures\": {\"scan_ms\": %.2f, \"summary_ms\": %.2f, "
          "\"details_ms\": %.2f, \"beds\": %d, \"days\": %d}, \"limit\": %.1f, \"ratio\": %.3f, "
          "\"pass\": %s}\n", best_scan * 1000, best_summary * 1000, best_details * 1000, N_BEDS, N_DAYS,
          MAX_RATIO, ratio, pass ? "true" : "false");

  g_clear_object (&reader);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (path);
    g_rmdir (dir);
  }

  return pass ? 0 : 1;
}
