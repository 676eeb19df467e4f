/* test-care.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ward-audit.h"
#include "ward-care.h"
#include "ward-policy.h"
#include "ward-routing.h"
#include "ward-store-private.h"
#include "ward-test-store.h"

/* The care team's coordination, with a controlled clock: every call is
 * given its time, and a tick is one transaction as in the pipeline.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define MINUTE WARD_USEC_PER_MINUTE
#define STATION "station-a"
/* WardHandoverBed holds strings it may own; these are borrowed. */
#define S(literal) ((char *) literal)

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
  WardCare   *care;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->path = ward_test_db_new ("ward-care", &f->dir);
  f->store = ward_test_store_open (f->path);
  f->engine = ward_test_engine_new (f->store, NULL, 3, NULL, NULL);

  f->care = ward_care_new (f->engine, NULL, "ward-7", STATION);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->care);
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
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

/* One pipeline tick: the engine's stages, then the care stage. */
static void
tick (Fixture *f,
      gint64   now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_evaluate (f->engine, now, &error));
  g_assert_true (ward_care_tick (f->care, now, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

/* A flag as the engine's flag rules write it. */
static gint64
open_flag (Fixture    *f,
           const char *patient,
           const char *kind,
           WardBand    band,
           gint64      at)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  g_assert_true (ward_store_begin (f->store, &error));
  id = ward_store_open_flag (f->store, patient, kind, NULL, band, at, 0, "test", &error);
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
  return id;
}

static void
close_flag (Fixture *f,
            gint64   flag_id,
            gint64   at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_store_begin (f->store, &error));
  g_assert_true (ward_store_close_flag (f->store, flag_id, at, &error));
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
}

#define ACT(f, expr)                                          \
  G_STMT_START {                                              \
    g_autoptr(GError) act_error = NULL;                       \
    g_assert_true (ward_engine_begin ((f)->engine, &act_error)); \
    g_assert_true (expr);                                     \
    g_assert_true (ward_engine_commit ((f)->engine, &act_error)); \
    g_assert_no_error (act_error);                            \
  } G_STMT_END

