/* ward-care-beds.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-private.h"

/* Beds and people: a bed's nurse (allocation, "my patients") and the
 * shift handover that moves beds and their open tasks to the incoming
 * nurse.
 */

gboolean
ward_care_allocate (WardCare    *self,
                    const char  *bed_id,
                    const char  *nurse_id,
                    const char  *staff_id,
                    const char  *station_id,
                    gint64       at,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autofree char *patient_id = NULL;
  g_autofree char *detail = NULL;
  gboolean exists = FALSE;

  g_return_val_if_fail (WARD_IS_CARE (self), FALSE);

  if (!_ward_care_check_actor (staff_id, station_id, error) ||
      !_ward_care_check_text (bed_id, "The bed", 256, error) ||
      (nurse_id != NULL && !_ward_care_check_text (nurse_id, "The nurse's staff id", 256, error)))
    return FALSE;

  /* A bed that is not on the ward is a typing mistake: refused. */
  if (!ward_store_has_bed (self->store, bed_id, &exists, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_FOUND,
                   "There is no bed %s on this ward", bed_id);
      return FALSE;
    }
  patient_id = ward_store_get_bed_patient (self->store, bed_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!ward_store_set_allocation (self->store, bed_id, nurse_id, staff_id, at, station_id, error))
    return FALSE;

  /* The bed nurse's requested tasks follow the allocation. */
  if (!(tasks = ward_store_list_tasks (self->store, WARD_TASK_LIST_OPEN_FOR_BED, 0, bed_id, error)))
    return FALSE;
  for (guint i = 0; i < tasks->len; i++)
    {
      WardTask *task = g_ptr_array_index (tasks, i);

      if (task->status != WARD_TASK_REQUESTED || task->owner_role != WARD_ROLE_BED_NURSE ||
          g_strcmp0 (task->owner_staff, nurse_id) == 0)
        continue;
      g_free (task->owner_staff);
      task->owner_staff = g_strdup (nurse_id);
      if (!_ward_care_save_task (self, task, at, error))
        return FALSE;
    }

  detail = _ward_care_detail_json ("bed", bed_id, "nurse", nurse_id, NULL);
  return _ward_care_audit (self, at, staff_id, nurse_id ? "bed-allocated" : "bed-freed", patient_id,
                           0, 0, station_id, detail, error);
}

GStrv
ward_care_dup_my_beds (WardCare    *self,
                       const char  *staff_id,
                       GError     **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (WARD_IS_CARE (self), NULL);
  g_return_val_if_fail (staff_id != NULL, NULL);

  if (!(list = ward_store_list_allocations (self->store, staff_id, error)))
    return NULL;
  for (guint i = 0; i < list->len; i++)
    g_strv_builder_add (builder, ((WardAllocation *) g_ptr_array_index (list, i))->bed_id);

  return g_strv_builder_end (builder);
}

gint64
ward_care_offer_handover (WardCare               *self,
                          const char             *from_staff,
                          const char             *to_staff,
                          const WardHandoverBed  *beds,
                          guint                   n_beds,
                          const char             *station_id,
                          gint64                  at,
                          GError                **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *id_text = NULL;
  gint64 id;

  g_return_val_if_fail (WARD_IS_CARE (self), 0);
  g_return_val_if_fail (beds != NULL || n_beds == 0, 0);

  if (!_ward_care_check_actor (from_staff, station_id, error) ||
      !_ward_care_check_text (to_staff, "The incoming nurse's staff id", 256, error))
    return 0;
  if (g_str_equal (from_staff, to_staff))
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID,
                   "A handover goes to another nurse, not to %s again", from_staff);
      return 0;
    }
  if (n_beds == 0)
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID, "A handover needs a bed");
      return 0;
    }

  /* Everything is checked before anything is written. */
  for (guint i = 0; i < n_beds; i++)
    {
      const WardHandoverBed *bed = &beds[i];
      g_autoptr(GError) local_error = NULL;
      g_autofree char *owner = NULL;

      if (!_ward_care_check_text (bed->bed_id, "The bed", 256, error) ||
          !_ward_care_check_text (bed->situation, "The situation (SBAR)", MAX_NOTE_LENGTH, error) ||
          !_ward_care_check_text (bed->background, "The background (SBAR)", MAX_NOTE_LENGTH,
                                  error) ||
          !_ward_care_check_text (bed->assessment, "The assessment (SBAR)", MAX_NOTE_LENGTH,
                                  error) ||
          !_ward_care_check_text (bed->recommendation, "The recommendation (SBAR)", MAX_NOTE_LENGTH,
                                  error))
        return 0;
      for (guint j = 0; j < i; j++)
        {
          if (g_str_equal (beds[j].bed_id, bed->bed_id))
            {
              g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID,
                           "Bed %s is in the handover twice", bed->bed_id);
              return 0;
            }
        }
      owner = ward_store_get_allocation (self->store, bed->bed_id, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return 0;
        }
      if (owner != NULL && !g_str_equal (owner, from_staff))
        {
          g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_ALLOWED,
                       "Bed %s is allocated to %s, not to %s", bed->bed_id, owner, from_staff);
          return 0;
        }
    }

  if ((id = ward_store_add_handover (self->store, from_staff, to_staff, at, station_id, error)) == 0)
    return 0;
  for (guint i = 0; i < n_beds; i++)
    {
      g_autoptr(GError) local_error = NULL;
      WardHandoverBed bed = beds[i];
      g_autofree char *patient_id = NULL;

      bed.patient_id = patient_id = ward_store_get_bed_patient (self->store, beds[i].bed_id,
                                                                &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return 0;
        }
      if (!ward_store_add_handover_bed (self->store, id, &bed, error))
        return 0;
    }

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  detail = _ward_care_detail_json ("handover", id_text, "to", to_staff, NULL);
  if (!_ward_care_audit (self, at, from_staff, "handover-offered", NULL, 0, 0, station_id, detail,
                         error))
    return 0;

  return id;
}

