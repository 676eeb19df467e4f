/* test-cli-score.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-cli-score"

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <string.h>

#include "ward-test-cli.h"

/* Runs the built wardwatch-cli (path in $WARDWATCH_CLI) as a user would:
 * JSON lines in on stdin, JSON lines out on stdout.  Expected points come
 * from the NEWS2 table in shared/reference/clinical/CLINICAL.md.
 */

#define ABSENT (-1)   /* expected JSON null for a per-parameter entry */

typedef struct
{
  char      *stdout_text;
  char      *stderr_text;
  int        exit_status;
  GPtrArray *lines;        /* of JsonObject, one per output line */
} CliRun;

static void
cli_run_free (CliRun *run)
{
  g_free (run->stdout_text);
  g_free (run->stderr_text);
  g_clear_pointer (&run->lines, g_ptr_array_unref);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliRun, cli_run_free)

static const char *
get_cli (void)
{
  const char *cli = g_getenv ("WARDWATCH_CLI");

  if (cli == NULL || !g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("WARDWATCH_CLI does not name the built wardwatch-cli");
      return NULL;
    }

  return cli;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

/* Runs `wardwatch-cli ARGS…` with @input on stdin.  When @parse is TRUE,
 * every stdout line must be one JSON object.
 */
static CliRun *
run_cli (const char * const *args,
         const char         *input,
         gboolean            parse)
{
  g_auto(GStrv) out_lines = NULL;
  CliRun *run = g_new0 (CliRun, 1);

  g_assert_nonnull (get_cli ());

  run->exit_status = ward_test_run_cli (NULL, args, input, &run->stdout_text, &run->stderr_text);
  g_assert_cmpint (run->exit_status, >=, 0);

  run->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  if (!parse)
    return run;

  /* Every output line ends with a newline: it was flushed whole. */
  g_assert_true (run->stdout_text[0] == '\0' || g_str_has_suffix (run->stdout_text, "\n"));
  out_lines = g_strsplit (run->stdout_text, "\n", -1);
  for (guint i = 0; out_lines[i] != NULL; i++)
    {
      if (out_lines[i][0] == '\0' && out_lines[i + 1] == NULL)
        break;
      g_ptr_array_add (run->lines, parse_object (out_lines[i]));
    }

  return run;
}

static CliRun *
run_score (const char *input)
{
  static const char * const args[] = { "score", NULL };

  return run_cli (args, input, TRUE);
}

/* Checks one result line: @points lists rr, spo2, air_or_oxygen, sbp, hr,
 * consciousness and temp, ABSENT where the output must be null.
 */
static void
assert_result (JsonObject *object,
               int         total,
               const char *band,
               gboolean    complete,
               const int   points[7])
{
  static const char * const names[] = {
    "rr", "spo2", "air_or_oxygen", "sbp", "hr", "consciousness", "temp",
  };
  JsonObject *per_param;

  g_assert_false (json_object_has_member (object, "error"));
  g_assert_cmpint (json_object_get_size (object), ==, 4);
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, total);
  g_assert_cmpstr (json_object_get_string_member (object, "band"), ==, band);
  g_assert_cmpint (json_object_get_boolean_member (object, "complete"), ==, complete);

  per_param = json_object_get_object_member (object, "per_param");
  g_assert_nonnull (per_param);
  g_assert_cmpint (json_object_get_size (per_param), ==, G_N_ELEMENTS (names));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = json_object_get_member (per_param, names[i]);

      g_assert_nonnull (node);
      if (points[i] == ABSENT)
        {
          if (!JSON_NODE_HOLDS_NULL (node))
            g_test_fail_printf ("per_param.%s: expected null", names[i]);
        }
      else if (!JSON_NODE_HOLDS_VALUE (node) ||
               json_node_get_value_type (node) != G_TYPE_INT64 ||
               json_node_get_int (node) != points[i])
        {
          g_test_fail_printf ("per_param.%s: expected %d", names[i], points[i]);
        }
    }
}

/* Checks an error line: it names @field (when not NULL) and the line. */
static void
assert_error (JsonObject *object,
              guint       line_number,
              const char *field)
{
  g_autofree char *line_text = g_strdup_printf ("line %u", line_number);
  const char *message;

  g_assert_true (json_object_has_member (object, "error"));
  g_assert_false (json_object_has_member (object, "total"));
  message = json_object_get_string_member (object, "error");
  g_assert_nonnull (message);

  if (strstr (message, line_text) == NULL)
    g_test_fail_printf ("error \"%s\" does not name %s", message, line_text);
  if (field != NULL && strstr (message, field) == NULL)
    g_test_fail_printf ("error \"%s\" does not name \"%s\"", message, field);
}

