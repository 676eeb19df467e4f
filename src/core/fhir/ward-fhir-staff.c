/* ward-fhir-staff.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-staff"

#include "config.h"

#include "ward-fhir-staff.h"

#include "ward-json-strict.h"

#include <libsoup/soup.h>
#include <string.h>

#define TIMEOUT_SECONDS 20
#define MAX_PAGES 20

typedef struct
{
  SoupSession  *session;
  const char   *base_url;
  const char   *bearer_token;
  GCancellable *cancellable;
} Fetch;

/* A string member, or NULL (whatever else the server put there). */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  return ward_json_strict_get_string (json_object_get_member (object, name));
}

/* GET url: the JSON object, or NULL.  *gone is set for 404 and 410 (an
 * issue for one resource, not a failure of the read).
 */
static JsonObject *
get_json (Fetch       *fetch,
          const char  *url,
          gboolean    *gone,
          GError     **error)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) parse_error = NULL;
  SoupMessageHeaders *headers;
  JsonNode *root;
  guint status;

  *gone = FALSE;
  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not a URL: %s", url);
      return NULL;
    }

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/fhir+json");
  if (fetch->bearer_token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", fetch->bearer_token, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
    }

  body = soup_session_send_and_read (fetch->session, msg, fetch->cancellable, error);
  if (body == NULL)
    return NULL;

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    {
      *gone = TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "HTTP %u", status);
      return NULL;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* 401: the token was refused (a SMART token expired early): the
       * caller may get a new one and read again.
       */
      g_set_error (error, G_IO_ERROR,
                   status == SOUP_STATUS_UNAUTHORIZED ? G_IO_ERROR_PERMISSION_DENIED : G_IO_ERROR_FAILED,
                   "the server answered HTTP %u %s", status,
                   soup_message_get_reason_phrase (msg) ?: "");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                   &parse_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *gone = TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* A refused token stays recognisable through the read's own words. */
static int
failure_code (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
         ? G_IO_ERROR_PERMISSION_DENIED : G_IO_ERROR_FAILED;
}

/* The matching CareTeams of a search, following its "next" links. */
static gboolean
search_teams (Fetch                      *fetch,
              const WardStaffFhirConfig  *config,
              GPtrArray                  *teams,
              GError                    **error)
{
  g_autofree char *url = NULL;

  if (config->care_team_identifier != NULL)
    {
      g_autofree char *token = g_uri_escape_string (config->care_team_identifier, NULL, FALSE);

      url = g_strdup_printf ("%s/CareTeam?identifier=%s&_count=50", fetch->base_url, token);
    }
  else
    url = g_strdup_printf ("%s/CareTeam?status=active&_count=100", fetch->base_url);

  for (guint page = 0; url != NULL && page < MAX_PAGES; page++)
    {
      g_autoptr(JsonObject) bundle = NULL;
      g_autoptr(GError) local_error = NULL;
      JsonArray *entries = NULL;
      JsonArray *links = NULL;
      gboolean gone;

      bundle = get_json (fetch, url, &gone, &local_error);
      if (bundle == NULL)
        {
          g_set_error (error, G_IO_ERROR, failure_code (local_error), "The CareTeam search failed: %s",
                       local_error->message);
          return FALSE;
        }
      g_clear_pointer (&url, g_free);

      if (json_object_has_member (bundle, "entry") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (bundle, "entry")))
        entries = json_object_get_array_member (bundle, "entry");
      for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
        {
          JsonNode *entry = json_array_get_element (entries, i);
          JsonNode *resource;

          if (!JSON_NODE_HOLDS_OBJECT (entry) ||
              (resource = json_object_get_member (json_node_get_object (entry), "resource")) == NULL ||
              !JSON_NODE_HOLDS_OBJECT (resource))
            continue;
          if (ward_staff_fhir_team_matches (config, json_node_get_object (resource)))
            g_ptr_array_add (teams, json_object_ref (json_node_get_object (resource)));
        }

      if (json_object_has_member (bundle, "link") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (bundle, "link")))
        links = json_object_get_array_member (bundle, "link");
      for (guint i = 0; links != NULL && i < json_array_get_length (links); i++)
        {
          JsonNode *link = json_array_get_element (links, i);
          JsonObject *object = JSON_NODE_HOLDS_OBJECT (link) ? json_node_get_object (link) : NULL;

          if (object != NULL && g_strcmp0 (string_member (object, "relation"), "next") == 0)
            {
              g_free (url);
              url = g_strdup (string_member (object, "url"));
            }
        }
    }

  if (teams->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No active CareTeam on the server has %s %s",
                   config->care_team_identifier != NULL ? "the identifier" : "the name",
                   config->care_team_identifier != NULL ? config->care_team_identifier
                                                        : config->care_team_name);
      return FALSE;
    }

  return TRUE;
}

