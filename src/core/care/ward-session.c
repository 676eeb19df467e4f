/* ward-session.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-session"

#include "config.h"

#include "ward-session.h"

#include "ward-pin.h"
#include "ward-store.h"
#include "ward-store-staff.h"

#include <glib/gi18n.h>
#include <string.h>

struct _WardSession
{
  GObject     parent_instance;

  /* Owned */
  WardStaff  *staff;
  char       *db_path;
  WardStore  *store;         /* opened on first use */
  char       *acting_id;

  gboolean    station_mode;
  guint       idle_seconds;
  guint       idle_source;
};

enum {
  PROP_0,
  PROP_ACTING_ID,
  PROP_STATION_MODE,
  PROP_IDLE_SECONDS,
  PROP_STAFF,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (WardSession, ward_session, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-session-error-quark, ward_session_error)

static gboolean idle_timeout_cb (gpointer user_data);

static WardStore *
get_store (WardSession  *self,
           GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->store != NULL)
    return self->store;

  if (self->db_path == NULL)
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_STORE,
                   _("No history database to keep PIN lockouts in"));
      return NULL;
    }

  self->store = ward_store_open (self->db_path, &local_error);
  if (self->store == NULL)
    g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_STORE,
                 _("Cannot check the PIN: the history database cannot be opened (%s)"),
                 local_error->message);

  return self->store;
}

/* The audit trail; a failure to write it is logged, and does not stop
 * the sign-in (the lockout itself is already stored).
 */
static void
add_event (WardSession *self,
           const char  *staff_id,
           const char  *kind)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  WardStore *store = get_store (self, &error);

  detail = g_strdup_printf ("{\"station\":%s}", self->station_mode ? "true" : "false");
  if (store == NULL ||
      ward_store_add_event (store, g_get_real_time (), staff_id, kind, NULL, detail, &error) < 0)
    g_message ("Could not record %s of %s: %s", kind, staff_id, error->message);
}

static void
restart_idle_timer (WardSession *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->station_mode && self->acting_id != NULL && self->idle_seconds > 0)
    self->idle_source = g_timeout_add_seconds (self->idle_seconds, idle_timeout_cb, self);
}

static void
set_acting (WardSession *self,
            const char  *staff_id)
{
  if (g_strcmp0 (self->acting_id, staff_id) != 0)
    {
      g_free (self->acting_id);
      self->acting_id = g_strdup (staff_id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTING_ID]);
    }

  restart_idle_timer (self);
}

static gboolean
idle_timeout_cb (gpointer user_data)
{
  WardSession *self = user_data;

  self->idle_source = 0;
  g_debug ("Signing %s out after %u s without activity", self->acting_id, self->idle_seconds);
  add_event (self, self->acting_id, "staff-sign-out-idle");
  set_acting (self, NULL);

  return G_SOURCE_REMOVE;
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return g_date_time_format (time, "%H:%M");
}

static void
ward_session_dispose (GObject *object)
{
  WardSession *self = WARD_SESSION (object);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_object (&self->store);
  g_clear_object (&self->staff);

  G_OBJECT_CLASS (ward_session_parent_class)->dispose (object);
}

static void
ward_session_finalize (GObject *object)
{
  WardSession *self = WARD_SESSION (object);

  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->acting_id, g_free);

  G_OBJECT_CLASS (ward_session_parent_class)->finalize (object);
}

