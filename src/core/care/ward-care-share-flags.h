/* ward-care-share-flags.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-care.h"
#include "ward-engine.h"
#include "ward-fhir-shared.h"
#include "ward-store-care-inbound.h"

G_BEGIN_DECLS

/* Flags and Communications shared between the stations of a ward, beside
 * the Tasks of ward-care-share.h (docs/ARCHITECTURE.md, "Flags and
 * Communications between stations").
 *
 * A Flag is derived from the data by every station that reads it, and
 * named alike on all of them (the patient and the opening time, taken
 * from the data).  The merge of two copies of one Flag, field by field:
 *
 * - status: closed (inactive, entered-in-error) wins over active: an
 *   episode closes once, and a later crossing is a new Flag with a new
 *   id.  Of two closings, the one the server has stands (period.end).
 * - acknowledgement (the flag-acknowledgement extension): a person's
 *   action, kept whichever side has it; of two, the earlier stands.
 * - band (flag-priority) and the RiskAssessment behind it (flag-detail):
 *   the higher band, both stations deriving it from the same data; on a
 *   tie the server's.
 * - everything else (author, code, subject...): the server's, the first
 *   writer's.
 *
 * The result is written only when it differs from the server's copy.
 */
WardFhirMergeResult ward_care_share_merge_flag       (JsonObject  *local,
                                                      JsonObject  *server,
                                                      JsonObject **merged);

/* Who acknowledged the Flag and when (FALSE when nobody did). */
gboolean            ward_care_share_flag_acknowledgement (JsonObject  *flag,
                                                      const char **by,
                                                      gint64      *at);

/* Another station's Flag, shown here, NEWS2's or a model's own:
 *
 * - its acknowledgement acknowledges the same open flag here
 *   (ward_engine_acknowledge_shared(): the tile, the alarm and the trail
 *   follow, naming station; the flag's task does not, its Task is shared
 *   on its own);
 * - its closing (inactive, entered-in-error) closes the same open flag
 *   here (ward_engine_close_shared()): it leaves the board and the alarm
 *   bar, the care stage's next tick cancels its requested tasks as for
 *   any closed flag, and the same still-abnormal data raise no new flag.
 *
 * *flag_id is the local flag it changed, or 0.  In the caller's
 * transaction.
 */
gboolean            ward_care_share_apply_flag       (WardEngine  *engine,
                                                      JsonObject  *resource,
                                                      const char  *station,
                                                      gint64      *flag_id,
                                                      GError     **error);

/* The FHIR Flag id of a local flag (a NEWS2 flag's or a model's). */
char               *ward_care_share_local_flag_id    (const WardPatientFlag *flag);

/* The ward's patient id behind a Patient id of a shared resource (the
 * identifier of the local Patient with that id, else the id itself);
 * NULL for a NULL subject_id.
 */
gboolean            ward_care_share_patient_for_subject (WardStore   *store,
                                                      const char  *subject_id,
                                                      char       **patient_id,
                                                      GError     **error);

/* The FHIR id of a notification or escalation Communication about a
 * flag's Task: the same on every station that made the Task, so that the
 * ward gets it once.  NULL for other kinds (a person's message has its
 * row id).
 */
char               *ward_care_share_communication_id (const char  *task_fhir_id,
                                                      const char  *kind);

/* Another station's Communication, recorded here (once) for the patient
 * timeline and the care view: *inserted says whether it was new.  In the
 * caller's transaction.
 */
gboolean            ward_care_share_apply_communication (WardStore  *store,
                                                      const char  *installation_id,
                                                      JsonObject  *resource,
                                                      const char  *station,
                                                      gboolean    *inserted,
                                                      GError     **error);

/* Registers Flag and Communication with the sharing layer (after
 * ward_care_share_attach()).  The engine's Flags and the care team's
 * Communications are written to the store as before; while the layer
 * runs, the store queues them for sharing instead of in the outbox, in
 * the transaction that made them (ward_store_shared_set_routes()).
 */
void                ward_care_share_attach_flags     (WardCare       *care,
                                                      WardFhirShared *shared);

G_END_DECLS
