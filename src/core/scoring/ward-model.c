/* ward-model.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-model"

#include "config.h"

#include "ward-model.h"

#include <xgboost/c_api.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A model file is a few megabytes at most; a larger file is not one. */
#define MODEL_MAX_BYTES (256u * 1024u * 1024u)

#define PREDICT_CONFIG \
  "{\"type\": %d, \"training\": false, \"iteration_begin\": 0, " \
  "\"iteration_end\": 0, \"strict_shape\": false}"

struct _WardModel
{
  gatomicrefcount  ref_count;
  WardModelCard   *card;
  char            *path;
  BoosterHandle    booster;
  GMutex           lock;     /* held around every call on booster after loading */
};

/* XGBoost's last error on this thread, without the stack trace it
 * appends: "[12:00:00] file.cc:42: Check failed: ..." and nothing more.
 */
static void
set_xgboost_error (GError     **error,
                   int          code,
                   const char  *origin,
                   const char  *what)
{
  const char *message = XGBGetLastError ();
  g_autofree char *reason = g_strdup (message != NULL && message[0] != '\0'
                                      ? message : "no reason given");
  char *trace = strstr (reason, "Stack trace:");

  if (trace != NULL)
    *trace = '\0';
  g_strstrip (reason);

  g_set_error (error, WARD_MODEL_ERROR, code, "%s: %s: %s", origin, what, reason);
}

static void
ward_model_free (WardModel *model)
{
  if (model->booster != NULL)
    XGBoosterFree (model->booster);
  g_mutex_clear (&model->lock);
  g_clear_pointer (&model->card, ward_model_card_free);
  g_free (model->path);
  g_free (model);
}

WardModel *
ward_model_ref (WardModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  g_atomic_ref_count_inc (&model->ref_count);
  return model;
}

void
ward_model_unref (WardModel *model)
{
  g_return_if_fail (model != NULL);

  if (g_atomic_ref_count_dec (&model->ref_count))
    ward_model_free (model);
}

const WardModelCard *
ward_model_get_card (WardModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return model->card;
}

guint
ward_model_get_n_features (WardModel *model)
{
  g_return_val_if_fail (model != NULL, 0);

  return model->card->n_features;
}

const char *
ward_model_get_path (WardModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return model->path;
}

/* Finds the card and the model file from whichever of the two @path
 * names, and loads the card.
 */
static WardModelCard *
load_card_for (const char  *path,
               char       **model_path,
               GError     **error)
{
  g_autoptr(WardModelCard) card = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *card_path = NULL;

  if (g_str_has_suffix (path, ".card.json"))
    {
      card = ward_model_card_load (path, error);
      if (card == NULL)
        return NULL;
      *model_path = g_build_filename (dir, card->model_file, NULL);
      return g_steal_pointer (&card);
    }

  if (!g_str_has_suffix (path, ".json") && !g_str_has_suffix (path, ".ubj"))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_NOT_FOUND,
                   "%s: expected an XGBoost model ending in .json or .ubj, or its .card.json",
                   path);
      return NULL;
    }

  /* NAME.json or NAME.ubj: the card is NAME.card.json. */
  card_path = g_strdup_printf ("%.*s.card.json", (int) (strrchr (path, '.') - path), path);
  if (!g_file_test (card_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_NOT_FOUND,
                   "%s: no model card beside the model (expected %s)", path, card_path);
      return NULL;
    }

  card = ward_model_card_load (card_path, error);
  if (card == NULL)
    return NULL;

  if (!g_str_equal (card->model_file, base))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CARD_INVALID,
                   "%s: model_file: the card describes “%s”, not “%s”",
                   card_path, card->model_file, base);
      return NULL;
    }

  *model_path = g_strdup (path);
  return g_steal_pointer (&card);
}

