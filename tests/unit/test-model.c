/* test-model.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <xgboost/c_api.h>

#include <math.h>
#include <string.h>

#include "ward-model.h"

/* Every model here is trained at test time with libxgboost's own C API
 * on a seeded table, written to a temporary directory with a card, and
 * then loaded as a ward would load it.  python3-xgboost's parity is
 * tested separately (model-parity.py).
 */

#define N_ROWS 200

static const char * const features[] = { "rr_latest", "spo2_latest", "hr_latest", "news2_total" };
#define N_FEATURES G_N_ELEMENTS (features)

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-model-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_remove (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_dir (fixture->dir);
  g_free (fixture->dir);
}

/* Trains a small model on a seeded table where a high respiratory rate
 * and a low saturation mean the outcome, and saves it at @path (the
 * extension chooses JSON or UBJSON).  @names NULL saves no names.
 */
static void
train_model (const char         *path,
             const char         *objective,
             const char * const *names)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  g_autofree float *data = g_new (float, N_ROWS * N_FEATURES);
  g_autofree float *labels = g_new (float, N_ROWS);
  DMatrixHandle matrix = NULL;
  BoosterHandle booster = NULL;

  for (guint r = 0; r < N_ROWS; r++)
    {
      float rr = g_rand_double_range (rand, 8, 30);
      float spo2 = g_rand_double_range (rand, 85, 100);

      data[r * N_FEATURES + 0] = rr;
      data[r * N_FEATURES + 1] = (r % 7 == 0) ? NAN : spo2;
      data[r * N_FEATURES + 2] = g_rand_double_range (rand, 40, 140);
      data[r * N_FEATURES + 3] = g_rand_int_range (rand, 0, 12);
      labels[r] = (rr > 22 || spo2 < 91) ? 1 : 0;
    }

  g_assert_cmpint (XGDMatrixCreateFromMat (data, N_ROWS, N_FEATURES, NAN, &matrix), ==, 0);
  g_assert_cmpint (XGDMatrixSetFloatInfo (matrix, "label", labels, N_ROWS), ==, 0);
  g_assert_cmpint (XGBoosterCreate (&matrix, 1, &booster), ==, 0);
  g_assert_cmpint (XGBoosterSetParam (booster, "objective", objective), ==, 0);
  g_assert_cmpint (XGBoosterSetParam (booster, "max_depth", "3"), ==, 0);
  g_assert_cmpint (XGBoosterSetParam (booster, "nthread", "1"), ==, 0);
  g_assert_cmpint (XGBoosterSetParam (booster, "seed", "15"), ==, 0);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint (XGBoosterUpdateOneIter (booster, i, matrix), ==, 0);
  if (names != NULL)
    g_assert_cmpint (XGBoosterSetStrFeatureInfo (booster, "feature_name",
                                                 (const char **) names, N_FEATURES), ==, 0);
  g_assert_cmpint (XGBoosterSaveModel (booster, path), ==, 0);

  XGBoosterFree (booster);
  XGDMatrixFree (matrix);
}

static char *
file_sha256 (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

/* Writes NAME.card.json for @model_file, with @card_features (NULL:
 * leave the member out) and @sha256 (NULL: the file's own).
 */
static char *
write_card (const char         *dir,
            const char         *model_file,
            const char * const *card_features,
            guint               n_card_features,
            const char         *sha256)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *model_path = g_build_filename (dir, model_file, NULL);
  g_autofree char *own_sha256 = file_sha256 (model_path);
  g_autofree char *stem = g_strndup (model_file, strrchr (model_file, '.') - model_file);
  g_autofree char *card_name = g_strconcat (stem, ".card.json", NULL);
  char *card_path = g_build_filename (dir, card_name, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "test-deterioration");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, "1.0.0");
  json_builder_set_member_name (builder, "model_file");
  json_builder_add_string_value (builder, model_file);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sha256 != NULL ? sha256 : own_sha256);
  if (card_features != NULL)
    {
      json_builder_set_member_name (builder, "features");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_card_features; i++)
        json_builder_add_string_value (builder, card_features[i]);
      json_builder_end_array (builder);
    }
  json_builder_set_member_name (builder, "outcome");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, "NEWS2 total reaches 7 or more");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "horizon_minutes");
  json_builder_add_int_value (builder, 240);
  json_builder_set_member_name (builder, "intended_use");
  json_builder_add_string_value (builder, "Tests only.");
  json_builder_set_member_name (builder, "training_data");
  json_builder_add_string_value (builder, "A seeded synthetic table.");
  json_builder_set_member_name (builder, "validation");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "auroc");
  json_builder_add_double_value (builder, 0.9);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "not_for_clinical_use");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "notice");
  json_builder_add_string_value (builder, "Not for clinical use.");
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_to_file (generator, card_path, &error);
  g_assert_no_error (error);

  return card_path;
}

