/* ward-features.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-features"

#include "config.h"

#include <math.h>

#include "ward-features.h"
#include "ward-news2.h"
#include "ward-score-window.h"
#include "ward-theil-sen.h"

/* The table.  One vital sign's 17 rows come from one macro so that names
 * and descriptions cannot drift apart; the strings are put together by
 * the compiler, the table stays static and constant.
 */
#define STAT_ROWS(p, P, label, unit, stat, STAT, what)                              \
  { p "_" stat "_30m", p, WARD_FEATURE_STAT_##STAT, WARD_FEATURE_PARAM_##P,        \
    WARD_FEATURE_SPAN_30M, unit, what " " label " over the last 30 min" },          \
  { p "_" stat "_4h", p, WARD_FEATURE_STAT_##STAT, WARD_FEATURE_PARAM_##P,         \
    WARD_FEATURE_SPAN_4H, unit, what " " label " over the last 4 h" },              \
  { p "_" stat "_24h", p, WARD_FEATURE_STAT_##STAT, WARD_FEATURE_PARAM_##P,        \
    WARD_FEATURE_SPAN_24H, unit, what " " label " over the last 24 h" }

#define PARAM_ROWS(p, P, label, unit)                                               \
  { p "_latest", p, WARD_FEATURE_STAT_LATEST, WARD_FEATURE_PARAM_##P, -1, unit,     \
    "Newest " label " in the last 24 h" },                                          \
  { p "_since_last_min", p, WARD_FEATURE_STAT_SINCE_LAST, WARD_FEATURE_PARAM_##P,   \
    -1, "min", "Minutes since the newest " label " in the last 24 h" },             \
  STAT_ROWS (p, P, label, unit, "mean", MEAN, "Mean"),                              \
  STAT_ROWS (p, P, label, unit, "min", MIN, "Lowest"),                              \
  STAT_ROWS (p, P, label, unit, "max", MAX, "Highest"),                             \
  STAT_ROWS (p, P, label, unit, "sd", SD, "Sample standard deviation of"),          \
  STAT_ROWS (p, P, label, unit "/h", "slope", SLOPE,                                \
             "Theil-Sen slope (per hour) of the per-bucket medians of")

#define NEWS2_ROW(name, P, label)                                                   \
  { "news2_" name, "news2", WARD_FEATURE_STAT_NEWS2_POINTS, WARD_NEWS2_##P, -1,     \
    "points", "NEWS2 points for " label " (values that still count)" }

