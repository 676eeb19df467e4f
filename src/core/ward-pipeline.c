/* ward-pipeline.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline.h"

#include "ward-engine.h"
#include "ward-fhir-sync.h"
#include "ward-secret.h"
#include "ward-simulator.h"

#include <json-glib/json-glib.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

/* The pipeline thread.  It owns the engine (and so the only writing
 * SQLite connection) and the simulator, and runs them on its own
 * GMainContext: a tick every tick_msec, or sooner when a command arrives.
 * Each tick is one transaction: feed the simulator's events due by now,
 * run the queued commands, score, commit, then publish a snapshot and
 * complete the commands.  Commands complete only after their commit.
 */

typedef enum
{
  COMMAND_NURSE_ENTRY,
  COMMAND_NURSE_ENTRIES,
  COMMAND_SPO2_SCALE,
  COMMAND_CONFIRM,
  COMMAND_ACKNOWLEDGE,
  COMMAND_PUSH_MESSAGE,
  COMMAND_PROCESS_ARCHIVED,
  COMMAND_QUIT,
} CommandType;

typedef struct
{
  CommandType   type;
  GTask        *task;          /* NULL for QUIT */
  char         *patient_id;
  WardMeasKind  kind;
  double        value;
  int           scale;
  gint64        flag_id;
  char         *user;
  char         *decided_by;    /* SPO2_SCALE */
  GArray       *entries;       /* WardNurseEntry: NURSE_ENTRIES */
  char         *source;
  char         *content_type;
  char         *device_id;
  GBytes       *payload;
  gint64        raw_id;
  WardMapped   *mapped;        /* PROCESS_ARCHIVED: mapped before the transaction */
  WardIngestOutcome outcome;
  char         *reason;
  GError       *error;         /* set while running */
} Command;

typedef struct
{
  WardIngestOutcome  outcome;
  char              *reason;
} PushResult;

static void
push_result_free (PushResult *result)
{
  g_free (result->reason);
  g_free (result);
}

struct _WardPipeline
{
  GObject             parent_instance;

  WardPipelineConfig  config;

  /* Owned by the pipeline thread once started. */
  WardEngine         *engine;
  WardSimulator      *simulator;
  GMainContext       *context;
  GMainLoop          *loop;
  GThread            *thread;
  GSource            *tick_source;
  GSource            *command_source;
  GPtrArray          *done;          /* Command, completed after commit */
  GQueue              ready;         /* Command, taken from the queue for this tick */
  gboolean            quitting;
  gint64              last_evaluated;  /* simulated time of the last evaluate */
  gint64              last_pruned;     /* time of the last raw archive retention run */
  guint               in_batch;        /* events in the open transaction */
  WardFhirSync       *fhir_sync;       /* sends the outbox between ticks, or NULL */
  char               *fhir_token;
  WardFhirAuth       *fhir_auth;       /* built at start, used by the sync, or NULL */

  /* Clock: fixed at start, read from any thread. */
  gint64              start_sim;
  gint64              start_mono;

  /* Shared, under lock. */
  GAsyncQueue        *commands;
  GMutex              lock;
  WardSnapshot       *snapshot;
  guint               pending_delivery;
  GMainContext       *main_context;
  GMutex              archive_lock;
  WardStore          *archive;         /* the archive-first connection, under archive_lock */
  WardSnapshotFunc    func;
  gpointer            func_data;
  GError             *fatal_error;
};

G_DEFINE_FINAL_TYPE (WardPipeline, ward_pipeline, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-pipeline-error-quark, ward_pipeline_error)

#define WARD_IS_PIPELINE_THREAD(self) (g_main_context_is_owner ((self)->context))

static void
command_free (Command *cmd)
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
  g_clear_error (&cmd->error);
  g_free (cmd);
}

void
ward_pipeline_config_init (WardPipelineConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->n_beds = 16;
  config->simulate = TRUE;
  config->seed = 1;
  config->time_scale = 1.0;
  config->window_usec = 30 * WARD_USEC_PER_MINUTE;
  config->window_step_usec = 5 * WARD_USEC_PER_MINUTE;
  config->nurse_validity_usec = 12 * WARD_USEC_PER_HOUR;
  config->flag_threshold = WARD_BAND_MEDIUM;
  config->flag_open_delay_usec = 3 * WARD_USEC_PER_MINUTE;
  config->flag_close_delay_usec = 10 * WARD_USEC_PER_MINUTE;
  config->device_silence_usec = 60 * WARD_USEC_PER_SEC;
  config->tick_msec = 50;
  config->raw_retention_days = 30;
  config->identity_cache_seconds = WARD_IDENTITY_DEFAULT_LIFETIME_USEC / (double) G_USEC_PER_SEC;
  config->vitals_observations = TRUE;
  config->outbox_limit = WARD_ENGINE_DEFAULT_OUTBOX_LIMIT;
}

