/* test-chart.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-chart"

#include "config.h"

#include <adwaita.h>

#include "ward-chart.h"
#include "ward-news2.h"

/* 2026-11-22T10:00:00Z */
#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

typedef struct
{
  guint8 r, g, b;
} Pixel;

static int
hr_band_cb (double   value,
            gpointer user_data)
{
  return ward_news2_score_hr (value);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

static GtkWindow *
show_chart (WardChart *chart)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  guint id;

  gtk_widget_set_size_request (GTK_WIDGET (chart), 600, 220);
  gtk_window_set_child (window, GTK_WIDGET (chart));
  gtk_window_present (window);

  id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "the chart to be mapped");
  while (!gtk_widget_get_mapped (GTK_WIDGET (chart)) || gtk_widget_get_width (GTK_WIDGET (chart)) < 600)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  return window;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* Lets one frame be painted, so that a queued draw has happened. */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler;
  guint id;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
  id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "a frame");
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_signal_handler_disconnect (clock, handler);
}

/* Renders the widget through its own snapshot into an image. */
static cairo_surface_t *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;

  wait_for_frame (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  if (node != NULL)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  g_clear_pointer (&node, gsk_render_node_unref);
  cairo_surface_flush (surface);

  return surface;
}

static Pixel
get_pixel (cairo_surface_t *surface,
           int              x,
           int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  const guint32 *row = (const guint32 *) (gconstpointer) (data + y * cairo_image_surface_get_stride (surface));
  guint32 argb = row[x];

  return (Pixel) { (argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff };
}

/* How many pixels are within tolerance of a colour. */
static guint
count_colour (cairo_surface_t *surface,
              double           r,
              double           g,
              double           b,
              double           tolerance)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  guint n = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        Pixel p = get_pixel (surface, x, y);

        if (ABS (p.r - r) <= tolerance && ABS (p.g - g) <= tolerance && ABS (p.b - b) <= tolerance)
          n++;
      }

  return n;
}

/* A tint of the RCP zone colour over the white chart background. */
static guint
count_tint (cairo_surface_t *surface,
            double           r,
            double           g,
            double           b,
            double           a)
{
  return count_colour (surface, 255 + a * (r - 255), 255 + a * (g - 255), 255 + a * (b - 255), 3);
}

/* Grey pixels in the right sixth of the plot, inside its frame: where a
 * stale tail runs to "now".
 */
static guint
count_grey_right (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  guint n = 0;

  for (int y = 16; y < height - 30; y++)
    for (int x = width * 5 / 6; x < width - 18; x++)
      {
        Pixel p = get_pixel (surface, x, y);

        /* Dark and not the blue of the line: the grey tail, even where
         * its antialiased edges blend into a zone's tint.
         */
        if (MAX (p.r, MAX (p.g, p.b)) < 200 && p.b - p.r < 40)
          n++;
      }

  return n;
}

static guint
count_not_white (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);

  return width * height - count_colour (surface, 255, 255, 255, 2);
}

static WardChart *
create_hr_chart (void)
{
  WardChart *chart = WARD_CHART (ward_chart_new ());

  ward_chart_set_title (chart, "Heart rate");
  ward_chart_set_unit (chart, "per minute");
  ward_chart_set_span_label (chart, "last hour");
  ward_chart_set_y_range (chart, 30, 160);
  ward_chart_set_band_func (chart, hr_band_cb, NULL, 1);
  ward_chart_set_stale_after (chart, 60 * G_USEC_PER_SEC);
  ward_chart_set_range (chart, NOW - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC, NOW);

  return chart;
}

