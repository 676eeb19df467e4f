/* test-cli-report.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-test-cli.h"
#include "ward-test-store.h"
#include "ward-test-summary.h"

/* wardwatch-cli report on the hand-counted ward (tests/lib/
 * ward-test-summary.c): the PDF as a nurse gets it, converted by poppler
 * (pdftoppm, pdftotext), holds the figures on non-blank pages with the
 * ward and period on each; the CSV files hold the same tables with
 * totals that add up.  TZ=UTC, so that the times printed are fixed.
 */

#define PERIOD_FROM "2026-12-07T07:00:00Z"
#define PERIOD_TO   "2026-12-07T19:00:00Z"

typedef struct
{
  char *dir;
  char *db;
  char *pdf;
  char *csv;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ward-report-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "ward.db", NULL);
  f->pdf = g_build_filename (f->dir, "report.pdf", NULL);
  f->csv = g_build_filename (f->dir, "csv", NULL);
  store = ward_test_store_open (f->db);
  ward_test_summary_fill (store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->pdf);
  g_free (f->csv);
}

static gboolean
have_poppler (void)
{
  g_autofree char *ppm = g_find_program_in_path ("pdftoppm");
  g_autofree char *text = g_find_program_in_path ("pdftotext");

  if (ppm != NULL && text != NULL)
    return TRUE;

  g_test_skip ("pdftoppm and pdftotext are needed (Debian: poppler-utils)");
  return FALSE;
}

static int
run_report (Fixture    *f,
            const char *extra,
            char      **err)
{
  g_autofree char *db = g_strdup_printf ("--db=%s", f->db);
  g_autofree char *pdf = g_strdup_printf ("--pdf=%s", f->pdf);
  g_autofree char *csv = g_strdup_printf ("--csv=%s", f->csv);
  const char *args[] = { db, "--from=" PERIOD_FROM, "--to=" PERIOD_TO, pdf, csv, "--ward=Ward 7B",
                         "--by=Chloé Martin", extra, NULL };

  return ward_test_run_cli ("report", args, NULL, NULL, err);
}

static char *
page_text (const char *pdf,
           guint       page)
{
  g_autofree char *number = g_strdup_printf ("%u", page);
  const char *argv[] = { "pdftotext", "-f", number, "-l", number, pdf, "-", NULL };
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (ward_test_run (argv, NULL, &text, &err), ==, 0);
  g_strdelimit (text, "\n\r\f", ' ');
  /* Lines broken by the layout come back as single spaces. */
  while (strstr (text, "  ") != NULL)
    {
      char *p = strstr (text, "  ");

      memmove (p, p + 1, strlen (p));
    }
  return g_steal_pointer (&text);
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

static double
ink_fraction (const char *png)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (png);
  int width, height, stride;
  const guchar *data;
  gsize inked = 0;

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if ((*(const guint32 *) (data + y * stride + x * 4) & 0xffffff) != 0xffffff)
        inked++;
  cairo_surface_destroy (surface);

  return (double) inked / (width * height);
}

static void
assert_has (const char *text,
            const char *expected)
{
  if (strstr (text, expected) == NULL)
    g_error ("\"%s\" not in the report's text:\n%s", expected, text);
}

