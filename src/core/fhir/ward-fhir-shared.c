/* ward-fhir-shared.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The protocol is described in ward-fhir-shared.h and in
 * docs/ARCHITECTURE.md, "Sharing between stations".  One cycle: the
 * pending writes in order (each PUT, on 412 a GET and a merge), then a
 * search per registered type; one request at a time.
 */

#define G_LOG_DOMAIN "ward-fhir-shared"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ward-fhir-shared.h"
#include "ward-fhir-shared-private.h"
#include "ward-fhir-references.h"
#include "ward-store-shared.h"

#define MARK_KEY_PREFIX "fhir-shared-mark:"
/* Merges per cycle before it gives up until the next one (two stations
 * racing on the same resource forever would otherwise never poll).
 */
#define MAX_MERGES_PER_CYCLE 10

typedef struct
{
  WardFhirSharedMergeFunc  merge;
  WardFhirSharedApplyFunc  apply;
  gpointer                 user_data;
  GDestroyNotify           destroy;
  gboolean                 merge_on_write;
} SharedType;

struct _WardFhirShared
{
  GObject       parent_instance;

  WardStore    *store;
  char         *base_url;
  char         *station;
  char         *authorization;
  GHashTable   *types;          /* resource type -> SharedType */
  GPtrArray    *type_names;     /* in registration order */

  guint         poll_interval_msec;
  guint         page_size;
  guint         overlap_msec;
  guint         timeout_sec;

  SoupSession  *session;
  GMainContext *context;
  GSource      *timer;
  GSource      *idle;
  GCancellable *cancellable;
  gboolean      started;
  gboolean      busy;
  gboolean      again;
  gboolean      cycle_failed;
  gboolean      flushing;       /* flush_and_stop(): writes only, no polling */
  guint         merges;
  guint         n_in_flight;    /* requests not completed yet (also cancelled ones) */

  /* The write in flight. */
  gint64        seq;
  char         *resource_type;
  char         *id;
  char         *base_version;
  char         *write_id;
  char         *json;
  gboolean      merged;

  /* The poll in flight. */
  guint         poll_index;
  GDateTime    *poll_mark;      /* the newest lastUpdated seen of this type */
  GDateTime    *page_since;     /* the lower bound of the page asked for */

  guint64       n_sent;
  guint64       n_conflicts;
  guint64       n_applied;
  guint64       n_polls;
  guint64       n_clean_cycles;
  char         *last_error;
};

G_DEFINE_FINAL_TYPE (WardFhirShared, ward_fhir_shared, G_TYPE_OBJECT)

typedef void (*ResponseHandler) (WardFhirShared  *self,
                                 guint            status,
                                 SoupMessage     *msg,
                                 JsonObject      *body,
                                 const GError    *error);

static void cycle_begin   (WardFhirShared *self);
static void send_next     (WardFhirShared *self);
static void poll_type     (WardFhirShared *self,
                           const char     *url);
static void handle_polled (WardFhirShared *self,
                           const char     *resource_type,
                           JsonObject     *resource);
static void poll_from     (WardFhirShared *self,
                           GDateTime      *since,
                           gboolean        inclusive);

static void
shared_type_free (gpointer data)
{
  SharedType *type = data;

  if (type->destroy != NULL)
    type->destroy (type->user_data);
  g_free (type);
}

static void
clear_write (WardFhirShared *self)
{
  self->seq = 0;
  g_clear_pointer (&self->resource_type, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->base_version, g_free);
  g_clear_pointer (&self->write_id, g_free);
  g_clear_pointer (&self->json, g_free);
  self->merged = FALSE;
}

static void
set_last_error (WardFhirShared *self,
                const char     *format,
                ...) G_GNUC_PRINTF (2, 3);

static void
set_last_error (WardFhirShared *self,
                const char     *format,
                ...)
{
  va_list args;

  g_free (self->last_error);
  va_start (args, format);
  self->last_error = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("%s", self->last_error);
}

/* The body to PUT: json without the server's versionId/lastUpdated, with
 * meta.source naming this station and the write.
 */
static GBytes *
make_body (WardFhirShared  *self,
           GError         **error)
{
  g_autoptr(JsonObject) resource = _ward_fhir_shared_parse_object (self->json, strlen (self->json),
                                                                   error);
  g_autofree char *station = NULL;
  g_autofree char *source = NULL;
  g_autofree char *text = NULL;
  JsonObject *meta;
  gsize length;

  if (resource == NULL)
    return NULL;

  if (_ward_fhir_shared_object_member (resource, "meta") == NULL)
    json_object_set_object_member (resource, "meta", json_object_new ());
  meta = _ward_fhir_shared_object_member (resource, "meta");
  json_object_remove_member (meta, "versionId");
  json_object_remove_member (meta, "lastUpdated");
  station = g_uri_escape_string (self->station, NULL, FALSE);
  source = g_strconcat (WARD_FHIR_SHARED_SOURCE_PREFIX, station, "#", self->write_id, NULL);
  json_object_set_string_member (meta, "source", source);
  text = _ward_fhir_shared_object_to_string (resource);
  length = strlen (text);

  return g_bytes_new_take (g_steal_pointer (&text), length);
}

/* -- HTTP ----------------------------------------------------------------- */

typedef struct
{
  WardFhirShared  *self;
  SoupMessage     *msg;
  ResponseHandler  handler;
} Request;

