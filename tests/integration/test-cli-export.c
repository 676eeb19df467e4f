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
#include "ward-store.h"
#include "ward-test-cli.h"
#include "ward-test-export.h"
#include "ward-test-util.h"

#include <math.h>
#include <string.h>

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

static const char * const types[] = {
  "Patient", "Observation", "RiskAssessment", "Flag", "Device", "Task", "Communication", "AuditEvent",
};

/* Every file of the export, url (Type/YYYY-MM-DD.ndjson) -> contents;
 * only the types Wardwatch writes.
 */
static GHashTable *
read_export (const char *out_dir)
{
  GHashTable *files = ward_test_export_read (out_dir);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autofree char *type = g_path_get_dirname (key);
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (types); i++)
        known = known || g_str_equal (type, types[i]);
      g_assert_true (known);
    }

  return files;
}

/* Checks every line of every file: one resource of the folder's type
 * with a valid id; with once, no resource twice (one run writes each
 * resource once, in its newest version; later runs may write it again,
 * changed, even back to an earlier content).  Returns the lines per type
 * in counts.
 */
static void
check_lines (GHashTable *files,
             gboolean    once,
             gint64      counts[G_N_ELEMENTS (types)])
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  const char *url;
  const char *contents;

  memset (counts, 0, sizeof (gint64) * G_N_ELEMENTS (types));
  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, (gpointer *) &url, (gpointer *) &contents))
    {
      g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
      g_autofree char *type = g_path_get_dirname (url);
      guint t;

      for (t = 0; t < G_N_ELEMENTS (types); t++)
        if (g_strcmp0 (types[t], type) == 0)
          break;
      g_assert_cmpuint (t, <, G_N_ELEMENTS (types));

      for (guint k = 0; lines[k] != NULL; k++)
        {
          g_autoptr(JsonObject) resource = NULL;
          g_autofree char *key = NULL;
          const char *id;

          if (lines[k][0] == '\0')
            {
              /* Only after the last line. */
              g_assert_null (lines[k + 1]);
              continue;
            }
          resource = parse_object (lines[k]);
          g_assert_cmpstr (json_object_get_string_member (resource, "resourceType"), ==, type);
          id = json_object_get_string_member (resource, "id");
          g_assert_true (ward_fhir_id_is_valid (id));
          key = g_strdup_printf ("%s/%s", type, id);
          g_assert_true (!once || !g_hash_table_contains (seen, key));
          g_hash_table_add (seen, g_steal_pointer (&key));
          counts[t]++;
        }
    }
}

static gint64
count_query (const char *db,
             const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open_readonly (db, &error);
  gint64 n;

  g_assert_no_error (error);
  n = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);
  return n;
}

static void
demo_run (const char *db_arg,
          const char *seed_arg)
{
  g_autoptr(GError) error = NULL;

  /* 30 simulated minutes, counted on the simulated clock: a slow
   * machine (or the sanitizers) takes longer rather than making less.
   */
  g_free (run (&error, g_getenv ("WARDWATCH"), "--headless", "--demo", "--beds=4",
               "--simulated-duration=1800", "--time-scale=600", seed_arg, db_arg, NULL));
  g_assert_no_error (error);
}

static JsonObject *
export (const char *cli,
        const char *db_arg,
        const char *out_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = run (&error, cli, "export", db_arg, "--ndjson", out_dir, NULL);

  g_assert_no_error (error);
  return parse_object (out);
}

static void
assert_same_files (GHashTable *a,
                   GHashTable *b)
{
  GHashTableIter iter;
  const char *url;
  const char *contents;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, (gpointer *) &url, (gpointer *) &contents))
    g_assert_cmpstr (g_hash_table_lookup (b, url), ==, contents);
}

