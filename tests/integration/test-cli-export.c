/* test-cli-export.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ward-fhir-resources.h"

static char *
run (GError **error,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *arg;
  va_list ap;

  va_start (ap, error);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  proc = g_subprocess_newv ((const char * const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, error))
    return NULL;
  if (g_subprocess_get_exit_status (proc) != 0)
    g_printerr ("%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  return out;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_export_demo_run (void)
{
  static const char * const types[] = {
    "Patient", "Observation", "RiskAssessment", "Flag", "Device", "Task", "Communication", "AuditEvent",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-export-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "ndjson", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autofree char *out = NULL;
  g_autofree char *stats = NULL;
  g_autoptr(JsonObject) summary = NULL;
  g_autoptr(JsonObject) counts = NULL;
  const char *wardwatch = g_getenv ("WARDWATCH");
  const char *cli = g_getenv ("WARDWATCH_CLI");
  gint64 total = 0;

  g_assert_no_error (error);
  g_assert_nonnull (wardwatch);
  g_assert_nonnull (cli);

  g_free (run (&error, wardwatch, "--headless", "--demo", "--beds=4", "--duration=3",
               "--time-scale=600", db_arg, NULL));
  g_assert_no_error (error);

  out = run (&error, cli, "export", db_arg, "--ndjson", out_dir, NULL);
  g_assert_no_error (error);
  summary = parse_object (out);
  stats = run (&error, cli, "stats", db_arg, NULL);
  g_assert_no_error (error);
  counts = parse_object (stats);

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *name = g_strconcat (types[i], ".ndjson", NULL);
      g_autofree char *path = g_build_filename (out_dir, name, NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      gint64 n = 0;

      g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
      g_assert_no_error (error);
      lines = g_strsplit (contents, "\n", -1);
      for (guint k = 0; lines[k] != NULL; k++)
        {
          g_autoptr(JsonObject) resource = NULL;

          if (lines[k][0] == '\0')
            {
              /* Only after the last line. */
              g_assert_null (lines[k + 1]);
              continue;
            }
          resource = parse_object (lines[k]);
          g_assert_cmpstr (json_object_get_string_member (resource, "resourceType"), ==, types[i]);
          g_assert_true (ward_fhir_id_is_valid (json_object_get_string_member (resource, "id")));
          n++;
        }

      g_assert_cmpint (json_object_get_int_member (summary, types[i]), ==, n);
      total += n;
      g_unlink (path);
    }

  /* A demo run scores, and its resources are all exported. */
  /* The installation's Device and the monitors' (test-export-references). */
  g_assert_cmpint (json_object_get_int_member (summary, "Device"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "RiskAssessment"), >, 0);
  /* The engine's events (flags raised, technical alerts) join the audit
   * trail, one AuditEvent each.
   */
  g_assert_cmpint (json_object_get_int_member (summary, "AuditEvent"), >, 0);
  g_assert_cmpint (json_object_get_int_member (counts, "fhir_resources"), ==, total);
  g_assert_cmpint (json_object_get_int_member (counts, "outbox_pending"), ==, total);

  g_rmdir (out_dir);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/export/demo-run", test_export_demo_run);

  return g_test_run ();
}
