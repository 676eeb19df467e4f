/* ward-cli-export.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-export"

#include "config.h"

#include "ward-cli.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "ward-feature-store.h"
#include "ward-features.h"
#include "ward-store.h"
#include "ward-store-export.h"

/* wardwatch-cli export --db=PATH --ndjson DIR [--since=TIME]: the local
 * FHIR store as FHIR Bulk Data NDJSON, incrementally.  DIR holds one
 * folder per resource type (Patient, Observation, RiskAssessment, Flag, Device,
 * and the care team's Task, Communication and AuditEvent) with one file
 * per UTC day of the resources' last change (Observation/2026-12-07.ndjson),
 * one resource per line in its newest version, and manifest.json, shaped
 * as the Bulk Data export manifest (transactionTime, request, output[]
 * with type, url and count) whose extension holds the high-water mark:
 * the store's last change exported.  A run writes only the resources
 * changed after that mark, appending to the day files.
 *
 * A crash cannot duplicate lines: the manifest records each file's
 * length as of the last complete run, and the next run first cuts every
 * file back to that length (a file the manifest does not name, to
 * nothing) before it appends; the manifest itself is replaced
 * atomically (temporary file, fsync, rename) after the files are
 * synced.  It opens the database read-only, in one read transaction, so
 * it runs beside a live Wardwatch; it prints {type: count written}.
 *
 * With --features it also writes the models' feature table
 * (ward-features.h, as `wardwatch-cli features --csv` has it) into
 * features/YYYY-MM-DD.ndjson, by the UTC day of the window end: one
 * flat JSON object per patient and stored NEWS2 window, {"patient_id",
 * "window_end", then every feature, null where it cannot be computed}.
 * Its own high-water mark is the newest score row's id (a re-scored
 * window keeps its row and id), so a re-run writes only the windows
 * stored since.  The feature files are listed in the manifest's
 * extension (featureOutput), not in output[], which Bulk Data keeps for
 * FHIR resource types; they are cut back and synced as the others.
 */

#define MANIFEST_NAME "manifest.json"
#define FEATURES_DIR  "features"

static const char * const export_types[] = {
  "Patient", "Observation", "RiskAssessment", "Flag", "Device", "Task", "Communication", "AuditEvent",
};

typedef struct
{
  char    *url;        /* relative to DIR: Type/YYYY-MM-DD.ndjson */
  char    *type;
  gint64   count;      /* lines, after this run */
  gint64   bytes;      /* length, after this run */
  FILE    *file;       /* open for appending while this run writes */
} ExportFile;

typedef struct
{
  const char  *dir;
  const char  *db_path;
  GHashTable  *files;                                /* url -> ExportFile */
  gint64       written[G_N_ELEMENTS (export_types)]; /* this run, per type */
  gboolean     features;                             /* --features */
  gint64       features_mark;                        /* newest score row id exported */
  gint64       features_written;                     /* this run */
} Export;

/* The folders of an export: one per resource type, then features/. */
#define N_OUTPUT_DIRS (G_N_ELEMENTS (export_types) + 1)

static const char *
output_dir (guint i)
{
  return i < G_N_ELEMENTS (export_types) ? export_types[i] : FEATURES_DIR;
}

static void
export_file_free (gpointer data)
{
  ExportFile *file = data;

  if (file->file != NULL)
    fclose (file->file);
  g_free (file->url);
  g_free (file->type);
  g_free (file);
}

static int
type_index (const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (export_types); i++)
    if (g_strcmp0 (type, export_types[i]) == 0)
      return (int) i;
  return -1;
}

/* Type/YYYY-MM-DD.ndjson with a type we export: nothing else is ours. */
static gboolean
url_is_ours (const char  *url,
             char       **type)
{
  g_autofree char *dir = g_path_get_dirname (url);
  g_autofree char *base = g_path_get_basename (url);
  int y, m, d;
  char rest[8];

  if ((type_index (dir) < 0 && g_strcmp0 (dir, FEATURES_DIR) != 0) ||
      sscanf (base, "%4d-%2d-%2d%7s", &y, &m, &d, rest) != 4 ||
      g_strcmp0 (rest, ".ndjson") != 0 || strlen (base) != strlen ("YYYY-MM-DD.ndjson") ||
      !g_date_valid_dmy (d, m, y))
    return FALSE;

  if (type != NULL)
    *type = g_steal_pointer (&dir);
  return TRUE;
}

static gboolean
fail (GError     **error,
      const char  *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError     **error,
      const char  *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_FILE_ERROR, G_FILE_ERROR_FAILED, format, args));
  va_end (args);
  return FALSE;
}

