/* ward-pipeline.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-care-command.h"
#include "ward-ingest-once.h"
#include "ward-snapshot.h"
#include "ward-store-archive.h"
#include "ward-types.h"

G_BEGIN_DECLS

#define WARD_PIPELINE_ERROR (ward_pipeline_error_quark ())

typedef enum
{
  WARD_PIPELINE_ERROR_FAILED,
  WARD_PIPELINE_ERROR_NOT_FOUND,
  WARD_PIPELINE_ERROR_STOPPED,
} WardPipelineError;

/* Everything the pipeline is started with.  Times are microseconds of
 * simulated time in demo mode, of wall-clock time otherwise.
 */
typedef struct
{
  char       *db_path;
  gboolean    demo;                   /* the simulated demo ward */
  gboolean    simulate;               /* demo: its devices run in-process (TRUE); FALSE when
                                       * they come over the network (wardwatch-cli simulate) */
  char       *ward_file;              /* beds, patients and devices (see docs), or NULL */
  char       *device_mapping;         /* an IoMT device mapping file, or NULL for the default */
  guint       n_beds;
  guint64     seed;
  double      time_scale;
  char      **scenarios;              /* NULL: the default ward plan */
  char      **scenario_dirs;
  gint64      start_usec;             /* 0: now */
  char      **nurse_entries;          /* "BED:acvpu=C", "BED:oxygen=2", "BED:spo2-scale=2",
                                       * applied at start; BED is a bed number, bed id or
                                       * patient id */

  gint64      window_usec;            /* NEWS2 observation window, 30 min */
  gint64      window_step_usec;       /* windows end on multiples of this, 5 min */
  gint64      nurse_validity_usec;    /* how long an ACVPU or air/O2 entry counts, 12 h */
  WardBand    flag_threshold;         /* medium */
  gint64      flag_open_delay_usec;   /* sustained this long before a flag opens, 3 min */
  gint64      flag_close_delay_usec;  /* sustained recovery before it closes, 10 min */
  gint64      device_silence_usec;    /* technical alert after this, 60 s */
  guint       tick_msec;              /* real time between ticks, 50 ms */
  double      raw_retention_days;     /* raw payloads kept this long, 30; 0 keeps them forever */
  double      measurement_retention_days; /* raw measurements kept this long once rolled up;
                                       * 0 keeps them forever; NAN (the default): the
                                       * ward policy's measurement_retention_days, 90
                                       * without one.  Set, it wins over the policy. */
  char       *fhir_url;               /* FHIR R4 base URL the outbox is sent to, or NULL */
  char       *fhir_token_file;        /* a file, readable only by the user, holding a static
                                       * bearer token for it, or NULL */
  char       *fhir_client_id;         /* SMART Backend Services client id, or NULL */
  char       *fhir_private_key;       /* its PEM private key (RS384 / ES384), readable only by
                                       * the user */
  char       *fhir_auth;              /* "none", "bearer", "smart" or NULL: smart with a client
                                       * id, bearer with a token file, else none */
  char       *station;                /* this station's name on writes shared with the other
                                       * stations through the FHIR server (--station); NULL:
                                       * the host name */
  char       *identity;               /* device to patient: "local" (the bed map; NULL means
                                       * local), "lookup" or "create" (the FHIR server at
                                       * fhir_url, Device.patient) */
  double      identity_cache_seconds; /* how long a server answer is used, 300 */
  gboolean    vitals_observations;    /* write the hourly vital-signs Observations, TRUE */
  gint64      outbox_limit;           /* above this many pending resources the window warns;
                                       * nothing is dropped (500 000; 0: no warning) */
  char       *policy_file;            /* the ward policy file (ward-policy.h): validity, flags,
                                       * observation frequency; its keys win over the options
                                       * above.  NULL: the defaults */
  char      **models;                 /* --model=CARD[:shadow|active], after the policy's
                                       * "models"; in demo mode with none, the demo model
                                       * (ward-engine.h: ward_engine_load_model()) */
} WardPipelineConfig;