static WardTask *
get_task (Fixture *f,
          gint64   id)
{
  g_autoptr(GError) error = NULL;
  WardTask *task = ward_store_get_task (f->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (task);
  return task;
}

static gboolean
action_refused (Fixture  *f,
                gboolean  ok)
{
  if (!ok)
    ward_engine_rollback (f->engine);
  return !ok;
}

/* Routing */

static WardCarePolicy *
load_care (const char  *json,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(WardCarePolicy) policy = ward_care_policy_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  if (!ward_care_policy_load_json (policy, json_parser_get_root (parser), "test", error))
    return NULL;

  return g_steal_pointer (&policy);
}

static void
test_routing_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardCarePolicy) policy = NULL;
  WardRoutingQuery q = { .ward = "ward-7", .bed = "bed-02", .kind = WARD_CARE_KIND_CLINICAL,
                         .has_band = TRUE, .band = WARD_BAND_MEDIUM, .score_kind = "news2" };
  WardRole role;

  policy = load_care ("{\"escalation\":[\"bed-nurse\",\"doctor\",\"outreach\"],"
                      "\"response_minutes\":{\"medium\":45,\"high\":15,\"concern\":20},"
                      "\"routing\":["
                      "{\"ward\":\"ward-9\",\"role\":\"outreach\"},"
                      "{\"bed\":\"bed-03\",\"role\":\"nurse-in-charge\"},"
                      "{\"band\":\"high\",\"role\":\"doctor\"},"
                      "{\"score_kind\":\"qsofa\",\"role\":\"doctor\"},"
                      "{\"flag_kind\":\"technical\",\"bed\":\"bed-02\",\"role\":\"nurse-in-charge\"},"
                      "{\"flag_kind\":\"concern\",\"role\":\"outreach\"}]}", &error);
  g_assert_no_error (error);

  /* No rule matches: a clinical flag goes to the bed nurse. */
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_BED_NURSE);

  /* By ward. */
  q.ward = "ward-9";
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_OUTREACH);
  q.ward = "ward-7";

  /* By bed. */
  q.bed = "bed-03";
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_NURSE_IN_CHARGE);
  q.bed = "bed-02";

  /* By band. */
  q.band = WARD_BAND_HIGH;
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_DOCTOR);
  q.band = WARD_BAND_MEDIUM;

  /* By score kind. */
  q.score_kind = "qsofa";
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_DOCTOR);
  q.score_kind = "news2";

  /* By flag kind: a technical flag only by a rule that names it. */
  q.kind = WARD_CARE_KIND_TECHNICAL;
  q.has_band = FALSE;
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_NURSE_IN_CHARGE);
  q.bed = "bed-01";
  g_assert_false (ward_care_policy_route (policy, &q, &role));
  q.kind = WARD_CARE_KIND_CONCERN;
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_OUTREACH);

  /* Rules are tried in order: the bed rule comes before the band rule. */
  q.kind = WARD_CARE_KIND_CLINICAL;
  q.has_band = TRUE;
  q.band = WARD_BAND_HIGH;
  q.bed = "bed-03";
  g_assert_true (ward_care_policy_route (policy, &q, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_NURSE_IN_CHARGE);

  /* Targets and the chain. */
  g_assert_cmpint (ward_care_policy_response (policy, WARD_CARE_KIND_CLINICAL, TRUE,
                                              WARD_BAND_MEDIUM), ==, 45 * MINUTE);
  g_assert_cmpint (ward_care_policy_response (policy, WARD_CARE_KIND_CLINICAL, TRUE,
                                              WARD_BAND_LOW_MEDIUM), ==, 60 * MINUTE);
  g_assert_cmpint (ward_care_policy_response (policy, WARD_CARE_KIND_CLINICAL, TRUE,
                                              WARD_BAND_HIGH), ==, 15 * MINUTE);
  g_assert_cmpint (ward_care_policy_response (policy, WARD_CARE_KIND_CONCERN, FALSE, 0),
                   ==, 20 * MINUTE);
  g_assert_true (ward_care_policy_next_role (policy, WARD_ROLE_BED_NURSE, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_DOCTOR);
  g_assert_true (ward_care_policy_next_role (policy, WARD_ROLE_DOCTOR, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_OUTREACH);
  g_assert_false (ward_care_policy_next_role (policy, WARD_ROLE_OUTREACH, &role));
  g_assert_false (ward_care_policy_next_role (policy, WARD_ROLE_NURSE_IN_CHARGE, &role));
}

static void
test_routing_defaults (void)
{
  g_autoptr(WardCarePolicy) policy = ward_care_policy_new ();
  WardRole role;

  g_assert_cmpint (ward_care_policy_response (policy, WARD_CARE_KIND_CLINICAL, TRUE,
                                              WARD_BAND_LOW_MEDIUM), ==, 60 * MINUTE);
  g_assert_cmpint (ward_care_policy_response (policy, WARD_CARE_KIND_CLINICAL, TRUE,
                                              WARD_BAND_MEDIUM), ==, 60 * MINUTE);
  g_assert_cmpint (ward_care_policy_response (policy, WARD_CARE_KIND_CLINICAL, TRUE,
                                              WARD_BAND_HIGH), ==, 30 * MINUTE);
  g_assert_true (ward_care_policy_next_role (policy, WARD_ROLE_BED_NURSE, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_NURSE_IN_CHARGE);
  g_assert_true (ward_care_policy_next_role (policy, WARD_ROLE_NURSE_IN_CHARGE, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_DOCTOR);
  g_assert_true (ward_care_policy_next_role (policy, WARD_ROLE_DOCTOR, &role));
  g_assert_cmpint (role, ==, WARD_ROLE_OUTREACH);
}

static void
test_routing_refused (void)
{
  static const struct {
    const char *json;
    const char *names;
  } cases[] = {
    { "{\"rota\":[]}", "care.rota" },
    { "{\"routing\":[{\"bed\":\"bed-1\"}]}", "care.routing[0]" },
    { "{\"routing\":[{\"role\":\"porter\"}]}", "care.routing[0].role" },
    { "{\"routing\":[{\"role\":\"doctor\",\"colour\":\"red\"}]}", "care.routing[0].colour" },
    { "{\"routing\":[{\"role\":\"doctor\",\"band\":\"severe\"}]}", "care.routing[0].band" },
    { "{\"routing\":[{\"role\":\"doctor\",\"flag_kind\":\"alarm\"}]}", "care.routing[0].flag_kind" },
    { "{\"response_minutes\":{\"high\":0}}", "care.response_minutes.high" },
    { "{\"response_minutes\":{\"urgent\":5}}", "care.response_minutes.urgent" },
    { "{\"escalation\":[\"doctor\",\"doctor\"]}", "care.escalation[1]" },
    { "{\"escalation\":[]}", "care.escalation" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WardCarePolicy) policy = load_care (cases[i].json, &error);

      g_assert_null (policy);
      g_assert_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID);
      if (strstr (error->message, cases[i].names) == NULL)
        g_error ("%s: the error does not name %s: %s", cases[i].json, cases[i].names,
                 error->message);
    }

  /* The whole policy file is refused for a bad care object, and the
   * shipped file, care object included, loads.
   */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data",
                                              "ward-policy.json", NULL);
    g_autoptr(WardCarePolicy) policy = ward_care_policy_new ();
    WardEngineConfig config;

    ward_engine_config_init (&config);
    g_assert_false (ward_policy_load_data ("{\"care\":{\"routing\":[{}]}}", -1, "t", &config,
                                           &error));
    g_assert_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_true (ward_policy_load_file (path, &config, &error));
    g_assert_no_error (error);
    g_assert_true (ward_care_policy_load_file (policy, path, &error));
    g_assert_no_error (error);
    g_assert_cmpint (policy->response_usec[WARD_BAND_HIGH], ==, 30 * MINUTE);
    g_assert_cmpuint (policy->chain_len, ==, 4);
  }
}

/* Tasks */

static void
test_task_for_flag (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(WardTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ack = NULL;
  gint64 flag_id;
  gint64 task_id;

  ACT (f, ward_care_allocate (f->care, "bed-01", "n.kim", "n.charge", STATION, T0, &act_error));

  flag_id = open_flag (f, "p1", "clinical", WARD_BAND_MEDIUM, T0);
  tick (f, T0 + 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 1);
  task_id = query (f, "SELECT id FROM care_tasks");
  task = get_task (f, task_id);
  g_assert_cmpint (task->flag_id, ==, flag_id);
  g_assert_cmpint (task->status, ==, WARD_TASK_REQUESTED);
  g_assert_cmpint (task->owner_role, ==, WARD_ROLE_BED_NURSE);
  g_assert_cmpstr (task->owner_staff, ==, "n.kim");
  g_assert_cmpstr (task->bed_id, ==, "bed-01");
  g_assert_cmpint (task->priority, ==, WARD_TASK_URGENT);
  g_assert_cmpint (task->due_at, ==, T0 + 1 + 60 * MINUTE);
  g_assert_cmpint (task->version, ==, 1);

  /* One task per flag: the next tick makes no other. */
  tick (f, T0 + 2);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 1);
  /* The nurse was told. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_communications WHERE kind = 'notification' "
                             "AND recipient_staff = 'n.kim'"), ==, 1);
  /* The Task is in the outbox. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM outbox WHERE resource_type = 'Task'"), ==, 1);

  /* Accepting it acknowledges the flag, by the same person. */
  ACT (f, ward_care_accept (f->care, task_id, "n.kim", STATION, T0 + 5 * MINUTE, &act_error));
  g_clear_pointer (&task, ward_task_free);
  task = get_task (f, task_id);
  g_assert_cmpint (task->status, ==, WARD_TASK_ACCEPTED);
  g_assert_cmpstr (task->accepted_by, ==, "n.kim");
  g_assert_cmpint (task->accepted_at, ==, T0 + 5 * MINUTE);
  g_assert_cmpint (task->version, ==, 2);
  ack = query_text (f, "SELECT acknowledged_by FROM flags");
  g_assert_cmpstr (ack, ==, "n.kim");

  /* Twice is refused, and changes nothing. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_false (ward_care_accept (f->care, task_id, "n.park", STATION, T0 + 6 * MINUTE, &error));
  g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_STATE);
  ward_engine_rollback (f->engine);
  g_clear_error (&error);

  /* No staff id: refused. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_false (ward_care_accept (f->care, task_id, "  ", STATION, T0, &error));
  g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID);
  ward_engine_rollback (f->engine);
  g_clear_error (&error);

  /* The flag closes: the accepted task stays until it is completed. */
  close_flag (f, flag_id, T0 + 20 * MINUTE);
  tick (f, T0 + 21 * MINUTE);
  g_clear_pointer (&task, ward_task_free);
  task = get_task (f, task_id);
  g_assert_cmpint (task->status, ==, WARD_TASK_ACCEPTED);

  ACT (f, ward_care_complete (f->care, task_id, WARD_OUTCOME_TREATMENT_STARTED,
                              "Fluids started, recheck in 30 min", "n.kim", STATION,
                              T0 + 25 * MINUTE, &act_error));
  g_clear_pointer (&task, ward_task_free);
  task = get_task (f, task_id);
  g_assert_cmpint (task->status, ==, WARD_TASK_COMPLETED);
  g_assert_true (task->has_outcome);
  g_assert_cmpint (task->outcome, ==, WARD_OUTCOME_TREATMENT_STARTED);
  g_assert_cmpstr (task->note, ==, "Fluids started, recheck in 30 min");
  g_assert_cmpstr (task->closed_by, ==, "n.kim");
}

static void
test_flag_close_cancels (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(WardTask) task = NULL;
  gint64 flag_id;

  flag_id = open_flag (f, "p2", "clinical", WARD_BAND_LOW_MEDIUM, T0);
  tick (f, T0);
  close_flag (f, flag_id, T0 + 10 * MINUTE);
  tick (f, T0 + 10 * MINUTE);

  task = get_task (f, query (f, "SELECT id FROM care_tasks"));
  g_assert_cmpint (task->status, ==, WARD_TASK_CANCELLED);
  g_assert_nonnull (task->status_reason);
  /* Nobody is chased for a flag that closed. */
  tick (f, T0 + 3 * 60 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 1);
}

static void
test_technical_flag (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(WardCarePolicy) policy = ward_care_policy_new ();

  /* By default a silent device makes no task. */
  open_flag (f, "p1", "technical", 0, T0);
  tick (f, T0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 0);

  /* A rule naming technical flags routes them. */
  g_assert_true (json_parser_load_from_data (parser, "{\"routing\":[{\"flag_kind\":\"technical\","
                                                     "\"role\":\"nurse-in-charge\"}]}", -1, NULL));
  g_assert_true (ward_care_policy_load_json (policy, json_parser_get_root (parser), "t", &error));
  g_assert_no_error (error);
  g_clear_object (&f->care);
  f->care = ward_care_new (f->engine, policy, "ward-7", STATION);
  tick (f, T0 + MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks WHERE kind = 'technical' "
                             "AND owner_role = 'nurse-in-charge'"), ==, 1);
}

