/* test-cli-fhir-rejections.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ward-store.h"
#include "ward-test-cli.h"

static int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  return ward_test_run_cli ("fhir-rejections", args, NULL, out, err);
}

static void
take_cb (const WardOutboxEntry *entry,
         gpointer               user_data)
{
  gint64 *seq = user_data;

  *seq = entry->seq;
}

/* A rejected resource is listed with the server's reason and its
 * OperationOutcome as JSON; a pending one and a sent one are not.
 */
static void
test_lists_parked_resources (void)
{
  static const char outcome[] =
    "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"invalid\","
    "\"diagnostics\":\"Invalid code bogus\"}]}";
  g_autofree char *dir = g_dir_make_tmp ("ward-rej-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", db, NULL);
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *object;
  JsonObject *resource;
  gint64 seq = 0;

  store = ward_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_put_resource (store, "Flag", "f1", "{\"resourceType\":\"Flag\",\"id\":\"f1\",\"status\":\"bogus\"}",
                                          10, NULL, &error));
  g_assert_true (ward_store_put_resource (store, "Flag", "f2", "{\"resourceType\":\"Flag\",\"id\":\"f2\"}",
                                          11, NULL, &error));
  g_assert_true (ward_store_put_resource (store, "Device", "d1", "{\"resourceType\":\"Device\",\"id\":\"d1\"}",
                                          12, NULL, &error));
  g_assert_true (ward_store_outbox_next (store, 100, 1, take_cb, &seq, &error));
  g_assert_true (ward_store_outbox_mark_failed (store, seq, "HTTP 400 Bad Request: Invalid code bogus",
                                                outcome, &error));
  g_assert_true (ward_store_outbox_next (store, 100, 1, take_cb, &seq, &error));
  g_assert_true (ward_store_outbox_mark_sent (store, seq, 1, 101, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_cmpint (run_cli ((const char *[]) { db_arg, "--resource", NULL }, &out, &err), ==, 0);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);

  node = json_from_string (lines[0], &error);
  g_assert_no_error (error);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "resource_type"), ==, "Flag");
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "f1");
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "attempts"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==,
                   "HTTP 400 Bad Request: Invalid code bogus");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "operation_outcome"),
                                                  "resourceType"), ==, "OperationOutcome");
  resource = json_object_get_object_member (object, "resource");
  g_assert_cmpstr (json_object_get_string_member (resource, "status"), ==, "bogus");

  /* Filtered by type: nothing parked among the Devices. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli ((const char *[]) { db_arg, "--type=Device", NULL }, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");

  g_unlink (db);
  g_rmdir (dir);
}

static void
test_usage_errors (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_cli ((const char *[]) { NULL }, &out, &err), ==, 2);
  g_assert_nonnull (g_strstr_len (err, -1, "--db=PATH is required"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli ((const char *[]) { "--db=/nonexistent/ward.db", NULL }, &out, &err), ==, 1);
  g_assert_nonnull (g_strstr_len (err, -1, "no such database"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/fhir-rejections/lists-parked-resources", test_lists_parked_resources);
  g_test_add_func ("/cli/fhir-rejections/usage-errors", test_usage_errors);

  return g_test_run ();
}
