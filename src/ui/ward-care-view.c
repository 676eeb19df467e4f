/* ward-care-view.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-a11y.h"
#include "ward-care-view.h"
#include "ward-care-view-private.h"
#include "ward-flag-words.h"

/* The care-team view (issue #16, part 5): the ward's open tasks, overdue
 * first, then by due time, with who has each; filtered to the acting
 * member's own, their roles' or the whole ward's; Accept, Reassign,
 * Complete and Open Patient on each row.  It shows the snapshots the
 * main window applies (the tasks are in them) and acts through the
 * pipeline's care commands, so a change shows once it is committed.
 */

typedef struct
{
  gint64      task_id;
  char       *patient_id;
  char       *title;        /* "Bed 4 · A. B. · flag high" */
  GtkWidget  *row;
  GtkLabel   *due_label;
  GtkLabel   *title_label;
  GtkLabel   *detail_label;
  GtkWidget  *accept_button;
} Row;

struct _WardCareView
{
  AdwWindow         parent_instance;

  /* Template widgets */
  AdwToastOverlay  *toast_overlay;
  AdwWindowTitle   *window_title;
  GtkToggleButton  *mine_button;
  GtkToggleButton  *role_button;
  GtkToggleButton  *ward_button;
  GtkStack         *stack;
  AdwStatusPage    *empty_page;
  GtkListBox       *list_box;

  /* Owned */
  WardPipeline     *pipeline;
  WardSnapshot     *snapshot;
  char             *user;
  GArray           *rows;          /* Row, in the order shown */
  GCancellable     *cancellable;

  /* Borrowed */
  AdwMessageDialog *dialog;        /* weak */

  WardCareFilter    filter;
  guint             show_patient_names : 1;
};

G_DEFINE_FINAL_TYPE (WardCareView, ward_care_view, ADW_TYPE_WINDOW)

enum {
  OPEN_PATIENT,
  HANDOVER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A row: one flag's escalation chain, folded into its newest open task
 * (task), with the bed it is in and the chain's first task.
 */
typedef struct
{
  const WardTask     *task;
  const WardBedState *bed;
  gboolean            overdue;
  const WardTask     *first;
  guint               n_escalations;
} Entry;

static void
row_clear (Row *row)
{
  g_clear_pointer (&row->patient_id, g_free);
  g_clear_pointer (&row->title, g_free);
}

static void
toast (WardCareView *self,
       const char   *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Overdue first (the longest overdue first), then the rest of what
 * waits for somebody by due time, then what somebody accepted.
 */
static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *ea = a;
  const Entry *eb = b;
  gboolean aa = ea->task->status == WARD_TASK_ACCEPTED;
  gboolean ab = eb->task->status == WARD_TASK_ACCEPTED;

  if (ea->overdue != eb->overdue)
    return ea->overdue ? -1 : 1;
  if (aa != ab)
    return aa ? 1 : -1;
  if (ea->task->due_at != eb->task->due_at)
    return ea->task->due_at < eb->task->due_at ? -1 : 1;
  if (ea->task->priority != eb->task->priority)
    return ea->task->priority > eb->task->priority ? -1 : 1;

  return ea->task->id < eb->task->id ? -1 : (ea->task->id > eb->task->id);
}

static WardStaffRoles
user_roles (WardCareView *self)
{
  WardStaff *staff = _ward_flag_words_get_staff ();
  const WardStaffMember *member;

  if (staff == NULL || self->user == NULL)
    return WARD_STAFF_ROLE_NONE;
  member = ward_staff_lookup (staff, self->user);

  return member != NULL ? member->roles : WARD_STAFF_ROLE_NONE;
}

static gboolean
passes_filter (WardCareView   *self,
               const WardTask *task,
               WardStaffRoles  roles)
{
  gboolean mine;

  if (self->filter == WARD_CARE_FILTER_WARD)
    return TRUE;

  mine = self->user != NULL && g_strcmp0 (task->owner_staff, self->user) == 0;
  if (self->filter == WARD_CARE_FILTER_MINE)
    return mine;

  /* WardStaffRoles has one bit per WardRole, in the same order. */
  return mine || (task->owner_staff == NULL && (roles & (1u << task->owner_role)) != 0);
}

/* Whether task is of the chain that starts with first, walking part_of
 * through the bed's open tasks (chains are a few tasks long).
 */
static gboolean
in_chain (const WardBedState *bed,
          const WardTask     *task,
          const WardTask     *first)
{
  for (guint depth = 0; depth < 64; depth++)
    {
      const WardTask *up = NULL;

      if (task == first)
        return TRUE;
      for (guint i = 0; task->part_of != 0 && i < bed->open_tasks->len; i++)
        {
          const WardTask *other = g_ptr_array_index (bed->open_tasks, i);

          if (other->id == task->part_of)
            up = other;
        }
      if (up == NULL)
        return FALSE;
      task = up;
    }

  return FALSE;
}

/* A chain is shown to whoever one of its open tasks is for: the bed
 * nurse whose task escalated can still accept it.
 */
static gboolean
chain_passes_filter (WardCareView        *self,
                     const WardBedState  *bed,
                     const WardTaskChain *chain,
                     WardStaffRoles       roles)
{
  for (guint i = 0; i < bed->open_tasks->len; i++)
    {
      const WardTask *task = g_ptr_array_index (bed->open_tasks, i);

      if (ward_task_is_open (task) && passes_filter (self, task, roles) &&
          in_chain (bed, task, chain->first))
        return TRUE;
    }

  return FALSE;
}

static const char *
priority_words (WardTaskPriority priority)
{
  switch (priority)
    {
    case WARD_TASK_ROUTINE:
      return C_("task priority", "routine");
    case WARD_TASK_URGENT:
      return C_("task priority", "urgent");
    case WARD_TASK_ASAP:
      return C_("task priority", "as soon as possible");
    case WARD_TASK_STAT:
    default:
      return C_("task priority", "immediately");
    }
}

static GArray *
collect_entries (WardCareView *self)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  WardStaffRoles roles = user_roles (self);
  gint64 now;

