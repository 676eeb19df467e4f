/* ward-fhir-sync.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync.h"

#include "ward-fhir-auth.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <stdlib.h>

/* Rows taken from the outbox per cycle; a full batch starts the next
 * cycle at once.
 */
#define BATCH_SIZE 32
#define STATUS_TOO_MANY_REQUESTS 429

typedef struct
{
  WardFhirSync *self;
  gint64        seq;
  char         *resource_type;
  char         *id;
  gint64        version;
  int           attempts;
  gboolean      reauthenticated;  /* after a 401, once */
  GBytes       *body;
  SoupMessage  *msg;
} Item;

struct _WardFhirSync
{
  GObject            parent_instance;

  WardStore         *store;
  char              *base_url;
  char              *authorization;
  WardFhirAuth      *auth;           /* SMART, or NULL */
  WardFhirSyncClock  clock;
  gpointer           clock_data;
  guint              backoff_min_msec;
  guint              backoff_max_msec;
  guint              interval_msec;
  guint              timeout_sec;

  SoupSession       *session;
  GMainContext      *context;
  GSource           *timer;
  GSource           *kick_source;
  GCancellable      *cancellable;
  GQueue             queue;          /* Item, taken this cycle, not yet sent */
  gboolean           busy;
  gboolean           batch_full;
  gint64             last_pending;

  guint64            n_sent;
  guint64            n_retried;
  guint64            n_parked;
  char              *last_error;
};

G_DEFINE_FINAL_TYPE (WardFhirSync, ward_fhir_sync, G_TYPE_OBJECT)

static void send_next (WardFhirSync *self);

static void
item_free (Item *item)
{
  g_clear_object (&item->self);
  g_free (item->resource_type);
  g_free (item->id);
  g_clear_pointer (&item->body, g_bytes_unref);
  g_clear_object (&item->msg);
  g_free (item);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Item, item_free)

static gint64
sync_now (WardFhirSync *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);

  return g_get_real_time ();
}

static void
set_last_error (WardFhirSync *self,
                char         *text)
{
  g_free (self->last_error);
  self->last_error = text;
}

static void
ward_fhir_sync_dispose (GObject *object)
{
  WardFhirSync *self = (WardFhirSync *) object;

  ward_fhir_sync_stop (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);

  G_OBJECT_CLASS (ward_fhir_sync_parent_class)->dispose (object);
}

static void
ward_fhir_sync_finalize (GObject *object)
{
  WardFhirSync *self = (WardFhirSync *) object;

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->auth);
  g_free (self->base_url);
  g_free (self->authorization);
  g_free (self->last_error);

  G_OBJECT_CLASS (ward_fhir_sync_parent_class)->finalize (object);
}

static void
ward_fhir_sync_class_init (WardFhirSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_fhir_sync_dispose;
  object_class->finalize = ward_fhir_sync_finalize;
}

static void
ward_fhir_sync_init (WardFhirSync *self)
{
  g_queue_init (&self->queue);
  self->backoff_min_msec = 1000;
  self->backoff_max_msec = 5 * 60 * 1000;
  self->interval_msec = 1000;
  self->timeout_sec = 10;
}

WardFhirSync *
ward_fhir_sync_new (WardStore  *store,
                    const char *base_url,
                    const char *bearer_token)
{
  WardFhirSync *self;
  gsize len;

  g_return_val_if_fail (WARD_IS_STORE (store), NULL);
  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (WARD_TYPE_FHIR_SYNC, NULL);
  self->store = g_object_ref (store);
  len = strlen (base_url);
  while (len > 0 && base_url[len - 1] == '/')
    len--;
  self->base_url = g_strndup (base_url, len);
  if (bearer_token != NULL && bearer_token[0] != '\0')
    self->authorization = g_strconcat ("Bearer ", bearer_token, NULL);

  return self;
}

void
ward_fhir_sync_set_auth (WardFhirSync *self,
                         WardFhirAuth *auth)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));
  g_return_if_fail (auth == NULL || WARD_IS_FHIR_AUTH (auth));
  g_return_if_fail (self->session == NULL);

  g_clear_object (&self->auth);
  g_clear_pointer (&self->authorization, g_free);
  if (auth == NULL || ward_fhir_auth_get_mode (auth) == WARD_FHIR_AUTH_NONE)
    return;
  self->auth = g_object_ref (auth);
}

