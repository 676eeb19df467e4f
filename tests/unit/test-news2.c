/* test-news2.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-news2"

#include "config.h"

#include "ward-news2.h"

#include <math.h>
#include <string.h>

/* Every expectation below is written from the NEWS2 table in
 * shared/reference/clinical/CLINICAL.md (sections 1 and 2), not from
 * ward-news2.c: this file is the independent check on the scorer.  Each
 * band edge is tested on both sides.
 */

typedef struct
{
  double value;
  int    points;
} Edge;

typedef void (*SetFunc) (WardNews2Input *input,
                         double          value);

static void
set_rr (WardNews2Input *input,
        double          value)
{
  input->has_rr = TRUE;
  input->rr = value;
}

static void
set_sbp (WardNews2Input *input,
         double          value)
{
  input->has_sbp = TRUE;
  input->sbp = value;
}

static void
set_hr (WardNews2Input *input,
        double          value)
{
  input->has_hr = TRUE;
  input->hr = value;
}

static void
set_temp (WardNews2Input *input,
          double          value)
{
  input->has_temp = TRUE;
  input->temp = value;
}

/* A complete set that scores 0 on every parameter. */
static void
init_normal (WardNews2Input *input)
{
  ward_news2_input_init (input);
  input->has_rr = TRUE;
  input->rr = 16;
  input->has_spo2 = TRUE;
  input->spo2 = 98;
  input->spo2_scale = 1;
  input->has_air_or_oxygen = TRUE;
  input->on_oxygen = FALSE;
  input->has_sbp = TRUE;
  input->sbp = 125;
  input->has_hr = TRUE;
  input->hr = 72;
  input->has_consciousness = TRUE;
  input->consciousness = WARD_ACVPU_ALERT;
  input->has_temp = TRUE;
  input->temp = 36.8;
}

/* Scores @value alone (every other parameter absent) and checks the
 * per-parameter points, the partial total and the completeness flag.
 */
static void
check_single (WardNews2Param  param,
              SetFunc         set,
              double          value,
              int             expected)
{
  WardNews2Input input;
  WardNews2Result result;

  ward_news2_input_init (&input);
  set (&input, value);
  ward_news2_score (&input, &result);

  if (result.points[param] != expected)
    g_test_fail_printf ("%s = %.2f: expected %d points, got %d",
                        ward_news2_param_to_string (param), value,
                        expected, result.points[param]);
  g_assert_cmpint (result.total, ==, result.points[param]);
  g_assert_false (result.complete);
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    if (i != param)
      g_assert_cmpint (result.points[i], ==, -1);
}

/* Also scores @value inside an otherwise normal complete set, so the
 * total must equal the parameter's points.
 */
static void
check_in_full_set (WardNews2Param  param,
                   SetFunc         set,
                   double          value,
                   int             expected)
{
  WardNews2Input input;
  WardNews2Result result;

  init_normal (&input);
  set (&input, value);
  ward_news2_score (&input, &result);

  if (result.points[param] != expected || result.total != expected)
    g_test_fail_printf ("%s = %.2f in a full set: expected %d, got points %d total %d",
                        ward_news2_param_to_string (param), value,
                        expected, result.points[param], result.total);
  g_assert_true (result.complete);
  g_assert_cmpint (result.red_score, ==, expected == 3);
}

static void
check_edges (WardNews2Param  param,
             SetFunc         set,
             int           (*score_func) (double),
             const Edge     *edges,
             gsize           n_edges)
{
  for (gsize i = 0; i < n_edges; i++)
    {
      int direct = score_func (edges[i].value);

      if (direct != edges[i].points)
        g_test_fail_printf ("score function for %s at %.2f: expected %d, got %d",
                            ward_news2_param_to_string (param), edges[i].value,
                            edges[i].points, direct);
      check_single (param, set, edges[i].value, edges[i].points);
      check_in_full_set (param, set, edges[i].value, edges[i].points);
    }
}

