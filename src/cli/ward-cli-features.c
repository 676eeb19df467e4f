/* ward-cli-features.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-features"

#include "config.h"

#include "ward-cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "ward-feature-store.h"
#include "ward-features.h"

/* wardwatch-cli features --db=PATH --csv: the feature table
 * (ward-features.h) of every patient at every window end, for a data
 * team to label with outcomes and train models on.  Window ends are
 * those of the stored scores, or every --step.  The outcome columns are
 * left empty for them.  It opens the database read-only, so it can run
 * beside a live Wardwatch.
 */

#define PREFIX "wardwatch-cli features: "

/* Series are read a day of window ends at a time, so that a long
 * database never sits in memory whole.
 */
#define CHUNK_USEC (24 * WARD_USEC_PER_HOUR)

/* "30s", "5m", "1h"; a bare number is minutes. */
static gboolean
parse_step (const char *text,
            gint64     *usec)
{
  guint64 n;
  char *end = NULL;
  gint64 unit = WARD_USEC_PER_MINUTE;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;

  errno = 0;
  n = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || n == 0 || n > 7 * 24 * 3600)
    return FALSE;

  if (g_str_equal (end, "s"))
    unit = WARD_USEC_PER_SEC;
  else if (g_str_equal (end, "m") || end[0] == '\0')
    unit = WARD_USEC_PER_MINUTE;
  else if (g_str_equal (end, "h"))
    unit = WARD_USEC_PER_HOUR;
  else
    return FALSE;

  *usec = (gint64) n * unit;
  return *usec <= 7 * 24 * WARD_USEC_PER_HOUR;
}

static void
write_csv_field (GString    *line,
                 const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (line, text);
      return;
    }

  g_string_append_c (line, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

static void
write_header (FILE *out)
{
  g_autoptr(GString) line = g_string_new ("patient_id,window_end");

  for (guint i = 0; i < ward_features_get_n (); i++)
    {
      g_string_append_c (line, ',');
      g_string_append (line, ward_features_get (i)->name);
    }
  g_string_append (line, ",outcome_label,outcome_at\n");
  fputs (line->str, out);
}

static void
write_row (FILE         *out,
           const char   *patient_id,
           gint64        window_end,
           const double *row)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *end = ward_time_format_iso8601 (window_end);

  write_csv_field (line, patient_id);
  g_string_append_c (line, ',');
  g_string_append (line, end);
  for (guint i = 0; i < ward_features_get_n (); i++)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_c (line, ',');
      /* Missing is an empty field, as pandas and R read it. */
      if (!isnan (row[i]))
        g_string_append (line, g_ascii_formatd (buffer, sizeof buffer, "%.10g", row[i]));
    }
  g_string_append (line, ",,\n");
  fputs (line->str, out);
}

/* The window ends of one patient: the stored scores' in [from, to], or
 * every multiple of step from the first measurement to the last (within
 * [from, to]).
 */
static GArray *
window_ends (WardFeatureReader  *reader,
             const char         *patient_id,
             gint64              from,
             gint64              to,
             gint64              step,
             GError            **error)
{
  g_autoptr(GArray) ends = NULL;
  gint64 first, last;
  gint64 e;

  if (step == 0)
    return ward_feature_reader_window_ends (reader, patient_id, from, to, error);

  ends = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!ward_feature_reader_time_range (reader, patient_id, &first, &last, error))
    return *error != NULL ? NULL : g_steal_pointer (&ends);

  first = MAX (first, from);
  last = MIN (last, to);
  /* The first step boundary at or after the first value (times are after
   * 1970, so / truncates down), up to the one at or after the last.
   */
  e = (first / step) * step;
  if (e < first)
    e += step;
  for (; e - step < last && e <= to; e += step)
    g_array_append_val (ends, e);

  return g_steal_pointer (&ends);
}

gboolean
ward_cli_features_foreach_row (WardFeatureReader     *reader,
                               WardFeatureSeries     *series,
                               const char            *patient_id,
                               GArray                *ends,
                               WardCliFeatureRowFunc  func,
                               gpointer               user_data,
                               GError               **error)
{
  WardFeatureConfig config;
  gint64 longest = 0;
  double row[WARD_FEATURE_N_FEATURES];
  guint i = 0;

  ward_feature_config_init (&config);
  for (guint s = 0; s < WARD_FEATURE_N_SPANS; s++)
    longest = MAX (longest, config.span_usec[s]);

  while (i < ends->len)
    {
      gint64 chunk_start = g_array_index (ends, gint64, i);
      guint chunk_end = i;

      while (chunk_end < ends->len &&
             g_array_index (ends, gint64, chunk_end) < chunk_start + CHUNK_USEC)
        chunk_end++;

      if (!ward_feature_reader_load (reader, patient_id, chunk_start - longest,
                                     g_array_index (ends, gint64, chunk_end - 1),
                                     series, error))
        return FALSE;

      for (; i < chunk_end; i++)
        {
          gint64 at = g_array_index (ends, gint64, i);

          ward_features_compute (series, at, &config, row);
          if (!func (patient_id, at, row, user_data, error))
            return FALSE;
        }
    }

  return TRUE;
}

