/* ward-cli-score.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-score"

#include "config.h"

#include "ward-cli.h"
#include "ward-news2.h"

#include <json-glib/json-glib.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* `wardwatch-cli score` reads one vital-sign set per line of standard
 * input and writes one JSON line per non-blank input line, in the same
 * order, flushed at once so that it can sit in a pipe.  A bad line gets
 * an error object and the following lines are still scored: one bad
 * reading must not hide the next patient's score.
 */

static const char summary[] =
  "Reads one set of vital signs per line of standard input, as a JSON object:\n"
  "  {\"rr\":18,\"spo2\":95,\"spo2_scale\":1,\"on_oxygen\":false,\"sbp\":120,\n"
  "   \"hr\":80,\"consciousness\":\"A\",\"temp\":37.1}\n"
  "Any field may be absent or null.  spo2_scale is 1 (default) or 2; consciousness\n"
  "is one of A, C, V, P, U.  Writes one NEWS2 result per line:\n"
  "  {\"total\":N,\"band\":\"low|low-medium|medium|high\",\"complete\":BOOL,\n"
  "   \"per_param\":{\"rr\":N,\"spo2\":N,\"air_or_oxygen\":N,\"sbp\":N,\"hr\":N,\n"
  "                \"consciousness\":N,\"temp\":N}}\n"
  "with null for an absent parameter, or {\"error\":\"line N: FIELD: reason\"}.\n"
  "Blank lines are skipped.  Exit status: 0 if every line was scored, 1 if any\n"
  "line failed, 2 on a usage error.\n"
  "\n"
  "With --model=FILE, scores feature rows with an XGBoost model and its card\n"
  "(FILE is NAME.json, NAME.ubj or NAME.card.json).  Each line is a JSON object\n"
  "{\"FEATURE\":number|null,...}, or with --csv the input is CSV with a header\n"
  "of feature names (an empty field is missing).  patient_id and window_end are\n"
  "copied to the output.  Writes one result per row:\n"
  "  {\"model\":NAME,\"version\":V,\"probability\":P,\n"
  "   \"contributions\":{\"FEATURE\":LOG_ODDS,...},\"bias\":LOG_ODDS,\n"
  "   \"not_for_clinical_use\":BOOL}\n"
  "or {\"error\":\"line N: reason\"}.  A refused model is exit status 1.";

static gboolean
get_number (JsonObject  *object,
            const char  *field,
            gboolean    *has_value,
            double      *value,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);
  GType type;

  *has_value = FALSE;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "%s: expected a number", field);
      return FALSE;
    }

  *has_value = TRUE;
  *value = json_node_get_double (node);
  return TRUE;
}

static gboolean
get_boolean (JsonObject  *object,
             const char  *field,
             gboolean    *has_value,
             gboolean    *value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);

  *has_value = FALSE;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "%s: expected true or false", field);
      return FALSE;
    }

  *has_value = TRUE;
  *value = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_scale (JsonObject  *object,
           int         *scale,
           GError     **error)
{
  gboolean has_scale;
  double value = 1;

  if (!get_number (object, "spo2_scale", &has_scale, &value, error))
    return FALSE;

  /* Absent means Scale 1: Scale 2 is a documented clinical decision,
   * never a default (CLINICAL.md section 1).
   */
  if (!has_scale)
    value = 1;

  if (value != 1 && value != 2)
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "spo2_scale: expected 1 or 2");
      return FALSE;
    }

  *scale = (int) value;
  return TRUE;
}

static gboolean
get_consciousness (JsonObject  *object,
                   gboolean    *has_value,
                   WardAcvpu   *value,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, "consciousness");

  *has_value = FALSE;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      !ward_acvpu_from_string (json_node_get_string (node), value))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "consciousness: expected one of \"A\", \"C\", \"V\", \"P\", \"U\"");
      return FALSE;
    }

  *has_value = TRUE;
  return TRUE;
}

/* Fills @input from one JSON object.  Unknown members are ignored so that
 * richer records (bed, time, source) can be piped through unchanged.
 * `replay` reads a nurse round's values with it too.
 */
