/* test-staff-fhir-server.c: the ward's staff from the test FHIR server's
 * Practitioner, PractitionerRole and CareTeam.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-care.h"
#include "ward-session.h"
#include "ward-staff-directory.h"
#include "ward-store-staff-fhir.h"
#include "ward-test-cli.h"
#include "ward-test-fhir-server.h"
#include "ward-test-store.h"

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define STATION "station-a"
#define TEAM_SYSTEM "https://hospital.example/careteam"
#define LOCAL_ROLES "https://hospital.example/roles"

/* The demo hash of PIN 1111 (data/staff/demo-staff.json). */
#define ADA_PIN_HASH \
  "pbkdf2-sha256$100000$N79uxfXPApqa/7IFjW0nWg==$IIgL/0frJwZ1RCtSm2bQKmOCQTjYMXCmyk98wVVwgWI="

static WardTestFhirServer *server;
static const char *skip_reason;

static const char staff_file[] =
  "{ \"staff\": ["
  "    { \"id\": \"ada.nwosu\", \"name\": \"Ada (file)\", \"roles\": [\"bed-nurse\"],"
  "      \"pin_hash\": \"" ADA_PIN_HASH "\" },"
  "    { \"id\": \"zed.local\", \"name\": \"Zed Local\", \"roles\": [\"doctor\"] } ],"
  "  \"fhir\": { \"care_team_identifier\": \"" TEAM_SYSTEM "|ward-7\","
  "    \"role_codes\": [ { \"system\": \"" LOCAL_ROLES "\", \"code\": \"NIC\","
  "                        \"role\": \"nurse-in-charge\" } ] } }";

static void
put (const char *reference,
     const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/%s", reference);
  g_autofree char *body = NULL;
  guint status;

  status = ward_test_fhir_server_request (server, "PUT", path, NULL, json, NULL, &body, &error);
  g_assert_no_error (error);
  if (status != 200 && status != 201)
    g_error ("PUT %s: %u %s", reference, status, body);
}

static char *
team_json (gboolean with_ada)
{
  return g_strdup_printf (
    "{\"resourceType\":\"CareTeam\",\"id\":\"ct-7\",\"status\":\"active\",\"name\":\"Ward 7\","
    "\"identifier\":[{\"system\":\"" TEAM_SYSTEM "\",\"value\":\"ward-7\"}],"
    "\"participant\":["
    "%s"
    "{\"member\":{\"reference\":\"PractitionerRole/r-ben\"}},"
    "{\"member\":{\"reference\":\"PractitionerRole/r-cat\"}},"
    "{\"member\":{\"reference\":\"PractitionerRole/r-bad\"}},"
    "{\"member\":{\"reference\":\"PractitionerRole/r-nopr\"}},"
    "{\"member\":{\"reference\":\"PractitionerRole/r-old\"},"
    " \"period\":{\"end\":\"2020-01-01T00:00:00Z\"}}]}",
    with_ada ? "{\"member\":{\"reference\":\"PractitionerRole/r-ada\"}}," : "");
}

/* The harness posts the ward's team: three who can work, a role that
 * maps to nothing, a role with no practitioner, and a past member.
 */
