/* ward-connection-check.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-connection-check"

#include "config.h"

#include "ward-connection-check.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <mosquitto.h>
#include <string.h>

#include "ward-secret.h"

#define MQTT_KEEPALIVE_SEC 10

typedef struct
{
  WardMqttSourceConfig config;
  guint                timeout_sec;
  gboolean             answered;
  int                  connack;
} MqttCheck;

static void
mqtt_check_free (MqttCheck *check)
{
  ward_mqtt_source_config_clear (&check->config);
  g_free (check);
}

static void
ensure_mosquitto (void)
{
  static gsize initialized = 0;

  /* Counted by libmosquitto; not thread-safe, so on the caller's thread. */
  if (g_once_init_enter (&initialized))
    {
      mosquitto_lib_init ();
      g_once_init_leave (&initialized, 1);
    }
}

static void
mqtt_connect_cb (struct mosquitto *mosq,
                 void             *data,
                 int               rc)
{
  MqttCheck *check = data;

  check->answered = TRUE;
  check->connack = rc;
}

static char *
describe_mosquitto_error (int rc)
{
  if (rc == MOSQ_ERR_ERRNO)
    return g_strdup (g_strerror (errno));

  return g_strdup (mosquitto_strerror (rc));
}

static void
check_mqtt_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  MqttCheck *check = task_data;
  g_autofree char *host = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;
  struct mosquitto *mosq;
  gboolean tls = FALSE;
  gint64 deadline;
  int port = 0;
  int rc;

  if (!ward_mqtt_source_parse_url (check->config.url, &host, &port, &tls, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A client id of its own: connecting as the configured one would take
   * the persistent session away from a running Wardwatch.
   */
  client_id = g_strdup_printf ("wardwatch-check-%08x", g_random_int ());
  mosq = mosquitto_new (client_id, true, check);
  if (mosq == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", g_strerror (errno));
      return;
    }
  mosquitto_connect_callback_set (mosq, mqtt_connect_cb);

  rc = MOSQ_ERR_SUCCESS;
  if (check->config.username != NULL)
    rc = mosquitto_username_pw_set (mosq, check->config.username, check->config.password);
  if (rc == MOSQ_ERR_SUCCESS && tls)
    rc = mosquitto_tls_set (mosq, check->config.ca_file,
                            check->config.ca_file == NULL ? "/etc/ssl/certs" : NULL,
                            check->config.cert_file, check->config.key_file, NULL);
  if (rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_connect (mosq, host, port, MQTT_KEEPALIVE_SEC);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      reason = describe_mosquitto_error (rc);
      mosquitto_destroy (mosq);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                               _("Could not connect to %s:%d: %s"), host, port, reason);
      return;
    }

  deadline = g_get_monotonic_time () + check->timeout_sec * G_USEC_PER_SEC;
  while (!check->answered && g_get_monotonic_time () < deadline &&
         !g_cancellable_is_cancelled (cancellable))
    {
      rc = mosquitto_loop (mosq, 100, 1);
      if (rc != MOSQ_ERR_SUCCESS)
        break;
    }

  if (check->answered && check->connack == 0)
    mosquitto_disconnect (mosq);
  mosquitto_destroy (mosq);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!check->answered)
    {
      if (rc != MOSQ_ERR_SUCCESS)
        {
          reason = describe_mosquitto_error (rc);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                   _("%s:%d closed the connection: %s"), host, port, reason);
        }
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                 _("%s:%d did not answer as an MQTT broker within %u s"),
                                 host, port, check->timeout_sec);
      return;
    }

  if (check->connack != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               _("The broker at %s:%d refused the connection: %s"), host, port,
                               mosquitto_connack_string (check->connack));
      return;
    }

  g_task_return_pointer (task,
                         g_strdup_printf (_("Connected to the broker at %s:%d"), host, port),
                         g_free);
}

void
ward_connection_check_mqtt_async (const WardMqttSourceConfig *config,
                                  guint                       timeout_sec,
                                  GCancellable               *cancellable,
                                  GAsyncReadyCallback         callback,
                                  gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  MqttCheck *check;

  g_return_if_fail (config != NULL && config->url != NULL);

  ensure_mosquitto ();

  check = g_new0 (MqttCheck, 1);
  ward_mqtt_source_config_init (&check->config);
  ward_mqtt_source_config_copy (config, &check->config);
  check->timeout_sec = MAX (timeout_sec, 1);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_connection_check_mqtt_async);
  g_task_set_task_data (task, check, (GDestroyNotify) mqtt_check_free);
  g_task_run_in_thread (task, check_mqtt_thread);
}

static char *
describe_capability (GBytes  *body,
                     GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  const char *version;
  const char *software = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  if (!json_parser_load_from_data (parser, data, (gssize) size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The server answered, but not with FHIR JSON: is this the base URL?"));
      return NULL;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "resourceType", ""),
                 "CapabilityStatement") != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The server answered without a CapabilityStatement: is this the "
                             "base URL?"));
      return NULL;
    }

  version = json_object_get_string_member_with_default (object, "fhirVersion", "?");
  if (json_object_has_member (object, "software") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "software")))
    software = json_object_get_string_member_with_default (
      json_object_get_object_member (object, "software"), "name", NULL);

  if (!g_str_has_prefix (version, "4.0"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The server speaks FHIR %s; Wardwatch needs FHIR R4 (4.0)"), version);
      return NULL;
    }

  if (software != NULL)
    return g_strdup_printf (_("Connected: FHIR %s (%s)"), version, software);
  return g_strdup_printf (_("Connected: FHIR %s"), version);
}

