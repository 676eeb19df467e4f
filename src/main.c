/* main.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wardwatch"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "ward-fhir-shared.h"
#include "ward-headless.h"
#include "ward-i18n.h"
#include "ward-pipeline.h"
#include "ward-secret.h"
#include "ward-settings-config.h"
#include "ward-settings-live.h"
#include "ward-sources.h"

#ifdef WARD_WITH_UI
# include "ward-application.h"
#endif

static gboolean
parse_band_cb (const char  *option_name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  WardPipelineConfig *config = data;

  if (!ward_band_from_string (value, &config->flag_threshold))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: expected low, low-medium, medium or high"), option_name);
      return FALSE;
    }

  return TRUE;
}


static void
add_nurse_entries (GStrvBuilder *builder,
                   GStrv         values,
                   const char   *field)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      const char *colon = strchr (values[i], ':');
      g_autofree char *entry = NULL;

      /* Without a colon it goes through as it is, and the pipeline says
       * what is wrong with it.
       */
      if (colon == NULL)
        entry = g_strdup (values[i]);
      else
        entry = g_strdup_printf ("%.*s:%s=%s", (int) (colon - values[i]), values[i], field,
                                 colon + 1);
      g_strv_builder_add (builder, entry);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardSourcesConfig) sources = { 0 };
  g_auto(WardPipelineConfig) command_line = { 0 };
  g_auto(WardSourcesConfig) command_line_sources = { 0 };
  g_auto(WardSessionConfig) session = { 0 };
  g_autofree char *mqtt_password_file = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) acvpu = NULL;
  g_auto(GStrv) oxygen = NULL;
  g_auto(GStrv) scales = NULL;
  g_autoptr(GStrvBuilder) nurse = NULL;
  gboolean headless = FALSE;
  gboolean kiosk = FALSE;
  gboolean version = FALSE;
  gboolean wall_board = FALSE;
  double duration = 0;
  double simulated_duration = 0;
  double window_minutes = 30;
  double open_delay = -1;
  double close_delay = -1;
  double silence = -1;
  double mllp_idle_timeout = WARD_MLLP_DEFAULT_IDLE_TIMEOUT / (double) G_USEC_PER_SEC;
  double mllp_dedup_hours = WARD_MLLP_DEFAULT_DEDUP_KEEP / (3600.0 * G_USEC_PER_SEC);
  int mllp_max_connections = WARD_MLLP_DEFAULT_MAX_CONNECTIONS;
  gint64 seed = 1;
  int beds = 16;

  /* Also the build folder's translations when run uninstalled. */
  ward_i18n_init ();

  ward_pipeline_config_init (&config);
  ward_sources_config_init (&sources);
  ward_session_config_init (&session);
  /* Unset until the options are read: saved settings fill what they leave. */
  config.raw_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;
  config.measurement_retention_days = WARD_SETTINGS_CONFIG_UNSET_DAYS;

  {
    GOptionEntry entries[] = {
      { "headless", 0, 0, G_OPTION_ARG_NONE, &headless,
        N_("Run the pipeline without a window and print a summary at exit"), NULL },
      { "demo", 0, 0, G_OPTION_ARG_NONE, &config.demo,
        N_("Feed the pipeline from simulated bedside monitors"), NULL },
      { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration,
        N_("Stop cleanly after this many seconds"), N_("SECONDS") },
      { "simulated-duration", 0, 0, G_OPTION_ARG_DOUBLE, &simulated_duration,
        N_("With --headless --demo, stop cleanly once the simulated ward has run this many seconds"),
        N_("SECONDS") },
      { "db", 0, 0, G_OPTION_ARG_FILENAME, &config.db_path,
        N_("The history database (default: in the user data folder)"), N_("PATH") },
      { "time-scale", 0, 0, G_OPTION_ARG_DOUBLE, &config.time_scale,
        N_("Simulated seconds per real second in demo mode"), N_("X") },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
        N_("Seed of the simulated ward, for reproducible runs"), N_("N") },
      { "beds", 0, 0, G_OPTION_ARG_INT, &beds,
        N_("Number of simulated beds (1 to 256)"), N_("N") },
      { "scenario", 0, 0, G_OPTION_ARG_STRING_ARRAY, &config.scenarios,
        N_("Scenario for the beds, in turn (repeat for several)"), N_("ID") },
      { "scenario-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &config.scenario_dirs,
        N_("Also load scenarios from this folder"), N_("DIR") },
      { "acvpu", 0, 0, G_OPTION_ARG_STRING_ARRAY, &acvpu,
        N_("Enter consciousness for a bed at start, e.g. 3:C"), N_("BED:A|C|V|P|U") },
      { "oxygen", 0, 0, G_OPTION_ARG_STRING_ARRAY, &oxygen,
        N_("Enter air (0) or oxygen flow in L/min for a bed at start, e.g. 4:2"), N_("BED:FLOW") },
      { "spo2-scale", 0, 0, G_OPTION_ARG_STRING_ARRAY, &scales,
        N_("Set the SpO2 scale of a bed's patient at start, e.g. 4:2"), N_("BED:1|2") },
      { "window-minutes", 0, 0, G_OPTION_ARG_DOUBLE, &window_minutes,
        N_("Period each stored score row is labelled with (default 30); which values count "
           "is the ward policy's"), N_("MINUTES") },
      { "policy", 0, 0, G_OPTION_ARG_FILENAME, &config.policy_file,
        N_("Ward policy: how long each parameter's values count, flag delays, observation "
           "frequency, as a JSON file (see README); its keys win over the options"), N_("FILE") },
      { "model", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &config.models,
        N_("Run a model from its card, shown next to NEWS2 (active) or only stored and "
           "compared (shadow, the default); repeat for several"), N_("CARD[:shadow|active]") },
      { "flag-threshold", 0, 0, G_OPTION_ARG_CALLBACK, parse_band_cb,
        N_("Lowest band that raises a flag (default medium)"), N_("BAND") },
      { "flag-open-delay", 0, 0, G_OPTION_ARG_DOUBLE, &open_delay,
        N_("Seconds a band must last before a flag opens or escalates (default 180)"), N_("SECONDS") },
      { "flag-close-delay", 0, 0, G_OPTION_ARG_DOUBLE, &close_delay,
        N_("Seconds of recovery before a flag closes (default 600)"), N_("SECONDS") },
      { "raw-retention-days", 0, 0, G_OPTION_ARG_DOUBLE, &config.raw_retention_days,
        N_("Keep raw device messages this many days (default 30; 0: forever)"), N_("DAYS") },
      { "measurement-retention-days", 0, 0, G_OPTION_ARG_DOUBLE,
        &config.measurement_retention_days,
        N_("Keep raw measurements this many days once the history roll-ups count them "
           "(default: the ward policy's measurement_retention_days, else 90; 0: forever)"),
        N_("DAYS") },
      { "device-silence", 0, 0, G_OPTION_ARG_DOUBLE, &silence,
        N_("Seconds without data before a technical alert (default 60)"), N_("SECONDS") },
      { "ward", 0, 0, G_OPTION_ARG_FILENAME, &config.ward_file,
        N_("Beds, patients and their devices, as a JSON file (see docs/ARCHITECTURE.md)"), N_("FILE") },
      { "device-mapping", 0, 0, G_OPTION_ARG_FILENAME, &config.device_mapping,
        N_("An IoMT (Azure MedTech) device mapping for JSON device messages"), N_("FILE") },
      { "mqtt-url", 0, 0, G_OPTION_ARG_STRING, &sources.mqtt.url,
        N_("Subscribe to device messages on this broker (mqtt:// or mqtts://)"), N_("URL") },
      { "mqtt-topic", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sources.mqtt.topics,
        N_("Topic filter, {deviceId} marking the device id (default devices/{deviceId}/messages/events/#)"),
        N_("FILTER") },
      { "mqtt-client-id", 0, 0, G_OPTION_ARG_STRING, &sources.mqtt.client_id,
        N_("Client id of the persistent session (default: derived from the host name)"), N_("ID") },
      { "mqtt-ca-file", 0, 0, G_OPTION_ARG_FILENAME, &sources.mqtt.ca_file,
        N_("CA certificates to verify the broker with (default: the system's)"), N_("FILE") },
      { "mqtt-cert", 0, 0, G_OPTION_ARG_FILENAME, &sources.mqtt.cert_file,
        N_("Client certificate"), N_("FILE") },
      { "mqtt-key", 0, 0, G_OPTION_ARG_FILENAME, &sources.mqtt.key_file,
        N_("Client certificate key"), N_("FILE") },
      { "mqtt-username", 0, 0, G_OPTION_ARG_STRING, &sources.mqtt.username,
        N_("User name on the broker"), N_("NAME") },
      { "mqtt-password-file", 0, 0, G_OPTION_ARG_FILENAME, &mqtt_password_file,
        N_("A file, readable only by you, holding the broker password, or keyring: for the "
           "desktop keyring"), N_("FILE") },
      { "fhir-url", 0, 0, G_OPTION_ARG_STRING, &config.fhir_url,
        N_("Send the FHIR resources to this FHIR R4 server (base URL)"), N_("URL") },
      { "fhir-token-file", 0, 0, G_OPTION_ARG_FILENAME, &config.fhir_token_file,
        N_("A file, readable only by you, holding a bearer token for the FHIR server, or "
           "keyring: for the desktop keyring"), N_("FILE") },
      { "fhir-client-id", 0, 0, G_OPTION_ARG_STRING, &config.fhir_client_id,
        N_("Authenticate to the FHIR server as this SMART Backend Services client"), N_("ID") },
      { "fhir-private-key", 0, 0, G_OPTION_ARG_FILENAME, &config.fhir_private_key,
        N_("The SMART client's PEM private key (RSA or EC P-384), readable only by you, or "
           "keyring: for the desktop keyring"),
        N_("FILE") },
      { "fhir-auth", 0, 0, G_OPTION_ARG_STRING, &config.fhir_auth,
        N_("FHIR server authentication: none, bearer or smart (default: smart with "
           "--fhir-client-id, bearer with --fhir-token-file, else none)"), N_("MODE") },
      { "station", 0, 0, G_OPTION_ARG_STRING, &config.station,
        N_("This station's name, shown to the other stations on the ward with what it "
           "shares through the FHIR server (default: the host name)"), N_("NAME") },
      { "identity", 0, 0, G_OPTION_ARG_STRING, &config.identity,
        N_("Device to patient: local (the ward file), lookup (Device.patient on the FHIR server) "
           "or create (as lookup; missing Patient and Device are created)"), N_("MODE") },
      { "identity-cache-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &config.identity_cache_seconds,
        N_("How long a FHIR server's answer for a device is used (default 300)"), N_("SECONDS") },
      { "outbox-limit", 0, 0, G_OPTION_ARG_INT64, &config.outbox_limit,
        N_("Warn when more than this many FHIR resources wait to be sent (default 500000; "
           "none is ever dropped)"), N_("N") },
      { "mllp-port", 0, 0, G_OPTION_ARG_INT, &sources.mllp_port,
        N_("Listen for HL7 v2 over MLLP on this port"), N_("PORT") },
      { "mllp-bind", 0, 0, G_OPTION_ARG_STRING, &sources.mllp_bind,
        N_("Address for the MLLP listener (default 127.0.0.1)"), N_("ADDRESS") },
      { "mllp-max-connections", 0, 0, G_OPTION_ARG_INT, &mllp_max_connections,
        N_("MLLP connections open at once; more are closed at once (default 64)"), N_("N") },
      { "mllp-idle-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &mllp_idle_timeout,
        N_("Close an MLLP connection silent this long (default 120; 0: never)"), N_("SECONDS") },
      { "mllp-dedup-hours", 0, 0, G_OPTION_ARG_DOUBLE, &mllp_dedup_hours,
        N_("Remember each HL7 message id this long, so that a resent message is stored once "
           "(default 24; 0: off)"), N_("HOURS") },
      { "staff", 0, 0, G_OPTION_ARG_FILENAME, &session.staff_file,
        N_("The ward's staff: names, roles, desktop accounts and PIN hashes, as a JSON file "
           "(default with --demo: the demo staff)"), N_("FILE") },
      { "staff-id", 0, 0, G_OPTION_ARG_STRING, &session.staff_id,
        N_("Act as this staff member from the start, without a PIN (not at a station)"), N_("ID") },
      { "station-mode", 0, 0, G_OPTION_ARG_NONE, &session.station_mode,
        N_("A shared station: nobody acts until they switch in with their PIN"), NULL },
      { "idle-sign-out", 0, 0, G_OPTION_ARG_INT, &session.idle_seconds,
        N_("At a station, sign out after this many seconds without activity (default 300; "
           "0: never)"), N_("SECONDS") },
      { "kiosk", 0, 0, G_OPTION_ARG_NONE, &kiosk,
        N_("A ward kiosk: full screen, a staff PIN to close, quit or leave full screen, "
           "auto-lock (implies --station-mode; see docs/KIOSK.md)"), NULL },
      { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
      { "wall-board", 0, 0, G_OPTION_ARG_NONE, &wall_board,
        N_("Show the ward board for a wall screen: every bed on one screen, readable from "
           "across the ward (this run only; the menu's Density changes it)"), NULL },
      { NULL }
    };
    GOptionGroup *group = g_option_group_new ("wardwatch", NULL, NULL, &config, NULL);

    g_option_group_add_entries (group, entries);
    g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
    context = g_option_context_new (NULL);
    g_option_context_set_summary (context, _("Ward clinician dashboard: live NEWS2 scores and flags"));
    g_option_context_set_main_group (context, group);
  }

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("wardwatch %s\n", PACKAGE_VERSION);
      /* Which build this is: a development build runs as its own
       * application (meson -Dprofile=development).
       */
      g_print ("build profile %s (%s)\n", WARD_PROFILE, APP_ID);
      return 0;
    }

  /* What the command line gave, before the settings: the window's
   * application merges them again when the preferences change.
   */
  ward_pipeline_config_copy (&config, &command_line);
  ward_sources_config_copy (&sources, &command_line_sources);

  /* The preferences' saved settings, under what the command line gives. */
  {
    g_autoptr(GSettings) settings = ward_settings_config_new_settings ();

    if (!ward_settings_config_merge (settings, &config, &sources, &error))
      {
        g_printerr ("wardwatch: %s\n", error->message);
        return 2;
      }
  }

  if (simulated_duration < 0 || (simulated_duration > 0 && !config.demo))
    {
      g_printerr ("wardwatch: %s\n",
                  _("--simulated-duration needs --demo and a positive number of seconds"));
      return 2;
    }

  if (config.measurement_retention_days < 0)
    {
      g_printerr ("wardwatch: %s\n", _("--measurement-retention-days must not be negative"));
      return 2;
    }

  if (beds < 1 || beds > 256 || config.time_scale <= 0 || window_minutes <= 0 || duration < 0 ||
      seed < 0 || config.raw_retention_days < 0 || config.identity_cache_seconds < 0 ||
      config.outbox_limit < 0)
    {
      g_printerr ("wardwatch: %s\n",
                  _("--beds takes 1 to 256; --time-scale, --window-minutes and --seed must be "
                    "positive; --duration, --raw-retention-days, --identity-cache-seconds and "
                    "--outbox-limit must not be negative"));
      return 2;
    }

  if (config.station != NULL && !ward_fhir_shared_station_is_valid (config.station, NULL))
    {
      g_printerr ("wardwatch: %s\n",
                  _("--station takes a name of 1 to 64 characters, without control characters"));
      return 2;
    }

  if (sources.mllp_port > 65535 || sources.mllp_port < -1)
    {
      g_printerr ("wardwatch: %s\n", _("--mllp-port takes 0 to 65535"));
      return 2;
    }

  if (mllp_max_connections < 1 || mllp_idle_timeout < 0 || mllp_dedup_hours < 0)
    {
      g_printerr ("wardwatch: %s\n",
                  _("--mllp-max-connections must be at least 1; --mllp-idle-timeout and "
                    "--mllp-dedup-hours must not be negative"));
      return 2;
    }
  sources.mllp_limits.max_connections = (guint) mllp_max_connections;
  sources.mllp_limits.idle_timeout_usec = (gint64) (mllp_idle_timeout * G_USEC_PER_SEC);
  sources.mllp_limits.dedup_keep_usec = (gint64) (mllp_dedup_hours * 3600.0 * G_USEC_PER_SEC);

  /* Secrets never on the command line, where every user sees them. */
  if (mqtt_password_file != NULL)
    g_clear_pointer (&sources.mqtt.password, ward_secret_free);
  if (mqtt_password_file != NULL && !ward_secret_read (mqtt_password_file, WARD_SECRET_KIND_MQTT_PASSWORD,
                                                         sources.mqtt.url, &sources.mqtt.password,
                                                         &error))
    {
      g_printerr ("wardwatch: %s\n", error->message);
      return 2;
    }

  /* The demo ward's devices come over the network when a source is given
   * (play them with wardwatch-cli simulate); in-process otherwise.
   */
  config.simulate = sources.mqtt.url == NULL && sources.mllp_port < 0;

  config.n_beds = beds;
  config.seed = (guint64) seed;
  config.window_usec = (gint64) (window_minutes * WARD_USEC_PER_MINUTE);
  if (open_delay >= 0)
    config.flag_open_delay_usec = (gint64) (open_delay * WARD_USEC_PER_SEC);
  if (close_delay >= 0)
    config.flag_close_delay_usec = (gint64) (close_delay * WARD_USEC_PER_SEC);
  if (silence >= 0)
    config.device_silence_usec = (gint64) (silence * WARD_USEC_PER_SEC);

  /* --acvpu=3:C becomes the pipeline's "3:acvpu=C", and so on. */
  nurse = g_strv_builder_new ();
  add_nurse_entries (nurse, acvpu, "acvpu");
  add_nurse_entries (nurse, oxygen, "oxygen");
  add_nurse_entries (nurse, scales, "spo2-scale");
  config.nurse_entries = g_strv_builder_end (nurse);

  if (config.db_path == NULL)
    config.db_path = g_build_filename (g_get_user_data_dir (), "wardwatch",
                                       config.demo ? "demo.db" : "wardwatch.db", NULL);

