/* ward-handover-dialog.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-handover-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-a11y.h"
#include "ward-care-command.h"
#include "ward-flag-words.h"
#include "ward-handover-dialog.h"
#include "ward-handover-dialog-private.h"
#include "ward-handover-list.h"
#include "ward-handover-print.h"

enum { SBAR_SITUATION, SBAR_BACKGROUND, SBAR_ASSESSMENT, SBAR_RECOMMENDATION, N_SBAR };

static const char * const sbar_titles[N_SBAR] = {
  N_("_Situation"),
  N_("_Background"),
  N_("_Assessment"),
  N_("_Recommendation"),
};

typedef struct
{
  char           *bed_id;
  char           *patient_id;
  char           *label;       /* "Bed 4 · A. B." */
  AdwExpanderRow *row;
  AdwEntryRow    *sbar[N_SBAR];
} BedEntry;

struct _WardHandoverDialog
{
  AdwWindow        parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwPreferencesGroup *pending_group;
  GtkListBox      *pending_list;
  AdwActionRow    *incoming_row;
  GtkListBox      *beds_list;

  /* Owned */
  WardPipeline    *pipeline;
  WardSnapshot    *snapshot;
  char            *user;
  char            *db_path;
  GArray          *beds;            /* BedEntry */
  GPtrArray       *incoming_ids;    /* staff ids, index 0 is "nobody chosen" (NULL) */
  GtkDropDown     *incoming;
  GPtrArray       *pending;         /* WardOfferedHandover */
  GPtrArray       *pending_accept;  /* GtkWidget: each pending handover's Accept */
  GCancellable    *cancellable;     /* commands and reads; cancelled on dispose */
  GCancellable    *load;            /* the read under way */
  char            *message;
  guint            n_done;
  gboolean         show_names;
};

G_DEFINE_FINAL_TYPE (WardHandoverDialog, ward_handover_dialog, ADW_TYPE_WINDOW)

static void
bed_entry_clear (BedEntry *entry)
{
  g_clear_pointer (&entry->bed_id, g_free);
  g_clear_pointer (&entry->patient_id, g_free);
  g_clear_pointer (&entry->label, g_free);
}

static void
toast (WardHandoverDialog *self,
       const char         *text)
{
  AdwToast *toast = adw_toast_new (text);

  g_free (self->message);
  self->message = g_strdup (text);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static gboolean
can_act (WardHandoverDialog *self)
{
  if (self->pipeline == NULL)
    {
      toast (self, _("The ward pipeline is not running"));
      return FALSE;
    }
  if (self->user == NULL || self->user[0] == '\0')
    {
      toast (self, _("Sign in with your PIN first"));
      gtk_widget_activate_action (GTK_WIDGET (self), "app.switch-user", NULL);
      return FALSE;
    }

  return TRUE;
}

/* Commands */

typedef struct
{
  WardHandoverDialog *self;
  char               *done;    /* the toast on success */
  char               *what;    /* "offer the handover" */
} CommandData;

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CommandData *data = user_data;
  WardHandoverDialog *self = data->self;
  g_autoptr(GError) error = NULL;

  if (ward_pipeline_care_finish (WARD_PIPELINE (object), result, &error) != 0)
    {
      self->n_done++;
      toast (self, data->done);
      ward_handover_dialog_reload (self);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: "Could not offer the handover: <why>"; what was written stays */
      g_autofree char *text = g_strdup_printf (_("Could not %s: %s"), data->what, error->message);

      toast (self, text);
    }

  g_object_unref (data->self);
  g_free (data->done);
  g_free (data->what);
  g_free (data);
}

static void
run_command (WardHandoverDialog *self,
             WardCareCommand    *command,
             char               *done,
             const char         *what)
{
  CommandData *data = g_new0 (CommandData, 1);

  data->self = g_object_ref (self);
  data->done = done;
  data->what = g_strdup (what);
  ward_pipeline_care_async (self->pipeline, command, self->cancellable, command_done_cb, data);
}

