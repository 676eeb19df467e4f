/* ward-theil-sen.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Theil-Sen slope: the median of the slopes of all pairs of points
 * with different x.  One wild value moves it little, unlike a
 * least-squares line, which is why trends use it.
 *
 * Up to WARD_THEIL_SEN_EXACT_MAX points every pair is used (n (n - 1) / 2
 * slopes, the median found by selection, not sorting).  Above it the
 * slope is the median of WARD_THEIL_SEN_SAMPLES pairs drawn at random
 * with a fixed seed, so the same series always gives the same slope; its
 * error against the exact median is a fraction of a percentile of the
 * pairwise slopes.  Callers with long series reduce them first (the
 * features take per-bucket medians, ward-features.h) and stay exact.
 *
 * Pairs with the same x (two values at one time) have no slope and are
 * left out.  With fewer than one usable pair the slope is NaN.
 */
#define WARD_THEIL_SEN_EXACT_MAX 512
#define WARD_THEIL_SEN_SAMPLES   100000
#define WARD_THEIL_SEN_SEED      0x5EED15u

double ward_theil_sen_slope (const double *x,
                             const double *y,
                             gsize         n);

/* The median of values (reordered in place); NaN when n is 0.  An even
 * count gives the mean of the two middle values.
 */
double ward_median_inplace  (double       *values,
                             gsize         n);

G_END_DECLS
