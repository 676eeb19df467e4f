/* ward-engine-flag.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The flag stage: the flag rules on NEWS2, and the technical alerts.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

gboolean
_ward_engine_close_technical_alert (WardEngine  *self,
                                    WardDevice  *d,
                                    gint64       at,
                                    GError     **error)
{
  g_autofree char *detail = NULL;

  if (d->alert_id == 0)
    return TRUE;

  if (!ward_store_close_flag (self->store, d->alert_id, at, error))
    return FALSE;

  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"device\":\"%s\"}",
                            d->alert_id, d->device_id);
  if (!_ward_engine_record_event (self, at, SYSTEM_ACTOR, "technical-alert-cleared",
                                  ward_device_patient_id (d), detail, error))
    return FALSE;

  d->alert_id = 0;
  d->alert_since = 0;
  g_clear_pointer (&d->alert_ack_by, g_free);
  d->alert_ack_at = 0;
  return TRUE;
}

/* Flags follow monitor data: a window with none of RR, SpO2 or pulse
 * (a silent device) neither opens nor closes a flag.  Closing a flag
 * because the data stopped would be unsafe; the technical alert covers
 * the silence.
 */
static gboolean
score_has_monitor_data (const WardWindowScore *score)
{
  return score->result.points[WARD_NEWS2_RR] >= 0 ||
         score->result.points[WARD_NEWS2_SPO2] >= 0 ||
         score->result.points[WARD_NEWS2_HR] >= 0;
}

/* A patient known to be under 16: NEWS2 raises no flag for them.  A flag
 * raised before the age was known (or before a birth date was corrected)
 * is closed at once, with the reason, rather than left open with no rule
 * that could ever close it; a pending one is forgotten.
 */
static gboolean
stand_down_flag (WardEngine   *self,
                 WardPatient  *p,
                 gint64        now,
                 GError      **error)
{
  g_autofree char *detail = NULL;
  gint64 flag_id = p->flag_id;

  memset (&p->tracker, 0, sizeof p->tracker);
  if (flag_id == 0)
    return TRUE;

  if (!ward_store_close_flag (self->store, flag_id, now, error) ||
      !_ward_engine_put_flag (self, p, now, now, error))
    return FALSE;

  p->flag_id = 0;
  p->flag_opened_at = 0;
  g_clear_pointer (&p->flag_ack_by, g_free);
  p->flag_ack_at = 0;
  p->flag_escalated_at = 0;
  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"reason\":\"news2-not-applicable\"}",
                            flag_id);
  return _ward_engine_record_event (self, now, SYSTEM_ACTOR, "flag-closed", p->patient_id, detail, error);
}

/* The newest value the score used: when the data it was made of were
 * observed, the same on every station fed the same data.
 */
static gint64
score_data_time (const WardWindowScore *score)
{
  gint64 newest = 0;

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    if (score->used[i].valid)
      newest = MAX (newest, score->used[i].observed_at);

  return newest;
}

/* When a flag opens, taken from the data rather than from the tick that
 * noticed it: two stations reading one feed tick at different moments,
 * and the flag's id (and its Task's) is made from this time.  A flag
 * that waited out the sustain delay opens that long after the data that
 * crossed the threshold; one opened at once (a nurse's score) at the
 * data or the confirmation that opened it.  Never after now.
 */
static gint64
flag_opening_time (WardEngine  *self,
                   WardPatient *p,
                   gint64       crossed_at,
                   gint64       now)
{
  gint64 data_time = score_data_time (&p->score);
  gint64 at;

  if (crossed_at > 0 && crossed_at + self->config.flags.open_delay_usec <= now)
    at = crossed_at + self->config.flags.open_delay_usec;
  else
    at = MAX (data_time, p->confirmed_at);

  return at > 0 && at <= now ? at : now;
}

