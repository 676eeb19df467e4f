/* ward-care.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-private.h"
#include "ward-audit.h"
#include "ward-care-fhir.h"
#include "ward-care-share.h"
#include "ward-care-share-flags.h"
#include "ward-fhir-model-flag.h"
#include "ward-fhir-resources.h"
#include "ward-store-care-inbound.h"
#include "ward-store-staff-fhir.h"

#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_FINAL_TYPE (WardCare, ward_care, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-care-error-quark, ward_care_error)

/* Helpers */

gboolean
_ward_care_check_text (const char  *text,
                       const char  *what,
                       gsize        max,
                       GError     **error)
{
  gboolean blank = TRUE;

  for (const char *p = text; p != NULL && *p != '\0' && blank; p++)
    blank = g_ascii_isspace (*p);
  if (blank)
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID, "%s is missing", what);
      return FALSE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID, "%s is not valid UTF-8", what);
      return FALSE;
    }
  if (strlen (text) > max)
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID,
                   "%s is too long (%" G_GSIZE_FORMAT " bytes at most)", what, max);
      return FALSE;
    }

  return TRUE;
}

gboolean
_ward_care_check_actor (const char  *staff_id,
                        const char  *station_id,
                        GError     **error)
{
  return _ward_care_check_text (staff_id, "The staff id", 256, error) &&
         _ward_care_check_text (station_id, "The station id", 256, error);
}

static gboolean
ensure_ids (WardCare  *self,
            GError   **error)
{
  if (self->installation_id != NULL)
    return TRUE;

  if (!(self->installation_id = ward_store_get_installation_id (self->store, error)))
    return FALSE;
  self->device_id = ward_fhir_device_id (self->installation_id);

  return TRUE;
}

static gboolean
put_resource (WardCare   *self,
              JsonNode   *node,
              gint64      at,
              GError    **error)
{
  g_autofree char *json = NULL;
  JsonObject *object = json_node_get_object (node);

  json = ward_fhir_to_json (node);
  return ward_store_put_resource (self->store,
                                  json_object_get_string_member (object, "resourceType"),
                                  json_object_get_string_member (object, "id"),
                                  json, at, NULL, error);
}

/* The FHIR context of a patient and a flag: the Flag's id is the
 * engine's (patient, opened_at) for a clinical flag; a technical alert
 * has no Flag resource.
 */
static gboolean
fill_context (WardCare             *self,
              gint64                flag_id,
              const char           *patient_id,
              gint64                at,
              WardCareFhirContext  *context,
              char                **flag_fhir_id,
              char                **subject_id,
              GError              **error)
{
  *flag_fhir_id = NULL;
  *subject_id = NULL;
  if (!ensure_ids (self, error))
    return FALSE;

  /* The Patient the engine's resources name, written first in local
   * identity, so that every reference resolves (ward-engine-subjects.c).
   */
  if (!ward_engine_ensure_fhir_patient (self->engine, patient_id, at, subject_id, error))
    return FALSE;

  context->installation_id = self->installation_id;
  context->device_id = self->device_id;
  context->subject_id = *subject_id;
  context->flag_id = NULL;
  context->task_id = NULL;
  context->part_of_id = NULL;
  context->communication_id = NULL;

  if (flag_id != 0)
    {
      WardCareFlag flag = { 0 };
      gboolean found = FALSE;

      if (!ward_store_get_care_flag (self->store, flag_id, &found, &flag, error))
        return FALSE;
      if (found && flag.kind == WARD_CARE_KIND_CLINICAL && flag.patient_id != NULL)
        context->flag_id = *flag_fhir_id = ward_care_score_kind_is_model (flag.score_kind)
          ? ward_fhir_model_flag_id (flag.patient_id, flag.score_kind, flag.opened_at)
          : ward_fhir_flag_id (flag.patient_id, flag.opened_at);
      ward_care_flag_clear (&flag);
    }

  return TRUE;
}

