/* ward-store-care.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-care.h"
#include "ward-store-private.h"

/* The care team's rows.  Statements are cached by the connection like
 * the rest of the store's; every function runs inside the caller's
 * transaction.
 */

#define TASK_COLUMNS \
  "id, flag_id, patient_id, bed_id, kind, band, status, priority, owner_role, owner_staff, " \
  "requester, requested_at, due_at, accepted_by, accepted_at, part_of, escalated_at, outcome, " \
  "note, status_reason, closed_by, closed_at, station, version, updated_at"

void
ward_care_flag_clear (WardCareFlag *flag)
{
  g_clear_pointer (&flag->patient_id, g_free);
  g_clear_pointer (&flag->bed_id, g_free);
  g_clear_pointer (&flag->acknowledged_by, g_free);
  g_clear_pointer (&flag->score_kind, g_free);
}

void
ward_allocation_free (WardAllocation *allocation)
{
  if (allocation == NULL)
    return;
  g_free (allocation->bed_id);
  g_free (allocation->staff_id);
  g_free (allocation->allocated_by);
  g_free (allocation->station);
  g_free (allocation);
}

void
ward_handover_clear (WardHandover *handover)
{
  g_clear_pointer (&handover->from_staff, g_free);
  g_clear_pointer (&handover->to_staff, g_free);
  g_clear_pointer (&handover->station, g_free);
}

void
ward_handover_bed_free (WardHandoverBed *bed)
{
  if (bed == NULL)
    return;
  g_free (bed->bed_id);
  g_free (bed->patient_id);
  g_free (bed->situation);
  g_free (bed->background);
  g_free (bed->assessment);
  g_free (bed->recommendation);
  g_free (bed);
}

void
ward_communication_free (WardCommunication *communication)
{
  if (communication == NULL)
    return;
  g_free (communication->kind);
  g_free (communication->patient_id);
  g_free (communication->sender);
  g_free (communication->recipient_role);
  g_free (communication->recipient_staff);
  g_free (communication->payload);
  g_free (communication->station);
  g_free (communication);
}

void
ward_audit_row_clear (WardAuditRow *row)
{
  g_clear_pointer (&row->actor, g_free);
  g_clear_pointer (&row->action, g_free);
  g_clear_pointer (&row->patient_id, g_free);
  g_clear_pointer (&row->station, g_free);
  g_clear_pointer (&row->detail, g_free);
  g_clear_pointer (&row->prev_hash, g_free);
  g_clear_pointer (&row->hash, g_free);
}

void
ward_store_event_free (WardStoreEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->actor);
  g_free (event->kind);
  g_free (event->patient_id);
  g_free (event->detail);
  g_free (event);
}

/* Tasks */