gboolean
ward_cli_parse_vitals (JsonObject      *object,
                       WardNews2Input  *input,
                       GError         **error)
{
  ward_news2_input_init (input);

  if (!get_number (object, "rr", &input->has_rr, &input->rr, error) ||
      !get_number (object, "spo2", &input->has_spo2, &input->spo2, error) ||
      !get_scale (object, &input->spo2_scale, error) ||
      !get_boolean (object, "on_oxygen", &input->has_air_or_oxygen, &input->on_oxygen, error) ||
      !get_number (object, "sbp", &input->has_sbp, &input->sbp, error) ||
      !get_number (object, "hr", &input->has_hr, &input->hr, error) ||
      !get_consciousness (object, &input->has_consciousness, &input->consciousness, error) ||
      !get_number (object, "temp", &input->has_temp, &input->temp, error))
    return FALSE;

  return ward_news2_validate (input, error);
}

void
ward_cli_add_per_param (JsonBuilder *builder,
                        const int    points[WARD_NEWS2_N_PARAMS])
{
  g_return_if_fail (JSON_IS_BUILDER (builder));
  g_return_if_fail (points != NULL);

  json_builder_set_member_name (builder, "per_param");
  json_builder_begin_object (builder);
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    {
      json_builder_set_member_name (builder, ward_news2_param_to_string (i));
      if (points[i] < 0)
        json_builder_add_null_value (builder);
      else
        json_builder_add_int_value (builder, points[i]);
    }
  json_builder_end_object (builder);
}

/* Scores one line and returns the JSON text of the result, or NULL with
 * @error set, its message naming the offending field.
 */
static char *
score_line (JsonParser     *parser,
            JsonGenerator  *generator,
            const char     *line,
            gssize          length,
            GError        **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  WardNews2Input input;
  WardNews2Result result;
  JsonNode *parsed;

  g_assert (JSON_IS_PARSER (parser));
  g_assert (JSON_IS_GENERATOR (generator));
  g_assert (line != NULL);

  if ((gsize) length != strlen (line))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "not valid JSON: contains a NUL byte");
      return NULL;
    }

  if (!g_utf8_validate (line, length, NULL))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "not valid JSON: not UTF-8 text");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, line, length, error))
    {
      g_prefix_error (error, "not valid JSON: ");
      return NULL;
    }

  parsed = json_parser_get_root (parser);
  if (parsed == NULL || !JSON_NODE_HOLDS_OBJECT (parsed))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "expected a JSON object");
      return NULL;
    }

  if (!ward_cli_parse_vitals (json_node_get_object (parsed), &input, error))
    return NULL;

  ward_news2_score (&input, &result);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, result.total);
  json_builder_set_member_name (builder, "band");
  json_builder_add_string_value (builder, ward_band_to_string (result.band));
  json_builder_set_member_name (builder, "complete");
  json_builder_add_boolean_value (builder, result.complete);
  ward_cli_add_per_param (builder, result.points);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

int
ward_cli_score (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *model_path = NULL;
  gboolean csv = FALSE;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path,
      "Score feature rows with this XGBoost model instead of NEWS2", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      "With --model, read CSV with a header line instead of JSON lines", NULL },
    { NULL }
  };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  size_t capacity = 0;
  ssize_t length;
  guint64 line_number = 0;
  gboolean any_failed = FALSE;

  g_return_val_if_fail (argc >= 1, 2);
  g_return_val_if_fail (argv != NULL, 2);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("%s: unexpected argument “%s”; input is read from standard input\n",
                  g_get_prgname (), argv[1]);
      return 2;
    }
  if (csv && model_path == NULL)
    {
      g_printerr ("%s: --csv reads feature rows, and needs --model\n", g_get_prgname ());
      return 2;
    }

  if (model_path != NULL)
    return ward_cli_score_model (model_path, csv);

  parser = json_parser_new ();
  generator = json_generator_new ();

  /* getline() because a line has no length limit. */
  while ((length = getline (&line, &capacity, stdin)) != -1)
    {
      g_autoptr(GError) line_error = NULL;
      g_autofree char *json = NULL;

      line_number++;

      while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
        line[--length] = '\0';

      if ((gsize) length == strlen (line) && ward_cli_is_blank (line))
        continue;

      json = score_line (parser, generator, line, length, &line_error);
      if (json == NULL)
        {
          any_failed = TRUE;
          json = ward_cli_error_line (generator, line_number, line_error->message);
        }

      if (!ward_cli_write_line (json))
        return 1;
    }

  if (ferror (stdin))
    {
      g_printerr ("%s: cannot read standard input: %s\n", g_get_prgname (), g_strerror (errno));
      return 1;
    }

  return any_failed ? 1 : 0;
}
