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

WardMeasKind
ward_window_param_kind (WardNews2Param param)
{
  g_return_val_if_fail (param < WARD_NEWS2_N_PARAMS, WARD_MEAS_HR);

  return param_kinds[param];
}

void
ward_window_policy_init (WardWindowPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  policy->window_usec = 30 * WARD_USEC_PER_MINUTE;
  policy->step_usec = 5 * WARD_USEC_PER_MINUTE;

  /* The ward policy's defaults (docs/ARCHITECTURE.md, "Which values a
   * score uses"): a monitor sends pulse, respiration and saturation
   * every few seconds, a blood pressure every 15-60 minutes, a
   * temperature hourly to 4-hourly; a nurse records ACVPU and air or
   * oxygen on the round.
   */
  policy->validity_usec[WARD_NEWS2_RR] = 10 * WARD_USEC_PER_MINUTE;
  policy->validity_usec[WARD_NEWS2_SPO2] = 10 * WARD_USEC_PER_MINUTE;
  policy->validity_usec[WARD_NEWS2_HR] = 10 * WARD_USEC_PER_MINUTE;
  policy->validity_usec[WARD_NEWS2_SBP] = 60 * WARD_USEC_PER_MINUTE;
  policy->validity_usec[WARD_NEWS2_TEMP] = 4 * WARD_USEC_PER_HOUR;
  policy->validity_usec[WARD_NEWS2_CONSCIOUSNESS] = 12 * WARD_USEC_PER_HOUR;
  policy->validity_usec[WARD_NEWS2_AIR_OR_OXYGEN] = 12 * WARD_USEC_PER_HOUR;
  policy->manual_timeout_usec = 60 * WARD_USEC_PER_MINUTE;
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

gint64
ward_window_validity (const WardWindowPolicy *policy,
                      WardNews2Param          param,
                      WardSource              source)
{
  g_return_val_if_fail (policy != NULL, 0);
  g_return_val_if_fail (param < WARD_NEWS2_N_PARAMS, 0);

  if (source == WARD_SOURCE_NURSE)
    return MAX (policy->manual_timeout_usec, policy->validity_usec[param]);

  return policy->validity_usec[param];
}

gint64
ward_window_kind_validity (const WardWindowPolicy *policy,
                           WardMeasKind            kind,
                           WardSource              source)
{
  g_return_val_if_fail (policy != NULL, 0);
  g_return_val_if_fail (kind < WARD_MEAS_N_KINDS, 0);

  switch (kind)
    {
    case WARD_MEAS_DBP:
    case WARD_MEAS_MAP:
      return ward_window_validity (policy, WARD_NEWS2_SBP, source);
    case WARD_MEAS_O2_FLOW:
      return ward_window_validity (policy, WARD_NEWS2_AIR_OR_OXYGEN, source);
    default:
      break;
    }

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      if (param_kinds[p] == kind)
        return ward_window_validity (policy, p, source);
    }

  g_return_val_if_reached (0);
}

gboolean
ward_window_value_counts (const WardWindowPolicy *policy,
                          WardNews2Param          param,
                          const WardLatestValue  *value,
                          gint64                  now)
{
  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  /* A value from the future (a device clock a little ahead) counts from
   * its time on, not before.
   */
  if (!value->valid || value->observed_at > now)
    return FALSE;

  return now - value->observed_at < ward_window_validity (policy, param, value->source);
}

static int
param_points (WardNews2Param param,
              double         value,
              int            spo2_scale,
              gboolean       on_oxygen)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
      return ward_news2_score_rr (value);
    case WARD_NEWS2_SPO2:
      return ward_news2_score_spo2 (value, spo2_scale, on_oxygen);
    case WARD_NEWS2_AIR_OR_OXYGEN:
      return ward_news2_score_oxygen (value != 0);
    case WARD_NEWS2_SBP:
      return ward_news2_score_sbp (value);
    case WARD_NEWS2_HR:
      return ward_news2_score_hr (value);
    case WARD_NEWS2_CONSCIOUSNESS:
      return ward_news2_score_acvpu ((WardAcvpu) CLAMP ((int) value, 0, WARD_ACVPU_UNRESPONSIVE));
    case WARD_NEWS2_TEMP:
      return ward_news2_score_temp (value);
    case WARD_NEWS2_N_PARAMS:
    default:
      g_assert_not_reached ();
    }

  return -1;
}

