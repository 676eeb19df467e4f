/* test-watchdog-banner.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-watchdog-banner"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ward-pipeline.h"
#include "ward-pipeline-private.h"
#include "ward-watchdog-banner.h"
#include "ward-window.h"

/* The window's watchdog banner with a real pipeline (a small demo ward)
 * feeding a real window, as the application does.  The limits are made
 * short so that the test does not wait ten seconds; the main-loop limit
 * stays well above what a loaded test machine causes by itself.
 */

#define STALL_USEC  (2 * G_USEC_PER_SEC)

typedef struct
{
  char           *dir;
  WardPipeline   *pipeline;
  WardWindow     *window;
  WardWatchdogBanner *banner;
  guint           snapshots;
} Fixture;

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
  Fixture *f = user_data;

  f->snapshots++;
  if (f->window != NULL)
    ward_window_apply_snapshot (f->window, snapshot);
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
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @shown is what the banner says, or @seconds. */
static gboolean
wait_for_banner (Fixture  *f,
                 gboolean  shown,
                 double    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (ward_watchdog_banner_get_shown (f->banner) != shown &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  return ward_watchdog_banner_get_shown (f->banner) == shown;
}

static void
spin (double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *db_path = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ward-test-watchdog-XXXXXX", NULL);
  db_path = g_build_filename (f->dir, "ward.db", NULL);

  f->window = ward_window_new (NULL);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  ward_window_set_demo (f->window, TRUE);
  gtk_window_present (GTK_WINDOW (f->window));

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db_path);
  config.demo = TRUE;
  config.simulate = TRUE;
  config.n_beds = 2;
  config.seed = 3;
  config.time_scale = 1;
  f->pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f->pipeline, snapshot_cb, f, &error));
  g_assert_no_error (error);

  f->banner = WARD_WATCHDOG_BANNER (find_widget (GTK_WIDGET (f->window),
                                                 WARD_TYPE_WATCHDOG_BANNER));
  g_assert_nonnull (f->banner);
  ward_watchdog_set_limits (ward_watchdog_banner_get_watchdog (f->banner),
                            STALL_USEC, 60 * G_USEC_PER_SEC);
  ward_window_set_pipeline (f->window, f->pipeline);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  ward_pipeline_stop (f->pipeline);
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  spin (0.1);
  g_clear_object (&f->pipeline);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static char *
local_time (gint64 real_usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (real_usec / G_USEC_PER_SEC);

  return g_date_time_format (dt, "%H:%M:%S");
}

/* Snapshots stop reaching the window while the pipeline runs: the banner
 * says since when, and goes once they come again.
 */
static void
test_snapshots_stop (Fixture       *f,
                     gconstpointer  data)
{
  gint64 paused_at;
  const char *title;
  gboolean found = FALSE;

  /* Live: snapshots flow, no banner, for longer than the limit. */
  spin (STALL_USEC * 1.5 / G_USEC_PER_SEC);
  g_assert_cmpuint (f->snapshots, >, 10);
  g_assert_false (ward_watchdog_banner_get_shown (f->banner));

  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE,
                         "Display not updating since *: no snapshot reached the display");
  paused_at = g_get_real_time ();
  _ward_pipeline_set_delivery_paused (f->pipeline, TRUE);
  g_assert_true (wait_for_banner (f, TRUE, 10));
  g_test_assert_expected_messages ();
  /* Not before the limit: the last snapshot came just before the pause. */
  g_assert_cmpint (g_get_real_time () - paused_at, >=, STALL_USEC - 200 * 1000);

  /* "Display not updating since HH:MM:SS", the local time of the last
   * snapshot, which came at most a fraction of a second before the pause.
   */
  title = ward_watchdog_banner_get_title (f->banner);
  for (int back = 0; back <= 1 && !found; back++)
    {
      g_autofree char *when = local_time (paused_at - back * G_USEC_PER_SEC);
      g_autofree char *expected = g_strdup_printf ("Display not updating since %s", when);

      found = g_strcmp0 (title, expected) == 0;
    }
  if (!found)
    g_error ("unexpected banner title: %s", title);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->banner)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->banner), "stalled"));

  /* Data flows again: the banner goes. */
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE, "Display updating again*");
  _ward_pipeline_set_delivery_paused (f->pipeline, FALSE);
  g_assert_true (wait_for_banner (f, FALSE, 5));
  g_test_assert_expected_messages ();
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->banner), "stalled"));
}

/* The window's own main loop blocked for longer than the lateness limit:
 * afterwards the banner names the span the display missed.
 */
static void
test_main_loop_blocked (Fixture       *f,
                        gconstpointer  data)
{
  WardWatchdog *watchdog = ward_watchdog_banner_get_watchdog (f->banner);
  g_autofree char *prefix = NULL;
  const char *title;

  ward_watchdog_set_limits (watchdog, 60 * G_USEC_PER_SEC, G_USEC_PER_SEC);
  spin (1);
  g_assert_false (ward_watchdog_banner_get_shown (f->banner));

  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE,
                         "Display not updating since *: the display's main loop was blocked");
  g_usleep (2500 * 1000);
  g_assert_true (wait_for_banner (f, TRUE, 5));
  g_test_assert_expected_messages ();
  title = ward_watchdog_banner_get_title (f->banner);
  g_assert_true (g_str_has_prefix (title, "Display was not updating from "));
  g_assert_nonnull (strstr (title, " to "));
}

/* Without a pipeline (stopped, or a window that only shows snapshots)
 * nothing is expected and no banner comes.
 */
static void
test_no_pipeline (Fixture       *f,
                  gconstpointer  data)
{
  ward_window_set_pipeline (f->window, NULL);
  _ward_pipeline_set_delivery_paused (f->pipeline, TRUE);
  spin (STALL_USEC * 2.0 / G_USEC_PER_SEC);
  g_assert_false (ward_watchdog_banner_get_shown (f->banner));
}

/* A stopped pipeline (the screenshot tool keeps its last picture) sends
 * nothing and is not waited for.
 */
static void
test_pipeline_stopped (Fixture       *f,
                       gconstpointer  data)
{
  spin (0.5);
  ward_pipeline_stop (f->pipeline);
  spin (STALL_USEC * 2.0 / G_USEC_PER_SEC);
  g_assert_false (ward_watchdog_banner_get_shown (f->banner));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ui/watchdog/snapshots-stop", Fixture, NULL, fixture_set_up, test_snapshots_stop,
              fixture_tear_down);
  g_test_add ("/ui/watchdog/main-loop-blocked", Fixture, NULL, fixture_set_up,
              test_main_loop_blocked, fixture_tear_down);
  g_test_add ("/ui/watchdog/no-pipeline", Fixture, NULL, fixture_set_up, test_no_pipeline,
              fixture_tear_down);
  g_test_add ("/ui/watchdog/pipeline-stopped", Fixture, NULL, fixture_set_up,
              test_pipeline_stopped, fixture_tear_down);

  return g_test_run ();
}
