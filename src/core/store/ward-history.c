/* ward-history.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-history"

#include "config.h"

#include "ward-history.h"
#include "ward-store.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

/* Reading a patient's history for charts and the table of windows.  Each
 * load opens its own read-only connection: a load runs in a GTask worker
 * and two may overlap (a span changed while the previous one was still
 * loading), and an SQLite connection opened NOMUTEX must not be shared
 * between threads.  Opening costs well under a millisecond next to the
 * queries.
 */

struct _WardHistory
{
  gatomicrefcount  ref_count;

  char            *patient_id;
  gint64           from;
  gint64           to;
  GArray          *series[WARD_MEAS_N_KINDS];   /* of WardHistoryPoint */
  guint            n_stored[WARD_MEAS_N_KINDS];
  GArray          *scores;                      /* of WardHistoryScore */
  GArray          *flags;                       /* of WardHistoryFlag */
  int              spo2_scale;
  char            *spo2_scale_set_by;
  gint64           spo2_scale_set_at;
};

typedef struct
{
  char   *db_path;
  char   *patient_id;
  gint64  from;
  gint64  to;
  guint   max_points;
} LoadData;

/* Streams points in time order into per-bucket minimum and maximum. */
typedef struct
{
  GArray           *out;
  gint64            from;
  gint64            bucket_usec;   /* 0: keep everything */
  gint64            bucket;
  gboolean          have_bucket;
  WardHistoryPoint  min;
  WardHistoryPoint  max;
  WardHistoryPoint  last;
  gboolean          have_device;
  GArray           *nurse;        /* nurse points of the current bucket */
} Decimator;

G_DEFINE_BOXED_TYPE (WardHistory, ward_history, ward_history_ref, ward_history_unref)

G_DEFINE_QUARK (ward-history-error-quark, ward_history_error)

/* The NEWS2 parameter's measurement kind, for "who entered it". */
static const WardMeasKind param_kinds[WARD_NEWS2_N_PARAMS] = {
  [WARD_NEWS2_RR] = WARD_MEAS_RR,
  [WARD_NEWS2_SPO2] = WARD_MEAS_SPO2,
  [WARD_NEWS2_AIR_OR_OXYGEN] = WARD_MEAS_ON_OXYGEN,
  [WARD_NEWS2_SBP] = WARD_MEAS_SBP,
  [WARD_NEWS2_HR] = WARD_MEAS_HR,
  [WARD_NEWS2_CONSCIOUSNESS] = WARD_MEAS_CONSCIOUSNESS,
  [WARD_NEWS2_TEMP] = WARD_MEAS_TEMP,
};

static void
load_data_free (LoadData *data)
{
  g_free (data->db_path);
  g_free (data->patient_id);
  g_free (data);
}

static void
score_clear (WardHistoryScore *score)
{
  g_clear_pointer (&score->confirmed_by, g_free);
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    g_clear_pointer (&score->inputs[p].entered_by, g_free);
}

static void
flag_clear (WardHistoryFlag *flag)
{
  g_clear_pointer (&flag->kind, g_free);
  g_clear_pointer (&flag->subject, g_free);
  g_clear_pointer (&flag->reason, g_free);
  g_clear_pointer (&flag->acknowledged_by, g_free);
}

static WardHistory *
history_new (const char *patient_id,
             gint64      from,
             gint64      to)
{
  WardHistory *self = g_new0 (WardHistory, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->patient_id = g_strdup (patient_id);
  self->from = from;
  self->to = to;
  self->spo2_scale = 1;
  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    self->series[k] = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));
  self->scores = g_array_new (FALSE, TRUE, sizeof (WardHistoryScore));
  g_array_set_clear_func (self->scores, (GDestroyNotify) score_clear);
  self->flags = g_array_new (FALSE, TRUE, sizeof (WardHistoryFlag));
  g_array_set_clear_func (self->flags, (GDestroyNotify) flag_clear);

  return self;
}

static void
decimator_init (Decimator *d,
                GArray    *out,
                gint64     from,
                gint64     to,
                guint      max_points,
                guint      n_points)
{
  *d = (Decimator) { .out = out, .from = from };

  /* Two points (minimum and maximum) per bucket. */
  if (max_points >= 2 && n_points > max_points && to > from)
    d->bucket_usec = MAX (1, (to - from) / (max_points / 2));
  d->nurse = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));
}

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  const WardHistoryPoint *pa = a;
  const WardHistoryPoint *pb = b;

  return (pa->t > pb->t) - (pa->t < pb->t);
}

