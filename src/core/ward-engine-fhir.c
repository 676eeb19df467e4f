/* ward-engine-fhir.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The local FHIR store: what the stages write (vital signs, Device,
 * score resources, Flag) and the outbox's limit.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

/* The FHIR id of a patient, the one id by which the NEWS2 Observation,
 * the RiskAssessment, the Flag and the vital-signs Observations all
 * reference them.  With identity from a FHIR server, the server's
 * Patient (Device.patient of an answer that named this patient), or,
 * before any answer named them, the patient id as it is: in those modes
 * the ward lists the server's patients.  In local identity there is no
 * server to ask, so it is the id the connector gives the Patient it
 * creates in its Create mode, which the vital-signs Observations have
 * always used: the MedTech service running beside Wardwatch in Create
 * mode then writes to the same Patient and the same Observations.
 */
const char *
_ward_engine_patient_fhir_id (WardEngine  *self,
                              WardPatient *p)
{
  if (self->identity == NULL)
    return p->create_mode_id;

  return p->server_id != NULL ? p->server_id : p->patient_id;
}

/* The FHIR id of a device: the server's Device when an identity answer
 * gave it; otherwise (local identity, or a device of the bed map, which
 * the server is never asked about) the connector's Create-mode id.
 */
static char *
device_fhir_id (WardEngine *self,
                const char *device_id)
{
  WardDevice *d = ward_ward_model_lookup_device (&self->model, device_id);

  if (self->identity != NULL && d != NULL && d->server_id != NULL)
    return g_strdup (d->server_id);

  return ward_fhir_template_resource_id (NULL, device_id);
}

/* Keeps a copy of an assigned measurement, with its patient, for the
 * vital-signs Observations the next evaluate writes.
 */
void
_ward_engine_queue_vitals (WardEngine           *self,
                           const WardNormalized *item,
                           WardPatient          *p)
{
  WardNormalized *copy = ward_normalized_new (item->type, item->occurrence_time, item->device_id);

  copy->patient_id = g_strdup (p->patient_id);
  copy->encounter_id = g_strdup (item->encounter_id);
  copy->correlation_id = g_strdup (item->correlation_id);
  for (guint i = 0; i < item->properties->len; i++)
    {
      const WardNormalizedValue *v = &g_array_index (item->properties, WardNormalizedValue, i);

      ward_normalized_add_value (copy, v->name, v->value);
    }
  g_ptr_array_add (self->fhir_pending, copy);
}

/* Writes a resource to the local FHIR store, which queues it. */
gboolean
_ward_engine_put_resource (WardEngine  *self,
                           const char  *resource_type,
                           JsonNode    *node,
                           const char  *json,
                           gint64       at,
                           GError     **error)
{
  g_autofree char *owned = NULL;
  const char *id;
  gboolean changed = FALSE;

  id = json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL);
  g_assert (id != NULL);
  if (json == NULL)
    json = owned = ward_fhir_to_json (node);

  if (!ward_store_put_resource (self->store, resource_type, id, json, at, &changed, error))
    return FALSE;

  if (changed)
    self->counters.fhir_resources++;

  return TRUE;
}

/* A resource builder refusing our own input is a bug, not bad input: it
 * is logged and the pipeline goes on without that resource.
 */
void
_ward_engine_report_unbuilt (const char   *resource_type,
                             const GError *error)
{
  g_critical ("Could not build a %s: %s", resource_type, error->message);
}

/* The Device resource of this installation, written once per engine (a
 * put of the same JSON changes nothing).
 */
gboolean
_ward_engine_ensure_fhir_device (WardEngine  *self,
                                 gint64       now,
                                 GError     **error)
{
  g_autofree char *installation_id = NULL;
  g_autoptr(JsonNode) device = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->fhir_device_id != NULL)
    return TRUE;

  installation_id = ward_store_get_installation_id (self->store, error);
  if (installation_id == NULL)
    return FALSE;

  device = ward_fhir_wardwatch_device (installation_id, &local_error);
  if (device == NULL)
    {
      _ward_engine_report_unbuilt ("Device", local_error);
      return TRUE;
    }

  if (!_ward_engine_put_resource (self, "Device", device, NULL, now, error))
    return FALSE;

  self->fhir_device_id = ward_fhir_device_id (installation_id);
  return TRUE;
}

/* Keeps the id of a vital-signs Observation with its period, for the
 * NEWS2 Observations derived from its values.
 */
static void
remember_vitals (WardEngine                 *self,
                 const WardObservationGroup *group,
                 const char                 *id)
{
  g_autofree char *key = NULL;
  GArray *refs;
  VitalsRef ref = { group->start_ticks, group->end_ticks, { 0 } };

  if (group->patient_id == NULL || strlen (id) >= sizeof ref.id)
    return;

  key = g_strconcat (group->patient_id, "|", group->type, NULL);
  refs = g_hash_table_lookup (self->vitals_refs, key);
  if (refs == NULL)
    {
      refs = g_array_new (FALSE, FALSE, sizeof (VitalsRef));
      g_hash_table_insert (self->vitals_refs, g_steal_pointer (&key), refs);
    }
  for (guint i = 0; i < refs->len; i++)
    {
      if (strcmp (g_array_index (refs, VitalsRef, i).id, id) == 0)
        {
          g_array_remove_index (refs, i);
          break;
        }
    }
  g_strlcpy (ref.id, id, sizeof ref.id);
  g_array_append_val (refs, ref);
  if (refs->len > VITALS_REFS_KEPT)
    g_array_remove_index (refs, 0);
}

/* "Observation/<id>" of the vital-signs Observation holding a value
 * observed at a time, or NULL.
 */
