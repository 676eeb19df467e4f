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

G_END_DECLS
