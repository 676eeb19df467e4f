/* test-theil-sen.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-theil-sen"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "ward-theil-sen.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Every pairwise slope, sorted: the definition, by brute force. */
static GArray *
all_slopes (const double *x,
            const double *y,
            gsize         n)
{
  GArray *slopes = g_array_new (FALSE, FALSE, sizeof (double));

  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      if (x[j] > x[i])
        {
          double s = (y[j] - y[i]) / (x[j] - x[i]);
          g_array_append_val (slopes, s);
        }

  g_array_sort (slopes, compare_doubles);
  return slopes;
}

static double
sorted_median (const GArray *values)
{
  const double *v = (const double *) values->data;
  guint n = values->len;

  if (n == 0)
    return NAN;
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
test_hand_made (void)
{
  const double line_x[] = { 0, 1, 2, 3, 4 };
  const double line_y[] = { 1, 3, 5, 7, 9 };
  /* One wild value (a probe falling off) does not move the slope. */
  const double wild_y[] = { 1, 3, 60, 7, 9 };
  /* Slopes 1, 0, 1, -1, 1, 3: the median of six is 1. */
  const double zig_x[] = { 0, 1, 2, 3 };
  const double zig_y[] = { 0, 1, 0, 3 };
  /* Two values at x = 0: that pair has no slope; 1 and -1 remain. */
  const double tie_x[] = { 0, 0, 1 };
  const double tie_y[] = { 0, 2, 1 };
  const double same_x[] = { 5, 5, 5 };

  g_assert_cmpfloat_with_epsilon (ward_theil_sen_slope (line_x, line_y, 5), 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (ward_theil_sen_slope (line_x, wild_y, 5), 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (ward_theil_sen_slope (zig_x, zig_y, 4), 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (ward_theil_sen_slope (tie_x, tie_y, 3), 0.0, 1e-12);
  /* Order of the points does not matter. */
  {
    const double rx[] = { 3, 0, 2, 1 };
    const double ry[] = { 3, 0, 0, 1 };
    g_assert_cmpfloat_with_epsilon (ward_theil_sen_slope (rx, ry, 4), 1.0, 1e-12);
  }

  /* Too few points, or all at one time: no slope. */
  g_assert_true (isnan (ward_theil_sen_slope (NULL, NULL, 0)));
  g_assert_true (isnan (ward_theil_sen_slope (line_x, line_y, 1)));
  g_assert_true (isnan (ward_theil_sen_slope (same_x, line_y, 3)));
  g_assert_cmpfloat_with_epsilon (ward_theil_sen_slope (line_x, line_y, 2), 2.0, 1e-12);
}

static void
test_median (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  {
    double odd[] = { 5, 1, 3 };
    double even[] = { 4, 1, 3, 2 };
    g_assert_cmpfloat (ward_median_inplace (odd, 3), ==, 3);
    g_assert_cmpfloat (ward_median_inplace (even, 4), ==, 2.5);
    g_assert_true (isnan (ward_median_inplace (NULL, 0)));
  }

  /* Random lengths, many repeated values (selection's hard case). */
  for (guint round = 0; round < 500; round++)
    {
      guint n = g_rand_int_range (rand, 1, 200);
      g_autoptr(GArray) sorted = g_array_sized_new (FALSE, FALSE, sizeof (double), n);
      g_autofree double *values = g_new (double, n);
      int levels = g_rand_int_range (rand, 1, 10);

      for (guint i = 0; i < n; i++)
        {
          values[i] = round % 2 ? g_rand_int_range (rand, 0, levels) : g_rand_double (rand);
          g_array_append_val (sorted, values[i]);
        }
      g_array_sort (sorted, compare_doubles);

      g_assert_cmpfloat (ward_median_inplace (values, n), ==, sorted_median (sorted));
    }
}

/* Seeded random series against the brute-force median of slopes, with
 * ties in time and in value.
 */
static void
test_brute_force (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);

  for (guint round = 0; round < 300; round++)
    {
      guint n = g_rand_int_range (rand, 2, round < 280 ? 60 : WARD_THEIL_SEN_EXACT_MAX + 1);
      g_autofree double *x = g_new (double, n);
      g_autofree double *y = g_new (double, n);
      g_autoptr(GArray) slopes = NULL;
      double expected, got;

      for (guint i = 0; i < n; i++)
        {
          /* Whole minutes make ties in time likely. */
          x[i] = g_rand_int_range (rand, 0, MAX (2, n));
          y[i] = 0.5 * x[i] + g_rand_int_range (rand, -5, 6);
        }

      slopes = all_slopes (x, y, n);
      expected = sorted_median (slopes);
      got = ward_theil_sen_slope (x, y, n);
      if (isnan (expected))
        g_assert_true (isnan (got));
      else
        g_assert_cmpfloat_with_epsilon (got, expected, 1e-9);
    }
}

/* Above the exact limit the slope is a sample's median: close to the
 * exact one (between its 49th and 51st percentile), and the same on
 * every call.
 */
static void
test_sampled (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint n = 2000;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autoptr(GArray) slopes = NULL;
  const double *s;
  double got;

  for (guint i = 0; i < n; i++)
    {
      x[i] = i / 60.0;
      y[i] = 80 + 3.0 * x[i] + g_rand_double_range (rand, -10, 10);
    }

  slopes = all_slopes (x, y, n);
  s = (const double *) slopes->data;
  got = ward_theil_sen_slope (x, y, n);
  g_assert_cmpfloat (got, >=, s[(gsize) (slopes->len * 0.49)]);
  g_assert_cmpfloat (got, <=, s[(gsize) (slopes->len * 0.51)]);
  g_assert_cmpfloat (got, ==, ward_theil_sen_slope (x, y, n));
  g_assert_cmpfloat_with_epsilon (got, 3.0, 0.2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/theil-sen/hand-made", test_hand_made);
  g_test_add_func ("/core/theil-sen/median", test_median);
  g_test_add_func ("/core/theil-sen/brute-force", test_brute_force);
  g_test_add_func ("/core/theil-sen/sampled", test_sampled);

  return g_test_run ();
}