static gboolean
status_is_transient (guint status)
{
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

static void
request_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *req = user_data;
  WardFhirShared *self = req->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) body = NULL;
  guint status = 0;

  g_assert (self->n_in_flight > 0);
  self->n_in_flight--;
  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* stop(): what was in flight stays pending. */
      g_object_unref (req->msg);
      g_object_unref (req->self);
      g_free (req);
      return;
    }

  if (bytes != NULL)
    {
      gsize length;
      const char *data = g_bytes_get_data (bytes, &length);

      status = soup_message_get_status (req->msg);
      if (length > 0)
        {
          g_autoptr(GError) parse_error = NULL;

          body = _ward_fhir_shared_parse_object (data, length, &parse_error);
          /* An answer that is not FHIR (a proxy's page) is a transient failure. */
          if (body == NULL && status >= 200 && status < 300)
            {
              g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the answer is not FHIR JSON: %s", parse_error->message);
              status = 0;
            }
        }
    }

  req->handler (self, status, req->msg, body, error);
  g_object_unref (req->msg);
  g_object_unref (req->self);
  g_free (req);
}

static void
send_request (WardFhirShared  *self,
              const char      *method,
              const char      *url,
              const char      *if_match,
              gboolean         if_none_match,
              GBytes          *body,
              ResponseHandler  handler)
{
  Request *req;
  SoupMessageHeaders *headers;

  req = g_new0 (Request, 1);
  req->self = g_object_ref (self);
  req->handler = handler;
  req->msg = soup_message_new (method, url);
  if (req->msg == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             "bad URL %s", url);

      handler (self, 0, NULL, NULL, error);
      g_object_unref (req->self);
      g_free (req);
      return;
    }

  headers = soup_message_get_request_headers (req->msg);
  soup_message_headers_replace (headers, "Accept", "application/fhir+json");
  if (self->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", self->authorization);
  if (if_match != NULL)
    {
      g_autofree char *etag = g_strdup_printf ("W/\"%s\"", if_match);

      soup_message_headers_replace (headers, "If-Match", etag);
    }
  if (if_none_match)
    soup_message_headers_replace (headers, "If-None-Match", "*");
  if (body != NULL)
    soup_message_set_request_body_from_bytes (req->msg, "application/fhir+json", body);

  self->n_in_flight++;
  soup_session_send_and_read_async (self->session, req->msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, request_done, req);
}

static char *
resource_url (WardFhirShared *self,
              const char     *resource_type,
              const char     *id)
{
  g_autofree char *type_escaped = g_uri_escape_string (resource_type, NULL, FALSE);
  g_autofree char *id_escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strdup_printf ("%s/%s/%s", self->base_url, type_escaped, id_escaped);
}

/* "HTTP 400: the outcome's first diagnostics" */
static char *
describe_failure (guint         status,
                  JsonObject   *body,
                  const GError *error)
{
  if (status == 0)
    return g_strdup_printf ("no answer: %s", error != NULL ? error->message : "unknown error");

  if (g_strcmp0 (_ward_fhir_shared_string_member (body, "resourceType"), "OperationOutcome") == 0)
    {
      JsonArray *issues = _ward_fhir_shared_array_member (body, "issue");
      JsonObject *issue = issues != NULL && json_array_get_length (issues) > 0
                          ? _ward_fhir_shared_array_object (issues, 0) : NULL;
      const char *text = _ward_fhir_shared_string_member (issue, "diagnostics");

      if (text == NULL)
        text = _ward_fhir_shared_string_member (_ward_fhir_shared_object_member (issue, "details"),
                                                "text");
      if (text != NULL)
        return g_strdup_printf ("HTTP %u: %s", status, text);
    }

  return g_strdup_printf ("HTTP %u", status);
}

/* -- The cycle ------------------------------------------------------------ */

static void
end_cycle (WardFhirShared *self)
{
  clear_write (self);
  g_clear_pointer (&self->poll_mark, g_date_time_unref);
  g_clear_pointer (&self->page_since, g_date_time_unref);
  self->busy = FALSE;
  if (!self->cycle_failed)
    self->n_clean_cycles++;

  if (self->again && self->started)
    {
      self->again = FALSE;
      ward_fhir_shared_kick (self);
    }
}

/* A transient failure: the write stays pending where it is; the cycle
 * ends and the next one starts with it again.
 */
static void
fail_cycle (WardFhirShared *self,
            const char     *what,
            guint           status,
            JsonObject     *body,
            const GError   *error)
{
  g_autofree char *text = describe_failure (status, body, error);
  g_autoptr(GError) store_error = NULL;

  set_last_error (self, "%s: %s", what, text);
  if (self->seq != 0 &&
      !ward_store_shared_mark_attempt (self->store, self->seq, text, &store_error))
    g_warning ("Cannot record a shared write's attempt: %s", store_error->message);
  self->cycle_failed = TRUE;
  end_cycle (self);
}

/* A write that could not go out now (network, 5xx...): it stays pending
 * in its place, the later ones wait behind it (order), and the cycle goes
 * on to polling, so that this station still sees the others.
 */
static void
fail_write (WardFhirShared *self,
            const char     *what,
            guint           status,
            JsonObject     *body,
            const GError   *error)
{
  g_autofree char *text = describe_failure (status, body, error);
  g_autoptr(GError) store_error = NULL;

  set_last_error (self, "%s %s/%s: %s", what, self->resource_type, self->id, text);
  if (!ward_store_shared_mark_attempt (self->store, self->seq, text, &store_error))
    g_warning ("Cannot record a shared write's attempt: %s", store_error->message);
  self->cycle_failed = TRUE;
  clear_write (self);
  /* At a clean stop the server does not answer: what is left waits for
   * the next start.
   */
  if (self->flushing)
    {
      end_cycle (self);
      return;
    }
  self->poll_index = 0;
  poll_type (self, NULL);
}

