/* test-bed-tile.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* How the board's tiles draw: a tile out of sight in the scrolled board
 * draws only its card, and draws everything again as soon as scrolling
 * brings it into sight; its widgets keep every text meanwhile.  And what
 * a tile says beside the score: the SpO₂ scale on every tile size,
 * observations due, the patient's identifiers.
 */

#define G_LOG_DOMAIN "test-bed-tile"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "ward-bed-tile.h"
#include "ward-snapshot.h"
#include "ward-window.h"
#include "ward-window-private.h"

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

/* One bed for the tests of what a tile says. */
static WardSnapshot *
create_bed_snapshot (void (*setup) (WardBedState *bed))
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  WardBedState bed = { 0 };

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  bed.bed_id = g_strdup ("bed-01");
  bed.bed_label = g_strdup ("Bed 1");
  bed.patient_id = g_strdup ("patient-01");
  bed.patient_initials = g_strdup ("P.1");
  bed.spo2_scale = 1;
  bed.age = -1;
  bed.latest[WARD_MEAS_SPO2].valid = TRUE;
  bed.latest[WARD_MEAS_SPO2].value = 88;
  bed.latest[WARD_MEAS_SPO2].observed_at = NOW - 5 * G_USEC_PER_SEC;
  bed.has_score = TRUE;
  bed.score_total = 1;
  bed.score_band = WARD_BAND_LOW;
  bed.score_complete = TRUE;
  for (guint j = 0; j < WARD_NEWS2_N_PARAMS; j++)
    bed.score_points[j] = 0;
  bed.score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
  bed.score_window_end = NOW;
  if (setup != NULL)
    setup (&bed);
  g_array_append_val (beds, bed);

  return _ward_snapshot_new (NOW, 1, beds, &counters);
}

static GtkWidget *
get_tile_child (WardBedTile *tile,
                const char  *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (tile), WARD_TYPE_BED_TILE, name);

  g_assert_nonnull (child);

  return GTK_WIDGET (child);
}

static const char *
get_tile_text (WardBedTile *tile,
               const char  *name)
{
  return gtk_label_get_text (GTK_LABEL (get_tile_child (tile, name)));
}

static WardBedTile *
create_tile (GtkWindow **window_out,
             gboolean    compact)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *tile = ward_bed_tile_new ();

  ward_bed_tile_set_compact (WARD_BED_TILE (tile), compact);
  gtk_window_set_child (GTK_WINDOW (window), tile);
  gtk_window_present (GTK_WINDOW (window));
  *window_out = GTK_WINDOW (window);

  return WARD_BED_TILE (tile);
}

static void
set_scale_2 (WardBedState *bed)
{
  bed->spo2_scale = 2;
}

/* A patient on SpO₂ Scale 2 shows 88 % beside a green "Low": every tile
 * size says the scale beside the value, compact tiles in short.
 */
