/* ward-report-charts.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-report-charts"

#include "config.h"

#include "ward-shift-report.h"

#include "ward-clinical.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

/* Two simple charts drawn with cairo itself: PLplot would need its
 * global stream on the main thread, and the report is also drawn by the
 * CLI, without a display.  The same functions draw the summary view's
 * charts, so the picture on screen is the picture on paper.
 */

#define AXIS_LEFT   30.0
#define AXIS_BOTTOM 18.0
#define LEGEND      16.0
#define FONT        "Sans 7"

/* Band colours as on the ward board (libadwaita's green_3, yellow_3,
 * orange_3 and red_3, scoring/ward-clinical.c), and grey for no score.
 */
static const double column_rgb[WARD_SUMMARY_N_COLUMNS][3] = {
  { 0.200, 0.820, 0.478 },   /* low */
  { 0.965, 0.827, 0.176 },   /* low-medium */
  { 1.000, 0.471, 0.000 },   /* medium */
  { 0.878, 0.106, 0.141 },   /* high */
  { 0.604, 0.600, 0.588 },   /* no score */
};

static void
show_text (cairo_t    *cr,
           double      x,
           double      y,
           double      align,   /* 0 left, 0.5 centre, 1 right of x */
           const char *text)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT);
  int width, height;

  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &width, &height);
  cairo_move_to (cr, x - align * width / PANGO_SCALE, y - (double) height / PANGO_SCALE / 2);
  pango_cairo_show_layout (cr, layout);
}

static void
set_ink (cairo_t  *cr,
         gboolean  dark)
{
  if (dark)
    cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
  else
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
}

/* Axes and a y scale of round steps up to max; returns the scale's top. */
static guint
draw_axes (cairo_t  *cr,
           double    width,
           double    height,
           guint     max,
           gboolean  dark)
{
  double plot_h = height - AXIS_BOTTOM - LEGEND;
  guint step = max <= 5 ? 1 : max <= 10 ? 2 : max <= 25 ? 5 : max <= 50 ? 10 : max <= 100 ? 20 : 50;
  guint top = MAX (step, ((max + step - 1) / step) * step);

  set_ink (cr, dark);
  cairo_set_line_width (cr, 0.6);
  cairo_move_to (cr, AXIS_LEFT, LEGEND);
  cairo_line_to (cr, AXIS_LEFT, LEGEND + plot_h);
  cairo_line_to (cr, width, LEGEND + plot_h);
  cairo_stroke (cr);

  for (guint v = 0; v <= top; v += step)
    {
      g_autofree char *label = g_strdup_printf ("%u", v);
      double y = LEGEND + plot_h - plot_h * v / top;

      show_text (cr, AXIS_LEFT - 3, y, 1.0, label);
      if (v > 0)
        {
          cairo_save (cr);
          cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.3);
          cairo_set_line_width (cr, 0.3);
          cairo_move_to (cr, AXIS_LEFT, y);
          cairo_line_to (cr, width, y);
          cairo_stroke (cr);
          cairo_restore (cr);
        }
    }

  return top;
}

static void
draw_legend (cairo_t     *cr,
             const char **labels,
             guint        n,
             guint        first_colour,
             gboolean     dark)
{
  double x = AXIS_LEFT;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
      g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT);
      int w, h;

      cairo_set_source_rgb (cr, column_rgb[first_colour + i][0], column_rgb[first_colour + i][1],
                            column_rgb[first_colour + i][2]);
      cairo_rectangle (cr, x, 3, 8, 8);
      cairo_fill (cr);
      set_ink (cr, dark);
      pango_layout_set_font_description (layout, font);
      pango_layout_set_text (layout, labels[i], -1);
      pango_layout_get_size (layout, &w, &h);
      cairo_move_to (cr, x + 11, 7 - (double) h / PANGO_SCALE / 2);
      pango_cairo_show_layout (cr, layout);
      x += 11 + (double) w / PANGO_SCALE + 10;
    }
}

