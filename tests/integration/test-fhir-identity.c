/* test-fhir-identity.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Identity resolution (lookup and create) against the real FHIR test
 * server: a WardEngine driven batch by batch, as the pipeline's ticks
 * would, with a WardIdentity on this thread's main context.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-fhir-sync.h"
#include "ward-identity.h"
#include "ward-pipeline.h"
#include "ward-test-fhir-server.h"
#include "ward-test-store.h"
#include "ward-test-ward.h"

#define SEC WARD_USEC_PER_SEC

static WardTestFhirServer *server;

/* The monitor format with the patient id the message carries (create
 * mode creates that Patient).
 */
static const char device_mapping_with_patient[] =
  "{\"templateType\":\"CollectionContent\",\"template\":[{\"templateType\":\"JsonPathContent\","
  "\"template\":{\"typeName\":\"heartrate\",\"typeMatchExpression\":\"$..[?(@heartRate)]\","
  "\"deviceIdExpression\":\"$.deviceId\",\"timestampExpression\":\"$.measuredAt\","
  "\"patientIdExpression\":\"$.patientId\","
  "\"values\":[{\"valueName\":\"hr\",\"valueExpression\":\"$.heartRate\",\"required\":true}]}}]}";

typedef struct
{
  char         *dir;
  char         *path;
  WardStore    *store;
  WardEngine   *engine;
  WardIdentity *identity;
  gint64        t0;
} Fixture;

static gboolean
skip_without_server (void)
{
  if (server == NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason () != NULL
                   ? ward_test_fhir_server_skip_reason () : "no FHIR test server");
      return TRUE;
    }
  return FALSE;
}

static void
use_identity (Fixture          *f,
              WardIdentityMode  mode,
              gint64            lifetime_usec)
{
  g_clear_object (&f->identity);
  f->identity = ward_identity_new (mode, ward_test_fhir_server_get_base_url (server), NULL, NULL);
  ward_identity_set_cache (f->identity, lifetime_usec, 64);
  ward_identity_set_retry (f->identity, 50, 200);
  ward_engine_set_identity (f->engine, f->identity);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    return;

  /* The start of the current hour: a test's minutes of data then stay in
   * one hour's vital-signs Observations whatever the time of day (from a
   * 5-minute mark, a run at 13:59 wrote two hours' worth).
   */
  f->t0 = (g_get_real_time () / (60 * WARD_USEC_PER_MINUTE)) * (60 * WARD_USEC_PER_MINUTE);
  f->path = ward_test_db_new ("ward-fhir-identity", &f->dir);
  f->store = ward_test_store_open (f->path);
  {
    WardEngineConfig config;

    /* The vital-signs Observations, as the pipeline writes them, for the
     * fixture with data "vitals".
     */
    ward_engine_config_init (&config);
    config.vitals_observations = g_strcmp0 (data, "vitals") == 0;
    f->engine = ward_engine_new (f->store, &config);
  }

  /* Two patients in beds, no devices in the bed map: the server says. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_register_bed (f->engine, "bed-01", "Bed 1", "p1", "Ada Obi", NULL, 1, &error));
  g_assert_true (ward_engine_register_bed (f->engine, "bed-02", "Bed 2", "p2", "Lee Min-jun", NULL, 1,
                                           &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);
  use_identity (f, WARD_IDENTITY_MODE_LOOKUP, 300 * SEC);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->path == NULL)
    return;
  if (f->identity != NULL)
    ward_identity_stop (f->identity);
  g_clear_object (&f->engine);
  g_clear_object (&f->identity);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

static gint64
query_int (Fixture    *f,
           const char *sql)
{
  return ward_test_query_int (f->store, sql);
}

static gint64
n_measurements (Fixture    *f,
                const char *patient_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM measurements WHERE patient_id = '%s'",
                                          patient_id);

  return query_int (f, sql);
}

/* POSTs a resource; returns its server id. */
static char *
post (const char *type,
      const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/%s", type);
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint status;

  status = ward_test_fhir_server_request (server, "POST", path, NULL, json, NULL, &body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 201);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  return g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                  "id"));
}

static char *
post_patient (const char *identifier)
{
  g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"%s\"}],"
                                           "\"birthDate\":\"1950-03-04\"}", identifier);

  return post ("Patient", json);
}

