/* test-engine.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-fhir-resources.h"
#include "ward-test-store.h"
#include "ward-store-private.h"

/* 2027-01-15T08:00:00Z: on a 5-minute window boundary. */
#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE

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
  f->path = ward_test_db_new ("ward-engine", &f->dir);
  f->store = ward_test_store_open (f->path);
  {
    WardEngineConfig config;

    /* The vital-signs Observations are off by default; the fixture
     * with data "vitals" turns them on.
     */
    ward_engine_config_init (&config);
    config.vitals_observations = g_strcmp0 (data, "vitals") == 0;
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

static char *
vitals_message (const char *device,
                gint64      at,
                const char *values)
{
  g_autofree char *iso = ward_time_format_iso8601 (at);

  static guint serial;

  return g_strdup_printf ("{\"deviceId\":\"%s\",\"messageId\":\"m-%u\",\"kind\":\"vitals\","
                          "\"measuredAt\":\"%s\"%s%s}",
                          device, ++serial, iso, values[0] ? "," : "", values);
}

/* Ingests one message and evaluates, in one transaction, as a tick does. */
static void
ingest_at (Fixture    *f,
           const char *device,
           gint64      at,
           const char *values)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = vitals_message (device, at, values);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), at, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, at, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static void
ingest_raw (Fixture    *f,
            const char *device_hint,
            const char *payload,
            gint64      at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, device_hint,
                                     payload, strlen (payload), at, NULL, NULL, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static void
nurse (Fixture      *f,
       const char   *patient,
       WardMeasKind  kind,
       double        value,
       gint64        at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_nurse_entry (f->engine, patient, kind, value, at, "Nurse Kim", &error));
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

static const WardBedState *
bed_state (WardSnapshot *snapshot,
           guint         index)
{
  g_assert_cmpuint (index, <, ward_snapshot_get_n_beds (snapshot));
  return ward_snapshot_get_bed (snapshot, index);
}

static void
test_ingest_and_latest (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  const WardBedState *bed;

  ingest_at (f, "mon-1", T0 + 5 * SEC, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");

  g_assert_cmpint (query (f, "SELECT count(*) FROM raw_messages"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p1' "
                             "AND source = 'device' AND device_id = 'mon-1' "
                             "AND raw_message_id IS NOT NULL"), ==, 3);
  g_assert_cmpint (query (f, "SELECT value FROM measurements WHERE kind = 'hr'"), ==, 72);

  snap = ward_engine_snapshot (f->engine, T0 + 5 * SEC);
  bed = bed_state (snap, 0);
  g_assert_cmpstr (bed->bed_label, ==, "Bed 1");
  g_assert_cmpstr (bed->patient_initials, ==, "A.O.");
  g_assert_true (bed->latest[WARD_MEAS_HR].valid);
  g_assert_cmpfloat (bed->latest[WARD_MEAS_HR].value, ==, 72);
  g_assert_cmpint (bed->latest[WARD_MEAS_HR].observed_at, ==, T0 + 5 * SEC);
  g_assert_cmpint (bed->latest[WARD_MEAS_SPO2].source, ==, WARD_SOURCE_DEVICE);
  g_assert_false (bed->latest[WARD_MEAS_TEMP].valid);
  g_assert_false (bed_state (snap, 1)->latest[WARD_MEAS_HR].valid);

  /* A spot value that arrives late does not replace a newer one. */
  ingest_at (f, "mon-1", T0 + 10 * SEC, "\"heartRate\":75");
  ingest_raw (f, NULL, "{\"deviceId\":\"mon-1\",\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T07:59:00Z\",\"heartRate\":99}",
              T0 + 11 * SEC);
  g_clear_pointer (&snap, ward_snapshot_unref);
  snap = ward_engine_snapshot (f->engine, T0 + 11 * SEC);
  g_assert_cmpfloat (bed_state (snap, 0)->latest[WARD_MEAS_HR].value, ==, 75);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE kind = 'hr'"), ==, 3);
}

static void
test_bad_input_dead_letters (Fixture       *f,
                             gconstpointer  data)
{
  static const struct {
    const char *hint;
    const char *payload;
    const char *stage;
    const char *reason_part;
  } cases[] = {
    { NULL, "{\"deviceId\":\"mon-1\",\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:01Z\",\"heartRa", "parse", "unterminated string" },
    { NULL, "[1,2,3]", "mapping", "no template of the device mapping matched" },
    { NULL, "", "parse", "empty" },
    { NULL, "{\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:01Z\",\"heartRate\":70}", "mapping", "deviceId" },
    { NULL, "{\"deviceId\":{\"x\":1},\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:01Z\",\"heartRate\":70}", "mapping", "deviceId" },
    { NULL, "{\"deviceId\":\"mon-1\",\"heartRate\":70}", "mapping", "no template of the device mapping matched" },
    { NULL, "{\"deviceId\":\"mon-1\",\"messageId\":\"r\",\"measuredAt\":\"yesterday\",\"heartRate\":70}", "mapping", "not an ISO 8601" },
    { NULL, "{\"deviceId\":\"mon-1\",\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T09:00:00Z\",\"heartRate\":70}", "mapping", "more than 5 minutes after" },
    { NULL, "{\"deviceId\":\"mon-1\",\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:01Z\",\"colour\":\"blue\"}", "mapping", "no template of the device mapping matched" },
    { NULL, "{\"deviceId\":\"mon-9\",\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:01Z\",\"heartRate\":70}", "identity", "mon-9" },
    { "mon-2", "{\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:01Z\",\"heartRate\":-5,\"spo2\":120,\"respiratoryRate\":18}",
      "validation", "heartrate.hr: impossible value -5; spo2.spo2: impossible value 120" },
    { NULL, "{\"deviceId\":\"mon-1\",\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:01Z\",\"heartRate\":\"fast\",\"spo2\":95}",
      "validation", "heartrate.hr: \"fast\" is not a number" },
  };
  g_autoptr(WardSnapshot) snap = NULL;
  guint n_wrong = 0;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sql = NULL;

      ingest_raw (f, cases[i].hint, cases[i].payload, T0 + 2 * SEC);

      /* The raw message is archived, the failure recorded with its stage
       * and reason, pointing at the raw message.
       */
      g_assert_cmpint (query (f, "SELECT count(*) FROM raw_messages"), ==, i + 1);
      g_assert_cmpint (query (f, "SELECT count(*) FROM dead_letters"), ==, i + 1);
      sql = g_strdup_printf ("SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                             "ON r.id = d.raw_message_id WHERE d.id = %u AND d.stage = '%s' "
                             "AND instr(d.reason, '%s') > 0", i + 1, cases[i].stage,
                             cases[i].reason_part);
      if (query (f, sql) != 1)
        {
          g_autofree char *got_sql = g_strdup_printf ("SELECT stage || ': ' || reason FROM dead_letters "
                                                      "WHERE id = %u", i + 1);
          g_autofree char *got = _ward_store_query_text (f->store, got_sql, NULL);

          g_printerr ("case %u (%s): expected %s containing \"%s\", got %s\n", i, cases[i].payload,
                      cases[i].stage, cases[i].reason_part, got);
          n_wrong++;
        }
    }

  g_assert_cmpuint (n_wrong, ==, 0);

  /* Valid values beside impossible ones were kept. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p2' AND kind = 'rr'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p1' AND kind = 'spo2'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE kind = 'hr'"), ==, 0);

  /* And the pipeline goes on. */
  ingest_at (f, "mon-1", T0 + 3 * SEC, "\"heartRate\":81");
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE kind = 'hr'"), ==, 1);
  snap = ward_engine_snapshot (f->engine, T0 + 3 * SEC);
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->dead_letters, ==, G_N_ELEMENTS (cases));
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->messages, ==, G_N_ELEMENTS (cases) + 1);
}

