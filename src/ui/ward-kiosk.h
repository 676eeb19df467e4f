/* ward-kiosk.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-kiosk-guard.h"
#include "ward-kiosk-pin.h"
#include "ward-session.h"

G_BEGIN_DECLS

#define WARD_TYPE_KIOSK (ward_kiosk_get_type ())
G_DECLARE_FINAL_TYPE (WardKiosk, ward_kiosk, WARD, KIOSK, GObject)

/* The ward kiosk (docs/KIOSK.md): the window stays full screen, and
 * closing it, quitting and leaving full screen need a staff PIN; after
 * the guard's auto-lock time without input the signed-in member is
 * signed out ("Locked"), so that clinical actions ask for a PIN again,
 * while the board, the alarm bar and the charts stay live.
 */
WardKiosk  *ward_kiosk_new            (GApplication   *application,
                                       WardSession    *session,
                                       WardKioskGuard *guard);
/* The kiosk a window is started with: the session's staff PINs, the
 * ward PIN and auto-lock of policy_file's "kiosk" object (a file that
 * cannot be read leaves only the staff PINs: the pipeline says why), and
 * the kiosk-auto-lock-minutes of settings (may be NULL) where the policy
 * says nothing.
 */
WardKiosk  *ward_kiosk_new_for_policy (GApplication   *application,
                                       WardSession    *session,
                                       const char     *policy_file,
                                       GSettings      *settings);
/* Keeps the PIN prompt's lockout (wrong PINs in a row, the minute's
 * wait) in the store at db_path (NULL: in memory only), so that a
 * restart does not clear it.  Read when the prompt first opens.
 */
void        ward_kiosk_keep_lockout   (WardKiosk      *self,
                                       const char     *db_path);
WardKioskGuard *ward_kiosk_get_guard  (WardKiosk      *self);
/* Guards window (one per kiosk) and returns the header bar's widget that
 * says who is signed in, or "Locked".
 */
GtkWidget  *ward_kiosk_attach         (WardKiosk      *self,
                                       GtkWindow      *window);
/* app.quit: TRUE when the PIN was given (or the kiosk released); else
 * asks for it, and quits the application once it is right.
 */
gboolean    ward_kiosk_allows_quit    (WardKiosk      *self);
void        ward_kiosk_request_quit   (WardKiosk      *self);
/* The session ends the kiosk (SIGTERM): no PIN. */
void        ward_kiosk_release        (WardKiosk      *self);
/* Nobody is signed in. */
gboolean    ward_kiosk_get_locked     (WardKiosk      *self);
/* Signs the acting member out now (the header bar's Lock button). */
void        ward_kiosk_lock           (WardKiosk      *self);

G_END_DECLS
