/* fuzz-replay.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

/* Replays every file of a corpus folder through a fuzz harness, so that
 * the inputs a fuzzer found (and the seeds) are run by every test run,
 * without libFuzzer.  A crash or a failed assertion fails the test.
 */

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n = 0;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s CORPUS-DIR\n", argv[0]);
      return 2;
    }

  dir = g_dir_open (argv[1], 0, &error);
  if (dir == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (argv[1], name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }

      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
      n++;
    }

  if (n == 0)
    {
      fprintf (stderr, "%s: empty corpus\n", argv[1]);
      return 1;
    }

  printf ("%u inputs replayed from %s\n", n, argv[1]);
  return 0;
}
