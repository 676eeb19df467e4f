/* test-jmespath.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-jmespath.h"

/* Compliance cases we knowingly fail, with the reason.  Empty: every case
 * of the official suite passes.  Format: { "file.json", "expression",
 * "reason" }.
 */
static const struct
{
  const char *file;
  const char *expression;
  const char *reason;
} known_failures[] = {
  { NULL, NULL, NULL },
};

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

/* Deep equality where 1 == 1.0 (the suite writes some integer results
 * as 1.0 and some double results as integers).
 */
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
            return json_node_get_double (a) == json_node_get_double (b);
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

static const char *
error_kind_name (const GError *error)
{
  if (error->domain != WARD_JMESPATH_ERROR)
    return "foreign-error";

  switch ((WardJmesPathError) error->code)
    {
    case WARD_JMESPATH_ERROR_SYNTAX:
      return "syntax";
    case WARD_JMESPATH_ERROR_UNKNOWN_FUNCTION:
      return "unknown-function";
    case WARD_JMESPATH_ERROR_INVALID_ARITY:
      return "invalid-arity";
    case WARD_JMESPATH_ERROR_INVALID_TYPE:
      return "invalid-type";
    case WARD_JMESPATH_ERROR_INVALID_VALUE:
      return "invalid-value";
    default:
      return "unknown-error-code";
    }
}

static gboolean
is_known_failure (const char *file,
                  const char *expression)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_failures); i++)
    if (known_failures[i].file != NULL
        && strcmp (known_failures[i].file, file) == 0
        && strcmp (known_failures[i].expression, expression) == 0)
      return TRUE;
  return FALSE;
}

static char *
compliance_dir (void)
{
  const char *root = g_getenv ("WARD_SOURCE_DIR");

  if (root != NULL)
    return g_build_filename (root, "..", "shared", "reference", "jmespath-compliance", NULL);
  return g_build_filename (WARD_TEST_SOURCE_DIR, "..", "..", "shared", "reference",
                           "jmespath-compliance", NULL);
}

/* Runs one case; returns NULL when it passes, else what went wrong. */
static char *
run_case (JsonNode   *given,
          JsonObject *test)
{
  const char *expression = json_object_get_string_member (test, "expression");
  const char *expected_error = json_object_get_string_member_with_default (test, "error", NULL);
  const char *bench = json_object_get_string_member_with_default (test, "bench", NULL);
  JsonNode *expected = json_object_get_member (test, "result");
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJmesPath) path = NULL;
  g_autoptr(JsonNode) got = NULL;
  g_autofree char *expected_text = NULL;
  g_autofree char *got_text = NULL;

  path = ward_jmespath_compile (expression, &error);
  if (path != NULL && g_strcmp0 (bench, "parse") != 0)
    got = ward_jmespath_search (path, given, &error);

  if (error != NULL)
    {
      if (expected_error != NULL && strcmp (expected_error, error_kind_name (error)) == 0)
        return NULL;
      if (expected_error != NULL)
        expected_text = g_strdup_printf ("error %s", expected_error);
      else if (expected != NULL)
        expected_text = ward_jmespath_node_to_json (expected);
      else
        expected_text = g_strdup ("success");
      return g_strdup_printf ("expression: %s\n  expected: %s\n  got error: %s (%s)",
                              expression, expected_text, error_kind_name (error), error->message);
    }

  if (bench != NULL)
    return NULL;

  if (expected_error != NULL)
    {
      got_text = got != NULL ? ward_jmespath_node_to_json (got) : g_strdup ("(compiled)");
      return g_strdup_printf ("expression: %s\n  expected error: %s\n  got: %s",
                              expression, expected_error, got_text);
    }

  g_assert (expected != NULL);
  if (json_equal (expected, got))
    return NULL;

  expected_text = ward_jmespath_node_to_json (expected);
  got_text = ward_jmespath_node_to_json (got);
  return g_strdup_printf ("expression: %s\n  expected: %s\n  got: %s",
                          expression, expected_text, got_text);
}

