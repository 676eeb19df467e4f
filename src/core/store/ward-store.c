/* ward-store.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store.h"
#include "ward-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* The warm-path store.  One writing connection, owned by the pipeline
 * thread; readers (the UI, the CLI) open their own read-only connections,
 * which WAL lets run beside the writer.  Statements are prepared once and
 * cached by the address of their SQL literal.  The instance structure is
 * in ward-store-private.h, for the outbox's counts (ward-store-outbox.c).
 */

G_DEFINE_FINAL_TYPE (WardStore, ward_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-store-error-quark, ward_store_error)

/* Conditions of the disk or the file get codes of their own, so that
 * the pipeline can tell "retry later" from a statement that is wrong.
 */
static int
error_code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return WARD_STORE_ERROR_FULL;
    case SQLITE_READONLY:
      return WARD_STORE_ERROR_READ_ONLY;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return WARD_STORE_ERROR_IO;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return WARD_STORE_ERROR_BUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return WARD_STORE_ERROR_DAMAGED;
    default:
      return WARD_STORE_ERROR_SQL;
    }
}

static gboolean
set_sql_error (WardStore   *self,
               int          rc,
               const char  *what,
               GError     **error)
{
  g_set_error (error, WARD_STORE_ERROR, error_code_for (rc),
               "%s: %s (%s)", what,
               self->db ? sqlite3_errmsg (self->db) : "no database",
               sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec_sql (WardStore   *self,
          const char  *sql,
          GError     **error)
{
  char *errmsg = NULL;
  int rc;

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, WARD_STORE_ERROR, error_code_for (rc),
                   "%s", errmsg ? errmsg : sqlite3_errstr (rc));
      sqlite3_free (errmsg);
      return FALSE;
    }

  return TRUE;
}

/* Returns a reset statement, prepared on first use. */
static sqlite3_stmt *
get_statement (WardStore   *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (self, rc, "prepare", error);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

/* The helpers below are shared with the store's files split by concern
 * through ward-store-private.h.
 */
void
_ward_store_bind_text (sqlite3_stmt *stmt,
                       int           index,
                       const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

void
_ward_store_bind_int64 (sqlite3_stmt *stmt,
                        int           index,
                        gint64        value)
{
  if (value != 0)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

char *
_ward_store_column_text (sqlite3_stmt *stmt,
                         int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

gboolean
_ward_store_step_done (WardStore     *self,
                       sqlite3_stmt  *stmt,
                       const char    *what,
                       GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, what, error);

  return TRUE;
}

gint64
_ward_store_step_insert (WardStore     *self,
                         sqlite3_stmt  *stmt,
                         const char    *what,
                         GError       **error)
{
  if (!_ward_store_step_done (self, stmt, what, error))
    return 0;

  return sqlite3_last_insert_rowid (self->db);
}

int
_ward_store_read_user_version (WardStore *self)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);

  sqlite3_finalize (stmt);
  return version;
}

/* The file holds patient data: create it readable by its owner only, and
 * tighten one that is not.  SQLite gives the -wal and -shm files the
 * database file's permissions.
 */
static gboolean
prepare_private_file (const char  *path,
                      GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat st;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                   "Cannot create the folder %s: %s", dir, g_strerror (errsv));
      return FALSE;
    }

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                   "Cannot open %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  if (fstat (fd, &st) == 0 && (st.st_mode & 0077) != 0)
    {
      if (fchmod (fd, 0600) != 0)
        g_debug ("Could not make %s private: %s", path, g_strerror (errno));
    }

  close (fd);
  return TRUE;
}

/* Before anything writes to it (WAL, migrations): the file is a sound
 * SQLite database, and an empty one or Wardwatch's.  A damaged file or
 * another application's database is refused, saying so, and left
 * exactly as it is: migrating it would add our tables to someone
 * else's data.
 */
static gboolean
check_is_ours (WardStore  *self,
               GError    **error)
{
  static const char sql[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "ORDER BY name = 'patients' DESC, name";
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  gboolean has_patients = FALSE;
  guint n_tables = 0;
  int version;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (name, "patients") == 0)
        has_patients = TRUE;
      else if (n_tables < 3)
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", name);
      n_tables++;
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_DAMAGED,
                   "%s is not a sound database (%s): Wardwatch left it as it is. "
                   "Restore it from a backup, or give --db a new file",
                   self->path, sqlite3_errmsg (self->db));
      return FALSE;
    }

  version = _ward_store_read_user_version (self);
  if (n_tables > 0 && (version <= 0 || !has_patients))
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                   "%s is another application's database (tables %s%s), not Wardwatch's: "
                   "Wardwatch left it as it is. Give --db a Wardwatch database or a new file",
                   self->path, names->str, n_tables > 3 ? ", ..." : "");
      return FALSE;
    }

  return TRUE;
}