  if (self->snapshot == NULL)
    return entries;

  now = ward_snapshot_get_now (self->snapshot);
  for (guint i = 0; i < ward_snapshot_get_n_beds (self->snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);

      g_autoptr(GArray) chains = NULL;

      if (bed->open_tasks == NULL)
        continue;
      /* One row per flag: each escalation is a Task of its own. */
      chains = ward_task_chains_fold (bed->open_tasks);
      for (guint j = 0; j < chains->len; j++)
        {
          const WardTaskChain *chain = &g_array_index (chains, WardTaskChain, j);
          Entry entry = { chain->head, bed, _ward_flag_words_task_overdue (chain->head, now),
                          chain->first, chain->n_escalations };

          if (ward_task_chain_is_open (chain) && chain_passes_filter (self, bed, chain, roles))
            g_array_append_val (entries, entry);
        }
    }
  g_array_sort (entries, compare_entries);

  return entries;
}

static char *
entry_title (WardCareView *self,
             const Entry  *entry)
{
  const WardBedState *bed = entry->bed;
  const char *patient = self->show_patient_names && bed->patient_name != NULL ? bed->patient_name
                                                                            : bed->patient_initials;
  g_autofree char *why = _ward_flag_words_task_why (entry->task);
  const char *bed_label = bed->bed_label != NULL ? bed->bed_label : bed->bed_id;

  if (patient == NULL)
    return g_strdup_printf ("%s · %s", bed_label, why);
  /* Translators: a task's row: the bed, the patient, why: "Bed 4 · A. B. · flag high" */
  return g_strdup_printf (_("%s · %s · %s"), bed_label, patient, why);
}

