/* test-store-shared.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's side of sharing resources between stations (schema 8):
 * settings, the known server versions, and the queue of local writes
 * (one pending per resource, in order, rebased after a conflict).
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ward-store-shared.h"

typedef struct
{
  gint64  seq;
  char   *id;
  char   *base_version;
  char   *write_id;
  char   *json;
  gboolean merged;
} Taken;

static void
taken_clear (Taken *taken)
{
  g_clear_pointer (&taken->id, g_free);
  g_clear_pointer (&taken->base_version, g_free);
  g_clear_pointer (&taken->write_id, g_free);
  g_clear_pointer (&taken->json, g_free);
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
  taken->write_id = g_strdup (write->write_id);
  taken->json = g_strdup (write->json);
  taken->merged = write->merged;
}

static void
next (WardStore *store,
      Taken     *taken,
      gboolean   expect_found)
{
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;

  taken_clear (taken);
  g_assert_true (ward_store_shared_next (store, take, taken, &found, &error));
  g_assert_no_error (error);
  g_assert_cmpint (found, ==, expect_found);
}

static void
test_settings (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (WARD_STORE_IN_MEMORY, &error);
  g_autofree char *none = NULL;
  g_autofree char *value = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (store), >=, 9);
  none = ward_store_dup_setting (store, "fhir-shared-mark:Task", &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_true (ward_store_set_setting (store, "fhir-shared-mark:Task", "2026-12-07T10:00:00.000Z", &error));
  g_assert_true (ward_store_set_setting (store, "fhir-shared-mark:Task", "2026-12-07T10:00:03.250Z", &error));
  g_assert_no_error (error);
  value = ward_store_dup_setting (store, "fhir-shared-mark:Task", &error);
  g_assert_cmpstr (value, ==, "2026-12-07T10:00:03.250Z");
}

static void
test_queue (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wardwatch-store-shared-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autoptr(WardStore) store = NULL;
  g_autofree char *known = NULL;
  g_autofree char *known_json = NULL;
  Taken taken = { 0 };
  gint64 seq1 = 0, seq2 = 0, seq3 = 0;
  gboolean done = TRUE;
  gboolean pending = FALSE;

  g_assert_no_error (error);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);

  /* Nothing known, nothing queued. */
  g_assert_true (ward_store_shared_get_known (store, "Task", "t1", &known, &known_json, &error));
  g_assert_null (known);
  g_assert_null (known_json);
  next (store, &taken, FALSE);

  /* Two resources, in order; a second write of t1 while its first is
   * pending replaces its content and keeps its base and place.
   */
  g_assert_true (ward_store_shared_queue (store, "Task", "t1", "3", "w1", "{\"a\":1}", 10, &seq1, &error));
  g_assert_true (ward_store_shared_queue (store, "Task", "t2", NULL, "w2", "{\"b\":1}", 11, &seq2, &error));
  g_assert_true (ward_store_shared_queue (store, "Task", "t1", "4", "w3", "{\"a\":2}", 12, &seq3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (seq3, ==, seq1);
  g_assert_cmpint (seq2, >, seq1);
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 2);
  g_assert_true (ward_store_shared_is_pending (store, "Task", "t1", &pending, &error));
  g_assert_true (pending);

  /* Durable: the same after opening the file again. */
  g_clear_object (&store);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  next (store, &taken, TRUE);
  g_assert_cmpint (taken.seq, ==, seq1);
  g_assert_cmpstr (taken.base_version, ==, "3");
  g_assert_cmpstr (taken.write_id, ==, "w3");
  g_assert_cmpstr (taken.json, ==, "{\"a\":2}");
  g_assert_false (taken.merged);

  /* The server took w1 (an older write id): the row stays pending, now
   * based on that version.
   */
  g_assert_true (ward_store_shared_mark_sent (store, seq1, "w1", "5", 20, &done, &error));
  g_assert_no_error (error);
  g_assert_false (done);
  next (store, &taken, TRUE);
  g_assert_cmpint (taken.seq, ==, seq1);
  g_assert_cmpstr (taken.base_version, ==, "5");

  /* A conflict: rebased only when the write id is still the one sent. */
  g_assert_true (ward_store_shared_rebase (store, seq1, "w-old", "6", "w4", "{\"a\":3}", &done, &error));
  g_assert_false (done);
  g_assert_true (ward_store_shared_rebase (store, seq1, "w3", "6", "w4", "{\"a\":3}", &done, &error));
  g_assert_true (done);
  next (store, &taken, TRUE);
  g_assert_cmpstr (taken.base_version, ==, "6");
  g_assert_cmpstr (taken.write_id, ==, "w4");
  g_assert_true (taken.merged);

  /* Sent: the next one is t2, a creation. */
  g_assert_true (ward_store_shared_mark_sent (store, seq1, "w4", "7", 30, &done, &error));
  g_assert_true (done);
  g_assert_true (ward_store_shared_set_known (store, "Task", "t1", "7", "2026-12-07T10:00:00.000Z",
                                              "{\"a\":3}", &error));
  next (store, &taken, TRUE);
  g_assert_cmpint (taken.seq, ==, seq2);
  g_assert_null (taken.base_version);

  /* A transient failure keeps it; a refusal ends it. */
  g_assert_true (ward_store_shared_mark_attempt (store, seq2, "HTTP 503", &error));
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 1);
  g_assert_true (ward_store_shared_mark_ended (store, seq2, TRUE, NULL, "HTTP 400: bad", 40, &error));
  g_assert_no_error (error);
  next (store, &taken, FALSE);
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 0);

  /* A new write of t1 after the sent one is a new row. */
  g_assert_true (ward_store_shared_queue (store, "Task", "t1", "7", "w5", "{\"a\":4}", 50, &seq3, &error));
  g_assert_cmpint (seq3, >, seq2);

  g_assert_true (ward_store_shared_get_known (store, "Task", "t1", &known, &known_json, &error));
  g_assert_cmpstr (known, ==, "7");
  g_assert_cmpstr (known_json, ==, "{\"a\":3}");

  taken_clear (&taken);
  g_clear_object (&store);
  g_unlink (path);
  g_rmdir (dir);
}