static void
bind_task (sqlite3_stmt   *stmt,
           const WardTask *task)
{
  _ward_store_bind_int64 (stmt, 2, task->flag_id);
  _ward_store_bind_text (stmt, 3, task->patient_id);
  _ward_store_bind_text (stmt, 4, task->bed_id);
  sqlite3_bind_text (stmt, 5, ward_care_kind_to_string (task->kind), -1, SQLITE_STATIC);
  if (task->has_band)
    sqlite3_bind_text (stmt, 6, ward_band_to_string (task->band), -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_text (stmt, 7, ward_task_status_to_string (task->status), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, ward_task_priority_to_string (task->priority), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, ward_role_to_string (task->owner_role), -1, SQLITE_STATIC);
  _ward_store_bind_text (stmt, 10, task->owner_staff);
  sqlite3_bind_text (stmt, 11, task->requester, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 12, task->requested_at);
  sqlite3_bind_int64 (stmt, 13, task->due_at);
  _ward_store_bind_text (stmt, 14, task->accepted_by);
  _ward_store_bind_int64 (stmt, 15, task->accepted_at);
  _ward_store_bind_int64 (stmt, 16, task->part_of);
  _ward_store_bind_int64 (stmt, 17, task->escalated_at);
  if (task->has_outcome)
    sqlite3_bind_text (stmt, 18, ward_task_outcome_to_string (task->outcome), -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 18);
  _ward_store_bind_text (stmt, 19, task->note);
  _ward_store_bind_text (stmt, 20, task->status_reason);
  _ward_store_bind_text (stmt, 21, task->closed_by);
  _ward_store_bind_int64 (stmt, 22, task->closed_at);
  sqlite3_bind_text (stmt, 23, task->station, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 24, task->version);
  sqlite3_bind_int64 (stmt, 25, task->updated_at);
}

/* Reads a row of TASK_COLUMNS.  The CHECK constraints keep the enums
 * valid; a role name this build does not know (a newer one's) reads as
 * the bed nurse's, never as nobody's.
 */
static WardTask *
read_task (sqlite3_stmt *stmt)
{
  WardTask *task = g_new0 (WardTask, 1);
  const char *text;

  task->id = sqlite3_column_int64 (stmt, 0);
  task->flag_id = sqlite3_column_int64 (stmt, 1);
  task->patient_id = _ward_store_column_text (stmt, 2);
  task->bed_id = _ward_store_column_text (stmt, 3);
  ward_care_kind_from_string ((const char *) sqlite3_column_text (stmt, 4), &task->kind);
  text = (const char *) sqlite3_column_text (stmt, 5);
  task->has_band = text != NULL && ward_band_from_string (text, &task->band);
  ward_task_status_from_string ((const char *) sqlite3_column_text (stmt, 6), &task->status);
  ward_task_priority_from_string ((const char *) sqlite3_column_text (stmt, 7), &task->priority);
  if (!ward_role_from_string ((const char *) sqlite3_column_text (stmt, 8), &task->owner_role))
    task->owner_role = WARD_ROLE_BED_NURSE;
  task->owner_staff = _ward_store_column_text (stmt, 9);
  task->requester = _ward_store_column_text (stmt, 10);
  task->requested_at = sqlite3_column_int64 (stmt, 11);
  task->due_at = sqlite3_column_int64 (stmt, 12);
  task->accepted_by = _ward_store_column_text (stmt, 13);
  task->accepted_at = sqlite3_column_int64 (stmt, 14);
  task->part_of = sqlite3_column_int64 (stmt, 15);
  task->escalated_at = sqlite3_column_int64 (stmt, 16);
  text = (const char *) sqlite3_column_text (stmt, 17);
  task->has_outcome = text != NULL && ward_task_outcome_from_string (text, &task->outcome);
  task->note = _ward_store_column_text (stmt, 18);
  task->status_reason = _ward_store_column_text (stmt, 19);
  task->closed_by = _ward_store_column_text (stmt, 20);
  task->closed_at = sqlite3_column_int64 (stmt, 21);
  task->station = _ward_store_column_text (stmt, 22);
  task->version = sqlite3_column_int64 (stmt, 23);
  task->updated_at = sqlite3_column_int64 (stmt, 24);

  return task;
}

gint64
ward_store_insert_task (WardStore  *self,
                        WardTask   *task,
                        GError    **error)
{
  static const char sql[] =
    "INSERT INTO care_tasks (" TASK_COLUMNS ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (task != NULL && task->requester != NULL && task->station != NULL, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;

  task->version = 1;
  bind_task (stmt, task);
  if (!_ward_store_step_done (self, stmt, "insert task", error))
    return 0;

  task->id = sqlite3_last_insert_rowid (_ward_store_get_db (self));
  return task->id;
}

gboolean
ward_store_update_task (WardStore  *self,
                        WardTask   *task,
                        GError    **error)
{
  static const char sql[] =
    "UPDATE care_tasks SET flag_id = ?2, patient_id = ?3, bed_id = ?4, kind = ?5, band = ?6, "
    "status = ?7, priority = ?8, owner_role = ?9, owner_staff = ?10, requester = ?11, "
    "requested_at = ?12, due_at = ?13, accepted_by = ?14, accepted_at = ?15, part_of = ?16, "
    "escalated_at = ?17, outcome = ?18, note = ?19, status_reason = ?20, closed_by = ?21, "
    "closed_at = ?22, station = ?23, version = ?24 + 1, updated_at = ?25 "
    "WHERE id = ?1 AND version = ?24";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (task != NULL && task->id > 0, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  bind_task (stmt, task);
  sqlite3_bind_int64 (stmt, 1, task->id);
  if (!_ward_store_step_done (self, stmt, "update task", error))
    return FALSE;

  if (sqlite3_changes (_ward_store_get_db (self)) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "Task %" G_GINT64_FORMAT " was changed by someone else (version %"
                   G_GINT64_FORMAT " is not the stored one)", task->id, task->version);
      return FALSE;
    }

  task->version++;
  return TRUE;
}

static GPtrArray *
collect_tasks (WardStore     *self,
               sqlite3_stmt  *stmt,
               GError       **error)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (tasks, read_task (stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list tasks", error);
      return NULL;
    }

  return g_steal_pointer (&tasks);
}

WardTask *
ward_store_get_task (WardStore  *self,
                     gint64      id,
                     GError    **error)
{
  static const char sql[] = "SELECT " TASK_COLUMNS " FROM care_tasks WHERE id = ?1";
  g_autoptr(GPtrArray) tasks = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!(tasks = collect_tasks (self, stmt, error)) || tasks->len == 0)
    return NULL;

  return ward_task_copy (g_ptr_array_index (tasks, 0));
}

GPtrArray *
ward_store_list_tasks (WardStore    *self,
                       WardTaskList  list,
                       gint64        arg,
                       const char   *text,
                       GError      **error)
{
  static const char all_sql[] = "SELECT " TASK_COLUMNS " FROM care_tasks ORDER BY id";
  static const char open_sql[] =
    "SELECT " TASK_COLUMNS " FROM care_tasks WHERE status IN ('requested', 'accepted') ORDER BY id";
  static const char bed_sql[] =
    "SELECT " TASK_COLUMNS " FROM care_tasks WHERE status IN ('requested', 'accepted') "
    "AND bed_id = ?2 ORDER BY id";
  static const char flag_sql[] =
    "SELECT " TASK_COLUMNS " FROM care_tasks WHERE flag_id = ?1 ORDER BY id";
  static const char chain_sql[] =
    "WITH RECURSIVE chain (cid) AS (SELECT ?1 UNION SELECT t.id FROM care_tasks t "
    "JOIN chain ON t.part_of = chain.cid) "
    "SELECT " TASK_COLUMNS " FROM care_tasks WHERE id IN chain ORDER BY id";
  static const char due_sql[] =
    "SELECT " TASK_COLUMNS " FROM care_tasks WHERE status = 'requested' AND due_at <= ?1 "
    "AND escalated_at IS NULL ORDER BY due_at, id";
  const char *sql = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  switch (list)
    {
    case WARD_TASK_LIST_ALL: sql = all_sql; break;
    case WARD_TASK_LIST_OPEN: sql = open_sql; break;
    case WARD_TASK_LIST_OPEN_FOR_BED: sql = bed_sql; break;
    case WARD_TASK_LIST_FOR_FLAG: sql = flag_sql; break;
    case WARD_TASK_LIST_CHAIN: sql = chain_sql; break;
    case WARD_TASK_LIST_REQUESTED_DUE: sql = due_sql; break;
    default: g_return_val_if_reached (NULL);
    }

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  if (sql == bed_sql)
    _ward_store_bind_text (stmt, 2, text);
  else if (sql != all_sql && sql != open_sql)
    sqlite3_bind_int64 (stmt, 1, arg);

  return collect_tasks (self, stmt, error);
}

/* Flags */

#define FLAG_COLUMNS \
  "f.id, f.patient_id, (SELECT b.id FROM beds b WHERE b.patient_id = f.patient_id " \
  "ORDER BY b.id LIMIT 1), f.kind, f.band, f.opened_at, f.closed_at, f.acknowledged_by, " \
  "f.acknowledged_at, f.scorer"

static void
read_flag (sqlite3_stmt *stmt,
           WardCareFlag *flag)
{
  const char *band = (const char *) sqlite3_column_text (stmt, 4);
  const char *kind = (const char *) sqlite3_column_text (stmt, 3);

  flag->id = sqlite3_column_int64 (stmt, 0);
  flag->patient_id = _ward_store_column_text (stmt, 1);
  flag->bed_id = _ward_store_column_text (stmt, 2);

  /* A model's own flag is a clinical flag to the care team (a task for
   * a clinician), routed by its score kind.
   */
  if (g_strcmp0 (kind, "model") == 0)
    {
      flag->kind = WARD_CARE_KIND_CLINICAL;
      flag->score_kind = _ward_store_column_text (stmt, 9);
    }
  else if (!ward_care_kind_from_string (kind, &flag->kind))
    flag->kind = WARD_CARE_KIND_TECHNICAL;
  else if (flag->kind == WARD_CARE_KIND_CLINICAL)
    flag->score_kind = g_strdup ("news2");
  flag->has_band = band != NULL && ward_band_from_string (band, &flag->band);
  flag->opened_at = sqlite3_column_int64 (stmt, 5);
  flag->closed_at = sqlite3_column_int64 (stmt, 6);
  flag->acknowledged_by = _ward_store_column_text (stmt, 7);
  flag->acknowledged_at = sqlite3_column_int64 (stmt, 8);
}

GArray *
ward_store_list_untasked_flags (WardStore  *self,
                                GError    **error)
{
  static const char sql[] =
    "SELECT " FLAG_COLUMNS " FROM flags f WHERE f.closed_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM care_tasks t WHERE t.flag_id = f.id) ORDER BY f.id";
  g_autoptr(GArray) flags = g_array_new (FALSE, TRUE, sizeof (WardCareFlag));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  g_array_set_clear_func (flags, (GDestroyNotify) ward_care_flag_clear);
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardCareFlag flag = { 0 };

      read_flag (stmt, &flag);
      g_array_append_val (flags, flag);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list flags", error);
      return NULL;
    }

  return g_steal_pointer (&flags);
}

