/* ward-care-share.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-share.h"
#include "ward-care-fhir.h"
#include "ward-care-inbound.h"
#include "ward-fhir-model-flag.h"
#include "ward-fhir-resources.h"
#include "ward-routing.h"
#include "ward-store-care-inbound.h"

char *
ward_care_share_chain_task_id (const char *flag_key,
                               guint       level)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (flag_key != NULL, NULL);

  key = g_strdup_printf ("%s|%u", flag_key, level);
  return ward_fhir_resource_id_for ("task", key);
}

/* The key of a flag, the same on every station that saw it open. */
static char *
flag_key (const WardCareFlag *flag)
{
  /* A model's own flag has its own Flag id: a NEWS2 flag opened at the
   * same tick must not name the same Tasks.
   */
  if (flag->kind == WARD_CARE_KIND_CLINICAL && ward_care_score_kind_is_model (flag->score_kind))
    return ward_fhir_model_flag_id (flag->patient_id, flag->score_kind, flag->opened_at);
  if (flag->kind == WARD_CARE_KIND_CLINICAL)
    return ward_fhir_flag_id (flag->patient_id, flag->opened_at);

  return g_strdup_printf ("%s|%s|%" G_GINT64_FORMAT, ward_care_kind_to_string (flag->kind),
                          flag->patient_id, flag->opened_at);
}

gboolean
ward_care_share_task_ids (WardStore   *store,
                          const char  *installation_id,
                          gint64       task_id,
                          char       **fhir_id,
                          char       **part_of_fhir_id,
                          GError     **error)
{
  g_autoptr(WardTask) task = NULL;
  g_autoptr(WardTask) root = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autofree char *key = NULL;
  WardCareFlag flag = { 0 };
  gboolean found = FALSE;
  gboolean flagless = FALSE;
  guint level = 0;

  g_return_val_if_fail (installation_id != NULL, FALSE);

  *fhir_id = NULL;
  if (part_of_fhir_id != NULL)
    *part_of_fhir_id = NULL;

  if (!(task = ward_store_get_task (store, task_id, error)))
    return FALSE;

  /* A task made on another station keeps the id it came with. */
  {
    WardInboundTask row = { 0 };
    gboolean inbound = FALSE;

    if (!ward_store_inbound_get_for_task (store, task->id, &inbound, &row, error))
      return FALSE;
    if (inbound)
      {
        *fhir_id = g_steal_pointer (&row.fhir_id);
        ward_inbound_task_clear (&row);
        if (part_of_fhir_id != NULL && task->part_of != 0)
          return ward_care_share_task_ids (store, installation_id, task->part_of, part_of_fhir_id,
                                           NULL, error);
        return TRUE;
      }
  }

  if (task->flag_id != 0 &&
      !ward_store_get_care_flag (store, task->flag_id, &found, &flag, error))
    return FALSE;
  if ((!found || flag.patient_id == NULL) && task->part_of == 0)
    {
      ward_care_flag_clear (&flag);
      *fhir_id = ward_care_fhir_task_id (installation_id, task->id);
      return TRUE;
    }
  if (!found || flag.patient_id == NULL)
    {
      /* A task without a flag (a concern) escalated: named from its
       * chain's first Task and the level, so that two stations that
       * escalate one concern (it was made on one, and reached the other)
       * write one escalation.
       */
      ward_care_flag_clear (&flag);
      flagless = TRUE;
      root = ward_task_copy (task);
      for (guint hops = 0; root->part_of != 0 && hops < 64; hops++)
        {
          WardTask *parent = ward_store_get_task (store, root->part_of, error);

          if (parent == NULL)
            return FALSE;
          ward_task_free (root);
          root = parent;
        }
      if (!ward_care_share_task_ids (store, installation_id, root->id, &key, NULL, error))
        return FALSE;
    }
  else
    {
      key = flag_key (&flag);
      ward_care_flag_clear (&flag);
    }

  /* The level is the task's place in its chain (the first task and the
   * escalations made from it, by row id, which follows their order).
   */
  if (root == NULL)
    root = ward_task_copy (task);
  for (guint hops = 0; root->part_of != 0 && hops < 64; hops++)
    {
      WardTask *parent = ward_store_get_task (store, root->part_of, error);

      if (parent == NULL)
        return FALSE;
      ward_task_free (root);
      root = parent;
    }
  if (!(chain = ward_store_list_tasks (store, WARD_TASK_LIST_CHAIN, root->id, NULL, error)))
    return FALSE;
  for (guint i = 0; i < chain->len; i++)
    if (((WardTask *) g_ptr_array_index (chain, i))->id == task->id)
      level = i;

  *fhir_id = ward_care_share_chain_task_id (key, level);
  if (part_of_fhir_id != NULL && task->part_of != 0)
    {
      guint parent_level = 0;

      for (guint i = 0; i < chain->len; i++)
        if (((WardTask *) g_ptr_array_index (chain, i))->id == task->part_of)
          parent_level = i;
      /* A concern's first Task keeps its own id. */
      *part_of_fhir_id = flagless && parent_level == 0
                         ? g_strdup (key)
                         : ward_care_share_chain_task_id (key, parent_level);
    }

  return TRUE;
}

