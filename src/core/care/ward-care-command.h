/* ward-care-command.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-care.h"

G_BEGIN_DECLS

/* A care-team action from the UI, queued to the pipeline thread
 * (ward_pipeline_care_async()) and run there in the tick's transaction,
 * at the tick's time.  Each constructor copies its arguments; staff_id is
 * who acts, station_id where from.
 */
typedef struct _WardCareCommand WardCareCommand;

WardCareCommand *ward_care_command_accept          (gint64                  task_id,
                                                    const char             *staff_id,
                                                    const char             *station_id);
WardCareCommand *ward_care_command_reassign        (gint64                  task_id,
                                                    WardRole                to_role,
                                                    const char             *to_staff,
                                                    const char             *staff_id,
                                                    const char             *station_id);
WardCareCommand *ward_care_command_complete        (gint64                  task_id,
                                                    WardTaskOutcome         outcome,
                                                    const char             *note,
                                                    const char             *staff_id,
                                                    const char             *station_id);
WardCareCommand *ward_care_command_raise_concern   (const char             *patient_id,
                                                    const char             *note,
                                                    const char             *staff_id,
                                                    const char             *station_id);
WardCareCommand *ward_care_command_allocate        (const char             *bed_id,
                                                    const char             *nurse_id,
                                                    const char             *staff_id,
                                                    const char             *station_id);
WardCareCommand *ward_care_command_offer_handover  (const char             *from_staff,
                                                    const char             *to_staff,
                                                    const WardHandoverBed  *beds,
                                                    guint                   n_beds,
                                                    const char             *station_id);
WardCareCommand *ward_care_command_accept_handover (gint64                  handover_id,
                                                    const char             *staff_id,
                                                    const char             *station_id);
void             ward_care_command_free            (WardCareCommand        *command);

/* Runs it all or nothing (a savepoint): a refused action leaves no row
 * behind.  *result gets the new task's id (a concern), the new
 * handover's id (an offer), or the task's or handover's id.
 */
gboolean         ward_care_command_run             (WardCare               *care,
                                                    WardCareCommand        *command,
                                                    gint64                  now,
                                                    gint64                 *result,
                                                    GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardCareCommand, ward_care_command_free)

G_END_DECLS
