/* ward-actions.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-pipeline.h"
#include "ward-session.h"

G_BEGIN_DECLS

/* The clinical actions a script can drive (issue #16, part 9).  They
 * are GApplication actions of io.github.wardwatch.Wardwatch on the
 * session bus, in the window and in --headless alike:
 *
 *   gapplication action io.github.wardwatch.Wardwatch sign-in "('ada.nwosu', '1111')"
 *   gapplication action io.github.wardwatch.Wardwatch acknowledge 'int64 42'
 *
 * Each acts as the signed-in staff member (ward-session.h); without one
 * it is refused.  A script signs in with sign-in (staff id, PIN), or the
 * instance is started with --staff-id.  D-Bus action calls return no
 * result: the outcome is logged (and shown by the window), and the
 * store holds the effect.
 *
 * The names and parameter types are defined here once.  The task
 * actions go to the care core (care/ward-care.h) through the pipeline,
 * under this station's name:
 *
 *   gapplication action io.github.wardwatch.Wardwatch accept-task 'int64 7'
 *   gapplication action io.github.wardwatch.Wardwatch reassign-task "(int64 7, 'doctor')"
 *   gapplication action io.github.wardwatch.Wardwatch complete-task "(int64 7, 'reviewed', 'Seen')"
 *   gapplication action io.github.wardwatch.Wardwatch escalate-concern "('P-1', 'Looks grey')"
 *
 * reassign-task takes a role ("bed-nurse", "nurse-in-charge", "doctor",
 * "outreach") or a staff member's id; complete-task an outcome name of
 * ward-tasks.h; escalate-concern raises a concern task (a reason is
 * required).
 *
 * hand-over offers the acting nurse's beds to the incoming nurse, each
 * bed a dictionary with its SBAR note (all five keys required, no
 * other); its outcome names the new handover's id.  accept-handover is
 * the incoming nurse, signed in, taking a handover offered to them,
 * which moves the beds and their open tasks:
 *
 *   gapplication action io.github.wardwatch.Wardwatch hand-over \
 *     "('ben.carter', [{'bed': 'bed-01', 'situation': 'Day 2 after a hip repair',
 *                       'background': 'COPD', 'assessment': 'NEWS2 3, stable',
 *                       'recommendation': 'Obs 4-hourly'}])"
 *   gapplication action io.github.wardwatch.Wardwatch accept-handover 'int64 3'
 */
#define WARD_ACTION_SIGN_IN             "sign-in"           /* (ss): staff id, PIN */
#define WARD_ACTION_SIGN_IN_TYPE        "(ss)"
#define WARD_ACTION_SIGN_OUT            "sign-out"          /* no parameter */
#define WARD_ACTION_ACKNOWLEDGE         "acknowledge"       /* x: flag id */
#define WARD_ACTION_ACKNOWLEDGE_TYPE    "x"
#define WARD_ACTION_CONFIRM             "confirm"           /* s: patient id (confirms the score) */
#define WARD_ACTION_CONFIRM_TYPE        "s"
#define WARD_ACTION_ACCEPT_TASK         "accept-task"       /* x: task id */
#define WARD_ACTION_ACCEPT_TASK_TYPE    "x"
#define WARD_ACTION_REASSIGN_TASK       "reassign-task"     /* (xs): task id, new owner's staff id */
#define WARD_ACTION_REASSIGN_TASK_TYPE  "(xs)"
#define WARD_ACTION_COMPLETE_TASK       "complete-task"     /* (xss): task id, outcome, note */
#define WARD_ACTION_COMPLETE_TASK_TYPE  "(xss)"
#define WARD_ACTION_ESCALATE            "escalate-concern"  /* (ss): patient id, reason */
#define WARD_ACTION_ESCALATE_TYPE       "(ss)"
#define WARD_ACTION_HAND_OVER           "hand-over"         /* (saa{ss}): receiver's staff id, beds:
                                                             * bed, situation, background,
                                                             * assessment, recommendation */
#define WARD_ACTION_HAND_OVER_TYPE      "(saa{ss})"
#define WARD_ACTION_ACCEPT_HANDOVER     "accept-handover"   /* x: handover id */
#define WARD_ACTION_ACCEPT_HANDOVER_TYPE "x"

typedef struct
{
  const char *name;
  const char *parameter_type;   /* NULL: none */
  gboolean    wired;            /* FALSE: declared, disabled until its code exists */
} WardActionInfo;

const WardActionInfo *ward_actions_get_info  (guint *n_actions);

#define WARD_TYPE_ACTIONS (ward_actions_get_type ())
G_DECLARE_FINAL_TYPE (WardActions, ward_actions, WARD, ACTIONS, GObject)

/* pipeline may be NULL (not started): clinical actions are then refused. */
WardActions  *ward_actions_new          (WardPipeline  *pipeline,
                                         WardSession   *session);
void          ward_actions_set_pipeline (WardActions   *self,
                                         WardPipeline  *pipeline);
/* Adds every action of the table to map (a GApplication). */
void          ward_actions_add_to_map   (WardActions   *self,
                                         GActionMap    *map);

/* Signal "outcome" (const char *action, gboolean ok, const char *message):
 * each activation ends with one, after the store committed (ok) or with
 * the reason it was refused, in words for the person at the station.
 */

G_END_DECLS