static char *
post_device (const char *identifier,
             const char *patient_fhir_id)
{
  g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"Device\",\"identifier\":[{\"value\":\"%s\"}],"
                                           "\"patient\":{\"reference\":\"Patient/%s\"}}",
                                           identifier, patient_fhir_id);

  return post ("Device", json);
}

static void
put_device (const char *device_fhir_id,
            const char *identifier,
            const char *patient_fhir_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/Device/%s", device_fhir_id);
  g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"Device\",\"id\":\"%s\","
                                           "\"identifier\":[{\"value\":\"%s\"}],"
                                           "\"patient\":{\"reference\":\"Patient/%s\"}}",
                                           device_fhir_id, identifier, patient_fhir_id);
  guint status;

  status = ward_test_fhir_server_request (server, "PUT", path, NULL, json, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
}

/* The resources of a type with an identifier on the server: how many,
 * and the id of the first.
 */
static guint
find_on_server (const char  *type,
                const char  *identifier,
                char       **id_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/%s?identifier=%s", type, identifier);
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *bundle;
  JsonArray *entries;
  guint status;

  status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  bundle = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (bundle, "entry"))
    return 0;
  entries = json_object_get_array_member (bundle, "entry");
  if (id_out != NULL && json_array_get_length (entries) > 0)
    {
      JsonObject *entry = json_array_get_object_element (entries, 0);

      *id_out = g_strdup (json_object_get_string_member (json_object_get_object_member (entry,
                                                                                          "resource"),
                                                         "id"));
    }
  return json_array_get_length (entries);
}

static guint
n_on_server (const char *type,
             const char *identifier)
{
  return find_on_server (type, identifier, NULL);
}

/* The FHIR id of the Device the resolver's answer names. */
static char *
answered_device (Fixture    *f,
                 const char *device_id,
                 gint64      now)
{
  g_autoptr(WardIdentityAnswer) answer = NULL;

  g_assert_cmpint (ward_identity_resolve (f->identity, device_id, NULL, now, &answer), ==,
                   WARD_IDENTITY_RESOLVED);
  return g_strdup (answer->device_resource_id);
}

static void
ingest (Fixture    *f,
        const char *device,
        const char *patient,
        gint64      at)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = ward_time_format_iso8601 (at);
  g_autofree char *msg = NULL;

  static guint serial;

  if (patient != NULL)
    msg = g_strdup_printf ("{\"deviceId\":\"%s\",\"patientId\":\"%s\",\"messageId\":\"id-%u\","
                           "\"kind\":\"vitals\",\"measuredAt\":\"%s\",\"heartRate\":80}",
                           device, patient, ++serial, iso);
  else
    msg = g_strdup_printf ("{\"deviceId\":\"%s\",\"messageId\":\"id-%u\",\"kind\":\"vitals\","
                           "\"measuredAt\":\"%s\",\"heartRate\":80}", device, ++serial, iso);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), at, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (f->engine, at, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

/* One pipeline tick with no new message. */
static void
tick (Fixture *f,
      gint64   now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_evaluate (f->engine, now, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context and ticks until no message waits for an
 * identity answer, at most timeout_msec.
 */
static void
run_until_released (Fixture *f,
                    gint64   now,
                    guint    timeout_msec)
{
  gint64 deadline = g_get_monotonic_time () + timeout_msec * (gint64) 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (ward_engine_get_n_held (f->engine) > 0 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      tick (f, now);
    }
  g_source_remove (wake);
}

static void
run_for (Fixture *f,
         gint64   now,
         guint    msec)
{
  gint64 deadline = g_get_monotonic_time () + msec * (gint64) 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      tick (f, now);
    }
  g_source_remove (wake);
}

static void
test_lookup (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *patient = NULL;
  g_autofree char *device = NULL;
  g_autoptr(WardIdentityAnswer) answer = NULL;

  if (skip_without_server ())
    return;

  patient = post_patient ("p1");
  device = post_device ("mon-9", patient);

  ingest (f, "mon-9", NULL, f->t0);
  /* Nothing is waited for in the batch: the message is archived and held. */
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"), ==, 1);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 0);

  run_until_released (f, f->t0, 10000);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM dead_letters"), ==, 0);

  /* The next message uses the cache: no request, no wait. */
  ingest (f, "mon-9", NULL, f->t0 + SEC);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 2);

  /* Watched for silence like a device of the bed map: a technical
   * alert for its patient.
   */
  tick (f, f->t0 + 3 * WARD_USEC_PER_MINUTE);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM flags WHERE kind = 'technical' AND "
                                 "patient_id = 'p1' AND closed_at IS NULL"), ==, 1);

  /* Patient context from the server. */
  g_assert_cmpint (ward_identity_resolve (f->identity, "mon-9", NULL, f->t0 + SEC, &answer), ==,
                   WARD_IDENTITY_RESOLVED);
  g_assert_cmpstr (answer->patient_id, ==, patient);
  g_assert_cmpstr (answer->device_resource_id, ==, device);
  g_assert_cmpstr (answer->birth_date, ==, "1950-03-04");
}