gboolean
_ward_care_audit (WardCare    *self,
                  gint64       at,
                  const char  *actor,
                  const char  *action,
                  const char  *patient_id,
                  gint64       flag_id,
                  gint64       task_id,
                  const char  *station_id,
                  const char  *detail,
                  GError     **error)
{
  g_autofree char *flag_fhir_id = NULL;
  g_autofree char *subject_id = NULL;
  g_autofree char *last_hash = NULL;
  g_autofree char *task_fhir_id = NULL;
  g_autoptr(JsonNode) node = NULL;
  WardCareFhirContext context;
  WardAuditRow row = { 0 };
  gint64 id = 0;

  if (!ward_audit_append (self->store, at, actor, action, patient_id, flag_id, task_id,
                          station_id, detail, &id, error))
    return FALSE;
  if (!ward_store_audit_last (self->store, &id, &last_hash, error))
    return FALSE;
  if (!fill_context (self, flag_id, patient_id, at, &context, &flag_fhir_id, &subject_id, error) ||
      (task_id != 0 &&
       !ward_care_share_task_ids (self->store, self->installation_id, task_id, &task_fhir_id, NULL,
                                  error)))
    return FALSE;
  context.task_id = task_fhir_id;

  row.id = id;
  row.at = at;
  row.actor = (char *) actor;
  row.action = (char *) action;
  row.patient_id = (char *) patient_id;
  row.flag_id = flag_id;
  row.task_id = task_id;
  row.station = (char *) station_id;
  row.detail = (char *) detail;
  row.hash = last_hash;
  node = ward_care_fhir_audit_event (&context, &row);

  return put_resource (self, node, at, error);
}

char *
_ward_care_detail_json (const char *first_member,
                        ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *member;
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_member);
  for (member = first_member; member != NULL; member = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      json_builder_set_member_name (builder, member);
      json_builder_add_string_value (builder, value);
    }
  va_end (args);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Writes the task (a new one when its id is 0) and its FHIR Task. */
gboolean
_ward_care_save_task (WardCare  *self,
                      WardTask  *task,
                      gint64     at,
                      GError   **error)
{
  g_autofree char *flag_fhir_id = NULL;
  g_autofree char *subject_id = NULL;
  g_autofree char *task_fhir_id = NULL;
  g_autofree char *part_of_fhir_id = NULL;
  g_autoptr(JsonNode) node = NULL;
  WardCareFhirContext context;

  task->updated_at = at;
  if (task->id == 0)
    {
      if (ward_store_insert_task (self->store, task, error) == 0)
        return FALSE;
    }
  else if (!ward_store_update_task (self->store, task, error))
    return FALSE;

  if (!fill_context (self, task->flag_id, task->patient_id, at, &context, &flag_fhir_id,
                     &subject_id, error) ||
      !ward_care_share_task_ids (self->store, self->installation_id, task->id, &task_fhir_id,
                                 &part_of_fhir_id, error))
    return FALSE;
  context.task_id = task_fhir_id;
  context.part_of_id = part_of_fhir_id;
  /* A task made on another station for a flag this station has not
   * opened (yet) keeps the Flag it came with.
   */
  if (context.flag_id == NULL && task->flag_id == 0)
    {
      WardInboundTask row = { 0 };
      gboolean found = FALSE;

      if (!ward_store_inbound_get_for_task (self->store, task->id, &found, &row, error))
        return FALSE;
      flag_fhir_id = g_steal_pointer (&row.focus);
      context.flag_id = flag_fhir_id;
      ward_inbound_task_clear (&row);
    }
  node = ward_care_fhir_task (&context, task);

  /* Shared between stations: the Task goes only through the sharing
   * layer's queue (If-Match on the server's version), never also
   * through the outbox, so one resource has one writer here.
   */
  if (self->shared != NULL)
    return ward_fhir_shared_write (self->shared, json_node_get_object (node), error);
  return put_resource (self, node, at, error);
}

