/* ward-chart.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-chart"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <plplot.h>
#include <string.h>

#include "ward-chart.h"

/* PLplot keeps one global current stream.  Each chart makes its own
 * (plmkstrm) the first time it draws and selects it (plsstrm) before every
 * PLplot call; all of it happens on the main thread, in snapshot().  The
 * stream is re-initialised when the size changes: plinit is cheap, and
 * extcairo takes the page size only there.
 *
 * A chart only queues a draw when what it shows changed: new points
 * (compared, not assumed), a range moved by at least one pixel, or new
 * bands.  GTK keeps the last render node otherwise.
 */

#define N_SERIES 2
#define MARGIN_LEFT 44
#define MARGIN_RIGHT 14
#define MARGIN_TOP 8
#define MARGIN_BOTTOM 22
/* Room inside the plot after "now" and above and below the values, in
 * pixels: the newest point's ring, a value at the edge of the range and
 * the time label under "now" are drawn whole (issue #12).
 */
#define EDGE_PAD 8

struct _WardChart
{
  GtkWidget          parent_instance;

  /* Owned */
  char              *title;
  char              *unit;
  char              *span_label;
  GArray            *series[N_SERIES];   /* of WardHistoryPoint */
  GArray            *zones;              /* of Zone, computed for the y range */

  /* Borrowed */
  WardChartBandFunc  band_func;
  gpointer           band_data;

  double             band_resolution;
  double             y_min;
  double             y_max;
  guint              digits;
  gint64             from;
  gint64             to;
  gint64             stale_after;
  PLINT              stream;             /* -1 until the first draw */
  int                stream_width;
  int                stream_height;
  guint              n_draws;
  guint              loading : 1;
  guint              dark : 1;
};

typedef struct
{
  double lo;
  double hi;
  int    points;
} Zone;

G_DEFINE_FINAL_TYPE (WardChart, ward_chart, GTK_TYPE_WIDGET)

G_DEFINE_QUARK (ward-chart-error-quark, ward_chart_error)

/* Colours from libadwaita's palette, as the RCP chart shades its zones:
 * 3 red, 2 orange, 1 yellow, 0 left plain.  In the light style the tints
 * are light enough for dark text and lines on top; the dark style (a ward
 * at night) keeps the hues on a dark ground with light lines.
 */
typedef struct { guint8 r, g, b; double a; } Rgba;

typedef struct
{
  Rgba zones[4];
  Rgba background;
  Rgba axis;
  Rgba device;
  Rgba second;
  Rgba nurse;
  Rgba stale;
  Rgba latest;
} Palette;

static const Palette light_palette = {
  .zones = {
    { 255, 255, 255, 0.0 },
    { 246, 211, 45, 0.40 },    /* yellow_3 */
    { 255, 120, 0, 0.30 },     /* orange_3 */
    { 224, 27, 36, 0.30 },     /* red_3 */
  },
  .background = { 255, 255, 255, 1.0 },
  .axis = { 94, 92, 100, 1.0 },       /* dark_2 */
  .device = { 28, 113, 216, 1.0 },    /* blue_4 */
  .second = { 26, 95, 180, 0.55 },    /* blue_5, lighter */
  .nurse = { 129, 61, 156, 1.0 },     /* purple_3 */
  .stale = { 119, 118, 123, 1.0 },    /* dark_1 */
  .latest = { 0, 0, 0, 1.0 },
};

static const Palette dark_palette = {
  .zones = {
    { 0, 0, 0, 0.0 },
    { 246, 211, 45, 0.22 },    /* yellow_3 */
    { 255, 120, 0, 0.25 },     /* orange_3 */
    { 224, 27, 36, 0.30 },     /* red_3 */
  },
  .background = { 30, 30, 30, 1.0 },
  .axis = { 192, 191, 188, 1.0 },     /* light_4 */
  .device = { 98, 160, 234, 1.0 },    /* blue_2 */
  .second = { 153, 193, 241, 0.6 },   /* blue_1, lighter */
  .nurse = { 220, 138, 221, 1.0 },    /* purple_1 */
  .stale = { 154, 153, 150, 1.0 },    /* light_5 */
  .latest = { 255, 255, 255, 1.0 },
};

