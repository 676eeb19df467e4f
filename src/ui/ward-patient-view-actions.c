/* ward-patient-view-actions.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-patient-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ward-clinical.h"
#include "ward-flag-words.h"
#include "ward-history.h"
#include "ward-news2.h"
#include "ward-patient-view.h"
#include "ward-patient-view-private.h"
#include "ward-score-inputs.h"

/* The patient view's clinical commands: confirm the score, acknowledge
 * the flag, set the SpO2 scale and record a round of observations, each
 * as the acting member through the pipeline.
 */

/* The typed rows, in the template's order; what can be typed are the
 * plausible ranges of ward-clinical.h: impossible values, not alarming ones.
 */
static const WardMeasKind entry_kinds[] = {
  WARD_MEAS_RR, WARD_MEAS_SPO2, WARD_MEAS_SBP, WARD_MEAS_HR, WARD_MEAS_TEMP,
};

/* What a command's completion needs: the view and the message to show. */
typedef struct
{
  WardPatientView *self;
  char            *message;
} Command;

static Command *
command_new (WardPatientView *self,
             char            *message)
{
  Command *command = g_new0 (Command, 1);

  command->self = g_object_ref (self);
  command->message = message;

  return command;
}

static void
command_free (Command *command)
{
  g_clear_object (&command->self);
  g_free (command->message);
  g_free (command);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Command, command_free)

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Command) command = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = ward_pipeline_command_finish (WARD_PIPELINE (object), result, &error);

  /* Disposed meanwhile: its widgets are gone. */
  if (g_cancellable_is_cancelled (command->self->cancellable))
    return;

  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ward_patient_view_show_toast (command->self, error->message);
      return;
    }

  _ward_patient_view_show_toast (command->self, command->message);
  _ward_patient_view_load_history (command->self, TRUE);
}

/* A clinical command needs someone acting: without one it asks for the
 * PIN (the application's Switch User dialog) and does nothing yet.
 */
static gboolean
require_user (WardPatientView *self)
{
  if (self->user != NULL)
    return TRUE;

  _ward_patient_view_show_toast (self, _("Sign in with your PIN first, then try again"));
  gtk_widget_activate_action (GTK_WIDGET (self), "app.switch-user", NULL);
  return FALSE;
}

static void
confirm_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  WardPatientView *self = WARD_PATIENT_VIEW (widget);

  if (self->pipeline == NULL || self->patient_id == NULL || !require_user (self))
    return;

  ward_pipeline_confirm_async (self->pipeline, self->patient_id, self->user, self->cancellable,
                               command_done_cb,
                               command_new (self, g_strdup_printf (_("Score confirmed by %s: final"),
                                                                        self->user)));
}

static void
acknowledge_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  WardPatientView *self = WARD_PATIENT_VIEW (widget);
  const WardBedState *bed = _ward_patient_view_find_bed (self);

  if (self->pipeline == NULL || bed == NULL || bed->flag_id == 0 || !require_user (self))
    return;

  ward_pipeline_acknowledge_async (self->pipeline, bed->flag_id, self->user, self->cancellable,
                                   command_done_cb,
                                   command_new (self, g_strdup_printf (_("Flag acknowledged by %s"),
                                                                            self->user)));
}

static void
set_scale_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  WardPatientView *self = WARD_PATIENT_VIEW (widget);
  g_autofree char *decided_by = NULL;
  int scale;

  if (self->pipeline == NULL || self->patient_id == NULL || !require_user (self))
    return;

  decided_by = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->decided_row))));
  scale = adw_combo_row_get_selected (self->scale_row) == 1 ? 2 : 1;

  /* Scale 2 is a clinical decision someone made and documented. */
  if (decided_by[0] == '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->decided_row), "error");
      _ward_patient_view_show_toast (self, _("Say who decided the SpO₂ scale"));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->decided_row), "error");

  ward_pipeline_set_spo2_scale_async (self->pipeline, self->patient_id, scale, decided_by,
                                      self->user, self->cancellable, command_done_cb,
                                      command_new (self, g_strdup_printf (_("SpO₂ Scale %d recorded, decided by %s"),
                                                                               scale, decided_by)));
}