gboolean
_ward_care_communicate (WardCare        *self,
                        const char      *kind,
                        const WardTask  *task,
                        const char      *patient_id,
                        const char      *sender,
                        const char      *recipient_role,
                        const char      *recipient_staff,
                        const char      *payload,
                        const char      *station_id,
                        gint64           at,
                        GError         **error)
{
  g_autofree char *flag_fhir_id = NULL;
  g_autofree char *subject_id = NULL;
  g_autofree char *task_fhir_id = NULL;
  g_autofree char *shared_id = NULL;
  g_autoptr(JsonNode) node = NULL;
  WardCareFhirContext context;
  WardCommunication c = {
    .kind = (char *) kind,
    .task_id = task != NULL ? task->id : 0,
    .patient_id = (char *) patient_id,
    .sender = (char *) sender,
    .recipient_role = (char *) recipient_role,
    .recipient_staff = (char *) recipient_staff,
    .sent_at = at,
    .payload = (char *) payload,
    .station = (char *) station_id,
  };

  if (ward_store_add_communication (self->store, &c, error) == 0)
    return FALSE;
  if (!fill_context (self, 0, patient_id, at, &context, &flag_fhir_id, &subject_id, error) ||
      (c.task_id != 0 &&
       !ward_care_share_task_ids (self->store, self->installation_id, c.task_id, &task_fhir_id, NULL,
                                  error)))
    return FALSE;
  context.task_id = task_fhir_id;
  /* A flag's notification or escalation is made by every station that
   * made its Task: named from the Task, the ward gets it once.
   */
  shared_id = ward_care_share_communication_id (task_fhir_id, kind);
  context.communication_id = shared_id;
  node = ward_care_fhir_communication (&context, &c);

  return put_resource (self, node, at, error);
}

/* Tells the task's owner: a communication to the staff member, or to
 * the role when nobody holds it by name.
 */
static gboolean
notify_owner (WardCare        *self,
              const char      *kind,
              const WardTask  *task,
              const char      *sender,
              const char      *payload,
              const char      *station_id,
              gint64           at,
              GError         **error)
{
  return _ward_care_communicate (self, kind, task, task->patient_id, sender,
                                 ward_role_to_string (task->owner_role), task->owner_staff, payload,
                                 station_id, at, error);
}

WardTask *
_ward_care_load_task (WardCare  *self,
                      gint64     task_id,
                      GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  WardTask *task;

  task = ward_store_get_task (self->store, task_id, &local_error);
  if (task == NULL && local_error == NULL)
    g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_FOUND,
                 "There is no task %" G_GINT64_FORMAT, task_id);
  else if (task == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return task;
}

static gboolean
check_open (const WardTask  *task,
            GError         **error)
{
  if (!ward_task_is_open (task))
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_STATE,
                   "Task %" G_GINT64_FORMAT " is %s already", task->id,
                   ward_task_status_to_string (task->status));
      return FALSE;
    }

  return TRUE;
}

/* The prologue the actions on a task share: who acts and from where,
 * then the task, refused when open_only and it is closed.  Checks of the
 * action's own arguments come before, so nothing is read for a call
 * that cannot succeed.
 */
static WardTask *
task_for_action (WardCare    *self,
                 gint64       task_id,
                 const char  *staff_id,
                 const char  *station_id,
                 gboolean     open_only,
                 GError     **error)
{
  g_autoptr(WardTask) task = NULL;

  if (!_ward_care_check_actor (staff_id, station_id, error) ||
      !(task = _ward_care_load_task (self, task_id, error)) ||
      (open_only && !check_open (task, error)))
    return NULL;

  return g_steal_pointer (&task);
}

/* An enum value from a caller: what names it in the error. */
static gboolean
check_known (guint        value,
             guint        n_values,
             const char  *what,
             GError     **error)
{
  if (value < n_values)
    return TRUE;

  g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID, "Unknown %s %u", what, value);
  return FALSE;
}

