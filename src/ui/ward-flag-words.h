/* ward-flag-words.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

/* What a score and its flag say, written once for every view that shows
 * a flag with a score (bed tile, alarm bar, notification, patient
 * header), so that they cannot drift apart.  Where the flag and the score
 * differ, the words say why: the flag rules are about to open, escalate
 * or close it, or an open flag keeps its band until the score recovers.
 */
typedef struct
{
  char     *score;       /* "NEWS2 8 (high)"; NULL without a score */
  char     *flag;        /* "flag medium, escalates in 2 min if sustained",
                          * "flag high · recovering"; NULL without a flag */
  char     *line;        /* the one line every view shows: "NEWS2 8 (high) · flag medium,
                          * escalates in 2 min if sustained", "flag high · recovering,
                          * NEWS2 now 3 (low)", or the score alone */
  char     *closing;     /* recovering: "closes in 8 min if NEWS2 stays this low"; else NULL */
  gboolean  recovering;
} WardFlagWords;

typedef enum
{
  WARD_FLAG_WORDS_RELATIVE,   /* "in 2 min": for views made again with every snapshot */
  WARD_FLAG_WORDS_CLOCK,      /* "at 10:07": for a notification, read later */
} WardFlagWordsTime;

void        _ward_flag_words_init         (WardFlagWords      *words,
                                           const WardBedState *bed,
                                           gint64              now,
                                           WardFlagWordsTime   time);
void        _ward_flag_words_clear        (WardFlagWords      *words);

/* The patient header's flag: the line, then the episode ("Opened 09:40,
 * escalated 09:52, not acknowledged"); "No flag" without one.
 */
char       *_ward_flag_words_header       (const WardBedState *bed,
                                           gint64              now);

/* The text with its first letter in upper case, to start a label. */
char       *_ward_flag_words_capitalize   (const char         *text);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardFlagWords, _ward_flag_words_clear)

G_END_DECLS
