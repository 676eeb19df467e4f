/* ward-test-fhir-server.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-test-fhir-server"

#include "config.h"

#include "ward-test-fhir-server.h"
#include "ward-test-util.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

struct _WardTestFhirServer
{
  char              **extra_args;
  gboolean            lax_references;
  char               *package_dir;
  char               *node;
  char               *dir;
  char               *log_path;
  char               *root_url;
  char               *base_url;
  guint16             port;
  GPid                pid;
  GSubprocess        *process;
  GDataInputStream   *stdout_stream;
};

#define PORT_LINE_TIMEOUT_MSEC  30000
#define STOP_TIMEOUT_USEC       (5 * G_USEC_PER_SEC)
#define NPM_TIMEOUT_USEC        (600 * G_USEC_PER_SEC)
#define LOCK_TIMEOUT_USEC       (660 * G_USEC_PER_SEC)
#define HTTP_TIMEOUT_SEC        60
#define HTTP_MAX_RESPONSE       (256 * 1024 * 1024)

/* Medplum 4.5.2's engines: ^20.19.0 || >=22.12.0. */
#define NODE_REQUIREMENT "node >= 20.19 required (Medplum 4.5.2)"

/* -- where things are ---------------------------------------------------- */

static char *
find_package_dir (void)
{
  const char *source_dir = g_getenv ("WARD_SOURCE_DIR");

  if (source_dir != NULL && *source_dir != '\0')
    return g_build_filename (source_dir, "tests", "fhir-server", NULL);

#ifdef WARD_TEST_SOURCE_DIR
  return g_build_filename (WARD_TEST_SOURCE_DIR, "fhir-server", NULL);
#else
  return NULL;
#endif
}

static gboolean
node_version_ok (const char  *node,
                 char       **found)
{
  const char *argv[] = { node, "--version", NULL };
  g_autofree char *out = NULL;
  guint major = 0, minor = 0, micro = 0;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL) ||
      sscanf (out, "v%u.%u.%u", &major, &minor, &micro) < 2)
    {
      *found = g_strdup ("an unknown version");
      return FALSE;
    }

  *found = g_strstrip (g_steal_pointer (&out));
  return (major == 20 && minor >= 19) || (major == 22 && minor >= 12) || major >= 23;
}

/* node_modules/.package-lock.json is written by npm at the end of an
 * install: missing or older than package-lock.json means "npm ci".
 */
static gboolean
install_needed (const char *package_dir)
{
  g_autofree char *marker = g_build_filename (package_dir, "node_modules", ".package-lock.json", NULL);
  g_autofree char *lock = g_build_filename (package_dir, "package-lock.json", NULL);
  GStatBuf marker_stat, lock_stat;

  if (g_stat (marker, &marker_stat) != 0 || g_stat (lock, &lock_stat) != 0)
    return TRUE;

  if (marker_stat.st_mtim.tv_sec != lock_stat.st_mtim.tv_sec)
    return marker_stat.st_mtim.tv_sec < lock_stat.st_mtim.tv_sec;
  return marker_stat.st_mtim.tv_nsec < lock_stat.st_mtim.tv_nsec;
}

static gpointer
compute_skip_reason (gpointer data)
{
  g_autofree char *package_dir = find_package_dir ();
  g_autofree char *server = NULL;
  g_autofree char *node = NULL;
  g_autofree char *npm = NULL;
  g_autofree char *version = NULL;

  if (package_dir == NULL)
    return g_strdup ("WARD_SOURCE_DIR is not set (meson test sets it to the project root)");

  server = g_build_filename (package_dir, "server.mjs", NULL);
  if (!g_file_test (server, G_FILE_TEST_IS_REGULAR))
    return g_strdup_printf ("%s is missing", server);

  node = g_find_program_in_path ("node");
  if (node == NULL)
    return g_strdup ("node is not installed: the FHIR test server needs it, " NODE_REQUIREMENT ", and npm");

  if (!node_version_ok (node, &version))
    return g_strdup_printf ("node %s is too old: " NODE_REQUIREMENT
                            "; Debian bookworm's nodejs 18 is not enough", version);

  npm = g_find_program_in_path ("npm");
  if (npm == NULL && install_needed (package_dir))
    return g_strdup_printf ("npm is not installed: it is needed once to install the FHIR test "
                            "server's packages (npm ci in %s)", package_dir);

  return NULL;
}

const char *
ward_test_fhir_server_skip_reason (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, compute_skip_reason, NULL);
  return once.retval;
}