static void
test_compliance_file (gconstpointer data)
{
  const char *file = data;
  g_autofree char *dir = compliance_dir ();
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) failures = g_string_new (NULL);
  JsonArray *suites;
  guint n_cases = 0, n_failed = 0, n_known = 0;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  suites = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (suites); i++)
    {
      JsonObject *suite = json_array_get_object_element (suites, i);
      JsonNode *given = json_object_get_member (suite, "given");
      JsonArray *cases = json_object_get_array_member (suite, "cases");

      for (guint j = 0; j < json_array_get_length (cases); j++)
        {
          JsonObject *test = json_array_get_object_element (cases, j);
          g_autofree char *failure = run_case (given, test);

          n_cases++;
          if (failure == NULL)
            continue;
          if (is_known_failure (file, json_object_get_string_member (test, "expression")))
            {
              n_known++;
              continue;
            }
          n_failed++;
          g_string_append_printf (failures, "%s\n", failure);
        }
    }

  g_test_message ("%s: %u cases, %u passed, %u known failures", file, n_cases,
                  n_cases - n_failed - n_known, n_known);
  if (n_failed > 0)
    {
      g_test_message ("%u of %u cases failed:\n%s", n_failed, n_cases, failures->str);
      g_test_fail ();
    }
}

static void
test_compliance_missing (gconstpointer data)
{
  g_autofree char *message =
    g_strdup_printf ("JMESPath compliance suite not found in %s "
                     "(the shared reference folder next to the project)", (const char *) data);

  g_test_skip (message);
}

/* --- Helpers for the hand-written tests ----------------------------- */

static char *
search_json (const char *expression,
             const char *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJmesPath) path = ward_jmespath_compile (expression, &error);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) result = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (path);

  root = parse (data);
  result = ward_jmespath_search (path, root, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  return ward_jmespath_node_to_json (result);
}

#define assert_search(expression, data, expected)                  \
  G_STMT_START {                                                   \
    g_autofree char *got_ = search_json ((expression), (data));    \
    g_assert_cmpstr (got_, ==, (expected));                        \
  } G_STMT_END

/* The error of compiling and searching, which must fail. */
static GError *
search_error (const char *expression,
              const char *data)
{
  GError *error = NULL;
  g_autoptr(WardJmesPath) path = ward_jmespath_compile (expression, &error);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) result = NULL;

  if (path == NULL)
    {
      g_assert_nonnull (error);
      return error;
    }

  root = parse (data);
  result = ward_jmespath_search (path, root, &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  return error;
}

static void
assert_error (const char        *expression,
              const char        *data,
              WardJmesPathError  code,
              const char        *message_part)
{
  g_autoptr(GError) error = search_error (expression, data);
  g_autofree char *shown = g_utf8_make_valid (expression, -1);

  g_test_message ("%s -> %s", shown, error->message);
  g_assert_error (error, WARD_JMESPATH_ERROR, (gint) code);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("'%s': message '%s' does not contain '%s'", expression, error->message, message_part);
}

/* --- IoMT functions (examples of the MedTech documentation) --------- */