static char *
entry_detail (const Entry *entry,
              gint64       now)
{
  g_autofree char *state = _ward_flag_words_task_state (entry->task, now, WARD_FLAG_WORDS_RELATIVE);
  g_autofree char *owner = _ward_flag_words_task_owner (entry->task);
  GString *text = g_string_new (NULL);

  if (entry->task->status == WARD_TASK_ACCEPTED &&
      g_strcmp0 (entry->task->accepted_by, entry->task->owner_staff) == 0)
    g_string_append (text, state);
  else if (entry->task->status == WARD_TASK_ACCEPTED)
    /* Translators: "Accepted by Ada Nwosu · owner Ben Carter (bed nurse)" */
    g_string_append_printf (text, _("%s · owner %s"), state, owner);
  else
    /* The due time has its own column: "Awaiting bed nurse". */
    g_string_append_printf (text, _("Awaiting %s"), owner);
  /* Translators: a task's priority, "priority urgent" */
  g_string_append_printf (text, _(" · priority %s"), priority_words (entry->task->priority));
  if (entry->n_escalations > 0)
    {
      g_autofree char *first_owner = _ward_flag_words_task_owner (entry->first);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (entry->first->requested_at /
                                                                 G_USEC_PER_SEC);
      g_autofree char *first_at = dt != NULL ? g_date_time_format (dt, "%H:%M") : g_strdup ("—");

      /* Translators: the flag's task was not accepted in time and went up
       * the escalation chain; the first task's owner and time:
       * " · escalated 2 times, first to Ada Nwosu (bed nurse) at 10:02"
       */
      g_string_append_printf (text, ngettext (" · escalated %u time, first to %s at %s",
                                              " · escalated %u times, first to %s at %s",
                                              entry->n_escalations),
                              entry->n_escalations, first_owner, first_at);
    }
  if (entry->task->escalated_at != 0)
    /* Translators: the task was not accepted in time and went to the next role */
    g_string_append (text, _(" · escalated, still open"));

  return g_string_free (text, FALSE);
}

static GtkWidget *
make_button (const char *label,
             const char *action,
             GVariant   *target,
             const char *accessible)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);
  ward_a11y_name_button (GTK_BUTTON (button));

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);

  return button;
}

static void
make_row (WardCareView *self,
          Row          *row,
          const Entry  *entry)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *due = gtk_label_new (NULL);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);
  GVariant *id = g_variant_new_int64 (entry->task->id);
  g_autofree char *accept = NULL, *reassign = NULL, *complete = NULL, *open = NULL;

  row->task_id = entry->task->id;
  row->patient_id = g_strdup (entry->task->patient_id);
  row->title = entry_title (self, entry);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 8);

  gtk_label_set_xalign (GTK_LABEL (due), 0);
  gtk_label_set_width_chars (GTK_LABEL (due), 18);
  gtk_label_set_wrap (GTK_LABEL (due), TRUE);
  gtk_widget_add_css_class (due, "heading");
  gtk_box_append (GTK_BOX (box), due);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_text (GTK_LABEL (title), row->title);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_wrap (GTK_LABEL (detail), TRUE);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), detail);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  /* Translators: accessible names of a task row's buttons, %s is the row's title */
  accept = g_strdup_printf (_("Accept: %s"), row->title);
  reassign = g_strdup_printf (_("Reassign: %s"), row->title);
  complete = g_strdup_printf (_("Complete: %s"), row->title);
  open = g_strdup_printf (_("Open patient: %s"), row->title);
  g_variant_ref_sink (id);
  row->accept_button = make_button (_("_Accept"), "care.accept", id, accept);
  gtk_widget_add_css_class (row->accept_button, "suggested-action");
  gtk_box_append (GTK_BOX (box), row->accept_button);
  gtk_box_append (GTK_BOX (box), make_button (_("_Reassign…"), "care.reassign", id, reassign));
  gtk_box_append (GTK_BOX (box), make_button (_("_Complete…"), "care.complete", id, complete));
  gtk_box_append (GTK_BOX (box), make_button (_("_Open Patient"), "care.open-patient",
                                              g_variant_new_string (entry->task->patient_id), open));
  g_variant_unref (id);

  row->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->row), box);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row->row), "care.open-patient");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row->row),
                                          g_variant_new_string (entry->task->patient_id));
  row->due_label = GTK_LABEL (due);
  row->title_label = GTK_LABEL (title);
  row->detail_label = GTK_LABEL (detail);
}