static void
complete_normal_set (Fixture *f,
                     gint64   at)
{
  nurse (f, "p1", WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT, at);
  nurse (f, "p1", WARD_MEAS_ON_OXYGEN, 0, at);
  ingest_raw (f, "mon-1", "{\"kind\":\"nibp\",\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:10Z\",\"systolic\":125,\"diastolic\":80,\"mean\":95}",
              at);
  ingest_raw (f, "mon-1", "{\"kind\":\"temperature\",\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:10Z\",\"temperature\":36.8}",
              at);
  ingest_at (f, "mon-1", at, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");
}

static void
test_complete_score_is_traceable (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  const WardBedState *bed;

  complete_normal_set (f, T0 + 10 * SEC);

  snap = ward_engine_snapshot (f->engine, T0 + 10 * SEC);
  bed = bed_state (snap, 0);
  g_assert_true (bed->has_score);
  g_assert_true (bed->score_complete);
  g_assert_cmpint (bed->score_total, ==, 0);
  g_assert_cmpint (bed->score_band, ==, WARD_BAND_LOW);
  g_assert_false (bed->score_final);
  g_assert_cmpint (bed->score_window_end, ==, T0 + 5 * MINUTE);
  g_assert_cmpint (bed->score_window_start, ==, T0 + 5 * MINUTE - 30 * MINUTE);
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    g_assert_cmpint (bed->score_points[i], ==, 0);

  /* One row per window, with every input behind the score. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE patient_id = 'p1'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE patient_id = 'p1' AND complete = 1 "
                             "AND status = 'preliminary' AND band = 'low'"), ==, 1);
  {
    /* Read the inputs JSON through SQLite's JSON functions. */
    g_assert_cmpint (query (f, "SELECT json_extract(inputs, '$.params.rr.value') FROM scores"), ==, 16);
    g_assert_cmpint (query (f, "SELECT json_extract(inputs, '$.params.consciousness.source') = 'nurse' "
                               "FROM scores"), ==, 1);
    g_assert_cmpint (query (f, "SELECT json_extract(inputs, '$.params.hr.source') = 'device' "
                               "FROM scores"), ==, 1);
    g_assert_cmpint (query (f, "SELECT json_extract(inputs, '$.params.sbp.observed_at') = "
                               "'2027-01-15T08:00:10.000Z' FROM scores"), ==, 1);
  }
}

static void
test_partial_score_escalates (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  const WardBedState *bed;

  /* No SpO2, no nurse entries: HR 135 (3) + RR 26 (3) + SBP 88 (3) = 9. */
  ingest_raw (f, "mon-2", "{\"messageId\":\"r\",\"measuredAt\":\"2027-01-15T08:00:05Z\",\"systolic\":88,\"diastolic\":50}",
              T0 + 5 * SEC);
  ingest_at (f, "mon-2", T0 + 6 * SEC, "\"heartRate\":135,\"respiratoryRate\":26");

  snap = ward_engine_snapshot (f->engine, T0 + 6 * SEC);
  bed = bed_state (snap, 1);
  g_assert_true (bed->has_score);
  g_assert_false (bed->score_complete);
  g_assert_cmpint (bed->score_total, ==, 9);
  g_assert_cmpint (bed->score_band, ==, WARD_BAND_HIGH);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_SPO2], ==, -1);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_CONSCIOUSNESS], ==, -1);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_HR], ==, 3);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE patient_id = 'p2' AND complete = 0 "
                             "AND band = 'high' AND json_extract(inputs, '$.params.spo2') IS NULL"), ==, 1);
}

