/* test-fhir-resources-server.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-fhir-resources.h"
#include "ward-fhir-references.h"
#include "ward-test-fhir-server.h"
#include "ward-test-scorer.h"
#include "ward-test-store.h"

/* Every resource type Wardwatch writes about its scores is accepted by a
 * real FHIR R4 server that validates it (the JSON schema's required
 * bindings, cardinality and invariants), and reads back as written.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)

static WardTestFhirServer *server;
static const char *skip_reason;

static char *
put_resource (JsonNode *resource,
              guint    *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = ward_fhir_to_json (resource);
  g_autofree char *response = NULL;
  g_autofree char *path = NULL;
  JsonObject *obj = json_node_get_object (resource);

  path = g_strdup_printf ("/fhir/R4/%s/%s", json_object_get_string_member (obj, "resourceType"),
                          json_object_get_string_member (obj, "id"));
  *status = ward_test_fhir_server_request (server, "PUT", path, NULL, body, NULL, &response, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&response);
}

static void
assert_accepted (JsonNode *resource)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *response = NULL;
  g_autofree char *read_back = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj = json_node_get_object (resource);
  guint status = 0;

  response = put_resource (resource, &status);
  if (status != 200 && status != 201)
    g_error ("%s rejected (%u): %s", json_object_get_string_member (obj, "resourceType"), status,
             response);

  /* A second PUT of the same resource updates it: the id is the key. */
  g_clear_pointer (&response, g_free);
  response = put_resource (resource, &status);
  g_assert_cmpuint (status, ==, 200);

  path = g_strdup_printf ("/fhir/R4/%s/%s", json_object_get_string_member (obj, "resourceType"),
                          json_object_get_string_member (obj, "id"));
  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL,
                                                   &read_back, &error), ==, 200);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, read_back, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "id"),
                   ==, json_object_get_string_member (obj, "id"));
}

static void
fill_score (WardFhirScoreInput *in,
            const char         *device_id,
            gboolean            complete,
            gboolean            final)
{
  static const double values[WARD_NEWS2_N_PARAMS] = { 24, 93, 1, 105, 112, 0, 38.4 };
  static const int points[WARD_NEWS2_N_PARAMS] = { 2, 2, 2, 1, 2, 0, 1 };

  memset (in, 0, sizeof *in);
  in->patient_id = "p-100987654";
  in->device_id = device_id;
  in->window_start = T0 - 30 * WARD_USEC_PER_MINUTE;
  in->window_end = T0;
  in->computed_at = T0 - WARD_USEC_PER_MINUTE;
  in->spo2_scale = 1;
  in->final = final;
  in->complete = complete;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      /* The partial case has no consciousness and no temperature. */
      if (!complete && (p == WARD_NEWS2_CONSCIOUSNESS || p == WARD_NEWS2_TEMP))
        continue;
      in->params[p].present = TRUE;
      in->params[p].value = values[p];
      in->params[p].points = points[p];
      in->params[p].observed_at = T0 - 2 * WARD_USEC_PER_MINUTE;
      in->params[p].source = p == WARD_NEWS2_AIR_OR_OXYGEN ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE;
      in->total += points[p];
    }
  in->band = in->total >= 7 ? WARD_BAND_HIGH : WARD_BAND_MEDIUM;
}

static void collect_resource_cb (const char *resource_type,
                                 const char *id,
                                 gint64      version,
                                 const char *json,
                                 gpointer    user_data);

/* As the sync sends them: each type after the types it references. */
static int
compare_rank (gconstpointer a,
              gconstpointer b)
{
  JsonObject *obj_a = json_node_get_object (*(JsonNode * const *) a);
  JsonObject *obj_b = json_node_get_object (*(JsonNode * const *) b);
  guint rank_a = ward_fhir_resource_type_rank (json_object_get_string_member (obj_a, "resourceType"));
  guint rank_b = ward_fhir_resource_type_rank (json_object_get_string_member (obj_b, "resourceType"));

  return rank_a < rank_b ? -1 : rank_a > rank_b ? 1 : 0;
}

/* Every resource of the store, in the order the sync sends them
 * (g_ptr_array_sort() is stable).
 */
static void
collect_resources (WardStore *store,
                   GPtrArray *resources)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_store_foreach_resource (store, NULL, collect_resource_cb, resources, &error));
  g_assert_no_error (error);
  g_ptr_array_sort (resources, compare_rank);
}