static char *
entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
offer_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  WardHandoverDialog *self = WARD_HANDOVER_DIALOG (widget);
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardHandoverBed));
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  guint selected = gtk_drop_down_get_selected (self->incoming);
  const char *to = selected < self->incoming_ids->len ? g_ptr_array_index (self->incoming_ids, selected)
                                                      : NULL;
  g_autofree char *to_name = NULL;

  if (!can_act (self))
    return;
  if (to == NULL)
    {
      toast (self, _("Choose the incoming nurse"));
      gtk_widget_grab_focus (GTK_WIDGET (self->incoming));
      return;
    }
  if (g_strcmp0 (to, self->user) == 0)
    {
      toast (self, _("You cannot hand over to yourself"));
      gtk_widget_grab_focus (GTK_WIDGET (self->incoming));
      return;
    }

  for (guint i = 0; i < self->beds->len; i++)
    {
      BedEntry *entry = &g_array_index (self->beds, BedEntry, i);
      WardHandoverBed bed = { 0 };
      char *parts[N_SBAR];

      if (!adw_expander_row_get_enable_expansion (entry->row))
        continue;

      for (guint p = 0; p < N_SBAR; p++)
        {
          parts[p] = entry_text (entry->sbar[p]);
          g_ptr_array_add (texts, parts[p]);
          if (parts[p][0] == '\0')
            {
              g_autofree char *title = g_strdup (g_dgettext (GETTEXT_PACKAGE, sbar_titles[p]));
              g_autofree char *text = NULL;
              char *underline = strchr (title, '_');

              if (underline != NULL)
                memmove (underline, underline + 1, strlen (underline));
              /* Translators: a missing part of a bed's SBAR note, "Bed 4 · A. B.: write the Assessment" */
              text = g_strdup_printf (_("%s: write the %s"), entry->label, title);
              toast (self, text);
              adw_expander_row_set_expanded (entry->row, TRUE);
              gtk_widget_grab_focus (GTK_WIDGET (entry->sbar[p]));
              return;
            }
        }
      bed.bed_id = entry->bed_id;
      bed.patient_id = entry->patient_id;
      bed.situation = parts[SBAR_SITUATION];
      bed.background = parts[SBAR_BACKGROUND];
      bed.assessment = parts[SBAR_ASSESSMENT];
      bed.recommendation = parts[SBAR_RECOMMENDATION];
      g_array_append_val (beds, bed);
    }

  if (beds->len == 0)
    {
      toast (self, _("Switch on at least one bed to hand over"));
      return;
    }

  to_name = _ward_flag_words_staff_name (to);
  run_command (self,
               ward_care_command_offer_handover (self->user, to,
                                                 (const WardHandoverBed *) beds->data, beds->len,
                                                 ward_pipeline_get_station (self->pipeline)),
               /* Translators: %u beds offered to %s, who must accept them */
               g_strdup_printf (ngettext ("%u bed offered to %s: it moves when they accept",
                                          "%u beds offered to %s: they move when they accept",
                                          beds->len),
                                beds->len, to_name),
               _("offer the handover"));
}

static void
accept_clicked_cb (GtkButton          *button,
                   WardHandoverDialog *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "handover"));
  const char *to = g_object_get_data (G_OBJECT (button), "to");

  if (!can_act (self))
    return;
  if (g_strcmp0 (to, self->user) != 0)
    {
      g_autofree char *name = _ward_flag_words_staff_name (to);
      /* Translators: only the incoming nurse can accept a handover */
      g_autofree char *text = g_strdup_printf (_("Sign in as %s to accept"), name);

      toast (self, text);
      gtk_widget_activate_action (GTK_WIDGET (self), "app.switch-user", NULL);
      return;
    }

  run_command (self,
               ward_care_command_accept_handover (id, self->user, ward_pipeline_get_station (self->pipeline)),
               g_strdup (_("Handover accepted: the beds and their open tasks are yours")),
               _("accept the handover"));
}

/* Offered handovers */

