/* test-store-alarm.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "ward-store-alarm.h"
#include "ward-window.h"
#include "ward-window-private.h"

/* The store's technical alarm in the window: shown with its cause and
 * since when while the store cannot write, announced as an alert, gone
 * once writes succeed.
 */

#define NOW G_GINT64_CONSTANT (1800000000000000)

static WardSnapshot *
make_snapshot (guint64             serial,
               WardStoreCondition  condition,
               gint64              failing_for)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  WardSnapshot *snapshot;
  gint64 now = NOW + serial * G_USEC_PER_SEC;

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  snapshot = _ward_snapshot_new (now, serial, beds, &counters);
  _ward_snapshot_set_store_status (snapshot, condition,
                                   condition != WARD_STORE_CONDITION_NONE ? now - failing_for : 0,
                                   condition != WARD_STORE_CONDITION_NONE
                                   ? "INSERT INTO raw_messages: database or disk is full" : NULL);
  return snapshot;
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Timed out applying a snapshot");
  return G_SOURCE_REMOVE;
}

static void
apply_snapshot (WardWindow   *window,
                WardSnapshot *snapshot)
{
  guint timeout = g_timeout_add_seconds (10, timeout_cb, NULL);

  ward_window_apply_snapshot (window, snapshot);
  while (_ward_window_has_pending_snapshot (window))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
clock_at (gint64 usec)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return g_date_time_format (when, "%H:%M");
}

static void
test_window_store_alarm (void)
{
  WardWindow *window = ward_window_new (NULL);
  WardStoreAlarm *alarm;
  GtkWidget *strip;
  g_autofree char *clock = NULL;
  g_autofree char *expected = NULL;

  gtk_window_present (GTK_WINDOW (window));
  alarm = WARD_STORE_ALARM (gtk_widget_get_template_child (GTK_WIDGET (window), WARD_TYPE_WINDOW,
                                                           "store_alarm"));
  g_assert_nonnull (alarm);

  apply_snapshot (window, make_snapshot (1, WARD_STORE_CONDITION_NONE, 0));
  g_assert_null (ward_store_alarm_get_title (alarm));

  /* Disk full since two minutes: said in words, with the local time. */
  apply_snapshot (window, make_snapshot (2, WARD_STORE_CONDITION_FULL, 120 * G_USEC_PER_SEC));
  clock = clock_at (NOW + 2 * G_USEC_PER_SEC - 120 * G_USEC_PER_SEC);
  expected = g_strdup_printf ("Cannot write: disk full since %s", clock);
  g_assert_cmpstr (ward_store_alarm_get_title (alarm), ==, expected);

  /* An alert for assistive technologies, red by its style class. */
  strip = gtk_revealer_get_child (GTK_REVEALER (gtk_widget_get_first_child (GTK_WIDGET (alarm))));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (strip)), ==,
                   GTK_ACCESSIBLE_ROLE_ALERT);
  g_assert_true (gtk_widget_has_css_class (strip, "store-alarm"));

  /* Another cause, the same start. */
  apply_snapshot (window, make_snapshot (3, WARD_STORE_CONDITION_READ_ONLY, 121 * G_USEC_PER_SEC));
  g_free (expected);
  expected = g_strdup_printf ("Cannot write: the database is read-only since %s", clock);
  g_assert_cmpstr (ward_store_alarm_get_title (alarm), ==, expected);

  /* Writes succeed again: it goes. */
  apply_snapshot (window, make_snapshot (4, WARD_STORE_CONDITION_NONE, 0));
  g_assert_null (ward_store_alarm_get_title (alarm));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/store-alarm/window", test_window_store_alarm);

  return g_test_run ();
}