static void
test_rr_edges (void)
{
  static const Edge edges[] = {
    {  0, 3 }, {  8, 3 },
    {  9, 1 }, { 11, 1 },
    { 12, 0 }, { 20, 0 },
    { 21, 2 }, { 24, 2 },
    { 25, 3 }, { 60, 3 },
  };

  check_edges (WARD_NEWS2_RR, set_rr, ward_news2_score_rr, edges, G_N_ELEMENTS (edges));
}

static void
test_sbp_edges (void)
{
  static const Edge edges[] = {
    {  50, 3 }, {  90, 3 },
    {  91, 2 }, { 100, 2 },
    { 101, 1 }, { 110, 1 },
    { 111, 0 }, { 219, 0 },
    { 220, 3 }, { 280, 3 },
  };

  check_edges (WARD_NEWS2_SBP, set_sbp, ward_news2_score_sbp, edges, G_N_ELEMENTS (edges));
}

static void
test_hr_edges (void)
{
  static const Edge edges[] = {
    {  20, 3 }, {  40, 3 },
    {  41, 1 }, {  50, 1 },
    {  51, 0 }, {  90, 0 },
    {  91, 1 }, { 110, 1 },
    { 111, 2 }, { 130, 2 },
    { 131, 3 }, { 220, 3 },
  };

  check_edges (WARD_NEWS2_HR, set_hr, ward_news2_score_hr, edges, G_N_ELEMENTS (edges));
}

static void
test_temp_edges (void)
{
  static const Edge edges[] = {
    { 30.0, 3 }, { 35.0, 3 },
    { 35.1, 1 }, { 36.0, 1 },
    { 36.1, 0 }, { 38.0, 0 },
    { 38.1, 1 }, { 39.0, 1 },
    { 39.1, 2 }, { 42.0, 2 },
  };

  check_edges (WARD_NEWS2_TEMP, set_temp, ward_news2_score_temp, edges, G_N_ELEMENTS (edges));
}

/* CLINICAL.md: temperature is scored at one decimal; 37.95 must be
 * defined.  Half a tenth rounds up.
 */
