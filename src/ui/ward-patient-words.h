/* ward-patient-words.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

/* What the views say about a patient beside the score, written once:
 * the identifiers a clinician checks before acting, the SpO₂ scale and
 * when observations are due.
 */

/* "943 476 5919": an NHS number of ten digits in groups of 3-3-4; any
 * other text as it is.
 */
char       *_ward_patient_words_nhs_number   (const char         *nhs_number);
/* A FHIR date in the local date format ("12-Mar-1950"; "Mar 1950" and
 * "1950" for partial dates), or NULL when it is not a valid date.
 */
char       *_ward_patient_words_birth_date   (const char         *birth_date);
/* "Hospital no. H123456 · NHS no. 943 476 5919 · Born 12-Mar-1950 (76 y)",
 * with what the bed gives; NULL when it gives no identifier and no birth
 * date.  separator goes between the parts (" · " on screen, ", " for a
 * screen reader).
 */
char       *_ward_patient_words_identity     (const WardBedState *bed,
                                              gint64              now,
                                              const char         *separator);
/* The patient's context for the patient view's header: the identity
 * above, else the age alone ("54 y"), and for under-16s that NEWS2 is not
 * validated for them.  NULL when nothing is known.
 */
char       *_ward_patient_words_context      (const WardBedState *bed,
                                              gint64              now);
/* "Obs due 14:30", "Obs overdue 25 min", "Continuous monitoring", or NULL
 * when nothing is due (no score yet, or older data).  *overdue says
 * whether the set is late: a reminder, never a clinical alarm.
 */
char       *_ward_patient_words_obs_due      (const WardBedState *bed,
                                              gint64              now,
                                              gboolean           *overdue);

G_END_DECLS
