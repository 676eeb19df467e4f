/* ward-engine-map.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Stage 4, device mapping, and the entry points of a message (ingest,
 * archived, mapped, pending).
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

struct _WardMapped
{
  GPtrArray  *items;   /* WardNormalized */
  const char *stage;   /* of the error */
  GError     *error;
  char       *problems; /* HL7: OBX skipped or times guessed, or NULL */
};

void
ward_mapped_free (WardMapped *mapped)
{
  if (mapped == NULL)
    return;

  g_clear_pointer (&mapped->items, g_ptr_array_unref);
  g_clear_error (&mapped->error);
  g_clear_pointer (&mapped->problems, g_free);
  g_free (mapped);
}

/* Stage 4, device mapping by content type: the IoMT device template for
 * JSON, the HL7 mapper for HL7 v2.  It touches no store, so the pipeline
 * can run it before it takes the write lock.
 */
WardMapped *
ward_engine_map_message (WardEngine *self,
                         const char *content_type,
                         const char *device_id_hint,
                         const char *payload,
                         gsize       length,
                         gint64      received_at)
{
  WardMapped *mapped;

  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  mapped = g_new0 (WardMapped, 1);
  mapped->items = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
  mapped->stage = "mapping";

  if (content_type == NULL || g_strcmp0 (content_type, WARD_CONTENT_TYPE_JSON) == 0)
    {
      g_autoptr(JsonNode) message = NULL;
      g_autoptr(JsonNode) wrapped = NULL;

      message = ward_device_template_parse_message (payload, length, &mapped->error);
      if (message == NULL)
        mapped->stage = "parse";
      else
        {
          /* As the MedTech service does with every Event Hub message. */
          wrapped = ward_device_template_wrap_message (message);
          ward_device_template_map (self->device_template, wrapped, device_id_hint, received_at,
                                    mapped->items, &mapped->error);
        }
    }
  else if (g_strcmp0 (content_type, WARD_CONTENT_TYPE_HL7V2) == 0)
    {
      g_auto(WardHl7MessageInfo) info = { 0 };
      g_autoptr(GString) warnings = g_string_new (NULL);
      g_autoptr(GString) problems = g_string_new (NULL);
      GPtrArray *hl7_items;

      hl7_items = ward_hl7_map_message_full (payload, length, received_at, &info, warnings,
                                             problems, &mapped->error);
      if (hl7_items == NULL)
        {
          if (g_error_matches (mapped->error, WARD_HL7_ERROR, WARD_HL7_ERROR_TOO_LARGE) ||
              g_error_matches (mapped->error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX) ||
              g_error_matches (mapped->error, WARD_HL7_ERROR, WARD_HL7_ERROR_CHARSET))
            mapped->stage = "parse";
        }
      else
        {
          g_ptr_array_unref (mapped->items);
          mapped->items = hl7_items;
        }
      /* Unknown and vendor-private codes are expected: logged, skipped. */
      if (warnings->len > 0)
        g_debug ("HL7 message skipped codes: %s", warnings->str);
      /* What it lost or guessed is recorded on the message. */
      if (problems->len > 0)
        {
          g_string_truncate (problems, problems->len - 1);
          mapped->problems = g_string_free (g_steal_pointer (&problems), FALSE);
        }
    }
  else
    {
      g_set_error (&mapped->error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_PARSE,
                   "no device mapping for content type %s", content_type);
    }

  return mapped;
}

/* What device mapping skipped or guessed in a message it mapped: the
 * message is partial, and the reason is kept as a dead letter at stage
 * mapping, as values refused at validation are.
 */
static gboolean
record_problems (WardEngine         *self,
                 gint64              raw_id,
                 const WardMapped   *mapped,
                 gint64              received_at,
                 WardIngestOutcome  *outcome,
                 char              **reason,
                 GError            **error)
{
  g_autofree char *text = NULL;

  if (mapped->problems == NULL)
    return TRUE;

  text = reason != NULL && *reason != NULL ? g_strdup_printf ("%s\n%s", *reason, mapped->problems)
                                           : g_strdup (mapped->problems);
  _ward_engine_set_outcome (outcome, reason,
                            outcome == NULL || *outcome == WARD_INGEST_ACCEPTED ? WARD_INGEST_PARTIAL : *outcome,
                            text);

  return _ward_engine_dead_letter (self, raw_id, "mapping", mapped->problems, received_at, error);
}

