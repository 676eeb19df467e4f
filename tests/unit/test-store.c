/* test-store.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ward-store.h"
#include "ward-store-private.h"
#include "ward-store-answers.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ward-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "sub", "ward.db", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
test_create_private_wal (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  struct stat st;

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (store), ==, WARD_STORE_SCHEMA_VERSION);

  /* Patient data: the file and its folder are the user's alone. */
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);

  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM pragma_journal_mode "
                                                 "WHERE journal_mode = 'wal'", &error), ==, 1);
  g_assert_no_error (error);

  /* Writing makes the WAL file, with the same permissions. */
  g_assert_true (ward_store_upsert_patient (store, "p1", "Ada Obi", 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_tightens_permissions (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (f->path);
  struct stat st;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, "", 0, &error));
  g_assert_cmpint (g_chmod (f->path, 0644), ==, 0);

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_migrate_from_v1 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardStore) old = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardMeasurement m = { 0 };
  WardScoreRecord score = { 0 };
  WardStoreCounts counts;
  gint64 raw_id;

  /* A database as the first schema left it, with data in it. */
  old = _ward_store_open_at_version (f->path, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (old), ==, 1);
  g_assert_cmpint (_ward_store_query_int (old, "SELECT count(*) FROM sqlite_master "
                                               "WHERE name = 'scores'", &error), ==, 0);
  g_assert_true (ward_store_upsert_patient (old, "p1", "Ada Obi", 2, &error));
  g_assert_true (ward_store_upsert_bed (old, "bed-01", "Bed 1", "p1", &error));
  /* Raw SQL: the store's own statements are for the latest schema. */
  g_assert_true (_ward_store_exec (old, "INSERT INTO raw_messages (received_at, source, device_id, payload) "
                                        "VALUES (1000, 'mqtt', 'dev-1', '{\"hr\":80}')", &error));
  raw_id = _ward_store_query_int (old, "SELECT max(id) FROM raw_messages", &error);
  g_assert_cmpint (raw_id, >, 0);
  m.kind = WARD_MEAS_HR;
  m.value = 80;
  m.observed_at = 1000;
  m.patient_id = (char *) "p1";
  m.device_id = (char *) "dev-1";
  m.raw_message_id = raw_id;
  g_assert_cmpint (ward_store_add_measurement (old, &m, 1000, &error), >, 0);
  g_assert_no_error (error);
  g_clear_object (&old);

  /* Opening it now migrates it, keeping everything. */
  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (store), ==, WARD_STORE_SCHEMA_VERSION);
  g_assert_true (ward_store_get_counts (store, &counts, &error));
  g_assert_cmpint (counts.patients, ==, 1);
  g_assert_cmpint (counts.raw_messages, ==, 1);
  g_assert_cmpint (counts.measurements, ==, 1);
  g_assert_cmpint (counts.scores, ==, 0);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT spo2_scale FROM patients WHERE id = 'p1'",
                                          &error), ==, 2);
  /* Version 3: messages from before it count as mapped. */
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM raw_messages "
                                                 "WHERE processed_at = received_at", &error), ==, 1);
  g_assert_cmpint (counts.raw_messages_pending, ==, 0);

  /* The tables of version 2 work. */
  score.patient_id = "p1";
  score.window_start = 0;
  score.window_end = 1800;
  score.computed_at = 1000;
  score.total = 3;
  score.band = WARD_BAND_LOW_MEDIUM;
  score.inputs_json = "{}";
  g_assert_cmpint (ward_store_upsert_score (store, &score, NULL, &error), >, 0);
  g_assert_no_error (error);
}

static void
test_refuses_newer (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (_ward_store_exec (store, "PRAGMA user_version = 99", &error));
  g_clear_object (&store);

  store = ward_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "99"));
}

