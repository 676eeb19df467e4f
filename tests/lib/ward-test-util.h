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

G_END_DECLS
