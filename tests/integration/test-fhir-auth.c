/* test-fhir-auth.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-fhir-auth.h"
#include "ward-fhir-sync.h"
#include "ward-test-fhir-server.h"
#include "ward-test-store.h"
#include "ward-test-ward.h"

#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE
/* Short, so that renewal happens within the test (renewed 1 s early). */
#define TOKEN_LIFETIME "4"

static WardTestFhirServer *server;
static char *key_dir;
static char *rs_key;
static char *es_key;
static const char *skip_reason;

typedef struct
{
  char         *dir;
  char         *path;
  WardStore    *store;
  WardEngine   *engine;
  WardFhirSync *sync;
  WardFhirAuth *auth;
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

  f->t0 = (g_get_real_time () / step) * step - 2 * WARD_USEC_PER_HOUR;
  f->path = ward_test_db_new ("ward-fhir-auth", &f->dir);
  f->store = ward_test_store_open (f->path);
  ward_engine_config_init (&config);
  f->engine = ward_engine_new (f->store, &config);

  ward_test_engine_add_beds (f->engine, 2, NULL, NULL);

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);
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
  g_clear_object (&f->auth);
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

static gboolean
skip_without_server (void)
{
  if (server == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no FHIR test server");
      return TRUE;
    }
  return FALSE;
}

