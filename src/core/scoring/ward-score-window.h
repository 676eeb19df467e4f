/* ward-score-window.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-news2.h"
#include "ward-snapshot.h"

G_BEGIN_DECLS

/* Observation windows.  Windows end on multiples of step_usec; the window
 * that ends at E covers (E - window_usec, E].  The window containing
 * "now" is open: it is re-scored as data arrives and its stored row is
 * updated, never duplicated.  Device values count when they were observed
 * inside the window; nurse-entered state (ACVPU, air or oxygen) counts
 * while it is younger than nurse_validity_usec, because a nurse records
 * it on the observation round, not every few seconds.
 */
typedef struct
{
  gint64 window_usec;
  gint64 step_usec;
  gint64 nurse_validity_usec;
} WardWindowPolicy;

/* What went into one window score, per NEWS2 parameter. */
typedef struct
{
  WardNews2Input   input;
  WardNews2Result  result;
  gint64           window_start;
  gint64           window_end;
  WardLatestValue  used[WARD_NEWS2_N_PARAMS];
} WardWindowScore;

void   ward_window_policy_init  (WardWindowPolicy        *policy);
void   ward_window_bounds       (const WardWindowPolicy  *policy,
                                 gint64                   now,
                                 gint64                  *start,
                                 gint64                  *end);
/* latest: the newest value of each measurement kind (WARD_MEAS_N_KINDS). */
void   ward_window_score        (const WardWindowPolicy  *policy,
                                 const WardLatestValue   *latest,
                                 int                      spo2_scale,
                                 gint64                   now,
                                 WardWindowScore         *score);
/* The inputs and points as a JSON object, for the store and for display. */
char  *ward_window_score_to_json (const WardWindowScore  *score);

G_END_DECLS