/* The store's tasks fold into one chain: the flag's one thing to do,
 * its newest open task at the head.
 */
static void
assert_one_chain (Fixture *f,
                  gint64   head_id,
                  gint64   first_id,
                  guint    n_escalations)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = ward_store_list_tasks (f->store, WARD_TASK_LIST_ALL, 0, NULL,
                                                      &error);
  g_autoptr(GArray) chains = NULL;
  const WardTaskChain *chain;

  g_assert_no_error (error);
  chains = ward_task_chains_fold (tasks);
  g_assert_cmpuint (chains->len, ==, 1);
  chain = &g_array_index (chains, WardTaskChain, 0);
  g_assert_cmpint (chain->head->id, ==, head_id);
  g_assert_cmpint (chain->first->id, ==, first_id);
  g_assert_cmpuint (chain->n_tasks, ==, n_escalations + 1);
  g_assert_cmpuint (chain->n_escalations, ==, n_escalations);
  g_assert_true (ward_task_chain_is_open (chain));
}

/* Folding by hand: the head is the newest open task whatever the order
 * given, an accepted first task heads its cancelled follow-ups, a task
 * whose parent is not given starts its own chain, and a closed chain
 * says so.
 */
static void
test_chains_fold (void)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);
  g_autoptr(GArray) chains = NULL;
  static const struct { gint64 id, part_of; WardTaskStatus status; } rows[] = {
    { 7, 4, WARD_TASK_REQUESTED },   /* listed before its parent */
    { 4, 0, WARD_TASK_REQUESTED },
    { 9, 7, WARD_TASK_REQUESTED },
    { 5, 0, WARD_TASK_ACCEPTED },
    { 8, 5, WARD_TASK_CANCELLED },
    { 6, 0, WARD_TASK_COMPLETED },
    { 12, 11, WARD_TASK_REQUESTED }, /* its parent is not given */
  };
  const WardTaskChain *chain;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      WardTask *task = g_new0 (WardTask, 1);

      task->id = rows[i].id;
      task->part_of = rows[i].part_of;
      task->status = rows[i].status;
      g_ptr_array_add (tasks, task);
    }

  chains = ward_task_chains_fold (tasks);
  g_assert_cmpuint (chains->len, ==, 4);
  chain = &g_array_index (chains, WardTaskChain, 0);
  g_assert_cmpint (chain->first->id, ==, 4);
  g_assert_cmpint (chain->head->id, ==, 9);
  g_assert_cmpuint (chain->level, ==, 2);
  g_assert_cmpuint (chain->n_tasks, ==, 3);
  chain = &g_array_index (chains, WardTaskChain, 1);
  g_assert_cmpint (chain->head->id, ==, 5);
  g_assert_cmpuint (chain->level, ==, 0);
  g_assert_cmpuint (chain->n_escalations, ==, 1);
  g_assert_true (ward_task_chain_is_open (chain));
  chain = &g_array_index (chains, WardTaskChain, 2);
  g_assert_cmpint (chain->head->id, ==, 6);
  g_assert_false (ward_task_chain_is_open (chain));
  chain = &g_array_index (chains, WardTaskChain, 3);
  g_assert_cmpint (chain->head->id, ==, 12);
  g_assert_cmpint (chain->first->id, ==, 12);
  g_assert_cmpuint (chain->n_escalations, ==, 0);
}

