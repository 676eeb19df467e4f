/* ward-test-summary.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-summary.h"

#include "ward-store-private.h"

/* Times are minutes from T0 (07:00 UTC); the period is [0, 720).
 *
 * Census at the end (720): p1 high (score at 660), p2 medium (60), p3 low
 * (690); p4 has no bed now.  Over the 24 hour marks (minute 60 i - 660,
 * i = 0..23), from the history: p1 (bed) from its first score at -120
 * (mark 9), low, high from 660 (mark 22); p2 (bed) from 60 (mark 12),
 * medium; p3 (bed) from 690, so only at the end (mark 23); p4, no bed
 * now, scored medium at 240, counts at mark 15 (240) only.  So marks 0-8:
 * nobody; 9-11: low 1; 12-14: low 1, medium 1; 15: low 1, medium 2;
 * 16-21: low 1, medium 1; 22: medium 1, high 1; 23: low, medium, high 1.  Observations overdue: p2 only (medium: hourly,
 * never a complete score, so due from its first score at 60); p1 is high
 * (continuous), p3 scored 0 at 690 (12-hourly).
 *
 * Flags opened in the period: high f1 f9 f10, medium f2 f4; technical f6
 * f7.  Closed: high f1, low-medium f3, medium f4; technical f5 f6.  Still
 * open at the end (clinical): f2 f9 f10.  f8 opens after the period.
 *
 * Responses: f1 high accepted after 10 min (within 30); f2 medium
 * accepted after 80 min on its escalation (not within 60); f4's task was
 * cancelled at 30 min (flag closed: needs no response); f9 high never
 * accepted, 120 min by the end (missed); f10 high 10 min old at the end
 * (pending).  High: counted 2, within 1, median 10; medium: counted 1,
 * within 0, median 80.
 *
 * Technical alarm time: mon-1 f5 (60 of its 120 min in the period) and
 * f6 (30 min): 2 alerts, 90 min; mon-2 f7 open from 660: 1 alert, 60 min.
 *
 * Burden: flags opened per patient: p1 3 (f1 f6 f10), p2 2 (f2 f7), p3 1
 * (f9), p4 1 (f4): 7; notifications and escalations: p1 1, p2 2, p4 1: 4
 * (the handover note and the one after the period do not count).  4 beds,
 * 0.5 days: 3.5 flags and 2.0 notifications per bed per 24 h.
 *
 * Data issues: 2 dead letters at stage mapping, 1 FHIR rejection (a
 * parse dead letter before the period does not count).
 */
static const char fixture_sql[] =
  "INSERT INTO patients (id, name) VALUES ('p1', 'Ada Obi'), ('p2', 'Lee Min-jun'),"
  "  ('p3', 'Jo Brand'), ('p4', 'Sam Green');"
  "INSERT INTO beds (id, label, patient_id) VALUES ('bed-01', 'Bed 1', 'p1'),"
  "  ('bed-02', 'Bed 2', 'p2'), ('bed-03', 'Bed 3', 'p3'), ('bed-04', 'Bed 4', NULL);"
  "INSERT INTO devices (id, bed_id, patient_id) VALUES ('mon-1', 'bed-01', 'p1'),"
  "  ('mon-2', 'bed-02', 'p2');";

typedef struct
{
  const char *patient;
  int         minute;
  int         total;
  const char *band;
  int         complete;
} Score;

static const Score scores[] = {
  { "p1", -120, 1, "low", 1 },
  { "p1", 660, 7, "high", 1 },
  { "p2", 60, 5, "medium", 0 },
  { "p3", 690, 0, "low", 1 },
  { "p4", 240, 5, "medium", 1 },
};

typedef struct
{
  int         id;
  const char *patient;
  const char *kind;
  const char *subject;
  const char *band;
  int         opened;
  int         closed;     /* -1: open */
} Flag;

static const Flag flags[] = {
  { 1, "p1", "clinical", NULL, "high", 60, 180 },
  { 2, "p2", "clinical", NULL, "medium", 120, -1 },
  { 3, "p3", "clinical", NULL, "low-medium", -300, 60 },
  { 4, "p4", "clinical", NULL, "medium", 240, 300 },
  { 5, "p1", "technical", "mon-1", "low", -60, 60 },
  { 6, "p1", "technical", "mon-1", "low", 360, 390 },
  { 7, "p2", "technical", "mon-2", "low", 660, -1 },
  { 8, "p1", "clinical", NULL, "high", 780, -1 },
  { 9, "p3", "clinical", NULL, "high", 600, -1 },
  { 10, "p1", "clinical", NULL, "high", 710, -1 },
};

typedef struct
{
  int         id;
  int         flag;
  const char *band;
  const char *status;
  const char *role;
  int         part_of;    /* 0: none */
  int         requested;
  int         accepted;   /* -1: not */
  const char *accepted_by;
  int         closed;     /* -1: not */
  const char *outcome;
  const char *note;
} Task;

static const Task tasks[] = {
  { 1, 1, "high", "completed", "bed-nurse", 0, 60, 70, "ada", 100, "reviewed", "Fluids started" },
  { 2, 2, "medium", "cancelled", "bed-nurse", 0, 120, -1, NULL, 200, NULL, NULL },
  { 3, 2, "medium", "accepted", "doctor", 2, 180, 200, "doc", -1, NULL, NULL },
  { 4, 4, "medium", "cancelled", "bed-nurse", 0, 240, -1, NULL, 270, NULL, NULL },
  { 6, 9, "high", "requested", "bed-nurse", 0, 600, -1, NULL, -1, NULL, NULL },
  { 7, 10, "high", "requested", "bed-nurse", 0, 710, -1, NULL, -1, NULL, NULL },
};