/* The chart's colours from the style sheet, so that they follow the
 * palette: libadwaita's view colours for the ground and the newest value
 * (light and dark), and in the night palette (the window's "night"
 * class) the chart's own night_chart_* colours of data/style.css.  A
 * colour the style does not define keeps the table's.
 */
static void
lookup_rgb (GtkStyleContext *context,
            const char      *name,
            Rgba            *colour)
{
  GdkRGBA rgba;

  if (!gtk_style_context_lookup_color (context, name, &rgba))
    return;

  colour->r = (guint8) CLAMP (rgba.red * 255. + 0.5, 0, 255);
  colour->g = (guint8) CLAMP (rgba.green * 255. + 0.5, 0, 255);
  colour->b = (guint8) CLAMP (rgba.blue * 255. + 0.5, 0, 255);
}

static gboolean
is_night (WardChart *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return root != NULL && gtk_widget_has_css_class (GTK_WIDGET (root), "night");
}

static void
get_palette (WardChart *self,
             Palette   *palette)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  *palette = self->dark || is_night (self) ? dark_palette : light_palette;
  lookup_rgb (context, "view_bg_color", &palette->background);
  lookup_rgb (context, "view_fg_color", &palette->latest);

  if (!is_night (self))
    return;

  lookup_rgb (context, "night_chart_bg", &palette->background);
  lookup_rgb (context, "night_chart_axis", &palette->axis);
  lookup_rgb (context, "night_chart_device", &palette->device);
  lookup_rgb (context, "night_chart_second", &palette->second);
  lookup_rgb (context, "night_chart_nurse", &palette->nurse);
  lookup_rgb (context, "night_chart_stale", &palette->stale);
  lookup_rgb (context, "night_chart_latest", &palette->latest);
}

enum {
  COL_BACKGROUND,
  COL_AXIS,
  COL_DEVICE,
  COL_SECOND,
  COL_NURSE,
  COL_STALE,
  COL_LATEST,
  COL_ZONE_0,
  N_COLOURS = COL_ZONE_0 + 4,
};

static gboolean device_checked;
static gboolean device_ok;
static char *device_error;

static void
set_colour (PLINT        index,
            const Rgba  *c)
{
  plscol0a (index, c->r, c->g, c->b, c->a);
}

static void
abort_cb (PLCHAR_VECTOR message)
{
  /* PLplot reports recoverable problems (a bad argument) here instead of
   * on stderr; they are bugs of ours, not of the data.
   */
  g_debug ("PLplot: %s", message);
}

static int
exit_cb (PLCHAR_VECTOR message)
{
  /* PLplot calls exit() with this status after the handler returns: the
   * device check should have made this impossible, and a failure must not
   * exit with 0.
   */
  g_critical ("PLplot gave up: %s", message);
  return 1;
}

/* x is the local wall-clock time in seconds as if it were UTC: ticks on
 * multiples of the tick interval then fall on round local times.
 */
static double
to_x (gint64 usec,
      gint64 offset_usec)
{
  return (double) (usec + offset_usec) / G_USEC_PER_SEC;
}

static void
label_cb (PLINT       axis,
          PLFLT       value,
          char       *label,
          PLINT       length,
          PLPointer   data)
{
  WardChart *self = data;

  if (axis == PL_X_AXIS)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc ((gint64) floor (value + 0.5));
      g_autofree char *text = NULL;

      /* A span over a day needs the day to place its ticks. */
      if (dt != NULL)
        text = g_date_time_format (dt, self->to - self->from > 24 * WARD_USEC_PER_HOUR
                                       ? "%a %H:%M" : "%H:%M");
      g_strlcpy (label, text != NULL ? text : "", length);
    }
  else
    {
      g_snprintf (label, length, "%.*f", value == floor (value) ? 0 : 1, value);
    }
}

static double
get_tick_interval (gint64 span_usec)
{
  gint64 minutes = span_usec / (60 * G_USEC_PER_SEC);

  if (minutes <= 15)
    return 120;
  if (minutes <= 70)
    return 600;
  if (minutes <= 8 * 60 + 10)
    return 3600;
  if (minutes <= 24 * 60 + 10)
    return 4 * 3600;
  return 12 * 3600;
}

