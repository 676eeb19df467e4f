/* ward-store-scores.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-scores.h"
#include "ward-store-private.h"

#include <sqlite3.h>

gint64
ward_store_upsert_kind_score (WardStore               *self,
                              const WardStoreScoreRow *row,
                              gboolean                *inserted,
                              GError                 **error)
{
  static const char find_sql[] =
    "SELECT id FROM scores WHERE patient_id = ?1 AND kind = ?2 AND window_end = ?3";
  static const char insert_sql[] =
    "INSERT INTO scores (patient_id, kind, window_end, window_start, computed_at, scorer_version, "
    "value, total, band, probability, complete, status, confirmed_by, confirmed_at, inputs, "
    "contributions, age, news2_applicable) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
  static const char update_sql[] =
    "UPDATE scores SET window_start = ?4, computed_at = ?5, scorer_version = ?6, value = ?7, "
    "total = ?8, band = ?9, probability = ?10, complete = ?11, status = ?12, confirmed_by = ?13, "
    "confirmed_at = ?14, inputs = ?15, contributions = ?16, age = ?17, news2_applicable = ?18 "
    "WHERE id = ?19";
  const WardScore *score;
  g_autofree char *inputs = NULL;
  g_autofree char *contributions = NULL;
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (row != NULL && row->patient_id != NULL && row->score != NULL, 0);
  g_return_val_if_fail (row->score->kind != NULL, 0);

  score = row->score;
  inputs = g_strdup (score->detail_json ? score->detail_json : "{}");
  contributions = ward_score_contributions_to_json (score);

  if (!(stmt = _ward_store_get_statement (self, find_sql, error)))
    return 0;
  sqlite3_bind_text (stmt, 1, row->patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, score->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, score->window_end);
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

  sqlite3_bind_text (stmt, 1, row->patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, score->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, score->window_end);
  sqlite3_bind_int64 (stmt, 4, score->window_start);
  sqlite3_bind_int64 (stmt, 5, row->computed_at);
  _ward_store_bind_text (stmt, 6, score->version);
  sqlite3_bind_double (stmt, 7, score->value);
  if (score->has_total)
    {
      sqlite3_bind_int (stmt, 8, score->total);
      sqlite3_bind_text (stmt, 9, ward_band_to_string (score->band), -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_null (stmt, 8);
      sqlite3_bind_null (stmt, 9);
    }
  if (score->has_probability)
    sqlite3_bind_double (stmt, 10, score->probability);
  else
    sqlite3_bind_null (stmt, 10);
  sqlite3_bind_int (stmt, 11, score->complete ? 1 : 0);
  sqlite3_bind_text (stmt, 12, score->final ? "final" : "preliminary", -1, SQLITE_STATIC);
  _ward_store_bind_text (stmt, 13, score->final ? row->confirmed_by : NULL);
  if (score->final && row->confirmed_at != 0)
    sqlite3_bind_int64 (stmt, 14, row->confirmed_at);
  else
    sqlite3_bind_null (stmt, 14);
  sqlite3_bind_text (stmt, 15, inputs, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 16, contributions, -1, SQLITE_TRANSIENT);
  if (row->age >= 0)
    sqlite3_bind_int (stmt, 17, row->age);
  else
    sqlite3_bind_null (stmt, 17);
  sqlite3_bind_int (stmt, 18, score->not_applicable ? 0 : 1);
  if (id != 0)
    sqlite3_bind_int64 (stmt, 19, id);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "store score", error);
      return 0;
    }

  if (inserted != NULL)
    *inserted = (id == 0);

  return id ? id : sqlite3_last_insert_rowid (_ward_store_get_db (self));
}

static void
stored_score_clear (WardStoredScore *s)
{
  g_clear_pointer (&s->kind, g_free);
  g_clear_pointer (&s->scorer_version, g_free);
  g_clear_pointer (&s->inputs_json, g_free);
  g_clear_pointer (&s->contributions_json, g_free);
}

GArray *
ward_store_get_kind_scores (WardStore   *self,
                            const char  *patient_id,
                            const char  *kind,
                            gint64       from,
                            gint64       to,
                            GError     **error)
{
  static const char sql[] =
    "SELECT id, kind, scorer_version, window_start, window_end, computed_at, value, total, band, "
    "probability, complete, status, news2_applicable, inputs, contributions FROM scores "
    "WHERE patient_id = ?1 AND kind = ?2 AND window_end > ?3 AND window_end <= ?4 "
    "ORDER BY window_end";
  g_autoptr(GArray) scores = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL && kind != NULL, NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;

  scores = g_array_new (FALSE, TRUE, sizeof (WardStoredScore));
  g_array_set_clear_func (scores, (GDestroyNotify) stored_score_clear);
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, from);
  sqlite3_bind_int64 (stmt, 4, to);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardStoredScore s = { 0 };

      s.id = sqlite3_column_int64 (stmt, 0);
      s.kind = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      s.scorer_version = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      s.window_start = sqlite3_column_int64 (stmt, 3);
      s.window_end = sqlite3_column_int64 (stmt, 4);
      s.computed_at = sqlite3_column_int64 (stmt, 5);
      s.value = sqlite3_column_double (stmt, 6);
      s.has_total = sqlite3_column_type (stmt, 7) != SQLITE_NULL;
      s.total = sqlite3_column_int (stmt, 7);
      if (s.has_total)
        ward_band_from_string ((const char *) sqlite3_column_text (stmt, 8), &s.band);
      s.has_probability = sqlite3_column_type (stmt, 9) != SQLITE_NULL;
      s.probability = sqlite3_column_double (stmt, 9);
      s.complete = sqlite3_column_int (stmt, 10) != 0;
      s.final = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 11), "final") == 0;
      s.applicable = sqlite3_column_int (stmt, 12) != 0;
      s.inputs_json = g_strdup ((const char *) sqlite3_column_text (stmt, 13));
      s.contributions_json = g_strdup ((const char *) sqlite3_column_text (stmt, 14));
      g_array_append_val (scores, s);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "read scores", error);
      return NULL;
    }

  return g_steal_pointer (&scores);
}

gboolean
ward_store_get_measurement_points (WardStore     *self,
                                   const char    *patient_id,
                                   WardMeasKind   kind,
                                   gint64         from,
                                   gint64         to,
                                   GArray        *points,
                                   GError       **error)
{
  static const char sql[] =
    "SELECT value, observed_at, source FROM measurements "
    "WHERE patient_id = ?1 AND kind = ?2 AND observed_at BETWEEN ?3 AND ?4 "
    "ORDER BY observed_at, id";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL && points != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ward_meas_kind_to_string (kind), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, from);
  sqlite3_bind_int64 (stmt, 4, to);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardScorerPoint point = {
        .value = sqlite3_column_double (stmt, 0),
        .observed_at = sqlite3_column_int64 (stmt, 1),
        .source = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "nurse") == 0
                  ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE,
      };

      g_array_append_val (points, point);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read measurements", error);

  return TRUE;
}