static void
test_score_upsert_one_row_per_window (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardScoreRecord score = { 0 };
  gboolean inserted = FALSE;
  gint64 id1, id2, id3;

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (store, "p1", NULL, 1, &error));

  score.patient_id = "p1";
  score.window_start = 0;
  score.window_end = 300;
  score.computed_at = 100;
  score.total = 2;
  score.band = WARD_BAND_LOW;
  score.inputs_json = "{\"a\":1}";
  id1 = ward_store_upsert_score (store, &score, &inserted, &error);
  g_assert_true (inserted);

  /* Re-scoring the same window updates the row. */
  score.total = 6;
  score.band = WARD_BAND_MEDIUM;
  score.final = TRUE;
  score.confirmed_by = "Nurse Kim";
  score.confirmed_at = 200;
  id2 = ward_store_upsert_score (store, &score, &inserted, &error);
  g_assert_false (inserted);
  g_assert_cmpint (id1, ==, id2);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT total FROM scores", &error), ==, 6);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM scores WHERE status = 'final' "
                                                 "AND confirmed_by = 'Nurse Kim'", &error), ==, 1);

  score.window_end = 600;
  id3 = ward_store_upsert_score (store, &score, &inserted, &error);
  g_assert_true (inserted);
  g_assert_cmpint (id3, !=, id1);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM scores", &error), ==, 2);

  /* The schema refuses impossible totals. */
  score.window_end = 900;
  score.total = 21;
  g_assert_cmpint (ward_store_upsert_score (store, &score, NULL, &error), ==, 0);
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_SQL);
}

static void
test_flags_and_counts (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *patient = NULL;
  WardStoreCounts c;
  gint64 flag, alert;

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_begin (store, &error));
  g_assert_true (ward_store_upsert_patient (store, "p1", NULL, 1, &error));
  flag = ward_store_open_flag (store, "p1", "clinical", NULL, WARD_BAND_MEDIUM, 10, 0, "NEWS2 5", &error);
  alert = ward_store_open_flag (store, "p1", "technical", "dev-1", WARD_BAND_LOW, 10, 0, "silent", &error);
  g_assert_cmpint (flag, >, 0);
  g_assert_cmpint (alert, >, 0);
  g_assert_true (ward_store_escalate_flag (store, flag, WARD_BAND_HIGH, 20, &error));
  g_assert_true (ward_store_acknowledge_flag (store, flag, "Nurse Kim", 30, &patient, &error));
  g_assert_cmpstr (patient, ==, "p1");
  g_assert_true (ward_store_close_flag (store, alert, 40, &error));
  g_assert_true (ward_store_add_dead_letter (store, 0, "parse", "not JSON", 50, &error) > 0);
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);

  /* A closed flag can be neither closed nor acknowledged again. */
  g_assert_false (ward_store_close_flag (store, alert, 60, &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A reader sees the committed state beside the writer. */
  reader = ward_store_open_readonly (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_get_counts (reader, &c, &error));
  g_assert_cmpint (c.flags_open, ==, 1);
  g_assert_cmpint (c.flags_total, ==, 1);
  g_assert_cmpint (c.technical_alerts_open, ==, 0);
  g_assert_cmpint (c.technical_alerts_total, ==, 1);
  g_assert_cmpint (c.dead_letters, ==, 1);
  g_assert_cmpint (_ward_store_query_int (reader, "SELECT count(*) FROM flags WHERE band = 'high' "
                                                  "AND acknowledged_by = 'Nurse Kim' "
                                                  "AND acknowledged_at = 30", &error), ==, 1);

  /* The reader cannot write. */
  g_assert_false (ward_store_upsert_patient (reader, "p2", NULL, 1, &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_READ_ONLY);
}

static void
test_rollback_keeps_nothing (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = ward_store_open (f->path, &error);
  g_assert_true (ward_store_begin (store, &error));
  g_assert_cmpint (ward_store_add_raw_message (store, 1, "test", NULL, NULL, "x", 1, &error), >, 0);
  ward_store_rollback (store);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM raw_messages", &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_raw_bytes_kept_exactly (Fixture       *f,
                             gconstpointer  data)
{
  static const char payload[] = "MSH|\xe9\x00zz\x0b\x1c";
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = ward_store_open (f->path, &error);
  g_assert_cmpint (ward_store_add_raw_message (store, 1, "mllp", WARD_CONTENT_TYPE_HL7V2, NULL, payload,
                                               sizeof payload - 1, &error), >, 0);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT length(payload) FROM raw_messages",
                                          &error), ==, sizeof payload - 1);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT payload = x'4d53487ce9007a7a0b1c' "
                                                 "FROM raw_messages", &error), ==, 1);
}