static void
decimator_flush (Decimator *d,
                 gboolean   keep_last)
{
  guint first = d->out->len;

  if (d->have_device)
    {
      const WardHistoryPoint *a = &d->min;
      const WardHistoryPoint *b = &d->max;

      if (a->t > b->t)
        {
          const WardHistoryPoint *tmp = a;
          a = b;
          b = tmp;
        }
      g_array_append_vals (d->out, a, 1);
      if (b->t != a->t)
        g_array_append_vals (d->out, b, 1);
      if (keep_last && d->last.t != a->t && d->last.t != b->t)
        g_array_append_vals (d->out, &d->last, 1);
    }

  if (d->nurse->len > 0)
    {
      g_array_append_vals (d->out, d->nurse->data, d->nurse->len);
      g_array_set_size (d->nurse, 0);
    }

  /* A bucket holds at most a few points: sorting them is nothing. */
  if (d->out->len - first > 1)
    qsort (&g_array_index (d->out, WardHistoryPoint, first), d->out->len - first,
           sizeof (WardHistoryPoint), compare_points);

  d->have_device = FALSE;
}

static void
decimator_push (Decimator              *d,
                const WardHistoryPoint *point)
{
  gint64 bucket;

  if (d->bucket_usec == 0)
    {
      g_array_append_vals (d->out, point, 1);
      return;
    }

  /* Buckets on multiples of their width, not from "from": a reload a
   * moment later keeps the same buckets, so unchanged data decimates to
   * the same points and the chart has nothing to redraw.
   */
  bucket = point->t / d->bucket_usec;
  if (d->have_bucket && bucket != d->bucket)
    decimator_flush (d, FALSE);
  d->bucket = bucket;
  d->have_bucket = TRUE;

  /* Nurse entries are few and each one is a documented observation:
   * they are always kept.
   */
  if (point->source == WARD_SOURCE_NURSE)
    {
      g_array_append_vals (d->nurse, point, 1);
      return;
    }

  if (!d->have_device)
    {
      d->min = d->max = *point;
      d->have_device = TRUE;
    }
  else
    {
      if (point->value < d->min.value)
        d->min = *point;
      if (point->value > d->max.value)
        d->max = *point;
    }
  d->last = *point;
}

static void
decimator_finish (Decimator *d)
{
  if (d->bucket_usec != 0)
    decimator_flush (d, TRUE);
  g_clear_pointer (&d->nurse, g_array_unref);
}