typedef struct
{
  const char *kind;
  const char *patient;
  int         minute;
} Communication;

static const Communication communications[] = {
  { "notification", "p1", 60 },
  { "notification", "p2", 120 },
  { "escalation", "p2", 180 },
  { "notification", "p4", 240 },
  { "handover", "p3", 420 },
  { "notification", "p1", 780 },
};

static gint64
at (int minute)
{
  return WARD_TEST_SUMMARY_T0 + (gint64) minute * 60 * G_USEC_PER_SEC;
}

static void
exec (sqlite3    *db,
      const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

void
ward_test_summary_fill (WardStore *store)
{
  sqlite3 *db = _ward_store_get_db (store);

  exec (db, "BEGIN");
  exec (db, fixture_sql);

  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO scores (patient_id, kind, window_start, window_end, computed_at, value, total,"
        " band, complete, status, inputs) VALUES ('%s', 'news2', %" G_GINT64_FORMAT ", %"
        G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %d, %d, '%s', %d, 'final', '{}')",
        scores[i].patient, at (scores[i].minute - 5), at (scores[i].minute), at (scores[i].minute),
        scores[i].total, scores[i].total, scores[i].band, scores[i].complete);

      exec (db, sql);
    }

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      const Flag *f = &flags[i];
      g_autofree char *closed = f->closed < 0 ? g_strdup ("NULL")
                                              : g_strdup_printf ("%" G_GINT64_FORMAT, at (f->closed));
      g_autofree char *subject = f->subject ? g_strdup_printf ("'%s'", f->subject) : g_strdup ("NULL");
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO flags (id, patient_id, kind, subject, band, opened_at, closed_at)"
        " VALUES (%d, '%s', '%s', %s, '%s', %" G_GINT64_FORMAT ", %s)",
        f->id, f->patient, f->kind, subject, f->band, at (f->opened), closed);

      exec (db, sql);
    }

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      const Task *t = &tasks[i];
      g_autofree char *accepted = t->accepted < 0 ? g_strdup ("NULL")
                                                  : g_strdup_printf ("%" G_GINT64_FORMAT, at (t->accepted));
      g_autofree char *closed = t->closed < 0 ? g_strdup ("NULL")
                                              : g_strdup_printf ("%" G_GINT64_FORMAT, at (t->closed));
      g_autofree char *part_of = t->part_of ? g_strdup_printf ("%d", t->part_of) : g_strdup ("NULL");
      g_autofree char *by = t->accepted_by ? g_strdup_printf ("'%s'", t->accepted_by) : g_strdup ("NULL");
      g_autofree char *outcome = t->outcome ? g_strdup_printf ("'%s'", t->outcome) : g_strdup ("NULL");
      g_autofree char *note = t->note ? g_strdup_printf ("'%s'", t->note) : g_strdup ("NULL");
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO care_tasks (id, flag_id, patient_id, kind, band, status, priority, owner_role,"
        " requester, requested_at, due_at, accepted_by, accepted_at, part_of, outcome, note,"
        " closed_at, station, updated_at)"
        " SELECT %d, %d, patient_id, 'clinical', '%s', '%s', 'urgent', '%s', 'wardwatch', %"
        G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %s, %s, %s, %s, %s, %s, 'station-a', %"
        G_GINT64_FORMAT " FROM flags WHERE id = %d",
        t->id, t->flag, t->band, t->status, t->role, at (t->requested), at (t->requested + 30), by,
        accepted, part_of, outcome, note, closed, at (t->requested), t->flag);

      exec (db, sql);
    }

  for (guint i = 0; i < G_N_ELEMENTS (communications); i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO care_communications (kind, patient_id, sender, sent_at, payload, station)"
        " VALUES ('%s', '%s', 'wardwatch', %" G_GINT64_FORMAT ", 'text', 'station-a')",
        communications[i].kind, communications[i].patient, at (communications[i].minute));

      exec (db, sql);
    }

  {
    g_autofree char *sql = g_strdup_printf (
      "INSERT INTO dead_letters (stage, reason, created_at) VALUES"
      " ('mapping', 'no template', %" G_GINT64_FORMAT "), ('mapping', 'no template', %" G_GINT64_FORMAT "),"
      " ('parse', 'bad JSON', %" G_GINT64_FORMAT ");"
      "INSERT INTO outbox (resource_type, id, version, state, next_attempt_at, created_at)"
      " VALUES ('Observation', 'o1', 1, 'failed', 0, %" G_GINT64_FORMAT ");"
      "INSERT INTO care_handovers (id, from_staff, to_staff, state, offered_at, accepted_at, station)"
      " VALUES (1, 'ada', 'ben', 'accepted', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'station-a');"
      "INSERT INTO care_handover_beds (handover_id, bed_id, patient_id, situation, background,"
      " assessment, recommendation) VALUES (1, 'bed-01', 'p1', 'NEWS2 7 since 18:00',"
      " 'Pneumonia, COPD', 'Looks tired, RR 26', 'Review by the doctor at 20:00');",
      at (30), at (400), at (-30), at (500), at (660), at (665));

    exec (db, sql);
  }

  exec (db, "COMMIT");
}