/* Patient context: the Patient's birthDate on the server goes to the
 * store and replaces the local one; a Patient without one leaves the
 * local one alone.  A child (under 16 by the server's date) is scored
 * for the record only, and the store keeps the date across a restart.
 */
static void
test_lookup_birth_date (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (g_get_real_time () / SEC);
  g_autofree char *child_birth = g_strdup_printf ("%04d-01-01", g_date_time_get_year (now) - 10);
  g_autofree char *child_json = NULL;
  g_autofree char *child = NULL;
  g_autofree char *other = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(WardSnapshot) snap = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_server ())
    return;

  /* Locally, both adults (as a ward file could say). */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_set_birth_date (f->engine, "p1", "1980-02-02", &error));
  g_assert_true (ward_engine_set_birth_date (f->engine, "p2", "1961-11-30", &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);

  child_json = g_strdup_printf ("{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"p1\"}],"
                                "\"birthDate\":\"%s\"}", child_birth);
  child = post ("Patient", child_json);
  g_free (post_device ("mon-child", child));
  other = post ("Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"p2\"}]}");
  g_free (post_device ("mon-other", other));

  ingest (f, "mon-child", NULL, f->t0);
  ingest (f, "mon-other", NULL, f->t0);
  run_until_released (f, f->t0, 10000);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 1);
  g_assert_cmpint (n_measurements (f, "p2"), ==, 1);

  /* The server's date is in the store now; no date there keeps ours. */
  g_assert_true (ward_store_get_birth_date (f->store, "p1", &stored, &error));
  g_assert_cmpstr (stored, ==, child_birth);
  g_clear_pointer (&stored, g_free);
  g_assert_true (ward_store_get_birth_date (f->store, "p2", &stored, &error));
  g_assert_cmpstr (stored, ==, "1961-11-30");
  g_clear_pointer (&stored, g_free);

  /* Scored with it: the child's window is kept, not applicable. */
  tick (f, f->t0 + SEC);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM scores WHERE patient_id = 'p1' "
                                 "AND news2_applicable = 0 AND age < 16"), >=, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM scores WHERE patient_id = 'p1' "
                                 "AND news2_applicable = 1"), ==, 0);
  snap = ward_engine_snapshot (f->engine, f->t0 + SEC);
  g_assert_cmpint (ward_snapshot_get_bed (snap, 0)->age, <, 16);
  g_assert_cmpint (ward_snapshot_get_bed (snap, 0)->age, >=, 9);
  g_assert_true (ward_snapshot_get_bed (snap, 0)->news2_not_applicable);
  g_assert_cmpint (ward_snapshot_get_bed (snap, 1)->age, >=, 64);
  g_assert_false (ward_snapshot_get_bed (snap, 1)->news2_not_applicable);
  g_clear_pointer (&snap, ward_snapshot_unref);

  /* A restart with local identity: the date comes from the store. */
  ward_identity_stop (f->identity);
  g_clear_object (&f->identity);
  g_clear_object (&f->engine);
  f->engine = ward_engine_new (f->store, NULL);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_register_bed (f->engine, "bed-01", "Bed 1", "p1", "Ada Obi", NULL, 1, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  snap = ward_engine_snapshot (f->engine, f->t0 + SEC);
  g_assert_cmpint (ward_snapshot_get_bed (snap, 0)->age, <, 16);
  g_assert_true (ward_snapshot_get_bed (snap, 0)->news2_not_applicable);
}

