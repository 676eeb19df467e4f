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
#include "ward-fhir-template.h"
#include "ward-test-fhir-server.h"
#include "ward-test-store.h"
#include "ward-test-ward.h"
#include "ward-store-private.h"

#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE

static WardTestFhirServer *server;
static GHashTable *connector_created;  /* what the connector made: "PORT/fhir/R4/Type/id" */

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
  f->path = ward_test_db_new ("ward-fhir-sync", &f->dir);
  f->store = ward_test_store_open (f->path);
  ward_engine_config_init (&config);
  f->engine = ward_engine_new (f->store, &config);

  ward_test_engine_add_beds (f->engine, 2, NULL, NULL);

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);
  g_clear_pointer (&connector_created, g_hash_table_unref);

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
  if (f->path == NULL)
    return;
  if (f->sync != NULL)
    ward_fhir_sync_stop (f->sync);
  g_clear_object (&f->sync);
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
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
  return ward_test_query_int (f->store, sql);
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
  /* The server checks references: each went after what it references,
   * even with several single requests in flight, so none was refused.
   */
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), ==, 0);
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
add_resource_key (const char *resource_type,
                  const char *id,
                  gint64      version,
                  const char *json,
                  gpointer    user_data)
{
  g_hash_table_add (user_data, g_strdup_printf ("%s/%s", resource_type, id));
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

  /* ... and the Device, registered again with the new session; and, as
   * the new server checks references, the Patients and monitor Devices
   * that the new resources name, sent again when it refused them for
   * want of those (written before it went down, so not pending).
   */
  g_assert_true (g_hash_table_add (later, g_strdup_printf ("Device/%s", device)));
  g_assert_true (ward_store_foreach_resource (f->store, "Patient", add_resource_key, later, &error));
  g_assert_true (ward_store_foreach_resource (f->store, "Device", add_resource_key, later, &error));
  g_assert_no_error (error);
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

  /* The three faulted requests' rows; a take goes Patients and Devices
   * first, so on a server that checks references the rows naming a
   * faulted one are refused (422) and retried with it, not parked.
   */
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
  /* The throttled row, and on a server that checks references what
   * names it when it is a Patient or Device (a take sends those first).
   */
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

  /* As for 503s: also what names a faulted Patient or Device. */
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
  guint64 reads;
  guint64 n_retried;
  guint64 n_bundles;
  guint64 first;

  if (skip_without_server ())
    return;

  warm_up (f);
  retried = ward_fhir_sync_get_n_retried (f->sync);
  bundles = ward_fhir_sync_get_n_bundles (f->sync);
  reads = ward_fhir_sync_get_n_reads (f->sync);
  ward_test_make_scored_ward (f->engine, f->t0 + 30 * MINUTE);
  g_assert_cmpint (ward_test_n_pending (f->store), >, 3);
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"entries\":true,\"count\":3,\"status\":503}",
                                                   &error));
  g_assert_no_error (error);
  run_until_empty (f, 30);

  /* The three faulted rows; on a server that checks references, also
   * the rows that name a faulted Patient or Device (the Bundle puts
   * those first): refused with 422 and retried with them, not parked.
   */
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync) - retried, >=, 3);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  /* One Bundle with the lot, then the retried.  When the ward's hour
   * is new to the session, its vital-signs Observations are read first,
   * each time in a Bundle of GETs, and those entries take the faults.
   * A retry's delay is jittered (55 ms, 54 ms, 62 ms...), so retried
   * rows due a few milliseconds apart may go in Bundles of their own:
   * at least one Bundle more for the retries, never more than one per
   * retried row.
   */
  n_retried = ward_fhir_sync_get_n_retried (f->sync) - retried;
  n_bundles = ward_fhir_sync_get_n_bundles (f->sync) - bundles;
  first = ward_fhir_sync_get_n_reads (f->sync) == reads ? 1 : 3;
  g_assert_cmpuint (n_bundles, >=, first + 1);
  g_assert_cmpuint (n_bundles, <=, first + n_retried);
  g_assert_cmpuint (check_on_server (f, &check), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_cmpint (server_total (), ==, query_int (f, "SELECT count(*) FROM fhir_resources"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'pending'"), ==, 0);
  /* Each retried row retried once. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE attempts = 2"), ==,
                   ward_fhir_sync_get_n_retried (f->sync) - retried);
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

/* Merging into the connector's Observations */

/* A mapping like the IoMT connector's for a strip of samples: grouped by
 * correlation id, so that two writers' periods of one Observation
 * differ; SampledData every second, and a Quantity component.
 */
static const char strip_mapping[] =
  "{\"templateType\":\"CollectionFhir\",\"template\":[{\"templateType\":\"CodeValueFhir\",\"template\":"
  "{\"typeName\":\"strip\",\"periodInterval\":-1,\"codes\":[{\"code\":\"8867-4\",\"system\":\"http://loinc.org\"}],"
  "\"value\":{\"valueName\":\"v\",\"valueType\":\"SampledData\",\"defaultPeriod\":1000,\"unit\":\"/min\"},"
  "\"components\":[{\"codes\":[{\"code\":\"59408-5\",\"system\":\"http://loinc.org\"}],"
  "\"value\":{\"valueName\":\"q\",\"valueType\":\"Quantity\",\"unit\":\"%\",\"code\":\"%\","
  "\"system\":\"http://unitsofmeasure.org\"}}]}}]}";

static WardFhirTemplate *
strip_template (void)
{
  g_autoptr(GError) error = NULL;
  WardFhirTemplate *mapping = ward_fhir_template_new_from_data (strip_mapping, -1, "strip.json", &error);

  g_assert_no_error (error);
  return mapping;
}

/* The strip of correlation id corr: values a second apart from start
 * (usec; "-" leaves a second out), q at the last one.
 */
static WardObservationGroup *
strip_group (const char         *corr,
             gint64              start,
             const char * const *values,
             const char         *q)
{
  guint n = g_strv_length ((char **) values);
  WardObservationGroup *group = ward_observation_group_new ("strip", "mon-1", "p1",
                                                            start * WARD_FHIR_TICKS_PER_USEC,
                                                            (start + (n - 1) * SEC) * WARD_FHIR_TICKS_PER_USEC);

  group->correlation_id = g_strdup (corr);
  for (guint i = 0; i < n; i++)
    {
      if (!g_str_equal (values[i], "-"))
        ward_observation_group_add_value (group, "v", start + i * SEC, values[i]);
    }
  ward_observation_group_add_value (group, "q", start + (n - 1) * SEC, q);
  return group;
}

/* The group's Observation, merged into existing when not NULL. */
static char *
strip_json (WardFhirTemplate   *mapping,
            const char         *corr,
            gint64              start,
            const char * const *values,
            const char         *q,
            const char         *existing,
            char              **id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardObservationGroup) group = strip_group (corr, start, values, q);
  g_autoptr(JsonNode) old = NULL;
  g_autoptr(JsonNode) observation = NULL;

  if (existing != NULL)
    old = json_from_string (existing, &error);
  g_assert_no_error (error);
  observation = ward_fhir_template_build_observation (mapping, group, old, &error);
  g_assert_no_error (error);
  if (id != NULL)
    *id = g_strdup (json_object_get_string_member (json_node_get_object (observation), "id"));
  return ward_fhir_template_to_json (observation);
}

/* The Patient or Device an Observation's MEMBER names, as the
 * connector's Create mode makes it before the Observation (the server
 * checks references): a minimal resource under that id.
 */
static void
connector_create (JsonObject *observation,
                  const char *member)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_auto(GStrv) parts = NULL;
  JsonObject *ref;
  guint status;

  if (!json_object_has_member (observation, member))
    return;
  ref = json_object_get_object_member (observation, member);
  parts = g_strsplit (json_object_get_string_member (ref, "reference"), "/", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  path = g_strdup_printf ("/fhir/R4/%s/%s", parts[0], parts[1]);
  /* Once per server run: the merge tests time the connector's later
   * writes against ours, so those are one request each.
   */
  if (connector_created == NULL)
    connector_created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!g_hash_table_add (connector_created, g_strdup_printf ("%u%s", ward_test_fhir_server_get_port (server), path)))
    return;
  body = g_strdup_printf ("{\"resourceType\":\"%s\",\"id\":\"%s\"}", parts[0], parts[1]);
  status = ward_test_fhir_server_request (server, "PUT", path, NULL, body, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (status == 200 || status == 201);
}

/* The connector writes its copy: PUT, as the MedTech service does. */
static void
connector_put (const char *id,
               const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/Observation/%s", id);
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  guint status;

  g_assert_no_error (error);
  connector_create (json_node_get_object (node), "subject");
  connector_create (json_node_get_object (node), "device");

  status = ward_test_fhir_server_request (server, "PUT", path, NULL, json, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (status == 200 || status == 201);
}

static JsonNode *
server_observation (const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/Observation/%s", id);
  g_autofree char *body = NULL;
  JsonNode *node;
  guint status;

  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_test_message ("server: %.1500s", body);
  node = json_from_string (body, &error);
  g_assert_no_error (error);
  return node;
}

static JsonNode *
local_observation (Fixture    *f,
                   const char *id,
                   gint64     *version)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ward_store_get_resource (f->store, "Observation", id, version, &error);
  JsonNode *node;

  g_assert_no_error (error);
  g_assert_nonnull (json);
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  return node;
}

static void
store_ours (Fixture    *f,
            const char *id,
            const char *json)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  g_assert_true (ward_store_begin (f->store, &error));
  /* As the engine does in local identity: the Patient and Device the
   * Observation names, first (the server checks references), unless the
   * connector made them on the server already.
   */
  {
    g_autoptr(JsonNode) node = json_from_string (json, &error);
    const char *members[] = { "subject", "device" };

    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (members); i++)
      {
        JsonObject *obj = json_node_get_object (node);
        g_auto(GStrv) parts = NULL;
        g_autofree char *body = NULL;

        if (!json_object_has_member (obj, members[i]))
          continue;
        parts = g_strsplit (json_object_get_string_member (json_object_get_object_member (obj, members[i]),
                                                           "reference"), "/", 2);
        if (connector_created != NULL)
          {
            g_autofree char *key = g_strdup_printf ("%u/fhir/R4/%s/%s",
                                                    ward_test_fhir_server_get_port (server),
                                                    parts[0], parts[1]);

            if (g_hash_table_contains (connector_created, key))
              continue;
          }
        body = g_strdup_printf ("{\"resourceType\":\"%s\",\"id\":\"%s\"}", parts[0], parts[1]);
        g_assert_true (ward_store_put_resource (f->store, parts[0], parts[1], body, g_get_real_time (),
                                                NULL, &error));
      }
  }
  g_assert_true (ward_store_put_resource (f->store, "Observation", id, json, g_get_real_time (), &changed,
                                          &error));
  g_assert_true (ward_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  ward_fhir_sync_notify (f->sync);
}

static const char *
member_string (JsonNode   *node,
               const char *object,
               const char *member)
{
  JsonObject *root = json_node_get_object (node);

  if (object != NULL)
    root = json_object_get_object_member (root, object);
  return json_object_get_string_member_with_default (root, member, NULL);
}

static const char *
sampled_data (JsonNode *node)
{
  return member_string (node, "valueSampledData", "data");
}

static double
component_quantity (JsonNode *node)
{
  JsonArray *components = json_object_get_array_member (json_node_get_object (node), "component");
  JsonObject *component;

  g_assert_nonnull (components);
  g_assert_cmpuint (json_array_get_length (components), ==, 1);
  component = json_array_get_object_element (components, 0);
  return json_object_get_double_member (json_object_get_object_member (component, "valueQuantity"), "value");
}

/* The server's copy and ours are the same, but for server meta. */
static void
assert_local_is_server (Fixture    *f,
                        const char *id)
{
  g_autoptr(JsonNode) on_server = server_observation (id);
  g_autoptr(JsonNode) local = local_observation (f, id, NULL);

  json_object_remove_member (json_node_get_object (on_server), "meta");
  json_object_remove_member (json_node_get_object (local), "meta");
  g_assert_true (json_node_equal (on_server, local));
}

/* Versions 1..n of an Observation on the server, by their status. */
static char *
history_statuses (const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/Observation/%s/_history", id);
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  JsonArray *entries;
  guint n;

  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error),
                    ==, 200);
  g_assert_no_error (error);
  root = json_from_string (body, &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (root), "entry");
  n = json_array_get_length (entries);
  g_ptr_array_set_size (parts, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *resource = json_object_get_object_member (json_array_get_object_element (entries, i),
                                                            "resource");
      const char *version = json_object_get_string_member (json_object_get_object_member (resource, "meta"),
                                                           "versionId");
      guint64 v = g_ascii_strtoull (version, NULL, 10);

      g_assert_cmpuint (v, >=, 1);
      g_assert_cmpuint (v, <=, n);
      g_free (parts->pdata[v - 1]);
      parts->pdata[v - 1] = g_strdup_printf ("%s:%s", version, json_object_get_string_member (resource, "status"));
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" ", (char **) parts->pdata);
}

