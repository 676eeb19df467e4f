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
 * cached by the address of their SQL literal.
 */

struct _WardStore
{
  GObject      parent_instance;

  sqlite3     *db;
  char        *path;
  GHashTable  *statements;   /* const char *sql -> sqlite3_stmt */
  gboolean     readonly;
  gboolean     in_transaction;
  gint64       n_pending;    /* outbox rows pending, or -1 until counted */
  gint64       n_failed;     /* outbox rows parked, or -1 until counted */
};

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
    return NULL;

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

/* A count of outbox rows kept by this connection: counted once, then
 * kept up to date; -1 means "count again".
 */
static gboolean
ensure_count (WardStore   *self,
              const char  *sql,
              gint64      *count,
              const char  *what,
              GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (*count >= 0)
    return TRUE;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return set_sql_error (self, rc, what, error);

  return TRUE;
}

static gboolean
ensure_n_pending (WardStore  *self,
                  GError    **error)
{
  return ensure_count (self, "SELECT count(*) FROM outbox WHERE state = 'pending'",
                       &self->n_pending, "count pending outbox rows", error);
}

static gboolean
ensure_n_failed (WardStore  *self,
                 GError    **error)
{
  return ensure_count (self, "SELECT count(*) FROM outbox WHERE state = 'failed'",
                       &self->n_failed, "count parked outbox rows", error);
}

gint64
ward_store_outbox_get_n_failed (WardStore  *self,
                                GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!ensure_n_failed (self, error))
    return -1;

  return self->n_failed;
}

gint64
ward_store_outbox_get_n_pending (WardStore  *self,
                                 GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!ensure_n_pending (self, error))
    return -1;

  return self->n_pending;
}

