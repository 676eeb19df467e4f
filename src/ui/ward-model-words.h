/* ward-model-words.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

/* A model score's card, as the score carries it (its detail_json). */
typedef struct
{
  char     *name;
  char     *version;
  char     *outcome;
  gint64    horizon_minutes;
  gboolean  not_for_clinical_use;
  char     *notice;
  char     *intended_use;
  char     *training_data;
  char     *path;
} WardModelWordsCard;

/* The first model score of the bed's (active) scores, or NULL. */
const WardScore *_ward_model_words_find       (const WardBedState   *bed);
gboolean         _ward_model_words_card       (const WardScore      *score,
                                               WardModelWordsCard   *card);
void             _ward_model_words_card_clear (WardModelWordsCard   *card);
/* The tile's words: "Model 23 %", "Demo model 23 %" when the card says
 * not for clinical use.
 */
char            *_ward_model_words_tile       (const WardScore      *score);
/* "23 %" */
char            *_ward_model_words_percent    (double                probability);
/* The contributions in a line a clinician reads: "RR slope 4 h +0.12,
 * SpO2 min 30 min +0.08, …".
 */
char            *_ward_model_words_contributions (const WardScore   *score);
/* A model's own flag, in words that say it is the model's, never
 * NEWS2's: "Model alert: 34 % risk of deterioration within 12 h (demo
 * model)"; the probability is the one that raised it.
 */
char            *_ward_model_words_flag       (const WardBedState      *bed,
                                               const WardModelFlagView *flag);

G_END_DECLS
