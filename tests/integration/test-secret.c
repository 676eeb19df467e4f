/* test-secret.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Secrets in the desktop keyring: a real gnome-keyring-daemon on a private
 * session bus (the test runs itself again under dbus-run-session), with
 * its keyring in a temporary folder.  wardwatch-cli secret stores and
 * clears; wardwatch reads a bearer token from it and sends to the FHIR
 * test server; the token never shows in its output.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "ward-fhir-auth.h"
#include "ward-secret.h"
#include "ward-test-fhir-server.h"

#define BUS_ENV "WARD_TEST_SECRET_ON_PRIVATE_BUS"

static char *skip_reason;
static char *home;
static GSubprocess *keyring;

static gboolean
has_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static const char *
env_path (const char *name)
{
  const char *path = g_getenv (name);

  if (path == NULL)
    g_error ("%s is not set: run through meson test", name);
  return path;
}

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_program (Run                *r,
             const char * const *argv,
             const char         *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  /* Every debug message: none may carry the secret. */
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input != NULL ? input : "", NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

static int
cli (const char *input,
     const char *action,
     const char *kind,
     const char *key,
     char      **out)
{
  g_auto(Run) r = { 0 };
  const char *argv[] = { env_path ("WARDWATCH_CLI"), "secret", action, kind, key, NULL };

  run_program (&r, argv, input);
  if (out != NULL)
    *out = g_strconcat (r.out, r.err, NULL);
  return r.status;
}

/* gnome-keyring-daemon, secrets only, its login keyring unlocked with a
 * password on standard input, in a private HOME.
 */
static gboolean
start_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  gint64 deadline;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                         "--unlock", "--components=secrets", NULL);
  if (keyring == NULL)
    {
      skip_reason = g_strdup_printf ("gnome-keyring-daemon does not start: %s", error->message);
      return FALSE;
    }
  {
    GOutputStream *in = g_subprocess_get_stdin_pipe (keyring);

    g_output_stream_write_all (in, "ward-test-password\n", 19, NULL, NULL, NULL);
    g_output_stream_close (in, NULL, NULL);
  }

  /* Ready once it owns the Secret Service name (asking before would
   * start another daemon through D-Bus activation).
   */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GVariant) reply = NULL;
      gboolean owned = FALSE;

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner",
                                           g_variant_new ("(s)", "org.freedesktop.secrets"),
                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, NULL);
      if (reply != NULL)
        g_variant_get (reply, "(b)", &owned);
      if (owned)
        return TRUE;
      if (g_subprocess_get_identifier (keyring) == NULL)
        break;
      g_usleep (50 * 1000);
    }

  skip_reason = g_strdup ("gnome-keyring-daemon did not answer on the session bus within 10 s");
  return FALSE;
}

static gboolean
skip_without_keyring (void)
{
  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return TRUE;
    }
  return FALSE;
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *found = NULL;
  char *secret = NULL;
  const char *url = "http://fhir.example.org/R4";

  if (skip_without_keyring ())
    return;

  g_assert_cmpint (cli ("s3cret-token\n", "store", "fhir-token", url, &out), ==, 0);
  g_assert_null (strstr (out, "s3cret-token"));
  g_clear_pointer (&out, g_free);

  found = ward_secret_lookup (WARD_SECRET_KIND_FHIR_TOKEN, url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "s3cret-token");

  /* keyring: with the default key, and keyring:KEY. */
  g_assert_true (ward_secret_read ("keyring:", WARD_SECRET_KIND_FHIR_TOKEN, url, &secret, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "s3cret-token");
  g_clear_pointer (&secret, ward_secret_free);
  g_assert_true (ward_secret_read ("keyring:http://fhir.example.org/R4", WARD_SECRET_KIND_FHIR_TOKEN,
                                   "http://other", &secret, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "s3cret-token");
  g_clear_pointer (&secret, ward_secret_free);

  /* Another kind or key is another secret. */
  g_assert_false (ward_secret_read ("keyring:", WARD_SECRET_KIND_MQTT_PASSWORD, url, &secret, &error));
  g_assert_error (error, WARD_SECRET_ERROR, WARD_SECRET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "wardwatch-cli secret store mqtt-password"));
  g_clear_error (&error);

  /* Stored again: replaced, not added. */
  g_assert_cmpint (cli ("newer-token", "store", "fhir-token", url, NULL), ==, 0);
  g_clear_pointer (&found, g_free);
  found = ward_secret_lookup (WARD_SECRET_KIND_FHIR_TOKEN, url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "newer-token");

  g_assert_cmpint (cli (NULL, "check", "fhir-token", url, NULL), ==, 0);
  g_assert_cmpint (cli (NULL, "clear", "fhir-token", url, &out), ==, 0);
  g_assert_nonnull (strstr (out, "Removed"));
  g_assert_cmpint (cli (NULL, "check", "fhir-token", url, NULL), ==, 1);
  g_clear_pointer (&found, g_free);
  found = ward_secret_lookup (WARD_SECRET_KIND_FHIR_TOKEN, url, &error);
  g_assert_error (error, WARD_SECRET_ERROR, WARD_SECRET_ERROR_NOT_FOUND);
  g_assert_null (found);
}

