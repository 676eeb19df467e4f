/* ward-fhir-shared-json.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sharing layer's JSON: reading the resources and Bundles a server
 * sends, the versions, and the station and write id in meta.source.
 */

#define G_LOG_DOMAIN "ward-fhir-shared"

#include "config.h"

#include <string.h>

#include "ward-fhir-shared.h"
#include "ward-fhir-shared-private.h"

JsonObject *
_ward_fhir_shared_parse_object (const char  *text,
                                gsize        length,
                                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, length, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "not a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* A member that holds an object (or array), else NULL: what a server
 * sends is not trusted to have the right shape.
 */
JsonObject *
_ward_fhir_shared_object_member (JsonObject *object,
                                 const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
_ward_fhir_shared_array_member (JsonObject *object,
                                const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
_ward_fhir_shared_array_object (JsonArray *array,
                                guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
_ward_fhir_shared_string_member (JsonObject *object,
                                 const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

char *
_ward_fhir_shared_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

const char *
_ward_fhir_shared_meta_string (JsonObject *resource,
                               const char *member)
{
  return _ward_fhir_shared_string_member (_ward_fhir_shared_object_member (resource, "meta"), member);
}

/* The server's versionId is an id; where both are integers (every server
 * we know) a lower one is an older copy seen late.
 */
gboolean
_ward_fhir_shared_version_is_newer (const char *version,
                                    const char *known)
{
  guint64 v, k;

  if (known == NULL)
    return TRUE;
  if (g_ascii_string_to_unsigned (version, 10, 0, G_MAXUINT64, &v, NULL) &&
      g_ascii_string_to_unsigned (known, 10, 0, G_MAXUINT64, &k, NULL))
    return v > k;

  return g_strcmp0 (version, known) != 0;
}

static char *
source_part (JsonObject *resource,
             gboolean    want_write_id)
{
  const char *source = _ward_fhir_shared_meta_string (resource, "source");
  const char *rest;
  const char *hash;

  if (source == NULL || !g_str_has_prefix (source, WARD_FHIR_SHARED_SOURCE_PREFIX))
    return NULL;

  rest = source + strlen (WARD_FHIR_SHARED_SOURCE_PREFIX);
  hash = strchr (rest, '#');
  if (want_write_id)
    return hash != NULL && hash[1] != '\0' ? g_strdup (hash + 1) : NULL;

  {
    g_autofree char *escaped = hash != NULL ? g_strndup (rest, hash - rest) : g_strdup (rest);

    return g_uri_unescape_string (escaped, NULL);
  }
}

char *
ward_fhir_shared_dup_station (JsonObject *resource)
{
  g_return_val_if_fail (resource != NULL, NULL);

  return source_part (resource, FALSE);
}

char *
ward_fhir_shared_dup_write_id (JsonObject *resource)
{
  g_return_val_if_fail (resource != NULL, NULL);

  return source_part (resource, TRUE);
}
