/* ward-fhir-sync.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync.h"
#include "ward-fhir-references.h"

#include "ward-fhir-auth.h"
#include "ward-fhir-resources.h"
#include "ward-fhir-template.h"
#include "ward-store-shared.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <stdlib.h>
#include <string.h>

/* Rows taken from the outbox per cycle when they go one PUT at a time; a
 * full take starts the next cycle at once.
 */
#define SINGLE_TAKE 32
/* Entries per batch Bundle (and rows taken per cycle) by default. */
#define DEFAULT_BATCH_SIZE 100
#define STATUS_TOO_MANY_REQUESTS 429
#define STATUS_PRECONDITION_FAILED 412
/* 412 answers for one row in one cycle before it waits for a retry: each
 * means another writer changed the Observation between our read and our
 * write.
 */
#define MAX_CONFLICTS 3
/* Server versions kept per session; past this they are forgotten and
 * read again (a GET per Observation), which bounds the memory.
 */
#define MAX_VERSIONS_KEPT 65536

typedef enum
{
  REQUEST_METADATA,   /* GET metadata: is batch offered? */
  REQUEST_DEVICE,     /* PUT of the Wardwatch Device, first in a session */
  REQUEST_SINGLE,     /* PUT of one outbox row */
  REQUEST_BATCH,      /* POST of a batch Bundle of PUTs */
  REQUEST_READ,       /* GET of one connector Observation, to merge into */
  REQUEST_READ_BATCH, /* POST of a batch Bundle of such GETs */
} RequestKind;

typedef struct
{
  gint64        seq;
  char         *resource_type;
  char         *id;
  gint64        version;
  int           attempts;
  char         *json;             /* what is sent */

  /* An Observation in the connector's format, which the connector (or
   * anyone) may write too: it is merged into the server's copy and
   * written with If-Match.
   */
  gboolean      merge;
  char         *local_json;       /* as stored; json may be it merged into the server's copy */
  gboolean      read;             /* the server's version is known, or it has none */
  gboolean      merged;           /* json is a merge: stored locally once the server has it */
  char         *if_match;         /* the server's versionId it was merged into, or NULL */
  int           conflicts;        /* 412 answers this cycle */
} Item;

typedef enum
{
  MARK_SENT,
  MARK_RETRY,
  MARK_FAILED,
} MarkKind;

/* An answer, to be written to the outbox. */
typedef struct
{
  MarkKind      kind;
  gint64        seq;
  gint64        version;
  gint64        at;               /* sent at, or retry at */
  char         *reason;
  char         *outcome_json;
  char         *id;               /* MARK_SENT of a merge: the Observation ... */
  char         *merged_json;      /* ... as the server now has it */
} Mark;

typedef struct
{
  WardFhirSync *self;
  RequestKind   kind;
  GPtrArray    *items;            /* Item: one for DEVICE, SINGLE and READ, n for the batches */
  gboolean      reauthenticated;  /* after a 401, once */
  GBytes       *body;
  SoupMessage  *msg;
} Request;

struct _WardFhirSync
{
  GObject            parent_instance;

  WardStore         *store;
  char              *base_url;
  char              *authorization;
  WardFhirAuth      *auth;           /* bearer or SMART, or NULL */
  WardFhirTemplate  *template;       /* the rules to merge Observations by, or NULL */
  WardFhirSyncClock  clock;
  gpointer           clock_data;
  guint              backoff_min_msec;
  guint              backoff_max_msec;
  guint              interval_msec;
  guint              timeout_sec;
  guint              batch_size;

  SoupSession       *session;
  GMainContext      *context;
  GSource           *timer;
  GSource           *kick_source;
  GCancellable      *cancellable;
  GQueue             queue;          /* Item, taken this cycle, not yet sent */
  GArray            *marks;          /* Mark: answers not yet written */
  gboolean           busy;
  gboolean           taken;          /* this cycle took its rows */
  gboolean           bundle_due;     /* ... and sends them as a batch Bundle */
  gboolean           reads_sent;     /* ... after reading the Observations to merge into */
  gboolean           take_full;
  gint64             last_pending;

  /* Per session (start to stop). */
  gboolean           caps_known;     /* the CapabilityStatement was read */
  gboolean           caps_tried;     /* ... or failed, this cycle */
  gboolean           batch_allowed;  /* it offers batch, and no Bundle was refused */
  char              *device_id;
  gboolean           device_done;    /* registered (or refused) */
  gint64             device_version; /* registered version, or 0 */
  int                setup_attempts;
  gint64             setup_next_at;
  GHashTable        *versions;       /* connector Observation id -> the server's versionId */

  guint64            n_sent;
  guint64            n_retried;
  guint64            n_parked;
  guint64            n_bundles;
  guint64            n_reads;
  guint64            n_conflicts;
  char              *last_error;
  gint64             failing_since;  /* first transient failure since the last answer, or 0 */
};

