/* test-store-scores.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ward-store-scores.h"
#include "ward-test-store.h"
#include "ward-store-private.h"

/* Scores by kind (schema version 8): the migration keeps the NEWS2
 * scores and what references them; scores of other kinds sit beside.
 */

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->path = ward_test_db_new ("ward-store-scores", &f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ward_test_db_remove (&f->dir, &f->path);
}

static gint64
query (WardStore  *store,
       const char *sql)
{
  return ward_test_query_int (store, sql);
}

static void
test_migrate_7_to_latest (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(WardStore) old = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GArray) scores = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *inputs = NULL;
  WardScoreRecord record = { 0 };
  const WardStoredScore *s;
  gint64 score_id;
  gint64 flag_id;

  /* A version 7 database with two NEWS2 scores, a flag naming one. */
  old = _ward_store_open_at_version (f->path, 7, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (old, "p1", "Ada Obi", 1, &error));
  /* As Wardwatch before version 10 wrote them. */
  g_assert_true (_ward_store_exec (old, "INSERT INTO scores (patient_id, window_start, window_end, "
                                        "computed_at, total, band, complete, status, confirmed_by, "
                                        "confirmed_at, inputs, age, news2_applicable) VALUES "
                                        "('p1', 0, 300, 200, 6, 'medium', 1, 'final', 'Nurse Kim', 250, "
                                        "'{\"respiratory_rate\":{\"value\":24}}', 71, 1), "
                                        "('p1', 300, 600, 500, 2, 'low', 1, 'preliminary', NULL, NULL, "
                                        "'{}', 12, 0)", &error));
  g_assert_no_error (error);
  score_id = query (old, "SELECT id FROM scores WHERE window_end = 300");
  flag_id = ward_store_open_flag (old, "p1", "clinical", NULL, WARD_BAND_MEDIUM, 260, score_id,
                                  "NEWS2 6 (medium)", &error);
  g_assert_no_error (error);
  g_assert_cmpint (query (old, "SELECT count(*) FROM pragma_table_info('scores') WHERE name = 'kind'"),
                   ==, 0);
  g_clear_object (&old);

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (store), ==, WARD_STORE_SCHEMA_VERSION);
  g_assert_cmpint (WARD_STORE_SCHEMA_VERSION, >=, 10);

  /* Both kept, as NEWS2, with their ids: the flag still names its score. */
  g_assert_cmpint (query (store, "SELECT count(*) FROM scores WHERE kind = 'news2'"), ==, 2);
  g_assert_cmpint (query (store, "SELECT count(*) FROM flags f JOIN scores s ON s.id = f.score_id "
                                 "WHERE s.total = 6"), ==, 1);
  g_assert_cmpint (flag_id, >, 0);
  scores = ward_store_get_kind_scores (store, "p1", "news2", 0, 600, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scores->len, ==, 2);
  s = &g_array_index (scores, WardStoredScore, 0);
  g_assert_cmpint (s->id, ==, score_id);
  g_assert_cmpstr (s->kind, ==, "news2");
  g_assert_null (s->scorer_version);
  g_assert_true (s->has_total);
  g_assert_cmpint (s->total, ==, 6);
  g_assert_cmpfloat (s->value, ==, 6);
  g_assert_cmpint (s->band, ==, WARD_BAND_MEDIUM);
  g_assert_false (s->has_probability);
  g_assert_true (s->complete);
  g_assert_true (s->final);
  g_assert_true (s->applicable);
  g_assert_cmpstr (s->inputs_json, ==, "{\"respiratory_rate\":{\"value\":24}}");
  g_assert_null (s->contributions_json);
  g_assert_false (g_array_index (scores, WardStoredScore, 1).applicable);
  g_assert_cmpint (query (store, "SELECT count(*) FROM scores WHERE confirmed_by = 'Nurse Kim' "
                                 "AND age = 71"), ==, 1);

  /* The NEWS2 readers still find them. */
  g_assert_true (ward_store_get_score_inputs (store, "p1", 300, &inputs, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (inputs, ==, "{\"respiratory_rate\":{\"value\":24}}");
  g_clear_pointer (&inputs, g_free);
  /* And a new NEWS2 score of a later window joins them. */
  record.patient_id = "p1";
  record.window_start = 600;
  record.window_end = 900;
  record.total = 1;
  record.band = WARD_BAND_LOW;
  record.inputs_json = "{}";
  g_assert_cmpint (ward_store_upsert_score (store, &record, NULL, &error), >, score_id);
  g_assert_true (ward_store_get_score_inputs (store, "p1", 300, &inputs, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (inputs, ==, "{\"respiratory_rate\":{\"value\":24}}");
}

static void
fill_probability (WardScore *score,
                  gint64     window_end,
                  double     probability)
{
  ward_score_init (score);
  score->kind = g_strdup ("model:demo");
  score->version = g_strdup ("2.0");
  score->window_start = window_end - 300;
  score->window_end = window_end;
  score->has_probability = TRUE;
  score->probability = probability;
  score->value = probability;
  score->complete = TRUE;
  ward_score_add_contribution (score, "pulse_mean_4h", TRUE, 104.5, 0.08);
  ward_score_add_contribution (score, "temp_max_24h", FALSE, 0, 0);
}

static void
test_kinds_side_by_side (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GArray) scores = NULL;
  g_autoptr(GError) error = NULL;
  WardScoreRecord record = { 0 };
  WardScore score;
  WardStoreScoreRow row = { 0 };
  gboolean inserted = FALSE;
  gint64 id;
  const WardStoredScore *s;

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (store, "p1", "Ada Obi", 1, &error));
  record.patient_id = "p1";
  record.window_start = 0;
  record.window_end = 300;
  record.total = 3;
  record.band = WARD_BAND_LOW_MEDIUM;
  record.inputs_json = "{}";
  g_assert_cmpint (ward_store_upsert_score (store, &record, NULL, &error), >, 0);

  /* A model's score of the same window is a row of its own... */
  fill_probability (&score, 300, 0.25);
  row.patient_id = "p1";
  row.score = &score;
  row.computed_at = 290;
  row.age = -1;
  id = ward_store_upsert_kind_score (store, &row, &inserted, &error);
  g_assert_no_error (error);
  g_assert_true (inserted);
  /* ...updated when re-scored. */
  score.probability = 0.5;
  g_assert_cmpint (ward_store_upsert_kind_score (store, &row, &inserted, &error), ==, id);
  g_assert_false (inserted);
  g_assert_cmpint (query (store, "SELECT count(*) FROM scores"), ==, 2);

  scores = ward_store_get_kind_scores (store, "p1", "model:demo", 0, 300, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scores->len, ==, 1);
  s = &g_array_index (scores, WardStoredScore, 0);
  g_assert_cmpstr (s->scorer_version, ==, "2.0");
  g_assert_true (s->has_probability);
  g_assert_cmpfloat (s->probability, ==, 0.5);
  g_assert_false (s->has_total);
  g_assert_false (s->final);
  g_assert_cmpstr (s->contributions_json, ==,
                   "[{\"name\":\"pulse_mean_4h\",\"value\":104.5,\"contribution\":0.080000000000000002},"
                   "{\"name\":\"temp_max_24h\",\"value\":null,\"contribution\":0.0}]");
  g_clear_pointer (&scores, g_array_unref);
  /* The span is (from, to]. */
  scores = ward_store_get_kind_scores (store, "p1", "model:demo", 300, 600, &error);
  g_assert_cmpuint (scores->len, ==, 0);
  g_clear_pointer (&scores, g_array_unref);

  /* A probability out of range, and a NEWS2 total out of range, are
   * refused and change nothing.
   */
  score.probability = 1.5;
  g_assert_cmpint (ward_store_upsert_kind_score (store, &row, NULL, &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  ward_score_clear (&score);
  ward_score_init (&score);
  score.kind = g_strdup ("news2");
  score.window_end = 600;
  score.has_total = TRUE;
  score.total = 25;
  g_assert_cmpint (ward_store_upsert_kind_score (store, &row, NULL, &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  ward_score_clear (&score);
  scores = ward_store_get_kind_scores (store, "p1", "model:demo", 0, 600, &error);
  g_assert_cmpfloat (g_array_index (scores, WardStoredScore, 0).probability, ==, 0.5);
  g_assert_cmpint (query (store, "SELECT count(*) FROM scores"), ==, 2);
}

static void
test_measurement_history (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GArray) points = ward_scorer_points_new ();
  g_autoptr(GError) error = NULL;
  const double values[] = { 88, 92, 97, 101 };

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (store, "p1", "Ada Obi", 1, &error));
  /* Stored out of order; read back oldest first. */
  for (int i = G_N_ELEMENTS (values) - 1; i >= 0; i--)
    {
      WardMeasurement m = { 0 };

      m.patient_id = (char *) "p1";
      m.kind = WARD_MEAS_HR;
      m.value = values[i];
      m.observed_at = (i + 1) * WARD_USEC_PER_HOUR;
      m.source = i == 0 ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE;
      m.entered_by = i == 0 ? (char *) "Nurse Kim" : NULL;
      g_assert_cmpint (ward_store_add_measurement (store, &m, m.observed_at, &error), >, 0);
    }

  g_assert_true (ward_store_get_measurement_points (store, "p1", WARD_MEAS_HR, WARD_USEC_PER_HOUR,
                                                    3 * WARD_USEC_PER_HOUR, points, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, 3);
  g_assert_cmpfloat (g_array_index (points, WardScorerPoint, 0).value, ==, 88);
  g_assert_cmpint (g_array_index (points, WardScorerPoint, 0).source, ==, WARD_SOURCE_NURSE);
  g_assert_cmpfloat (g_array_index (points, WardScorerPoint, 2).value, ==, 97);
  g_assert_cmpint (g_array_index (points, WardScorerPoint, 2).observed_at, ==, 3 * WARD_USEC_PER_HOUR);

  g_array_set_size (points, 0);
  g_assert_true (ward_store_get_measurement_points (store, "p1", WARD_MEAS_RR, 0, G_MAXINT64, points,
                                                    &error));
  g_assert_cmpuint (points->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/scores/migrate-7-to-latest", test_migrate_7_to_latest);
  ADD ("/store/scores/kinds-side-by-side", test_kinds_side_by_side);
  ADD ("/store/scores/measurement-history", test_measurement_history);
#undef ADD

  return g_test_run ();
}
