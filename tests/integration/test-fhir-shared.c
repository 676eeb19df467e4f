/* test-fhir-shared.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two stations (a nurse station and a doctor's desktop), each with its own
 * database and its own WardFhirShared, sharing Tasks through the real FHIR
 * test server: what one writes the other applies within 10 s; two accepts
 * on the same version end with one owner on both and the loser told; a
 * write made while the server is down, or by a process killed before it
 * could send it, arrives exactly once.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ward-care-share-flags.h"
#include "ward-fhir-resources.h"
#include "ward-fhir-shared.h"
#include "ward-store-shared.h"
#include "ward-test-fhir-server.h"
#include "ward-store-private.h"

/* What users rely on: a change on one station is on the other within this. */
#define SEEN_WITHIN_MSEC 10000
#define POLL_MSEC 200

static WardTestFhirServer *server;

typedef struct
{
  char            *name;
  char            *path;
  WardStore       *store;
  WardFhirShared  *shared;
  GHashTable      *view;          /* id -> JsonObject: what this station shows */
  GHashTable      *applied;       /* id -> number of times applied */
  GHashTable      *applied_by;    /* id -> station of the last applied write */
  guint            merges;
  char            *told;          /* "already accepted by ..." for the loser */
} Station;

static void
station_free (Station *station)
{
  if (station->shared != NULL)
    ward_fhir_shared_stop (station->shared);
  g_clear_object (&station->shared);
  g_clear_object (&station->store);
  g_hash_table_unref (station->view);
  g_hash_table_unref (station->applied);
  g_hash_table_unref (station->applied_by);
  g_free (station->told);
  g_free (station->path);
  g_free (station->name);
  g_free (station);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Station, station_free)

static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;

  json_node_set_object (node, object);
  copy = json_node_copy (node);
  return json_object_ref (json_node_get_object (copy));
}

static const char *
owner_of (JsonObject *task)
{
  if (task == NULL || !json_object_has_member (task, "owner"))
    return NULL;
  return json_object_get_string_member_with_default (json_object_get_object_member (task, "owner"),
                                                     "display", NULL);
}

static const char *
status_of (JsonObject *task)
{
  return task != NULL ? json_object_get_string_member_with_default (task, "status", NULL) : NULL;
}

/* The care-team rule the merge stands for: the first accept wins, a later
 * one is told; other changes are combined (the server's copy, with the
 * local note and priority).
 */
static WardFhirMergeResult
merge_task (const char   *resource_type,
            JsonObject   *local,
            JsonObject   *server_copy,
            JsonObject  **merged,
            gpointer      user_data)
{
  Station *station = user_data;

  station->merges++;
  g_assert_cmpstr (resource_type, ==, "Task");

  if (g_strcmp0 (status_of (local), "accepted") == 0 &&
      g_strcmp0 (status_of (server_copy), "accepted") == 0 &&
      g_strcmp0 (owner_of (local), owner_of (server_copy)) != 0)
    {
      g_autofree char *by = ward_fhir_shared_dup_station (server_copy);

      g_free (station->told);
      station->told = g_strdup_printf ("already accepted by %s at %s",
                                       owner_of (server_copy), by);
      return WARD_FHIR_MERGE_TAKE_SERVER;
    }

  *merged = copy_object (server_copy);
  if (json_object_has_member (local, "priority"))
    json_object_set_string_member (*merged, "priority",
                                   json_object_get_string_member (local, "priority"));
  if (json_object_has_member (local, "note"))
    json_object_set_member (*merged, "note",
                            json_node_copy (json_object_get_member (local, "note")));
  return WARD_FHIR_MERGE_WRITE;
}

static void
apply_task (const char *resource_type,
            JsonObject *resource,
            const char *by,
            gpointer    user_data)
{
  Station *station = user_data;
  const char *id = json_object_get_string_member (resource, "id");

  g_assert_cmpstr (resource_type, ==, "Task");
  g_hash_table_replace (station->view, g_strdup (id), copy_object (resource));
  g_hash_table_replace (station->applied, g_strdup (id),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (station->applied, id)) + 1));
  g_hash_table_replace (station->applied_by, g_strdup (id), g_strdup (by));
}

static Station *
station_new (const char *dir,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  Station *station = g_new0 (Station, 1);
  g_autofree char *file = g_strdup_printf ("%s.db", name);

  station->name = g_strdup (name);
  station->path = g_build_filename (dir, file, NULL);
  station->store = ward_store_open (station->path, &error);
  g_assert_no_error (error);
  station->view = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) json_object_unref);
  station->applied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  station->applied_by = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  station->shared = ward_fhir_shared_new (station->store,
                                          ward_test_fhir_server_get_base_url (server), name);
  ward_fhir_shared_set_poll_interval (station->shared, POLL_MSEC);
  ward_fhir_shared_set_timeout (station->shared, 5);
  ward_fhir_shared_register_type (station->shared, "Task", merge_task, apply_task, station, NULL);
  return station;
}

static JsonObject *
new_task (const char *id,
          const char *status)
{
  JsonObject *task = json_object_new ();

  json_object_set_string_member (task, "resourceType", "Task");
  json_object_set_string_member (task, "id", id);
  json_object_set_string_member (task, "status", status);
  json_object_set_string_member (task, "intent", "order");
  json_object_set_string_member (task, "description", "Repeat the observations of bed 3 within 1 hour");
  return task;
}

