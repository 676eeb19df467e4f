/* ward-bench.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-bench.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* What every benchmark shares: the quick mode CI runs (WARD_BENCH_QUICK=1:
 * fewer rounds, shorter runs, figures that are not measurements), and the
 * one JSON line each prints last, which bench/run collects:
 *
 *   {"name": "NAME", "figures": {"key": number, ...}, "limit": L,
 *    "ratio": R, "pass": true|false}
 */

gboolean
ward_bench_quick (void)
{
  const char *quick = g_getenv ("WARD_BENCH_QUICK");

  return quick != NULL && *quick != '\0' && g_strcmp0 (quick, "0") != 0;
}

/* @full in a real run, @quick under WARD_BENCH_QUICK. */
guint
ward_bench_scale (guint full,
                  guint quick)
{
  return ward_bench_quick () ? quick : full;
}

gboolean
ward_bench_passes (WardBenchDirection direction,
                   double             ratio,
                   double             limit)
{
  if (isnan (ratio))
    return FALSE;

  return direction == WARD_BENCH_AT_LEAST ? ratio >= limit : ratio <= limit;
}

static void
append_number (GString *line,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* JSON has no NaN nor infinity: a figure that could not be measured
   * is null.
   */
  if (!isfinite (value))
    g_string_append (line, "null");
  else
    g_string_append (line, g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}

/**
 * ward_bench_report:
 * @name: the benchmark's name, as bench/meson.build declares it
 * @direction: which way @ratio passes @limit
 * @limit: the bound the ratio is held to
 * @ratio: the measured quantity relative to its in-run reference
 * @first_key: the first figure's name, then its value as a double, then
 *   more pairs, and %NULL
 *
 * Prints the benchmark's JSON line; call it last, as the last line of
 * the output is the one bench/run reads.
 *
 * Returns: whether the ratio passes the limit
 */
gboolean
ward_bench_report (const char         *name,
                   WardBenchDirection  direction,
                   double              limit,
                   double              ratio,
                   const char         *first_key,
                   ...)
{
  g_autoptr(GString) line = g_string_new ("{\"name\": \"");
  gboolean pass = ward_bench_passes (direction, ratio, limit);
  const char *key;
  va_list args;

  g_string_append (line, name);
  g_string_append (line, "\", \"figures\": {");
  va_start (args, first_key);
  for (key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      if (key != first_key)
        g_string_append (line, ", ");
      g_string_append_printf (line, "\"%s\": ", key);
      append_number (line, va_arg (args, double));
    }
  va_end (args);
  g_string_append (line, "}, \"limit\": ");
  append_number (line, limit);
  g_string_append (line, ", \"ratio\": ");
  append_number (line, ratio);
  g_string_append_printf (line, ", \"pass\": %s", pass ? "true" : "false");
  if (ward_bench_quick ())
    g_string_append (line, ", \"quick\": true");
  g_string_append (line, "}\n");

  fflush (stdout);
  fputs (line->str, stdout);
  fflush (stdout);

  return pass;
}

/* 0 when the figures pass, 1 when one fails its limit. */
int
ward_bench_exit_status (gboolean pass)
{
  return pass ? 0 : 1;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The value at @fraction (0.5 for the median) of @values, which it
 * sorts; NAN when empty.
 */
double
ward_bench_percentile (GArray *values,
                       double  fraction)
{
  guint index;

  if (values->len == 0)
    return NAN;

  g_array_sort (values, compare_doubles);
  index = (guint) ceil (fraction * values->len);
  index = CLAMP (index, 1, values->len) - 1;

  return g_array_index (values, double, index);
}
