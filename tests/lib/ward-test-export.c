/* ward-test-export.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-export.h"

#include <glib/gstdio.h>
#include <string.h>

GHashTable *
ward_test_export_read (const char *out_dir)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = g_dir_open (out_dir, 0, &error);
  const char *type;

  g_assert_no_error (error);
  while ((type = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *folder = g_build_filename (out_dir, type, NULL);
      g_autoptr(GDir) days = NULL;
      const char *day;

      if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
        {
          g_assert_cmpstr (type, ==, "manifest.json");
          continue;
        }
      days = g_dir_open (folder, 0, &error);
      g_assert_no_error (error);
      while ((day = g_dir_read_name (days)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, day, NULL);
          char *contents = NULL;

          g_assert_true (g_str_has_suffix (day, ".ndjson"));
          g_assert_cmpuint (strlen (day), ==, strlen ("2026-12-07.ndjson"));
          g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
          g_assert_no_error (error);
          g_hash_table_insert (files, g_build_filename (type, day, NULL), contents);
        }
    }

  return g_steal_pointer (&files);
}

void
ward_test_export_remove (const char *out_dir)
{
  g_autoptr(GDir) listing = g_dir_open (out_dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (out_dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) days = g_dir_open (path, 0, NULL);
          const char *day;

          while (days != NULL && (day = g_dir_read_name (days)) != NULL)
            {
              g_autofree char *file = g_build_filename (path, day, NULL);

              g_unlink (file);
            }
          g_rmdir (path);
        }
      else
        g_unlink (path);
    }
  g_rmdir (out_dir);
}