static void
test_unknown_device (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *patient = NULL;
  g_autofree char *device = NULL;
  g_autofree char *other = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_server ())
    return;

  patient = post_patient ("p1");
  device = post_device ("mon-9", patient);
  /* A patient the server knows but who is not on this ward. */
  other = post_patient ("p-elsewhere");
  g_free (post_device ("mon-elsewhere", other));

  ingest (f, "ghost-1", NULL, f->t0);
  ingest (f, "mon-elsewhere", NULL, f->t0 + SEC);
  ingest (f, "mon-9", NULL, f->t0 + 2 * SEC);
  run_until_released (f, f->t0 + 2 * SEC, 10000);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);

  g_assert_cmpint (query_int (f, "SELECT count(*) FROM dead_letters WHERE stage = 'identity' AND "
                                 "reason LIKE 'no Device with identifier ghost-1%'"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM dead_letters WHERE stage = 'identity' AND "
                                 "reason LIKE '%mon-elsewhere%not in a bed on this ward%'"), ==, 1);
  /* The raw messages are kept, and the pipeline went on. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                                 "ON r.id = d.raw_message_id WHERE length (r.payload) > 0 "
                                 "AND r.processed_at IS NOT NULL"), ==, 2);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 1);
}

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardDeviceTemplate) mapping = NULL;
  g_autofree char *created = NULL;
  g_autofree char *answered = NULL;
  g_autofree char *bare = NULL;

  if (skip_without_server ())
    return;

  mapping = ward_device_template_new_from_data (device_mapping_with_patient, -1, NULL, &error);
  g_assert_no_error (error);
  ward_engine_set_device_template (f->engine, mapping);
  use_identity (f, WARD_IDENTITY_MODE_CREATE, 300 * SEC);

  /* Two messages before any answer: one Patient and one Device. */
  ingest (f, "mon-new", "p2", f->t0);
  ingest (f, "mon-new", "p2", f->t0 + SEC);
  run_until_released (f, f->t0 + SEC, 10000);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  g_assert_cmpint (n_measurements (f, "p2"), ==, 2);
  g_assert_cmpuint (n_on_server ("Patient", "p2"), ==, 1);
  g_assert_cmpuint (find_on_server ("Device", "mon-new", &created), ==, 1);
  /* The answer names the Device it made. */
  answered = answered_device (f, "mon-new", f->t0 + SEC);
  g_assert_cmpstr (answered, ==, created);
  g_clear_pointer (&answered, g_free);

  /* A restart (a new resolver, nothing cached): found, not made again. */
  use_identity (f, WARD_IDENTITY_MODE_CREATE, 300 * SEC);
  ingest (f, "mon-new", "p2", f->t0 + 2 * SEC);
  run_until_released (f, f->t0 + 2 * SEC, 10000);
  g_assert_cmpint (n_measurements (f, "p2"), ==, 3);
  g_assert_cmpuint (n_on_server ("Patient", "p2"), ==, 1);
  g_assert_cmpuint (n_on_server ("Device", "mon-new"), ==, 1);
  answered = answered_device (f, "mon-new", f->t0 + 2 * SEC);
  g_assert_cmpstr (answered, ==, created);
  g_clear_pointer (&answered, g_free);

  /* A second device for the same patient: its own Device, the same Patient. */
  ingest (f, "mon-new-2", "p2", f->t0 + 3 * SEC);
  run_until_released (f, f->t0 + 3 * SEC, 10000);
  g_assert_cmpint (n_measurements (f, "p2"), ==, 4);
  g_assert_cmpuint (n_on_server ("Patient", "p2"), ==, 1);
  g_assert_cmpuint (n_on_server ("Device", "mon-new-2"), ==, 1);

  /* A Device without a patient gets the message's, and keeps its id. */
  bare = post ("Device", "{\"resourceType\":\"Device\",\"identifier\":[{\"value\":\"mon-bare\"}]}");
  ingest (f, "mon-bare", "p1", f->t0 + 4 * SEC);
  run_until_released (f, f->t0 + 4 * SEC, 10000);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 1);
  g_assert_cmpuint (n_on_server ("Device", "mon-bare"), ==, 1);
  answered = answered_device (f, "mon-bare", f->t0 + 4 * SEC);
  g_assert_cmpstr (answered, ==, bare);
  g_assert_cmpuint (n_on_server ("Patient", "p1"), ==, 1);

  /* A message that names no patient cannot create one. */
  ingest (f, "mon-anon", NULL, f->t0 + 4 * SEC);
  run_until_released (f, f->t0 + 4 * SEC, 10000);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM dead_letters WHERE stage = 'identity' AND "
                                 "reason LIKE '%mon-anon%names no patient%'"), ==, 1);
  g_assert_cmpuint (n_on_server ("Device", "mon-anon"), ==, 0);
}

