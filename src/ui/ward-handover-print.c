/* ward-handover-print.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-handover-print"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-flag-words.h"
#include "ward-handover-print.h"
#include "ward-handover-sheet.h"

gboolean
_ward_handover_print (WardSnapshot        *snapshot,
                      const WardPrintNote *notes,
                      guint                n_notes,
                      const char          *ward,
                      const char          *printed_by,
                      gboolean             show_names,
                      const char          *path,
                      guint               *n_pages,
                      GError             **error)
{
  guint n_beds = ward_snapshot_get_n_beds (snapshot);
  g_autofree WardHandoverBed *beds = g_new0 (WardHandoverBed, MAX (n_beds, 1));
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) task_arrays = g_ptr_array_new_with_free_func (g_free);
  WardHandoverSheet sheet = { 0 };

  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  for (guint i = 0; i < n_beds; i++)
    {
      const WardBedState *state = ward_snapshot_get_bed (snapshot, i);
      WardHandoverBed *bed = &beds[i];
      guint n_tasks = state->open_tasks != NULL ? state->open_tasks->len : 0;
      WardHandoverTask *tasks = g_new0 (WardHandoverTask, MAX (n_tasks, 1));

      g_ptr_array_add (task_arrays, tasks);
      bed->bed = state->bed_label != NULL ? state->bed_label : state->bed_id;
      bed->patient_name = state->patient_name != NULL ? state->patient_name : state->patient_initials;
      bed->news2 = state->has_score ? state->score_total : -1;
      bed->band = state->score_band;

      for (guint j = 0; j < n_tasks; j++)
        {
          const WardTask *task = g_ptr_array_index (state->open_tasks, j);
          char *why = _ward_flag_words_task_why (task);
          char *owner = task->status == WARD_TASK_ACCEPTED
                        ? _ward_flag_words_staff_name (task->accepted_by)
                        : _ward_flag_words_task_owner (task);

          g_ptr_array_add (strings, why);
          g_ptr_array_add (strings, owner);
          tasks[j].description = why;
          tasks[j].owner = owner;
          tasks[j].due = task->status == WARD_TASK_REQUESTED ? task->due_at : 0;
        }
      bed->tasks = tasks;
      bed->n_tasks = n_tasks;

      for (guint j = 0; j < n_notes; j++)
        if (g_strcmp0 (notes[j].bed_id, state->bed_id) == 0)
          {
            bed->situation = notes[j].situation;
            bed->background = notes[j].background;
            bed->assessment = notes[j].assessment;
            bed->recommendation = notes[j].recommendation;
          }
    }

  sheet.ward = ward;
  sheet.printed_at = ward_snapshot_get_now (snapshot);
  sheet.printed_by = printed_by;
  sheet.show_names = show_names;
  sheet.beds = beds;
  sheet.n_beds = n_beds;

  return ward_handover_sheet_write_pdf (&sheet, path, n_pages, error);
}
