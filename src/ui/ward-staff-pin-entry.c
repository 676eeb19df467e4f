/* ward-staff-pin-entry.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-staff-pin-entry"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-staff-pin-entry.h"

struct _WardStaffPinEntry
{
  GtkWidget     parent_instance;

  /* Template widgets */
  AdwComboRow  *staff_row;
  AdwEntryRow  *pin_row;
  GtkLabel     *error_label;

  /* Owned */
  GPtrArray    *ids;            /* staff ids, in the order of staff_row's model */
};

enum {
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WardStaffPinEntry, ward_staff_pin_entry, GTK_TYPE_WIDGET)

static void
pin_activated_cb (WardStaffPinEntry *self)
{
  g_signal_emit (self, signals[ACTIVATE], 0);
}

static void
ward_staff_pin_entry_dispose (GObject *object)
{
  WardStaffPinEntry *self = WARD_STAFF_PIN_ENTRY (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_STAFF_PIN_ENTRY);
  /* The group is not a bound child: a plain GtkWidget unparents its own. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->ids, g_ptr_array_unref);

  G_OBJECT_CLASS (ward_staff_pin_entry_parent_class)->dispose (object);
}

static void
ward_staff_pin_entry_class_init (WardStaffPinEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_staff_pin_entry_dispose;

  signals[ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-staff-pin-entry.ui");
  gtk_widget_class_bind_template_child (widget_class, WardStaffPinEntry, staff_row);
  gtk_widget_class_bind_template_child (widget_class, WardStaffPinEntry, pin_row);
  gtk_widget_class_bind_template_child (widget_class, WardStaffPinEntry, error_label);
  gtk_widget_class_bind_template_callback (widget_class, pin_activated_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ward_staff_pin_entry_init (WardStaffPinEntry *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->ids = g_ptr_array_new_with_free_func (g_free);

  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
}

GtkWidget *
ward_staff_pin_entry_new (void)
{
  return g_object_new (WARD_TYPE_STAFF_PIN_ENTRY, NULL);
}

guint
ward_staff_pin_entry_set_staff (WardStaffPinEntry *self,
                                WardStaff         *staff)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *selected = NULL;
  gboolean had_list;

  g_return_val_if_fail (WARD_IS_STAFF_PIN_ENTRY (self), 0);
  g_return_val_if_fail (staff == NULL || WARD_IS_STAFF (staff), 0);

  /* A new list while the prompt is open (the CareTeam changed): whoever
   * was picked stays picked when still on it.
   */
  had_list = self->ids->len > 0;
  selected = g_strdup (ward_staff_pin_entry_get_selected (self));
  g_ptr_array_set_size (self->ids, 0);

  /* Only those who can switch in: members with a PIN. */
  for (guint i = 0; staff != NULL && i < ward_staff_get_n_members (staff); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (staff, i);
      g_autofree char *roles = NULL;
      g_autofree char *item = NULL;

      if (member->pin_hash == NULL)
        continue;

      roles = ward_staff_roles_describe (member->roles);
      /* Translators: a staff member in the list of who types a PIN, "Ada Nwosu (Bed nurse)" */
      item = g_strdup_printf (_("%s (%s)"), member->name, roles);
      gtk_string_list_append (names, item);
      g_ptr_array_add (self->ids, g_strdup (member->id));
    }

  adw_combo_row_set_model (self->staff_row, G_LIST_MODEL (names));
  gtk_widget_set_visible (GTK_WIDGET (self->staff_row), self->ids->len > 0);

  if (had_list)
    {
      guint position = GTK_INVALID_LIST_POSITION;

      for (guint i = 0; selected != NULL && i < self->ids->len; i++)
        if (g_str_equal (g_ptr_array_index (self->ids, i), selected))
          position = i;
      /* Taken off the list: nobody is picked in their place, and what was
       * typed goes (it was not the next name's PIN).
       */
      if (position == GTK_INVALID_LIST_POSITION)
        ward_staff_pin_entry_clear_pin (self);
      adw_combo_row_set_selected (self->staff_row, position);
    }

  return self->ids->len;
}

void
ward_staff_pin_entry_select (WardStaffPinEntry *self,
                             const char        *staff_id)
{
  g_return_if_fail (WARD_IS_STAFF_PIN_ENTRY (self));

  for (guint i = 0; staff_id != NULL && i < self->ids->len; i++)
    if (g_str_equal (g_ptr_array_index (self->ids, i), staff_id))
      adw_combo_row_set_selected (self->staff_row, i);
}

const char *
ward_staff_pin_entry_get_selected (WardStaffPinEntry *self)
{
  guint selected;

  g_return_val_if_fail (WARD_IS_STAFF_PIN_ENTRY (self), NULL);

  selected = adw_combo_row_get_selected (self->staff_row);
  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->ids->len)
    return NULL;

  return g_ptr_array_index (self->ids, selected);
}

const char *
ward_staff_pin_entry_get_pin (WardStaffPinEntry *self)
{
  g_return_val_if_fail (WARD_IS_STAFF_PIN_ENTRY (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
}

void
ward_staff_pin_entry_clear_pin (WardStaffPinEntry *self)
{
  g_return_if_fail (WARD_IS_STAFF_PIN_ENTRY (self));

  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
}

void
ward_staff_pin_entry_set_pin_title (WardStaffPinEntry *self,
                                    const char        *title)
{
  g_return_if_fail (WARD_IS_STAFF_PIN_ENTRY (self));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->pin_row), title);
}

void
ward_staff_pin_entry_show_error (WardStaffPinEntry *self,
                                 const char        *message)
{
  g_return_if_fail (WARD_IS_STAFF_PIN_ENTRY (self));

  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  /* A screen reader says the reason at once, not only on the next focus. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pin_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message ? message : "", -1);
}

const char *
ward_staff_pin_entry_get_error (WardStaffPinEntry *self)
{
  g_return_val_if_fail (WARD_IS_STAFF_PIN_ENTRY (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

GtkWidget *
ward_staff_pin_entry_get_pin_row (WardStaffPinEntry *self)
{
  g_return_val_if_fail (WARD_IS_STAFF_PIN_ENTRY (self), NULL);

  return GTK_WIDGET (self->pin_row);
}

GtkWidget *
ward_staff_pin_entry_get_staff_row (WardStaffPinEntry *self)
{
  g_return_val_if_fail (WARD_IS_STAFF_PIN_ENTRY (self), NULL);

  return GTK_WIDGET (self->staff_row);
}
