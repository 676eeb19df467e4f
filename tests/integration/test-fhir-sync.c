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
#include "ward-fhir-resources.h"
#include "ward-fhir-sync.h"
#include "ward-test-fhir-server.h"
#include "ward-test-ward.h"

#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE

static WardTestFhirServer *server;

/* The fixture's data: "batch" (the default: the server offers batch) or
 * "single" (batch size 1: one PUT per row).
 */
#define SINGLE(data) (g_strcmp0 ((data), "single") == 0)

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
  if (SINGLE (data))
    ward_fhir_sync_set_batch_size (f->sync, 1);
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

static JsonObject *
server_stats (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = ward_test_fhir_server_dup_stats (server, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, stats, -1, &error));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Requests of METHOD on a type ("(system)" for Bundles) since the reset. */
static gint64
server_requests (const char *type,
                 const char *method)
{
  g_autoptr(JsonObject) stats = server_stats ();
  JsonObject *by_type = json_object_get_object_member (stats, "byType");

  if (!json_object_has_member (by_type, type))
    return 0;
  return json_object_get_int_member_with_default (json_object_get_object_member (by_type, type),
                                                  method, 0);
}

static char *
device_id (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *installation_id = ward_store_get_installation_id (f->store, &error);

  g_assert_no_error (error);
  return ward_fhir_device_id (installation_id);
}

/* Steady state: the ward synced once, the session's metadata read and
 * the Device registered; faults injected after this hit resource writes.
 */
static void
warm_up (Fixture *f)
{
  ward_test_make_scored_ward (f->engine, f->t0);
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);
  g_assert_true (ward_fhir_sync_get_device_registered (f->sync));
}

static void
test_sync_all (Fixture       *f,
               gconstpointer  data)
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
  check.exactly_one_version = TRUE;
  g_assert_cmpuint (check_on_server (f, &check), ==, n_resources);
  g_assert_true (g_hash_table_contains (types, "Observation"));
  g_assert_true (g_hash_table_contains (types, "RiskAssessment"));
  g_assert_true (g_hash_table_contains (types, "Device"));
  g_assert_true (g_hash_table_contains (types, "Flag"));
  g_assert_cmpint (server_total (), ==, n_resources);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_sent (f->sync), >=, n_resources);
  g_assert_true (ward_fhir_sync_get_device_registered (f->sync));
  g_assert_cmpint (server_requests ("metadata", "GET"), ==, 1);

  if (SINGLE (data))
    {
      g_assert_false (ward_fhir_sync_get_batch_allowed (f->sync));
      g_assert_cmpuint (ward_fhir_sync_get_n_bundles (f->sync), ==, 0);
      g_assert_cmpint (server_requests ("(system)", "POST"), ==, 0);
    }
  else
    {
      /* Everything but the Device, registered first, in Bundles; far
       * fewer requests than resources.
       */
      g_assert_true (ward_fhir_sync_get_batch_allowed (f->sync));
      g_assert_cmpuint (ward_fhir_sync_get_n_bundles (f->sync), >=, 1);
      g_assert_cmpint (server_requests ("(system)", "POST"), ==, ward_fhir_sync_get_n_bundles (f->sync));
      g_assert_cmpint (server_requests ("Observation", "PUT"), ==, 0);
      g_assert_cmpint (server_requests ("Device", "PUT"), ==, 1);
      g_assert_cmpuint (ward_fhir_sync_get_n_bundles (f->sync), <, n_resources / 2);
    }
}

static void
add_pending_key (const WardOutboxEntry *entry,
                 gpointer               user_data)
{
  g_hash_table_add (user_data, g_strdup_printf ("%s/%s", entry->resource_type, entry->id));
}