static gboolean
set_sql_error (sqlite3     *db,
               const char  *what,
               GError     **error)
{
  g_set_error (error, WARD_HISTORY_ERROR, WARD_HISTORY_ERROR_SQL,
               "Cannot read %s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static sqlite3 *
open_readonly (const char  *db_path,
               GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int version = -1;
  int rc;

  rc = sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, WARD_HISTORY_ERROR, WARD_HISTORY_ERROR_OPEN,
                   "Cannot open the database %s: %s", db_path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }

  /* The writer may hold its lock for a commit; wait rather than fail. */
  sqlite3_busy_timeout (db, 5000);

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version != WARD_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, WARD_HISTORY_ERROR, WARD_HISTORY_ERROR_SCHEMA,
                   "The database %s has schema version %d, not %d", db_path, version,
                   WARD_STORE_SCHEMA_VERSION);
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

/* The roll-ups' mark (the last measurement they count), or -1 when the
 * database has none yet.
 */
static gint64
get_rollup_mark (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 mark = -1;

  if (sqlite3_prepare_v2 (db, "SELECT value FROM settings WHERE key = 'rollup-mark'", -1, &stmt,
                          NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    mark = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return mark;
}

static void
append_point (GArray     *points,
              gint64      t,
              double      value,
              WardSource  source)
{
  WardHistoryPoint point = { .t = t, .value = value, .source = source };

  g_array_append_val (points, point);
}

/* A long span from the roll-ups (store/ward-store-rollups.c): per bucket
 * its minimum and maximum, at the bucket's middle, so a spike stays on the
 * chart as a bar; per minute when that fits in max_points, else per
 * hour.  The measurements stored after the roll-ups' mark are read raw,
 * and so are the nurse entries still kept, each a documented observation
 * the chart marks (its value is also within its bucket's range).  The
 * result goes through the same decimator as raw points.
 */
static gboolean
load_series_rollups (WardHistory   *self,
                     sqlite3       *db,
                     WardMeasKind   kind,
                     guint          max_points,
                     gint64         mark,
                     GError       **error)
{
  const char *kind_name = ward_meas_kind_to_string (kind);
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));
  sqlite3_stmt *stmt = NULL;
  gint64 span = WARD_HISTORY_ROLLUP_MINUTE;
  guint n_stored = 0;
  Decimator d;
  int rc;

  /* Up to two points a minute, which the decimator below takes down to
   * max_points: the minute roll-ups are finer than its buckets.
   */
  if ((self->to - self->from) / (span * G_USEC_PER_SEC) > max_points)
    span = WARD_HISTORY_ROLLUP_HOUR;

  if (sqlite3_prepare_v2 (db,
                          "SELECT bucket, n, value_min, value_max FROM measurement_rollups "
                          "WHERE patient_id = ?1 AND kind = ?2 AND span = ?3 "
                          "AND bucket > ?4 - ?3 * 1000000 AND bucket <= ?5 ORDER BY bucket",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (db, "roll-ups", error);
  sqlite3_bind_text (stmt, 1, self->patient_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind_name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, span);
  sqlite3_bind_int64 (stmt, 4, self->from);
  sqlite3_bind_int64 (stmt, 5, self->to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 t = sqlite3_column_int64 (stmt, 0) + span * G_USEC_PER_SEC / 2;
      double min = sqlite3_column_double (stmt, 2);
      double max = sqlite3_column_double (stmt, 3);

      n_stored += sqlite3_column_int (stmt, 1);
      append_point (points, t, min, WARD_SOURCE_DEVICE);
      if (max != min)
        append_point (points, t, max, WARD_SOURCE_DEVICE);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (db, "roll-ups", error);

  /* Raw rows: the nurse entries (a partial index has them), and those
   * not counted yet (the newest ids: a range of the table's own key).
   */
  for (guint q = 0; q < 2; q++)
    {
      static const char * const sql[] = {
        "SELECT observed_at, value, source, id > ?5 FROM measurements "
        "WHERE patient_id = ?1 AND kind = ?2 AND observed_at > ?3 AND observed_at <= ?4 "
        "AND source = 'nurse'",
        "SELECT observed_at, value, source, 1 FROM measurements NOT INDEXED "
        "WHERE id > ?5 AND patient_id = ?1 AND kind = ?2 AND observed_at > ?3 "
        "AND observed_at <= ?4 AND source <> 'nurse'",
      };

      if (sqlite3_prepare_v2 (db, sql[q], -1, &stmt, NULL) != SQLITE_OK)
        return set_sql_error (db, "measurements", error);
      sqlite3_bind_text (stmt, 1, self->patient_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, kind_name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, self->from);
      sqlite3_bind_int64 (stmt, 4, self->to);
      sqlite3_bind_int64 (stmt, 5, mark);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gboolean nurse = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "nurse") == 0;

          append_point (points, sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1),
                        nurse ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE);
          if (sqlite3_column_int (stmt, 3))
            n_stored++;
        }
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        return set_sql_error (db, "measurements", error);
    }

  g_array_sort (points, compare_points);
  self->n_stored[kind] = n_stored;
  decimator_init (&d, self->series[kind], self->from, self->to, max_points, points->len);
  g_array_set_size (self->series[kind], 0);
  for (guint i = 0; i < points->len; i++)
    decimator_push (&d, &g_array_index (points, WardHistoryPoint, i));
  decimator_finish (&d);

  return TRUE;
}

static gboolean
load_series (WardHistory   *self,
             sqlite3       *db,
             WardMeasKind   kind,
             guint          max_points,
             gint64         rollup_mark,
             GCancellable  *cancellable,
             GError       **error)
{
  const char *kind_name = ward_meas_kind_to_string (kind);
  sqlite3_stmt *stmt = NULL;
  guint n_points = 0;
  Decimator d;
  int rc;

  /* A chart whose buckets are a minute wide or more gains nothing from
   * the raw rows: 24 hours of 5-second readings are some 17,000 rows a
   * series, read in about 1,440 roll-ups (bench-history).
   */
  if (rollup_mark >= 0 && max_points >= 2 &&
      (self->to - self->from) / (max_points / 2) >= WARD_HISTORY_ROLLUP_BUCKET)
    return load_series_rollups (self, db, kind, max_points, rollup_mark, error);

  /* The index on (patient_id, kind, observed_at) serves both queries. */
  if (sqlite3_prepare_v2 (db,
                          "SELECT count(*) FROM measurements "
                          "WHERE patient_id = ?1 AND kind = ?2 "
                          "AND observed_at > ?3 AND observed_at <= ?4",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (db, "measurements", error);
  sqlite3_bind_text (stmt, 1, self->patient_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind_name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, self->from);
  sqlite3_bind_int64 (stmt, 4, self->to);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n_points = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  self->n_stored[kind] = n_points;
  if (n_points == 0)
    return TRUE;

  if (sqlite3_prepare_v2 (db,
                          "SELECT observed_at, value, source FROM measurements "
                          "WHERE patient_id = ?1 AND kind = ?2 "
                          "AND observed_at > ?3 AND observed_at <= ?4 "
                          "ORDER BY observed_at, id",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (db, "measurements", error);
  sqlite3_bind_text (stmt, 1, self->patient_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind_name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, self->from);
  sqlite3_bind_int64 (stmt, 4, self->to);

  decimator_init (&d, self->series[kind], self->from, self->to, max_points, n_points);
  if (d.bucket_usec == 0)
    g_array_set_size (self->series[kind], 0);

  for (guint i = 0; (rc = sqlite3_step (stmt)) == SQLITE_ROW; i++)
    {
      WardHistoryPoint point;

      point.t = sqlite3_column_int64 (stmt, 0);
      point.value = sqlite3_column_double (stmt, 1);
      point.source = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "nurse") == 0
                     ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE;
      decimator_push (&d, &point);

      if ((i & 0x3fff) == 0x3fff && g_cancellable_is_cancelled (cancellable))
        break;
    }
  decimator_finish (&d);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_sql_error (db, "measurements", error);

  return TRUE;
}

static void
parse_inputs (WardHistoryScore *score,
              const char       *json)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *root;
  JsonObject *params;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;

  root = json_node_get_object (json_parser_get_root (parser));
  score->spo2_scale = (int) json_object_get_int_member_with_default (root, "spo2_scale", 1);
  params = json_object_get_object_member (root, "params");
  if (params == NULL)
    return;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      WardHistoryInput *input = &score->inputs[p];
      JsonObject *param;
      JsonNode *value;
      const char *time;

      if (!json_object_has_member (params, ward_news2_param_to_string (p)))
        continue;
      param = json_object_get_object_member (params, ward_news2_param_to_string (p));
      if (param == NULL)
        continue;

      input->present = TRUE;
      input->points = (int) json_object_get_int_member_with_default (param, "points", 0);
      input->source = g_strcmp0 (json_object_get_string_member_with_default (param, "source", ""),
                                 "nurse") == 0 ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE;
      time = json_object_get_string_member_with_default (param, "observed_at", NULL);
      if (time != NULL)
        ward_time_parse_iso8601 (time, &input->observed_at);

      value = json_object_get_member (param, "value");
      if (value != NULL && json_node_get_value_type (value) == G_TYPE_STRING)
        {
          const char *str = json_node_get_string (value);
          WardAcvpu acvpu;

          if (p == WARD_NEWS2_AIR_OR_OXYGEN)
            input->value = g_strcmp0 (str, "oxygen") == 0 ? 1 : 0;
          else if (ward_acvpu_from_string (str, &acvpu))
            input->value = acvpu;
        }
      else if (value != NULL && JSON_NODE_HOLDS_VALUE (value))
        input->value = json_node_get_double (value);
    }
}

/* The nurse behind each nurse-entered input.  The inputs JSON keeps the
 * time to the millisecond, the store to the microsecond: match within it.
 */
static void
find_entered_by (WardHistoryScore *score,
                 sqlite3          *db,
                 sqlite3_stmt     *stmt,
                 const char       *patient_id)
{
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      WardHistoryInput *input = &score->inputs[p];

      if (!input->present || input->source != WARD_SOURCE_NURSE)
        continue;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, ward_meas_kind_to_string (param_kinds[p]), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, input->observed_at - 1000);
      sqlite3_bind_int64 (stmt, 4, input->observed_at + 1000);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        input->entered_by = dup_column_text (stmt, 0);
    }
}

