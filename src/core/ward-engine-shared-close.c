/* ward-engine-shared-close.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A flag closed at another station of the ward (issue #16): its shared
 * Flag came back inactive or entered-in-error.  The flag closes here as
 * it would on this station's own data (the row, the FHIR Flag, the
 * patient's flag state, a "flag-closed" event naming the station), and
 * the patient's tracker is held: the data that still stand above the
 * threshold do not open a new flag, only a new crossing does
 * (ward_flag_tracker_hold()).
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

#include <json-glib/json-glib.h>

static char *
close_detail (gint64      flag_id,
              const char *station)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "flag_id");
  json_builder_add_int_value (builder, flag_id);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, "closed-at-another-station");
  json_builder_set_member_name (builder, "station");
  json_builder_add_string_value (builder, station);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
ward_engine_close_shared (WardEngine  *self,
                          gint64       flag_id,
                          gint64       closed_at,
                          const char  *station,
                          GError     **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (station != NULL, FALSE);

  for (guint i = 0; flag_id != 0 && i < ward_ward_model_get_n_patients (&self->model); i++)
    {
      WardPatient *p = ward_ward_model_get_patient (&self->model, i);
      g_autofree char *detail = NULL;
      gboolean found = FALSE;
      WardBand band;

      if (!_ward_engine_close_model_flag_held (self, p, flag_id, closed_at, &found, error))
        return FALSE;
      if (found)
        return TRUE;
      if (p->flag_id != flag_id)
        continue;

      /* NEWS2's flag: closed as the flag rules close it, then held at
       * its band.
       */
      band = p->flag_band;
      if (!ward_store_close_flag (self->store, flag_id, closed_at, error) ||
          !_ward_engine_put_flag (self, p, closed_at, closed_at, error))
        return FALSE;
      p->flag_id = 0;
      p->flag_opened_at = 0;
      p->flag_crossed_at = 0;
      g_clear_pointer (&p->flag_ack_by, g_free);
      p->flag_ack_at = 0;
      p->flag_escalated_at = 0;
      ward_flag_tracker_hold (&p->tracker, band);
      detail = close_detail (flag_id, station);
      return _ward_engine_record_event (self, closed_at, SYSTEM_ACTOR, "flag-closed",
                                        p->patient_id, detail, error);
    }

  g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_NO_FLAG,
               "Flag %" G_GINT64_FORMAT " is not open", flag_id);
  return FALSE;
}
