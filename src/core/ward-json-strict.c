/* ward-json-strict.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-json-strict.h"

gboolean
ward_json_strict_fail (GError     **error,
                       GQuark       domain,
                       int          code,
                       const char  *origin,
                       const char  *format,
                       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, domain, code, "%s: %s", origin, message);
  return FALSE;
}

gboolean
ward_json_strict_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

const char *
ward_json_strict_get_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gboolean
ward_json_strict_read_object (const WardJsonStrictContext  *context,
                              JsonNode                     *node,
                              const char                   *path,
                              const char * const           *keys,
                              WardJsonStrictMemberFunc      func,
                              gpointer                      user_data,
                              GError                      **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return ward_json_strict_fail (error, context->domain, context->code, context->origin,
                                  "%s: expected an object", path);

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      g_autofree char *member_path = g_strdup_printf ("%s.%s", path, key);

      if (!g_strv_contains (keys, key))
        {
          g_autofree char *known = g_strjoinv (", ", (char **) keys);

          return ward_json_strict_fail (error, context->domain, context->code, context->origin,
                                        "%s: unknown key (%s)", member_path, known);
        }

      if (!func (context, key, member_path, json_object_get_member (object, key), user_data,
                 error))
        return FALSE;
    }

  return TRUE;
}
