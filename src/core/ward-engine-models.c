/* ward-engine-models.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Models on the box: a model card named in the configuration becomes a
 * scorer, or a refusal the ward can see (a data issue and a counter the
 * window shows quietly), never a failed start.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include "ward-model-scorer.h"

gboolean
ward_engine_load_model (WardEngine      *self,
                        const char      *card_path,
                        WardScorerMode   mode,
                        gint64           now,
                        gboolean        *loaded,
                        GError         **error)
{
  g_autoptr(WardModel) model = NULL;
  g_autoptr(WardScorer) scorer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (card_path != NULL, FALSE);

  if (loaded != NULL)
    *loaded = FALSE;

  model = ward_model_load (card_path, &local_error);
  if (model != NULL && ward_model_scorer_check_features (model, &local_error))
    {
      const WardModelCard *card = ward_model_get_card (model);

      scorer = ward_model_scorer_new (model);
      /* The card decides whether the model may raise a flag of its own;
       * the engine raises it only while the model is ACTIVE.
       */
      if (ward_engine_add_scorer (self, scorer, mode, &local_error) &&
          (!card->may_flag ||
           ward_engine_set_model_flag_policy (self, ward_scorer_get_kind (scorer), TRUE,
                                              card->flag_probability,
                                              card->flag_hysteresis >= 0
                                                ? card->flag_hysteresis
                                                : MIN (WARD_MODEL_FLAG_DEFAULT_HYSTERESIS,
                                                       card->flag_probability / 2),
                                              &local_error)))
        {
          g_message ("Model %s %s runs in %s mode (%s)", ward_model_get_card (model)->name,
                     ward_model_get_card (model)->version, ward_scorer_mode_to_string (mode),
                     card_path);
          if (loaded != NULL)
            *loaded = TRUE;
          return TRUE;
        }
    }

  /* The reason names files and fields, never a patient: it may be
   * logged.  Loading happens once per start, so this is logged once.
   */
  reason = g_strdup_printf ("Model %s refused (%s): %s", card_path,
                            local_error->domain == WARD_MODEL_ERROR
                              ? ward_model_error_to_string (local_error->code) : "invalid",
                            local_error->message);
  g_warning ("%s; the other scores go on", reason);
  self->counters.models_refused++;

  return _ward_engine_dead_letter (self, 0, "model", reason, now, error);
}
