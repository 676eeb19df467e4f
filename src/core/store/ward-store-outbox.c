/* ward-store-outbox.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store.h"
#include "ward-store-private.h"

#include <sqlite3.h>

/* The FHIR resource store and its outbox: the resources Wardwatch made,
 * one row per resource at its latest version, and the queue of versions
 * the sync sends to the FHIR server (pending, sent, or parked as failed
 * with the server's OperationOutcome).  The connection keeps the counts
 * of pending and parked rows up to date once counted.
 */

/* A count of outbox rows kept by this connection: counted once, then
 * kept up to date; -1 means "count again".
 */
static gboolean
ensure_count (WardStore   *self,
              const char  *sql,
              gint64      *count,
              const char  *what,
              GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (*count >= 0)
    return TRUE;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return _ward_store_set_sql_error (self, rc, what, error);

  return TRUE;
}

static gboolean
ensure_n_pending (WardStore  *self,
                  GError    **error)
{
  return ensure_count (self, "SELECT count(*) FROM outbox WHERE state = 'pending'",
                       &self->n_pending, "count pending outbox rows", error);
}

static gboolean
ensure_n_failed (WardStore  *self,
                 GError    **error)
{
  return ensure_count (self, "SELECT count(*) FROM outbox WHERE state = 'failed'",
                       &self->n_failed, "count parked outbox rows", error);
}

gint64
ward_store_outbox_get_n_failed (WardStore  *self,
                                GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!ensure_n_failed (self, error))
    return -1;

  return self->n_failed;
}

gint64
ward_store_outbox_get_n_pending (WardStore  *self,
                                 GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!ensure_n_pending (self, error))
    return -1;

  return self->n_pending;
}

gboolean
ward_store_put_resource (WardStore   *self,
                         const char  *resource_type,
                         const char  *id,
                         const char  *json,
                         gint64       at,
                         gboolean    *changed,
                         GError     **error)
{
  static const char find_sql[] =
    "SELECT version, json = ?3, EXISTS (SELECT 1 FROM outbox o WHERE o.resource_type = ?1 "
    "AND o.id = ?2 AND o.state = 'pending') "
    "FROM fhir_resources WHERE resource_type = ?1 AND id = ?2";
  static const char put_sql[] =
    "INSERT INTO fhir_resources (resource_type, id, json, version, updated_at, change_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce (max (change_seq), 0) + 1 FROM fhir_resources)) "
    "ON CONFLICT (resource_type, id) DO UPDATE SET json = excluded.json, "
    "version = excluded.version, updated_at = excluded.updated_at, "
    "change_seq = excluded.change_seq";
  /* The partial unique index keeps one pending row per resource; a row
   * waiting for a retry keeps its schedule and its attempts.
   */
  static const char queue_sql[] =
    "INSERT INTO outbox (resource_type, id, version, state, next_attempt_at, created_at) "
    "VALUES (?1, ?2, ?3, 'pending', ?4, ?4) "
    "ON CONFLICT (resource_type, id) WHERE state = 'pending' DO UPDATE SET version = excluded.version";
  sqlite3_stmt *stmt;
  gint64 version = 0;
  gboolean same = FALSE;
  gboolean queued = FALSE;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL && json != NULL, FALSE);

  if (changed != NULL)
    *changed = FALSE;

  if (!ensure_n_pending (self, error))
    return FALSE;

  if (!(stmt = _ward_store_get_statement (self, find_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      version = sqlite3_column_int64 (stmt, 0);
      same = sqlite3_column_int (stmt, 1) != 0;
      queued = sqlite3_column_int (stmt, 2) != 0;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "find FHIR resource", error);

  if (same)
    return TRUE;

  version++;

  if (!(stmt = _ward_store_get_statement (self, put_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, version);
  sqlite3_bind_int64 (stmt, 5, at);
  if (!_ward_store_step_done (self, stmt, "store FHIR resource", error))
    return FALSE;

  /* A type shared between stations has one writer, the sharing layer:
   * queued for it here, in the same transaction (ward-store-shared-route.c).
   */
  if (ward_store_shared_is_routed (self, resource_type))
    {
      if (!_ward_store_shared_queue_local (self, resource_type, id, json, at, error))
        return FALSE;
      if (changed != NULL)
        *changed = TRUE;
      return TRUE;
    }

  if (!(stmt = _ward_store_get_statement (self, queue_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, version);
  sqlite3_bind_int64 (stmt, 4, at);
  if (!_ward_store_step_done (self, stmt, "queue FHIR resource", error))
    return FALSE;
  if (!queued)
    self->n_pending++;

  if (changed != NULL)
    *changed = TRUE;

  return TRUE;
}

gboolean
ward_store_outbox_requeue (WardStore   *self,
                           const char  *resource_type,
                           const char  *id,
                           gint64       at,
                           gboolean    *queued,
                           GError     **error)
{
  static const char sql[] =
    "INSERT INTO outbox (resource_type, id, version, state, next_attempt_at, created_at) "
    "SELECT resource_type, id, version, 'pending', ?3, ?3 FROM fhir_resources "
    "WHERE resource_type = ?1 AND id = ?2 "
    "ON CONFLICT (resource_type, id) WHERE state = 'pending' DO NOTHING";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL, FALSE);

  if (queued != NULL)
    *queued = FALSE;
  if (!ensure_n_pending (self, error))
    return FALSE;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!_ward_store_step_done (self, stmt, "queue FHIR resource again", error))
    return FALSE;
  if (sqlite3_changes (_ward_store_get_db (self)) > 0)
    {
      self->n_pending++;
      if (queued != NULL)
        *queued = TRUE;
    }

  return TRUE;
}

char *
ward_store_get_resource (WardStore   *self,
                         const char  *resource_type,
                         const char  *id,
                         gint64      *version,
                         GError     **error)
{
  static const char sql[] =
    "SELECT json, version FROM fhir_resources WHERE resource_type = ?1 AND id = ?2";
  sqlite3_stmt *stmt;
  char *json = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (resource_type != NULL && id != NULL, NULL);

  if (version != NULL)
    *version = 0;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (version != NULL)
        *version = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _ward_store_set_sql_error (self, rc, "read FHIR resource", error);

  return json;
}

gboolean
ward_store_replace_resource_json (WardStore   *self,
                                  const char  *resource_type,
                                  const char  *id,
                                  gint64       version,
                                  const char  *json,
                                  gboolean    *replaced,
                                  GError     **error)
{
  static const char sql[] =
    "UPDATE fhir_resources SET json = ?4, "
    "change_seq = (SELECT max (change_seq) + 1 FROM fhir_resources) "
    "WHERE resource_type = ?1 AND id = ?2 AND version = ?3";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL && json != NULL, FALSE);

  if (replaced != NULL)
    *replaced = FALSE;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, version);
  sqlite3_bind_text (stmt, 4, json, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "replace FHIR resource", error))
    return FALSE;

  if (replaced != NULL)
    *replaced = sqlite3_changes (_ward_store_get_db (self)) > 0;

  return TRUE;
}

