/* test-model-flag-server.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-fhir-model-flag.h"
#include "ward-fhir-resources.h"
#include "ward-fhir-references.h"
#include "ward-test-fhir-server.h"
#include "ward-test-scorer.h"
#include "ward-test-store.h"

/* A model's own Flag, as the engine writes it, is accepted by the
 * validating FHIR test server with everything it references (the
 * Patient's Observations, the Device, the model's RiskAssessment), and
 * reads back as a model alert naming the model.
 */

static WardTestFhirServer *server;
static const char *skip_reason;

static void
collect_resource_cb (const char *resource_type,
                     const char *id,
                     gint64      version,
                     const char *json,
                     gpointer    user_data)
{
  g_ptr_array_add (user_data, json_from_string (json, NULL));
}

static guint
put (JsonNode  *resource,
     char     **response)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = ward_fhir_to_json (resource);
  g_autofree char *path = NULL;
  JsonObject *obj = json_node_get_object (resource);
  guint status;

  path = g_strdup_printf ("/fhir/R4/%s/%s", json_object_get_string_member (obj, "resourceType"),
                          json_object_get_string_member (obj, "id"));
  status = ward_test_fhir_server_request (server, "PUT", path, NULL, body, NULL, response, &error);
  g_assert_no_error (error);
  return status;
}

/* The order a server that checks references needs: what is referenced first. */
static guint
rank (JsonNode *node)
{
  const char *type = json_object_get_string_member (json_node_get_object (node), "resourceType");

  /* As the sync sends them: each after what it references. */
  return ward_fhir_resource_type_rank (type);
}

static void
test_model_flag_accepted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardTestScorer) scorer = NULL;
  g_autoptr(GPtrArray) resources = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *flag_id = NULL;
  g_autofree char *flag_path = NULL;
  g_autofree char *read_back = NULL;
  /* An hour ago, on the hour: the server takes no future times. */
  gint64 t0 = (g_get_real_time () / WARD_USEC_PER_HOUR) * WARD_USEC_PER_HOUR - WARD_USEC_PER_HOUR;
  gint64 opened_at;
  guint n_model_flags = 0;
  JsonObject *flag;
  JsonObject *code;

  if (server == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  path = ward_test_db_new ("ward-model-flag-server", &dir);
  store = ward_test_store_open (path);
  engine = ward_test_engine_new (store, NULL, 1, NULL, NULL);
  scorer = ward_test_scorer_new (WARD_TEST_SCORER_KIND);
  g_assert_true (ward_engine_add_scorer (engine, WARD_SCORER (scorer), WARD_SCORER_MODE_ACTIVE,
                                         &error));
  g_assert_true (ward_engine_set_model_flag_policy (engine, WARD_TEST_SCORER_KIND, TRUE, 0.3, 0.05,
                                                    &error));
  g_assert_no_error (error);

  /* NEWS2 7 (0.35) for 5 minutes: the model's flag opens after 3. */
  for (int i = 1; i <= 10; i++)
    {
      gint64 at = t0 + i * 30 * WARD_USEC_PER_SEC;
      g_autofree char *iso = ward_time_format_iso8601 (at);
      g_autofree char *msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"m-%d\","
                                              "\"kind\":\"vitals\",\"measuredAt\":\"%s\","
                                              "\"heartRate\":122,\"respiratoryRate\":25,"
                                              "\"spo2\":92}", i, iso);

      g_assert_true (ward_engine_begin (engine, &error));
      g_assert_true (ward_engine_ingest (engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                         strlen (msg), at, NULL, NULL, &error));
      g_assert_true (ward_engine_evaluate (engine, at, &error));
      g_assert_true (ward_engine_commit (engine, &error));
      g_assert_no_error (error);
    }
  opened_at = ward_test_query_int (store, "SELECT opened_at FROM flags WHERE kind = 'model'");
  g_assert_cmpint (opened_at, >, t0);

  g_assert_true (ward_store_foreach_resource (store, NULL, collect_resource_cb, resources, &error));
  g_assert_no_error (error);
  for (guint pass = 0; pass <= ward_fhir_resource_type_rank (NULL); pass++)
    {
      for (guint i = 0; i < resources->len; i++)
        {
          JsonNode *node = g_ptr_array_index (resources, i);
          g_autofree char *response = NULL;
          g_autofree char *json = ward_fhir_to_json (node);
          guint status;

          if (rank (node) != pass)
            continue;
          status = put (node, &response);
          if (status != 200 && status != 201)
            g_error ("%s rejected (%u): %s",
                     json_object_get_string_member (json_node_get_object (node), "resourceType"),
                     status, response);
          if (pass == ward_fhir_resource_type_rank ("Flag") && strstr (json, WARD_FHIR_CODE_MODEL_ALERT) != NULL)
            n_model_flags++;
        }
    }
  g_assert_cmpuint (n_model_flags, ==, 1);

  /* It reads back as the model's alert, not NEWS2's. */
  flag_id = ward_fhir_model_flag_id ("p1", WARD_TEST_SCORER_KIND, opened_at);
  flag_path = g_strdup_printf ("/fhir/R4/Flag/%s", flag_id);
  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", flag_path, NULL, NULL, NULL,
                                                   &read_back, &error), ==, 200);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, read_back, -1, &error));
  flag = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (flag, "status"), ==, "active");
  code = json_object_get_object_member (flag, "code");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (code, "coding"), 0),
                     "code"), ==, WARD_FHIR_CODE_MODEL_ALERT);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (code, "coding"), 1),
                     "code"), ==, WARD_TEST_SCORER_KIND);
  g_assert_nonnull (strstr (json_object_get_string_member (code, "text"), "35 %"));

  g_clear_object (&engine);
  g_clear_object (&store);
  ward_test_db_remove (&dir, &path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fhir/model-flag/accepted-by-server", test_model_flag_accepted);

  /* Without node the test says why it cannot run, inside the test. */
  skip_reason = ward_test_fhir_server_skip_reason ();
  if (skip_reason == NULL)
    {
      server = ward_test_fhir_server_new (NULL, &error);
      g_assert_no_error (error);
    }
  status = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);

  return status;
}