static void
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
update_row (WardCareView *self,
            Row          *row,
            const Entry  *entry,
            gint64        now)
{
  g_autofree char *due = _ward_flag_words_task_due (entry->task, now, WARD_FLAG_WORDS_RELATIVE);
  g_autofree char *detail = entry_detail (entry, now);
  g_autofree char *title = entry_title (self, entry);
  g_autofree char *label = NULL;
  const char *due_text;

  if (entry->task->status == WARD_TASK_ACCEPTED)
    /* Translators: in place of the due time of a task somebody accepted */
    due_text = _("Accepted");
  else
    due_text = due != NULL ? due : "";
  /* Colour AND words: red when overdue, amber within its last ten minutes. */
  gtk_widget_set_css_classes (GTK_WIDGET (row->due_label),
                              (const char *[]) { "heading",
                                                 entry->overdue ? "error"
                                                 : entry->task->status == WARD_TASK_REQUESTED &&
                                                   entry->task->due_at - now < 10 * 60 * G_USEC_PER_SEC
                                                 ? "warning" : "dim-label",
                                                 NULL });
  set_text (row->due_label, due_text);
  set_text (row->title_label, title);
  set_text (row->detail_label, detail);
  gtk_widget_set_visible (row->accept_button, entry->task->status == WARD_TASK_REQUESTED);

  label = g_strdup_printf ("%s, %s, %s", title, due_text, detail);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static gint64
focused_task (WardCareView *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_box)))
    return 0;
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);

      if (focus == row->row || gtk_widget_is_ancestor (focus, row->row))
        return row->task_id;
    }

  return 0;
}

static void
refresh (WardCareView *self)
{
  g_autoptr(GArray) entries = collect_entries (self);
  gboolean same = entries->len == self->rows->len;
  gint64 now = self->snapshot != NULL ? ward_snapshot_get_now (self->snapshot) : 0;

  for (guint i = 0; same && i < entries->len; i++)
    same = g_array_index (entries, Entry, i).task->id == g_array_index (self->rows, Row, i).task_id;

  if (!same)
    {
      gint64 focus = focused_task (self);
      GtkWidget *child;

      /* Rebuilt only when the list changed, so that a row keeps its
       * focus while its words count down.
       */
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
        gtk_list_box_remove (self->list_box, child);
      g_array_set_size (self->rows, 0);

      for (guint i = 0; i < entries->len; i++)
        {
          Row row = { 0 };

          make_row (self, &row, &g_array_index (entries, Entry, i));
          gtk_list_box_append (self->list_box, row.row);
          g_array_append_val (self->rows, row);
          if (row.task_id == focus)
            gtk_widget_grab_focus (row.row);
        }
    }

  for (guint i = 0; i < entries->len; i++)
    update_row (self, &g_array_index (self->rows, Row, i), &g_array_index (entries, Entry, i), now);

  gtk_stack_set_visible_child_name (self->stack, entries->len > 0 ? "list" : "empty");
  {
    g_autofree char *subtitle = NULL;
    guint n_overdue = 0;

    for (guint i = 0; i < entries->len; i++)
      n_overdue += g_array_index (entries, Entry, i).overdue;
    /* Translators: the care view's subtitle, "5 open tasks, 2 overdue" */
    subtitle = g_strdup_printf (ngettext ("%u open task, %u overdue", "%u open tasks, %u overdue",
                                          entries->len),
                                entries->len, n_overdue);
    adw_window_title_set_subtitle (self->window_title, subtitle);
  }
  adw_status_page_set_description (self->empty_page,
                                   self->filter == WARD_CARE_FILTER_MINE
                                   ? _("Nobody has given you a task, and you have accepted none.")
                                   : self->filter == WARD_CARE_FILTER_ROLE
                                   ? _("No task waits for you or your roles.")
                                   : _("Every flag and concern of the ward has been dealt with."));
}

static Row *
find_row (WardCareView *self,
          gint64        task_id)
{
  for (guint i = 0; i < self->rows->len; i++)
    if (g_array_index (self->rows, Row, i).task_id == task_id)
      return &g_array_index (self->rows, Row, i);

  return NULL;
}

/* Commands */

typedef struct
{
  WardCareView *self;
  char         *what;    /* "accept the task" */
} CommandData;

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CommandData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (ward_pipeline_care_finish (WARD_PIPELINE (object), result, &error) == 0 &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: "Could not accept the task: <why>" */
      g_autofree char *text = g_strdup_printf (_("Could not %s: %s"), data->what, error->message);

      toast (data->self, text);
    }

  g_object_unref (data->self);
  g_free (data->what);
  g_free (data);
}

/* Whether an action can run now; says why not.  Nobody signed in opens
 * the Switch User dialog, as the window's acknowledge does.
 */