static void
test_pdf (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *err = NULL;
  g_autofree char *prefix = NULL;
  guint n_pages;

  if (!have_poppler ())
    return;

  g_assert_cmpint (run_report (f, NULL, &err), ==, 0);
  n_pages = count_pages (f->pdf);
  g_assert_cmpuint (n_pages, >=, 2);

  prefix = g_build_filename (f->dir, "page", NULL);
  {
    const char *argv[] = { "pdftoppm", "-r", "30", "-png", f->pdf, prefix, NULL };

    g_assert_cmpint (ward_test_run (argv, NULL, NULL, NULL), ==, 0);
  }

  for (guint page = 1; page <= n_pages; page++)
    {
      g_autofree char *text = page_text (f->pdf, page);
      g_autofree char *footer = g_strdup_printf ("Page %u of %u", page, n_pages);
      g_autofree char *png = NULL;
      int digits = n_pages >= 10 ? 2 : 1;

      /* Ward and period on every page, and its number. */
      assert_has (text, "Ward 7B");
      assert_has (text, "7 Dec 2026 07:00");
      assert_has (text, "7 Dec 2026 19:00 UTC");
      assert_has (text, "by Chloé Martin");
      assert_has (text, footer);

      png = g_strdup_printf ("%s-%0*u.png", prefix, digits, page);
      g_assert_cmpfloat (ink_fraction (png), >, 0.005);
      g_string_append (all, text);
    }

  assert_has (all->str, "Patients at 19:00: 3");
  assert_has (all->str, "High: 3 opened, 1 closed");
  assert_has (all->str, "Medium: 2 opened, 1 closed");
  assert_has (all->str, "Clinical flags: 5 opened, 3 closed, 3 still open at the end");
  assert_has (all->str, "Technical alerts: 2 opened, 2 closed");
  assert_has (all->str, "High (target 30 min): median 10 min, 50 % within target (1 of 2)");
  assert_has (all->str, "Medium (target 60 min): median 80 min, 0 % within target (0 of 1)");
  assert_has (all->str, "Observations overdue at 19:00: 1");
  assert_has (all->str, "mon-1 (Bed 1): 2 alerts, 90 min");
  assert_has (all->str, "mon-2 (Bed 2): 1 alert, 60 min");
  assert_has (all->str, "Per bed per 24 h: 3.50 flags, 2.00 notifications (4 beds, 0.50 days)");
  assert_has (all->str, "Bed 1: flags 3, notifications 1; per 24 h 6.00 and 2.00");
  assert_has (all->str, "Data issues: 3");
  /* The flag timeline: accepted on the escalation, to the doctor. */
  assert_has (all->str, "accepted by doc at 10:20");
  assert_has (all->str, "escalated at 10:00 to doctor");
  assert_has (all->str, "outcome: reviewed");
  /* The handover note, and initials only by default. */
  assert_has (all->str, "Review by the doctor at 20:00");
  assert_has (all->str, "L. M. J.");
  g_assert_null (strstr (all->str, "Lee Min-jun"));
  g_assert_null (strstr (all->str, "Ada Obi"));
}

static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *err = NULL;
  guint n_pages;

  if (!have_poppler ())
    return;

  g_assert_cmpint (run_report (f, "--names", &err), ==, 0);
  n_pages = count_pages (f->pdf);
  for (guint page = 1; page <= n_pages; page++)
    {
      g_autofree char *text = page_text (f->pdf, page);

      g_string_append (all, text);
    }
  assert_has (all->str, "Lee Min-jun");
}

