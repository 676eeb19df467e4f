/* ward-model-words.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-model-words.h"

#include "ward-model-card-texts.h"

#include "ward-model-scorer.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

const WardScore *
_ward_model_words_find (const WardBedState *bed)
{
  for (guint i = 0; bed != NULL && bed->scores != NULL && i < bed->scores->len; i++)
    {
      const WardScore *score = &g_array_index (bed->scores, WardScore, i);

      if (score->kind != NULL && g_str_has_prefix (score->kind, WARD_MODEL_SCORER_KIND_PREFIX) &&
          score->has_probability && !score->not_applicable)
        return score;
    }

  return NULL;
}

static char *
dup_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

/* A card's text for the user: a shipped card's in their language. */
static char *
dup_text_member (JsonObject *object,
                 const char *name)
{
  g_autofree char *text = dup_member (object, name);

  return _ward_model_card_text_translate (text);
}

gboolean
_ward_model_words_card (const WardScore    *score,
                        WardModelWordsCard *card)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonObject *object;

  memset (card, 0, sizeof *card);
  if (score == NULL || score->detail_json == NULL ||
      !json_parser_load_from_data (parser, score->detail_json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "card") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "card")))
    return FALSE;
  object = json_object_get_object_member (root, "card");

  card->name = dup_member (object, "name");
  card->version = dup_member (object, "version");
  card->outcome = dup_text_member (object, "outcome");
  card->notice = dup_text_member (object, "notice");
  card->intended_use = dup_text_member (object, "intended_use");
  card->training_data = dup_text_member (object, "training_data");
  card->path = dup_member (object, "path");
  card->horizon_minutes = json_object_get_int_member_with_default (object, "horizon_minutes", 0);
  /* Unknown counts as not for clinical use: the careful reading. */
  card->not_for_clinical_use = json_object_get_boolean_member_with_default (object,
                                                                          "not_for_clinical_use",
                                                                          TRUE);
  return TRUE;
}

void
_ward_model_words_card_clear (WardModelWordsCard *card)
{
  g_clear_pointer (&card->name, g_free);
  g_clear_pointer (&card->version, g_free);
  g_clear_pointer (&card->outcome, g_free);
  g_clear_pointer (&card->notice, g_free);
  g_clear_pointer (&card->intended_use, g_free);
  g_clear_pointer (&card->training_data, g_free);
  g_clear_pointer (&card->path, g_free);
}

char *
_ward_model_words_percent (double probability)
{
  double percent = CLAMP (probability, 0.0, 1.0) * 100.0;

  /* Below 1 % a rounded "0 %" would claim no risk at all. */
  if (percent > 0 && percent < 1)
    /* Translators: a model's probability below one per cent */
    return g_strdup (_("< 1 %"));
  /* Translators: a model's probability in per cent, "23 %" */
  return g_strdup_printf (_("%.0f %%"), percent);
}

char *
_ward_model_words_tile (const WardScore *score)
{
  WardModelWordsCard card;
  g_autofree char *percent = NULL;
  gboolean demo;

  if (score == NULL)
    return NULL;
  demo = !_ward_model_words_card (score, &card) || card.not_for_clinical_use;
  _ward_model_words_card_clear (&card);
  percent = _ward_model_words_percent (score->probability);

  if (demo)
    /* Translators: on a bed tile, a model not for clinical use, "Demo model 23 %" */
    return g_strdup_printf (_("Demo model %s"), percent);
  /* Translators: on a bed tile, a model's probability, "Model 23 %" */
  return g_strdup_printf (_("Model %s"), percent);
}

char *
_ward_model_words_contributions (const WardScore *score)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; score != NULL && score->contributions != NULL && i < score->contributions->len; i++)
    {
      const WardScoreContribution *c = &g_array_index (score->contributions, WardScoreContribution, i);
      g_autofree char *label = ward_model_feature_label (c->name);

      if (out->len > 0)
        /* Translators: between two contributions of a model's explanation */
        g_string_append (out, _(", "));
      /* Translators: one feature's contribution, "RR slope 4 h +0.12" (log-odds) */
      g_string_append_printf (out, _("%s %+.2f"), label, c->contribution);
    }

  return g_string_free (out, FALSE);
}

static const WardScore *
find_kind (const WardBedState *bed,
           const char         *kind)
{
  for (guint i = 0; bed->scores != NULL && i < bed->scores->len; i++)
    {
      const WardScore *score = &g_array_index (bed->scores, WardScore, i);

      if (g_strcmp0 (score->kind, kind) == 0)
        return score;
    }

  return NULL;
}

char *
_ward_model_words_flag (const WardBedState      *bed,
                        const WardModelFlagView *flag)
{
  g_autofree char *percent = NULL;
  g_autofree char *within = NULL;
  g_autofree char *who = NULL;
  WardModelWordsCard card = { 0 };
  const WardScore *score;
  gboolean have_card;

  g_return_val_if_fail (bed != NULL && flag != NULL, NULL);

  score = find_kind (bed, flag->kind);
  have_card = score != NULL && _ward_model_words_card (score, &card);
  percent = _ward_model_words_percent (flag->probability);

  if (have_card && card.horizon_minutes > 0 && card.horizon_minutes % 60 == 0)
    /* Translators: a model's horizon in hours, "within 12 h" */
    within = g_strdup_printf (_("within %d h"), (int) (card.horizon_minutes / 60));
  else if (have_card && card.horizon_minutes > 0)
    /* Translators: a model's horizon in minutes, "within 90 min" */
    within = g_strdup_printf (_("within %d min"), (int) card.horizon_minutes);

  /* Unknown counts as not for clinical use: the careful reading. */
  if (!have_card || card.not_for_clinical_use)
    who = g_strdup (_("demo model"));
  else
    /* Translators: which model raised an alert, "model early-warning 2.1" */
    who = g_strdup_printf (_("model %s %s"), card.name != NULL ? card.name : flag->kind,
                           card.version != NULL ? card.version : "");
  _ward_model_words_card_clear (&card);

  if (within != NULL)
    /* Translators: a model's own alert, never NEWS2's: "Model alert: 34 % risk of
     * deterioration within 12 h (demo model)" */
    return g_strdup_printf (_("Model alert: %s risk of deterioration %s (%s)"), percent, within, who);
  /* Translators: a model's own alert without a horizon: "Model alert: 34 % risk of
   * deterioration (demo model)" */
  return g_strdup_printf (_("Model alert: %s risk of deterioration (%s)"), percent, who);
}