/* Reads reference into resources; FALSE only for a failure of the whole
 * read (a resource gone is an issue the reader reports).
 */
static gboolean
read_resource (Fetch       *fetch,
               const char  *reference,
               GHashTable  *resources,
               GPtrArray   *issues,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *url = NULL;
  JsonObject *resource;
  gboolean gone;

  if (g_hash_table_contains (resources, reference))
    return TRUE;

  url = g_strdup_printf ("%s/%s", fetch->base_url, reference);
  resource = get_json (fetch, url, &gone, &local_error);
  if (resource != NULL)
    {
      g_hash_table_insert (resources, g_strdup (reference), resource);
      return TRUE;
    }

  if (gone && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_ptr_array_add (issues, g_strdup_printf ("%s: the server's answer is %s", reference,
                                                local_error->message));
      /* Known as unreadable: the reader leaves the member out. */
      return TRUE;
    }
  if (gone)
    return TRUE;

  g_set_error (error, G_IO_ERROR, failure_code (local_error), "%s could not be read: %s", reference,
               local_error->message);
  return FALSE;
}

WardStaff *
ward_fhir_staff_fetch (const char                 *base_url,
                       const char                 *bearer_token,
                       const WardStaffFhirConfig  *config,
                       gint64                      now,
                       GCancellable               *cancellable,
                       GPtrArray                  *issues,
                       char                      **care_teams,
                       GError                    **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GPtrArray) teams = NULL;
  g_autoptr(GHashTable) resources = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *base = NULL;
  Fetch fetch = { 0 };

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (issues != NULL, NULL);

  base = g_strdup (base_url);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';

  /* Its own session: this runs on a worker thread, not the pipeline's. */
  session = soup_session_new_with_options ("timeout", TIMEOUT_SECONDS, NULL);
  fetch.session = session;
  fetch.base_url = base;
  fetch.bearer_token = bearer_token;
  fetch.cancellable = cancellable;

  teams = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  if (!search_teams (&fetch, config, teams, error))
    return NULL;

  resources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) json_object_unref);
  for (guint t = 0; t < teams->len; t++)
    {
      JsonObject *team = g_ptr_array_index (teams, t);
      g_autoptr(GPtrArray) references = ward_staff_fhir_participants (team, now);

      g_string_append_printf (names, "%sCareTeam/%s", names->len > 0 ? ", " : "",
                              string_member (team, "id") ?: "?");

      for (guint i = 0; i < references->len; i++)
        {
          const char *reference = g_ptr_array_index (references, i);
          JsonObject *role;
          JsonObject *practitioner;
          const char *target;

          if (!read_resource (&fetch, reference, resources, issues, error))
            return NULL;
          if (!g_str_has_prefix (reference, "PractitionerRole/") ||
              (role = g_hash_table_lookup (resources, reference)) == NULL)
            continue;

          /* The role's practitioner, when it names one the reader can use. */
          practitioner = json_object_has_member (role, "practitioner") &&
                         JSON_NODE_HOLDS_OBJECT (json_object_get_member (role, "practitioner"))
                         ? json_object_get_object_member (role, "practitioner") : NULL;
          target = practitioner != NULL ? string_member (practitioner, "reference") : NULL;
          if (target != NULL && g_str_has_prefix (target, "Practitioner/") &&
              strchr (target + strlen ("Practitioner/"), '/') == NULL &&
              target[strlen ("Practitioner/")] != '\0' &&
              !read_resource (&fetch, target, resources, issues, error))
            return NULL;
        }
    }

  if (care_teams != NULL)
    *care_teams = g_strdup (names->str);

  return ward_staff_fhir_read (config, teams, resources, now, issues);
}