static void
test_temp_rounding (void)
{
  static const Edge edges[] = {
    { 37.95, 0 },   /* 38.0 */
    { 38.04, 0 },   /* 38.0 */
    { 38.05, 1 },   /* 38.1 */
    { 35.04, 3 },   /* 35.0 */
    { 35.05, 1 },   /* 35.1 */
    { 36.04, 1 },   /* 36.0 */
    { 36.05, 0 },   /* 36.1 */
    { 39.04, 1 },   /* 39.0 */
    { 39.05, 2 },   /* 39.1 */
    { 38.949, 1 },  /* 38.9 */
  };

  check_edges (WARD_NEWS2_TEMP, set_temp, ward_news2_score_temp, edges, G_N_ELEMENTS (edges));

  g_assert_cmpfloat_with_epsilon (ward_news2_round_temp (37.95), 38.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (ward_news2_round_temp (38.05), 38.1, 1e-9);
  g_assert_cmpfloat_with_epsilon (ward_news2_round_temp (35.04), 35.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (ward_news2_round_temp (35.05), 35.1, 1e-9);
}

/* The chart has whole-number bands; a device decimal must not fall
 * between them.  Only values unambiguous under any nearest rounding.
 */
static void
test_whole_rounding (void)
{
  g_assert_cmpint (ward_news2_score_rr (20.4), ==, 0);
  g_assert_cmpint (ward_news2_score_rr (20.6), ==, 2);
  g_assert_cmpint (ward_news2_score_rr (8.4), ==, 3);
  g_assert_cmpint (ward_news2_score_rr (8.6), ==, 1);
  g_assert_cmpint (ward_news2_score_sbp (90.4), ==, 3);
  g_assert_cmpint (ward_news2_score_sbp (90.6), ==, 2);
  g_assert_cmpint (ward_news2_score_sbp (219.4), ==, 0);
  g_assert_cmpint (ward_news2_score_sbp (219.6), ==, 3);
  g_assert_cmpint (ward_news2_score_hr (90.4), ==, 0);
  g_assert_cmpint (ward_news2_score_hr (90.6), ==, 1);
  g_assert_cmpint (ward_news2_score_spo2 (95.4, 1, FALSE), ==, 1);
  g_assert_cmpint (ward_news2_score_spo2 (95.6, 1, FALSE), ==, 0);
}

/* SpO2 needs the scale and the air/oxygen entry as well. */
static void
check_spo2 (double   spo2,
            int      scale,
            gboolean on_oxygen,
            int      expected)
{
  WardNews2Input input;
  WardNews2Result result;
  int direct = ward_news2_score_spo2 (spo2, scale, on_oxygen);
  int expected_total = expected + (on_oxygen ? 2 : 0);

  if (direct != expected)
    g_test_fail_printf ("ward_news2_score_spo2 (%.0f, scale %d, %s): expected %d, got %d",
                        spo2, scale, on_oxygen ? "oxygen" : "air", expected, direct);

  /* SpO2 and air/oxygen only. */
  ward_news2_input_init (&input);
  input.has_spo2 = TRUE;
  input.spo2 = spo2;
  input.spo2_scale = scale;
  input.has_air_or_oxygen = TRUE;
  input.on_oxygen = on_oxygen;
  ward_news2_score (&input, &result);

  if (result.points[WARD_NEWS2_SPO2] != expected)
    g_test_fail_printf ("SpO2 %.0f scale %d on %s: expected %d points, got %d",
                        spo2, scale, on_oxygen ? "oxygen" : "air",
                        expected, result.points[WARD_NEWS2_SPO2]);
  g_assert_cmpint (result.points[WARD_NEWS2_AIR_OR_OXYGEN], ==, on_oxygen ? 2 : 0);
  g_assert_cmpint (result.total, ==, expected_total);
  g_assert_false (result.complete);

  /* Inside an otherwise normal complete set. */
  init_normal (&input);
  input.spo2 = spo2;
  input.spo2_scale = scale;
  input.on_oxygen = on_oxygen;
  ward_news2_score (&input, &result);

  g_assert_cmpint (result.points[WARD_NEWS2_SPO2], ==, expected);
  g_assert_cmpint (result.total, ==, expected_total);
  g_assert_true (result.complete);
}

static void
test_spo2_scale1_edges (void)
{
  static const Edge edges[] = {
    {  70, 3 }, {  91, 3 },
    {  92, 2 }, {  93, 2 },
    {  94, 1 }, {  95, 1 },
    {  96, 0 }, { 100, 0 },
  };

  /* Scale 1 does not depend on oxygen; oxygen only adds its own 2. */
  for (gsize i = 0; i < G_N_ELEMENTS (edges); i++)
    {
      check_spo2 (edges[i].value, 1, FALSE, edges[i].points);
      check_spo2 (edges[i].value, 1, TRUE, edges[i].points);
    }
}

static void
test_spo2_scale2_air_edges (void)
{
  static const Edge edges[] = {
    {  70, 3 }, {  83, 3 },
    {  84, 2 }, {  85, 2 },
    {  86, 1 }, {  87, 1 },
    {  88, 0 }, {  92, 0 },
    /* >= 93 on air scores 0, never 1/2/3. */
    {  93, 0 }, {  94, 0 }, {  95, 0 }, {  96, 0 }, {  97, 0 }, { 100, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (edges); i++)
    check_spo2 (edges[i].value, 2, FALSE, edges[i].points);
}

static void
test_spo2_scale2_oxygen_edges (void)
{
  static const Edge edges[] = {
    {  70, 3 }, {  83, 3 },
    {  84, 2 }, {  85, 2 },
    {  86, 1 }, {  87, 1 },
    {  88, 0 }, {  92, 0 },
    {  93, 1 }, {  94, 1 },
    {  95, 2 }, {  96, 2 },
    {  97, 3 }, { 100, 3 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (edges); i++)
    check_spo2 (edges[i].value, 2, TRUE, edges[i].points);
}

/* With Scale 2 but no air/oxygen entry the scorer counts SpO2 as on air,
 * the lower bound (ward-news2.c), and air/oxygen stays absent.
 */
static void
test_spo2_scale2_oxygen_unknown (void)
{
  WardNews2Input input;
  WardNews2Result result;

  ward_news2_input_init (&input);
  input.has_spo2 = TRUE;
  input.spo2 = 97;
  input.spo2_scale = 2;
  ward_news2_score (&input, &result);

  g_assert_cmpint (result.points[WARD_NEWS2_SPO2], ==, 0);
  g_assert_cmpint (result.points[WARD_NEWS2_AIR_OR_OXYGEN], ==, -1);
  g_assert_cmpint (result.total, ==, 0);
  g_assert_false (result.complete);
}

static void
test_oxygen (void)
{
  WardNews2Input input;
  WardNews2Result result;

  g_assert_cmpint (ward_news2_score_oxygen (FALSE), ==, 0);
  g_assert_cmpint (ward_news2_score_oxygen (TRUE), ==, 2);

  /* Oxygen adds 2 on its own, whatever the saturation. */
  init_normal (&input);
  input.on_oxygen = TRUE;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.points[WARD_NEWS2_AIR_OR_OXYGEN], ==, 2);
  g_assert_cmpint (result.points[WARD_NEWS2_SPO2], ==, 0);
  g_assert_cmpint (result.total, ==, 2);
  g_assert_false (result.red_score);
  g_assert_cmpint (result.band, ==, WARD_BAND_LOW);

  /* Air/oxygen alone. */
  ward_news2_input_init (&input);
  input.has_air_or_oxygen = TRUE;
  input.on_oxygen = TRUE;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.points[WARD_NEWS2_AIR_OR_OXYGEN], ==, 2);
  g_assert_cmpint (result.total, ==, 2);
}

static void
test_acvpu (void)
{
  static const struct {
    WardAcvpu acvpu;
    int       points;
  } cases[] = {
    { WARD_ACVPU_ALERT, 0 },
    { WARD_ACVPU_CONFUSION, 3 },
    { WARD_ACVPU_VOICE, 3 },
    { WARD_ACVPU_PAIN, 3 },
    { WARD_ACVPU_UNRESPONSIVE, 3 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      WardNews2Input input;
      WardNews2Result result;

      g_assert_cmpint (ward_news2_score_acvpu (cases[i].acvpu), ==, cases[i].points);

      init_normal (&input);
      input.consciousness = cases[i].acvpu;
      ward_news2_score (&input, &result);
      g_assert_cmpint (result.points[WARD_NEWS2_CONSCIOUSNESS], ==, cases[i].points);
      g_assert_cmpint (result.total, ==, cases[i].points);
      g_assert_cmpint (result.red_score, ==, cases[i].points == 3);
      /* A lone red score is low-medium, not low. */
      g_assert_cmpint (result.band, ==,
                       cases[i].points == 3 ? WARD_BAND_LOW_MEDIUM : WARD_BAND_LOW);
    }
}

static void
test_band_order (void)
{
  static const struct {
    int      total;
    gboolean red;
    WardBand band;
  } cases[] = {
    {  0, FALSE, WARD_BAND_LOW },
    {  1, FALSE, WARD_BAND_LOW },
    {  4, FALSE, WARD_BAND_LOW },
    {  3, TRUE,  WARD_BAND_LOW_MEDIUM },
    {  4, TRUE,  WARD_BAND_LOW_MEDIUM },
    {  5, FALSE, WARD_BAND_MEDIUM },
    {  5, TRUE,  WARD_BAND_MEDIUM },
    {  6, FALSE, WARD_BAND_MEDIUM },
    {  6, TRUE,  WARD_BAND_MEDIUM },
    {  7, FALSE, WARD_BAND_HIGH },
    {  7, TRUE,  WARD_BAND_HIGH },
    { 20, TRUE,  WARD_BAND_HIGH },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      WardBand band = ward_news2_band (cases[i].total, cases[i].red);

      if (band != cases[i].band)
        g_test_fail_printf ("total %d, red %d: expected %s, got %s",
                            cases[i].total, cases[i].red,
                            ward_band_to_string (cases[i].band),
                            ward_band_to_string (band));
    }

  g_assert_cmpstr (ward_band_to_string (WARD_BAND_LOW), ==, "low");
  g_assert_cmpstr (ward_band_to_string (WARD_BAND_LOW_MEDIUM), ==, "low-medium");
  g_assert_cmpstr (ward_band_to_string (WARD_BAND_MEDIUM), ==, "medium");
  g_assert_cmpstr (ward_band_to_string (WARD_BAND_HIGH), ==, "high");
}

static void
test_totals (void)
{
  WardNews2Input input;
  WardNews2Result result;

  /* Complete and normal: 0, low. */
  init_normal (&input);
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 0);
  g_assert_cmpint (result.band, ==, WARD_BAND_LOW);
  g_assert_true (result.complete);
  g_assert_false (result.red_score);
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    g_assert_cmpint (result.points[i], ==, 0);

  /* Total 3 from a single red score: low-medium. */
  init_normal (&input);
  input.consciousness = WARD_ACVPU_VOICE;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 3);
  g_assert_true (result.red_score);
  g_assert_cmpint (result.band, ==, WARD_BAND_LOW_MEDIUM);

  /* Total 4 without a red score: low. RR 22 (2) + HR 120 (2). */
  init_normal (&input);
  input.rr = 22;
  input.hr = 120;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 4);
  g_assert_false (result.red_score);
  g_assert_cmpint (result.band, ==, WARD_BAND_LOW);

  /* Total 5 with a red score: medium wins. SBP 88 (3) + oxygen (2). */
  init_normal (&input);
  input.sbp = 88;
  input.on_oxygen = TRUE;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 5);
  g_assert_true (result.red_score);
  g_assert_cmpint (result.band, ==, WARD_BAND_MEDIUM);

  /* Total 6 without a red score: medium. RR 22 (2), SpO2 93 (2), HR 115 (2). */
  init_normal (&input);
  input.rr = 22;
  input.spo2 = 93;
  input.hr = 115;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 6);
  g_assert_false (result.red_score);
  g_assert_cmpint (result.band, ==, WARD_BAND_MEDIUM);

  /* Total 7: high. RR 23 (2), SpO2 95 (1), oxygen (2), HR 105 (1), temp 38.5 (1). */
  init_normal (&input);
  input.rr = 23;
  input.spo2 = 95;
  input.on_oxygen = TRUE;
  input.hr = 105;
  input.temp = 38.5;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.points[WARD_NEWS2_RR], ==, 2);
  g_assert_cmpint (result.points[WARD_NEWS2_SPO2], ==, 1);
  g_assert_cmpint (result.points[WARD_NEWS2_AIR_OR_OXYGEN], ==, 2);
  g_assert_cmpint (result.points[WARD_NEWS2_SBP], ==, 0);
  g_assert_cmpint (result.points[WARD_NEWS2_HR], ==, 1);
  g_assert_cmpint (result.points[WARD_NEWS2_CONSCIOUSNESS], ==, 0);
  g_assert_cmpint (result.points[WARD_NEWS2_TEMP], ==, 1);
  g_assert_cmpint (result.total, ==, 7);
  g_assert_false (result.red_score);
  g_assert_cmpint (result.band, ==, WARD_BAND_HIGH);
  g_assert_true (result.complete);
}

