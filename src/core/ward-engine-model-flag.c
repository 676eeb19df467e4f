/* ward-engine-model-flag.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A model's own flag (issue #15), beside NEWS2's and never in its
 * place: an ACTIVE model whose card's flag_policy says may_flag opens a
 * flag of kind "model" when its probability stays at or above the
 * card's probability, on the same sustain rules as NEWS2's flag
 * (care/ward-model-flag.c), and closes it once the probability has
 * stayed below the hysteresis bound for the close delay.  Each model's
 * flag has its own state per patient (WardPatient.model_flags); NEWS2's
 * flag (WardPatient.flag_*, ward-engine-flag.c) is never read or
 * changed here.  Synchronous and clock-free, as every stage.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"
#include "ward-fhir-model-flag.h"
#include "ward-model-scorer.h"
#include "ward-news2-scorer.h"
#include "ward-store-model-flag.h"

#include <math.h>
#include <string.h>

gboolean
ward_engine_set_model_flag_policy (WardEngine  *self,
                                   const char  *kind,
                                   gboolean     may_flag,
                                   double       probability,
                                   double       hysteresis,
                                   GError     **error)
{
  WardRegisteredScorer *r;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  r = (WardRegisteredScorer *) _ward_engine_find_scorer (self, kind);
  if (r == NULL || g_str_equal (kind, WARD_NEWS2_SCORER_KIND))
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "No model scorer of kind %s to give a flag policy", kind);
      return FALSE;
    }
  if (may_flag && !(probability > 0 && probability < 1 &&
                    hysteresis >= 0 && hysteresis < probability))
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "A model flag needs a probability between 0 and 1 and a hysteresis "
                   "from 0 up to it (%s: %g, %g)", kind, probability, hysteresis);
      return FALSE;
    }

  r->flag_policy.may_flag = may_flag;
  r->flag_policy.probability = may_flag ? probability : 0;
  r->flag_policy.hysteresis = may_flag ? hysteresis : 0;
  return TRUE;
}

/* As for NEWS2's flag: only windows with monitor data drive it, so a
 * silent monitor neither opens nor closes it (the technical alert says
 * the data stopped).
 */
static gboolean
score_has_monitor_data (const WardWindowScore *score)
{
  return score->result.points[WARD_NEWS2_RR] >= 0 ||
         score->result.points[WARD_NEWS2_SPO2] >= 0 ||
         score->result.points[WARD_NEWS2_HR] >= 0;
}

static WardModelFlagState *
find_state (WardPatient *p,
            const char  *kind)
{
  for (guint i = 0; i < p->model_flags->len; i++)
    {
      WardModelFlagState *s = &g_array_index (p->model_flags, WardModelFlagState, i);

      if (g_str_equal (s->kind, kind))
        return s;
    }

  return NULL;
}

static WardModelFlagState *
ensure_state (WardPatient *p,
              const char  *kind)
{
  WardModelFlagState *s = find_state (p, kind);
  WardModelFlagState fresh = { 0 };

  if (s != NULL)
    return s;

  fresh.kind = g_strdup (kind);
  fresh.latest = NAN;
  g_array_append_val (p->model_flags, fresh);
  return &g_array_index (p->model_flags, WardModelFlagState, p->model_flags->len - 1);
}

static const WardScore *
find_score (WardPatient *p,
            const char  *kind)
{
  for (guint i = 0; p->scores != NULL && i < p->scores->len; i++)
    {
      const WardScore *score = &g_array_index (p->scores, WardScore, i);

      if (g_strcmp0 (score->kind, kind) == 0)
        return score;
    }

  return NULL;
}

static gboolean
put_model_flag (WardEngine          *self,
                WardPatient         *p,
                WardModelFlagState  *s,
                gint64               closed_at,
                gint64               now,
                GError             **error)
{
  g_autoptr(JsonNode) flag = NULL;
  g_autoptr(GError) local_error = NULL;
  WardFhirModelFlagInput input = {
    .patient_id = p->patient_id,
    .subject_id = _ward_engine_patient_fhir_id (self, p),
    .device_id = self->fhir_device_id,
    .scorer = s->kind,
    .scorer_version = s->version,
    .probability = s->probability,
    .opened_at = s->opened_at,
    .closed_at = closed_at,
    .assessment_window_end = p->score.window_end,
    .acknowledged_by = s->ack_by,
    .acknowledged_at = s->ack_by != NULL ? s->ack_at : 0,
  };

  if (!(flag = ward_fhir_model_flag (&input, &local_error)))
    {
      _ward_engine_report_unbuilt ("Flag", local_error);
      return TRUE;
    }

  return _ward_engine_put_resource (self, "Flag", flag, NULL, now, error);
}