/* -- npm ci, once, under a lock ------------------------------------------ */

/* The same protocol as test-server.mjs: an O_EXCL file holding the pid, in
 * the temporary folder, named after the real path of the package folder.
 */
static char *
install_lock_path (const char *package_dir)
{
  g_autofree char *real = realpath (package_dir, NULL);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, real ? real : package_dir, -1);
  g_autofree char *name = NULL;

  sum[16] = '\0';
  name = g_strdup_printf ("wardwatch-fhir-npm-%s.lock", sum);
  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* FALSE when the lock is stale: its process is gone, or it never got a
 * pid written.
 */
static gboolean
lock_holder_alive (const char *lock_path)
{
  g_autofree char *text = NULL;
  GStatBuf lock_stat;
  long pid;

  if (!g_file_get_contents (lock_path, &text, NULL, NULL) || g_stat (lock_path, &lock_stat) != 0)
    return TRUE; /* Just removed: look again. */

  pid = strtol (text, NULL, 10);
  if (pid <= 0)
    return (gint64) time (NULL) - (gint64) lock_stat.st_mtime < 30;

  return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
}

static gboolean
acquire_install_lock (const char  *lock_path,
                      GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + LOCK_TIMEOUT_USEC;

  for (;;)
    {
      int fd = g_open (lock_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

      if (fd >= 0)
        {
          g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
          gboolean written = write (fd, pid, strlen (pid)) == (ssize_t) strlen (pid);

          close (fd);
          if (!written)
            {
              g_unlink (lock_path);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", lock_path);
              return FALSE;
            }
          return TRUE;
        }

      if (errno != EEXIST)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot create %s: %s", lock_path, g_strerror (saved));
          return FALSE;
        }

      if (!lock_holder_alive (lock_path))
        {
          g_unlink (lock_path);
          continue;
        }

      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "timed out waiting for the npm install lock %s", lock_path);
          return FALSE;
        }

      g_usleep (100 * 1000);
    }
}

static void
child_setup (gpointer user_data)
{
  pid_t parent = (pid_t) GPOINTER_TO_INT (user_data);

  /* Its own process group (stop signals the group), and death with the
   * test even when it aborts.  If the parent died before prctl(), nobody
   * will send the signal: leave at once.
   */
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (1);
}

static char *
file_tail (const char *path,
           gsize       max)
{
  g_autofree char *text = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &text, &length, NULL))
    return g_strdup ("");

  if (length > max)
    return g_strstrip (g_strdup (text + length - max));

  return g_strstrip (g_steal_pointer (&text));
}

static gboolean
run_npm_ci (const char  *package_dir,
            const char  *log_path,
            GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) npm = NULL;
  g_autofree char *npm_path = g_find_program_in_path ("npm");
  gint64 deadline;

  if (npm_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "npm is not installed: it is needed once to install the FHIR test server's "
                   "packages (npm ci in %s)", package_dir);
      return FALSE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_cwd (launcher, package_dir);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER ((int) getpid ()), NULL);
  npm = g_subprocess_launcher_spawn (launcher, error, npm_path, "ci", "--no-audit", "--no-fund", NULL);
  if (npm == NULL)
    return FALSE;

  deadline = g_get_monotonic_time () + NPM_TIMEOUT_USEC;
  while (g_subprocess_get_identifier (npm) != NULL && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);

  if (g_subprocess_get_identifier (npm) != NULL)
    {
      g_subprocess_force_exit (npm);
      g_subprocess_wait (npm, NULL, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "npm ci in %s took too long", package_dir);
      return FALSE;
    }

  g_subprocess_wait (npm, NULL, NULL);
  if (!g_subprocess_get_if_exited (npm) || g_subprocess_get_exit_status (npm) != 0)
    {
      g_autofree char *tail = file_tail (log_path, 4000);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "npm ci in %s failed: %s", package_dir, tail);
      return FALSE;
    }

  return TRUE;
}