static void
start_sync (Fixture    *f,
            const char *client_id,
            const char *key)
{
  g_autoptr(GError) error = NULL;

  f->auth = ward_fhir_auth_new_smart (ward_test_fhir_server_get_base_url (server), client_id, key,
                                      NULL, NULL, &error);
  g_assert_no_error (error);
  f->sync = ward_fhir_sync_new (f->store, ward_test_fhir_server_get_base_url (server), NULL);
  ward_fhir_sync_set_auth (f->sync, f->auth);
  ward_fhir_sync_set_backoff (f->sync, 50, 400);
  ward_fhir_sync_set_interval (f->sync, 100);
  ward_fhir_sync_set_timeout (f->sync, 5);
  ward_fhir_sync_start (f->sync);
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

static JsonObject *
server_stats (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = ward_test_fhir_server_dup_stats (server, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, stats, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
stat_int (const char *name)
{
  g_autoptr(JsonObject) stats = server_stats ();

  return json_object_get_int_member_with_default (stats, name, -1);
}

/* Every row sent and on the server, none parked. */
static void
assert_all_arrived (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gint64 n_rows = _ward_store_query_int (f->store, "SELECT count(*) FROM outbox", &error);

  g_assert_no_error (error);
  g_assert_cmpint (n_rows, >, 0);
  g_assert_cmpint (ward_test_n_pending (f->store), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpint (_ward_store_query_int (f->store,
                                          "SELECT count(*) FROM outbox WHERE state <> 'sent'",
                                          &error), ==, 0);
  g_assert_cmpint (stat_int ("total"), >, 0);
}

static void
test_smart (Fixture       *f,
            gconstpointer  data)
{
  const char *alg = data;
  gint64 issued_before;

  if (skip_without_server ())
    return;

  issued_before = stat_int ("tokensIssued");
  start_sync (f, g_str_equal (alg, "RS384") ? "ward-rs" : "ward-es",
              g_str_equal (alg, "RS384") ? rs_key : es_key);
  g_assert_cmpstr (ward_fhir_auth_get_algorithm (f->auth), ==, alg);
  ward_test_make_scored_ward (f->engine, f->t0);
  run_until_empty (f, 30);
  assert_all_arrived (f);
  g_assert_cmpuint (ward_fhir_auth_get_n_requests (f->auth), >=, 1);
  g_assert_cmpint (stat_int ("tokensIssued") - issued_before, ==,
                   ward_fhir_auth_get_n_requests (f->auth));
}

static void
test_reuse_and_renew (Fixture       *f,
                      gconstpointer  unused)
{
  gint64 issued_before;

  if (skip_without_server ())
    return;

  issued_before = stat_int ("tokensIssued");
  start_sync (f, "ward-rs", rs_key);
  ward_test_make_scored_ward (f->engine, f->t0);
  run_until_empty (f, 30);
  g_assert_cmpuint (ward_fhir_auth_get_n_requests (f->auth), ==, 1);

  /* Well within the token's life: the cached one is used. */
  ward_test_make_scored_ward (f->engine, f->t0 + 10 * MINUTE);
  run_until_empty (f, 30);
  g_assert_cmpuint (ward_fhir_auth_get_n_requests (f->auth), ==, 1);

  /* Past its renewal point (lifetime 4 s, renewed 1 s before). */
  run_for (3500);
  ward_test_make_scored_ward (f->engine, f->t0 + 20 * MINUTE);
  run_until_empty (f, 30);
  g_assert_cmpuint (ward_fhir_auth_get_n_requests (f->auth), ==, 2);
  g_assert_cmpint (stat_int ("tokensIssued") - issued_before, ==, 2);
  g_assert_cmpint (stat_int ("unauthorized"), ==, 0);
  assert_all_arrived (f);
}

static void
test_revoked (Fixture       *f,
              gconstpointer  unused)
{
  g_autoptr(GError) error = NULL;

  if (skip_without_server ())
    return;

  start_sync (f, "ward-es", es_key);
  ward_test_make_scored_ward (f->engine, f->t0);
  run_until_empty (f, 30);
  g_assert_cmpuint (ward_fhir_auth_get_n_requests (f->auth), ==, 1);

  g_assert_true (ward_test_fhir_server_revoke_tokens (server, &error));
  g_assert_no_error (error);
  ward_test_make_scored_ward (f->engine, f->t0 + 10 * MINUTE);
  run_until_empty (f, 30);

  /* One 401, one new token, and the row sent again at once. */
  g_assert_cmpint (stat_int ("unauthorized"), ==, 1);
  g_assert_cmpuint (ward_fhir_auth_get_n_requests (f->auth), ==, 2);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (f->sync), ==, 0);
  assert_all_arrived (f);
}

static void
test_wrong_client (Fixture       *f,
                   gconstpointer  unused)
{
  g_autofree char *last_error = NULL;
  gint64 pending;

  if (skip_without_server ())
    return;

  start_sync (f, "ward-unknown", rs_key);
  ward_test_make_scored_ward (f->engine, f->t0);
  pending = ward_test_n_pending (f->store);
  g_assert_cmpint (pending, >, 0);
  run_for (1500);

  g_assert_cmpuint (ward_fhir_sync_get_n_sent (f->sync), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (f->sync), ==, 0);
  g_assert_cmpint (ward_test_n_pending (f->store), ==, pending);
  g_assert_cmpint (stat_int ("total"), ==, 0);
  {
    /* Only the discovery reached the server: no resource was sent. */
    g_autoptr(JsonObject) stats = server_stats ();
    JsonObject *by_method = json_object_get_object_member (stats, "byMethod");

    g_assert_cmpint (json_object_get_int_member_with_default (by_method, "PUT", 0), ==, 0);
  }
  last_error = ward_fhir_sync_dup_last_error (f->sync);
  g_assert_nonnull (last_error);
  g_assert_nonnull (strstr (last_error, "authentication"));
  g_assert_nonnull (strstr (last_error, "invalid_client"));
  g_assert_nonnull (strstr (last_error, "ward-unknown"));
}

static void
test_key_checks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardFhirAuth) auth = NULL;
  g_autofree char *open_key = NULL;
  g_autofree char *contents = NULL;

  if (rs_key == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no keys");
      return;
    }

  /* A key others can read is refused. */
  g_assert_true (g_file_get_contents (rs_key, &contents, NULL, &error));
  open_key = g_build_filename (key_dir, "open.pem", NULL);
  g_assert_true (g_file_set_contents_full (open_key, contents, -1, G_FILE_SET_CONTENTS_NONE,
                                           0644, &error));
  g_assert_no_error (error);
  auth = ward_fhir_auth_new_smart ("http://127.0.0.1:1/fhir/R4", "c", open_key, NULL, NULL, &error);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM);
  g_assert_null (auth);
  g_clear_error (&error);
  g_unlink (open_key);

  /* The algorithm follows the key, and must match one that is asked for. */
  auth = ward_fhir_auth_new_smart ("http://127.0.0.1:1/fhir/R4", "c", es_key, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ward_fhir_auth_get_algorithm (auth), ==, "ES384");
  g_clear_object (&auth);
  auth = ward_fhir_auth_new_smart ("http://127.0.0.1:1/fhir/R4", "c", es_key, "RS384", NULL, &error);
  g_assert_error (error, WARD_FHIR_AUTH_ERROR, WARD_FHIR_AUTH_ERROR_KEY);
  g_assert_null (auth);
}

