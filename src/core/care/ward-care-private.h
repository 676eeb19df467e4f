/* ward-care-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-care.h"

G_BEGIN_DECLS

/* What the files of WardCare share: its state and the helpers every
 * action uses.  ward-care.c holds the object, the helpers and the
 * actions on one task; ward-care-tick.c the coordination step;
 * ward-care-beds.c bed allocation and shift handover;
 * ward-care-inbound.c Tasks made on another station; ward-care-reroute.c
 * the tasks of staff taken off the roster.  Functions used
 * across these files start with _ward_care_.
 */

/* The system's own actions (a task made for a flag, an escalation) are
 * the engine's actor.
 */
#define SYSTEM_ACTOR "wardwatch"
/* What a person types: a note, an SBAR part. */
#define MAX_NOTE_LENGTH 4000

struct _WardCare
{
  GObject          parent_instance;

  WardEngine      *engine;
  WardStore       *store;
  WardCarePolicy  *policy;
  char            *ward_id;
  char            *station_id;
  char            *installation_id;  /* read from the store on first use */
  char            *device_id;
  WardFhirShared  *shared;           /* weak: Tasks go there instead of the outbox */
};

gboolean  _ward_care_check_text   (const char      *text,
                                   const char      *what,
                                   gsize            max,
                                   GError         **error);
gboolean  _ward_care_check_actor  (const char      *staff_id,
                                   const char      *station_id,
                                   GError         **error);
/* A row of the audit trail and its FHIR AuditEvent. */
gboolean  _ward_care_audit        (WardCare        *self,
                                   gint64           at,
                                   const char      *actor,
                                   const char      *action,
                                   const char      *patient_id,
                                   gint64           flag_id,
                                   gint64           task_id,
                                   const char      *station_id,
                                   const char      *detail,
                                   GError         **error);
/* A JSON object of string members, name then value, NULL-terminated; a
 * NULL value leaves its member out.
 */
char     *_ward_care_detail_json  (const char      *first_member,
                                   ...) G_GNUC_NULL_TERMINATED;
gboolean  _ward_care_save_task    (WardCare        *self,
                                   WardTask        *task,
                                   gint64           at,
                                   GError         **error);
gboolean  _ward_care_communicate  (WardCare        *self,
                                   const char      *kind,
                                   const WardTask  *task,
                                   const char      *patient_id,
                                   const char      *sender,
                                   const char      *recipient_role,
                                   const char      *recipient_staff,
                                   const char      *payload,
                                   const char      *station_id,
                                   gint64           at,
                                   GError         **error);
WardTask *_ward_care_load_task    (WardCare        *self,
                                   gint64           task_id,
                                   GError         **error);
gboolean  _ward_care_accept_task  (WardCare        *self,
                                   WardTask        *task,
                                   const char      *staff_id,
                                   const char      *station_id,
                                   gint64           at,
                                   gboolean         acknowledge_flag,
                                   GError         **error);
gboolean  _ward_care_create_task  (WardCare        *self,
                                   WardTask        *task,
                                   const char      *action,
                                   const char      *payload,
                                   gint64           now,
                                   GError         **error);

/* The bed nurse of the task's bed, for a task of the bed nurse's role
 * (nobody by name otherwise, or when the nurse is off the roster).
 */
gboolean  _ward_care_route_to_allocation (WardCare     *self,
                                          WardTask     *task,
                                          GError      **error);

/* ward-care-inbound.c: a flag opening here that another station's Task
 * (applied before the flag opened here) is about: those tasks are tied
 * to it (*adopted), and the flag needs no task of its own.
 */
gboolean  _ward_care_inbound_adopt_flag (WardCare            *self,
                                         const WardCareFlag  *flag,
                                         gboolean            *adopted,
                                         GError             **error);

/* ward-care-reroute.c: the requested tasks of staff no longer on the
 * ward's roster (taken off the CareTeam) routed again, now.
 */
gboolean  _ward_care_reroute_unrostered (WardCare  *self,
                                         gint64     now,
                                         GError   **error);

G_END_DECLS
