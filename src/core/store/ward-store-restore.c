/* ward-store-restore.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-restore.h"
#include "ward-store-private.h"

/* The newest row of one kind, and the newest nurse-entered one: each a
 * walk back along the (patient, kind, time) index or its nurse-only twin
 * to the first row.  Reading every row since the longest validity, as
 * this did, read some 17,000 rows a patient and kind of 5-second
 * readings per day of validity, and sorted them: the cold start of a
 * month-old ward store (bench-history).
 */
static const char NEWEST_SQL[] =
  "SELECT value, observed_at, source, entered_by, id FROM measurements"
  " WHERE patient_id = ?1 AND kind = ?3 AND observed_at >= ?2"
  " ORDER BY observed_at DESC, id DESC LIMIT 1";
static const char NEWEST_NURSE_SQL[] =
  "SELECT value, observed_at, source, entered_by, id FROM measurements"
  " WHERE patient_id = ?1 AND kind = ?3 AND observed_at >= ?2 AND source = 'nurse'"
  " ORDER BY observed_at DESC, id DESC LIMIT 1";

typedef struct
{
  gboolean  found;
  double    value;
  gint64    observed_at;
  char     *source;
  char     *entered_by;
  gint64    id;
} Row;

static void
row_clear (Row *row)
{
  g_clear_pointer (&row->source, g_free);
  g_clear_pointer (&row->entered_by, g_free);
}

static gboolean
read_newest (WardStore    *self,
             const char   *sql,
             const char   *patient_id,
             gint64        since,
             const char   *kind,
             Row          *row,
             GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ward_store_get_statement (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      row->found = TRUE;
      row->value = sqlite3_column_double (stmt, 0);
      row->observed_at = sqlite3_column_int64 (stmt, 1);
      row->source = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      row->entered_by = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      row->id = sqlite3_column_int64 (stmt, 4);
      rc = SQLITE_DONE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "reading measurements back", error);

  return TRUE;
}

static void
call_row (const Row            *row,
          const char           *kind,
          WardStoreRestoreFunc  func,
          gpointer              user_data)
{
  if (row->found)
    func (kind, row->value, row->observed_at, row->source, row->entered_by, user_data);
}

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
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL && func != NULL, FALSE);

  for (int k = 0; k < WARD_MEAS_N_KINDS; k++)
    {
      const char *kind = ward_meas_kind_to_string (k);
      Row newest = { 0 };
      Row nurse = { 0 };
      gboolean ok;

      ok = read_newest (self, NEWEST_SQL, patient_id, since, kind, &newest, error) &&
           read_newest (self, NEWEST_NURSE_SQL, patient_id, since, kind, &nurse, error);
      /* Oldest first, by (time, id) as the table's order: the same one is
       * the newest of each for the caller as when every row came.
       */
      if (ok && nurse.found && newest.found && nurse.id != newest.id)
        {
          gboolean nurse_first = nurse.observed_at < newest.observed_at ||
                                 (nurse.observed_at == newest.observed_at && nurse.id < newest.id);

          call_row (nurse_first ? &nurse : &newest, kind, func, user_data);
          call_row (nurse_first ? &newest : &nurse, kind, func, user_data);
        }
      else if (ok)
        {
          call_row (&newest, kind, func, user_data);
        }
      row_clear (&newest);
      row_clear (&nurse);
      if (!ok)
        return FALSE;
    }

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
