/* ward-test-scorer.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-scorer.h"

G_BEGIN_DECLS

#define WARD_TEST_SCORER_KIND "model:test-deterioration"

/* A probability scorer for the tests, built as a model scorer would be:
 * its probability is this window's NEWS2 total over 20 (read from the
 * scores computed before it), and it asks the history for the patient's
 * pulse over the 4 hours before the window's end, giving the number of
 * readings as a contribution ("pulse_n_4h").  With fail set it fails.
 */
#define WARD_TYPE_TEST_SCORER (ward_test_scorer_get_type ())
G_DECLARE_FINAL_TYPE (WardTestScorer, ward_test_scorer, WARD, TEST_SCORER, GObject)

WardTestScorer *ward_test_scorer_new       (const char     *kind);
void            ward_test_scorer_set_fail  (WardTestScorer *self,
                                            gboolean        fail);
/* How many times it scored, and with a NEWS2 score in its input. */
guint           ward_test_scorer_get_n_scored (WardTestScorer *self);
guint           ward_test_scorer_get_n_with_news2 (WardTestScorer *self);

G_END_DECLS