/* A station's own change: shown at once, queued for the server. */
static void
station_write (Station    *station,
               JsonObject *task)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_fhir_shared_write (station->shared, task, &error));
  g_assert_no_error (error);
  g_hash_table_replace (station->view, g_strdup (json_object_get_string_member (task, "id")),
                        copy_object (task));
}

/* The station's next version of a task: the server's copy it knows. */
static JsonObject *
known_task (Station    *station,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  JsonObject *task = ward_fhir_shared_dup_known (station->shared, "Task", id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (task);
  return task;
}

static gint64
n_pending (Station *station)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ward_store_shared_get_n_pending (station->store, &error);

  g_assert_no_error (error);
  return n;
}

typedef gboolean (*Condition) (gpointer data);

typedef struct
{
  GMainLoop  *loop;
  Condition   condition;
  gpointer    data;
  gboolean    met;
} Wait;

static gboolean
wait_check (gpointer user_data)
{
  Wait *wait = user_data;

  if (wait->condition (wait->data))
    {
      wait->met = TRUE;
      g_main_loop_quit (wait->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_timeout (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until condition holds or timeout_msec of real time
 * have passed; returns the milliseconds it took, or -1 on timeout.
 */
static gint64
wait_for (Condition  condition,
          gpointer   data,
          guint      timeout_msec)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop, condition, data, FALSE };
  gint64 started = g_get_monotonic_time ();
  guint check, timeout;

  if (condition (data))
    return 0;
  check = g_timeout_add (20, wait_check, &wait);
  timeout = g_timeout_add (timeout_msec, wait_timeout, loop);
  g_main_loop_run (loop);
  if (!wait.met)
    g_source_remove (check);
  else
    g_source_remove (timeout);

  return wait.met ? (g_get_monotonic_time () - started) / 1000 : -1;
}

/* Runs the loop for msec (the stations work meanwhile). */
static void
run_for (guint msec)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (msec, wait_timeout, loop);
  g_main_loop_run (loop);
}

typedef struct
{
  Station    *station;
  const char *id;
  const char *status;
  const char *owner;
} Seen;

static gboolean
seen_on (gpointer data)
{
  Seen *seen = data;
  JsonObject *task = g_hash_table_lookup (seen->station->applied_by, seen->id) != NULL
                     ? g_hash_table_lookup (seen->station->view, seen->id) : NULL;

  return task != NULL &&
         (seen->status == NULL || g_strcmp0 (status_of (task), seen->status) == 0) &&
         (seen->owner == NULL || g_strcmp0 (owner_of (task), seen->owner) == 0);
}

static guint
applied_count (Station    *station,
               const char *id)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (station->applied, id));
}

/* The server's current copy (GET), or NULL on 404. */
static JsonObject *
server_task (const char *id,
             guint      *n_versions)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/Task/%s", id);
  g_autofree char *history = g_strdup_printf ("/fhir/R4/Task/%s/_history", id);
  g_autofree char *body = NULL;
  g_autofree char *history_body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint status;

  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);
  g_assert_no_error (error);
  if (status == 404)
    return NULL;
  g_assert_cmpuint (status, ==, 200);

  if (n_versions != NULL)
    {
      g_autoptr(JsonParser) history_parser = json_parser_new ();
      JsonObject *bundle;

      status = ward_test_fhir_server_request (server, "GET", history, NULL, NULL, NULL,
                                              &history_body, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (status, ==, 200);
      g_assert_true (json_parser_load_from_data (history_parser, history_body, -1, &error));
      bundle = json_node_get_object (json_parser_get_root (history_parser));
      *n_versions = json_object_has_member (bundle, "entry")
                    ? json_array_get_length (json_object_get_array_member (bundle, "entry")) : 0;
    }

  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  return copy_object (json_node_get_object (json_parser_get_root (parser)));
}

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("wardwatch-shared-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

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
  if (!ward_test_fhir_server_is_running (server))
    {
      g_assert_true (ward_test_fhir_server_start (server, &error));
      g_assert_no_error (error);
    }
  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);
  return TRUE;
}

/* An accept on the nurse station is on the doctor's desktop within 10 s,
 * naming the station; its own writes are not applied back to it.
 */
