/* test-preferences.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-preferences"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-policy-edit.h"
#include "ward-preferences-private.h"
#include "ward-settings-config.h"
#include "ward-test-broker.h"
#include "ward-test-fhir-server.h"
#include "ward-test-util.h"

/* The preferences window on a real display: inline checks as a user
 * types, and "Test connection" against the real mosquitto broker, the
 * real FHIR test server and a port with nothing behind it.
 */

typedef struct
{
  GSettings       *settings;
  WardPreferences *prefs;
} Fixture;

static char *config_home;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  f->settings = ward_settings_config_new_settings ();
  g_assert_nonnull (f->settings);
  g_object_get (f->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (f->settings, keys[i]);

  f->prefs = ward_preferences_new (NULL, f->settings);
  gtk_window_present (GTK_WINDOW (f->prefs));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->prefs));
  g_clear_object (&f->settings);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin (double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

/* Clicks the row's button and runs the main loop until the outcome. */
static const char *
run_test (WardTestRow *test)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (test->button)));
  g_signal_emit_by_name (test->button, "clicked");
  /* The window stays responsive: the check runs off the main thread. */
  g_assert_true (test->running);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (test->button)));
  while (test->running && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  g_assert_false (test->running);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (test->button)));
  return _ward_preferences_test_outcome (test);
}

static void
type_text (GtkWidget  *row,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  spin (0.05);
}

static void
assert_error_shown (WardCheckedRow *checked,
                    gboolean        shown)
{
  g_assert_cmpint (gtk_widget_get_visible (GTK_WIDGET (checked->error_row)), ==, shown);
  g_assert_cmpint (gtk_widget_has_css_class (checked->row, "error"), ==, shown);
  if (shown)
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (checked->error_row)),
                     !=, "");
}

static void
test_invalid_url (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *saved = NULL;

  assert_error_shown (&f->prefs->mqtt_url, FALSE);

  type_text (f->prefs->mqtt_url.row, "mqtt//broker.ward.example");
  assert_error_shown (&f->prefs->mqtt_url, TRUE);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (
                              ADW_PREFERENCES_ROW (f->prefs->mqtt_url.error_row)), "mqtt://"));
  /* Nothing bad is saved. */
  saved = g_settings_get_string (f->settings, "mqtt-url");
  g_assert_cmpstr (saved, ==, "");

  type_text (f->prefs->mqtt_url.row, "mqtt://broker.ward.example:1883");
  assert_error_shown (&f->prefs->mqtt_url, FALSE);
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (f->settings, "mqtt-url");
  g_assert_cmpstr (saved, ==, "mqtt://broker.ward.example:1883");

  type_text (f->prefs->fhir_url.row, "fhir.hospital.example/R4");
  assert_error_shown (&f->prefs->fhir_url, TRUE);
  type_text (f->prefs->fhir_url.row, "https://fhir.hospital.example/R4");
  assert_error_shown (&f->prefs->fhir_url, FALSE);
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (f->settings, "fhir-url");
  g_assert_cmpstr (saved, ==, "https://fhir.hospital.example/R4");

  /* Emptied: no source, and no error. */
  type_text (f->prefs->fhir_url.row, "");
  assert_error_shown (&f->prefs->fhir_url, FALSE);
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (f->settings, "fhir-url");
  g_assert_cmpstr (saved, ==, "");

  type_text (f->prefs->mqtt_topics.row, "ward/#/x");
  assert_error_shown (&f->prefs->mqtt_topics, TRUE);
  type_text (f->prefs->mqtt_topics.row, "ward7/{deviceId}/#");
  assert_error_shown (&f->prefs->mqtt_topics, FALSE);
}

