/* ward-news2.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-news2"

#include "config.h"

#include "ward-news2.h"
#include "ward-clinical.h"

#include <math.h>

/* NEWS2 as the Royal College of Physicians defines it (2017, Chart 1),
 * following the table in shared/reference/clinical/CLINICAL.md exactly.
 *
 * Rounding: devices report rates, pressures and saturations with
 * decimals now and then.  The chart has whole-number bands, so those are
 * rounded to the nearest whole number, halves up (20.5 scores as 21).
 * Temperature is scored at one decimal, halves up (37.95 scores as 38.0,
 * 38.05 as 38.1).  A tiny epsilon makes the decimal text win over its
 * binary approximation: 38.05 is stored as 38.04999..., yet a nurse who
 * typed 38.05 means the half.
 */

#define ROUND_EPSILON 1e-7

G_DEFINE_QUARK (ward-news2-error-quark, ward_news2_error)

double
ward_news2_round_whole (double value)
{
  return floor (value + 0.5 + ROUND_EPSILON);
}

double
ward_news2_round_temp (double temp)
{
  return floor (temp * 10.0 + 0.5 + ROUND_EPSILON) / 10.0;
}

int
ward_news2_score_rr (double rr)
{
  double v = ward_news2_round_whole (rr);

  if (v <= 8)
    return 3;
  if (v <= 11)
    return 1;
  if (v <= 20)
    return 0;
  if (v <= 24)
    return 2;
  return 3;
}

int
ward_news2_score_spo2 (double   spo2,
                       int      scale,
                       gboolean on_oxygen)
{
  double v = ward_news2_round_whole (spo2);

  if (scale != 2)
    {
      if (v <= 91)
        return 3;
      if (v <= 93)
        return 2;
      if (v <= 95)
        return 1;
      return 0;
    }

  /* Scale 2: for patients with a documented target of 88-92 %. */
  if (v <= 83)
    return 3;
  if (v <= 85)
    return 2;
  if (v <= 87)
    return 1;
  if (v <= 92 || !on_oxygen)
    return 0;
  if (v <= 94)
    return 1;
  if (v <= 96)
    return 2;
  return 3;
}

int
ward_news2_score_oxygen (gboolean on_oxygen)
{
  return on_oxygen ? 2 : 0;
}

int
ward_news2_score_sbp (double sbp)
{
  double v = ward_news2_round_whole (sbp);

  if (v <= 90)
    return 3;
  if (v <= 100)
    return 2;
  if (v <= 110)
    return 1;
  if (v <= 219)
    return 0;
  return 3;
}

int
ward_news2_score_hr (double hr)
{
  double v = ward_news2_round_whole (hr);

  if (v <= 40)
    return 3;
  if (v <= 50)
    return 1;
  if (v <= 90)
    return 0;
  if (v <= 110)
    return 1;
  if (v <= 130)
    return 2;
  return 3;
}

int
ward_news2_score_acvpu (WardAcvpu acvpu)
{
  return acvpu == WARD_ACVPU_ALERT ? 0 : 3;
}

int
ward_news2_score_temp (double temp)
{
  double v = ward_news2_round_temp (temp);

  /* Compare in tenths, as integers, so band edges are exact. */
  long tenths = lround (v * 10.0);

  if (tenths <= 350)
    return 3;
  if (tenths <= 360)
    return 1;
  if (tenths <= 380)
    return 0;
  if (tenths <= 390)
    return 1;
  return 2;
}

WardBand
ward_news2_band (int      total,
                 gboolean red_score)
{
  /* The order matters: CLINICAL.md section 2. */
  if (total >= 7)
    return WARD_BAND_HIGH;
  if (total >= 5)
    return WARD_BAND_MEDIUM;
  if (red_score)
    return WARD_BAND_LOW_MEDIUM;
  return WARD_BAND_LOW;
}

void
ward_news2_input_init (WardNews2Input *input)
{
  g_return_if_fail (input != NULL);

  *input = (WardNews2Input) { .spo2_scale = 1 };
}

/* The plausible ranges are those of ward-clinical.h, shared with the
 * device mapping and the patient view.
 */
