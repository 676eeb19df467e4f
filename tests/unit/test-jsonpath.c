/* test-jsonpath.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-jsonpath.h"

static const char store[] =
  "{\"store\":{\"book\":["
  "{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"title\":\"Sayings of the Century\",\"price\":8.5},"
  "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\",\"title\":\"Sword of Honour\",\"price\":12.25},"
  "{\"category\":\"fiction\",\"author\":\"Herman Melville\",\"title\":\"Moby Dick\",\"isbn\":\"0-553-21311-3\",\"price\":8.75},"
  "{\"category\":\"fiction\",\"author\":\"J. R. R. Tolkien\",\"title\":\"The Lord of the Rings\",\"isbn\":\"0-395-19395-8\",\"price\":22.5}"
  "],\"bicycle\":{\"color\":\"red\",\"price\":19.5}},\"expensive\":10}";

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

/* The selection as a compact JSON array, for easy comparison. */
static char *
select_json (const char *expr,
             const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJsonPath) path = ward_jsonpath_compile (expr, &error);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) out = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  g_assert_no_error (error);
  g_assert_nonnull (path);

  root = parse (json);
  nodes = ward_jsonpath_select (path, root);
  g_assert_nonnull (nodes);

  for (guint i = 0; i < nodes->len; i++)
    json_array_add_element (array, json_node_copy (nodes->pdata[i]));

  json_node_set_array (out, array);
  json_generator_set_root (generator, out);
  return json_generator_to_data (generator, NULL);
}

#define assert_select(expr, json, expected) \
  G_STMT_START { \
    g_autofree char *_got = select_json ((expr), (json)); \
    if (g_strcmp0 (_got, (expected)) != 0) \
      g_error ("%s: got %s, expected %s", (expr), _got, (expected)); \
  } G_STMT_END

static void
test_basic (void)
{
  assert_select ("$", "{\"a\":1}", "[{\"a\":1}]");
  assert_select ("$.a", "{\"a\":1}", "[1]");
  assert_select ("a", "{\"a\":1}", "[1]");
  assert_select ("$.a.b", "{\"a\":{\"b\":\"x\"}}", "[\"x\"]");
  assert_select ("a.b", "{\"a\":{\"b\":\"x\"}}", "[\"x\"]");
  assert_select ("$['a']", "{\"a\":1}", "[1]");
  assert_select ("$[\"a\"]", "{\"a\":1}", "[1]");
  assert_select ("$.['My Property']", "{\"My Property\":\"data\"}", "[\"data\"]");
  assert_select ("$['a','b']", "{\"b\":2,\"a\":1}", "[1,2]");
  assert_select ("$.missing", "{\"a\":1}", "[]");
  assert_select ("$.a.missing", "{\"a\":1}", "[]");
  assert_select ("$.SystemProperties.iothub-connection-device-id",
                 "{\"SystemProperties\":{\"iothub-connection-device-id\":\"dev\"}}", "[\"dev\"]");
  assert_select ("  $.a  ", "{\"a\":null}", "[null]");
  assert_select ("$['it\\'s']", "{\"it's\":1}", "[1]");
  assert_select ("$['\\u00e9']", "{\"\xc3\xa9\":1}", "[1]");
  assert_select ("$.\xc3\xa9t\xc3\xa9", "{\"\xc3\xa9t\xc3\xa9\":1}", "[1]");
}

static void
test_arrays (void)
{
  const char *a = "{\"a\":[0,1,2,3,4,5]}";

  assert_select ("$.a[0]", a, "[0]");
  assert_select ("$.a[5]", a, "[5]");
  assert_select ("$.a[6]", a, "[]");
  assert_select ("$.a[-1]", a, "[5]");
  assert_select ("$.a[-6]", a, "[0]");
  assert_select ("$.a[-7]", a, "[]");
  assert_select ("$.a[1,3]", a, "[1,3]");
  assert_select ("$.a[3,1]", a, "[3,1]");
  assert_select ("$.a[ 1 , 3 ]", a, "[1,3]");
  assert_select ("$.a[1:3]", a, "[1,2]");
  assert_select ("$.a[:2]", a, "[0,1]");
  assert_select ("$.a[4:]", a, "[4,5]");
  assert_select ("$.a[-2:]", a, "[4,5]");
  assert_select ("$.a[::2]", a, "[0,2,4]");
  assert_select ("$.a[1:5:2]", a, "[1,3]");
  assert_select ("$.a[::-1]", a, "[5,4,3,2,1,0]");
  assert_select ("$.a[4:1:-1]", a, "[4,3,2]");
  assert_select ("$.a[10:20]", a, "[]");
  assert_select ("$.a[*]", a, "[0,1,2,3,4,5]");
  assert_select ("$.a.*", a, "[0,1,2,3,4,5]");
  assert_select ("$[0]", "[\"x\",\"y\"]", "[\"x\"]");
  assert_select ("$.a[0]", "{\"a\":{\"0\":1}}", "[]");
  assert_select ("$.*", "{\"a\":1,\"b\":[2]}", "[1,[2]]");
  assert_select ("$[*]", "{\"a\":1,\"b\":[2]}", "[1,[2]]");
}

