/* ward-feature-store.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-feature-store"

#include "config.h"

#include <sqlite3.h>

#include "ward-feature-store.h"
#include "ward-store.h"

struct _WardFeatureReader
{
  sqlite3      *db;
  char         *db_path;
  sqlite3_stmt *series;
  sqlite3_stmt *patient;
};

G_DEFINE_QUARK (ward-feature-store-error-quark, ward_feature_store_error)

/* The kinds features read: the vital signs with statistics and what
 * NEWS2 also needs.  Listed in the query so that the index serves it
 * as one range per kind.
 */
static const char series_sql[] =
  "SELECT kind, observed_at, value, source FROM measurements "
  "WHERE patient_id = ?1 AND kind IN ('rr', 'spo2', 'on_oxygen', 'sbp', 'hr', "
  "  'consciousness', 'temp') "
  "AND observed_at > ?2 AND observed_at <= ?3 "
  "ORDER BY kind, observed_at, id";

/* The SpO2 scale as it changed (ward_engine_set_spo2_scale() records each
 * change as an event), so that each window's features use the scale
 * valid then.
 */
static const char scale_sql[] =
  "SELECT at, json_extract(detail, '$.spo2_scale') FROM events "
  "WHERE patient_id = ?1 AND kind = 'spo2-scale' AND at <= ?2 AND json_valid(detail) "
  "ORDER BY at, id";

static gboolean
set_sql_error (GError     **error,
               sqlite3     *db,
               const char  *what)
{
  g_set_error (error, WARD_FEATURE_STORE_ERROR, WARD_FEATURE_STORE_ERROR_SQL,
               "Cannot read %s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

/* Prepares sql on the reader's connection: NULL with error naming what
 * otherwise.
 */
static sqlite3_stmt *
prepare (WardFeatureReader  *self,
         const char         *sql,
         const char         *what,
         GError            **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sql_error (error, self->db, what);
      return NULL;
    }

  return stmt;
}

/* Steps stmt, prepared and bound by the caller, and finalizes it: the
 * text of its first column in each row (patient ids).
 */
static GPtrArray *
collect_texts (WardFeatureReader  *self,
               sqlite3_stmt       *stmt,
               const char         *what,
               GError            **error)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (texts, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sql_error (error, self->db, what);
      return NULL;
    }

  return g_steal_pointer (&texts);
}

/* The same for a column of times (window ends). */
static GArray *
collect_times (WardFeatureReader  *self,
               sqlite3_stmt       *stmt,
               const char         *what,
               GError            **error)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 at = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (times, at);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sql_error (error, self->db, what);
      return NULL;
    }

  return g_steal_pointer (&times);
}

