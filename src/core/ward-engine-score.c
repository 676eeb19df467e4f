/* ward-engine-score.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The score stage: the patient's window, then each registered scorer
 * over it, in order (NEWS2 first); each score stored by kind, and the
 * FHIR resources of the shown ones written.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include "ward-news2-scorer.h"
#include "ward-store-scores.h"

#include <string.h>

void
_ward_engine_registered_scorer_free (gpointer data)
{
  WardRegisteredScorer *r = data;

  g_clear_object (&r->scorer);
  g_free (r);
}

const WardRegisteredScorer *
_ward_engine_find_scorer (WardEngine *self,
                          const char *kind)
{
  for (guint i = 0; i < self->scorers->len; i++)
    {
      const WardRegisteredScorer *r = g_ptr_array_index (self->scorers, i);

      if (g_strcmp0 (ward_scorer_get_kind (r->scorer), kind) == 0)
        return r;
    }

  return NULL;
}

gboolean
ward_engine_add_scorer (WardEngine      *self,
                        WardScorer      *scorer,
                        WardScorerMode   mode,
                        GError         **error)
{
  WardRegisteredScorer *r;
  const char *kind;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (WARD_IS_SCORER (scorer), FALSE);
  g_return_val_if_fail (mode == WARD_SCORER_MODE_ACTIVE || mode == WARD_SCORER_MODE_SHADOW, FALSE);

  kind = ward_scorer_get_kind (scorer);
  if (kind == NULL || *kind == '\0' || strlen (kind) > 64 || !g_str_is_ascii (kind))
    {
      g_set_error_literal (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                           "A scorer needs a kind of 1 to 64 ASCII characters");
      return FALSE;
    }
  if (_ward_engine_find_scorer (self, kind) != NULL)
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "A scorer of kind %s is already registered", kind);
      return FALSE;
    }

  r = g_new0 (WardRegisteredScorer, 1);
  r->scorer = g_object_ref (scorer);
  r->mode = mode;
  g_ptr_array_add (self->scorers, r);
  return TRUE;
}

void
_ward_engine_add_news2_scorer (WardEngine *self)
{
  g_autoptr(WardScorer) news2 = ward_news2_scorer_new ();

  ward_engine_add_scorer (self, news2, WARD_SCORER_MODE_ACTIVE, NULL);
}

/* The scorers' history: measurements from the store, read in the batch's
 * transaction, so they include what the batch stored.
 */
static gboolean
history_cb (gpointer      user_data,
            const char   *patient_id,
            WardMeasKind  kind,
            gint64        from,
            gint64        to,
            GArray       *points,
            GError      **error)
{
  WardEngine *self = user_data;

  return ward_store_get_measurement_points (self->store, patient_id, kind, from, to, points, error);
}

/* NEWS2's resources of the window: its Observation and RiskAssessment. */
static gboolean
write_news2 (WardEngine               *self,
             const WardFhirScoreInput *input,
             gint64                    now,
             GError                  **error)
{
  g_autoptr(JsonNode) observation = NULL;
  g_autoptr(JsonNode) assessment = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!(observation = ward_fhir_news2_observation (input, &local_error)))
    _ward_engine_report_unbuilt ("NEWS2 Observation", local_error);
  else if (!_ward_engine_put_resource (self, "Observation", observation, NULL, now, error))
    return FALSE;

  g_clear_error (&local_error);
  if (!(assessment = ward_fhir_risk_assessment (input, &local_error)))
    _ward_engine_report_unbuilt ("RiskAssessment", local_error);
  else if (!_ward_engine_put_resource (self, "RiskAssessment", assessment, NULL, now, error))
    return FALSE;

  return TRUE;
}

/* Another scorer's RiskAssessment of the window. */
static gboolean
write_assessment (WardEngine               *self,
                  const WardFhirScoreInput *input,
                  const WardScore          *score,
                  gint64                    now,
                  GError                  **error)
{
  g_autoptr(JsonNode) assessment = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!(assessment = ward_fhir_scorer_risk_assessment (input, score, &local_error)))
    {
      _ward_engine_report_unbuilt ("RiskAssessment", local_error);
      return TRUE;
    }

  return _ward_engine_put_resource (self, "RiskAssessment", assessment, NULL, now, error);
}

static GArray *
scores_new (guint reserved)
{
  GArray *scores = g_array_sized_new (FALSE, TRUE, sizeof (WardScore), reserved);

  g_array_set_clear_func (scores, (GDestroyNotify) ward_score_clear);
  return scores;
}

