/* test-settings-config.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-policy-edit.h"
#include "ward-policy.h"
#include "ward-routing.h"
#include "ward-settings-config.h"
#include "ward-test-util.h"

/* The preferences' checks, the merge of saved settings under the command
 * line (GSettings' memory backend, the build's compiled schema), and the
 * ward policy editor against the shipped policy file.
 */

static char *
source_path (const char *relative)
{
  const char *dir = g_getenv ("WARD_SOURCE_DIR");

  if (dir != NULL)
    return g_build_filename (dir, relative, NULL);
  return g_build_filename (WARD_TEST_SOURCE_DIR, "..", relative, NULL);
}

/* Fresh settings: the memory backend keeps what a test sets only in this
 * process; each test starts from the defaults.
 */
static GSettings *
new_settings (void)
{
  GSettings *settings = ward_settings_config_new_settings ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_assert_nonnull (settings);
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);

  return settings;
}

static void
assert_numbers_equal (const WardPolicyNumbers *a,
                      const WardPolicyNumbers *b)
{
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    g_assert_cmpfloat_with_epsilon (a->validity_minutes[p], b->validity_minutes[p], 1e-9);
  g_assert_cmpfloat_with_epsilon (a->manual_timeout_minutes, b->manual_timeout_minutes, 1e-9);
  g_assert_cmpint (a->flag_threshold, ==, b->flag_threshold);
  g_assert_cmpfloat_with_epsilon (a->open_delay_seconds, b->open_delay_seconds, 1e-9);
  g_assert_cmpfloat_with_epsilon (a->close_delay_seconds, b->close_delay_seconds, 1e-9);
}

/* What main.c has before the merge when no option is given. */
static void
init_configs (WardPipelineConfig *config,
              WardSourcesConfig  *sources)
{
  ward_pipeline_config_init (config);
  ward_sources_config_init (sources);
  config->raw_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;
  config->measurement_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;
}

static void
test_check_urls (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_settings_config_check_mqtt_url ("mqtt://broker.ward.example", NULL));
  g_assert_true (ward_settings_config_check_mqtt_url ("mqtts://10.0.0.5:8883", NULL));
  g_assert_true (ward_settings_config_check_mqtt_url ("mqtt://[::1]:1883", NULL));
  g_assert_false (ward_settings_config_check_mqtt_url ("http://broker", &error));
  g_assert_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "mqtt://"));
  g_clear_error (&error);
  g_assert_false (ward_settings_config_check_mqtt_url ("mqtt//broker", NULL));
  g_assert_false (ward_settings_config_check_mqtt_url ("mqtt://broker:99999", NULL));
  g_assert_false (ward_settings_config_check_mqtt_url ("", NULL));

  g_assert_true (ward_settings_config_check_fhir_url ("https://fhir.example/R4", NULL));
  g_assert_true (ward_settings_config_check_fhir_url ("http://127.0.0.1:8080/fhir/R4/", NULL));
  g_assert_false (ward_settings_config_check_fhir_url ("ftp://fhir.example/R4", &error));
  g_assert_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ward_settings_config_check_fhir_url ("https:/fhir", NULL));
  g_assert_false (ward_settings_config_check_fhir_url ("fhir.example/R4", NULL));
  g_assert_false (ward_settings_config_check_fhir_url ("https://fhir.example/R4?x=1", NULL));
  g_assert_false (ward_settings_config_check_fhir_url ("https://fhir example/R4", NULL));

  g_assert_true (ward_settings_config_check_fhir_auth ("none", NULL));
  g_assert_true (ward_settings_config_check_fhir_auth ("bearer", NULL));
  g_assert_true (ward_settings_config_check_fhir_auth ("smart", NULL));
  g_assert_false (ward_settings_config_check_fhir_auth ("basic", NULL));
}

