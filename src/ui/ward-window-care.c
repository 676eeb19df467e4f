/* ward-window-care.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-care-view.h"
#include "ward-concern-dialog.h"
#include "ward-handover-dialog.h"
#include "ward-timeline-window.h"
#include "ward-window.h"
#include "ward-window-private.h"

/* The main window's care-team actions: the care view, handover, a
 * concern, the patient's timeline and the tiles' Accept.
 */

static void
accept_task_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(WardWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ward_pipeline_care_finish (WARD_PIPELINE (object), result, &error) == 0 &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: %s is why accepting a task failed */
      g_autofree char *text = g_strdup_printf (_("Could not accept the task: %s"), error->message);

      _ward_window_toast (self, text);
    }
}

/* The tiles' Accept: the flag's care-team task, taken by the acting
 * member (which acknowledges the flag too).
 */
static void
accept_task_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);

  if (self->pipeline == NULL)
    {
      _ward_window_toast (self, _("Could not accept the task: the ward pipeline is not running"));
      return;
    }
  if (self->user == NULL || self->user[0] == '\0')
    {
      _ward_window_toast (self, _("Sign in with your PIN, then accept the task"));
      gtk_widget_activate_action (GTK_WIDGET (self), "app.switch-user", NULL);
      return;
    }

  ward_pipeline_care_async (self->pipeline,
                            ward_care_command_accept (g_variant_get_int64 (parameter), self->user,
                                                      ward_pipeline_get_station (self->pipeline)),
                            self->cancellable, accept_task_done_cb, g_object_ref (self));
}

static void
care_view_open_patient_cb (WardWindow *self,
                           const char *patient_id)
{
  ward_window_open_patient (self, patient_id);
  gtk_window_present (GTK_WINDOW (self));
}

static void
care_view_handover_cb (WardWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.handover", NULL);
}

static void
care_team_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);

  /* One care-team view per window (care/ward-care-view.c). */
  if (self->care_view == NULL)
    {
      g_set_weak_pointer (&self->care_view, ward_care_view_new (GTK_WINDOW (self)));
      ward_care_view_set_pipeline (self->care_view, self->pipeline);
      ward_care_view_set_user (self->care_view, self->user);
      ward_care_view_set_show_patient_names (self->care_view, self->show_patient_names);
      g_signal_connect_object (self->care_view, "open-patient",
                               G_CALLBACK (care_view_open_patient_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->care_view, "handover",
                               G_CALLBACK (care_view_handover_cb), self, G_CONNECT_SWAPPED);
    }
  if (self->snapshot != NULL)
    ward_care_view_apply_snapshot (self->care_view, self->snapshot);
  gtk_window_present (GTK_WINDOW (self->care_view));
}

static void
handover_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);

  /* Made again each time: its beds are the ward as it is now. */
  if (self->handover != NULL)
    gtk_window_destroy (GTK_WINDOW (self->handover));
  g_set_weak_pointer (&self->handover,
                      ward_handover_dialog_new (GTK_WINDOW (self), self->pipeline, self->snapshot,
                                                self->user, self->db_path, self->show_patient_names));
  gtk_window_present (GTK_WINDOW (self->handover));
}

static void
concern_done (const char *error_message,
              gpointer    user_data)
{
  WardWindow *self = user_data;

  if (error_message == NULL)
    {
      _ward_window_toast (self, _("Concern raised: the next role has a task"));
      return;
    }

  {
    /* Translators: %s is why the concern could not be raised */
    g_autofree char *text = g_strdup_printf (_("Could not raise the concern: %s"), error_message);

    _ward_window_toast (self, text);
  }
}

/* The patient view's Escalate Concern, for the patient shown. */
static void
escalate_concern_action_cb (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);
  const char *patient_id = ward_patient_view_get_patient (self->patient_view);
  g_autofree char *about = NULL;

  if (patient_id == NULL)
    return;
  if (self->pipeline == NULL)
    {
      _ward_window_toast (self, _("Could not raise the concern: the ward pipeline is not running"));
      return;
    }
  if (self->user == NULL || self->user[0] == '\0')
    {
      _ward_window_toast (self, _("Sign in with your PIN, then escalate the concern"));
      gtk_widget_activate_action (GTK_WIDGET (self), "app.switch-user", NULL);
      return;
    }

  for (guint i = 0; self->snapshot != NULL && i < ward_snapshot_get_n_beds (self->snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);

      if (g_strcmp0 (bed->patient_id, patient_id) == 0)
        about = g_strdup_printf ("%s · %s", bed->bed_label != NULL ? bed->bed_label : bed->bed_id,
                                 self->show_patient_names && bed->patient_name != NULL
                                 ? bed->patient_name : bed->patient_initials);
    }

  g_set_weak_pointer (&self->concern_dialog,
                      ward_concern_dialog_present (GTK_WINDOW (self), self->pipeline, self->user, patient_id,
                                                   about != NULL ? about : patient_id, concern_done,
                                                   g_object_ref (self), g_object_unref));
}

/* The patient view's Timeline, for the patient shown. */
static void
patient_timeline_action_cb (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);
  const char *patient_id = ward_patient_view_get_patient (self->patient_view);
  g_autofree char *about = NULL;

  if (patient_id == NULL || self->db_path == NULL)
    return;
  for (guint i = 0; self->snapshot != NULL && i < ward_snapshot_get_n_beds (self->snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);

      if (g_strcmp0 (bed->patient_id, patient_id) == 0)
        about = g_strdup_printf ("%s · %s", bed->bed_label != NULL ? bed->bed_label : bed->bed_id,
                                 self->show_patient_names && bed->patient_name != NULL
                                 ? bed->patient_name : bed->patient_initials);
    }

  if (self->timeline != NULL)
    gtk_window_destroy (GTK_WINDOW (self->timeline));
  g_set_weak_pointer (&self->timeline,
                      ward_timeline_window_new (GTK_WINDOW (self), self->db_path, patient_id, about));
  gtk_window_present (GTK_WINDOW (self->timeline));
}

/* For tests: the timeline last opened, or NULL. */
WardTimelineWindow *
_ward_window_get_timeline (WardWindow *self)
{
  return self->timeline;
}

/* For tests: the concern dialog last opened, or NULL. */
AdwMessageDialog *
_ward_window_get_concern_dialog (WardWindow *self)
{
  return self->concern_dialog;
}

/* For tests: the handover dialog, NULL until win.handover opened it. */
WardHandoverDialog *
_ward_window_get_handover (WardWindow *self)
{
  return self->handover;
}

/* For tests: the care-team view, NULL until win.care-team opened it. */
WardCareView *
_ward_window_get_care_view (WardWindow *self)
{
  return self->care_view;
}

void
_ward_window_class_init_care (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.care-team", NULL, care_team_action_cb);
  gtk_widget_class_install_action (widget_class, "win.handover", NULL, handover_action_cb);
  gtk_widget_class_install_action (widget_class, "win.escalate-concern", NULL, escalate_concern_action_cb);
  gtk_widget_class_install_action (widget_class, "win.patient-timeline", NULL, patient_timeline_action_cb);
  gtk_widget_class_install_action (widget_class, "win.accept-task", "x", accept_task_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.care-team", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_H, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.handover", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.escalate-concern", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_L, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.patient-timeline", NULL);
}