static void
compute_data_range (WardChart *self,
                    double    *lo,
                    double    *hi)
{
  *lo = self->y_min;
  *hi = self->y_max;

  for (guint s = 0; s < N_SERIES; s++)
    {
      for (guint i = 0; i < self->series[s]->len; i++)
        {
          const WardHistoryPoint *p = &g_array_index (self->series[s], WardHistoryPoint, i);

          if (p->t <= self->from || p->t > self->to)
            continue;
          *lo = MIN (*lo, p->value);
          *hi = MAX (*hi, p->value);
        }
    }

  if (*hi - *lo < 1e-9)
    *hi = *lo + 1;
}

/* Zones as runs of equal points, each value v standing for
 * [v - resolution / 2, v + resolution / 2).
 */
static void
compute_zones (WardChart *self,
               double     lo,
               double     hi)
{
  double res = self->band_resolution > 0 ? self->band_resolution : 1;
  Zone zone = { 0 };
  gboolean have = FALSE;

  g_array_set_size (self->zones, 0);
  if (self->band_func == NULL)
    return;

  for (double v = floor (lo / res) * res; v <= hi + res; v += res)
    {
      int points = CLAMP (self->band_func (v, self->band_data), 0, 3);

      if (have && points == zone.points)
        {
          zone.hi = v + res / 2;
          continue;
        }
      if (have)
        g_array_append_val (self->zones, zone);
      zone = (Zone) { v - res / 2, v + res / 2, points };
      have = TRUE;
    }
  if (have)
    g_array_append_val (self->zones, zone);
}

static void
ensure_stream (WardChart *self,
               int        width,
               int        height)
{
  if (self->stream >= 0 && self->stream_width == width && self->stream_height == height)
    {
      plsstrm (self->stream);
      return;
    }

  if (self->stream >= 0)
    {
      plsstrm (self->stream);
      plend1 ();
    }
  else
    {
      plmkstrm (&self->stream);
    }

  plsstrm (self->stream);
  plsdev ("extcairo");
  plspage (0, 0, width, height, 0, 0);
  plscmap0n (N_COLOURS);
  plsabort (abort_cb);
  plsexit (exit_cb);
  plinit ();

  self->stream_width = width;
  self->stream_height = height;
}

/* Device points as lines, broken where the monitor was silent for longer
 * than stale_after: a gap is shown as a gap, not bridged.
 */
static void
draw_series_line (WardChart *self,
                  GArray    *series,
                  gint64     offset,
                  PLINT      colour,
                  double     width)
{
  g_autofree PLFLT *x = g_new (PLFLT, series->len + 1);
  g_autofree PLFLT *y = g_new (PLFLT, series->len + 1);
  gint64 gap = self->stale_after > 0 ? self->stale_after : G_MAXINT64;
  gint64 prev_t = 0;
  guint n = 0;

  plcol0 (colour);
  plwidth (width);

  for (guint i = 0; i < series->len; i++)
    {
      const WardHistoryPoint *p = &g_array_index (series, WardHistoryPoint, i);

      if (p->source != WARD_SOURCE_DEVICE)
        continue;

      if (n > 0 && p->t - prev_t > gap)
        {
          if (n > 1)
            plline (n, x, y);
          else
            plpoin (1, x, y, 1);
          n = 0;
        }
      x[n] = to_x (p->t, offset);
      y[n] = p->value;
      n++;
      prev_t = p->t;
    }

  if (n > 1)
    plline (n, x, y);
  else if (n == 1)
    {
      plssym (0, 0.8);
      plpoin (1, x, y, 4);
    }
}

/* Nurse entries: filled diamonds, in their own colour. */
static void
draw_nurse_points (WardChart *self,
                   GArray    *series,
                   gint64     offset,
                   double     dx,
                   double     dy)
{
  plcol0 (COL_NURSE);

  for (guint i = 0; i < series->len; i++)
    {
      const WardHistoryPoint *p = &g_array_index (series, WardHistoryPoint, i);
      PLFLT x = to_x (p->t, offset);
      PLFLT xs[4] = { x - dx, x, x + dx, x };
      PLFLT ys[4] = { p->value, p->value + dy, p->value, p->value - dy };

      if (p->source != WARD_SOURCE_NURSE || p->t <= self->from || p->t > self->to)
        continue;

      plfill (4, xs, ys);
    }
}

