/* ward-identity.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-identity"

#include "config.h"

#include "ward-identity.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <string.h>

#define REQUEST_TIMEOUT_SEC 10

typedef enum
{
  STEP_FIND_DEVICE,
  STEP_CREATE_PATIENT,
  STEP_CREATE_DEVICE,
  STEP_UPDATE_DEVICE,
  STEP_READ_PATIENT,
} Step;

typedef struct
{
  char               *device_id;
  char               *patient_hint;
  WardIdentityAnswer *answer;       /* the last answer, or NULL */
  gint64              asked_at;     /* caller's clock, when the running request was asked */
  gint64              expires_at;   /* caller's clock */
  guint64             generation;
  gboolean            in_flight;    /* a request is scheduled or running */
  gboolean            fresh;        /* answered; its lifetime starts when first read */
  gboolean            failing;      /* the last attempt failed on the network */
  guint               attempts;
  GSource            *retry_source; /* on the resolver's context */
} Entry;

typedef struct
{
  WardIdentity *self;
  char         *device_id;
  char         *patient_hint;
  guint64       generation;
  Step          step;
  JsonNode     *device;         /* the Device found (create mode, no patient) */
  char         *device_resource_id; /* its FHIR id, once found or made */
  char         *patient_id;
  SoupMessage  *msg;
  GBytes       *body;
  char         *method;
  char         *url;
  char         *if_none_exist;
} Job;

struct _WardIdentity
{
  GObject             parent_instance;

  WardIdentityMode    mode;
  char               *base_url;
  gint64              lifetime_usec;
  guint               max_entries;
  guint               retry_min_msec;
  guint               retry_max_msec;
  GCallback           notify;
  gpointer            notify_data;

  /* owned */
  WardFhirAuth       *auth;
  GMainContext       *context;
  SoupSession        *session;
  GCancellable       *cancellable;
  GHashTable         *entries;      /* device id -> Entry */
  GHashTable         *identifiers;  /* patient id -> JsonNode, an identifier array (create) */
  guint64             next_generation;
  guint               n_requests;
  gboolean            stopped;
};

G_DEFINE_FINAL_TYPE (WardIdentity, ward_identity, G_TYPE_OBJECT)

static void start_job (WardIdentity *self,
                       Entry        *entry);
static void send_job  (Job          *job);

WardIdentityAnswer *
ward_identity_answer_ref (WardIdentityAnswer *answer)
{
  g_return_val_if_fail (answer != NULL, NULL);

  g_atomic_int_inc (&answer->ref_count);
  return answer;
}

void
ward_identity_answer_unref (WardIdentityAnswer *answer)
{
  if (answer == NULL || !g_atomic_int_dec_and_test (&answer->ref_count))
    return;

  g_free (answer->patient_id);
  g_free (answer->device_resource_id);
  g_strfreev (answer->patient_keys);
  g_free (answer->birth_date);
  g_free (answer->reason);
  g_free (answer);
}

static WardIdentityAnswer *
answer_new (WardIdentityState state)
{
  WardIdentityAnswer *answer = g_new0 (WardIdentityAnswer, 1);

  answer->ref_count = 1;
  answer->state = state;
  return answer;
}

gboolean
ward_identity_mode_from_string (const char       *text,
                                WardIdentityMode *mode)
{
  g_return_val_if_fail (mode != NULL, FALSE);

  if (g_strcmp0 (text, "local") == 0)
    *mode = WARD_IDENTITY_MODE_LOCAL;
  else if (g_strcmp0 (text, "lookup") == 0)
    *mode = WARD_IDENTITY_MODE_LOOKUP;
  else if (g_strcmp0 (text, "create") == 0)
    *mode = WARD_IDENTITY_MODE_CREATE;
  else
    return FALSE;

  return TRUE;
}

const char *
ward_identity_mode_to_string (WardIdentityMode mode)
{
  switch (mode)
    {
    case WARD_IDENTITY_MODE_LOCAL:
      return "local";
    case WARD_IDENTITY_MODE_LOOKUP:
      return "lookup";
    case WARD_IDENTITY_MODE_CREATE:
      return "create";
    default:
      return NULL;
    }
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  if (entry->retry_source != NULL)
    g_source_destroy (entry->retry_source);
  g_clear_pointer (&entry->retry_source, g_source_unref);
  g_free (entry->device_id);
  g_free (entry->patient_hint);
  g_clear_pointer (&entry->answer, ward_identity_answer_unref);
  g_free (entry);
}

