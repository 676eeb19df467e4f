/* ward-tasks.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-tasks.h"

#include <glib/gi18n-lib.h>

static const char * const status_names[] = {
  [WARD_TASK_REQUESTED] = "requested",
  [WARD_TASK_ACCEPTED] = "accepted",
  [WARD_TASK_COMPLETED] = "completed",
  [WARD_TASK_CANCELLED] = "cancelled",
};

static const char * const priority_names[] = {
  [WARD_TASK_ROUTINE] = "routine",
  [WARD_TASK_URGENT] = "urgent",
  [WARD_TASK_ASAP] = "asap",
  [WARD_TASK_STAT] = "stat",
};

static const char * const kind_names[] = {
  [WARD_CARE_KIND_CLINICAL] = "clinical",
  [WARD_CARE_KIND_TECHNICAL] = "technical",
  [WARD_CARE_KIND_CONCERN] = "concern",
};

static const char * const role_names[] = {
  [WARD_ROLE_BED_NURSE] = "bed-nurse",
  [WARD_ROLE_NURSE_IN_CHARGE] = "nurse-in-charge",
  [WARD_ROLE_DOCTOR] = "doctor",
  [WARD_ROLE_OUTREACH] = "outreach",
};

static const char * const role_labels[] = {
  [WARD_ROLE_BED_NURSE] = NC_("care role", "Bed nurse"),
  [WARD_ROLE_NURSE_IN_CHARGE] = NC_("care role", "Nurse in charge"),
  [WARD_ROLE_DOCTOR] = NC_("care role", "Doctor"),
  [WARD_ROLE_OUTREACH] = NC_("care role", "Outreach team"),
};

static const char * const outcome_names[] = {
  [WARD_OUTCOME_REVIEWED] = "reviewed",
  [WARD_OUTCOME_TREATMENT_STARTED] = "treatment-started",
  [WARD_OUTCOME_CRITICAL_CARE] = "escalated-to-critical-care",
  [WARD_OUTCOME_TRANSFERRED] = "transferred",
  [WARD_OUTCOME_NO_ACTION] = "no-action-needed",
};

static const char * const outcome_labels[] = {
  [WARD_OUTCOME_REVIEWED] = NC_("task outcome", "Reviewed"),
  [WARD_OUTCOME_TREATMENT_STARTED] = NC_("task outcome", "Treatment started"),
  [WARD_OUTCOME_CRITICAL_CARE] = NC_("task outcome", "Escalated to critical care"),
  [WARD_OUTCOME_TRANSFERRED] = NC_("task outcome", "Transferred"),
  [WARD_OUTCOME_NO_ACTION] = NC_("task outcome", "No action needed"),
};

static gboolean
lookup (const char * const *names,
        guint               n_names,
        const char         *str,
        guint              *index)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (names[i], str))
        {
          *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

#define DEFINE_NAMES(func_prefix, Type, names)                                  \
  const char *                                                                  \
  func_prefix##_to_string (Type value)                                          \
  {                                                                             \
    g_return_val_if_fail ((guint) value < G_N_ELEMENTS (names), NULL);          \
    return names[value];                                                        \
  }                                                                             \
  gboolean                                                                      \
  func_prefix##_from_string (const char *str,                                   \
                             Type       *value)                                 \
  {                                                                             \
    guint i;                                                                    \
                                                                                \
    g_return_val_if_fail (value != NULL, FALSE);                                \
                                                                                \
    if (!lookup (names, G_N_ELEMENTS (names), str, &i))                         \
      return FALSE;                                                             \
    *value = (Type) i;                                                          \
    return TRUE;                                                                \
  }

DEFINE_NAMES (ward_task_status, WardTaskStatus, status_names)
DEFINE_NAMES (ward_task_priority, WardTaskPriority, priority_names)
DEFINE_NAMES (ward_care_kind, WardCareKind, kind_names)
DEFINE_NAMES (ward_role, WardRole, role_names)
DEFINE_NAMES (ward_task_outcome, WardTaskOutcome, outcome_names)

const char *
ward_role_to_label (WardRole role)
{
  g_return_val_if_fail ((guint) role < WARD_N_ROLES, NULL);

  return g_dpgettext2 (GETTEXT_PACKAGE, "care role", role_labels[role]);
}

const char *
ward_task_outcome_to_label (WardTaskOutcome outcome)
{
  g_return_val_if_fail ((guint) outcome < WARD_N_OUTCOMES, NULL);

  return g_dpgettext2 (GETTEXT_PACKAGE, "task outcome", outcome_labels[outcome]);
}

gboolean
ward_task_is_open (const WardTask *task)
{
  g_return_val_if_fail (task != NULL, FALSE);

  return task->status == WARD_TASK_REQUESTED || task->status == WARD_TASK_ACCEPTED;
}

WardTask *
ward_task_copy (const WardTask *task)
{
  WardTask *copy;

  g_return_val_if_fail (task != NULL, NULL);

  copy = g_new (WardTask, 1);
  *copy = *task;
  copy->patient_id = g_strdup (task->patient_id);
  copy->bed_id = g_strdup (task->bed_id);
  copy->owner_staff = g_strdup (task->owner_staff);
  copy->requester = g_strdup (task->requester);
  copy->accepted_by = g_strdup (task->accepted_by);
  copy->note = g_strdup (task->note);
  copy->status_reason = g_strdup (task->status_reason);
  copy->closed_by = g_strdup (task->closed_by);
  copy->station = g_strdup (task->station);

  return copy;
}

void
ward_task_clear (WardTask *task)
{
  g_clear_pointer (&task->patient_id, g_free);
  g_clear_pointer (&task->bed_id, g_free);
  g_clear_pointer (&task->owner_staff, g_free);
  g_clear_pointer (&task->requester, g_free);
  g_clear_pointer (&task->accepted_by, g_free);
  g_clear_pointer (&task->note, g_free);
  g_clear_pointer (&task->status_reason, g_free);
  g_clear_pointer (&task->closed_by, g_free);
  g_clear_pointer (&task->station, g_free);
}

void
ward_task_free (WardTask *task)
{
  if (task == NULL)
    return;

  ward_task_clear (task);
  g_free (task);
}

/* The task's level in its chain and its chain's first task, walking
 * part_of through the tasks given (chains are short: one step a role).
 */
