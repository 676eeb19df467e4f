/* ward-settings-config.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-settings-config"

#include "config.h"

#include "ward-settings-config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-fhir-auth.h"
#include "ward-mqtt-source.h"
#include "ward-secret.h"

G_DEFINE_QUARK (ward-settings-config-error-quark, ward_settings_config_error)

#define DEFAULT_RAW_RETENTION_DAYS         30.0
#define DEFAULT_MEASUREMENT_RETENTION_DAYS 90.0

static gboolean
set_invalid (GError     **error,
             const char  *message)
{
  g_set_error_literal (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID,
                       message);
  return FALSE;
}

/* A saved string, or NULL when the key is empty. */
static char *
dup_setting (GSettings  *settings,
             const char *key)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_strstrip (value);
  if (value[0] == '\0')
    return NULL;

  return g_steal_pointer (&value);
}

GSettings *
ward_settings_config_new_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  /* An older compiled schema (an install not yet updated) lacks the keys. */
  if (schema == NULL || !g_settings_schema_has_key (schema, "mqtt-url"))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

gboolean
ward_settings_config_check_mqtt_url (const char  *url,
                                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (url == NULL || url[0] == '\0')
    return set_invalid (error, _("Enter the broker’s address, e.g. mqtts://broker.example:8883"));

  if (!ward_mqtt_source_parse_url (url, NULL, NULL, NULL, &local_error))
    return set_invalid (error, _("Not a broker address: expected mqtt://HOST[:PORT] or "
                                 "mqtts://HOST[:PORT]"));

  return TRUE;
}

gboolean
ward_settings_config_check_fhir_url (const char  *url,
                                     GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || url[0] == '\0')
    return set_invalid (error, _("Enter the server’s base URL, e.g. https://fhir.example/R4"));

  /* GUri takes a space in a host name; no server has one. */
  for (const char *p = url; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
        return set_invalid (error, _("A URL has no spaces"));
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return set_invalid (error, _("Not a URL: expected https://HOST/PATH"));

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return set_invalid (error, _("A FHIR server’s URL starts with https:// (or http://)"));
  if (host == NULL || host[0] == '\0')
    return set_invalid (error, _("The URL names no server"));
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return set_invalid (error, _("A base URL has no query (?) or fragment (#)"));

  return TRUE;
}

gboolean
ward_settings_config_check_port (int      port,
                                 GError **error)
{
  if (port < 1 || port > 65535)
    return set_invalid (error, _("A port is a number from 1 to 65535"));

  return TRUE;
}

gboolean
ward_settings_config_check_address (const char  *address,
                                    GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;

  if (address == NULL || address[0] == '\0')
    return set_invalid (error, _("Enter an address to listen on, e.g. 127.0.0.1"));

  inet = g_inet_address_new_from_string (address);
  if (inet != NULL)
    return TRUE;

  if (!g_hostname_is_ascii_encoded (address) && !g_utf8_validate (address, -1, NULL))
    return set_invalid (error, _("Not an address"));
  for (const char *p = address; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
        return set_invalid (error, _("Not an address: expected an IP address or a host name"));
    }

  return TRUE;
}

gboolean
ward_settings_config_check_file (const char  *path,
                                 GError     **error)
{
  g_autofree char *message = NULL;

  if (path == NULL || path[0] == '\0')
    return set_invalid (error, _("No file chosen"));

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    message = g_strdup_printf (_("%s does not exist"), path);
  else if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    message = g_strdup_printf (_("%s is not a file"), path);
  else if (g_access (path, R_OK) != 0)
    message = g_strdup_printf (_("%s cannot be read"), path);

  if (message != NULL)
    return set_invalid (error, message);

  return TRUE;
}

gboolean
ward_settings_config_check_topics (const char   *text,
                                   char       ***topics,
                                   GError      **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  if (text == NULL || text[0] == '\0')
    {
      /* Empty: the default filter. */
      if (topics != NULL)
        *topics = NULL;
      return TRUE;
    }

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *topic = g_strstrip (parts[i]);

      if (topic[0] == '\0')
        return set_invalid (error, _("A topic filter is empty: separate filters with one comma"));
      if (strchr (topic, '#') != NULL && !g_str_has_suffix (topic, "#"))
        return set_invalid (error, _("“#” may only end a topic filter"));
      g_strv_builder_add (builder, topic);
      n++;
    }

  if (topics != NULL)
    *topics = n > 0 ? g_strv_builder_end (builder) : NULL;

  return TRUE;
}

