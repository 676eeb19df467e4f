/* test-engine-score.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-fhir-resources.h"
#include "ward-news2-scorer.h"
#include "ward-store-scores.h"
#include "ward-test-scorer.h"
#include "ward-test-store.h"

/* The score stage with scorers: NEWS2 first, then a test probability
 * scorer, active or shadow; what each is given, what is stored, shown
 * and written to FHIR.
 */

/* 2027-01-15T08:00:00Z: on a 5-minute window boundary. */
#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->path = ward_test_db_new ("ward-engine-score", &f->dir);
  f->store = ward_test_store_open (f->path);
  f->engine = ward_test_engine_new (f->store, NULL, 1, NULL, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

/* One monitor message, evaluated in its own batch. */
static void
ingest_at (Fixture    *f,
           gint64      at,
           const char *values)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = ward_time_format_iso8601 (at);
  g_autofree char *msg = NULL;
  static guint serial;

  msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"s-%u\",\"kind\":\"vitals\","
                         "\"measuredAt\":\"%s\",%s}", ++serial, iso, values);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), at, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, at, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static void
ingest_three (Fixture *f)
{
  ingest_at (f, T0 + 10 * SEC, "\"heartRate\":118,\"respiratoryRate\":24,\"spo2\":93");
  ingest_at (f, T0 + 40 * SEC, "\"heartRate\":121,\"respiratoryRate\":25,\"spo2\":93");
  ingest_at (f, T0 + 70 * SEC, "\"heartRate\":124,\"respiratoryRate\":25,\"spo2\":92");
}

static gint64
query (Fixture    *f,
       const char *sql)
{
  return ward_test_query_int (f->store, sql);
}

static const WardScore *
find_score (const WardBedState *bed,
            const char         *kind)
{
  for (guint i = 0; bed->scores != NULL && i < bed->scores->len; i++)
    {
      const WardScore *s = &g_array_index (bed->scores, WardScore, i);

      if (g_strcmp0 (s->kind, kind) == 0)
        return s;
    }

  return NULL;
}

static JsonObject *
stored_resource (Fixture    *f,
                 const char *type,
                 const char *id,
                 JsonParser *parser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ward_store_get_resource (f->store, type, id, NULL, &error);

  g_assert_no_error (error);
  if (json == NULL)
    return NULL;
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  return json_node_get_object (json_parser_get_root (parser));
}

/* Without other scorers: NEWS2 is the one score, by kind, and its
 * contributions are its points.
 */