static void
show_pending (WardHandoverDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->pending_list))) != NULL)
    gtk_list_box_remove (self->pending_list, child);
  g_ptr_array_set_size (self->pending_accept, 0);

  if (self->pending == NULL || self->pending->len == 0)
    {
      adw_preferences_group_set_description (self->pending_group,
                                             self->user == NULL
                                             ? _("Sign in to see the handovers offered to you.")
                                             : _("Nobody has offered you a handover."));
      gtk_widget_set_visible (GTK_WIDGET (self->pending_list), FALSE);
      return;
    }

  adw_preferences_group_set_description (self->pending_group, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->pending_list), TRUE);
  for (guint i = 0; i < self->pending->len; i++)
    {
      WardOfferedHandover *offered = g_ptr_array_index (self->pending, i);
      g_autofree char *from = _ward_flag_words_staff_name (offered->handover.from_staff);
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (offered->handover.offered_at / G_USEC_PER_SEC);
      g_autofree char *clock = at != NULL ? g_date_time_format (at, "%H:%M") : g_strdup ("—");
      g_autofree char *title = NULL;
      g_autoptr(GString) notes = g_string_new (NULL);
      GtkWidget *row = adw_expander_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Accept"));
      ward_a11y_name_button (GTK_BUTTON (button));

      /* Translators: "From Ada Nwosu · 2 beds · offered 07:55" */
      title = g_strdup_printf (ngettext ("From %s · %u bed · offered %s", "From %s · %u beds · offered %s",
                                         offered->beds->len),
                               from, offered->beds->len, clock);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      for (guint b = 0; b < offered->beds->len; b++)
        {
          WardHandoverBed *bed = g_ptr_array_index (offered->beds, b);
          GtkWidget *note = gtk_label_new (NULL);
          g_autofree char *text = NULL;

          /* Translators: a bed's SBAR note as the incoming nurse reads it */
          text = g_strdup_printf (_("%s\nSituation: %s\nBackground: %s\nAssessment: %s\nRecommendation: %s"),
                                  bed->bed_id, bed->situation, bed->background, bed->assessment,
                                  bed->recommendation);
          gtk_label_set_text (GTK_LABEL (note), text);
          gtk_label_set_xalign (GTK_LABEL (note), 0);
          gtk_label_set_wrap (GTK_LABEL (note), TRUE);
          gtk_label_set_selectable (GTK_LABEL (note), TRUE);
          gtk_widget_set_margin_top (note, 6);
          gtk_widget_set_margin_bottom (note, 6);
          gtk_widget_set_margin_start (note, 12);
          gtk_widget_set_margin_end (note, 12);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), note);
          g_string_append_printf (notes, "%s%s", b > 0 ? ", " : "", bed->bed_id);
        }
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), notes->str);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "suggested-action");
      {
        /* Translators: accessible name of a handover's Accept button */
        g_autofree char *accessible = g_strdup_printf (_("Accept the handover: %s"), title);

        gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        accessible, -1);
      }
      g_object_set_data (G_OBJECT (button), "handover", GSIZE_TO_POINTER (offered->handover.id));
      g_object_set_data_full (G_OBJECT (button), "to", g_strdup (offered->handover.to_staff), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (accept_clicked_cb), self);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), button);
      g_ptr_array_add (self->pending_accept, button);
      gtk_list_box_append (self->pending_list, row);
    }
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ward_handover_list_finish (result, &error);
  WardHandoverDialog *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = WARD_HANDOVER_DIALOG (user_data);
  g_clear_object (&self->load);
  if (list == NULL)
    {
      /* Translators: %s is why the offered handovers could not be read */
      g_autofree char *text = g_strdup_printf (_("Could not read the handovers: %s"), error->message);

      toast (self, text);
      return;
    }
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  self->pending = g_steal_pointer (&list);
  show_pending (self);
}

