/* ward-fhir-sync-request.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync-private.h"

#include <string.h>

/* Requests and their answers: a token first when there is
 * authentication, and each answer handed to what it is an answer to (the
 * CapabilityStatement, the Device, a single PUT or GET, a batch Bundle).
 * A request is in flight (self->in_flight) from its start to its answer.
 */

/* The answer came (or the request failed, or was never sent). */
void
_ward_fhir_sync_request_done (Request *req)
{
  if (req->self != NULL)
    g_ptr_array_remove_fast (req->self->in_flight, req);
}

void
_ward_fhir_sync_request_free (Request *req)
{
  _ward_fhir_sync_request_done (req);
  g_clear_object (&req->self);
  g_clear_pointer (&req->items, g_ptr_array_unref);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_object (&req->msg);
  g_free (req);
}

Request *
_ward_fhir_sync_request_new (WardFhirSync *self,
                             RequestKind   kind)
{
  Request *req = g_new0 (Request, 1);

  req->self = g_object_ref (self);
  req->kind = kind;
  req->items = g_ptr_array_new_with_free_func ((GDestroyNotify) _ward_fhir_sync_item_free);
  return req;
}

static gint64
parse_retry_after (SoupMessage *msg)
{
  const char *value;
  char *end = NULL;
  gint64 seconds;

  value = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  if (value == NULL)
    return 0;

  seconds = g_ascii_strtoll (value, &end, 10);
  if (end != value && *end == '\0')
    return CLAMP (seconds, 0, 3600);

  {
    g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    if (when != NULL)
      return CLAMP (g_date_time_difference (when, now) / G_USEC_PER_SEC, 0, 3600);
  }

  return 0;
}

/* The reason from an OperationOutcome: its first issue's diagnostics or
 * details.text.
 */
char *
_ward_fhir_sync_outcome_reason (JsonNode *root)
{
  JsonObject *obj;
  JsonArray *issues;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (obj, "resourceType", ""),
                 "OperationOutcome") != 0)
    return NULL;
  issues = json_object_get_array_member (obj, "issue");
  for (guint i = 0; issues != NULL && i < json_array_get_length (issues); i++)
    {
      JsonNode *node = json_array_get_element (issues, i);
      JsonObject *issue;
      const char *text;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      issue = json_node_get_object (node);
      text = json_object_get_string_member_with_default (issue, "diagnostics", NULL);
      if (text == NULL && json_object_has_member (issue, "details") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (issue, "details")))
        text = json_object_get_string_member_with_default (json_object_get_object_member (issue,
                                                                                          "details"),
                                                           "text", NULL);
      if (text != NULL)
        return g_strdup (text);
    }

  return NULL;
}

gboolean
_ward_fhir_sync_is_transient (guint status)
{
  return status == SOUP_STATUS_REQUEST_TIMEOUT || status == STATUS_TOO_MANY_REQUESTS ||
         status == SOUP_STATUS_UNAUTHORIZED || status >= 500 || status < 400;
}

char *
_ward_fhir_sync_status_reason (guint     status,
                               JsonNode *outcome)
{
  g_autofree char *why = _ward_fhir_sync_outcome_reason (outcome);

  return why != NULL ? g_strdup_printf ("HTTP %u: %s", status, why)
                     : g_strdup_printf ("HTTP %u", status);
}

gboolean
_ward_fhir_sync_is_resource (JsonNode *root)
{
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
         json_object_has_member (json_node_get_object (root), "resourceType");
}

