/* ward-engine-score.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The score stage: each registered scorer over the patient's window.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

gboolean
_ward_engine_score_patient (WardEngine   *self,
                            WardPatient  *p,
                            gint64        now,
                            GError      **error)
{
  g_autofree char *inputs = NULL;
  WardWindowScore score;
  WardScoreRecord record = { 0 };
  gboolean any = FALSE;
  gboolean inserted = FALSE;
  gboolean final;
  gboolean applicable;
  gint64 id;
  int age;

  ward_window_score_full (&self->config.window, p->latest, p->nurse_latest, p->spo2_scale, now,
                          &score);
  p->rescore_at = score.expires_at;

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    any |= score.result.points[i] >= 0;

  if (!any)
    {
      p->has_score = FALSE;
      return TRUE;
    }

  /* Final once a nurse has confirmed the inputs while this window was
   * the open one.  Windows overlap (each covers window_usec and a new
   * one opens every step_usec), so "while it was open" is the step that
   * ends the window; the next window is device data again, preliminary
   * until confirmed.
   */
  final = p->confirmed_at > score.window_end - self->config.window.step_usec &&
          p->confirmed_at <= score.window_end;

  /* Under 16 the score is computed and kept for the record, but NEWS2
   * is not validated for them: it claims no risk (and raises no flag).
   */
  age = ward_patient_age_at (p, score.window_end);
  applicable = ward_news2_applies_to_age (age);

  inputs = ward_window_score_to_json (&score);
  record.patient_id = p->patient_id;
  record.window_start = score.window_start;
  record.window_end = score.window_end;
  record.computed_at = now;
  record.total = score.result.total;
  record.band = score.result.band;
  record.complete = score.result.complete;
  record.final = final;
  record.confirmed_by = final ? p->confirmed_by : NULL;
  record.confirmed_at = final ? p->confirmed_at : 0;
  record.inputs_json = inputs;
  record.age_known = age >= 0;
  record.age = age;
  record.news2_not_applicable = !applicable;

  id = ward_store_upsert_score (self->store, &record, &inserted, error);
  if (id == 0)
    return FALSE;

  if (inserted)
    self->counters.scores++;

  /* The window's FHIR resources, under ids made from (patient,
   * window_end) like the score row: a re-scored window updates them.
   * derivedFrom names the vital-signs Observations of the device values
   * that went into the score (when they are written).
   */
  {
    g_autoptr(JsonNode) observation = NULL;
    g_autoptr(JsonNode) assessment = NULL;
    g_autoptr(GError) local_error = NULL;
    g_autoptr(GPtrArray) derived_from = g_ptr_array_new_with_free_func (g_free);
    WardFhirScoreInput input;

    ward_fhir_score_input_from_window (&score, p->patient_id, now, final, &input);
    /* The ids of the resources stay keyed by the patient id; their
     * subject is the patient's FHIR id, as in the vital signs.
     */
    input.subject_id = _ward_engine_patient_fhir_id (self, p);
    input.device_id = self->fhir_device_id;
    input.news2_not_applicable = !applicable;
    for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
      {
        const char *type = ward_fhir_news2_param_vitals_type (i);
        char *reference;

        if (type == NULL || !input.params[i].present ||
            input.params[i].source != WARD_SOURCE_DEVICE)
          continue;
        reference = _ward_engine_find_vitals (self, p->patient_id, type, input.params[i].observed_at);
        if (reference != NULL &&
            !g_ptr_array_find_with_equal_func (derived_from, reference, g_str_equal, NULL))
          g_ptr_array_add (derived_from, reference);
        else
          g_free (reference);
      }
    g_ptr_array_add (derived_from, NULL);
    input.derived_from = derived_from->len > 1 ? (const char * const *) derived_from->pdata : NULL;

    if (!(observation = ward_fhir_news2_observation (&input, &local_error)))
      _ward_engine_report_unbuilt ("NEWS2 Observation", local_error);
    else if (!_ward_engine_put_resource (self, "Observation", observation, NULL, now, error))
      return FALSE;

    g_clear_error (&local_error);
    if (!(assessment = ward_fhir_risk_assessment (&input, &local_error)))
      _ward_engine_report_unbuilt ("RiskAssessment", local_error);
    else if (!_ward_engine_put_resource (self, "RiskAssessment", assessment, NULL, now, error))
      return FALSE;
  }

  p->score = score;
  p->score_id = id;
  p->score_final = final;
  p->has_score = TRUE;
  if (p->first_scored_at == 0)
    p->first_scored_at = now;
  p->last_full_set_at = MAX (p->last_full_set_at, ward_window_score_full_set_at (&score));
  ward_trend_history_add (&p->trend, score.window_end, score.result.total);
  return TRUE;
}
