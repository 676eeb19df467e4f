/* ward-fhir-model-flag.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir"

#include "config.h"

#include "ward-fhir-model-flag.h"
#include "ward-fhir-json-private.h"

#include <math.h>

char *
ward_fhir_model_flag_id (const char *patient_id,
                         const char *scorer,
                         gint64      opened_at)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (patient_id != NULL && scorer != NULL, NULL);

  /* "flag" with the scorer in the key: never a NEWS2 flag's id. */
  key = g_strdup_printf ("%s|%s|%" G_GINT64_FORMAT, scorer, patient_id, opened_at);
  return ward_fhir_resource_id_for ("flag", key);
}

static JsonNode *
invalid (GError     **error,
         const char  *what)
{
  g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
               "model flag: %s", what);
  return NULL;
}

JsonNode *
ward_fhir_model_flag (const WardFhirModelFlagInput  *input,
                      GError                       **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *id = NULL;
  g_autofree char *assessment_id = NULL;
  g_autofree char *text = NULL;
  const char *subject;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (input->patient_id == NULL || !ward_fhir_id_is_valid (input->patient_id))
    return invalid (error, "patient_id is not a FHIR id");
  if (input->subject_id != NULL && !ward_fhir_id_is_valid (input->subject_id))
    return invalid (error, "subject_id is not a FHIR id");
  if (input->device_id == NULL || !ward_fhir_id_is_valid (input->device_id))
    return invalid (error, "device_id is not a FHIR id");
  if (input->scorer == NULL || *input->scorer == '\0')
    return invalid (error, "no scorer");
  if (!(input->probability >= 0 && input->probability <= 1))
    return invalid (error, "probability outside 0 to 1");
  if (input->opened_at <= 0 || input->assessment_window_end <= 0)
    return invalid (error, "no opening time or window");
  if (input->closed_at != 0 && input->closed_at < input->opened_at)
    return invalid (error, "the flag closes before it opens");
  if (input->acknowledged_by != NULL &&
      (*input->acknowledged_by == '\0' || !g_utf8_validate (input->acknowledged_by, -1, NULL) ||
       input->acknowledged_at <= 0))
    return invalid (error, "acknowledged_by must be non-empty UTF-8, with a time");

  subject = input->subject_id != NULL ? input->subject_id : input->patient_id;
  id = ward_fhir_model_flag_id (input->patient_id, input->scorer, input->opened_at);
  assessment_id = ward_fhir_scorer_risk_assessment_id (input->patient_id, input->scorer,
                                                       input->assessment_window_end);
  /* The text a reader sees first: a model's alert, never NEWS2's. */
  text = g_strdup_printf ("Model alert (%s %s): %.0f %% risk",
                          input->scorer,
                          input->scorer_version != NULL ? input->scorer_version : "",
                          round (input->probability * 100));

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "resourceType", "Flag");
  ward_fhir_add_string (builder, "id", id);

  json_builder_set_member_name (builder, "extension");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "url", WARD_FHIR_EXTENSION_FLAG_DETAIL);
  ward_fhir_add_reference (builder, "valueReference", "RiskAssessment", assessment_id);
  json_builder_end_object (builder);
  if (input->acknowledged_by != NULL && input->acknowledged_at != 0)
    {
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "url", WARD_FHIR_EXTENSION_FLAG_ACKNOWLEDGEMENT);
      json_builder_set_member_name (builder, "extension");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "url", "by");
      ward_fhir_add_string (builder, "valueString", input->acknowledged_by);
      json_builder_end_object (builder);
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "url", "at");
      ward_fhir_add_time (builder, "valueDateTime", input->acknowledged_at);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  ward_fhir_add_string (builder, "status", input->closed_at != 0 ? "inactive" : "active");

  json_builder_set_member_name (builder, "category");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "coding");
  json_builder_begin_array (builder);
  ward_fhir_add_coding (builder, WARD_FHIR_SYSTEM_FLAG_CATEGORY, "clinical", "Clinical");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "code");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "coding");
  json_builder_begin_array (builder);
  ward_fhir_add_coding (builder, WARD_FHIR_SYSTEM_FLAG_CODE, WARD_FHIR_CODE_MODEL_ALERT,
                        "Model alert");
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "system", WARD_FHIR_SYSTEM_SCORER);
  if (input->scorer_version != NULL)
    ward_fhir_add_string (builder, "version", input->scorer_version);
  ward_fhir_add_string (builder, "code", input->scorer);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  ward_fhir_add_string (builder, "text", text);
  json_builder_end_object (builder);

  ward_fhir_add_reference (builder, "subject", "Patient", subject);

  json_builder_set_member_name (builder, "period");
  json_builder_begin_object (builder);
  ward_fhir_add_time (builder, "start", input->opened_at);
  if (input->closed_at != 0)
    ward_fhir_add_time (builder, "end", input->closed_at);
  json_builder_end_object (builder);

  ward_fhir_add_reference (builder, "author", "Device", input->device_id);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
