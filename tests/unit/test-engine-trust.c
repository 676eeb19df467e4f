/* test-engine-trust.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Which values a score may use, through the engine on a controlled
 * clock: per-parameter validity, the nurse's values before the monitor's,
 * a nurse-validated score's flag, the observations due and the flag's
 * pending change.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-policy.h"
#include "ward-test-store.h"

/* 2027-01-15T08:00:00Z: on a 5-minute window boundary. */
#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE
#define HOUR WARD_USEC_PER_HOUR
#define NURSE "Nurse Kim"

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->path = ward_test_db_new ("ward-trust", &f->dir);
  f->store = ward_test_store_open (f->path);
  /* data: a ward policy, as a policy file holds it, or NULL. */
  {
    WardEngineConfig config;

    ward_engine_config_init (&config);
    if (data != NULL)
      g_assert_true (ward_policy_load_data (data, -1, "test policy", &config, &error));
    g_assert_no_error (error);
    f->engine = ward_test_engine_new (f->store, &config, 2, NULL, NULL);
  }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

/* One message of the Wardwatch monitor format, measured at "at" and
 * received then, and an evaluation, in one transaction as a tick does.
 */
static void
monitor (Fixture    *f,
         const char *device,
         gint64      at,
         const char *kind,
         const char *values)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = ward_time_format_iso8601 (at);
  g_autofree char *msg = NULL;
  static guint serial;

  msg = g_strdup_printf ("{\"deviceId\":\"%s\",\"messageId\":\"t-%u\",\"kind\":\"%s\","
                         "\"measuredAt\":\"%s\",%s}", device, ++serial, kind, iso, values);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), at, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, at, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static void
vitals (Fixture    *f,
        const char *device,
        gint64      at,
        const char *values)
{
  monitor (f, device, at, "vitals", values);
}