/* A Patient made in create mode carries the ward's identifiers for that
 * patient (the ward file's NHS and hospital numbers) beside the
 * message's patient id: the same resource is found by each.
 */
static void
test_create_identifiers (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardDeviceTemplate) mapping = NULL;
  g_autoptr(JsonNode) identifiers = NULL;
  g_autofree char *by_id = NULL;
  g_autofree char *by_nhs = NULL;
  g_autofree char *by_mrn = NULL;

  if (skip_without_server ())
    return;

  identifiers = json_from_string (
    "[{\"system\": \"https://fhir.nhs.uk/Id/nhs-number\", \"value\": \"9434765919\"},"
    " {\"type\": {\"coding\": [{\"system\": \"http://terminology.hl7.org/CodeSystem/v2-0203\","
    "   \"code\": \"MR\"}]}, \"system\": \"https://trust.example/Id/mrn\", \"value\": \"RX7\"}]",
    &error);
  g_assert_no_error (error);
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_set_identifiers (f->engine, "p2", "RX7", "9434765919", identifiers,
                                              &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);

  mapping = ward_device_template_new_from_data (device_mapping_with_patient, -1, NULL, &error);
  g_assert_no_error (error);
  ward_engine_set_device_template (f->engine, mapping);
  /* Set after the identifiers: the resolver is told them as it comes. */
  use_identity (f, WARD_IDENTITY_MODE_CREATE, 300 * SEC);

  ingest (f, "mon-ident", "p2", f->t0);
  run_until_released (f, f->t0, 10000);
  g_assert_cmpint (n_measurements (f, "p2"), ==, 1);
  g_assert_cmpuint (find_on_server ("Patient", "p2", &by_id), ==, 1);
  g_assert_cmpuint (find_on_server ("Patient", "9434765919", &by_nhs), ==, 1);
  g_assert_cmpuint (find_on_server ("Patient", "RX7", &by_mrn), ==, 1);
  g_assert_cmpstr (by_nhs, ==, by_id);
  g_assert_cmpstr (by_mrn, ==, by_id);

  /* A patient the ward knows no identifiers of: the message's id only. */
  ingest (f, "mon-ident-2", "p1", f->t0 + SEC);
  run_until_released (f, f->t0 + SEC, 10000);
  g_assert_cmpuint (n_on_server ("Patient", "p1"), ==, 1);
  g_assert_cmpuint (n_on_server ("Patient", "9434765919"), ==, 1);
}

static void
test_reassignment (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *patient1 = NULL;
  g_autofree char *patient2 = NULL;
  g_autofree char *device = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t;

  if (skip_without_server ())
    return;

  use_identity (f, WARD_IDENTITY_MODE_LOOKUP, 2 * SEC);
  patient1 = post_patient ("p1");
  patient2 = post_patient ("p2");
  device = post_device ("mon-9", patient1);

  ingest (f, "mon-9", NULL, f->t0);
  run_until_released (f, f->t0, 10000);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 1);

  /* Moved on the server: the cached answer holds until it expires. */
  put_device (device, "mon-9", patient2);
  ingest (f, "mon-9", NULL, f->t0 + SEC);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 2);
  g_assert_cmpint (n_measurements (f, "p2"), ==, 0);

  /* After the lifetime the server is asked again. */
  t = f->t0 + 3 * SEC;
  ingest (f, "mon-9", NULL, t);
  run_until_released (f, t, 10000);
  g_assert_cmpint (n_measurements (f, "p2"), ==, 1);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 2);

  /* A local assignment wins at once, with the next message. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_assign_device (f->engine, "mon-9", "p1", &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  ingest (f, "mon-9", NULL, t + SEC);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 3);

  /* Unassigned locally: the server decides again, asked afresh. */
  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_assign_device (f->engine, "mon-9", NULL, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
  ingest (f, "mon-9", NULL, t + 2 * SEC);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 1);
  run_until_released (f, t + 2 * SEC, 10000);
  g_assert_cmpint (n_measurements (f, "p2"), ==, 2);
}