static gboolean
check_objective (BoosterHandle   booster,
                 const char     *path,
                 GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *config = NULL;
  const char *objective = NULL;
  bst_ulong length = 0;
  JsonNode *root;

  if (XGBoosterSaveJsonConfig (booster, &length, &config) != 0)
    {
      set_xgboost_error (error, WARD_MODEL_ERROR_CORRUPT, path,
                         "XGBoost cannot give the model's configuration");
      return FALSE;
    }

  if (json_parser_load_from_data (parser, config, length, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonObject *learner = json_object_get_object_member (object, "learner");
      JsonObject *objective_object = NULL;

      if (learner != NULL && json_object_has_member (learner, "objective"))
        objective_object = json_object_get_object_member (learner, "objective");
      if (objective_object != NULL && json_object_has_member (objective_object, "name"))
        objective = json_object_get_string_member (objective_object, "name");
    }

  if (objective == NULL || !g_str_equal (objective, "binary:logistic"))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_OBJECTIVE,
                   "%s: the model's objective is “%s”; only binary:logistic models give "
                   "a probability", path, objective != NULL ? objective : "unknown");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_features (BoosterHandle         booster,
                const WardModelCard  *card,
                const char           *path,
                GError              **error)
{
  const char **names = NULL;
  bst_ulong n_names = 0;
  bst_ulong n_features = 0;

  if (XGBoosterGetStrFeatureInfo (booster, "feature_name", &n_names, &names) != 0)
    {
      set_xgboost_error (error, WARD_MODEL_ERROR_CORRUPT, path,
                         "XGBoost cannot give the model's feature names");
      return FALSE;
    }

  if (n_names == 0)
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES,
                   "%s: the model file carries no feature names, so nothing shows that "
                   "it reads the card's features", path);
      return FALSE;
    }

  for (guint i = 0; i < MAX (n_names, card->n_features); i++)
    {
      if (i >= n_names)
        {
          g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES,
                       "%s: the card lists %u features, the model %u: feature %u "
                       "“%s” is only in the card", path, card->n_features,
                       (guint) n_names, i + 1, card->features[i]);
          return FALSE;
        }
      if (i >= card->n_features)
        {
          g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES,
                       "%s: the card lists %u features, the model %u: feature %u "
                       "“%s” is only in the model", path, card->n_features,
                       (guint) n_names, i + 1, names[i]);
          return FALSE;
        }
      if (!g_str_equal (names[i], card->features[i]))
        {
          g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES,
                       "%s: feature %u is “%s” in the card but “%s” in the model",
                       path, i + 1, card->features[i], names[i]);
          return FALSE;
        }
    }

  if (XGBoosterGetNumFeature (booster, &n_features) != 0 || n_features != card->n_features)
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES,
                   "%s: the model reads %u features but names %u",
                   path, (guint) n_features, card->n_features);
      return FALSE;
    }

  return TRUE;
}

WardModel *
ward_model_load (const char  *path,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(WardModelCard) card = NULL;
  g_autofree char *model_path = NULL;
  g_autofree char *data = NULL;
  g_autofree char *sha256 = NULL;
  BoosterHandle booster = NULL;
  WardModel *model;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  card = load_card_for (path, &model_path, error);
  if (card == NULL)
    return NULL;

  if (!g_file_get_contents (model_path, &data, &length, &local_error))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_NOT_FOUND,
                   "Cannot read the model file: %s", local_error->message);
      return NULL;
    }
  if (length > MODEL_MAX_BYTES)
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CORRUPT,
                   "%s: %" G_GSIZE_FORMAT " bytes is too large for a model file",
                   model_path, length);
      return NULL;
    }

  /* The checksum first: XGBoost only ever parses the bytes the card vouches for. */
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  if (!g_str_equal (sha256, card->sha256))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CHECKSUM,
                   "%s: the file's SHA-256 is %s but its card expects %s: "
                   "this is not the model the card describes",
                   model_path, sha256, card->sha256);
      return NULL;
    }

  /* JSON and UBJSON models both open with '{'; anything else would send
   * XGBoost down its deprecated binary reader, which trusts its input.
   */
  if (length < 2 || data[0] != '{')
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CORRUPT,
                   "%s: not an XGBoost JSON or UBJSON model", model_path);
      return NULL;
    }

  if (XGBoosterCreate (NULL, 0, &booster) != 0)
    {
      set_xgboost_error (error, WARD_MODEL_ERROR_CORRUPT, model_path,
                         "XGBoost cannot make a booster");
      return NULL;
    }

  if (XGBoosterLoadModelFromBuffer (booster, data, length) != 0)
    {
      set_xgboost_error (error, WARD_MODEL_ERROR_CORRUPT, model_path,
                         "XGBoost cannot read the model");
      XGBoosterFree (booster);
      return NULL;
    }

  if (!check_objective (booster, model_path, error) ||
      !check_features (booster, card, model_path, error))
    {
      XGBoosterFree (booster);
      return NULL;
    }

  if (XGBoosterSetParam (booster, "nthread", "1") != 0)
    {
      set_xgboost_error (error, WARD_MODEL_ERROR_CORRUPT, model_path,
                         "XGBoost refuses nthread 1");
      XGBoosterFree (booster);
      return NULL;
    }

  model = g_new0 (WardModel, 1);
  g_atomic_ref_count_init (&model->ref_count);
  g_mutex_init (&model->lock);
  model->card = g_steal_pointer (&card);
  model->path = g_steal_pointer (&model_path);
  model->booster = booster;

  g_debug ("Loaded model %s %s from %s (%u features)", model->card->name,
           model->card->version, model->path, model->card->n_features);

  return model;
}

/* Runs one prediction of @type (0: probability, 2: contributions) and
 * copies @expected values out of XGBoost's buffer.  Called with the lock
 * held.
 */