static char *
make_model (Fixture    *fixture,
            const char *model_file)
{
  g_autofree char *path = g_build_filename (fixture->dir, model_file, NULL);
  g_autofree char *card = NULL;

  train_model (path, "binary:logistic", features);
  card = write_card (fixture->dir, model_file, features, N_FEATURES, NULL);
  return g_steal_pointer (&path);
}

static void
check_predictions (WardModel *model)
{
  double rows[3][N_FEATURES] = {
    { 28, 88, 120, 9 },
    { 14, 98, 70, 0 },
    { 26, NAN, 110, 5 },   /* saturation missing */
  };
  double probabilities[3];
  double contributions[3][N_FEATURES + 1];
  WardModelContribution top[N_FEATURES + 2];
  double single;
  double single_contributions[N_FEATURES + 1];
  g_autoptr(GError) error = NULL;
  guint n;

  g_assert_true (ward_model_predict_batch (model, &rows[0][0], 3, probabilities,
                                           &contributions[0][0], &error));
  g_assert_no_error (error);

  /* The seeded rule: the sick row scores high, the well row low. */
  g_assert_cmpfloat (probabilities[0], >, 0.8);
  g_assert_cmpfloat (probabilities[1], <, 0.2);

  for (guint r = 0; r < 3; r++)
    {
      double margin = 0;

      g_assert_cmpfloat (probabilities[r], >, 0);
      g_assert_cmpfloat (probabilities[r], <, 1);
      /* Contributions are log-odds: with the bias they add up to the
       * prediction's logit.
       */
      for (guint f = 0; f <= N_FEATURES; f++)
        margin += contributions[r][f];
      g_assert_cmpfloat_with_epsilon (1 / (1 + exp (-margin)), probabilities[r], 1e-5);
    }

  /* One row alone gives what it gave in the batch. */
  g_assert_true (ward_model_predict (model, rows[2], &single, single_contributions, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (single, ==, probabilities[2]);
  for (guint f = 0; f <= N_FEATURES; f++)
    g_assert_cmpfloat (single_contributions[f], ==, contributions[2][f]);

  /* Probability only. */
  g_assert_true (ward_model_predict (model, rows[0], &single, NULL, &error));
  g_assert_cmpfloat (single, ==, probabilities[0]);

  n = ward_model_top_contributions (model, rows[0], contributions[0], 2, top);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpfloat (fabs (top[0].contribution), >=, fabs (top[1].contribution));
  for (guint f = 0; f < N_FEATURES; f++)
    if (f != top[0].index)
      g_assert_cmpfloat (fabs (contributions[0][f]), <=, fabs (top[0].contribution));
  g_assert_cmpstr (top[0].feature, ==, features[top[0].index]);
  g_assert_cmpfloat (top[0].value, ==, rows[0][top[0].index]);
  g_assert_cmpfloat (top[0].contribution, ==, contributions[0][top[0].index]);

  /* Asking for more than there are gives every feature, never the bias. */
  n = ward_model_top_contributions (model, NULL, contributions[0], N_FEATURES + 2, top);
  g_assert_cmpuint (n, ==, N_FEATURES);
  g_assert_true (isnan (top[0].value));
}

static void
test_load_json_and_ubj (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const files[] = { "demo.json", "demo.ubj" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = make_model (fixture, files[i]);
      g_autofree char *card_path = NULL;
      g_autoptr(WardModel) model = ward_model_load (path, &error);
      g_autoptr(WardModel) by_card = NULL;
      const WardModelCard *card;

      g_assert_no_error (error);
      g_assert_nonnull (model);
      card = ward_model_get_card (model);
      g_assert_cmpstr (card->name, ==, "test-deterioration");
      g_assert_cmpstr (card->version, ==, "1.0.0");
      g_assert_cmpuint (ward_model_get_n_features (model), ==, N_FEATURES);
      g_assert_cmpstr (card->features[3], ==, "news2_total");
      g_assert_cmpint (card->horizon_minutes, ==, 240);
      g_assert_true (card->not_for_clinical_use);
      g_assert_false (card->may_flag);
      g_assert_cmpstr (ward_model_get_path (model), ==, path);
      check_predictions (model);

      /* The card's path names the same model. */
      card_path = g_build_filename (fixture->dir, "demo.card.json", NULL);
      by_card = ward_model_load (card_path, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (ward_model_get_path (by_card), ==, path);
    }
}

static void
test_missing_files (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = make_model (fixture, "demo.json");
  g_autofree char *card = g_build_filename (fixture->dir, "demo.card.json", NULL);
  g_autofree char *nowhere = g_build_filename (fixture->dir, "absent.json", NULL);
  g_autoptr(WardModel) model = NULL;

  model = ward_model_load (nowhere, &error);
  g_assert_null (model);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "absent.card.json"));
  g_clear_error (&error);

  /* The card is there, the model is not. */
  g_assert_cmpint (g_remove (path), ==, 0);
  model = ward_model_load (card, &error);
  g_assert_null (model);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "demo.json"));
  g_clear_error (&error);

  /* Not a model's name at all. */
  model = ward_model_load ("/nonexistent/model.bin", &error);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_NOT_FOUND);
}

