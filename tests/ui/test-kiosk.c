/* test-kiosk.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-kiosk"

#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xatom.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "ward-application.h"
#include "ward-kiosk.h"
#include "ward-kiosk-private.h"
#include "ward-palette.h"
#include "ward-store-private.h"
#include "ward-switch-user.h"
#include "ward-window.h"

/* The ward kiosk as a nurse and the kiosk session meet it: the real
 * application in demo mode under Xvfb, with the demo staff, a real store
 * and the test's own clock for the lockout and the auto-lock.  Each case
 * runs in a process of its own (one GApplication run each).
 */

#define SEC G_GINT64_CONSTANT (1000000)
#define MINUTE (60 * SEC)

typedef struct
{
  char            *dir;
  char            *db;
  WardApplication *app;
  WardSession     *session;
  gint64           now;
  gboolean         done;      /* the case reached its end inside the run */
} Fixture;

static gint64
test_clock (gpointer user_data)
{
  Fixture *f = user_data;

  return f->now;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static GtkWidget *
find_by_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

static void
type_pin (WardKioskPin *dialog,
          const char   *staff_id,
          const char   *pin)
{
  GtkWidget *row = find_by_type (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);

  g_assert_nonnull (row);
  ward_kiosk_pin_select (dialog, staff_id);
  gtk_editable_set_text (GTK_EDITABLE (row), pin);
  /* Enter in the PIN field, as the Unlock button. */
  g_signal_emit_by_name (row, "entry-activated");
}

static void
fixture_set_up (Fixture *f)
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardStaff) staff = NULL;
  g_autoptr(GError) error = NULL;

  /* The restart case's runs share one store. */
  if (g_getenv ("WARD_TEST_KIOSK_DIR") != NULL)
    f->dir = g_strdup (g_getenv ("WARD_TEST_KIOSK_DIR"));
  else
    f->dir = g_dir_make_tmp ("ward-kiosk-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "ward.db", NULL);
  f->now = 1000 * SEC;

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->db);
  config.demo = TRUE;
  config.simulate = TRUE;
  config.n_beds = 4;
  config.seed = 3;

  /* As main.c makes it for --kiosk: a station, nobody signed in. */
  staff = ward_staff_new_demo (&error);
  g_assert_no_error (error);
  f->session = ward_session_new (staff, f->db, TRUE);

  f->app = ward_application_new (&config, NULL);
  g_application_set_flags (G_APPLICATION (f->app), G_APPLICATION_NON_UNIQUE);
  ward_application_set_session (f->app, f->session);
  ward_application_set_kiosk (f->app, TRUE);
}

/* How many events of kind by actor the store holds. */
static gint64
count_events (Fixture    *f,
              const char *kind,
              const char *actor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open_readonly (f->db, &error);
  sqlite3_stmt *statement = NULL;
  gint64 count = -1;
  char *sql;

  g_assert_no_error (error);
  sql = sqlite3_mprintf ("SELECT count(*) FROM events WHERE kind = %Q AND actor = %Q", kind, actor);
  g_assert_cmpint (sqlite3_prepare_v2 (_ward_store_get_db (store), sql, -1, &statement, NULL), ==,
                   SQLITE_OK);
  if (sqlite3_step (statement) == SQLITE_ROW)
    count = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);
  sqlite3_free (sql);

  return count;
}

static void
fixture_tear_down (Fixture *f)
{
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->db, "-shm", NULL);

  g_clear_object (&f->app);
  g_clear_object (&f->session);
  if (g_getenv ("WARD_TEST_KIOSK_DIR") != NULL)
    {
      g_free (f->db);
      g_free (f->dir);
      return;
    }
  g_unlink (f->db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->dir);
}

static gboolean
too_long_cb (gpointer user_data)
{
  g_error ("The kiosk test did not end within its time");
  return G_SOURCE_REMOVE;
}

static WardKiosk *
get_kiosk (Fixture *f)
{
  WardKiosk *kiosk = ward_application_get_kiosk (f->app);

  g_assert_true (WARD_IS_KIOSK (kiosk));
  _ward_kiosk_set_clock (kiosk, test_clock, f);
  return kiosk;
}

/* Closing, Ctrl+Q and app.quit ask for a PIN; five wrong ones lock the
 * prompt for a minute, counted down; after it the right PIN quits.
 */