static void
test_accept_seen (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(Station) b = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonObject) accepted = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  Seen seen = { 0 };
  gint64 took;

  if (!prepare ())
    return;

  dir = make_dir ();
  a = station_new (dir, "nurse station");
  b = station_new (dir, "doctors' office desktop");
  ward_fhir_shared_start (a->shared);
  ward_fhir_shared_start (b->shared);

  task = new_task ("task-accept", "requested");
  station_write (a, task);
  seen = (Seen) { b, "task-accept", "requested", NULL };
  took = wait_for (seen_on, &seen, SEEN_WITHIN_MSEC);
  g_test_message ("created on A, seen on B after %" G_GINT64_FORMAT " ms", took);
  g_assert_cmpint (took, >=, 0);
  g_assert_cmpstr (g_hash_table_lookup (b->applied_by, "task-accept"), ==, "nurse station");

  accepted = known_task (a, "task-accept");
  json_object_set_string_member (accepted, "status", "accepted");
  json_object_set_object_member (accepted, "owner", json_object_new ());
  json_object_set_string_member (json_object_get_object_member (accepted, "owner"), "display", "Nurse Adaeze");
  station_write (a, accepted);

  seen = (Seen) { b, "task-accept", "accepted", "Nurse Adaeze" };
  took = wait_for (seen_on, &seen, SEEN_WITHIN_MSEC);
  g_test_message ("accepted on A, seen on B after %" G_GINT64_FORMAT " ms", took);
  g_assert_cmpint (took, >=, 0);
  g_assert_cmpstr (g_hash_table_lookup (b->applied_by, "task-accept"), ==, "nurse station");
  g_assert_cmpuint (applied_count (b, "task-accept"), ==, 2);

  /* A few more polls of both: nothing is applied twice, A never applies
   * its own writes, and nothing conflicted.
   */
  run_for (4 * POLL_MSEC);
  g_assert_cmpuint (applied_count (b, "task-accept"), ==, 2);
  g_assert_cmpuint (applied_count (a, "task-accept"), ==, 0);
  g_assert_cmpuint (ward_fhir_shared_get_n_conflicts (a->shared), ==, 0);
  g_assert_cmpuint (ward_fhir_shared_get_n_sent (a->shared), ==, 2);

  on_server = server_task ("task-accept", NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (on_server, "meta"),
                                                  "versionId"), ==, "2");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (on_server, "meta"),
                                                                  "source"),
                                   "urn:wardwatch:station:nurse%20station#"));

  g_clear_pointer (&a, station_free);
  g_clear_pointer (&b, station_free);
  remove_dir (dir);
}

typedef struct
{
  Station *a;
  Station *b;
  const char *id;
} Pair;

/* Both stations have sent everything and show the same owner, note and
 * priority as the server.
 */
static gboolean
settled (gpointer data)
{
  Pair *pair = data;
  JsonObject *ta = g_hash_table_lookup (pair->a->view, pair->id);
  JsonObject *tb = g_hash_table_lookup (pair->b->view, pair->id);

  if (n_pending (pair->a) != 0 || n_pending (pair->b) != 0 ||
      ward_fhir_shared_is_busy (pair->a->shared) || ward_fhir_shared_is_busy (pair->b->shared))
    return FALSE;

  return ta != NULL && tb != NULL &&
         g_strcmp0 (owner_of (ta), owner_of (tb)) == 0 &&
         g_strcmp0 (status_of (ta), status_of (tb)) == 0 &&
         g_strcmp0 (json_object_get_string_member_with_default (ta, "priority", NULL),
                    json_object_get_string_member_with_default (tb, "priority", NULL)) == 0 &&
         json_object_has_member (ta, "note") == json_object_has_member (tb, "note");
}

static void
test_simultaneous_accepts (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(Station) b = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonObject) accept_a = NULL;
  g_autoptr(JsonObject) accept_b = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(JsonObject) urgent = NULL;
  g_autoptr(JsonObject) noted = NULL;
  g_autoptr(JsonObject) final = NULL;
  Seen seen = { 0 };
  Pair pair = { 0 };
  Station *loser;
  const char *winner_owner;
  guint n_versions = 0;
  JsonArray *note;

  if (!prepare ())
    return;

  dir = make_dir ();
  a = station_new (dir, "nurse station");
  b = station_new (dir, "doctors' office desktop");
  ward_fhir_shared_start (a->shared);
  ward_fhir_shared_start (b->shared);

  task = new_task ("task-race", "requested");
  station_write (a, task);
  seen = (Seen) { b, "task-race", "requested", NULL };
  g_assert_cmpint (wait_for (seen_on, &seen, SEEN_WITHIN_MSEC), >=, 0);

  /* Both accept version 1 at the same moment. */
  accept_a = known_task (a, "task-race");
  accept_b = known_task (b, "task-race");
  json_object_set_string_member (accept_a, "status", "accepted");
  json_object_set_object_member (accept_a, "owner", json_object_new ());
  json_object_set_string_member (json_object_get_object_member (accept_a, "owner"), "display", "Nurse Adaeze");
  json_object_set_string_member (accept_b, "status", "accepted");
  json_object_set_object_member (accept_b, "owner", json_object_new ());
  json_object_set_string_member (json_object_get_object_member (accept_b, "owner"), "display", "Dr Brennan");
  station_write (a, accept_a);
  station_write (b, accept_b);

  pair = (Pair) { a, b, "task-race" };
  g_assert_cmpint (wait_for (settled, &pair, SEEN_WITHIN_MSEC), >=, 0);

  /* One accept won, on the server and on both stations; the other station
   * had exactly one conflict, and was told who has it.
   */
  on_server = server_task ("task-race", &n_versions);
  winner_owner = owner_of (on_server);
  g_assert_true (g_strcmp0 (winner_owner, "Nurse Adaeze") == 0 || g_strcmp0 (winner_owner, "Dr Brennan") == 0);
  g_assert_cmpstr (owner_of (g_hash_table_lookup (a->view, "task-race")), ==, winner_owner);
  g_assert_cmpstr (owner_of (g_hash_table_lookup (b->view, "task-race")), ==, winner_owner);
  g_assert_cmpuint (n_versions, ==, 2);
  g_assert_cmpuint (ward_fhir_shared_get_n_conflicts (a->shared) +
                    ward_fhir_shared_get_n_conflicts (b->shared), ==, 1);
  loser = g_strcmp0 (winner_owner, "Nurse Adaeze") == 0 ? b : a;
  g_assert_cmpuint (loser->merges, ==, 1);
  g_assert_cmpstr (loser->told, ==,
                   loser == b ? "already accepted by Nurse Adaeze at nurse station"
                              : "already accepted by Dr Brennan at doctors' office desktop");
  g_assert_null ((loser == a ? b : a)->told);

  /* Two different changes on the same version: the second is merged onto
   * the first and written on its version; both stations end with both.
   */
  urgent = known_task (a, "task-race");
  noted = known_task (b, "task-race");
  json_object_set_string_member (urgent, "priority", "urgent");
  {
    JsonArray *notes = json_array_new ();
    JsonObject *text = json_object_new ();

    json_object_set_string_member (text, "text", "Registrar informed, will review at 14:00");
    json_array_add_object_element (notes, text);
    json_object_set_array_member (noted, "note", notes);
  }
  station_write (a, urgent);
  station_write (b, noted);
  g_assert_cmpint (wait_for (settled, &pair, SEEN_WITHIN_MSEC), >=, 0);

  final = server_task ("task-race", &n_versions);
  g_assert_cmpuint (n_versions, ==, 4);
  g_assert_cmpstr (json_object_get_string_member (final, "priority"), ==, "urgent");
  note = json_object_get_array_member (final, "note");
  g_assert_nonnull (note);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (note, 0), "text"), ==,
                   "Registrar informed, will review at 14:00");
  g_assert_cmpstr (owner_of (final), ==, winner_owner);
  g_assert_cmpuint (ward_fhir_shared_get_n_conflicts (a->shared) +
                    ward_fhir_shared_get_n_conflicts (b->shared), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *shown = g_hash_table_lookup ((i == 0 ? a : b)->view, "task-race");

      g_assert_cmpstr (json_object_get_string_member_with_default (shown, "priority", NULL), ==, "urgent");
      g_assert_true (json_object_has_member (shown, "note"));
    }

  g_clear_pointer (&a, station_free);
  g_clear_pointer (&b, station_free);
  remove_dir (dir);
}

