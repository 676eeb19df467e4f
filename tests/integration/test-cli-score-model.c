/* test-cli-score-model.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-cli-score-model"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <xgboost/c_api.h>

#include <math.h>
#include <string.h>

#include "ward-model.h"
#include "ward-test-cli.h"

/* Runs the built wardwatch-cli (path in $WARDWATCH_CLI) as a user would:
 * `score --model=FILE`, feature rows in on stdin, JSON lines out.  The
 * model is trained at test time with libxgboost's C API and written
 * with its card; what the command prints is compared with what the
 * runtime gives in this process for the same rows.
 */

static const char * const features[] = { "rr_latest", "spo2_latest", "hr_latest" };
#define N_FEATURES G_N_ELEMENTS (features)

static char *model_dir;
static char *model_path;

typedef struct
{
  char      *stdout_text;
  char      *stderr_text;
  int        exit_status;
  GPtrArray *lines;
} CliRun;

static void
cli_run_free (CliRun *run)
{
  g_free (run->stdout_text);
  g_free (run->stderr_text);
  g_clear_pointer (&run->lines, g_ptr_array_unref);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliRun, cli_run_free)

static CliRun *
run_cli (const char * const *args,
         const char         *input)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) out_lines = NULL;
  CliRun *run = g_new0 (CliRun, 1);

  run->exit_status = ward_test_run_cli (NULL, args, input, &run->stdout_text, &run->stderr_text);
  g_assert_cmpint (run->exit_status, >=, 0);
  g_test_message ("stderr: %s", run->stderr_text);

  run->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  out_lines = g_strsplit (run->stdout_text, "\n", -1);
  for (guint i = 0; out_lines[i] != NULL && out_lines[i][0] != '\0'; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      json_parser_load_from_data (parser, out_lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_ptr_array_add (run->lines, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }

  return run;
}

static void
write_card (const char *sha256)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *own = NULL;
  g_autofree char *card = NULL;
  g_autofree char *card_path = g_build_filename (model_dir, "demo.card.json", NULL);
  gsize length;

  g_file_get_contents (model_path, &data, &length, &error);
  g_assert_no_error (error);
  own = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);

  card = g_strdup_printf ("{\"name\":\"cli-test\",\"version\":\"2.1\",\"model_file\":\"demo.ubj\","
                          "\"sha256\":\"%s\",\"features\":[\"rr_latest\",\"spo2_latest\",\"hr_latest\"],"
                          "\"outcome\":{\"text\":\"NEWS2 total reaches 7 or more\",\"coding\":"
                          "[{\"system\":\"urn:wardwatch\",\"code\":\"news2-high\"}]},"
                          "\"horizon_minutes\":240,\"intended_use\":\"Tests.\","
                          "\"training_data\":\"Seeded.\",\"validation\":{\"auroc\":0.5},"
                          "\"not_for_clinical_use\":true,\"notice\":\"Not for clinical use.\"}",
                          sha256 != NULL ? sha256 : own);
  g_file_set_contents (card_path, card, -1, &error);
  g_assert_no_error (error);
}

static void
train (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  float data[300 * N_FEATURES];
  float labels[300];
  DMatrixHandle matrix;
  BoosterHandle booster;

  for (guint r = 0; r < 300; r++)
    {
      float rr = g_rand_double_range (rand, 8, 32);
      float spo2 = g_rand_double_range (rand, 84, 100);

      data[r * N_FEATURES + 0] = rr;
      data[r * N_FEATURES + 1] = spo2;
      data[r * N_FEATURES + 2] = g_rand_double_range (rand, 40, 140);
      labels[r] = (rr > 24 || spo2 < 90) ? 1 : 0;
    }

  g_assert_cmpint (XGDMatrixCreateFromMat (data, 300, N_FEATURES, NAN, &matrix), ==, 0);
  g_assert_cmpint (XGDMatrixSetFloatInfo (matrix, "label", labels, 300), ==, 0);
  g_assert_cmpint (XGBoosterCreate (&matrix, 1, &booster), ==, 0);
  g_assert_cmpint (XGBoosterSetParam (booster, "objective", "binary:logistic"), ==, 0);
  g_assert_cmpint (XGBoosterSetParam (booster, "nthread", "1"), ==, 0);
  for (int i = 0; i < 6; i++)
    g_assert_cmpint (XGBoosterUpdateOneIter (booster, i, matrix), ==, 0);
  g_assert_cmpint (XGBoosterSetStrFeatureInfo (booster, "feature_name",
                                               (const char **) features, N_FEATURES), ==, 0);
  g_assert_cmpint (XGBoosterSaveModel (booster, model_path), ==, 0);
  XGBoosterFree (booster);
  XGDMatrixFree (matrix);
}

