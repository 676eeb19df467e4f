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
#include "ward-snapshot.h"
#include "ward-store.h"
#include "ward-window.h"

/* 2026-11-22T10:00:00Z */
#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

static GArray *
create_beds (void)
{
  GArray *beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  return beds;
}

static void
set_latest (WardBedState *bed,
            WardMeasKind  kind,
            double        value,
            gint64        observed_at)
{
  bed->latest[kind].valid = TRUE;
  bed->latest[kind].value = value;
  bed->latest[kind].observed_at = observed_at;
  bed->latest[kind].source = WARD_SOURCE_DEVICE;
}

/* A scored bed with a full set of recent vital signs. */
static WardBedState *
add_bed (GArray   *beds,
         int       total,
         WardBand  band)
{
  WardBedState bed = { 0 };
  guint number = beds->len + 1;

  bed.bed_id = g_strdup_printf ("bed-%02u", number);
  bed.bed_label = g_strdup_printf ("Bed %u", number);
  bed.patient_id = g_strdup_printf ("sim-patient-%02u", number);
  bed.patient_name = g_strdup_printf ("Patient Number%u", number);
  bed.patient_initials = g_strdup_printf ("P.N%u", number);
  bed.device_id = g_strdup_printf ("sim-monitor-%02u", number);
  bed.spo2_scale = 1;

  set_latest (&bed, WARD_MEAS_HR, 112, NOW - 10 * G_USEC_PER_SEC);
  set_latest (&bed, WARD_MEAS_RR, 24, NOW - 10 * G_USEC_PER_SEC);
  set_latest (&bed, WARD_MEAS_SPO2, 93, NOW - 10 * G_USEC_PER_SEC);
  set_latest (&bed, WARD_MEAS_SBP, 98, NOW - 60 * G_USEC_PER_SEC);
  set_latest (&bed, WARD_MEAS_DBP, 61, NOW - 60 * G_USEC_PER_SEC);
  set_latest (&bed, WARD_MEAS_TEMP, 38.4, NOW - 120 * G_USEC_PER_SEC);

  bed.has_score = TRUE;
  bed.score_total = total;
  bed.score_band = band;
  bed.score_complete = TRUE;
  bed.score_final = FALSE;
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    bed.score_points[i] = 0;
  bed.score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
  bed.score_window_end = NOW;

  g_array_append_val (beds, bed);

  return &g_array_index (beds, WardBedState, beds->len - 1);
}

static WardSnapshot *
create_snapshot (GArray  *beds,
                 guint64  serial)
{
  WardCounters counters = { 0 };

  return _ward_snapshot_new (NOW + serial * G_USEC_PER_SEC, serial, beds, &counters);
}

/* Six beds; bed 4 is in the given state. */
static WardSnapshot *
make_snapshot_with_bed4 (guint64   serial,
                         int       total,
                         WardBand  band,
                         gboolean  final)
{
  g_autoptr(GArray) beds = create_beds ();

  for (guint i = 0; i < 6; i++)
    {
      if (i == 3)
        add_bed (beds, total, band)->score_final = final;
      else
        add_bed (beds, 1, WARD_BAND_LOW);
    }

  return create_snapshot (beds, serial);
}

