/* ward-store-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "ward-store.h"

G_BEGIN_DECLS

/* The connection, for the store's own files split by concern
 * (ward-store-archive.c); nothing outside store/ uses it.
 */
sqlite3    *_ward_store_get_db             (WardStore              *self);

G_END_DECLS
