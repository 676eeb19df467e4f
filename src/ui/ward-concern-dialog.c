/* ward-concern-dialog.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-concern-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-care-command.h"
#include "ward-concern-dialog.h"
#include "ward-concern-dialog-private.h"

typedef struct
{
  WardPipeline    *pipeline;
  char            *user;
  char            *patient_id;
  WardConcernDone  done;
  gpointer         user_data;
  GDestroyNotify   destroy;
} Concern;

static void
concern_free (Concern *concern)
{
  g_clear_object (&concern->pipeline);
  g_free (concern->user);
  g_free (concern->patient_id);
  if (concern->destroy != NULL)
    concern->destroy (concern->user_data);
  g_free (concern);
}

static void
raised_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Concern *concern = user_data;
  g_autoptr(GError) error = NULL;

  if (ward_pipeline_care_finish (WARD_PIPELINE (object), result, &error) != 0)
    concern->done (NULL, concern->user_data);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    concern->done (error->message, concern->user_data);
  concern_free (concern);
}

static void
reason_changed_cb (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  /* The reason is required: the one who takes the task must know why. */
  adw_message_dialog_set_response_enabled (dialog, "escalate", text[0] != '\0');
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  Concern *concern = g_object_steal_data (G_OBJECT (dialog), "concern");
  GtkEditable *entry = _ward_concern_dialog_get_entry (dialog);
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (concern == NULL)
    return;
  if (g_strcmp0 (response, "escalate") != 0 || reason[0] == '\0')
    {
      concern_free (concern);
      return;
    }

  ward_pipeline_care_async (concern->pipeline,
                            ward_care_command_raise_concern (concern->patient_id, reason, concern->user,
                                                             ward_pipeline_get_station (concern->pipeline)),
                            NULL, raised_cb, concern);
}

AdwMessageDialog *
ward_concern_dialog_present (GtkWindow       *parent,
                             WardPipeline    *pipeline,
                             const char      *user,
                             const char      *patient_id,
                             const char      *about,
                             WardConcernDone  done,
                             gpointer         user_data,
                             GDestroyNotify   destroy)
{
  Concern *concern = g_new0 (Concern, 1);
  AdwMessageDialog *dialog;
  GtkWidget *entry = gtk_entry_new ();

  g_return_val_if_fail (WARD_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (user != NULL && patient_id != NULL, NULL);

  concern->pipeline = g_object_ref (pipeline);
  concern->user = g_strdup (user);
  concern->patient_id = g_strdup (patient_id);
  concern->done = done;
  concern->user_data = user_data;
  concern->destroy = destroy;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Escalate Concern"), NULL));
  /* Translators: %s is the patient, "Bed 4 · A. B." */
  adw_message_dialog_format_body (dialog,
                                  _("Worried about %s whatever the score? Say why: the next role "
                                    "in the escalation chain gets a task now."),
                                  about);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Why you are worried"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Why you are worried"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "escalate", _("_Escalate"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "escalate", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (dialog, "escalate", FALSE);
  adw_message_dialog_set_default_response (dialog, "escalate");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "concern", concern, (GDestroyNotify) concern_free);
  g_signal_connect (entry, "changed", G_CALLBACK (reason_changed_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);

  return dialog;
}

GtkEditable *
_ward_concern_dialog_get_entry (AdwMessageDialog *dialog)
{
  return g_object_get_data (G_OBJECT (dialog), "entry");
}