/* A lifetime of 0: every message is asked about, and each is served by
 * its own answer.
 */
static void
test_no_cache (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *patient = NULL;

  if (skip_without_server ())
    return;

  use_identity (f, WARD_IDENTITY_MODE_LOOKUP, 0);
  patient = post_patient ("p1");
  g_free (post_device ("mon-9", patient));

  for (int i = 0; i < 3; i++)
    ingest (f, "mon-9", NULL, f->t0 + i * SEC);
  run_until_released (f, f->t0 + 2 * SEC, 10000);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 3);
  /* A Device search and a Patient read per message. */
  g_assert_cmpuint (ward_identity_get_n_requests (f->identity), ==, 6);
}

static void
test_server_down (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *patient = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_server ())
    return;

  ward_test_fhir_server_stop (server);
  ingest (f, "mon-9", NULL, f->t0);
  ingest (f, "mon-9", NULL, f->t0 + SEC);
  ingest (f, "mon-9", NULL, f->t0 + 2 * SEC);
  run_for (f, f->t0 + 2 * SEC, 400);
  /* Waiting, not lost, not dead letters. */
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 3);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"), ==, 3);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM dead_letters"), ==, 0);
  g_assert_cmpuint (ward_identity_get_n_requests (f->identity), >=, 2);

  g_assert_true (ward_test_fhir_server_start (server, &error));
  g_assert_no_error (error);
  g_free (post_device ("mon-9", (patient = post_patient ("p1"))));

  run_until_released (f, f->t0 + 2 * SEC, 10000);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  g_assert_cmpint (n_measurements (f, "p1"), ==, 3);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL"), ==, 0);
  /* In the order they came. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM measurements a JOIN measurements b "
                                 "ON a.id < b.id AND a.raw_message_id > b.raw_message_id"), ==, 0);
}

/* The references of one resource ("Type/id"), collected from every
 * "reference" member at any depth.
 */
static void
collect_references (JsonNode  *node,
                    GPtrArray *references)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *child = json_object_get_member (object, l->data);

          if (g_strcmp0 (l->data, "reference") == 0 && JSON_NODE_HOLDS_VALUE (child))
            g_ptr_array_add (references, g_strdup (json_node_get_string (child)));
          else
            collect_references (child, references);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_references (json_array_get_element (array, i), references);
    }
}

typedef struct
{
  GPtrArray *references;  /* every reference of every resource */
  GPtrArray *subjects;    /* "Type: subject.reference" */
  GPtrArray *devices;     /* the vital signs' device.reference */
  guint      n_flags;
  guint      n_risks;
  guint      n_vitals;
  guint      n_news2;
} Written;

static void
written_cb (const char *resource_type,
            const char *id,
            gint64      version,
            const char *json,
            gpointer    user_data)
{
  Written *w = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *object;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  object = json_node_get_object (root);
  collect_references (root, w->references);

  if (json_object_has_member (object, "subject"))
    g_ptr_array_add (w->subjects,
                     g_strdup_printf ("%s: %s", resource_type,
                                      json_object_get_string_member (json_object_get_object_member (object,
                                                                                                    "subject"),
                                                                     "reference")));
  if (strcmp (resource_type, "Flag") == 0)
    w->n_flags++;
  else if (strcmp (resource_type, "RiskAssessment") == 0)
    w->n_risks++;
  else if (strcmp (resource_type, "Observation") == 0 && g_str_has_prefix (id, "ww-news2-"))
    w->n_news2++;
  else if (strcmp (resource_type, "Observation") == 0)
    {
      JsonArray *identifiers = json_object_get_array_member (object, "identifier");

      w->n_vitals++;
      g_ptr_array_add (w->devices,
                       g_strdup (json_object_get_string_member (json_object_get_object_member (object,
                                                                                               "device"),
                                                                "reference")));
      /* The connector's identifier is made of the same ids. */
      g_ptr_array_add (w->devices,
                       g_strdup (json_object_get_string_member (json_array_get_object_element (identifiers, 0),
                                                                "value")));
    }
}