/* The world the plot shows, in PLplot's units (seconds of local time
 * and values), with EDGE_PAD pixels to spare after "now" and around the
 * values.
 */
static void
get_world (WardChart *self,
           int        width,
           int        height,
           gint64     offset,
           double    *x0,
           double    *x1,
           double    *x_now,
           double    *lo,
           double    *hi)
{
  int plot_width = MAX (1, width - MARGIN_LEFT - MARGIN_RIGHT);
  int plot_height = MAX (1, height - MARGIN_TOP - MARGIN_BOTTOM);
  double pad_y;

  compute_data_range (self, lo, hi);
  pad_y = (*hi - *lo) * EDGE_PAD / MAX (1, plot_height - 2 * EDGE_PAD);
  *lo -= pad_y;
  *hi += pad_y;
  *x0 = to_x (self->from, offset);
  *x_now = to_x (MAX (self->to, self->from + G_USEC_PER_SEC), offset);
  *x1 = *x_now + (*x_now - *x0) * EDGE_PAD / MAX (1, plot_width - EDGE_PAD);
}

static void
draw_chart (WardChart *self,
            cairo_t   *cr,
            int        width,
            int        height)
{
  g_autoptr(GDateTime) now_local = NULL;
  gint64 offset = 0;
  double lo, hi;
  double x0, x1, x_now;
  double px_x, px_y;
  int plot_width = MAX (1, width - MARGIN_LEFT - MARGIN_RIGHT);
  int plot_height = MAX (1, height - MARGIN_TOP - MARGIN_BOTTOM);
  const WardHistoryPoint *last = NULL;
  GArray *main_series = self->series[0];
  Palette palette_colours;
  const Palette *palette = &palette_colours;

  if (self->to > self->from)
    {
      now_local = g_date_time_new_from_unix_local (self->to / G_USEC_PER_SEC);
      if (now_local != NULL)
        offset = g_date_time_get_utc_offset (now_local);
    }

  get_palette (self, &palette_colours);
  get_world (self, width, height, offset, &x0, &x1, &x_now, &lo, &hi);
  compute_zones (self, lo, hi);
  /* One pixel, in world units, for markers sized in pixels. */
  px_x = (x1 - x0) / plot_width;
  px_y = (hi - lo) / plot_height;

  /* The background with cairo itself: extcairo paints none. */
  cairo_save (cr);
  cairo_set_source_rgb (cr, palette->background.r / 255., palette->background.g / 255.,
                        palette->background.b / 255.);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  ensure_stream (self, width, height);
  pl_cmd (PLESC_DEVINIT, cr);

  set_colour (COL_BACKGROUND, &palette->background);
  set_colour (COL_AXIS, &palette->axis);
  set_colour (COL_DEVICE, &palette->device);
  set_colour (COL_SECOND, &palette->second);
  set_colour (COL_NURSE, &palette->nurse);
  set_colour (COL_STALE, &palette->stale);
  set_colour (COL_LATEST, &palette->latest);
  for (guint i = 0; i < 4; i++)
    set_colour (COL_ZONE_0 + i, &palette->zones[i]);

  pladv (0);
  plvpor ((double) MARGIN_LEFT / width, 1.0 - (double) MARGIN_RIGHT / width,
          (double) MARGIN_BOTTOM / height, 1.0 - (double) MARGIN_TOP / height);
  plwind (x0, x1, lo, hi);

  /* NEWS2 zones. */
  for (guint i = 0; i < self->zones->len; i++)
    {
      const Zone *zone = &g_array_index (self->zones, Zone, i);
      double zlo = MAX (zone->lo, lo);
      double zhi = MIN (zone->hi, hi);
      PLFLT xs[4] = { x0, x1, x1, x0 };
      PLFLT ys[4] = { zlo, zlo, zhi, zhi };

      if (zone->points == 0 || zhi <= zlo)
        continue;
      plcol0 (COL_ZONE_0 + zone->points);
      plfill (4, xs, ys);
    }

  /* Axes and grid. */
  plcol0 (COL_AXIS);
  plwidth (0.5);
  plschr (0, 0.75);
  plslabelfunc (label_cb, self);
  plbox ("bcnsto", get_tick_interval (self->to - self->from), 0, "bcnstv", 0, 0);

  /* The data: diastolic first, so the main series is drawn on top. */
  if (self->series[1]->len > 0)
    draw_series_line (self, self->series[1], offset, COL_SECOND, 1.5);
  draw_series_line (self, main_series, offset, COL_DEVICE, 2.0);
  draw_nurse_points (self, self->series[1], offset, 5 * px_x, 5 * px_y);
  draw_nurse_points (self, main_series, offset, 5 * px_x, 5 * px_y);

  if (main_series->len > 0)
    last = &g_array_index (main_series, WardHistoryPoint, main_series->len - 1);

  if (last != NULL && last->t > self->from)
    {
      PLFLT lx = to_x (last->t, offset);
      PLFLT ly = last->value;

      /* A value older than stale_after at "now": a dashed tail to now. */
      if (self->stale_after > 0 && self->to - last->t > self->stale_after)
        {
          PLINT mark = 1500;
          PLINT space = 1500;
          PLFLT xs[2] = { lx, x_now };
          PLFLT ys[2] = { ly, ly };

          plcol0 (COL_STALE);
          plwidth (2.0);
          plstyl (1, &mark, &space);
          plline (2, xs, ys);
          plstyl (0, NULL, NULL);
          plschr (0, 0.65);
          plptex (x_now - 2 * px_x, ly + 6 * px_y, 1, 0, 1.0, _("stale"));
        }

      /* The newest value: a ring around a dot. */
      plcol0 (COL_LATEST);
      plwidth (1.5);
      plssym (0, 1.0);
      plpoin (1, &lx, &ly, 4);
    }

  cairo_restore (cr);
}

