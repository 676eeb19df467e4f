/* ward-cli-export.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-export"

#include "config.h"

#include "ward-cli.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "ward-store.h"

/* wardwatch-cli export --db=PATH --ndjson DIR: the local FHIR store as
 * FHIR bulk-data NDJSON, one file per resource type (Patient.ndjson, Observation.ndjson,
 * RiskAssessment.ndjson, Flag.ndjson, Device.ndjson, and the care team's
 * Task, Communication and AuditEvent), one resource per
 * line, newest version.  It opens the database read-only, so it can run
 * beside a live Wardwatch, and prints {type: count} as JSON.
 */

static const char * const export_types[] = {
  "Patient", "Observation", "RiskAssessment", "Flag", "Device", "Task", "Communication", "AuditEvent",
};

typedef struct
{
  FILE    *file;
  gint64   count;
  gboolean failed;
} ExportData;

static void
write_resource_cb (const char *resource_type,
                   const char *id,
                   gint64      version,
                   const char *json,
                   gpointer    user_data)
{
  ExportData *data = user_data;

  if (data->failed)
    return;

  /* The stored JSON is compact: one line, as NDJSON needs. */
  if (fputs (json, data->file) == EOF || fputc ('\n', data->file) == EOF)
    data->failed = TRUE;
  else
    data->count++;
}

int
ward_cli_export (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) summary = g_string_new ("{");
  g_autofree char *db_path = NULL;
  g_autofree char *ndjson_dir = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "ndjson", 0, 0, G_OPTION_ARG_FILENAME, &ndjson_dir,
      "Write FHIR bulk-data NDJSON files, one per resource type, into DIR", "DIR" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "Export the local FHIR resource store as FHIR bulk-data NDJSON.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli export: %s\n", error->message);
      return 2;
    }

  if (db_path == NULL || ndjson_dir == NULL)
    {
      g_printerr ("wardwatch-cli export: --db=PATH and --ndjson DIR are required\n");
      return 2;
    }

  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("wardwatch-cli export: %s: no such database\n", db_path);
      return 1;
    }

  store = ward_store_open_readonly (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("wardwatch-cli export: %s\n", error->message);
      return 1;
    }

  if (g_mkdir_with_parents (ndjson_dir, 0700) != 0)
    {
      g_printerr ("wardwatch-cli export: cannot create %s: %s\n", ndjson_dir, g_strerror (errno));
      return 1;
    }

  /* One read transaction: the files agree with one another even while a
   * live Wardwatch writes.
   */
  if (!_ward_store_exec (store, "BEGIN", &error))
    {
      g_printerr ("wardwatch-cli export: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < G_N_ELEMENTS (export_types); i++)
    {
      g_autofree char *name = g_strconcat (export_types[i], ".ndjson", NULL);
      g_autofree char *path = g_build_filename (ndjson_dir, name, NULL);
      ExportData data = { 0 };
      gboolean ok;

      /* Patient data: readable by its owner only. */
      data.file = g_fopen (path, "we");
      if (data.file == NULL)
        {
          g_printerr ("wardwatch-cli export: cannot write %s: %s\n", path, g_strerror (errno));
          return 1;
        }
      g_chmod (path, 0600);

      ok = ward_store_foreach_resource (store, export_types[i], write_resource_cb, &data, &error);
      if (fclose (data.file) != 0)
        data.failed = TRUE;
      if (!ok)
        {
          g_printerr ("wardwatch-cli export: %s\n", error->message);
          return 1;
        }
      if (data.failed)
        {
          g_printerr ("wardwatch-cli export: cannot write %s\n", path);
          return 1;
        }

      g_string_append_printf (summary, "%s\"%s\":%" G_GINT64_FORMAT, i ? "," : "",
                              export_types[i], data.count);
    }

  _ward_store_exec (store, "COMMIT", NULL);

  g_string_append (summary, "}\n");
  g_print ("%s", summary->str);

  return 0;
}