static void
apply (WardFhirShared *self,
       const char     *resource_type,
       JsonObject     *resource)
{
  SharedType *type = g_hash_table_lookup (self->types, resource_type);
  g_autofree char *station = ward_fhir_shared_dup_station (resource);

  self->n_applied++;
  if (type != NULL && type->apply != NULL)
    type->apply (resource_type, resource, station, type->user_data);
}

static gboolean
remember (WardFhirShared  *self,
          const char      *resource_type,
          JsonObject      *resource,
          GError         **error)
{
  g_autofree char *json = NULL;
  const char *id = _ward_fhir_shared_string_member (resource, "id");
  const char *version = _ward_fhir_shared_meta_string (resource, "versionId");

  if (id == NULL || version == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the server's copy of a %s has no id or no meta.versionId", resource_type);
      return FALSE;
    }

  json = _ward_fhir_shared_object_to_string (resource);
  return ward_store_shared_set_known (self->store, resource_type, id, version,
                                      _ward_fhir_shared_meta_string (resource, "lastUpdated"), json,
                                      error);
}

static void
finish_sent (WardFhirShared *self,
             JsonObject     *server_copy)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  if (!remember (self, self->resource_type, server_copy, &error) ||
      !ward_store_shared_mark_sent (self->store, self->seq, self->write_id,
                                    _ward_fhir_shared_meta_string (server_copy, "versionId"),
                                    g_get_real_time (), &done, &error))
    {
      fail_cycle (self, "store", 0, NULL, error);
      return;
    }

  self->n_sent++;
  /* A merge's result is new here too; a plain write is what this station
   * already shows.
   */
  if (self->merged)
    apply (self, self->resource_type, server_copy);

  send_next (self);
}

static void
current_read (WardFhirShared *self,
              guint           status,
              SoupMessage    *msg,
              JsonObject     *body,
              const GError   *error)
{
  g_autoptr(GError) store_error = NULL;
  g_autofree char *write_id = NULL;
  g_autoptr(JsonObject) local = NULL;
  g_autoptr(JsonObject) merged = NULL;
  SharedType *type;
  const char *version;

  if (status == 404)
    {
      /* Not there (a server emptied, or our base came from elsewhere): the
       * write becomes a creation.
       */
      if (!ward_store_shared_rebase (self->store, self->seq, self->write_id, NULL,
                                     self->write_id, self->json, NULL, &store_error))
        {
          fail_cycle (self, "store", 0, NULL, store_error);
          return;
        }
      send_next (self);
      return;
    }
  if (status == 410)
    {
      g_autofree char *text = g_strdup_printf ("%s/%s was deleted on the server",
                                               self->resource_type, self->id);

      g_warning ("Shared write not sent: %s", text);
      if (!ward_store_shared_mark_ended (self->store, self->seq, TRUE, NULL, text,
                                         g_get_real_time (), &store_error))
        g_warning ("Cannot park a shared write: %s", store_error->message);
      send_next (self);
      return;
    }
  if (status != 200 || body == NULL || _ward_fhir_shared_meta_string (body, "versionId") == NULL)
    {
      fail_write (self, "read after a conflict", status == 200 ? 0 : status, body, error);
      return;
    }

  version = _ward_fhir_shared_meta_string (body, "versionId");
  write_id = ward_fhir_shared_dup_write_id (body);
  if (g_strcmp0 (write_id, self->write_id) == 0)
    {
      /* Ours: it reached the server before we could mark it (a crash, a
       * lost answer).
       */
      finish_sent (self, body);
      return;
    }

  self->n_conflicts++;
  if (++self->merges > MAX_MERGES_PER_CYCLE)
    {
      fail_write (self, "merge", 412, NULL, NULL);
      return;
    }

  if (!remember (self, self->resource_type, body, &store_error))
    {
      fail_cycle (self, "store", 0, NULL, store_error);
      return;
    }

  local = _ward_fhir_shared_parse_object (self->json, strlen (self->json), NULL);
  type = g_hash_table_lookup (self->types, self->resource_type);
  if (local != NULL && type != NULL && type->merge != NULL &&
      type->merge (self->resource_type, local, body, &merged, type->user_data) == WARD_FHIR_MERGE_WRITE &&
      merged != NULL)
    {
      g_autofree char *merged_json = NULL;
      g_autofree char *new_write_id = g_uuid_string_random ();

      json_object_set_string_member (merged, "resourceType", self->resource_type);
      json_object_set_string_member (merged, "id", self->id);
      merged_json = _ward_fhir_shared_object_to_string (merged);
      if (!ward_store_shared_rebase (self->store, self->seq, self->write_id, version,
                                     new_write_id, merged_json, NULL, &store_error))
        {
          fail_cycle (self, "store", 0, NULL, store_error);
          return;
        }
      send_next (self);
      return;
    }

  /* The local intent gives way to the server's copy. */
  if (!ward_store_shared_mark_ended (self->store, self->seq, FALSE, version, NULL,
                                     g_get_real_time (), &store_error))
    {
      fail_cycle (self, "store", 0, NULL, store_error);
      return;
    }
  apply (self, self->resource_type, body);
  send_next (self);
}

