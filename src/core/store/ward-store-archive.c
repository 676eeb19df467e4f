/* ward-store-archive.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-archive.h"
#include "ward-store-private.h"

#define DIGEST_LENGTH 32    /* SHA-256 */

#define BUSY_POLL_USEC  500
#define BUSY_POLL_LIMIT (5 * G_USEC_PER_SEC / BUSY_POLL_USEC)

static int
busy_poll_cb (void *data,
              int   n_calls)
{
  if (n_calls >= BUSY_POLL_LIMIT)
    return 0;

  g_usleep (BUSY_POLL_USEC);
  return 1;
}

static gboolean
fail (sqlite3     *db,
      int          rc,
      const char  *what,
      GError     **error)
{
  g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_SQL, "%s: %s (%s)", what,
               sqlite3_errmsg (db), sqlite3_errstr (rc));
  return FALSE;
}

static void
compute_digest (const void *payload,
                gsize       length,
                guint8      digest[DIGEST_LENGTH])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_length = DIGEST_LENGTH;

  g_checksum_update (checksum, payload, length);
  g_checksum_get_digest (checksum, digest, &digest_length);
  g_assert (digest_length == DIGEST_LENGTH);
}

/* The original this message repeats, 0 if none, -1 on error. */
static gint64
find_original (sqlite3          *db,
               sqlite3_stmt     *stmt,
               const char       *source,
               const WardArchiveItem *item,
               const guint8      digest[DIGEST_LENGTH],
               gint64            min_id,
               GError          **error)
{
  gint64 id = 0;
  int rc;

  sqlite3_reset (stmt);
  sqlite3_bind_blob (stmt, 1, digest, DIGEST_LENGTH, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, source, -1, SQLITE_STATIC);
  if (item->device_id != NULL)
    sqlite3_bind_text (stmt, 3, item->device_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int (stmt, 4, item->mqtt_mid);
  sqlite3_bind_int64 (stmt, 5, min_id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      fail (db, rc, "look up a redelivered message", error);
      id = -1;
    }
  sqlite3_reset (stmt);

  return id;
}

gboolean
ward_store_archive_items (WardStore        *self,
                          gint64            received_at,
                          const char       *source,
                          const char       *content_type,
                          WardArchiveItem  *items,
                          guint             n_items,
                          GError          **error)
{
  static const char find_sql[] =
    "SELECT id FROM raw_messages "
    "WHERE payload_digest = ?1 AND source = ?2 AND device_id IS ?3 AND mqtt_mid = ?4 "
    "  AND duplicate_of IS NULL AND id > ?5 "
    "ORDER BY id DESC LIMIT 1";
  static const char insert_sql[] =
    "INSERT INTO raw_messages (received_at, source, content_type, device_id, payload, "
    "                          payload_digest, mqtt_mid, duplicate_of, processed_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  sqlite3 *db;
  sqlite3_stmt *find = NULL;
  sqlite3_stmt *insert = NULL;
  sqlite3_stmt *max_id = NULL;
  gint64 min_id = 0;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (items != NULL || n_items == 0, FALSE);

  db = _ward_store_get_db (self);

  /* Prepared per batch: a batch is tens to hundreds of messages. */
  if ((rc = sqlite3_prepare_v2 (db, find_sql, -1, &find, NULL)) != SQLITE_OK ||
      (rc = sqlite3_prepare_v2 (db, insert_sql, -1, &insert, NULL)) != SQLITE_OK ||
      (rc = sqlite3_prepare_v2 (db, "SELECT ifnull (max (id), 0) FROM raw_messages", -1,
                                &max_id, NULL)) != SQLITE_OK)
    {
      fail (db, rc, "prepare the archive batch", error);
      goto out;
    }

  rc = sqlite3_step (max_id);
  if (rc != SQLITE_ROW)
    {
      fail (db, rc, "read the archive's last id", error);
      goto out;
    }
  min_id = sqlite3_column_int64 (max_id, 0) - WARD_STORE_REDELIVERY_WINDOW;

  for (guint i = 0; i < n_items; i++)
    {
      WardArchiveItem *item = &items[i];
      guint8 digest[DIGEST_LENGTH];

      g_return_val_if_fail (item->payload != NULL || item->length == 0, FALSE);

      compute_digest (item->payload ? item->payload : "", item->length, digest);

      item->duplicate_of = 0;
      if (item->mqtt_mid > 0)
        {
          item->duplicate_of = find_original (db, find, source, item, digest, min_id, error);
          if (item->duplicate_of < 0)
            goto out;
        }

      sqlite3_reset (insert);
      sqlite3_clear_bindings (insert);
      sqlite3_bind_int64 (insert, 1, received_at);
      sqlite3_bind_text (insert, 2, source, -1, SQLITE_STATIC);
      if (content_type != NULL)
        sqlite3_bind_text (insert, 3, content_type, -1, SQLITE_STATIC);
      if (item->device_id != NULL)
        sqlite3_bind_text (insert, 4, item->device_id, -1, SQLITE_STATIC);
      /* A blob, not text: raw bytes are kept exactly as they arrived. */
      sqlite3_bind_blob64 (insert, 5, item->payload ? item->payload : "", item->length,
                           SQLITE_STATIC);
      sqlite3_bind_blob (insert, 6, digest, DIGEST_LENGTH, SQLITE_STATIC);
      if (item->mqtt_mid > 0)
        sqlite3_bind_int (insert, 7, item->mqtt_mid);
      if (item->duplicate_of > 0)
        {
          /* Never mapped: the original made the measurements. */
          sqlite3_bind_int64 (insert, 8, item->duplicate_of);
          sqlite3_bind_int64 (insert, 9, received_at);
        }

      rc = sqlite3_step (insert);
      if (rc != SQLITE_DONE)
        {
          fail (db, rc, "archive raw message", error);
          goto out;
        }
      item->raw_id = sqlite3_last_insert_rowid (db);
    }

  ok = TRUE;

out:
  sqlite3_finalize (find);
  sqlite3_finalize (insert);
  sqlite3_finalize (max_id);

  return ok;
}

void
ward_store_archive_set_busy_poll (WardStore *self)
{
  g_return_if_fail (WARD_IS_STORE (self));

  sqlite3_busy_handler (_ward_store_get_db (self), busy_poll_cb, NULL);
}
