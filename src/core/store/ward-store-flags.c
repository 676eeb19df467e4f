/* ward-store-flags.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store.h"
#include "ward-store-private.h"

#include <sqlite3.h>

/* What the engine writes as it scores: NEWS2 scores, clinical flags and
 * technical alerts through their life (open, escalate, acknowledge,
 * close), and the audit events.
 */

gint64
ward_store_upsert_score (WardStore              *self,
                         const WardScoreRecord  *score,
                         gboolean               *inserted,
                         GError                **error)
{
  static const char find_sql[] =
    "SELECT id FROM scores WHERE patient_id = ?1 AND kind = 'news2' AND window_end = ?2";
  static const char insert_sql[] =
    "INSERT INTO scores (patient_id, window_start, window_end, computed_at, total, band, "
    "complete, status, confirmed_by, confirmed_at, inputs, age, news2_applicable, kind, value) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, 'news2', ?5)";
  static const char update_sql[] =
    "UPDATE scores SET window_start = ?2, computed_at = ?4, total = ?5, value = ?5, band = ?6, "
    "complete = ?7, status = ?8, confirmed_by = ?9, confirmed_at = ?10, inputs = ?11, "
    "age = ?13, news2_applicable = ?14 "
    "WHERE id = ?12";
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (score != NULL && score->patient_id != NULL, 0);
  g_return_val_if_fail (score->inputs_json != NULL, 0);

  /* A re-scored window updates its row: one row per patient and window. */
  if (!(stmt = _ward_store_get_statement (self, find_sql, error)))
    return 0;
  sqlite3_bind_text (stmt, 1, score->patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, score->window_end);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "find score", error);
      return 0;
    }

  if (!(stmt = _ward_store_get_statement (self, id ? update_sql : insert_sql, error)))
    return 0;

  sqlite3_bind_text (stmt, 1, score->patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, score->window_start);
  sqlite3_bind_int64 (stmt, 3, score->window_end);
  sqlite3_bind_int64 (stmt, 4, score->computed_at);
  sqlite3_bind_int (stmt, 5, score->total);
  sqlite3_bind_text (stmt, 6, ward_band_to_string (score->band), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, score->complete ? 1 : 0);
  sqlite3_bind_text (stmt, 8, score->final ? "final" : "preliminary", -1, SQLITE_STATIC);
  _ward_store_bind_text (stmt, 9, score->confirmed_by);
  _ward_store_bind_int64 (stmt, 10, score->confirmed_at);
  sqlite3_bind_text (stmt, 11, score->inputs_json, -1, SQLITE_TRANSIENT);
  if (id != 0)
    sqlite3_bind_int64 (stmt, 12, id);
  if (score->age_known)
    sqlite3_bind_int (stmt, 13, score->age);
  else
    sqlite3_bind_null (stmt, 13);
  sqlite3_bind_int (stmt, 14, score->news2_not_applicable ? 0 : 1);

  if (!_ward_store_step_done (self, stmt, "store score", error))
    return 0;

  if (inserted != NULL)
    *inserted = (id == 0);

  return id ? id : sqlite3_last_insert_rowid (_ward_store_get_db (self));
}

gboolean
ward_store_get_score_inputs (WardStore   *self,
                             const char  *patient_id,
                             gint64       window_end,
                             char       **inputs_json,
                             GError     **error)
{
  static const char sql[] =
    "SELECT inputs FROM scores WHERE patient_id = ?1 AND kind = 'news2' AND window_end = ?2";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (inputs_json != NULL, FALSE);

  *inputs_json = NULL;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, window_end);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *inputs_json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No score of patient %s for the window ending %" G_GINT64_FORMAT,
                   patient_id, window_end);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return _ward_store_set_sql_error (self, rc, "read score inputs", error);

  return TRUE;
}

gint64
ward_store_open_flag (WardStore   *self,
                      const char  *patient_id,
                      const char  *kind,
                      const char  *subject,
                      WardBand     band,
                      gint64       opened_at,
                      gint64       score_id,
                      const char  *reason,
                      GError     **error)
{
  static const char sql[] =
    "INSERT INTO flags (patient_id, kind, subject, band, opened_at, score_id, reason) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (kind != NULL, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;

  _ward_store_bind_text (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, subject);
  if (g_strcmp0 (kind, "clinical") == 0)
    sqlite3_bind_text (stmt, 4, ward_band_to_string (band), -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int64 (stmt, 5, opened_at);
  _ward_store_bind_int64 (stmt, 6, score_id);
  _ward_store_bind_text (stmt, 7, reason);

  return _ward_store_step_insert (self, stmt, "open flag", error);
}

static gboolean
update_flag (WardStore   *self,
             const char  *sql,
             gint64       flag_id,
             const char  *text,
             gint64       at,
             GError     **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, flag_id);
  _ward_store_bind_text (stmt, 2, text);
  sqlite3_bind_int64 (stmt, 3, at);

  if (!_ward_store_step_done (self, stmt, "update flag", error))
    return FALSE;

  if (sqlite3_changes (_ward_store_get_db (self)) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No open flag %" G_GINT64_FORMAT, flag_id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_store_escalate_flag (WardStore   *self,
                          gint64       flag_id,
                          WardBand     band,
                          gint64       at,
                          GError     **error)
{
  static const char sql[] =
    "UPDATE flags SET band = ?2, escalated_at = ?3 WHERE id = ?1 AND closed_at IS NULL";

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  return update_flag (self, sql, flag_id, ward_band_to_string (band), at, error);
}

gboolean
ward_store_close_flag (WardStore   *self,
                       gint64       flag_id,
                       gint64       at,
                       GError     **error)
{
  /* ?2 stays unused: SQLite numbers parameters up to the highest, so the
   * slot exists and update_flag() can bind it for every statement.
   */
  static const char sql[] =
    "UPDATE flags SET closed_at = ?3 WHERE id = ?1 AND closed_at IS NULL";

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  return update_flag (self, sql, flag_id, NULL, at, error);
}

gboolean
ward_store_acknowledge_flag (WardStore   *self,
                             gint64       flag_id,
                             const char  *user,
                             gint64       at,
                             char       **patient_id,
                             GError     **error)
{
  static const char sql[] =
    "UPDATE flags SET acknowledged_by = ?2, acknowledged_at = ?3 "
    "WHERE id = ?1 AND closed_at IS NULL";
  static const char patient_sql[] = "SELECT patient_id FROM flags WHERE id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!update_flag (self, sql, flag_id, user, at, error))
    return FALSE;

  if (patient_id != NULL)
    {
      if (!(stmt = _ward_store_get_statement (self, patient_sql, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, flag_id);
      *patient_id = NULL;
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
        *patient_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }

  return TRUE;
}

gint64
ward_store_add_event (WardStore   *self,
                      gint64       at,
                      const char  *actor,
                      const char  *kind,
                      const char  *patient_id,
                      const char  *detail_json,
                      GError     **error)
{
  static const char sql[] =
    "INSERT INTO events (at, actor, kind, patient_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (actor != NULL && kind != NULL, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;

  sqlite3_bind_int64 (stmt, 1, at);
  sqlite3_bind_text (stmt, 2, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 4, patient_id);
  _ward_store_bind_text (stmt, 5, detail_json);

  return _ward_store_step_insert (self, stmt, "record event", error);
}