static void
job_free (Job *job)
{
  g_clear_object (&job->self);
  g_free (job->device_id);
  g_free (job->patient_hint);
  g_clear_pointer (&job->device, json_node_unref);
  g_free (job->device_resource_id);
  g_free (job->patient_id);
  g_clear_object (&job->msg);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_free (job->method);
  g_free (job->url);
  g_free (job->if_none_exist);
  g_free (job);
}

/* The entry a job was started for, unless it was forgotten or evicted
 * (or asked again) meanwhile.
 */
static Entry *
job_entry (Job *job)
{
  Entry *entry = g_hash_table_lookup (job->self->entries, job->device_id);

  if (entry == NULL || entry->generation != job->generation)
    return NULL;

  return entry;
}

static void
notify_caller (WardIdentity *self)
{
  if (self->notify != NULL)
    ((void (*) (gpointer)) self->notify) (self->notify_data);
}

/* The job ends here (freed) with a definite answer. */
static void
finish_job (Job                *job,
            WardIdentityAnswer *answer)
{
  Entry *entry = job_entry (job);

  if (entry == NULL)
    {
      ward_identity_answer_unref (answer);
      job_free (job);
      return;
    }

  g_clear_pointer (&entry->answer, ward_identity_answer_unref);
  entry->answer = answer;
  entry->fresh = TRUE;
  entry->in_flight = FALSE;
  entry->failing = FALSE;
  entry->attempts = 0;
  notify_caller (job->self);
  job_free (job);
}

static void
fail_job (Job        *job,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

/* A definite answer: the device cannot be resolved. */
static void
fail_job (Job        *job,
          const char *format,
          ...)
{
  WardIdentityAnswer *answer = answer_new (WARD_IDENTITY_FAILED);
  va_list args;

  va_start (args, format);
  answer->reason = g_strdup_vprintf (format, args);
  va_end (args);

  finish_job (job, answer);
}

typedef struct
{
  WardIdentity *self;
  char         *device_id;
} Retry;

static void
retry_free (gpointer data)
{
  Retry *retry = data;

  g_object_unref (retry->self);
  g_free (retry->device_id);
  g_free (retry);
}

static gboolean
retry_cb (gpointer data)
{
  Retry *retry = data;
  Entry *entry = g_hash_table_lookup (retry->self->entries, retry->device_id);

  if (entry != NULL)
    {
      g_clear_pointer (&entry->retry_source, g_source_unref);
      start_job (retry->self, entry);
    }

  return G_SOURCE_REMOVE;
}

/* The server could not answer (network, 5xx, 429, 401, 408): the
 * device's messages wait, and the request is tried again later.
 */
static void
retry_job (Job        *job,
           const char *why)
{
  WardIdentity *self = job->self;
  Entry *entry = job_entry (job);
  guint64 delay;
  Retry *retry;

  if (entry == NULL || self->stopped)
    {
      job_free (job);
      return;
    }

  g_debug ("Identity of device %s not resolved yet: %s", job->device_id, why);
  entry->failing = TRUE;
  entry->in_flight = FALSE;
  delay = (guint64) self->retry_min_msec << MIN (entry->attempts, 16);
  delay = MIN (delay, self->retry_max_msec);
  entry->attempts++;

  retry = g_new0 (Retry, 1);
  retry->self = g_object_ref (self);
  retry->device_id = g_strdup (job->device_id);
  entry->retry_source = g_timeout_source_new ((guint) delay);
  g_source_set_callback (entry->retry_source, retry_cb, retry, retry_free);
  g_source_set_static_name (entry->retry_source, "[ward-identity-retry]");
  g_source_attach (entry->retry_source, self->context);
  /* A stale answer is in use meanwhile; the caller may want to know. */
  notify_caller (self);
  job_free (job);
}

static gboolean
is_transient (guint status)
{
  return status == 0 || status == SOUP_STATUS_UNAUTHORIZED ||
         status == SOUP_STATUS_REQUEST_TIMEOUT || status == 429 || status >= 500;
}

/* "Patient/123", "https://x/fhir/Patient/123/_history/2" -> "123". */
static char *
patient_id_from_reference (const char *reference)
{
  const char *p;
  const char *end;

  if (reference == NULL || (p = g_strrstr (reference, "Patient/")) == NULL)
    return NULL;
  p += strlen ("Patient/");
  end = strchr (p, '/');
  if (end == NULL)
    end = p + strlen (p);
  if (end == p)
    return NULL;

  return g_strndup (p, end - p);
}

static char *
reference_of (JsonObject *resource,
              const char *member)
{
  JsonObject *ref;

  if (!json_object_has_member (resource, member) ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (resource, member)))
    return NULL;
  ref = json_object_get_object_member (resource, member);

  return patient_id_from_reference (json_object_get_string_member_with_default (ref, "reference",
                                                                                NULL));
}

