/* ward-engine-identify.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Stage 5, identity: messages held for a FHIR server's answer.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

void
_ward_engine_held_message_free (gpointer data)
{
  HeldMessage *held = data;

  g_ptr_array_unref (held->items);
  g_free (held->device_id);
  g_free (held);
}

/* Stage 5 with a FHIR server (identity lookup or create): a message
 * waits while the server has not answered for one of its devices, or
 * while earlier messages of that device wait, so that a device's
 * messages are stored in the order they came.  Devices in the bed map
 * never wait.
 */
gboolean
_ward_engine_hold_for_identity (WardEngine *self,
                                gint64      raw_id,
                                GPtrArray  *items,
                                gint64      received_at)
{
  const char *waiting = NULL;
  HeldMessage *held;

  if (self->identity == NULL)
    return FALSE;

  for (guint i = 0; i < items->len && waiting == NULL; i++)
    {
      const WardNormalized *item = g_ptr_array_index (items, i);
      WardDevice *d;

      if (item->device_id == NULL)
        continue;
      d = ward_ward_model_lookup_device (&self->model, item->device_id);
      if (d != NULL && d->patient != NULL)
        continue;
      if (g_hash_table_contains (self->held_devices, item->device_id) ||
          ward_identity_resolve (self->identity, item->device_id, item->patient_id, received_at,
                                 NULL) == WARD_IDENTITY_PENDING)
        waiting = item->device_id;
    }

  if (waiting == NULL)
    return FALSE;

  held = g_new0 (HeldMessage, 1);
  held->raw_id = raw_id;
  held->items = g_ptr_array_ref (items);
  held->received_at = received_at;
  held->device_id = g_strdup (waiting);
  g_queue_push_tail (&self->held, held);
  g_hash_table_insert (self->held_devices, g_strdup (waiting),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->held_devices,
                                                                                waiting)) + 1));
  return TRUE;
}

/* The patient the FHIR server names for a device not in the bed map, if
 * that patient is on this ward: matched by the Patient's id or any of
 * its identifier values.  Otherwise NULL, and why.
 */
WardPatient *
_ward_engine_identity_patient (WardEngine            *self,
                               const WardNormalized  *item,
                               gint64                 now,
                               char                 **birth_date,
                               char                 **device_server_id,
                               char                 **why)
{
  g_autoptr(WardIdentityAnswer) answer = NULL;
  WardIdentityState state;

  state = ward_identity_resolve (self->identity, item->device_id, item->patient_id, now, &answer);
  if (state == WARD_IDENTITY_RESOLVED)
    {
      for (guint i = 0; answer->patient_keys != NULL && answer->patient_keys[i] != NULL; i++)
        {
          WardPatient *p = ward_ward_model_lookup_patient (&self->model, answer->patient_keys[i]);

          if (p != NULL)
            {
              /* Patient context from the server; a value that is not a
               * date is no context.
               */
              if (ward_birth_date_is_valid (answer->birth_date))
                *birth_date = g_strdup (answer->birth_date);
              /* The server's ids are what our resources reference; the
               * open window is scored again to carry the Patient's.
               */
              if (answer->patient_id != NULL && g_strcmp0 (p->server_id, answer->patient_id) != 0)
                {
                  g_free (p->server_id);
                  p->server_id = g_strdup (answer->patient_id);
                  p->dirty = TRUE;
                }
              *device_server_id = g_strdup (answer->device_resource_id);
              return p;
            }
        }
      *why = g_strdup_printf ("device %s belongs to Patient/%s on the FHIR server, "
                              "who is not in a bed on this ward", item->device_id,
                              answer->patient_id);
    }
  else if (state == WARD_IDENTITY_FAILED && answer != NULL)
    *why = g_strdup (answer->reason);
  else
    *why = g_strdup_printf ("device %s: no answer from the FHIR server", item->device_id);

  return NULL;
}

/* Held messages whose devices have their answer now, in the order they
 * came; the others wait on.
 */
gboolean
_ward_engine_release_held (WardEngine  *self,
                           GError     **error)
{
  GQueue waiting = self->held;
  HeldMessage *held;

  /* Nothing can have changed for them without an answer or an
   * assignment: no need to look through a long queue at every tick.
   */
  if (g_queue_is_empty (&self->held) || !self->held_ready)
    return TRUE;

  self->held_ready = FALSE;
  g_queue_init (&self->held);
  g_hash_table_remove_all (self->held_devices);

  while ((held = g_queue_pop_head (&waiting)) != NULL)
    {
      if (!_ward_engine_hold_for_identity (self, held->raw_id, held->items, held->received_at))
        {
          if (!_ward_engine_store_normalized (self, held->raw_id, held->items, held->received_at, NULL, NULL,
                                              error) ||
              !ward_store_mark_processed (self->store, held->raw_id, held->received_at, error))
            {
              /* The batch rolls back: this message and the rest wait on
               * (and are in the store, unprocessed, for the next start).
               */
              g_queue_push_head (&waiting, held);
              while ((held = g_queue_pop_head (&waiting)) != NULL)
                g_queue_push_tail (&self->held, held);
              return FALSE;
            }
        }
      _ward_engine_held_message_free (held);
    }

  return TRUE;
}

static void
identity_answered_cb (gpointer user_data)
{
  WardEngine *self = user_data;

  self->held_ready = TRUE;
}

void
ward_engine_set_identity (WardEngine   *self,
                          WardIdentity *identity)
{
  g_return_if_fail (WARD_IS_ENGINE (self));
  g_return_if_fail (identity == NULL || WARD_IS_IDENTITY (identity));

  if (identity != NULL && ward_identity_get_mode (identity) == WARD_IDENTITY_MODE_LOCAL)
    identity = NULL;
  if (self->identity != NULL)
    ward_identity_set_notify (self->identity, NULL, NULL);
  g_set_object (&self->identity, identity);
  if (identity != NULL)
    ward_identity_set_notify (identity, G_CALLBACK (identity_answered_cb), self);
  /* The identifiers a Patient created on the server carries. */
  for (guint i = 0; identity != NULL && i < self->model.patients->len; i++)
    {
      WardPatient *p = g_ptr_array_index (self->model.patients, i);

      if (p->fhir_identifiers != NULL)
        ward_identity_set_patient_identifiers (identity, p->patient_id, p->fhir_identifiers);
    }
  self->held_ready = TRUE;
}

guint
ward_engine_get_n_held (WardEngine *self)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), 0);

  return g_queue_get_length (&self->held);
}
