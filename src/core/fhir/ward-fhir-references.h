/* ward-fhir-references.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A write refused because a resource it references is not on the server
 * (referential integrity, as HAPI FHIR enforces it): the first
 * "Resource Type/id not found" in the OperationOutcome's diagnostics or
 * details.text, or FALSE.
 */
gboolean ward_fhir_outcome_missing_reference (const char  *outcome_json,
                                              char       **resource_type,
                                              char       **id);

/* Where resources of a type go among those sent together: after the
 * types they reference (Patient and Device first; Observation, then
 * RiskAssessment, Flag, Task, Communication, AuditEvent), so that a
 * server enforcing referential integrity has each target before what
 * names it.  Types not listed come last.
 */
guint    ward_fhir_resource_type_rank        (const char  *resource_type);

G_END_DECLS
