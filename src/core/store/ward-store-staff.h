/* ward-store-staff.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* PIN lockout (schema 8, table pin_attempts): failed PIN switch-ins per
 * staff member, kept across restarts.  Failures older than lock_usec
 * before a new one no longer count; the max_failures-th failure in a row
 * locks the member's PIN until now + lock_usec and starts the count
 * again.  Times are UTC microseconds.
 */

/* *locked_until is 0 when the PIN is not locked at now. */
gboolean    ward_store_get_pin_lock        (WardStore   *self,
                                            const char  *staff_id,
                                            gint64       now,
                                            gint64      *locked_until,
                                            GError     **error);
/* Counts a failure at now.  *failures is the count after it (0 when this
 * one locked the PIN), *locked_until as ward_store_get_pin_lock().
 */
gboolean    ward_store_add_pin_failure     (WardStore   *self,
                                            const char  *staff_id,
                                            gint64       now,
                                            guint        max_failures,
                                            gint64       lock_usec,
                                            guint       *failures,
                                            gint64      *locked_until,
                                            GError     **error);
/* A right PIN: the count starts again (a lock in force is not lifted:
 * the caller does not verify a locked PIN at all).
 */
gboolean    ward_store_clear_pin_failures  (WardStore   *self,
                                            const char  *staff_id,
                                            GError     **error);

G_END_DECLS