static void
test_tile_scale_2 (void)
{
  g_autoptr(WardSnapshot) scale_1 = create_bed_snapshot (NULL);
  g_autoptr(WardSnapshot) scale_2 = create_bed_snapshot (set_scale_2);
  static const struct {
    gboolean    compact;
    const char *expected;
  } sizes[] = {
    { FALSE, "88 % · Scale 2" },
    { TRUE, "88 % · S2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GtkWindow *window;
      WardBedTile *tile = create_tile (&window, sizes[i].compact);

      ward_bed_tile_update (tile, ward_snapshot_get_bed (scale_2, 0), NOW, FALSE);
      g_assert_cmpstr (get_tile_text (tile, "spo2_label"), ==, sizes[i].expected);
      g_assert_true (gtk_widget_get_visible (get_tile_child (tile, "spo2_label")));

      /* Back on Scale 1: no mark. */
      ward_bed_tile_update (tile, ward_snapshot_get_bed (scale_1, 0), NOW, FALSE);
      g_assert_cmpstr (get_tile_text (tile, "spo2_label"), ==, "88 %");

      gtk_window_destroy (window);
    }
}

static void
set_due_later (WardBedState *bed)
{
  bed->obs_due_at = NOW + 30 * WARD_USEC_PER_MINUTE;
}

static void
set_overdue (WardBedState *bed)
{
  bed->obs_due_at = NOW - 25 * WARD_USEC_PER_MINUTE;
}

static void
set_continuous (WardBedState *bed)
{
  bed->obs_due_at = NOW + 10 * WARD_USEC_PER_MINUTE;
  bed->obs_continuous = TRUE;
  bed->score_total = 8;
  bed->score_band = WARD_BAND_HIGH;
}

/* Observations due and overdue; overdue is a reminder in the tile's own
 * colours, not an alarm: no error or warning style and no flag.
 */
static void
test_tile_obs_due (void)
{
  g_autoptr(WardSnapshot) none = create_bed_snapshot (NULL);
  g_autoptr(WardSnapshot) later = create_bed_snapshot (set_due_later);
  g_autoptr(WardSnapshot) overdue = create_bed_snapshot (set_overdue);
  g_autoptr(WardSnapshot) continuous = create_bed_snapshot (set_continuous);
  GtkWindow *window;
  WardBedTile *tile = create_tile (&window, FALSE);
  GtkWidget *obs = get_tile_child (tile, "obs_label");

  /* Older data: no due time, nothing said. */
  ward_bed_tile_update (tile, ward_snapshot_get_bed (none, 0), NOW, FALSE);
  g_assert_false (gtk_widget_get_visible (obs));

  /* NOW is 10:00 UTC. */
  ward_bed_tile_update (tile, ward_snapshot_get_bed (later, 0), NOW, FALSE);
  g_assert_true (gtk_widget_get_visible (obs));
  g_assert_cmpstr (get_tile_text (tile, "obs_label"), ==, "Obs due 10:30");
  g_assert_false (gtk_widget_has_css_class (obs, "obs-overdue"));

  ward_bed_tile_update (tile, ward_snapshot_get_bed (overdue, 0), NOW, FALSE);
  g_assert_cmpstr (get_tile_text (tile, "obs_label"), ==, "Obs overdue 25 min");
  g_assert_true (gtk_widget_has_css_class (obs, "obs-overdue"));
  g_assert_false (gtk_widget_has_css_class (obs, "error"));
  g_assert_false (gtk_widget_has_css_class (obs, "warning"));
  g_assert_false (gtk_widget_get_visible (get_tile_child (tile, "flag_box")));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tile), "band-low"));

  ward_bed_tile_update (tile, ward_snapshot_get_bed (continuous, 0), NOW, FALSE);
  g_assert_cmpstr (get_tile_text (tile, "obs_label"), ==, "Continuous monitoring");
  g_assert_false (gtk_widget_has_css_class (obs, "obs-overdue"));

  ward_bed_tile_update (tile, ward_snapshot_get_bed (none, 0), NOW, FALSE);
  g_assert_false (gtk_widget_get_visible (obs));

  gtk_window_destroy (window);
}

static void
set_identity (WardBedState *bed)
{
  bed->hospital_number = g_strdup ("H123456");
  bed->nhs_number = g_strdup ("9434765919");
  bed->birth_date = g_strdup ("1950-03-12");
}

static void
set_hospital_number_only (WardBedState *bed)
{
  bed->hospital_number = g_strdup ("H123456");
  bed->age = 54;
}

/* Two identifiers before any clinical action: the accessible name has
 * the hospital number, the NHS number in 3-3-4 and the date of birth with
 * the age (from the date when the snapshot has no age).
 */
