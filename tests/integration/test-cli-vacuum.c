/* test-cli-vacuum.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-store.h"
#include "ward-test-cli.h"
#include "ward-test-util.h"

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
count (const char *db,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open_readonly (db, &error);
  gint64 n;

  g_assert_no_error (error);
  n = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);
  return n;
}

/* 2,000 heart rates 100 days ago and 1,000 now; nothing rolled up yet. */
static void
fill (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (db, &error);
  gint64 now = g_get_real_time ();

  g_assert_no_error (error);
  g_assert_true (ward_store_upsert_patient (store, "p1", "Ada Lovelace", 1, &error));
  g_assert_true (ward_store_begin (store, &error));
  for (int i = 0; i < 3000; i++)
    {
      /* In 64 bits: i * 5 s in microseconds passes INT_MAX. */
      gint64 at = i < 2000 ? now - 100 * 24 * G_TIME_SPAN_HOUR + i * 5 * G_TIME_SPAN_SECOND
                           : now - (3000 - i) * 5 * G_TIME_SPAN_SECOND;
      WardMeasurement m = {
        .kind = WARD_MEAS_HR, .value = 60 + i % 50, .observed_at = at,
        .source = WARD_SOURCE_DEVICE, .patient_id = (char *) "p1",
      };

      g_assert_cmpint (ward_store_add_measurement (store, &m, at, &error), >, 0);
    }
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
test_vacuum (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-vacuum-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  fill (db);

  {
    const char *args[] = { db_arg, "--retention-days=30", NULL };

    g_assert_cmpint (ward_test_run_cli ("vacuum", args, NULL, &out, &err), ==, 0);
    first = parse_object (out);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* The old rows went, counted first; the recent ones stayed. */
  g_assert_cmpint (json_object_get_int_member (first, "measurements_deleted"), ==, 2000);
  g_assert_cmpstr (json_object_get_string_member (first, "vacuum"), ==, "full");
  g_assert_cmpint (count (db, "SELECT count (*) FROM measurements"), ==, 1000);
  g_assert_cmpint (count (db, "SELECT sum (n) FROM measurement_rollups WHERE span = 3600"), ==,
                   3000);
  g_assert_cmpint (count (db, "SELECT sum (n) FROM measurement_rollups WHERE span = 60"), ==,
                   3000);
  g_assert_cmpint (count (db, "PRAGMA auto_vacuum"), ==, 2);

  /* Per-minute roll-ups older than asked go; per-hour ones stay. */
  {
    const char *args[] = { db_arg, "--retention-days=30", "--minute-rollup-days=50", NULL };

    g_assert_cmpint (ward_test_run_cli ("vacuum", args, NULL, &out, &err), ==, 0);
    second = parse_object (out);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  g_assert_cmpint (json_object_get_int_member (second, "measurements_deleted"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (second, "minute_rollups_deleted"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (second, "vacuum"), ==, "incremental");
  g_assert_cmpint (count (db, "SELECT sum (n) FROM measurement_rollups WHERE span = 60"), ==,
                   1000);
  g_assert_cmpint (count (db, "SELECT sum (n) FROM measurement_rollups WHERE span = 3600"), ==,
                   3000);

  /* Bad input: a clear error, nothing touched. */
  {
    const char *args[] = { db_arg, "--retention-days=-1", NULL };

    g_assert_cmpint (ward_test_run_cli ("vacuum", args, NULL, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "negative"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    g_autofree char *missing = g_strconcat ("--db=", dir, "/none.db", NULL);
    const char *args[] = { missing, NULL };

    g_assert_cmpint (ward_test_run_cli ("vacuum", args, NULL, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "no such database"));
  }
  g_assert_cmpint (count (db, "SELECT count (*) FROM measurements"), ==, 1000);

  ward_test_remove_tree (dir);
}

/* Without --retention-days the ward policy's measurement_retention_days
 * applies; with it, the option wins.
 */
static void
test_vacuum_policy (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-vacuum-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *policy = g_build_filename (dir, "policy.json", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autofree char *policy_arg = g_strconcat ("--policy=", policy, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  fill (db);

  /* The ward keeps 200 days: the 100-day-old rows stay. */
  g_assert_true (g_file_set_contents (policy, "{\"measurement_retention_days\": 200}", -1, &error));
  g_assert_no_error (error);
  {
    const char *args[] = { db_arg, policy_arg, NULL };
    g_autoptr(JsonObject) result = NULL;

    g_assert_cmpint (ward_test_run_cli ("vacuum", args, NULL, &out, &err), ==, 0);
    result = parse_object (out);
    g_assert_cmpint (json_object_get_int_member (result, "measurements_deleted"), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  g_assert_cmpint (count (db, "SELECT count (*) FROM measurements"), ==, 3000);

  /* The option wins over the policy. */
  {
    const char *args[] = { db_arg, policy_arg, "--retention-days=30", NULL };
    g_autoptr(JsonObject) result = NULL;

    g_assert_cmpint (ward_test_run_cli ("vacuum", args, NULL, &out, &err), ==, 0);
    result = parse_object (out);
    g_assert_cmpint (json_object_get_int_member (result, "measurements_deleted"), ==, 2000);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* A bad policy: refused with its reason, nothing deleted. */
  fill (db);
  g_assert_true (g_file_set_contents (policy, "{\"measurement_retention_days\": \"all\"}", -1,
                                      &error));
  {
    const char *args[] = { db_arg, policy_arg, NULL };

    g_assert_cmpint (ward_test_run_cli ("vacuum", args, NULL, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "measurement_retention_days"));
  }
  g_assert_cmpint (count (db, "SELECT count (*) FROM measurements"), ==, 4000);

  ward_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/vacuum/retention", test_vacuum);
  g_test_add_func ("/cli/vacuum/policy", test_vacuum_policy);

  return g_test_run ();
}