static void
test_normal (void)
{
  static const int points[7] = { 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  run = run_score ("{\"rr\":16,\"spo2\":98,\"spo2_scale\":1,\"on_oxygen\":false,\"sbp\":125,"
                   "\"hr\":72,\"consciousness\":\"A\",\"temp\":36.8}\n");

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->lines->len, ==, 1);
  assert_result (run->lines->pdata[0], 0, "low", TRUE, points);
}

static void
test_high (void)
{
  /* RR 26 (3), SpO2 91 (3), oxygen (2), SBP 95 (2), HR 120 (2), A (0),
   * temp 38.5 (1): 13.
   */
  static const int high[7] = { 3, 3, 2, 2, 2, 0, 1 };
  /* Confusion alone with the rest normal: 3, a red score. */
  static const int red[7] = { 0, 0, 0, 0, 0, 3, 0 };
  /* SBP 88 (3) and oxygen (2): 5 with a red score is medium. */
  static const int medium[7] = { 0, 0, 2, 3, 0, 0, 0 };
  /* Worst of every parameter: 20. */
  static const int worst[7] = { 3, 3, 2, 3, 3, 3, 3 };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  run = run_score ("{\"rr\":26,\"spo2\":91,\"on_oxygen\":true,\"sbp\":95,\"hr\":120,"
                   "\"consciousness\":\"A\",\"temp\":38.5}\n"
                   "{\"rr\":16,\"spo2\":98,\"on_oxygen\":false,\"sbp\":125,\"hr\":72,"
                   "\"consciousness\":\"C\",\"temp\":36.8}\n"
                   "{\"rr\":16,\"spo2\":98,\"on_oxygen\":true,\"sbp\":88,\"hr\":72,"
                   "\"consciousness\":\"A\",\"temp\":36.8}\n"
                   "{\"rr\":40,\"spo2\":80,\"on_oxygen\":true,\"sbp\":70,\"hr\":150,"
                   "\"consciousness\":\"U\",\"temp\":34.0}\n");

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->lines->len, ==, 4);
  assert_result (run->lines->pdata[0], 13, "high", TRUE, high);
  assert_result (run->lines->pdata[1], 3, "low-medium", TRUE, red);
  assert_result (run->lines->pdata[2], 5, "medium", TRUE, medium);
  assert_result (run->lines->pdata[3], 20, "high", TRUE, worst);
}

static void
test_partial_escalates (void)
{
  /* No SpO2: RR 26 (3), oxygen (2), SBP 90 (3), HR 95 (1) = 9. */
  static const int points[7] = { 3, ABSENT, 2, 3, 1, 0, 0 };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  run = run_score ("{\"rr\":26,\"on_oxygen\":true,\"sbp\":90,\"hr\":95,"
                   "\"consciousness\":\"A\",\"temp\":36.8}\n");

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->lines->len, ==, 1);
  assert_result (run->lines->pdata[0], 9, "high", FALSE, points);
}

static void
test_scale2 (void)
{
  static const int o2_97[7] = { ABSENT, 3, 2, ABSENT, ABSENT, ABSENT, ABSENT };
  static const int air_97[7] = { ABSENT, 0, 0, ABSENT, ABSENT, ABSENT, ABSENT };
  static const int o2_93[7] = { ABSENT, 1, 2, ABSENT, ABSENT, ABSENT, ABSENT };
  static const int air_93[7] = { ABSENT, 0, 0, ABSENT, ABSENT, ABSENT, ABSENT };
  static const int o2_95[7] = { ABSENT, 2, 2, ABSENT, ABSENT, ABSENT, ABSENT };
  static const int air_85[7] = { ABSENT, 2, 0, ABSENT, ABSENT, ABSENT, ABSENT };
  static const int scale1_93[7] = { ABSENT, 2, 0, ABSENT, ABSENT, ABSENT, ABSENT };
  static const int default_90[7] = { ABSENT, 3, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  run = run_score ("{\"spo2\":97,\"spo2_scale\":2,\"on_oxygen\":true}\n"
                   "{\"spo2\":97,\"spo2_scale\":2,\"on_oxygen\":false}\n"
                   "{\"spo2\":93,\"spo2_scale\":2,\"on_oxygen\":true}\n"
                   "{\"spo2\":93,\"spo2_scale\":2,\"on_oxygen\":false}\n"
                   "{\"spo2\":95,\"spo2_scale\":2,\"on_oxygen\":true}\n"
                   "{\"spo2\":85,\"spo2_scale\":2,\"on_oxygen\":false}\n"
                   "{\"spo2\":93,\"spo2_scale\":1,\"on_oxygen\":false}\n"
                   "{\"spo2\":90}\n");

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->lines->len, ==, 8);
  assert_result (run->lines->pdata[0], 5, "medium", FALSE, o2_97);
  assert_result (run->lines->pdata[1], 0, "low", FALSE, air_97);
  assert_result (run->lines->pdata[2], 3, "low", FALSE, o2_93);
  assert_result (run->lines->pdata[3], 0, "low", FALSE, air_93);
  assert_result (run->lines->pdata[4], 4, "low", FALSE, o2_95);
  assert_result (run->lines->pdata[5], 2, "low", FALSE, air_85);
  assert_result (run->lines->pdata[6], 2, "low", FALSE, scale1_93);
  assert_result (run->lines->pdata[7], 3, "low-medium", FALSE, default_90);
}

