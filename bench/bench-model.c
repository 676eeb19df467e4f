/* bench-model.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <xgboost/c_api.h>

#include <math.h>
#include <stdio.h>

#include "ward-bench.h"
#include "ward-model.h"

/* The model runtime's rate with contributions, for a model the size of
 * the planned deterioration model (96 features, 100 trees of depth 4):
 * one row at a time, as the pipeline scores a window, against the batch
 * the CLI could use, measured in the same run.  The ratio is what a
 * prediction per call costs over the batch; the limit keeps the
 * per-row overhead (a DMatrix per call) from dominating.
 */

#define N_FEATURES  96
#define N_TRAIN     3000
#define N_ROWS      4000
#define N_ROWS_QUICK 400
#define MIN_RATIO   0.25

static void
train (const char *dir,
       GRand      *rand)
{
  g_autofree float *data = g_new (float, N_TRAIN * N_FEATURES);
  g_autofree float *labels = g_new (float, N_TRAIN);
  g_autofree char *path = g_build_filename (dir, "bench.json", NULL);
  g_autofree char *card_path = g_build_filename (dir, "bench.card.json", NULL);
  g_autoptr(GString) card = g_string_new (NULL);
  g_autofree char *contents = NULL;
  g_autofree char *sha256 = NULL;
  const char *names[N_FEATURES];
  char *owned[N_FEATURES];
  DMatrixHandle matrix;
  BoosterHandle booster;
  gsize length;

  for (guint r = 0; r < N_TRAIN; r++)
    {
      double sum = 0;

      for (guint f = 0; f < N_FEATURES; f++)
        {
          data[r * N_FEATURES + f] = g_rand_double_range (rand, -1, 1);
          if (f < 8)
            sum += data[r * N_FEATURES + f];
        }
      labels[r] = sum + g_rand_double_range (rand, -1, 1) > 0;
    }
  for (guint f = 0; f < N_FEATURES; f++)
    names[f] = owned[f] = g_strdup_printf ("feature_%02u", f);

  XGDMatrixCreateFromMat (data, N_TRAIN, N_FEATURES, NAN, &matrix);
  XGDMatrixSetFloatInfo (matrix, "label", labels, N_TRAIN);
  XGBoosterCreate (&matrix, 1, &booster);
  XGBoosterSetParam (booster, "objective", "binary:logistic");
  XGBoosterSetParam (booster, "max_depth", "4");
  XGBoosterSetParam (booster, "nthread", "1");
  for (int i = 0; i < 100; i++)
    XGBoosterUpdateOneIter (booster, i, matrix);
  XGBoosterSetStrFeatureInfo (booster, "feature_name", names, N_FEATURES);
  XGBoosterSaveModel (booster, path);
  XGBoosterFree (booster);
  XGDMatrixFree (matrix);

  g_file_get_contents (path, &contents, &length, NULL);
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  g_string_append_printf (card, "{\"name\":\"bench\",\"version\":\"1\",\"model_file\":\"bench.json\","
                          "\"sha256\":\"%s\",\"features\":[", sha256);
  for (guint f = 0; f < N_FEATURES; f++)
    {
      g_string_append_printf (card, "%s\"%s\"", f > 0 ? "," : "", owned[f]);
      g_free (owned[f]);
    }
  g_string_append (card, "],\"outcome\":{\"text\":\"bench\"},\"horizon_minutes\":240,"
                   "\"intended_use\":\"bench\",\"training_data\":\"random\","
                   "\"validation\":{\"none\":true},\"not_for_clinical_use\":true,\"notice\":\"bench\"}");
  g_file_set_contents (card_path, card->str, -1, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bench.json", NULL);
  g_autofree char *card_path = g_build_filename (dir, "bench.card.json", NULL);
  guint n_rows = ward_bench_scale (N_ROWS, N_ROWS_QUICK);
  g_autofree double *rows = g_new (double, n_rows * N_FEATURES);
  g_autofree double *probabilities = g_new (double, n_rows);
  g_autofree double *contributions = g_new (double, n_rows * (N_FEATURES + 1));
  g_autoptr(WardModel) model = NULL;
  double single_rate, batch_rate, ratio;
  gboolean pass;
  gint64 start;

  train (dir, rand);
  model = ward_model_load (path, &error);
  if (model == NULL)
    {
      fprintf (stderr, "bench-model: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < n_rows * N_FEATURES; i++)
    rows[i] = g_rand_int_range (rand, 0, 10) == 0 ? NAN : g_rand_double_range (rand, -1, 1);

  start = g_get_monotonic_time ();
  for (guint r = 0; r < n_rows; r++)
    if (!ward_model_predict (model, rows + r * N_FEATURES, &probabilities[r],
                             contributions + r * (N_FEATURES + 1), &error))
      {
        fprintf (stderr, "bench-model: %s\n", error->message);
        return 1;
      }
  single_rate = n_rows / ((g_get_monotonic_time () - start) / 1e6);

  start = g_get_monotonic_time ();
  if (!ward_model_predict_batch (model, rows, n_rows, probabilities, contributions, &error))
    {
      fprintf (stderr, "bench-model: %s\n", error->message);
      return 1;
    }
  batch_rate = n_rows / ((g_get_monotonic_time () - start) / 1e6);

  ratio = single_rate / batch_rate;
  printf ("bench-model: %d features, 100 trees, %u rows, probability and contributions\n",
          N_FEATURES, n_rows);
  printf ("  one row per call  %9.0f rows/s (%.1f µs a row)\n", single_rate, 1e6 / single_rate);
  printf ("  one batch         %9.0f rows/s (%.1f µs a row)\n", batch_rate, 1e6 / batch_rate);
  printf ("  ratio %.3f (limit >= %.2f) %s\n", ratio, MIN_RATIO, ratio >= MIN_RATIO ? "PASS" : "FAIL");

  g_remove (path);
  g_remove (card_path);
  g_rmdir (dir);

  /* The ratio single/batch passes at or above the limit. */
  pass = ward_bench_report ("model", WARD_BENCH_AT_LEAST, MIN_RATIO, ratio,
                            "single_rows_per_s", single_rate,
                            "batch_rows_per_s", batch_rate,
                            NULL);
  return ward_bench_exit_status (pass);
}