void      ward_pipeline_config_init   (WardPipelineConfig       *config);
void      ward_pipeline_config_clear  (WardPipelineConfig       *config);
void      ward_pipeline_config_copy   (const WardPipelineConfig *src,
                                       WardPipelineConfig       *dest);

typedef void (*WardSnapshotFunc) (WardSnapshot *snapshot,
                                  gpointer      user_data);

#define WARD_TYPE_PIPELINE (ward_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (WardPipeline, ward_pipeline, WARD, PIPELINE, GObject)

GQuark        ward_pipeline_error_quark       (void);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardPipelineConfig, ward_pipeline_config_clear)

WardPipeline *ward_pipeline_new               (const WardPipelineConfig *config);

/* Opens the store, registers the demo ward and starts the thread.
 * Snapshots are delivered to func on the thread-default main context of
 * the caller, at most one pending delivery at a time: a slow reader gets
 * the newest snapshot, never a queue of old ones.
 */
gboolean      ward_pipeline_start             (WardPipeline             *self,
                                               WardSnapshotFunc          func,
                                               gpointer                  user_data,
                                               GError                  **error);
/* Runs a last tick, commits, stops and joins the thread. */
void          ward_pipeline_stop              (WardPipeline             *self);

WardSnapshot *ward_pipeline_get_snapshot      (WardPipeline             *self);
gint64        ward_pipeline_get_now           (WardPipeline             *self);
const char   *ward_pipeline_get_db_path       (WardPipeline             *self);
/* This station's name on what it records and shares (--station, or the
 * host's name).
 */
const char   *ward_pipeline_get_station       (WardPipeline             *self);
gint64        ward_pipeline_get_heartbeat     (WardPipeline             *self);
/* FALSE, with the error, while the last transaction failed (disk full,
 * file removed): the pipeline keeps trying and the snapshot's store
 * status says so; TRUE again once a batch commits.
 */
gboolean      ward_pipeline_check_health      (WardPipeline             *self,
                                               GError                  **error);

/* Commands, queued to the pipeline thread; they complete on the caller's
 * thread-default main context once their transaction is committed.
 */