void
ward_fhir_sync_set_clock (WardFhirSync      *self,
                          WardFhirSyncClock  clock,
                          gpointer           user_data)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  self->clock = clock;
  self->clock_data = user_data;
}

void
ward_fhir_sync_set_backoff (WardFhirSync *self,
                            guint         min_msec,
                            guint         max_msec)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  self->backoff_min_msec = MAX (min_msec, 1);
  self->backoff_max_msec = MAX (max_msec, self->backoff_min_msec);
}

void
ward_fhir_sync_set_interval (WardFhirSync *self,
                             guint         interval_msec)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  self->interval_msec = MAX (interval_msec, 10);
}

void
ward_fhir_sync_set_timeout (WardFhirSync *self,
                            guint         timeout_sec)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  self->timeout_sec = MAX (timeout_sec, 1);
  if (self->session != NULL)
    soup_session_set_timeout (self->session, self->timeout_sec);
}

/* Store writes, each its own transaction. */
static void
write_done (WardFhirSync *self,
            gboolean      ok,
            GError       *error)
{
  if (ok)
    {
      g_autoptr(GError) commit_error = NULL;

      if (ward_store_commit (self->store, &commit_error))
        return;
      g_critical ("FHIR sync: commit failed: %s", commit_error->message);
    }
  else
    {
      g_critical ("FHIR sync: store write failed: %s", error != NULL ? error->message : "?");
    }
  ward_store_rollback (self->store);
}

static void
mark_sent (WardFhirSync *self,
           Item         *item)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = ward_store_begin (self->store, &error) &&
       ward_store_outbox_mark_sent (self->store, item->seq, item->version, sync_now (self),
                                    NULL, &error);
  write_done (self, ok, error);
  self->n_sent++;
}

static void
mark_retry (WardFhirSync *self,
            Item         *item,
            gint64        retry_after_sec,
            char         *reason)
{
  g_autoptr(GError) error = NULL;
  guint64 delay;
  gboolean ok;

  delay = self->backoff_min_msec;
  for (int i = 0; i < item->attempts && delay < self->backoff_max_msec; i++)
    delay *= 2;
  delay = MIN (delay, self->backoff_max_msec);
  delay += g_random_int_range (0, (gint32) (delay / 4) + 1);
  if (retry_after_sec > 0)
    delay = MAX (delay, (guint64) retry_after_sec * 1000);

  ok = ward_store_begin (self->store, &error) &&
       ward_store_outbox_mark_retry (self->store, item->seq,
                                     sync_now (self) + (gint64) delay * 1000,
                                     reason, &error);
  write_done (self, ok, error);
  self->n_retried++;
  g_debug ("%s: %s; retry in %" G_GUINT64_FORMAT " ms", item->resource_type, reason, delay);
  set_last_error (self, reason);
}

static void
mark_failed (WardFhirSync *self,
             Item         *item,
             char         *reason,
             const char   *outcome_json)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = ward_store_begin (self->store, &error) &&
       ward_store_outbox_mark_failed (self->store, item->seq, reason, outcome_json, &error);
  write_done (self, ok, error);
  self->n_parked++;
  g_message ("A %s was rejected by the FHIR server and parked (wardwatch-cli stats counts them)",
             item->resource_type);
  set_last_error (self, reason);
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
static char *
outcome_reason (JsonNode *root)
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
        text = json_object_get_string_member_with_default (json_object_get_object_member (issue, "details"),
                                                           "text", NULL);
      if (text != NULL)
        return g_strdup (text);
    }

  return NULL;
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Item) item = user_data;
  WardFhirSync *self = item->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root = NULL;
  guint status;
  gsize len = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Stopping: this row and the rest of the batch stay pending. */
          g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
          self->busy = FALSE;
          return;
        }
      mark_retry (self, item, 0, g_strdup_printf ("network: %s", error->message));
      send_next (self);
      return;
    }

  status = soup_message_get_status (item->msg);
  data = g_bytes_get_data (bytes, &len);
  parser = json_parser_new ();
  if (len > 0 && json_parser_load_from_data (parser, data, (gssize) len, NULL))
    root = json_parser_get_root (parser);

  if (status == SOUP_STATUS_UNAUTHORIZED && self->auth != NULL && !item->reauthenticated &&
      ward_fhir_auth_get_mode (self->auth) == WARD_FHIR_AUTH_SMART)
    {
      /* The token was revoked or has expired early: authenticate again
       * and send this row once more, first.
       */
      g_debug ("HTTP 401: authenticating again");
      ward_fhir_auth_invalidate (self->auth);
      item->reauthenticated = TRUE;
      g_clear_object (&item->msg);
      g_queue_push_head (&self->queue, g_steal_pointer (&item));
      send_next (self);
      return;
    }
  else if (status == SOUP_STATUS_OK || status == SOUP_STATUS_CREATED)
    {
      /* Anything but a resource is not an answer to trust. */
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
          json_object_has_member (json_node_get_object (root), "resourceType"))
        mark_sent (self, item);
      else
        mark_retry (self, item, 0, g_strdup_printf ("HTTP %u with a body that is not a FHIR resource",
                                                    status));
    }
  else if (status == SOUP_STATUS_REQUEST_TIMEOUT || status == STATUS_TOO_MANY_REQUESTS ||
           status == SOUP_STATUS_UNAUTHORIZED || status >= 500 || status < 400)
    {
      g_autofree char *why = outcome_reason (root);

      mark_retry (self, item,
                  status == STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE
                    ? parse_retry_after (item->msg) : 0,
                  why != NULL ? g_strdup_printf ("HTTP %u: %s", status, why)
                              : g_strdup_printf ("HTTP %u", status));
    }
  else
    {
      g_autofree char *why = outcome_reason (root);
      g_autofree char *outcome_json = NULL;

      if (why != NULL)
        outcome_json = g_strndup (data, len);
      mark_failed (self, item,
                   why != NULL ? g_strdup_printf ("HTTP %u: %s", status, why)
                               : g_strdup_printf ("HTTP %u", status),
                   outcome_json);
    }

  send_next (self);
}

