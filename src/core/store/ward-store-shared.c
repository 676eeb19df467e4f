/* ward-store-shared.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-shared.h"
#include "ward-store-private.h"

char *
ward_store_dup_setting (WardStore   *self,
                        const char  *key,
                        GError     **error)
{
  static const char sql[] = "SELECT value FROM settings WHERE key = ?1";
  sqlite3_stmt *stmt;
  char *value = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _ward_store_set_sql_error (self, rc, "read setting", error);

  return value;
}

gboolean
ward_store_set_setting (WardStore   *self,
                        const char  *key,
                        const char  *value,
                        GError     **error)
{
  static const char sql[] = "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return _ward_store_step_done (self, stmt, "write setting", error);
}

gboolean
ward_store_shared_get_known (WardStore   *self,
                             const char  *resource_type,
                             const char  *id,
                             char       **version_id,
                             char       **json,
                             GError     **error)
{
  static const char sql[] =
    "SELECT version_id, json FROM shared_known WHERE resource_type = ?1 AND id = ?2";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL, FALSE);
  g_return_val_if_fail (version_id != NULL, FALSE);

  *version_id = NULL;
  if (json != NULL)
    *json = NULL;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *version_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (json != NULL)
        *json = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read known shared resource", error);

  return TRUE;
}

gboolean
ward_store_shared_set_known (WardStore   *self,
                             const char  *resource_type,
                             const char  *id,
                             const char  *version_id,
                             const char  *last_updated,
                             const char  *json,
                             GError     **error)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO shared_known (resource_type, id, version_id, last_updated, json) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL, FALSE);
  g_return_val_if_fail (version_id != NULL && json != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, version_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 4, last_updated);
  sqlite3_bind_text (stmt, 5, json, -1, SQLITE_TRANSIENT);
  return _ward_store_step_done (self, stmt, "remember shared resource", error);
}

gboolean
ward_store_shared_queue (WardStore   *self,
                         const char  *resource_type,
                         const char  *id,
                         const char  *base_version,
                         const char  *write_id,
                         const char  *json,
                         gint64       at,
                         gint64      *seq,
                         GError     **error)
{
  /* The partial unique index keeps one pending row per resource: a newer
   * write replaces the content of the pending one, which keeps its base
   * version and its place in the order.
   */
  static const char sql[] =
    "INSERT INTO shared_outbox (resource_type, id, base_version, write_id, json, state, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6) "
    "ON CONFLICT (resource_type, id) WHERE state = 'pending' "
    "DO UPDATE SET write_id = excluded.write_id, json = excluded.json, merged = 0 "
    "RETURNING seq";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL, FALSE);
  g_return_val_if_fail (write_id != NULL && json != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, base_version);
  sqlite3_bind_text (stmt, 4, write_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, at);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (seq != NULL)
        *seq = sqlite3_column_int64 (stmt, 0);
      rc = sqlite3_step (stmt);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "queue shared write", error);

  return TRUE;
}

gboolean
ward_store_shared_next (WardStore                *self,
                        WardStoreSharedWriteFunc  func,
                        gpointer                  user_data,
                        gboolean                 *found,
                        GError                  **error)
{
  static const char sql[] =
    "SELECT seq, resource_type, id, base_version, write_id, json, merged, attempts, created_at "
    "FROM shared_outbox WHERE state = 'pending' ORDER BY seq LIMIT 1";
  sqlite3_stmt *stmt;
  g_autofree char *resource_type = NULL;
  g_autofree char *id = NULL;
  g_autofree char *base_version = NULL;
  g_autofree char *write_id = NULL;
  g_autofree char *json = NULL;
  WardSharedWrite write = { 0 };
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (found != NULL, FALSE);

  *found = FALSE;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      write.seq = sqlite3_column_int64 (stmt, 0);
      write.resource_type = resource_type = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      write.id = id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      write.base_version = base_version = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      write.write_id = write_id = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      write.json = json = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      write.merged = sqlite3_column_int (stmt, 6) != 0;
      write.attempts = sqlite3_column_int (stmt, 7);
      write.created_at = sqlite3_column_int64 (stmt, 8);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read shared outbox", error);

  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      func (&write, user_data);
    }

  return TRUE;
}

