/* ward-timeline-window.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-timeline-window"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ward-a11y.h"
#include "ward-clinical.h"
#include "ward-flag-words.h"
#include "ward-timeline.h"
#include "ward-timeline-window.h"
#include "ward-timeline-window-private.h"

/* The newest this many: a shift and more for a patient on a busy ward. */
#define TIMELINE_LIMIT 500

struct _WardTimelineWindow
{
  AdwWindow       parent_instance;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  AdwStatusPage  *status_page;
  GtkListBox     *list_box;

  /* Owned */
  char           *db_path;
  char           *patient_id;
  GCancellable   *cancellable;
  GPtrArray      *texts;        /* char *, each row's accessible text */
};

G_DEFINE_FINAL_TYPE (WardTimelineWindow, ward_timeline_window, ADW_TYPE_WINDOW)

static const char *
audit_words (const char *action)
{
  static const struct { const char *action; const char *words; } known[] = {
    { "task-created", N_("Task made") },
    { "task-accepted", N_("Task accepted") },
    { "task-cancelled", N_("Task cancelled") },
    { "task-band-raised", N_("Task priority raised") },
    { "task-escalated", N_("Not accepted in time: escalated to the next role") },
    { "task-reassigned", N_("Task reassigned") },
    { "task-completed", N_("Task completed") },
    { "task-handed-over", N_("Task handed over") },
    { "task-rerouted", N_("Task routed again: its owner left the ward's staff") },
    { "concern", N_("Concern raised") },
    { "bed-allocated", N_("Bed allocated") },
    { "bed-freed", N_("Bed freed") },
    { "acknowledge", N_("Flag acknowledged") },
    { "confirm", N_("Score confirmed") },
    { "flag-raised", N_("Flag raised") },
    { "flag-escalated", N_("Flag escalated") },
    { "flag-closed", N_("Flag closed") },
    { "nurse-entry", N_("Observations entered") },
    { "technical-alert", N_("Monitor silent") },
    { "technical-alert-cleared", N_("Monitor sending again") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_strcmp0 (known[i].action, action) == 0)
      return _(known[i].words);

  return NULL;
}

static const char *
communication_words (const char *kind)
{
  if (g_strcmp0 (kind, "notification") == 0)
    return _("Notified");
  if (g_strcmp0 (kind, "escalation") == 0)
    return _("Escalation");
  if (g_strcmp0 (kind, "handover") == 0)
    return _("Handover note");
  if (g_strcmp0 (kind, "concern") == 0)
    return _("Concern");
  if (g_strcmp0 (kind, "reassignment") == 0)
    return _("Reassigned");

  return kind;
}

/* An audit row's JSON detail as "key: value" pairs of its plain members;
 * NULL when there is nothing plain to say.
 */
static char *
detail_words (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_strdup (json);

  object = json_node_get_object (json_parser_get_root (parser));
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    {
      g_autofree char *value = NULL;

      /* Row ids and internals say nothing to a nurse. */
      if (!JSON_NODE_HOLDS_VALUE (node) || g_str_has_suffix (name, "_id") ||
          g_strcmp0 (name, "nurse_validated") == 0)
        continue;
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *string = json_node_get_string (node);
          WardRole role;

          value = g_strcmp0 (name, "role") == 0 && ward_role_from_string (string, &role)
                  ? g_strdup (ward_role_to_label (role)) : g_strdup (string);
        }
      else if (json_node_get_value_type (node) == G_TYPE_INT64)
        value = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        value = g_strdup_printf ("%g", json_node_get_double (node));
      else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        value = g_strdup (json_node_get_boolean (node) ? "yes" : "no");
      if (value == NULL)
        continue;
      g_string_append_printf (text, "%s%s: %s", text->len > 0 ? " · " : "", name, value);
    }

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static GtkWidget *
make_row (WardTimelineWindow      *self,
          const WardTimelineEntry *entry)
{
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (entry->at / G_USEC_PER_SEC);
  g_autofree char *when = at != NULL ? g_date_time_format (at, "%d %b %H:%M") : g_strdup ("—");
  g_autofree char *who = NULL;
  g_autofree char *what = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *accessible = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *when_label = gtk_label_new (when);
  GtkWidget *what_label;

  switch (entry->kind)
    {
    case WARD_TIMELINE_SCORE:
      /* Translators: a NEWS2 band change in the timeline, "NEWS2 7 (high)" */
      what = g_strdup_printf (_("NEWS2 %d (%s)"), entry->total, ward_clinical_band_phrase (entry->band));
      break;
    case WARD_TIMELINE_COMMUNICATION:
      what = g_strdup (communication_words (entry->action));
      detail = g_strdup (entry->detail);
      break;
    case WARD_TIMELINE_AUDIT:
    default:
      {
        const char *words = audit_words (entry->action);

        what = g_strdup (words != NULL ? words : entry->action);
        detail = detail_words (entry->detail);
      }
      break;
    }

  if (entry->actor != NULL && g_strcmp0 (entry->actor, "wardwatch") != 0)
    who = _ward_flag_words_staff_name (entry->actor);
  else if (entry->kind != WARD_TIMELINE_SCORE)
    who = g_strdup (_("Wardwatch"));

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_label_set_xalign (GTK_LABEL (when_label), 0);
  gtk_label_set_width_chars (GTK_LABEL (when_label), 13);
  gtk_widget_add_css_class (when_label, "numeric");
  gtk_widget_add_css_class (when_label, "dim-label");
  gtk_widget_set_valign (when_label, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), when_label);

  {
    /* Translators: what happened and who did it, "Task accepted · Ada Nwosu" */
    g_autofree char *line = who != NULL ? g_strdup_printf (_("%s · %s"), what, who) : g_strdup (what);

    what_label = gtk_label_new (line);
    gtk_label_set_xalign (GTK_LABEL (what_label), 0);
    gtk_label_set_wrap (GTK_LABEL (what_label), TRUE);
    gtk_widget_add_css_class (what_label, "heading");
    gtk_box_append (GTK_BOX (text), what_label);
    accessible = detail != NULL ? g_strdup_printf ("%s, %s, %s", when, line, detail)
                                : g_strdup_printf ("%s, %s", when, line);
  }
  if (detail != NULL)
    {
      GtkWidget *detail_label = gtk_label_new (detail);

      gtk_label_set_xalign (GTK_LABEL (detail_label), 0);
      gtk_label_set_wrap (GTK_LABEL (detail_label), TRUE);
      gtk_label_set_selectable (GTK_LABEL (detail_label), TRUE);
      gtk_widget_add_css_class (detail_label, "dim-label");
      gtk_box_append (GTK_BOX (text), detail_label);
    }
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_ptr_array_add (self->texts, g_steal_pointer (&accessible));

  return row;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = ward_timeline_load_finish (result, &error);
  WardTimelineWindow *self;
  GtkWidget *child;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = WARD_TIMELINE_WINDOW (user_data);
  g_clear_object (&self->cancellable);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  g_ptr_array_set_size (self->texts, 0);

  if (entries == NULL)
    {
      adw_status_page_set_title (self->status_page, _("Could Not Read the Timeline"));
      adw_status_page_set_description (self->status_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "status");
      return;
    }
  if (entries->len == 0)
    {
      adw_status_page_set_title (self->status_page, _("Nothing Recorded Yet"));
      adw_status_page_set_description (self->status_page, NULL);
      gtk_stack_set_visible_child_name (self->stack, "status");
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    gtk_list_box_append (self->list_box, make_row (self, g_ptr_array_index (entries, i)));
  gtk_stack_set_visible_child_name (self->stack, "list");
}

void
ward_timeline_window_reload (WardTimelineWindow *self)
{
  g_return_if_fail (WARD_IS_TIMELINE_WINDOW (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ward_timeline_load_async (self->db_path, self->patient_id, TIMELINE_LIMIT, self->cancellable,
                            loaded_cb, self);
}

static void
reload_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ward_timeline_window_reload (WARD_TIMELINE_WINDOW (widget));
}

static void
ward_timeline_window_dispose (GObject *object)
{
  WardTimelineWindow *self = WARD_TIMELINE_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->patient_id, g_free);
  g_clear_pointer (&self->texts, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_TIMELINE_WINDOW);

  G_OBJECT_CLASS (ward_timeline_window_parent_class)->dispose (object);
}

static void
ward_timeline_window_class_init (WardTimelineWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_timeline_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-timeline-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WardTimelineWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, WardTimelineWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, WardTimelineWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, WardTimelineWindow, list_box);

  gtk_widget_class_install_action (widget_class, "timeline.reload", NULL, reload_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "timeline.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
ward_timeline_window_init (WardTimelineWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ward_a11y_name_buttons (GTK_WIDGET (self));
  self->texts = g_ptr_array_new_with_free_func (g_free);
}

WardTimelineWindow *
ward_timeline_window_new (GtkWindow  *parent,
                          const char *db_path,
                          const char *patient_id,
                          const char *about)
{
  WardTimelineWindow *self;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  self = g_object_new (WARD_TYPE_TIMELINE_WINDOW, NULL);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->db_path = g_strdup (db_path);
  self->patient_id = g_strdup (patient_id);
  adw_window_title_set_subtitle (self->window_title, about != NULL ? about : patient_id);
  adw_status_page_set_title (self->status_page, _("Reading…"));
  ward_timeline_window_reload (self);

  return self;
}

gboolean
_ward_timeline_window_is_loading (WardTimelineWindow *self)
{
  return self->cancellable != NULL;
}

guint
_ward_timeline_window_get_n_rows (WardTimelineWindow *self)
{
  return self->texts->len;
}

const char *
_ward_timeline_window_get_row_text (WardTimelineWindow *self,
                                    guint               index)
{
  g_return_val_if_fail (index < self->texts->len, NULL);

  return g_ptr_array_index (self->texts, index);
}
