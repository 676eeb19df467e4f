/* ward-audit.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-audit"

#include "config.h"

#include "ward-audit.h"

#include <json-glib/json-glib.h>

/* The chain starts from a fixed value, not from nothing, so that an
 * empty prev_hash never passes for the first row's.
 */
#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static void
add_text_or_null (JsonBuilder *builder,
                  const char  *text)
{
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

static void
add_int_or_null (JsonBuilder *builder,
                 gint64       value)
{
  if (value != 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* The canonical content: a JSON array of the columns in a fixed order,
 * which no two different rows share (JSON escapes every separator).
 */
static char *
canonical_content (const WardAuditRow *row)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, row->id);
  json_builder_add_int_value (builder, row->at);
  add_text_or_null (builder, row->actor);
  add_text_or_null (builder, row->action);
  add_text_or_null (builder, row->patient_id);
  add_int_or_null (builder, row->flag_id);
  add_int_or_null (builder, row->task_id);
  add_text_or_null (builder, row->station);
  add_text_or_null (builder, row->detail);
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

char *
ward_audit_row_hash (const WardAuditRow *row)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *content = NULL;
  const char *prev;

  g_return_val_if_fail (row != NULL, NULL);

  prev = row->prev_hash != NULL ? row->prev_hash : "";
  content = canonical_content (row);
  g_checksum_update (checksum, (const guchar *) prev, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, (const guchar *) content, -1);

  return g_strdup (g_checksum_get_string (checksum));
}

gboolean
ward_audit_append (WardStore   *store,
                   gint64       at,
                   const char  *actor,
                   const char  *action,
                   const char  *patient_id,
                   gint64       flag_id,
                   gint64       task_id,
                   const char  *station,
                   const char  *detail_json,
                   gint64      *id,
                   GError     **error)
{
  g_autofree char *last_hash = NULL;
  g_autofree char *hash = NULL;
  gint64 last_id = 0;
  WardAuditRow row = { 0 };

  g_return_val_if_fail (WARD_IS_STORE (store), FALSE);
  g_return_val_if_fail (actor != NULL && action != NULL && station != NULL, FALSE);

  if (!ward_store_audit_last (store, &last_id, &last_hash, error))
    return FALSE;

  row.id = last_id + 1;
  row.at = at;
  row.actor = (char *) actor;
  row.action = (char *) action;
  row.patient_id = (char *) patient_id;
  row.flag_id = flag_id;
  row.task_id = task_id;
  row.station = (char *) station;
  row.detail = (char *) detail_json;
  row.prev_hash = last_hash != NULL ? last_hash : (char *) GENESIS_HASH;
  row.hash = hash = ward_audit_row_hash (&row);

  if (!ward_store_audit_insert (store, &row, error))
    return FALSE;

  if (id != NULL)
    *id = row.id;

  return TRUE;
}

typedef struct
{
  gint64  n_rows;
  gint64  expected_id;
  char   *prev_hash;
  gint64  broken_id;
  char   *reason;
} Verify;

static gboolean
verify_row_cb (const WardAuditRow  *row,
               gpointer             user_data,
               GError             **error)
{
  Verify *v = user_data;
  g_autofree char *hash = NULL;

  v->n_rows++;
  if (v->broken_id != 0)
    return TRUE;

  if (row->id != v->expected_id)
    {
      v->broken_id = row->id;
      v->reason = g_strdup_printf ("row %" G_GINT64_FORMAT " is missing", v->expected_id);
      return TRUE;
    }

  if (g_strcmp0 (row->prev_hash, v->prev_hash) != 0)
    {
      v->broken_id = row->id;
      v->reason = g_strdup ("its link to the previous row does not hold");
      return TRUE;
    }

  hash = ward_audit_row_hash (row);
  if (g_strcmp0 (hash, row->hash) != 0)
    {
      v->broken_id = row->id;
      v->reason = g_strdup ("its content does not match its hash: it was changed");
      return TRUE;
    }

  g_free (v->prev_hash);
  v->prev_hash = g_strdup (row->hash);
  v->expected_id++;
  return TRUE;
}

gboolean
ward_audit_verify (WardStore   *store,
                   gint64      *n_rows,
                   gint64      *broken_id,
                   char       **reason,
                   GError     **error)
{
  Verify v = { 0, 1, g_strdup (GENESIS_HASH), 0, NULL };
  gboolean ok;

  g_return_val_if_fail (WARD_IS_STORE (store), FALSE);
  g_return_val_if_fail (broken_id != NULL, FALSE);

  ok = ward_store_audit_foreach (store, 0, verify_row_cb, &v, error);

  if (n_rows != NULL)
    *n_rows = v.n_rows;
  *broken_id = ok ? v.broken_id : 0;
  if (reason != NULL)
    *reason = ok ? g_steal_pointer (&v.reason) : NULL;

  g_free (v.prev_hash);
  g_free (v.reason);
  return ok;
}
