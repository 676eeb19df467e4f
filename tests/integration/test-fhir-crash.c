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
#include <sys/prctl.h>
#include <unistd.h>

#include "ward-store.h"
#include "ward-store-private.h"
#include "ward-test-fhir-server.h"

static WardTestFhirServer *server;

static const char *
wardwatch_path (void)
{
  const char *path = g_getenv ("WARDWATCH");

  if (path == NULL)
    g_error ("WARDWATCH is not set: run through meson test");
  return path;
}

/* wardwatch dies with the test, also when an assertion aborts it. */
static void
child_setup (gpointer data)
{
  pid_t parent = GPOINTER_TO_INT (data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (1);
}

static GSubprocess *
spawn_wardwatch (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GSubprocess *proc;

  g_ptr_array_add (argv, (gpointer) wardwatch_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER (getpid ()), NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

static void
run_wardwatch (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = spawn_wardwatch (args);

  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
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

/* FHIR content equal, numbers by value (the server may print 37.0 as
 * 37), meta ignored (the server's versionId and lastUpdated).
 */
static gboolean
same_json (JsonNode *a,
           JsonNode *b,
           gboolean  top)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        g_autoptr(GList) members = json_object_get_members (oa);
        guint na = json_object_get_size (oa) - (top && json_object_has_member (oa, "meta") ? 1 : 0);
        guint nb = json_object_get_size (ob) - (top && json_object_has_member (ob, "meta") ? 1 : 0);

        if (na != nb)
          return FALSE;
        for (GList *l = members; l != NULL; l = l->next)
          {
            if (top && g_str_equal (l->data, "meta"))
              continue;
            if (!json_object_has_member (ob, l->data) ||
                !same_json (json_object_get_member (oa, l->data),
                            json_object_get_member (ob, l->data), FALSE))
              return FALSE;
          }
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);

        if (json_array_get_length (aa) != json_array_get_length (ab))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (aa); i++)
          if (!same_json (json_array_get_element (aa, i), json_array_get_element (ab, i), FALSE))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      {
        GType ta = json_node_get_value_type (a);
        GType tb = json_node_get_value_type (b);
        gboolean num_a = ta == G_TYPE_INT64 || ta == G_TYPE_DOUBLE;
        gboolean num_b = tb == G_TYPE_INT64 || tb == G_TYPE_DOUBLE;

        if (num_a && num_b)
          return json_node_get_double (a) == json_node_get_double (b);
        return json_node_equal (a, b);
      }
    case JSON_NODE_NULL:
      return TRUE;
    default:
      return FALSE;
    }
}

typedef struct
{
  guint       n_checked;
  GHashTable *per_type;   /* type -> count */
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

/* The types the sharing layer writes when a server is given. */
static const char * const shared_types[] = { "Task", "Flag", "Communication" };

static gboolean
is_shared_type (const char *resource_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (shared_types); i++)
    if (g_str_equal (resource_type, shared_types[i]))
      return TRUE;

  return FALSE;
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

  g_autofree char *body = NULL;
  g_autoptr(JsonParser) local = json_parser_new ();
  g_autoptr(JsonParser) remote = json_parser_new ();
  guint status;
  guint n_versions;

  /* Shared between stations: check_shared(). */
  if (is_shared_type (resource_type))
    return;

  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);
  g_assert_no_error (error);
  if (status != 200)
    g_error ("%s/%s is not on the server (HTTP %u)", resource_type, id, status);

  g_assert_true (json_parser_load_from_data (local, json, -1, &error));
  g_assert_true (json_parser_load_from_data (remote, body, -1, &error));
  g_assert_no_error (error);
  if (!same_json (json_parser_get_root (local), json_parser_get_root (remote), TRUE))
    g_error ("%s/%s differs on the server:\nlocal  %s\nserver %s", resource_type, id, json, body);

  /* The same content sent again makes no new version: never more
   * versions there than were made here.
   */
  n_versions = history_count (resource_type, id);
  g_assert_cmpuint (n_versions, >=, 1);
  if (n_versions > version)
    {
      g_autofree char *history_path = g_strdup_printf ("%s/_history", path);
      g_autofree char *history = NULL;

      ward_test_fhir_server_request (server, "GET", history_path, NULL, NULL, NULL, &history, NULL);
      g_error ("%s/%s: %u versions on the server, %" G_GINT64_FORMAT " here:\nlocal %s\nhistory %s",
               resource_type, id, n_versions, version, json, history);
    }

  g_hash_table_insert (data->per_type, g_strdup (resource_type),
                       GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (data->per_type,
                                                                              resource_type)) + 1));
  data->n_checked++;
}

/* With a FHIR server, the care team's Tasks, the Flags and the
 * Communications are shared between stations (the sharing layer writes
 * them, and takes over those the outbox held from the run without a
 * server): each one on the server is the copy this station last knew, at
 * the version it knew, and every one made here without a server is there
 * or waits in the shared queue (a stop cut short leaves it there for the
 * next start).  Returns how many of the type.
 */