void
ward_handover_dialog_reload (WardHandoverDialog *self)
{
  g_return_if_fail (WARD_IS_HANDOVER_DIALOG (self));

  if (self->load != NULL)
    g_cancellable_cancel (self->load);
  g_clear_object (&self->load);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  if (self->db_path == NULL || self->user == NULL)
    {
      show_pending (self);
      return;
    }

  /* Cancelled on dispose too: the callback then never touches self. */
  self->load = g_cancellable_new ();
  g_signal_connect_object (self->cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                           self->load, G_CONNECT_SWAPPED);
  ward_handover_list_async (self->db_path, self->user, self->load, list_done_cb, self);
}

/* Print */

static void
print_response_cb (GtkNativeDialog    *native,
                   int                 response,
                   WardHandoverDialog *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GArray) notes = g_array_new (FALSE, TRUE, sizeof (WardPrintNote));
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *printed_by = NULL;
  guint n_pages = 0;

  if (response != GTK_RESPONSE_ACCEPT)
    goto out;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path == NULL || self->snapshot == NULL)
    goto out;

  /* The notes offered to this nurse, then the ones being written here. */
  for (guint i = 0; self->pending != NULL && i < self->pending->len; i++)
    {
      WardOfferedHandover *offered = g_ptr_array_index (self->pending, i);

      for (guint b = 0; b < offered->beds->len; b++)
        {
          WardHandoverBed *bed = g_ptr_array_index (offered->beds, b);
          WardPrintNote note = { bed->bed_id, bed->situation, bed->background, bed->assessment,
                                 bed->recommendation };

          g_array_append_val (notes, note);
        }
    }
  for (guint i = 0; i < self->beds->len; i++)
    {
      BedEntry *entry = &g_array_index (self->beds, BedEntry, i);
      WardPrintNote note = { entry->bed_id };
      char *parts[N_SBAR];
      gboolean any = FALSE;

      for (guint p = 0; p < N_SBAR; p++)
        {
          parts[p] = entry_text (entry->sbar[p]);
          g_ptr_array_add (texts, parts[p]);
          any |= parts[p][0] != '\0';
        }
      if (!any)
        continue;
      note.situation = parts[SBAR_SITUATION];
      note.background = parts[SBAR_BACKGROUND];
      note.assessment = parts[SBAR_ASSESSMENT];
      note.recommendation = parts[SBAR_RECOMMENDATION];
      g_array_append_val (notes, note);
    }

  printed_by = _ward_flag_words_staff_name (self->user);
  if (!_ward_handover_print (self->snapshot, (const WardPrintNote *) notes->data, notes->len,
                             _("Ward"), printed_by, self->show_names, path, &n_pages, &error))
    {
      /* Translators: %s is why the handover sheet could not be written */
      g_autofree char *text = g_strdup_printf (_("Could not write the handover sheet: %s"), error->message);

      toast (self, text);
    }
  else
    {
      g_autofree char *basename = g_path_get_basename (path);
      /* Translators: "Handover sheet written: handover.pdf, 3 pages" */
      g_autofree char *text = g_strdup_printf (ngettext ("Handover sheet written: %s, %u page",
                                                         "Handover sheet written: %s, %u pages", n_pages),
                                               basename, n_pages);

      toast (self, text);
    }

out:
  g_object_unref (native);
}

static void
print_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  WardHandoverDialog *self = WARD_HANDOVER_DIALOG (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->snapshot == NULL)
    {
      toast (self, _("Nothing to print yet: the ward has not been shown"));
      return;
    }

  /* GTK 4.8 has no GtkFileDialog. */
  native = gtk_file_chooser_native_new (_("Save Handover Sheet"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), _("handover-sheet.pdf"));
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (print_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* Building */

static void
build_incoming (WardHandoverDialog *self)
{
  WardStaff *staff = _ward_flag_words_get_staff ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (self->incoming_ids, NULL);
  g_ptr_array_add (names, g_strdup (_("Choose…")));
  for (guint i = 0; staff != NULL && i < ward_staff_get_n_members (staff); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (staff, i);
      g_autofree char *roles = NULL;

      if ((member->roles & (WARD_STAFF_ROLE_BED_NURSE | WARD_STAFF_ROLE_NURSE_IN_CHARGE)) == 0)
        continue;
      roles = ward_staff_roles_describe (member->roles);
      g_ptr_array_add (self->incoming_ids, g_strdup (member->id));
      g_ptr_array_add (names, g_strdup_printf ("%s (%s)", member->name, roles));
    }
  g_ptr_array_add (names, NULL);

  self->incoming = GTK_DROP_DOWN (gtk_drop_down_new_from_strings ((const char * const *) names->pdata));
  gtk_widget_set_valign (GTK_WIDGET (self->incoming), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (self->incoming_row, GTK_WIDGET (self->incoming));
  adw_action_row_set_activatable_widget (self->incoming_row, GTK_WIDGET (self->incoming));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->incoming), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  self->incoming_row, NULL, -1);
}

