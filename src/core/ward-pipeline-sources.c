/* ward-pipeline-sources.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline-internal.h"

/* Device messages into the pipeline: pushed by the transports, or
 * archived first on a connection of their own and mapped in the
 * pipeline's next tick.
 */

void
_ward_pipeline_push_result_free (PushResult *result)
{
  g_free (result->reason);
  g_free (result);
}

/* A device message to push, identified by the transport's device id or
 * by the sender's key (MLLP: MSH-10 per sending facility); queued as is.
 */
static Command *
push_command_new (WardPipeline        *self,
                  gpointer             source_tag,
                  const char          *source,
                  const char          *content_type,
                  const char          *payload,
                  gssize               length,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  Command *cmd;

  if (length < 0)
    length = strlen (payload);

  cmd = _ward_pipeline_command_new (self, COMMAND_PUSH_MESSAGE, source_tag, cancellable, callback,
                                    user_data);
  cmd->source = g_strdup (source);
  cmd->content_type = g_strdup (content_type);
  cmd->payload = g_bytes_new (payload, length);

  return cmd;
}

void
ward_pipeline_push_message_async (WardPipeline        *self,
                                  const char          *source,
                                  const char          *content_type,
                                  const char          *device_id,
                                  const char          *payload,
                                  gssize               length,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (payload != NULL || length == 0);

  cmd = push_command_new (self, ward_pipeline_push_message_async, source, content_type,
                          payload, length, cancellable, callback, user_data);
  cmd->device_id = g_strdup (device_id);
  _ward_pipeline_queue_command (self, cmd);
}

static gboolean
finish_push (GAsyncResult       *result,
             WardIngestOutcome  *outcome,
             char              **reason,
             gboolean           *duplicate,
             GError            **error)
{
  PushResult *push;

  push = g_task_propagate_pointer (G_TASK (result), error);
  if (push == NULL)
    return FALSE;

  if (outcome != NULL)
    *outcome = push->outcome;
  if (reason != NULL)
    *reason = g_steal_pointer (&push->reason);
  if (duplicate != NULL)
    *duplicate = push->duplicate;
  _ward_pipeline_push_result_free (push);

  return TRUE;
}

gboolean
ward_pipeline_push_message_finish (WardPipeline       *self,
                                   GAsyncResult       *result,
                                   WardIngestOutcome  *outcome,
                                   char              **reason,
                                   GError            **error)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ward_pipeline_push_message_async,
                        FALSE);

  return finish_push (result, outcome, reason, NULL, error);
}

void
ward_pipeline_push_message_once_async (WardPipeline          *self,
                                       const char            *source,
                                       const char            *content_type,
                                       const WardMessageKey  *key,
                                       const char            *payload,
                                       gssize                 length,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (payload != NULL || length == 0);

  cmd = push_command_new (self, ward_pipeline_push_message_once_async, source, content_type,
                          payload, length, cancellable, callback, user_data);
  cmd->key = ward_message_key_copy (key);
  _ward_pipeline_queue_command (self, cmd);
}

gboolean
ward_pipeline_push_message_once_finish (WardPipeline       *self,
                                        GAsyncResult       *result,
                                        WardIngestOutcome  *outcome,
                                        char              **reason,
                                        gboolean           *duplicate,
                                        GError            **error)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        ward_pipeline_push_message_once_async, FALSE);

  return finish_push (result, outcome, reason, duplicate, error);
}

void
ward_pipeline_push_rejected_async (WardPipeline        *self,
                                   const char          *source,
                                   const char          *content_type,
                                   const char          *payload,
                                   gsize                length,
                                   const char          *stage,
                                   const char          *reason,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (payload != NULL || length == 0);
  g_return_if_fail (stage != NULL && reason != NULL);

  cmd = _ward_pipeline_command_new (self, COMMAND_PUSH_REJECTED, ward_pipeline_push_rejected_async,
                                    cancellable, callback, user_data);
  cmd->source = g_strdup (source);
  cmd->content_type = g_strdup (content_type);
  cmd->payload = g_bytes_new (payload, length);
  cmd->reject_stage = g_strdup (stage);
  cmd->reject_reason = g_strdup (reason);
  _ward_pipeline_queue_command (self, cmd);
}

