/* ward-store-care-inbound.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-care-inbound.h"

#include "ward-store-private.h"

#define INBOUND_COLUMNS "fhir_id, task_id, focus, station, received_at, outcome, reason"

void
ward_inbound_task_clear (WardInboundTask *row)
{
  g_clear_pointer (&row->fhir_id, g_free);
  g_clear_pointer (&row->focus, g_free);
  g_clear_pointer (&row->station, g_free);
  g_clear_pointer (&row->reason, g_free);
}

void
ward_patient_flag_clear (WardPatientFlag *flag)
{
  g_clear_pointer (&flag->kind, g_free);
  g_clear_pointer (&flag->scorer, g_free);
  g_clear_pointer (&flag->acknowledged_by, g_free);
  g_clear_pointer (&flag->patient_id, g_free);
}

gboolean
ward_store_inbound_record (WardStore              *self,
                           const WardInboundTask  *row,
                           GError                **error)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO care_tasks_inbound (" INBOUND_COLUMNS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (row != NULL && row->fhir_id != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  _ward_store_bind_text (stmt, 1, row->fhir_id);
  _ward_store_bind_int64 (stmt, 2, row->task_id);
  _ward_store_bind_text (stmt, 3, row->focus);
  _ward_store_bind_text (stmt, 4, row->station);
  sqlite3_bind_int64 (stmt, 5, row->received_at);
  sqlite3_bind_text (stmt, 6, row->outcome == WARD_INBOUND_APPLIED ? "applied" : "ignored", -1,
                     SQLITE_STATIC);
  _ward_store_bind_text (stmt, 7, row->reason);

  return _ward_store_step_done (self, stmt, "record a Task from another station", error);
}

static gboolean
get_row (WardStore        *self,
         const char       *sql,
         const char       *text,
         gint64            id,
         gboolean         *found,
         WardInboundTask  *row,
         GError          **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *found = FALSE;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  if (text != NULL)
    _ward_store_bind_text (stmt, 1, text);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *outcome = (const char *) sqlite3_column_text (stmt, 5);

      *found = TRUE;
      row->fhir_id = _ward_store_column_text (stmt, 0);
      row->task_id = sqlite3_column_int64 (stmt, 1);
      row->focus = _ward_store_column_text (stmt, 2);
      row->station = _ward_store_column_text (stmt, 3);
      row->received_at = sqlite3_column_int64 (stmt, 4);
      row->outcome = g_strcmp0 (outcome, "applied") == 0 ? WARD_INBOUND_APPLIED
                                                         : WARD_INBOUND_IGNORED;
      row->reason = _ward_store_column_text (stmt, 6);
      rc = sqlite3_step (stmt);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read a Task from another station", error);

  return TRUE;
}

gboolean
ward_store_inbound_get (WardStore        *self,
                        const char       *fhir_id,
                        gboolean         *found,
                        WardInboundTask  *row,
                        GError          **error)
{
  static const char sql[] =
    "SELECT " INBOUND_COLUMNS " FROM care_tasks_inbound WHERE fhir_id = ?1";

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (fhir_id != NULL, FALSE);

  return get_row (self, sql, fhir_id, 0, found, row, error);
}

gboolean
ward_store_inbound_get_for_task (WardStore        *self,
                                 gint64            task_id,
                                 gboolean         *found,
                                 WardInboundTask  *row,
                                 GError          **error)
{
  static const char sql[] =
    "SELECT " INBOUND_COLUMNS " FROM care_tasks_inbound "
    "WHERE task_id = ?1 AND outcome = 'applied'";

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  return get_row (self, sql, NULL, task_id, found, row, error);
}

GArray *
ward_store_inbound_list_unflagged (WardStore   *self,
                                   const char  *focus,
                                   GError     **error)
{
  static const char sql[] =
    "SELECT t.id FROM care_tasks_inbound i JOIN care_tasks t ON t.id = i.task_id "
    "WHERE i.focus = ?1 AND i.outcome = 'applied' AND t.flag_id IS NULL ORDER BY t.id";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (focus != NULL, NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  _ward_store_bind_text (stmt, 1, focus);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list the Tasks from another station", error);
      return NULL;
    }

  return g_steal_pointer (&ids);
}

GArray *
ward_store_inbound_list_flagless (WardStore  *self,
                                  GError    **error)
{
  static const char sql[] =
    "SELECT id, part_of FROM care_tasks WHERE flag_id IS NULL ORDER BY id";
  g_autoptr(GArray) tasks = g_array_new (FALSE, FALSE, sizeof (WardFlaglessTask));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardFlaglessTask task = {
        .id = sqlite3_column_int64 (stmt, 0),
        .part_of = sqlite3_column_int64 (stmt, 1),
      };

      g_array_append_val (tasks, task);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list the tasks without a flag", error);
      return NULL;
    }

  return g_steal_pointer (&tasks);
}

GStrv
ward_store_inbound_list_bed_patients (WardStore  *self,
                                      GError    **error)
{
  static const char sql[] =
    "SELECT patient_id FROM beds WHERE patient_id IS NOT NULL ORDER BY id";
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list the ward's patients", error);
      return NULL;
    }

  return g_strv_builder_end (builder);
}

GArray *
ward_store_list_unrostered_tasks (WardStore  *self,
                                  GError    **error)
{
  static const char sql[] =
    "SELECT t.id FROM care_tasks t WHERE t.status = 'requested' AND t.owner_staff IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM staff_roster) "
    "AND NOT EXISTS (SELECT 1 FROM staff_roster r WHERE r.staff_id = t.owner_staff) ORDER BY t.id";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list the tasks of staff off the roster", error);
      return NULL;
    }

  return g_steal_pointer (&ids);
}

static GArray *
list_flags (WardStore   *self,
            const char  *sql,
            const char  *patient_id,
            GError     **error)
{
  g_autoptr(GArray) flags = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  if (patient_id != NULL)
    _ward_store_bind_text (stmt, 1, patient_id);
  flags = g_array_new (FALSE, TRUE, sizeof (WardPatientFlag));
  g_array_set_clear_func (flags, (GDestroyNotify) ward_patient_flag_clear);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardPatientFlag flag = {
        .id = sqlite3_column_int64 (stmt, 0),
        .kind = _ward_store_column_text (stmt, 1),
        .scorer = _ward_store_column_text (stmt, 2),
        .opened_at = sqlite3_column_int64 (stmt, 3),
        .closed_at = sqlite3_column_int64 (stmt, 4),
        .acknowledged_by = _ward_store_column_text (stmt, 5),
        .patient_id = _ward_store_column_text (stmt, 6),
      };

      g_array_append_val (flags, flag);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "read the flags", error);
      return NULL;
    }

  return g_steal_pointer (&flags);
}

GArray *
ward_store_inbound_list_patient_flags (WardStore   *self,
                                       const char  *patient_id,
                                       GError     **error)
{
  static const char sql[] =
    "SELECT id, kind, scorer, opened_at, closed_at, acknowledged_by, patient_id FROM flags "
    "WHERE patient_id = ?1 AND kind IN ('clinical', 'model') ORDER BY id";

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  return list_flags (self, sql, patient_id, error);
}

GArray *
ward_store_inbound_list_open_flags (WardStore  *self,
                                    GError    **error)
{
  static const char sql[] =
    "SELECT id, kind, scorer, opened_at, closed_at, acknowledged_by, patient_id FROM flags "
    "WHERE closed_at IS NULL AND patient_id IS NOT NULL AND kind IN ('clinical', 'model') "
    "ORDER BY id";

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  return list_flags (self, sql, NULL, error);
}