static void
test_mqtt_connection (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardTestBroker) broker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *closed_url = NULL;
  const char *outcome;
  guint16 closed;

  broker = ward_test_broker_new (&error);
  g_assert_no_error (error);

  type_text (f->prefs->mqtt_url.row, ward_test_broker_get_url (broker));
  outcome = run_test (&f->prefs->mqtt_test);
  g_test_message ("broker: %s", outcome);
  g_assert_true (f->prefs->mqtt_test.succeeded);
  g_assert_nonnull (strstr (outcome, "Connected"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->prefs->mqtt_test.row), "success"));

  /* Nothing listens there. */
  closed = ward_test_free_port (&error);
  g_assert_no_error (error);
  closed_url = g_strdup_printf ("mqtt://127.0.0.1:%u", closed);
  type_text (f->prefs->mqtt_url.row, closed_url);
  outcome = run_test (&f->prefs->mqtt_test);
  g_test_message ("closed port: %s", outcome);
  g_assert_false (f->prefs->mqtt_test.succeeded);
  g_assert_nonnull (strstr (outcome, "Could not connect"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->prefs->mqtt_test.row), "error"));
}

static void
test_fhir_connection (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardTestFhirServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *closed_url = NULL;
  const char *outcome;
  guint16 closed;

  if (ward_test_fhir_server_skip_reason () != NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason ());
      return;
    }

  server = ward_test_fhir_server_new (NULL, &error);
  g_assert_no_error (error);

  type_text (f->prefs->fhir_url.row, ward_test_fhir_server_get_base_url (server));
  outcome = run_test (&f->prefs->fhir_test);
  g_test_message ("server: %s", outcome);
  g_assert_true (f->prefs->fhir_test.succeeded);
  g_assert_nonnull (strstr (outcome, "FHIR 4.0"));

  /* The server's root is not a FHIR base: no CapabilityStatement. */
  type_text (f->prefs->fhir_url.row, ward_test_fhir_server_get_root_url (server));
  outcome = run_test (&f->prefs->fhir_test);
  g_test_message ("root: %s", outcome);
  g_assert_false (f->prefs->fhir_test.succeeded);

  closed = ward_test_free_port (&error);
  g_assert_no_error (error);
  closed_url = g_strdup_printf ("http://127.0.0.1:%u/fhir/R4", closed);
  type_text (f->prefs->fhir_url.row, closed_url);
  outcome = run_test (&f->prefs->fhir_test);
  g_test_message ("closed port: %s", outcome);
  g_assert_false (f->prefs->fhir_test.succeeded);
  g_assert_nonnull (strstr (outcome, "No answer from the server"));
}

/* A bearer token is really tried: metadata is open to anyone, so the
 * check also searches with it.
 */
static void
test_fhir_token (Fixture       *f,
                 gconstpointer  data)
{
  const char * const args[] = { "--token", "ward7-token", NULL };
  g_autoptr(WardTestFhirServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  const char *outcome;

  if (ward_test_fhir_server_skip_reason () != NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason ());
      return;
    }

  server = ward_test_fhir_server_new (args, &error);
  g_assert_no_error (error);

  type_text (f->prefs->fhir_url.row, ward_test_fhir_server_get_base_url (server));
  adw_combo_row_set_selected (f->prefs->fhir_auth_row, 1);
  spin (0.05);
  saved = g_settings_get_string (f->settings, "fhir-auth");
  g_assert_cmpstr (saved, ==, "bearer");
  g_assert_true (gtk_widget_get_visible (f->prefs->fhir_token.row));

  /* Typed, not yet saved in the keyring. */
  type_text (f->prefs->fhir_token.row, "not-the-token");
  outcome = run_test (&f->prefs->fhir_test);
  g_test_message ("wrong token: %s", outcome);
  g_assert_false (f->prefs->fhir_test.succeeded);
  g_assert_nonnull (strstr (outcome, "401"));

  type_text (f->prefs->fhir_token.row, "ward7-token");
  outcome = run_test (&f->prefs->fhir_test);
  g_test_message ("token: %s", outcome);
  g_assert_true (f->prefs->fhir_test.succeeded);
  g_assert_nonnull (strstr (outcome, "token is accepted"));
}

