/* ward-test-util.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-util.h"

#include <glib/gstdio.h>

void
ward_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        ward_test_remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

guint
ward_test_timeout_msec (guint msec)
{
  const char *text = g_getenv ("WARD_TEST_TIMEOUT_MULTIPLIER");
  guint64 multiplier = 1;

  if (text != NULL && *text != '\0')
    {
      g_autoptr(GError) error = NULL;

      if (!g_ascii_string_to_unsigned (text, 10, 1, 100, &multiplier, &error))
        g_error ("WARD_TEST_TIMEOUT_MULTIPLIER: %s", error->message);
    }

  return (guint) MIN ((guint64) msec * multiplier, G_MAXUINT);
}
