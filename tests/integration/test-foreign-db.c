/* test-foreign-db.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

/* A damaged file (pages overwritten, random bytes, a Wardwatch database
 * cut short or with its header overwritten), or another application's
 * SQLite database, given as --db at start: wardwatch --headless and
 * wardwatch-cli refuse it with an error that names the file and what is wrong, exit non-zero, and
 * leave the file byte for byte as it was (no migration, no WAL).
 */

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static char *
checksum (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static void
make_foreign (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL);"
                                     "INSERT INTO invoices VALUES (1, 9.5), (2, 12.25);"
                                     "PRAGMA user_version = 3;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
make_damaged (const char *path)
{
  sqlite3 *db = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  /* A real database of some size, then its pages overwritten after the
   * header: the header still says SQLite, the schema page is garbage.
   */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE patients (id TEXT);"
                                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                     "FROM n WHERE i < 2000) INSERT INTO patients SELECT "
                                     "printf('patient-%05d', i) FROM n;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 4096);
  for (gsize i = 100; i < len; i++)
    contents[i] = (char) (i * 7 + 3);
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
}

static void
make_garbage (const char *path)
{
  guchar bytes[8192];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guchar) g_random_int ();
  g_assert_true (g_file_set_contents (path, (const char *) bytes, sizeof bytes, NULL));
}

/* A real Wardwatch database, from a short demo run (closed cleanly: no
 * -wal file left), read back whole.
 */
static char *
make_ward_database (const char *path,
                    gsize      *len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *db_arg = g_strconcat ("--db=", path, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  char *contents = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, g_getenv ("WARDWATCH"), "--headless", "--demo", "--beds=2",
                           "--duration=2", "--time-scale=600", db_arg, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (path, &contents, len, &error));
  g_assert_no_error (error);
  /* More than the header page: a schema and some data. */
  g_assert_cmpuint (*len, >, 8 * 4096);
  return contents;
}

static void
make_truncated (const char *path)
{
  gsize len = 0;
  g_autofree char *contents = make_ward_database (path, &len);

  /* Cut short in the middle of a page, as a copy that stopped or a full
   * disk would leave it: the header still counts every page.
   */
  g_assert_true (g_file_set_contents (path, contents, len / 2 + 1000, NULL));
}

static void
make_bad_header (const char *path)
{
  gsize len = 0;
  g_autofree char *contents = make_ward_database (path, &len);

  /* The 100-byte header overwritten, every page after it intact. */
  for (gsize i = 0; i < 100; i++)
    contents[i] = (char) (0xa5 ^ i);
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
}

typedef void (*MakeFunc) (const char *path);

typedef struct
{
  MakeFunc    make;
  const char *what;  /* in the error */
} Case;

static const Case cases[] = {
  { make_foreign, "another application's database (tables invoices)" },
  { make_damaged, "not a sound database" },
  { make_garbage, "not a sound database" },
  { make_truncated, "not a sound database" },
  { make_bad_header, "not a sound database" },
};

static void
check_refused (const char * const *argv,
               const char         *path,
               const char         *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *before = checksum (path);
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %s", argv[0], err);

  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), !=, 0);
  g_assert_nonnull (strstr (err, path));
  g_assert_nonnull (strstr (err, what));
  g_assert_null (strstr (err, "migrate"));

  after = checksum (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_refused (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-foreign-db-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *db_arg = g_strconcat ("--db=", path, NULL);
  const char *wardwatch = g_getenv ("WARDWATCH");
  const char *cli = g_getenv ("WARDWATCH_CLI");

  g_assert_no_error (error);
  g_assert_nonnull (wardwatch);
  g_assert_nonnull (cli);

  c->make (path);

  check_refused ((const char *[]) { wardwatch, "--headless", "--demo", "--beds=2", "--duration=1",
                                    "--time-scale=600", db_arg, NULL }, path, c->what);
  check_refused ((const char *[]) { cli, "stats", db_arg, NULL }, path, c->what);
  check_refused ((const char *[]) { cli, "export", db_arg, "--ndjson", dir, NULL }, path, c->what);

  g_unlink (path);
  {
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/store/refused/foreign", &cases[0], test_refused);
  g_test_add_data_func ("/store/refused/damaged", &cases[1], test_refused);
  g_test_add_data_func ("/store/refused/garbage", &cases[2], test_refused);
  g_test_add_data_func ("/store/refused/truncated", &cases[3], test_refused);
  g_test_add_data_func ("/store/refused/bad-header", &cases[4], test_refused);

  return g_test_run ();
}
