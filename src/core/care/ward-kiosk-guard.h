/* ward-kiosk-guard.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-staff.h"

G_BEGIN_DECLS

#define WARD_KIOSK_ERROR (ward_kiosk_error_quark ())

typedef enum
{
  WARD_KIOSK_ERROR_INVALID,     /* the policy's kiosk object is wrong */
  WARD_KIOSK_ERROR_NO_PIN,      /* nobody can unlock: no staff PIN, no ward PIN */
  WARD_KIOSK_ERROR_WRONG_PIN,
  WARD_KIOSK_ERROR_LOCKED,      /* too many wrong PINs: wait */
} WardKioskError;

/* Five wrong PINs in a row at the kiosk lock its PIN prompt for a
 * minute: long enough to make guessing a 4-digit PIN take days, short
 * enough that a nurse who mistyped is not kept from the station.
 */
#define WARD_KIOSK_MAX_FAILURES               5
#define WARD_KIOSK_LOCKOUT_USEC               (60 * G_USEC_PER_SEC)
#define WARD_KIOSK_DEFAULT_AUTO_LOCK_SECONDS  (5 * 60)
#define WARD_KIOSK_MAX_AUTO_LOCK_MINUTES      720

/* The "kiosk" object of the ward policy file:
 *
 *   "kiosk": { "pin_hash": "pbkdf2-sha256$200000$…$…", "auto_lock_minutes": 5 }
 *
 * pin_hash is the ward PIN (made with `wardwatch-cli staff hash-pin`),
 * used when the ward has no staff member with a PIN; auto_lock_minutes
 * (0: never) wins over the kiosk-auto-lock-minutes setting.
 */
typedef struct
{
  char *pin_hash;            /* NULL: none */
  int   auto_lock_seconds;   /* < 0: not in the file */
} WardKioskPolicy;

GQuark           ward_kiosk_error_quark            (void);

void             ward_kiosk_policy_init            (WardKioskPolicy  *policy);
void             ward_kiosk_policy_clear           (WardKioskPolicy  *policy);
/* Strict, as the rest of the policy file: an unknown key or a bad value
 * refuses it, naming "kiosk.KEY"; policy is left as it was.
 */
gboolean         ward_kiosk_policy_load_json       (WardKioskPolicy  *policy,
                                                    JsonNode         *node,
                                                    const char       *origin,
                                                    GError          **error);
/* Reads only the "kiosk" member of a policy file (the pipeline checks
 * the rest); a file without one leaves policy as it was.
 */
gboolean         ward_kiosk_policy_load_file       (WardKioskPolicy  *policy,
                                                    const char       *path,
                                                    GError          **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardKioskPolicy, ward_kiosk_policy_clear)

/* What guards a ward kiosk, without a clock of its own: every call takes
 * the time (monotonic microseconds) so that tests drive it.
 *
 * - Leaving the kiosk (closing, quitting, leaving full screen) needs the
 *   PIN of a staff member who has one, or the ward PIN when none has.
 *   Wrong PINs are counted for the station, whoever typed them.
 * - The auto-lock: after auto-lock-seconds without input the signed-in
 *   member is signed out, so that the next clinical action asks for a
 *   PIN again; the board itself never locks.
 */
#define WARD_TYPE_KIOSK_GUARD (ward_kiosk_guard_get_type ())
G_DECLARE_FINAL_TYPE (WardKioskGuard, ward_kiosk_guard, WARD, KIOSK_GUARD, GObject)

/* staff: may be NULL; ward_pin_hash: NULL or a hash line (refused by
 * ward_kiosk_policy_load_json() when malformed).
 */
WardKioskGuard  *ward_kiosk_guard_new                  (WardStaff       *staff,
                                                        const char      *ward_pin_hash);
/* Whether anyone can unlock at all. */
gboolean         ward_kiosk_guard_has_pin              (WardKioskGuard  *self);
/* TRUE: the prompt asks who you are (staff PINs); FALSE: the ward PIN. */
gboolean         ward_kiosk_guard_uses_staff           (WardKioskGuard  *self);
WardStaff       *ward_kiosk_guard_get_staff            (WardKioskGuard  *self);
/* A new staff list (the directory refreshed): a member taken off it can
 * no longer unlock; emits "staff-changed".  The lockout is kept.
 */
void             ward_kiosk_guard_set_staff            (WardKioskGuard  *self,
                                                        WardStaff       *staff);

/* Checks the PIN of staff_id (NULL: the ward PIN).  FALSE with
 * WRONG_PIN, LOCKED (not even checked) or NO_PIN; the messages are
 * written for the nurse at the station.
 */
gboolean         ward_kiosk_guard_check                (WardKioskGuard  *self,
                                                        const char      *staff_id,
                                                        const char      *pin,
                                                        gint64           now,
                                                        GError         **error);
/* When the lockout ends, or 0 when the prompt is open at now. */
gint64           ward_kiosk_guard_get_locked_until     (WardKioskGuard  *self,
                                                        gint64           now);
/* Wrong PINs since the last right one or the last lockout. */
guint            ward_kiosk_guard_get_failures         (WardKioskGuard  *self);

/* Puts back a lockout kept from an earlier run (see the
 * ::lockout-changed signal): failures wrong PINs in a row, and a lockout
 * until locked_until on the guard's clock (0: none).
 */
void             ward_kiosk_guard_restore              (WardKioskGuard  *self,
                                                        guint            failures,
                                                        gint64           locked_until);
/* The lockout's end as set, even when already past (0: none): what a
 * keeper of the lockout writes down.
 */
gint64           ward_kiosk_guard_get_raw_locked_until (WardKioskGuard  *self);

void             ward_kiosk_guard_set_auto_lock_seconds (WardKioskGuard *self,
                                                         guint           seconds);
guint            ward_kiosk_guard_get_auto_lock_seconds (WardKioskGuard *self);
/* Someone used the station at now. */
void             ward_kiosk_guard_touch                (WardKioskGuard  *self,
                                                        gint64           now);
/* TRUE once auto-lock-seconds (not 0) have passed since the last touch. */
gboolean         ward_kiosk_guard_idle_expired         (WardKioskGuard  *self,
                                                        gint64           now);

G_END_DECLS