static void
test_export_incremental (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-export-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "ndjson", NULL);
  g_autofree char *manifest_path = g_build_filename (out_dir, "manifest.json", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autofree char *stats = NULL;
  g_autofree char *manifest_text = NULL;
  g_autofree char *old_manifest = NULL;
  g_autoptr(JsonObject) summary = NULL;
  g_autoptr(JsonObject) counts = NULL;
  g_autoptr(JsonObject) manifest = NULL;
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) second = NULL;
  g_autoptr(GHashTable) third = NULL;
  g_autoptr(GHashTable) fourth = NULL;
  g_autoptr(GHashTable) again = NULL;
  const char *cli = g_getenv ("WARDWATCH_CLI");
  gint64 lines[G_N_ELEMENTS (types)];
  gint64 mark;
  gint64 total = 0;
  gint64 written = 0;

  g_assert_no_error (error);
  g_assert_nonnull (g_getenv ("WARDWATCH"));
  g_assert_nonnull (cli);

  demo_run (db_arg, "--seed=1");

  /* The first run writes every resource, once. */
  summary = export (cli, db_arg, out_dir);
  stats = run (&error, cli, "stats", db_arg, NULL);
  g_assert_no_error (error);
  counts = parse_object (stats);
  first = read_export (out_dir);
  check_lines (first, TRUE, lines);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_assert_cmpint (json_object_get_int_member (summary, types[i]), ==, lines[i]);
      total += lines[i];
    }
  /* Wardwatch's own Device (the scorer) and the four beds' monitors; the
   * minimal Patients the resources reference, one per bed.
   */
  g_assert_cmpint (json_object_get_int_member (summary, "Device"), ==, 1 + 4);
  g_assert_cmpint (json_object_get_int_member (summary, "Patient"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (summary, "RiskAssessment"), >, 0);
  /* The engine's events (flags raised, technical alerts) join the audit
   * trail, one AuditEvent each.
   */
  g_assert_cmpint (json_object_get_int_member (summary, "AuditEvent"), >, 0);
  g_assert_cmpint (json_object_get_int_member (counts, "fhir_resources"), ==, total);

  /* The manifest: Bulk Data's shape, a count per file, and the mark. */
  g_assert_true (g_file_get_contents (manifest_path, &manifest_text, NULL, &error));
  g_assert_no_error (error);
  manifest = parse_object (manifest_text);
  g_assert_true (json_object_has_member (manifest, "transactionTime"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (manifest, "output")), ==,
                    g_hash_table_size (first));
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (manifest, "output"));
       i++)
    {
      JsonObject *entry = json_array_get_object_element (json_object_get_array_member (manifest,
                                                                                       "output"), i);
      const char *contents = g_hash_table_lookup (first, json_object_get_string_member (entry, "url"));
      gint64 n = 0;

      g_assert_nonnull (contents);
      for (const char *p = contents; *p != '\0'; p++)
        n += *p == '\n';
      g_assert_cmpint (json_object_get_int_member (entry, "count"), ==, n);
    }
  mark = json_object_get_int_member (json_object_get_object_member (manifest, "extension"),
                                     "highWaterMark");
  g_assert_cmpint (mark, ==,
                   count_query (db, "SELECT max (change_seq) FROM fhir_resources"));
  g_clear_pointer (&summary, json_object_unref);

  /* A second run with nothing new writes nothing. */
  summary = export (cli, db_arg, out_dir);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_assert_cmpint (json_object_get_int_member (summary, types[i]), ==, 0);
  second = read_export (out_dir);
  assert_same_files (first, second);
  g_clear_pointer (&summary, json_object_unref);

  /* More data: the third run writes exactly the resources changed after
   * the mark, appended after what was there.
   */
  demo_run (db_arg, "--seed=2");
  summary = export (cli, db_arg, out_dir);
  third = read_export (out_dir);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM fhir_resources "
                                              "WHERE change_seq > %" G_GINT64_FORMAT
                                              " AND resource_type = '%s'", mark, types[i]);

      g_assert_cmpint (json_object_get_int_member (summary, types[i]), ==, count_query (db, sql));
      written += json_object_get_int_member (summary, types[i]);
    }
  g_assert_cmpint (written, >, 0);
  {
    GHashTableIter iter;
    const char *url;
    const char *contents;

    g_hash_table_iter_init (&iter, first);
    while (g_hash_table_iter_next (&iter, (gpointer *) &url, (gpointer *) &contents))
      g_assert_true (g_str_has_prefix (g_hash_table_lookup (third, url), contents));
  }
  g_clear_pointer (&summary, json_object_unref);

  /* A crash after the files were written but before the manifest was
   * replaced: the next run writes the same files, no line twice.
   */
  g_assert_true (g_file_get_contents (manifest_path, &old_manifest, NULL, &error));
  g_assert_no_error (error);
  demo_run (db_arg, "--seed=3");
  g_clear_pointer (&summary, json_object_unref);
  summary = export (cli, db_arg, out_dir);
  fourth = read_export (out_dir);
  g_assert_true (g_file_set_contents (manifest_path, old_manifest, -1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&summary, json_object_unref);
  summary = export (cli, db_arg, out_dir);
  again = read_export (out_dir);
  assert_same_files (fourth, again);
  check_lines (again, FALSE, lines);

  ward_test_remove_tree (dir);
}

/* The features/ folder of an export: "patient_id window_end" -> the
 * row's JSON object, and the number of lines in all.
 */
