/* ward-store-care-inbound.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* Care-team Tasks made on another station (schema 15, docs/ARCHITECTURE.md
 * "Tasks made on another station"): each Task that arrived from the
 * server for a task this station did not have, by its FHIR id, with the
 * local task it became (applied) or why it was not taken (ignored: a
 * patient who is not on this ward...).  An applied task keeps its FHIR
 * id from here, so that this station's writes go back to the same
 * resource.
 */

typedef enum
{
  WARD_INBOUND_APPLIED,
  WARD_INBOUND_IGNORED,
} WardInboundOutcome;

typedef struct
{
  char               *fhir_id;
  gint64              task_id;     /* the local task, 0 when ignored */
  char               *focus;       /* the Flag id the Task is about, or NULL */
  char               *station;     /* where it was made (meta.source), or NULL */
  gint64              received_at;
  WardInboundOutcome  outcome;
  char               *reason;      /* why ignored, or NULL */
} WardInboundTask;

void        ward_inbound_task_clear          (WardInboundTask  *row);

/* Records row (replacing an earlier row for its FHIR id). */
gboolean    ward_store_inbound_record        (WardStore        *self,
                                              const WardInboundTask *row,
                                              GError          **error);
/* The row of a FHIR id; *found FALSE when there is none. */
gboolean    ward_store_inbound_get           (WardStore        *self,
                                              const char       *fhir_id,
                                              gboolean         *found,
                                              WardInboundTask  *row,
                                              GError          **error);
/* The applied row of a local task; *found FALSE for a task made here. */
gboolean    ward_store_inbound_get_for_task  (WardStore        *self,
                                              gint64            task_id,
                                              gboolean         *found,
                                              WardInboundTask  *row,
                                              GError          **error);
/* The local tasks applied from another station about the Flag focus and
 * not tied to a local flag yet (flag_id unset), by id; an array of
 * gint64.
 */
GArray     *ward_store_inbound_list_unflagged (WardStore       *self,
                                              const char       *focus,
                                              GError          **error);

/* A task without a flag (a concern and its escalations), for working out
 * the FHIR ids this station gave them.
 */
typedef struct
{
  gint64 id;
  gint64 part_of;
} WardFlaglessTask;

/* Every task without a flag, by id (WardFlaglessTask), or NULL with
 * error.
 */
GArray     *ward_store_inbound_list_flagless (WardStore        *self,
                                              GError          **error);

/* A flag of a patient, as the sharing of Flags needs it. */
typedef struct
{
  gint64  id;
  char   *kind;             /* clinical, technical or model */
  char   *scorer;           /* a model flag's model kind, else NULL */
  gint64  opened_at;
  gint64  closed_at;        /* 0: open */
  char   *acknowledged_by;  /* or NULL */
  char   *patient_id;
} WardPatientFlag;

void        ward_patient_flag_clear          (WardPatientFlag  *flag);
/* The clinical and model flags of patient_id, open or closed, by id
 * (WardPatientFlag, cleared by the array), or NULL with error.
 */
GArray     *ward_store_inbound_list_patient_flags (WardStore   *self,
                                              const char       *patient_id,
                                              GError          **error);
/* The open clinical and model flags of the ward, by id. */
GArray     *ward_store_inbound_list_open_flags (WardStore      *self,
                                              GError          **error);

/* The patients in the ward's beds, by bed id (a NULL-terminated
 * array), or NULL with error.
 */
GStrv       ward_store_inbound_list_bed_patients (WardStore    *self,
                                              GError          **error);

/* The requested tasks held by name by someone who is not on the ward's
 * staff roster while the roster has members (ward_store_staff_may_route()
 * says no), by id; an array of gint64.  For the care stage's re-routing
 * of the tasks of staff taken off the CareTeam.
 */
GArray     *ward_store_list_unrostered_tasks (WardStore        *self,
                                              GError          **error);

G_END_DECLS
