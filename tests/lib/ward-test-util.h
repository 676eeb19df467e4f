/* ward-test-util.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes path and, when it is a directory, all below it (links are
 * removed, not followed).
 */
void ward_test_remove_tree (const char *path);

/* A test's bound on waiting for a condition, msec, multiplied as meson's
 * own timeout is: by WARD_TEST_TIMEOUT_MULTIPLIER when it is set (the
 * sanitizer stages of build-aux/run-tests.sh set it with meson test's
 * --timeout-multiplier).  A slower build then waits longer for the same
 * condition; the condition itself is the same.
 */
guint ward_test_timeout_msec (guint msec);

G_END_DECLS