static gboolean
nothing_pending (gpointer data)
{
  Station *station = data;

  return n_pending (station) == 0 && !ward_fhir_shared_is_busy (station->shared);
}

/* Made while the server is down: kept, sent once it is back, once. */
static void
test_offline_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *last_error = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(Station) b = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  Seen seen = { 0 };
  guint n_versions = 0;
  guint64 cycles;
  gint64 took;

  if (!prepare ())
    return;

  dir = make_dir ();
  a = station_new (dir, "nurse station");
  b = station_new (dir, "doctors' office desktop");
  ward_fhir_shared_start (a->shared);
  ward_fhir_shared_start (b->shared);

  ward_test_fhir_server_stop (server);
  task = new_task ("task-offline", "requested");
  station_write (a, task);
  run_for (6 * POLL_MSEC);
  g_assert_cmpint (n_pending (a), ==, 1);
  last_error = ward_fhir_shared_dup_last_error (a->shared);
  g_assert_nonnull (last_error);
  g_test_message ("while the server is down: %s", last_error);

  g_assert_true (ward_test_fhir_server_start (server, &error));
  g_assert_no_error (error);

  seen = (Seen) { b, "task-offline", "requested", NULL };
  took = wait_for (seen_on, &seen, SEEN_WITHIN_MSEC);
  g_test_message ("server back: seen on B after %" G_GINT64_FORMAT " ms", took);
  g_assert_cmpint (took, >=, 0);
  g_assert_cmpint (wait_for (nothing_pending, a, SEEN_WITHIN_MSEC), >=, 0);

  /* Several clean cycles later: still once on the server, applied once. */
  cycles = ward_fhir_shared_get_n_clean_cycles (a->shared);
  run_for (5 * POLL_MSEC);
  g_assert_cmpuint (ward_fhir_shared_get_n_clean_cycles (a->shared), >, cycles);
  on_server = server_task ("task-offline", &n_versions);
  g_assert_cmpuint (n_versions, ==, 1);
  g_assert_cmpuint (applied_count (b, "task-offline"), ==, 1);
  g_assert_cmpuint (ward_fhir_shared_get_n_sent (a->shared), ==, 1);

  g_clear_pointer (&a, station_free);
  g_clear_pointer (&b, station_free);
  remove_dir (dir);
}

/* The child: queues two Tasks on the store at WARD_TEST_SHARED_DB, then
 * dies with SIGKILL before sending anything.
 */
static void
queue_and_die (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (g_getenv ("WARD_TEST_SHARED_DB"), &error);
  g_autoptr(WardFhirShared) shared = NULL;

  g_assert_no_error (error);
  shared = ward_fhir_shared_new (store, g_getenv ("WARD_TEST_SHARED_URL"), "nurse station");
  ward_fhir_shared_register_type (shared, "Task", NULL, NULL, NULL, NULL);
  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *id = g_strdup_printf ("task-killed-%u", i);
      g_autoptr(JsonObject) task = new_task (id, "requested");

      g_assert_true (ward_fhir_shared_write (shared, task, &error));
      g_assert_no_error (error);
    }
  kill (getpid (), SIGKILL);
}

