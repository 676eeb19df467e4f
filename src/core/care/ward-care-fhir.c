/* ward-care-fhir.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-fhir.h"
#include "ward-fhir-json-private.h"
#include "ward-fhir-resources.h"

static char *
row_id (const char *kind,
        const char *installation_id,
        gint64      id)
{
  g_autofree char *key = g_strdup_printf ("%s|%" G_GINT64_FORMAT, installation_id, id);

  return ward_fhir_resource_id_for (kind, key);
}

char *
ward_care_fhir_task_id (const char *installation_id,
                        gint64      task_id)
{
  g_return_val_if_fail (installation_id != NULL, NULL);

  return row_id ("task", installation_id, task_id);
}

char *
ward_care_fhir_communication_id (const char *installation_id,
                                 gint64      communication_id)
{
  g_return_val_if_fail (installation_id != NULL, NULL);

  return row_id ("communication", installation_id, communication_id);
}

char *
ward_care_fhir_audit_event_id (const char *installation_id,
                               gint64      audit_id)
{
  g_return_val_if_fail (installation_id != NULL, NULL);

  return row_id ("audit", installation_id, audit_id);
}

static void
add_identifier_reference (JsonBuilder *builder,
                          const char  *member,
                          const char  *system,
                          const char  *value)
{
  if (member != NULL)
    json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "identifier");
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "system", system);
  ward_fhir_add_string (builder, "value", value);
  json_builder_end_object (builder);
  ward_fhir_add_string (builder, "display", value);
  json_builder_end_object (builder);
}

/* A staff member by identifier, or the Wardwatch Device for the system. */
static void
add_actor (JsonBuilder               *builder,
           const char                *member,
           const WardCareFhirContext *context,
           const char                *staff)
{
  if (staff == NULL || g_str_equal (staff, "wardwatch"))
    ward_fhir_add_reference (builder, member, "Device", context->device_id);
  else
    add_identifier_reference (builder, member, WARD_FHIR_SYSTEM_STAFF_ID, staff);
}

static void
add_concept (JsonBuilder *builder,
             const char  *member,
             const char  *system,
             const char  *code,
             const char  *text)
{
  if (member != NULL)
    json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  if (system != NULL)
    {
      json_builder_set_member_name (builder, "coding");
      json_builder_begin_array (builder);
      ward_fhir_add_coding (builder, system, code, NULL);
      json_builder_end_array (builder);
    }
  if (text != NULL)
    ward_fhir_add_string (builder, "text", text);
  json_builder_end_object (builder);
}

static char *
task_description (const WardTask *task)
{
  switch (task->kind)
    {
    case WARD_CARE_KIND_CLINICAL:
      return g_strdup_printf ("Respond to a NEWS2 flag (%s)",
                              task->has_band ? ward_band_to_string (task->band) : "band unknown");
    case WARD_CARE_KIND_TECHNICAL:
      return g_strdup ("Respond to a technical alert (a silent device)");
    case WARD_CARE_KIND_CONCERN:
    case WARD_CARE_N_KINDS:
    default:
      return g_strdup ("Review the patient: a nurse raised a clinical concern");
    }
}