static void
test_aggregate_range (void)
{
  WardNews2Input input;
  WardNews2Result result;

  /* Worst of every parameter: 3+3+2+3+3+3+3 = 20. */
  init_normal (&input);
  input.rr = 40;
  input.spo2 = 80;
  input.on_oxygen = TRUE;
  input.sbp = 70;
  input.hr = 150;
  input.consciousness = WARD_ACVPU_UNRESPONSIVE;
  input.temp = 34.0;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 20);
  g_assert_cmpint (result.band, ==, WARD_BAND_HIGH);
  g_assert_true (result.red_score);
  g_assert_true (result.complete);

  /* The same on Scale 2 with high saturation on oxygen. */
  input.spo2_scale = 2;
  input.spo2 = 99;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.points[WARD_NEWS2_SPO2], ==, 3);
  g_assert_cmpint (result.total, ==, 20);

  /* Best of every parameter: 0. */
  init_normal (&input);
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 0);
}

static void
test_partial_escalates (void)
{
  WardNews2Input input;
  WardNews2Result result;

  /* 9 points without SpO2: RR 26 (3), oxygen (2), SBP 90 (3), HR 95 (1). */
  init_normal (&input);
  input.has_spo2 = FALSE;
  input.rr = 26;
  input.on_oxygen = TRUE;
  input.sbp = 90;
  input.hr = 95;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.points[WARD_NEWS2_SPO2], ==, -1);
  g_assert_cmpint (result.total, ==, 9);
  g_assert_false (result.complete);
  g_assert_cmpint (result.band, ==, WARD_BAND_HIGH);

  /* Only consciousness known, and it is red: low-medium already. */
  ward_news2_input_init (&input);
  input.has_consciousness = TRUE;
  input.consciousness = WARD_ACVPU_CONFUSION;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 3);
  g_assert_false (result.complete);
  g_assert_true (result.red_score);
  g_assert_cmpint (result.band, ==, WARD_BAND_LOW_MEDIUM);

  /* Monitor data only (no consciousness, no air/oxygen): 5 is medium. */
  ward_news2_input_init (&input);
  input.has_rr = TRUE;
  input.rr = 22;
  input.has_spo2 = TRUE;
  input.spo2 = 94;
  input.has_hr = TRUE;
  input.hr = 112;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.total, ==, 5);
  g_assert_false (result.complete);
  g_assert_cmpint (result.band, ==, WARD_BAND_MEDIUM);
}

