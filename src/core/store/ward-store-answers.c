/* ward-store-answers.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-answers.h"
#include "ward-store-private.h"

void
ward_stored_answer_clear (WardStoredAnswer *answer)
{
  g_clear_pointer (&answer->digest, g_free);
  g_clear_pointer (&answer->reason, g_free);
}

gboolean
ward_store_find_answer (WardStore         *self,
                        const char        *source,
                        const char        *facility,
                        const char        *application,
                        const char        *control_id,
                        gboolean          *found,
                        WardStoredAnswer  *answer,
                        GError           **error)
{
  static const char sql[] =
    "SELECT digest, outcome, reason, raw_message_id, answered_at FROM message_answers "
    "WHERE source = ?1 AND facility = ?2 AND application = ?3 AND control_id = ?4";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (control_id != NULL, FALSE);
  g_return_val_if_fail (found != NULL, FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  *found = FALSE;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, facility ? facility : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, application ? application : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, control_id, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *reason = (const char *) sqlite3_column_text (stmt, 2);

      *found = TRUE;
      answer->digest = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      answer->outcome = (WardIngestOutcome) sqlite3_column_int (stmt, 1);
      answer->reason = g_strdup (reason);
      answer->raw_message_id = sqlite3_column_int64 (stmt, 3);
      answer->answered_at = sqlite3_column_int64 (stmt, 4);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "find message answer", error);

  return TRUE;
}

gboolean
ward_store_put_answer (WardStore               *self,
                       const char              *source,
                       const char              *facility,
                       const char              *application,
                       const char              *control_id,
                       const WardStoredAnswer  *answer,
                       GError                 **error)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO message_answers (source, facility, application, control_id, digest, "
    "outcome, reason, raw_message_id, answered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (control_id != NULL, FALSE);
  g_return_val_if_fail (answer != NULL && answer->digest != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, facility ? facility : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, application ? application : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, control_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, answer->digest, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 6, answer->outcome);
  if (answer->reason != NULL)
    sqlite3_bind_text (stmt, 7, answer->reason, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 7);
  if (answer->raw_message_id > 0)
    sqlite3_bind_int64 (stmt, 8, answer->raw_message_id);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_int64 (stmt, 9, answer->answered_at);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "remember message answer", error);

  return TRUE;
}

gint64
ward_store_prune_answers (WardStore  *self,
                          gint64      older_than,
                          GError    **error)
{
  static const char sql[] = "DELETE FROM message_answers WHERE answered_at < ?1";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return -1;

  sqlite3_bind_int64 (stmt, 1, older_than);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "prune message answers", error);
      return -1;
    }

  return sqlite3_changes (sqlite3_db_handle (stmt));
}
