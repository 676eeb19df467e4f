/* test-board-layout.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The board follows the screen (issue #12): the grid from the space and
 * the number of beds, and on real widgets in a window of a station
 * screen's size (this test's own Xvfb is 1920×1080) that every tile of a
 * 64-bed ward is wholly inside a 1920×1080 window in wall density, and
 * of 32 beds in 1366×768, with the NEWS2 total at 48 px or more and the
 * vitals at 20 px or more, measured on the labels' Pango layouts.
 */

#define G_LOG_DOMAIN "test-board-layout"

#include "config.h"

#include <adwaita.h>

#include "ward-bed-tile.h"
#include "ward-board-layout.h"
#include "ward-patient-view.h"
#include "ward-snapshot.h"
#include "ward-window.h"
#include "ward-window-private.h"

#include "ward-test-window.h"

/* 2026-11-22T10:00:00Z */
#define NOW WARD_TEST_NOW

/* ---- The grid alone ---- */

static void
assert_grid_holds (const WardBoardGrid *grid,
                   int                  width,
                   int                  height,
                   guint                n_beds)
{
  g_assert_cmpuint (grid->columns * grid->rows, >=, n_beds);
  g_assert_cmpint (grid->columns * grid->tile_width + (grid->columns - 1) * grid->spacing, <=, width);
  if (grid->fits)
    g_assert_cmpint (grid->rows * grid->tile_height + (grid->rows - 1) * grid->spacing, <=, height);
}

static void
test_compute (void)
{
  WardBoardGrid grid, fewer, more;

  /* A 1920×1080 screen's board, less the header bar and alarm bar. */
  ward_board_layout_compute (1900, 900, 64, TRUE, &grid);
  g_assert_true (grid.wall);
  g_assert_true (grid.fits);
  assert_grid_holds (&grid, 1900, 900, 64);
  g_assert_cmpint (ward_board_layout_wall_step_px (grid.step, TRUE), >=, 48);
  g_assert_cmpint (ward_board_layout_wall_step_px (grid.step, FALSE), >=, 20);

  /* Fewer beds, bigger tiles and type; more beds, never bigger. */
  ward_board_layout_compute (1900, 900, 16, TRUE, &fewer);
  g_assert_true (fewer.fits);
  assert_grid_holds (&fewer, 1900, 900, 16);
  g_assert_cmpuint (fewer.step, >, grid.step);
  g_assert_cmpint (fewer.tile_width, >, grid.tile_width);
  g_assert_cmpint (fewer.tile_height, >, grid.tile_height);

  /* The layout follows the shape of the screen, not a fixed tile. */
  ward_board_layout_compute (900, 1800, 16, TRUE, &more);
  g_assert_true (more.fits);
  assert_grid_holds (&more, 900, 1800, 16);
  g_assert_cmpuint (more.rows, >, more.columns);
  g_assert_cmpuint (fewer.columns, >, more.columns);

  /* 1366×768 with 32 beds. */
  ward_board_layout_compute (1354, 620, 32, TRUE, &grid);
  g_assert_true (grid.fits);
  assert_grid_holds (&grid, 1354, 620, 32);

  /* Too many beds for the screen: the wall board says it scrolls, at its
   * smallest step, rather than shrink the type under 48 and 20 px.
   */
  ward_board_layout_compute (1354, 600, 256, TRUE, &more);
  g_assert_false (more.fits);
  g_assert_cmpuint (more.step, ==, 0);
  assert_grid_holds (&more, 1354, 600, 256);

  /* Desk tiles: all 16 in view need more room than 1366×768 has; then
   * they scroll, in as many columns as fit.
   */
  ward_board_layout_compute (1330, 560, 16, FALSE, &grid);
  g_assert_false (grid.wall);
  g_assert_false (grid.fits);
  g_assert_cmpint (grid.tile_height, ==, -1);
  g_assert_cmpuint (grid.columns, >=, 5);
  /* Desk tiles keep their natural height even with room to spare. */
  ward_board_layout_compute (1900, 1800, 16, FALSE, &grid);
  g_assert_true (grid.fits);
  g_assert_cmpint (grid.tile_height, ==, -1);

  /* No beds: a grid all the same. */
  ward_board_layout_compute (800, 600, 0, TRUE, &grid);
  g_assert_cmpuint (grid.columns, >=, 1);
}