static void
test_absent_nulls (void)
{
  static const int none[7] = { ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT };
  /* on_oxygen absent: air_or_oxygen is null, not 0. */
  static const int no_oxygen[7] = { 0, 0, ABSENT, 0, 0, 0, 0 };
  static const int hr_only[7] = { ABSENT, ABSENT, ABSENT, ABSENT, 2, ABSENT, ABSENT };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  run = run_score ("{}\n"
                   "{\"rr\":null,\"spo2\":null,\"spo2_scale\":null,\"on_oxygen\":null,"
                   "\"sbp\":null,\"hr\":null,\"consciousness\":null,\"temp\":null}\n"
                   "{\"rr\":16,\"spo2\":98,\"sbp\":125,\"hr\":72,"
                   "\"consciousness\":\"A\",\"temp\":36.8}\n"
                   "{\"hr\":120,\"bed\":\"B12\",\"extra\":{\"nested\":[1,2,3]}}\n");

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->lines->len, ==, 4);
  assert_result (run->lines->pdata[0], 0, "low", FALSE, none);
  assert_result (run->lines->pdata[1], 0, "low", FALSE, none);
  assert_result (run->lines->pdata[2], 0, "low", FALSE, no_oxygen);
  assert_result (run->lines->pdata[3], 2, "low", FALSE, hr_only);
}

static void
test_temp_rounding (void)
{
  static const int zero[7] = { ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, 0 };
  static const int one[7] = { ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, 1 };
  static const int three[7] = { ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, 3 };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  run = run_score ("{\"temp\":37.95}\n"
                   "{\"temp\":38.05}\n"
                   "{\"temp\":35.04}\n"
                   "{\"temp\":35.05}\n"
                   "{\"temp\":38}\n");

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->lines->len, ==, 5);
  assert_result (run->lines->pdata[0], 0, "low", FALSE, zero);
  assert_result (run->lines->pdata[1], 1, "low", FALSE, one);
  assert_result (run->lines->pdata[2], 3, "low-medium", FALSE, three);
  assert_result (run->lines->pdata[3], 1, "low", FALSE, one);
  assert_result (run->lines->pdata[4], 0, "low", FALSE, zero);
}