static void
test_server_down (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) later = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *device = NULL;
  CheckData check = { 0 };
  guint64 retried;

  if (skip_without_server ())
    return;

  ward_test_make_scored_ward (f->engine, f->t0);
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);
  device = device_id (f);

  ward_test_fhir_server_stop (server);
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  g_assert_true (ward_store_outbox_next (f->store, G_MAXINT64, 100000, add_pending_key, later, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (later), >, 0);

  g_assert_cmpint (ward_fhir_sync_get_failing_since (f->sync), ==, 0);
  retried = ward_fhir_sync_get_n_retried (f->sync);
  run_for (1500);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), >, retried);
  /* The window's warning: not taking resources since the first failure. */
  g_assert_cmpint (ward_fhir_sync_get_failing_since (f->sync), >, 0);
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
  if (SINGLE (data))
    ward_fhir_sync_set_batch_size (f->sync, 1);
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);
  g_assert_cmpint (ward_fhir_sync_get_failing_since (f->sync), ==, 0);

  /* ... and the Device, registered again with the new session. */
  g_assert_true (g_hash_table_add (later, g_strdup_printf ("Device/%s", device)));
  check.only = later;
  check.exactly_one_version = TRUE;
  g_assert_cmpuint (check_on_server (f, &check), ==, g_hash_table_size (later));
  g_assert_cmpint (server_total (), ==, g_hash_table_size (later));
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
}

/* Faults on whole requests (a single PUT, or a whole Bundle): every row
 * in them is retried.
 */
static void
test_transient_503 (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CheckData check = { 0 };
  guint64 retried;

  if (skip_without_server ())
    return;

  warm_up (f);
  retried = ward_fhir_sync_get_n_retried (f->sync);
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  g_assert_true (ward_test_fhir_server_fault (server, 503, 3, -1, 0, FALSE, &error));
  g_assert_no_error (error);
  run_until_empty (f, 30);

  if (SINGLE (data))
    g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync) - retried, ==, 3);
  else
    g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync) - retried, >=, 3);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpuint (check_on_server (f, &check), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_cmpint (server_total (), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT max(attempts) FROM outbox"), >=, 2);
}

static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start;
  guint64 retried;

  if (skip_without_server ())
    return;

  warm_up (f);
  retried = ward_fhir_sync_get_n_retried (f->sync);
  g_assert_true (ward_test_fhir_server_fault (server, 429, 1, 1, 0, FALSE, &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  ward_fhir_sync_kick (f->sync);
  run_until_empty (f, 30);

  /* The throttled rows waited the server's second, not the 50 ms backoff. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  if (SINGLE (data))
    g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync) - retried, ==, 1);
  else
    g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync) - retried, >=, 1);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
}

static void
test_rejected_parked (Fixture       *f,
                      gconstpointer  data)
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
  /* Counted for the window, which is no outage: the server answered. */
  g_assert_cmpint (ward_store_outbox_get_n_failed (f->store, &error), ==, 1);
  g_assert_cmpint (ward_fhir_sync_get_failing_since (f->sync), ==, 0);
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
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CheckData check = { 0 };
  guint64 retried;

  if (skip_without_server ())
    return;

  warm_up (f);
  retried = ward_fhir_sync_get_n_retried (f->sync);
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  g_assert_true (ward_test_fhir_server_fault (server, 0, 2, -1, 0, TRUE, &error));
  g_assert_no_error (error);
  run_until_empty (f, 30);

  if (SINGLE (data))
    g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync) - retried, ==, 2);
  else
    g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync) - retried, >=, 2);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpuint (check_on_server (f, &check), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  /* A garbled answer is never taken as a refusal of batch. */
  if (!SINGLE (data))
    g_assert_true (ward_fhir_sync_get_batch_allowed (f->sync));
}

/* Faults on entries inside a batch Bundle: those rows are retried, the
 * Bundle's other rows are sent.
 */
