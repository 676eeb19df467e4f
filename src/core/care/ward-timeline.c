/* ward-timeline.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-timeline"

#include "config.h"

#include "ward-store-private.h"
#include "ward-timeline.h"

void
ward_timeline_entry_free (WardTimelineEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->actor);
  g_free (entry->action);
  g_free (entry->detail);
  g_free (entry);
}

/* One statement, so that every part is read in the same snapshot of the
 * database.  Scores only where the band changed: a score a minute would
 * drown what people did.
 */
static const char timeline_sql[] =
  "SELECT at, kind, actor, action, detail, total, band FROM ("
  "  SELECT window_end AS at, 0 AS kind, NULL AS actor, NULL AS action, NULL AS detail,"
  "         total, band FROM ("
  "    SELECT window_end, total, band, LAG (band) OVER (ORDER BY window_end) AS previous"
  "    FROM scores WHERE patient_id = ?1 AND kind = 'news2' AND band IS NOT NULL)"
  "  WHERE previous IS NULL OR previous != band"
  "  UNION ALL"
  "  SELECT sent_at, 1, sender, kind, payload, NULL, NULL"
  "  FROM care_communications WHERE patient_id = ?1"
  "  UNION ALL"
  "  SELECT at, 2, actor, action, detail, NULL, NULL"
  "  FROM audit_log WHERE patient_id = ?1)"
  " ORDER BY at DESC, kind DESC LIMIT ?2";

GPtrArray *
ward_store_read_timeline (WardStore   *store,
                          const char  *patient_id,
                          guint        limit,
                          GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_timeline_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (store), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  if (!(stmt = _ward_store_get_statement (store, timeline_sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardTimelineEntry *entry = g_new0 (WardTimelineEntry, 1);

      entry->at = sqlite3_column_int64 (stmt, 0);
      entry->kind = (WardTimelineKind) sqlite3_column_int (stmt, 1);
      entry->actor = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      entry->action = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      entry->detail = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      entry->total = sqlite3_column_int (stmt, 5);
      if (entry->kind == WARD_TIMELINE_SCORE &&
          !ward_band_from_string ((const char *) sqlite3_column_text (stmt, 6), &entry->band))
        entry->band = WARD_BAND_LOW;
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (store, rc, "read the patient's timeline", error);
      return NULL;
    }

  return g_steal_pointer (&entries);
}

typedef struct
{
  char  *db_path;
  char  *patient_id;
  guint  limit;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->db_path);
  g_free (data->patient_id);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  store = ward_store_open_readonly (data->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  entries = ward_store_read_timeline (store, data->patient_id, data->limit, &error);
  if (entries == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

void
ward_timeline_load_async (const char          *db_path,
                          const char          *patient_id,
                          guint                limit,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (patient_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_timeline_load_async);
  data = g_new0 (LoadData, 1);
  data->db_path = g_strdup (db_path);
  data->patient_id = g_strdup (patient_id);
  data->limit = limit;
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

GPtrArray *
ward_timeline_load_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