/* Escalation after the target, with a controlled clock. */
static void
test_escalation (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(WardTask) first = NULL;
  g_autoptr(WardTask) second = NULL;
  g_autoptr(WardTask) third = NULL;
  g_autofree char *ack = NULL;
  gint64 first_id, second_id, third_id;

  ACT (f, ward_care_allocate (f->care, "bed-03", "n.kim", "n.charge", STATION, T0, &act_error));
  open_flag (f, "p3", "clinical", WARD_BAND_HIGH, T0);
  tick (f, T0);
  first_id = query (f, "SELECT id FROM care_tasks");
  first = get_task (f, first_id);
  g_assert_cmpint (first->priority, ==, WARD_TASK_ASAP);
  g_assert_cmpint (first->due_at, ==, T0 + 30 * MINUTE);

  /* Within the target: nothing. */
  tick (f, T0 + 30 * MINUTE - 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 1);

  /* At the target: a new task, partOf the first, for the next role, one
   * priority higher, and a new notification.
   */
  tick (f, T0 + 30 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 2);
  second_id = query (f, "SELECT max(id) FROM care_tasks");
  second = get_task (f, second_id);
  g_assert_cmpint (second->part_of, ==, first_id);
  g_assert_cmpint (second->owner_role, ==, WARD_ROLE_NURSE_IN_CHARGE);
  g_assert_null (second->owner_staff);
  g_assert_cmpint (second->priority, ==, WARD_TASK_STAT);
  g_assert_cmpint (second->due_at, ==, T0 + 60 * MINUTE);
  g_assert_cmpint (second->flag_id, ==, first->flag_id);
  g_clear_pointer (&first, ward_task_free);
  first = get_task (f, first_id);
  g_assert_cmpint (first->status, ==, WARD_TASK_REQUESTED);
  g_assert_cmpint (first->escalated_at, ==, T0 + 30 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_communications WHERE kind = 'escalation' "
                             "AND recipient_role = 'nurse-in-charge'"), ==, 1);

  /* Once only per task; the next step up waits for the second's target. */
  tick (f, T0 + 45 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 2);
  tick (f, T0 + 60 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 3);
  third_id = query (f, "SELECT max(id) FROM care_tasks");
  third = get_task (f, third_id);
  g_assert_cmpint (third->part_of, ==, second_id);
  g_assert_cmpint (third->owner_role, ==, WARD_ROLE_DOCTOR);
  g_assert_cmpint (third->priority, ==, WARD_TASK_STAT);
  assert_one_chain (f, third_id, first_id, 2);

  /* The doctor takes it: the flag is theirs, the other requested tasks
   * of the chain are cancelled, and nothing escalates any more.
   */
  ACT (f, ward_care_accept (f->care, third_id, "dr.lee", "station-b", T0 + 65 * MINUTE,
                            &act_error));
  ack = query_text (f, "SELECT acknowledged_by FROM flags");
  g_assert_cmpstr (ack, ==, "dr.lee");
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks WHERE status = 'cancelled'"), ==, 2);
  assert_one_chain (f, third_id, first_id, 2);
  tick (f, T0 + 5 * 60 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks"), ==, 3);
  g_assert_cmpint (query (f, "SELECT count(*) FROM audit_log WHERE action = 'task-accepted' "
                             "AND actor = 'dr.lee' AND station = 'station-b'"), ==, 1);
}