static gboolean
close_model_flag (WardEngine          *self,
                  WardPatient         *p,
                  WardModelFlagState  *s,
                  const char          *reason,
                  gint64               now,
                  GError             **error)
{
  g_autofree char *detail = NULL;
  gint64 flag_id = s->flag_id;

  memset (&s->tracker, 0, sizeof s->tracker);
  if (flag_id == 0)
    return TRUE;

  if (!ward_store_close_flag (self->store, flag_id, now, error) ||
      !put_model_flag (self, p, s, now, now, error))
    return FALSE;

  s->flag_id = 0;
  s->opened_at = 0;
  g_clear_pointer (&s->version, g_free);
  g_clear_pointer (&s->ack_by, g_free);
  s->ack_at = 0;
  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"scorer\":\"%s\"%s%s%s}",
                            flag_id, s->kind, reason != NULL ? ",\"reason\":\"" : "",
                            reason != NULL ? reason : "", reason != NULL ? "\"" : "");
  return _ward_engine_record_event (self, now, SYSTEM_ACTOR, "model-flag-closed", p->patient_id,
                                    detail, error);
}

static gboolean
open_model_flag (WardEngine                 *self,
                 WardPatient                *p,
                 WardModelFlagState         *s,
                 const WardScore            *score,
                 const WardModelFlagPolicy  *policy,
                 gint64                      now,
                 GError                    **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *reason = NULL;
  char probability[G_ASCII_DTOSTR_BUF_SIZE];
  char threshold[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (probability, sizeof probability, "%.4f", score->probability);
  g_ascii_formatd (threshold, sizeof threshold, "%.4f", policy->probability);
  reason = g_strdup_printf ("%s %s: probability %s at or above %s", s->kind,
                            score->version != NULL ? score->version : "?", probability, threshold);
  s->flag_id = ward_store_open_model_flag (self->store, p->patient_id, s->kind, score->version,
                                           score->probability, score->window_end, now, reason,
                                           error);
  if (s->flag_id == 0)
    return FALSE;

  s->opened_at = now;
  g_free (s->version);
  s->version = g_strdup (score->version);
  s->probability = score->probability;
  g_clear_pointer (&s->ack_by, g_free);
  s->ack_at = 0;
  self->counters.model_flags_raised++;
  if (!put_model_flag (self, p, s, 0, now, error))
    return FALSE;

  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"scorer\":\"%s\",\"version\":\"%s\","
                            "\"probability\":%s,\"threshold\":%s}", s->flag_id, s->kind,
                            s->version != NULL ? s->version : "", probability, threshold);
  return _ward_engine_record_event (self, now, SYSTEM_ACTOR, "model-flag-raised", p->patient_id,
                                    detail, error);
}

static gboolean
flags_for (const WardRegisteredScorer *r)
{
  return r != NULL && r->mode == WARD_SCORER_MODE_ACTIVE && r->flag_policy.may_flag;
}

gboolean
_ward_engine_run_model_flag_rules (WardEngine   *self,
                                   WardPatient  *p,
                                   gint64        now,
                                   GError      **error)
{
  gboolean applies;

  /* A flag whose model no longer flags (shadow now, or its card says
   * no, or it is no longer loaded after a restart) closes: no rule
   * could ever close it otherwise.
   */
  for (guint i = 0; i < p->model_flags->len; i++)
    {
      WardModelFlagState *s = &g_array_index (p->model_flags, WardModelFlagState, i);

      if (s->tracker.state != WARD_FLAG_STATE_NONE &&
          !flags_for (_ward_engine_find_scorer (self, s->kind)) &&
          !close_model_flag (self, p, s, "model-not-flagging", now, error))
        return FALSE;
    }

  if (!p->has_score || !score_has_monitor_data (&p->score))
    return TRUE;

  applies = ward_news2_applies_to_age (ward_patient_age_at (p, p->score.window_end));

  for (guint i = 0; i < self->scorers->len; i++)
    {
      const WardRegisteredScorer *r = g_ptr_array_index (self->scorers, i);
      const char *kind = ward_scorer_get_kind (r->scorer);
      const WardScore *score;
      WardModelFlagState *s;
      WardFlagAction action;

      if (!flags_for (r))
        continue;

      score = find_score (p, kind);
      s = ensure_state (p, kind);

      /* Under 16 the model's score is not applicable, as NEWS2's: no
       * flag, and one raised before the age was known closes.
       */
      if (!applies || (score != NULL && score->not_applicable))
        {
          if (!close_model_flag (self, p, s, "not-applicable", now, error))
            return FALSE;
          continue;
        }
      /* No score this time (the model failed): neither opens nor closes. */
      if (score == NULL || !score->has_probability)
        continue;

      s->latest = score->probability;
      action = ward_model_flag_update (&s->tracker, &self->config.flags, &r->flag_policy,
                                       score->probability, now);
      if (action == WARD_FLAG_ACTION_OPEN)
        {
          if (!open_model_flag (self, p, s, score, &r->flag_policy, now, error))
            return FALSE;
        }
      else if (action == WARD_FLAG_ACTION_CLOSE)
        {
          /* The tracker is already back at NONE; close the row. */
          if (!close_model_flag (self, p, s, NULL, now, error))
            return FALSE;
        }
    }

  return TRUE;
}