/* A failed authentication: the row and the rest of the batch are retried
 * later, so that a wrong client id does not hammer the token endpoint.
 */
static void
auth_failed (WardFhirSync *self,
             Item         *item,
             const GError *error)
{
  Item *rest;

  mark_retry (self, item, 0, g_strdup_printf ("authentication: %s", error->message));
  while ((rest = g_queue_pop_head (&self->queue)) != NULL)
    {
      g_autoptr(Item) other = rest;

      mark_retry (self, other, 0, g_strdup_printf ("authentication: %s", error->message));
    }
  self->batch_full = FALSE;
}

static void
send_item (WardFhirSync *self,
           Item         *item,
           const char   *access_token);

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Item *item = user_data;
  WardFhirSync *self = item->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = ward_fhir_auth_get_token_finish (WARD_FHIR_AUTH (source), result, &error);
  if (token == NULL && error != NULL)
    {
      g_autoptr(Item) failed = item;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Stopping: this row and the rest of the batch stay pending. */
          g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
          self->busy = FALSE;
          return;
        }
      auth_failed (self, failed, error);
      send_next (self);
      return;
    }

  send_item (self, item, token);
}

static void
send_next (WardFhirSync *self)
{
  Item *item;

  item = g_queue_pop_head (&self->queue);
  if (item == NULL)
    {
      self->busy = FALSE;
      if (self->batch_full)
        ward_fhir_sync_kick (self);
      return;
    }

  if (self->auth != NULL)
    {
      ward_fhir_auth_get_token_async (self->auth, self->cancellable, token_cb, item);
      return;
    }

  send_item (self, item, NULL);
}

static void
send_item (WardFhirSync *self,
           Item         *item,
           const char   *access_token)
{
  g_autofree char *url = NULL;
  g_autofree char *type_escaped = NULL;
  g_autofree char *id_escaped = NULL;
  SoupMessageHeaders *headers;

  type_escaped = g_uri_escape_string (item->resource_type, NULL, FALSE);
  id_escaped = g_uri_escape_string (item->id, NULL, FALSE);
  url = g_strdup_printf ("%s/%s/%s", self->base_url, type_escaped, id_escaped);
  item->msg = soup_message_new (SOUP_METHOD_PUT, url);
  if (item->msg == NULL)
    {
      g_autoptr(Item) bad = item;

      mark_failed (self, bad, g_strdup ("Invalid FHIR server URL"), NULL);
      send_next (self);
      return;
    }
  headers = soup_message_get_request_headers (item->msg);
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
  soup_message_set_request_body_from_bytes (item->msg, "application/fhir+json", item->body);

  soup_session_send_and_read_async (self->session, item->msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, send_cb, item);
}

