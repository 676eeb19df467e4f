/* ward-kiosk-pin.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-kiosk-pin"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-kiosk-pin.h"
#include "ward-staff-pin-entry.h"

struct _WardKioskPin
{
  AdwWindow        parent_instance;

  /* Template widgets */
  GtkLabel          *purpose_label;
  WardStaffPinEntry *pin_entry;

  /* Owned */
  WardKioskGuard    *guard;
  guint              countdown_source;

  WardKioskClock   clock;
  gpointer         clock_data;
};

enum {
  VERIFIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WardKioskPin, ward_kiosk_pin, ADW_TYPE_WINDOW)

static void
show_error (WardKioskPin *self,
            const char   *message)
{
  ward_staff_pin_entry_show_error (self->pin_entry, message);
}

static gboolean
countdown_cb (gpointer user_data)
{
  WardKioskPin *self = user_data;

  ward_kiosk_pin_update (self);

  return self->countdown_source != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
ward_kiosk_pin_update (WardKioskPin *self)
{
  gint64 now;
  gint64 until;

  g_return_if_fail (WARD_IS_KIOSK_PIN (self));

  now = self->clock (self->clock_data);
  until = ward_kiosk_guard_get_locked_until (self->guard, now);

  if (until > 0)
    {
      int seconds = (int) ((until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Too many wrong PINs. Try again in %d second.",
                                           "Too many wrong PINs. Try again in %d seconds.",
                                           seconds),
                              seconds);
      show_error (self, text);
      if (self->countdown_source == 0)
        self->countdown_source = g_timeout_add_seconds (1, countdown_cb, self);
    }
  else if (self->countdown_source != 0)
    {
      /* The wait is over: the message goes with it. */
      g_clear_handle_id (&self->countdown_source, g_source_remove);
      show_error (self, NULL);
    }

  /* The field stays usable (making it insensitive under the focus would
   * leave its cursor blinking): while locked, the guard refuses any PIN
   * unchecked, and the countdown says how long.
   */
}

static void
unlock_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  WardKioskPin *self = WARD_KIOSK_PIN (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = NULL;
  const char *staff_id = NULL;

  if (ward_kiosk_guard_uses_staff (self->guard))
    {
      staff_id = ward_staff_pin_entry_get_selected (self->pin_entry);
      if (staff_id == NULL)
        {
          show_error (self, _("Pick your name first."));
          return;
        }
    }

  pin = g_strdup (ward_staff_pin_entry_get_pin (self->pin_entry));
  /* The PIN is never left in the field for the next person to see. */
  ward_staff_pin_entry_clear_pin (self->pin_entry);
  if (pin[0] == '\0')
    {
      show_error (self, _("Type your PIN."));
      gtk_widget_grab_focus (ward_staff_pin_entry_get_pin_row (self->pin_entry));
      return;
    }

  if (!ward_kiosk_guard_check (self->guard, staff_id, pin, self->clock (self->clock_data), &error))
    {
      show_error (self, error->message);
      ward_kiosk_pin_update (self);
      if (g_error_matches (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_LOCKED))
        /* The countdown says it now, but the first words said why. */
        show_error (self, error->message);
      gtk_widget_grab_focus (ward_staff_pin_entry_get_pin_row (self->pin_entry));
      return;
    }

  show_error (self, NULL);
  g_object_ref (self);
  g_signal_emit (self, signals[VERIFIED], 0, staff_id);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

/* Who can unlock, also when the staff list changes with the prompt open
 * (a member added to or taken off the ward's CareTeam).
 */
static void
update_staff (WardKioskPin *self)
{
  const char *nobody = _("Nobody can unlock this kiosk: the ward has no staff PIN and no kiosk "
                         "PIN. Ask the ward's IT contact to set one.");
  guint n_staff;

  /* Only those who can unlock: members with a PIN. */
  n_staff = ward_staff_pin_entry_set_staff (self->pin_entry,
                                            ward_kiosk_guard_uses_staff (self->guard)
                                            ? ward_kiosk_guard_get_staff (self->guard) : NULL);
  if (n_staff == 0)
    /* Translators: the field of the kiosk's PIN prompt when the ward has one PIN */
    ward_staff_pin_entry_set_pin_title (self->pin_entry, _("Ward _PIN"));
  else
    /* Translators: the field of the kiosk's PIN prompt, under the staff member's name */
    ward_staff_pin_entry_set_pin_title (self->pin_entry, _("_PIN"));

  if (!ward_kiosk_guard_has_pin (self->guard))
    show_error (self, nobody);
  else if (g_strcmp0 (ward_staff_pin_entry_get_error (self->pin_entry), nobody) == 0)
    show_error (self, NULL);
}

static void
pin_activated_cb (WardKioskPin *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "kiosk-pin.unlock", NULL);
}

/* The PIN field gives its focus up before the prompt goes, so that its
 * cursor's blinking stops with it.
 */
static gboolean
ward_kiosk_pin_close_request (GtkWindow *window)
{
  gtk_window_set_focus (window, NULL);

  return GTK_WINDOW_CLASS (ward_kiosk_pin_parent_class)->close_request (window);
}

static void
ward_kiosk_pin_dispose (GObject *object)
{
  WardKioskPin *self = WARD_KIOSK_PIN (object);

  g_clear_handle_id (&self->countdown_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_KIOSK_PIN);
  g_clear_object (&self->guard);

  G_OBJECT_CLASS (ward_kiosk_pin_parent_class)->dispose (object);
}

static void
ward_kiosk_pin_class_init (WardKioskPinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_kiosk_pin_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = ward_kiosk_pin_close_request;

  signals[VERIFIED] = g_signal_new ("verified", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (WARD_TYPE_STAFF_PIN_ENTRY);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-kiosk-pin.ui");
  gtk_widget_class_bind_template_child (widget_class, WardKioskPin, purpose_label);
  gtk_widget_class_bind_template_child (widget_class, WardKioskPin, pin_entry);
  gtk_widget_class_bind_template_callback (widget_class, pin_activated_cb);

  gtk_widget_class_install_action (widget_class, "kiosk-pin.unlock", NULL, unlock_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ward_kiosk_pin_init (WardKioskPin *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

WardKioskPin *
ward_kiosk_pin_new (GtkWindow      *parent,
                    WardKioskGuard *guard,
                    WardKioskClock  clock,
                    gpointer        clock_data)
{
  WardKioskPin *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (guard), NULL);
  g_return_val_if_fail (clock != NULL, NULL);

  self = g_object_new (WARD_TYPE_KIOSK_PIN,
                       /* Translators: the title of the kiosk's PIN prompt */
                       "title", _("Staff PIN"),
                       "transient-for", parent,
                       NULL);
  self->guard = g_object_ref (guard);
  self->clock = clock;
  self->clock_data = clock_data;

  update_staff (self);
  g_signal_connect_object (guard, "staff-changed", G_CALLBACK (update_staff), self,
                           G_CONNECT_SWAPPED);

  ward_kiosk_pin_update (self);
  gtk_window_set_focus (GTK_WINDOW (self), ward_staff_pin_entry_get_pin_row (self->pin_entry));

  return self;
}

void
ward_kiosk_pin_set_purpose (WardKioskPin *self,
                            const char   *purpose)
{
  g_return_if_fail (WARD_IS_KIOSK_PIN (self));

  gtk_label_set_text (self->purpose_label, purpose);
}

void
ward_kiosk_pin_select (WardKioskPin *self,
                       const char   *staff_id)
{
  g_return_if_fail (WARD_IS_KIOSK_PIN (self));

  ward_staff_pin_entry_select (self->pin_entry, staff_id);
}

const char *
ward_kiosk_pin_get_error (WardKioskPin *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK_PIN (self), NULL);

  return ward_staff_pin_entry_get_error (self->pin_entry);
}