static void
draw_message (GtkWidget   *widget,
              GtkSnapshot *snapshot,
              const char  *message)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, message);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int text_width, text_height;
  GdkRGBA colour;

  pango_layout_set_width (layout, MAX (1, width - 24) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &colour);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (12, (height - text_height) / 2.0f));
  gtk_snapshot_append_layout (snapshot, layout, &colour);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

static void
update_accessible (WardChart *self)
{
  GArray *main_series = self->series[0];
  g_autofree char *description = NULL;
  const char *title = self->title != NULL ? self->title : "";
  const char *span = self->span_label != NULL ? self->span_label : "";
  guint n = 0;

  for (guint i = 0; i < main_series->len; i++)
    {
      gint64 t = g_array_index (main_series, WardHistoryPoint, i).t;

      if (t > self->from && t <= self->to)
        n++;
    }

  if (self->loading && n == 0)
    /* Translators: a chart's accessible description, "Heart rate, last hour: loading" */
    description = g_strdup_printf (_("%s, %s: loading"), title, span);
  else if (n == 0)
    /* Translators: a chart's accessible description, "Heart rate, last hour: no data" */
    description = g_strdup_printf (_("%s, %s: no data"), title, span);
  else
    {
      const WardHistoryPoint *last = &g_array_index (main_series, WardHistoryPoint,
                                                     main_series->len - 1);
      g_autofree char *value = g_strdup_printf ("%.*f", self->digits, last->value);
      GArray *second = self->series[1];
      g_autofree char *points = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u point",
                                                              "%u points", n), n);
      gboolean stale = self->stale_after > 0 && self->to - last->t > self->stale_after;

      /* Blood pressure reads as systolic/diastolic. */
      if (second->len > 0)
        {
          g_autofree char *first = g_steal_pointer (&value);

          value = g_strdup_printf ("%s/%.*f", first, self->digits,
                                   g_array_index (second, WardHistoryPoint, second->len - 1).value);
        }

      if (stale)
        /* Translators: a chart's accessible description, "Heart rate, last hour:
         * latest 112 per minute (stale), 3 points"
         */
        description = g_strdup_printf (_("%s, %s: latest %s %s (stale), %s"),
                                       title, span, value, self->unit ? self->unit : "", points);
      else
        /* Translators: a chart's accessible description, "Heart rate, last hour:
         * latest 112 per minute, 3 points"
         */
        description = g_strdup_printf (_("%s, %s: latest %s %s, %s"),
                                       title, span, value, self->unit ? self->unit : "", points);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/* Field by field: the struct has padding that memcmp would compare. */
