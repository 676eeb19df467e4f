/* ward-screenshot.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Makes the README's screenshots from a demo run: the real application
 * (WardApplication, as `wardwatch --demo` starts it) on a simulated ward
 * with a fixed seed, start time and ward plan, run fast until a few
 * simulated hours have passed, then the pipeline is stopped so that the
 * picture holds still, and the window is rendered to PNG with its own GSK
 * renderer: once the ward board, once the patient view of the most
 * deteriorated patient.  No screen grab: it needs a display to realize
 * the window (build-aux/screenshots.sh runs it under xvfb-run), nothing
 * else.
 */

#define G_LOG_DOMAIN "ward-screenshot"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "ward-application.h"
#include "ward-i18n.h"
#include "ward-patient-view.h"
#include "ward-pipeline.h"
#include "ward-window.h"
#include "ward-window-private.h"

/* 2026-11-22T07:00:00Z: a fixed start, so the simulated clock in the
 * header and the charts' time axes are the same in every run.
 */
#define START_USEC (G_GINT64_CONSTANT (1795330800) * G_USEC_PER_SEC)

/* Who acknowledges in the picture, rather than whoever made it. */
#define USER "Nurse K. Osei"

typedef struct
{
  /* Options */
  char             *output_dir;
  char            **scenario_dirs;
  int               n_beds;
  int               seed;
  int               minutes;
  double            time_scale;
  int               width;
  int               height;
  double            settle;
  gboolean          acknowledge;
  gboolean          wall_board;
  gboolean          preferences;

  /* Run */
  WardApplication  *app;
  WardWindow       *window;       /* weak */
  int               status;
} Shots;

/* Stable, deteriorating (high), a chest infection (medium), COPD on
 * scale 2, recovering and a monitor that has gone silent shortly before
 * the pictures are taken: every state a tile can be in, with a mix of
 * bands.  chest-infection and silent-monitor are in
 * docs/screenshots/scenarios/.
 */
static const char *ward_plan[] = {
  "stable", "sepsis", "stable", "type2-respiratory-failure",
  "chest-infection", "recovery", "stable", "silent-monitor",
  NULL
};

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until check() says so (FALSE after seconds), or,
 * without a check, for seconds.  A short timer asks check() again even
 * when nothing else wakes the loop: the pipeline's clock runs on its own
 * thread.
 */
static gboolean
wait_until (gboolean (*check) (gpointer data),
            gpointer   data,
            double     seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint wake = g_timeout_add (10, wake_cb, NULL);
  gboolean done = FALSE;

  while (!(done = (check != NULL && check (data))) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake);

  return check == NULL || done;
}

typedef struct
{
  guint ticks;
  guint wanted;
} Frames;

static gboolean
count_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  Frames *frames = user_data;

  frames->ticks++;

  return G_SOURCE_CONTINUE;
}

static gboolean
frames_done (gpointer data)
{
  Frames *frames = data;

  return frames->ticks >= frames->wanted;
}

/* Lets the window go through n more frames, so that whatever the last
 * change queued (allocation, chart redraws) has been laid out and painted.
 */
static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  Frames frames = { 0, n };
  guint id = gtk_widget_add_tick_callback (widget, count_tick_cb, &frames, NULL);

  if (!wait_until (frames_done, &frames, 10))
    g_printerr ("ward-screenshot: the window drew %u frames in 10 s, not %u\n", frames.ticks, n);

  gtk_widget_remove_tick_callback (widget, id);
}

/* The default size is the size of the surface, which may include the
 * frame drawn around the window: make the window itself width × height.
 */
static void
fit_size (Shots *shots)
{
  GtkWidget *widget = GTK_WIDGET (shots->window);
  int dw, dh;

  wait_frames (widget, 3);
  dw = shots->width - gtk_widget_get_width (widget);
  dh = shots->height - gtk_widget_get_height (widget);
  if (dw == 0 && dh == 0)
    return;

  gtk_window_set_default_size (GTK_WINDOW (widget), shots->width + dw, shots->height + dh);
  wait_frames (widget, 3);
}