/* Killed between queueing and sending: both writes arrive once, also the
 * one whose request reached the server just before the kill.
 */
static void
test_killed_before_sending (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *sent_json = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(Station) b = NULL;
  g_autoptr(WardStore) check = NULL;
  Seen seen = { 0 };
  guint status;

  if (g_test_subprocess ())
    {
      queue_and_die ();
      return;
    }
  if (!prepare ())
    return;

  dir = make_dir ();
  db = g_build_filename (dir, "nurse station.db", NULL);
  g_setenv ("WARD_TEST_SHARED_DB", db, TRUE);
  g_setenv ("WARD_TEST_SHARED_URL", ward_test_fhir_server_get_base_url (server), TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();

  /* What the killed process left: two pending writes. */
  check = ward_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_shared_get_n_pending (check, &error), ==, 2);

  /* The second one's PUT got through just before the kill (as the sync
   * would have sent it: meta.source with its write id).
   */
  sent_json = _ward_store_query_text (check,
    "SELECT json_set(json, '$.meta', json_object('source', "
    "'urn:wardwatch:station:nurse%20station#' || write_id)) "
    "FROM shared_outbox WHERE id = 'task-killed-2'", &error);
  g_assert_no_error (error);
  g_clear_object (&check);
  status = ward_test_fhir_server_request (server, "PUT", "/fhir/R4/Task/task-killed-2", NULL,
                                          sent_json, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 201);

  /* Started again: both are sent (the second recognised as already
   * there), each once, and the other station sees both.
   */
  a = station_new (dir, "nurse station");
  b = station_new (dir, "doctors' office desktop");
  ward_fhir_shared_start (a->shared);
  ward_fhir_shared_start (b->shared);
  g_assert_cmpint (wait_for (nothing_pending, a, SEEN_WITHIN_MSEC), >=, 0);
  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *id = g_strdup_printf ("task-killed-%u", i);
      g_autoptr(JsonObject) on_server = NULL;
      guint n_versions = 0;

      seen = (Seen) { b, id, "requested", NULL };
      g_assert_cmpint (wait_for (seen_on, &seen, SEEN_WITHIN_MSEC), >=, 0);
      on_server = server_task (id, &n_versions);
      g_assert_cmpuint (n_versions, ==, 1);
      g_assert_cmpuint (applied_count (b, id), ==, 1);
    }
  g_assert_cmpuint (ward_fhir_shared_get_n_sent (a->shared), ==, 2);
  g_assert_cmpuint (ward_fhir_shared_get_n_conflicts (a->shared), ==, 0);

  g_clear_pointer (&a, station_free);
  g_clear_pointer (&b, station_free);
  remove_dir (dir);
}

typedef struct
{
  Station *station;
  guint    n;
} AllSeen;

static gboolean
all_seen (gpointer data)
{
  AllSeen *all = data;

  for (guint i = 0; i < all->n; i++)
    {
      g_autofree char *id = g_strdup_printf ("task-page-%u", i);

      if (applied_count (all->station, id) == 0)
        return FALSE;
    }
  return TRUE;
}

/* More changes than a search page: all applied, each once, and the mark
 * kept is the newest change.
 */
static void
test_paged_poll (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *mark = NULL;
  g_autofree char *newest = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(Station) b = NULL;
  AllSeen all = { 0 };
  const guint n = 7;

  if (!prepare ())
    return;

  dir = make_dir ();
  a = station_new (dir, "nurse station");
  b = station_new (dir, "doctors' office desktop");
  ward_fhir_shared_set_page_size (b->shared, 2);
  ward_fhir_shared_start (a->shared);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("task-page-%u", i);
      g_autoptr(JsonObject) task = new_task (id, "requested");

      station_write (a, task);
    }
  g_assert_cmpint (wait_for (nothing_pending, a, SEEN_WITHIN_MSEC), >=, 0);

  ward_fhir_shared_start (b->shared);
  all = (AllSeen) { b, n };
  g_assert_cmpint (wait_for (all_seen, &all, SEEN_WITHIN_MSEC), >=, 0);
  run_for (4 * POLL_MSEC);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("task-page-%u", i);

      g_assert_cmpuint (applied_count (b, id), ==, 1);
    }
  g_assert_cmpuint (ward_fhir_shared_get_n_applied (b->shared), ==, n);

  mark = ward_store_dup_setting (b->store, "fhir-shared-mark:Task", &error);
  g_assert_no_error (error);
  newest = _ward_store_query_text (b->store, "SELECT max(last_updated) FROM shared_known", &error);
  g_assert_no_error (error);
  g_assert_nonnull (mark);
  g_assert_cmpstr (mark, ==, newest);

  g_clear_pointer (&a, station_free);
  g_clear_pointer (&b, station_free);
  remove_dir (dir);
}

/* A write the server refuses is parked with its reason and does not hold
 * up the ones behind it.
 */
