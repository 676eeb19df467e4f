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

G_DEFINE_FINAL_TYPE (WardFhirShared, ward_fhir_shared, G_TYPE_OBJECT)

static void
shared_type_free (gpointer data)
{
  SharedType *type = data;

  if (type->destroy != NULL)
    type->destroy (type->user_data);
  g_free (type);
}

/* -- The cycle ------------------------------------------------------------ */

/* The writes the server has leave shared_outbox after the retention: a
 * bounded batch after a clean cycle, once an hour, or at each cycle
 * while a backlog remains (a station that ran for months before).
 */
#define PRUNE_INTERVAL_USEC ((gint64) 3600 * G_USEC_PER_SEC)
#define PRUNE_BATCH         500

static void
prune_done_writes (WardFhirShared *self)
{
  g_autoptr(GError) error = NULL;
  gint64 mono = g_get_monotonic_time ();
  gint64 n;

  if (!self->prune_backlog && self->pruned_at != 0 && mono - self->pruned_at < PRUNE_INTERVAL_USEC)
    return;

  self->pruned_at = mono;
  n = ward_store_shared_prune (self->store, g_get_real_time () - self->retention, PRUNE_BATCH,
                               &error);
  if (n < 0)
    {
      g_warning ("Cannot prune the shared writes done: %s", error->message);
      self->prune_backlog = FALSE;
      return;
    }
  self->n_pruned += n;
  self->prune_backlog = n == PRUNE_BATCH;
  if (n > 0)
    g_debug ("%" G_GINT64_FORMAT " shared writes done before the retention pruned", n);
}

void
_ward_fhir_shared_end_cycle (WardFhirShared *self)
{
  _ward_fhir_shared_clear_write (self);
  g_clear_pointer (&self->poll_mark, g_date_time_unref);
  g_clear_pointer (&self->page_since, g_date_time_unref);
  self->busy = FALSE;
  if (!self->cycle_failed && !self->flushing)
    prune_done_writes (self);
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
void
_ward_fhir_shared_fail_cycle (WardFhirShared *self,
                              const char     *what,
                              guint           status,
                              JsonObject     *body,
                              const GError   *error)
{
  g_autofree char *text = _ward_fhir_shared_describe_failure (status, body, error);
  g_autoptr(GError) store_error = NULL;

  _ward_fhir_shared_set_last_error (self, "%s: %s", what, text);
  if (self->seq != 0 &&
      !ward_store_shared_mark_attempt (self->store, self->seq, text, &store_error))
    g_warning ("Cannot record a shared write's attempt: %s", store_error->message);
  self->cycle_failed = TRUE;
  _ward_fhir_shared_end_cycle (self);
}

static void
cycle_begin (WardFhirShared *self)
{
  g_return_if_fail (!self->busy);

  self->busy = TRUE;
  self->cycle_failed = FALSE;
  self->merges = 0;
  _ward_fhir_shared_send_next (self);
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

/* A write of a shared type was queued by the store (a Flag the engine
 * wrote, a Communication of the care team): send it soon.
 */
static void
routed_write_queued (const char *resource_type,
                     const char *id,
                     gpointer    user_data)
{
  ward_fhir_shared_kick (user_data);
}

/* The types registered go to the sharing queue whenever this station
 * writes them, never to the FHIR outbox: one path per resource.
 */
static void
set_routes (WardFhirShared *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < self->type_names->len; i++)
    g_ptr_array_add (names, g_ptr_array_index (self->type_names, i));
  g_ptr_array_add (names, NULL);
  ward_store_shared_set_routes (self->store, (const char * const *) names->pdata,
                                routed_write_queued, self);
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

  _ward_fhir_shared_clear_write (self);
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
  self->retention = WARD_FHIR_SHARED_DEFAULT_RETENTION;
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
  if (self->started)
    set_routes (self);
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

  set_routes (self);

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
  if (self->store != NULL)
    ward_store_shared_set_routes (self->store, NULL, NULL, NULL);
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
      _ward_fhir_shared_clear_write (self);
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

void
ward_fhir_shared_set_retention (WardFhirShared *self,
                                GTimeSpan       retention)
{
  g_return_if_fail (WARD_IS_FHIR_SHARED (self));
  g_return_if_fail (retention >= 0);

  self->retention = retention;
}

guint64
ward_fhir_shared_get_n_pruned (WardFhirShared *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_SHARED (self), 0);
  return self->n_pruned;
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