/* The Patient and the Wardwatch Device the hand-made resources name: a
 * server that checks references refuses them otherwise.
 */
static void
put_subjects (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) device = ward_fhir_wardwatch_device ("test-installation", &error);
  g_autoptr(JsonNode) patient = json_from_string ("{\"resourceType\":\"Patient\",\"id\":\"p-100987654\","
                                                  "\"identifier\":[{\"value\":\"p-100987654\"}]}",
                                                  &error);

  g_assert_no_error (error);
  assert_accepted (patient);
  assert_accepted (device);
}

static void
test_scores_flags_device_accepted (void)
{
  g_autofree char *device_id = ward_fhir_device_id ("test-installation");
  g_autoptr(JsonNode) device = NULL;
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  put_subjects ();

  device = ward_fhir_wardwatch_device ("test-installation", &error);
  g_assert_no_error (error);
  assert_accepted (device);

  for (guint c = 0; c < 3; c++)
    {
      WardFhirScoreInput in;
      g_autoptr(JsonNode) observation = NULL;
      g_autoptr(JsonNode) assessment = NULL;

      /* Complete and final; complete and preliminary; partial. */
      fill_score (&in, device_id, c != 2, c == 0);
      observation = ward_fhir_news2_observation (&in, &error);
      g_assert_no_error (error);
      assessment = ward_fhir_risk_assessment (&in, &error);
      g_assert_no_error (error);
      assert_accepted (observation);
      assert_accepted (assessment);
    }

  for (guint c = 0; c < 2; c++)
    {
      WardFhirFlagInput flag = {
        .patient_id = "p-100987654",
        .device_id = device_id,
        .opened_at = T0,
        .closed_at = c == 0 ? 0 : T0 + 40 * WARD_USEC_PER_MINUTE,
        .band = WARD_BAND_HIGH,
        .assessment_window_end = T0,
      };
      g_autoptr(JsonNode) node = ward_fhir_flag (&flag, &error);

      g_assert_no_error (error);
      assert_accepted (node);
    }
}

/* A child's window (under 16): the Observation with its note and the
 * RiskAssessment without a prediction are valid R4 for the server, and
 * the assessment reads back claiming no risk.  It replaces the adult
 * assessment of the same window (same id).
 */
static void
test_under_16_accepted (void)
{
  g_autofree char *device_id = ward_fhir_device_id ("test-installation");
  g_autoptr(JsonNode) observation = NULL;
  g_autoptr(JsonNode) adult_observation = NULL;
  g_autoptr(JsonNode) adult = NULL;
  g_autoptr(JsonNode) child = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *read_back = NULL;
  WardFhirScoreInput in;
  JsonObject *obj;

  if (server == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  put_subjects ();

  fill_score (&in, device_id, FALSE, FALSE);
  in.window_end = T0 + 5 * WARD_USEC_PER_MINUTE;
  adult = ward_fhir_risk_assessment (&in, &error);
  g_assert_no_error (error);
  /* Its basis, the adult NEWS2 Observation, first. */
  adult_observation = ward_fhir_news2_observation (&in, &error);
  g_assert_no_error (error);
  assert_accepted (adult_observation);
  assert_accepted (adult);

  in.news2_not_applicable = TRUE;
  observation = ward_fhir_news2_observation (&in, &error);
  g_assert_no_error (error);
  child = ward_fhir_risk_assessment (&in, &error);
  g_assert_no_error (error);
  assert_accepted (observation);
  assert_accepted (child);

  path = g_strdup_printf ("/fhir/R4/RiskAssessment/%s",
                          json_object_get_string_member (json_node_get_object (child), "id"));
  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL,
                                                   &read_back, &error), ==, 200);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, read_back, -1, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));
  g_assert_false (json_object_has_member (obj, "prediction"));
  g_assert_true (json_object_has_member (obj, "note"));
}

static void
collect_resource_cb (const char *resource_type,
                     const char *id,
                     gint64      version,
                     const char *json,
                     gpointer    user_data)
{
  GPtrArray *resources = user_data;

  g_ptr_array_add (resources, json_from_string (json, NULL));
}

/* What the engine writes with vital-signs Observations on: the hourly
 * vital-signs Observations, and NEWS2 Observations whose derivedFrom
 * names them; every one accepted, and every derivedFrom reference
 * resolves on the server.
 */