static void
ward_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  WardSession *self = WARD_SESSION (object);

  switch (prop_id)
    {
    case PROP_ACTING_ID:
      g_value_set_string (value, self->acting_id);
      break;

    case PROP_STATION_MODE:
      g_value_set_boolean (value, self->station_mode);
      break;

    case PROP_IDLE_SECONDS:
      g_value_set_uint (value, self->idle_seconds);
      break;

    case PROP_STAFF:
      g_value_set_object (value, self->staff);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_session_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  WardSession *self = WARD_SESSION (object);

  switch (prop_id)
    {
    case PROP_IDLE_SECONDS:
      ward_session_set_idle_seconds (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_session_class_init (WardSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_session_dispose;
  object_class->finalize = ward_session_finalize;
  object_class->get_property = ward_session_get_property;
  object_class->set_property = ward_session_set_property;

  properties[PROP_ACTING_ID] =
    g_param_spec_string ("acting-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATION_MODE] =
    g_param_spec_boolean ("station-mode", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_IDLE_SECONDS] =
    g_param_spec_uint ("idle-seconds", NULL, NULL, 0, G_MAXUINT, WARD_SESSION_DEFAULT_IDLE_SECONDS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The ward's staff list; notified when the directory replaces it (a
   * member added to or removed from the CareTeam), so that the PIN
   * prompts follow without a restart.
   */
  properties[PROP_STAFF] =
    g_param_spec_object ("staff", NULL, NULL, WARD_TYPE_STAFF,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ward_session_init (WardSession *self)
{
  self->idle_seconds = WARD_SESSION_DEFAULT_IDLE_SECONDS;
}

void
ward_session_config_init (WardSessionConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->idle_seconds = -1;
}

void
ward_session_config_clear (WardSessionConfig *config)
{
  g_return_if_fail (config != NULL);

  g_clear_pointer (&config->staff_file, g_free);
  g_clear_pointer (&config->staff_id, g_free);
}

void
ward_session_config_copy (const WardSessionConfig *src,
                          WardSessionConfig       *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  *dest = *src;
  dest->staff_file = g_strdup (src->staff_file);
  dest->staff_id = g_strdup (src->staff_id);
}

WardSession *
ward_session_new_for_config (const WardSessionConfig  *config,
                             gboolean                  demo,
                             const char               *db_path,
                             GError                  **error)
{
  g_autoptr(WardSession) self = NULL;
  g_autoptr(WardStaff) staff = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (config->staff_file != NULL)
    staff = ward_staff_new_from_file (config->staff_file, error);
  else if (demo)
    staff = ward_staff_new_demo (error);
  else
    staff = ward_staff_new ();
  if (staff == NULL)
    return NULL;

  self = ward_session_new (staff, db_path, config->station_mode);
  if (config->idle_seconds >= 0)
    ward_session_set_idle_seconds (self, (guint) config->idle_seconds);

  if (config->staff_id != NULL)
    {
      if (!ward_session_sign_in_trusted (self, config->staff_id, error))
        return NULL;
    }
  else
    ward_session_start (self, g_get_user_name ());

  return g_steal_pointer (&self);
}

WardSession *
ward_session_new (WardStaff  *staff,
                  const char *db_path,
                  gboolean    station_mode)
{
  WardSession *self;

  g_return_val_if_fail (WARD_IS_STAFF (staff), NULL);

  self = g_object_new (WARD_TYPE_SESSION, NULL);
  self->staff = g_object_ref (staff);
  self->db_path = g_strdup (db_path);
  self->station_mode = station_mode;

  return self;
}

WardStaff *
ward_session_get_staff (WardSession *self)
{
  g_return_val_if_fail (WARD_IS_SESSION (self), NULL);

  return self->staff;
}

void
ward_session_set_staff (WardSession *self,
                        WardStaff   *staff)
{
  g_return_if_fail (WARD_IS_SESSION (self));
  g_return_if_fail (WARD_IS_STAFF (staff));

  if (self->staff == staff)
    return;

  g_set_object (&self->staff, staff);

  /* A desktop login without a list acts by its name: only a member of a
   * list can be taken off one.
   */
  if (self->acting_id != NULL && ward_staff_get_n_members (staff) > 0 &&
      ward_staff_lookup (staff, self->acting_id) == NULL)
    {
      add_event (self, self->acting_id, "staff-sign-out-removed");
      set_acting (self, NULL);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAFF]);
}

gboolean
ward_session_get_station_mode (WardSession *self)
{
  g_return_val_if_fail (WARD_IS_SESSION (self), FALSE);

  return self->station_mode;
}

void
ward_session_set_idle_seconds (WardSession *self,
                               guint        seconds)
{
  g_return_if_fail (WARD_IS_SESSION (self));

  if (self->idle_seconds == seconds)
    return;

  self->idle_seconds = seconds;
  restart_idle_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_SECONDS]);
}

guint
ward_session_get_idle_seconds (WardSession *self)
{
  g_return_val_if_fail (WARD_IS_SESSION (self), 0);

  return self->idle_seconds;
}

const WardStaffMember *
ward_session_get_acting (WardSession *self)
{
  g_return_val_if_fail (WARD_IS_SESSION (self), NULL);

  return ward_staff_lookup (self->staff, self->acting_id);
}

const char *
ward_session_get_acting_id (WardSession *self)
{
  g_return_val_if_fail (WARD_IS_SESSION (self), NULL);

  return self->acting_id;
}

void
ward_session_start (WardSession *self,
                    const char  *os_account)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WARD_IS_SESSION (self));

  if (self->station_mode || os_account == NULL)
    return;

  if (ward_staff_get_n_members (self->staff) == 0)
    {
      set_acting (self, os_account);
      return;
    }

  if (!ward_session_sign_in_os_account (self, os_account, &error))
    g_debug ("Nobody acting at start: %s", error->message);
}

gboolean
ward_session_sign_in_os_account (WardSession  *self,
                                 const char   *os_account,
                                 GError      **error)
{
  const WardStaffMember *member;

  g_return_val_if_fail (WARD_IS_SESSION (self), FALSE);
  g_return_val_if_fail (os_account != NULL, FALSE);

  if (self->station_mode)
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_UNKNOWN_STAFF,
                   _("At a shared station, staff switch in with their PIN"));
      return FALSE;
    }

  member = ward_staff_lookup_os_account (self->staff, os_account);
  if (member == NULL)
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_UNKNOWN_STAFF,
                   _("The account %s is not on the ward's staff list"), os_account);
      return FALSE;
    }

  set_acting (self, member->id);
  return TRUE;
}

