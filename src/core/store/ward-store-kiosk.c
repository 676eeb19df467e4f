/* ward-store-kiosk.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-kiosk.h"

#include "ward-store-private.h"

gboolean
ward_store_get_kiosk_lockout (WardStore   *self,
                              guint       *failures,
                              gint64      *locked_until,
                              GError     **error)
{
  static const char sql[] =
    "SELECT failures, locked_until FROM pin_attempts WHERE staff_id = ?1";
  sqlite3_stmt *stmt;
  gint64 count = 0;
  gint64 until = 0;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (failures != NULL, FALSE);
  g_return_val_if_fail (locked_until != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, WARD_STORE_KIOSK_LOCKOUT_KEY, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      count = sqlite3_column_int64 (stmt, 0);
      until = sqlite3_column_int64 (stmt, 1);
      rc = sqlite3_step (stmt);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read the kiosk's PIN lockout", error);

  *failures = (guint) CLAMP (count, 0, G_MAXUINT);
  *locked_until = MAX (until, 0);

  return TRUE;
}

gboolean
ward_store_set_kiosk_lockout (WardStore   *self,
                              guint        failures,
                              gint64       locked_until,
                              gint64       now,
                              GError     **error)
{
  static const char sql[] =
    "INSERT INTO pin_attempts (staff_id, failures, last_failure_at, locked_until) "
    "VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (staff_id) DO UPDATE SET "
    "  failures = excluded.failures, last_failure_at = excluded.last_failure_at, "
    "  locked_until = excluded.locked_until";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (locked_until >= 0, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, WARD_STORE_KIOSK_LOCKOUT_KEY, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, failures);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, locked_until);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "keep the kiosk's PIN lockout", error);

  return TRUE;
}
