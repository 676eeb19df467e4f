/* ward-kiosk-guard.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-kiosk-guard"

#include "config.h"

#include "ward-kiosk-guard.h"

#include "ward-json-strict.h"
#include "ward-pin.h"

#include <glib/gi18n.h>
#include <string.h>

struct _WardKioskGuard
{
  GObject     parent_instance;

  /* Owned */
  WardStaff  *staff;           /* NULL: none */
  char       *ward_pin_hash;   /* NULL: none */

  guint       failures;
  gint64      locked_until;    /* 0: not locked */

  guint       auto_lock_seconds;
  gint64      last_activity;
};

G_DEFINE_FINAL_TYPE (WardKioskGuard, ward_kiosk_guard, G_TYPE_OBJECT)

enum
{
  LOCKOUT_CHANGED,
  STAFF_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (ward-kiosk-error-quark, ward_kiosk_error)

#define set_invalid(error, origin, ...) \
  ward_json_strict_fail ((error), WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_INVALID, (origin), __VA_ARGS__)

static gboolean
staff_has_pin (WardStaff *staff)
{
  for (guint i = 0; staff != NULL && i < ward_staff_get_n_members (staff); i++)
    if (ward_staff_get_member (staff, i)->pin_hash != NULL)
      return TRUE;

  return FALSE;
}

static void
ward_kiosk_guard_finalize (GObject *object)
{
  WardKioskGuard *self = WARD_KIOSK_GUARD (object);

  g_clear_object (&self->staff);
  g_clear_pointer (&self->ward_pin_hash, g_free);

  G_OBJECT_CLASS (ward_kiosk_guard_parent_class)->finalize (object);
}

static void
ward_kiosk_guard_class_init (WardKioskGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_kiosk_guard_finalize;

  /**
   * WardKioskGuard::lockout-changed:
   *
   * The count of wrong PINs or the lockout changed in a check, so that
   * whoever keeps them across restarts can write them down.
   */
  signals[LOCKOUT_CHANGED] =
    g_signal_new ("lockout-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * WardKioskGuard::staff-changed:
   *
   * The staff list whose PINs unlock changed (ward_kiosk_guard_set_staff()).
   */
  signals[STAFF_CHANGED] =
    g_signal_new ("staff-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ward_kiosk_guard_init (WardKioskGuard *self)
{
  self->auto_lock_seconds = WARD_KIOSK_DEFAULT_AUTO_LOCK_SECONDS;
}

void
ward_kiosk_policy_init (WardKioskPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  memset (policy, 0, sizeof *policy);
  policy->auto_lock_seconds = -1;
}

void
ward_kiosk_policy_clear (WardKioskPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  g_clear_pointer (&policy->pin_hash, g_free);
}

typedef struct
{
  char  *pin_hash;
  int    auto_lock_seconds;
} KioskRead;

static gboolean
read_kiosk_member (const WardJsonStrictContext  *context,
                   const char                   *key,
                   const char                   *path,
                   JsonNode                     *value,
                   gpointer                      user_data,
                   GError                      **error)
{
  KioskRead *read = user_data;

  if (g_str_equal (key, "pin_hash"))
    {
      g_autoptr(GError) local_error = NULL;
      const char *text = ward_json_strict_get_string (value);

      if (text == NULL)
        return set_invalid (error, context->origin, "%s: expected a string", path);
      if (!ward_pin_hash_is_valid (text, &local_error))
        return set_invalid (error, context->origin, "%s: %s", path, local_error->message);
      g_free (read->pin_hash);
      read->pin_hash = g_strdup (text);
    }
  else
    {
      double minutes;

      g_assert (g_str_equal (key, "auto_lock_minutes"));
      if (!ward_json_strict_is_number (value))
        return set_invalid (error, context->origin, "%s: expected a number", path);
      minutes = json_node_get_double (value);
      if (!(minutes >= 0 && minutes <= WARD_KIOSK_MAX_AUTO_LOCK_MINUTES))
        return set_invalid (error, context->origin, "%s: expected 0 (never) to %d minutes", path,
                            WARD_KIOSK_MAX_AUTO_LOCK_MINUTES);
      read->auto_lock_seconds = (int) (minutes * 60 + 0.5);
    }

  return TRUE;
}

gboolean
ward_kiosk_policy_load_json (WardKioskPolicy  *policy,
                             JsonNode         *node,
                             const char       *origin,
                             GError          **error)
{
  static const char * const keys[] = { "pin_hash", "auto_lock_minutes", NULL };
  WardJsonStrictContext context = { WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_INVALID, NULL };
  KioskRead read = { NULL, 0 };
  gboolean ok;

  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (node != NULL, FALSE);

  context.origin = origin != NULL ? origin : "policy";
  read.auto_lock_seconds = policy->auto_lock_seconds;

  /* Read aside: a refused object changes nothing. */
  ok = ward_json_strict_read_object (&context, node, "kiosk", keys, read_kiosk_member, &read, error);
  if (ok)
    {
      if (read.pin_hash != NULL)
        {
          g_free (policy->pin_hash);
          policy->pin_hash = g_steal_pointer (&read.pin_hash);
        }
      policy->auto_lock_seconds = read.auto_lock_seconds;
    }
  g_free (read.pin_hash);

  return ok;
}

gboolean
ward_kiosk_policy_load_file (WardKioskPolicy  *policy,
                             const char       *path,
                             GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_INVALID,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return set_invalid (error, path, "expected a JSON object");

  if (!json_object_has_member (json_node_get_object (root), "kiosk"))
    return TRUE;

  return ward_kiosk_policy_load_json (policy,
                                      json_object_get_member (json_node_get_object (root), "kiosk"),
                                      path, error);
}

WardKioskGuard *
ward_kiosk_guard_new (WardStaff  *staff,
                      const char *ward_pin_hash)
{
  WardKioskGuard *self;

  g_return_val_if_fail (staff == NULL || WARD_IS_STAFF (staff), NULL);

  self = g_object_new (WARD_TYPE_KIOSK_GUARD, NULL);
  if (staff != NULL)
    self->staff = g_object_ref (staff);
  self->ward_pin_hash = g_strdup (ward_pin_hash);

  return self;
}

gboolean
ward_kiosk_guard_has_pin (WardKioskGuard *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), FALSE);

  return self->ward_pin_hash != NULL || staff_has_pin (self->staff);
}

gboolean
ward_kiosk_guard_uses_staff (WardKioskGuard *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), FALSE);

