/* test-dashboard.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-dashboard"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ward-alarm-bar.h"
#include "ward-alarm-bar-private.h"
#include "ward-bed-tile.h"
#include "ward-flag-words.h"
#include "ward-clinical.h"
#include "ward-patient-words.h"
#include "ward-pipeline.h"
#include "ward-window.h"
#include "ward-window-private.h"

/* A real pipeline on the demo ward, with the window the application
 * makes: what the ward sees, end to end.
 */

/* 2026-11-22T08:00:00Z: a fixed start, so the simulated ward is the same every run. */
#define START (G_GINT64_CONSTANT (1795334400) * G_USEC_PER_SEC)

typedef struct
{
  char          *dir;
  char          *db_path;
  WardPipeline  *pipeline;
  WardWindow    *window;
  WardSnapshot  *last;
} Fixture;

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
  Fixture *f = user_data;

  /* As the application does: the window shows it at its next frame. */
  g_clear_pointer (&f->last, ward_snapshot_unref);
  f->last = ward_snapshot_ref (snapshot);
  if (f->window != NULL)
    ward_window_apply_snapshot (f->window, snapshot);
}

/* A patient who deteriorates within ten minutes and stays unwell (NEWS2
 * about 11), so that the flag opens early and stays open while the test
 * acknowledges it; the built-in sepsis takes hours and hovers about the
 * threshold.
 */
static const char rapid_scenario[] =
  "{\"format\": 1, \"id\": \"rapid-deterioration\", \"name\": \"Rapid deterioration\","
  " \"description\": \"Unwell within ten minutes and stays so (test).\","
  " \"patient\": {\"age\": 67},"
  " \"vitals\": {\"heart_rate\": [[0, 80], [10, 130]], \"respiratory_rate\": [[0, 16], [10, 28]],"
  "   \"spo2\": [[0, 97], [10, 90]], \"systolic\": [[0, 125], [10, 95]],"
  "   \"diastolic\": [[0, 75], [10, 60]], \"temperature\": [[0, 37.0], [10, 38.5]]},"
  " \"noise\": {\"heart_rate\": 1, \"respiratory_rate\": 0.3, \"spo2\": 0.3, \"systolic\": 1,"
  "   \"diastolic\": 1, \"temperature\": 0.05},"
  " \"nurse_events\": [{\"minute\": 0, \"consciousness\": \"A\", \"on_oxygen\": false}]}";

/* A stable patient whose monitor goes silent after two minutes, for an
 * hour: a technical alert that lasts while the test acknowledges it.
 */
static const char silent_scenario[] =
  "{\"format\": 1, \"id\": \"silent-early\", \"name\": \"Silent early\","
  " \"description\": \"The monitor stops after two minutes (test).\","
  " \"patient\": {\"age\": 50},"
  " \"vitals\": {\"heart_rate\": [[0, 75]], \"respiratory_rate\": [[0, 15]], \"spo2\": [[0, 97]],"
  "   \"systolic\": [[0, 125]], \"diastolic\": [[0, 75]], \"temperature\": [[0, 36.8]]},"
  " \"silent_gaps\": [{\"start_min\": 2, \"duration_min\": 60}],"
  " \"nurse_events\": [{\"minute\": 0, \"consciousness\": \"A\", \"on_oxygen\": false}]}";

