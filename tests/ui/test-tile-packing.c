/* test-tile-packing.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-tile-packing"

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "ward-bed-tile.h"
#include "ward-window.h"
#include "ward-window-private.h"

#include "ward-test-window.h"

/* A nurse reads the board by lines: the same vital sits at the same
 * height in every tile of a row, with the same spacing, whether or not
 * the tile shows a flag and its button (issue #12: a flagged tile used to
 * pack its vitals tighter than its neighbours, which spread theirs over
 * the height the flag took).  Measured from the widgets' allocations at
 * the two station screens, comfortable and wall board.
 */

#define NOW WARD_TEST_NOW
#define N_BEDS 12

static const char * const vitals[] = {
  "hr_label", "rr_label", "spo2_label", "bp_label", "temp_label",
};

static WardSnapshot *
make_snapshot (void)
{
  g_autoptr(GArray) beds = ward_test_beds_new ();

  for (guint i = 0; i < N_BEDS; i++)
    {
      WardBedState *bed = ward_test_beds_append (beds);

      ward_test_bed_set_latest (bed, WARD_MEAS_HR, 112, NOW - 10 * G_USEC_PER_SEC);
      ward_test_bed_set_latest (bed, WARD_MEAS_RR, 24, NOW - 10 * G_USEC_PER_SEC);
      ward_test_bed_set_latest (bed, WARD_MEAS_SPO2, 93, NOW - 10 * G_USEC_PER_SEC);
      ward_test_bed_set_latest (bed, WARD_MEAS_SBP, 98, NOW - 60 * G_USEC_PER_SEC);
      ward_test_bed_set_latest (bed, WARD_MEAS_DBP, 61, NOW - 60 * G_USEC_PER_SEC);
      ward_test_bed_set_latest (bed, WARD_MEAS_TEMP, 38.4, NOW - 120 * G_USEC_PER_SEC);
      bed->has_score = TRUE;
      bed->score_total = 2;
      bed->score_band = WARD_BAND_LOW;
      bed->score_complete = TRUE;
      bed->score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
      bed->score_window_end = NOW;

      /* Every sixth bed: an open flag nobody acknowledged, with its
       * button; sorted first, beside tiles without one.
       */
      if (i % 6 == 0)
        {
          bed->score_total = 7;
          bed->score_band = WARD_BAND_HIGH;
          bed->flag_state = WARD_FLAG_STATE_OPEN;
          bed->flag_id = 100 + i;
          bed->flag_band = WARD_BAND_HIGH;
          bed->flag_opened_at = NOW - 5 * WARD_USEC_PER_MINUTE;
        }
    }

  return ward_test_snapshot_new (beds, NOW, 1);
}

/* The vital's label, relative to its tile's top. */
static double
vital_y (WardBedTile *tile,
         const char  *name)
{
  GtkWidget *label = ward_test_get_child (tile, WARD_TYPE_BED_TILE, name);
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (label, GTK_WIDGET (tile),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  return point.y;
}

static double
tile_top (WardBedTile *tile,
          GtkWidget   *board)
{
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (tile), board,
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  return point.y;
}

static void
check_packing (WardWindow *window,
               const char *what)
{
  GtkWidget *flow_box = ward_test_get_child (window, WARD_TYPE_WINDOW, "flow_box");
  guint n_compared = 0;
  guint n_rows_mixed = 0;


  for (guint i = 0; i < N_BEDS; i++)
    {
      WardBedTile *tile = _ward_window_get_tile (window, i);
      GtkWidget *flag_box = ward_test_get_child (tile, WARD_TYPE_BED_TILE, "flag_box");
      gboolean mixed = FALSE;

      if (!gtk_widget_get_visible (flag_box))
        continue;
      g_assert_true (gtk_widget_get_visible (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                                  "ack_button")));

      /* Each tile without a flag on the same line of the board. */
      for (guint j = 0; j < N_BEDS; j++)
        {
          WardBedTile *other = _ward_window_get_tile (window, j);

          if (gtk_widget_get_visible (ward_test_get_child (other, WARD_TYPE_BED_TILE, "flag_box")) ||
              fabs (tile_top (other, flow_box) - tile_top (tile, flow_box)) > 0.5)
            continue;

          mixed = TRUE;
          for (guint v = 0; v < G_N_ELEMENTS (vitals); v++)
            {
              double flagged = vital_y (tile, vitals[v]);
              double plain = vital_y (other, vitals[v]);

              if (fabs (flagged - plain) > 0.5)
                g_error ("%s: %s of bed %u (flag) at %.1f px, of bed %u at %.1f px", what,
                         vitals[v], i + 1, flagged, j + 1, plain);
            }
          n_compared++;
        }
      n_rows_mixed += mixed;
    }

  g_test_message ("%s: %u flagged tiles compared with %u neighbours", what, n_rows_mixed,
                  n_compared);
  /* The layout put flagged and plain tiles on one line at least once. */
  g_assert_cmpuint (n_compared, >, 0);
}

static void
test_packing (void)
{
  static const struct {
    int              width;
    int              height;
    WardBoardDensity density;
    const char      *name;
  } screens[] = {
    { 1920, 1080, WARD_BOARD_DENSITY_COMFORTABLE, "1920x1080 comfortable" },
    { 1366, 768, WARD_BOARD_DENSITY_COMFORTABLE, "1366x768 comfortable" },
    { 1920, 1080, WARD_BOARD_DENSITY_WALL, "1920x1080 wall" },
    { 1366, 768, WARD_BOARD_DENSITY_WALL, "1366x768 wall" },
  };
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(WardSnapshot) snapshot = make_snapshot ();

  ward_test_load_style ();

  for (guint i = 0; i < G_N_ELEMENTS (screens); i++)
    {
      WardWindow *window;

      /* The window opens at its saved size. */
      g_settings_set_int (settings, "window-width", screens[i].width);
      g_settings_set_int (settings, "window-height", screens[i].height);
      g_settings_set_boolean (settings, "window-maximized", FALSE);
      window = ward_test_window_present ();
      ward_window_set_board_density (window, screens[i].density);
      ward_test_window_apply (window, snapshot);
      ward_test_wait_ms (300);
      /* Less the client-side decorations' edge. */
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >, screens[i].width - 32);

      check_packing (window, screens[i].name);
      gtk_window_destroy (GTK_WINDOW (window));
    }

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/tile-packing/vitals-aligned", test_packing);

  return g_test_run ();
}
