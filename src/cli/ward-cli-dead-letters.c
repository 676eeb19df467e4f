/* ward-cli-dead-letters.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-dead-letters"

#include "config.h"

#include "ward-cli.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "ward-store.h"

/* wardwatch-cli dead-letters --db=PATH: the messages the pipeline could
 * not use, one JSON line each: when, at which stage, why, and the raw
 * message it kept.  Read-only, so it runs beside a live Wardwatch.
 */

typedef struct
{
  const char *stage;
  gboolean    with_payload;
  guint       n;
} ListData;

static void
print_cb (const WardDeadLetter *dl,
          gpointer              user_data)
{
  ListData *data = user_data;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  if (data->stage != NULL && g_strcmp0 (data->stage, dl->stage) != 0)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, dl->id);
  ward_cli_add_time (builder, "at", dl->created_at);
  ward_cli_add_string (builder, "stage", dl->stage);
  ward_cli_add_string (builder, "reason", dl->reason);
  json_builder_set_member_name (builder, "raw_message_id");
  json_builder_add_int_value (builder, dl->raw_message_id);
  if (dl->raw_message_id != 0)
    {
      ward_cli_add_time (builder, "received_at", dl->received_at);
      ward_cli_add_string (builder, "source", dl->source);
      ward_cli_add_string (builder, "content_type", dl->content_type);
      ward_cli_add_string (builder, "device_id", dl->device_id);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, dl->payload_length);
      if (data->with_payload && dl->payload_pruned)
        ward_cli_add_string (builder, "payload_pruned", "by the raw archive retention");
      else if (data->with_payload && g_utf8_validate (dl->payload, dl->payload_length, NULL))
        {
          g_autofree char *text = g_strndup (dl->payload, dl->payload_length);

          ward_cli_add_string (builder, "payload", text);
        }
      else if (data->with_payload)
        {
          g_autofree char *b64 = g_base64_encode (dl->payload, dl->payload_length);

          ward_cli_add_string (builder, "payload_base64", b64);
        }
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  g_print ("%s\n", line);
  data->n++;
}

int
ward_cli_dead_letters (int    argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *since = NULL;
  g_autofree char *stage = NULL;
  gboolean with_payload = FALSE;
  gint64 since_usec = 0;
  ListData data = { 0 };
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, "Only those recorded at or after this ISO 8601 time", "TIME" },
    { "stage", 0, 0, G_OPTION_ARG_STRING, &stage, "Only this stage (parse, mapping, identity, validation)", "STAGE" },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &with_payload, "Include the raw message (text, or base64 for binary)", NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "List the device messages the pipeline could not use, as JSON lines:\n"
                                "when, at which stage, why, and the raw message it kept.\n"
                                "Raw messages can hold patient data: handle the output as such.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli dead-letters: %s\n", error->message);
      return 2;
    }

  if (db_path == NULL)
    {
      g_printerr ("wardwatch-cli dead-letters: --db=PATH is required\n");
      return 2;
    }

  if (since != NULL && !ward_time_parse_iso8601 (since, &since_usec))
    {
      g_printerr ("wardwatch-cli dead-letters: --since: \"%s\" is not an ISO 8601 time with a zone\n",
                  since);
      return 2;
    }

  store = ward_cli_open_store ("dead-letters", db_path);
  if (store == NULL)
    return 1;
  data.stage = stage;
  data.with_payload = with_payload;
  if (!ward_store_foreach_dead_letter (store, since_usec, print_cb, &data, &error))
    {
      g_printerr ("wardwatch-cli dead-letters: %s\n", error->message);
      return 1;
    }

  return 0;
}