static WardStore *
open_store (const char  *path,
            gboolean     readonly,
            int          target_version,
            GError     **error)
{
  g_autoptr(WardStore) self = NULL;
  guint side_files = 0;
  int flags;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  /* ":memory:" is SQLite's private in-memory database (a replay): no
   * file to prepare.
   */
  if (!readonly && g_strcmp0 (path, WARD_STORE_IN_MEMORY) != 0 &&
      !prepare_private_file (path, error))
    return NULL;

  self = g_object_new (WARD_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->readonly = readonly;

  flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        | SQLITE_OPEN_NOMUTEX;
  if (g_strcmp0 (path, WARD_STORE_IN_MEMORY) != 0)
    side_files = _ward_store_side_files_present (path);
  rc = sqlite3_open_v2 (path, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                   "Cannot open the database %s: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (g_strcmp0 (path, WARD_STORE_IN_MEMORY) != 0 && !check_is_ours (self, error))
    {
      /* Refused: what the read made beside the file goes too. */
      if (sqlite3_close (self->db) == SQLITE_OK)
        {
          self->db = NULL;
          _ward_store_remove_new_side_files (path, side_files);
        }
      return NULL;
    }

  if (readonly)
    {
      int version = _ward_store_read_user_version (self);

      if (version > WARD_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_TOO_NEW,
                       "The database %s has schema version %d; this Wardwatch knows up to %d",
                       path, version, WARD_STORE_SCHEMA_VERSION);
          return NULL;
        }
      if (version < WARD_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                       "The database %s is at schema version %d, not %d: open it once "
                       "with Wardwatch to migrate it", path, version, WARD_STORE_SCHEMA_VERSION);
          return NULL;
        }
      return g_steal_pointer (&self);
    }

  /* WAL lets readers run beside the writer.  synchronous=FULL makes each
   * commit durable against power loss, which acknowledgements rely on;
   * the pipeline commits once per tick, so the cost is a few fsyncs a
   * second.
   */
  if (!exec_sql (self, "PRAGMA journal_mode = WAL;"
                       "PRAGMA synchronous = FULL;"
                       "PRAGMA foreign_keys = ON;", error))
    {
      g_prefix_error (error, "Cannot set up %s: ", path);
      return NULL;
    }

  if (!_ward_store_migrate (self, target_version, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
ward_store_finalize (GObject *object)
{
  WardStore *self = (WardStore *) object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->shared_routes, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ward_store_parent_class)->finalize (object);
}

static void
ward_store_class_init (WardStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_store_finalize;
}

static void
ward_store_init (WardStore *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL,
                                            (GDestroyNotify) sqlite3_finalize);
  self->n_pending = -1;
  self->n_failed = -1;
}

WardStore *
ward_store_open (const char  *path,
                 GError     **error)
{
  return open_store (path, FALSE, WARD_STORE_SCHEMA_VERSION, error);
}

WardStore *
ward_store_open_readonly (const char  *path,
                          GError     **error)
{
  return open_store (path, TRUE, WARD_STORE_SCHEMA_VERSION, error);
}

WardStore *
_ward_store_open_at_version (const char  *path,
                             int          version,
                             GError     **error)
{
  g_return_val_if_fail (version >= 0 && version <= WARD_STORE_SCHEMA_VERSION, NULL);

  return open_store (path, FALSE, version, error);
}

int
ward_store_get_schema_version (WardStore *self)
{
  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  return _ward_store_read_user_version (self);
}

const char *
ward_store_get_path (WardStore *self)
{
  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  return self->path;
}

gboolean
ward_store_begin (WardStore  *self,
                  GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->in_transaction = TRUE;
  return TRUE;
}

sqlite3 *
_ward_store_get_db (WardStore *self)
{
  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  return self->db;
}

gboolean
ward_store_commit (WardStore  *self,
                   GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->in_transaction, FALSE);

  if (!exec_sql (self, "COMMIT", error))
    return FALSE;

  self->in_transaction = FALSE;
  return TRUE;
}

void
ward_store_rollback (WardStore *self)
{
  g_return_if_fail (WARD_IS_STORE (self));

  if (!self->in_transaction)
    return;

  exec_sql (self, "ROLLBACK", NULL);
  self->in_transaction = FALSE;
  /* Count the outbox again: the rolled-back rows are gone. */
  self->n_pending = -1;
  self->n_failed = -1;
}

