/* test-fhir-shared-hygiene.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue #16, sharing hygiene, against the real FHIR test server: a Flag
 * the station writes to its store goes to the other stations through the
 * sharing layer alone (never the FHIR outbox) with nobody claiming it;
 * one written while sharing is stopped waits in the outbox and goes at
 * the next start, once; the writes the server has are pruned from
 * shared_outbox after the retention, the others stay.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "ward-fhir-shared.h"
#include "ward-store-shared.h"
#include "ward-test-fhir-server.h"

#define SEEN_WITHIN_MSEC 10000

static WardTestFhirServer *server;

static gboolean
prepare (void)
{
  g_autoptr(GError) error = NULL;

  if (ward_test_fhir_server_skip_reason () != NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason ());
      return FALSE;
    }
  if (server == NULL)
    {
      server = ward_test_fhir_server_new (NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);

  /* The Flags' subject (the server may check references). */
  {
    g_autofree char *response = NULL;
    guint status = ward_test_fhir_server_request (server, "PUT", "/fhir/R4/Patient/p-hygiene", NULL,
                                                  "{\"resourceType\": \"Patient\", \"id\": \"p-hygiene\"}",
                                                  NULL, &response, &error);

    g_assert_no_error (error);
    if (status != 200 && status != 201)
      g_error ("Patient/p-hygiene refused (%u): %s", status, response);
  }
  return TRUE;
}

static char *
flag_json (const char *id,
           const char *status)
{
  return g_strdup_printf ("{\"resourceType\":\"Flag\",\"id\":\"%s\",\"status\":\"%s\","
                          "\"code\":{\"text\":\"NEWS2 high\"},"
                          "\"subject\":{\"reference\":\"Patient/p-hygiene\"}}", id, status);
}

/* The server's status of Flag id, NULL when it has none; *n_versions. */
static char *
server_flag_status (const char *id,
                    guint      *n_versions)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/Flag/%s", id);
  g_autofree char *history = g_strdup_printf ("/fhir/R4/Flag/%s/_history", id);
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *bundle;
  guint status;

  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);
  g_assert_no_error (error);
  if (status == 404)
    return NULL;
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  if (n_versions != NULL)
    {
      g_autofree char *history_body = NULL;
      g_autoptr(JsonParser) history_parser = json_parser_new ();

      status = ward_test_fhir_server_request (server, "GET", history, NULL, NULL, NULL,
                                              &history_body, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (status, ==, 200);
      g_assert_true (json_parser_load_from_data (history_parser, history_body, -1, &error));
      bundle = json_node_get_object (json_parser_get_root (history_parser));
      *n_versions = json_object_has_member (bundle, "entry")
                    ? json_array_get_length (json_object_get_array_member (bundle, "entry")) : 0;
    }

  return g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                  "status"));
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the default main context until condition holds; FALSE after
 * timeout_msec.
 */
static gboolean
wait_for (Condition  condition,
          gpointer   data,
          guint      timeout_msec)
{
  gint64 end = g_get_monotonic_time () + timeout_msec * (gint64) 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  return TRUE;
}

typedef struct
{
  const char *id;
  const char *status;
} Expect;

static gboolean
flag_on_server (gpointer data)
{
  Expect *expect = data;
  g_autofree char *status = server_flag_status (expect->id, NULL);

  return g_strcmp0 (status, expect->status) == 0;
}

static gboolean
nothing_pending (gpointer data)
{
  return ward_store_shared_get_n_pending (data, NULL) == 0;
}

static void
put_flag (WardStore  *store,
          const char *id,
          const char *status,
          gint64      at)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = flag_json (id, status);

  g_assert_true (ward_store_begin (store, &error));
  g_assert_true (ward_store_put_resource (store, "Flag", id, json, at, NULL, &error));
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);
}

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("wardwatch-shared-hygiene-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_db (const char *dir,
           const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (wal);
  g_unlink (shm);
  g_unlink (path);
  g_rmdir (dir);
}

static WardFhirShared *
shared_new (WardStore *store)
{
  WardFhirShared *shared = ward_fhir_shared_new (store, ward_test_fhir_server_get_base_url (server),
                                                 "hygiene station");

  ward_fhir_shared_set_poll_interval (shared, 200);
  ward_fhir_shared_set_timeout (shared, 5);
  ward_fhir_shared_register_type (shared, "Flag", NULL, NULL, NULL, NULL);
  ward_fhir_shared_register_type (shared, "Communication", NULL, NULL, NULL, NULL);
  return shared;
}

/* The engine's way to write a Flag (the store's put) reaches the server
 * through the sharing layer, with no claim of the outbox; stopped, the
 * next Flag waits in the outbox and goes at the next start, once.
 */
