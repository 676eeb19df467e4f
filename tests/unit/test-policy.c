/* test-policy.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ward-pipeline.h"
#include "ward-pipeline-private.h"
#include "ward-policy.h"
#include "ward-store.h"
#include "ward-store-private.h"
#include "ward-store-rollups.h"
#include "ward-test-util.h"

#define MINUTE WARD_USEC_PER_MINUTE
#define HOUR WARD_USEC_PER_HOUR

static char *
source_path (const char *relative)
{
  const char *dir = g_getenv ("WARD_SOURCE_DIR");

  if (dir != NULL)
    return g_build_filename (dir, relative, NULL);
  return g_build_filename (WARD_TEST_SOURCE_DIR, "..", relative, NULL);
}

/* The policy file shipped in data/ holds exactly the built-in defaults:
 * what the README shows a ward is what Wardwatch does without a file.
 */
static void
test_shipped_file_is_the_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = source_path ("data/ward-policy.json");
  WardEngineConfig defaults;
  WardEngineConfig loaded;

  ward_engine_config_init (&defaults);
  memset (&loaded, 0, sizeof loaded);
  ward_engine_config_init (&loaded);
  /* Start from something else, so that every key must be in the file. */
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    loaded.window.validity_usec[p] = 1;
  loaded.window.manual_timeout_usec = 1;
  for (guint i = 0; i < WARD_OBS_N_STEPS; i++)
    loaded.obs.interval_usec[i] = 1;
  loaded.flags.threshold = WARD_BAND_HIGH;
  loaded.flags.open_delay_usec = 1;
  loaded.flags.close_delay_usec = 1;
  loaded.measurement_retention_usec = 1;

  g_assert_true (ward_policy_load_file (path, &loaded, &error));
  g_assert_no_error (error);

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    g_assert_cmpint (loaded.window.validity_usec[p], ==, defaults.window.validity_usec[p]);
  g_assert_cmpint (loaded.window.manual_timeout_usec, ==, defaults.window.manual_timeout_usec);
  for (guint i = 0; i < WARD_OBS_N_STEPS; i++)
    g_assert_cmpint (loaded.obs.interval_usec[i], ==, defaults.obs.interval_usec[i]);
  g_assert_cmpint (loaded.flags.threshold, ==, defaults.flags.threshold);
  g_assert_cmpint (loaded.flags.open_delay_usec, ==, defaults.flags.open_delay_usec);
  g_assert_cmpint (loaded.flags.close_delay_usec, ==, defaults.flags.close_delay_usec);
  g_assert_cmpint (loaded.measurement_retention_usec, ==, defaults.measurement_retention_usec);

  /* And the defaults are the ward policy the issue set out. */
  g_assert_cmpint (defaults.window.validity_usec[WARD_NEWS2_HR], ==, 10 * MINUTE);
  g_assert_cmpint (defaults.window.validity_usec[WARD_NEWS2_SPO2], ==, 10 * MINUTE);
  g_assert_cmpint (defaults.window.validity_usec[WARD_NEWS2_RR], ==, 10 * MINUTE);
  g_assert_cmpint (defaults.window.validity_usec[WARD_NEWS2_SBP], ==, 60 * MINUTE);
  g_assert_cmpint (defaults.window.validity_usec[WARD_NEWS2_TEMP], ==, 4 * HOUR);
  g_assert_cmpint (defaults.window.validity_usec[WARD_NEWS2_CONSCIOUSNESS], ==, 12 * HOUR);
  g_assert_cmpint (defaults.window.validity_usec[WARD_NEWS2_AIR_OR_OXYGEN], ==, 12 * HOUR);
  g_assert_cmpint (defaults.window.manual_timeout_usec, ==, 60 * MINUTE);
  g_assert_cmpint (defaults.obs.interval_usec[WARD_OBS_STEP_ZERO], ==, 12 * HOUR);
  g_assert_cmpint (defaults.obs.interval_usec[WARD_OBS_STEP_LOW], ==, 4 * HOUR);
  g_assert_cmpint (defaults.obs.interval_usec[WARD_OBS_STEP_LOW_MEDIUM], ==, HOUR);
  g_assert_cmpint (defaults.obs.interval_usec[WARD_OBS_STEP_MEDIUM], ==, HOUR);
  g_assert_cmpint (defaults.obs.interval_usec[WARD_OBS_STEP_HIGH], ==, 0);
  g_assert_cmpint (defaults.measurement_retention_usec, ==, 90 * 24 * HOUR);
}