char *
_ward_engine_find_vitals (WardEngine *self,
                          const char *patient_id,
                          const char *type,
                          gint64      observed_at)
{
  g_autofree char *key = g_strconcat (patient_id, "|", type, NULL);
  GArray *refs = g_hash_table_lookup (self->vitals_refs, key);
  gint64 ticks = observed_at * WARD_FHIR_TICKS_PER_USEC;

  for (guint i = refs ? refs->len : 0; i > 0; i--)
    {
      const VitalsRef *ref = &g_array_index (refs, VitalsRef, i - 1);

      if (ref->start_ticks <= ticks && ticks <= ref->end_ticks)
        return g_strconcat ("Observation/", ref->id, NULL);
    }

  return NULL;
}

/* Stage 5c: the measurements stored since the last evaluate, grouped by
 * the built-in FHIR destination mapping into vital-signs Observations
 * with the connector's deterministic ids; a group whose Observation is
 * already stored is merged into it.  One pass per tick.
 */
gboolean
_ward_engine_flush_vitals (WardEngine  *self,
                           gint64       now,
                           GError     **error)
{
  g_autoptr(GPtrArray) groups = NULL;

  if (self->fhir_pending->len == 0)
    return TRUE;

  groups = ward_fhir_template_group (self->fhir_template, self->fhir_pending, NULL);

  for (guint i = 0; i < groups->len; i++)
    {
      WardObservationGroup *group = g_ptr_array_index (groups, i);
      WardPatient *p = ward_ward_model_lookup_patient (&self->model, group->patient_id);
      g_autofree char *device = NULL;
      g_autofree char *identifier = NULL;
      g_autofree char *id = NULL;
      g_autofree char *stored = NULL;
      g_autofree char *json = NULL;
      g_autoptr(JsonNode) existing = NULL;
      g_autoptr(JsonNode) observation = NULL;
      g_autoptr(GError) local_error = NULL;

      /* The same Patient as the NEWS2 resources, and the Device the
       * identity mode gives the monitor.
       */
      if (group->device_id != NULL)
        device = device_fhir_id (self, group->device_id);
      ward_observation_group_set_resource_ids (group, p ? _ward_engine_patient_fhir_id (self, p) : NULL, device);
      /* Which exist in the export and on a strict server before the
       * Observation that names them (local identity).
       */
      if (!_ward_engine_ensure_fhir_patient (self, p, now, error) ||
          !_ward_engine_ensure_fhir_monitor (self, group->device_id, device, now, error))
        return FALSE;

      identifier = ward_fhir_template_get_identifier (self->fhir_template, group);
      if (identifier == NULL)
        continue;
      id = ward_fhir_template_resource_id (WARD_FHIR_SERVICE_SYSTEM, identifier);

      if (!(stored = ward_store_get_resource (self->store, "Observation", id, NULL, &local_error)) &&
          local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (stored != NULL)
        existing = json_from_string (stored, NULL);

      observation = ward_fhir_template_build_observation (self->fhir_template, group, existing,
                                                          &local_error);
      if (observation == NULL)
        {
          /* Values the template cannot take were stored and scored; the
           * Observation is what is missing, and the log says which type.
           */
          g_debug ("No Observation for a %s group: %s", group->type, local_error->message);
          continue;
        }

      json = ward_fhir_template_to_json (observation);
      if (!_ward_engine_put_resource (self, "Observation", observation, json, now, error))
        return FALSE;
      remember_vitals (self, group, id);
    }

  g_ptr_array_set_size (self->fhir_pending, 0);
  return TRUE;
}

gboolean
_ward_engine_check_outbox (WardEngine  *self,
                           GError     **error)
{
  gint64 n_pending = ward_store_outbox_get_n_pending (self->store, error);
  gint64 n_failed;
  gboolean over;

  if (n_pending < 0)
    return FALSE;
  n_failed = ward_store_outbox_get_n_failed (self->store, error);
  if (n_failed < 0)
    return FALSE;

  over = self->config.outbox_limit > 0 && n_pending > self->config.outbox_limit;
  if (over && !self->outbox_warned)
    g_message ("The FHIR outbox holds %" G_GINT64_FORMAT " resources, more than its limit of %"
               G_GINT64_FORMAT ": they are kept and will be sent, but no FHIR server is taking them",
               n_pending, self->config.outbox_limit);
  self->outbox_warned = over;
  self->counters.outbox_pending = n_pending;
  self->counters.outbox_over_limit = over;
  self->counters.outbox_failed = n_failed;

  return TRUE;
}

/* The Flag of the patient's flag episode: active while it is open,
 * inactive once closed, one id (patient, opened_at) for its whole life.
 */
gboolean
_ward_engine_put_flag (WardEngine   *self,
                       WardPatient  *p,
                       gint64        closed_at,
                       gint64        now,
                       GError      **error)
{
  g_autoptr(JsonNode) flag = NULL;
  g_autoptr(GError) local_error = NULL;
  WardFhirFlagInput input = {
    .patient_id = p->patient_id,
    .subject_id = _ward_engine_patient_fhir_id (self, p),
    .device_id = self->fhir_device_id,
    .opened_at = p->flag_opened_at,
    .closed_at = closed_at,
    .band = p->flag_band,
    .assessment_window_end = p->score.window_end,
    .acknowledged_by = p->flag_ack_by,
    .acknowledged_at = p->flag_ack_at,
  };

  if (!(flag = ward_fhir_flag (&input, &local_error)))
    {
      _ward_engine_report_unbuilt ("Flag", local_error);
      return TRUE;
    }
  if (!_ward_engine_ensure_fhir_patient (self, p, now, error))
    return FALSE;

  return _ward_engine_put_resource (self, "Flag", flag, NULL, now, error);
}