static void
test_tile_identity (void)
{
  g_autoptr(WardSnapshot) none = create_bed_snapshot (NULL);
  g_autoptr(WardSnapshot) full = create_bed_snapshot (set_identity);
  g_autoptr(WardSnapshot) partial = create_bed_snapshot (set_hospital_number_only);
  GtkWindow *window;
  WardBedTile *tile = create_tile (&window, TRUE);

  ward_bed_tile_update (tile, ward_snapshot_get_bed (none, 0), NOW, FALSE);
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL, "Bed 1, NEWS2 1, low");

  ward_bed_tile_update (tile, ward_snapshot_get_bed (full, 0), NOW, FALSE);
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Bed 1, NEWS2 1, low, Hospital no. H123456, "
                                       "NHS no. 943 476 5919, Born 12-Mar-1950 (76 y)");

  ward_bed_tile_update (tile, ward_snapshot_get_bed (partial, 0), NOW, FALSE);
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Bed 1, NEWS2 1, low, Hospital no. H123456");

  gtk_window_destroy (window);
}

static void
set_value (WardLatestValue *value,
           double           v,
           gint64           ago,
           WardSource       source,
           const char      *entered_by)
{
  value->valid = TRUE;
  value->value = v;
  value->observed_at = NOW - ago;
  value->source = source;
  value->entered_by = entered_by != NULL ? g_intern_string (entered_by) : NULL;
}

/* A round at the bedside: RR 28 counted twelve minutes ago, which the
 * score keeps over the monitor's newer 14; a temperature taken 41 minutes
 * ago that the score still counts.
 */
static void
set_nurse_round (WardBedState *bed)
{
  set_value (&bed->latest[WARD_MEAS_RR], 14, 10 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  set_value (&bed->nurse_latest[WARD_MEAS_RR], 28, 12 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE, "j.smith");
  set_value (&bed->score_inputs[WARD_NEWS2_RR], 28, 12 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE, "j.smith");
  bed->score_points[WARD_NEWS2_RR] = 3;
  set_value (&bed->latest[WARD_MEAS_TEMP], 38.4, 41 * WARD_USEC_PER_MINUTE, WARD_SOURCE_DEVICE, NULL);
  set_value (&bed->score_inputs[WARD_NEWS2_TEMP], 38.4, 41 * WARD_USEC_PER_MINUTE, WARD_SOURCE_DEVICE, NULL);
  bed->score_points[WARD_NEWS2_TEMP] = 1;
}

/* The same values as older data gives them: what the score used unknown. */
static void
set_nurse_round_older (WardBedState *bed)
{
  set_nurse_round (bed);
  memset (bed->score_inputs, 0, sizeof bed->score_inputs);
  memset (bed->nurse_latest, 0, sizeof bed->nurse_latest);
}

/* The tile shows the value the points beside it come from: the nurse's
 * counted RR while the score keeps it, not the monitor's newer one, and a
 * value the score counts is not called stale, however old.
 */
static void
test_tile_nurse_value (void)
{
  g_autoptr(WardSnapshot) round = create_bed_snapshot (set_nurse_round);
  g_autoptr(WardSnapshot) older = create_bed_snapshot (set_nurse_round_older);
  GtkWindow *window;
  WardBedTile *tile = create_tile (&window, FALSE);

  ward_bed_tile_update (tile, ward_snapshot_get_bed (round, 0), NOW, FALSE);
  g_assert_cmpstr (get_tile_text (tile, "rr_label"), ==, "28 /min");
  g_assert_cmpstr (get_tile_text (tile, "rr_age_label"), ==, "12 min");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (get_tile_child (tile, "rr_label")), ==, "Entered by a nurse");
  g_assert_cmpstr (get_tile_text (tile, "temp_label"), ==, "38.4 °C");
  g_assert_cmpstr (get_tile_text (tile, "temp_age_label"), ==, "41 min");
  g_assert_false (gtk_widget_has_css_class (get_tile_child (tile, "temp_label"), "stale"));

  /* Older data: the newest value, and the score's window for staleness. */
  ward_bed_tile_update (tile, ward_snapshot_get_bed (older, 0), NOW, FALSE);
  g_assert_cmpstr (get_tile_text (tile, "rr_label"), ==, "14 /min");
  g_assert_cmpstr (get_tile_text (tile, "rr_age_label"), ==, "10 s");
  g_assert_cmpstr (get_tile_text (tile, "temp_age_label"), ==, "41 min, stale");
  g_assert_true (gtk_widget_has_css_class (get_tile_child (tile, "temp_label"), "stale"));

  gtk_window_destroy (window);
}

