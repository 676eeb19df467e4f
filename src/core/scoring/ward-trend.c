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

/**
 * ward_trend_fit:
 * @points: window totals, in any order
 * @n_points: how many
 * @now: the time the trend is for; points older than an hour before it
 *   are left out (the open window ends after @now and counts)
 * @trend: (out): the fitted trend
 *
 * Ordinary least squares of the total against time.  Times are taken
 * relative to @now in hours, which keeps the sums small and exact enough.
 */
void
ward_trend_fit (const WardTrendPoint *points,
                guint                 n_points,
                gint64                now,
                WardTrend            *trend)
{
  double sum_x = 0, sum_y = 0, sum_xx = 0, sum_xy = 0;
  double denominator;
  guint n = 0;

  g_return_if_fail (points != NULL || n_points == 0);
  g_return_if_fail (trend != NULL);

  memset (trend, 0, sizeof *trend);
  trend->direction = WARD_TREND_STEADY;

  for (guint i = 0; i < n_points; i++)
    {
      double x;

      if (points[i].at < now - WARD_TREND_SPAN_USEC)
        continue;

      x = (double) (points[i].at - now) / WARD_USEC_PER_HOUR;
      sum_x += x;
      sum_y += points[i].total;
      sum_xx += x * x;
      sum_xy += x * points[i].total;
      n++;
    }

  trend->n_points = n;
  if (n < WARD_TREND_MIN_POINTS)
    return;

  denominator = n * sum_xx - sum_x * sum_x;
  /* All points at one time: no line to fit. */
  if (fabs (denominator) < 1e-12)
    return;

  trend->valid = TRUE;
  trend->slope = (n * sum_xy - sum_x * sum_y) / denominator;
  /* A slope of exactly the threshold counts, rounding aside. */
  if (trend->slope >= WARD_TREND_THRESHOLD - 1e-9)
    trend->direction = WARD_TREND_RISING;
  else if (trend->slope <= -WARD_TREND_THRESHOLD + 1e-9)
    trend->direction = WARD_TREND_FALLING;
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