static void
test_draw (void)
{
  WardChart *chart = create_hr_chart ();
  GtkWindow *window;
  cairo_surface_t *surface;
  WardHistoryPoint points[61];
  guint n_grey;

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i] = (WardHistoryPoint) { NOW - (gint64) (60 - i) * 60 * G_USEC_PER_SEC,
                                     70 + i, WARD_SOURCE_DEVICE };
  points[30].source = WARD_SOURCE_NURSE;
  ward_chart_set_points (chart, 0, points, G_N_ELEMENTS (points));

  window = show_chart (chart);
  surface = render_widget (GTK_WIDGET (chart));
  g_assert_cmpuint (ward_chart_get_n_draws (chart), >=, 1);

  /* Not blank: lines, axes, labels and zones. */
  g_assert_cmpuint (count_not_white (surface), >, 5000);
  /* The RCP zones: heart rate 131 and over scores 3, 111-130 scores 2,
   * 91-110 and 41-50 score 1.
   */
  g_assert_cmpuint (count_tint (surface, 224, 27, 36, 0.30), >, 500);
  g_assert_cmpuint (count_tint (surface, 255, 120, 0, 0.30), >, 500);
  g_assert_cmpuint (count_tint (surface, 246, 211, 45, 0.40), >, 500);
  /* The device line and the nurse entry, in their own colours. */
  g_assert_cmpuint (count_colour (surface, 28, 113, 216, 40), >, 100);
  g_assert_cmpuint (count_colour (surface, 129, 61, 156, 30), >, 10);

  if (g_getenv ("WARDWATCH_TEST_SAVE") != NULL)
    cairo_surface_write_to_png (surface, "test-chart.png");
  /* Fresh data: no stale tail; grey of that kind only in the antialiased
   * axes and labels.
   */
  n_grey = count_grey_right (surface);
  cairo_surface_destroy (surface);

  /* Ten minutes without data: a dashed grey tail from the last value to now. */
  ward_chart_set_range (chart, NOW + 10 * WARD_USEC_PER_MINUTE - WARD_USEC_PER_HOUR,
                        NOW + 10 * WARD_USEC_PER_MINUTE);
  surface = render_widget (GTK_WIDGET (chart));
  if (g_getenv ("WARDWATCH_TEST_SAVE") != NULL)
    cairo_surface_write_to_png (surface, "test-chart-stale.png");
  g_assert_cmpuint (count_grey_right (surface), >, n_grey + 30);

  cairo_surface_destroy (surface);
  gtk_window_destroy (window);
}

/* The same data again is not a redraw; new data and a range moved by
 * more than a pixel are.
 */
static void
test_redraw_only_on_change (void)
{
  WardChart *chart = create_hr_chart ();
  GtkWindow *window;
  cairo_surface_t *surface;
  WardHistoryPoint points[3] = {
    { NOW - 120 * G_USEC_PER_SEC, 80, WARD_SOURCE_DEVICE },
    { NOW - 60 * G_USEC_PER_SEC, 90, WARD_SOURCE_DEVICE },
    { NOW - 5 * G_USEC_PER_SEC, 100, WARD_SOURCE_DEVICE },
  };
  WardHistoryPoint copy[3];
  guint n_draws;

  ward_chart_set_points (chart, 0, points, 3);
  window = show_chart (chart);
  cairo_surface_destroy (render_widget (GTK_WIDGET (chart)));
  n_draws = ward_chart_get_n_draws (chart);
  g_assert_cmpuint (n_draws, >=, 1);

  memcpy (copy, points, sizeof points);
  ward_chart_set_points (chart, 0, copy, 3);
  /* Less than a pixel (an hour over some 540 pixels is 6.7 s a pixel). */
  ward_chart_set_range (chart, NOW - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC + G_USEC_PER_SEC, NOW + G_USEC_PER_SEC);
  surface = render_widget (GTK_WIDGET (chart));
  cairo_surface_destroy (surface);
  g_assert_cmpuint (ward_chart_get_n_draws (chart), ==, n_draws);

  copy[2].value = 101;
  ward_chart_set_points (chart, 0, copy, 3);
  cairo_surface_destroy (render_widget (GTK_WIDGET (chart)));
  g_assert_cmpuint (ward_chart_get_n_draws (chart), ==, n_draws + 1);

  ward_chart_set_range (chart, NOW - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC + 60 * G_USEC_PER_SEC,
                        NOW + 60 * G_USEC_PER_SEC);
  cairo_surface_destroy (render_widget (GTK_WIDGET (chart)));
  g_assert_cmpuint (ward_chart_get_n_draws (chart), ==, n_draws + 2);

  gtk_window_destroy (window);
}

