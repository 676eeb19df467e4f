/* ward-i18n.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *ward_i18n_get_localedir (void);
const char *ward_i18n_init          (void);

G_END_DECLS