static void
test_engine_derived_from_accepted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(GPtrArray) resources = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  WardEngineConfig config;
  gint64 t0 = (g_get_real_time () / WARD_USEC_PER_HOUR) * WARD_USEC_PER_HOUR - WARD_USEC_PER_HOUR;
  guint n_vitals = 0;
  guint n_derived = 0;

  if (server == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  path = ward_test_db_new ("ward-fhir-resources", &dir);
  store = ward_test_store_open (path);
  ward_engine_config_init (&config);
  config.vitals_observations = TRUE;
  engine = ward_engine_new (store, &config);

  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_register_bed (engine, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1", 1, &error));
  g_assert_true (ward_engine_nurse_entry (engine, "p1", WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT, t0,
                                          "Nurse Kim", &error));
  g_assert_true (ward_engine_nurse_entry (engine, "p1", WARD_MEAS_ON_OXYGEN, 0, t0, "Nurse Kim", &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);

  /* Readings across an hour boundary: two vital-signs Observations per
   * parameter, each updated as readings come.
   */
  for (int i = 0; i < 8; i++)
    {
      gint64 at = t0 + 50 * WARD_USEC_PER_MINUTE + i * 2 * WARD_USEC_PER_MINUTE;
      g_autofree char *iso = ward_time_format_iso8601 (at);
      g_autofree char *msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"m-%d\","
                                              "\"kind\":\"vitals\",\"measuredAt\":\"%s\","
                                              "\"heartRate\":%d,\"respiratoryRate\":22,\"spo2\":94,"
                                              "\"systolic\":104,\"diastolic\":70,\"temperature\":38.3}",
                                              i, iso, 100 + i);

      g_assert_true (ward_engine_begin (engine, &error));
      g_assert_true (ward_engine_ingest (engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg, strlen (msg),
                                         at, NULL, NULL, &error));
      g_assert_true (ward_engine_evaluate (engine, at, &error));
      g_assert_true (ward_engine_commit (engine, &error));
      g_assert_no_error (error);
    }

  /* Vital signs first, as the outbox sends them: derivedFrom resolves. */
  collect_resources (store, resources);
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < resources->len; i++)
        {
          JsonObject *obj = json_node_get_object (g_ptr_array_index (resources, i));
          gboolean derived = json_object_has_member (obj, "derivedFrom");
          /* What references Observations (assessments, flags) goes
           * after the derived ones too.
           */
          gboolean late = derived ||
                          ward_fhir_resource_type_rank (json_object_get_string_member (obj, "resourceType")) >
                          ward_fhir_resource_type_rank ("Observation");

          if ((pass == 0) == late)
            continue;
          if (!derived && json_object_has_member (obj, "effectivePeriod") &&
              g_strcmp0 (json_object_get_string_member (obj, "resourceType"), "Observation") == 0 &&
              json_object_has_member (obj, "device"))
            n_vitals++;
          assert_accepted (g_ptr_array_index (resources, i));

          if (derived)
            {
              JsonArray *refs = json_object_get_array_member (obj, "derivedFrom");

              n_derived++;
              /* RR, SpO2, BP, pulse, temperature: five device values. */
              g_assert_cmpuint (json_array_get_length (refs), ==, 5);
              for (guint r = 0; r < json_array_get_length (refs); r++)
                {
                  JsonObject *ref = json_array_get_object_element (refs, r);
                  g_autofree char *ref_path = g_strdup_printf ("/fhir/R4/%s",
                                                               json_object_get_string_member (ref, "reference"));

                  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", ref_path, NULL, NULL,
                                                                   NULL, NULL, &error), ==, 200);
                  g_assert_no_error (error);
                }
            }
        }
    }
  g_assert_cmpuint (n_derived, >, 0);
  /* Five parameters (BP one Observation), two hours. */
  g_assert_cmpuint (n_vitals, >=, 10);

  g_clear_object (&engine);
  g_clear_object (&store);
  ward_test_db_remove (&dir, &path);
}

/* A probability scorer's RiskAssessment as the engine writes it:
 * probabilityDecimal a percentage (R4's ras-2 holds it to 100), the
 * scorer as method, its outcome, the NEWS2 Observation and vital signs
 * as basis.  Everything the engine wrote is accepted, basis first, and
 * the assessment reads back with its probability.
 */