static void
start (Fixture            *f,
       guint               n_beds,
       double              time_scale,
       const char * const *scenarios)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_autofree char *scenario_dir = NULL;
  g_autofree char *scenario = NULL;

  f->dir = g_dir_make_tmp ("ward-dashboard-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "ward.db", NULL);
  scenario_dir = g_build_filename (f->dir, "scenarios", NULL);
  scenario = g_build_filename (scenario_dir, "rapid-deterioration.json", NULL);
  g_assert_cmpint (g_mkdir (scenario_dir, 0700), ==, 0);
  g_file_set_contents (scenario, rapid_scenario, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&scenario, g_free);
  scenario = g_build_filename (scenario_dir, "silent-early.json", NULL);
  g_file_set_contents (scenario, silent_scenario, -1, &error);
  g_assert_no_error (error);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->db_path);
  config.demo = TRUE;
  config.simulate = TRUE;
  config.n_beds = n_beds;
  config.seed = 11;
  config.time_scale = time_scale;
  config.start_usec = START;
  config.scenarios = g_strdupv ((char **) scenarios);
  config.scenario_dirs = g_new0 (char *, 2);
  config.scenario_dirs[0] = g_strdup (scenario_dir);

  f->window = ward_window_new (NULL);
  ward_window_set_demo (f->window, TRUE);
  ward_window_set_user (f->window, "Nurse Test Dashboard");
  gtk_window_present (GTK_WINDOW (f->window));

  f->pipeline = ward_pipeline_new (&config);
  ward_window_set_pipeline (f->window, f->pipeline);
  g_object_set (f->window, "db-path", f->db_path, NULL);
  g_assert_true (ward_pipeline_start (f->pipeline, snapshot_cb, f, &error));
  g_assert_no_error (error);
}

static void
stop (Fixture *f)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);
  g_clear_pointer (&f->last, ward_snapshot_unref);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  {
    g_autofree char *scenario_dir = g_build_filename (f->dir, "scenarios", NULL);
    g_autofree char *scenario = g_build_filename (scenario_dir, "rapid-deterioration.json", NULL);
    g_autofree char *silent = g_build_filename (scenario_dir, "silent-early.json", NULL);

    g_unlink (scenario);
    g_unlink (silent);
    g_rmdir (scenario_dir);
  }
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->db_path, g_free);
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for %s", (const char *) user_data);

  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (Fixture *f, gpointer data);

/* Runs the main loop until the condition holds for what the window shows. */
static void
wait_for (Fixture    *f,
          Condition   condition,
          gpointer    data,
          const char *what)
{
  guint id = g_timeout_add_seconds (120, timeout_cb, (gpointer) what);

  while (!condition (f, data))
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (id);
}

static gboolean
has_beds_cb (Fixture  *f,
             gpointer  data)
{
  return f->last != NULL && !_ward_window_has_pending_snapshot (f->window) &&
         _ward_window_get_n_shown (f->window, NULL, 0) > 0;
}

static void
test_dashboard_tiles (void)
{
  Fixture f = { 0 };
  GtkStack *stack;

  start (&f, 8, 60, NULL);
  wait_for (&f, has_beds_cb, NULL, "the first snapshot");

  /* One tile per bed, each named for a screen reader by its bed. */
  stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (f.window), WARD_TYPE_WINDOW, "stack"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "beds");
  g_assert_cmpuint (_ward_window_get_n_shown (f.window, NULL, 0), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      WardBedTile *tile = _ward_window_get_tile (f.window, i);

      g_assert_cmpstr (ward_bed_tile_get_bed_id (tile), ==,
                       ward_snapshot_get_bed (f.last, i)->bed_id);
    }

  stop (&f);
}

/* The first bed with an open, unacknowledged clinical flag in what the
 * window shows, or -1.
 */
static int
find_open_flag (Fixture *f)
{
  WardAlarmBar *bar = _ward_window_get_alarm_bar (f->window);
  const char *patient_id = NULL;
  gint64 flag_id;

  if (_ward_window_has_pending_snapshot (f->window) || f->last == NULL)
    return -1;

  flag_id = ward_alarm_bar_get_top_unacknowledged (bar, &patient_id);
  if (flag_id == 0)
    return -1;

  for (guint i = 0; i < ward_snapshot_get_n_beds (f->last); i++)
    if (g_strcmp0 (ward_snapshot_get_bed (f->last, i)->patient_id, patient_id) == 0)
      return i;

  return -1;
}

static gboolean
has_open_flag_cb (Fixture  *f,
                  gpointer  data)
{
  return find_open_flag (f) >= 0;
}