static void
test_confirm_makes_final (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  g_autoptr(GError) error = NULL;

  complete_normal_set (f, T0 + 10 * SEC);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_confirm (f->engine, "p1", T0 + 20 * SEC, "Nurse Kim", &error));
  g_assert_true (ward_engine_evaluate (f->engine, T0 + 20 * SEC, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));

  snap = ward_engine_snapshot (f->engine, T0 + 20 * SEC);
  g_assert_true (bed_state (snap, 0)->score_final);
  g_assert_false (bed_state (snap, 1)->score_final);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE status = 'final' "
                             "AND confirmed_by = 'Nurse Kim'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'confirm' AND actor = 'Nurse Kim'"), ==, 1);

  /* The next window is device data only again: preliminary. */
  ingest_at (f, "mon-1", T0 + 6 * MINUTE, "\"heartRate\":74,\"respiratoryRate\":16,\"spo2\":97");
  g_clear_pointer (&snap, ward_snapshot_unref);
  snap = ward_engine_snapshot (f->engine, T0 + 6 * MINUTE);
  g_assert_false (bed_state (snap, 0)->score_final);

  /* Unknown patients are an error, not a silent no-op. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_false (ward_engine_confirm (f->engine, "nobody", T0, "Nurse Kim", &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_UNKNOWN_PATIENT);
  ward_engine_rollback (f->engine);
}

static void
test_spo2_scale_and_oxygen (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  g_autoptr(GError) error = NULL;
  const WardBedState *bed;

  /* SpO2 95 on oxygen: scale 1 scores 1 (+2 for oxygen)... */
  nurse (f, "p1", WARD_MEAS_ON_OXYGEN, 1, T0 + SEC);
  ingest_at (f, "mon-1", T0 + 2 * SEC, "\"spo2\":95");
  snap = ward_engine_snapshot (f->engine, T0 + 2 * SEC);
  bed = bed_state (snap, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_SPO2], ==, 1);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_AIR_OR_OXYGEN], ==, 2);

  /* ...scale 2, set by a clinician, scores 95 % on oxygen as 2. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_set_spo2_scale (f->engine, "p1", 2, T0 + 3 * SEC, "Dr Osei", &error));
  g_assert_true (ward_engine_evaluate (f->engine, T0 + 3 * SEC, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_clear_pointer (&snap, ward_snapshot_unref);
  snap = ward_engine_snapshot (f->engine, T0 + 3 * SEC);
  bed = bed_state (snap, 0);
  g_assert_cmpint (bed->spo2_scale, ==, 2);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_SPO2], ==, 2);
  g_assert_cmpint (query (f, "SELECT count(*) FROM patients WHERE id = 'p1' AND spo2_scale = 2 "
                             "AND spo2_scale_set_by = 'Dr Osei'"), ==, 1);

  /* Entered by a nurse for the clinician who decided: both are kept. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_set_spo2_scale_full (f->engine, "p1", 2, "Dr Aziz", T0 + 4 * SEC,
                                                  "Nurse Kim", &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query (f, "SELECT count(*) FROM patients WHERE id = 'p1' AND spo2_scale = 2 "
                             "AND spo2_scale_set_by = 'Dr Aziz'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'spo2-scale' AND "
                             "actor = 'Nurse Kim' AND detail = "
                             "'{\"spo2_scale\":2,\"decided_by\":\"Dr Aziz\"}'"), ==, 1);

  /* Impossible entries are refused with a reason. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_false (ward_engine_set_spo2_scale (f->engine, "p1", 3, T0, "Dr Osei", &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ward_engine_nurse_entry (f->engine, "p1", WARD_MEAS_CONSCIOUSNESS, 7, T0,
                                           "Nurse Kim", &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID);
  ward_engine_rollback (f->engine);
}

/* A round of bedside observations is stored whole or not at all. */
static void
test_nurse_round_all_or_none (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const WardNurseEntry bad_round[] = {
    { WARD_MEAS_RR, 18 },
    { WARD_MEAS_HR, 72 },
    { WARD_MEAS_TEMP, 370 },   /* a slip of the decimal point */
  };
  const WardNurseEntry good_round[] = {
    { WARD_MEAS_RR, 18 },
    { WARD_MEAS_HR, 72 },
    { WARD_MEAS_TEMP, 37.0 },
    { WARD_MEAS_CONSCIOUSNESS, 0 },
  };

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_false (ward_engine_nurse_entries (f->engine, "p1", bad_round, G_N_ELEMENTS (bad_round),
                                             T0, "Nurse Kim", &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "nothing of this round was recorded"));
  g_clear_error (&error);
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE source = 'nurse'"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'nurse-entry'"), ==, 0);

  /* An unknown patient: nothing either. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_false (ward_engine_nurse_entries (f->engine, "nobody", good_round,
                                             G_N_ELEMENTS (good_round), T0, "Nurse Kim", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE source = 'nurse'"), ==, 0);

  /* Corrected and recorded again: each value once, with who entered it. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_nurse_entries (f->engine, "p1", good_round, G_N_ELEMENTS (good_round),
                                            T0 + SEC, "Nurse Kim", &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE source = 'nurse' "
                             "AND entered_by = 'Nurse Kim'"), ==, 4);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE source = 'nurse' "
                             "AND kind = 'hr'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'nurse-entry'"), ==, 4);
}

static void
test_values_age_out_of_window (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  const WardBedState *bed;

  complete_normal_set (f, T0 + 10 * SEC);

  /* 40 minutes on, only HR has been sent again.  Each value counts for
   * its parameter's maximum age: the monitor's RR and SpO2 from 08:00
   * (10 min) no longer, the blood pressure (60 min) and the temperature
   * (4 h) still, and the nurse entries (12 h) too.
   */
  ingest_at (f, "mon-1", T0 + 40 * MINUTE, "\"heartRate\":95");
  snap = ward_engine_snapshot (f->engine, T0 + 40 * MINUTE);
  bed = bed_state (snap, 0);
  g_assert_false (bed->score_complete);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_HR], ==, 1);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_RR], ==, -1);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_SPO2], ==, -1);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_SBP], ==, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_TEMP], ==, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_CONSCIOUSNESS], ==, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_AIR_OR_OXYGEN], ==, 0);
  g_assert_cmpint (bed->score_total, ==, 1);

  /* An hour and a bit on, the blood pressure has aged out as well. */
  ingest_at (f, "mon-1", T0 + 61 * MINUTE, "\"heartRate\":95");
  g_clear_pointer (&snap, ward_snapshot_unref);
  snap = ward_engine_snapshot (f->engine, T0 + 61 * MINUTE);
  bed = bed_state (snap, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_SBP], ==, -1);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_TEMP], ==, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_HR], ==, 1);
}