gint64
ward_pipeline_archive_message (WardPipeline  *self,
                               const char    *source,
                               const char    *content_type,
                               const char    *device_id,
                               const char    *payload,
                               gsize          length,
                               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  Command *cmd;
  gint64 raw_id;
  gint64 now;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), 0);
  g_return_val_if_fail (source != NULL, 0);
  g_return_val_if_fail (payload != NULL || length == 0, 0);

  if (self->thread == NULL)
    {
      g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED,
                           "The pipeline is not running");
      return 0;
    }

  now = _ward_pipeline_now (self);

  g_mutex_lock (&self->archive_lock);
  if (self->archive == NULL)
    {
      self->archive = ward_store_open (self->config.db_path, &local_error);
      /* Each message is its own transaction here, so the WAL is synced
       * at checkpoints rather than at every commit: a commit survives a
       * crash of Wardwatch; what power loss can take is the same window
       * the transport's early acknowledgement already has.
       */
      if (self->archive != NULL)
        ward_store_set_sync_full (self->archive, FALSE);
    }
  raw_id = self->archive ? ward_store_add_raw_message (self->archive, now, source, content_type,
                                                       device_id, payload, length, &local_error)
                         : 0;
  g_mutex_unlock (&self->archive_lock);

  if (raw_id == 0)
    {
      /* The technical alarm stands while the archive cannot write, too. */
      ward_store_health_failed (self->health, WARD_STORE_WRITER_ARCHIVE, local_error, now);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }
  ward_store_health_succeeded (self->health, WARD_STORE_WRITER_ARCHIVE, now);

  cmd = g_new0 (Command, 1);
  cmd->type = COMMAND_PROCESS_ARCHIVED;
  cmd->raw_id = raw_id;
  cmd->content_type = g_strdup (content_type);
  cmd->device_id = g_strdup (device_id);
  cmd->payload = g_bytes_new (payload, length);
  g_async_queue_push (self->commands, cmd);
  g_main_context_wakeup (self->context);

  return raw_id;
}

gboolean
ward_pipeline_archive_batch (WardPipeline     *self,
                             const char       *source,
                             const char       *content_type,
                             WardArchiveItem  *items,
                             guint             n_items,
                             GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok = FALSE;
  gint64 now;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (items != NULL || n_items == 0, FALSE);

  if (self->thread == NULL)
    {
      g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED,
                           "The pipeline is not running");
      return FALSE;
    }

  if (n_items == 0)
    return TRUE;

  now = _ward_pipeline_now (self);

  g_mutex_lock (&self->archive_lock);
  if (self->archive == NULL)
    {
      self->archive = ward_store_open (self->config.db_path, &local_error);
      /* As in ward_pipeline_archive_message(): NORMAL survives a kill of
       * Wardwatch, which is what the source's acknowledgement promises.
       */
      if (self->archive != NULL)
        {
          ward_store_set_sync_full (self->archive, FALSE);
          ward_store_archive_set_busy_poll (self->archive);
        }
    }
  if (self->archive != NULL)
    {
      ok = ward_store_begin (self->archive, &local_error) &&
           ward_store_archive_items (self->archive, now, source, content_type, items, n_items,
                                     &local_error) &&
           ward_store_commit (self->archive, &local_error);
      if (!ok)
        ward_store_rollback (self->archive);
    }
  g_mutex_unlock (&self->archive_lock);

  if (!ok)
    {
      /* The technical alarm stands, and the log says it once a minute,
       * while the archive cannot write; the source does not acknowledge.
       */
      ward_store_health_failed (self->health, WARD_STORE_WRITER_ARCHIVE, local_error, now);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  ward_store_health_succeeded (self->health, WARD_STORE_WRITER_ARCHIVE, now);

  for (guint i = 0; i < n_items; i++)
    {
      Command *cmd;

      if (items[i].duplicate_of > 0)
        continue;

      cmd = g_new0 (Command, 1);
      cmd->type = COMMAND_PROCESS_ARCHIVED;
      cmd->raw_id = items[i].raw_id;
      cmd->content_type = g_strdup (content_type);
      cmd->device_id = g_strdup (items[i].device_id);
      cmd->payload = g_bytes_new (items[i].payload, items[i].length);
      g_async_queue_push (self->commands, cmd);
    }
  g_main_context_wakeup (self->context);

  return TRUE;
}
