/* ward-engine-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-engine.h"

#include "ward-device-mapping.h"
#include "ward-device-template.h"
#include "ward-fhir-resources.h"
#include "ward-fhir-template.h"
#include "ward-hl7-mapper.h"
#include "ward-identity.h"
#include "ward-model-flag.h"
#include "ward-normalized.h"
#include "ward-store-restore.h"
#include "ward-ward-model.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What the engine's files share: the engine's fields and the helpers one
 * stage calls in another.  Each stage file holds one concern; see
 * docs/ARCHITECTURE.md, "The core, stage by stage".
 */

#define SYSTEM_ACTOR "wardwatch"
#define MAX_CLOCK_SKEW_USEC (5 * WARD_USEC_PER_MINUTE)

/* A scorer the engine runs (ward_engine_add_scorer()). */
typedef struct
{
  WardScorer     *scorer;
  WardScorerMode  mode;
  WardModelFlagPolicy flag_policy;  /* may_flag FALSE unless set (a model's card) */
} WardRegisteredScorer;

struct _WardEngine
{
  GObject            parent_instance;

  WardStore         *store;
  WardDeviceTemplate *device_template;
  WardEngineConfig   config;

  WardWardModel      model;         /* beds, patients, devices */
  GPtrArray         *scorers;       /* WardRegisteredScorer, in the order they run */
  GArray            *scratch;       /* WardMeasurement, reused per message */

  WardCounters       counters;
  guint64            serial;
  gint64             last_window_end;

  /* The local FHIR store (see ward_engine_evaluate()). */
  WardFhirTemplate  *fhir_template;
  GPtrArray         *fhir_pending;  /* WardNormalized, stored since the last evaluate */
  char              *fhir_device_id;
  gboolean           outbox_warned;

  /* Identity from a FHIR server (lookup, create), or NULL: the bed map. */
  WardIdentity      *identity;
  GQueue             held;          /* HeldMessage, waiting for an identity answer, in order */
  GHashTable        *held_devices;  /* device id -> number of its held messages */
  gboolean           held_ready;    /* an answer or an assignment since the last look */

  /* The vital-signs Observations written lately, for the derivedFrom of
   * the NEWS2 Observations: "patient|type" -> GArray of VitalsRef, the
   * newest last, at most VITALS_REFS_KEPT.
   */
  GHashTable        *vitals_refs;

  /* "Type/id" -> JSON of the Patients and monitor Devices put to the
   * local FHIR store (ward-engine-subjects.c); emptied on rollback.
   */
  GHashTable        *fhir_subjects;

  /* The state in memory as of the open batch's begin (see
   * _ward_engine_take_checkpoint()): put back when the batch rolls back.
   */
  gboolean           has_checkpoint;
  GArray            *saved_patients;  /* SavedPatient */
  GArray            *saved_devices;   /* SavedDevice */
  WardCounters       saved_counters;
  gint64             saved_window_end;
  gboolean           saved_outbox_warned;
  gboolean           saved_fhir_device;
};

typedef struct
{
  gint64  start_ticks;
  gint64  end_ticks;
  char    id[65];
} VitalsRef;

#define VITALS_REFS_KEPT 8

/* An archived message whose device's patient is not known yet: kept
 * (unprocessed in the store) until the identity answer arrives.
 */
typedef struct
{
  gint64     raw_id;
  GPtrArray *items;         /* WardNormalized, shared with the mapping */
  gint64     received_at;
  char      *device_id;     /* the device it waits for */
} HeldMessage;

/* ward-engine.c */
WardPatient         *_ward_engine_lookup_patient (WardEngine  *self,
                                                  const char  *patient_id,
                                                  GError     **error);
gboolean             _ward_engine_record_event (WardEngine  *self,
                                                gint64       at,
                                                const char  *actor,
                                                const char  *kind,
                                                const char  *patient_id,
                                                const char  *detail_json,
                                                GError     **error);
gboolean             _ward_engine_dead_letter (WardEngine  *self,
                                               gint64       raw_id,
                                               const char  *stage,
                                               const char  *reason,
                                               gint64       at,
                                               GError     **error);
gboolean             _ward_engine_update_birth_date (WardEngine   *self,
                                                     WardPatient  *p,
                                                     const char   *birth_date,
                                                     GError      **error);

/* ward-engine-checkpoint.c */
void                 _ward_engine_take_checkpoint (WardEngine *self);
void                 _ward_engine_restore_checkpoint (WardEngine *self);

/* ward-engine-identify.c */
void                 _ward_engine_held_message_free (gpointer data);
gboolean             _ward_engine_hold_for_identity (WardEngine *self,
                                                     gint64      raw_id,
                                                     GPtrArray  *items,
                                                     gint64      received_at);
WardPatient         *_ward_engine_identity_patient (WardEngine            *self,
                                                    const WardNormalized  *item,
                                                    gint64                 now,
                                                    char                 **birth_date,
                                                    char                 **device_server_id,
                                                    char                 **why);
