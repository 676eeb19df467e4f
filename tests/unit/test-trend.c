/* test-trend.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-trend"

#include "config.h"

#include "ward-trend.h"

#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)
#define STEP (5 * WARD_USEC_PER_MINUTE)

/* Totals every 5 minutes, the last one at NOW. */
static void
fill (WardTrendPoint *points,
      const double   *totals,
      guint           n)
{
  for (guint i = 0; i < n; i++)
    {
      points[i].at = NOW - (gint64) (n - 1 - i) * STEP;
      points[i].total = totals[i];
    }
}

static void
test_trend_rising (void)
{
  /* One point every 5 min for 55 min: 0 to 11, 12 points per hour. */
  double totals[12];
  WardTrendPoint points[12];
  WardTrend trend;

  for (guint i = 0; i < 12; i++)
    totals[i] = i;
  fill (points, totals, 12);

  ward_trend_fit (points, 12, NOW, &trend);
  g_assert_true (trend.valid);
  g_assert_cmpuint (trend.n_points, ==, 12);
  g_assert_cmpfloat_with_epsilon (trend.slope, 12.0, 1e-9);
  g_assert_cmpint (trend.direction, ==, WARD_TREND_RISING);
}

static void
test_trend_falling (void)
{
  double totals[] = { 7, 7, 6, 6, 5, 5 };
  WardTrendPoint points[G_N_ELEMENTS (totals)];
  WardTrend trend;

  fill (points, totals, G_N_ELEMENTS (totals));
  ward_trend_fit (points, G_N_ELEMENTS (points), NOW, &trend);
  g_assert_true (trend.valid);
  g_assert_cmpfloat (trend.slope, <, -WARD_TREND_THRESHOLD);
  g_assert_cmpint (trend.direction, ==, WARD_TREND_FALLING);
}

/* The usual jitter of a total, one point up and down, is steady. */
static void
test_trend_steady (void)
{
  double totals[] = { 3, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4 };
  WardTrendPoint points[G_N_ELEMENTS (totals)];
  WardTrend trend;

  fill (points, totals, G_N_ELEMENTS (totals));
  ward_trend_fit (points, G_N_ELEMENTS (points), NOW, &trend);
  g_assert_true (trend.valid);
  g_assert_cmpfloat (ABS (trend.slope), <, WARD_TREND_THRESHOLD);
  g_assert_cmpint (trend.direction, ==, WARD_TREND_STEADY);
}

/* Exactly the threshold counts: 2 points over an hour. */
static void
test_trend_threshold (void)
{
  WardTrendPoint points[] = {
    { NOW - WARD_USEC_PER_HOUR + STEP, 0 },
    { NOW - 30 * WARD_USEC_PER_MINUTE, 0 },
    { NOW - 15 * WARD_USEC_PER_MINUTE, 0 },
    { NOW, 0 },
  };
  WardTrend trend;

  /* Points on a line of slope 2 per hour. */
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i].total = 2.0 * (points[i].at - points[0].at) / WARD_USEC_PER_HOUR;

  ward_trend_fit (points, G_N_ELEMENTS (points), NOW, &trend);
  g_assert_true (trend.valid);
  g_assert_cmpfloat_with_epsilon (trend.slope, 2.0, 1e-9);
  g_assert_cmpint (trend.direction, ==, WARD_TREND_RISING);
}

/* Fewer than four windows in the last hour: no trend. */
static void
test_trend_too_few (void)
{
  WardTrendPoint points[] = {
    { NOW - 2 * WARD_USEC_PER_HOUR, 0 },
    { NOW - 90 * WARD_USEC_PER_MINUTE, 1 },
    { NOW - 10 * WARD_USEC_PER_MINUTE, 5 },
    { NOW - 5 * WARD_USEC_PER_MINUTE, 6 },
    { NOW, 7 },
  };
  WardTrend trend;

  ward_trend_fit (points, G_N_ELEMENTS (points), NOW, &trend);
  g_assert_false (trend.valid);
  g_assert_cmpuint (trend.n_points, ==, 3);
  g_assert_cmpint (trend.direction, ==, WARD_TREND_STEADY);

  ward_trend_fit (NULL, 0, NOW, &trend);
  g_assert_false (trend.valid);
}

