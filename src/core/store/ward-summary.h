/* ward-summary.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-routing.h"
#include "ward-store.h"
#include "ward-obs-due.h"

G_BEGIN_DECLS

/* The ward summary (issue #13, part 1): the one query module whose
 * figures the summary view, the shift report's PDF and its CSV files all
 * show, so that a number cannot differ between them.  Everything is read
 * from the store's raw tables for a period [from, to) (UTC
 * microseconds); "now" for the figures that are a state (census,
 * observations overdue) is `to`.  Each figure says its definition.
 */

/* Bands, and one more column: a patient with no NEWS2 score yet, or to
 * whom NEWS2 does not apply (under 16).
 */
#define WARD_SUMMARY_NO_SCORE  (WARD_BAND_HIGH + 1)
#define WARD_SUMMARY_N_COLUMNS (WARD_BAND_HIGH + 2)

/* The settings key holding the ward's name: the pipeline writes the
 * ward file's "name" there at start, the summary and its reports read it.
 */
#define WARD_SUMMARY_WARD_NAME_KEY "ward-name"

/* Hour marks of the census chart: to - 23 h, ..., to - 1 h, to. */
#define WARD_SUMMARY_CENSUS_HOURS 24
/* A patient counts at an hour mark when scored within this before it. */
#define WARD_SUMMARY_CENSUS_PRESENCE_USEC (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

/* Bins of the response-time distribution: minutes from the task's
 * request to its first acceptance, [0, 5), [5, 10), [10, 15), [15, 20),
 * [20, 30), [30, 45), [45, 60), [60, 90), 90 and over; and a last bin for
 * tasks not accepted within their target.
 */
#define WARD_SUMMARY_N_RESPONSE_BINS 10
extern const int ward_summary_response_bin_start[WARD_SUMMARY_N_RESPONSE_BINS - 1];

typedef struct
{
  gint64    from;                 /* UTC microseconds, included */
  gint64    to;                   /* UTC microseconds, excluded; the summary's "now" */
  /* Response targets (NULL: the default care policy, 60 min, 30 min for
   * high) and observation frequencies (NULL: the default obs policy).
   */
  const WardCarePolicy *care_policy;
  const WardObsPolicy  *obs_policy;
  /* Also read each flag's timeline and the handover notes (the report;
   * the view does without).
   */
  gboolean  details;
} WardSummaryOptions;

typedef struct
{
  gint64  target_usec;        /* the band's response target (policy) */
  /* Clinical flags whose first task was requested in the period, and
   * whose outcome is known at `to`: accepted (by anyone in the flag's
   * escalation chain), or not accepted within the target.  A flag that
   * closed before its target passed, unaccepted, needed no response and
   * is not counted; nor is one still within its target at `to`.
   */
  guint   n_counted;
  guint   n_accepted;         /* accepted, at any time before `to` */
  guint   n_within;           /* accepted within target */
  guint   n_missed;           /* not accepted within target: n_counted - n_within */
  gint64  median_usec;        /* median request-to-acceptance of the accepted; -1: none */
} WardSummaryResponse;

typedef struct
{
  char   *device_id;
  char   *bed_label;          /* the device's bed now, or NULL */
  guint   n_alerts;           /* technical flags (a silent device) open at any time in the period */
  gint64  alarm_usec;         /* how long they were open within the period */
} WardSummaryDevice;

typedef struct
{
  char   *bed_id;             /* NULL: patients no longer in a bed */
  char   *bed_label;
  guint   n_flags;            /* clinical and technical flags opened in the period */
  guint   n_notifications;    /* staff told: care communications of kind notification or escalation */
  double  flags_per_day;      /* n_flags per 24 h of the period */
  double  notifications_per_day;
} WardSummaryBed;

typedef struct
{
  char   *stage;              /* a dead letter's stage, or "fhir-rejected" */
  guint   count;
} WardSummaryIssue;

typedef struct
{
  char   *bed_label;          /* for a patient not in a bed now: NULL */
  char   *patient_name;       /* full name, or NULL; the writer applies the privacy setting */
  char   *patient_id;
} WardSummaryOverdue;

/* One flag's timeline (details only). */
typedef struct
{
  gint64  id;
  char   *kind;               /* clinical, technical */
  char   *band;               /* the flag's band (the highest it reached) */
  char   *subject;            /* technical: the device */
  char   *patient_id;
  char   *patient_name;
  char   *bed_label;
  gint64  opened_at;
  gint64  acknowledged_at;    /* 0: not */
  char   *acknowledged_by;
  gint64  accepted_at;        /* the first acceptance of a task of the flag; 0: none */
  char   *accepted_by;
  gint64  escalated_at;       /* band rose, or a task escalated: the earlier; 0: never */
  char   *escalated_to;       /* the role the task escalated to, or NULL */
  gint64  closed_at;          /* 0: still open at `to` */
  char   *outcome;            /* a completed task's outcome, or NULL */
  char   *note;               /* its note, or NULL */
} WardSummaryFlag;