static void
handle_metadata (WardFhirSync *self,
                 guint         status,
                 JsonNode     *root)
{
  JsonObject *statement;
  JsonArray *rest;

  self->caps_tried = TRUE;
  if (status != SOUP_STATUS_OK || !_ward_fhir_sync_is_resource (root))
    {
      /* No CapabilityStatement: single PUTs this cycle.  A server that
       * said no is not asked again this session; one that failed is,
       * next cycle.
       */
      if (!_ward_fhir_sync_is_transient (status))
        self->caps_known = TRUE;
      g_debug ("No CapabilityStatement (HTTP %u): single PUTs", status);
      return;
    }

  statement = json_node_get_object (root);
  self->caps_known = TRUE;
  self->batch_allowed = FALSE;
  rest = json_object_has_member (statement, "rest") &&
         JSON_NODE_HOLDS_ARRAY (json_object_get_member (statement, "rest"))
         ? json_object_get_array_member (statement, "rest") : NULL;
  for (guint i = 0; rest != NULL && i < json_array_get_length (rest); i++)
    {
      JsonNode *node = json_array_get_element (rest, i);
      JsonArray *interactions;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node),
                                                                 "mode", "server"),
                     "server") != 0 ||
          !json_object_has_member (json_node_get_object (node), "interaction") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (node),
                                                          "interaction")))
        continue;
      interactions = json_object_get_array_member (json_node_get_object (node), "interaction");
      for (guint j = 0; j < json_array_get_length (interactions); j++)
        {
          JsonNode *inode = json_array_get_element (interactions, j);

          if (JSON_NODE_HOLDS_OBJECT (inode) &&
              g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (inode),
                                                                     "code", ""),
                         "batch") == 0)
            self->batch_allowed = TRUE;
        }
    }
  g_debug ("The FHIR server %s batch Bundles",
           self->batch_allowed ? "offers" : "does not offer");
}

static void
handle_device (WardFhirSync *self,
               Request      *req,
               guint         status,
               JsonNode     *root)
{
  Item *item = g_ptr_array_index (req->items, 0);

  if ((status == SOUP_STATUS_OK || status == SOUP_STATUS_CREATED) &&
      _ward_fhir_sync_is_resource (root))
    {
      self->device_done = TRUE;
      self->device_version = item->version;
      self->setup_attempts = 0;
      g_debug ("Wardwatch Device registered on the FHIR server");
    }
  else if (_ward_fhir_sync_is_transient (status))
    {
      _ward_fhir_sync_setup_failed (self, _ward_fhir_sync_status_reason (status, root));
    }
  else
    {
      /* Refused: its outbox row will be parked with the reason when it
       * is sent in turn; the rest goes on.
       */
      self->device_done = TRUE;
      _ward_fhir_sync_set_last_error (self, _ward_fhir_sync_status_reason (status, root));
      g_message ("The FHIR server refused Wardwatch's Device; sending the rest anyway");
    }
}