/* The staff id in Task.owner (an identifier reference), or NULL. */
static const char *
owner_of (JsonObject *task)
{
  JsonObject *owner;
  JsonObject *identifier;

  if (!json_object_has_member (task, "owner") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (task, "owner")))
    return NULL;
  owner = json_object_get_object_member (task, "owner");
  if (!json_object_has_member (owner, "identifier") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (owner, "identifier")))
    return NULL;
  identifier = json_object_get_object_member (owner, "identifier");
  if (g_strcmp0 (json_object_get_string_member_with_default (identifier, "system", NULL),
                 WARD_FHIR_SYSTEM_STAFF_ID) != 0)
    return NULL;

  return json_object_get_string_member_with_default (identifier, "value", NULL);
}

static WardTaskStatus
status_of (JsonObject *task,
           gboolean   *ok)
{
  WardTaskStatus status = WARD_TASK_REQUESTED;

  *ok = ward_task_status_from_string (json_object_get_string_member_with_default (task, "status", ""),
                                      &status);
  return status;
}

/* Both without the member, or both with equal values. */
static gboolean
same_member (JsonObject *a,
             JsonObject *b,
             const char *name)
{
  JsonNode *na = json_object_get_member (a, name);
  JsonNode *nb = json_object_get_member (b, name);

  if (na == NULL || nb == NULL)
    return na == nb;

  return json_node_equal (na, nb);
}

WardFhirMergeResult
ward_care_share_merge_task (JsonObject  *local,
                            JsonObject  *server,
                            JsonObject **merged,
                            char       **notice)
{
  g_autofree char *station = NULL;
  WardTaskStatus mine;
  WardTaskStatus theirs;
  gboolean mine_ok;
  gboolean theirs_ok;
  const char *their_owner;
  const char *my_owner;

  g_return_val_if_fail (local != NULL && server != NULL, WARD_FHIR_MERGE_TAKE_SERVER);

  *merged = NULL;
  *notice = NULL;
  mine = status_of (local, &mine_ok);
  theirs = status_of (server, &theirs_ok);
  their_owner = owner_of (server);
  my_owner = owner_of (local);
  station = ward_fhir_shared_dup_station (server);

  if (!theirs_ok)
    {
      /* Not a status of ours: never overwrite what we cannot read. */
      *notice = g_strdup_printf ("Task %s changed on the server to a state Wardwatch does not know",
                                 json_object_get_string_member_with_default (server, "id", "?"));
      return WARD_FHIR_MERGE_TAKE_SERVER;
    }

  if (theirs == WARD_TASK_COMPLETED || theirs == WARD_TASK_CANCELLED)
    {
      if (mine_ok && mine == theirs && g_strcmp0 (my_owner, their_owner) == 0)
        return WARD_FHIR_MERGE_TAKE_SERVER;   /* the same outcome twice: nothing to say */
      *notice = g_strdup_printf ("Already %s by %s at %s", ward_task_status_to_string (theirs),
                                 their_owner ? their_owner : "another station",
                                 station ? station : "another station");
      return WARD_FHIR_MERGE_TAKE_SERVER;
    }

  if (theirs == WARD_TASK_ACCEPTED && mine_ok && mine != WARD_TASK_REQUESTED &&
      g_strcmp0 (my_owner, their_owner) != 0)
    {
      /* Two accepts at once (or an accept and a completion by another):
       * the one the server took first wins, the other station is told.
       */
      *notice = g_strdup_printf ("Already accepted by %s at %s",
                                 their_owner ? their_owner : "somebody",
                                 station ? station : "another station");
      return WARD_FHIR_MERGE_TAKE_SERVER;
    }

  if (theirs == WARD_TASK_ACCEPTED && mine_ok && mine == WARD_TASK_REQUESTED &&
      json_object_has_member (local, "partOf") == json_object_has_member (server, "partOf") &&
      g_strcmp0 (json_object_get_string_member_with_default (local, "priority", ""),
                 json_object_get_string_member_with_default (server, "priority", "")) == 0)
    {
      /* The same task as made by a station that had not yet seen the
       * accept: the accept stands.
       */
      return WARD_FHIR_MERGE_TAKE_SERVER;
    }

  if (theirs == WARD_TASK_REQUESTED && mine_ok && mine == WARD_TASK_REQUESTED &&
      same_member (local, server, "partOf") && same_member (local, server, "priority") &&
      same_member (local, server, "performerType") && same_member (local, server, "owner"))
    {
      /* The same task made by two stations (both saw the flag open, or
       * both escalated it): the first one made stands; writing ours
       * again would only change when it says it was made.
       */
      return WARD_FHIR_MERGE_TAKE_SERVER;
    }

  {
    /* A deep copy: the sharing layer replaces its meta. */
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), local);
    g_autofree char *text = json_to_string (node, FALSE);
    g_autoptr(JsonNode) copy = json_from_string (text, NULL);

    WardTaskPriority mine_priority;
    WardTaskPriority their_priority;

    *merged = json_object_ref (json_node_get_object (copy));
    /* A priority raised meanwhile (a band that rose) is kept. */
    if (ward_task_priority_from_string (json_object_get_string_member_with_default (local, "priority", ""),
                                        &mine_priority) &&
        ward_task_priority_from_string (json_object_get_string_member_with_default (server, "priority", ""),
                                        &their_priority) &&
        their_priority > mine_priority)
      json_object_set_string_member (*merged, "priority", ward_task_priority_to_string (their_priority));
  }
  return WARD_FHIR_MERGE_WRITE;
}