/* One bed's SBAR note of a handover offered in the period (details only). */
typedef struct
{
  gint64  offered_at;
  gint64  accepted_at;        /* 0: not accepted */
  char   *from_staff;
  char   *to_staff;
  char   *bed_label;
  char   *patient_id;
  char   *patient_name;
  char   *situation;
  char   *background;
  char   *assessment;
  char   *recommendation;
} WardSummaryNote;

typedef struct
{
  gint64  from;
  gint64  to;
  char   *ward_name;          /* the ward file's "name" (settings key ward-name), or NULL */
  guint   n_beds;             /* beds of the ward now: the alarm burden's denominator */

  /* Census at `to`: patients in a bed now, by the band of their latest
   * NEWS2 score at or before `to` (no score, or NEWS2 not applicable:
   * WARD_SUMMARY_NO_SCORE).
   */
  guint   census[WARD_SUMMARY_N_COLUMNS];
  /* The same at each hour mark, from the history: census_at[i] = to -
   * (23 - i) h; the last is `census`.  At an earlier mark a patient
   * counts when a NEWS2 window of theirs ended within the hour before
   * it (WARD_SUMMARY_CENSUS_PRESENCE_USEC; patients are scored while in
   * a bed, so one discharged since still counts), or when they are in a
   * bed now and had a score by then (their stay had begun), by the band
   * of their latest score at the mark.
   */
  gint64  census_at[WARD_SUMMARY_CENSUS_HOURS];
  guint   census_series[WARD_SUMMARY_CENSUS_HOURS][WARD_SUMMARY_N_COLUMNS];

  /* Flags opened and closed in the period, clinical by band (the flag's
   * band now, which is the highest it reached), and technical.
   */
  guint   opened[WARD_BAND_HIGH + 1];
  guint   closed[WARD_BAND_HIGH + 1];
  guint   technical_opened;
  guint   technical_closed;
  guint   open_at_end;        /* clinical flags still open at `to` */

  /* Response times against the targets, per band of the task. */
  WardSummaryResponse response[WARD_BAND_HIGH + 1];
  /* All bands: accepted responses per bin, and the missed in the last. */
  guint   response_bins[WARD_SUMMARY_N_RESPONSE_BINS];

  /* Observations overdue at `to`: patients in a bed now, not on
   * continuous monitoring, whose next full set (NEWS2 observation
   * frequency for the latest score, from the latest complete score's
   * window end; from the first score when none was complete) was due
   * before `to`.
   */
  GPtrArray *overdue;         /* of WardSummaryOverdue */

  /* Technical alarm time per device, longest first. */
  GPtrArray *devices;         /* of WardSummaryDevice */

  /* Alarm burden: flags (clinical and technical) and notifications per
   * bed per 24 h.  days is the period in days; the ward figures divide
   * the ward's totals by n_beds and days.  Per bed, by the bed the
   * patient is in now.
   */
  double  days;
  guint   n_flags;
  guint   n_notifications;
  double  flags_per_bed_day;
  double  notifications_per_bed_day;
  GPtrArray *beds;            /* of WardSummaryBed, by bed label; "not in a bed" last */

  /* Data issues in the period: dead letters by stage, and resources the
   * FHIR server rejected ("fhir-rejected").
   */
  guint   n_issues;
  GPtrArray *issues;          /* of WardSummaryIssue */

  /* Details (options->details): flags open at any time in the period,
   * oldest first, and the handover notes offered in the period.
   */
  GPtrArray *flags;           /* of WardSummaryFlag, or NULL */
  GPtrArray *notes;           /* of WardSummaryNote, or NULL */
} WardSummary;

void         ward_summary_free           (WardSummary               *summary);

/* Reads every figure in one read transaction, so that they agree. */
WardSummary *ward_summary_compute        (WardStore                 *store,
                                          const WardSummaryOptions  *options,
                                          GError                   **error);

/* The same in a worker thread on its own read-only connection (the UI). */
void         ward_summary_load_async     (const char                *db_path,
                                          const WardSummaryOptions  *options,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data);
WardSummary *ward_summary_load_finish    (GAsyncResult              *result,
                                          GError                   **error);

/* The column's name as in the CSV files: "low", ..., "high", "no-score". */
const char  *ward_summary_column_name    (guint                      column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardSummary, ward_summary_free)

G_END_DECLS