typedef struct
{
  FILE  *out;
  guint  n_rows;
} CsvRows;

static gboolean
write_csv_row_cb (const char    *patient_id,
                  gint64         window_end,
                  const double  *row,
                  gpointer       user_data,
                  GError       **error)
{
  CsvRows *rows = user_data;

  write_row (rows->out, patient_id, window_end, row);
  rows->n_rows++;
  return TRUE;
}

static gboolean
export_patient (FILE               *out,
                WardFeatureReader  *reader,
                WardFeatureSeries  *series,
                const char         *patient_id,
                gint64              from,
                gint64              to,
                gint64              step,
                guint              *n_rows,
                GError            **error)
{
  g_autoptr(GArray) ends = window_ends (reader, patient_id, from, to, step, error);
  CsvRows rows = { out, 0 };

  if (ends == NULL)
    return FALSE;

  if (!ward_cli_features_foreach_row (reader, series, patient_id, ends, write_csv_row_cb, &rows,
                                      error))
    return FALSE;

  *n_rows += rows.n_rows;
  return TRUE;
}

int
ward_cli_features (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WardFeatureReader) reader = NULL;
  g_autoptr(WardFeatureSeries) series = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *step_text = NULL;
  gboolean csv = FALSE;
  gboolean list = FALSE;
  gint64 from = G_MININT64, to = G_MAXINT64, step = 0;
  guint n_rows = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text,
      "Only window ends at or after this time (ISO 8601; without a zone, UTC)", "TIME" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text,
      "Only window ends at or before this time (ISO 8601; without a zone, UTC)", "TIME" },
    { "step", 0, 0, G_OPTION_ARG_STRING, &step_text,
      "A row every STEP (30s, 5m, 1h) instead of one per stored score window", "STEP" },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "Write the feature table as CSV to standard output", NULL },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, "Print the feature definitions (Markdown)", NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Export the model features of every patient at every window end as CSV.\n"
    "\n"
    "One row per patient and window end: patient_id, window_end (ISO 8601 UTC),\n"
    "every feature in the order of --list, then outcome_label and outcome_at,\n"
    "left empty for whoever labels the rows.  A feature that cannot be computed\n"
    "(no value in its span, too few for a deviation or a slope) is an empty field.\n"
    "Window ends are those of the stored NEWS2 windows, or every --step between\n"
    "the patient's first and last measurement.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr (PREFIX "%s\n", error->message);
      return 2;
    }

  if (list)
    {
      g_autofree char *table = ward_features_to_markdown ();

      g_print ("%s", table);
      return 0;
    }

  if (argc > 1)
    {
      g_printerr (PREFIX "unexpected argument “%s”\n", argv[1]);
      return 2;
    }
  if (db_path == NULL)
    {
      g_printerr (PREFIX "--db=PATH is required\n");
      return 2;
    }
  if (!csv)
    {
      g_printerr (PREFIX "say --csv (the only output format) or --list\n");
      return 2;
    }
  if (from_text != NULL && !ward_time_parse_iso8601 (from_text, &from))
    {
      g_printerr (PREFIX "--from: “%s” is not an ISO 8601 time (e.g. 2026-03-02T10:00:00Z)\n",
                  from_text);
      return 2;
    }
  if (to_text != NULL && !ward_time_parse_iso8601 (to_text, &to))
    {
      g_printerr (PREFIX "--to: “%s” is not an ISO 8601 time (e.g. 2026-03-02T10:00:00Z)\n",
                  to_text);
      return 2;
    }
  if (from > to)
    {
      g_printerr (PREFIX "--from is after --to\n");
      return 2;
    }
  if (step_text != NULL && !parse_step (step_text, &step))
    {
      g_printerr (PREFIX "--step: “%s” is not a step such as 30s, 5m or 1h (at most a week)\n",
                  step_text);
      return 2;
    }

  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr (PREFIX "%s: no such database\n", db_path);
      return 1;
    }

  reader = ward_feature_reader_new (db_path, &error);
  if (reader == NULL)
    {
      g_printerr (PREFIX "%s\n", error->message);
      return 1;
    }

  patients = ward_feature_reader_list_patients (reader, &error);
  if (patients == NULL)
    {
      g_printerr (PREFIX "%s\n", error->message);
      return 1;
    }

  series = ward_feature_series_new ();
  write_header (stdout);
  for (guint p = 0; p < patients->len; p++)
    if (!export_patient (stdout, reader, series, patients->pdata[p], from, to, step,
                         &n_rows, &error))
      {
        g_printerr (PREFIX "%s\n", error->message);
        return 1;
      }

  if (fflush (stdout) != 0 || ferror (stdout))
    {
      g_printerr (PREFIX "cannot write the output: %s\n", g_strerror (errno));
      return 1;
    }

  g_printerr ("%u rows, %u patients\n", n_rows, patients->len);
  return 0;
}
