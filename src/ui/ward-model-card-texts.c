/* ward-model-card-texts.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-model-card-texts.h"

#include <glib/gi18n.h>

const char * const _ward_model_card_texts[] = {
  /* data/models/demo-deterioration.card.json */
  /* Translators: the demo model's outcome, "outcome.text" of its card */
  N_("NEWS2 total reaches 7 or more (the high band) within 240 minutes"),
  /* Translators: the demo model card's intended use */
  N_("Demonstrates Wardwatch's model runtime, model cards and explanations on the simulated "
     "ward. Not for clinical use: it has never been validated on patients and must not inform "
     "any care decision."),
  /* Translators: the demo card's training data; keep numbers, checksum, program names */
  N_("965 rows of 48 simulated patients from the Wardwatch simulator (feature table sha256 "
     "c674d8c50e7991fb7cfc89a72334739be5b0de4d94c23b41f7135471809efc15, seed 1). Rows without "
     "240 minutes of follow-up and rows already at NEWS2 7 or more are left out. Trained by "
     "tools/train-demo-model.py with xgboost 1.7.4, scikit-learn 1.2.1, numpy 1.24.2: "
     "binary:logistic, exact trees, depth 3, eta 0.1, 100 rounds."),
  /* Translators: the demo model card's notice, shown beside its score */
  N_("Trained on simulated data from the Wardwatch simulator. Not for clinical use."),
  NULL
};

char *
_ward_model_card_text_translate (const char *text)
{
  if (text == NULL)
    return NULL;

  /* gettext ("") is the catalogue's header. */
  if (text[0] == '\0')
    return g_strdup (text);

  return g_strdup (g_dgettext (GETTEXT_PACKAGE, text));
}