static void
test_density_nicks (void)
{
  WardBoardDensity density;

  for (WardBoardDensity d = WARD_BOARD_DENSITY_AUTO; d <= WARD_BOARD_DENSITY_WALL; d++)
    {
      g_assert_true (ward_board_density_from_nick (ward_board_density_to_nick (d), &density));
      g_assert_cmpint (density, ==, d);
    }
  g_assert_false (ward_board_density_from_nick ("huge", &density));
}

/* ---- On screen ---- */

/* The widest texts a tile shows: three-digit rates, a two-digit total,
 * SpO₂ on Scale 2, BP 188/112, a long name; every third bed flagged,
 * every fifth silent.
 */
static WardSnapshot *
make_ward (guint n_beds)
{
  g_autoptr(GArray) beds = ward_test_beds_new ();
  gint64 measured_at = NOW - 20 * G_USEC_PER_SEC;

  for (guint i = 0; i < n_beds; i++)
    {
      WardBedState *bed = ward_test_beds_append (beds);

      bed->patient_name = g_strdup_printf ("Bartholomew Featherstonehaugh-Wimbledon %u", i + 1);
      g_free (bed->patient_initials);
      bed->patient_initials = g_strdup ("B.F.-W.");
      bed->spo2_scale = i % 4 == 1 ? 2 : 1;
      ward_test_bed_set_latest (bed, WARD_MEAS_HR, 148, measured_at);
      ward_test_bed_set_latest (bed, WARD_MEAS_RR, 128, measured_at);
      ward_test_bed_set_latest (bed, WARD_MEAS_SPO2, 100, measured_at);
      ward_test_bed_set_latest (bed, WARD_MEAS_SBP, 188, measured_at);
      ward_test_bed_set_latest (bed, WARD_MEAS_DBP, 112, measured_at);
      ward_test_bed_set_latest (bed, WARD_MEAS_TEMP, 39.4, measured_at);
      bed->has_score = TRUE;
      bed->score_total = 10 + i % 10;
      bed->score_band = WARD_BAND_HIGH;
      bed->score_complete = TRUE;
      bed->score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
      bed->score_window_end = NOW;
      if (i % 3 == 0)
        {
          bed->flag_state = WARD_FLAG_STATE_OPEN;
          bed->flag_id = i + 1;
          bed->flag_band = WARD_BAND_HIGH;
          bed->flag_opened_at = NOW - 5 * WARD_USEC_PER_MINUTE;
        }
      if (i % 5 == 0)
        {
          bed->technical_alert = TRUE;
          bed->technical_alert_since = NOW - 2 * WARD_USEC_PER_MINUTE;
        }
    }

  return ward_test_snapshot_new (beds, NOW, 1);
}

/* The label's font size in pixels, and its layout's logical and ink
 * heights.
 */
static void
measure_label (GtkWidget *widget,
               double    *font_px,
               int       *logical_height,
               int       *ink_height)
{
  PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (widget));
  PangoContext *context = pango_layout_get_context (layout);
  const PangoFontDescription *desc = pango_context_get_font_description (context);
  PangoRectangle ink, logical;
  double size = pango_font_description_get_size (desc) / (double) PANGO_SCALE;

  /* Points at the context's resolution, or already pixels. */
  if (!pango_font_description_get_size_is_absolute (desc))
    size = size * pango_cairo_context_get_resolution (context) / 72.0;
  pango_layout_get_pixel_extents (layout, &ink, &logical);

  *font_px = size;
  *logical_height = logical.height;
  *ink_height = ink.height;
}

/* With WARD_TEST_PICTURES=DIR, the window as a PNG there, to look at. */
static void
save_picture (GtkWidget  *widget,
              const char *name)
{
  const char *dir = g_getenv ("WARD_TEST_PICTURES");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (dir == NULL)
    return;

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  gdk_texture_save_to_png (texture, path);
  g_test_message ("Wrote %s", path);
}