static void
set_input (WardNews2Input *in,
           WardNews2Param  param,
           double          value)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
      in->has_rr = TRUE;
      in->rr = value;
      break;
    case WARD_NEWS2_SPO2:
      in->has_spo2 = TRUE;
      in->spo2 = value;
      break;
    case WARD_NEWS2_AIR_OR_OXYGEN:
      in->has_air_or_oxygen = TRUE;
      in->on_oxygen = value != 0;
      break;
    case WARD_NEWS2_SBP:
      in->has_sbp = TRUE;
      in->sbp = value;
      break;
    case WARD_NEWS2_HR:
      in->has_hr = TRUE;
      in->hr = value;
      break;
    case WARD_NEWS2_CONSCIOUSNESS:
      in->has_consciousness = TRUE;
      in->consciousness = (WardAcvpu) CLAMP ((int) value, 0, WARD_ACVPU_UNRESPONSIVE);
      break;
    case WARD_NEWS2_TEMP:
      in->has_temp = TRUE;
      in->temp = value;
      break;
    case WARD_NEWS2_N_PARAMS:
    default:
      g_assert_not_reached ();
    }
}

/* When a value stops counting, or starts (a value from the future). */
static void
note_change (const WardWindowPolicy *policy,
             WardNews2Param          param,
             const WardLatestValue  *value,
             gint64                  now,
             gint64                 *expires_at)
{
  gint64 at;

  if (!value->valid)
    return;

  if (value->observed_at > now)
    at = value->observed_at;
  else
    at = value->observed_at + ward_window_validity (policy, param, value->source);

  if (at > now)
    *expires_at = MIN (*expires_at, at);
}

void
ward_window_score_full (const WardWindowPolicy *policy,
                        const WardLatestValue  *latest,
                        const WardLatestValue  *nurse_latest,
                        int                     spo2_scale,
                        gint64                  now,
                        WardWindowScore        *score)
{
  /* Air or oxygen before SpO2: the SpO2 points on Scale 2 depend on it. */
  static const WardNews2Param order[WARD_NEWS2_N_PARAMS] = {
    WARD_NEWS2_RR, WARD_NEWS2_AIR_OR_OXYGEN, WARD_NEWS2_SBP, WARD_NEWS2_HR,
    WARD_NEWS2_CONSCIOUSNESS, WARD_NEWS2_TEMP, WARD_NEWS2_SPO2,
  };
  WardNews2Input *in;

  g_return_if_fail (policy != NULL);
  g_return_if_fail (latest != NULL);
  g_return_if_fail (score != NULL);

  memset (score, 0, sizeof *score);
  ward_window_bounds (policy, now, &score->window_start, &score->window_end);
  score->scored_at = now;
  score->expires_at = G_MAXINT64;

  in = &score->input;
  ward_news2_input_init (in);
  in->spo2_scale = spo2_scale == 2 ? 2 : 1;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      WardNews2Param p = order[i];
      const WardLatestValue *any = &latest[param_kinds[p]];
      const WardLatestValue *device = NULL;
      const WardLatestValue *nurse = NULL;
      const WardLatestValue *chosen;
      gboolean on_oxygen = in->has_air_or_oxygen && in->on_oxygen;

      score->nurse_points[p] = -1;

      /* The newest value of any source is the device's when it is not a
       * nurse's; the nurse's is kept apart, so that a monitor value
       * arriving after it does not hide it.
       */
      if (any->valid && any->source == WARD_SOURCE_DEVICE)
        device = any;
      if (nurse_latest != NULL && nurse_latest[param_kinds[p]].valid)
        nurse = &nurse_latest[param_kinds[p]];
      else if (any->valid && any->source == WARD_SOURCE_NURSE)
        nurse = any;

      if (device != NULL)
        note_change (policy, p, device, now, &score->expires_at);
      if (nurse != NULL)
        note_change (policy, p, nurse, now, &score->expires_at);

      if (device != NULL && !ward_window_value_counts (policy, p, device, now))
        device = NULL;
      if (nurse != NULL && !ward_window_value_counts (policy, p, nurse, now))
        nurse = NULL;

      if (nurse != NULL)
        {
          score->nurse[p] = *nurse;
          score->nurse_points[p] = param_points (p, nurse->value, in->spo2_scale, on_oxygen);
        }

      /* The safety rule: while a nurse's value counts, a device value
       * may make the parameter worse, never better.
       */
      if (nurse != NULL && device != NULL)
        chosen = param_points (p, device->value, in->spo2_scale, on_oxygen) > score->nurse_points[p]
                 ? device : nurse;
      else
        chosen = nurse != NULL ? nurse : device;

      if (chosen == NULL)
        continue;

      score->used[p] = *chosen;
      set_input (in, p, chosen->value);
    }

  ward_news2_score (in, &score->result);
}