/* Pending rows sent, no request in flight. */
static void
settle (Fixture *f)
{
  run_until_empty (f, 30);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 0);
}

/* The connector wrote the Observation first (seconds 0-4); ours (3-7)
 * is merged into it: one resource, the period of both, our values at 3
 * and 4, the newer Quantity, amended; the local copy is the server's.
 * Then ours changes again: written with If-Match, no GET.
 */
static void
test_merge_connector (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardFhirTemplate) mapping = NULL;
  g_autoptr(JsonNode) merged = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) local = NULL;
  g_autofree char *id = NULL;
  g_autofree char *our_id = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *ours2 = NULL;
  g_autofree char *local_json = NULL;
  g_autofree char *history = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  const char * const their_values[] = { "1", "2", "3", "4", "5", NULL };
  const char * const our_values[] = { "30", "40", "50", "60", "70", NULL };
  const char * const later_values[] = { "80", NULL };
  gint64 version = 0;
  gint64 gets;

  if (skip_without_server ())
    return;

  mapping = strip_template ();
  ward_fhir_sync_set_template (f->sync, mapping);
  theirs = strip_json (mapping, "c1", f->t0, their_values, "90", NULL, &id);
  ours = strip_json (mapping, "c1", f->t0 + 3 * SEC, our_values, "95", NULL, &our_id);
  g_assert_cmpstr (id, ==, our_id);

  connector_put (id, theirs);
  store_ours (f, id, ours);
  ward_fhir_sync_start (f->sync);
  settle (f);
  /* Read once (one row: a GET, not a Bundle). */
  g_assert_cmpint (server_requests ("Observation", "GET"), ==, 1);

  merged = server_observation (id);
  start = ward_fhir_template_format_ticks (f->t0 * WARD_FHIR_TICKS_PER_USEC);
  end = ward_fhir_template_format_ticks ((f->t0 + 7 * SEC) * WARD_FHIR_TICKS_PER_USEC);
  g_assert_cmpstr (member_string (merged, "effectivePeriod", "start"), ==, start);
  g_assert_cmpstr (member_string (merged, "effectivePeriod", "end"), ==, end);
  g_assert_cmpstr (sampled_data (merged), ==, "1 2 3 30 40 50 60 70");
  g_assert_cmpfloat (component_quantity (merged), ==, 95);
  g_assert_cmpstr (member_string (merged, NULL, "status"), ==, "amended");
  history = history_statuses (id);
  g_assert_cmpstr (history, ==, "1:final 2:amended");
  g_assert_cmpuint (ward_fhir_sync_get_n_reads (f->sync), ==, 1);
  g_assert_cmpuint (ward_fhir_sync_get_n_conflicts (f->sync), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (server_stats (), "resources"),
                                               "Observation"), ==, 1);

  /* The local copy is the server's, at the same local version, and
   * nothing new is queued for it.
   */
  assert_local_is_server (f, id);
  local = local_observation (f, id, &version);
  g_assert_cmpint (version, ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE state = 'pending'"), ==, 0);

  /* Ours again, merged into the local copy as the engine does: sent
   * with the version the server gave, without reading it first.
   */
  local_json = json_to_string (local, FALSE);
  ours2 = strip_json (mapping, "c1", f->t0 + 8 * SEC, later_values, "96", local_json, NULL);
  gets = server_requests ("Observation", "GET");
  store_ours (f, id, ours2);
  settle (f);
  g_assert_cmpint (server_requests ("Observation", "GET"), ==, gets);
  again = server_observation (id);
  g_assert_cmpstr (sampled_data (again), ==, "1 2 3 30 40 50 60 70 80");
  g_assert_cmpfloat (component_quantity (again), ==, 96);
  g_clear_pointer (&history, g_free);
  history = history_statuses (id);
  g_assert_cmpstr (history, ==, "1:final 2:amended 3:amended");
  g_assert_cmpuint (ward_fhir_sync_get_n_reads (f->sync), ==, 1);
  assert_local_is_server (f, id);
}