/* Generates a key with openssl into key_dir (mode 0600) and returns its
 * public JWK (node's export), or NULL with skip_reason set.
 */
static char *
make_key (const char  *name,
          const char  *const *genpkey_args,
          char       **key_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *path = g_build_filename (key_dir, name, NULL);
  g_autofree char *jwk = NULL;
  int status = 0;
  const char *node_argv[] = {
    "node", "-e",
    "const c = require('node:crypto'); const fs = require('node:fs');"
    "const k = c.createPublicKey(fs.readFileSync(process.argv[1]));"
    "process.stdout.write(JSON.stringify(k.export({ format: 'jwk' })));",
    path, NULL
  };

  g_ptr_array_add (argv, (char *) "openssl");
  g_ptr_array_add (argv, (char *) "genpkey");
  for (guint i = 0; genpkey_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) genpkey_args[i]);
  g_ptr_array_add (argv, (char *) "-out");
  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      skip_reason = "openssl genpkey is not available to make test keys";
      return NULL;
    }
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);

  if (!g_spawn_sync (NULL, (char **) node_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &jwk, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      skip_reason = "node cannot export the test keys as JWK";
      return NULL;
    }

  *key_path = g_steal_pointer (&path);
  return g_steal_pointer (&jwk);
}

static void
start_server (void)
{
  g_autoptr(GError) error = NULL;
  const char *rs_args[] = { "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", NULL };
  const char *es_args[] = { "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", NULL };
  g_autofree char *rs_jwk = NULL;
  g_autofree char *es_jwk = NULL;
  g_autofree char *jwks = NULL;
  g_autofree char *jwks_path = NULL;
  const char *args[] = { "--smart-jwks", NULL, "--token-lifetime", TOKEN_LIFETIME, NULL };

  key_dir = g_dir_make_tmp ("ward-fhir-auth-keys-XXXXXX", &error);
  g_assert_no_error (error);

  skip_reason = ward_test_fhir_server_skip_reason ();
  if (skip_reason != NULL)
    return;
  rs_jwk = make_key ("rs.pem", rs_args, &rs_key);
  if (rs_jwk == NULL)
    return;
  es_jwk = make_key ("es.pem", es_args, &es_key);
  if (es_jwk == NULL)
    return;

  /* A map from client id to its keys (tests/fhir-server/README.md). */
  jwks = g_strdup_printf ("{\"ward-rs\":{\"keys\":[%s]},\"ward-es\":[%s]}", rs_jwk, es_jwk);
  jwks_path = g_build_filename (key_dir, "jwks.json", NULL);
  g_assert_true (g_file_set_contents (jwks_path, jwks, -1, &error));
  g_assert_no_error (error);
  args[1] = jwks_path;

  server = ward_test_fhir_server_new (args, &error);
  g_assert_no_error (error);
}

static void
remove_keys (void)
{
  const char *names[] = { "rs.pem", "es.pem", "jwks.json", NULL };

  if (key_dir == NULL)
    return;
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (key_dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (key_dir);
  g_clear_pointer (&key_dir, g_free);
  g_clear_pointer (&rs_key, g_free);
  g_clear_pointer (&es_key, g_free);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  start_server ();

  g_test_add_func ("/fhir-auth/key-checks", test_key_checks);
  g_test_add ("/fhir-auth/smart-rs384", Fixture, "RS384", fixture_set_up, test_smart, fixture_tear_down);
  g_test_add ("/fhir-auth/smart-es384", Fixture, "ES384", fixture_set_up, test_smart, fixture_tear_down);
  g_test_add ("/fhir-auth/reuse-and-renew", Fixture, NULL, fixture_set_up, test_reuse_and_renew,
              fixture_tear_down);
  g_test_add ("/fhir-auth/revoked", Fixture, NULL, fixture_set_up, test_revoked, fixture_tear_down);
  g_test_add ("/fhir-auth/wrong-client", Fixture, NULL, fixture_set_up, test_wrong_client,
              fixture_tear_down);

  ret = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  remove_keys ();
  return ret;
}
