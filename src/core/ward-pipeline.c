/* ward-pipeline.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline.h"
#include "ward-pipeline-private.h"
#include "ward-pipeline-internal.h"

#include "ward-engine.h"
#include "ward-fhir-sync.h"
#include "ward-care-share.h"
#include "ward-policy.h"
#include "ward-care-command.h"
#include "ward-ingest-once.h"
#include "ward-secret.h"
#include "ward-simulator.h"
#include "ward-ward-file.h"
#include "ward-store-errors.h"
#include "ward-store-rollups.h"

#include <json-glib/json-glib.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/statvfs.h>

/* The pipeline thread.  It owns the engine (and so the only writing
 * SQLite connection) and the simulator, and runs them on its own
 * GMainContext: a tick every tick_msec, or sooner when a command arrives.
 * Each tick is one transaction: feed the simulator's events due by now,
 * run the queued commands, score, commit, then publish a snapshot and
 * complete the commands.  Commands complete only after their commit.
 */


G_DEFINE_FINAL_TYPE (WardPipeline, ward_pipeline, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-pipeline-error-quark, ward_pipeline_error)


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
  config->measurement_retention_days = NAN;
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
  g_clear_pointer (&config->station, g_free);
  g_clear_pointer (&config->policy_file, g_free);
  g_clear_pointer (&config->models, g_strfreev);
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
  dest->station = g_strdup (src->station);
  dest->policy_file = g_strdup (src->policy_file);
  dest->models = g_strdupv (src->models);
}

gint64
_ward_pipeline_now (WardPipeline *self)
{
  gint64 elapsed, start_sim;

  if (!self->config.demo)
    return g_get_real_time ();

  g_mutex_lock (&self->clock_lock);
  elapsed = g_get_monotonic_time () - self->start_mono;
  start_sim = self->start_sim;
  g_mutex_unlock (&self->clock_lock);

  return start_sim + (gint64) ((double) elapsed * self->config.time_scale);
}

/* The pipeline thread is alive and getting on: the main thread's
 * watchdog reads this to tell a stuck pipeline from a stuck display.
 */
static void
beat (WardPipeline *self)
{
  g_mutex_lock (&self->lock);
  self->heartbeat = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
}

/* The engine's snapshot with the FHIR sync's state (pipeline thread, or
 * before it starts).
 */