static void
test_recursive (void)
{
  assert_select ("$..author", store,
                 "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]");
  assert_select ("$.store..price", store, "[8.5,12.25,8.75,22.5,19.5]");
  assert_select ("$..book[2].title", store, "[\"Moby Dick\"]");
  assert_select ("$..book[-1:].title", store, "[\"The Lord of the Rings\"]");
  assert_select ("$..book[0,1].title", store, "[\"Sayings of the Century\",\"Sword of Honour\"]");
  assert_select ("$..['color','expensive']", store, "[\"red\",10]");
  /* Nested matches come outer first, in document order. */
  assert_select ("$..a", "{\"a\":{\"a\":1},\"b\":[{\"a\":2}]}", "[{\"a\":1},1,2]");
  /* Json.NET: "..*" yields the start node and every node below it. */
  assert_select ("$..*", "{\"a\":{\"b\":1},\"c\":[2]}", "[{\"a\":{\"b\":1},\"c\":[2]},{\"b\":1},1,[2],2]");
  assert_select ("$..[0]", "{\"a\":[1,[2,3]],\"b\":{\"c\":[4]}}", "[1,2,4]");
}

static void
test_filters (void)
{
  assert_select ("$..book[?(@.isbn)].title", store, "[\"Moby Dick\",\"The Lord of the Rings\"]");
  assert_select ("$..book[?(@.price < 10)].price", store, "[8.5,8.75]");
  assert_select ("$..book[?(@.price<10)].price", store, "[8.5,8.75]");
  assert_select ("$..book[?(@.price <= 8.75)].price", store, "[8.5,8.75]");
  assert_select ("$..book[?(@.price > 20)].title", store, "[\"The Lord of the Rings\"]");
  assert_select ("$..book[?(@.price >= 22.5)].title", store, "[\"The Lord of the Rings\"]");
  assert_select ("$..book[?(@.category == 'reference')].author", store, "[\"Nigel Rees\"]");
  assert_select ("$..book[?(@.category == \"reference\")].author", store, "[\"Nigel Rees\"]");
  assert_select ("$..book[?(@.category != 'fiction')].author", store, "[\"Nigel Rees\"]");
  assert_select ("$..book[?(@.price > 9 && @.isbn)].title", store, "[\"The Lord of the Rings\"]");
  assert_select ("$..book[?(@.price < 9 || @.price > 20)].price", store, "[8.5,8.75,22.5]");
  assert_select ("$..book[?(@.price > 9 && (@.isbn || @.category == 'fiction'))].price", store,
                 "[12.25,22.5]");
  assert_select ("$..book[?(!@.isbn)].price", store, "[8.5,12.25]");
  assert_select ("$..book[?(@.price > $.expensive)].price", store, "[12.25,22.5]");
  assert_select ("$.store.book[?(@.author =='Herman Melville')].price", store, "[8.75]");
  /* Filters apply to object members too. */
  assert_select ("$.store[?(@.color)].price", store, "[19.5]");

  /* Literals. */
  assert_select ("$[?(@.v == true)].n", "[{\"v\":true,\"n\":1},{\"v\":false,\"n\":2},{\"v\":\"true\",\"n\":3}]", "[1]");
  assert_select ("$[?(@.v == false)].n", "[{\"v\":true,\"n\":1},{\"v\":false,\"n\":2}]", "[2]");
  assert_select ("$[?(@.v == null)].n", "[{\"v\":null,\"n\":1},{\"v\":0,\"n\":2},{\"n\":3}]", "[1]");
  assert_select ("$[?(@.v != null)].n", "[{\"v\":null,\"n\":1},{\"v\":0,\"n\":2},{\"n\":3}]", "[2]");
  assert_select ("$[?(@.v == 1)].n", "[{\"v\":1.0,\"n\":1},{\"v\":1,\"n\":2},{\"v\":\"1\",\"n\":3}]", "[1,2]");
  assert_select ("$[?(@.v === 1)].n", "[{\"v\":1.0,\"n\":1},{\"v\":1,\"n\":2}]", "[2]");
  assert_select ("$[?(@.v !== 1)].n", "[{\"v\":1.0,\"n\":1},{\"v\":1,\"n\":2}]", "[1]");
  assert_select ("$[?(@.v == -2.5e0)].n", "[{\"v\":-2.5,\"n\":1}]", "[1]");
  assert_select ("$[?(@ > 2)]", "[1,2,3,4]", "[3,4]");
  assert_select ("$[?(@ == 'b')]", "[\"a\",\"b\"]", "[\"b\"]");
  /* A string compared with a number is read as a number (Json.NET). */
  assert_select ("$[?(@.v > 100)].n", "[{\"v\":\"150\",\"n\":1},{\"v\":\"abc\",\"n\":2}]", "[1]");
  /* Strings order ordinally. */
  assert_select ("$[?(@ < 'b')]", "[\"a\",\"b\",\"B\"]", "[\"a\",\"B\"]");
  /* Null orders before everything, as in Json.NET. */
  assert_select ("$[?(@.v < 5)].n", "[{\"v\":null,\"n\":1},{\"v\":7,\"n\":2},{\"v\":1,\"n\":3}]", "[1,3]");
  /* A container is unequal to any value. */
  assert_select ("$[?(@.v != 1)].n", "[{\"v\":{},\"n\":1},{\"v\":1,\"n\":2}]", "[1]");
  assert_select ("$[?(@.v == 1)].n", "[{\"v\":[1],\"n\":1}]", "[]");
  /* A path selecting several nodes matches when any of them does. */
  assert_select ("$[?(@.v[*] == 3)].n", "[{\"v\":[1,3],\"n\":1},{\"v\":[2],\"n\":2}]", "[1]");
  /* Nested filters. */
  assert_select ("$[?(@.items[?(@.ok == true)])].id",
                 "[{\"id\":1,\"items\":[{\"ok\":false}]},{\"id\":2,\"items\":[{\"ok\":true}]}]", "[2]");
}