static gboolean
save_png (GtkWidget   *widget,
          const char  *path,
          GError     **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  /* Without a window manager (Xvfb) the window never gets the focus and
   * would be drawn in its faded backdrop state.
   */
  if (gtk_widget_get_state_flags (widget) & GTK_STATE_FLAG_BACKDROP)
    {
      gtk_widget_unset_state_flags (widget, GTK_STATE_FLAG_BACKDROP);
      wait_frames (widget, 3);
    }

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL || renderer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: nothing to render", path);
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: could not write the PNG", path);
      return FALSE;
    }

  printf ("ward-screenshot: wrote %s (%dx%d)\n", path, width, height);

  return TRUE;
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
patient_view_shown (gpointer data)
{
  Shots *shots = data;
  GtkWidget *view;

  if (shots->window == NULL)
    return TRUE;

  view = find_widget (GTK_WIDGET (shots->window), WARD_TYPE_PATIENT_VIEW);

  return view != NULL && gtk_widget_get_mapped (view);
}

/* TRUE while the patient view says it is loading, where it has such a
 * property; views without one count as loaded.
 */
static gboolean
patient_view_loaded (gpointer data)
{
  Shots *shots = data;
  GtkWidget *view;
  gboolean loading = FALSE;

  if (shots->window == NULL)
    return TRUE;

  view = find_widget (GTK_WIDGET (shots->window), WARD_TYPE_PATIENT_VIEW);
  if (view == NULL || !gtk_widget_get_mapped (view))
    return FALSE;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (view), "loading") != NULL)
    g_object_get (view, "loading", &loading, NULL);

  return !loading;
}

typedef struct
{
  WardPipeline *pipeline;
  gint64        target;
} ClockWait;

/* The snapshot's time, not the pipeline's clock: when the ward is
 * behind its clock, the last tick of the stop would catch up to the clock
 * and overshoot the target.
 */
static gboolean
clock_reached (gpointer data)
{
  ClockWait *wait = data;
  g_autoptr(WardSnapshot) snapshot = ward_pipeline_get_snapshot (wait->pipeline);

  return snapshot != NULL && ward_snapshot_get_now (snapshot) >= wait->target;
}

static gboolean
has_pipeline (gpointer data)
{
  Shots *shots = data;

  return shots->window != NULL && ward_window_get_pipeline (shots->window) != NULL;
}

static void
acknowledge_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  guint *pending = user_data;
  g_autoptr(GError) error = NULL;

  if (!ward_pipeline_command_finish (WARD_PIPELINE (object), result, &error))
    g_printerr ("ward-screenshot: acknowledge: %s\n", error->message);
  (*pending)--;
}

static gboolean
none_pending (gpointer data)
{
  return *(guint *) data == 0;
}

/* The patient the patient view shows: an open flag in the highest band,
 * the first such bed.  Bands rather than totals, and bed order rather than
 * the board's, so that the choice does not hang on a point of noise at
 * the moment it is made.
 */
static const WardBedState *
choose_patient (WardSnapshot *snapshot)
{
  const WardBedState *best = NULL;

  for (guint i = 0; i < ward_snapshot_get_n_beds (snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);

      if (!bed->has_score || bed->patient_id == NULL)
        continue;
      if (best == NULL ||
          (bed->flag_state == WARD_FLAG_STATE_OPEN) > (best->flag_state == WARD_FLAG_STATE_OPEN) ||
          ((bed->flag_state == WARD_FLAG_STATE_OPEN) == (best->flag_state == WARD_FLAG_STATE_OPEN) &&
           bed->score_band > best->score_band))
        best = bed;
    }

  return best;
}

static gboolean
fail (Shots      *shots,
      const char *message)
{
  g_printerr ("ward-screenshot: %s\n", message);
  shots->status = EXIT_FAILURE;
  g_action_group_activate_action (G_ACTION_GROUP (shots->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

/* Each page of the preferences, at the window's size: the words a
 * translation makes longer show there first.
 */
static gboolean
save_preferences (Shots   *shots,
                  GError **error)
{
  static const char * const pages[] = { "sources", "mappings", "policy", "retention", "privacy" };
  GtkWidget *prefs = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (shots->app), "preferences", NULL);
  /* Not one of the application's windows: a transient of the main one. */
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_PREFERENCES_WINDOW (l->data))
        prefs = l->data;
  }
  if (prefs == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "the preferences window did not open");
      return FALSE;
    }

  gtk_window_set_default_size (GTK_WINDOW (prefs), shots->width, shots->height);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("preferences-%s.png", pages[i]);
      g_autofree char *path = g_build_filename (shots->output_dir, name, NULL);

      adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), pages[i]);
      wait_until (NULL, NULL, shots->settle / 2);
      wait_frames (prefs, 5);
      if (!save_png (prefs, path, error))
        return FALSE;
    }
  gtk_window_close (GTK_WINDOW (prefs));

  return TRUE;
}