G_DEFINE_FINAL_TYPE (WardFhirSync, ward_fhir_sync, G_TYPE_OBJECT)

static void advance       (WardFhirSync *self);
static void start_request (WardFhirSync *self,
                           Request      *req);

static void
item_free (Item *item)
{
  if (item == NULL)
    return;

  g_free (item->resource_type);
  g_free (item->id);
  g_free (item->json);
  g_free (item->local_json);
  g_free (item->if_match);
  g_free (item);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Item, item_free)

static void
mark_clear (Mark *mark)
{
  g_free (mark->reason);
  g_free (mark->outcome_json);
  g_free (mark->id);
  g_free (mark->merged_json);
}

static void
request_free (Request *req)
{
  g_clear_object (&req->self);
  g_clear_pointer (&req->items, g_ptr_array_unref);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_object (&req->msg);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static Request *
request_new (WardFhirSync *self,
             RequestKind   kind)
{
  Request *req = g_new0 (Request, 1);

  req->self = g_object_ref (self);
  req->kind = kind;
  req->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  return req;
}

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

/* Whether the server is taking resources: a transient failure starts the
 * clock the window's warning shows; an answer that settles a row (sent,
 * or parked with the server's reason) stops it.
 */
static void
note_transient_failure (WardFhirSync *self)
{
  if (self->failing_since == 0)
    self->failing_since = MAX (sync_now (self), 1);
}

static void
note_answer (WardFhirSync *self)
{
  self->failing_since = 0;
}

static guint64
backoff_msec (WardFhirSync *self,
              int           attempts,
              gint64        retry_after_sec)
{
  guint64 delay = self->backoff_min_msec;

  for (int i = 0; i < attempts && delay < self->backoff_max_msec; i++)
    delay *= 2;
  delay = MIN (delay, self->backoff_max_msec);
  delay += g_random_int_range (0, (gint32) (delay / 4) + 1);
  if (retry_after_sec > 0)
    delay = MAX (delay, (guint64) retry_after_sec * 1000);

  return delay;
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
  g_clear_object (&self->template);
  g_clear_pointer (&self->versions, g_hash_table_unref);
  g_free (self->base_url);
  g_free (self->authorization);
  g_free (self->device_id);
  g_free (self->last_error);
  g_clear_pointer (&self->marks, g_array_unref);

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
  self->marks = g_array_new (FALSE, TRUE, sizeof (Mark));
  g_array_set_clear_func (self->marks, (GDestroyNotify) mark_clear);
  self->backoff_min_msec = 1000;
  self->backoff_max_msec = 5 * 60 * 1000;
  self->interval_msec = 1000;
  self->timeout_sec = 10;
  self->batch_size = DEFAULT_BATCH_SIZE;
  self->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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
ward_fhir_sync_set_template (WardFhirSync     *self,
                             WardFhirTemplate *template)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));
  g_return_if_fail (template == NULL || WARD_IS_FHIR_TEMPLATE (template));

  g_set_object (&self->template, template);
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

void
ward_fhir_sync_set_batch_size (WardFhirSync *self,
                               guint         batch_size)
{
  g_return_if_fail (WARD_IS_FHIR_SYNC (self));

  self->batch_size = MAX (batch_size, 1);
}

static JsonNode *
parse_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;

  return json_parser_steal_root (parser);
}

/* The local copy of a merged Observation becomes what the server has, so
 * that the next merges (the engine's, and ours with If-Match) start from
 * it.  When the engine has updated it since it was taken, that newer
 * version is merged into the server's copy instead (it goes next, with
 * the server's version).  Nothing is queued: the row is marked sent.
 */
static void
store_merged (WardFhirSync *self,
              const Mark   *mark)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) server_copy = NULL;
  g_autoptr(JsonNode) local = NULL;
  g_autoptr(JsonNode) merged = NULL;
  g_autofree char *local_json = NULL;
  g_autofree char *merged_json = NULL;
  gboolean replaced = FALSE;
  gint64 version = 0;

  if (!ward_store_replace_resource_json (self->store, "Observation", mark->id, mark->version,
                                         mark->merged_json, &replaced, &error))
    goto failed;
  if (replaced)
    return;

  local_json = ward_store_get_resource (self->store, "Observation", mark->id, &version, &error);
  if (local_json == NULL)
    goto failed;
  server_copy = parse_json (mark->merged_json);
  local = parse_json (local_json);
  if (server_copy == NULL || local == NULL)
    goto failed;
  merged = ward_fhir_template_merge_observations (self->template, server_copy, local, &error);
  if (merged == NULL)
    goto failed;
  merged_json = ward_fhir_template_to_json (merged);
  if (ward_store_replace_resource_json (self->store, "Observation", mark->id, version, merged_json,
                                        NULL, &error))
    return;