static void
entry_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(WardPatientView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ward_pipeline_command_finish (WARD_PIPELINE (object), result, &error) &&
      self->entry_error == NULL)
    self->entry_error = g_steal_pointer (&error);

  g_assert (self->n_pending_entries > 0);
  if (--self->n_pending_entries > 0)
    return;

  /* Disposed meanwhile: its widgets are gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_error (&self->entry_error);
      return;
    }

  if (self->entry_error != NULL)
    {
      if (!g_error_matches (self->entry_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_label_set_text (self->entry_error_label, self->entry_error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->entry_error_label), TRUE);
        }
      g_clear_error (&self->entry_error);
    }
  else
    {
      AdwEntryRow *rows[] = { self->rr_row, self->spo2_row, self->sbp_row, self->hr_row, self->temp_row };
      g_autofree char *message = g_strdup_printf (_("Observations recorded by %s"), self->user);

      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        gtk_editable_set_text (GTK_EDITABLE (rows[i]), "");
      adw_combo_row_set_selected (self->acvpu_row, 0);
      adw_combo_row_set_selected (self->oxygen_row, 0);
      gtk_spin_button_set_value (self->flow_spin, 0);
      _ward_patient_view_show_toast (self, message);
      _ward_patient_view_load_history (self, TRUE);
    }

  _ward_patient_view_update_actions (self);
}

/* Parses a typed number, with a decimal point or comma. */
static gboolean
parse_number (const char *text,
              double     *value)
{
  g_autofree char *copy = g_strstrip (g_strdelimit (g_strdup (text), ",", '.'));
  char *end = NULL;

  if (copy[0] == '\0')
    return FALSE;
  *value = g_ascii_strtod (copy, &end);

  return end != NULL && *end == '\0' && isfinite (*value);
}

static void
record_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  WardPatientView *self = WARD_PATIENT_VIEW (widget);
  AdwEntryRow *rows[] = { self->rr_row, self->spo2_row, self->sbp_row, self->hr_row, self->temp_row };
  const char *units[] = { _("per minute"), _("%"), _("mmHg"), _("per minute"), _("°C") };
  const char *titles[] = { _("Respiration rate"), _("SpO₂"), _("Systolic blood pressure"),
                           _("Pulse"), _("Temperature") };
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (WardNurseEntry));
  g_autoptr(GString) errors = g_string_new (NULL);
  guint acvpu = adw_combo_row_get_selected (self->acvpu_row);
  guint oxygen = adw_combo_row_get_selected (self->oxygen_row);

  G_STATIC_ASSERT (G_N_ELEMENTS (rows) == G_N_ELEMENTS (entry_kinds));

  if (self->pipeline == NULL || self->patient_id == NULL || self->n_pending_entries > 0 ||
      !require_user (self))
    return;

  if (acvpu >= 1 && acvpu <= 5)
    g_array_append_vals (entries, &(WardNurseEntry) { WARD_MEAS_CONSCIOUSNESS, acvpu - 1 }, 1);
  if (oxygen == 1 || oxygen == 2)
    g_array_append_vals (entries, &(WardNurseEntry) { WARD_MEAS_ON_OXYGEN, oxygen == 2 }, 1);
  if (oxygen == 2 && gtk_spin_button_get_value (self->flow_spin) > 0)
    g_array_append_vals (entries, &(WardNurseEntry) { WARD_MEAS_O2_FLOW,
                                             gtk_spin_button_get_value (self->flow_spin) }, 1);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (rows[i]));
      const WardPlausibleRange *limit = ward_clinical_get_range (entry_kinds[i]);
      double value;

      g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));

      gtk_widget_remove_css_class (GTK_WIDGET (rows[i]), "error");
      if (stripped[0] == '\0')
        continue;

      if (!parse_number (text, &value))
        {
          gtk_widget_add_css_class (GTK_WIDGET (rows[i]), "error");
          if (errors->len > 0)
            g_string_append_c (errors, '\n');
          /* Translators: "Pulse: type a number" */
          g_string_append_printf (errors, _("%s: type a number"), titles[i]);
          continue;
        }
      if (value < limit->min || value > limit->max)
        {
          gtk_widget_add_css_class (GTK_WIDGET (rows[i]), "error");
          if (errors->len > 0)
            g_string_append_c (errors, '\n');
          /* Translators: "Pulse: 400 is not possible (0 to 350 per minute)" */
          g_string_append_printf (errors, _("%s: %g is not possible (%g to %g %s)"), titles[i],
                                  value, limit->min, limit->max, units[i]);
          continue;
        }

      g_array_append_vals (entries, &(WardNurseEntry) { limit->kind, value }, 1);
    }

  if (errors->len == 0 && entries->len == 0)
    g_string_append (errors, _("Nothing to record: choose or type at least one observation"));

  if (errors->len > 0)
    {
      gtk_label_set_text (self->entry_error_label, errors->str);
      gtk_widget_set_visible (GTK_WIDGET (self->entry_error_label), TRUE);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->entry_error_label), FALSE);

  /* One command: the round is stored whole or not at all, so recording
   * it again after an error does not double what went in.  Oxygen comes
   * before its flow.
   */
  self->n_pending_entries = 1;
  ward_pipeline_nurse_entries_async (self->pipeline, self->patient_id,
                                     (const WardNurseEntry *) entries->data, entries->len,
                                     self->user, self->cancellable, entry_done_cb,
                                     g_object_ref (self));

  _ward_patient_view_update_actions (self);
}

void
_ward_patient_view_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "patient.confirm", NULL, confirm_action_cb);
  gtk_widget_class_install_action (widget_class, "patient.acknowledge", NULL, acknowledge_action_cb);
  gtk_widget_class_install_action (widget_class, "patient.record", NULL, record_action_cb);
  gtk_widget_class_install_action (widget_class, "patient.set-scale", NULL, set_scale_action_cb);
}