gboolean
ward_store_get_care_flag (WardStore     *self,
                          gint64         flag_id,
                          gboolean      *found,
                          WardCareFlag  *flag,
                          GError       **error)
{
  static const char sql[] = "SELECT " FLAG_COLUMNS " FROM flags f WHERE f.id = ?1";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (found != NULL && flag != NULL, FALSE);

  *found = FALSE;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, flag_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      read_flag (stmt, flag);
      *found = TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read flag", error);

  return TRUE;
}

static char *
query_one_text (WardStore   *self,
                const char  *sql,
                const char  *arg,
                const char  *what,
                GError     **error)
{
  sqlite3_stmt *stmt;
  char *value = NULL;
  int rc;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  _ward_store_bind_text (stmt, 1, arg);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = _ward_store_column_text (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _ward_store_set_sql_error (self, rc, what, error);

  return value;
}

char *
ward_store_get_patient_bed (WardStore   *self,
                            const char  *patient_id,
                            GError     **error)
{
  static const char sql[] = "SELECT id FROM beds WHERE patient_id = ?1 ORDER BY id LIMIT 1";

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  return query_one_text (self, sql, patient_id, "find bed", error);
}

char *
ward_store_get_bed_patient (WardStore   *self,
                            const char  *bed_id,
                            GError     **error)
{
  static const char sql[] = "SELECT patient_id FROM beds WHERE id = ?1";

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (bed_id != NULL, NULL);

  return query_one_text (self, sql, bed_id, "find patient", error);
}

gboolean
ward_store_has_bed (WardStore   *self,
                    const char  *bed_id,
                    gboolean    *exists,
                    GError     **error)
{
  static const char sql[] = "SELECT 1 FROM beds WHERE id = ?1";
  g_autoptr(GError) local_error = NULL;
  g_autofree char *one = NULL;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (bed_id != NULL && exists != NULL, FALSE);

  one = query_one_text (self, sql, bed_id, "find bed", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *exists = one != NULL;
  return TRUE;
}

/* Allocation */

gboolean
ward_store_set_allocation (WardStore   *self,
                           const char  *bed_id,
                           const char  *staff_id,
                           const char  *allocated_by,
                           gint64       at,
                           const char  *station,
                           GError     **error)
{
  static const char put_sql[] =
    "INSERT INTO care_allocations (bed_id, staff_id, allocated_by, allocated_at, station) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (bed_id) DO UPDATE SET staff_id = excluded.staff_id, "
    "allocated_by = excluded.allocated_by, allocated_at = excluded.allocated_at, "
    "station = excluded.station";
  static const char delete_sql[] = "DELETE FROM care_allocations WHERE bed_id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (bed_id != NULL && allocated_by != NULL && station != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, staff_id ? put_sql : delete_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, bed_id, -1, SQLITE_TRANSIENT);
  if (staff_id != NULL)
    {
      sqlite3_bind_text (stmt, 2, staff_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, allocated_by, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, at);
      sqlite3_bind_text (stmt, 5, station, -1, SQLITE_TRANSIENT);
    }

  return _ward_store_step_done (self, stmt, "allocate bed", error);
}

char *
ward_store_get_allocation (WardStore   *self,
                           const char  *bed_id,
                           GError     **error)
{
  static const char sql[] = "SELECT staff_id FROM care_allocations WHERE bed_id = ?1";

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (bed_id == NULL)
    return NULL;

  return query_one_text (self, sql, bed_id, "read allocation", error);
}

GPtrArray *
ward_store_list_allocations (WardStore   *self,
                             const char  *staff_id,
                             GError     **error)
{
  static const char sql[] =
    "SELECT bed_id, staff_id, allocated_by, allocated_at, station FROM care_allocations "
    "WHERE ?1 IS NULL OR staff_id = ?1 ORDER BY bed_id";
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_allocation_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  _ward_store_bind_text (stmt, 1, staff_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardAllocation *a = g_new0 (WardAllocation, 1);

      a->bed_id = _ward_store_column_text (stmt, 0);
      a->staff_id = _ward_store_column_text (stmt, 1);
      a->allocated_by = _ward_store_column_text (stmt, 2);
      a->allocated_at = sqlite3_column_int64 (stmt, 3);
      a->station = _ward_store_column_text (stmt, 4);
      g_ptr_array_add (list, a);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list allocations", error);
      return NULL;
    }

  return g_steal_pointer (&list);
}

/* Handovers */

static const char * const handover_states[] = { "offered", "accepted", "cancelled" };

gint64
ward_store_add_handover (WardStore   *self,
                         const char  *from_staff,
                         const char  *to_staff,
                         gint64       at,
                         const char  *station,
                         GError     **error)
{
  static const char sql[] =
    "INSERT INTO care_handovers (from_staff, to_staff, state, offered_at, station) "
    "VALUES (?1, ?2, 'offered', ?3, ?4)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (from_staff != NULL && to_staff != NULL && station != NULL, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;
  sqlite3_bind_text (stmt, 1, from_staff, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, to_staff, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, at);
  sqlite3_bind_text (stmt, 4, station, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "add handover", error))
    return 0;

  return sqlite3_last_insert_rowid (_ward_store_get_db (self));
}

gboolean
ward_store_add_handover_bed (WardStore              *self,
                             gint64                  handover_id,
                             const WardHandoverBed  *bed,
                             GError                **error)
{
  static const char sql[] =
    "INSERT INTO care_handover_beds (handover_id, bed_id, patient_id, situation, background, "
    "assessment, recommendation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (bed != NULL && bed->bed_id != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, handover_id);
  sqlite3_bind_text (stmt, 2, bed->bed_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, bed->patient_id);
  sqlite3_bind_text (stmt, 4, bed->situation ? bed->situation : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, bed->background ? bed->background : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, bed->assessment ? bed->assessment : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, bed->recommendation ? bed->recommendation : "", -1,
                     SQLITE_TRANSIENT);

  return _ward_store_step_done (self, stmt, "add handover bed", error);
}

gboolean
ward_store_get_handover (WardStore     *self,
                         gint64         id,
                         gboolean      *found,
                         WardHandover  *handover,
                         GError       **error)
{
  static const char sql[] =
    "SELECT id, from_staff, to_staff, state, offered_at, accepted_at, station "
    "FROM care_handovers WHERE id = ?1";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (found != NULL && handover != NULL, FALSE);

  *found = FALSE;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (stmt, 3);

      *found = TRUE;
      handover->id = sqlite3_column_int64 (stmt, 0);
      handover->from_staff = _ward_store_column_text (stmt, 1);
      handover->to_staff = _ward_store_column_text (stmt, 2);
      handover->state = WARD_HANDOVER_CANCELLED;
      for (guint i = 0; i < G_N_ELEMENTS (handover_states); i++)
        {
          if (g_strcmp0 (state, handover_states[i]) == 0)
            handover->state = (WardHandoverState) i;
        }
      handover->offered_at = sqlite3_column_int64 (stmt, 4);
      handover->accepted_at = sqlite3_column_int64 (stmt, 5);
      handover->station = _ward_store_column_text (stmt, 6);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read handover", error);

  return TRUE;
}

GPtrArray *
ward_store_list_handover_beds (WardStore  *self,
                               gint64      handover_id,
                               GError    **error)
{
  static const char sql[] =
    "SELECT bed_id, patient_id, situation, background, assessment, recommendation "
    "FROM care_handover_beds WHERE handover_id = ?1 ORDER BY bed_id";
  g_autoptr(GPtrArray) beds = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_handover_bed_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, handover_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardHandoverBed *bed = g_new0 (WardHandoverBed, 1);

      bed->bed_id = _ward_store_column_text (stmt, 0);
      bed->patient_id = _ward_store_column_text (stmt, 1);
      bed->situation = _ward_store_column_text (stmt, 2);
      bed->background = _ward_store_column_text (stmt, 3);
      bed->assessment = _ward_store_column_text (stmt, 4);
      bed->recommendation = _ward_store_column_text (stmt, 5);
      g_ptr_array_add (beds, bed);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list handover beds", error);
      return NULL;
    }

  return g_steal_pointer (&beds);
}