static void
test_iomt_arithmetic (void)
{
  assert_search ("add(`10`, `10`)", "{}", "20");
  assert_search ("add(left, right)", "{\"left\": 40, \"right\": 50}", "90");
  assert_search ("add(left, right)", "{\"left\": 0, \"right\": 50}", "50");
  assert_search ("add(`1.5`, `1`)", "{}", "2.5");

  assert_search ("subtract(`10`, `10`)", "{}", "0");
  assert_search ("subtract(left, right)", "{\"left\": 40, \"right\": 50}", "-10");
  assert_search ("subtract(left, right)", "{\"left\": 0, \"right\": 50}", "-50");

  assert_search ("multiply(`10`, `10`)", "{}", "100");
  assert_search ("multiply(left, right)", "{\"left\": 40, \"right\": 50}", "2000");
  assert_search ("multiply(left, right)", "{\"left\": 0, \"right\": 50}", "0");
  /* Inches to metres, as in the MedTech unit conversion sample: the
   * double nearest 78 * 0.0254 (C# prints it as 1.9812).
   */
  assert_search ("multiply(height, `0.0254`)", "{\"height\": 78}", "1.9811999999999999");

  assert_search ("divide(`10`, `10`)", "{}", "1");
  assert_search ("divide(left, right)", "{\"left\": 40, \"right\": 50}", "0.8");
  assert_search ("divide(left, right)", "{\"left\": 0, \"right\": 50}", "0");
  assert_search ("divide(`7.5`, `2.5`)", "{}", "3.0");
  assert_error ("divide(left, right)", "{\"left\": 50, \"right\": 0}",
                WARD_JMESPATH_ERROR_INVALID_VALUE, "division by zero");
  assert_error ("divide(`1.5`, `0.0`)", "{}", WARD_JMESPATH_ERROR_INVALID_VALUE,
                "division by zero");

  assert_search ("pow(`10`, `10`)", "{}", "10000000000");
  assert_error ("pow(left, right)", "{\"left\": 40, \"right\": 50}",
                WARD_JMESPATH_ERROR_INVALID_VALUE, "64-bit");
  assert_search ("pow(left, right)", "{\"left\": 0, \"right\": 50}", "0");
  assert_search ("pow(left, right)", "{\"left\": 100, \"right\": 0.5}", "10.0");
  assert_search ("pow(`2`, `-1`)", "{}", "0.5");

  assert_error ("add(`9223372036854775807`, `1`)", "{}", WARD_JMESPATH_ERROR_INVALID_VALUE,
                "64-bit");
  assert_error ("multiply(`1e300`, `1e300`)", "{}", WARD_JMESPATH_ERROR_INVALID_VALUE, "finite");
  assert_error ("add('1', `1`)", "{}", WARD_JMESPATH_ERROR_INVALID_TYPE, "add() argument 1");
  assert_error ("add(`1`)", "{}", WARD_JMESPATH_ERROR_INVALID_ARITY, "add()");
}

static void
test_iomt_strings (void)
{
  assert_search ("insertString(original, toInsert, pos)",
                 "{\"original\": \"mple\", \"toInsert\": \"sa\", \"pos\": 0}", "\"sample\"");
  assert_search ("insertString(original, toInsert, pos)",
                 "{\"original\": \"suess\", \"toInsert\": \"cc\", \"pos\": 2}", "\"success\"");
  assert_search ("insertString(original, toInsert, pos)",
                 "{\"original\": \"myString\", \"toInsert\": \"!!\", \"pos\": 8}",
                 "\"myString!!\"");
  assert_search ("insertString(original, toInsert, length(original))",
                 "{\"original\": \"myString\", \"toInsert\": \"!!\"}", "\"myString!!\"");
  assert_error ("insertString(original, toInsert, pos)",
                "{\"original\": \"myString\", \"toInsert\": \"!!\", \"pos\": 100}",
                WARD_JMESPATH_ERROR_INVALID_VALUE, "out of range");
  assert_error ("insertString(original, toInsert, pos)",
                "{\"original\": \"myString\", \"toInsert\": \"!!\", \"pos\": -1}",
                WARD_JMESPATH_ERROR_INVALID_VALUE, "out of range");
  /* The patientIdExpression example of the documentation. */
  assert_search ("insertString('123', 'patient', `0`) ", "{}", "\"patient123\"");
  /* Code points, not bytes. */
  assert_search ("insertString('h\xc3\xa9llo', '-', `2`)", "{}", "\"h\xc3\xa9-llo\"");
  assert_error ("insertString('a', 'b', `0.5`)", "{}", WARD_JMESPATH_ERROR_INVALID_TYPE, "integer");

  assert_search ("appendString('heart', 'rate')", "{}", "\"heartrate\"");
}

