/* ward-store-shared-route.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Which of this connection's FHIR writes go to the sharing queue
 * (shared_outbox) rather than to the FHIR outbox.  A routed type is put
 * in fhir_resources and queued for sharing by the same
 * ward_store_put_resource() call, in the caller's transaction: the
 * resource is queued once, by one path, and a crash keeps both or
 * neither.
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-shared.h"
#include "ward-store-private.h"

void
ward_store_shared_set_routes (WardStore                 *self,
                              const char * const        *resource_types,
                              WardStoreSharedQueuedFunc  queued,
                              gpointer                   user_data)
{
  g_return_if_fail (WARD_IS_STORE (self));

  g_clear_pointer (&self->shared_routes, g_hash_table_unref);
  self->shared_queued = NULL;
  self->shared_queued_data = NULL;
  if (resource_types == NULL || resource_types[0] == NULL)
    return;

  self->shared_routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; resource_types[i] != NULL; i++)
    g_hash_table_add (self->shared_routes, g_strdup (resource_types[i]));
  self->shared_queued = queued;
  self->shared_queued_data = user_data;
}

gboolean
ward_store_shared_is_routed (WardStore  *self,
                             const char *resource_type)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  return self->shared_routes != NULL && resource_type != NULL &&
         g_hash_table_contains (self->shared_routes, resource_type);
}

gboolean
_ward_store_shared_queue_local (WardStore   *self,
                                const char  *resource_type,
                                const char  *id,
                                const char  *json,
                                gint64       at,
                                GError     **error)
{
  g_autofree char *known = NULL;
  g_autofree char *write_id = NULL;

  /* On the server's copy last seen; a write still pending keeps its own
   * base and takes this content (the newest local state).
   */
  if (!ward_store_shared_get_known (self, resource_type, id, &known, NULL, error))
    return FALSE;
  write_id = g_uuid_string_random ();
  if (!ward_store_shared_queue (self, resource_type, id, known, write_id, json, at, NULL, error))
    return FALSE;

  if (self->shared_routes != NULL && self->shared_queued != NULL &&
      g_hash_table_contains (self->shared_routes, resource_type))
    self->shared_queued (resource_type, id, self->shared_queued_data);

  return TRUE;
}