void
ward_store_set_sync_full (WardStore *self,
                          gboolean   full)
{
  g_return_if_fail (WARD_IS_STORE (self));

  exec_sql (self, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", NULL);
}

gint64
_ward_store_query_int (WardStore   *self,
                       const char  *sql,
                       GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (self, rc, sql, error);
      return -1;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  else
    set_sql_error (self, rc, sql, error);

  sqlite3_finalize (stmt);
  return value;
}

char *
_ward_store_query_text (WardStore   *self,
                        const char  *sql,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (self, rc, sql, error);
      return NULL;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    set_sql_error (self, rc, sql, error);

  sqlite3_finalize (stmt);
  return value;
}

sqlite3_stmt *
_ward_store_get_statement (WardStore   *self,
                           const char  *sql,
                           GError     **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  return get_statement (self, sql, error);
}

gboolean
_ward_store_set_sql_error (WardStore   *self,
                           int          rc,
                           const char  *what,
                           GError     **error)
{
  return set_sql_error (self, rc, what, error);
}

gboolean
_ward_store_exec (WardStore   *self,
                  const char  *sql,
                  GError     **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  return exec_sql (self, sql, error);
}

gboolean
ward_store_get_counts (WardStore        *self,
                       WardStoreCounts  *counts,
                       GError          **error)
{
  static const struct {
    const char *sql;
    gsize       offset;
  } queries[] = {
    { "SELECT count(*) FROM patients", G_STRUCT_OFFSET (WardStoreCounts, patients) },
    { "SELECT count(*) FROM beds", G_STRUCT_OFFSET (WardStoreCounts, beds) },
    { "SELECT count(*) FROM devices", G_STRUCT_OFFSET (WardStoreCounts, devices) },
    { "SELECT count(*) FROM raw_messages", G_STRUCT_OFFSET (WardStoreCounts, raw_messages) },
    { "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL",
      G_STRUCT_OFFSET (WardStoreCounts, raw_messages_pending) },
    { "SELECT count(*) FROM measurements", G_STRUCT_OFFSET (WardStoreCounts, measurements) },
    { "SELECT count(*) FROM dead_letters", G_STRUCT_OFFSET (WardStoreCounts, dead_letters) },
    { "SELECT count(*) FROM scores", G_STRUCT_OFFSET (WardStoreCounts, scores) },
    { "SELECT count(*) FROM flags WHERE kind = 'clinical' AND closed_at IS NULL",
      G_STRUCT_OFFSET (WardStoreCounts, flags_open) },
    { "SELECT count(*) FROM flags WHERE kind = 'clinical'",
      G_STRUCT_OFFSET (WardStoreCounts, flags_total) },
    { "SELECT count(*) FROM flags WHERE kind = 'technical' AND closed_at IS NULL",
      G_STRUCT_OFFSET (WardStoreCounts, technical_alerts_open) },
    { "SELECT count(*) FROM flags WHERE kind = 'technical'",
      G_STRUCT_OFFSET (WardStoreCounts, technical_alerts_total) },
    { "SELECT count(*) FROM events", G_STRUCT_OFFSET (WardStoreCounts, events) },
    { "SELECT count(*) FROM fhir_resources", G_STRUCT_OFFSET (WardStoreCounts, fhir_resources) },
    { "SELECT count(*) FROM outbox WHERE state = 'pending'",
      G_STRUCT_OFFSET (WardStoreCounts, outbox_pending) },
    { "SELECT count(*) FROM outbox WHERE state = 'sent'",
      G_STRUCT_OFFSET (WardStoreCounts, outbox_sent) },
    { "SELECT count(*) FROM outbox WHERE state = 'failed'",
      G_STRUCT_OFFSET (WardStoreCounts, outbox_failed) },
  };

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      sqlite3_stmt *stmt;
      int rc;

      if (!(stmt = get_statement (self, queries[i].sql, error)))
        return FALSE;

      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          return set_sql_error (self, rc, queries[i].sql, error);
        }

      G_STRUCT_MEMBER (gint64, counts, queries[i].offset) = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
    }

  return TRUE;
}

char *
ward_store_get_installation_id (WardStore  *self,
                                GError    **error)
{
  static const char get_sql[] = "SELECT value FROM settings WHERE key = 'installation-id'";
  static const char set_sql[] =
    "INSERT INTO settings (key, value) VALUES ('installation-id', ?1)";
  g_autofree char *uuid = NULL;
  sqlite3_stmt *stmt;
  char *value = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = get_statement (self, get_sql, error)))
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sql_error (self, rc, "read the installation id", error);
      return NULL;
    }
  if (value != NULL)
    return value;

  if (self->readonly)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "%s has no installation id yet", self->path);
      return NULL;
    }

  uuid = g_uuid_string_random ();
  if (!(stmt = get_statement (self, set_sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "store the installation id", error))
    return NULL;

  return g_steal_pointer (&uuid);
}
