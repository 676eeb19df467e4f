/* ward-model-report.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The shadow report: a model's alerts against NEWS2's over a period,
 * what a safety committee reads before a model is switched on.
 *
 * Per patient, the windows both scored (by window end).  A NEWS2 alert
 * window is one at or above the flag threshold band (medium); a model
 * alert window is one whose probability is at or above the threshold,
 * counted from the sustain-th such window in a row.  An episode is a run
 * of alert windows (a gap of more than one step ends it).
 *
 * Lead time: for each NEWS2 episode, the first model episode that
 * starts within the horizon before it and before it ends; minutes from
 * the model's start to NEWS2's (positive: the model was earlier).
 * Agreement is over windows: both, model only, NEWS2 only, neither, and
 * Cohen's kappa.
 */
typedef struct
{
  gint64   window_end;
  gboolean news2_alert;
  double   probability;
} WardModelReportWindow;

typedef struct
{
  guint    n_patients;
  guint64  n_windows;
  guint    news2_episodes;
  guint    model_episodes;
  guint    news2_episodes_caught;   /* with a model episode in time */
  guint    model_episodes_unmatched;/* no NEWS2 episode within the horizon after */
  guint64  both, model_only, news2_only, neither;
  double   kappa;                   /* NaN when undefined */
  GArray  *lead_minutes;            /* double, one per caught NEWS2 episode */
  double   lead_median, lead_q1, lead_q3;  /* NaN without any */
} WardModelReport;

typedef struct
{
  double  threshold;
  guint   sustain;         /* windows, >= 1 */
  gint64  step_usec;       /* the window step, 5 min */
  gint64  horizon_usec;    /* the card's horizon */
} WardModelReportConfig;

void    ward_model_report_init     (WardModelReport             *report);
void    ward_model_report_clear    (WardModelReport             *report);
/* Adds one patient's windows (in time order). */
void    ward_model_report_add      (WardModelReport             *report,
                                    const WardModelReportConfig *config,
                                    const WardModelReportWindow *windows,
                                    gsize                        n_windows);
/* Computes kappa and the lead-time quartiles from what was added. */
void    ward_model_report_finish   (WardModelReport             *report);

G_END_DECLS
