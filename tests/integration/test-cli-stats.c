/* test-cli-stats.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-store.h"
#include "ward-store-private.h"
#include "ward-test-cli.h"

typedef struct
{
  char *dir;
  char *db;
  char *db_arg;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("ward-stats-XXXXXX", NULL);
  f->db = g_build_filename (f->dir, "ward.db", NULL);
  f->db_arg = g_strconcat ("--db=", f->db, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->db, "-shm", NULL);

  g_unlink (f->db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->db_arg);
}

static int
run_stats (const char  *arg,
           char       **out,
           char       **err)
{
  const char *args[] = { arg, NULL };

  return ward_test_run_cli ("stats", args, NULL, out, err);
}

static void
test_counts_every_record (Fixture       *f,
                          gconstpointer  data)
{
  static const struct {
    const char *key;
    gint64      value;
  } expected[] = {
    { "schema_version", WARD_STORE_SCHEMA_VERSION },
    { "patients", 2 }, { "beds", 1 }, { "devices", 1 }, { "raw_messages", 3 },
    { "raw_messages_pending", 3 },
    { "measurements", 1 }, { "dead_letters", 2 }, { "scores", 1 }, { "flags_open", 1 },
    { "flags_total", 2 }, { "technical_alerts_open", 1 }, { "technical_alerts_total", 1 },
    { "events", 1 }, { "fhir_resources", 2 }, { "outbox_pending", 1 }, { "outbox_sent", 1 },
    { "outbox_failed", 0 },
  };
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  WardMeasurement m = { .kind = WARD_MEAS_HR, .value = 80, .patient_id = (char *) "p1" };
  WardScoreRecord score = { .patient_id = "p1", .window_end = 300, .inputs_json = "{}" };
  JsonObject *obj;
  gint64 flag;

  store = ward_store_open (f->db, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (store, "p1", NULL, 1, &error));
  g_assert_true (ward_store_upsert_patient (store, "p2", NULL, 1, &error));
  g_assert_true (ward_store_upsert_bed (store, "b1", "Bed 1", "p1", &error));
  g_assert_true (ward_store_upsert_device (store, "d1", "b1", "p1", &error));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (ward_store_add_raw_message (store, i, "t", NULL, NULL, "{}", 2, &error), >, 0);
  g_assert_cmpint (ward_store_add_measurement (store, &m, 1, &error), >, 0);
  g_assert_cmpint (ward_store_add_dead_letter (store, 1, "parse", "x", 1, &error), >, 0);
  g_assert_cmpint (ward_store_add_dead_letter (store, 2, "identity", "y", 1, &error), >, 0);
  g_assert_cmpint (ward_store_upsert_score (store, &score, NULL, &error), >, 0);
  flag = ward_store_open_flag (store, "p1", "clinical", NULL, WARD_BAND_HIGH, 1, 0, NULL, &error);
  g_assert_true (ward_store_close_flag (store, flag, 2, &error));
  g_assert_cmpint (ward_store_open_flag (store, "p1", "clinical", NULL, WARD_BAND_MEDIUM, 3, 0, NULL, &error), >, 0);
  g_assert_cmpint (ward_store_open_flag (store, "p1", "technical", "d1", WARD_BAND_LOW, 3, 0, NULL, &error), >, 0);
  g_assert_cmpint (ward_store_add_event (store, 1, "Nurse", "confirm", "p1", NULL, &error), >, 0);
  g_assert_true (ward_store_put_resource (store, "Device", "d", "{\"id\":\"d\"}", 1, NULL, &error));
  g_assert_true (ward_store_put_resource (store, "Flag", "f", "{\"id\":\"f\"}", 1, NULL, &error));
  g_assert_true (ward_store_outbox_mark_sent (store, 1, 1, 2, NULL, &error));
  g_assert_no_error (error);

  /* Read while the writer still has the database open. */
  g_assert_cmpint (run_stats (f->db_arg, &out, &err), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_true (json_object_has_member (obj, expected[i].key));
      g_assert_cmpint (json_object_get_int_member (obj, expected[i].key), ==, expected[i].value);
    }
  g_assert_cmpuint (json_object_get_size (obj), ==, G_N_ELEMENTS (expected));
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  char *err = NULL;

  /* No database there. */
  g_assert_cmpint (run_stats (f->db_arg, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "no such database"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_false (g_file_test (f->db, G_FILE_TEST_EXISTS));

  /* No --db. */
  g_assert_cmpint (run_stats ("--verbose-nonsense", &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* An older schema: read-only tools do not migrate, and say so. */
  store = _ward_store_open_at_version (f->db, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_stats (f->db_arg, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "migrate"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A newer one. */
  g_assert_true (_ward_store_exec (store, "PRAGMA user_version = 42", &error));
  g_assert_cmpint (run_stats (f->db_arg, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "42"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/stats/counts-every-record", Fixture, NULL, fixture_set_up,
              test_counts_every_record, fixture_tear_down);
  g_test_add ("/cli/stats/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);

  return g_test_run ();
}
