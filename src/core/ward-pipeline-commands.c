/* ward-pipeline-commands.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline-internal.h"

#include "ward-simulator.h"

/* The pipeline's commands: queued from any thread, run in the pipeline
 * thread's next tick, completed once their transaction is committed
 * (ward-pipeline.c: run_command(), complete_commands()).
 */

void
_ward_pipeline_command_free (Command *cmd)
{
  g_clear_object (&cmd->task);
  g_free (cmd->patient_id);
  g_free (cmd->user);
  g_free (cmd->decided_by);
  g_clear_pointer (&cmd->entries, g_array_unref);
  g_free (cmd->source);
  g_free (cmd->content_type);
  g_free (cmd->device_id);
  g_free (cmd->reason);
  g_clear_pointer (&cmd->payload, g_bytes_unref);
  g_clear_pointer (&cmd->mapped, ward_mapped_free);
  g_clear_pointer (&cmd->key, ward_message_key_free);
  g_free (cmd->reject_stage);
  g_free (cmd->reject_reason);
  g_clear_pointer (&cmd->care_command, ward_care_command_free);
  g_clear_error (&cmd->error);
  g_free (cmd);
}

void
_ward_pipeline_queue_command (WardPipeline *self,
                              Command      *cmd)
{
  if (self->thread == NULL)
    {
      g_task_return_new_error (cmd->task, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED,
                               "The pipeline is not running");
      _ward_pipeline_command_free (cmd);
      return;
    }

  g_async_queue_push (self->commands, cmd);
  g_main_context_wakeup (self->context);
}

Command *
_ward_pipeline_command_new (WardPipeline        *self,
                            CommandType          type,
                            gpointer             source_tag,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Command *cmd = g_new0 (Command, 1);

  cmd->type = type;
  cmd->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (cmd->task, source_tag);

  return cmd;
}

void
ward_pipeline_nurse_entry_async (WardPipeline        *self,
                                 const char          *patient_id,
                                 WardMeasKind         kind,
                                 double               value,
                                 const char          *user,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  const WardNurseEntry entry = { kind, value };

  /* A round of one. */
  ward_pipeline_nurse_entries_async (self, patient_id, &entry, 1, user, cancellable, callback,
                                     user_data);
}

void
ward_pipeline_nurse_entries_async (WardPipeline          *self,
                                   const char            *patient_id,
                                   const WardNurseEntry  *entries,
                                   guint                  n_entries,
                                   const char            *user,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (patient_id != NULL && user != NULL);
  g_return_if_fail (entries != NULL || n_entries == 0);

  cmd = _ward_pipeline_command_new (self, COMMAND_NURSE_ENTRIES, ward_pipeline_nurse_entries_async,
                                    cancellable, callback, user_data);
  cmd->patient_id = g_strdup (patient_id);
  cmd->entries = g_array_sized_new (FALSE, FALSE, sizeof (WardNurseEntry), n_entries);
  g_array_append_vals (cmd->entries, entries, n_entries);
  cmd->user = g_strdup (user);
  _ward_pipeline_queue_command (self, cmd);
}

void
ward_pipeline_set_spo2_scale_async (WardPipeline        *self,
                                    const char          *patient_id,
                                    int                  scale,
                                    const char          *decided_by,
                                    const char          *user,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (patient_id != NULL && decided_by != NULL && user != NULL);

  cmd = _ward_pipeline_command_new (self, COMMAND_SPO2_SCALE, ward_pipeline_set_spo2_scale_async,
                                    cancellable, callback, user_data);
  cmd->patient_id = g_strdup (patient_id);
  cmd->scale = scale;
  cmd->decided_by = g_strdup (decided_by);
  cmd->user = g_strdup (user);
  _ward_pipeline_queue_command (self, cmd);
}

void
ward_pipeline_confirm_async (WardPipeline        *self,
                             const char          *patient_id,
                             const char          *user,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (patient_id != NULL && user != NULL);

  cmd = _ward_pipeline_command_new (self, COMMAND_CONFIRM, ward_pipeline_confirm_async,
                                    cancellable, callback, user_data);
  cmd->patient_id = g_strdup (patient_id);
  cmd->user = g_strdup (user);
  _ward_pipeline_queue_command (self, cmd);
}

