/* test-care-inbound.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-care.h"
#include "ward-care-fhir.h"
#include "ward-care-inbound.h"
#include "ward-care-share.h"
#include "ward-care-share-flags.h"
#include "ward-fhir-model-flag.h"
#include "ward-fhir-resources.h"
#include "ward-staff.h"
#include "ward-store-care-inbound.h"
#include "ward-store-private.h"
#include "ward-store-staff-fhir.h"
#include "ward-test-scorer.h"
#include "ward-test-station.h"
#include "ward-test-store.h"

/* Cross-station inbound work (#16), with the resources one station
 * writes handed to the other as the sharing layer hands them, and a
 * controlled clock:
 *
 *  - a concern raised on one station becomes a task on the other, with
 *    its owner, state, priority and due time, keeps its Task id when it
 *    is accepted there, and a Task for a patient not on the ward is
 *    recorded and not applied;
 *  - an escalation made on one station is the other's too, and the
 *    other does not escalate the same task again;
 *  - another station's Task for a flag not open here yet is tied to the
 *    flag when it opens, with no second task;
 *  - a Flag closed on another station closes it here, and the same
 *    still-abnormal data raise no new flag until a new crossing;
 *  - a model flag's acknowledgement is on its FHIR Flag and is applied
 *    on the other station;
 *  - the tasks requested of someone taken off the roster are routed
 *    again at the next tick.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE
#define KIND "model:test"

#define HIGH "\"heartRate\":131,\"respiratoryRate\":26,\"spo2\":91"   /* NEWS2 high */
#define LOW "\"heartRate\":72,\"respiratoryRate\":16,\"spo2\":97"     /* NEWS2 0 */
#define MODEL_HIGH "\"heartRate\":118,\"respiratoryRate\":24,\"spo2\":93" /* test model 0.30 */

static gint64
query (WardStore  *store,
       const char *sql)
{
  return ward_test_query_int (store, sql);
}

static char *
installation_of (WardStore *store)
{
  g_autoptr(GError) error = NULL;
  char *id = ward_store_get_installation_id (store, &error);

  g_assert_no_error (error);
  return id;
}

/* The FHIR Task a station wrote for its task (alone: to its store). */
static JsonObject *
task_resource (WardTestStation *s,
               gint64           task_id,
               char           **fhir_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *installation = installation_of (s->store);
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_true (ward_care_share_task_ids (s->store, installation, task_id, &id, NULL, &error));
  g_assert_no_error (error);
  json = ward_store_get_resource (s->store, "Task", id, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json);
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  if (fhir_id != NULL)
    *fhir_id = g_steal_pointer (&id);
  return json_object_ref (json_node_get_object (node));
}

/* The FHIR Task id the station gives its task. */
static char *
task_fhir_id (WardTestStation *s,
              gint64           task_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *installation = installation_of (s->store);
  char *id = NULL;

  g_assert_true (ward_care_share_task_ids (s->store, installation, task_id, &id, NULL, &error));
  g_assert_no_error (error);
  return id;
}

/* Hands resource to the station as the sharing layer's Task apply does:
 * an open task of that id changes, else another station's Task is made
 * a task here.  Returns the local task, or 0.
 */
static gint64
apply_task (WardTestStation *s,
            JsonObject      *resource,
            const char      *from,
            gint64           now)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *installation = installation_of (s->store);
  gint64 task_id = 0;

  g_assert_true (ward_store_begin (s->store, &error));
  g_assert_true (ward_care_share_apply_task (s->store, installation, resource, &task_id, &error));
  if (task_id == 0)
    g_assert_true (ward_care_inbound_apply_task (s->care, resource, from, now, &task_id, &error));
  g_assert_true (ward_store_commit (s->store, &error));
  g_assert_no_error (error);
  return task_id;
}

