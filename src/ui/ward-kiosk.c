/* ward-kiosk.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-kiosk"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-kiosk.h"
#include "ward-kiosk-private.h"
#include "ward-store-kiosk.h"

typedef enum
{
  PURPOSE_CLOSE,
  PURPOSE_QUIT,
  PURPOSE_LEAVE_FULLSCREEN,
} Purpose;

struct _WardKiosk
{
  GObject             parent_instance;

  /* Owned */
  WardSession        *session;
  WardKioskGuard     *guard;
  GSimpleActionGroup *actions;
  GSettings          *settings;       /* NULL: none, or the policy sets the auto-lock */
  guint               idle_source;
  char               *status_text;

  /* Borrowed */
  GApplication       *application;    /* weak */
  GtkWindow          *window;         /* weak */
  WardKioskPin       *dialog;         /* weak: the prompt shown now */
  GtkButton          *status_button;  /* weak */
  GtkWidget          *lock_button;    /* weak */

  Purpose             purpose;
  /* The PIN was given to close or quit, or the session ends us. */
  gboolean            released;
  /* The PIN was given to leave full screen, until it is full screen again. */
  gboolean            fullscreen_released;

  WardKioskClock      clock;
  gpointer            clock_data;

  /* The prompt's lockout, kept in the store across restarts. */
  char               *lockout_db;     /* NULL: kept in memory only */
  WardStore          *lockout_store;  /* opened when first needed */
  gboolean            lockout_restored;
};

G_DEFINE_FINAL_TYPE (WardKiosk, ward_kiosk, G_TYPE_OBJECT)

static gint64
monotonic_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static gint64
now (WardKiosk *self)
{
  return self->clock (self->clock_data);
}

/* Wall time for what outlives the process (UTC microseconds).  A test's
 * clock stands for both clocks.
 */
static gint64
wall_now (WardKiosk *self)
{
  if (self->clock == monotonic_clock)
    return g_get_real_time ();

  return self->clock (self->clock_data);
}

static WardStore *
get_lockout_store (WardKiosk  *self,
                   GError    **error)
{
  if (self->lockout_store == NULL)
    self->lockout_store = ward_store_open (self->lockout_db, error);

  return self->lockout_store;
}

/* Reads the lockout of an earlier run into the guard, on the guard's
 * clock.  A lockout never lasts longer than its minute from now, so that
 * a wall clock set back cannot lock the station for hours.
 */
static void
restore_lockout (WardKiosk *self)
{
  g_autoptr(GError) error = NULL;
  gint64 locked_until = 0;
  gint64 remaining = 0;
  guint failures = 0;
  WardStore *store;

  if (self->lockout_db == NULL)
    return;

  if (!(store = get_lockout_store (self, &error)) ||
      !ward_store_get_kiosk_lockout (store, &failures, &locked_until, &error))
    {
      g_warning ("Cannot read the kiosk's PIN lockout: %s", error->message);
      return;
    }

  if (locked_until > 0)
    remaining = CLAMP (locked_until - wall_now (self), 0, WARD_KIOSK_LOCKOUT_USEC);
  if (locked_until > 0 && remaining == 0)
    failures = 0;
  ward_kiosk_guard_restore (self->guard, failures, remaining > 0 ? now (self) + remaining : 0);
}

static void
lockout_changed_cb (WardKiosk *self)
{
  g_autoptr(GError) error = NULL;
  gint64 until = ward_kiosk_guard_get_raw_locked_until (self->guard);
  gint64 wall = wall_now (self);
  WardStore *store;

  if (self->lockout_db == NULL)
    return;

  if (until > 0)
    until = MAX (wall + (until - now (self)), 0);
  /* A lockout that cannot be written still holds in this run. */
  if (!(store = get_lockout_store (self, &error)) ||
      !ward_store_set_kiosk_lockout (store, ward_kiosk_guard_get_failures (self->guard), until,
                                     wall, &error))
    g_warning ("Cannot keep the kiosk's PIN lockout: %s", error->message);
}

