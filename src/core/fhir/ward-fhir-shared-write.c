/* ward-fhir-shared-write.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The write path of WardFhirShared: the pending writes in order, each a
 * PUT with If-Match; on 412 a GET and a merge.
 */

#define G_LOG_DOMAIN "ward-fhir-shared"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ward-fhir-shared-private.h"
#include "ward-fhir-references.h"
#include "ward-store-shared.h"

/* Merges per cycle before it gives up until the next one (two stations
 * racing on the same resource forever would otherwise never poll).
 */
#define MAX_MERGES_PER_CYCLE 10

void
_ward_fhir_shared_clear_write (WardFhirShared *self)
{
  self->seq = 0;
  g_clear_pointer (&self->resource_type, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->base_version, g_free);
  g_clear_pointer (&self->write_id, g_free);
  g_clear_pointer (&self->json, g_free);
  self->merged = FALSE;
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
  g_autofree char *text = _ward_fhir_shared_describe_failure (status, body, error);
  g_autoptr(GError) store_error = NULL;

  _ward_fhir_shared_set_last_error (self, "%s %s/%s: %s", what, self->resource_type, self->id, text);
  if (!ward_store_shared_mark_attempt (self->store, self->seq, text, &store_error))
    g_warning ("Cannot record a shared write's attempt: %s", store_error->message);
  self->cycle_failed = TRUE;
  _ward_fhir_shared_clear_write (self);
  /* At a clean stop the server does not answer: what is left waits for
   * the next start.
   */
  if (self->flushing)
    {
      _ward_fhir_shared_end_cycle (self);
      return;
    }
  self->poll_index = 0;
  _ward_fhir_shared_poll_type (self, NULL);
}

void
_ward_fhir_shared_apply (WardFhirShared *self,
                         const char     *resource_type,
                         JsonObject     *resource)
{
  SharedType *type = g_hash_table_lookup (self->types, resource_type);
  g_autofree char *station = ward_fhir_shared_dup_station (resource);

  self->n_applied++;
  if (type != NULL && type->apply != NULL)
    type->apply (resource_type, resource, station, type->user_data);
}

gboolean
_ward_fhir_shared_remember (WardFhirShared  *self,
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

  if (!_ward_fhir_shared_remember (self, self->resource_type, server_copy, &error) ||
      !ward_store_shared_mark_sent (self->store, self->seq, self->write_id,
                                    _ward_fhir_shared_meta_string (server_copy, "versionId"),
                                    g_get_real_time (), &done, &error))
    {
      _ward_fhir_shared_fail_cycle (self, "store", 0, NULL, error);
      return;
    }

  self->n_sent++;
  /* A merge's result is new here too; a plain write is what this station
   * already shows.
   */
  if (self->merged)
    _ward_fhir_shared_apply (self, self->resource_type, server_copy);

  _ward_fhir_shared_send_next (self);
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
          _ward_fhir_shared_fail_cycle (self, "store", 0, NULL, store_error);
          return;
        }
      _ward_fhir_shared_send_next (self);
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
      _ward_fhir_shared_send_next (self);
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

  if (!_ward_fhir_shared_remember (self, self->resource_type, body, &store_error))
    {
      _ward_fhir_shared_fail_cycle (self, "store", 0, NULL, store_error);
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
          _ward_fhir_shared_fail_cycle (self, "store", 0, NULL, store_error);
          return;
        }
      _ward_fhir_shared_send_next (self);
      return;
    }

  /* The local intent gives way to the server's copy. */
  if (!ward_store_shared_mark_ended (self->store, self->seq, FALSE, version, NULL,
                                     g_get_real_time (), &store_error))
    {
      _ward_fhir_shared_fail_cycle (self, "store", 0, NULL, store_error);
      return;
    }
  _ward_fhir_shared_apply (self, self->resource_type, body);
  _ward_fhir_shared_send_next (self);
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
    _ward_fhir_shared_handle_polled (self, self->resource_type, body);

  _ward_fhir_shared_send_next (self);
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
      g_autofree char *url = _ward_fhir_shared_resource_url (self, self->resource_type, self->id);

      _ward_fhir_shared_send_request (self, "GET", url, NULL, FALSE, NULL, current_read);
      return;
    }

  if (_ward_fhir_shared_status_is_transient (status) || status == 401 || waits_for_reference (self, body))
    {
      fail_write (self, "write", status, body, error);
      return;
    }

  /* Refused for good: parked with its reason, the next one goes. */
  {
    g_autofree char *text = _ward_fhir_shared_describe_failure (status, body, error);
    g_autofree char *url = NULL;
    g_autoptr(GError) store_error = NULL;

    g_warning ("The FHIR server refused shared %s/%s: %s", self->resource_type, self->id, text);
    _ward_fhir_shared_set_last_error (self, "write %s/%s: %s", self->resource_type, self->id, text);
    if (!ward_store_shared_mark_ended (self->store, self->seq, TRUE, NULL, text,
                                       g_get_real_time (), &store_error))
      {
        _ward_fhir_shared_fail_cycle (self, "store", 0, NULL, store_error);
        return;
      }
    url = _ward_fhir_shared_resource_url (self, self->resource_type, self->id);
    _ward_fhir_shared_send_request (self, "GET", url, NULL, FALSE, NULL, refreshed);
  }
}

static void
take_write (const WardSharedWrite *write,
            gpointer               user_data)
{
  WardFhirShared *self = user_data;

  _ward_fhir_shared_clear_write (self);
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

void
_ward_fhir_shared_send_next (WardFhirShared *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  gboolean found = FALSE;

  _ward_fhir_shared_clear_write (self);
  if (!ward_store_shared_next (self->store, take_write, self, &found, &error))
    {
      _ward_fhir_shared_fail_cycle (self, "store", 0, NULL, error);
      return;
    }
  if (!found)
    {
      if (self->flushing)
        {
          _ward_fhir_shared_end_cycle (self);
          return;
        }
      self->poll_index = 0;
      _ward_fhir_shared_poll_type (self, NULL);
      return;
    }

  if (!merge_before_write (self))
    {
      _ward_fhir_shared_send_next (self);
      return;
    }

  body = make_body (self, &error);
  if (body == NULL)
    {
      /* Cannot happen for what write() queued; never block the queue on it. */
      g_warning ("Shared write %s/%s is not JSON: %s", self->resource_type, self->id, error->message);
      ward_store_shared_mark_ended (self->store, self->seq, TRUE, NULL, error->message,
                                    g_get_real_time (), NULL);
      _ward_fhir_shared_send_next (self);
      return;
    }

  url = _ward_fhir_shared_resource_url (self, self->resource_type, self->id);
  _ward_fhir_shared_send_request (self, "PUT", url, self->base_version, self->base_version == NULL, body, put_done);
}