static gboolean
ensure_packages (WardTestFhirServer  *self,
                 GError             **error)
{
  g_autofree char *lock_path = install_lock_path (self->package_dir);
  g_autofree char *log_path = g_build_filename (self->dir, "npm-ci.log", NULL);
  gboolean ok = TRUE;

  if (!acquire_install_lock (lock_path, error))
    return FALSE;

  if (install_needed (self->package_dir))
    {
      gint64 started = g_get_monotonic_time ();

      ok = run_npm_ci (self->package_dir, log_path, error);
      if (ok)
        g_test_message ("npm ci in %s: %.1f s", self->package_dir,
                        (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
    }

  g_unlink (lock_path);
  return ok;
}

/* -- the server process --------------------------------------------------- */

typedef struct
{
  char     *line;
  GError   *error;
  gboolean  done;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

/* The first line on stdout, within timeout_msec. */
static char *
read_first_line (GDataInputStream  *stream,
                 guint              timeout_msec,
                 GError           **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_msec);
  LineRead read = { NULL, NULL, FALSE };

  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, cancel_cb, cancellable, NULL);
  g_source_attach (timeout, context);

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, cancellable, line_read_cb, &read);
  while (!read.done)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  if (read.error != NULL)
    {
      if (g_error_matches (read.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&read.error);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "the FHIR server printed no port within %u ms", timeout_msec);
        }
      else
        {
          g_propagate_error (error, read.error);
        }
      return NULL;
    }

  if (read.line == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the FHIR server exited at start");

  return read.line;
}

static void
kill_process (WardTestFhirServer *self)
{
  gint64 deadline;

  if (self->process == NULL)
    return;

  if (g_subprocess_get_identifier (self->process) != NULL)
    kill (-self->pid, SIGTERM);

  /* GSubprocess reaps the child on GLib's worker thread; the identifier
   * becomes NULL then.
   */
  deadline = g_get_monotonic_time () + STOP_TIMEOUT_USEC;
  while (g_subprocess_get_identifier (self->process) != NULL && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);

  if (g_subprocess_get_identifier (self->process) != NULL)
    kill (-self->pid, SIGKILL);

  g_subprocess_wait (self->process, NULL, NULL);
  g_clear_object (&self->stdout_stream);
  g_clear_object (&self->process);
  self->pid = 0;
}

static gboolean
spawn_server (WardTestFhirServer  *self,
              guint16              port,
              GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *identifier;
  guint actual = 0;
  int log_fd;

  g_ptr_array_add (argv, g_strdup (self->node));
  g_ptr_array_add (argv, g_build_filename (self->package_dir, "server.mjs", NULL));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", port));
  /* Referential integrity unless the test asked for lax references. */
  if (!self->lax_references)
    g_ptr_array_add (argv, g_strdup ("--strict-references"));
  for (guint i = 0; self->extra_args != NULL && self->extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (self->extra_args[i]));
  g_ptr_array_add (argv, NULL);

  log_fd = g_open (self->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot open %s: %s", self->log_path, g_strerror (saved));
      return FALSE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_take_stderr_fd (launcher, log_fd);
  g_subprocess_launcher_set_cwd (launcher, self->package_dir);
  if (self->lax_references)
    g_subprocess_launcher_unsetenv (launcher, "WARD_FHIR_STRICT_REFERENCES");
  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER ((int) getpid ()), NULL);

  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (self->process == NULL)
    return FALSE;

  identifier = g_subprocess_get_identifier (self->process);
  self->pid = identifier ? (GPid) atoi (identifier) : 0;
  self->stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));

  line = read_first_line (self->stdout_stream, PORT_LINE_TIMEOUT_MSEC, &local_error);
  if (line == NULL || sscanf (line, "{\"port\":%u}", &actual) != 1 || actual == 0 || actual > G_MAXUINT16)
    {
      g_autofree char *log = NULL;

      kill_process (self);
      log = file_tail (self->log_path, 4000);
      g_set_error (error, G_IO_ERROR, local_error ? local_error->code : G_IO_ERROR_INVALID_DATA,
                   "cannot start the FHIR server on port %u: %s%s%s", port,
                   local_error ? local_error->message : "unexpected first line",
                   *log ? ": " : "", log);
      return FALSE;
    }

  self->port = (guint16) actual;
  g_free (self->root_url);
  g_free (self->base_url);
  self->root_url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  self->base_url = g_strdup_printf ("%s/fhir/R4", self->root_url);
  return TRUE;
}