static void
test_news2_is_first (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  const WardBedState *bed;
  const WardScore *news2;
  double sum = 0;

  ingest_three (f);
  snapshot = ward_engine_snapshot (f->engine, T0 + 80 * SEC);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_cmpuint (bed->scores->len, ==, 1);
  news2 = find_score (bed, WARD_NEWS2_SCORER_KIND);
  g_assert_nonnull (news2);
  g_assert_cmpstr (news2->label, ==, "NEWS2");
  g_assert_cmpstr (news2->version, ==, WARD_NEWS2_SCORER_VERSION);
  g_assert_true (news2->has_total);
  g_assert_false (news2->has_probability);
  g_assert_cmpint (news2->total, ==, bed->score_total);
  g_assert_cmpint (news2->band, ==, bed->score_band);
  g_assert_cmpint (news2->window_end, ==, bed->score_window_end);
  /* RR 25: 3, SpO2 92 on scale 1: 2, pulse 124: 2. */
  g_assert_cmpuint (news2->contributions->len, ==, 3);
  for (guint i = 0; i < news2->contributions->len; i++)
    sum += g_array_index (news2->contributions, WardScoreContribution, i).contribution;
  g_assert_cmpfloat (sum, ==, 7);
  g_assert_cmpint (news2->total, ==, 7);
  g_assert_cmpfloat (ward_score_get_contribution (news2, "hr")->value, ==, 124);

  /* One row per window, of kind news2, with its version and parts. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores"), ==, 1);
  stored = ward_store_get_kind_scores (f->store, "p1", "news2", 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 1);
  g_assert_cmpstr (g_array_index (stored, WardStoredScore, 0).scorer_version, ==,
                   WARD_NEWS2_SCORER_VERSION);
  g_assert_cmpint (g_array_index (stored, WardStoredScore, 0).total, ==, 7);
  g_assert_nonnull (strstr (g_array_index (stored, WardStoredScore, 0).contributions_json,
                            "\"rr\""));
}

/* An ACTIVE probability scorer runs after NEWS2 and sees its score, asks
 * the store for 4 hours of pulse, is shown, stored and written as a
 * RiskAssessment with a percentage.
 */
static void
test_active_probability (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(WardTestScorer) scorer = ward_test_scorer_new (NULL);
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) news2_parser = json_parser_new ();
  g_autofree char *risk_id = NULL;
  g_autofree char *news2_risk_id = NULL;
  const WardBedState *bed;
  const WardScore *model;
  JsonObject *assessment;
  JsonObject *prediction;
  JsonObject *coding;

  g_assert_true (ward_engine_add_scorer (f->engine, WARD_SCORER (scorer), WARD_SCORER_MODE_ACTIVE,
                                         &error));
  g_assert_no_error (error);
  ingest_three (f);

  g_assert_cmpuint (ward_test_scorer_get_n_scored (scorer), ==, 3);
  g_assert_cmpuint (ward_test_scorer_get_n_with_news2 (scorer), ==, 3);

  snapshot = ward_engine_snapshot (f->engine, T0 + 80 * SEC);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_cmpuint (bed->scores->len, ==, 2);
  g_assert_cmpstr (g_array_index (bed->scores, WardScore, 0).kind, ==, "news2");
  model = find_score (bed, WARD_TEST_SCORER_KIND);
  g_assert_nonnull (model);
  g_assert_cmpstr (model->version, ==, "0.1.0");
  g_assert_cmpstr (model->label, ==, "Test deterioration model");
  g_assert_true (model->has_probability);
  g_assert_false (model->has_total);
  g_assert_cmpfloat_with_epsilon (model->probability, 7 / 20.0, 1e-9);
  g_assert_cmpint (model->window_end, ==, bed->score_window_end);
  /* The three pulse readings, from the store. */
  g_assert_cmpfloat (ward_score_get_contribution (model, "pulse_n_4h")->value, ==, 3);

  /* Stored by kind beside NEWS2: one row each for the window. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores"), ==, 2);
  stored = ward_store_get_kind_scores (f->store, "p1", WARD_TEST_SCORER_KIND, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 1);
  g_assert_true (g_array_index (stored, WardStoredScore, 0).has_probability);
  g_assert_false (g_array_index (stored, WardStoredScore, 0).has_total);
  g_assert_cmpfloat_with_epsilon (g_array_index (stored, WardStoredScore, 0).probability, 0.35, 1e-9);
  g_assert_cmpstr (g_array_index (stored, WardStoredScore, 0).inputs_json, ==,
                   "{\"pulse_readings_4h\":3}");

  /* Its RiskAssessment: R4's percentage, the scorer as method. */
  risk_id = ward_fhir_scorer_risk_assessment_id ("p1", WARD_TEST_SCORER_KIND, bed->score_window_end);
  assessment = stored_resource (f, "RiskAssessment", risk_id, parser);
  g_assert_nonnull (assessment);
  prediction = json_array_get_object_element (json_object_get_array_member (assessment, "prediction"), 0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (prediction, "probabilityDecimal"),
                                  35.0, 1e-9);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (prediction, "outcome"),
                                                  "text"), ==,
                   "Unplanned critical care admission within 24 hours");
  coding = json_array_get_object_element (json_object_get_array_member (
             json_object_get_object_member (assessment, "method"), "coding"), 0);
  g_assert_cmpstr (json_object_get_string_member (coding, "system"), ==, WARD_FHIR_SYSTEM_SCORER);
  g_assert_cmpstr (json_object_get_string_member (coding, "code"), ==, WARD_TEST_SCORER_KIND);
  g_assert_cmpstr (json_object_get_string_member (coding, "version"), ==, "0.1.0");

  /* NEWS2's assessment is still NEWS2's, under its own id. */
  news2_risk_id = ward_fhir_risk_assessment_id ("p1", bed->score_window_end);
  g_assert_cmpstr (news2_risk_id, !=, risk_id);
  assessment = stored_resource (f, "RiskAssessment", news2_risk_id, news2_parser);
  g_assert_nonnull (assessment);
  prediction = json_array_get_object_element (json_object_get_array_member (assessment, "prediction"), 0);
  g_assert_false (json_object_has_member (prediction, "probabilityDecimal"));
  g_assert_true (json_object_has_member (prediction, "qualitativeRisk"));
}