/* measurement_retention_days is the ward's; wardwatch
 * --measurement-retention-days, when given, wins over it.
 */
static void
test_measurement_retention (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) options = { 0 };
  WardEngineConfig config;

  ward_engine_config_init (&config);
  ward_pipeline_config_init (&options);

  /* Neither: 90 days. */
  g_assert_cmpint (_ward_pipeline_measurement_retention (&options, &config), ==, 90 * 24 * HOUR);

  g_assert_true (ward_policy_load_data ("{\"measurement_retention_days\": 14.5}", -1, "ward.json",
                                        &config, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config.measurement_retention_usec, ==, 14 * 24 * HOUR + 12 * HOUR);
  /* The policy's, while the option is not given. */
  g_assert_cmpint (_ward_pipeline_measurement_retention (&options, &config), ==,
                   14 * 24 * HOUR + 12 * HOUR);
  /* The option's when given, 0 (keep forever) included. */
  options.measurement_retention_days = 30;
  g_assert_cmpint (_ward_pipeline_measurement_retention (&options, &config), ==, 30 * 24 * HOUR);
  options.measurement_retention_days = 0;
  g_assert_cmpint (_ward_pipeline_measurement_retention (&options, &config), ==, 0);

  /* 0 in the policy keeps them forever too. */
  options.measurement_retention_days = NAN;
  g_assert_true (ward_policy_load_data ("{\"measurement_retention_days\": 0}", -1, "ward.json",
                                        &config, &error));
  g_assert_no_error (error);
  g_assert_cmpint (_ward_pipeline_measurement_retention (&options, &config), ==, 0);
}

/* A file changes what it names and keeps the rest. */
static void
test_partial_file (void)
{
  static const char policy[] =
    "{\"validity_minutes\": {\"temp\": 60, \"sbp\": 30.5},"
    " \"manual_data_timeout_minutes\": 45,"
    " \"flag\": {\"threshold\": \"high\", \"open_delay_seconds\": 0},"
    " \"observation_frequency_minutes\": {\"low\": 360, \"high\": 15, \"zero\": \"continuous\"}}";
  g_autoptr(GError) error = NULL;
  WardEngineConfig config;
  WardEngineConfig defaults;

  ward_engine_config_init (&defaults);
  ward_engine_config_init (&config);
  g_assert_true (ward_policy_load_data (policy, -1, "ward.json", &config, &error));
  g_assert_no_error (error);

  g_assert_cmpint (config.window.validity_usec[WARD_NEWS2_TEMP], ==, 60 * MINUTE);
  g_assert_cmpint (config.window.validity_usec[WARD_NEWS2_SBP], ==, 30 * MINUTE + 30 * WARD_USEC_PER_SEC);
  g_assert_cmpint (config.window.validity_usec[WARD_NEWS2_HR], ==, 10 * MINUTE);
  g_assert_cmpint (config.window.manual_timeout_usec, ==, 45 * MINUTE);
  g_assert_cmpint (config.flags.threshold, ==, WARD_BAND_HIGH);
  g_assert_cmpint (config.flags.open_delay_usec, ==, 0);
  g_assert_cmpint (config.flags.close_delay_usec, ==, defaults.flags.close_delay_usec);
  g_assert_cmpint (config.obs.interval_usec[WARD_OBS_STEP_LOW], ==, 6 * HOUR);
  g_assert_cmpint (config.obs.interval_usec[WARD_OBS_STEP_HIGH], ==, 15 * MINUTE);
  g_assert_cmpint (config.obs.interval_usec[WARD_OBS_STEP_ZERO], ==, 0);
  g_assert_cmpint (config.obs.interval_usec[WARD_OBS_STEP_MEDIUM], ==, HOUR);
  /* What a policy does not hold is not touched. */
  g_assert_cmpint (config.device_silence_usec, ==, defaults.device_silence_usec);
  g_assert_cmpint (config.window.window_usec, ==, defaults.window.window_usec);
}

