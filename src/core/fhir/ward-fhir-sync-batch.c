/* ward-fhir-sync-batch.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync-private.h"

#include <string.h>

/* Batch mode: the take as one batch Bundle of PUTs (after one of GETs of
 * the connector Observations to merge into), and the batch-response's
 * entries mapped back to their rows.  A Bundle the server refuses sends
 * single requests for the rest of the session.
 */

/* The batch Bundle itself was refused: single PUTs from now on in this
 * session, starting with its rows.
 */
static void
fall_back_to_single (WardFhirSync *self,
                     Request      *req,
                     char         *reason)
{
  g_message ("The FHIR server refused a batch Bundle (%s); sending single PUTs", reason);
  _ward_fhir_sync_set_last_error (self, reason);
  self->batch_allowed = FALSE;
  for (guint i = req->items->len; i > 0; i--)
    g_queue_push_head (&self->queue, g_ptr_array_steal_index (req->items, i - 1));
}

static guint
entry_status (JsonObject *entry)
{
  JsonObject *response;
  const char *text;

  if (!json_object_has_member (entry, "response") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "response")))
    return 0;
  response = json_object_get_object_member (entry, "response");
  text = json_object_get_string_member_with_default (response, "status", NULL);
  if (text == NULL)
    return 0;

  /* "201", "201 Created" */
  return (guint) MIN (g_ascii_strtoull (text, NULL, 10), 999);
}

/* A batch-response has one entry per request entry, in order: its
 * entries, or NULL.
 */
static JsonArray *
response_entries (JsonNode *root,
                  guint     n_entries)
{
  JsonObject *bundle = _ward_fhir_sync_is_resource (root) ? json_node_get_object (root) : NULL;
  JsonArray *entries;

  entries = bundle != NULL &&
            g_strcmp0 (json_object_get_string_member_with_default (bundle, "resourceType", ""),
                       "Bundle") == 0 &&
            g_strcmp0 (json_object_get_string_member_with_default (bundle, "type", ""),
                       "batch-response") == 0 &&
            json_object_has_member (bundle, "entry") &&
            JSON_NODE_HOLDS_ARRAY (json_object_get_member (bundle, "entry"))
            ? json_object_get_array_member (bundle, "entry") : NULL;

  return entries != NULL && json_array_get_length (entries) == n_entries ? entries : NULL;
}

/* An entry's resource, or NULL. */
static JsonNode *
entry_resource (JsonObject *entry)
{
  JsonNode *resource = entry != NULL ? json_object_get_member (entry, "resource") : NULL;

  return _ward_fhir_sync_is_resource (resource) ? resource : NULL;
}

static const char *
entry_etag (JsonObject *entry)
{
  JsonNode *response = json_object_get_member (entry, "response");

  if (response == NULL || !JSON_NODE_HOLDS_OBJECT (response))
    return NULL;

  return json_object_get_string_member_with_default (json_node_get_object (response), "etag", NULL);
}

/* The entries of a batch-response, one per request; or NULL when the
 * Bundle failed as a whole, after its rows were retried (transient, or
 * an answer that is not FHIR) or sent back as single requests (refused).
 */
static JsonArray *
batch_response_entries (WardFhirSync *self,
                        Request      *req,
                        guint         status,
                        JsonNode     *root)
{
  JsonArray *entries;

  if (status == SOUP_STATUS_OK && root == NULL)
    {
      _ward_fhir_sync_retry_all (self, req->items, 0,
                                 "HTTP 200 with a body that is not a FHIR Bundle");
      return NULL;
    }
  if (status != SOUP_STATUS_OK && _ward_fhir_sync_is_transient (status))
    {
      g_autofree char *reason = _ward_fhir_sync_status_reason (status, root);

      _ward_fhir_sync_retry_all (self, req->items, _ward_fhir_sync_retry_after_sec (req, status),
                                 reason);
      return NULL;
    }
  if (status != SOUP_STATUS_OK)
    {
      fall_back_to_single (self, req, _ward_fhir_sync_status_reason (status, root));
      return NULL;
    }
  entries = response_entries (root, req->items->len);
  if (entries == NULL)
    fall_back_to_single (self, req,
                         g_strdup ("HTTP 200 without a batch-response of one entry per request"));

  return entries;
}