/* After a write was parked: the server's copy, which polling skipped
 * while the write was pending, is shown now if it is newer.
 */
static void
refreshed (WardFhirShared *self,
           guint           status,
           SoupMessage    *msg,
           JsonObject     *body,
           const GError   *error)
{
  if (status == 200 && body != NULL)
    handle_polled (self, self->resource_type, body);

  send_next (self);
}

/* Refused because the server lacks a resource it references (referential
 * integrity, as HAPI FHIR enforces it) that the outbox sends too: the
 * Patient or Flag of a Task, not sent yet, or lost by the server.  The
 * write is not parked: it waits in its place, like a transient failure,
 * and the referent is queued again when the outbox thinks it sent it.
 */
static gboolean
waits_for_reference (WardFhirShared *self,
                     JsonObject     *body)
{
  g_autofree char *outcome = NULL;
  g_autofree char *missing_type = NULL;
  g_autofree char *missing_id = NULL;
  g_autofree char *ours = NULL;
  g_autoptr(GError) error = NULL;
  gboolean queued = FALSE;

  if (body == NULL)
    return FALSE;
  outcome = _ward_fhir_shared_object_to_string (body);
  if (!ward_fhir_outcome_missing_reference (outcome, &missing_type, &missing_id))
    return FALSE;
  ours = ward_store_get_resource (self->store, missing_type, missing_id, NULL, NULL);
  if (ours == NULL)
    return FALSE;

  if (!ward_store_outbox_requeue (self->store, missing_type, missing_id, g_get_real_time (),
                                  &queued, &error))
    g_warning ("Cannot queue %s/%s again: %s", missing_type, missing_id, error->message);
  else if (queued)
    g_message ("The FHIR server does not have the %s that shared %s/%s references: "
               "sending it again", missing_type, self->resource_type, self->id);
  return TRUE;
}

static void
put_done (WardFhirShared *self,
          guint           status,
          SoupMessage    *msg,
          JsonObject     *body,
          const GError   *error)
{
  if (status == 200 || status == 201)
    {
      if (body == NULL || _ward_fhir_shared_meta_string (body, "versionId") == NULL)
        {
          g_autoptr(GError) missing = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                   "the server answered %u without the resource's version",
                                                   status);

          fail_write (self, "write", 0, NULL, missing);
          return;
        }
      finish_sent (self, body);
      return;
    }

  if (status == 412)
    {
      g_autofree char *url = resource_url (self, self->resource_type, self->id);

      send_request (self, "GET", url, NULL, FALSE, NULL, current_read);
      return;
    }

  if (status_is_transient (status) || status == 401 || waits_for_reference (self, body))
    {
      fail_write (self, "write", status, body, error);
      return;
    }

  /* Refused for good: parked with its reason, the next one goes. */
  {
    g_autofree char *text = describe_failure (status, body, error);
    g_autofree char *url = NULL;
    g_autoptr(GError) store_error = NULL;

    g_warning ("The FHIR server refused shared %s/%s: %s", self->resource_type, self->id, text);
    set_last_error (self, "write %s/%s: %s", self->resource_type, self->id, text);
    if (!ward_store_shared_mark_ended (self->store, self->seq, TRUE, NULL, text,
                                       g_get_real_time (), &store_error))
      {
        fail_cycle (self, "store", 0, NULL, store_error);
        return;
      }
    url = resource_url (self, self->resource_type, self->id);
    send_request (self, "GET", url, NULL, FALSE, NULL, refreshed);
  }
}

static void
take_write (const WardSharedWrite *write,
            gpointer               user_data)
{
  WardFhirShared *self = user_data;

  clear_write (self);
  self->seq = write->seq;
  self->resource_type = g_strdup (write->resource_type);
  self->id = g_strdup (write->id);
  self->base_version = g_strdup (write->base_version);
  self->write_id = g_strdup (write->write_id);
  self->json = g_strdup (write->json);
  self->merged = write->merged;
}

/* For a type merged on write: the write is first merged with the
 * server's copy it is based on.  A write that would bring nothing new is
 * dropped (FALSE); one that would undo another station's change (reopen
 * a flag it closed, take an acknowledgement away) is corrected before it
 * goes.  Polling does not apply a resource with a write pending, so the
 * known copy is still the base here.
 */
static gboolean
merge_before_write (WardFhirShared *self)
{
  SharedType *type = g_hash_table_lookup (self->types, self->resource_type);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) known = NULL;
  g_autoptr(JsonObject) local = NULL;
  g_autoptr(JsonObject) merged = NULL;
  WardFhirMergeResult result;

  if (type == NULL || !type->merge_on_write || type->merge == NULL || self->base_version == NULL)
    return TRUE;
  known = ward_fhir_shared_dup_known (self, self->resource_type, self->id, &error);
  if (known == NULL ||
      g_strcmp0 (_ward_fhir_shared_meta_string (known, "versionId"), self->base_version) != 0)
    return TRUE;
  local = _ward_fhir_shared_parse_object (self->json, strlen (self->json), NULL);
  if (local == NULL)
    return TRUE;

  result = type->merge (self->resource_type, local, known, &merged, type->user_data);
  if (result == WARD_FHIR_MERGE_WRITE && merged != NULL)
    {
      json_object_set_string_member (merged, "resourceType", self->resource_type);
      json_object_set_string_member (merged, "id", self->id);
      g_free (self->json);
      self->json = _ward_fhir_shared_object_to_string (merged);
      return TRUE;
    }

  /* The server has it all already. */
  if (!ward_store_shared_mark_ended (self->store, self->seq, FALSE, self->base_version, NULL,
                                     g_get_real_time (), &error))
    g_warning ("Cannot end a shared write: %s", error->message);
  return FALSE;
}