/* A bad file is refused whole, naming the key and what is wrong, and
 * changes nothing.
 */
static void
test_bad_files (void)
{
  static const struct {
    const char *policy;
    int         code;
    const char *message;
  } cases[] = {
    { "{\"validity_minutes\": {\"temp\": 60}, \"validty_minutes\": {}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: validty_minutes: unknown key" },
    { "{\"validity_minutes\": {\"temperature\": 60}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: validity_minutes.temperature: unknown parameter" },
    { "{\"validity_minutes\": {\"temp\": \"4h\"}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: validity_minutes.temp: expected a number of minutes" },
    { "{\"validity_minutes\": {\"hr\": 0}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: validity_minutes.hr: 0 minutes is out of range" },
    { "{\"validity_minutes\": {\"hr\": -10}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: validity_minutes.hr: -10 minutes is out of range" },
    { "{\"validity_minutes\": {\"temp\": 14400}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: validity_minutes.temp: 14400 minutes is out of range" },
    { "{\"validity_minutes\": [10]}", WARD_POLICY_ERROR_INVALID,
      "ward.json: validity_minutes: expected an object" },
    { "{\"manual_data_timeout_minutes\": true}", WARD_POLICY_ERROR_INVALID,
      "ward.json: manual_data_timeout_minutes: expected a number of minutes" },
    { "{\"flag\": {\"threshold\": \"severe\"}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: flag.threshold: expected low, low-medium, medium or high" },
    { "{\"flag\": {\"open_delay\": 180}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: flag.open_delay: unknown key" },
    { "{\"flag\": {\"close_delay_seconds\": -1}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: flag.close_delay_seconds: -1 seconds is out of range" },
    { "{\"observation_frequency_minutes\": {\"critical\": 15}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: observation_frequency_minutes.critical: unknown score range" },
    { "{\"observation_frequency_minutes\": {\"high\": \"often\"}}", WARD_POLICY_ERROR_INVALID,
      "ward.json: observation_frequency_minutes.high: expected a number of minutes or \"continuous\"" },
    { "{\"description\": 7}", WARD_POLICY_ERROR_INVALID, "ward.json: description: expected a string" },
    { "{\"measurement_retention_days\": -1}", WARD_POLICY_ERROR_INVALID,
      "ward.json: measurement_retention_days: -1 days is out of range" },
    { "{\"measurement_retention_days\": \"90d\"}", WARD_POLICY_ERROR_INVALID,
      "ward.json: measurement_retention_days: expected a number of days" },
    { "{\"measurement_retention_days\": 40000}", WARD_POLICY_ERROR_INVALID,
      "ward.json: measurement_retention_days: 40000 days is out of range" },
    { "{\"validity_minutes\": {\"temp\": 60", WARD_POLICY_ERROR_PARSE, "ward.json: not JSON" },
    { "[]", WARD_POLICY_ERROR_PARSE, "ward.json: expected a JSON object" },
    { "", WARD_POLICY_ERROR_PARSE, "ward.json: expected a JSON object" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      WardEngineConfig config;
      WardEngineConfig before;

      ward_engine_config_init (&config);
      memcpy (&before, &config, sizeof before);
      g_test_message ("case %u: %s", i, cases[i].policy);
      g_assert_false (ward_policy_load_data (cases[i].policy, -1, "ward.json", &config, &error));
      g_assert_error (error, WARD_POLICY_ERROR, cases[i].code);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("case %u: expected “%s…”, got “%s”", i, cases[i].message, error->message);
      g_assert_cmpmem (&config, sizeof config, &before, sizeof before);
    }
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  WardEngineConfig config;

  ward_engine_config_init (&config);
  g_assert_false (ward_policy_load_file ("/nonexistent/ward-policy.json", &config, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/ward-policy.json"));
}

/* The running pipeline applies the policy's retention, in batches over
 * several ticks (more old rows than one batch), and an option given
 * wins over the policy.
 */
static gint64
count_old (const char *db,
           gint64      before)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open_readonly (db, &error);
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM measurements WHERE observed_at < %"
                                          G_GINT64_FORMAT, before);
  gint64 n;

  g_assert_no_error (error);
  n = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);
  return n;
}

