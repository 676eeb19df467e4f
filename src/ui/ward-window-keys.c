/* ward-window-keys.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-window"

#include "config.h"

#include "ward-window.h"
#include "ward-window-private.h"

/*
 * The window's own keys, wherever the focus is.
 *
 * A shortcut added with gtk_widget_class_add_binding_action() belongs to
 * its widget and runs in the bubble phase, only for events that reach it
 * from the focus.  Two of ours did not reach:
 *
 *  - Alt+1 to Alt+5 (the patient view's span) belong to the patient view,
 *    so they did nothing while the focus was outside it: after opening the
 *    patient from the alarm bar, the focus stays on the bar's entry;
 *  - Ctrl+Shift+A (acknowledge the top alarm) belongs to the window, but
 *    with a tile focused GtkFlowBox takes it first as its "unselect-all".
 *
 * This controller sits on the window in the capture phase, so it sees each
 * key before any child does.  A key whose action cannot run now (no
 * patient shown, no alarm to acknowledge) is not taken and goes on as
 * before.  The widget classes keep their bindings: the shortcuts window's
 * test reads them, and they are what a focused view would run anyway.
 */

static gboolean
span_key_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  WardWindow *self = WARD_WINDOW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "patient") != 0)
    return FALSE;

  return gtk_widget_activate_action_variant (GTK_WIDGET (self->patient_view), "patient.span", args);
}

static void
add_shortcut (GtkShortcutController *controller,
              guint                  keyval,
              GdkModifierType        modifiers,
              GtkShortcutAction     *action,
              GVariant              *args)
{
  GtkShortcut *shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (keyval, modifiers), action);

  if (args != NULL)
    gtk_shortcut_set_arguments (shortcut, args);
  gtk_shortcut_controller_add_shortcut (controller, shortcut);
}

void
_ward_window_init_keys (WardWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (controller);

  gtk_event_controller_set_static_name (controller, "ward-window-keys");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);

  for (int i = 0; i < 5; i++)
    add_shortcut (shortcuts, GDK_KEY_1 + i, GDK_ALT_MASK,
                  gtk_callback_action_new (span_key_cb, NULL, NULL),
                  g_variant_new_int32 (i));

  /* A disabled action (no unacknowledged alarm) is not activated, and the
   * key goes on to the focused widget. */
  add_shortcut (shortcuts, GDK_KEY_A, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                gtk_named_action_new ("win.acknowledge-top"), NULL);

  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
