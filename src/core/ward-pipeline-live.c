/* ward-pipeline-live.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline-live.h"
#include "ward-pipeline-internal.h"
#include "ward-pipeline-private.h"

#include <math.h>

#include "ward-fhir-template.h"
#include "ward-policy.h"
#include "ward-routing.h"
#include "ward-secret.h"

/* Changes to a running pipeline.  The caller's thread checks; the
 * pipeline thread applies, from an idle on its own context: that runs
 * between two ticks, never inside one, so the engine and the care stage
 * are only ever touched by their own thread.
 */

gboolean
_ward_pipeline_engine_config (const WardPipelineConfig  *config,
                              const char                *policy_file,
                              WardEngineConfig          *engine_config,
                              GError                   **error)
{
  ward_engine_config_init (engine_config);
  engine_config->window.window_usec = config->window_usec;
  engine_config->window.step_usec = config->window_step_usec;
  engine_config->window.validity_usec[WARD_NEWS2_CONSCIOUSNESS] = config->nurse_validity_usec;
  engine_config->window.validity_usec[WARD_NEWS2_AIR_OR_OXYGEN] = config->nurse_validity_usec;
  engine_config->flags.threshold = config->flag_threshold;
  engine_config->flags.open_delay_usec = config->flag_open_delay_usec;
  engine_config->flags.close_delay_usec = config->flag_close_delay_usec;
  engine_config->device_silence_usec = config->device_silence_usec;
  engine_config->vitals_observations = config->vitals_observations;
  engine_config->outbox_limit = config->outbox_limit;

  /* The policy's keys win over the options above. */
  if (policy_file != NULL && !ward_policy_load_file (policy_file, engine_config, error))
    return FALSE;

  return TRUE;
}

static gint64
sync_clock (gpointer data)
{
  return _ward_pipeline_now (data);
}

/* Pipeline thread (or before it runs): the outbox's sync to
 * config.fhir_url with self->fhir_auth, and the Tasks shared with the
 * other stations.
 */
void
_ward_pipeline_start_fhir (WardPipeline *self)
{
  g_autoptr(GError) template_error = NULL;
  g_autoptr(WardFhirTemplate) vitals = NULL;

  g_assert (self->fhir_sync == NULL);

  if (self->config.fhir_url == NULL || self->fhir_auth == NULL)
    return;

  self->fhir_sync = ward_fhir_sync_new (ward_engine_get_store (self->engine),
                                        self->config.fhir_url, NULL);
  ward_fhir_sync_set_auth (self->fhir_sync, self->fhir_auth);
  ward_fhir_sync_set_clock (self->fhir_sync, sync_clock, self);
  /* The engine's vital-signs mapping: its rules merge our Observations
   * into the copies the IoMT connector wrote.
   */
  vitals = ward_fhir_template_new_from_resource (WARD_ENGINE_VITALS_MAPPING_RESOURCE,
                                                 &template_error);
  if (vitals == NULL)
    g_error ("The built-in FHIR mapping does not load: %s", template_error->message);
  ward_fhir_sync_set_template (self->fhir_sync, vitals);
  ward_fhir_sync_start (self->fhir_sync);
  _ward_pipeline_start_sharing (self);
}

/* Policy */

typedef struct
{
  WardPipeline     *self;
  WardEngineConfig  engine_config;
  WardCarePolicy   *care_policy;
  char             *policy_file;
} PolicyChange;

static void
policy_change_free (gpointer data)
{
  PolicyChange *change = data;

  g_object_unref (change->self);
  g_clear_pointer (&change->care_policy, ward_care_policy_free);
  g_free (change->policy_file);
  g_free (change);
}