static gboolean
acknowledged_cb (Fixture  *f,
                 gpointer  data)
{
  const WardBedState *bed;

  if (f->last == NULL || _ward_window_has_pending_snapshot (f->window))
    return FALSE;

  bed = ward_snapshot_get_bed (f->last, GPOINTER_TO_UINT (data));
  return bed->flag_acknowledged_by != NULL;
}

static gboolean
has_trend_cb (Fixture  *f,
              gpointer  data)
{
  if (f->last == NULL || _ward_window_has_pending_snapshot (f->window))
    return FALSE;

  return ward_snapshot_get_bed (f->last, GPOINTER_TO_UINT (data))->trend.valid;
}

static char *
read_acknowledged_by (const char *db_path,
                      gint64      flag_id,
                      const char *kind)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *by = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT acknowledged_by, kind FROM flags WHERE id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, flag_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, kind);
  if (sqlite3_column_text (stmt, 0) != NULL)
    by = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return by;
}

static GtkWidget *
get_tile_child (WardBedTile *tile,
                const char  *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (tile), WARD_TYPE_BED_TILE, name);

  g_assert_nonnull (child);

  return GTK_WIDGET (child);
}

/* A deteriorating patient: the flag shows in the bar and on the tile,
 * and acknowledging it from the tile stores who did it.
 */
static void
test_dashboard_flag (void)
{
  static const char * const scenarios[] = { "stable", "rapid-deterioration", NULL };
  Fixture f = { 0 };
  const WardBedState *bed;
  WardBedTile *tile;
  WardAlarmBar *bar;
  GtkWidget *ack_button;
  g_autofree char *by = NULL;
  g_autofree char *label = NULL;
  gint64 flag_id;
  int index;

  /* Four minutes of the ward every second. */
  start (&f, 4, 240, scenarios);
  wait_for (&f, has_open_flag_cb, NULL, "a flag");

  index = find_open_flag (&f);
  bed = ward_snapshot_get_bed (f.last, index);
  g_assert_cmpstr (bed->patient_id, !=, NULL);
  g_assert_true (bed->flag_state == WARD_FLAG_STATE_OPEN || bed->flag_state == WARD_FLAG_STATE_RECOVERING);
  flag_id = bed->flag_id;
  g_test_message ("flag %" G_GINT64_FORMAT " on %s, NEWS2 %d", flag_id, bed->bed_id, bed->score_total);

  /* In the bar, with its marker. */
  bar = _ward_window_get_alarm_bar (f.window);
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), >=, 1);
  g_assert_cmpint (ward_alarm_bar_get_top_unacknowledged (bar, NULL), ==, flag_id);

  /* On the tile, with the button to acknowledge it. */
  tile = _ward_window_get_tile (f.window, index);
  g_assert_true (gtk_widget_get_visible (get_tile_child (tile, "flag_box")));
  {
    /* "Flag high", "Flag medium, escalates in 2 min if sustained", ... */
    g_autofree char *flag = g_strdup_printf ("Flag %s", ward_clinical_band_phrase (bed->flag_band));

    g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (get_tile_child (tile, "flag_label"))),
                                     flag));
  }
  /* The care stage gave the flag a task in the same tick: the tile says
   * whom it awaits and Accept replaces Acknowledge.
   */
  g_assert_nonnull (_ward_flag_words_bed_task (bed, flag_id));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (get_tile_child (tile, "ack_label"))),
                                   "Awaiting bed nurse, due in "));
  ack_button = get_tile_child (tile, "ack_button");
  g_assert_true (gtk_widget_get_visible (ack_button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ack_button)), ==, "_Accept");

  /* Its accessible name says the flag, then who the patient is: the
   * demo ward gives a hospital number and a birth date.
   */
  g_assert_nonnull (bed->hospital_number);
  g_assert_nonnull (bed->birth_date);
  {
    g_autofree char *identity = _ward_patient_words_identity (bed, ward_snapshot_get_now (f.last),
                                                              ", ");

    g_assert_nonnull (strstr (identity, bed->hospital_number));
    label = g_strdup_printf ("%s, NEWS2 %d, high, flag open, %s", bed->bed_label,
                             bed->score_total, identity);
  }
  g_assert_cmpint (bed->score_band, ==, WARD_BAND_HIGH);
  gtk_test_accessible_assert_property (tile, GTK_ACCESSIBLE_PROPERTY_LABEL, label);

  /* A click on the tile's button acknowledges it as the window's user. */
  g_assert_true (gtk_widget_is_sensitive (ack_button));
  g_signal_emit_by_name (ack_button, "clicked");
  wait_for (&f, acknowledged_cb, GUINT_TO_POINTER (index), "the acknowledgement");

  bed = ward_snapshot_get_bed (f.last, index);
  g_assert_cmpint (bed->flag_id, ==, flag_id);
  g_assert_cmpstr (bed->flag_acknowledged_by, ==, "Nurse Test Dashboard");
  g_assert_false (gtk_widget_get_visible (ack_button));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (get_tile_child (tile, "ack_label"))), ==,
                   "Accepted by Nurse Test Dashboard");

  /* Stored, with who, in the flags table. */
  by = read_acknowledged_by (f.db_path, flag_id, "clinical");
  g_assert_cmpstr (by, ==, "Nurse Test Dashboard");

  /* Four windows on, the fitted trend of a patient who went from NEWS2
   * about 0 to about 11 in ten minutes is rising, and the tile says so.
   */
  wait_for (&f, has_trend_cb, GUINT_TO_POINTER (index), "a trend");
  bed = ward_snapshot_get_bed (f.last, index);
  g_test_message ("trend %+.1f points per hour over %u windows", bed->trend.slope, bed->trend.n_points);
  g_assert_cmpint (bed->trend.direction, ==, WARD_TREND_RISING);
  g_assert_true (gtk_widget_get_visible (get_tile_child (tile, "trend_image")));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (get_tile_child (tile, "trend_image"))), ==,
                   "go-up-symbolic");

  stop (&f);
}