/* Iterates the main context until the server has seen n requests of
 * METHOD on TYPE.
 */
static void
run_until_requests (const char *type,
                    const char *method,
                    gint64      n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (server_requests (type, method) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
}

/* The connector writes again between our read and our write (the
 * server holds our requests back for a while): 412, read and merged
 * again, nothing of either lost.  In batch mode a second Observation
 * in the same Bundle goes through at once.
 */
static void
test_merge_conflict (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardFhirTemplate) mapping = NULL;
  g_autoptr(JsonNode) merged = NULL;
  g_autoptr(JsonNode) other = NULL;
  g_autofree char *id = NULL;
  g_autofree char *other_id = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *theirs2 = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *their_other = NULL;
  g_autofree char *our_other = NULL;
  g_autofree char *history = NULL;
  g_autofree char *start = NULL;
  const char * const their_values[] = { "1", "2", "3", "4", "5", NULL };
  const char * const their_later[] = { "-", "-", "22", "-", "44", NULL };
  const char * const our_values[] = { "30", "40", "50", "60", "70", NULL };

  if (skip_without_server ())
    return;

  mapping = strip_template ();
  ward_fhir_sync_set_template (f->sync, mapping);
  /* The session's setup (metadata, the Device) out of the way. */
  ward_fhir_sync_start (f->sync);
  run_for (300);

  theirs = strip_json (mapping, "c1", f->t0, their_values, "90", NULL, &id);
  ours = strip_json (mapping, "c1", f->t0 + 3 * SEC, our_values, "95", NULL, NULL);
  connector_put (id, theirs);
  if (!SINGLE (data))
    {
      their_other = strip_json (mapping, "c2", f->t0, their_values, "90", NULL, &other_id);
      our_other = strip_json (mapping, "c2", f->t0 + 3 * SEC, our_values, "95", NULL, NULL);
      connector_put (other_id, their_other);
    }

  /* Our read and our write each wait 500 ms at the server. */
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"delayMs\":500,\"count\":2}", &error));
  g_assert_no_error (error);
  if (!SINGLE (data))
    store_ours (f, other_id, our_other);
  store_ours (f, id, ours);
  ward_fhir_sync_kick (f->sync);

  /* Our write is at the server, waiting: the connector's comes first,
   * a second before ours and 22 and 44 at seconds 1 and 3.
   */
  if (SINGLE (data))
    run_until_requests ("Observation", "PUT", 2);
  else
    run_until_requests ("(system)", "POST", 2);
  theirs2 = strip_json (mapping, "c1", f->t0 - SEC, their_later, "91", theirs, NULL);
  connector_put (id, theirs2);

  settle (f);
  g_assert_cmpuint (ward_fhir_sync_get_n_conflicts (f->sync), ==, 1);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), ==, 0);
  /* Read before the write and after the 412; in batch mode the first
   * reads (both Observations) and writes are Bundles, and the one in
   * conflict goes on alone.
   */
  g_assert_cmpuint (ward_fhir_sync_get_n_reads (f->sync), ==, SINGLE (data) ? 2 : 3);
  g_assert_cmpint (server_requests ("Observation", "GET"), ==, SINGLE (data) ? 2 : 1);
  g_assert_cmpint (server_requests ("(system)", "POST"), ==, SINGLE (data) ? 0 : 2);

  merged = server_observation (id);
  start = ward_fhir_template_format_ticks ((f->t0 - SEC) * WARD_FHIR_TICKS_PER_USEC);
  g_assert_cmpstr (member_string (merged, "effectivePeriod", "start"), ==, start);
  /* -1 s: none; theirs at 0-2 with 22 at 1; ours at 3-7 (their later 44
   * at 3 lost to ours at the same time).
   */
  g_assert_cmpstr (sampled_data (merged), ==, "E 1 22 3 30 40 50 60 70");
  g_assert_cmpfloat (component_quantity (merged), ==, 95);
  history = history_statuses (id);
  g_assert_cmpstr (history, ==, "1:final 2:amended 3:amended");
  assert_local_is_server (f, id);

  if (!SINGLE (data))
    {
      g_autofree char *other_history = history_statuses (other_id);

      other = server_observation (other_id);
      g_assert_cmpstr (sampled_data (other), ==, "1 2 3 30 40 50 60 70");
      g_assert_cmpstr (other_history, ==, "1:final 2:amended");
      assert_local_is_server (f, other_id);
    }
}

