/* test-jmespath-differential.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ward-jmespath.h"

/* Differential test: random expressions from a small grammar, over a few
 * random documents, evaluated by our evaluator and by python3-jmespath
 * (jmespath-reference.py, one batch of JSON lines), must agree: the same
 * result (numbers compared by value) or an error on both sides.
 *
 * The seed is printed; WARD_JMESPATH_SEED=N repeats a run, and
 * WARD_JMESPATH_CASES=N changes the number of expressions.
 */

#define DEFAULT_SEED      20260311
#define DEFAULT_CASES     2500
#define N_DOCUMENTS       4
#define MAX_REPORTED      25

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

static const char *field_names[] = { "a", "b", "c", "foo", "bar", "\"b c\"" };
static const char *key_names[] = { "a", "b", "c", "foo", "bar", "b c" };

/* --- Documents ------------------------------------------------------- */

static JsonNode *
random_scalar (GRand *rand)
{
  static const gint64 ints[] = { -3, 2, 3, 5, 7, 10, 42, 0, 1 };
  /* Some that to_string() must write as Python does: 2.0, 1e-05, 1e+16. */
  static const double doubles[] = { 2.5, -1.5, 0.25, 10.5, 3.75, 2.0, 0.1, 1e-05, 1e16, -1.5e20,
                                    123456.789 };
  static const char *strings[] = { "a", "b", "abc", "", "12", "1.5", "ab", "Zed", "b c", "x1" };
  JsonNode *node = json_node_alloc ();

  switch (g_rand_int_range (rand, 0, 10))
    {
    case 0:
    case 1:
    case 2:
      return json_node_init_int (node, PICK (rand, ints));
    case 3:
      return json_node_init_double (node, PICK (rand, doubles));
    case 4:
    case 5:
    case 6:
      return json_node_init_string (node, PICK (rand, strings));
    case 7:
      return json_node_init_boolean (node, g_rand_boolean (rand));
    case 8:
      return json_node_init_null (node);
    default:
      return json_node_init_int (node, g_rand_int_range (rand, -20, 100));
    }
}

static JsonNode *
random_document (GRand *rand,
                 guint  depth)
{
  int kind = depth == 0 ? 2 : g_rand_int_range (rand, 0, 5);

  if (kind == 0 || kind == 3)
    {
      JsonObject *object = json_object_new ();
      guint n = g_rand_int_range (rand, 0, 6);
      JsonNode *node;

      for (guint i = 0; i < n; i++)
        {
          const char *key = PICK (rand, key_names);

          if (!json_object_has_member (object, key))
            json_object_set_member (object, key, random_document (rand, depth - 1));
        }
      node = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      return node;
    }
  else if (kind == 1 || kind == 4)
    {
      JsonArray *array = json_array_new ();
      guint n = g_rand_int_range (rand, 0, 6);
      JsonNode *node;
      /* Arrays of one kind make sort(), max(), sum()... succeed more often. */
      gboolean uniform = g_rand_boolean (rand);
      gboolean numbers = g_rand_boolean (rand);

      for (guint i = 0; i < n; i++)
        {
          if (uniform)
            {
              JsonNode *element = json_node_alloc ();

              if (numbers)
                json_node_init_int (element, g_rand_int_range (rand, -10, 30));
              else
                json_node_init_string (element, PICK (rand, key_names));
              json_array_add_element (array, element);
            }
          else
            json_array_add_element (array, random_document (rand, depth - 1));
        }
      node = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
      return node;
    }

  return random_scalar (rand);
}

/* A document with the field names at the top, so that paths find data. */
static JsonNode *
make_document (GRand *rand)
{
  JsonObject *object = json_object_new ();
  JsonNode *node;

  for (guint i = 0; i < G_N_ELEMENTS (key_names); i++)
    if (g_rand_int_range (rand, 0, 5) > 0)
      json_object_set_member (object, key_names[i], random_document (rand, 3));

  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  return node;
}

/* --- Expressions ----------------------------------------------------- */

static void gen_expression (GRand   *rand,
                            GString *out,
                            guint    depth);