static gboolean
quit_case_cb (gpointer user_data)
{
  Fixture *f = user_data;
  WardKiosk *kiosk = get_kiosk (f);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));
  g_auto(GStrv) accels = NULL;
  WardKioskPin *dialog;
  GtkWidget *row;

  g_assert_true (WARD_IS_WINDOW (window));
  /* Full screen from the start, and nobody signed in: Locked. */
  g_assert_true (gtk_window_is_fullscreen (window));
  g_assert_true (ward_kiosk_get_locked (kiosk));
  g_assert_cmpstr (_ward_kiosk_get_status_text (kiosk), ==, "Locked");

  /* Alt+F4 and the title bar close through close-request. */
  gtk_window_close (window);
  spin (100);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  dialog = _ward_kiosk_get_pin_dialog (kiosk);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  /* Cancel: nothing closes. */
  gtk_window_close (GTK_WINDOW (dialog));
  spin (100);
  g_assert_null (_ward_kiosk_get_pin_dialog (kiosk));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  /* Ctrl+Q is app.quit, which asks too. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "app.quit");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>q"));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  spin (100);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  dialog = _ward_kiosk_get_pin_dialog (kiosk);
  g_assert_nonnull (dialog);

  /* F11 asks for the PIN to leave full screen, and stays full screen. */
  gtk_widget_activate_action (GTK_WIDGET (window), "kiosk.toggle-fullscreen", NULL);
  g_assert_true (gtk_window_is_fullscreen (window));
  g_assert_true (_ward_kiosk_get_pin_dialog (kiosk) == dialog);
  /* Back to quitting. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);

  row = find_by_type (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);
  for (guint i = 1; i < WARD_KIOSK_MAX_FAILURES; i++)
    {
      type_pin (dialog, "ada.nwosu", "0000");
      g_assert_nonnull (strstr (ward_kiosk_pin_get_error (dialog), "Wrong PIN"));
      /* The wrong PIN does not stay in the field. */
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
    }
  type_pin (dialog, "ben.carter", "0000");
  g_assert_nonnull (strstr (ward_kiosk_pin_get_error (dialog), "waits 60 seconds"));

  /* The countdown, on the clock. */
  f->now += 18 * SEC;
  ward_kiosk_pin_update (dialog);
  g_assert_cmpstr (ward_kiosk_pin_get_error (dialog), ==,
                   "Too many wrong PINs. Try again in 42 seconds.");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Too many wrong PINs. Try again in 42 seconds.");
  /* Even the right PIN does nothing while locked. */
  type_pin (dialog, "ada.nwosu", "1111");
  g_assert_nonnull (strstr (ward_kiosk_pin_get_error (dialog), "Try again in 42 seconds"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  spin (50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_false (ward_kiosk_allows_quit (kiosk));

  /* The minute is over: the prompt opens, and the right PIN quits. */
  f->now += 42 * SEC;
  ward_kiosk_pin_update (dialog);
  g_assert_null (ward_kiosk_pin_get_error (dialog));
  f->done = TRUE;
  type_pin (dialog, "ada.nwosu", "1111");
  g_assert_true (ward_kiosk_allows_quit (kiosk));

  return G_SOURCE_REMOVE;
}

/* Who quit is on the audit trail; the wrong PINs let nobody out. */
static void
quit_case_after (Fixture *f)
{
  g_assert_cmpint (count_events (f, "kiosk-quit", "ada.nwosu"), ==, 1);
  g_assert_cmpint (count_events (f, "kiosk-quit", "ben.carter"), ==, 0);
  g_assert_cmpint (count_events (f, "kiosk-close", "ada.nwosu"), ==, 0);
}

/* A signed-in nurse is signed out after five minutes without input; the
 * board stays, and a clinical action then asks for a PIN.  SIGTERM from
 * the kiosk session still quits, without a PIN.
 */
static gboolean
auto_lock_case_cb (gpointer user_data)
{
  Fixture *f = user_data;
  WardKiosk *kiosk = get_kiosk (f);
  WardWindow *window = WARD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_session_sign_in (f->session, "ada.nwosu", "1111", &error));
  g_assert_no_error (error);
  g_assert_false (ward_kiosk_get_locked (kiosk));
  g_assert_cmpstr (_ward_kiosk_get_status_text (kiosk), ==, "Ada Nwosu · Bed nurse");
  g_assert_cmpstr (ward_window_get_user (window), ==, "ada.nwosu");

  /* Four minutes idle: still signed in; input then starts the five again. */
  f->now += 4 * MINUTE;
  _ward_kiosk_check_idle (kiosk);
  g_assert_cmpstr (ward_window_get_user (window), ==, "ada.nwosu");
  _ward_kiosk_touch (kiosk);
  f->now += 4 * MINUTE + 59 * SEC;
  _ward_kiosk_check_idle (kiosk);
  g_assert_false (ward_kiosk_get_locked (kiosk));

  f->now += 1 * SEC;
  _ward_kiosk_check_idle (kiosk);
  g_assert_true (ward_kiosk_get_locked (kiosk));
  g_assert_null (ward_window_get_user (window));
  g_assert_cmpstr (_ward_kiosk_get_status_text (kiosk), ==, "Locked");
  /* Locked is not closed: the board is there. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (window)));

  /* A clinical action asks who acts: the PIN dialog. */
  g_assert_null (find_toplevel (WARD_TYPE_SWITCH_USER));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.acknowledge", "x", (gint64) 1);
  spin (100);
  g_assert_nonnull (find_toplevel (WARD_TYPE_SWITCH_USER));
  gtk_window_destroy (find_toplevel (WARD_TYPE_SWITCH_USER));

  /* The session stops the kiosk. */
  f->done = TRUE;
  raise (SIGTERM);

  return G_SOURCE_REMOVE;
}

/* The auto-lock is on the audit trail as an idle sign-out. */
static void
auto_lock_case_after (Fixture *f)
{
  g_assert_cmpint (count_events (f, "staff-sign-out-idle", "ada.nwosu"), ==, 1);
}

/* The palette: night puts the night palette's class on the window. */
static gboolean
palette_case_cb (gpointer user_data)
{
  Fixture *f = user_data;
  WardKiosk *kiosk = get_kiosk (f);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));
  AdwStyleManager *manager = adw_style_manager_get_default ();

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (f->app), "palette"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "night"));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "palette", g_variant_new_string ("night"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "night"));
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "palette", g_variant_new_string ("light"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "night"));
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_FORCE_LIGHT);

  f->done = TRUE;
  ward_kiosk_release (kiosk);
  g_application_quit (G_APPLICATION (f->app));

  return G_SOURCE_REMOVE;
}

