/* test-model-scorer.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-features.h"
#include "ward-fhir-resources.h"
#include "ward-model-config.h"
#include "ward-model-scorer.h"
#include "ward-policy.h"
#include "ward-store-scores.h"
#include "ward-test-store.h"

/* Models on the box: the shipped demo model, a model scorer in the
 * engine in shadow and active mode (what is stored, shown and written),
 * a refused model, and the configuration that names models.
 */

/* 2027-01-15T08:00:00Z: on a 5-minute window boundary. */
#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE
#define MODEL_KIND "model:demo-deterioration"

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
} Fixture;

static char *
demo_card_path (void)
{
  return g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data", "models",
                           "demo-deterioration.card.json", NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  WardEngineConfig config;

  f->dir = g_dir_make_tmp ("ward-model-scorer-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);
  f->store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  ward_engine_config_init (&config);
  f->engine = ward_engine_new (f->store, &config);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_register_bed (f->engine, "bed-01", "Bed 1", "p1", "Ada Obi",
                                           "mon-1", 1, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
load_model (Fixture        *f,
            const char     *card,
            WardScorerMode  mode,
            gboolean        expect_loaded)
{
  g_autoptr(GError) error = NULL;
  gboolean loaded = !expect_loaded;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_load_model (f->engine, card, mode, T0, &loaded, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (loaded, ==, expect_loaded);
}

static void
ingest_at (Fixture    *f,
           gint64      at,
           const char *kind,
           const char *values)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = ward_time_format_iso8601 (at);
  g_autofree char *msg = NULL;
  static guint serial;

  msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"m-%u\",\"kind\":\"%s\","
                         "\"measuredAt\":\"%s\",%s}", ++serial, kind, iso, values);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), at, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, at, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

/* Forty minutes of a patient getting worse: rising RR and pulse,
 * falling SpO2, one blood pressure.
 */
static void
ingest_deterioration (Fixture *f)
{
  ingest_at (f, T0 + 5 * SEC, "nibp", "\"systolic\":104,\"diastolic\":70");
  for (int i = 0; i < 80; i++)
    {
      g_autofree char *values = g_strdup_printf ("\"heartRate\":%d,\"respiratoryRate\":%d,"
                                                 "\"spo2\":%d",
                                                 100 + i / 2, 18 + i / 8, 96 - i / 16);

      ingest_at (f, T0 + 10 * SEC + i * 30 * SEC, "vitals", values);
    }
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

static gint64
query (Fixture    *f,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 v = _ward_store_query_int (f->store, sql, &error);

  g_assert_no_error (error);
  return v;
}

/* The shipped model loads, its checksum is its card's, and every
 * feature it names is one Wardwatch computes.
 */
static void
test_shipped_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *card_path = demo_card_path ();
  g_autoptr(WardModel) model = ward_model_load (card_path, &error);
  g_autofree char *model_path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  const WardModelCard *card;
  gsize length;

  g_assert_no_error (error);
  g_assert_nonnull (model);
  card = ward_model_get_card (model);
  g_assert_cmpstr (card->name, ==, "demo-deterioration");
  g_assert_true (card->not_for_clinical_use);
  g_assert_nonnull (card->notice);
  g_assert_false (card->may_flag);

  model_path = g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data", "models", card->model_file, NULL);
  g_assert_true (g_file_get_contents (model_path, &contents, &length, &error));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  g_assert_cmpstr (sha, ==, card->sha256);

  g_assert_cmpuint (card->n_features, >, 0);
  for (guint i = 0; i < card->n_features; i++)
    g_assert_cmpint (ward_features_lookup (card->features[i]), >=, 0);
  g_assert_true (ward_model_scorer_check_features (model, &error));
  g_assert_no_error (error);
}

/* Shadow: scored and stored, never in the snapshot, never sent. */
static void
test_shadow (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *card = demo_card_path ();
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  const WardBedState *bed;

  load_model (f, card, WARD_SCORER_MODE_SHADOW, TRUE);
  ingest_deterioration (f);

  snapshot = ward_engine_snapshot (f->engine, T0 + 41 * MINUTE);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_true (bed->has_score);
  g_assert_nonnull (find_score (bed, "news2"));
  g_assert_null (find_score (bed, MODEL_KIND));
  for (guint i = 0; i < bed->scores->len; i++)
    g_assert_false (g_str_has_prefix (g_array_index (bed->scores, WardScore, i).kind, "model:"));

  stored = ward_store_get_kind_scores (f->store, "p1", MODEL_KIND, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, >, 0);

  /* No RiskAssessment of the model reaches the outbox. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'RiskAssessment' "
                             "AND json LIKE '%demo-deterioration%'"), ==, 0);
}

/* Active: shown next to NEWS2 with its probability, outcome, card and
 * top five contributions; written as a RiskAssessment; computed once
 * per window however often the window is re-scored.
 */
static void
test_active (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *card = demo_card_path ();
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const WardBedState *bed;
  const WardScore *model;
  JsonObject *detail;
  guint64 windows;

  load_model (f, card, WARD_SCORER_MODE_ACTIVE, TRUE);
  ingest_deterioration (f);

  snapshot = ward_engine_snapshot (f->engine, T0 + 41 * MINUTE);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_cmpstr (g_array_index (bed->scores, WardScore, 0).kind, ==, "news2");
  model = find_score (bed, MODEL_KIND);
  g_assert_nonnull (model);
  g_assert_true (model->has_probability);
  g_assert_cmpfloat (model->probability, >=, 0.0);
  g_assert_cmpfloat (model->probability, <=, 1.0);
  g_assert_cmpstr (model->version, ==, "0.1.0");
  g_assert_nonnull (model->outcome);
  g_assert_cmpuint (model->contributions->len, ==, WARD_MODEL_SCORER_N_TOP);
  for (guint i = 1; i < model->contributions->len; i++)
    g_assert_cmpfloat (fabs (g_array_index (model->contributions, WardScoreContribution, i - 1).contribution),
                       >=,
                       fabs (g_array_index (model->contributions, WardScoreContribution, i).contribution));
  for (guint i = 0; i < model->contributions->len; i++)
    {
      const WardScoreContribution *c = &g_array_index (model->contributions, WardScoreContribution, i);
      g_autofree char *label = ward_model_feature_label (c->name);

      g_assert_cmpint (ward_features_lookup (c->name), >=, 0);
      g_assert_cmpstr (label, !=, c->name);
    }

  g_assert_true (json_parser_load_from_data (parser, model->detail_json, -1, &error));
  g_assert_no_error (error);
  detail = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "card");
  g_assert_true (json_object_get_boolean_member (detail, "not_for_clinical_use"));
  g_assert_cmpint (json_object_get_int_member (detail, "horizon_minutes"), ==, 240);

  /* Every window's features see the values observed up to their time:
   * the pulse comes every 30 s, so the newest is under a minute old,
   * and the last 30 minutes hold 60 of them (the mean of 100 + i / 2).
   */
  {
    g_autoptr(GArray) stored = ward_store_get_kind_scores (f->store, "p1", MODEL_KIND, 0,
                                                           G_MAXINT64, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (stored->len, >=, 8);
    for (guint i = 0; i < stored->len; i++)
      {
        g_autoptr(JsonParser) p = json_parser_new ();
        JsonObject *features;

        g_assert_true (json_parser_load_from_data (p, g_array_index (stored, WardStoredScore, i).inputs_json,
                                                   -1, &error));
        features = json_object_get_object_member (json_node_get_object (json_parser_get_root (p)),
                                                  "features");
        g_assert_cmpfloat (json_object_get_double_member (features, "hr_since_last_min"), <, 1.0);
      }
  }

  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'RiskAssessment' "
                             "AND json LIKE '%demo-deterioration%'"), >, 0);

  /* 81 batches re-scored the patient; the windows they fell in are 9
   * (5-minute steps over 41 minutes): predictions are made per window
   * (and when NEWS2's points change), not per batch.
   */
  windows = query (f, "SELECT count(*) FROM scores WHERE kind = '" MODEL_KIND "'");
  g_assert_cmpint (windows, >, 0);
  g_assert_cmpint (windows, <=, 10);
}

/* A model whose file is not its card's is refused, counted and recorded
 * as a data issue; NEWS2 goes on.
 */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *card = demo_card_path ();
  g_autofree char *card_text = NULL;
  g_autofree char *model_text = NULL;
  g_autofree char *src_model = NULL;
  g_autofree char *bad_card = g_build_filename (f->dir, "demo-deterioration.card.json", NULL);
  g_autofree char *bad_model = g_build_filename (f->dir, "demo-deterioration.json", NULL);
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  const WardBedState *bed;
  char *p;

  src_model = g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data", "models",
                                "demo-deterioration.json", NULL);
  g_assert_true (g_file_get_contents (card, &card_text, NULL, &error));
  g_assert_true (g_file_get_contents (src_model, &model_text, NULL, &error));
  /* One digit of one split value changed: the checksum no longer holds. */
  p = strstr (model_text, "\"split_conditions\":[");
  g_assert_nonnull (p);
  p += strlen ("\"split_conditions\":[");
  while (!g_ascii_isdigit (*p))
    p++;
  *p = *p == '1' ? '2' : '1';
  g_assert_true (g_file_set_contents (bad_card, card_text, -1, &error));
  g_assert_true (g_file_set_contents (bad_model, model_text, -1, &error));

  g_test_expect_message ("ward-engine", G_LOG_LEVEL_WARNING, "*checksum*");
  load_model (f, bad_card, WARD_SCORER_MODE_ACTIVE, FALSE);
  g_test_assert_expected_messages ();

  g_assert_cmpint (query (f, "SELECT count(*) FROM dead_letters WHERE stage = 'model' "
                             "AND reason LIKE '%checksum%'"), ==, 1);

  ingest_deterioration (f);
  snapshot = ward_engine_snapshot (f->engine, T0 + 41 * MINUTE);
  g_assert_cmpuint (ward_snapshot_get_counters (snapshot)->models_refused, ==, 1);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_true (bed->has_score);
  g_assert_nonnull (find_score (bed, "news2"));
  g_assert_cmpuint (bed->scores->len, ==, 1);
}

