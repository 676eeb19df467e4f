/* ward-flag-words.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-snapshot.h"
#include "ward-staff.h"
#include "ward-tasks.h"

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

/* The care team's words (issue #16), for every view that shows a task:
 * the care-team view, tile, alarm bar and notification.  Staff ids are
 * shown by name from the staff list set here (the application sets the
 * session's; without one, by id).
 */
void        _ward_flag_words_set_staff    (WardStaff          *staff);
/* The list set, or NULL. */
WardStaff  *_ward_flag_words_get_staff    (void);
/* "Ada Nwosu", or the id when the list does not know them. */
char       *_ward_flag_words_staff_name   (const char         *staff_id);
/* "Ada Nwosu (bed nurse)", or "bed nurse" for a role, whoever holds it. */
char       *_ward_flag_words_task_owner   (const WardTask     *task);
/* What the task is about: "flag high", "concern", "device silent". */
char       *_ward_flag_words_task_why     (const WardTask     *task);
/* "due in 12 min", "overdue by 8 min" (relative), or "due 14:20",
 * "overdue since 14:20" (clock).
 */
char       *_ward_flag_words_task_due     (const WardTask     *task,
                                           gint64              now,
                                           WardFlagWordsTime   time);
/* Past its due time and nobody accepted it. */
gboolean    _ward_flag_words_task_overdue (const WardTask     *task,
                                           gint64              now);
/* "Accepted by Ada Nwosu", "Awaiting bed nurse, due in 12 min". */
char       *_ward_flag_words_task_state   (const WardTask     *task,
                                           gint64              now,
                                           WardFlagWordsTime   time);
/* The bed's task that says who has it now: an accepted one first, else
 * the newest requested one (the top of an escalation); only the flag's
 * tasks when flag_id is not 0; NULL without.
 */
const WardTask *_ward_flag_words_bed_task (const WardBedState *bed,
                                           gint64              flag_id);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardFlagWords, _ward_flag_words_clear)

G_END_DECLS
