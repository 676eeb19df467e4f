/* test-fhir-sync-takes.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "ward-fhir-sync.h"
#include "ward-test-fhir-server.h"
#include "ward-test-store.h"
#include "ward-test-ward.h"

/* Single-PUT sync over many takes, into the FHIR test server with its
 * referential integrity on.  A take is 64 rows, and the next one is taken
 * while the last rows of the one before are still in flight (they are
 * still pending in the store until their answer is marked): each
 * resource must still be written once, each after what it references,
 * and none lost.
 */

#define N_PATIENTS 150

static WardTestFhirServer *server;

static JsonObject *
server_stats (JsonParser *parser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = ward_test_fhir_server_dup_stats (server, &error);

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, stats, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static guint
history_count (const char *type,
               const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/%s/%s/_history", type, id);
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint status;

  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
                                     "total");
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
test_single_many_takes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardFhirSync) sync = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  JsonObject *stats;
  gint64 at = g_get_real_time () - WARD_USEC_PER_MINUTE;
  gint64 deadline;
  guint wake;

  if (server == NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason () != NULL
                   ? ward_test_fhir_server_skip_reason () : "no FHIR test server");
      return;
    }

  path = ward_test_db_new ("fhir-sync-takes", &dir);
  store = ward_test_store_open (path);

  /* Each Patient then an Observation about it, in the outbox's order:
   * every take holds both, and some Observations reference a Patient
   * of the take before, which may still be in flight.
   */
  g_assert_true (ward_store_begin (store, &error));
  for (guint i = 0; i < N_PATIENTS; i++)
    {
      g_autofree char *patient_id = g_strdup_printf ("takes-p%03u", i);
      g_autofree char *observation_id = g_strdup_printf ("takes-o%03u", i);
      g_autofree char *patient = NULL;
      g_autofree char *observation = NULL;

      patient = g_strdup_printf ("{\"resourceType\":\"Patient\",\"id\":\"%s\","
                                 "\"birthDate\":\"1950-01-01\"}", patient_id);
      observation = g_strdup_printf ("{\"resourceType\":\"Observation\",\"id\":\"%s\","
                                     "\"status\":\"final\",\"code\":{\"text\":\"note\"},"
                                     "\"subject\":{\"reference\":\"Patient/%s\"},"
                                     "\"valueString\":\"%u\"}",
                                     observation_id, patient_id, i);
      g_assert_true (ward_store_put_resource (store, "Patient", patient_id, patient, at, NULL,
                                              &error));
      g_assert_true (ward_store_put_resource (store, "Observation", observation_id, observation,
                                              at, NULL, &error));
    }
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ward_test_n_pending (store), ==, 2 * N_PATIENTS);

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);

  sync = ward_fhir_sync_new (store, ward_test_fhir_server_get_base_url (server), NULL);
  ward_fhir_sync_set_batch_size (sync, 1);
  ward_fhir_sync_set_backoff (sync, 50, 400);
  ward_fhir_sync_set_timeout (sync, 10);
  wake = g_timeout_add (20, tick_cb, NULL);
  ward_fhir_sync_start (sync);
  deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  while ((ward_test_n_pending (store) > 0 || ward_fhir_sync_is_busy (sync)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  ward_fhir_sync_stop (sync);

  /* Nothing lost, nothing refused for a reference sent too early. */
  g_assert_cmpint (ward_test_n_pending (store), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_sent (sync), ==, 2 * N_PATIENTS);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (sync), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (sync), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_bundles (sync), ==, 0);

  /* Each written once: one PUT a resource, one version each. */
  stats = server_stats (parser);
  g_assert_cmpint (json_object_get_int_member (stats, "total"), ==, 2 * N_PATIENTS);
  g_assert_cmpint (json_object_get_int_member_with_default (
                     json_object_get_object_member (stats, "byMethod"), "PUT", 0),
                   ==, 2 * N_PATIENTS);
  g_assert_cmpuint (history_count ("Patient", "takes-p000"), ==, 1);
  g_assert_cmpuint (history_count ("Patient", "takes-p064"), ==, 1);
  g_assert_cmpuint (history_count ("Observation", "takes-o031"), ==, 1);
  g_assert_cmpuint (history_count ("Observation", "takes-o149"), ==, 1);

  g_clear_object (&sync);
  g_clear_object (&store);
  ward_test_db_remove (&dir, &path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (ward_test_fhir_server_skip_reason () == NULL)
    {
      server = ward_test_fhir_server_new (NULL, &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/fhir-sync-takes/single/many", test_single_many_takes);

  ret = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return ret;
}