gboolean
_ward_engine_run_flag_rules (WardEngine   *self,
                             WardPatient  *p,
                             gint64        now,
                             GError      **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *reason = NULL;
  WardFlagAction action;
  WardBand band = WARD_BAND_LOW;
  gint64 crossed_at = p->flag_crossed_at;
  gint64 opened_at;

  if (!p->has_score || !score_has_monitor_data (&p->score))
    return TRUE;

  if (!ward_news2_applies_to_age (ward_patient_age_at (p, p->score.window_end)))
    return stand_down_flag (self, p, now, error);

  action = ward_flag_tracker_update_full (&p->tracker, &self->config.flags, p->score.result.band,
                                          p->nurse_validated, now, &band);
  if (p->tracker.state != WARD_FLAG_STATE_PENDING)
    p->flag_crossed_at = 0;
  else if (p->flag_crossed_at == 0)
    p->flag_crossed_at = score_data_time (&p->score);

  switch (action)
    {
    case WARD_FLAG_ACTION_NONE:
      return TRUE;

    case WARD_FLAG_ACTION_OPEN:
      reason = g_strdup_printf ("NEWS2 %d (%s)%s%s", p->score.result.total,
                                ward_band_to_string (p->score.result.band),
                                p->score.result.complete ? "" : ", partial",
                                p->nurse_validated ? ", nurse-validated" : "");
      opened_at = flag_opening_time (self, p, crossed_at, now);
      p->flag_id = ward_store_open_flag (self->store, p->patient_id, "clinical", NULL, band,
                                         opened_at, p->score_id, reason, error);
      if (p->flag_id == 0)
        return FALSE;
      p->flag_opened_at = opened_at;
      p->flag_band = band;
      g_clear_pointer (&p->flag_ack_by, g_free);
      p->flag_ack_at = 0;
      p->flag_escalated_at = 0;
      self->counters.flags_raised++;
      if (!_ward_engine_put_flag (self, p, 0, now, error))
        return FALSE;
      /* nurse_validated: opened without the sustain delay. */
      detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"band\":\"%s\",\"score_id\":%"
                                G_GINT64_FORMAT ",\"nurse_validated\":%s}", p->flag_id,
                                ward_band_to_string (band), p->score_id,
                                p->nurse_validated ? "true" : "false");
      return _ward_engine_record_event (self, now, SYSTEM_ACTOR, "flag-raised", p->patient_id, detail, error);

    case WARD_FLAG_ACTION_ESCALATE:
      if (!ward_store_escalate_flag (self->store, p->flag_id, band, now, error))
        return FALSE;
      self->counters.flags_escalated++;
      p->flag_band = band;
      p->flag_escalated_at = now;
      if (!_ward_engine_put_flag (self, p, 0, now, error))
        return FALSE;
      detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"band\":\"%s\","
                                "\"nurse_validated\":%s}", p->flag_id, ward_band_to_string (band),
                                p->nurse_validated ? "true" : "false");
      return _ward_engine_record_event (self, now, SYSTEM_ACTOR, "flag-escalated", p->patient_id, detail, error);

    case WARD_FLAG_ACTION_CLOSE:
      if (!ward_store_close_flag (self->store, p->flag_id, now, error))
        return FALSE;
      if (!_ward_engine_put_flag (self, p, now, now, error))
        return FALSE;
      detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT "}", p->flag_id);
      p->flag_id = 0;
      p->flag_opened_at = 0;
      g_clear_pointer (&p->flag_ack_by, g_free);
      p->flag_ack_at = 0;
      p->flag_escalated_at = 0;
      return _ward_engine_record_event (self, now, SYSTEM_ACTOR, "flag-closed", p->patient_id, detail, error);

    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

/* When a silence alert opens, taken from the data like a clinical
 * flag's: the newest measurement time of the device plus the silence
 * limit, the moment the device's data became too old.  Silence is
 * noticed on each station's own arrival times, at its own tick, but two
 * stations fed the same messages open the alert at the same instant and
 * so name it (and its Tasks) alike.  Never after now: a device clock
 * ahead of ours (tolerated up to a few minutes) opens it at the tick.
 */
static gint64
silence_opening_time (WardEngine *self,
                      WardDevice *d,
                      gint64      now)
{
  gint64 at;

  if (d->last_measured <= 0)
    return now;
  at = d->last_measured + self->config.device_silence_usec;

  return at <= now ? at : now;
}

gboolean
_ward_engine_check_silence (WardEngine  *self,
                            WardDevice  *d,
                            gint64       now,
                            GError     **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *reason = NULL;
  gint64 silent_for;
  gint64 opened_at;

  /* A device that never sent is not yet "silent": it may not be in use. */
  if (d->last_seen == 0 || d->alert_id != 0)
    return TRUE;

  silent_for = now - d->last_seen;
  if (silent_for <= self->config.device_silence_usec)
    return TRUE;

  reason = g_strdup_printf ("no data from %s for %" G_GINT64_FORMAT " s", d->device_id,
                            silent_for / WARD_USEC_PER_SEC);
  opened_at = silence_opening_time (self, d, now);
  d->alert_id = ward_store_open_flag (self->store, ward_device_patient_id (d),
                                      "technical", d->device_id, WARD_BAND_LOW, opened_at, 0,
                                      reason, error);
  if (d->alert_id == 0)
    return FALSE;
  d->alert_since = opened_at;
  self->counters.technical_alerts++;

  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"device\":\"%s\",\"last_seen\":%"
                            G_GINT64_FORMAT "}", d->alert_id, d->device_id, d->last_seen);
  return _ward_engine_record_event (self, now, SYSTEM_ACTOR, "technical-alert", ward_device_patient_id (d),
                                    detail, error);
}
