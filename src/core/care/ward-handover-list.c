/* ward-handover-list.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-handover-list"

#include "config.h"

#include "ward-handover-list.h"
#include "ward-store-private.h"

void
ward_offered_handover_free (WardOfferedHandover *offered)
{
  if (offered == NULL)
    return;

  ward_handover_clear (&offered->handover);
  g_clear_pointer (&offered->beds, g_ptr_array_unref);
  g_free (offered);
}

GPtrArray *
ward_store_list_offered_handovers (WardStore   *store,
                                   const char  *to_staff,
                                   GError     **error)
{
  static const char sql[] =
    "SELECT id FROM care_handovers WHERE state = 'offered' AND to_staff = ?1 ORDER BY offered_at, id";
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_offered_handover_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (store), NULL);
  g_return_val_if_fail (to_staff != NULL, NULL);

  if (!(stmt = _ward_store_get_statement (store, sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, to_staff, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (store, rc, "list offered handovers", error);
      return NULL;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(WardOfferedHandover) offered = g_new0 (WardOfferedHandover, 1);
      gboolean found = FALSE;

      if (!ward_store_get_handover (store, g_array_index (ids, gint64, i), &found,
                                    &offered->handover, error))
        return NULL;
      if (!found)
        continue;
      offered->beds = ward_store_list_handover_beds (store, offered->handover.id, error);
      if (offered->beds == NULL)
        return NULL;
      g_ptr_array_add (list, g_steal_pointer (&offered));
    }

  return g_steal_pointer (&list);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  char **args = task_data;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *list;

  store = ward_store_open_readonly (args[0], &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  list = ward_store_list_offered_handovers (store, args[1], &error);
  if (list == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
ward_handover_list_async (const char          *db_path,
                          const char          *to_staff,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char **args;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (to_staff != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_handover_list_async);
  args = g_new0 (char *, 3);
  args[0] = g_strdup (db_path);
  args[1] = g_strdup (to_staff);
  g_task_set_task_data (task, args, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
ward_handover_list_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
