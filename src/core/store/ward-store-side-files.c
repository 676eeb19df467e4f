/* ward-store-side-files.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file refused at start (damaged, or another application's database)
 * is left as it was found, the files beside it too.  Reading a database
 * whose header says WAL mode makes SQLite create its -wal and -shm files,
 * and a read-only connection does not take them away when it closes: the
 * store notes which were there before it opened the file, and removes
 * those it made once it has closed the connection.
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-private.h"

#include <errno.h>
#include <glib/gstdio.h>

enum
{
  SIDE_WAL = 1 << 0,
  SIDE_SHM = 1 << 1,
};

guint
_ward_store_side_files_present (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  guint present = 0;

  if (g_file_test (wal, G_FILE_TEST_EXISTS))
    present |= SIDE_WAL;
  if (g_file_test (shm, G_FILE_TEST_EXISTS))
    present |= SIDE_SHM;
  return present;
}

void
_ward_store_remove_new_side_files (const char *path,
                                   guint       present)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  GStatBuf st;

  /* A -wal file made here holds nothing (nothing was written); one with
   * content is somebody's, whoever made it, and stays.
   */
  if (!(present & SIDE_WAL) && g_stat (wal, &st) == 0 && st.st_size == 0)
    {
      if (g_unlink (wal) != 0)
        g_debug ("Could not remove %s: %s", wal, g_strerror (errno));
    }
  /* The -shm file is an index of the -wal file, rebuilt from it. */
  if (!(present & SIDE_SHM) && !g_file_test (wal, G_FILE_TEST_EXISTS) &&
      g_file_test (shm, G_FILE_TEST_EXISTS))
    {
      if (g_unlink (shm) != 0)
        g_debug ("Could not remove %s: %s", shm, g_strerror (errno));
    }
}