static void
test_iomt_timestamps (void)
{
  assert_search ("fromUnixTimestamp(unix)", "{\"unix\": 1625677200}", "\"2021-07-07T17:00:00Z\"");
  assert_search ("fromUnixTimestamp(unix)", "{\"unix\": 0}", "\"1970-01-01T00:00:00Z\"");
  assert_search ("fromUnixTimestamp(`-1`)", "{}", "\"1969-12-31T23:59:59Z\"");
  assert_search ("fromUnixTimestampMs(unix)", "{\"unix\": 1626799080000}",
                 "\"2021-07-20T16:38:00Z\"");
  assert_search ("fromUnixTimestampMs(unix)", "{\"unix\": 0}", "\"1970-01-01T00:00:00Z\"");
  assert_search ("fromUnixTimestampMs(`1500`)", "{}", "\"1970-01-01T00:00:01.5Z\"");
  assert_search ("fromUnixTimestampMs(`-1`)", "{}", "\"1969-12-31T23:59:59.999Z\"");
  assert_search ("fromUnixTimestampMs(`1549061161875`)", "{}", "\"2019-02-01T22:46:01.875Z\"");
  assert_search ("fromUnixTimestamp(`253402300799`)", "{}", "\"9999-12-31T23:59:59Z\"");
  assert_search ("fromUnixTimestamp(`-62135596800`)", "{}", "\"0001-01-01T00:00:00Z\"");
  assert_error ("fromUnixTimestamp(`253402300800`)", "{}", WARD_JMESPATH_ERROR_INVALID_VALUE,
                "9999");
  assert_error ("fromUnixTimestampMs(`-9223372036854775808`)", "{}",
                WARD_JMESPATH_ERROR_INVALID_VALUE, NULL);
  assert_error ("fromUnixTimestamp(`1.5`)", "{}", WARD_JMESPATH_ERROR_INVALID_TYPE, "integer");
  assert_error ("fromUnixTimestamp('0')", "{}", WARD_JMESPATH_ERROR_INVALID_TYPE, "number");

  /* A Google Fit style conversion: nanoseconds to milliseconds;
   * ceil() gives an integer, as fromUnixTimestampMs() needs.
   */
  assert_search ("fromUnixTimestampMs(ceil(multiply(matchedToken.endTimeNanos, `0.000001`)))",
                 "{\"matchedToken\": {\"endTimeNanos\": 1626799080000000000}}",
                 "\"2021-07-20T16:38:00Z\"");
}

/* Expressions of the MedTech documentation and the IoMT tests. */
static void
test_iomt_templates (void)
{
  const char *message =
    "{\"Body\": {\"heartRate\": \"78\", \"endDate\": \"2021-09-01T22:46:01.875Z\", "
    "\"deviceId\": \"device123\"}, \"Properties\": {}, \"SystemProperties\": {}}";

  /* `heartRate` is not JSON: the JEP 12 string literal of old templates. */
  assert_search ("[Body][?contains(keys(@), `heartRate`)] | @[0]", message,
                 "{\"heartRate\":\"78\",\"endDate\":\"2021-09-01T22:46:01.875Z\","
                 "\"deviceId\":\"device123\"}");
  assert_search ("to_array(@)[?heartrate]",
                 "{\"heartrate\": \"60\", \"device\": \"abc\", \"date\": \"2019-01-01T00:00:00Z\"}",
                 "[{\"heartrate\":\"60\",\"device\":\"abc\",\"date\":\"2019-01-01T00:00:00Z\"}]");
  assert_search ("to_array(@)[?heartrate]", "{\"foo\": \"60\"}", "[]");
  assert_search ("@.matchedToken.deviceId", "{\"matchedToken\": {\"deviceId\": \"d1\"}}", "\"d1\"");
  assert_search ("matchedToken.heartRate", "{\"matchedToken\": {}}", "null");
}

/* --- Semantics beyond the suite ------------------------------------- */

