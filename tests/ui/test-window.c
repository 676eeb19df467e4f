/* test-window.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ward-bed-tile.h"
#include "ward-data-issues.h"
#include "ward-patient-view.h"
#include "ward-snapshot.h"
#include "ward-store.h"
#include "ward-window.h"
#include "ward-preferences-private.h"
#include "ward-window-private.h"

#include "ward-test-window.h"

/* 2026-11-22T10:00:00Z */
#define NOW WARD_TEST_NOW

/* A scored bed with a full set of recent vital signs. */
static WardBedState *
add_bed (GArray   *beds,
         int       total,
         WardBand  band)
{
  WardBedState *bed = ward_test_beds_append (beds);

  bed->patient_name = g_strdup_printf ("Patient Number%u", beds->len);

  ward_test_bed_set_latest (bed, WARD_MEAS_HR, 112, NOW - 10 * G_USEC_PER_SEC);
  ward_test_bed_set_latest (bed, WARD_MEAS_RR, 24, NOW - 10 * G_USEC_PER_SEC);
  ward_test_bed_set_latest (bed, WARD_MEAS_SPO2, 93, NOW - 10 * G_USEC_PER_SEC);
  ward_test_bed_set_latest (bed, WARD_MEAS_SBP, 98, NOW - 60 * G_USEC_PER_SEC);
  ward_test_bed_set_latest (bed, WARD_MEAS_DBP, 61, NOW - 60 * G_USEC_PER_SEC);
  ward_test_bed_set_latest (bed, WARD_MEAS_TEMP, 38.4, NOW - 120 * G_USEC_PER_SEC);

  bed->has_score = TRUE;
  bed->score_total = total;
  bed->score_band = band;
  bed->score_complete = TRUE;
  bed->score_final = FALSE;
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    bed->score_points[i] = 0;
  bed->score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
  bed->score_window_end = NOW;

  return bed;
}

static WardSnapshot *
create_snapshot (GArray  *beds,
                 guint64  serial)
{
  return ward_test_snapshot_new (beds, NOW + serial * G_USEC_PER_SEC, serial);
}

/* Six beds; bed 4 is in the given state. */
static WardSnapshot *
make_snapshot_with_bed4 (guint64   serial,
                         int       total,
                         WardBand  band,
                         gboolean  final)
{
  g_autoptr(GArray) beds = ward_test_beds_new ();

  for (guint i = 0; i < 6; i++)
    {
      if (i == 3)
        add_bed (beds, total, band)->score_final = final;
      else
        add_bed (beds, 1, WARD_BAND_LOW);
    }

  return create_snapshot (beds, serial);
}

static const char *
get_label_text (gpointer    widget,
                GType       type,
                const char *name)
{
  return gtk_label_get_text (GTK_LABEL (ward_test_get_child (widget, type, name)));
}

static guint
count_tiles (WardWindow *window)
{
  GtkWidget *flow_box = ward_test_get_child (window, WARD_TYPE_WINDOW, "flow_box");
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (flow_box);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      g_assert_true (WARD_IS_BED_TILE (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child))));
      n++;
    }

  return n;
}

/* The tile of the index-th bed of the snapshot, wherever it is sorted. */
static WardBedTile *
get_tile (WardWindow *window,
          guint       index)
{
  return _ward_window_get_tile (window, index);
}

static const char *
get_visible_page (WardWindow *window)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (ward_test_get_child (window, WARD_TYPE_WINDOW,
                                                                           "stack")));
}