static const WardFeatureDef features[] = {
  PARAM_ROWS ("rr", RR, "respiration rate", "/min"),
  PARAM_ROWS ("spo2", SPO2, "SpO2", "%"),
  PARAM_ROWS ("sbp", SBP, "systolic blood pressure", "mmHg"),
  PARAM_ROWS ("hr", HR, "pulse", "/min"),
  PARAM_ROWS ("temp", TEMP, "temperature", "C"),
  { "news2_total", "news2", WARD_FEATURE_STAT_NEWS2_TOTAL, -1, -1, "points",
    "NEWS2 total of the values that still count, as the window score" },
  NEWS2_ROW ("rr", RR, "respiration rate"),
  NEWS2_ROW ("spo2", SPO2, "SpO2"),
  NEWS2_ROW ("air_or_oxygen", AIR_OR_OXYGEN, "air or oxygen"),
  NEWS2_ROW ("sbp", SBP, "systolic blood pressure"),
  NEWS2_ROW ("hr", HR, "pulse"),
  NEWS2_ROW ("consciousness", CONSCIOUSNESS, "consciousness"),
  NEWS2_ROW ("temp", TEMP, "temperature"),
  { "age_years", "patient", WARD_FEATURE_STAT_AGE, -1, -1, "years",
    "Age in full years from the birth date" },
  { "spo2_scale", "patient", WARD_FEATURE_STAT_SPO2_SCALE, -1, -1, "1 or 2",
    "The patient's SpO2 scale" },
  { "on_oxygen", "patient", WARD_FEATURE_STAT_ON_OXYGEN, -1, -1, "0 or 1",
    "On supplemental oxygen (1) or air (0), as NEWS2 counts it" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (features) == WARD_FEATURE_N_FEATURES);

static const WardMeasKind param_kinds[WARD_FEATURE_N_PARAMS] = {
  [WARD_FEATURE_PARAM_RR] = WARD_MEAS_RR,
  [WARD_FEATURE_PARAM_SPO2] = WARD_MEAS_SPO2,
  [WARD_FEATURE_PARAM_SBP] = WARD_MEAS_SBP,
  [WARD_FEATURE_PARAM_HR] = WARD_MEAS_HR,
  [WARD_FEATURE_PARAM_TEMP] = WARD_MEAS_TEMP,
};

static const char * const stat_names[] = {
  [WARD_FEATURE_STAT_LATEST] = "latest",
  [WARD_FEATURE_STAT_SINCE_LAST] = "since_last",
  [WARD_FEATURE_STAT_MEAN] = "mean",
  [WARD_FEATURE_STAT_MIN] = "min",
  [WARD_FEATURE_STAT_MAX] = "max",
  [WARD_FEATURE_STAT_SD] = "sd",
  [WARD_FEATURE_STAT_SLOPE] = "slope",
  [WARD_FEATURE_STAT_NEWS2_TOTAL] = "news2_total",
  [WARD_FEATURE_STAT_NEWS2_POINTS] = "news2_points",
  [WARD_FEATURE_STAT_AGE] = "age",
  [WARD_FEATURE_STAT_SPO2_SCALE] = "spo2_scale",
  [WARD_FEATURE_STAT_ON_OXYGEN] = "on_oxygen",
};

static const char * const span_names[WARD_FEATURE_N_SPANS] = {
  [WARD_FEATURE_SPAN_30M] = "30m",
  [WARD_FEATURE_SPAN_4H] = "4h",
  [WARD_FEATURE_SPAN_24H] = "24h",
};

/* The statistics of one vital sign over one span. */
typedef struct
{
  double mean;
  double min;
  double max;
  double sd;
  double slope;
} SpanStats;

void
ward_feature_config_init (WardFeatureConfig *config)
{
  g_return_if_fail (config != NULL);

  config->span_usec[WARD_FEATURE_SPAN_30M] = 30 * WARD_USEC_PER_MINUTE;
  config->span_usec[WARD_FEATURE_SPAN_4H] = 4 * WARD_USEC_PER_HOUR;
  config->span_usec[WARD_FEATURE_SPAN_24H] = 24 * WARD_USEC_PER_HOUR;
}

guint
ward_features_get_n (void)
{
  return G_N_ELEMENTS (features);
}

const WardFeatureDef *
ward_features_get (guint index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (features), NULL);

  return &features[index];
}

int
ward_features_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    if (g_str_equal (features[i].name, name))
      return (int) i;

  return -1;
}

const char *
ward_feature_stat_to_string (WardFeatureStat stat)
{
  g_return_val_if_fail ((guint) stat < G_N_ELEMENTS (stat_names), NULL);

  return stat_names[stat];
}

const char *
ward_feature_span_to_string (WardFeatureSpan span)
{
  g_return_val_if_fail ((guint) span < WARD_FEATURE_N_SPANS, NULL);

  return span_names[span];
}

WardFeatureSeries *
ward_feature_series_new (void)
{
  WardFeatureSeries *series = g_new0 (WardFeatureSeries, 1);

  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    series->points[k] = g_array_new (FALSE, FALSE, sizeof (WardFeaturePoint));
  series->spo2_scale = 1;
  series->spo2_scale_changes = g_array_new (FALSE, FALSE, sizeof (WardFeatureScaleChange));

  return series;
}