void
ward_pipeline_config_clear (WardPipelineConfig *config)
{
  g_return_if_fail (config != NULL);

  g_clear_pointer (&config->db_path, g_free);
  g_clear_pointer (&config->ward_file, g_free);
  g_clear_pointer (&config->device_mapping, g_free);
  g_clear_pointer (&config->scenarios, g_strfreev);
  g_clear_pointer (&config->scenario_dirs, g_strfreev);
  g_clear_pointer (&config->nurse_entries, g_strfreev);
  g_clear_pointer (&config->fhir_url, g_free);
  g_clear_pointer (&config->fhir_token_file, g_free);
  g_clear_pointer (&config->fhir_client_id, g_free);
  g_clear_pointer (&config->fhir_private_key, g_free);
  g_clear_pointer (&config->fhir_auth, g_free);
  g_clear_pointer (&config->identity, g_free);
}

void
ward_pipeline_config_copy (const WardPipelineConfig *src,
                           WardPipelineConfig       *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  *dest = *src;
  dest->db_path = g_strdup (src->db_path);
  dest->ward_file = g_strdup (src->ward_file);
  dest->device_mapping = g_strdup (src->device_mapping);
  dest->scenarios = g_strdupv (src->scenarios);
  dest->scenario_dirs = g_strdupv (src->scenario_dirs);
  dest->nurse_entries = g_strdupv (src->nurse_entries);
  dest->fhir_url = g_strdup (src->fhir_url);
  dest->fhir_token_file = g_strdup (src->fhir_token_file);
  dest->fhir_client_id = g_strdup (src->fhir_client_id);
  dest->fhir_private_key = g_strdup (src->fhir_private_key);
  dest->fhir_auth = g_strdup (src->fhir_auth);
  dest->identity = g_strdup (src->identity);
}

static gint64
pipeline_now (WardPipeline *self)
{
  gint64 elapsed;

  if (!self->config.demo)
    return g_get_real_time ();

  elapsed = g_get_monotonic_time () - self->start_mono;
  return self->start_sim + (gint64) ((double) elapsed * self->config.time_scale);
}

/* The engine's snapshot with the FHIR sync's state (pipeline thread, or
 * before it starts).
 */
static WardSnapshot *
make_snapshot (WardPipeline *self,
               gint64        now)
{
  WardSnapshot *snapshot = ward_engine_snapshot (self->engine, now);

  if (self->fhir_sync != NULL)
    {
      g_autofree char *last_error = ward_fhir_sync_dup_last_error (self->fhir_sync);

      _ward_snapshot_set_fhir_status (snapshot, TRUE,
                                      ward_fhir_sync_get_failing_since (self->fhir_sync),
                                      last_error);
    }
  else
    _ward_snapshot_set_fhir_status (snapshot, self->config.fhir_url != NULL, 0, NULL);

  return snapshot;
}

static gboolean
deliver_snapshot_cb (gpointer data)
{
  WardPipeline *self = data;
  g_autoptr(WardSnapshot) snapshot = NULL;

  g_mutex_lock (&self->lock);
  snapshot = self->snapshot ? ward_snapshot_ref (self->snapshot) : NULL;
  self->pending_delivery = 0;
  g_mutex_unlock (&self->lock);

  if (snapshot != NULL && self->func != NULL)
    self->func (snapshot, self->func_data);

  return G_SOURCE_REMOVE;
}

static void
publish_snapshot (WardPipeline *self,
                  WardSnapshot *snapshot)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  self->snapshot = snapshot;
  /* At most one pending delivery: the reader always gets the newest. */
  if (self->pending_delivery == 0 && self->func != NULL && self->main_context != NULL)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      /* No reference: a pending delivery must not keep a pipeline (and
       * its thread) alive after its owner dropped it.  stop(), which
       * dispose runs, removes the pending source; both run on the
       * owner's thread, as does the delivery.
       */
      g_source_set_callback (source, deliver_snapshot_cb, self, NULL);
      g_source_set_static_name (source, "[ward-pipeline-deliver]");
      self->pending_delivery = g_source_attach (source, self->main_context);
      g_source_unref (source);
    }
  g_mutex_unlock (&self->lock);
}

/* Within one tick, evaluate every EVALUATE_STEP of simulated time, so
 * that scores and flag delays follow simulated time whatever the time
 * scale, and commit every MAX_BATCH events, so a transaction stays small.
 */
#define EVALUATE_STEP (5 * WARD_USEC_PER_SEC)
#define MAX_BATCH     4000

static gboolean
split_batch (WardPipeline  *self,
             gint64         at,
             GError       **error)
{
  if (at - self->last_evaluated >= EVALUATE_STEP)
    {
      if (!ward_engine_evaluate (self->engine, at, error))
        return FALSE;
      self->last_evaluated = at;
    }

  if (++self->in_batch >= MAX_BATCH)
    {
      if (!ward_engine_commit (self->engine, error) ||
          !ward_engine_begin (self->engine, error))
        return FALSE;
      self->in_batch = 0;
    }

  return TRUE;
}