static void
test_batch_entry_faults (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CheckData check = { 0 };
  guint64 retried;
  guint64 bundles;

  if (skip_without_server ())
    return;

  warm_up (f);
  retried = ward_fhir_sync_get_n_retried (f->sync);
  bundles = ward_fhir_sync_get_n_bundles (f->sync);
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  g_assert_cmpint (ward_test_n_pending (f->store), >, 3);
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"entries\":true,\"count\":3,\"status\":503}",
                                                   &error));
  g_assert_no_error (error);
  run_until_empty (f, 30);

  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync) - retried, ==, 3);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  /* One Bundle with the lot, one with the three retried. */
  g_assert_cmpuint (ward_fhir_sync_get_n_bundles (f->sync) - bundles, ==, 2);
  g_assert_cmpuint (check_on_server (f, &check), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_cmpint (server_total (), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'pending'"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE attempts = 2"), ==, 3);
}

/* The Device goes first in a session, although its outbox row is not the
 * oldest, before anything that references it.
 */
static void
test_device_first (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *first = NULL;
  g_autofree char *path = NULL;
  g_autofree char *log = NULL;
  g_autofree char *device_put = NULL;
  const char *log_start;
  const char *device_at;
  const char *other_at;
  gsize log_offset;
  gboolean changed = FALSE;
  guint status;
  const char *older = "{\"resourceType\":\"Observation\",\"id\":\"older-1\",\"status\":\"final\","
                      "\"code\":{\"text\":\"older than the Device\"}}";

  if (skip_without_server ())
    return;

  g_assert_true (ward_store_begin (f->store, &error));
  g_assert_true (ward_store_put_resource (f->store, "Observation", "older-1", older,
                                          f->t0 - WARD_USEC_PER_HOUR, &changed, &error));
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
  ward_test_make_scored_ward (f->engine, f->t0);

  id = device_id (f);
  first = _ward_store_query_text (f->store,
                                  "SELECT resource_type || '/' || id FROM outbox "
                                  "ORDER BY next_attempt_at, seq LIMIT 1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "Observation/older-1");

  log = ward_test_fhir_server_dup_log (server);
  log_offset = strlen (log);
  g_clear_pointer (&log, g_free);

  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);

  path = g_strdup_printf ("/fhir/R4/Device/%s", id);
  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (ward_fhir_sync_get_device_registered (f->sync));
  /* Registered once: its own outbox row was not sent a second time. */
  g_assert_cmpint (server_requests ("Device", "PUT"), ==, 1);

  /* The server's request log (--verbose): the Device's PUT comes before
   * any other write.
   */
  log = ward_test_fhir_server_dup_log (server);
  g_assert_cmpuint (strlen (log), >=, log_offset);
  log_start = log + log_offset;
  device_put = g_strdup_printf ("PUT /fhir/R4/Device/%s ", id);
  device_at = strstr (log_start, device_put);
  g_assert_nonnull (device_at);
  other_at = SINGLE (data) ? strstr (log_start, "PUT /fhir/R4/Observation/")
                           : strstr (log_start, "POST /fhir/R4 ");
  g_assert_nonnull (other_at);
  g_assert_true (device_at < other_at);
}

/* Servers without batch: not offered (never tried) or refused (one try,
 * then single PUTs); everything arrives either way.
 */
static void
test_batch_unavailable (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardTestFhirServer) other = NULL;
  const char *args[] = { "--batch", data, NULL };
  CheckData check = { 0 };
  WardTestFhirServer *main_server = server;
  gint64 n_resources;
  gint64 posts;

  if (skip_without_server ())
    return;

  other = ward_test_fhir_server_new (args, &error);
  g_assert_no_error (error);
  server = other;

  g_clear_object (&f->sync);
  f->sync = ward_fhir_sync_new (f->store, ward_test_fhir_server_get_base_url (other), NULL);
  ward_fhir_sync_set_backoff (f->sync, 50, 400);
  ward_fhir_sync_set_interval (f->sync, 100);
  ward_test_make_scored_ward (f->engine, f->t0);
  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  run_until_empty (f, 30);

  n_resources = query_int (f, "SELECT count(*) FROM fhir_resources");
  check.exactly_one_version = TRUE;
  g_assert_cmpuint (check_on_server (f, &check), ==, n_resources);
  g_assert_cmpint (server_total (), ==, n_resources);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), ==, 0);
  g_assert_false (ward_fhir_sync_get_batch_allowed (f->sync));
  posts = server_requests ("(system)", "POST");
  if (g_str_equal (data, "no"))
    g_assert_cmpint (posts, ==, 0);
  else
    g_assert_cmpint (posts, ==, 1);
  g_assert_cmpuint (ward_fhir_sync_get_n_bundles (f->sync), ==, posts);

  ward_fhir_sync_stop (f->sync);
  server = main_server;
}