/* The flag's own acknowledgement (the old path) accepts its task. */
static void
test_acknowledge_accepts (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(WardTask) task = NULL;
  gint64 flag_id;

  flag_id = open_flag (f, "p1", "clinical", WARD_BAND_MEDIUM, T0);
  tick (f, T0);
  ACT (f, ward_engine_acknowledge (f->engine, flag_id, T0 + MINUTE, "n.park", &act_error));
  tick (f, T0 + 2 * MINUTE);

  task = get_task (f, query (f, "SELECT id FROM care_tasks"));
  g_assert_cmpint (task->status, ==, WARD_TASK_ACCEPTED);
  g_assert_cmpstr (task->accepted_by, ==, "n.park");
  g_assert_cmpint (task->accepted_at, ==, T0 + MINUTE);
}

/* A flag acknowledged before the care stage first saw it (an upgrade):
 * its task is made accepted by the acknowledger.
 */
static void
test_acknowledged_before_task (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(WardTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint64 flag_id;

  flag_id = open_flag (f, "p1", "clinical", WARD_BAND_MEDIUM, T0);
  g_assert_true (ward_store_begin (f->store, &error));
  g_assert_true (ward_store_acknowledge_flag (f->store, flag_id, "n.old", T0 + MINUTE, NULL,
                                              &error));
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
  tick (f, T0 + 2 * MINUTE);

  task = get_task (f, query (f, "SELECT id FROM care_tasks"));
  g_assert_cmpint (task->status, ==, WARD_TASK_ACCEPTED);
  g_assert_cmpstr (task->accepted_by, ==, "n.old");
}

static void
test_reassign (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(WardTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint64 task_id;

  open_flag (f, "p2", "clinical", WARD_BAND_MEDIUM, T0);
  tick (f, T0);
  task_id = query (f, "SELECT id FROM care_tasks");
  ACT (f, ward_care_accept (f->care, task_id, "n.kim", STATION, T0 + MINUTE, &act_error));
  ACT (f, ward_care_reassign (f->care, task_id, WARD_ROLE_DOCTOR, "dr.lee", "n.kim", STATION,
                              T0 + 10 * MINUTE, &act_error));

  task = get_task (f, task_id);
  g_assert_cmpint (task->status, ==, WARD_TASK_REQUESTED);
  g_assert_cmpint (task->owner_role, ==, WARD_ROLE_DOCTOR);
  g_assert_cmpstr (task->owner_staff, ==, "dr.lee");
  g_assert_null (task->accepted_by);
  g_assert_cmpint (task->due_at, ==, T0 + 70 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_communications WHERE kind = 'reassignment' "
                             "AND recipient_staff = 'dr.lee'"), ==, 1);

  /* The flag's acknowledgement (by n.kim, with the accept) does not take
   * the task back at the next tick.
   */
  tick (f, T0 + 11 * MINUTE);
  g_clear_pointer (&task, ward_task_free);
  task = get_task (f, task_id);
  g_assert_cmpint (task->status, ==, WARD_TASK_REQUESTED);
  g_assert_cmpstr (task->owner_staff, ==, "dr.lee");

  /* A closed task cannot be given away. */
  ACT (f, ward_care_complete (f->care, task_id, WARD_OUTCOME_REVIEWED, NULL, "dr.lee", STATION,
                              T0 + 20 * MINUTE, &act_error));
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (action_refused (f, ward_care_reassign (f->care, task_id, WARD_ROLE_OUTREACH, NULL,
                                                        "dr.lee", STATION, T0 + 21 * MINUTE,
                                                        &error)));
  g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_STATE);
}

