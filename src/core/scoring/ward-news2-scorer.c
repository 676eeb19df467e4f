/* ward-news2-scorer.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-news2"

#include "config.h"

#include "ward-news2-scorer.h"

#include "ward-news2.h"

struct _WardNews2Scorer
{
  GObject parent_instance;
};

static void ward_news2_scorer_iface_init (WardScorerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WardNews2Scorer, ward_news2_scorer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WARD_TYPE_SCORER, ward_news2_scorer_iface_init))

static const char *
ward_news2_scorer_get_kind (WardScorer *scorer)
{
  return WARD_NEWS2_SCORER_KIND;
}

static const char *
ward_news2_scorer_get_label (WardScorer *scorer)
{
  return "NEWS2";
}

static const char *
ward_news2_scorer_get_version (WardScorer *scorer)
{
  return WARD_NEWS2_SCORER_VERSION;
}

/* The window scoring (ward-score-window.c) already chose the values that
 * count and scored them, since which value counts depends on its points
 * (a device value may raise a nurse's, never lower it): the scorer
 * passes that result on as a WardScore.
 */
static gboolean
ward_news2_scorer_score (WardScorer             *scorer,
                         const WardScorerInput  *input,
                         WardScore              *out,
                         GError                **error)
{
  const WardWindowScore *window = input->window;
  gboolean any = FALSE;

  if (window == NULL)
    {
      g_set_error_literal (error, WARD_SCORER_ERROR, WARD_SCORER_ERROR_FAILED,
                           "NEWS2 needs the window's values");
      return FALSE;
    }

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    any |= window->result.points[i] >= 0;
  if (!any)
    return TRUE;

  ward_score_init (out);
  out->kind = g_strdup (WARD_NEWS2_SCORER_KIND);
  out->label = g_strdup ("NEWS2");
  out->version = g_strdup (WARD_NEWS2_SCORER_VERSION);
  out->window_start = window->window_start;
  out->window_end = window->window_end;
  out->value = window->result.total;
  out->has_total = TRUE;
  out->total = window->result.total;
  out->band = window->result.band;
  out->complete = window->result.complete;
  out->final = input->final;
  /* Under 16 the score is kept for the record; NEWS2 is not validated
   * for them (an unknown age is scored as an adult).
   */
  out->not_applicable = !ward_news2_applies_to_age (input->age);

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    {
      if (window->result.points[i] < 0)
        continue;
      ward_score_add_contribution (out, ward_news2_param_to_string (i), window->used[i].valid,
                                   window->used[i].value, window->result.points[i]);
    }

  out->detail_json = ward_window_score_to_json (window);

  return TRUE;
}

static void
ward_news2_scorer_iface_init (WardScorerInterface *iface)
{
  iface->get_kind = ward_news2_scorer_get_kind;
  iface->get_label = ward_news2_scorer_get_label;
  iface->get_version = ward_news2_scorer_get_version;
  iface->score = ward_news2_scorer_score;
}

static void
ward_news2_scorer_class_init (WardNews2ScorerClass *klass)
{
}

static void
ward_news2_scorer_init (WardNews2Scorer *self)
{
}

WardScorer *
ward_news2_scorer_new (void)
{
  return g_object_new (WARD_TYPE_NEWS2_SCORER, NULL);
}
