/* ward-trend.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-trend"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ward-trend.h"

#include "ward-news2.h"
#include "ward-theil-sen.h"

/**
 * ward_trend_fit:
 * @points: window totals, in any order
 * @n_points: how many
 * @now: the time the trend is for; points older than an hour before it
 *   are left out (the open window ends after @now and counts)
 * @trend: (out): the fitted trend
 *
 * The Theil-Sen slope of the total against time, in points per hour.
 * Times are taken relative to @now in hours.
 */
void
ward_trend_fit (const WardTrendPoint *points,
                guint                 n_points,
                gint64                now,
                WardTrend            *trend)
{
  double x[WARD_TREND_HISTORY * 4];
  double y[WARD_TREND_HISTORY * 4];
  g_autofree double *heap_x = NULL;
  g_autofree double *heap_y = NULL;
  double *xs = x, *ys = y;
  gint64 newest_at = G_MININT64;
  double newest_total = 0;
  double slope;
  guint n = 0;

  g_return_if_fail (points != NULL || n_points == 0);
  g_return_if_fail (trend != NULL);

  memset (trend, 0, sizeof *trend);
  trend->direction = WARD_TREND_STEADY;

  if (n_points > G_N_ELEMENTS (x))
    {
      xs = heap_x = g_new (double, n_points);
      ys = heap_y = g_new (double, n_points);
    }

  for (guint i = 0; i < n_points; i++)
    {
      if (points[i].at < now - WARD_TREND_SPAN_USEC)
        continue;

      xs[n] = (double) (points[i].at - now) / WARD_USEC_PER_HOUR;
      ys[n] = points[i].total;
      n++;
      if (points[i].at > newest_at)
        {
          newest_at = points[i].at;
          newest_total = points[i].total;
        }
    }

  trend->n_points = n;
  if (n < WARD_TREND_MIN_POINTS)
    return;

  slope = ward_theil_sen_slope (xs, ys, n);
  /* All points at one time: no line to fit. */
  if (isnan (slope))
    return;

  trend->valid = TRUE;
  trend->slope = slope;
  /* A slope of exactly the threshold counts, rounding aside. */
  if (trend->slope >= WARD_TREND_THRESHOLD - 1e-9)
    trend->direction = WARD_TREND_RISING;
  else if (trend->slope <= -WARD_TREND_THRESHOLD + 1e-9)
    trend->direction = WARD_TREND_FALLING;

  /* Only a rising arrow gets a projection: the words and the arrow agree. */
  if (trend->direction == WARD_TREND_RISING)
    ward_trend_project (newest_total, trend->slope, WARD_TREND_HORIZON_MINUTES,
                        &trend->projection);
}

/**
 * ward_trend_project:
 * @total: the NEWS2 total now
 * @slope: its slope, points per hour
 * @horizon_minutes: how far ahead a projection is still worth saying
 * @projection: (out): the band reached and when
 *
 * The next band is the first one above the band of @total by total
 * alone (a single red parameter does not move the total's band).
 *
 * Returns: whether the total reaches a higher band within the horizon
 */
gboolean
ward_trend_project (double               total,
                    double               slope,
                    double               horizon_minutes,
                    WardTrendProjection *projection)
{
  WardBand band;
  double minutes;
  int bound;

  g_return_val_if_fail (projection != NULL, FALSE);

  memset (projection, 0, sizeof *projection);
  if (!(slope > 0) || total < 0 || total > 20)
    return FALSE;

  /* The lowest whole total in a higher band (totals are whole numbers). */
  band = ward_news2_band ((int) floor (total), FALSE);
  for (bound = (int) floor (total) + 1; bound <= 20; bound++)
    if (ward_news2_band (bound, FALSE) > band)
      break;
  if (bound > 20)
    return FALSE;

  minutes = (bound - total) / slope * 60;
  if (minutes > horizon_minutes)
    return FALSE;

  projection->valid = TRUE;
  projection->band = ward_news2_band (bound, FALSE);
  projection->minutes = minutes;
  return TRUE;
}

void
ward_trend_history_add (WardTrendHistory *history,
                        gint64            window_end,
                        double            total)
{
  g_return_if_fail (history != NULL);

  if (history->n_points > 0)
    {
      WardTrendPoint *last = &history->points[history->n_points - 1];

      if (last->at == window_end)
        {
          last->total = total;
          return;
        }

      /* Time only moves forward; a window from the past starts afresh. */
      if (last->at > window_end)
        history->n_points = 0;
    }

  if (history->n_points == WARD_TREND_HISTORY)
    {
      memmove (&history->points[0], &history->points[1],
               (WARD_TREND_HISTORY - 1) * sizeof history->points[0]);
      history->n_points--;
    }

  history->points[history->n_points].at = window_end;
  history->points[history->n_points].total = total;
  history->n_points++;
}

void
ward_trend_history_fit (const WardTrendHistory *history,
                        gint64                  now,
                        WardTrend              *trend)
{
  g_return_if_fail (history != NULL);

  ward_trend_fit (history->points, history->n_points, now, trend);
}

const char *
ward_trend_direction_to_string (WardTrendDirection direction)
{
  switch (direction)
    {
    case WARD_TREND_STEADY:
      return "steady";
    case WARD_TREND_RISING:
      return "rising";
    case WARD_TREND_FALLING:
      return "falling";
    default:
      g_return_val_if_reached (NULL);
    }
}