static void
test_retention_keeps_records (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardStoreCounts c;
  gint64 old_id, new_id, pending_id;

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  old_id = ward_store_add_raw_message (store, 1000, "mqtt", WARD_CONTENT_TYPE_JSON, "d", "{\"a\":1}", 7, &error);
  new_id = ward_store_add_raw_message (store, 9000, "mqtt", WARD_CONTENT_TYPE_JSON, "d", "{\"a\":2}", 7, &error);
  pending_id = ward_store_add_raw_message (store, 500, "mqtt", WARD_CONTENT_TYPE_JSON, "d", "{\"a\":3}", 7, &error);
  g_assert_true (ward_store_mark_processed (store, old_id, 1001, &error));
  g_assert_true (ward_store_mark_processed (store, new_id, 9001, &error));
  g_assert_no_error (error);

  /* Older than 5000 and mapped: the bytes go, the record stays. */
  g_assert_cmpint (ward_store_prune_raw (store, 5000, 10000, &error), ==, 1);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM raw_messages", &error), ==, 3);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT length(payload) FROM raw_messages WHERE id = 1", &error), ==, 0);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT pruned_at FROM raw_messages WHERE id = 1", &error), ==, 10000);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT length(payload) FROM raw_messages WHERE id = 2", &error), ==, 7);
  /* An unmapped message keeps its bytes, however old: it is still owed a mapping. */
  g_assert_cmpint (_ward_store_query_int (store, "SELECT length(payload) FROM raw_messages WHERE id = 3", &error), ==, 7);
  g_assert_true (ward_store_get_counts (store, &c, &error));
  g_assert_cmpint (c.raw_messages_pending, ==, 1);
  g_assert_cmpint (pending_id, ==, 3);

  /* Running it again changes nothing. */
  g_assert_cmpint (ward_store_prune_raw (store, 5000, 11000, &error), ==, 0);
}