static void
round_of (Fixture              *f,
          const char           *patient,
          const WardNurseEntry *entries,
          guint                 n_entries,
          gint64                at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_nurse_entries (f->engine, patient, entries, n_entries, at, NURSE,
                                            &error));
  g_assert_true (ward_engine_evaluate (f->engine, at, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static void
evaluate (Fixture *f,
          gint64   at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_evaluate (f->engine, at, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static gint64
query (Fixture    *f,
       const char *sql)
{
  return ward_test_query_int (f->store, sql);
}

static char *
query_text (Fixture    *f,
            const char *sql)
{
  return ward_test_query_text (f->store, sql);
}

/* A copy of one bed's state at "at". */
static WardBedState
bed_at (Fixture *f,
        guint    index,
        gint64   at)
{
  g_autoptr(WardSnapshot) snap = ward_engine_snapshot (f->engine, at);
  WardBedState bed;

  g_assert_cmpuint (index, <, ward_snapshot_get_n_beds (snap));
  /* Plain fields only are read after the snapshot is gone. */
  bed = *ward_snapshot_get_bed (snap, index);
  bed.bed_id = bed.bed_label = bed.patient_id = bed.patient_name = NULL;
  bed.patient_initials = bed.device_id = bed.flag_acknowledged_by = NULL;
  bed.technical_alert_acknowledged_by = NULL;
  bed.hospital_number = bed.nhs_number = bed.birth_date = NULL;
  return bed;
}

static void
enter_acvpu_and_air (Fixture    *f,
                     const char *patient,
                     gint64      at)
{
  const WardNurseEntry entries[] = {
    { WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT },
    { WARD_MEAS_ON_OXYGEN, 0 },
  };

  round_of (f, patient, entries, G_N_ELEMENTS (entries), at);
}

/* The patient: a 38.4 °C taken 41 minutes ago is part of the
 * score (7, high, complete), not dropped (6, medium, partial); it
 * counts for 4 h and not after, even with no new data to score.
 */
static void
test_temperature_counts_four_hours (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree char *age = NULL;
  WardBedState bed;

  enter_acvpu_and_air (f, "p1", T0);
  monitor (f, "mon-1", T0 + 10 * SEC, "temperature", "\"temperature\":38.4");
  monitor (f, "mon-1", T0 + 30 * MINUTE, "nibp", "\"systolic\":120,\"diastolic\":80");
  /* HR 112 (2), RR 22 (2), SpO2 93 (2), SBP 120, temperature 38.4 (1). */
  vitals (f, "mon-1", T0 + 41 * MINUTE, "\"heartRate\":112,\"respiratoryRate\":22,\"spo2\":93");

  bed = bed_at (f, 0, T0 + 41 * MINUTE);
  g_assert_true (bed.has_score);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_TEMP], ==, 1);
  g_assert_cmpint (bed.score_total, ==, 7);
  g_assert_cmpint (bed.score_band, ==, WARD_BAND_HIGH);
  g_assert_true (bed.score_complete);
  g_assert_true (bed.score_inputs[WARD_NEWS2_TEMP].valid);
  g_assert_cmpfloat (bed.score_inputs[WARD_NEWS2_TEMP].value, ==, 38.4);
  g_assert_cmpint (bed.score_inputs[WARD_NEWS2_TEMP].observed_at, ==, T0 + 10 * SEC);
  g_assert_cmpint (bed.score_inputs[WARD_NEWS2_TEMP].source, ==, WARD_SOURCE_DEVICE);
  /* The stored inputs say how old it was when it was used. */
  g_assert_cmpint (query (f, "SELECT json_extract(inputs, '$.params.temp.age_seconds') FROM scores "
                             "WHERE patient_id = 'p1' ORDER BY window_end DESC LIMIT 1"),
                   ==, 41 * 60 - 10);
  age = query_text (f, "SELECT json_extract(inputs, '$.params.temp.observed_at') FROM scores "
                       "WHERE patient_id = 'p1' ORDER BY window_end DESC LIMIT 1");
  g_assert_cmpstr (age, ==, "2027-01-15T08:00:10.000Z");

  /* The monitor goes on; the temperature still counts 4 h after it was
   * taken, less 5 s.
   */
  monitor (f, "mon-1", T0 + 3 * HOUR + 45 * MINUTE, "nibp", "\"systolic\":120,\"diastolic\":80");
  vitals (f, "mon-1", T0 + 4 * HOUR + 5 * SEC, "\"heartRate\":112,\"respiratoryRate\":22,\"spo2\":93");
  bed = bed_at (f, 0, T0 + 4 * HOUR + 5 * SEC);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_TEMP], ==, 1);
  g_assert_cmpint (bed.score_total, ==, 7);

  /* At 4 h it stops counting, at the next evaluation, though nothing
   * new arrived and the 5-minute row is the same.
   */
  evaluate (f, T0 + 4 * HOUR + 10 * SEC);
  bed = bed_at (f, 0, T0 + 4 * HOUR + 10 * SEC);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_TEMP], ==, -1);
  g_assert_false (bed.score_inputs[WARD_NEWS2_TEMP].valid);
  g_assert_false (bed.score_complete);
  g_assert_cmpint (bed.score_total, ==, 6);
  g_assert_cmpint (query (f, "SELECT json_extract(inputs, '$.params.temp') IS NULL FROM scores "
                             "WHERE patient_id = 'p1' ORDER BY window_end DESC LIMIT 1"), ==, 1);
}

/* The round: RR 28 counted, SpO2 91 % on oxygen, pulse 118, BP
 * 104, 38.5 °C, new confusion.  Monitor values that would lower it do
 * not; one that is worse raises its parameter; after the manual data
 * timeout the monitor's value counts alone.
 */
