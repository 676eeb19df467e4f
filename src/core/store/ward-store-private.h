/* ward-store-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "ward-store.h"

G_BEGIN_DECLS

/* For the files that add to WardStore by concern (ward-store-answers.c):
 * the connection's cached statements and its error reporting.
 */

/* A reset statement with no bindings, prepared on first use and cached by
 * the address of sql (a static string).
 */
sqlite3_stmt *_ward_store_get_statement (WardStore   *self,
                                         const char  *sql,
                                         GError     **error);
/* Sets error from the connection's last error; returns FALSE. */
gboolean      _ward_store_set_sql_error (WardStore   *self,
                                         int          rc,
                                         const char  *what,
                                         GError     **error);
/* The connection, for the store's own files split by concern
 * (ward-store-archive.c); nothing outside store/ uses it.
 */
sqlite3    *_ward_store_get_db             (WardStore              *self);

G_END_DECLS
