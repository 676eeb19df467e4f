/* ward-care-tick.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-private.h"

#include <json-glib/json-glib.h>

/* The coordination step, ward_care_tick(): the engine's events into the
 * audit trail, a task for each new flag, acknowledgements accepting
 * tasks, tasks following their flags, overdue tasks escalating.
 */

/* The last event (events.id) copied into the audit trail. */
#define EVENTS_SEEN_KEY "care.audit-events-seen"
/* The engine's events copied into the audit trail per tick: a database
 * upgraded with months of events catches up over the first ticks rather
 * than holding one of them for long.
 */
#define MAX_EVENTS_PER_TICK 200

static gint64
flag_id_of_event (const WardStoreEvent *event)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (event->detail == NULL)
    return 0;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, event->detail, -1, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;

  return json_object_get_int_member_with_default (json_node_get_object (root), "flag_id", 0);
}

/* An acknowledgement the engine recorded, for apply_acknowledgements(). */
typedef struct
{
  gint64  flag_id;
  char   *actor;
  gint64  at;
} Ack;

static void
ack_clear (Ack *ack)
{
  g_free (ack->actor);
}

/* The engine's own record (events) joins the audit trail, in order, each
 * event once: acknowledgements, nurse entries, confirmations, SpO2
 * scale decisions, flags raised and closed.  The acknowledgements are
 * kept in acks, for their tasks.
 */
static gboolean
audit_engine_events (WardCare  *self,
                     GArray    *acks,
                     GError   **error)
{
  g_autoptr(GPtrArray) events = NULL;
  gint64 seen = 0;

  if (!ward_store_get_setting_int (self->store, EVENTS_SEEN_KEY, 0, &seen, error))
    return FALSE;
  if (!(events = ward_store_list_events_after (self->store, seen, MAX_EVENTS_PER_TICK, error)))
    return FALSE;

  for (guint i = 0; i < events->len; i++)
    {
      const WardStoreEvent *e = g_ptr_array_index (events, i);
      gint64 flag_id = flag_id_of_event (e);

      if (!_ward_care_audit (self, e->at, e->actor, e->kind, e->patient_id, flag_id, 0,
                             self->station_id, e->detail, error))
        return FALSE;
      if (flag_id != 0 && g_strcmp0 (e->kind, "acknowledge") == 0)
        {
          Ack ack = { flag_id, g_strdup (e->actor), e->at };

          g_array_append_val (acks, ack);
        }
      seen = e->id;
    }

  if (events->len == 0)
    return TRUE;

  return ward_store_set_setting_int (self->store, EVENTS_SEEN_KEY, seen, error);
}

/* A flag acknowledged the old way (the flag's own button, or a UI that
 * does not know tasks yet): whoever did it has its task.  Each
 * acknowledgement counts once, when its event is read, so that a task
 * reassigned later is not taken back.  An acknowledgement by accepting
 * a task finds nothing left to accept.
 */
static gboolean
apply_acknowledgements (WardCare  *self,
                        GArray    *acks,
                        GError   **error)
{
  for (guint i = 0; i < acks->len; i++)
    {
      const Ack *ack = &g_array_index (acks, Ack, i);
      g_autoptr(GPtrArray) tasks = NULL;

      if (!(tasks = ward_store_list_tasks (self->store, WARD_TASK_LIST_FOR_FLAG, ack->flag_id, NULL,
                                           error)))
        return FALSE;

      for (guint t = 0; t < tasks->len; t++)
        {
          WardTask *task = g_ptr_array_index (tasks, t);

          /* An acknowledgement older than the task's last change (it was
           * reassigned since) is not taken as accepting it.
           */
          if (task->status != WARD_TASK_REQUESTED || ack->at < task->updated_at)
            continue;
          /* The first requested one; the rest of its chain is cancelled. */
          if (!_ward_care_accept_task (self, task, ack->actor, self->station_id, ack->at, FALSE,
                                       error))
            return FALSE;
          break;
        }
    }

  return TRUE;
}