static gboolean
load_scores (WardHistory   *self,
             sqlite3       *db,
             GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  sqlite3_stmt *who = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "SELECT window_start, window_end, computed_at, total, band, complete, "
                          "status, confirmed_by, confirmed_at, inputs, age, news2_applicable "
                          "FROM scores "
                          "WHERE patient_id = ?1 AND kind = 'news2' "
                          "AND window_end > ?2 AND window_start <= ?3 "
                          "ORDER BY window_end",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (db, "scores", error);
  if (sqlite3_prepare_v2 (db,
                          "SELECT entered_by FROM measurements "
                          "WHERE patient_id = ?1 AND kind = ?2 AND source = 'nurse' "
                          "AND observed_at BETWEEN ?3 AND ?4 ORDER BY observed_at DESC LIMIT 1",
                          -1, &who, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return set_sql_error (db, "measurements", error);
    }

  sqlite3_bind_text (stmt, 1, self->patient_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, self->from);
  sqlite3_bind_int64 (stmt, 3, self->to);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardHistoryScore score = { 0 };

      score.window_start = sqlite3_column_int64 (stmt, 0);
      score.window_end = sqlite3_column_int64 (stmt, 1);
      score.computed_at = sqlite3_column_int64 (stmt, 2);
      score.total = sqlite3_column_int (stmt, 3);
      ward_band_from_string ((const char *) sqlite3_column_text (stmt, 4), &score.band);
      score.complete = sqlite3_column_int (stmt, 5) != 0;
      score.final = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 6), "final") == 0;
      score.confirmed_by = dup_column_text (stmt, 7);
      score.confirmed_at = sqlite3_column_int64 (stmt, 8);
      score.spo2_scale = 1;
      score.age = sqlite3_column_type (stmt, 10) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 10);
      score.news2_applicable = sqlite3_column_int (stmt, 11) != 0;
      parse_inputs (&score, (const char *) sqlite3_column_text (stmt, 9));
      find_entered_by (&score, db, who, self->patient_id);

      g_array_append_val (self->scores, score);
    }

  sqlite3_finalize (who);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return set_sql_error (db, "scores", error);

  return TRUE;
}