static void
test_numbers (void)
{
  /* Integers stay integers. */
  assert_search ("sum(@)", "[1, 2, 3]", "6");
  assert_search ("sum(@)", "[1, 2.5]", "3.5");
  assert_search ("sum(@)", "[9223372036854775807, 1]", "9.223372036854776e+18");
  assert_search ("ceil(`1.5`)", "{}", "2");
  assert_search ("floor(`-1.5`)", "{}", "-2");
  assert_search ("ceil(`1e300`)", "{}", "1e+300");
  assert_search ("abs(`-9223372036854775808`)", "{}", "9.223372036854776e+18");
  assert_search ("avg(@)", "[1, 2]", "1.5");
  assert_search ("to_number('12')", "{}", "12");
  assert_search ("to_number('-1.25e2')", "{}", "-125.0");
  assert_search ("to_number(' 12')", "{}", "null");
  assert_search ("to_number('12 ')", "{}", "null");
  assert_search ("to_number('1.')", "{}", "null");
  assert_search ("to_number('-')", "{}", "null");
  assert_search ("to_number('0x10')", "{}", "null");
  assert_search ("[`1` == `1.0`, `2` > `1.5`, `9007199254740993` == `9007199254740992.0`]", "{}",
                 "[true,true,false]");
  assert_search ("[`0` == `false`, 'a' < 'b', `null` < `1`]", "{}", "[false,null,null]");
  assert_search ("max(@)", "[1, 3.5, 2]", "3.5");
  assert_search ("sort(@)", "[3, 1.5, -2, 10]", "[-2,1.5,3,10]");
  assert_search ("foo[99999999999999999999]", "{\"foo\": [1]}", "null");
  assert_search ("foo[99999999999999999999:-99999999999999999999:-99999999999999999999]",
                 "{\"foo\": [1, 2]}", "[2]");
}

static void
test_strings (void)
{
  assert_search ("length(@)", "\"h\xc3\xa9\xe2\x9c\x93\xf0\x9d\x84\x9e\"", "4");
  assert_search ("reverse(@)", "\"a\xc3\xa9z\"", "\"z\xc3\xa9" "a\"");
  /* Code point order: U+00E9 sorts before U+1D11E, and 'Z' before 'a'. */
  assert_search ("sort(@)", "[\"\xf0\x9d\x84\x9e\", \"\xc3\xa9\", \"a\", \"Z\"]",
                 "[\"Z\",\"a\",\"\xc3\xa9\",\"\xf0\x9d\x84\x9e\"]");
  assert_search ("max(@)", "[\"b\", \"\xc3\xa9\", \"a\"]", "\"\xc3\xa9\"");
  assert_search ("to_string(@)", "{\"a\": [1, 2.5, \"\xc3\xa9\\n\", null, true], \"b\": {}}",
                 "\"{\\\"a\\\":[1,2.5,\\\"\xc3\xa9\\\\n\\\",null,true],\\\"b\\\":{}}\"");
  assert_search ("[to_string(`1.0`), to_string(`0.1`), to_string(`1e100`), to_string(`1e-7`), "
                 "to_string(`123456789012345678`), to_string(`1e16`), to_string(`0.0001`), "
                 "to_string(`0.00001`), to_string(`-0.0`), to_string(`123456789012345.6`), "
                 "to_string(`5e-324`), to_string(`1.7976931348623157e308`)]",
                 "{}",
                 "[\"1.0\",\"0.1\",\"1e+100\",\"1e-07\",\"123456789012345678\",\"1e+16\","
                 "\"0.0001\",\"1e-05\",\"-0.0\",\"123456789012345.6\",\"5e-324\","
                 "\"1.7976931348623157e+308\"]");
  assert_search ("'it\\'s'", "{}", "\"it's\"");
  assert_search ("`\"a\\`b\"`", "{}", "\"a`b\"");
}

static void
test_projections (void)
{
  const char *data = "{\"a\": [{\"b\": [1, 2]}, {\"b\": [3]}, {\"c\": 4}]}";

  assert_search ("a[*].b", data, "[[1,2],[3]]");
  assert_search ("a[*].b[0]", data, "[1,3]");
  assert_search ("a[*].b | [0]", data, "[1,2]");
  assert_search ("a[].b[]", data, "[1,2,3]");
  assert_search ("a[?c].c", data, "[4]");
  assert_search ("a[?c] | [0].c", data, "4");
  assert_search ("*.b", "{\"x\": {\"b\": 1}, \"y\": {\"b\": 2}, \"z\": 3}", "[1,2]");
  assert_search ("a[::-1].b[0]", data, "[3,1]");
  assert_search ("map(&b, a)", data, "[[1,2],[3],null]");
  assert_search ("sort_by(a, &length(keys(@)))[0]", data, "{\"b\":[1,2]}");
  assert_search ("max_by(@, &n).name", "[{\"n\": 1, \"name\": \"x\"}, {\"n\": 3, \"name\": \"y\"}]",
                 "\"y\"");
  assert_search ("merge(`{\"a\": 1, \"b\": 2}`, `{\"a\": 3}`)", "{}", "{\"a\":3,\"b\":2}");
  assert_search ("{x: a[0].b, y: `null`}", data, "{\"x\":[1,2],\"y\":null}");
}

