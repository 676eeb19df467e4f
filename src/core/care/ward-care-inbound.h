/* ward-care-inbound.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-care.h"

G_BEGIN_DECLS

/* A Task made on another station that this station has no task for (a
 * nurse's concern raised at the doctor's desktop, an escalation made
 * there first, a task reassigned there), brought by the sharing layer
 * (docs/ARCHITECTURE.md, "Tasks made on another station").
 *
 * An open Task (requested or accepted) for a patient in a bed of this
 * ward becomes a local task: its owner, role, state, priority, due time,
 * note and requester as the resource says, partOf the local task its
 * partOf names, tied to the local flag its focus names (or, for a flag
 * this station's engine has not opened yet, tied to it when it opens).
 * It keeps its FHIR id (store/ward-store-care-inbound.h), so that an
 * accept or a completion here is written back to the same resource with
 * If-Match, as for any Task.  An escalation tied to a local task marks
 * that task escalated, so that this station does not escalate it again.
 *
 * A Task this station made (closed here since), one for a patient who is
 * not on this ward, or one already closed is not applied: the last two
 * are recorded as ignored, with the reason.  Neither audited nor
 * notified here: the station that made it did both.
 *
 * *task_id is the local task made, or 0.  In the caller's transaction.
 */
gboolean ward_care_inbound_apply_task (WardCare    *care,
                                       JsonObject  *resource,
                                       const char  *station,
                                       gint64       now,
                                       gint64      *task_id,
                                       GError     **error);

G_END_DECLS