static void
sim_event_cb (const WardSimEvent *event,
              gpointer            user_data)
{
  WardPipeline *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (!split_batch (self, event->at, &error))
    {
      g_critical ("Pipeline transaction failed: %s", error->message);
      return;
    }

  switch (event->type)
    {
    case WARD_SIM_EVENT_DEVICE_MESSAGE:
      ok = ward_engine_ingest (self->engine, "simulator", WARD_CONTENT_TYPE_JSON, event->device_id,
                               event->payload, strlen (event->payload), event->at, NULL, NULL,
                               &error);
      break;
    case WARD_SIM_EVENT_NURSE_ENTRY:
      ok = ward_engine_nurse_entry (self->engine, event->patient_id, event->kind, event->value,
                                    event->at, event->user, &error);
      break;
    case WARD_SIM_EVENT_SPO2_SCALE:
      ok = ward_engine_set_spo2_scale (self->engine, event->patient_id, (int) event->value,
                                       event->at, event->user, &error);
      break;
    case WARD_SIM_EVENT_CONFIRM:
      ok = ward_engine_confirm (self->engine, event->patient_id, event->at, event->user, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    g_warning ("Simulated event failed: %s", error->message);
}

static void
run_command (WardPipeline *self,
             Command      *cmd,
             gint64        now)
{
  switch (cmd->type)
    {
    case COMMAND_NURSE_ENTRY:
      ward_engine_nurse_entry (self->engine, cmd->patient_id, cmd->kind, cmd->value, now,
                               cmd->user, &cmd->error);
      break;
    case COMMAND_NURSE_ENTRIES:
      ward_engine_nurse_entries (self->engine, cmd->patient_id,
                                 (const WardNurseEntry *) cmd->entries->data, cmd->entries->len,
                                 now, cmd->user, &cmd->error);
      break;
    case COMMAND_SPO2_SCALE:
      ward_engine_set_spo2_scale_full (self->engine, cmd->patient_id, cmd->scale,
                                       cmd->decided_by != NULL ? cmd->decided_by : cmd->user,
                                       now, cmd->user, &cmd->error);
      break;
    case COMMAND_CONFIRM:
      ward_engine_confirm (self->engine, cmd->patient_id, now, cmd->user, &cmd->error);
      break;
    case COMMAND_ACKNOWLEDGE:
      ward_engine_acknowledge (self->engine, cmd->flag_id, now, cmd->user, &cmd->error);
      break;
    case COMMAND_PUSH_MESSAGE:
      {
        gsize len = 0;
        const char *data = g_bytes_get_data (cmd->payload, &len);

        ward_engine_ingest (self->engine, cmd->source, cmd->content_type, cmd->device_id, data,
                            len, now, &cmd->outcome, &cmd->reason, &cmd->error);
      }
      break;
    case COMMAND_PROCESS_ARCHIVED:
      {
        gsize len = 0;
        const char *data = g_bytes_get_data (cmd->payload, &len);

        /* The archive connection committed it; a failure here leaves it
         * pending, to be mapped at the next start.
         */
        if (cmd->mapped == NULL)
          cmd->mapped = ward_engine_map_message (self->engine, cmd->content_type, cmd->device_id,
                                                 data, len, now);
        if (!ward_engine_process_mapped (self->engine, cmd->raw_id, cmd->mapped, now, NULL, NULL,
                                         &cmd->error))
          g_warning ("Mapping archived message %" G_GINT64_FORMAT " failed: %s",
                     cmd->raw_id, cmd->error->message);
      }
      break;
    case COMMAND_QUIT:
      self->quitting = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
drop_task_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
complete_commands (WardPipeline *self,
                   const GError *batch_error)
{
  for (guint i = 0; i < self->done->len; i++)
    {
      Command *cmd = g_ptr_array_index (self->done, i);

      if (cmd->task == NULL)
        continue;

      if (batch_error != NULL)
        g_task_return_error (cmd->task, g_error_copy (batch_error));
      else if (cmd->error != NULL)
        g_task_return_error (cmd->task, g_steal_pointer (&cmd->error));
      else if (cmd->type == COMMAND_PUSH_MESSAGE)
        {
          PushResult *result = g_new0 (PushResult, 1);

          result->outcome = cmd->outcome;
          result->reason = g_steal_pointer (&cmd->reason);
          g_task_return_pointer (cmd->task, result, (GDestroyNotify) push_result_free);
        }
      else
        g_task_return_boolean (cmd->task, TRUE);

      /* Our reference to the task is dropped on the task's own context:
       * dropped here it could be the last one, and the task's reference to
       * the pipeline with it; the pipeline would then be disposed, and try
       * to join itself, on its own thread.
       */
      {
        GTask *task = g_steal_pointer (&cmd->task);

        g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT,
                                    drop_task_cb, task, NULL);
      }
    }

  g_ptr_array_set_size (self->done, 0);
}

static void
tick (WardPipeline *self)
{
  g_autoptr(GError) error = NULL;
  Command *cmd;
  gint64 now;

  g_assert (WARD_IS_PIPELINE_THREAD (self));

  now = pipeline_now (self);

  /* Messages an archive-first source (MQTT) committed are mapped before
   * the write lock is taken: the source's next commit waits for that
   * lock, so the batch holds it only to write.
   */
  while ((cmd = g_async_queue_try_pop (self->commands)) != NULL)
    {
      if (cmd->type == COMMAND_PROCESS_ARCHIVED)
        {
          gsize len = 0;
          const char *data = g_bytes_get_data (cmd->payload, &len);

          cmd->mapped = ward_engine_map_message (self->engine, cmd->content_type, cmd->device_id,
                                                 data, len, now);
        }
      g_queue_push_tail (&self->ready, cmd);
    }

  if (!ward_engine_begin (self->engine, &error))
    goto failed;
  self->in_batch = 0;

  if (self->simulator != NULL && self->config.simulate)
    ward_simulator_advance (self->simulator, now, sim_event_cb, self);

  while ((cmd = g_queue_pop_head (&self->ready)) != NULL ||
         (cmd = g_async_queue_try_pop (self->commands)) != NULL)
    {
      run_command (self, cmd, now);
      g_ptr_array_add (self->done, cmd);
    }

  if (!ward_engine_evaluate (self->engine, now, &error))
    goto failed;
  self->last_evaluated = now;

  /* Retention, hourly. */
  if (self->config.raw_retention_days > 0 && now - self->last_pruned >= WARD_USEC_PER_HOUR)
    {
      gint64 keep = (gint64) (self->config.raw_retention_days * 24 * WARD_USEC_PER_HOUR);

      if (ward_store_prune_raw (ward_engine_get_store (self->engine), now - keep, now, &error) < 0)
        goto failed;
      self->last_pruned = now;
    }

  if (!ward_engine_commit (self->engine, &error))
    goto failed;

  publish_snapshot (self, make_snapshot (self, now));
  complete_commands (self, NULL);
  /* Something queued: the sync goes now rather than at its next second. */
  if (self->fhir_sync != NULL)
    ward_fhir_sync_notify (self->fhir_sync);
  return;

failed:
  /* The store failed (disk full, file removed): nothing of this batch was
   * committed, and the commands say so.  Device sources keep their
   * messages unacknowledged and resend them.
   */
  g_critical ("Pipeline transaction failed: %s", error->message);
  ward_engine_rollback (self->engine);
  complete_commands (self, error);
  g_mutex_lock (&self->lock);
  if (self->fatal_error == NULL)
    self->fatal_error = g_error_copy (error);
  g_mutex_unlock (&self->lock);
}

static gboolean
tick_cb (gpointer data)
{
  WardPipeline *self = data;

  tick (self);
  if (self->quitting)
    {
      /* The tick that saw the stop began before it, maybe long before
       * on a busy machine: one more brings everything up to the moment
       * of the stop.
       */
      tick (self);
      g_main_loop_quit (self->loop);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* A source that dispatches when the command queue is not empty, so a
 * command runs at once instead of waiting for the next tick.
 */
typedef struct
{
  GSource       source;
  GAsyncQueue  *queue;
} CommandSource;

static gboolean
command_source_prepare (GSource *source,
                        gint    *timeout)
{
  CommandSource *cs = (CommandSource *) source;

  *timeout = -1;
  return g_async_queue_length (cs->queue) > 0;
}

static gboolean
command_source_check (GSource *source)
{
  CommandSource *cs = (CommandSource *) source;

  return g_async_queue_length (cs->queue) > 0;
}

static gboolean
command_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  return callback (user_data);
}

static void
command_source_finalize (GSource *source)
{
  CommandSource *cs = (CommandSource *) source;

  g_clear_pointer (&cs->queue, g_async_queue_unref);
}

static GSourceFuncs command_source_funcs = {
  command_source_prepare,
  command_source_check,
  command_source_dispatch,
  command_source_finalize,
  NULL, NULL,
};

#define FHIR_STOP_TIMEOUT_MSEC 2000

static gint64
sync_clock (gpointer data)
{
  return pipeline_now (data);
}

static gpointer
pipeline_thread (gpointer data)
{
  WardPipeline *self = data;

  g_main_context_push_thread_default (self->context);

  self->tick_source = g_timeout_source_new (self->config.tick_msec);
  g_source_set_callback (self->tick_source, tick_cb, self, NULL);
  g_source_set_static_name (self->tick_source, "[ward-pipeline-tick]");
  g_source_attach (self->tick_source, self->context);

  self->command_source = g_source_new (&command_source_funcs, sizeof (CommandSource));
  ((CommandSource *) self->command_source)->queue = g_async_queue_ref (self->commands);
  g_source_set_callback (self->command_source, tick_cb, self, NULL);
  g_source_set_static_name (self->command_source, "[ward-pipeline-commands]");
  g_source_attach (self->command_source, self->context);

  if (self->config.fhir_url != NULL)
    {
      self->fhir_sync = ward_fhir_sync_new (ward_engine_get_store (self->engine),
                                            self->config.fhir_url, NULL);
      ward_fhir_sync_set_auth (self->fhir_sync, self->fhir_auth);
      ward_fhir_sync_set_clock (self->fhir_sync, sync_clock, self);
      /* The engine's vital-signs mapping: its rules merge our
       * Observations into the copies the IoMT connector wrote.
       */
      {
        g_autoptr(GError) template_error = NULL;
        g_autoptr(WardFhirTemplate) vitals = NULL;

        vitals = ward_fhir_template_new_from_resource (WARD_ENGINE_VITALS_MAPPING_RESOURCE,
                                                       &template_error);
        if (vitals == NULL)
          g_error ("The built-in FHIR mapping does not load: %s", template_error->message);
        ward_fhir_sync_set_template (self->fhir_sync, vitals);
      }
      ward_fhir_sync_start (self->fhir_sync);
    }

  g_main_loop_run (self->loop);

  g_source_destroy (self->tick_source);
  g_clear_pointer (&self->tick_source, g_source_unref);
  g_source_destroy (self->command_source);
  g_clear_pointer (&self->command_source, g_source_unref);

  /* One last attempt, bounded; what is left stays pending for the next
   * start.
   */
  if (self->fhir_sync != NULL)
    {
      ward_fhir_sync_flush_and_stop (self->fhir_sync, FHIR_STOP_TIMEOUT_MSEC);
      g_clear_object (&self->fhir_sync);
    }

  /* The engine and its SQLite connection end on the thread that used them. */
  g_clear_object (&self->simulator);
  g_clear_object (&self->engine);

  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static void
ward_pipeline_dispose (GObject *object)
{
  WardPipeline *self = (WardPipeline *) object;

  ward_pipeline_stop (self);

  G_OBJECT_CLASS (ward_pipeline_parent_class)->dispose (object);
}

static void
ward_pipeline_finalize (GObject *object)
{
  WardPipeline *self = (WardPipeline *) object;

  g_clear_pointer (&self->commands, g_async_queue_unref);
  g_clear_pointer (&self->done, g_ptr_array_unref);
  g_queue_clear_full (&self->ready, (GDestroyNotify) command_free);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  g_clear_pointer (&self->fhir_token, g_free);
  g_clear_object (&self->fhir_auth);
  g_clear_object (&self->archive);
  g_mutex_clear (&self->archive_lock);
  g_clear_error (&self->fatal_error);
  g_clear_object (&self->engine);
  g_clear_object (&self->simulator);
  ward_pipeline_config_clear (&self->config);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ward_pipeline_parent_class)->finalize (object);
}

static void
ward_pipeline_class_init (WardPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_pipeline_dispose;
  object_class->finalize = ward_pipeline_finalize;
}

static void
ward_pipeline_init (WardPipeline *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->archive_lock);
  self->commands = g_async_queue_new_full ((GDestroyNotify) command_free);
  self->done = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

WardPipeline *
ward_pipeline_new (const WardPipelineConfig *config)
{
  WardPipeline *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (WARD_TYPE_PIPELINE, NULL);
  ward_pipeline_config_copy (config, &self->config);
  if (self->config.tick_msec == 0)
    self->config.tick_msec = 50;
  if (self->config.time_scale <= 0)
    self->config.time_scale = 1.0;

  return self;
}

static gboolean
register_demo_ward (WardPipeline  *self,
                    GError       **error)
{
  guint n = ward_simulator_get_n_beds (self->simulator);

  if (!ward_engine_begin (self->engine, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      const WardSimBed *bed = ward_simulator_get_bed (self->simulator, i);

      if (!ward_engine_register_bed (self->engine, bed->bed_id, bed->bed_label, bed->patient_id,
                                     bed->patient_name, bed->device_id, bed->spo2_scale, error) ||
          !ward_engine_set_birth_date (self->engine, bed->patient_id, bed->birth_date, error))
        {
          ward_engine_rollback (self->engine);
          return FALSE;
        }
    }

  return ward_engine_commit (self->engine, error);
}

/* Configuration is typed by people: a member of the wrong type is an
 * error to report, and json-glib's getters would warn instead.
 */
static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The local identity registry: which patient is in which bed, and which
 * devices are theirs.
 *
 *   {"beds": [{"id": "bed-01", "label": "Bed 1",
 *              "patient": {"id": "p-100987654", "name": "Daniel Okafor", "spo2_scale": 1,
 *                          "birthDate": "1971-04-12"},
 *              "devices": ["00A0C9FFFE445566", "mon-bay2-4"]}]}
 *
 * birthDate is optional, a FHIR date as in Patient.birthDate; without it
 * the store keeps what it knew (a FHIR server's answer of an earlier run).
 */
static gboolean
load_ward_file (WardPipeline  *self,
                const char    *path,
                GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *beds;

  if (!json_parser_load_from_mapped_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      !(root = json_node_get_object (json_parser_get_root (parser))) ||
      !json_object_has_member (root, "beds") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "beds")))
    {
      g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                   "%s: expected an object with a \"beds\" array", path);
      return FALSE;
    }

  beds = json_object_get_array_member (root, "beds");
  for (guint i = 0; i < json_array_get_length (beds); i++)
    {
      JsonNode *node = json_array_get_element (beds, i);
      JsonObject *bed, *patient;
      JsonArray *devices = NULL;
      const char *bed_id, *label, *patient_id, *name = NULL, *birth_date = NULL;
      int scale = 1;

#define BAD(what) G_STMT_START { \
        g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED, \
                     "%s: beds[%u]: %s", path, i, what); \
        return FALSE; } G_STMT_END

      if (!JSON_NODE_HOLDS_OBJECT (node))
        BAD ("not an object");
      bed = json_node_get_object (node);
      if (!(bed_id = member_string (bed, "id")))
        BAD ("\"id\" (a string) is required");
      if (!(label = member_string (bed, "label")))
        label = bed_id;
      if (!json_object_has_member (bed, "patient") ||
          !JSON_NODE_HOLDS_OBJECT (json_object_get_member (bed, "patient")))
        BAD ("\"patient\" (an object) is required");
      patient = json_object_get_object_member (bed, "patient");
      if (!(patient_id = member_string (patient, "id")))
        BAD ("patient.id (a string) is required");
      name = member_string (patient, "name");
      if (json_object_has_member (patient, "spo2_scale"))
        {
          JsonNode *scale_node = json_object_get_member (patient, "spo2_scale");

          if (!JSON_NODE_HOLDS_VALUE (scale_node) ||
              json_node_get_value_type (scale_node) != G_TYPE_INT64)
            BAD ("patient.spo2_scale must be 1 or 2");
          scale = (int) json_node_get_int (scale_node);
        }
      if (scale != 1 && scale != 2)
        BAD ("patient.spo2_scale must be 1 or 2");
      if (json_object_has_member (patient, "birthDate") &&
          !ward_birth_date_is_valid (birth_date = member_string (patient, "birthDate")))
        BAD ("patient.birthDate must be a date: \"YYYY-MM-DD\" (or \"YYYY-MM\", \"YYYY\")");
      if (json_object_has_member (bed, "devices"))
        {
          if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (bed, "devices")))
            BAD ("\"devices\" must be an array of device ids");
          devices = json_object_get_array_member (bed, "devices");
        }
#undef BAD

      if (!ward_engine_register_bed (self->engine, bed_id, label, patient_id, name, NULL, scale, error))
        return FALSE;
      if (birth_date != NULL && !ward_engine_set_birth_date (self->engine, patient_id, birth_date, error))
        return FALSE;

      for (guint k = 0; devices != NULL && k < json_array_get_length (devices); k++)
        {
          JsonNode *dev = json_array_get_element (devices, k);
          const char *device_id = NULL;

          if (JSON_NODE_HOLDS_VALUE (dev) && json_node_get_value_type (dev) == G_TYPE_STRING)
            device_id = json_node_get_string (dev);
          if (device_id == NULL)
            {
              g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                           "%s: beds[%u].devices[%u]: not a string", path, i, k);
              return FALSE;
            }
          if (!ward_engine_assign_device (self->engine, device_id, patient_id, error))
            return FALSE;
        }
    }

  return TRUE;
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
static gboolean
queue_nurse_entries (WardPipeline  *self,
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
          command_free (cmd);
          g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                       "\"%s\": unknown field %s (acvpu, oxygen, spo2-scale)", entry, key_value[0]);
          return FALSE;
        }

      g_async_queue_push (self->commands, cmd);
      continue;

    bad_value:
      command_free (cmd);
      g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                   "\"%s\": bad value %s", entry, key_value[1]);
      return FALSE;
    }

  return TRUE;
}