static void
test_migrate_3_to_4_keeps_data (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(WardStore) old = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;

  old = _ward_store_open_at_version (f->path, 3, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (old, "p1", "Ada", 1, &error));
  g_clear_object (&old);

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (store), ==, WARD_STORE_SCHEMA_VERSION);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM patients", &error), ==, 1);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM outbox", &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_migrate_4_to_5_birth_date (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(WardStore) old = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *birth_date = NULL;
  WardScoreRecord score = { 0 };
  gint64 id;

  /* A version 4 database with a patient and a score in it. */
  old = _ward_store_open_at_version (f->path, 4, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (old, "p1", "Ada Obi", 1, &error));
  g_assert_true (_ward_store_exec (old, "INSERT INTO scores (patient_id, window_start, window_end, "
                                        "computed_at, total, band, complete, status, inputs) "
                                        "VALUES ('p1', 0, 1800, 1000, 5, 'medium', 0, "
                                        "'preliminary', '{}')", &error));
  g_assert_cmpint (_ward_store_query_int (old, "SELECT count(*) FROM pragma_table_info('patients') "
                                               "WHERE name = 'birth_date'", &error), ==, 0);
  g_clear_object (&old);

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (store), ==, WARD_STORE_SCHEMA_VERSION);
  /* The patient is kept, with no birth date yet; the old score applied. */
  g_assert_true (ward_store_get_birth_date (store, "p1", &birth_date, &error));
  g_assert_no_error (error);
  g_assert_null (birth_date);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT news2_applicable FROM scores", &error), ==, 1);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM scores WHERE age IS NULL",
                                          &error), ==, 1);

  /* Round trip: set, read back, replace, forget. */
  g_assert_true (ward_store_set_birth_date (store, "p1", "1972-03-09", &error));
  g_assert_true (ward_store_get_birth_date (store, "p1", &birth_date, &error));
  g_assert_cmpstr (birth_date, ==, "1972-03-09");
  g_clear_pointer (&birth_date, g_free);
  g_assert_true (ward_store_set_birth_date (store, "p1", "1972", &error));
  g_assert_true (ward_store_get_birth_date (store, "p1", &birth_date, &error));
  g_assert_cmpstr (birth_date, ==, "1972");
  g_clear_pointer (&birth_date, g_free);
  /* The upsert of a known patient (every start) keeps it. */
  g_assert_true (ward_store_upsert_patient (store, "p1", "Ada Obi", 1, &error));
  g_assert_true (ward_store_get_birth_date (store, "p1", &birth_date, &error));
  g_assert_cmpstr (birth_date, ==, "1972");
  g_clear_pointer (&birth_date, g_free);
  g_assert_true (ward_store_set_birth_date (store, "p1", NULL, &error));
  g_assert_true (ward_store_get_birth_date (store, "p1", &birth_date, &error));
  g_assert_null (birth_date);
  g_assert_no_error (error);

  /* A patient the store does not have. */
  g_assert_false (ward_store_set_birth_date (store, "p2", "1980-01-01", &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ward_store_get_birth_date (store, "p2", &birth_date, &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A score keeps the age at its window's end and whether NEWS2 applied. */
  score.patient_id = "p1";
  score.window_start = 1800;
  score.window_end = 3600;
  score.computed_at = 3000;
  score.total = 9;
  score.band = WARD_BAND_HIGH;
  score.inputs_json = "{}";
  score.age_known = TRUE;
  score.age = 12;
  score.news2_not_applicable = TRUE;
  id = ward_store_upsert_score (store, &score, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT age FROM scores WHERE window_end = 3600",
                                          &error), ==, 12);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT news2_applicable FROM scores "
                                                 "WHERE window_end = 3600", &error), ==, 0);
  /* Re-scored as an adult of unknown age: the row follows. */
  score.age_known = FALSE;
  score.news2_not_applicable = FALSE;
  g_assert_cmpint (ward_store_upsert_score (store, &score, NULL, &error), ==, id);
  g_assert_cmpint (_ward_store_query_int (store, "SELECT count(*) FROM scores "
                                                 "WHERE window_end = 3600 AND age IS NULL "
                                                 "AND news2_applicable = 1", &error), ==, 1);
  g_assert_no_error (error);
}

typedef struct
{
  gint64 seq;
  gint64 version;
  guint  n;
} NextData;

static void
next_cb (const WardOutboxEntry *entry,
         gpointer               user_data)
{
  NextData *next = user_data;

  next->seq = entry->seq;
  next->version = entry->version;
  next->n++;
}

