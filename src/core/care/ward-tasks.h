/* ward-tasks.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* A care-team task: the FHIR Task that makes a flag somebody's.
 *
 * Life cycle (FHIR Task.status): requested (routed to a role, and to a
 * staff member when the role is the bed nurse and the bed is allocated)
 * -> accepted (somebody took it: the flag is acknowledged with it) ->
 * completed (with an outcome and a note).  A requested task whose flag
 * closes is cancelled; an accepted one stays until somebody completes
 * it.  A requested task not accepted by due_at escalates: a new task,
 * part_of the first, to the next role of the escalation chain, one
 * priority higher; the first keeps its status and gets escalated_at.
 */

typedef enum
{
  WARD_TASK_REQUESTED,
  WARD_TASK_ACCEPTED,
  WARD_TASK_COMPLETED,
  WARD_TASK_CANCELLED,
} WardTaskStatus;

/* FHIR request-priority, in rising order. */
typedef enum
{
  WARD_TASK_ROUTINE,
  WARD_TASK_URGENT,
  WARD_TASK_ASAP,
  WARD_TASK_STAT,
} WardTaskPriority;

/* What a task is about: a clinical flag (a score's band), a technical
 * flag (a silent device), or a nurse's concern (no flag: NEWS2 lets a
 * nurse escalate on clinical concern whatever the score).
 */
typedef enum
{
  WARD_CARE_KIND_CLINICAL,
  WARD_CARE_KIND_TECHNICAL,
  WARD_CARE_KIND_CONCERN,
  WARD_CARE_N_KINDS,
} WardCareKind;

/* The care-team roles, in the default escalation order. */
typedef enum
{
  WARD_ROLE_BED_NURSE,
  WARD_ROLE_NURSE_IN_CHARGE,
  WARD_ROLE_DOCTOR,
  WARD_ROLE_OUTREACH,
  WARD_N_ROLES,
} WardRole;

/* How a task ended (Task.output), a fixed list. */
typedef enum
{
  WARD_OUTCOME_REVIEWED,
  WARD_OUTCOME_TREATMENT_STARTED,
  WARD_OUTCOME_CRITICAL_CARE,
  WARD_OUTCOME_TRANSFERRED,
  WARD_OUTCOME_NO_ACTION,
  WARD_N_OUTCOMES,
} WardTaskOutcome;

typedef struct
{
  gint64            id;
  gint64            flag_id;        /* 0: none (a concern) */
  char             *patient_id;
  char             *bed_id;
  WardCareKind      kind;
  gboolean          has_band;
  WardBand          band;
  WardTaskStatus    status;
  WardTaskPriority  priority;
  WardRole          owner_role;
  char             *owner_staff;    /* NULL: the role, whoever holds it */
  char             *requester;      /* staff id, or "wardwatch" for the system */
  gint64            requested_at;
  gint64            due_at;
  char             *accepted_by;
  gint64            accepted_at;
  gint64            part_of;        /* the task this one escalates, or 0 */
  gint64            escalated_at;   /* when a follow-up task was made, or 0 */
  gboolean          has_outcome;
  WardTaskOutcome   outcome;
  char             *note;
  char             *status_reason;  /* why cancelled, or NULL */
  char             *closed_by;
  gint64            closed_at;
  char             *station;
  gint64            version;
  gint64            updated_at;
} WardTask;

const char *ward_task_status_to_string     (WardTaskStatus     status);
gboolean    ward_task_status_from_string   (const char        *str,
                                            WardTaskStatus    *status);
const char *ward_task_priority_to_string   (WardTaskPriority   priority);
gboolean    ward_task_priority_from_string (const char        *str,
                                            WardTaskPriority  *priority);
const char *ward_care_kind_to_string       (WardCareKind       kind);
gboolean    ward_care_kind_from_string     (const char        *str,
                                            WardCareKind      *kind);
const char *ward_role_to_string            (WardRole           role);
gboolean    ward_role_from_string          (const char        *str,
                                            WardRole          *role);
/* Translated, for people. */
const char *ward_role_to_label             (WardRole           role);
const char *ward_task_outcome_to_string    (WardTaskOutcome    outcome);
gboolean    ward_task_outcome_from_string  (const char        *str,
                                            WardTaskOutcome   *outcome);
const char *ward_task_outcome_to_label     (WardTaskOutcome    outcome);

/* Open: requested or accepted. */
gboolean    ward_task_is_open              (const WardTask    *task);
WardTask   *ward_task_copy                 (const WardTask    *task);
void        ward_task_clear                (WardTask          *task);
void        ward_task_free                 (WardTask          *task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardTask, ward_task_free)

/* One flag's escalation chain, folded: the tasks linked by part_of, as
 * people think of them, one thing to do.  Escalation makes a new task
 * partOf the one that was overdue and leaves that one requested (it can
 * still be accepted); accepting or completing any task of the chain
 * cancels the chain's other requested tasks.
 */
typedef struct
{
  const WardTask *head;           /* the newest open task (the highest in the chain), or the
                                   * newest task when none is open */
  const WardTask *first;          /* the chain's first task among those given */
  guint           n_tasks;        /* tasks of the chain among those given */
  guint           level;          /* how many escalations led to head: 0 for a first task */
  guint           n_escalations;  /* how many times the chain escalated: the highest level
                                   * among the tasks given */
} WardTaskChain;

/* Folds tasks (WardTask *, borrowed: the chains point into them) into
 * their escalation chains, in the order of their first tasks' ids.  A
 * task whose part_of is not among them starts a chain of its own.
 */
GArray     *ward_task_chains_fold          (GPtrArray         *tasks);
/* Whether the chain is open: its head is. */
gboolean    ward_task_chain_is_open        (const WardTaskChain *chain);

G_END_DECLS
