/* ward-cli-secret.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-secret"

#include "config.h"

#include "ward-cli.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "ward-secret.h"

/* The largest secret read from standard input (a PEM key is a few kB). */
#define MAX_SECRET_BYTES (64 * 1024)

static const char usage[] =
  "Usage: wardwatch-cli secret store KIND KEY   (the secret on standard input)\n"
  "       wardwatch-cli secret clear KIND KEY\n"
  "       wardwatch-cli secret check KIND KEY   (exit status 0 when stored)\n"
  "\n"
  "Keeps Wardwatch's secrets in the desktop keyring (the Secret Service), for\n"
  "--fhir-token-file=keyring:, --fhir-private-key=keyring: and\n"
  "--mqtt-password-file=keyring:.  KIND and KEY:\n"
  "  fhir-token KEY          a bearer token; KEY the --fhir-url\n"
  "  fhir-private-key KEY    a SMART client's PEM key; KEY the --fhir-client-id\n"
  "  mqtt-password KEY       the broker password; KEY the --mqtt-url\n"
  "The secret is never an argument: it would show in the process list.\n";

/* All of standard input, wiped when freed. */
static char *
read_stdin (GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buf[4096];
  size_t n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    {
      g_string_append_len (text, buf, (gssize) n);
      if (text->len > MAX_SECRET_BYTES)
        {
          memset (text->str, 0, text->len);
          memset (buf, 0, sizeof buf);
          g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                       "More than %d bytes on standard input", MAX_SECRET_BYTES);
          return NULL;
        }
    }
  memset (buf, 0, sizeof buf);
  if (ferror (stdin))
    {
      memset (text->str, 0, text->len);
      g_set_error_literal (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                           "Cannot read standard input");
      return NULL;
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

int
ward_cli_secret (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *action, *kind, *key;

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s", usage);
      return 0;
    }
  if (argc != 4)
    {
      g_printerr ("%s", usage);
      return 2;
    }
  action = argv[1];
  kind = argv[2];
  key = argv[3];
  if (!ward_secret_kind_is_valid (kind))
    {
      g_printerr ("wardwatch-cli secret: unknown kind %s\n%s", kind, usage);
      return 2;
    }

  if (g_str_equal (action, "store"))
    {
      char *secret = read_stdin (&error);
      gboolean ok;

      if (secret == NULL)
        {
          g_printerr ("wardwatch-cli secret: %s\n", error->message);
          return 1;
        }
      /* A key keeps its inner line breaks; a token or password loses the
       * new line that echo or a here-document added.
       */
      g_strstrip (secret);
      ok = ward_secret_store (kind, key, secret, &error);
      ward_secret_free (secret);
      if (!ok)
        {
          g_printerr ("wardwatch-cli secret: %s\n", error->message);
          return 1;
        }
      g_print ("Stored the %s for %s in the keyring\n", kind, key);
      return 0;
    }
  else if (g_str_equal (action, "clear"))
    {
      gboolean removed = FALSE;

      if (!ward_secret_clear (kind, key, &removed, &error))
        {
          g_printerr ("wardwatch-cli secret: %s\n", error->message);
          return 1;
        }
      g_print (removed ? "Removed the %s for %s from the keyring\n"
                       : "There was no %s for %s in the keyring\n", kind, key);
      return 0;
    }
  else if (g_str_equal (action, "check"))
    {
      char *secret = ward_secret_lookup (kind, key, &error);

      if (secret == NULL)
        {
          g_printerr ("wardwatch-cli secret: %s\n", error->message);
          return 1;
        }
      ward_secret_free (secret);
      g_print ("The keyring has a %s for %s\n", kind, key);
      return 0;
    }

  g_printerr ("wardwatch-cli secret: unknown action %s\n%s", action, usage);
  return 2;
}