gboolean
ward_session_sign_in (WardSession  *self,
                      const char   *staff_id,
                      const char   *pin,
                      GError      **error)
{
  const WardStaffMember *member;
  g_autoptr(GError) local_error = NULL;
  gint64 now = g_get_real_time ();
  gint64 locked_until = 0;
  gboolean matches = FALSE;
  WardStore *store;
  guint failures = 0;

  g_return_val_if_fail (WARD_IS_SESSION (self), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);
  g_return_val_if_fail (pin != NULL, FALSE);

  member = ward_staff_lookup (self->staff, staff_id);
  if (member == NULL)
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_UNKNOWN_STAFF,
                   _("%s is not on the ward's staff list"), staff_id);
      return FALSE;
    }

  if (member->pin_hash == NULL)
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_NO_PIN,
                   _("%s has no PIN yet: ask the nurse in charge to set one"), member->name);
      return FALSE;
    }

  if (!(store = get_store (self, error)))
    return FALSE;

  if (!ward_store_get_pin_lock (store, member->id, now, &locked_until, &local_error))
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_STORE,
                   _("Cannot check the PIN: %s"), local_error->message);
      return FALSE;
    }

  if (locked_until > 0)
    {
      g_autofree char *until = format_time (locked_until);

      add_event (self, member->id, "staff-sign-in-locked");
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_LOCKED,
                   _("The PIN of %s is locked after too many wrong tries. Try again after %s, "
                     "or sign in as someone else."), member->name, until);
      return FALSE;
    }

  /* A malformed hash was refused when the staff file was read. */
  if (!ward_pin_verify (member->pin_hash, pin, &matches, &local_error))
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_NO_PIN,
                   _("The PIN of %s in the staff file cannot be read: %s"), member->name,
                   local_error->message);
      return FALSE;
    }

  if (!matches)
    {
      if (!ward_store_add_pin_failure (store, member->id, now, WARD_SESSION_MAX_FAILURES,
                                       WARD_SESSION_LOCK_USEC, &failures, &locked_until,
                                       &local_error))
        {
          g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_STORE,
                       _("Wrong PIN, and the failure cannot be recorded: %s"), local_error->message);
          return FALSE;
        }

      if (locked_until > 0)
        {
          g_autofree char *until = format_time (locked_until);

          add_event (self, member->id, "staff-pin-locked");
          g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_LOCKED,
                       _("Wrong PIN. After %d wrong tries the PIN of %s is locked until %s."),
                       WARD_SESSION_MAX_FAILURES, member->name, until);
          return FALSE;
        }

      add_event (self, member->id, "staff-sign-in-refused");
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_WRONG_PIN,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Wrong PIN. %u more wrong try locks it for 5 minutes.",
                                "Wrong PIN. %u more wrong tries lock it for 5 minutes.",
                                WARD_SESSION_MAX_FAILURES - failures),
                   WARD_SESSION_MAX_FAILURES - failures);
      return FALSE;
    }

  if (!ward_store_clear_pin_failures (store, member->id, &local_error))
    g_message ("Could not clear the failed PINs of %s: %s", member->id, local_error->message);

  add_event (self, member->id, "staff-sign-in");
  set_acting (self, member->id);
  return TRUE;
}

gboolean
ward_session_sign_in_trusted (WardSession  *self,
                              const char   *staff_id,
                              GError      **error)
{
  const WardStaffMember *member;

  g_return_val_if_fail (WARD_IS_SESSION (self), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);

  if (self->station_mode)
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_UNKNOWN_STAFF,
                   _("At a shared station, staff switch in with their PIN"));
      return FALSE;
    }

  member = ward_staff_lookup (self->staff, staff_id);
  if (member == NULL)
    {
      g_set_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_UNKNOWN_STAFF,
                   _("%s is not on the ward's staff list"), staff_id);
      return FALSE;
    }

  add_event (self, member->id, "staff-sign-in-option");
  set_acting (self, member->id);
  return TRUE;
}

void
ward_session_sign_out (WardSession *self)
{
  g_return_if_fail (WARD_IS_SESSION (self));

  if (self->acting_id == NULL)
    return;

  add_event (self, self->acting_id, "staff-sign-out");
  set_acting (self, NULL);
}

void
ward_session_sign_out_idle (WardSession *self)
{
  g_return_if_fail (WARD_IS_SESSION (self));

  if (self->acting_id == NULL)
    return;

  add_event (self, self->acting_id, "staff-sign-out-idle");
  set_acting (self, NULL);
}

void
ward_session_add_event (WardSession *self,
                        const char  *staff_id,
                        const char  *kind)
{
  g_return_if_fail (WARD_IS_SESSION (self));
  g_return_if_fail (staff_id != NULL);
  g_return_if_fail (kind != NULL);

  add_event (self, staff_id, kind);
}

void
ward_session_touch (WardSession *self)
{
  g_return_if_fail (WARD_IS_SESSION (self));

  if (self->acting_id != NULL)
    restart_idle_timer (self);
}