static void
test_absent_points (void)
{
  WardNews2Input input;
  WardNews2Result result;

  ward_news2_input_init (&input);
  g_assert_cmpint (input.spo2_scale, ==, 1);
  g_assert_false (input.has_rr || input.has_spo2 || input.has_air_or_oxygen ||
                  input.has_sbp || input.has_hr || input.has_consciousness ||
                  input.has_temp);

  /* Nothing known. */
  ward_news2_score (&input, &result);
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    g_assert_cmpint (result.points[i], ==, -1);
  g_assert_cmpint (result.total, ==, 0);
  g_assert_false (result.complete);
  g_assert_false (result.red_score);
  g_assert_cmpint (result.band, ==, WARD_BAND_LOW);

  /* Drop each parameter from a complete set in turn. */
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      init_normal (&input);
      switch ((WardNews2Param) p)
        {
        case WARD_NEWS2_RR: input.has_rr = FALSE; break;
        case WARD_NEWS2_SPO2: input.has_spo2 = FALSE; break;
        case WARD_NEWS2_AIR_OR_OXYGEN: input.has_air_or_oxygen = FALSE; break;
        case WARD_NEWS2_SBP: input.has_sbp = FALSE; break;
        case WARD_NEWS2_HR: input.has_hr = FALSE; break;
        case WARD_NEWS2_CONSCIOUSNESS: input.has_consciousness = FALSE; break;
        case WARD_NEWS2_TEMP: input.has_temp = FALSE; break;
        case WARD_NEWS2_N_PARAMS:
        default:
          g_assert_not_reached ();
        }
      ward_news2_score (&input, &result);
      for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
        g_assert_cmpint (result.points[i], ==, i == p ? -1 : 0);
      g_assert_false (result.complete);
    }

  /* An absent parameter contributes nothing, even with a wild value. */
  init_normal (&input);
  input.has_rr = FALSE;
  input.rr = 2;
  ward_news2_score (&input, &result);
  g_assert_cmpint (result.points[WARD_NEWS2_RR], ==, -1);
  g_assert_cmpint (result.total, ==, 0);
}

