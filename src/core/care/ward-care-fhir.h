/* ward-care-fhir.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-store-care.h"

G_BEGIN_DECLS

#define WARD_FHIR_SYSTEM_STAFF_ID     "https://wardwatch.github.io/fhir/sid/staff-id"
#define WARD_FHIR_SYSTEM_STATION_ID   "https://wardwatch.github.io/fhir/sid/station-id"
#define WARD_FHIR_SYSTEM_CARE_ROLE    "https://wardwatch.github.io/fhir/CodeSystem/care-role"
#define WARD_FHIR_SYSTEM_TASK_OUTCOME "https://wardwatch.github.io/fhir/CodeSystem/task-outcome"
#define WARD_FHIR_SYSTEM_AUDIT_ACTION "https://wardwatch.github.io/fhir/CodeSystem/audit-action"
#define WARD_FHIR_SYSTEM_DICOM        "http://dicom.nema.org/resources/ontology/DCM"

/* The FHIR side of the care team: Task, Communication and AuditEvent,
 * with ids derived from the installation id and the row id, so that a
 * resource written again (a new version of a Task) keeps its id and the
 * outbox sends the newest version once (ward_store_put_resource() keeps
 * the version, for an If-Match later).
 *
 * Staff are referenced by identifier (WARD_FHIR_SYSTEM_STAFF_ID): the
 * staff list is not on the FHIR server yet.  The system's own actions
 * reference the Wardwatch Device.  A task routed to a role and nobody
 * yet has the role as Task.performerType and no owner.
 */

typedef struct
{
  const char *installation_id;
  const char *device_id;        /* FHIR id of the Wardwatch Device */
  const char *subject_id;       /* FHIR id of the Patient, or NULL */
  const char *flag_id;          /* FHIR id of the Flag, or NULL */
  const char *task_id;          /* FHIR id of the Task concerned, or NULL: from the installation
                                 * and the row (care/ward-care-share.h names a flag's tasks) */
  const char *part_of_id;       /* FHIR id of the Task it escalates, or NULL: likewise */
  const char *communication_id; /* FHIR id of the Communication, or NULL: from the installation
                                 * and the row (ward-care-share-flags.h names a Task's notices) */
} WardCareFhirContext;

char     *ward_care_fhir_task_id           (const char                 *installation_id,
                                            gint64                      task_id);
char     *ward_care_fhir_communication_id  (const char                 *installation_id,
                                            gint64                      communication_id);
char     *ward_care_fhir_audit_event_id    (const char                 *installation_id,
                                            gint64                      audit_id);

JsonNode *ward_care_fhir_task              (const WardCareFhirContext  *context,
                                            const WardTask             *task);
JsonNode *ward_care_fhir_communication     (const WardCareFhirContext  *context,
                                            const WardCommunication    *communication);
/* The row's patient, flag and task are AuditEvent.entity; its hash is
 * kept in an entity detail, a copy of the chain outside the store.
 */
JsonNode *ward_care_fhir_audit_event       (const WardCareFhirContext  *context,
                                            const WardAuditRow         *row);

G_END_DECLS
