/* test-model-flag.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ward-care.h"
#include "ward-engine.h"
#include "ward-fhir-model-flag.h"
#include "ward-model-card.h"
#include "ward-model-flag.h"
#include "ward-routing.h"
#include "ward-store-model-flag.h"
#include "ward-store-private.h"
#include "ward-test-scorer.h"
#include "ward-test-store.h"

/* A model's own flag (issue #15), driven through the engine with a
 * controlled clock: the test scorer's probability is the window's NEWS2
 * total over 20, so the vitals choose it.  Delays are the defaults: 3
 * minutes to open, 10 to close.
 */

/* 2027-01-15T08:00:00Z: on a 5-minute window boundary. */
#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE
#define KIND "model:test"

/* NEWS2 totals, and so probabilities of the test scorer. */
#define VITALS_6 "\"heartRate\":118,\"respiratoryRate\":24,\"spo2\":93"   /* 0.30, medium */
#define VITALS_5 "\"heartRate\":118,\"respiratoryRate\":24,\"spo2\":95"   /* 0.25, medium */
#define VITALS_2 "\"heartRate\":118,\"respiratoryRate\":16,\"spo2\":97"   /* 0.10, low */
#define VITALS_0 "\"heartRate\":80,\"respiratoryRate\":16,\"spo2\":97"    /* 0, low */

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
  gint64      now;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->path = ward_test_db_new ("ward-model-flag", &f->dir);
  f->store = ward_test_store_open (f->path);
  f->engine = ward_test_engine_new (f->store, NULL, 1, NULL, NULL);
  f->now = T0;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

static void
add_test_model (Fixture        *f,
                WardScorerMode  mode,
                gboolean        may_flag,
                double          probability,
                double          hysteresis)
{
  g_autoptr(WardTestScorer) scorer = ward_test_scorer_new (KIND);
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_add_scorer (f->engine, WARD_SCORER (scorer), mode, &error));
  g_assert_true (ward_engine_set_model_flag_policy (f->engine, KIND, may_flag, probability,
                                                    hysteresis, &error));
  g_assert_no_error (error);
}

/* Monitor messages every 30 s until @until, each evaluated in its own batch. */
static void
feed_until (Fixture    *f,
            gint64      until,
            const char *values)
{
  static guint serial;

  for (f->now += 30 * SEC; f->now <= until; f->now += 30 * SEC)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *iso = ward_time_format_iso8601 (f->now);
      g_autofree char *msg = NULL;

      msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"mf-%u\",\"kind\":\"vitals\","
                             "\"measuredAt\":\"%s\",%s}", ++serial, iso, values);
      g_assert_true (ward_engine_begin (f->engine, &error));
      g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                         strlen (msg), f->now, NULL, NULL, &error));
      g_assert_true (ward_engine_evaluate (f->engine, f->now, &error));
      g_assert_true (ward_engine_commit (f->engine, &error));
      g_assert_no_error (error);
    }
  f->now -= 30 * SEC;
}

static gint64
query (Fixture    *f,
       const char *sql)
{
  return ward_test_query_int (f->store, sql);
}

static gint64
open_model_flags (Fixture *f)
{
  return query (f, "SELECT count(*) FROM flags WHERE kind = 'model' AND closed_at IS NULL");
}

/* The bed's model flag in a snapshot at the fixture's time, or NULL. */
static WardModelFlagView *
snapshot_view (Fixture       *f,
               WardSnapshot **snapshot)
{
  const WardBedState *bed;

  *snapshot = ward_engine_snapshot (f->engine, f->now);
  bed = ward_snapshot_get_bed (*snapshot, 0);
  if (bed->model_flags == NULL || bed->model_flags->len == 0)
    return NULL;
  g_assert_cmpuint (bed->model_flags->len, ==, 1);
  return &g_array_index (bed->model_flags, WardModelFlagView, 0);
}

/* Raised only once the probability has stayed at or above the card's
 * for the open delay; it records the model and the probability.
 */