failed:
  /* The local copy lacks the server's values: the next send reads the
   * server's copy again rather than trusting our version of it.
   */
  g_debug ("The merged Observation is not stored locally: %s",
           error != NULL ? error->message : "not JSON");
  g_hash_table_remove (self->versions, mark->id);
}

/* Store writes.  Marks are kept in memory and written together, in one
 * short transaction: after each batch Bundle's answer, after SINGLE_TAKE
 * single answers, and when a cycle ends or stops.  A crash before that
 * only sends those rows again (PUT is idempotent); a transaction per
 * single PUT would cost an fsync per resource.
 */
static void
flush_marks (WardFhirSync *self)
{
  g_autoptr(GError) error = NULL;

  if (self->marks->len == 0)
    return;

  if (!ward_store_begin (self->store, &error))
    {
      g_critical ("FHIR sync: cannot begin a store write: %s", error->message);
      g_array_set_size (self->marks, 0);
      return;
    }
  for (guint i = 0; i < self->marks->len; i++)
    {
      const Mark *mark = &g_array_index (self->marks, Mark, i);
      gboolean ok = FALSE;

      switch (mark->kind)
        {
        case MARK_SENT:
          if (mark->merged_json != NULL)
            store_merged (self, mark);
          ok = ward_store_outbox_mark_sent (self->store, mark->seq, mark->version, mark->at,
                                            NULL, &error);
          break;
        case MARK_RETRY:
          ok = ward_store_outbox_mark_retry (self->store, mark->seq, mark->at, mark->reason,
                                             &error);
          break;
        case MARK_FAILED:
          ok = ward_store_outbox_mark_failed (self->store, mark->seq, mark->reason,
                                              mark->outcome_json, &error);
          break;
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        {
          g_critical ("FHIR sync: store write failed: %s", error->message);
          g_clear_error (&error);
        }
    }
  g_array_set_size (self->marks, 0);

  if (!ward_store_commit (self->store, &error))
    {
      g_critical ("FHIR sync: commit failed: %s", error->message);
      ward_store_rollback (self->store);
    }
}

static void
add_mark (WardFhirSync *self,
          MarkKind      kind,
          Item         *item,
          gint64        at,
          const char   *reason,
          const char   *outcome_json)
{
  Mark mark = {
    .kind = kind,
    .seq = item->seq,
    .version = item->version,
    .at = at,
    .reason = g_strdup (reason),
    .outcome_json = g_strdup (outcome_json),
  };

  if (kind == MARK_SENT && item->merged)
    {
      mark.id = g_strdup (item->id);
      mark.merged_json = g_strdup (item->json);
    }

  g_array_append_val (self->marks, mark);
}

static void
mark_sent (WardFhirSync *self,
           Item         *item)
{
  add_mark (self, MARK_SENT, item, sync_now (self), NULL, NULL);
  self->n_sent++;
  note_answer (self);
}

static void
mark_retry (WardFhirSync *self,
            Item         *item,
            gint64        retry_after_sec,
            const char   *reason)
{
  guint64 delay = backoff_msec (self, item->attempts, retry_after_sec);

  add_mark (self, MARK_RETRY, item, sync_now (self) + (gint64) delay * 1000, reason, NULL);
  self->n_retried++;
  g_debug ("%s: %s; retry in %" G_GUINT64_FORMAT " ms", item->resource_type, reason, delay);
  set_last_error (self, g_strdup (reason));
  note_transient_failure (self);
}

static void
mark_failed (WardFhirSync *self,
             Item         *item,
             const char   *reason,
             const char   *outcome_json)
{
  g_autofree char *missing_type = NULL;
  g_autofree char *missing_id = NULL;

  /* Refused for a reference to a resource we send too (its write failed
   * for now): retried, not parked (ward-fhir-references.c).
   */
  if (ward_fhir_outcome_missing_reference (outcome_json, &missing_type, &missing_id))
    {
      g_autofree char *ours = ward_store_get_resource (self->store, missing_type, missing_id,
                                                       NULL, NULL);
      gboolean shared_pending = FALSE;

      /* A Task shared between stations goes through the sharing layer's
       * own queue (ward-fhir-shared.c), not this outbox: what references
       * it waits until that queue has sent it.
       */
      if (ours == NULL &&
          ward_store_shared_is_pending (self->store, missing_type, missing_id, &shared_pending,
                                        NULL) &&
          shared_pending)
        {
          g_debug ("%s waits for the shared %s/%s", item->resource_type, missing_type, missing_id);
          mark_retry (self, item, 0, reason);
          return;
        }

      if (ours != NULL)
        {
          g_autoptr(GError) error = NULL;
          gboolean queued = FALSE;

          /* Not pending: the server had it and lost it (restored from
           * an older backup, a new server): it goes again, first.
           */
          if (!ward_store_outbox_requeue (self->store, missing_type, missing_id, sync_now (self),
                                          &queued, &error))
            g_debug ("Could not queue %s again: %s", missing_type, error->message);
          else if (queued)
            g_message ("The FHIR server does not have the %s that a %s references: sending it again",
                       missing_type, item->resource_type);
          mark_retry (self, item, 0, reason);
          return;
        }
    }

  add_mark (self, MARK_FAILED, item, 0, reason, outcome_json);
  self->n_parked++;
  note_answer (self);
  g_message ("A %s was rejected by the FHIR server and parked (wardwatch-cli stats counts them)",
             item->resource_type);
  set_last_error (self, g_strdup (reason));
}

/* Every item of a request retried, in one transaction. */
static void
retry_all (WardFhirSync *self,
           GPtrArray    *items,
           gint64        retry_after_sec,
           const char   *reason)
{
  for (guint i = 0; i < items->len; i++)
    mark_retry (self, g_ptr_array_index (items, i), retry_after_sec, reason);
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

static gboolean
is_transient (guint status)
{
  return status == SOUP_STATUS_REQUEST_TIMEOUT || status == STATUS_TOO_MANY_REQUESTS ||
         status == SOUP_STATUS_UNAUTHORIZED || status >= 500 || status < 400;
}

static char *
status_reason (guint     status,
               JsonNode *outcome)
{
  g_autofree char *why = outcome_reason (outcome);

  return why != NULL ? g_strdup_printf ("HTTP %u: %s", status, why)
                     : g_strdup_printf ("HTTP %u", status);
}

static gboolean
is_resource (JsonNode *root)
{
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
         json_object_has_member (json_node_get_object (root), "resourceType");
}

/* Ends this cycle; a full take starts the next one at once. */
static void
finish_cycle (WardFhirSync *self)
{
  gboolean again = self->take_full;

  flush_marks (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
  self->busy = FALSE;
  self->taken = FALSE;
  self->take_full = FALSE;
  self->bundle_due = FALSE;
  if (again)
    ward_fhir_sync_kick (self);
}

/* Stopping: what is in flight and the rest of the take stay pending. */
static void
abandon_cycle (WardFhirSync *self)
{
  flush_marks (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
  self->busy = FALSE;
  self->taken = FALSE;
  self->take_full = FALSE;
  self->bundle_due = FALSE;
}

/* Metadata, Device: a setup step failed for a transient reason.  The
 * cycle ends and the step is tried again after a backoff of its own.
 */
static void
setup_failed (WardFhirSync *self,
              char         *reason)
{
  guint64 delay = backoff_msec (self, self->setup_attempts++, 0);

  self->setup_next_at = sync_now (self) + (gint64) delay * 1000;
  g_debug ("FHIR sync setup: %s; again in %" G_GUINT64_FORMAT " ms", reason, delay);
  set_last_error (self, reason);
  note_transient_failure (self);
}

static void
handle_metadata (WardFhirSync *self,
                 guint         status,
                 JsonNode     *root)
{
  JsonObject *statement;
  JsonArray *rest;

  self->caps_tried = TRUE;
  if (status != SOUP_STATUS_OK || !is_resource (root))
    {
      /* No CapabilityStatement: single PUTs this cycle.  A server that
       * said no is not asked again this session; one that failed is,
       * next cycle.
       */
      if (!is_transient (status))
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
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (node), "interaction")))
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

  if ((status == SOUP_STATUS_OK || status == SOUP_STATUS_CREATED) && is_resource (root))
    {
      self->device_done = TRUE;
      self->device_version = item->version;
      self->setup_attempts = 0;
      g_debug ("Wardwatch Device registered on the FHIR server");
    }
  else if (is_transient (status))
    {
      setup_failed (self, status_reason (status, root));
    }
  else
    {
      /* Refused: its outbox row will be parked with the reason when it
       * is sent in turn; the rest goes on.
       */
      self->device_done = TRUE;
      set_last_error (self, status_reason (status, root));
      g_message ("The FHIR server refused Wardwatch's Device; sending the rest anyway");
    }
}

/* Versions of connector Observations */

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

static const char *
response_etag (SoupMessage *msg)
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
static char *
answer_version (JsonNode   *resource,
                const char *etag)
{
  const char *version = meta_version (resource);

  return version != NULL ? g_strdup (version) : version_of_etag (etag);
}

static void
remember_version (WardFhirSync *self,
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
static gboolean
server_has_ours (Item     *item,
                 JsonNode *server_copy)
{
  g_autoptr(JsonNode) ours = parse_json (item->local_json);
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
static gboolean
merge_into (WardFhirSync  *self,
            Item          *item,
            JsonNode      *server_copy,
            const char    *etag,
            GError       **error)
{
  g_autoptr(JsonNode) ours = parse_json (item->local_json);
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
  item->if_match = answer_version (server_copy, etag);
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
static gboolean
requeue_conflict (WardFhirSync *self,
                  Item         *item)
{
  self->n_conflicts++;
  g_hash_table_remove (self->versions, item->id);
  if (++item->conflicts > MAX_CONFLICTS)
    {
      g_autofree char *reason = g_strdup_printf ("HTTP 412: the Observation changed on the server "
                                                 "between our read and our write %d times",
                                                 item->conflicts);

      mark_retry (self, item, 0, reason);
      return FALSE;
    }

  g_debug ("Observation %s changed on the server meanwhile: merging again", item->id);
  reset_merge (item);
  g_queue_push_head (&self->queue, item);
  return TRUE;
}

/* Seconds the server asked to wait (Retry-After on 429 and 503), or 0. */
static gint64
retry_after_sec (Request *req,
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
static void
retry_or_park (WardFhirSync *self,
               Request      *req,
               Item         *item,
               guint         status,
               JsonNode     *root,
               const char   *data,
               gsize         len)
{
  g_autofree char *reason = status_reason (status, root);

  if (is_transient (status))
    {
      mark_retry (self, item, retry_after_sec (req, status), reason);
    }
  else
    {
      g_autofree char *why = outcome_reason (root);
      g_autofree char *outcome_json = NULL;

      if (why != NULL)
        outcome_json = g_strndup (data, len);
      mark_failed (self, item, reason, outcome_json);
    }
}

static void
handle_read (WardFhirSync *self,
             Request      *req,
             guint         status,
             JsonNode     *root,
             const char   *data,
             gsize         len)
{
  g_autoptr(Item) item = g_ptr_array_steal_index (req->items, 0);

  self->n_reads++;
  if (status == SOUP_STATUS_OK && is_resource (root) && server_has_ours (item, root))
    {
      mark_sent (self, item);
    }
  else if (status == SOUP_STATUS_OK && is_resource (root))
    {
      g_autoptr(GError) error = NULL;
      if (merge_into (self, item, root, response_etag (req->msg), &error))
        {
          g_queue_push_head (&self->queue, g_steal_pointer (&item));
          return;
        }

      {
        g_autofree char *reason = g_strdup_printf ("Cannot merge into the server's copy: %s",
                                                   error->message);

        mark_failed (self, item, reason, NULL);
      }
    }
  else if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    {
      /* None on the server: ours creates it. */
      item->read = TRUE;
      g_queue_push_head (&self->queue, g_steal_pointer (&item));
    }
  else if (status == SOUP_STATUS_OK)
    {
      mark_retry (self, item, 0, "HTTP 200 with a body that is not a FHIR resource");
    }
  else
    retry_or_park (self, req, item, status, root, data, len);
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
      if (is_resource (root))
        {
          if (item->merge)
            remember_version (self, item, answer_version (root, response_etag (req->msg)));
          mark_sent (self, item);
        }
      else
        {
          g_autofree char *reason = g_strdup_printf ("HTTP %u with a body that is not a FHIR resource",
                                                     status);
          mark_retry (self, item, 0, reason);
        }
    }
  else if (status == STATUS_PRECONDITION_FAILED && item->merge)
    {
      g_ptr_array_steal_index (req->items, 0);
      if (!requeue_conflict (self, item))
        item_free (item);
    }
  else
    retry_or_park (self, req, item, status, root, data, len);
}

/* The batch Bundle itself was refused: single PUTs from now on in this
 * session, starting with its rows.
 */
static void
fall_back_to_single (WardFhirSync *self,
                     Request      *req,
                     char         *reason)
{
  g_message ("The FHIR server refused a batch Bundle (%s); sending single PUTs", reason);
  set_last_error (self, reason);
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
  JsonObject *bundle = is_resource (root) ? json_node_get_object (root) : NULL;
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

  return is_resource (resource) ? resource : NULL;
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
      retry_all (self, req->items, 0, "HTTP 200 with a body that is not a FHIR Bundle");
      return NULL;
    }
  if (status != SOUP_STATUS_OK && is_transient (status))
    {
      g_autofree char *reason = status_reason (status, root);

      retry_all (self, req->items, retry_after_sec (req, status), reason);
      return NULL;
    }
  if (status != SOUP_STATUS_OK)
    {
      fall_back_to_single (self, req, status_reason (status, root));
      return NULL;
    }
  entries = response_entries (root, req->items->len);
  if (entries == NULL)
    fall_back_to_single (self, req,
                         g_strdup ("HTTP 200 without a batch-response of one entry per request"));

  return entries;
}

static void
handle_batch (WardFhirSync *self,
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
            remember_version (self, item,
                              answer_version (entry_resource (entry), entry_etag (entry)));
          mark_sent (self, item);
        }
      else if (entry_st == STATUS_PRECONDITION_FAILED && item->merge)
        {
          /* Read, merged and written again, one by one, this cycle. */
          req->items->pdata[i] = NULL;
          if (!requeue_conflict (self, item))
            item_free (item);
        }
      else if (entry_st == 0 || is_transient (entry_st))
        {
          g_autofree char *reason = entry_st != 0 ? status_reason (entry_st, outcome)
                                                  : g_strdup ("batch entry without a status");

          mark_retry (self, item, 0, reason);
        }
      else
        {
          g_autofree char *reason = status_reason (entry_st, outcome);
          g_autofree char *why = outcome_reason (outcome);
          g_autofree char *outcome_json = NULL;

          if (why != NULL)
            outcome_json = json_to_string (outcome, FALSE);
          mark_failed (self, item, reason, outcome_json);
        }
    }
}

/* The server's copies of the Observations to merge into, read in one
 * batch Bundle: each is merged and goes back into the queue for the PUT
 * Bundle.  A Bundle refused as a whole means single requests from now
 * on, as for PUTs.
 */
static void
handle_read_batch (WardFhirSync *self,
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
        outcome = json_object_get_member (json_object_get_object_member (entry, "response"), "outcome");

      if (entry_st == SOUP_STATUS_OK && entry_resource (entry) != NULL &&
          server_has_ours (item, entry_resource (entry)))
        {
          mark_sent (self, item);
        }
      else if (entry_st == SOUP_STATUS_OK && entry_resource (entry) != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *reason = NULL;

          if (merge_into (self, item, entry_resource (entry), entry_etag (entry), &error))
            {
              req->items->pdata[i] = NULL;
              g_queue_push_tail (&self->queue, item);
              continue;
            }
          reason = g_strdup_printf ("Cannot merge into the server's copy: %s", error->message);
          mark_failed (self, item, reason, NULL);
        }
      else if (entry_st == SOUP_STATUS_NOT_FOUND || entry_st == SOUP_STATUS_GONE)
        {
          item->read = TRUE;
          req->items->pdata[i] = NULL;
          g_queue_push_tail (&self->queue, item);
        }
      else if (entry_st == 0 || entry_st == SOUP_STATUS_OK || is_transient (entry_st))
        {
          g_autofree char *reason = entry_st == 0 ? g_strdup ("batch entry without a status")
                                                  : entry_st == SOUP_STATUS_OK
                                                  ? g_strdup ("batch entry 200 without a resource")
                                                  : status_reason (entry_st, outcome);

          mark_retry (self, item, 0, reason);
        }
      else
        {
          g_autofree char *reason = status_reason (entry_st, outcome);
          g_autofree char *why = outcome_reason (outcome);
          g_autofree char *outcome_json = NULL;

          if (why != NULL)
            outcome_json = json_to_string (outcome, FALSE);
          mark_failed (self, item, reason, outcome_json);
        }
    }
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
  if (bytes == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          abandon_cycle (self);
          return;
        }
      reason = g_strdup_printf ("network: %s", error->message);
      switch (req->kind)
        {
        case REQUEST_METADATA:
          self->caps_tried = TRUE;
          break;
        case REQUEST_DEVICE:
          setup_failed (self, g_steal_pointer (&reason));
          finish_cycle (self);
          return;
        case REQUEST_SINGLE:
        case REQUEST_BATCH:
        case REQUEST_READ:
        case REQUEST_READ_BATCH:
          retry_all (self, req->items, 0, reason);
          break;
        default:
          g_assert_not_reached ();
        }
      advance (self);
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
      start_request (self, g_steal_pointer (&req));
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
          finish_cycle (self);
          return;
        }
      break;
    case REQUEST_SINGLE:
      handle_single (self, req, status, root, data, len);
      break;
    case REQUEST_BATCH:
      handle_batch (self, req, status, root);
      break;
    case REQUEST_READ:
      handle_read (self, req, status, root, data, len);
      break;
    case REQUEST_READ_BATCH:
      handle_read_batch (self, req, status, root);
      break;
    default:
      g_assert_not_reached ();
    }

  if (req->kind == REQUEST_BATCH || self->marks->len >= SINGLE_TAKE)
    flush_marks (self);
  advance (self);
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
      set_last_error (self, g_strdup ("Invalid FHIR server URL"));
      g_critical ("FHIR sync: the server URL is not valid");
      finish_cycle (self);
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
      advance (self);
      return;
    case REQUEST_DEVICE:
      setup_failed (self, g_steal_pointer (&reason));
      break;
    case REQUEST_SINGLE:
    case REQUEST_BATCH:
    case REQUEST_READ:
    case REQUEST_READ_BATCH:
      {
        Item *rest;

        while ((rest = g_queue_pop_head (&self->queue)) != NULL)
          g_ptr_array_add (req->items, rest);
        retry_all (self, req->items, 0, reason);
        self->take_full = FALSE;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  finish_cycle (self);
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

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          abandon_cycle (self);
          return;
        }
      auth_failed (self, failed, error);
      return;
    }

  send_request (self, req, token);
}