static void
run_pipeline_until (const char *db,
                    const char *policy,
                    double      option_days,
                    gint64      old_before,
                    gint64      until_old)
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 settle = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.demo = TRUE;
  config.n_beds = 1;
  config.policy_file = g_strdup (policy);
  config.measurement_retention_days = option_days;
  pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (pipeline, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Some ticks in any case, then until the old rows are down to until_old. */
  while (g_get_monotonic_time () < deadline &&
         (g_get_monotonic_time () < settle || count_old (db, old_before) > until_old))
    g_usleep (100 * 1000);
  ward_pipeline_stop (pipeline);
}

static void
test_pipeline_retention (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-policy-XXXXXX", &error);
  g_autofree char *policy = g_build_filename (dir, "policy.json", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  gint64 now = g_get_real_time ();
  gint64 old_before = now - 99 * 24 * HOUR;
  const gint64 n_old = 3 * WARD_STORE_RETENTION_BATCH_ROWS + 123;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (policy, "{\"measurement_retention_days\": 30}", -1, &error));
  {
    g_autoptr(WardStore) store = ward_store_open (db, &error);

    g_assert_no_error (error);
    g_assert_true (ward_store_upsert_patient (store, "p-old", "Old Stay", 1, &error));
    g_assert_true (ward_store_begin (store, &error));
    for (gint64 i = 0; i < n_old; i++)
      {
        gint64 at = now - 100 * 24 * HOUR + i * 5 * G_USEC_PER_SEC;
        WardMeasurement m = {
          .kind = WARD_MEAS_HR, .value = 70, .observed_at = at,
          .source = WARD_SOURCE_DEVICE, .patient_id = (char *) "p-old",
        };

        g_assert_cmpint (ward_store_add_measurement (store, &m, at, &error), >, 0);
      }
    g_assert_true (ward_store_commit (store, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (count_old (db, old_before), ==, n_old);

  /* --measurement-retention-days=200 wins over the policy's 30. */
  run_pipeline_until (db, policy, 200, old_before, n_old);
  g_assert_cmpint (count_old (db, old_before), ==, n_old);

  /* Without the option, the policy's 30 days: all of them go, over
   * several batches.
   */
  run_pipeline_until (db, policy, NAN, old_before, 0);
  g_assert_cmpint (count_old (db, old_before), ==, 0);
  {
    g_autoptr(WardStore) store = ward_store_open_readonly (db, &error);

    /* Still counted in the roll-ups. */
    g_assert_cmpint (_ward_store_query_int (store, "SELECT sum (n) FROM measurement_rollups "
                                                   "WHERE span = 3600 AND patient_id = 'p-old'",
                                            &error), ==, n_old);
  }

  ward_test_remove_tree (dir);
}

/* wardwatch --policy: a bad file stops the start with its reason. */
static void
test_pipeline_refuses_bad_policy (void)
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-policy-XXXXXX", &error);
  g_autofree char *policy = g_build_filename (dir, "policy.json", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (policy, "{\"validity_minutes\": {\"spo2\": \"ten\"}}", -1,
                                      &error));
  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.demo = TRUE;
  config.n_beds = 2;
  config.policy_file = g_strdup (policy);
  pipeline = ward_pipeline_new (&config);
  g_assert_false (ward_pipeline_start (pipeline, NULL, NULL, &error));
  g_assert_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "validity_minutes.spo2: expected a number of minutes"));
  g_clear_object (&pipeline);

  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_unlink (policy);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/policy/shipped-file-is-the-defaults", test_shipped_file_is_the_defaults);
  g_test_add_func ("/core/policy/partial-file", test_partial_file);
  g_test_add_func ("/core/policy/measurement-retention", test_measurement_retention);
  g_test_add_func ("/core/policy/bad-files", test_bad_files);
  g_test_add_func ("/core/policy/missing-file", test_missing_file);
  g_test_add_func ("/core/policy/pipeline-refuses-bad-policy", test_pipeline_refuses_bad_policy);
  g_test_add_func ("/core/policy/pipeline-retention", test_pipeline_retention);

  return g_test_run ();
}
