/* ward-switch-user.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-switch-user"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-a11y.h"
#include "ward-staff-pin-entry.h"
#include "ward-switch-user.h"
#include "ward-switch-user-private.h"

struct _WardSwitchUser
{
  AdwWindow     parent_instance;

  /* Template widgets */
  GtkLabel          *current_label;
  WardStaffPinEntry *pin_entry;
  GtkButton         *sign_out_button;

  /* Owned */
  WardSession       *session;
  guint              n_staff;     /* members listed: those with a PIN */
};

G_DEFINE_FINAL_TYPE (WardSwitchUser, ward_switch_user, ADW_TYPE_WINDOW)

static void
update (WardSwitchUser *self)
{
  const WardStaffMember *acting = ward_session_get_acting (self->session);
  g_autofree char *text = NULL;

  if (acting != NULL)
    {
      g_autofree char *sign_out = NULL;

      /* Translators: in the Switch User dialog */
      text = g_strdup_printf (_("Signed in: %s. Anyone else, pick your name and type your PIN."),
                              acting->name);
      /* Translators: a button in the Switch User dialog */
      sign_out = g_strdup_printf (_("Sign _Out %s"), acting->name);
      gtk_button_set_label (self->sign_out_button, sign_out);
    }
  else
    text = g_strdup (_("Nobody is signed in. Pick your name and type your PIN."));

  gtk_label_set_text (self->current_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_out_button), acting != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "switch-user.sign-in", self->n_staff > 0);
}

/* Who can switch in, also when the staff list changes with the dialog
 * open (a member added to or taken off the ward's CareTeam).
 */
static void
update_staff (WardSwitchUser *self)
{
  const char *nobody = _("Nobody on this ward's staff list has a PIN: ask the nurse in charge.");

  self->n_staff = ward_staff_pin_entry_set_staff (self->pin_entry,
                                                  ward_session_get_staff (self->session));
  if (self->n_staff == 0)
    ward_staff_pin_entry_show_error (self->pin_entry, nobody);
  else if (g_strcmp0 (ward_staff_pin_entry_get_error (self->pin_entry), nobody) == 0)
    ward_staff_pin_entry_show_error (self->pin_entry, NULL);
  update (self);
}

static void
sign_in_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  WardSwitchUser *self = WARD_SWITCH_USER (widget);
  g_autoptr(GError) error = NULL;
  const char *staff_id = ward_staff_pin_entry_get_selected (self->pin_entry);
  const char *pin = ward_staff_pin_entry_get_pin (self->pin_entry);

  if (staff_id == NULL)
    {
      ward_staff_pin_entry_show_error (self->pin_entry, _("Pick your name first."));
      gtk_widget_grab_focus (ward_staff_pin_entry_get_staff_row (self->pin_entry));
      return;
    }

  if (pin[0] == '\0')
    {
      ward_staff_pin_entry_show_error (self->pin_entry, _("Type your PIN."));
      gtk_widget_grab_focus (ward_staff_pin_entry_get_pin_row (self->pin_entry));
      return;
    }

  if (!ward_session_sign_in (self->session, staff_id, pin, &error))
    {
      /* The PIN is never left in the field for the next person to see
       * or to try again by pressing Enter.
       */
      ward_staff_pin_entry_clear_pin (self->pin_entry);
      ward_staff_pin_entry_show_error (self->pin_entry, error->message);
      gtk_widget_grab_focus (ward_staff_pin_entry_get_pin_row (self->pin_entry));
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static void
sign_out_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  WardSwitchUser *self = WARD_SWITCH_USER (widget);

  ward_session_sign_out (self->session);
  ward_staff_pin_entry_show_error (self->pin_entry, NULL);
  gtk_widget_grab_focus (ward_staff_pin_entry_get_staff_row (self->pin_entry));
}

static void
pin_activated_cb (WardSwitchUser *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "switch-user.sign-in", NULL);
}