static void
test_refused_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(Station) b = NULL;
  g_autoptr(JsonObject) bad = NULL;
  g_autoptr(JsonObject) good = NULL;
  Seen seen = { 0 };

  if (!prepare ())
    return;

  dir = make_dir ();
  a = station_new (dir, "nurse station");
  b = station_new (dir, "doctors' office desktop");
  bad = new_task ("task-bad", "bogus");
  good = new_task ("task-good", "requested");
  station_write (a, bad);
  station_write (a, good);
  g_test_expect_message ("ward-fhir-shared", G_LOG_LEVEL_WARNING,
                         "*refused shared Task/task-bad: HTTP 400*bogus*");
  ward_fhir_shared_start (a->shared);
  ward_fhir_shared_start (b->shared);

  seen = (Seen) { b, "task-good", "requested", NULL };
  g_assert_cmpint (wait_for (seen_on, &seen, SEEN_WITHIN_MSEC), >=, 0);
  g_assert_cmpint (wait_for (nothing_pending, a, SEEN_WITHIN_MSEC), >=, 0);
  g_test_assert_expected_messages ();
  g_assert_null (server_task ("task-bad", NULL));
  reason = _ward_store_query_text (a->store,
                                   "SELECT state || ': ' || last_error FROM shared_outbox WHERE id = 'task-bad'",
                                   &error);
  g_assert_no_error (error);
  g_test_message ("parked: %s", reason);
  g_assert_true (g_str_has_prefix (reason, "failed: HTTP 400"));
  g_assert_nonnull (strstr (reason, "bogus"));
  g_assert_cmpuint (applied_count (b, "task-bad"), ==, 0);

  g_clear_pointer (&a, station_free);
  g_clear_pointer (&b, station_free);
  remove_dir (dir);
}

