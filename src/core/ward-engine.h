/* ward-engine.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ward-device-template.h"
#include "ward-flag-rules.h"
#include "ward-identity.h"
#include "ward-obs-due.h"
#include "ward-snapshot.h"
#include "ward-store.h"
#include "ward-score-window.h"
#include "ward-scorer.h"

G_BEGIN_DECLS

#define WARD_ENGINE_ERROR (ward_engine_error_quark ())

typedef enum
{
  WARD_ENGINE_ERROR_UNKNOWN_PATIENT,
  WARD_ENGINE_ERROR_INVALID,
  WARD_ENGINE_ERROR_NO_FLAG,
} WardEngineError;

typedef struct
{
  WardWindowPolicy window;
  WardFlagPolicy   flags;
  gint64           device_silence_usec;
  /* Pending outbox rows above which the outbox is reported over its
   * limit (WardCounters.outbox_over_limit, and a log message once).
   * Nothing is dropped: resources keep being stored and queued.  0 means
   * no limit.
   */
  gint64           outbox_limit;
  gint64           measurement_retention_usec; /* the ward policy's measurement_retention_days:
                                                * raw measurements kept this long once rolled
                                                * up, 90 days; 0 keeps them forever.  The
                                                * pipeline applies it (ward-pipeline.h). */
  /* Write the vital-signs Observations of the measurements (stage 5c),
   * one per patient, device, parameter and hour (the hourly mapping
   * below); off here by default, on in WardPipeline.  The NEWS2
   * Observation, RiskAssessment, Flag and Device are always written; the
   * NEWS2 Observation's derivedFrom names the vital-signs Observations
   * its device values are in.
   */
  gboolean         vitals_observations;
  /* When observations are due, by the latest score (ward-obs-due.h). */
  WardObsPolicy    obs;
} WardEngineConfig;

#define WARD_ENGINE_DEFAULT_OUTBOX_LIMIT 500000
/* The FHIR destination mapping of the vital-signs Observations. */
#define WARD_ENGINE_VITALS_MAPPING_RESOURCE \
  "/io/github/wardwatch/Wardwatch/core/mappings/wardwatch-fhir-hourly.json"

/* The stages of the pipeline, run synchronously: archive, device mapping,
 * identity, history store, window scoring, flag rules, technical alerts.
 * It knows nothing of threads or clocks: the caller (WardPipeline on its
 * thread, or a test, or a benchmark) passes the time in and brackets the
 * work in ward_engine_begin() / ward_engine_commit(), one transaction per
 * batch.
 */
#define WARD_TYPE_ENGINE (ward_engine_get_type ())
G_DECLARE_FINAL_TYPE (WardEngine, ward_engine, WARD, ENGINE, GObject)

GQuark              ward_engine_error_quark     (void);
void                ward_engine_config_init     (WardEngineConfig       *config);

WardEngine         *ward_engine_new             (WardStore              *store,
                                                 const WardEngineConfig *config);
/* JSON device messages are mapped with this IoMT device template
 * (default: the built-in mapping of the Wardwatch monitor format).
 */
void                ward_engine_set_device_template (WardEngine          *self,
                                                 WardDeviceTemplate     *device_template);
WardStore          *ward_engine_get_store       (WardEngine             *self);
/* ward-engine-policy.c: the policy of a running engine (issue #12). */
void                ward_engine_set_config      (WardEngine             *self,
                                                 const WardEngineConfig *config);
const WardEngineConfig *ward_engine_get_config  (WardEngine             *self);

gboolean            ward_engine_restore         (WardEngine             *self,
                                                 gint64                  now,
                                                 GError                **error);
gboolean            ward_engine_register_bed    (WardEngine             *self,
                                                 const char             *bed_id,
                                                 const char             *bed_label,
                                                 const char             *patient_id,
                                                 const char             *patient_name,
                                                 const char             *device_id,
                                                 int                     spo2_scale,
                                                 GError                **error);

/* Patient context: the patient's birth date, a FHIR date ("YYYY",
 * "YYYY-MM" or "YYYY-MM-DD"; NULL: unknown), kept in the store.  The age
 * at each window's end decides whether NEWS2 applies (not under 16,
 * ward_news2_applies_to_age()); a change re-scores the open window.  The
 * FHIR server's Patient.birthDate (identity lookup or create) sets it
 * too.
 */
gboolean            ward_engine_set_birth_date  (WardEngine             *self,
                                                 const char             *patient_id,
                                                 const char             *birth_date,
                                                 GError                **error);

/* The patient's identifiers for the two-identifier check (the ward
 * file's hospital number and NHS number; NULL: not given), shown in the
 * snapshot with the birth date, and the whole list as FHIR
 * Patient.identifier (an array, or NULL) for a Patient that identity
 * create mode makes on the FHIR server.  Kept in memory: the ward file
 * gives them again at each start.
 */