static GHashTable *
read_features (const char *out_dir,
               GHashTable *files,
               gint64     *n_lines)
{
  GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) json_object_unref);
  g_autofree char *features_dir = g_build_filename (out_dir, "features", NULL);
  g_autoptr(GDir) dir = g_dir_open (features_dir, 0, NULL);
  const char *name;

  *n_lines = 0;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (features_dir, name, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      g_assert_true (g_str_has_suffix (name, ".ndjson"));
      g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
      g_assert_no_error (error);
      if (files != NULL)
        g_hash_table_insert (files, g_build_filename ("features", name, NULL),
                             g_strdup (contents));
      lines = g_strsplit (contents, "\n", -1);
      for (guint k = 0; lines[k] != NULL; k++)
        {
          JsonObject *row;
          g_autofree char *key = NULL;

          if (lines[k][0] == '\0')
            continue;
          row = parse_object (lines[k]);
          /* The file is the window end's UTC day. */
          g_assert_cmpint (strncmp (json_object_get_string_member (row, "window_end"), name, 10),
                           ==, 0);
          key = g_strdup_printf ("%s %s", json_object_get_string_member (row, "patient_id"),
                                 json_object_get_string_member (row, "window_end"));
          g_assert_false (g_hash_table_contains (rows, key));
          g_hash_table_insert (rows, g_steal_pointer (&key), row);
          (*n_lines)++;
        }
    }

  return rows;
}

static JsonObject *
export_features (const char *cli,
                 const char *db_arg,
                 const char *out_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = run (&error, cli, "export", db_arg, "--ndjson", out_dir, "--features",
                              NULL);

  g_assert_no_error (error);
  return parse_object (out);
}

/* The feature table goes out as the resources do: one row per stored
 * NEWS2 window, the same values as `features --csv`, nothing new on a
 * second run, only the new windows on a third.
 */
static void
test_export_features (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-export-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "ndjson", NULL);
  g_autofree char *manifest_path = g_build_filename (out_dir, "manifest.json", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autofree char *csv = NULL;
  g_autofree char *manifest_text = NULL;
  g_auto(GStrv) csv_lines = NULL;
  g_auto(GStrv) header = NULL;
  g_autoptr(JsonObject) summary = NULL;
  g_autoptr(JsonObject) manifest = NULL;
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) first_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) second = NULL;
  g_autoptr(GHashTable) second_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) third = NULL;
  g_autoptr(GHashTable) third_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *cli = g_getenv ("WARDWATCH_CLI");
  JsonObject *extension;
  gint64 n_lines = 0;
  gint64 n_csv = 0;
  gint64 mark;
  gint64 n_new;

  g_assert_no_error (error);
  g_assert_nonnull (cli);
  demo_run (db_arg, "--seed=1");

  summary = export_features (cli, db_arg, out_dir);
  first = read_features (out_dir, first_files, &n_lines);
  g_assert_cmpint (n_lines, >, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "features"), ==, n_lines);
  g_assert_cmpint (n_lines, ==, count_query (db, "SELECT count (*) FROM scores "
                                                 "WHERE kind = 'news2'"));

  /* Every row holds what `features --csv` has for the same window. */
  csv = run (&error, cli, "features", db_arg, "--csv", NULL);
  g_assert_no_error (error);
  csv_lines = g_strsplit (csv, "\n", -1);
  header = g_strsplit (csv_lines[0], ",", -1);
  for (guint k = 1; csv_lines[k] != NULL; k++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *key = NULL;
      JsonObject *row;

      if (csv_lines[k][0] == '\0')
        continue;
      fields = g_strsplit (csv_lines[k], ",", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, g_strv_length (header));
      key = g_strdup_printf ("%s %s", fields[0], fields[1]);
      row = g_hash_table_lookup (first, key);
      g_assert_nonnull (row);
      /* Every feature column; the outcome columns are the CSV's own. */
      for (guint c = 2; header[c] != NULL && !g_str_has_prefix (header[c], "outcome_"); c++)
        {
          JsonNode *node = json_object_get_member (row, header[c]);

          g_assert_nonnull (node);
          if (fields[c][0] == '\0')
            g_assert_true (JSON_NODE_HOLDS_NULL (node));
          else
            g_assert_cmpfloat_with_epsilon (json_node_get_double (node),
                                            g_ascii_strtod (fields[c], NULL),
                                            1e-9 * MAX (1.0, fabs (g_ascii_strtod (fields[c],
                                                                                   NULL))));
        }
      n_csv++;
    }
  g_assert_cmpint (n_csv, ==, n_lines);

  /* The manifest keeps the feature files out of output[] (FHIR types
   * only) and holds their own mark: the newest score row.
   */
  g_assert_true (g_file_get_contents (manifest_path, &manifest_text, NULL, &error));
  g_assert_no_error (error);
  manifest = parse_object (manifest_text);
  extension = json_object_get_object_member (manifest, "extension");
  mark = json_object_get_int_member (extension, "featuresHighWaterMark");
  g_assert_cmpint (mark, ==, count_query (db, "SELECT max (id) FROM scores"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (extension,
                                                                         "featureOutput")),
                    ==, g_hash_table_size (first_files));
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (manifest, "output"));
       i++)
    {
      JsonObject *entry = json_array_get_object_element (json_object_get_array_member (manifest,
                                                                                       "output"), i);

      g_assert_cmpstr (json_object_get_string_member (entry, "type"), !=, "features");
    }
  g_clear_pointer (&summary, json_object_unref);

  /* Nothing new: nothing written. */
  summary = export_features (cli, db_arg, out_dir);
  g_assert_cmpint (json_object_get_int_member (summary, "features"), ==, 0);
  second = read_features (out_dir, second_files, &n_lines);
  assert_same_files (first_files, second_files);
  g_clear_pointer (&summary, json_object_unref);

  /* An export without --features leaves the feature files and mark be. */
  g_clear_pointer (&summary, json_object_unref);
  summary = export (cli, db_arg, out_dir);
  g_assert_false (json_object_has_member (summary, "features"));
  g_clear_pointer (&summary, json_object_unref);

  /* More data: only the windows stored since, appended.  The demo's
   * clock starts again at the real time, so a longer run reaches past
   * the first run's windows (those it scores again keep their rows):
   * 90 simulated minutes against the first run's 30, which leaves an
   * hour of real time between the runs.
   */
  g_free (run (&error, g_getenv ("WARDWATCH"), "--headless", "--demo", "--beds=4",
               "--simulated-duration=5400", "--time-scale=600", "--seed=2", db_arg, NULL));
  g_assert_no_error (error);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM scores WHERE kind = 'news2' "
                                            "AND id > %" G_GINT64_FORMAT, mark);

    n_new = count_query (db, sql);
  }
  g_assert_cmpint (n_new, >, 0);
  summary = export_features (cli, db_arg, out_dir);
  g_assert_cmpint (json_object_get_int_member (summary, "features"), ==, n_new);
  third = read_features (out_dir, third_files, &n_lines);
  g_assert_cmpint (n_lines, ==, g_hash_table_size (first) + n_new);
  {
    GHashTableIter iter;
    const char *url;
    const char *contents;

    g_hash_table_iter_init (&iter, first_files);
    while (g_hash_table_iter_next (&iter, (gpointer *) &url, (gpointer *) &contents))
      g_assert_true (g_str_has_prefix (g_hash_table_lookup (third_files, url), contents));
  }

  ward_test_remove_tree (dir);
}

