/* test-care-share.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-care.h"
#include "ward-care-share.h"
#include "ward-fhir-resources.h"
#include "ward-store-private.h"
#include "ward-test-station.h"

/* The care team's rules for sharing between stations: two stations,
 * each with its own database (and so its own installation id), that see
 * the same flag name its tasks alike; a Task written by one applies to
 * the other's task; and the merge rules decide races as the ward needs
 * (the first accept wins, a closed task stays closed).
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define MINUTE WARD_USEC_PER_MINUTE

static gint64
first_task (WardTestStation *s)
{
  g_autoptr(GError) error = NULL;
  gint64 id = _ward_store_query_int (s->store, "SELECT min(id) FROM care_tasks", &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static char *
task_fhir_id (WardTestStation *s,
              gint64   task_id,
              char   **part_of)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *installation = NULL;
  char *id = NULL;

  installation = ward_store_get_installation_id (s->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (installation);
  g_assert_true (ward_care_share_task_ids (s->store, installation, task_id, &id, part_of, &error));
  g_assert_no_error (error);
  return id;
}

/* The Task resource a station put in its store for the task. */
static JsonObject *
task_resource (WardTestStation    *s,
               const char *fhir_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ward_store_get_resource (s->store, "Task", fhir_id, NULL, &error);
  g_autoptr(JsonNode) node = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (json);
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* Two stations, two installation ids, one flag: one Task id, and the
 * escalation's id is the same on both too, partOf the first.
 */
static void
test_ids_follow_the_flag (void)
{
  WardTestStation a = { 0 }, b = { 0 };
  g_autofree char *a_id = NULL;
  g_autofree char *b_id = NULL;
  g_autofree char *a_parent = NULL;
  g_autofree char *a_esc = NULL;
  g_autofree char *b_esc = NULL;
  g_autofree char *a_esc_parent = NULL;
  g_autofree char *b_esc_parent = NULL;
  g_autofree char *flag = NULL;
  g_autofree char *a_install = NULL;
  g_autofree char *b_install = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) resource = NULL;
  gint64 a_first, b_first, a_second, b_second;

  ward_test_station_open (&a, "nurse-station");
  ward_test_station_open (&b, "doctors-office");
  a_install = ward_store_get_installation_id (a.store, &error);
  b_install = ward_store_get_installation_id (b.store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a_install, !=, b_install);

  ward_test_station_open_flag (&a, T0 + MINUTE);
  ward_test_station_open_flag (&b, T0 + MINUTE);
  ward_test_station_tick (&a, T0 + 2 * MINUTE);
  ward_test_station_tick (&b, T0 + 2 * MINUTE);

  a_first = first_task (&a);
  b_first = first_task (&b);
  a_id = task_fhir_id (&a, a_first, &a_parent);
  b_id = task_fhir_id (&b, b_first, NULL);
  g_assert_cmpstr (a_id, ==, b_id);
  g_assert_null (a_parent);
  g_assert_true (ward_fhir_id_is_valid (a_id));

  /* The resource in the outbox has that id, and its focus the Flag. */
  resource = task_resource (&a, a_id);
  flag = ward_fhir_flag_id ("p1", T0 + MINUTE);
  g_assert_cmpstr (json_object_get_string_member (resource, "id"), ==, a_id);
  g_assert_true (strstr (json_object_get_string_member (json_object_get_object_member (resource, "focus"),
                                                        "reference"), flag) != NULL);

  /* Nobody accepts: both stations escalate, to the same resource. */
  ward_test_station_tick (&a, T0 + 120 * MINUTE);
  ward_test_station_tick (&b, T0 + 120 * MINUTE);
  a_second = _ward_store_query_int (a.store, "SELECT max(id) FROM care_tasks WHERE part_of IS NOT NULL", &error);
  b_second = _ward_store_query_int (b.store, "SELECT max(id) FROM care_tasks WHERE part_of IS NOT NULL", &error);
  g_assert_no_error (error);
  g_assert_cmpint (a_second, >, 0);
  g_assert_cmpint (b_second, >, 0);
  a_esc = task_fhir_id (&a, a_second, &a_esc_parent);
  b_esc = task_fhir_id (&b, b_second, &b_esc_parent);
  g_assert_cmpstr (a_esc, ==, b_esc);
  g_assert_cmpstr (a_esc, !=, a_id);
  g_assert_cmpstr (a_esc_parent, ==, a_id);
  g_assert_cmpstr (b_esc_parent, ==, b_id);

  ward_test_station_close (&a);
  ward_test_station_close (&b);
}

