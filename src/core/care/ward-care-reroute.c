/* ward-care-reroute.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-private.h"
#include "ward-store-care-inbound.h"

/* Someone taken off the ward's CareTeam (the staff directory's next read
 * drops them from the roster, store/ward-store-staff-fhir.h) is routed
 * no new task; the tasks already requested of them by name are routed
 * again at the next tick, not left until they escalate.  The role they
 * were requested of stays (its place in the escalation chain, its due
 * time); the person is found as for a new task: the bed's allocated
 * nurse for the bed nurse's role when she is on the roster, otherwise
 * the role, whoever holds it.  Each leaves an audit row
 * ("task-rerouted", by the system) and a Communication to the new owner
 * saying why.  An accepted task stays with whoever accepted it: they said
 * they would look, and the ward sees it.
 */
gboolean
_ward_care_reroute_unrostered (WardCare  *self,
                               gint64     now,
                               GError   **error)
{
  g_autoptr(GArray) ids = NULL;

  if (!(ids = ward_store_list_unrostered_tasks (self->store, error)))
    return FALSE;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(WardTask) task = NULL;
      g_autofree char *from = NULL;
      g_autofree char *detail = NULL;
      g_autofree char *payload = NULL;
      const char *role;

      if (!(task = _ward_care_load_task (self, g_array_index (ids, gint64, i), error)))
        return FALSE;
      if (task->status != WARD_TASK_REQUESTED || task->owner_staff == NULL)
        continue;

      from = g_steal_pointer (&task->owner_staff);
      if (!_ward_care_route_to_allocation (self, task, error))
        return FALSE;

      role = ward_role_to_string (task->owner_role);
      detail = _ward_care_detail_json ("from", from, "role", role, "staff", task->owner_staff,
                                       "reason", "not on the ward's staff roster", NULL);
      payload = g_strdup_printf ("Task %" G_GINT64_FORMAT " (%s) was requested of %s, who is no "
                                 "longer on the ward's staff: routed to %s", task->id,
                                 task->bed_id != NULL ? task->bed_id : "no bed", from,
                                 task->owner_staff != NULL ? task->owner_staff : role);
      g_message ("%s", payload);

      if (!_ward_care_save_task (self, task, now, error) ||
          !_ward_care_audit (self, now, SYSTEM_ACTOR, "task-rerouted", task->patient_id,
                             task->flag_id, task->id, self->station_id, detail, error) ||
          !_ward_care_communicate (self, "reassignment", task, task->patient_id, SYSTEM_ACTOR, role,
                                   task->owner_staff, payload, self->station_id, now, error))
        return FALSE;
    }

  return TRUE;
}