static gboolean
check_range (const char    *field,
             WardMeasKind   kind,
             double         value,
             GError       **error)
{
  const WardPlausibleRange *range = ward_clinical_get_range (kind);

  if (!ward_clinical_is_plausible (kind, value))
    {
      g_set_error (error, WARD_NEWS2_ERROR, WARD_NEWS2_ERROR_IMPOSSIBLE_VALUE,
                   "%s: impossible value %g (expected %g to %g %s)",
                   field, value, range->min, range->max, range->unit);
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_news2_validate (const WardNews2Input  *input,
                     GError               **error)
{
  g_return_val_if_fail (input != NULL, FALSE);

  /* Physiologically impossible values, not merely alarming ones: these
   * limits reject sensor garbage and typing errors, never a sick patient.
   */
  if (input->has_rr && !check_range ("rr", WARD_MEAS_RR, input->rr, error))
    return FALSE;
  if (input->has_spo2 && !check_range ("spo2", WARD_MEAS_SPO2, input->spo2, error))
    return FALSE;
  if (input->has_sbp && !check_range ("sbp", WARD_MEAS_SBP, input->sbp, error))
    return FALSE;
  if (input->has_hr && !check_range ("hr", WARD_MEAS_HR, input->hr, error))
    return FALSE;
  if (input->has_temp && !check_range ("temp", WARD_MEAS_TEMP, input->temp, error))
    return FALSE;
  if (input->has_consciousness && input->consciousness > WARD_ACVPU_UNRESPONSIVE)
    {
      g_set_error (error, WARD_NEWS2_ERROR, WARD_NEWS2_ERROR_IMPOSSIBLE_VALUE,
                   "consciousness: not one of A, C, V, P, U");
      return FALSE;
    }
  if (input->spo2_scale != 1 && input->spo2_scale != 2)
    {
      g_set_error (error, WARD_NEWS2_ERROR, WARD_NEWS2_ERROR_IMPOSSIBLE_VALUE,
                   "spo2_scale: %d is not 1 or 2", input->spo2_scale);
      return FALSE;
    }

  return TRUE;
}

void
ward_news2_score (const WardNews2Input *input,
                  WardNews2Result      *result)
{
  int n_present = 0;

  g_return_if_fail (input != NULL);
  g_return_if_fail (result != NULL);

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    result->points[i] = -1;

  if (input->has_rr)
    result->points[WARD_NEWS2_RR] = ward_news2_score_rr (input->rr);

  /* With Scale 2 and no air/oxygen entry, SpO2 is scored as on air: the
   * lower bound of what the patient scores, so a partial total never
   * claims more than is known.
   */
  if (input->has_spo2)
    result->points[WARD_NEWS2_SPO2] =
      ward_news2_score_spo2 (input->spo2, input->spo2_scale,
                             input->has_air_or_oxygen && input->on_oxygen);

  if (input->has_air_or_oxygen)
    result->points[WARD_NEWS2_AIR_OR_OXYGEN] = ward_news2_score_oxygen (input->on_oxygen);
  if (input->has_sbp)
    result->points[WARD_NEWS2_SBP] = ward_news2_score_sbp (input->sbp);
  if (input->has_hr)
    result->points[WARD_NEWS2_HR] = ward_news2_score_hr (input->hr);
  if (input->has_consciousness)
    result->points[WARD_NEWS2_CONSCIOUSNESS] = ward_news2_score_acvpu (input->consciousness);
  if (input->has_temp)
    result->points[WARD_NEWS2_TEMP] = ward_news2_score_temp (input->temp);

  result->total = 0;
  result->red_score = FALSE;
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    {
      if (result->points[i] < 0)
        continue;

      n_present++;
      result->total += result->points[i];
      if (result->points[i] == 3)
        result->red_score = TRUE;
    }

  result->complete = (n_present == WARD_NEWS2_N_PARAMS);
  result->band = ward_news2_band (result->total, result->red_score);
}

gboolean
ward_news2_applies_to_age (int age)
{
  return age < 0 || age >= WARD_NEWS2_MIN_AGE;
}