static gboolean
has_technical_alarm_cb (Fixture  *f,
                        gpointer  data)
{
  WardAlarmBar *bar = _ward_window_get_alarm_bar (f->window);

  if (f->last == NULL || _ward_window_has_pending_snapshot (f->window))
    return FALSE;

  for (guint i = 0; i < ward_alarm_bar_get_n_alarms (bar); i++)
    {
      if (g_str_has_suffix (_ward_alarm_bar_get_entry_text (_ward_alarm_bar_get_entry (bar, i)),
                            "device silent"))
        return TRUE;
    }

  return FALSE;
}

static gboolean
technical_acknowledged_cb (Fixture  *f,
                           gpointer  data)
{
  if (f->last == NULL || _ward_window_has_pending_snapshot (f->window))
    return FALSE;

  return ward_snapshot_get_bed (f->last, 1)->technical_alert_acknowledged_by != NULL;
}

/* A silent monitor is a low-priority technical alarm in the bar; it can
 * be acknowledged from there, and the store keeps who did.
 */
static void
test_dashboard_technical (void)
{
  static const char * const scenarios[] = { "stable", "silent-early", NULL };
  Fixture f = { 0 };
  g_autofree char *by = NULL;
  const WardBedState *bed;
  WardAlarmBar *bar;
  GtkWidget *entry;
  GtkWidget *ack_button;
  gint64 flag_id;

  /* A minute of the ward every second. */
  start (&f, 2, 60, scenarios);
  wait_for (&f, has_technical_alarm_cb, NULL, "a technical alarm");

  bed = ward_snapshot_get_bed (f.last, 1);
  g_assert_true (bed->technical_alert);
  flag_id = bed->technical_alert_id;
  g_assert_cmpint (flag_id, >, 0);

  bar = _ward_window_get_alarm_bar (f.window);
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, 1);
  entry = _ward_alarm_bar_get_entry (bar, 0);
  g_assert_true (g_str_has_prefix (_ward_alarm_bar_get_entry_text (entry), "* Bed 2 · "));
  g_assert_true (gtk_widget_has_css_class (entry, "alarm-low"));
  g_assert_false (gtk_widget_has_css_class (entry, "flashing"));

  ack_button = _ward_alarm_bar_get_entry_ack_button (entry);
  g_assert_true (gtk_widget_get_visible (ack_button));
  g_signal_emit_by_name (ack_button, "clicked");
  wait_for (&f, technical_acknowledged_cb, NULL, "the acknowledgement");

  g_assert_cmpstr (ward_snapshot_get_bed (f.last, 1)->technical_alert_acknowledged_by, ==,
                   "Nurse Test Dashboard");
  g_assert_false (gtk_widget_get_visible (ack_button));
  by = read_acknowledged_by (f.db_path, flag_id, "technical");
  g_assert_cmpstr (by, ==, "Nurse Test Dashboard");

  stop (&f);
}

