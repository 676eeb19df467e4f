/* ward-engine.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The engine's life, its registry of beds and patients, the batch and
 * ward_engine_evaluate(), which runs the stages in order.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"
#include "ward-store-rollups.h"

#include <string.h>

G_DEFINE_FINAL_TYPE (WardEngine, ward_engine, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-engine-error-quark, ward_engine_error)

WardPatient *
_ward_engine_lookup_patient (WardEngine  *self,
                             const char  *patient_id,
                             GError     **error)
{
  WardPatient *p = ward_ward_model_lookup_patient (&self->model, patient_id);

  if (p == NULL)
    g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_UNKNOWN_PATIENT,
                 "No patient %s on this ward", patient_id ? patient_id : "(none)");

  return p;
}

gboolean
_ward_engine_record_event (WardEngine  *self,
                           gint64       at,
                           const char  *actor,
                           const char  *kind,
                           const char  *patient_id,
                           const char  *detail_json,
                           GError     **error)
{
  return ward_store_add_event (self->store, at, actor, kind, patient_id, detail_json, error) != 0;
}

gboolean
_ward_engine_dead_letter (WardEngine  *self,
                          gint64       raw_id,
                          const char  *stage,
                          const char  *reason,
                          gint64       at,
                          GError     **error)
{
  /* The reason may quote the message, which may hold patient data: it
   * goes to the 0600 store, never to the log.
   */
  g_debug ("Dead letter for raw message %" G_GINT64_FORMAT " at stage %s", raw_id, stage);

  if (ward_store_add_dead_letter (self->store, raw_id, stage, reason, at, error) == 0)
    return FALSE;

  self->counters.dead_letters++;
  return TRUE;
}

static void
ward_engine_finalize (GObject *object)
{
  WardEngine *self = (WardEngine *) object;

  ward_ward_model_clear (&self->model);
  g_clear_pointer (&self->scorers, g_ptr_array_unref);
  g_clear_pointer (&self->scratch, g_array_unref);
  g_clear_object (&self->device_template);
  g_clear_object (&self->fhir_template);
  g_clear_pointer (&self->fhir_pending, g_ptr_array_unref);
  g_clear_pointer (&self->fhir_device_id, g_free);
  g_queue_clear_full (&self->held, _ward_engine_held_message_free);
  g_clear_pointer (&self->held_devices, g_hash_table_unref);
  g_clear_pointer (&self->vitals_refs, g_hash_table_unref);
  g_clear_pointer (&self->fhir_subjects, g_hash_table_unref);
  g_clear_pointer (&self->saved_patients, g_array_unref);
  g_clear_pointer (&self->saved_devices, g_array_unref);
  /* The resolver may outlive the engine (requests in flight). */
  if (self->identity != NULL)
    ward_identity_set_notify (self->identity, NULL, NULL);
  g_clear_object (&self->identity);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ward_engine_parent_class)->finalize (object);
}

static void
ward_engine_class_init (WardEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_engine_finalize;
}

static void
ward_engine_init (WardEngine *self)
{
  ward_ward_model_init (&self->model);
  self->scorers = g_ptr_array_new_with_free_func (_ward_engine_registered_scorer_free);
  _ward_engine_add_news2_scorer (self);
  self->scratch = g_array_new (FALSE, TRUE, sizeof (WardMeasurement));
  g_array_set_clear_func (self->scratch, (GDestroyNotify) ward_measurement_clear);
  self->fhir_pending = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
  g_queue_init (&self->held);
  self->held_devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->vitals_refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_array_unref);
  self->fhir_subjects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
ward_engine_config_init (WardEngineConfig *config)
{
  g_return_if_fail (config != NULL);

  ward_window_policy_init (&config->window);
  ward_flag_policy_init (&config->flags);
  ward_obs_policy_init (&config->obs);
  config->device_silence_usec = 60 * WARD_USEC_PER_SEC;
  config->outbox_limit = WARD_ENGINE_DEFAULT_OUTBOX_LIMIT;
  config->measurement_retention_usec = (gint64) WARD_STORE_DEFAULT_MEASUREMENT_RETENTION_DAYS *
                                       24 * WARD_USEC_PER_HOUR;
  /* Off for the engine alone (tests and benchmarks that count
   * resources); the pipeline, and so the application, turns them on:
   * grouped by hour (data/mappings/wardwatch-fhir-hourly.json) they cost
   * little (docs/ARCHITECTURE.md).
   */
  config->vitals_observations = FALSE;
}

