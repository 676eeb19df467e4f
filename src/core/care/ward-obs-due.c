/* ward-obs-due.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-obs-due"

#include "config.h"

#include "ward-obs-due.h"

static const char * const step_names[] = {
  "zero", "low", "low-medium", "medium", "high",
};

G_STATIC_ASSERT (G_N_ELEMENTS (step_names) == WARD_OBS_N_STEPS);

void
ward_obs_policy_init (WardObsPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  /* RCP NEWS2 (2017), Chart 2.  The chart gives 4-6-hourly at 1-4; the
   * shorter end is the default, a ward may choose up to 6 h.
   */
  policy->interval_usec[WARD_OBS_STEP_ZERO] = 12 * WARD_USEC_PER_HOUR;
  policy->interval_usec[WARD_OBS_STEP_LOW] = 4 * WARD_USEC_PER_HOUR;
  policy->interval_usec[WARD_OBS_STEP_LOW_MEDIUM] = 1 * WARD_USEC_PER_HOUR;
  policy->interval_usec[WARD_OBS_STEP_MEDIUM] = 1 * WARD_USEC_PER_HOUR;
  policy->interval_usec[WARD_OBS_STEP_HIGH] = 0;
}

WardObsStep
ward_obs_step_for_score (int      total,
                         WardBand band)
{
  /* The band already puts 7+ before 5-6 before a single 3. */
  switch (band)
    {
    case WARD_BAND_HIGH:
      return WARD_OBS_STEP_HIGH;
    case WARD_BAND_MEDIUM:
      return WARD_OBS_STEP_MEDIUM;
    case WARD_BAND_LOW_MEDIUM:
      return WARD_OBS_STEP_LOW_MEDIUM;
    case WARD_BAND_LOW:
    default:
      return total <= 0 ? WARD_OBS_STEP_ZERO : WARD_OBS_STEP_LOW;
    }
}

const char *
ward_obs_step_to_string (WardObsStep step)
{
  g_return_val_if_fail (step < WARD_OBS_N_STEPS, NULL);

  return step_names[step];
}

gboolean
ward_obs_step_from_string (const char  *str,
                           WardObsStep *step)
{
  for (guint i = 0; i < WARD_OBS_N_STEPS; i++)
    {
      if (g_strcmp0 (str, step_names[i]) == 0)
        {
          if (step != NULL)
            *step = i;
          return TRUE;
        }
    }

  return FALSE;
}

void
ward_obs_due (const WardObsPolicy *policy,
              int                  total,
              WardBand             band,
              gint64               last_full_set_at,
              gint64               first_scored_at,
              gint64              *due_at,
              gboolean            *continuous)
{
  gint64 interval;

  g_return_if_fail (policy != NULL);
  g_return_if_fail (due_at != NULL);
  g_return_if_fail (continuous != NULL);

  interval = policy->interval_usec[ward_obs_step_for_score (total, band)];
  *continuous = interval <= 0;
  if (*continuous)
    {
      *due_at = 0;
      return;
    }

  /* Never a full set: one is due from the first score on (a patient is
   * assessed in full on admission), not an interval later.
   */
  if (last_full_set_at > 0)
    *due_at = last_full_set_at + interval;
  else
    *due_at = first_scored_at;
}