/* A server without a CapabilityStatement (404): single PUTs, and it is
 * not asked again in the session.
 */
static void
test_no_capability_statement (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CheckData check = { 0 };

  if (skip_without_server ())
    return;

  g_assert_true (ward_test_fhir_server_fault (server, 404, 1, -1, 0, FALSE, &error));
  g_assert_no_error (error);
  warm_up (f);
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  run_until_empty (f, 30);

  g_assert_false (ward_fhir_sync_get_batch_allowed (f->sync));
  g_assert_cmpuint (ward_fhir_sync_get_n_bundles (f->sync), ==, 0);
  g_assert_cmpint (server_requests ("metadata", "GET"), ==, 1);
  g_assert_cmpint (server_requests ("(system)", "POST"), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), ==, 0);
  g_assert_cmpuint (check_on_server (f, &check), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
}

static void
test_stop_keeps_pending (Fixture       *f,
                         gconstpointer  data)
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

/* An earlier session (or a demo run whose simulated clock was days
 * ahead) left rows waiting a day for a retry: a new session sends them.
 */
static void
test_new_session_retries (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 n;

  if (skip_without_server ())
    return;

  ward_test_make_scored_ward (f->engine, f->t0);
  n = ward_test_n_pending (f->store);
  g_assert_cmpint (n, >, 0);
  g_assert_true (ward_store_begin (f->store, &error));
  g_assert_true (_ward_store_exec (f->store, "UPDATE outbox SET next_attempt_at = "
                                   "next_attempt_at + 86400000000, attempts = 3", &error));
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);

  ward_fhir_sync_start (f->sync);
  run_until_empty (f, 30);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'sent'"), >=, n);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
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
      const char *args[] = { "--verbose", NULL };

      server = ward_test_fhir_server_new (args, &error);
      g_assert_no_error (error);
    }

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/fhir-sync/batch/all", test_sync_all, "batch");
  ADD ("/fhir-sync/single/all", test_sync_all, "single");
  ADD ("/fhir-sync/batch/server-down", test_server_down, "batch");
  ADD ("/fhir-sync/single/server-down", test_server_down, "single");
  ADD ("/fhir-sync/batch/transient-503", test_transient_503, "batch");
  ADD ("/fhir-sync/single/transient-503", test_transient_503, "single");
  ADD ("/fhir-sync/batch/retry-after", test_retry_after, "batch");
  ADD ("/fhir-sync/single/retry-after", test_retry_after, "single");
  ADD ("/fhir-sync/batch/rejected-parked", test_rejected_parked, "batch");
  ADD ("/fhir-sync/single/rejected-parked", test_rejected_parked, "single");
  ADD ("/fhir-sync/batch/garbage-retried", test_garbage_retried, "batch");
  ADD ("/fhir-sync/single/garbage-retried", test_garbage_retried, "single");
  ADD ("/fhir-sync/batch/entry-faults", test_batch_entry_faults, "batch");
  ADD ("/fhir-sync/batch/device-first", test_device_first, "batch");
  ADD ("/fhir-sync/single/device-first", test_device_first, "single");
  ADD ("/fhir-sync/batch/not-offered", test_batch_unavailable, "no");
  ADD ("/fhir-sync/batch/refused", test_batch_unavailable, "refuse");
  ADD ("/fhir-sync/batch/no-capability-statement", test_no_capability_statement, "batch");
  ADD ("/fhir-sync/stop-keeps-pending", test_stop_keeps_pending, "batch");
  ADD ("/fhir-sync/new-session-retries", test_new_session_retries, "batch");
#undef ADD

  ret = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return ret;
}