/* Identity lookup: every resource Wardwatch writes about a patient (the
 * NEWS2 Observation, the RiskAssessment, the Flag and the vital-signs
 * Observations) references the server's Patient, whose id is not the
 * ward's patient id, and the vital signs the server's Device; synced to
 * the server, every reference they hold resolves there.
 */
static void
test_references (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardFhirSync) sync = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *device = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *device_ref = NULL;
  g_autofree char *prefix = NULL;
  Written w = { 0 };
  gint64 t = f->t0;
  gint64 deadline;
  guint wake;

  if (skip_without_server ())
    return;

  /* Matched to bed 1's p1 by its identifier; its id is the server's. */
  patient = post_patient ("p1");
  device = post_device ("mon-9", patient);
  g_assert_cmpstr (patient, !=, "p1");
  subject = g_strconcat ("Patient/", patient, NULL);
  device_ref = g_strconcat ("Device/", device, NULL);
  prefix = g_strdup_printf ("%s.%s.", patient, device);
  use_identity (f, WARD_IDENTITY_MODE_LOOKUP, 3600 * SEC);

  /* NEWS2 7 (HR 3, RR 2, SpO2 2) for 6 min: scores and a flag. */
  ward_test_ingest_vitals (f->engine, "mon-9", t, "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
  run_until_released (f, t, 10000);
  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 0);
  for (t += 15 * SEC; t <= f->t0 + 6 * WARD_USEC_PER_MINUTE; t += 15 * SEC)
    ward_test_ingest_vitals (f->engine, "mon-9", t,
                             "\"heartRate\":135,\"respiratoryRate\":22,\"spo2\":93");
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM dead_letters"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM flags WHERE kind = 'clinical' "
                                 "AND patient_id = 'p1'"), ==, 1);

  w.references = g_ptr_array_new_with_free_func (g_free);
  w.subjects = g_ptr_array_new_with_free_func (g_free);
  w.devices = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (ward_store_foreach_resource (f->store, NULL, written_cb, &w, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (w.n_flags, ==, 1);
  g_assert_cmpuint (w.n_news2, >=, 2);
  g_assert_cmpuint (w.n_risks, ==, w.n_news2);
  g_assert_cmpuint (w.n_vitals, ==, 3);
  g_assert_cmpuint (w.subjects->len, ==, w.n_flags + w.n_news2 + w.n_risks + w.n_vitals);
  for (guint i = 0; i < w.subjects->len; i++)
    {
      const char *s = g_ptr_array_index (w.subjects, i);

      /* "Type: Patient/<id>": the server's Patient, whatever the type. */
      g_assert_nonnull (strstr (s, ": "));
      g_assert_cmpstr (strstr (s, ": ") + 2, ==, subject);
    }
  for (guint i = 0; i < w.devices->len; i += 2)
    {
      g_assert_cmpstr (g_ptr_array_index (w.devices, i), ==, device_ref);
      g_assert_true (g_str_has_prefix (g_ptr_array_index (w.devices, i + 1), prefix));
    }

  /* Synced, nothing refused; then every reference resolves. */
  sync = ward_fhir_sync_new (f->store, ward_test_fhir_server_get_base_url (server), NULL);
  ward_fhir_sync_set_backoff (sync, 50, 400);
  ward_fhir_sync_set_interval (sync, 100);
  ward_fhir_sync_start (sync);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  wake = g_timeout_add (20, wake_cb, NULL);
  while ((ward_test_n_pending (f->store) > 0 || ward_fhir_sync_is_busy (sync)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  ward_fhir_sync_stop (sync);
  g_assert_cmpint (ward_test_n_pending (f->store), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (sync), ==, 0);

  g_assert_cmpuint (w.references->len, >, w.subjects->len);
  for (guint i = 0; i < w.references->len; i++)
    {
      const char *reference = g_ptr_array_index (w.references, i);
      g_autofree char *path = g_strconcat ("/fhir/R4/", reference, NULL);
      g_autofree char *body = NULL;
      guint status;

      status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);
      g_assert_no_error (error);
      if (status != 200)
        g_test_message ("GET %s: %u", path, status);
      g_assert_cmpuint (status, ==, 200);
    }

  g_ptr_array_unref (w.references);
  g_ptr_array_unref (w.subjects);
  g_ptr_array_unref (w.devices);
}

typedef struct
{
  gboolean           done;
  WardIngestOutcome  outcome;
  char              *reason;
  GError            *error;
} Push;

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
}

static void
push_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Push *push = user_data;

  ward_pipeline_push_message_finish (WARD_PIPELINE (object), result, &push->outcome,
                                     &push->reason, &push->error);
  push->done = TRUE;
}