static void
test_window_waiting (void)
{
  WardWindow *window = ward_test_window_present ();

  ward_test_iterate ();

  g_assert_cmpstr (get_visible_page (window), ==, "status");
  g_assert_cmpuint (count_tiles (window), ==, 0);

  /* A development build (-Dprofile=development) says so with libadwaita's
   * striped header bar; a release never does.
   */
  g_assert_cmpint (gtk_widget_has_css_class (GTK_WIDGET (window), "devel"), ==, WARD_DEVEL_PROFILE);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_tiles (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(WardSnapshot) first = make_snapshot_with_bed4 (1, 7, WARD_BAND_HIGH, FALSE);
  g_autoptr(WardSnapshot) second = make_snapshot_with_bed4 (2, 5, WARD_BAND_MEDIUM, TRUE);
  g_autoptr(WardSnapshot) third = NULL;
  g_autoptr(GArray) fewer = ward_test_beds_new ();
  WardBedTile *tiles[6];
  WardBedTile *tile;

  ward_test_window_apply (window, first);

  g_assert_cmpstr (get_visible_page (window), ==, "beds");
  g_assert_cmpuint (count_tiles (window), ==, 6);

  tile = get_tile (window, 3);
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL, "Bed 4, NEWS2 7, high");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "bed_label"), ==, "Bed 4");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "score_label"), ==, "7");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "band_label"), ==, "High");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "status_label"), ==, "Preliminary");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "patient_label"), ==, "P.N4");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "hr_label"), ==, "112 /min");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "bp_label"), ==, "98/61 mmHg");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "temp_label"), ==, "38.4 °C");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tile), "band-high"));
  g_assert_false (gtk_widget_get_visible (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                               "flag_box")));
  g_assert_false (gtk_widget_get_visible (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                               "silent_box")));

  /* The same beds again: the tiles stay, only their texts change. */
  for (guint i = 0; i < G_N_ELEMENTS (tiles); i++)
    {
      tiles[i] = get_tile (window, i);
      g_object_add_weak_pointer (G_OBJECT (tiles[i]), (gpointer *) &tiles[i]);
    }

  ward_test_window_apply (window, second);

  g_assert_cmpuint (count_tiles (window), ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (tiles); i++)
    {
      g_assert_nonnull (tiles[i]);
      g_assert_true (get_tile (window, i) == tiles[i]);
    }

  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL, "Bed 4, NEWS2 5, medium");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "score_label"), ==, "5");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "band_label"), ==, "Medium");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "status_label"), ==, "Final");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tile), "band-medium"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (tile), "band-high"));

  /* Fewer beds: the tiles are made again. */
  for (guint i = 0; i < 4; i++)
    add_bed (fewer, 0, WARD_BAND_LOW);
  third = create_snapshot (fewer, 3);

  ward_test_window_apply (window, third);

  g_assert_cmpuint (count_tiles (window), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (tiles); i++)
    g_assert_null (tiles[i]);
  gtk_test_accessible_assert_property (get_tile (window, 3), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Bed 4, NEWS2 0, low");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_flags (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(GArray) beds = ward_test_beds_new ();
  g_autoptr(WardSnapshot) snapshot = NULL;
  WardBedState *bed;
  WardBedTile *tile;

  bed = add_bed (beds, 7, WARD_BAND_HIGH);
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->flag_id = 12;
  bed->flag_band = WARD_BAND_HIGH;
  bed->flag_opened_at = NOW - 5 * WARD_USEC_PER_MINUTE;
  bed->flag_acknowledged_by = g_strdup ("Sam Carter");
  bed->flag_acknowledged_at = NOW - WARD_USEC_PER_MINUTE;

  bed = add_bed (beds, 5, WARD_BAND_MEDIUM);
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->flag_id = 13;
  bed->flag_band = WARD_BAND_MEDIUM;
  bed->technical_alert = TRUE;
  bed->technical_alert_since = NOW - 2 * WARD_USEC_PER_MINUTE;

  bed = add_bed (beds, 0, WARD_BAND_LOW);
  bed->has_score = FALSE;

  bed = add_bed (beds, 3, WARD_BAND_LOW_MEDIUM);
  bed->spo2_scale = 2;
  bed->score_points[WARD_NEWS2_SPO2] = 3;
  bed->score_points[WARD_NEWS2_CONSCIOUSNESS] = -1;

  snapshot = create_snapshot (beds, 1);
  ward_test_window_apply (window, snapshot);

  tile = get_tile (window, 0);
  g_assert_true (gtk_widget_get_visible (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                              "flag_box")));
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "flag_label"), ==, "Flag high");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "ack_label"), ==, "Acknowledged by Sam Carter");
  g_assert_false (gtk_widget_get_visible (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                               "silent_box")));

  tile = get_tile (window, 1);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "flag_label"), ==, "Flag medium");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "ack_label"), ==, "Not acknowledged");
  g_assert_true (gtk_widget_get_visible (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                              "silent_box")));
  g_assert_true (g_str_has_prefix (get_label_text (tile, WARD_TYPE_BED_TILE, "silent_label"),
                                   "Device silent"));

  tile = get_tile (window, 2);
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL, "Bed 3, no NEWS2 score");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "band_label"), ==, "No score");
  g_assert_false (gtk_widget_get_visible (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                               "flag_box")));

  /* The points behind a score, with the SpO₂ scale they were scored on. */
  tile = get_tile (window, 3);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tile), "band-low-medium"));
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "points_label"), ==,
                   "Points: RR\u00A00 · SpO₂ scale 2\u00A03 · O₂\u00A00 · SBP\u00A00 · HR\u00A00"
                   " · ACVPU\u00A0– · Temp\u00A00");

  g_assert_cmpstr (get_label_text (window, WARD_TYPE_WINDOW, "summary_label"), ==,
                   "4 beds · 2 open flags · 1 flag not acknowledged · 1 device silent");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_patient_names (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(WardSnapshot) snapshot = make_snapshot_with_bed4 (1, 7, WARD_BAND_HIGH, FALSE);
  WardBedTile *tile;

  ward_test_window_apply (window, snapshot);
  tile = get_tile (window, 3);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "patient_label"), ==, "P.N4");

  /* The menu item is the settings key's action. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "patient-names", NULL);
  g_assert_true (g_settings_get_boolean (settings, "patient-names"));
  g_assert_true (ward_window_get_show_patient_names (window));
  g_assert_true (get_tile (window, 3) == tile);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "patient_label"), ==, "Patient Number4");

  g_settings_reset (settings, "patient-names");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "patient_label"), ==, "P.N4");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Privacy from the preferences window: the switch there changes the
 * board at once, without a restart.
 */
