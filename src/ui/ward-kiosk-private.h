/* ward-kiosk-private.h: test-only hooks of WardKiosk, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-kiosk.h"

G_BEGIN_DECLS

/* A clock of the test's own (NULL: the monotonic clock). */
void          _ward_kiosk_set_clock       (WardKiosk      *self,
                                           WardKioskClock  clock,
                                           gpointer        user_data);
/* The auto-lock's check, as its timer makes it each second. */
void          _ward_kiosk_check_idle      (WardKiosk      *self);
/* Input at the station, as the window's input controller reports it. */
void          _ward_kiosk_touch           (WardKiosk      *self);
/* The PIN prompt shown now, or NULL. */
WardKioskPin *_ward_kiosk_get_pin_dialog  (WardKiosk      *self);
/* The header's words ("Ada Nwosu · Bed nurse", "Locked"). */
const char   *_ward_kiosk_get_status_text (WardKiosk      *self);

G_END_DECLS