JsonNode *
ward_care_fhir_task (const WardCareFhirContext *context,
                     const WardTask            *task)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *id = NULL;
  g_autofree char *description = NULL;

  g_return_val_if_fail (context != NULL && context->installation_id != NULL, NULL);
  g_return_val_if_fail (context->device_id != NULL, NULL);
  g_return_val_if_fail (task != NULL, NULL);

  id = context->task_id != NULL ? g_strdup (context->task_id)
                                 : ward_care_fhir_task_id (context->installation_id, task->id);
  description = task_description (task);

  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "resourceType", "Task");
  ward_fhir_add_string (builder, "id", id);
  ward_fhir_add_string (builder, "status", ward_task_status_to_string (task->status));
  if (task->status_reason != NULL)
    add_concept (builder, "statusReason", NULL, NULL, task->status_reason);
  if (task->escalated_at != 0)
    add_concept (builder, "businessStatus", NULL, NULL, "escalated");
  ward_fhir_add_string (builder, "intent", "order");
  ward_fhir_add_string (builder, "priority", ward_task_priority_to_string (task->priority));
  ward_fhir_add_string (builder, "description", description);
  if (context->flag_id != NULL)
    ward_fhir_add_reference (builder, "focus", "Flag", context->flag_id);
  if (task->patient_id != NULL)
    ward_fhir_add_reference (builder, "for", "Patient",
                             context->subject_id != NULL ? context->subject_id : task->patient_id);
  if (task->accepted_at != 0)
    {
      json_builder_set_member_name (builder, "executionPeriod");
      json_builder_begin_object (builder);
      ward_fhir_add_time (builder, "start", task->accepted_at);
      if (task->status == WARD_TASK_COMPLETED && task->closed_at != 0)
        ward_fhir_add_time (builder, "end", task->closed_at);
      json_builder_end_object (builder);
    }
  ward_fhir_add_time (builder, "authoredOn", task->requested_at);
  ward_fhir_add_time (builder, "lastModified", task->updated_at != 0 ? task->updated_at : task->requested_at);
  add_actor (builder, "requester", context, task->requester);

  json_builder_set_member_name (builder, "performerType");
  json_builder_begin_array (builder);
  add_concept (builder, NULL, WARD_FHIR_SYSTEM_CARE_ROLE, ward_role_to_string (task->owner_role),
               ward_role_to_string (task->owner_role));
  json_builder_end_array (builder);

  if (task->accepted_by != NULL && task->status != WARD_TASK_REQUESTED)
    add_actor (builder, "owner", context, task->accepted_by);
  else if (task->owner_staff != NULL)
    add_actor (builder, "owner", context, task->owner_staff);

  if (task->note != NULL)
    {
      json_builder_set_member_name (builder, "note");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      if (task->closed_by != NULL)
        ward_fhir_add_string (builder, "authorString", task->closed_by);
      if (task->closed_at != 0)
        ward_fhir_add_time (builder, "time", task->closed_at);
      ward_fhir_add_string (builder, "text", task->note);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "restriction");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "period");
  json_builder_begin_object (builder);
  ward_fhir_add_time (builder, "end", task->due_at);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  if (task->part_of != 0)
    {
      g_autofree char *parent = context->part_of_id != NULL
                                ? g_strdup (context->part_of_id)
                                : ward_care_fhir_task_id (context->installation_id, task->part_of);

      json_builder_set_member_name (builder, "partOf");
      json_builder_begin_array (builder);
      ward_fhir_add_reference (builder, NULL, "Task", parent);
      json_builder_end_array (builder);
    }

  if (task->has_outcome)
    {
      json_builder_set_member_name (builder, "output");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      add_concept (builder, "type", NULL, NULL, "outcome");
      add_concept (builder, "valueCodeableConcept", WARD_FHIR_SYSTEM_TASK_OUTCOME,
                   ward_task_outcome_to_string (task->outcome),
                   ward_task_outcome_to_string (task->outcome));
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
ward_care_fhir_communication (const WardCareFhirContext *context,
                              const WardCommunication   *c)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *id = NULL;

  g_return_val_if_fail (context != NULL && context->installation_id != NULL, NULL);
  g_return_val_if_fail (context->device_id != NULL, NULL);
  g_return_val_if_fail (c != NULL, NULL);

  id = context->communication_id != NULL
       ? g_strdup (context->communication_id)
       : ward_care_fhir_communication_id (context->installation_id, c->id);

  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "resourceType", "Communication");
  ward_fhir_add_string (builder, "id", id);
  ward_fhir_add_string (builder, "status", "completed");
  json_builder_set_member_name (builder, "category");
  json_builder_begin_array (builder);
  add_concept (builder, NULL, NULL, NULL, c->kind);
  json_builder_end_array (builder);
  if (c->patient_id != NULL)
    ward_fhir_add_reference (builder, "subject", "Patient",
                             context->subject_id != NULL ? context->subject_id : c->patient_id);
  if (c->task_id != 0)
    {
      g_autofree char *task = context->task_id != NULL
                              ? g_strdup (context->task_id)
                              : ward_care_fhir_task_id (context->installation_id, c->task_id);

      json_builder_set_member_name (builder, "about");
      json_builder_begin_array (builder);
      ward_fhir_add_reference (builder, NULL, "Task", task);
      json_builder_end_array (builder);
    }
  ward_fhir_add_time (builder, "sent", c->sent_at);
  json_builder_set_member_name (builder, "recipient");
  json_builder_begin_array (builder);
  if (c->recipient_staff != NULL)
    add_identifier_reference (builder, NULL, WARD_FHIR_SYSTEM_STAFF_ID, c->recipient_staff);
  else
    {
      /* A role, whoever holds it: a reference by display only. */
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "display", c->recipient_role ? c->recipient_role : "ward");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_actor (builder, "sender", context, c->sender);
  json_builder_set_member_name (builder, "payload");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "contentString", c->payload);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* AuditEvent.action: C create, R read, U update, D delete, E execute. */