static gboolean
can_act (WardCareView *self)
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

static void
run_command (WardCareView    *self,
             WardCareCommand *command,
             const char      *what)
{
  CommandData *data = g_new0 (CommandData, 1);

  data->self = g_object_ref (self);
  data->what = g_strdup (what);
  ward_pipeline_care_async (self->pipeline, command, self->cancellable, command_done_cb, data);
}

static void
accept_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  WardCareView *self = WARD_CARE_VIEW (widget);

  if (!can_act (self))
    return;
  run_command (self,
               ward_care_command_accept (g_variant_get_int64 (parameter), self->user,
                                         ward_pipeline_get_station (self->pipeline)),
               _("accept the task"));
}

static void
open_patient_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  g_signal_emit (widget, signals[OPEN_PATIENT], 0, g_variant_get_string (parameter, NULL));
}

static GtkWidget *
labelled (const char *text,
          GtkWidget  *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);

  return box;
}

static void
complete_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      WardCareView     *self)
{
  GtkDropDown *outcome = g_object_get_data (G_OBJECT (dialog), "outcome");
  GtkEditable *note = g_object_get_data (G_OBJECT (dialog), "note");
  gint64 task_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "task"));
  const char *text = gtk_editable_get_text (note);

  if (g_strcmp0 (response, "complete") != 0 || !can_act (self))
    return;

  run_command (self,
               ward_care_command_complete (task_id, gtk_drop_down_get_selected (outcome),
                                           text[0] != '\0' ? text : NULL, self->user,
                                           ward_pipeline_get_station (self->pipeline)),
               _("complete the task"));
}

static AdwMessageDialog *
new_dialog (WardCareView *self,
            const char   *heading,
            Row          *row)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                                         row->title));

  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "task", GSIZE_TO_POINTER (row->task_id));
  g_set_weak_pointer (&self->dialog, dialog);

  return dialog;
}

static void
complete_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  WardCareView *self = WARD_CARE_VIEW (widget);
  Row *row = find_row (self, g_variant_get_int64 (parameter));
  const char *outcomes[WARD_N_OUTCOMES + 1] = { NULL };
  AdwMessageDialog *dialog;
  GtkWidget *box, *outcome, *note;

  if (row == NULL || !can_act (self))
    return;

  for (guint i = 0; i < WARD_N_OUTCOMES; i++)
    outcomes[i] = ward_task_outcome_to_label (i);
  outcome = gtk_drop_down_new_from_strings (outcomes);
  note = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("What was done, for the next person"));
  gtk_entry_set_activates_default (GTK_ENTRY (note), TRUE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_box_append (GTK_BOX (box), labelled (_("_Outcome"), outcome));
  gtk_box_append (GTK_BOX (box), labelled (_("_Note"), note));

  dialog = new_dialog (self, _("Complete Task"), row);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_response (dialog, "complete", _("C_omplete"));
  adw_message_dialog_set_response_appearance (dialog, "complete", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "complete");
  g_object_set_data (G_OBJECT (dialog), "outcome", outcome);
  g_object_set_data (G_OBJECT (dialog), "note", note);
  g_signal_connect_object (dialog, "response", G_CALLBACK (complete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reassign_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      WardCareView     *self)
{
  GtkDropDown *to = g_object_get_data (G_OBJECT (dialog), "to");
  gint64 task_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "task"));
  guint selected = gtk_drop_down_get_selected (to);
  WardStaff *staff = _ward_flag_words_get_staff ();
  WardRole role = WARD_ROLE_BED_NURSE;
  const char *to_staff = NULL;

  if (g_strcmp0 (response, "reassign") != 0 || !can_act (self))
    return;

  /* The roles first, then the staff by name (ward-flag-words's list). */
  if (selected < WARD_N_ROLES)
    role = selected;
  else if (staff != NULL && selected - WARD_N_ROLES < ward_staff_get_n_members (staff))
    {
      const WardStaffMember *member = ward_staff_get_member (staff, selected - WARD_N_ROLES);

      to_staff = member->id;
      /* Their first role, as what they take it as. */
      for (guint r = 0; r < WARD_N_ROLES; r++)
        if ((member->roles & (1u << r)) != 0)
          {
            role = r;
            break;
          }
    }
  else
    return;

  run_command (self,
               ward_care_command_reassign (task_id, role, to_staff, self->user,
                                           ward_pipeline_get_station (self->pipeline)),
               _("reassign the task"));
}

