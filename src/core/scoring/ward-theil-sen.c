/* ward-theil-sen.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-theil-sen"

#include "config.h"

#include <math.h>

#include "ward-theil-sen.h"

/* Moves the k-th smallest value to values[k], smaller ones before it and
 * larger ones after (Hoare's selection, median-of-three pivots): linear
 * on average, where sorting would be n log n.
 */
static void
select_nth (double *values,
            gsize   n,
            gsize   k)
{
  gsize lo = 0, hi = n - 1;

  g_assert (k < n);

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      double pivot;
      gsize i = lo, j = hi;

      /* Median of three as the pivot keeps sorted input linear. */
      if (values[mid] < values[lo])
        { double t = values[mid]; values[mid] = values[lo]; values[lo] = t; }
      if (values[hi] < values[lo])
        { double t = values[hi]; values[hi] = values[lo]; values[lo] = t; }
      if (values[hi] < values[mid])
        { double t = values[hi]; values[hi] = values[mid]; values[mid] = t; }
      pivot = values[mid];

      while (i <= j)
        {
          while (values[i] < pivot)
            i++;
          while (values[j] > pivot)
            j--;
          if (i <= j)
            {
              double t = values[i];
              values[i] = values[j];
              values[j] = t;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }

      /* Now [lo, j] <= pivot <= [i, hi], and (j, i) equals the pivot. */
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        return;
    }
}

double
ward_median_inplace (double *values,
                     gsize   n)
{
  gsize half;
  double upper, lower;

  g_return_val_if_fail (values != NULL || n == 0, NAN);

  if (n == 0)
    return NAN;

  half = n / 2;
  select_nth (values, n, half);
  upper = values[half];
  if (n % 2 == 1)
    return upper;

  /* The lower middle value is the largest of those before half. */
  lower = values[0];
  for (gsize i = 1; i < half; i++)
    lower = MAX (lower, values[i]);

  return (lower + upper) / 2;
}

static double
exact_slope (const double *x,
             const double *y,
             gsize         n)
{
  g_autofree double *slopes = g_new (double, n * (n - 1) / 2);
  gsize n_slopes = 0;

  for (gsize i = 0; i < n; i++)
    for (gsize j = i + 1; j < n; j++)
      {
        double dx = x[j] - x[i];

        if (dx == 0)
          continue;
        slopes[n_slopes++] = (y[j] - y[i]) / dx;
      }

  return ward_median_inplace (slopes, n_slopes);
}

static double
sampled_slope (const double *x,
               const double *y,
               gsize         n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (WARD_THEIL_SEN_SEED);
  g_autofree double *slopes = g_new (double, WARD_THEIL_SEN_SAMPLES);
  gsize n_slopes = 0;
  /* Draws that hit a pair with one x are retried, a bounded number of
   * times: a series all at one time has no slope at all.
   */
  guint64 draws_left = (guint64) WARD_THEIL_SEN_SAMPLES * 4;

  g_assert (n <= G_MAXINT32);

  while (n_slopes < WARD_THEIL_SEN_SAMPLES && draws_left-- > 0)
    {
      gsize i = g_rand_int_range (rand, 0, (gint32) n);
      gsize j = g_rand_int_range (rand, 0, (gint32) n);
      double dx = x[j] - x[i];

      if (dx == 0)
        continue;
      slopes[n_slopes++] = (y[j] - y[i]) / dx;
    }

  return ward_median_inplace (slopes, n_slopes);
}

/**
 * ward_theil_sen_slope:
 * @x: the times (any unit; the slope is in units of @y per unit of @x)
 * @y: the values
 * @n: how many points
 *
 * Returns: the median of pairwise slopes, or NaN without two points at
 *   different times.
 */
double
ward_theil_sen_slope (const double *x,
                      const double *y,
                      gsize         n)
{
  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), NAN);

  if (n < 2)
    return NAN;

  if (n <= WARD_THEIL_SEN_EXACT_MAX)
    return exact_slope (x, y, n);

  return sampled_slope (x, y, n);
}
