/* ward-cli-score-model.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-score"

#include "config.h"

#include "ward-cli.h"
#include "ward-model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* `wardwatch-cli score --model=FILE [--csv]` reads feature rows and
 * writes one JSON line per row, in order, flushed at once: the
 * probability, the model's name and version, and each feature's
 * contribution in log-odds with the bias.  A bad row gets an error line
 * and the following rows are still scored, as in the NEWS2 mode.
 *
 * The identifiers patient_id and window_end, when a row has them, are
 * copied to its output line so that a result can be paired with its row.
 * Any other name that is not one of the model's features is reported
 * once on standard error and otherwise ignored (an export's outcome
 * columns, for one).
 */

typedef struct
{
  WardModel      *model;
  JsonParser     *parser;
  JsonGenerator  *generator;
  GHashTable     *index;         /* feature name → position + 1 */
  GHashTable     *warned;        /* unknown names already reported */
  double         *row;
  double         *contributions;
} ScoreModel;

static gboolean
is_identifier (const char *name)
{
  return g_str_equal (name, "patient_id") || g_str_equal (name, "window_end");
}

static void
warn_unknown (ScoreModel *self,
              const char *name)
{
  if (g_hash_table_contains (self->warned, name))
    return;

  g_hash_table_add (self->warned, g_strdup (name));
  g_printerr ("%s: “%s” is not one of the model's features; ignored\n",
              g_get_prgname (), name);
}

static void
add_identifier (JsonBuilder *builder,
                const char  *name,
                JsonNode    *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, json_node_copy (value));
}

static char *
score_row (ScoreModel  *self,
           JsonNode    *patient_id,
           JsonNode    *window_end,
           GError     **error)
{
  const WardModelCard *card = ward_model_get_card (self->model);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  double probability;

  if (!ward_model_predict (self->model, self->row, &probability, self->contributions, error))
    return NULL;

  json_builder_begin_object (builder);
  add_identifier (builder, "patient_id", patient_id);
  add_identifier (builder, "window_end", window_end);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, card->name);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, card->version);
  json_builder_set_member_name (builder, "probability");
  json_builder_add_double_value (builder, probability);
  json_builder_set_member_name (builder, "contributions");
  json_builder_begin_object (builder);
  for (guint i = 0; i < card->n_features; i++)
    {
      json_builder_set_member_name (builder, card->features[i]);
      json_builder_add_double_value (builder, self->contributions[i]);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "bias");
  json_builder_add_double_value (builder, self->contributions[card->n_features]);
  json_builder_set_member_name (builder, "not_for_clinical_use");
  json_builder_add_boolean_value (builder, card->not_for_clinical_use);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (self->generator, root);
  return json_generator_to_data (self->generator, NULL);
}

static void
clear_row (ScoreModel *self)
{
  guint n = ward_model_get_n_features (self->model);

  for (guint i = 0; i < n; i++)
    self->row[i] = NAN;
}

/* JSON lines: one object of {feature: number or null} per line. */
static char *
score_json_line (ScoreModel  *self,
                 const char  *line,
                 gssize       length,
                 GError     **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  JsonNode *root;
  JsonObject *object;

  if ((gsize) length != strlen (line) || !g_utf8_validate (line, length, NULL))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "not valid JSON: not UTF-8 text");
      return NULL;
    }
  if (!json_parser_load_from_data (self->parser, line, length, error))
    {
      g_prefix_error (error, "not valid JSON: ");
      return NULL;
    }
  root = json_parser_get_root (self->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "expected a JSON object of feature values");
      return NULL;
    }
  object = json_node_get_object (root);

  clear_row (self);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &value))
    {
      guint position = GPOINTER_TO_UINT (g_hash_table_lookup (self->index, name));
      GType type;

      if (position == 0)
        {
          if (!is_identifier (name))
            warn_unknown (self, name);
          continue;
        }

      if (JSON_NODE_HOLDS_NULL (value))
        continue;

      type = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_INVALID;
      if (type == G_TYPE_BOOLEAN)
        self->row[position - 1] = json_node_get_boolean (value) ? 1 : 0;
      else if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
        self->row[position - 1] = json_node_get_double (value);
      else
        {
          g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                       "%s: expected a number, true, false or null", name);
          return NULL;
        }
    }

  return score_row (self, json_object_get_member (object, "patient_id"),
                    json_object_get_member (object, "window_end"), error);
}

/* Splits one CSV line (RFC 4180 quoting within the line). */
static GPtrArray *
split_csv (const char  *line,
           GError     **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = line;

  for (;;)
    {
      g_string_truncate (field, 0);
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                               "field %u: unterminated quotes", fields->len + 1);
                  return NULL;
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p++);
            }
          if (*p != ',' && *p != '\0')
            {
              g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                           "field %u: text after the closing quote", fields->len + 1);
              return NULL;
            }
        }
      else
        {
          while (*p != ',' && *p != '\0')
            g_string_append_c (field, *p++);
        }

      g_ptr_array_add (fields, g_strdup (field->str));
      if (*p == '\0')
        break;
      p++;   /* the comma */
    }

  return g_steal_pointer (&fields);
}

/* A CSV value: empty means missing; numbers in C locale; true and false
 * as 1 and 0.
 */