/* Every tile wholly inside the window and inside the board's view, and
 * its texts inside the tile; the total and the vitals at their sizes.
 */
static void
check_board (WardWindow *window,
             guint       n_beds,
             int         width,
             int         height)
{
  GtkWidget *flow_box = ward_test_get_child (window, WARD_TYPE_WINDOW, "flow_box");
  GtkWidget *scrolled = gtk_widget_get_ancestor (flow_box, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  const WardBoardGrid *grid = ward_board_layout_get_grid (_ward_window_get_board_layout (window));
  static const char * const vitals[] = { "hr_label", "rr_label", "spo2_label", "bp_label", "temp_label" };
  graphene_rect_t view;
  double min_total = G_MAXDOUBLE, min_vital = G_MAXDOUBLE;
  int min_total_height = G_MAXINT, min_vital_height = G_MAXINT;

  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), ==, height);
  g_assert_nonnull (grid);
  g_test_message ("%u beds in %d×%d: step %u, %u×%u tiles of %d×%d", n_beds, width, height,
                  grid->step, grid->columns, grid->rows, grid->tile_width, grid->tile_height);
  g_assert_true (grid->wall);
  g_assert_true (grid->fits);

  /* Nothing to scroll to. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), <=,
                     gtk_adjustment_get_page_size (vadjustment) + 0.5);
  g_assert_true (gtk_widget_compute_bounds (scrolled, GTK_WIDGET (window), &view));

  for (guint i = 0; i < n_beds; i++)
    {
      WardBedTile *tile = _ward_window_get_tile (window, i);
      GtkWidget *score = ward_test_get_child (tile, WARD_TYPE_BED_TILE, "score_label");
      graphene_rect_t bounds, inner;
      double font_px;
      int logical_height, ink_height;

      g_assert_true (ward_bed_tile_get_wall (tile));
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (tile)));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (tile), GTK_WIDGET (window), &bounds));
      if (!graphene_rect_contains_rect (&view, &bounds))
        g_error ("Bed %u's tile (%.0f,%.0f %.0f×%.0f) is not inside the board's view (%.0f,%.0f %.0f×%.0f)",
                 i + 1, bounds.origin.x, bounds.origin.y, bounds.size.width, bounds.size.height,
                 view.origin.x, view.origin.y, view.size.width, view.size.height);
      g_assert_cmpfloat (bounds.origin.x, >=, 0);
      g_assert_cmpfloat (bounds.origin.y, >=, 0);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, width);
      g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, height);

      /* The total, the band and the values are inside the tile, whole. */
      measure_label (score, &font_px, &logical_height, &ink_height);
      min_total = MIN (min_total, font_px);
      min_total_height = MIN (min_total_height, logical_height);
      g_assert_true (gtk_widget_compute_bounds (score, GTK_WIDGET (tile), &inner));
      g_assert_cmpfloat (inner.origin.x + inner.size.width, <=, bounds.size.width);
      g_assert_cmpfloat (inner.origin.y + inner.size.height, <=, bounds.size.height);
      g_assert_false (gtk_label_get_ellipsize (GTK_LABEL (score)) != PANGO_ELLIPSIZE_NONE);

      for (guint v = 0; v < G_N_ELEMENTS (vitals); v++)
        {
          GtkWidget *label = ward_test_get_child (tile, WARD_TYPE_BED_TILE, vitals[v]);
          PangoRectangle logical;

          g_assert_true (gtk_widget_get_mapped (label));
          g_assert_cmpint (gtk_label_get_ellipsize (GTK_LABEL (label)), ==, PANGO_ELLIPSIZE_NONE);
          measure_label (label, &font_px, &logical_height, &ink_height);
          min_vital = MIN (min_vital, font_px);
          min_vital_height = MIN (min_vital_height, logical_height);
          /* The whole value is drawn: its allocation is as wide as its text. */
          pango_layout_get_pixel_extents (gtk_label_get_layout (GTK_LABEL (label)), NULL, &logical);
          g_assert_cmpint (gtk_widget_get_width (label), >=, logical.width);
          g_assert_true (gtk_widget_compute_bounds (label, GTK_WIDGET (tile), &inner));
          if (inner.origin.x < 0 || inner.origin.y < 0 ||
              inner.origin.x + inner.size.width > bounds.size.width ||
              inner.origin.y + inner.size.height > bounds.size.height)
            g_error ("Bed %u's %s (%.0f,%.0f %.0f×%.0f) sticks out of its %.0f×%.0f tile",
                     i + 1, vitals[v], inner.origin.x, inner.origin.y,
                     inner.size.width, inner.size.height, bounds.size.width, bounds.size.height);
        }
    }

  g_test_message ("NEWS2 total: %.1f px font, %d px line; vitals: %.1f px font, %d px line",
                  min_total, min_total_height, min_vital, min_vital_height);
  g_assert_cmpfloat (min_total, >=, 48);
  g_assert_cmpint (min_total_height, >=, 48);
  g_assert_cmpfloat (min_vital, >=, 20);
  g_assert_cmpint (min_vital_height, >=, 20);
}

