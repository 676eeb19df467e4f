/* ward-care-inbound.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-inbound.h"
#include "ward-care-fhir.h"
#include "ward-care-private.h"
#include "ward-care-share.h"
#include "ward-care-share-flags.h"
#include "ward-fhir-resources.h"
#include "ward-fhir-template.h"
#include "ward-store-care-inbound.h"

#include <string.h>

/* -- JSON ----------------------------------------------------------------- */

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The first object of an array member, or NULL. */
static JsonObject *
first_object (JsonObject *object,
              const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 0)))
    return NULL;
  return json_array_get_object_element (array, 0);
}

/* The id of a "Type/id" reference when its type is type, or NULL. */
static const char *
reference_id (JsonObject *reference,
              const char *type)
{
  const char *text = string_member (reference, "reference");
  gsize length = strlen (type);

  if (text == NULL || strncmp (text, type, length) != 0 || text[length] != '/' ||
      text[length + 1] == '\0')
    return NULL;
  return text + length + 1;
}

static gint64
time_member (JsonObject *object,
             const char *name)
{
  const char *text = string_member (object, name);
  gint64 usec = 0;

  if (text == NULL || !ward_time_parse_iso8601 (text, &usec))
    return 0;
  return usec;
}

/* The staff id of an identifier reference, or NULL. */
static const char *
staff_of (JsonObject *reference)
{
  JsonObject *identifier = object_member (reference, "identifier");

  if (g_strcmp0 (string_member (identifier, "system"), WARD_FHIR_SYSTEM_STAFF_ID) != 0)
    return NULL;
  return string_member (identifier, "value");
}

/* -- Local tasks and flags ------------------------------------------------ */

/* The local task named fhir_id, of any status: one applied from another
 * station, one of the local flag flag_id's chain, or one without a flag
 * (a concern and its escalations).  *task_id 0: none.
 */
static gboolean
find_local_task (WardCare    *self,
                 const char  *installation_id,
                 const char  *fhir_id,
                 gint64       flag_id,
                 gint64      *task_id,
                 GError     **error)
{
  g_autoptr(GArray) flagless = NULL;
  WardInboundTask row = { 0 };
  gboolean found = FALSE;

  *task_id = 0;
  if (!ward_store_inbound_get (self->store, fhir_id, &found, &row, error))
    return FALSE;
  if (found && row.outcome == WARD_INBOUND_APPLIED)
    *task_id = row.task_id;
  ward_inbound_task_clear (&row);
  if (*task_id != 0)
    return TRUE;

  if (flag_id != 0)
    {
      g_autoptr(GPtrArray) tasks = NULL;

      tasks = ward_store_list_tasks (self->store, WARD_TASK_LIST_FOR_FLAG, flag_id, NULL, error);
      if (tasks == NULL)
        return FALSE;
      for (guint i = 0; i < tasks->len; i++)
        {
          WardTask *task = g_ptr_array_index (tasks, i);
          g_autofree char *id = NULL;

          if (!ward_care_share_task_ids (self->store, installation_id, task->id, &id, NULL, error))
            return FALSE;
          if (g_str_equal (id, fhir_id))
            {
              *task_id = task->id;
              return TRUE;
            }
        }
    }

  /* A concern's first task is named from this installation and its row,
   * which needs no read; its escalations from the chain.
   */
  if (!(flagless = ward_store_inbound_list_flagless (self->store, error)))
    return FALSE;
  for (guint i = 0; i < flagless->len; i++)
    {
      const WardFlaglessTask *t = &g_array_index (flagless, WardFlaglessTask, i);
      g_autofree char *id = NULL;

      if (t->part_of == 0)
        id = ward_care_fhir_task_id (installation_id, t->id);
      else if (!ward_care_share_task_ids (self->store, installation_id, t->id, &id, NULL, error))
        return FALSE;
      if (g_str_equal (id, fhir_id))
        {
          *task_id = t->id;
          return TRUE;
        }
    }

  return TRUE;
}

/* The local flag (open or closed) whose FHIR Flag id is focus, for the
 * patient, or 0.
 */
static gboolean
find_local_flag (WardCare    *self,
                 const char  *patient_id,
                 const char  *focus,
                 gint64      *flag_id,
                 GError     **error)
{
  g_autoptr(GArray) flags = NULL;

  *flag_id = 0;
  if (focus == NULL)
    return TRUE;
  if (!(flags = ward_store_inbound_list_patient_flags (self->store, patient_id, error)))
    return FALSE;
  for (guint i = 0; i < flags->len; i++)
    {
      const WardPatientFlag *flag = &g_array_index (flags, WardPatientFlag, i);
      g_autofree char *id = ward_care_share_local_flag_id (flag);

      if (g_str_equal (id, focus))
        {
          *flag_id = flag->id;
          return TRUE;
        }
    }

  return TRUE;
}

