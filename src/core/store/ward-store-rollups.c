/* ward-store-rollups.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-rollups.h"
#include "ward-store-care.h"
#include "ward-store-private.h"

#define ROLLUP_MARK_KEY "rollup-mark"

/* Both spans from the same rows: ?1 the span in seconds, ?2 and ?3 the
 * ids (lo, hi].  A bucket already there takes the new rows in: counts
 * and sums add, extremes widen.
 */
static const char rollup_sql[] =
  "INSERT INTO measurement_rollups "
  "  (patient_id, kind, span, bucket, n, value_min, value_max, value_sum) "
  "SELECT patient_id, kind, ?1, observed_at - observed_at % (?1 * 1000000), count (*), "
  "  min (value), max (value), sum (value) FROM measurements "
  "WHERE id > ?2 AND id <= ?3 "
  "GROUP BY patient_id, kind, observed_at - observed_at % (?1 * 1000000) "
  "ON CONFLICT (patient_id, kind, span, bucket) DO UPDATE SET "
  "  n = n + excluded.n, "
  "  value_min = min (value_min, excluded.value_min), "
  "  value_max = max (value_max, excluded.value_max), "
  "  value_sum = value_sum + excluded.value_sum";

static gboolean
query_int (WardStore   *self,
           const char  *sql,
           gint64       arg,
           gint64      *value,
           const char  *what,
           GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, arg);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW)
    return _ward_store_set_sql_error (self, rc, what, error);

  return TRUE;
}

static gint64
rollup_in_transaction (WardStore  *self,
                       GError    **error)
{
  static const gint64 spans[] = { WARD_ROLLUP_MINUTE, WARD_ROLLUP_HOUR };
  gint64 mark = 0;
  gint64 newest = 0;
  gint64 n = 0;

  if (!ward_store_get_setting_int (self, ROLLUP_MARK_KEY, 0, &mark, error) ||
      !query_int (self, "SELECT coalesce (max (id), 0) FROM measurements", 0, &newest,
                  "find the newest measurement", error))
    return -1;

  if (newest <= mark)
    return 0;

  if (!query_int (self, "SELECT count (*) FROM measurements WHERE id > ?1", mark, &n,
                  "count measurements to roll up", error))
    return -1;

  for (guint i = 0; i < G_N_ELEMENTS (spans); i++)
    {
      sqlite3_stmt *stmt;

      if (!(stmt = _ward_store_get_statement (self, rollup_sql, error)))
        return -1;
      sqlite3_bind_int64 (stmt, 1, spans[i]);
      sqlite3_bind_int64 (stmt, 2, mark);
      sqlite3_bind_int64 (stmt, 3, newest);
      if (!_ward_store_step_done (self, stmt, "roll up measurements", error))
        return -1;
    }

  if (!ward_store_set_setting_int (self, ROLLUP_MARK_KEY, newest, error))
    return -1;

  return n;
}

/* The caller's transaction when there is one, else one of our own. */
static gboolean
ensure_transaction (WardStore  *self,
                    gboolean   *own,
                    GError    **error)
{
  *own = sqlite3_get_autocommit (_ward_store_get_db (self)) != 0;
  return !*own || ward_store_begin (self, error);
}

static gboolean
finish_transaction (WardStore  *self,
                    gboolean    own,
                    gboolean    ok,
                    GError    **error)
{
  if (!own)
    return ok;
  if (!ok)
    {
      ward_store_rollback (self);
      return FALSE;
    }
  return ward_store_commit (self, error);
}

gint64
ward_store_rollup (WardStore  *self,
                   GError    **error)
{
  gboolean own;
  gint64 n;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!ensure_transaction (self, &own, error))
    return -1;
  n = rollup_in_transaction (self, error);
  if (!finish_transaction (self, own, n >= 0, error))
    return -1;

  return n;
}

gboolean
ward_store_get_rollup_mark (WardStore  *self,
                            gint64     *mark,
                            GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (mark != NULL, FALSE);

  return ward_store_get_setting_int (self, ROLLUP_MARK_KEY, 0, mark, error);
}