static gboolean
run_cb (gpointer user_data)
{
  Shots *shots = user_data;
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *board_png = NULL;
  g_autofree char *patient_png = NULL;
  g_autofree char *patient_id = NULL;
  const WardBedState *patient;
  WardPipeline *pipeline;
  ClockWait clock = { 0 };
  guint pending = 0;

  if (!wait_until (has_pipeline, shots, 30))
    return fail (shots, "the pipeline did not start");

  /* Hidden while the ward runs fast: a window that is not drawn applies
   * no snapshots, and the pipeline thread gets the CPU, which keeps its
   * clock from running ahead of what it has processed.
   */
  gtk_widget_set_visible (GTK_WIDGET (shots->window), FALSE);

  pipeline = ward_window_get_pipeline (shots->window);
  clock.pipeline = pipeline;
  clock.target = START_USEC + (gint64) shots->minutes * 60 * G_USEC_PER_SEC;
  printf ("ward-screenshot: simulating %d minutes of %d beds at %.0fx\n",
          shots->minutes, shots->n_beds, shots->time_scale);
  /* Every open flag but the most deteriorated patient's is acknowledged a
   * few simulated minutes before the pictures, so that the board shows both
   * states and the stop is not held up by the command.
   */
  clock.target -= (gint64) MIN (5, shots->minutes / 2) * 60 * G_USEC_PER_SEC;
  if (!wait_until (clock_reached, &clock, 30 + 3 * shots->minutes * 60 / shots->time_scale))
    return fail (shots, "the simulated ward fell behind");

  snapshot = ward_pipeline_get_snapshot (pipeline);
  patient = choose_patient (snapshot);
  if (patient == NULL)
    return fail (shots, "no scored patient on the ward");
  patient_id = g_strdup (patient->patient_id);

  for (guint i = 0; shots->acknowledge && i < ward_snapshot_get_n_beds (snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);

      if (bed == patient || bed->flag_state != WARD_FLAG_STATE_OPEN || bed->flag_id == 0 ||
          bed->flag_acknowledged_by != NULL)
        continue;

      pending++;
      ward_pipeline_acknowledge_async (pipeline, bed->flag_id, USER, NULL,
                                       acknowledge_done_cb, &pending);
    }
  if (!wait_until (none_pending, &pending, 120))
    return fail (shots, "acknowledging the flags took too long");
  g_debug ("Flags acknowledged; the pipeline's clock is %.1f min before the target",
           (clock.target - ward_pipeline_get_now (pipeline)) / (60.0 * G_USEC_PER_SEC));

  clock.target = START_USEC + (gint64) shots->minutes * 60 * G_USEC_PER_SEC;
  if (!wait_until (clock_reached, &clock, 60))
    return fail (shots, "the simulated ward fell behind");
  g_debug ("Target reached; the pipeline's clock is %.1f min ahead",
           (ward_pipeline_get_now (pipeline) - clock.target) / (60.0 * G_USEC_PER_SEC));

  /* From here on the picture holds still.  The stop drops the delivery of
   * the last tick's snapshot, so the window is given it here.
   */
  ward_pipeline_stop (pipeline);
  g_clear_pointer (&snapshot, ward_snapshot_unref);
  snapshot = ward_pipeline_get_snapshot (pipeline);
  ward_window_apply_snapshot (shots->window, snapshot);
  printf ("ward-screenshot: stopped %.1f simulated minutes after the start\n",
          (ward_snapshot_get_now (snapshot) - START_USEC) / (60.0 * G_USEC_PER_SEC));
  if (ward_snapshot_get_now (snapshot) - clock.target > 5 * WARD_USEC_PER_MINUTE)
    return fail (shots, "the ward ran more than 5 simulated minutes past the target: the "
                        "machine is too busy for this --time-scale");

  gtk_window_present (GTK_WINDOW (shots->window));
  fit_size (shots);

  wait_until (NULL, NULL, shots->settle / 2);
  wait_frames (GTK_WIDGET (shots->window), 5);

  /* The wall board is a picture of its own, the board alone. */
  board_png = g_build_filename (shots->output_dir,
                                shots->wall_board ? "wall-board.png" : "ward-board.png", NULL);
  if (!save_png (GTK_WIDGET (shots->window), board_png, &error))
    return fail (shots, error->message);
  if (shots->wall_board)
    {
      g_action_group_activate_action (G_ACTION_GROUP (shots->app), "quit", NULL);
      return G_SOURCE_REMOVE;
    }

  /* The care-team view and the handover dialog, over the board. */
  {
    g_autofree char *care_png = g_build_filename (shots->output_dir, "care-team.png", NULL);
    g_autofree char *handover_png = g_build_filename (shots->output_dir, "handover.png", NULL);
    GtkWidget *other;

    gtk_widget_activate_action (GTK_WIDGET (shots->window), "win.care-team", NULL);
    other = GTK_WIDGET (_ward_window_get_care_view (shots->window));
    gtk_window_set_default_size (GTK_WINDOW (other), MIN (shots->width, 1100), MIN (shots->height, 700));
    wait_until (NULL, NULL, shots->settle / 2);
    wait_frames (other, 5);
    if (!save_png (other, care_png, &error))
      return fail (shots, error->message);
    gtk_window_close (GTK_WINDOW (other));

    gtk_widget_activate_action (GTK_WIDGET (shots->window), "win.handover", NULL);
    other = GTK_WIDGET (_ward_window_get_handover (shots->window));
    gtk_window_set_default_size (GTK_WINDOW (other), MIN (shots->width, 900), MIN (shots->height, 720));
    wait_until (NULL, NULL, shots->settle / 2);
    wait_frames (other, 5);
    if (!save_png (other, handover_png, &error))
      return fail (shots, error->message);
    gtk_window_close (GTK_WINDOW (other));
  }

  if (shots->preferences && !save_preferences (shots, &error))
    return fail (shots, error->message);

  printf ("ward-screenshot: patient view of %s\n", patient_id);
  ward_window_open_patient (shots->window, patient_id);
  if (!wait_until (patient_view_shown, shots, 5))
    g_printerr ("ward-screenshot: the window did not show a patient view\n");
  else if (!wait_until (patient_view_loaded, shots, 30))
    g_printerr ("ward-screenshot: the patient view did not finish loading in 30 s\n");

  /* History arrives off the main thread and the charts draw after it. */
  wait_until (NULL, NULL, shots->settle);
  wait_frames (GTK_WIDGET (shots->window), 5);

  patient_png = g_build_filename (shots->output_dir, "patient-view.png", NULL);
  if (!save_png (GTK_WIDGET (shots->window), patient_png, &error))
    return fail (shots, error->message);

  g_action_group_activate_action (G_ACTION_GROUP (shots->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Shots          *shots)
{
  if (!WARD_IS_WINDOW (window) || shots->window != NULL)
    return;

  g_set_weak_pointer (&shots->window, WARD_WINDOW (window));
  /* Before the application sets its own user: the patient view fills in
   * the first one it is given.
   */
  ward_window_set_user (shots->window, USER);
  /* A flashing alarm would be caught at whatever phase the frame fell on. */
  g_object_set (gtk_widget_get_settings (GTK_WIDGET (window)), "gtk-enable-animations", FALSE, NULL);
  gtk_window_set_default_size (window, shots->width, shots->height);
  gtk_window_unmaximize (window);
}

static void
activate_cb (GApplication *app,
             Shots        *shots)
{
  /* The application's own activate has run: window up, pipeline started. */
  g_idle_add (run_cb, shots);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  Shots shots = {
    .n_beds = 16,
    .seed = 11,
    .minutes = 320,
    .time_scale = 240,
    .width = 1600,
    .height = 1000,
    .settle = 3,
    .acknowledge = TRUE,
  };
  gboolean no_acknowledge = FALSE;
  const GOptionEntry entries[] = {
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &shots.output_dir,
      "Where the PNGs go (default: the current folder)", "DIR" },
    { "scenario-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &shots.scenario_dirs,
      "Scenario folder (repeatable); the ward plan needs docs/screenshots/scenarios", "DIR" },
    { "beds", 0, 0, G_OPTION_ARG_INT, &shots.n_beds, "Beds (16)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &shots.seed, "Simulator seed (11)", "N" },
    { "minutes", 0, 0, G_OPTION_ARG_INT, &shots.minutes, "Simulated minutes (320)", "N" },
    { "time-scale", 0, 0, G_OPTION_ARG_DOUBLE, &shots.time_scale,
      "Simulated seconds per second (240)", "X" },
    { "width", 0, 0, G_OPTION_ARG_INT, &shots.width, "Window width (1600)", "PX" },
    { "height", 0, 0, G_OPTION_ARG_INT, &shots.height, "Window height (1000)", "PX" },
    { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &shots.settle,
      "Seconds to let a view settle before it is rendered (3)", "S" },
    { "wall-board", 0, 0, G_OPTION_ARG_NONE, &shots.wall_board,
      "Only the board, in wall density, as wall-board.png", NULL },
    { "preferences", 0, 0, G_OPTION_ARG_NONE, &shots.preferences,
      "Also each page of the preferences, as preferences-PAGE.png", NULL },
    { "no-acknowledge", 0, 0, G_OPTION_ARG_NONE, &no_acknowledge,
      "Leave every flag unacknowledged", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_dir = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  char *app_argv[] = { argv[0], NULL };

  /* The picture must not depend on where or by whom it is made: UTC for
   * the simulated clock, and settings in memory so that the user's own
   * (window size, patient names) neither show nor change.
   */
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* The translations of LANGUAGE, from WARDWATCH_LOCALEDIR when it is set
   * (build-aux/screenshots.sh sets it to the build's po/), as wardwatch
   * itself does; without LANGUAGE, in C.UTF-8, the pictures are English.
   */
  ward_i18n_init ();

  context = g_option_context_new ("- make the README's screenshots from a demo run");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ward-screenshot: %s\n", error->message);
      return EXIT_FAILURE;
    }
  shots.acknowledge = !no_acknowledge;
  if (shots.output_dir == NULL)
    shots.output_dir = g_strdup (".");
  if (shots.n_beds < 1 || shots.minutes < 1 || shots.time_scale <= 0 || shots.width < 320 ||
      shots.height < 240)
    {
      g_printerr ("ward-screenshot: bad option value\n");
      return EXIT_FAILURE;
    }

  tmp_dir = g_dir_make_tmp ("ward-screenshot-XXXXXX", &error);
  if (tmp_dir == NULL)
    {
      g_printerr ("ward-screenshot: %s\n", error->message);
      return EXIT_FAILURE;
    }

  ward_pipeline_config_init (&config);
  config.db_path = g_build_filename (tmp_dir, "demo.db", NULL);
  config.demo = TRUE;
  config.simulate = TRUE;
  config.n_beds = shots.n_beds;
  config.seed = shots.seed;
  config.time_scale = shots.time_scale;
  config.start_usec = START_USEC;
  config.scenarios = g_strdupv ((char **) ward_plan);
  config.scenario_dirs = g_strdupv (shots.scenario_dirs);
  /* Ticks of 100 ms: each costs a transaction and a snapshot, and at the
   * default time scale a tick is still under half a simulated minute.
   */
  config.tick_msec = 100;

  adw_init ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);

  shots.app = ward_application_new (&config, NULL);
  g_application_set_flags (G_APPLICATION (shots.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect (shots.app, "window-added", G_CALLBACK (window_added_cb), &shots);
  if (shots.wall_board)
    ward_application_set_board_density (shots.app, WARD_BOARD_DENSITY_WALL);
  g_signal_connect_after (shots.app, "activate", G_CALLBACK (activate_cb), &shots);

  if (g_application_run (G_APPLICATION (shots.app), 1, app_argv) != 0 &&
      shots.status == EXIT_SUCCESS)
    shots.status = EXIT_FAILURE;

  g_clear_weak_pointer (&shots.window);
  g_clear_object (&shots.app);
  remove_dir (tmp_dir);
  g_free (shots.output_dir);
  g_strfreev (shots.scenario_dirs);

  return shots.status;
}
