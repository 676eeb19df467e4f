/* ward-switch-user.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-session.h"

G_BEGIN_DECLS

#define WARD_TYPE_SWITCH_USER (ward_switch_user_get_type ())
G_DECLARE_FINAL_TYPE (WardSwitchUser, ward_switch_user, WARD, SWITCH_USER, AdwWindow)

/* The "Switch User" dialog: a staff member picks their name and types
 * their PIN; wrong PINs and locks are said in words a nurse reads at a
 * glance.  It closes itself once someone is signed in.
 */
WardSwitchUser *ward_switch_user_new          (GtkWindow      *parent,
                                               WardSession    *session);
/* Preselects a member (e.g. the one signed in last), by id. */
void            ward_switch_user_select       (WardSwitchUser *self,
                                               const char     *staff_id);
/* A header bar button saying who is signed in ("Ada Nwosu") or inviting
 * to sign in; it activates app.switch-user.
 */
GtkWidget      *ward_acting_button_new        (WardSession    *session);

G_END_DECLS