/* Takes ownership of req. */
static void
start_request (WardFhirSync *self,
               Request      *req)
{
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

static Item *
item_new (const char *resource_type,
          const char *id,
          gint64      seq,
          gint64      version,
          int         attempts,
          char       *json)
{
  Item *item = g_new0 (Item, 1);

  item->seq = seq;
  item->resource_type = g_strdup (resource_type);
  item->id = g_strdup (id);
  item->version = version;
  item->attempts = attempts;
  item->json = json;
  return item;
}

/* An Observation with the connector's identifier (the vital signs the
 * FHIR destination mapping makes), which the connector writes too; not
 * what Wardwatch alone writes (the NEWS2 Observation has no such
 * identifier).  Only those that name the connector's system are parsed.
 */
static gboolean
is_connector_observation (WardFhirSync          *self,
                          const WardOutboxEntry *entry)
{
  g_autoptr(JsonNode) root = NULL;

  if (g_strcmp0 (entry->resource_type, "Observation") != 0 || entry->json == NULL)
    return FALSE;
  if (g_hash_table_contains (self->versions, entry->id))
    return TRUE;
  if (strstr (entry->json, WARD_FHIR_SERVICE_SYSTEM) == NULL)
    return FALSE;

  root = parse_json (entry->json);
  return root != NULL && ward_fhir_template_observation_identifier (root) != NULL;
}

static void
collect_cb (const WardOutboxEntry *entry,
            gpointer               user_data)
{
  WardFhirSync *self = user_data;

  /* The Device registered at the start of this session: its row is
   * already on the server.
   */
  if (self->device_version > 0 && entry->version <= self->device_version &&
      g_strcmp0 (entry->resource_type, "Device") == 0 &&
      g_strcmp0 (entry->id, self->device_id) == 0)
    {
      g_autoptr(Item) item = item_new (entry->resource_type, entry->id, entry->seq,
                                       entry->version, entry->attempts, NULL);

      mark_sent (self, item);
      return;
    }

  {
    Item *item = item_new (entry->resource_type, entry->id, entry->seq, entry->version,
                           entry->attempts, g_strdup (entry->json));

    if (is_connector_observation (self, entry))
      {
        const char *version = g_hash_table_lookup (self->versions, entry->id);

        item->merge = TRUE;
        item->local_json = g_strdup (entry->json);
        /* Written this session: our copy is the server's merged with what
         * we made since, so it goes with the server's version.
         */
        if (version != NULL)
          {
            item->if_match = g_strdup (version);
            item->read = TRUE;
          }
      }
    g_queue_push_tail (&self->queue, item);
  }
}

/* A take goes in the order of ward_fhir_resource_type_rank(): each type
 * after those its resources reference, in an earlier request or earlier
 * in the same batch Bundle (whose entries a server runs in order).
 */
static int
compare_take_order (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  const Item *item_a = a;
  const Item *item_b = b;
  guint rank_a = ward_fhir_resource_type_rank (item_a->resource_type);
  guint rank_b = ward_fhir_resource_type_rank (item_b->resource_type);

  return rank_a < rank_b ? -1 : rank_a > rank_b ? 1 : 0;
}

static gboolean
needs_read (Item *item)
{
  return item->merge && !item->read;
}

/* The Wardwatch Device as stored locally, or NULL when the engine has not
 * written it yet.
 */
static Item *
find_device (WardFhirSync *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gint64 version = 0;

  if (self->device_id == NULL)
    {
      g_autofree char *installation_id = ward_store_get_installation_id (self->store, &error);

      if (installation_id == NULL)
        {
          g_critical ("FHIR sync: no installation id: %s", error->message);
          self->device_done = TRUE;
          return NULL;
        }
      self->device_id = ward_fhir_device_id (installation_id);
    }

  json = ward_store_get_resource (self->store, "Device", self->device_id, &version, &error);
  if (json == NULL)
    {
      if (error != NULL)
        g_critical ("FHIR sync: reading the Device failed: %s", error->message);
      return NULL;
    }

  return item_new ("Device", self->device_id, 0, version, 0, g_steal_pointer (&json));
}

static char *
json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return json_to_string (node, FALSE);
}