gboolean
ward_store_foreach_resource (WardStore              *self,
                             const char             *resource_type,
                             WardStoreResourceFunc   func,
                             gpointer                user_data,
                             GError                **error)
{
  static const char sql[] =
    "SELECT resource_type, id, version, json FROM fhir_resources "
    "WHERE ?1 IS NULL OR resource_type = ?1 ORDER BY resource_type, id";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* Not the cached statement: func may use the store while it runs. */
  rc = sqlite3_prepare_v2 (_ward_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return _ward_store_set_sql_error (self, rc, "list FHIR resources", error);

  _ward_store_bind_text (stmt, 1, resource_type);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func ((const char *) sqlite3_column_text (stmt, 0),
          (const char *) sqlite3_column_text (stmt, 1),
          sqlite3_column_int64 (stmt, 2),
          (const char *) sqlite3_column_text (stmt, 3),
          user_data);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "list FHIR resources", error);

  return TRUE;
}

typedef struct
{
  gint64  seq;
  char   *resource_type;
  char   *id;
  gint64  version;
  int     attempts;
  gint64  next_attempt_at;
  char   *last_error;
  char   *json;
} OutboxRow;

static void
outbox_row_clear (gpointer data)
{
  OutboxRow *row = data;

  g_free (row->resource_type);
  g_free (row->id);
  g_free (row->last_error);
  g_free (row->json);
}

gboolean
ward_store_outbox_next (WardStore            *self,
                        gint64                now,
                        guint                 limit,
                        WardStoreOutboxFunc   func,
                        gpointer              user_data,
                        GError              **error)
{
  static const char sql[] =
    "SELECT o.seq, o.resource_type, o.id, o.version, o.attempts, o.next_attempt_at, "
    "o.last_error, r.json FROM outbox o "
    "JOIN fhir_resources r ON r.resource_type = o.resource_type AND r.id = o.id "
    "WHERE o.state = 'pending' AND o.next_attempt_at <= ?1 "
    "ORDER BY o.next_attempt_at, o.seq LIMIT ?2";
  g_autoptr(GArray) rows = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  rows = g_array_new (FALSE, TRUE, sizeof (OutboxRow));
  g_array_set_clear_func (rows, outbox_row_clear);

  /* Read every row first: func marks them, which moves them out of the
   * index this query walks.
   */
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OutboxRow row = {
        .seq = sqlite3_column_int64 (stmt, 0),
        .resource_type = g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
        .id = g_strdup ((const char *) sqlite3_column_text (stmt, 2)),
        .version = sqlite3_column_int64 (stmt, 3),
        .attempts = sqlite3_column_int (stmt, 4),
        .next_attempt_at = sqlite3_column_int64 (stmt, 5),
        .last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 6)),
        .json = g_strdup ((const char *) sqlite3_column_text (stmt, 7)),
      };

      g_array_append_val (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "list due outbox rows", error);

  for (guint i = 0; i < rows->len; i++)
    {
      const OutboxRow *row = &g_array_index (rows, OutboxRow, i);
      WardOutboxEntry entry = {
        .seq = row->seq,
        .resource_type = row->resource_type,
        .id = row->id,
        .version = row->version,
        .attempts = row->attempts,
        .next_attempt_at = row->next_attempt_at,
        .last_error = row->last_error,
        .json = row->json,
      };

      func (&entry, user_data);
    }

  return TRUE;
}

