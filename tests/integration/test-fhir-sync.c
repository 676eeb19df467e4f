/* test-fhir-sync.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-fhir-sync.h"
#include "ward-test-fhir-server.h"
#include "ward-test-ward.h"

#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE

static WardTestFhirServer *server;

typedef struct
{
  char         *dir;
  char         *path;
  WardStore    *store;
  WardEngine   *engine;
  WardFhirSync *sync;
  gint64        t0;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  WardEngineConfig config;
  gint64 step = 5 * MINUTE;

  if (server == NULL)
    return;

  /* Recent, on a window boundary: the outbox rows are due now. */
  f->t0 = (g_get_real_time () / step) * step - 2 * WARD_USEC_PER_HOUR;
  f->dir = g_dir_make_tmp ("ward-fhir-sync-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);
  f->store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  ward_engine_config_init (&config);
  f->engine = ward_engine_new (f->store, &config);

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_register_bed (f->engine, "bed-01", "Bed 1", "p1", "Ada Obi",
                                           "mon-1", 1, &error));
  g_assert_true (ward_engine_register_bed (f->engine, "bed-02", "Bed 2", "p2", "Lee Min-jun",
                                           "mon-2", 1, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);

  f->sync = ward_fhir_sync_new (f->store, ward_test_fhir_server_get_base_url (server), NULL);
  ward_fhir_sync_set_backoff (f->sync, 50, 400);
  ward_fhir_sync_set_interval (f->sync, 100);
  ward_fhir_sync_set_timeout (f->sync, 5);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;

  if (f->path == NULL)
    return;
  wal = g_strconcat (f->path, "-wal", NULL);
  shm = g_strconcat (f->path, "-shm", NULL);
  if (f->sync != NULL)
    ward_fhir_sync_stop (f->sync);
  g_clear_object (&f->sync);
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gboolean
skip_without_server (void)
{
  if (server == NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason () != NULL
                   ? ward_test_fhir_server_skip_reason () : "no FHIR test server");
      return TRUE;
    }
  return FALSE;
}

static gint64
query_int (Fixture    *f,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 v = _ward_store_query_int (f->store, sql, &error);

  g_assert_no_error (error);
  return v;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until the outbox has no pending row, at most
 * timeout_sec.
 */
static void
run_until_empty (Fixture *f,
                 guint    timeout_sec)
{
  gint64 deadline = g_get_monotonic_time () + timeout_sec * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, tick_cb, NULL);

  while (ward_test_n_pending (f->store) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  /* The last answer may still be on its way after the last mark. */
  while (ward_fhir_sync_is_busy (f->sync) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  g_assert_cmpint (ward_test_n_pending (f->store), ==, 0);
}

static void
run_for (guint msec)
{
  gint64 deadline = g_get_monotonic_time () + msec * 1000;
  guint wake = g_timeout_add (20, tick_cb, NULL);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

typedef struct
{
  const char *skip_type;
  const char *skip_id;
  GHashTable *only;         /* "Type/id", or NULL for all */
  guint       n_checked;
  gboolean    exactly_one_version;
  GHashTable *types;
} CheckData;

static guint
history_count (const char *type,
               const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/%s/%s/_history", type, id);
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *bundle;
  guint status;

  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  bundle = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (bundle, "entry"))
    return 0;
  return json_array_get_length (json_object_get_array_member (bundle, "entry"));
}

static void
check_resource_cb (const char *resource_type,
                   const char *id,
                   gint64      version,
                   const char *json,
                   gpointer    user_data)
{
  CheckData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/%s/%s", resource_type, id);
  g_autofree char *key = g_strdup_printf ("%s/%s", resource_type, id);
  guint status;
  guint n_versions;

  if (g_strcmp0 (resource_type, data->skip_type) == 0 && g_strcmp0 (id, data->skip_id) == 0)
    return;
  if (data->only != NULL && !g_hash_table_contains (data->only, key))
    return;

  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  /* PUT of the same content makes no new version: never more versions
   * on the server than were made here.
   */
  n_versions = history_count (resource_type, id);
  g_assert_cmpuint (n_versions, >=, 1);
  g_assert_cmpint (n_versions, <=, version);
  if (data->exactly_one_version)
    g_assert_cmpuint (n_versions, ==, 1);

  if (data->types != NULL)
    g_hash_table_add (data->types, g_strdup (resource_type));
  data->n_checked++;
}

static guint
check_on_server (Fixture    *f,
                 CheckData  *data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_store_foreach_resource (f->store, NULL, check_resource_cb, data, &error));
  g_assert_no_error (error);
  return data->n_checked;
}

static gint64
server_total (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = ward_test_fhir_server_dup_stats (server, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, stats, -1, &error));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "total");
}

