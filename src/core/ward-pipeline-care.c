/* ward-pipeline-care.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline-internal.h"

#include "ward-care-share.h"
#include "ward-care-share-flags.h"

#include <json-glib/json-glib.h>

/* The care team's part of the pipeline: its stage in each tick, its
 * commands, and the Tasks shared with the ward's other stations.
 */

/* The care team's stage, after the engine's, in a savepoint of its own:
 * a fault of its own must not stop the ward's scores and flags (the
 * tasks wait for the next tick, the log says why once a minute); the
 * store failing fails the batch as for any stage.
 */
gboolean
_ward_pipeline_run_care_stage (WardPipeline  *self,
                               gint64         now,
                               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  WardStore *store = ward_engine_get_store (self->engine);
  gint64 mono;

  /* With sharing on, the Flags the engine wrote in this tick and the
   * care team's Communications are in the sharing queue already: the
   * store routes them there when they are written, in this transaction
   * (ward_store_shared_set_routes()), so a new Flag is queued before its
   * Task and nothing here polls the outbox for them.
   */
  if (!_ward_store_exec (store, "SAVEPOINT care_tick", error))
    return FALSE;
  if (ward_care_tick (self->care, now, &local_error))
    return _ward_store_exec (store, "RELEASE care_tick", error);

  if (_ward_pipeline_is_write_failure (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  _ward_store_exec (store, "ROLLBACK TO care_tick", NULL);
  _ward_store_exec (store, "RELEASE care_tick", NULL);
  mono = g_get_monotonic_time ();
  if (self->care_warned_at == 0 || mono - self->care_warned_at >= 60 * G_USEC_PER_SEC)
    {
      g_warning ("The care team's tasks were not updated: %s", local_error->message);
      self->care_warned_at = mono;
    }

  return TRUE;
}

/* A care action that gave way to another station's (two accepts at
 * once): kept as an event, for the people here to read.
 */
static void
share_notice_cb (const char *task_id,
                 const char *notice,
                 gpointer    user_data)
{
  WardPipeline *self = user_data;
  WardStore *store = ward_engine_get_store (self->engine);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *detail = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "task");
  json_builder_add_string_value (builder, task_id);
  json_builder_set_member_name (builder, "notice");
  json_builder_add_string_value (builder, notice);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  detail = json_to_string (root, FALSE);

  if (!ward_store_begin (store, &error) ||
      ward_store_add_event (store, _ward_pipeline_now (self), ward_pipeline_get_station (self),
                            "care-action-superseded", NULL, detail, &error) == 0 ||
      !ward_store_commit (store, &error))
    {
      g_warning ("Cannot record that a care action gave way: %s", error->message);
      ward_store_rollback (store);
    }
}

/* With a FHIR server, Tasks are shared with the ward's other stations
 * (care/ward-care-share.h) instead of going out with the outbox; the
 * station is named by --station, or by the host name.  SMART tokens are
 * not handed to the sharing layer yet: with SMART, Tasks go out as
 * before and the station works alone.
 */
void
_ward_pipeline_start_sharing (WardPipeline *self)
{
  if (self->care == NULL)
    return;
  if (g_strcmp0 (_ward_pipeline_fhir_auth_mode (self), "smart") == 0)
    {
      g_message ("Care tasks are not shared between stations with SMART authentication yet: "
                 "this station coordinates alone");
      return;
    }

  self->fhir_shared = ward_fhir_shared_new (ward_engine_get_store (self->engine),
                                            self->config.fhir_url, ward_pipeline_get_station (self));
  if (self->fhir_token != NULL)
    ward_fhir_shared_set_bearer_token (self->fhir_shared, self->fhir_token);
  ward_care_share_attach (self->care, self->fhir_shared, share_notice_cb, self, NULL);
  ward_care_share_attach_flags (self->care, self->fhir_shared);
  ward_fhir_shared_start (self->fhir_shared);
}

/* At a clean stop (SIGTERM, app.quit): what the last ticks queued is
 * sent, for a bounded time (a server that does not answer must not hang
 * the quit); what is left stays in the store for the next start.
 */
#define SHARED_STOP_TIMEOUT_MSEC 3000

void
_ward_pipeline_stop_sharing (WardPipeline *self)
{
  if (self->fhir_shared == NULL)
    return;

  ward_care_set_shared (self->care, NULL);
  ward_fhir_shared_flush_and_stop (self->fhir_shared, SHARED_STOP_TIMEOUT_MSEC);
  g_clear_object (&self->fhir_shared);
}

void
ward_pipeline_care_async (WardPipeline        *self,
                          WardCareCommand     *command,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (command != NULL);

  cmd = _ward_pipeline_command_new (self, COMMAND_CARE, ward_pipeline_care_async, cancellable,
                                    callback, user_data);
  cmd->care_command = command;
  _ward_pipeline_queue_command (self, cmd);
}

gint64
ward_pipeline_care_finish (WardPipeline  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  return g_task_propagate_int (G_TASK (result), error);
}