static gboolean
parse_csv_value (const char  *text,
                 const char  *name,
                 double      *value,
                 GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;

  if (stripped[0] == '\0')
    {
      *value = NAN;
      return TRUE;
    }
  if (g_ascii_strcasecmp (stripped, "true") == 0)
    {
      *value = 1;
      return TRUE;
    }
  if (g_ascii_strcasecmp (stripped, "false") == 0)
    {
      *value = 0;
      return TRUE;
    }

  errno = 0;
  *value = g_ascii_strtod (stripped, &end);
  if (end == stripped || *end != '\0' || errno == ERANGE)
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "%s: “%s” is not a number", name, stripped);
      return FALSE;
    }

  return TRUE;
}

static JsonNode *
csv_identifier (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static char *
score_csv_line (ScoreModel  *self,
                GStrv        header,
                const char  *line,
                gssize       length,
                GError     **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(JsonNode) patient_id = NULL;
  g_autoptr(JsonNode) window_end = NULL;
  guint n_columns = g_strv_length (header);

  if ((gsize) length != strlen (line) || !g_utf8_validate (line, length, NULL))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT, "not UTF-8 text");
      return NULL;
    }

  fields = split_csv (line, error);
  if (fields == NULL)
    return NULL;
  if (fields->len != n_columns)
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "%u fields, but the header names %u columns", fields->len, n_columns);
      return NULL;
    }

  clear_row (self);
  for (guint c = 0; c < n_columns; c++)
    {
      guint position = GPOINTER_TO_UINT (g_hash_table_lookup (self->index, header[c]));
      const char *text = g_ptr_array_index (fields, c);

      if (g_str_equal (header[c], "patient_id"))
        patient_id = csv_identifier (text);
      else if (g_str_equal (header[c], "window_end"))
        window_end = csv_identifier (text);
      else if (position != 0 &&
               !parse_csv_value (text, header[c], &self->row[position - 1], error))
        return NULL;
    }

  return score_row (self, patient_id, window_end, error);
}

/* Reads the header; every feature of the model must have a column, or
 * every row would silently score with it missing.
 */
static GStrv
read_csv_header (ScoreModel  *self,
                 const char  *line,
                 GError     **error)
{
  const WardModelCard *card = ward_model_get_card (self->model);
  g_autoptr(GPtrArray) fields = split_csv (line, error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) absent = g_string_new (NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (fields == NULL)
    return NULL;

  for (guint c = 0; c < fields->len; c++)
    {
      char *name = g_strstrip ((char *) g_ptr_array_index (fields, c));

      if (!g_hash_table_add (seen, name))
        {
          g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                       "the header names “%s” twice", name);
          return NULL;
        }
      if (!g_hash_table_contains (self->index, name) && !is_identifier (name))
        warn_unknown (self, name);
      g_strv_builder_add (builder, name);
    }

  for (guint i = 0; i < card->n_features; i++)
    if (!g_hash_table_contains (seen, card->features[i]))
      g_string_append_printf (absent, "%s%s", absent->len > 0 ? ", " : "", card->features[i]);

  if (absent->len > 0)
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "the header lacks the model's features %s", absent->str);
      return NULL;
    }

  return g_strv_builder_end (builder);
}

int
ward_cli_score_model (const char *model_path,
                      gboolean    csv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardModel) model = NULL;
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(GHashTable) warned = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree double *row = NULL;
  g_autofree double *contributions = NULL;
  g_auto(GStrv) header = NULL;
  g_autofree char *line = NULL;
  const WardModelCard *card;
  ScoreModel self;
  size_t capacity = 0;
  ssize_t length;
  guint64 line_number = 0;
  gboolean any_failed = FALSE;

  model = ward_model_load (model_path, &error);
  if (model == NULL)
    {
      g_printerr ("%s: the model is refused: %s\n", g_get_prgname (), error->message);
      return 1;
    }

  card = ward_model_get_card (model);
  index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < card->n_features; i++)
    g_hash_table_insert (index, card->features[i], GUINT_TO_POINTER (i + 1));
  warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  parser = json_parser_new ();
  generator = json_generator_new ();
  row = g_new (double, card->n_features);
  contributions = g_new (double, card->n_features + 1);

  self = (ScoreModel) {
    .model = model, .parser = parser, .generator = generator, .index = index,
    .warned = warned, .row = row, .contributions = contributions,
  };

  if (card->not_for_clinical_use)
    g_printerr ("%s: %s %s: %s\n", g_get_prgname (), card->name, card->version, card->notice);

  while ((length = getline (&line, &capacity, stdin)) != -1)
    {
      g_autoptr(GError) line_error = NULL;
      g_autofree char *json = NULL;

      line_number++;

      while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
        line[--length] = '\0';

      if ((gsize) length == strlen (line) && ward_cli_is_blank (line))
        continue;

      if (csv && header == NULL)
        {
          header = read_csv_header (&self, line, &error);
          if (header == NULL)
            {
              g_printerr ("%s: line %" G_GUINT64_FORMAT ": %s\n", g_get_prgname (),
                          line_number, error->message);
              return 1;
            }
          continue;
        }

      if (csv)
        json = score_csv_line (&self, header, line, length, &line_error);
      else
        json = score_json_line (&self, line, length, &line_error);

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

  if (csv && header == NULL)
    {
      g_printerr ("%s: no CSV header on standard input\n", g_get_prgname ());
      return 1;
    }

  return any_failed ? 1 : 0;
}