static void
test_errors (void)
{
  assert_error ("foo.[0]", "{}", WARD_JMESPATH_ERROR_SYNTAX, "column 6: unexpected '0'");
  assert_error ("foo[?bar==]", "{}", WARD_JMESPATH_ERROR_SYNTAX, "column 11: unexpected ']'");
  assert_error ("a.b.", "{}", WARD_JMESPATH_ERROR_SYNTAX,
                "column 5: expected an identifier, '*', '[' or '{' after '.' "
                "but the expression ended");
  assert_error ("a[?b", "{}", WARD_JMESPATH_ERROR_SYNTAX,
                "column 5: expected ']' but the expression ended");
  assert_error ("", "{}", WARD_JMESPATH_ERROR_SYNTAX, "column 1: unexpected end of the expression");
  assert_error ("a = b", "{}", WARD_JMESPATH_ERROR_SYNTAX, "did you mean '=='");
  assert_error ("\xc3\xa9t\xc3\xa9 == `1`", "{}", WARD_JMESPATH_ERROR_SYNTAX,
                "column 1: unexpected character '\xc3\xa9'");
  assert_error ("'\xc3\xa9' | \xe2\x9c\x93", "{}", WARD_JMESPATH_ERROR_SYNTAX, "column 7");
  assert_error ("foo[\"bar", "{}", WARD_JMESPATH_ERROR_SYNTAX,
                "column 5: unterminated quoted identifier");
  assert_error ("`{\"a\": ]`", "{}", WARD_JMESPATH_ERROR_SYNTAX, "invalid JSON literal");
  assert_error ("a\xff", "{}", WARD_JMESPATH_ERROR_SYNTAX,
                "column 2: the expression is not valid UTF-8");
  assert_error ("\"foo\"(bar)", "{}", WARD_JMESPATH_ERROR_SYNTAX, "quoted identifier");
  assert_error ("a[1 2]", "{}", WARD_JMESPATH_ERROR_SYNTAX, "column 5");

  assert_error ("nope(@)", "{}", WARD_JMESPATH_ERROR_UNKNOWN_FUNCTION, "nope() at column 1");
  assert_error ("a | abs(`1`, `2`)", "{}", WARD_JMESPATH_ERROR_INVALID_ARITY,
                "abs() takes 1 argument but was given 2 (column 5)");
  assert_error ("merge()", "{}", WARD_JMESPATH_ERROR_INVALID_ARITY, "at least 1 argument");
  assert_error ("length(`1`)", "{}", WARD_JMESPATH_ERROR_INVALID_TYPE,
                "length() argument 1 must be a string or an array or an object, "
                "got number (column 1)");
  assert_error ("a || [divide(`1`, `0`)]", "{}", WARD_JMESPATH_ERROR_INVALID_VALUE,
                "division by zero (column 7)");
  assert_error ("sort_by(@, &to_number(a))", "[{\"a\": \"1\"}, {\"a\": \"x\"}]",
                WARD_JMESPATH_ERROR_INVALID_TYPE, "got null (column 1)");
  assert_error ("sum(@)", "[1, \"2\"]", WARD_JMESPATH_ERROR_INVALID_TYPE, "an array of numbers");
  assert_error ("sort_by(@, &a)", "[{\"a\": 1}, {\"a\": \"x\"}]", WARD_JMESPATH_ERROR_INVALID_TYPE,
                "all numbers or all strings, got string after number");
  assert_error ("sort_by(@, a)", "[]", WARD_JMESPATH_ERROR_INVALID_TYPE, "expression reference");
  assert_error ("[&a]", "{}", WARD_JMESPATH_ERROR_INVALID_TYPE, "function argument (column 2)");
  assert_error ("foo[::0]", "{\"foo\": []}", WARD_JMESPATH_ERROR_INVALID_VALUE, "column 4");
}

