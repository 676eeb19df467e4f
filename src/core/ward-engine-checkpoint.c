/* ward-engine-checkpoint.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Stage state across a batch: what ward_engine_begin() saves and
 * ward_engine_rollback() puts back.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

/* No state in memory that the store does not have.  A batch changes the
 * engine's memory as it writes (a flag opened, acknowledged or closed, a
 * value, a score, a confirmation); when the store cannot commit it (disk
 * full, read-only, I/O error), the memory must go back with the store,
 * or the board would show a flag whose row was never written and an
 * acknowledgement of it would fail ("Flag N is not open").  So each
 * begin saves what a batch may change, and a rollback puts it back; the
 * messages of the batch are not acknowledged and come again.  Only the
 * fields below are saved: a new field a batch changes belongs here too.
 * Not covered: messages held for an identity answer and the ids of the
 * vital-signs Observations written lately (a redelivered message writes
 * them again under the same ids).
 */
typedef struct
{
  WardPatient      *p;
  int               spo2_scale;
  char             *birth_date;
  char             *server_id;
  WardLatestValue   latest[WARD_MEAS_N_KINDS];
  WardLatestValue   nurse_latest[WARD_MEAS_N_KINDS];
  gboolean          dirty;
  gboolean          nurse_validated;
  gint64            first_scored_at;
  gint64            last_full_set_at;
  gint64            rescore_at;
  gboolean          has_score;
  WardWindowScore   score;
  gint64            score_id;
  gboolean          score_final;
  gint64            confirmed_at;
  char             *confirmed_by;
  WardFlagTracker   tracker;
  gint64            flag_id;
  gint64            flag_opened_at;
  gint64            flag_crossed_at;
  WardBand          flag_band;
  char             *flag_ack_by;
  gint64            flag_ack_at;
  gint64            flag_escalated_at;
  WardTrendHistory  trend;
  GArray           *scores;   /* shared: the score stage replaces, never changes, it */
  GArray           *model_flags; /* a copy: the model flag stage changes them in place */
} SavedPatient;

typedef struct
{
  WardDevice  *d;
  WardPatient *patient;
  WardPatient *named;
  char    *server_id;
  gint64   last_seen;
  gint64   last_measured;
  gint64   alert_id;
  gint64   alert_since;
  char    *alert_ack_by;
  gint64   alert_ack_at;
} SavedDevice;

static void
saved_patient_clear (SavedPatient *s)
{
  g_clear_pointer (&s->birth_date, g_free);
  g_clear_pointer (&s->server_id, g_free);
  g_clear_pointer (&s->confirmed_by, g_free);
  g_clear_pointer (&s->flag_ack_by, g_free);
  g_clear_pointer (&s->scores, g_array_unref);
  g_clear_pointer (&s->model_flags, g_array_unref);
}

static void
saved_device_clear (SavedDevice *s)
{
  g_clear_pointer (&s->server_id, g_free);
  g_clear_pointer (&s->alert_ack_by, g_free);
}

void
_ward_engine_take_checkpoint (WardEngine *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->saved_patients == NULL)
    {
      self->saved_patients = g_array_new (FALSE, TRUE, sizeof (SavedPatient));
      g_array_set_clear_func (self->saved_patients, (GDestroyNotify) saved_patient_clear);
      self->saved_devices = g_array_new (FALSE, TRUE, sizeof (SavedDevice));
      g_array_set_clear_func (self->saved_devices, (GDestroyNotify) saved_device_clear);
    }
  g_array_set_size (self->saved_patients, 0);
  g_array_set_size (self->saved_devices, 0);

  g_array_set_size (self->saved_patients, self->model.patients->len);
  for (guint i = 0; i < self->model.patients->len; i++)
    {
      WardPatient *p = g_ptr_array_index (self->model.patients, i);
      SavedPatient *s = &g_array_index (self->saved_patients, SavedPatient, i);

      s->p = p;
      s->spo2_scale = p->spo2_scale;
      s->birth_date = g_strdup (p->birth_date);
      s->server_id = g_strdup (p->server_id);
      memcpy (s->latest, p->latest, sizeof s->latest);
      memcpy (s->nurse_latest, p->nurse_latest, sizeof s->nurse_latest);
      s->dirty = p->dirty;
      s->nurse_validated = p->nurse_validated;
      s->first_scored_at = p->first_scored_at;
      s->last_full_set_at = p->last_full_set_at;
      s->rescore_at = p->rescore_at;
      s->has_score = p->has_score;
      s->score = p->score;
      s->score_id = p->score_id;
      s->score_final = p->score_final;
      s->confirmed_at = p->confirmed_at;
      s->confirmed_by = g_strdup (p->confirmed_by);
      s->tracker = p->tracker;
      s->flag_id = p->flag_id;
      s->flag_opened_at = p->flag_opened_at;
      s->flag_crossed_at = p->flag_crossed_at;
      s->flag_band = p->flag_band;
      s->flag_ack_by = g_strdup (p->flag_ack_by);
      s->flag_ack_at = p->flag_ack_at;
      s->flag_escalated_at = p->flag_escalated_at;
      s->trend = p->trend;
      s->scores = g_array_ref (p->scores);
      s->model_flags = ward_model_flags_copy (p->model_flags);
    }

  g_hash_table_iter_init (&iter, self->model.devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      WardDevice *d = value;
      SavedDevice s = {
        .d = d,
        .patient = d->patient,
        .named = d->named,
        .server_id = g_strdup (d->server_id),
        .last_seen = d->last_seen,
        .last_measured = d->last_measured,
        .alert_id = d->alert_id,
        .alert_since = d->alert_since,
        .alert_ack_by = g_strdup (d->alert_ack_by),
        .alert_ack_at = d->alert_ack_at,
      };

      g_array_append_val (self->saved_devices, s);
    }

  self->saved_counters = self->counters;
  self->saved_window_end = self->last_window_end;
  self->saved_outbox_warned = self->outbox_warned;
  self->saved_fhir_device = self->fhir_device_id != NULL;
  self->has_checkpoint = TRUE;
}

