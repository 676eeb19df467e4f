/* ward-fhir-sync-merge.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync-private.h"

#include "ward-fhir-resources.h"

#include <string.h>

/* Connector Observations, which the IoMT connector writes too: the server's
 * version of each one written this session, its copy read and ours merged
 * into it, written with If-Match, and read and merged again after a 412.
 */

/* W/"3", "3" or 3: 3. */
static char *
version_of_etag (const char *etag)
{
  const char *p = etag;
  gsize len;

  if (p == NULL)
    return NULL;
  if (g_str_has_prefix (p, "W/"))
    p += 2;
  len = strlen (p);
  if (len >= 2 && p[0] == '"' && p[len - 1] == '"')
    return len > 2 ? g_strndup (p + 1, len - 2) : NULL;

  return len > 0 ? g_strdup (p) : NULL;
}

const char *
_ward_fhir_sync_response_etag (SoupMessage *msg)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (msg), "ETag");
}

/* meta.versionId of a resource, or NULL. */
static const char *
meta_version (JsonNode *resource)
{
  JsonNode *meta;
  JsonNode *version;

  if (resource == NULL || !JSON_NODE_HOLDS_OBJECT (resource))
    return NULL;
  meta = json_object_get_member (json_node_get_object (resource), "meta");
  if (meta == NULL || !JSON_NODE_HOLDS_OBJECT (meta))
    return NULL;
  version = json_object_get_member (json_node_get_object (meta), "versionId");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (version);
}

/* The server's version after a write or a read: the resource's
 * meta.versionId, else the ETag.
 */
char *
_ward_fhir_sync_answer_version (JsonNode   *resource,
                                const char *etag)
{
  const char *version = meta_version (resource);

  return version != NULL ? g_strdup (version) : version_of_etag (etag);
}

void
_ward_fhir_sync_remember_version (WardFhirSync *self,
                                  Item         *item,
                                  char         *version)
{
  if (version == NULL)
    {
      g_hash_table_remove (self->versions, item->id);
      return;
    }
  if (g_hash_table_size (self->versions) >= MAX_VERSIONS_KEPT &&
      !g_hash_table_contains (self->versions, item->id))
    g_hash_table_remove_all (self->versions);
  g_hash_table_replace (self->versions, g_strdup (item->id), version);
}

/* JSON equal as FHIR content: numbers by value (a server may write our
 * 37.0 as 37), objects whatever their member order.
 */
static gboolean
same_content (JsonNode *a,
              JsonNode *b)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  if (JSON_NODE_HOLDS_OBJECT (a))
    {
      JsonObject *oa = json_node_get_object (a);
      JsonObject *ob = json_node_get_object (b);
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      if (json_object_get_size (oa) != json_object_get_size (ob))
        return FALSE;
      json_object_iter_init (&iter, oa);
      while (json_object_iter_next (&iter, &name, &child))
        if (!json_object_has_member (ob, name) ||
            !same_content (child, json_object_get_member (ob, name)))
          return FALSE;
      return TRUE;
    }

  if (JSON_NODE_HOLDS_ARRAY (a))
    {
      JsonArray *aa = json_node_get_array (a);
      JsonArray *ab = json_node_get_array (b);

      if (json_array_get_length (aa) != json_array_get_length (ab))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (aa); i++)
        if (!same_content (json_array_get_element (aa, i), json_array_get_element (ab, i)))
          return FALSE;
      return TRUE;
    }

  if (JSON_NODE_HOLDS_VALUE (a))
    {
      GType ta = json_node_get_value_type (a);
      GType tb = json_node_get_value_type (b);

      if ((ta == G_TYPE_INT64 || ta == G_TYPE_DOUBLE) && (tb == G_TYPE_INT64 || tb == G_TYPE_DOUBLE))
        return json_node_get_double (a) == json_node_get_double (b);
    }

  return json_node_equal (a, b);
}

/* Whether the server's copy is ours already, apart from its meta: our
 * own earlier write, whose answer was lost (a kill before the mark was
 * stored).  Merging into it would still change it (an amendment), and
 * write a second version of what was made here once.
 */
gboolean
_ward_fhir_sync_server_has_ours (Item     *item,
                                 JsonNode *server_copy)
{
  g_autoptr(JsonNode) ours = _ward_fhir_sync_parse_json (item->local_json);
  g_autoptr(JsonNode) theirs = NULL;

  if (ours == NULL || !JSON_NODE_HOLDS_OBJECT (ours) || !JSON_NODE_HOLDS_OBJECT (server_copy))
    return FALSE;

  theirs = json_node_copy (server_copy);
  json_object_remove_member (json_node_get_object (theirs), "meta");
  json_object_remove_member (json_node_get_object (ours), "meta");
  return same_content (theirs, ours);
}

