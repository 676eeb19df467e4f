/* ward-model-card-texts.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The texts of the model cards Wardwatch ships (data/models/NAME.card.json)
 * that the model view shows, for the translators: a card's text is shown
 * through gettext, so a shipped card reads in the user's language and any
 * other card as its authors wrote it.  NULL-terminated; a test checks
 * that each shipped card's texts are here, word for word.
 */
extern const char * const _ward_model_card_texts[];

/* text in the user's language when it is one of the texts above (a
 * newly allocated string; NULL for NULL).
 */
char *_ward_model_card_text_translate (const char *text);

G_END_DECLS