gboolean
ward_store_close_handover (WardStore          *self,
                           gint64              id,
                           WardHandoverState   state,
                           gint64              at,
                           GError            **error)
{
  static const char sql[] =
    "UPDATE care_handovers SET state = ?2, accepted_at = ?3 WHERE id = ?1 AND state = 'offered'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (state != WARD_HANDOVER_OFFERED, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, handover_states[state], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!_ward_store_step_done (self, stmt, "close handover", error))
    return FALSE;

  if (sqlite3_changes (_ward_store_get_db (self)) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "Handover %" G_GINT64_FORMAT " is not waiting to be accepted", id);
      return FALSE;
    }

  return TRUE;
}

/* Communications */

gint64
ward_store_add_communication (WardStore          *self,
                              WardCommunication  *communication,
                              GError            **error)
{
  static const char sql[] =
    "INSERT INTO care_communications (kind, task_id, patient_id, sender, recipient_role, "
    "recipient_staff, sent_at, payload, station) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  sqlite3_stmt *stmt;
  WardCommunication *c = communication;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (c != NULL && c->kind != NULL && c->sender != NULL, 0);
  g_return_val_if_fail (c->payload != NULL && c->station != NULL, 0);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return 0;
  sqlite3_bind_text (stmt, 1, c->kind, -1, SQLITE_TRANSIENT);
  _ward_store_bind_int64 (stmt, 2, c->task_id);
  _ward_store_bind_text (stmt, 3, c->patient_id);
  sqlite3_bind_text (stmt, 4, c->sender, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 5, c->recipient_role);
  _ward_store_bind_text (stmt, 6, c->recipient_staff);
  sqlite3_bind_int64 (stmt, 7, c->sent_at);
  sqlite3_bind_text (stmt, 8, c->payload, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, c->station, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "add communication", error))
    return 0;

  c->id = sqlite3_last_insert_rowid (_ward_store_get_db (self));
  return c->id;
}