static void
seed_team (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *team = team_json (TRUE);

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);

  put ("Practitioner/p-ada",
       "{\"resourceType\":\"Practitioner\",\"id\":\"p-ada\",\"identifier\":["
       "{\"system\":\"https://wardwatch.github.io/fhir/sid/staff-id\",\"value\":\"ada.nwosu\"},"
       "{\"system\":\"https://wardwatch.github.io/fhir/sid/os-account\",\"value\":\"anwosu\"}],"
       "\"name\":[{\"use\":\"old\",\"family\":\"Okoro\",\"given\":[\"Ada\"]},"
       "{\"use\":\"official\",\"family\":\"Nwosu\",\"given\":[\"Ada\"]}]}");
  put ("Practitioner/p-ben",
       "{\"resourceType\":\"Practitioner\",\"id\":\"p-ben\","
       "\"name\":[{\"text\":\"Dr Ben Carter\"}]}");
  put ("Practitioner/p-cat",
       "{\"resourceType\":\"Practitioner\",\"id\":\"p-cat\","
       "\"name\":[{\"family\":\"Jones\",\"given\":[\"Cat\"]}]}");
  put ("PractitionerRole/r-ada",
       "{\"resourceType\":\"PractitionerRole\",\"id\":\"r-ada\","
       "\"practitioner\":{\"reference\":\"Practitioner/p-ada\"},"
       "\"code\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"224535009\"}]}]}");
  put ("PractitionerRole/r-ben",
       "{\"resourceType\":\"PractitionerRole\",\"id\":\"r-ben\","
       "\"practitioner\":{\"reference\":\"Practitioner/p-ben\"},"
       "\"code\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"158965000\"}]}]}");
  put ("PractitionerRole/r-cat",
       "{\"resourceType\":\"PractitionerRole\",\"id\":\"r-cat\","
       "\"practitioner\":{\"reference\":\"Practitioner/p-cat\"},"
       "\"code\":[{\"coding\":[{\"system\":\"" LOCAL_ROLES "\",\"code\":\"NIC\"}]}]}");
  /* Malformed for a ward: a code nothing maps, and no practitioner. */
  put ("PractitionerRole/r-bad",
       "{\"resourceType\":\"PractitionerRole\",\"id\":\"r-bad\","
       "\"practitioner\":{\"reference\":\"Practitioner/p-cat\"},"
       "\"code\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"106289002\"}]}]}");
  put ("PractitionerRole/r-nopr",
       "{\"resourceType\":\"PractitionerRole\",\"id\":\"r-nopr\","
       "\"code\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"224535009\"}]}]}");
  put ("PractitionerRole/r-old",
       "{\"resourceType\":\"PractitionerRole\",\"id\":\"r-old\","
       "\"practitioner\":{\"reference\":\"Practitioner/p-cat\"},"
       "\"code\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"158965000\"}]}]}");
  put ("CareTeam/ct-7", team);
}

static WardStaff *
policy_staff (void)
{
  g_autoptr(GError) error = NULL;
  WardStaff *staff = ward_staff_new_from_data (staff_file, -1, "staff.json", &error);

  g_assert_no_error (error);
  return staff;
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;

  if (!ward_staff_directory_refresh_finish (WARD_STAFF_DIRECTORY (source), result, error))
    g_assert_nonnull (*error);
  else
    *error = (GError *) 1;
}

/* One read of the server, waited for: TRUE when it succeeded. */
static gboolean
refresh (WardStaffDirectory *directory)
{
  GError *error = NULL;
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (30, timeout_cb, &timed_out);

  ward_staff_directory_refresh_async (directory, NULL, refresh_cb, &error);
  while (error == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);

  if (error == (GError *) 1)
    return TRUE;
  g_test_message ("read failed: %s", error->message);
  g_error_free (error);
  return FALSE;
}