static void
test_accessible (void)
{
  WardChart *chart = create_hr_chart ();
  WardHistoryPoint points[3] = {
    { NOW - 120 * G_USEC_PER_SEC, 98, WARD_SOURCE_DEVICE },
    { NOW - 60 * G_USEC_PER_SEC, 105, WARD_SOURCE_DEVICE },
    { NOW - 5 * G_USEC_PER_SEC, 112, WARD_SOURCE_DEVICE },
  };

  g_object_ref_sink (chart);

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Heart rate");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Heart rate, last hour: no data");

  ward_chart_set_points (chart, 0, points, 3);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Heart rate, last hour: latest 112 per minute, 3 points");

  /* Five minutes on, the newest value is stale. */
  ward_chart_set_range (chart, NOW + 5 * 60 * G_USEC_PER_SEC - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC,
                        NOW + 5 * 60 * G_USEC_PER_SEC);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Heart rate, last hour: latest 112 per minute (stale), 3 points");

  /* A second series (diastolic pressure) is read after the first. */
  ward_chart_set_range (chart, NOW - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC, NOW);
  ward_chart_set_points (chart, 1, points, 2);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Heart rate, last hour: latest 112/105 per minute, 3 points");

  g_object_unref (chart);
}

/* The dark style: a dark ground, the zones in the same hues. */
static void
test_dark (void)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  WardChart *chart = create_hr_chart ();
  GtkWindow *window;
  cairo_surface_t *surface;
  int width, height;

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  window = show_chart (chart);
  surface = render_widget (GTK_WIDGET (chart));
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);

  g_assert_cmpuint (count_colour (surface, 30, 30, 30, 2), >, width * height / 20);
  g_assert_cmpuint (count_colour (surface, 30 + 0.30 * (224 - 30), 30 + 0.30 * (27 - 30),
                                  30 + 0.30 * (36 - 30), 3), >, 500);
  g_assert_cmpuint (count_colour (surface, 255, 255, 255, 2), <, 200);

  cairo_surface_destroy (surface);
  gtk_window_destroy (window);
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
}

static guint
count_named (cairo_surface_t *surface,
             GtkWidget       *widget,
             const char      *name,
             double           tolerance)
{
  GdkRGBA rgba;

  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, &rgba));
  return count_colour (surface, rgba.red * 255, rgba.green * 255, rgba.blue * 255, tolerance);
}

/* The night palette (the window's "night" class over the dark style,
 * with the shipped style sheet): the chart's ground, axes and series are
 * the style's night_chart_* colours, not the day's white and blue nor
 * the dark style's grey.  Back to light, the chart is white again.
 */
static void
test_night (void)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  WardChart *chart = create_hr_chart ();
  WardHistoryPoint points[61];
  GtkWindow *window;
  cairo_surface_t *surface;
  int width, height;

  gtk_css_provider_load_from_resource (provider, "/io/github/wardwatch/Wardwatch/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    points[i] = (WardHistoryPoint) { NOW - (gint64) (60 - i) * 60 * G_USEC_PER_SEC,
                                     70 + i, WARD_SOURCE_DEVICE };
  points[30].source = WARD_SOURCE_NURSE;
  ward_chart_set_points (chart, 0, points, G_N_ELEMENTS (points));

  /* As ward_palette_apply_to() makes the night palette. */
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  window = show_chart (chart);
  gtk_widget_add_css_class (GTK_WIDGET (window), "night");
  surface = render_widget (GTK_WIDGET (chart));
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  if (g_getenv ("WARDWATCH_TEST_SAVE") != NULL)
    cairo_surface_write_to_png (surface, "test-chart-night.png");

  g_assert_cmpuint (count_named (surface, GTK_WIDGET (chart), "night_chart_bg", 1), >,
                    width * height / 20);
  g_assert_cmpuint (count_named (surface, GTK_WIDGET (chart), "night_chart_device", 30), >, 100);
  g_assert_cmpuint (count_named (surface, GTK_WIDGET (chart), "night_chart_nurse", 30), >, 10);
  /* The frame and ticks, thin and antialiased: near its colour. */
  g_assert_cmpuint (count_named (surface, GTK_WIDGET (chart), "night_chart_axis", 24), >, 20);
  /* Not the dark style's grey ground, its blue line, nor white. */
  g_assert_cmpuint (count_colour (surface, 30, 30, 30, 2), <, 200);
  g_assert_cmpuint (count_colour (surface, 98, 160, 234, 30), <, 10);
  g_assert_cmpuint (count_colour (surface, 255, 255, 255, 2), <, 200);
  cairo_surface_destroy (surface);

  /* The palette changes while the chart is shown. */
  gtk_widget_remove_css_class (GTK_WIDGET (window), "night");
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  surface = render_widget (GTK_WIDGET (chart));
  g_assert_cmpuint (count_colour (surface, 255, 255, 255, 2), >, width * height / 20);
  g_assert_cmpuint (count_named (surface, GTK_WIDGET (chart), "night_chart_bg", 1), <, 200);
  cairo_surface_destroy (surface);

  gtk_window_destroy (window);
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                 GTK_STYLE_PROVIDER (provider));
}