static void
test_bad_lines (void)
{
  static const int good1[7] = { 0, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT };
  static const int good2[7] = { ABSENT, ABSENT, ABSENT, ABSENT, 2, ABSENT, ABSENT };
  static const int good3[7] = { ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, 3, ABSENT };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  run = run_score ("{\"rr\":16}\n"                     /* 1 */
                   "this is not json\n"                /* 2 */
                   "{\"spo2\":101}\n"                  /* 3 */
                   "{\"hr\":120}\n"                    /* 4 */
                   "{\"rr\":-1}\n"                     /* 5 */
                   "{\"temp\":46}\n"                   /* 6 */
                   "{\"consciousness\":\"X\"}\n"       /* 7 */
                   "{\"rr\":\"fast\"}\n"               /* 8 */
                   "{\"on_oxygen\":\"yes\"}\n"         /* 9 */
                   "{\"spo2_scale\":3,\"spo2\":95}\n"  /* 10 */
                   "[16,98]\n"                         /* 11 */
                   "{\"temp\":24.9}\n"                 /* 12 */
                   "{\"consciousness\":\"V\"}\n");     /* 13 */

  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->lines->len, ==, 13);
  assert_result (run->lines->pdata[0], 0, "low", FALSE, good1);
  assert_error (run->lines->pdata[1], 2, NULL);
  assert_error (run->lines->pdata[2], 3, "spo2");
  assert_result (run->lines->pdata[3], 2, "low", FALSE, good2);
  assert_error (run->lines->pdata[4], 5, "rr");
  assert_error (run->lines->pdata[5], 6, "temp");
  assert_error (run->lines->pdata[6], 7, "consciousness");
  assert_error (run->lines->pdata[7], 8, "rr");
  assert_error (run->lines->pdata[8], 9, "on_oxygen");
  assert_error (run->lines->pdata[9], 10, "spo2_scale");
  assert_error (run->lines->pdata[10], 11, NULL);
  assert_error (run->lines->pdata[11], 12, "temp");
  assert_result (run->lines->pdata[12], 3, "low-medium", FALSE, good3);

  /* A single bad line is enough for status 1. */
  g_clear_pointer (&run, cli_run_free);
  run = run_score ("{\"rr\":16}\n{\"spo2\":101}\n{\"rr\":16}\n");
  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->lines->len, ==, 3);
  assert_error (run->lines->pdata[1], 2, "spo2");
}

static void
test_blank_lines (void)
{
  static const int rr[7] = { 0, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  /* Blank lines give no output but still count for line numbers; a CRLF
   * line and a last line without a newline are scored.
   */
  run = run_score ("\n"
                   "{\"rr\":16}\r\n"
                   "   \n"
                   "{\"rr\":-3}\n"
                   "\n"
                   "{\"rr\":16}");

  g_assert_cmpint (run->exit_status, ==, 1);
  g_assert_cmpuint (run->lines->len, ==, 3);
  assert_result (run->lines->pdata[0], 0, "low", FALSE, rr);
  assert_error (run->lines->pdata[1], 4, "rr");
  assert_result (run->lines->pdata[2], 0, "low", FALSE, rr);

  /* No input at all: no output, success. */
  g_clear_pointer (&run, cli_run_free);
  run = run_score ("");
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->lines->len, ==, 0);
}

static void
test_long_line (void)
{
  static const int points[7] = { 2, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT };
  g_autoptr(GString) input = g_string_new ("{\"note\":\"");
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  /* Far longer than any fixed read buffer. */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (input, 'x');
  g_string_append (input, "\",\"rr\":22}\n");

  run = run_score (input->str);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpuint (run->lines->len, ==, 1);
  assert_result (run->lines->pdata[0], 2, "low", FALSE, points);
}

static void
test_help (void)
{
  static const char * const score_help[] = { "score", "--help", NULL };
  static const char * const help[] = { "--help", NULL };
  static const char * const none[] = { NULL };
  static const char * const unknown[] = { "frobnicate", NULL };
  static const char * const version[] = { "--version", NULL };
  g_autoptr(CliRun) run = NULL;

  if (get_cli () == NULL)
    return;

  run = run_cli (score_help, "", FALSE);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_nonnull (strstr (run->stdout_text, "wardwatch-cli score"));
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (help, "", FALSE);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_nonnull (strstr (run->stdout_text, "score"));
  g_assert_nonnull (strstr (run->stdout_text, "stats"));
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (none, "", FALSE);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text, "score"));
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (unknown, "", FALSE);
  g_assert_cmpint (run->exit_status, ==, 2);
  g_assert_nonnull (strstr (run->stderr_text, "frobnicate"));
  g_assert_cmpstr (run->stdout_text, ==, "");
  g_clear_pointer (&run, cli_run_free);

  run = run_cli (version, "", FALSE);
  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_nonnull (strstr (run->stdout_text, PACKAGE_VERSION));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/score/normal", test_normal);
  g_test_add_func ("/cli/score/high", test_high);
  g_test_add_func ("/cli/score/partial-escalates", test_partial_escalates);
  g_test_add_func ("/cli/score/scale2", test_scale2);
  g_test_add_func ("/cli/score/absent-nulls", test_absent_nulls);
  g_test_add_func ("/cli/score/temp-rounding", test_temp_rounding);
  g_test_add_func ("/cli/score/bad-lines", test_bad_lines);
  g_test_add_func ("/cli/score/blank-lines", test_blank_lines);
  g_test_add_func ("/cli/score/long-line", test_long_line);
  g_test_add_func ("/cli/score/help", test_help);

  return g_test_run ();
}
