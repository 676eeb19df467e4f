/* ward-fhir-auth.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-auth"

#include "config.h"

#include "ward-fhir-auth.h"

#include "ward-secret.h"
#include "ward-types.h"

#include <json-glib/json-glib.h>
#include <jwt.h>
#include <libsoup/soup.h>

#include <string.h>

/* The assertion's lifetime (at most 5 minutes by the SMART spec). */
#define ASSERTION_LIFETIME_SEC 300
/* A token is renewed this long before it expires (a quarter of its
 * lifetime when that is shorter).
 */
#define RENEW_MARGIN_SEC 30
#define DEFAULT_SCOPE "system/*.write"
#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

struct _WardFhirAuth
{
  GObject           parent_instance;

  WardFhirAuthMode  mode;
  char             *base_url;
  char             *client_id;
  char             *key_pem;        /* never logged; wiped on finalize */
  jwt_alg_t         alg;
  char             *scope;
  char             *bearer_token;

  SoupSession      *session;
  GCancellable     *cancellable;
  GCancellable     *fetch_cancellable;  /* the first waiter's, or ours */
  char             *token_endpoint;
  char             *access_token;
  gint64            renew_at;       /* monotonic usec */
  GPtrArray        *waiters;        /* GTask, while a fetch runs */
  guint             n_requests;
};

G_DEFINE_FINAL_TYPE (WardFhirAuth, ward_fhir_auth, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-fhir-auth-error-quark, ward_fhir_auth_error)

static void request_token (WardFhirAuth *self);

static const guint8 OID_RSA[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const guint8 OID_EC[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const guint8 OID_P384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };

static gboolean
contains_bytes (const guint8 *data,
                gsize         len,
                const guint8 *needle,
                gsize         needle_len)
{
  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/* The algorithm a PEM private key signs with, from its header or, for
 * PKCS#8, the key's algorithm OID; JWT_ALG_NONE when it is neither an
 * RSA nor a P-384 key.
 */
static jwt_alg_t
guess_algorithm (const char *pem)
{
  const char *begin;
  const char *end;
  g_autofree char *body = NULL;
  g_autofree guint8 *der = NULL;
  gsize der_len = 0;
  jwt_alg_t alg = JWT_ALG_NONE;

  if (strstr (pem, "-----BEGIN RSA PRIVATE KEY-----") != NULL)
    return JWT_ALG_RS384;
  if (strstr (pem, "-----BEGIN EC PRIVATE KEY-----") == NULL &&
      strstr (pem, "-----BEGIN PRIVATE KEY-----") == NULL)
    return JWT_ALG_NONE;

  begin = strstr (pem, "-----\n");
  if (begin == NULL)
    return JWT_ALG_NONE;
  begin += 6;
  end = strstr (begin, "-----END");
  if (end == NULL)
    return JWT_ALG_NONE;
  body = g_strndup (begin, end - begin);
  der = g_base64_decode (body, &der_len);
  if (contains_bytes (der, der_len, OID_RSA, sizeof OID_RSA))
    alg = JWT_ALG_RS384;
  else if (contains_bytes (der, der_len, OID_P384, sizeof OID_P384) &&
           (strstr (pem, "-----BEGIN EC") != NULL ||
            contains_bytes (der, der_len, OID_EC, sizeof OID_EC)))
    alg = JWT_ALG_ES384;
  memset (der, 0, der_len);
  memset (body, 0, strlen (body));

  return alg;
}

static const char *
algorithm_name (jwt_alg_t alg)
{
  return alg == JWT_ALG_RS384 ? "RS384" : alg == JWT_ALG_ES384 ? "ES384" : NULL;
}

static void
finish_waiters (WardFhirAuth *self,
                const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (self->access_token), g_free);
    }
}

