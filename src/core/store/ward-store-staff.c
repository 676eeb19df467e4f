/* ward-store-staff.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-staff.h"

#include "ward-store-private.h"

gboolean
ward_store_get_pin_lock (WardStore   *self,
                         const char  *staff_id,
                         gint64       now,
                         gint64      *locked_until,
                         GError     **error)
{
  static const char sql[] =
    "SELECT locked_until FROM pin_attempts WHERE staff_id = ?1 AND locked_until > ?2";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);
  g_return_val_if_fail (locked_until != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, staff_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now);
  rc = sqlite3_step (stmt);
  *locked_until = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read PIN lock", error);

  return TRUE;
}

gboolean
ward_store_add_pin_failure (WardStore   *self,
                            const char  *staff_id,
                            gint64       now,
                            guint        max_failures,
                            gint64       lock_usec,
                            guint       *failures,
                            gint64      *locked_until,
                            GError     **error)
{
  /* One statement, so that two stations (two connections) counting
   * failures of the same member at once cannot lose one.  "prior" is the
   * count that still matters: none when the last failure is older than
   * a lock period.
   */
  static const char sql[] =
    "INSERT INTO pin_attempts (staff_id, failures, last_failure_at, locked_until) "
    "VALUES (?1, CASE WHEN ?3 <= 1 THEN 0 ELSE 1 END, ?2, CASE WHEN ?3 <= 1 THEN ?2 + ?4 ELSE 0 END) "
    "ON CONFLICT (staff_id) DO UPDATE SET "
    "  failures = CASE WHEN (CASE WHEN last_failure_at < ?2 - ?4 THEN 0 ELSE failures END) + 1 >= ?3 "
    "             THEN 0 ELSE (CASE WHEN last_failure_at < ?2 - ?4 THEN 0 ELSE failures END) + 1 END, "
    "  locked_until = CASE WHEN (CASE WHEN last_failure_at < ?2 - ?4 THEN 0 ELSE failures END) + 1 >= ?3 "
    "                 THEN ?2 + ?4 ELSE locked_until END, "
    "  last_failure_at = ?2 "
    "RETURNING failures, locked_until";
  sqlite3_stmt *stmt;
  gint64 until = 0;
  gint64 count = 0;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);
  g_return_val_if_fail (max_failures > 0, FALSE);
  g_return_val_if_fail (lock_usec > 0, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, staff_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_int64 (stmt, 3, max_failures);
  sqlite3_bind_int64 (stmt, 4, lock_usec);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      count = sqlite3_column_int64 (stmt, 0);
      until = sqlite3_column_int64 (stmt, 1);
      rc = sqlite3_step (stmt);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "count a failed PIN", error);

  if (failures != NULL)
    *failures = (guint) count;
  if (locked_until != NULL)
    *locked_until = until > now ? until : 0;

  return TRUE;
}

gboolean
ward_store_clear_pin_failures (WardStore   *self,
                               const char  *staff_id,
                               GError     **error)
{
  static const char sql[] =
    "UPDATE pin_attempts SET failures = 0 WHERE staff_id = ?1";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, staff_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "clear failed PINs", error);

  return TRUE;
}
