/* ward-history.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* One patient's history over a time range, read from the store on a
 * read-only connection of its own (WAL lets it read beside the pipeline's
 * writer).  A WardHistory is immutable once loaded: the UI loads it in a
 * worker thread and swaps it in on the main thread.
 */

#define WARD_HISTORY_ERROR (ward_history_error_quark ())

typedef enum
{
  WARD_HISTORY_ERROR_OPEN,
  WARD_HISTORY_ERROR_SCHEMA,
  WARD_HISTORY_ERROR_SQL,
} WardHistoryError;

typedef struct
{
  gint64      t;          /* observed_at, UTC usec */
  double      value;
  WardSource  source;
} WardHistoryPoint;

/* One parameter's contribution to a stored window score, from its inputs. */
typedef struct
{
  gboolean    present;
  double      value;      /* ACVPU as a WardAcvpu, air/oxygen as 0/1 */
  int         points;
  WardSource  source;
  gint64      observed_at;
  char       *entered_by; /* the nurse who entered it, NULL for device values */
} WardHistoryInput;

typedef struct
{
  gint64            window_start;
  gint64            window_end;
  gint64            computed_at;
  int               total;
  WardBand          band;
  gboolean          complete;
  gboolean          final;
  char             *confirmed_by;
  gint64            confirmed_at;
  int               spo2_scale;
  int               age;              /* at the window's end, -1 if unknown */
  gboolean          news2_applicable; /* FALSE under 16: kept for the record, no risk */
  WardHistoryInput  inputs[WARD_NEWS2_N_PARAMS];
} WardHistoryScore;

typedef struct
{
  gint64    id;
  char     *kind;              /* "clinical" or "technical" */
  char     *subject;
  WardBand  band;
  gint64    opened_at;
  gint64    escalated_at;      /* 0 if never */
  gint64    closed_at;         /* 0 while open */
  char     *reason;
  char     *acknowledged_by;
  gint64    acknowledged_at;
} WardHistoryFlag;

typedef struct _WardHistory WardHistory;

#define WARD_TYPE_HISTORY (ward_history_get_type ())

GType                   ward_history_get_type          (void) G_GNUC_CONST;
GQuark                  ward_history_error_quark       (void);

/* A span whose decimation buckets (two points each, so (to - from) /
 * (max_points / 2)) are at least this wide is read from the history
 * roll-ups rather than the raw measurements: the minute roll-ups when
 * (to - from) holds at most max_points minutes, else the hourly ones.
 * With the patient view's 1,600 points that is from about 13 hours on.
 */
#define WARD_HISTORY_ROLLUP_BUCKET (60 * G_TIME_SPAN_SECOND)
#define WARD_HISTORY_ROLLUP_MINUTE 60      /* seconds, as measurement_rollups.span */
#define WARD_HISTORY_ROLLUP_HOUR   3600

/* Reads measurements observed in (from, to], the scores of windows ending
 * in it and the flags open during it.  max_points > 0 limits each series:
 * a longer one is decimated per time bucket, keeping each bucket's
 * minimum and maximum (so a spike survives) and every nurse entry.  From
 * WARD_HISTORY_ROLLUP_BUCKET on the device points come from the roll-ups
 * (each bucket's minimum and maximum at its middle) plus the raw rows not
 * rolled up yet, so they reach back past the raw retention.
 * Blocking: call it from a worker thread.
 */
WardHistory            *ward_history_load              (const char    *db_path,
                                                        const char    *patient_id,
                                                        gint64         from,
                                                        gint64         to,
                                                        guint          max_points,
                                                        GCancellable  *cancellable,
                                                        GError       **error);
void                    ward_history_load_async        (const char    *db_path,
                                                        const char    *patient_id,
                                                        gint64         from,
                                                        gint64         to,
                                                        guint          max_points,
                                                        GCancellable  *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer       user_data);
WardHistory            *ward_history_load_finish       (GAsyncResult  *result,
                                                        GError       **error);

WardHistory            *ward_history_ref               (WardHistory   *self);
void                    ward_history_unref             (WardHistory   *self);

const char             *ward_history_get_patient_id    (WardHistory   *self);
gint64                  ward_history_get_from          (WardHistory   *self);
gint64                  ward_history_get_to            (WardHistory   *self);
/* The points of one kind in time order, and how many the store held
 * before decimation.
 */
const WardHistoryPoint *ward_history_get_points        (WardHistory   *self,
                                                        WardMeasKind   kind,
                                                        guint         *n_points);
guint                   ward_history_get_n_stored      (WardHistory   *self,
                                                        WardMeasKind   kind);
gboolean                ward_history_is_decimated      (WardHistory   *self,
                                                        WardMeasKind   kind);
/* Scores by window end, oldest first. */
guint                   ward_history_get_n_scores      (WardHistory   *self);
const WardHistoryScore *ward_history_get_score         (WardHistory   *self,
                                                        guint          index);
/* Flags by opening time, oldest first. */
guint                   ward_history_get_n_flags       (WardHistory   *self);
const WardHistoryFlag  *ward_history_get_flag          (WardHistory   *self,
                                                        guint          index);
/* The patient's SpO2 scale and who set it (NULL if nobody did). */
int                     ward_history_get_spo2_scale    (WardHistory   *self,
                                                        const char   **set_by,
                                                        gint64        *set_at);

/* Decimation on its own, for tests and callers with points in memory:
 * points in time order, buckets of (to - from) / (max_points / 2).
 */
GArray                 *ward_history_decimate          (const WardHistoryPoint *points,
                                                        guint          n_points,
                                                        gint64         from,
                                                        gint64         to,
                                                        guint          max_points);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardHistory, ward_history_unref)

G_END_DECLS
