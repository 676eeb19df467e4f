/* ward-store-restore.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-restore.h"
#include "ward-store-private.h"

static const char MEASUREMENTS_SINCE_SQL[] =
  "SELECT kind, value, observed_at, source, entered_by FROM measurements"
  " WHERE patient_id = ?1 AND observed_at >= ?2"
  " ORDER BY observed_at, id";

static const char OPEN_CLINICAL_FLAG_SQL[] =
  "SELECT id, band, opened_at, escalated_at, acknowledged_by, acknowledged_at FROM flags"
  " WHERE patient_id = ?1 AND kind = 'clinical' AND closed_at IS NULL"
  " ORDER BY opened_at DESC, id DESC LIMIT 1";

gboolean
ward_store_foreach_measurement_since (WardStore             *self,
                                      const char            *patient_id,
                                      gint64                 since,
                                      WardStoreRestoreFunc   func,
                                      gpointer               user_data,
                                      GError               **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL && func != NULL, FALSE);

  stmt = _ward_store_get_statement (self, MEASUREMENTS_SINCE_SQL, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, since);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func ((const char *) sqlite3_column_text (stmt, 0),
          sqlite3_column_double (stmt, 1),
          sqlite3_column_int64 (stmt, 2),
          (const char *) sqlite3_column_text (stmt, 3),
          (const char *) sqlite3_column_text (stmt, 4),
          user_data);

  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "reading measurements back", error);
      sqlite3_reset (stmt);
      return FALSE;
    }

  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
ward_store_get_open_clinical_flag (WardStore   *self,
                                   const char  *patient_id,
                                   gint64      *flag_id,
                                   char       **band,
                                   gint64      *opened_at,
                                   gint64      *escalated_at,
                                   char       **acknowledged_by,
                                   gint64      *acknowledged_at,
                                   GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);

  *flag_id = 0;
  *band = NULL;
  *opened_at = *escalated_at = *acknowledged_at = 0;
  *acknowledged_by = NULL;

  stmt = _ward_store_get_statement (self, OPEN_CLINICAL_FLAG_SQL, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *flag_id = sqlite3_column_int64 (stmt, 0);
      *band = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      *opened_at = sqlite3_column_int64 (stmt, 2);
      *escalated_at = sqlite3_column_int64 (stmt, 3);
      *acknowledged_by = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      *acknowledged_at = sqlite3_column_int64 (stmt, 5);
    }
  else if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "reading the open flag back", error);
      sqlite3_reset (stmt);
      return FALSE;
    }

  sqlite3_reset (stmt);
  return TRUE;
}