static void
gen_field (GRand   *rand,
           GString *out)
{
  g_string_append (out, PICK (rand, field_names));
}

static void
gen_literal (GRand   *rand,
             GString *out)
{
  static const char *literals[] = {
    "`1`", "`0`", "`-2`", "`2.5`", "`true`", "`false`", "`null`", "`\"a\"`", "`[1, 2]`",
    "`[]`", "`{}`", "`{\"a\": 1}`", "`\"\"`", "'a'", "'abc'", "''", "'12'", "`[\"b\", \"a\"]`",
    "`10`", "`[0, false]`",
  };

  g_string_append (out, PICK (rand, literals));
}

static void
gen_leaf (GRand   *rand,
          GString *out)
{
  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      g_string_append_c (out, '@');
      break;
    case 1:
      gen_literal (rand, out);
      break;
    default:
      gen_field (rand, out);
      break;
    }
}

static void
gen_int (GRand   *rand,
         GString *out,
         gboolean nonzero)
{
  int value;

  do
    value = g_rand_int_range (rand, -4, 5);
  while (nonzero && value == 0);
  g_string_append_printf (out, "%d", value);
}

static void
gen_function (GRand   *rand,
              GString *out,
              guint    depth)
{
  static const char *unary[] = {
    "length", "keys", "values", "sort", "max", "min", "sum", "avg", "abs", "ceil", "floor",
    "to_string", "to_number", "to_array", "type", "reverse", "not_null",
  };
  int choice = g_rand_int_range (rand, 0, 9);

  switch (choice)
    {
    case 0:
    case 1:
    case 2:
    case 3:
      g_string_append_printf (out, "%s(", PICK (rand, unary));
      gen_expression (rand, out, depth);
      g_string_append_c (out, ')');
      break;

    case 4:
      {
        static const char *by[] = { "sort_by", "max_by", "min_by" };

        g_string_append_printf (out, "%s(", PICK (rand, by));
        gen_expression (rand, out, depth);
        g_string_append (out, ", &");
        gen_expression (rand, out, depth);
        g_string_append_c (out, ')');
      }
      break;

    case 5:
      g_string_append (out, "map(&");
      gen_expression (rand, out, depth);
      g_string_append (out, ", ");
      gen_expression (rand, out, depth);
      g_string_append_c (out, ')');
      break;

    case 6:
      {
        static const char *two[] = {
          "starts_with", "ends_with", "join", "contains", "merge", "not_null",
        };

        g_string_append_printf (out, "%s(", PICK (rand, two));
        gen_expression (rand, out, depth);
        g_string_append (out, ", ");
        gen_expression (rand, out, depth);
        g_string_append_c (out, ')');
      }
      break;

    case 7:
      /* Against strings, so that contains() compares like with like. */
      g_string_append (out, "contains(");
      gen_expression (rand, out, depth);
      g_string_append (out, ", 'a')");
      break;

    default:
      g_string_append (out, "join(', ', ");
      gen_expression (rand, out, depth);
      g_string_append_c (out, ')');
      break;
    }
}

/* What may follow a '.': an identifier, a multi-select, a function, '*'. */
static void
gen_dot_rhs (GRand   *rand,
             GString *out,
             guint    depth)
{
  switch (g_rand_int_range (rand, 0, 8))
    {
    case 0:
      g_string_append_c (out, '[');
      gen_expression (rand, out, depth);
      g_string_append (out, ", ");
      gen_field (rand, out);
      g_string_append_c (out, ']');
      break;
    case 1:
      g_string_append (out, "{k: ");
      gen_expression (rand, out, depth);
      g_string_append (out, ", \"l m\": ");
      gen_field (rand, out);
      g_string_append_c (out, '}');
      break;
    case 2:
      gen_function (rand, out, depth);
      break;
    case 3:
      g_string_append_c (out, '*');
      break;
    default:
      gen_field (rand, out);
      break;
    }
}

