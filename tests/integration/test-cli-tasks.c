/* test-cli-tasks.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "ward-care.h"

/* wardwatch-cli tasks lists what the coordinator wrote, as JSON lines;
 * wardwatch-cli audit --verify tells a sound trail from an edited one.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define MINUTE WARD_USEC_PER_MINUTE
#define STATION "station-a"

static int
run_cli (char       **out,
         const char  *first_arg,
         ...)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *cli = g_getenv ("WARDWATCH_CLI");
  const char *arg;
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (args, (gpointer) cli);
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  proc = g_subprocess_newv ((const char * const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, out, NULL, &error));
  g_assert_no_error (error);

  return g_subprocess_get_exit_status (proc);
}

static JsonObject *
parse_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
build_ward (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (path, &error);
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardCare) care = NULL;
  WardEngineConfig config;
  gint64 flag;

  g_assert_no_error (error);
  ward_engine_config_init (&config);
  engine = ward_engine_new (store, &config);
  care = ward_care_new (engine, NULL, "ward-7", STATION);

  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_register_bed (engine, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1", 1,
                                           &error));
  g_assert_true (ward_engine_register_bed (engine, "bed-02", "Bed 2", "p2", "Jo Brand", "mon-2", 1,
                                           &error));
  g_assert_true (ward_care_allocate (care, "bed-01", "n.kim", "n.charge", STATION, T0, &error));
  flag = ward_store_open_flag (store, "p1", "clinical", NULL, WARD_BAND_MEDIUM, T0, 0, "t", &error);
  g_assert_cmpint (flag, >, 0);
  g_assert_true (ward_care_tick (care, T0, &error));
  g_assert_cmpint (ward_care_raise_concern (care, "p2", "Worried", "n.kim", STATION, T0, &error),
                   >, 0);
  g_assert_true (ward_care_accept (care, 2, "n.charge", STATION, T0 + MINUTE, &error));
  g_assert_true (ward_care_complete (care, 2, WARD_OUTCOME_REVIEWED, "Seen, plan made", "n.charge",
                                     STATION, T0 + 5 * MINUTE, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
}

static void
test_tasks_and_audit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-cli-tasks-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", path, NULL);
  g_autofree char *out = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) first = NULL;
  sqlite3 *db = NULL;

  build_ward (path);

  /* Two tasks, one line each; the first is the flag's, overdue an hour on. */
  g_assert_cmpint (run_cli (&out, "tasks", db_arg, "--at=2027-01-15T09:00:00Z", NULL), ==, 0);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  first = parse_line (lines[0]);
  g_assert_cmpint (json_object_get_int_member (first, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "patient"), ==, "p1");
  g_assert_cmpstr (json_object_get_string_member (first, "bed"), ==, "bed-01");
  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "requested");
  g_assert_cmpstr (json_object_get_string_member (first, "owner_role"), ==, "bed-nurse");
  g_assert_cmpstr (json_object_get_string_member (first, "owner_staff"), ==, "n.kim");
  g_assert_cmpstr (json_object_get_string_member (first, "priority"), ==, "urgent");
  g_assert_cmpstr (json_object_get_string_member (first, "due_at"), ==, "2027-01-15T09:00:00.000Z");
  g_assert_true (json_object_get_boolean_member (first, "overdue"));
  g_clear_pointer (&first, json_object_unref);
  first = parse_line (lines[1]);
  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (first, "outcome"), ==, "reviewed");
  g_assert_false (json_object_get_boolean_member (first, "overdue"));
  g_clear_pointer (&first, json_object_unref);

  /* A minute before the due time it is not overdue; --open leaves the
   * completed one out.
   */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&lines, g_strfreev);
  g_assert_cmpint (run_cli (&out, "tasks", db_arg, "--open", "--at=2027-01-15T08:59:00Z", NULL),
                   ==, 0);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  first = parse_line (lines[0]);
  g_assert_false (json_object_get_boolean_member (first, "overdue"));

  /* Bad arguments: usage errors. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "tasks", db_arg, "--at=yesterday", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "audit", db_arg, NULL), ==, 2);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "audit", db_arg, "--verify", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"intact\""));

  /* Behind the app's back. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER audit_log_no_update;"
                                     "UPDATE audit_log SET at = at + 1 WHERE id = 2",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "audit", db_arg, "--verify", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "\"first_broken_row\":2"));

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

/* One flag, escalated twice: one line by default (its newest open Task,
 * how far it went, where it started), every Task with --all.
 */