gboolean
_ward_engine_score_patient (WardEngine   *self,
                            WardPatient  *p,
                            gint64        now,
                            GError      **error)
{
  g_autoptr(GArray) scores = NULL;
  g_autoptr(GPtrArray) derived_from = NULL;
  WardWindowScore score;
  WardFhirScoreInput fhir_input;
  WardScorerInput input = { 0 };
  gboolean any = FALSE;
  gboolean final;
  gint64 news2_id = 0;
  int age;

  ward_window_score_full (&self->config.window, p->latest, p->nurse_latest, p->spo2_scale, now,
                          &score);
  p->rescore_at = score.expires_at;

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    any |= score.result.points[i] >= 0;

  /* A new array rather than a change in place: the batch's checkpoint
   * holds the old one.
   */
  if (!any)
    {
      p->has_score = FALSE;
      g_array_unref (p->scores);
      p->scores = scores_new (0);
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
  age = ward_patient_age_at (p, score.window_end);

  /* The window's FHIR resources, under ids made from (patient,
   * window_end) like the score row: a re-scored window updates them.
   * derivedFrom names the vital-signs Observations of the device values
   * that went into the score (when they are written).
   */
  ward_fhir_score_input_from_window (&score, p->patient_id, now, final, &fhir_input);
  /* The ids of the resources stay keyed by the patient id; their
   * subject is the patient's FHIR id, as in the vital signs.
   */
  fhir_input.subject_id = _ward_engine_patient_fhir_id (self, p);
  fhir_input.device_id = self->fhir_device_id;
  if (!_ward_engine_ensure_fhir_patient (self, p, now, error))
    return FALSE;
  fhir_input.news2_not_applicable = !ward_news2_applies_to_age (age);
  derived_from = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    {
      const char *type = ward_fhir_news2_param_vitals_type (i);
      char *reference;

      if (type == NULL || !fhir_input.params[i].present ||
          fhir_input.params[i].source != WARD_SOURCE_DEVICE)
        continue;
      reference = _ward_engine_find_vitals (self, p->patient_id, type,
                                            fhir_input.params[i].observed_at);
      if (reference != NULL &&
          !g_ptr_array_find_with_equal_func (derived_from, reference, g_str_equal, NULL))
        g_ptr_array_add (derived_from, reference);
      else
        g_free (reference);
    }
  g_ptr_array_add (derived_from, NULL);
  fhir_input.derived_from = derived_from->len > 1 ? (const char * const *) derived_from->pdata
                                                  : NULL;

  /* Room for every scorer's score: the array never moves while the
   * scorers run, so input.news2 stays valid.
   */
  scores = scores_new (self->scorers->len);
  input.patient_id = p->patient_id;
  input.window_start = score.window_start;
  input.window_end = score.window_end;
  input.now = now;
  input.window = &score;
  input.latest = p->latest;
  input.age = age;
  input.birth_date = p->birth_date;
  input.spo2_scale = p->spo2_scale;
  input.has_on_oxygen = score.used[WARD_NEWS2_AIR_OR_OXYGEN].valid;
  input.on_oxygen = input.has_on_oxygen && score.used[WARD_NEWS2_AIR_OR_OXYGEN].value != 0;
  input.final = final;
  input.earlier = scores;
  input.history = history_cb;
  input.history_data = self;

  for (guint i = 0; i < self->scorers->len; i++)
    {
      const WardRegisteredScorer *r = g_ptr_array_index (self->scorers, i);
      g_autoptr(GError) local_error = NULL;
      WardScore out = { 0 };
      WardStoreScoreRow row = { 0 };
      gboolean inserted = FALSE;
      gboolean is_news2;
      gint64 id;

      /* A scorer that fails scores nothing this time; the others, and
       * NEWS2's flag, go on.
       */
      if (!ward_scorer_score (r->scorer, &input, &out, &local_error))
        {
          g_warning ("Scorer %s failed for patient %s: %s", ward_scorer_get_kind (r->scorer),
                     p->patient_id, local_error->message);
          continue;
        }
      if (out.kind == NULL)
        continue;

      row.patient_id = p->patient_id;
      row.score = &out;
      row.computed_at = now;
      row.confirmed_by = p->confirmed_by;
      row.confirmed_at = p->confirmed_at;
      row.age = age;
      id = ward_store_upsert_kind_score (self->store, &row, &inserted, error);
      if (id == 0)
        {
          ward_score_clear (&out);
          return FALSE;
        }
      if (inserted)
        self->counters.scores++;

      is_news2 = g_str_equal (out.kind, WARD_NEWS2_SCORER_KIND);
      if (is_news2)
        news2_id = id;

      /* A shadow score is the ward's own business: stored, not sent. */
      if (is_news2 ? !write_news2 (self, &fhir_input, now, error)
          : r->mode == WARD_SCORER_MODE_ACTIVE &&
            !write_assessment (self, &fhir_input, &out, now, error))
        {
          ward_score_clear (&out);
          return FALSE;
        }

      g_array_append_val (scores, out);
      if (is_news2)
        input.news2 = &g_array_index (scores, WardScore, scores->len - 1);
    }

  g_array_unref (p->scores);
  p->scores = g_steal_pointer (&scores);

  /* NEWS2's view of the window, which the flag rules, the observations
   * due and the trend read.
   */
  p->score = score;
  p->score_id = news2_id;
  p->score_final = final;
  p->has_score = TRUE;
  if (p->first_scored_at == 0)
    p->first_scored_at = now;
  p->last_full_set_at = MAX (p->last_full_set_at, ward_window_score_full_set_at (&score));
  ward_trend_history_add (&p->trend, score.window_end, score.result.total);
  return TRUE;
}