/* The FHIR server authentication from --fhir-auth, --fhir-token-file,
 * --fhir-client-id and --fhir-private-key.
 */
static gboolean
setup_fhir_auth (WardPipeline  *self,
                 GError       **error)
{
  const char *mode = self->config.fhir_auth;

  if (mode == NULL)
    mode = self->config.fhir_client_id != NULL ? "smart"
           : self->config.fhir_token_file != NULL ? "bearer" : "none";

  g_clear_object (&self->fhir_auth);
  if (g_strcmp0 (mode, "none") == 0)
    {
      self->fhir_auth = ward_fhir_auth_new_none ();
    }
  else if (g_strcmp0 (mode, "bearer") == 0)
    {
      if (self->config.fhir_token_file == NULL)
        {
          g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                               "--fhir-auth=bearer needs --fhir-token-file");
          return FALSE;
        }
      /* A file, or keyring: (the token stored for this server's URL). */
      if (!ward_secret_read (self->config.fhir_token_file, WARD_SECRET_KIND_FHIR_TOKEN,
                             self->config.fhir_url, &self->fhir_token, error))
        return FALSE;
      self->fhir_auth = ward_fhir_auth_new_bearer (self->fhir_token);
    }
  else if (g_strcmp0 (mode, "smart") == 0)
    {
      if (self->config.fhir_client_id == NULL || self->config.fhir_private_key == NULL)
        {
          g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                               "--fhir-auth=smart needs --fhir-client-id and --fhir-private-key");
          return FALSE;
        }
      self->fhir_auth = ward_fhir_auth_new_smart (self->config.fhir_url,
                                                  self->config.fhir_client_id,
                                                  self->config.fhir_private_key,
                                                  NULL, NULL, error);
      if (self->fhir_auth == NULL)
        return FALSE;
    }
  else
    {
      g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                   "Unknown --fhir-auth %s: use none, bearer or smart", mode);
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_pipeline_start (WardPipeline      *self,
                     WardSnapshotFunc   func,
                     gpointer           user_data,
                     GError           **error)
{
  g_autoptr(WardStore) store = NULL;
  WardEngineConfig engine_config;
  gint64 now;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  if (self->config.db_path == NULL)
    {
      g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                           "No database path");
      return FALSE;
    }

  if (self->config.fhir_url != NULL && !setup_fhir_auth (self, error))
    return FALSE;

  /* Opened here so that errors reach the caller; from now on only the
   * pipeline thread touches it.
   */
  store = ward_store_open (self->config.db_path, error);
  if (store == NULL)
    return FALSE;

  ward_engine_config_init (&engine_config);
  engine_config.window.window_usec = self->config.window_usec;
  engine_config.window.step_usec = self->config.window_step_usec;
  engine_config.window.nurse_validity_usec = self->config.nurse_validity_usec;
  engine_config.flags.threshold = self->config.flag_threshold;
  engine_config.flags.open_delay_usec = self->config.flag_open_delay_usec;
  engine_config.flags.close_delay_usec = self->config.flag_close_delay_usec;
  engine_config.device_silence_usec = self->config.device_silence_usec;
  engine_config.vitals_observations = self->config.vitals_observations;
  engine_config.outbox_limit = self->config.outbox_limit;
  self->engine = ward_engine_new (store, &engine_config);

  /* Identity from the FHIR server: its requests run on the pipeline's
   * context (asynchronously, never blocking a tick); the first ones may
   * be asked now, by the messages mapped at start below.
   */
  {
    WardIdentityMode mode = WARD_IDENTITY_MODE_LOCAL;

    if (self->config.identity != NULL &&
        !ward_identity_mode_from_string (self->config.identity, &mode))
      {
        g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                     "Unknown --identity %s: use local, lookup or create", self->config.identity);
        g_clear_object (&self->engine);
        return FALSE;
      }
    if (mode != WARD_IDENTITY_MODE_LOCAL)
      {
        g_autoptr(WardIdentity) identity = NULL;

        if (self->config.fhir_url == NULL)
          {
            g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                         "--identity=%s needs --fhir-url", self->config.identity);
            g_clear_object (&self->engine);
            return FALSE;
          }
        identity = ward_identity_new (mode, self->config.fhir_url, self->fhir_auth, self->context);
        ward_identity_set_cache (identity,
                                 (gint64) (self->config.identity_cache_seconds * G_USEC_PER_SEC),
                                 WARD_IDENTITY_DEFAULT_MAX_ENTRIES);
        ward_engine_set_identity (self->engine, identity);
      }
  }

  now = g_get_real_time ();
  self->start_sim = self->config.start_usec ? self->config.start_usec : now;
  self->start_mono = g_get_monotonic_time ();

  if (self->config.device_mapping != NULL)
    {
      g_autoptr(WardDeviceTemplate) device_template = NULL;

      device_template = ward_device_template_new_from_file (self->config.device_mapping, error);
      if (device_template == NULL)
        {
          g_clear_object (&self->engine);
          return FALSE;
        }
      if (!ward_device_template_is_valid (device_template))
        g_message ("%s has errors; its %u valid templates are used (wardwatch-cli map --check lists them)",
                   self->config.device_mapping, ward_device_template_get_n_templates (device_template));
      ward_engine_set_device_template (self->engine, device_template);
    }

  if (self->config.ward_file != NULL)
    {
      if (!ward_engine_begin (self->engine, error) ||
          !load_ward_file (self, self->config.ward_file, error) ||
          !ward_engine_commit (self->engine, error))
        {
          ward_engine_rollback (self->engine);
          g_clear_object (&self->engine);
          return FALSE;
        }
    }

  if (self->config.demo)
    {
      self->simulator = ward_simulator_new (self->config.n_beds, self->config.seed,
                                            self->start_sim,
                                            (const char * const *) self->config.scenarios,
                                            (const char * const *) self->config.scenario_dirs,
                                            error);
      if (self->simulator == NULL || !register_demo_ward (self, error) ||
          !queue_nurse_entries (self, error))
        {
          g_clear_object (&self->simulator);
          g_clear_object (&self->engine);
          return FALSE;
        }
    }

  /* Messages archived but not mapped before the last stop (a crash, a
   * kill) are mapped now, before anything new.
   */
  {
    guint n = 0;

    if (!ward_engine_begin (self->engine, error) ||
        !ward_engine_process_pending (self->engine, &n, error) ||
        !ward_engine_commit (self->engine, error))
      {
        ward_engine_rollback (self->engine);
        g_clear_object (&self->simulator);
        g_clear_object (&self->engine);
        return FALSE;
      }
    if (n > 0)
      g_message ("Mapped %u messages archived before the last stop", n);
  }

  self->func = func;
  self->func_data = user_data;
  self->main_context = g_main_context_ref_thread_default ();

  /* A first snapshot before any tick, so a window has beds to show. */
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  self->snapshot = make_snapshot (self, pipeline_now (self));

  self->thread = g_thread_new ("ward-pipeline", pipeline_thread, self);
  return TRUE;
}

