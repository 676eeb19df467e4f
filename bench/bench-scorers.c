/* bench-scorers.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ward-bench.h"
#include "ward-model-scorer.h"
#include "ward-news2-scorer.h"
#include "ward-score-window.h"
#include "ward-store.h"
#include "ward-store-scores.h"

/* What the demo model costs a 64-bed ward, against NEWS2 alone in the
 * same run.
 *
 * The store holds 25 h of 5-second HR, RR and SpO2 per bed (systolic
 * every 15 min, temperature hourly), as the simulator's monitors send.
 * The model scorer runs as the engine runs it, through WardScorerInput
 * with the store as history: a first window per bed (registration: a
 * day read from the store), then steady 5-minute steps (only the rows
 * since the last step are read, features computed, one prediction),
 * and the re-scores in between (the same window: the prediction is
 * reused).  NEWS2 alone is the window score and the NEWS2 scorer.
 *
 * The budget: the engine re-scores a bed on every batch that carries its
 * values (every 5 s for a monitor), so in each 5-minute step a bed costs
 * 60 NEWS2 scores and, at worst (NEWS2's points changing every minute),
 * 5 predictions and 55 reuses.  The whole tick at
 * 64 beds must stay under 5 % of one core at real time.
 */

#define N_BEDS        64
#define INTERVAL_SEC  5
#define STEP          (5 * WARD_USEC_PER_MINUTE)
#define N_STEPS       12
#define PREDICTIONS   5
#define RESCORES      55
#define LIMIT_SHARE   0.05

/* Fewer beds and steps under WARD_BENCH_QUICK; the tick figures are
 * still for N_BEDS, from the cost per bed.
 */
static guint n_beds = N_BEDS;
static guint n_steps = N_STEPS;

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
fill_store (WardStore *store,
            gint64     start,
            gint64     end)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint b = 0; b < n_beds; b++)
    {
      g_autofree char *patient = g_strdup_printf ("bench-patient-%02u", b);
      g_autofree char *device = g_strdup_printf ("bench-monitor-%02u", b);

      g_assert_true (ward_store_begin (store, &error));
      g_assert_true (ward_store_upsert_patient (store, patient, NULL, 1, &error));
      for (gint64 t = start; t <= end; t += INTERVAL_SEC * WARD_USEC_PER_SEC)
        {
          WardMeasurement m = { .source = WARD_SOURCE_DEVICE, .device_id = device,
                                .patient_id = patient, .observed_at = t };
          gint64 s = t / WARD_USEC_PER_SEC;

          m.kind = WARD_MEAS_HR;
          m.value = 85 + g_rand_int_range (rand, -6, 7);
          ward_store_add_measurement (store, &m, t, &error);
          m.kind = WARD_MEAS_RR;
          m.value = 18 + g_rand_int_range (rand, -2, 3);
          ward_store_add_measurement (store, &m, t, &error);
          m.kind = WARD_MEAS_SPO2;
          m.value = 95 + g_rand_int_range (rand, -2, 3);
          ward_store_add_measurement (store, &m, t, &error);
          if (s % 900 == 0)
            {
              m.kind = WARD_MEAS_SBP;
              m.value = 118 + g_rand_int_range (rand, -10, 11);
              ward_store_add_measurement (store, &m, t, &error);
            }
          if (s % 3600 == 0)
            {
              m.kind = WARD_MEAS_TEMP;
              m.value = 37 + g_rand_int_range (rand, -5, 6) / 10.0;
              ward_store_add_measurement (store, &m, t, &error);
            }
          g_assert_no_error (error);
        }
      g_assert_true (ward_store_commit (store, &error));
    }
}

static gboolean
history_cb (gpointer      user_data,
            const char   *patient_id,
            WardMeasKind  kind,
            gint64        from,
            gint64        to,
            GArray       *points,
            GError      **error)
{
  return ward_store_get_measurement_points (user_data, patient_id, kind, from, to, points, error);
}