gboolean
ward_store_shared_is_pending (WardStore   *self,
                              const char  *resource_type,
                              const char  *id,
                              gboolean    *pending,
                              GError     **error)
{
  static const char sql[] =
    "SELECT 1 FROM shared_outbox WHERE resource_type = ?1 AND id = ?2 AND state = 'pending'";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (pending != NULL, FALSE);

  *pending = FALSE;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  *pending = rc == SQLITE_ROW;
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read shared outbox", error);

  return TRUE;
}

gboolean
ward_store_shared_mark_sent (WardStore   *self,
                             gint64       seq,
                             const char  *write_id,
                             const char  *server_version,
                             gint64       at,
                             gboolean    *done,
                             GError     **error)
{
  static const char sent_sql[] =
    "UPDATE shared_outbox SET state = 'sent', done_at = ?3, server_version = ?4, last_error = NULL "
    "WHERE seq = ?1 AND write_id = ?2 AND state = 'pending'";
  static const char moved_sql[] =
    "UPDATE shared_outbox SET base_version = ?2, merged = 0 WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (write_id != NULL && server_version != NULL, FALSE);

  if (done != NULL)
    *done = FALSE;
  if (!(stmt = _ward_store_get_statement (self, sent_sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, write_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, at);
  sqlite3_bind_text (stmt, 4, server_version, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "mark shared write sent", error))
    return FALSE;

  if (sqlite3_changes (_ward_store_get_db (self)) > 0)
    {
      if (done != NULL)
        *done = TRUE;
      return TRUE;
    }

  /* Replaced by a newer local write meanwhile: it goes next, on ours. */
  if (!(stmt = _ward_store_get_statement (self, moved_sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, server_version, -1, SQLITE_TRANSIENT);
  return _ward_store_step_done (self, stmt, "rebase shared write", error);
}

gboolean
ward_store_shared_rebase (WardStore   *self,
                          gint64       seq,
                          const char  *write_id,
                          const char  *base_version,
                          const char  *new_write_id,
                          const char  *json,
                          gboolean    *done,
                          GError     **error)
{
  static const char sql[] =
    "UPDATE shared_outbox SET base_version = ?3, write_id = ?4, json = ?5, merged = 1 "
    "WHERE seq = ?1 AND write_id = ?2 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (write_id != NULL && new_write_id != NULL && json != NULL, FALSE);

  if (done != NULL)
    *done = FALSE;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, write_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, base_version);
  sqlite3_bind_text (stmt, 4, new_write_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, json, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "rebase shared write", error))
    return FALSE;

  if (done != NULL)
    *done = sqlite3_changes (_ward_store_get_db (self)) > 0;
  return TRUE;
}

gboolean
ward_store_shared_mark_ended (WardStore   *self,
                              gint64       seq,
                              gboolean     failed,
                              const char  *server_version,
                              const char  *error_text,
                              gint64       at,
                              GError     **error)
{
  static const char sql[] =
    "UPDATE shared_outbox SET state = ?2, server_version = ?3, last_error = ?4, done_at = ?5 "
    "WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, failed ? "failed" : "merged", -1, SQLITE_STATIC);
  _ward_store_bind_text (stmt, 3, server_version);
  _ward_store_bind_text (stmt, 4, error_text);
  sqlite3_bind_int64 (stmt, 5, at);
  return _ward_store_step_done (self, stmt, "end shared write", error);
}

gboolean
ward_store_shared_mark_attempt (WardStore   *self,
                                gint64       seq,
                                const char  *error_text,
                                GError     **error)
{
  static const char sql[] =
    "UPDATE shared_outbox SET attempts = attempts + 1, last_error = ?2 "
    "WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, seq);
  _ward_store_bind_text (stmt, 2, error_text);
  return _ward_store_step_done (self, stmt, "count shared write attempt", error);
}

gint64
ward_store_shared_get_n_pending (WardStore  *self,
                                 GError    **error)
{
  static const char sql[] = "SELECT count(*) FROM shared_outbox WHERE state = 'pending'";
  sqlite3_stmt *stmt;
  gint64 n = -1;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return -1;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW)
    _ward_store_set_sql_error (self, rc, "count shared writes", error);

  return n;
}