/* Seconds the server asked to wait (Retry-After on 429 and 503), or 0. */
gint64
_ward_fhir_sync_retry_after_sec (Request *req,
                                 guint    status)
{
  if (status == STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    return parse_retry_after (req->msg);

  return 0;
}

/* An answer for one row that is neither success nor a conflict: a
 * transient one is retried, any other parks the row with the server's
 * OperationOutcome.
 */
void
_ward_fhir_sync_retry_or_park (WardFhirSync *self,
                               Request      *req,
                               Item         *item,
                               guint         status,
                               JsonNode     *root,
                               const char   *data,
                               gsize         len)
{
  g_autofree char *reason = _ward_fhir_sync_status_reason (status, root);

  if (_ward_fhir_sync_is_transient (status))
    {
      _ward_fhir_sync_mark_retry (self, item, _ward_fhir_sync_retry_after_sec (req, status),
                                  reason);
    }
  else
    {
      g_autofree char *why = _ward_fhir_sync_outcome_reason (root);
      g_autofree char *outcome_json = NULL;

      if (why != NULL)
        outcome_json = g_strndup (data, len);
      _ward_fhir_sync_mark_failed (self, item, reason, outcome_json);
    }
}

static void
handle_single (WardFhirSync *self,
               Request      *req,
               guint         status,
               JsonNode     *root,
               const char   *data,
               gsize         len)
{
  Item *item = g_ptr_array_index (req->items, 0);

  if (status == SOUP_STATUS_OK || status == SOUP_STATUS_CREATED)
    {
      /* Anything but a resource is not an answer to trust. */
      if (_ward_fhir_sync_is_resource (root))
        {
          if (item->merge)
            {
              const char *etag = _ward_fhir_sync_response_etag (req->msg);

              _ward_fhir_sync_remember_version (self, item,
                                                _ward_fhir_sync_answer_version (root, etag));
            }
          _ward_fhir_sync_mark_sent (self, item);
        }
      else
        {
          g_autofree char *reason = NULL;

          reason = g_strdup_printf ("HTTP %u with a body that is not a FHIR resource", status);
          _ward_fhir_sync_mark_retry (self, item, 0, reason);
        }
    }
  else if (status == STATUS_PRECONDITION_FAILED && item->merge)
    {
      g_ptr_array_steal_index (req->items, 0);
      if (!_ward_fhir_sync_requeue_conflict (self, item))
        _ward_fhir_sync_item_free (item);
    }
  else
    _ward_fhir_sync_retry_or_park (self, req, item, status, root, data, len);
}

static void
response_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Request) req = user_data;
  WardFhirSync *self = req->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root = NULL;
  guint status;
  gsize len = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  /* Out of flight before anything else: what waited for it may go. */
  _ward_fhir_sync_request_done (req);
  if (bytes == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (self->in_flight->len == 0)
            _ward_fhir_sync_abandon_cycle (self);
          return;
        }
      reason = g_strdup_printf ("network: %s", error->message);
      switch (req->kind)
        {
        case REQUEST_METADATA:
          self->caps_tried = TRUE;
          break;
        case REQUEST_DEVICE:
          _ward_fhir_sync_setup_failed (self, g_steal_pointer (&reason));
          _ward_fhir_sync_finish_cycle (self);
          return;
        case REQUEST_SINGLE:
        case REQUEST_BATCH:
        case REQUEST_READ:
        case REQUEST_READ_BATCH:
          _ward_fhir_sync_retry_all (self, req->items, 0, reason);
          break;
        default:
          g_assert_not_reached ();
        }
      _ward_fhir_sync_advance (self);
      return;
    }

  status = soup_message_get_status (req->msg);
  data = g_bytes_get_data (bytes, &len);
  parser = json_parser_new ();
  if (len > 0 && json_parser_load_from_data (parser, data, (gssize) len, NULL))
    root = json_parser_get_root (parser);

  if (status == SOUP_STATUS_UNAUTHORIZED && self->auth != NULL && !req->reauthenticated &&
      ward_fhir_auth_get_mode (self->auth) == WARD_FHIR_AUTH_SMART)
    {
      /* The token was revoked or has expired early: authenticate again
       * and send this request once more.
       */
      g_debug ("HTTP 401: authenticating again");
      ward_fhir_auth_invalidate (self->auth);
      req->reauthenticated = TRUE;
      g_clear_object (&req->msg);
      _ward_fhir_sync_start_request (self, g_steal_pointer (&req));
      return;
    }

  switch (req->kind)
    {
    case REQUEST_METADATA:
      handle_metadata (self, status, root);
      break;
    case REQUEST_DEVICE:
      handle_device (self, req, status, root);
      if (!self->device_done)
        {
          _ward_fhir_sync_finish_cycle (self);
          return;
        }
      break;
    case REQUEST_SINGLE:
      handle_single (self, req, status, root, data, len);
      break;
    case REQUEST_BATCH:
      _ward_fhir_sync_handle_batch (self, req, status, root);
      break;
    case REQUEST_READ:
      _ward_fhir_sync_handle_read (self, req, status, root, data, len);
      break;
    case REQUEST_READ_BATCH:
      _ward_fhir_sync_handle_read_batch (self, req, status, root);
      break;
    default:
      g_assert_not_reached ();
    }

  if (req->kind == REQUEST_BATCH || self->marks->len >= MARKS_PER_FLUSH)
    _ward_fhir_sync_flush_marks (self);
  _ward_fhir_sync_advance (self);
}

