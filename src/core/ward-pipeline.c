/* ward-pipeline.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline.h"
#include "ward-pipeline-private.h"

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

#include <json-glib/json-glib.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/statvfs.h>

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
  COMMAND_CARE,
  COMMAND_PUSH_MESSAGE,
  COMMAND_PUSH_REJECTED,
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
  WardMessageKey *key;         /* PUSH_MESSAGE once per key, or NULL */
  gboolean      duplicate;     /* ...and it was stored already */
  char         *reject_stage;  /* PUSH_REJECTED */
  char         *reject_reason;
  WardCareCommand *care_command; /* CARE */
  gint64        care_result;
  GError       *error;         /* set while running */
} Command;

typedef struct
{
  WardIngestOutcome  outcome;
  char              *reason;
  gboolean           duplicate;
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
  WardCare           *care;          /* the care team's stage, after the engine's */
  gint64              care_warned_at;  /* monotonic: the last log of a failed care stage */
  WardSimulator      *simulator;
  GMainContext       *context;
  GMainLoop          *loop;
  GThread            *thread;
  GSource            *tick_source;
  GSource            *command_source;
  GPtrArray          *done;          /* Command, completed after commit */
  GQueue              ready;         /* Command, taken from the queue for this tick */
  gboolean            quitting;
  gboolean            stopped;         /* the last tick has run */
  gint64              last_evaluated;  /* simulated time of the last evaluate */
  gint64              last_pruned;     /* time of the last raw archive retention run */
  guint               in_batch;        /* events in the open transaction */
  WardFhirSync       *fhir_sync;       /* sends the outbox between ticks, or NULL */
  WardFhirShared     *fhir_shared;     /* the care team's Tasks with the other stations, or NULL */
  char               *fhir_token;
  WardFhirAuth       *fhir_auth;       /* built at start, used by the sync, or NULL */
  GError             *batch_error;     /* the store failed inside the simulator's events */
  gint64              retry_at;        /* monotonic: the next try after a failed batch, or 0 */
  gint64              retry_delay;     /* the backoff after the last failed batch */
  gboolean            disk_was_full;   /* a batch failed on a full disk since the last commit */

  /* Clock: set at start, read from any thread under clock_lock; in demo
   * mode moved back when the ward falls too far behind (advance_simulator()).
   */
  GMutex              clock_lock;
  gint64              start_sim;
  gint64              start_mono;
  gint64              reached;         /* pipeline thread: the time the last tick reached */
  gboolean            behind_logged;

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
  WardStoreHealth    *health;          /* whether the store writes, for the alarm and the log */
  char               *test_pragma;     /* under lock: for the pipeline's connection */
  gint64              heartbeat;       /* monotonic time the pipeline thread last progressed */
  gboolean            delivery_paused; /* test hook: snapshots kept, not delivered */

  /* The simulator as a stepped source (ward_pipeline_set_simulator_devices()). */
  gint                sim_devices_off;   /* atomic: its device messages are not stepped in */
  guint64             sim_pending;       /* pipeline thread: ingested, not yet committed */
  guint64             sim_received;      /* under lock */
  guint64             sim_committed;     /* under lock */
  guint64             sim_failed;        /* under lock */
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
  g_clear_pointer (&cmd->key, ward_message_key_free);
  g_free (cmd->reject_stage);
  g_free (cmd->reject_reason);
  g_clear_pointer (&cmd->care_command, ward_care_command_free);
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

static gint64
pipeline_now (WardPipeline *self)
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

/* The store cannot write now (disk full, read-only, I/O, locked, damaged):
 * the whole batch fails and is tried again, rather than a command failing
 * alone and the rest of its batch being committed without it.
 */
static gboolean
is_write_failure (const GError *error)
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

  if (!ok && is_write_failure (error))
    self->batch_error = g_steal_pointer (&error);
  else if (!ok)
    g_warning ("Simulated event failed: %s", error->message);
}

/* The care team's stage, after the engine's, in a savepoint of its own:
 * a fault of its own must not stop the ward's scores and flags (the
 * tasks wait for the next tick, the log says why once a minute); the
 * store failing fails the batch as for any stage.
 */
