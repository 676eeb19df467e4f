/* wardwatch-cli.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wardwatch-cli"

#include "config.h"

#include "ward-cli.h"
#include "ward-i18n.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

/* wardwatch-cli COMMAND [OPTION…]: the entry only dispatches.  Each
 * command parses its own options, so `wardwatch-cli score --help`
 * describes the score command.
 */

typedef struct
{
  const char *name;
  const char *description;
  int       (*run) (int    argc,
                    char **argv);
} Command;

static const Command commands[] = {
  { "audit", "Check the audit trail's hash chain (--verify); exit status 1 when it is broken", ward_cli_audit },
  { "dead-letters", "List the device messages the pipeline could not use, with stage and reason", ward_cli_dead_letters },
  { "export", "Export the local FHIR resource store as FHIR bulk-data NDJSON, incrementally, per type and day", ward_cli_export },
  { "features", "Export model features per patient and window end as CSV, or list their definitions", ward_cli_features },
  { "fhir-rejections", "List the resources the FHIR server rejected, with its reason and OperationOutcome", ward_cli_fhir_rejections },
  { "handover-sheet", "Draw a ward handover sheet (A4 PDF: SBAR notes and open tasks per bed) from JSON on standard input", ward_cli_handover_sheet },
  { "map", "Debug device mappings: device messages or HL7 v2 in, normalised measurements or FHIR out", ward_cli_map },
  { "model-report", "Compare a model's alerts with NEWS2's over a period: counts, how much earlier, agreement", ward_cli_model_report },
  { "replay", "Replay a scenario (device messages, nurse rounds, confirmations) on its own clock and print each score and flag change", ward_cli_replay },
  { "report", "Write the shift report of a period (A4 PDF and CSV files): census, flags, response times, alarm burden, handover notes", ward_cli_report },
  { "score", "Score NEWS2 for vital-sign sets read as JSON lines on standard input", ward_cli_score },
  { "secret", "Store or clear Wardwatch's secrets in the desktop keyring (read from standard input)", ward_cli_secret },
  { "simulate", "Run the demo ward's devices against a real MQTT broker or MLLP listener", ward_cli_simulate },
  { "staff", "Hash a staff PIN for the ward staff file (read from standard input), check a staff file, or list a station's staff and where each came from (--db)", ward_cli_staff },
  { "stats", "Count every kind of record in a Wardwatch database, as JSON", ward_cli_stats },
  { "tasks", "List the care team's tasks as JSON lines, with owner, state, priority and due time", ward_cli_tasks },
  { "vacuum", "Delete raw measurements past their retention (once rolled up) and give free space back", ward_cli_vacuum },
};

G_DEFINE_QUARK (ward-cli-error-quark, ward_cli_error)

static const Command *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];

  return NULL;
}

static char *
describe_commands (void)
{
  GString *str = g_string_new ("Commands:\n");
  int width = 0;

  /* Two spaces at least between the longest name and its description, as
   * GOption lays out options (help2man reads the list the same way).
   */
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    width = MAX (width, (int) strlen (commands[i].name));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (str, "  %-*s  %s\n", width, commands[i].name, commands[i].description);

  g_string_append (str, "\nRun “wardwatch-cli COMMAND --help” for the options of a command.");

  return g_string_free (str, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *command_name = NULL;
  const Command *command;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };

  /* Messages follow the user's locale.  JSON numbers do not: json-glib
   * writes them with g_ascii_dtostr()/g_ascii_formatd() and reads them
   * with g_strtod(), which also accepts the C form.  The core's
   * translated words (reports, handover sheets) come from the same
   * catalogues as the window's.
   */
  ward_i18n_init ();

  g_set_prgname ("wardwatch-cli");

  description = describe_commands ();
  context = g_option_context_new ("COMMAND [OPTION…]");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description);
  /* Stop at the command name and leave the rest to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("wardwatch-cli %s\n", PACKAGE_VERSION);
      g_print ("build profile %s (%s)\n", WARD_PROFILE, APP_ID);
      return 0;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return 2;
    }

  if (strcmp (argv[1], "help") == 0)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      return 0;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_printerr ("wardwatch-cli: unknown command “%s”\n"
                  "Run “wardwatch-cli --help” for the list of commands.\n",
                  argv[1]);
      return 2;
    }

  /* The command sees itself as argv[0], and its --help says so. */
  command_name = g_strdup_printf ("wardwatch-cli %s", command->name);
  g_set_prgname (command_name);
  argv[1] = command_name;

  return command->run (argc - 1, argv + 1);
}