/* A new session knows no versions: it reads first (the connector wrote
 * meanwhile), merges, writes with If-Match, and after that writes
 * without reading.
 */
static void
test_merge_restart (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(WardFhirTemplate) mapping = NULL;
  g_autoptr(JsonNode) local = NULL;
  g_autoptr(JsonNode) merged = NULL;
  g_autofree char *id = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *ours2 = NULL;
  g_autofree char *ours3 = NULL;
  g_autofree char *local_json = NULL;
  g_autofree char *on_server = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *history = NULL;
  const char * const our_values[] = { "30", "40", NULL };
  const char * const their_values[] = { "-", "-", "7", NULL };
  const char * const more[] = { "50", NULL };
  const char * const last[] = { "60", NULL };

  if (skip_without_server ())
    return;

  mapping = strip_template ();
  ward_fhir_sync_set_template (f->sync, mapping);
  ours = strip_json (mapping, "c1", f->t0, our_values, "95", NULL, &id);
  store_ours (f, id, ours);
  ward_fhir_sync_start (f->sync);
  settle (f);
  g_assert_cmpuint (ward_fhir_sync_get_n_reads (f->sync), ==, 1);
  ward_fhir_sync_stop (f->sync);
  g_clear_object (&f->sync);

  /* While we are away the connector adds a sample at 2 s. */
  {
    g_autoptr(JsonNode) current = server_observation (id);

    json_object_remove_member (json_node_get_object (current), "meta");
    on_server = json_to_string (current, FALSE);
    theirs = strip_json (mapping, "c1", f->t0, their_values, "91", on_server, NULL);
    connector_put (id, theirs);
  }

  /* Ours changes too (a sample at 3 s), and a new session starts. */
  local = local_observation (f, id, NULL);
  local_json = json_to_string (local, FALSE);
  ours2 = strip_json (mapping, "c1", f->t0 + 3 * SEC, more, "96", local_json, NULL);
  f->sync = ward_fhir_sync_new (f->store, ward_test_fhir_server_get_base_url (server), NULL);
  ward_fhir_sync_set_backoff (f->sync, 50, 400);
  ward_fhir_sync_set_interval (f->sync, 100);
  if (SINGLE (data))
    ward_fhir_sync_set_batch_size (f->sync, 1);
  ward_fhir_sync_set_template (f->sync, mapping);
  store_ours (f, id, ours2);
  ward_fhir_sync_start (f->sync);
  settle (f);
  g_assert_cmpuint (ward_fhir_sync_get_n_reads (f->sync), ==, 1);
  g_assert_cmpuint (ward_fhir_sync_get_n_conflicts (f->sync), ==, 0);
  merged = server_observation (id);
  g_assert_cmpstr (sampled_data (merged), ==, "30 40 7 50");
  g_assert_cmpfloat (component_quantity (merged), ==, 96);
  assert_local_is_server (f, id);

  /* Known now: the next write goes with If-Match, unread. */
  g_clear_pointer (&local, json_node_unref);
  local = local_observation (f, id, NULL);
  g_free (local_json);
  local_json = json_to_string (local, FALSE);
  ours3 = strip_json (mapping, "c1", f->t0 + 4 * SEC, last, "97", local_json, NULL);
  store_ours (f, id, ours3);
  settle (f);
  g_assert_cmpuint (ward_fhir_sync_get_n_reads (f->sync), ==, 1);
  g_clear_pointer (&merged, json_node_unref);
  merged = server_observation (id);
  g_assert_cmpstr (sampled_data (merged), ==, "30 40 7 50 60");
  history = history_statuses (id);
  g_assert_cmpstr (history, ==, "1:final 2:amended 3:amended 4:amended");
}

