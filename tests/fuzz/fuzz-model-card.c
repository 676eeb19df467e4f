/* fuzz-model-card.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ward-model-card.h"

/* A model card is written by whoever trained the model: any input is
 * read without a crash, and either refused with a card error or read
 * into a card that keeps the promises the runtime relies on.
 */

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(WardModelCard) card = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  card = ward_model_card_parse ((const char *) data, (gssize) size, "fuzz", &error);
  g_assert ((card != NULL) == (error == NULL));
  if (card == NULL)
    {
      g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CARD_INVALID);
      return 0;
    }

  g_assert (card->name != NULL && card->version != NULL && card->notice != NULL);
  g_assert (strchr (card->model_file, '/') == NULL);
  g_assert (g_str_has_suffix (card->model_file, ".json") || g_str_has_suffix (card->model_file, ".ubj"));
  g_assert (strlen (card->sha256) == 64);
  g_assert (card->n_features > 0 && g_strv_length (card->features) == card->n_features);
  for (guint i = 0; i < card->n_features; i++)
    {
      g_assert (card->features[i][0] != '\0');
      g_assert (g_hash_table_add (seen, card->features[i]));
    }
  g_assert (card->outcome_text != NULL);
  g_assert (card->horizon_minutes >= 1);
  g_assert (card->validation != NULL);
  g_assert (!card->may_flag || (card->flag_probability > 0 && card->flag_probability < 1));

  return 0;
}
