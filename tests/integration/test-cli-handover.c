/* test-cli-handover.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-test-cli.h"

/* wardwatch-cli handover-sheet and wardwatch-cli staff as a user runs
 * them: JSON or a PIN in, a PDF (read back by poppler's pdftotext) or a
 * hash line out, and bad input named.
 */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static gboolean
run (const char * const *argv,
     const char         *input,
     Result             *r)
{
  r->status = ward_test_run (argv, input, &r->out, &r->err);
  return TRUE;
}

static const char *
cli (void)
{
  const char *path = g_getenv ("WARDWATCH_CLI");

  if (path == NULL)
    g_error ("WARDWATCH_CLI is not set: run through meson test");
  return path;
}

static void
test_sheet_from_json (void)
{
  static const char json[] =
    "{\"ward\": \"Ward 7B\", \"printed_by\": \"Chloé Martin\", \"show_names\": true,"
    " \"beds\": [{\"bed\": \"Bed 4\", \"patient\": \"Mary O'Neil\", \"news2\": 6, \"band\": \"medium\","
    "  \"tasks\": [{\"description\": \"Repeat lactate\", \"owner\": \"Dr Dev Patel\","
    "              \"due\": \"2026-12-07T14:30:00Z\"}],"
    "  \"situation\": \"Tachypnoeic since 13:00\", \"background\": \"Day 2 of pneumonia\","
    "  \"assessment\": \"Worsening\", \"recommendation\": \"Escalate to outreach if NEWS2 reaches 7\"}]}";
  g_autofree char *dir = g_dir_make_tmp ("ward-cli-handover-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "sheet.pdf", NULL);
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  const char *argv[] = { cli (), "handover-sheet", pdf, NULL };
  g_auto(Result) r = { 0 };
  g_auto(Result) text = { 0 };

  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext is needed (Debian: poppler-utils)");
      return;
    }

  run (argv, json, &r);
  if (r.status != 0)
    g_error ("handover-sheet failed: %s", r.err);
  g_assert_nonnull (strstr (r.out, ": 1 page\n"));

  {
    const char *text_argv[] = { pdftotext, pdf, "-", NULL };

    run (text_argv, NULL, &text);
  }
  g_strdelimit (text.out, "\n", ' ');
  g_assert_nonnull (strstr (text.out, "Mary O'Neil"));
  g_assert_nonnull (strstr (text.out, "NEWS2 6 (Medium)"));
  g_assert_nonnull (strstr (text.out, "Repeat lactate — Dr Dev Patel, due"));
  g_assert_nonnull (strstr (text.out, "Escalate to outreach if NEWS2 reaches 7"));
  g_assert_nonnull (strstr (text.out, "Page 1 of 1"));

  g_unlink (pdf);
  g_rmdir (dir);
}

static void
test_sheet_refuses_bad_input (void)
{
  static const struct
  {
    const char *json;
    const char *names;
  } cases[] = {
    { "[]", "expected a JSON object" },
    { "{\"beds\": [{\"bed\": \"Bed 1\", \"sbar\": {}}]}", "beds[0].sbar: unknown key" },
    { "{\"beds\": [{\"news2\": 5}]}", "beds[0]: a score needs its band" },
    { "{\"beds\": [{\"news2\": 5, \"band\": \"amber\"}]}", "beds[0].band" },
    { "{\"beds\": [{\"tasks\": [{\"due\": \"tomorrow\"}]}]}", "beds[0].tasks[0].due" },
    { "{\"ward\": 7}", "sheet.ward: expected text" },
  };
  g_autofree char *dir = g_dir_make_tmp ("ward-cli-handover-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "sheet.pdf", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[] = { cli (), "handover-sheet", pdf, NULL };
      g_auto(Result) r = { 0 };

      run (argv, cases[i].json, &r);
      g_assert_cmpint (r.status, ==, 1);
      if (strstr (r.err, cases[i].names) == NULL)
        g_error ("case %u: \"%s\" does not name \"%s\"", i, r.err, cases[i].names);
      /* Nothing half-written is left behind. */
      g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
    }

  g_rmdir (dir);
}

static void
test_staff_hash_pin (void)
{
  const char *argv[] = { cli (), "staff", "hash-pin", NULL };
  g_auto(Result) r = { 0 };
  g_auto(Result) weak = { 0 };

  run (argv, "4821\n", &r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "pbkdf2-sha256$200000$"));
  /* The PIN never shows in what comes out. */
  g_assert_null (strstr (r.out, "4821"));

  run (argv, "12\n", &weak);
  g_assert_cmpint (weak.status, ==, 1);
  g_assert_nonnull (strstr (weak.err, "4 to 12 digits"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/handover-sheet/from-json", test_sheet_from_json);
  g_test_add_func ("/cli/handover-sheet/refuses-bad-input", test_sheet_refuses_bad_input);
  g_test_add_func ("/cli/staff/hash-pin", test_staff_hash_pin);

  return g_test_run ();
}
