/* ward-snapshot.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ward-score.h"
#include "ward-store-errors.h"
#include "ward-trend.h"
#include "ward-types.h"

#include "ward-tasks.h"

G_BEGIN_DECLS

/* An immutable, reference-counted picture of the ward, made on the
 * pipeline thread and read on the main thread.  Nothing in it changes
 * after ward_engine_snapshot() returns it, so readers take no lock.
 */

typedef struct
{
  gboolean    valid;
  double      value;
  gint64      observed_at;
  WardSource  source;
  const char *entered_by;   /* interned (g_intern_string): the staff member who entered a
                             * nurse's value; NULL for a device value */
} WardLatestValue;

typedef enum
{
  WARD_FLAG_STATE_NONE,
  WARD_FLAG_STATE_PENDING,      /* above threshold, not yet sustained */
  WARD_FLAG_STATE_OPEN,
  WARD_FLAG_STATE_RECOVERING,   /* open, below threshold, not yet sustained */
} WardFlagState;

/* A model's own flag on a bed (issue #15), beside NEWS2's flag_*
 * fields, never in their place.
 */
typedef struct
{
  char            *kind;             /* the scorer's kind, "model:NAME" */
  char            *version;          /* the model's version that raised it */
  WardFlagState    state;            /* PENDING, OPEN or RECOVERING */
  gint64           flag_id;          /* 0 while pending */
  gint64           opened_at;
  double           probability;      /* the probability that raised it (open), or the latest */
  double           latest;           /* the newest probability */
  gint64           pending_at;       /* when it opens (pending) or closes (recovering); 0 */
  char            *acknowledged_by;
  gint64           acknowledged_at;
} WardModelFlagView;

typedef struct
{
  char            *bed_id;
  char            *bed_label;
  char            *patient_id;
  char            *patient_name;
  char            *patient_initials;
  char            *device_id;
  int              spo2_scale;

  WardLatestValue  latest[WARD_MEAS_N_KINDS];

  gboolean         has_score;
  int              score_total;
  WardBand         score_band;
  gboolean         score_complete;
  gboolean         score_final;
  int              score_points[WARD_NEWS2_N_PARAMS];   /* -1 where absent */
  gint64           score_window_start;
  gint64           score_window_end;

  WardFlagState    flag_state;
  gint64           flag_id;          /* 0 if none open */
  WardBand         flag_band;
  gint64           flag_opened_at;
  char            *flag_acknowledged_by;
  gint64           flag_acknowledged_at;

  gboolean         technical_alert;  /* device silent */
  gint64           technical_alert_since;

  /* For the ward board. */
  WardTrend        trend;            /* fitted NEWS2 total over the last hour (ward-trend.h) */
  gint64           flag_escalated_at; /* 0 if the open flag has not been escalated */
  gint64           technical_alert_id; /* the technical flag's id, 0 if none */
  char            *technical_alert_acknowledged_by;

  /* Patient context, at the end of the snapshot's current window. */
  int              age;              /* full years, from the birth date; -1 unknown */
  gboolean         news2_not_applicable; /* under 16: NEWS2 is not validated for them; the
                                      * score is kept for the record, no flag is raised
                                      * or escalated and its band claims nothing */

  /* Patient identifiers, for the two-identifier check before any
   * clinical action: the ward file's identifier list (as FHIR
   * Patient.identifier) or the FHIR server's Patient.  NULL: not given.
   */
  char            *hospital_number;
  char            *nhs_number;
  char            *birth_date;       /* a FHIR date */

  /* The nurse-entered values still inside their validity (the manual
   * data timeout), beside latest[], the newest value of any source.
   * valid is FALSE where no nurse value is valid.
   */
  WardLatestValue  nurse_latest[WARD_MEAS_N_KINDS];
  /* What the current score used, per NEWS2 parameter; valid is FALSE
   * where the parameter is absent from the score.
   */
  WardLatestValue  score_inputs[WARD_NEWS2_N_PARAMS];

  /* Observations due: the RCP chart's minimum frequency from the latest
   * band.  A reminder, never a clinical flag.
   */
  gint64           obs_due_at;       /* 0: nothing due (no score yet) */
  gboolean         obs_continuous;   /* aggregate 7 or more: continuous monitoring */

  /* The flag rules' pending change, so the screen can say it.  OPEN or
   * PENDING: the flag opens or escalates to flag_pending_band at
   * flag_pending_at if the score stays there; RECOVERING: the flag
   * closes at flag_pending_at if the score stays below threshold.
   * flag_pending_at is 0 when nothing is pending.
   */
  WardBand         flag_pending_band;
  gint64           flag_pending_at;

  /* The scores of the bed's last scored window by every ACTIVE scorer
   * (ward_engine_add_scorer()), NEWS2 first: WardScore (ward-score.h),
   * each with its kind, label, version, value, total and band or
   * probability, contributions and window.  Empty (or NULL in a
   * snapshot not made by the engine) when nothing is scored.  The score_* fields above are NEWS2's view.
   */
  GArray          *scores;
  /* The care team (care/ward-care.h), filled by the pipeline's care
   * stage: the bed's allocated nurse (NULL: nobody) and its open tasks
   * (WardTask: owner role and staff, status, due_at, priority,
   * escalated_at), oldest first; NULL until the care stage ran.
   */
  char            *bed_nurse;
  GPtrArray       *open_tasks;
  /* The active models' own flags that are pending, open or recovering:
   * WardModelFlagView.  NULL or empty when none.
   */
  GArray          *model_flags;
} WardBedState;