static void
test_limits (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) chain = g_string_new ("a");
  g_autoptr(GString) pipes = g_string_new ("@");
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJmesPath) path = NULL;
  g_autoptr(JsonNode) root = parse ("[1]");
  g_autoptr(JsonNode) result = NULL;

  /* Nesting is a syntax error, not a stack overflow. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '(');
  g_string_append_c (deep, 'a');
  path = ward_jmespath_compile (deep->str, &error);
  g_assert_error (error, WARD_JMESPATH_ERROR, WARD_JMESPATH_ERROR_SYNTAX);
  g_assert_null (path);
  g_clear_error (&error);

  for (guint i = 0; i < 50000; i++)
    g_string_append (chain, ".a");
  path = ward_jmespath_compile (chain->str, &error);
  g_assert_error (error, WARD_JMESPATH_ERROR, WARD_JMESPATH_ERROR_SYNTAX);
  g_clear_error (&error);

  /* Output that doubles at each pipe stops at the step limit. */
  for (guint i = 0; i < 64; i++)
    g_string_append (pipes, " | [@, @]");
  path = ward_jmespath_compile (pipes->str, &error);
  g_assert_no_error (error);
  result = ward_jmespath_search_bounded (path, root, 100000, &error);
  g_assert_error (error, WARD_JMESPATH_ERROR, WARD_JMESPATH_ERROR_INVALID_VALUE);
  g_assert_null (result);
  g_clear_error (&error);

  /* Text that doubles at each pipe stops too. */
  g_clear_pointer (&path, ward_jmespath_free);
  g_string_assign (pipes, "'0123456789abcdef'");
  for (guint i = 0; i < 64; i++)
    g_string_append (pipes, " | appendString(@, @)");
  path = ward_jmespath_compile (pipes->str, &error);
  g_assert_no_error (error);
  result = ward_jmespath_search (path, root, &error);
  g_assert_error (error, WARD_JMESPATH_ERROR, WARD_JMESPATH_ERROR_INVALID_VALUE);
  g_assert_null (result);
  g_clear_error (&error);

  /* And to_string() of a shared tree too. */
  g_string_assign (pipes, "@");
  for (guint i = 0; i < 64; i++)
    g_string_append (pipes, " | [@, @]");
  g_clear_pointer (&path, ward_jmespath_free);
  g_string_append (pipes, " | to_string(@)");
  path = ward_jmespath_compile (pipes->str, &error);
  g_assert_no_error (error);
  result = ward_jmespath_search (path, root, &error);
  g_assert_error (error, WARD_JMESPATH_ERROR, WARD_JMESPATH_ERROR_INVALID_VALUE);
  g_assert_null (result);
}

/* The result shares nothing with the data or the expression. */
static void
test_result_is_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJmesPath) path = ward_jmespath_compile ("[a, `{\"k\": 1}`]", &error);
  g_autoptr(JsonNode) root = parse ("{\"a\": {\"x\": 1}}");
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autofree char *data_text = NULL;
  g_autofree char *second_text = NULL;
  JsonArray *array;

  g_assert_no_error (error);
  g_assert_cmpstr (ward_jmespath_get_expression (path), ==, "[a, `{\"k\": 1}`]");

  first = ward_jmespath_search (path, root, &error);
  g_assert_no_error (error);
  array = json_node_get_array (first);
  json_object_set_int_member (json_array_get_object_element (array, 0), "x", 2);
  json_object_set_int_member (json_array_get_object_element (array, 1), "k", 2);

  data_text = ward_jmespath_node_to_json (root);
  g_assert_cmpstr (data_text, ==, "{\"a\":{\"x\":1}}");
  second = ward_jmespath_search (path, root, &error);
  g_assert_no_error (error);
  second_text = ward_jmespath_node_to_json (second);
  g_assert_cmpstr (second_text, ==, "[{\"x\":1},{\"k\":1}]");
}