static void
test_concern (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(WardTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gint64 task_id = 0;

  /* Whatever the score: no flag at all here. */
  ACT (f, (task_id = ward_care_raise_concern (f->care, "p2", "Confused since this morning, not "
                                              "herself", "n.kim", STATION, T0, &act_error)) > 0);
  task = get_task (f, task_id);
  g_assert_cmpint (task->kind, ==, WARD_CARE_KIND_CONCERN);
  g_assert_cmpint (task->flag_id, ==, 0);
  g_assert_cmpint (task->owner_role, ==, WARD_ROLE_NURSE_IN_CHARGE);
  g_assert_cmpstr (task->requester, ==, "n.kim");
  g_assert_cmpstr (task->bed_id, ==, "bed-02");
  g_assert_cmpint (task->priority, ==, WARD_TASK_URGENT);
  g_assert_cmpint (task->due_at, ==, T0 + 30 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_communications WHERE kind = 'concern'"),
                   ==, 1);

  /* It escalates like any task. */
  tick (f, T0 + 30 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_tasks WHERE kind = 'concern' "
                             "AND owner_role = 'doctor'"), ==, 1);

  /* Without a reason, or for nobody on the ward: refused. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (action_refused (f, ward_care_raise_concern (f->care, "p2", "", "n.kim", STATION,
                                                             T0, &error) > 0));
  g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (action_refused (f, ward_care_raise_concern (f->care, "p99", "Worried", "n.kim",
                                                             STATION, T0, &error) > 0));
  g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_FOUND);
}

/* Handover moves ownership and keeps the open tasks. */
static void
test_handover (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) beds = NULL;
  g_autoptr(WardTask) accepted = NULL;
  g_autoptr(WardTask) requested = NULL;
  g_autofree char *owner = NULL;
  WardHandoverBed notes[] = {
    { S ("bed-01"), NULL, S ("NEWS2 6, tachycardic"), S ("Day 2 after hip repair"),
      S ("Likely dehydrated"), S ("Recheck obs hourly; fluids review at 22:00") },
    { S ("bed-02"), NULL, S ("Stable, NEWS2 1"), S ("Pneumonia, on antibiotics day 3"),
      S ("Improving"), S ("Obs 4-hourly") },
  };
  gint64 accepted_id, requested_id, handover_id = 0;

  ACT (f, ward_care_allocate (f->care, "bed-01", "n.kim", "n.charge", STATION, T0, &act_error));
  ACT (f, ward_care_allocate (f->care, "bed-02", "n.kim", "n.charge", STATION, T0, &act_error));
  ACT (f, ward_care_allocate (f->care, "bed-03", "n.ade", "n.charge", STATION, T0, &act_error));
  open_flag (f, "p1", "clinical", WARD_BAND_MEDIUM, T0);
  open_flag (f, "p2", "clinical", WARD_BAND_LOW_MEDIUM, T0);
  tick (f, T0);
  accepted_id = query (f, "SELECT id FROM care_tasks WHERE bed_id = 'bed-01'");
  requested_id = query (f, "SELECT id FROM care_tasks WHERE bed_id = 'bed-02'");
  ACT (f, ward_care_accept (f->care, accepted_id, "n.kim", STATION, T0 + MINUTE, &act_error));

  /* A missing SBAR part, or somebody else's bed: refused, nothing kept. */
  {
    WardHandoverBed bad = notes[1];

    bad.assessment = S ("");
    g_assert_true (ward_engine_begin (f->engine, &error));
    g_assert_true (action_refused (f, ward_care_offer_handover (f->care, "n.kim", "n.park", &bad,
                                                                1, STATION, T0, &error) > 0));
    g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_INVALID);
    g_clear_error (&error);
    bad = notes[1];
    bad.bed_id = S ("bed-03");
    g_assert_true (ward_engine_begin (f->engine, &error));
    g_assert_true (action_refused (f, ward_care_offer_handover (f->care, "n.kim", "n.park", &bad,
                                                                1, STATION, T0, &error) > 0));
    g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_ALLOWED);
    g_clear_error (&error);
    g_assert_cmpint (query (f, "SELECT count(*) FROM care_handovers"), ==, 0);
  }

  ACT (f, (handover_id = ward_care_offer_handover (f->care, "n.kim", "n.park", notes,
                                                   G_N_ELEMENTS (notes), STATION,
                                                   T0 + 60 * MINUTE, &act_error)) > 0);

  /* Nothing moves before the incoming nurse accepts. */
  owner = query_text (f, "SELECT staff_id FROM care_allocations WHERE bed_id = 'bed-01'");
  g_assert_cmpstr (owner, ==, "n.kim");
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (action_refused (f, ward_care_accept_handover (f->care, handover_id, "n.ade",
                                                               STATION, T0, &error)));
  g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_NOT_ALLOWED);
  g_clear_error (&error);

  ACT (f, ward_care_accept_handover (f->care, handover_id, "n.park", STATION, T0 + 65 * MINUTE,
                                     &act_error));

  beds = ward_care_dup_my_beds (f->care, "n.park", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (beds), ==, 2);
  g_assert_cmpstr (beds[0], ==, "bed-01");
  g_assert_cmpstr (beds[1], ==, "bed-02");
  g_clear_pointer (&beds, g_strfreev);
  beds = ward_care_dup_my_beds (f->care, "n.kim", &error);
  g_assert_cmpuint (g_strv_length (beds), ==, 0);

  accepted = get_task (f, accepted_id);
  g_assert_cmpint (accepted->status, ==, WARD_TASK_ACCEPTED);
  g_assert_cmpstr (accepted->owner_staff, ==, "n.park");
  g_assert_cmpstr (accepted->accepted_by, ==, "n.park");
  requested = get_task (f, requested_id);
  g_assert_cmpint (requested->status, ==, WARD_TASK_REQUESTED);
  g_assert_cmpstr (requested->owner_staff, ==, "n.park");
  g_assert_cmpint (query (f, "SELECT count(*) FROM care_communications WHERE kind = 'handover' "
                             "AND recipient_staff = 'n.park' AND payload LIKE '%hip repair%'"), ==, 1);

  /* Accepted once only. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (action_refused (f, ward_care_accept_handover (f->care, handover_id, "n.park",
                                                               STATION, T0, &error)));
  g_assert_error (error, WARD_CARE_ERROR, WARD_CARE_ERROR_STATE);
}

/* A database upgraded with a long history: the engine's events join the
 * trail over the next ticks, a bounded number each, in order, each once.
 */