  return staff_has_pin (self->staff);
}

WardStaff *
ward_kiosk_guard_get_staff (WardKioskGuard *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), NULL);

  return self->staff;
}

void
ward_kiosk_guard_set_staff (WardKioskGuard *self,
                            WardStaff      *staff)
{
  g_return_if_fail (WARD_IS_KIOSK_GUARD (self));
  g_return_if_fail (staff == NULL || WARD_IS_STAFF (staff));

  if (!g_set_object (&self->staff, staff))
    return;

  g_signal_emit (self, signals[STAFF_CHANGED], 0);
}

gint64
ward_kiosk_guard_get_locked_until (WardKioskGuard *self,
                                   gint64          now)
{
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), 0);

  if (self->locked_until == 0 || now >= self->locked_until)
    return 0;

  return self->locked_until;
}

guint
ward_kiosk_guard_get_failures (WardKioskGuard *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), 0);

  return self->failures;
}

static gboolean
check_pin (WardKioskGuard  *self,
           const char      *staff_id,
           const char      *pin,
           gint64           now,
           GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *hash = NULL;
  gboolean matches = FALSE;
  gint64 locked_until;

  locked_until = ward_kiosk_guard_get_locked_until (self, now);
  if (locked_until > 0)
    {
      int seconds = (int) ((locked_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

      g_set_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_LOCKED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Too many wrong PINs. Try again in %d second.",
                                "Too many wrong PINs. Try again in %d seconds.", seconds),
                   seconds);
      return FALSE;
    }
  if (self->locked_until != 0)
    {
      /* The lockout is over: a fresh count. */
      self->locked_until = 0;
      self->failures = 0;
    }

  if (staff_id != NULL)
    {
      const WardStaffMember *member = self->staff ? ward_staff_lookup (self->staff, staff_id) : NULL;

      if (member == NULL)
        {
          g_set_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_NO_PIN,
                       _("%s is not on the ward's staff list"), staff_id);
          return FALSE;
        }
      if (member->pin_hash == NULL)
        {
          g_set_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_NO_PIN,
                       _("%s has no PIN yet: ask the nurse in charge to set one"), member->name);
          return FALSE;
        }
      hash = member->pin_hash;
    }
  else
    {
      if (self->ward_pin_hash == NULL)
        {
          g_set_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_NO_PIN,
                       _("This ward has no kiosk PIN: pick your name and type your own PIN"));
          return FALSE;
        }
      hash = self->ward_pin_hash;
    }

  /* Hashes were checked when the staff and policy files were read. */
  if (!ward_pin_verify (hash, pin, &matches, &local_error))
    {
      g_set_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_NO_PIN,
                   _("The stored PIN cannot be read: %s"), local_error->message);
      return FALSE;
    }

  if (matches)
    {
      self->failures = 0;
      return TRUE;
    }

  self->failures++;
  if (self->failures >= WARD_KIOSK_MAX_FAILURES)
    {
      self->locked_until = now + WARD_KIOSK_LOCKOUT_USEC;
      g_set_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_LOCKED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Wrong PIN. After %d wrong tries the kiosk waits %d second.",
                                "Wrong PIN. After %d wrong tries the kiosk waits %d seconds.",
                                (int) (WARD_KIOSK_LOCKOUT_USEC / G_USEC_PER_SEC)),
                   WARD_KIOSK_MAX_FAILURES, (int) (WARD_KIOSK_LOCKOUT_USEC / G_USEC_PER_SEC));
      return FALSE;
    }

  g_set_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_WRONG_PIN,
               g_dngettext (GETTEXT_PACKAGE,
                            "Wrong PIN. %u more wrong try and the kiosk waits a minute.",
                            "Wrong PIN. %u more wrong tries and the kiosk waits a minute.",
                            WARD_KIOSK_MAX_FAILURES - self->failures),
               WARD_KIOSK_MAX_FAILURES - self->failures);
  return FALSE;
}