void
ward_pipeline_stop (WardPipeline *self)
{
  Command *quit;

  g_return_if_fail (WARD_IS_PIPELINE (self));

  if (self->thread == NULL)
    return;

  quit = g_new0 (Command, 1);
  quit->type = COMMAND_QUIT;
  g_async_queue_push (self->commands, quit);
  g_main_context_wakeup (self->context);

  g_thread_join (self->thread);
  self->thread = NULL;

  /* Deliveries after stop would reach a caller that is tearing down. */
  g_mutex_lock (&self->lock);
  if (self->pending_delivery != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->main_context,
                                                          self->pending_delivery);
      if (source != NULL)
        g_source_destroy (source);
      self->pending_delivery = 0;
    }
  self->func = NULL;
  g_mutex_unlock (&self->lock);
}

WardSnapshot *
ward_pipeline_get_snapshot (WardPipeline *self)
{
  WardSnapshot *snapshot;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), NULL);

  g_mutex_lock (&self->lock);
  snapshot = self->snapshot ? ward_snapshot_ref (self->snapshot) : NULL;
  g_mutex_unlock (&self->lock);

  return snapshot;
}

gint64
ward_pipeline_get_now (WardPipeline *self)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), 0);

  return pipeline_now (self);
}

const char *
ward_pipeline_get_db_path (WardPipeline *self)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), NULL);

  return self->config.db_path;
}

