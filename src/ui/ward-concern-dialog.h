/* ward-concern-dialog.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-pipeline.h"

G_BEGIN_DECLS

/* Called with NULL when the concern was raised (committed), with why
 * not otherwise; not called when the nurse cancels.
 */
typedef void (*WardConcernDone) (const char *error_message,
                                 gpointer    user_data);

/* "Escalate concern" (NEWS2: a nurse may escalate on clinical concern
 * whatever the score): asks why, then raises a concern task for the
 * patient as user, routed by the ward policy.  about names the patient
 * ("Bed 4 · A. B.").  Returns the dialog, already presented.
 */
AdwMessageDialog *ward_concern_dialog_present (GtkWindow       *parent,
                                               WardPipeline    *pipeline,
                                               const char      *user,
                                               const char      *patient_id,
                                               const char      *about,
                                               WardConcernDone  done,
                                               gpointer         user_data,
                                               GDestroyNotify   destroy);

G_END_DECLS
