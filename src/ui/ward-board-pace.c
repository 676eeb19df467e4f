/* ward-board-pace.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-board-pace"

#include "config.h"

#include "ward-board-pace.h"

/* How often a live board is updated.
 *
 * The pipeline makes several snapshots a second, and at real time each
 * changes something small somewhere: a value's age ("12 s") ticks over
 * at its own moment for every value on the ward, and a 64-bed ward's
 * monitors send values in every fraction of a second.  Shown as they
 * come, the board was drawn some fifteen to twenty times a second for
 * changes nobody can read that fast, which on a station without a GPU
 * costs a good part of a core.
 *
 * So at real time an ordinary change waits until a second has passed
 * since the board was last updated, and then everything changed in that
 * second is shown in one frame.  A demo whose clock runs faster is shown
 * as it comes.  What a nurse must see at once is shown at the next
 * frame whatever the pace: a flag raised, escalated, acknowledged or
 * closed, a device that fell silent or came back or its alert
 * acknowledged, a bed or patient that changed.  Those are the alarms
 * and what a nurse acts on.
 *
 * Scores are not among them: a noisy value crossing one of NEWS2's
 * limits and back moves a total, its band and a pending flag several
 * times a second on a 64-bed ward, and each move redrew the board at
 * once (five frames a second at 64 beds).  They are shown with the
 * next once-a-second update, at most a second late; a score that stays
 * up raises its flag, which is shown at once.
 */

static gboolean
differs (const char *a,
         const char *b)
{
  return g_strcmp0 (a, b) != 0;
}

static gboolean
bed_is_urgent (const WardBedState *shown,
               const WardBedState *next)
{
  return differs (shown->bed_id, next->bed_id) ||
         differs (shown->patient_id, next->patient_id) ||
         shown->flag_state != next->flag_state ||
         shown->flag_id != next->flag_id ||
         shown->flag_band != next->flag_band ||
         shown->flag_escalated_at != next->flag_escalated_at ||
         differs (shown->flag_acknowledged_by, next->flag_acknowledged_by) ||
         shown->technical_alert != next->technical_alert ||
         shown->technical_alert_id != next->technical_alert_id ||
         differs (shown->technical_alert_acknowledged_by, next->technical_alert_acknowledged_by);
}

/**
 * _ward_board_pace_is_urgent:
 * @shown: (nullable): the snapshot the board shows
 * @next: the newest snapshot
 *
 * Returns: whether @next changes something that must be shown at once
 */
gboolean
_ward_board_pace_is_urgent (WardSnapshot *shown,
                            WardSnapshot *next)
{
  guint n_beds;

  g_return_val_if_fail (next != NULL, TRUE);

  if (shown == NULL)
    return TRUE;

  n_beds = ward_snapshot_get_n_beds (next);
  if (ward_snapshot_get_n_beds (shown) != n_beds)
    return TRUE;

  for (guint i = 0; i < n_beds; i++)
    if (bed_is_urgent (ward_snapshot_get_bed (shown, i), ward_snapshot_get_bed (next, i)))
      return TRUE;

  return FALSE;
}

/**
 * _ward_board_pace_get_delay:
 * @shown: (nullable): the snapshot the board shows
 * @next: the newest snapshot
 * @last_shown_at: when @shown was shown (monotonic microseconds), or 0
 * @now: the monotonic time now
 *
 * Returns: how long @next waits before it is shown, in microseconds;
 *   0 to show it at the next frame
 */
gint64
_ward_board_pace_get_delay (WardSnapshot *shown,
                            WardSnapshot *next,
                            gint64        last_shown_at,
                            gint64        now)
{
  gint64 due = last_shown_at + WARD_BOARD_PACE_INTERVAL_USEC;

  g_return_val_if_fail (next != NULL, 0);

  if (last_shown_at == 0 || now >= due || _ward_board_pace_is_urgent (shown, next))
    return 0;

  /* A demo whose clock runs faster than real time changes what is on
   * the board faster than once a second: shown as it comes.
   */
  if (ward_snapshot_get_now (next) - ward_snapshot_get_now (shown) > 2 * MAX (now - last_shown_at, 0))
    return 0;

  return due - now;
}
