/* ward-store-staff-fhir.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-staff.h"
#include "ward-store.h"

G_BEGIN_DECLS

/* Staff from the FHIR server (schema 15, docs/ARCHITECTURE.md "Staff from
 * the FHIR server"): the CareTeam's members as last read (a cache for a
 * start while the server is down), that read's issues, and the merged
 * roster in use with where each member came from.
 */

/* Replaces the cache with one read: its members (source FHIR), the
 * teams' references, its issues (strings, may be NULL), all in one
 * transaction.
 */
gboolean    ward_store_save_fhir_staff     (WardStore   *self,
                                            WardStaff   *staff,
                                            const char  *care_teams,
                                            GPtrArray   *issues,
                                            gint64       read_at,
                                            GError     **error);
/* The cached members, or NULL with no error when the server was never
 * read.  *read_at (may be NULL) is when.
 */
WardStaff  *ward_store_load_fhir_staff     (WardStore   *self,
                                            gint64      *read_at,
                                            GError     **error);
/* The last read's issues, oldest first. */
GPtrArray  *ward_store_list_fhir_staff_issues (WardStore *self,
                                            GError     **error);

/* Replaces the roster with staff (the merged list), in one transaction. */
gboolean    ward_store_save_staff_roster   (WardStore   *self,
                                            WardStaff   *staff,
                                            gint64       at,
                                            GError     **error);
/* The roster as saved (members with their source; pin_hash is "" for a
 * member with a PIN, never the hash), or an empty list.
 */
WardStaff  *ward_store_load_staff_roster   (WardStore   *self,
                                            GError     **error);
/* Whether a task may be routed to staff_id: TRUE when the roster is
 * empty (no list known: any id, as before lists) or holds it.
 */
gboolean    ward_store_staff_may_route     (WardStore   *self,
                                            const char  *staff_id,
                                            gboolean    *may_route,
                                            GError     **error);

G_END_DECLS
