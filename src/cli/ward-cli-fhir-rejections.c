/* ward-cli-fhir-rejections.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-fhir-rejections"

#include "config.h"

#include "ward-cli.h"

#include <json-glib/json-glib.h>

#include "ward-store.h"
#include "ward-types.h"

/* wardwatch-cli fhir-rejections --db=PATH: the resources the FHIR server
 * rejected for good (a 4xx answer), parked in the outbox and never
 * retried: one JSON line each with the server's reason and its
 * OperationOutcome.  Read-only, so it runs beside a live Wardwatch.
 */

typedef struct
{
  const char *resource_type;
  gboolean    with_resource;
  guint       n;
} ListData;

static void
add_json (JsonBuilder *builder,
          const char  *member,
          const char  *json)
{
  g_autoptr(JsonNode) node = NULL;

  json_builder_set_member_name (builder, member);
  if (json != NULL)
    node = json_from_string (json, NULL);

  /* Stored by Wardwatch itself, so it parses; text that would not still
   * gets shown rather than dropped.
   */
  if (node != NULL)
    json_builder_add_value (builder, g_steal_pointer (&node));
  else if (json != NULL)
    json_builder_add_string_value (builder, json);
  else
    json_builder_add_null_value (builder);
}

static void
print_cb (const WardOutboxFailure *failure,
          gpointer                 user_data)
{
  ListData *data = user_data;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *queued_at = NULL;
  g_autofree char *line = NULL;

  if (data->resource_type != NULL && g_strcmp0 (data->resource_type, failure->resource_type) != 0)
    return;

  queued_at = ward_time_format_iso8601 (failure->created_at);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, failure->seq);
  json_builder_set_member_name (builder, "resource_type");
  json_builder_add_string_value (builder, failure->resource_type);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, failure->id);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, failure->version);
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, failure->attempts);
  json_builder_set_member_name (builder, "queued_at");
  json_builder_add_string_value (builder, queued_at);
  json_builder_set_member_name (builder, "reason");
  if (failure->last_error != NULL)
    json_builder_add_string_value (builder, failure->last_error);
  else
    json_builder_add_null_value (builder);
  add_json (builder, "operation_outcome", failure->operation_outcome);
  if (data->with_resource)
    add_json (builder, "resource", failure->json);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  g_print ("%s\n", line);
  data->n++;
}

int
ward_cli_fhir_rejections (int    argc,
                          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *resource_type = NULL;
  gboolean with_resource = FALSE;
  ListData data = { 0 };
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &resource_type, "Only this resource type (Observation, Flag, ...)", "TYPE" },
    { "resource", 0, 0, G_OPTION_ARG_NONE, &with_resource, "Include the rejected resource's JSON", NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "List the resources the FHIR server rejected for good, as JSON lines:\n"
                                "which resource, the server's reason and its OperationOutcome.\n"
                                "Rejected resources are parked, never retried; a newer version of\n"
                                "the same resource is sent again.  Resources hold patient data:\n"
                                "handle the output as such.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli fhir-rejections: %s\n", error->message);
      return 2;
    }

  if (db_path == NULL)
    {
      g_printerr ("wardwatch-cli fhir-rejections: --db=PATH is required\n");
      return 2;
    }

  store = ward_cli_open_store ("fhir-rejections", db_path);
  if (store == NULL)
    return 1;
  data.resource_type = resource_type;
  data.with_resource = with_resource;
  if (!ward_store_foreach_outbox_failure (store, print_cb, &data, &error))
    {
      g_printerr ("wardwatch-cli fhir-rejections: %s\n", error->message);
      return 1;
    }

  return 0;
}