/* The window a monitor's values make at window_end. */
static void
window_at (gint64           window_end,
           WardWindowScore *score)
{
  WardLatestValue latest[WARD_MEAS_N_KINDS] = { { 0 } };
  WardLatestValue nurse[WARD_MEAS_N_KINDS] = { { 0 } };
  static const struct { WardMeasKind kind; double value; gint64 age; } values[] = {
    { WARD_MEAS_HR, 88, 5 }, { WARD_MEAS_RR, 19, 5 }, { WARD_MEAS_SPO2, 95, 5 },
    { WARD_MEAS_SBP, 118, 300 }, { WARD_MEAS_TEMP, 37.1, 1800 },
  };
  WardWindowPolicy policy;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      latest[values[i].kind].valid = TRUE;
      latest[values[i].kind].value = values[i].value;
      latest[values[i].kind].observed_at = window_end - values[i].age * WARD_USEC_PER_SEC;
      latest[values[i].kind].source = WARD_SOURCE_DEVICE;
    }
  ward_window_policy_init (&policy);
  ward_window_score_full (&policy, latest, nurse, 1, window_end, score);
}

typedef struct
{
  double news2;       /* seconds, all beds */
  double model;
} Times;

/* Scores every bed once at window_end; with_model FALSE: NEWS2 alone. */
static void
score_ward (WardStore   *store,
            WardScorer  *news2,
            WardScorer  *model,
            gint64       window_end,
            Times       *times)
{
  g_autoptr(GError) error = NULL;

  for (guint b = 0; b < n_beds; b++)
    {
      g_autofree char *patient = g_strdup_printf ("bench-patient-%02u", b);
      WardScorerInput input = { 0 };
      WardWindowScore window;
      WardScore news2_score = { 0 };
      WardScore model_score = { 0 };
      double t0, t1, t2;

      t0 = now_seconds ();
      window_at (window_end, &window);
      input.patient_id = patient;
      input.window_start = window.window_start;
      input.window_end = window.window_end;
      input.now = window_end;
      input.window = &window;
      input.age = -1;
      input.spo2_scale = 1;
      input.history = history_cb;
      input.history_data = store;
      g_assert_true (ward_scorer_score (news2, &input, &news2_score, &error));
      input.news2 = &news2_score;
      t1 = now_seconds ();
      if (model != NULL)
        {
          g_assert_true (ward_scorer_score (model, &input, &model_score, &error));
          g_assert_no_error (error);
          g_assert_true (model_score.has_probability);
        }
      t2 = now_seconds ();
      times->news2 += t1 - t0;
      times->model += t2 - t1;
      ward_score_clear (&news2_score);
      ward_score_clear (&model_score);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-scorers-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *card = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardModel) model = NULL;
  g_autoptr(WardScorer) news2 = ward_news2_scorer_new ();
  g_autoptr(WardScorer) scorer = NULL;
  /* A window end on a step: 25 h of data end an hour after it. */
  gint64 first = (g_get_real_time () / STEP) * STEP - 2 * WARD_USEC_PER_HOUR;
  Times cold = { 0 }, steady = { 0 }, rescore = { 0 }, news2_only = { 0 };
  double step_us, rescore_us, news2_us, cold_us, tick_seconds, share, ratio;
  guint64 predictions;
  gboolean pass;

  card = g_build_filename (g_getenv ("WARD_SOURCE_DIR") ? g_getenv ("WARD_SOURCE_DIR") : ".",
                           "data", "models", "demo-deterioration.card.json", NULL);
  model = ward_model_load (card, &error);
  g_assert_no_error (error);
  scorer = ward_model_scorer_new (model);
  /* Every bed's first window at the one registration time: the cost of
   * one is measured here, so the per-batch cap is lifted.
   */
  ward_model_scorer_set_first_windows_per_batch (WARD_MODEL_SCORER (scorer), 0);

  g_assert_no_error (error);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  n_beds = ward_bench_scale (N_BEDS, 4);
  n_steps = ward_bench_scale (N_STEPS, 2);
  printf ("Filling %u beds with 25 h of %d-second vitals...\n", n_beds, INTERVAL_SEC);
  fflush (stdout);
  fill_store (store, first - 24 * WARD_USEC_PER_HOUR, first + WARD_USEC_PER_HOUR);

  /* Registration: each bed's first window reads a day. */
  g_assert_true (ward_store_begin (store, &error));
  score_ward (store, news2, scorer, first, &cold);
  for (guint s = 1; s <= n_steps; s++)
    {
      gint64 end = first + s * STEP;

      score_ward (store, news2, scorer, end, &steady);
      /* The same window again: what most batches cost. */
      for (guint r = 0; r < 3; r++)
        score_ward (store, news2, scorer, end, &rescore);
      score_ward (store, news2, NULL, end, &news2_only);
    }
  g_assert_true (ward_store_commit (store, &error));
  predictions = ward_model_scorer_get_n_predictions (WARD_MODEL_SCORER (scorer));
  g_assert_cmpuint (predictions, ==, (guint64) n_beds * (n_steps + 1));

  cold_us = cold.model * 1e6 / n_beds;
  step_us = steady.model * 1e6 / (n_beds * n_steps);
  rescore_us = rescore.model * 1e6 / (n_beds * n_steps * 3);
  news2_us = news2_only.news2 * 1e6 / (n_beds * n_steps);
  ratio = step_us / MAX (news2_us, 0.001);
  /* A 5-minute step of the whole ward, model and NEWS2, as the engine
   * runs them at worst (60 batches a bed, five of which predict).
   */
  tick_seconds = N_BEDS * (PREDICTIONS * step_us + RESCORES * rescore_us +
                           (PREDICTIONS + RESCORES) * news2_us) / 1e6;
  share = tick_seconds / (STEP / (double) G_USEC_PER_SEC);
  pass = ward_bench_passes (WARD_BENCH_AT_MOST, share, LIMIT_SHARE);

  printf ("first window per bed (a day read):  %10.1f us\n", cold_us);
  /* What a start holds the pipeline for, per batch, with the cap. */
  printf ("first windows' hold per batch (%d):  %10.1f ms\n",
          WARD_MODEL_SCORER_FIRST_WINDOWS_PER_BATCH,
          WARD_MODEL_SCORER_FIRST_WINDOWS_PER_BATCH * cold_us / 1000);
  printf ("features + model per patient window: %9.1f us\n", step_us);
  printf ("re-score of the same window:         %9.1f us\n", rescore_us);
  printf ("NEWS2 alone per patient window:      %9.1f us\n", news2_us);
  printf ("per 64-bed tick: model %.1f ms, NEWS2 %.3f ms, ratio %.0f\n",
          N_BEDS * step_us / 1000, N_BEDS * news2_us / 1000, ratio);
  printf ("whole ward per 5-min step, at worst: %.3f s = %.3f %% of one core (limit %.0f %%): %s\n",
          tick_seconds, share * 100, LIMIT_SHARE * 100, pass ? "PASS" : "FAIL");

  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }

  /* The whole ward's share of one core at real time passes below the
   * limit.
   */
  pass = ward_bench_report ("scorers", WARD_BENCH_AT_MOST, LIMIT_SHARE, share,
                            "beds", (double) N_BEDS,
                            "model_window_us", step_us,
                            "model_first_window_us", cold_us,
                            "model_rescore_us", rescore_us,
                            "news2_window_us", news2_us,
                            "tick_model_ms", N_BEDS * step_us / 1000,
                            "tick_news2_ms", N_BEDS * news2_us / 1000,
                            "ratio_to_news2", ratio,
                            NULL);
  return ward_bench_exit_status (pass);
}
