/* test-summary-view.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-summary-view.h"
#include "ward-test-cli.h"
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
  g_autofree char *printed = g_build_filename (f->dir, "printed.pdf", NULL);

  g_unlink (pdf);
  g_unlink (printed);
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

static gboolean
have_poppler (void)
{
  g_autofree char *info = g_find_program_in_path ("pdfinfo");
  g_autofree char *text = g_find_program_in_path ("pdftotext");

  if (info != NULL && text != NULL)
    return TRUE;

  g_test_skip ("pdfinfo and pdftotext are needed (Debian: poppler-utils)");
  return FALSE;
}

static guint
count_pages (const char *pdf)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *out = NULL;
  const char *pages;

  g_assert_cmpint (ward_test_run (argv, NULL, &out, NULL), ==, 0);
  pages = strstr (out, "Pages:");
  g_assert_nonnull (pages);
  return (guint) g_ascii_strtoull (pages + strlen ("Pages:"), NULL, 10);
}

static char *
page_text (const char *pdf,
           guint       page)
{
  g_autofree char *number = g_strdup_printf ("%u", page);
  const char *argv[] = { "pdftotext", "-f", number, "-l", number, pdf, "-", NULL };
  char *text = NULL;

  g_assert_cmpint (ward_test_run (argv, NULL, &text, NULL), ==, 0);
  g_strdelimit (text, "\n\r\f", ' ');
  return text;
}

/* The pages of a PDF once it is complete, else 0. */
static guint
count_pages_if_done (const char *pdf)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *out = NULL;
  const char *pages;

  if (!g_file_test (pdf, G_FILE_TEST_EXISTS) ||
      ward_test_run (argv, NULL, &out, NULL) != 0 ||
      (pages = strstr (out, "Pages:")) == NULL)
    return 0;
  return (guint) g_ascii_strtoull (pages + strlen ("Pages:"), NULL, 10);
}

/* Print Shift Report runs a GtkPrintOperation drawing the PDF's pages:
 * exported to a file (what the dialog's "Print to File" does), it has
 * the saved report's pages, each with the ward's name from the store,
 * the period and "Page N of M".
 */
static void
test_print_operation (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *printed = g_build_filename (f->dir, "printed.pdf", NULL);
  g_autofree char *saved = g_build_filename (f->dir, "report.pdf", NULL);
  g_autofree char *content = NULL;
  WardSummaryView *view;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint n_pages;

  if (!have_poppler ())
    return;

  {
    g_autoptr(WardStore) store = ward_test_store_open (f->db);

    ward_test_query_int (store, "INSERT INTO settings (key, value) VALUES ('ward-name', 'Ward 7B') "
                                "RETURNING 1");
  }

  view = open_view (f);
  assert_contains (gtk_window_get_title (GTK_WINDOW (view)), "Ward 7B");

  _ward_summary_view_print_to_file (view, printed);
  while (_ward_summary_view_is_printing (view) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (_ward_summary_view_is_printing (view));
  g_assert_true (g_file_get_contents (printed, &content, NULL, NULL));
  g_assert_true (g_str_has_prefix (content, "%PDF-"));

  n_pages = count_pages (printed);
  g_assert_cmpuint (n_pages, >=, 2);
  g_assert_cmpuint (n_pages, ==, _ward_summary_view_get_printed_pages (view));

  for (guint page = 1; page <= n_pages; page++)
    {
      g_autofree char *text = page_text (printed, page);
      g_autofree char *foot = g_strdup_printf ("Page %u of %u", page, n_pages);

      assert_contains (text, "Ward 7B");
      assert_contains (text, "shift report");
      assert_contains (text, foot);
    }
  {
    g_autofree char *first = page_text (printed, 1);

    /* The figures of the hand-counted ward. */
    assert_contains (first, "Clinical flags: 5 opened, 3 closed, 3 still open at the end");
  }

  /* The same pages as the saved PDF. */
  ward_summary_view_save_report (view, saved);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (count_pages_if_done (saved) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (count_pages (saved), ==, n_pages);

  gtk_window_destroy (GTK_WINDOW (view));
}

/* The period is chosen in the header bar, kept in the setting, and the
 * figures follow: the alarm burden divides by the period's days.
 */
static void
test_period (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.wardwatch.Wardwatch");
  WardSummaryView *view;
  GtkDropDown *dropdown;

  g_settings_reset (settings, "summary-period-hours");
  view = open_view (f);
  g_assert_cmpuint (_ward_summary_view_get_period_hours (view), ==, 12);
  assert_contains (_ward_summary_view_get_text (view, "burden"), "(4 beds, 0.50 days)");

  dropdown = GTK_DROP_DOWN (_ward_summary_view_get_period_dropdown (view));
  gtk_drop_down_set_selected (dropdown, 2);
  wait_loaded (view);
  g_assert_cmpuint (_ward_summary_view_get_period_hours (view), ==, 24);
  g_assert_cmpuint (g_settings_get_uint (settings, "summary-period-hours"), ==, 24);
  /* Twice the period, the same flags (none opened in the 12 h before). */
  assert_contains (_ward_summary_view_get_text (view, "burden"), "(4 beds, 1.00 days)");

  /* A shift of 8 hours, set elsewhere (the setting), applies too. */
  g_settings_set_uint (settings, "summary-period-hours", 8);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  wait_loaded (view);
  g_assert_cmpuint (_ward_summary_view_get_period_hours (view), ==, 8);
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, 0);
  assert_contains (_ward_summary_view_get_text (view, "burden"), "(4 beds, 0.33 days)");

  g_settings_reset (settings, "summary-period-hours");
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
  g_test_add ("/ui/summary-view/print-operation", Fixture, NULL, fixture_set_up,
              test_print_operation, fixture_tear_down);
  g_test_add ("/ui/summary-view/period", Fixture, NULL, fixture_set_up, test_period,
              fixture_tear_down);

  return g_test_run ();
}