gboolean             _ward_engine_release_held (WardEngine  *self,
                                                GError     **error);

/* ward-engine-store.c */
void                 _ward_engine_set_outcome (WardIngestOutcome  *outcome,
                                               char              **reason_out,
                                               WardIngestOutcome   value,
                                               const char         *reason);
gboolean             _ward_engine_store_normalized (WardEngine         *self,
                                                    gint64              raw_id,
                                                    GPtrArray          *items,
                                                    gint64              received_at,
                                                    WardIngestOutcome  *outcome,
                                                    char              **reason,
                                                    GError            **error);

/* ward-engine-subjects.c */
gboolean             _ward_engine_ensure_fhir_patient (WardEngine   *self,
                                                       WardPatient  *p,
                                                       gint64        now,
                                                       GError      **error);
gboolean             _ward_engine_ensure_fhir_monitor (WardEngine   *self,
                                                       const char   *device_id,
                                                       const char   *fhir_id,
                                                       gint64        now,
                                                       GError      **error);
void                 _ward_engine_forget_fhir_subjects (WardEngine *self);

/* ward-engine-fhir.c */
const char          *_ward_engine_patient_fhir_id (WardEngine  *self,
                                                   WardPatient *p);
void                 _ward_engine_queue_vitals (WardEngine           *self,
                                                const WardNormalized *item,
                                                WardPatient          *p);
gboolean             _ward_engine_put_resource (WardEngine  *self,
                                                const char  *resource_type,
                                                JsonNode    *node,
                                                const char  *json,
                                                gint64       at,
                                                GError     **error);
void                 _ward_engine_report_unbuilt (const char   *resource_type,
                                                  const GError *error);
gboolean             _ward_engine_ensure_fhir_device (WardEngine  *self,
                                                      gint64       now,
                                                      GError     **error);
char                *_ward_engine_find_vitals (WardEngine *self,
                                               const char *patient_id,
                                               const char *type,
                                               gint64      observed_at);
gboolean             _ward_engine_flush_vitals (WardEngine  *self,
                                                gint64       now,
                                                GError     **error);
gboolean             _ward_engine_check_outbox (WardEngine  *self,
                                                GError     **error);
gboolean             _ward_engine_put_flag (WardEngine   *self,
                                            WardPatient  *p,
                                            gint64        closed_at,
                                            gint64        now,
                                            GError      **error);

/* ward-engine-score.c */
void                 _ward_engine_registered_scorer_free (gpointer data);
void                 _ward_engine_add_news2_scorer (WardEngine *self);
const WardRegisteredScorer *_ward_engine_find_scorer (WardEngine *self,
                                                      const char *kind);
gboolean             _ward_engine_score_patient (WardEngine   *self,
                                                 WardPatient  *p,
                                                 gint64        now,
                                                 GError      **error);

/* ward-engine-flag.c */
gboolean             _ward_engine_close_technical_alert (WardEngine  *self,
                                                         WardDevice  *d,
                                                         gint64       at,
                                                         GError     **error);
gboolean             _ward_engine_run_flag_rules (WardEngine   *self,
                                                  WardPatient  *p,
                                                  gint64        now,
                                                  GError      **error);
gboolean             _ward_engine_check_silence (WardEngine  *self,
                                                 WardDevice  *d,
                                                 gint64       now,
                                                 GError     **error);

/* ward-engine-model-flag.c */
gboolean             _ward_engine_run_model_flag_rules (WardEngine   *self,
                                                        WardPatient  *p,
                                                        gint64        now,
                                                        GError      **error);
gboolean             _ward_engine_restore_model_flags (WardEngine   *self,
                                                       WardPatient  *p,
                                                       GError      **error);
/* TRUE when flag_id is one of the patient's open model flags (its
 * acknowledgement is then kept in memory too).
 */
gboolean             _ward_engine_model_flag_acknowledged (WardEngine  *self,
                                                           WardPatient *p,
                                                           gint64       flag_id,
                                                           const char  *user,
                                                           gint64       at);
GArray              *_ward_engine_model_flag_views (WardEngine  *self,
                                                    WardPatient *p);
/* Writes the FHIR Flag of the patient's open model flag flag_id again
 * (an acknowledgement is on it); nothing when it is none of theirs.
 */
gboolean             _ward_engine_put_model_flag_of (WardEngine   *self,
                                                     WardPatient  *p,
                                                     gint64        flag_id,
                                                     gint64        now,
                                                     GError      **error);
/* Closes the patient's open model flag flag_id at at, closed at another
 * station: its tracker is held (ward_flag_tracker_hold()).  *found is
 * FALSE when it is none of theirs.
 */
gboolean             _ward_engine_close_model_flag_held (WardEngine   *self,
                                                         WardPatient  *p,
                                                         gint64        flag_id,
                                                         gint64        at,
                                                         gboolean     *found,
                                                         GError      **error);

G_END_DECLS