gboolean
ward_store_put_resource (WardStore   *self,
                         const char  *resource_type,
                         const char  *id,
                         const char  *json,
                         gint64       at,
                         gboolean    *changed,
                         GError     **error)
{
  static const char find_sql[] =
    "SELECT version, json = ?3, EXISTS (SELECT 1 FROM outbox o WHERE o.resource_type = ?1 "
    "AND o.id = ?2 AND o.state = 'pending') "
    "FROM fhir_resources WHERE resource_type = ?1 AND id = ?2";
  static const char put_sql[] =
    "INSERT INTO fhir_resources (resource_type, id, json, version, updated_at, change_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce (max (change_seq), 0) + 1 FROM fhir_resources)) "
    "ON CONFLICT (resource_type, id) DO UPDATE SET json = excluded.json, "
    "version = excluded.version, updated_at = excluded.updated_at, "
    "change_seq = excluded.change_seq";
  /* The partial unique index keeps one pending row per resource; a row
   * waiting for a retry keeps its schedule and its attempts.
   */
  static const char queue_sql[] =
    "INSERT INTO outbox (resource_type, id, version, state, next_attempt_at, created_at) "
    "VALUES (?1, ?2, ?3, 'pending', ?4, ?4) "
    "ON CONFLICT (resource_type, id) WHERE state = 'pending' DO UPDATE SET version = excluded.version";
  sqlite3_stmt *stmt;
  gint64 version = 0;
  gboolean same = FALSE;
  gboolean queued = FALSE;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL && json != NULL, FALSE);

  if (changed != NULL)
    *changed = FALSE;

  if (!ensure_n_pending (self, error))
    return FALSE;

  if (!(stmt = get_statement (self, find_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      version = sqlite3_column_int64 (stmt, 0);
      same = sqlite3_column_int (stmt, 1) != 0;
      queued = sqlite3_column_int (stmt, 2) != 0;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sql_error (self, rc, "find FHIR resource", error);

  if (same)
    return TRUE;

  version++;

  if (!(stmt = get_statement (self, put_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, version);
  sqlite3_bind_int64 (stmt, 5, at);
  if (!_ward_store_step_done (self, stmt, "store FHIR resource", error))
    return FALSE;

  if (!(stmt = get_statement (self, queue_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, version);
  sqlite3_bind_int64 (stmt, 4, at);
  if (!_ward_store_step_done (self, stmt, "queue FHIR resource", error))
    return FALSE;
  if (!queued)
    self->n_pending++;

  if (changed != NULL)
    *changed = TRUE;

  return TRUE;
}

gboolean
ward_store_outbox_requeue (WardStore   *self,
                           const char  *resource_type,
                           const char  *id,
                           gint64       at,
                           gboolean    *queued,
                           GError     **error)
{
  static const char sql[] =
    "INSERT INTO outbox (resource_type, id, version, state, next_attempt_at, created_at) "
    "SELECT resource_type, id, version, 'pending', ?3, ?3 FROM fhir_resources "
    "WHERE resource_type = ?1 AND id = ?2 "
    "ON CONFLICT (resource_type, id) WHERE state = 'pending' DO NOTHING";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL, FALSE);

  if (queued != NULL)
    *queued = FALSE;
  if (!ensure_n_pending (self, error))
    return FALSE;
  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!_ward_store_step_done (self, stmt, "queue FHIR resource again", error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    {
      self->n_pending++;
      if (queued != NULL)
        *queued = TRUE;
    }

  return TRUE;
}

char *
ward_store_get_resource (WardStore   *self,
                         const char  *resource_type,
                         const char  *id,
                         gint64      *version,
                         GError     **error)
{
  static const char sql[] =
    "SELECT json, version FROM fhir_resources WHERE resource_type = ?1 AND id = ?2";
  sqlite3_stmt *stmt;
  char *json = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (resource_type != NULL && id != NULL, NULL);

  if (version != NULL)
    *version = 0;

  if (!(stmt = get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (version != NULL)
        *version = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_sql_error (self, rc, "read FHIR resource", error);

  return json;
}

gboolean
ward_store_replace_resource_json (WardStore   *self,
                                  const char  *resource_type,
                                  const char  *id,
                                  gint64       version,
                                  const char  *json,
                                  gboolean    *replaced,
                                  GError     **error)
{
  static const char sql[] =
    "UPDATE fhir_resources SET json = ?4, "
    "change_seq = (SELECT max (change_seq) + 1 FROM fhir_resources) "
    "WHERE resource_type = ?1 AND id = ?2 AND version = ?3";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL && json != NULL, FALSE);

  if (replaced != NULL)
    *replaced = FALSE;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, version);
  sqlite3_bind_text (stmt, 4, json, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "replace FHIR resource", error))
    return FALSE;

  if (replaced != NULL)
    *replaced = sqlite3_changes (self->db) > 0;

  return TRUE;
}

gboolean
ward_store_foreach_resource (WardStore              *self,
                             const char             *resource_type,
                             WardStoreResourceFunc   func,
                             gpointer                user_data,
                             GError                **error)
{
  static const char sql[] =
    "SELECT resource_type, id, version, json FROM fhir_resources "
    "WHERE ?1 IS NULL OR resource_type = ?1 ORDER BY resource_type, id";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* Not the cached statement: func may use the store while it runs. */
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return set_sql_error (self, rc, "list FHIR resources", error);

  _ward_store_bind_text (stmt, 1, resource_type);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func ((const char *) sqlite3_column_text (stmt, 0),
          (const char *) sqlite3_column_text (stmt, 1),
          sqlite3_column_int64 (stmt, 2),
          (const char *) sqlite3_column_text (stmt, 3),
          user_data);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, "list FHIR resources", error);

  return TRUE;
}

typedef struct
{
  gint64  seq;
  char   *resource_type;
  char   *id;
  gint64  version;
  int     attempts;
  gint64  next_attempt_at;
  char   *last_error;
  char   *json;
} OutboxRow;

static void
outbox_row_clear (gpointer data)
{
  OutboxRow *row = data;

  g_free (row->resource_type);
  g_free (row->id);
  g_free (row->last_error);
  g_free (row->json);
}

gboolean
ward_store_outbox_next (WardStore            *self,
                        gint64                now,
                        guint                 limit,
                        WardStoreOutboxFunc   func,
                        gpointer              user_data,
                        GError              **error)
{
  static const char sql[] =
    "SELECT o.seq, o.resource_type, o.id, o.version, o.attempts, o.next_attempt_at, "
    "o.last_error, r.json FROM outbox o "
    "JOIN fhir_resources r ON r.resource_type = o.resource_type AND r.id = o.id "
    "WHERE o.state = 'pending' AND o.next_attempt_at <= ?1 "
    "ORDER BY o.next_attempt_at, o.seq LIMIT ?2";
  g_autoptr(GArray) rows = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  rows = g_array_new (FALSE, TRUE, sizeof (OutboxRow));
  g_array_set_clear_func (rows, outbox_row_clear);

  /* Read every row first: func marks them, which moves them out of the
   * index this query walks.
   */
  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OutboxRow row = {
        .seq = sqlite3_column_int64 (stmt, 0),
        .resource_type = g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
        .id = g_strdup ((const char *) sqlite3_column_text (stmt, 2)),
        .version = sqlite3_column_int64 (stmt, 3),
        .attempts = sqlite3_column_int (stmt, 4),
        .next_attempt_at = sqlite3_column_int64 (stmt, 5),
        .last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 6)),
        .json = g_strdup ((const char *) sqlite3_column_text (stmt, 7)),
      };

      g_array_append_val (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, "list due outbox rows", error);

  for (guint i = 0; i < rows->len; i++)
    {
      const OutboxRow *row = &g_array_index (rows, OutboxRow, i);
      WardOutboxEntry entry = {
        .seq = row->seq,
        .resource_type = row->resource_type,
        .id = row->id,
        .version = row->version,
        .attempts = row->attempts,
        .next_attempt_at = row->next_attempt_at,
        .last_error = row->last_error,
        .json = row->json,
      };

      func (&entry, user_data);
    }

  return TRUE;
}

/* Finishes an UPDATE of one pending outbox row: NOT_FOUND when seq names
 * no pending row.
 */
static gboolean
finish_outbox_update (WardStore     *self,
                      sqlite3_stmt  *stmt,
                      gint64         seq,
                      gboolean       leaves_pending,
                      GError       **error)
{
  if (!_ward_store_step_done (self, stmt, "update outbox row", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No pending outbox row %" G_GINT64_FORMAT, seq);
      return FALSE;
    }

  if (!leaves_pending && self->n_pending > 0)
    self->n_pending--;

  return TRUE;
}

gboolean
ward_store_outbox_mark_sent (WardStore   *self,
                             gint64       seq,
                             gint64       version,
                             gint64       at,
                             gboolean    *sent,
                             GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET state = 'sent', sent_at = ?3, attempts = attempts + 1, last_error = NULL "
    "WHERE seq = ?1 AND state = 'pending' AND version = ?2";
  /* The resource changed while its older version was on the wire: the
   * row stays pending with the newer version.
   */
  static const char stale_sql[] =
    "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (sent != NULL)
    *sent = FALSE;

  if (!ensure_n_pending (self, error))
    return FALSE;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!_ward_store_step_done (self, stmt, "mark outbox row sent", error))
    return FALSE;

  if (sqlite3_changes (self->db) > 0)
    {
      if (self->n_pending > 0)
        self->n_pending--;
      if (sent != NULL)
        *sent = TRUE;
      return TRUE;
    }

  if (!(stmt = get_statement (self, stale_sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);

  return finish_outbox_update (self, stmt, seq, TRUE, error);
}

gint64
ward_store_outbox_make_due (WardStore  *self,
                            gint64      at,
                            GError    **error)
{
  static const char sql[] =
    "UPDATE outbox SET next_attempt_at = ?1 WHERE state = 'pending' AND next_attempt_at > ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!(stmt = get_statement (self, sql, error)))
    return -1;
  sqlite3_bind_int64 (stmt, 1, at);
  if (!_ward_store_step_done (self, stmt, "make outbox rows due", error))
    return -1;

  return sqlite3_changes (self->db);
}

gboolean
ward_store_outbox_mark_retry (WardStore   *self,
                              gint64       seq,
                              gint64       next_at,
                              const char  *error_text,
                              GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
    "WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, next_at);
  _ward_store_bind_text (stmt, 3, error_text);

  return finish_outbox_update (self, stmt, seq, TRUE, error);
}

gboolean
ward_store_outbox_mark_failed (WardStore   *self,
                               gint64       seq,
                               const char  *error_text,
                               const char  *operation_outcome_json,
                               GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2, "
    "operation_outcome = ?3 WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!ensure_n_pending (self, error) || !ensure_n_failed (self, error))
    return FALSE;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  _ward_store_bind_text (stmt, 2, error_text);
  _ward_store_bind_text (stmt, 3, operation_outcome_json);

  if (!finish_outbox_update (self, stmt, seq, FALSE, error))
    return FALSE;
  self->n_failed++;

  return TRUE;
}

gboolean
ward_store_foreach_outbox_failure (WardStore                 *self,
                                   WardStoreOutboxFailureFunc func,
                                   gpointer                   user_data,
                                   GError                   **error)
{
  static const char sql[] =
    "SELECT o.seq, o.resource_type, o.id, o.version, o.attempts, o.created_at, o.last_error, "
    "o.operation_outcome, r.json "
    "FROM outbox o LEFT JOIN fhir_resources r ON r.resource_type = o.resource_type AND r.id = o.id "
    "WHERE o.state = 'failed' ORDER BY o.seq";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return set_sql_error (self, rc, "list rejected FHIR resources", error);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardOutboxFailure failure = {
        .seq = sqlite3_column_int64 (stmt, 0),
        .resource_type = (const char *) sqlite3_column_text (stmt, 1),
        .id = (const char *) sqlite3_column_text (stmt, 2),
        .version = sqlite3_column_int64 (stmt, 3),
        .attempts = sqlite3_column_int (stmt, 4),
        .created_at = sqlite3_column_int64 (stmt, 5),
        .last_error = (const char *) sqlite3_column_text (stmt, 6),
        .operation_outcome = (const char *) sqlite3_column_text (stmt, 7),
        .json = (const char *) sqlite3_column_text (stmt, 8),
      };

      func (&failure, user_data);
    }

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, "list rejected FHIR resources", error);

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
