/* ward-staff-fhir.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-staff.h"

G_BEGIN_DECLS

/* The ward's staff from the FHIR server (docs/ARCHITECTURE.md, "Staff
 * from the FHIR server"): the ward's CareTeam, its participants'
 * PractitionerRole and Practitioner.  This file reads resources already
 * fetched (fhir/ward-fhir-staff.c fetches them) and merges the result
 * with the staff file; it does no I/O.
 */

/* The code system of Wardwatch's own role codes: bed-nurse,
 * nurse-in-charge, doctor, outreach.
 */
#define WARD_STAFF_FHIR_ROLE_SYSTEM   "https://wardwatch.github.io/fhir/CodeSystem/ward-role"
#define WARD_STAFF_FHIR_SNOMED        "http://snomed.info/sct"
/* Practitioner.identifier systems read by default: the staff id (the
 * one Wardwatch's Tasks name staff by) and the desktop login.
 */
#define WARD_STAFF_FHIR_STAFF_ID_SYSTEM   "https://wardwatch.github.io/fhir/sid/staff-id"
#define WARD_STAFF_FHIR_LOGIN_SYSTEM      "https://wardwatch.github.io/fhir/sid/os-account"
#define WARD_STAFF_FHIR_DEFAULT_REFRESH_SECONDS (5 * 60)

typedef struct
{
  char            *system;
  char            *code;
  WardStaffRoles   role;
} WardStaffRoleCode;

/* The staff file's "fhir" object. */
struct _WardStaffFhirConfig
{
  char    *care_team_identifier;  /* "system|value" or "value"; or NULL */
  char    *care_team_name;        /* CareTeam.name; or NULL (one of the two is set) */
  GArray  *role_codes;            /* WardStaffRoleCode: the file's, then the defaults */
  char    *staff_id_system;
  char    *login_system;
  guint    refresh_seconds;
};

/* Reads the "fhir" object of a staff file; NULL with a
 * WARD_STAFF_ERROR_INVALID naming the key.
 */
WardStaffFhirConfig *ward_staff_fhir_config_load  (JsonNode                   *node,
                                                   const char                 *origin,
                                                   GError                    **error);
void                 ward_staff_fhir_config_free  (WardStaffFhirConfig        *config);

/* The ward role a coding stands for, or NONE. */
WardStaffRoles       ward_staff_fhir_map_coding   (const WardStaffFhirConfig  *config,
                                                   const char                 *system,
                                                   const char                 *code);

/* Whether a CareTeam is the ward's (identifier or name, status active or
 * none).
 */
gboolean             ward_staff_fhir_team_matches (const WardStaffFhirConfig  *config,
                                                   JsonObject                 *care_team);

/* The references ("PractitionerRole/ID", "Practitioner/ID") a CareTeam's
 * current participants name, each once, in order.
 */
GPtrArray           *ward_staff_fhir_participants (JsonObject                 *care_team,
                                                   gint64                      now);

/* The staff of the CareTeams: resources holds every fetched resource by
 * reference ("PractitionerRole/r1"), a missing one is one that could not
 * be read.  A participant that cannot be read as a staff member (no
 * role that maps, no practitioner, no name, an id that is not usable) is
 * left out and described in issues ("PractitionerRole/r1: …"), the
 * others are kept.  Members have source FHIR and no PIN.
 */
WardStaff           *ward_staff_fhir_read         (const WardStaffFhirConfig  *config,
                                                   GPtrArray                  *care_teams,
                                                   GHashTable                 *resources,
                                                   gint64                      now,
                                                   GPtrArray                  *issues);

/* The ward's staff: with fhir NULL (never read), the staff file alone.
 * Otherwise the CareTeam's members, each with the PIN hash of the file's
 * entry of the same id (and the file's OS account when the server gives
 * none): the file wins for PINs, the server for who and which roles.
 * A file entry nobody on the CareTeam matches is left out, and said so
 * in notes when not NULL.
 */
WardStaff           *ward_staff_fhir_merge        (WardStaff                  *policy,
                                                   WardStaff                  *fhir,
                                                   GPtrArray                  *notes);

G_END_DECLS
