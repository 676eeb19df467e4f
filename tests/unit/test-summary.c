/* test-summary.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-store-private.h"
#include "ward-summary.h"
#include "ward-test-store.h"
#include "ward-test-summary.h"

/* The ward summary's figures against the hand-counted fixture
 * (tests/lib/ward-test-summary.c says how each was counted), on a
 * controlled clock: the period's end is the summary's "now".
 */

#define T0     WARD_TEST_SUMMARY_T0
#define TO     WARD_TEST_SUMMARY_TO
#define HOUR   WARD_TEST_SUMMARY_HOUR
#define MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

typedef struct
{
  char      *dir;
  char      *path;
  WardStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->path = ward_test_db_new ("ward-summary", &f->dir);
  f->store = ward_test_store_open (f->path);
  ward_test_summary_fill (f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

static WardSummary *
compute (Fixture  *f,
         gint64    from,
         gint64    to,
         gboolean  details)
{
  WardSummaryOptions options = { .from = from, .to = to, .details = details };
  g_autoptr(GError) error = NULL;
  WardSummary *summary = ward_summary_compute (f->store, &options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);
  return summary;
}

static void
test_census (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(WardSummary) s = compute (f, T0, TO, FALSE);

  g_assert_cmpuint (s->n_beds, ==, 4);
  g_assert_cmpuint (s->census[WARD_BAND_LOW], ==, 1);
  g_assert_cmpuint (s->census[WARD_BAND_LOW_MEDIUM], ==, 0);
  g_assert_cmpuint (s->census[WARD_BAND_MEDIUM], ==, 1);
  g_assert_cmpuint (s->census[WARD_BAND_HIGH], ==, 1);
  g_assert_cmpuint (s->census[WARD_SUMMARY_NO_SCORE], ==, 0);

  /* The hour marks end at `to`, an hour apart. */
  g_assert_cmpint (s->census_at[WARD_SUMMARY_CENSUS_HOURS - 1], ==, TO);
  g_assert_cmpint (s->census_at[0], ==, TO - 23 * HOUR);
  g_assert_cmpint (s->census_at[11], ==, T0);

  /* Counted from the history, by hand (ward-test-summary.c): who was on
   * the ward at each mark, p4 included though no longer in a bed.
   */
  {
    static const guint expected[WARD_SUMMARY_CENSUS_HOURS][WARD_SUMMARY_N_COLUMNS] = {
      [9] = { 1, 0, 0, 0, 0 }, [10] = { 1, 0, 0, 0, 0 }, [11] = { 1, 0, 0, 0, 0 },
      [12] = { 1, 0, 1, 0, 0 }, [13] = { 1, 0, 1, 0, 0 }, [14] = { 1, 0, 1, 0, 0 },
      [15] = { 1, 0, 2, 0, 0 },
      [16] = { 1, 0, 1, 0, 0 }, [17] = { 1, 0, 1, 0, 0 }, [18] = { 1, 0, 1, 0, 0 },
      [19] = { 1, 0, 1, 0, 0 }, [20] = { 1, 0, 1, 0, 0 }, [21] = { 1, 0, 1, 0, 0 },
      [22] = { 0, 0, 1, 1, 0 },
      [23] = { 1, 0, 1, 1, 0 },
    };

    for (guint i = 0; i < WARD_SUMMARY_CENSUS_HOURS; i++)
      for (guint c = 0; c < WARD_SUMMARY_N_COLUMNS; c++)
        {
          if (s->census_series[i][c] != expected[i][c])
            g_error ("census mark %u, %s: %u, expected %u", i, ward_summary_column_name (c),
                     s->census_series[i][c], expected[i][c]);
        }
  }

  /* A patient in a bed now with no score yet counts as "no score" at
   * the end only: nothing says when their stay began.
   */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(WardSummary) s2 = NULL;

    g_assert_true (_ward_store_exec (f->store, "INSERT INTO patients (id, name) VALUES "
                                     "('p5', 'New Arrival'); UPDATE beds SET patient_id = 'p5' "
                                     "WHERE id = 'bed-04'", &error));
    g_assert_no_error (error);
    s2 = compute (f, T0, TO, FALSE);
    g_assert_cmpuint (s2->census[WARD_SUMMARY_NO_SCORE], ==, 1);
    g_assert_cmpuint (s2->census_series[22][WARD_SUMMARY_NO_SCORE], ==, 0);
  }
}

static void
test_flags (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(WardSummary) s = compute (f, T0, TO, FALSE);

  g_assert_cmpuint (s->opened[WARD_BAND_LOW], ==, 0);
  g_assert_cmpuint (s->opened[WARD_BAND_LOW_MEDIUM], ==, 0);
  g_assert_cmpuint (s->opened[WARD_BAND_MEDIUM], ==, 2);
  g_assert_cmpuint (s->opened[WARD_BAND_HIGH], ==, 3);
  g_assert_cmpuint (s->closed[WARD_BAND_LOW_MEDIUM], ==, 1);
  g_assert_cmpuint (s->closed[WARD_BAND_MEDIUM], ==, 1);
  g_assert_cmpuint (s->closed[WARD_BAND_HIGH], ==, 1);
  g_assert_cmpuint (s->technical_opened, ==, 2);
  g_assert_cmpuint (s->technical_closed, ==, 2);
  g_assert_cmpuint (s->open_at_end, ==, 3);
}

static void
test_responses (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(WardSummary) s = compute (f, T0, TO, FALSE);
  const WardSummaryResponse *high = &s->response[WARD_BAND_HIGH];
  const WardSummaryResponse *medium = &s->response[WARD_BAND_MEDIUM];

  /* The default care policy's targets. */
  g_assert_cmpint (high->target_usec, ==, 30 * MINUTE);
  g_assert_cmpint (medium->target_usec, ==, 60 * MINUTE);

  g_assert_cmpuint (high->n_counted, ==, 2);
  g_assert_cmpuint (high->n_accepted, ==, 1);
  g_assert_cmpuint (high->n_within, ==, 1);
  g_assert_cmpuint (high->n_missed, ==, 1);
  g_assert_cmpint (high->median_usec, ==, 10 * MINUTE);

  g_assert_cmpuint (medium->n_counted, ==, 1);
  g_assert_cmpuint (medium->n_accepted, ==, 1);
  g_assert_cmpuint (medium->n_within, ==, 0);
  g_assert_cmpint (medium->median_usec, ==, 80 * MINUTE);

  g_assert_cmpuint (s->response[WARD_BAND_LOW].n_counted, ==, 0);
  g_assert_cmpint (s->response[WARD_BAND_LOW].median_usec, ==, -1);

  /* 10 min in [10, 15), 80 min in [60, 90), one missed. */
  g_assert_cmpuint (s->response_bins[2], ==, 1);
  g_assert_cmpuint (s->response_bins[7], ==, 1);
  g_assert_cmpuint (s->response_bins[WARD_SUMMARY_N_RESPONSE_BINS - 1], ==, 1);
  {
    guint total = 0;

    for (guint i = 0; i < WARD_SUMMARY_N_RESPONSE_BINS; i++)
      total += s->response_bins[i];
    g_assert_cmpuint (total, ==, 3);
  }
}

static void
test_responses_pending (Fixture       *f,
                        gconstpointer  data)
{
  /* 40 min later f10's task (requested 10 min before TO) has missed its
   * 30 min target too: the clock decides, not the wall.
   */
  g_autoptr(WardSummary) s = compute (f, T0, TO + 40 * MINUTE, FALSE);

  g_assert_cmpuint (s->response[WARD_BAND_HIGH].n_counted, ==, 3);
  g_assert_cmpuint (s->response[WARD_BAND_HIGH].n_missed, ==, 2);
}

static void
test_overdue_and_devices (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(WardSummary) s = compute (f, T0, TO, FALSE);
  const WardSummaryOverdue *o;
  const WardSummaryDevice *d;

  g_assert_cmpuint (s->overdue->len, ==, 1);
  o = g_ptr_array_index (s->overdue, 0);
  g_assert_cmpstr (o->bed_label, ==, "Bed 2");
  g_assert_cmpstr (o->patient_id, ==, "p2");

  g_assert_cmpuint (s->devices->len, ==, 2);
  d = g_ptr_array_index (s->devices, 0);
  g_assert_cmpstr (d->device_id, ==, "mon-1");
  g_assert_cmpstr (d->bed_label, ==, "Bed 1");
  g_assert_cmpuint (d->n_alerts, ==, 2);
  g_assert_cmpint (d->alarm_usec, ==, 90 * MINUTE);
  d = g_ptr_array_index (s->devices, 1);
  g_assert_cmpstr (d->device_id, ==, "mon-2");
  g_assert_cmpuint (d->n_alerts, ==, 1);
  g_assert_cmpint (d->alarm_usec, ==, 60 * MINUTE);
}

static void
test_burden_and_issues (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(WardSummary) s = compute (f, T0, TO, FALSE);
  const WardSummaryBed *bed;

  g_assert_cmpfloat (s->days, ==, 0.5);
  g_assert_cmpuint (s->n_flags, ==, 7);
  g_assert_cmpuint (s->n_notifications, ==, 4);
  g_assert_cmpfloat_with_epsilon (s->flags_per_bed_day, 3.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (s->notifications_per_bed_day, 2.0, 1e-9);

  /* Four beds by label, then the patients no longer in a bed. */
  g_assert_cmpuint (s->beds->len, ==, 5);
  bed = g_ptr_array_index (s->beds, 0);
  g_assert_cmpstr (bed->bed_label, ==, "Bed 1");
  g_assert_cmpuint (bed->n_flags, ==, 3);
  g_assert_cmpuint (bed->n_notifications, ==, 1);
  g_assert_cmpfloat_with_epsilon (bed->flags_per_day, 6.0, 1e-9);
  bed = g_ptr_array_index (s->beds, 1);
  g_assert_cmpuint (bed->n_flags, ==, 2);
  g_assert_cmpuint (bed->n_notifications, ==, 2);
  bed = g_ptr_array_index (s->beds, 3);
  g_assert_cmpstr (bed->bed_label, ==, "Bed 4");
  g_assert_cmpuint (bed->n_flags, ==, 0);
  bed = g_ptr_array_index (s->beds, 4);
  g_assert_null (bed->bed_id);
  g_assert_cmpuint (bed->n_flags, ==, 1);
  g_assert_cmpuint (bed->n_notifications, ==, 1);

  g_assert_cmpuint (s->n_issues, ==, 3);
  g_assert_cmpuint (s->issues->len, ==, 2);
  g_assert_cmpstr (((WardSummaryIssue *) g_ptr_array_index (s->issues, 0))->stage, ==, "fhir-rejected");
  g_assert_cmpuint (((WardSummaryIssue *) g_ptr_array_index (s->issues, 1))->count, ==, 2);
}

static void
test_details (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(WardSummary) s = compute (f, T0, TO, TRUE);
  const WardSummaryFlag *flag = NULL;
  const WardSummaryNote *note;

  /* Every flag open at some time in the period: all but f8. */
  g_assert_cmpuint (s->flags->len, ==, 9);
  for (guint i = 0; i < s->flags->len; i++)
    {
      const WardSummaryFlag *candidate = g_ptr_array_index (s->flags, i);

      g_assert_cmpint (candidate->id, !=, 8);
      if (candidate->id == 2)
        flag = candidate;
    }
  g_assert_nonnull (flag);
  g_assert_cmpstr (flag->bed_label, ==, "Bed 2");
  g_assert_cmpstr (flag->patient_name, ==, "Lee Min-jun");
  g_assert_cmpint (flag->accepted_at, ==, T0 + 200 * MINUTE);
  g_assert_cmpstr (flag->accepted_by, ==, "doc");
  g_assert_cmpint (flag->escalated_at, ==, T0 + 180 * MINUTE);
  g_assert_cmpstr (flag->escalated_to, ==, "doctor");
  g_assert_cmpint (flag->closed_at, ==, 0);

  flag = g_ptr_array_index (s->flags, 1);
  g_assert_cmpint (flag->id, ==, 5);    /* opened at -60, second by opening time */
  flag = g_ptr_array_index (s->flags, 2);
  g_assert_cmpint (flag->id, ==, 1);
  g_assert_cmpstr (flag->outcome, ==, "reviewed");
  g_assert_cmpstr (flag->note, ==, "Fluids started");

  g_assert_cmpuint (s->notes->len, ==, 1);
  note = g_ptr_array_index (s->notes, 0);
  g_assert_cmpstr (note->bed_label, ==, "Bed 1");
  g_assert_cmpstr (note->to_staff, ==, "ben");
  g_assert_cmpstr (note->recommendation, ==, "Review by the doctor at 20:00");
}

static void
test_bad_period (Fixture       *f,
                 gconstpointer  data)
{
  WardSummaryOptions options = { .from = TO, .to = T0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(WardSummary) s = ward_summary_compute (f->store, &options, &error);

  g_assert_null (s);
  g_assert_nonnull (error);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  WardSummary **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ward_summary_load_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_load_async (Fixture       *f,
                 gconstpointer  data)
{
  WardSummaryOptions options = { .from = T0, .to = TO };
  g_autoptr(WardSummary) s = NULL;

  /* A read-only connection of its own, as the view uses. */
  ward_summary_load_async (f->path, &options, NULL, load_done_cb, &s);
  while (s == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (s->census[WARD_BAND_HIGH], ==, 1);
  g_assert_cmpuint (s->n_flags, ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/summary/census", Fixture, NULL, fixture_set_up, test_census, fixture_tear_down);
  g_test_add ("/summary/flags", Fixture, NULL, fixture_set_up, test_flags, fixture_tear_down);
  g_test_add ("/summary/responses", Fixture, NULL, fixture_set_up, test_responses, fixture_tear_down);
  g_test_add ("/summary/responses-pending", Fixture, NULL, fixture_set_up, test_responses_pending,
              fixture_tear_down);
  g_test_add ("/summary/overdue-and-devices", Fixture, NULL, fixture_set_up, test_overdue_and_devices,
              fixture_tear_down);
  g_test_add ("/summary/burden-and-issues", Fixture, NULL, fixture_set_up, test_burden_and_issues,
              fixture_tear_down);
  g_test_add ("/summary/details", Fixture, NULL, fixture_set_up, test_details, fixture_tear_down);
  g_test_add ("/summary/bad-period", Fixture, NULL, fixture_set_up, test_bad_period, fixture_tear_down);
  g_test_add ("/summary/load-async", Fixture, NULL, fixture_set_up, test_load_async, fixture_tear_down);

  return g_test_run ();
}