static WardTask *
get_task (WardTestStation *s,
          gint64           id)
{
  g_autoptr(GError) error = NULL;
  WardTask *task = ward_store_get_task (s->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (task);
  return task;
}

static void
test_concern (void)
{
  WardTestStation doctor = { 0 };
  WardTestStation nurse = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) raised = NULL;
  g_autoptr(JsonObject) accepted = NULL;
  g_autoptr(WardTask) there = NULL;
  g_autoptr(WardTask) here = NULL;
  g_autofree char *fhir_id = NULL;
  g_autofree char *accepted_id = NULL;
  gint64 concern;
  gint64 local;

  ward_test_station_open (&doctor, "doctors-office");
  ward_test_station_open (&nurse, "nurse-station");

  g_assert_true (ward_engine_begin (doctor.engine, &error));
  concern = ward_care_raise_concern (doctor.care, "p1", "Confused since the morning round",
                                     "dev.patel", "doctors-office", T0, &error);
  g_assert_true (ward_engine_commit (doctor.engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (concern, >, 0);
  raised = task_resource (&doctor, concern, &fhir_id);
  there = get_task (&doctor, concern);

  /* On the nurse station: a task of the same owner, state, priority and
   * due time, from the doctors' office.
   */
  local = apply_task (&nurse, raised, "doctors-office", T0 + 2 * SEC);
  g_assert_cmpint (local, >, 0);
  here = get_task (&nurse, local);
  g_assert_cmpint (here->kind, ==, WARD_CARE_KIND_CONCERN);
  g_assert_cmpint (here->status, ==, WARD_TASK_REQUESTED);
  g_assert_cmpint (here->owner_role, ==, there->owner_role);
  g_assert_cmpint (here->priority, ==, there->priority);
  g_assert_cmpint (here->due_at, ==, there->due_at);
  g_assert_cmpint (here->requested_at, ==, T0);
  g_assert_cmpstr (here->requester, ==, "dev.patel");
  g_assert_cmpstr (here->note, ==, "Confused since the morning round");
  g_assert_cmpstr (here->bed_id, ==, "bed-01");
  g_assert_cmpstr (here->station, ==, "doctors-office");
  g_assert_cmpint (here->part_of, ==, 0);

  /* The same copy again (a poll's overlap): one task. */
  g_assert_cmpint (apply_task (&nurse, raised, "doctors-office", T0 + 5 * SEC), ==, local);
  g_assert_cmpint (query (nurse.store, "SELECT count(*) FROM care_tasks"), ==, 1);

  /* Accepted at the nurse station: written to the same Task id, which
   * the doctors' office applies to its own task.
   */
  g_assert_true (ward_engine_begin (nurse.engine, &error));
  g_assert_true (ward_care_accept (nurse.care, local, "eunji.park", "nurse-station", T0 + MINUTE,
                                   &error));
  g_assert_true (ward_engine_commit (nurse.engine, &error));
  g_assert_no_error (error);
  accepted = task_resource (&nurse, local, &accepted_id);
  g_assert_cmpstr (accepted_id, ==, fhir_id);
  g_assert_cmpstr (json_object_get_string_member (accepted, "status"), ==, "accepted");
  g_assert_cmpint (apply_task (&doctor, accepted, "nurse-station", T0 + MINUTE + SEC), ==, concern);
  g_clear_pointer (&there, ward_task_free);
  there = get_task (&doctor, concern);
  g_assert_cmpint (there->status, ==, WARD_TASK_ACCEPTED);
  g_assert_cmpstr (there->accepted_by, ==, "eunji.park");

  /* A Task for a patient who is in no bed here: recorded, not applied. */
  {
    g_autoptr(JsonObject) elsewhere = json_object_ref (raised);
    JsonObject *subject = json_object_new ();

    json_object_set_string_member (elsewhere, "id", "ww-task-from-ward-9");
    json_object_set_string_member (subject, "reference", "Patient/p-ward-9");
    json_object_set_object_member (elsewhere, "for", subject);
    g_assert_cmpint (apply_task (&nurse, elsewhere, "ward-9-desk", T0 + 2 * MINUTE), ==, 0);
    g_assert_cmpint (query (nurse.store, "SELECT count(*) FROM care_tasks"), ==, 1);
    g_assert_cmpint (query (nurse.store, "SELECT count(*) FROM care_tasks_inbound WHERE "
                                         "fhir_id = 'ww-task-from-ward-9' AND outcome = 'ignored' "
                                         "AND reason LIKE '%p-ward-9%' "
                                         "AND station = 'ward-9-desk'"), ==, 1);
  }

  /* A completed one nobody here saw: not made here. */
  {
    g_autoptr(JsonObject) done = json_object_ref (raised);

    json_object_set_string_member (done, "id", "ww-task-done-elsewhere");
    json_object_set_string_member (done, "status", "completed");
    g_assert_cmpint (apply_task (&nurse, done, "doctors-office", T0 + 3 * MINUTE), ==, 0);
    g_assert_cmpint (query (nurse.store, "SELECT count(*) FROM care_tasks"), ==, 1);
  }

  ward_test_station_close (&nurse);
  ward_test_station_close (&doctor);
}

static gint64
first_task (WardTestStation *s)
{
  return query (s->store, "SELECT coalesce(min(id), 0) FROM care_tasks");
}

static void
test_escalation_once (void)
{
  WardTestStation a = { 0 };
  WardTestStation b = { 0 };
  g_autoptr(JsonObject) escalation = NULL;
  g_autoptr(WardTask) root = NULL;
  g_autoptr(WardTask) up = NULL;
  g_autofree char *a_root_id = NULL;
  g_autofree char *b_root_id = NULL;
  g_autofree char *a_escalation_id = NULL;
  g_autofree char *b_escalation_id = NULL;
  gint64 due;
  gint64 local;

  ward_test_station_open (&a, "doctors-office");
  ward_test_station_open (&b, "nurse-station");
  ward_test_station_open_flag (&a, T0);
  ward_test_station_open_flag (&b, T0);
  ward_test_station_tick (&a, T0);
  ward_test_station_tick (&b, T0);
  a_root_id = task_fhir_id (&a, first_task (&a));
  b_root_id = task_fhir_id (&b, first_task (&b));
  g_assert_cmpstr (a_root_id, ==, b_root_id);

  /* The doctors' office escalates first (its clock is a little ahead). */
  root = get_task (&a, first_task (&a));
  due = root->due_at;
  ward_test_station_tick (&a, due);
  g_assert_cmpint (query (a.store, "SELECT count(*) FROM care_tasks"), ==, 2);
  escalation = task_resource (&a, query (a.store, "SELECT max(id) FROM care_tasks"),
                              &a_escalation_id);

  local = apply_task (&b, escalation, "doctors-office", due + SEC);
  g_assert_cmpint (local, >, 0);
  up = get_task (&b, local);
  g_assert_cmpint (up->part_of, ==, first_task (&b));
  g_assert_cmpint (up->status, ==, WARD_TASK_REQUESTED);
  g_assert_cmpint (up->flag_id, ==, query (b.store, "SELECT id FROM flags"));
  b_escalation_id = task_fhir_id (&b, local);
  g_assert_cmpstr (b_escalation_id, ==, a_escalation_id);

  /* The nurse station's own due time comes: no second escalation. */
  ward_test_station_tick (&b, due + MINUTE);
  g_assert_cmpint (query (b.store, "SELECT count(*) FROM care_tasks"), ==, 2);

  ward_test_station_close (&b);
  ward_test_station_close (&a);
}

static void
test_flag_adopted (void)
{
  WardTestStation a = { 0 };
  WardTestStation b = { 0 };
  g_autoptr(JsonObject) task = NULL;
  g_autofree char *fhir_id = NULL;
  g_autofree char *written_id = NULL;
  gint64 local;
  gint64 flag;

  ward_test_station_open (&a, "doctors-office");
  ward_test_station_open (&b, "nurse-station");
  ward_test_station_open_flag (&a, T0);
  ward_test_station_tick (&a, T0);
  task = task_resource (&a, first_task (&a), &fhir_id);

  /* The Task arrives before the nurse station's engine opened the flag. */
  local = apply_task (&b, task, "doctors-office", T0 + SEC);
  g_assert_cmpint (local, >, 0);
  g_assert_cmpint (query (b.store, "SELECT count(*) FROM care_tasks WHERE flag_id IS NULL"), ==, 1);

  /* Then it opens: the task is tied to it, and no second one is made. */
  flag = ward_test_station_open_flag (&b, T0);
  ward_test_station_tick (&b, T0 + 2 * SEC);
  g_assert_cmpint (query (b.store, "SELECT count(*) FROM care_tasks"), ==, 1);
  {
    g_autoptr(WardTask) here = get_task (&b, local);

    g_assert_cmpint (here->flag_id, ==, flag);
  }
  written_id = task_fhir_id (&b, local);
  g_assert_cmpstr (written_id, ==, fhir_id);

  ward_test_station_close (&b);
  ward_test_station_close (&a);
}

/* -- Flags closed elsewhere ----------------------------------------------- */

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
  WardCare   *care;
  gint64      now;
} Station;

static void
station_open (Station  *s,
              gboolean  model)
{
  WardEngineConfig config;

  ward_engine_config_init (&config);
  config.flags.open_delay_usec = 0;
  config.flags.close_delay_usec = 0;
  s->path = ward_test_db_new ("ward-care-inbound", &s->dir);
  s->store = ward_test_store_open (s->path);
  s->engine = ward_test_engine_new (s->store, &config, 1, NULL, NULL);
  s->care = ward_care_new (s->engine, NULL, "ward-7", "nurse-station");
  s->now = T0;
  if (model)
    {
      g_autoptr(WardTestScorer) scorer = ward_test_scorer_new (KIND);
      g_autoptr(GError) error = NULL;

      g_assert_true (ward_engine_add_scorer (s->engine, WARD_SCORER (scorer),
                                             WARD_SCORER_MODE_ACTIVE, &error));
      g_assert_true (ward_engine_set_model_flag_policy (s->engine, KIND, TRUE, 0.2, 0.05, &error));
      g_assert_no_error (error);
    }
}

static void
station_close (Station *s)
{
  g_clear_object (&s->care);
  g_clear_object (&s->engine);
  g_clear_object (&s->store);
  ward_test_db_remove (&s->dir, &s->path);
}

/* Monitor messages every 30 s for span, each in a tick of its own. */
static void
feed (Station    *s,
      gint64      span,
      const char *values)
{
  static guint serial;
  gint64 until = s->now + span;

  while (s->now < until)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *iso = NULL;
      g_autofree char *msg = NULL;

      s->now += 30 * SEC;
      iso = ward_time_format_iso8601 (s->now);
      msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"ci-%u\",\"kind\":\"vitals\","
                             "\"measuredAt\":\"%s\",%s}", ++serial, iso, values);
      g_assert_true (ward_engine_begin (s->engine, &error));
      g_assert_true (ward_engine_ingest (s->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                         strlen (msg), s->now, NULL, NULL, &error));
      g_assert_true (ward_engine_evaluate (s->engine, s->now, &error));
      g_assert_true (ward_care_tick (s->care, s->now, &error));
      g_assert_true (ward_engine_commit (s->engine, &error));
      g_assert_no_error (error);
    }
}

