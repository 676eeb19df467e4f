/* test-handover-sheet.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-handover-sheet.h"

/* The sheet as a nurse gets it: converted by poppler (pdftoppm,
 * pdftotext), not read back by our own code.
 */

#define N_BEDS 14

/* Kept until the test ends. */
#define KEEP(s) ((char *) keep_string (keep, (s)))

static char *
keep_string (GPtrArray *keep,
             char      *s)
{
  g_ptr_array_add (keep, s);
  return s;
}

typedef struct
{
  char *dir;
  char *pdf;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ward-sheet-XXXXXX", &error);
  g_assert_no_error (error);
  f->pdf = g_build_filename (f->dir, "sheet.pdf", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->pdf);
  g_free (f->dir);
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

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s\n%s", argv[0], error->message, err);

  return g_steal_pointer (&out);
}

/* Text of one page, with pdftotext's line breaks made spaces. */
static char *
page_text (const char *pdf,
           guint       page)
{
  g_autofree char *number = g_strdup_printf ("%u", page);
  const char *argv[] = { "pdftotext", "-f", number, "-l", number, pdf, "-", NULL };
  g_autofree char *text = run (argv);

  g_strdelimit (text, "\n\r\f", ' ');
  return g_steal_pointer (&text);
}

/* The fraction of a page's pixels that are not white. */
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
      {
        guint32 pixel = *(const guint32 *) (data + y * stride + x * 4);

        if ((pixel & 0xffffff) != 0xffffff)
          inked++;
      }
  cairo_surface_destroy (surface);

  return (double) inked / (width * height);
}

static char *
long_note (guint bed)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < 60; i++)
    g_string_append_printf (text, "Reassessed at the bedside, breathing more easily on two litres. ");
  g_string_append_printf (text, "END-OF-LONG-NOTE-%02u", bed);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_sheet_converts (Fixture       *f,
                     gconstpointer  data)
{
  const gint64 printed_at = G_GINT64_CONSTANT (1796640000) * G_USEC_PER_SEC;
  WardHandoverTask tasks[N_BEDS][2];
  WardHandoverBed beds[N_BEDS];
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  char *names[N_BEDS];
  char *sits[N_BEDS];
  char *backs[N_BEDS];
  char *assessments[N_BEDS];
  char *recs[N_BEDS];
  char *task_text[N_BEDS];
  char *labels[N_BEDS];
  g_autoptr(GString) all_text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;
  WardHandoverSheet sheet = { 0 };
  guint n_pages = 0;

  if (!have_poppler ())
    return;

  for (guint i = 0; i < N_BEDS; i++)
    {
      labels[i] = KEEP (g_strdup_printf ("Bed %u", i + 1));
      names[i] = KEEP (g_strdup_printf ("Patientname%02u Surname", i));
      sits[i] = KEEP (g_strdup_printf ("SIT-%02u NEWS2 rose since the morning round.", i));
      backs[i] = KEEP (g_strdup_printf ("BACK-%02u admitted with pneumonia, COPD.", i));
      assessments[i] = KEEP (i == 3 ? long_note (i) : g_strdup_printf ("ASSESS-%02u looks unwell.", i));
      recs[i] = KEEP (g_strdup_printf ("REC-%02u repeat observations in 30 minutes & call if worse.", i));
      task_text[i] = KEEP (g_strdup_printf ("TASK-%02u review fluids", i));
      tasks[i][0] = (WardHandoverTask) { task_text[i], "Ada Nwosu", printed_at + 30 * 60 * G_USEC_PER_SEC };
      tasks[i][1] = (WardHandoverTask) { "Chase blood cultures", NULL, 0 };
      beds[i] = (WardHandoverBed) {
        .bed = labels[i], .patient_name = names[i], .news2 = (int) i % 10,
        .band = i % 10 >= 7 ? WARD_BAND_HIGH : i % 10 >= 5 ? WARD_BAND_MEDIUM : WARD_BAND_LOW,
        .tasks = tasks[i], .n_tasks = i == 5 ? 0 : 2,
        .situation = sits[i], .background = backs[i], .assessment = assessments[i],
        .recommendation = i == 7 ? NULL : recs[i],
      };
    }

  sheet.ward = "Ward 7B";
  sheet.printed_at = printed_at;
  sheet.printed_by = "Chloé Martin";
  sheet.show_names = FALSE;
  sheet.beds = beds;
  sheet.n_beds = N_BEDS;

  g_assert_true (ward_handover_sheet_write_pdf (&sheet, f->pdf, &n_pages, &error));
  g_assert_no_error (error);
  /* Fourteen beds with a long note do not fit on one or two pages. */
  g_assert_cmpuint (n_pages, >=, 3);

  prefix = g_build_filename (f->dir, "page", NULL);
  {
    const char *argv[] = { "pdftoppm", "-r", "40", "-png", f->pdf, prefix, NULL };
    g_autofree char *out = run (argv);
  }

  for (guint page = 1; page <= n_pages; page++)
    {
      g_autofree char *text = page_text (f->pdf, page);
      g_autofree char *footer = g_strdup_printf ("Page %u of %u", page, n_pages);
      g_autofree char *png = NULL;
      double ink;

      /* pdftoppm numbers pages with as many digits as the last needs. */
      png = g_strdup_printf ("%s-%0*u.png", prefix, n_pages >= 10 ? 2 : 1, page);
      g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
      ink = ink_fraction (png);
      g_test_message ("page %u: %.1f%% inked", page, 100 * ink);
      g_assert_cmpfloat (ink, >, 0.005);

      g_assert_nonnull (strstr (text, footer));
      g_assert_nonnull (strstr (text, "Ward 7B"));
      g_assert_nonnull (strstr (text, "Chloé Martin"));
      g_string_append (all_text, text);
    }

  /* No page more than pdftoppm made. */
  {
    g_autofree char *extra = g_strdup_printf ("%s-%0*u.png", prefix, n_pages >= 10 ? 2 : 1, n_pages + 1);

    g_assert_false (g_file_test (extra, G_FILE_TEST_EXISTS));
  }

  for (guint i = 0; i < N_BEDS; i++)
    {
      g_autofree char *sit = g_strdup_printf ("SIT-%02u", i);
      g_autofree char *back = g_strdup_printf ("BACK-%02u", i);
      g_autofree char *rec = g_strdup_printf ("REC-%02u", i);
      g_autofree char *task = g_strdup_printf ("TASK-%02u", i);

      g_assert_nonnull (strstr (all_text->str, sit));
      g_assert_nonnull (strstr (all_text->str, back));
      g_assert_true ((strstr (all_text->str, rec) != NULL) == (i != 7));
      g_assert_true ((strstr (all_text->str, task) != NULL) == (i != 5));
      /* Initials only: the sheet may be left on a desk. */
      g_assert_null (strstr (all_text->str, names[i]));
    }
  g_assert_nonnull (strstr (all_text->str, "END-OF-LONG-NOTE-03"));
  g_assert_nonnull (strstr (all_text->str, "ASSESS-04"));
  g_assert_nonnull (strstr (all_text->str, "Situation:"));
  g_assert_nonnull (strstr (all_text->str, "Background:"));
  g_assert_nonnull (strstr (all_text->str, "Assessment:"));
  g_assert_nonnull (strstr (all_text->str, "Recommendation:"));
  g_assert_nonnull (strstr (all_text->str, "P. S."));
  g_assert_nonnull (strstr (all_text->str, "No open tasks"));
  g_assert_nonnull (strstr (all_text->str, "NEWS2 9 (High)"));
  g_assert_nonnull (strstr (all_text->str, "repeat observations in 30 minutes & call"));
}

