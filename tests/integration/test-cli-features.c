/* test-cli-features.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>

#include "ward-features.h"
#include "ward-test-cli.h"

/* A database made by a headless demo run (the simulator's monitors
 * through the real pipeline), shared by the tests.
 */
static char *tmp_dir;
static char *db_path;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static Run *
run_cli (const char *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  Run *run = g_new0 (Run, 1);
  const char *arg;
  va_list ap;

  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run->status = ward_test_run_cli ("features", (const char * const *) args->pdata, NULL,
                                   &run->out, &run->err);

  return run;
}

/* Rows of a CSV without quoted fields (the demo's patient ids have
 * none), each a NULL-terminated array of fields.
 */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        {
          g_assert_null (lines[i + 1]);
          continue;
        }
      g_ptr_array_add (rows, g_strsplit (lines[i], ",", -1));
    }

  return rows;
}

static int
column (char       **header,
        const char  *name)
{
  for (int i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      return i;

  g_error ("no column %s", name);
}

static sqlite3 *
open_db (void)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  return db;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

/* An aggregate of one kind over (end - span, end], straight from the
 * measurements table; NaN for SQL NULL.
 */
static double
query_stat (sqlite3    *db,
            const char *expr,
            const char *patient_id,
            const char *kind,
            gint64      end,
            gint64      span)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM measurements WHERE patient_id = ?1 "
                                          "AND kind = ?2 AND observed_at > ?3 "
                                          "AND observed_at <= ?4", expr);
  sqlite3_stmt *stmt = NULL;
  double value = NAN;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, end - span);
  sqlite3_bind_int64 (stmt, 4, end);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = sqlite3_column_double (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static void
assert_field (const char *field,
              double      expected)
{
  if (isnan (expected))
    {
      g_assert_cmpstr (field, ==, "");
      return;
    }
  g_assert_cmpstr (field, !=, "");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (field, NULL), expected,
                                  1e-6 * MAX (1.0, fabs (expected)));
}

static void
test_list (void)
{
  g_autoptr(Run) run = run_cli ("--list", NULL);
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run->status, ==, 0);
  lines = g_strsplit (run->out, "\n", -1);
  /* A header, a rule, a row per feature and the empty end. */
  g_assert_cmpuint (g_strv_length (lines), ==, 2 + WARD_FEATURE_N_FEATURES + 1);
  g_assert_true (g_str_has_prefix (lines[0], "| Name |"));
  g_assert_true (g_str_has_prefix (lines[2], "| `rr_latest` | rr |"));
}

/* One row per patient per stored window end, every feature in table
 * order, the outcome columns empty, and values that match the
 * measurements table.
 */