static void
resolve_with_patient (Job        *job,
                      JsonObject *patient)
{
  WardIdentityAnswer *answer = answer_new (WARD_IDENTITY_RESOLVED);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  const char *id = json_object_get_string_member_with_default (patient, "id", job->patient_id);

  answer->patient_id = g_strdup (id);
  answer->device_resource_id = g_strdup (job->device_resource_id);
  g_ptr_array_add (keys, g_strdup (id));
  if (json_object_has_member (patient, "identifier") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (patient, "identifier")))
    {
      JsonArray *identifiers = json_object_get_array_member (patient, "identifier");

      for (guint i = 0; i < json_array_get_length (identifiers); i++)
        {
          JsonNode *node = json_array_get_element (identifiers, i);
          const char *value;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          value = json_object_get_string_member_with_default (json_node_get_object (node), "value",
                                                              NULL);
          if (value != NULL)
            g_ptr_array_add (keys, g_strdup (value));
        }
    }
  g_ptr_array_add (keys, NULL);
  answer->patient_keys = (char **) g_ptr_array_free (g_steal_pointer (&keys), FALSE);
  answer->birth_date = g_strdup (json_object_get_string_member_with_default (patient, "birthDate",
                                                                            NULL));

  finish_job (job, answer);
}

static char *
search_url (WardIdentity *self,
            const char   *type,
            const char   *identifier)
{
  g_autofree char *escaped = g_uri_escape_string (identifier, NULL, FALSE);

  return g_strdup_printf ("%s/%s?identifier=%s", self->base_url, type, escaped);
}

static void
next_request (Job        *job,
              Step        step,
              const char *method,
              char       *url,
              JsonNode   *body,
              const char *if_none_exist_identifier)
{
  job->step = step;
  g_free (job->method);
  job->method = g_strdup (method);
  g_free (job->url);
  job->url = url;
  g_clear_pointer (&job->body, g_bytes_unref);
  if (body != NULL)
    {
      g_autofree char *json = json_to_string (body, FALSE);
      gsize len = strlen (json);

      job->body = g_bytes_new_take (g_steal_pointer (&json), len);
    }
  g_clear_pointer (&job->if_none_exist, g_free);
  if (if_none_exist_identifier != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (if_none_exist_identifier, NULL, FALSE);

      job->if_none_exist = g_strconcat ("identifier=", escaped, NULL);
    }

  send_job (job);
}

/* The Patient made carries the message's patient id (what the
 * conditional create and later lookups match on) and the identifiers the
 * ward knows for that patient (an NHS number, a hospital number), so the
 * record on the server can be told apart by two identifiers too.
 */