static void
test_sync_all (Fixture       *f,
               gconstpointer  unused)
{
  g_autoptr(GHashTable) types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  CheckData check = { 0 };
  gint64 n_resources;

  if (skip_without_server ())
    return;

  ward_test_make_scored_ward (f->engine, f->t0);
  g_assert_cmpint (ward_test_n_pending (f->store), >, 0);

  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);

  n_resources = query_int (f, "SELECT count(*) FROM fhir_resources");
  check.types = types;
  g_assert_cmpuint (check_on_server (f, &check), ==, n_resources);
  g_assert_true (g_hash_table_contains (types, "Observation"));
  g_assert_true (g_hash_table_contains (types, "RiskAssessment"));
  g_assert_true (g_hash_table_contains (types, "Device"));
  g_assert_true (g_hash_table_contains (types, "Flag"));
  g_assert_cmpint (server_total (), ==, n_resources);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_sent (f->sync), >=, n_resources);
}

static void
add_pending_key (const WardOutboxEntry *entry,
                 gpointer               user_data)
{
  g_hash_table_add (user_data, g_strdup_printf ("%s/%s", entry->resource_type, entry->id));
}

static void
test_server_down (Fixture       *f,
                  gconstpointer  unused)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) later = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  CheckData check = { 0 };
  guint64 retried;

  if (skip_without_server ())
    return;

  ward_test_make_scored_ward (f->engine, f->t0);
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);

  ward_test_fhir_server_stop (server);
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  g_assert_true (ward_store_outbox_next (f->store, G_MAXINT64, 100000, add_pending_key, later, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (later), >, 0);

  retried = ward_fhir_sync_get_n_retried (f->sync);
  run_for (1500);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), >, retried);
  g_assert_cmpint (ward_test_n_pending (f->store), ==, g_hash_table_size (later));
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);

  /* A new server: empty.  What was made while it was down arrives,
   * each once.
   */
  g_assert_true (ward_test_fhir_server_start (server, &error));
  g_assert_no_error (error);
  g_clear_object (&f->sync);
  f->sync = ward_fhir_sync_new (f->store, ward_test_fhir_server_get_base_url (server), NULL);
  ward_fhir_sync_set_backoff (f->sync, 50, 400);
  ward_fhir_sync_set_interval (f->sync, 100);
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);

  check.only = later;
  check.exactly_one_version = TRUE;
  g_assert_cmpuint (check_on_server (f, &check), ==, g_hash_table_size (later));
  g_assert_cmpint (server_total (), ==, g_hash_table_size (later));
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
}

static void
test_transient_503 (Fixture       *f,
                    gconstpointer  unused)
{
  g_autoptr(GError) error = NULL;
  CheckData check = { 0 };

  if (skip_without_server ())
    return;

  ward_test_make_scored_ward (f->engine, f->t0);
  g_assert_true (ward_test_fhir_server_fault (server, 503, 3, -1, 0, FALSE, &error));
  g_assert_no_error (error);
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);

  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), ==, 3);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpuint (check_on_server (f, &check), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT max(attempts) FROM outbox"), >=, 2);
}