/* The line's probability and contributions are the runtime's own. */
static void
assert_scored (JsonObject   *line,
               WardModel    *model,
               const double  row[N_FEATURES])
{
  g_autoptr(GError) error = NULL;
  double probability;
  double contributions[N_FEATURES + 1];
  JsonObject *by_name;

  g_assert_false (json_object_has_member (line, "error"));
  g_assert_true (ward_model_predict (model, row, &probability, contributions, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (json_object_get_string_member (line, "model"), ==, "cli-test");
  g_assert_cmpstr (json_object_get_string_member (line, "version"), ==, "2.1");
  g_assert_true (json_object_get_boolean_member (line, "not_for_clinical_use"));
  g_assert_cmpfloat (json_object_get_double_member (line, "probability"), ==, probability);
  by_name = json_object_get_object_member (line, "contributions");
  g_assert_cmpuint (json_object_get_size (by_name), ==, N_FEATURES);
  for (guint f = 0; f < N_FEATURES; f++)
    g_assert_cmpfloat (json_object_get_double_member (by_name, features[f]), ==, contributions[f]);
  g_assert_cmpfloat (json_object_get_double_member (line, "bias"), ==, contributions[N_FEATURES]);
}

static void
test_json_lines (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardModel) model = ward_model_load (model_path, &error);
  g_autoptr(CliRun) run = NULL;
  g_autofree char *option = g_strconcat ("--model=", model_path, NULL);
  const char * const argv[] = { "score", option, NULL };
  const double sick[N_FEATURES] = { 30, 86, 120 };
  const double partial[N_FEATURES] = { 12, NAN, NAN };

  g_assert_no_error (error);

  run = run_cli (argv,
                 "{\"patient_id\":\"p1\",\"rr_latest\":30,\"spo2_latest\":86,\"hr_latest\":120,\"outcome\":1}\n"
                 "{\"rr_latest\":\"thirty\"}\n"
                 "not json\n"
                 "\n"
                 "{\"patient_id\":\"p2\",\"rr_latest\":12,\"spo2_latest\":null}\n"
                 "{\"rr_latest\":12,\"hr_latest\":1e400}\n");

  /* A bad row gets its error line and the rows after it are scored. */
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->lines->len, ==, 5);
  assert_scored (g_ptr_array_index (run->lines, 0), model, sick);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (run->lines, 0), "patient_id"), ==, "p1");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (run->lines, 1), "error"), ==,
                   "line 2: rr_latest: expected a number, true, false or null");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (g_ptr_array_index (run->lines, 2), "error"),
                                   "line 3: not valid JSON"));
  assert_scored (g_ptr_array_index (run->lines, 3), model, partial);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (run->lines, 3), "patient_id"), ==, "p2");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (g_ptr_array_index (run->lines, 4), "error"),
                                   "line 6: "));

  /* An unknown name is reported, once; the notice is said. */
  g_assert_nonnull (strstr (run->stderr_text, "“outcome” is not one of the model's features"));
  g_assert_nonnull (strstr (run->stderr_text, "Not for clinical use."));
}

static void
test_csv (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardModel) model = ward_model_load (model_path, &error);
  g_autofree char *option = g_strconcat ("--model=", model_path, NULL);
  const char * const argv[] = { "score", option, "--csv", NULL };
  g_autoptr(CliRun) run = NULL;
  g_autoptr(CliRun) lacking = NULL;
  const double sick[N_FEATURES] = { 30, 86, 120 };
  const double partial[N_FEATURES] = { NAN, 97, 70 };

  g_assert_no_error (error);

  /* Columns in another order than the card's, with an outcome column. */
  run = run_cli (argv,
                 "patient_id,hr_latest,spo2_latest,rr_latest,outcome_news2_high\n"
                 "\"bed, 4\",120,86,30,1\n"
                 "p2,70,97,,0\n"
                 "p3,70,97\n"
                 "p4,abc,97,12,0\n"
                 "p5,70,97, ,0\n");
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->lines->len, ==, 5);
  assert_scored (g_ptr_array_index (run->lines, 0), model, sick);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (run->lines, 0), "patient_id"), ==, "bed, 4");
  assert_scored (g_ptr_array_index (run->lines, 1), model, partial);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (run->lines, 2), "error"), ==,
                   "line 4: 3 fields, but the header names 5 columns");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (run->lines, 3), "error"), ==,
                   "line 5: hr_latest: “abc” is not a number");
  assert_scored (g_ptr_array_index (run->lines, 4), model, partial);

  /* A header without one of the model's features scores nothing. */
  lacking = run_cli (argv, "rr_latest,hr_latest\n20,80\n");
  g_assert_cmpint (lacking->exit_status, ==, 1);
  g_assert_cmpuint (lacking->lines->len, ==, 0);
  g_assert_nonnull (strstr (lacking->stderr_text, "lacks the model's features spo2_latest"));
}

static void
test_refused_model (void)
{
  g_autofree char *option = g_strconcat ("--model=", model_path, NULL);
  const char * const argv[] = { "score", option, NULL };
  const char * const csv_alone[] = { "score", "--csv", NULL };
  g_autoptr(CliRun) run = NULL;
  g_autoptr(CliRun) usage = NULL;

  write_card ("0000000000000000000000000000000000000000000000000000000000000000");
  run = run_cli (argv, "{\"rr_latest\":20}\n");
  write_card (NULL);

  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->lines->len, ==, 0);
  g_assert_nonnull (strstr (run->stderr_text, "the model is refused"));
  g_assert_nonnull (strstr (run->stderr_text, "SHA-256"));

  usage = run_cli (csv_alone, "");
  g_assert_cmpint (usage->exit_status, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("WARDWATCH_CLI") == NULL)
    {
      g_test_skip ("WARDWATCH_CLI does not name the built wardwatch-cli");
      return g_test_run ();
    }

  model_dir = g_dir_make_tmp ("test-cli-score-model-XXXXXX", &error);
  g_assert_no_error (error);
  model_path = g_build_filename (model_dir, "demo.ubj", NULL);
  train ();
  write_card (NULL);

  g_test_add_func ("/cli/score-model/json-lines", test_json_lines);
  g_test_add_func ("/cli/score-model/csv", test_csv);
  g_test_add_func ("/cli/score-model/refused-model", test_refused_model);

  status = g_test_run ();

  {
    g_autofree char *card_path = g_build_filename (model_dir, "demo.card.json", NULL);

    g_remove (card_path);
    g_remove (model_path);
    g_rmdir (model_dir);
  }
  g_free (model_path);
  g_free (model_dir);
  return status;
}