static void
collect_cb (const WardOutboxEntry *entry,
            gpointer               user_data)
{
  WardFhirSync *self = user_data;
  Item *item = g_new0 (Item, 1);

  item->self = g_object_ref (self);
  item->seq = entry->seq;
  item->resource_type = g_strdup (entry->resource_type);
  item->id = g_strdup (entry->id);
  item->version = entry->version;
  item->attempts = entry->attempts;
  item->body = g_bytes_new (entry->json, strlen (entry->json));
  g_queue_push_tail (&self->queue, item);
}

static void
run_cycle (WardFhirSync *self)
{
  g_autoptr(GError) error = NULL;

  if (self->busy || self->session == NULL)
    return;

  self->last_pending = ward_store_outbox_get_n_pending (self->store, NULL);
  if (!ward_store_outbox_next (self->store, sync_now (self), BATCH_SIZE, collect_cb, self, &error))
    {
      g_critical ("FHIR sync: reading the outbox failed: %s", error->message);
      g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
      return;
    }
  if (g_queue_is_empty (&self->queue))
    return;

  self->batch_full = g_queue_get_length (&self->queue) >= BATCH_SIZE;
  self->busy = TRUE;
  send_next (self);
}

static gboolean
timer_cb (gpointer data)
{
  run_cycle (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
kick_cb (gpointer data)
{
  WardFhirSync *self = data;

  g_clear_pointer (&self->kick_source, g_source_unref);
  run_cycle (self);
  return G_SOURCE_REMOVE;
}

void
ward_fhir_sync_start (WardFhirSync *self)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));
  g_return_if_fail (self->session == NULL);

  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->session = soup_session_new ();
  soup_session_set_timeout (self->session, self->timeout_sec);
  soup_session_set_idle_timeout (self->session, 60);
  soup_session_set_user_agent (self->session, "Wardwatch/" PACKAGE_VERSION " ");

  self->timer = g_timeout_source_new (self->interval_msec);
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_static_name (self->timer, "[ward-fhir-sync]");
  g_source_attach (self->timer, self->context);

  ward_fhir_sync_kick (self);
}

void
ward_fhir_sync_kick (WardFhirSync *self)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  if (self->session == NULL || self->busy || self->kick_source != NULL)
    return;

  self->kick_source = g_idle_source_new ();
  g_source_set_callback (self->kick_source, kick_cb, self, NULL);
  g_source_set_static_name (self->kick_source, "[ward-fhir-sync-kick]");
  g_source_attach (self->kick_source, self->context);
}

void
ward_fhir_sync_notify (WardFhirSync *self)
{
  gint64 n;

  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  if (self->session == NULL || self->busy)
    return;
  n = ward_store_outbox_get_n_pending (self->store, NULL);
  if (n > self->last_pending)
    ward_fhir_sync_kick (self);
  else
    self->last_pending = n;
}

gboolean
ward_fhir_sync_is_busy (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), FALSE);

  return self->busy || self->kick_source != NULL;
}

static gboolean
wake_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

void
ward_fhir_sync_flush_and_stop (WardFhirSync *self,
                               guint         timeout_msec)
{
  g_autoptr(GSource) deadline = NULL;
  gboolean expired = FALSE;

  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  if (self->session == NULL)
    return;

  if (!self->busy)
    {
      if (self->kick_source != NULL)
        {
          g_source_destroy (self->kick_source);
          g_clear_pointer (&self->kick_source, g_source_unref);
        }
      run_cycle (self);
    }

  deadline = g_timeout_source_new (timeout_msec);
  g_source_set_callback (deadline, wake_cb, &expired, NULL);
  g_source_attach (deadline, self->context);
  while (self->busy && !expired)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (deadline);

  ward_fhir_sync_stop (self);
}

void
ward_fhir_sync_stop (WardFhirSync *self)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (self->kick_source != NULL)
    {
      g_source_destroy (self->kick_source);
      g_clear_pointer (&self->kick_source, g_source_unref);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  /* The cancelled request completes on the next iterations. */
  while (self->busy && self->context != NULL)
    g_main_context_iteration (self->context, TRUE);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
}

guint64
ward_fhir_sync_get_n_sent (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), 0);
  return self->n_sent;
}

guint64
ward_fhir_sync_get_n_retried (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), 0);
  return self->n_retried;
}

guint64
ward_fhir_sync_get_n_parked (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), 0);
  return self->n_parked;
}

char *
ward_fhir_sync_dup_last_error (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), NULL);
  return g_strdup (self->last_error);
}
