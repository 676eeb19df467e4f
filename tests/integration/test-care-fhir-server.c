/* test-care-fhir-server.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-care.h"
#include "ward-fhir-references.h"
#include "ward-test-fhir-server.h"
#include "ward-test-store.h"

/* The care team's resources as the coordinator writes them to the
 * outbox (Task, Communication, AuditEvent) are accepted by a real FHIR R4
 * server that validates them, and read back under their ids.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define MINUTE WARD_USEC_PER_MINUTE
#define STATION "station-a"
#define S(literal) ((char *) literal)

static WardTestFhirServer *server;
static const char *skip_reason;

typedef struct
{
  GPtrArray *types;  /* resource types seen */
  guint      n_put;
} Sent;

static void
put_cb (const char *resource_type,
        const char *id,
        gint64      version,
        const char *json,
        gpointer    user_data)
{
  Sent *sent = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *response = NULL;
  g_autofree char *read_back = NULL;
  g_autofree char *path = NULL;
  guint status;

  path = g_strdup_printf ("/fhir/R4/%s/%s", resource_type, id);
  status = ward_test_fhir_server_request (server, "PUT", path, NULL, json, NULL, &response, &error);
  g_assert_no_error (error);
  if (status != 200 && status != 201)
    g_error ("%s rejected (%u): %s\n%s", resource_type, status, response, json);

  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL,
                                                   &read_back, &error), ==, 200);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (read_back, id));

  if (!g_str_equal (resource_type, "Task") && !g_str_equal (resource_type, "Communication") &&
      !g_str_equal (resource_type, "AuditEvent"))
    return;
  if (!g_ptr_array_find_with_equal_func (sent->types, resource_type, g_str_equal, NULL))
    g_ptr_array_add (sent->types, g_strdup (resource_type));
  sent->n_put++;
}

static void
act (WardEngine *engine,
     gboolean    ok,
     GError     *error)
{
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
test_care_resources_accepted (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardCare) care = NULL;
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  WardEngineConfig config;
  WardHandoverBed note = { S ("bed-01"), NULL, S ("NEWS2 6"), S ("Day 2 after surgery"),
                           S ("Dehydrated"), S ("Fluids review at 22:00") };
  Sent sent = { types, 0 };
  gint64 task_id, escalated_id, handover_id;

  if (server == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  path = ward_test_db_new ("ward-care-fhir", &dir);
  store = ward_test_store_open (path);
  ward_engine_config_init (&config);
  engine = ward_engine_new (store, &config);
  care = ward_care_new (engine, NULL, "ward-7", STATION);

  act (engine, ward_engine_begin (engine, &error), error);
  act (engine, ward_engine_register_bed (engine, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1", 1,
                                         &error), error);
  act (engine, ward_engine_register_bed (engine, "bed-02", "Bed 2", "p2", "Jo Brand", "mon-2", 1,
                                         &error), error);
  act (engine, ward_care_allocate (care, "bed-01", "n.kim", "n.charge", STATION, T0, &error), error);
  act (engine, ward_store_open_flag (store, "p1", "clinical", NULL, WARD_BAND_HIGH, T0, 0, "test",
                                     &error) > 0, error);
  act (engine, ward_care_tick (care, T0, &error), error);
  /* Not accepted within 30 min: escalated. */
  act (engine, ward_care_tick (care, T0 + 30 * MINUTE, &error), error);
  task_id = _ward_store_query_int (store, "SELECT min(id) FROM care_tasks", &error);
  escalated_id = _ward_store_query_int (store, "SELECT max(id) FROM care_tasks", &error);
  g_assert_cmpint (escalated_id, >, task_id);
  act (engine, ward_care_accept (care, escalated_id, "n.charge", STATION, T0 + 31 * MINUTE, &error),
       error);
  act (engine, ward_care_complete (care, escalated_id, WARD_OUTCOME_CRITICAL_CARE,
                                   "Outreach called, moved to ICU", "n.charge", STATION,
                                   T0 + 40 * MINUTE, &error), error);
  act (engine, ward_care_raise_concern (care, "p2", "Not himself today", "n.kim", STATION,
                                        T0 + 41 * MINUTE, &error) > 0, error);
  handover_id = ward_care_offer_handover (care, "n.kim", "n.park", &note, 1, STATION,
                                          T0 + 60 * MINUTE, &error);
  act (engine, handover_id > 0, error);
  act (engine, ward_care_accept_handover (care, handover_id, "n.park", STATION, T0 + 61 * MINUTE,
                                          &error), error);
  act (engine, ward_care_tick (care, T0 + 62 * MINUTE, &error), error);
  act (engine, ward_engine_commit (engine, &error), error);

  /* Every resource, the Patients first, each type after those it
   * references, as the sync sends them: the server checks references.
   */
  for (guint rank = 0; rank < ward_fhir_resource_type_rank (NULL); rank++)
    {
      static const char * const in_order[] = { "Patient", "Device", "Observation", "RiskAssessment",
                                               "Flag", "Task", "Communication", "AuditEvent" };

      g_assert_cmpuint (ward_fhir_resource_type_rank (in_order[rank]), ==, rank);
      g_assert_true (ward_store_foreach_resource (store, in_order[rank], put_cb, &sent, &error));
      g_assert_no_error (error);
    }

  g_assert_true (g_ptr_array_find_with_equal_func (types, "Task", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (types, "Communication", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (types, "AuditEvent", g_str_equal, NULL));
  g_assert_cmpuint (sent.n_put, >=, 10);

  g_clear_object (&care);
  g_clear_object (&engine);
  g_clear_object (&store);
  ward_test_db_remove (&dir, &path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/care/fhir/accepted-by-server", test_care_resources_accepted);

  skip_reason = ward_test_fhir_server_skip_reason ();
  if (skip_reason == NULL)
    {
      /* Lax references: the coordinator is driven here without the
       * engine, so the flag its Tasks focus on is opened straight in the
       * store (no Flag resource), and the Wardwatch Device is the sync's
       * to register.  This test is about each resource's validity; the
       * order and the references of care resources are checked on a
       * strict server by test-care-share-server and test-fhir-crash.
       */
      const char *args[] = { WARD_TEST_FHIR_LAX_REFERENCES, NULL };

      server = ward_test_fhir_server_new (args, &error);
      g_assert_no_error (error);
    }
  status = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);

  return status;
}