gboolean            ward_engine_set_identifiers (WardEngine             *self,
                                                 const char             *patient_id,
                                                 const char             *hospital_number,
                                                 const char             *nhs_number,
                                                 JsonNode               *fhir_identifiers,
                                                 GError                **error);

/* Assigns a device to a patient on this ward (NULL: to nobody); it
 * takes effect with the device's next message.
 */
gboolean            ward_engine_assign_device   (WardEngine             *self,
                                                 const char             *device_id,
                                                 const char             *patient_id,
                                                 GError                **error);

/* Adds a scorer (ward-scorer.h) after those already registered; NEWS2
 * is always the first.  An ACTIVE scorer's scores are in the snapshot
 * (WardBedState.scores) and, unless NEWS2, written as a RiskAssessment
 * (ward_fhir_scorer_risk_assessment()); a SHADOW scorer's are only
 * stored.  Only NEWS2 raises flags, and a model whose flag policy says
 * so (ward_engine_set_model_flag_policy()).  Fails if a scorer of the same kind
 * is registered.  Like every call here, on the engine's thread, between
 * batches.
 */
gboolean            ward_engine_add_scorer      (WardEngine             *self,
                                                 WardScorer             *scorer,
                                                 WardScorerMode          mode,
                                                 GError                **error);

/* Loads the model card at @card_path (ward-model.h) and adds its scorer
 * (ward-model-scorer.h) in @mode.  A model that cannot be used (missing,
 * bad card, checksum, corrupt, features Wardwatch does not compute) is
 * refused: logged once, counted (WardCounters.models_refused) and
 * recorded as a data issue (stage "model", the reason), @loaded set to
 * FALSE, and TRUE returned: the other scorers go on.  FALSE only when
 * the refusal cannot be recorded.  Inside ward_engine_begin() /
 * ward_engine_commit().
 */
gboolean            ward_engine_load_model      (WardEngine             *self,
                                                 const char             *card_path,
                                                 WardScorerMode          mode,
                                                 gint64                  now,
                                                 gboolean               *loaded,
                                                 GError                **error);

/* A model's own flag (issue #15): the registered scorer of @kind
 * (not NEWS2) raises a flag of kind "model" when @may_flag and its
 * probability stays at or above @probability for the flag policy's open
 * delay, and closes it after the close delay below @probability -
 * @hysteresis (ward-model-flag.h).  Only while the scorer is ACTIVE: a
 * SHADOW scorer never flags, whatever its policy.
 * ward_engine_load_model() sets it from the card's flag_policy.  Fails
 * with WARD_ENGINE_ERROR_INVALID for an unknown kind, NEWS2, or a
 * probability or hysteresis out of range.
 */
gboolean            ward_engine_set_model_flag_policy (WardEngine       *self,
                                                 const char             *kind,
                                                 gboolean                may_flag,
                                                 double                  probability,
                                                 double                  hysteresis,
                                                 GError                **error);

/* Identity from a FHIR server (WardIdentity in lookup or create mode)
 * for devices that are not in the bed map; NULL or local mode: the bed
 * map only.  A message whose device the server has not answered for yet
 * stays archived and unprocessed, held in memory, and is processed by a
 * later ward_engine_evaluate() once the answer is there, in order per
 * device.  The bed map wins over the server: ward_engine_assign_device()
 * also forgets the server's cached answer for the device.
 */
void                ward_engine_set_identity    (WardEngine             *self,
                                                 WardIdentity           *identity);
/* Messages waiting for an identity answer. */
guint               ward_engine_get_n_held      (WardEngine             *self);

gboolean            ward_engine_begin           (WardEngine             *self,
                                                 GError                **error);
gboolean            ward_engine_commit          (WardEngine             *self,
                                                 GError                **error);
void                ward_engine_rollback        (WardEngine             *self);

/* Bad input is not an error here: it is archived, recorded as a dead
 * letter with its stage and reason, and processing goes on.  FALSE means
 * the store itself failed.
 */
gboolean            ward_engine_ingest          (WardEngine             *self,
                                                 const char             *source,
                                                 const char             *content_type,
                                                 const char             *device_id_hint,
                                                 const char             *payload,
                                                 gsize                   length,
                                                 gint64                  received_at,
                                                 WardIngestOutcome      *outcome,
                                                 char                  **reason,
                                                 GError                **error);
/* The same for a message another connection already archived. */
/* Bytes a transport received but could not make a message of (an MLLP
 * framing error): archived as received and dead-lettered at stage with
 * reason, nothing mapped.
 */
gboolean            ward_engine_ingest_rejected (WardEngine             *self,
                                                 const char             *source,
                                                 const char             *content_type,
                                                 const char             *payload,
                                                 gsize                   length,
                                                 gint64                  received_at,
                                                 const char             *stage,
                                                 const char             *reason,
                                                 GError                **error);
