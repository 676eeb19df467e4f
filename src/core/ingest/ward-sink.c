/* ward-sink.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-sink"

#include "config.h"

#include "ward-sink.h"

struct _WardSink
{
  GObject       parent_instance;

  WardPipeline *pipeline;
  char         *source_name;
};

G_DEFINE_FINAL_TYPE (WardSink, ward_sink, G_TYPE_OBJECT)

typedef struct
{
  WardIngestOutcome  outcome;
  char              *reason;
  gboolean           duplicate;
} SubmitResult;

static void
submit_result_free (gpointer data)
{
  SubmitResult *r = data;

  g_free (r->reason);
  g_free (r);
}

static void
ward_sink_finalize (GObject *object)
{
  WardSink *self = (WardSink *) object;

  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->source_name, g_free);

  G_OBJECT_CLASS (ward_sink_parent_class)->finalize (object);
}

static void
ward_sink_class_init (WardSinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_sink_finalize;
}

static void
ward_sink_init (WardSink *self)
{
}

WardSink *
ward_sink_new (WardPipeline *pipeline,
               const char   *source_name)
{
  WardSink *self;

  g_return_val_if_fail (WARD_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (source_name != NULL && *source_name != '\0', NULL);

  self = g_object_new (WARD_TYPE_SINK, NULL);
  self->pipeline = g_object_ref (pipeline);
  self->source_name = g_strdup (source_name);

  return self;
}

const char *
ward_sink_get_source_name (WardSink *self)
{
  g_return_val_if_fail (WARD_IS_SINK (self), NULL);

  return self->source_name;
}

char *
ward_sink_dup_instance_id (WardSink *self)
{
  const char *db_path;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (WARD_IS_SINK (self), NULL);

  /* Stable across restarts (an MQTT broker keeps our session by it), and
   * different for two Wardwatch databases on one machine.  Short enough
   * (22 characters) for any MQTT 3.1.1 broker.
   */
  db_path = ward_pipeline_get_db_path (self->pipeline);
  path = db_path != NULL ? g_canonicalize_filename (db_path, NULL) : g_strdup ("");
  key = g_strconcat (g_get_host_name (), "\n", path, NULL);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_strdup_printf ("wardwatch-%.12s", hash);
}

gboolean
ward_sink_commit_batch (WardSink         *self,
                        const char       *content_type,
                        WardArchiveItem  *items,
                        guint             n_items,
                        GError          **error)
{
  g_return_val_if_fail (WARD_IS_SINK (self), FALSE);
  g_return_val_if_fail (content_type != NULL, FALSE);
  g_return_val_if_fail (items != NULL || n_items == 0, FALSE);

  return ward_pipeline_archive_batch (self->pipeline, self->source_name, content_type,
                                      items, n_items, error);
}

static void
pushed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  SubmitResult *r = g_new0 (SubmitResult, 1);
  gboolean ok;

  if (GPOINTER_TO_INT (g_task_get_task_data (task)))
    ok = ward_pipeline_push_message_once_finish (WARD_PIPELINE (object), result, &r->outcome,
                                                 &r->reason, &r->duplicate, &error);
  else
    ok = ward_pipeline_push_message_finish (WARD_PIPELINE (object), result, &r->outcome,
                                            &r->reason, &error);

  if (!ok)
    {
      submit_result_free (r);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_pointer (task, r, submit_result_free);
}

void
ward_sink_submit_async (WardSink             *self,
                        const char           *content_type,
                        const char           *device_id,
                        const WardMessageKey *key,
                        const char           *payload,
                        gssize                length,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  GTask *task;

  g_return_if_fail (WARD_IS_SINK (self));
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (payload != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_sink_submit_async);
  g_task_set_task_data (task, GINT_TO_POINTER (key != NULL), NULL);

  /* The pipeline completes after its commit, also for a duplicate. */
  if (key != NULL)
    ward_pipeline_push_message_once_async (self->pipeline, self->source_name, content_type, key,
                                           payload, length, cancellable, pushed_cb, task);
  else
    ward_pipeline_push_message_async (self->pipeline, self->source_name, content_type, device_id,
                                      payload, length, cancellable, pushed_cb, task);
}

gboolean
ward_sink_submit_finish (WardSink           *self,
                         GAsyncResult       *result,
                         WardIngestOutcome  *outcome,
                         char              **reason,
                         gboolean           *duplicate,
                         GError            **error)
{
  SubmitResult *r;

  g_return_val_if_fail (WARD_IS_SINK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return FALSE;

  if (outcome != NULL)
    *outcome = r->outcome;
  if (reason != NULL)
    *reason = g_steal_pointer (&r->reason);
  if (duplicate != NULL)
    *duplicate = r->duplicate;
  submit_result_free (r);

  return TRUE;
}

static void
rejected_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!ward_pipeline_command_finish (WARD_PIPELINE (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ward_sink_reject_async (WardSink            *self,
                        const char          *content_type,
                        const char          *payload,
                        gsize                length,
                        const char          *stage,
                        const char          *reason,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (WARD_IS_SINK (self));
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (stage != NULL);
  g_return_if_fail (reason != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_sink_reject_async);
  ward_pipeline_push_rejected_async (self->pipeline, self->source_name, content_type,
                                     payload != NULL ? payload : "", length, stage, reason,
                                     cancellable, rejected_cb, task);
}

gboolean
ward_sink_reject_finish (WardSink      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (WARD_IS_SINK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ward_sink_set_stepped_running (WardSink *self,
                               gboolean  running)
{
  g_return_val_if_fail (WARD_IS_SINK (self), FALSE);

  if (!ward_pipeline_has_simulator (self->pipeline))
    return FALSE;

  ward_pipeline_set_simulator_devices (self->pipeline, running);
  return TRUE;
}

void
ward_sink_get_stepped_status (WardSink *self,
                              gboolean *running,
                              guint    *n_beds,
                              double   *time_scale,
                              guint64  *received,
                              guint64  *committed,
                              guint64  *failed)
{
  g_return_if_fail (WARD_IS_SINK (self));

  ward_pipeline_get_simulator_status (self->pipeline, running, n_beds, time_scale,
                                      received, committed, failed);
}