static void
test_csv (void)
{
  g_autofree char *db_arg = g_strconcat ("--db=", db_path, NULL);
  g_autoptr(Run) run = run_cli (db_arg, "--csv", NULL);
  g_autoptr(GPtrArray) rows = NULL;
  char **header;
  sqlite3 *db = open_db ();
  const struct { const char *name; const char *expr; const char *kind; gint64 span; } checks[] = {
    { "hr_mean_30m", "avg(value)", "hr", 30 * WARD_USEC_PER_MINUTE },
    { "hr_min_4h", "min(value)", "hr", 4 * WARD_USEC_PER_HOUR },
    { "spo2_max_24h", "max(value)", "spo2", 24 * WARD_USEC_PER_HOUR },
    { "rr_sd_30m", "sqrt((sum(value * value) - sum(value) * sum(value) / count(*)) "
                   "/ (count(*) - 1))", "rr", 30 * WARD_USEC_PER_MINUTE },
    { "sbp_mean_4h", "avg(value)", "sbp", 4 * WARD_USEC_PER_HOUR },
    { "temp_max_4h", "max(value)", "temp", 4 * WARD_USEC_PER_HOUR },
    { "hr_latest", "(SELECT value FROM measurements m WHERE m.patient_id = ?1 AND m.kind = ?2 "
                   "AND m.observed_at <= ?4 AND m.observed_at > ?3 "
                   "ORDER BY m.observed_at DESC, m.id DESC LIMIT 1)", "hr", 24 * WARD_USEC_PER_HOUR },
  };
  guint n_checked = 0;

  g_assert_cmpint (run->status, ==, 0);
  rows = parse_csv (run->out);
  g_assert_cmpuint (rows->len, >, 1);
  header = rows->pdata[0];

  g_assert_cmpuint (g_strv_length (header), ==, 2 + WARD_FEATURE_N_FEATURES + 2);
  g_assert_cmpstr (header[0], ==, "patient_id");
  g_assert_cmpstr (header[1], ==, "window_end");
  for (guint i = 0; i < WARD_FEATURE_N_FEATURES; i++)
    g_assert_cmpstr (header[2 + i], ==, ward_features_get (i)->name);
  g_assert_cmpstr (header[2 + WARD_FEATURE_N_FEATURES], ==, "outcome_label");
  g_assert_cmpstr (header[3 + WARD_FEATURE_N_FEATURES], ==, "outcome_at");

  g_assert_cmpint (rows->len - 1, ==,
                   query_int (db, "SELECT count(*) FROM (SELECT DISTINCT patient_id, window_end "
                                  "FROM scores)"));

  for (guint r = 1; r < rows->len; r++)
    {
      char **row = rows->pdata[r];
      gint64 end;

      g_assert_cmpuint (g_strv_length (row), ==, g_strv_length (header));
      g_assert_true (ward_time_parse_iso8601 (row[1], &end));
      g_assert_cmpstr (row[2 + WARD_FEATURE_N_FEATURES], ==, "");
      g_assert_cmpstr (row[3 + WARD_FEATURE_N_FEATURES], ==, "");
      /* The demo's monitors send a pulse every few seconds. */
      g_assert_cmpstr (row[column (header, "hr_latest")], !=, "");
      g_assert_cmpstr (row[column (header, "spo2_scale")], ==,
                       g_str_equal (row[column (header, "spo2_scale")], "2") ? "2" : "1");

      for (guint c = 0; c < G_N_ELEMENTS (checks); c++)
        {
          double expected = query_stat (db, checks[c].expr, row[0], checks[c].kind, end,
                                        checks[c].span);

          assert_field (row[column (header, checks[c].name)], expected);
          n_checked++;
        }
    }

  g_assert_cmpuint (n_checked, >, 0);
  sqlite3_close (db);
}

/* --step: a row every step from each patient's first value to the last;
 * --from and --to keep only the ends between them.
 */
static void
test_step_and_range (void)
{
  g_autofree char *db_arg = g_strconcat ("--db=", db_path, NULL);
  g_autoptr(Run) all = run_cli (db_arg, "--csv", "--step=10m", NULL);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) some_rows = NULL;
  sqlite3 *db = open_db ();
  sqlite3_stmt *stmt = NULL;
  gint64 expected = 0;
  gint64 step = 10 * WARD_USEC_PER_MINUTE;
  gint64 mid;
  g_autofree char *from_arg = NULL;
  g_autofree char *mid_text = NULL;

  g_assert_cmpint (all->status, ==, 0);
  rows = parse_csv (all->out);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT min(observed_at), max(observed_at) "
                                       "FROM measurements GROUP BY patient_id", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 first = sqlite3_column_int64 (stmt, 0);
      gint64 last = sqlite3_column_int64 (stmt, 1);
      /* Step boundaries from the first at or after the first value to the
       * first at or after the last.
       */
      gint64 a = (first + step - 1) / step, b = (last + step - 1) / step;

      expected += b - a + 1;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (rows->len - 1, ==, expected);

  for (guint r = 1; r < rows->len; r++)
    {
      gint64 end;

      g_assert_true (ward_time_parse_iso8601 (((char **) rows->pdata[r])[1], &end));
      g_assert_cmpint (end % step, ==, 0);
    }

  /* From the middle row's end on. */
  g_assert_true (ward_time_parse_iso8601 (((char **) rows->pdata[rows->len / 2])[1], &mid));
  mid_text = ward_time_format_iso8601 (mid);
  from_arg = g_strconcat ("--from=", mid_text, NULL);
  {
    g_autoptr(Run) some = run_cli (db_arg, "--csv", "--step=10m", from_arg, NULL);
    guint expected_some = 0;

    g_assert_cmpint (some->status, ==, 0);
    some_rows = parse_csv (some->out);
    for (guint r = 1; r < rows->len; r++)
      {
        gint64 end;

        ward_time_parse_iso8601 (((char **) rows->pdata[r])[1], &end);
        expected_some += end >= mid;
      }
    g_assert_cmpuint (some_rows->len - 1, ==, expected_some);
    g_assert_cmpuint (expected_some, <, rows->len - 1);
  }
}