static char *
sbar_text (const WardHandoverBed *bed)
{
  return g_strdup_printf ("Handover of %s. S: %s B: %s A: %s R: %s", bed->bed_id, bed->situation,
                          bed->background, bed->assessment, bed->recommendation);
}

gboolean
ward_care_accept_handover (WardCare    *self,
                           gint64       handover_id,
                           const char  *staff_id,
                           const char  *station_id,
                           gint64       at,
                           GError     **error)
{
  g_autoptr(GPtrArray) beds = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *id_text = NULL;
  WardHandover handover = { 0 };
  gboolean found = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (WARD_IS_CARE (self), FALSE);

  if (!_ward_care_check_actor (staff_id, station_id, error) ||
      !ward_store_get_handover (self->store, handover_id, &found, &handover, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_FOUND,
                   "There is no handover %" G_GINT64_FORMAT, handover_id);
      return FALSE;
    }
  if (!g_str_equal (handover.to_staff, staff_id))
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_ALLOWED,
                   "Handover %" G_GINT64_FORMAT " is for %s: only they can accept it",
                   handover_id, handover.to_staff);
      goto out;
    }
  if (handover.state != WARD_HANDOVER_OFFERED)
    {
      g_set_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_STATE,
                   "Handover %" G_GINT64_FORMAT " is not waiting to be accepted", handover_id);
      goto out;
    }

  if (!ward_store_close_handover (self->store, handover_id, WARD_HANDOVER_ACCEPTED, at, error) ||
      !(beds = ward_store_list_handover_beds (self->store, handover_id, error)))
    goto out;

  for (guint i = 0; i < beds->len; i++)
    {
      const WardHandoverBed *bed = g_ptr_array_index (beds, i);
      g_autoptr(GPtrArray) tasks = NULL;
      g_autofree char *payload = sbar_text (bed);

      if (!ward_store_set_allocation (self->store, bed->bed_id, staff_id, staff_id, at, station_id,
                                      error) ||
          !(tasks = ward_store_list_tasks (self->store, WARD_TASK_LIST_OPEN_FOR_BED, 0, bed->bed_id,
                                           error)))
        goto out;

      /* The open tasks move with the bed: the bed nurse's, and any the
       * outgoing nurse held by name.
       */
      for (guint t = 0; t < tasks->len; t++)
        {
          WardTask *task = g_ptr_array_index (tasks, t);

          if (task->owner_role != WARD_ROLE_BED_NURSE &&
              g_strcmp0 (task->owner_staff, handover.from_staff) != 0)
            continue;
          g_free (task->owner_staff);
          task->owner_staff = g_strdup (staff_id);
          if (task->status == WARD_TASK_ACCEPTED)
            {
              g_free (task->accepted_by);
              task->accepted_by = g_strdup (staff_id);
              task->accepted_at = at;
            }
          if (!_ward_care_save_task (self, task, at, error) ||
              !_ward_care_audit (self, at, staff_id, "task-handed-over", task->patient_id,
                                 task->flag_id, task->id, station_id, NULL, error))
            goto out;
        }

      if (!_ward_care_communicate (self, "handover", NULL, bed->patient_id, handover.from_staff,
                                   NULL, staff_id, payload, station_id, at, error))
        goto out;
    }

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, handover_id);
  detail = _ward_care_detail_json ("handover", id_text, "from", handover.from_staff, NULL);
  ok = _ward_care_audit (self, at, staff_id, "handover-accepted", NULL, 0, 0, station_id, detail,
                         error);

out:
  ward_handover_clear (&handover);
  return ok;
}