/* The server's copy read: ours merged into it, to be written with its
 * version.
 */
gboolean
_ward_fhir_sync_merge_into (WardFhirSync  *self,
                            Item          *item,
                            JsonNode      *server_copy,
                            const char    *etag,
                            GError       **error)
{
  g_autoptr(JsonNode) ours = _ward_fhir_sync_parse_json (item->local_json);
  g_autoptr(JsonNode) merged = NULL;

  if (ours == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the stored Observation is not JSON");
      return FALSE;
    }
  merged = ward_fhir_template_merge_observations (self->template, server_copy, ours, error);
  if (merged == NULL)
    return FALSE;

  g_free (item->json);
  item->json = ward_fhir_template_to_json (merged);
  g_free (item->if_match);
  item->if_match = _ward_fhir_sync_answer_version (server_copy, etag);
  item->read = TRUE;
  item->merged = TRUE;
  return TRUE;
}

/* Read again and merged again, from our stored copy. */
static void
reset_merge (Item *item)
{
  g_free (item->json);
  item->json = g_strdup (item->local_json);
  g_clear_pointer (&item->if_match, g_free);
  item->read = FALSE;
  item->merged = FALSE;
}

/* 412: another writer changed the Observation between our read and our
 * write.  It is read, merged and written again, first in the queue, up
 * to MAX_CONFLICTS times in a cycle; then it waits for a retry.  Returns
 * whether the queue took the item.
 */
gboolean
_ward_fhir_sync_requeue_conflict (WardFhirSync *self,
                                  Item         *item)
{
  self->n_conflicts++;
  g_hash_table_remove (self->versions, item->id);
  if (++item->conflicts > MAX_CONFLICTS)
    {
      g_autofree char *reason = g_strdup_printf ("HTTP 412: the Observation changed on the server "
                                                 "between our read and our write %d times",
                                                 item->conflicts);

      _ward_fhir_sync_mark_retry (self, item, 0, reason);
      return FALSE;
    }

  g_debug ("Observation %s changed on the server meanwhile: merging again", item->id);
  reset_merge (item);
  g_queue_push_head (&self->queue, item);
  return TRUE;
}

void
_ward_fhir_sync_handle_read (WardFhirSync *self,
                             Request      *req,
                             guint         status,
                             JsonNode     *root,
                             const char   *data,
                             gsize         len)
{
  g_autoptr(Item) item = g_ptr_array_steal_index (req->items, 0);

  self->n_reads++;
  if (status == SOUP_STATUS_OK && _ward_fhir_sync_is_resource (root) &&
      _ward_fhir_sync_server_has_ours (item, root))
    {
      _ward_fhir_sync_mark_sent (self, item);
    }
  else if (status == SOUP_STATUS_OK && _ward_fhir_sync_is_resource (root))
    {
      g_autoptr(GError) error = NULL;
      if (_ward_fhir_sync_merge_into (self, item, root, _ward_fhir_sync_response_etag (req->msg),
                                      &error))
        {
          _ward_fhir_sync_queue_insert (self, g_steal_pointer (&item));
          return;
        }

      {
        g_autofree char *reason = g_strdup_printf ("Cannot merge into the server's copy: %s",
                                                   error->message);

        _ward_fhir_sync_mark_failed (self, item, reason, NULL);
      }
    }
  else if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    {
      /* None on the server: ours creates it. */
      item->read = TRUE;
      _ward_fhir_sync_queue_insert (self, g_steal_pointer (&item));
    }
  else if (status == SOUP_STATUS_OK)
    {
      _ward_fhir_sync_mark_retry (self, item, 0,
                                  "HTTP 200 with a body that is not a FHIR resource");
    }
  else
    _ward_fhir_sync_retry_or_park (self, req, item, status, root, data, len);
}

/* An Observation with the connector's identifier (the vital signs the
 * FHIR destination mapping makes), which the connector writes too; not
 * what Wardwatch alone writes (the NEWS2 Observation has no such
 * identifier).  Only those that name the connector's system are parsed.
 */
gboolean
_ward_fhir_sync_is_connector_observation (WardFhirSync          *self,
                                          const WardOutboxEntry *entry)
{
  g_autoptr(JsonNode) root = NULL;

  if (g_strcmp0 (entry->resource_type, "Observation") != 0 || entry->json == NULL)
    return FALSE;
  if (g_hash_table_contains (self->versions, entry->id))
    return TRUE;
  if (strstr (entry->json, WARD_FHIR_SERVICE_SYSTEM) == NULL)
    return FALSE;

  root = _ward_fhir_sync_parse_json (entry->json);
  return root != NULL && ward_fhir_template_observation_identifier (root) != NULL;
}
