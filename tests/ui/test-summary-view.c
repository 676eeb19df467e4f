/* test-summary-view.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-summary-view.h"
#include "ward-test-store.h"
#include "ward-test-summary.h"

/* The ward summary view on the hand-counted ward (tests/lib/
 * ward-test-summary.c), its period ending at the fixture's end: the
 * figures it shows are the summary's, it refreshes on the setting's
 * interval, and Print Shift Report saves a PDF of the same period.
 */

typedef struct
{
  char *dir;
  char *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;

  f->db = ward_test_db_new ("ward-summary-view", &f->dir);
  store = ward_test_store_open (f->db);
  ward_test_summary_fill (store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "report.pdf", NULL);

  g_unlink (pdf);
  ward_test_db_remove (&f->dir, &f->db);
}

static void
wait_loaded (WardSummaryView *view)
{
  while (_ward_summary_view_is_loading (view))
    g_main_context_iteration (NULL, TRUE);
}

static WardSummaryView *
open_view (Fixture *f)
{
  WardSummaryView *view = ward_summary_view_new (NULL, f->db, "Chloé Martin", FALSE);

  _ward_summary_view_set_period_end (view, WARD_TEST_SUMMARY_TO);
  ward_summary_view_refresh (view);
  gtk_window_present (GTK_WINDOW (view));
  wait_loaded (view);
  return view;
}

static void
assert_contains (const char *text,
                 const char *expected)
{
  if (strstr (text, expected) == NULL)
    g_error ("\"%s\" not in \"%s\"", expected, text);
}

static void
test_figures (Fixture       *f,
              gconstpointer  data)
{
  WardSummaryView *view = open_view (f);

  assert_contains (_ward_summary_view_get_text (view, "census"),
                   "Low 1 · Low-medium 0 · Medium 1 · High 1 · No score 0");
  assert_contains (_ward_summary_view_get_text (view, "flags"),
                   "Clinical flags: 5 opened, 3 closed, 3 still open at the end");
  assert_contains (_ward_summary_view_get_text (view, "response"),
                   "High (target 30 min): median 10 min, 50 % within target (1 of 2)");
  assert_contains (_ward_summary_view_get_text (view, "overdue"), "Bed 2 — L. M. J.");
  assert_contains (_ward_summary_view_get_text (view, "technical"), "mon-1 (Bed 1): 2 alerts, 90 min");
  assert_contains (_ward_summary_view_get_text (view, "burden"),
                   "Per bed per 24 h: 3.50 flags, 2.00 notifications (4 beds, 0.50 days)");
  assert_contains (_ward_summary_view_get_text (view, "burden"),
                   "Bed 1: flags 3, notifications 1; per 24 h 6.00 and 2.00");
  assert_contains (_ward_summary_view_get_text (view, "issues"), "Data issues: 3");

  gtk_window_destroy (GTK_WINDOW (view));
}

static void
test_refresh_setting (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.wardwatch.Wardwatch");
  WardSummaryView *view;

  g_settings_reset (settings, "summary-refresh-minutes");
  view = open_view (f);
  /* Every 15 minutes by default; a changed setting takes at once. */
  g_assert_cmpuint (_ward_summary_view_get_refresh_seconds (view), ==, 15 * 60);
  g_settings_set_uint (settings, "summary-refresh-minutes", 5);
  g_assert_cmpuint (_ward_summary_view_get_refresh_seconds (view), ==, 5 * 60);
  g_settings_reset (settings, "summary-refresh-minutes");

  /* Refresh reads the store again: a flag opened since shows. */
  {
    g_autoptr(WardStore) store = ward_test_store_open (f->db);
    g_autofree char *sql = g_strdup_printf ("INSERT INTO flags (patient_id, kind, band, opened_at)"
                                            " VALUES ('p3', 'clinical', 'high', %" G_GINT64_FORMAT ") RETURNING id",
                                            WARD_TEST_SUMMARY_TO - 60 * G_USEC_PER_SEC);

    ward_test_query_int (store, sql);
  }
  gtk_widget_activate_action (GTK_WIDGET (view), "summary.refresh", NULL);
  wait_loaded (view);
  assert_contains (_ward_summary_view_get_text (view, "flags"),
                   "Clinical flags: 6 opened, 3 closed, 4 still open at the end");

  gtk_window_destroy (GTK_WINDOW (view));
}

static void
test_save_report (Fixture       *f,
                  gconstpointer  data)
{
  WardSummaryView *view = open_view (f);
  g_autofree char *pdf = g_build_filename (f->dir, "report.pdf", NULL);
  g_autofree char *content = NULL;
  gsize len = 0;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  ward_summary_view_save_report (view, pdf);
  while (!g_file_test (pdf, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  /* cairo writes as it goes: wait for the toast that says it is done. */
  for (guint i = 0; i < 200; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (g_file_get_contents (pdf, &content, &len, NULL));
  g_assert_cmpuint (len, >, 1000);
  g_assert_true (g_str_has_prefix (content, "%PDF-"));

  gtk_window_destroy (GTK_WINDOW (view));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ui/summary-view/figures", Fixture, NULL, fixture_set_up, test_figures, fixture_tear_down);
  g_test_add ("/ui/summary-view/refresh-setting", Fixture, NULL, fixture_set_up, test_refresh_setting,
              fixture_tear_down);
  g_test_add ("/ui/summary-view/save-report", Fixture, NULL, fixture_set_up, test_save_report,
              fixture_tear_down);

  return g_test_run ();
}