gboolean
ward_kiosk_guard_check (WardKioskGuard  *self,
                        const char      *staff_id,
                        const char      *pin,
                        gint64           now,
                        GError         **error)
{
  guint failures;
  gint64 locked_until;
  gboolean ok;

  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), FALSE);
  g_return_val_if_fail (pin != NULL, FALSE);

  failures = self->failures;
  locked_until = self->locked_until;
  ok = check_pin (self, staff_id, pin, now, error);
  if (failures != self->failures || locked_until != self->locked_until)
    g_signal_emit (self, signals[LOCKOUT_CHANGED], 0);

  return ok;
}

void
ward_kiosk_guard_restore (WardKioskGuard *self,
                          guint           failures,
                          gint64          locked_until)
{
  g_return_if_fail (WARD_IS_KIOSK_GUARD (self));
  g_return_if_fail (locked_until >= 0);

  /* A count past the limit without a lockout (a hand-edited store) is
   * one wrong PIN from it, not past it.
   */
  self->failures = MIN (failures, WARD_KIOSK_MAX_FAILURES - 1);
  self->locked_until = locked_until;
  if (locked_until > 0)
    self->failures = WARD_KIOSK_MAX_FAILURES;
}

gint64
ward_kiosk_guard_get_raw_locked_until (WardKioskGuard *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), 0);

  return self->locked_until;
}

void
ward_kiosk_guard_set_auto_lock_seconds (WardKioskGuard *self,
                                        guint           seconds)
{
  g_return_if_fail (WARD_IS_KIOSK_GUARD (self));

  self->auto_lock_seconds = seconds;
}

guint
ward_kiosk_guard_get_auto_lock_seconds (WardKioskGuard *self)
{
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), 0);

  return self->auto_lock_seconds;
}

void
ward_kiosk_guard_touch (WardKioskGuard *self,
                        gint64          now)
{
  g_return_if_fail (WARD_IS_KIOSK_GUARD (self));

  self->last_activity = now;
}

gboolean
ward_kiosk_guard_idle_expired (WardKioskGuard *self,
                               gint64          now)
{
  g_return_val_if_fail (WARD_IS_KIOSK_GUARD (self), FALSE);

  if (self->auto_lock_seconds == 0)
    return FALSE;

  return now - self->last_activity >= (gint64) self->auto_lock_seconds * G_USEC_PER_SEC;
}
