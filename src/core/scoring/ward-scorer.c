/* ward-scorer.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-scorer"

#include "config.h"

#include "ward-scorer.h"

#include <string.h>

G_DEFINE_INTERFACE (WardScorer, ward_scorer, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-scorer-error-quark, ward_scorer_error)

static void
ward_scorer_default_init (WardScorerInterface *iface)
{
}

const char *
ward_scorer_get_kind (WardScorer *self)
{
  g_return_val_if_fail (WARD_IS_SCORER (self), NULL);

  return WARD_SCORER_GET_IFACE (self)->get_kind (self);
}

const char *
ward_scorer_get_label (WardScorer *self)
{
  WardScorerInterface *iface;

  g_return_val_if_fail (WARD_IS_SCORER (self), NULL);

  iface = WARD_SCORER_GET_IFACE (self);
  return iface->get_label ? iface->get_label (self) : iface->get_kind (self);
}

const char *
ward_scorer_get_version (WardScorer *self)
{
  WardScorerInterface *iface;

  g_return_val_if_fail (WARD_IS_SCORER (self), NULL);

  iface = WARD_SCORER_GET_IFACE (self);
  return iface->get_version ? iface->get_version (self) : "1";
}

gboolean
ward_scorer_score (WardScorer             *self,
                   const WardScorerInput  *input,
                   WardScore              *out,
                   GError                **error)
{
  g_return_val_if_fail (WARD_IS_SCORER (self), FALSE);
  g_return_val_if_fail (input != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!WARD_SCORER_GET_IFACE (self)->score (self, input, out, error))
    {
      ward_score_clear (out);
      return FALSE;
    }

  /* A score without kind is no score; one with a kind other than the
   * scorer's would be stored and shown as another scorer's.
   */
  if (out->kind == NULL)
    {
      ward_score_clear (out);
      return TRUE;
    }
  if (g_strcmp0 (out->kind, ward_scorer_get_kind (self)) != 0)
    {
      g_set_error (error, WARD_SCORER_ERROR, WARD_SCORER_ERROR_FAILED,
                   "Scorer %s returned a score of kind %s", ward_scorer_get_kind (self), out->kind);
      ward_score_clear (out);
      return FALSE;
    }
  if (out->has_probability && !(out->probability >= 0.0 && out->probability <= 1.0))
    {
      g_set_error (error, WARD_SCORER_ERROR, WARD_SCORER_ERROR_FAILED,
                   "Scorer %s returned a probability of %g, outside 0 to 1",
                   out->kind, out->probability);
      ward_score_clear (out);
      return FALSE;
    }

  if (out->label == NULL)
    out->label = g_strdup (ward_scorer_get_label (self));
  if (out->version == NULL)
    out->version = g_strdup (ward_scorer_get_version (self));
  if (out->window_end == 0)
    {
      out->window_start = input->window_start;
      out->window_end = input->window_end;
    }
  out->final = out->final || input->final;

  return TRUE;
}

const char *
ward_scorer_mode_to_string (WardScorerMode mode)
{
  switch (mode)
    {
    case WARD_SCORER_MODE_ACTIVE:
      return "active";
    case WARD_SCORER_MODE_SHADOW:
      return "shadow";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
ward_scorer_input_get_history (const WardScorerInput *input,
                               WardMeasKind           kind,
                               gint64                 from,
                               gint64                 to,
                               GArray                *points,
                               GError               **error)
{
  g_return_val_if_fail (input != NULL && points != NULL, FALSE);
  g_return_val_if_fail ((guint) kind < WARD_MEAS_N_KINDS, FALSE);

  if (input->history == NULL)
    {
      g_set_error_literal (error, WARD_SCORER_ERROR, WARD_SCORER_ERROR_HISTORY,
                           "No measurement history is available to this scorer");
      return FALSE;
    }
  if (from > to)
    {
      g_set_error (error, WARD_SCORER_ERROR, WARD_SCORER_ERROR_HISTORY,
                   "History span starts after it ends (%" G_GINT64_FORMAT " > %" G_GINT64_FORMAT ")",
                   from, to);
      return FALSE;
    }

  return input->history (input->history_data, input->patient_id, kind, from, to, points, error);
}

const WardScore *
ward_scorer_input_get_earlier (const WardScorerInput *input,
                               const char            *kind)
{
  g_return_val_if_fail (input != NULL && kind != NULL, NULL);

  for (guint i = 0; input->earlier != NULL && i < input->earlier->len; i++)
    {
      const WardScore *s = &g_array_index (input->earlier, WardScore, i);

      if (g_strcmp0 (s->kind, kind) == 0)
        return s;
    }

  return NULL;
}

GArray *
ward_scorer_points_new (void)
{
  return g_array_new (FALSE, TRUE, sizeof (WardScorerPoint));
}
