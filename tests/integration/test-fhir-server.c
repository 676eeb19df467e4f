/* test-fhir-server.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-test-fhir-server.h"

/* A smoke test of the FHIR test server harness: start, write and read back
 * with a client-chosen id, validation, reset, fault injection, restart on
 * the same port, bearer tokens.  The server's own behaviour is tested in
 * depth by tests/fhir-server/test-server.mjs.
 */

#define OBSERVATION \
  "{\"resourceType\":\"Observation\",\"id\":\"%s\",\"status\":\"%s\"," \
  "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]}," \
  "\"valueQuantity\":{\"value\":%d,\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}"

static WardTestFhirServer *server;

static WardTestFhirServer *
get_server (void)
{
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    {
      server = ward_test_fhir_server_new (NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (server);
    }

  return server;
}

static gboolean
skip_without_node (void)
{
  const char *reason = ward_test_fhir_server_skip_reason ();

  if (reason != NULL)
    g_test_skip (reason);
  return reason != NULL;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static guint
request (const char  *method,
         const char  *path,
         const char  *body,
         char       **headers,
         char       **answer)
{
  g_autoptr(GError) error = NULL;
  guint status;

  status = ward_test_fhir_server_request (get_server (), method, path, NULL, body, headers, answer, &error);
  g_assert_no_error (error);
  return status;
}

static void
test_start (void)
{
  g_autofree char *answer = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonObject) metadata = NULL;

  if (skip_without_node ())
    return;

  g_assert_cmpuint (ward_test_fhir_server_get_port (get_server ()), >, 0);
  expected = g_strdup_printf ("http://127.0.0.1:%u/fhir/R4", ward_test_fhir_server_get_port (server));
  g_assert_cmpstr (ward_test_fhir_server_get_base_url (server), ==, expected);
  g_assert_true (ward_test_fhir_server_is_running (server));

  g_assert_cmpuint (request ("GET", "/fhir/R4/metadata", NULL, NULL, &answer), ==, 200);
  metadata = parse_object (answer);
  g_assert_cmpstr (json_object_get_string_member (metadata, "resourceType"), ==, "CapabilityStatement");
  g_assert_cmpstr (json_object_get_string_member (metadata, "fhirVersion"), ==, "4.0.1");
}

static void
test_put_read (void)
{
  g_autofree char *body = g_strdup_printf (OBSERVATION, "ward-smoke-1", "final", 72);
  g_autofree char *headers = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *location = NULL;
  g_autoptr(JsonObject) read = NULL;

  if (skip_without_node ())
    return;

  g_assert_true (ward_test_fhir_server_reset (get_server (), NULL));

  /* Update as create with the client's id: 201. */
  g_assert_cmpuint (request ("PUT", "/fhir/R4/Observation/ward-smoke-1", body, &headers, NULL), ==, 201);
  etag = ward_test_http_header (headers, "ETag");
  g_assert_cmpstr (etag, ==, "W/\"1\"");
  location = ward_test_http_header (headers, "location");
  g_assert_true (g_str_has_suffix (location, "/fhir/R4/Observation/ward-smoke-1/_history/1"));

  g_assert_cmpuint (request ("GET", "/fhir/R4/Observation/ward-smoke-1", NULL, NULL, &answer), ==, 200);
  read = parse_object (answer);
  g_assert_cmpstr (json_object_get_string_member (read, "id"), ==, "ward-smoke-1");
  g_assert_cmpstr (json_object_get_string_member (read, "status"), ==, "final");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (read, "valueQuantity"), "value"),
                   ==, 72);

  g_clear_pointer (&body, g_free);
  body = g_strdup_printf (OBSERVATION, "ward-smoke-1", "amended", 80);
  g_assert_cmpuint (request ("PUT", "/fhir/R4/Observation/ward-smoke-1", body, NULL, NULL), ==, 200);
}

static void
test_invalid (void)
{
  g_autofree char *body = g_strdup_printf (OBSERVATION, "ward-smoke-bad", "bogus", 72);
  g_autofree char *answer = NULL;
  g_autoptr(JsonObject) outcome = NULL;
  JsonObject *issue;

  if (skip_without_node ())
    return;

  g_assert_cmpuint (request ("PUT", "/fhir/R4/Observation/ward-smoke-bad", body, NULL, &answer), ==, 400);
  outcome = parse_object (answer);
  g_assert_cmpstr (json_object_get_string_member (outcome, "resourceType"), ==, "OperationOutcome");
  issue = json_array_get_object_element (json_object_get_array_member (outcome, "issue"), 0);
  g_assert_cmpstr (json_object_get_string_member (issue, "severity"), ==, "error");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (issue, "expression"), 0),
                   ==, "Observation.status");

  g_assert_cmpuint (request ("GET", "/fhir/R4/Observation/ward-smoke-bad", NULL, NULL, NULL), ==, 404);
}