static gboolean
task_new_flags (WardCare  *self,
                gint64     now,
                GError   **error)
{
  g_autoptr(GArray) flags = NULL;

  if (!(flags = ward_store_list_untasked_flags (self->store, error)))
    return FALSE;

  for (guint i = 0; i < flags->len; i++)
    {
      const WardCareFlag *flag = &g_array_index (flags, WardCareFlag, i);
      g_autofree char *payload = NULL;
      WardRoutingQuery query = {
        .ward = self->ward_id,
        .bed = flag->bed_id,
        .kind = flag->kind,
        .has_band = flag->has_band,
        .band = flag->band,
        .score_kind = flag->score_kind,
      };
      WardTask task = { 0 };
      WardRole role;
      gboolean adopted = FALSE;
      gboolean ok;

      /* Another station's Task for it arrived first: that is its task. */
      if (!_ward_care_inbound_adopt_flag (self, flag, &adopted, error))
        return FALSE;
      if (adopted)
        continue;
      if (!ward_care_policy_route (self->policy, &query, &role))
        continue;

      task.flag_id = flag->id;
      task.patient_id = g_strdup (flag->patient_id);
      task.bed_id = g_strdup (flag->bed_id);
      task.kind = flag->kind;
      task.has_band = flag->has_band;
      task.band = flag->band;
      task.status = WARD_TASK_REQUESTED;
      task.priority = ward_care_priority_for (flag->kind, flag->has_band, flag->band);
      task.owner_role = role;
      task.requester = g_strdup (SYSTEM_ACTOR);
      /* The target runs from now, not from when the flag opened: a flag
       * already open when the care team's tables arrived (an upgrade)
       * does not escalate at once.  In the pipeline the two are the
       * same tick.
       */
      task.requested_at = now;
      task.due_at = now + ward_care_policy_response (self->policy, flag->kind, flag->has_band,
                                                     flag->band);
      task.station = g_strdup (self->station_id);
      payload = ward_care_score_kind_is_model (flag->score_kind)
        ? g_strdup_printf ("Model alert (%s) for the patient in %s: respond by the due time",
                           flag->score_kind, flag->bed_id ? flag->bed_id : "no bed")
        : flag->kind == WARD_CARE_KIND_CLINICAL
        ? g_strdup_printf ("NEWS2 flag (%s) for the patient in %s: respond by the due time",
                           flag->has_band ? ward_band_to_string (flag->band) : "?",
                           flag->bed_id ? flag->bed_id : "no bed")
        : g_strdup_printf ("Technical alert for the patient in %s",
                           flag->bed_id ? flag->bed_id : "no bed");

      ok = _ward_care_create_task (self, &task, "task-created", payload, now, error);
      /* Acknowledged before its task existed (a flag open when the care
       * tables arrived): the acknowledger has it.
       */
      if (ok && flag->acknowledged_by != NULL)
        ok = _ward_care_accept_task (self, &task, flag->acknowledged_by, self->station_id,
                                     flag->acknowledged_at != 0 ? flag->acknowledged_at : now,
                                     FALSE, error);
      ward_task_clear (&task);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* The flag side of each requested task: its close, its band. */
static gboolean
follow_flags (WardCare  *self,
              gint64     now,
              GError   **error)
{
  g_autoptr(GPtrArray) tasks = NULL;

  if (!(tasks = ward_store_list_tasks (self->store, WARD_TASK_LIST_OPEN, 0, NULL, error)))
    return FALSE;

  for (guint i = 0; i < tasks->len; i++)
    {
      WardTask *task = g_ptr_array_index (tasks, i);
      g_autoptr(WardTask) fresh = NULL;
      WardCareFlag flag = { 0 };
      gboolean found = FALSE;
      gboolean ok = TRUE;

      if (task->flag_id == 0 || task->status != WARD_TASK_REQUESTED)
        continue;

      /* An earlier task of this loop may have cancelled this one. */
      if (!(fresh = _ward_care_load_task (self, task->id, error)))
        return FALSE;
      if (fresh->status != WARD_TASK_REQUESTED)
        continue;

      if (!ward_store_get_care_flag (self->store, fresh->flag_id, &found, &flag, error))
        return FALSE;

      if (found && flag.closed_at != 0)
        {
          fresh->status = WARD_TASK_CANCELLED;
          fresh->status_reason = g_strdup ("the flag closed before anybody accepted the task");
          fresh->closed_by = g_strdup (SYSTEM_ACTOR);
          fresh->closed_at = now;
          ok = _ward_care_save_task (self, fresh, now, error) &&
               _ward_care_audit (self, now, SYSTEM_ACTOR, "task-cancelled", fresh->patient_id,
                                 fresh->flag_id, fresh->id, self->station_id, NULL, error);
        }
      else if (found && flag.has_band && fresh->has_band && flag.band > fresh->band)
        {
          g_autofree char *detail = NULL;
          WardTaskPriority priority = ward_care_priority_for (fresh->kind, TRUE, flag.band);
          gint64 due = now + ward_care_policy_response (self->policy, fresh->kind, TRUE, flag.band);

          fresh->band = flag.band;
          fresh->priority = MAX (fresh->priority, priority);
          fresh->due_at = MIN (fresh->due_at, due);
          detail = _ward_care_detail_json ("band", ward_band_to_string (flag.band), NULL);
          ok = _ward_care_save_task (self, fresh, now, error) &&
               _ward_care_audit (self, now, SYSTEM_ACTOR, "task-band-raised", fresh->patient_id,
                                 fresh->flag_id, fresh->id, self->station_id, detail, error);
        }

      ward_care_flag_clear (&flag);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static gboolean
escalate_overdue (WardCare  *self,
                  gint64     now,
                  GError   **error)
{
  g_autoptr(GPtrArray) due = NULL;

  if (!(due = ward_store_list_tasks (self->store, WARD_TASK_LIST_REQUESTED_DUE, now, NULL, error)))
    return FALSE;

  for (guint i = 0; i < due->len; i++)
    {
      WardTask *task = g_ptr_array_index (due, i);
      g_autofree char *payload = NULL;
      WardTask next = { 0 };
      WardRole role;
      gboolean ok;

      /* At the top of the chain there is nobody further to call: the
       * task stays requested and overdue, which the ward shows.
       */
      if (!ward_care_policy_next_role (self->policy, task->owner_role, &role))
        continue;

      task->escalated_at = now;
      if (!_ward_care_save_task (self, task, now, error))
        return FALSE;

      next.flag_id = task->flag_id;
      next.patient_id = g_strdup (task->patient_id);
      next.bed_id = g_strdup (task->bed_id);
      next.kind = task->kind;
      next.has_band = task->has_band;
      next.band = task->band;
      next.status = WARD_TASK_REQUESTED;
      next.priority = MIN (task->priority + 1, WARD_TASK_STAT);
      next.owner_role = role;
      next.requester = g_strdup (SYSTEM_ACTOR);
      next.requested_at = now;
      next.due_at = now + ward_care_policy_response (self->policy, task->kind, task->has_band,
                                                     task->band);
      next.part_of = task->id;
      next.station = g_strdup (self->station_id);
      payload = g_strdup_printf ("Not accepted by the %s within its target: escalated to the %s "
                                 "(task %" G_GINT64_FORMAT ", %s)",
                                 ward_role_to_string (task->owner_role), ward_role_to_string (role),
                                 task->id, task->bed_id ? task->bed_id : "no bed");

      ok = _ward_care_create_task (self, &next, "task-escalated", payload, now, error);
      ward_task_clear (&next);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* Public API */

gboolean
ward_care_tick (WardCare  *self,
                gint64     now,
                GError   **error)
{
  g_autoptr(GArray) acks = NULL;

  g_return_val_if_fail (WARD_IS_CARE (self), FALSE);

  acks = g_array_new (FALSE, TRUE, sizeof (Ack));
  g_array_set_clear_func (acks, (GDestroyNotify) ack_clear);

  /* Events first: the flags raised this tick are in the trail before the
   * tasks made for them, which the acknowledgements then accept.
   */
  return audit_engine_events (self, acks, error) &&
         task_new_flags (self, now, error) &&
         apply_acknowledgements (self, acks, error) &&
         follow_flags (self, now, error) &&
         _ward_care_reroute_unrostered (self, now, error) &&
         escalate_overdue (self, now, error);
}
