#!/usr/bin/python3
# jmespath-reference.py
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The reference side of test-jmespath-differential: evaluates JMESPath
# expressions with python3-jmespath, in one batch.
#
# Input (stdin), JSON lines: first {"documents": [doc, ...]}, then one
# {"expression": "...", "document": index} per case.
# Output (stdout), one JSON line per case: {"result": value} or
# {"error": kind}, kind being the specification's error names (syntax,
# invalid-type, invalid-arity, invalid-value, unknown-function), or
# "internal" with a "message" when python-jmespath itself failed (the
# test does not count those as disagreements).
#
# Four places where python-jmespath 1.0 departs from the specification
# are brought back to it, so that the comparison tests the specification:
#  - ordering comparisons (<, <=, >, >=) are defined for numbers only;
#    python-jmespath also orders strings;
#  - equality never holds across JSON types at any depth; Python's ==
#    makes [0] equal [false];
#  - every argument of a variadic function is type-checked;
#    python-jmespath checks only the first, so merge({}, 'x') passed;
#  - a slice is a projection wherever it is; python-jmespath does not
#    project a slice that follows an index ("a[0][1:].b" gave null).

import json
import sys

import jmespath
from jmespath import ast, exceptions, functions, parser, visitor


def strict_equal(x, y):
    if isinstance(x, bool) or isinstance(y, bool):
        return isinstance(x, bool) and isinstance(y, bool) and x == y
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return x == y
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(strict_equal(a, b) for a, b in zip(x, y))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(strict_equal(x[k], y[k]) for k in x)
    if type(x) is not type(y):
        return False
    return x == y


if hasattr(visitor, "_is_comparable") and hasattr(visitor, "_is_actual_number"):
    visitor._is_comparable = visitor._is_actual_number
if hasattr(visitor, "TreeInterpreter"):
    visitor.TreeInterpreter.COMPARATOR_FUNC["eq"] = strict_equal
    visitor.TreeInterpreter.COMPARATOR_FUNC["ne"] = lambda x, y: not strict_equal(x, y)

if hasattr(functions.Functions, "_type_check") and \
        hasattr(functions.Functions, "_type_check_single"):
    _type_check_fixed_arguments = functions.Functions._type_check

    def _type_check_all_arguments(self, actual, signature, function_name):
        _type_check_fixed_arguments(self, actual, signature, function_name)
        if signature and signature[-1].get("variadic") and signature[-1]["types"]:
            for extra in actual[len(signature):]:
                self._type_check_single(extra, signature[-1]["types"], function_name)

    functions.Functions._type_check = _type_check_all_arguments

if hasattr(parser.Parser, "_token_led_lbracket"):
    _led_lbracket = parser.Parser._token_led_lbracket

    def _led_lbracket_projecting_slices(self, left):
        # A one-child sub-expression has the same value as its child, and
        # keeps python-jmespath from merging the brackets into one index
        # expression, which is where the projection got lost.
        if left.get("type") == "index_expression":
            left = ast.subexpression([left])
        return _led_lbracket(self, left)

    parser.Parser._token_led_lbracket = _led_lbracket_projecting_slices


def error_kind(error):
    if isinstance(error, (exceptions.ArityError, exceptions.VariadictArityError)):
        return "invalid-arity"
    if isinstance(error, exceptions.UnknownFunctionError):
        return "unknown-function"
    if isinstance(error, exceptions.JMESPathTypeError):
        return "invalid-type"
    if isinstance(error, (exceptions.ParseError, exceptions.EmptyExpressionError)):
        return "syntax"  # LexerError and IncompleteExpressionError are ParseErrors
    if isinstance(error, ValueError) and "slice step" in str(error):
        return "invalid-value"
    return None


def fit_int64(value):
    # Python integers have no bound (floor(-1.5e20) is an exact integer);
    # json-glib, on the other side, reads only 64-bit ones.
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -2**63 <= value < 2**63:
        return float(value)
    if isinstance(value, list):
        return [fit_int64(v) for v in value]
    if isinstance(value, dict):
        return {k: fit_int64(v) for k, v in value.items()}
    return value


def evaluate(expression, document):
    try:
        result = jmespath.search(expression, document)
        # Results that are not JSON (an expression reference) are errors.
        return {"result": fit_int64(json.loads(json.dumps(result)))}
    except Exception as error:  # noqa: BLE001 - every failure is reported
        kind = error_kind(error)
        if kind is not None:
            return {"error": kind}
        return {"error": "internal", "message": "%s: %s" % (type(error).__name__, error)}


def main():
    documents = None
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if documents is None:
            documents = request["documents"]
            continue
        answer = evaluate(request["expression"], documents[request["document"]])
        out.write(json.dumps(answer, separators=(",", ":")) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
