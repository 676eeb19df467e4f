/* ward-model-score.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

/* The patient view's section for an active model score: the
 * probability, the outcome and horizon from the card, the model's name
 * and version, the card's notice when it is not for clinical use, the
 * top five contributions in words with their direction, and the card
 * behind an expander.  Hidden when the bed has no active model score
 * (shadow models never reach the snapshot).
 */
#define WARD_TYPE_MODEL_SCORE (ward_model_score_get_type ())
G_DECLARE_FINAL_TYPE (WardModelScore, ward_model_score, WARD, MODEL_SCORE, GtkWidget)

GtkWidget  *ward_model_score_new     (void);
void        ward_model_score_update  (WardModelScore     *self,
                                      const WardBedState *bed);

G_END_DECLS