/* Finishes an UPDATE of one pending outbox row: NOT_FOUND when seq names
 * no pending row.
 */
static gboolean
finish_outbox_update (WardStore     *self,
                      sqlite3_stmt  *stmt,
                      gint64         seq,
                      gboolean       leaves_pending,
                      GError       **error)
{
  if (!_ward_store_step_done (self, stmt, "update outbox row", error))
    return FALSE;

  if (sqlite3_changes (_ward_store_get_db (self)) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No pending outbox row %" G_GINT64_FORMAT, seq);
      return FALSE;
    }

  if (!leaves_pending && self->n_pending > 0)
    self->n_pending--;

  return TRUE;
}

gboolean
ward_store_outbox_mark_sent (WardStore   *self,
                             gint64       seq,
                             gint64       version,
                             gint64       at,
                             gboolean    *sent,
                             GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET state = 'sent', sent_at = ?3, attempts = attempts + 1, last_error = NULL "
    "WHERE seq = ?1 AND state = 'pending' AND version = ?2";
  /* The resource changed while its older version was on the wire: the
   * row stays pending with the newer version.
   */
  static const char stale_sql[] =
    "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (sent != NULL)
    *sent = FALSE;

  if (!ensure_n_pending (self, error))
    return FALSE;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!_ward_store_step_done (self, stmt, "mark outbox row sent", error))
    return FALSE;

  if (sqlite3_changes (_ward_store_get_db (self)) > 0)
    {
      if (self->n_pending > 0)
        self->n_pending--;
      if (sent != NULL)
        *sent = TRUE;
      return TRUE;
    }

  if (!(stmt = _ward_store_get_statement (self, stale_sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);

  return finish_outbox_update (self, stmt, seq, TRUE, error);
}

gint64
ward_store_outbox_make_due (WardStore  *self,
                            gint64      at,
                            GError    **error)
{
  static const char sql[] =
    "UPDATE outbox SET next_attempt_at = ?1 WHERE state = 'pending' AND next_attempt_at > ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return -1;
  sqlite3_bind_int64 (stmt, 1, at);
  if (!_ward_store_step_done (self, stmt, "make outbox rows due", error))
    return -1;

  return sqlite3_changes (_ward_store_get_db (self));
}

gboolean
ward_store_outbox_mark_retry (WardStore   *self,
                              gint64       seq,
                              gint64       next_at,
                              const char  *error_text,
                              GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
    "WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, next_at);
  _ward_store_bind_text (stmt, 3, error_text);

  return finish_outbox_update (self, stmt, seq, TRUE, error);
}

gboolean
ward_store_outbox_mark_failed (WardStore   *self,
                               gint64       seq,
                               const char  *error_text,
                               const char  *operation_outcome_json,
                               GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2, "
    "operation_outcome = ?3 WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!ensure_n_pending (self, error) || !ensure_n_failed (self, error))
    return FALSE;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  _ward_store_bind_text (stmt, 2, error_text);
  _ward_store_bind_text (stmt, 3, operation_outcome_json);

  if (!finish_outbox_update (self, stmt, seq, FALSE, error))
    return FALSE;
  self->n_failed++;

  return TRUE;
}

gboolean
ward_store_foreach_outbox_failure (WardStore                 *self,
                                   WardStoreOutboxFailureFunc func,
                                   gpointer                   user_data,
                                   GError                   **error)
{
  static const char sql[] =
    "SELECT o.seq, o.resource_type, o.id, o.version, o.attempts, o.created_at, o.last_error, "
    "o.operation_outcome, r.json "
    "FROM outbox o LEFT JOIN fhir_resources r ON r.resource_type = o.resource_type AND r.id = o.id "
    "WHERE o.state = 'failed' ORDER BY o.seq";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  rc = sqlite3_prepare_v2 (_ward_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return _ward_store_set_sql_error (self, rc, "list rejected FHIR resources", error);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardOutboxFailure failure = {
        .seq = sqlite3_column_int64 (stmt, 0),
        .resource_type = (const char *) sqlite3_column_text (stmt, 1),
        .id = (const char *) sqlite3_column_text (stmt, 2),
        .version = sqlite3_column_int64 (stmt, 3),
        .attempts = sqlite3_column_int (stmt, 4),
        .created_at = sqlite3_column_int64 (stmt, 5),
        .last_error = (const char *) sqlite3_column_text (stmt, 6),
        .operation_outcome = (const char *) sqlite3_column_text (stmt, 7),
        .json = (const char *) sqlite3_column_text (stmt, 8),
      };

      func (&failure, user_data);
    }

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "list rejected FHIR resources", error);

  return TRUE;
}