static gboolean
run_care_stage (WardPipeline  *self,
                gint64         now,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  WardStore *store = ward_engine_get_store (self->engine);
  gint64 mono;

  if (!_ward_store_exec (store, "SAVEPOINT care_tick", error))
    return FALSE;
  if (ward_care_tick (self->care, now, &local_error))
    return _ward_store_exec (store, "RELEASE care_tick", error);

  if (is_write_failure (local_error))
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
            !is_write_failure (cmd->error))
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
          g_task_return_pointer (cmd->task, result, (GDestroyNotify) push_result_free);
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

  now = pipeline_now (self);
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
      if (cmd->error != NULL && is_write_failure (cmd->error))
        {
          error = g_error_copy (cmd->error);
          goto failed;
        }
    }

  if (!ward_engine_evaluate (self->engine, now, &error) ||
      !run_care_stage (self, now, &error))
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
  return pipeline_now (data);
}

static const char *fhir_auth_mode (WardPipeline *self);

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
      ward_store_add_event (store, pipeline_now (self), ward_pipeline_get_station (self),
                            "care-action-superseded", NULL, detail, &error) == 0 ||
      !ward_store_commit (store, &error))
    {
      g_warning ("Cannot record that a care action gave way: %s", error->message);
      ward_store_rollback (store);
    }
}

/* With a FHIR server and --station, Tasks are shared with the ward's
 * other stations (care/ward-care-share.h) instead of going out with the
 * outbox.  SMART
 * tokens are not handed to the sharing layer yet: with SMART, Tasks go
 * out as before and the station works alone.
 */
static void
start_sharing (WardPipeline *self)
{
  /* Opt-in: a station that is named joins the ward's shared
   * coordination; one that is not sends its Tasks as before.
   */
  if (self->care == NULL || self->config.station == NULL)
    return;
  if (g_strcmp0 (fhir_auth_mode (self), "smart") == 0)
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
  ward_fhir_shared_start (self->fhir_shared);
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
      start_sharing (self);
    }

  g_main_loop_run (self->loop);

  g_source_destroy (self->tick_source);
  g_clear_pointer (&self->tick_source, g_source_unref);
  g_source_destroy (self->command_source);
  g_clear_pointer (&self->command_source, g_source_unref);

  /* One last attempt, bounded; what is left stays pending for the next
   * start.
   */
  if (self->fhir_shared != NULL)
    {
      /* What is queued stays in the store for the next start. */
      ward_care_set_shared (self->care, NULL);
      ward_fhir_shared_stop (self->fhir_shared);
      g_clear_object (&self->fhir_shared);
    }
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
static gboolean
load_ward_file (WardPipeline  *self,
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
static const char *
fhir_auth_mode (WardPipeline *self)
{
  if (self->config.fhir_auth != NULL)
    return self->config.fhir_auth;
  return self->config.fhir_client_id != NULL ? "smart"
         : self->config.fhir_token_file != NULL ? "bearer" : "none";
}

static gboolean
setup_fhir_auth (WardPipeline  *self,
                 GError       **error)
{
  const char *mode = fhir_auth_mode (self);

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

  /* What the engine knew before the last stop (newest values, nurse
   * values, the open flag) is read back from the store.
   */
  if (!ward_engine_restore (self->engine, pipeline_now (self), error))
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

  return pipeline_now (self);
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
ward_pipeline_care_async (WardPipeline        *self,
                          WardCareCommand     *command,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (WARD_IS_PIPELINE (self));
  g_return_if_fail (command != NULL);

  cmd = command_new (self, COMMAND_CARE, ward_pipeline_care_async, cancellable, callback,
                     user_data);
  cmd->care_command = command;
  queue_command (self, cmd);
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

  cmd = command_new (self, COMMAND_PUSH_MESSAGE, source_tag, cancellable, callback, user_data);
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
  queue_command (self, cmd);
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
  push_result_free (push);

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
  queue_command (self, cmd);
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

  cmd = command_new (self, COMMAND_PUSH_REJECTED, ward_pipeline_push_rejected_async,
                     cancellable, callback, user_data);
  cmd->source = g_strdup (source);
  cmd->content_type = g_strdup (content_type);
  cmd->payload = g_bytes_new (payload, length);
  cmd->reject_stage = g_strdup (stage);
  cmd->reject_reason = g_strdup (reason);
  queue_command (self, cmd);
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

  now = pipeline_now (self);

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

  now = pipeline_now (self);

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

gboolean
ward_pipeline_command_finish (WardPipeline  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (WARD_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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