void
ward_report_draw_census (cairo_t           *cr,
                         double             width,
                         double             height,
                         const WardSummary *summary,
                         gboolean           dark)
{
  const char *labels[WARD_SUMMARY_N_COLUMNS] = {
    ward_clinical_band_title (WARD_BAND_LOW), ward_clinical_band_title (WARD_BAND_LOW_MEDIUM),
    ward_clinical_band_title (WARD_BAND_MEDIUM), ward_clinical_band_title (WARD_BAND_HIGH),
    /* Translators: chart legend: patients with no NEWS2 score */
    _("No score"),
  };
  double plot_w = width - AXIS_LEFT;
  double plot_h = height - AXIS_BOTTOM - LEGEND;
  double slot = plot_w / WARD_SUMMARY_CENSUS_HOURS;
  guint max = 0;
  guint top;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (summary != NULL);

  for (guint i = 0; i < WARD_SUMMARY_CENSUS_HOURS; i++)
    {
      guint total = 0;

      for (guint c = 0; c < WARD_SUMMARY_N_COLUMNS; c++)
        total += summary->census_series[i][c];
      max = MAX (max, total);
    }

  cairo_save (cr);
  top = draw_axes (cr, width, height, max, dark);
  draw_legend (cr, labels, WARD_SUMMARY_N_COLUMNS, 0, dark);

  for (guint i = 0; i < WARD_SUMMARY_CENSUS_HOURS; i++)
    {
      double x = AXIS_LEFT + i * slot + slot * 0.15;
      double y = LEGEND + plot_h;

      /* High at the bottom, where the eye starts. */
      for (int c = WARD_BAND_HIGH; c >= (int) WARD_BAND_LOW; c--)
        {
          double h = plot_h * summary->census_series[i][c] / top;

          cairo_set_source_rgb (cr, column_rgb[c][0], column_rgb[c][1], column_rgb[c][2]);
          cairo_rectangle (cr, x, y - h, slot * 0.7, h);
          cairo_fill (cr);
          y -= h;
        }
      {
        guint c = WARD_SUMMARY_NO_SCORE;
        double h = plot_h * summary->census_series[i][c] / top;

        cairo_set_source_rgb (cr, column_rgb[c][0], column_rgb[c][1], column_rgb[c][2]);
        cairo_rectangle (cr, x, y - h, slot * 0.7, h);
        cairo_fill (cr);
      }

      if (i % 3 == 2 || i == WARD_SUMMARY_CENSUS_HOURS - 1)
        {
          g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (summary->census_at[i] / G_USEC_PER_SEC);
          g_autofree char *label = g_date_time_format (at, "%H:%M");

          set_ink (cr, dark);
          show_text (cr, x + slot * 0.35, height - AXIS_BOTTOM / 2, 0.5, label);
        }
    }
  cairo_restore (cr);
}

void
ward_report_draw_responses (cairo_t           *cr,
                            double             width,
                            double             height,
                            const WardSummary *summary,
                            gboolean           dark)
{
  const char *labels[] = {
    /* Translators: chart legend: responses by time to acceptance */
    _("Accepted"), _("Not accepted in time"),
  };
  double plot_w = width - AXIS_LEFT;
  double plot_h = height - AXIS_BOTTOM - LEGEND;
  double slot = plot_w / WARD_SUMMARY_N_RESPONSE_BINS;
  guint max = 0;
  guint top;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (summary != NULL);

  for (guint i = 0; i < WARD_SUMMARY_N_RESPONSE_BINS; i++)
    max = MAX (max, summary->response_bins[i]);

  cairo_save (cr);
  top = draw_axes (cr, width, height, max, dark);
  /* Green for accepted, red for missed: the legend's two colours. */
  {
    const char *accepted[] = { labels[0] };
    const char *missed[] = { labels[1] };
    PangoRectangle ink;
    g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
    g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT);

    draw_legend (cr, accepted, 1, WARD_BAND_LOW, dark);
    pango_layout_set_font_description (layout, font);
    pango_layout_set_text (layout, labels[0], -1);
    pango_layout_get_pixel_extents (layout, NULL, &ink);
    cairo_save (cr);
    cairo_translate (cr, ink.width + 21, 0);
    draw_legend (cr, missed, 1, WARD_BAND_HIGH, dark);
    cairo_restore (cr);
  }

  for (guint i = 0; i < WARD_SUMMARY_N_RESPONSE_BINS; i++)
    {
      guint c = i == WARD_SUMMARY_N_RESPONSE_BINS - 1 ? WARD_BAND_HIGH : WARD_BAND_LOW;
      double x = AXIS_LEFT + i * slot + slot * 0.15;
      double h = plot_h * summary->response_bins[i] / top;
      g_autofree char *label = NULL;

      cairo_set_source_rgb (cr, column_rgb[c][0], column_rgb[c][1], column_rgb[c][2]);
      cairo_rectangle (cr, x, LEGEND + plot_h - h, slot * 0.7, h);
      cairo_fill (cr);

      if (i == WARD_SUMMARY_N_RESPONSE_BINS - 1)
        /* Translators: the last bar of the response-time chart */
        label = g_strdup (_("missed"));
      else if (i == WARD_SUMMARY_N_RESPONSE_BINS - 2)
        label = g_strdup_printf ("%d+", ward_summary_response_bin_start[i]);
      else
        label = g_strdup_printf ("%d–%d", ward_summary_response_bin_start[i],
                                 ward_summary_response_bin_start[i + 1]);
      set_ink (cr, dark);
      show_text (cr, x + slot * 0.35, height - AXIS_BOTTOM / 2, 0.5, label);
    }
  cairo_restore (cr);
}