/* No data: the zones and axes are still drawn, and nothing fails. */
static void
test_missing_data (void)
{
  WardChart *chart = create_hr_chart ();
  GtkWindow *window = show_chart (chart);
  cairo_surface_t *surface = render_widget (GTK_WIDGET (chart));

  g_assert_cmpuint (count_not_white (surface), >, 1000);
  g_assert_cmpuint (count_tint (surface, 224, 27, 36, 0.30), >, 500);
  g_assert_cmpuint (count_colour (surface, 28, 113, 216, 40), ==, 0);

  cairo_surface_destroy (surface);
  gtk_window_destroy (window);
}

/* Without PLplot's extcairo device the chart says so instead of letting
 * plinit() read stdin and exit.
 */
static void
test_missing_device (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      WardChart *chart;
      GtkWindow *window;
      cairo_surface_t *surface;

      g_setenv ("WARDWATCH_TEST_NO_EXTCAIRO", "1", TRUE);
      g_assert_false (ward_chart_check_device (&error));
      g_assert_error (error, WARD_CHART_ERROR, WARD_CHART_ERROR_NO_DEVICE);
      g_assert_nonnull (strstr (error->message, "plplot-driver-cairo"));

      chart = create_hr_chart ();
      window = show_chart (chart);
      surface = render_widget (GTK_WIDGET (chart));
      /* The message is drawn; the chart is not. */
      g_assert_cmpuint (ward_chart_get_n_draws (chart), ==, 0);
      g_assert_cmpuint (count_tint (surface, 224, 27, 36, 0.30), ==, 0);
      cairo_surface_destroy (surface);
      gtk_window_destroy (window);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Issue #12: the newest point sits at "now", the right end of the time
 * axis, and a value can be at the top of the range; neither may be cut
 * by the plot's edge.  Its ring (about 4 px) is wholly inside the plot
 * area, at the place the chart draws it.
 */
static void
test_newest_inside (void)
{
  static const double values[] = { 75, 160, 30 };   /* the y range is 30-160 */

  for (guint v = 0; v < G_N_ELEMENTS (values); v++)
    {
      WardChart *chart = create_hr_chart ();
      WardHistoryPoint points[31];
      graphene_rect_t plot;
      GtkWindow *window;
      double x, y;

      for (guint i = 0; i < G_N_ELEMENTS (points); i++)
        points[i] = (WardHistoryPoint) { NOW - (gint64) (30 - i) * 60 * G_USEC_PER_SEC,
                                         75, WARD_SOURCE_DEVICE };
      points[30].value = values[v];
      ward_chart_set_points (chart, 0, points, G_N_ELEMENTS (points));
      window = show_chart (chart);

      _ward_chart_map_point (chart, NOW, values[v], &x, &y, &plot);
      g_test_message ("Newest point %.0f at %.1f,%.1f; plot %.0f,%.0f %.0f×%.0f", values[v], x, y,
                      plot.origin.x, plot.origin.y, plot.size.width, plot.size.height);
      g_assert_cmpfloat (x + 5, <=, plot.origin.x + plot.size.width);
      g_assert_cmpfloat (y - 5, >=, plot.origin.y);
      g_assert_cmpfloat (y + 5, <=, plot.origin.y + plot.size.height);
      /* The oldest point still at the left edge: the padding is small. */
      _ward_chart_map_point (chart, NOW - WARD_USEC_PER_HOUR, 75, &x, &y, &plot);
      g_assert_cmpfloat (ABS (x - plot.origin.x), <, 1);

      gtk_window_destroy (window);
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/chart/draw", test_draw);
  g_test_add_func ("/ui/chart/redraw-only-on-change", test_redraw_only_on_change);
  g_test_add_func ("/ui/chart/accessible", test_accessible);
  g_test_add_func ("/ui/chart/missing-data", test_missing_data);
  g_test_add_func ("/ui/chart/dark", test_dark);
  g_test_add_func ("/ui/chart/night", test_night);
  g_test_add_func ("/ui/chart/missing-device", test_missing_device);
  g_test_add_func ("/ui/chart/newest-inside", test_newest_inside);

  return g_test_run ();
}
