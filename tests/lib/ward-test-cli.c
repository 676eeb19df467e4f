/* ward-test-cli.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-cli.h"

#include <gio/gio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int
ward_test_run (const char * const  *argv,
               const char          *input,
               char               **out,
               char               **err)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *err_text = NULL;

  g_assert_nonnull (argv[0]);

  proc = g_subprocess_newv (argv,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE |
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, &out_text, &err_text, &error);
  g_assert_no_error (error);

  if (out != NULL)
    *out = g_steal_pointer (&out_text);
  if (err != NULL)
    *err = g_steal_pointer (&err_text);

  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

int
ward_test_run_cli (const char          *command,
                   const char * const  *args,
                   const char          *input,
                   char               **out,
                   char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("WARDWATCH_CLI");

  if (cli == NULL)
    g_error ("WARDWATCH_CLI is not set: run the tests through meson test");

  g_ptr_array_add (argv, (gpointer) cli);
  if (command != NULL)
    g_ptr_array_add (argv, (gpointer) command);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  return ward_test_run ((const char * const *) argv->pdata, input, out, err);
}

static const char *
wardwatch_path (void)
{
  const char *path = g_getenv ("WARDWATCH");

  if (path == NULL)
    g_error ("WARDWATCH is not set: run through meson test");
  return path;
}

static void
die_with_parent (gpointer data)
{
  pid_t parent = GPOINTER_TO_INT (data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (1);
}

GSubprocess *
ward_test_spawn_wardwatch (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GSubprocess *proc;

  g_ptr_array_add (argv, (gpointer) wardwatch_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, GINT_TO_POINTER (getpid ()), NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

void
ward_test_run_wardwatch (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = ward_test_spawn_wardwatch (args);

  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}