static void
gen_expression (GRand   *rand,
                GString *out,
                guint    depth)
{
  static const char *comparators[] = { "==", "!=", "<", "<=", ">", ">=" };

  if (depth == 0 || g_rand_int_range (rand, 0, 8) == 0)
    {
      gen_leaf (rand, out);
      return;
    }
  depth--;

  switch (g_rand_int_range (rand, 0, 20))
    {
    case 0:
    case 1:
      gen_expression (rand, out, depth);
      g_string_append_c (out, '.');
      gen_dot_rhs (rand, out, depth);
      break;

    case 2:
      gen_expression (rand, out, depth);
      g_string_append_c (out, '[');
      gen_int (rand, out, FALSE);
      g_string_append_c (out, ']');
      break;

    case 3:
      gen_expression (rand, out, depth);
      g_string_append_c (out, '[');
      if (g_rand_boolean (rand))
        gen_int (rand, out, FALSE);
      g_string_append_c (out, ':');
      if (g_rand_boolean (rand))
        gen_int (rand, out, FALSE);
      if (g_rand_boolean (rand))
        {
          g_string_append_c (out, ':');
          gen_int (rand, out, TRUE);
        }
      g_string_append_c (out, ']');
      break;

    case 4:
    case 5:
      gen_expression (rand, out, depth);
      g_string_append (out, "[*]");
      if (g_rand_boolean (rand))
        {
          g_string_append_c (out, '.');
          gen_dot_rhs (rand, out, depth);
        }
      break;

    case 6:
      gen_expression (rand, out, depth);
      g_string_append (out, ".*");
      break;

    case 7:
      gen_expression (rand, out, depth);
      g_string_append (out, "[]");
      if (g_rand_boolean (rand))
        {
          g_string_append_c (out, '.');
          gen_dot_rhs (rand, out, depth);
        }
      break;

    case 8:
    case 9:
      gen_expression (rand, out, depth);
      g_string_append (out, "[?");
      gen_expression (rand, out, depth);
      if (g_rand_boolean (rand))
        {
          g_string_append_printf (out, " %s ", comparators[g_rand_int_range (rand, 0, 6)]);
          gen_expression (rand, out, depth);
        }
      g_string_append_c (out, ']');
      break;

    case 10:
      g_string_append_c (out, '[');
      gen_expression (rand, out, depth);
      g_string_append (out, ", ");
      gen_expression (rand, out, depth);
      g_string_append_c (out, ']');
      break;

    case 11:
      g_string_append (out, "{x: ");
      gen_expression (rand, out, depth);
      g_string_append (out, ", y: ");
      gen_expression (rand, out, depth);
      g_string_append_c (out, '}');
      break;

    case 12:
      gen_expression (rand, out, depth);
      g_string_append (out, " | ");
      gen_expression (rand, out, depth);
      break;

    case 13:
      gen_expression (rand, out, depth);
      g_string_append (out, g_rand_boolean (rand) ? " || " : " && ");
      gen_expression (rand, out, depth);
      break;

    case 14:
      g_string_append_c (out, '!');
      gen_expression (rand, out, depth);
      break;

    case 15:
      g_string_append_c (out, '(');
      gen_expression (rand, out, depth);
      g_string_append_c (out, ')');
      break;

    case 16:
      gen_expression (rand, out, depth);
      g_string_append_printf (out, " %s ", comparators[g_rand_int_range (rand, 0, 6)]);
      gen_expression (rand, out, depth);
      break;

    default:
      gen_function (rand, out, depth);
      break;
    }
}

/* --- Comparison ------------------------------------------------------ */

static gboolean
numbers_equal (double x,
               double y)
{
  if (x == y)
    return TRUE;
  return fabs (x - y) <= 1e-12 * MAX (fabs (x), fabs (y));
}