/* WCAG 2 relative luminance of "#rrggbb". */
static double
luminance (const char *hex)
{
  double rgb[3];

  g_assert_cmpuint (strlen (hex), ==, 7);
  for (guint i = 0; i < 3; i++)
    {
      char part[3] = { hex[1 + 2 * i], hex[2 + 2 * i], '\0' };
      double c = g_ascii_strtoull (part, NULL, 16) / 255.0;

      rgb[i] = c <= 0.03928 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
    }

  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* Every text and background pair the night palette sets, read from the
 * style sheet the application loads, is at least 4.5:1; and it has no
 * light background.
 */
static void
test_kiosk_night_contrast (void)
{
  static const struct { const char *fg, *bg; } pairs[] = {
    { "night_fg", "night_bg" },
    { "night_fg", "night_surface" },
    { "night_fg", "night_selected" },
    { "night_dim_fg", "night_bg" },
    { "night_dim_fg", "night_surface" },
    { "night_dark_fg", "night_accent_bg" },
    { "night_alarm_high_fg", "night_alarm_high_bg" },
    { "night_alarm_high_fg", "night_alarm_high_dark_bg" },
    { "night_dark_fg", "night_alarm_medium_bg" },
    { "night_dark_fg", "night_alarm_medium_light_bg" },
    { "night_bg", "night_alarm_low_bg" },
    { "night_alarm_high_fg", "night_error_bg" },
    { "night_dark_fg", "night_warning_bg" },
    { "night_rising_fg", "night_surface" },
    { "night_falling_fg", "night_surface" },
  };
  g_autoptr(GBytes) bytes = g_resources_lookup_data ("/io/github/wardwatch/Wardwatch/style.css", 0, NULL);
  g_autoptr(GRegex) define = g_regex_new ("@define-color\\s+(night_[a-z_]+)\\s+(#[0-9a-fA-F]{6})\\s*;",
                                          0, 0, NULL);
  g_autoptr(GHashTable) colours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *css = NULL;

  g_assert_nonnull (bytes);
  css = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_regex_match (define, css, 0, &match);
  while (g_match_info_matches (match))
    {
      g_hash_table_insert (colours, g_match_info_fetch (match, 1), g_match_info_fetch (match, 2));
      g_match_info_next (match, NULL);
    }

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      const char *fg = g_hash_table_lookup (colours, pairs[i].fg);
      const char *bg = g_hash_table_lookup (colours, pairs[i].bg);
      double l1, l2, ratio;

      g_assert_nonnull (fg);
      g_assert_nonnull (bg);
      l1 = luminance (fg);
      l2 = luminance (bg);
      ratio = (MAX (l1, l2) + 0.05) / (MIN (l1, l2) + 0.05);
      g_test_message ("%s on %s: %.2f:1", pairs[i].fg, pairs[i].bg, ratio);
      g_assert_cmpfloat (ratio, >=, 4.5);
    }

  /* The large areas stay dark. */
  g_assert_cmpfloat (luminance (g_hash_table_lookup (colours, "night_bg")), <, 0.01);
  g_assert_cmpfloat (luminance (g_hash_table_lookup (colours, "night_surface")), <, 0.02);
}