static void
test_flag_lifecycle (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t = T0;
  gint64 flag_id;

  complete_normal_set (f, t);

  /* Deteriorating: NEWS2 7 (HR 3, RR 2, SpO2 2) every 5 s for 5 min. */
  for (; t < T0 + 5 * MINUTE; t += 5 * SEC)
    ingest_at (f, "mon-1", t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");

  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE patient_id = 'p1' AND band = 'high' "
                             "AND closed_at IS NULL AND score_id IS NOT NULL"), ==, 1);
  g_assert_cmpint (query (f, "SELECT opened_at FROM flags"), ==, T0 + 3 * MINUTE);
  flag_id = query (f, "SELECT id FROM flags");

  snap = ward_engine_snapshot (f->engine, t);
  g_assert_cmpint (bed_state (snap, 0)->flag_state, ==, WARD_FLAG_STATE_OPEN);
  g_assert_cmpint (bed_state (snap, 0)->flag_id, ==, flag_id);
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->flags_raised, ==, 1);

  /* Acknowledged: who and when. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_acknowledge (f->engine, flag_id, t, "Nurse Kim", &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_clear_pointer (&snap, ward_snapshot_unref);
  snap = ward_engine_snapshot (f->engine, t);
  g_assert_cmpstr (bed_state (snap, 0)->flag_acknowledged_by, ==, "Nurse Kim");
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'acknowledge' "
                             "AND actor = 'Nurse Kim' AND patient_id = 'p1'"), ==, 1);

  /* Recovery for 12 minutes closes it. */
  for (; t < T0 + 17 * MINUTE; t += 5 * SEC)
    ingest_at (f, "mon-1", t, "\"heartRate\":75,\"respiratoryRate\":16,\"spo2\":97");
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE closed_at IS NOT NULL"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags"), ==, 1);

  /* One Flag resource for the episode, now inactive, under its id. */
  {
    g_autofree char *flag_fhir_id = NULL;
    g_autofree char *sql = NULL;
    gint64 opened_at = query (f, "SELECT opened_at FROM flags");

    flag_fhir_id = ward_fhir_flag_id ("p1", opened_at);
    g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Flag'"), ==, 1);
    sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources WHERE resource_type = 'Flag' AND "
                           "id = '%s' AND json LIKE '%%\"status\":\"inactive\"%%' AND version >= 2",
                           flag_fhir_id);
    g_assert_cmpint (query (f, sql), ==, 1);
  }

  /* A closed flag cannot be acknowledged. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_false (ward_engine_acknowledge (f->engine, flag_id, t, "Nurse Kim", &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_NO_FLAG);
  ward_engine_rollback (f->engine);
}

static void
test_technical_alert (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;

  ingest_at (f, "mon-1", T0, "\"heartRate\":75");
  evaluate (f, T0 + 60 * SEC);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'technical'"), ==, 0);

  /* Silent for more than 60 s: one technical alert for that device. */
  evaluate (f, T0 + 61 * SEC);
  evaluate (f, T0 + 90 * SEC);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'technical' AND subject = 'mon-1' "
                             "AND patient_id = 'p1' AND closed_at IS NULL"), ==, 1);
  snap = ward_engine_snapshot (f->engine, T0 + 90 * SEC);
  g_assert_true (bed_state (snap, 0)->technical_alert);
  /* Open from the data: the last measurement plus the silence limit. */
  g_assert_cmpint (bed_state (snap, 0)->technical_alert_since, ==, T0 + 60 * SEC);
  /* A device that never sent is not "silent". */
  g_assert_false (bed_state (snap, 1)->technical_alert);

  /* Data again clears it. */
  ingest_at (f, "mon-1", T0 + 95 * SEC, "\"heartRate\":76");
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'technical' "
                             "AND closed_at = 1800000095000000"), ==, 1);
  g_clear_pointer (&snap, ward_snapshot_unref);
  snap = ward_engine_snapshot (f->engine, T0 + 95 * SEC);
  g_assert_false (bed_state (snap, 0)->technical_alert);
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->technical_alerts, ==, 1);
}