static void
reassign_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  WardCareView *self = WARD_CARE_VIEW (widget);
  Row *row = find_row (self, g_variant_get_int64 (parameter));
  WardStaff *staff = _ward_flag_words_get_staff ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  AdwMessageDialog *dialog;
  GtkWidget *to;

  if (row == NULL || !can_act (self))
    return;

  for (guint r = 0; r < WARD_N_ROLES; r++)
    /* Translators: reassign to a role, "Any doctor" */
    g_ptr_array_add (names, g_strdup_printf (_("Role: %s"), ward_role_to_label (r)));
  for (guint i = 0; staff != NULL && i < ward_staff_get_n_members (staff); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (staff, i);
      g_autofree char *roles = ward_staff_roles_describe (member->roles);

      g_ptr_array_add (names, g_strdup_printf ("%s (%s)", member->name, roles));
    }
  g_ptr_array_add (names, NULL);
  to = gtk_drop_down_new_from_strings ((const char * const *) names->pdata);

  dialog = new_dialog (self, _("Reassign Task"), row);
  adw_message_dialog_set_extra_child (dialog, labelled (_("_To"), to));
  adw_message_dialog_add_response (dialog, "reassign", _("_Reassign"));
  adw_message_dialog_set_response_appearance (dialog, "reassign", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "reassign");
  g_object_set_data (G_OBJECT (dialog), "to", to);
  g_signal_connect_object (dialog, "response", G_CALLBACK (reassign_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
filter_toggled_cb (WardCareView *self)
{
  WardCareFilter filter = gtk_toggle_button_get_active (self->mine_button) ? WARD_CARE_FILTER_MINE
                        : gtk_toggle_button_get_active (self->role_button) ? WARD_CARE_FILTER_ROLE
                        : WARD_CARE_FILTER_WARD;

  if (filter == self->filter)
    return;
  self->filter = filter;
  refresh (self);
}

static void
handover_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_signal_emit (widget, signals[HANDOVER], 0);
}

static void
filter_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ward_care_view_set_filter (WARD_CARE_VIEW (widget), g_variant_get_int32 (parameter));
}

static void
ward_care_view_dispose (GObject *object)
{
  WardCareView *self = WARD_CARE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_weak_pointer (&self->dialog);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_CARE_VIEW);

  G_OBJECT_CLASS (ward_care_view_parent_class)->dispose (object);
}

static void
ward_care_view_class_init (WardCareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_care_view_dispose;

  /**
   * WardCareView::open-patient:
   * @patient_id: the patient
   *
   * A row's Open Patient: the main window shows the patient.
   */
  signals[OPEN_PATIENT] = g_signal_new ("open-patient", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * WardCareView::handover:
   *
   * The Handover button: the main window opens its handover dialog.
   */
  signals[HANDOVER] = g_signal_new ("handover", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-care-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WardCareView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WardCareView, window_title);
  gtk_widget_class_bind_template_child (widget_class, WardCareView, mine_button);
  gtk_widget_class_bind_template_child (widget_class, WardCareView, role_button);
  gtk_widget_class_bind_template_child (widget_class, WardCareView, ward_button);
  gtk_widget_class_bind_template_child (widget_class, WardCareView, stack);
  gtk_widget_class_bind_template_child (widget_class, WardCareView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, WardCareView, list_box);

  gtk_widget_class_install_action (widget_class, "care.accept", "x", accept_action_cb);
  gtk_widget_class_install_action (widget_class, "care.reassign", "x", reassign_action_cb);
  gtk_widget_class_install_action (widget_class, "care.complete", "x", complete_action_cb);
  gtk_widget_class_install_action (widget_class, "care.open-patient", "s", open_patient_action_cb);
  gtk_widget_class_install_action (widget_class, "care.filter", "i", filter_action_cb);
  gtk_widget_class_install_action (widget_class, "care.handover", NULL, handover_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_H, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "care.handover", NULL);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "care.filter", "i",
                                       WARD_CARE_FILTER_MINE);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "care.filter", "i",
                                       WARD_CARE_FILTER_ROLE);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "care.filter", "i",
                                       WARD_CARE_FILTER_WARD);
}

