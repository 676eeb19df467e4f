/* ward-score-window.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-score-window"

#include "config.h"

#include "ward-score-window.h"

#include <string.h>

/* Which measurement kind feeds each NEWS2 parameter. */
static const WardMeasKind param_kinds[WARD_NEWS2_N_PARAMS] = {
  [WARD_NEWS2_RR] = WARD_MEAS_RR,
  [WARD_NEWS2_SPO2] = WARD_MEAS_SPO2,
  [WARD_NEWS2_AIR_OR_OXYGEN] = WARD_MEAS_ON_OXYGEN,
  [WARD_NEWS2_SBP] = WARD_MEAS_SBP,
  [WARD_NEWS2_HR] = WARD_MEAS_HR,
  [WARD_NEWS2_CONSCIOUSNESS] = WARD_MEAS_CONSCIOUSNESS,
  [WARD_NEWS2_TEMP] = WARD_MEAS_TEMP,
};

void
ward_window_policy_init (WardWindowPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  policy->window_usec = 30 * WARD_USEC_PER_MINUTE;
  policy->step_usec = 5 * WARD_USEC_PER_MINUTE;
  policy->nurse_validity_usec = 12 * WARD_USEC_PER_HOUR;
}

void
ward_window_bounds (const WardWindowPolicy *policy,
                    gint64                  now,
                    gint64                 *start,
                    gint64                 *end)
{
  gint64 step;
  gint64 e;

  g_return_if_fail (policy != NULL);

  step = MAX (policy->step_usec, 1);
  /* Round up to the next multiple of step; a time on the boundary ends
   * its window.  Times are positive (after 1970), so / truncates down.
   */
  e = (now / step) * step;
  if (e < now)
    e += step;

  if (start != NULL)
    *start = e - policy->window_usec;
  if (end != NULL)
    *end = e;
}

static gboolean
counts_in_window (const WardWindowPolicy *policy,
                  WardNews2Param          param,
                  const WardLatestValue  *value,
                  gint64                  window_start,
                  gint64                  now)
{
  if (!value->valid || value->observed_at > now)
    return FALSE;

  if (param == WARD_NEWS2_CONSCIOUSNESS || param == WARD_NEWS2_AIR_OR_OXYGEN)
    return now - value->observed_at < policy->nurse_validity_usec;

  return value->observed_at > window_start;
}

void
ward_window_score (const WardWindowPolicy *policy,
                   const WardLatestValue  *latest,
                   int                     spo2_scale,
                   gint64                  now,
                   WardWindowScore        *score)
{
  WardNews2Input *in;

  g_return_if_fail (policy != NULL);
  g_return_if_fail (latest != NULL);
  g_return_if_fail (score != NULL);

  memset (score, 0, sizeof *score);
  ward_window_bounds (policy, now, &score->window_start, &score->window_end);

  in = &score->input;
  ward_news2_input_init (in);
  in->spo2_scale = spo2_scale == 2 ? 2 : 1;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      const WardLatestValue *v = &latest[param_kinds[p]];

      if (!counts_in_window (policy, p, v, score->window_start, now))
        continue;

      score->used[p] = *v;

      switch ((WardNews2Param) p)
        {
        case WARD_NEWS2_RR:
          in->has_rr = TRUE;
          in->rr = v->value;
          break;
        case WARD_NEWS2_SPO2:
          in->has_spo2 = TRUE;
          in->spo2 = v->value;
          break;
        case WARD_NEWS2_AIR_OR_OXYGEN:
          in->has_air_or_oxygen = TRUE;
          in->on_oxygen = v->value != 0;
          break;
        case WARD_NEWS2_SBP:
          in->has_sbp = TRUE;
          in->sbp = v->value;
          break;
        case WARD_NEWS2_HR:
          in->has_hr = TRUE;
          in->hr = v->value;
          break;
        case WARD_NEWS2_CONSCIOUSNESS:
          in->has_consciousness = TRUE;
          in->consciousness = (WardAcvpu) CLAMP ((int) v->value, 0, WARD_ACVPU_UNRESPONSIVE);
          break;
        case WARD_NEWS2_TEMP:
          in->has_temp = TRUE;
          in->temp = v->value;
          break;
        case WARD_NEWS2_N_PARAMS:
        default:
          g_assert_not_reached ();
        }
    }

  ward_news2_score (in, &score->result);
}

static void
append_time (GString *str,
             gint64   usec)
{
  g_autofree char *iso = ward_time_format_iso8601 (usec);

  g_string_append_printf (str, "\"%s\"", iso);
}

char *
ward_window_score_to_json (const WardWindowScore *score)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  GString *str;

  g_return_val_if_fail (score != NULL, NULL);

  /* Written by hand: it runs for every scored window, and the format is
   * flat.  Numbers go through g_ascii_dtostr so no locale leaks in.
   */
  str = g_string_sized_new (512);
  g_string_append (str, "{\"window_start\":");
  append_time (str, score->window_start);
  g_string_append (str, ",\"window_end\":");
  append_time (str, score->window_end);
  g_string_append_printf (str, ",\"spo2_scale\":%d,\"total\":%d,\"band\":\"%s\",\"complete\":%s,\"params\":{",
                          score->input.spo2_scale, score->result.total,
                          ward_band_to_string (score->result.band),
                          score->result.complete ? "true" : "false");

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      const WardLatestValue *v = &score->used[p];

      if (p > 0)
        g_string_append_c (str, ',');
      g_string_append_printf (str, "\"%s\":", ward_news2_param_to_string (p));

      if (score->result.points[p] < 0)
        {
          g_string_append (str, "null");
          continue;
        }

      g_string_append (str, "{\"value\":");
      if (p == WARD_NEWS2_CONSCIOUSNESS)
        g_string_append_printf (str, "\"%c\"", ward_acvpu_to_letter ((WardAcvpu) v->value));
      else if (p == WARD_NEWS2_AIR_OR_OXYGEN)
        g_string_append (str, v->value != 0 ? "\"oxygen\"" : "\"air\"");
      else
        g_string_append (str, g_ascii_dtostr (buf, sizeof buf, v->value));
      g_string_append_printf (str, ",\"points\":%d,\"source\":\"%s\",\"observed_at\":",
                              score->result.points[p], ward_source_to_string (v->source));
      append_time (str, v->observed_at);
      g_string_append_c (str, '}');
    }

  g_string_append (str, "}}");

  return g_string_free (str, FALSE);
}