static void
test_nurse_values_hold (Fixture       *f,
                        gconstpointer  data)
{
  const WardNurseEntry entries[] = {
    { WARD_MEAS_RR, 28 },                          /* 3 */
    { WARD_MEAS_SPO2, 91 },                        /* 3 */
    { WARD_MEAS_ON_OXYGEN, 1 },                    /* 2 */
    { WARD_MEAS_HR, 118 },                         /* 2 */
    { WARD_MEAS_SBP, 104 },                        /* 1 */
    { WARD_MEAS_TEMP, 38.5 },                      /* 1 */
    { WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_CONFUSION }, /* 3 */
  };
  g_autofree char *who = NULL;
  WardBedState bed;

  round_of (f, "p1", entries, G_N_ELEMENTS (entries), T0 + 10 * SEC);
  bed = bed_at (f, 0, T0 + 10 * SEC);
  g_assert_cmpint (bed.score_total, ==, 15);

  /* Seconds later the monitor: RR 18 (0), SpO2 97 (0), pulse 88 (0). */
  vitals (f, "mon-1", T0 + 20 * SEC, "\"heartRate\":88,\"respiratoryRate\":18,\"spo2\":97");
  bed = bed_at (f, 0, T0 + 20 * SEC);
  g_assert_cmpint (bed.score_total, ==, 15);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_RR], ==, 3);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_SPO2], ==, 3);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_HR], ==, 2);
  /* Both are visible: the newest of any source, and the nurse's, with
   * who entered it.
   */
  g_assert_cmpfloat (bed.latest[WARD_MEAS_RR].value, ==, 18);
  g_assert_cmpint (bed.latest[WARD_MEAS_RR].source, ==, WARD_SOURCE_DEVICE);
  g_assert_null (bed.latest[WARD_MEAS_RR].entered_by);
  g_assert_true (bed.nurse_latest[WARD_MEAS_RR].valid);
  g_assert_cmpfloat (bed.nurse_latest[WARD_MEAS_RR].value, ==, 28);
  g_assert_true (bed.nurse_latest[WARD_MEAS_RR].entered_by == g_intern_static_string (NURSE));
  g_assert_cmpfloat (bed.score_inputs[WARD_NEWS2_RR].value, ==, 28);
  g_assert_cmpint (bed.score_inputs[WARD_NEWS2_RR].source, ==, WARD_SOURCE_NURSE);
  g_assert_cmpstr (bed.score_inputs[WARD_NEWS2_RR].entered_by, ==, NURSE);

  /* The stored inputs: value, points, source, time, age, who. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE patient_id = 'p1' "
                             "AND json_extract(inputs, '$.params.rr.value') = 28 "
                             "AND json_extract(inputs, '$.params.rr.points') = 3 "
                             "AND json_extract(inputs, '$.params.rr.source') = 'nurse' "
                             "AND json_extract(inputs, '$.params.rr.observed_at') = '2027-01-15T08:00:10.000Z' "
                             "AND json_extract(inputs, '$.params.rr.age_seconds') = 10 "
                             "AND json_extract(inputs, '$.params.rr.entered_by') = 'Nurse Kim' "
                             "AND json_extract(inputs, '$.params.sbp.entered_by') = 'Nurse Kim'"), ==, 1);

  /* A pulse of 135 (3) is worse than the nurse's 118 (2): it counts. */
  vitals (f, "mon-1", T0 + 30 * SEC, "\"heartRate\":135,\"respiratoryRate\":18,\"spo2\":97");
  bed = bed_at (f, 0, T0 + 30 * SEC);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_HR], ==, 3);
  g_assert_cmpint (bed.score_inputs[WARD_NEWS2_HR].source, ==, WARD_SOURCE_DEVICE);
  g_assert_cmpfloat (bed.score_inputs[WARD_NEWS2_HR].value, ==, 135);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_RR], ==, 3);
  g_assert_cmpint (bed.score_total, ==, 16);
  /* The nurse's pulse is kept beside the device's in the record. */
  who = query_text (f, "SELECT json_extract(inputs, '$.params.hr.nurse.entered_by') || ' ' || "
                       "json_extract(inputs, '$.params.hr.nurse.value') || ' ' || "
                       "json_extract(inputs, '$.params.hr.nurse.points') || ' ' || "
                       "json_extract(inputs, '$.params.hr.source') FROM scores "
                       "WHERE patient_id = 'p1'");
  g_assert_cmpstr (who, ==, "Nurse Kim 118 2 device");

  /* Back to 88: the nurse's 118 counts again. */
  vitals (f, "mon-1", T0 + 40 * SEC, "\"heartRate\":88,\"respiratoryRate\":18,\"spo2\":97");
  bed = bed_at (f, 0, T0 + 40 * SEC);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_HR], ==, 2);
  g_assert_cmpint (bed.score_inputs[WARD_NEWS2_HR].source, ==, WARD_SOURCE_NURSE);

  /* After the manual data timeout (60 min) the monitor's values count
   * alone; the nurse's temperature counts as long as a temperature does
   * (4 h), her ACVPU and oxygen 12 h.
   */
  vitals (f, "mon-1", T0 + 60 * MINUTE + 10 * SEC, "\"heartRate\":88,\"respiratoryRate\":18,\"spo2\":97");
  bed = bed_at (f, 0, T0 + 60 * MINUTE + 10 * SEC);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_RR], ==, 0);
  g_assert_cmpint (bed.score_inputs[WARD_NEWS2_RR].source, ==, WARD_SOURCE_DEVICE);
  g_assert_cmpfloat (bed.score_inputs[WARD_NEWS2_RR].value, ==, 18);
  g_assert_false (bed.nurse_latest[WARD_MEAS_RR].valid);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_HR], ==, 0);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_SBP], ==, -1);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_TEMP], ==, 1);
  g_assert_true (bed.nurse_latest[WARD_MEAS_TEMP].valid);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_CONSCIOUSNESS], ==, 3);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_AIR_OR_OXYGEN], ==, 2);
  /* RR 0, SpO2 97 on oxygen 0, oxygen 2, pulse 0, temperature 1, C 3. */
  g_assert_cmpint (bed.score_total, ==, 6);
}