void
_ward_fhir_sync_handle_batch (WardFhirSync *self,
                              Request      *req,
                              guint         status,
                              JsonNode     *root)
{
  JsonArray *entries = batch_response_entries (self, req, status, root);

  if (entries == NULL)
    return;

  for (guint i = 0; i < req->items->len; i++)
    {
      Item *item = g_ptr_array_index (req->items, i);
      JsonNode *node = json_array_get_element (entries, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *response = NULL;
      JsonNode *outcome = NULL;
      guint entry_st = entry != NULL ? entry_status (entry) : 0;

      if (entry_st != 0)
        {
          response = json_object_get_object_member (entry, "response");
          if (json_object_has_member (response, "outcome"))
            outcome = json_object_get_member (response, "outcome");
        }

      if (entry_st >= 200 && entry_st < 300)
        {
          if (item->merge)
            _ward_fhir_sync_remember_version (self, item,
                              _ward_fhir_sync_answer_version (entry_resource (entry),
                                                              entry_etag (entry)));
          _ward_fhir_sync_mark_sent (self, item);
        }
      else if (entry_st == STATUS_PRECONDITION_FAILED && item->merge)
        {
          /* Read, merged and written again, one by one, this cycle. */
          req->items->pdata[i] = NULL;
          if (!_ward_fhir_sync_requeue_conflict (self, item))
            _ward_fhir_sync_item_free (item);
        }
      else if (entry_st == 0 || _ward_fhir_sync_is_transient (entry_st))
        {
          g_autofree char *reason = NULL;

          reason = entry_st != 0 ? _ward_fhir_sync_status_reason (entry_st, outcome)
                                 : g_strdup ("batch entry without a status");

          _ward_fhir_sync_mark_retry (self, item, 0, reason);
        }
      else
        {
          g_autofree char *reason = _ward_fhir_sync_status_reason (entry_st, outcome);
          g_autofree char *why = _ward_fhir_sync_outcome_reason (outcome);
          g_autofree char *outcome_json = NULL;

          if (why != NULL)
            outcome_json = json_to_string (outcome, FALSE);
          _ward_fhir_sync_mark_failed (self, item, reason, outcome_json);
        }
    }
}

/* The server's copies of the Observations to merge into, read in one
 * batch Bundle: each is merged and goes back into the queue for the PUT
 * Bundle.  A Bundle refused as a whole means single requests from now
 * on, as for PUTs.
 */
void
_ward_fhir_sync_handle_read_batch (WardFhirSync *self,
                                   Request      *req,
                                   guint         status,
                                   JsonNode     *root)
{
  JsonArray *entries = batch_response_entries (self, req, status, root);

  if (entries == NULL)
    return;

  self->n_reads += req->items->len;
  for (guint i = 0; i < req->items->len; i++)
    {
      Item *item = g_ptr_array_index (req->items, i);
      JsonNode *node = json_array_get_element (entries, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *outcome = NULL;
      guint entry_st = entry != NULL ? entry_status (entry) : 0;

      /* entry_status() found a response object. */
      if (entry_st != 0)
        outcome = json_object_get_member (json_object_get_object_member (entry, "response"),
                                          "outcome");

      if (entry_st == SOUP_STATUS_OK && entry_resource (entry) != NULL &&
          _ward_fhir_sync_server_has_ours (item, entry_resource (entry)))
        {
          _ward_fhir_sync_mark_sent (self, item);
        }
      else if (entry_st == SOUP_STATUS_OK && entry_resource (entry) != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *reason = NULL;

          if (_ward_fhir_sync_merge_into (self, item, entry_resource (entry), entry_etag (entry),
                                          &error))
            {
              req->items->pdata[i] = NULL;
              g_queue_push_tail (&self->queue, item);
              continue;
            }
          reason = g_strdup_printf ("Cannot merge into the server's copy: %s", error->message);
          _ward_fhir_sync_mark_failed (self, item, reason, NULL);
        }
      else if (entry_st == SOUP_STATUS_NOT_FOUND || entry_st == SOUP_STATUS_GONE)
        {
          item->read = TRUE;
          req->items->pdata[i] = NULL;
          g_queue_push_tail (&self->queue, item);
        }
      else if (entry_st == 0 || entry_st == SOUP_STATUS_OK ||
               _ward_fhir_sync_is_transient (entry_st))
        {
          g_autofree char *reason = NULL;

          reason = entry_st == 0 ? g_strdup ("batch entry without a status")
                                 : entry_st == SOUP_STATUS_OK
                                 ? g_strdup ("batch entry 200 without a resource")
                                 : _ward_fhir_sync_status_reason (entry_st, outcome);

          _ward_fhir_sync_mark_retry (self, item, 0, reason);
        }
      else
        {
          g_autofree char *reason = _ward_fhir_sync_status_reason (entry_st, outcome);
          g_autofree char *why = _ward_fhir_sync_outcome_reason (outcome);
          g_autofree char *outcome_json = NULL;

          if (why != NULL)
            outcome_json = json_to_string (outcome, FALSE);
          _ward_fhir_sync_mark_failed (self, item, reason, outcome_json);
        }
    }
}

static char *
json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return json_to_string (node, FALSE);
}

/* A batch Bundle of GETs of the items' resources. */
GBytes *
_ward_fhir_sync_read_batch_body (GPtrArray *items)
{
  GString *str = g_string_new ("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[");

  for (guint i = 0; i < items->len; i++)
    {
      Item *item = g_ptr_array_index (items, i);
      g_autofree char *path = g_strdup_printf ("%s/%s", item->resource_type, item->id);
      g_autofree char *url_json = json_string (path);

      g_string_append_printf (str, "%s{\"request\":{\"method\":\"GET\",\"url\":%s}}",
                              i > 0 ? "," : "", url_json);
    }
  g_string_append (str, "]}");

  return g_string_free_to_bytes (str);
}

GBytes *
_ward_fhir_sync_batch_body (WardFhirSync *self,
                            GPtrArray    *items)
{
  GString *str = g_string_new ("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[");

  for (guint i = 0; i < items->len; i++)
    {
      Item *item = g_ptr_array_index (items, i);
      g_autoptr(JsonNode) url = json_node_new (JSON_NODE_VALUE);
      g_autoptr(JsonNode) full_url = json_node_new (JSON_NODE_VALUE);
      g_autofree char *path = g_strdup_printf ("%s/%s", item->resource_type, item->id);
      g_autofree char *full = g_strdup_printf ("%s/%s", self->base_url, path);
      g_autofree char *url_json = NULL;
      g_autofree char *full_url_json = NULL;

      json_node_set_string (url, path);
      json_node_set_string (full_url, full);
      url_json = json_to_string (url, FALSE);
      full_url_json = json_to_string (full_url, FALSE);
      /* The stored JSON goes in as it is: no parse and print per entry. */
      g_string_append_printf (str, "%s{\"fullUrl\":%s,\"resource\":%s,"
                              "\"request\":{\"method\":\"PUT\",\"url\":%s",
                              i > 0 ? "," : "", full_url_json, item->json, url_json);
      if (item->if_match != NULL)
        {
          g_autofree char *etag = g_strdup_printf ("W/\"%s\"", item->if_match);
          g_autofree char *etag_json = json_string (etag);

          g_string_append_printf (str, ",\"ifMatch\":%s", etag_json);
        }
      g_string_append (str, "}}");
    }
  g_string_append (str, "]}");

  return g_string_free_to_bytes (str);
}
