/* ward-cli-report.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-report"

#include "config.h"

#include "ward-cli.h"

#include "ward-routing.h"
#include "ward-shift-report.h"
#include "ward-summary.h"

/* wardwatch-cli report --db=PATH [--from=ISO8601] [--to=ISO8601]
 * [--pdf=FILE] [--csv=DIR] [--ward=NAME] [--names] [--policy=FILE]: the
 * shift report of a period from the store (read-only, beside a live
 * Wardwatch), as a PDF and/or CSV files.  The period defaults to the
 * 12 hours before --to, which defaults to now.  Prints one JSON line
 * saying what it wrote.
 */

#define SHIFT_USEC (G_GINT64_CONSTANT (12) * 3600 * G_USEC_PER_SEC)

int
ward_cli_report (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardSummary) summary = NULL;
  g_autoptr(WardCarePolicy) policy = ward_care_policy_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *ward = NULL;
  g_autofree char *by = NULL;
  g_autofree char *policy_path = NULL;
  gboolean names = FALSE;
  WardSummaryOptions options = { 0 };
  WardShiftReportInfo info = { 0 };
  guint n_pages = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, "Start of the period (default: 12 hours before --to)",
      "ISO8601" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, "End of the period, excluded (default: now)", "ISO8601" },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf, "Write the report as an A4 PDF", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write the report's tables as CSV files into DIR", "DIR" },
    { "ward", 0, 0, G_OPTION_ARG_STRING, &ward, "The ward's name on every page (default: the ward file's name, else Ward)", "NAME" },
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, "Who prints the report, on every page", "NAME" },
    { "names", 0, 0, G_OPTION_ARG_NONE, &names, "Full patient names (default: initials only)", NULL },
    { "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_path,
      "Ward policy file with the response targets (default: 60 min, 30 min for high)", "FILE" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "Write the shift report of a Wardwatch database: census, flags, "
                                "response times, overdue observations, technical alarms, alarm burden, "
                                "data issues, each flag's timeline and the handover notes.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli report: %s\n", error->message);
      return 2;
    }
  if (db_path == NULL || (pdf == NULL && csv == NULL))
    {
      g_printerr ("wardwatch-cli report: --db=PATH and --pdf=FILE or --csv=DIR are required\n");
      return 2;
    }

  options.to = g_get_real_time ();
  if (to_text != NULL && !ward_time_parse_iso8601 (to_text, &options.to))
    {
      g_printerr ("wardwatch-cli report: --to=%s: expected an ISO 8601 time with its zone\n", to_text);
      return 2;
    }
  options.from = options.to - SHIFT_USEC;
  if (from_text != NULL && !ward_time_parse_iso8601 (from_text, &options.from))
    {
      g_printerr ("wardwatch-cli report: --from=%s: expected an ISO 8601 time with its zone\n", from_text);
      return 2;
    }
  if (options.from >= options.to)
    {
      g_printerr ("wardwatch-cli report: the period must end after it starts (--from before --to)\n");
      return 2;
    }
  if (policy_path != NULL && !ward_care_policy_load_file (policy, policy_path, &error))
    {
      g_printerr ("wardwatch-cli report: %s\n", error->message);
      return 1;
    }
  options.care_policy = policy;
  options.details = TRUE;

  if (!(store = ward_cli_open_store ("report", db_path)))
    return 1;
  if (!(summary = ward_summary_compute (store, &options, &error)))
    {
      g_printerr ("wardwatch-cli report: %s\n", error->message);
      return 1;
    }

  /* --ward, else the ward file's name as the store keeps it. */
  info.ward = ward ? ward : summary->ward_name ? summary->ward_name : "Ward";
  info.printed_at = g_get_real_time ();
  info.printed_by = by;
  info.show_names = names;

  if (pdf != NULL && !ward_shift_report_write_pdf (summary, &info, pdf, &n_pages, &error))
    {
      g_printerr ("wardwatch-cli report: %s\n", error->message);
      return 1;
    }
  if (csv != NULL && !ward_shift_report_write_csv (summary, &info, csv, &error))
    {
      g_printerr ("wardwatch-cli report: %s\n", error->message);
      return 1;
    }

  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonGenerator) generator = json_generator_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *line = NULL;

    json_builder_begin_object (builder);
    ward_cli_add_time (builder, "from", options.from);
    ward_cli_add_time (builder, "to", options.to);
    ward_cli_add_string (builder, "pdf", pdf);
    json_builder_set_member_name (builder, "pages");
    json_builder_add_int_value (builder, n_pages);
    ward_cli_add_string (builder, "csv", csv);
    json_builder_set_member_name (builder, "flags");
    json_builder_add_int_value (builder, summary->flags->len);
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    json_generator_set_root (generator, root);
    line = json_generator_to_data (generator, NULL);

    return ward_cli_write_line (line) ? 0 : 1;
  }
}
