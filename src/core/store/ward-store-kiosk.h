/* ward-store-kiosk.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* The kiosk's own PIN lockout (issue #12), kept across restarts so that
 * killing and restarting the station is no way around it.  It lives in
 * the pin_attempts table (schema 8) under a key no staff member can
 * have (WARD_STORE_KIOSK_LOCKOUT_KEY: staff ids, like FHIR ids, have no
 * spaces), so that it needs no migration: the wrong PINs typed at this
 * station's prompt, whoever typed them, and until when the prompt is
 * locked (UTC microseconds, 0: not locked).
 */
#define WARD_STORE_KIOSK_LOCKOUT_KEY "kiosk prompt"

/* A store without a row gives 0 and 0. */
gboolean ward_store_get_kiosk_lockout (WardStore   *self,
                                       guint       *failures,
                                       gint64      *locked_until,
                                       GError     **error);
gboolean ward_store_set_kiosk_lockout (WardStore   *self,
                                       guint        failures,
                                       gint64       locked_until,
                                       gint64       now,
                                       GError     **error);

G_END_DECLS