typedef struct
{
  gint64  seq;
  gint64  version;
  char   *id;
  char   *json;
} OutboxRow;

static void
outbox_row_free (gpointer data)
{
  OutboxRow *row = data;

  g_free (row->id);
  g_free (row->json);
  g_free (row);
}

static gboolean
adopt_rows (WardStore   *self,
            const char  *resource_type,
            GPtrArray   *rows,
            gboolean     outbox_is_newest,
            gint64       at,
            GError     **error)
{
  for (guint i = 0; i < rows->len; i++)
    {
      OutboxRow *row = g_ptr_array_index (rows, i);
      gboolean pending = FALSE;

      if (!outbox_is_newest &&
          !ward_store_shared_is_pending (self, resource_type, row->id, &pending, error))
        return FALSE;
      /* A pending shared write is newer than the outbox's copy. */
      if (!pending &&
          !_ward_store_shared_queue_local (self, resource_type, row->id, row->json, at, error))
        return FALSE;

      /* Sent, by the sharing layer: the outbox's count follows. */
      if (!ward_store_outbox_mark_sent (self, row->seq, row->version, at, NULL, error))
        return FALSE;
    }

  return TRUE;
}

static GPtrArray *
read_outbox_rows (WardStore   *self,
                  const char  *resource_type,
                  GError     **error)
{
  static const char sql[] =
    "SELECT o.seq, o.version, o.id, r.json FROM outbox o JOIN fhir_resources r "
    "ON r.resource_type = o.resource_type AND r.id = o.id "
    "WHERE o.state = 'pending' AND o.resource_type = ?1 ORDER BY o.seq";
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (outbox_row_free);
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OutboxRow *row = g_new0 (OutboxRow, 1);

      row->seq = sqlite3_column_int64 (stmt, 0);
      row->version = sqlite3_column_int64 (stmt, 1);
      row->id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      row->json = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "read the outbox", error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

gint64
ward_store_shared_adopt_outbox (WardStore   *self,
                                const char  *resource_type,
                                gint64       at,
                                GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);
  g_return_val_if_fail (resource_type != NULL, -1);

  if (!(rows = read_outbox_rows (self, resource_type, error)))
    return -1;
  if (rows->len == 0)
    return 0;

  if (!ward_store_begin (self, error))
    return -1;
  if (!adopt_rows (self, resource_type, rows, FALSE, at, error))
    {
      ward_store_rollback (self);
      return -1;
    }
  if (!ward_store_commit (self, error))
    {
      ward_store_rollback (self);
      return -1;
    }

  return rows->len;
}

gint64
ward_store_shared_claim_outbox (WardStore   *self,
                                const char  *resource_type,
                                gint64       at,
                                GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);
  g_return_val_if_fail (resource_type != NULL, -1);

  if (!(rows = read_outbox_rows (self, resource_type, error)))
    return -1;
  if (rows->len > 0 && !adopt_rows (self, resource_type, rows, TRUE, at, error))
    return -1;

  return rows->len;
}

static void
open_flag_clear (gpointer data)
{
  WardSharedOpenFlag *flag = data;

  g_clear_pointer (&flag->patient_id, g_free);
  g_clear_pointer (&flag->acknowledged_by, g_free);
}

GArray *
ward_store_shared_list_open_flags (WardStore  *self,
                                   GError    **error)
{
  static const char sql[] =
    "SELECT id, patient_id, opened_at, acknowledged_by FROM flags "
    "WHERE kind = 'clinical' AND closed_at IS NULL AND patient_id IS NOT NULL ORDER BY id";
  g_autoptr(GArray) flags = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  flags = g_array_new (FALSE, TRUE, sizeof (WardSharedOpenFlag));
  g_array_set_clear_func (flags, open_flag_clear);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardSharedOpenFlag flag = {
        .id = sqlite3_column_int64 (stmt, 0),
        .patient_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
        .opened_at = sqlite3_column_int64 (stmt, 2),
        .acknowledged_by = g_strdup ((const char *) sqlite3_column_text (stmt, 3)),
      };

      g_array_append_val (flags, flag);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "read the open flags", error);
      return NULL;
    }

  return g_steal_pointer (&flags);
}