static gint64
time_member (JsonObject *object,
             const char *member)
{
  gint64 usec = 0;
  const char *text = json_object_get_string_member_with_default (object, member, NULL);

  if (text == NULL || !ward_time_parse_iso8601 (text, &usec))
    return 0;
  return usec;
}

gboolean
ward_care_share_read_task (JsonObject *resource,
                           WardTask   *task)
{
  WardTaskStatus status;
  WardTaskPriority priority = task->priority;
  gboolean ok;
  const char *owner;
  const char *text;

  g_return_val_if_fail (resource != NULL && task != NULL, FALSE);

  status = status_of (resource, &ok);
  if (!ok || g_strcmp0 (json_object_get_string_member_with_default (resource, "resourceType", ""),
                        "Task") != 0)
    return FALSE;
  text = json_object_get_string_member_with_default (resource, "priority", NULL);
  if (text != NULL && !ward_task_priority_from_string (text, &priority))
    return FALSE;

  owner = owner_of (resource);
  task->status = status;
  task->priority = priority;
  g_free (task->owner_staff);
  task->owner_staff = g_strdup (owner);

  if (json_object_has_member (resource, "performerType") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (resource, "performerType")))
    {
      JsonArray *types = json_object_get_array_member (resource, "performerType");
      WardRole role;

      if (json_array_get_length (types) > 0 &&
          JSON_NODE_HOLDS_OBJECT (json_array_get_element (types, 0)) &&
          ward_role_from_string (json_object_get_string_member_with_default (
                                   json_array_get_object_element (types, 0), "text", ""), &role))
        task->owner_role = role;
    }

  if (json_object_has_member (resource, "executionPeriod") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (resource, "executionPeriod")))
    {
      JsonObject *period = json_object_get_object_member (resource, "executionPeriod");

      task->accepted_at = time_member (period, "start");
      if (status == WARD_TASK_COMPLETED)
        task->closed_at = time_member (period, "end");
    }
  if (status != WARD_TASK_REQUESTED && owner != NULL)
    {
      g_free (task->accepted_by);
      task->accepted_by = g_strdup (owner);
    }
  else if (status == WARD_TASK_REQUESTED)
    {
      g_clear_pointer (&task->accepted_by, g_free);
      task->accepted_at = 0;
    }

  if (json_object_has_member (resource, "note") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (resource, "note")) &&
      json_array_get_length (json_object_get_array_member (resource, "note")) > 0)
    {
      JsonObject *note = json_array_get_object_element (json_object_get_array_member (resource, "note"), 0);

      g_free (task->note);
      task->note = g_strdup (json_object_get_string_member_with_default (note, "text", NULL));
      g_free (task->closed_by);
      task->closed_by = g_strdup (json_object_get_string_member_with_default (note, "authorString", NULL));
      if (task->closed_at == 0)
        task->closed_at = time_member (note, "time");
    }
  if (status == WARD_TASK_COMPLETED && task->closed_by == NULL && owner != NULL)
    task->closed_by = g_strdup (owner);

  if (json_object_has_member (resource, "output") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (resource, "output")) &&
      json_array_get_length (json_object_get_array_member (resource, "output")) > 0)
    {
      JsonObject *output = json_array_get_object_element (json_object_get_array_member (resource, "output"), 0);
      JsonObject *value = json_object_get_object_member (output, "valueCodeableConcept");
      WardTaskOutcome outcome;

      if (value != NULL &&
          ward_task_outcome_from_string (json_object_get_string_member_with_default (value, "text", ""),
                                         &outcome))
        {
          task->has_outcome = TRUE;
          task->outcome = outcome;
        }
    }

  if (json_object_has_member (resource, "statusReason") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (resource, "statusReason")))
    {
      g_free (task->status_reason);
      task->status_reason = g_strdup (json_object_get_string_member_with_default (
                                        json_object_get_object_member (resource, "statusReason"), "text", NULL));
    }

  return TRUE;
}

