/* ward-score-inputs.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

/* What the current NEWS2 score uses, parameter by parameter: the value,
 * its points, age and source (the nurse who entered it, or the monitor),
 * and, where both a nurse's value and a monitor's exist, the other one
 * beside it.  Hidden when the snapshot does not say what the score used
 * (no score, or older data).
 */
#define WARD_TYPE_SCORE_INPUTS (ward_score_inputs_get_type ())
G_DECLARE_FINAL_TYPE (WardScoreInputs, ward_score_inputs, WARD, SCORE_INPUTS, GtkWidget)

GtkWidget  *ward_score_inputs_new          (void);
void        ward_score_inputs_update       (WardScoreInputs    *self,
                                            const WardBedState *bed,
                                            gint64              now);

G_END_DECLS