static void
test_mllp_port (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  const char *outcome;
  guint16 port;

  gtk_switch_set_active (f->prefs->mllp_switch, TRUE);
  port = ward_test_free_port (&error);
  g_assert_no_error (error);
  gtk_spin_button_set_value (f->prefs->mllp_port_spin, port);
  spin (0.05);
  g_assert_cmpint (g_settings_get_int (f->settings, "mllp-port"), ==, port);

  outcome = run_test (&f->prefs->mllp_test);
  g_test_message ("free port: %s", outcome);
  g_assert_true (f->prefs->mllp_test.succeeded);

  /* Another program listens there now. */
  g_assert_true (g_socket_listener_add_inet_port (listener, port, NULL, &error));
  g_assert_no_error (error);
  outcome = run_test (&f->prefs->mllp_test);
  g_test_message ("port in use: %s", outcome);
  g_assert_false (f->prefs->mllp_test.succeeded);
  g_assert_nonnull (strstr (outcome, "in use"));

  type_text (f->prefs->mllp_bind.row, "10.0.0.1:2575");
  assert_error_shown (&f->prefs->mllp_bind, TRUE);

  gtk_switch_set_active (f->prefs->mllp_switch, FALSE);
  spin (0.05);
  g_assert_cmpint (g_settings_get_int (f->settings, "mllp-port"), ==, 0);
}

/* The policy page saves the user's own copy, never the source file, and
 * names it in the settings, which the running Wardwatch follows.
 */
static void
test_policy_save (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *expected = ward_settings_config_user_policy_path ();
  g_autofree char *saved = NULL;
  WardPolicyNumbers numbers;

  g_assert_true (g_str_has_prefix (expected, config_home));
  gtk_spin_button_set_value (f->prefs->validity_spins[WARD_NEWS2_SBP], 30);
  gtk_spin_button_set_value (f->prefs->open_delay_spin, 120);
  _ward_preferences_save_policy (f->prefs);
  assert_error_shown (&f->prefs->policy_save, FALSE);

  saved = g_settings_get_string (f->settings, "policy-file");
  g_assert_cmpstr (saved, ==, expected);
  g_assert_true (ward_policy_edit_read (saved, &numbers, NULL));
  g_assert_cmpfloat (numbers.validity_minutes[WARD_NEWS2_SBP], ==, 30);
  g_assert_cmpfloat (numbers.open_delay_seconds, ==, 120);
  g_assert_cmpfloat (numbers.validity_minutes[WARD_NEWS2_RR], ==, 10);
}

/* A mapping file the template parser refuses is shown, not saved. */
static void
test_mapping (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *bad = g_build_filename (config_home, "bad-mapping.json", NULL);
  g_autofree char *saved = NULL;
  g_autofree char *good = NULL;
  const char *dir = g_getenv ("WARD_SOURCE_DIR");

  g_assert_true (g_file_set_contents (bad, "{ \"templateType\": \"CollectionContent\"", -1, NULL));
  _ward_preferences_set_mapping (f->prefs, bad);
  assert_error_shown (&f->prefs->mapping, TRUE);
  saved = g_settings_get_string (f->settings, "device-mapping");
  g_assert_cmpstr (saved, ==, "");

  good = g_build_filename (dir != NULL ? dir : WARD_TEST_SOURCE_DIR "/..", "data", "mappings",
                           "wardwatch-monitor.json", NULL);
  _ward_preferences_set_mapping (f->prefs, good);
  assert_error_shown (&f->prefs->mapping, FALSE);
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (f->settings, "device-mapping");
  g_assert_cmpstr (saved, ==, good);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->prefs->mapping_issues)));
}

/* Makes a key with openssl genpkey at path (mode 0600); FALSE when
 * openssl cannot make one here.
 */
static gboolean
make_key (const char         *path,
          const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) "openssl");
  g_ptr_array_add (argv, (char *) "genpkey");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, (char *) "-out");
  g_ptr_array_add (argv, (char *) path);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, NULL))
    return FALSE;

  return g_chmod (path, 0600) == 0;
}

/* The SMART private key is chosen as a file and checked as the sync
 * will load it: a key of the wrong kind, a file that is no key and a
 * key others can read are refused in the row and not saved.
 */
