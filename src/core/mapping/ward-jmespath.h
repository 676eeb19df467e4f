/* ward-jmespath.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* JMESPath over json-glib nodes
 * =============================
 *
 * Our own evaluator of JMESPath (https://jmespath.org/specification.html),
 * used by the IoMT device-mapping templates for expressions with
 * "language": "JmesPath" (CalculatedContent templates).
 *
 * Supported: the whole specification, checked against every case of the
 * official compliance suite (jmespath.test): identifiers, quoted
 * identifiers ("a b"), raw string literals ('text', only \' is an
 * escape), JSON literals in backticks (`{"a": 1}`, strict RFC 8259; text
 * that is not JSON but is valid as the inside of a JSON string is that
 * string, `heartRate`, as JEP 12 allows for old templates),
 * sub-expressions, index and slice ([1], [-1], [::-1]; a zero step is
 * invalid-value), wildcards ([*], .*), flatten ([]), projections (list,
 * slice, object, flatten, filter) with the specification's stopping
 * rules, multi-select lists and hashes, pipes, ||, &&, !, comparisons
 * (== and != compare deeply, 1 == 1.0; <, <=, >, >= order numbers only
 * and give null for anything else), the current node @, functions and
 * expression references (&expr).
 *
 * Built-in functions: abs, avg, ceil, contains, ends_with, floor, join,
 * keys, length, map, max, max_by, merge, min, min_by, not_null, reverse,
 * sort, sort_by, starts_with, sum, to_array, to_string, to_number, type,
 * values.
 *
 * Numbers: integers stay integers (JSON integers are json-glib int64)
 * and mix exactly with doubles in comparisons, sorting and sums; an
 * integer sum that overflows continues in double.  ceil() and floor()
 * give integers (doubles beyond the 64-bit range stay doubles).
 * to_number() reads only text that is a JSON number.  Strings are
 * UTF-8: length(), reverse() and insertString() count code points,
 * sort() and max() order by code point.  to_string() writes compact
 * JSON (UTF-8 kept as is, bytes that are not UTF-8 as U+FFFD, doubles in
 * the shortest form that reads back the same, always with a '.' or an
 * exponent, as Python's repr() writes them: 1.0, 0.1, 1e+16).
 *
 * IoMT (Azure MedTech) extension functions, as the MedTech service
 * documents them ("How to use custom functions", MicrosoftDocs
 * azure-docs, articles/healthcare-apis/iot/how-to-use-custom-functions.md):
 *
 *   number add(number $left, number $right)
 *   number subtract(number $left, number $right)
 *   number multiply(number $left, number $right)
 *   number divide(number $left, number $right)
 *   number pow(number $left, number $right)
 *       Two integers give an integer, anything with a double gives a
 *       double.  divide() of two integers that do not divide evenly gives
 *       the exact double (divide(40, 50) is 0.8, as documented).  pow()
 *       of an integer to a negative integer gives a double.  Division by
 *       zero, and a result that does not fit a 64-bit integer (or is not
 *       a finite double) is an invalid-value error ("mathematic error").
 *   string fromUnixTimestamp(number $unixTimestampInSeconds)
 *   string fromUnixTimestampMs(number $unixTimestampInMs)
 *       An integer (a double is invalid-type) to an ISO 8601 UTC time,
 *       "2021-07-07T17:00:00Z"; milliseconds, when not zero, as a
 *       fraction without trailing zeros ("1970-01-01T00:00:01.5Z").
 *       Years outside 0001-9999 are invalid-value.
 *   string insertString(string $original, string $toInsert, number $pos)
 *       Inserts at a zero-based code point position (an integer);
 *       a position below 0 or past the end is invalid-value.
 *   string appendString(string $original, string $toAppend)
 *       Not in the MedTech documentation but registered by the open
 *       source IoMT connector; kept for templates written against it.
 *
 * Errors: compile() reports syntax errors ("Syntax error at column 5:
 * ..."; columns counted in characters from 1, the message says what was
 * found and what was expected; an expression nested more than 256 deep
 * is a syntax error too), unknown functions and wrong argument counts
 * (both name the function and its column).  search() reports
 * invalid-type (a function argument of the wrong type, an expression
 * reference outside a function call), invalid-value (slice step 0, the
 * IoMT arithmetic and range errors) and evaluations that exceed the step
 * limit (invalid-value too); the messages of function and slice errors
 * end with the column of the call or slice.
 *
 * A compiled expression is immutable: several threads may search with it
 * at once.  search() never modifies data and returns a new tree.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define WARD_JMESPATH_ERROR (ward_jmespath_error_quark ())

typedef enum
{
  WARD_JMESPATH_ERROR_SYNTAX,          /* compile: message says where (column) and what */
  WARD_JMESPATH_ERROR_UNKNOWN_FUNCTION,
  WARD_JMESPATH_ERROR_INVALID_ARITY,
  WARD_JMESPATH_ERROR_INVALID_TYPE,
  WARD_JMESPATH_ERROR_INVALID_VALUE,
} WardJmesPathError;

/* The number of evaluation steps ward_jmespath_search() allows (about
 * one per node visited and per element produced): enough for any real
 * template, a stop for expressions whose output doubles at each pipe.
 */
#define WARD_JMESPATH_DEFAULT_MAX_STEPS ((guint64) 10000000)

typedef struct _WardJmesPath WardJmesPath;

GQuark        ward_jmespath_error_quark     (void);

WardJmesPath *ward_jmespath_compile         (const char    *expression,
                                             GError       **error);

/* Evaluates against data (not modified); returns a new node (JSON null
 * for "no result"), or NULL with error for runtime errors.
 */
JsonNode     *ward_jmespath_search          (WardJmesPath  *self,
                                             JsonNode      *data,
                                             GError       **error);

/* As ward_jmespath_search() with another step limit (0: no limit). */
JsonNode     *ward_jmespath_search_bounded  (WardJmesPath  *self,
                                             JsonNode      *data,
                                             guint64        max_steps,
                                             GError       **error);

/* The expression text as given to ward_jmespath_compile(). */
const char   *ward_jmespath_get_expression  (WardJmesPath  *self);

/* Compact JSON the way to_string() writes it. */
char         *ward_jmespath_node_to_json    (JsonNode      *node);

void          ward_jmespath_free            (WardJmesPath  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardJmesPath, ward_jmespath_free)

G_END_DECLS