static void
test_check_port_address_file_topics (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("settings-config-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pem", NULL);
  g_auto(GStrv) topics = NULL;

  g_assert_true (ward_settings_config_check_port (1, NULL));
  g_assert_true (ward_settings_config_check_port (2575, NULL));
  g_assert_true (ward_settings_config_check_port (65535, NULL));
  g_assert_false (ward_settings_config_check_port (0, NULL));
  g_assert_false (ward_settings_config_check_port (65536, &error));
  g_assert_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (ward_settings_config_check_address ("127.0.0.1", NULL));
  g_assert_true (ward_settings_config_check_address ("::", NULL));
  g_assert_true (ward_settings_config_check_address ("station-3.ward.example", NULL));
  g_assert_false (ward_settings_config_check_address ("10.0.0.1:2575", NULL));
  g_assert_false (ward_settings_config_check_address ("", NULL));

  g_assert_true (g_file_set_contents (file, "-----BEGIN CERTIFICATE-----\n", -1, NULL));
  g_assert_true (ward_settings_config_check_file (file, NULL));
  g_assert_false (ward_settings_config_check_file (missing, &error));
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  g_assert_false (ward_settings_config_check_file (dir, NULL));

  g_assert_true (ward_settings_config_check_topics ("", &topics, NULL));
  g_assert_null (topics);
  g_assert_true (ward_settings_config_check_topics (" ward/+/vitals , devices/{deviceId}/# ",
                                                    &topics, NULL));
  g_assert_cmpuint (g_strv_length (topics), ==, 2);
  g_assert_cmpstr (topics[0], ==, "ward/+/vitals");
  g_assert_cmpstr (topics[1], ==, "devices/{deviceId}/#");
  g_assert_false (ward_settings_config_check_topics ("a,,b", NULL, NULL));
  g_assert_false (ward_settings_config_check_topics ("a/#/b", NULL, NULL));

  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Without a schema (settings NULL) only the built-in defaults apply. */
static void
test_merge_without_settings (void)
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardSourcesConfig) sources = { 0 };

  init_configs (&config, &sources);
  g_assert_true (ward_settings_config_merge (NULL, &config, &sources, NULL));
  g_assert_cmpfloat (config.raw_retention_days, ==, 30);
  g_assert_cmpfloat (config.measurement_retention_days, ==, 90);
  g_assert_null (sources.mqtt.url);
  g_assert_cmpint (sources.mllp_port, ==, -1);
  g_assert_null (config.fhir_url);
}