static void
set_rising (WardBedState *bed)
{
  bed->score_total = 3;
  bed->trend.valid = TRUE;
  bed->trend.n_points = 8;
  bed->trend.slope = 3.0;
  bed->trend.direction = WARD_TREND_RISING;
  ward_trend_project (3, 3.0, WARD_TREND_HORIZON_MINUTES, &bed->trend.projection);
}

static void
set_rising_slowly (WardBedState *bed)
{
  bed->trend.valid = TRUE;
  bed->trend.n_points = 8;
  bed->trend.slope = 2.8;
  bed->trend.direction = WARD_TREND_RISING;
  ward_trend_project (1, 2.8, WARD_TREND_HORIZON_MINUTES, &bed->trend.projection);
}

static void
set_steady (WardBedState *bed)
{
  bed->trend.valid = TRUE;
  bed->trend.n_points = 8;
  bed->trend.direction = WARD_TREND_STEADY;
}

/* The trend arrow's words: the slope, and when rising the time to the
 * next band at this rate, for the tooltip and screen readers alike.
 */
static void
test_tile_trend (void)
{
  g_autoptr(WardSnapshot) none = create_bed_snapshot (NULL);
  g_autoptr(WardSnapshot) rising = create_bed_snapshot (set_rising);
  g_autoptr(WardSnapshot) slowly = create_bed_snapshot (set_rising_slowly);
  g_autoptr(WardSnapshot) steady = create_bed_snapshot (set_steady);
  GtkWindow *window;
  WardBedTile *tile = create_tile (&window, FALSE);
  GtkWidget *arrow = get_tile_child (tile, "trend_image");
  const char *rising_words =
    "Rising, +3.0 points per hour. At this rate, reaches the medium band in about 40 min";

  ward_bed_tile_update (tile, ward_snapshot_get_bed (none, 0), NOW, FALSE);
  g_assert_false (gtk_widget_get_visible (arrow));

  ward_bed_tile_update (tile, ward_snapshot_get_bed (rising, 0), NOW, FALSE);
  g_assert_true (gtk_widget_get_visible (arrow));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (arrow), ==, rising_words);
  gtk_test_accessible_assert_property (arrow, GTK_ACCESSIBLE_PROPERTY_LABEL, rising_words);

  /* (5 - 1) / 2.8 per hour is 86 minutes: said to 5 minutes. */
  ward_bed_tile_update (tile, ward_snapshot_get_bed (slowly, 0), NOW, FALSE);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (arrow), ==,
                   "Rising, +2.8 points per hour. At this rate, reaches the medium band "
                   "in about 1 h 25 min");

  ward_bed_tile_update (tile, ward_snapshot_get_bed (steady, 0), NOW, FALSE);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (arrow), ==, "Steady, +0.0 points per hour");

  /* Under 16 NEWS2 claims no risk: the slope, no band to reach. */
  ((WardBedState *) ward_snapshot_get_bed (rising, 0))->news2_not_applicable = TRUE;
  ward_bed_tile_update (tile, ward_snapshot_get_bed (rising, 0), NOW, FALSE);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (arrow), ==, "Rising, +3.0 points per hour");

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  /* Times of day in the texts are local: the tests read them in UTC. */
  g_setenv ("TZ", "UTC", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/bed-tile/out-of-sight", test_tile_out_of_sight);
  g_test_add_func ("/ui/bed-tile/scale-2", test_tile_scale_2);
  g_test_add_func ("/ui/bed-tile/obs-due", test_tile_obs_due);
  g_test_add_func ("/ui/bed-tile/identity", test_tile_identity);
  g_test_add_func ("/ui/bed-tile/nurse-value", test_tile_nurse_value);
  g_test_add_func ("/ui/bed-tile/trend", test_tile_trend);

  return g_test_run ();
}