static char *
sign_assertion (WardFhirAuth  *self,
                GError       **error)
{
  jwt_t *jwt = NULL;
  g_autofree char *jti = g_uuid_string_random ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char *encoded = NULL;
  char *result = NULL;

  if (jwt_new (&jwt) != 0 ||
      jwt_add_header (jwt, "kid", self->client_id) != 0 ||
      jwt_add_grant (jwt, "iss", self->client_id) != 0 ||
      jwt_add_grant (jwt, "sub", self->client_id) != 0 ||
      jwt_add_grant (jwt, "aud", self->token_endpoint) != 0 ||
      jwt_add_grant (jwt, "jti", jti) != 0 ||
      jwt_add_grant_int (jwt, "iat", (long) now) != 0 ||
      jwt_add_grant_int (jwt, "exp", (long) (now + ASSERTION_LIFETIME_SEC)) != 0 ||
      jwt_set_alg (jwt, self->alg, (const unsigned char *) self->key_pem,
                   (int) strlen (self->key_pem)) != 0 ||
      (encoded = jwt_encode_str (jwt)) == NULL)
    g_set_error (error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_KEY,
                 "Cannot sign the client assertion with the %s key", algorithm_name (self->alg));
  else
    result = g_strdup (encoded);

  free (encoded);
  if (jwt != NULL)
    jwt_free (jwt);

  return result;
}

/* The "error" and "error_description" of an OAuth error answer. */
static char *
oauth_error (JsonNode *root)
{
  JsonObject *obj;
  const char *code;
  const char *description;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  code = json_object_get_string_member_with_default (obj, "error", NULL);
  description = json_object_get_string_member_with_default (obj, "error_description", NULL);
  if (code == NULL)
    return NULL;
  return description != NULL ? g_strdup_printf ("%s: %s", code, description) : g_strdup (code);
}

static JsonNode *
parse_json (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (len == 0 || !json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL ? json_node_copy (root) : NULL;
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(WardFhirAuth) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      finish_waiters (self, error);
      return;
    }
  status = soup_message_get_status (msg);
  root = parse_json (bytes);
  if (status == SOUP_STATUS_OK && root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *obj = json_node_get_object (root);
      const char *token = json_object_get_string_member_with_default (obj, "access_token", NULL);
      gint64 expires_in = json_object_get_int_member_with_default (obj, "expires_in", 300);

      if (token != NULL && token[0] != '\0')
        {
          g_free (self->access_token);
          self->access_token = g_strdup (token);
          expires_in = MAX (expires_in, 1);
          self->renew_at = g_get_monotonic_time () +
                           (expires_in - MIN (RENEW_MARGIN_SEC, expires_in / 4)) * G_USEC_PER_SEC;
          g_debug ("Got an access token for %" G_GINT64_FORMAT " s", expires_in);
          finish_waiters (self, NULL);
          return;
        }
    }

  {
    g_autofree char *why = oauth_error (root);

    g_set_error (&error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_REJECTED,
                 "SMART token request as client %s: HTTP %u%s%s", self->client_id, status,
                 why != NULL ? ": " : "", why != NULL ? why : "");
    finish_waiters (self, error);
  }
}

static void
discovery_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WardFhirAuth) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonArray *algs;
  const char *endpoint;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      finish_waiters (self, error);
      return;
    }
  root = parse_json (bytes);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK || root == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (&error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_DISCOVERY,
                   "SMART discovery: HTTP %u from .well-known/smart-configuration",
                   soup_message_get_status (msg));
      finish_waiters (self, error);
      return;
    }

  obj = json_node_get_object (root);
  endpoint = json_object_get_string_member_with_default (obj, "token_endpoint", NULL);
  if (endpoint == NULL || g_uri_peek_scheme (endpoint) == NULL)
    {
      g_set_error_literal (&error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_DISCOVERY,
                           "SMART discovery: no token_endpoint");
      finish_waiters (self, error);
      return;
    }

  algs = json_object_has_member (obj, "token_endpoint_auth_signing_alg_values_supported") &&
         JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj,
                                                        "token_endpoint_auth_signing_alg_values_supported"))
           ? json_object_get_array_member (obj, "token_endpoint_auth_signing_alg_values_supported")
           : NULL;
  if (algs != NULL)
    {
      gboolean supported = FALSE;

      for (guint i = 0; i < json_array_get_length (algs); i++)
        {
          JsonNode *node = json_array_get_element (algs, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
              g_strcmp0 (json_node_get_string (node), algorithm_name (self->alg)) == 0)
            supported = TRUE;
        }
      if (!supported)
        {
          g_set_error (&error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_DISCOVERY,
                       "SMART discovery: the server does not accept %s client assertions",
                       algorithm_name (self->alg));
          finish_waiters (self, error);
          return;
        }
    }

  self->token_endpoint = g_strdup (endpoint);
  request_token (self);
}