/* The whole pipeline with --identity=lookup and a ward file without
 * devices: the message is acknowledged once archived, the lookup runs on
 * the pipeline's thread, and the measurement follows.
 */
static void
test_pipeline_lookup (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardStore) reader = NULL;
  g_autofree char *ward_file = NULL;
  g_autofree char *db = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *msg = NULL;
  g_autofree char *iso = NULL;
  Push push = { 0 };
  gint64 deadline;
  gint64 n = 0;

  if (skip_without_server ())
    return;

  patient = post_patient ("p7");
  g_free (post_device ("mon-77", patient));

  ward_file = g_build_filename (f->dir, "ward.json", NULL);
  g_assert_true (g_file_set_contents (ward_file,
                                      "{\"beds\":[{\"id\":\"bed-07\",\"label\":\"Bed 7\","
                                      "\"patient\":{\"id\":\"p7\",\"name\":\"Sam Reyes\"}}]}",
                                      -1, &error));
  g_assert_no_error (error);
  db = g_build_filename (f->dir, "pipeline.db", NULL);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.ward_file = g_strdup (ward_file);
  config.fhir_url = g_strdup (ward_test_fhir_server_get_base_url (server));
  config.identity = g_strdup ("lookup");
  config.tick_msec = 20;
  pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (pipeline, snapshot_cb, NULL, &error));
  g_assert_no_error (error);

  iso = ward_time_format_iso8601 (g_get_real_time ());
  msg = g_strdup_printf ("{\"deviceId\":\"mon-77\",\"messageId\":\"p-1\",\"kind\":\"vitals\","
                         "\"measuredAt\":\"%s\",\"heartRate\":91}", iso);
  ward_pipeline_push_message_async (pipeline, "test", WARD_CONTENT_TYPE_JSON, NULL, msg, -1, NULL,
                                    push_done_cb, &push);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!push.done && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_true (push.done);
  g_assert_no_error (push.error);
  g_assert_cmpint (push.outcome, ==, WARD_INGEST_ACCEPTED);
  g_free (push.reason);

  reader = ward_test_store_open (db);
  while (n == 0 && g_get_monotonic_time () < deadline)
    {
      g_usleep (20 * 1000);
      n = _ward_store_query_int (reader, "SELECT count(*) FROM measurements WHERE patient_id = 'p7' "
                                 "AND device_id = 'mon-77'", &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (n, ==, 1);

  ward_pipeline_stop (pipeline);
  g_assert_cmpint (_ward_store_query_int (reader, "SELECT count(*) FROM raw_messages "
                                          "WHERE processed_at IS NULL", &error), ==, 0);
  g_assert_cmpint (_ward_store_query_int (reader, "SELECT count(*) FROM dead_letters", &error), ==, 0);
  g_assert_no_error (error);
  g_clear_object (&reader);
  g_clear_object (&pipeline);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
    g_unlink (ward_file);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = ward_test_fhir_server_new (NULL, &error);
  if (server == NULL)
    g_test_message ("No FHIR test server: %s", error->message);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/fhir-identity/lookup", test_lookup);
  ADD ("/fhir-identity/lookup-birth-date", test_lookup_birth_date);
  ADD ("/fhir-identity/unknown-device", test_unknown_device);
  ADD ("/fhir-identity/create", test_create);
  ADD ("/fhir-identity/create-identifiers", test_create_identifiers);
  ADD ("/fhir-identity/reassignment", test_reassignment);
  ADD ("/fhir-identity/no-cache", test_no_cache);
  ADD ("/fhir-identity/server-down", test_server_down);
  ADD ("/fhir-identity/pipeline", test_pipeline_lookup);
  g_test_add ("/fhir-identity/references", Fixture, "vitals", fixture_set_up, test_references,
              fixture_tear_down);
#undef ADD

  ret = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  return ret;
}