static gboolean
json_equal (JsonNode *a,
            JsonNode *b)
{
  JsonNodeType type = json_node_get_node_type (a);

  if (type != json_node_get_node_type (b))
    return FALSE;

  switch (type)
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_VALUE:
      {
        GType ta = json_node_get_value_type (a);
        GType tb = json_node_get_value_type (b);
        gboolean a_number = ta == G_TYPE_INT64 || ta == G_TYPE_DOUBLE;
        gboolean b_number = tb == G_TYPE_INT64 || tb == G_TYPE_DOUBLE;

        if (a_number && b_number)
          {
            if (ta == G_TYPE_INT64 && tb == G_TYPE_INT64)
              return json_node_get_int (a) == json_node_get_int (b);
            return numbers_equal (json_node_get_double (a), json_node_get_double (b));
          }
        if (ta != tb)
          return FALSE;
        if (ta == G_TYPE_BOOLEAN)
          return json_node_get_boolean (a) == json_node_get_boolean (b);
        return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a);
        JsonArray *y = json_node_get_array (b);

        if (json_array_get_length (x) != json_array_get_length (y))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (x); i++)
          if (!json_equal (json_array_get_element (x, i), json_array_get_element (y, i)))
            return FALSE;
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *x = json_node_get_object (a);
        JsonObject *y = json_node_get_object (b);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        if (json_object_get_size (x) != json_object_get_size (y))
          return FALSE;
        json_object_iter_init (&iter, x);
        while (json_object_iter_next (&iter, &name, &member))
          {
            JsonNode *other = json_object_get_member (y, name);

            if (other == NULL || !json_equal (member, other))
              return FALSE;
          }
        return TRUE;
      }

    default:
      return FALSE;
    }
}

static char *
script_path (void)
{
  const char *root = g_getenv ("WARD_SOURCE_DIR");

  if (root != NULL)
    return g_build_filename (root, "tests", "integration", "jmespath-reference.py", NULL);
  return g_build_filename (WARD_TEST_SOURCE_DIR, "integration", "jmespath-reference.py", NULL);
}