static void
test_raise_after_sustain (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(WardSnapshot) pending = NULL;
  g_autoptr(WardSnapshot) open = NULL;
  g_autofree char *scorer = NULL;
  WardModelFlagView *view;

  add_test_model (f, WARD_SCORER_MODE_ACTIVE, TRUE, 0.3, 0.05);

  feed_until (f, T0 + 2 * MINUTE + 30 * SEC, VITALS_6);
  g_assert_cmpint (open_model_flags (f), ==, 0);
  view = snapshot_view (f, &pending);
  g_assert_nonnull (view);
  g_assert_cmpint (view->state, ==, WARD_FLAG_STATE_PENDING);
  g_assert_cmpint (view->flag_id, ==, 0);
  /* First at or above at T0 + 30 s: opens 3 min later if it stays. */
  g_assert_cmpint (view->pending_at, ==, T0 + 30 * SEC + 3 * MINUTE);

  feed_until (f, T0 + 3 * MINUTE + 30 * SEC, VITALS_6);
  g_assert_cmpint (open_model_flags (f), ==, 1);
  g_assert_cmpint (query (f, "SELECT opened_at FROM flags WHERE kind = 'model'"), ==,
                   T0 + 3 * MINUTE + 30 * SEC);
  scorer = ward_test_query_text (f->store, "SELECT scorer FROM flags WHERE kind = 'model'");
  g_assert_cmpstr (scorer, ==, KIND);
  g_assert_cmpint (query (f, "SELECT round(probability * 100) FROM flags WHERE kind = 'model'"),
                   ==, 30);
  /* It names the model's score row that raised it. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags f JOIN scores s ON s.id = f.score_id "
                             "WHERE f.kind = 'model' AND s.kind = 'model:test'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'model-flag-raised'"), ==, 1);
  g_assert_cmpint (ward_engine_get_counters (f->engine)->model_flags_raised, ==, 1);

  view = snapshot_view (f, &open);
  g_assert_nonnull (view);
  g_assert_cmpint (view->state, ==, WARD_FLAG_STATE_OPEN);
  g_assert_cmpint (view->flag_id, ==, query (f, "SELECT id FROM flags WHERE kind = 'model'"));
  g_assert_cmpstr (view->kind, ==, KIND);
  g_assert_cmpfloat_with_epsilon (view->probability, 0.3, 1e-9);

  /* Staying high raises no second flag. */
  feed_until (f, T0 + 8 * MINUTE, VITALS_6);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'model'"), ==, 1);
}

/* Closed after the close delay once the probability falls below the
 * threshold less the hysteresis; a return above within the delay keeps
 * the same flag.
 */
static void
test_close_on_fall (Fixture       *f,
                    gconstpointer  data)
{
  add_test_model (f, WARD_SCORER_MODE_ACTIVE, TRUE, 0.3, 0.05);

  feed_until (f, T0 + 4 * MINUTE, VITALS_6);
  g_assert_cmpint (open_model_flags (f), ==, 1);

  /* Down for 5 min, back up: the same episode. */
  feed_until (f, T0 + 9 * MINUTE, VITALS_0);
  g_assert_cmpint (open_model_flags (f), ==, 1);
  feed_until (f, T0 + 10 * MINUTE, VITALS_6);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'model'"), ==, 1);

  /* Down for 9.5 min: still open; past 10: closed. */
  feed_until (f, T0 + 19 * MINUTE + 30 * SEC, VITALS_0);
  g_assert_cmpint (open_model_flags (f), ==, 1);
  feed_until (f, T0 + 21 * MINUTE, VITALS_0);
  g_assert_cmpint (open_model_flags (f), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'model'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'model-flag-closed'"), ==, 1);
}

/* Between the close bound and the threshold an open flag stays open
 * (hysteresis), however long; below the bound it closes.
 */
static void
test_hysteresis (Fixture       *f,
                 gconstpointer  data)
{
  add_test_model (f, WARD_SCORER_MODE_ACTIVE, TRUE, 0.3, 0.1);

  feed_until (f, T0 + 4 * MINUTE, VITALS_6);
  g_assert_cmpint (open_model_flags (f), ==, 1);
  /* 0.25: under 0.3 but over 0.2. */
  feed_until (f, T0 + 20 * MINUTE, VITALS_5);
  g_assert_cmpint (open_model_flags (f), ==, 1);
  feed_until (f, T0 + 31 * MINUTE, VITALS_0);
  g_assert_cmpint (open_model_flags (f), ==, 0);

  /* And 0.25 never opens one: the threshold is 0.3. */
  feed_until (f, T0 + 45 * MINUTE, VITALS_5);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'model'"), ==, 1);
}

/* A shadow model never flags, whatever its policy; nor an active one
 * whose card says no.
 */
static void
test_never_in_shadow (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardSnapshot) snapshot = NULL;

  add_test_model (f, GPOINTER_TO_INT (data) ? WARD_SCORER_MODE_SHADOW : WARD_SCORER_MODE_ACTIVE,
                  GPOINTER_TO_INT (data), 0.3, 0.05);

  feed_until (f, T0 + 15 * MINUTE, VITALS_6);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'model'"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind LIKE 'model-flag%'"), ==, 0);
  g_assert_null (snapshot_view (f, &snapshot));
  /* The model scored all along, and NEWS2 flagged as ever. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE kind = 'model:test'"), >, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical'"), ==, 1);
}

/* The demo model's card says may_flag false: loaded ACTIVE, it raises
 * no flag of its own.
 */
