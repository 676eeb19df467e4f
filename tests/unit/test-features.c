/* test-features.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-features"

#include "config.h"

#include <math.h>

#include "ward-features.h"

/* On a five-minute boundary, as window ends are. */
#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)
#define MINUTE (WARD_USEC_PER_MINUTE)

static double
feature (const double *row,
         const char   *name)
{
  int index = ward_features_lookup (name);

  g_assert_cmpint (index, >=, 0);
  return row[index];
}

#define assert_feature(row, name, expected) \
  g_assert_cmpfloat_with_epsilon (feature ((row), (name)), (expected), 1e-9)
#define assert_missing(row, name) \
  g_assert_true (isnan (feature ((row), (name))))

/* The names other engineers train models with are all there, once,
 * in the order of the contract.
 */
static void
test_names (void)
{
  const char *params[] = { "rr", "spo2", "sbp", "hr", "temp" };
  const char *stats[] = { "mean", "min", "max", "sd", "slope" };
  const char *spans[] = { "30m", "4h", "24h" };
  const char *others[] = {
    "news2_total", "news2_rr", "news2_spo2", "news2_air_or_oxygen", "news2_sbp",
    "news2_hr", "news2_consciousness", "news2_temp", "age_years", "spo2_scale", "on_oxygen",
  };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint expected = 0;

  for (guint p = 0; p < G_N_ELEMENTS (params); p++)
    {
      g_autofree char *latest = g_strdup_printf ("%s_latest", params[p]);
      g_autofree char *since = g_strdup_printf ("%s_since_last_min", params[p]);

      g_assert_cmpint (ward_features_lookup (latest), >=, 0);
      g_assert_cmpint (ward_features_lookup (since), ==, ward_features_lookup (latest) + 1);
      expected += 2;
      for (guint s = 0; s < G_N_ELEMENTS (stats); s++)
        for (guint w = 0; w < G_N_ELEMENTS (spans); w++)
          {
            g_autofree char *name = g_strdup_printf ("%s_%s_%s", params[p], stats[s], spans[w]);
            int index = ward_features_lookup (name);

            g_assert_cmpint (index, >=, 0);
            g_assert_cmpstr (ward_features_get (index)->name, ==, name);
            expected++;
          }
    }
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    g_assert_cmpint (ward_features_lookup (others[i]), >=, 0);
  expected += G_N_ELEMENTS (others);

  g_assert_cmpuint (ward_features_get_n (), ==, expected);
  g_assert_cmpuint (ward_features_get_n (), ==, WARD_FEATURE_N_FEATURES);
  for (guint i = 0; i < ward_features_get_n (); i++)
    {
      const WardFeatureDef *def = ward_features_get (i);

      g_assert_false (g_hash_table_contains (seen, def->name));
      g_hash_table_add (seen, (gpointer) def->name);
      g_assert_nonnull (def->unit);
      g_assert_nonnull (def->description);
    }

  g_assert_cmpint (ward_features_lookup ("hr_median_30m"), ==, -1);
}

/* A series whose features are worked out by hand in the comments. */
static WardFeatureSeries *
make_series (void)
{
  WardFeatureSeries *series = ward_feature_series_new ();

  /* Pulse: 60 three hours ago, then 80 to 90 by 2 every 5 minutes (24
   * per hour) up to NOW, and one value after NOW that must not count.
   */
  ward_feature_series_add (series, WARD_MEAS_HR, NOW - 180 * MINUTE, 60, WARD_SOURCE_DEVICE);
  for (int i = 0; i < 6; i++)
    ward_feature_series_add (series, WARD_MEAS_HR, NOW - (25 - 5 * i) * MINUTE, 80 + 2 * i,
                             WARD_SOURCE_DEVICE);
  ward_feature_series_add (series, WARD_MEAS_HR, NOW + MINUTE, 200, WARD_SOURCE_DEVICE);

  /* SpO2: 96 and 98 at one time, 95, then 94 at NOW. */
  ward_feature_series_add (series, WARD_MEAS_SPO2, NOW - 10 * MINUTE, 96, WARD_SOURCE_DEVICE);
  ward_feature_series_add (series, WARD_MEAS_SPO2, NOW - 10 * MINUTE, 98, WARD_SOURCE_DEVICE);
  ward_feature_series_add (series, WARD_MEAS_SPO2, NOW - 5 * MINUTE, 95, WARD_SOURCE_DEVICE);
  ward_feature_series_add (series, WARD_MEAS_SPO2, NOW, 94, WARD_SOURCE_DEVICE);

  /* Systolic pressure 100, 20 minutes ago. */
  ward_feature_series_add (series, WARD_MEAS_SBP, NOW - 20 * MINUTE, 100, WARD_SOURCE_DEVICE);

  /* One temperature, two hours ago; one from two days ago, too old. */
  ward_feature_series_add (series, WARD_MEAS_TEMP, NOW - 48 * 60 * MINUTE, 39.5, WARD_SOURCE_NURSE);
  ward_feature_series_add (series, WARD_MEAS_TEMP, NOW - 120 * MINUTE, 37.0, WARD_SOURCE_NURSE);

  /* A nurse's round an hour ago: on oxygen, alert. */
  ward_feature_series_add (series, WARD_MEAS_ON_OXYGEN, NOW - 60 * MINUTE, 1, WARD_SOURCE_NURSE);
  ward_feature_series_add (series, WARD_MEAS_CONSCIOUSNESS, NOW - 60 * MINUTE, WARD_ACVPU_ALERT,
                           WARD_SOURCE_NURSE);

  series->birth_date = g_strdup ("1950-01-01");
  series->spo2_scale = 1;

  return series;
}

