/* ward-cli-stats.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-stats"

#include "config.h"

#include "ward-cli.h"

#include <gio/gio.h>

#include "ward-store.h"

/* wardwatch-cli stats --db=PATH: one JSON object with the count of every
 * kind of record.  It opens the database read-only, so it can run beside
 * a live Wardwatch.
 */
int
ward_cli_stats (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  WardStoreCounts c = { 0 };
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "Count every kind of record in a Wardwatch database.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli stats: %s\n", error->message);
      return 2;
    }

  if (db_path == NULL)
    {
      g_printerr ("wardwatch-cli stats: --db=PATH is required\n");
      return 2;
    }

  store = ward_cli_open_store ("stats", db_path);
  if (store == NULL)
    return 1;
  if (!ward_store_get_counts (store, &c, &error))
    {
      g_printerr ("wardwatch-cli stats: %s\n", error->message);
      return 1;
    }

  g_print ("{\"schema_version\":%d,\"patients\":%" G_GINT64_FORMAT ",\"beds\":%" G_GINT64_FORMAT
           ",\"devices\":%" G_GINT64_FORMAT ",\"raw_messages\":%" G_GINT64_FORMAT
           ",\"raw_messages_pending\":%" G_GINT64_FORMAT
           ",\"measurements\":%" G_GINT64_FORMAT ",\"dead_letters\":%" G_GINT64_FORMAT
           ",\"scores\":%" G_GINT64_FORMAT ",\"flags_open\":%" G_GINT64_FORMAT
           ",\"flags_total\":%" G_GINT64_FORMAT ",\"technical_alerts_open\":%" G_GINT64_FORMAT
           ",\"technical_alerts_total\":%" G_GINT64_FORMAT ",\"events\":%" G_GINT64_FORMAT
           ",\"fhir_resources\":%" G_GINT64_FORMAT ",\"outbox_pending\":%" G_GINT64_FORMAT
           ",\"outbox_sent\":%" G_GINT64_FORMAT ",\"outbox_failed\":%" G_GINT64_FORMAT "}\n",
           ward_store_get_schema_version (store), c.patients, c.beds, c.devices, c.raw_messages,
           c.raw_messages_pending,
           c.measurements, c.dead_letters, c.scores, c.flags_open, c.flags_total,
           c.technical_alerts_open, c.technical_alerts_total, c.events,
           c.fhir_resources, c.outbox_pending, c.outbox_sent, c.outbox_failed);

  return 0;
}