/* Stages 5 to 9 for what mapping made of one archived raw message. */
static gboolean
store_mapped (WardEngine         *self,
              gint64              raw_id,
              const WardMapped   *mapped,
              gint64              received_at,
              WardIngestOutcome  *outcome,
              char              **reason,
              GError            **error)
{
  if (mapped->error != NULL)
    {
      _ward_engine_set_outcome (outcome, reason, WARD_INGEST_REJECTED, mapped->error->message);
      return _ward_engine_dead_letter (self, raw_id, mapped->stage, mapped->error->message, received_at, error);
    }

  /* Every OBX of an HL7 message skipped: what was wrong with them is
   * the reason.
   */
  if (mapped->problems != NULL && mapped->items->len == 0)
    {
      _ward_engine_set_outcome (outcome, reason, WARD_INGEST_REJECTED, mapped->problems);
      return _ward_engine_dead_letter (self, raw_id, "mapping", mapped->problems, received_at, error);
    }

  return _ward_engine_store_normalized (self, raw_id, mapped->items, received_at, outcome, reason, error) &&
         record_problems (self, raw_id, mapped, received_at, outcome, reason, error);
}

gboolean
ward_engine_process_mapped (WardEngine         *self,
                            gint64              raw_id,
                            const WardMapped   *mapped,
                            gint64              received_at,
                            WardIngestOutcome  *outcome,
                            char              **reason,
                            GError            **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (raw_id > 0, FALSE);
  g_return_val_if_fail (mapped != NULL, FALSE);

  self->counters.messages++;

  /* Kept archived and unprocessed until the FHIR server names the
   * device's patient (a restart maps it again).
   */
  if (mapped->error == NULL && _ward_engine_hold_for_identity (self, raw_id, mapped->items, received_at))
    {
      _ward_engine_set_outcome (outcome, reason, WARD_INGEST_ACCEPTED,
                                "archived; waiting for the FHIR server to name the device's patient");
      return record_problems (self, raw_id, mapped, received_at, outcome, reason, error);
    }

  return store_mapped (self, raw_id, mapped, received_at, outcome, reason, error) &&
         ward_store_mark_processed (self->store, raw_id, received_at, error);
}

gboolean
ward_engine_process_archived (WardEngine         *self,
                              gint64              raw_id,
                              const char         *content_type,
                              const char         *device_id_hint,
                              const char         *payload,
                              gsize               length,
                              gint64              received_at,
                              WardIngestOutcome  *outcome,
                              char              **reason,
                              GError            **error)
{
  g_autoptr(WardMapped) mapped = NULL;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (raw_id > 0, FALSE);

  mapped = ward_engine_map_message (self, content_type, device_id_hint, payload, length, received_at);
  return ward_engine_process_mapped (self, raw_id, mapped, received_at, outcome, reason, error);
}

gboolean
ward_engine_ingest (WardEngine         *self,
                    const char         *source,
                    const char         *content_type,
                    const char         *device_id_hint,
                    const char         *payload,
                    gsize               length,
                    gint64              received_at,
                    WardIngestOutcome  *outcome,
                    char              **reason,
                    GError            **error)
{
  gint64 raw_id;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  /* Stage 3: the raw copy first, so nothing that arrived is ever lost. */
  raw_id = ward_store_add_raw_message (self->store, received_at, source, content_type,
                                       device_id_hint, payload, length, error);
  if (raw_id == 0)
    return FALSE;

  return ward_engine_process_archived (self, raw_id, content_type, device_id_hint, payload,
                                       length, received_at, outcome, reason, error);
}

gboolean
ward_engine_ingest_rejected (WardEngine  *self,
                             const char  *source,
                             const char  *content_type,
                             const char  *payload,
                             gsize        length,
                             gint64       received_at,
                             const char  *stage,
                             const char  *reason,
                             GError     **error)
{
  gint64 raw_id;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (stage != NULL && reason != NULL, FALSE);

  /* Archived as it came, and marked mapped: there is nothing to map, and
   * a restart must not take it for a message still to be mapped.
   */
  raw_id = ward_store_add_raw_message (self->store, received_at, source, content_type, NULL,
                                       payload, length, error);
  if (raw_id == 0 ||
      !_ward_engine_dead_letter (self, raw_id, stage, reason, received_at, error) ||
      !ward_store_mark_processed (self->store, raw_id, received_at, error))
    return FALSE;

  return TRUE;
}

typedef struct
{
  WardEngine *engine;
  guint       n;
} ReplayData;

static gboolean
replay_cb (gint64       id,
           gint64       received_at,
           const char  *source,
           const char  *content_type,
           const char  *device_id,
           const void  *payload,
           gsize        length,
           gpointer     user_data,
           GError     **error)
{
  ReplayData *data = user_data;

  data->n++;
  return ward_engine_process_archived (data->engine, id, content_type, device_id, payload, length,
                                       received_at, NULL, NULL, error);
}

gboolean
ward_engine_process_pending (WardEngine  *self,
                             guint       *n_processed,
                             GError     **error)
{
  ReplayData data = { self, 0 };

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  if (!ward_store_foreach_pending (self->store, replay_cb, &data, error))
    return FALSE;

  if (n_processed != NULL)
    *n_processed = data.n;

  return TRUE;
}
