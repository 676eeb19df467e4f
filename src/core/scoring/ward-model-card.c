/* ward-model-card.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-model"

#include "config.h"

#include "ward-model-card.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (ward-model-error-quark, ward_model_error)

const char *
ward_model_error_to_string (int code)
{
  switch (code)
    {
    case WARD_MODEL_ERROR_NOT_FOUND:
      return "not-found";
    case WARD_MODEL_ERROR_CARD_INVALID:
      return "card-invalid";
    case WARD_MODEL_ERROR_CHECKSUM:
      return "checksum";
    case WARD_MODEL_ERROR_CORRUPT:
      return "corrupt";
    case WARD_MODEL_ERROR_FEATURES:
      return "features";
    case WARD_MODEL_ERROR_OBJECTIVE:
      return "objective";
    case WARD_MODEL_ERROR_INPUT:
      return "input";
    case WARD_MODEL_ERROR_PREDICT:
      return "predict";
    default:
      return "unknown";
    }
}

void
ward_model_card_free (WardModelCard *card)
{
  if (card == NULL)
    return;

  g_free (card->name);
  g_free (card->version);
  g_free (card->model_file);
  g_free (card->sha256);
  g_strfreev (card->features);
  g_free (card->outcome_text);
  g_free (card->outcome_system);
  g_free (card->outcome_code);
  g_free (card->outcome_display);
  g_free (card->intended_use);
  g_free (card->training_data);
  g_clear_pointer (&card->validation, json_object_unref);
  g_free (card->notice);
  g_free (card);
}

static gboolean
invalid (GError     **error,
         const char  *origin,
         const char  *field,
         const char  *reason)
{
  g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CARD_INVALID,
               "%s: %s: %s", origin, field, reason);
  return FALSE;
}

/* A member that must be a non-empty string.  @field is the path for
 * messages ("outcome.text"); @object may be NULL only when @optional.
 */
static gboolean
get_string (JsonObject  *object,
            const char  *member,
            const char  *field,
            gboolean     optional,
            char       **out,
            const char  *origin,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *value;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (optional)
        return TRUE;
      return invalid (error, origin, field, "missing");
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, origin, field, "expected a string");

  value = json_node_get_string (node);
  if (value[0] == '\0')
    return invalid (error, origin, field, "empty");

  *out = g_strdup (value);
  return TRUE;
}

static gboolean
get_number (JsonObject  *object,
            const char  *member,
            const char  *field,
            double      *out,
            const char  *origin,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return invalid (error, origin, field, "missing");

  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return invalid (error, origin, field, "expected a number");

  *out = json_node_get_double (node);
  return TRUE;
}