/* The policy file's "models": strict, paths relative to the file. */
static void
test_policy_models (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = ward_model_specs_new ();
  g_autofree char *dir = g_dir_make_tmp ("ward-model-policy-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "policy.json", NULL);
  g_autofree char *expected = g_build_filename (dir, "models", "m.card.json", NULL);
  WardEngineConfig config;
  const WardModelSpec *spec;
  static const char * const bad[] = {
    "{\"models\": {\"card\": \"m.card.json\", \"mode\": \"active\"}}",
    "{\"models\": [{\"card\": \"m.card.json\"}]}",
    "{\"models\": [{\"card\": \"m.card.json\", \"mode\": \"on\"}]}",
    "{\"models\": [{\"card\": \"\", \"mode\": \"shadow\"}]}",
    "{\"models\": [{\"card\": \"m.card.json\", \"mode\": \"shadow\", \"flag\": true}]}",
  };

  g_assert_true (g_file_set_contents (path, "{\"models\": [{\"card\": \"models/m.card.json\", "
                                      "\"mode\": \"active\"}]}", -1, &error));
  ward_engine_config_init (&config);
  g_assert_true (ward_policy_load_file (path, &config, &error));
  g_assert_no_error (error);
  g_assert_true (ward_model_specs_load_policy (path, specs, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (specs->len, ==, 1);
  spec = specs->pdata[0];
  g_assert_cmpstr (spec->card_path, ==, expected);
  g_assert_cmpint (spec->mode, ==, WARD_SCORER_MODE_ACTIVE);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_error (&error);
      g_assert_false (ward_policy_load_data (bad[i], -1, "policy.json", &config, &error));
      g_assert_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "models"));
    }

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_model_option (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardModelSpec) a = ward_model_spec_parse_option ("/m/x.card.json", &error);
  g_autoptr(WardModelSpec) b = ward_model_spec_parse_option ("/m/x.card.json:active", &error);
  g_autoptr(WardModelSpec) c = ward_model_spec_parse_option ("C:/m/x.card.json:shadow", &error);
  g_autoptr(WardModelSpec) d = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (a->card_path, ==, "/m/x.card.json");
  g_assert_cmpint (a->mode, ==, WARD_SCORER_MODE_SHADOW);
  g_assert_cmpstr (b->card_path, ==, "/m/x.card.json");
  g_assert_cmpint (b->mode, ==, WARD_SCORER_MODE_ACTIVE);
  g_assert_cmpstr (c->card_path, ==, "C:/m/x.card.json");
  g_assert_cmpint (c->mode, ==, WARD_SCORER_MODE_SHADOW);
  d = ward_model_spec_parse_option (":active", &error);
  g_assert_null (d);
  g_assert_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID);
}

