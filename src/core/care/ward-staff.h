/* ward-staff.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WARD_STAFF_ERROR (ward_staff_error_quark ())

typedef enum
{
  WARD_STAFF_ERROR_PARSE,     /* not JSON, or not a JSON object */
  WARD_STAFF_ERROR_INVALID,   /* an unknown key, a bad value, a duplicate */
} WardStaffError;

typedef enum
{
  WARD_STAFF_ROLE_NONE            = 0,
  WARD_STAFF_ROLE_BED_NURSE       = 1 << 0,
  WARD_STAFF_ROLE_NURSE_IN_CHARGE = 1 << 1,
  WARD_STAFF_ROLE_DOCTOR          = 1 << 2,
  WARD_STAFF_ROLE_OUTREACH        = 1 << 3,
} WardStaffRoles;

/* Where a member came from: the staff file, the FHIR server's CareTeam
 * (care/ward-staff-fhir.h), or both (the file giving the PIN).
 */
typedef enum
{
  WARD_STAFF_SOURCE_POLICY = 1 << 0,
  WARD_STAFF_SOURCE_FHIR   = 1 << 1,
} WardStaffSource;

typedef struct _WardStaffFhirConfig WardStaffFhirConfig;

/* One member of the ward's staff.  id is what the store and the FHIR
 * resources record as who did something; name is what people read.
 */
typedef struct
{
  char           *id;
  char           *name;
  WardStaffRoles  roles;
  char           *os_account;   /* NULL: none; the desktop login that is this member */
  char           *pin_hash;     /* NULL: cannot switch in with a PIN (ward-pin.h) */
  WardStaffSource source;       /* 0 counts as the staff file */
} WardStaffMember;

#define WARD_TYPE_STAFF (ward_staff_get_type ())
G_DECLARE_FINAL_TYPE (WardStaff, ward_staff, WARD, STAFF, GObject)

GQuark                 ward_staff_error_quark          (void);

/* The role's name in files and on the command line ("bed-nurse"), or NULL. */
const char            *ward_staff_role_to_string       (WardStaffRoles   role);
gboolean               ward_staff_role_from_string     (const char      *text,
                                                        WardStaffRoles  *role);
/* Words for people ("Nurse in charge"), translated; several roles are
 * joined with commas.
 */
char                  *ward_staff_roles_describe       (WardStaffRoles   roles);
/* "policy", "fhir" or "policy+fhir". */
const char            *ward_staff_source_to_string     (WardStaffSource  source);

WardStaff             *ward_staff_new                  (void);
/* The ward staff file (docs/ARCHITECTURE.md, "Who is acting"): an
 * unknown key, a bad role, a malformed PIN hash or a duplicate id
 * refuses the whole file, naming the entry and the key.
 */
WardStaff             *ward_staff_new_from_file        (const char      *path,
                                                        GError         **error);
WardStaff             *ward_staff_new_from_data        (const char      *data,
                                                        gssize           length,
                                                        const char      *origin,
                                                        GError         **error);
/* The demo ward's staff, with the demo PINs of docs/ARCHITECTURE.md. */
WardStaff             *ward_staff_new_demo             (GError         **error);

/* Adds a copy of member; FALSE with error when its id (or OS account) is
 * already there or it has no id or name.
 */
gboolean               ward_staff_add                  (WardStaff              *self,
                                                        const WardStaffMember  *member,
                                                        GError                **error);
guint                  ward_staff_get_n_members        (WardStaff       *self);
const WardStaffMember *ward_staff_get_member           (WardStaff       *self,
                                                        guint            index);
const WardStaffMember *ward_staff_lookup               (WardStaff       *self,
                                                        const char      *id);
const WardStaffMember *ward_staff_lookup_os_account    (WardStaff       *self,
                                                        const char      *os_account);
/* The file's "fhir" object (care/ward-staff-fhir.h): which CareTeam is
 * the ward's, and how its roles read; NULL when the file has none.
 */
const WardStaffFhirConfig *ward_staff_get_fhir_config  (WardStaff       *self);

G_END_DECLS