GPtrArray *
ward_store_list_communications (WardStore  *self,
                                gint64      task_id,
                                GError    **error)
{
  static const char sql[] =
    "SELECT id, kind, task_id, patient_id, sender, recipient_role, recipient_staff, sent_at, "
    "payload, station FROM care_communications WHERE ?1 = 0 OR task_id = ?1 ORDER BY id";
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_communication_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, task_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardCommunication *c = g_new0 (WardCommunication, 1);

      c->id = sqlite3_column_int64 (stmt, 0);
      c->kind = _ward_store_column_text (stmt, 1);
      c->task_id = sqlite3_column_int64 (stmt, 2);
      c->patient_id = _ward_store_column_text (stmt, 3);
      c->sender = _ward_store_column_text (stmt, 4);
      c->recipient_role = _ward_store_column_text (stmt, 5);
      c->recipient_staff = _ward_store_column_text (stmt, 6);
      c->sent_at = sqlite3_column_int64 (stmt, 7);
      c->payload = _ward_store_column_text (stmt, 8);
      c->station = _ward_store_column_text (stmt, 9);
      g_ptr_array_add (list, c);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list communications", error);
      return NULL;
    }

  return g_steal_pointer (&list);
}

/* Audit trail */

gboolean
ward_store_audit_last (WardStore   *self,
                       gint64      *id,
                       char       **hash,
                       GError     **error)
{
  static const char sql[] = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL && hash != NULL, FALSE);

  *id = 0;
  *hash = NULL;
  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      *hash = _ward_store_column_text (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read audit trail", error);

  return TRUE;
}

