/* ward-ward-model.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ward-flag-rules.h"
#include "ward-measurement.h"
#include "ward-score-window.h"
#include "ward-scorer.h"
#include "ward-trend.h"

G_BEGIN_DECLS

/* The ward model the engine's stages work on: beds with their patients,
 * the devices, and each patient's context (age, SpO2 scale, identifiers)
 * and state (newest values, scores, flag).  Plain data, no clock, no
 * store: the stages (ward-engine-*.c) change it, the checkpoint saves
 * it across a batch.  Private to the core.
 */

/* A model's own flag on one patient (ward-engine-model-flag.c): one per
 * ACTIVE model whose card may flag, made when the model first scores
 * the patient.  NEWS2's flag is the patient's flag_* fields, apart.
 */
typedef struct
{
  char            *kind;         /* the scorer's kind, "model:NAME" */
  WardFlagTracker  tracker;
  double           latest;       /* the newest probability fed to the tracker, NAN if none */
  gint64           flag_id;      /* 0: none open */
  gint64           opened_at;
  char            *version;      /* the scorer's version that raised the open flag */
  double           probability;  /* the probability that raised it */
  char            *ack_by;
  gint64           ack_at;
} WardModelFlagState;

/* A patient in a bed, and what the stages keep about them. */
typedef struct
{
  char            *patient_id;
  char            *name;
  char            *initials;
  char            *bed_id;
  char            *bed_label;
  char            *device_id;
  int              spo2_scale;
  char            *birth_date;      /* a FHIR date, or NULL: unknown */
  char            *hospital_number; /* from the ward file's identifiers, or NULL */
  char            *nhs_number;
  JsonNode        *fhir_identifiers; /* the ward file's Patient.identifier array, or NULL */
  /* The patient's FHIR id, which every resource Wardwatch writes about
   * them references (see _ward_engine_patient_fhir_id()): the connector's
   * Create-mode id in local identity, the server's Patient id once an identity answer
   * named this patient.
   */
  char            *create_mode_id;
  char            *server_id;
  gint64           age_at;          /* the window end age was computed for, or G_MININT64 */
  int              age;             /* full years at age_at, -1 unknown */

  WardLatestValue  latest[WARD_MEAS_N_KINDS];
  /* The newest nurse-entered value of each kind, kept apart from the
   * newest of any source so that monitor values do not hide it.
   */
  WardLatestValue  nurse_latest[WARD_MEAS_N_KINDS];
  gboolean         dirty;
  /* Confirmed, or a full round entered, since the last evaluation. */
  gboolean         nurse_validated;
  gint64           first_scored_at;
  gint64           last_full_set_at; /* the newest full set's time (its oldest value), 0 if none */
  gint64           rescore_at;       /* when a value starts or stops counting */

  gboolean         has_score;
  WardWindowScore  score;
  gint64           score_id;
  gboolean         score_final;

  gint64           confirmed_at;
  char            *confirmed_by;

  WardFlagTracker  tracker;
  gint64           flag_id;
  gint64           flag_opened_at;
  /* The data time of the score that took the band to the threshold
   * (its newest value), 0 when none is pending: the flag's opening time
   * is derived from it, so every station fed the same data opens the
   * same flag (the same Flag and Task ids).
   */
  gint64           flag_crossed_at;
  WardBand         flag_band;
  char            *flag_ack_by;
  gint64           flag_ack_at;
  gint64           flag_escalated_at;

  WardTrendHistory trend;           /* the windows' totals, for the fitted trend */

  /* The scores of the last scored window, one per scorer that scored
   * it, in the order the scorers run (NEWS2 first): WardScore.
   */
  GArray          *scores;

  /* The models' own flags: WardModelFlagState, in the order the models
   * were added.
   */
  GArray          *model_flags;
} WardPatient;

/* A device: the bed map's, or one a FHIR server's identity answer
 * named.
 */
typedef struct
{
  char    *device_id;
  WardPatient *patient;
  WardPatient *named;       /* not in the bed map: the patient the FHIR server names */
  char    *server_id;   /* the FHIR server's Device id, from an identity answer */
  gint64   last_seen;
  gint64   last_measured; /* the newest measurement time of its data: a silence alert opens from it */
  gint64   alert_id;
  gint64   alert_since;
  char    *alert_ack_by;
  gint64   alert_ack_at;
} WardDevice;

typedef struct
{
  GPtrArray  *patients;     /* WardPatient, in bed order */
  GHashTable *by_patient;   /* patient id -> WardPatient (borrowed) */
  GHashTable *devices;      /* device id -> WardDevice */
} WardWardModel;

void         ward_ward_model_init           (WardWardModel         *model);
void         ward_ward_model_clear          (WardWardModel         *model);
/* Adds a bed with its patient, or NULL if the patient id is taken. */
WardPatient *ward_ward_model_add_patient    (WardWardModel         *model,
                                             const char            *bed_id,
                                             const char            *bed_label,
                                             const char            *patient_id,
                                             const char            *patient_name,
                                             const char            *device_id,
                                             int                    spo2_scale);
WardPatient *ward_ward_model_lookup_patient (WardWardModel         *model,
                                             const char            *patient_id);
guint        ward_ward_model_get_n_patients (WardWardModel         *model);
WardPatient *ward_ward_model_get_patient    (WardWardModel         *model,
                                             guint                  index);
WardDevice  *ward_ward_model_lookup_device  (WardWardModel         *model,
                                             const char            *device_id);
/* The device, made (watched by nobody yet) if it was not known. */
WardDevice  *ward_ward_model_ensure_device  (WardWardModel         *model,
                                             const char            *device_id);

void         ward_patient_free              (gpointer               data);
void         ward_model_flag_state_clear    (WardModelFlagState    *state);
/* A deep copy of a patient's model_flags (the batch checkpoint). */
GArray      *ward_model_flags_copy          (GArray                *flags);
void         ward_device_free               (gpointer               data);
/* The patient's age in full years at a window's end (-1: unknown). */
int          ward_patient_age_at            (WardPatient           *p,
                                             gint64                 window_end);
/* Keeps m as the patient's newest value of its kind if it is newer (and
 * as the newest nurse value if a nurse entered it); marks the patient
 * for scoring.
 */
void         ward_patient_update_latest     (WardPatient           *p,
                                             const WardMeasurement *m);
/* The patient a device's values go to: the bed map's, else the one a
 * FHIR server named; NULL if none.
 */
const char  *ward_device_patient_id         (const WardDevice      *d);

G_END_DECLS