static void
update_status (WardKiosk *self)
{
  const WardStaffMember *acting = ward_session_get_acting (self->session);
  const char *id = ward_session_get_acting_id (self->session);
  g_autofree char *tooltip = NULL;
  AdwButtonContent *content;

  g_clear_pointer (&self->status_text, g_free);
  if (id != NULL)
    {
      g_autofree char *roles = acting != NULL ? ward_staff_roles_describe (acting->roles) : NULL;
      const char *name = acting != NULL ? acting->name : id;

      if (roles != NULL && roles[0] != '\0')
        /* Translators: who is signed in at the kiosk, "Ada Nwosu · Bed nurse" */
        self->status_text = g_strdup_printf (_("%s · %s"), name, roles);
      else
        self->status_text = g_strdup (name);
      /* Translators: tooltip of the kiosk's signed-in button */
      tooltip = g_strdup_printf (_("Signed in: %s. Switch user"), self->status_text);
    }
  else
    {
      /* Translators: the kiosk's header when nobody is signed in */
      self->status_text = g_strdup (_("Locked"));
      tooltip = g_strdup (_("Locked: the board stays live. Sign in with your PIN to "
                            "acknowledge, record, hand over, assign, escalate or confirm"));
    }

  if (self->status_button == NULL)
    return;

  content = ADW_BUTTON_CONTENT (gtk_button_get_child (self->status_button));
  adw_button_content_set_label (content, self->status_text);
  adw_button_content_set_icon_name (content, id != NULL ? "avatar-default-symbolic"
                                                        : "system-lock-screen-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  if (id != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_button), "kiosk-locked");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->status_button), "kiosk-locked");
  if (self->lock_button != NULL)
    gtk_widget_set_visible (self->lock_button, id != NULL);
}

static void
acting_changed_cb (WardKiosk *self)
{
  /* A new sign-in has its full time before the next auto-lock. */
  ward_kiosk_guard_touch (self->guard, now (self));
  update_status (self);
}

/* The directory read a new staff list (the CareTeam changed on the
 * server): the PIN prompt lists who is on it now, and a member taken off
 * it can no longer unlock.
 */
static void
staff_changed_cb (WardKiosk *self)
{
  ward_kiosk_guard_set_staff (self->guard, ward_session_get_staff (self->session));
}

static void
auto_lock_minutes_changed_cb (WardKiosk *self)
{
  ward_kiosk_guard_set_auto_lock_seconds (self->guard,
                                          g_settings_get_uint (self->settings,
                                                               "kiosk-auto-lock-minutes") * 60);
}

static gboolean
idle_check_cb (gpointer user_data)
{
  _ward_kiosk_check_idle (WARD_KIOSK (user_data));

  return G_SOURCE_CONTINUE;
}

static void
verified_cb (WardKiosk    *self,
             const char   *staff_id,
             WardKioskPin *dialog)
{
  static const char * const kinds[] = {
    [PURPOSE_CLOSE] = "kiosk-close",
    [PURPOSE_QUIT] = "kiosk-quit",
    [PURPOSE_LEAVE_FULLSCREEN] = "kiosk-leave-fullscreen",
  };

  /* Who let the station out of the kiosk is on the audit trail, as
   * sign-ins are; the ward PIN is nobody in particular.
   */
  ward_session_add_event (self->session, staff_id != NULL ? staff_id : "ward-pin",
                          kinds[self->purpose]);

  switch (self->purpose)
    {
    case PURPOSE_LEAVE_FULLSCREEN:
      self->fullscreen_released = TRUE;
      if (self->window != NULL)
        gtk_window_unfullscreen (self->window);
      break;

    case PURPOSE_QUIT:
      self->released = TRUE;
      if (self->application != NULL)
        g_action_group_activate_action (G_ACTION_GROUP (self->application), "quit", NULL);
      break;

    case PURPOSE_CLOSE:
    default:
      self->released = TRUE;
      if (self->window != NULL)
        gtk_window_close (self->window);
      break;
    }
}

static void
request_pin (WardKiosk *self,
             Purpose    purpose)
{
  const char *text;

  self->purpose = purpose;
  switch (purpose)
    {
    case PURPOSE_LEAVE_FULLSCREEN:
      text = _("This station is a ward kiosk. Type your PIN to leave full screen.");
      break;

    case PURPOSE_QUIT:
      text = _("This station is a ward kiosk. Type your PIN to quit Wardwatch.");
      break;

    case PURPOSE_CLOSE:
    default:
      text = _("This station is a ward kiosk. Type your PIN to close Wardwatch.");
      break;
    }

  /* Read the kept lockout when the prompt is first needed, on the clock
   * the prompt counts with (the store is not opened at start).
   */
  if (!self->lockout_restored)
    {
      self->lockout_restored = TRUE;
      restore_lockout (self);
    }

  if (self->dialog == NULL)
    {
      WardKioskPin *dialog = ward_kiosk_pin_new (self->window, self->guard, self->clock,
                                                 self->clock_data);

      ward_kiosk_pin_select (dialog, ward_session_get_acting_id (self->session));
      g_signal_connect_object (dialog, "verified", G_CALLBACK (verified_cb), self,
                               G_CONNECT_SWAPPED);
      g_set_weak_pointer (&self->dialog, dialog);
    }

  ward_kiosk_pin_set_purpose (self->dialog, text);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

static gboolean
close_request_cb (GtkWindow *window,
                  WardKiosk *self)
{
  if (self->released)
    return FALSE;

  /* Alt+F4, the title bar, or anything else that closes the window. */
  request_pin (self, PURPOSE_CLOSE);
  return TRUE;
}

static void
fullscreened_cb (GtkWindow  *window,
                 GParamSpec *pspec,
                 WardKiosk  *self)
{
  if (gtk_window_is_fullscreen (window))
    {
      self->fullscreen_released = FALSE;
      return;
    }

  if (self->released || self->fullscreen_released || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return;

  /* Left full screen by the compositor or a keyboard shortcut of the
   * session: back to full screen, and a PIN to leave it.
   */
  gtk_window_fullscreen (window);
  request_pin (self, PURPOSE_LEAVE_FULLSCREEN);
}

static gboolean
window_input_cb (GtkEventControllerLegacy *controller,
                 GdkEvent                 *event,
                 WardKiosk                *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (type == GDK_KEY_PRESS || type == GDK_BUTTON_PRESS || type == GDK_TOUCH_BEGIN ||
      type == GDK_SCROLL)
    _ward_kiosk_touch (self);

  return GDK_EVENT_PROPAGATE;
}

/* Input in any of the application's windows (the care-team view, the
 * handover dialog, a PIN prompt) is someone at the station too.
 */
static void
watch_input (WardKiosk *self,
             GtkWindow *window)
{
  GtkEventController *input;

  if (g_object_get_data (G_OBJECT (window), "ward-kiosk-input") != NULL)
    return;

  input = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (input, GTK_PHASE_CAPTURE);
  g_signal_connect_object (input, "event", G_CALLBACK (window_input_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (window), input);
  g_object_set_data (G_OBJECT (window), "ward-kiosk-input", input);
}

static void
toplevels_changed_cb (GListModel *toplevels,
                      guint       position,
                      guint       removed,
                      guint       added,
                      WardKiosk  *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      watch_input (self, window);
    }
}

static void
toggle_fullscreen_action_cb (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  WardKiosk *self = user_data;

  if (self->window == NULL)
    return;

  if (gtk_window_is_fullscreen (self->window) && !self->fullscreen_released)
    request_pin (self, PURPOSE_LEAVE_FULLSCREEN);
  else if (gtk_window_is_fullscreen (self->window))
    gtk_window_unfullscreen (self->window);
  else
    gtk_window_fullscreen (self->window);
}

static void
lock_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  ward_kiosk_lock (WARD_KIOSK (user_data));
}

static const GActionEntry kiosk_actions[] = {
  { "toggle-fullscreen", toggle_fullscreen_action_cb },
  { "lock", lock_action_cb },
};

static void
ward_kiosk_dispose (GObject *object)
{
  WardKiosk *self = WARD_KIOSK (object);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->dialog));
  g_clear_weak_pointer (&self->dialog);
  g_clear_weak_pointer (&self->window);
  g_clear_weak_pointer (&self->application);
  g_clear_weak_pointer (&self->status_button);
  g_clear_weak_pointer (&self->lock_button);
  g_clear_object (&self->actions);
  g_clear_object (&self->settings);
  g_clear_object (&self->guard);
  g_clear_object (&self->session);
  g_clear_object (&self->lockout_store);

  G_OBJECT_CLASS (ward_kiosk_parent_class)->dispose (object);
}