WardEngine *
ward_engine_new (WardStore              *store,
                 const WardEngineConfig *config)
{
  WardEngine *self;

  g_return_val_if_fail (WARD_IS_STORE (store), NULL);

  self = g_object_new (WARD_TYPE_ENGINE, NULL);
  self->store = g_object_ref (store);

  /* The built-in mapping of the Wardwatch monitor format, until a user's
   * mapping replaces it.  It is part of the program: failing to load it
   * is a bug.
   */
  {
    g_autoptr(GError) template_error = NULL;

    self->device_template = ward_device_template_new_default (&template_error);
    if (self->device_template == NULL)
      g_error ("The built-in device mapping does not load: %s", template_error->message);
    /* Vital signs grouped per patient, device, type and hour (the
     * newest value of the hour), so continuous monitoring makes one
     * Observation per parameter and hour, updated as values come.
     */
    self->fhir_template = ward_fhir_template_new_from_resource (WARD_ENGINE_VITALS_MAPPING_RESOURCE,
                                                                &template_error);
    if (self->fhir_template == NULL)
      g_error ("The built-in FHIR mapping does not load: %s", template_error->message);
  }
  if (config != NULL)
    self->config = *config;
  else
    ward_engine_config_init (&self->config);

  return self;
}

void
ward_engine_set_device_template (WardEngine         *self,
                                 WardDeviceTemplate *device_template)
{
  g_return_if_fail (WARD_IS_ENGINE (self));
  g_return_if_fail (WARD_IS_DEVICE_TEMPLATE (device_template));

  g_set_object (&self->device_template, device_template);
}

WardStore *
ward_engine_get_store (WardEngine *self)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  return self->store;
}

gboolean
ward_engine_register_bed (WardEngine  *self,
                          const char  *bed_id,
                          const char  *bed_label,
                          const char  *patient_id,
                          const char  *patient_name,
                          const char  *device_id,
                          int          spo2_scale,
                          GError     **error)
{
  g_autofree char *birth_date = NULL;
  WardPatient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (bed_id != NULL && bed_label != NULL && patient_id != NULL, FALSE);

  if (ward_ward_model_lookup_patient (&self->model, patient_id) != NULL)
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "Patient %s is already in a bed on this ward", patient_id);
      return FALSE;
    }

  if (!ward_store_upsert_patient (self->store, patient_id, patient_name, spo2_scale, error) ||
      !ward_store_upsert_bed (self->store, bed_id, bed_label, patient_id, error))
    return FALSE;

  if (device_id != NULL && !ward_store_upsert_device (self->store, device_id, bed_id, patient_id, error))
    return FALSE;

  /* Patient context the store already has (a FHIR server's answer of an
   * earlier run); the ward file, when it names one, comes after.
   */
  if (!ward_store_get_birth_date (self->store, patient_id, &birth_date, error))
    return FALSE;
  if (birth_date != NULL && !ward_birth_date_is_valid (birth_date))
    g_clear_pointer (&birth_date, g_free);

  p = ward_ward_model_add_patient (&self->model, bed_id, bed_label, patient_id, patient_name,
                                   device_id, spo2_scale);
  p->birth_date = g_steal_pointer (&birth_date);
  p->create_mode_id = ward_fhir_template_resource_id (NULL, patient_id);

  if (device_id != NULL)
    {
      WardDevice *d = g_new0 (WardDevice, 1);

      d->device_id = g_strdup (device_id);
      d->patient = p;
      g_hash_table_replace (self->model.devices, d->device_id, d);
    }

  return TRUE;
}

