/* ward-fhir-sync-marks.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-sync"

#include "config.h"

#include "ward-fhir-sync-private.h"

#include "ward-fhir-references.h"
#include "ward-store-shared.h"

/* Answers become outbox marks: sent, retried after a backoff, or parked
 * with the server's reason.  The marks are written to the store together,
 * in one short transaction.
 */

void
_ward_fhir_sync_mark_clear (Mark *mark)
{
  g_free (mark->reason);
  g_free (mark->outcome_json);
  g_free (mark->id);
  g_free (mark->merged_json);
}

/* Whether the server is taking resources: a transient failure starts the
 * clock the window's warning shows; an answer that settles a row (sent,
 * or parked with the server's reason) stops it.
 */
static void
note_transient_failure (WardFhirSync *self)
{
  if (self->failing_since == 0)
    self->failing_since = MAX (_ward_fhir_sync_now (self), 1);
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
  server_copy = _ward_fhir_sync_parse_json (mark->merged_json);
  local = _ward_fhir_sync_parse_json (local_json);
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
 * short transaction: after each batch Bundle's answer, after MARKS_PER_FLUSH
 * single answers, and when a cycle ends or stops.  A crash before that
 * only sends those rows again (PUT is idempotent); a transaction per
 * single PUT would cost an fsync per resource.
 */
void
_ward_fhir_sync_flush_marks (WardFhirSync *self)
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

void
_ward_fhir_sync_mark_sent (WardFhirSync *self,
                           Item         *item)
{
  add_mark (self, MARK_SENT, item, _ward_fhir_sync_now (self), NULL, NULL);
  self->n_sent++;
  note_answer (self);
}

void
_ward_fhir_sync_mark_retry (WardFhirSync *self,
                            Item         *item,
                            gint64        retry_after_sec,
                            const char   *reason)
{
  guint64 delay = backoff_msec (self, item->attempts, retry_after_sec);

  add_mark (self, MARK_RETRY, item, _ward_fhir_sync_now (self) + (gint64) delay * 1000, reason,
            NULL);
  self->n_retried++;
  g_debug ("%s: %s; retry in %" G_GUINT64_FORMAT " ms", item->resource_type, reason, delay);
  _ward_fhir_sync_set_last_error (self, g_strdup (reason));
  note_transient_failure (self);
}

void
_ward_fhir_sync_mark_failed (WardFhirSync *self,
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
          _ward_fhir_sync_mark_retry (self, item, 0, reason);
          return;
        }

      if (ours != NULL)
        {
          g_autoptr(GError) error = NULL;
          gboolean queued = FALSE;

          /* Not pending: the server had it and lost it (restored from
           * an older backup, a new server): it goes again, first.
           */
          if (!ward_store_outbox_requeue (self->store, missing_type, missing_id,
                                          _ward_fhir_sync_now (self),
                                          &queued, &error))
            g_debug ("Could not queue %s again: %s", missing_type, error->message);
          else if (queued)
            g_message ("The FHIR server does not have the %s that a %s references: sending it again",
                       missing_type, item->resource_type);
          _ward_fhir_sync_mark_retry (self, item, 0, reason);
          return;
        }
    }

  add_mark (self, MARK_FAILED, item, 0, reason, outcome_json);
  self->n_parked++;
  note_answer (self);
  g_message ("A %s was rejected by the FHIR server and parked (wardwatch-cli stats counts them)",
             item->resource_type);
  _ward_fhir_sync_set_last_error (self, g_strdup (reason));
}

/* Every item of a request retried, in one transaction. */
void
_ward_fhir_sync_retry_all (WardFhirSync *self,
                           GPtrArray    *items,
                           gint64        retry_after_sec,
                           const char   *reason)
{
  for (guint i = 0; i < items->len; i++)
    _ward_fhir_sync_mark_retry (self, g_ptr_array_index (items, i), retry_after_sec, reason);
}

/* Metadata, Device: a setup step failed for a transient reason.  The
 * cycle ends and the step is tried again after a backoff of its own.
 */
void
_ward_fhir_sync_setup_failed (WardFhirSync *self,
                              char         *reason)
{
  guint64 delay = backoff_msec (self, self->setup_attempts++, 0);

  self->setup_next_at = _ward_fhir_sync_now (self) + (gint64) delay * 1000;
  g_debug ("FHIR sync setup: %s; again in %" G_GUINT64_FORMAT " ms", reason, delay);
  _ward_fhir_sync_set_last_error (self, reason);
  note_transient_failure (self);
}
