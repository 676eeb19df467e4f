/* ward-store-rollups.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* History roll-ups and the retention of raw measurements (schema
 * version 13; the 12th migration on the wip-export branch).
 *
 * measurement_rollups holds, per patient, kind and bucket, the count,
 * minimum, maximum and sum of the values measured in the bucket, at two
 * spans: a minute and an hour.  Buckets start on multiples of their
 * span (UTC).  A roll-up adds the measurements stored since the last one
 * (ids above the settings key rollup-mark) and moves the mark in the
 * same transaction, so each measurement is counted exactly once however
 * often it runs or wherever it stops.
 *
 * Retention deletes raw measurements observed before a cutoff, only
 * those the roll-ups have counted; per-minute roll-ups can be dropped
 * after a longer cutoff (the per-hour ones cover them); per-hour ones are
 * kept.
 */

#define WARD_ROLLUP_MINUTE 60     /* span, seconds */
#define WARD_ROLLUP_HOUR   3600

/* Default days of raw measurements and of per-minute roll-ups kept. */
#define WARD_STORE_DEFAULT_MEASUREMENT_RETENTION_DAYS 90
#define WARD_STORE_DEFAULT_MINUTE_ROLLUP_RETENTION_DAYS 400

typedef struct
{
  gint64 measurements;      /* raw measurements deleted */
  gint64 minute_rollups;    /* per-minute roll-up rows deleted */
  gboolean more;            /* a batch was full: rows may be left to delete */
} WardRetentionResult;

/* Rows a retention batch deletes at most from each table: the
 * pipeline's tick deletes one batch in its transaction and the next
 * batch in the next tick, so a station catching up on weeks of history
 * never holds the writer for long.
 */
#define WARD_STORE_RETENTION_BATCH_ROWS 5000

/* Counts the measurements stored since the last roll-up.  Runs in the
 * caller's transaction when there is one (the pipeline's tick), else in
 * its own.  Returns how many measurements it counted, or -1 with error.
 */
gint64      ward_store_rollup              (WardStore              *self,
                                            GError                **error);
/* The id of the last measurement counted in the roll-ups. */
gboolean    ward_store_get_rollup_mark     (WardStore              *self,
                                            gint64                 *mark,
                                            GError                **error);
/* Rolls up first, then deletes the raw measurements observed before
 * raw_older_than and the per-minute roll-ups of buckets before
 * minute_older_than (0 for either: delete none of those).  The newest
 * measurement row is never deleted, so its id is never used again for
 * a measurement the mark would take for counted.  Same transaction
 * rules as ward_store_rollup().
 */
gboolean    ward_store_apply_retention     (WardStore              *self,
                                            gint64                  raw_older_than,
                                            gint64                  minute_older_than,
                                            WardRetentionResult    *result,
                                            GError                **error);

/* The same, deleting at most max_rows raw measurements and max_rows
 * per-minute roll-ups (0: no limit), oldest first; result->more says
 * a batch was full and another may have rows to delete.
 */
gboolean    ward_store_apply_retention_batch (WardStore            *self,
                                            gint64                  raw_older_than,
                                            gint64                  minute_older_than,
                                            gint64                  max_rows,
                                            WardRetentionResult    *result,
                                            GError                **error);

/* Whether the oldest measurement row (by id: rows arrive roughly in time
 * order) was observed before t: a cheap test of whether a retention run
 * has anything to delete, without scanning the table.
 */
gboolean    ward_store_has_measurements_before (WardStore          *self,
                                            gint64                  t,
                                            gboolean               *has,
                                            GError                **error);

G_END_DECLS
