/* ward-features.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* The features of one patient at one time ("the window end"): what a
 * risk model is trained on and scored with.  Every feature is defined
 * once, in one static table (ward-features.c); the code computes from it,
 * `wardwatch-cli features --list` prints it and docs/ARCHITECTURE.md
 * holds that print (a test compares them).  Names are a contract with
 * those who train models: never rename one, only add.
 *
 * A row is a double per feature in table order.  A feature that cannot
 * be computed (no value in its span, too few values for a standard
 * deviation or a slope, unknown age) is NaN, which XGBoost reads as
 * missing.
 */

/* The continuous vital signs that have statistics. */
typedef enum
{
  WARD_FEATURE_PARAM_RR,
  WARD_FEATURE_PARAM_SPO2,
  WARD_FEATURE_PARAM_SBP,
  WARD_FEATURE_PARAM_HR,
  WARD_FEATURE_PARAM_TEMP,
  WARD_FEATURE_N_PARAMS
} WardFeatureParam;

/* The spans statistics look back over, ending at the window end.  The
 * names (30m, 4h, 24h) are fixed; their lengths are in WardFeatureConfig.
 */
typedef enum
{
  WARD_FEATURE_SPAN_30M,
  WARD_FEATURE_SPAN_4H,
  WARD_FEATURE_SPAN_24H,
  WARD_FEATURE_N_SPANS
} WardFeatureSpan;

typedef enum
{
  WARD_FEATURE_STAT_LATEST,
  WARD_FEATURE_STAT_SINCE_LAST,
  WARD_FEATURE_STAT_MEAN,
  WARD_FEATURE_STAT_MIN,
  WARD_FEATURE_STAT_MAX,
  WARD_FEATURE_STAT_SD,
  WARD_FEATURE_STAT_SLOPE,
  WARD_FEATURE_STAT_NEWS2_TOTAL,
  WARD_FEATURE_STAT_NEWS2_POINTS,
  WARD_FEATURE_STAT_AGE,
  WARD_FEATURE_STAT_SPO2_SCALE,
  WARD_FEATURE_STAT_ON_OXYGEN,
} WardFeatureStat;

/* One feature.  param is a WardFeatureParam for the vital-sign
 * statistics, a WardNews2Param for NEWS2 sub-scores, -1 otherwise; span
 * is a WardFeatureSpan or -1.
 */
typedef struct
{
  const char      *name;
  const char      *parameter;     /* "rr", ..., "news2", "patient" */
  WardFeatureStat  stat;
  int              param;
  int              span;
  const char      *unit;
  const char      *description;
} WardFeatureDef;

#define WARD_FEATURE_N_FEATURES 96

/* Slopes are Theil-Sen (ward-theil-sen.h) through per-bucket medians:
 * a span's values are grouped into buckets of
 * MAX (WARD_FEATURE_MIN_BUCKET, span / WARD_FEATURE_MAX_BUCKETS) aligned
 * on the epoch, each bucket becomes one point (the median time and the
 * median value of its values), and the slope needs at least
 * WARD_FEATURE_MIN_SLOPE_POINTS such points.  A day of 1 Hz pulse
 * (86,400 values) is 288 five-minute points, an exact slope.
 */
#define WARD_FEATURE_MIN_BUCKET        WARD_USEC_PER_MINUTE
#define WARD_FEATURE_MAX_BUCKETS       288
#define WARD_FEATURE_MIN_SLOPE_POINTS  3

typedef struct
{
  gint64 span_usec[WARD_FEATURE_N_SPANS];
} WardFeatureConfig;

typedef struct
{
  gint64      t;          /* observed_at, UTC usec */
  double      value;
  WardSource  source;
} WardFeaturePoint;

/* A patient's measurements (every kind, each in time order) and the
 * patient's context.  The features at a time use the values observed
 * at or before it; the series should reach back the longest span.
 */
typedef struct
{
  GArray *points[WARD_MEAS_N_KINDS];   /* of WardFeaturePoint */
  int     spo2_scale;                  /* 1 or 2 */
  char   *birth_date;                  /* a FHIR date, NULL if unknown */
  /* The SpO2 scale's changes (WardFeatureScaleChange, in time order),
   * when the series is read back from history: each window then uses
   * the scale valid at its time, not the patient's scale today.  Empty:
   * spo2_scale holds for every time.
   */
  GArray *spo2_scale_changes;
} WardFeatureSeries;

typedef struct
{
  gint64  t;
  int     spo2_scale;
} WardFeatureScaleChange;

void                  ward_feature_config_init    (WardFeatureConfig        *config);

guint                 ward_features_get_n         (void);
const WardFeatureDef *ward_features_get           (guint                     index);
/* The index of a feature by name, or -1. */
int                   ward_features_lookup        (const char               *name);
const char           *ward_feature_stat_to_string (WardFeatureStat           stat);
const char           *ward_feature_span_to_string (WardFeatureSpan           span);

WardFeatureSeries    *ward_feature_series_new     (void);
void                  ward_feature_series_free    (WardFeatureSeries        *series);
/* Appends a point; points of one kind must come in time order (equal
 * times allowed).
 */
void                  ward_feature_series_add     (WardFeatureSeries        *series,
                                                   WardMeasKind              kind,
                                                   gint64                    t,
                                                   double                    value,
                                                   WardSource                source);
void                  ward_feature_series_clear   (WardFeatureSeries        *series);
/* Records that the SpO2 scale became spo2_scale at t (in time order). */
void                  ward_feature_series_add_spo2_scale (WardFeatureSeries *series,
                                                   gint64                    t,
                                                   int                       spo2_scale);
/* The scale valid at time at: the newest change at or before it; before
 * the first change the default, Scale 1 (Scale 2 is a prescription the
 * ward records); with no change, spo2_scale.
 */
int                   ward_feature_series_spo2_scale_at (const WardFeatureSeries *series,
                                                   gint64                    at);

/* Fills row (WARD_FEATURE_N_FEATURES doubles, table order) with the
 * features at time at.  config NULL means the default spans.  Pure: it
 * reads only its arguments.
 */
void                  ward_features_compute       (const WardFeatureSeries  *series,
                                                   gint64                    at,
                                                   const WardFeatureConfig  *config,
                                                   double                   *row);

/* The table as Markdown (name, parameter, statistic, span, unit,
 * description), as docs/ARCHITECTURE.md holds it.
 */
char                 *ward_features_to_markdown   (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardFeatureSeries, ward_feature_series_free)

G_END_DECLS