static void
request_token (WardFhirAuth *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *assertion = NULL;
  GCancellable *cancellable = self->fetch_cancellable;

  if (self->token_endpoint == NULL)
    {
      g_autofree char *url = g_strconcat (self->base_url, "/.well-known/smart-configuration", NULL);

      msg = soup_message_new (SOUP_METHOD_GET, url);
      if (msg == NULL)
        {
          g_set_error_literal (&error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_DISCOVERY,
                               "Invalid FHIR server URL");
          finish_waiters (self, error);
          return;
        }
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                    "application/json");
      soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                        discovery_cb, g_object_ref (self));
      return;
    }

  assertion = sign_assertion (self, &error);
  if (assertion == NULL)
    {
      finish_waiters (self, error);
      return;
    }
  msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, self->token_endpoint,
                                            soup_form_encode ("grant_type", "client_credentials",
                                                              "scope", self->scope,
                                                              "client_assertion_type", ASSERTION_TYPE,
                                                              "client_assertion", assertion,
                                                              NULL));
  if (msg == NULL)
    {
      g_set_error_literal (&error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_DISCOVERY,
                           "Invalid SMART token endpoint");
      finish_waiters (self, error);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  self->n_requests++;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    token_cb, g_object_ref (self));
}

static void
ward_fhir_auth_dispose (GObject *object)
{
  WardFhirAuth *self = (WardFhirAuth *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (ward_fhir_auth_parent_class)->dispose (object);
}

static void
ward_fhir_auth_finalize (GObject *object)
{
  WardFhirAuth *self = (WardFhirAuth *) object;

  if (self->key_pem != NULL)
    memset (self->key_pem, 0, strlen (self->key_pem));
  g_clear_pointer (&self->key_pem, g_free);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->fetch_cancellable);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_free (self->base_url);
  g_free (self->client_id);
  g_free (self->scope);
  g_free (self->bearer_token);
  g_free (self->token_endpoint);
  g_free (self->access_token);

  G_OBJECT_CLASS (ward_fhir_auth_parent_class)->finalize (object);
}

static void
ward_fhir_auth_class_init (WardFhirAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_fhir_auth_dispose;
  object_class->finalize = ward_fhir_auth_finalize;
}

static void
ward_fhir_auth_init (WardFhirAuth *self)
{
  self->cancellable = g_cancellable_new ();
}

WardFhirAuth *
ward_fhir_auth_new_none (void)
{
  return g_object_new (WARD_TYPE_FHIR_AUTH, NULL);
}

WardFhirAuth *
ward_fhir_auth_new_bearer (const char *token)
{
  WardFhirAuth *self;

  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (WARD_TYPE_FHIR_AUTH, NULL);
  self->mode = WARD_FHIR_AUTH_BEARER;
  self->bearer_token = g_strdup (token);
  return self;
}

