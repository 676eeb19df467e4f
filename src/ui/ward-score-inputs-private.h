/* ward-score-inputs-private.h: test-only hooks of WardScoreInputs, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-score-inputs.h"

G_BEGIN_DECLS

/* For tests: the texts of a parameter's row ("" where empty); column 0
 * value, 1 points, 2 age, 3 source, 4 the other source's value.
 */
const char *_ward_score_inputs_get_text    (WardScoreInputs    *self,
                                            WardNews2Param      param,
                                            guint               column);

G_END_DECLS
