/* ward-engine-nurse.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Nurse commands: observations, SpO2 scale, confirmation, acknowledgement.
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <string.h>

gboolean
ward_engine_nurse_entry (WardEngine    *self,
                         const char    *patient_id,
                         WardMeasKind   kind,
                         double         value,
                         gint64         at,
                         const char    *user,
                         GError       **error)
{
  g_autofree char *detail = NULL;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  WardMeasurement m = { 0 };
  WardPatient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (kind < WARD_MEAS_N_KINDS, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!(p = _ward_engine_lookup_patient (self, patient_id, error)))
    return FALSE;

  if (!ward_measurement_is_plausible (kind, value))
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "%s: impossible value %s", ward_meas_kind_to_string (kind),
                   g_ascii_dtostr (buf, sizeof buf, value));
      return FALSE;
    }

  m.kind = kind;
  m.value = value;
  m.observed_at = at;
  m.source = WARD_SOURCE_NURSE;
  m.patient_id = p->patient_id;
  m.entered_by = (char *) user;

  if (ward_store_add_measurement (self->store, &m, at, error) == 0)
    return FALSE;
  self->counters.measurements++;
  ward_patient_update_latest (p, &m);

  detail = g_strdup_printf ("{\"kind\":\"%s\",\"value\":%s}", ward_meas_kind_to_string (kind),
                            g_ascii_dtostr (buf, sizeof buf, value));
  return _ward_engine_record_event (self, at, user, "nurse-entry", p->patient_id, detail, error);
}

gboolean
ward_engine_nurse_entries (WardEngine            *self,
                           const char            *patient_id,
                           const WardNurseEntry  *entries,
                           guint                  n_entries,
                           gint64                 at,
                           const char            *user,
                           GError               **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (entries != NULL || n_entries == 0, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (_ward_engine_lookup_patient (self, patient_id, error) == NULL)
    return FALSE;

  for (guint i = 0; i < n_entries; i++)
    {
      g_return_val_if_fail (entries[i].kind < WARD_MEAS_N_KINDS, FALSE);

      if (!ward_measurement_is_plausible (entries[i].kind, entries[i].value))
        {
          g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                       "%s: impossible value %s; nothing of this round was recorded",
                       ward_meas_kind_to_string (entries[i].kind),
                       g_ascii_dtostr (buf, sizeof buf, entries[i].value));
          return FALSE;
        }
    }

  for (guint i = 0; i < n_entries; i++)
    {
      if (!ward_engine_nurse_entry (self, patient_id, entries[i].kind, entries[i].value, at, user,
                                    error))
        return FALSE;
    }

  /* A full round (all seven NEWS2 parameters) is the nurse's own score:
   * it needs no sustain delay to open a flag.
   */
  {
    guint n_covered = 0;

    for (guint k = 0; k < WARD_NEWS2_N_PARAMS; k++)
      {
        for (guint i = 0; i < n_entries; i++)
          {
            if (entries[i].kind == ward_window_param_kind (k))
              {
                n_covered++;
                break;
              }
          }
      }
    if (n_covered == WARD_NEWS2_N_PARAMS)
      _ward_engine_lookup_patient (self, patient_id, NULL)->nurse_validated = TRUE;
  }

  return TRUE;
}

gboolean
ward_engine_set_spo2_scale (WardEngine  *self,
                            const char  *patient_id,
                            int          scale,
                            gint64       at,
                            const char  *user,
                            GError     **error)
{
  return ward_engine_set_spo2_scale_full (self, patient_id, scale, user, at, user, error);
}