static void
test_names_shown (Fixture       *f,
                  gconstpointer  data)
{
  WardHandoverBed bed = { .bed = "Bed 1", .patient_name = "Mary O'Neil", .news2 = -1,
                          .situation = "<b>not markup</b>" };
  WardHandoverSheet sheet = { .ward = "Ward 7B", .printed_at = G_USEC_PER_SEC, .show_names = TRUE,
                              .beds = &bed, .n_beds = 1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n_pages = 0;

  if (!have_poppler ())
    return;

  g_assert_true (ward_handover_sheet_write_pdf (&sheet, f->pdf, &n_pages, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_pages, ==, 1);
  text = page_text (f->pdf, 1);
  g_assert_nonnull (strstr (text, "Mary O'Neil"));
  g_assert_nonnull (strstr (text, "<b>not markup</b>"));
  g_assert_nonnull (strstr (text, "Page 1 of 1"));
  g_assert_nonnull (strstr (text, "NEWS2: no score"));
}

static void
test_unwritable (void)
{
  WardHandoverSheet sheet = { .ward = "Ward 7B", .printed_at = G_USEC_PER_SEC };
  g_autoptr(GError) error = NULL;

  g_assert_false (ward_handover_sheet_write_pdf (&sheet, "/nonexistent/dir/sheet.pdf", NULL, &error));
  g_assert_error (error, WARD_HANDOVER_SHEET_ERROR, WARD_HANDOVER_SHEET_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dir/sheet.pdf"));
}

static void
test_initials (void)
{
  g_autofree char *a = ward_handover_initials ("John Smith");
  g_autofree char *b = ward_handover_initials ("  éloïse  de la Tour-Martin ");
  g_autofree char *c = ward_handover_initials ("");

  g_assert_cmpstr (a, ==, "J. S.");
  g_assert_cmpstr (b, ==, "É. D. L. T. M.");
  g_assert_cmpstr (c, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/handover-sheet/converts", Fixture, NULL, fixture_set_up, test_sheet_converts,
              fixture_tear_down);
  g_test_add ("/handover-sheet/names-shown", Fixture, NULL, fixture_set_up, test_names_shown,
              fixture_tear_down);
  g_test_add_func ("/handover-sheet/unwritable", test_unwritable);
  g_test_add_func ("/handover-sheet/initials", test_initials);

  return g_test_run ();
}
