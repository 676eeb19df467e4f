/* ward-test-window.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-window.h"

#include "ward-window-private.h"

GArray *
ward_test_beds_new (void)
{
  GArray *beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  return beds;
}

WardBedState *
ward_test_beds_append (GArray *beds)
{
  WardBedState bed = { 0 };
  guint number = beds->len + 1;

  bed.bed_id = g_strdup_printf ("bed-%02u", number);
  bed.bed_label = g_strdup_printf ("Bed %u", number);
  bed.patient_id = g_strdup_printf ("sim-patient-%02u", number);
  bed.patient_initials = g_strdup_printf ("P.N%u", number);
  bed.device_id = g_strdup_printf ("sim-monitor-%02u", number);
  bed.spo2_scale = 1;
  g_array_append_val (beds, bed);

  return &g_array_index (beds, WardBedState, beds->len - 1);
}

void
ward_test_bed_set_latest (WardBedState *bed,
                          WardMeasKind  kind,
                          double        value,
                          gint64        observed_at)
{
  bed->latest[kind].valid = TRUE;
  bed->latest[kind].value = value;
  bed->latest[kind].observed_at = observed_at;
  bed->latest[kind].source = WARD_SOURCE_DEVICE;
}

WardSnapshot *
ward_test_snapshot_new (GArray  *beds,
                        gint64   now,
                        guint64  serial)
{
  WardCounters counters = { 0 };

  return _ward_snapshot_new (now, serial, beds, &counters);
}

WardWindow *
ward_test_window_present (void)
{
  WardWindow *window = ward_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static gboolean
no_pending_snapshot_cb (gpointer data)
{
  return !_ward_window_has_pending_snapshot (data);
}

void
ward_test_window_apply (WardWindow   *window,
                        WardSnapshot *snapshot)
{
  ward_window_apply_snapshot (window, snapshot);
  ward_test_wait_until (no_pending_snapshot_cb, window, "the snapshot to be shown");
  ward_test_iterate ();
}

void
ward_test_load_style (void)
{
  static GtkCssProvider *provider;

  if (provider != NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/wardwatch/Wardwatch/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

void
ward_test_wait_until (gboolean   (*done) (gpointer data),
                      gpointer     data,
                      const char  *what)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (10, set_flag_cb, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out waiting for %s", what);
  g_source_remove (timeout);
}

void
ward_test_wait_ms (guint msec)
{
  gboolean done = FALSE;

  g_timeout_add (msec, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
ward_test_iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

GtkWidget *
ward_test_get_child (gpointer    widget,
                     GType       type,
                     const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);

  return GTK_WIDGET (child);
}

GtkWidget *
ward_test_find_actionable (GtkWidget  *widget,
                           const char *action_name)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ward_test_find_actionable (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

gboolean
ward_test_has_label (GtkWidget  *widget,
                     const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ward_test_has_label (child, text))
        return TRUE;
    }

  return FALSE;
}
