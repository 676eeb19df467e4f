/* test-bed-tile.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* How the board's tiles draw: a tile out of sight in the scrolled board
 * draws only its card, and draws everything again as soon as scrolling
 * brings it into sight; its widgets keep every text meanwhile.
 */

#define G_LOG_DOMAIN "test-bed-tile"

#include "config.h"

#include <adwaita.h>

#include "ward-bed-tile.h"
#include "ward-snapshot.h"
#include "ward-window.h"

#define NOW     (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)
#define N_BEDS  40

static WardSnapshot *
create_snapshot (gint64 now)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  for (guint i = 0; i < N_BEDS; i++)
    {
      WardBedState bed = { 0 };

      bed.bed_id = g_strdup_printf ("bed-%02u", i + 1);
      bed.bed_label = g_strdup_printf ("Bed %u", i + 1);
      bed.patient_id = g_strdup_printf ("patient-%02u", i + 1);
      bed.patient_initials = g_strdup_printf ("P.%u", i + 1);
      bed.spo2_scale = 1;
      bed.age = -1;
      bed.latest[WARD_MEAS_HR].valid = TRUE;
      bed.latest[WARD_MEAS_HR].value = 80;
      bed.latest[WARD_MEAS_HR].observed_at = NOW - 5 * G_USEC_PER_SEC;
      bed.has_score = TRUE;
      bed.score_total = 1;
      bed.score_band = WARD_BAND_LOW;
      bed.score_complete = TRUE;
      for (guint j = 0; j < WARD_NEWS2_N_PARAMS; j++)
        bed.score_points[j] = 0;
      bed.score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
      bed.score_window_end = NOW;
      g_array_append_val (beds, bed);
    }

  return _ward_snapshot_new (now, 1, beds, &counters);
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  (*(guint *) user_data)++;

  return G_SOURCE_CONTINUE;
}

/* A few frames, with their layout and paint. */
static void
wait_frames (GtkWidget *widget,
             guint      n_frames)
{
  guint frames = 0;
  guint tick = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (frames < n_frames && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  gtk_widget_remove_tick_callback (widget, tick);
  g_assert_cmpuint (frames, >=, n_frames);
}

static guint
count_text_nodes (GskRenderNode *node)
{
  guint n = 0;

  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_TEXT_NODE:
      return 1;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        n += count_text_nodes (gsk_container_node_get_child (node, i));
      return n;
    case GSK_TRANSFORM_NODE:
      return count_text_nodes (gsk_transform_node_get_child (node));
    case GSK_OPACITY_NODE:
      return count_text_nodes (gsk_opacity_node_get_child (node));
    case GSK_CLIP_NODE:
      return count_text_nodes (gsk_clip_node_get_child (node));
    case GSK_ROUNDED_CLIP_NODE:
      return count_text_nodes (gsk_rounded_clip_node_get_child (node));
    case GSK_COLOR_MATRIX_NODE:
      return count_text_nodes (gsk_color_matrix_node_get_child (node));
    case GSK_DEBUG_NODE:
      return count_text_nodes (gsk_debug_node_get_child (node));
    default:
      return 0;
    }
}

/* The texts the tile draws, as the window draws it. */
static guint
count_drawn_texts (WardBedTile *tile)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (tile));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  guint n;

  gdk_paintable_snapshot (paintable, snapshot,
                          gtk_widget_get_width (GTK_WIDGET (tile)),
                          gtk_widget_get_height (GTK_WIDGET (tile)));
  node = gtk_snapshot_free_to_node (snapshot);
  n = node != NULL ? count_text_nodes (node) : 0;
  gtk_widget_paintable_set_widget (GTK_WIDGET_PAINTABLE (paintable), NULL);

  return n;
}

static void
test_tile_out_of_sight (void)
{
  g_autoptr(WardSnapshot) snapshot = create_snapshot (NOW);
  g_autoptr(WardSnapshot) later = create_snapshot (NOW + 3 * G_USEC_PER_SEC);
  WardWindow *window = ward_window_new (NULL);
  WardBedTile *first;
  WardBedTile *last;
  GtkScrolledWindow *scrolled;
  GtkAdjustment *vadjustment;
  GtkWidget *hr_age;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_present (GTK_WINDOW (window));
  ward_window_apply_snapshot (window, snapshot);
  wait_frames (GTK_WIDGET (window), 5);

  /* Sorted by risk with equal scores: by bed, the first on top. */
  first = _ward_window_get_tile (window, 0);
  last = _ward_window_get_tile (window, N_BEDS - 1);
  scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (last),
                                                           GTK_TYPE_SCROLLED_WINDOW));
  vadjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), >,
                     gtk_adjustment_get_page_size (vadjustment));

  g_assert_cmpuint (count_drawn_texts (first), >, 5);
  g_assert_cmpuint (count_drawn_texts (last), ==, 0);

  /* Out of sight, the tile still shows the newest texts to whoever
   * reads its widgets.
   */
  ward_window_apply_snapshot (window, later);
  wait_frames (GTK_WIDGET (window), 3);
  hr_age = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (last), WARD_TYPE_BED_TILE,
                                                     "hr_age_label"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (hr_age)), ==, "8 s");
  g_assert_cmpuint (count_drawn_texts (last), ==, 0);

  /* Scrolled to the end: the last tile is drawn, the first is not. */
  gtk_adjustment_set_value (vadjustment,
                            gtk_adjustment_get_upper (vadjustment) -
                            gtk_adjustment_get_page_size (vadjustment));
  wait_frames (GTK_WIDGET (window), 3);
  g_assert_cmpuint (count_drawn_texts (last), >, 5);
  g_assert_cmpuint (count_drawn_texts (first), ==, 0);

  /* And back. */
  gtk_adjustment_set_value (vadjustment, 0);
  wait_frames (GTK_WIDGET (window), 3);
  g_assert_cmpuint (count_drawn_texts (first), >, 5);
  g_assert_cmpuint (count_drawn_texts (last), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/bed-tile/out-of-sight", test_tile_out_of_sight);

  return g_test_run ();
}
