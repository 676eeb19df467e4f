/* ward-cli-model-report.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-model-report"

#include "config.h"

#include "ward-cli.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "ward-feature-store.h"
#include "ward-model-report.h"
#include "ward-model-scorer.h"
#include "ward-store.h"
#include "ward-store-scores.h"

/* wardwatch-cli model-report --db=PATH [--model=NAME] [--from --to]
 * [--threshold=P] [--sustain=N] [--json]: a model's alerts against
 * NEWS2's over a period (ward-model-report.h), from the scores the
 * engine stored (shadow or active).  Read-only: it can run beside a
 * live Wardwatch.
 */

/* The card as the model's stored score carries it. */
static void
read_card (const WardStoredScore *score,
           double                *flag_probability,
           gint64                *horizon_minutes,
           char                 **version)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *card;
  JsonNode *root;

  if (score->inputs_json == NULL || !json_parser_load_from_data (parser, score->inputs_json, -1, NULL))
    return;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "card"))
    return;
  card = json_object_get_object_member (json_node_get_object (root), "card");
  if (card == NULL)
    return;
  if (json_object_get_boolean_member_with_default (card, "may_flag", FALSE))
    *flag_probability = json_object_get_double_member_with_default (card, "flag_probability", NAN);
  *horizon_minutes = json_object_get_int_member_with_default (card, "horizon_minutes", *horizon_minutes);
  g_free (*version);
  *version = g_strdup (json_object_get_string_member_with_default (card, "version", ""));
}

static void
print_number (GString *out,
              double   v)
{
  if (isnan (v))
    g_string_append (out, "null");
  else
    g_string_append_printf (out, "%.2f", v);
}

