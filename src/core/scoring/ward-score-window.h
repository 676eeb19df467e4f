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

/* Which values a score uses, and the rows it is kept in.
 *
 * A value counts from the time it was observed until its parameter's
 * maximum age (validity_usec), whatever the scoring cadence: a monitor's
 * pulse for minutes, an hourly temperature for hours.  A value a nurse
 * entered counts for the manual data timeout (manual_timeout_usec), or
 * for its parameter's own maximum age when that is longer (temperature,
 * ACVPU, air or oxygen): a nurse's value never counts for less time than
 * a device's would.  While a nurse's value counts, a device value of the
 * same parameter may raise the parameter's points, never lower them.
 *
 * Rows: scores are kept per step.  Windows end on multiples of
 * step_usec; the row of the window that ends at E is labelled
 * (E - window_usec, E].  The window containing "now" is open: it is
 * re-scored as data arrives and its stored row is updated, never
 * duplicated.  window_usec only labels the row (and the RiskAssessment's
 * period); it no longer decides which values count.
 */
typedef struct
{
  gint64 window_usec;
  gint64 step_usec;
  gint64 validity_usec[WARD_NEWS2_N_PARAMS];   /* per parameter, of any source */
  gint64 manual_timeout_usec;                  /* the manual data timeout */
} WardWindowPolicy;

/* What went into one window score, per NEWS2 parameter. */
typedef struct
{
  WardNews2Input   input;
  WardNews2Result  result;
  gint64           window_start;
  gint64           window_end;
  WardLatestValue  used[WARD_NEWS2_N_PARAMS];
  /* When the score was computed: the ages of the inputs are counted to
   * it.
   */
  gint64           scored_at;
  /* The nurse's value that still counted for each parameter (valid is
   * FALSE where none did), and its points; when a device value raised
   * the parameter, used[] holds the device's and this the nurse's.
   */
  WardLatestValue  nurse[WARD_NEWS2_N_PARAMS];
  int              nurse_points[WARD_NEWS2_N_PARAMS];
  /* The first time after scored_at at which a value it used or held
   * stops counting, so the choice changes: score again then.
   * G_MAXINT64 if never.
   */
  gint64           expires_at;
} WardWindowScore;

void      ward_window_policy_init     (WardWindowPolicy        *policy);
void      ward_window_bounds          (const WardWindowPolicy  *policy,
                                       gint64                   now,
                                       gint64                  *start,
                                       gint64                  *end);
/* How long a value of the parameter counts, by its source. */
gint64    ward_window_validity        (const WardWindowPolicy  *policy,
                                       WardNews2Param           param,
                                       WardSource               source);
/* The same for a measurement kind: a NEWS2 parameter's, or for the
 * others that of the parameter they come with (diastolic and mean
 * pressure with systolic, oxygen flow with air or oxygen).
 */
gint64    ward_window_kind_validity   (const WardWindowPolicy  *policy,
                                       WardMeasKind             kind,
                                       WardSource               source);
/* Whether a value of the parameter still counts at now. */
gboolean  ward_window_value_counts    (const WardWindowPolicy  *policy,
                                       WardNews2Param           param,
                                       const WardLatestValue   *value,
                                       gint64                   now);
/* The measurement kind that feeds a NEWS2 parameter. */
WardMeasKind ward_window_param_kind   (WardNews2Param           param);

/* latest: the newest value of each measurement kind (WARD_MEAS_N_KINDS),
 * of any source.  nurse_latest: the newest nurse-entered value of each
 * kind, or NULL when only latest is known.
 */
void      ward_window_score_full      (const WardWindowPolicy  *policy,
                                       const WardLatestValue   *latest,
                                       const WardLatestValue   *nurse_latest,
                                       int                      spo2_scale,
                                       gint64                   now,
                                       WardWindowScore         *score);
void      ward_window_score           (const WardWindowPolicy  *policy,
                                       const WardLatestValue   *latest,
                                       int                      spo2_scale,
                                       gint64                   now,
                                       WardWindowScore         *score);
/* The time of the oldest value of a complete score (a full set of
 * observations is as old as its oldest value), or 0 when the score is
 * partial.
 */
gint64    ward_window_score_full_set_at (const WardWindowScore *score);

/* The inputs and points as a JSON object, for the store and for display:
 * per parameter its value, points, source, observed_at, age_seconds and,
 * for a nurse's value, entered_by.
 */
char     *ward_window_score_to_json   (const WardWindowScore  *score);

G_END_DECLS