static void
send_next (WardFhirShared *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  gboolean found = FALSE;

  clear_write (self);
  if (!ward_store_shared_next (self->store, take_write, self, &found, &error))
    {
      fail_cycle (self, "store", 0, NULL, error);
      return;
    }
  if (!found)
    {
      if (self->flushing)
        {
          end_cycle (self);
          return;
        }
      self->poll_index = 0;
      poll_type (self, NULL);
      return;
    }

  if (!merge_before_write (self))
    {
      send_next (self);
      return;
    }

  body = make_body (self, &error);
  if (body == NULL)
    {
      /* Cannot happen for what write() queued; never block the queue on it. */
      g_warning ("Shared write %s/%s is not JSON: %s", self->resource_type, self->id, error->message);
      ward_store_shared_mark_ended (self->store, self->seq, TRUE, NULL, error->message,
                                    g_get_real_time (), NULL);
      send_next (self);
      return;
    }

  url = resource_url (self, self->resource_type, self->id);
  send_request (self, "PUT", url, self->base_version, self->base_version == NULL, body, put_done);
}

/* -- Polling -------------------------------------------------------------- */

static char *
mark_key (const char *resource_type)
{
  return g_strconcat (MARK_KEY_PREFIX, resource_type, NULL);
}

static char *
format_instant (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);
  g_autofree char *seconds = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, g_date_time_get_microsecond (utc) / 1000);
}

static void
handle_polled (WardFhirShared *self,
               const char     *resource_type,
               JsonObject     *resource)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *known = NULL;
  const char *id = _ward_fhir_shared_string_member (resource, "id");
  const char *version = _ward_fhir_shared_meta_string (resource, "versionId");
  const char *updated = _ward_fhir_shared_meta_string (resource, "lastUpdated");
  gboolean pending = FALSE;

  if (id == NULL || version == NULL ||
      g_strcmp0 (_ward_fhir_shared_string_member (resource, "resourceType"),
                 resource_type) != 0)
    return;

  if (updated != NULL)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (updated, NULL);

      if (time != NULL && (self->poll_mark == NULL || g_date_time_compare (time, self->poll_mark) > 0))
        {
          g_clear_pointer (&self->poll_mark, g_date_time_unref);
          self->poll_mark = g_steal_pointer (&time);
        }
    }

  if (!ward_store_shared_get_known (self->store, resource_type, id, &known, NULL, &error) ||
      !ward_store_shared_is_pending (self->store, resource_type, id, &pending, &error))
    {
      g_warning ("Cannot read shared resource state: %s", error->message);
      return;
    }
  /* Already applied (the overlap), our own write coming back, or one that
   * our pending write will meet as a conflict.
   */
  if (!_ward_fhir_shared_version_is_newer (version, known) || pending)
    return;

  if (!remember (self, resource_type, resource, &error))
    {
      g_warning ("Cannot remember shared %s/%s: %s", resource_type, id, error->message);
      return;
    }
  apply (self, resource_type, resource);
}

static char *
next_link (JsonObject *bundle)
{
  JsonArray *links = _ward_fhir_shared_array_member (bundle, "link");

  for (guint i = 0; links != NULL && i < json_array_get_length (links); i++)
    {
      JsonObject *link = _ward_fhir_shared_array_object (links, i);

      if (g_strcmp0 (_ward_fhir_shared_string_member (link, "relation"), "next") == 0)
        return g_strdup (_ward_fhir_shared_string_member (link, "url"));
    }

  return NULL;
}

static void
poll_done (WardFhirShared *self,
           guint           status,
           SoupMessage    *msg,
           JsonObject     *body,
           const GError   *error)
{
  const char *resource_type = g_ptr_array_index (self->type_names, self->poll_index);
  g_autofree char *next = NULL;
  JsonArray *entries = NULL;
  guint n_entries = 0;

  if (status != 200 || body == NULL ||
      g_strcmp0 (_ward_fhir_shared_string_member (body, "resourceType"), "Bundle") != 0)
    {
      g_autofree char *what = g_strdup_printf ("poll %s", resource_type);

      fail_cycle (self, what, status == 200 ? 0 : status, body, error);
      return;
    }

  entries = _ward_fhir_shared_array_member (body, "entry");
  if (entries != NULL)
    n_entries = json_array_get_length (entries);
  for (guint i = 0; i < n_entries; i++)
    {
      JsonObject *entry = _ward_fhir_shared_array_object (entries, i);
      JsonObject *resource = _ward_fhir_shared_object_member (entry, "resource");

      if (resource != NULL)
        handle_polled (self, resource_type, resource);
    }

  /* The mark moves on page by page: a poll cut short does not lose what
   * was applied, and the overlap covers the rest.
   */
  if (self->poll_mark != NULL)
    {
      g_autoptr(GError) store_error = NULL;
      g_autofree char *key = mark_key (resource_type);
      g_autofree char *value = format_instant (self->poll_mark);
      g_autofree char *stored = ward_store_dup_setting (self->store, key, NULL);
      g_autoptr(GDateTime) stored_time = stored != NULL ? g_date_time_new_from_iso8601 (stored, NULL) : NULL;

      if ((stored_time == NULL || g_date_time_compare (self->poll_mark, stored_time) > 0) &&
          !ward_store_set_setting (self->store, key, value, &store_error))
        g_warning ("Cannot keep the polling mark of %s: %s", resource_type, store_error->message);
    }

  /* More than a page: the next one starts at the newest time seen
   * (_lastUpdated=ge, keyset paging) rather than at an offset, which
   * would skip a resource when one before it changes between pages.
   * Repeats are skipped by version.  Only when a whole page shares one
   * instant does it follow the server's next link.
   */
  next = next_link (body);
  if (next != NULL)
    {
      if (n_entries >= self->page_size && self->poll_mark != NULL &&
          (self->page_since == NULL || g_date_time_compare (self->poll_mark, self->page_since) > 0))
        poll_from (self, self->poll_mark, TRUE);
      else
        poll_type (self, next);
      return;
    }

  self->poll_index++;
  g_clear_pointer (&self->poll_mark, g_date_time_unref);
  g_clear_pointer (&self->page_since, g_date_time_unref);
  poll_type (self, NULL);
}