static WardWindow *
present_window (void)
{
  WardWindow *window = ward_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static void
iterate_main_loop (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

/* Snapshots are shown at the next frame: wait for it. */
static void
apply_snapshot (WardWindow   *window,
                WardSnapshot *snapshot)
{
  gboolean timed_out = FALSE;
  guint timeout;

  ward_window_apply_snapshot (window, snapshot);
  timeout = g_timeout_add_seconds (10, wait_timeout_cb, &timed_out);
  while (_ward_window_has_pending_snapshot (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  iterate_main_loop ();
}

static GtkWidget *
get_child (gpointer    widget,
           GType       type,
           const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);

  return GTK_WIDGET (child);
}

static const char *
get_label_text (gpointer    widget,
                GType       type,
                const char *name)
{
  return gtk_label_get_text (GTK_LABEL (get_child (widget, type, name)));
}

static guint
count_tiles (WardWindow *window)
{
  GtkWidget *flow_box = get_child (window, WARD_TYPE_WINDOW, "flow_box");
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
  return gtk_stack_get_visible_child_name (GTK_STACK (get_child (window, WARD_TYPE_WINDOW, "stack")));
}

static void
test_window_waiting (void)
{
  WardWindow *window = present_window ();

  iterate_main_loop ();

  g_assert_cmpstr (get_visible_page (window), ==, "status");
  g_assert_cmpuint (count_tiles (window), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_tiles (void)
{
  WardWindow *window = present_window ();
  g_autoptr(WardSnapshot) first = make_snapshot_with_bed4 (1, 7, WARD_BAND_HIGH, FALSE);
  g_autoptr(WardSnapshot) second = make_snapshot_with_bed4 (2, 5, WARD_BAND_MEDIUM, TRUE);
  g_autoptr(WardSnapshot) third = NULL;
  g_autoptr(GArray) fewer = create_beds ();
  WardBedTile *tiles[6];
  WardBedTile *tile;

  apply_snapshot (window, first);

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
  g_assert_false (gtk_widget_get_visible (get_child (tile, WARD_TYPE_BED_TILE, "flag_box")));
  g_assert_false (gtk_widget_get_visible (get_child (tile, WARD_TYPE_BED_TILE, "silent_box")));

  /* The same beds again: the tiles stay, only their texts change. */
  for (guint i = 0; i < G_N_ELEMENTS (tiles); i++)
    {
      tiles[i] = get_tile (window, i);
      g_object_add_weak_pointer (G_OBJECT (tiles[i]), (gpointer *) &tiles[i]);
    }

  apply_snapshot (window, second);

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

  apply_snapshot (window, third);

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
  WardWindow *window = present_window ();
  g_autoptr(GArray) beds = create_beds ();
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
  apply_snapshot (window, snapshot);

  tile = get_tile (window, 0);
  g_assert_true (gtk_widget_get_visible (get_child (tile, WARD_TYPE_BED_TILE, "flag_box")));
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "flag_label"), ==, "Flag open: High");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "ack_label"), ==, "Acknowledged by Sam Carter");
  g_assert_false (gtk_widget_get_visible (get_child (tile, WARD_TYPE_BED_TILE, "silent_box")));

  tile = get_tile (window, 1);
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "flag_label"), ==, "Flag open: Medium");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "ack_label"), ==, "Not acknowledged");
  g_assert_true (gtk_widget_get_visible (get_child (tile, WARD_TYPE_BED_TILE, "silent_box")));
  g_assert_true (g_str_has_prefix (get_label_text (tile, WARD_TYPE_BED_TILE, "silent_label"),
                                   "Device silent"));

  tile = get_tile (window, 2);
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL, "Bed 3, no NEWS2 score");
  g_assert_cmpstr (get_label_text (tile, WARD_TYPE_BED_TILE, "band_label"), ==, "No score");
  g_assert_false (gtk_widget_get_visible (get_child (tile, WARD_TYPE_BED_TILE, "flag_box")));

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
  WardWindow *window = present_window ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(WardSnapshot) snapshot = make_snapshot_with_bed4 (1, 7, WARD_BAND_HIGH, FALSE);
  WardBedTile *tile;

  apply_snapshot (window, snapshot);
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

static void
test_window_demo_title (void)
{
  WardWindow *window = present_window ();
  g_autoptr(WardSnapshot) snapshot = make_snapshot_with_bed4 (1, 7, WARD_BAND_HIGH, FALSE);
  GtkWidget *title = get_child (window, WARD_TYPE_WINDOW, "window_title");

  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (title)), ==, "Wardwatch");

  ward_window_set_demo (window, TRUE);
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)), ==, "Demo");

  apply_snapshot (window, snapshot);
  g_assert_true (g_str_has_prefix (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title)),
                                   "Demo · simulated time "));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_source_alarm (void)
{
  WardWindow *window = present_window ();

  g_assert_false (_ward_window_get_source_alarm_visible (window));

  /* A broker that went away is a technical alarm, marked in text too. */
  ward_window_set_source_alarm (window, "No connection to the device broker (Connection refused)");
  iterate_main_loop ();
  g_assert_true (_ward_window_get_source_alarm_visible (window));
  g_assert_cmpstr (_ward_window_get_source_alarm_text (window), ==,
                   "*** No connection to the device broker (Connection refused)");

  ward_window_set_source_alarm (window, NULL);
  iterate_main_loop ();
  g_assert_false (_ward_window_get_source_alarm_visible (window));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_error (void)
{
  WardWindow *window = present_window ();
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                 "Cannot open <demo.db> & co");
  GtkWidget *status_page = get_child (window, WARD_TYPE_WINDOW, "status_page");

  ward_window_show_error (window, error);
  iterate_main_loop ();

  g_assert_cmpstr (get_visible_page (window), ==, "status");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==,
                   "Could Not Start the Ward Pipeline");
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status_page)), ==,
                   "Cannot open &lt;demo.db&gt; &amp; co");
  g_assert_false (gtk_widget_get_visible (get_child (window, WARD_TYPE_WINDOW, "spinner")));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The first actionable widget for action_name under widget, depth first. */
static GtkWidget *
find_actionable (GtkWidget  *widget,
                 const char *action_name)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_actionable (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
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
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

static void
wait_loaded (WardDataIssues *view)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (10, timeout_cb, &timed_out);

  while (ward_data_issues_get_loading (view) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (timeout);
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
  WardWindow *window = present_window ();
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
  button = find_actionable (GTK_WIDGET (window), "win.data-issues");
  g_assert_nonnull (button);
  iterate_main_loop ();
  g_assert_false (gtk_widget_get_sensitive (button));

  g_object_set (window, "db-path", db, NULL);
  iterate_main_loop ();
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
  iterate_main_loop ();
  g_assert_null (view);

  g_clear_object (&store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (db);
  g_rmdir (dir);
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
  g_test_add_func ("/ui/window/demo-title", test_window_demo_title);
  g_test_add_func ("/ui/window/error", test_window_error);
  g_test_add_func ("/ui/window/data-issues", test_window_data_issues);

  return g_test_run ();
}