/* No option given: everything saved is used. */
static void
test_merge_settings_only (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardSourcesConfig) sources = { 0 };
  g_autoptr(GError) error = NULL;

  g_settings_set_string (settings, "mqtt-url", "mqtts://broker.ward.example:8883");
  g_settings_set_string (settings, "mqtt-topics", "ward7/{deviceId}/#, spare/{deviceId}");
  g_settings_set_string (settings, "mqtt-client-id", "station-7");
  g_settings_set_string (settings, "mqtt-username", "ward7");
  g_settings_set_string (settings, "mqtt-ca-file", "/etc/ssl/certs/ca-certificates.crt");
  g_settings_set_int (settings, "mllp-port", 2575);
  g_settings_set_string (settings, "mllp-bind", "0.0.0.0");
  g_settings_set_string (settings, "fhir-url", "https://fhir.hospital.example/R4");
  g_settings_set_string (settings, "device-mapping", "/srv/ward/mapping.json");
  g_settings_set_string (settings, "policy-file", "/srv/ward/policy.json");
  g_settings_set_double (settings, "raw-retention-days", 7);
  g_settings_set_double (settings, "measurement-retention-days", 0);

  init_configs (&config, &sources);
  g_assert_true (ward_settings_config_merge (settings, &config, &sources, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (sources.mqtt.url, ==, "mqtts://broker.ward.example:8883");
  g_assert_nonnull (sources.mqtt.topics);
  g_assert_cmpuint (g_strv_length (sources.mqtt.topics), ==, 2);
  g_assert_cmpstr (sources.mqtt.topics[1], ==, "spare/{deviceId}");
  g_assert_cmpstr (sources.mqtt.client_id, ==, "station-7");
  g_assert_cmpstr (sources.mqtt.username, ==, "ward7");
  g_assert_null (sources.mqtt.password);
  g_assert_cmpstr (sources.mqtt.ca_file, ==, "/etc/ssl/certs/ca-certificates.crt");
  g_assert_cmpint (sources.mllp_port, ==, 2575);
  g_assert_cmpstr (sources.mllp_bind, ==, "0.0.0.0");
  g_assert_cmpstr (config.fhir_url, ==, "https://fhir.hospital.example/R4");
  g_assert_cmpstr (config.fhir_auth, ==, "none");
  g_assert_null (config.fhir_token_file);
  g_assert_cmpstr (config.device_mapping, ==, "/srv/ward/mapping.json");
  g_assert_cmpstr (config.policy_file, ==, "/srv/ward/policy.json");
  g_assert_cmpfloat (config.raw_retention_days, ==, 7);
  g_assert_cmpfloat (config.measurement_retention_days, ==, 0);
}

/* Options win, a concern at a time: a given --mqtt-url takes none of the
 * saved MQTT keys; what the command line leaves alone still comes from
 * the settings.
 */
static void
test_merge_options_win (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardSourcesConfig) sources = { 0 };
  g_autoptr(GError) error = NULL;

  g_settings_set_string (settings, "mqtt-url", "mqtt://saved.example");
  g_settings_set_string (settings, "mqtt-username", "saved-user");
  g_settings_set_int (settings, "mllp-port", 2575);
  g_settings_set_string (settings, "fhir-url", "https://saved.example/R4");
  g_settings_set_string (settings, "device-mapping", "/saved/mapping.json");
  g_settings_set_double (settings, "raw-retention-days", 7);
  g_settings_set_double (settings, "measurement-retention-days", 14);

  init_configs (&config, &sources);
  /* As if given: --mqtt-url, --mllp-port=0 (any free port), --fhir-url,
   * --device-mapping and --raw-retention-days.
   */
  sources.mqtt.url = g_strdup ("mqtt://given.example");
  sources.mllp_port = 0;
  config.fhir_url = g_strdup ("https://given.example/R4");
  config.device_mapping = g_strdup ("/given/mapping.json");
  config.raw_retention_days = 1;

  g_assert_true (ward_settings_config_merge (settings, &config, &sources, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sources.mqtt.url, ==, "mqtt://given.example");
  g_assert_null (sources.mqtt.username);
  g_assert_cmpint (sources.mllp_port, ==, 0);
  g_assert_cmpstr (config.fhir_url, ==, "https://given.example/R4");
  g_assert_null (config.fhir_auth);
  g_assert_cmpstr (config.device_mapping, ==, "/given/mapping.json");
  g_assert_cmpfloat (config.raw_retention_days, ==, 1);
  /* Not given: the saved value. */
  g_assert_cmpfloat (config.measurement_retention_days, ==, 14);
}

/* A demo's devices are simulated: no saved source or mapping joins it. */
static void
test_merge_demo (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardSourcesConfig) sources = { 0 };

  g_settings_set_string (settings, "mqtt-url", "mqtt://saved.example");
  g_settings_set_int (settings, "mllp-port", 2575);
  g_settings_set_string (settings, "fhir-url", "https://saved.example/R4");
  g_settings_set_double (settings, "raw-retention-days", 3);
  g_settings_set_string (settings, "device-mapping", "/srv/ward/mapping.json");
  g_settings_set_string (settings, "policy-file", "/srv/ward/policy.json");

  init_configs (&config, &sources);
  config.demo = TRUE;
  g_assert_true (ward_settings_config_merge (settings, &config, &sources, NULL));
  g_assert_null (sources.mqtt.url);
  g_assert_cmpint (sources.mllp_port, ==, -1);
  g_assert_null (config.fhir_url);
  /* The simulator's messages keep their own mapping. */
  g_assert_null (config.device_mapping);
  g_assert_cmpstr (config.policy_file, ==, "/srv/ward/policy.json");
  g_assert_cmpfloat (config.raw_retention_days, ==, 3);
}

