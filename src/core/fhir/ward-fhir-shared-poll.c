/* ward-fhir-shared-poll.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The read path of WardFhirShared: a search per registered type,
 * _lastUpdated since the kept mark, page by page; what is newer than
 * the known copy is remembered and applied.
 */

#define G_LOG_DOMAIN "ward-fhir-shared"

#include "config.h"

#include <libsoup/soup.h>

#include "ward-fhir-shared-private.h"
#include "ward-store-shared.h"

#define MARK_KEY_PREFIX "fhir-shared-mark:"

static void poll_from     (WardFhirShared *self,
                           GDateTime      *since,
                           gboolean        inclusive);

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

void
_ward_fhir_shared_handle_polled (WardFhirShared *self,
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

  if (!_ward_fhir_shared_remember (self, resource_type, resource, &error))
    {
      g_warning ("Cannot remember shared %s/%s: %s", resource_type, id, error->message);
      return;
    }
  _ward_fhir_shared_apply (self, resource_type, resource);
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

      _ward_fhir_shared_fail_cycle (self, what, status == 200 ? 0 : status, body, error);
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
        _ward_fhir_shared_handle_polled (self, resource_type, resource);
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
        _ward_fhir_shared_poll_type (self, next);
      return;
    }

  self->poll_index++;
  g_clear_pointer (&self->poll_mark, g_date_time_unref);
  g_clear_pointer (&self->page_since, g_date_time_unref);
  _ward_fhir_shared_poll_type (self, NULL);
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
  _ward_fhir_shared_send_request (self, "GET", url, NULL, FALSE, NULL, poll_done);
}

/* Polls type poll_index: url is a next page, or NULL for the first. */
void
_ward_fhir_shared_poll_type (WardFhirShared *self,
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
          _ward_fhir_shared_end_cycle (self);
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

  _ward_fhir_shared_send_request (self, "GET", url, NULL, FALSE, NULL, poll_done);
}
