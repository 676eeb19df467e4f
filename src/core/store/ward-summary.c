/* ward-summary.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-summary"

#include "config.h"

#include "ward-summary.h"

#include "ward-store-private.h"
#include "ward-store-shared.h"

#include <string.h>

#define HOUR_USEC (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define DAY_USEC  (24 * HOUR_USEC)

const int ward_summary_response_bin_start[WARD_SUMMARY_N_RESPONSE_BINS - 1] = {
  0, 5, 10, 15, 20, 30, 45, 60, 90,
};

static const char * const column_names[WARD_SUMMARY_N_COLUMNS] = {
  "low", "low-medium", "medium", "high", "no-score",
};

/* A bed of the ward now, and who is in it. */
typedef struct
{
  char *id;
  char *label;
  char *patient_id;
  char *patient_name;
} Bed;

typedef struct
{
  WardStore            *store;
  const WardSummaryOptions *options;
  WardSummary          *summary;
  GPtrArray            *beds;            /* of Bed */
  GHashTable           *bed_of_patient;  /* patient id -> Bed (borrowed) */
  GHashTable           *name_of_patient; /* patient id -> name (owned), every patient */
} Reader;

static void
bed_free (Bed *bed)
{
  g_free (bed->id);
  g_free (bed->label);
  g_free (bed->patient_id);
  g_free (bed->patient_name);
  g_free (bed);
}

static void
device_free (WardSummaryDevice *device)
{
  g_free (device->device_id);
  g_free (device->bed_label);
  g_free (device);
}

static void
summary_bed_free (WardSummaryBed *bed)
{
  g_free (bed->bed_id);
  g_free (bed->bed_label);
  g_free (bed);
}

static void
issue_free (WardSummaryIssue *issue)
{
  g_free (issue->stage);
  g_free (issue);
}

static void
overdue_free (WardSummaryOverdue *overdue)
{
  g_free (overdue->bed_label);
  g_free (overdue->patient_name);
  g_free (overdue->patient_id);
  g_free (overdue);
}

static void
flag_free (WardSummaryFlag *flag)
{
  g_free (flag->kind);
  g_free (flag->band);
  g_free (flag->subject);
  g_free (flag->patient_id);
  g_free (flag->patient_name);
  g_free (flag->bed_label);
  g_free (flag->acknowledged_by);
  g_free (flag->accepted_by);
  g_free (flag->escalated_to);
  g_free (flag->outcome);
  g_free (flag->note);
  g_free (flag);
}

static void
note_free (WardSummaryNote *note)
{
  g_free (note->from_staff);
  g_free (note->to_staff);
  g_free (note->bed_label);
  g_free (note->patient_id);
  g_free (note->patient_name);
  g_free (note->situation);
  g_free (note->background);
  g_free (note->assessment);
  g_free (note->recommendation);
  g_free (note);
}

void
ward_summary_free (WardSummary *summary)
{
  if (summary == NULL)
    return;

  g_clear_pointer (&summary->overdue, g_ptr_array_unref);
  g_clear_pointer (&summary->devices, g_ptr_array_unref);
  g_clear_pointer (&summary->beds, g_ptr_array_unref);
  g_clear_pointer (&summary->issues, g_ptr_array_unref);
  g_clear_pointer (&summary->flags, g_ptr_array_unref);
  g_clear_pointer (&summary->notes, g_ptr_array_unref);
  g_free (summary->ward_name);
  g_free (summary);
}

const char *
ward_summary_column_name (guint column)
{
  g_return_val_if_fail (column < WARD_SUMMARY_N_COLUMNS, NULL);

  return column_names[column];
}

static gboolean
step_failed (Reader      *reader,
             sqlite3_stmt *stmt,
             int          rc,
             const char  *what,
             GError     **error)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;

  return !_ward_store_set_sql_error (reader->store, rc, what, error);
}

/* Binds the period to ?1 and ?2. */
static sqlite3_stmt *
prepare_period (Reader      *reader,
                const char  *sql,
                GError     **error)
{
  sqlite3_stmt *stmt = _ward_store_get_statement (reader->store, sql, error);

  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, reader->options->from);
      sqlite3_bind_int64 (stmt, 2, reader->options->to);
    }

  return stmt;
}

