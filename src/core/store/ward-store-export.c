/* ward-store-export.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-export.h"
#include "ward-store-private.h"

gboolean
ward_store_get_last_change (WardStore  *self,
                            gint64     *change_seq,
                            GError    **error)
{
  static const char sql[] = "SELECT coalesce (max (change_seq), 0) FROM fhir_resources";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (change_seq != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *change_seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return _ward_store_set_sql_error (self, rc, "find the last FHIR resource change", error);

  return TRUE;
}

gboolean
ward_store_foreach_change (WardStore            *self,
                           gint64                after,
                           gint64                up_to,
                           gint64                since,
                           WardStoreChangeFunc   func,
                           gpointer              user_data,
                           GError              **error)
{
  static const char sql[] =
    "SELECT resource_type, id, version, updated_at, change_seq, json FROM fhir_resources "
    "WHERE change_seq > ?1 AND change_seq <= ?2 AND updated_at >= ?3 ORDER BY change_seq";
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* Not the cached statement: func may use the store while it runs. */
  rc = sqlite3_prepare_v2 (_ward_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return _ward_store_set_sql_error (self, rc, "list FHIR resource changes", error);

  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, up_to);
  sqlite3_bind_int64 (stmt, 3, since);
  while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardResourceChange change = {
        .resource_type = (const char *) sqlite3_column_text (stmt, 0),
        .id = (const char *) sqlite3_column_text (stmt, 1),
        .version = sqlite3_column_int64 (stmt, 2),
        .updated_at = sqlite3_column_int64 (stmt, 3),
        .change_seq = sqlite3_column_int64 (stmt, 4),
        .json = (const char *) sqlite3_column_text (stmt, 5),
      };

      ok = func (&change, user_data, error);
    }

  if (ok && rc != SQLITE_DONE)
    ok = _ward_store_set_sql_error (self, rc, "list FHIR resource changes", error);
  sqlite3_finalize (stmt);

  return ok;
}