/* The connector's habits: filters after "..", existence tests without a
 * dot, and the start node tested too.
 */
static void
test_connector_habits (void)
{
  const char *body = "{\"Body\":{\"heartRate\":\"78\",\"deviceId\":\"d\"},\"Properties\":{}}";
  const char *flat = "{\"heartrate\":\"60\",\"device\":\"abc\"}";
  const char *array = "{\"Body\":[{\"systolic\":\"120\"},{\"diastolic\":\"80\"},{\"systolic\":\"122\"}]}";

  assert_select ("$..[?(@heartRate)]", body, "[{\"heartRate\":\"78\",\"deviceId\":\"d\"}]");
  assert_select ("$..[?(@heartrate)]", flat, "[{\"heartrate\":\"60\",\"device\":\"abc\"}]");
  assert_select ("$..[?(@heartRate)].deviceId", body, "[\"d\"]");
  assert_select ("$..[?(@systolic)]", array, "[{\"systolic\":\"120\"},{\"systolic\":\"122\"}]");
  assert_select ("$..[?(@Body.heartRate)]", body, "[{\"Body\":{\"heartRate\":\"78\",\"deviceId\":\"d\"},\"Properties\":{}}]");
  assert_select ("$..[?(@heartRate && @deviceId)]", body, "[{\"heartRate\":\"78\",\"deviceId\":\"d\"}]");
  assert_select ("$..[?(@heartRate && @missing)]", body, "[]");
  assert_select ("$..[?(@heartRate || @systolic)]", array, "[{\"systolic\":\"120\"},{\"systolic\":\"122\"}]");
  assert_select ("$..[?(@['My Property'])]", "{\"My Property\":\"data\"}", "[{\"My Property\":\"data\"}]");
  assert_select ("$..[?(@unit == 'inches')].height",
                 "{\"Body\":[{\"height\":\"78\",\"unit\":\"inches\"},{\"height\":\"2\",\"unit\":\"meters\"}]}",
                 "[\"78\"]");
  assert_select ("$..[?(@telemetry.BloodPressure.Diastolic && @telemetry.BloodPressure.Systolic)].deviceId",
                 "{\"deviceId\":\"x\",\"telemetry\":{\"BloodPressure\":{\"Diastolic\":7,\"Systolic\":71}}}",
                 "[\"x\"]");
  /* A member that is present but null exists. */
  assert_select ("$..[?(@heartRate)].n", "{\"heartRate\":null,\"n\":1}", "[1]");
  assert_select ("$..[?(@.kind == 'nibp' && @systolic)].systolic",
                 "{\"kind\":\"nibp\",\"systolic\":120}", "[120]");
}