void          ward_pipeline_nurse_entry_async (WardPipeline             *self,
                                               const char               *patient_id,
                                               WardMeasKind              kind,
                                               double                    value,
                                               const char               *user,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
/* A round of bedside observations in one command: all stored, or none
 * (ward_engine_nurse_entries()).
 */
void          ward_pipeline_nurse_entries_async (WardPipeline           *self,
                                               const char               *patient_id,
                                               const WardNurseEntry     *entries,
                                               guint                     n_entries,
                                               const char               *user,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
/* decided_by: the clinician who documented the scale; user: who enters it. */
void          ward_pipeline_set_spo2_scale_async (WardPipeline          *self,
                                               const char               *patient_id,
                                               int                       scale,
                                               const char               *decided_by,
                                               const char               *user,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
void          ward_pipeline_confirm_async     (WardPipeline             *self,
                                               const char               *patient_id,
                                               const char               *user,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
void          ward_pipeline_acknowledge_async (WardPipeline             *self,
                                               gint64                    flag_id,
                                               const char               *user,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
/* A care-team action (care/ward-care-command.h), taken over and run on
 * the pipeline thread in the next tick's transaction, at its time.
 * finish returns the action's id (a new concern's task, a new
 * handover, or the task or handover acted on), or 0 with error: the
 * action's own refusal (WARD_CARE_ERROR) or the store's.
 */
void          ward_pipeline_care_async        (WardPipeline             *self,
                                               WardCareCommand          *command,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
gint64        ward_pipeline_care_finish       (WardPipeline             *self,
                                               GAsyncResult             *result,
                                               GError                  **error);
/* A device message from any source, queued to the pipeline thread: it
 * is archived, mapped (IoMT device template for JSON, the HL7 mapper for
 * HL7 v2), stored and scored in the next transaction.  The completion
 * comes after the commit, so a source that acknowledges to its sender
 * (MLLP) does it in the callback.  device_id is the id the transport
 * gives (an MQTT topic), or NULL.
 */
void          ward_pipeline_push_message_async (WardPipeline            *self,
                                               const char               *source,
                                               const char               *content_type,
                                               const char               *device_id,
                                               const char               *payload,
                                               gssize                    length,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
/* FALSE with error only when the store failed: nothing was committed. */
gboolean      ward_pipeline_push_message_finish (WardPipeline           *self,
                                               GAsyncResult             *result,
                                               WardIngestOutcome        *outcome,
                                               char                    **reason,
                                               GError                  **error);

/* As push_message, once per key (ward_ingest_once()): a message its
 * sender sends again (the same key and digest) is not stored again, and
 * completes with the first outcome and reason and *duplicate TRUE.  The
 * answer is remembered in the message's own transaction, so it survives
 * a restart exactly when the message does.
 */
void          ward_pipeline_push_message_once_async (WardPipeline       *self,
                                               const char               *source,
                                               const char               *content_type,
                                               const WardMessageKey     *key,
                                               const char               *payload,
                                               gssize                    length,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
gboolean      ward_pipeline_push_message_once_finish (WardPipeline      *self,
                                               GAsyncResult             *result,
                                               WardIngestOutcome        *outcome,
                                               char                    **reason,
                                               gboolean                 *duplicate,
                                               GError                  **error);
/* Bytes a source received but could not make a message of (a framing
 * error): archived and dead-lettered at stage with reason
 * (ward_engine_ingest_rejected()).  Completes after the commit; finish
 * with ward_pipeline_command_finish().
 */
void          ward_pipeline_push_rejected_async (WardPipeline           *self,
                                               const char               *source,
                                               const char               *content_type,
                                               const char               *payload,
                                               gsize                     length,
                                               const char               *stage,
                                               const char               *reason,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);

/* Thread-safe and blocking: commits the raw message to the archive on a
 * connection of its own before it returns, then queues it for mapping.
 * For transports whose library acknowledges before the application has
 * the message (libmosquitto's QoS 1 PUBACK): call it from the message
 * callback.  A message archived but not yet mapped when Wardwatch stops
 * (or is killed) is mapped at the next start.  Returns the raw message id,
 * or 0 with error when the store failed.
 */
gint64        ward_pipeline_archive_message   (WardPipeline             *self,
                                               const char               *source,
                                               const char               *content_type,
                                               const char               *device_id,
                                               const char               *payload,
                                               gsize                     length,
                                               GError                  **error);

/* The batched form, for a source that acknowledges a group of messages
 * once the group is committed (MQTT): one transaction on the archive
 * connection for all n_items, then each one that is not a redelivered
 * copy (see ward-store-archive.h) is queued for mapping.  Thread-safe and
 * blocking; when it returns TRUE every item is committed and the source
 * may acknowledge them all.  FALSE with error when the store failed:
 * nothing of the batch was committed.
 */
gboolean      ward_pipeline_archive_batch     (WardPipeline             *self,
                                               const char               *source,
                                               const char               *content_type,
                                               WardArchiveItem          *items,
                                               guint                     n_items,
                                               GError                  **error);

/* The in-process simulator as a stepped source (ward-simulator-source.h).
 * In demo mode with simulate, the pipeline owns the simulator and steps
 * it in each tick, its events in the tick's transaction; the devices'
 * messages are stepped in while "on" (the default) and dropped while
 * off, as from an unplugged monitor; nurse entries and the simulated
 * clock go on either way.  received counts device messages stepped in,
 * committed those of them the pipeline committed, failed those rolled
 * back.  Any thread.
 */
gboolean      ward_pipeline_has_simulator         (WardPipeline             *self);
void          ward_pipeline_set_simulator_devices (WardPipeline             *self,
                                                   gboolean                  on);
void          ward_pipeline_get_simulator_status  (WardPipeline             *self,
                                                   gboolean                 *on,
                                                   guint                    *n_beds,
                                                   double                   *time_scale,
                                                   guint64                  *received,
                                                   guint64                  *committed,
                                                   guint64                  *failed);

gboolean      ward_pipeline_command_finish    (WardPipeline             *self,
                                               GAsyncResult             *result,
                                               GError                  **error);

G_END_DECLS