static void
test_hand_computed (void)
{
  g_autoptr(WardFeatureSeries) series = make_series ();
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (NOW / G_USEC_PER_SEC);
  double row[WARD_FEATURE_N_FEATURES];

  ward_features_compute (series, NOW, NULL, row);

  /* Pulse: the value after NOW is not seen. */
  assert_feature (row, "hr_latest", 90);
  assert_feature (row, "hr_since_last_min", 0);
  assert_feature (row, "hr_mean_30m", 85);
  assert_feature (row, "hr_min_30m", 80);
  assert_feature (row, "hr_max_30m", 90);
  /* Deviations -5 -3 -1 1 3 5: 70 / 5. */
  assert_feature (row, "hr_sd_30m", sqrt (14));
  assert_feature (row, "hr_slope_30m", 24);
  /* Over 4 h and 24 h the 60 counts: (510 + 60) / 7. */
  assert_feature (row, "hr_mean_4h", 570.0 / 7);
  assert_feature (row, "hr_min_4h", 60);
  assert_feature (row, "hr_min_24h", 60);
  /* Its six slopes with the 60 are lower, the fifteen others are 24:
   * the median of 21 is 24, where least squares would give less.
   */
  assert_feature (row, "hr_slope_4h", 24);
  assert_feature (row, "hr_slope_24h", 24);

  /* SpO2: the two values at one time make one point, their median 97;
   * slopes per hour -24, -18, -12; the mean takes every value.
   */
  assert_feature (row, "spo2_latest", 94);
  assert_feature (row, "spo2_mean_30m", (96 + 98 + 95 + 94) / 4.0);
  assert_feature (row, "spo2_slope_30m", -18);
  assert_feature (row, "spo2_slope_24h", -18);

  /* One pressure: no spread, no slope. */
  assert_feature (row, "sbp_latest", 100);
  assert_feature (row, "sbp_since_last_min", 20);
  assert_feature (row, "sbp_mean_30m", 100);
  assert_missing (row, "sbp_sd_30m");
  assert_missing (row, "sbp_slope_30m");

  /* Temperature two hours ago: outside 30 min, inside 4 h; the one of
   * two days ago is outside every span.
   */
  assert_feature (row, "temp_latest", 37.0);
  assert_feature (row, "temp_since_last_min", 120);
  assert_missing (row, "temp_mean_30m");
  assert_feature (row, "temp_mean_4h", 37.0);
  assert_feature (row, "temp_max_24h", 37.0);
  assert_missing (row, "temp_sd_24h");

  /* No respiration rate at all. */
  assert_missing (row, "rr_latest");
  assert_missing (row, "rr_since_last_min");
  assert_missing (row, "rr_mean_24h");
  assert_missing (row, "news2_rr");

  /* NEWS2 (CLINICAL.md): pulse 90 scores 0, SpO2 94 on scale 1 scores
   * 1, oxygen 2, systolic 100 scores 2, alert 0, 37.0 C 0: total 5.
   */
  assert_feature (row, "news2_hr", 0);
  assert_feature (row, "news2_spo2", 1);
  assert_feature (row, "news2_air_or_oxygen", 2);
  assert_feature (row, "news2_sbp", 2);
  assert_feature (row, "news2_consciousness", 0);
  assert_feature (row, "news2_temp", 0);
  assert_feature (row, "news2_total", 5);
  assert_feature (row, "on_oxygen", 1);
  assert_feature (row, "spo2_scale", 1);
  assert_feature (row, "age_years", g_date_time_get_year (now) - 1950);
}

