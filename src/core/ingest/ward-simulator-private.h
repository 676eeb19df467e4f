/* ward-simulator-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-simulator.h"

G_BEGIN_DECLS

/* Shared by the simulator's files: ward-simulator.c (the beds' timing
 * and the merged event stream), ward-simulator-scenario.c (loading
 * scenarios) and ward-simulator-device.c (the monitors' values and
 * messages).  Nothing outside ingest/ includes it.
 */

#define SCENARIO_RESOURCE_DIR "/io/github/wardwatch/Wardwatch/core/scenarios/"
#define SCENARIO_FORMAT       1
#define VITALS_PERIOD_USEC    (5 * WARD_USEC_PER_SEC)
#define MESSAGES_PER_HOUR     (WARD_USEC_PER_HOUR / VITALS_PERIOD_USEC)
#define PAYLOAD_SIZE          320

typedef enum
{
  VITAL_HR,
  VITAL_RR,
  VITAL_SPO2,
  VITAL_SBP,
  VITAL_DBP,
  VITAL_TEMP,
  N_VITALS
} Vital;

typedef enum
{
  ARTIFACT_MOTION,
  ARTIFACT_PROBE_OFF,
  ARTIFACT_SPIKE,
  ARTIFACT_CORRUPT,
  N_ARTIFACTS
} Artifact;

/* A bed's event streams, in the order used to break ties at one instant:
 * the nurse's entries come before the device data of the same instant.
 */
typedef enum
{
  STREAM_NURSE,
  STREAM_VITALS,
  STREAM_NIBP,
  STREAM_TEMP,
  N_STREAMS
} Stream;

typedef struct
{
  gint64 at;              /* offset from the scenario start, usec */
  double value;
} Keyframe;

typedef struct
{
  gint64 start;           /* offsets from the scenario start, usec */
  gint64 end;
} Gap;

typedef struct
{
  gint64            at;   /* offset from the scenario start, usec */
  WardSimEventType  type;
  WardMeasKind      kind;
  double            value;
  char             *user; /* NULL: the bed's nurse */
} NurseAction;

typedef struct
{
  char   *id;
  char   *name;
  char   *description;
  guint   age;
  int     spo2_scale;
  GArray *keyframes[N_VITALS];
  double  noise[N_VITALS];
  double  artifact_rate[N_ARTIFACTS];
  gint64  nibp_interval;
  gint64  temp_interval;
  GArray *gaps;
  GArray *actions;
} Scenario;

typedef struct
{
  WardSimBed      info;

  /* Borrowed. */
  const Scenario *scenario;
  const char     *nurse;

  /* Owned. */
  GRand          *rand;
  char           *message_prefix;    /* {"deviceId":"…","messageId":"…- */
  gsize           message_prefix_len;

  gint64          start;
  gint64          next_at;
  gint64          stream_at[N_STREAMS];
  gint64          stream_base[N_STREAMS];
  gint64          stream_period[N_STREAMS];
  guint64         stream_slot[N_STREAMS];
  guint           action_index;
  guint64         message_count;

  /* Physiology: an AR(1) deviation per vital around the keyframe curve. */
  guint           cursor[N_VITALS];
  double          ar[N_VITALS];
  gint64          ar_at[N_VITALS];
  gboolean        ar_started[N_VITALS];
  double          ar_sd[N_VITALS];
  double          white_sd[N_VITALS];
  double          step_a[N_VITALS];  /* AR factors for one vitals period */
  double          step_b[N_VITALS];
  gboolean        have_gauss;
  double          gauss;

  /* Artifacts in progress. */
  guint           motion_left;
  double          motion_hr;
  double          motion_spo2;
  guint           probe_off_left;
} Bed;

typedef struct
{
  const char *name;
  double      min;             /* allowed in keyframes and clamped to */
  double      max;
  double      default_noise;
  double      tau_sec;         /* correlation time of the slow variation */
} VitalInfo;

/* Each vital's name in scenario files, its range and its variation. */
extern const VitalInfo _ward_sim_vitals[N_VITALS];

/* Scenario sources.  A source is a resource path or a file path; the id
 * is the file name without ".json", which must match the "id" member.
 */
typedef struct
{
  char     *path;
  gboolean  is_resource;
} Source;

/* ward-simulator-scenario.c */
void        _ward_sim_scenario_free        (Scenario            *scenario);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Scenario, _ward_sim_scenario_free)

/* The scenarios found: id -> Source.  The built-in ones, then those in
 * scenario_dirs in order, then the user's data folder; a later one of
 * the same id replaces an earlier one.
 */
GHashTable *_ward_sim_collect_sources      (const char * const  *scenario_dirs,
                                            GError             **error);
/* Reads and checks the scenario id from source. */
Scenario   *_ward_sim_load_source          (const char          *id,
                                            const Source        *source,
                                            GError             **error);

/* ward-simulator-device.c: the bed's next message of each kind, at at,
 * written into payload (PAYLOAD_SIZE bytes) as its monitor sends it.
 */
void        _ward_sim_produce_vitals       (Bed                 *bed,
                                            gint64               at,
                                            char                *payload);
void        _ward_sim_produce_nibp         (Bed                 *bed,
                                            gint64               at,
                                            char                *payload);
void        _ward_sim_produce_temperature  (Bed                 *bed,
                                            gint64               at,
                                            char                *payload);

G_END_DECLS