/* Bad input is refused with a clear error and queues nothing. */
static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (WARD_STORE_IN_MEMORY, &error);
  g_autoptr(WardFhirShared) shared = NULL;
  g_autoptr(JsonObject) observation = json_object_new ();
  g_autoptr(JsonObject) bad_id = new_task ("bed 3/task", "requested");

  g_assert_no_error (error);
  shared = ward_fhir_shared_new (store, "http://127.0.0.1:1/fhir/R4", NULL);
  g_assert_cmpstr (ward_fhir_shared_get_station (shared), ==, g_get_host_name ());
  ward_fhir_shared_register_type (shared, "Task", NULL, NULL, NULL, NULL);

  json_object_set_string_member (observation, "resourceType", "Observation");
  json_object_set_string_member (observation, "id", "obs-1");
  g_assert_false (ward_fhir_shared_write (shared, observation, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Observation is not a resource type shared"));
  g_clear_error (&error);

  g_assert_false (ward_fhir_shared_write (shared, bad_id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "bed 3/task"));
  g_clear_error (&error);

  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 0);
  g_assert_no_error (error);

  /* Station names as --station takes them. */
  g_assert_true (ward_fhir_shared_station_is_valid ("doctors' office desktop", NULL));
  g_assert_true (ward_fhir_shared_station_is_valid ("Station de soins 7 \xc3\xa9", NULL));
  g_assert_false (ward_fhir_shared_station_is_valid ("", NULL));
  g_assert_false (ward_fhir_shared_station_is_valid ("   ", NULL));
  g_assert_false (ward_fhir_shared_station_is_valid ("desk\n2", NULL));
  g_assert_false (ward_fhir_shared_station_is_valid ("\xff\xfe", NULL));
  g_assert_false (ward_fhir_shared_station_is_valid (
    "an extremely long station name that goes on and on past sixty-four characters", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* A clean stop sends what the last moment queued before it returns:
 * a Task written just before the stop is on the server afterwards,
 * without any cycle having run for it.
 */
static void
test_flush_at_stop (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  guint n_versions = 0;

  if (!prepare ())
    return;

  dir = make_dir ();
  a = station_new (dir, "nurse station");
  ward_fhir_shared_start (a->shared);
  /* The start's first cycle (reading every type once) has gone by. */
  g_assert_cmpint (wait_for (nothing_pending, a, SEEN_WITHIN_MSEC), >=, 0);

  task = new_task ("task-at-stop", "requested");
  station_write (a, task);
  g_assert_cmpint (n_pending (a), ==, 1);
  ward_fhir_shared_flush_and_stop (a->shared, 3000);

  g_assert_cmpint (n_pending (a), ==, 0);
  on_server = server_task ("task-at-stop", &n_versions);
  g_assert_nonnull (on_server);
  g_assert_cmpuint (n_versions, ==, 1);
  g_assert_false (ward_fhir_shared_is_busy (a->shared));

  g_clear_pointer (&a, station_free);
  remove_dir (dir);
}

/* A server that takes the connection and never answers: the stop waits
 * its bound, not the request timeout, and the write stays queued for the
 * next start, which sends it once.
 */
static void
test_flush_bounded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) mute = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *mute_url = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  guint n_versions = 0;
  gint64 started;
  gint64 took_msec;

  if (!prepare ())
    return;

  /* Listening, never accepting: the kernel completes the connection and
   * takes the request, nobody answers.
   */
  mute = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (mute, address, FALSE, &error));
  g_assert_true (g_socket_listen (mute, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (mute, &error);
  g_assert_no_error (error);
  mute_url = g_strdup_printf ("http://127.0.0.1:%u/fhir/R4",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  dir = make_dir ();
  a = station_new (dir, "nurse station");
  g_clear_object (&a->shared);
  a->shared = ward_fhir_shared_new (a->store, mute_url, "nurse station");
  /* Far longer than the stop's bound: the stop must not wait for it. */
  ward_fhir_shared_set_timeout (a->shared, 120);
  ward_fhir_shared_register_type (a->shared, "Task", merge_task, apply_task, a, NULL);
  ward_fhir_shared_start (a->shared);

  task = new_task ("task-mute", "requested");
  station_write (a, task);
  started = g_get_monotonic_time ();
  ward_fhir_shared_flush_and_stop (a->shared, 1000);
  took_msec = (g_get_monotonic_time () - started) / 1000;
  g_test_message ("stop against a server that does not answer: %" G_GINT64_FORMAT " ms", took_msec);
  /* Bounded by the stop, not by the 120 s request timeout. */
  g_assert_cmpint (took_msec, <, 60 * 1000);
  g_assert_cmpint (n_pending (a), ==, 1);
  g_assert_null (server_task ("task-mute", NULL));

  /* The next start, with the server there: sent, once. */
  g_clear_object (&a->shared);
  a->shared = ward_fhir_shared_new (a->store, ward_test_fhir_server_get_base_url (server),
                                    "nurse station");
  ward_fhir_shared_set_poll_interval (a->shared, POLL_MSEC);
  ward_fhir_shared_register_type (a->shared, "Task", merge_task, apply_task, a, NULL);
  ward_fhir_shared_start (a->shared);
  g_assert_cmpint (wait_for (nothing_pending, a, SEEN_WITHIN_MSEC), >=, 0);
  on_server = server_task ("task-mute", &n_versions);
  g_assert_nonnull (on_server);
  g_assert_cmpuint (n_versions, ==, 1);

  g_clear_pointer (&a, station_free);
  remove_dir (dir);
}

static WardFhirMergeResult
merge_flag (const char   *resource_type,
            JsonObject   *local,
            JsonObject   *server_copy,
            JsonObject  **merged,
            gpointer      user_data)
{
  Station *station = user_data;

  station->merges++;
  return ward_care_share_merge_flag (local, server_copy, merged);
}

static void
apply_flag (const char *resource_type,
            JsonObject *resource,
            const char *by,
            gpointer    user_data)
{
  Station *station = user_data;
  const char *id = json_object_get_string_member (resource, "id");

  g_assert_cmpstr (resource_type, ==, "Flag");
  g_hash_table_replace (station->view, g_strdup (id), copy_object (resource));
  g_hash_table_replace (station->applied, g_strdup (id),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (station->applied, id)) + 1));
  g_hash_table_replace (station->applied_by, g_strdup (id), g_strdup (by));
}

/* A station's Flag for p1's episode opened at opened_at. */
static JsonObject *
station_flag (const char *device,
              gint64      opened_at,
              gint64      closed_at,
              const char *acknowledged_by)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  WardFhirFlagInput input = {
    .patient_id = "p1",
    .device_id = device,
    .opened_at = opened_at,
    .closed_at = closed_at,
    .band = WARD_BAND_HIGH,
    .assessment_window_end = opened_at,
    .acknowledged_by = acknowledged_by,
    .acknowledged_at = acknowledged_by != NULL ? opened_at + 60 * G_USEC_PER_SEC : 0,
  };

  JsonObject *flag;
  JsonArray *extensions;

  node = ward_fhir_flag (&input, &error);
  g_assert_no_error (error);
  flag = json_object_ref (json_node_get_object (node));
  /* No RiskAssessment on this server: the flag-detail extension (the
   * second) goes, the server checks every reference.
   */
  extensions = json_object_get_array_member (flag, "extension");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (extensions, 1), "url"),
                   ==, WARD_FHIR_EXTENSION_FLAG_DETAIL);
  json_array_remove_element (extensions, 1);
  return flag;
}

/* What the Flags reference, on the server (it checks references). */
static void
put_referents (void)
{
  static const char * const resources[][2] = {
    { "/fhir/R4/Patient/p1", "{\"resourceType\": \"Patient\", \"id\": \"p1\"}" },
    { "/fhir/R4/Device/dev-a", "{\"resourceType\": \"Device\", \"id\": \"dev-a\"}" },
    { "/fhir/R4/Device/dev-b", "{\"resourceType\": \"Device\", \"id\": \"dev-b\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (resources); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *response = NULL;
      guint status = ward_test_fhir_server_request (server, "PUT", resources[i][0], NULL, resources[i][1],
                                                    NULL, &response, &error);

      g_assert_no_error (error);
      if (status != 200 && status != 201)
        g_error ("%s refused (%u): %s", resources[i][0], status, response);
    }
}

static gboolean
flag_status_seen (gpointer data)
{
  Seen *seen = data;
  JsonObject *flag = g_hash_table_lookup (seen->station->view, seen->id);

  return flag != NULL && g_hash_table_lookup (seen->station->applied_by, seen->id) != NULL &&
         g_strcmp0 (json_object_get_string_member (flag, "status"), seen->status) == 0;
}

static JsonObject *
server_flag (const char *id,
             guint      *n_versions)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/Flag/%s", id);
  g_autofree char *history = g_strdup_printf ("/fhir/R4/Flag/%s/_history", id);
  g_autofree char *body = NULL;
  g_autofree char *history_body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) history_node = NULL;
  JsonObject *bundle;

  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body,
                                                   &error), ==, 200);
  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", history, NULL, NULL, NULL,
                                                   &history_body, &error), ==, 200);
  g_assert_no_error (error);
  history_node = json_from_string (history_body, &error);
  g_assert_no_error (error);
  bundle = json_node_get_object (history_node);
  *n_versions = json_object_has_member (bundle, "entry")
                ? json_array_get_length (json_object_get_array_member (bundle, "entry")) : 0;
  node = json_from_string (body, &error);
  g_assert_no_error (error);
  return copy_object (json_node_get_object (node));
}