/* Bad input gets a clear error and loses nothing. */
static void
test_export_refusals (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-export-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "ndjson", NULL);
  g_autofree char *manifest_path = g_build_filename (out_dir, "manifest.json", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autoptr(JsonObject) summary = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  const char *cli = g_getenv ("WARDWATCH_CLI");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_no_error (error);
  demo_run (db_arg, "--seed=1");

  /* --since after every change: a manifest, no resource. */
  {
    const char *args[] = { db_arg, "--ndjson", out_dir, "--since=2999-01-01", NULL };

    status = ward_test_run_cli ("export", args, NULL, &out, &err);
    g_assert_cmpint (status, ==, 0);
    summary = parse_object (out);
    g_assert_cmpint (json_object_get_int_member (summary, "Observation"), ==, 0);
    g_assert_true (g_file_test (manifest_path, G_FILE_TEST_IS_REGULAR));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Another --since into the same folder would leave a hole. */
  {
    const char *args[] = { db_arg, "--ndjson", out_dir, "--since=2020-01-01", NULL };

    status = ward_test_run_cli ("export", args, NULL, &out, &err);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "new folder"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  ward_test_remove_tree (out_dir);

  /* A bad time. */
  {
    const char *args[] = { db_arg, "--ndjson", out_dir, "--since=yesterday", NULL };

    status = ward_test_run_cli ("export", args, NULL, &out, &err);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "--since=yesterday"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  ward_test_remove_tree (out_dir);

  /* A damaged manifest is refused and the files stay as they are. */
  g_clear_pointer (&summary, json_object_unref);
  summary = export (cli, db_arg, out_dir);
  before = read_export (out_dir);
  g_assert_true (g_file_set_contents (manifest_path, "{\"output\": 3}", -1, &error));
  g_assert_no_error (error);
  {
    const char *args[] = { db_arg, "--ndjson", out_dir, NULL };

    status = ward_test_run_cli ("export", args, NULL, &out, &err);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "manifest.json"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  after = read_export (out_dir);
  assert_same_files (before, after);

  ward_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/export/incremental", test_export_incremental);
  g_test_add_func ("/cli/export/refusals", test_export_refusals);
  g_test_add_func ("/cli/export/features", test_export_features);

  return g_test_run ();
}
