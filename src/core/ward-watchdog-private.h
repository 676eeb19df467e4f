/* ward-watchdog-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-watchdog.h"

G_BEGIN_DECLS

typedef gint64 (*WardWatchdogClock) (gpointer user_data);

/* Test hooks: a monotonic clock of the test's own (NULL: the real one),
 * and a check as the timer makes it, at that clock's time.
 */
void _ward_watchdog_set_clock (WardWatchdog      *self,
                               WardWatchdogClock  clock,
                               gpointer           user_data);
void _ward_watchdog_check     (WardWatchdog      *self);

G_END_DECLS
