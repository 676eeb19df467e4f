/* ward-engine-snapshot.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The snapshot: the ward model and the scores as the UI sees them.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

/* The snapshot's nurse values that still count, the score's inputs, the
 * next observations due and the flag's pending change.
 */
static void
fill_nurse_and_due (WardEngine   *self,
                    WardPatient  *p,
                    gint64        now,
                    WardBedState *bed)
{
  for (guint kind = 0; kind < WARD_MEAS_N_KINDS; kind++)
    {
      const WardLatestValue *v = &p->nurse_latest[kind];

      if (v->valid && v->observed_at <= now &&
          now - v->observed_at < ward_window_kind_validity (&self->config.window, kind, v->source))
        bed->nurse_latest[kind] = *v;
    }
  for (guint k = 0; k < WARD_NEWS2_N_PARAMS && p->has_score; k++)
    {
      if (p->score.result.points[k] >= 0)
        bed->score_inputs[k] = p->score.used[k];
    }

  if (p->has_score && ward_news2_applies_to_age (ward_patient_age_at (p, p->score.window_end)))
    ward_obs_due (&self->config.obs, p->score.result.total, p->score.result.band,
                  p->last_full_set_at, p->first_scored_at, &bed->obs_due_at, &bed->obs_continuous);

  if (!ward_flag_tracker_get_pending (&p->tracker, &self->config.flags, &bed->flag_pending_band,
                                      &bed->flag_pending_at))
    bed->flag_pending_at = 0;
}

/* Copies of the window's scores of the ACTIVE scorers, in their order. */
static GArray *
active_scores (WardEngine  *self,
               WardPatient *p)
{
  GArray *scores = g_array_new (FALSE, TRUE, sizeof (WardScore));

  g_array_set_clear_func (scores, (GDestroyNotify) ward_score_clear);
  for (guint i = 0; p->has_score && i < p->scores->len; i++)
    {
      const WardScore *score = &g_array_index (p->scores, WardScore, i);
      const WardRegisteredScorer *r = _ward_engine_find_scorer (self, score->kind);
      WardScore copy;

      if (r == NULL || r->mode != WARD_SCORER_MODE_ACTIVE)
        continue;
      ward_score_copy (score, &copy);
      g_array_append_val (scores, copy);
    }

  return scores;
}

WardSnapshot *
ward_engine_snapshot (WardEngine *self,
                      gint64      now)
{
  g_autoptr(GArray) beds = NULL;
  gint64 window_end;

  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  ward_window_bounds (&self->config.window, now, NULL, &window_end);
  beds = g_array_sized_new (FALSE, TRUE, sizeof (WardBedState), self->model.patients->len);
  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  for (guint i = 0; i < self->model.patients->len; i++)
    {
      WardPatient *p = g_ptr_array_index (self->model.patients, i);
      WardDevice *d = ward_ward_model_lookup_device (&self->model, p->device_id);
      WardBedState bed = { 0 };
      int age = ward_patient_age_at (p, window_end);

      bed.bed_id = g_strdup (p->bed_id);
      bed.bed_label = g_strdup (p->bed_label);
      bed.patient_id = g_strdup (p->patient_id);
      bed.patient_name = g_strdup (p->name);
      bed.patient_initials = g_strdup (p->initials);
      bed.device_id = g_strdup (p->device_id);
      bed.spo2_scale = p->spo2_scale;
      bed.age = age;
      bed.news2_not_applicable = !ward_news2_applies_to_age (age);
      bed.hospital_number = g_strdup (p->hospital_number);
      bed.nhs_number = g_strdup (p->nhs_number);
      bed.birth_date = g_strdup (p->birth_date);
      memcpy (bed.latest, p->latest, sizeof bed.latest);
      fill_nurse_and_due (self, p, now, &bed);

      bed.scores = active_scores (self, p);
      bed.model_flags = _ward_engine_model_flag_views (self, p);
      bed.has_score = p->has_score;
      for (guint k = 0; k < WARD_NEWS2_N_PARAMS; k++)
        bed.score_points[k] = -1;
      if (p->has_score)
        {
          bed.score_total = p->score.result.total;
          bed.score_band = p->score.result.band;
          bed.score_complete = p->score.result.complete;
          bed.score_final = p->score_final;
          memcpy (bed.score_points, p->score.result.points, sizeof bed.score_points);
          bed.score_window_start = p->score.window_start;
          bed.score_window_end = p->score.window_end;
        }

      bed.flag_state = p->tracker.state;
      bed.flag_id = p->flag_id;
      bed.flag_band = p->tracker.open_band;
      bed.flag_opened_at = p->flag_opened_at;
      bed.flag_acknowledged_by = g_strdup (p->flag_ack_by);
      bed.flag_acknowledged_at = p->flag_ack_at;
      bed.flag_escalated_at = p->flag_escalated_at;
      if (p->has_score)
        ward_trend_history_fit (&p->trend, now, &bed.trend);

      if (d != NULL && d->alert_id != 0)
        {
          bed.technical_alert = TRUE;
          bed.technical_alert_since = d->alert_since;
          bed.technical_alert_id = d->alert_id;
          bed.technical_alert_acknowledged_by = g_strdup (d->alert_ack_by);
        }

      g_array_append_val (beds, bed);
    }

  return _ward_snapshot_new (now, ++self->serial, beds, &self->counters);
}
