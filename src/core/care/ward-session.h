/* ward-session.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ward-staff.h"

G_BEGIN_DECLS

#define WARD_SESSION_ERROR (ward_session_error_quark ())

typedef enum
{
  WARD_SESSION_ERROR_UNKNOWN_STAFF,  /* no such staff member */
  WARD_SESSION_ERROR_NO_PIN,         /* the member has no PIN in the staff file */
  WARD_SESSION_ERROR_WRONG_PIN,
  WARD_SESSION_ERROR_LOCKED,         /* too many wrong PINs: wait */
  WARD_SESSION_ERROR_STORE,          /* the lockout could not be read or written */
} WardSessionError;

#define WARD_SESSION_MAX_FAILURES          5
#define WARD_SESSION_LOCK_USEC             (5 * 60 * G_USEC_PER_SEC)
#define WARD_SESSION_DEFAULT_IDLE_SECONDS  (5 * 60)

/* Who is acting.  On a personal desktop the signed-in OS account is the
 * staff member whose os_account it is.  At a shared station nobody is
 * until a member switches in with a PIN, and the session signs out by
 * itself after idle-seconds without activity (ward_session_touch()); the
 * board stays live meanwhile.  PIN failures and locks are kept in the
 * store (store/ward-store-staff.c) and every sign-in, refusal and lock
 * is an event there.
 */
#define WARD_TYPE_SESSION (ward_session_get_type ())
G_DECLARE_FINAL_TYPE (WardSession, ward_session, WARD, SESSION, GObject)

GQuark                 ward_session_error_quark      (void);

/* How wardwatch is told who acts (--staff, --staff-id, --station-mode,
 * --idle-sign-out).
 */
typedef struct
{
  char     *staff_file;     /* NULL: the demo staff with --demo, else no list */
  char     *staff_id;       /* NULL: none; acts as this member from the start */
  gboolean  station_mode;
  int       idle_seconds;   /* < 0: the default */
} WardSessionConfig;

void                   ward_session_config_init      (WardSessionConfig       *config);
void                   ward_session_config_clear     (WardSessionConfig       *config);
void                   ward_session_config_copy      (const WardSessionConfig *src,
                                                      WardSessionConfig       *dest);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardSessionConfig, ward_session_config_clear)

/* The session wardwatch starts with: the staff list of config (or the
 * demo's), started for the desktop login, and --staff-id applied.  An
 * unreadable staff file or an unknown --staff-id is an error.
 */
WardSession           *ward_session_new_for_config   (const WardSessionConfig *config,
                                                      gboolean                 demo,
                                                      const char              *db_path,
                                                      GError                 **error);

/* db_path: the store holding PIN failures (opened when first needed). */
WardSession           *ward_session_new              (WardStaff    *staff,
                                                      const char   *db_path,
                                                      gboolean      station_mode);
WardStaff             *ward_session_get_staff        (WardSession  *self);
/* Replaces the staff list (care/ward-staff-directory.h, after a read of
 * the FHIR server).  The acting member, when no longer on it, is signed
 * out (staff-sign-out-removed): someone taken off the ward's CareTeam
 * acts no more.
 */
void                   ward_session_set_staff        (WardSession  *self,
                                                      WardStaff    *staff);
gboolean               ward_session_get_station_mode (WardSession  *self);
void                   ward_session_set_idle_seconds (WardSession  *self,
                                                      guint         seconds);
guint                  ward_session_get_idle_seconds (WardSession  *self);

/* The member acting now, or NULL. */
const WardStaffMember *ward_session_get_acting       (WardSession  *self);
const char            *ward_session_get_acting_id    (WardSession  *self);

/* Who acts when the session starts: nobody at a station; on a desktop
 * the member whose os_account is os_account, or, when the ward has no
 * staff list at all, the login name itself (as before staff lists).
 */
void                   ward_session_start            (WardSession  *self,
                                                      const char   *os_account);
/* Desktop mode: the member whose os_account is os_account becomes the
 * acting one.  FALSE with error when there is none, or at a station
 * (where the login is the station's, not a person's).
 */
gboolean               ward_session_sign_in_os_account (WardSession *self,
                                                        const char  *os_account,
                                                        GError     **error);
/* Switches staff_id in with a PIN.  A wrong PIN counts towards the lock;
 * a locked PIN is not even checked.  The error message is written for a
 * nurse at the station.
 */
gboolean               ward_session_sign_in          (WardSession  *self,
                                                      const char   *staff_id,
                                                      const char   *pin,
                                                      GError      **error);
/* Acts as staff_id without a PIN: for a service started with
 * --staff-id by whoever runs it; refused at a station.
 */
gboolean               ward_session_sign_in_trusted  (WardSession  *self,
                                                      const char   *staff_id,
                                                      GError      **error);
void                   ward_session_sign_out         (WardSession  *self);
/* The same after a time without input (the kiosk's auto-lock): recorded
 * as staff-sign-out-idle.
 */
void                   ward_session_sign_out_idle    (WardSession  *self);
/* Records kind (e.g. "kiosk-quit") by staff_id in the store's events,
 * as sign-ins are; a failure to write is logged, not returned.
 */
void                   ward_session_add_event        (WardSession  *self,
                                                      const char   *staff_id,
                                                      const char   *kind);
/* Someone is using the station: the idle sign-out starts again. */
void                   ward_session_touch            (WardSession  *self);

G_END_DECLS
