/* ward-test-fhir-check.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-test-fhir-server.h"

G_BEGIN_DECLS

/* Asserts that SERVER holds exactly what the station with the database DB
 * made, once:
 *   - every resource of the local store but the shared ones is on the
 *     server with the same content (meta aside, numbers by value), with
 *     at least one version there and never more than were made here (a
 *     resend that made a new version, or an older copy sent after a
 *     newer one, fails);
 *   - every Task, Flag and Communication (shared between stations through
 *     the sharing layer) is on the server at the version the station last
 *     knew, or a write of it is still queued (killed after the server took
 *     it, before the station knew); every one made here is known there or
 *     queued;
 *   - nothing else is on the server: its per-type counts ($stats) are
 *     those of the station.
 * Returns how many resources were checked; RESOURCES_PER_TYPE, when not
 * NULL, gets a table type -> count (GUINT_TO_POINTER).
 */
guint ward_test_fhir_check_station (WardTestFhirServer  *server,
                                    const char          *db,
                                    GHashTable         **resources_per_type);

G_END_DECLS
