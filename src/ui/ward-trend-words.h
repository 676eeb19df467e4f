/* ward-trend-words.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-trend.h"

G_BEGIN_DECLS

/* What the views say about a NEWS2 trend (ward-trend.h), written once so
 * that the bed tile and the patient view say the same thing.
 */

/* "Rising, +3.0 points per hour"; NULL when the trend is not valid. */
char *_ward_trend_words_direction  (const WardTrend *trend);
/* "At this rate, reaches the medium band in about 40 min"; NULL without
 * a projection.  Minutes are rounded to 5, at least 5.
 */
char *_ward_trend_words_projection (const WardTrend *trend);
/* Both, as one sentence each; NULL when the trend is not valid. */
char *_ward_trend_words_full       (const WardTrend *trend);

G_END_DECLS