static void
test_cli_usage (void)
{
  if (skip_without_keyring ())
    return;

  /* Empty secret, unknown kind, missing key: refused. */
  g_assert_cmpint (cli ("\n", "store", "fhir-token", "http://x", NULL), ==, 1);
  g_assert_cmpint (cli ("x", "store", "password", "http://x", NULL), ==, 2);
  g_assert_cmpint (cli ("x", "store", "fhir-token", "", NULL), ==, 1);
}

static void
test_files_still_work (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "ward-secret-file-XXXXXX", NULL);
  char *secret = NULL;
  int fd;

  fd = g_mkstemp_full (path, O_RDWR, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, " file-token\n", 12), ==, 12);
  close (fd);

  g_assert_true (ward_secret_read (path, WARD_SECRET_KIND_FHIR_TOKEN, "http://x", &secret, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "file-token");
  g_clear_pointer (&secret, ward_secret_free);

  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_false (ward_secret_read (path, WARD_SECRET_KIND_FHIR_TOKEN, "http://x", &secret, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM);
  g_unlink (path);
}

/* A SMART client's key in the keyring: stored from standard input, read
 * back by the auth as a PEM it can sign with.
 */
static void
test_smart_key_from_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardFhirAuth) auth = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *err_text = NULL;
  const char *argv[] = { "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                         "ec_paramgen_curve:P-384", NULL };
  gint status = 0;

  if (skip_without_keyring ())
    return;
  if (!has_program ("openssl"))
    {
      g_test_skip ("openssl is needed to make a key");
      return;
    }

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &pem, &err_text, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (cli (pem, "store", "fhir-private-key", "ward-es-client", NULL), ==, 0);

  auth = ward_fhir_auth_new_smart ("http://127.0.0.1:1/fhir/R4", "ward-es-client", "keyring:",
                                   NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (auth);
  g_assert_cmpstr (ward_fhir_auth_get_algorithm (auth), ==, "ES384");
  g_clear_object (&auth);

  /* Another client id has no key there. */
  auth = ward_fhir_auth_new_smart ("http://127.0.0.1:1/fhir/R4", "ward-other", "keyring:",
                                   NULL, NULL, &error);
  g_assert_error (error, WARD_SECRET_ERROR, WARD_SECRET_ERROR_NOT_FOUND);
  g_assert_null (auth);
  g_assert_cmpint (cli (NULL, "clear", "fhir-private-key", "ward-es-client", NULL), ==, 0);
}

/* The real wardwatch with --fhir-token-file=keyring: against a server that
 * wants that token.
 */
static void
test_wardwatch_bearer_from_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardTestFhirServer) server = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *stats = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_auto(Run) r = { 0 };
  const char *token = "kr-token-5b1f0c2e9d";
  const char *server_args[] = { "--token", token, NULL };
  JsonObject *s;
  const char *base;

  if (skip_without_keyring ())
    return;
  if (ward_test_fhir_server_skip_reason () != NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason ());
      return;
    }

  server = ward_test_fhir_server_new (server_args, &error);
  g_assert_no_error (error);
  base = ward_test_fhir_server_get_base_url (server);
  g_assert_cmpint (cli (token, "store", "fhir-token", base, NULL), ==, 0);

  dir = g_dir_make_tmp ("ward-secret-db-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "ward.db", NULL);
  {
    const char *argv[] = { env_path ("WARDWATCH"), "--headless", "--demo", "--beds", "2",
                           "--time-scale", "60", "--duration", "3", "--db", db,
                           "--fhir-url", base, "--fhir-token-file", "keyring:", NULL };

    run_program (&r, argv, NULL);
  }
  if (r.status != 0)
    g_error ("wardwatch failed (%d): %s", r.status, r.err);

  /* Everything it sent was accepted with the keyring's token. */
  stats = ward_test_fhir_server_dup_stats (server, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, stats, -1, &error));
  s = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (s, "total"), >, 0);
  g_assert_cmpint (json_object_get_int_member (s, "unauthorized"), ==, 0);

  /* Never logged, even with every debug message on. */
  g_assert_null (strstr (r.out, token));
  g_assert_null (strstr (r.err, token));

  /* Without it in the keyring: a clear error at start, nothing sent. */
  g_assert_cmpint (cli (NULL, "clear", "fhir-token", base, NULL), ==, 0);
  {
    g_auto(Run) r2 = { 0 };
    const char *argv[] = { env_path ("WARDWATCH"), "--headless", "--demo", "--beds", "2",
                           "--duration", "1", "--db", db,
                           "--fhir-url", base, "--fhir-token-file", "keyring:", NULL };

    run_program (&r2, argv, NULL);
    g_assert_cmpint (r2.status, !=, 0);
    g_assert_nonnull (strstr (r2.err, "keyring"));
  }

  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  if (d != NULL)
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  /* A private session bus for the keyring daemon: the test runs itself
   * again under dbus-run-session.
   */
  if (g_getenv (BUS_ENV) == NULL && has_program ("dbus-run-session") &&
      has_program ("gnome-keyring-daemon"))
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *runtime = NULL;
      g_autofree char *data = NULL;

      /* A private home for the keyring files, set before the bus starts
       * so that anything it starts uses it too.
       */
      home = g_dir_make_tmp ("ward-secret-home-XXXXXX", &error);
      g_assert_no_error (error);
      runtime = g_build_filename (home, "run", NULL);
      data = g_build_filename (home, "data", NULL);
      g_mkdir_with_parents (runtime, 0700);
      g_mkdir_with_parents (data, 0700);
      g_setenv ("HOME", home, TRUE);
      g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
      g_setenv ("XDG_DATA_HOME", data, TRUE);
      g_setenv (BUS_ENV, home, TRUE);
      g_ptr_array_add (args, (gpointer) "dbus-run-session");
      g_ptr_array_add (args, (gpointer) "--");
      for (int i = 0; i < argc; i++)
        g_ptr_array_add (args, argv[i]);
      g_ptr_array_add (args, NULL);
      execvp ("dbus-run-session", (char **) args->pdata);
      g_printerr ("test-secret: cannot run dbus-run-session: %s\n", g_strerror (errno));
    }

  g_test_init (&argc, &argv, NULL);

  if (g_getenv (BUS_ENV) == NULL)
    skip_reason = g_strdup ("dbus-run-session and gnome-keyring-daemon are needed "
                            "(Debian: dbus-daemon, gnome-keyring)");
  else
    {
      home = g_strdup (g_getenv (BUS_ENV));
      start_keyring ();
    }

  g_test_add_func ("/secret/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/secret/cli-usage", test_cli_usage);
  g_test_add_func ("/secret/files-still-work", test_files_still_work);
  g_test_add_func ("/secret/smart-key-from-keyring", test_smart_key_from_keyring);
  g_test_add_func ("/secret/wardwatch-bearer-from-keyring", test_wardwatch_bearer_from_keyring);

  ret = g_test_run ();

  if (keyring != NULL)
    {
      g_subprocess_force_exit (keyring);
      g_subprocess_wait (keyring, NULL, NULL);
      g_clear_object (&keyring);
    }
  if (home != NULL)
    remove_tree (home);
  g_free (home);
  g_free (skip_reason);
  return ret;
}