/* Reads the manifest of the last complete run, if any: the mark, the
 * --since it was started with, and every file's count and length.
 */
static gboolean
read_manifest (Export   *export,
               gint64   *mark,
               char    **since,
               GError  **error)
{
  g_autofree char *path = g_build_filename (export->dir, MANIFEST_NAME, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonObject *extension;
  JsonObject *bytes;
  JsonArray *output;
  JsonArray *feature_output;

  *mark = 0;
  *since = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!json_parser_load_from_file (parser, path, &local_error))
    return fail (error, "%s: %s", path, local_error->message);

  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
         ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  extension = root != NULL && json_object_has_member (root, "extension")
              ? json_object_get_object_member (root, "extension") : NULL;
  output = root != NULL && json_object_has_member (root, "output")
           ? json_object_get_array_member (root, "output") : NULL;
  bytes = extension != NULL && json_object_has_member (extension, "bytes")
          ? json_object_get_object_member (extension, "bytes") : NULL;
  if (extension == NULL || output == NULL || bytes == NULL ||
      !json_object_has_member (extension, "highWaterMark"))
    return fail (error, "%s is not a manifest of wardwatch-cli export: export into a new folder",
                 path);

  *mark = json_object_get_int_member (extension, "highWaterMark");
  *since = g_strdup (json_object_get_string_member_with_default (extension, "since", NULL));
  export->features_mark = json_object_get_int_member_with_default (extension,
                                                                   "featuresHighWaterMark", 0);
  feature_output = json_object_has_member (extension, "featureOutput") &&
                   JSON_NODE_HOLDS_ARRAY (json_object_get_member (extension, "featureOutput"))
                   ? json_object_get_array_member (extension, "featureOutput") : NULL;

  for (guint i = 0; i < json_array_get_length (output) +
                        (feature_output ? json_array_get_length (feature_output) : 0); i++)
    {
      guint n_output = json_array_get_length (output);
      JsonObject *entry = i < n_output ? json_array_get_object_element (output, i)
                                       : json_array_get_object_element (feature_output,
                                                                        i - n_output);
      const char *url = entry != NULL ? json_object_get_string_member_with_default (entry, "url", NULL)
                                      : NULL;
      g_autofree char *type = NULL;
      ExportFile *file;

      if (url == NULL || !url_is_ours (url, &type) || !json_object_has_member (bytes, url))
        return fail (error, "%s: output entry %u is not a file of this export", path, i);

      file = g_new0 (ExportFile, 1);
      file->url = g_strdup (url);
      file->type = g_steal_pointer (&type);
      file->count = json_object_get_int_member_with_default (entry, "count", 0);
      file->bytes = json_object_get_int_member (bytes, url);
      g_hash_table_replace (export->files, file->url, file);
    }

  return TRUE;
}

/* Cuts every file back to what the manifest says it held: lines beyond
 * that are from a run that did not finish, and this run writes them
 * again.  A file shorter than the manifest says was changed by someone
 * else; it is refused rather than guessed at.
 */
static gboolean
restore_files (Export  *export,
               GError **error)
{
  for (guint i = 0; i < N_OUTPUT_DIRS; i++)
    {
      g_autofree char *type_dir = g_build_filename (export->dir, output_dir (i), NULL);
      g_autoptr(GDir) dir = NULL;
      const char *name;

      if (!g_file_test (type_dir, G_FILE_TEST_IS_DIR))
        continue;
      dir = g_dir_open (type_dir, 0, error);
      if (dir == NULL)
        return FALSE;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *url = g_build_filename (output_dir (i), name, NULL);
          g_autofree char *path = g_build_filename (export->dir, url, NULL);
          ExportFile *file;
          GStatBuf st;
          gint64 keep;

          if (!url_is_ours (url, NULL))
            continue;
          if (g_stat (path, &st) != 0)
            return fail (error, "%s: %s", path, g_strerror (errno));

          file = g_hash_table_lookup (export->files, url);
          keep = file != NULL ? file->bytes : 0;
          if (st.st_size < keep)
            return fail (error, "%s is shorter than the manifest says (%" G_GINT64_FORMAT
                         " bytes, not %" G_GINT64_FORMAT "): it was changed after the export; "
                         "export into a new folder", path, (gint64) st.st_size, keep);
          if (st.st_size > keep && truncate (path, keep) != 0)
            return fail (error, "cannot cut %s back to the last export: %s", path,
                         g_strerror (errno));
        }
    }

  for (GList *l = g_hash_table_get_values (export->files); l != NULL; l = g_list_delete_link (l, l))
    {
      ExportFile *file = l->data;
      g_autofree char *path = g_build_filename (export->dir, file->url, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_list_free (l);
          return fail (error, "%s, named in the manifest, is missing: export into a new folder",
                       path);
        }
    }

  return TRUE;
}

