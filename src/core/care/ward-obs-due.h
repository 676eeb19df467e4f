/* ward-obs-due.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* When a patient's next full set of observations is due: the RCP
 * chart's minimum observation frequency (NEWS2, 2017, Chart 2) from the
 * latest score, counted from the last full set.  A reminder, never a
 * clinical flag.
 */
typedef enum
{
  WARD_OBS_STEP_ZERO,         /* aggregate 0: 12-hourly */
  WARD_OBS_STEP_LOW,          /* 1-4: 4-6-hourly (4 h by default) */
  WARD_OBS_STEP_LOW_MEDIUM,   /* a single parameter scoring 3: hourly */
  WARD_OBS_STEP_MEDIUM,       /* 5-6: hourly */
  WARD_OBS_STEP_HIGH,         /* 7 or more: continuous */
  WARD_OBS_N_STEPS
} WardObsStep;

typedef struct
{
  /* Per step; 0 means continuous monitoring. */
  gint64 interval_usec[WARD_OBS_N_STEPS];
} WardObsPolicy;

void         ward_obs_policy_init       (WardObsPolicy        *policy);
WardObsStep  ward_obs_step_for_score    (int                   total,
                                         WardBand              band);
/* "zero", "low", "low-medium", "medium", "high": the policy file's keys. */
const char  *ward_obs_step_to_string    (WardObsStep           step);
gboolean     ward_obs_step_from_string  (const char           *str,
                                         WardObsStep          *step);

/* last_full_set_at: the time of the last full set of observations, or
 * 0 when there has been none: then a full set is due at once, from
 * first_scored_at (the patient's first score) on.  Sets *due_at to when
 * the next set is due, or 0 when the patient is to be monitored
 * continuously (*continuous TRUE).
 */
void         ward_obs_due               (const WardObsPolicy  *policy,
                                         int                   total,
                                         WardBand              band,
                                         gint64                last_full_set_at,
                                         gint64                first_scored_at,
                                         gint64               *due_at,
                                         gboolean             *continuous);

G_END_DECLS