static void
test_score_writes_fhir (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *obs_id = NULL;
  g_autofree char *risk_id = NULL;
  g_autofree char *sql = NULL;
  gint64 window_end;

  ingest_at (f, "mon-1", T0 + 10 * SEC, "\"heartRate\":80,\"respiratoryRate\":16,\"spo2\":97");
  window_end = query (f, "SELECT window_end FROM scores WHERE patient_id = 'p1'");
  obs_id = ward_fhir_news2_observation_id ("p1", window_end);
  risk_id = ward_fhir_risk_assessment_id ("p1", window_end);

  sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources WHERE version = 1 AND "
                         "((resource_type = 'Observation' AND id = '%s') OR "
                         "(resource_type = 'RiskAssessment' AND id = '%s'))", obs_id, risk_id);
  g_assert_cmpint (query (f, sql), ==, 2);
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Device'"), ==, 1);
  /* The vital-signs Observations are off by default (see
   * /core/engine/vitals-observations).
   */
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Observation' "
                             "AND json LIKE '%vital-signs%'"), ==, 0);

  /* The same window re-scored: version 2, still one pending row each. */
  ingest_at (f, "mon-1", T0 + 11 * SEC, "\"heartRate\":120");
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE patient_id = 'p1'"), ==, 1);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources WHERE version = 2 AND id IN ('%s', '%s')",
                         obs_id, risk_id);
  g_assert_cmpint (query (f, sql), ==, 2);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM outbox WHERE state = 'pending' AND version = 2 AND "
                         "id IN ('%s', '%s')", obs_id, risk_id);
  g_assert_cmpint (query (f, sql), ==, 2);
  g_assert_cmpint (query (f, "SELECT count(*) FROM outbox WHERE state = 'pending'"), ==,
                   query (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_false (ward_engine_get_counters (f->engine)->outbox_over_limit);
}

static void
test_vitals_observations (Fixture       *f,
                          gconstpointer  data)
{
  /* Each reading becomes a vital-signs Observation, queued once. */
  ingest_at (f, "mon-1", T0 + 5 * SEC, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Observation' "
                             "AND json_extract(json, '$.code.coding[0].code') = '8867-4' "
                             "AND json_extract(json, '$.valueQuantity.value') = 72"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Observation' "
                             "AND json_extract(json, '$.code.coding[0].code') IN ('9279-1', '2708-6')"), ==, 2);
  g_assert_cmpint (query (f, "SELECT count(*) FROM outbox o JOIN fhir_resources r "
                             "ON r.resource_type = o.resource_type AND r.id = o.id "
                             "WHERE o.state = 'pending' AND json_extract(r.json, '$.code.coding[0].code') = '8867-4'"),
                   ==, 1);
}

static void
set_birth_date (Fixture    *f,
                const char *patient,
                const char *birth_date)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_set_birth_date (f->engine, patient, birth_date, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

/* The connector's Create-mode id of a patient or device: the lowercase
 * hex SHA-256 of "_" + id, computed here rather than by the code tested.
 */
static char *
create_mode_id (const char *id)
{
  g_autofree char *input = g_strconcat ("_", id, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
}

/* The number of resources of a type whose subject is the patient's
 * FHIR id in local identity.
 */
static gint64
query_subject (Fixture    *f,
               const char *resource_type,
               const char *patient)
{
  g_autofree char *fhir_id = create_mode_id (patient);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources WHERE resource_type = '%s' "
                                          "AND json_extract(json, '$.subject.reference') = 'Patient/%s'",
                                          resource_type, fhir_id);

  return query (f, sql);
}

/* Local identity: every resource written about a patient (the NEWS2
 * Observation, the RiskAssessment, the Flag and the vital-signs
 * Observations) references one Patient, the connector's Create-mode id
 * of the patient, and the vital signs the monitor's Create-mode Device;
 * the NEWS2 resources keep the ids they always had.
 */
static void
test_fhir_references_local (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *patient = create_mode_id ("p1");
  g_autofree char *device = create_mode_id ("mon-1");
  g_autofree char *sql = NULL;
  g_autofree char *obs_id = NULL;
  g_autofree char *risk_id = NULL;
  g_autofree char *flag_id = NULL;
  gint64 t = T0;
  gint64 n_vitals, n_news2, n_risk;

  /* NEWS2 7 (HR 3, RR 2, SpO2 2) for 5 min: a flag opens. */
  for (; t < T0 + 5 * MINUTE; t += 5 * SEC)
    ingest_at (f, "mon-1", t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");

  n_vitals = query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Observation' "
                       "AND json LIKE '%iomt-fhir-connector%'");
  n_news2 = query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Observation' "
                      "AND id LIKE 'ww-news2-%'");
  n_risk = query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'RiskAssessment'");
  g_assert_cmpint (n_vitals, ==, 3);
  g_assert_cmpint (n_news2, >=, 1);
  g_assert_cmpint (n_risk, ==, n_news2);
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Flag'"), ==, 1);

  /* One Patient for all of them: every resource with a subject names it. */
  g_assert_cmpint (query_subject (f, "Observation", "p1"), ==, n_vitals + n_news2);
  g_assert_cmpint (query_subject (f, "RiskAssessment", "p1"), ==, n_risk);
  g_assert_cmpint (query_subject (f, "Flag", "p1"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources "
                             "WHERE json_extract(json, '$.subject.reference') IS NOT NULL"), ==,
                   n_vitals + n_news2 + n_risk + 1);

  /* The vital signs name the monitor; the NEWS2 resources Wardwatch. */
  sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources WHERE resource_type = 'Observation' "
                         "AND json LIKE '%%iomt-fhir-connector%%' "
                         "AND json_extract(json, '$.device.reference') = 'Device/%s' "
                         "AND json_extract(json, '$.identifier[0].value') LIKE '%s.%s.%%'",
                         device, patient, device);
  g_assert_cmpint (query (f, sql), ==, n_vitals);

  /* The NEWS2 resources keep their ids, keyed by the patient id. */
  obs_id = ward_fhir_news2_observation_id ("p1", T0 + 5 * MINUTE);
  risk_id = ward_fhir_risk_assessment_id ("p1", T0 + 5 * MINUTE);
  flag_id = ward_fhir_flag_id ("p1", query (f, "SELECT opened_at FROM flags WHERE kind = 'clinical'"));
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources WHERE "
                         "(resource_type = 'Observation' AND id = '%s') OR "
                         "(resource_type = 'RiskAssessment' AND id = '%s') OR "
                         "(resource_type = 'Flag' AND id = '%s')", obs_id, risk_id, flag_id);
  g_assert_cmpint (query (f, sql), ==, 3);
}