static void
send_request (WardFhirSync *self,
              Request      *req,
              const char   *access_token)
{
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;
  const char *method = SOUP_METHOD_PUT;

  if (req->kind == REQUEST_METADATA)
    {
      url = g_strconcat (self->base_url, "/metadata", NULL);
      method = SOUP_METHOD_GET;
    }
  else if (req->kind == REQUEST_BATCH || req->kind == REQUEST_READ_BATCH)
    {
      url = g_strdup (self->base_url);
      method = SOUP_METHOD_POST;
    }
  else
    {
      Item *item = g_ptr_array_index (req->items, 0);
      g_autofree char *type_escaped = g_uri_escape_string (item->resource_type, NULL, FALSE);
      g_autofree char *id_escaped = g_uri_escape_string (item->id, NULL, FALSE);

      url = g_strdup_printf ("%s/%s/%s", self->base_url, type_escaped, id_escaped);
      if (req->kind == REQUEST_READ)
        method = SOUP_METHOD_GET;
    }

  req->msg = soup_message_new (method, url);
  if (req->msg == NULL)
    {
      g_autoptr(Request) bad = req;

      /* A URL that does not parse never will: nothing is marked, the
       * rows stay pending for a corrected --fhir-url.
       */
      _ward_fhir_sync_set_last_error (self, g_strdup ("Invalid FHIR server URL"));
      g_critical ("FHIR sync: the server URL is not valid");
      _ward_fhir_sync_request_done (bad);
      _ward_fhir_sync_finish_cycle (self);
      return;
    }
  headers = soup_message_get_request_headers (req->msg);
  soup_message_headers_replace (headers, "Accept", "application/fhir+json");
  if (access_token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", access_token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  else if (self->authorization != NULL)
    {
      soup_message_headers_replace (headers, "Authorization", self->authorization);
    }
  if (req->kind == REQUEST_SINGLE)
    {
      Item *item = g_ptr_array_index (req->items, 0);

      if (item->if_match != NULL)
        {
          g_autofree char *if_match = g_strdup_printf ("W/\"%s\"", item->if_match);

          soup_message_headers_replace (headers, "If-Match", if_match);
        }
    }
  if (req->body != NULL)
    soup_message_set_request_body_from_bytes (req->msg, "application/fhir+json", req->body);

  soup_session_send_and_read_async (self->session, req->msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, response_cb, req);
}

/* A failed authentication: the rows are retried later (with their
 * backoff, so that a wrong client id does not hammer the token endpoint).
 */
static void
auth_failed (WardFhirSync *self,
             Request      *req,
             const GError *error)
{
  g_autofree char *reason = g_strdup_printf ("authentication: %s", error->message);

  switch (req->kind)
    {
    case REQUEST_METADATA:
      self->caps_tried = TRUE;
      _ward_fhir_sync_advance (self);
      return;
    case REQUEST_DEVICE:
      _ward_fhir_sync_setup_failed (self, g_steal_pointer (&reason));
      break;
    case REQUEST_SINGLE:
    case REQUEST_BATCH:
    case REQUEST_READ:
    case REQUEST_READ_BATCH:
      {
        Item *rest;

        while ((rest = g_queue_pop_head (&self->queue)) != NULL)
          g_ptr_array_add (req->items, rest);
        _ward_fhir_sync_retry_all (self, req->items, 0, reason);
        self->take_full = FALSE;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  _ward_fhir_sync_finish_cycle (self);
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Request *req = user_data;
  WardFhirSync *self = req->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = ward_fhir_auth_get_token_finish (WARD_FHIR_AUTH (source), result, &error);
  if (token == NULL && error != NULL)
    {
      g_autoptr(Request) failed = req;

      _ward_fhir_sync_request_done (failed);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (self->in_flight->len == 0)
            _ward_fhir_sync_abandon_cycle (self);
          return;
        }
      auth_failed (self, failed, error);
      return;
    }

  send_request (self, req, token);
}

/* Takes ownership of req, which is in flight until its answer. */
void
_ward_fhir_sync_start_request (WardFhirSync *self,
                               Request      *req)
{
  /* Sent again after a 401, it is in flight already. */
  if (!g_ptr_array_find (self->in_flight, req, NULL))
    g_ptr_array_add (self->in_flight, req);

  /* SMART servers serve their CapabilityStatement without a token. */
  if (self->auth != NULL &&
      !(req->kind == REQUEST_METADATA &&
        ward_fhir_auth_get_mode (self->auth) == WARD_FHIR_AUTH_SMART))
    {
      ward_fhir_auth_get_token_async (self->auth, self->cancellable, token_cb, req);
      return;
    }

  send_request (self, req, NULL);
}
