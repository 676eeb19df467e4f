/* ward-staff-directory.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-fhir-auth.h"
#include "ward-pipeline.h"
#include "ward-session.h"
#include "ward-staff.h"

G_BEGIN_DECLS

/* The ward's staff as the station uses it: the staff file merged with
 * the FHIR server's CareTeam (care/ward-staff-fhir.h for the rule), read
 * at start and every refresh_minutes (five by default) on a worker
 * thread, never on the caller's.  Each read is cached in the store, so a
 * station whose server is down starts with the last list it read; a
 * failed read keeps the list there is.  The merged list is saved as the
 * store's staff roster, which routing follows
 * (store/ward-store-staff-fhir.h).
 *
 * "changed" is emitted on the thread-default main context of start()
 * whenever the merged list is replaced.
 */
#define WARD_TYPE_STAFF_DIRECTORY (ward_staff_directory_get_type ())
G_DECLARE_FINAL_TYPE (WardStaffDirectory, ward_staff_directory, WARD, STAFF_DIRECTORY, GObject)

/* policy: the staff file's list, with its "fhir" object.  base_url: the
 * FHIR server; bearer_token may be NULL.  db_path: the store.
 */
WardStaffDirectory *ward_staff_directory_new            (WardStaff           *policy,
                                                         const char          *db_path,
                                                         const char          *base_url,
                                                         const char          *bearer_token);
/* Each read's token comes from auth (NULL: the bearer_token of new()):
 * fetched on the thread-default main context of the read, cached by
 * auth; after a 401 a SMART token is renewed and the read made once more.
 */
void                ward_staff_directory_set_auth       (WardStaffDirectory  *self,
                                                         WardFhirAuth        *auth);
/* Refresh interval in seconds (0: none after the first read); default
 * the staff file's refresh_minutes.
 */
void                ward_staff_directory_set_interval   (WardStaffDirectory  *self,
                                                         guint                seconds);
/* Loads the cache (the merged list is ready when this returns), then
 * starts the first read and the timer.  FALSE with error only when the
 * store cannot be opened; the list is then the staff file's.
 */
gboolean            ward_staff_directory_start          (WardStaffDirectory  *self,
                                                         GError             **error);
void                ward_staff_directory_stop           (WardStaffDirectory  *self);

/* The merged list now (borrowed: take a reference to keep it). */
WardStaff          *ward_staff_directory_get_staff      (WardStaffDirectory  *self);

/* Reads the server now (as the timer does); completes once the result is
 * cached and applied, or with the read's error (the list kept).
 */
void                ward_staff_directory_refresh_async  (WardStaffDirectory  *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean            ward_staff_directory_refresh_finish (WardStaffDirectory  *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* The last read's failure (NULL after a good one), and how many reads
 * succeeded.
 */
const char         *ward_staff_directory_get_last_error (WardStaffDirectory  *self);
guint               ward_staff_directory_get_n_reads    (WardStaffDirectory  *self);

/* The directory a station runs: NULL (no error) when the session's staff
 * file names no CareTeam, or there is no FHIR server or no database.
 * Started; each new list goes to the session (ward_session_set_staff(),
 * which notifies "staff": the PIN prompts follow).  It authenticates as
 * the sync does (ward_fhir_auth_new_for_config()): --fhir-token-file's
 * bearer token, or SMART Backend Services with --fhir-client-id and
 * --fhir-private-key.
 */
WardStaffDirectory *ward_staff_directory_new_for_session (WardSession              *session,
                                                          const WardPipelineConfig *config,
                                                          GError                  **error);

G_END_DECLS
