/* ward-chart.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ward-history.h"

G_BEGIN_DECLS

/* A time chart of one parameter, drawn by PLplot's extcairo device into
 * the cairo context GTK hands the widget: the NEWS2 zones shaded as on
 * the RCP chart, device values as a line, nurse entries as diamonds, the
 * newest value marked and a stale tail dashed up to "now".  It redraws
 * only when its data, its range (by at least a pixel) or its size change.
 */

#define WARD_CHART_ERROR (ward_chart_error_quark ())

typedef enum
{
  WARD_CHART_ERROR_NO_DEVICE,
} WardChartError;

/* The NEWS2 points (0-3) a value scores; the chart shades each zone. */
typedef int (*WardChartBandFunc) (double   value,
                                  gpointer user_data);

#define WARD_TYPE_CHART (ward_chart_get_type ())
G_DECLARE_FINAL_TYPE (WardChart, ward_chart, WARD, CHART, GtkWidget)

GQuark        ward_chart_error_quark      (void);
/* Whether PLplot has the extcairo device; checked once. */
gboolean      ward_chart_check_device     (GError                 **error);

GtkWidget    *ward_chart_new              (void);
void          ward_chart_set_title        (WardChart               *self,
                                           const char              *title);
void          ward_chart_set_unit         (WardChart               *self,
                                           const char              *unit);
/* Words for the span in the accessible description, e.g. "last hour". */
void          ward_chart_set_span_label   (WardChart               *self,
                                           const char              *span_label);
void          ward_chart_set_digits       (WardChart               *self,
                                           guint                    digits);
/* The y range shown at least; data outside it widens it. */
void          ward_chart_set_y_range      (WardChart               *self,
                                           double                   min,
                                           double                   max);
/* The band function is sampled every resolution (1 for whole numbers,
 * 0.1 for temperature) from the bottom to the top of the y range.
 */
void          ward_chart_set_band_func    (WardChart               *self,
                                           WardChartBandFunc        func,
                                           gpointer                 user_data,
                                           double                   resolution);
/* Call when the band function's answers changed (SpO2 scale, oxygen). */
void          ward_chart_bands_changed    (WardChart               *self);
/* The time axis: (from, to], UTC usec; "to" is "now". */
void          ward_chart_set_range        (WardChart               *self,
                                           gint64                   from,
                                           gint64                   to);
/* A value older than this at "to" is stale: its tail is dashed. */
void          ward_chart_set_stale_after  (WardChart               *self,
                                           gint64                   usec);
/* Series 0 is the main one (its newest value is marked); series 1 an
 * optional second one (diastolic pressure).  Points in time order.
 */
void          ward_chart_set_points       (WardChart               *self,
                                           guint                    series,
                                           const WardHistoryPoint  *points,
                                           guint                    n_points);
void          ward_chart_set_loading      (WardChart               *self,
                                           gboolean                 loading);

/* Draws the chart into any cairo context: the widget's snapshot uses it,
 * and so does the benchmark.  Main thread only (PLplot).
 */
void          ward_chart_draw             (WardChart               *self,
                                           cairo_t                 *cr,
                                           int                      width,
                                           int                      height);
/* How many times the chart was drawn: tests check that unchanged data
 * does not redraw.
 */
guint         ward_chart_get_n_draws      (WardChart               *self);
void          _ward_chart_map_point       (WardChart               *self,
                                           gint64                   t,
                                           double                   value,
                                           double                  *x,
                                           double                  *y,
                                           graphene_rect_t         *plot);

G_END_DECLS