/* A batch Bundle of GETs of the items' resources. */
static GBytes *
read_batch_body (GPtrArray *items)
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

static GBytes *
batch_body (WardFhirSync *self,
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

/* The next step of a cycle: the CapabilityStatement and the Device once
 * per session, then this cycle's rows, as batch Bundles or one by one.
 */
static void
advance (WardFhirSync *self)
{
  Request *req;
  Item *item;

  g_assert (self->busy);

  if (self->setup_next_at > sync_now (self))
    {
      finish_cycle (self);
      return;
    }

  if (!self->caps_known && !self->caps_tried)
    {
      start_request (self, request_new (self, REQUEST_METADATA));
      return;
    }

  if (!self->device_done)
    {
      item = find_device (self);
      if (item != NULL)
        {
          req = request_new (self, REQUEST_DEVICE);
          req->body = g_bytes_new (item->json, strlen (item->json));
          g_ptr_array_add (req->items, item);
          start_request (self, req);
          return;
        }
    }

  if (!self->taken)
    {
      g_autoptr(GError) error = NULL;
      guint limit = self->batch_allowed && self->batch_size > 1 ? self->batch_size : SINGLE_TAKE;

      self->taken = TRUE;
      self->last_pending = ward_store_outbox_get_n_pending (self->store, NULL);
      if (!ward_store_outbox_next (self->store, sync_now (self), limit, collect_cb, self, &error))
        {
          g_critical ("FHIR sync: reading the outbox failed: %s", error->message);
          g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
        }
      /* g_queue_sort() is a merge sort, stable: within a type the
       * outbox's order (the most overdue first) stays.
       */
      g_queue_sort (&self->queue, compare_take_order, NULL);
      self->take_full = g_queue_get_length (&self->queue) >= limit;
      self->bundle_due = self->batch_allowed && self->batch_size > 1 &&
                         g_queue_get_length (&self->queue) > 1;
      self->reads_sent = FALSE;
    }

  /* A batch Bundle of the take; first, one of GETs of the connector
   * Observations whose server version this session does not know.
   */
  if (self->bundle_due && !self->batch_allowed)
    self->bundle_due = FALSE;
  if (self->bundle_due && !self->reads_sent)
    {
      GList *l = self->queue.head;

      self->reads_sent = TRUE;
      req = request_new (self, REQUEST_READ_BATCH);
      while (l != NULL)
        {
          GList *next = l->next;

          if (needs_read (l->data))
            {
              g_ptr_array_add (req->items, l->data);
              g_queue_delete_link (&self->queue, l);
            }
          l = next;
        }
      if (req->items->len > 0)
        {
          req->body = read_batch_body (req->items);
          self->n_bundles++;
          start_request (self, req);
          return;
        }
      request_free (req);
    }
  if (self->bundle_due)
    {
      self->bundle_due = FALSE;
      if (g_queue_get_length (&self->queue) > 1)
        {
          req = request_new (self, REQUEST_BATCH);
          while ((item = g_queue_pop_head (&self->queue)) != NULL)
            g_ptr_array_add (req->items, item);
          req->body = batch_body (self, req->items);
          self->n_bundles++;
          start_request (self, req);
          return;
        }
    }

  item = g_queue_pop_head (&self->queue);
  if (item == NULL)
    {
      finish_cycle (self);
      return;
    }

  if (needs_read (item))
    {
      req = request_new (self, REQUEST_READ);
      g_ptr_array_add (req->items, item);
      start_request (self, req);
      return;
    }

  req = request_new (self, REQUEST_SINGLE);
  req->body = g_bytes_new (item->json, strlen (item->json));
  g_ptr_array_add (req->items, item);
  start_request (self, req);
}

static void
run_cycle (WardFhirSync *self)
{
  if (self->busy || self->session == NULL)
    return;

  self->busy = TRUE;
  self->taken = FALSE;
  self->take_full = FALSE;
  self->bundle_due = FALSE;
  self->caps_tried = FALSE;
  advance (self);
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
  /* A new session tries every pending row once, whatever backoff an
   * earlier one left (and whatever clock it counted on).
   */
  {
    g_autoptr(GError) error = NULL;
    gint64 n = ward_store_outbox_make_due (self->store, sync_now (self), &error);

    if (n < 0)
      g_warning ("Could not reschedule the FHIR outbox: %s", error->message);
    else if (n > 0)
      g_debug ("%" G_GINT64_FORMAT " outbox rows waiting for a retry are due now", n);
  }
  self->caps_known = FALSE;
  self->batch_allowed = FALSE;
  self->device_done = FALSE;
  self->device_version = 0;
  self->setup_attempts = 0;
  self->setup_next_at = 0;
  /* Versions are per session: after a restart each Observation is read
   * before it is written, whoever wrote it meanwhile.
   */
  g_hash_table_remove_all (self->versions);
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
  /* A full take kicks the next cycle: the last attempt goes on while
   * there is more and time is left.
   */
  while ((self->busy || self->kick_source != NULL) && !expired)
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

  flush_marks (self);
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

guint64
ward_fhir_sync_get_n_bundles (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), 0);
  return self->n_bundles;
}

guint64
ward_fhir_sync_get_n_reads (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), 0);
  return self->n_reads;
}

guint64
ward_fhir_sync_get_n_conflicts (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), 0);
  return self->n_conflicts;
}

gboolean
ward_fhir_sync_get_batch_allowed (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), FALSE);
  return self->batch_allowed && self->batch_size > 1;
}

gboolean
ward_fhir_sync_get_device_registered (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), FALSE);
  return self->device_version > 0;
}

char *
ward_fhir_sync_dup_last_error (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), NULL);
  return g_strdup (self->last_error);
}

gint64
ward_fhir_sync_get_failing_since (WardFhirSync *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SYNC (self), 0);
  return self->failing_since;
}