static gint64
open_flags (Station    *s,
            const char *kind)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM flags WHERE closed_at IS NULL "
                                          "AND kind = '%s'", kind);

  return query (s->store, sql);
}

static gint64
apply_flag (Station    *s,
            JsonObject *flag)
{
  g_autoptr(GError) error = NULL;
  gint64 changed = -1;

  g_assert_true (ward_engine_begin (s->engine, &error));
  g_assert_true (ward_care_share_apply_flag (s->engine, flag, "doctors-office", &changed, &error));
  g_assert_true (ward_engine_commit (s->engine, &error));
  g_assert_no_error (error);
  return changed;
}

static void
test_flag_closed_elsewhere (void)
{
  Station s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(WardSnapshot) snapshot = NULL;
  gint64 flag;
  gint64 opened_at;
  WardFhirFlagInput input = {
    .patient_id = "p1",
    .device_id = "another-station-device",
    .band = WARD_BAND_HIGH,
  };

  station_open (&s, FALSE);
  feed (&s, 2 * MINUTE, HIGH);
  g_assert_cmpint (open_flags (&s, "clinical"), ==, 1);
  flag = query (s.store, "SELECT id FROM flags WHERE closed_at IS NULL");
  opened_at = query (s.store, "SELECT opened_at FROM flags WHERE closed_at IS NULL");
  g_assert_cmpint (query (s.store, "SELECT count(*) FROM care_tasks WHERE status = 'requested'"),
                   ==, 1);

  /* Closed at the doctors' office (entered in error there). */
  input.opened_at = opened_at;
  input.closed_at = s.now;
  input.assessment_window_end = s.now;
  node = ward_fhir_flag (&input, &error);
  g_assert_no_error (error);
  json_object_set_string_member (json_node_get_object (node), "status", "entered-in-error");
  g_assert_cmpint (apply_flag (&s, json_node_get_object (node)), ==, flag);
  g_assert_cmpint (open_flags (&s, "clinical"), ==, 0);
  g_assert_cmpint (query (s.store, "SELECT count(*) FROM events WHERE kind = 'flag-closed' "
                                   "AND detail LIKE '%doctors-office%'"), ==, 1);
  /* Applied once: the same copy again changes nothing. */
  g_assert_cmpint (apply_flag (&s, json_node_get_object (node)), ==, 0);

  /* Off the board (and so the alarm bar); its requested task ends. */
  snapshot = ward_engine_snapshot (s.engine, s.now);
  g_assert_cmpint (ward_snapshot_get_bed (snapshot, 0)->flag_id, ==, 0);

  /* The same abnormal data go on: no new flag. */
  feed (&s, 10 * MINUTE, HIGH);
  g_assert_cmpint (open_flags (&s, "clinical"), ==, 0);
  g_assert_cmpint (query (s.store, "SELECT count(*) FROM care_tasks WHERE status IN "
                                   "('requested', 'accepted')"), ==, 0);
  g_assert_cmpint (query (s.store, "SELECT count(*) FROM care_tasks WHERE status = 'cancelled'"),
                   ==, 1);

  /* A new crossing (below the threshold, then above it again) does. */
  feed (&s, 2 * MINUTE, LOW);
  g_assert_cmpint (open_flags (&s, "clinical"), ==, 0);
  feed (&s, 2 * MINUTE, HIGH);
  g_assert_cmpint (open_flags (&s, "clinical"), ==, 1);
  g_assert_cmpint (query (s.store, "SELECT count(*) FROM flags"), ==, 2);

  station_close (&s);
}

