/* ward-pipeline-setup.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline-internal.h"

#include "ward-fhir-auth-config.h"
#include "ward-secret.h"
#include "ward-simulator.h"
#include "ward-ward-file.h"

/* What the pipeline is started with: the demo ward or the ward file,
 * and the FHIR server's authentication.
 */

gboolean
_ward_pipeline_register_demo_ward (WardPipeline  *self,
                                   GError       **error)
{
  guint n = ward_simulator_get_n_beds (self->simulator);

  if (!ward_engine_begin (self->engine, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      const WardSimBed *bed = ward_simulator_get_bed (self->simulator, i);
      /* A second identifier beside the birth date, as a real ward has:
       * the demo's hospital numbers say they are the demo's.
       */
      g_autofree char *hospital_number = g_strdup_printf ("DEMO%04u", i + 1);

      if (!ward_engine_register_bed (self->engine, bed->bed_id, bed->bed_label, bed->patient_id,
                                     bed->patient_name, bed->device_id, bed->spo2_scale, error) ||
          !ward_engine_set_birth_date (self->engine, bed->patient_id, bed->birth_date, error) ||
          !ward_engine_set_identifiers (self->engine, bed->patient_id, hospital_number, NULL, NULL,
                                        error))
        {
          ward_engine_rollback (self->engine);
          return FALSE;
        }
    }

  return ward_engine_commit (self->engine, error);
}

/* The local identity registry: which patient is in which bed, with
 * their identifiers, and which devices are theirs (ward-ward-file.c).
 * The file is checked whole before anything is registered.
 */
gboolean
_ward_pipeline_load_ward_file (WardPipeline  *self,
                               const char    *path,
                               GError       **error)
{
  g_autoptr(WardWardFile) ward_file = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!(ward_file = ward_ward_file_new_from_file (path, &local_error)))
    {
      g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                           local_error->message);
      return FALSE;
    }

  return ward_ward_file_register (ward_file, self->engine, error);
}

/* The FHIR server authentication from --fhir-auth, --fhir-token-file,
 * --fhir-client-id and --fhir-private-key.
 */
const char *
_ward_pipeline_fhir_auth_mode (WardPipeline *self)
{
  return ward_fhir_auth_config_mode (&self->config);
}

gboolean
_ward_pipeline_setup_fhir_auth (WardPipeline  *self,
                                GError       **error)
{
  g_clear_object (&self->fhir_auth);
  g_clear_pointer (&self->fhir_token, g_free);
  self->fhir_auth = ward_fhir_auth_new_for_config (&self->config, &self->fhir_token, error);

  return self->fhir_auth != NULL;
}
