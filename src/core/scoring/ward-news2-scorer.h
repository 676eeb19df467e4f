/* ward-news2-scorer.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-scorer.h"

G_BEGIN_DECLS

#define WARD_NEWS2_SCORER_KIND "news2"
/* Bumped when the scoring of NEWS2 changes (a rounding rule, a band). */
#define WARD_NEWS2_SCORER_VERSION "rcp-2017.1"

/* NEWS2 (RCP 2017) as a WardScorer: the first scorer, always registered.
 * Its score is the window's NEWS2 result: total and band, complete when
 * all seven parameters are there, one contribution per parameter present
 * (named as ward_news2_param_to_string(), the value used and its
 * points), detail the window's inputs (ward_window_score_to_json()), and
 * not_applicable under 16.
 */
#define WARD_TYPE_NEWS2_SCORER (ward_news2_scorer_get_type ())
G_DECLARE_FINAL_TYPE (WardNews2Scorer, ward_news2_scorer, WARD, NEWS2_SCORER, GObject)

WardScorer *ward_news2_scorer_new (void);

G_END_DECLS