WardTestFhirServer *
ward_test_fhir_server_new (const char * const  *extra_args,
                           GError             **error)
{
  g_autoptr(WardTestFhirServer) self = NULL;
  const char *reason = ward_test_fhir_server_skip_reason ();

  if (reason != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, reason);
      return NULL;
    }

  self = g_new0 (WardTestFhirServer, 1);
  {
    g_autoptr(GStrvBuilder) args = g_strv_builder_new ();

    for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
      {
        if (g_str_equal (extra_args[i], WARD_TEST_FHIR_LAX_REFERENCES))
          self->lax_references = TRUE;
        else
          g_strv_builder_add (args, extra_args[i]);
      }
    self->extra_args = g_strv_builder_end (args);
  }
  self->package_dir = find_package_dir ();
  self->node = g_find_program_in_path ("node");
  self->dir = g_dir_make_tmp ("ward-fhir-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  self->log_path = g_build_filename (self->dir, "server.log", NULL);

  if (!ensure_packages (self, error))
    return NULL;

  if (!spawn_server (self, 0, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
ward_test_fhir_server_start (WardTestFhirServer  *self,
                             GError             **error)
{
  g_autoptr(GError) same_port_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (ward_test_fhir_server_is_running (self))
    return TRUE;
  kill_process (self);

  if (self->port != 0 && spawn_server (self, self->port, &same_port_error))
    return TRUE;

  if (same_port_error != NULL)
    g_test_message ("FHIR server: port %u is taken, starting on another: %s",
                    self->port, same_port_error->message);

  return spawn_server (self, 0, error);
}

void
ward_test_fhir_server_stop (WardTestFhirServer *self)
{
  g_return_if_fail (self != NULL);

  kill_process (self);
}

gboolean
ward_test_fhir_server_is_running (WardTestFhirServer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->process != NULL && g_subprocess_get_identifier (self->process) != NULL;
}

guint16
ward_test_fhir_server_get_port (WardTestFhirServer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

const char *
ward_test_fhir_server_get_base_url (WardTestFhirServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->base_url;
}

const char *
ward_test_fhir_server_get_root_url (WardTestFhirServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->root_url;
}

char *
ward_test_fhir_server_dup_log (WardTestFhirServer *self)
{
  char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!g_file_get_contents (self->log_path, &text, NULL, NULL))
    return g_strdup ("");

  return text;
}

void
ward_test_fhir_server_free (WardTestFhirServer *self)
{
  if (self == NULL)
    return;

  kill_process (self);

  if (self->dir != NULL)
    ward_test_remove_tree (self->dir);

  g_strfreev (self->extra_args);
  g_free (self->package_dir);
  g_free (self->node);
  g_free (self->dir);
  g_free (self->log_path);
  g_free (self->root_url);
  g_free (self->base_url);
  g_free (self);
}

/* -- HTTP ------------------------------------------------------------------ */

char *
ward_test_http_header (const char *response_headers,
                       const char *name)
{
  g_auto(GStrv) lines = NULL;
  gsize name_length;

  g_return_val_if_fail (name != NULL, NULL);

  if (response_headers == NULL)
    return NULL;

  name_length = strlen (name);
  lines = g_strsplit (response_headers, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], name, name_length) == 0 && lines[i][name_length] == ':')
        return g_strstrip (g_strdup (lines[i] + name_length + 1));
    }

  return NULL;
}

static gboolean
has_header (const char * const *headers,
            const char         *name)
{
  gsize name_length = strlen (name);

  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (headers[i], name, name_length) == 0 && headers[i][name_length] == ':')
        return TRUE;
    }

  return FALSE;
}

/* Decodes a chunked body in place; FALSE when it is malformed. */
static gboolean
dechunk (GString *body)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = body->str;
  const char *end = body->str + body->len;

  while (p < end)
    {
      char *after = NULL;
      guint64 size = g_ascii_strtoull (p, &after, 16);
      const char *data;

      if (after == p)
        return FALSE;
      data = strstr (after, "\r\n");
      if (data == NULL)
        return FALSE;
      data += 2;
      if (size == 0)
        break;
      if ((guint64) (end - data) < size)
        return FALSE;
      g_string_append_len (out, data, (gssize) size);
      p = data + size + 2;
    }

  g_string_assign (body, out->str);
  return TRUE;
}

