/* ward-simulator.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ward-types.h"

G_BEGIN_DECLS

#define WARD_SIMULATOR_ERROR (ward_simulator_error_quark ())

typedef enum
{
  WARD_SIMULATOR_ERROR_SCENARIO,     /* a scenario file is missing or malformed */
} WardSimulatorError;

/* What the simulator emits.  Device messages are JSON text exactly as a
 * networked monitor would send them; they go through the same raw archive
 * and device mapping as real messages.  Nurse entries are what a
 * simulated nurse types at the bedside: they become pipeline commands.
 */
typedef enum
{
  WARD_SIM_EVENT_DEVICE_MESSAGE,
  WARD_SIM_EVENT_NURSE_ENTRY,        /* kind + value: consciousness, on_oxygen, o2_flow */
  WARD_SIM_EVENT_SPO2_SCALE,         /* value is 1 or 2 */
  WARD_SIM_EVENT_CONFIRM,            /* the nurse confirms the current inputs */
} WardSimEventType;

typedef struct
{
  WardSimEventType  type;
  gint64            at;              /* simulated UTC usec */
  guint             bed_index;
  const char       *device_id;
  const char       *patient_id;
  const char       *payload;         /* DEVICE_MESSAGE: JSON text, NUL-terminated */
  WardMeasKind      kind;            /* NURSE_ENTRY */
  double            value;           /* NURSE_ENTRY, SPO2_SCALE */
  const char       *user;            /* the simulated nurse's name */
} WardSimEvent;

/* The event and the strings it points to belong to the simulator and are
 * valid only during the call: copy what you keep.
 */
typedef void (*WardSimEmitFunc) (const WardSimEvent *event,
                                 gpointer            user_data);

typedef struct
{
  char *bed_id;            /* "bed-01" */
  char *bed_label;         /* "Bed 1" */
  char *patient_id;        /* stable for a seed: "sim-patient-01" */
  char *patient_name;      /* made up from the seed */
  char *device_id;         /* "sim-monitor-01" */
  char *scenario_id;       /* "sepsis" */
  int   spo2_scale;        /* the scale at the start of the scenario */
  char *birth_date;        /* "YYYY-MM-DD": the scenario's age at the start, the day from the seed */
} WardSimBed;

#define WARD_TYPE_SIMULATOR (ward_simulator_get_type ())
G_DECLARE_FINAL_TYPE (WardSimulator, ward_simulator, WARD, SIMULATOR, GObject)

GQuark            ward_simulator_error_quark       (void);

/* scenario_ids: NULL for the default ward plan, otherwise the ids are
 * assigned to beds in turn (bed i gets ids[i % n]).  Scenarios are looked
 * up in the built-in set (GResource), then in each of scenario_dirs, then
 * in $XDG_DATA_HOME/wardwatch/scenarios; a later one with the same id wins.
 */
WardSimulator    *ward_simulator_new               (guint               n_beds,
                                                    guint64             seed,
                                                    gint64              start_usec,
                                                    const char * const *scenario_ids,
                                                    const char * const *scenario_dirs,
                                                    GError            **error);
guint             ward_simulator_get_n_beds        (WardSimulator      *self);
const WardSimBed *ward_simulator_get_bed           (WardSimulator      *self,
                                                    guint               index);
gint64            ward_simulator_get_time          (WardSimulator      *self);
/* The human name of bed index's scenario ("Sepsis") and its patient's age. */
const char       *ward_simulator_get_scenario_name (WardSimulator      *self,
                                                    guint               index);
guint             ward_simulator_get_patient_age   (WardSimulator      *self,
                                                    guint               index);

/* Emits, in time order, every event due after the previous call and up
 * to and including until_usec.  Deterministic: the same seed, start and
 * beds give the same events whatever the steps of until_usec are.
 */
void              ward_simulator_advance           (WardSimulator      *self,
                                                    gint64              until_usec,
                                                    WardSimEmitFunc     emit,
                                                    gpointer            user_data);

/* Every scenario id that can be named, sorted; free with g_strfreev().
 * Every candidate file is parsed, so a malformed one is reported here
 * (ward_simulator_new() only parses the scenarios it uses).
 */
char            **ward_simulator_list_scenarios    (const char * const *scenario_dirs,
                                                    GError            **error);

G_END_DECLS
