/* ward-store-shared-prune.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * shared_outbox keeps its done rows as the record of what went to the
 * other stations; on a station that runs for months they would grow
 * without end.  The rows the server has (sent, or merged with the
 * server's copy) leave after a retention, a bounded batch at a time so
 * that no prune holds the write lock for long.  Pending rows never
 * leave, and refused ones ('failed') stay for a person to read.
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-shared.h"
#include "ward-store-private.h"

gint64
ward_store_shared_prune (WardStore  *self,
                         gint64      done_before,
                         guint       limit,
                         GError    **error)
{
  static const char sql[] =
    "DELETE FROM shared_outbox WHERE seq IN ("
    "  SELECT seq FROM shared_outbox "
    "  WHERE state IN ('sent', 'merged') AND done_at IS NOT NULL AND done_at < ?1 "
    "  ORDER BY seq LIMIT ?2)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);
  g_return_val_if_fail (limit > 0, -1);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return -1;

  sqlite3_bind_int64 (stmt, 1, done_before);
  sqlite3_bind_int64 (stmt, 2, limit);
  if (!_ward_store_step_done (self, stmt, "prune shared writes", error))
    return -1;

  return sqlite3_changes (_ward_store_get_db (self));
}