int
ward_cli_model_report (int    argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardFeatureReader) reader = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *model_name = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *version = NULL;
  double threshold = NAN;
  double card_threshold = NAN;
  gint64 horizon_minutes = 240;
  int sustain = 1;
  gboolean json = FALSE;
  gint64 from = G_MININT64, to = G_MAXINT64;
  gboolean any_model = FALSE;
  WardModelReport report;
  WardModelReportConfig config;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model_name,
      "The model's name in its card (default: demo-deterioration)", "NAME" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, "Windows ending at or after this time", "ISO8601" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, "Windows ending at or before this time", "ISO8601" },
    { "threshold", 0, 0, G_OPTION_ARG_DOUBLE, &threshold,
      "The model's alert probability (default: its card's flag_policy, else 0.5)", "P" },
    { "sustain", 0, 0, G_OPTION_ARG_INT, &sustain,
      "Windows in a row at or above the threshold before the model alerts (default 1)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the report as one JSON object", NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "A model's alerts against NEWS2's over a period: counts, how much "
                                "earlier, agreement (Cohen's kappa over windows).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli model-report: %s\n", error->message);
      return 2;
    }
  if (db_path == NULL)
    {
      g_printerr ("wardwatch-cli model-report: --db=PATH is required\n");
      return 2;
    }
  if (from_text != NULL && !ward_time_parse_iso8601 (from_text, &from))
    {
      g_printerr ("wardwatch-cli model-report: --from=%s: expected an ISO 8601 time\n", from_text);
      return 2;
    }
  if (to_text != NULL && !ward_time_parse_iso8601 (to_text, &to))
    {
      g_printerr ("wardwatch-cli model-report: --to=%s: expected an ISO 8601 time\n", to_text);
      return 2;
    }
  if (!isnan (threshold) && !(threshold > 0 && threshold <= 1))
    {
      g_printerr ("wardwatch-cli model-report: --threshold: expected a probability above 0, at most 1\n");
      return 2;
    }
  if (sustain < 1 || sustain > 288)
    {
      g_printerr ("wardwatch-cli model-report: --sustain: expected 1 to 288 windows\n");
      return 2;
    }
  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("wardwatch-cli model-report: %s: no such database\n", db_path);
      return 1;
    }

  kind = g_strconcat (WARD_MODEL_SCORER_KIND_PREFIX,
                      model_name != NULL ? model_name : "demo-deterioration", NULL);
  store = ward_store_open_readonly (db_path, &error);
  if (store != NULL)
    reader = ward_feature_reader_new (db_path, &error);
  if (reader != NULL)
    patients = ward_feature_reader_list_patients (reader, &error);
  if (patients == NULL)
    {
      g_printerr ("wardwatch-cli model-report: %s\n", error->message);
      return 1;
    }

  /* The card first: its threshold and horizon, unless given. */
  for (guint i = 0; i < patients->len && !any_model; i++)
    {
      g_autoptr(GArray) scores = ward_store_get_kind_scores (store, patients->pdata[i], kind,
                                                            from, to, &error);

      if (scores == NULL)
        {
          g_printerr ("wardwatch-cli model-report: %s\n", error->message);
          return 1;
        }
      if (scores->len > 0)
        {
          read_card (&g_array_index (scores, WardStoredScore, 0), &card_threshold,
                     &horizon_minutes, &version);
          any_model = TRUE;
        }
    }
  if (!any_model)
    {
      g_printerr ("wardwatch-cli model-report: %s has no scores of %s in that period (is the model "
                  "named in the ward policy or with --model?)\n", db_path, kind);
      return 1;
    }

  config.threshold = !isnan (threshold) ? threshold : !isnan (card_threshold) ? card_threshold : 0.5;
  config.sustain = sustain;
  config.step_usec = 5 * WARD_USEC_PER_MINUTE;
  config.horizon_usec = horizon_minutes * WARD_USEC_PER_MINUTE;

  ward_model_report_init (&report);
  for (guint i = 0; i < patients->len; i++)
    {
      g_autoptr(GArray) news2 = ward_store_get_kind_scores (store, patients->pdata[i], "news2",
                                                           from, to, &error);
      g_autoptr(GArray) model = NULL;
      g_autoptr(GArray) windows = g_array_new (FALSE, FALSE, sizeof (WardModelReportWindow));
      g_autoptr(GHashTable) alerts = g_hash_table_new (g_int64_hash, g_int64_equal);

      if (news2 != NULL)
        model = ward_store_get_kind_scores (store, patients->pdata[i], kind, from, to, &error);
      if (model == NULL)
        {
          g_printerr ("wardwatch-cli model-report: %s\n", error->message);
          ward_model_report_clear (&report);
          return 1;
        }

      /* NEWS2 alerts where the band reaches the flag threshold (medium);
       * a window NEWS2 says does not apply (under 16) is not compared.
       */
      for (guint j = 0; j < news2->len; j++)
        {
          WardStoredScore *s = &g_array_index (news2, WardStoredScore, j);

          if (s->applicable)
            g_hash_table_insert (alerts, &s->window_end,
                                 GINT_TO_POINTER (s->has_total && s->band >= WARD_BAND_MEDIUM ? 2 : 1));
        }
      for (guint j = 0; j < model->len; j++)
        {
          const WardStoredScore *s = &g_array_index (model, WardStoredScore, j);
          int news2_state = GPOINTER_TO_INT (g_hash_table_lookup (alerts, &s->window_end));
          WardModelReportWindow w = { s->window_end, news2_state == 2, s->probability };

          if (news2_state == 0 || !s->has_probability || !s->applicable)
            continue;
          g_array_append_val (windows, w);
        }
      if (windows->len > 0)
        ward_model_report_add (&report, &config, (const WardModelReportWindow *) windows->data,
                               windows->len);
    }
  ward_model_report_finish (&report);

  if (json)
    {
      GString *out = g_string_new (NULL);

      g_string_append_printf (out, "{\"model\":\"%s\",\"version\":\"%s\",\"threshold\":%g,"
                              "\"sustain_windows\":%d,\"horizon_minutes\":%" G_GINT64_FORMAT ","
                              "\"patients\":%u,\"windows\":%" G_GUINT64_FORMAT ","
                              "\"news2_alert_episodes\":%u,\"model_alert_episodes\":%u,"
                              "\"news2_episodes_model_first_or_same\":%u,"
                              "\"model_episodes_without_news2\":%u,",
                              kind + strlen (WARD_MODEL_SCORER_KIND_PREFIX), version ? version : "",
                              config.threshold, sustain, horizon_minutes, report.n_patients,
                              report.n_windows, report.news2_episodes, report.model_episodes,
                              report.news2_episodes_caught, report.model_episodes_unmatched);
      g_string_append (out, "\"lead_minutes\":{\"n\":");
      g_string_append_printf (out, "%u,\"median\":", report.lead_minutes->len);
      print_number (out, report.lead_median);
      g_string_append (out, ",\"q1\":");
      print_number (out, report.lead_q1);
      g_string_append (out, ",\"q3\":");
      print_number (out, report.lead_q3);
      g_string_append_printf (out, "},\"agreement\":{\"both\":%" G_GUINT64_FORMAT ",\"model_only\":%"
                              G_GUINT64_FORMAT ",\"news2_only\":%" G_GUINT64_FORMAT ",\"neither\":%"
                              G_GUINT64_FORMAT ",\"kappa\":",
                              report.both, report.model_only, report.news2_only, report.neither);
      if (isnan (report.kappa))
        g_string_append (out, "null");
      else
        g_string_append_printf (out, "%.4f", report.kappa);
      g_string_append (out, "}}\n");
      g_print ("%s", out->str);
      g_string_free (out, TRUE);
    }
  else
    {
      g_print ("Model %s %s against NEWS2\n", kind + strlen (WARD_MODEL_SCORER_KIND_PREFIX),
               version ? version : "");
      g_print ("  model alert: probability >= %g for %d window(s); NEWS2 alert: band medium or high\n",
               config.threshold, sustain);
      g_print ("  %u patients, %" G_GUINT64_FORMAT " windows scored by both\n",
               report.n_patients, report.n_windows);
      g_print ("Alerts (episodes)\n");
      g_print ("  NEWS2: %u   model: %u\n", report.news2_episodes, report.model_episodes);
      g_print ("  NEWS2 episodes the model alerted for first or at the same time (within %"
               G_GINT64_FORMAT " min before): %u\n", horizon_minutes, report.news2_episodes_caught);
      g_print ("  model episodes with no NEWS2 alert within %" G_GINT64_FORMAT " min: %u\n",
               horizon_minutes, report.model_episodes_unmatched);
      if (report.lead_minutes->len > 0)
        g_print ("How much earlier the model alerted: median %.0f min (IQR %.0f to %.0f), n = %u\n",
                 report.lead_median, report.lead_q1, report.lead_q3, report.lead_minutes->len);
      else
        g_print ("How much earlier the model alerted: no NEWS2 episode with a model alert\n");
      g_print ("Agreement over windows\n");
      g_print ("  both %" G_GUINT64_FORMAT ", model only %" G_GUINT64_FORMAT ", NEWS2 only %"
               G_GUINT64_FORMAT ", neither %" G_GUINT64_FORMAT "\n",
               report.both, report.model_only, report.news2_only, report.neither);
      if (isnan (report.kappa))
        g_print ("  Cohen's kappa: undefined (one of them never or always alerts)\n");
      else
        g_print ("  Cohen's kappa: %.3f\n", report.kappa);
    }

  ward_model_report_clear (&report);
  return 0;
}