static void
restore_measurement (const char *kind_name,
                     double      value,
                     gint64      observed_at,
                     const char *source,
                     const char *entered_by,
                     gpointer    user_data)
{
  WardPatient *p = user_data;
  WardMeasKind kind;
  WardLatestValue v = { 0, };

  /* A kind this version does not know is left in the store. */
  if (kind_name == NULL || !ward_meas_kind_from_string (kind_name, &kind))
    return;

  v.valid = TRUE;
  v.value = value;
  v.observed_at = observed_at;
  v.source = g_strcmp0 (source, "nurse") == 0 ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE;
  v.entered_by = v.source == WARD_SOURCE_NURSE ? g_intern_string (entered_by) : NULL;

  /* Rows come oldest first, so the last one of a kind is the newest. */
  if (!p->latest[kind].valid || p->latest[kind].observed_at <= observed_at)
    p->latest[kind] = v;
  if (v.source == WARD_SOURCE_NURSE &&
      (!p->nurse_latest[kind].valid || p->nurse_latest[kind].observed_at <= observed_at))
    p->nurse_latest[kind] = v;
}

/**
 * ward_engine_restore:
 * @now: the clock's time at start
 *
 * Reads back from the store what the engine kept in memory before a
 * restart: for each registered patient the newest value of each kind
 * (and the newest nurse-entered one, with who entered it) observed within
 * the longest validity of the configuration, and the open clinical flag,
 * which the flag rules then continue instead of opening another.  Call it
 * once, after the ward is registered and before the first evaluation.
 */
gboolean
ward_engine_restore (WardEngine  *self,
                     gint64       now,
                     GError     **error)
{
  gint64 longest = 0;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  for (int kind = 0; kind < WARD_MEAS_N_KINDS; kind++)
    {
      longest = MAX (longest, ward_window_kind_validity (&self->config.window, kind,
                                                         WARD_SOURCE_DEVICE));
      longest = MAX (longest, ward_window_kind_validity (&self->config.window, kind,
                                                         WARD_SOURCE_NURSE));
    }

  for (guint i = 0; i < self->model.patients->len; i++)
    {
      WardPatient *p = g_ptr_array_index (self->model.patients, i);
      g_autofree char *band = NULL;
      g_autofree char *ack_by = NULL;
      gint64 flag_id, opened_at, escalated_at, ack_at;
      WardBand flag_band;

      if (!ward_store_foreach_measurement_since (self->store, p->patient_id, now - longest,
                                                 restore_measurement, p, error) ||
          !ward_store_get_open_clinical_flag (self->store, p->patient_id, &flag_id, &band,
                                              &opened_at, &escalated_at, &ack_by, &ack_at,
                                              error) ||
          !_ward_engine_restore_model_flags (self, p, error))
        return FALSE;

      if (flag_id != 0 && band != NULL && ward_band_from_string (band, &flag_band))
        {
          memset (&p->tracker, 0, sizeof p->tracker);
          p->tracker.state = WARD_FLAG_STATE_OPEN;
          p->tracker.open_band = flag_band;
          p->flag_id = flag_id;
          p->flag_band = flag_band;
          p->flag_opened_at = opened_at;
          p->flag_escalated_at = escalated_at;
          g_free (p->flag_ack_by);
          p->flag_ack_by = g_steal_pointer (&ack_by);
          p->flag_ack_at = ack_at;
        }

      p->dirty = TRUE;
    }

  return TRUE;
}

gboolean
_ward_engine_update_birth_date (WardEngine   *self,
                                WardPatient  *p,
                                const char   *birth_date,
                                GError      **error)
{
  if (g_strcmp0 (p->birth_date, birth_date) == 0)
    return TRUE;

  if (!ward_store_set_birth_date (self->store, p->patient_id, birth_date, error))
    return FALSE;

  g_free (p->birth_date);
  p->birth_date = g_strdup (birth_date);
  p->age_at = G_MININT64;
  /* The open window is scored again: NEWS2 may no longer apply, or may
   * apply again.
   */
  p->dirty = TRUE;
  return TRUE;
}

gboolean
ward_engine_set_birth_date (WardEngine  *self,
                            const char  *patient_id,
                            const char  *birth_date,
                            GError     **error)
{
  WardPatient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  if (!(p = _ward_engine_lookup_patient (self, patient_id, error)))
    return FALSE;

  if (birth_date != NULL && !ward_birth_date_is_valid (birth_date))
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "birth date “%s” is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", birth_date);
      return FALSE;
    }

  return _ward_engine_update_birth_date (self, p, birth_date, error);
}

