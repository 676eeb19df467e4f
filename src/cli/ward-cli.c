/* ward-cli.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-cli.h"

#include <errno.h>
#include <gio/gio.h>
#include <stdio.h>

/* Helpers the wardwatch-cli commands share. */

gboolean
ward_cli_is_blank (const char *line)
{
  for (const char *p = line; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

gboolean
ward_cli_write_line (const char *json)
{
  if (fputs (json, stdout) == EOF || fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
    {
      g_printerr ("%s: cannot write to standard output: %s\n",
                  g_get_prgname (), g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}

char *
ward_cli_error_line (JsonGenerator *generator,
                     guint64        line_number,
                     const char    *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = g_strdup_printf ("line %" G_GUINT64_FORMAT ": %s",
                                           line_number, message);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

void
ward_cli_add_string (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
ward_cli_add_time (JsonBuilder *builder,
                   const char  *member,
                   gint64       usec)
{
  g_autofree char *iso = ward_time_format_iso8601 (usec);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, iso);
}

WardStore *
ward_cli_open_store (const char *command,
                     const char *db_path)
{
  g_autoptr(GError) error = NULL;
  WardStore *store;

  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("wardwatch-cli %s: %s: no such database\n", command, db_path);
      return NULL;
    }

  store = ward_store_open_readonly (db_path, &error);
  if (store == NULL)
    g_printerr ("wardwatch-cli %s: %s\n", command, error->message);

  return store;
}