/* The prompt's lockout outlives the process: a nurse who kills the
 * kiosk and lets the session restart it (or restarts it herself) meets
 * the same count of wrong PINs and the same wait.  Three runs on one
 * store, as the systemd unit restarts it; the test's clock stands for
 * the wall clock too, and goes on between the runs.
 */
static void
stop_as_session (Fixture   *f,
                 WardKiosk *kiosk)
{
  /* What SIGTERM does: the kiosk is let go, and app.quit quits. */
  f->done = TRUE;
  ward_kiosk_release (kiosk);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
}

static WardKioskPin *
open_prompt (Fixture   *f,
             WardKiosk *kiosk)
{
  WardKioskPin *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  spin (50);
  dialog = _ward_kiosk_get_pin_dialog (kiosk);
  g_assert_nonnull (dialog);
  ward_kiosk_pin_update (dialog);
  return dialog;
}

static gboolean
restart_first_cb (gpointer user_data)
{
  Fixture *f = user_data;
  WardKiosk *kiosk;
  WardKioskPin *dialog;

  f->now = 1000 * SEC;
  kiosk = get_kiosk (f);
  dialog = open_prompt (f, kiosk);
  g_assert_null (ward_kiosk_pin_get_error (dialog));
  for (guint i = 0; i < 3; i++)
    type_pin (dialog, "ada.nwosu", "0000");
  g_assert_cmpstr (ward_kiosk_pin_get_error (dialog), ==,
                   "Wrong PIN. 2 more wrong tries and the kiosk waits a minute.");
  stop_as_session (f, kiosk);

  return G_SOURCE_REMOVE;
}

static gboolean
restart_second_cb (gpointer user_data)
{
  Fixture *f = user_data;
  WardKiosk *kiosk;
  WardKioskPin *dialog;

  /* Ten seconds later: the three wrong PINs still count. */
  f->now = 1010 * SEC;
  kiosk = get_kiosk (f);
  dialog = open_prompt (f, kiosk);
  g_assert_null (ward_kiosk_pin_get_error (dialog));
  type_pin (dialog, "ben.carter", "0000");
  g_assert_cmpstr (ward_kiosk_pin_get_error (dialog), ==,
                   "Wrong PIN. 1 more wrong try and the kiosk waits a minute.");
  type_pin (dialog, "ada.nwosu", "0000");
  g_assert_nonnull (strstr (ward_kiosk_pin_get_error (dialog), "waits 60 seconds"));
  stop_as_session (f, kiosk);

  return G_SOURCE_REMOVE;
}

static gboolean
restart_third_cb (gpointer user_data)
{
  Fixture *f = user_data;
  WardKiosk *kiosk;
  WardKioskPin *dialog;

  /* Restarted 20 s into the minute: 40 s to go, the right PIN refused. */
  f->now = 1030 * SEC;
  kiosk = get_kiosk (f);
  dialog = open_prompt (f, kiosk);
  g_assert_cmpstr (ward_kiosk_pin_get_error (dialog), ==,
                   "Too many wrong PINs. Try again in 40 seconds.");
  type_pin (dialog, "ada.nwosu", "1111");
  g_assert_nonnull (strstr (ward_kiosk_pin_get_error (dialog), "Try again in 40 seconds"));
  spin (50);
  g_assert_false (ward_kiosk_allows_quit (kiosk));

  /* The minute is over: the right PIN quits. */
  f->now += 40 * SEC;
  ward_kiosk_pin_update (dialog);
  g_assert_null (ward_kiosk_pin_get_error (dialog));
  f->done = TRUE;
  type_pin (dialog, "ada.nwosu", "1111");
  g_assert_true (ward_kiosk_allows_quit (kiosk));

  return G_SOURCE_REMOVE;
}