void
ward_window_score (const WardWindowPolicy *policy,
                   const WardLatestValue  *latest,
                   int                     spo2_scale,
                   gint64                  now,
                   WardWindowScore        *score)
{
  ward_window_score_full (policy, latest, NULL, spo2_scale, now, score);
}

gint64
ward_window_score_full_set_at (const WardWindowScore *score)
{
  gint64 oldest = G_MAXINT64;

  g_return_val_if_fail (score != NULL, 0);

  if (!score->result.complete)
    return 0;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    oldest = MIN (oldest, score->used[p].observed_at);

  return oldest;
}

static void
append_time (GString *str,
             gint64   usec)
{
  g_autofree char *iso = ward_time_format_iso8601 (usec);

  g_string_append_printf (str, "\"%s\"", iso);
}

static void
append_string (GString    *str,
               const char *s)
{
  g_string_append_c (str, '"');
  for (const char *c = s; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_printf (str, "\\%c", *c);
      else if ((guchar) *c < 0x20)
        g_string_append_printf (str, "\\u%04x", (guchar) *c);
      else
        g_string_append_c (str, *c);
    }
  g_string_append_c (str, '"');
}

/* "value", "points", "source", "observed_at", "age_seconds" and, for a
 * nurse's value, "entered_by".
 */
static void
append_value (GString               *str,
              WardNews2Param         param,
              const WardLatestValue *v,
              int                    points,
              gint64                 scored_at)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (str, "{\"value\":");
  if (param == WARD_NEWS2_CONSCIOUSNESS)
    g_string_append_printf (str, "\"%c\"",
                            ward_acvpu_to_letter ((WardAcvpu) CLAMP ((int) v->value, 0,
                                                                     WARD_ACVPU_UNRESPONSIVE)));
  else if (param == WARD_NEWS2_AIR_OR_OXYGEN)
    g_string_append (str, v->value != 0 ? "\"oxygen\"" : "\"air\"");
  else
    g_string_append (str, g_ascii_dtostr (buf, sizeof buf, v->value));
  g_string_append_printf (str, ",\"points\":%d,\"source\":\"%s\",\"observed_at\":",
                          points, ward_source_to_string (v->source));
  append_time (str, v->observed_at);
  g_string_append_printf (str, ",\"age_seconds\":%" G_GINT64_FORMAT,
                          (scored_at - v->observed_at) / WARD_USEC_PER_SEC);
  if (v->source == WARD_SOURCE_NURSE && v->entered_by != NULL)
    {
      g_string_append (str, ",\"entered_by\":");
      append_string (str, v->entered_by);
    }
}

char *
ward_window_score_to_json (const WardWindowScore *score)
{
  GString *str;

  g_return_val_if_fail (score != NULL, NULL);

  /* Written by hand: it runs for every scored window, and the format is
   * flat.  Numbers go through g_ascii_dtostr so no locale leaks in.
   */
  str = g_string_sized_new (768);
  g_string_append (str, "{\"window_start\":");
  append_time (str, score->window_start);
  g_string_append (str, ",\"window_end\":");
  append_time (str, score->window_end);
  g_string_append (str, ",\"scored_at\":");
  append_time (str, score->scored_at);
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

      append_value (str, p, v, score->result.points[p], score->scored_at);
      /* A device value that raised the parameter over a nurse's: the
       * nurse's, which still counts, is kept beside it.
       */
      if (v->source != WARD_SOURCE_NURSE && score->nurse[p].valid)
        {
          g_string_append (str, ",\"nurse\":");
          append_value (str, p, &score->nurse[p], score->nurse_points[p], score->scored_at);
          g_string_append_c (str, '}');
        }
      g_string_append_c (str, '}');
    }

  g_string_append (str, "}}");

  return g_string_free (str, FALSE);
}