/* The bed nurse of the task's bed, for a task of the bed nurse's role. */
gboolean
_ward_care_route_to_allocation (WardCare  *self,
                                WardTask  *task,
                                GError   **error)
{
  g_autoptr(GError) local_error = NULL;

  g_clear_pointer (&task->owner_staff, g_free);
  if (task->owner_role != WARD_ROLE_BED_NURSE || task->bed_id == NULL)
    return TRUE;

  task->owner_staff = ward_store_get_allocation (self->store, task->bed_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* A nurse no longer on the ward's staff (taken off the CareTeam) is
   * routed nothing: the task goes to the role (store/ward-store-staff-fhir.h).
   */
  if (task->owner_staff != NULL)
    {
      gboolean may_route = TRUE;

      if (!ward_store_staff_may_route (self->store, task->owner_staff, &may_route, error))
        return FALSE;
      if (!may_route)
        {
          g_debug ("Bed %s: its nurse %s is not on the staff roster; routed to the role",
                   task->bed_id, task->owner_staff);
          g_clear_pointer (&task->owner_staff, g_free);
        }
    }

  return TRUE;
}

static gint64
chain_root (WardCare  *self,
            WardTask  *task,
            GError   **error)
{
  gint64 root = task->id;
  gint64 parent = task->part_of;

  /* Escalation chains are short (one step per role). */
  for (guint depth = 0; parent != 0 && depth < 16; depth++)
    {
      g_autoptr(WardTask) up = ward_store_get_task (self->store, parent, error);

      if (up == NULL)
        return error != NULL && *error != NULL ? 0 : root;
      root = up->id;
      parent = up->part_of;
    }

  return root;
}

/* Cancels the requested tasks of task's chain but task itself. */
static gboolean
cancel_rest_of_chain (WardCare        *self,
                      const WardTask  *task,
                      const char      *reason,
                      const char      *actor,
                      const char      *station_id,
                      gint64           at,
                      GError         **error)
{
  g_autoptr(GPtrArray) chain = NULL;
  gint64 root;

  if ((root = chain_root (self, (WardTask *) task, error)) == 0)
    return FALSE;
  if (!(chain = ward_store_list_tasks (self->store, WARD_TASK_LIST_CHAIN, root, NULL, error)))
    return FALSE;

  for (guint i = 0; i < chain->len; i++)
    {
      WardTask *other = g_ptr_array_index (chain, i);
      g_autofree char *detail = NULL;

      if (other->id == task->id || other->status != WARD_TASK_REQUESTED)
        continue;

      other->status = WARD_TASK_CANCELLED;
      g_free (other->status_reason);
      other->status_reason = g_strdup (reason);
      g_free (other->closed_by);
      other->closed_by = g_strdup (actor);
      other->closed_at = at;
      detail = _ward_care_detail_json ("reason", reason, NULL);
      if (!_ward_care_save_task (self, other, at, error) ||
          !_ward_care_audit (self, at, actor, "task-cancelled", other->patient_id, other->flag_id,
                             other->id, station_id, detail, error))
        return FALSE;
    }

  return TRUE;
}

/* Accepts task for staff_id; acknowledge_flag: also acknowledge its flag
 * through the engine (FALSE when the flag's acknowledgement is what
 * accepts it).
 */
gboolean
_ward_care_accept_task (WardCare    *self,
                        WardTask    *task,
                        const char  *staff_id,
                        const char  *station_id,
                        gint64       at,
                        gboolean     acknowledge_flag,
                        GError     **error)
{
  g_autofree char *reason = NULL;

  if (task->status == WARD_TASK_ACCEPTED && task->accepted_by != NULL)
    {
      /* Whoever came second is told who has it. */
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_STATE,
                   "Task %" G_GINT64_FORMAT " is already accepted by %s", task->id,
                   task->accepted_by);
      return FALSE;
    }
  if (task->status != WARD_TASK_REQUESTED)
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_STATE,
                   "Task %" G_GINT64_FORMAT " is %s, not waiting to be accepted", task->id,
                   ward_task_status_to_string (task->status));
      return FALSE;
    }

  if (acknowledge_flag && task->flag_id != 0)
    {
      WardCareFlag flag = { 0 };
      gboolean found = FALSE;
      gboolean needed;

      if (!ward_store_get_care_flag (self->store, task->flag_id, &found, &flag, error))
        return FALSE;
      needed = found && flag.closed_at == 0 && flag.acknowledged_by == NULL;
      ward_care_flag_clear (&flag);
      if (needed && !ward_engine_acknowledge (self->engine, task->flag_id, at, staff_id, error))
        return FALSE;
    }

  task->status = WARD_TASK_ACCEPTED;
  g_free (task->accepted_by);
  task->accepted_by = g_strdup (staff_id);
  task->accepted_at = at;
  g_free (task->owner_staff);
  task->owner_staff = g_strdup (staff_id);
  if (!_ward_care_save_task (self, task, at, error) ||
      !_ward_care_audit (self, at, staff_id, "task-accepted", task->patient_id, task->flag_id,
                         task->id, station_id, NULL, error))
    return FALSE;

  reason = g_strdup_printf ("accepted by %s (task %" G_GINT64_FORMAT ")", staff_id, task->id);
  return cancel_rest_of_chain (self, task, reason, staff_id, station_id, at, error);
}