static char *
day_of (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d") : NULL;
}

/* Appends one line to dir_name/YYYY-MM-DD.ndjson, the UTC day of at. */
static gboolean
append_line (Export      *export,
             const char  *dir_name,
             gint64       at,
             const char  *text,
             gsize        length,
             GError     **error)
{
  g_autofree char *day = day_of (at);
  g_autofree char *url = NULL;
  ExportFile *file;

  if (day == NULL)
    return fail (error, "%s: a line has no valid time", dir_name);
  url = g_strconcat (dir_name, "/", day, ".ndjson", NULL);

  file = g_hash_table_lookup (export->files, url);
  if (file == NULL)
    {
      file = g_new0 (ExportFile, 1);
      file->url = g_steal_pointer (&url);
      file->type = g_strdup (dir_name);
      g_hash_table_replace (export->files, file->url, file);
    }

  if (file->file == NULL)
    {
      g_autofree char *type_dir = g_build_filename (export->dir, file->type, NULL);
      g_autofree char *path = g_build_filename (export->dir, file->url, NULL);

      if (g_mkdir_with_parents (type_dir, 0700) != 0)
        return fail (error, "cannot create %s: %s", type_dir, g_strerror (errno));
      /* Patient data: readable by its owner only. */
      file->file = g_fopen (path, "ae");
      if (file->file == NULL)
        return fail (error, "cannot write %s: %s", path, g_strerror (errno));
      g_chmod (path, 0600);
    }

  if (fwrite (text, 1, length, file->file) != length || fputc ('\n', file->file) == EOF)
    return fail (error, "cannot write %s: %s", file->url, g_strerror (errno));

  file->count++;
  file->bytes += length + 1;
  return TRUE;
}

static gboolean
write_change_cb (const WardResourceChange  *change,
                 gpointer                   user_data,
                 GError                   **error)
{
  Export *export = user_data;
  int index = type_index (change->resource_type);
  g_autofree char *day = NULL;

  /* Only the exported types; the store keeps no others today. */
  if (index < 0)
    return TRUE;

  day = day_of (change->updated_at);
  if (day == NULL)
    return fail (error, "%s/%s has no valid time of change", change->resource_type, change->id);

  /* The stored JSON is compact: one line, as NDJSON needs. */
  if (!append_line (export, change->resource_type, change->updated_at, change->json,
                    strlen (change->json), error))
    return FALSE;

  export->written[index]++;
  return TRUE;
}

typedef struct
{
  Export  *export;
  GString *line;
  char    *quoted_id;   /* the patient id as a JSON string */
} FeatureRows;

static gboolean
write_feature_row_cb (const char    *patient_id,
                      gint64         window_end,
                      const double  *row,
                      gpointer       user_data,
                      GError       **error)
{
  FeatureRows *rows = user_data;
  g_autofree char *end = ward_time_format_iso8601 (window_end);

  g_string_printf (rows->line, "{\"patient_id\":%s,\"window_end\":\"%s\"", rows->quoted_id, end);
  for (guint i = 0; i < ward_features_get_n (); i++)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (rows->line, ",\"%s\":", ward_features_get (i)->name);
      /* JSON has no NaN or infinity: a feature that cannot be computed is null. */
      if (isfinite (row[i]))
        g_string_append (rows->line, g_ascii_formatd (buffer, sizeof buffer, "%.10g", row[i]));
      else
        g_string_append (rows->line, "null");
    }
  g_string_append_c (rows->line, '}');

  if (!append_line (rows->export, FEATURES_DIR, window_end, rows->line->str, rows->line->len,
                    error))
    return FALSE;

  rows->export->features_written++;
  return TRUE;
}

static char *
quote_json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return json_to_string (node, FALSE);
}

/* The feature rows of every NEWS2 window stored since the features'
 * mark, through a reader of its own (features are computed from the
 * measurements, as wardwatch-cli features computes them).
 */
