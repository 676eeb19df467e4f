/* ward-kiosk-pin.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-kiosk-guard.h"

G_BEGIN_DECLS

/* The kiosk's clock: monotonic microseconds (tests bring their own). */
typedef gint64 (*WardKioskClock) (gpointer user_data);

#define WARD_TYPE_KIOSK_PIN (ward_kiosk_pin_get_type ())
G_DECLARE_FINAL_TYPE (WardKioskPin, ward_kiosk_pin, WARD, KIOSK_PIN, AdwWindow)

/* The kiosk's PIN prompt: a staff member picks their name and types
 * their PIN (or the ward PIN where nobody has one).  It emits
 * "verified" with the member's id (NULL for the ward PIN) and closes;
 * while wrong PINs lock it, it counts the wait down.
 */
WardKioskPin *ward_kiosk_pin_new          (GtkWindow      *parent,
                                           WardKioskGuard *guard,
                                           WardKioskClock  clock,
                                           gpointer        clock_data);
/* What the PIN is for, in a sentence ("Type a staff PIN to close …"). */
void          ward_kiosk_pin_set_purpose  (WardKioskPin   *self,
                                           const char     *purpose);
void          ward_kiosk_pin_select       (WardKioskPin   *self,
                                           const char     *staff_id);
/* The message under the PIN (wrong PIN, the countdown), or NULL. */
const char   *ward_kiosk_pin_get_error    (WardKioskPin   *self);
/* Reads the clock again now, as the countdown's timer does each second. */
void          ward_kiosk_pin_update       (WardKioskPin   *self);

G_END_DECLS
