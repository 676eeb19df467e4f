/* ward-store-staff-fhir.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-staff-fhir.h"

#include "ward-store-private.h"

/* Runs one statement with no parameters. */
static gboolean
run (WardStore   *self,
     const char  *sql,
     const char  *what,
     GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, what, error);

  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
save_fhir_staff (WardStore   *self,
                 WardStaff   *staff,
                 const char  *care_teams,
                 GPtrArray   *issues,
                 gint64       read_at,
                 GError     **error)
{
  static const char insert_member[] =
    "INSERT INTO staff_fhir (staff_id, name, roles, os_account) VALUES (?1, ?2, ?3, ?4)";
  static const char insert_issue[] =
    "INSERT INTO staff_fhir_issues (message, read_at) VALUES (?1, ?2)";
  static const char insert_state[] =
    "INSERT OR REPLACE INTO staff_fhir_state (id, care_teams, read_at) VALUES (1, ?1, ?2)";
  sqlite3_stmt *stmt;
  int rc;

  if (!run (self, "DELETE FROM staff_fhir", "clear the FHIR staff", error) ||
      !run (self, "DELETE FROM staff_fhir_issues", "clear the FHIR staff issues", error))
    return FALSE;

  for (guint i = 0; i < ward_staff_get_n_members (staff); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (staff, i);

      if (!(stmt = _ward_store_get_statement (self, insert_member, error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, member->id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, member->name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, member->roles);
      bind_text_or_null (stmt, 4, member->os_account);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return _ward_store_set_sql_error (self, rc, "cache a FHIR staff member", error);
    }

  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      if (!(stmt = _ward_store_get_statement (self, insert_issue, error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, g_ptr_array_index (issues, i), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, read_at);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return _ward_store_set_sql_error (self, rc, "record a FHIR staff issue", error);
    }

  if (!(stmt = _ward_store_get_statement (self, insert_state, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, care_teams != NULL ? care_teams : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, read_at);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "record the FHIR staff read", error);

  return TRUE;
}

gboolean
ward_store_save_fhir_staff (WardStore   *self,
                            WardStaff   *staff,
                            const char  *care_teams,
                            GPtrArray   *issues,
                            gint64       read_at,
                            GError     **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (WARD_IS_STAFF (staff), FALSE);

  if (!ward_store_begin (self, error))
    return FALSE;

  if (!save_fhir_staff (self, staff, care_teams, issues, read_at, error))
    {
      ward_store_rollback (self);
      return FALSE;
    }

  return ward_store_commit (self, error);
}

WardStaff *
ward_store_load_fhir_staff (WardStore   *self,
                            gint64      *read_at,
                            GError     **error)
{
  static const char state_sql[] = "SELECT read_at FROM staff_fhir_state WHERE id = 1";
  static const char members_sql[] =
    "SELECT staff_id, name, roles, os_account FROM staff_fhir ORDER BY rowid";
  g_autoptr(WardStaff) staff = NULL;
  sqlite3_stmt *stmt;
  gint64 when = 0;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, state_sql, error)))
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    when = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      _ward_store_set_sql_error (self, rc, "read the FHIR staff cache", error);
      return NULL;
    }

  staff = ward_staff_new ();
  if (!(stmt = _ward_store_get_statement (self, members_sql, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardStaffMember member = { 0 };

      member.id = (char *) sqlite3_column_text (stmt, 0);
      member.name = (char *) sqlite3_column_text (stmt, 1);
      member.roles = (WardStaffRoles) sqlite3_column_int64 (stmt, 2);
      member.os_account = (char *) sqlite3_column_text (stmt, 3);
      member.source = WARD_STAFF_SOURCE_FHIR;
      /* The rows were one valid list when they were written. */
      if (!ward_staff_add (staff, &member, NULL))
        g_debug ("Skipping a cached FHIR staff member that is there twice");
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "read the FHIR staff cache", error);
      return NULL;
    }

  if (read_at != NULL)
    *read_at = when;

  return g_steal_pointer (&staff);
}

GPtrArray *
ward_store_list_fhir_staff_issues (WardStore  *self,
                                   GError    **error)
{
  static const char sql[] = "SELECT message FROM staff_fhir_issues ORDER BY id";
  g_autoptr(GPtrArray) issues = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (issues, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "list the FHIR staff issues", error);
      return NULL;
    }

  return g_steal_pointer (&issues);
}

gboolean
ward_store_save_staff_roster (WardStore   *self,
                              WardStaff   *staff,
                              gint64       at,
                              GError     **error)
{
  static const char sql[] =
    "INSERT INTO staff_roster (staff_id, name, roles, source, has_pin, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (WARD_IS_STAFF (staff), FALSE);

  if (!ward_store_begin (self, error))
    return FALSE;

  if (!run (self, "DELETE FROM staff_roster", "clear the staff roster", error))
    goto fail;

  for (guint i = 0; i < ward_staff_get_n_members (staff); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (staff, i);

      if (!(stmt = _ward_store_get_statement (self, sql, error)))
        goto fail;
      sqlite3_bind_text (stmt, 1, member->id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, member->name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, member->roles);
      sqlite3_bind_text (stmt, 4, ward_staff_source_to_string (member->source), -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 5, member->pin_hash != NULL);
      sqlite3_bind_int64 (stmt, 6, at);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          _ward_store_set_sql_error (self, rc, "save the staff roster", error);
          goto fail;
        }
    }

  return ward_store_commit (self, error);

fail:
  ward_store_rollback (self);
  return FALSE;
}

WardStaff *
ward_store_load_staff_roster (WardStore  *self,
                              GError    **error)
{
  static const char sql[] =
    "SELECT staff_id, name, roles, source, has_pin FROM staff_roster ORDER BY rowid";
  g_autoptr(WardStaff) staff = ward_staff_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *source = (const char *) sqlite3_column_text (stmt, 3);
      WardStaffMember member = { 0 };

      member.id = (char *) sqlite3_column_text (stmt, 0);
      member.name = (char *) sqlite3_column_text (stmt, 1);
      member.roles = (WardStaffRoles) sqlite3_column_int64 (stmt, 2);
      member.pin_hash = sqlite3_column_int (stmt, 4) ? (char *) "" : NULL;
      member.source = g_str_equal (source, "policy") ? WARD_STAFF_SOURCE_POLICY
                      : g_str_equal (source, "fhir") ? WARD_STAFF_SOURCE_FHIR
                      : WARD_STAFF_SOURCE_POLICY | WARD_STAFF_SOURCE_FHIR;
      if (!ward_staff_add (staff, &member, NULL))
        g_debug ("Skipping a roster member that is there twice");
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ward_store_set_sql_error (self, rc, "read the staff roster", error);
      return NULL;
    }

  return g_steal_pointer (&staff);
}

gboolean
ward_store_staff_may_route (WardStore   *self,
                            const char  *staff_id,
                            gboolean    *may_route,
                            GError     **error)
{
  static const char sql[] =
    "SELECT NOT EXISTS (SELECT 1 FROM staff_roster) "
    "  OR EXISTS (SELECT 1 FROM staff_roster WHERE staff_id = ?1)";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);
  g_return_val_if_fail (may_route != NULL, FALSE);

  if (!(stmt = _ward_store_get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, staff_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *may_route = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return _ward_store_set_sql_error (self, rc, "check the staff roster", error);

  return TRUE;
}