static void
test_audit_catches_up (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 n_events, n_rows = 0, broken = -1;

  g_assert_true (ward_store_begin (f->store, &error));
  for (guint i = 0; i < 450; i++)
    g_assert_cmpint (ward_store_add_event (f->store, T0 + i, "n.kim", "confirm", "p1", NULL,
                                           &error), >, 0);
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
  n_events = query (f, "SELECT count(*) FROM events");

  tick (f, T0 + MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM audit_log"), ==, 200);
  tick (f, T0 + 2 * MINUTE);
  tick (f, T0 + 3 * MINUTE);
  tick (f, T0 + 4 * MINUTE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM audit_log"), ==, n_events);
  g_assert_cmpint (query (f, "SELECT count(*) FROM audit_log WHERE action = 'confirm' "
                             "AND actor = 'n.kim'"), ==, 450);
  g_assert_true (ward_audit_verify (f->store, &n_rows, &broken, NULL, &error));
  g_assert_cmpint (broken, ==, 0);
  g_assert_cmpint (n_rows, ==, n_events);
}

/* The audit trail: every action, and a change behind the app's back. */
static void
test_audit_chain (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  sqlite3 *db = NULL;
  gint64 n_rows = 0, broken = -1, task_id;

  ACT (f, ward_care_allocate (f->care, "bed-01", "n.kim", "n.charge", STATION, T0, &act_error));
  open_flag (f, "p1", "clinical", WARD_BAND_MEDIUM, T0);
  tick (f, T0);
  task_id = query (f, "SELECT id FROM care_tasks");
  ACT (f, ward_engine_nurse_entry (f->engine, "p1", WARD_MEAS_TEMP, 38.4, T0 + MINUTE, "n.kim",
                                   &act_error));
  ACT (f, ward_care_accept (f->care, task_id, "n.kim", STATION, T0 + 2 * MINUTE, &act_error));
  tick (f, T0 + 3 * MINUTE);

  /* The engine's own actions joined the trail, with their actor. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM audit_log WHERE action = 'nurse-entry' "
                             "AND actor = 'n.kim'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM audit_log WHERE action = 'acknowledge' "
                             "AND actor = 'n.kim'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM audit_log WHERE action = 'task-created'"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM audit_log WHERE action = 'bed-allocated' "
                             "AND actor = 'n.charge'"), ==, 1);
  /* Each row went out as an AuditEvent. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM outbox WHERE resource_type = 'AuditEvent'"), ==,
                   query (f, "SELECT count(*) FROM audit_log"));

  g_assert_true (ward_audit_verify (f->store, &n_rows, &broken, &reason, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broken, ==, 0);
  g_assert_null (reason);
  g_assert_cmpint (n_rows, >=, 5);

  g_clear_object (&f->care);
  g_clear_object (&f->engine);
  g_clear_object (&f->store);

  /* Behind the app's back, with sqlite3: an UPDATE is refused by the
   * store's trigger; dropping it first lets the edit through.
   */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit_log SET actor = 'someone' WHERE id = 3",
                                 NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER audit_log_no_update;"
                                     "UPDATE audit_log SET actor = 'someone' WHERE id = 3",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);

  f->store = ward_test_store_open (f->path);
  g_assert_true (ward_audit_verify (f->store, &n_rows, &broken, &reason, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broken, ==, 3);
  g_assert_nonnull (strstr (reason, "changed"));
  g_clear_pointer (&reason, g_free);
  g_clear_object (&f->store);

  /* A row removed from the middle breaks the chain at the next row. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit_log SET actor = 'n.charge' WHERE id = 3;"
                                     "DROP TRIGGER audit_log_no_delete;"
                                     "DELETE FROM audit_log WHERE id = 2",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  f->store = ward_test_store_open (f->path);
  g_assert_true (ward_audit_verify (f->store, &n_rows, &broken, &reason, &error));
  g_assert_cmpint (broken, ==, 3);
  g_assert_nonnull (strstr (reason, "missing"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/care/routing/rules", test_routing_rules);
  g_test_add_func ("/care/routing/defaults", test_routing_defaults);
  g_test_add_func ("/care/routing/refused", test_routing_refused);
  g_test_add_func ("/care/task/chains-fold", test_chains_fold);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/care/task/for-flag", test_task_for_flag);
  ADD ("/care/task/flag-close-cancels", test_flag_close_cancels);
  ADD ("/care/task/technical", test_technical_flag);
  ADD ("/care/task/escalation", test_escalation);
  ADD ("/care/task/acknowledge-accepts", test_acknowledge_accepts);
  ADD ("/care/task/acknowledged-before-task", test_acknowledged_before_task);
  ADD ("/care/task/reassign", test_reassign);
  ADD ("/care/task/concern", test_concern);
  ADD ("/care/handover", test_handover);
  ADD ("/care/audit/chain", test_audit_chain);
  ADD ("/care/audit/catches-up", test_audit_catches_up);
#undef ADD

  return g_test_run ();
}