/* Each card is refused naming the field at fault. */
static void
test_invalid_cards (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct
  {
    const char *from;
    const char *to;
    const char *field;
  } edits[] = {
    { "\"horizon_minutes\":240", "\"horizon_minutes\":-5", "horizon_minutes" },
    { "\"horizon_minutes\":240", "\"horizon_minutes\":\"4h\"", "horizon_minutes" },
    { "\"version\":\"1.0.0\",", "", "version" },
    { "\"not_for_clinical_use\":true", "\"not_for_clinical_use\":\"yes\"", "not_for_clinical_use" },
    { "\"text\":\"NEWS2 total reaches 7 or more\"", "\"txt\":\"x\"", "outcome.text" },
    { "\"validation\":{", "\"validation\":[],\"figures\":{", "validation" },
    { "\"features\":[\"rr_latest\"", "\"features\":[\"hr_latest\"", "features[2]" },
    { "\"model_file\":\"demo.json\"", "\"model_file\":\"../demo.json\"", "model_file" },
    { "\"notice\":\"Not for clinical use.\"", "\"notice\":\"Not for clinical use.\","
      "\"flag_policy\":{\"may_flag\":true,\"probability\":1.5}", "flag_policy.probability" },
    { "{", "[", "not a JSON model card" },
  };
  g_autofree char *path = make_model (fixture, "demo.json");
  g_autofree char *card_path = g_build_filename (fixture->dir, "demo.card.json", NULL);
  g_autofree char *good = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (card_path, &good, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autoptr(GString) card = g_string_new (good);
      g_autoptr(WardModel) model = NULL;
      g_autofree char *expected = g_strdup_printf ("%s: %s", card_path, edits[i].field);

      g_assert_cmpuint (g_string_replace (card, edits[i].from, edits[i].to, 1), ==, 1);
      g_file_set_contents (card_path, card->str, -1, &error);
      g_assert_no_error (error);

      model = ward_model_load (path, &error);
      g_assert_null (model);
      g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CARD_INVALID);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, edits[i].field));
      if (i + 1 < G_N_ELEMENTS (edits))
        g_assert_true (g_str_has_prefix (error->message, expected));
      g_clear_error (&error);
    }
}

static void
test_checksum_differs (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *wrong = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "demo.ubj", NULL);
  g_autofree char *card = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(WardModel) model = NULL;

  train_model (path, "binary:logistic", features);
  actual = file_sha256 (path);
  card = write_card (fixture->dir, "demo.ubj", features, N_FEATURES, wrong);

  model = ward_model_load (path, &error);
  g_assert_null (model);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CHECKSUM);
  g_assert_nonnull (strstr (error->message, wrong));
  g_assert_nonnull (strstr (error->message, actual));
}

/* A file XGBoost cannot read, with a card that vouches for its bytes:
 * the refusal carries XGBoost's own reason.
 */
static void
test_corrupt_file (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const files[] = { "demo.json", "demo.ubj" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = make_model (fixture, files[i]);
      g_autofree char *contents = NULL;
      g_autofree char *card = NULL;
      g_autoptr(WardModel) model = NULL;
      gsize length;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      /* Cut it in half. */
      g_file_set_contents (path, contents, length / 2, &error);
      g_assert_no_error (error);
      g_free (write_card (fixture->dir, files[i], features, N_FEATURES, NULL));

      model = ward_model_load (path, &error);
      g_assert_null (model);
      g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CORRUPT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "XGBoost cannot read the model: "));
      g_assert_false (g_str_has_suffix (error->message, "no reason given"));
      g_clear_error (&error);

      /* Not even JSON: never handed to XGBoost's old binary reader. */
      g_file_set_contents (path, "\x7f" "ELF garbage", -1, &error);
      g_assert_no_error (error);
      g_free (write_card (fixture->dir, files[i], features, N_FEATURES, NULL));
      model = ward_model_load (path, &error);
      g_assert_null (model);
      g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CORRUPT);
    }
}