gboolean
_ward_engine_restore_model_flags (WardEngine   *self,
                                  WardPatient  *p,
                                  GError      **error)
{
  g_autoptr(GArray) open = NULL;

  if (!(open = ward_store_list_open_model_flags (self->store, p->patient_id, error)))
    return FALSE;

  for (guint i = 0; i < open->len; i++)
    {
      const WardStoreModelFlag *f = &g_array_index (open, WardStoreModelFlag, i);
      WardModelFlagState *s = ensure_state (p, f->scorer);

      /* The rules continue it; one whose model no longer flags is
       * closed at the first evaluation.
       */
      memset (&s->tracker, 0, sizeof s->tracker);
      s->tracker.state = WARD_FLAG_STATE_OPEN;
      s->tracker.open_band = WARD_BAND_MEDIUM;
      s->flag_id = f->id;
      s->opened_at = f->opened_at;
      s->probability = f->probability;
      g_free (s->version);
      s->version = g_strdup (f->scorer_version);
      g_free (s->ack_by);
      s->ack_by = g_strdup (f->acknowledged_by);
      s->ack_at = f->acknowledged_at;
    }

  return TRUE;
}

gboolean
_ward_engine_model_flag_acknowledged (WardEngine  *self,
                                      WardPatient *p,
                                      gint64       flag_id,
                                      const char  *user,
                                      gint64       at)
{
  for (guint i = 0; p != NULL && i < p->model_flags->len; i++)
    {
      WardModelFlagState *s = &g_array_index (p->model_flags, WardModelFlagState, i);

      if (s->flag_id == flag_id && flag_id != 0)
        {
          g_free (s->ack_by);
          s->ack_by = g_strdup (user);
          s->ack_at = at;
          return TRUE;
        }
    }

  return FALSE;
}

GArray *
_ward_engine_model_flag_views (WardEngine  *self,
                               WardPatient *p)
{
  GArray *views = g_array_new (FALSE, TRUE, sizeof (WardModelFlagView));

  g_array_set_clear_func (views, (GDestroyNotify) ward_model_flag_view_clear);
  for (guint i = 0; i < p->model_flags->len; i++)
    {
      const WardModelFlagState *s = &g_array_index (p->model_flags, WardModelFlagState, i);
      WardModelFlagView view = { 0 };
      gint64 at = 0;

      if (s->tracker.state == WARD_FLAG_STATE_NONE ||
          !flags_for (_ward_engine_find_scorer (self, s->kind)))
        continue;

      ward_flag_tracker_get_pending (&s->tracker, &self->config.flags, NULL, &at);
      view.kind = g_strdup (s->kind);
      view.version = g_strdup (s->version);
      view.state = s->tracker.state;
      view.flag_id = s->flag_id;
      view.opened_at = s->opened_at;
      view.latest = s->latest;
      view.probability = s->flag_id != 0 ? s->probability : s->latest;
      view.pending_at = at;
      view.acknowledged_by = g_strdup (s->ack_by);
      view.acknowledged_at = s->ack_at;
      g_array_append_val (views, view);
    }

  return views;
}

static WardModelFlagState *
find_open (WardPatient *p,
           gint64       flag_id)
{
  for (guint i = 0; p != NULL && flag_id != 0 && i < p->model_flags->len; i++)
    {
      WardModelFlagState *s = &g_array_index (p->model_flags, WardModelFlagState, i);

      if (s->flag_id == flag_id)
        return s;
    }

  return NULL;
}

gboolean
_ward_engine_put_model_flag_of (WardEngine   *self,
                                WardPatient  *p,
                                gint64        flag_id,
                                gint64        now,
                                GError      **error)
{
  WardModelFlagState *s = find_open (p, flag_id);

  return s == NULL || put_model_flag (self, p, s, 0, now, error);
}

gboolean
_ward_engine_close_model_flag_held (WardEngine   *self,
                                    WardPatient  *p,
                                    gint64        flag_id,
                                    gint64        at,
                                    gboolean     *found,
                                    GError      **error)
{
  WardModelFlagState *s = find_open (p, flag_id);

  *found = s != NULL;
  if (s == NULL)
    return TRUE;
  if (!close_model_flag (self, p, s, "closed-at-another-station", at, error))
    return FALSE;
  /* A model flag has one level: held at it until the probability falls
   * below the card's threshold.
   */
  ward_flag_tracker_hold (&s->tracker, WARD_BAND_MEDIUM);
  return TRUE;
}
