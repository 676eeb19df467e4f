/* ward-fhir-staff.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-staff-fhir.h"

G_BEGIN_DECLS

/* Reads the ward's staff from a FHIR R4 server, blocking: for a worker
 * thread (care/ward-staff-directory.c runs it in one).  The ward's
 * CareTeams are searched (CareTeam?identifier=TOKEN, or for a name
 * CareTeam?status=active, filtered by name), then every current
 * participant's PractitionerRole and every Practitioner is read with
 * GET.  bearer_token may be NULL.
 *
 * A resource the server says is gone (404, 410) or that is not JSON is
 * an issue (issues) and leaves that member out; any other failure (the
 * network, a 5xx, a refused search, no CareTeam matching) fails the whole
 * read with error, so that a passing fault never empties the list (a
 * 401, the token refused, with G_IO_ERROR_PERMISSION_DENIED).
 * *care_teams gets the references of the teams read ("CareTeam/a").
 */
WardStaff  *ward_fhir_staff_fetch  (const char                 *base_url,
                                    const char                 *bearer_token,
                                    const WardStaffFhirConfig  *config,
                                    gint64                      now,
                                    GCancellable               *cancellable,
                                    GPtrArray                  *issues,
                                    char                      **care_teams,
                                    GError                    **error);

G_END_DECLS