/* Asks for type poll_index's changes since since (NULL: all of them). */
static void
poll_from (WardFhirShared *self,
           GDateTime      *since,
           gboolean        inclusive)
{
  const char *resource_type = g_ptr_array_index (self->type_names, self->poll_index);
  g_autoptr(GDateTime) bound = since != NULL ? g_date_time_ref (since) : NULL;
  GString *query;
  g_autofree char *url = NULL;

  g_clear_pointer (&self->page_since, g_date_time_unref);
  self->page_since = g_steal_pointer (&bound);

  query = g_string_new (NULL);
  g_string_append_printf (query, "%s/%s?_sort=_lastUpdated&_count=%u",
                          self->base_url, resource_type, self->page_size);
  if (self->page_since != NULL)
    {
      g_autofree char *instant = format_instant (self->page_since);

      g_string_append_printf (query, "&_lastUpdated=%s%s", inclusive ? "ge" : "gt", instant);
    }
  url = g_string_free (query, FALSE);
  send_request (self, "GET", url, NULL, FALSE, NULL, poll_done);
}

/* Polls type poll_index: url is a next page, or NULL for the first. */
static void
poll_type (WardFhirShared *self,
           const char     *url)
{
  if (url == NULL)
    {
      const char *resource_type;
      g_autofree char *key = NULL;
      g_autofree char *mark = NULL;
      g_autoptr(GDateTime) since = NULL;

      if (self->poll_index >= self->type_names->len)
        {
          end_cycle (self);
          return;
        }

      /* Each type starts afresh (a refresh after a parked write may have
       * seen a time that this type's poll has not reached).
       */
      g_clear_pointer (&self->poll_mark, g_date_time_unref);
      resource_type = g_ptr_array_index (self->type_names, self->poll_index);
      key = mark_key (resource_type);
      mark = ward_store_dup_setting (self->store, key, NULL);
      if (mark != NULL)
        {
          g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (mark, NULL);

          if (time != NULL)
            since = g_date_time_add (time, -(GTimeSpan) self->overlap_msec * 1000);
        }

      self->n_polls++;
      poll_from (self, since, FALSE);
      return;
    }

  send_request (self, "GET", url, NULL, FALSE, NULL, poll_done);
}

static void
cycle_begin (WardFhirShared *self)
{
  g_return_if_fail (!self->busy);

  self->busy = TRUE;
  self->cycle_failed = FALSE;
  self->merges = 0;
  send_next (self);
}

static gboolean
timer_tick (gpointer user_data)
{
  WardFhirShared *self = user_data;

  if (!self->busy)
    cycle_begin (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
idle_kick (gpointer user_data)
{
  WardFhirShared *self = user_data;

  g_clear_pointer (&self->idle, g_source_unref);
  if (self->busy)
    self->again = TRUE;
  else if (self->started)
    cycle_begin (self);

  return G_SOURCE_REMOVE;
}

/* -- Public --------------------------------------------------------------- */

static void
ward_fhir_shared_dispose (GObject *object)
{
  WardFhirShared *self = WARD_FHIR_SHARED (object);

  ward_fhir_shared_stop (self);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ward_fhir_shared_parent_class)->dispose (object);
}

static void
ward_fhir_shared_finalize (GObject *object)
{
  WardFhirShared *self = WARD_FHIR_SHARED (object);

  clear_write (self);
  g_clear_pointer (&self->poll_mark, g_date_time_unref);
  g_clear_pointer (&self->page_since, g_date_time_unref);
  g_free (self->base_url);
  g_free (self->station);
  g_free (self->authorization);
  g_free (self->last_error);
  g_hash_table_unref (self->types);
  g_ptr_array_unref (self->type_names);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (ward_fhir_shared_parent_class)->finalize (object);
}

static void
ward_fhir_shared_class_init (WardFhirSharedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_fhir_shared_dispose;
  object_class->finalize = ward_fhir_shared_finalize;
}

static void
ward_fhir_shared_init (WardFhirShared *self)
{
  self->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, shared_type_free);
  self->type_names = g_ptr_array_new_with_free_func (g_free);
  self->poll_interval_msec = 3000;
  self->page_size = 100;
  self->overlap_msec = 5000;
  self->timeout_sec = 10;
}

