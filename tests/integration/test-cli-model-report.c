/* test-cli-model-report.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "ward-model-report.h"
#include "ward-store.h"
#include "ward-store-scores.h"

/* The shadow report on a database made by a real headless demo run with
 * the shipped model in shadow mode: the report's figures are recounted
 * from the stored scores, and nothing of the shadow model was written to
 * FHIR.  Also the report's arithmetic on windows whose answer is known.
 */

static char *tmp_dir;
static char *db_path;

static char *
run_cli (int         *status,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("WARDWATCH_CLI"));
  g_ptr_array_add (args, (gpointer) "model-report");
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  proc = g_subprocess_newv ((const char * const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (proc);
  return out;
}

static void
test_report (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_arg = g_strdup_printf ("--db=%s", db_path);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(WardStore) store = NULL;
  JsonObject *report, *agreement;
  guint64 windows = 0, news2_alert = 0;
  int status;

  out = run_cli (&status, &err, db_arg, "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  report = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (report, "model"), ==, "demo-deterioration");
  g_assert_cmpfloat (json_object_get_double_member (report, "threshold"), ==, 0.5);
  agreement = json_object_get_object_member (report, "agreement");

  /* Recount from the store: windows scored by both, NEWS2's alerts. */
  store = ward_store_open_readonly (db_path, &error);
  g_assert_no_error (error);
  for (guint b = 1; b <= 3; b++)
    {
      g_autofree char *patient = NULL;
      g_autoptr(GArray) news2 = NULL;
      g_autoptr(GArray) model = NULL;
      g_autoptr(GHashTable) ends = g_hash_table_new (g_int64_hash, g_int64_equal);

      patient = g_strdup_printf ("sim-patient-%02u", b);
      news2 = ward_store_get_kind_scores (store, patient, "news2", G_MININT64, G_MAXINT64, &error);
      model = ward_store_get_kind_scores (store, patient, "model:demo-deterioration", G_MININT64,
                                          G_MAXINT64, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < model->len; i++)
        g_hash_table_add (ends, &g_array_index (model, WardStoredScore, i).window_end);
      for (guint i = 0; i < news2->len; i++)
        {
          const WardStoredScore *s = &g_array_index (news2, WardStoredScore, i);

          if (!s->applicable || !g_hash_table_contains (ends, &s->window_end))
            continue;
          windows++;
          news2_alert += s->band >= WARD_BAND_MEDIUM;
        }
    }
  g_assert_cmpuint (windows, >, 0);
  g_assert_cmpint (json_object_get_int_member (report, "windows"), ==, windows);
  g_assert_cmpint (json_object_get_int_member (agreement, "both") +
                   json_object_get_int_member (agreement, "news2_only"), ==, news2_alert);
  g_assert_cmpint (json_object_get_int_member (agreement, "both") +
                   json_object_get_int_member (agreement, "news2_only") +
                   json_object_get_int_member (agreement, "model_only") +
                   json_object_get_int_member (agreement, "neither"), ==, windows);

  /* Shadow: stored, never sent. */
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM fhir_resources WHERE "
                                          "json LIKE '%demo-deterioration%'", &error), ==, 0);
  g_assert_no_error (error);

  /* The text report says the same. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli (&status, &err, db_arg, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Cohen's kappa"));
}

static void
test_errors (void)
{
  g_autofree char *db_arg = g_strdup_printf ("--db=%s", db_path);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  out = run_cli (&status, &err, db_arg, "--model=no-such-model", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "model:no-such-model"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli (&status, &err, db_arg, "--threshold=1.5", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli (&status, &err, NULL);
  g_assert_cmpint (status, ==, 2);
}

/* Ten windows, 5 minutes apart: the model alerts from the 3rd, NEWS2
 * from the 6th (15 minutes later) to the 8th.
 */
static void
test_arithmetic (void)
{
  WardModelReportWindow w[10];
  WardModelReportConfig config = { 0.5, 1, 5 * WARD_USEC_PER_MINUTE, 240 * WARD_USEC_PER_MINUTE };
  WardModelReport report;

  for (guint i = 0; i < 10; i++)
    {
      w[i].window_end = i * 5 * WARD_USEC_PER_MINUTE;
      w[i].probability = i >= 2 && i <= 7 ? 0.8 : 0.1;
      w[i].news2_alert = i >= 5 && i <= 7;
    }
  ward_model_report_init (&report);
  ward_model_report_add (&report, &config, w, 10);
  ward_model_report_finish (&report);

  g_assert_cmpuint (report.news2_episodes, ==, 1);
  g_assert_cmpuint (report.model_episodes, ==, 1);
  g_assert_cmpuint (report.news2_episodes_caught, ==, 1);
  g_assert_cmpfloat (report.lead_median, ==, 15.0);
  g_assert_cmpuint (report.both, ==, 3);
  g_assert_cmpuint (report.model_only, ==, 3);
  g_assert_cmpuint (report.news2_only, ==, 0);
  g_assert_cmpuint (report.neither, ==, 4);
  /* po = 0.7, pe = 0.6 * 0.3 + 0.4 * 0.7 = 0.46: kappa = 0.24 / 0.54 */
  g_assert_cmpfloat_with_epsilon (report.kappa, 0.24 / 0.54, 1e-9);
  ward_model_report_clear (&report);

  /* Sustained for 3 windows: the model's alert starts at the 5th. */
  config.sustain = 3;
  ward_model_report_init (&report);
  ward_model_report_add (&report, &config, w, 10);
  ward_model_report_finish (&report);
  g_assert_cmpfloat (report.lead_median, ==, 5.0);
  ward_model_report_clear (&report);
}

static void
make_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *db_arg = NULL;
  g_autofree char *model_arg = NULL;

  tmp_dir = g_dir_make_tmp ("ward-cli-model-report-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmp_dir, "ward.db", NULL);
  db_arg = g_strdup_printf ("--db=%s", db_path);
  model_arg = g_strdup_printf ("--model=%s/../data/models/demo-deterioration.card.json:shadow",
                               WARD_TEST_SOURCE_DIR);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           g_getenv ("WARDWATCH"), "--headless", "--demo", "--beds=3", "--seed=3",
                           "--duration=4", "--time-scale=1800", db_arg, model_arg, NULL);
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

  g_test_add_func ("/cli/model-report/arithmetic", test_arithmetic);
  if (g_getenv ("WARDWATCH_CLI") == NULL || g_getenv ("WARDWATCH") == NULL)
    {
      g_test_skip ("WARDWATCH and WARDWATCH_CLI are not set: run under meson test");
      return g_test_run ();
    }
  g_test_add_func ("/cli/model-report/report", test_report);
  g_test_add_func ("/cli/model-report/errors", test_errors);

  make_database ();
  status = g_test_run ();
  remove_database ();
  g_free (db_path);
  g_free (tmp_dir);
  return status;
}
