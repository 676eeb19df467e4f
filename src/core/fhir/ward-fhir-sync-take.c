/* ward-fhir-sync-take.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync-private.h"

#include "ward-fhir-references.h"
#include "ward-fhir-resources.h"

#include <string.h>

/* The outbox take and its order: a cycle takes the due rows, sorts them so
 * that each type goes after those it references, and sends them step by
 * step: the CapabilityStatement and the Device once per session first,
 * then the rows as batch Bundles or one by one.
 */

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

/* Ends this cycle; a full take starts the next one at once.  With
 * requests still in flight it ends when the last is answered (each answer
 * advances the cycle, which comes back here).
 */
void
_ward_fhir_sync_finish_cycle (WardFhirSync *self)
{
  gboolean again = self->take_full;

  if (self->in_flight->len > 0)
    return;

  _ward_fhir_sync_flush_marks (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) _ward_fhir_sync_item_free);
  self->busy = FALSE;
  self->taken = FALSE;
  self->take_full = FALSE;
  self->bundle_due = FALSE;
  if (again)
    ward_fhir_sync_kick (self);
}

/* Stopping: what is in flight and the rest of the take stay pending.
 * Called when the last request in flight was cancelled.
 */
void
_ward_fhir_sync_abandon_cycle (WardFhirSync *self)
{
  g_assert (self->in_flight->len == 0);

  _ward_fhir_sync_flush_marks (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) _ward_fhir_sync_item_free);
  self->busy = FALSE;
  self->taken = FALSE;
  self->take_full = FALSE;
  self->bundle_due = FALSE;
}

static int
compare_order (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const Item *item_a = a;
  const Item *item_b = b;

  return item_a->order < item_b->order ? -1 : item_a->order > item_b->order ? 1 : 0;
}

/* Back into the queue at its place in the take, after a read. */
void
_ward_fhir_sync_queue_insert (WardFhirSync *self,
                              Item         *item)
{
  g_queue_insert_sorted (&self->queue, item, compare_order, NULL);
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

typedef struct
{
  WardFhirSync *self;
  GHashTable   *held;     /* seqs taken earlier this cycle and not answered yet, or NULL */
  guint         n_rows;   /* rows the query returned, held ones too */
} Take;

static void
collect_cb (const WardOutboxEntry *entry,
            gpointer               user_data)
{
  Take *take = user_data;
  WardFhirSync *self = take->self;

  take->n_rows++;
  /* In flight or queued from the take before: still pending in the
   * store until its answer is marked, and sent once.
   */
  if (take->held != NULL && g_hash_table_contains (take->held, &entry->seq))
    return;

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

/* Whether the row's PUT may go while other requests are in flight: not
 * before the answer to a row earlier in the take that is still being
 * read (the PUTs keep the take's order), nor before the answer for a
 * resource it references (a strict server would refuse it; a mention of
 * its "Type/id" anywhere in the JSON is enough to wait).
 */
static gboolean
may_send (WardFhirSync *self,
          Item         *item)
{
  for (guint i = 0; i < self->in_flight->len; i++)
    {
      Request *req = g_ptr_array_index (self->in_flight, i);

      for (guint j = 0; j < req->items->len; j++)
        {
          const Item *other = g_ptr_array_index (req->items, j);
          g_autofree char *reference = NULL;

          if (other == NULL)
            continue;
          if (req->kind == REQUEST_READ)
            {
              if (other->order < item->order)
                return FALSE;
              continue;
            }
          reference = g_strconcat (other->resource_type, "/", other->id, NULL);
          if (item->json != NULL && strstr (item->json, reference) != NULL)
            return FALSE;
        }
    }

  return TRUE;
}

/* Reads up to @limit due rows into the queue, in the order they go.
 * @held: the seqs of rows this cycle took before and has not answered
 * yet (in flight, or back in the queue after a conflict), which are
 * still pending in the store: they are skipped, and the query reads that
 * many more.
 */
static void
take_rows (WardFhirSync *self,
           guint         limit,
           GHashTable   *held)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GQueue) taken = g_queue_new ();
  guint n_held = held != NULL ? g_hash_table_size (held) : 0;
  Take take = { self, held, 0 };
  GQueue before = self->queue;

  /* The new rows are sorted among themselves, after those queued. */
  g_queue_init (&self->queue);
  self->last_pending = ward_store_outbox_get_n_pending (self->store, NULL);
  if (!ward_store_outbox_next (self->store, _ward_fhir_sync_now (self), limit + n_held,
                               collect_cb, &take, &error))
    {
      g_critical ("FHIR sync: reading the outbox failed: %s", error->message);
      g_queue_clear_full (&self->queue, (GDestroyNotify) _ward_fhir_sync_item_free);
      take.n_rows = 0;
    }
  /* g_queue_sort() is a merge sort, stable: within a type the
   * outbox's order (the most overdue first) stays.
   */
  g_queue_sort (&self->queue, compare_take_order, NULL);
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    ((Item *) l->data)->order = self->next_order++;
  *taken = self->queue;
  self->queue = before;
  while (!g_queue_is_empty (taken))
    g_queue_push_tail (&self->queue, g_queue_pop_head (taken));
  self->take_full = take.n_rows >= limit + n_held;
}