/* A SHADOW scorer is scored and stored, never shown nor sent. */
static void
test_shadow (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(WardTestScorer) scorer = ward_test_scorer_new (NULL);
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  const WardBedState *bed;

  g_assert_true (ward_engine_add_scorer (f->engine, WARD_SCORER (scorer), WARD_SCORER_MODE_SHADOW,
                                         &error));
  ingest_three (f);

  snapshot = ward_engine_snapshot (f->engine, T0 + 80 * SEC);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_cmpuint (bed->scores->len, ==, 1);
  g_assert_null (find_score (bed, WARD_TEST_SCORER_KIND));
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE kind = 'model:test-deterioration' "
                             "AND probability IS NOT NULL"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'RiskAssessment' "
                             "AND json LIKE '%probabilityDecimal%'"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'RiskAssessment'"),
                   ==, 1);
  /* NEWS2's flag rules run as before: a sustained 7 flags. */
  g_assert_cmpint (bed->flag_state, !=, WARD_FLAG_STATE_NONE);
}

/* A scorer that fails scores nothing; NEWS2 goes on. */
static void
test_failing_scorer (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(WardTestScorer) scorer = ward_test_scorer_new (NULL);
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  const WardBedState *bed;

  ward_test_scorer_set_fail (scorer, TRUE);
  g_assert_true (ward_engine_add_scorer (f->engine, WARD_SCORER (scorer), WARD_SCORER_MODE_ACTIVE,
                                         &error));
  g_test_expect_message ("ward-engine", G_LOG_LEVEL_WARNING, "*model:test-deterioration*test failure*");
  ingest_at (f, T0 + 10 * SEC, "\"heartRate\":118,\"respiratoryRate\":24,\"spo2\":93");
  g_test_assert_expected_messages ();

  snapshot = ward_engine_snapshot (f->engine, T0 + 20 * SEC);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_true (bed->has_score);
  g_assert_cmpuint (bed->scores->len, ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE kind = 'news2'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE kind <> 'news2'"), ==, 0);
}

static void
test_kinds_are_unique (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(WardTestScorer) first = ward_test_scorer_new (NULL);
  g_autoptr(WardTestScorer) again = ward_test_scorer_new (NULL);
  g_autoptr(WardTestScorer) news2 = ward_test_scorer_new ("news2");
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_add_scorer (f->engine, WARD_SCORER (first), WARD_SCORER_MODE_ACTIVE,
                                         &error));
  g_assert_false (ward_engine_add_scorer (f->engine, WARD_SCORER (again), WARD_SCORER_MODE_SHADOW,
                                          &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ward_engine_add_scorer (f->engine, WARD_SCORER (news2), WARD_SCORER_MODE_ACTIVE,
                                          &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID);
}

/* A rolled-back batch takes its scores with it, in memory as in the
 * store.
 */
static void
test_rollback_forgets_scores (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(WardTestScorer) scorer = ward_test_scorer_new (NULL);
  g_autoptr(WardSnapshot) before = NULL;
  g_autoptr(WardSnapshot) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  g_autofree char *iso = ward_time_format_iso8601 (T0 + 100 * SEC);
  const WardScore *model;

  g_assert_true (ward_engine_add_scorer (f->engine, WARD_SCORER (scorer), WARD_SCORER_MODE_ACTIVE,
                                         &error));
  ingest_at (f, T0 + 10 * SEC, "\"heartRate\":90,\"respiratoryRate\":16,\"spo2\":97");
  before = ward_engine_snapshot (f->engine, T0 + 20 * SEC);
  model = find_score (ward_snapshot_get_bed (before, 0), WARD_TEST_SCORER_KIND);
  g_assert_nonnull (model);
  g_assert_cmpfloat (model->probability, ==, 0.0);

  msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"rb\",\"kind\":\"vitals\","
                         "\"measuredAt\":\"%s\",\"heartRate\":140,\"respiratoryRate\":30}", iso);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg, strlen (msg),
                                     T0 + 100 * SEC, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, T0 + 100 * SEC, &error));
  ward_engine_rollback (f->engine);

  after = ward_engine_snapshot (f->engine, T0 + 110 * SEC);
  model = find_score (ward_snapshot_get_bed (after, 0), WARD_TEST_SCORER_KIND);
  g_assert_nonnull (model);
  g_assert_cmpfloat (model->probability, ==, 0.0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores"), ==, 2);
}