static gboolean
load_flags (WardHistory   *self,
            sqlite3       *db,
            GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "SELECT id, kind, subject, band, opened_at, escalated_at, closed_at, "
                          "reason, acknowledged_by, acknowledged_at FROM flags "
                          "WHERE patient_id = ?1 AND opened_at <= ?3 "
                          "AND (closed_at IS NULL OR closed_at > ?2) "
                          "ORDER BY opened_at, id",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (db, "flags", error);

  sqlite3_bind_text (stmt, 1, self->patient_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, self->from);
  sqlite3_bind_int64 (stmt, 3, self->to);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardHistoryFlag flag = { 0 };

      flag.id = sqlite3_column_int64 (stmt, 0);
      flag.kind = dup_column_text (stmt, 1);
      flag.subject = dup_column_text (stmt, 2);
      ward_band_from_string ((const char *) sqlite3_column_text (stmt, 3), &flag.band);
      flag.opened_at = sqlite3_column_int64 (stmt, 4);
      flag.escalated_at = sqlite3_column_int64 (stmt, 5);
      flag.closed_at = sqlite3_column_int64 (stmt, 6);
      flag.reason = dup_column_text (stmt, 7);
      flag.acknowledged_by = dup_column_text (stmt, 8);
      flag.acknowledged_at = sqlite3_column_int64 (stmt, 9);

      g_array_append_val (self->flags, flag);
    }

  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return set_sql_error (db, "flags", error);

  return TRUE;
}

static gboolean
load_patient (WardHistory   *self,
              sqlite3       *db,
              GError       **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db,
                          "SELECT spo2_scale, spo2_scale_set_by, spo2_scale_set_at "
                          "FROM patients WHERE id = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (db, "patients", error);

  sqlite3_bind_text (stmt, 1, self->patient_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      self->spo2_scale = sqlite3_column_int (stmt, 0);
      self->spo2_scale_set_by = dup_column_text (stmt, 1);
      self->spo2_scale_set_at = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_finalize (stmt);

  return TRUE;
}

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GError) error = NULL;
  WardHistory *history;

  history = ward_history_load (data->db_path, data->patient_id, data->from, data->to,
                               data->max_points, cancellable, &error);
  if (history == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, history, (GDestroyNotify) ward_history_unref);
  else
    ward_history_unref (history);
}