WardFeatureReader *
ward_feature_reader_new (const char  *db_path,
                         GError     **error)
{
  g_autoptr(WardFeatureReader) self = NULL;
  sqlite3_stmt *stmt = NULL;
  int version = -1;
  int rc;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (WardFeatureReader, 1);
  self->db_path = g_strdup (db_path);

  /* Read-only never creates a file: a mistyped path is an error. */
  rc = sqlite3_open_v2 (db_path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, WARD_FEATURE_STORE_ERROR, WARD_FEATURE_STORE_ERROR_OPEN,
                   "Cannot open the database %s: %s", db_path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  /* The writer may hold its lock for a commit; wait rather than fail. */
  sqlite3_busy_timeout (self->db, 5000);

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version != WARD_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, WARD_FEATURE_STORE_ERROR, WARD_FEATURE_STORE_ERROR_SCHEMA,
                   "%s is not a Wardwatch database of schema version %d (it has %d)",
                   db_path, WARD_STORE_SCHEMA_VERSION, version);
      return NULL;
    }

  if (sqlite3_prepare_v3 (self->db, series_sql, -1, SQLITE_PREPARE_PERSISTENT,
                          &self->series, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (self->db,
                          "SELECT spo2_scale, birth_date FROM patients WHERE id = ?1",
                          -1, SQLITE_PREPARE_PERSISTENT, &self->patient, NULL) != SQLITE_OK)
    {
      set_sql_error (error, self->db, "the database");
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
ward_feature_reader_free (WardFeatureReader *self)
{
  if (self == NULL)
    return;

  sqlite3_finalize (self->series);
  sqlite3_finalize (self->patient);
  sqlite3_close (self->db);
  g_free (self->db_path);
  g_free (self);
}

gboolean
ward_feature_reader_load (WardFeatureReader  *self,
                          const char         *patient_id,
                          gint64              from,
                          gint64              to,
                          WardFeatureSeries  *series,
                          GError            **error)
{
  sqlite3_stmt *scales = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (series != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ward_feature_series_clear (series);

  sqlite3_reset (self->patient);
  sqlite3_bind_text (self->patient, 1, patient_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (self->patient);
  if (rc == SQLITE_ROW)
    {
      const char *birth_date = (const char *) sqlite3_column_text (self->patient, 1);

      series->spo2_scale = sqlite3_column_int (self->patient, 0) == 2 ? 2 : 1;
      series->birth_date = g_strdup (birth_date);
    }
  sqlite3_reset (self->patient);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sql_error (error, self->db, "the patient");

  if (sqlite3_prepare_v2 (self->db, scale_sql, -1, &scales, NULL) != SQLITE_OK)
    return set_sql_error (error, self->db, "the SpO2 scale changes");
  sqlite3_bind_text (scales, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (scales, 2, to);
  while ((rc = sqlite3_step (scales)) == SQLITE_ROW)
    ward_feature_series_add_spo2_scale (series, sqlite3_column_int64 (scales, 0),
                                        sqlite3_column_int (scales, 1));
  sqlite3_finalize (scales);
  if (rc != SQLITE_DONE)
    return set_sql_error (error, self->db, "the SpO2 scale changes");

  sqlite3_reset (self->series);
  sqlite3_bind_text (self->series, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (self->series, 2, from);
  sqlite3_bind_int64 (self->series, 3, to);

  while ((rc = sqlite3_step (self->series)) == SQLITE_ROW)
    {
      const char *kind_name = (const char *) sqlite3_column_text (self->series, 0);
      const char *source_name = (const char *) sqlite3_column_text (self->series, 3);
      WardMeasKind kind;

      if (!ward_meas_kind_from_string (kind_name, &kind))
        continue;

      ward_feature_series_add (series, kind,
                               sqlite3_column_int64 (self->series, 1),
                               sqlite3_column_double (self->series, 2),
                               g_strcmp0 (source_name, "nurse") == 0
                                 ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE);
    }
  sqlite3_reset (self->series);

  if (rc != SQLITE_DONE)
    {
      ward_feature_series_clear (series);
      return set_sql_error (error, self->db, "the measurements");
    }

  return TRUE;
}

GPtrArray *
ward_feature_reader_list_patients (WardFeatureReader  *self,
                                   GError            **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, NULL);

  /* One probe of the index per patient, not a scan of measurements. */
  stmt = prepare (self,
                  "SELECT id FROM patients p WHERE EXISTS "
                  "(SELECT 1 FROM measurements m WHERE m.patient_id = p.id) "
                  "ORDER BY id", "the patients", error);
  if (stmt == NULL)
    return NULL;

  return collect_texts (self, stmt, "the patients", error);
}

GArray *
ward_feature_reader_window_ends (WardFeatureReader  *self,
                                 const char         *patient_id,
                                 gint64              from,
                                 gint64              to,
                                 GError            **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  stmt = prepare (self,
                  "SELECT DISTINCT window_end FROM scores WHERE patient_id = ?1 "
                  "AND window_end >= ?2 AND window_end <= ?3 ORDER BY window_end",
                  "the score windows", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);

  return collect_times (self, stmt, "the score windows", error);
}

gboolean
ward_feature_reader_time_range (WardFeatureReader  *self,
                                const char         *patient_id,
                                gint64             *first,
                                gint64             *last,
                                GError            **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT min(observed_at), max(observed_at) FROM measurements "
                          "WHERE patient_id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (error, self->db, "the measurements");

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      *first = sqlite3_column_int64 (stmt, 0);
      *last = sqlite3_column_int64 (stmt, 1);
      found = TRUE;
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW)
    return set_sql_error (error, self->db, "the measurements");

  return found;
}

gboolean
ward_feature_reader_last_score_id (WardFeatureReader  *self,
                                   gint64             *id,
                                   GError            **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  /* max() of the primary key: one step down the table's b-tree. */
  if (sqlite3_prepare_v2 (self->db, "SELECT coalesce (max (id), 0) FROM scores", -1, &stmt,
                          NULL) != SQLITE_OK)
    return set_sql_error (error, self->db, "the newest score");

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW)
    return set_sql_error (error, self->db, "the newest score");

  return TRUE;
}

GPtrArray *
ward_feature_reader_list_scored_patients (WardFeatureReader  *self,
                                          gint64              after_id,
                                          gint64              upto_id,
                                          GError            **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, NULL);

  /* A range of the primary key: only the rows stored since after_id. */
  stmt = prepare (self,
                  "SELECT DISTINCT patient_id FROM scores "
                  "WHERE id > ?1 AND id <= ?2 AND kind = 'news2' ORDER BY patient_id",
                  "the scored patients", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int64 (stmt, 2, upto_id);

  return collect_texts (self, stmt, "the scored patients", error);
}

GArray *
ward_feature_reader_new_window_ends (WardFeatureReader  *self,
                                     const char         *patient_id,
                                     gint64              after_id,
                                     gint64              upto_id,
                                     gint64              since,
                                     GError            **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  stmt = prepare (self,
                  "SELECT window_end FROM scores WHERE patient_id = ?1 AND kind = 'news2' "
                  "AND id > ?2 AND id <= ?3 AND window_end >= ?4 ORDER BY window_end",
                  "the new score windows", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, after_id);
  sqlite3_bind_int64 (stmt, 3, upto_id);
  sqlite3_bind_int64 (stmt, 4, since);

  return collect_times (self, stmt, "the new score windows", error);
}