static gboolean
apply_retention_in_transaction (WardStore            *self,
                                gint64                raw_older_than,
                                gint64                minute_older_than,
                                gint64                max_rows,
                                WardRetentionResult  *result,
                                GError              **error)
{
  /* Only counted rows (id <= the mark), and never the newest row: SQLite
   * gives a new row the highest id plus one, so deleting the newest
   * would let a later measurement take an id the mark already covers.
   * At most ?3 rows (-1: all), oldest ids first: rows arrive roughly in
   * time order, so the walk along the ids finds the due rows at its
   * start and stops after the batch.
   */
  static const char delete_sql[] =
    "DELETE FROM measurements WHERE id IN (SELECT id FROM measurements "
    "WHERE observed_at < ?1 AND id <= ?2 AND id < (SELECT max (id) FROM measurements) "
    "ORDER BY id LIMIT ?3)";
  static const char delete_minutes_sql[] =
    "DELETE FROM measurement_rollups WHERE (patient_id, kind, span, bucket) IN "
    "(SELECT patient_id, kind, span, bucket FROM measurement_rollups "
    "WHERE span = ?1 AND bucket < ?2 LIMIT ?3)";
  gint64 limit = max_rows > 0 ? max_rows : -1;
  sqlite3 *db = _ward_store_get_db (self);
  sqlite3_stmt *stmt;
  gint64 mark = 0;

  if (rollup_in_transaction (self, error) < 0 ||
      !ward_store_get_rollup_mark (self, &mark, error))
    return FALSE;

  if (raw_older_than > 0)
    {
      if (!(stmt = _ward_store_get_statement (self, delete_sql, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, raw_older_than);
      sqlite3_bind_int64 (stmt, 2, mark);
      sqlite3_bind_int64 (stmt, 3, limit);
      if (!_ward_store_step_done (self, stmt, "delete old measurements", error))
        return FALSE;
      result->measurements = sqlite3_changes (db);
      if (max_rows > 0 && result->measurements >= max_rows)
        result->more = TRUE;
    }

  if (minute_older_than > 0)
    {
      if (!(stmt = _ward_store_get_statement (self, delete_minutes_sql, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, WARD_ROLLUP_MINUTE);
      sqlite3_bind_int64 (stmt, 2, minute_older_than);
      sqlite3_bind_int64 (stmt, 3, limit);
      if (!_ward_store_step_done (self, stmt, "delete old per-minute roll-ups", error))
        return FALSE;
      result->minute_rollups = sqlite3_changes (db);
      if (max_rows > 0 && result->minute_rollups >= max_rows)
        result->more = TRUE;
    }

  return TRUE;
}

gboolean
ward_store_apply_retention (WardStore            *self,
                            gint64                raw_older_than,
                            gint64                minute_older_than,
                            WardRetentionResult  *result,
                            GError              **error)
{
  return ward_store_apply_retention_batch (self, raw_older_than, minute_older_than, 0, result,
                                           error);
}

gboolean
ward_store_apply_retention_batch (WardStore            *self,
                                  gint64                raw_older_than,
                                  gint64                minute_older_than,
                                  gint64                max_rows,
                                  WardRetentionResult  *result,
                                  GError              **error)
{
  WardRetentionResult local = { 0 };
  gboolean own;
  gboolean ok;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (max_rows >= 0, FALSE);

  if (!ensure_transaction (self, &own, error))
    return FALSE;
  ok = apply_retention_in_transaction (self, raw_older_than, minute_older_than, max_rows, &local,
                                       error);
  if (!finish_transaction (self, own, ok, error))
    return FALSE;

  if (result != NULL)
    *result = local;

  return TRUE;
}

gboolean
ward_store_has_measurements_before (WardStore  *self,
                                    gint64      t,
                                    gboolean   *has,
                                    GError    **error)
{
  gint64 oldest = 0;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (has != NULL, FALSE);

  if (!query_int (self, "SELECT coalesce ((SELECT observed_at FROM measurements ORDER BY id "
                  "LIMIT 1), 0)", 0, &oldest, "find the oldest measurement", error))
    return FALSE;

  *has = oldest != 0 && oldest < t;
  return TRUE;
}
