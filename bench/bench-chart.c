/* bench-chart.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>

#include "ward-bench.h"
#include "ward-chart.h"
#include "ward-news2.h"

/* The cost of one full redraw of a patient-view chart (PLplot's extcairo
 * device: NEWS2 zones, axes with local-time labels, the line, the newest
 * value marked) against a plain cairo polyline of the same points on the
 * same background, both into an 800x300 image surface, for 600 and 6000
 * points.  The ratio is what PLplot and the chart's furniture cost on top
 * of the bare line; the absolute figure says how much of a frame a redraw
 * takes.  A chart redraws only when its data changed, so this is the
 * price of a change, not of every frame; the patient view decimates a
 * series to at most 1600 points, so 6000 is beyond what it draws.
 */

#define WIDTH       800
#define HEIGHT      300
#define MAX_RATIO   3.0     /* a chart redraw costs at most this many plain polylines */
#define FRAME_MS    16.7    /* a 60 Hz frame, for information: wall-clock figures vary
                             * with the machine's load, the ratio much less */

/* 2026-11-22T10:00:00Z */
#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

static int
hr_band_cb (double   value,
            gpointer user_data)
{
  return ward_news2_score_hr (value);
}

static WardHistoryPoint *
make_points (guint  n,
             gint64 span)
{
  WardHistoryPoint *points = g_new (WardHistoryPoint, n);
  GRand *rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < n; i++)
    {
      points[i].t = NOW - span + (gint64) (i + 1) * (span / n);
      points[i].value = 90 + 25 * sin (i / 50.0) + g_rand_double_range (rand, -4, 4);
      points[i].source = WARD_SOURCE_DEVICE;
    }
  g_rand_free (rand);

  return points;
}

static void
draw_polyline (cairo_t                *cr,
               const WardHistoryPoint *points,
               guint                   n,
               gint64                  from,
               gint64                  to)
{
  double sx = (double) WIDTH / (to - from);
  double sy = HEIGHT / (160.0 - 30.0);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 28 / 255.0, 113 / 255.0, 216 / 255.0);
  cairo_set_line_width (cr, 2);
  cairo_move_to (cr, (points[0].t - from) * sx, HEIGHT - (points[0].value - 30) * sy);
  for (guint i = 1; i < n; i++)
    cairo_line_to (cr, (points[i].t - from) * sx, HEIGHT - (points[i].value - 30) * sy);
  cairo_stroke (cr);
}

static double
time_chart (WardChart       *chart,
            cairo_surface_t *surface,
            guint            rounds)
{
  gint64 start = g_get_monotonic_time ();

  for (guint r = 0; r < rounds; r++)
    {
      cairo_t *cr = cairo_create (surface);

      ward_chart_draw (chart, cr, WIDTH, HEIGHT);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
    }

  return (g_get_monotonic_time () - start) / 1000.0 / rounds;
}

static double
time_polyline (const WardHistoryPoint *points,
               guint                   n,
               gint64                  from,
               gint64                  to,
               cairo_surface_t        *surface,
               guint                   rounds)
{
  gint64 start = g_get_monotonic_time ();

  for (guint r = 0; r < rounds; r++)
    {
      cairo_t *cr = cairo_create (surface);

      draw_polyline (cr, points, n, from, to);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
    }

  return (g_get_monotonic_time () - start) / 1000.0 / rounds;
}

int
main (int   argc,
      char *argv[])
{
  static const guint sizes[] = { 600, 6000 };
  g_autoptr(GError) error = NULL;
  double chart_ms_at[G_N_ELEMENTS (sizes)] = { 0 };
  double line_ms_at[G_N_ELEMENTS (sizes)] = { 0 };
  double worst = 0;
  gboolean pass;

  gtk_init ();
  adw_init ();

  if (!ward_chart_check_device (&error))
    {
      printf ("bench-chart: skipped: %s\n", error->message);
      return 77;
    }

  printf ("bench-chart: one chart %dx%d, full redraw into an image surface\n", WIDTH, HEIGHT);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint n = sizes[s];
      gint64 span = G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
      g_autofree WardHistoryPoint *points = make_points (n, span);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
      WardChart *chart = g_object_ref_sink (WARD_CHART (ward_chart_new ()));
      guint rounds = n <= 1000 ? ward_bench_scale (400, 20) : ward_bench_scale (100, 5);
      double chart_ms, line_ms, ratio;

      ward_chart_set_title (chart, "Heart rate");
      ward_chart_set_y_range (chart, 30, 160);
      ward_chart_set_band_func (chart, hr_band_cb, NULL, 1);
      ward_chart_set_stale_after (chart, 60 * G_USEC_PER_SEC);
      ward_chart_set_range (chart, NOW - span, NOW);
      ward_chart_set_points (chart, 0, points, n);

      /* Warm up: the stream's plinit, fonts, caches. */
      time_chart (chart, surface, 5);
      time_polyline (points, n, NOW - span, NOW, surface, 5);

      chart_ms = time_chart (chart, surface, rounds);
      line_ms = time_polyline (points, n, NOW - span, NOW, surface, rounds);
      ratio = chart_ms / line_ms;

      printf ("  %5u points: PLplot chart %.3f ms, cairo polyline %.3f ms\n", n, chart_ms, line_ms);
      printf ("  %5u points: ratio chart/polyline %.2f (limit <= %.1f): %s; %.0f%% of a 60 Hz frame\n",
              n, ratio, MAX_RATIO, ratio <= MAX_RATIO ? "PASS" : "FAIL", 100 * chart_ms / FRAME_MS);
      chart_ms_at[s] = chart_ms;
      line_ms_at[s] = line_ms;
      worst = MAX (worst, ratio);

      if (g_getenv ("WARDWATCH_BENCH_SAVE") != NULL)
        {
          g_autofree char *name = g_strdup_printf ("bench-chart-%u.png", n);
          cairo_t *cr = cairo_create (surface);

          ward_chart_draw (chart, cr, WIDTH, HEIGHT);
          cairo_destroy (cr);
          cairo_surface_write_to_png (surface, name);
        }

      g_object_unref (chart);
      cairo_surface_destroy (surface);
    }

  /* The worse ratio chart/polyline passes at or below the limit. */
  pass = ward_bench_report ("chart", WARD_BENCH_AT_MOST, MAX_RATIO, worst,
                            "chart_600_ms", chart_ms_at[0], "polyline_600_ms", line_ms_at[0],
                            "chart_6000_ms", chart_ms_at[1], "polyline_6000_ms", line_ms_at[1],
                            NULL);
  return ward_bench_exit_status (pass);
}
