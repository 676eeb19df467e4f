/* test-staff-fhir-smart.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue #16: the station's staff read (CareTeam, PractitionerRole,
 * Practitioner) authenticates as the FHIR sync does, here as a SMART
 * Backend Services client against the test server's SMART mode; a
 * member added to the CareTeam on the server reaches the session (and so
 * the PIN prompts) at the next read, without a restart; a token the
 * server revoked is renewed.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-session.h"
#include "ward-staff-directory.h"
#include "ward-test-fhir-server.h"

#define TEAM_SYSTEM "https://hospital.example/careteam"
#define SEED_TOKEN "seed-token-of-the-harness"
#define CLIENT_ID "ward-staff"

static WardTestFhirServer *server;
static const char *skip_reason;
static char *key_dir;
static char *key_path;

static const char staff_file[] =
  "{ \"staff\": [ { \"id\": \"ada.nwosu\", \"name\": \"Ada (file)\", \"roles\": [\"bed-nurse\"] } ],"
  "  \"fhir\": { \"care_team_identifier\": \"" TEAM_SYSTEM "|ward-9\" } }";

/* The client's key (openssl) and its public JWK (node), or NULL with
 * skip_reason.
 */
static char *
make_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *jwk = NULL;
  int status = 0;
  const char *genpkey[] = { "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                            "ec_paramgen_curve:P-384", "-out", key_path, NULL };
  const char *export[] = {
    "node", "-e",
    "const c = require('node:crypto'); const fs = require('node:fs');"
    "process.stdout.write(JSON.stringify(c.createPublicKey(fs.readFileSync(process.argv[1]))"
    ".export({ format: 'jwk' })));",
    key_path, NULL
  };

  if (!g_spawn_sync (NULL, (char **) genpkey, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      skip_reason = "openssl genpkey is not available to make a test key";
      return NULL;
    }
  g_assert_cmpint (g_chmod (key_path, 0600), ==, 0);
  if (!g_spawn_sync (NULL, (char **) export, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &jwk, NULL,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      skip_reason = "node cannot export the test key as a JWK";
      return NULL;
    }

  return g_steal_pointer (&jwk);
}

static void
start_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *jwk = NULL;
  g_autofree char *jwks = NULL;
  g_autofree char *jwks_path = NULL;
  const char *args[] = { "--smart-jwks", NULL, "--token", SEED_TOKEN, NULL };

  key_dir = g_dir_make_tmp ("ward-staff-smart-XXXXXX", &error);
  g_assert_no_error (error);
  key_path = g_build_filename (key_dir, "client.pem", NULL);

  if ((skip_reason = ward_test_fhir_server_skip_reason ()) != NULL)
    return;
  if ((jwk = make_key ()) == NULL)
    return;

  jwks = g_strdup_printf ("{\"" CLIENT_ID "\":{\"keys\":[%s]}}", jwk);
  jwks_path = g_build_filename (key_dir, "jwks.json", NULL);
  g_assert_true (g_file_set_contents (jwks_path, jwks, -1, &error));
  g_assert_no_error (error);
  args[1] = jwks_path;

  server = ward_test_fhir_server_new (args, &error);
  g_assert_no_error (error);
}

/* The harness writes with its own static token. */
static void
put (const char *reference,
     const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/%s", reference);
  g_autofree char *body = NULL;
  const char *headers[] = { "Authorization: Bearer " SEED_TOKEN, NULL };
  guint status;

  status = ward_test_fhir_server_request (server, "PUT", path, headers, json, NULL, &body, &error);
  g_assert_no_error (error);
  if (status != 200 && status != 201)
    g_error ("PUT %s: %u %s", reference, status, body);
}

static void
put_member (const char *staff_id,
            const char *given,
            const char *family)
{
  g_autofree char *practitioner = g_strdup_printf (
    "{\"resourceType\":\"Practitioner\",\"id\":\"p-%s\",\"identifier\":[{\"system\":"
    "\"https://wardwatch.github.io/fhir/sid/staff-id\",\"value\":\"%s\"}],"
    "\"name\":[{\"family\":\"%s\",\"given\":[\"%s\"]}]}", family, staff_id, family, given);
  g_autofree char *role = g_strdup_printf (
    "{\"resourceType\":\"PractitionerRole\",\"id\":\"r-%s\","
    "\"practitioner\":{\"reference\":\"Practitioner/p-%s\"},"
    "\"code\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"224535009\"}]}]}",
    family, family);
  g_autofree char *practitioner_ref = g_strdup_printf ("Practitioner/p-%s", family);
  g_autofree char *role_ref = g_strdup_printf ("PractitionerRole/r-%s", family);

  put (practitioner_ref, practitioner);
  put (role_ref, role);
}

static void
put_team (gboolean with_fran)
{
  g_autofree char *team = g_strdup_printf (
    "{\"resourceType\":\"CareTeam\",\"id\":\"ct-9\",\"status\":\"active\","
    "\"identifier\":[{\"system\":\"" TEAM_SYSTEM "\",\"value\":\"ward-9\"}],"
    "\"participant\":[{\"member\":{\"reference\":\"PractitionerRole/r-Nwosu\"}}%s]}",
    with_fran ? ",{\"member\":{\"reference\":\"PractitionerRole/r-Okafor\"}}" : "");

  put ("CareTeam/ct-9", team);
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

/* One read, waited for: TRUE when it succeeded. */
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

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_smart_staff_read (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) policy = NULL;
  g_autoptr(WardSession) session = NULL;
  g_autoptr(WardStaffDirectory) directory = NULL;
  g_autoptr(WardStaffDirectory) anonymous = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  guint notified = 0;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);
  put_member ("ada.nwosu", "Ada", "Nwosu");
  put_member ("fran.okafor", "Fran", "Okafor");
  put_team (FALSE);

  dir = g_dir_make_tmp ("ward-staff-smart-db-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "ward.db", NULL);
  policy = ward_staff_new_from_data (staff_file, -1, "staff.json", &error);
  g_assert_no_error (error);

  /* Without the station's credentials the server refuses the read. */
  anonymous = ward_staff_directory_new (policy, db, ward_test_fhir_server_get_base_url (server), NULL);
  g_assert_false (refresh (anonymous));
  g_assert_nonnull (strstr (ward_staff_directory_get_last_error (anonymous), "401"));

  /* As the station starts it: SMART from --fhir-client-id and
   * --fhir-private-key, the list handed to the session.
   */
  ward_pipeline_config_init (&config);
  config.fhir_url = g_strdup (ward_test_fhir_server_get_base_url (server));
  config.db_path = g_strdup (db);
  config.fhir_client_id = g_strdup (CLIENT_ID);
  config.fhir_private_key = g_strdup (key_path);
  session = ward_session_new (policy, db, TRUE);
  g_signal_connect (session, "notify::staff", G_CALLBACK (count_notify), &notified);
  directory = ward_staff_directory_new_for_session (session, &config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (directory);
  ward_staff_directory_set_interval (directory, 0);

  g_assert_true (refresh (directory));
  g_assert_nonnull (ward_staff_lookup (ward_session_get_staff (session), "ada.nwosu"));
  g_assert_null (ward_staff_lookup (ward_session_get_staff (session), "fran.okafor"));
  g_assert_cmpuint (notified, >=, 1);

  /* Fran joins the CareTeam on the server: on the next read she is on
   * the session's list, which told its watchers (the PIN prompts).
   */
  notified = 0;
  put_team (TRUE);
  g_assert_true (refresh (directory));
  g_assert_nonnull (ward_staff_lookup (ward_session_get_staff (session), "fran.okafor"));
  g_assert_cmpuint (notified, >=, 1);

  /* The server forgets its tokens (a restart, a revocation): the read
   * gets a new one and goes on; Fran leaves the CareTeam meanwhile.
   */
  g_assert_true (ward_test_fhir_server_revoke_tokens (server, &error));
  g_assert_no_error (error);
  put_team (FALSE);
  g_assert_true (refresh (directory));
  g_assert_null (ward_staff_directory_get_last_error (directory));
  g_assert_null (ward_staff_lookup (ward_session_get_staff (session), "fran.okafor"));

  ward_staff_directory_stop (directory);
  ward_staff_directory_stop (anonymous);
  g_clear_object (&directory);
  g_clear_object (&anonymous);
  g_clear_object (&session);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

        g_unlink (path);
      }
    g_rmdir (dir);
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  start_server ();

  g_test_add_func ("/staff/fhir/smart-read-follows-team", test_smart_staff_read);

  status = g_test_run ();
  g_clear_pointer (&server, ward_test_fhir_server_free);
  {
    g_autofree char *jwks = g_build_filename (key_dir, "jwks.json", NULL);

    g_unlink (key_path);
    g_unlink (jwks);
    g_rmdir (key_dir);
  }
  g_free (key_path);
  g_free (key_dir);
  return status;
}