static gboolean
points_equal (GArray                 *array,
              const WardHistoryPoint *points,
              guint                   n_points)
{
  if (array->len != n_points)
    return FALSE;

  for (guint i = 0; i < n_points; i++)
    {
      const WardHistoryPoint *a = &g_array_index (array, WardHistoryPoint, i);

      if (a->t != points[i].t || a->value != points[i].value || a->source != points[i].source)
        return FALSE;
    }

  return TRUE;
}

static void
changed (WardChart *self)
{
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ward_chart_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  WardChart *self = WARD_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GError) error = NULL;
  cairo_t *cr;

  if (width <= MARGIN_LEFT + MARGIN_RIGHT || height <= MARGIN_TOP + MARGIN_BOTTOM)
    return;

  if (!ward_chart_check_device (&error))
    {
      draw_message (widget, snapshot, error->message);
      return;
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  ward_chart_draw (self, cr, width, height);
  cairo_destroy (cr);
}

/* The point nearest the pointer, within a few pixels, as a tooltip:
 * drawn by GTK, so the chart itself is not redrawn for it.
 */
static gboolean
ward_chart_query_tooltip (GtkWidget  *widget,
                          int         x,
                          int         y,
                          gboolean    keyboard,
                          GtkTooltip *tooltip)
{
  WardChart *self = WARD_CHART (widget);
  int plot_width = gtk_widget_get_width (widget) - MARGIN_LEFT - MARGIN_RIGHT;
  const WardHistoryPoint *best = NULL;
  GArray *series = self->series[0];
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *time = NULL;
  g_autofree char *value = NULL;
  g_autofree char *text = NULL;
  double best_px = 8;
  double usec_per_px;

  if (keyboard || plot_width <= 0 || self->to <= self->from || series->len == 0)
    return FALSE;

  /* As drawn: "now" is EDGE_PAD pixels before the plot's right edge. */
  usec_per_px = (double) (self->to - self->from) / MAX (1, plot_width - EDGE_PAD);
  for (guint i = 0; i < series->len; i++)
    {
      const WardHistoryPoint *p = &g_array_index (series, WardHistoryPoint, i);
      double px = MARGIN_LEFT + (p->t - self->from) / usec_per_px;

      if (p->t > self->from && p->t <= self->to && ABS (px - x) < best_px)
        {
          best = p;
          best_px = ABS (px - x);
        }
    }

  if (best == NULL)
    return FALSE;

  dt = g_date_time_new_from_unix_local (best->t / G_USEC_PER_SEC);
  time = dt != NULL ? g_date_time_format (dt, self->to - self->from > 24 * WARD_USEC_PER_HOUR
                                              ? "%a %H:%M:%S" : "%H:%M:%S")
                    : g_strdup ("?");
  value = g_strdup_printf ("%.*f", self->digits, best->value);

  if (best->source == WARD_SOURCE_NURSE)
    /* Translators: a chart's tooltip, "10:42:05: 112 per minute, entered by a nurse" */
    text = g_strdup_printf (_("%s: %s %s, entered by a nurse"), time, value,
                            self->unit != NULL ? self->unit : "");
  else
    /* Translators: a chart's tooltip, "10:42:05: 112 per minute, from the monitor" */
    text = g_strdup_printf (_("%s: %s %s, from the monitor"), time, value,
                            self->unit != NULL ? self->unit : "");
  gtk_tooltip_set_text (tooltip, text);

  return TRUE;
}

static void
ward_chart_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 600;
    }
  else
    {
      *minimum = 120;
      *natural = 160;
    }
}

static void
ward_chart_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  /* A new size is a new render node anyway; GTK queues that draw. */
}

