/* ward-ward-model.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The ward model: beds, patients, devices and their context. */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-ward-model.h"

#include <string.h>

void
ward_patient_free (gpointer data)
{
  WardPatient *p = data;

  g_free (p->patient_id);
  g_free (p->name);
  g_free (p->initials);
  g_free (p->bed_id);
  g_free (p->bed_label);
  g_free (p->device_id);
  g_free (p->birth_date);
  g_free (p->hospital_number);
  g_free (p->nhs_number);
  g_clear_pointer (&p->fhir_identifiers, json_node_unref);
  g_free (p->create_mode_id);
  g_free (p->server_id);
  g_free (p->confirmed_by);
  g_free (p->flag_ack_by);
  g_clear_pointer (&p->scores, g_array_unref);
  g_clear_pointer (&p->model_flags, g_array_unref);
  g_free (p);
}

void
ward_device_free (gpointer data)
{
  WardDevice *d = data;

  g_free (d->device_id);
  g_free (d->server_id);
  g_free (d->alert_ack_by);
  g_free (d);
}

static char *
make_initials (const char *name)
{
  g_auto(GStrv) words = NULL;
  GString *str = g_string_new (NULL);

  if (name == NULL)
    return g_string_free (str, FALSE);

  words = g_strsplit (name, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      gunichar c = g_utf8_get_char_validated (words[i], -1);

      if (words[i][0] == '\0' || c == (gunichar) -1 || c == (gunichar) -2)
        continue;
      g_string_append_unichar (str, g_unichar_toupper (c));
      g_string_append_c (str, '.');
    }

  return g_string_free (str, FALSE);
}

/* Computed once per window. */
int
ward_patient_age_at (WardPatient *p,
                     gint64       window_end)
{
  if (p->age_at != window_end)
    {
      p->age = ward_age_in_years (p->birth_date, window_end);
      p->age_at = window_end;
    }

  return p->age;
}

void
ward_patient_update_latest (WardPatient           *p,
                            const WardMeasurement *m)
{
  WardLatestValue *v = &p->latest[m->kind];

  WardLatestValue value = {
    .valid = TRUE,
    .value = m->value,
    .observed_at = m->observed_at,
    .source = m->source,
    .entered_by = m->source == WARD_SOURCE_NURSE ? g_intern_string (m->entered_by) : NULL,
  };

  if (m->source == WARD_SOURCE_NURSE &&
      !(p->nurse_latest[m->kind].valid && p->nurse_latest[m->kind].observed_at > m->observed_at))
    {
      p->nurse_latest[m->kind] = value;
      p->dirty = TRUE;
    }

  /* Spot values (NIBP, temperature) may arrive late and out of order:
   * the newest observation wins, whatever the order of arrival.
   */
  if (v->valid && v->observed_at > m->observed_at)
    return;

  *v = value;
  p->dirty = TRUE;
}

/* The patient a device's technical alerts belong to, or NULL. */
const char *
ward_device_patient_id (const WardDevice *d)
{
  if (d->patient != NULL)
    return d->patient->patient_id;
  if (d->named != NULL)
    return d->named->patient_id;
  return NULL;
}

void
ward_ward_model_init (WardWardModel *model)
{
  model->patients = g_ptr_array_new_with_free_func (ward_patient_free);
  model->by_patient = g_hash_table_new (g_str_hash, g_str_equal);
  model->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, ward_device_free);
}

void
ward_ward_model_clear (WardWardModel *model)
{
  g_clear_pointer (&model->devices, g_hash_table_unref);
  g_clear_pointer (&model->by_patient, g_hash_table_unref);
  g_clear_pointer (&model->patients, g_ptr_array_unref);
}

WardPatient *
ward_ward_model_add_patient (WardWardModel *model,
                             const char    *bed_id,
                             const char    *bed_label,
                             const char    *patient_id,
                             const char    *patient_name,
                             const char    *device_id,
                             int            spo2_scale)
{
  WardPatient *p;

  g_return_val_if_fail (bed_id != NULL && bed_label != NULL && patient_id != NULL, NULL);

  if (g_hash_table_contains (model->by_patient, patient_id))
    return NULL;

  p = g_new0 (WardPatient, 1);
  p->age = -1;
  p->age_at = G_MININT64;
  p->patient_id = g_strdup (patient_id);
  p->name = g_strdup (patient_name);
  p->initials = make_initials (patient_name);
  p->bed_id = g_strdup (bed_id);
  p->bed_label = g_strdup (bed_label);
  p->device_id = g_strdup (device_id);
  p->spo2_scale = spo2_scale == 2 ? 2 : 1;
  p->scores = g_array_new (FALSE, TRUE, sizeof (WardScore));
  g_array_set_clear_func (p->scores, (GDestroyNotify) ward_score_clear);
  p->model_flags = ward_model_flags_copy (NULL);
  g_ptr_array_add (model->patients, p);
  g_hash_table_insert (model->by_patient, p->patient_id, p);

  return p;
}

WardPatient *
ward_ward_model_lookup_patient (WardWardModel *model,
                                const char    *patient_id)
{
  return patient_id != NULL ? g_hash_table_lookup (model->by_patient, patient_id) : NULL;
}

guint
ward_ward_model_get_n_patients (WardWardModel *model)
{
  return model->patients->len;
}

WardPatient *
ward_ward_model_get_patient (WardWardModel *model,
                             guint          index)
{
  g_return_val_if_fail (index < model->patients->len, NULL);

  return g_ptr_array_index (model->patients, index);
}

WardDevice *
ward_ward_model_lookup_device (WardWardModel *model,
                               const char    *device_id)
{
  return device_id != NULL ? g_hash_table_lookup (model->devices, device_id) : NULL;
}

WardDevice *
ward_ward_model_ensure_device (WardWardModel *model,
                               const char    *device_id)
{
  WardDevice *d = g_hash_table_lookup (model->devices, device_id);

  if (d == NULL)
    {
      d = g_new0 (WardDevice, 1);
      d->device_id = g_strdup (device_id);
      g_hash_table_insert (model->devices, d->device_id, d);
    }

  return d;
}

void
ward_model_flag_state_clear (WardModelFlagState *state)
{
  g_clear_pointer (&state->kind, g_free);
  g_clear_pointer (&state->version, g_free);
  g_clear_pointer (&state->ack_by, g_free);
}

GArray *
ward_model_flags_copy (GArray *flags)
{
  GArray *copy = g_array_new (FALSE, TRUE, sizeof (WardModelFlagState));

  g_array_set_clear_func (copy, (GDestroyNotify) ward_model_flag_state_clear);
  for (guint i = 0; flags != NULL && i < flags->len; i++)
    {
      WardModelFlagState s = g_array_index (flags, WardModelFlagState, i);

      s.kind = g_strdup (s.kind);
      s.version = g_strdup (s.version);
      s.ack_by = g_strdup (s.ack_by);
      g_array_append_val (copy, s);
    }

  return copy;
}