/* The open window is re-scored under the same end: one point, the newest. */
static void
test_trend_history (void)
{
  WardTrendHistory history = { 0 };
  WardTrend trend;

  ward_trend_history_add (&history, NOW, 1);
  ward_trend_history_add (&history, NOW, 2);
  g_assert_cmpuint (history.n_points, ==, 1);
  g_assert_cmpfloat (history.points[0].total, ==, 2);

  for (guint i = 1; i <= 40; i++)
    ward_trend_history_add (&history, NOW + i * STEP, i);
  g_assert_cmpuint (history.n_points, ==, WARD_TREND_HISTORY);
  g_assert_cmpint (history.points[WARD_TREND_HISTORY - 1].at, ==, NOW + 40 * STEP);
  g_assert_cmpint (history.points[0].at, ==, NOW + (40 - WARD_TREND_HISTORY + 1) * STEP);

  /* The open window ends after "now" and counts. */
  ward_trend_history_fit (&history, NOW + 40 * STEP - WARD_USEC_PER_MINUTE, &trend);
  g_assert_true (trend.valid);
  g_assert_cmpuint (trend.n_points, ==, 13);
  g_assert_cmpfloat_with_epsilon (trend.slope, 12.0, 1e-9);

  /* A window from before the newest one starts the history again. */
  ward_trend_history_add (&history, NOW, 3);
  g_assert_cmpuint (history.n_points, ==, 1);
}

/* One odd window (a spurious reading scored once) does not make a
 * steady patient "rising": the slope is a median of slopes.
 */
static void
test_trend_robust (void)
{
  double totals[] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 9 };
  WardTrendPoint points[G_N_ELEMENTS (totals)];
  WardTrend trend;

  fill (points, totals, G_N_ELEMENTS (totals));
  ward_trend_fit (points, G_N_ELEMENTS (points), NOW, &trend);
  g_assert_true (trend.valid);
  g_assert_cmpfloat (trend.slope, ==, 0);
  g_assert_cmpint (trend.direction, ==, WARD_TREND_STEADY);
  g_assert_false (trend.projection.valid);
}

/* At this rate, when the total reaches the next band (CLINICAL.md:
 * medium from 5, high from 7).
 */
static void
test_trend_projection (void)
{
  WardTrendProjection projection;
  double totals[] = { 1, 1, 2, 2, 2, 3 };
  WardTrendPoint points[G_N_ELEMENTS (totals)];
  WardTrend trend;

  /* 3 now, rising 3 an hour: medium (5) in 40 min. */
  g_assert_true (ward_trend_project (3, 3, WARD_TREND_HORIZON_MINUTES, &projection));
  g_assert_true (projection.valid);
  g_assert_cmpint (projection.band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpfloat_with_epsilon (projection.minutes, 40, 1e-9);

  /* 5 is medium already: high (7) next, in 20 min at 6 an hour. */
  g_assert_true (ward_trend_project (5, 6, WARD_TREND_HORIZON_MINUTES, &projection));
  g_assert_cmpint (projection.band, ==, WARD_BAND_HIGH);
  g_assert_cmpfloat_with_epsilon (projection.minutes, 20, 1e-9);

  /* High has no band above; not rising is no projection; nor beyond
   * the horizon (0 to 5 at 0.5 an hour is 10 h).
   */
  g_assert_false (ward_trend_project (7, 6, WARD_TREND_HORIZON_MINUTES, &projection));
  g_assert_false (projection.valid);
  g_assert_false (ward_trend_project (3, 0, WARD_TREND_HORIZON_MINUTES, &projection));
  g_assert_false (ward_trend_project (3, -2, WARD_TREND_HORIZON_MINUTES, &projection));
  g_assert_false (ward_trend_project (0, 0.5, WARD_TREND_HORIZON_MINUTES, &projection));
  g_assert_true (ward_trend_project (4, 0.25, WARD_TREND_HORIZON_MINUTES, &projection));
  g_assert_cmpfloat_with_epsilon (projection.minutes, 240, 1e-9);

  /* A fitted rising trend carries it, from the newest window's total:
   * 1 to 3 over 25 minutes is a median slope of 4.8 per hour; 3 to 5
   * takes 25 minutes.
   */
  fill (points, totals, G_N_ELEMENTS (totals));
  ward_trend_fit (points, G_N_ELEMENTS (points), NOW, &trend);
  g_assert_cmpint (trend.direction, ==, WARD_TREND_RISING);
  g_assert_true (trend.projection.valid);
  g_assert_cmpint (trend.projection.band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpfloat_with_epsilon (trend.projection.minutes, 2 / trend.slope * 60, 1e-9);

  /* A falling trend says nothing of bands. */
  for (guint i = 0; i < G_N_ELEMENTS (totals); i++)
    points[i].total = 6 - totals[i];
  ward_trend_fit (points, G_N_ELEMENTS (points), NOW, &trend);
  g_assert_cmpint (trend.direction, ==, WARD_TREND_FALLING);
  g_assert_false (trend.projection.valid);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/trend/rising", test_trend_rising);
  g_test_add_func ("/core/trend/falling", test_trend_falling);
  g_test_add_func ("/core/trend/steady", test_trend_steady);
  g_test_add_func ("/core/trend/threshold", test_trend_threshold);
  g_test_add_func ("/core/trend/too-few", test_trend_too_few);
  g_test_add_func ("/core/trend/history", test_trend_history);

  g_test_add_func ("/core/trend/robust", test_trend_robust);
  g_test_add_func ("/core/trend/projection", test_trend_projection);

  return g_test_run ();
}