static WardWindow *
show_board (guint            n_beds,
            int              width,
            int              height,
            WardBoardDensity density);

static void
run_wall_board (guint n_beds,
                int   width,
                int   height)
{
  WardWindow *window = show_board (n_beds, width, height, WARD_BOARD_DENSITY_WALL);

  if (window == NULL)
    return;

  {
    g_autofree char *name = g_strdup_printf ("wall-%ux%d.png", n_beds, height);

    save_picture (GTK_WIDGET (window), name);
  }
  check_board (window, n_beds, width, height);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A window of width × height showing n_beds in density, laid out; NULL
 * (the test skipped) when the screen is too small.
 */
static WardWindow *
show_board (guint            n_beds,
            int              width,
            int              height,
            WardBoardDensity density)
{
  g_autoptr(WardSnapshot) snapshot = make_ward (n_beds);
  GdkMonitor *monitor;
  GdkRectangle geometry;
  WardWindow *window;

  monitor = g_list_model_get_item (gdk_display_get_monitors (gdk_display_get_default ()), 0);
  gdk_monitor_get_geometry (monitor, &geometry);
  g_object_unref (monitor);
  if (geometry.width < width || geometry.height < height)
    {
      g_test_skip_printf ("the screen is %d×%d, smaller than %d×%d", geometry.width, geometry.height,
                          width, height);
      return NULL;
    }

  ward_test_load_style ();
  window = ward_window_new (NULL);
  ward_window_set_board_density (window, density);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  ward_window_apply_snapshot (window, snapshot);

  /* The default size is the surface's, which has the frame drawn around
   * the window without a window manager: the window itself is to be
   * width × height, as a fullscreen one on that screen.
   */
  for (guint i = 0; i < 100 && (gtk_widget_get_width (GTK_WIDGET (window)) <= 1 ||
                                _ward_window_has_pending_snapshot (window)); i++)
    ward_test_wait_ms (50);
  ward_test_wait_ms (200);
  gtk_window_set_default_size (GTK_WINDOW (window),
                               2 * width - gtk_widget_get_width (GTK_WIDGET (window)),
                               2 * height - gtk_widget_get_height (GTK_WIDGET (window)));
  /* Until the board has laid itself out at that size (a few frames). */
  for (guint i = 0; i < 100 && gtk_widget_get_width (GTK_WIDGET (window)) != width; i++)
    ward_test_wait_ms (50);
  ward_test_wait_ms (500);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), ==, height);

  return window;
}

/* The desk board at 1366×768 (issue #12: 16 beds showed 8, vitals were
 * about 13 px and their ages 11 px): more tiles wholly in view, bigger
 * type, and the tiles' space used.
 */