static void
test_card_says_no (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *card_path = g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data", "models",
                                                 "demo-deterioration.card.json", NULL);
  g_autoptr(WardModelCard) card = NULL;
  g_autoptr(GError) error = NULL;
  gboolean loaded = FALSE;

  card = ward_model_card_load (card_path, &error);
  g_assert_no_error (error);
  g_assert_false (card->may_flag);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_load_model (f->engine, card_path, WARD_SCORER_MODE_ACTIVE, T0,
                                         &loaded, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  g_assert_true (loaded);

  feed_until (f, T0 + 15 * MINUTE, VITALS_6);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE kind = 'model:demo-deterioration'"),
                   >, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'model'"), ==, 0);
}

/* NEWS2's flag and the model's co-exist and never touch each other. */
static void
test_news2_untouched (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardSnapshot) snapshot = NULL;
  const WardBedState *bed;
  gint64 model_flag;
  gint64 news2_flag;

  /* Threshold 0.1: a NEWS2 total of 2 (low, no NEWS2 flag) is enough. */
  add_test_model (f, WARD_SCORER_MODE_ACTIVE, TRUE, 0.1, 0.05);

  feed_until (f, T0 + 4 * MINUTE, VITALS_2);
  g_assert_cmpint (open_model_flags (f), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical'"), ==, 0);
  model_flag = query (f, "SELECT id FROM flags WHERE kind = 'model'");

  /* NEWS2 medium: its own flag opens; the model's is the same one. */
  feed_until (f, T0 + 8 * MINUTE, VITALS_6);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical' "
                             "AND closed_at IS NULL"), ==, 1);
  news2_flag = query (f, "SELECT id FROM flags WHERE kind = 'clinical'");
  g_assert_cmpint (news2_flag, !=, model_flag);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'model'"), ==, 1);

  snapshot = ward_engine_snapshot (f->engine, f->now);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_cmpint (bed->flag_id, ==, news2_flag);
  g_assert_cmpint (bed->flag_band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpuint (bed->model_flags->len, ==, 1);
  g_assert_cmpint (g_array_index (bed->model_flags, WardModelFlagView, 0).flag_id, ==, model_flag);

  /* Acknowledging the model's flag leaves NEWS2's alone. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(WardSnapshot) after = NULL;
    const WardBedState *b;

    g_assert_true (ward_engine_begin (f->engine, &error));
    g_assert_true (ward_engine_acknowledge (f->engine, model_flag, f->now, "nurse-a", &error));
    g_assert_true (ward_engine_commit (f->engine, &error));
    g_assert_no_error (error);
    after = ward_engine_snapshot (f->engine, f->now);
    b = ward_snapshot_get_bed (after, 0);
    g_assert_null (b->flag_acknowledged_by);
    g_assert_cmpstr (g_array_index (b->model_flags, WardModelFlagView, 0).acknowledged_by, ==,
                     "nurse-a");
  }

  /* Back to 2: NEWS2's flag closes after its delay, the model's stays. */
  feed_until (f, T0 + 20 * MINUTE, VITALS_2);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical' "
                             "AND closed_at IS NULL"), ==, 0);
  g_assert_cmpint (open_model_flags (f), ==, 1);
  g_assert_cmpint (query (f, "SELECT id FROM flags WHERE kind = 'model' AND closed_at IS NULL"),
                   ==, model_flag);

  /* The model's Flag is in the local FHIR store, with its own id. */
  {
    g_autofree char *id = NULL;
    gint64 opened_at = query (f, "SELECT opened_at FROM flags WHERE kind = 'model'");

    id = ward_fhir_model_flag_id ("p1", KIND, opened_at);
    g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Flag'"),
                     ==, 2);
    g_assert_true (ward_store_get_resource (f->store, "Flag", id, NULL, NULL) != NULL);
  }
}

