/* ward-pipeline-internal.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/* The pipeline's state, shared by its own files (ward-pipeline*.c) and
 * nothing else.
 */

#include "ward-pipeline.h"
#include "ward-engine.h"
#include "ward-fhir-sync.h"
#include "ward-care.h"
#include "ward-care-command.h"
#include "ward-care-share.h"
#include "ward-ingest-once.h"
#include "ward-simulator.h"
#include "ward-store-errors.h"

G_BEGIN_DECLS

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
  gint64              last_rolled_up;  /* time of the last history roll-up */
  gint64              last_measurements_pruned; /* time of the last measurement retention */
  gint64              measurement_retention_usec; /* the option's, else the policy's; 0: none */
  gboolean            retention_pending; /* the last retention batch was full: go on next tick */
  gint64              retention_deleted[2]; /* measurements, minute roll-ups: this run so far */
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

#define WARD_IS_PIPELINE_THREAD(self) (g_main_context_is_owner ((self)->context))

/* ward-pipeline.c */
gint64    _ward_pipeline_now                 (WardPipeline  *self);
gboolean  _ward_pipeline_is_write_failure    (const GError  *error);

/* ward-pipeline-commands.c */
void      _ward_pipeline_command_free        (Command       *cmd);
Command  *_ward_pipeline_command_new         (WardPipeline        *self,
                                              CommandType          type,
                                              gpointer             source_tag,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
void      _ward_pipeline_queue_command       (WardPipeline  *self,
                                              Command       *cmd);
gboolean  _ward_pipeline_queue_nurse_entries (WardPipeline  *self,
                                              GError       **error);

/* ward-pipeline-setup.c */
gboolean    _ward_pipeline_register_demo_ward (WardPipeline  *self,
                                               GError       **error);
gboolean    _ward_pipeline_load_ward_file     (WardPipeline  *self,
                                               const char    *path,
                                               GError       **error);
const char *_ward_pipeline_fhir_auth_mode     (WardPipeline  *self);
gboolean    _ward_pipeline_setup_fhir_auth    (WardPipeline  *self,
                                               GError       **error);

/* ward-pipeline-live.c */
gboolean  _ward_pipeline_engine_config       (const WardPipelineConfig  *config,
                                              const char                *policy_file,
                                              WardEngineConfig          *engine_config,
                                              GError                   **error);
void      _ward_pipeline_start_fhir          (WardPipeline  *self);

/* ward-pipeline-care.c */
gboolean  _ward_pipeline_run_care_stage      (WardPipeline  *self,
                                              gint64         now,
                                              GError       **error);
void      _ward_pipeline_start_sharing       (WardPipeline  *self);
void      _ward_pipeline_stop_sharing        (WardPipeline  *self);

/* ward-pipeline-sources.c */
void      _ward_pipeline_push_result_free    (PushResult    *result);

G_END_DECLS
