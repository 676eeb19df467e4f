/* ward-switch-user-private.h: test-only hooks of WardSwitchUser, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-switch-user.h"

G_BEGIN_DECLS

/* The message shown under the PIN, or NULL. */
const char     *ward_switch_user_get_error    (WardSwitchUser *self);

G_END_DECLS
