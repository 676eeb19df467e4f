/* ward-model-flag.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-model-flag"

#include "config.h"

#include "ward-model-flag.h"

#include <math.h>

double
ward_model_flag_close_below (const WardModelFlagPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, 0);

  return MAX (0.0, policy->probability - policy->hysteresis);
}

/* The model flag runs on NEWS2's state machine, so that it keeps
 * exactly the same sustain rules: the probability is turned into "at
 * or above threshold" (a band at the machine's threshold) or "below"
 * (the band under it).  Which threshold depends on the state: a flag
 * not yet open needs the card's probability; an open or recovering one
 * stays while the probability is above the lower, hysteresis, bound.
 */
WardFlagAction
ward_model_flag_update (WardFlagTracker           *tracker,
                        const WardFlagPolicy      *timing,
                        const WardModelFlagPolicy *policy,
                        double                     probability,
                        gint64                     now)
{
  WardFlagPolicy machine;
  gboolean open;
  gboolean above;
  WardFlagAction action;

  g_return_val_if_fail (tracker != NULL, WARD_FLAG_ACTION_NONE);
  g_return_val_if_fail (timing != NULL, WARD_FLAG_ACTION_NONE);
  g_return_val_if_fail (policy != NULL, WARD_FLAG_ACTION_NONE);

  if (!policy->may_flag || isnan (probability))
    return WARD_FLAG_ACTION_NONE;

  open = tracker->state == WARD_FLAG_STATE_OPEN || tracker->state == WARD_FLAG_STATE_RECOVERING;
  above = open ? probability >= ward_model_flag_close_below (policy)
               : probability >= policy->probability;

  machine = *timing;
  machine.threshold = WARD_BAND_MEDIUM;
  action = ward_flag_tracker_update_full (tracker, &machine,
                                          above ? WARD_BAND_MEDIUM : WARD_BAND_LOW,
                                          FALSE, now, NULL);
  g_assert (action != WARD_FLAG_ACTION_ESCALATE);
  return action;
}