static void
assert_syntax_error (const char *expr,
                     const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJsonPath) path = ward_jsonpath_compile (expr, &error);

  g_assert_null (path);
  g_assert_error (error, WARD_JSONPATH_ERROR, WARD_JSONPATH_ERROR_SYNTAX);
  if (strstr (error->message, message_part) == NULL)
    g_error ("%s: got \"%s\", expected it to contain \"%s\"", expr, error->message, message_part);
}

static void
test_syntax_errors (void)
{
  assert_syntax_error ("", "column 1: empty expression");
  assert_syntax_error ("   ", "empty expression");
  assert_syntax_error ("$.", "column 3: unexpected end of expression, expected a member name");
  assert_syntax_error ("$..", "column 4:");
  assert_syntax_error ("$[", "column 3:");
  assert_syntax_error ("$['a'", "column 6: unexpected end of expression, expected ',' or ']'");
  assert_syntax_error ("$['a", "unterminated string");
  assert_syntax_error ("$[1:2:0]", "column 7: a slice step cannot be zero");
  assert_syntax_error ("$[99999999999]", "out of range");
  assert_syntax_error ("$[?(@.a == )]", "column 12:");
  assert_syntax_error ("$[?(@.a = 1)]", "use '=='");
  assert_syntax_error ("$[?(@.a =~ /x/)]", "not supported");
  assert_syntax_error ("$[?(@.a)", "column 9:");
  assert_syntax_error ("$[?(@.a && )]", "column 12:");
  assert_syntax_error ("$[?(1)]", "comparison operator");
  assert_syntax_error ("$.a b", "column 5: unexpected 'b'");
  assert_syntax_error ("$.a]", "column 4: unexpected ']'");
  assert_syntax_error ("$[a]", "column 3:");
  assert_syntax_error ("$['\\x']", "escape");
  assert_syntax_error ("$['\\ud800']", "surrogate");
  assert_syntax_error ("$.\xff", "UTF-8");
  assert_syntax_error ("$.\xc3\xa9[", "column 5:");
}

static void
test_nesting_limit (void)
{
  g_autoptr(GString) deep = g_string_new ("$");
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJsonPath) path = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append (deep, "[?(@");
  path = ward_jsonpath_compile (deep->str, &error);
  g_assert_null (path);
  g_assert_error (error, WARD_JSONPATH_ERROR, WARD_JSONPATH_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "nested too deeply"));
}

static void
test_size_limit (void)
{
  g_autoptr(GString) doc = g_string_new ("[");
  g_autoptr(GError) error = NULL;
  g_autoptr(WardJsonPath) path = ward_jsonpath_compile ("$..*..*..*", &error);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GPtrArray) empty = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (doc, "%s[[1],[2]]", i ? "," : "");
  g_string_append (doc, "]");
  root = parse (doc->str);

  nodes = ward_jsonpath_select_full (path, root, 1000, &error);
  g_assert_null (nodes);
  g_assert_error (error, WARD_JSONPATH_ERROR, WARD_JSONPATH_ERROR_TOO_LARGE);

  empty = ward_jsonpath_select (path, root);
  g_assert_nonnull (empty);
}

/* A compiled path is shared by the pipeline's threads. */
static gpointer
select_in_thread (gpointer data)
{
  WardJsonPath *path = data;
  g_autoptr(JsonNode) root = parse (store);

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GPtrArray) nodes = ward_jsonpath_select (path, root);

      g_assert_cmpuint (nodes->len, ==, 2);
    }

  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(WardJsonPath) path = ward_jsonpath_compile ("$..book[?(@.price > 10 && @.category == 'fiction')]", NULL);
  GThread *threads[4];

  g_assert_nonnull (path);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("select", select_in_thread, path);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static void
test_expression (void)
{
  g_autoptr(WardJsonPath) path = ward_jsonpath_compile ("$.a", NULL);

  g_assert_cmpstr (ward_jsonpath_get_expression (path), ==, "$.a");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/jsonpath/basic", test_basic);
  g_test_add_func ("/core/jsonpath/arrays", test_arrays);
  g_test_add_func ("/core/jsonpath/recursive", test_recursive);
  g_test_add_func ("/core/jsonpath/filters", test_filters);
  g_test_add_func ("/core/jsonpath/connector-habits", test_connector_habits);
  g_test_add_func ("/core/jsonpath/syntax-errors", test_syntax_errors);
  g_test_add_func ("/core/jsonpath/nesting-limit", test_nesting_limit);
  g_test_add_func ("/core/jsonpath/size-limit", test_size_limit);
  g_test_add_func ("/core/jsonpath/threads", test_threads);
  g_test_add_func ("/core/jsonpath/expression", test_expression);

  return g_test_run ();
}
