/* ward-care-share.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-care.h"
#include "ward-fhir-shared.h"
#include "ward-store-care.h"
#include "ward-tasks.h"

G_BEGIN_DECLS

/* The care team's side of sharing between stations (issue #16, part 4):
 * the ids that make one flag's tasks one resource on the server whoever
 * writes them, and the rules for Task conflicts (WardFhirShared's merge
 * and apply callbacks).
 *
 * Ids.  A flag's task chain is named from the flag, not from a row of
 * one station's database: the first task of a flag and each escalation
 * are ward_care_share_chain_task_id (flag key, level), the flag key
 * being its Flag's id (patient and opening time) or, for a technical
 * alert that has no Flag, its kind, patient and opening time.  Two
 * stations that see the same flag (the same device data) make the same
 * Task ids, and two stations escalating the same overdue task write one
 * escalation resource: the second write is a create that meets the
 * first (If-None-Match: *), and the merge keeps the server's.  A concern
 * has no flag: it is one station's, named from its installation and
 * row as before.
 */

/* FHIR ids of the task row_id and of the task it escalates (NULL when it
 * escalates none): deterministic for a flag's chain, installation-based
 * for a concern.
 */
gboolean             ward_care_share_task_ids        (WardStore     *store,
                                                      const char    *installation_id,
                                                      gint64         task_id,
                                                      char         **fhir_id,
                                                      char         **part_of_fhir_id,
                                                      GError       **error);
char                *ward_care_share_chain_task_id   (const char    *flag_key,
                                                      guint          level);

/* The merge rule for a Task that changed on the server since this
 * station's write was made (412):
 *
 * - the server's is completed or cancelled: it stays so (TAKE_SERVER);
 * - both accepted it, by different people: the first wins (TAKE_SERVER);
 * - otherwise this station's action is written on the server's version
 *   (WRITE; *merged is a copy of local).
 *
 * When this station's intent gives way, *notice says to its people why
 * ("Already accepted by dev.patel at doctors-office"), else NULL.
 */
WardFhirMergeResult  ward_care_share_merge_task      (JsonObject    *local,
                                                      JsonObject    *server,
                                                      JsonObject   **merged,
                                                      char         **notice);

/* What a Task resource says of the task's state, read back into task
 * (status, owner, acceptance, outcome, note, closing); FALSE when the
 * resource is not one this code can read (the task is left as it was).
 */
gboolean             ward_care_share_read_task       (JsonObject    *resource,
                                                      WardTask      *task);

/* Another station's change to a Task, applied to the open local task of
 * the same FHIR id (*task_id its row), or to none (*task_id 0: not one
 * this station knows, or closed here already).  Neither audited nor
 * escalated here: the station that acted audited it.
 */
gboolean             ward_care_share_apply_task      (WardStore     *store,
                                                      const char    *installation_id,
                                                      JsonObject    *resource,
                                                      gint64        *task_id,
                                                      GError       **error);

/* Called with the notice for the people at this station when a Task
 * action of theirs gave way to another station's.
 */
typedef void (*WardCareShareNoticeFunc) (const char *task_id,
                                         const char *notice,
                                         gpointer    user_data);

/* Shares care's Tasks through shared: registers Task with the rules above
 * (apply in a transaction of care's store), and makes care write its
 * Tasks there.  Call before ward_fhir_shared_start(), on the thread that
 * runs both.  shared keeps a reference to care.
 */
void                 ward_care_share_attach          (WardCare                *care,
                                                      WardFhirShared          *shared,
                                                      WardCareShareNoticeFunc  notice,
                                                      gpointer                 user_data,
                                                      GDestroyNotify           destroy);

G_END_DECLS