static void
test_window_patient_names_preferences (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(WardSnapshot) snapshot = make_snapshot_with_bed4 (1, 7, WARD_BAND_HIGH, FALSE);
  WardPreferences *prefs = ward_preferences_new (GTK_WINDOW (window), settings);
  WardBedTile *tile;

  ward_test_window_apply (window, snapshot);
  tile = get_tile (window, 3);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "patient_label"), ==, "P.N4");

  gtk_switch_set_active (prefs->names_switch, TRUE);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "patient_label"), ==, "Patient Number4");
  gtk_switch_set_active (prefs->names_switch, FALSE);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "patient_label"), ==, "P.N4");

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_settings_reset (settings, "patient-names");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_demo_title (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(WardSnapshot) snapshot = make_snapshot_with_bed4 (1, 7, WARD_BAND_HIGH, FALSE);
  GtkWidget *title = ward_test_get_child (window, WARD_TYPE_WINDOW, "window_title");

  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (title)), ==, "Wardwatch");

  ward_window_set_demo (window, TRUE);
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)), ==, "Demo");

  ward_test_window_apply (window, snapshot);
  g_assert_true (g_str_has_prefix (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)),
                                   "Demo · simulated time "));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_source_alarm (void)
{
  WardWindow *window = ward_test_window_present ();

  g_assert_false (_ward_window_get_source_alarm_visible (window));

  /* A broker that went away is a technical alarm, marked in text too. */
  ward_window_set_source_alarm (window, "No connection to the device broker (Connection refused)");
  ward_test_iterate ();
  g_assert_true (_ward_window_get_source_alarm_visible (window));
  g_assert_cmpstr (_ward_window_get_source_alarm_text (window), ==,
                   "*** No connection to the device broker (Connection refused)");

  ward_window_set_source_alarm (window, NULL);
  ward_test_iterate ();
  g_assert_false (_ward_window_get_source_alarm_visible (window));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_error (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                 "Cannot open <demo.db> & co");
  GtkWidget *status_page = ward_test_get_child (window, WARD_TYPE_WINDOW, "status_page");

  ward_window_show_error (window, error);
  ward_test_iterate ();

  g_assert_cmpstr (get_visible_page (window), ==, "status");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==,
                   "Could Not Start the Ward Pipeline");
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status_page)), ==,
                   "Cannot open &lt;demo.db&gt; &amp; co");
  g_assert_false (gtk_widget_get_visible (ward_test_get_child (window, WARD_TYPE_WINDOW,
                                                               "spinner")));

  gtk_window_destroy (GTK_WINDOW (window));
}

static WardDataIssues *
find_data_issues (WardWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  WardDataIssues *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (WARD_IS_DATA_ISSUES (toplevel) &&
          gtk_window_get_transient_for (GTK_WINDOW (toplevel)) == GTK_WINDOW (window))
        {
          g_assert_null (found);
          found = WARD_DATA_ISSUES (toplevel);
        }
    }

  return found;
}

static gboolean
loaded_cb (gpointer data)
{
  return !ward_data_issues_get_loading (data);
}

static void
wait_loaded (WardDataIssues *view)
{
  ward_test_wait_until (loaded_cb, view, "the data issues to load");
}

