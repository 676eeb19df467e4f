/* ward-score.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* One input's part in a score: for NEWS2 a parameter, its value and its
 * points; for a model a feature, its value and its contribution (a SHAP
 * value, say).  has_value is FALSE where the input was missing.
 */
typedef struct
{
  char     *name;
  gboolean  has_value;
  double    value;
  double    contribution;
} WardScoreContribution;

/* A scorer's result.  kind, label and version are the scorer's; value
 * is the score as a number (NEWS2: its total; a probability model: the
 * probability).  has_total / total / band: an integer score with a band
 * (NEWS2).  has_probability / probability: a risk between 0 and 1.
 * complete: every input the scorer wants was there; final: a nurse
 * confirmed the inputs.  not_applicable: the scorer does not apply to
 * this patient (NEWS2 under 16): kept for the record, claims no risk,
 * raises no flag.  detail: what the scorer wants stored with the score
 * (NEWS2: its inputs), a JSON text; outcome: the FHIR CodeableConcept of the outcome
 * a probability predicts (RiskAssessment.prediction.outcome), or NULL.
 */
typedef struct
{
  char      *kind;
  char      *label;
  char      *version;
  gint64     window_start;
  gint64     window_end;
  double     value;
  gboolean   has_total;
  int        total;
  WardBand   band;
  gboolean   has_probability;
  double     probability;
  gboolean   complete;
  gboolean   final;
  gboolean   not_applicable;
  GArray    *contributions;   /* WardScoreContribution */
  char      *detail_json;
  JsonNode  *outcome;
} WardScore;

void         ward_score_init             (WardScore              *score);
void         ward_score_clear            (WardScore              *score);
void         ward_score_copy             (const WardScore        *src,
                                          WardScore              *dest);
void         ward_score_add_contribution (WardScore              *score,
                                          const char             *name,
                                          gboolean                has_value,
                                          double                  value,
                                          double                  contribution);
const WardScoreContribution *ward_score_get_contribution (const WardScore *score,
                                          const char             *name);
/* The contributions as a JSON array of {name, value, contribution}
 * (value null when missing), for the store.
 */
char        *ward_score_contributions_to_json (const WardScore   *score);

G_END_DECLS