guint
ward_test_fhir_server_request (WardTestFhirServer  *self,
                               const char          *method,
                               const char          *path,
                               const char * const  *headers,
                               const char          *body,
                               char               **response_headers,
                               char               **response_body,
                               GError             **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GByteArray) response = g_byte_array_new ();
  g_autoptr(GString) response_text = NULL;
  g_autoptr(GString) content = NULL;
  g_autofree char *header_block = NULL;
  g_autofree char *transfer_encoding = NULL;
  GInputStream *input;
  GOutputStream *output;
  const char *header_end;
  guint status = 0;
  guint8 buffer[16384];

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (method != NULL, 0);
  g_return_val_if_fail (path != NULL && path[0] == '/', 0);

  if (response_headers != NULL)
    *response_headers = NULL;
  if (response_body != NULL)
    *response_body = NULL;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, HTTP_TIMEOUT_SEC);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", self->port, NULL, error);
  if (connection == NULL)
    return 0;

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n",
                          method, path, self->port);
  if (!has_header (headers, "Accept"))
    g_string_append (request, "Accept: application/fhir+json\r\n");
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    g_string_append_printf (request, "%s\r\n", headers[i]);
  if (body != NULL)
    {
      if (!has_header (headers, "Content-Type"))
        g_string_append (request, "Content-Type: application/fhir+json\r\n");
      g_string_append_printf (request, "Content-Length: %zu\r\n", strlen (body));
    }
  g_string_append (request, "\r\n");
  if (body != NULL)
    g_string_append (request, body);

  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  if (!g_output_stream_write_all (output, request->str, request->len, NULL, NULL, error))
    return 0;

  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  for (;;)
    {
      gssize n = g_input_stream_read (input, buffer, sizeof buffer, NULL, error);

      if (n < 0)
        return 0;
      if (n == 0)
        break;
      g_byte_array_append (response, buffer, (guint) n);
      if (response->len > HTTP_MAX_RESPONSE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "%s %s: response too large",
                       method, path);
          return 0;
        }
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  response_text = g_string_new_len ((const char *) response->data, response->len);
  header_end = strstr (response_text->str, "\r\n\r\n");
  if (header_end == NULL || sscanf (response_text->str, "HTTP/1.%*1u %u", &status) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: %s", method, path,
                   response->len ? "not an HTTP response" : "connection closed without an answer");
      return 0;
    }

  header_block = g_strndup (response_text->str, (gsize) (header_end - response_text->str) + 2);
  content = g_string_new (header_end + 4);
  transfer_encoding = ward_test_http_header (header_block, "Transfer-Encoding");
  if (transfer_encoding != NULL && g_ascii_strcasecmp (transfer_encoding, "chunked") == 0 && !dechunk (content))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: bad chunked body", method, path);
      return 0;
    }

  if (response_headers != NULL)
    *response_headers = g_steal_pointer (&header_block);
  if (response_body != NULL)
    *response_body = g_string_free (g_steal_pointer (&content), FALSE);

  return status;
}

static gboolean
control (WardTestFhirServer  *self,
         const char          *method,
         const char          *path,
         const char          *body,
         char               **response_body,
         GError             **error)
{
  static const char * const json_headers[] = { "Content-Type: application/json", NULL };
  g_autofree char *answer = NULL;
  guint status;

  status = ward_test_fhir_server_request (self, method, path, json_headers, body, NULL, &answer, error);
  if (status == 0)
    return FALSE;

  if (status != 200)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: HTTP %u: %s", method, path, status,
                   answer ? answer : "");
      return FALSE;
    }

  if (response_body != NULL)
    *response_body = g_steal_pointer (&answer);
  return TRUE;
}

gboolean
ward_test_fhir_server_reset (WardTestFhirServer  *self,
                             GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return control (self, "POST", "/$reset", "", NULL, error);
}

gboolean
ward_test_fhir_server_fault (WardTestFhirServer  *self,
                             guint                status,
                             guint                count,
                             gint                 retry_after_s,
                             guint                delay_ms,
                             gboolean             garbage,
                             GError             **error)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, FALSE);

  g_string_append_printf (json, "{\"count\":%u", count);
  if (status != 0)
    g_string_append_printf (json, ",\"status\":%u", status);
  if (retry_after_s >= 0)
    g_string_append_printf (json, ",\"retryAfter\":%d", retry_after_s);
  if (delay_ms != 0)
    g_string_append_printf (json, ",\"delayMs\":%u", delay_ms);
  if (garbage)
    g_string_append (json, ",\"garbage\":true");
  g_string_append_c (json, '}');

  return ward_test_fhir_server_fault_json (self, json->str, error);
}

gboolean
ward_test_fhir_server_fault_json (WardTestFhirServer  *self,
                                  const char          *json,
                                  GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  return control (self, "POST", "/$fault", json, NULL, error);
}

char *
ward_test_fhir_server_dup_stats (WardTestFhirServer  *self,
                                 GError             **error)
{
  char *stats = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!control (self, "GET", "/$stats", NULL, &stats, error))
    return NULL;

  return stats;
}

gboolean
ward_test_fhir_server_revoke_tokens (WardTestFhirServer  *self,
                                     GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return control (self, "POST", "/$revoke-tokens", "", NULL, error);
}