static void
build_beds (WardHandoverDialog *self)
{
  guint n = self->snapshot != NULL ? ward_snapshot_get_n_beds (self->snapshot) : 0;

  for (guint i = 0; i < n; i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);
      const char *patient = self->show_names && bed->patient_name != NULL ? bed->patient_name
                                                                          : bed->patient_initials;
      const char *bed_label = bed->bed_label != NULL ? bed->bed_label : bed->bed_id;
      BedEntry entry = { 0 };
      g_auto(WardFlagWords) words = { 0 };
      GString *subtitle = g_string_new (NULL);

      if (bed->patient_id == NULL)
        continue;

      entry.bed_id = g_strdup (bed->bed_id);
      entry.patient_id = g_strdup (bed->patient_id);
      entry.label = patient != NULL ? g_strdup_printf ("%s · %s", bed_label, patient) : g_strdup (bed_label);
      entry.row = ADW_EXPANDER_ROW (adw_expander_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry.row), entry.label);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (entry.row), FALSE);

      _ward_flag_words_init (&words, bed, ward_snapshot_get_now (self->snapshot), WARD_FLAG_WORDS_RELATIVE);
      if (words.line != NULL)
        g_string_append (subtitle, words.line);
      if (bed->bed_nurse != NULL)
        {
          g_autofree char *nurse = _ward_flag_words_staff_name (bed->bed_nurse);

          /* Translators: the bed's allocated nurse, "bed nurse Ada Nwosu" */
          g_string_append_printf (subtitle, _("%sbed nurse %s"), subtitle->len > 0 ? " · " : "", nurse);
        }
      adw_expander_row_set_subtitle (entry.row, subtitle->str);
      g_string_free (subtitle, TRUE);

      /* Switched on: handed over.  The acting nurse's own beds start on. */
      adw_expander_row_set_show_enable_switch (entry.row, TRUE);
      adw_expander_row_set_enable_expansion (entry.row,
                                             self->user != NULL && g_strcmp0 (bed->bed_nurse, self->user) == 0);
      for (guint p = 0; p < N_SBAR; p++)
        {
          entry.sbar[p] = ADW_ENTRY_ROW (adw_entry_row_new ());
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry.sbar[p]),
                                         g_dgettext (GETTEXT_PACKAGE, sbar_titles[p]));
          adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (entry.sbar[p]), TRUE);
          adw_expander_row_add_row (entry.row, GTK_WIDGET (entry.sbar[p]));
        }
      gtk_list_box_append (self->beds_list, GTK_WIDGET (entry.row));
      g_array_append_val (self->beds, entry);
    }
}

static void
ward_handover_dialog_dispose (GObject *object)
{
  WardHandoverDialog *self = WARD_HANDOVER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->load);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->beds, g_array_unref);
  g_clear_pointer (&self->incoming_ids, g_ptr_array_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->pending_accept, g_ptr_array_unref);
  g_clear_pointer (&self->message, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_HANDOVER_DIALOG);

  G_OBJECT_CLASS (ward_handover_dialog_parent_class)->dispose (object);
}