static void
test_retry_after (Fixture       *f,
                  gconstpointer  unused)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (skip_without_server ())
    return;

  ward_test_make_scored_ward (f->engine, f->t0);
  g_assert_true (ward_test_fhir_server_fault (server, 429, 1, 1, 0, FALSE, &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);

  /* The throttled row waited the server's second, not the 50 ms backoff. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), ==, 1);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
}

static void
test_rejected_parked (Fixture       *f,
                      gconstpointer  unused)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *outcome = NULL;
  g_autofree char *last_error = NULL;
  CheckData check = { .skip_type = "Observation", .skip_id = "bogus-1" };
  const char *bogus = "{\"resourceType\":\"Observation\",\"id\":\"bogus-1\",\"status\":\"bogus\","
                      "\"code\":{\"text\":\"test\"}}";
  gboolean changed = FALSE;
  guint status;

  if (skip_without_server ())
    return;

  g_assert_true (ward_store_begin (f->store, &error));
  g_assert_true (ward_store_put_resource (f->store, "Observation", "bogus-1", bogus, f->t0 - SEC,
                                          &changed, &error));
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
  ward_test_make_scored_ward (f->engine, f->t0);

  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);

  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 1);
  reason = _ward_store_query_text (f->store, "SELECT last_error FROM outbox WHERE id = 'bogus-1'", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (reason, "HTTP 400"));
  g_assert_nonnull (strstr (reason, "status"));
  outcome = _ward_store_query_text (f->store, "SELECT operation_outcome FROM outbox WHERE id = 'bogus-1'", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (outcome, "\"OperationOutcome\""));
  last_error = ward_fhir_sync_dup_last_error (f->sync);
  g_assert_nonnull (last_error);

  status = ward_test_fhir_server_request (server, "GET", "/fhir/R4/Observation/bogus-1", NULL, NULL,
                                          NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpuint (check_on_server (f, &check), ==,
                    query_int (f, "SELECT count(*) FROM fhir_resources") - 1);
}

static void
test_garbage_retried (Fixture       *f,
                      gconstpointer  unused)
{
  g_autoptr(GError) error = NULL;
  CheckData check = { 0 };

  if (skip_without_server ())
    return;

  ward_test_make_scored_ward (f->engine, f->t0);
  g_assert_true (ward_test_fhir_server_fault (server, 0, 2, -1, 0, TRUE, &error));
  g_assert_no_error (error);
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);

  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), ==, 2);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpuint (check_on_server (f, &check), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
}

static void
test_stop_keeps_pending (Fixture       *f,
                         gconstpointer  unused)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (skip_without_server ())
    return;

  ward_test_make_scored_ward (f->engine, f->t0);
  /* Every request hangs: the last attempt is bounded and nothing is lost. */
  g_assert_true (ward_test_fhir_server_fault (server, 0, 1000, -1, 3000, FALSE, &error));
  g_assert_no_error (error);
  ward_fhir_sync_start (f->sync);
  start = g_get_monotonic_time ();
  ward_fhir_sync_flush_and_stop (f->sync, 300);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (ward_test_n_pending (f->store), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state <> 'pending'"), ==, 0);
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"count\":0}", &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (ward_test_fhir_server_skip_reason () == NULL)
    {
      server = ward_test_fhir_server_new (NULL, &error);
      g_assert_no_error (error);
    }

  g_test_add ("/fhir-sync/all", Fixture, NULL, fixture_set_up, test_sync_all, fixture_tear_down);
  g_test_add ("/fhir-sync/server-down", Fixture, NULL, fixture_set_up, test_server_down, fixture_tear_down);
  g_test_add ("/fhir-sync/transient-503", Fixture, NULL, fixture_set_up, test_transient_503, fixture_tear_down);
  g_test_add ("/fhir-sync/retry-after", Fixture, NULL, fixture_set_up, test_retry_after, fixture_tear_down);
  g_test_add ("/fhir-sync/rejected-parked", Fixture, NULL, fixture_set_up, test_rejected_parked, fixture_tear_down);
  g_test_add ("/fhir-sync/garbage-retried", Fixture, NULL, fixture_set_up, test_garbage_retried, fixture_tear_down);
  g_test_add ("/fhir-sync/stop-keeps-pending", Fixture, NULL, fixture_set_up, test_stop_keeps_pending, fixture_tear_down);

  ret = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return ret;
}