static void
test_outbox_one_pending_per_resource (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  WardStoreCounts c = { 0 };
  NextData next = { 0 };
  gboolean changed = FALSE;
  gboolean sent = TRUE;
  gint64 version = 0;

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);

  /* 50 updates before a send: one pending row, newest version. */
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *v = g_strdup_printf ("{\"id\":\"a\",\"n\":%u}", i);

      g_assert_true (ward_store_put_resource (store, "Flag", "a", v, 10 + i, &changed, &error));
      g_assert_true (changed);
    }
  /* The same bytes again: nothing new. */
  g_assert_true (ward_store_put_resource (store, "Flag", "a", "{\"id\":\"a\",\"n\":49}", 99,
                                          &changed, &error));
  g_assert_false (changed);
  json = ward_store_get_resource (store, "Flag", "a", &version, &error);
  g_assert_cmpstr (json, ==, "{\"id\":\"a\",\"n\":49}");
  g_assert_cmpint (version, ==, 50);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 1);

  g_assert_true (ward_store_outbox_next (store, 1000, 10, next_cb, &next, &error));
  g_assert_cmpuint (next.n, ==, 1);
  g_assert_cmpint (next.version, ==, 50);

  /* Updated while version 50 was on the wire: stays pending. */
  g_assert_true (ward_store_put_resource (store, "Flag", "a", "{\"id\":\"a\",\"n\":50}", 100,
                                          NULL, &error));
  g_assert_true (ward_store_outbox_mark_sent (store, next.seq, 50, 101, &sent, &error));
  g_assert_false (sent);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 1);
  g_assert_true (ward_store_outbox_mark_sent (store, next.seq, 51, 102, &sent, &error));
  g_assert_true (sent);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 0);

  /* A retry is not due before its time; a parked row is never due. */
  g_assert_true (ward_store_put_resource (store, "Flag", "a", "{\"id\":\"a\",\"n\":51}", 200,
                                          NULL, &error));
  next = (NextData) { 0 };
  g_assert_true (ward_store_outbox_next (store, 200, 10, next_cb, &next, &error));
  g_assert_cmpuint (next.n, ==, 1);
  g_assert_true (ward_store_outbox_mark_retry (store, next.seq, 500, "503", &error));
  next.n = 0;
  g_assert_true (ward_store_outbox_next (store, 499, 10, next_cb, &next, &error));
  g_assert_cmpuint (next.n, ==, 0);
  g_assert_true (ward_store_outbox_mark_failed (store, next.seq, "422", "{}", &error));
  g_assert_true (ward_store_outbox_next (store, 1000, 10, next_cb, &next, &error));
  g_assert_cmpuint (next.n, ==, 0);
  g_assert_false (ward_store_outbox_mark_sent (store, next.seq, 52, 1, NULL, &error));
  g_assert_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (ward_store_get_counts (store, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (c.fhir_resources, ==, 1);
  g_assert_cmpint (c.outbox_pending, ==, 0);
  g_assert_cmpint (c.outbox_sent, ==, 1);
  g_assert_cmpint (c.outbox_failed, ==, 1);
}

static void
failure_cb (const WardOutboxFailure *failure,
            gpointer                 user_data)
{
  GPtrArray *lines = user_data;

  g_ptr_array_add (lines, g_strdup_printf ("%s/%s v%" G_GINT64_FORMAT " x%d %s %s %s",
                                           failure->resource_type, failure->id,
                                           failure->version, failure->attempts,
                                           failure->last_error,
                                           failure->operation_outcome ? failure->operation_outcome : "-",
                                           failure->json ? failure->json : "-"));
}

/* What the UI and the CLI show of a rejection: the resource, the
 * server's reason and its OperationOutcome, while the rest flows.
 */
static void
test_outbox_failures (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  NextData next = { 0 };

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);

  g_assert_true (ward_store_put_resource (store, "Flag", "a", "{\"id\":\"a\"}", 10, NULL, &error));
  g_assert_true (ward_store_put_resource (store, "Flag", "b", "{\"id\":\"b\"}", 11, NULL, &error));
  g_assert_true (ward_store_foreach_outbox_failure (store, failure_cb, lines, &error));
  g_assert_cmpuint (lines->len, ==, 0);
  g_assert_cmpint (ward_store_outbox_get_n_failed (store, &error), ==, 0);

  g_assert_true (ward_store_outbox_next (store, 1000, 1, next_cb, &next, &error));
  g_assert_cmpuint (next.n, ==, 1);
  g_assert_true (ward_store_outbox_mark_failed (store, next.seq, "HTTP 422: bad code",
                                                "{\"resourceType\":\"OperationOutcome\"}", &error));
  g_assert_true (ward_store_foreach_outbox_failure (store, failure_cb, lines, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==,
                   "Flag/a v1 x1 HTTP 422: bad code {\"resourceType\":\"OperationOutcome\"} {\"id\":\"a\"}");
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 1);
  /* The window's warning counts parked rows without reading them. */
  g_assert_cmpint (ward_store_outbox_get_n_failed (store, &error), ==, 1);

  /* A parking that is rolled back is not counted. */
  next = (NextData) { 0 };
  g_assert_true (ward_store_outbox_next (store, 1000, 1, next_cb, &next, &error));
  g_assert_cmpuint (next.n, ==, 1);
  g_assert_true (ward_store_begin (store, &error));
  g_assert_true (ward_store_outbox_mark_failed (store, next.seq, "HTTP 400", NULL, &error));
  g_assert_cmpint (ward_store_outbox_get_n_failed (store, &error), ==, 2);
  ward_store_rollback (store);
  g_assert_cmpint (ward_store_outbox_get_n_failed (store, &error), ==, 1);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 1);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Counted again from the file by a new connection. */
  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_outbox_get_n_failed (store, &error), ==, 1);
}

