/* ward-staff-directory.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-staff"

#include "config.h"

#include "ward-staff-directory.h"

#include "ward-fhir-auth-config.h"
#include "ward-fhir-staff.h"
#include "ward-secret.h"
#include "ward-staff-fhir.h"
#include "ward-store.h"
#include "ward-store-staff-fhir.h"

struct _WardStaffDirectory
{
  GObject        parent_instance;

  /* Owned */
  WardStaff     *policy;
  WardStaff     *merged;
  char          *db_path;
  char          *base_url;
  char          *bearer_token;
  WardFhirAuth  *auth;          /* or NULL: bearer_token */
  char          *last_error;
  GCancellable  *cancellable;

  guint          interval;
  guint          timer;
  guint          n_reads;
  gboolean       reading;
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WardStaffDirectory, ward_staff_directory, G_TYPE_OBJECT)

/* What the worker hands back. */
typedef struct
{
  /* In */
  WardStaff  *policy;
  char       *db_path;
  char       *base_url;
  char       *bearer_token;
  gboolean    retried;      /* read again after a 401, with a new token */

  /* Out */
  WardStaff  *merged;
} Read;

static void
read_free (Read *read)
{
  g_clear_object (&read->policy);
  g_clear_object (&read->merged);
  g_free (read->db_path);
  g_free (read->base_url);
  g_free (read->bearer_token);
  g_free (read);
}

static void
log_notes (GPtrArray *notes)
{
  for (guint i = 0; i < notes->len; i++)
    g_message ("Staff: %s", (const char *) g_ptr_array_index (notes, i));
}

/* The worker: read the server, cache the read, merge, save the roster. */
static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Read *read = task_data;
  const WardStaffFhirConfig *config = ward_staff_get_fhir_config (read->policy);
  g_autoptr(GPtrArray) issues = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(WardStaff) fhir = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autofree char *care_teams = NULL;
  GError *error = NULL;
  gint64 now = g_get_real_time ();

  fhir = ward_fhir_staff_fetch (read->base_url, read->bearer_token, config, now, cancellable,
                                issues, &care_teams, &error);
  if (fhir == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < issues->len; i++)
    g_message ("Staff from the FHIR server: %s", (const char *) g_ptr_array_index (issues, i));

  read->merged = ward_staff_fhir_merge (read->policy, fhir, notes);
  log_notes (notes);

  if (!(store = ward_store_open (read->db_path, &error)) ||
      !ward_store_save_fhir_staff (store, fhir, care_teams, issues, now, &error) ||
      !ward_store_save_staff_roster (store, read->merged, now, &error))
    {
      g_prefix_error (&error, "The staff read from the server cannot be kept: ");
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
apply (WardStaffDirectory *self,
       WardStaff          *merged)
{
  g_set_object (&self->merged, merged);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void start_read (WardStaffDirectory *self,
                        GTask              *outer);

/* The read failed (or its token could not be had): the list stays. */
static void
read_failed (WardStaffDirectory *self,
             GTask              *outer,
             GError             *error)
{
  self->reading = FALSE;
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_message ("Staff from the FHIR server not read; keeping the list there is: %s",
                 error->message);
      g_free (self->last_error);
      self->last_error = g_strdup (error->message);
    }
  g_task_return_error (outer, error);
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WardStaffDirectory *self = WARD_STAFF_DIRECTORY (source);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  Read *read = g_task_get_task_data (outer);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* A SMART token the server no longer takes (it restarted, or the
       * token was revoked): a new one, and one more try.
       */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) && !read->retried &&
          self->auth != NULL && ward_fhir_auth_get_mode (self->auth) == WARD_FHIR_AUTH_SMART)
        {
          read->retried = TRUE;
          ward_fhir_auth_invalidate (self->auth);
          start_read (self, g_steal_pointer (&outer));
          return;
        }
      read_failed (self, outer, g_steal_pointer (&error));
      return;
    }

  self->reading = FALSE;
  g_clear_pointer (&self->last_error, g_free);
  self->n_reads++;
  apply (self, read->merged);
  g_task_return_boolean (outer, TRUE);
}