static WardSnapshot *
make_snapshot (WardPipeline *self,
               gint64        now)
{
  WardSnapshot *snapshot = ward_engine_snapshot (self->engine, now);

  if (self->care != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* Reading fails only with the store; the store alarm says so. */
      if (!ward_care_fill_snapshot (self->care, snapshot, &error))
        g_debug ("No care-team state in this snapshot: %s", error->message);
    }

  if (self->fhir_sync != NULL)
    {
      g_autofree char *last_error = ward_fhir_sync_dup_last_error (self->fhir_sync);

      _ward_snapshot_set_fhir_status (snapshot, TRUE,
                                      ward_fhir_sync_get_failing_since (self->fhir_sync),
                                      last_error);
    }
  else
    _ward_snapshot_set_fhir_status (snapshot, self->config.fhir_url != NULL, 0, NULL);

  {
    g_autofree char *store_error = NULL;
    gint64 since = 0;
    WardStoreCondition condition = ward_store_health_get (self->health, &since, &store_error);

    _ward_snapshot_set_store_status (snapshot, condition, since, store_error);
  }

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
  self->heartbeat = g_get_monotonic_time ();
  /* At most one pending delivery: the reader always gets the newest. */
  if (self->pending_delivery == 0 && self->func != NULL && self->main_context != NULL &&
      !self->delivery_paused)
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
/* After a failed batch: the next try in 100 ms, doubling up to 5 s. */
#define RETRY_MIN_USEC (100 * G_TIME_SPAN_MILLISECOND)
#define RETRY_MAX_USEC (5 * G_USEC_PER_SEC)
#define MAX_BATCH     4000
#define ROLLUP_INTERVAL_USEC (10 * G_USEC_PER_SEC)  /* pipeline time between history roll-ups */

gint64
_ward_pipeline_measurement_retention (const WardPipelineConfig *config,
                                      const WardEngineConfig   *engine_config)
{
  g_return_val_if_fail (config != NULL && engine_config != NULL, 0);

  if (!isnan (config->measurement_retention_days))
    return (gint64) (config->measurement_retention_days * 24 * WARD_USEC_PER_HOUR);

  return engine_config->measurement_retention_usec;
}

/* The store cannot write now (disk full, read-only, I/O, locked, damaged):
 * the whole batch fails and is tried again, rather than a command failing
 * alone and the rest of its batch being committed without it.
 */
gboolean
_ward_pipeline_is_write_failure (const GError *error)
{
  WardStoreCondition condition = ward_store_condition_from_error (error);

  return condition != WARD_STORE_CONDITION_NONE && condition != WARD_STORE_CONDITION_OTHER;
}
/* A tick stops taking new work once it has run this long, commits and
 * publishes; the rest waits for the next tick, a few milliseconds later.
 * Without the bound a pipeline that falls behind (a 64-bed demo at time
 * scale 300 on two busy cores) makes every tick longer than the last:
 * each one has more simulated time to catch up on, and the board shows
 * nothing new for 15 s and more.  The simulator advances in slices of
 * SIM_SLICE so that the bound is checked often.
 */
#define TICK_BUDGET_USEC (200 * 1000)
#define SIM_SLICE        EVALUATE_STEP
/* The last tick at stop catches up on simulated time for at most this
 * long, so that quitting never waits minutes for a demo that ran behind.
 */
#define STOP_CATCH_UP_USEC (5 * G_USEC_PER_SEC)

/* The simulator's device messages of the transaction just committed
 * (TRUE) or rolled back (FALSE).
 */
static void
sim_devices_settled (WardPipeline *self,
                     gboolean      committed)
{
  if (self->sim_pending == 0)
    return;

  g_mutex_lock (&self->lock);
  if (committed)
    self->sim_committed += self->sim_pending;
  else
    self->sim_failed += self->sim_pending;
  g_mutex_unlock (&self->lock);
  self->sim_pending = 0;
}

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
      if (!ward_engine_commit (self->engine, error))
        return FALSE;
      sim_devices_settled (self, TRUE);
      if (!ward_engine_begin (self->engine, error))
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

  /* The batch failed: the rest of its events go with it (tick() rolls
   * it back), rather than be written outside any transaction.
   */
  if (self->batch_error != NULL)
    return;

  if (!split_batch (self, event->at, &error))
    {
      self->batch_error = g_steal_pointer (&error);
      return;
    }

  switch (event->type)
    {
    case WARD_SIM_EVENT_DEVICE_MESSAGE:
      /* Stopped: the monitors are unplugged, what they measure is never sent. */
      if (g_atomic_int_get (&self->sim_devices_off))
        break;
      g_mutex_lock (&self->lock);
      self->sim_received++;
      g_mutex_unlock (&self->lock);
      self->sim_pending++;
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

  if (!ok && _ward_pipeline_is_write_failure (error))
    self->batch_error = g_steal_pointer (&error);
  else if (!ok)
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
    case COMMAND_CARE:
      ward_care_command_run (self->care, cmd->care_command, now, &cmd->care_result, &cmd->error);
      break;
    case COMMAND_PUSH_MESSAGE:
      {
        gsize len = 0;
        const char *data = g_bytes_get_data (cmd->payload, &len);

        if (cmd->key != NULL)
          ward_ingest_once (self->engine, cmd->key, cmd->source, cmd->content_type,
                            cmd->device_id, data, len, now, &cmd->outcome, &cmd->reason,
                            &cmd->duplicate, &cmd->error);
        else
          ward_engine_ingest (self->engine, cmd->source, cmd->content_type, cmd->device_id, data,
                              len, now, &cmd->outcome, &cmd->reason, &cmd->error);
      }
      break;
    case COMMAND_PUSH_REJECTED:
      {
        gsize len = 0;
        const char *data = g_bytes_get_data (cmd->payload, &len);

        ward_engine_ingest_rejected (self->engine, cmd->source, cmd->content_type, data, len, now,
                                     cmd->reject_stage, cmd->reject_reason, &cmd->error);
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
                                         &cmd->error) &&
            !_ward_pipeline_is_write_failure (cmd->error))
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
        {
          GError *copy = g_error_copy (batch_error);

          /* Said to whoever acknowledged or entered something: it was
           * not saved, and may be done again.
           */
          g_prefix_error (&copy, "Not saved, the store cannot write: ");
          g_task_return_error (cmd->task, copy);
        }
      else if (cmd->error != NULL)
        g_task_return_error (cmd->task, g_steal_pointer (&cmd->error));
      else if (cmd->type == COMMAND_PUSH_MESSAGE)
        {
          PushResult *result = g_new0 (PushResult, 1);

          result->outcome = cmd->outcome;
          result->reason = g_steal_pointer (&cmd->reason);
          result->duplicate = cmd->duplicate;
          g_task_return_pointer (cmd->task, result,
                                 (GDestroyNotify) _ward_pipeline_push_result_free);
        }
      else if (cmd->type == COMMAND_CARE)
        g_task_return_int (cmd->task, cmd->care_result);
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

#define LOW_SPACE_BYTES (64 * 1024 * 1024)

/* Bytes free for us on the database's file system; 0 if unknown. */
static guint64
free_space (WardPipeline *self)
{
  g_autofree char *dir = g_path_get_dirname (self->config.db_path);
  struct statvfs st;

  if (statvfs (dir, &st) != 0)
    return 0;

  return (guint64) st.f_bavail * st.f_frsize;
}

/* Copies the WAL into the database and truncates it (see tick()). */
static void
checkpoint_wal (WardPipeline *self)
{
  g_autoptr(GError) error = NULL;
  gint64 busy;

  busy = _ward_store_query_int (ward_engine_get_store (self->engine),
                                "PRAGMA wal_checkpoint(TRUNCATE)", &error);
  if (error != NULL)
    g_debug ("WAL checkpoint failed: %s", error->message);
  else if (busy != 0)
    g_debug ("WAL checkpoint could not finish: a reader is in the way");
}

/* Demo mode: the simulator is advanced slice by slice up to @target,
 * until @deadline (monotonic); returns the time reached, which the tick
 * then uses as its "now".  When that is short of @target the machine
 * cannot run the ward at its time scale and the ward runs behind the
 * clock, as fast as the pipeline can; each snapshot says how far it got.
 * A short lag is caught up (a burst of load; the last tick at stop, for
 * at most STOP_CATCH_UP_USEC); one of more than MAX_LAG_SECONDS of real
 * time moves the clock back, so that the simulated clock runs at what the
 * machine manages (said once in the log) and a stop never has hours of
 * simulated time to catch up on.
 */
#define MAX_LAG_SECONDS 5.0

static gint64
advance_simulator (WardPipeline *self,
                   gint64        target,
                   gint64        deadline)
{
  gint64 at = MAX (self->reached, ward_simulator_get_time (self->simulator));

  while (at < target)
    {
      at = MIN (target, at + SIM_SLICE);
      ward_simulator_advance (self->simulator, at, sim_event_cb, self);
      if (g_get_monotonic_time () >= deadline)
        break;
    }

  if (target - at > MAX_LAG_SECONDS * self->config.time_scale * G_USEC_PER_SEC)
    {
      g_mutex_lock (&self->clock_lock);
      self->start_sim = at;
      self->start_mono = g_get_monotonic_time ();
      g_mutex_unlock (&self->clock_lock);

      if (!self->behind_logged)
        {
          g_message ("The demo ward cannot keep up with time scale %g on this machine: its "
                     "simulated clock runs as fast as the pipeline can",
                     self->config.time_scale);
          self->behind_logged = TRUE;
        }
    }

  return MAX (at, self->reached);
}

static void
tick (WardPipeline *self)
{
  g_autoptr(GError) error = NULL;
  gboolean someone_waits = FALSE;
  Command *cmd;
  gint64 now, deadline;

  g_assert (WARD_IS_PIPELINE_THREAD (self));

  now = _ward_pipeline_now (self);
  /* The last tick at stop takes every command queued before the stop. */
  deadline = self->quitting ? 0 : g_get_monotonic_time () + TICK_BUDGET_USEC;
  beat (self);

  {
    g_autofree char *pragma = NULL;

    g_mutex_lock (&self->lock);
    pragma = g_steal_pointer (&self->test_pragma);
    g_mutex_unlock (&self->lock);
    if (pragma != NULL && !_ward_store_exec (ward_engine_get_store (self->engine), pragma, &error))
      g_error ("%s: %s", pragma, error->message);
  }

  /* Messages an archive-first source (MQTT) committed are mapped before
   * the write lock is taken: the source's next commit waits for that
   * lock, so the batch holds it only to write.  A backlog is taken in
   * parts, each tick as much as its budget allows.
   */
  while ((deadline == 0 || g_get_monotonic_time () < deadline) &&
         (cmd = g_async_queue_try_pop (self->commands)) != NULL)
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

  /* After a failed batch the store is tried again with backoff; a
   * command someone waits for (an acknowledgement, a nurse entry, an
   * MLLP message, the stop) is tried at once, so that they hear now
   * whether it was saved.
   */
  if (self->retry_at != 0 && g_get_monotonic_time () < self->retry_at)
    {
      for (GList *l = self->ready.head; l != NULL && !someone_waits; l = l->next)
        {
          Command *waiting = l->data;

          someone_waits = waiting->task != NULL || waiting->type == COMMAND_QUIT;
        }
      if (!someone_waits)
        {
          /* The board's clock and the alarm stay live meanwhile. */
          publish_snapshot (self, make_snapshot (self, now));
          return;
        }
    }

  /* After a full disk, the WAL is emptied before the next try: what the
   * failed commits left in it is most of what fills the disk.
   */
  if (self->disk_was_full)
    checkpoint_wal (self);

  if (!ward_engine_begin (self->engine, &error))
    goto failed;
  self->in_batch = 0;

  if (self->simulator != NULL && self->config.simulate)
    now = advance_simulator (self, now,
                             self->quitting ? g_get_monotonic_time () + STOP_CATCH_UP_USEC
                                            : deadline);
  self->reached = now;
  if (self->batch_error != NULL)
    {
      g_propagate_error (&error, g_steal_pointer (&self->batch_error));
      goto failed;
    }

  while ((cmd = g_queue_pop_head (&self->ready)) != NULL ||
         ((deadline == 0 || g_get_monotonic_time () < deadline) &&
          (cmd = g_async_queue_try_pop (self->commands)) != NULL))
    {
      run_command (self, cmd, now);
      g_ptr_array_add (self->done, cmd);
      if (cmd->error != NULL && _ward_pipeline_is_write_failure (cmd->error))
        {
          error = g_error_copy (cmd->error);
          goto failed;
        }
    }

  if (!ward_engine_evaluate (self->engine, now, &error) ||
      !_ward_pipeline_run_care_stage (self, now, &error))
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

  /* History roll-ups, every few seconds, in the tick's transaction: the
   * long-span charts read them.  Then hourly, raw measurements past
   * their retention that the roll-ups have counted.
   */
  if (self->retention_pending || now - self->last_rolled_up >= ROLLUP_INTERVAL_USEC)
    {
      WardStore *store = ward_engine_get_store (self->engine);
      WardRetentionResult retained = { 0 };

      if (self->measurement_retention_usec > 0 &&
          (self->retention_pending || now - self->last_measurements_pruned >= WARD_USEC_PER_HOUR))
        {
          gint64 keep = self->measurement_retention_usec;
          gint64 keep_minutes = (gint64) WARD_STORE_DEFAULT_MINUTE_ROLLUP_RETENTION_DAYS * 24 *
                                WARD_USEC_PER_HOUR;

          gboolean due = FALSE;

          /* The deletes scan their tables: only when the oldest row is
           * due.  One batch per tick, in the tick's transaction: a store
           * with weeks to delete gets them deleted over the next ticks,
           * with the sources' messages stored in between, never in one
           * transaction that holds the writer for seconds.
           */
          if (!ward_store_has_measurements_before (store, now - keep, &due, &error) ||
              (due && !ward_store_apply_retention_batch (store, now - keep,
                                                         now - MAX (keep, keep_minutes),
                                                         WARD_STORE_RETENTION_BATCH_ROWS,
                                                         &retained, &error)) ||
              (!due && ward_store_rollup (store, &error) < 0))
            goto failed;
          self->retention_pending = retained.more;
          self->retention_deleted[0] += retained.measurements;
          self->retention_deleted[1] += retained.minute_rollups;
          /* Once per run, after its last batch. */
          if (!retained.more && (self->retention_deleted[0] > 0 || self->retention_deleted[1] > 0))
            {
              g_message ("Retention: deleted %" G_GINT64_FORMAT " raw measurements and %"
                         G_GINT64_FORMAT " per-minute roll-ups (all counted in the roll-ups)",
                         self->retention_deleted[0], self->retention_deleted[1]);
              self->retention_deleted[0] = self->retention_deleted[1] = 0;
            }
          self->last_measurements_pruned = now;
        }
      else if (ward_store_rollup (store, &error) < 0)
        goto failed;
      self->last_rolled_up = now;
    }

  if (!ward_engine_commit (self->engine, &error))
    goto failed;
  sim_devices_settled (self, TRUE);

  ward_store_health_succeeded (self->health, WARD_STORE_WRITER_PIPELINE, now);
  /* Space came back, but maybe little: while the file system has less
   * than LOW_SPACE_BYTES free, the WAL is emptied after every commit,
   * or it grows into that space again (at every tick) long before it
   * reaches its own checkpoint.
   */
  if (self->disk_was_full)
    {
      checkpoint_wal (self);
      self->disk_was_full = free_space (self) < LOW_SPACE_BYTES;
    }
  self->retry_at = 0;
  self->retry_delay = 0;
  g_mutex_lock (&self->lock);
  g_clear_error (&self->fatal_error);
  g_mutex_unlock (&self->lock);

  publish_snapshot (self, make_snapshot (self, now));
  complete_commands (self, NULL);
  /* Something queued: the sync goes now rather than at its next second. */
  if (self->fhir_sync != NULL)
    ward_fhir_sync_notify (self->fhir_sync);
  return;

failed:
  /* The store failed (disk full, read-only, file removed): nothing of this
   * batch was committed, and the engine's memory goes back with it.  The
   * commands say so; device sources keep their messages unacknowledged
   * and resend them.  Messages the archive connection committed are
   * mapped again first in the next try.  The log says it once a minute,
   * the snapshot's alarm says it until a batch commits.
   */
  ward_engine_rollback (self->engine);
  sim_devices_settled (self, FALSE);
  ward_store_health_failed (self->health, WARD_STORE_WRITER_PIPELINE, error, now);
  /* Commands that did not get to run fail too, rather than wait on a
   * store that cannot write; archived messages wait for the next try.
   */
  {
    GQueue waiting = G_QUEUE_INIT;

    while ((cmd = g_queue_pop_head (&self->ready)) != NULL)
      {
        if (cmd->type == COMMAND_PROCESS_ARCHIVED)
          g_queue_push_tail (&waiting, cmd);
        else
          {
            if (cmd->type == COMMAND_QUIT)
              self->quitting = TRUE;
            g_ptr_array_add (self->done, cmd);
          }
      }
    self->ready = waiting;
  }
  for (guint i = self->done->len; i > 0; i--)
    {
      Command *done = g_ptr_array_index (self->done, i - 1);

      if (done->type != COMMAND_PROCESS_ARCHIVED)
        continue;
      g_clear_error (&done->error);
      g_ptr_array_steal_index (self->done, i - 1);
      g_queue_push_head (&self->ready, done);
    }
  complete_commands (self, error);

  /* On a full disk the WAL is most of what fills it: it grows with every
   * commit until a checkpoint (1,000 pages, 4 MiB, more than a small
   * disk has), and the failed commits leave it full.  Each try first
   * copies it into the database and truncates it (checkpoint_wal()),
   * which works as soon as a little space is freed, and gives the rest
   * of the WAL's space back.
   */
  if (g_error_matches (error, WARD_STORE_ERROR, WARD_STORE_ERROR_FULL))
    self->disk_was_full = TRUE;

  self->retry_delay = self->retry_delay == 0 ? RETRY_MIN_USEC
                                             : MIN (self->retry_delay * 2, RETRY_MAX_USEC);
  self->retry_at = g_get_monotonic_time () + self->retry_delay;

  g_mutex_lock (&self->lock);
  g_clear_error (&self->fatal_error);
  self->fatal_error = g_error_copy (error);
  g_mutex_unlock (&self->lock);

  publish_snapshot (self, make_snapshot (self, now));
}

static gboolean
tick_cb (gpointer data)
{
  WardPipeline *self = data;

  /* Both sources (the timer and the command queue) call this; once the
   * last tick has run, the other one must not run it again.
   */
  if (self->stopped)
    return G_SOURCE_REMOVE;

  tick (self);
  if (self->quitting)
    {
      /* The tick that saw the stop began before it, maybe long before
       * on a busy machine: one more brings everything up to the moment
       * of the stop.
       */
      tick (self);
      self->stopped = TRUE;
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
  return _ward_pipeline_now (data);
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
      _ward_pipeline_start_sharing (self);
    }

  g_main_loop_run (self->loop);

  g_source_destroy (self->tick_source);
  g_clear_pointer (&self->tick_source, g_source_unref);
  g_source_destroy (self->command_source);
  g_clear_pointer (&self->command_source, g_source_unref);

  /* One last attempt, bounded; what is left stays pending for the next
   * start.  The outbox first: the shared Tasks and Flags name the
   * Patients it sends.
   */
  if (self->fhir_sync != NULL)
    {
      ward_fhir_sync_flush_and_stop (self->fhir_sync, FHIR_STOP_TIMEOUT_MSEC);
      g_clear_object (&self->fhir_sync);
    }
  _ward_pipeline_stop_sharing (self);

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
  g_queue_clear_full (&self->ready, (GDestroyNotify) _ward_pipeline_command_free);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  g_clear_pointer (&self->fhir_token, g_free);
  g_clear_object (&self->fhir_auth);
  g_clear_object (&self->archive);
  g_mutex_clear (&self->archive_lock);
  g_clear_error (&self->fatal_error);
  g_clear_error (&self->batch_error);
  g_clear_pointer (&self->health, ward_store_health_free);
  g_clear_pointer (&self->test_pragma, g_free);
  g_clear_object (&self->care);
  g_clear_object (&self->engine);
  g_clear_object (&self->simulator);
  ward_pipeline_config_clear (&self->config);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->clock_lock);

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
  g_mutex_init (&self->clock_lock);
  g_mutex_init (&self->archive_lock);
  self->health = ward_store_health_new ();
  self->commands = g_async_queue_new_full ((GDestroyNotify) _ward_pipeline_command_free);
  self->done = g_ptr_array_new_with_free_func ((GDestroyNotify) _ward_pipeline_command_free);
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

  if (self->config.fhir_url != NULL && !_ward_pipeline_setup_fhir_auth (self, error))
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
  engine_config.window.validity_usec[WARD_NEWS2_CONSCIOUSNESS] = self->config.nurse_validity_usec;
  engine_config.window.validity_usec[WARD_NEWS2_AIR_OR_OXYGEN] = self->config.nurse_validity_usec;
  engine_config.flags.threshold = self->config.flag_threshold;
  engine_config.flags.open_delay_usec = self->config.flag_open_delay_usec;
  engine_config.flags.close_delay_usec = self->config.flag_close_delay_usec;
  engine_config.device_silence_usec = self->config.device_silence_usec;
  engine_config.vitals_observations = self->config.vitals_observations;
  engine_config.outbox_limit = self->config.outbox_limit;
  if (self->config.policy_file != NULL &&
      !ward_policy_load_file (self->config.policy_file, &engine_config, error))
    return FALSE;
  self->measurement_retention_usec =
    _ward_pipeline_measurement_retention (&self->config, &engine_config);
  self->engine = ward_engine_new (store, &engine_config);
  if (!_ward_pipeline_load_models (self->engine, self->config.policy_file,
                                   (const char * const *) self->config.models,
                                   self->config.demo, g_get_real_time (), error))
    {
      g_clear_object (&self->engine);
      return FALSE;
    }

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
  self->heartbeat = self->start_mono;

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
          !_ward_pipeline_load_ward_file (self, self->config.ward_file, error) ||
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
      if (self->simulator == NULL || !_ward_pipeline_register_demo_ward (self, error) ||
          !_ward_pipeline_queue_nurse_entries (self, error))
        {
          g_clear_object (&self->simulator);
          g_clear_object (&self->engine);
          return FALSE;
        }
    }

  /* What the engine knew before the last stop (newest values, nurse
   * values, the open flag) is read back from the store.
   */
  if (!ward_engine_restore (self->engine, _ward_pipeline_now (self), error))
    {
      g_clear_object (&self->simulator);
      g_clear_object (&self->engine);
      return FALSE;
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

  /* The care team's stage: the policy file's care object (checked with
   * the rest above), the station's name (--station, default this host).
   */
  {
    g_autoptr(WardCarePolicy) care_policy = ward_care_policy_new ();

    if (self->config.policy_file != NULL &&
        !ward_care_policy_load_file (care_policy, self->config.policy_file, error))
      {
        g_clear_object (&self->simulator);
        g_clear_object (&self->engine);
        return FALSE;
      }
    self->care = ward_care_new (self->engine, care_policy, NULL,
                               ward_pipeline_get_station (self));
  }

  self->func = func;
  self->func_data = user_data;
  self->main_context = g_main_context_ref_thread_default ();

  /* A first snapshot before any tick, so a window has beds to show. */
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  self->snapshot = make_snapshot (self, _ward_pipeline_now (self));

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
  self->heartbeat = 0;
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

  return _ward_pipeline_now (self);
}