/* The FHIR sync keeps the server's merged copy: same version, nothing
 * queued; not over a newer version.
 */
static void
test_replace_resource_json (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  NextData next = { 0 };
  gboolean replaced = FALSE;
  gboolean changed = FALSE;
  gint64 version = 0;

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);

  g_assert_true (ward_store_put_resource (store, "Observation", "o", "{\"id\":\"o\",\"v\":1}", 10, NULL,
                                          &error));
  g_assert_true (ward_store_outbox_next (store, 100, 10, next_cb, &next, &error));
  g_assert_true (ward_store_outbox_mark_sent (store, next.seq, 1, 11, NULL, &error));
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 0);

  g_assert_true (ward_store_replace_resource_json (store, "Observation", "o", 1,
                                                   "{\"id\":\"o\",\"v\":1,\"w\":2}", &replaced, &error));
  g_assert_no_error (error);
  g_assert_true (replaced);
  json = ward_store_get_resource (store, "Observation", "o", &version, &error);
  g_assert_cmpstr (json, ==, "{\"id\":\"o\",\"v\":1,\"w\":2}");
  g_assert_cmpint (version, ==, 1);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 0);

  /* The same JSON from the engine changes nothing; a new one is
   * version 2, which a replace for version 1 leaves alone.
   */
  g_assert_true (ward_store_put_resource (store, "Observation", "o", "{\"id\":\"o\",\"v\":1,\"w\":2}", 20,
                                          &changed, &error));
  g_assert_false (changed);
  g_assert_true (ward_store_put_resource (store, "Observation", "o", "{\"id\":\"o\",\"v\":3}", 30,
                                          &changed, &error));
  g_assert_true (changed);
  g_assert_true (ward_store_replace_resource_json (store, "Observation", "o", 1, "{\"id\":\"o\"}",
                                                   &replaced, &error));
  g_assert_false (replaced);
  g_clear_pointer (&json, g_free);
  json = ward_store_get_resource (store, "Observation", "o", &version, &error);
  g_assert_cmpstr (json, ==, "{\"id\":\"o\",\"v\":3}");
  g_assert_cmpint (version, ==, 2);
  g_assert_cmpint (ward_store_outbox_get_n_pending (store, &error), ==, 1);

  /* No such resource. */
  g_assert_true (ward_store_replace_resource_json (store, "Observation", "x", 1, "{}", &replaced, &error));
  g_assert_false (replaced);
  g_assert_no_error (error);
}

/* Schema 6: a message's first answer, kept across a reopen, replaced
 * under the same key, told apart by sender, forgotten by age.
 */
