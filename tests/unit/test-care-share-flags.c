/* test-care-share-flags.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-care.h"
#include "ward-care-fhir.h"
#include "ward-care-share.h"
#include "ward-care-share-flags.h"
#include "ward-fhir-resources.h"
#include "ward-store-private.h"
#include "ward-test-station.h"

/* Flags and Communications between stations, without a server: the
 * merge rule of a Flag field by field (closed stays closed, a person's
 * acknowledgement is kept, the higher band wins, the rest is the first
 * writer's), an acknowledgement from another station acknowledges the
 * flag here, and a flag's notification made by both stations is one
 * Communication, recorded once.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define MINUTE WARD_USEC_PER_MINUTE

/* One station's Flag for the episode of p1 opened at T0. */
static JsonObject *
make_flag (const char *device,
           WardBand    band,
           gint64      closed_at,
           const char *acknowledged_by,
           gint64      acknowledged_at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  WardFhirFlagInput input = {
    .patient_id = "p1",
    .device_id = device,
    .opened_at = T0,
    .closed_at = closed_at,
    .band = band,
    .assessment_window_end = T0 + (gint64) band * MINUTE,
    .acknowledged_by = acknowledged_by,
    .acknowledged_at = acknowledged_at,
  };

  node = ward_fhir_flag (&input, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

/* The server's copy: as written, with meta added. */
static JsonObject *
on_server (JsonObject *flag,
           const char *version)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), flag);
  g_autoptr(JsonNode) copy = json_node_copy (node);
  JsonObject *object = json_object_ref (json_node_get_object (copy));
  JsonObject *meta = json_object_new ();

  json_object_set_string_member (meta, "versionId", version);
  json_object_set_string_member (meta, "lastUpdated", "2027-01-15T08:00:00.000Z");
  json_object_set_object_member (object, "meta", meta);
  return object;
}

static const char *
author_of (JsonObject *flag)
{
  return json_object_get_string_member (json_object_get_object_member (flag, "author"), "reference");
}