void
ward_feature_series_free (WardFeatureSeries *series)
{
  if (series == NULL)
    return;

  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    g_array_unref (series->points[k]);
  g_clear_pointer (&series->spo2_scale_changes, g_array_unref);
  g_free (series->birth_date);
  g_free (series);
}

void
ward_feature_series_clear (WardFeatureSeries *series)
{
  g_return_if_fail (series != NULL);

  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    g_array_set_size (series->points[k], 0);
  g_clear_pointer (&series->birth_date, g_free);
  series->spo2_scale = 1;
  if (series->spo2_scale_changes != NULL)
    g_array_set_size (series->spo2_scale_changes, 0);
}

void
ward_feature_series_add_spo2_scale (WardFeatureSeries *series,
                                    gint64             t,
                                    int                spo2_scale)
{
  WardFeatureScaleChange change = { t, spo2_scale == 2 ? 2 : 1 };

  g_return_if_fail (series != NULL && series->spo2_scale_changes != NULL);
  g_return_if_fail (series->spo2_scale_changes->len == 0 ||
                    g_array_index (series->spo2_scale_changes, WardFeatureScaleChange,
                                   series->spo2_scale_changes->len - 1).t <= t);

  g_array_append_val (series->spo2_scale_changes, change);
}

int
ward_feature_series_spo2_scale_at (const WardFeatureSeries *series,
                                   gint64                   at)
{
  GArray *changes;
  int scale = 1;

  g_return_val_if_fail (series != NULL, 1);

  changes = series->spo2_scale_changes;
  if (changes == NULL || changes->len == 0)
    return series->spo2_scale == 2 ? 2 : 1;

  for (guint i = 0; i < changes->len; i++)
    {
      const WardFeatureScaleChange *c = &g_array_index (changes, WardFeatureScaleChange, i);

      if (c->t > at)
        break;
      scale = c->spo2_scale;
    }

  return scale;
}

void
ward_feature_series_add (WardFeatureSeries *series,
                         WardMeasKind       kind,
                         gint64             t,
                         double             value,
                         WardSource         source)
{
  WardFeaturePoint point = { t, value, source };
  GArray *points;

  g_return_if_fail (series != NULL);
  g_return_if_fail (kind < WARD_MEAS_N_KINDS);

  points = series->points[kind];
  g_return_if_fail (points->len == 0 ||
                    g_array_index (points, WardFeaturePoint, points->len - 1).t <= t);

  g_array_append_val (points, point);
}