static gboolean
export_features (Export   *export,
                 gint64    since_usec,
                 GError  **error)
{
  g_autoptr(WardFeatureReader) reader = NULL;
  g_autoptr(WardFeatureSeries) series = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 last = 0;

  reader = ward_feature_reader_new (export->db_path, error);
  if (reader == NULL || !ward_feature_reader_last_score_id (reader, &last, error))
    return FALSE;
  if (last < export->features_mark)
    return fail (error, "%s was exported from another database (its features mark is beyond "
                 "this store's last score): export into a new folder", export->dir);
  if (last == export->features_mark)
    return TRUE;

  patients = ward_feature_reader_list_scored_patients (reader, export->features_mark, last, error);
  if (patients == NULL)
    return FALSE;

  series = ward_feature_series_new ();
  for (guint p = 0; p < patients->len; p++)
    {
      const char *patient_id = patients->pdata[p];
      g_autoptr(GArray) ends = NULL;
      g_autofree char *quoted = quote_json_string (patient_id);
      FeatureRows rows = { export, line, quoted };

      ends = ward_feature_reader_new_window_ends (reader, patient_id, export->features_mark, last,
                                                  since_usec, error);
      if (ends == NULL ||
          !ward_cli_features_foreach_row (reader, series, patient_id, ends, write_feature_row_cb,
                                          &rows, error))
        return FALSE;
    }

  export->features_mark = last;
  return TRUE;
}

static gboolean
sync_path (const char  *path,
           GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    return fail (error, "cannot open %s: %s", path, g_strerror (errno));
  ok = fsync (fd) == 0;
  close (fd);
  if (!ok)
    return fail (error, "cannot sync %s: %s", path, g_strerror (errno));
  return TRUE;
}

/* Every file appended to reaches the disk before the manifest names it. */
static gboolean
close_files (Export  *export,
             GError **error)
{
  GHashTableIter iter;
  ExportFile *file;
  gboolean ok = TRUE;

  g_hash_table_iter_init (&iter, export->files);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &file))
    {
      if (file->file == NULL)
        continue;
      if (ok && (fflush (file->file) != 0 || fsync (fileno (file->file)) != 0))
        ok = fail (error, "cannot write %s: %s", file->url, g_strerror (errno));
      if (fclose (file->file) != 0 && ok)
        ok = fail (error, "cannot write %s: %s", file->url, g_strerror (errno));
      file->file = NULL;
    }
  if (!ok)
    return FALSE;

  for (guint i = 0; i < N_OUTPUT_DIRS; i++)
    {
      g_autofree char *type_dir = g_build_filename (export->dir, output_dir (i), NULL);

      if (g_file_test (type_dir, G_FILE_TEST_IS_DIR) && !sync_path (type_dir, error))
        return FALSE;
    }

  return TRUE;
}

static int
compare_urls (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
write_manifest (Export      *export,
                gint64       mark,
                const char  *since,
                GError     **error)
{
  g_autofree char *path = g_build_filename (export->dir, MANIFEST_NAME, NULL);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  g_autofree char *now = ward_time_format_iso8601 (g_get_real_time ());
  g_autofree char *text = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gpointer *urls = NULL;
  guint n_urls;
  FILE *out;
  gboolean ok;

  urls = g_hash_table_get_keys_as_array (export->files, &n_urls);
  qsort (urls, n_urls, sizeof (gpointer), compare_urls);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "transactionTime");
  json_builder_add_string_value (builder, now);
  json_builder_set_member_name (builder, "request");
  json_builder_add_string_value (builder, "wardwatch-cli export --ndjson");
  json_builder_set_member_name (builder, "requiresAccessToken");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "output");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_urls; i++)
    {
      ExportFile *file = g_hash_table_lookup (export->files, urls[i]);

      if (g_str_equal (file->type, FEATURES_DIR))
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, file->type);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, file->url);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, file->count);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "extension");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "highWaterMark");
  json_builder_add_int_value (builder, mark);
  json_builder_set_member_name (builder, "since");
  if (since != NULL)
    json_builder_add_string_value (builder, since);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "featuresHighWaterMark");
  json_builder_add_int_value (builder, export->features_mark);
  json_builder_set_member_name (builder, "featureOutput");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_urls; i++)
    {
      ExportFile *file = g_hash_table_lookup (export->files, urls[i]);

      if (!g_str_equal (file->type, FEATURES_DIR))
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, FEATURES_DIR);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, file->url);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, file->count);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "bytes");
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_urls; i++)
    {
      ExportFile *file = g_hash_table_lookup (export->files, urls[i]);

      json_builder_set_member_name (builder, file->url);
      json_builder_add_int_value (builder, file->bytes);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  out = g_fopen (tmp, "we");
  if (out == NULL)
    return fail (error, "cannot write %s: %s", tmp, g_strerror (errno));
  g_chmod (tmp, 0600);
  ok = fputs (text, out) != EOF && fputc ('\n', out) != EOF &&
       fflush (out) == 0 && fsync (fileno (out)) == 0;
  if (fclose (out) != 0)
    ok = FALSE;
  if (!ok)
    {
      g_unlink (tmp);
      return fail (error, "cannot write %s: %s", tmp, g_strerror (errno));
    }
  if (g_rename (tmp, path) != 0)
    return fail (error, "cannot replace %s: %s", path, g_strerror (errno));

  return sync_path (export->dir, error);
}