/* A Flag closed at one station; the other, whose engine has not seen the
 * recovery yet, writes its active copy on the closed version it already
 * polled: If-Match alone would take it (a reopened flag).  Merged before
 * it goes, it is dropped; an acknowledgement on it still goes, closed.
 */
static void
test_stale_flag_not_reopened (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(Station) b = NULL;
  g_autoptr(JsonObject) opened = NULL;
  g_autoptr(JsonObject) closed = NULL;
  g_autoptr(JsonObject) stale = NULL;
  g_autoptr(JsonObject) stale_acknowledged = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autofree char *id = NULL;
  const char *by = NULL;
  gint64 opened_at = G_GINT64_CONSTANT (1800000000000000);
  guint n_versions = 0;
  Seen seen = { 0 };

  if (!prepare ())
    return;

  put_referents ();
  dir = make_dir ();
  a = station_new (dir, "nurse station");
  b = station_new (dir, "doctors' office desktop");
  ward_fhir_shared_register_type (a->shared, "Flag", merge_flag, apply_flag, a, NULL);
  ward_fhir_shared_set_merge_on_write (a->shared, "Flag", TRUE);
  ward_fhir_shared_register_type (b->shared, "Flag", merge_flag, apply_flag, b, NULL);
  ward_fhir_shared_set_merge_on_write (b->shared, "Flag", TRUE);
  ward_fhir_shared_start (a->shared);
  ward_fhir_shared_start (b->shared);

  opened = station_flag ("dev-a", opened_at, 0, NULL);
  id = g_strdup (json_object_get_string_member (opened, "id"));
  station_write (a, opened);
  seen = (Seen) { b, id, "active", NULL };
  g_assert_cmpint (wait_for (flag_status_seen, &seen, SEEN_WITHIN_MSEC), >=, 0);

  closed = station_flag ("dev-a", opened_at, opened_at + 600 * G_USEC_PER_SEC, NULL);
  station_write (a, closed);
  seen = (Seen) { b, id, "inactive", NULL };
  g_assert_cmpint (wait_for (flag_status_seen, &seen, SEEN_WITHIN_MSEC), >=, 0);

  /* B's engine still has it open. */
  stale = station_flag ("dev-b", opened_at, 0, NULL);
  station_write (b, stale);
  g_assert_cmpint (wait_for (nothing_pending, b, SEEN_WITHIN_MSEC), >=, 0);
  on_server = server_flag (id, &n_versions);
  g_assert_cmpstr (json_object_get_string_member (on_server, "status"), ==, "inactive");
  g_assert_cmpuint (n_versions, ==, 2);
  g_clear_pointer (&on_server, json_object_unref);

  /* Acknowledged at B meanwhile: the acknowledgement goes, the flag
   * stays closed.
   */
  stale_acknowledged = station_flag ("dev-b", opened_at, 0, "dev.patel");
  station_write (b, stale_acknowledged);
  g_assert_cmpint (wait_for (nothing_pending, b, SEEN_WITHIN_MSEC), >=, 0);
  on_server = server_flag (id, &n_versions);
  g_assert_cmpstr (json_object_get_string_member (on_server, "status"), ==, "inactive");
  g_assert_cmpuint (n_versions, ==, 3);
  g_assert_true (ward_care_share_flag_acknowledgement (on_server, &by, NULL));
  g_assert_cmpstr (by, ==, "dev.patel");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (on_server, "author"),
                                                  "reference"), ==, "Device/dev-a");

  g_clear_pointer (&a, station_free);
  g_clear_pointer (&b, station_free);
  remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fhir-shared/bad-input", test_bad_input);
  g_test_add_func ("/fhir-shared/accept-seen-elsewhere", test_accept_seen);
  g_test_add_func ("/fhir-shared/simultaneous-accepts", test_simultaneous_accepts);
  g_test_add_func ("/fhir-shared/offline-write-arrives-once", test_offline_write);
  g_test_add_func ("/fhir-shared/killed-before-sending", test_killed_before_sending);
  g_test_add_func ("/fhir-shared/paged-poll", test_paged_poll);
  g_test_add_func ("/fhir-shared/refused-write-parked", test_refused_write);
  g_test_add_func ("/fhir-shared/flush-at-stop", test_flush_at_stop);
  g_test_add_func ("/fhir-shared/flush-bounded", test_flush_bounded);
  g_test_add_func ("/fhir-shared/stale-flag-not-reopened", test_stale_flag_not_reopened);

  status = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return status;
}
