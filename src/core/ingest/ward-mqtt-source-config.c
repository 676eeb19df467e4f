/* ward-mqtt-source-config.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-mqtt-source"

#include "config.h"

#include "ward-mqtt-source.h"
#include "ward-mqtt-source-private.h"

#include <mosquitto.h>

#include <string.h>

/* The MQTT source's configuration, split from ward-mqtt-source.c by
 * concern: the configuration struct, broker URLs, topic filters and the
 * device ids they give, and where the CAs for mqtts:// come from.
 */

#define SYSTEM_CA_FILE       "/etc/ssl/certs/ca-certificates.crt"
#define SYSTEM_CA_DIR        "/etc/ssl/certs"

void
_ward_mqtt_filter_clear (Filter *filter)
{
  g_clear_pointer (&filter->subscription, g_free);
  g_clear_pointer (&filter->match, g_free);
}

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      explicit_bzero (*str, strlen (*str));
      g_clear_pointer (str, g_free);
    }
}

void
ward_mqtt_source_config_init (WardMqttSourceConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->keepalive = 30;
  config->max_inflight = 100;
  config->reconnect_delay_min = 1;
  config->reconnect_delay_max = 30;
}

void
ward_mqtt_source_config_clear (WardMqttSourceConfig *config)
{
  g_return_if_fail (config != NULL);

  g_clear_pointer (&config->url, g_free);
  g_clear_pointer (&config->client_id, g_free);
  g_clear_pointer (&config->topics, g_strfreev);
  g_clear_pointer (&config->ca_file, g_free);
  g_clear_pointer (&config->ca_path, g_free);
  g_clear_pointer (&config->cert_file, g_free);
  g_clear_pointer (&config->key_file, g_free);
  g_clear_pointer (&config->username, g_free);
  wipe_string (&config->password);
}

void
ward_mqtt_source_config_copy (const WardMqttSourceConfig *src,
                              WardMqttSourceConfig       *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  *dest = *src;
  dest->url = g_strdup (src->url);
  dest->client_id = g_strdup (src->client_id);
  dest->topics = g_strdupv (src->topics);
  dest->ca_file = g_strdup (src->ca_file);
  dest->ca_path = g_strdup (src->ca_path);
  dest->cert_file = g_strdup (src->cert_file);
  dest->key_file = g_strdup (src->key_file);
  dest->username = g_strdup (src->username);
  dest->password = g_strdup (src->password);
}

/* Topic filters */

static gboolean
parse_filter (const char  *text,
              Filter      *filter,
              GError     **error)
{
  g_auto(GStrv) levels = NULL;
  guint first = 0;
  int device_level = -1;

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_TOPIC,
                           "Empty topic filter");
      return FALSE;
    }

  levels = g_strsplit (text, "/", -1);

  /* A shared subscription ("$share/<group>/<filter>", several Wardwatch
   * instances sharing the devices): topics match the part after the group.
   */
  if (g_strcmp0 (levels[0], "$share") == 0 && levels[1] != NULL && levels[2] != NULL)
    first = 2;

  for (guint i = first; levels[i] != NULL; i++)
    {
      if (strcmp (levels[i], WARD_MQTT_DEVICE_ID_PLACEHOLDER) == 0)
        {
          if (device_level >= 0)
            {
              g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_TOPIC,
                           "Topic filter “%s”: more than one %s", text,
                           WARD_MQTT_DEVICE_ID_PLACEHOLDER);
              return FALSE;
            }
          device_level = (int) (i - first);
          g_free (levels[i]);
          levels[i] = g_strdup ("+");
        }
      else if (strstr (levels[i], WARD_MQTT_DEVICE_ID_PLACEHOLDER) != NULL)
        {
          g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_TOPIC,
                       "Topic filter “%s”: %s must be a whole level", text,
                       WARD_MQTT_DEVICE_ID_PLACEHOLDER);
          return FALSE;
        }
    }

  filter->subscription = g_strjoinv ("/", levels);
  filter->match = g_strjoinv ("/", levels + first);
  filter->device_level = device_level;

  if (mosquitto_sub_topic_check (filter->subscription) != MOSQ_ERR_SUCCESS ||
      !g_utf8_validate (filter->subscription, -1, NULL))
    {
      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_TOPIC,
                   "Topic filter “%s” is not a valid MQTT subscription", text);
      _ward_mqtt_filter_clear (filter);
      return FALSE;
    }

  return TRUE;
}

GArray *
_ward_mqtt_parse_filters (const char * const  *topics,
                          GError             **error)
{
  static const char * const default_topics[] = { WARD_MQTT_DEFAULT_TOPIC, NULL };
  g_autoptr(GArray) filters = g_array_new (FALSE, TRUE, sizeof (Filter));

  g_array_set_clear_func (filters, (GDestroyNotify) _ward_mqtt_filter_clear);

  if (topics == NULL)
    topics = default_topics;

  for (guint i = 0; topics[i] != NULL; i++)
    {
      Filter filter = { 0 };

      if (!parse_filter (topics[i], &filter, error))
        return NULL;
      g_array_append_val (filters, filter);
    }

  if (filters->len == 0)
    {
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_TOPIC,
                           "No topic filter");
      return NULL;
    }

  return g_steal_pointer (&filters);
}

static char *
level_of (const char *topic,
          int         level)
{
  const char *start = topic;
  const char *end;

  for (int i = 0; i < level; i++)
    {
      start = strchr (start, '/');
      if (start == NULL)
        return NULL;
      start++;
    }

  end = strchr (start, '/');
  if (end == NULL)
    end = start + strlen (start);

  return end > start ? g_strndup (start, end - start) : NULL;
}

