/* ward-store-ingest.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store.h"
#include "ward-store-private.h"

#include <sqlite3.h>

/* What ingest writes: who is where (patients, beds, devices), the raw
 * archive of every message as it arrived, the dead letters of those
 * that could not be used, and the measurements.
 */

gboolean
ward_store_upsert_patient (WardStore   *self,
                           const char  *patient_id,
                           const char  *name,
                           int          spo2_scale,
                           GError     **error)
{
  static const char sql[] =
    "INSERT INTO patients (id, name, spo2_scale) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 2, name);
  sqlite3_bind_int (stmt, 3, spo2_scale == 2 ? 2 : 1);

  return _ward_store_step_done (self, stmt, "upsert patient", error);
}

/* Runs an UPDATE of one patient row: NOT_FOUND when there is none. */
static gboolean
finish_patient_update (WardStore     *self,
                       sqlite3_stmt  *stmt,
                       const char    *what,
                       const char    *patient_id,
                       GError       **error)
{
  if (!_ward_store_step_done (self, stmt, what, error))
    return FALSE;

  if (sqlite3_changes (_ward_store_get_db (self)) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No patient %s", patient_id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_store_set_spo2_scale (WardStore   *self,
                           const char  *patient_id,
                           int          spo2_scale,
                           const char  *set_by,
                           gint64       at,
                           GError     **error)
{
  static const char sql[] =
    "UPDATE patients SET spo2_scale = ?2, spo2_scale_set_by = ?3, spo2_scale_set_at = ?4 "
    "WHERE id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (spo2_scale == 1 || spo2_scale == 2, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, spo2_scale);
  _ward_store_bind_text (stmt, 3, set_by);
  sqlite3_bind_int64 (stmt, 4, at);

  return finish_patient_update (self, stmt, "set SpO2 scale", patient_id, error);
}

gboolean
ward_store_set_birth_date (WardStore   *self,
                           const char  *patient_id,
                           const char  *birth_date,
                           GError     **error)
{
  static const char sql[] = "UPDATE patients SET birth_date = ?2 WHERE id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (birth_date == NULL || ward_birth_date_is_valid (birth_date), FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 2, birth_date);

  return finish_patient_update (self, stmt, "set birth date", patient_id, error);
}

gboolean
ward_store_get_birth_date (WardStore   *self,
                           const char  *patient_id,
                           char       **birth_date,
                           GError     **error)
{
  static const char sql[] = "SELECT birth_date FROM patients WHERE id = ?1";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (birth_date != NULL, FALSE);

  *birth_date = NULL;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *birth_date = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No patient %s", patient_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return _ward_store_set_sql_error (self, rc, "read birth date", error);

  return TRUE;
}

gboolean
ward_store_upsert_bed (WardStore   *self,
                       const char  *bed_id,
                       const char  *label,
                       const char  *patient_id,
                       GError     **error)
{
  static const char sql[] =
    "INSERT INTO beds (id, label, patient_id) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (id) DO UPDATE SET label = excluded.label, patient_id = excluded.patient_id";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (bed_id != NULL && label != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, bed_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, label, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, patient_id);

  return _ward_store_step_done (self, stmt, "upsert bed", error);
}

gboolean
ward_store_upsert_device (WardStore   *self,
                          const char  *device_id,
                          const char  *bed_id,
                          const char  *patient_id,
                          GError     **error)
{
  static const char sql[] =
    "INSERT INTO devices (id, bed_id, patient_id) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (id) DO UPDATE SET bed_id = excluded.bed_id, patient_id = excluded.patient_id";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (device_id != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 2, bed_id);
  _ward_store_bind_text (stmt, 3, patient_id);

  return _ward_store_step_done (self, stmt, "upsert device", error);
}

gint64
ward_store_add_raw_message (WardStore   *self,
                            gint64       received_at,
                            const char  *source,
                            const char  *content_type,
                            const char  *device_id,
                            const char  *payload,
                            gsize        length,
                            GError     **error)
{
  static const char sql[] =
    "INSERT INTO raw_messages (received_at, source, content_type, device_id, payload) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (source != NULL, 0);
  g_return_val_if_fail (payload != NULL || length == 0, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;

  sqlite3_bind_int64 (stmt, 1, received_at);
  sqlite3_bind_text (stmt, 2, source, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, content_type);
  _ward_store_bind_text (stmt, 4, device_id);
  /* A blob, not text: raw bytes are kept exactly as they arrived. */
  sqlite3_bind_blob64 (stmt, 5, payload ? payload : "", length, SQLITE_TRANSIENT);

  return _ward_store_step_insert (self, stmt, "archive raw message", error);
}

gboolean
ward_store_mark_processed (WardStore   *self,
                           gint64       raw_message_id,
                           gint64       at,
                           GError     **error)
{
  static const char sql[] = "UPDATE raw_messages SET processed_at = ?2 WHERE id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, raw_message_id);
  sqlite3_bind_int64 (stmt, 2, at);

  return _ward_store_step_done (self, stmt, "mark raw message processed", error);
}

gboolean
ward_store_foreach_pending (WardStore           *self,
                            WardStoreRawFunc     func,
                            gpointer             user_data,
                            GError             **error)
{
  static const char sql[] =
    "SELECT id, received_at, source, content_type, device_id, payload FROM raw_messages "
    "WHERE processed_at IS NULL ORDER BY id";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* Not the cached statement: func may use the store while it runs. */
  rc = sqlite3_prepare_v2 (_ward_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return _ward_store_set_sql_error (self, rc, "list pending raw messages", error);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (!func (sqlite3_column_int64 (stmt, 0),
                 sqlite3_column_int64 (stmt, 1),
                 (const char *) sqlite3_column_text (stmt, 2),
                 (const char *) sqlite3_column_text (stmt, 3),
                 (const char *) sqlite3_column_text (stmt, 4),
                 sqlite3_column_blob (stmt, 5),
                 sqlite3_column_bytes (stmt, 5),
                 user_data, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "list pending raw messages", error);

  return TRUE;
}

gboolean
ward_store_foreach_dead_letter (WardStore              *self,
                                gint64                  since,
                                WardStoreDeadLetterFunc func,
                                gpointer                user_data,
                                GError                **error)
{
  static const char sql[] =
    "SELECT d.id, d.created_at, d.stage, d.reason, d.raw_message_id, r.received_at, r.source, "
    "r.content_type, r.device_id, r.payload, r.pruned_at IS NOT NULL "
    "FROM dead_letters d LEFT JOIN raw_messages r ON r.id = d.raw_message_id "
    "WHERE d.created_at >= ?1 ORDER BY d.id";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  rc = sqlite3_prepare_v2 (_ward_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return _ward_store_set_sql_error (self, rc, "list dead letters", error);

  sqlite3_bind_int64 (stmt, 1, since);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardDeadLetter dl = {
        .id = sqlite3_column_int64 (stmt, 0),
        .created_at = sqlite3_column_int64 (stmt, 1),
        .stage = (const char *) sqlite3_column_text (stmt, 2),
        .reason = (const char *) sqlite3_column_text (stmt, 3),
        .raw_message_id = sqlite3_column_int64 (stmt, 4),
        .received_at = sqlite3_column_int64 (stmt, 5),
        .source = (const char *) sqlite3_column_text (stmt, 6),
        .content_type = (const char *) sqlite3_column_text (stmt, 7),
        .device_id = (const char *) sqlite3_column_text (stmt, 8),
        .payload = sqlite3_column_blob (stmt, 9),
        .payload_length = sqlite3_column_bytes (stmt, 9),
        .payload_pruned = sqlite3_column_int (stmt, 10) != 0,
      };

      func (&dl, user_data);
    }

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "list dead letters", error);

  return TRUE;
}

gint64
ward_store_prune_raw (WardStore   *self,
                      gint64       older_than,
                      gint64       now,
                      GError     **error)
{
  /* The row stays, so measurements and dead letters keep pointing at
   * the record of what arrived; only the bytes go.  Unmapped messages
   * keep theirs whatever their age.
   */
  static const char sql[] =
    "UPDATE raw_messages SET payload = x'', pruned_at = ?2 "
    "WHERE received_at < ?1 AND pruned_at IS NULL AND processed_at IS NOT NULL";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return -1;

  sqlite3_bind_int64 (stmt, 1, older_than);
  sqlite3_bind_int64 (stmt, 2, now);

  if (!_ward_store_step_done (self, stmt, "prune raw archive", error))
    return -1;

  return sqlite3_changes (_ward_store_get_db (self));
}

gint64
ward_store_add_dead_letter (WardStore   *self,
                            gint64       raw_message_id,
                            const char  *stage,
                            const char  *reason,
                            gint64       at,
                            GError     **error)
{
  static const char sql[] =
    "INSERT INTO dead_letters (raw_message_id, stage, reason, created_at) VALUES (?1, ?2, ?3, ?4)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (stage != NULL && reason != NULL, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;

  _ward_store_bind_int64 (stmt, 1, raw_message_id);
  sqlite3_bind_text (stmt, 2, stage, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, at);

  return _ward_store_step_insert (self, stmt, "record dead letter", error);
}

gint64
ward_store_add_measurement (WardStore              *self,
                            const WardMeasurement  *m,
                            gint64                  received_at,
                            GError                **error)
{
  static const char sql[] =
    "INSERT INTO measurements (patient_id, device_id, source, entered_by, kind, value, "
    "observed_at, received_at, raw_message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (m != NULL && m->patient_id != NULL, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;

  sqlite3_bind_text (stmt, 1, m->patient_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 2, m->device_id);
  sqlite3_bind_text (stmt, 3, ward_source_to_string (m->source), -1, SQLITE_STATIC);
  _ward_store_bind_text (stmt, 4, m->entered_by);
  sqlite3_bind_text (stmt, 5, ward_meas_kind_to_string (m->kind), -1, SQLITE_STATIC);
  sqlite3_bind_double (stmt, 6, m->value);
  sqlite3_bind_int64 (stmt, 7, m->observed_at);
  sqlite3_bind_int64 (stmt, 8, received_at);
  _ward_store_bind_int64 (stmt, 9, m->raw_message_id);

  return _ward_store_step_insert (self, stmt, "store measurement", error);
}