static gboolean
apply_policy_cb (gpointer data)
{
  PolicyChange *change = data;
  WardPipeline *self = change->self;
  gboolean sharing;

  if (self->engine == NULL || self->stopped)
    return G_SOURCE_REMOVE;

  ward_engine_set_config (self->engine, &change->engine_config);
  self->measurement_retention_usec =
    _ward_pipeline_measurement_retention (&self->config, &change->engine_config);

  /* The care stage keeps nothing of its own between ticks (the tasks
   * are in the store): a new one with the new routing, attached to the
   * sharing layer as the old one was.
   */
  sharing = self->fhir_shared != NULL;
  _ward_pipeline_stop_sharing (self);
  g_clear_object (&self->care);
  self->care = ward_care_new (self->engine, change->care_policy, NULL,
                              ward_pipeline_get_station (self));
  if (sharing)
    _ward_pipeline_start_sharing (self);

  g_message ("Ward policy now from %s",
             change->policy_file != NULL ? change->policy_file : "the built-in defaults");

  return G_SOURCE_REMOVE;
}

gboolean
ward_pipeline_reload_policy (WardPipeline  *self,
                             const char    *policy_file,
                             GError       **error)
{
  PolicyChange *change;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread == NULL)
    {
      g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED,
                           "The pipeline is not running");
      return FALSE;
    }

  change = g_new0 (PolicyChange, 1);
  change->care_policy = ward_care_policy_new ();
  /* The options the pipeline started with do not change after start. */
  if (!_ward_pipeline_engine_config (&self->config, policy_file, &change->engine_config, error) ||
      (policy_file != NULL &&
       !ward_care_policy_load_file (change->care_policy, policy_file, error)))
    {
      g_clear_pointer (&change->care_policy, ward_care_policy_free);
      g_free (change);
      return FALSE;
    }
  change->self = g_object_ref (self);
  change->policy_file = g_strdup (policy_file);

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, apply_policy_cb, change,
                              policy_change_free);
  return TRUE;
}

/* Retention */

typedef struct
{
  WardPipeline *self;
  double        raw_days;
  double        measurement_days;
} RetentionChange;

static void
retention_change_free (gpointer data)
{
  RetentionChange *change = data;

  g_object_unref (change->self);
  g_free (change);
}

static gboolean
apply_retention_cb (gpointer data)
{
  RetentionChange *change = data;
  WardPipeline *self = change->self;

  if (self->engine == NULL || self->stopped)
    return G_SOURCE_REMOVE;

  self->config.raw_retention_days = change->raw_days;
  self->config.measurement_retention_days = change->measurement_days;
  self->measurement_retention_usec =
    _ward_pipeline_measurement_retention (&self->config, ward_engine_get_config (self->engine));
  /* Looked at again at the next tick, not an hour from the last run. */
  self->last_pruned = 0;
  self->last_measurements_pruned = 0;

  return G_SOURCE_REMOVE;
}

void
ward_pipeline_set_retention (WardPipeline *self,
                             double        raw_days,
                             double        measurement_days)
{
  RetentionChange *change;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (raw_days >= 0);
  g_return_if_fail (isnan (measurement_days) || measurement_days >= 0);

  if (self->thread == NULL)
    return;

  change = g_new0 (RetentionChange, 1);
  change->self = g_object_ref (self);
  change->raw_days = raw_days;
  change->measurement_days = measurement_days;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, apply_retention_cb, change,
                              retention_change_free);
}

/* FHIR */

gboolean
ward_pipeline_config_fhir_equal (const WardPipelineConfig *a,
                                 const WardPipelineConfig *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->fhir_url, b->fhir_url) == 0 &&
         g_strcmp0 (a->fhir_auth, b->fhir_auth) == 0 &&
         g_strcmp0 (a->fhir_token_file, b->fhir_token_file) == 0 &&
         g_strcmp0 (a->fhir_client_id, b->fhir_client_id) == 0 &&
         g_strcmp0 (a->fhir_private_key, b->fhir_private_key) == 0;
}

static void
set_fhir_fields (WardPipelineConfig       *dest,
                 const WardPipelineConfig *src)
{
  g_free (dest->fhir_url);
  dest->fhir_url = g_strdup (src->fhir_url);
  g_free (dest->fhir_auth);
  dest->fhir_auth = g_strdup (src->fhir_auth);
  g_free (dest->fhir_token_file);
  dest->fhir_token_file = g_strdup (src->fhir_token_file);
  g_free (dest->fhir_client_id);
  dest->fhir_client_id = g_strdup (src->fhir_client_id);
  g_free (dest->fhir_private_key);
  dest->fhir_private_key = g_strdup (src->fhir_private_key);
}