/* Alt+F4 and Ctrl+Q pressed on the X server through XTest, with a real
 * window manager (openbox) running on the test's Xvfb: the window
 * manager's own Close sends WM_DELETE_WINDOW.  Neither closes the kiosk
 * without the PIN; Alt+F4 with it does.
 */
static void
press_keys (const guint *keysyms,
            guint        n_keysyms)
{
  Display *xdisplay = gdk_x11_display_get_xdisplay (gdk_display_get_default ());

  for (guint i = 0; i < n_keysyms; i++)
    XTestFakeKeyEvent (xdisplay, XKeysymToKeycode (xdisplay, keysyms[i]), True, CurrentTime);
  for (guint i = n_keysyms; i > 0; i--)
    XTestFakeKeyEvent (xdisplay, XKeysymToKeycode (xdisplay, keysyms[i - 1]), False, CurrentTime);
  XFlush (xdisplay);
}

static gboolean
window_manager_running (void)
{
  Display *xdisplay = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  Atom check = XInternAtom (xdisplay, "_NET_SUPPORTING_WM_CHECK", False);
  Atom type = None;
  int format = 0;
  unsigned long n_items = 0;
  unsigned long after = 0;
  unsigned char *data = NULL;
  gboolean running;

  if (XGetWindowProperty (xdisplay, DefaultRootWindow (xdisplay), check, 0, 1, False, XA_WINDOW,
                          &type, &format, &n_items, &after, &data) != Success)
    return FALSE;
  running = type == XA_WINDOW && n_items == 1;
  if (data != NULL)
    XFree (data);

  return running;
}

static gboolean
wait_for (gboolean (*predicate) (gpointer),
          gpointer   data,
          guint      ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (predicate (data))
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  return predicate (data);
}

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

static gboolean
has_pin_dialog (gpointer data)
{
  return _ward_kiosk_get_pin_dialog (data) != NULL;
}

static gboolean
window_manager_case_cb (gpointer user_data)
{
  static const guint alt_f4[] = { XK_Alt_L, XK_F4 };
  static const guint ctrl_q[] = { XK_Control_L, XK_q };
  Fixture *f = user_data;
  WardKiosk *kiosk = get_kiosk (f);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));
  WardKioskPin *dialog;

  g_assert_true (WARD_IS_WINDOW (window));
  g_assert_true (wait_for (window_active, window, 10000));
  g_assert_true (gtk_window_is_fullscreen (window));

  /* Alt+F4: the window manager asks the window to close; it asks for a PIN. */
  press_keys (alt_f4, G_N_ELEMENTS (alt_f4));
  g_assert_true (wait_for (has_pin_dialog, kiosk, 5000));
  spin (300);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (gtk_window_is_fullscreen (window));
  gtk_window_close (GTK_WINDOW (_ward_kiosk_get_pin_dialog (kiosk)));
  spin (200);
  g_assert_null (_ward_kiosk_get_pin_dialog (kiosk));
  g_assert_true (wait_for (window_active, window, 5000));

  /* Ctrl+Q: app.quit, which asks too. */
  press_keys (ctrl_q, G_N_ELEMENTS (ctrl_q));
  g_assert_true (wait_for (has_pin_dialog, kiosk, 5000));
  spin (300);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_false (ward_kiosk_allows_quit (kiosk));
  gtk_window_close (GTK_WINDOW (_ward_kiosk_get_pin_dialog (kiosk)));
  spin (200);
  g_assert_true (wait_for (window_active, window, 5000));

  /* Alt+F4 again, and the PIN: the window closes, the application ends. */
  press_keys (alt_f4, G_N_ELEMENTS (alt_f4));
  g_assert_true (wait_for (has_pin_dialog, kiosk, 5000));
  dialog = _ward_kiosk_get_pin_dialog (kiosk);
  f->done = TRUE;
  type_pin (dialog, "ada.nwosu", "1111");

  return G_SOURCE_REMOVE;
}

