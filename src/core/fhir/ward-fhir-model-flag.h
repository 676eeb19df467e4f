/* ward-fhir-model-flag.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-fhir-resources.h"

G_BEGIN_DECLS

/* The Flag of a model's own alert (issue #15).  Like a NEWS2 Flag
 * (ward_fhir_flag()): category clinical, subject the Patient, author the
 * Wardwatch Device, period the episode, flag-detail the RiskAssessment
 * that raised it.  It differs in its code, which says it is a model's
 * alert: the coding names the scorer (WARD_FHIR_SYSTEM_SCORER, code its
 * kind, version its version) beside the WARD_FHIR_CODE_MODEL_ALERT code,
 * and the text gives the model, its version and the probability.  Its id
 * is its own (ward_fhir_model_flag_id()): a NEWS2 flag opened at the
 * same time is another Flag.
 */
#define WARD_FHIR_SYSTEM_FLAG_CODE   "https://wardwatch.github.io/fhir/CodeSystem/flag"
#define WARD_FHIR_CODE_MODEL_ALERT   "model-alert"

typedef struct
{
  const char *patient_id;       /* the ward's patient id (and the id key) */
  const char *subject_id;       /* the Patient's FHIR id, or NULL: patient_id */
  const char *device_id;        /* the Wardwatch Device */
  const char *scorer;           /* "model:NAME" */
  const char *scorer_version;
  double      probability;      /* that raised it, 0 to 1 */
  gint64      opened_at;
  gint64      closed_at;        /* 0: still open */
  gint64      assessment_window_end; /* the window of the RiskAssessment that raised it */
  /* Who acknowledged it and when (NULL, 0: nobody): the same
   * flag-acknowledgement extension as a NEWS2 Flag's, for the other
   * stations of the ward.
   */
  const char *acknowledged_by;
  gint64      acknowledged_at;
} WardFhirModelFlagInput;

char       *ward_fhir_model_flag_id (const char                    *patient_id,
                                     const char                    *scorer,
                                     gint64                         opened_at);
JsonNode   *ward_fhir_model_flag    (const WardFhirModelFlagInput  *input,
                                     GError                       **error);

G_END_DECLS