gboolean
_ward_care_create_task (WardCare      *self,
                        WardTask      *task,
                        const char    *action,
                        const char    *payload,
                        gint64         now,
                        GError       **error)
{
  g_autofree char *detail = NULL;

  if (!_ward_care_route_to_allocation (self, task, error) ||
      !_ward_care_save_task (self, task, now, error))
    return FALSE;

  detail = _ward_care_detail_json ("role", ward_role_to_string (task->owner_role),
                                   "staff", task->owner_staff,
                                   "priority", ward_task_priority_to_string (task->priority), NULL);
  return _ward_care_audit (self, now, task->requester, action, task->patient_id, task->flag_id,
                           task->id, task->station, detail, error) &&
         notify_owner (self, task->part_of != 0 ? "escalation" :
                       task->kind == WARD_CARE_KIND_CONCERN ? "concern" : "notification",
                       task, task->requester, payload, task->station, now, error);
}

/* GObject */

static void
ward_care_finalize (GObject *object)
{
  WardCare *self = (WardCare *) object;

  if (self->shared != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->shared), (gpointer *) &self->shared);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->policy, ward_care_policy_free);
  g_clear_pointer (&self->ward_id, g_free);
  g_clear_pointer (&self->station_id, g_free);
  g_clear_pointer (&self->installation_id, g_free);
  g_clear_pointer (&self->device_id, g_free);

  G_OBJECT_CLASS (ward_care_parent_class)->finalize (object);
}

static void
ward_care_class_init (WardCareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_care_finalize;
}

static void
ward_care_init (WardCare *self)
{
}

/* Public API */

WardCare *
ward_care_new (WardEngine           *engine,
               const WardCarePolicy *policy,
               const char           *ward_id,
               const char           *station_id)
{
  WardCare *self;

  g_return_val_if_fail (WARD_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (station_id != NULL && *station_id != '\0', NULL);

  self = g_object_new (WARD_TYPE_CARE, NULL);
  self->engine = g_object_ref (engine);
  self->store = ward_engine_get_store (engine);
  self->policy = policy != NULL ? ward_care_policy_copy (policy) : ward_care_policy_new ();
  self->ward_id = g_strdup (ward_id);
  self->station_id = g_strdup (station_id);

  return self;
}

const WardCarePolicy *
ward_care_get_policy (WardCare *self)
{
  g_return_val_if_fail (WARD_IS_CARE (self), NULL);

  return self->policy;
}

void
ward_care_set_shared (WardCare       *self,
                      WardFhirShared *shared)
{
  g_return_if_fail (WARD_IS_CARE (self));
  g_return_if_fail (shared == NULL || WARD_IS_FHIR_SHARED (shared));

  if (self->shared != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->shared), (gpointer *) &self->shared);
  self->shared = shared;
  if (self->shared != NULL)
    g_object_add_weak_pointer (G_OBJECT (self->shared), (gpointer *) &self->shared);
}

const char *
ward_care_get_station (WardCare *self)
{
  g_return_val_if_fail (WARD_IS_CARE (self), NULL);

  return self->station_id;
}

WardStore *
ward_care_get_store (WardCare *self)
{
  g_return_val_if_fail (WARD_IS_CARE (self), NULL);

  return self->store;
}

WardEngine *
ward_care_get_engine (WardCare *self)
{
  g_return_val_if_fail (WARD_IS_CARE (self), NULL);

  return self->engine;
}

/* The open tasks and the nurse of every bed in two reads, whatever the
 * number of beds: the pipeline fills every snapshot it makes, several a
 * second, and a read per bed was most of what a 64-bed ward's pipeline
 * cost when nothing happened.
 */
