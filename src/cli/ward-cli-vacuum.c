/* ward-cli-vacuum.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-vacuum"

#include "config.h"

#include "ward-cli.h"

#include <glib/gstdio.h>

#include <math.h>

#include "ward-policy.h"
#include "ward-store.h"
#include "ward-store-rollups.h"

/* wardwatch-cli vacuum --db=PATH [--retention-days=DAYS]
 * [--minute-rollup-days=DAYS] [--policy=FILE]: the store's retention now
 * (--retention-days, else the ward policy's measurement_retention_days,
 * else 90 days), then its file
 * made smaller.  It rolls up what is not rolled up yet, deletes the raw
 * measurements older than --retention-days that the roll-ups count and
 * the per-minute roll-ups older than --minute-rollup-days (the per-hour
 * ones are kept), then gives the free pages back to the file system: an
 * incremental vacuum, or the first time a full VACUUM that also turns
 * incremental vacuum on.  It prints what it deleted and the file's size
 * before and after, as JSON.  It writes: beside a live Wardwatch it waits
 * for the write lock (5 s, then it fails and changes nothing).  It
 * deletes in batches, each its own transaction, so a live Wardwatch
 * writes in between instead of waiting for the whole retention.
 */

#define VACUUM_BATCH_ROWS (10 * WARD_STORE_RETENTION_BATCH_ROWS)

static gint64
file_size (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;
  gint64 size = 0;

  if (g_stat (path, &st) == 0)
    size += st.st_size;
  if (g_stat (wal, &st) == 0)
    size += st.st_size;
  return size;
}

int
ward_cli_vacuum (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *policy_file = NULL;
  double retention_days = NAN;   /* not given */
  double minute_days = WARD_STORE_DEFAULT_MINUTE_ROLLUP_RETENTION_DAYS;
  WardRetentionResult result = { 0 };
  gint64 now = g_get_real_time ();
  gint64 before;
  gint64 auto_vacuum;
  gboolean full;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The Wardwatch database", "PATH" },
    { "retention-days", 0, 0, G_OPTION_ARG_DOUBLE, &retention_days,
      "Delete raw measurements older than this, once rolled up (default: the policy's "
      "measurement_retention_days, else 90; 0: keep them)", "DAYS" },
    { "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_file,
      "The ward policy file whose measurement_retention_days applies", "FILE" },
    { "minute-rollup-days", 0, 0, G_OPTION_ARG_DOUBLE, &minute_days,
      "Delete per-minute roll-ups older than this (default 400; 0: keep them); "
      "per-hour roll-ups are kept", "DAYS" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "Apply the measurement retention and give free space back.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wardwatch-cli vacuum: %s\n", error->message);
      return 2;
    }

  if (db_path == NULL || retention_days < 0 || minute_days < 0)
    {
      g_printerr ("wardwatch-cli vacuum: --db=PATH is required; the days must not be negative\n");
      return 2;
    }

  /* The option wins over the policy; the policy over the default. */
  if (isnan (retention_days))
    {
      WardEngineConfig policy;

      ward_engine_config_init (&policy);
      if (policy_file != NULL && !ward_policy_load_file (policy_file, &policy, &error))
        {
          g_printerr ("wardwatch-cli vacuum: nothing deleted: %s\n", error->message);
          return 1;
        }
      retention_days = policy.measurement_retention_usec / (24.0 * G_TIME_SPAN_HOUR);
    }

  /* Read-only first: it refuses a database older or newer than this
   * Wardwatch rather than migrating it behind the ward's back.
   */
  store = ward_cli_open_store ("vacuum", db_path);
  if (store == NULL)
    return 1;
  g_clear_object (&store);

  before = file_size (db_path);
  store = ward_store_open (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("wardwatch-cli vacuum: %s\n", error->message);
      return 1;
    }

  do
    {
      WardRetentionResult batch = { 0 };

      if (!ward_store_apply_retention_batch (store,
                                             retention_days > 0
                                             ? now - (gint64) (retention_days * 24 *
                                                               G_TIME_SPAN_HOUR) : 0,
                                             minute_days > 0
                                             ? now - (gint64) (minute_days * 24 *
                                                               G_TIME_SPAN_HOUR) : 0,
                                             VACUUM_BATCH_ROWS, &batch, &error))
        {
          g_printerr ("wardwatch-cli vacuum: stopped after %" G_GINT64_FORMAT " measurements "
                      "deleted (each counted in the roll-ups): %s\n",
                      result.measurements, error->message);
          return 1;
        }
      result.measurements += batch.measurements;
      result.minute_rollups += batch.minute_rollups;
      result.more = batch.more;
    }
  while (result.more);

  /* Incremental vacuum needs auto_vacuum = INCREMENTAL, which only a
   * full VACUUM can switch on for an existing file.
   */
  auto_vacuum = _ward_store_query_int (store, "PRAGMA auto_vacuum", &error);
  full = auto_vacuum != 2;
  if (error != NULL ||
      (full && (!_ward_store_exec (store, "PRAGMA auto_vacuum = INCREMENTAL", &error) ||
                !_ward_store_exec (store, "VACUUM", &error))) ||
      (!full && !_ward_store_exec (store, "PRAGMA incremental_vacuum", &error)) ||
      !_ward_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", &error))
    {
      g_printerr ("wardwatch-cli vacuum: the retention is done (%" G_GINT64_FORMAT
                  " measurements deleted) but the file was not made smaller: %s\n",
                  result.measurements, error->message);
      return 1;
    }

  g_print ("{\"measurements_deleted\":%" G_GINT64_FORMAT ",\"minute_rollups_deleted\":%"
           G_GINT64_FORMAT ",\"vacuum\":\"%s\",\"bytes_before\":%" G_GINT64_FORMAT
           ",\"bytes_after\":%" G_GINT64_FORMAT "}\n",
           result.measurements, result.minute_rollups, full ? "full" : "incremental",
           before, file_size (db_path));

  return 0;
}
