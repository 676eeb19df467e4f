/* ward-test-fhir-check.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-fhir-check.h"

#include <json-glib/json-glib.h>

#include "ward-store.h"
#include "ward-store-private.h"

typedef struct
{
  WardTestFhirServer *server;
  GHashTable         *per_type;   /* type -> count */
  guint               n_checked;
} CheckData;

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s): %s", error->message, text);
  return json_node_copy (json_parser_get_root (parser));
}

/* Equal as FHIR content: numbers by value (the server may print 37.0 as
 * 37), the top-level meta (the server's versionId and lastUpdated) left
 * out.
 */
static gboolean
same_content (JsonNode *a,
              JsonNode *b,
              gboolean  top)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        g_autoptr(GList) members = json_object_get_members (oa);
        guint na = json_object_get_size (oa);
        guint nb = json_object_get_size (ob);

        if (top)
          {
            na -= json_object_has_member (oa, "meta") ? 1 : 0;
            nb -= json_object_has_member (ob, "meta") ? 1 : 0;
          }
        if (na != nb)
          return FALSE;
        for (GList *l = members; l != NULL; l = l->next)
          {
            if (top && g_str_equal (l->data, "meta"))
              continue;
            if (!json_object_has_member (ob, l->data) ||
                !same_content (json_object_get_member (oa, l->data),
                               json_object_get_member (ob, l->data), FALSE))
              return FALSE;
          }
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);

        if (json_array_get_length (aa) != json_array_get_length (ab))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (aa); i++)
          if (!same_content (json_array_get_element (aa, i), json_array_get_element (ab, i), FALSE))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      {
        GType ta = json_node_get_value_type (a);
        GType tb = json_node_get_value_type (b);

        if ((ta == G_TYPE_INT64 || ta == G_TYPE_DOUBLE) && (tb == G_TYPE_INT64 || tb == G_TYPE_DOUBLE))
          return json_node_get_double (a) == json_node_get_double (b);
        return json_node_equal (a, b);
      }
    case JSON_NODE_NULL:
      return TRUE;
    default:
      return FALSE;
    }
}

/* GET PATH (from the root); asserts 200 and returns the parsed body. */
static JsonNode *
server_get (WardTestFhirServer *server,
            const char         *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error);

  g_assert_no_error (error);
  if (status != 200)
    g_error ("GET %s: HTTP %u\n%s", path, status, body != NULL ? body : "");
  return parse_json (body);
}

static void
count_type (GHashTable *per_type,
            const char *type,
            guint       n)
{
  guint before = GPOINTER_TO_UINT (g_hash_table_lookup (per_type, type));

  g_hash_table_insert (per_type, g_strdup (type), GUINT_TO_POINTER (before + n));
}

/* The types the sharing layer writes when a server is given: the care
 * team's Tasks, the Flags and the Communications.
 */
static const char * const shared_types[] = { "Task", "Flag", "Communication" };

static gboolean
is_shared_type (const char *resource_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (shared_types); i++)
    if (g_str_equal (resource_type, shared_types[i]))
      return TRUE;

  return FALSE;
}

static void
check_resource_cb (const char *resource_type,
                   const char *id,
                   gint64      version,
                   const char *json,
                   gpointer    user_data)
{
  CheckData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/fhir/R4/%s/%s", resource_type, id);
  g_autofree char *history_path = g_strdup_printf ("%s/_history", path);
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) local = NULL;
  g_autoptr(JsonNode) remote = NULL;
  g_autoptr(JsonNode) history = NULL;
  JsonObject *bundle;
  guint n_versions;
  guint status;

  /* Shared between stations: check_shared(). */
  if (is_shared_type (resource_type))
    return;

  status = ward_test_fhir_server_request (data->server, "GET", path, NULL, NULL, NULL, &body, &error);
  g_assert_no_error (error);
  if (status != 200)
    g_error ("%s/%s (version %" G_GINT64_FORMAT " here) is not on the server: HTTP %u",
             resource_type, id, version, status);

  local = parse_json (json);
  remote = parse_json (body);
  if (!same_content (local, remote, TRUE))
    g_error ("%s/%s differs on the server:\nlocal  %s\nserver %s", resource_type, id, json, body);

  /* The same content sent again makes no new version: never more
   * versions there than were made here.
   */
  history = server_get (data->server, history_path);
  bundle = json_node_get_object (history);
  n_versions = json_object_has_member (bundle, "entry")
               ? json_array_get_length (json_object_get_array_member (bundle, "entry")) : 0;
  if (n_versions < 1 || n_versions > version)
    {
      g_autofree char *text = json_to_string (history, FALSE);

      g_error ("%s/%s: %u versions on the server, %" G_GINT64_FORMAT " made here:\nlocal %s\nhistory %s",
               resource_type, id, n_versions, version, json, text);
    }

  count_type (data->per_type, resource_type, 1);
  data->n_checked++;
}

/* Each resource of TYPE on the server is the copy this station last
 * knew, at the version it knew, or a write of it is queued (killed after
 * the server took it, or an update of it, before the station knew); each
 * one made here is known there or queued.  Returns how many the server
 * has.
 */