static void
test_merge_rules (void)
{
  WardFhirMergeResult result;
  const char *by = NULL;
  gint64 at = 0;

  /* Closed on the server, a stale active copy here: no reopening. */
  {
    g_autoptr(JsonObject) server_flag = make_flag ("dev-a", WARD_BAND_HIGH, T0 + 5 * MINUTE, NULL, 0);
    g_autoptr(JsonObject) server = on_server (server_flag, "2");
    g_autoptr(JsonObject) local = make_flag ("dev-b", WARD_BAND_HIGH, 0, NULL, 0);
    g_autoptr(JsonObject) merged = NULL;

    result = ward_care_share_merge_flag (local, server, &merged);
    g_assert_cmpint (result, ==, WARD_FHIR_MERGE_TAKE_SERVER);
    g_assert_null (merged);
  }

  /* Closed here, active and acknowledged there: closed, the
   * acknowledgement and the first writer's author kept.
   */
  {
    g_autoptr(JsonObject) server_flag = make_flag ("dev-a", WARD_BAND_HIGH, 0, "kim", T0 + MINUTE);
    g_autoptr(JsonObject) server = on_server (server_flag, "3");
    g_autoptr(JsonObject) local = make_flag ("dev-b", WARD_BAND_HIGH, T0 + 7 * MINUTE, NULL, 0);
    g_autoptr(JsonObject) merged = NULL;

    result = ward_care_share_merge_flag (local, server, &merged);
    g_assert_cmpint (result, ==, WARD_FHIR_MERGE_WRITE);
    g_assert_cmpstr (json_object_get_string_member (merged, "status"), ==, "inactive");
    g_assert_true (json_object_has_member (json_object_get_object_member (merged, "period"), "end"));
    g_assert_true (ward_care_share_flag_acknowledgement (merged, &by, &at));
    g_assert_cmpstr (by, ==, "kim");
    g_assert_cmpint (at, ==, T0 + MINUTE);
    g_assert_cmpstr (author_of (merged), ==, "Device/dev-a");
    g_assert_false (json_object_has_member (merged, "meta"));
  }

  /* Acknowledged on the server, the same flag otherwise: only the
   * author differs, nothing to write.
   */
  {
    g_autoptr(JsonObject) server_flag = make_flag ("dev-a", WARD_BAND_HIGH, 0, "kim", T0 + MINUTE);
    g_autoptr(JsonObject) server = on_server (server_flag, "2");
    g_autoptr(JsonObject) local = make_flag ("dev-b", WARD_BAND_HIGH, 0, NULL, 0);
    g_autoptr(JsonObject) merged = NULL;

    result = ward_care_share_merge_flag (local, server, &merged);
    g_assert_cmpint (result, ==, WARD_FHIR_MERGE_TAKE_SERVER);
  }

  /* Acknowledged here only: written, on the server's copy. */
  {
    g_autoptr(JsonObject) server_flag = make_flag ("dev-a", WARD_BAND_HIGH, 0, NULL, 0);
    g_autoptr(JsonObject) server = on_server (server_flag, "1");
    g_autoptr(JsonObject) local = make_flag ("dev-b", WARD_BAND_HIGH, 0, "lee", T0 + 2 * MINUTE);
    g_autoptr(JsonObject) merged = NULL;

    result = ward_care_share_merge_flag (local, server, &merged);
    g_assert_cmpint (result, ==, WARD_FHIR_MERGE_WRITE);
    g_assert_true (ward_care_share_flag_acknowledgement (merged, &by, &at));
    g_assert_cmpstr (by, ==, "lee");
    g_assert_cmpstr (json_object_get_string_member (merged, "status"), ==, "active");
  }

  /* Acknowledged on both: the earlier stands, from either side. */
  {
    g_autoptr(JsonObject) server_flag = make_flag ("dev-a", WARD_BAND_HIGH, 0, "kim", T0 + 3 * MINUTE);
    g_autoptr(JsonObject) server = on_server (server_flag, "2");
    g_autoptr(JsonObject) local = make_flag ("dev-b", WARD_BAND_HIGH, 0, "lee", T0 + 2 * MINUTE);
    g_autoptr(JsonObject) merged = NULL;

    result = ward_care_share_merge_flag (local, server, &merged);
    g_assert_cmpint (result, ==, WARD_FHIR_MERGE_WRITE);
    g_assert_true (ward_care_share_flag_acknowledgement (merged, &by, &at));
    g_assert_cmpstr (by, ==, "lee");
    g_assert_cmpint (at, ==, T0 + 2 * MINUTE);
  }
  {
    g_autoptr(JsonObject) server_flag = make_flag ("dev-a", WARD_BAND_HIGH, 0, "kim", T0 + MINUTE);
    g_autoptr(JsonObject) server = on_server (server_flag, "2");
    g_autoptr(JsonObject) local = make_flag ("dev-b", WARD_BAND_HIGH, 0, "lee", T0 + 2 * MINUTE);
    g_autoptr(JsonObject) merged = NULL;

    g_assert_cmpint (ward_care_share_merge_flag (local, server, &merged), ==, WARD_FHIR_MERGE_TAKE_SERVER);
  }

  /* The band rose here: the higher band and its assessment go up. */
  {
    g_autoptr(JsonObject) server_flag = make_flag ("dev-a", WARD_BAND_MEDIUM, 0, "kim", T0 + MINUTE);
    g_autoptr(JsonObject) server = on_server (server_flag, "2");
    g_autoptr(JsonObject) local = make_flag ("dev-b", WARD_BAND_HIGH, 0, NULL, 0);
    g_autoptr(JsonObject) merged = NULL;
    g_autoptr(JsonObject) expected = make_flag ("dev-a", WARD_BAND_HIGH, 0, "kim", T0 + MINUTE);
    g_autoptr(JsonNode) a = NULL;

    result = ward_care_share_merge_flag (local, server, &merged);
    g_assert_cmpint (result, ==, WARD_FHIR_MERGE_WRITE);
    /* Extensions in another order, the same content otherwise. */
    g_assert_true (ward_care_share_flag_acknowledgement (merged, &by, &at));
    g_assert_cmpstr (by, ==, "kim");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (merged, "extension")), ==, 3);
    a = json_node_init_object (json_node_alloc (), merged);
    {
      g_autofree char *text = json_to_string (a, FALSE);

      g_assert_nonnull (strstr (text, "\"PH\""));
      g_assert_null (strstr (text, "\"PM\""));
    }
    /* A lower band here changes nothing. */
    {
      g_autoptr(JsonObject) server_high = on_server (expected, "3");
      g_autoptr(JsonObject) local_medium = make_flag ("dev-b", WARD_BAND_MEDIUM, 0, "kim", T0 + MINUTE);
      g_autoptr(JsonObject) none = NULL;

      g_assert_cmpint (ward_care_share_merge_flag (local_medium, server_high, &none), ==,
                       WARD_FHIR_MERGE_TAKE_SERVER);
    }
  }
}

