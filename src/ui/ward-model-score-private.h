/* ward-model-score-private.h: test-only hooks of WardModelScore, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-model-score.h"

G_BEGIN_DECLS

/* For tests: the probability line and the explanation line. */
const char *_ward_model_score_get_probability_text  (WardModelScore *self);
const char *_ward_model_score_get_explanation_text  (WardModelScore *self);

G_END_DECLS