/* A restart continues an open model flag instead of opening another. */
static void
test_restart_continues (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardTestScorer) scorer = ward_test_scorer_new (KIND);

  add_test_model (f, WARD_SCORER_MODE_ACTIVE, TRUE, 0.3, 0.05);
  feed_until (f, T0 + 4 * MINUTE, VITALS_6);
  g_assert_cmpint (open_model_flags (f), ==, 1);

  g_clear_object (&f->engine);
  f->engine = ward_test_engine_new (f->store, NULL, 1, NULL, NULL);
  g_assert_true (ward_engine_add_scorer (f->engine, WARD_SCORER (scorer), WARD_SCORER_MODE_ACTIVE,
                                         &error));
  g_assert_true (ward_engine_set_model_flag_policy (f->engine, KIND, TRUE, 0.3, 0.05, &error));
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_restore (f->engine, f->now, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);

  feed_until (f, T0 + 10 * MINUTE, VITALS_6);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'model'"), ==, 1);
  g_assert_cmpint (open_model_flags (f), ==, 1);
}

/* Through the care stage: the model's flag gets a task of its own,
 * routed by score kind to the nurse in charge, beside NEWS2's task for
 * the bed nurse; when the model's flag closes its requested task is
 * cancelled.
 */
static void
test_care_task_routed (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(WardCare) care = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = NULL;

  add_test_model (f, WARD_SCORER_MODE_ACTIVE, TRUE, 0.1, 0.05);
  care = ward_care_new (f->engine, NULL, "ward-7", "station-1");

  feed_until (f, T0 + 4 * MINUTE, VITALS_6);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_care_tick (care, f->now, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);

  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks t JOIN flags f ON f.id = t.flag_id "
                             "WHERE f.kind = 'model' AND t.owner_role = 'nurse-in-charge' "
                             "AND t.status = 'requested' AND t.kind = 'clinical'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks t JOIN flags f ON f.id = t.flag_id "
                             "WHERE f.kind = 'clinical' AND t.owner_role = 'bed-nurse'"), ==, 1);
  /* Both flags opened at the same tick: their Tasks still have ids of
   * their own (named from each flag's own Flag id).
   */
  g_assert_cmpint (query (f, "SELECT count(DISTINCT f.opened_at) FROM flags f"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(DISTINCT id) FROM fhir_resources "
                             "WHERE resource_type = 'Task'"), ==, 2);
  payload = ward_test_query_text (f->store, "SELECT payload FROM care_communications c "
                                            "JOIN care_tasks t ON t.id = c.task_id JOIN flags f "
                                            "ON f.id = t.flag_id WHERE f.kind = 'model'");
  g_assert_nonnull (strstr (payload, "Model alert (model:test)"));

  /* NEWS2 0, so probability 0: the model's flag closes after 10 min and
   * its task is cancelled with it.
   */
  feed_until (f, T0 + 16 * MINUTE, VITALS_0);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_care_tick (care, f->now, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (open_model_flags (f), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks t JOIN flags f ON f.id = t.flag_id "
                             "WHERE f.kind = 'model' AND t.status = 'cancelled'"), ==, 1);
}

/* A policy for NEWS2 or a kind not registered is refused. */
static void
test_policy_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ward_engine_set_model_flag_policy (f->engine, "news2", TRUE, 0.3, 0.05, &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ward_engine_set_model_flag_policy (f->engine, "model:none", TRUE, 0.3, 0.05,
                                                     &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID);
}