static gint64
risk_assessment_has_prediction (Fixture    *f,
                                const char *patient,
                                gint64      window_end)
{
  g_autofree char *id = ward_fhir_risk_assessment_id (patient, window_end);
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources "
                                                "WHERE id = '%s'", id);
  g_autofree char *sql = g_strdup_printf ("SELECT json_extract(json, '$.prediction') IS NOT NULL "
                                          "FROM fhir_resources WHERE resource_type = 'RiskAssessment' "
                                          "AND id = '%s'", id);

  g_assert_cmpint (query (f, count_sql), ==, 1);
  return query (f, sql);
}

/* NEWS2 is not for under-16s: the same deterioration flags the adult and
 * not the child, whose score is kept for the record and claims no risk.
 */
static void
test_under_16_no_flag (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  const WardBedState *child, *adult;
  gint64 t = T0;

  /* At T0 (2027-01-15): 12 and 54. */
  set_birth_date (f, "p1", "2014-03-02");
  set_birth_date (f, "p2", "1972-05-20");

  /* Both deteriorate: NEWS2 7 (HR 3, RR 2, SpO2 2) every 5 s for 10 min. */
  for (; t < T0 + 10 * MINUTE; t += 5 * SEC)
    {
      ingest_at (f, "mon-1", t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
      ingest_at (f, "mon-2", t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
    }

  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE patient_id = 'p2' "
                             "AND kind = 'clinical'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE patient_id = 'p1'"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind LIKE 'flag-%' "
                             "AND patient_id = 'p1'"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM fhir_resources WHERE resource_type = 'Flag'"), ==, 1);
  g_assert_cmpint (query_subject (f, "Flag", "p1"), ==, 0);
  g_assert_cmpint (query_subject (f, "Flag", "p2"), ==, 1);

  /* The vitals and the child's scores are recorded, marked. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p1' "
                             "AND kind = 'hr'"), ==, 120);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE patient_id = 'p1'"), ==, 3);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE patient_id = 'p1' AND total = 7 "
                             "AND band = 'high' AND age = 12 AND news2_applicable = 0"), ==, 3);
  g_assert_cmpint (query (f, "SELECT count(*) FROM scores WHERE patient_id = 'p2' AND age = 54 "
                             "AND news2_applicable = 1"), ==, 3);

  /* Its RiskAssessments claim no risk; the adult's do. */
  g_assert_cmpint (risk_assessment_has_prediction (f, "p1", T0 + 5 * MINUTE), ==, 0);
  g_assert_cmpint (risk_assessment_has_prediction (f, "p2", T0 + 5 * MINUTE), ==, 1);

  snap = ward_engine_snapshot (f->engine, t);
  child = bed_state (snap, 0);
  adult = bed_state (snap, 1);
  g_assert_cmpint (child->age, ==, 12);
  g_assert_true (child->news2_not_applicable);
  g_assert_true (child->has_score);
  g_assert_cmpint (child->score_total, ==, 7);
  g_assert_cmpint (child->flag_state, ==, WARD_FLAG_STATE_NONE);
  g_assert_cmpint (child->flag_id, ==, 0);
  g_assert_cmpint (adult->age, ==, 54);
  g_assert_false (adult->news2_not_applicable);
  g_assert_cmpint (adult->flag_state, ==, WARD_FLAG_STATE_OPEN);
  g_assert_cmpuint (ward_snapshot_get_counters (snap)->flags_raised, ==, 1);
}

/* A birth date learned after a flag opened (an adult until then): the
 * flag closes at once, saying why; the open window's RiskAssessment is
 * rewritten to claim nothing; nothing opens again.
 */
static void
test_birth_date_learned_closes_flag (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  g_autofree char *flag_fhir_id = NULL;
  g_autofree char *sql = NULL;
  gint64 t = T0;
  gint64 opened_at;

  for (; t < T0 + 5 * MINUTE; t += 5 * SEC)
    ingest_at (f, "mon-1", t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE patient_id = 'p1' "
                             "AND closed_at IS NULL"), ==, 1);
  opened_at = query (f, "SELECT opened_at FROM flags");
  g_assert_cmpint (risk_assessment_has_prediction (f, "p1", T0 + 5 * MINUTE), ==, 1);
  snap = ward_engine_snapshot (f->engine, t);
  g_assert_cmpint (bed_state (snap, 0)->age, ==, -1);
  g_assert_false (bed_state (snap, 0)->news2_not_applicable);
  g_clear_pointer (&snap, ward_snapshot_unref);

  set_birth_date (f, "p1", "2019-07-30");
  evaluate (f, t);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE patient_id = 'p1' "
                             "AND closed_at IS NULL"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM events WHERE kind = 'flag-closed' "
                             "AND json_extract(detail, '$.reason') = 'news2-not-applicable'"), ==, 1);
  flag_fhir_id = ward_fhir_flag_id ("p1", opened_at);
  sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources WHERE resource_type = 'Flag' AND "
                         "id = '%s' AND json_extract(json, '$.status') = 'inactive'", flag_fhir_id);
  g_assert_cmpint (query (f, sql), ==, 1);
  g_assert_cmpint (risk_assessment_has_prediction (f, "p1", T0 + 5 * MINUTE), ==, 0);

  for (; t < T0 + 15 * MINUTE; t += 5 * SEC)
    ingest_at (f, "mon-1", t, "\"heartRate\":140,\"respiratoryRate\":26,\"spo2\":90");
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags"), ==, 1);
  snap = ward_engine_snapshot (f->engine, t);
  g_assert_cmpint (bed_state (snap, 0)->age, ==, 7);
  g_assert_true (bed_state (snap, 0)->news2_not_applicable);
  g_assert_cmpint (bed_state (snap, 0)->flag_state, ==, WARD_FLAG_STATE_NONE);
}