/* json-glib lets some malformed \u escapes through as bytes that are not
 * UTF-8; what we write out must still be valid UTF-8.
 */
static void
test_invalid_utf8_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJmesPath) path = ward_jmespath_compile ("[to_string(@), length(@), @]", &error);
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  json_node_set_string (root, "a\xed\xa0\x80" "b\xff");
  result = ward_jmespath_search (path, root, &error);
  g_assert_no_error (error);
  text = ward_jmespath_node_to_json (result);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  /* length() counts the bytes of what is not UTF-8. */
  g_assert_cmpstr (text, ==, "[\"a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd\",6,"
                              "\"a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd\"]");
}

typedef struct
{
  WardJmesPath *path;
  JsonNode     *root;
  const char   *expected;
} ThreadData;

static gpointer
search_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = ward_jmespath_search (data->path, data->root, &error);
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      text = ward_jmespath_node_to_json (result);
      g_assert_cmpstr (text, ==, data->expected);
    }

  return NULL;
}

/* One compiled expression, searched from several threads at once. */
static void
test_threads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJmesPath) path =
    ward_jmespath_compile ("{hr: readings[?type == 'hr'].value, n: length(readings), "
                           "lit: `[1, {\"a\": 2}]`, top: sort_by(readings, &value)[-1].type}",
                           &error);
  g_autoptr(JsonNode) root = parse ("{\"readings\": [{\"type\": \"hr\", \"value\": 60}, "
                                    "{\"type\": \"rr\", \"value\": 12}, "
                                    "{\"type\": \"hr\", \"value\": 72}]}");
  ThreadData data = { path, root, "{\"hr\":[60,72],\"n\":3,\"lit\":[1,{\"a\":2}],\"top\":\"hr\"}" };
  GThread *threads[4];

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("jmespath", search_thread, &data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_test_init (&argc, &argv, NULL);

  dir = compliance_dir ();
  listing = g_dir_open (dir, 0, NULL);
  if (listing != NULL)
    {
      while ((name = g_dir_read_name (listing)) != NULL)
        /* schema.json describes the format; it holds no cases. */
        if (g_str_has_suffix (name, ".json") && strcmp (name, "schema.json") != 0)
          g_ptr_array_add (files, g_strdup (name));
      g_ptr_array_sort (files, compare_names);
    }

  if (files->len == 0)
    g_test_add_data_func ("/mapping/jmespath/compliance", dir, test_compliance_missing);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_strndup (files->pdata[i], strlen (files->pdata[i]) - 5);
      g_autofree char *test_path = g_strdup_printf ("/mapping/jmespath/compliance/%s", base);

      g_test_add_data_func (test_path, files->pdata[i], test_compliance_file);
    }

  g_test_add_func ("/mapping/jmespath/iomt/arithmetic", test_iomt_arithmetic);
  g_test_add_func ("/mapping/jmespath/iomt/strings", test_iomt_strings);
  g_test_add_func ("/mapping/jmespath/iomt/timestamps", test_iomt_timestamps);
  g_test_add_func ("/mapping/jmespath/iomt/templates", test_iomt_templates);
  g_test_add_func ("/mapping/jmespath/numbers", test_numbers);
  g_test_add_func ("/mapping/jmespath/strings", test_strings);
  g_test_add_func ("/mapping/jmespath/projections", test_projections);
  g_test_add_func ("/mapping/jmespath/errors", test_errors);
  g_test_add_func ("/mapping/jmespath/limits", test_limits);
  g_test_add_func ("/mapping/jmespath/result-is-new", test_result_is_new);
  g_test_add_func ("/mapping/jmespath/threads", test_threads);
  g_test_add_func ("/mapping/jmespath/invalid-utf8-data", test_invalid_utf8_data);

  return g_test_run ();
}