/**
 * ward_pipeline_get_heartbeat:
 *
 * Returns: the monotonic time (g_get_monotonic_time()) at which the
 * pipeline thread last began a tick or published a snapshot; while it
 * runs, that is every tick_msec or so.  0 when it is not running (not
 * started, or stopped).  Any thread.
 */
gint64
ward_pipeline_get_heartbeat (WardPipeline *self)
{
  gint64 heartbeat;

  g_return_val_if_fail (WARD_IS_PIPELINE (self), 0);

  g_mutex_lock (&self->lock);
  heartbeat = self->heartbeat;
  g_mutex_unlock (&self->lock);

  return heartbeat;
}

gboolean
ward_pipeline_has_simulator (WardPipeline *self)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);

  return self->config.demo && self->config.simulate;
}

void
ward_pipeline_set_simulator_devices (WardPipeline *self,
                                     gboolean      on)
{
  g_return_if_fail (WARD_IS_PIPELINE (self));

  g_atomic_int_set (&self->sim_devices_off, !on);
}

void
ward_pipeline_get_simulator_status (WardPipeline *self,
                                    gboolean     *on,
                                    guint        *n_beds,
                                    double       *time_scale,
                                    guint64      *received,
                                    guint64      *committed,
                                    guint64      *failed)
{
  g_return_if_fail (WARD_IS_PIPELINE (self));

  if (on)
    *on = ward_pipeline_has_simulator (self) && !g_atomic_int_get (&self->sim_devices_off);
  if (n_beds)
    *n_beds = self->config.n_beds;
  if (time_scale)
    *time_scale = self->config.time_scale;
  g_mutex_lock (&self->lock);
  if (received)
    *received = self->sim_received;
  if (committed)
    *committed = self->sim_committed;
  if (failed)
    *failed = self->sim_failed;
  g_mutex_unlock (&self->lock);
}