gboolean
ward_settings_config_check_fhir_auth (const char  *mode,
                                      GError     **error)
{
  if (mode != NULL &&
      (g_str_equal (mode, "none") || g_str_equal (mode, "bearer") || g_str_equal (mode, "smart")))
    return TRUE;

  return set_invalid (error, _("Authentication is none, bearer or smart"));
}

gboolean
ward_settings_config_check_private_key (const char  *path,
                                        char       **algorithm,
                                        GError     **error)
{
  g_autoptr(WardFhirAuth) auth = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;

  if (!ward_settings_config_check_file (path, error))
    return FALSE;

  /* Loaded exactly as the sync will load it; nothing is sent. */
  auth = ward_fhir_auth_new_smart ("https://fhir.invalid/R4", "check", path, NULL, NULL,
                                   &local_error);
  if (auth == NULL)
    {
      if (g_error_matches (local_error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_KEY))
        message = g_strdup_printf (_("%s is not a private key the sync can sign with: it takes "
                                     "an unencrypted PEM RSA key (RS384) or EC P-384 key "
                                     "(ES384)"), path);
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_PERM))
        message = g_strdup_printf (_("%s can be read by others: make it readable by you only "
                                     "(chmod 600)"), path);
      else
        message = g_strdup (local_error->message);
      return set_invalid (error, message);
    }

  if (algorithm != NULL)
    *algorithm = g_strdup (ward_fhir_auth_get_algorithm (auth));

  return TRUE;
}

char *
ward_settings_config_user_policy_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "wardwatch", "ward-policy.json", NULL);
}

static gboolean
merge_mqtt (GSettings          *settings,
            WardSourcesConfig  *sources,
            GError            **error)
{
  WardMqttSourceConfig *mqtt = &sources->mqtt;
  g_autofree char *url = dup_setting (settings, "mqtt-url");
  g_autofree char *topics = NULL;
  g_autoptr(GError) local_error = NULL;

  if (url == NULL)
    return TRUE;

  /* A saved value that no longer passes is refused here, not half used. */
  if (!ward_settings_config_check_mqtt_url (url, &local_error))
    {
      g_set_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID,
                   _("Saved MQTT broker “%s”: %s"), url, local_error->message);
      return FALSE;
    }

  topics = g_settings_get_string (settings, "mqtt-topics");
  g_clear_pointer (&mqtt->topics, g_strfreev);
  if (!ward_settings_config_check_topics (topics, &mqtt->topics, &local_error))
    {
      g_set_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID,
                   _("Saved MQTT topics: %s"), local_error->message);
      return FALSE;
    }

  /* What else the command line gave (a certificate, a password file)
   * stays.
   */
  if (mqtt->client_id == NULL)
    mqtt->client_id = dup_setting (settings, "mqtt-client-id");
  if (mqtt->username == NULL)
    mqtt->username = dup_setting (settings, "mqtt-username");
  if (mqtt->ca_file == NULL)
    mqtt->ca_file = dup_setting (settings, "mqtt-ca-file");

  if (mqtt->password == NULL && g_settings_get_boolean (settings, "mqtt-password-in-keyring"))
    {
      char *password = NULL;

      if (!ward_secret_read (WARD_SECRET_KEYRING_PREFIX, WARD_SECRET_KIND_MQTT_PASSWORD, url,
                             &password, &local_error))
        {
          g_set_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_SECRET,
                       _("The MQTT password for %s is to come from the keyring: %s"), url,
                       local_error->message);
          return FALSE;
        }
      mqtt->password = password;
    }

  mqtt->url = g_steal_pointer (&url);
  return TRUE;
}