/* The FHIR stage's choice of resource for a score. */
static void
test_fhir_resource_choice (void)
{
  g_autofree char *device_id = ward_fhir_device_id ("test-installation");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) news2_direct = NULL;
  g_autoptr(JsonNode) news2_generic = NULL;
  g_autoptr(JsonNode) model = NULL;
  g_autoptr(JsonNode) child = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autofree char *direct_json = NULL;
  g_autofree char *generic_json = NULL;
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  g_autofree char *id_c = NULL;
  WardFhirScoreInput in = { 0 };
  WardScore score;
  JsonObject *prediction;

  in.patient_id = "p1";
  in.device_id = device_id;
  in.window_start = T0 - 30 * MINUTE;
  in.window_end = T0;
  in.computed_at = T0;
  in.spo2_scale = 1;
  in.total = 3;
  in.band = WARD_BAND_LOW_MEDIUM;
  in.params[WARD_NEWS2_RR].present = TRUE;
  in.params[WARD_NEWS2_RR].value = 25;
  in.params[WARD_NEWS2_RR].points = 3;
  in.params[WARD_NEWS2_RR].observed_at = T0 - MINUTE;
  in.params[WARD_NEWS2_RR].source = WARD_SOURCE_DEVICE;

  /* NEWS2: exactly the NEWS2 builder's resource. */
  ward_score_init (&score);
  score.kind = g_strdup ("news2");
  score.version = g_strdup (WARD_NEWS2_SCORER_VERSION);
  score.window_start = in.window_start;
  score.window_end = in.window_end;
  score.has_total = TRUE;
  score.total = 3;
  score.band = WARD_BAND_LOW_MEDIUM;
  news2_direct = ward_fhir_risk_assessment (&in, &error);
  g_assert_no_error (error);
  news2_generic = ward_fhir_scorer_risk_assessment (&in, &score, &error);
  g_assert_no_error (error);
  direct_json = ward_fhir_to_json (news2_direct);
  generic_json = ward_fhir_to_json (news2_generic);
  g_assert_cmpstr (direct_json, ==, generic_json);

  /* A probability: a percentage, the default outcome, the method. */
  g_free (score.kind);
  score.kind = g_strdup ("model:demo");
  score.has_total = FALSE;
  score.has_probability = TRUE;
  score.probability = 0.125;
  model = ward_fhir_scorer_risk_assessment (&in, &score, &error);
  g_assert_no_error (error);
  prediction = json_array_get_object_element (json_object_get_array_member (json_node_get_object (model),
                                                                            "prediction"), 0);
  g_assert_cmpfloat (json_object_get_double_member (prediction, "probabilityDecimal"), ==, 12.5);
  g_assert_true (json_object_has_member (prediction, "outcome"));
  g_assert_false (json_object_has_member (prediction, "qualitativeRisk"));

  /* Ids: the same for the same patient, kind and window; different
   * across kinds and windows.
   */
  id_a = ward_fhir_scorer_risk_assessment_id ("p1", "model:demo", T0);
  id_b = ward_fhir_scorer_risk_assessment_id ("p1", "model:other", T0);
  id_c = ward_fhir_scorer_risk_assessment_id ("p1", "model:demo", T0 + 5 * MINUTE);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (model), "id"), ==, id_a);
  g_assert_true (ward_fhir_id_is_valid (id_a));
  g_assert_cmpstr (id_a, !=, id_b);
  g_assert_cmpstr (id_a, !=, id_c);

  /* Not applicable: no prediction, a note. */
  score.not_applicable = TRUE;
  child = ward_fhir_scorer_risk_assessment (&in, &score, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_has_member (json_node_get_object (child), "prediction"));
  g_assert_true (json_object_has_member (json_node_get_object (child), "note"));

  /* A probability outside 0 to 1 is refused, not sent. */
  score.not_applicable = FALSE;
  score.probability = 1.5;
  bad = ward_fhir_scorer_risk_assessment (&in, &score, &error);
  g_assert_null (bad);
  g_assert_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
  ward_score_clear (&score);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/engine/score/news2-is-first", test_news2_is_first);
  ADD ("/engine/score/active-probability", test_active_probability);
  ADD ("/engine/score/shadow", test_shadow);
  ADD ("/engine/score/failing-scorer", test_failing_scorer);
  ADD ("/engine/score/kinds-are-unique", test_kinds_are_unique);
  ADD ("/engine/score/rollback-forgets-scores", test_rollback_forgets_scores);
#undef ADD
  g_test_add_func ("/engine/fhir/resource-choice", test_fhir_resource_choice);

  return g_test_run ();
}
