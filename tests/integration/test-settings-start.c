/* test-settings-start.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ward-test-broker.h"
#include "ward-test-util.h"

/* wardwatch started as a station starts it, with what the preferences
 * saved: GSettings' keyfile backend in a configuration folder of the
 * test's own (the memory backend would not reach another process).
 * Saved sources are used when no option names them, an option wins, and
 * a saved value that does not pass stops the start with its name.
 */

#define WARD_JSON \
  "{\"beds\": [{\"id\": \"bed-1\", \"label\": \"Bed 1\"," \
  " \"patient\": {\"id\": \"p-1\", \"name\": \"Ada Example\", \"spo2_scale\": 1}," \
  " \"devices\": [\"MON-1\"]}]}"

typedef struct
{
  char *dir;
  char *ward;
  char *db;
  char *keyfile;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *settings_dir = NULL;

  f->dir = g_dir_make_tmp ("settings-start-XXXXXX", NULL);
  f->ward = g_build_filename (f->dir, "ward.json", NULL);
  f->db = g_build_filename (f->dir, "ward.db", NULL);
  settings_dir = g_build_filename (f->dir, "config", "glib-2.0", "settings", NULL);
  f->keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->ward, WARD_JSON, -1, NULL));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ward_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->ward);
  g_free (f->db);
  g_free (f->keyfile);
}

static void
save_settings (Fixture    *f,
               const char *lines)
{
  g_autofree char *text = g_strdup_printf ("[io/github/wardwatch/Wardwatch]\n%s", lines);

  g_assert_true (g_file_set_contents (f->keyfile, text, -1, NULL));
}

static GSubprocess *
start (Fixture     *f,
       const char  *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);

  g_ptr_array_add (argv, g_strdup (g_getenv ("WARDWATCH")));
  g_ptr_array_add (argv, g_strdup ("--headless"));
  g_ptr_array_add (argv, g_strdup_printf ("--ward=%s", f->ward));
  g_ptr_array_add (argv, g_strdup_printf ("--db=%s", f->db));
  g_ptr_array_add (argv, g_strdup ("--duration=3"));
  if (extra != NULL)
    g_ptr_array_add (argv, g_strdup (extra));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static int
finish (GSubprocess  *process,
        char        **err)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* No source saved and none given: refused, as before the preferences. */
static void
test_nothing_saved (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSubprocess) process = start (f, NULL);
  g_autofree char *err = NULL;

  g_assert_cmpint (finish (process, &err), ==, 2);
  g_assert_nonnull (strstr (err, "No device source"));
}

/* The saved MLLP listener is started: its port takes connections. */
static void
test_saved_source_used (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *err = NULL;
  guint16 port = ward_test_free_port (&error);

  g_assert_no_error (error);
  lines = g_strdup_printf ("mllp-port=%u\nmllp-bind='127.0.0.1'\n", port);
  save_settings (f, lines);

  process = start (f, NULL);
  g_assert_true (ward_test_wait_for_port (port, 20000));
  g_assert_cmpint (finish (process, &err), ==, 0);
}

/* --mllp-port wins over the saved port. */
static void
test_option_wins (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *option = NULL;
  g_autofree char *err = NULL;
  guint16 saved = ward_test_free_port (&error);
  guint16 given = ward_test_free_port (&error);

  g_assert_no_error (error);
  g_assert_cmpuint (saved, !=, given);
  lines = g_strdup_printf ("mllp-port=%u\n", saved);
  save_settings (f, lines);
  option = g_strdup_printf ("--mllp-port=%u", given);

  process = start (f, option);
  g_assert_true (ward_test_wait_for_port (given, 20000));
  g_assert_false (ward_test_wait_for_port (saved, 200));
  g_assert_cmpint (finish (process, &err), ==, 0);
}

/* A value set by hand that the preferences would have refused. */
static void
test_bad_saved_value (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;

  save_settings (f, "mqtt-url='broker.example:1883'\n");
  process = start (f, NULL);
  g_assert_cmpint (finish (process, &err), ==, 2);
  g_assert_nonnull (strstr (err, "broker.example:1883"));
  g_assert_false (g_file_test (f->db, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/settings-start/nothing-saved", Fixture, NULL, fixture_set_up, test_nothing_saved,
              fixture_tear_down);
  g_test_add ("/settings-start/saved-source-used", Fixture, NULL, fixture_set_up,
              test_saved_source_used, fixture_tear_down);
  g_test_add ("/settings-start/option-wins", Fixture, NULL, fixture_set_up, test_option_wins,
              fixture_tear_down);
  g_test_add ("/settings-start/bad-saved-value", Fixture, NULL, fixture_set_up,
              test_bad_saved_value, fixture_tear_down);

  return g_test_run ();
}