#ifdef WARD_WITH_UI
  if (!headless)
    {
      g_autoptr(WardApplication) app = NULL;
      g_autoptr(WardSession) acting = NULL;
      char *app_argv[] = { argv[0], NULL };

      /* Nobody acts at a kiosk until they sign in with their PIN. */
      if (kiosk)
        session.station_mode = TRUE;
      acting = ward_session_new_for_config (&session, config.demo, config.db_path, &error);
      if (acting == NULL)
        {
          g_printerr ("wardwatch: %s\n", error->message);
          return 2;
        }
      app = ward_application_new (&config, &sources);
      ward_application_set_command_line (app, &command_line, &command_line_sources);
      ward_application_set_session (app, acting);
      ward_application_set_kiosk (app, kiosk);
      if (wall_board)
        ward_application_set_board_density (app, WARD_BOARD_DENSITY_WALL);

      return g_application_run (G_APPLICATION (app), 1, app_argv);
    }
#endif

  if (!config.demo && config.ward_file == NULL)
    {
      g_printerr ("wardwatch: %s\n",
                  _("No ward: give --ward=FILE (beds, patients, devices), or --demo for a simulated one"));
      return 2;
    }

  if (!config.demo && sources.mqtt.url == NULL && sources.mllp_port < 0)
    {
      g_printerr ("wardwatch: %s\n",
                  _("No device source: give --mqtt-url or --mllp-port, or --demo for simulated devices"));
      return 2;
    }

  return ward_headless_run_full (&config, &sources, &session, duration, simulated_duration);
}