gboolean
ward_store_audit_insert (WardStore           *self,
                         const WardAuditRow  *row,
                         GError             **error)
{
  static const char sql[] =
    "INSERT INTO audit_log (id, at, actor, action, patient_id, flag_id, task_id, station, "
    "detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (row != NULL && row->id > 0 && row->actor && row->action, FALSE);
  g_return_val_if_fail (row->station != NULL && row->prev_hash && row->hash, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row->id);
  sqlite3_bind_int64 (stmt, 2, row->at);
  sqlite3_bind_text (stmt, 3, row->actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, row->action, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 5, row->patient_id);
  _ward_store_bind_int64 (stmt, 6, row->flag_id);
  _ward_store_bind_int64 (stmt, 7, row->task_id);
  sqlite3_bind_text (stmt, 8, row->station, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 9, row->detail);
  sqlite3_bind_text (stmt, 10, row->prev_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, row->hash, -1, SQLITE_TRANSIENT);

  return _ward_store_step_done (self, stmt, "append to audit trail", error);
}

/* Reads every column as text where it is stored as text, so that an
 * integer written over a text column behind the app's back still hashes
 * differently from what the app wrote.
 */
gboolean
ward_store_audit_foreach (WardStore           *self,
                          gint64               after_id,
                          WardStoreAuditFunc   func,
                          gpointer             user_data,
                          GError             **error)
{
  static const char sql[] =
    "SELECT id, at, actor, action, patient_id, flag_id, task_id, station, detail, prev_hash, hash "
    "FROM audit_log WHERE id > ?1 ORDER BY id";
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, after_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardAuditRow row = {
        .id = sqlite3_column_int64 (stmt, 0),
        .at = sqlite3_column_int64 (stmt, 1),
        .actor = _ward_store_column_text (stmt, 2),
        .action = _ward_store_column_text (stmt, 3),
        .patient_id = _ward_store_column_text (stmt, 4),
        .flag_id = sqlite3_column_int64 (stmt, 5),
        .task_id = sqlite3_column_int64 (stmt, 6),
        .station = _ward_store_column_text (stmt, 7),
        .detail = _ward_store_column_text (stmt, 8),
        .prev_hash = _ward_store_column_text (stmt, 9),
        .hash = _ward_store_column_text (stmt, 10),
      };

      ok = func (&row, user_data, error);
      ward_audit_row_clear (&row);
      if (!ok)
        break;
    }
  sqlite3_reset (stmt);
  if (ok && rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "read audit trail", error);

  return ok;
}