static void
test_feature_labels (void)
{
  g_autofree char *a = ward_model_feature_label ("rr_slope_4h");
  g_autofree char *b = ward_model_feature_label ("spo2_min_30m");
  g_autofree char *c = ward_model_feature_label ("news2_total");

  g_assert_cmpstr (a, ==, "RR slope 4 h");
  g_assert_cmpstr (b, ==, "SpO2 min 30 min");
  g_assert_cmpstr (c, ==, "NEWS2 total");
}

/* At a start with a full ward, the first windows (a day of history
 * each) are spread over the batches: at most the cap per batch, every
 * patient scored within a few batches, and no patient left out.
 */
static void
test_first_windows_spread (void)
{
  g_autofree char *card_path = demo_card_path ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardModel) model = NULL;
  g_autoptr(WardScorer) scorer = NULL;
  guint64 seen[4] = { 0 };
  WardEngineConfig config;

  dir = g_dir_make_tmp ("ward-model-first-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "ward.db", NULL);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  ward_engine_config_init (&config);
  engine = ward_engine_new (store, &config);
  model = ward_model_load (card_path, &error);
  g_assert_no_error (error);
  scorer = ward_model_scorer_new (model);
  g_assert_true (ward_engine_add_scorer (engine, scorer, WARD_SCORER_MODE_SHADOW, &error));

  g_assert_true (ward_engine_begin (engine, &error));
  for (int b = 1; b <= 5; b++)
    {
      g_autofree char *bed = g_strdup_printf ("bed-%02d", b);
      g_autofree char *patient = g_strdup_printf ("p%d", b);
      g_autofree char *device = g_strdup_printf ("mon-%d", b);

      g_assert_true (ward_engine_register_bed (engine, bed, bed, patient, patient, device, 1,
                                               &error));
    }
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);

  /* Every bed sends at every batch; batches 30 s apart. */
  for (int batch = 0; batch < 4; batch++)
    {
      gint64 at = T0 + (batch + 1) * 30 * WARD_USEC_PER_SEC;
      g_autofree char *iso = ward_time_format_iso8601 (at);

      g_assert_true (ward_engine_begin (engine, &error));
      for (int b = 1; b <= 5; b++)
        {
          g_autofree char *msg = g_strdup_printf ("{\"deviceId\":\"mon-%d\",\"messageId\":\"f-%d-%d\","
                                                  "\"kind\":\"vitals\",\"measuredAt\":\"%s\","
                                                  "\"heartRate\":%d,\"respiratoryRate\":20,"
                                                  "\"spo2\":96}", b, batch, b, iso, 80 + b);

          g_assert_true (ward_engine_ingest (engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                             strlen (msg), at, NULL, NULL, &error));
        }
      g_assert_true (ward_engine_evaluate (engine, at, &error));
      g_assert_true (ward_engine_commit (engine, &error));
      g_assert_no_error (error);
      seen[batch] = ward_test_query_int (store, "SELECT count(DISTINCT patient_id) FROM scores "
                                                "WHERE kind = 'model:demo-deterioration'");
    }

  /* Two first windows a batch: 2, 4, then all five. */
  g_assert_cmpuint (WARD_MODEL_SCORER_FIRST_WINDOWS_PER_BATCH, ==, 2);
  g_assert_cmpuint (seen[0], ==, 2);
  g_assert_cmpuint (seen[1], ==, 4);
  g_assert_cmpuint (seen[2], ==, 5);
  g_assert_cmpuint (seen[3], ==, 5);

  g_clear_object (&engine);
  g_clear_object (&store);
  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model-scorer/shipped-model", test_shipped_model);
  g_test_add ("/model-scorer/shadow", Fixture, NULL, fixture_set_up, test_shadow, fixture_tear_down);
  g_test_add ("/model-scorer/active", Fixture, NULL, fixture_set_up, test_active, fixture_tear_down);
  g_test_add ("/model-scorer/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add_func ("/model-scorer/policy-models", test_policy_models);
  g_test_add_func ("/model-scorer/model-option", test_model_option);
  g_test_add_func ("/model-scorer/feature-labels", test_feature_labels);
  g_test_add_func ("/model-scorer/first-windows-spread", test_first_windows_spread);

  return g_test_run ();
}