char *
_ward_mqtt_device_id_for_topic (GArray     *filters,
                                const char *topic)
{
  for (guint i = 0; i < filters->len; i++)
    {
      const Filter *filter = &g_array_index (filters, Filter, i);
      bool matches = false;

      if (filter->device_level < 0)
        continue;

      if (mosquitto_topic_matches_sub (filter->match, topic, &matches) == MOSQ_ERR_SUCCESS &&
          matches)
        return level_of (topic, filter->device_level);
    }

  /* The IoT Hub convention, for filters without a placeholder (and for
   * messages of an older subscription the persistent session still has).
   */
  if (g_str_has_prefix (topic, "devices/"))
    return level_of (topic, 1);

  return NULL;
}

char *
ward_mqtt_source_device_id_for_topic (const char * const *filters,
                                      const char         *topic)
{
  g_autoptr(GArray) parsed = NULL;

  g_return_val_if_fail (topic != NULL, NULL);

  parsed = _ward_mqtt_parse_filters (filters, NULL);
  if (parsed == NULL)
    return NULL;

  return _ward_mqtt_device_id_for_topic (parsed, topic);
}

/* Configuration */

gboolean
ward_mqtt_source_parse_url (const char  *url,
                            char       **host,
                            int         *port,
                            gboolean    *tls,
                            GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;
  const char *path;
  gboolean is_tls;
  int p;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_URL,
                   "“%s” is not a URL: %s", url, local_error->message);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "mqtt") == 0)
    is_tls = FALSE;
  else if (g_ascii_strcasecmp (scheme, "mqtts") == 0)
    is_tls = TRUE;
  else
    {
      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_URL,
                   "“%s”: the scheme must be mqtt or mqtts", url);
      return FALSE;
    }

  /* Credentials belong in the keyring, never in a URL in plain configuration. */
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_URL,
                   "%s URL: give the user name and password separately, not in the URL",
                   scheme);
      return FALSE;
    }

  path = g_uri_get_path (uri);
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (path[0] != '\0' && strcmp (path, "/") != 0) ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_URL,
                   "“%s”: expected %s://HOST[:PORT]", url, scheme);
      return FALSE;
    }

  p = g_uri_get_port (uri);
  if (p == -1)
    p = is_tls ? 8883 : 1883;
  if (p <= 0 || p > 65535)
    {
      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_URL,
                   "“%s”: bad port", url);
      return FALSE;
    }

  if (host != NULL)
    *host = g_strdup (g_uri_get_host (uri));
  if (port != NULL)
    *port = p;
  if (tls != NULL)
    *tls = is_tls;

  return TRUE;
}

gboolean
_ward_mqtt_check_file_option (const char  *name,
                              const char  *value,
                              gboolean     is_dir,
                              GError     **error)
{
  if (value == NULL)
    return TRUE;

  if (!g_file_test (value, is_dir ? G_FILE_TEST_IS_DIR : G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
                   "%s “%s” is not a readable %s", name, value, is_dir ? "folder" : "file");
      return FALSE;
    }

  return TRUE;
}

/* The system's CA store, for mqtts:// without a CA of its own:
 * SSL_CERT_FILE or SSL_CERT_DIR when set (OpenSSL's own variables, so a
 * private store works as it does for other programs), else the Debian
 * bundle, else its folder.  libmosquitto needs a file or a folder: it
 * refuses a TLS setup with neither.
 */
gboolean
_ward_mqtt_find_system_cas (char    **ca_file,
                            char    **ca_path,
                            char    **origin,
                            GError  **error)
{
  const char *env_file = g_getenv ("SSL_CERT_FILE");
  const char *env_dir = g_getenv ("SSL_CERT_DIR");

  if (env_file != NULL && *env_file != '\0')
    {
      if (!g_file_test (env_file, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_TLS,
                       "CA file “%s” (from SSL_CERT_FILE) is not a readable file", env_file);
          return FALSE;
        }
      *ca_file = g_strdup (env_file);
      *origin = g_strdup ("SSL_CERT_FILE");
      return TRUE;
    }

  if (env_dir != NULL && *env_dir != '\0')
    {
      /* OpenSSL takes a list; libmosquitto one folder: the first. */
      g_auto(GStrv) dirs = g_strsplit (env_dir, G_SEARCHPATH_SEPARATOR_S, 2);

      if (!g_file_test (dirs[0], G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_TLS,
                       "CA folder “%s” (from SSL_CERT_DIR) is not a readable folder", dirs[0]);
          return FALSE;
        }
      *ca_path = g_strdup (dirs[0]);
      *origin = g_strdup ("SSL_CERT_DIR");
      return TRUE;
    }

  if (g_file_test (SYSTEM_CA_FILE, G_FILE_TEST_IS_REGULAR))
    {
      *ca_file = g_strdup (SYSTEM_CA_FILE);
      *origin = g_strdup ("the system store");
      return TRUE;
    }

  if (g_file_test (SYSTEM_CA_DIR, G_FILE_TEST_IS_DIR))
    {
      *ca_path = g_strdup (SYSTEM_CA_DIR);
      *origin = g_strdup ("the system store");
      return TRUE;
    }

  g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_TLS,
               "No CA certificates to verify the broker with: give --mqtt-ca-file, or install "
               "ca-certificates (%s), or set SSL_CERT_FILE", SYSTEM_CA_FILE);
  return FALSE;
}
