/* ward-test-ward.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-ward.h"

#include <string.h>

void
ward_test_ingest_vitals (WardEngine *engine,
                         const char *device,
                         gint64      at,
                         const char *values)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = ward_time_format_iso8601 (at);
  g_autofree char *msg = NULL;
  static guint serial;

  msg = g_strdup_printf ("{\"deviceId\":\"%s\",\"messageId\":\"m-%u\",\"kind\":\"vitals\","
                         "\"measuredAt\":\"%s\",%s}", device, ++serial, iso, values);
  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_ingest (engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), at, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (engine, at, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
}

void
ward_test_nurse (WardEngine   *engine,
                 const char   *patient,
                 WardMeasKind  kind,
                 double        value,
                 gint64        at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_nurse_entry (engine, patient, kind, value, at, "Nurse Kim", &error));
  g_assert_true (ward_engine_evaluate (engine, at, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
}

void
ward_test_make_scored_ward (WardEngine *engine,
                            gint64      from)
{
  ward_test_nurse (engine, "p1", WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT, from);
  ward_test_nurse (engine, "p1", WARD_MEAS_ON_OXYGEN, 0, from);
  ward_test_nurse (engine, "p2", WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT, from);
  ward_test_nurse (engine, "p2", WARD_MEAS_ON_OXYGEN, 1, from);
  for (int i = 0; i < 6; i++)
    {
      gint64 at = from + 10 * WARD_USEC_PER_SEC + i * WARD_USEC_PER_MINUTE;

      ward_test_ingest_vitals (engine, "mon-1", at, "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97,"
                               "\"systolic\":125,\"temperature\":36.8");
      ward_test_ingest_vitals (engine, "mon-2", at, "\"heartRate\":135,\"respiratoryRate\":27,\"spo2\":89,"
                               "\"systolic\":88,\"temperature\":39.4");
    }
}

gint64
ward_test_n_pending (WardStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ward_store_outbox_get_n_pending (store, &error);

  g_assert_no_error (error);
  return n;
}
