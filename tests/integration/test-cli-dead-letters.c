/* test-cli-dead-letters.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-test-cli.h"

static int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  return ward_test_run_cli ("dead-letters", args, NULL, out, err);
}

static JsonObject *
parse_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_lists_with_stage_reason_and_raw (void)
{
  static const char binary[] = "\x0bMSH|\xff\xfe\x1c\x0d";
  g_autofree char *dir = g_dir_make_tmp ("ward-dl-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  gint64 t = G_GINT64_CONSTANT (1800000000000000);

  store = ward_store_open (db, &error);
  g_assert_no_error (error);
  engine = ward_engine_new (store, NULL);
  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_register_bed (engine, "b1", "Bed 1", "p1", NULL, "mon-1", 1, &error));
  g_assert_true (ward_engine_ingest (engine, "mqtt", WARD_CONTENT_TYPE_JSON, "mon-1", "{\"oops\"", 7,
                                     t, NULL, NULL, &error));
  g_assert_true (ward_engine_ingest (engine, "mllp", WARD_CONTENT_TYPE_HL7V2, NULL, binary,
                                     sizeof binary - 1, t + 1, NULL, NULL, &error));
  g_assert_true (ward_engine_ingest (engine, "mqtt", WARD_CONTENT_TYPE_JSON, "mon-9",
                                     "{\"messageId\":\"x\",\"measuredAt\":\"2027-01-15T08:00:00Z\",\"heartRate\":70}", 68,
                                     t + 2, NULL, NULL, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);

  {
    const char *args[] = { db_arg, "--raw", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  }
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);

  first = parse_line (lines[0]);
  g_assert_cmpstr (json_object_get_string_member (first, "stage"), ==, "parse");
  g_assert_nonnull (strstr (json_object_get_string_member (first, "reason"), "not JSON"));
  g_assert_cmpstr (json_object_get_string_member (first, "source"), ==, "mqtt");
  g_assert_cmpstr (json_object_get_string_member (first, "device_id"), ==, "mon-1");
  g_assert_cmpstr (json_object_get_string_member (first, "payload"), ==, "{\"oops\"");
  g_assert_cmpstr (json_object_get_string_member (first, "received_at"), ==, "2027-01-15T08:00:00.000Z");

  /* Binary bytes come back exactly, in base64. */
  second = parse_line (lines[1]);
  g_assert_cmpstr (json_object_get_string_member (second, "content_type"), ==, WARD_CONTENT_TYPE_HL7V2);
  {
    gsize len = 0;
    g_autofree guchar *bytes = g_base64_decode (json_object_get_string_member (second, "payload_base64"), &len);

    g_assert_cmpmem (bytes, len, binary, sizeof binary - 1);
  }

  /* Filtered by stage; without --raw, no payload. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { db_arg, "--stage=identity", NULL };
    g_autoptr(JsonObject) only = NULL;

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    only = parse_line (out);
    g_assert_cmpstr (json_object_get_string_member (only, "stage"), ==, "identity");
    g_assert_nonnull (strstr (json_object_get_string_member (only, "reason"), "mon-9"));
    g_assert_false (json_object_has_member (only, "payload"));
    g_assert_null (strchr (g_strchomp (out), '\n'));
  }

  /* Usage errors. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { db_arg, "--since=yesterday", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--since"));
  }

  g_clear_object (&engine);
  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name (d)))
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/dead-letters/lists-with-stage-reason-and-raw", test_lists_with_stage_reason_and_raw);

  return g_test_run ();
}