void
ward_pipeline_acknowledge_async (WardPipeline        *self,
                                 gint64               flag_id,
                                 const char          *user,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (user != NULL);

  cmd = _ward_pipeline_command_new (self, COMMAND_ACKNOWLEDGE, ward_pipeline_acknowledge_async,
                                    cancellable, callback, user_data);
  cmd->flag_id = flag_id;
  cmd->user = g_strdup (user);
  _ward_pipeline_queue_command (self, cmd);
}

gboolean
ward_pipeline_command_finish (WardPipeline  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
resolve_bed (WardPipeline *self,
             const char   *bed)
{
  guint n = ward_simulator_get_n_beds (self->simulator);
  guint64 number = 0;

  if (g_ascii_string_to_unsigned (bed, 10, 1, n, &number, NULL))
    return ward_simulator_get_bed (self->simulator, number - 1)->patient_id;

  for (guint i = 0; i < n; i++)
    {
      const WardSimBed *b = ward_simulator_get_bed (self->simulator, i);

      if (g_strcmp0 (bed, b->bed_id) == 0 || g_strcmp0 (bed, b->patient_id) == 0)
        return b->patient_id;
    }

  return NULL;
}

/* Nurse entries from the command line ("3:acvpu=C"), checked before the
 * thread starts so that a typo is an error, not a silent no-op.
 */
gboolean
_ward_pipeline_queue_nurse_entries (WardPipeline  *self,
                                    GError       **error)
{
  static const char user[] = "command line";

  for (guint i = 0; self->config.nurse_entries && self->config.nurse_entries[i]; i++)
    {
      const char *entry = self->config.nurse_entries[i];
      g_auto(GStrv) bed_rest = g_strsplit (entry, ":", 2);
      g_auto(GStrv) key_value = NULL;
      const char *patient_id;
      Command *cmd;

      if (g_strv_length (bed_rest) != 2 ||
          g_strv_length (key_value = g_strsplit (bed_rest[1], "=", 2)) != 2)
        {
          g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                       "\"%s\": expected BED:FIELD=VALUE", entry);
          return FALSE;
        }

      if (self->simulator == NULL || !(patient_id = resolve_bed (self, bed_rest[0])))
        {
          g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_NOT_FOUND,
                       "\"%s\": no bed %s on this ward", entry, bed_rest[0]);
          return FALSE;
        }

      cmd = g_new0 (Command, 1);
      cmd->patient_id = g_strdup (patient_id);
      cmd->user = g_strdup (user);

      if (g_str_equal (key_value[0], "acvpu"))
        {
          WardAcvpu acvpu;

          cmd->type = COMMAND_NURSE_ENTRY;
          cmd->kind = WARD_MEAS_CONSCIOUSNESS;
          if (!ward_acvpu_from_string (key_value[1], &acvpu))
            goto bad_value;
          cmd->value = acvpu;
        }
      else if (g_str_equal (key_value[0], "oxygen"))
        {
          /* "oxygen=0" is air; any flow in L/min is oxygen. */
          cmd->type = COMMAND_NURSE_ENTRY;
          cmd->kind = WARD_MEAS_ON_OXYGEN;
          if (g_str_equal (key_value[1], "air"))
            cmd->value = 0;
          else if (!g_ascii_string_to_signed (key_value[1], 10, 0, 70, NULL, NULL))
            goto bad_value;
          else
            cmd->value = g_ascii_strtoll (key_value[1], NULL, 10) > 0 ? 1 : 0;
        }
      else if (g_str_equal (key_value[0], "spo2-scale"))
        {
          gint64 scale;

          cmd->type = COMMAND_SPO2_SCALE;
          if (!g_ascii_string_to_signed (key_value[1], 10, 1, 2, &scale, NULL))
            goto bad_value;
          cmd->scale = (int) scale;
        }
      else
        {
          _ward_pipeline_command_free (cmd);
          g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                       "\"%s\": unknown field %s (acvpu, oxygen, spo2-scale)", entry, key_value[0]);
          return FALSE;
        }

      g_async_queue_push (self->commands, cmd);
      continue;

    bad_value:
      _ward_pipeline_command_free (cmd);
      g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                   "\"%s\": bad value %s", entry, key_value[1]);
      return FALSE;
    }

  return TRUE;
}