static void
test_tasks_chain (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-cli-chain-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", path, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) line = NULL;
  JsonObject *first;

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(WardStore) store = ward_store_open (path, &error);
    g_autoptr(WardEngine) engine = NULL;
    g_autoptr(WardCare) care = NULL;
    WardEngineConfig config;

    g_assert_no_error (error);
    ward_engine_config_init (&config);
    engine = ward_engine_new (store, &config);
    care = ward_care_new (engine, NULL, "ward-7", STATION);
    g_assert_true (ward_engine_begin (engine, &error));
    g_assert_true (ward_engine_register_bed (engine, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1",
                                             1, &error));
    g_assert_true (ward_care_allocate (care, "bed-01", "n.kim", "n.charge", STATION, T0, &error));
    g_assert_cmpint (ward_store_open_flag (store, "p1", "clinical", NULL, WARD_BAND_HIGH, T0, 0,
                                           "t", &error), >, 0);
    /* High: a 30 min target, then the nurse in charge, then the doctor. */
    g_assert_true (ward_care_tick (care, T0, &error));
    g_assert_true (ward_care_tick (care, T0 + 30 * MINUTE, &error));
    g_assert_true (ward_care_tick (care, T0 + 60 * MINUTE, &error));
    g_assert_true (ward_engine_commit (engine, &error));
    g_assert_no_error (error);
  }

  g_assert_cmpint (run_cli (&out, "tasks", db_arg, NULL), ==, 0);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  line = parse_line (lines[0]);
  g_assert_cmpint (json_object_get_int_member (line, "id"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (line, "owner_role"), ==, "doctor");
  g_assert_cmpstr (json_object_get_string_member (line, "status"), ==, "requested");
  g_assert_cmpint (json_object_get_int_member (line, "escalations"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (line, "chain_tasks"), ==, 3);
  first = json_object_get_object_member (line, "first");
  g_assert_cmpint (json_object_get_int_member (first, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "owner_staff"), ==, "n.kim");
  g_assert_cmpstr (json_object_get_string_member (first, "requested_at"), ==,
                   "2027-01-15T08:00:00.000Z");
  g_clear_pointer (&line, json_object_unref);

  /* Every Task, as before: the earlier ones stay requested. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&lines, g_strfreev);
  g_assert_cmpint (run_cli (&out, "tasks", db_arg, "--all", "--open", NULL), ==, 0);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  line = parse_line (lines[0]);
  g_assert_cmpint (json_object_get_int_member (line, "id"), ==, 1);
  g_assert_true (json_object_get_boolean_member (line, "escalated"));
  g_assert_false (json_object_has_member (line, "escalations"));
  g_clear_pointer (&line, json_object_unref);

  /* n.kim takes her task after all: the chain is hers, one open line,
   * the follow-ups cancelled but still counted.
   */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(WardStore) store = ward_store_open (path, &error);
    g_autoptr(WardEngine) engine = NULL;
    g_autoptr(WardCare) care = NULL;
    WardEngineConfig config;

    g_assert_no_error (error);
    ward_engine_config_init (&config);
    engine = ward_engine_new (store, &config);
    care = ward_care_new (engine, NULL, "ward-7", STATION);
    g_assert_true (ward_engine_begin (engine, &error));
    g_assert_true (ward_care_accept (care, 1, "n.kim", STATION, T0 + 62 * MINUTE, &error));
    g_assert_true (ward_engine_commit (engine, &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&lines, g_strfreev);
  g_assert_cmpint (run_cli (&out, "tasks", db_arg, "--open", NULL), ==, 0);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  line = parse_line (lines[0]);
  g_assert_cmpint (json_object_get_int_member (line, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (line, "status"), ==, "accepted");
  g_assert_cmpint (json_object_get_int_member (line, "escalations"), ==, 2);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/tasks/list-and-audit", test_tasks_and_audit);
  g_test_add_func ("/cli/tasks/chain", test_tasks_chain);

  return g_test_run ();
}