/* Events and settings */

GPtrArray *
ward_store_list_events_after (WardStore  *self,
                              gint64      after_id,
                              guint       limit,
                              GError    **error)
{
  static const char sql[] =
    "SELECT id, at, actor, kind, patient_id, detail FROM events WHERE id > ?1 ORDER BY id "
    "LIMIT ?2";
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_store_event_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardStoreEvent *e = g_new0 (WardStoreEvent, 1);

      e->id = sqlite3_column_int64 (stmt, 0);
      e->at = sqlite3_column_int64 (stmt, 1);
      e->actor = _ward_store_column_text (stmt, 2);
      e->kind = _ward_store_column_text (stmt, 3);
      e->patient_id = _ward_store_column_text (stmt, 4);
      e->detail = _ward_store_column_text (stmt, 5);
      g_ptr_array_add (list, e);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list events", error);
      return NULL;
    }

  return g_steal_pointer (&list);
}

gboolean
ward_store_get_setting_int (WardStore   *self,
                            const char  *key,
                            gint64       default_value,
                            gint64      *value,
                            GError     **error)
{
  static const char sql[] = "SELECT value FROM settings WHERE key = ?1";
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  text = query_one_text (self, sql, key, "read setting", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *value = text != NULL ? g_ascii_strtoll (text, NULL, 10) : default_value;
  return TRUE;
}

gboolean
ward_store_set_setting_int (WardStore   *self,
                            const char  *key,
                            gint64       value,
                            GError     **error)
{
  static const char sql[] =
    "INSERT INTO settings (key, value) VALUES (?1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
  char buf[32];
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, buf, -1, SQLITE_TRANSIENT);

  return _ward_store_step_done (self, stmt, "write setting", error);
}