/* Bad input: a clear message, the right exit status, no CSV. */
static void
test_errors (void)
{
  g_autofree char *db_arg = g_strconcat ("--db=", db_path, NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such.db", NULL);
  g_autofree char *missing_arg = g_strconcat ("--db=", missing, NULL);
  g_autofree char *not_db = g_build_filename (tmp_dir, "not-a-db.txt", NULL);
  g_autofree char *not_db_arg = g_strconcat ("--db=", not_db, NULL);

  {
    g_autoptr(Run) run = run_cli (missing_arg, "--csv", NULL);
    g_assert_cmpint (run->status, ==, 1);
    g_assert_nonnull (strstr (run->err, "no such database"));
    g_assert_cmpstr (run->out, ==, "");
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr(Run) run = run_cli (db_arg, "--csv", "--from=yesterday", NULL);
    g_assert_cmpint (run->status, ==, 2);
    g_assert_nonnull (strstr (run->err, "--from"));
    g_assert_nonnull (strstr (run->err, "yesterday"));
    g_assert_cmpstr (run->out, ==, "");
  }
  {
    g_autoptr(Run) run = run_cli (db_arg, "--csv", "--from=2026-03-02T10:00:00Z",
                                  "--to=2026-03-01T10:00:00Z", NULL);
    g_assert_cmpint (run->status, ==, 2);
    g_assert_nonnull (strstr (run->err, "after --to"));
  }
  {
    g_autoptr(Run) run = run_cli (db_arg, "--csv", "--step=5 minutes", NULL);
    g_assert_cmpint (run->status, ==, 2);
    g_assert_nonnull (strstr (run->err, "--step"));
  }
  {
    g_autoptr(Run) run = run_cli (db_arg, NULL);
    g_assert_cmpint (run->status, ==, 2);
    g_assert_nonnull (strstr (run->err, "--csv"));
  }
  {
    g_autoptr(Run) run = NULL;

    g_assert_true (g_file_set_contents (not_db, "patient,hr\n", -1, NULL));
    run = run_cli (not_db_arg, "--csv", NULL);
    g_assert_cmpint (run->status, ==, 1);
    g_assert_nonnull (strstr (run->err, not_db));
    g_assert_cmpstr (run->out, ==, "");
    g_unlink (not_db);
  }
}

static void
make_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *db_arg = NULL;

  tmp_dir = g_dir_make_tmp ("ward-features-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmp_dir, "ward.db", NULL);
  db_arg = g_strconcat ("--db=", db_path, NULL);

  /* Two beds, 80 simulated minutes (counted on the simulated clock: a
   * slow machine, or the sanitizers, take longer, not make less).
   */
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                           g_getenv ("WARDWATCH"), "--headless", "--demo", "--beds=2",
                           "--simulated-duration=4800", "--time-scale=1200", db_arg, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (proc, NULL, &error);
  g_assert_no_error (error);
}

static void
remove_database (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmp_dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("WARDWATCH_CLI") == NULL || g_getenv ("WARDWATCH") == NULL)
    {
      g_test_skip ("WARDWATCH and WARDWATCH_CLI are not set: run under meson test");
      return g_test_run ();
    }

  g_test_add_func ("/cli/features/list", test_list);
  g_test_add_func ("/cli/features/csv", test_csv);
  g_test_add_func ("/cli/features/step-and-range", test_step_and_range);
  g_test_add_func ("/cli/features/errors", test_errors);

  make_database ();
  status = g_test_run ();
  remove_database ();
  g_free (db_path);
  g_free (tmp_dir);

  return status;
}
