/* ward-engine-store.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Stages 6 to 9: measurements bound to a patient, validated and stored.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

/* Sets the outcome and its reason, keeping the worst of the message. */
void
_ward_engine_set_outcome (WardIngestOutcome  *outcome,
                          char              **reason_out,
                          WardIngestOutcome   value,
                          const char         *reason)
{
  if (outcome != NULL)
    *outcome = value;
  if (reason_out != NULL)
    {
      g_free (*reason_out);
      *reason_out = g_strdup (reason);
    }
}

/* Stages 5 to 9 for what device mapping made of one raw message: each
 * normalised measurement goes to its device's patient (or to the patient
 * the message names, when that patient is on this ward and the device is
 * not), is bound to the kinds Wardwatch scores and stored.
 */
gboolean
_ward_engine_store_normalized (WardEngine         *self,
                               gint64              raw_id,
                               GPtrArray          *items,
                               gint64              received_at,
                               WardIngestOutcome  *outcome,
                               char              **reason,
                               GError            **error)
{
  g_autoptr(GString) unassigned = g_string_new (NULL);
  g_autoptr(GString) rejected = g_string_new (NULL);
  guint n_assigned = 0;

  _ward_engine_set_outcome (outcome, reason, WARD_INGEST_ACCEPTED, NULL);

  if (items->len == 0)
    {
      static const char why[] = "no template of the device mapping matched this message";

      _ward_engine_set_outcome (outcome, reason, WARD_INGEST_REJECTED, why);
      return _ward_engine_dead_letter (self, raw_id, "mapping", why, received_at, error);
    }

  for (guint i = 0; i < items->len; i++)
    {
      const WardNormalized *item = g_ptr_array_index (items, i);
      WardDevice *d = ward_ward_model_lookup_device (&self->model, item->device_id);
      WardPatient *p = d ? d->patient : NULL;
      g_autofree char *identity_why = NULL;
      g_autofree char *birth_date = NULL;
      g_autofree char *device_server_id = NULL;

      /* With a FHIR server for identity, it decides for devices not in
       * the bed map; the patient the message names does not count (the
       * connector's Lookup ignores it too).  The server's birth date of
       * the Patient updates ours.
       */
      if (p == NULL && self->identity != NULL && item->device_id != NULL)
        {
          p = _ward_engine_identity_patient (self, item, received_at, &birth_date, &device_server_id,
                                             &identity_why);
          if (p != NULL && birth_date != NULL && !_ward_engine_update_birth_date (self, p, birth_date, error))
            return FALSE;
          /* Watched for silence like the bed map's devices. */
          if (p != NULL && d == NULL)
            d = ward_ward_model_ensure_device (&self->model, item->device_id);
          if (d != NULL)
            {
              d->named = p;
              if (device_server_id != NULL)
                {
                  g_free (d->server_id);
                  d->server_id = g_steal_pointer (&device_server_id);
                }
              /* Now someone else's (or no one's): not ours to watch. */
              if (p == NULL)
                {
                  d->last_seen = 0;
                  d->last_measured = 0;
                  if (!_ward_engine_close_technical_alert (self, d, received_at, error))
                    return FALSE;
                }
            }
        }
      else if (p == NULL && item->patient_id != NULL)
        p = ward_ward_model_lookup_patient (&self->model, item->patient_id);

      /* A device clock a little ahead is tolerated; more is an error. */
      if (item->occurrence_time > received_at + MAX_CLOCK_SKEW_USEC)
        {
          g_autofree char *when = ward_time_format_iso8601 (item->occurrence_time);

          g_string_append_printf (rejected, "%s%s: occurrence time %s is more than 5 minutes in the future",
                                  rejected->len ? "; " : "", item->type, when);
          continue;
        }

      if (p == NULL)
        {
          g_autofree char *why = identity_why ? g_steal_pointer (&identity_why)
                                 : g_strdup_printf ("device %s is not assigned to a patient",
                                                    item->device_id ? item->device_id : "(none)");

          if (strstr (unassigned->str, why) == NULL)
            g_string_append_printf (unassigned, "%s%s", unassigned->len ? "; " : "", why);
          continue;
        }

      n_assigned++;
      if (self->config.vitals_observations)
        _ward_engine_queue_vitals (self, item, p);
      g_array_set_size (self->scratch, 0);
      ward_normalized_bind (item, self->scratch, rejected);

      for (guint k = 0; k < self->scratch->len; k++)
        {
          WardMeasurement *m = &g_array_index (self->scratch, WardMeasurement, k);

          g_free (m->patient_id);
          m->patient_id = g_strdup (p->patient_id);
          m->raw_message_id = raw_id;
          if (ward_store_add_measurement (self->store, m, received_at, error) == 0)
            return FALSE;
          self->counters.measurements++;
          ward_patient_update_latest (p, m);
        }

      if (d != NULL)
        {
          d->last_seen = MAX (d->last_seen, received_at);
          d->last_measured = MAX (d->last_measured, item->occurrence_time);
          if (!_ward_engine_close_technical_alert (self, d, received_at, error))
            return FALSE;
        }
    }

  if (unassigned->len > 0)
    {
      _ward_engine_set_outcome (outcome, reason, n_assigned ? WARD_INGEST_PARTIAL : WARD_INGEST_REJECTED,
                                unassigned->str);
      if (!_ward_engine_dead_letter (self, raw_id, "identity", unassigned->str, received_at, error))
        return FALSE;
    }

  if (rejected->len > 0)
    {
      _ward_engine_set_outcome (outcome, reason, WARD_INGEST_PARTIAL, rejected->str);
      if (!_ward_engine_dead_letter (self, raw_id, "validation", rejected->str, received_at, error))
        return FALSE;
    }

  return TRUE;
}