static guint
check_shared (const char *db,
              const char *type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open_readonly (db, &error);
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *bundle;
  JsonArray *entries;
  guint n;
  guint n_unknown = 0;
  g_autofree char *search = g_strdup_printf ("/fhir/R4/%s?_count=1000", type);
  g_autofree char *count_sql = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", search, NULL, NULL, NULL,
                                                   &body, &error), ==, 200);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  bundle = json_node_get_object (json_parser_get_root (parser));
  entries = json_object_has_member (bundle, "entry") ? json_object_get_array_member (bundle, "entry") : NULL;
  n = entries != NULL ? json_array_get_length (entries) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *task = json_object_get_object_member (json_array_get_object_element (entries, i),
                                                        "resource");
      const char *id = json_object_get_string_member (task, "id");
      const char *version = json_object_get_string_member (json_object_get_object_member (task, "meta"),
                                                           "versionId");
      g_autofree char *sql = g_strdup_printf ("SELECT version_id FROM shared_known "
                                              "WHERE resource_type = '%s' AND id = '%s'", type, id);
      g_autofree char *known_version = _ward_store_query_text (store, sql, &error);
      g_autofree char *known_json = NULL;
      g_autoptr(JsonParser) known = json_parser_new ();
      g_autoptr(JsonNode) remote = json_node_init_object (json_node_alloc (), task);

      g_assert_no_error (error);
      if (known_version == NULL || g_strcmp0 (known_version, version) != 0)
        {
          /* Killed after the server took it (or took an update of it),
           * before the station knew: a write still queued, recognised by
           * its write id at the next start.
           */
          g_free (sql);
          sql = g_strdup_printf ("SELECT count(*) FROM shared_outbox WHERE resource_type = '%s' "
                                 "AND id = '%s' AND state = 'pending'", type, id);
          if (_ward_store_query_int (store, sql, &error) != 1)
            g_error ("%s/%s is version %s on the server, %s here, and no write of it is queued",
                     type, id, version, known_version != NULL ? known_version : "unknown");
          /* Only one it never knew is missing from its known copies. */
          if (known_version == NULL)
            n_unknown++;
          continue;
        }
      g_free (sql);
      sql = g_strdup_printf ("SELECT json FROM shared_known WHERE resource_type = '%s' AND id = '%s'",
                             type, id);
      known_json = _ward_store_query_text (store, sql, &error);
      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (known, known_json, -1, &error));
      if (!same_json (json_parser_get_root (known), remote, TRUE))
        g_error ("%s/%s differs on the server:\nknown  %s\nserver %s", type, id, known_json,
                 json_to_string (remote, FALSE));
    }

  count_sql = g_strdup_printf ("SELECT count(*) FROM shared_known WHERE resource_type = '%s'", type);
  g_assert_cmpint (_ward_store_query_int (store, count_sql, &error), ==, n - n_unknown);
  g_free (count_sql);
  count_sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources r WHERE resource_type = '%1$s' "
                               "AND NOT EXISTS (SELECT 1 FROM shared_known k WHERE "
                               "k.resource_type = '%1$s' AND k.id = r.id) AND NOT EXISTS (SELECT 1 "
                               "FROM shared_outbox o WHERE o.resource_type = '%1$s' AND o.id = r.id "
                               "AND o.state = 'pending')", type);
  g_assert_cmpint (_ward_store_query_int (store, count_sql, &error), ==, 0);
  g_assert_no_error (error);
  return n;
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
  g_autoptr(GHashTable) per_type = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonObject) stats = NULL;
  CheckData check = { 0 };
  JsonObject *resources;
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

    run_wardwatch (args);
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
      g_autoptr(GSubprocess) proc = spawn_wardwatch (args);

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
      run_wardwatch (args);
    }

  /* Every local resource on the server, same content; nothing else
   * there; nothing parked.
   */
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM outbox WHERE state = 'failed'"), ==, 0);
  g_assert_cmpint (local_int (db, "SELECT count(*) FROM shared_outbox WHERE state = 'failed'"), ==, 0);
  n_local = local_int (db, "SELECT count(*) FROM fhir_resources "
                          "WHERE resource_type NOT IN ('Task', 'Flag', 'Communication')");
  check.per_type = per_type;
  {
    g_autoptr(WardStore) store = ward_store_open_readonly (db, &error);

    g_assert_no_error (error);
    g_assert_true (ward_store_foreach_resource (store, NULL, check_resource_cb, &check, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (check.n_checked, ==, n_local);
  for (guint i = 0; i < G_N_ELEMENTS (shared_types); i++)
    {
      guint n_shared = check_shared (db, shared_types[i]);

      if (n_shared > 0)
        g_hash_table_insert (per_type, g_strdup (shared_types[i]), GUINT_TO_POINTER (n_shared));
      n_local += n_shared;
    }

  stats = server_stats ();
  g_assert_cmpint (json_object_get_int_member (stats, "total"), ==, n_local);
  resources = json_object_get_object_member (stats, "resources");
  {
    g_autoptr(GList) types = json_object_get_members (resources);

    g_assert_cmpuint (g_list_length (types), ==, g_hash_table_size (per_type));
    for (GList *l = types; l != NULL; l = l->next)
      g_assert_cmpint (json_object_get_int_member (resources, l->data), ==,
                       GPOINTER_TO_INT (g_hash_table_lookup (per_type, l->data)));
  }
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