static void
dark_changed_cb (WardChart       *self,
                 GParamSpec      *pspec,
                 AdwStyleManager *style_manager)
{
  gboolean dark = adw_style_manager_get_dark (style_manager);

  if (self->dark == dark)
    return;
  self->dark = dark;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ward_chart_finalize (GObject *object)
{
  WardChart *self = WARD_CHART (object);

  if (self->stream >= 0)
    {
      plsstrm (self->stream);
      plend1 ();
      self->stream = -1;
    }

  for (guint s = 0; s < N_SERIES; s++)
    g_clear_pointer (&self->series[s], g_array_unref);
  g_clear_pointer (&self->zones, g_array_unref);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->unit, g_free);
  g_clear_pointer (&self->span_label, g_free);

  G_OBJECT_CLASS (ward_chart_parent_class)->finalize (object);
}

static void
ward_chart_class_init (WardChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ward_chart_finalize;

  widget_class->snapshot = ward_chart_snapshot;
  widget_class->measure = ward_chart_measure;
  widget_class->size_allocate = ward_chart_size_allocate;
  widget_class->query_tooltip = ward_chart_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "wardchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ward_chart_init (WardChart *self)
{
  for (guint s = 0; s < N_SERIES; s++)
    self->series[s] = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));
  self->zones = g_array_new (FALSE, FALSE, sizeof (Zone));
  self->stream = -1;
  self->y_min = 0;
  self->y_max = 1;
  self->band_resolution = 1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  update_accessible (self);

  /* The style follows the application's; the handler goes with the chart. */
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed_cb), self, G_CONNECT_SWAPPED);
  self->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
}

gboolean
ward_chart_check_device (GError **error)
{
  if (!device_checked)
    {
      const char **menus = NULL;
      const char **names = NULL;
      PLINT n = 64;

      /* plinit() with a missing device asks on stdin and then exits: ask
       * PLplot which devices it has before ever selecting one.
       */
      menus = g_new0 (const char *, n);
      names = g_new0 (const char *, n);
      plgDevs (&menus, &names, &n);
      for (PLINT i = 0; i < n && !device_ok; i++)
        device_ok = g_strcmp0 (names[i], "extcairo") == 0;
      g_free (menus);
      g_free (names);

      if (g_getenv ("WARDWATCH_TEST_NO_EXTCAIRO") != NULL)
        device_ok = FALSE;
      if (!device_ok)
        device_error = g_strdup (_("Charts need PLplot’s cairo driver, which is not "
                                   "installed (Debian package plplot-driver-cairo)"));
      device_checked = TRUE;
    }

  if (!device_ok)
    {
      g_set_error_literal (error, WARD_CHART_ERROR, WARD_CHART_ERROR_NO_DEVICE, device_error);
      return FALSE;
    }

  return TRUE;
}

GtkWidget *
ward_chart_new (void)
{
  return g_object_new (WARD_TYPE_CHART, NULL);
}

