/* test-export-references.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-test-export.h"

/* Every reference in an export resolves inside it: a strict FHIR server
 * (referential integrity, as HAPI FHIR by default) takes the export as
 * it is.  In local identity Wardwatch references the Patients and the
 * monitors' Devices by the connector's Create-mode ids, and writes the
 * minimal Patient and Device resources under those ids itself.
 */

static void
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_printerr ("%s: %s", argv[0], err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* Every "reference" string of the form Type/id under node. */
static void
collect_references (JsonNode  *node,
                    GPtrArray *references)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_references (json_array_get_element (array, i), references);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &child))
        {
          if (strcmp (name, "reference") == 0 && JSON_NODE_HOLDS_VALUE (child) &&
              json_node_get_value_type (child) == G_TYPE_STRING)
            {
              const char *text = json_node_get_string (child);

              /* Contained (#id) and urn: references are not Type/id. */
              if (text[0] != '#' && !g_str_has_prefix (text, "urn:"))
                g_ptr_array_add (references, g_strdup (text));
            }
          else
            collect_references (child, references);
        }
    }
}

static void
test_no_dangling_references (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-export-refs-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "ndjson", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) references = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) files = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  const char *wardwatch = g_getenv ("WARDWATCH");
  const char *cli = g_getenv ("WARDWATCH_CLI");
  guint n_dangling = 0;
  guint n_patients = 0;
  guint n_devices = 0;

  g_assert_no_error (error);
  g_assert_nonnull (wardwatch);
  g_assert_nonnull (cli);

  run ((const char *[]) { wardwatch, "--headless", "--demo", "--beds=4", "--duration=3",
                          "--time-scale=600", db_arg, NULL });
  run ((const char *[]) { cli, "export", db_arg, "--ndjson", out_dir, NULL });

  /* The export's layout (checked by the helper): a folder per resource
   * type, a file per day in it, and manifest.json beside the folders.
   */
  files = ward_test_export_read (out_dir);
  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *folder = g_path_get_dirname (key);
      g_auto(GStrv) lines = g_strsplit (value, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_autoptr(JsonNode) root = NULL;
          JsonObject *resource;
          const char *type;

          if (lines[i][0] == '\0')
            continue;
          root = json_from_string (lines[i], &error);
          g_assert_no_error (error);
          resource = json_node_get_object (root);
          type = json_object_get_string_member (resource, "resourceType");
          g_assert_cmpstr (type, ==, folder);
          g_hash_table_add (ids, g_strconcat (type, "/", json_object_get_string_member (resource, "id"),
                                              NULL));
          if (strcmp (type, "Patient") == 0)
            n_patients++;
          else if (strcmp (type, "Device") == 0)
            n_devices++;
          collect_references (root, references);
        }
    }

  for (guint i = 0; i < references->len; i++)
    {
      const char *reference = g_ptr_array_index (references, i);

      if (!g_hash_table_contains (ids, reference))
        {
          if (n_dangling < 10)
            g_test_message ("dangling: %s", reference);
          n_dangling++;
        }
    }

  g_test_message ("%u resources, %u references, %u dangling", g_hash_table_size (ids),
                  references->len, n_dangling);
  /* The run scored and wrote vital signs: there is something to check. */
  g_assert_cmpuint (references->len, >, 100);
  g_assert_cmpuint (n_dangling, ==, 0);
  /* One Patient per bed's patient, one Device per monitor and the
   * installation's own.
   */
  g_assert_cmpuint (n_patients, ==, 4);
  g_assert_cmpuint (n_devices, ==, 5);

  ward_test_export_remove (out_dir);
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

  g_test_add_func ("/export/no-dangling-references", test_no_dangling_references);

  return g_test_run ();
}