static void
test_reset (void)
{
  g_autofree char *body = g_strdup_printf (OBSERVATION, "ward-smoke-2", "final", 60);
  g_autofree char *stats = NULL;
  g_autoptr(JsonObject) stats_object = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_node ())
    return;

  g_assert_cmpuint (request ("PUT", "/fhir/R4/Observation/ward-smoke-2", body, NULL, NULL), ==, 201);
  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (request ("GET", "/fhir/R4/Observation/ward-smoke-2", NULL, NULL, NULL), ==, 404);

  stats = ward_test_fhir_server_dup_stats (server, &error);
  g_assert_no_error (error);
  stats_object = parse_object (stats);
  g_assert_cmpint (json_object_get_int_member (stats_object, "total"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats_object, "requests"), ==, 1);
}

static void
test_fault (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  gint64 started;

  if (skip_without_node ())
    return;

  g_assert_true (ward_test_fhir_server_fault (get_server (), 503, 2, 1, 0, FALSE, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *headers = NULL;
      g_autofree char *retry_after = NULL;

      g_assert_cmpuint (request ("GET", "/fhir/R4/metadata", NULL, &headers, NULL), ==, 503);
      retry_after = ward_test_http_header (headers, "Retry-After");
      g_assert_cmpstr (retry_after, ==, "1");
    }
  g_assert_cmpuint (request ("GET", "/fhir/R4/metadata", NULL, NULL, NULL), ==, 200);

  /* Slow, then not JSON. */
  g_assert_true (ward_test_fhir_server_fault (server, 0, 1, -1, 300, FALSE, &error));
  started = g_get_monotonic_time ();
  g_assert_cmpuint (request ("GET", "/fhir/R4/metadata", NULL, NULL, NULL), ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 290 * 1000);

  g_assert_true (ward_test_fhir_server_fault (server, 0, 1, -1, 0, TRUE, &error));
  g_assert_cmpuint (request ("GET", "/fhir/R4/metadata", NULL, NULL, &answer), ==, 200);
  g_assert_false (g_str_has_prefix (answer, "{"));

  /* A connection closed without an answer. */
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"reset\":true}", &error));
  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", "/fhir/R4/metadata", NULL, NULL, NULL, NULL,
                                                   &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (request ("GET", "/fhir/R4/metadata", NULL, NULL, NULL), ==, 200);
}

static void
test_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  guint16 port;

  if (skip_without_node ())
    return;

  port = ward_test_fhir_server_get_port (get_server ());
  ward_test_fhir_server_stop (server);
  g_assert_false (ward_test_fhir_server_is_running (server));
  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", "/fhir/R4/metadata", NULL, NULL, NULL, NULL,
                                                   &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);

  g_assert_true (ward_test_fhir_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_true (ward_test_fhir_server_is_running (server));
  g_assert_cmpuint (ward_test_fhir_server_get_port (server), ==, port);
  g_assert_cmpuint (request ("GET", "/fhir/R4/metadata", NULL, NULL, NULL), ==, 200);

  log = ward_test_fhir_server_dup_log (server);
  g_assert_nonnull (log);
}

static void
test_token (void)
{
  static const char * const args[] = { "--token", "ward-secret", NULL };
  static const char * const good[] = { "Authorization: Bearer ward-secret", NULL };
  static const char * const bad[] = { "Authorization: Bearer nope", NULL };
  g_autoptr(WardTestFhirServer) secured = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *challenge = NULL;

  if (skip_without_node ())
    return;

  secured = ward_test_fhir_server_new (args, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (ward_test_fhir_server_request (secured, "GET", "/fhir/R4/Observation", NULL, NULL, &headers,
                                                   NULL, &error), ==, 401);
  challenge = ward_test_http_header (headers, "WWW-Authenticate");
  g_assert_true (g_str_has_prefix (challenge, "Bearer "));
  g_assert_cmpuint (ward_test_fhir_server_request (secured, "GET", "/fhir/R4/Observation", bad, NULL, NULL, NULL,
                                                   &error), ==, 401);
  g_assert_cmpuint (ward_test_fhir_server_request (secured, "GET", "/fhir/R4/Observation", good, NULL, NULL, NULL,
                                                   &error), ==, 200);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fhir-server/start", test_start);
  g_test_add_func ("/fhir-server/put-read", test_put_read);
  g_test_add_func ("/fhir-server/invalid", test_invalid);
  g_test_add_func ("/fhir-server/reset", test_reset);
  g_test_add_func ("/fhir-server/fault", test_fault);
  g_test_add_func ("/fhir-server/restart", test_restart);
  g_test_add_func ("/fhir-server/token", test_token);

  status = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return status;
}
