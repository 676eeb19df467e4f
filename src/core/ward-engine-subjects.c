/* ward-engine-subjects.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Patients and monitor Devices that Wardwatch's resources reference,
 * written to the local FHIR store in local identity.
 *
 * In local identity every resource about a patient names
 * Patient/<Create-mode id> and every vital-signs Observation
 * Device/<Create-mode id of the monitor>: the ids the IoMT connector
 * gives the Patient and Device it creates in its Create mode.  With no
 * connector beside Wardwatch nobody writes them, and a server that
 * enforces referential integrity (HAPI FHIR does by default) refuses
 * every such resource.  So Wardwatch writes a minimal Patient
 * (identifier: the ward's patient id and the ward file's identifiers;
 * birthDate when known) and Device (identifier: the monitor's id, a
 * type, a name) under those ids, in the transaction of the batch and
 * before the first resource that references them: the outbox sends in
 * queue order (next attempt, then sequence), so the Patient goes first,
 * in an earlier Bundle or earlier in the same one.  A put of the same
 * JSON changes nothing, so each is queued once, and again only when it
 * changes (a birth date learned).
 *
 * With identity from a server (lookup, create) the server's own
 * Patients and Devices are referenced, and Wardwatch writes none: a
 * made-up Patient on a hospital's server would be a duplicate record.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

static JsonNode *
minimal_patient (WardPatient *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonArray *known = p->fhir_identifiers != NULL && JSON_NODE_HOLDS_ARRAY (p->fhir_identifiers)
                     ? json_node_get_array (p->fhir_identifiers) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceType");
  json_builder_add_string_value (b, "Patient");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, p->create_mode_id);
  /* As the connector's Create mode writes it: the message's patient id,
   * without a system; then what the ward file knows.
   */
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, p->patient_id);
  json_builder_end_object (b);
  for (guint i = 0; known != NULL && i < json_array_get_length (known); i++)
    json_builder_add_value (b, json_node_copy (json_array_get_element (known, i)));
  json_builder_end_array (b);
  if (p->birth_date != NULL)
    {
      json_builder_set_member_name (b, "birthDate");
      json_builder_add_string_value (b, p->birth_date);
    }
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static JsonNode *
minimal_device (const char *fhir_id,
                const char *device_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceType");
  json_builder_add_string_value (b, "Device");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, fhir_id);
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, device_id);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "deviceName");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, device_id);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "user-friendly-name");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "type");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, "Patient monitor");
  json_builder_end_object (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

/* Puts NODE unless this batch or an earlier committed one already put
 * the same JSON (self->fhir_subjects: "Type/id" -> JSON).
 */
static gboolean
put_once (WardEngine  *self,
          const char  *resource_type,
          const char  *id,
          JsonNode    *node,
          gint64       now,
          GError     **error)
{
  g_autofree char *key = g_strconcat (resource_type, "/", id, NULL);
  g_autofree char *json = ward_fhir_to_json (node);
  const char *written = g_hash_table_lookup (self->fhir_subjects, key);

  if (written != NULL && strcmp (written, json) == 0)
    return TRUE;

  if (!_ward_engine_put_resource (self, resource_type, node, json, now, error))
    return FALSE;

  g_hash_table_replace (self->fhir_subjects, g_steal_pointer (&key), g_steal_pointer (&json));
  return TRUE;
}

gboolean
_ward_engine_ensure_fhir_patient (WardEngine   *self,
                                  WardPatient  *p,
                                  gint64        now,
                                  GError      **error)
{
  g_autoptr(JsonNode) node = NULL;

  if (self->identity != NULL || p == NULL || p->create_mode_id == NULL)
    return TRUE;

  node = minimal_patient (p);
  return put_once (self, "Patient", p->create_mode_id, node, now, error);
}

gboolean
_ward_engine_ensure_fhir_monitor (WardEngine   *self,
                                  const char   *device_id,
                                  const char   *fhir_id,
                                  gint64        now,
                                  GError      **error)
{
  g_autoptr(JsonNode) node = NULL;

  if (self->identity != NULL || device_id == NULL || fhir_id == NULL)
    return TRUE;

  node = minimal_device (fhir_id, device_id);
  return put_once (self, "Device", fhir_id, node, now, error);
}

/* A patient the ward model does not hold (gone from the ward, or not
 * seen since a restart) whose care team still writes about them: in
 * local identity the same Create-mode id as the engine's resources, with
 * the Patient written earlier kept as it is (it may know the birth
 * date), or a minimal one when there is none.  With identity from a
 * server, NULL: the caller names the ward's patient id, as before.
 */
static gboolean
ensure_absent_patient (WardEngine  *self,
                       const char  *patient_id,
                       gint64       now,
                       char       **fhir_id,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *create_mode_id = NULL;
  g_autofree char *stored = NULL;

  if (self->identity != NULL)
    return TRUE;

  create_mode_id = ward_fhir_template_resource_id (NULL, patient_id);
  stored = ward_store_get_resource (self->store, "Patient", create_mode_id, NULL, &local_error);
  if (stored == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (stored == NULL)
    {
      WardPatient absent = {
        .patient_id = (char *) patient_id,
        .create_mode_id = create_mode_id,
      };
      g_autoptr(JsonNode) node = minimal_patient (&absent);

      if (!put_once (self, "Patient", create_mode_id, node, now, error))
        return FALSE;
    }

  *fhir_id = g_steal_pointer (&create_mode_id);
  return TRUE;
}

void
_ward_engine_forget_fhir_subjects (WardEngine *self)
{
  g_hash_table_remove_all (self->fhir_subjects);
}

/**
 * ward_engine_ensure_fhir_patient:
 * @self: a #WardEngine, inside a batch
 * @patient_id: the ward's patient id
 * @now: the batch's time
 * @fhir_id: (out) (transfer full): the Patient id resources reference,
 *   or %NULL for a patient the ward does not have
 * @error: return location for a store error
 *
 * For other writers of resources about a patient (the care team's
 * Tasks, Communications and AuditEvents): the patient's FHIR id, the
 * one the engine's resources use, with its minimal Patient written
 * first in local identity.
 */
gboolean
ward_engine_ensure_fhir_patient (WardEngine  *self,
                                 const char  *patient_id,
                                 gint64       now,
                                 char       **fhir_id,
                                 GError     **error)
{
  WardPatient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (fhir_id != NULL, FALSE);

  *fhir_id = NULL;
  if (patient_id == NULL)
    return TRUE;
  p = ward_ward_model_lookup_patient (&self->model, patient_id);
  if (p == NULL)
    return ensure_absent_patient (self, patient_id, now, fhir_id, error);

  if (!_ward_engine_ensure_fhir_patient (self, p, now, error))
    return FALSE;

  *fhir_id = g_strdup (_ward_engine_patient_fhir_id (self, p));
  return TRUE;
}