/* The FHIR check: the capability statement first (open to all on most
 * servers), then, with a token, a search that needs it.
 */
typedef struct
{
  SoupSession *session;
  SoupMessage *message;
  char        *base_url;
  char        *token;
  char        *sentence;
} FhirCheck;

static void
fhir_check_free (FhirCheck *check)
{
  g_clear_object (&check->message);
  g_clear_object (&check->session);
  g_free (check->base_url);
  if (check->token != NULL)
    ward_secret_free (check->token);
  g_free (check->sentence);
  g_free (check);
}

static void fhir_read_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

static gboolean
fhir_send (GTask       *task,
           const char  *relative,
           GError     **error)
{
  FhirCheck *check = g_task_get_task_data (task);
  g_autofree char *url = g_strdup_printf ("%s%s%s", check->base_url,
                                          g_str_has_suffix (check->base_url, "/") ? "" : "/",
                                          relative);
  SoupMessageHeaders *headers;

  if (!g_uri_is_valid (url, G_URI_FLAGS_NONE, error))
    return FALSE;

  g_clear_object (&check->message);
  check->message = soup_message_new (SOUP_METHOD_GET, url);
  if (check->message == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Not a URL: %s"), url);
      return FALSE;
    }

  headers = soup_message_get_request_headers (check->message);
  soup_message_headers_append (headers, "Accept", "application/fhir+json");
  if (check->token != NULL)
    {
      char *value = g_strdup_printf ("Bearer %s", check->token);

      soup_message_headers_replace (headers, "Authorization", value);
      ward_secret_free (value);
    }

  soup_session_send_and_read_async (check->session, check->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), fhir_read_cb,
                                    g_object_ref (task));
  return TRUE;
}

static void
fhir_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FhirCheck *check = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  gboolean searching = check->sentence != NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_new_error (task, error->domain, error->code,
                               _("No answer from the server: %s"), error->message);
      return;
    }

  status = soup_message_get_status (check->message);
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               _("The server refused the credentials (HTTP %u)"), status);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The server answered HTTP %u %s"), status,
                               soup_message_get_reason_phrase (check->message));
      return;
    }

  if (searching)
    {
      /* Translators: %s is "Connected: FHIR 4.0.1 (server name)". */
      g_task_return_pointer (task, g_strdup_printf (_("%s; the token is accepted"), check->sentence),
                             g_free);
      return;
    }

  check->sentence = describe_capability (body, &error);
  if (check->sentence == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (check->token == NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&check->sentence), g_free);
      return;
    }

  /* The capability statement needs no token: a search does. */
  if (!fhir_send (task, "Patient?_summary=count", &error))
    g_task_return_error (task, g_steal_pointer (&error));
}

void
ward_connection_check_fhir_async (const char          *base_url,
                                  const char          *token,
                                  guint                timeout_sec,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  FhirCheck *check;

  g_return_if_fail (base_url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_connection_check_fhir_async);

  check = g_new0 (FhirCheck, 1);
  check->base_url = g_strdup (base_url);
  check->token = token != NULL && token[0] != '\0' ? g_strdup (token) : NULL;
  check->session = soup_session_new_with_options ("timeout", MAX (timeout_sec, 1),
                                                  "user-agent", "Wardwatch/" PACKAGE_VERSION,
                                                  NULL);
  g_task_set_task_data (task, check, (GDestroyNotify) fhir_check_free);

  if (!fhir_send (task, "metadata", &error))
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
check_mllp_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *address = g_object_get_data (G_OBJECT (task), "address");
  int port = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "port"));
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  if (inet == NULL)
    {
      g_autoptr(GResolver) resolver = g_resolver_get_default ();
      GList *addresses = g_resolver_lookup_by_name (resolver, address, cancellable, &error);

      if (addresses == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                   _("%s is not an address of this computer: %s"), address,
                                   error->message);
          return;
        }
      inet = g_object_ref (addresses->data);
      g_resolver_free_addresses (addresses);
    }

  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  socket_address = g_inet_socket_address_new (inet, (guint16) port);
  if (socket == NULL || !g_socket_bind (socket, socket_address, TRUE, &error) ||
      !g_socket_listen (socket, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                                 _("Port %d on %s is in use (by another program, or by this "
                                   "Wardwatch’s own listener)"), port, address);
      else
        g_task_return_new_error (task, error->domain, error->code,
                                 _("Cannot listen on %s port %d: %s"), address, port,
                                 error->message);
      return;
    }
  g_socket_close (socket, NULL);

  g_task_return_pointer (task,
                         g_strdup_printf (_("Port %d on %s is free to listen on"), port, address),
                         g_free);
}

void
ward_connection_check_mllp_async (const char          *address,
                                  int                  port,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (port > 0 && port <= 65535);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_connection_check_mllp_async);
  g_object_set_data_full (G_OBJECT (task), "address",
                          g_strdup (address != NULL && address[0] != '\0' ? address : "127.0.0.1"),
                          g_free);
  g_object_set_data (G_OBJECT (task), "port", GINT_TO_POINTER (port));
  g_task_run_in_thread (task, check_mllp_thread);
}

char *
ward_connection_check_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
