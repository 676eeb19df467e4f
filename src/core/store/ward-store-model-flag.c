/* ward-store-model-flag.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-model-flag.h"
#include "ward-store-private.h"

#include <sqlite3.h>

void
ward_store_model_flag_clear (WardStoreModelFlag *flag)
{
  g_clear_pointer (&flag->scorer, g_free);
  g_clear_pointer (&flag->scorer_version, g_free);
  g_clear_pointer (&flag->acknowledged_by, g_free);
}

gint64
ward_store_open_model_flag (WardStore   *self,
                            const char  *patient_id,
                            const char  *scorer,
                            const char  *scorer_version,
                            double       probability,
                            gint64       window_end,
                            gint64       opened_at,
                            const char  *reason,
                            GError     **error)
{
  static const char sql[] =
    "INSERT INTO flags (patient_id, kind, subject, opened_at, score_id, reason, scorer, "
    "  scorer_version, probability) "
    "VALUES (?1, 'model', ?2, ?3, (SELECT id FROM scores WHERE patient_id = ?1 AND kind = ?2 "
    "  AND window_end = ?4), ?5, ?2, ?6, ?7)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (patient_id != NULL && scorer != NULL, 0);
  g_return_val_if_fail (probability >= 0 && probability <= 1, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, scorer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, opened_at);
  sqlite3_bind_int64 (stmt, 4, window_end);
  _ward_store_bind_text (stmt, 5, reason);
  _ward_store_bind_text (stmt, 6, scorer_version);
  sqlite3_bind_double (stmt, 7, probability);

  return _ward_store_step_insert (self, stmt, "open model flag", error);
}

GArray *
ward_store_list_open_model_flags (WardStore   *self,
                                  const char  *patient_id,
                                  GError     **error)
{
  static const char sql[] =
    "SELECT id, scorer, scorer_version, probability, opened_at, acknowledged_by, "
    "  acknowledged_at FROM flags WHERE patient_id = ?1 AND kind = 'model' "
    "  AND closed_at IS NULL ORDER BY id";
  g_autoptr(GArray) flags = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  flags = g_array_new (FALSE, TRUE, sizeof (WardStoreModelFlag));
  g_array_set_clear_func (flags, (GDestroyNotify) ward_store_model_flag_clear);
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardStoreModelFlag flag = {
        .id = sqlite3_column_int64 (stmt, 0),
        .scorer = _ward_store_column_text (stmt, 1),
        .scorer_version = _ward_store_column_text (stmt, 2),
        .probability = sqlite3_column_double (stmt, 3),
        .opened_at = sqlite3_column_int64 (stmt, 4),
        .acknowledged_by = _ward_store_column_text (stmt, 5),
        .acknowledged_at = sqlite3_column_int64 (stmt, 6),
      };

      g_array_append_val (flags, flag);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list model flags", error);
      return NULL;
    }

  return g_steal_pointer (&flags);
}