gboolean
ward_pipeline_check_health (WardPipeline  *self,
                            GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);

  g_mutex_lock (&self->lock);
  ok = self->fatal_error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (self->fatal_error));
  g_mutex_unlock (&self->lock);

  return ok;
}

static void
queue_command (WardPipeline *self,
               Command      *cmd)
{
  if (self->thread == NULL)
    {
      g_task_return_new_error (cmd->task, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_STOPPED,
                               "The pipeline is not running");
      command_free (cmd);
      return;
    }

  g_async_queue_push (self->commands, cmd);
  g_main_context_wakeup (self->context);
}

static Command *
command_new (WardPipeline        *self,
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

  cmd = command_new (self, COMMAND_NURSE_ENTRIES, ward_pipeline_nurse_entries_async,
                     cancellable, callback, user_data);
  cmd->patient_id = g_strdup (patient_id);
  cmd->entries = g_array_sized_new (FALSE, FALSE, sizeof (WardNurseEntry), n_entries);
  g_array_append_vals (cmd->entries, entries, n_entries);
  cmd->user = g_strdup (user);
  queue_command (self, cmd);
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

  cmd = command_new (self, COMMAND_SPO2_SCALE, ward_pipeline_set_spo2_scale_async,
                     cancellable, callback, user_data);
  cmd->patient_id = g_strdup (patient_id);
  cmd->scale = scale;
  cmd->decided_by = g_strdup (decided_by);
  cmd->user = g_strdup (user);
  queue_command (self, cmd);
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

  cmd = command_new (self, COMMAND_CONFIRM, ward_pipeline_confirm_async,
                     cancellable, callback, user_data);
  cmd->patient_id = g_strdup (patient_id);
  cmd->user = g_strdup (user);
  queue_command (self, cmd);
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

  cmd = command_new (self, COMMAND_ACKNOWLEDGE, ward_pipeline_acknowledge_async,
                     cancellable, callback, user_data);
  cmd->flag_id = flag_id;
  cmd->user = g_strdup (user);
  queue_command (self, cmd);
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

  if (length < 0)
    length = strlen (payload);

  cmd = command_new (self, COMMAND_PUSH_MESSAGE, ward_pipeline_push_message_async,
                     cancellable, callback, user_data);
  cmd->source = g_strdup (source);
  cmd->content_type = g_strdup (content_type);
  cmd->device_id = g_strdup (device_id);
  cmd->payload = g_bytes_new (payload, length);
  queue_command (self, cmd);
}

