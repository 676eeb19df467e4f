/* ward-care.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ward-engine.h"
#include "ward-fhir-shared.h"
#include "ward-routing.h"
#include "ward-store-care.h"

G_BEGIN_DECLS

#define WARD_CARE_ERROR (ward_care_error_quark ())

typedef enum
{
  WARD_CARE_ERROR_INVALID,     /* a missing staff id, station, note, bed... */
  WARD_CARE_ERROR_NOT_FOUND,   /* no such task, handover, patient or bed */
  WARD_CARE_ERROR_STATE,       /* the task or handover cannot do that now */
  WARD_CARE_ERROR_NOT_ALLOWED, /* somebody else's handover or bed */
} WardCareError;

/* The care-team coordinator: makes every flag somebody's.
 *
 * It is a stage of its own, run after ward_engine_evaluate() in the same
 * transaction (the caller brackets both in ward_engine_begin() /
 * ward_engine_commit()).  It reads the flags the engine wrote from the
 * store, and knows nothing of threads or clocks: every call takes the
 * time.  Every action takes the acting staff member's id and the id of
 * the station it was made from, and leaves a row in the audit trail
 * (care/ward-audit.c) and a FHIR AuditEvent in the outbox; tasks and
 * communications go out as FHIR Task and Communication.
 */
#define WARD_TYPE_CARE (ward_care_get_type ())

G_DECLARE_FINAL_TYPE (WardCare, ward_care, WARD, CARE, GObject)

GQuark     ward_care_error_quark       (void);

/* ward_id names this ward for the routing rules' "ward" key (may be
 * NULL); station_id is this station, for what the coordinator does by
 * itself (tasks made and escalated at a tick).
 */
WardCare  *ward_care_new               (WardEngine            *engine,
                                        const WardCarePolicy  *policy,
                                        const char            *ward_id,
                                        const char            *station_id);
const WardCarePolicy *ward_care_get_policy (WardCare          *self);
WardStore *ward_care_get_store         (WardCare              *self);
WardEngine *ward_care_get_engine       (WardCare              *self);
const char *ward_care_get_station      (WardCare              *self);
/* With a sharing layer (kept weakly), Tasks are written through it
 * instead of the outbox (care/ward-care-share.h); NULL: alone.
 */
void       ward_care_set_shared        (WardCare              *self,
                                        WardFhirShared        *shared);

/* One coordination step: a task for each newly opened flag; the flag's
 * own acknowledgement accepts its task (the two never disagree);
 * a requested task whose flag closed is cancelled; a flag whose band
 * rose raises its requested task's priority and brings its due time
 * forward; a task requested of someone no longer on the ward's staff
 * roster is routed again (as a new task would be, with a Communication
 * saying why); a requested task past due escalates to the next role.  The
 * events the engine recorded since the last step (acknowledgements,
 * nurse entries, confirmations, SpO2 scale decisions, flags) join the
 * audit trail.
 */
gboolean   ward_care_tick              (WardCare              *self,
                                        gint64                 now,
                                        GError               **error);

/* Takes the task: accepted by staff_id, who becomes its owner; the flag
 * is acknowledged by them through ward_engine_acknowledge() when it was
 * not, and the other requested tasks of the same escalation chain are
 * cancelled (somebody has it).
 */
gboolean   ward_care_accept            (WardCare              *self,
                                        gint64                 task_id,
                                        const char            *staff_id,
                                        const char            *station_id,
                                        gint64                 at,
                                        GError               **error);
/* Gives an open task to another staff member (to_staff) or role
 * (to_staff NULL: the role; the bed nurse's role goes to the bed's
 * allocated nurse).  It is requested again, of its new owner; an accepted
 * task gets a new due time from now.
 */
gboolean   ward_care_reassign          (WardCare              *self,
                                        gint64                 task_id,
                                        WardRole               to_role,
                                        const char            *to_staff,
                                        const char            *staff_id,
                                        const char            *station_id,
                                        gint64                 at,
                                        GError               **error);
/* Completes an open task with an outcome and a note (may be NULL); a
 * requested one is accepted by staff_id first.
 */
gboolean   ward_care_complete          (WardCare              *self,
                                        gint64                 task_id,
                                        WardTaskOutcome        outcome,
                                        const char            *note,
                                        const char            *staff_id,
                                        const char            *station_id,
                                        gint64                 at,
                                        GError               **error);
/* "Worried about this patient": a task of kind concern, with no flag and
 * whatever the score, routed like the others (by default to the role
 * after the bed nurse).  note says why; it is required.
 */
gint64     ward_care_raise_concern     (WardCare              *self,
                                        const char            *patient_id,
                                        const char            *note,
                                        const char            *staff_id,
                                        const char            *station_id,
                                        gint64                 at,
                                        GError               **error);
/* Makes nurse_id the bed nurse of bed_id (NULL: nobody).  The bed's open
 * bed-nurse tasks that nobody accepted follow the allocation.
 */
gboolean   ward_care_allocate          (WardCare              *self,
                                        const char            *bed_id,
                                        const char            *nurse_id,
                                        const char            *staff_id,
                                        const char            *station_id,
                                        gint64                 at,
                                        GError               **error);
/* The beds allocated to staff_id ("my patients"), bed ids by name. */
GStrv      ward_care_dup_my_beds       (WardCare              *self,
                                        const char            *staff_id,
                                        GError               **error);

/* Shift handover: from_staff offers beds to to_staff, each with an SBAR
 * note (all four parts required).  Nothing moves until to_staff accepts:
 * then the beds are allocated to them and the beds' open bed-nurse tasks
 * move with them (accepted ones stay accepted, now by the incoming
 * nurse).  A bed allocated to somebody else than from_staff is refused.
 */
gint64     ward_care_offer_handover    (WardCare              *self,
                                        const char            *from_staff,
                                        const char            *to_staff,
                                        const WardHandoverBed *beds,
                                        guint                  n_beds,
                                        const char            *station_id,
                                        gint64                 at,
                                        GError               **error);
gboolean   ward_care_accept_handover   (WardCare              *self,
                                        gint64                 handover_id,
                                        const char            *staff_id,
                                        const char            *station_id,
                                        gint64                 at,
                                        GError               **error);

/* Fills each bed of snapshot with its allocated nurse and open tasks. */
gboolean   ward_care_fill_snapshot     (WardCare              *self,
                                        WardSnapshot          *snapshot,
                                        GError               **error);

G_END_DECLS
