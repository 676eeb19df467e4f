/* ward-flag-rules.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-flag-rules"

#include "config.h"

#include "ward-flag-rules.h"

void
ward_flag_policy_init (WardFlagPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  policy->threshold = WARD_BAND_MEDIUM;
  policy->open_delay_usec = 3 * WARD_USEC_PER_MINUTE;
  policy->close_delay_usec = 10 * WARD_USEC_PER_MINUTE;
}

/* The state machine:
 *
 *   NONE --(band >= threshold)--> PENDING --(sustained open_delay)--> OPEN
 *   PENDING --(band < threshold)--> NONE
 *   OPEN --(band < threshold)--> RECOVERING --(sustained close_delay)--> NONE
 *   RECOVERING --(band >= threshold)--> OPEN (the same flag: same episode)
 *   OPEN: a band above the flag's, sustained open_delay, escalates it.
 *
 * A flag opens (or escalates) at the lowest band seen while pending, so
 * a single high reading among medium ones never claims high.
 */
WardFlagAction
ward_flag_tracker_update (WardFlagTracker      *tracker,
                          const WardFlagPolicy *policy,
                          WardBand              band,
                          gint64                now,
                          WardBand             *out_band)
{
  return ward_flag_tracker_update_full (tracker, policy, band, FALSE, now, out_band);
}

/* A nurse-validated score opens (or escalates) at its own band, at once. */
WardFlagAction
ward_flag_tracker_update_full (WardFlagTracker      *tracker,
                               const WardFlagPolicy *policy,
                               WardBand              band,
                               gboolean              nurse_validated,
                               gint64                now,
                               WardBand             *out_band)
{
  gboolean above;

  g_return_val_if_fail (tracker != NULL, WARD_FLAG_ACTION_NONE);
  g_return_val_if_fail (policy != NULL, WARD_FLAG_ACTION_NONE);

  above = band >= policy->threshold;

  if (tracker->held)
    {
      /* Closed elsewhere: a new crossing releases it, from below the
       * threshold or above the band it was closed at.
       */
      if (!above || band > tracker->held_band)
        tracker->held = FALSE;
      if (!above || tracker->held)
        return WARD_FLAG_ACTION_NONE;
    }

  switch (tracker->state)
    {
    case WARD_FLAG_STATE_NONE:
      if (!above)
        return WARD_FLAG_ACTION_NONE;
      tracker->state = WARD_FLAG_STATE_PENDING;
      tracker->pending_since = now;
      tracker->pending_band = band;
      G_GNUC_FALLTHROUGH;

    case WARD_FLAG_STATE_PENDING:
      if (!above)
        {
          tracker->state = WARD_FLAG_STATE_NONE;
          tracker->pending_since = 0;
          return WARD_FLAG_ACTION_NONE;
        }
      tracker->pending_band = nurse_validated ? band : MIN (tracker->pending_band, band);
      if (!nurse_validated && now - tracker->pending_since < policy->open_delay_usec)
        return WARD_FLAG_ACTION_NONE;
      tracker->state = WARD_FLAG_STATE_OPEN;
      tracker->open_band = tracker->pending_band;
      tracker->pending_since = 0;
      tracker->escalate_since = 0;
      if (out_band != NULL)
        *out_band = tracker->open_band;
      return WARD_FLAG_ACTION_OPEN;

    case WARD_FLAG_STATE_RECOVERING:
      if (!above)
        {
          if (now - tracker->recovering_since < policy->close_delay_usec)
            return WARD_FLAG_ACTION_NONE;
          *tracker = (WardFlagTracker) { .state = WARD_FLAG_STATE_NONE };
          return WARD_FLAG_ACTION_CLOSE;
        }
      /* Back above threshold before recovery was sustained: the same
       * episode goes on, under the same flag.
       */
      tracker->state = WARD_FLAG_STATE_OPEN;
      tracker->recovering_since = 0;
      G_GNUC_FALLTHROUGH;

    case WARD_FLAG_STATE_OPEN:
      if (!above)
        {
          tracker->state = WARD_FLAG_STATE_RECOVERING;
          tracker->recovering_since = now;
          tracker->escalate_since = 0;
          return WARD_FLAG_ACTION_NONE;
        }
      if (band <= tracker->open_band)
        {
          tracker->escalate_since = 0;
          return WARD_FLAG_ACTION_NONE;
        }
      if (tracker->escalate_since == 0)
        {
          tracker->escalate_since = now;
          tracker->escalate_band = band;
        }
      tracker->escalate_band = nurse_validated ? band : MIN (tracker->escalate_band, band);
      if (!nurse_validated && now - tracker->escalate_since < policy->open_delay_usec)
        return WARD_FLAG_ACTION_NONE;
      tracker->open_band = tracker->escalate_band;
      tracker->escalate_since = 0;
      if (out_band != NULL)
        *out_band = tracker->open_band;
      return WARD_FLAG_ACTION_ESCALATE;

    default:
      g_assert_not_reached ();
    }

  return WARD_FLAG_ACTION_NONE;
}

gboolean
ward_flag_tracker_get_pending (const WardFlagTracker *tracker,
                               const WardFlagPolicy  *policy,
                               WardBand              *band,
                               gint64                *at)
{
  WardBand b = WARD_BAND_LOW;
  gint64 t = 0;

  g_return_val_if_fail (tracker != NULL, FALSE);
  g_return_val_if_fail (policy != NULL, FALSE);

  switch (tracker->state)
    {
    case WARD_FLAG_STATE_PENDING:
      b = tracker->pending_band;
      t = tracker->pending_since + policy->open_delay_usec;
      break;

    case WARD_FLAG_STATE_OPEN:
      if (tracker->escalate_since != 0)
        {
          b = tracker->escalate_band;
          t = tracker->escalate_since + policy->open_delay_usec;
        }
      break;

    case WARD_FLAG_STATE_RECOVERING:
      b = tracker->open_band;
      t = tracker->recovering_since + policy->close_delay_usec;
      break;

    case WARD_FLAG_STATE_NONE:
    default:
      break;
    }

  if (band != NULL)
    *band = b;
  if (at != NULL)
    *at = t;

  return t != 0;
}

void
ward_flag_tracker_hold (WardFlagTracker *tracker,
                        WardBand         band)
{
  g_return_if_fail (tracker != NULL);

  *tracker = (WardFlagTracker) {
    .state = WARD_FLAG_STATE_NONE,
    .held = TRUE,
    .held_band = band,
  };
}