static void
test_message_answers (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WardStore) old = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(WardStoredAnswer) found_answer = { 0 };
  WardStoredAnswer answer = { 0 };
  gboolean found = TRUE;
  gint64 raw_id;

  old = _ward_store_open_at_version (f->path, 5, &error);
  g_assert_no_error (error);
  raw_id = ward_store_add_raw_message (old, 1000, "mllp", NULL, NULL, "MSH|x", 5, &error);
  g_assert_no_error (error);
  g_clear_object (&old);

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ward_store_get_schema_version (store), ==, WARD_STORE_SCHEMA_VERSION);

  g_assert_true (ward_store_find_answer (store, "mllp", "WARD", "MON", "1", &found, &found_answer,
                                         &error));
  g_assert_no_error (error);
  g_assert_false (found);

  answer.digest = (char *) "d1";
  answer.outcome = WARD_INGEST_PARTIAL;
  answer.reason = (char *) "heartrate.hr: 900 is impossible";
  answer.raw_message_id = raw_id;
  answer.answered_at = 2000;
  g_assert_true (ward_store_begin (store, &error));
  g_assert_true (ward_store_put_answer (store, "mllp", "WARD", "MON", "1", &answer, &error));
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = ward_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_find_answer (store, "mllp", "WARD", "MON", "1", &found, &found_answer,
                                         &error));
  g_assert_true (found);
  g_assert_cmpstr (found_answer.digest, ==, "d1");
  g_assert_cmpint (found_answer.outcome, ==, WARD_INGEST_PARTIAL);
  g_assert_cmpstr (found_answer.reason, ==, "heartrate.hr: 900 is impossible");
  g_assert_cmpint (found_answer.raw_message_id, ==, raw_id);
  g_assert_cmpint (found_answer.answered_at, ==, 2000);
  ward_stored_answer_clear (&found_answer);

  /* The same id from another facility or application is another message. */
  g_assert_true (ward_store_find_answer (store, "mllp", "ICU", "MON", "1", &found, &found_answer,
                                         &error));
  g_assert_false (found);
  g_assert_true (ward_store_find_answer (store, "mllp", "WARD", "GW", "1", &found, &found_answer,
                                         &error));
  g_assert_false (found);
  /* An empty facility is a facility. */
  answer.digest = (char *) "d0";
  answer.reason = NULL;
  answer.outcome = WARD_INGEST_ACCEPTED;
  answer.raw_message_id = 0;
  g_assert_true (ward_store_put_answer (store, "mllp", NULL, NULL, "1", &answer, &error));
  g_assert_true (ward_store_find_answer (store, "mllp", "", "", "1", &found, &found_answer,
                                         &error));
  g_assert_true (found);
  g_assert_null (found_answer.reason);
  ward_stored_answer_clear (&found_answer);

  /* Replaced: the newest answer is the one to repeat. */
  answer.digest = (char *) "d2";
  answer.outcome = WARD_INGEST_REJECTED;
  answer.reason = (char *) "unknown device";
  answer.answered_at = 5000;
  g_assert_true (ward_store_put_answer (store, "mllp", "WARD", "MON", "1", &answer, &error));
  g_assert_true (ward_store_find_answer (store, "mllp", "WARD", "MON", "1", &found, &found_answer,
                                         &error));
  g_assert_cmpstr (found_answer.digest, ==, "d2");
  g_assert_cmpint (found_answer.outcome, ==, WARD_INGEST_REJECTED);
  ward_stored_answer_clear (&found_answer);

  /* Pruned by age: the one answered at 2000 goes, the one at 5000 stays. */
  g_assert_cmpint (ward_store_prune_answers (store, 3000, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (ward_store_find_answer (store, "mllp", "", "", "1", &found, &found_answer,
                                         &error));
  g_assert_false (found);
  g_assert_true (ward_store_find_answer (store, "mllp", "WARD", "MON", "1", &found, &found_answer,
                                         &error));
  g_assert_true (found);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/store/create-private-wal", test_create_private_wal);
  ADD ("/core/store/tightens-permissions", test_tightens_permissions);
  ADD ("/core/store/migrate-from-v1", test_migrate_from_v1);
  ADD ("/core/store/refuses-newer", test_refuses_newer);
  ADD ("/core/store/score-upsert-one-row-per-window", test_score_upsert_one_row_per_window);
  ADD ("/core/store/flags-and-counts", test_flags_and_counts);
  ADD ("/core/store/rollback-keeps-nothing", test_rollback_keeps_nothing);
  ADD ("/core/store/raw-bytes-kept-exactly", test_raw_bytes_kept_exactly);
  ADD ("/core/store/retention-keeps-records", test_retention_keeps_records);
  ADD ("/core/store/migrate-3-to-4-keeps-data", test_migrate_3_to_4_keeps_data);
  ADD ("/core/store/migrate-4-to-5-birth-date", test_migrate_4_to_5_birth_date);
  ADD ("/core/store/outbox-one-pending-per-resource", test_outbox_one_pending_per_resource);
  ADD ("/core/store/outbox-failures", test_outbox_failures);
  ADD ("/core/store/replace-resource-json", test_replace_resource_json);
  ADD ("/core/store/message-answers", test_message_answers);
#undef ADD

  return g_test_run ();
}