/* Another station's acknowledgement acknowledges the flag here, once. */
static void
test_acknowledgement_applied (void)
{
  WardTestStation s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) flag = NULL;
  gint64 local_flag;
  gint64 changed = -1;

  ward_test_station_open (&s, "doctors-office");
  local_flag = ward_test_station_open_flag (&s, T0);

  /* A Flag of another episode changes nothing. */
  {
    g_autoptr(JsonObject) other = NULL;
    WardFhirFlagInput input = {
      .patient_id = "p1", .device_id = "dev-a", .opened_at = T0 + MINUTE, .band = WARD_BAND_HIGH,
      .assessment_window_end = T0 + MINUTE, .acknowledged_by = "kim", .acknowledged_at = T0 + 2 * MINUTE,
    };
    g_autoptr(JsonNode) node = ward_fhir_flag (&input, &error);

    g_assert_no_error (error);
    other = json_object_ref (json_node_get_object (node));
    g_assert_true (ward_engine_begin (s.engine, &error));
    g_assert_true (ward_care_share_apply_flag (s.engine, other, "nurse-station", &changed, &error));
    g_assert_true (ward_engine_commit (s.engine, &error));
    g_assert_no_error (error);
    g_assert_cmpint (changed, ==, 0);
  }

  flag = make_flag ("dev-a", WARD_BAND_HIGH, 0, "kim", T0 + 2 * MINUTE);
  g_assert_true (ward_engine_begin (s.engine, &error));
  g_assert_true (ward_care_share_apply_flag (s.engine, flag, "nurse-station", &changed, &error));
  g_assert_true (ward_engine_commit (s.engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, local_flag);
  g_assert_cmpint (_ward_store_query_int (s.store, "SELECT count(*) FROM flags WHERE acknowledged_by = 'kim' "
                                                   "AND acknowledged_at = 1800000120000000", &error), ==, 1);

  /* The same copy again (a poll's overlap): acknowledged once. */
  g_assert_true (ward_engine_begin (s.engine, &error));
  g_assert_true (ward_care_share_apply_flag (s.engine, flag, "nurse-station", &changed, &error));
  g_assert_true (ward_engine_commit (s.engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (changed, ==, 0);
  /* Recorded as made elsewhere, naming the station: not an
   * acknowledgement here that would accept this station's task.
   */
  g_assert_cmpint (_ward_store_query_int (s.store, "SELECT count(*) FROM events WHERE "
                                          "kind = 'acknowledge-shared' AND actor = 'kim' "
                                          "AND detail LIKE '%nurse-station%'", &error), ==, 1);
  g_assert_cmpint (_ward_store_query_int (s.store, "SELECT count(*) FROM events WHERE kind = 'acknowledge'",
                                          &error), ==, 0);

  ward_test_station_close (&s);
}

/* The Communication resource of a station's notification of its task. */
static JsonObject *
notification_resource (WardTestStation *s)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *installation = ward_store_get_installation_id (s->store, &error);
  g_autofree char *task_id = NULL;
  g_autofree char *comm_id = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 task = _ward_store_query_int (s->store, "SELECT min(id) FROM care_tasks", &error);

  g_assert_no_error (error);
  g_assert_true (ward_care_share_task_ids (s->store, installation, task, &task_id, NULL, &error));
  comm_id = ward_care_share_communication_id (task_id, "notification");
  g_assert_nonnull (comm_id);
  json = ward_store_get_resource (s->store, "Communication", comm_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json);
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static void
test_communication_once (void)
{
  WardTestStation a = { 0 }, b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) from_a = NULL;
  g_autoptr(JsonObject) from_b = NULL;
  g_autofree char *b_install = NULL;
  gboolean inserted = TRUE;

  ward_test_station_open (&a, "nurse-station");
  ward_test_station_open (&b, "doctors-office");
  ward_test_station_open_flag (&a, T0);
  ward_test_station_open_flag (&b, T0);
  ward_test_station_tick (&a, T0 + MINUTE);
  ward_test_station_tick (&b, T0 + MINUTE);

  /* Both told the task's owner: one Communication id on both. */
  from_a = notification_resource (&a);
  from_b = notification_resource (&b);
  g_assert_cmpstr (json_object_get_string_member (from_a, "id"), ==,
                   json_object_get_string_member (from_b, "id"));
  g_assert_cmpint (_ward_store_query_int (b.store, "SELECT count(*) FROM care_communications", &error), ==, 1);

  /* The other station's copy of it is not recorded a second time. */
  b_install = ward_store_get_installation_id (b.store, &error);
  g_assert_true (ward_store_begin (b.store, &error));
  g_assert_true (ward_care_share_apply_communication (b.store, b_install, from_a, "nurse-station",
                                                      &inserted, &error));
  g_assert_true (ward_store_commit (b.store, &error));
  g_assert_no_error (error);
  g_assert_false (inserted);
  g_assert_cmpint (_ward_store_query_int (b.store, "SELECT count(*) FROM care_communications", &error), ==, 1);

  /* A message only the other station wrote (a concern, a handover note)
   * is recorded here, with its station, for the timeline.
   */
  {
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) parse_error = NULL;
    const char *json =
      "{\"resourceType\": \"Communication\", \"id\": \"ww-communication-x1\", \"status\": \"completed\","
      " \"category\": [{\"text\": \"handover\"}], \"subject\": {\"reference\": \"Patient/%s\"},"
      " \"sent\": \"2027-01-15T08:30:00Z\","
      " \"recipient\": [{\"identifier\": {\"system\": \"https://wardwatch.github.io/fhir/sid/staff-id\","
      " \"value\": \"lee\"}}],"
      " \"sender\": {\"identifier\": {\"system\": \"https://wardwatch.github.io/fhir/sid/staff-id\","
      " \"value\": \"kim\"}},"
      " \"payload\": [{\"contentString\": \"S: breathless\"}]}";

    g_autofree char *subject = NULL;
    g_autofree char *with_subject = NULL;

    /* In local identity the Patient's FHIR id is not the ward's id:
     * the message is filed under the patient the Patient names.
     */
    g_assert_true (ward_store_begin (b.store, &error));
    g_assert_true (ward_engine_ensure_fhir_patient (b.engine, "p1", T0, &subject, &error));
    g_assert_true (ward_store_commit (b.store, &error));
    g_assert_no_error (error);
    g_assert_nonnull (subject);
    {
      g_auto(GStrv) parts = g_strsplit (json, "%s", 2);

      with_subject = g_strjoinv (subject, parts);
    }
    node = json_from_string (with_subject, &parse_error);
    g_assert_no_error (parse_error);
    g_assert_true (ward_store_begin (b.store, &error));
    g_assert_true (ward_care_share_apply_communication (b.store, b_install, json_node_get_object (node),
                                                        "nurse-station", &inserted, &error));
    g_assert_true (ward_store_commit (b.store, &error));
    g_assert_no_error (error);
    g_assert_true (inserted);
    g_assert_cmpint (_ward_store_query_int (b.store, "SELECT count(*) FROM care_communications "
                                                     "WHERE kind = 'handover' AND patient_id = 'p1' "
                                                     "AND sender = 'kim' AND recipient_staff = 'lee' "
                                                     "AND station = 'nurse-station' "
                                                     "AND payload = 'S: breathless'", &error), ==, 1);
  }

  /* Not a care-team message: not for the timeline, and no error. */
  {
    g_autoptr(JsonNode) node = json_from_string ("{\"resourceType\": \"Communication\", \"id\": \"c9\","
                                                 " \"status\": \"completed\"}", NULL);

    g_assert_true (ward_store_begin (b.store, &error));
    g_assert_true (ward_care_share_apply_communication (b.store, b_install, json_node_get_object (node),
                                                        NULL, &inserted, &error));
    g_assert_true (ward_store_commit (b.store, &error));
    g_assert_no_error (error);
    g_assert_false (inserted);
  }

  ward_test_station_close (&a);
  ward_test_station_close (&b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/care-share-flags/merge-rules", test_merge_rules);
  g_test_add_func ("/care-share-flags/acknowledgement-applied", test_acknowledgement_applied);
  g_test_add_func ("/care-share-flags/communication-once", test_communication_once);

  return g_test_run ();
}