/* The number of points at or before at: the end of the usable prefix. */
static guint
count_until (const GArray *points,
             gint64        at)
{
  const WardFeaturePoint *p = (const WardFeaturePoint *) points->data;
  guint lo = 0, hi = points->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (p[mid].t <= at)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/* The first point after from, among the first end ones. */
static guint
first_after (const WardFeaturePoint *p,
             guint                   end,
             gint64                  from)
{
  guint lo = 0, hi = end;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (p[mid].t <= from)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/* Per-bucket medians of p[first, end) then their Theil-Sen slope per
 * hour.  Times are taken relative to at, in hours.
 */
static double
bucket_slope (const WardFeaturePoint *p,
              guint                   first,
              guint                   end,
              gint64                  span_usec,
              gint64                  at)
{
  gint64 bucket = MAX (WARD_FEATURE_MIN_BUCKET, span_usec / WARD_FEATURE_MAX_BUCKETS);
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bt = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bv = g_array_new (FALSE, FALSE, sizeof (double));
  guint i = first;

  while (i < end)
    {
      /* Buckets are aligned on the epoch (times are after 1970). */
      gint64 key = p[i].t / bucket;
      double x, y;

      g_array_set_size (bt, 0);
      g_array_set_size (bv, 0);
      for (; i < end && p[i].t / bucket == key; i++)
        {
          double t = (double) (p[i].t - at) / WARD_USEC_PER_HOUR;

          g_array_append_val (bt, t);
          g_array_append_val (bv, p[i].value);
        }

      x = ward_median_inplace ((double *) bt->data, bt->len);
      y = ward_median_inplace ((double *) bv->data, bv->len);
      g_array_append_val (xs, x);
      g_array_append_val (ys, y);
    }

  if (xs->len < WARD_FEATURE_MIN_SLOPE_POINTS)
    return NAN;

  return ward_theil_sen_slope ((double *) xs->data, (double *) ys->data, xs->len);
}

static void
compute_span (const WardFeaturePoint *p,
              guint                   end,
              gint64                  at,
              gint64                  span_usec,
              SpanStats              *stats)
{
  guint first = first_after (p, end, at - span_usec);
  guint n = end - first;
  double sum = 0, mean, ss = 0;

  stats->mean = stats->min = stats->max = stats->sd = stats->slope = NAN;
  if (n == 0)
    return;

  stats->min = stats->max = p[first].value;
  for (guint i = first; i < end; i++)
    {
      sum += p[i].value;
      stats->min = MIN (stats->min, p[i].value);
      stats->max = MAX (stats->max, p[i].value);
    }
  mean = sum / n;
  stats->mean = mean;

  /* Two passes: the deviations from the mean, not sums of squares that
   * cancel badly for values like a saturation of 97 +- 0.5.
   */
  if (n >= 2)
    {
      for (guint i = first; i < end; i++)
        ss += (p[i].value - mean) * (p[i].value - mean);
      stats->sd = sqrt (ss / (n - 1));
    }

  stats->slope = bucket_slope (p, first, end, span_usec, at);
}

/* The newest value of a kind at or before at, of any source and of a
 * nurse's, as scoring takes them.
 */
static void
latest_values (const WardFeatureSeries *series,
               gint64                   at,
               WardLatestValue         *latest,
               WardLatestValue         *nurse)
{
  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    {
      const WardFeaturePoint *p = (const WardFeaturePoint *) series->points[k]->data;
      guint end = count_until (series->points[k], at);

      latest[k] = (WardLatestValue) { 0 };
      nurse[k] = (WardLatestValue) { 0 };
      if (end == 0)
        continue;

      latest[k].valid = TRUE;
      latest[k].value = p[end - 1].value;
      latest[k].observed_at = p[end - 1].t;
      latest[k].source = p[end - 1].source;

      for (guint i = end; i > 0; i--)
        if (p[i - 1].source == WARD_SOURCE_NURSE)
          {
            nurse[k].valid = TRUE;
            nurse[k].value = p[i - 1].value;
            nurse[k].observed_at = p[i - 1].t;
            nurse[k].source = WARD_SOURCE_NURSE;
            break;
          }
    }
}

/**
 * ward_features_compute:
 * @series: the patient's measurements and context
 * @at: the window end: values observed at or before it count
 * @config: (nullable): the spans, or %NULL for the defaults
 * @row: (out caller-allocates): WARD_FEATURE_N_FEATURES doubles
 *
 * Statistics of a span use the values observed in (at - span, at].
 * The NEWS2 features are those of the window score at @at: the newest
 * value of each parameter while it still counts (ward-score-window.h,
 * default ward policy), so a model sees the score the ward saw.
 */
void
ward_features_compute (const WardFeatureSeries *series,
                       gint64                   at,
                       const WardFeatureConfig *config,
                       double                  *row)
{
  WardFeatureConfig defaults;
  SpanStats stats[WARD_FEATURE_N_PARAMS][WARD_FEATURE_N_SPANS];
  double latest_value[WARD_FEATURE_N_PARAMS];
  double since_last[WARD_FEATURE_N_PARAMS];
  WardLatestValue latest[WARD_MEAS_N_KINDS];
  WardLatestValue nurse[WARD_MEAS_N_KINDS];
  WardWindowPolicy policy;
  WardWindowScore score;
  gboolean any_news2 = FALSE;
  int age;
  int spo2_scale;

  g_return_if_fail (series != NULL);
  g_return_if_fail (row != NULL);

  if (config == NULL)
    {
      ward_feature_config_init (&defaults);
      config = &defaults;
    }

  for (guint fp = 0; fp < WARD_FEATURE_N_PARAMS; fp++)
    {
      const GArray *points = series->points[param_kinds[fp]];
      const WardFeaturePoint *p = (const WardFeaturePoint *) points->data;
      guint end = count_until (points, at);
      gint64 longest = 0;

      for (guint s = 0; s < WARD_FEATURE_N_SPANS; s++)
        {
          compute_span (p, end, at, config->span_usec[s], &stats[fp][s]);
          longest = MAX (longest, config->span_usec[s]);
        }

      latest_value[fp] = since_last[fp] = NAN;
      if (end > 0 && p[end - 1].t > at - longest)
        {
          latest_value[fp] = p[end - 1].value;
          since_last[fp] = (double) (at - p[end - 1].t) / WARD_USEC_PER_MINUTE;
        }
    }

  latest_values (series, at, latest, nurse);
  ward_window_policy_init (&policy);
  spo2_scale = ward_feature_series_spo2_scale_at (series, at);
  ward_window_score_full (&policy, latest, nurse, spo2_scale, at, &score);
  for (guint np = 0; np < WARD_NEWS2_N_PARAMS; np++)
    any_news2 |= score.result.points[np] >= 0;

  age = ward_age_in_years (series->birth_date, at);

  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    {
      const WardFeatureDef *def = &features[i];
      const SpanStats *span = def->span >= 0 ? &stats[def->param][def->span] : NULL;
      double value = NAN;

      switch (def->stat)
        {
        case WARD_FEATURE_STAT_LATEST:
          value = latest_value[def->param];
          break;
        case WARD_FEATURE_STAT_SINCE_LAST:
          value = since_last[def->param];
          break;
        case WARD_FEATURE_STAT_MEAN:
          value = span->mean;
          break;
        case WARD_FEATURE_STAT_MIN:
          value = span->min;
          break;
        case WARD_FEATURE_STAT_MAX:
          value = span->max;
          break;
        case WARD_FEATURE_STAT_SD:
          value = span->sd;
          break;
        case WARD_FEATURE_STAT_SLOPE:
          value = span->slope;
          break;
        case WARD_FEATURE_STAT_NEWS2_TOTAL:
          value = any_news2 ? score.result.total : NAN;
          break;
        case WARD_FEATURE_STAT_NEWS2_POINTS:
          if (score.result.points[def->param] >= 0)
            value = score.result.points[def->param];
          break;
        case WARD_FEATURE_STAT_AGE:
          value = age >= 0 ? age : NAN;
          break;
        case WARD_FEATURE_STAT_SPO2_SCALE:
          value = spo2_scale;
          break;
        case WARD_FEATURE_STAT_ON_OXYGEN:
          if (score.input.has_air_or_oxygen)
            value = score.input.on_oxygen ? 1 : 0;
          break;
        default:
          g_assert_not_reached ();
        }

      row[i] = value;
    }
}

char *
ward_features_to_markdown (void)
{
  GString *out = g_string_new (NULL);

  g_string_append (out, "| Name | Parameter | Statistic | Span | Unit | Description |\n");
  g_string_append (out, "|---|---|---|---|---|---|\n");
  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    {
      const WardFeatureDef *def = &features[i];

      g_string_append_printf (out, "| `%s` | %s | %s | %s | %s | %s |\n",
                              def->name, def->parameter,
                              ward_feature_stat_to_string (def->stat),
                              def->span >= 0 ? span_names[def->span] : "-",
                              def->unit, def->description);
    }

  return g_string_free (out, FALSE);
}