/* Test hook: while paused, snapshots are kept but not delivered, as if
 * the owner's main context never got to them; resuming delivers the
 * newest.  Owner's thread.
 */
void
_ward_pipeline_set_delivery_paused (WardPipeline *self,
                                    gboolean      paused)
{
  g_return_if_fail (WARD_IS_PIPELINE (self));

  g_mutex_lock (&self->lock);
  self->delivery_paused = !!paused;
  g_mutex_unlock (&self->lock);

  /* The next tick's publish adds the delivery. */
  if (!paused && self->thread != NULL)
    g_main_context_wakeup (self->context);
}

const char *
ward_pipeline_get_db_path (WardPipeline *self)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), NULL);

  return self->config.db_path;
}

const char *
ward_pipeline_get_station (WardPipeline *self)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), NULL);

  return self->config.station != NULL ? self->config.station : g_get_host_name ();
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

void
_ward_pipeline_set_store_pragma (WardPipeline    *self,
                                 WardStoreWriter  writer,
                                 const char      *pragma)
{
  g_autofree char *sql = NULL;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (writer < WARD_STORE_N_WRITERS);
  g_return_if_fail (pragma != NULL);

  sql = g_strconcat ("PRAGMA ", pragma, NULL);
  if (writer == WARD_STORE_WRITER_PIPELINE)
    {
      g_mutex_lock (&self->lock);
      g_free (self->test_pragma);
      self->test_pragma = g_steal_pointer (&sql);
      g_mutex_unlock (&self->lock);
      g_main_context_wakeup (self->context);
      return;
    }

  g_mutex_lock (&self->archive_lock);
  if (self->archive == NULL)
    self->archive = ward_store_open (self->config.db_path, NULL);
  if (self->archive != NULL)
    {
      ward_store_set_sync_full (self->archive, FALSE);
      _ward_store_exec (self->archive, sql, NULL);
    }
  g_mutex_unlock (&self->archive_lock);
}
