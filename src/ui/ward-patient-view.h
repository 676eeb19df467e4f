/* ward-patient-view.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-pipeline.h"
#include "ward-snapshot.h"

G_BEGIN_DECLS

/* One patient: live charts per parameter over a chosen span, the score
 * history, the windows behind each score, nurse entry and confirmation.
 * The window shows it in place of the ward board.
 */

#define WARD_TYPE_PATIENT_VIEW (ward_patient_view_get_type ())
G_DECLARE_FINAL_TYPE (WardPatientView, ward_patient_view, WARD, PATIENT_VIEW, AdwBin)

GtkWidget    *ward_patient_view_new             (void);
/* Commands go to pipeline; history is read from its store on a
 * connection of the view's own, off the main thread.  NULL in tests that
 * only show snapshots.
 */
void          ward_patient_view_set_pipeline    (WardPatientView *self,
                                                 WardPipeline    *pipeline);
void          ward_patient_view_set_user        (WardPatientView *self,
                                                 const char      *user);
void          ward_patient_view_set_patient     (WardPatientView *self,
                                                 const char      *patient_id);
const char   *ward_patient_view_get_patient     (WardPatientView *self);
/* Whether the history of the patient and span is still loading (the
 * "loading" property).
 */
gboolean      ward_patient_view_get_loading     (WardPatientView *self);
void          ward_patient_view_apply_snapshot  (WardPatientView *self,
                                                 WardSnapshot    *snapshot);

G_END_DECLS