/* The card's hysteresis: optional, below the probability. */
static void
test_card_hysteresis (void)
{
  static const char base[] =
    "{\"name\":\"m\",\"version\":\"1\",\"model_file\":\"m.json\",\"sha256\":\""
    "0000000000000000000000000000000000000000000000000000000000000000\","
    "\"features\":[\"rr_latest\"],\"outcome\":{\"text\":\"x\"},\"horizon_minutes\":60,"
    "\"intended_use\":\"t\",\"training_data\":\"t\",\"validation\":{\"auroc\":0.5},"
    "\"not_for_clinical_use\":true,\"notice\":\"n\",\"flag_policy\":%s}";
  g_autoptr(GError) error = NULL;
  g_autofree char *with = g_strdup_printf (base, "{\"may_flag\":true,\"probability\":0.3,"
                                                 "\"hysteresis\":0.1}");
  g_autofree char *without = g_strdup_printf (base, "{\"may_flag\":true,\"probability\":0.3}");
  g_autofree char *bad = g_strdup_printf (base, "{\"may_flag\":true,\"probability\":0.3,"
                                                "\"hysteresis\":0.3}");
  g_autoptr(WardModelCard) a = ward_model_card_parse (with, -1, "a", &error);
  g_autoptr(WardModelCard) b = NULL;
  g_autoptr(WardModelCard) c = NULL;

  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (a->flag_hysteresis, 0.1, 1e-12);
  b = ward_model_card_parse (without, -1, "b", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (b->flag_hysteresis, <, 0);
  c = ward_model_card_parse (bad, -1, "c", &error);
  g_assert_null (c);
  g_assert_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_CARD_INVALID);
  g_assert_nonnull (strstr (error->message, "flag_policy.hysteresis"));
}

/* Routing by score kind: a model's alert goes to the nurse in charge by
 * default; a rule naming "model" (any model) or the exact kind routes it.
 */
static void
test_routing_by_score_kind (void)
{
  g_autoptr(WardCarePolicy) policy = ward_care_policy_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  WardRoutingQuery q = { .kind = WARD_CARE_KIND_CLINICAL, .score_kind = "model:demo" };
  WardRole role;

  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_NURSE_IN_CHARGE);
  q.score_kind = "news2";
  q.has_band = TRUE;
  q.band = WARD_BAND_MEDIUM;
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_BED_NURSE);

  g_clear_pointer (&policy, ward_care_policy_free);
  policy = ward_care_policy_new ();
  g_assert_true (json_parser_load_from_data (parser,
                 "{\"routing\":[{\"score_kind\":\"model:other\",\"role\":\"outreach\"},"
                 "{\"score_kind\":\"model\",\"role\":\"doctor\"}]}", -1, &error));
  g_assert_true (ward_care_policy_load_json (policy, json_parser_get_root (parser), "test",
                                             &error));
  g_assert_no_error (error);
  q = (WardRoutingQuery) { .kind = WARD_CARE_KIND_CLINICAL, .score_kind = "model:demo" };
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_DOCTOR);
  q.score_kind = "model:other";
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_OUTREACH);
  /* "model" never matches NEWS2's flags. */
  q.score_kind = "news2";
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_BED_NURSE);
}

/* Migration 12 keeps every flag and the rows that name it, and takes
 * model flags; a model flag without its scorer is refused.
 */
