/* fuzz-jmespath.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <string.h>

#include "ward-jmespath.h"

/* The input is a JMESPath expression, optionally followed by a NUL byte
 * and a JSON document; without one, or when the document is not JSON,
 * the expression runs against a fixed document.  Compiling must never
 * crash and must fail only with a syntax, unknown-function or arity
 * error; a compiled expression must evaluate against any document within
 * its step limit, to a tree that writes out as JSON that reads back.
 */

static const char fixed_document[] =
  "{\"Body\":[{\"heartRate\":\"78\",\"deviceId\":\"d\",\"endDate\":\"2019-02-01T22:46:01.875Z\","
  "\"unix\":1626799080000},"
  "{\"systolic\":120,\"diastolic\":80,\"a\":{\"b\":[1,2.5,null,true,\"x\",{\"c\":[]}]}},"
  "[3,-1,0.5,\"\xc3\xa9\xe2\x9c\x93\",[\"b\",\"a\"],[[1],[2,[3]]]]],"
  "\"Properties\":{\"iothub-creation-time-utc\":\"2019-01-30T22:45:02Z\"},"
  "\"SystemProperties\":{\"iothub-connection-device-id\":\"ev\"},\"My Property\":\"data\","
  "\"n\":[5,3,9,1],\"s\":[\"z\",\"y\",\"\"],\"o\":{\"k\":{\"v\":1},\"l\":{\"v\":2}}}";

/* Enough for any real template, small enough to keep a fuzzing run fast
 * and its memory low.
 */
#define FUZZ_MAX_STEPS 200000

static JsonNode *
parse_document (const char *text,
                gssize      length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_data (parser, text, length, NULL))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *expression = NULL;
  g_autoptr(WardJmesPath) path = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) reread = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const uint8_t *nul;

  if (size > 65536)
    return 0;

  nul = memchr (data, '\0', size);
  expression = g_strndup ((const char *) data, nul != NULL ? (gsize) (nul - data) : size);
  if (nul != NULL && (gsize) (nul - data) + 1 < size)
    document = parse_document ((const char *) nul + 1, (gssize) (size - (nul - data) - 1));
  if (document == NULL)
    document = parse_document (fixed_document, -1);
  g_assert (document != NULL);

  path = ward_jmespath_compile (expression, &error);
  if (path == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->domain == WARD_JMESPATH_ERROR);
      g_assert (error->code == WARD_JMESPATH_ERROR_SYNTAX
                || error->code == WARD_JMESPATH_ERROR_UNKNOWN_FUNCTION
                || error->code == WARD_JMESPATH_ERROR_INVALID_ARITY);
      if (error->code == WARD_JMESPATH_ERROR_SYNTAX)
        g_assert (g_str_has_prefix (error->message, "Syntax error at column "));
      g_assert (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert (error == NULL);
  g_assert (strcmp (ward_jmespath_get_expression (path), expression) == 0);

  result = ward_jmespath_search_bounded (path, document, FUZZ_MAX_STEPS, &error);
  if (result == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->domain == WARD_JMESPATH_ERROR);
      g_assert (error->code == WARD_JMESPATH_ERROR_INVALID_TYPE
                || error->code == WARD_JMESPATH_ERROR_INVALID_VALUE);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert (error == NULL);
  text = ward_jmespath_node_to_json (result);
  g_assert (g_utf8_validate (text, -1, NULL));
  reread = parse_document (text, -1);
  g_assert (reread != NULL);

  return 0;
}
