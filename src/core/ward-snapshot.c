/* ward-snapshot.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-snapshot"

#include "config.h"

#include "ward-snapshot.h"

struct _WardSnapshot
{
  gint64        now;
  guint64       serial;
  GArray       *beds;       /* WardBedState, owned */
  WardCounters  counters;
  WardFhirStatus fhir;
  char         *fhir_error; /* fhir.last_error */
  WardStoreStatus store;
  char         *store_error; /* store.last_error */
};

G_DEFINE_BOXED_TYPE (WardSnapshot, ward_snapshot, ward_snapshot_ref, ward_snapshot_unref)

static void
snapshot_free (gpointer data)
{
  WardSnapshot *self = data;

  g_clear_pointer (&self->beds, g_array_unref);
  g_clear_pointer (&self->fhir_error, g_free);
  g_clear_pointer (&self->store_error, g_free);
}

void
_ward_bed_state_clear (WardBedState *bed)
{
  g_clear_pointer (&bed->bed_id, g_free);
  g_clear_pointer (&bed->bed_label, g_free);
  g_clear_pointer (&bed->patient_id, g_free);
  g_clear_pointer (&bed->patient_name, g_free);
  g_clear_pointer (&bed->patient_initials, g_free);
  g_clear_pointer (&bed->device_id, g_free);
  g_clear_pointer (&bed->flag_acknowledged_by, g_free);
  g_clear_pointer (&bed->technical_alert_acknowledged_by, g_free);
  g_clear_pointer (&bed->hospital_number, g_free);
  g_clear_pointer (&bed->nhs_number, g_free);
  g_clear_pointer (&bed->birth_date, g_free);
  g_clear_pointer (&bed->scores, g_array_unref);
  g_clear_pointer (&bed->bed_nurse, g_free);
  g_clear_pointer (&bed->open_tasks, g_ptr_array_unref);
  g_clear_pointer (&bed->model_flags, g_array_unref);
}

void
ward_model_flag_view_clear (WardModelFlagView *view)
{
  g_clear_pointer (&view->kind, g_free);
  g_clear_pointer (&view->version, g_free);
  g_clear_pointer (&view->acknowledged_by, g_free);
}

WardSnapshot *
_ward_snapshot_new (gint64              now,
                    guint64             serial,
                    GArray             *beds,
                    const WardCounters *counters)
{
  WardSnapshot *self;

  g_return_val_if_fail (beds != NULL, NULL);
  g_return_val_if_fail (counters != NULL, NULL);

  self = g_atomic_rc_box_new0 (WardSnapshot);
  self->now = now;
  self->serial = serial;
  self->beds = g_array_ref (beds);
  self->counters = *counters;

  return self;
}

void
_ward_snapshot_set_fhir_status (WardSnapshot *self,
                                gboolean      configured,
                                gint64        failing_since,
                                const char   *last_error)
{
  g_return_if_fail (self != NULL);

  g_free (self->fhir_error);
  self->fhir_error = configured ? g_strdup (last_error) : NULL;
  self->fhir.configured = configured;
  self->fhir.failing_since = configured ? failing_since : 0;
  self->fhir.last_error = self->fhir_error;
}

void
_ward_snapshot_set_bed_care (WardSnapshot *self,
                             guint         index,
                             const char   *bed_nurse,
                             GPtrArray    *tasks)
{
  WardBedState *bed;

  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->beds->len);

  bed = &g_array_index (self->beds, WardBedState, index);
  g_free (bed->bed_nurse);
  bed->bed_nurse = g_strdup (bed_nurse);
  g_clear_pointer (&bed->open_tasks, g_ptr_array_unref);
  bed->open_tasks = tasks;
}

const WardFhirStatus *
ward_snapshot_get_fhir_status (WardSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->fhir;
}

void
_ward_snapshot_set_store_status (WardSnapshot       *self,
                                 WardStoreCondition  condition,
                                 gint64              failing_since,
                                 const char         *last_error)
{
  g_return_if_fail (self != NULL);

  g_free (self->store_error);
  self->store_error = condition != WARD_STORE_CONDITION_NONE ? g_strdup (last_error) : NULL;
  self->store.condition = condition;
  self->store.failing_since = condition != WARD_STORE_CONDITION_NONE ? failing_since : 0;
  self->store.last_error = self->store_error;
}

const WardStoreStatus *
ward_snapshot_get_store_status (WardSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->store;
}

WardSnapshot *
ward_snapshot_ref (WardSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
ward_snapshot_unref (WardSnapshot *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, snapshot_free);
}

gint64
ward_snapshot_get_now (WardSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->now;
}

guint64
ward_snapshot_get_serial (WardSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->serial;
}

guint
ward_snapshot_get_n_beds (WardSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->beds->len;
}

const WardBedState *
ward_snapshot_get_bed (WardSnapshot *self,
                       guint         index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->beds->len, NULL);

  return &g_array_index (self->beds, WardBedState, index);
}

const WardCounters *
ward_snapshot_get_counters (WardSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->counters;
}