gboolean
ward_engine_set_identifiers (WardEngine  *self,
                             const char  *patient_id,
                             const char  *hospital_number,
                             const char  *nhs_number,
                             JsonNode    *fhir_identifiers,
                             GError     **error)
{
  WardPatient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (fhir_identifiers == NULL || JSON_NODE_HOLDS_ARRAY (fhir_identifiers), FALSE);

  if (!(p = _ward_engine_lookup_patient (self, patient_id, error)))
    return FALSE;

  g_free (p->hospital_number);
  p->hospital_number = g_strdup (hospital_number);
  g_free (p->nhs_number);
  p->nhs_number = g_strdup (nhs_number);
  g_clear_pointer (&p->fhir_identifiers, json_node_unref);
  if (fhir_identifiers != NULL)
    p->fhir_identifiers = json_node_copy (fhir_identifiers);
  if (self->identity != NULL)
    ward_identity_set_patient_identifiers (self->identity, p->patient_id, p->fhir_identifiers);
  return TRUE;
}

gboolean
ward_engine_assign_device (WardEngine  *self,
                           const char  *device_id,
                           const char  *patient_id,
                           GError     **error)
{
  WardPatient *p = NULL;
  WardDevice *d;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (device_id != NULL, FALSE);

  if (patient_id != NULL && !(p = _ward_engine_lookup_patient (self, patient_id, error)))
    return FALSE;

  if (!ward_store_upsert_device (self->store, device_id, p ? p->bed_id : NULL,
                                 p ? p->patient_id : NULL, error))
    return FALSE;

  /* From the next message on: the bed map comes before the FHIR
   * server's answer, and that answer is asked again when needed.
   */
  if (self->identity != NULL)
    ward_identity_forget (self->identity, device_id);
  self->held_ready = TRUE;
  d = ward_ward_model_ensure_device (&self->model, device_id);
  d->patient = p;
  d->named = NULL;

  return TRUE;
}

gboolean
ward_engine_begin (WardEngine  *self,
                   GError     **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  if (!ward_store_begin (self->store, error))
    return FALSE;

  _ward_engine_take_checkpoint (self);
  return TRUE;
}

gboolean
ward_engine_commit (WardEngine  *self,
                    GError     **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  if (!ward_store_commit (self->store, error))
    return FALSE;

  self->has_checkpoint = FALSE;
  return TRUE;
}

void
ward_engine_rollback (WardEngine *self)
{
  g_return_if_fail (WARD_IS_ENGINE (self));

  ward_store_rollback (self->store);
  _ward_engine_restore_checkpoint (self);
  /* What was queued for FHIR in the batch is gone with it. */
  g_ptr_array_set_size (self->fhir_pending, 0);
  /* And the Patients and Devices it put: they are put again. */
  _ward_engine_forget_fhir_subjects (self);
}

gboolean
ward_engine_evaluate (WardEngine  *self,
                      gint64       now,
                      GError     **error)
{
  GHashTableIter iter;
  gpointer value;
  gint64 window_end;
  gboolean new_window;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  /* When time crosses into a new window, every patient is re-scored:
   * values age out of windows even when nothing new arrives.
   */
  /* Everything made here goes to the local FHIR store first; the
   * measurements' Observations before the scores derived from them.
   */
  if (!_ward_engine_release_held (self, error) ||
      !_ward_engine_ensure_fhir_device (self, now, error) ||
      !_ward_engine_flush_vitals (self, now, error))
    return FALSE;

  ward_window_bounds (&self->config.window, now, NULL, &window_end);
  new_window = window_end != self->last_window_end;
  self->last_window_end = window_end;

  for (guint i = 0; i < self->model.patients->len; i++)
    {
      WardPatient *p = g_ptr_array_index (self->model.patients, i);

      /* And when a value stops counting (its validity ends). */
      if (p->dirty || new_window || now >= p->rescore_at)
        {
          if (!_ward_engine_score_patient (self, p, now, error))
            return FALSE;
          p->dirty = FALSE;
        }

      if (!_ward_engine_run_flag_rules (self, p, now, error) ||
          !_ward_engine_run_model_flag_rules (self, p, now, error))
        return FALSE;
      p->nurse_validated = FALSE;
    }

  g_hash_table_iter_init (&iter, self->model.devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (!_ward_engine_check_silence (self, value, now, error))
        return FALSE;
    }

  return _ward_engine_check_outbox (self, error);
}

const WardCounters *
ward_engine_get_counters (WardEngine *self)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  return &self->counters;
}
