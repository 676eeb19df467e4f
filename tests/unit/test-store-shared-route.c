/* test-store-shared-route.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue #16, sharing hygiene: the resource types shared between stations
 * go from the store's put straight to the sharing queue (one path, in
 * the writer's transaction), and the writes the server has are pruned
 * from shared_outbox after a retention, a bounded batch at a time.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ward-store-shared.h"

typedef struct
{
  guint  n_queued;
  char  *last_type;
  char  *last_id;
} Queued;

static void
queued_cb (const char *resource_type,
           const char *id,
           gpointer    user_data)
{
  Queued *queued = user_data;

  queued->n_queued++;
  g_free (queued->last_type);
  g_free (queued->last_id);
  queued->last_type = g_strdup (resource_type);
  queued->last_id = g_strdup (id);
}

typedef struct
{
  char *id;
  char *base_version;
  char *json;
  gint64 seq;
  char *write_id;
} Taken;

static void
taken_clear (Taken *taken)
{
  g_clear_pointer (&taken->id, g_free);
  g_clear_pointer (&taken->base_version, g_free);
  g_clear_pointer (&taken->json, g_free);
  g_clear_pointer (&taken->write_id, g_free);
}

static void
take (const WardSharedWrite *write,
      gpointer               user_data)
{
  Taken *taken = user_data;

  taken_clear (taken);
  taken->seq = write->seq;
  taken->id = g_strdup (write->id);
  taken->base_version = g_strdup (write->base_version);
  taken->json = g_strdup (write->json);
  taken->write_id = g_strdup (write->write_id);
}

static gint64
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
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

/* A routed type is queued for sharing by the put itself, never in the
 * FHIR outbox; the rest goes to the outbox as always; a rolled-back
 * transaction takes both the resource and its shared write away.
 */
static void
test_route (void)
{
  static const char *const shared_types[] = { "Flag", "Communication", NULL };
  static const char f1[] = "{\"resourceType\":\"Flag\",\"id\":\"f1\",\"status\":\"active\"}";
  static const char f1_acked[] =
    "{\"resourceType\":\"Flag\",\"id\":\"f1\",\"status\":\"active\",\"extension\":[]}";
  static const char f2[] = "{\"resourceType\":\"Flag\",\"id\":\"f2\",\"status\":\"active\"}";
  static const char o1[] = "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (WARD_STORE_IN_MEMORY, &error);
  g_autofree char *json = NULL;
  Queued queued = { 0 };
  Taken taken = { 0 };
  gboolean changed = FALSE;
  gboolean found = FALSE;
  gboolean done = FALSE;
  gint64 version = 0;

  g_assert_no_error (error);
  g_assert_false (ward_store_shared_is_routed (store, "Flag"));
  ward_store_shared_set_routes (store, shared_types, queued_cb, &queued);
  g_assert_true (ward_store_shared_is_routed (store, "Flag"));
  g_assert_true (ward_store_shared_is_routed (store, "Communication"));
  g_assert_false (ward_store_shared_is_routed (store, "Observation"));

  g_assert_true (ward_store_begin (store, &error));
  g_assert_true (ward_store_put_resource (store, "Flag", "f1", f1, 10, &changed, &error));
  g_assert_true (changed);
  g_assert_true (ward_store_put_resource (store, "Observation", "o1", o1, 10, NULL, &error));
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);

  /* The Flag: in the local FHIR store, queued for sharing, told once. */
  json = ward_store_get_resource (store, "Flag", "f1", &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json, ==, f1);
  g_assert_cmpuint (queued.n_queued, ==, 1);
  g_assert_cmpstr (queued.last_type, ==, "Flag");
  g_assert_cmpstr (queued.last_id, ==, "f1");
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 1);
  /* Only the Observation waits in the outbox. */
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 1);
  g_assert_no_error (error);

  /* The same content again is no new write. */
  g_assert_true (ward_store_put_resource (store, "Flag", "f1", f1, 11, &changed, &error));
  g_assert_false (changed);
  g_assert_cmpuint (queued.n_queued, ==, 1);

  /* Sent; the server's copy known as version 4: the next local change
   * is a write on version 4.
   */
  g_assert_true (ward_store_shared_next (store, take, &taken, &found, &error));
  g_assert_true (found);
  g_assert_cmpstr (taken.id, ==, "f1");
  g_assert_null (taken.base_version);
  g_assert_true (ward_store_shared_mark_sent (store, taken.seq, taken.write_id, "4", 20, &done, &error));
  g_assert_true (done);
  g_assert_true (ward_store_shared_set_known (store, "Flag", "f1", "4", NULL, f1, &error));
  g_assert_true (ward_store_put_resource (store, "Flag", "f1", f1_acked, 30, &changed, &error));
  g_assert_true (changed);
  g_assert_cmpuint (queued.n_queued, ==, 2);
  g_assert_true (ward_store_shared_next (store, take, &taken, &found, &error));
  g_assert_true (found);
  g_assert_cmpstr (taken.base_version, ==, "4");
  g_assert_cmpstr (taken.json, ==, f1_acked);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 1);

  /* Rolled back: neither the Flag nor its shared write stays. */
  g_assert_true (ward_store_begin (store, &error));
  g_assert_true (ward_store_put_resource (store, "Flag", "f2", f2, 40, NULL, &error));
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 2);
  /* Told at once (a cue to send, the sender finds nothing after the
   * rollback).
   */
  g_assert_cmpuint (queued.n_queued, ==, 3);
  ward_store_rollback (store);
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 1);
  g_clear_pointer (&json, g_free);
  json = ward_store_get_resource (store, "Flag", "f2", &version, &error);
  g_assert_no_error (error);
  g_assert_null (json);

  /* Sharing off: Flags go to the outbox again. */
  ward_store_shared_set_routes (store, NULL, NULL, NULL);
  g_assert_false (ward_store_shared_is_routed (store, "Flag"));
  g_assert_true (ward_store_put_resource (store, "Flag", "f2", f2, 50, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 2);
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 1);
  g_assert_cmpuint (queued.n_queued, ==, 3);

  taken_clear (&taken);
  g_free (queued.last_type);
  g_free (queued.last_id);
}