static void
create_patient (Job *job)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  JsonNode *known = g_hash_table_lookup (job->self->identifiers, job->patient_hint);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceType");
  json_builder_add_string_value (b, "Patient");
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, job->patient_hint);
  json_builder_end_object (b);
  for (guint i = 0; known != NULL && i < json_array_get_length (json_node_get_array (known)); i++)
    json_builder_add_value (b, json_node_copy (json_array_get_element (json_node_get_array (known),
                                                                       i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);

  next_request (job, STEP_CREATE_PATIENT, SOUP_METHOD_POST,
                g_strdup_printf ("%s/Patient", job->self->base_url), body, job->patient_hint);
}

static void
set_patient_reference (JsonObject *device,
                       const char *patient_id)
{
  JsonObject *ref = json_object_new ();

  json_object_set_string_member (ref, "reference", patient_id);
  json_object_set_object_member (device, "patient", ref);
}

static void
patient_created (Job        *job,
                 JsonObject *patient)
{
  g_autofree char *reference = NULL;
  const char *id = json_object_get_string_member_with_default (patient, "id", NULL);

  if (id == NULL)
    {
      retry_job (job, "the created Patient has no id");
      return;
    }
  g_free (job->patient_id);
  job->patient_id = g_strdup (id);
  reference = g_strconcat ("Patient/", id, NULL);

  if (job->device != NULL)
    {
      /* A Device without a patient: it gets the message's. */
      JsonObject *device = json_node_get_object (job->device);
      const char *device_fhir_id = json_object_get_string_member_with_default (device, "id", "");
      g_autofree char *escaped = g_uri_escape_string (device_fhir_id, NULL, FALSE);

      set_patient_reference (device, reference);
      next_request (job, STEP_UPDATE_DEVICE, SOUP_METHOD_PUT,
                    g_strdup_printf ("%s/Device/%s", job->self->base_url, escaped),
                    job->device, NULL);
    }
  else
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) body = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "resourceType");
      json_builder_add_string_value (b, "Device");
      json_builder_set_member_name (b, "identifier");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, job->device_id);
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "patient");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "reference");
      json_builder_add_string_value (b, reference);
      json_builder_end_object (b);
      json_builder_end_object (b);
      body = json_builder_get_root (b);

      next_request (job, STEP_CREATE_DEVICE, SOUP_METHOD_POST,
                    g_strdup_printf ("%s/Device", job->self->base_url), body, job->device_id);
    }
}

static void
read_patient (Job        *job,
              const char *patient_id)
{
  g_autofree char *escaped = g_uri_escape_string (patient_id, NULL, FALSE);

  g_free (job->patient_id);
  job->patient_id = g_strdup (patient_id);
  next_request (job, STEP_READ_PATIENT, SOUP_METHOD_GET,
                g_strdup_printf ("%s/Patient/%s", job->self->base_url, escaped), NULL, NULL);
}

static void
devices_found (Job        *job,
               JsonObject *bundle)
{
  JsonArray *entries = NULL;
  JsonObject *device = NULL;
  guint n_devices = 0;
  g_autofree char *patient_id = NULL;

  if (json_object_has_member (bundle, "entry") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (bundle, "entry")))
    entries = json_object_get_array_member (bundle, "entry");

  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
    {
      JsonNode *node = json_array_get_element (entries, i);
      JsonObject *resource;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !json_object_has_member (json_node_get_object (node), "resource"))
        continue;
      resource = json_object_get_object_member (json_node_get_object (node), "resource");
      if (resource == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (resource, "resourceType", NULL),
                     "Device") != 0)
        continue;
      device = resource;
      n_devices++;
    }

  if (n_devices > 1)
    {
      fail_job (job, "%u Devices on the FHIR server have the identifier %s", n_devices,
                job->device_id);
      return;
    }

  g_clear_pointer (&job->device_resource_id, g_free);
  if (device != NULL)
    job->device_resource_id = g_strdup (json_object_get_string_member_with_default (device, "id",
                                                                                   NULL));

  if (device != NULL && (patient_id = reference_of (device, "patient")) != NULL)
    {
      read_patient (job, patient_id);
      return;
    }

  if (job->self->mode != WARD_IDENTITY_MODE_CREATE)
    {
      if (device == NULL)
        fail_job (job, "no Device with identifier %s on the FHIR server", job->device_id);
      else
        fail_job (job, "Device %s has no patient on the FHIR server", job->device_id);
      return;
    }

  if (job->patient_hint == NULL)
    {
      fail_job (job, "device %s is not on the FHIR server and the message names no patient "
                "to create", job->device_id);
      return;
    }

  if (device != NULL)
    job->device = json_node_init_object (json_node_alloc (), device);
  create_patient (job);
}