static gboolean
simulated_until_cb (Fixture  *f,
                    gpointer  data)
{
  const gint64 *until = data;

  return f->last != NULL && ward_snapshot_get_now (f->last) >= *until &&
         !_ward_window_has_pending_snapshot (f->window);
}

/* 64 beds as fast as the pipeline goes, under fatal criticals: the window
 * keeps up by showing the newest snapshot once per frame.
 */
static void
test_dashboard_64_beds (void)
{
  Fixture f = { 0 };
  gint64 until = START + 20 * WARD_USEC_PER_MINUTE;
  GdkFrameClock *clock;
  gint64 first_frame;
  guint64 n_received, n_applied;
  gint64 max_usec, total_usec;
  gint64 frames;

  /* Two simulated minutes every second: 64 monitors at 24 times the
   * rate of one message per second per parameter from 32 beds.
   */
  start (&f, 64, 120, NULL);
  wait_for (&f, has_beds_cb, NULL, "the first snapshot");
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (f.window));
  first_frame = gdk_frame_clock_get_frame_counter (clock);

  /* Sorting by bed and back, and the filter, while snapshots arrive. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.toggle-sort", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.toggle-my-patient", "s",
                                             ward_snapshot_get_bed (f.last, 5)->patient_id));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.my-patients-only", NULL));

  wait_for (&f, simulated_until_cb, &until, "20 simulated minutes");

  g_assert_cmpuint (_ward_window_get_n_shown (f.window, NULL, 0), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.my-patients-only", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.toggle-sort", NULL));
  g_assert_cmpuint (_ward_window_get_n_shown (f.window, NULL, 0), ==, 64);

  _ward_window_get_stats (f.window, &n_received, &n_applied, &max_usec, &total_usec);
  frames = gdk_frame_clock_get_frame_counter (clock) - first_frame;
  g_test_message ("64 beds: %" G_GUINT64_FORMAT " snapshots received, %" G_GUINT64_FORMAT
                  " applied over %" G_GINT64_FORMAT " frames; applying took %.2f ms on average, "
                  "%.2f ms at most",
                  n_received, n_applied, frames,
                  n_applied > 0 ? total_usec / 1000.0 / n_applied : 0.0, max_usec / 1000.0);

  /* Never more than one per frame, and never a backlog. */
  g_assert_cmpuint (n_applied, >, 0);
  g_assert_cmpuint (n_applied, <=, n_received);
  g_assert_cmpint ((gint64) n_applied, <=, frames + 2);

  {
    g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);

    g_settings_reset (settings, "my-patients");
    g_settings_reset (settings, "my-patients-only");
    g_settings_reset (settings, "board-sort");
  }

  stop (&f);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/dashboard/tiles", test_dashboard_tiles);
  g_test_add_func ("/ui/dashboard/flag", test_dashboard_flag);
  g_test_add_func ("/ui/dashboard/technical", test_dashboard_technical);
  g_test_add_func ("/ui/dashboard/64-beds", test_dashboard_64_beds);

  return g_test_run ();
}