WardHistory *
ward_history_load (const char    *db_path,
                   const char    *patient_id,
                   gint64         from,
                   gint64         to,
                   guint          max_points,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(WardHistory) self = NULL;
  sqlite3 *db;
  gboolean ok = TRUE;
  gint64 rollup_mark;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = open_readonly (db_path, error);
  if (db == NULL)
    return NULL;

  self = history_new (patient_id, from, to);

  /* One read transaction: every query sees the same commit of the writer. */
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);

  ok = load_patient (self, db, error);
  rollup_mark = get_rollup_mark (db);
  for (guint k = 0; ok && k < WARD_MEAS_N_KINDS; k++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else
        ok = load_series (self, db, k, max_points, rollup_mark, cancellable, error);
    }
  if (ok)
    ok = load_scores (self, db, error);
  if (ok)
    ok = load_flags (self, db, error);

  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);

  if (!ok)
    return NULL;

  return g_steal_pointer (&self);
}

void
ward_history_load_async (const char          *db_path,
                         const char          *patient_id,
                         gint64               from,
                         gint64               to,
                         guint                max_points,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (patient_id != NULL);

  data = g_new0 (LoadData, 1);
  data->db_path = g_strdup (db_path);
  data->patient_id = g_strdup (patient_id);
  data->from = from;
  data->to = to;
  data->max_points = max_points;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_history_load_async);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, load_worker);
}

WardHistory *
ward_history_load_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ward_history_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

WardHistory *
ward_history_ref (WardHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
ward_history_unref (WardHistory *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    g_clear_pointer (&self->series[k], g_array_unref);
  g_clear_pointer (&self->scores, g_array_unref);
  g_clear_pointer (&self->flags, g_array_unref);
  g_free (self->patient_id);
  g_free (self->spo2_scale_set_by);
  g_free (self);
}

const char *
ward_history_get_patient_id (WardHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->patient_id;
}

gint64
ward_history_get_from (WardHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->from;
}

gint64
ward_history_get_to (WardHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->to;
}

const WardHistoryPoint *
ward_history_get_points (WardHistory  *self,
                         WardMeasKind  kind,
                         guint        *n_points)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (kind < WARD_MEAS_N_KINDS, NULL);
  g_return_val_if_fail (n_points != NULL, NULL);

  *n_points = self->series[kind]->len;

  return (const WardHistoryPoint *) (gpointer) self->series[kind]->data;
}

guint
ward_history_get_n_stored (WardHistory  *self,
                           WardMeasKind  kind)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (kind < WARD_MEAS_N_KINDS, 0);

  return self->n_stored[kind];
}

gboolean
ward_history_is_decimated (WardHistory  *self,
                           WardMeasKind  kind)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (kind < WARD_MEAS_N_KINDS, FALSE);

  return self->series[kind]->len < self->n_stored[kind];
}

guint
ward_history_get_n_scores (WardHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->scores->len;
}

const WardHistoryScore *
ward_history_get_score (WardHistory *self,
                        guint        index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->scores->len, NULL);

  return &g_array_index (self->scores, WardHistoryScore, index);
}

guint
ward_history_get_n_flags (WardHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->flags->len;
}

const WardHistoryFlag *
ward_history_get_flag (WardHistory *self,
                       guint        index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->flags->len, NULL);

  return &g_array_index (self->flags, WardHistoryFlag, index);
}

int
ward_history_get_spo2_scale (WardHistory  *self,
                             const char  **set_by,
                             gint64       *set_at)
{
  g_return_val_if_fail (self != NULL, 1);

  if (set_by != NULL)
    *set_by = self->spo2_scale_set_by;
  if (set_at != NULL)
    *set_at = self->spo2_scale_set_at;

  return self->spo2_scale;
}

GArray *
ward_history_decimate (const WardHistoryPoint *points,
                       guint                   n_points,
                       gint64                  from,
                       gint64                  to,
                       guint                   max_points)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));
  Decimator d;

  g_return_val_if_fail (points != NULL || n_points == 0, out);

  decimator_init (&d, out, from, to, max_points, n_points);
  for (guint i = 0; i < n_points; i++)
    decimator_push (&d, &points[i]);
  decimator_finish (&d);

  return out;
}