/* A time as --since takes it: ISO 8601 with a zone, or a UTC day. */
static gboolean
parse_since (const char  *text,
             gint64      *usec)
{
  g_autofree char *full = NULL;

  if (strlen (text) == strlen ("YYYY-MM-DD"))
    text = full = g_strconcat (text, "T00:00:00Z", NULL);
  return ward_time_parse_iso8601 (text, usec) && *usec > 0;
}

static gboolean
run_export (WardStore   *store,
            Export      *export,
            const char  *since_arg,
            GError     **error)
{
  g_autofree char *since = NULL;
  gint64 since_usec = 0;
  gint64 mark = 0;
  gint64 last = 0;

  if (!read_manifest (export, &mark, &since, error))
    return FALSE;

  /* The mark says what was exported; a different --since would leave a
   * hole or a second copy in the same folder.
   */
  if (since_arg != NULL && mark > 0 && g_strcmp0 (since, since_arg) != 0)
    return fail (error, "%s was exported %s%s; a different --since needs a new folder",
                 export->dir, since != NULL ? "with --since=" : "without --since",
                 since != NULL ? since : "");
  if (since == NULL && mark == 0)
    since = g_strdup (since_arg);
  if (since != NULL && !parse_since (since, &since_usec))
    return fail (error, "--since=%s is not a day (2026-12-07) or an ISO 8601 time with a zone",
                 since);

  if (!restore_files (export, error))
    return FALSE;

  if (!ward_store_get_last_change (store, &last, error))
    return FALSE;
  if (last < mark)
    return fail (error, "%s was exported from another database (its mark is beyond this store's "
                 "last change): export into a new folder", export->dir);

  if (last > mark &&
      !ward_store_foreach_change (store, mark, last, since_usec, write_change_cb, export, error))
    return FALSE;

  if (export->features && !export_features (export, since_usec, error))
    return FALSE;

  if (!close_files (export, error))
    return FALSE;

  return write_manifest (export, last, since, error);
}

int
ward_cli_export (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) files = NULL;
  g_autoptr(GString) summary = g_string_new ("{");
  g_autofree char *db_path = NULL;
  g_autofree char *ndjson_dir = NULL;
  g_autofree char *since = NULL;
  Export export = { 0 };
  gboolean features = FALSE;
  gboolean ok;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "ndjson", 0, 0, G_OPTION_ARG_FILENAME, &ndjson_dir,
      "Write FHIR bulk-data NDJSON into DIR, one file per resource type and day, adding only "
      "what changed since the last export into DIR", "DIR" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      "On the first export into DIR, only resources changed at or after TIME (a UTC day or "
      "an ISO 8601 time)", "TIME" },
    { "features", 0, 0, G_OPTION_ARG_NONE, &features,
      "Also write the models' feature table into DIR/features, one row per patient and NEWS2 "
      "window stored since the last export with --features", NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "Export the local FHIR resource store as FHIR bulk-data NDJSON, "
                                "incrementally.");
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

  files = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, export_file_free);
  export.dir = ndjson_dir;
  export.db_path = db_path;
  export.files = files;
  export.features = features;

  /* One read transaction: the files agree with one another and with the
   * mark even while a live Wardwatch writes.
   */
  if (!_ward_store_exec (store, "BEGIN", &error))
    {
      g_printerr ("wardwatch-cli export: %s\n", error->message);
      return 1;
    }
  ok = run_export (store, &export, since, &error);
  _ward_store_exec (store, "COMMIT", NULL);
  if (!ok)
    {
      g_printerr ("wardwatch-cli export: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < G_N_ELEMENTS (export_types); i++)
    g_string_append_printf (summary, "%s\"%s\":%" G_GINT64_FORMAT, i ? "," : "",
                            export_types[i], export.written[i]);
  if (features)
    g_string_append_printf (summary, ",\"features\":%" G_GINT64_FORMAT, export.features_written);
  g_string_append (summary, "}\n");
  g_print ("%s", summary->str);

  return 0;
}