gboolean
ward_engine_set_spo2_scale_full (WardEngine  *self,
                                 const char  *patient_id,
                                 int          scale,
                                 const char  *decided_by,
                                 gint64       at,
                                 const char  *user,
                                 GError     **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *detail = NULL;
  WardPatient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (decided_by != NULL, FALSE);

  if (!(p = _ward_engine_lookup_patient (self, patient_id, error)))
    return FALSE;

  if (scale != 1 && scale != 2)
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "spo2_scale: %d is not 1 or 2", scale);
      return FALSE;
    }

  if (!ward_store_set_spo2_scale (self->store, p->patient_id, scale, decided_by, at, error))
    return FALSE;

  p->spo2_scale = scale;
  p->dirty = TRUE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "spo2_scale");
  json_builder_add_int_value (builder, scale);
  json_builder_set_member_name (builder, "decided_by");
  json_builder_add_string_value (builder, decided_by);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  detail = json_to_string (root, FALSE);

  return _ward_engine_record_event (self, at, user, "spo2-scale", p->patient_id, detail, error);
}

gboolean
ward_engine_confirm (WardEngine  *self,
                     const char  *patient_id,
                     gint64       at,
                     const char  *user,
                     GError     **error)
{
  WardPatient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!(p = _ward_engine_lookup_patient (self, patient_id, error)))
    return FALSE;

  p->confirmed_at = at;
  g_free (p->confirmed_by);
  p->confirmed_by = g_strdup (user);
  p->dirty = TRUE;
  p->nurse_validated = TRUE;

  return _ward_engine_record_event (self, at, user, "confirm", p->patient_id, NULL, error);
}

static gboolean
acknowledge (WardEngine  *self,
             gint64       flag_id,
             gint64       at,
             const char  *user,
             const char  *station,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *patient_id = NULL;
  WardPatient *p;

  if (!ward_store_acknowledge_flag (self->store, flag_id, user, at, &patient_id, &local_error))
    {
      if (g_error_matches (local_error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND))
        g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_NO_FLAG,
                     "Flag %" G_GINT64_FORMAT " is not open", flag_id);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  p = ward_ward_model_lookup_patient (&self->model, patient_id);
  if (p != NULL && p->flag_id == flag_id)
    {
      g_free (p->flag_ack_by);
      p->flag_ack_by = g_strdup (user);
      p->flag_ack_at = at;
      /* The acknowledgement is on the FHIR Flag too: the other stations
       * of the ward read it there.
       */
      if (!_ward_engine_ensure_fhir_device (self, at, error) ||
          !_ward_engine_put_flag (self, p, 0, at, error))
        return FALSE;
    }
  else if (_ward_engine_model_flag_acknowledged (self, p, flag_id, user, at))
    {
      /* On the model's FHIR Flag too, as for NEWS2's. */
      if (!_ward_engine_ensure_fhir_device (self, at, error) ||
          !_ward_engine_put_model_flag_of (self, p, flag_id, at, error))
        return FALSE;
    }
  else
    {
      GHashTableIter iter;
      gpointer value;

      /* A technical alert (a silent device) is a flag too. */
      g_hash_table_iter_init (&iter, self->model.devices);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          WardDevice *d = value;

          if (d->alert_id == flag_id)
            {
              g_free (d->alert_ack_by);
              d->alert_ack_by = g_strdup (user);
              d->alert_ack_at = at;
              break;
            }
        }
    }

  if (station == NULL)
    {
      detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT "}", flag_id);
      return _ward_engine_record_event (self, at, user, "acknowledge", patient_id, detail, error);
    }

  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "flag_id");
    json_builder_add_int_value (builder, flag_id);
    json_builder_set_member_name (builder, "station");
    json_builder_add_string_value (builder, station);
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    detail = json_to_string (root, FALSE);
  }
  return _ward_engine_record_event (self, at, user, "acknowledge-shared", patient_id, detail, error);
}

gboolean
ward_engine_acknowledge (WardEngine  *self,
                         gint64       flag_id,
                         gint64       at,
                         const char  *user,
                         GError     **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  return acknowledge (self, flag_id, at, user, NULL, error);
}

gboolean
ward_engine_acknowledge_shared (WardEngine  *self,
                                gint64       flag_id,
                                gint64       at,
                                const char  *user,
                                const char  *station,
                                GError     **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (station != NULL, FALSE);

  return acknowledge (self, flag_id, at, user, station, error);
}