/* An accept and then a completion on one station, applied on the other
 * from the Task resource alone.
 */
static void
test_apply_from_another_station (void)
{
  WardTestStation a = { 0 }, b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *b_install = NULL;
  g_autoptr(WardTask) seen = NULL;
  gint64 a_task, b_task, applied = -1;

  ward_test_station_open (&a, "nurse-station");
  ward_test_station_open (&b, "doctors-office");
  ward_test_station_open_flag (&a, T0);
  ward_test_station_open_flag (&b, T0);
  ward_test_station_tick (&a, T0 + MINUTE);
  ward_test_station_tick (&b, T0 + MINUTE);
  a_task = first_task (&a);
  b_task = first_task (&b);
  id = task_fhir_id (&a, a_task, NULL);
  b_install = ward_store_get_installation_id (b.store, &error);
  g_assert_no_error (error);

  g_assert_true (ward_engine_begin (a.engine, &error));
  g_assert_true (ward_care_accept (a.care, a_task, "dev.patel", "nurse-station", T0 + 2 * MINUTE, &error));
  g_assert_true (ward_engine_commit (a.engine, &error));
  g_assert_no_error (error);

  {
    g_autoptr(JsonObject) resource = task_resource (&a, id);

    g_assert_true (ward_care_share_apply_task (b.store, b_install, resource, &applied, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (applied, ==, b_task);
  seen = ward_store_get_task (b.store, b_task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seen->status, ==, WARD_TASK_ACCEPTED);
  g_assert_cmpstr (seen->accepted_by, ==, "dev.patel");
  g_assert_cmpint (seen->accepted_at, ==, T0 + 2 * MINUTE);
  g_clear_pointer (&seen, ward_task_free);

  g_assert_true (ward_engine_begin (a.engine, &error));
  g_assert_true (ward_care_complete (a.care, a_task, WARD_OUTCOME_TREATMENT_STARTED, "Fluids started",
                                     "dev.patel", "nurse-station", T0 + 9 * MINUTE, &error));
  g_assert_true (ward_engine_commit (a.engine, &error));
  g_assert_no_error (error);
  {
    g_autoptr(JsonObject) resource = task_resource (&a, id);

    g_assert_true (ward_care_share_apply_task (b.store, b_install, resource, &applied, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (applied, ==, b_task);
  seen = ward_store_get_task (b.store, b_task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seen->status, ==, WARD_TASK_COMPLETED);
  g_assert_true (seen->has_outcome);
  g_assert_cmpint (seen->outcome, ==, WARD_OUTCOME_TREATMENT_STARTED);
  g_assert_cmpstr (seen->note, ==, "Fluids started");
  g_assert_cmpint (seen->closed_at, ==, T0 + 9 * MINUTE);

  /* Closed here now: a later copy finds no open task to change. */
  {
    g_autoptr(JsonObject) resource = task_resource (&a, id);

    g_assert_true (ward_care_share_apply_task (b.store, b_install, resource, &applied, &error));
    g_assert_no_error (error);
    g_assert_cmpint (applied, ==, 0);
  }

  ward_test_station_close (&a);
  ward_test_station_close (&b);
}

static JsonObject *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

#define OWNER(who) "\"owner\": {\"identifier\": {\"system\": \"https://wardwatch.github.io/fhir/sid/staff-id\", \"value\": \"" who "\"}}"
#define SOURCE(station) "\"meta\": {\"versionId\": \"2\", \"source\": \"urn:wardwatch:station:" station "#w1\"}"

static void
test_merge_rules (void)
{
  g_autoptr(JsonObject) requested = parse ("{\"resourceType\": \"Task\", \"id\": \"t\", \"status\": \"requested\", \"priority\": \"urgent\"}");
  g_autoptr(JsonObject) mine = parse ("{\"resourceType\": \"Task\", \"id\": \"t\", \"status\": \"accepted\", \"priority\": \"urgent\", " OWNER ("chloe.martin") "}");
  g_autoptr(JsonObject) theirs = parse ("{\"resourceType\": \"Task\", \"id\": \"t\", \"status\": \"accepted\", \"priority\": \"urgent\", " OWNER ("dev.patel") ", " SOURCE ("doctors-office") "}");
  g_autoptr(JsonObject) done = parse ("{\"resourceType\": \"Task\", \"id\": \"t\", \"status\": \"completed\", \"priority\": \"urgent\", " OWNER ("dev.patel") ", " SOURCE ("doctors-office") "}");
  g_autoptr(JsonObject) odd = parse ("{\"resourceType\": \"Task\", \"id\": \"t\", \"status\": \"on-hold\"}");
  JsonObject *merged = NULL;
  char *notice = NULL;

  /* Two accepts: the server's (the first) wins, the second is told. */
  g_assert_cmpint (ward_care_share_merge_task (mine, theirs, &merged, &notice), ==, WARD_FHIR_MERGE_TAKE_SERVER);
  g_assert_null (merged);
  g_assert_cmpstr (notice, ==, "Already accepted by dev.patel at doctors-office");
  g_clear_pointer (&notice, g_free);

  /* The same person's accept twice (two desks): nothing to refuse. */
  g_assert_cmpint (ward_care_share_merge_task (theirs, theirs, &merged, &notice), ==, WARD_FHIR_MERGE_WRITE);
  g_assert_nonnull (merged);
  g_assert_null (notice);
  g_clear_pointer (&merged, json_object_unref);

  /* An accept on a task the server still has requested (its priority
   * changed, say): written on the server's version.
   */
  g_assert_cmpint (ward_care_share_merge_task (mine, requested, &merged, &notice), ==, WARD_FHIR_MERGE_WRITE);
  g_assert_cmpstr (json_object_get_string_member (merged, "status"), ==, "accepted");
  g_assert_true (merged != mine);
  g_clear_pointer (&merged, json_object_unref);

  /* A closed task stays closed, and whoever acted on it is told. */
  g_assert_cmpint (ward_care_share_merge_task (mine, done, &merged, &notice), ==, WARD_FHIR_MERGE_TAKE_SERVER);
  g_assert_cmpstr (notice, ==, "Already completed by dev.patel at doctors-office");
  g_clear_pointer (&notice, g_free);

  /* A task made again by a station that had not seen the accept. */
  g_assert_cmpint (ward_care_share_merge_task (requested, theirs, &merged, &notice), ==, WARD_FHIR_MERGE_TAKE_SERVER);
  g_assert_null (notice);

  /* The same task made by two stations: the first stands, nobody is
   * told; one reassigned meanwhile is written.
   */
  {
    g_autoptr(JsonObject) made_here = parse ("{\"resourceType\": \"Task\", \"id\": \"t\", \"status\": \"requested\", \"priority\": \"urgent\", \"authoredOn\": \"2027-01-15T08:03:01Z\"}");
    g_autoptr(JsonObject) made_there = parse ("{\"resourceType\": \"Task\", \"id\": \"t\", \"status\": \"requested\", \"priority\": \"urgent\", \"authoredOn\": \"2027-01-15T08:03:00Z\", " SOURCE ("doctors-office") "}");
    g_autoptr(JsonObject) reassigned = parse ("{\"resourceType\": \"Task\", \"id\": \"t\", \"status\": \"requested\", \"priority\": \"urgent\", " OWNER ("dev.patel") "}");

    g_assert_cmpint (ward_care_share_merge_task (made_here, made_there, &merged, &notice), ==,
                     WARD_FHIR_MERGE_TAKE_SERVER);
    g_assert_null (merged);
    g_assert_null (notice);
    g_assert_cmpint (ward_care_share_merge_task (reassigned, made_there, &merged, &notice), ==,
                     WARD_FHIR_MERGE_WRITE);
    g_assert_nonnull (merged);
    g_assert_null (notice);
    g_clear_pointer (&merged, json_object_unref);
  }

  /* A status Wardwatch does not use is never overwritten. */
  g_assert_cmpint (ward_care_share_merge_task (mine, odd, &merged, &notice), ==, WARD_FHIR_MERGE_TAKE_SERVER);
  g_assert_nonnull (notice);
  g_clear_pointer (&notice, g_free);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/care-share/ids-follow-the-flag", test_ids_follow_the_flag);
  g_test_add_func ("/care-share/apply-from-another-station", test_apply_from_another_station);
  g_test_add_func ("/care-share/merge-rules", test_merge_rules);

  return g_test_run ();
}
