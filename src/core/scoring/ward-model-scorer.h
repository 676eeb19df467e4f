/* ward-model-scorer.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-model.h"
#include "ward-scorer.h"

G_BEGIN_DECLS

/* The top contributions a model score keeps (and the screen shows). */
#define WARD_MODEL_SCORER_N_TOP 5
/* Within a window, a change of NEWS2's points predicts again at most
 * this often.
 */
#define WARD_MODEL_SCORER_MIN_INTERVAL (60 * G_USEC_PER_SEC)

/* A WardScorer over a WardModel (ward-model.h).  For each patient window
 * it computes the feature row (ward-features.h) at the earlier of the
 * window end and now (the open window ends at the next step: the values
 * observed so far), the NEWS2 features taken from the window's own
 * NEWS2 score, predicts, and
 * returns a probability score of kind "model:NAME" (NAME the card's
 * name) with:
 *
 *  - contributions: the WARD_MODEL_SCORER_N_TOP features with the
 *    largest absolute SHAP contributions (log-odds), largest first, each
 *    with the feature's value;
 *  - outcome: the card's outcome as a FHIR CodeableConcept;
 *  - detail_json: the card (name, version, sha256, horizon, outcome
 *    text, not_for_clinical_use, notice, may_flag, flag probability,
 *    card path), features_at (ISO 8601) and the whole feature row, for
 *    the record.
 *
 * Cost: the patient's measurements are kept in memory, per patient; the
 * first window reads the longest feature span (24 h) from the store
 * through the input's history, each later one only what was observed
 * since (and two minutes before, for values that arrive late).  A prediction is made at most once per patient per window
 * step (windows end on step multiples): a re-score of the same window
 * reuses it unless the window's NEWS2 points changed, and then at most
 * once every WARD_MODEL_SCORER_MIN_INTERVAL.
 */
#define WARD_TYPE_MODEL_SCORER (ward_model_scorer_get_type ())
G_DECLARE_FINAL_TYPE (WardModelScorer, ward_model_scorer, WARD, MODEL_SCORER, GObject)

#define WARD_MODEL_SCORER_KIND_PREFIX "model:"

/* FALSE with WARD_MODEL_ERROR_FEATURES when the card names a feature
 * the features table has not (a model made for another Wardwatch).
 */
gboolean     ward_model_scorer_check_features   (WardModel        *model,
                                                 GError          **error);
/* The model must pass ward_model_scorer_check_features(). */
WardScorer  *ward_model_scorer_new              (WardModel        *model);
WardModel   *ward_model_scorer_get_model        (WardModelScorer  *self);
/* Predictions made (not reused), for tests and benchmarks. */
guint64      ward_model_scorer_get_n_predictions (WardModelScorer *self);
/* How many patients' first windows (each reads a day of history from
 * the store, about 0.16 s) one batch (one value of the input's now) may
 * compute; the others score nothing in that batch and come at the next
 * ones.  0: no limit.  Default WARD_MODEL_SCORER_FIRST_WINDOWS_PER_BATCH.
 */
#define WARD_MODEL_SCORER_FIRST_WINDOWS_PER_BATCH 2
void         ward_model_scorer_set_first_windows_per_batch (WardModelScorer *self,
                                                 guint             n);
/* Forgets a patient's measurements and cached prediction. */
void         ward_model_scorer_forget_patient   (WardModelScorer  *self,
                                                 const char       *patient_id);

/* The human label of a feature, short enough for a clinician's line:
 * "RR slope 4 h", "SpO2 min 30 min", "NEWS2 total".  Translated.
 */
char        *ward_model_feature_label           (const char       *feature);

G_END_DECLS