/* Rows of a shared type still in the outbox (queued with no server) go to
 * the shared queue once, on the known version; a shared write already
 * pending for the resource is newer and stays; other types stay in the
 * outbox.
 */
static void
test_adopt_outbox (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wardwatch-store-shared-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autoptr(WardStore) store = NULL;
  Taken taken = { 0 };
  gboolean done = FALSE;
  static const char t1[] = "{\"resourceType\":\"Task\",\"id\":\"t1\",\"status\":\"requested\"}";
  static const char t2[] = "{\"resourceType\":\"Task\",\"id\":\"t2\",\"status\":\"requested\"}";
  static const char t2_newer[] = "{\"resourceType\":\"Task\",\"id\":\"t2\",\"status\":\"accepted\"}";
  static const char o1[] = "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\"}";

  g_assert_no_error (error);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);

  g_assert_true (ward_store_begin (store, &error));
  g_assert_true (ward_store_put_resource (store, "Task", "t1", t1, 10, NULL, &error));
  g_assert_true (ward_store_put_resource (store, "Task", "t2", t2, 10, NULL, &error));
  g_assert_true (ward_store_put_resource (store, "Observation", "o1", o1, 10, NULL, &error));
  g_assert_true (ward_store_shared_set_known (store, "Task", "t1", "3", NULL, t1, &error));
  g_assert_true (ward_store_shared_queue (store, "Task", "t2", NULL, "w-t2", t2_newer, 20, NULL, &error));
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, NULL), ==, 3);

  g_assert_cmpint (ward_store_shared_adopt_outbox (store, "Task", 30, &error), ==, 2);
  g_assert_no_error (error);
  /* Only the Observation is the outbox's now. */
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, NULL), ==, 1);
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 2);

  /* t2's newer shared write, then t1 on the version known. */
  next (store, &taken, TRUE);
  g_assert_cmpstr (taken.id, ==, "t2");
  g_assert_cmpstr (taken.json, ==, t2_newer);
  g_assert_cmpstr (taken.write_id, ==, "w-t2");
  g_assert_true (ward_store_shared_mark_sent (store, taken.seq, taken.write_id, "1", 40, &done, &error));
  g_assert_true (done);
  next (store, &taken, TRUE);
  g_assert_cmpstr (taken.id, ==, "t1");
  g_assert_cmpstr (taken.base_version, ==, "3");
  g_assert_cmpstr (taken.json, ==, t1);
  g_assert_nonnull (taken.write_id);

  /* Once. */
  g_assert_cmpint (ward_store_shared_adopt_outbox (store, "Task", 50, &error), ==, 0);
  g_assert_cmpint (ward_store_shared_get_n_pending (store, &error), ==, 1);
  g_assert_no_error (error);

  taken_clear (&taken);
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store-shared/settings", test_settings);
  g_test_add_func ("/store-shared/queue", test_queue);
  g_test_add_func ("/store-shared/adopt-outbox", test_adopt_outbox);

  return g_test_run ();
}