static void
test_window_data_issues (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-win-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardWindow *window = ward_test_window_present ();
  WardDataIssues *view;
  GtkWidget *button;
  gint64 raw_id;

  store = ward_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_begin (store, &error));
  raw_id = ward_store_add_raw_message (store, NOW, "mqtt", "application/json", "sim-monitor-01",
                                       "{\"oops\"", 7, &error);
  g_assert_cmpint (raw_id, >, 0);
  g_assert_cmpint (ward_store_add_dead_letter (store, raw_id, "parse", "not JSON", NOW, &error), >, 0);
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);

  /* In the header bar; without a database there is nothing to show. */
  button = ward_test_find_actionable (GTK_WIDGET (window), "win.data-issues");
  g_assert_nonnull (button);
  ward_test_iterate ();
  g_assert_false (gtk_widget_get_sensitive (button));

  g_object_set (window, "db-path", db, NULL);
  ward_test_iterate ();
  g_assert_true (gtk_widget_get_sensitive (button));

  /* The action (Ctrl+I) opens the view, transient for the window. */
  g_assert_null (find_data_issues (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.data-issues", NULL));
  view = find_data_issues (window);
  g_assert_nonnull (view);
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &view);
  g_assert_cmpstr (ward_data_issues_get_db_path (view), ==, db);
  wait_loaded (view);
  g_assert_cmpuint (ward_data_issues_get_n_issues (view), ==, 1);

  /* Again: the same view, read again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.data-issues", NULL));
  g_assert_true (find_data_issues (window) == view);
  g_assert_true (ward_data_issues_get_loading (view));
  wait_loaded (view);

  /* It goes with its window. */
  gtk_window_destroy (GTK_WINDOW (window));
  ward_test_iterate ();
  g_assert_null (view);

  g_clear_object (&store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (db);
  g_rmdir (dir);
}

/* The bed indexes in the order the board shows them. */
static void
assert_order (WardWindow  *window,
              const guint *expected,
              guint        n_expected)
{
  guint order[16];
  guint n = _ward_window_get_n_shown (window, order, G_N_ELEMENTS (order));

  g_assert_cmpuint (n, ==, n_expected);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (order[i], ==, expected[i]);
}

static WardSnapshot *
make_ranked_snapshot (guint64 serial)
{
  g_autoptr(GArray) beds = ward_test_beds_new ();
  WardBedState *bed;

  add_bed (beds, 1, WARD_BAND_LOW);
  bed = add_bed (beds, 5, WARD_BAND_MEDIUM);
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->flag_id = 2;
  bed->flag_band = WARD_BAND_MEDIUM;
  add_bed (beds, 0, WARD_BAND_LOW);
  bed = add_bed (beds, 7, WARD_BAND_HIGH);
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->flag_id = 4;
  bed->flag_band = WARD_BAND_HIGH;
  add_bed (beds, 3, WARD_BAND_LOW_MEDIUM);
  add_bed (beds, 1, WARD_BAND_LOW)->has_score = FALSE;

  return create_snapshot (beds, serial);
}

/* Sorted by risk (flag priority, then NEWS2 total, then bed) or by bed;
 * filtered to my patients; the tiles stay the same widgets throughout.
 */
static void
test_window_sort_filter (void)
{
  static const guint by_risk[] = { 3, 1, 4, 0, 2, 5 };
  static const guint by_bed[] = { 0, 1, 2, 3, 4, 5 };
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(WardSnapshot) first = make_ranked_snapshot (1);
  g_autoptr(WardSnapshot) second = make_ranked_snapshot (2);
  g_auto(GStrv) mine = NULL;
  WardWindow *window = ward_test_window_present ();
  WardBedTile *tile;

  ward_test_window_apply (window, first);
  assert_order (window, by_risk, G_N_ELEMENTS (by_risk));
  tile = get_tile (window, 3);

  ward_test_window_apply (window, second);
  assert_order (window, by_risk, G_N_ELEMENTS (by_risk));
  g_assert_true (get_tile (window, 3) == tile);

  /* Ctrl+R switches to the bed order, kept in the settings. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sort", NULL));
  ward_test_iterate ();
  assert_order (window, by_bed, G_N_ELEMENTS (by_bed));
  g_assert_cmpint (g_settings_get_enum (settings, "board-sort"), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sort", NULL));
  ward_test_iterate ();
  assert_order (window, by_risk, G_N_ELEMENTS (by_risk));

  /* My patients: the tile's star, kept in the settings, then the filter. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-my-patient", "s",
                                             "sim-patient-05"));
  g_assert_true (ward_bed_tile_get_mine (get_tile (window, 4)));
  mine = g_settings_get_strv (settings, "my-patients");
  g_assert_cmpstrv (mine, ((const char * const []) { "sim-patient-05", NULL }));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.my-patients-only", NULL));
  ward_test_iterate ();
  assert_order (window, (const guint []) { 4 }, 1);
  g_assert_true (g_str_has_prefix (get_label_text (window, WARD_TYPE_WINDOW, "summary_label"),
                                   "1 of 6 beds (my patients)"));

  /* New snapshots keep the filter. */
  ward_test_window_apply (window, first);
  assert_order (window, (const guint []) { 4 }, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-my-patient", "s",
                                             "sim-patient-05"));
  ward_test_iterate ();
  g_assert_false (ward_bed_tile_get_mine (get_tile (window, 4)));
  assert_order (window, NULL, 0);

  g_settings_reset (settings, "my-patients-only");
  g_settings_reset (settings, "my-patients");
  g_settings_reset (settings, "board-sort");
  ward_test_iterate ();
  assert_order (window, by_risk, G_N_ELEMENTS (by_risk));

  /* NEWS2 does not apply to the child in bed 1: its 9 does not rank it
   * above the adults' scores; it goes with the beds without one.
   */
  {
    g_autoptr(GArray) beds = ward_test_beds_new ();
    g_autoptr(WardSnapshot) snapshot = NULL;
    WardBedState *child;

    add_bed (beds, 1, WARD_BAND_LOW);
    add_bed (beds, 3, WARD_BAND_LOW_MEDIUM);
    child = &g_array_index (beds, WardBedState, 0);
    child->score_total = 9;
    child->score_band = WARD_BAND_HIGH;
    child->age = 12;
    child->news2_not_applicable = TRUE;
    add_bed (beds, 0, WARD_BAND_LOW);
    add_bed (beds, 2, WARD_BAND_LOW);
    add_bed (beds, 1, WARD_BAND_LOW)->has_score = FALSE;
    add_bed (beds, 5, WARD_BAND_MEDIUM);
    snapshot = create_snapshot (beds, 3);
    ward_test_window_apply (window, snapshot);
    assert_order (window, (const guint []) { 5, 1, 3, 2, 0, 4 }, 6);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Ages, stale values, the trend arrow, the flag's button. */
static void
test_window_values (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(GArray) beds = ward_test_beds_new ();
  g_autoptr(WardSnapshot) snapshot = NULL;
  WardBedState *bed;
  WardBedTile *tile;
  GtkWidget *ack_button;
  GtkWidget *trend;
  GVariant *target;

  bed = add_bed (beds, 7, WARD_BAND_HIGH);
  /* Continuous values are stale after 2 min; others outside the window. */
  ward_test_bed_set_latest (bed, WARD_MEAS_RR, 24, NOW - 3 * WARD_USEC_PER_MINUTE);
  ward_test_bed_set_latest (bed, WARD_MEAS_TEMP, 38.4, NOW - 40 * WARD_USEC_PER_MINUTE);
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->flag_id = 41;
  bed->flag_band = WARD_BAND_HIGH;
  bed->flag_opened_at = NOW - 4 * WARD_USEC_PER_MINUTE;
  bed->trend.valid = TRUE;
  bed->trend.slope = 3.0;
  bed->trend.direction = WARD_TREND_RISING;
  bed->trend.n_points = 12;

  snapshot = create_snapshot (beds, 1);
  ward_test_window_apply (window, snapshot);
  tile = get_tile (window, 0);

  /* The snapshot is at NOW + 1 s. */
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "hr_age_label"), ==, "11 s");
  g_assert_false (gtk_widget_has_css_class (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                                 "hr_label"), "stale"));
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "rr_age_label"), ==, "3 min, stale");
  g_assert_true (gtk_widget_has_css_class (ward_test_get_child (tile, WARD_TYPE_BED_TILE,
                                                                "rr_label"), "stale"));
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "temp_age_label"), ==, "40 min, stale");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "bp_age_label"), ==, "1 min");

  trend = ward_test_get_child (tile, WARD_TYPE_BED_TILE, "trend_image");
  g_assert_true (gtk_widget_get_visible (trend));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (trend)), ==, "go-up-symbolic");
  gtk_test_accessible_assert_property (trend, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Rising, +3.0 points per hour");

  /* A screen reader hears the flag with the bed. */
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Bed 1, NEWS2 7, high, flag open");
  /* The focusable child around the tile reads the same. */
  gtk_test_accessible_assert_property (gtk_widget_get_parent (GTK_WIDGET (tile)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Bed 1, NEWS2 7, high, flag open");

  ack_button = ward_test_get_child (tile, WARD_TYPE_BED_TILE, "ack_button");
  g_assert_true (gtk_widget_get_visible (ack_button));
  gtk_test_accessible_assert_property (ack_button, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Acknowledge the flag of Bed 1");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (ack_button)), ==, "win.acknowledge");
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (ack_button));
  g_assert_cmpint (g_variant_get_int64 (target), ==, 41);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Snapshots faster than frames: only the newest is shown. */
static void
test_window_once_per_frame (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(WardSnapshot) first = make_snapshot_with_bed4 (1, 2, WARD_BAND_LOW, FALSE);
  g_autoptr(WardSnapshot) second = make_snapshot_with_bed4 (2, 5, WARD_BAND_MEDIUM, FALSE);
  g_autoptr(WardSnapshot) third = make_snapshot_with_bed4 (3, 7, WARD_BAND_HIGH, FALSE);
  guint64 n_received, n_applied;
  gint64 max_usec, total_usec;

  ward_test_window_apply (window, first);
  _ward_window_get_stats (window, &n_received, &n_applied, &max_usec, &total_usec);
  g_assert_cmpuint (n_received, ==, 1);
  g_assert_cmpuint (n_applied, ==, 1);

  ward_window_apply_snapshot (window, second);
  ward_test_window_apply (window, third);
  _ward_window_get_stats (window, &n_received, &n_applied, &max_usec, &total_usec);
  g_assert_cmpuint (n_received, ==, 3);
  g_assert_cmpuint (n_applied, ==, 2);
  g_assert_cmpstr (get_label_text (get_tile (window, 3), WARD_TYPE_BED_TILE, "score_label"), ==, "7");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Enter (or a click) on a tile opens its patient; Escape goes back. */
static void
test_window_patient_page (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(WardSnapshot) snapshot = make_snapshot_with_bed4 (1, 7, WARD_BAND_HIGH, FALSE);
  GtkWidget *view = ward_test_get_child (window, WARD_TYPE_WINDOW, "patient_view");
  GtkWidget *back = ward_test_get_child (window, WARD_TYPE_WINDOW, "back_button");
  GtkWidget *child;

  ward_test_window_apply (window, snapshot);
  g_assert_false (gtk_widget_get_visible (back));

  child = gtk_widget_get_parent (GTK_WIDGET (get_tile (window, 3)));
  g_assert_true (GTK_IS_FLOW_BOX_CHILD (child));
  g_signal_emit_by_name (ward_test_get_child (window, WARD_TYPE_WINDOW, "flow_box"),
                         "child-activated", child);

  g_assert_cmpstr (get_visible_page (window), ==, "patient");
  g_assert_cmpstr (ward_patient_view_get_patient (WARD_PATIENT_VIEW (view)), ==, "sim-patient-04");
  g_assert_true (gtk_widget_get_visible (back));

  /* Snapshots keep the patient page. */
  ward_test_window_apply (window, snapshot);
  g_assert_cmpstr (get_visible_page (window), ==, "patient");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-board", NULL));
  g_assert_cmpstr (get_visible_page (window), ==, "beds");
  g_assert_false (gtk_widget_get_visible (back));

  /* Also through the action, as the alarm bar and the keyboard do. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-patient", "s",
                                             "sim-patient-02"));
  g_assert_cmpstr (get_visible_page (window), ==, "patient");
  g_assert_cmpstr (ward_patient_view_get_patient (WARD_PATIENT_VIEW (view)), ==, "sim-patient-02");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
collect_accelerators (GtkWidget  *widget,
                      GPtrArray  *accelerators)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_auto(GStrv) each = NULL;

      g_object_get (widget, "accelerator", &accelerator, NULL);
      each = g_strsplit (accelerator, " ", -1);
      for (guint i = 0; each[i] != NULL; i++)
        {
          guint key;
          GdkModifierType mods;

          g_assert_true (gtk_accelerator_parse (each[i], &key, &mods));
          g_ptr_array_add (accelerators, gtk_accelerator_name (key, mods));
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_accelerators (child, accelerators);
}

/* The shortcuts window (Ctrl+?) lists every shortcut of the window, and
 * every action it names exists.
 */
static void
test_window_shortcuts (void)
{
  static const struct {
    guint            key;
    GdkModifierType  mods;
    const char      *action;
  } shortcuts[] = {
    { GDK_KEY_Escape, 0, "win.show-board" },
    { GDK_KEY_Left, GDK_ALT_MASK, "win.show-board" },
    { GDK_KEY_r, GDK_CONTROL_MASK, "win.toggle-sort" },
    { GDK_KEY_m, GDK_CONTROL_MASK, NULL },
    { GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK, NULL },
    { GDK_KEY_i, GDK_CONTROL_MASK, "win.data-issues" },
    { GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.ward-summary" },
    { GDK_KEY_F6, 0, "win.focus-alarms" },
    { GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.acknowledge-top" },
    { GDK_KEY_Return, 0, NULL },
    { GDK_KEY_w, GDK_CONTROL_MASK, NULL },
    /* The patient view's and the data issues window's own. */
    { GDK_KEY_1, GDK_ALT_MASK, NULL },
    { GDK_KEY_5, GDK_ALT_MASK, NULL },
    { GDK_KEY_Return, GDK_CONTROL_MASK, NULL },
    { GDK_KEY_F5, 0, NULL },
  };
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GPtrArray) accelerators = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GtkWidgetClass *klass = g_type_class_ref (WARD_TYPE_WINDOW);
  GObject *overlay;

  builder = gtk_builder_new ();
  gtk_builder_add_from_resource (builder, "/io/github/wardwatch/Wardwatch/gtk/help-overlay.ui", &error);
  g_assert_no_error (error);
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));

  collect_accelerators (GTK_WIDGET (overlay), accelerators);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      g_autofree char *name = gtk_accelerator_name (shortcuts[i].key, shortcuts[i].mods);
      gboolean listed = FALSE;

      for (guint j = 0; j < accelerators->len; j++)
        listed |= g_str_equal (g_ptr_array_index (accelerators, j), name);
      if (!listed)
        g_error ("%s is not in the shortcuts window", name);

      if (shortcuts[i].action != NULL)
        {
          gboolean installed = FALSE;
          const GVariantType *parameter_type;
          const char *property_name;
          const char *action_name;
          GType owner;

          for (guint k = 0;
               gtk_widget_class_query_action (klass, k, &owner, &action_name, &parameter_type,
                                              &property_name);
               k++)
            installed |= g_str_equal (action_name, shortcuts[i].action);
          g_assert_true (installed);
        }
    }

  gtk_window_destroy (GTK_WINDOW (overlay));
  g_type_class_unref (klass);
}

/* An acknowledgement that cannot be sent says why, in a toast. */
static void
test_window_acknowledge_error (void)
{
  WardWindow *window = ward_test_window_present ();
  const char *text = "Could not acknowledge the flag: the ward pipeline is not running";

  ward_window_set_user (window, "Sam Carter");
  g_assert_false (ward_test_has_label (GTK_WIDGET (window), text));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.acknowledge", "x",
                                             G_GINT64_CONSTANT (12)));
  ward_test_iterate ();
  g_assert_true (ward_test_has_label (GTK_WIDGET (window), text));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Six quiet beds with the given outbox counters and FHIR sync state. */
static WardSnapshot *
make_sync_snapshot (guint64     serial,
                    guint64     pending,
                    gboolean    over_limit,
                    guint64     failed,
                    gboolean    configured,
                    gint64      failing_for,
                    const char *last_error)
{
  g_autoptr(GArray) beds = ward_test_beds_new ();
  WardCounters counters = { 0 };
  WardSnapshot *snapshot;
  gint64 now = NOW + serial * G_USEC_PER_SEC;

  for (guint i = 0; i < 6; i++)
    add_bed (beds, 1, WARD_BAND_LOW);
  counters.outbox_pending = pending;
  counters.outbox_over_limit = over_limit;
  counters.outbox_failed = failed;
  snapshot = _ward_snapshot_new (now, serial, beds, &counters);
  _ward_snapshot_set_fhir_status (snapshot, configured,
                                  failing_for > 0 ? now - failing_for : 0, last_error);

  return snapshot;
}

static gboolean
sync_warning_shown (WardWindow *window)
{
  return gtk_revealer_get_reveal_child (GTK_REVEALER (ward_test_get_child (window, WARD_TYPE_WINDOW,
                                                                 "sync_revealer")));
}

/* Resources that do not reach the FHIR server are kept, and the window
 * says so: past the outbox limit without a server, a server that has
 * not taken anything for a minute (with its error), rejections (with
 * Details); a short hiccup says nothing.
 */
static void
test_window_sync_warning (void)
{
  WardWindow *window = ward_test_window_present ();
  GtkWidget *details = ward_test_get_child (window, WARD_TYPE_WINDOW, "sync_details_button");
  g_autoptr(GDateTime) since = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *expected = NULL;
  const char *text;

  /* No server, outbox under its limit: a demo ward is fine as it is. */
  ward_test_window_apply (window, make_sync_snapshot (1, 1200, FALSE, 0, FALSE, 0, NULL));
  g_assert_false (sync_warning_shown (window));

  ward_test_window_apply (window, make_sync_snapshot (2, 600001, TRUE, 0, FALSE, 0, NULL));
  g_assert_true (sync_warning_shown (window));
  text = get_label_text (window, WARD_TYPE_WINDOW, "sync_label");
  g_assert_nonnull (strstr (text, "No FHIR server is configured"));
  /* Digits grouped as the locale groups them. */
  g_free (expected);
  expected = g_strdup_printf ("%'lu resources waiting", 600001lu);
  g_assert_nonnull (strstr (text, expected));
  g_assert_nonnull (strstr (text, "--fhir-url"));
  g_assert_false (gtk_widget_get_visible (details));

  /* A server that failed 30 s ago: retried quietly. */
  ward_test_window_apply (window, make_sync_snapshot (3, 40, FALSE, 0, TRUE, 30 * G_USEC_PER_SEC,
                                              "Could not connect: Connection refused"));
  g_assert_false (sync_warning_shown (window));

  /* Five minutes: the nurse is told since when and why. */
  ward_test_window_apply (window, make_sync_snapshot (4, 41, FALSE, 0, TRUE, 300 * G_USEC_PER_SEC,
                                              "Could not connect: Connection refused"));
  g_assert_true (sync_warning_shown (window));
  since = g_date_time_new_from_unix_local ((NOW + 4 * G_USEC_PER_SEC - 300 * G_USEC_PER_SEC) /
                                           G_USEC_PER_SEC);
  clock = g_date_time_format (since, "%H:%M");
  g_free (expected);
  expected = g_strdup_printf ("The FHIR server has not taken resources since %s (41 resources "
                              "waiting, kept here): Could not connect: Connection refused", clock);
  g_assert_cmpstr (get_label_text (window, WARD_TYPE_WINDOW, "sync_label"), ==, expected);

  /* It answers again, but rejected two resources: Details lists them. */
  ward_test_window_apply (window, make_sync_snapshot (5, 0, FALSE, 2, TRUE, 0, NULL));
  g_assert_true (sync_warning_shown (window));
  g_assert_cmpstr (get_label_text (window, WARD_TYPE_WINDOW, "sync_label"), ==,
                   "The FHIR server rejected 2 resources; they are kept here with the server's "
                   "reasons.");
  g_assert_true (gtk_widget_get_visible (details));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (details)), ==, "win.data-issues");

  /* Everything sent. */
  ward_test_window_apply (window, make_sync_snapshot (6, 0, FALSE, 0, TRUE, 0, NULL));
  g_assert_false (sync_warning_shown (window));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A child's tile (under 16): the score stays, the band label says that
 * NEWS2 does not apply, the tile takes no band's color, and the
 * accessible name says it too.  The same bed as an adult shows its band.
 */
static void
test_window_under_16 (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(GArray) beds = ward_test_beds_new ();
  g_autoptr(GArray) adults = ward_test_beds_new ();
  g_autoptr(WardSnapshot) child = NULL;
  g_autoptr(WardSnapshot) adult = NULL;
  WardBedState *bed;
  WardBedTile *tile;

  for (guint i = 0; i < 6; i++)
    {
      bed = add_bed (beds, i == 3 ? 7 : 1, i == 3 ? WARD_BAND_HIGH : WARD_BAND_LOW);
      bed->age = i == 3 ? 12 : 54;
      bed->news2_not_applicable = i == 3;
      bed = add_bed (adults, i == 3 ? 7 : 1, i == 3 ? WARD_BAND_HIGH : WARD_BAND_LOW);
      bed->age = i == 3 ? 16 : 54;
    }
  child = create_snapshot (beds, 1);
  adult = create_snapshot (adults, 2);

  ward_test_window_apply (window, child);
  tile = get_tile (window, 3);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "score_label"), ==, "7");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "band_label"), ==,
                   "NEWS2 not validated under 16");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (tile), "band-high"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tile), "no-score"));
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Bed 4, NEWS2 7, NEWS2 not validated under 16");
  /* The adults' tiles are as before. */
  g_assert_cmpstr (get_label_text (get_tile (window, 0), WARD_TYPE_BED_TILE, "band_label"), ==, "Low");

  ward_test_window_apply (window, adult);
  g_assert_true (get_tile (window, 3) == tile);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "band_label"), ==, "High");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (tile), "band-high"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (tile), "no-score"));
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL, "Bed 4, NEWS2 7, high");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/window/waiting", test_window_waiting);
  g_test_add_func ("/ui/window/tiles", test_window_tiles);
  g_test_add_func ("/ui/window/flags", test_window_flags);
  g_test_add_func ("/ui/window/source-alarm", test_window_source_alarm);
  g_test_add_func ("/ui/window/patient-names", test_window_patient_names);
  g_test_add_func ("/ui/window/patient-names-preferences", test_window_patient_names_preferences);
  g_test_add_func ("/ui/window/demo-title", test_window_demo_title);
  g_test_add_func ("/ui/window/error", test_window_error);
  g_test_add_func ("/ui/window/data-issues", test_window_data_issues);
  g_test_add_func ("/ui/window/sort-filter", test_window_sort_filter);
  g_test_add_func ("/ui/window/values", test_window_values);
  g_test_add_func ("/ui/window/once-per-frame", test_window_once_per_frame);
  g_test_add_func ("/ui/window/patient-page", test_window_patient_page);
  g_test_add_func ("/ui/window/shortcuts", test_window_shortcuts);
  g_test_add_func ("/ui/window/acknowledge-error", test_window_acknowledge_error);
  g_test_add_func ("/ui/window/sync-warning", test_window_sync_warning);
  g_test_add_func ("/ui/window/under-16", test_window_under_16);

  return g_test_run ();
}