static gint64
queue_done (WardStore  *store,
            const char *id,
            const char *state,
            gint64      done_at)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"Task\",\"id\":\"%s\"}", id);
  g_autofree char *write_id = g_strdup_printf ("w-%s", id);
  gboolean done = FALSE;
  gint64 seq = 0;

  g_assert_true (ward_store_shared_queue (store, "Task", id, NULL, write_id, json, done_at - 5,
                                          &seq, &error));
  g_assert_no_error (error);
  if (g_str_equal (state, "sent"))
    {
      g_assert_true (ward_store_shared_mark_sent (store, seq, write_id, "1", done_at, &done, &error));
      g_assert_true (done);
    }
  else if (g_str_equal (state, "merged") || g_str_equal (state, "failed"))
    g_assert_true (ward_store_shared_mark_ended (store, seq, g_str_equal (state, "failed"), "1",
                                                 NULL, done_at, &error));
  g_assert_no_error (error);

  return seq;
}

/* The clock is the caller's: rows done before the bound leave, oldest
 * first, at most a batch at a time; pending and refused rows stay.
 */
static void
test_prune (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wardwatch-shared-prune-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autoptr(WardStore) store = NULL;
  const gint64 day = G_TIME_SPAN_DAY;
  const gint64 now = (gint64) 1796000000 * G_USEC_PER_SEC;
  const gint64 retention = 7 * day;
  gint64 pending_seq;

  g_assert_no_error (error);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);

  queue_done (store, "old-sent", "sent", now - 30 * day);
  queue_done (store, "old-merged", "merged", now - 8 * day);
  queue_done (store, "old-failed", "failed", now - 30 * day);
  queue_done (store, "recent-sent", "sent", now - 6 * day);
  pending_seq = queue_done (store, "pending", "pending", now - 40 * day);
  g_assert_cmpint (pending_seq, >, 0);

  /* Nothing is old enough a day earlier than the oldest. */
  g_assert_cmpint (ward_store_shared_prune (store, now - 31 * day, 100, &error), ==, 0);
  g_assert_no_error (error);

  g_assert_cmpint (ward_store_shared_prune (store, now - retention, 100, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM shared_outbox"), ==, 3);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM shared_outbox WHERE id IN "
                                     "('old-failed', 'recent-sent', 'pending')"), ==, 3);
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 1);

  /* A backlog (a station that ran for months) goes a batch at a time,
   * oldest first.
   */
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("backlog-%d", i);

      queue_done (store, id, "sent", now - (100 - i) * day);
    }
  g_assert_cmpint (ward_store_shared_prune (store, now - retention, 2, &error), ==, 2);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM shared_outbox WHERE id IN "
                                     "('backlog-0', 'backlog-1')"), ==, 0);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM shared_outbox WHERE id LIKE 'backlog-%'"),
                   ==, 3);
  g_assert_cmpint (ward_store_shared_prune (store, now - retention, 2, &error), ==, 2);
  g_assert_cmpint (ward_store_shared_prune (store, now - retention, 2, &error), ==, 1);
  g_assert_cmpint (ward_store_shared_prune (store, now - retention, 2, &error), ==, 0);
  g_assert_no_error (error);

  /* The recent one goes once it is older than the retention. */
  g_assert_cmpint (ward_store_shared_prune (store, now + 2 * day - retention, 100, &error), ==, 1);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM shared_outbox"), ==, 2);

  g_clear_object (&store);
  remove_db (dir, path);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store-shared-route/route", test_route);
  g_test_add_func ("/store-shared-route/prune", test_prune);

  return g_test_run ();
}