#define update ward_flag_tracker_update_full

static void
test_tracker_hold (void)
{
  WardFlagPolicy policy;
  WardFlagTracker tracker = { 0 };
  WardBand band = WARD_BAND_LOW;

  ward_flag_policy_init (&policy);
  policy.open_delay_usec = 0;

  /* Held at medium: medium again raises nothing, a higher band does. */
  ward_flag_tracker_hold (&tracker, WARD_BAND_MEDIUM);
  g_assert_cmpint (update (&tracker, &policy, WARD_BAND_MEDIUM, FALSE, T0, &band), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (update (&tracker, &policy, WARD_BAND_MEDIUM, TRUE, T0, &band), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (update (&tracker, &policy, WARD_BAND_HIGH, FALSE, T0 + MINUTE, &band), ==,
                   WARD_FLAG_ACTION_OPEN);
  g_assert_cmpint (band, ==, WARD_BAND_HIGH);

  /* Held at high: only a fall below the threshold re-arms it. */
  ward_flag_tracker_hold (&tracker, WARD_BAND_HIGH);
  g_assert_cmpint (update (&tracker, &policy, WARD_BAND_HIGH, FALSE, T0 + 2 * MINUTE, &band), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (update (&tracker, &policy, WARD_BAND_LOW, FALSE, T0 + 3 * MINUTE, &band), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_false (tracker.held);
  g_assert_cmpint (update (&tracker, &policy, WARD_BAND_MEDIUM, FALSE, T0 + 4 * MINUTE, &band), ==,
                   WARD_FLAG_ACTION_OPEN);
}

/* -- Model flags ---------------------------------------------------------- */

static void
test_model_flag_acknowledged (void)
{
  Station a = { 0 };
  Station b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autofree char *json = NULL;
  g_autofree char *id = NULL;
  const WardBedState *bed;
  const char *by = NULL;
  gint64 at = 0;
  gint64 flag_a;
  gint64 flag_b;
  gint64 opened_at;

  station_open (&a, TRUE);
  station_open (&b, TRUE);
  feed (&a, 2 * MINUTE, MODEL_HIGH);
  feed (&b, 2 * MINUTE, MODEL_HIGH);
  g_assert_cmpint (open_flags (&a, "model"), ==, 1);
  g_assert_cmpint (open_flags (&b, "model"), ==, 1);
  flag_a = query (a.store, "SELECT id FROM flags WHERE kind = 'model'");
  flag_b = query (b.store, "SELECT id FROM flags WHERE kind = 'model'");

  /* Acknowledged on the first: on its FHIR Flag, as NEWS2's are. */
  g_assert_true (ward_engine_begin (a.engine, &error));
  g_assert_true (ward_engine_acknowledge (a.engine, flag_a, a.now + SEC, "eunji.park", &error));
  g_assert_true (ward_engine_commit (a.engine, &error));
  g_assert_no_error (error);
  opened_at = query (a.store, "SELECT opened_at FROM flags WHERE kind = 'model'");
  id = ward_fhir_model_flag_id ("p1", KIND, opened_at);
  json = ward_store_get_resource (a.store, "Flag", id, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json);
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  g_assert_true (ward_care_share_flag_acknowledgement (json_node_get_object (node), &by, &at));
  g_assert_cmpstr (by, ==, "eunji.park");
  g_assert_cmpint (at, ==, a.now + SEC);
  g_assert_nonnull (strstr (json, WARD_FHIR_EXTENSION_FLAG_ACKNOWLEDGEMENT));

  /* Shown acknowledged on the second: its store, and its board. */
  g_assert_cmpint (apply_flag (&b, json_node_get_object (node)), ==, flag_b);
  g_assert_cmpint (query (b.store, "SELECT count(*) FROM flags WHERE kind = 'model' "
                                   "AND acknowledged_by = 'eunji.park'"), ==, 1);
  snapshot = ward_engine_snapshot (b.engine, b.now);
  bed = ward_snapshot_get_bed (snapshot, 0);
  g_assert_nonnull (bed->model_flags);
  g_assert_cmpuint (bed->model_flags->len, ==, 1);
  g_assert_cmpstr (g_array_index (bed->model_flags, WardModelFlagView, 0).acknowledged_by, ==,
                   "eunji.park");

  station_close (&b);
  station_close (&a);
}

/* -- Staff taken off the roster ------------------------------------------- */

static WardStaff *
roster (gboolean with_ada)
{
  WardStaff *staff = ward_staff_new ();
  g_autoptr(GError) error = NULL;
  WardStaffMember ada = {
    .id = (char *) "ada", .name = (char *) "Ada Nwosu", .roles = WARD_STAFF_ROLE_BED_NURSE,
  };
  WardStaffMember ben = {
    .id = (char *) "ben", .name = (char *) "Ben Okafor", .roles = WARD_STAFF_ROLE_NURSE_IN_CHARGE,
  };

  if (with_ada)
    g_assert_true (ward_staff_add (staff, &ada, &error));
  g_assert_true (ward_staff_add (staff, &ben, &error));
  g_assert_no_error (error);
  return staff;
}

static void
save_roster (WardTestStation *s,
             gboolean         with_ada,
             gint64           at)
{
  g_autoptr(WardStaff) staff = roster (with_ada);
  g_autoptr(GError) error = NULL;

  /* One transaction of its own. */
  g_assert_true (ward_store_save_staff_roster (s->store, staff, at, &error));
  g_assert_no_error (error);
}

static gint64
n_rerouted (WardTestStation *s)
{
  return query (s->store, "SELECT count(*) FROM audit_log WHERE action = 'task-rerouted'");
}

static void
test_reroute_removed_staff (void)
{
  WardTestStation s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(WardTask) before = NULL;
  g_autoptr(WardTask) after = NULL;

  ward_test_station_open (&s, "nurse-station");
  save_roster (&s, TRUE, T0);
  g_assert_true (ward_engine_begin (s.engine, &error));
  g_assert_true (ward_care_allocate (s.care, "bed-01", "ada", "ben", "nurse-station", T0, &error));
  g_assert_true (ward_engine_commit (s.engine, &error));
  g_assert_no_error (error);
  ward_test_station_open_flag (&s, T0);
  ward_test_station_tick (&s, T0);
  before = get_task (&s, first_task (&s));
  g_assert_cmpstr (before->owner_staff, ==, "ada");

  /* Nothing changes while she is on the roster. */
  ward_test_station_tick (&s, T0 + MINUTE);
  g_assert_cmpint (n_rerouted (&s), ==, 0);

  /* Taken off the CareTeam: at the next tick, long before the task's due
   * time, it goes to the bed nurse's role (her allocation is no longer
   * routable), with a row in the trail and a message saying why.
   */
  save_roster (&s, FALSE, T0 + 2 * MINUTE);
  ward_test_station_tick (&s, T0 + 2 * MINUTE + SEC);
  after = get_task (&s, before->id);
  g_assert_null (after->owner_staff);
  g_assert_cmpint (after->owner_role, ==, before->owner_role);
  g_assert_cmpint (after->status, ==, WARD_TASK_REQUESTED);
  g_assert_cmpint (after->due_at, ==, before->due_at);
  g_assert_cmpint (after->escalated_at, ==, 0);
  g_assert_cmpint (query (s.store, "SELECT count(*) FROM care_tasks"), ==, 1);
  g_assert_cmpint (query (s.store, "SELECT count(*) FROM audit_log WHERE action = 'task-rerouted' "
                                   "AND actor = 'wardwatch' "
                                   "AND detail LIKE '%\"from\":\"ada\"%'"), ==, 1);
  g_assert_cmpint (query (s.store, "SELECT count(*) FROM care_communications WHERE "
                                   "kind = 'reassignment' AND recipient_role = 'bed-nurse' "
                                   "AND payload LIKE '%ada, who is no longer on the ward%'"),
                   ==, 1);

  /* Once: the next tick leaves it be. */
  ward_test_station_tick (&s, T0 + 3 * MINUTE);
  g_assert_cmpint (n_rerouted (&s), ==, 1);

  ward_test_station_close (&s);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/care-inbound/concern", test_concern);
  g_test_add_func ("/care-inbound/escalation-once", test_escalation_once);
  g_test_add_func ("/care-inbound/flag-adopted", test_flag_adopted);
  g_test_add_func ("/care-inbound/flag-closed-elsewhere", test_flag_closed_elsewhere);
  g_test_add_func ("/care-inbound/tracker-hold", test_tracker_hold);
  g_test_add_func ("/care-inbound/model-flag-acknowledged", test_model_flag_acknowledged);
  g_test_add_func ("/care-inbound/reroute-removed-staff", test_reroute_removed_staff);

  return g_test_run ();
}