/* The ward's name, as the ward file gave it at the last start. */
static gboolean
read_ward_name (Reader  *reader,
                GError **error)
{
  g_autoptr(GError) local_error = NULL;

  reader->summary->ward_name = ward_store_dup_setting (reader->store, WARD_SUMMARY_WARD_NAME_KEY,
                                                       &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static const char beds_sql[] =
  "SELECT b.id, b.label, b.patient_id, p.name FROM beds b"
  " LEFT JOIN patients p ON p.id = b.patient_id ORDER BY b.label, b.id";
static const char patients_sql[] = "SELECT id, name FROM patients";

static gboolean
read_beds (Reader  *reader,
           GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _ward_store_get_statement (reader->store, beds_sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Bed *bed = g_new0 (Bed, 1);

      bed->id = _ward_store_column_text (stmt, 0);
      bed->label = _ward_store_column_text (stmt, 1);
      bed->patient_id = _ward_store_column_text (stmt, 2);
      bed->patient_name = _ward_store_column_text (stmt, 3);
      g_ptr_array_add (reader->beds, bed);
      if (bed->patient_id != NULL)
        g_hash_table_insert (reader->bed_of_patient, bed->patient_id, bed);
    }
  if (step_failed (reader, stmt, rc, "read the beds", error))
    return FALSE;
  reader->summary->n_beds = reader->beds->len;

  if (!(stmt = _ward_store_get_statement (reader->store, patients_sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
      g_hash_table_insert (reader->name_of_patient, _ward_store_column_text (stmt, 0),
                           _ward_store_column_text (stmt, 1));

  return !step_failed (reader, stmt, rc, "read the patients", error);
}

static const char latest_score_sql[] =
  "SELECT total, band, news2_applicable, window_end FROM scores"
  " WHERE patient_id = ?1 AND kind = 'news2' AND window_end <= ?2"
  " ORDER BY window_end DESC LIMIT 1";

/* The census column of a patient at a time: the band of the latest
 * NEWS2 score at or before it.  *total and *end (may be NULL) get the
 * score's total and window end.
 */
static gboolean
column_at_end (Reader     *reader,
               const char *patient_id,
               gint64      at,
               guint      *column,
               int        *total,
               WardBand   *band,
               gint64     *end,
               GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *column = WARD_SUMMARY_NO_SCORE;
  if (end != NULL)
    *end = 0;
  if (!(stmt = _ward_store_get_statement (reader->store, latest_score_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, at);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      WardBand b;

      if (end != NULL)
        *end = sqlite3_column_int64 (stmt, 3);
      if (sqlite3_column_int (stmt, 2) != 0 &&
          ward_band_from_string ((const char *) sqlite3_column_text (stmt, 1), &b))
        {
          *column = b;
          if (total != NULL)
            *total = sqlite3_column_int (stmt, 0);
          if (band != NULL)
            *band = b;
        }
      rc = sqlite3_step (stmt);
    }

  return !step_failed (reader, stmt, rc, "read a patient's latest score", error);
}

static gboolean
column_at (Reader     *reader,
           const char *patient_id,
           gint64      at,
           guint      *column,
           int        *total,
           WardBand   *band,
           GError    **error)
{
  return column_at_end (reader, patient_id, at, column, total, band, NULL, error);
}

/* Every patient with a NEWS2 window ending in (from, to]: one probe of
 * the scores' (patient_id, kind, window_end) index per patient.
 */
static const char scored_patients_sql[] =
  "SELECT p.id FROM patients p WHERE EXISTS (SELECT 1 FROM scores s"
  " WHERE s.patient_id = p.id AND s.kind = 'news2' AND s.window_end > ?1 AND s.window_end <= ?2)";

static gboolean
read_census (Reader  *reader,
             GError **error)
{
  WardSummary *summary = reader->summary;
  g_autoptr(GPtrArray) patients = g_ptr_array_new_with_free_func (g_free);
  gint64 first_mark = summary->to - (gint64) (WARD_SUMMARY_CENSUS_HOURS - 1) * HOUR_USEC;
  sqlite3_stmt *stmt;
  int rc;

  /* Whoever may have been on the ward over the 24 h: the patients in a
   * bed now, and those with a score in the hours before (discharged or
   * moved out since).
   */
  for (guint b = 0; b < reader->beds->len; b++)
    {
      Bed *bed = g_ptr_array_index (reader->beds, b);

      if (bed->patient_id != NULL)
        g_ptr_array_add (patients, g_strdup (bed->patient_id));
    }
  if (!(stmt = _ward_store_get_statement (reader->store, scored_patients_sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, first_mark - WARD_SUMMARY_CENSUS_PRESENCE_USEC);
  sqlite3_bind_int64 (stmt, 2, summary->to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_hash_table_contains (reader->bed_of_patient, id))
        g_ptr_array_add (patients, g_strdup (id));
    }
  if (step_failed (reader, stmt, rc, "read the patients scored in the census hours", error))
    return FALSE;

  for (guint i = 0; i < WARD_SUMMARY_CENSUS_HOURS; i++)
    {
      /* The last mark is `to` itself: the score a window ending at `to`
       * is still the period's (the period excludes only what starts at to).
       */
      gint64 at = summary->to - (gint64) (WARD_SUMMARY_CENSUS_HOURS - 1 - i) * HOUR_USEC;
      gboolean last = i == WARD_SUMMARY_CENSUS_HOURS - 1;

      summary->census_at[i] = at;
      for (guint p = 0; p < patients->len; p++)
        {
          const char *patient_id = g_ptr_array_index (patients, p);
          gboolean in_bed_now = g_hash_table_contains (reader->bed_of_patient, patient_id);
          gint64 end = 0;
          guint column;

          /* Who was there at the mark, from the history: at `to`, who is
           * in a bed; before, a patient in a bed now once scored by then
           * (the stay had begun), or anyone scored in the hour before
           * the mark (scores are taken while a patient is in a bed).
           */
          if (!column_at_end (reader, patient_id, at, &column, NULL, NULL, &end, error))
            return FALSE;
          if (last ? !in_bed_now
                   : !((in_bed_now && end != 0) ||
                       (end != 0 && end > at - WARD_SUMMARY_CENSUS_PRESENCE_USEC)))
            continue;
          summary->census_series[i][column]++;
        }
    }
  memcpy (summary->census, summary->census_series[WARD_SUMMARY_CENSUS_HOURS - 1],
          sizeof summary->census);

  return TRUE;
}

static const char flags_opened_sql[] =
  "SELECT kind, band, COUNT(*) FROM flags WHERE opened_at >= ?1 AND opened_at < ?2"
  " GROUP BY kind, band";
static const char flags_closed_sql[] =
  "SELECT kind, band, COUNT(*) FROM flags WHERE closed_at >= ?1 AND closed_at < ?2"
  " GROUP BY kind, band";
static const char flags_open_sql[] =
  "SELECT COUNT(*) FROM flags WHERE kind = 'clinical' AND opened_at < ?2"
  " AND (closed_at IS NULL OR closed_at >= ?2)";

static gboolean
count_flags (Reader     *reader,
             const char *sql,
             guint      *by_band,
             guint      *technical,
             GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare_period (reader, sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *kind = (const char *) sqlite3_column_text (stmt, 0);
      guint count = sqlite3_column_int (stmt, 2);
      WardBand band;

      if (g_strcmp0 (kind, "technical") == 0)
        *technical += count;
      else if (ward_band_from_string ((const char *) sqlite3_column_text (stmt, 1), &band))
        by_band[band] += count;
      else
        /* A clinical flag always has a band; one without counts as low
         * rather than not at all.
         */
        by_band[WARD_BAND_LOW] += count;
    }

  return !step_failed (reader, stmt, rc, "count the flags", error);
}

static gboolean
read_flag_counts (Reader  *reader,
                  GError **error)
{
  WardSummary *summary = reader->summary;
  sqlite3_stmt *stmt;
  int rc;

  if (!count_flags (reader, flags_opened_sql, summary->opened, &summary->technical_opened, error) ||
      !count_flags (reader, flags_closed_sql, summary->closed, &summary->technical_closed, error))
    return FALSE;

  if (!(stmt = prepare_period (reader, flags_open_sql, error)))
    return FALSE;
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      summary->open_at_end = sqlite3_column_int (stmt, 0);
      rc = sqlite3_step (stmt);
    }

  return !step_failed (reader, stmt, rc, "count the open flags", error);
}

/* A flag's first task (part_of NULL) and the first acceptance of any
 * task of its escalation chain (the same flag).
 */
static const char response_sql[] =
  "SELECT t.band, t.requested_at, t.status, t.closed_at,"
  "  (SELECT MIN (a.accepted_at) FROM care_tasks a"
  "   WHERE a.flag_id = t.flag_id AND a.accepted_at IS NOT NULL)"
  " FROM care_tasks t WHERE t.kind = 'clinical' AND t.part_of IS NULL AND t.flag_id IS NOT NULL"
  " AND t.requested_at >= ?1 AND t.requested_at < ?2";

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static guint
response_bin (gint64 usec)
{
  for (guint i = WARD_SUMMARY_N_RESPONSE_BINS - 2; i > 0; i--)
    if (usec >= (gint64) ward_summary_response_bin_start[i] * 60 * G_USEC_PER_SEC)
      return i;

  return 0;
}

static gboolean
read_responses (Reader  *reader,
                GError **error)
{
  WardSummary *summary = reader->summary;
  g_autoptr(WardCarePolicy) default_policy = NULL;
  const WardCarePolicy *policy = reader->options->care_policy;
  GArray *times[WARD_BAND_HIGH + 1] = { NULL, };
  gboolean ok = FALSE;
  sqlite3_stmt *stmt;
  int rc;

  if (policy == NULL)
    policy = default_policy = ward_care_policy_new ();

  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      summary->response[b].target_usec = ward_care_policy_response (policy, WARD_CARE_KIND_CLINICAL,
                                                                    TRUE, b);
      summary->response[b].median_usec = -1;
      times[b] = g_array_new (FALSE, FALSE, sizeof (gint64));
    }

  if (!(stmt = prepare_period (reader, response_sql, error)))
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardSummaryResponse *response;
      gint64 requested_at = sqlite3_column_int64 (stmt, 1);
      gint64 accepted_at = sqlite3_column_int64 (stmt, 4);
      WardBand band;

      if (!ward_band_from_string ((const char *) sqlite3_column_text (stmt, 0), &band))
        band = WARD_BAND_LOW;
      response = &summary->response[band];

      if (accepted_at != 0 && accepted_at < summary->to)
        {
          gint64 usec = MAX (accepted_at - requested_at, 0);

          response->n_counted++;
          response->n_accepted++;
          if (usec <= response->target_usec)
            response->n_within++;
          g_array_append_val (times[band], usec);
          summary->response_bins[response_bin (usec)]++;
        }
      else
        {
          /* Not accepted: missed once the target passed while the flag
           * still wanted somebody (its task was not cancelled by the flag
           * closing first).
           */
          const char *status = (const char *) sqlite3_column_text (stmt, 2);
          gint64 end = summary->to;

          if (g_strcmp0 (status, "cancelled") == 0 && sqlite3_column_int64 (stmt, 3) != 0)
            end = MIN (end, sqlite3_column_int64 (stmt, 3));
          if (end - requested_at > response->target_usec)
            {
              response->n_counted++;
              summary->response_bins[WARD_SUMMARY_N_RESPONSE_BINS - 1]++;
            }
        }
    }
  if (step_failed (reader, stmt, rc, "read the response times", error))
    goto out;

  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      WardSummaryResponse *response = &summary->response[b];
      GArray *t = times[b];

      response->n_missed = response->n_counted - response->n_within;
      if (t->len == 0)
        continue;
      g_array_sort (t, compare_int64);
      if (t->len % 2 == 1)
        response->median_usec = g_array_index (t, gint64, t->len / 2);
      else
        response->median_usec = (g_array_index (t, gint64, t->len / 2 - 1) +
                                 g_array_index (t, gint64, t->len / 2)) / 2;
    }
  ok = TRUE;

out:
  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    g_array_unref (times[b]);

  return ok;
}

static const char first_score_sql[] =
  "SELECT MIN (window_end) FROM scores WHERE patient_id = ?1 AND kind = 'news2' AND window_end <= ?2";
static const char last_complete_sql[] =
  "SELECT MAX (window_end) FROM scores"
  " WHERE patient_id = ?1 AND kind = 'news2' AND complete = 1 AND window_end <= ?2";

static gboolean
query_patient_time (Reader     *reader,
                    const char *sql,
                    const char *patient_id,
                    gint64     *value,
                    GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *value = 0;
  if (!(stmt = _ward_store_get_statement (reader->store, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, reader->options->to);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      rc = sqlite3_step (stmt);
    }

  return !step_failed (reader, stmt, rc, "read a patient's observation times", error);
}

static gboolean
read_overdue (Reader  *reader,
              GError **error)
{
  WardSummary *summary = reader->summary;
  WardObsPolicy default_policy;
  const WardObsPolicy *policy = reader->options->obs_policy;

  if (policy == NULL)
    {
      ward_obs_policy_init (&default_policy);
      policy = &default_policy;
    }

  for (guint i = 0; i < reader->beds->len; i++)
    {
      Bed *bed = g_ptr_array_index (reader->beds, i);
      WardSummaryOverdue *overdue;
      gint64 first = 0;
      gint64 last_full = 0;
      gint64 due_at = 0;
      gboolean continuous = FALSE;
      guint column;
      int total = 0;
      WardBand band = WARD_BAND_LOW;

      if (bed->patient_id == NULL)
        continue;
      if (!column_at (reader, bed->patient_id, summary->to, &column, &total, &band, error))
        return FALSE;
      /* No score or NEWS2 not applicable: no frequency to be late on. */
      if (column == WARD_SUMMARY_NO_SCORE)
        continue;
      if (!query_patient_time (reader, first_score_sql, bed->patient_id, &first, error) ||
          !query_patient_time (reader, last_complete_sql, bed->patient_id, &last_full, error))
        return FALSE;

      ward_obs_due (policy, total, band, last_full, first, &due_at, &continuous);
      if (continuous || due_at >= summary->to)
        continue;

      overdue = g_new0 (WardSummaryOverdue, 1);
      overdue->bed_label = g_strdup (bed->label);
      overdue->patient_id = g_strdup (bed->patient_id);
      overdue->patient_name = g_strdup (bed->patient_name);
      g_ptr_array_add (summary->overdue, overdue);
    }

  return TRUE;
}

/* The part of each technical flag's open time within the period. */
static const char technical_sql[] =
  "SELECT f.subject, b.label, COUNT(*),"
  "  SUM (MIN (COALESCE (f.closed_at, ?2), ?2) - MAX (f.opened_at, ?1)) AS open_time"
  " FROM flags f LEFT JOIN devices d ON d.id = f.subject LEFT JOIN beds b ON b.id = d.bed_id"
  " WHERE f.kind = 'technical' AND f.opened_at < ?2 AND (f.closed_at IS NULL OR f.closed_at > ?1)"
  " GROUP BY f.subject ORDER BY open_time DESC, f.subject";

static gboolean
read_technical (Reader  *reader,
                GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare_period (reader, technical_sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardSummaryDevice *device = g_new0 (WardSummaryDevice, 1);

      device->device_id = sqlite3_column_type (stmt, 0) == SQLITE_NULL
                          ? g_strdup ("?") : _ward_store_column_text (stmt, 0);
      device->bed_label = _ward_store_column_text (stmt, 1);
      device->n_alerts = sqlite3_column_int (stmt, 2);
      device->alarm_usec = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (reader->summary->devices, device);
    }

  return !step_failed (reader, stmt, rc, "read the technical alarms", error);
}

static const char burden_flags_sql[] =
  "SELECT patient_id, COUNT(*) FROM flags WHERE opened_at >= ?1 AND opened_at < ?2"
  " GROUP BY patient_id";
static const char burden_notifications_sql[] =
  "SELECT patient_id, COUNT(*) FROM care_communications"
  " WHERE kind IN ('notification', 'escalation') AND sent_at >= ?1 AND sent_at < ?2"
  " GROUP BY patient_id";

static gboolean
count_per_bed (Reader         *reader,
               const char     *sql,
               GHashTable     *rows,
               WardSummaryBed *elsewhere,
               gboolean        flags,
               GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare_period (reader, sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *patient_id = (const char *) sqlite3_column_text (stmt, 0);
      guint count = sqlite3_column_int (stmt, 1);
      Bed *bed = patient_id ? g_hash_table_lookup (reader->bed_of_patient, patient_id) : NULL;
      WardSummaryBed *row = bed ? g_hash_table_lookup (rows, bed->id) : elsewhere;

      if (flags)
        {
          row->n_flags += count;
          reader->summary->n_flags += count;
        }
      else
        {
          row->n_notifications += count;
          reader->summary->n_notifications += count;
        }
    }

  return !step_failed (reader, stmt, rc, "count the alarm burden", error);
}

static gboolean
read_burden (Reader  *reader,
             GError **error)
{
  WardSummary *summary = reader->summary;
  g_autoptr(GHashTable) rows = g_hash_table_new (g_str_hash, g_str_equal);
  WardSummaryBed *elsewhere = g_new0 (WardSummaryBed, 1);

  summary->days = (double) (summary->to - summary->from) / DAY_USEC;
  for (guint i = 0; i < reader->beds->len; i++)
    {
      Bed *bed = g_ptr_array_index (reader->beds, i);
      WardSummaryBed *row = g_new0 (WardSummaryBed, 1);

      row->bed_id = g_strdup (bed->id);
      row->bed_label = g_strdup (bed->label);
      g_ptr_array_add (summary->beds, row);
      g_hash_table_insert (rows, row->bed_id, row);
    }

  if (!count_per_bed (reader, burden_flags_sql, rows, elsewhere, TRUE, error) ||
      !count_per_bed (reader, burden_notifications_sql, rows, elsewhere, FALSE, error))
    {
      summary_bed_free (elsewhere);
      return FALSE;
    }

  if (elsewhere->n_flags > 0 || elsewhere->n_notifications > 0)
    g_ptr_array_add (summary->beds, elsewhere);
  else
    summary_bed_free (elsewhere);

  for (guint i = 0; i < summary->beds->len && summary->days > 0; i++)
    {
      WardSummaryBed *row = g_ptr_array_index (summary->beds, i);

      row->flags_per_day = row->n_flags / summary->days;
      row->notifications_per_day = row->n_notifications / summary->days;
    }
  if (summary->n_beds > 0 && summary->days > 0)
    {
      summary->flags_per_bed_day = summary->n_flags / (summary->n_beds * summary->days);
      summary->notifications_per_bed_day = summary->n_notifications / (summary->n_beds * summary->days);
    }

  return TRUE;
}

static const char issues_sql[] =
  "SELECT stage, COUNT(*) FROM dead_letters WHERE created_at >= ?1 AND created_at < ?2"
  " GROUP BY stage"
  " UNION ALL "
  "SELECT 'fhir-rejected', COUNT(*) FROM outbox WHERE state = 'failed'"
  " AND created_at >= ?1 AND created_at < ?2"
  " ORDER BY 1";

static gboolean
read_issues (Reader  *reader,
             GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare_period (reader, issues_sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardSummaryIssue *issue;
      guint count = sqlite3_column_int (stmt, 1);

      if (count == 0)
        continue;
      issue = g_new0 (WardSummaryIssue, 1);
      issue->stage = _ward_store_column_text (stmt, 0);
      issue->count = count;
      reader->summary->n_issues += count;
      g_ptr_array_add (reader->summary->issues, issue);
    }

  return !step_failed (reader, stmt, rc, "count the data issues", error);
}

static const char details_flags_sql[] =
  "SELECT f.id, f.kind, f.band, f.subject, f.patient_id, f.opened_at, f.acknowledged_at,"
  "  f.acknowledged_by, f.escalated_at, f.closed_at,"
  "  (SELECT accepted_at FROM care_tasks a WHERE a.flag_id = f.id AND a.accepted_at IS NOT NULL"
  "   ORDER BY a.accepted_at LIMIT 1),"
  "  (SELECT accepted_by FROM care_tasks a WHERE a.flag_id = f.id AND a.accepted_at IS NOT NULL"
  "   ORDER BY a.accepted_at LIMIT 1),"
  "  (SELECT requested_at FROM care_tasks e WHERE e.flag_id = f.id AND e.part_of IS NOT NULL"
  "   ORDER BY e.requested_at LIMIT 1),"
  "  (SELECT owner_role FROM care_tasks e WHERE e.flag_id = f.id AND e.part_of IS NOT NULL"
  "   ORDER BY e.requested_at LIMIT 1),"
  "  (SELECT outcome FROM care_tasks c WHERE c.flag_id = f.id AND c.status = 'completed'"
  "   ORDER BY c.closed_at DESC LIMIT 1),"
  "  (SELECT note FROM care_tasks c WHERE c.flag_id = f.id AND c.status = 'completed'"
  "   ORDER BY c.closed_at DESC LIMIT 1)"
  " FROM flags f WHERE f.opened_at < ?2 AND (f.closed_at IS NULL OR f.closed_at >= ?1)"
  " ORDER BY f.opened_at, f.id";

static gint64
column_time (sqlite3_stmt *stmt,
             int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, column);
}

static gboolean
read_flag_details (Reader  *reader,
                   GError **error)
{
  WardSummary *summary = reader->summary;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare_period (reader, details_flags_sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardSummaryFlag *flag = g_new0 (WardSummaryFlag, 1);
      Bed *bed;
      gint64 task_escalated;

      flag->id = sqlite3_column_int64 (stmt, 0);
      flag->kind = _ward_store_column_text (stmt, 1);
      flag->band = _ward_store_column_text (stmt, 2);
      flag->subject = _ward_store_column_text (stmt, 3);
      flag->patient_id = _ward_store_column_text (stmt, 4);
      flag->opened_at = sqlite3_column_int64 (stmt, 5);
      flag->acknowledged_at = column_time (stmt, 6);
      flag->acknowledged_by = _ward_store_column_text (stmt, 7);
      flag->escalated_at = column_time (stmt, 8);
      flag->closed_at = column_time (stmt, 9);
      /* What happened after `to` is not the period's. */
      if (flag->closed_at >= summary->to)
        flag->closed_at = 0;
      flag->accepted_at = column_time (stmt, 10);
      flag->accepted_by = _ward_store_column_text (stmt, 11);
      task_escalated = column_time (stmt, 12);
      flag->escalated_to = _ward_store_column_text (stmt, 13);
      if (task_escalated != 0 && (flag->escalated_at == 0 || task_escalated < flag->escalated_at))
        flag->escalated_at = task_escalated;
      flag->outcome = _ward_store_column_text (stmt, 14);
      flag->note = _ward_store_column_text (stmt, 15);
      if (flag->patient_id != NULL)
        {
          bed = g_hash_table_lookup (reader->bed_of_patient, flag->patient_id);
          flag->bed_label = bed ? g_strdup (bed->label) : NULL;
          flag->patient_name = g_strdup (g_hash_table_lookup (reader->name_of_patient, flag->patient_id));
        }
      g_ptr_array_add (summary->flags, flag);
    }

  return !step_failed (reader, stmt, rc, "read the flags' timelines", error);
}

static const char details_notes_sql[] =
  "SELECT h.offered_at, h.accepted_at, h.from_staff, h.to_staff, n.bed_id, b.label, n.patient_id,"
  "  n.situation, n.background, n.assessment, n.recommendation"
  " FROM care_handovers h JOIN care_handover_beds n ON n.handover_id = h.id"
  " LEFT JOIN beds b ON b.id = n.bed_id"
  " WHERE h.offered_at >= ?1 AND h.offered_at < ?2 AND h.state <> 'cancelled'"
  " ORDER BY h.offered_at, h.id, b.label, n.bed_id";

static gboolean
read_note_details (Reader  *reader,
                   GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare_period (reader, details_notes_sql, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardSummaryNote *note = g_new0 (WardSummaryNote, 1);

      note->offered_at = sqlite3_column_int64 (stmt, 0);
      note->accepted_at = column_time (stmt, 1);
      if (note->accepted_at >= reader->summary->to)
        note->accepted_at = 0;
      note->from_staff = _ward_store_column_text (stmt, 2);
      note->to_staff = _ward_store_column_text (stmt, 3);
      note->bed_label = sqlite3_column_type (stmt, 5) != SQLITE_NULL
                        ? _ward_store_column_text (stmt, 5) : _ward_store_column_text (stmt, 4);
      note->patient_id = _ward_store_column_text (stmt, 6);
      if (note->patient_id != NULL)
        note->patient_name = g_strdup (g_hash_table_lookup (reader->name_of_patient, note->patient_id));
      note->situation = _ward_store_column_text (stmt, 7);
      note->background = _ward_store_column_text (stmt, 8);
      note->assessment = _ward_store_column_text (stmt, 9);
      note->recommendation = _ward_store_column_text (stmt, 10);
      g_ptr_array_add (reader->summary->notes, note);
    }

  return !step_failed (reader, stmt, rc, "read the handover notes", error);
}

WardSummary *
ward_summary_compute (WardStore                 *store,
                      const WardSummaryOptions  *options,
                      GError                   **error)
{
  g_autoptr(WardSummary) summary = NULL;
  g_autoptr(GPtrArray) beds = NULL;
  g_autoptr(GHashTable) bed_of_patient = NULL;
  g_autoptr(GHashTable) name_of_patient = NULL;
  sqlite3 *db;
  gboolean own_transaction;
  gboolean ok;
  Reader reader;

  g_return_val_if_fail (WARD_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options->to <= options->from)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_SQL,
                   "the summary's period must end after it starts");
      return NULL;
    }

  summary = g_new0 (WardSummary, 1);
  summary->from = options->from;
  summary->to = options->to;
  summary->overdue = g_ptr_array_new_with_free_func ((GDestroyNotify) overdue_free);
  summary->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) device_free);
  summary->beds = g_ptr_array_new_with_free_func ((GDestroyNotify) summary_bed_free);
  summary->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) issue_free);
  if (options->details)
    {
      summary->flags = g_ptr_array_new_with_free_func ((GDestroyNotify) flag_free);
      summary->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) note_free);
    }

  beds = g_ptr_array_new_with_free_func ((GDestroyNotify) bed_free);
  bed_of_patient = g_hash_table_new (g_str_hash, g_str_equal);
  name_of_patient = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  reader = (Reader) {
    .store = store, .options = options, .summary = summary, .beds = beds,
    .bed_of_patient = bed_of_patient, .name_of_patient = name_of_patient,
  };

  /* One read transaction: every figure from the same state of the
   * database, while the pipeline goes on writing (WAL).
   */
  db = _ward_store_get_db (store);
  own_transaction = sqlite3_get_autocommit (db) != 0;
  if (own_transaction)
    {
      int rc = sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);

      if (rc != SQLITE_OK)
        {
          _ward_store_set_sql_error (store, rc, "begin reading the summary", error);
          return NULL;
        }
    }

  ok = read_ward_name (&reader, error) &&
       read_beds (&reader, error) &&
       read_census (&reader, error) &&
       read_flag_counts (&reader, error) &&
       read_responses (&reader, error) &&
       read_overdue (&reader, error) &&
       read_technical (&reader, error) &&
       read_burden (&reader, error) &&
       read_issues (&reader, error) &&
       (!options->details || (read_flag_details (&reader, error) &&
                              read_note_details (&reader, error)));

  if (own_transaction)
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);

  if (!ok)
    return NULL;

  return g_steal_pointer (&summary);
}

typedef struct
{
  char               *db_path;
  WardSummaryOptions  options;
  WardCarePolicy     *care_policy;
  WardObsPolicy       obs_policy;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->db_path);
  g_clear_pointer (&data->care_policy, ward_care_policy_free);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardSummary *summary;

  store = ward_store_open_readonly (data->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  summary = ward_summary_compute (store, &data->options, &error);
  if (summary == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, summary, (GDestroyNotify) ward_summary_free);
}

void
ward_summary_load_async (const char                *db_path,
                         const WardSummaryOptions  *options,
                         GCancellable              *cancellable,
                         GAsyncReadyCallback        callback,
                         gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (options != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ward_summary_load_async);
  data = g_new0 (LoadData, 1);
  data->db_path = g_strdup (db_path);
  data->options = *options;
  /* The worker keeps its own copies of the policies. */
  if (options->care_policy != NULL)
    data->care_policy = ward_care_policy_copy (options->care_policy);
  data->options.care_policy = data->care_policy;
  if (options->obs_policy != NULL)
    {
      data->obs_policy = *options->obs_policy;
      data->options.obs_policy = &data->obs_policy;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

WardSummary *
ward_summary_load_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
