/* ward-flag-words.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-flag-words"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-flag-words.h"

#include "ward-clinical.h"
#include "ward-bed-tile.h"

#include <string.h>

char *
_ward_flag_words_capitalize (const char *text)
{
  gunichar first;
  char buffer[8];
  int len;

  g_return_val_if_fail (text != NULL, NULL);

  if (*text == '\0')
    return g_strdup (text);

  first = g_utf8_get_char (text);
  len = g_unichar_to_utf8 (g_unichar_totitle (first), buffer);
  buffer[len] = '\0';

  return g_strconcat (buffer, g_utf8_next_char (text), NULL);
}

static char *
format_clock (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return dt != NULL ? g_date_time_format (dt, "%H:%M") : g_strdup ("—");
}

/* "in 2 min" or "at 10:07": when the flag rules will act.  A countdown
 * rounds up, so that "in 1 min" is never said of what happens in 90 s.
 */
static char *
format_when (gint64            at,
             gint64            now,
             WardFlagWordsTime time)
{
  if (time == WARD_FLAG_WORDS_CLOCK)
    {
      g_autofree char *clock = format_clock (at);

      /* Translators: when a flag will open, escalate or close, "at 10:07" */
      return g_strdup_printf (_("at %s"), clock);
    }
  else
    {
      gint64 left = at - now;
      g_autofree char *duration = NULL;

      /* Due between two evaluations of the flag rules. */
      if (left <= 0)
        /* Translators: when a flag will open, escalate or close: at the next evaluation */
        return g_strdup (_("now"));

      if (left >= WARD_USEC_PER_MINUTE)
        left = (left + WARD_USEC_PER_MINUTE - 1) / WARD_USEC_PER_MINUTE * WARD_USEC_PER_MINUTE;
      else
        left = (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC * G_USEC_PER_SEC;
      duration = _ward_format_age (left);

      /* Translators: when a flag will open, escalate or close, "in 2 min" */
      return g_strdup_printf (_("in %s"), duration);
    }
}

static char *
format_score (const WardBedState *bed,
              gboolean            now_word)
{
  const char *band;

  if (bed->news2_not_applicable)
    band = _("not validated under 16");
  else
    band = ward_clinical_band_phrase (bed->score_band);

  if (now_word)
    /* Translators: the current score of a recovering flag, "NEWS2 now 3 (low)" */
    return g_strdup_printf (_("NEWS2 now %d (%s)"), bed->score_total, band);

  /* Translators: a score and its band, "NEWS2 8 (high)" */
  return g_strdup_printf (_("NEWS2 %d (%s)"), bed->score_total, band);
}

static char *
format_flag (const WardBedState *bed,
             gint64              now,
             WardFlagWordsTime   time)
{
  const char *flag_band = ward_clinical_flag_band_phrase (bed->flag_band);
  gboolean pending = bed->flag_pending_at != 0;
  g_autofree char *when = pending ? format_when (bed->flag_pending_at, now, time) : NULL;

  switch (bed->flag_state)
    {
    case WARD_FLAG_STATE_PENDING:
      {
        WardBand band = pending ? bed->flag_pending_band : bed->score_band;

        if (!pending)
          return g_strdup (_("flag opens if sustained"));
        if (bed->has_score && band == bed->score_band)
          /* Translators: %s is "in 2 min" or "at 10:07" */
          return g_strdup_printf (_("flag opens %s if sustained"), when);
        /* Translators: the band a flag will open at, then "in 2 min" or "at 10:07" */
        return g_strdup_printf (_("flag opens at %s %s if sustained"),
                                ward_clinical_flag_band_phrase (band), when);
      }

    case WARD_FLAG_STATE_OPEN:
      if (pending && bed->flag_pending_band > bed->flag_band)
        /* Translators: the flag's band, then "in 2 min" or "at 10:07" */
        return g_strdup_printf (_("flag %s, escalates %s if sustained"), flag_band, when);
      if (bed->has_score && bed->score_band > bed->flag_band)
        /* Translators: %s is the flag's band, lower than the score's */
        return g_strdup_printf (_("flag %s, escalates if sustained"), flag_band);
      if (bed->has_score && bed->score_band < bed->flag_band)
        /* Translators: an open flag keeps its band while the score stays at the flag
         * threshold or above, "flag high, kept until the score recovers" */
        return g_strdup_printf (_("flag %s, kept until the score recovers"), flag_band);
      /* Translators: %s is the flag's band, "flag high" */
      return g_strdup_printf (_("flag %s"), flag_band);

    case WARD_FLAG_STATE_RECOVERING:
      /* Translators: %s is the flag's band, "flag high · recovering" */
      return g_strdup_printf (_("flag %s · recovering"), flag_band);

    case WARD_FLAG_STATE_NONE:
    default:
      return NULL;
    }
}

/**
 * _ward_flag_words_init:
 * @words: where to put the words; clear them with _ward_flag_words_clear()
 * @bed: a bed of a snapshot
 * @now: the snapshot's time
 * @time: how to say when the flag rules act
 *
 * Makes the words for @bed's score and flag.  Pending changes come from
 * the snapshot's flag_pending_band and flag_pending_at; where those are
 * not set (older data) the words only say that a change waits to be
 * sustained, never when.
 */
void
_ward_flag_words_init (WardFlagWords      *words,
                       const WardBedState *bed,
                       gint64              now,
                       WardFlagWordsTime   time)
{
  g_return_if_fail (words != NULL);
  g_return_if_fail (bed != NULL);

  memset (words, 0, sizeof *words);

  words->recovering = bed->flag_state == WARD_FLAG_STATE_RECOVERING;
  if (bed->has_score)
    words->score = format_score (bed, FALSE);
  words->flag = format_flag (bed, now, time);

  if (words->flag == NULL)
    {
      words->line = g_strdup (words->score != NULL ? words->score : "");
    }
  else if (words->score == NULL)
    {
      words->line = g_strdup (words->flag);
    }
  else if (words->recovering)
    {
      g_autofree char *score = format_score (bed, TRUE);

      /* A recovering flag comes first, then the score it fell back to. */
      /* Translators: a flag whose score fell back, "flag high · recovering, NEWS2 now 3 (low)" */
      words->line = g_strdup_printf (_("%s, %s"), words->flag, score);
    }
  else
    /* Translators: a score and its flag, "NEWS2 8 (high) · flag medium" */
    words->line = g_strdup_printf (_("%s · %s"), words->score, words->flag);

  if (words->recovering && bed->flag_pending_at != 0)
    {
      g_autofree char *when = format_when (bed->flag_pending_at, now, time);

      /* Translators: when a recovering flag closes, %s is "in 8 min" or "at 10:42" */
      words->closing = g_strdup_printf (_("closes %s if NEWS2 stays this low"), when);
    }
}

void
_ward_flag_words_clear (WardFlagWords *words)
{
  g_return_if_fail (words != NULL);

  g_clear_pointer (&words->score, g_free);
  g_clear_pointer (&words->flag, g_free);
  g_clear_pointer (&words->line, g_free);
  g_clear_pointer (&words->closing, g_free);
}

/**
 * _ward_flag_words_header:
 * @bed: a bed of a snapshot
 * @now: the snapshot's time
 *
 * The flag in the words of every view, then its episode: when it opened
 * (the episode's start, whatever its band did since), when it escalated,
 * when a recovering flag closes and who acknowledged it.
 *
 * Returns: (transfer full): the text, on one or two lines
 */
char *
_ward_flag_words_header (const WardBedState *bed,
                         gint64              now)
{
  g_auto(WardFlagWords) words = { 0 };
  g_autoptr(GString) text = NULL;
  g_autofree char *line = NULL;
  g_autofree char *opened = NULL;

  g_return_val_if_fail (bed != NULL, NULL);

  if (bed->flag_state == WARD_FLAG_STATE_NONE)
    return g_strdup (_("No flag"));

  _ward_flag_words_init (&words, bed, now, WARD_FLAG_WORDS_RELATIVE);
  line = _ward_flag_words_capitalize (words.line);
  text = g_string_new (line);
  if (bed->flag_state == WARD_FLAG_STATE_PENDING)
    return g_string_free (g_steal_pointer (&text), FALSE);

  opened = format_clock (bed->flag_opened_at);
  g_string_append_c (text, '\n');
  /* Translators: when a flag's episode began, "Opened 10:04" */
  g_string_append_printf (text, _("Opened %s"), opened);
  if (bed->flag_escalated_at != 0)
    {
      g_autofree char *escalated = format_clock (bed->flag_escalated_at);

      /* Translators: when an open flag last went up a band, ", escalated 10:20" */
      g_string_append_printf (text, _(", escalated %s"), escalated);
    }
  if (words.closing != NULL)
    /* Translators: a recovering flag's closing, ", closes in 8 min if NEWS2 stays this low" */
    g_string_append_printf (text, _(", %s"), words.closing);
  if (bed->flag_acknowledged_by != NULL)
    {
      g_autofree char *at = format_clock (bed->flag_acknowledged_at);

      /* Translators: who acknowledged a flag and when, ", acknowledged by j.smith at 10:06" */
      g_string_append_printf (text, _(", acknowledged by %s at %s"), bed->flag_acknowledged_by, at);
    }
  else
    {
      g_string_append (text, _(", not acknowledged"));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The care team's words. */

static WardStaff *words_staff;

void
_ward_flag_words_set_staff (WardStaff *staff)
{
  g_set_object (&words_staff, staff);
}

WardStaff *
_ward_flag_words_get_staff (void)
{
  return words_staff;
}

char *
_ward_flag_words_staff_name (const char *staff_id)
{
  const WardStaffMember *member = NULL;

  if (staff_id == NULL)
    return NULL;
  if (words_staff != NULL)
    member = ward_staff_lookup (words_staff, staff_id);

  return g_strdup (member != NULL && member->name != NULL ? member->name : staff_id);
}

/* "bed nurse": the role's label inside a sentence. */
static char *
role_words (WardRole role)
{
  const char *label = ward_role_to_label (role);
  gunichar first = g_utf8_get_char (label);
  char buffer[8];
  int len = g_unichar_to_utf8 (g_unichar_tolower (first), buffer);

  buffer[len] = '\0';
  return g_strconcat (buffer, g_utf8_next_char (label), NULL);
}

char *
_ward_flag_words_task_owner (const WardTask *task)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (task != NULL, NULL);

  if (task->owner_staff == NULL)
    return role_words (task->owner_role);

  name = _ward_flag_words_staff_name (task->owner_staff);
  {
    g_autofree char *role = role_words (task->owner_role);

    /* Translators: a task's owner, "Ada Nwosu (bed nurse)" */
    return g_strdup_printf (_("%s (%s)"), name, role);
  }
}

char *
_ward_flag_words_task_why (const WardTask *task)
{
  g_return_val_if_fail (task != NULL, NULL);

  switch (task->kind)
    {
    case WARD_CARE_KIND_CONCERN:
      /* Translators: why a task exists: a nurse is worried about the patient */
      return g_strdup (_("concern"));
    case WARD_CARE_KIND_TECHNICAL:
      /* Translators: why a task exists: a monitor stopped sending */
      return g_strdup (_("device silent"));
    case WARD_CARE_KIND_CLINICAL:
    case WARD_CARE_N_KINDS:
    default:
      if (task->has_band)
        /* Translators: why a task exists, "flag high", as the flag words say it */
        return g_strdup_printf (_("flag %s"), ward_clinical_flag_band_phrase (task->band));
      return g_strdup (_("flag"));
    }
}

gboolean
_ward_flag_words_task_overdue (const WardTask *task,
                               gint64          now)
{
  g_return_val_if_fail (task != NULL, FALSE);

  return task->status == WARD_TASK_REQUESTED && task->due_at > 0 && task->due_at <= now;
}

char *
_ward_flag_words_task_due (const WardTask    *task,
                           gint64             now,
                           WardFlagWordsTime  time)
{
  g_return_val_if_fail (task != NULL, NULL);

  if (task->due_at <= 0)
    return NULL;

  if (time == WARD_FLAG_WORDS_CLOCK)
    {
      g_autofree char *clock = format_clock (task->due_at);

      if (task->due_at <= now)
        /* Translators: a task not accepted in time, "overdue since 14:20" */
        return g_strdup_printf (_("overdue since %s"), clock);
      /* Translators: when a task is due, "due 14:20" */
      return g_strdup_printf (_("due %s"), clock);
    }

  if (task->due_at <= now)
    {
      /* Whole minutes late, rounded down: "overdue by 0 min" is never said. */
      gint64 late = now - task->due_at;
      g_autofree char *duration = NULL;

      late = late >= WARD_USEC_PER_MINUTE ? late / WARD_USEC_PER_MINUTE * WARD_USEC_PER_MINUTE
                                          : MAX (late / G_USEC_PER_SEC, 1) * G_USEC_PER_SEC;
      duration = _ward_format_age (late);
      /* Translators: a task not accepted in time, "overdue by 8 min" */
      return g_strdup_printf (_("overdue by %s"), duration);
    }
  else
    {
      gint64 left = task->due_at - now;
      g_autofree char *duration = NULL;

      /* Rounded up, as the flag's countdown: "in 1 min" is never said of 90 s. */
      if (left >= WARD_USEC_PER_MINUTE)
        left = (left + WARD_USEC_PER_MINUTE - 1) / WARD_USEC_PER_MINUTE * WARD_USEC_PER_MINUTE;
      else
        left = (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC * G_USEC_PER_SEC;
      duration = _ward_format_age (left);
      /* Translators: when a task is due, "due in 12 min" */
      return g_strdup_printf (_("due in %s"), duration);
    }
}

char *
_ward_flag_words_task_state (const WardTask    *task,
                             gint64             now,
                             WardFlagWordsTime  time)
{
  g_autofree char *due = NULL;
  g_autofree char *owner = NULL;

  g_return_val_if_fail (task != NULL, NULL);

  if (task->status == WARD_TASK_ACCEPTED)
    {
      g_autofree char *name = _ward_flag_words_staff_name (task->accepted_by != NULL ? task->accepted_by
                                                                                     : task->owner_staff);

      /* Translators: who took a task, "Accepted by Ada Nwosu" */
      return g_strdup_printf (_("Accepted by %s"), name != NULL ? name : "?");
    }

  owner = _ward_flag_words_task_owner (task);
  due = _ward_flag_words_task_due (task, now, time);
  if (due == NULL)
    /* Translators: a task nobody took yet, "Awaiting bed nurse" */
    return g_strdup_printf (_("Awaiting %s"), owner);

  /* Translators: a task nobody took yet, "Awaiting bed nurse, due in 12 min" */
  return g_strdup_printf (_("Awaiting %s, %s"), owner, due);
}

const WardTask *
_ward_flag_words_bed_task (const WardBedState *bed,
                           gint64              flag_id)
{
  const WardTask *requested = NULL;

  g_return_val_if_fail (bed != NULL, NULL);

  if (bed->open_tasks == NULL)
    return NULL;

  for (guint i = 0; i < bed->open_tasks->len; i++)
    {
      const WardTask *task = g_ptr_array_index (bed->open_tasks, i);

      if (flag_id != 0 && task->flag_id != flag_id)
        continue;
      if (task->status == WARD_TASK_ACCEPTED)
        return task;
      /* Oldest first: the last requested one is the top of an escalation. */
      if (task->status == WARD_TASK_REQUESTED)
        requested = task;
    }

  return requested;
}