static void
test_desk_768 (void)
{
  WardWindow *window = show_board (16, 1366, 768, WARD_BOARD_DENSITY_COMFORTABLE);
  GtkWidget *flow_box;
  GtkWidget *scrolled;
  graphene_rect_t view;
  guint n_in_view = 0;
  double min_vital = G_MAXDOUBLE, min_age = G_MAXDOUBLE;

  if (window == NULL)
    return;

  save_picture (GTK_WIDGET (window), "desk-16x768.png");
  flow_box = ward_test_get_child (window, WARD_TYPE_WINDOW, "flow_box");
  scrolled = gtk_widget_get_ancestor (flow_box, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_true (gtk_widget_compute_bounds (scrolled, GTK_WIDGET (window), &view));

  for (guint i = 0; i < 16; i++)
    {
      WardBedTile *tile = _ward_window_get_tile (window, i);
      GtkWidget *value = ward_test_get_child (tile, WARD_TYPE_BED_TILE, "hr_label");
      GtkWidget *age = ward_test_get_child (tile, WARD_TYPE_BED_TILE, "hr_age_label");
      graphene_rect_t bounds;
      double font_px;
      int logical_height, ink_height;

      g_assert_false (ward_bed_tile_get_wall (tile));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (tile), GTK_WIDGET (window), &bounds));
      n_in_view += graphene_rect_contains_rect (&view, &bounds);
      measure_label (value, &font_px, &logical_height, &ink_height);
      min_vital = MIN (min_vital, font_px);
      measure_label (age, &font_px, &logical_height, &ink_height);
      min_age = MIN (min_age, font_px);
    }

  g_test_message ("Desk board, 16 beds at 1366×768: %u tiles wholly in view; vitals %.1f px, ages %.1f px",
                  n_in_view, min_vital, min_age);
  g_assert_cmpuint (n_in_view, >=, 10);
  g_assert_cmpfloat (min_vital, >=, 16);
  g_assert_cmpfloat (min_age, >=, 13);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_wall_1080 (void)
{
  run_wall_board (64, 1920, 1080);
}

/* Fewer beds: bigger tiles and type, still all inside. */
static void
test_wall_fewer (void)
{
  run_wall_board (12, 1920, 1080);
}

static void
test_wall_768 (void)
{
  run_wall_board (32, 1366, 768);
}

/* Issue #12: at 1366×768 the patient view's Record button was below the
 * screen's edge.  It is wholly inside the window, with nothing to scroll.
 */
static void
test_record_768 (void)
{
  WardWindow *window = show_board (16, 1366, 768, WARD_BOARD_DENSITY_AUTO);
  GtkWidget *view, *record;
  graphene_rect_t bounds;

  if (window == NULL)
    return;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-patient", "s",
                                             "sim-patient-02"));
  view = ward_test_get_child (window, WARD_TYPE_WINDOW, "patient_view");
  record = ward_test_find_actionable (view, "patient.record");
  g_assert_nonnull (record);
  ward_test_wait_ms (500);
  save_picture (GTK_WIDGET (window), "patient-1366x768.png");

  g_assert_true (gtk_widget_get_mapped (record));
  g_assert_true (gtk_widget_compute_bounds (record, GTK_WIDGET (window), &bounds));
  g_test_message ("Record button at %.0f,%.0f %.0f×%.0f", bounds.origin.x, bounds.origin.y,
                  bounds.size.width, bounds.size.height);
  g_assert_cmpfloat (bounds.size.height, >, 10);
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, 1366);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, 768);
  /* Not in a scrolled part that could hide it. */
  g_assert_null (gtk_widget_get_ancestor (record, GTK_TYPE_SCROLLED_WINDOW));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/board-layout/compute", test_compute);
  g_test_add_func ("/ui/board-layout/density-nicks", test_density_nicks);
  g_test_add_func ("/ui/board-layout/wall-1920x1080", test_wall_1080);
  g_test_add_func ("/ui/board-layout/wall-1366x768", test_wall_768);
  g_test_add_func ("/ui/board-layout/wall-fewer", test_wall_fewer);
  g_test_add_func ("/ui/board-layout/desk-1366x768", test_desk_768);
  g_test_add_func ("/ui/board-layout/record-1366x768", test_record_768);

  return g_test_run ();
}
