/* test-engine-restart.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the engine knew survives a restart (a kill -9): a new engine on
 * the same store reads back the newest values, the nurse's values and
 * the open flag, through the engine on a controlled clock.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-test-store.h"

/* 2027-01-15T08:00:00Z: on a 5-minute window boundary. */
#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE
#define HOUR WARD_USEC_PER_HOUR

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
} Fixture;

/* Opens the store and an engine with the ward registered; with restore,
 * reads back what the store holds at now, as the pipeline does at start.
 */
static void
start_engine (Fixture  *f,
              gboolean  restore,
              gint64    now)
{
  g_autoptr(GError) error = NULL;

  f->store = ward_test_store_open (f->path);
  f->engine = ward_test_engine_new (f->store, NULL, 1, NULL, NULL);
  if (restore)
    g_assert_true (ward_engine_restore (f->engine, now, &error));
  g_assert_no_error (error);
}

/* Drops the engine without any orderly stop, as a kill leaves it. */
static void
restart (Fixture *f,
         gint64   now)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  start_engine (f, TRUE, now);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->path = ward_test_db_new ("ward-restart", &f->dir);
  start_engine (f, TRUE, T0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

static void
ingest_at (Fixture    *f,
           gint64      at,
           const char *values)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = ward_time_format_iso8601 (at);
  g_autofree char *msg = NULL;
  static guint serial;

  msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"restart-%u\",\"kind\":\"vitals\","
                         "\"measuredAt\":\"%s\",%s}", ++serial, iso, values);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), at, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, at, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static void
nurse (Fixture      *f,
       WardMeasKind  kind,
       double        value,
       gint64        at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_nurse_entry (f->engine, "p1", kind, value, at, "Nurse Kim", &error));
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

static void
test_values_restored (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  const WardBedState *bed;

  /* The nurse's round: ACVPU, air, and a respiration rate of 25 (3). */
  nurse (f, WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT, T0);
  nurse (f, WARD_MEAS_ON_OXYGEN, 0, T0);
  nurse (f, WARD_MEAS_RR, 25, T0);
  /* The monitor says 16 a minute later: the nurse's count comes first. */
  ingest_at (f, T0 + MINUTE, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97");

  restart (f, T0 + 10 * MINUTE);
  ingest_at (f, T0 + 10 * MINUTE, "\"heartRate\":75");

  snap = ward_engine_snapshot (f->engine, T0 + 10 * MINUTE);
  bed = ward_snapshot_get_bed (snap, 0);
  g_assert_true (bed->has_score);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_CONSCIOUSNESS], ==, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_AIR_OR_OXYGEN], ==, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_SPO2], ==, 0);
  g_assert_cmpint (bed->score_points[WARD_NEWS2_RR], ==, 3);
  g_assert_true (bed->nurse_latest[WARD_MEAS_RR].valid);
  g_assert_cmpfloat (bed->nurse_latest[WARD_MEAS_RR].value, ==, 25);
  g_assert_cmpstr (bed->nurse_latest[WARD_MEAS_RR].entered_by, ==, "Nurse Kim");
  g_assert_cmpint (bed->latest[WARD_MEAS_CONSCIOUSNESS].source, ==, WARD_SOURCE_NURSE);
}

static void
test_old_values_not_restored (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  const WardBedState *bed;

  nurse (f, WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT, T0);
  ingest_at (f, T0 + MINUTE, "\"heartRate\":72");
  nurse (f, WARD_MEAS_ON_OXYGEN, 1, T0 + 2 * HOUR);

  /* Thirteen hours on: what is past the longest validity (12 h) does not
   * come back; oxygen started 11 hours ago does.
   */
  restart (f, T0 + 13 * HOUR);
  snap = ward_engine_snapshot (f->engine, T0 + 13 * HOUR);
  bed = ward_snapshot_get_bed (snap, 0);
  g_assert_false (bed->latest[WARD_MEAS_CONSCIOUSNESS].valid);
  g_assert_false (bed->nurse_latest[WARD_MEAS_CONSCIOUSNESS].valid);
  g_assert_false (bed->latest[WARD_MEAS_HR].valid);
  g_assert_true (bed->nurse_latest[WARD_MEAS_ON_OXYGEN].valid);
  g_assert_cmpint (bed->nurse_latest[WARD_MEAS_ON_OXYGEN].observed_at, ==, T0 + 2 * HOUR);
}

static void
test_open_flag_continues (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(WardSnapshot) snap = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t = T0;
  gint64 flag_id;

  nurse (f, WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT, t);
  nurse (f, WARD_MEAS_ON_OXYGEN, 0, t);
  /* NEWS2 7 (HR 3, RR 2, SpO2 2) for 5 minutes opens a flag. */
  for (; t < T0 + 5 * MINUTE; t += 5 * SEC)
    ingest_at (f, t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical' "
                             "AND closed_at IS NULL"), ==, 1);
  flag_id = query (f, "SELECT id FROM flags WHERE kind = 'clinical'");

  restart (f, t);
  for (; t < T0 + 10 * MINUTE; t += 5 * SEC)
    ingest_at (f, t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");

  /* Still the one flag, under its old id. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical'"), ==, 1);
  snap = ward_engine_snapshot (f->engine, t);
  g_assert_cmpint (ward_snapshot_get_bed (snap, 0)->flag_state, ==, WARD_FLAG_STATE_OPEN);
  g_assert_cmpint (ward_snapshot_get_bed (snap, 0)->flag_id, ==, flag_id);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_acknowledge (f->engine, flag_id, t, "Nurse Kim", &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  g_clear_pointer (&snap, ward_snapshot_unref);
  snap = ward_engine_snapshot (f->engine, t);
  g_assert_cmpstr (ward_snapshot_get_bed (snap, 0)->flag_acknowledged_by, ==, "Nurse Kim");

  /* Recovery closes it as usual. */
  for (; t < T0 + 25 * MINUTE; t += 5 * SEC)
    ingest_at (f, t, "\"heartRate\":75,\"respiratoryRate\":16,\"spo2\":97");
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM flags WHERE kind = 'clinical' "
                             "AND closed_at IS NOT NULL AND acknowledged_by = 'Nurse Kim'"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine-restart/values", Fixture, NULL, fixture_set_up,
              test_values_restored, fixture_tear_down);
  g_test_add ("/engine-restart/old-values", Fixture, NULL, fixture_set_up,
              test_old_values_not_restored, fixture_tear_down);
  g_test_add ("/engine-restart/open-flag", Fixture, NULL, fixture_set_up,
              test_open_flag_continues, fixture_tear_down);

  return g_test_run ();
}