gboolean
ward_care_fill_snapshot (WardCare      *self,
                         WardSnapshot  *snapshot,
                         GError       **error)
{
  g_autoptr(GPtrArray) allocations = NULL;
  g_autoptr(GPtrArray) open_tasks = NULL;
  g_autoptr(GHashTable) nurses = NULL;
  g_autoptr(GHashTable) by_bed = NULL;

  g_return_val_if_fail (WARD_IS_CARE (self), FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);

  if (!(allocations = ward_store_list_allocations (self->store, NULL, error)) ||
      !(open_tasks = ward_store_list_tasks (self->store, WARD_TASK_LIST_OPEN, 0, NULL, error)))
    return FALSE;

  nurses = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < allocations->len; i++)
    {
      WardAllocation *a = g_ptr_array_index (allocations, i);

      g_hash_table_insert (nurses, a->bed_id, a->staff_id);
    }

  /* Oldest first within each bed, as the list is. */
  by_bed = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < open_tasks->len; i++)
    {
      WardTask *task = g_ptr_array_index (open_tasks, i);
      GPtrArray *tasks;

      if (task->bed_id == NULL)
        continue;
      tasks = g_hash_table_lookup (by_bed, task->bed_id);
      if (tasks == NULL)
        {
          tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);
          g_hash_table_insert (by_bed, task->bed_id, tasks);
        }
      g_ptr_array_add (tasks, g_steal_pointer (&g_ptr_array_index (open_tasks, i)));
    }

  for (guint i = 0; i < ward_snapshot_get_n_beds (snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);
      GPtrArray *tasks = NULL;

      if (bed->bed_id == NULL ||
          !g_hash_table_steal_extended (by_bed, bed->bed_id, NULL, (gpointer *) &tasks))
        tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);
      _ward_snapshot_set_bed_care (snapshot, i,
                                   bed->bed_id != NULL ? g_hash_table_lookup (nurses, bed->bed_id) : NULL,
                                   tasks);
    }

  return TRUE;
}

gboolean
ward_care_accept (WardCare    *self,
                  gint64       task_id,
                  const char  *staff_id,
                  const char  *station_id,
                  gint64       at,
                  GError     **error)
{
  g_autoptr(WardTask) task = NULL;

  g_return_val_if_fail (WARD_IS_CARE (self), FALSE);

  if (!(task = task_for_action (self, task_id, staff_id, station_id, FALSE, error)))
    return FALSE;

  return _ward_care_accept_task (self, task, staff_id, station_id, at, TRUE, error);
}

gboolean
ward_care_reassign (WardCare    *self,
                    gint64       task_id,
                    WardRole     to_role,
                    const char  *to_staff,
                    const char  *staff_id,
                    const char  *station_id,
                    gint64       at,
                    GError     **error)
{
  g_autoptr(WardTask) task = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *payload = NULL;

  g_return_val_if_fail (WARD_IS_CARE (self), FALSE);

  if ((to_staff != NULL && !_ward_care_check_text (to_staff, "The new owner's staff id", 256,
                                                   error)) ||
      !check_known (to_role, WARD_N_ROLES, "role", error) ||
      !(task = task_for_action (self, task_id, staff_id, station_id, TRUE, error)))
    return FALSE;

  if (task->status == WARD_TASK_ACCEPTED)
    task->due_at = at + ward_care_policy_response (self->policy, task->kind, task->has_band,
                                                   task->band);
  task->status = WARD_TASK_REQUESTED;
  g_clear_pointer (&task->accepted_by, g_free);
  task->accepted_at = 0;
  task->owner_role = to_role;
  if (to_staff != NULL)
    {
      g_free (task->owner_staff);
      task->owner_staff = g_strdup (to_staff);
    }
  else if (!_ward_care_route_to_allocation (self, task, error))
    return FALSE;

  detail = _ward_care_detail_json ("role", ward_role_to_string (to_role), "staff",
                                   task->owner_staff, NULL);
  payload = g_strdup_printf ("Task %" G_GINT64_FORMAT " (%s) reassigned to you by %s", task->id,
                             task->bed_id ? task->bed_id : "no bed", staff_id);

  return _ward_care_save_task (self, task, at, error) &&
         _ward_care_audit (self, at, staff_id, "task-reassigned", task->patient_id, task->flag_id,
                           task->id, station_id, detail, error) &&
         notify_owner (self, "reassignment", task, staff_id, payload, station_id, at, error);
}