/* The worker reads with read's token (outer: owned). */
static void
run_read (WardStaffDirectory *self,
          GTask              *outer)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, read_done_cb, outer);

  g_task_set_source_tag (task, read_thread);
  g_task_set_task_data (task, g_task_get_task_data (outer), NULL);
  g_task_run_in_thread (task, read_thread);
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  WardStaffDirectory *self = g_task_get_source_object (outer);
  Read *read = g_task_get_task_data (outer);
  GError *error = NULL;
  char *token = ward_fhir_auth_get_token_finish (WARD_FHIR_AUTH (source), result, &error);

  if (error != NULL)
    {
      g_prefix_error (&error, "No token for the FHIR server: ");
      read_failed (self, outer, error);
      return;
    }

  g_free (read->bearer_token);
  read->bearer_token = token;
  run_read (self, g_steal_pointer (&outer));
}

/* The token first, on this thread (where the SMART token is cached),
 * then the read on a worker (outer: owned).
 */
static void
start_read (WardStaffDirectory *self,
            GTask              *outer)
{
  if (self->auth != NULL && ward_fhir_auth_get_mode (self->auth) != WARD_FHIR_AUTH_NONE)
    {
      ward_fhir_auth_get_token_async (self->auth, self->cancellable, token_cb, outer);
      return;
    }

  run_read (self, outer);
}

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  WardStaffDirectory *self = user_data;

  if (!self->reading)
    ward_staff_directory_refresh_async (self, NULL, NULL, NULL);

  return G_SOURCE_CONTINUE;
}

static void
ward_staff_directory_dispose (GObject *object)
{
  WardStaffDirectory *self = WARD_STAFF_DIRECTORY (object);

  ward_staff_directory_stop (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->policy);
  g_clear_object (&self->merged);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (ward_staff_directory_parent_class)->dispose (object);
}

static void
ward_staff_directory_finalize (GObject *object)
{
  WardStaffDirectory *self = WARD_STAFF_DIRECTORY (object);

  g_free (self->db_path);
  g_free (self->base_url);
  g_free (self->bearer_token);
  g_free (self->last_error);

  G_OBJECT_CLASS (ward_staff_directory_parent_class)->finalize (object);
}

static void
ward_staff_directory_class_init (WardStaffDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_staff_directory_dispose;
  object_class->finalize = ward_staff_directory_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ward_staff_directory_init (WardStaffDirectory *self)
{
  self->cancellable = g_cancellable_new ();
}

WardStaffDirectory *
ward_staff_directory_new (WardStaff  *policy,
                          const char *db_path,
                          const char *base_url,
                          const char *bearer_token)
{
  WardStaffDirectory *self;
  const WardStaffFhirConfig *config;

  g_return_val_if_fail (WARD_IS_STAFF (policy), NULL);
  g_return_val_if_fail (ward_staff_get_fhir_config (policy) != NULL, NULL);
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (base_url != NULL, NULL);

  config = ward_staff_get_fhir_config (policy);
  self = g_object_new (WARD_TYPE_STAFF_DIRECTORY, NULL);
  self->policy = g_object_ref (policy);
  self->merged = g_object_ref (policy);
  self->db_path = g_strdup (db_path);
  self->base_url = g_strdup (base_url);
  self->bearer_token = g_strdup (bearer_token);
  self->interval = config->refresh_seconds;

  return self;
}

void
ward_staff_directory_set_interval (WardStaffDirectory *self,
                                   guint               seconds)
{
  g_return_if_fail (WARD_IS_STAFF_DIRECTORY (self));

  self->interval = seconds;
  if (self->timer != 0)
    {
      g_clear_handle_id (&self->timer, g_source_remove);
      if (seconds > 0)
        self->timer = g_timeout_add_seconds (seconds, refresh_timeout_cb, self);
    }
}

gboolean
ward_staff_directory_start (WardStaffDirectory  *self,
                            GError             **error)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardStaff) cached = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(WardStaff) merged = NULL;
  gint64 read_at = 0;

  g_return_val_if_fail (WARD_IS_STAFF_DIRECTORY (self), FALSE);

  /* The cache first: the list is right from the start, server or not. */
  store = ward_store_open (self->db_path, error);
  if (store == NULL)
    return FALSE;

  cached = ward_store_load_fhir_staff (store, &read_at, error);
  if (cached == NULL && error != NULL && *error != NULL)
    return FALSE;

  merged = ward_staff_fhir_merge (self->policy, cached, notes);
  if (cached != NULL)
    g_debug ("Staff: %u members from the FHIR server's list of %" G_GINT64_FORMAT,
             ward_staff_get_n_members (cached), read_at);
  if (!ward_store_save_staff_roster (store, merged, g_get_real_time (), error))
    return FALSE;
  g_clear_object (&store);
  apply (self, merged);

  ward_staff_directory_refresh_async (self, NULL, NULL, NULL);
  if (self->interval > 0 && self->timer == 0)
    self->timer = g_timeout_add_seconds (self->interval, refresh_timeout_cb, self);

  return TRUE;
}