/* The engine updates our Observation while its merge is on the way to
 * the server: the newer local version is merged into the server's copy
 * (the first four seconds, the connector's, are kept) and goes next,
 * with If-Match, unread.
 */
static void
test_merge_local_moved_on (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardFhirTemplate) mapping = NULL;
  g_autoptr(JsonNode) merged = NULL;
  g_autofree char *id = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *ours2 = NULL;
  g_autofree char *history = NULL;
  const char * const their_values[] = { "1", "2", "3", "4", "5", NULL };
  const char * const our_values[] = { "30", "40", "50", "60", "70", NULL };
  const char * const later_values[] = { "80", NULL };
  gint64 version = 0;

  if (skip_without_server ())
    return;

  mapping = strip_template ();
  ward_fhir_sync_set_template (f->sync, mapping);
  ward_fhir_sync_start (f->sync);
  run_for (300);

  theirs = strip_json (mapping, "c1", f->t0, their_values, "90", NULL, &id);
  ours = strip_json (mapping, "c1", f->t0 + 3 * SEC, our_values, "95", NULL, NULL);
  connector_put (id, theirs);
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"delayMs\":400,\"count\":2}", &error));
  g_assert_no_error (error);
  store_ours (f, id, ours);
  ward_fhir_sync_kick (f->sync);
  run_until_requests ("Observation", "PUT", 2);

  /* Merged into what the engine had, not the server's copy. */
  ours2 = strip_json (mapping, "c1", f->t0 + 8 * SEC, later_values, "96", ours, NULL);
  store_ours (f, id, ours2);
  settle (f);

  g_assert_cmpuint (ward_fhir_sync_get_n_reads (f->sync), ==, 1);
  g_assert_cmpuint (ward_fhir_sync_get_n_conflicts (f->sync), ==, 0);
  merged = server_observation (id);
  g_assert_cmpstr (sampled_data (merged), ==, "1 2 3 30 40 50 60 70 80");
  g_assert_cmpfloat (component_quantity (merged), ==, 96);
  history = history_statuses (id);
  g_assert_cmpstr (history, ==, "1:final 2:amended 3:amended");
  assert_local_is_server (f, id);
  g_clear_pointer (&merged, json_node_unref);
  merged = local_observation (f, id, &version);
  g_assert_cmpint (version, ==, 2);
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
  ADD ("/fhir-sync/batch/merge-connector", test_merge_connector, "batch");
  ADD ("/fhir-sync/single/merge-connector", test_merge_connector, "single");
  ADD ("/fhir-sync/batch/merge-conflict", test_merge_conflict, "batch");
  ADD ("/fhir-sync/single/merge-conflict", test_merge_conflict, "single");
  ADD ("/fhir-sync/batch/merge-restart", test_merge_restart, "batch");
  ADD ("/fhir-sync/single/merge-restart", test_merge_restart, "single");
  ADD ("/fhir-sync/single/merge-local-moved-on", test_merge_local_moved_on, "single");
#undef ADD

  ret = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return ret;
}