WardFhirAuth *
ward_fhir_auth_new_smart (const char  *fhir_base_url,
                          const char  *client_id,
                          const char  *key_path,
                          const char  *algorithm,
                          const char  *scope,
                          GError     **error)
{
  g_autoptr(WardFhirAuth) self = NULL;
  g_autofree char *pem = NULL;
  jwt_alg_t key_alg;
  gsize len;

  g_return_val_if_fail (fhir_base_url != NULL, NULL);
  g_return_val_if_fail (client_id != NULL, NULL);
  g_return_val_if_fail (key_path != NULL, NULL);

  /* A PEM file, or keyring: (the key stored for this client id). */
  if (!ward_secret_read (key_path, WARD_SECRET_KIND_FHIR_PRIVATE_KEY, client_id, &pem, error))
    return NULL;

  key_alg = guess_algorithm (pem);
  if (key_alg == JWT_ALG_NONE)
    {
      memset (pem, 0, strlen (pem));
      g_set_error (error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_KEY,
                   "%s is not an unencrypted PEM RSA or EC P-384 private key", key_path);
      return NULL;
    }
  if (algorithm != NULL && g_strcmp0 (algorithm, algorithm_name (key_alg)) != 0)
    {
      memset (pem, 0, strlen (pem));
      g_set_error (error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_KEY,
                   "%s is a key for %s, not %s", key_path, algorithm_name (key_alg), algorithm);
      return NULL;
    }

  self = g_object_new (WARD_TYPE_FHIR_AUTH, NULL);
  self->mode = WARD_FHIR_AUTH_SMART;
  len = strlen (fhir_base_url);
  while (len > 0 && fhir_base_url[len - 1] == '/')
    len--;
  self->base_url = g_strndup (fhir_base_url, len);
  self->client_id = g_strdup (client_id);
  self->key_pem = g_steal_pointer (&pem);
  self->alg = key_alg;
  self->scope = g_strdup (scope != NULL ? scope : DEFAULT_SCOPE);

  return g_steal_pointer (&self);
}

WardFhirAuthMode
ward_fhir_auth_get_mode (WardFhirAuth *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_AUTH (self), WARD_FHIR_AUTH_NONE);
  return self->mode;
}

const char *
ward_fhir_auth_get_algorithm (WardFhirAuth *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_AUTH (self), NULL);
  return self->mode == WARD_FHIR_AUTH_SMART ? algorithm_name (self->alg) : NULL;
}

guint
ward_fhir_auth_get_n_requests (WardFhirAuth *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_AUTH (self), 0);
  return self->n_requests;
}

void
ward_fhir_auth_get_token_async (WardFhirAuth        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean running;

  g_return_if_fail (WARD_IS_FHIR_AUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_fhir_auth_get_token_async);

  if (self->mode == WARD_FHIR_AUTH_NONE)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if (self->mode == WARD_FHIR_AUTH_BEARER)
    {
      g_task_return_pointer (task, g_strdup (self->bearer_token), g_free);
      return;
    }
  if (self->access_token != NULL && g_get_monotonic_time () < self->renew_at)
    {
      g_task_return_pointer (task, g_strdup (self->access_token), g_free);
      return;
    }

  running = self->waiters != NULL;
  if (!running)
    self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  if (running)
    return;

  if (self->session == NULL)
    {
      self->session = soup_session_new ();
      soup_session_set_timeout (self->session, 10);
      soup_session_set_user_agent (self->session, "Wardwatch/" PACKAGE_VERSION " ");
    }
  g_clear_object (&self->fetch_cancellable);
  self->fetch_cancellable = g_object_ref (cancellable != NULL ? cancellable : self->cancellable);
  g_clear_pointer (&self->access_token, g_free);
  request_token (self);
}

char *
ward_fhir_auth_get_token_finish (WardFhirAuth  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (WARD_IS_FHIR_AUTH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ward_fhir_auth_invalidate (WardFhirAuth *self)
{
  g_return_if_fail (WARD_IS_FHIR_AUTH (self));

  g_clear_pointer (&self->access_token, g_free);
  self->renew_at = 0;
}