static gboolean
python_has_jmespath (void)
{
  const char *argv[] = { "/usr/bin/python3", "-c", "import jmespath", NULL };
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE;
  g_autoptr(GSubprocess) process = NULL;

  process = g_subprocess_newv (argv, flags, NULL);
  if (process == NULL || !g_subprocess_wait (process, NULL, NULL))
    return FALSE;
  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

static char *
to_json_line (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static void
test_differential (void)
{
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GPtrArray) documents =
    g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) expressions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GString) report = g_string_new (NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = script_path ();
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  const char *seed_env = g_getenv ("WARD_JMESPATH_SEED");
  const char *cases_env = g_getenv ("WARD_JMESPATH_CASES");
  guint32 seed = seed_env != NULL ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : DEFAULT_SEED;
  guint n_cases =
    cases_env != NULL ? (guint) g_ascii_strtoull (cases_env, NULL, 10) : DEFAULT_CASES;
  guint n_results = 0, n_errors = 0, n_internal = 0, n_mismatch = 0, n_kind_differs = 0;

  if (!python_has_jmespath ())
    {
      g_test_skip ("python3-jmespath is not installed "
                   "(/usr/bin/python3 -c 'import jmespath' failed; apt install python3-jmespath)");
      return;
    }

  g_test_message ("seed %u (WARD_JMESPATH_SEED=%u repeats this run), %u expressions x %u documents",
                  seed, seed, n_cases, N_DOCUMENTS);
  rand = g_rand_new_with_seed (seed);

  /* The documents, then one line per (expression, document).  The
   * documents are written with our writer, which keeps 2.0 a double.
   */
  g_string_append (input, "{\"documents\":[");
  for (guint i = 0; i < N_DOCUMENTS; i++)
    {
      JsonNode *document = make_document (rand);
      g_autofree char *text = ward_jmespath_node_to_json (document);

      g_ptr_array_add (documents, document);
      g_string_append_printf (input, "%s%s", i > 0 ? "," : "", text);
    }
  g_string_append (input, "]}\n");

  for (guint i = 0; i < n_cases; i++)
    {
      GString *expression = g_string_new (NULL);

      gen_expression (rand, expression, g_rand_int_range (rand, 1, 5));
      g_ptr_array_add (expressions, g_string_free (expression, FALSE));
    }

  for (guint i = 0; i < n_cases; i++)
    for (guint d = 0; d < N_DOCUMENTS; d++)
      {
        g_autoptr(JsonBuilder) builder = json_builder_new ();
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *line = NULL;

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "expression");
        json_builder_add_string_value (builder, expressions->pdata[i]);
        json_builder_set_member_name (builder, "document");
        json_builder_add_int_value (builder, d);
        json_builder_end_object (builder);
        node = json_builder_get_root (builder);
        line = to_json_line (node);
        g_string_append_printf (input, "%s\n", line);
      }

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                              &error, "/usr/bin/python3", script, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input->str, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  lines = g_strsplit (output, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n_cases * N_DOCUMENTS + 1);

  for (guint i = 0; i < n_cases; i++)
    {
      const char *expression = expressions->pdata[i];
      g_autoptr(GError) compile_error = NULL;
      g_autoptr(WardJmesPath) path = ward_jmespath_compile (expression, &compile_error);

      for (guint d = 0; d < N_DOCUMENTS; d++)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) search_error = NULL;
          g_autoptr(JsonNode) ours = NULL;
          JsonObject *theirs;
          const char *their_error;
          gboolean agree;

          json_parser_load_from_data (parser, lines[i * N_DOCUMENTS + d], -1, &error);
          g_assert_no_error (error);
          theirs = json_node_get_object (json_parser_get_root (parser));
          their_error = json_object_get_string_member_with_default (theirs, "error", NULL);

          if (g_strcmp0 (their_error, "internal") == 0)
            {
              /* python-jmespath failed in a way the specification does not
               * describe (Python TypeError...): nothing to compare with.
               */
              n_internal++;
              if (n_internal <= 5)
                g_test_message ("not comparable: %s: %s", expression,
                                json_object_get_string_member_with_default (theirs, "message", ""));
              continue;
            }

          if (path != NULL)
            ours = ward_jmespath_search (path, documents->pdata[d], &search_error);

          if (ours == NULL)
            {
              agree = their_error != NULL;
              if (agree)
                {
                  GError *e = compile_error != NULL ? compile_error : search_error;
                  static const char *kinds[] = { "syntax", "unknown-function", "invalid-arity",
                                                 "invalid-type", "invalid-value" };

                  n_errors++;
                  if (e->code >= 0 && e->code < (int) G_N_ELEMENTS (kinds)
                      && strcmp (kinds[e->code], their_error) != 0)
                    n_kind_differs++;
                }
            }
          else
            {
              agree = their_error == NULL
                      && json_equal (ours, json_object_get_member (theirs, "result"));
              if (agree)
                n_results++;
            }

          if (!agree)
            {
              n_mismatch++;
              if (n_mismatch <= MAX_REPORTED)
                {
                  g_autofree char *document = ward_jmespath_node_to_json (documents->pdata[d]);
                  GError *ours_error = compile_error != NULL ? compile_error : search_error;
                  g_autofree char *ours_text =
                    ours != NULL ? ward_jmespath_node_to_json (ours)
                                 : g_strdup_printf ("error: %s", ours_error->message);

                  g_string_append_printf (report, "expression: %s\n  document: %s\n  ours: %s\n"
                                          "  python-jmespath: %s\n", expression, document,
                                          ours_text, lines[i * N_DOCUMENTS + d]);
                }
            }
        }
    }

  g_test_message ("%u cases: %u same result, %u both errors (%u of another kind), "
                  "%u not comparable (python-jmespath internal error), %u disagreements",
                  n_cases * N_DOCUMENTS, n_results, n_errors, n_kind_differs, n_internal,
                  n_mismatch);

  if (n_mismatch > 0)
    {
      g_test_message ("disagreements (first %d):\n%s", MAX_REPORTED, report->str);
      g_test_fail ();
    }

  /* The grammar must exercise results, not only errors. */
  g_assert_cmpuint (n_results, >, n_cases * N_DOCUMENTS / 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mapping/jmespath/differential", test_differential);

  return g_test_run ();
}