static gboolean
get_boolean (JsonObject  *object,
             const char  *member,
             const char  *field,
             gboolean    *out,
             const char  *origin,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return invalid (error, origin, field, "missing");

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return invalid (error, origin, field, "expected true or false");

  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
is_sha256_hex (const char *text)
{
  gsize i;

  for (i = 0; text[i] != '\0'; i++)
    if (!g_ascii_isdigit (text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
      return FALSE;

  return i == 64;
}

static gboolean
parse_features (JsonObject     *object,
                WardModelCard  *card,
                const char     *origin,
                GError        **error)
{
  JsonNode *node = json_object_get_member (object, "features");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;
  guint length;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return invalid (error, origin, "features", "missing");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, origin, "features", "expected an array of feature names");

  array = json_node_get_array (node);
  length = json_array_get_length (array);
  if (length == 0)
    return invalid (error, origin, "features", "empty");

  for (guint i = 0; i < length; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *field = g_strdup_printf ("features[%u]", i);
      const char *name;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return invalid (error, origin, field, "expected a string");

      name = json_node_get_string (element);
      if (name[0] == '\0')
        return invalid (error, origin, field, "empty");
      if (!g_hash_table_add (seen, (gpointer) name))
        {
          g_autofree char *reason = g_strdup_printf ("“%s” is listed twice", name);
          return invalid (error, origin, field, reason);
        }

      g_strv_builder_add (builder, name);
    }

  card->features = g_strv_builder_end (builder);
  card->n_features = length;
  return TRUE;
}

static gboolean
parse_outcome (JsonObject     *object,
               WardModelCard  *card,
               const char     *origin,
               GError        **error)
{
  JsonNode *node = json_object_get_member (object, "outcome");
  JsonObject *outcome;
  JsonNode *coding_node;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return invalid (error, origin, "outcome", "missing");
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, origin, "outcome", "expected an object with text and an optional coding");

  outcome = json_node_get_object (node);
  if (!get_string (outcome, "text", "outcome.text", FALSE, &card->outcome_text, origin, error))
    return FALSE;

  /* As in a FHIR CodeableConcept, coding is an array; the card keeps
   * the first coding.
   */
  coding_node = json_object_get_member (outcome, "coding");
  if (coding_node != NULL && !JSON_NODE_HOLDS_NULL (coding_node))
    {
      JsonArray *codings;
      JsonNode *first;
      JsonObject *coding;

      if (!JSON_NODE_HOLDS_ARRAY (coding_node))
        return invalid (error, origin, "outcome.coding", "expected an array of codings");
      codings = json_node_get_array (coding_node);
      if (json_array_get_length (codings) == 0)
        return invalid (error, origin, "outcome.coding", "empty");
      first = json_array_get_element (codings, 0);
      if (!JSON_NODE_HOLDS_OBJECT (first))
        return invalid (error, origin, "outcome.coding[0]", "expected an object");
      coding = json_node_get_object (first);

      if (!get_string (coding, "system", "outcome.coding[0].system", FALSE,
                       &card->outcome_system, origin, error) ||
          !get_string (coding, "code", "outcome.coding[0].code", FALSE,
                       &card->outcome_code, origin, error) ||
          !get_string (coding, "display", "outcome.coding[0].display", TRUE,
                       &card->outcome_display, origin, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse_flag_policy (JsonObject     *object,
                   WardModelCard  *card,
                   const char     *origin,
                   GError        **error)
{
  JsonNode *node = json_object_get_member (object, "flag_policy");
  JsonObject *policy;

  card->may_flag = FALSE;
  card->flag_probability = NAN;
  card->flag_hysteresis = -1;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, origin, "flag_policy", "expected an object");

  policy = json_node_get_object (node);
  if (!get_boolean (policy, "may_flag", "flag_policy.may_flag", &card->may_flag, origin, error))
    return FALSE;

  if (!card->may_flag)
    return TRUE;

  if (!get_number (policy, "probability", "flag_policy.probability",
                   &card->flag_probability, origin, error))
    return FALSE;
  if (!(card->flag_probability > 0 && card->flag_probability < 1))
    return invalid (error, origin, "flag_policy.probability", "expected a number between 0 and 1");

  /* Optional: how far below the probability the risk must fall before
   * an open flag starts to close, so that a risk wavering around the
   * threshold keeps one flag.
   */
  card->flag_hysteresis = -1;
  if (json_object_has_member (policy, "hysteresis"))
    {
      if (!get_number (policy, "hysteresis", "flag_policy.hysteresis",
                       &card->flag_hysteresis, origin, error))
        return FALSE;
      if (!(card->flag_hysteresis >= 0 && card->flag_hysteresis < card->flag_probability))
        return invalid (error, origin, "flag_policy.hysteresis",
                        "expected a number from 0 up to the flag probability");
    }

  return TRUE;
}

WardModelCard *
ward_model_card_parse (const char  *data,
                       gssize       length,
                       const char  *origin,
                       GError     **error)
{
  g_autoptr(WardModelCard) card = g_new0 (WardModelCard, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *root;
  JsonNode *validation;
  double horizon;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (origin != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);

  if (!g_utf8_validate (data, length, NULL) ||
      !json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CARD_INVALID,
                   "%s: not a JSON model card: %s", origin,
                   local_error != NULL ? local_error->message : "not UTF-8 text");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CARD_INVALID,
                   "%s: not a JSON model card: expected a JSON object", origin);
      return NULL;
    }
  object = json_node_get_object (root);

  if (!get_string (object, "name", "name", FALSE, &card->name, origin, error) ||
      !get_string (object, "version", "version", FALSE, &card->version, origin, error) ||
      !get_string (object, "model_file", "model_file", FALSE, &card->model_file, origin, error) ||
      !get_string (object, "sha256", "sha256", FALSE, &card->sha256, origin, error))
    return NULL;

  /* The model sits beside its card: a path elsewhere would let a card
   * vouch for a file nobody reviewed with it.
   */
  if (strchr (card->model_file, '/') != NULL || g_str_equal (card->model_file, ".") ||
      g_str_equal (card->model_file, ".."))
    {
      invalid (error, origin, "model_file", "expected a file name in the card's directory, not a path");
      return NULL;
    }
  if (!g_str_has_suffix (card->model_file, ".json") && !g_str_has_suffix (card->model_file, ".ubj"))
    {
      invalid (error, origin, "model_file", "expected an XGBoost model file ending in .json or .ubj");
      return NULL;
    }
  if (!is_sha256_hex (card->sha256))
    {
      invalid (error, origin, "sha256", "expected 64 lower-case hexadecimal digits");
      return NULL;
    }

  if (!parse_features (object, card, origin, error) ||
      !parse_outcome (object, card, origin, error) ||
      !get_number (object, "horizon_minutes", "horizon_minutes", &horizon, origin, error))
    return NULL;
  if (!(horizon >= 1 && horizon <= 60 * 24 * 30) || horizon != floor (horizon))
    {
      invalid (error, origin, "horizon_minutes", "expected a whole number of minutes, 1 to 43200");
      return NULL;
    }
  card->horizon_minutes = (gint64) horizon;

  if (!get_string (object, "intended_use", "intended_use", FALSE, &card->intended_use, origin, error) ||
      !get_string (object, "training_data", "training_data", FALSE, &card->training_data, origin, error))
    return NULL;

  validation = json_object_get_member (object, "validation");
  if (validation == NULL || JSON_NODE_HOLDS_NULL (validation))
    {
      invalid (error, origin, "validation", "missing");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (validation) ||
      json_object_get_size (json_node_get_object (validation)) == 0)
    {
      invalid (error, origin, "validation", "expected an object of validation figures");
      return NULL;
    }
  card->validation = json_object_ref (json_node_get_object (validation));

  if (!get_boolean (object, "not_for_clinical_use", "not_for_clinical_use",
                    &card->not_for_clinical_use, origin, error) ||
      !get_string (object, "notice", "notice", FALSE, &card->notice, origin, error) ||
      !parse_flag_policy (object, card, origin, error))
    return NULL;

  return g_steal_pointer (&card);
}

WardModelCard *
ward_model_card_load (const char  *path,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_NOT_FOUND,
                   "Cannot read the model card: %s", local_error->message);
      return NULL;
    }

  return ward_model_card_parse (data, length, path, error);
}