gboolean
ward_pipeline_push_message_finish (WardPipeline       *self,
                                   GAsyncResult       *result,
                                   WardIngestOutcome  *outcome,
                                   char              **reason,
                                   GError            **error)
{
  PushResult *push;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ward_pipeline_push_message_async,
                        FALSE);

  push = g_task_propagate_pointer (G_TASK (result), error);
  if (push == NULL)
    return FALSE;

  if (outcome != NULL)
    *outcome = push->outcome;
  if (reason != NULL)
    *reason = g_steal_pointer (&push->reason);
  push_result_free (push);

  return TRUE;
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

  now = pipeline_now (self);

  g_mutex_lock (&self->archive_lock);
  if (self->archive == NULL)
    {
      self->archive = ward_store_open (self->config.db_path, error);
      /* Each message is its own transaction here, so the WAL is synced
       * at checkpoints rather than at every commit: a commit survives a
       * crash of Wardwatch; what power loss can take is the same window
       * the transport's early acknowledgement already has.
       */
      if (self->archive != NULL)
        ward_store_set_sync_full (self->archive, FALSE);
    }
  raw_id = self->archive ? ward_store_add_raw_message (self->archive, now, source, content_type,
                                                       device_id, payload, length, error)
                         : 0;
  g_mutex_unlock (&self->archive_lock);

  if (raw_id == 0)
    return 0;

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

  now = pipeline_now (self);

  g_mutex_lock (&self->archive_lock);
  if (self->archive == NULL)
    {
      self->archive = ward_store_open (self->config.db_path, error);
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
      ok = ward_store_begin (self->archive, error) &&
           ward_store_archive_items (self->archive, now, source, content_type, items, n_items,
                                     error) &&
           ward_store_commit (self->archive, error);
      if (!ok)
        ward_store_rollback (self->archive);
    }
  g_mutex_unlock (&self->archive_lock);

  if (!ok)
    return FALSE;

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

gboolean
ward_pipeline_command_finish (WardPipeline  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
