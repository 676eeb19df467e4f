/* ward-cli-tasks.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-tasks"

#include "config.h"

#include "ward-cli.h"

#include <gio/gio.h>

#include "ward-audit.h"
#include "ward-store-care.h"

/* wardwatch-cli tasks --db=PATH [--open] [--all] [--at=ISO8601]: the care
 * team's tasks as JSON lines, oldest first: one line per flag (an
 * escalation chain folded into its newest open task, with the chain's
 * first task and size), or with --all one line per Task.  wardwatch-cli audit --db=PATH
 * --verify: whether the audit trail's hash chain holds (exit 1 when it
 * is broken).  Both open the database read-only, beside a live Wardwatch.
 */

static char *
task_line (const WardTask      *task,
           const WardTaskChain *chain,
           gint64               now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, task->id);
  ward_cli_add_string (builder, "patient", task->patient_id);
  ward_cli_add_string (builder, "bed", task->bed_id);
  json_builder_set_member_name (builder, "flag");
  if (task->flag_id != 0)
    json_builder_add_int_value (builder, task->flag_id);
  else
    json_builder_add_null_value (builder);
  ward_cli_add_string (builder, "kind", ward_care_kind_to_string (task->kind));
  ward_cli_add_string (builder, "band", task->has_band ? ward_band_to_string (task->band) : NULL);
  ward_cli_add_string (builder, "status", ward_task_status_to_string (task->status));
  ward_cli_add_string (builder, "owner_role", ward_role_to_string (task->owner_role));
  ward_cli_add_string (builder, "owner_staff", task->owner_staff);
  ward_cli_add_string (builder, "priority", ward_task_priority_to_string (task->priority));
  ward_cli_add_time (builder, "requested_at", task->requested_at);
  ward_cli_add_time (builder, "due_at", task->due_at);
  json_builder_set_member_name (builder, "overdue");
  json_builder_add_boolean_value (builder, task->status == WARD_TASK_REQUESTED &&
                                           task->due_at <= now);
  json_builder_set_member_name (builder, "escalated");
  json_builder_add_boolean_value (builder, task->escalated_at != 0);
  json_builder_set_member_name (builder, "part_of");
  if (task->part_of != 0)
    json_builder_add_int_value (builder, task->part_of);
  else
    json_builder_add_null_value (builder);
  ward_cli_add_string (builder, "accepted_by", task->accepted_by);
  ward_cli_add_time (builder, "accepted_at", task->accepted_at);
  ward_cli_add_string (builder, "outcome", task->has_outcome ? ward_task_outcome_to_string (task->outcome)
                                                  : NULL);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, task->version);
  if (chain != NULL)
    {
      /* The chain, folded: how far it went and where it started. */
      json_builder_set_member_name (builder, "escalations");
      json_builder_add_int_value (builder, chain->n_escalations);
      json_builder_set_member_name (builder, "chain_tasks");
      json_builder_add_int_value (builder, chain->n_tasks);
      json_builder_set_member_name (builder, "first");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, chain->first->id);
      ward_cli_add_string (builder, "owner_role", ward_role_to_string (chain->first->owner_role));
      ward_cli_add_string (builder, "owner_staff", chain->first->owner_staff);
      ward_cli_add_time (builder, "requested_at", chain->first->requested_at);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

int
ward_cli_tasks (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *at = NULL;
  gboolean open_only = FALSE;
  gboolean all = FALSE;
  gint64 now = g_get_real_time ();
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "open", 0, 0, G_OPTION_ARG_NONE, &open_only, "Only the open tasks (requested, accepted)",
      NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Every Task, not one line per escalation chain",
      NULL },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, "Tell overdue tasks at this UTC time (default: now)",
      "ISO8601" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "List the care team's tasks as JSON lines: owner, "
                                "state, priority and due time.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli tasks: %s\n", error->message);
      return 2;
    }
  if (db_path == NULL)
    {
      g_printerr ("wardwatch-cli tasks: --db=PATH is required\n");
      return 2;
    }
  if (at != NULL && !ward_time_parse_iso8601 (at, &now))
    {
      g_printerr ("wardwatch-cli tasks: --at=%s: expected an ISO 8601 time with its zone\n", at);
      return 2;
    }

  if (!(store = ward_cli_open_store ("tasks", db_path)))
    return 1;

  /* Folded, the whole chain is read even for --open: an open chain's
   * cancelled tasks still count as its escalations.
   */
  tasks = ward_store_list_tasks (store, open_only && all ? WARD_TASK_LIST_OPEN
                                                         : WARD_TASK_LIST_ALL, 0, NULL, &error);
  if (tasks == NULL)
    {
      g_printerr ("wardwatch-cli tasks: %s\n", error->message);
      return 1;
    }

  if (all)
    {
      for (guint i = 0; i < tasks->len; i++)
        {
          g_autofree char *line = task_line (g_ptr_array_index (tasks, i), NULL, now);

          g_print ("%s\n", line);
        }
    }
  else
    {
      g_autoptr(GArray) chains = ward_task_chains_fold (tasks);

      for (guint i = 0; i < chains->len; i++)
        {
          const WardTaskChain *chain = &g_array_index (chains, WardTaskChain, i);
          g_autofree char *line = NULL;

          if (open_only && !ward_task_chain_is_open (chain))
            continue;
          line = task_line (chain->head, chain, now);
          g_print ("%s\n", line);
        }
    }

  return 0;
}

int
ward_cli_audit (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *reason = NULL;
  gboolean verify = FALSE;
  gint64 n_rows = 0;
  gint64 broken = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "verify", 0, 0, G_OPTION_ARG_NONE, &verify, "Check the audit trail's hash chain", NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "Check the audit trail of a Wardwatch database: exit "
                                "status 1 when a row was changed, removed or inserted behind "
                                "Wardwatch's back.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli audit: %s\n", error->message);
      return 2;
    }
  if (db_path == NULL || !verify)
    {
      g_printerr ("wardwatch-cli audit: --db=PATH and --verify are required\n");
      return 2;
    }

  if (!(store = ward_cli_open_store ("audit", db_path)))
    return 1;

  if (!ward_audit_verify (store, &n_rows, &broken, &reason, &error))
    {
      g_printerr ("wardwatch-cli audit: %s\n", error->message);
      return 1;
    }

  if (broken != 0)
    {
      g_autofree char *escaped = g_strescape (reason, NULL);

      g_print ("{\"state\":\"broken\",\"rows\":%" G_GINT64_FORMAT ",\"first_broken_row\":%"
               G_GINT64_FORMAT ",\"reason\":\"%s\"}\n", n_rows, broken, escaped);
      return 1;
    }

  g_print ("{\"state\":\"intact\",\"rows\":%" G_GINT64_FORMAT "}\n", n_rows);
  return 0;
}
