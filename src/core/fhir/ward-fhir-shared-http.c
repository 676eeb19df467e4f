/* ward-fhir-shared-http.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The requests of WardFhirShared: one at a time, the answer parsed as
 * FHIR JSON and handed to a ResponseHandler.
 */

#define G_LOG_DOMAIN "ward-fhir-shared"

#include "config.h"

#include <libsoup/soup.h>

#include "ward-fhir-shared-private.h"

void
_ward_fhir_shared_set_last_error (WardFhirShared *self,
                                  const char     *format,
                                  ...)
{
  va_list args;

  g_free (self->last_error);
  va_start (args, format);
  self->last_error = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("%s", self->last_error);
}

/* -- HTTP ----------------------------------------------------------------- */

typedef struct
{
  WardFhirShared  *self;
  SoupMessage     *msg;
  ResponseHandler  handler;
} Request;

gboolean
_ward_fhir_shared_status_is_transient (guint status)
{
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

static void
request_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *req = user_data;
  WardFhirShared *self = req->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) body = NULL;
  guint status = 0;

  g_assert (self->n_in_flight > 0);
  self->n_in_flight--;
  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* stop(): what was in flight stays pending. */
      g_object_unref (req->msg);
      g_object_unref (req->self);
      g_free (req);
      return;
    }

  if (bytes != NULL)
    {
      gsize length;
      const char *data = g_bytes_get_data (bytes, &length);

      status = soup_message_get_status (req->msg);
      if (length > 0)
        {
          g_autoptr(GError) parse_error = NULL;

          body = _ward_fhir_shared_parse_object (data, length, &parse_error);
          /* An answer that is not FHIR (a proxy's page) is a transient failure. */
          if (body == NULL && status >= 200 && status < 300)
            {
              g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the answer is not FHIR JSON: %s", parse_error->message);
              status = 0;
            }
        }
    }

  req->handler (self, status, req->msg, body, error);
  g_object_unref (req->msg);
  g_object_unref (req->self);
  g_free (req);
}

void
_ward_fhir_shared_send_request (WardFhirShared  *self,
                                const char      *method,
                                const char      *url,
                                const char      *if_match,
                                gboolean         if_none_match,
                                GBytes          *body,
                                ResponseHandler  handler)
{
  Request *req;
  SoupMessageHeaders *headers;

  req = g_new0 (Request, 1);
  req->self = g_object_ref (self);
  req->handler = handler;
  req->msg = soup_message_new (method, url);
  if (req->msg == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             "bad URL %s", url);

      handler (self, 0, NULL, NULL, error);
      g_object_unref (req->self);
      g_free (req);
      return;
    }

  headers = soup_message_get_request_headers (req->msg);
  soup_message_headers_replace (headers, "Accept", "application/fhir+json");
  if (self->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", self->authorization);
  if (if_match != NULL)
    {
      g_autofree char *etag = g_strdup_printf ("W/\"%s\"", if_match);

      soup_message_headers_replace (headers, "If-Match", etag);
    }
  if (if_none_match)
    soup_message_headers_replace (headers, "If-None-Match", "*");
  if (body != NULL)
    soup_message_set_request_body_from_bytes (req->msg, "application/fhir+json", body);

  self->n_in_flight++;
  soup_session_send_and_read_async (self->session, req->msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, request_done, req);
}

char *
_ward_fhir_shared_resource_url (WardFhirShared *self,
                                const char     *resource_type,
                                const char     *id)
{
  g_autofree char *type_escaped = g_uri_escape_string (resource_type, NULL, FALSE);
  g_autofree char *id_escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strdup_printf ("%s/%s/%s", self->base_url, type_escaped, id_escaped);
}

/* "HTTP 400: the outcome's first diagnostics" */
char *
_ward_fhir_shared_describe_failure (guint         status,
                                    JsonObject   *body,
                                    const GError *error)
{
  if (status == 0)
    return g_strdup_printf ("no answer: %s", error != NULL ? error->message : "unknown error");

  if (g_strcmp0 (_ward_fhir_shared_string_member (body, "resourceType"), "OperationOutcome") == 0)
    {
      JsonArray *issues = _ward_fhir_shared_array_member (body, "issue");
      JsonObject *issue = issues != NULL && json_array_get_length (issues) > 0
                          ? _ward_fhir_shared_array_object (issues, 0) : NULL;
      const char *text = _ward_fhir_shared_string_member (issue, "diagnostics");

      if (text == NULL)
        text = _ward_fhir_shared_string_member (_ward_fhir_shared_object_member (issue, "details"),
                                                "text");
      if (text != NULL)
        return g_strdup_printf ("HTTP %u: %s", status, text);
    }

  return g_strdup_printf ("HTTP %u", status);
}