static void
test_private_key (Fixture       *f,
                  gconstpointer  data)
{
  static const char * const rsa_args[] = { "-algorithm", "RSA", "-pkeyopt",
                                           "rsa_keygen_bits:2048", NULL };
  static const char * const p384_args[] = { "-algorithm", "EC", "-pkeyopt",
                                            "ec_paramgen_curve:P-384", NULL };
  static const char * const p256_args[] = { "-algorithm", "EC", "-pkeyopt",
                                            "ec_paramgen_curve:P-256", NULL };
  g_autofree char *rsa = g_build_filename (config_home, "rsa.pem", NULL);
  g_autofree char *p384 = g_build_filename (config_home, "p384.pem", NULL);
  g_autofree char *p256 = g_build_filename (config_home, "p256.pem", NULL);
  g_autofree char *text = g_build_filename (config_home, "notes.pem", NULL);
  g_autofree char *saved = NULL;
  const char *subtitle;

  if (!make_key (rsa, rsa_args) || !make_key (p384, p384_args) || !make_key (p256, p256_args))
    {
      g_test_skip ("openssl genpkey cannot make test keys here");
      return;
    }
  g_assert_true (g_file_set_contents (text, "not a key\n", -1, NULL));
  g_assert_cmpint (g_chmod (text, 0600), ==, 0);

  adw_combo_row_set_selected (f->prefs->fhir_auth_row, 2);
  g_assert_true (gtk_widget_get_visible (f->prefs->fhir_key.row));
  assert_error_shown (&f->prefs->fhir_key, FALSE);

  _ward_preferences_set_private_key (f->prefs, rsa);
  assert_error_shown (&f->prefs->fhir_key, FALSE);
  saved = g_settings_get_string (f->settings, "fhir-private-key");
  g_assert_cmpstr (saved, ==, rsa);
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (f->prefs->fhir_key.row));
  g_assert_nonnull (strstr (subtitle, "RS384"));

  _ward_preferences_set_private_key (f->prefs, p384);
  assert_error_shown (&f->prefs->fhir_key, FALSE);
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (f->prefs->fhir_key.row));
  g_assert_nonnull (strstr (subtitle, "ES384"));

  /* Refused, each with its reason; the key saved before stays. */
  _ward_preferences_set_private_key (f->prefs, p256);
  assert_error_shown (&f->prefs->fhir_key, TRUE);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (
                              ADW_PREFERENCES_ROW (f->prefs->fhir_key.error_row)), "ES384"));
  _ward_preferences_set_private_key (f->prefs, text);
  assert_error_shown (&f->prefs->fhir_key, TRUE);
  g_assert_cmpint (g_chmod (rsa, 0644), ==, 0);
  _ward_preferences_set_private_key (f->prefs, rsa);
  assert_error_shown (&f->prefs->fhir_key, TRUE);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (
                              ADW_PREFERENCES_ROW (f->prefs->fhir_key.error_row)), "chmod 600"));
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (f->settings, "fhir-private-key");
  g_assert_cmpstr (saved, ==, p384);

  /* Back to the keyring's key. */
  _ward_preferences_set_private_key (f->prefs, NULL);
  assert_error_shown (&f->prefs->fhir_key, FALSE);
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (f->settings, "fhir-private-key");
  g_assert_cmpstr (saved, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* The policy is saved in a configuration folder of the test's own. */
  config_home = g_dir_make_tmp ("test-preferences-XXXXXX", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ui/preferences/invalid-url", Fixture, NULL, fixture_set_up, test_invalid_url,
              fixture_tear_down);
  g_test_add ("/ui/preferences/mqtt-connection", Fixture, NULL, fixture_set_up,
              test_mqtt_connection, fixture_tear_down);
  g_test_add ("/ui/preferences/fhir-connection", Fixture, NULL, fixture_set_up,
              test_fhir_connection, fixture_tear_down);
  g_test_add ("/ui/preferences/fhir-token", Fixture, NULL, fixture_set_up, test_fhir_token,
              fixture_tear_down);
  g_test_add ("/ui/preferences/mllp-port", Fixture, NULL, fixture_set_up, test_mllp_port,
              fixture_tear_down);
  g_test_add ("/ui/preferences/policy-save", Fixture, NULL, fixture_set_up, test_policy_save,
              fixture_tear_down);
  g_test_add ("/ui/preferences/mapping", Fixture, NULL, fixture_set_up, test_mapping,
              fixture_tear_down);
  g_test_add ("/ui/preferences/private-key", Fixture, NULL, fixture_set_up, test_private_key,
              fixture_tear_down);

  status = g_test_run ();
  ward_test_remove_tree (config_home);
  g_free (config_home);

  return status;
}