/* The birth date is kept in the store across restarts; the age is that
 * at the window's end, so NEWS2 applies from the 16th birthday's first
 * window (UTC days); a bad date is refused.
 */
static void
test_birth_date_kept_and_age_at_window_end (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  gint64 midnight = T0 + 16 * WARD_USEC_PER_HOUR;   /* 2027-01-16T00:00:00Z */

  set_birth_date (f, "p1", "2011-01-16");
  g_assert_true (ward_store_get_birth_date (f->store, "p1", &stored, &error));
  g_assert_cmpstr (stored, ==, "2011-01-16");

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_false (ward_engine_set_birth_date (f->engine, "p1", "16/01/2011", &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ward_engine_set_birth_date (f->engine, "nobody", "2011-01-16", &error));
  g_assert_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_UNKNOWN_PATIENT);
  g_clear_error (&error);
  ward_engine_rollback (f->engine);

  /* A new engine on the same store, as at the next start. */
  g_clear_object (&f->engine);
  f->engine = ward_engine_new (f->store, NULL);
  ward_test_engine_add_beds (f->engine, 2, NULL, NULL);

  /* The window ending 23:55 is the last of age 15; the one ending at
   * midnight is 16.
   */
  snap = ward_engine_snapshot (f->engine, midnight - 5 * MINUTE);
  g_assert_cmpint (bed_state (snap, 0)->age, ==, 15);
  g_assert_true (bed_state (snap, 0)->news2_not_applicable);
  g_assert_cmpint (bed_state (snap, 1)->age, ==, -1);
  g_assert_false (bed_state (snap, 1)->news2_not_applicable);
  g_clear_pointer (&snap, ward_snapshot_unref);
  snap = ward_engine_snapshot (f->engine, midnight - 5 * MINUTE + 1);
  g_assert_cmpint (bed_state (snap, 0)->age, ==, 16);
  g_assert_false (bed_state (snap, 0)->news2_not_applicable);
  g_clear_pointer (&snap, ward_snapshot_unref);

  /* Forgotten: unknown again, an adult as before. */
  set_birth_date (f, "p1", NULL);
  snap = ward_engine_snapshot (f->engine, T0);
  g_assert_cmpint (bed_state (snap, 0)->age, ==, -1);
  g_assert_false (bed_state (snap, 0)->news2_not_applicable);
}

/* Ingests one message measured at measured_at and evaluates at tick, a
 * station's own moment.
 */
static void
ingest_then_tick (Fixture    *f,
                  gint64      measured_at,
                  gint64      tick,
                  const char *values)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = vitals_message ("mon-1", measured_at, values);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), tick, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, tick, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

/* Two stations reading one feed tick at their own moments; they open the
 * same flag at the same time, taken from the data, so its Flag id (and
 * its Task's) is the same on both.
 */
