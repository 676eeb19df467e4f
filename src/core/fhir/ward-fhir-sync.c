/* ward-fhir-sync.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync.h"
#include "ward-fhir-sync-private.h"

#include <string.h>

G_DEFINE_FINAL_TYPE (WardFhirSync, ward_fhir_sync, G_TYPE_OBJECT)

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
  g_clear_pointer (&self->in_flight, g_ptr_array_unref);

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
  self->in_flight = g_ptr_array_new ();
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

/* Versions of connector Observations */

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
  /* One connection per request in flight. */
  self->session = soup_session_new_with_options ("max-conns-per-host", MAX_IN_FLIGHT, NULL);
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