gboolean
ward_care_share_apply_task (WardStore   *store,
                            const char  *installation_id,
                            JsonObject  *resource,
                            gint64      *task_id,
                            GError     **error)
{
  g_autoptr(GPtrArray) open = NULL;
  const char *id;

  g_return_val_if_fail (resource != NULL, FALSE);

  *task_id = 0;
  id = json_object_get_string_member_with_default (resource, "id", NULL);
  if (id == NULL)
    return TRUE;

  /* Only open tasks can change: a ward has few, each named from its
   * flag, so the name is worked out for each rather than stored.
   */
  if (!(open = ward_store_list_tasks (store, WARD_TASK_LIST_OPEN, 0, NULL, error)))
    return FALSE;
  for (guint i = 0; i < open->len; i++)
    {
      WardTask *task = g_ptr_array_index (open, i);
      g_autofree char *fhir_id = NULL;
      g_autoptr(WardTask) changed = NULL;

      if (!ward_care_share_task_ids (store, installation_id, task->id, &fhir_id, NULL, error))
        return FALSE;
      if (!g_str_equal (fhir_id, id))
        continue;

      changed = ward_task_copy (task);
      if (!ward_care_share_read_task (resource, changed))
        {
          g_warning ("Task %s from the server is not one Wardwatch can read: kept as it was here", id);
          return TRUE;
        }
      if (!ward_store_update_task (store, changed, error))
        return FALSE;
      *task_id = task->id;
      return TRUE;
    }

  return TRUE;
}

typedef struct
{
  WardCare                *care;
  WardCareShareNoticeFunc  notice;
  gpointer                 user_data;
  GDestroyNotify           destroy;
} Attached;

static void
attached_free (gpointer data)
{
  Attached *attached = data;

  if (attached->destroy != NULL)
    attached->destroy (attached->user_data);
  g_clear_object (&attached->care);
  g_free (attached);
}

static WardFhirMergeResult
attached_merge (const char  *resource_type,
                JsonObject  *local,
                JsonObject  *server,
                JsonObject **merged,
                gpointer     user_data)
{
  Attached *attached = user_data;
  g_autofree char *notice = NULL;
  WardFhirMergeResult result;

  result = ward_care_share_merge_task (local, server, merged, &notice);
  if (notice != NULL)
    {
      const char *id = json_object_get_string_member_with_default (local, "id", "?");

      g_message ("Task %s: %s", id, notice);
      if (attached->notice != NULL)
        attached->notice (id, notice, attached->user_data);
    }
  return result;
}

static void
attached_apply (const char *resource_type,
                JsonObject *resource,
                const char *station,
                gpointer    user_data)
{
  Attached *attached = user_data;
  WardStore *store = ward_care_get_store (attached->care);
  g_autoptr(GError) error = NULL;
  g_autofree char *installation = NULL;
  gint64 task_id = 0;

  if (!(installation = ward_store_get_installation_id (store, &error)) ||
      !ward_store_begin (store, &error))
    {
      g_warning ("Cannot apply Task from %s: %s", station ? station : "the server", error->message);
      return;
    }
  /* No open task of that id here: one made on another station that
   * this station has never seen becomes a task here
   * (care/ward-care-inbound.h).
   */
  if (!ward_care_share_apply_task (store, installation, resource, &task_id, &error) ||
      (task_id == 0 &&
       !ward_care_inbound_apply_task (attached->care, resource, station, g_get_real_time (),
                                      &task_id, &error)) ||
      !ward_store_commit (store, &error))
    {
      /* Known to the sharing layer now: a later change of it comes again. */
      g_warning ("Cannot apply Task from %s: %s", station ? station : "the server", error->message);
      ward_store_rollback (store);
      return;
    }
  if (task_id != 0)
    g_debug ("Task %" G_GINT64_FORMAT " changed at %s", task_id, station ? station : "the server");
}

void
ward_care_share_attach (WardCare                *care,
                        WardFhirShared          *shared,
                        WardCareShareNoticeFunc  notice,
                        gpointer                 user_data,
                        GDestroyNotify           destroy)
{
  Attached *attached;

  g_return_if_fail (WARD_IS_CARE (care));
  g_return_if_fail (WARD_IS_FHIR_SHARED (shared));

  attached = g_new0 (Attached, 1);
  attached->care = g_object_ref (care);
  attached->notice = notice;
  attached->user_data = user_data;
  attached->destroy = destroy;
  ward_fhir_shared_register_type (shared, "Task", attached_merge, attached_apply, attached,
                                  attached_free);
  ward_care_set_shared (care, shared);
}