/* One pipeline tick on the store: the engine, then the care stage. */
static void
tick (WardEngine *engine,
      WardCare   *care,
      gint64      now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_evaluate (engine, now, &error));
  g_assert_true (ward_care_tick (care, now, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
}

static void
open_flag (WardStore  *store,
           const char *patient,
           gint64      at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_store_begin (store, &error));
  g_assert_cmpint (ward_store_open_flag (store, patient, "clinical", NULL, WARD_BAND_MEDIUM, at,
                                         0, "test", &error), >, 0);
  g_assert_true (ward_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
test_read_route_remove (void)
{
  g_autoptr(WardStaffDirectory) directory = NULL;
  g_autoptr(WardStaff) policy = NULL;
  g_autoptr(WardSession) session = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardCare) care = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *out = NULL;
  g_autofree char *db_arg = NULL;
  g_autofree char *team = NULL;
  const WardStaffMember *member;
  WardStaff *staff;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  seed_team ();
  path = ward_test_db_new ("staff-fhir", &dir);
  store = ward_test_store_open (path);
  engine = ward_test_engine_new (store, NULL, 2, NULL, NULL);
  care = ward_care_new (engine, NULL, "ward-7", STATION);

  policy = policy_staff ();
  directory = ward_staff_directory_new (policy, path, ward_test_fhir_server_get_base_url (server),
                                        NULL);
  ward_staff_directory_set_interval (directory, 0);
  g_assert_true (refresh (directory));

  /* The team's three usable members; the file's entry for Ada gives her
   * PIN, the server her name, login and role; Zed, in the file only, is
   * not on the ward's team.
   */
  staff = ward_staff_directory_get_staff (directory);
  g_assert_cmpuint (ward_staff_get_n_members (staff), ==, 3);
  member = ward_staff_lookup (staff, "ada.nwosu");
  g_assert_nonnull (member);
  g_assert_cmpstr (member->name, ==, "Ada Nwosu");
  g_assert_cmpstr (member->os_account, ==, "anwosu");
  g_assert_cmpstr (member->pin_hash, ==, ADA_PIN_HASH);
  g_assert_cmpint (member->roles, ==, WARD_STAFF_ROLE_BED_NURSE);
  g_assert_cmpint (member->source, ==, WARD_STAFF_SOURCE_POLICY | WARD_STAFF_SOURCE_FHIR);
  member = ward_staff_lookup (staff, "p-ben");
  g_assert_nonnull (member);
  g_assert_cmpstr (member->name, ==, "Dr Ben Carter");
  g_assert_cmpint (member->roles, ==, WARD_STAFF_ROLE_DOCTOR);
  g_assert_null (member->pin_hash);
  g_assert_cmpint (member->source, ==, WARD_STAFF_SOURCE_FHIR);
  member = ward_staff_lookup (staff, "p-cat");
  g_assert_nonnull (member);
  g_assert_cmpstr (member->name, ==, "Cat Jones");
  g_assert_cmpint (member->roles, ==, WARD_STAFF_ROLE_NURSE_IN_CHARGE);
  g_assert_null (ward_staff_lookup (staff, "zed.local"));

  /* The malformed roles are recorded, naming each, and dropped no one else. */
  issues = ward_store_list_fhir_staff_issues (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (issues->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (issues, 0), "PractitionerRole/r-bad: no code maps"));
  g_assert_nonnull (strstr (g_ptr_array_index (issues, 0), "106289002"));
  g_assert_nonnull (strstr (g_ptr_array_index (issues, 1), "PractitionerRole/r-nopr: no practitioner"));

  /* She signs in with the file's PIN. */
  session = ward_session_new (staff, path, TRUE);
  g_assert_true (ward_session_sign_in (session, "ada.nwosu", "1111", &error));
  g_assert_no_error (error);

  /* A Task routes to the FHIR nurse her beds are allocated to. */
  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_care_allocate (care, "bed-01", "ada.nwosu", "p-cat", STATION, T0, &error));
  g_assert_true (ward_care_allocate (care, "bed-02", "ada.nwosu", "p-cat", STATION, T0, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
  open_flag (store, "p1", T0);
  tick (engine, care, T0 + 1);
  owner = ward_test_query_text (store, "SELECT owner_staff FROM care_tasks WHERE patient_id = 'p1'");
  g_assert_cmpstr (owner, ==, "ada.nwosu");
  g_clear_pointer (&owner, g_free);

  /* The CLI says where each came from. */
  db_arg = g_strdup_printf ("--db=%s", path);
  g_assert_cmpint (ward_test_run_cli ("staff", (const char *[]) { db_arg, NULL }, NULL, &out, NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "{\"id\":\"ada.nwosu\",\"name\":\"Ada Nwosu\",\"roles\":"
                                 "[\"bed-nurse\"],\"source\":\"policy+fhir\",\"pin\":true}"));
  g_assert_nonnull (strstr (out, "\"id\":\"p-ben\",\"name\":\"Dr Ben Carter\",\"roles\":[\"doctor\"],"
                                 "\"source\":\"fhir\",\"pin\":false}"));
  g_assert_null (strstr (out, "zed.local"));

  /* Taken off the team on the server: gone after the next read. */
  team = team_json (FALSE);
  put ("CareTeam/ct-7", team);
  g_assert_true (refresh (directory));
  staff = ward_staff_directory_get_staff (directory);
  g_assert_cmpuint (ward_staff_get_n_members (staff), ==, 2);
  g_assert_null (ward_staff_lookup (staff, "ada.nwosu"));

  /* She is signed out and cannot sign in again... */
  ward_session_set_staff (session, staff);
  g_assert_null (ward_session_get_acting_id (session));
  g_assert_false (ward_session_sign_in (session, "ada.nwosu", "1111", &error));
  g_assert_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_UNKNOWN_STAFF);
  g_clear_error (&error);

  /* ...a new task for her bed goes to the role, not to her... */
  open_flag (store, "p2", T0 + 60 * G_USEC_PER_SEC);
  tick (engine, care, T0 + 61 * G_USEC_PER_SEC);
  g_assert_cmpint (ward_test_query_int (store, "SELECT count(*) FROM care_tasks "
                                               "WHERE patient_id = 'p2' AND owner_staff IS NULL "
                                               "AND owner_role = 'bed-nurse'"), ==, 1);

  /* ...the task already requested of her went to the role at that same
   * tick, with a row in the trail, not left until it escalates...
   */
  owner = ward_test_query_text (store, "SELECT owner_staff FROM care_tasks WHERE patient_id = 'p1'");
  g_assert_null (owner);
  g_assert_cmpint (ward_test_query_int (store, "SELECT count(*) FROM care_tasks "
                                               "WHERE patient_id = 'p1' AND status = 'requested' "
                                               "AND owner_role = 'bed-nurse' "
                                               "AND escalated_at IS NULL"), ==, 1);
  g_assert_cmpint (ward_test_query_int (store, "SELECT count(*) FROM audit_log "
                                               "WHERE action = 'task-rerouted' "
                                               "AND detail LIKE '%ada.nwosu%'"), ==, 1);

  /* ...and what she did stays hers. */
  g_assert_cmpint (ward_test_query_int (store, "SELECT count(*) FROM events "
                                               "WHERE kind = 'staff-sign-in' "
                                               "AND actor = 'ada.nwosu'"), ==, 1);

  g_clear_object (&session);
  g_clear_object (&care);
  g_clear_object (&engine);
  g_clear_object (&store);
  g_clear_object (&directory);
  ward_test_db_remove (&dir, &path);
}

/* A headless station started with the staff file and the server: the
 * team is read at start, without anything else asking for it.
 */
static void
test_station_reads_team (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *staff_path = NULL;
  g_autofree char *db_arg = NULL;
  g_autofree char *staff_arg = NULL;
  g_autofree char *fhir_arg = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *wardwatch = g_getenv ("WARDWATCH");

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  g_assert_nonnull (wardwatch);

  seed_team ();
  path = ward_test_db_new ("staff-station", &dir);
  staff_path = g_build_filename (dir, "staff.json", NULL);
  g_assert_true (g_file_set_contents (staff_path, staff_file, -1, &error));
  g_assert_no_error (error);

  db_arg = g_strconcat ("--db=", path, NULL);
  staff_arg = g_strconcat ("--staff=", staff_path, NULL);
  fhir_arg = g_strconcat ("--fhir-url=", ward_test_fhir_server_get_base_url (server), NULL);
  {
    const char *argv[] = { wardwatch, "--headless", "--demo", "--beds=2", "--duration=15",
                           db_arg, staff_arg, fhir_arg, NULL };

    g_assert_cmpint (ward_test_run (argv, NULL, NULL, &err), ==, 0);
  }

  g_assert_cmpint (ward_test_run_cli ("staff", (const char *[]) { db_arg, NULL }, NULL, &out,
                                      &err), ==, 0);
  g_assert_nonnull (strstr (out, "\"id\":\"ada.nwosu\""));
  g_assert_nonnull (strstr (out, "\"source\":\"policy+fhir\""));
  g_assert_nonnull (strstr (out, "\"id\":\"p-cat\",\"name\":\"Cat Jones\","
                                 "\"roles\":[\"nurse-in-charge\"],\"source\":\"fhir\""));
  g_assert_nonnull (strstr (err, "issue: PractitionerRole/r-bad: no code maps"));

  g_assert_cmpint (g_remove (staff_path), ==, 0);
  ward_test_db_remove (&dir, &path);
}

static void
test_server_down_uses_cache (void)
{
  g_autoptr(WardStaffDirectory) first = NULL;
  g_autoptr(WardStaffDirectory) second = NULL;
  g_autoptr(WardStaff) policy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  WardStaff *staff;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  seed_team ();
  path = ward_test_db_new ("staff-cache", &dir);
  g_object_unref (ward_test_store_open (path));
  policy = policy_staff ();

  first = ward_staff_directory_new (policy, path, ward_test_fhir_server_get_base_url (server), NULL);
  ward_staff_directory_set_interval (first, 0);
  g_assert_true (refresh (first));
  g_assert_cmpuint (ward_staff_get_n_members (ward_staff_directory_get_staff (first)), ==, 3);
  g_clear_object (&first);

  /* The station starts again while the server is down. */
  ward_test_fhir_server_stop (server);

  second = ward_staff_directory_new (policy, path, ward_test_fhir_server_get_base_url (server), NULL);
  ward_staff_directory_set_interval (second, 0);
  g_assert_true (ward_staff_directory_start (second, &error));
  g_assert_no_error (error);

  /* The cached team at once, before any read... */
  staff = ward_staff_directory_get_staff (second);
  g_assert_cmpuint (ward_staff_get_n_members (staff), ==, 3);
  g_assert_nonnull (ward_staff_lookup (staff, "p-ben"));
  g_assert_cmpstr (ward_staff_lookup (staff, "ada.nwosu")->pin_hash, ==, ADA_PIN_HASH);

  /* ...and a failed read keeps it, saying why. */
  g_assert_false (refresh (second));
  g_assert_nonnull (ward_staff_directory_get_last_error (second));
  g_assert_cmpuint (ward_staff_get_n_members (ward_staff_directory_get_staff (second)), ==, 3);

  /* Nobody ever read: the file alone. */
  {
    g_autofree char *other_dir = NULL;
    g_autofree char *other = ward_test_db_new ("staff-none", &other_dir);
    g_autoptr(WardStaffDirectory) third = NULL;

    g_object_unref (ward_test_store_open (other));
    third = ward_staff_directory_new (policy, other, ward_test_fhir_server_get_base_url (server),
                                      NULL);
    ward_staff_directory_set_interval (third, 0);
    g_assert_true (ward_staff_directory_start (third, &error));
    g_assert_no_error (error);
    g_assert_nonnull (ward_staff_lookup (ward_staff_directory_get_staff (third), "zed.local"));
    g_assert_false (refresh (third));
    ward_staff_directory_stop (third);
    g_clear_object (&third);
    ward_test_db_remove (&other_dir, &other);
  }

  ward_staff_directory_stop (second);
  g_clear_object (&second);
  g_assert_true (ward_test_fhir_server_start (server, &error));
  g_assert_no_error (error);
  ward_test_db_remove (&dir, &path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/staff/fhir/read-route-remove", test_read_route_remove);
  g_test_add_func ("/staff/fhir/station-reads-team", test_station_reads_team);
  g_test_add_func ("/staff/fhir/server-down-uses-cache", test_server_down_uses_cache);

  skip_reason = ward_test_fhir_server_skip_reason ();
  if (skip_reason == NULL)
    {
      server = ward_test_fhir_server_new (NULL, &error);
      g_assert_no_error (error);
    }
  status = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);

  return status;
}