void
ward_staff_directory_stop (WardStaffDirectory *self)
{
  g_return_if_fail (WARD_IS_STAFF_DIRECTORY (self));

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

WardStaff *
ward_staff_directory_get_staff (WardStaffDirectory *self)
{
  g_return_val_if_fail (WARD_IS_STAFF_DIRECTORY (self), NULL);

  return self->merged;
}

void
ward_staff_directory_refresh_async (WardStaffDirectory  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *outer;
  Read *read;

  g_return_if_fail (WARD_IS_STAFF_DIRECTORY (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, ward_staff_directory_refresh_async);

  read = g_new0 (Read, 1);
  read->policy = g_object_ref (self->policy);
  read->db_path = g_strdup (self->db_path);
  read->base_url = g_strdup (self->base_url);
  read->bearer_token = g_strdup (self->bearer_token);
  g_task_set_task_data (outer, read, (GDestroyNotify) read_free);

  self->reading = TRUE;
  start_read (self, outer);
}

void
ward_staff_directory_set_auth (WardStaffDirectory *self,
                               WardFhirAuth       *auth)
{
  g_return_if_fail (WARD_IS_STAFF_DIRECTORY (self));
  g_return_if_fail (auth == NULL || WARD_IS_FHIR_AUTH (auth));

  g_set_object (&self->auth, auth);
}

gboolean
ward_staff_directory_refresh_finish (WardStaffDirectory  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (WARD_IS_STAFF_DIRECTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
ward_staff_directory_get_last_error (WardStaffDirectory *self)
{
  g_return_val_if_fail (WARD_IS_STAFF_DIRECTORY (self), NULL);

  return self->last_error;
}

guint
ward_staff_directory_get_n_reads (WardStaffDirectory *self)
{
  g_return_val_if_fail (WARD_IS_STAFF_DIRECTORY (self), 0);

  return self->n_reads;
}

static void
session_staff_changed_cb (WardStaffDirectory *self,
                          WardSession        *session)
{
  ward_session_set_staff (session, self->merged);
}

WardStaffDirectory *
ward_staff_directory_new_for_session (WardSession               *session,
                                      const WardPipelineConfig  *config,
                                      GError                   **error)
{
  g_autoptr(WardStaffDirectory) self = NULL;
  g_autoptr(WardFhirAuth) auth = NULL;
  WardStaff *policy;

  g_return_val_if_fail (WARD_IS_SESSION (session), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  policy = ward_session_get_staff (session);
  if (ward_staff_get_fhir_config (policy) == NULL)
    return NULL;

  if (config->fhir_url == NULL || config->db_path == NULL)
    {
      g_message ("The staff file names a CareTeam, but there is no %s: staff from the file only",
                 config->fhir_url == NULL ? "FHIR server (--fhir-url)" : "database");
      return NULL;
    }

  /* The sync's authentication: a bearer token, or SMART Backend
   * Services with the client's key (a token of its own, on this thread).
   */
  if (!(auth = ward_fhir_auth_new_for_config (config, NULL, error)))
    return NULL;

  self = ward_staff_directory_new (policy, config->db_path, config->fhir_url, NULL);
  ward_staff_directory_set_auth (self, auth);
  g_signal_connect_object (self, "changed", G_CALLBACK (session_staff_changed_cb), session,
                           G_CONNECT_DEFAULT);
  if (!ward_staff_directory_start (self, error))
    return NULL;

  return g_steal_pointer (&self);
}