static char **
read_lines (Fixture    *f,
            const char *name)
{
  g_autofree char *path = g_build_filename (f->csv, name, NULL);
  g_autofree char *content = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_file_get_contents (path, &content, &len, &error);
  g_assert_no_error (error);
  /* RFC 4180 line ends; drop the empty string after the last one. */
  g_assert_true (g_str_has_suffix (content, "\r\n"));
  content[len - 2] = '\0';
  return g_strsplit (content, "\r\n", -1);
}

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_auto(GStrv) census = NULL;
  g_auto(GStrv) flags = NULL;
  g_auto(GStrv) response = NULL;
  g_auto(GStrv) burden = NULL;
  g_auto(GStrv) technical = NULL;
  g_auto(GStrv) issues = NULL;
  g_auto(GStrv) timeline = NULL;
  g_auto(GStrv) notes = NULL;
  guint sum = 0;
  guint n;

  g_assert_cmpint (run_report (f, NULL, &err), ==, 0);

  census = read_lines (f, "census.csv");
  g_assert_cmpstr (census[0], ==, "at,low,low-medium,medium,high,no-score,total");
  g_assert_cmpuint (g_strv_length (census), ==, 25);
  g_assert_cmpstr (census[24], ==, "2026-12-07T19:00:00Z,1,0,1,1,0,3");
  /* From the history: at 07:00 only p1 had been scored; at 11:00 p4,
   * no longer in a bed, was there too (ward-test-summary.c).
   */
  g_assert_cmpstr (census[12], ==, "2026-12-07T07:00:00Z,1,0,0,0,0,1");
  g_assert_cmpstr (census[16], ==, "2026-12-07T11:00:00Z,1,0,2,0,0,3");

  flags = read_lines (f, "flags.csv");
  g_assert_cmpstr (flags[0], ==, "band,opened,closed");
  g_assert_cmpstr (flags[4], ==, "high,3,1");
  g_assert_cmpstr (flags[5], ==, "clinical-total,5,3");
  g_assert_cmpstr (flags[6], ==, "technical,2,2");

  response = read_lines (f, "response.csv");
  g_assert_cmpstr (response[0], ==, "band,target_minutes,counted,accepted,within_target,missed,"
                                    "share_within_target_percent,median_minutes");
  g_assert_cmpstr (response[1], ==, "low,60,0,0,0,0,,");
  g_assert_cmpstr (response[3], ==, "medium,60,1,1,0,1,0.0,80.0");
  g_assert_cmpstr (response[4], ==, "high,30,2,1,1,1,50.0,10.0");

  /* The beds' flags add up to the ward's, and so per 24 h. */
  burden = read_lines (f, "burden.csv");
  n = g_strv_length (burden);
  g_assert_cmpuint (n, ==, 7);
  for (guint i = 1; i < n - 1; i++)
    {
      g_auto(GStrv) cells = g_strsplit (burden[i], ",", -1);

      sum += (guint) g_ascii_strtoull (cells[1], NULL, 10);
    }
  g_assert_cmpuint (sum, ==, 7);
  g_assert_cmpstr (burden[1], ==, "Bed 1,3,1,6.00,2.00");
  g_assert_cmpstr (burden[5], ==, "not in a bed now,1,1,2.00,2.00");
  g_assert_cmpstr (burden[n - 1], ==, "ward per bed,7,4,3.50,2.00");

  technical = read_lines (f, "technical.csv");
  g_assert_cmpstr (technical[1], ==, "mon-1,Bed 1,2,90.0");
  g_assert_cmpstr (technical[3], ==, "total,,3,150.0");

  issues = read_lines (f, "data-issues.csv");
  g_assert_cmpstr (issues[1], ==, "fhir-rejected,1");
  g_assert_cmpstr (issues[2], ==, "mapping,2");
  g_assert_cmpstr (issues[3], ==, "total,3");

  timeline = read_lines (f, "flag-timeline.csv");
  g_assert_cmpuint (g_strv_length (timeline), ==, 10);
  g_assert_true (g_str_has_prefix (timeline[0], "flag,kind,band,bed,patient,device,opened_at,"));

  notes = read_lines (f, "handover-notes.csv");
  g_assert_cmpuint (g_strv_length (notes), ==, 2);
  /* A comma inside a note is quoted, not a new column. */
  g_assert_nonnull (strstr (notes[1], "\"Pneumonia, COPD\""));
  g_assert_nonnull (strstr (notes[1], "A. O."));
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *db = g_strdup_printf ("--db=%s", f->db);
  g_autofree char *missing = g_build_filename (f->dir, "missing.db", NULL);
  g_autofree char *missing_db = g_strdup_printf ("--db=%s", missing);
  g_autofree char *pdf = g_strdup_printf ("--pdf=%s", f->pdf);
  g_autofree char *err = NULL;

  {
    const char *args[] = { db, "--from=" PERIOD_TO, "--to=" PERIOD_FROM, pdf, NULL };

    g_assert_cmpint (ward_test_run_cli ("report", args, NULL, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--from before --to"));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { db, "--to=yesterday", pdf, NULL };

    g_assert_cmpint (ward_test_run_cli ("report", args, NULL, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--to=yesterday"));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { db, NULL };

    g_assert_cmpint (ward_test_run_cli ("report", args, NULL, NULL, &err), ==, 2);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { missing_db, pdf, NULL };

    g_assert_cmpint (ward_test_run_cli ("report", args, NULL, NULL, &err), ==, 1);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { db, "--pdf=/nonexistent-dir/report.pdf", NULL };

    g_assert_cmpint (ward_test_run_cli ("report", args, NULL, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "Cannot write the shift report to /nonexistent-dir/report.pdf"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/report/pdf", Fixture, NULL, fixture_set_up, test_pdf, fixture_tear_down);
  g_test_add ("/cli/report/names", Fixture, NULL, fixture_set_up, test_names, fixture_tear_down);
  g_test_add ("/cli/report/csv", Fixture, NULL, fixture_set_up, test_csv, fixture_tear_down);
  g_test_add ("/cli/report/bad-input", Fixture, NULL, fixture_set_up, test_bad_input, fixture_tear_down);

  return g_test_run ();
}