static void
test_engine_probability_accepted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardTestScorer) scorer = NULL;
  g_autoptr(GPtrArray) resources = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *read_back = NULL;
  g_autofree char *risk_path = NULL;
  g_autofree char *risk_id = NULL;
  WardEngineConfig config;
  gint64 t0 = (g_get_real_time () / WARD_USEC_PER_HOUR) * WARD_USEC_PER_HOUR - WARD_USEC_PER_HOUR;
  gint64 window_end = 0;
  guint n_probability = 0;
  JsonObject *prediction;

  if (server == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  path = ward_test_db_new ("ward-fhir-resources", &dir);
  store = ward_test_store_open (path);
  ward_engine_config_init (&config);
  config.vitals_observations = TRUE;
  engine = ward_engine_new (store, &config);
  scorer = ward_test_scorer_new (NULL);
  g_assert_true (ward_engine_add_scorer (engine, WARD_SCORER (scorer), WARD_SCORER_MODE_ACTIVE, &error));

  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_register_bed (engine, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1", 1, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  for (int i = 0; i < 3; i++)
    {
      gint64 at = t0 + 10 * WARD_USEC_PER_MINUTE + i * 30 * WARD_USEC_PER_SEC;
      g_autofree char *iso = ward_time_format_iso8601 (at);
      g_autofree char *msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"p-%d\","
                                              "\"kind\":\"vitals\",\"measuredAt\":\"%s\","
                                              "\"heartRate\":%d,\"respiratoryRate\":25,\"spo2\":92}",
                                              i, iso, 120 + i);

      g_assert_true (ward_engine_begin (engine, &error));
      g_assert_true (ward_engine_ingest (engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg, strlen (msg),
                                         at, NULL, NULL, &error));
      g_assert_true (ward_engine_evaluate (engine, at, &error));
      g_assert_true (ward_engine_commit (engine, &error));
      g_assert_no_error (error);
    }

  collect_resources (store, resources);
  /* Observations and the Device first: the assessments' basis resolves. */
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < resources->len; i++)
        {
          JsonObject *obj = json_node_get_object (g_ptr_array_index (resources, i));
          gboolean assessment = g_strcmp0 (json_object_get_string_member (obj, "resourceType"),
                                           "RiskAssessment") == 0;

          /* The Flags, which name their assessment, after it. */
          if ((pass == 0) == (ward_fhir_resource_type_rank (json_object_get_string_member (obj, "resourceType")) >=
                              ward_fhir_resource_type_rank ("RiskAssessment")))
            continue;
          assert_accepted (g_ptr_array_index (resources, i));
          if (assessment && strstr (json_object_get_string_member (obj, "id"), "ww-risk-") != NULL)
            {
              JsonArray *predictions = json_object_get_array_member (obj, "prediction");
              JsonObject *p = json_array_get_object_element (predictions, 0);

              if (!json_object_has_member (p, "probabilityDecimal"))
                continue;
              n_probability++;
              g_assert_true (ward_time_parse_iso8601 (json_object_get_string_member (
                json_object_get_object_member (obj, "occurrencePeriod"), "end"), &window_end));
            }
        }
    }
  /* One assessment per window scored (the first reading ends a window). */
  g_assert_cmpuint (n_probability, ==, 2);

  risk_id = ward_fhir_scorer_risk_assessment_id ("p1", WARD_TEST_SCORER_KIND, window_end);
  risk_path = g_strdup_printf ("/fhir/R4/RiskAssessment/%s", risk_id);
  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", risk_path, NULL, NULL, NULL,
                                                   &read_back, &error), ==, 200);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, read_back, -1, &error);
  g_assert_no_error (error);
  prediction = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "prediction"), 0);
  /* The newest window: RR 25: 3, SpO2 92: 2, pulse 122: 2; 7 / 20 as a
   * percentage.
   */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (prediction, "probabilityDecimal"),
                                  35.0, 1e-9);

  g_clear_object (&engine);
  g_clear_object (&store);
  ward_test_db_remove (&dir, &path);
}

/* The shipped demo model, active in an engine: its RiskAssessment is
 * accepted by the server, with the probability out of 100 (R4, ras-2),
 * the card's outcome, the model and version in method, and a basis.
 */