static void
ward_handover_dialog_class_init (WardHandoverDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_handover_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-handover-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, WardHandoverDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WardHandoverDialog, pending_group);
  gtk_widget_class_bind_template_child (widget_class, WardHandoverDialog, pending_list);
  gtk_widget_class_bind_template_child (widget_class, WardHandoverDialog, incoming_row);
  gtk_widget_class_bind_template_child (widget_class, WardHandoverDialog, beds_list);

  gtk_widget_class_install_action (widget_class, "handover.offer", NULL, offer_action_cb);
  gtk_widget_class_install_action (widget_class, "handover.print", NULL, print_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "handover.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "handover.offer", NULL);
}

static void
ward_handover_dialog_init (WardHandoverDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ward_a11y_name_buttons (GTK_WIDGET (self));

  self->beds = g_array_new (FALSE, TRUE, sizeof (BedEntry));
  g_array_set_clear_func (self->beds, (GDestroyNotify) bed_entry_clear);
  self->incoming_ids = g_ptr_array_new_with_free_func (g_free);
  self->pending_accept = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
}

WardHandoverDialog *
ward_handover_dialog_new (GtkWindow    *parent,
                          WardPipeline *pipeline,
                          WardSnapshot *snapshot,
                          const char   *user,
                          const char   *db_path,
                          gboolean      show_names)
{
  WardHandoverDialog *self = g_object_new (WARD_TYPE_HANDOVER_DIALOG, NULL);

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  self->pipeline = pipeline != NULL ? g_object_ref (pipeline) : NULL;
  self->snapshot = snapshot != NULL ? ward_snapshot_ref (snapshot) : NULL;
  self->user = g_strdup (user);
  self->db_path = g_strdup (db_path);
  self->show_names = show_names;
  build_incoming (self);
  build_beds (self);
  ward_handover_dialog_reload (self);

  return self;
}

void
ward_handover_dialog_set_user (WardHandoverDialog *self,
                               const char         *user)
{
  g_return_if_fail (WARD_IS_HANDOVER_DIALOG (self));

  if (g_strcmp0 (self->user, user) == 0)
    return;
  g_free (self->user);
  self->user = g_strdup (user);
  ward_handover_dialog_reload (self);
}

gboolean
_ward_handover_dialog_set_bed (WardHandoverDialog *self,
                               const char         *bed_id,
                               gboolean            handed,
                               const char         *situation,
                               const char         *background,
                               const char         *assessment,
                               const char         *recommendation)
{
  const char *parts[N_SBAR] = { situation, background, assessment, recommendation };

  for (guint i = 0; i < self->beds->len; i++)
    {
      BedEntry *entry = &g_array_index (self->beds, BedEntry, i);

      if (g_strcmp0 (entry->bed_id, bed_id) != 0)
        continue;
      adw_expander_row_set_enable_expansion (entry->row, handed);
      for (guint p = 0; p < N_SBAR; p++)
        gtk_editable_set_text (GTK_EDITABLE (entry->sbar[p]), parts[p] != NULL ? parts[p] : "");
      return TRUE;
    }

  return FALSE;
}

gboolean
_ward_handover_dialog_set_incoming (WardHandoverDialog *self,
                                    const char         *staff_id)
{
  for (guint i = 0; i < self->incoming_ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->incoming_ids, i), staff_id) == 0)
      {
        gtk_drop_down_set_selected (self->incoming, i);
        return TRUE;
      }

  return FALSE;
}

gboolean
_ward_handover_dialog_is_loading (WardHandoverDialog *self)
{
  return self->load != NULL;
}

guint
_ward_handover_dialog_get_n_pending (WardHandoverDialog *self)
{
  return self->pending != NULL ? self->pending->len : 0;
}

GtkWidget *
_ward_handover_dialog_get_pending_accept (WardHandoverDialog *self,
                                          guint               index)
{
  g_return_val_if_fail (index < self->pending_accept->len, NULL);

  return g_ptr_array_index (self->pending_accept, index);
}

const char *
_ward_handover_dialog_get_message (WardHandoverDialog *self)
{
  return self->message;
}

guint
_ward_handover_dialog_get_n_done (WardHandoverDialog *self)
{
  return self->n_done;
}