static guint
check_shared (WardTestFhirServer *server,
              WardStore          *store,
              const char         *type)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *search = g_strdup_printf ("/fhir/R4/%s?_count=10000", type);
  g_autoptr(JsonNode) root = server_get (server, search);
  JsonObject *bundle = json_node_get_object (root);
  JsonArray *entries = json_object_has_member (bundle, "entry")
                       ? json_object_get_array_member (bundle, "entry") : NULL;
  guint n = entries != NULL ? json_array_get_length (entries) : 0;
  guint n_unknown = 0;
  g_autofree char *count_sql = NULL;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *resource = json_object_get_object_member (json_array_get_object_element (entries, i),
                                                            "resource");
      const char *id = json_object_get_string_member (resource, "id");
      const char *version = json_object_get_string_member (json_object_get_object_member (resource, "meta"),
                                                           "versionId");
      g_autofree char *sql = g_strdup_printf ("SELECT version_id FROM shared_known "
                                              "WHERE resource_type = '%s' AND id = '%s'", type, id);
      g_autofree char *known_version = _ward_store_query_text (store, sql, &error);
      g_autofree char *known_json = NULL;
      g_autoptr(JsonNode) known = NULL;
      g_autoptr(JsonNode) remote = json_node_init_object (json_node_alloc (), resource);

      g_assert_no_error (error);
      if (g_strcmp0 (known_version, version) != 0)
        {
          g_free (sql);
          sql = g_strdup_printf ("SELECT count(*) FROM shared_outbox WHERE resource_type = '%s' "
                                 "AND id = '%s' AND state = 'pending'", type, id);
          if (_ward_store_query_int (store, sql, &error) != 1)
            g_error ("%s/%s is version %s on the server, %s here, and no write of it is queued",
                     type, id, version, known_version != NULL ? known_version : "unknown");
          /* Only one it never knew is missing from its known copies. */
          if (known_version == NULL)
            n_unknown++;
          continue;
        }
      g_free (sql);
      sql = g_strdup_printf ("SELECT json FROM shared_known WHERE resource_type = '%s' AND id = '%s'",
                             type, id);
      known_json = _ward_store_query_text (store, sql, &error);
      g_assert_no_error (error);
      known = parse_json (known_json);
      if (!same_content (known, remote, TRUE))
        {
          g_autofree char *text = json_to_string (remote, FALSE);

          g_error ("%s/%s differs on the server:\nknown  %s\nserver %s", type, id, known_json, text);
        }
    }

  count_sql = g_strdup_printf ("SELECT count(*) FROM shared_known WHERE resource_type = '%s'", type);
  g_assert_cmpint (_ward_store_query_int (store, count_sql, &error), ==, n - n_unknown);
  g_assert_no_error (error);
  g_free (count_sql);
  count_sql = g_strdup_printf ("SELECT count(*) FROM fhir_resources r WHERE resource_type = '%1$s' "
                               "AND NOT EXISTS (SELECT 1 FROM shared_known k WHERE "
                               "k.resource_type = '%1$s' AND k.id = r.id) AND NOT EXISTS (SELECT 1 "
                               "FROM shared_outbox o WHERE o.resource_type = '%1$s' AND o.id = r.id "
                               "AND o.state = 'pending')", type);
  g_assert_cmpint (_ward_store_query_int (store, count_sql, &error), ==, 0);
  g_assert_no_error (error);
  return n;
}

guint
ward_test_fhir_check_station (WardTestFhirServer  *server,
                              const char          *db,
                              GHashTable         **resources_per_type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open_readonly (db, &error);
  g_autoptr(GHashTable) per_type = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) stats = NULL;
  CheckData check = { server, per_type, 0 };
  JsonObject *resources;
  gint64 n_local;
  guint n_shared = 0;

  g_assert_no_error (error);
  g_assert_true (ward_store_foreach_resource (store, NULL, check_resource_cb, &check, &error));
  g_assert_no_error (error);
  n_local = _ward_store_query_int (store, "SELECT count(*) FROM fhir_resources "
                                          "WHERE resource_type NOT IN ('Task', 'Flag', 'Communication')",
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpint (check.n_checked, ==, n_local);

  for (guint i = 0; i < G_N_ELEMENTS (shared_types); i++)
    {
      guint n = check_shared (server, store, shared_types[i]);

      if (n > 0)
        count_type (per_type, shared_types[i], n);
      n_shared += n;
    }

  /* Nothing else there. */
  stats = server_get (server, "/$stats");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stats), "total"), ==,
                   check.n_checked + n_shared);
  resources = json_object_get_object_member (json_node_get_object (stats), "resources");
  {
    g_autoptr(GList) types = json_object_get_members (resources);

    g_assert_cmpuint (g_list_length (types), ==, g_hash_table_size (per_type));
    for (GList *l = types; l != NULL; l = l->next)
      g_assert_cmpint (json_object_get_int_member (resources, l->data), ==,
                       GPOINTER_TO_UINT (g_hash_table_lookup (per_type, l->data)));
  }

  if (resources_per_type != NULL)
    *resources_per_type = g_steal_pointer (&per_type);
  return check.n_checked + n_shared;
}