static gboolean
predict_locked (WardModel      *model,
                DMatrixHandle   matrix,
                int             type,
                gsize           n_rows,
                gsize           per_row,
                double         *out,
                GError        **error)
{
  g_autofree char *config = g_strdup_printf (PREDICT_CONFIG, type);
  const bst_ulong *shape = NULL;
  const float *result = NULL;
  bst_ulong dim = 0;
  bst_ulong n_values = 1;

  if (XGBoosterPredictFromDMatrix (model->booster, matrix, config, &shape, &dim, &result) != 0)
    {
      set_xgboost_error (error, WARD_MODEL_ERROR_PREDICT, model->card->name,
                         "XGBoost cannot predict");
      return FALSE;
    }

  for (bst_ulong i = 0; i < dim; i++)
    n_values *= shape[i];

  if (dim == 0 || shape[0] != n_rows || n_values != n_rows * per_row)
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_PREDICT,
                   "%s: XGBoost gave %u values for %" G_GSIZE_FORMAT " rows, expected %"
                   G_GSIZE_FORMAT " per row", model->card->name, (guint) n_values,
                   n_rows, per_row);
      return FALSE;
    }

  for (gsize i = 0; i < n_rows * per_row; i++)
    out[i] = result[i];

  return TRUE;
}

gboolean
ward_model_predict_batch (WardModel     *model,
                          const double  *rows,
                          gsize          n_rows,
                          double        *probabilities,
                          double        *contributions,
                          GError       **error)
{
  g_autofree float *values = NULL;
  g_autofree double *probabilities_out = NULL;
  g_autofree double *contributions_out = NULL;
  guint n_features;
  DMatrixHandle matrix = NULL;
  gboolean ok;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (rows != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (probabilities != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_rows == 0)
    return TRUE;

  n_features = model->card->n_features;

  /* XGBoost reads single-precision floats, as python3-xgboost does with
   * a double table: values beyond float range would become infinities.
   */
  values = g_new (float, n_rows * n_features);
  for (gsize r = 0; r < n_rows; r++)
    for (guint f = 0; f < n_features; f++)
      {
        double value = rows[r * n_features + f];

        if (!isnan (value) && !(fabs (value) <= FLT_MAX))
          {
            g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_INPUT,
                         "row %" G_GSIZE_FORMAT ": %s: %g is not a finite number the model "
                         "can read", r + 1, model->card->features[f], value);
            return FALSE;
          }
        values[r * n_features + f] = isnan (value) ? NAN : (float) value;
      }

  probabilities_out = g_new (double, n_rows);
  if (contributions != NULL)
    contributions_out = g_new (double, n_rows * (n_features + 1));

  g_mutex_lock (&model->lock);

  if (XGDMatrixCreateFromMat_omp (values, n_rows, n_features, NAN, &matrix, 1) != 0)
    {
      set_xgboost_error (error, WARD_MODEL_ERROR_PREDICT, model->card->name,
                         "XGBoost cannot take the rows");
      g_mutex_unlock (&model->lock);
      return FALSE;
    }

  ok = predict_locked (model, matrix, 0, n_rows, 1, probabilities_out, error) &&
       (contributions == NULL ||
        predict_locked (model, matrix, 2, n_rows, n_features + 1, contributions_out, error));

  XGDMatrixFree (matrix);
  g_mutex_unlock (&model->lock);

  if (!ok)
    return FALSE;

  memcpy (probabilities, probabilities_out, n_rows * sizeof (double));
  if (contributions != NULL)
    memcpy (contributions, contributions_out, n_rows * (n_features + 1) * sizeof (double));

  return TRUE;
}

gboolean
ward_model_predict (WardModel     *model,
                    const double  *row,
                    double        *probability,
                    double        *contributions,
                    GError       **error)
{
  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (row != NULL, FALSE);
  g_return_val_if_fail (probability != NULL, FALSE);

  return ward_model_predict_batch (model, row, 1, probability, contributions, error);
}

static int
compare_contributions (gconstpointer a,
                       gconstpointer b)
{
  const WardModelContribution *ca = a;
  const WardModelContribution *cb = b;
  double abs_a = fabs (ca->contribution);
  double abs_b = fabs (cb->contribution);

  if (abs_a != abs_b)
    return abs_a > abs_b ? -1 : 1;

  return ca->index < cb->index ? -1 : ca->index > cb->index;
}

guint
ward_model_top_contributions (WardModel              *model,
                              const double           *row,
                              const double           *contributions,
                              guint                   n,
                              WardModelContribution  *out)
{
  g_autofree WardModelContribution *all = NULL;
  guint n_features;

  g_return_val_if_fail (model != NULL, 0);
  g_return_val_if_fail (contributions != NULL, 0);
  g_return_val_if_fail (out != NULL || n == 0, 0);

  n_features = model->card->n_features;
  all = g_new (WardModelContribution, n_features);
  for (guint i = 0; i < n_features; i++)
    {
      all[i].feature = model->card->features[i];
      all[i].index = i;
      all[i].value = row != NULL ? row[i] : NAN;
      all[i].contribution = contributions[i];
    }

  /* The index breaks ties, so the order is total and qsort's
   * instability cannot show.
   */
  qsort (all, n_features, sizeof (WardModelContribution), compare_contributions);

  n = MIN (n, n_features);
  memcpy (out, all, n * sizeof (WardModelContribution));
  return n;
}