gboolean            ward_engine_process_archived (WardEngine            *self,
                                                 gint64                  raw_id,
                                                 const char             *content_type,
                                                 const char             *device_id_hint,
                                                 const char             *payload,
                                                 gsize                   length,
                                                 gint64                  received_at,
                                                 WardIngestOutcome      *outcome,
                                                 char                  **reason,
                                                 GError                **error);
/* The same in two steps: device mapping, which touches no store and so
 * may run outside the batch's transaction, then the rest.
 */
typedef struct _WardMapped WardMapped;

WardMapped         *ward_engine_map_message     (WardEngine             *self,
                                                 const char             *content_type,
                                                 const char             *device_id_hint,
                                                 const char             *payload,
                                                 gsize                   length,
                                                 gint64                  received_at);
gboolean            ward_engine_process_mapped  (WardEngine             *self,
                                                 gint64                  raw_id,
                                                 const WardMapped       *mapped,
                                                 gint64                  received_at,
                                                 WardIngestOutcome      *outcome,
                                                 char                  **reason,
                                                 GError                **error);
void                ward_mapped_free            (WardMapped             *mapped);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardMapped, ward_mapped_free)

/* Maps every archived message that was not mapped yet (a crash, a kill). */
gboolean            ward_engine_process_pending (WardEngine             *self,
                                                 guint                  *n_processed,
                                                 GError                **error);

gboolean            ward_engine_nurse_entry     (WardEngine             *self,
                                                 const char             *patient_id,
                                                 WardMeasKind            kind,
                                                 double                  value,
                                                 gint64                  at,
                                                 const char             *user,
                                                 GError                **error);
/* A round of bedside observations, all or none: every entry is checked
 * (patient, plausible value) before any is stored, so a refused round
 * can be corrected and recorded again without doubling the rest.
 */
gboolean            ward_engine_nurse_entries   (WardEngine             *self,
                                                 const char             *patient_id,
                                                 const WardNurseEntry   *entries,
                                                 guint                   n_entries,
                                                 gint64                  at,
                                                 const char             *user,
                                                 GError                **error);
/* The SpO2 scale is a clinician's documented decision: decided_by is
 * kept with the patient (shown as "decided by"), user is who entered it
 * (the event's actor).  set_spo2_scale() is for a user who decided it.
 */
gboolean            ward_engine_set_spo2_scale  (WardEngine             *self,
                                                 const char             *patient_id,
                                                 int                     scale,
                                                 gint64                  at,
                                                 const char             *user,
                                                 GError                **error);
gboolean            ward_engine_set_spo2_scale_full (WardEngine         *self,
                                                 const char             *patient_id,
                                                 int                     scale,
                                                 const char             *decided_by,
                                                 gint64                  at,
                                                 const char             *user,
                                                 GError                **error);
gboolean            ward_engine_confirm         (WardEngine             *self,
                                                 const char             *patient_id,
                                                 gint64                  at,
                                                 const char             *user,
                                                 GError                **error);
gboolean            ward_engine_acknowledge     (WardEngine             *self,
                                                 gint64                  flag_id,
                                                 gint64                  at,
                                                 const char             *user,
                                                 GError                **error);
/* An acknowledgement made at another station (read from the shared
 * Flag): the same state, recorded as an "acknowledge-shared" event naming
 * that station, which the care team does not take as accepting a task
 * here (the Task is shared on its own).
 */
gboolean            ward_engine_acknowledge_shared (WardEngine          *self,
                                                 gint64                  flag_id,
                                                 gint64                  at,
                                                 const char             *user,
                                                 const char             *station,
                                                 GError                **error);
/* A flag closed at another station (its shared Flag inactive or
 * entered-in-error): closed here too at closed_at, and the patient's
 * tracker held so that the same still-abnormal data do not raise it
 * again (ward_flag_tracker_hold(); ward-engine-shared-close.c).  A flag
 * not open here is WARD_ENGINE_ERROR_NO_FLAG.  Inside a batch.
 */
gboolean            ward_engine_close_shared    (WardEngine             *self,
                                                 gint64                  flag_id,
                                                 gint64                  closed_at,
                                                 const char             *station,
                                                 GError                **error);

/* The FHIR id resources about a patient reference (NULL for a patient
 * the ward does not have), its minimal Patient written first in local
 * identity (ward-engine-subjects.c).  Inside a batch.
 */
gboolean            ward_engine_ensure_fhir_patient (WardEngine  *self,
                                                     const char  *patient_id,
                                                     gint64       now,
                                                     char       **fhir_id,
                                                     GError     **error);

/* Scores what changed, runs the flag rules and the silence check. */
gboolean            ward_engine_evaluate        (WardEngine             *self,
                                                 gint64                  now,
                                                 GError                **error);

WardSnapshot       *ward_engine_snapshot        (WardEngine             *self,
                                                 gint64                  now);
const WardCounters *ward_engine_get_counters    (WardEngine             *self);

G_END_DECLS