/* Single PUTs: the next rows are taken while the last of this take are
 * still in flight, so that the server always has the next request
 * waiting instead of going idle while a cycle ends and the next one
 * starts.  The answered rows' marks are written first (nothing is
 * pending in the store that is not in flight or queued), and the rows
 * in flight are skipped: each row goes once.
 */
static void
refill (WardFhirSync *self)
{
  g_autoptr(GHashTable) held = g_hash_table_new (g_int64_hash, g_int64_equal);

  _ward_fhir_sync_flush_marks (self);
  for (guint i = 0; i < self->in_flight->len; i++)
    {
      Request *req = g_ptr_array_index (self->in_flight, i);

      for (guint j = 0; j < req->items->len; j++)
        {
          Item *item = g_ptr_array_index (req->items, j);

          if (item != NULL)
            g_hash_table_add (held, &item->seq);
        }
    }
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    g_hash_table_add (held, &((Item *) l->data)->seq);

  take_rows (self, SINGLE_TAKE, held);
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
      guint limit = self->batch_allowed && self->batch_size > 1 ? self->batch_size : SINGLE_TAKE;

      self->taken = TRUE;
      self->next_order = 0;
      take_rows (self, limit, NULL);
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

  /* Single requests, up to MAX_IN_FLIGHT at once.  The PUTs go in the
   * take's order; the GETs of connector Observations go ahead of their
   * turn, since a read changes nothing on the server.
   */
  while (self->busy && self->in_flight->len < MAX_IN_FLIGHT)
    {
      GList *l;

      item = g_queue_peek_head (&self->queue);
      if (item == NULL && self->take_full && !(self->batch_allowed && self->batch_size > 1))
        {
          refill (self);
          item = g_queue_peek_head (&self->queue);
        }
      if (item == NULL)
        break;

      if (!needs_read (item) && may_send (self, item))
        {
          g_queue_pop_head (&self->queue);
          req = _ward_fhir_sync_request_new (self, REQUEST_SINGLE);
          req->body = g_bytes_new (item->json, strlen (item->json));
          g_ptr_array_add (req->items, item);
          _ward_fhir_sync_start_request (self, req);
          continue;
        }

      /* The first row to read; its answer puts it back in its place. */
      for (l = self->queue.head; l != NULL && !needs_read (l->data); l = l->next)
        ;
      if (l == NULL)
        break;
      item = l->data;
      g_queue_delete_link (&self->queue, l);
      req = _ward_fhir_sync_request_new (self, REQUEST_READ);
      g_ptr_array_add (req->items, item);
      _ward_fhir_sync_start_request (self, req);
    }

  if (self->busy && self->in_flight->len == 0 && g_queue_is_empty (&self->queue))
    _ward_fhir_sync_finish_cycle (self);
}