typedef struct
{
  guint64 messages;
  guint64 measurements;
  guint64 scores;
  guint64 flags_raised;
  guint64 flags_escalated;
  guint64 technical_alerts;
  guint64 dead_letters;
  guint64 fhir_resources;     /* resource versions written to the local FHIR store */
  guint64 outbox_pending;     /* resources waiting for the FHIR server */
  gboolean outbox_over_limit; /* outbox_pending above WardEngineConfig.outbox_limit */
  guint64 outbox_failed;      /* resources the FHIR server rejected (parked) */
  guint64 models_refused;     /* models named in the configuration and not loaded */
  guint64 model_flags_raised; /* flags raised by models (kind model), NEWS2 not counted */
} WardCounters;

/* The FHIR sync as the window warns about it. */
typedef struct
{
  gboolean    configured;     /* a FHIR server is set (--fhir-url) */
  gint64      failing_since;  /* on the snapshot's clock: since when the server has not
                               * been taking resources (network, 5xx, 429, not FHIR); 0 while
                               * it is */
  const char *last_error;     /* the sync's last failure, or NULL */
} WardFhirStatus;

/* The store as the window's technical alarm shows it: what cannot be
 * written, and since when.
 */
typedef struct
{
  WardStoreCondition  condition;      /* NONE while writes succeed */
  gint64              failing_since;  /* on the snapshot's clock; 0 while writes succeed */
  const char         *last_error;     /* the store's words, or NULL */
} WardStoreStatus;

typedef struct _WardSnapshot WardSnapshot;

#define WARD_TYPE_SNAPSHOT (ward_snapshot_get_type ())

GType               ward_snapshot_get_type      (void) G_GNUC_CONST;
WardSnapshot       *ward_snapshot_ref           (WardSnapshot *self);
void                ward_snapshot_unref         (WardSnapshot *self);
gint64              ward_snapshot_get_now       (WardSnapshot *self);
guint64             ward_snapshot_get_serial    (WardSnapshot *self);
guint               ward_snapshot_get_n_beds    (WardSnapshot *self);
const WardBedState *ward_snapshot_get_bed       (WardSnapshot *self,
                                                 guint         index);
const WardCounters *ward_snapshot_get_counters  (WardSnapshot *self);
const WardFhirStatus *ward_snapshot_get_fhir_status (WardSnapshot *self);
const WardStoreStatus *ward_snapshot_get_store_status (WardSnapshot *self);

/* For the producer only. */
WardSnapshot       *_ward_snapshot_new          (gint64        now,
                                                 guint64       serial,
                                                 GArray       *beds,
                                                 const WardCounters *counters);
void                _ward_bed_state_clear       (WardBedState *bed);
void                ward_model_flag_view_clear  (WardModelFlagView *view);
/* Before the snapshot is shared. */
void                _ward_snapshot_set_fhir_status (WardSnapshot *self,
                                                    gboolean      configured,
                                                    gint64        failing_since,
                                                    const char   *last_error);
/* Takes tasks (WardTask, may be NULL). */
void                _ward_snapshot_set_bed_care (WardSnapshot      *self,
                                                 guint              index,
                                                 const char        *bed_nurse,
                                                 GPtrArray         *tasks);
void                _ward_snapshot_set_store_status (WardSnapshot      *self,
                                                     WardStoreCondition condition,
                                                     gint64             failing_since,
                                                     const char        *last_error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardSnapshot, ward_snapshot_unref)

G_END_DECLS