static gboolean
merge_fhir (GSettings           *settings,
            WardPipelineConfig  *config,
            GError             **error)
{
  g_autofree char *url = dup_setting (settings, "fhir-url");
  g_autofree char *auth = NULL;
  g_autoptr(GError) local_error = NULL;

  if (url == NULL)
    return TRUE;

  if (!ward_settings_config_check_fhir_url (url, &local_error))
    {
      g_set_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID,
                   _("Saved FHIR server “%s”: %s"), url, local_error->message);
      return FALSE;
    }

  auth = g_settings_get_string (settings, "fhir-auth");
  if (!ward_settings_config_check_fhir_auth (auth, &local_error))
    {
      g_set_error (error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID,
                   _("Saved FHIR authentication “%s”: %s"), auth, local_error->message);
      return FALSE;
    }

  /* The secrets stay in the keyring: the pipeline reads them there, under
   * the base URL (a token) or the client id (a key).
   */
  /* --fhir-auth, --fhir-token-file or --fhir-client-id without --fhir-url:
   * the saved URL with the mode the command line gives (or implies).
   */
  if (config->fhir_auth != NULL || config->fhir_token_file != NULL ||
      config->fhir_client_id != NULL)
    {
      config->fhir_url = g_steal_pointer (&url);
      return TRUE;
    }
  if (g_str_equal (auth, "bearer"))
    {
      config->fhir_token_file = g_strdup (WARD_SECRET_KEYRING_PREFIX);
    }
  else if (g_str_equal (auth, "smart"))
    {
      config->fhir_client_id = dup_setting (settings, "fhir-client-id");
      if (config->fhir_client_id == NULL)
        {
          g_set_error_literal (error, WARD_SETTINGS_CONFIG_ERROR,
                               WARD_SETTINGS_CONFIG_ERROR_INVALID,
                               _("Saved FHIR authentication is SMART Backend Services, but no "
                                 "client id is saved"));
          return FALSE;
        }
      /* A key file chosen in the preferences, else the keyring's. */
      if (config->fhir_private_key == NULL)
        config->fhir_private_key = dup_setting (settings, "fhir-private-key");
      if (config->fhir_private_key == NULL)
        config->fhir_private_key = g_strdup (WARD_SECRET_KEYRING_PREFIX);
    }

  config->fhir_auth = g_steal_pointer (&auth);
  config->fhir_url = g_steal_pointer (&url);
  return TRUE;
}

gboolean
ward_settings_config_merge (GSettings           *settings,
                            WardPipelineConfig  *config,
                            WardSourcesConfig   *sources,
                            GError             **error)
{
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (sources != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (settings == NULL)
    {
      if (config->raw_retention_days == WARD_SETTINGS_CONFIG_UNSET_DAYS)
        config->raw_retention_days = DEFAULT_RAW_RETENTION_DAYS;
      if (config->measurement_retention_days == WARD_SETTINGS_CONFIG_UNSET_DAYS)
        config->measurement_retention_days = DEFAULT_MEASUREMENT_RETENTION_DAYS;
      return TRUE;
    }

  if (config->raw_retention_days == WARD_SETTINGS_CONFIG_UNSET_DAYS)
    config->raw_retention_days = g_settings_get_double (settings, "raw-retention-days");
  if (config->measurement_retention_days == WARD_SETTINGS_CONFIG_UNSET_DAYS)
    config->measurement_retention_days = g_settings_get_double (settings,
                                                                "measurement-retention-days");

  if (config->policy_file == NULL)
    config->policy_file = dup_setting (settings, "policy-file");

  /* The demo's devices, their mapping and its server are its own. */
  if (config->demo)
    return TRUE;

  if (config->device_mapping == NULL)
    config->device_mapping = dup_setting (settings, "device-mapping");

  if (sources->mqtt.url == NULL && !merge_mqtt (settings, sources, error))
    return FALSE;

  if (sources->mllp_port == -1)
    {
      int port = g_settings_get_int (settings, "mllp-port");

      if (port > 0)
        {
          sources->mllp_port = port;
          if (sources->mllp_bind == NULL)
            sources->mllp_bind = dup_setting (settings, "mllp-bind");
        }
    }

  if (config->fhir_url == NULL && !merge_fhir (settings, config, error))
    return FALSE;

  return TRUE;
}