void
_ward_engine_restore_checkpoint (WardEngine *self)
{
  g_autoptr(GHashTable) saved = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!self->has_checkpoint)
    return;
  self->has_checkpoint = FALSE;

  /* Patients are only added at start, in a batch whose failure ends the
   * start: the saved ones are all there.
   */
  for (guint i = 0; i < self->saved_patients->len; i++)
    {
      SavedPatient *s = &g_array_index (self->saved_patients, SavedPatient, i);
      WardPatient *p = s->p;

      p->spo2_scale = s->spo2_scale;
      g_free (p->birth_date);
      p->birth_date = g_steal_pointer (&s->birth_date);
      p->age_at = G_MININT64;
      g_free (p->server_id);
      p->server_id = g_steal_pointer (&s->server_id);
      memcpy (p->latest, s->latest, sizeof p->latest);
      memcpy (p->nurse_latest, s->nurse_latest, sizeof p->nurse_latest);
      p->dirty = s->dirty;
      p->nurse_validated = s->nurse_validated;
      p->first_scored_at = s->first_scored_at;
      p->last_full_set_at = s->last_full_set_at;
      p->rescore_at = s->rescore_at;
      p->has_score = s->has_score;
      p->score = s->score;
      p->score_id = s->score_id;
      p->score_final = s->score_final;
      p->confirmed_at = s->confirmed_at;
      g_free (p->confirmed_by);
      p->confirmed_by = g_steal_pointer (&s->confirmed_by);
      p->tracker = s->tracker;
      p->flag_id = s->flag_id;
      p->flag_opened_at = s->flag_opened_at;
      p->flag_crossed_at = s->flag_crossed_at;
      p->flag_band = s->flag_band;
      g_free (p->flag_ack_by);
      p->flag_ack_by = g_steal_pointer (&s->flag_ack_by);
      p->flag_ack_at = s->flag_ack_at;
      p->flag_escalated_at = s->flag_escalated_at;
      p->trend = s->trend;
      g_array_unref (p->scores);
      p->scores = g_steal_pointer (&s->scores);
      g_array_unref (p->model_flags);
      p->model_flags = g_steal_pointer (&s->model_flags);
    }

  /* Devices first seen in the batch go; the others get their state back. */
  saved = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->saved_devices->len; i++)
    {
      SavedDevice *s = &g_array_index (self->saved_devices, SavedDevice, i);

      g_hash_table_insert (saved, s->d, s);
    }
  g_hash_table_iter_init (&iter, self->model.devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      WardDevice *d = value;
      SavedDevice *s = g_hash_table_lookup (saved, d);

      if (s == NULL)
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      d->patient = s->patient;
      d->named = s->named;
      g_free (d->server_id);
      d->server_id = g_steal_pointer (&s->server_id);
      d->last_seen = s->last_seen;
      d->last_measured = s->last_measured;
      d->alert_id = s->alert_id;
      d->alert_since = s->alert_since;
      g_free (d->alert_ack_by);
      d->alert_ack_by = g_steal_pointer (&s->alert_ack_by);
      d->alert_ack_at = s->alert_ack_at;
    }

  self->counters = self->saved_counters;
  self->last_window_end = self->saved_window_end;
  self->outbox_warned = self->saved_outbox_warned;
  /* Its Device resource was in the batch: written again next time. */
  if (!self->saved_fhir_device)
    g_clear_pointer (&self->fhir_device_id, g_free);

  g_array_set_size (self->saved_patients, 0);
  g_array_set_size (self->saved_devices, 0);
}