static const char *
audit_action_code (const char *action)
{
  if (g_str_has_suffix (action, "-created") || g_str_equal (action, "concern") ||
      g_str_equal (action, "nurse-entry") || g_str_equal (action, "handover-offered"))
    return "C";

  return "U";
}

static void
add_entity (JsonBuilder *builder,
            const char  *type,
            const char  *id,
            const char  *hash,
            const char  *detail)
{
  json_builder_begin_object (builder);
  ward_fhir_add_reference (builder, "what", type, id);
  if (hash != NULL || detail != NULL)
    {
      json_builder_set_member_name (builder, "detail");
      json_builder_begin_array (builder);
      if (hash != NULL)
        {
          json_builder_begin_object (builder);
          ward_fhir_add_string (builder, "type", "audit-chain-sha256");
          ward_fhir_add_string (builder, "valueString", hash);
          json_builder_end_object (builder);
        }
      if (detail != NULL)
        {
          json_builder_begin_object (builder);
          ward_fhir_add_string (builder, "type", "detail");
          ward_fhir_add_string (builder, "valueString", detail);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

JsonNode *
ward_care_fhir_audit_event (const WardCareFhirContext *context,
                            const WardAuditRow        *row)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *id = NULL;
  gboolean first = TRUE;

  g_return_val_if_fail (context != NULL && context->installation_id != NULL, NULL);
  g_return_val_if_fail (context->device_id != NULL, NULL);
  g_return_val_if_fail (row != NULL && row->action != NULL, NULL);

  id = ward_care_fhir_audit_event_id (context->installation_id, row->id);

  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "resourceType", "AuditEvent");
  ward_fhir_add_string (builder, "id", id);
  json_builder_set_member_name (builder, "type");
  ward_fhir_add_coding (builder, WARD_FHIR_SYSTEM_DICOM, "110110", "Patient Record");
  json_builder_set_member_name (builder, "subtype");
  json_builder_begin_array (builder);
  ward_fhir_add_coding (builder, WARD_FHIR_SYSTEM_AUDIT_ACTION, row->action, NULL);
  json_builder_end_array (builder);
  ward_fhir_add_string (builder, "action", audit_action_code (row->action));
  ward_fhir_add_time (builder, "recorded", row->at);
  ward_fhir_add_string (builder, "outcome", "0");

  json_builder_set_member_name (builder, "agent");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  add_actor (builder, "who", context, row->actor);
  json_builder_set_member_name (builder, "requestor");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "source");
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "site", row->station);
  add_identifier_reference (builder, "observer", WARD_FHIR_SYSTEM_STATION_ID, row->station);
  json_builder_end_object (builder);

  /* The chain's hash and the detail ride on the first entity. */
  json_builder_set_member_name (builder, "entity");
  json_builder_begin_array (builder);
  if (row->task_id != 0)
    {
      g_autofree char *task = context->task_id != NULL
                              ? g_strdup (context->task_id)
                              : ward_care_fhir_task_id (context->installation_id, row->task_id);

      add_entity (builder, "Task", task, row->hash, row->detail);
      first = FALSE;
    }
  if (context->flag_id != NULL)
    {
      add_entity (builder, "Flag", context->flag_id, first ? row->hash : NULL,
                  first ? row->detail : NULL);
      first = FALSE;
    }
  if (row->patient_id != NULL)
    {
      add_entity (builder, "Patient",
                  context->subject_id != NULL ? context->subject_id : row->patient_id,
                  first ? row->hash : NULL, first ? row->detail : NULL);
      first = FALSE;
    }
  if (first)
    add_entity (builder, "Device", context->device_id, row->hash, row->detail);
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