static void
test_features_differ (Fixture       *fixture,
                      gconstpointer  data)
{
  const char * const swapped[] = { "rr_latest", "hr_latest", "spo2_latest", "news2_total" };
  const char * const extra[] = { "rr_latest", "spo2_latest", "hr_latest", "news2_total", "age_years" };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "demo.json", NULL);
  g_autoptr(WardModel) model = NULL;

  train_model (path, "binary:logistic", features);

  /* Same names, other order: a row would feed hr where spo2 belongs. */
  g_free (write_card (fixture->dir, "demo.json", swapped, 4, NULL));
  model = ward_model_load (path, &error);
  g_assert_null (model);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES);
  g_assert_nonnull (strstr (error->message, "feature 2 is “hr_latest” in the card but “spo2_latest” in the model"));
  g_clear_error (&error);

  g_free (write_card (fixture->dir, "demo.json", extra, 5, NULL));
  model = ward_model_load (path, &error);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES);
  g_assert_nonnull (strstr (error->message, "feature 5 “age_years” is only in the card"));
  g_clear_error (&error);

  g_free (write_card (fixture->dir, "demo.json", features, 3, NULL));
  model = ward_model_load (path, &error);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES);
  g_assert_nonnull (strstr (error->message, "feature 4 “news2_total” is only in the model"));
  g_clear_error (&error);

  /* A model file without names cannot show which features it reads. */
  train_model (path, "binary:logistic", NULL);
  g_free (write_card (fixture->dir, "demo.json", features, N_FEATURES, NULL));
  model = ward_model_load (path, &error);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES);
  g_assert_nonnull (strstr (error->message, "no feature names"));
}

static void
test_objective (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "demo.json", NULL);
  g_autoptr(WardModel) model = NULL;

  train_model (path, "reg:squarederror", features);
  g_free (write_card (fixture->dir, "demo.json", features, N_FEATURES, NULL));
  model = ward_model_load (path, &error);
  g_assert_null (model);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_OBJECTIVE);
  g_assert_nonnull (strstr (error->message, "“reg:squarederror”"));
}

static void
test_bad_rows (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = make_model (fixture, "demo.json");
  g_autoptr(WardModel) model = ward_model_load (path, &error);
  double rows[2][N_FEATURES] = { { 20, 95, 80, 1 }, { 20, 95, INFINITY, 1 } };
  double probabilities[2] = { -1, -1 };

  g_assert_no_error (error);
  g_assert_false (ward_model_predict_batch (model, &rows[0][0], 2, probabilities, NULL, &error));
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "row 2: hr_latest"));
  /* Nothing written on error. */
  g_assert_cmpfloat (probabilities[0], ==, -1);
  g_clear_error (&error);

  rows[1][2] = 1e300;   /* beyond a float */
  g_assert_false (ward_model_predict_batch (model, &rows[0][0], 2, probabilities, NULL, &error));
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_INPUT);
}

typedef struct
{
  WardModel *model;
  double     expected;
} ThreadData;

static gpointer
predict_many (gpointer user_data)
{
  ThreadData *data = user_data;
  double row[N_FEATURES] = { 28, 88, 120, 9 };

  for (guint i = 0; i < 200; i++)
    {
      double probability;
      double contributions[N_FEATURES + 1];

      if (!ward_model_predict (data->model, row, &probability, contributions, NULL) ||
          probability != data->expected)
        return GINT_TO_POINTER (FALSE);
    }

  return GINT_TO_POINTER (TRUE);
}

/* One model shared by threads gives each the same answer. */
static void
test_threads (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = make_model (fixture, "demo.json");
  g_autoptr(WardModel) model = ward_model_load (path, &error);
  double row[N_FEATURES] = { 28, 88, 120, 9 };
  ThreadData thread_data;
  GThread *threads[4];

  g_assert_no_error (error);
  thread_data.model = model;
  g_assert_true (ward_model_predict (model, row, &thread_data.expected, NULL, &error));

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("predict", predict_many, &thread_data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/core/model/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("load-json-and-ubj", test_load_json_and_ubj);
  ADD ("missing-files", test_missing_files);
  ADD ("invalid-cards", test_invalid_cards);
  ADD ("checksum-differs", test_checksum_differs);
  ADD ("corrupt-file", test_corrupt_file);
  ADD ("features-differ", test_features_differ);
  ADD ("objective", test_objective);
  ADD ("bad-rows", test_bad_rows);
  ADD ("threads", test_threads);

#undef ADD

  return g_test_run ();
}
