/* ward-trend.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* The fitted trend of a patient's NEWS2 total: the Theil-Sen slope
 * (ward-theil-sen.h, the median of pairwise slopes; one odd window does
 * not swing it) through the totals of the windows that ended in the last
 * hour, one point per window (the open window counts with its current
 * total).  It needs WARD_TREND_MIN_POINTS windows; it says "rising" or
 * "falling" only when the slope is at least WARD_TREND_THRESHOLD points
 * per hour, so the usual one-point jitter of a total is "steady".
 *
 * A rising trend is projected: at this slope, in how many minutes the
 * newest total reaches the lower bound of the next band by total
 * (medium at 5, high at 7; ward_news2_band()).  No projection when it is
 * not rising, already high, or further than WARD_TREND_HORIZON_MINUTES.
 */
#define WARD_TREND_SPAN_USEC   (60 * WARD_USEC_PER_MINUTE)
#define WARD_TREND_MIN_POINTS  4
#define WARD_TREND_THRESHOLD   2.0   /* NEWS2 points per hour */
#define WARD_TREND_HISTORY     16    /* windows kept: an hour of 5-minute steps and some */
#define WARD_TREND_HORIZON_MINUTES 240.0

typedef enum
{
  WARD_TREND_STEADY,
  WARD_TREND_RISING,
  WARD_TREND_FALLING,
} WardTrendDirection;

typedef struct
{
  gint64 at;      /* the window's end */
  double total;
} WardTrendPoint;

typedef struct
{
  gboolean  valid;
  WardBand  band;       /* the band the total reaches: medium or high */
  double    minutes;    /* from the newest window's total, at the slope */
} WardTrendProjection;

typedef struct
{
  gboolean             valid;
  double               slope;       /* points per hour */
  WardTrendDirection   direction;
  guint                n_points;
  WardTrendProjection  projection;  /* valid only when rising */
} WardTrend;

/* The last windows' totals, oldest first, one point per window end. */
typedef struct
{
  WardTrendPoint points[WARD_TREND_HISTORY];
  guint          n_points;
} WardTrendHistory;

void        ward_trend_fit          (const WardTrendPoint   *points,
                                     guint                   n_points,
                                     gint64                  now,
                                     WardTrend              *trend);
/* Adds a window's total; the same window end again (the open window,
 * re-scored) replaces its point.
 */
void        ward_trend_history_add  (WardTrendHistory       *history,
                                     gint64                  window_end,
                                     double                  total);
void        ward_trend_history_fit  (const WardTrendHistory *history,
                                     gint64                  now,
                                     WardTrend              *trend);
/* The projection of total at slope (points per hour); FALSE (and
 * projection->valid FALSE) when none is within horizon_minutes.
 */
gboolean    ward_trend_project      (double                  total,
                                     double                  slope,
                                     double                  horizon_minutes,
                                     WardTrendProjection    *projection);
const char *ward_trend_direction_to_string (WardTrendDirection direction);

G_END_DECLS