static void
ward_care_view_init (WardCareView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ward_a11y_name_buttons (GTK_WIDGET (self));

  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, (GDestroyNotify) row_clear);
  self->cancellable = g_cancellable_new ();
  self->filter = WARD_CARE_FILTER_WARD;
  g_signal_connect_swapped (self->mine_button, "toggled", G_CALLBACK (filter_toggled_cb), self);
  g_signal_connect_swapped (self->role_button, "toggled", G_CALLBACK (filter_toggled_cb), self);
  g_signal_connect_swapped (self->ward_button, "toggled", G_CALLBACK (filter_toggled_cb), self);
  refresh (self);
}

WardCareView *
ward_care_view_new (GtkWindow *parent)
{
  WardCareView *self = g_object_new (WARD_TYPE_CARE_VIEW, NULL);

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      /* For app.switch-user. */
      gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }

  return self;
}

void
ward_care_view_set_pipeline (WardCareView *self,
                             WardPipeline *pipeline)
{
  g_return_if_fail (WARD_IS_CARE_VIEW (self));

  g_set_object (&self->pipeline, pipeline);
}

void
ward_care_view_set_user (WardCareView *self,
                         const char   *user)
{
  g_return_if_fail (WARD_IS_CARE_VIEW (self));

  if (g_strcmp0 (self->user, user) == 0)
    return;
  g_free (self->user);
  self->user = g_strdup (user);
  refresh (self);
}

void
ward_care_view_set_show_patient_names (WardCareView *self,
                                       gboolean      show)
{
  g_return_if_fail (WARD_IS_CARE_VIEW (self));

  if (self->show_patient_names == !!show)
    return;
  self->show_patient_names = !!show;
  /* The titles are in the accessible names too: make the rows again. */
  g_array_set_size (self->rows, 0);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
      gtk_list_box_remove (self->list_box, child);
  }
  refresh (self);
}

void
ward_care_view_apply_snapshot (WardCareView *self,
                               WardSnapshot *snapshot)
{
  g_return_if_fail (WARD_IS_CARE_VIEW (self));
  g_return_if_fail (snapshot != NULL);

  if (snapshot == self->snapshot)
    return;
  ward_snapshot_ref (snapshot);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  self->snapshot = snapshot;
  refresh (self);
}

void
ward_care_view_set_filter (WardCareView   *self,
                           WardCareFilter  filter)
{
  g_return_if_fail (WARD_IS_CARE_VIEW (self));

  switch (filter)
    {
    case WARD_CARE_FILTER_MINE:
      gtk_toggle_button_set_active (self->mine_button, TRUE);
      break;
    case WARD_CARE_FILTER_ROLE:
      gtk_toggle_button_set_active (self->role_button, TRUE);
      break;
    case WARD_CARE_FILTER_WARD:
    default:
      gtk_toggle_button_set_active (self->ward_button, TRUE);
      break;
    }
}

WardCareFilter
ward_care_view_get_filter (WardCareView *self)
{
  g_return_val_if_fail (WARD_IS_CARE_VIEW (self), WARD_CARE_FILTER_WARD);

  return self->filter;
}

guint
_ward_care_view_get_n_rows (WardCareView *self)
{
  return self->rows->len;
}

gint64
_ward_care_view_get_row_task (WardCareView *self,
                              guint         index)
{
  g_return_val_if_fail (index < self->rows->len, 0);

  return g_array_index (self->rows, Row, index).task_id;
}

GtkWidget *
_ward_care_view_get_row (WardCareView *self,
                         guint         index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);

  return g_array_index (self->rows, Row, index).row;
}

GtkWidget *
_ward_care_view_get_row_accept (WardCareView *self,
                                guint         index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);

  return g_array_index (self->rows, Row, index).accept_button;
}

const char *
_ward_care_view_get_row_due (WardCareView *self,
                             guint         index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);

  return gtk_label_get_text (g_array_index (self->rows, Row, index).due_label);
}

AdwMessageDialog *
_ward_care_view_get_dialog (WardCareView *self)
{
  return self->dialog;
}
