/* ward-store-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "ward-store.h"
#include "ward-store-shared.h"

G_BEGIN_DECLS

/* For the files that add to WardStore by concern (ward-store-answers.c):
 * the connection's cached statements and its error reporting.
 */

/* The instance, for the store's own files; nothing outside store/
 * touches its fields.
 */
struct _WardStore
{
  GObject      parent_instance;

  sqlite3     *db;
  char        *path;
  GHashTable  *statements;   /* const char *sql -> sqlite3_stmt */
  gboolean     readonly;
  gboolean     in_transaction;
  gint64       n_pending;    /* outbox rows pending, or -1 until counted */
  gint64       n_failed;     /* outbox rows parked, or -1 until counted */

  /* Resource types whose writes go to the sharing queue, and who is told
   * (ward-store-shared-route.c); NULL when nothing is shared.
   */
  GHashTable                *shared_routes;
  WardStoreSharedQueuedFunc  shared_queued;
  gpointer                   shared_queued_data;
};

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


/* Binds text, or NULL when text is NULL. */
void        _ward_store_bind_text          (sqlite3_stmt           *stmt,
                                            int                     index,
                                            const char             *text);
/* Binds value, or NULL when it is 0 (an unset time or id). */
void        _ward_store_bind_int64         (sqlite3_stmt           *stmt,
                                            int                     index,
                                            gint64                  value);
/* A copy of a text column, NULL for NULL. */
char       *_ward_store_column_text        (sqlite3_stmt           *stmt,
                                            int                     column);
/* Steps a statement that returns no row and resets it; sets error naming
 * what otherwise.
 */
gboolean    _ward_store_step_done          (WardStore              *self,
                                            sqlite3_stmt           *stmt,
                                            const char             *what,
                                            GError                **error);
/* Steps an INSERT: the new row's id, or 0 with error. */
gint64      _ward_store_step_insert        (WardStore              *self,
                                            sqlite3_stmt           *stmt,
                                            const char             *what,
                                            GError                **error);

/* Queues a local write of a resource for sharing, on the known version
 * (ward-store-shared-route.c): the path of routed types and of rows
 * adopted from the outbox.  In the caller's transaction.
 */
gboolean    _ward_store_shared_queue_local (WardStore              *self,
                                            const char             *resource_type,
                                            const char             *id,
                                            const char             *json,
                                            gint64                  at,
                                            GError                **error);

/* PRAGMA user_version: the schema version, or -1 when it cannot be read. */
int         _ward_store_read_user_version  (WardStore              *self);
/* Runs the migrations that take the database from its version up to
 * target, each in its own transaction (ward-store-migrations.c).
 */
gboolean    _ward_store_migrate            (WardStore              *self,
                                            int                     target,
                                            GError                **error);

/* Test-only hooks.  For tests of the migrations: create a database at an
 * older version.
 */
WardStore  *_ward_store_open_at_version    (const char             *path,
                                            int                     version,
                                            GError                **error);
/* The first column of the first row of sql, as text (NULL: no row). */
char       *_ward_store_query_text         (WardStore              *self,
                                            const char             *sql,
                                            GError                **error);

/* A refused file left as it was found (ward-store-side-files.c): which of
 * PATH's -wal and -shm files exist, noted before the connection opens it,
 * and, once it is closed, the removal of those it made.
 */
guint       _ward_store_side_files_present    (const char             *path);
void        _ward_store_remove_new_side_files (const char             *path,
                                               guint                   present);

G_END_DECLS