/* Spans are configurable; a later time sees later values. */
static void
test_config_and_time (void)
{
  g_autoptr(WardFeatureSeries) series = make_series ();
  WardFeatureConfig config;
  double row[WARD_FEATURE_N_FEATURES];

  ward_feature_config_init (&config);
  config.span_usec[WARD_FEATURE_SPAN_30M] = 10 * MINUTE;
  ward_features_compute (series, NOW, &config, row);
  /* (NOW - 10 min, NOW]: the value at the start is out; 88 and 90. */
  assert_feature (row, "hr_mean_30m", 89);

  /* Twelve hours later the pulse is 12 h old: outside 30 min and 4 h.
   * The SpO2 scale 2 and the oxygen make SpO2 94 score 1 (93-94 on O2),
   * but the oxygen no longer counts after 12 h... it is 13 h old.
   */
  series->spo2_scale = 2;
  ward_features_compute (series, NOW + 12 * 60 * MINUTE, NULL, row);
  assert_feature (row, "hr_latest", 200);
  assert_feature (row, "hr_since_last_min", 12 * 60 - 1);
  assert_missing (row, "hr_mean_4h");
  assert_feature (row, "spo2_scale", 2);
  /* Monitor values are 12 h old: they no longer count for NEWS2. */
  assert_missing (row, "news2_hr");
  assert_missing (row, "news2_spo2");
  assert_missing (row, "on_oxygen");

  /* Before any value: everything about vital signs is missing. */
  ward_features_compute (series, NOW - 100 * 60 * MINUTE, NULL, row);
  assert_missing (row, "hr_latest");
  assert_missing (row, "news2_total");
  for (guint i = 0; i < ward_features_get_n (); i++)
    {
      const WardFeatureDef *def = ward_features_get (i);

      if (def->stat != WARD_FEATURE_STAT_SPO2_SCALE && def->stat != WARD_FEATURE_STAT_AGE)
        g_assert_true (isnan (row[i]));
    }

  /* An unknown birth date is a missing age. */
  g_clear_pointer (&series->birth_date, g_free);
  ward_features_compute (series, NOW, NULL, row);
  assert_missing (row, "age_years");
}

/* A day of 1 Hz pulse rising 6 per hour: the slope over every span is
 * 6 per hour, from 288 five-minute medians for the day.
 */
static void
test_long_series (void)
{
  g_autoptr(WardFeatureSeries) series = ward_feature_series_new ();
  double row[WARD_FEATURE_N_FEATURES];

  for (gint64 s = 24 * 3600 - 1; s >= 0; s--)
    {
      gint64 t = NOW - s * G_USEC_PER_SEC;
      /* A one-beat jitter that least squares would not mind either; a
       * spike every 10 minutes that it would.
       */
      double value = 60 + 6.0 * (double) (t - (NOW - WARD_USEC_PER_HOUR * 24)) / WARD_USEC_PER_HOUR
                     + (s % 2 ? 0.5 : -0.5) + (s % 600 == 0 ? 80 : 0);

      ward_feature_series_add (series, WARD_MEAS_HR, t, value, WARD_SOURCE_DEVICE);
    }

  ward_features_compute (series, NOW, NULL, row);
  g_assert_cmpfloat_with_epsilon (feature (row, "hr_slope_24h"), 6.0, 0.01);
  g_assert_cmpfloat_with_epsilon (feature (row, "hr_slope_4h"), 6.0, 0.05);
  g_assert_cmpfloat_with_epsilon (feature (row, "hr_slope_30m"), 6.0, 0.2);
  g_assert_cmpfloat_with_epsilon (feature (row, "hr_max_30m"), 60 + 6.0 * 24 + 80 - 0.5, 1e-6);
}

/* docs/ARCHITECTURE.md holds the table as the code prints it. */
static void
test_docs_table (void)
{
  const char *source_dir = g_getenv ("WARD_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autofree char *docs = NULL;
  g_autofree char *table = ward_features_to_markdown ();
  g_autoptr(GError) error = NULL;

  if (source_dir == NULL)
    {
      g_test_skip ("WARD_SOURCE_DIR is not set");
      return;
    }

  path = g_build_filename (source_dir, "docs", "ARCHITECTURE.md", NULL);
  g_file_get_contents (path, &docs, NULL, &error);
  g_assert_no_error (error);
  if (strstr (docs, table) == NULL)
    g_error ("docs/ARCHITECTURE.md does not hold the feature table of the code; "
             "paste the output of `wardwatch-cli features --list` into it:\n%s", table);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/features/names", test_names);
  g_test_add_func ("/core/features/hand-computed", test_hand_computed);
  g_test_add_func ("/core/features/config-and-time", test_config_and_time);
  g_test_add_func ("/core/features/long-series", test_long_series);
  g_test_add_func ("/core/features/docs-table", test_docs_table);

  return g_test_run ();
}