/* The secrets stay in the keyring and are named for the pipeline; a
 * saved value that does not pass is refused, naming it.
 */
static void
test_merge_fhir_auth_and_bad_values (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GError) error = NULL;

  {
    g_auto(WardPipelineConfig) config = { 0 };
    g_auto(WardSourcesConfig) sources = { 0 };

    g_settings_set_string (settings, "fhir-url", "https://fhir.example/R4");
    g_settings_set_string (settings, "fhir-auth", "bearer");
    init_configs (&config, &sources);
    g_assert_true (ward_settings_config_merge (settings, &config, &sources, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (config.fhir_auth, ==, "bearer");
    g_assert_cmpstr (config.fhir_token_file, ==, "keyring:");
  }

  {
    g_auto(WardPipelineConfig) config = { 0 };
    g_auto(WardSourcesConfig) sources = { 0 };

    g_settings_set_string (settings, "fhir-auth", "smart");
    g_settings_set_string (settings, "fhir-client-id", "wardwatch-ward7");
    init_configs (&config, &sources);
    g_assert_true (ward_settings_config_merge (settings, &config, &sources, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (config.fhir_auth, ==, "smart");
    g_assert_cmpstr (config.fhir_client_id, ==, "wardwatch-ward7");
    g_assert_cmpstr (config.fhir_private_key, ==, "keyring:");
  }

  {
    g_auto(WardPipelineConfig) config = { 0 };
    g_auto(WardSourcesConfig) sources = { 0 };

    g_settings_set_string (settings, "fhir-client-id", "");
    init_configs (&config, &sources);
    g_assert_false (ward_settings_config_merge (settings, &config, &sources, &error));
    g_assert_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "client id"));
    g_clear_error (&error);
  }

  {
    g_auto(WardPipelineConfig) config = { 0 };
    g_auto(WardSourcesConfig) sources = { 0 };

    /* Written by hand (gsettings set): not a broker address. */
    g_settings_set_string (settings, "fhir-url", "");
    g_settings_set_string (settings, "mqtt-url", "broker.example:1883");
    init_configs (&config, &sources);
    g_assert_false (ward_settings_config_merge (settings, &config, &sources, &error));
    g_assert_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "broker.example:1883"));
    g_assert_null (sources.mqtt.url);
  }
}

/* The editor reads what the reader reads: the shipped file holds the
 * defaults, so both give the same numbers.
 */
static void
test_policy_read (void)
{
  g_autofree char *shipped = source_path ("data/ward-policy.json");
  g_autoptr(GError) error = NULL;
  WardPolicyNumbers defaults;
  WardPolicyNumbers file;

  g_assert_true (ward_policy_edit_read (NULL, &defaults, NULL));
  g_assert_true (ward_policy_edit_read (shipped, &file, &error));
  g_assert_no_error (error);
  assert_numbers_equal (&defaults, &file);
  /* data/ward-policy.json's values. */
  g_assert_cmpfloat (file.validity_minutes[WARD_NEWS2_RR], ==, 10);
  g_assert_cmpfloat (file.validity_minutes[WARD_NEWS2_TEMP], ==, 240);
  g_assert_cmpfloat (file.manual_timeout_minutes, ==, 60);
  g_assert_cmpint (file.flag_threshold, ==, WARD_BAND_MEDIUM);
  g_assert_cmpfloat (file.open_delay_seconds, ==, 180);
  g_assert_cmpfloat (file.close_delay_seconds, ==, 600);
}

/* Saving writes a new file with the numbers changed and every other key
 * kept; the source is untouched; a number the reader refuses writes
 * nothing.
 */