static void
response_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *resource = NULL;
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        job_free (job);
      else
        retry_job (job, error->message);
      return;
    }

  status = soup_message_get_status (job->msg);
  parser = json_parser_new ();
  if (g_bytes_get_size (bytes) > 0 &&
      json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                  NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    resource = json_node_get_object (json_parser_get_root (parser));

  if (status == SOUP_STATUS_UNAUTHORIZED && job->self->auth != NULL)
    ward_fhir_auth_invalidate (job->self->auth);

  if (is_transient (status))
    {
      g_autofree char *why = g_strdup_printf ("%s %s: HTTP %u", job->method, job->url, status);

      retry_job (job, why);
      return;
    }

  if (job->step == STEP_READ_PATIENT &&
      (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE))
    {
      fail_job (job, "device %s belongs to Patient/%s, which is not on the FHIR server",
                job->device_id, job->patient_id);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status) || resource == NULL)
    {
      fail_job (job, "the FHIR server refused %s %s for device %s: HTTP %u", job->method,
                job->step == STEP_FIND_DEVICE ? "the Device search" : "a request", job->device_id,
                status);
      return;
    }

  switch (job->step)
    {
    case STEP_FIND_DEVICE:
      devices_found (job, resource);
      break;
    case STEP_CREATE_PATIENT:
      patient_created (job, resource);
      break;
    case STEP_CREATE_DEVICE:
    case STEP_UPDATE_DEVICE:
      {
        /* A Device created meanwhile by someone else wins: its patient. */
        g_autofree char *patient_id = reference_of (resource, "patient");
        const char *device_resource_id = json_object_get_string_member_with_default (resource, "id",
                                                                                     NULL);

        if (device_resource_id != NULL)
          {
            g_free (job->device_resource_id);
            job->device_resource_id = g_strdup (device_resource_id);
          }

        read_patient (job, patient_id != NULL ? patient_id : job->patient_id);
      }
      break;
    case STEP_READ_PATIENT:
      resolve_with_patient (job, resource);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
send_with_token (Job        *job,
                 const char *token)
{
  WardIdentity *self = job->self;
  SoupMessageHeaders *headers;

  g_clear_object (&job->msg);
  job->msg = soup_message_new (job->method, job->url);
  if (job->msg == NULL)
    {
      fail_job (job, "the FHIR server URL %s is not valid", self->base_url);
      return;
    }
  headers = soup_message_get_request_headers (job->msg);
  soup_message_headers_replace (headers, "Accept", "application/fhir+json");
  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (job->if_none_exist != NULL)
    soup_message_headers_replace (headers, "If-None-Exist", job->if_none_exist);
  if (job->body != NULL)
    soup_message_set_request_body_from_bytes (job->msg, "application/fhir+json", job->body);

  self->n_requests++;
  soup_session_send_and_read_async (self->session, job->msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, response_cb, job);
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = ward_fhir_auth_get_token_finish (WARD_FHIR_AUTH (source), result, &error);
  if (token == NULL && error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        job_free (job);
      else
        retry_job (job, error->message);
      return;
    }

  send_with_token (job, token);
}

/* Sends the job's current request; the job moves to the callback. */
static void
send_job (Job *job)
{
  if (job->self->auth != NULL)
    ward_fhir_auth_get_token_async (job->self->auth, job->self->cancellable, token_cb, job);
  else
    send_with_token (job, NULL);
}

static gboolean
start_cb (gpointer data)
{
  Job *job = data;
  Entry *entry = job_entry (job);

  if (entry == NULL || job->self->stopped)
    {
      job_free (job);
      return G_SOURCE_REMOVE;
    }

  /* Made here, on the thread that runs the context, the only one that
   * uses it.
   */
  if (job->self->session == NULL)
    {
      job->self->session = soup_session_new ();
      soup_session_set_timeout (job->self->session, REQUEST_TIMEOUT_SEC);
      soup_session_set_user_agent (job->self->session, "Wardwatch/" PACKAGE_VERSION " ");
    }

  next_request (job, STEP_FIND_DEVICE, SOUP_METHOD_GET,
                search_url (job->self, "Device", job->device_id), NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* Schedules the requests for an entry on the resolver's context, so the
 * caller never waits and the session is only used there.
 */
static void
start_job (WardIdentity *self,
           Entry        *entry)
{
  Job *job;
  GSource *source;

  if (self->stopped || entry->in_flight)
    return;

  entry->in_flight = TRUE;
  entry->generation = ++self->next_generation;

  job = g_new0 (Job, 1);
  job->self = g_object_ref (self);
  job->device_id = g_strdup (entry->device_id);
  job->patient_hint = g_strdup (entry->patient_hint);
  job->generation = entry->generation;

  source = g_idle_source_new ();
  g_source_set_callback (source, start_cb, job, NULL);
  g_source_set_static_name (source, "[ward-identity-start]");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* Keeps the cache within max_entries: the entries closest to expiry go
 * first; entries with a request in flight or a retry to come stay (their
 * answer is what held messages wait for).
 */
static void
evict (WardIdentity *self)
{
  while (g_hash_table_size (self->entries) >= self->max_entries)
    {
      GHashTableIter iter;
      Entry *entry;
      Entry *oldest = NULL;

      g_hash_table_iter_init (&iter, self->entries);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
        if (!entry->in_flight && entry->retry_source == NULL &&
            (oldest == NULL || entry->expires_at < oldest->expires_at))
          oldest = entry;

      if (oldest == NULL)
        return;
      g_hash_table_remove (self->entries, oldest->device_id);
    }
}

static void
ward_identity_dispose (GObject *object)
{
  WardIdentity *self = WARD_IDENTITY (object);

  ward_identity_stop (self);
  g_hash_table_remove_all (self->entries);

  G_OBJECT_CLASS (ward_identity_parent_class)->dispose (object);
}

static void
ward_identity_finalize (GObject *object)
{
  WardIdentity *self = WARD_IDENTITY (object);

  g_free (self->base_url);
  g_clear_object (&self->auth);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->identifiers, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (ward_identity_parent_class)->finalize (object);
}

static void
ward_identity_class_init (WardIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_identity_dispose;
  object_class->finalize = ward_identity_finalize;
}

static void
ward_identity_init (WardIdentity *self)
{
  self->lifetime_usec = WARD_IDENTITY_DEFAULT_LIFETIME_USEC;
  self->max_entries = WARD_IDENTITY_DEFAULT_MAX_ENTRIES;
  self->retry_min_msec = 1000;
  self->retry_max_msec = 30000;
  self->cancellable = g_cancellable_new ();
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);
  self->identifiers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) json_node_unref);
}

WardIdentity *
ward_identity_new (WardIdentityMode  mode,
                   const char       *base_url,
                   WardFhirAuth     *auth,
                   GMainContext     *context)
{
  WardIdentity *self;

  g_return_val_if_fail (mode == WARD_IDENTITY_MODE_LOCAL || base_url != NULL, NULL);
  g_return_val_if_fail (auth == NULL || WARD_IS_FHIR_AUTH (auth), NULL);

  self = g_object_new (WARD_TYPE_IDENTITY, NULL);
  self->mode = mode;
  if (base_url != NULL)
    {
      gsize len = strlen (base_url);

      while (len > 0 && base_url[len - 1] == '/')
        len--;
      self->base_url = g_strndup (base_url, len);
    }
  self->auth = auth ? g_object_ref (auth) : NULL;
  self->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();

  return self;
}

WardIdentityMode
ward_identity_get_mode (WardIdentity *self)
{
  g_return_val_if_fail (WARD_IS_IDENTITY (self), WARD_IDENTITY_MODE_LOCAL);

  return self->mode;
}

void
ward_identity_set_cache (WardIdentity *self,
                         gint64        lifetime_usec,
                         guint         max_entries)
{
  g_return_if_fail (WARD_IS_IDENTITY (self));
  g_return_if_fail (lifetime_usec >= 0);

  self->lifetime_usec = lifetime_usec;
  self->max_entries = MAX (max_entries, 1);
}

void
ward_identity_set_retry (WardIdentity *self,
                         guint         min_msec,
                         guint         max_msec)
{
  g_return_if_fail (WARD_IS_IDENTITY (self));

  self->retry_min_msec = MAX (min_msec, 1);
  self->retry_max_msec = MAX (max_msec, self->retry_min_msec);
}

void
ward_identity_set_notify (WardIdentity *self,
                          GCallback     func,
                          gpointer      user_data)
{
  g_return_if_fail (WARD_IS_IDENTITY (self));

  self->notify = func;
  self->notify_data = user_data;
}

WardIdentityState
ward_identity_resolve (WardIdentity        *self,
                       const char          *device_id,
                       const char          *patient_hint,
                       gint64               now,
                       WardIdentityAnswer **answer_out)
{
  Entry *entry;

  g_return_val_if_fail (WARD_IS_IDENTITY (self), WARD_IDENTITY_FAILED);
  g_return_val_if_fail (device_id != NULL, WARD_IDENTITY_FAILED);

  if (answer_out != NULL)
    *answer_out = NULL;

  if (self->mode == WARD_IDENTITY_MODE_LOCAL)
    return WARD_IDENTITY_FAILED;

  entry = g_hash_table_lookup (self->entries, device_id);
  if (entry == NULL)
    {
      evict (self);
      entry = g_new0 (Entry, 1);
      entry->device_id = g_strdup (device_id);
      g_hash_table_insert (self->entries, entry->device_id, entry);
    }

  /* The caller's clock is only known here: an answer lives from the
   * first time it is read (or from when it was asked, if that is later),
   * up to and including the end of its lifetime, so that even a lifetime
   * of 0 serves the message that asked.
   */
  if (entry->answer != NULL && entry->fresh)
    {
      entry->expires_at = MAX (entry->asked_at, now) + self->lifetime_usec;
      entry->fresh = FALSE;
    }

  if (entry->answer != NULL && now <= entry->expires_at)
    {
      if (answer_out != NULL)
        *answer_out = ward_identity_answer_ref (entry->answer);
      return entry->answer->state;
    }

  /* Missing or expired: ask (once), with the newest patient hint. */
  if (!entry->in_flight && entry->retry_source == NULL)
    {
      g_free (entry->patient_hint);
      entry->patient_hint = g_strdup (patient_hint);
      entry->asked_at = now;
      start_job (self, entry);
    }

  /* A known patient stays in use while the server cannot be reached. */
  if (entry->failing && entry->answer != NULL && entry->answer->state == WARD_IDENTITY_RESOLVED)
    {
      if (answer_out != NULL)
        *answer_out = ward_identity_answer_ref (entry->answer);
      return WARD_IDENTITY_RESOLVED;
    }

  return WARD_IDENTITY_PENDING;
}

void
ward_identity_forget (WardIdentity *self,
                      const char   *device_id)
{
  g_return_if_fail (WARD_IS_IDENTITY (self));
  g_return_if_fail (device_id != NULL);

  /* A request in flight for it finds no entry of its generation and is
   * dropped when it answers.
   */
  g_hash_table_remove (self->entries, device_id);
}

void
ward_identity_set_patient_identifiers (WardIdentity *self,
                                       const char   *patient_id,
                                       JsonNode     *identifiers)
{
  g_return_if_fail (WARD_IS_IDENTITY (self));
  g_return_if_fail (patient_id != NULL);
  g_return_if_fail (identifiers == NULL || JSON_NODE_HOLDS_ARRAY (identifiers));

  if (identifiers == NULL)
    g_hash_table_remove (self->identifiers, patient_id);
  else
    g_hash_table_replace (self->identifiers, g_strdup (patient_id), json_node_copy (identifiers));
}

void
ward_identity_stop (WardIdentity *self)
{
  GHashTableIter iter;
  Entry *entry;

  g_return_if_fail (WARD_IS_IDENTITY (self));

  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->retry_source != NULL)
      {
        g_source_destroy (entry->retry_source);
        g_clear_pointer (&entry->retry_source, g_source_unref);
      }
}

guint
ward_identity_get_n_entries (WardIdentity *self)
{
  g_return_val_if_fail (WARD_IS_IDENTITY (self), 0);

  return g_hash_table_size (self->entries);
}

guint
ward_identity_get_n_requests (WardIdentity *self)
{
  g_return_val_if_fail (WARD_IS_IDENTITY (self), 0);

  return self->n_requests;
}