static void
ward_kiosk_finalize (GObject *object)
{
  WardKiosk *self = WARD_KIOSK (object);

  g_clear_pointer (&self->status_text, g_free);
  g_clear_pointer (&self->lockout_db, g_free);

  G_OBJECT_CLASS (ward_kiosk_parent_class)->finalize (object);
}

static void
ward_kiosk_class_init (WardKioskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_kiosk_dispose;
  object_class->finalize = ward_kiosk_finalize;
}

static void
ward_kiosk_init (WardKiosk *self)
{
  self->clock = monotonic_clock;
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), kiosk_actions,
                                   G_N_ELEMENTS (kiosk_actions), self);
}

WardKiosk *
ward_kiosk_new (GApplication   *application,
                WardSession    *session,
                WardKioskGuard *guard)
{
  WardKiosk *self;

  g_return_val_if_fail (application == NULL || G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (WARD_IS_SESSION (session), NULL);
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (guard), NULL);

  self = g_object_new (WARD_TYPE_KIOSK, NULL);
  g_set_weak_pointer (&self->application, application);
  self->session = g_object_ref (session);
  self->guard = g_object_ref (guard);

  /* The kiosk's own auto-lock replaces the session's idle sign-out, so
   * that one clock (which tests drive) decides.
   */
  ward_session_set_idle_seconds (session, 0);
  ward_kiosk_guard_touch (guard, now (self));
  g_signal_connect_object (session, "notify::acting-id", G_CALLBACK (acting_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::staff", G_CALLBACK (staff_changed_cb), self,
                           G_CONNECT_SWAPPED);
  self->idle_source = g_timeout_add_seconds (1, idle_check_cb, self);
  update_status (self);

  return self;
}

WardKiosk *
ward_kiosk_new_for_policy (GApplication *application,
                           WardSession  *session,
                           const char   *policy_file,
                           GSettings    *settings)
{
  g_auto(WardKioskPolicy) policy = { 0 };
  g_autoptr(WardKioskGuard) guard = NULL;
  g_autoptr(GError) error = NULL;
  guint auto_lock_seconds = WARD_KIOSK_DEFAULT_AUTO_LOCK_SECONDS;
  WardKiosk *self;

  g_return_val_if_fail (WARD_IS_SESSION (session), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  ward_kiosk_policy_init (&policy);
  if (policy_file != NULL && !ward_kiosk_policy_load_file (&policy, policy_file, &error))
    g_debug ("No ward PIN from the policy: %s", error->message);

  if (policy.auto_lock_seconds >= 0)
    auto_lock_seconds = (guint) policy.auto_lock_seconds;

  guard = ward_kiosk_guard_new (ward_session_get_staff (session), policy.pin_hash);
  ward_kiosk_guard_set_auto_lock_seconds (guard, auto_lock_seconds);
  self = ward_kiosk_new (application, session, guard);

  /* Where the policy says nothing, the setting rules, also when changed. */
  if (policy.auto_lock_seconds < 0 && settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed::kiosk-auto-lock-minutes",
                               G_CALLBACK (auto_lock_minutes_changed_cb), self, G_CONNECT_SWAPPED);
      auto_lock_minutes_changed_cb (self);
    }

  return self;
}

void
ward_kiosk_keep_lockout (WardKiosk  *self,
                         const char *db_path)
{
  g_return_if_fail (WARD_IS_KIOSK (self));
  g_return_if_fail (self->lockout_db == NULL);

  if (db_path == NULL)
    return;

  self->lockout_db = g_strdup (db_path);
  g_signal_connect_object (self->guard, "lockout-changed", G_CALLBACK (lockout_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

WardKioskGuard *
ward_kiosk_get_guard (WardKiosk *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK (self), NULL);

  return self->guard;
}

GtkWidget *
ward_kiosk_attach (WardKiosk *self,
                   GtkWindow *window)
{
  GtkEventController *shortcuts;
  GtkWidget *box;
  GtkWidget *button;
  GtkWidget *lock;

  g_return_val_if_fail (WARD_IS_KIOSK (self), NULL);
  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);
  g_return_val_if_fail (self->window == NULL, NULL);

  g_set_weak_pointer (&self->window, window);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "kiosk", G_ACTION_GROUP (self->actions));
  gtk_widget_add_css_class (GTK_WIDGET (window), "kiosk");

  /* Full screen from the first frame: set before the window is shown. */
  gtk_window_fullscreen (window);
  g_signal_connect_object (window, "close-request", G_CALLBACK (close_request_cb), self, 0);
  g_signal_connect_object (window, "notify::fullscreened", G_CALLBACK (fullscreened_cb), self, 0);

  /* F11 leaves full screen with a PIN (and goes back without one). */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_F11, 0),
                                                          gtk_named_action_new ("kiosk.toggle-fullscreen")));
  gtk_widget_add_controller (GTK_WIDGET (window), shortcuts);

  /* Any input at the station, in any window, holds the auto-lock off. */
  watch_input (self, window);
  toplevels_changed_cb (gtk_window_get_toplevels (), 0, 0,
                        g_list_model_get_n_items (gtk_window_get_toplevels ()), self);
  g_signal_connect_object (gtk_window_get_toplevels (), "items-changed",
                           G_CALLBACK (toplevels_changed_cb), self, 0);

  /* Who is signed in (name and role), or Locked; and Lock Now. */
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (box, "linked");
  button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (button), adw_button_content_new ());
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.switch-user");
  gtk_widget_add_css_class (button, "kiosk-status");
  gtk_box_append (GTK_BOX (box), button);
  g_set_weak_pointer (&self->status_button, GTK_BUTTON (button));

  lock = gtk_button_new_from_icon_name ("changes-prevent-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (lock), "kiosk.lock");
  /* Translators: the kiosk's button that signs the nurse out at once */
  gtk_widget_set_tooltip_text (lock, _("Lock Now"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (lock), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Lock Now"), -1);
  gtk_box_append (GTK_BOX (box), lock);
  g_set_weak_pointer (&self->lock_button, lock);

  update_status (self);
  return box;
}

gboolean
ward_kiosk_allows_quit (WardKiosk *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK (self), TRUE);

  return self->released;
}

void
ward_kiosk_request_quit (WardKiosk *self)
{
  g_return_if_fail (WARD_IS_KIOSK (self));

  request_pin (self, PURPOSE_QUIT);
}

void
ward_kiosk_release (WardKiosk *self)
{
  g_return_if_fail (WARD_IS_KIOSK (self));

  self->released = TRUE;
  if (self->dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->dialog));
}