/* Validation rejects the value and names the field in the message. */
static void
check_invalid (const WardNews2Input *input,
               const char           *field)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ward_news2_validate (input, &error));
  g_assert_error (error, WARD_NEWS2_ERROR, WARD_NEWS2_ERROR_IMPOSSIBLE_VALUE);
  if (strstr (error->message, field) == NULL)
    g_test_fail_printf ("error \"%s\" does not name \"%s\"", error->message, field);
  /* "spo2" must not be satisfied by a message about "spo2_scale". */
  if (strcmp (field, "spo2") == 0)
    g_assert_null (strstr (error->message, "spo2_scale"));
}

static void
check_valid (const WardNews2Input *input)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_news2_validate (input, &error));
  g_assert_no_error (error);
}

static void
test_validate (void)
{
  WardNews2Input input;

  ward_news2_input_init (&input);
  check_valid (&input);
  init_normal (&input);
  check_valid (&input);

  /* Extreme but possible values are not rejected: a sick patient is not
   * an input error.
   */
  init_normal (&input);
  input.rr = 0;
  input.spo2 = 100;
  input.hr = 0;
  input.temp = 25.0;
  check_valid (&input);
  input.temp = 45.0;
  input.spo2 = 50;
  check_valid (&input);
  input.spo2_scale = 2;
  check_valid (&input);

  init_normal (&input);
  input.rr = -1;
  check_invalid (&input, "rr");

  init_normal (&input);
  input.hr = -1;
  check_invalid (&input, "hr");

  init_normal (&input);
  input.sbp = -5;
  check_invalid (&input, "sbp");

  init_normal (&input);
  input.spo2 = 101;
  check_invalid (&input, "spo2");

  init_normal (&input);
  input.spo2 = 100.5;
  check_invalid (&input, "spo2");

  init_normal (&input);
  input.spo2 = -1;
  check_invalid (&input, "spo2");

  init_normal (&input);
  input.temp = 46;
  check_invalid (&input, "temp");

  init_normal (&input);
  input.temp = 45.1;
  check_invalid (&input, "temp");

  init_normal (&input);
  input.temp = 24.9;
  check_invalid (&input, "temp");

  init_normal (&input);
  input.temp = NAN;
  check_invalid (&input, "temp");

  init_normal (&input);
  input.rr = INFINITY;
  check_invalid (&input, "rr");

  init_normal (&input);
  input.spo2_scale = 3;
  check_invalid (&input, "spo2_scale");

  init_normal (&input);
  input.spo2_scale = 0;
  check_invalid (&input, "spo2_scale");

  /* Absent parameters are not validated. */
  init_normal (&input);
  input.has_rr = FALSE;
  input.rr = -1;
  input.has_temp = FALSE;
  input.temp = 99;
  check_valid (&input);
}

