/* test-fhir-restart.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The FHIR server goes away in the middle of a sync and comes back, and
 * the real wardwatch binary is killed with SIGKILL in between: once both
 * run again, every resource the station made is on the server once (by id
 * and version, ward_test_fhir_check_station()), none missing, none twice.
 * The server keeps its data across the restart (--data-file), as a
 * hospital's does, and checks references (strict, as HAPI FHIR does).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <unistd.h>

#include "ward-store.h"
#include "ward-store-private.h"
#include "ward-test-cli.h"
#include "ward-test-fhir-check.h"
#include "ward-test-fhir-server.h"

static void
kill_wardwatch (GSubprocess *proc)
{
  g_autoptr(GError) error = NULL;

  /* Still running: it did not give up when the server went away. */
  g_assert_nonnull (g_subprocess_get_identifier (proc));
  g_subprocess_send_signal (proc, SIGKILL);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
}

static gint64
server_total (WardTestFhirServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ward_test_fhir_server_dup_stats (server, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "total");
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

static gint64
pending (const char *db)
{
  return local_int (db, "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending') + "
                        "(SELECT count(*) FROM shared_outbox WHERE state = 'pending')");
}

/* Waits until the server holds at least TOTAL resources while PROC runs
 * with rows still pending; FALSE when PROC ended or the outbox emptied
 * first.  Fails after 120 s (a loaded machine, or the sanitizers: a
 * bound on waiting, not a speed check).
 */
static gboolean
wait_for_progress (WardTestFhirServer *server,
                   GSubprocess        *proc,
                   const char         *db,
                   gint64              total)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (g_subprocess_get_identifier (proc) == NULL)
        return FALSE;
      if (server_total (server) >= total)
        return local_int (db, "SELECT count(*) FROM outbox WHERE state = 'pending'") > 0;
      g_usleep (20 * 1000);
    }
  g_error ("wardwatch did not reach %" G_GINT64_FORMAT " resources on the server within 120 s "
           "(it has %" G_GINT64_FORMAT ")", total, server_total (server));
  return FALSE;
}

static void
slow_down (WardTestFhirServer *server)
{
  g_autoptr(GError) error = NULL;

  /* Every FHIR request waits: a sync stopped in the middle is likely to
   * have a request in flight.
   */
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"count\":1000000,\"delayMs\":150}", &error));
  g_assert_no_error (error);
}

static void
restart_server (WardTestFhirServer *server)
{
  g_autoptr(GError) error = NULL;
  guint16 port = ward_test_fhir_server_get_port (server);

  g_assert_true (ward_test_fhir_server_start (server, &error));
  g_assert_no_error (error);
  /* wardwatch is given one URL. */
  g_assert_cmpuint (ward_test_fhir_server_get_port (server), ==, port);
}

static void
test_stop_kill_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardTestFhirServer) server = NULL;
  g_autoptr(GHashTable) per_type = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *data_file = NULL;
  g_autofree char *base = NULL;
  gint64 total;
  guint n_checked;
  guint n_drains = 0;

  if (ward_test_fhir_server_skip_reason () != NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason ());
      return;
    }

  dir = g_dir_make_tmp ("ward-fhir-restart-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "ward.db", NULL);
  data_file = g_build_filename (dir, "server.ndjson", NULL);
  {
    const char *args[] = { "--data-file", data_file, NULL };

    server = ward_test_fhir_server_new (args, &error);
    g_assert_no_error (error);
  }
  base = g_strdup (ward_test_fhir_server_get_base_url (server));

  /* An outbox of a few hundred resources, made with no server. */
  {
    const char *args[] = { "--headless", "--demo", "--db", db, "--seed", "11", "--beds", "8",
                           "--time-scale", "120", "--duration", "3", NULL };

    ward_test_run_wardwatch (args);
  }
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM outbox WHERE state = 'pending'"), >, 50);

  /* 1. The server stops in the middle of a sync; wardwatch, left without
   * it for a while, is killed; the server comes back with what it had.
   */
  slow_down (server);
  {
    const char *args[] = { "--headless", "--demo", "--db", db, "--seed", "11", "--beds", "8",
                           "--time-scale", "30", "--fhir-url", base, NULL };
    g_autoptr(GSubprocess) proc = ward_test_spawn_wardwatch (args);

    g_assert_true (wait_for_progress (server, proc, db, 20));
    total = server_total (server);
    ward_test_fhir_server_stop (server);
    /* Its requests now fail (connection refused) and are retried later. */
    g_usleep (G_USEC_PER_SEC);
    kill_wardwatch (proc);
  }
  restart_server (server);
  /* What it answered for is still there (a write in flight at the stop
   * may be there too).
   */
  g_assert_cmpint (server_total (server), >=, total);
  g_test_message ("stopped with %" G_GINT64_FORMAT " resources, %" G_GINT64_FORMAT " after the restart",
                  total, server_total (server));

  /* 2. wardwatch again; the server stops and comes back while it runs,
   * and it goes on sending by itself; then it is killed in the middle.
   */
  slow_down (server);
  {
    const char *args[] = { "--headless", "--demo", "--db", db, "--seed", "11", "--beds", "8",
                           "--time-scale", "30", "--fhir-url", base, NULL };
    g_autoptr(GSubprocess) proc = ward_test_spawn_wardwatch (args);

    g_assert_true (wait_for_progress (server, proc, db, server_total (server) + 10));
    ward_test_fhir_server_stop (server);
    g_usleep (G_USEC_PER_SEC);
    g_assert_nonnull (g_subprocess_get_identifier (proc));
    restart_server (server);
    slow_down (server);
    g_assert_true (wait_for_progress (server, proc, db, server_total (server) + 10));
    kill_wardwatch (proc);
  }

  /* 3. Started again, the server at full speed, until nothing is
   * pending: a new start makes every pending row due at once, and a clean
   * stop sends what is left.  One bed at a modest time scale, so that
   * the simulator leaves the pipeline thread (which also runs the sync)
   * time to send on a loaded machine.
   */
  g_assert_true (ward_test_fhir_server_fault_json (server, "{\"count\":0}", &error));
  g_assert_no_error (error);
  while (pending (db) > 0)
    {
      const char *args[] = { "--headless", "--demo", "--db", db, "--seed", "11", "--beds", "1",
                             "--time-scale", "60", "--fhir-url", base, "--duration", "6", NULL };

      g_assert_cmpuint (++n_drains, <=, 6);
      ward_test_run_wardwatch (args);
    }

  /* Nothing parked, nothing lost, nothing twice. */
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 0);
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM shared_outbox WHERE state = 'failed'"), ==, 0);
  n_checked = ward_test_fhir_check_station (server, db, &per_type);
  g_assert_cmpuint (n_checked, >, 50);
  /* The strict server took the Observations after their Patient. */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (per_type, "Patient")), >=, 8);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (per_type, "Observation")), >, 0);
  g_test_message ("%u resources checked, %u drain runs", n_checked, n_drains);

  g_clear_pointer (&server, ward_test_fhir_server_free);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

        g_unlink (path);
      }
  }
  g_unlink (data_file);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fhir-restart/stop-kill-restart", test_stop_kill_restart);

  return g_test_run ();
}