gboolean
ward_fhir_shared_station_is_valid (const char  *station,
                                   GError     **error)
{
  g_autofree char *stripped = NULL;
  glong length;

  g_return_val_if_fail (station != NULL, FALSE);

  length = g_utf8_validate (station, -1, NULL) ? g_utf8_strlen (station, -1) : -1;
  stripped = g_strstrip (g_strdup (station));
  if (length < 1 || length > 64 || *stripped == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A station name takes 1 to 64 characters, not \"%s\"", station);
      return FALSE;
    }
  for (const char *p = station; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "A station name cannot hold control characters");
        return FALSE;
      }

  return TRUE;
}

WardFhirShared *
ward_fhir_shared_new (WardStore  *store,
                      const char *base_url,
                      const char *station)
{
  WardFhirShared *self;
  gsize length;

  g_return_val_if_fail (WARD_IS_STORE (store), NULL);
  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (WARD_TYPE_FHIR_SHARED, NULL);
  self->store = g_object_ref (store);
  self->base_url = g_strdup (base_url);
  length = strlen (self->base_url);
  while (length > 0 && self->base_url[length - 1] == '/')
    self->base_url[--length] = '\0';
  self->station = g_strdup (station != NULL && *station != '\0' ? station : g_get_host_name ());

  return self;
}

const char *
ward_fhir_shared_get_station (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), NULL);

  return self->station;
}

void
ward_fhir_shared_set_bearer_token (WardFhirShared *self,
                                   const char     *token)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));

  g_clear_pointer (&self->authorization, g_free);
  if (token != NULL && *token != '\0')
    self->authorization = g_strconcat ("Bearer ", token, NULL);
}

void
ward_fhir_shared_register_type (WardFhirShared          *self,
                                const char              *resource_type,
                                WardFhirSharedMergeFunc  merge,
                                WardFhirSharedApplyFunc  apply_func,
                                gpointer                 user_data,
                                GDestroyNotify           destroy)
{
  SharedType *type;

  g_return_if_fail (WARD_IS_FHIR_SHARED (self));
  g_return_if_fail (resource_type != NULL);

  type = g_new0 (SharedType, 1);
  type->merge = merge;
  type->apply = apply_func;
  type->user_data = user_data;
  type->destroy = destroy;
  if (!g_hash_table_contains (self->types, resource_type))
    g_ptr_array_add (self->type_names, g_strdup (resource_type));
  g_hash_table_insert (self->types, g_strdup (resource_type), type);
}

void
ward_fhir_shared_set_merge_on_write (WardFhirShared *self,
                                     const char     *resource_type,
                                     gboolean        merge_on_write)
{
  SharedType *type;

  g_return_if_fail (WARD_IS_FHIR_SHARED (self));

  type = g_hash_table_lookup (self->types, resource_type);
  g_return_if_fail (type != NULL);
  type->merge_on_write = merge_on_write;
}

void
ward_fhir_shared_set_poll_interval (WardFhirShared *self,
                                    guint           msec)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));
  g_return_if_fail (msec > 0);

  self->poll_interval_msec = msec;
}

void
ward_fhir_shared_set_page_size (WardFhirShared *self,
                                guint           page_size)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));
  g_return_if_fail (page_size > 0);

  self->page_size = page_size;
}

void
ward_fhir_shared_set_overlap (WardFhirShared *self,
                              guint           msec)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));

  self->overlap_msec = msec;
}

void
ward_fhir_shared_set_timeout (WardFhirShared *self,
                              guint           timeout_sec)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));

  self->timeout_sec = timeout_sec;
  if (self->session != NULL)
    soup_session_set_timeout (self->session, timeout_sec);
}

static gboolean
valid_id (const char *id)
{
  gsize length = id != NULL ? strlen (id) : 0;

  if (length == 0 || length > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;

  return TRUE;
}

gboolean
ward_fhir_shared_write (WardFhirShared  *self,
                        JsonObject      *resource,
                        GError         **error)
{
  g_autofree char *known = NULL;
  g_autofree char *write_id = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) copy = NULL;
  const char *resource_type;
  const char *id;

  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);

  resource_type = _ward_fhir_shared_string_member (resource, "resourceType");
  id = _ward_fhir_shared_string_member (resource, "id");
  if (resource_type == NULL || !g_hash_table_contains (self->types, resource_type))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is not a resource type shared between stations",
                   resource_type != NULL ? resource_type : "A resource without resourceType");
      return FALSE;
    }
  if (!valid_id (id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A shared %s needs a FHIR id (1-64 letters, digits, '-' or '.'), not \"%s\"",
                   resource_type, id != NULL ? id : "");
      return FALSE;
    }

  if (!ward_store_shared_get_known (self->store, resource_type, id, &known, NULL, error))
    return FALSE;

  /* The server's bookkeeping is not part of the intent. */
  json = _ward_fhir_shared_object_to_string (resource);
  copy = _ward_fhir_shared_parse_object (json, strlen (json), error);
  if (copy == NULL)
    return FALSE;
  if (_ward_fhir_shared_object_member (copy, "meta") != NULL)
    {
      JsonObject *meta = _ward_fhir_shared_object_member (copy, "meta");

      json_object_remove_member (meta, "versionId");
      json_object_remove_member (meta, "lastUpdated");
      json_object_remove_member (meta, "source");
    }
  g_free (json);
  json = _ward_fhir_shared_object_to_string (copy);

  write_id = g_uuid_string_random ();
  if (!ward_store_shared_queue (self->store, resource_type, id, known, write_id, json,
                                g_get_real_time (), NULL, error))
    return FALSE;

  if (self->started)
    ward_fhir_shared_kick (self);

  return TRUE;
}

