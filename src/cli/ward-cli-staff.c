/* ward-cli-staff.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-staff"

#include "config.h"

#include "ward-cli.h"

#include <stdio.h>
#include <string.h>

#include "ward-pin.h"
#include "ward-staff.h"

static const char usage[] =
  "Usage: wardwatch-cli staff hash-pin [--iterations=N]   (the PIN on standard input)\n"
  "       wardwatch-cli staff check FILE\n"
  "\n"
  "hash-pin prints the pin_hash line of a ward staff file for a PIN of 4 to 12\n"
  "digits read from standard input (never an argument: it would show in the\n"
  "process list): PBKDF2-HMAC-SHA256 with a random salt, 200000 iterations\n"
  "unless --iterations says more (100000 at least).\n"
  "check reads a ward staff file as wardwatch --staff does and lists its members.\n";

static int
hash_pin (guint iterations)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  char line[64] = { 0 };
  gsize length;

  if (fgets (line, sizeof line, stdin) == NULL)
    {
      g_printerr ("wardwatch-cli staff: no PIN on standard input\n");
      return 1;
    }

  length = strlen (line);
  while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
    line[--length] = '\0';

  hash = ward_pin_hash (line, iterations, &error);
  memset (line, 0, sizeof line);
  if (hash == NULL)
    {
      g_printerr ("wardwatch-cli staff: %s\n", error->message);
      return 1;
    }

  g_print ("%s\n", hash);
  return 0;
}

static int
check_file (const char *path)
{
  g_autoptr(WardStaff) staff = NULL;
  g_autoptr(GError) error = NULL;

  staff = ward_staff_new_from_file (path, &error);
  if (staff == NULL)
    {
      g_printerr ("wardwatch-cli staff: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < ward_staff_get_n_members (staff); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (staff, i);
      g_autofree char *roles = ward_staff_roles_describe (member->roles);

      g_print ("%s\t%s\t%s\t%s\t%s\n", member->id, member->name, roles,
               member->os_account ? member->os_account : "-",
               member->pin_hash ? "PIN" : "no PIN");
    }

  return 0;
}

int
ward_cli_staff (int    argc,
                char **argv)
{
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s", usage);
      return 0;
    }

  if (argc >= 2 && g_str_equal (argv[1], "hash-pin"))
    {
      guint64 iterations = WARD_PIN_DEFAULT_ITERATIONS;

      if (argc == 3 && g_str_has_prefix (argv[2], "--iterations="))
        {
          const char *text = argv[2] + strlen ("--iterations=");
          char *end = NULL;

          iterations = g_ascii_strtoull (text, &end, 10);
          if (text[0] == '\0' || *end != '\0' || iterations < WARD_PIN_MIN_ITERATIONS ||
              iterations > 10000000)
            {
              g_printerr ("wardwatch-cli staff: --iterations takes %d to 10000000\n",
                          WARD_PIN_MIN_ITERATIONS);
              return 2;
            }
        }
      else if (argc != 2)
        {
          g_printerr ("%s", usage);
          return 2;
        }

      return hash_pin ((guint) iterations);
    }

  if (argc == 3 && g_str_equal (argv[1], "check"))
    return check_file (argv[2]);

  g_printerr ("%s", usage);
  return 2;
}
