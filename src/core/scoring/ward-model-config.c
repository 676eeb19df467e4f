/* ward-model-config.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-model-config.h"

#include "ward-policy.h"

#include <string.h>

void
ward_model_spec_free (WardModelSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->card_path);
  g_free (spec);
}

GPtrArray *
ward_model_specs_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ward_model_spec_free);
}

static gboolean
mode_from_string (const char     *text,
                  WardScorerMode *mode)
{
  if (g_strcmp0 (text, "shadow") == 0)
    *mode = WARD_SCORER_MODE_SHADOW;
  else if (g_strcmp0 (text, "active") == 0)
    *mode = WARD_SCORER_MODE_ACTIVE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
ward_model_specs_parse_json (JsonNode    *node,
                             const char  *origin,
                             const char  *base_dir,
                             GPtrArray   *specs,
                             GError     **error)
{
  g_autoptr(GPtrArray) parsed = ward_model_specs_new ();
  JsonArray *array;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (origin != NULL, FALSE);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID,
                   "%s: models: expected an array of {\"card\": PATH, \"mode\": \"shadow\" or \"active\"}",
                   origin);
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(GList) members = NULL;
      g_autoptr(WardModelSpec) spec = NULL;
      JsonObject *object;
      JsonNode *card;
      JsonNode *mode;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID,
                       "%s: models[%u]: expected an object", origin, i);
          return FALSE;
        }
      object = json_node_get_object (element);
      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "card") && !g_str_equal (l->data, "mode"))
          {
            g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID,
                         "%s: models[%u].%s: unknown key (card, mode)", origin, i,
                         (const char *) l->data);
            return FALSE;
          }

      card = json_object_get_member (object, "card");
      mode = json_object_get_member (object, "mode");
      if (!is_string (card) || *json_node_get_string (card) == '\0')
        {
          g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID,
                       "%s: models[%u].card: expected the path of a model card", origin, i);
          return FALSE;
        }

      spec = g_new0 (WardModelSpec, 1);
      if (!is_string (mode) || !mode_from_string (json_node_get_string (mode), &spec->mode))
        {
          g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID,
                       "%s: models[%u].mode: expected \"shadow\" or \"active\"", origin, i);
          return FALSE;
        }

      if (g_path_is_absolute (json_node_get_string (card)) || base_dir == NULL)
        spec->card_path = g_strdup (json_node_get_string (card));
      else
        spec->card_path = g_build_filename (base_dir, json_node_get_string (card), NULL);

      g_ptr_array_add (parsed, g_steal_pointer (&spec));
    }

  if (specs != NULL)
    for (guint i = 0; i < parsed->len; i++)
      g_ptr_array_add (specs, g_steal_pointer (&g_ptr_array_index (parsed, i)));

  return TRUE;
}

gboolean
ward_model_specs_load_policy (const char  *policy_path,
                              GPtrArray   *specs,
                              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *base_dir = NULL;
  JsonNode *root;
  JsonNode *models;

  g_return_val_if_fail (policy_path != NULL, FALSE);

  if (!json_parser_load_from_file (parser, policy_path, error))
    {
      g_prefix_error (error, "Ward policy %s: ", policy_path);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_PARSE,
                   "%s: expected a JSON object", policy_path);
      return FALSE;
    }

  models = json_object_get_member (json_node_get_object (root), "models");
  if (models == NULL)
    return TRUE;

  base_dir = g_path_get_dirname (policy_path);
  return ward_model_specs_parse_json (models, policy_path, base_dir, specs, error);
}

WardModelSpec *
ward_model_spec_parse_option (const char  *option,
                              GError     **error)
{
  g_autoptr(WardModelSpec) spec = g_new0 (WardModelSpec, 1);
  const char *colon;

  g_return_val_if_fail (option != NULL, NULL);

  spec->mode = WARD_SCORER_MODE_SHADOW;
  colon = strrchr (option, ':');
  if (colon != NULL && (g_str_equal (colon + 1, "shadow") || g_str_equal (colon + 1, "active")))
    {
      mode_from_string (colon + 1, &spec->mode);
      spec->card_path = g_strndup (option, colon - option);
    }
  else
    spec->card_path = g_strdup (option);

  if (*spec->card_path == '\0')
    {
      g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID,
                   "--model=%s: expected CARD[:shadow|active]", option);
      return NULL;
    }

  return g_steal_pointer (&spec);
}