gboolean
ward_kiosk_get_locked (WardKiosk *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK (self), FALSE);

  return ward_session_get_acting_id (self->session) == NULL;
}

void
ward_kiosk_lock (WardKiosk *self)
{
  g_return_if_fail (WARD_IS_KIOSK (self));

  ward_session_sign_out (self->session);
}

void
_ward_kiosk_set_clock (WardKiosk      *self,
                       WardKioskClock  clock,
                       gpointer        user_data)
{
  g_return_if_fail (WARD_IS_KIOSK (self));

  self->clock = clock != NULL ? clock : monotonic_clock;
  self->clock_data = user_data;
  ward_kiosk_guard_touch (self->guard, now (self));
}

void
_ward_kiosk_check_idle (WardKiosk *self)
{
  g_return_if_fail (WARD_IS_KIOSK (self));

  if (ward_session_get_acting_id (self->session) == NULL ||
      !ward_kiosk_guard_idle_expired (self->guard, now (self)))
    return;

  g_debug ("Auto-lock after %u s without input", ward_kiosk_guard_get_auto_lock_seconds (self->guard));
  ward_session_sign_out_idle (self->session);
}

void
_ward_kiosk_touch (WardKiosk *self)
{
  g_return_if_fail (WARD_IS_KIOSK (self));

  ward_kiosk_guard_touch (self->guard, now (self));
}

WardKioskPin *
_ward_kiosk_get_pin_dialog (WardKiosk *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK (self), NULL);

  return self->dialog;
}

const char *
_ward_kiosk_get_status_text (WardKiosk *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK (self), NULL);

  return self->status_text;
}
