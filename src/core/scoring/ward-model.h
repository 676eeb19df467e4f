/* ward-model.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-model-card.h"

G_BEGIN_DECLS

/* A deterioration model on libxgboost: one binary:logistic XGBoost model
 * (JSON or UBJSON) and the card beside it.  Loading refuses, with a
 * WARD_MODEL_ERROR, a missing file, an invalid card, a model file whose
 * SHA-256 is not the card's, a file XGBoost cannot read, a model whose
 * own feature names are not the card's list in the card's order, and any
 * objective other than binary:logistic.  A refused model is never half
 * loaded: the caller gets NULL and the other scorers go on.
 *
 * Threads: a WardModel is immutable once loaded and may be shared; the
 * reference count is atomic.  XGBoost hands predictions back in a buffer
 * owned by the booster, so predictions on one model are serialized by a
 * lock inside it (two models predict in parallel).  XGBoost itself runs
 * on one thread (nthread 1): the pipeline thread must not fan out.
 */
typedef struct _WardModel WardModel;

/* One feature's share of a prediction, in log-odds. */
typedef struct
{
  const char  *feature;         /* owned by the model's card */
  guint        index;           /* in the card's order */
  double       value;           /* the row's value, NaN when missing */
  double       contribution;    /* log-odds */
} WardModelContribution;

/* @path is the model (NAME.json or NAME.ubj, the card is NAME.card.json
 * beside it) or the card itself (NAME.card.json, the model is its
 * model_file beside it).
 */
WardModel            *ward_model_load              (const char            *path,
                                                    GError               **error);
WardModel            *ward_model_ref               (WardModel             *model);
void                  ward_model_unref             (WardModel             *model);

const WardModelCard  *ward_model_get_card          (WardModel             *model);
guint                 ward_model_get_n_features    (WardModel             *model);
/* The model file that was loaded and checked. */
const char           *ward_model_get_path          (WardModel             *model);

/* Scores one row: @row holds the card's features in the card's order,
 * NaN for a missing value (infinities are refused).  @probability gets
 * the predicted probability of the card's outcome.  When not NULL,
 * @contributions gets n_features + 1 SHAP values in log-odds, the last
 * one the bias: their sum is the log-odds of @probability.
 */
gboolean              ward_model_predict           (WardModel             *model,
                                                    const double          *row,
                                                    double                *probability,
                                                    double                *contributions,
                                                    GError               **error);
/* The same for @n_rows rows, row-major: @rows holds n_rows × n_features
 * values, @probabilities n_rows, @contributions (or NULL)
 * n_rows × (n_features + 1).  On error nothing is written.
 */
gboolean              ward_model_predict_batch     (WardModel             *model,
                                                    const double          *rows,
                                                    gsize                  n_rows,
                                                    double                *probabilities,
                                                    double                *contributions,
                                                    GError               **error);

/* Fills @out with up to @n features of one prediction, the largest
 * absolute contributions first (the bias is not a feature and is left
 * out; ties keep the card's order).  @row may be NULL (values are then
 * NaN).  Returns how many were written.
 */
guint                 ward_model_top_contributions (WardModel             *model,
                                                    const double          *row,
                                                    const double          *contributions,
                                                    guint                  n,
                                                    WardModelContribution *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardModel, ward_model_unref)

G_END_DECLS