static void
test_policy_save (void)
{
  g_autofree char *shipped = source_path ("data/ward-policy.json");
  g_autofree char *dir = g_dir_make_tmp ("policy-edit-XXXXXX", NULL);
  g_autofree char *dest = g_build_filename (dir, "wardwatch", "ward-policy.json", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *care = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(WardCarePolicy) care_policy = ward_care_policy_new ();
  g_autoptr(GError) error = NULL;
  WardPolicyNumbers numbers;
  WardPolicyNumbers reread;
  WardEngineConfig engine;

  g_assert_true (g_file_get_contents (shipped, &before, NULL, NULL));
  g_assert_true (ward_policy_edit_read (shipped, &numbers, NULL));
  numbers.validity_minutes[WARD_NEWS2_SBP] = 30;
  numbers.manual_timeout_minutes = 45.5;
  numbers.flag_threshold = WARD_BAND_LOW_MEDIUM;
  numbers.open_delay_seconds = 120;

  g_assert_true (ward_policy_edit_save (shipped, dest, &numbers, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (shipped, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);

  g_assert_true (ward_policy_edit_read (dest, &reread, &error));
  g_assert_no_error (error);
  assert_numbers_equal (&numbers, &reread);

  /* The keys the page does not show are still there and still load. */
  ward_engine_config_init (&engine);
  g_assert_true (ward_policy_load_file (dest, &engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (engine.obs.interval_usec[WARD_OBS_STEP_LOW], ==, 240 * WARD_USEC_PER_MINUTE);
  g_assert_true (ward_care_policy_load_file (care_policy, dest, &error));
  g_assert_no_error (error);
  care = ward_policy_edit_describe_care (dest, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (care, ==, "bed-nurse → nurse-in-charge → doctor → outreach; 0 routing rules");
  g_assert_true (g_file_get_contents (dest, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "\"description\""));

  /* Out of the reader's range: refused, the saved file unchanged. */
  g_clear_pointer (&before, g_free);
  g_assert_true (g_file_get_contents (dest, &before, NULL, NULL));
  numbers.validity_minutes[WARD_NEWS2_HR] = 0;
  g_assert_false (ward_policy_edit_save (dest, dest, &numbers, &error));
  g_assert_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "validity_minutes.hr"));
  g_clear_error (&error);
  g_clear_pointer (&after, g_free);
  g_assert_true (g_file_get_contents (dest, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);

  /* From nothing (the built-in defaults): a complete, loadable file. */
  g_assert_true (ward_policy_edit_read (NULL, &numbers, NULL));
  g_assert_true (ward_policy_edit_save (NULL, dest, &numbers, &error));
  g_assert_no_error (error);
  g_assert_true (ward_policy_edit_read (dest, &reread, NULL));
  assert_numbers_equal (&numbers, &reread);
  g_assert_null (ward_policy_edit_describe_care (dest, NULL));

  ward_test_remove_tree (dir);
}

static void
test_user_policy_path (void)
{
  g_autofree char *path = ward_settings_config_user_policy_path ();
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "wardwatch",
                                                "ward-policy.json", NULL);

  g_assert_cmpstr (path, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/settings-config/check/urls", test_check_urls);
  g_test_add_func ("/settings-config/check/port-address-file-topics",
                   test_check_port_address_file_topics);
  g_test_add_func ("/settings-config/merge/without-settings", test_merge_without_settings);
  g_test_add_func ("/settings-config/merge/settings-only", test_merge_settings_only);
  g_test_add_func ("/settings-config/merge/options-win", test_merge_options_win);
  g_test_add_func ("/settings-config/merge/demo", test_merge_demo);
  g_test_add_func ("/settings-config/merge/fhir-auth-and-bad-values",
                   test_merge_fhir_auth_and_bad_values);
  g_test_add_func ("/settings-config/policy/read", test_policy_read);
  g_test_add_func ("/settings-config/policy/save", test_policy_save);
  g_test_add_func ("/settings-config/policy/user-path", test_user_policy_path);

  return g_test_run ();
}