static gint64
n_flags (Fixture    *f,
         const char *patient)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM flags WHERE kind = 'clinical' "
                                          "AND patient_id = '%s'", patient);

  return query (f, sql);
}

/* A medium score from the monitor alone waits for the sustain delay; the
 * same from a nurse's full round opens the flag at once; a round that
 * misses a parameter is not a full one.
 */
static void
test_nurse_round_opens_flag_at_once (Fixture       *f,
                                     gconstpointer  data)
{
  /* RR 22 (2), SpO2 95 (1), air, BP 120, pulse 118 (2), A, 37.0: 5. */
  const WardNurseEntry full[] = {
    { WARD_MEAS_RR, 22 },
    { WARD_MEAS_SPO2, 95 },
    { WARD_MEAS_ON_OXYGEN, 0 },
    { WARD_MEAS_SBP, 120 },
    { WARD_MEAS_HR, 118 },
    { WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT },
    { WARD_MEAS_TEMP, 37.0 },
  };
  gint64 t;

  /* p1: the monitor alone, medium (HR 2, RR 2, SpO2 1). */
  for (t = T0 + 5 * SEC; t < T0 + 3 * MINUTE; t += 5 * SEC)
    vitals (f, "mon-1", t, "\"heartRate\":118,\"respiratoryRate\":22,\"spo2\":95");
  g_assert_cmpint (bed_at (f, 0, t).score_band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (n_flags (f, "p1"), ==, 0);
  vitals (f, "mon-1", T0 + 3 * MINUTE + 5 * SEC, "\"heartRate\":118,\"respiratoryRate\":22,\"spo2\":95");
  g_assert_cmpint (n_flags (f, "p1"), ==, 1);
  g_assert_cmpint (query (f, "SELECT opened_at FROM flags WHERE patient_id = 'p1'"), ==,
                   T0 + 3 * MINUTE + 5 * SEC);

  /* p2: a round without the blood pressure is not a full round. */
  round_of (f, "p2", full, 3, T0 + 10 * SEC);
  round_of (f, "p2", full + 4, 3, T0 + 10 * SEC);
  g_assert_cmpint (bed_at (f, 1, T0 + 10 * SEC).score_band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (n_flags (f, "p2"), ==, 0);
  evaluate (f, T0 + 15 * SEC);
  g_assert_cmpint (n_flags (f, "p2"), ==, 0);

  /* The full round: open at the evaluation that follows it. */
  round_of (f, "p2", full, G_N_ELEMENTS (full), T0 + 20 * SEC);
  g_assert_cmpint (n_flags (f, "p2"), ==, 1);
  g_assert_cmpint (query (f, "SELECT opened_at FROM flags WHERE patient_id = 'p2'"), ==,
                   T0 + 20 * SEC);
  g_assert_cmpint (query (f, "SELECT band = 'medium' FROM flags WHERE patient_id = 'p2'"), ==, 1);
  /* The record says why it opened without the delay. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE patient_id = 'p2' "
                             "AND reason = 'NEWS2 5 (medium), nurse-validated'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'flag-raised' AND "
                             "patient_id = 'p2' AND json_extract(detail, '$.nurse_validated') = 1"),
                   ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'flag-raised' AND "
                             "patient_id = 'p1' AND json_extract(detail, '$.nurse_validated') = 0"),
                   ==, 1);
  g_assert_cmpint (bed_at (f, 1, T0 + 20 * SEC).flag_state, ==, WARD_FLAG_STATE_OPEN);
}

/* A nurse who confirms a monitor's medium score opens the flag at the
 * next evaluation.
 */
static void
test_confirm_opens_flag_at_once (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  vitals (f, "mon-1", T0 + 5 * SEC, "\"heartRate\":118,\"respiratoryRate\":22,\"spo2\":95");
  vitals (f, "mon-1", T0 + 10 * SEC, "\"heartRate\":118,\"respiratoryRate\":22,\"spo2\":95");
  g_assert_cmpint (n_flags (f, "p1"), ==, 0);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_confirm (f->engine, "p1", T0 + 30 * SEC, NURSE, &error));
  g_assert_true (ward_engine_evaluate (f->engine, T0 + 30 * SEC, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_flags (f, "p1"), ==, 1);
  g_assert_cmpint (query (f, "SELECT opened_at FROM flags WHERE patient_id = 'p1'"), ==, T0 + 30 * SEC);

  /* A confirmed score below the threshold opens nothing. */
  vitals (f, "mon-2", T0 + 5 * SEC, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_confirm (f->engine, "p2", T0 + 40 * SEC, NURSE, &error));
  g_assert_true (ward_engine_evaluate (f->engine, T0 + 40 * SEC, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_flags (f, "p2"), ==, 0);
}

/* Next observations due: from the last full set, by the RCP chart's
 * minimum frequency for the latest score.  Overdue is a reminder, never
 * a flag.
 */
static void
test_obs_due_follows_bands (Fixture       *f,
                            gconstpointer  data)
{
  const WardNurseEntry full[] = {
    { WARD_MEAS_RR, 16 },
    { WARD_MEAS_SPO2, 97 },
    { WARD_MEAS_ON_OXYGEN, 0 },
    { WARD_MEAS_SBP, 125 },
    { WARD_MEAS_HR, 72 },
    { WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT },
    { WARD_MEAS_TEMP, 36.8 },
  };
  const gint64 round_at = T0 + 10 * SEC;
  WardBedState bed;

  /* Nothing scored yet: nothing due. */
  bed = bed_at (f, 0, T0);
  g_assert_cmpint (bed.obs_due_at, ==, 0);
  g_assert_false (bed.obs_continuous);

  /* p2 has monitor values only, never a full set: one is due at once,
   * from its first score on.
   */
  vitals (f, "mon-2", T0 + 5 * SEC, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");
  g_assert_cmpint (bed_at (f, 1, T0 + 5 * SEC).obs_due_at, ==, T0 + 5 * SEC);

  /* 0: 12-hourly from the round. */
  round_of (f, "p1", full, G_N_ELEMENTS (full), round_at);
  bed = bed_at (f, 0, round_at);
  g_assert_cmpint (bed.score_total, ==, 0);
  g_assert_cmpint (bed.obs_due_at, ==, round_at + 12 * HOUR);
  g_assert_false (bed.obs_continuous);

  /* 1-4: 4-hourly.  The monitor's newer pulse makes the set no newer:
   * a full set is as old as its oldest value.
   */
  vitals (f, "mon-1", T0 + MINUTE, "\"heartRate\":95");
  bed = bed_at (f, 0, T0 + MINUTE);
  g_assert_cmpint (bed.score_total, ==, 1);
  g_assert_cmpint (bed.obs_due_at, ==, round_at + 4 * HOUR);

  /* A single 3 (RR 25): hourly. */
  vitals (f, "mon-1", T0 + 2 * MINUTE, "\"heartRate\":72,\"respiratoryRate\":25");
  bed = bed_at (f, 0, T0 + 2 * MINUTE);
  g_assert_cmpint (bed.score_band, ==, WARD_BAND_LOW_MEDIUM);
  g_assert_cmpint (bed.obs_due_at, ==, round_at + HOUR);

  /* 5-6: hourly. */
  vitals (f, "mon-1", T0 + 3 * MINUTE, "\"heartRate\":118,\"respiratoryRate\":22,\"spo2\":95");
  bed = bed_at (f, 0, T0 + 3 * MINUTE);
  g_assert_cmpint (bed.score_band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (bed.obs_due_at, ==, round_at + HOUR);
  g_assert_false (bed.obs_continuous);

  /* 7 or more: continuous monitoring. */
  vitals (f, "mon-1", T0 + 4 * MINUTE, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
  bed = bed_at (f, 0, T0 + 4 * MINUTE);
  g_assert_cmpint (bed.score_band, ==, WARD_BAND_HIGH);
  g_assert_true (bed.obs_continuous);
  g_assert_cmpint (bed.obs_due_at, ==, 0);

  /* Better again (0); hours on, the monitor alone, nothing entered: the
   * round's set is overdue, and that raises no flag.
   */
  vitals (f, "mon-1", T0 + 5 * MINUTE, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");
  vitals (f, "mon-1", T0 + 13 * HOUR, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");
  bed = bed_at (f, 0, T0 + 13 * HOUR);
  g_assert_false (bed.score_complete);
  g_assert_cmpint (bed.obs_due_at, ==, round_at + 12 * HOUR);
  g_assert_cmpint (bed.obs_due_at, <, T0 + 13 * HOUR);
  evaluate (f, T0 + 13 * HOUR + 5 * SEC);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE patient_id = 'p1'"), ==, 0);
  g_assert_cmpint (bed_at (f, 0, T0 + 13 * HOUR + 5 * SEC).flag_state, ==, WARD_FLAG_STATE_NONE);
}

/* The flag rules' pending change, for "escalates in 2 min if
 * sustained" and "recovering".
 */
static void
test_flag_pending (Fixture       *f,
                   gconstpointer  data)
{
  WardBedState bed;
  gint64 t;

  enter_acvpu_and_air (f, "p1", T0);
  vitals (f, "mon-1", T0 + 5 * SEC, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");
  bed = bed_at (f, 0, T0 + 5 * SEC);
  g_assert_cmpint (bed.flag_state, ==, WARD_FLAG_STATE_NONE);
  g_assert_cmpint (bed.flag_pending_at, ==, 0);

  /* Medium from T0 + 10 s: opens at T0 + 3 min 10 s if sustained. */
  for (t = T0 + 10 * SEC; t <= T0 + MINUTE; t += 5 * SEC)
    vitals (f, "mon-1", t, "\"heartRate\":118,\"respiratoryRate\":22,\"spo2\":95");
  bed = bed_at (f, 0, T0 + MINUTE);
  g_assert_cmpint (bed.flag_state, ==, WARD_FLAG_STATE_PENDING);
  g_assert_cmpint (bed.flag_pending_band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (bed.flag_pending_at, ==, T0 + 3 * MINUTE + 10 * SEC);

  for (; t <= T0 + 4 * MINUTE; t += 5 * SEC)
    vitals (f, "mon-1", t, "\"heartRate\":118,\"respiratoryRate\":22,\"spo2\":95");
  bed = bed_at (f, 0, T0 + 4 * MINUTE);
  g_assert_cmpint (bed.flag_state, ==, WARD_FLAG_STATE_OPEN);
  g_assert_cmpint (bed.flag_band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (bed.flag_pending_at, ==, 0);

  /* High from T0 + 4 min 5 s: escalates at T0 + 7 min 5 s if sustained. */
  for (; t <= T0 + 5 * MINUTE; t += 5 * SEC)
    vitals (f, "mon-1", t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
  bed = bed_at (f, 0, T0 + 5 * MINUTE);
  g_assert_cmpint (bed.score_band, ==, WARD_BAND_HIGH);
  g_assert_cmpint (bed.flag_band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (bed.flag_pending_band, ==, WARD_BAND_HIGH);
  g_assert_cmpint (bed.flag_pending_at, ==, T0 + 7 * MINUTE + 5 * SEC);

  /* Low from T0 + 5 min 5 s: recovering, closes at T0 + 15 min 5 s. */
  for (; t <= T0 + 6 * MINUTE; t += 5 * SEC)
    vitals (f, "mon-1", t, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");
  bed = bed_at (f, 0, T0 + 6 * MINUTE);
  g_assert_cmpint (bed.flag_state, ==, WARD_FLAG_STATE_RECOVERING);
  g_assert_cmpint (bed.flag_pending_at, ==, T0 + 15 * MINUTE + 5 * SEC);
}

/* A ward's policy file changes what counts and what is due. */
static void
test_policy_changes_scoring (Fixture       *f,
                             gconstpointer  data)
{
  const WardNurseEntry full[] = {
    { WARD_MEAS_RR, 25 },
    { WARD_MEAS_SPO2, 93 },
    { WARD_MEAS_ON_OXYGEN, 0 },
    { WARD_MEAS_SBP, 125 },
    { WARD_MEAS_HR, 135 },
    { WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT },
    { WARD_MEAS_TEMP, 38.4 },
  };
  WardBedState bed;

  /* 3 + 2 + 3 + 1 = 9, high: with this policy, observations every 15
   * minutes rather than continuous.
   */
  round_of (f, "p1", full, G_N_ELEMENTS (full), T0 + 10 * SEC);
  bed = bed_at (f, 0, T0 + 10 * SEC);
  g_assert_cmpint (bed.score_total, ==, 9);
  g_assert_false (bed.obs_continuous);
  g_assert_cmpint (bed.obs_due_at, ==, T0 + 10 * SEC + 15 * MINUTE);

  /* Temperature counts 30 minutes here, and so does the nurse's (the
   * manual data timeout is 20 minutes): gone at 30.
   */
  evaluate (f, T0 + 30 * MINUTE + 5 * SEC);
  bed = bed_at (f, 0, T0 + 30 * MINUTE + 5 * SEC);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_TEMP], ==, 1);
  evaluate (f, T0 + 30 * MINUTE + 10 * SEC);
  bed = bed_at (f, 0, T0 + 30 * MINUTE + 10 * SEC);
  g_assert_cmpint (bed.score_points[WARD_NEWS2_TEMP], ==, -1);
  /* The nurse's pulse, 20 minutes: gone too. */
  g_assert_cmpint (bed.score_points[WARD_NEWS2_HR], ==, -1);
  g_assert_false (bed.nurse_latest[WARD_MEAS_HR].valid);
  g_assert_true (bed.nurse_latest[WARD_MEAS_CONSCIOUSNESS].valid);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/engine/trust/temperature-counts-four-hours", test_temperature_counts_four_hours);
  ADD ("/core/engine/trust/nurse-values-hold", test_nurse_values_hold);
  ADD ("/core/engine/trust/nurse-round-opens-flag-at-once", test_nurse_round_opens_flag_at_once);
  ADD ("/core/engine/trust/confirm-opens-flag-at-once", test_confirm_opens_flag_at_once);
  ADD ("/core/engine/trust/obs-due-follows-bands", test_obs_due_follows_bands);
  ADD ("/core/engine/trust/flag-pending", test_flag_pending);
  g_test_add ("/core/engine/trust/policy-changes-scoring", Fixture,
              "{\"validity_minutes\": {\"temp\": 30},"
              " \"manual_data_timeout_minutes\": 20,"
              " \"observation_frequency_minutes\": {\"high\": 15}}",
              fixture_set_up, test_policy_changes_scoring, fixture_tear_down);
#undef ADD

  return g_test_run ();
}