static void
test_migration_keeps_flags (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = ward_test_db_new ("ward-model-flag-migrate", &dir);
  g_autoptr(WardStore) old = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;

  old = _ward_store_open_at_version (path, 11, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (old, "p1", "Ada", 1, &error));
  g_assert_true (_ward_store_exec (old,
    "INSERT INTO flags (id, patient_id, kind, band, opened_at, reason, acknowledged_by) "
    "VALUES (7, 'p1', 'clinical', 'high', 1000, 'NEWS2 8 (high)', 'nurse-a');"
    "INSERT INTO flags (id, patient_id, kind, subject, opened_at, closed_at) "
    "VALUES (8, 'p1', 'technical', 'mon-1', 2000, 3000);"
    "INSERT INTO care_tasks (id, flag_id, patient_id, kind, band, status, priority, owner_role, "
    "  requester, requested_at, due_at, station, updated_at) "
    "VALUES (1, 7, 'p1', 'clinical', 'high', 'requested', 'asap', 'bed-nurse', 'wardwatch', "
    "  1000, 2800, 's1', 1000);", &error));
  g_assert_no_error (error);
  g_clear_object (&old);

  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (store), ==, WARD_STORE_SCHEMA_VERSION);
  g_assert_cmpint (ward_test_query_int (store, "SELECT count(*) FROM flags"), ==, 2);
  g_assert_cmpint (ward_test_query_int (store, "SELECT count(*) FROM flags WHERE id = 7 AND "
                                               "kind = 'clinical' AND band = 'high' AND "
                                               "acknowledged_by = 'nurse-a' AND opened_at = 1000"),
                   ==, 1);
  g_assert_cmpint (ward_test_query_int (store, "SELECT closed_at FROM flags WHERE id = 8"), ==, 3000);
  g_assert_cmpint (ward_test_query_int (store, "SELECT count(*) FROM care_tasks t JOIN flags f "
                                               "ON f.id = t.flag_id WHERE f.id = 7"), ==, 1);
  g_assert_cmpint (ward_test_query_int (store, "SELECT count(*) FROM sqlite_master WHERE "
                                               "name = 'flags_patient'"), ==, 1);

  g_assert_cmpint (ward_store_open_model_flag (store, "p1", "model:m", "1", 0.4, 0, 5000, "r",
                                               &error), ==, 9);
  g_assert_no_error (error);
  g_assert_false (_ward_store_exec (store, "INSERT INTO flags (patient_id, kind, opened_at) "
                                           "VALUES ('p1', 'model', 6000)", &error));
  g_assert_nonnull (error);
  g_clear_object (&store);
  ward_test_db_remove (&dir, &path);
}

/* The rule alone: sustain, hysteresis, never escalates, may_flag off. */
static void
test_rule (void)
{
  WardFlagPolicy timing;
  WardModelFlagPolicy policy = { TRUE, 0.3, 0.1 };
  WardFlagTracker t = { 0 };

  ward_flag_policy_init (&timing);
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, 0.9, T0), ==, WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, 0.99, T0 + 3 * MINUTE), ==,
                   WARD_FLAG_ACTION_OPEN);
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, 0.99, T0 + 9 * MINUTE), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, 0.21, T0 + 30 * MINUTE), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (t.state, ==, WARD_FLAG_STATE_OPEN);
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, 0.19, T0 + 31 * MINUTE), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, 0.0, T0 + 41 * MINUTE), ==,
                   WARD_FLAG_ACTION_CLOSE);
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, NAN, T0 + 42 * MINUTE), ==,
                   WARD_FLAG_ACTION_NONE);
  policy.may_flag = FALSE;
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, 0.9, T0 + 50 * MINUTE), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (ward_model_flag_update (&t, &timing, &policy, 0.9, T0 + 60 * MINUTE), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpfloat_with_epsilon (ward_model_flag_close_below (&policy), 0.2, 1e-12);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn, data) \
  g_test_add ("/core/model-flag/" path, Fixture, data, fixture_set_up, fn, fixture_tear_down)

  g_test_add_func ("/core/model-flag/rule", test_rule);
  g_test_add_func ("/core/model-flag/card-hysteresis", test_card_hysteresis);
  g_test_add_func ("/core/model-flag/routing-by-score-kind", test_routing_by_score_kind);
  g_test_add_func ("/core/model-flag/migration-keeps-flags", test_migration_keeps_flags);
  ADD ("raise-after-sustain", test_raise_after_sustain, NULL);
  ADD ("close-on-fall", test_close_on_fall, NULL);
  ADD ("hysteresis", test_hysteresis, NULL);
  ADD ("never-in-shadow", test_never_in_shadow, GINT_TO_POINTER (TRUE));
  ADD ("never-when-policy-says-no", test_never_in_shadow, GINT_TO_POINTER (FALSE));
  ADD ("card-says-no", test_card_says_no, NULL);
  ADD ("news2-untouched", test_news2_untouched, NULL);
  ADD ("restart-continues", test_restart_continues, NULL);
  ADD ("policy-refused", test_policy_refused, NULL);
  ADD ("care-task-routed", test_care_task_routed, NULL);

  return g_test_run ();
}