static void
window_manager_case_after (Fixture *f)
{
  g_assert_cmpint (count_events (f, "kiosk-close", "ada.nwosu"), ==, 1);
  g_assert_cmpint (count_events (f, "kiosk-quit", "ada.nwosu"), ==, 0);
}

static void
activate_cb (GApplication *app,
             gpointer      user_data)
{
  GSourceFunc body = g_object_get_data (G_OBJECT (app), "test-body");

  g_timeout_add (300, body, g_object_get_data (G_OBJECT (app), "test-fixture"));
}

static void
run_case (GSourceFunc  body,
          void       (*after) (Fixture *f))
{
  Fixture f = { 0 };
  guint guard;
  int status;

  fixture_set_up (&f);
  g_object_set_data (G_OBJECT (f.app), "test-body", body);
  g_object_set_data (G_OBJECT (f.app), "test-fixture", &f);
  g_signal_connect_after (f.app, "activate", G_CALLBACK (activate_cb), NULL);
  guard = g_timeout_add_seconds (90, too_long_cb, NULL);

  status = g_application_run (G_APPLICATION (f.app), 0, NULL);

  g_source_remove (guard);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (f.done);
  if (after != NULL)
    after (&f);
  fixture_tear_down (&f);
}

static void
test_kiosk_quit (void)
{
  if (g_test_subprocess ())
    {
      run_case (quit_case_cb, quit_case_after);
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_kiosk_auto_lock (void)
{
  if (g_test_subprocess ())
    {
      run_case (auto_lock_case_cb, auto_lock_case_after);
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_kiosk_palette (void)
{
  if (g_test_subprocess ())
    {
      run_case (palette_case_cb, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_kiosk_window_manager (void)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "openbox", "--sm-disable", NULL };
  GPid pid = 0;

  if (g_test_subprocess ())
    {
      run_case (window_manager_case_cb, window_manager_case_after);
      return;
    }

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("Alt+F4 through a window manager needs an X11 display (GDK_BACKEND=x11)");
      return;
    }
  if (window_manager_running ())
    {
      g_test_skip ("Another window manager runs on this display");
      return;
    }
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL |
                      G_SPAWN_DO_NOT_REAP_CHILD,
                      NULL, NULL, &pid, &error))
    {
      g_autofree char *reason = g_strdup_printf ("openbox cannot start: %s", error->message);

      g_test_skip (reason);
      return;
    }
  for (guint i = 0; i < 100 && !window_manager_running (); i++)
    g_usleep (50 * 1000);
  if (!window_manager_running ())
    {
      kill (pid, SIGTERM);
      g_spawn_close_pid (pid);
      g_test_skip ("openbox did not take the display within 5 s");
      return;
    }

  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  kill (pid, SIGTERM);
  g_spawn_close_pid (pid);
  g_test_trap_assert_passed ();
}

static void
test_kiosk_lockout_restart (void)
{
  static const GSourceFunc runs[] = { restart_first_cb, restart_second_cb, restart_third_cb };
  static const char *files[] = { "ward.db", "ward.db-wal", "ward.db-shm" };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  const char *step = g_getenv ("WARD_TEST_KIOSK_STEP");

  if (g_test_subprocess ())
    {
      g_assert_nonnull (step);
      run_case (runs[g_ascii_strtoull (step, NULL, 10) % G_N_ELEMENTS (runs)], NULL);
      return;
    }

  dir = g_dir_make_tmp ("ward-kiosk-restart-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("WARD_TEST_KIOSK_DIR", dir, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", i);

      g_setenv ("WARD_TEST_KIOSK_STEP", number, TRUE);
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
    }
  g_unsetenv ("WARD_TEST_KIOSK_DIR");
  g_unsetenv ("WARD_TEST_KIOSK_STEP");

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/kiosk/quit-needs-pin", test_kiosk_quit);
  g_test_add_func ("/ui/kiosk/auto-lock", test_kiosk_auto_lock);
  g_test_add_func ("/ui/kiosk/palette", test_kiosk_palette);
  g_test_add_func ("/ui/kiosk/night-contrast", test_kiosk_night_contrast);
  g_test_add_func ("/ui/kiosk/lockout-survives-restart", test_kiosk_lockout_restart);
  g_test_add_func ("/ui/kiosk/window-manager-close", test_kiosk_window_manager);

  return g_test_run ();
}