gboolean
ward_fhir_shared_claim_outbox (WardFhirShared  *self,
                               gint64           at,
                               GError         **error)
{
  gint64 n_claimed = 0;

  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), FALSE);

  for (guint i = 0; i < self->type_names->len; i++)
    {
      gint64 n = ward_store_shared_claim_outbox (self->store, g_ptr_array_index (self->type_names, i),
                                                 at, error);

      if (n < 0)
        return FALSE;
      n_claimed += n;
    }
  if (n_claimed > 0 && self->started)
    ward_fhir_shared_kick (self);

  return TRUE;
}

JsonObject *
ward_fhir_shared_dup_known (WardFhirShared  *self,
                            const char      *resource_type,
                            const char      *id,
                            GError         **error)
{
  g_autofree char *version = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), NULL);

  if (!ward_store_shared_get_known (self->store, resource_type, id, &version, &json, error) ||
      json == NULL)
    return NULL;

  return _ward_fhir_shared_parse_object (json, strlen (json), error);
}

void
ward_fhir_shared_start (WardFhirShared *self)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));

  if (self->started)
    return;

  self->started = TRUE;

  /* A shared type has one writer: what the outbox still holds of it
   * (queued before sharing was on) goes out from here, so that the
   * outbox never sends an older copy over a shared one.
   */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->types);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        g_autoptr(GError) error = NULL;
        gint64 n = ward_store_shared_adopt_outbox (self->store, key, g_get_real_time (), &error);

        if (n < 0)
          g_warning ("Shared %s waiting in the outbox stay there: %s", (const char *) key,
                     error->message);
        else if (n > 0)
          g_message ("%" G_GINT64_FORMAT " %s queued before sharing was on now go to the other "
                     "stations", n, (const char *) key);
      }
  }

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  if (self->session == NULL)
    self->session = soup_session_new_with_options ("timeout", self->timeout_sec,
                                                   "user-agent", "Wardwatch/" PACKAGE_VERSION,
                                                   NULL);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  self->timer = g_timeout_source_new (self->poll_interval_msec);
  g_source_set_callback (self->timer, timer_tick, self, NULL);
  g_source_set_name (self->timer, "[wardwatch] shared resources poll");
  g_source_attach (self->timer, self->context);

  ward_fhir_shared_kick (self);
}

void
ward_fhir_shared_kick (WardFhirShared *self)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));

  if (!self->started)
    return;
  if (self->busy)
    {
      self->again = TRUE;
      return;
    }
  if (self->idle != NULL)
    return;

  self->idle = g_idle_source_new ();
  g_source_set_callback (self->idle, idle_kick, self, NULL);
  g_source_attach (self->idle, self->context);
}

void
ward_fhir_shared_stop (WardFhirShared *self)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));

  self->started = FALSE;
  self->again = FALSE;
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (self->idle != NULL)
    {
      g_source_destroy (self->idle);
      g_clear_pointer (&self->idle, g_source_unref);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->busy)
    {
      self->busy = FALSE;
      clear_write (self);
    }
}

static gboolean
flush_deadline_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

void
ward_fhir_shared_flush_and_stop (WardFhirShared *self,
                                 guint           timeout_msec)
{
  g_autoptr(GSource) deadline = NULL;
  gboolean expired = FALSE;

  g_return_if_fail (WARD_IS_FHIR_SHARED (self));

  if (!self->started)
    {
      ward_fhir_shared_stop (self);
      return;
    }

  /* No more polls: only the queue, in order, as in any cycle.  A cycle
   * running now (a poll, or a write) finishes first, then one more goes
   * through what is queued.
   */
  self->flushing = TRUE;
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (self->idle != NULL)
    {
      g_source_destroy (self->idle);
      g_clear_pointer (&self->idle, g_source_unref);
    }
  if (self->busy)
    self->again = TRUE;
  else
    cycle_begin (self);

  deadline = g_timeout_source_new (timeout_msec);
  g_source_set_callback (deadline, flush_deadline_cb, &expired, NULL);
  g_source_set_static_name (deadline, "[wardwatch] shared flush deadline");
  g_source_attach (deadline, self->context);
  while ((self->busy || self->idle != NULL) && !expired)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (deadline);

  if (self->busy)
    g_message ("The FHIR server did not take every shared change before the stop: "
               "they are kept and go at the next start");
  ward_fhir_shared_stop (self);
  self->flushing = FALSE;

  /* The cancelled request completes on the next iterations (it holds a
   * reference on us).
   */
  while (self->n_in_flight > 0)
    g_main_context_iteration (self->context, TRUE);
}

gboolean
ward_fhir_shared_is_busy (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), FALSE);

  return self->busy || self->idle != NULL;
}

guint64
ward_fhir_shared_get_n_sent (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), 0);
  return self->n_sent;
}

guint64
ward_fhir_shared_get_n_conflicts (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), 0);
  return self->n_conflicts;
}

guint64
ward_fhir_shared_get_n_applied (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), 0);
  return self->n_applied;
}

guint64
ward_fhir_shared_get_n_polls (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), 0);
  return self->n_polls;
}

guint64
ward_fhir_shared_get_n_clean_cycles (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), 0);
  return self->n_clean_cycles;
}

char *
ward_fhir_shared_dup_last_error (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), NULL);
  return g_strdup (self->last_error);
}