static gboolean
apply_fhir_cb (gpointer data)
{
  GTask *task = data;
  WardPipeline *self = g_task_get_source_object (task);
  const WardPipelineConfig *config = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (self->engine == NULL || self->stopped)
    {
      g_task_return_new_error (task, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED,
                               "The pipeline is not running");
      return G_SOURCE_REMOVE;
    }

  /* What is in flight is cancelled and stays pending in the outbox; the
   * shared Tasks get their bounded last try, as at a stop.
   */
  if (self->fhir_sync != NULL)
    {
      ward_fhir_sync_stop (self->fhir_sync);
      g_clear_object (&self->fhir_sync);
    }
  _ward_pipeline_stop_sharing (self);
  g_clear_object (&self->fhir_auth);
  if (self->fhir_token != NULL)
    {
      ward_secret_free (self->fhir_token);
      self->fhir_token = NULL;
    }

  set_fhir_fields (&self->config, config);
  if (self->config.fhir_url != NULL && !_ward_pipeline_setup_fhir_auth (self, &error))
    {
      g_message ("FHIR server %s not used: %s", self->config.fhir_url, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return G_SOURCE_REMOVE;
    }

  _ward_pipeline_start_fhir (self);
  g_message ("FHIR server now %s", self->config.fhir_url != NULL ? self->config.fhir_url : "none");
  g_task_return_boolean (task, TRUE);

  return G_SOURCE_REMOVE;
}

static void
config_free (gpointer data)
{
  WardPipelineConfig *config = data;

  ward_pipeline_config_clear (config);
  g_free (config);
}

void
ward_pipeline_reconfigure_fhir_async (WardPipeline             *self,
                                      const WardPipelineConfig *config,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  WardPipelineConfig *copy;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (config != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_pipeline_reconfigure_fhir_async);

  if (self->thread == NULL)
    {
      g_task_return_new_error (task, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED,
                               "The pipeline is not running");
      return;
    }

  copy = g_new0 (WardPipelineConfig, 1);
  ward_pipeline_config_init (copy);
  set_fhir_fields (copy, config);
  g_task_set_task_data (task, copy, config_free);

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, apply_fhir_cb,
                              g_steal_pointer (&task), g_object_unref);
}

gboolean
ward_pipeline_reconfigure_fhir_finish (WardPipeline  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Device mapping */

typedef struct
{
  WardPipeline       *self;
  WardDeviceTemplate *device_template;
} MappingChange;

static void
mapping_change_free (gpointer data)
{
  MappingChange *change = data;

  g_object_unref (change->self);
  g_object_unref (change->device_template);
  g_free (change);
}

static gboolean
apply_mapping_cb (gpointer data)
{
  MappingChange *change = data;

  /* Messages are mapped in the tick (ward_engine_map_message()), so the
   * next one is mapped with the new template and none half with each.
   */
  if (change->self->engine != NULL && !change->self->stopped)
    ward_engine_set_device_template (change->self->engine, change->device_template);

  return G_SOURCE_REMOVE;
}

gboolean
ward_pipeline_set_device_mapping (WardPipeline  *self,
                                  const char    *path,
                                  GError       **error)
{
  g_autoptr(WardDeviceTemplate) device_template = NULL;
  MappingChange *change;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread == NULL)
    {
      g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED,
                           "The pipeline is not running");
      return FALSE;
    }

  device_template = path != NULL ? ward_device_template_new_from_file (path, error)
                                 : ward_device_template_new_default (error);
  if (device_template == NULL)
    return FALSE;

  change = g_new0 (MappingChange, 1);
  change->self = g_object_ref (self);
  change->device_template = g_steal_pointer (&device_template);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, apply_mapping_cb, change,
                              mapping_change_free);
  return TRUE;
}