/* The ward's patient a Task's subject names: as a Communication's is
 * read (the identifier of the local Patient of that id), or, when this
 * station has not written that Patient yet, the patient in a bed here
 * whose Create-mode Patient id (made from the patient id alike on every
 * station) or own id it is.  NULL: nobody named.
 */
static gboolean
patient_of_subject (WardCare    *self,
                    const char  *subject,
                    char       **patient_id,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *bed_id = NULL;
  g_auto(GStrv) patients = NULL;

  *patient_id = NULL;
  if (subject == NULL)
    return TRUE;
  if (!ward_care_share_patient_for_subject (self->store, subject, patient_id, error))
    return FALSE;
  bed_id = ward_store_get_patient_bed (self->store, *patient_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (bed_id != NULL)
    return TRUE;

  if (!(patients = ward_store_inbound_list_bed_patients (self->store, error)))
    return FALSE;
  for (guint i = 0; patients[i] != NULL; i++)
    {
      g_autofree char *create_mode_id = ward_fhir_template_resource_id (NULL, patients[i]);

      if (g_str_equal (subject, patients[i]) || g_strcmp0 (subject, create_mode_id) == 0)
        {
          g_free (*patient_id);
          *patient_id = g_strdup (patients[i]);
          return TRUE;
        }
    }

  return TRUE;
}

static gboolean
record_ignored (WardCare    *self,
                const char  *fhir_id,
                const char  *focus,
                const char  *station,
                gint64       now,
                const char  *reason,
                GError     **error)
{
  WardInboundTask row = {
    .fhir_id = (char *) fhir_id,
    .focus = (char *) focus,
    .station = (char *) station,
    .received_at = now,
    .outcome = WARD_INBOUND_IGNORED,
    .reason = (char *) reason,
  };

  g_debug ("Task %s from %s not applied: %s", fhir_id, station ? station : "the server", reason);
  return ward_store_inbound_record (self->store, &row, error);
}

/* What a Task says of its kind: a Flag in focus is a clinical flag's;
 * without one, the technical alert's description, else a concern.
 */
static WardCareKind
kind_of (JsonObject *resource,
         const char *focus)
{
  const char *description = string_member (resource, "description");

  if (focus != NULL)
    return WARD_CARE_KIND_CLINICAL;
  if (description != NULL && g_str_has_prefix (description, "Respond to a technical alert"))
    return WARD_CARE_KIND_TECHNICAL;
  return WARD_CARE_KIND_CONCERN;
}

/* -- Applying ------------------------------------------------------------- */

gboolean
ward_care_inbound_apply_task (WardCare    *self,
                              JsonObject  *resource,
                              const char  *station,
                              gint64       now,
                              gint64      *task_id,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *installation_id = NULL;
  g_autofree char *patient_id = NULL;
  g_autofree char *bed_id = NULL;
  g_autofree char *reason = NULL;
  WardInboundTask known = { 0 };
  WardInboundTask row = { 0 };
  WardTask task = { 0 };
  const char *id;
  const char *focus;
  const char *parent_fhir_id;
  const char *requester;
  const char *subject;
  const char *business;
  JsonObject *restriction;
  gboolean found = FALSE;
  gint64 flag_id = 0;
  gint64 local = 0;
  gint64 parent = 0;
  gboolean ok;

  g_return_val_if_fail (WARD_IS_CARE (self), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);

  *task_id = 0;
  id = string_member (resource, "id");
  if (id == NULL || g_strcmp0 (string_member (resource, "resourceType"), "Task") != 0)
    return TRUE;

  /* Applied before: the task is here (closed, since the sharing layer's
   * apply found no open one), nothing to make.
   */
  if (!ward_store_inbound_get (self->store, id, &found, &known, error))
    return FALSE;
  ok = !found || known.outcome != WARD_INBOUND_APPLIED;
  ward_inbound_task_clear (&known);
  if (!ok)
    return TRUE;

  if (!(installation_id = ward_store_get_installation_id (self->store, error)))
    return FALSE;
  focus = reference_id (object_member (resource, "focus"), "Flag");
  subject = reference_id (object_member (resource, "for"), "Patient");
  if (!patient_of_subject (self, subject, &patient_id, error))
    return FALSE;
  if (patient_id != NULL && !find_local_flag (self, patient_id, focus, &flag_id, error))
    return FALSE;

  /* Made here (and closed here since): this station's own. */
  if (!find_local_task (self, installation_id, id, flag_id, &local, error))
    return FALSE;
  if (local != 0)
    return TRUE;

  /* Read it as a task before anything: what cannot be read is not
   * taken, and says so.
   */
  task.priority = WARD_TASK_URGENT;
  task.owner_role = WARD_ROLE_NURSE_IN_CHARGE;
  if (!ward_care_share_read_task (resource, &task))
    {
      ward_task_clear (&task);
      return record_ignored (self, id, focus, station, now,
                             "not a Task Wardwatch can read (status or priority)", error);
    }
  if (!ward_task_is_open (&task))
    {
      reason = g_strdup_printf ("already %s there", ward_task_status_to_string (task.status));
      ward_task_clear (&task);
      return record_ignored (self, id, focus, station, now, reason, error);
    }

  /* A patient of this ward, in a bed here. */
  if (patient_id != NULL)
    bed_id = ward_store_get_patient_bed (self->store, patient_id, &local_error);
  if (local_error != NULL)
    {
      ward_task_clear (&task);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (bed_id == NULL)
    {
      reason = g_strdup_printf ("patient %s is in no bed on this ward",
                                patient_id != NULL ? patient_id : "(none named)");
      ward_task_clear (&task);
      return record_ignored (self, id, focus, station, now, reason, error);
    }

  /* Its chain: the local task it escalates. */
  parent_fhir_id = reference_id (first_object (resource, "partOf"), "Task");
  if (parent_fhir_id != NULL &&
      !find_local_task (self, installation_id, parent_fhir_id, flag_id, &parent, error))
    {
      ward_task_clear (&task);
      return FALSE;
    }

  task.flag_id = flag_id;
  task.patient_id = g_strdup (patient_id);
  task.bed_id = g_strdup (bed_id);
  task.kind = kind_of (resource, focus);
  if (flag_id != 0)
    {
      WardCareFlag flag = { 0 };
      gboolean flag_found = FALSE;

      if (!ward_store_get_care_flag (self->store, flag_id, &flag_found, &flag, error))
        {
          ward_task_clear (&task);
          return FALSE;
        }
      task.has_band = flag_found && flag.has_band;
      task.band = flag.band;
      ward_care_flag_clear (&flag);
    }
  requester = staff_of (object_member (resource, "requester"));
  task.requester = g_strdup (requester != NULL ? requester : SYSTEM_ACTOR);
  task.requested_at = time_member (resource, "authoredOn");
  if (task.requested_at == 0)
    task.requested_at = now;
  restriction = object_member (resource, "restriction");
  task.due_at = time_member (object_member (restriction, "period"), "end");
  if (task.due_at == 0)
    task.due_at = task.requested_at + ward_care_policy_response (self->policy, task.kind,
                                                                 task.has_band, task.band);
  task.part_of = parent;
  /* Escalated there already: not again here. */
  business = string_member (object_member (resource, "businessStatus"), "text");
  if (g_strcmp0 (business, "escalated") == 0)
    task.escalated_at = now;
  task.station = g_strdup (station != NULL ? station : "another station");

  if (ward_store_insert_task (self->store, &task, error) == 0)
    {
      ward_task_clear (&task);
      return FALSE;
    }
  *task_id = task.id;

  row.fhir_id = (char *) id;
  row.task_id = task.id;
  row.focus = (char *) focus;
  row.station = task.station;
  row.received_at = now;
  row.outcome = WARD_INBOUND_APPLIED;
  ok = ward_store_inbound_record (self->store, &row, error);
  ward_task_clear (&task);
  if (!ok)
    return FALSE;

  /* The task it escalates was escalated: this station, whose own clock
   * may not have reached its due time yet, does not escalate it again
   * (which would make a second escalation Task).
   */
  if (parent != 0)
    {
      g_autoptr(WardTask) up = _ward_care_load_task (self, parent, error);

      if (up == NULL)
        return FALSE;
      if (up->escalated_at == 0)
        {
          up->escalated_at = now;
          up->updated_at = now;
          if (!ward_store_update_task (self->store, up, error))
            return FALSE;
        }
    }

  g_message ("Task %s from %s applied here as task %" G_GINT64_FORMAT, id,
             station != NULL ? station : "the server", *task_id);
  return TRUE;
}

/* -- Tied to a flag when it opens here ------------------------------------ */

gboolean
_ward_care_inbound_adopt_flag (WardCare            *self,
                               const WardCareFlag  *flag,
                               gboolean            *adopted,
                               GError             **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autofree char *focus = NULL;
  WardPatientFlag key = {
    .kind = (char *) (ward_care_score_kind_is_model (flag->score_kind) ? "model" : "clinical"),
    .scorer = (char *) flag->score_kind,
    .opened_at = flag->opened_at,
    .patient_id = flag->patient_id,
  };

  *adopted = FALSE;
  if (flag->kind != WARD_CARE_KIND_CLINICAL || flag->patient_id == NULL)
    return TRUE;

  focus = ward_care_share_local_flag_id (&key);
  if (!(ids = ward_store_inbound_list_unflagged (self->store, focus, error)))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(WardTask) task = _ward_care_load_task (self, g_array_index (ids, gint64, i), error);

      if (task == NULL)
        return FALSE;
      task->flag_id = flag->id;
      task->has_band = flag->has_band;
      task->band = flag->band;
      if (!ward_store_update_task (self->store, task, error))
        return FALSE;
      *adopted = TRUE;
    }

  return TRUE;
}
