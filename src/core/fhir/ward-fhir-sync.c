/* ward-fhir-sync.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync.h"
#include "ward-fhir-sync-private.h"
#include "ward-fhir-references.h"

#include "ward-fhir-auth.h"
#include "ward-fhir-resources.h"
#include "ward-fhir-template.h"
#include "ward-store-shared.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <stdlib.h>
#include <string.h>

G_DEFINE_FINAL_TYPE (WardFhirSync, ward_fhir_sync, G_TYPE_OBJECT)

void
_ward_fhir_sync_item_free (Item *item)
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

gint64
_ward_fhir_sync_now (WardFhirSync *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);

  return g_get_real_time ();
}

void
_ward_fhir_sync_set_last_error (WardFhirSync *self,
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
  g_queue_clear_full (&self->queue, (GDestroyNotify) _ward_fhir_sync_item_free);

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
  g_array_set_clear_func (self->marks, (GDestroyNotify) _ward_fhir_sync_mark_clear);
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

JsonNode *
_ward_fhir_sync_parse_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;

  return json_parser_steal_root (parser);
}

/* Ends this cycle; a full take starts the next one at once. */
void
_ward_fhir_sync_finish_cycle (WardFhirSync *self)
{
  gboolean again = self->take_full;

  _ward_fhir_sync_flush_marks (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) _ward_fhir_sync_item_free);
  self->busy = FALSE;
  self->taken = FALSE;
  self->take_full = FALSE;
  self->bundle_due = FALSE;
  if (again)
    ward_fhir_sync_kick (self);
}

/* Stopping: what is in flight and the rest of the take stay pending. */
void
_ward_fhir_sync_abandon_cycle (WardFhirSync *self)
{
  _ward_fhir_sync_flush_marks (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) _ward_fhir_sync_item_free);
  self->busy = FALSE;
  self->taken = FALSE;
  self->take_full = FALSE;
  self->bundle_due = FALSE;
}

/* Versions of connector Observations */

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

      _ward_fhir_sync_mark_sent (self, item);
      return;
    }

  {
    Item *item = item_new (entry->resource_type, entry->id, entry->seq, entry->version,
                           entry->attempts, g_strdup (entry->json));

    if (_ward_fhir_sync_is_connector_observation (self, entry))
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

/* The next step of a cycle: the CapabilityStatement and the Device once
 * per session, then this cycle's rows, as batch Bundles or one by one.
 */
void
_ward_fhir_sync_advance (WardFhirSync *self)
{
  Request *req;
  Item *item;

  g_assert (self->busy);

  if (self->setup_next_at > _ward_fhir_sync_now (self))
    {
      _ward_fhir_sync_finish_cycle (self);
      return;
    }

  if (!self->caps_known && !self->caps_tried)
    {
      _ward_fhir_sync_start_request (self, _ward_fhir_sync_request_new (self, REQUEST_METADATA));
      return;
    }

  if (!self->device_done)
    {
      item = find_device (self);
      if (item != NULL)
        {
          req = _ward_fhir_sync_request_new (self, REQUEST_DEVICE);
          req->body = g_bytes_new (item->json, strlen (item->json));
          g_ptr_array_add (req->items, item);
          _ward_fhir_sync_start_request (self, req);
          return;
        }
    }

  if (!self->taken)
    {
      g_autoptr(GError) error = NULL;
      guint limit = self->batch_allowed && self->batch_size > 1 ? self->batch_size : SINGLE_TAKE;

      self->taken = TRUE;
      self->last_pending = ward_store_outbox_get_n_pending (self->store, NULL);
      if (!ward_store_outbox_next (self->store, _ward_fhir_sync_now (self), limit, collect_cb, self, &error))
        {
          g_critical ("FHIR sync: reading the outbox failed: %s", error->message);
          g_queue_clear_full (&self->queue, (GDestroyNotify) _ward_fhir_sync_item_free);
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
      req = _ward_fhir_sync_request_new (self, REQUEST_READ_BATCH);
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
          req->body = _ward_fhir_sync_read_batch_body (req->items);
          self->n_bundles++;
          _ward_fhir_sync_start_request (self, req);
          return;
        }
      _ward_fhir_sync_request_free (req);
    }
  if (self->bundle_due)
    {
      self->bundle_due = FALSE;
      if (g_queue_get_length (&self->queue) > 1)
        {
          req = _ward_fhir_sync_request_new (self, REQUEST_BATCH);
          while ((item = g_queue_pop_head (&self->queue)) != NULL)
            g_ptr_array_add (req->items, item);
          req->body = _ward_fhir_sync_batch_body (self, req->items);
          self->n_bundles++;
          _ward_fhir_sync_start_request (self, req);
          return;
        }
    }

  item = g_queue_pop_head (&self->queue);
  if (item == NULL)
    {
      _ward_fhir_sync_finish_cycle (self);
      return;
    }

  if (needs_read (item))
    {
      req = _ward_fhir_sync_request_new (self, REQUEST_READ);
      g_ptr_array_add (req->items, item);
      _ward_fhir_sync_start_request (self, req);
      return;
    }

  req = _ward_fhir_sync_request_new (self, REQUEST_SINGLE);
  req->body = g_bytes_new (item->json, strlen (item->json));
  g_ptr_array_add (req->items, item);
  _ward_fhir_sync_start_request (self, req);
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
  _ward_fhir_sync_advance (self);
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
    gint64 n = ward_store_outbox_make_due (self->store, _ward_fhir_sync_now (self), &error);

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

  _ward_fhir_sync_flush_marks (self);
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
