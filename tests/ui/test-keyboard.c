/* test-keyboard.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-keyboard"

#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>

#include "ward-alarm-bar.h"
#include "ward-bed-tile.h"
#include "ward-patient-view.h"
#include "ward-patient-view-private.h"
#include "ward-snapshot.h"
#include "ward-window.h"
#include "ward-window-private.h"

#include "ward-test-window.h"

/* The window's shortcuts pressed on the keyboard, from each place the
 * focus can be: the board, a focused tile, the alarm bar (which keeps the
 * focus when it opens a patient) and the patient view.  Real key events:
 * XTest presses the keys on the Xvfb server, so they go through GDK and
 * GTK's event propagation as a nurse's keyboard would.
 */

/* 2026-11-22T10:00:00Z */
#define NOW WARD_TEST_NOW

#define NOT_RUNNING "Could not acknowledge the flag: the ward pipeline is not running"

typedef enum {
  FROM_BOARD,
  FROM_TILE,
  FROM_ALARM_BAR,
  FROM_PATIENT_VIEW,
} EntryPath;

static gboolean
is_active_cb (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

static void
add_flagged_bed (GArray *beds)
{
  WardBedState *bed = ward_test_beds_append (beds);

  bed->has_score = TRUE;
  bed->score_total = 8;
  bed->score_band = WARD_BAND_HIGH;
  bed->score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
  bed->score_window_end = NOW;
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->flag_id = 40 + beds->len;
  bed->flag_band = WARD_BAND_HIGH;
  bed->flag_opened_at = NOW - 5 * WARD_USEC_PER_MINUTE;
}

/* A window with two beds whose flags wait for acknowledgement, shown and
 * holding the X input focus. */
static WardWindow *
present_window (void)
{
  WardWindow *window = ward_test_window_present ();
  g_autoptr(GArray) beds = ward_test_beds_new ();
  g_autoptr(WardSnapshot) snapshot = NULL;

  add_flagged_bed (beds);
  add_flagged_bed (beds);
  snapshot = ward_test_snapshot_new (beds, NOW, 1);

  ward_test_window_apply (window, snapshot);
  ward_test_wait_until (is_active_cb, window, "the window to have the focus");

  return window;
}

static void
press_keys (GtkWidget   *widget,
            const guint *keysyms,
            guint        n_keysyms)
{
  Display *xdisplay = gdk_x11_display_get_xdisplay (gtk_widget_get_display (widget));

  for (guint i = 0; i < n_keysyms; i++)
    XTestFakeKeyEvent (xdisplay, XKeysymToKeycode (xdisplay, keysyms[i]), True, CurrentTime);
  for (guint i = n_keysyms; i > 0; i--)
    XTestFakeKeyEvent (xdisplay, XKeysymToKeycode (xdisplay, keysyms[i - 1]), False, CurrentTime);
  XFlush (xdisplay);
}

static gboolean
toast_shown_cb (gpointer data)
{
  return ward_test_has_label (data, NOT_RUNNING);
}

static void
focus_entry_path (WardWindow *window,
                  EntryPath   path)
{
  switch (path)
    {
    case FROM_BOARD:
      gtk_window_set_focus (GTK_WINDOW (window), NULL);
      break;

    case FROM_TILE:
      {
        GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (window->flow_box));

        g_assert_true (GTK_IS_FLOW_BOX_CHILD (child));
        g_assert_true (gtk_widget_grab_focus (child));
      }
      break;

    case FROM_ALARM_BAR:
      /* The bar's Open: the patient view opens, the focus stays on the bar. */
      ward_alarm_bar_focus_first (window->alarm_bar);
      ward_window_open_patient (window, "sim-patient-01");
      g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)),
                                             GTK_WIDGET (window->alarm_bar)));
      break;

    case FROM_PATIENT_VIEW:
      ward_window_open_patient (window, "sim-patient-01");
      g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (window->patient_view->span_10m)));
      break;

    default:
      g_assert_not_reached ();
    }

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Ctrl+Shift+A acknowledges the top alarm from every entry path; without
 * a pipeline the window says why it cannot, which shows that it tried. */
static void
test_acknowledge_top (gconstpointer data)
{
  static const guint keys[] = { GDK_KEY_Control_L, GDK_KEY_Shift_L, GDK_KEY_a };
  EntryPath path = GPOINTER_TO_INT (data);
  WardWindow *window = present_window ();

  focus_entry_path (window, path);
  g_assert_false (ward_test_has_label (GTK_WIDGET (window), NOT_RUNNING));
  press_keys (GTK_WIDGET (window), keys, G_N_ELEMENTS (keys));
  ward_test_wait_until (toast_shown_cb, window, "Ctrl+Shift+A to act");

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  GtkToggleButton *button;
} SpanWait;

static gboolean
span_active_cb (gpointer data)
{
  return gtk_toggle_button_get_active (data);
}

/* Alt+1 to Alt+5 choose the patient view's span wherever the focus is. */
static void
test_span (gconstpointer data)
{
  EntryPath path = GPOINTER_TO_INT (data);
  WardWindow *window = present_window ();
  WardPatientView *view = window->patient_view;
  GtkToggleButton *spans[] = { view->span_10m, view->span_1h, view->span_8h,
                               view->span_24h, view->span_72h };

  focus_entry_path (window, path);

  for (guint i = 0; i < G_N_ELEMENTS (spans); i++)
    {
      /* From the last span down, so that each key changes something. */
      guint n = G_N_ELEMENTS (spans) - 1 - i;
      const guint keys[] = { GDK_KEY_Alt_L, GDK_KEY_1 + n };

      press_keys (GTK_WIDGET (window), keys, G_N_ELEMENTS (keys));
      ward_test_wait_until (span_active_cb, spans[n], "Alt+N to choose the span");
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* On the board, Alt+N has no patient to act on: nothing opens. */
static void
test_span_on_board (void)
{
  const guint keys[] = { GDK_KEY_Alt_L, GDK_KEY_3 };
  WardWindow *window = present_window ();

  focus_entry_path (window, FROM_TILE);
  press_keys (GTK_WIDGET (window), keys, G_N_ELEMENTS (keys));
  g_usleep (G_USEC_PER_SEC / 5);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "beds");
  g_assert_false (gtk_toggle_button_get_active (window->patient_view->span_8h));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    EntryPath   path;
  } paths[] = {
    { "board", FROM_BOARD },
    { "tile", FROM_TILE },
    { "alarm-bar", FROM_ALARM_BAR },
    { "patient-view", FROM_PATIENT_VIEW },
  };

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("XTest needs an X11 display (GDK_BACKEND=x11)");
      return g_test_run ();
    }

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *ack = g_strdup_printf ("/ui/keyboard/acknowledge-top/%s", paths[i].name);

      g_test_add_data_func (ack, GINT_TO_POINTER (paths[i].path), test_acknowledge_top);
      if (paths[i].path == FROM_ALARM_BAR || paths[i].path == FROM_PATIENT_VIEW)
        {
          g_autofree char *span = g_strdup_printf ("/ui/keyboard/span/%s", paths[i].name);

          g_test_add_data_func (span, GINT_TO_POINTER (paths[i].path), test_span);
        }
    }
  g_test_add_func ("/ui/keyboard/span/board", test_span_on_board);

  return g_test_run ();
}