static void
test_routed_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardFhirShared) shared = NULL;
  g_autofree char *status = NULL;
  Expect expect = { 0 };
  guint n_versions = 0;

  if (!prepare ())
    return;

  dir = make_dir ();
  path = g_build_filename (dir, "ward.db", NULL);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  shared = shared_new (store);
  ward_fhir_shared_start (shared);

  put_flag (store, "f-routed", "active", g_get_real_time ());
  /* Never the outbox's. */
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 0);
  expect = (Expect) { "f-routed", "active" };
  g_assert_true (wait_for (flag_on_server, &expect, SEEN_WITHIN_MSEC));
  g_assert_true (wait_for (nothing_pending, store, SEEN_WITHIN_MSEC));
  g_assert_cmpuint (ward_fhir_shared_get_n_sent (shared), ==, 1);

  /* Closed while sharing is stopped: kept in the outbox... */
  ward_fhir_shared_stop (shared);
  put_flag (store, "f-routed", "inactive", g_get_real_time ());
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 1);
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 0);

  /* ...and handed to the sharing layer at the next start: one new
   * version on the server, made on the one it had.
   */
  ward_fhir_shared_start (shared);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 0);
  expect = (Expect) { "f-routed", "inactive" };
  g_assert_true (wait_for (flag_on_server, &expect, SEEN_WITHIN_MSEC));
  g_assert_true (wait_for (nothing_pending, store, SEEN_WITHIN_MSEC));
  status = server_flag_status ("f-routed", &n_versions);
  g_assert_cmpstr (status, ==, "inactive");
  g_assert_cmpuint (n_versions, ==, 2);
  g_assert_no_error (error);

  ward_fhir_shared_stop (shared);
  g_clear_object (&shared);
  g_clear_object (&store);
  remove_db (dir, path);
}

static gint64
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static gboolean
pruned (gpointer data)
{
  return ward_fhir_shared_get_n_pruned (data) > 0;
}

/* A running station prunes the writes done before the retention (here
 * one hour) after a clean cycle; a recent one, a refused one and the
 * one pending stay.
 */
static void
test_prune_done (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardFhirShared) shared = NULL;
  const gint64 now = g_get_real_time ();
  const struct { const char *id; const char *state; gint64 done_at; } rows[] = {
    { "t-old-1", "sent", now - 3 * G_TIME_SPAN_HOUR },
    { "t-old-2", "merged", now - 2 * G_TIME_SPAN_HOUR },
    { "t-old-3", "failed", now - 5 * G_TIME_SPAN_HOUR },
    { "t-recent", "sent", now - 10 * G_TIME_SPAN_MINUTE },
  };

  if (!prepare ())
    return;

  dir = make_dir ();
  path = g_build_filename (dir, "ward.db", NULL);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"Communication\",\"id\":\"%s\","
                                               "\"status\":\"completed\"}", rows[i].id);
      g_autofree char *write_id = g_strdup_printf ("w-%s", rows[i].id);
      gboolean done = FALSE;
      gint64 seq = 0;

      g_assert_true (ward_store_shared_queue (store, "Communication", rows[i].id, NULL, write_id,
                                              json, rows[i].done_at, &seq, &error));
      if (g_str_equal (rows[i].state, "sent"))
        g_assert_true (ward_store_shared_mark_sent (store, seq, write_id, "1", rows[i].done_at,
                                                    &done, &error));
      else
        g_assert_true (ward_store_shared_mark_ended (store, seq, g_str_equal (rows[i].state, "failed"),
                                                     "1", NULL, rows[i].done_at, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM shared_outbox"), ==, 4);

  shared = shared_new (store);
  ward_fhir_shared_set_retention (shared, G_TIME_SPAN_HOUR);
  ward_fhir_shared_start (shared);
  /* A Flag the station writes meanwhile is pending, then sent: recent. */
  put_flag (store, "f-prune", "active", g_get_real_time ());
  g_assert_true (wait_for (pruned, shared, SEEN_WITHIN_MSEC));
  g_assert_cmpuint (ward_fhir_shared_get_n_pruned (shared), ==, 2);
  g_assert_true (wait_for (nothing_pending, store, SEEN_WITHIN_MSEC));

  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM shared_outbox WHERE id IN "
                                     "('t-old-1', 't-old-2')"), ==, 0);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM shared_outbox WHERE id IN "
                                     "('t-old-3', 't-recent', 'f-prune')"), ==, 3);

  ward_fhir_shared_stop (shared);
  g_clear_object (&shared);
  g_clear_object (&store);
  remove_db (dir, path);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fhir-shared-hygiene/routed-write", test_routed_write);
  g_test_add_func ("/fhir-shared-hygiene/prune-done", test_prune_done);

  status = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return status;
}