static void
ward_switch_user_dispose (GObject *object)
{
  WardSwitchUser *self = WARD_SWITCH_USER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_SWITCH_USER);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ward_switch_user_parent_class)->dispose (object);
}

static void
ward_switch_user_class_init (WardSwitchUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_switch_user_dispose;

  g_type_ensure (WARD_TYPE_STAFF_PIN_ENTRY);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-switch-user.ui");
  gtk_widget_class_bind_template_child (widget_class, WardSwitchUser, current_label);
  gtk_widget_class_bind_template_child (widget_class, WardSwitchUser, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, WardSwitchUser, sign_out_button);
  gtk_widget_class_bind_template_callback (widget_class, pin_activated_cb);

  gtk_widget_class_install_action (widget_class, "switch-user.sign-in", NULL, sign_in_action_cb);
  gtk_widget_class_install_action (widget_class, "switch-user.sign-out", NULL, sign_out_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ward_switch_user_init (WardSwitchUser *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ward_a11y_name_buttons (GTK_WIDGET (self));
}

WardSwitchUser *
ward_switch_user_new (GtkWindow   *parent,
                      WardSession *session)
{
  WardSwitchUser *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WARD_IS_SESSION (session), NULL);

  self = g_object_new (WARD_TYPE_SWITCH_USER,
                       "transient-for", parent,
                       NULL);
  self->session = g_object_ref (session);

  update_staff (self);
  g_signal_connect_object (session, "notify::staff", G_CALLBACK (update_staff), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::acting-id", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
  /* Typing goes straight into the PIN: the name is usually the one
   * preselected (ward_switch_user_select()).
   */
  gtk_window_set_focus (GTK_WINDOW (self), ward_staff_pin_entry_get_pin_row (self->pin_entry));

  return self;
}

void
ward_switch_user_select (WardSwitchUser *self,
                         const char     *staff_id)
{
  g_return_if_fail (WARD_IS_SWITCH_USER (self));

  ward_staff_pin_entry_select (self->pin_entry, staff_id);
}

const char *
ward_switch_user_get_error (WardSwitchUser *self)
{
  g_return_val_if_fail (WARD_IS_SWITCH_USER (self), NULL);

  return ward_staff_pin_entry_get_error (self->pin_entry);
}

static void
acting_changed_cb (GtkButton   *button,
                   GParamSpec  *pspec,
                   WardSession *session)
{
  const WardStaffMember *acting = ward_session_get_acting (session);
  AdwButtonContent *content = ADW_BUTTON_CONTENT (gtk_button_get_child (button));
  const char *id = ward_session_get_acting_id (session);
  g_autofree char *tooltip = NULL;

  if (id != NULL)
    {
      const char *name = acting != NULL ? acting->name : id;

      adw_button_content_set_label (content, name);
      /* Translators: tooltip of the header bar's user button */
      tooltip = g_strdup_printf (_("Signed in: %s. Switch user"), name);
      gtk_widget_remove_css_class (GTK_WIDGET (button), "suggested-action");
    }
  else
    {
      /* Translators: the header bar's user button when nobody is signed in */
      adw_button_content_set_label (content, _("Sign In"));
      tooltip = g_strdup (_("Nobody is signed in: sign in to acknowledge, enter or confirm"));
      gtk_widget_add_css_class (GTK_WIDGET (button), "suggested-action");
    }

  gtk_widget_set_tooltip_text (GTK_WIDGET (button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

GtkWidget *
ward_acting_button_new (WardSession *session)
{
  GtkWidget *button;

  g_return_val_if_fail (WARD_IS_SESSION (session), NULL);

  button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (button), adw_button_content_new ());
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (gtk_button_get_child (GTK_BUTTON (button))),
                                    "avatar-default-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.switch-user");
  g_signal_connect_object (session, "notify::acting-id", G_CALLBACK (acting_changed_cb), button,
                           G_CONNECT_SWAPPED);
  acting_changed_cb (GTK_BUTTON (button), NULL, session);

  return button;
}
