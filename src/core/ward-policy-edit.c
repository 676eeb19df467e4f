/* ward-policy-edit.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-policy-edit"

#include "config.h"

#include "ward-policy-edit.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ward-engine.h"
#include "ward-policy.h"

gboolean
ward_policy_edit_read (const char         *path,
                       WardPolicyNumbers  *numbers,
                       GError            **error)
{
  WardEngineConfig config;

  g_return_val_if_fail (numbers != NULL, FALSE);

  ward_engine_config_init (&config);
  if (path != NULL && !ward_policy_load_file (path, &config, error))
    return FALSE;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    numbers->validity_minutes[p] = config.window.validity_usec[p] / (double) WARD_USEC_PER_MINUTE;
  numbers->manual_timeout_minutes = config.window.manual_timeout_usec /
                                    (double) WARD_USEC_PER_MINUTE;
  numbers->flag_threshold = config.flags.threshold;
  numbers->open_delay_seconds = config.flags.open_delay_usec / (double) WARD_USEC_PER_SEC;
  numbers->close_delay_seconds = config.flags.close_delay_usec / (double) WARD_USEC_PER_SEC;

  return TRUE;
}

/* The member object name of object, made when missing or not an object. */
static JsonObject *
ensure_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_object_member (object, name, json_object_new ());

  return json_object_get_object_member (object, name);
}

/* Whole numbers stay integers in the file, as people write them. */
static void
set_number (JsonObject *object,
            const char *name,
            double      value)
{
  if (value == (double) (gint64) value)
    json_object_set_int_member (object, name, (gint64) value);
  else
    json_object_set_double_member (object, name, value);
}

static JsonNode *
load_source (const char  *source,
             GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;

  if (source == NULL)
    {
      JsonNode *root = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (root, json_object_new ());
      return root;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_mapped_file (parser, source, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_PARSE,
                   _("%s: a ward policy is a JSON object"), source);
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

gboolean
ward_policy_edit_save (const char               *source,
                       const char               *dest,
                       const WardPolicyNumbers  *numbers,
                       GError                  **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  g_autofree char *folder = NULL;
  WardEngineConfig check;
  JsonObject *object;
  JsonObject *validity;
  JsonObject *flag;

  g_return_val_if_fail (dest != NULL, FALSE);
  g_return_val_if_fail (numbers != NULL, FALSE);

  root = load_source (source, error);
  if (root == NULL)
    return FALSE;
  object = json_node_get_object (root);

  validity = ensure_object (object, "validity_minutes");
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    set_number (validity, ward_news2_param_to_string (p), numbers->validity_minutes[p]);
  set_number (object, "manual_data_timeout_minutes", numbers->manual_timeout_minutes);

  flag = ensure_object (object, "flag");
  json_object_set_string_member (flag, "threshold", ward_band_to_string (numbers->flag_threshold));
  set_number (flag, "open_delay_seconds", numbers->open_delay_seconds);
  set_number (flag, "close_delay_seconds", numbers->close_delay_seconds);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  /* The reader the pipeline uses decides: what it refuses is not written. */
  ward_engine_config_init (&check);
  if (!ward_policy_load_data (text, -1, dest, &check, error))
    return FALSE;

  folder = g_path_get_dirname (dest);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot make the folder %s: %s"), folder, g_strerror (saved_errno));
      return FALSE;
    }

  return g_file_set_contents_full (dest, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

char *
ward_policy_edit_describe_care (const char  *path,
                                GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) line = NULL;
  JsonObject *care;
  JsonArray *chain = NULL;
  guint n_rules = 0;

  if (path == NULL)
    return NULL;

  root = load_source (path, error);
  if (root == NULL)
    return NULL;
  if (!json_object_has_member (json_node_get_object (root), "care") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "care")))
    return NULL;

  care = json_object_get_object_member (json_node_get_object (root), "care");
  if (json_object_has_member (care, "escalation") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (care, "escalation")))
    chain = json_object_get_array_member (care, "escalation");
  if (json_object_has_member (care, "routing") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (care, "routing")))
    n_rules = json_array_get_length (json_object_get_array_member (care, "routing"));

  line = g_string_new (NULL);
  for (guint i = 0; chain != NULL && i < json_array_get_length (chain); i++)
    {
      const char *role = json_node_get_string (json_array_get_element (chain, i));

      if (role == NULL)
        continue;
      if (line->len > 0)
        g_string_append (line, " → ");
      g_string_append (line, role);
    }
  if (line->len > 0)
    g_string_append (line, "; ");
  g_string_append_printf (line,
                          g_dngettext (GETTEXT_PACKAGE, "%u routing rule", "%u routing rules",
                                       n_rules),
                          n_rules);

  return g_string_free (g_steal_pointer (&line), FALSE);
}