void
ward_chart_set_title (WardChart  *self,
                      const char *title)
{
  g_return_if_fail (WARD_IS_CHART (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  update_accessible (self);
}

void
ward_chart_set_unit (WardChart  *self,
                     const char *unit)
{
  g_return_if_fail (WARD_IS_CHART (self));

  if (g_strcmp0 (self->unit, unit) == 0)
    return;
  g_free (self->unit);
  self->unit = g_strdup (unit);
  update_accessible (self);
}

void
ward_chart_set_span_label (WardChart  *self,
                           const char *span_label)
{
  g_return_if_fail (WARD_IS_CHART (self));

  if (g_strcmp0 (self->span_label, span_label) == 0)
    return;
  g_free (self->span_label);
  self->span_label = g_strdup (span_label);
  update_accessible (self);
}

void
ward_chart_set_digits (WardChart *self,
                       guint      digits)
{
  g_return_if_fail (WARD_IS_CHART (self));

  self->digits = MIN (digits, 3);
  update_accessible (self);
}

void
ward_chart_set_y_range (WardChart *self,
                        double     min,
                        double     max)
{
  g_return_if_fail (WARD_IS_CHART (self));
  g_return_if_fail (max > min);

  if (self->y_min == min && self->y_max == max)
    return;
  self->y_min = min;
  self->y_max = max;
  changed (self);
}

void
ward_chart_set_band_func (WardChart         *self,
                          WardChartBandFunc  func,
                          gpointer           user_data,
                          double             resolution)
{
  g_return_if_fail (WARD_IS_CHART (self));
  g_return_if_fail (resolution > 0);

  self->band_func = func;
  self->band_data = user_data;
  self->band_resolution = resolution;
  changed (self);
}

void
ward_chart_bands_changed (WardChart *self)
{
  g_return_if_fail (WARD_IS_CHART (self));

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ward_chart_set_range (WardChart *self,
                      gint64     from,
                      gint64     to)
{
  gint64 span = to - from;
  gint64 pixel;
  int plot_width;

  g_return_if_fail (WARD_IS_CHART (self));
  g_return_if_fail (to > from);

  /* "now" moves with every snapshot: only a move of at least a pixel is
   * worth a redraw.
   */
  plot_width = gtk_widget_get_width (GTK_WIDGET (self)) - MARGIN_LEFT - MARGIN_RIGHT;
  pixel = plot_width > 0 ? span / plot_width : 0;
  if (self->to - self->from == span && ABS (to - self->to) < pixel)
    return;

  self->from = from;
  self->to = to;
  changed (self);
}

void
ward_chart_set_stale_after (WardChart *self,
                            gint64     usec)
{
  g_return_if_fail (WARD_IS_CHART (self));

  if (self->stale_after == usec)
    return;
  self->stale_after = usec;
  changed (self);
}

void
ward_chart_set_points (WardChart              *self,
                       guint                   series,
                       const WardHistoryPoint *points,
                       guint                   n_points)
{
  GArray *array;

  g_return_if_fail (WARD_IS_CHART (self));
  g_return_if_fail (series < N_SERIES);
  g_return_if_fail (points != NULL || n_points == 0);

  array = self->series[series];
  if (points_equal (array, points, n_points))
    return;

  g_array_set_size (array, 0);
  g_array_append_vals (array, points, n_points);
  changed (self);
}

void
ward_chart_set_loading (WardChart *self,
                        gboolean   loading)
{
  g_return_if_fail (WARD_IS_CHART (self));

  if (self->loading == !!loading)
    return;
  self->loading = !!loading;
  update_accessible (self);
}

void
ward_chart_draw (WardChart *self,
                 cairo_t   *cr,
                 int        width,
                 int        height)
{
  g_return_if_fail (WARD_IS_CHART (self));
  g_return_if_fail (cr != NULL);
  g_return_if_fail (ward_chart_check_device (NULL));

  if (width <= MARGIN_LEFT + MARGIN_RIGHT || height <= MARGIN_TOP + MARGIN_BOTTOM)
    return;

  self->n_draws++;
  draw_chart (self, cr, width, height);
}

guint
ward_chart_get_n_draws (WardChart *self)
{
  g_return_val_if_fail (WARD_IS_CHART (self), 0);

  return self->n_draws;
}

/* Where the chart draws the point (t, value), in the widget's pixels,
 * and the plot area it draws in: the tests check that the newest point
 * is inside with room for its ring.
 */
void
_ward_chart_map_point (WardChart       *self,
                       gint64           t,
                       double           value,
                       double          *x,
                       double          *y,
                       graphene_rect_t *plot)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  int plot_width = MAX (1, width - MARGIN_LEFT - MARGIN_RIGHT);
  int plot_height = MAX (1, height - MARGIN_TOP - MARGIN_BOTTOM);
  double x0, x1, x_now, lo, hi;

  g_return_if_fail (WARD_IS_CHART (self));

  /* The offset cancels out: both ends and the point move by it. */
  get_world (self, width, height, 0, &x0, &x1, &x_now, &lo, &hi);
  *x = MARGIN_LEFT + (to_x (t, 0) - x0) / (x1 - x0) * plot_width;
  *y = MARGIN_TOP + (hi - value) / (hi - lo) * plot_height;
  graphene_rect_init (plot, MARGIN_LEFT, MARGIN_TOP, plot_width, plot_height);
}