gboolean
ward_care_complete (WardCare         *self,
                    gint64            task_id,
                    WardTaskOutcome   outcome,
                    const char       *note,
                    const char       *staff_id,
                    const char       *station_id,
                    gint64            at,
                    GError          **error)
{
  g_autoptr(WardTask) task = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *reason = NULL;

  g_return_val_if_fail (WARD_IS_CARE (self), FALSE);

  if ((note != NULL && *note != '\0' && !_ward_care_check_text (note, "The note", MAX_NOTE_LENGTH,
                                                                error)) ||
      !check_known (outcome, WARD_N_OUTCOMES, "outcome", error) ||
      !(task = task_for_action (self, task_id, staff_id, station_id, TRUE, error)))
    return FALSE;

  if (task->status == WARD_TASK_REQUESTED &&
      !_ward_care_accept_task (self, task, staff_id, station_id, at, TRUE, error))
    return FALSE;

  task->status = WARD_TASK_COMPLETED;
  task->has_outcome = TRUE;
  task->outcome = outcome;
  g_free (task->note);
  task->note = note != NULL && *note != '\0' ? g_strdup (note) : NULL;
  g_free (task->closed_by);
  task->closed_by = g_strdup (staff_id);
  task->closed_at = at;
  detail = _ward_care_detail_json ("outcome", ward_task_outcome_to_string (outcome), "note",
                                   task->note, NULL);
  reason = g_strdup_printf ("completed by %s (task %" G_GINT64_FORMAT ")", staff_id, task->id);

  return _ward_care_save_task (self, task, at, error) &&
         _ward_care_audit (self, at, staff_id, "task-completed", task->patient_id, task->flag_id,
                           task->id, station_id, detail, error) &&
         cancel_rest_of_chain (self, task, reason, staff_id, station_id, at, error);
}

gint64
ward_care_raise_concern (WardCare    *self,
                         const char  *patient_id,
                         const char  *note,
                         const char  *staff_id,
                         const char  *station_id,
                         gint64       at,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *bed_id = NULL;
  g_autofree char *payload = NULL;
  WardRoutingQuery query = { 0 };
  WardTask task = { 0 };
  WardRole role;
  gboolean ok;

  g_return_val_if_fail (WARD_IS_CARE (self), 0);

  if (!_ward_care_check_actor (staff_id, station_id, error) ||
      !_ward_care_check_text (patient_id, "The patient", 256, error) ||
      !_ward_care_check_text (note, "What worries you (the note)", MAX_NOTE_LENGTH, error))
    return 0;

  bed_id = ward_store_get_patient_bed (self->store, patient_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }
  if (bed_id == NULL)
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_FOUND,
                   "Patient %s is in no bed on this ward", patient_id);
      return 0;
    }

  query.ward = self->ward_id;
  query.bed = bed_id;
  query.kind = WARD_CARE_KIND_CONCERN;
  ward_care_policy_route (self->policy, &query, &role);

  task.patient_id = g_strdup (patient_id);
  task.bed_id = g_strdup (bed_id);
  task.kind = WARD_CARE_KIND_CONCERN;
  task.status = WARD_TASK_REQUESTED;
  task.priority = ward_care_priority_for (WARD_CARE_KIND_CONCERN, FALSE, 0);
  task.owner_role = role;
  task.requester = g_strdup (staff_id);
  task.requested_at = at;
  task.due_at = at + ward_care_policy_response (self->policy, WARD_CARE_KIND_CONCERN, FALSE, 0);
  task.note = g_strdup (note);
  task.station = g_strdup (station_id);
  payload = g_strdup_printf ("Clinical concern about the patient in %s, raised by %s: %s",
                             bed_id, staff_id, note);

  ok = _ward_care_create_task (self, &task, "concern", payload, at, error);
  ward_task_clear (&task);

  return ok ? task.id : 0;
}