static void
test_flag_opens_at_data_time (void)
{
  Fixture a = { 0 };
  Fixture b = { 0 };
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  gint64 opened_a, opened_b;

  fixture_set_up (&a, NULL);
  fixture_set_up (&b, NULL);
  complete_normal_set (&a, T0);
  complete_normal_set (&b, T0);

  /* NEWS2 7 every 5 s; station a sees each value 0.3 s after it was
   * measured, station b 2.7 s after.
   */
  for (gint64 t = T0 + 5 * SEC; t < T0 + 5 * MINUTE; t += 5 * SEC)
    {
      ingest_then_tick (&a, t, t + 300 * 1000, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
      ingest_then_tick (&b, t, t + 2700 * 1000, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
    }

  g_assert_cmpint (query (&a, "SELECT count(*) FROM flags WHERE kind = 'clinical'"), ==, 1);
  g_assert_cmpint (query (&b, "SELECT count(*) FROM flags WHERE kind = 'clinical'"), ==, 1);
  opened_a = query (&a, "SELECT opened_at FROM flags WHERE kind = 'clinical'");
  opened_b = query (&b, "SELECT opened_at FROM flags WHERE kind = 'clinical'");
  /* The first value of the high band, and the sustain delay after it. */
  g_assert_cmpint (opened_a, ==, T0 + 5 * SEC + 3 * MINUTE);
  g_assert_cmpint (opened_b, ==, opened_a);
  id_a = ward_fhir_flag_id ("p1", opened_a);
  id_b = ward_fhir_flag_id ("p1", opened_b);
  g_assert_cmpstr (id_a, ==, id_b);
  /* Never later than the tick that opened it. */
  g_assert_cmpint (query (&b, "SELECT count(*) FROM events WHERE kind = 'flag-raised' "
                              "AND at >= (SELECT opened_at FROM flags)"), ==, 1);

  fixture_tear_down (&a, NULL);
  fixture_tear_down (&b, NULL);
}

/* A silent device seen by two stations: each notices the silence on its
 * own arrival times and at its own tick, and both open the alert at one
 * instant taken from the data (the last measurement plus the silence
 * limit), so its key and its Tasks' ids are the same on both.
 */
static void
test_technical_alert_opens_at_data_time (void)
{
  Fixture a = { 0 };
  Fixture b = { 0 };
  gint64 last = T0 + 40 * SEC;
  gint64 opened_a;
  gint64 opened_b;

  fixture_set_up (&a, NULL);
  fixture_set_up (&b, NULL);

  /* Station a receives each message 0.3 s after it was measured and
   * ticks every 1.1 s; station b receives them 2.7 s late and ticks
   * every 1.7 s.
   */
  for (gint64 t = T0; t <= last; t += 5 * SEC)
    {
      ingest_then_tick (&a, t, t + 300 * 1000, "\"heartRate\":75");
      ingest_then_tick (&b, t, t + 2700 * 1000, "\"heartRate\":75");
    }
  for (gint64 t = last + SEC; t < last + 90 * SEC; t += 1100 * 1000)
    evaluate (&a, t);
  for (gint64 t = last + 3 * SEC; t < last + 90 * SEC; t += 1700 * 1000)
    evaluate (&b, t);

  g_assert_cmpint (query (&a, "SELECT count(*) FROM flags WHERE kind = 'technical'"), ==, 1);
  g_assert_cmpint (query (&b, "SELECT count(*) FROM flags WHERE kind = 'technical'"), ==, 1);
  opened_a = query (&a, "SELECT opened_at FROM flags WHERE kind = 'technical'");
  opened_b = query (&b, "SELECT opened_at FROM flags WHERE kind = 'technical'");
  g_assert_cmpint (opened_a, ==, last + 60 * SEC);
  g_assert_cmpint (opened_b, ==, opened_a);
  /* Noticed at each station's own tick, never before it opens. */
  g_assert_cmpint (query (&a, "SELECT count(*) FROM events WHERE kind = 'technical-alert' "
                              "AND at >= (SELECT opened_at FROM flags WHERE kind = 'technical')"), ==, 1);
  g_assert_cmpint (query (&b, "SELECT count(*) FROM events WHERE kind = 'technical-alert' "
                              "AND at >= (SELECT opened_at FROM flags WHERE kind = 'technical')"), ==, 1);

  fixture_tear_down (&a, NULL);
  fixture_tear_down (&b, NULL);
}

/* A device clock ahead of ours: the alert cannot open in the future. */
static void
test_technical_alert_never_in_future (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = vitals_message ("mon-1", T0 + 2 * MINUTE, "\"heartRate\":75");

  /* Measured 2 minutes ahead of its arrival (within the tolerated skew). */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), T0, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, T0, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);

  evaluate (f, T0 + 61 * SEC);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'technical' "
                             "AND opened_at = 1800000061000000"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/engine/ingest-and-latest", test_ingest_and_latest);
  ADD ("/core/engine/bad-input-dead-letters", test_bad_input_dead_letters);
  ADD ("/core/engine/complete-score-is-traceable", test_complete_score_is_traceable);
  ADD ("/core/engine/partial-score-escalates", test_partial_score_escalates);
  ADD ("/core/engine/confirm-makes-final", test_confirm_makes_final);
  ADD ("/core/engine/spo2-scale-and-oxygen", test_spo2_scale_and_oxygen);
  ADD ("/core/engine/nurse-round-all-or-none", test_nurse_round_all_or_none);
  ADD ("/core/engine/values-age-out-of-window", test_values_age_out_of_window);
  ADD ("/core/engine/flag-lifecycle", test_flag_lifecycle);
  ADD ("/core/engine/technical-alert", test_technical_alert);
  ADD ("/core/engine/score-writes-fhir", test_score_writes_fhir);
  ADD ("/core/engine/under-16-no-flag", test_under_16_no_flag);
  ADD ("/core/engine/birth-date-learned-closes-flag", test_birth_date_learned_closes_flag);
  ADD ("/core/engine/birth-date-kept-and-age-at-window-end",
       test_birth_date_kept_and_age_at_window_end);
  g_test_add ("/core/engine/vitals-observations", Fixture, "vitals", fixture_set_up,
              test_vitals_observations, fixture_tear_down);
  g_test_add ("/core/engine/fhir-references-local", Fixture, "vitals", fixture_set_up,
              test_fhir_references_local, fixture_tear_down);
#undef ADD
  g_test_add_func ("/core/engine/flag-opens-at-data-time", test_flag_opens_at_data_time);
  g_test_add_func ("/core/engine/technical-alert-opens-at-data-time",
                   test_technical_alert_opens_at_data_time);
  g_test_add ("/core/engine/technical-alert-never-in-future", Fixture, NULL, fixture_set_up,
              test_technical_alert_never_in_future, fixture_tear_down);

  return g_test_run ();
}