/* UTC microseconds of a day at noon. */
static gint64
day_usec (int year,
          int month,
          int day)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, 12, 0, 0);

  return g_date_time_to_unix (dt) * WARD_USEC_PER_SEC;
}

static void
test_birth_date_valid (void)
{
  static const char * const valid[] = {
    "1970", "1970-06", "1970-06-15", "2000-02-29", "0001-01-01",
  };
  static const char * const invalid[] = {
    "", "70", "19700", "1970-6", "1970-06-1", "1970-13", "1970-00", "1970-06-31",
    "1900-02-29", "0000", "1970/06/15", "1970-06-15T00:00:00Z", "abcd", " 1970",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (ward_birth_date_is_valid (valid[i]));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    g_assert_false (ward_birth_date_is_valid (invalid[i]));
  g_assert_false (ward_birth_date_is_valid (NULL));
}

static void
test_age (void)
{
  /* Full years: one day before the birthday, on it. */
  g_assert_cmpint (ward_age_in_years ("1970-06-15", day_usec (2026, 6, 14)), ==, 55);
  g_assert_cmpint (ward_age_in_years ("1970-06-15", day_usec (2026, 6, 15)), ==, 56);
  g_assert_cmpint (ward_age_in_years ("2010-11-22", day_usec (2026, 11, 21)), ==, 15);
  g_assert_cmpint (ward_age_in_years ("2010-11-22", day_usec (2026, 11, 22)), ==, 16);
  /* Born on 29 February: older on 1 March of a common year. */
  g_assert_cmpint (ward_age_in_years ("2008-02-29", day_usec (2025, 2, 28)), ==, 16);
  g_assert_cmpint (ward_age_in_years ("2008-02-29", day_usec (2024, 2, 28)), ==, 15);
  g_assert_cmpint (ward_age_in_years ("2008-02-29", day_usec (2024, 2, 29)), ==, 16);
  g_assert_cmpint (ward_age_in_years ("2008-02-29", day_usec (2023, 3, 1)), ==, 15);
  /* Born today: 0.  Not yet born, or no date: unknown. */
  g_assert_cmpint (ward_age_in_years ("2026-11-22", day_usec (2026, 11, 22)), ==, 0);
  g_assert_cmpint (ward_age_in_years ("2026-11-23", day_usec (2026, 11, 22)), ==, -1);
  g_assert_cmpint (ward_age_in_years (NULL, day_usec (2026, 11, 22)), ==, -1);
  g_assert_cmpint (ward_age_in_years ("1970-02-30", day_usec (2026, 11, 22)), ==, -1);
  /* A partial date counts from its first day: never younger than that. */
  g_assert_cmpint (ward_age_in_years ("2010", day_usec (2026, 1, 1)), ==, 16);
  g_assert_cmpint (ward_age_in_years ("2010", day_usec (2025, 12, 31)), ==, 15);
  g_assert_cmpint (ward_age_in_years ("2010-07", day_usec (2026, 6, 30)), ==, 15);
  g_assert_cmpint (ward_age_in_years ("2010-07", day_usec (2026, 7, 1)), ==, 16);
  /* The UTC day: 23:59:59 UTC is still that day. */
  g_assert_cmpint (ward_age_in_years ("2010-11-22", day_usec (2026, 11, 21)
                                                    + 12 * WARD_USEC_PER_HOUR - 1), ==, 15);
}

static void
test_applies_to_age (void)
{
  g_assert_true (ward_news2_applies_to_age (-1));
  g_assert_true (ward_news2_applies_to_age (16));
  g_assert_true (ward_news2_applies_to_age (90));
  g_assert_false (ward_news2_applies_to_age (15));
  g_assert_false (ward_news2_applies_to_age (0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/news2/rr-edges", test_rr_edges);
  g_test_add_func ("/core/news2/spo2-scale1-edges", test_spo2_scale1_edges);
  g_test_add_func ("/core/news2/spo2-scale2-air-edges", test_spo2_scale2_air_edges);
  g_test_add_func ("/core/news2/spo2-scale2-oxygen-edges", test_spo2_scale2_oxygen_edges);
  g_test_add_func ("/core/news2/spo2-scale2-oxygen-unknown", test_spo2_scale2_oxygen_unknown);
  g_test_add_func ("/core/news2/oxygen", test_oxygen);
  g_test_add_func ("/core/news2/sbp-edges", test_sbp_edges);
  g_test_add_func ("/core/news2/hr-edges", test_hr_edges);
  g_test_add_func ("/core/news2/acvpu", test_acvpu);
  g_test_add_func ("/core/news2/temp-edges", test_temp_edges);
  g_test_add_func ("/core/news2/temp-rounding", test_temp_rounding);
  g_test_add_func ("/core/news2/whole-rounding", test_whole_rounding);
  g_test_add_func ("/core/news2/band-order", test_band_order);
  g_test_add_func ("/core/news2/totals", test_totals);
  g_test_add_func ("/core/news2/aggregate-range", test_aggregate_range);
  g_test_add_func ("/core/news2/partial-escalates", test_partial_escalates);
  g_test_add_func ("/core/news2/absent-points", test_absent_points);
  g_test_add_func ("/core/news2/validate", test_validate);
  g_test_add_func ("/core/news2/birth-date-valid", test_birth_date_valid);
  g_test_add_func ("/core/news2/age", test_age);
  g_test_add_func ("/core/news2/applies-to-age", test_applies_to_age);

  return g_test_run ();
}