static const WardTask *
chain_first (GHashTable     *by_id,
             const WardTask *task,
             guint          *level)
{
  const WardTask *first = task;

  *level = 0;
  while (first->part_of != 0 && *level < 64)
    {
      const WardTask *up = g_hash_table_lookup (by_id, &first->part_of);

      if (up == NULL)
        break;
      first = up;
      (*level)++;
    }

  return first;
}

static gboolean
newer_head (const WardTask *task,
            guint           level,
            const WardTask *head,
            guint           head_level)
{
  gboolean open = ward_task_is_open (task);
  gboolean head_open = ward_task_is_open (head);

  if (open != head_open)
    return open;
  if (level != head_level)
    return level > head_level;

  return task->id > head->id;
}

static int
compare_chains (gconstpointer a,
                gconstpointer b)
{
  const WardTaskChain *ca = a;
  const WardTaskChain *cb = b;

  return ca->first->id < cb->first->id ? -1 : (ca->first->id > cb->first->id);
}

GArray *
ward_task_chains_fold (GPtrArray *tasks)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) chain_of = g_hash_table_new (g_int64_hash, g_int64_equal);
  GArray *chains;

  g_return_val_if_fail (tasks != NULL, NULL);

  chains = g_array_new (FALSE, FALSE, sizeof (WardTaskChain));
  for (guint i = 0; i < tasks->len; i++)
    {
      WardTask *task = g_ptr_array_index (tasks, i);

      g_hash_table_insert (by_id, &task->id, task);
    }

  for (guint i = 0; i < tasks->len; i++)
    {
      const WardTask *task = g_ptr_array_index (tasks, i);
      guint level;
      const WardTask *first = chain_first (by_id, task, &level);
      gpointer index;

      if (g_hash_table_lookup_extended (chain_of, &first->id, NULL, &index))
        {
          WardTaskChain *chain = &g_array_index (chains, WardTaskChain, GPOINTER_TO_UINT (index));

          chain->n_tasks++;
          chain->n_escalations = MAX (chain->n_escalations, level);
          if (newer_head (task, level, chain->head, chain->level))
            {
              chain->head = task;
              chain->level = level;
            }
        }
      else
        {
          WardTaskChain chain = { task, first, 1, level, level };

          g_hash_table_insert (chain_of, (gpointer) &first->id, GUINT_TO_POINTER (chains->len));
          g_array_append_val (chains, chain);
        }
    }

  g_array_sort (chains, compare_chains);

  return chains;
}

gboolean
ward_task_chain_is_open (const WardTaskChain *chain)
{
  g_return_val_if_fail (chain != NULL, FALSE);

  return ward_task_is_open (chain->head);
}