static void
test_engine_demo_model_accepted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) resources = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *card = g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data", "models",
                                            "demo-deterioration.card.json", NULL);
  WardEngineConfig config;
  gint64 t0 = (g_get_real_time () / WARD_USEC_PER_HOUR) * WARD_USEC_PER_HOUR - WARD_USEC_PER_HOUR;
  gboolean loaded = FALSE;
  guint n_model = 0;
  const WardBedState *bed;
  const WardScore *model = NULL;

  if (server == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  dir = g_dir_make_tmp ("ward-fhir-model-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "ward.db", NULL);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  ward_engine_config_init (&config);
  config.vitals_observations = TRUE;
  engine = ward_engine_new (store, &config);

  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_register_bed (engine, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1", 1, &error));
  g_assert_true (ward_engine_load_model (engine, card, WARD_SCORER_MODE_ACTIVE, t0, &loaded, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
  g_assert_true (loaded);
  for (int i = 0; i < 20; i++)
    {
      gint64 at = t0 + 10 * WARD_USEC_PER_MINUTE + i * 30 * WARD_USEC_PER_SEC;
      g_autofree char *iso = ward_time_format_iso8601 (at);
      g_autofree char *msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"d-%d\","
                                              "\"kind\":\"vitals\",\"measuredAt\":\"%s\","
                                              "\"heartRate\":%d,\"respiratoryRate\":%d,\"spo2\":92}",
                                              i, iso, 110 + i, 22 + i / 4);

      g_assert_true (ward_engine_begin (engine, &error));
      g_assert_true (ward_engine_ingest (engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg, strlen (msg),
                                         at, NULL, NULL, &error));
      g_assert_true (ward_engine_evaluate (engine, at, &error));
      g_assert_true (ward_engine_commit (engine, &error));
      g_assert_no_error (error);
    }

  snapshot = ward_engine_snapshot (engine, t0 + 20 * WARD_USEC_PER_MINUTE);
  bed = ward_snapshot_get_bed (snapshot, 0);
  for (guint i = 0; i < bed->scores->len; i++)
    if (g_strcmp0 (g_array_index (bed->scores, WardScore, i).kind, "model:demo-deterioration") == 0)
      model = &g_array_index (bed->scores, WardScore, i);
  g_assert_nonnull (model);

  collect_resources (store, resources);
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < resources->len; i++)
        {
          JsonObject *obj = json_node_get_object (g_ptr_array_index (resources, i));
          gboolean assessment = g_strcmp0 (json_object_get_string_member (obj, "resourceType"),
                                           "RiskAssessment") == 0;
          g_autofree char *method = NULL;
          JsonObject *prediction;
          gint64 end = 0;

          /* The Flags, which name their assessment, after it. */
          if ((pass == 0) == (ward_fhir_resource_type_rank (json_object_get_string_member (obj, "resourceType")) >=
                              ward_fhir_resource_type_rank ("RiskAssessment")))
            continue;
          assert_accepted (g_ptr_array_index (resources, i));
          if (!assessment)
            continue;
          method = ward_fhir_to_json (json_object_get_member (obj, "method"));
          if (strstr (method, "demo-deterioration") == NULL)
            continue;

          n_model++;
          g_assert_nonnull (strstr (method, "0.1.0"));
          g_assert_true (json_object_has_member (obj, "basis"));
          prediction = json_array_get_object_element (json_object_get_array_member (obj, "prediction"), 0);
          g_assert_true (g_str_has_prefix (json_object_get_string_member (
            json_object_get_object_member (prediction, "outcome"), "text"), "NEWS2 total reaches 7"));
          g_assert_cmpfloat (json_object_get_double_member (prediction, "probabilityDecimal"), >=, 0.0);
          g_assert_cmpfloat (json_object_get_double_member (prediction, "probabilityDecimal"), <=, 100.0);
          g_assert_true (ward_time_parse_iso8601 (json_object_get_string_member (
            json_object_get_object_member (obj, "occurrencePeriod"), "end"), &end));
          if (end == model->window_end)
            g_assert_cmpfloat_with_epsilon (json_object_get_double_member (prediction, "probabilityDecimal"),
                                            model->probability * 100.0, 1e-6);
        }
    }
  g_assert_cmpuint (n_model, >, 0);

  g_clear_object (&engine);
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fhir/resources/accepted-by-server", test_scores_flags_device_accepted);
  g_test_add_func ("/fhir/resources/engine-derived-from", test_engine_derived_from_accepted);
  g_test_add_func ("/fhir/resources/under-16-accepted", test_under_16_accepted);
  g_test_add_func ("/fhir/resources/engine-probability", test_engine_probability_accepted);
  g_test_add_func ("/fhir/resources/engine-demo-model", test_engine_demo_model_accepted);

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
