/* ward-jmespath.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-jmespath"

#include "config.h"

#include "ward-jmespath.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* How it works
 *
 * The expression is cut into tokens (tokenize), and the tokens are read
 * by a Pratt parser into a tree of Nodes.  The binding powers are the
 * specification's precedence; a projection keeps applying its right-hand
 * side while the tokens that follow bind at least as tightly as
 * PROJECTION_STOP, which is exactly the specification's rule that '|',
 * '||', '&&', comparisons and '[]' stop a projection and '.', '[' and
 * '[?' continue it.
 *
 * Evaluation walks the tree with JsonNodes.  Intermediate values share
 * the nodes of the data and of the literals by reference, and nothing
 * here modifies a node it did not create.  json_node_ref() and _unref()
 * are atomic; the references of JsonArray and JsonObject are not, so
 * they are only ever taken on containers built here.  That is what lets
 * several threads evaluate one compiled expression at once.  The result
 * handed to the caller is a deep copy with nothing shared.
 *
 * Every node visited and every element produced costs a step, so that an
 * expression whose output doubles at each pipe stops with an error
 * instead of eating the memory.
 */

/* Nesting of parentheses, brackets and sub-expressions while parsing, of
 * the parsed tree, and of JSON literals.  Real templates stay far below;
 * the limits keep the recursion of parser and evaluator off the end of
 * the stack whatever the input.
 */
#define MAX_NESTING      256
#define MAX_TREE_HEIGHT  1024
#define PROJECTION_STOP  10

/* Unix seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define MIN_UNIX_SECONDS G_GINT64_CONSTANT (-62135596800)
#define MAX_UNIX_SECONDS G_GINT64_CONSTANT (253402300799)

typedef struct _Node     Node;
typedef struct _Function Function;

typedef enum
{
  T_EOF,
  T_IDENTIFIER,
  T_QUOTED_IDENTIFIER,
  T_LITERAL,            /* `json` and 'raw string' */
  T_NUMBER,
  T_DOT,
  T_STAR,
  T_LBRACKET,
  T_RBRACKET,
  T_FLATTEN,            /* [] */
  T_FILTER,             /* [? */
  T_LBRACE,
  T_RBRACE,
  T_LPAREN,
  T_RPAREN,
  T_COMMA,
  T_COLON,
  T_PIPE,
  T_OR,
  T_AND,
  T_NOT,
  T_EXPREF,
  T_CURRENT,
  T_EQ,
  T_NE,
  T_LT,
  T_LE,
  T_GT,
  T_GE,
  N_TOKEN_KINDS
} TokenKind;

typedef struct
{
  TokenKind  kind;
  gsize      start;     /* byte offsets in the expression */
  gsize      end;
  char      *text;      /* identifiers, decoded */
  gint64     number;
  JsonNode  *literal;
} Token;

typedef enum
{
  NODE_CURRENT,
  NODE_FIELD,
  NODE_LITERAL,
  NODE_SUBEXPRESSION,   /* left, then right on its result (also a[0]) */
  NODE_INDEX,
  NODE_SLICE,
  NODE_PROJECTION,      /* right on each element of the array left */
  NODE_VALUE_PROJECTION,/* right on each value of the object left */
  NODE_FLATTEN,
  NODE_FILTER_PROJECTION,
  NODE_MULTI_SELECT_LIST,
  NODE_MULTI_SELECT_HASH,
  NODE_PIPE,
  NODE_OR,
  NODE_AND,
  NODE_NOT,
  NODE_COMPARE,
  NODE_FUNCTION,
  NODE_EXPREF,
} NodeKind;

typedef enum
{
  CMP_EQ,
  CMP_NE,
  CMP_LT,
  CMP_LE,
  CMP_GT,
  CMP_GE,
} CompareOp;

struct _Node
{
  NodeKind         kind;
  gsize            offset;      /* in the expression, for messages */
  guint            height;
  char            *name;        /* FIELD */
  JsonNode        *literal;     /* LITERAL, sealed */
  gint64           index;       /* INDEX */
  gint64           slice[3];    /* SLICE: start, stop, step */
  gboolean         has_slice[3];
  CompareOp        op;          /* COMPARE */
  const Function  *function;    /* FUNCTION */
  Node            *left;
  Node            *right;
  Node            *condition;   /* FILTER_PROJECTION */
  Node           **children;    /* MULTI_SELECT_*, FUNCTION arguments */
  char           **keys;        /* MULTI_SELECT_HASH */
  guint            n_children;
};

typedef struct
{
  const char  *expression;
  GArray      *tokens;
  guint        pos;
  guint        depth;
  GError      *error;
} Parser;

typedef struct
{
  const char  *expression;
  gsize        call_offset;   /* of the function being called, for messages */
  guint64      steps;
  guint64      max_steps;
  GError     **error;
  gboolean     failed;
} Eval;

/* A function argument: a value, or an expression reference (&expr). */
typedef struct
{
  JsonNode    *value;
  const Node  *expref;
} Arg;

typedef JsonNode *(*FunctionImpl) (Eval            *ev,
                                   const Function  *fn,
                                   Arg             *args,
                                   guint            n_args);

/* Argument types, as a mask per argument. */
enum
{
  ARG_NULL         = 1 << 0,
  ARG_BOOLEAN      = 1 << 1,
  ARG_NUMBER       = 1 << 2,
  ARG_STRING       = 1 << 3,
  ARG_ARRAY        = 1 << 4,
  ARG_OBJECT       = 1 << 5,
  ARG_EXPREF       = 1 << 6,
  ARG_ARRAY_NUMBER = 1 << 7,
  ARG_ARRAY_STRING = 1 << 8,
  ARG_ANY          = ARG_NULL | ARG_BOOLEAN | ARG_NUMBER | ARG_STRING | ARG_ARRAY | ARG_OBJECT,
};

struct _Function
{
  const char    *name;
  guint          min_args;
  gint           max_args;      /* -1: variadic, the last type repeats */
  guint          types[3];
  FunctionImpl   call;
  char           variant;       /* for implementations shared by several */
};

typedef enum
{
  VALUE_NULL,
  VALUE_BOOLEAN,
  VALUE_NUMBER,
  VALUE_STRING,
  VALUE_ARRAY,
  VALUE_OBJECT,
} ValueKind;

struct _WardJmesPath
{
  char  *expression;
  Node  *root;
};

static JsonNode *eval            (Eval        *ev,
                                  const Node  *node,
                                  JsonNode    *current);
static gboolean  write_json      (Eval        *ev,
                                  GString     *out,
                                  JsonNode    *node);

G_DEFINE_QUARK (ward-jmespath-error-quark, ward_jmespath_error)

/* Left binding powers.  Tokens that only start an expression bind 0. */
static const guint binding_power[N_TOKEN_KINDS] = {
  [T_PIPE] = 1,
  [T_OR] = 2,
  [T_AND] = 3,
  [T_EQ] = 5,
  [T_NE] = 5,
  [T_LT] = 5,
  [T_LE] = 5,
  [T_GT] = 5,
  [T_GE] = 5,
  [T_FLATTEN] = 9,
  [T_STAR] = 20,
  [T_FILTER] = 21,
  [T_DOT] = 40,
  [T_NOT] = 45,
  [T_LBRACE] = 50,
  [T_LBRACKET] = 55,
  [T_LPAREN] = 60,
};

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

static ValueKind
value_kind (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return json_node_get_object (node) != NULL ? VALUE_OBJECT : VALUE_NULL;

    case JSON_NODE_ARRAY:
      return json_node_get_array (node) != NULL ? VALUE_ARRAY : VALUE_NULL;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
        case G_TYPE_DOUBLE:
          return VALUE_NUMBER;

        case G_TYPE_BOOLEAN:
          return VALUE_BOOLEAN;

        case G_TYPE_STRING:
          return VALUE_STRING;

        default:
          return VALUE_NULL;
        }

    case JSON_NODE_NULL:
    default:
      return VALUE_NULL;
    }
}

static const char *
value_kind_name (ValueKind kind)
{
  switch (kind)
    {
    case VALUE_BOOLEAN:
      return "boolean";
    case VALUE_NUMBER:
      return "number";
    case VALUE_STRING:
      return "string";
    case VALUE_ARRAY:
      return "array";
    case VALUE_OBJECT:
      return "object";
    case VALUE_NULL:
    default:
      return "null";
    }
}

static gboolean
is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static double
number_as_double (JsonNode *node)
{
  if (is_integer (node))
    return (double) json_node_get_int (node);
  return json_node_get_double (node);
}

static const char *
value_string (JsonNode *node)
{
  const char *s = json_node_get_string (node);

  return s != NULL ? s : "";
}

static JsonNode *
make_null (void)
{
  return json_node_new (JSON_NODE_NULL);
}

static JsonNode *
make_boolean (gboolean value)
{
  return json_node_init_boolean (json_node_alloc (), value);
}

static JsonNode *
make_int (gint64 value)
{
  return json_node_init_int (json_node_alloc (), value);
}

static JsonNode *
make_double (double value)
{
  return json_node_init_double (json_node_alloc (), value);
}

static JsonNode *
make_string (const char *value)
{
  return json_node_init_string (json_node_alloc (), value);
}

static JsonNode *
make_string_take (char *value)
{
  JsonNode *node = json_node_init_string (json_node_alloc (), value);

  g_free (value);
  return node;
}

static JsonNode *
make_array_take (JsonArray *array)
{
  JsonNode *node = json_node_init_array (json_node_alloc (), array);

  json_array_unref (array);
  return node;
}

static JsonNode *
make_object_take (JsonObject *object)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);
  return node;
}

/* A double in [-2^63, 2^63) that is a whole number, as an integer node;
 * anything else stays a double.
 */
static JsonNode *
make_whole_number (double value)
{
  if (value >= -9223372036854775808.0 && value < 9223372036854775808.0)
    return make_int ((gint64) value);
  return make_double (value);
}

static gboolean
is_truthy (JsonNode *node)
{
  switch (value_kind (node))
    {
    case VALUE_BOOLEAN:
      return json_node_get_boolean (node);
    case VALUE_NUMBER:
      return TRUE;
    case VALUE_STRING:
      return value_string (node)[0] != '\0';
    case VALUE_ARRAY:
      return json_array_get_length (json_node_get_array (node)) > 0;
    case VALUE_OBJECT:
      return json_object_get_size (json_node_get_object (node)) > 0;
    case VALUE_NULL:
    default:
      return FALSE;
    }
}

/* Exact comparison of an integer with a double (no rounding of the
 * integer to double, which would make 2^53 + 1 equal 2^53).
 */
static int
compare_int_double (gint64 i,
                    double d)
{
  gint64 whole;
  double fraction;

  if (isnan (d))
    return 1;
  if (d >= 9223372036854775808.0)
    return -1;
  if (d < -9223372036854775808.0)
    return 1;

  whole = (gint64) d;
  if (i < whole)
    return -1;
  if (i > whole)
    return 1;

  fraction = d - (double) whole;
  return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0);
}

static int
compare_numbers (JsonNode *a,
                 JsonNode *b)
{
  gboolean a_int = is_integer (a);
  gboolean b_int = is_integer (b);

  if (a_int && b_int)
    {
      gint64 x = json_node_get_int (a);
      gint64 y = json_node_get_int (b);

      return x < y ? -1 : (x > y ? 1 : 0);
    }
  else if (a_int)
    return compare_int_double (json_node_get_int (a), json_node_get_double (b));
  else if (b_int)
    return -compare_int_double (json_node_get_int (b), json_node_get_double (a));
  else
    {
      double x = json_node_get_double (a);
      double y = json_node_get_double (b);

      return x < y ? -1 : (x > y ? 1 : 0);
    }
}

/* Strings compare by code point, which for UTF-8 is byte order. */
static int
compare_strings (JsonNode *a,
                 JsonNode *b)
{
  int r = strcmp (value_string (a), value_string (b));

  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

static void
eval_error (Eval              *ev,
            WardJmesPathError  code,
            const char        *format,
            ...) G_GNUC_PRINTF (3, 4);

static void
eval_error (Eval              *ev,
            WardJmesPathError  code,
            const char        *format,
            ...)
{
  va_list args;

  if (ev == NULL || ev->failed)
    return;

  ev->failed = TRUE;
  if (ev->error == NULL)
    return;

  va_start (args, format);
  *ev->error = g_error_new_valist (WARD_JMESPATH_ERROR, code, format, args);
  va_end (args);
}

/* An error in a function call: the message ends with the call's column. */
static void
call_error (Eval              *ev,
            WardJmesPathError  code,
            const char        *format,
            ...) G_GNUC_PRINTF (3, 4);

static guint column_at (const char *expression,
                        gsize       offset);

static void
call_error (Eval              *ev,
            WardJmesPathError  code,
            const char        *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (ev == NULL || ev->failed)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  eval_error (ev, code, "%s (column %u)", message, column_at (ev->expression, ev->call_offset));
}

static gboolean
charge (Eval    *ev,
        guint64  steps)
{
  if (ev == NULL)
    return TRUE;

  ev->steps += steps;
  if (ev->max_steps != 0 && ev->steps > ev->max_steps)
    {
      eval_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
                  "Evaluation exceeds the limit of %" G_GUINT64_FORMAT " steps",
                  ev->max_steps);
      return FALSE;
    }

  return TRUE;
}

/* Text costs a step per 4 bytes copied or compared, so that strings
 * doubled at each pipe (appendString(@, @)) or a shared tree of long
 * strings written out stop at the limit too: the default limit allows
 * about 40 MB of text, a message the size of an Event Hubs maximum
 * (1 MB) costs 250000 steps to copy.
 */
static gboolean
charge_text (Eval  *ev,
             gsize  len)
{
  return charge (ev, len / 4);
}

/* Deep equality: 1 == 1.0, objects regardless of member order.
 * Returns 1 or 0, or -1 when the step limit is reached.
 */
static int
values_equal (Eval     *ev,
              JsonNode *a,
              JsonNode *b)
{
  ValueKind kind = value_kind (a);

  if (!charge (ev, 1))
    return -1;

  if (kind != value_kind (b))
    return 0;

  switch (kind)
    {
    case VALUE_NULL:
      return 1;

    case VALUE_BOOLEAN:
      return !json_node_get_boolean (a) == !json_node_get_boolean (b);

    case VALUE_NUMBER:
      return compare_numbers (a, b) == 0;

    case VALUE_STRING:
      if (!charge_text (ev, strlen (value_string (a))))
        return -1;
      return strcmp (value_string (a), value_string (b)) == 0;

    case VALUE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a);
        JsonArray *y = json_node_get_array (b);
        guint n = json_array_get_length (x);

        if (n != json_array_get_length (y))
          return 0;

        for (guint i = 0; i < n; i++)
          {
            int r = values_equal (ev, json_array_get_element (x, i), json_array_get_element (y, i));

            if (r != 1)
              return r;
          }
        return 1;
      }

    case VALUE_OBJECT:
      {
        JsonObject *x = json_node_get_object (a);
        JsonObject *y = json_node_get_object (b);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        if (json_object_get_size (x) != json_object_get_size (y))
          return 0;

        json_object_iter_init_ordered (&iter, x);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            JsonNode *other = json_object_get_member (y, name);
            int r;

            if (other == NULL)
              return 0;
            r = values_equal (ev, member, other);
            if (r != 1)
              return r;
          }
        return 1;
      }

    default:
      g_assert_not_reached ();
    }
}

/* A copy that shares nothing with the original. */
static JsonNode *
deep_copy (Eval     *ev,
           JsonNode *node)
{
  if (!charge (ev, 1))
    return NULL;

  switch (value_kind (node))
    {
    case VALUE_BOOLEAN:
      return make_boolean (json_node_get_boolean (node));

    case VALUE_NUMBER:
      if (is_integer (node))
        return make_int (json_node_get_int (node));
      return make_double (json_node_get_double (node));

    case VALUE_STRING:
      if (!charge_text (ev, strlen (value_string (node))))
        return NULL;
      return make_string (value_string (node));

    case VALUE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);
        JsonArray *copy = json_array_sized_new (n);

        for (guint i = 0; i < n; i++)
          {
            JsonNode *element = deep_copy (ev, json_array_get_element (array, i));

            if (element == NULL)
              {
                json_array_unref (copy);
                return NULL;
              }
            json_array_add_element (copy, element);
          }
        return make_array_take (copy);
      }

    case VALUE_OBJECT:
      {
        JsonObject *copy = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            JsonNode *value = charge_text (ev, strlen (name)) ? deep_copy (ev, member) : NULL;

            if (value == NULL)
              {
                json_object_unref (copy);
                return NULL;
              }
            json_object_set_member (copy, name, value);
          }
        return make_object_take (copy);
      }

    case VALUE_NULL:
    default:
      return make_null ();
    }
}

/* ------------------------------------------------------------------ */
/* JSON text                                                           */
/* ------------------------------------------------------------------ */

/* Doubles as Python's repr() writes them (and so as the reference
 * implementation's to_string() does): the fewest significant digits that
 * read back the same, positional between 1e-4 and 1e16, always with a
 * '.' or an exponent so that the text reads back as a double.
 */
static void
append_double (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[24];
  char format[8];
  const char *p;
  int n_digits = 0;
  int exponent;

  if (!isfinite (value))
    {
      /* Not JSON; only reachable through overflowing sums and averages. */
      g_string_append (out, "null");
      return;
    }

  for (int precision = 0; precision < 17; precision++)
    {
      g_snprintf (format, sizeof format, "%%.%de", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  p = buf;
  if (*p == '-')
    {
      g_string_append_c (out, '-');
      p++;
    }
  for (; *p != 'e' && *p != '\0'; p++)
    if (g_ascii_isdigit (*p) && n_digits < (int) sizeof digits - 1)
      digits[n_digits++] = *p;
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;
  digits[n_digits] = '\0';
  exponent = *p == 'e' ? atoi (p + 1) : 0;

  if (exponent >= -4 && exponent < 16)
    {
      if (exponent < 0)
        {
          g_string_append (out, "0.");
          for (int i = -1; i > exponent; i--)
            g_string_append_c (out, '0');
          g_string_append (out, digits);
        }
      else
        {
          for (int i = 0; i <= exponent; i++)
            g_string_append_c (out, i < n_digits ? digits[i] : '0');
          g_string_append_c (out, '.');
          if (n_digits > exponent + 1)
            g_string_append (out, digits + exponent + 1);
          else
            g_string_append_c (out, '0');
        }
    }
  else
    {
      g_string_append_c (out, digits[0]);
      if (n_digits > 1)
        {
          g_string_append_c (out, '.');
          g_string_append (out, digits + 1);
        }
      g_string_append_printf (out, "e%c%02d", exponent < 0 ? '-' : '+', ABS (exponent));
    }
}

/* Strings in the data are meant to be UTF-8, but json-glib lets some
 * malformed \u escapes through as bytes that are not; each such byte is
 * written as U+FFFD so that the output is always valid UTF-8 JSON.
 */
static void
append_json_string (GString    *out,
                    const char *s)
{
  const char *p = s;

  g_string_append_c (out, '"');
  while (*p != '\0')
    {
      guchar c = (guchar) *p;

      if (c >= 0x80)
        {
          gunichar ch = g_utf8_get_char_validated (p, -1);

          if (ch == (gunichar) -1 || ch == (gunichar) -2)
            {
              g_string_append (out, "\xef\xbf\xbd");
              p++;
            }
          else
            {
              const char *next = g_utf8_next_char (p);

              g_string_append_len (out, p, next - p);
              p = next;
            }
          continue;
        }

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
      p++;
    }
  g_string_append_c (out, '"');
}

/* Compact JSON; FALSE when the step limit is reached. */
static gboolean
write_json (Eval     *ev,
            GString  *out,
            JsonNode *node)
{
  if (!charge (ev, 1))
    return FALSE;

  switch (value_kind (node))
    {
    case VALUE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      return TRUE;

    case VALUE_NUMBER:
      if (is_integer (node))
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        append_double (out, json_node_get_double (node));
      return TRUE;

    case VALUE_STRING:
      if (!charge_text (ev, strlen (value_string (node))))
        return FALSE;
      append_json_string (out, value_string (node));
      return TRUE;

    case VALUE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            if (!write_json (ev, out, json_array_get_element (array, i)))
              return FALSE;
          }
        g_string_append_c (out, ']');
        return TRUE;
      }

    case VALUE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            if (!charge_text (ev, strlen (name)))
              return FALSE;
            append_json_string (out, name);
            g_string_append_c (out, ':');
            if (!write_json (ev, out, member))
              return FALSE;
          }
        g_string_append_c (out, '}');
        return TRUE;
      }

    case VALUE_NULL:
    default:
      g_string_append (out, "null");
      return TRUE;
    }
}

/* A strict RFC 8259 reader for literals, quoted identifiers and
 * to_number(): json-glib's parser accepts more than JSON, and we want
 * integers kept as integers and a bound on the nesting.
 */
typedef struct
{
  const char *p;
  const char *end;
  guint       depth;
} JsonText;

static JsonNode *read_json_value (JsonText *r);

static void
skip_json_space (JsonText *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (const char *p,
           const char *end,
           gunichar   *value)
{
  *value = 0;
  if (end - p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (p[i]);

      if (h < 0)
        return FALSE;
      *value = (*value << 4) | (gunichar) h;
    }
  return TRUE;
}

/* Decodes the inside of a JSON string from p up to the closing quote (or
 * up to end when closing is FALSE).  The text must be valid UTF-8.
 * Returns the position after the closing quote (or end), NULL if invalid.
 */
static const char *
decode_json_string (const char *p,
                    const char *end,
                    gboolean    closing,
                    GString    *out)
{
  while (p < end)
    {
      guchar c = (guchar) *p;

      if (c == '"')
        return closing ? p + 1 : NULL;
      if (c < 0x20)
        return NULL;
      if (c != '\\')
        {
          g_string_append_c (out, (char) c);
          p++;
          continue;
        }

      if (++p >= end)
        return NULL;
      switch (*p)
        {
        case '"':
        case '\\':
        case '/':
          g_string_append_c (out, *p);
          break;
        case 'b':
          g_string_append_c (out, '\b');
          break;
        case 'f':
          g_string_append_c (out, '\f');
          break;
        case 'n':
          g_string_append_c (out, '\n');
          break;
        case 'r':
          g_string_append_c (out, '\r');
          break;
        case 't':
          g_string_append_c (out, '\t');
          break;
        case 'u':
          {
            gunichar ch;

            if (!read_hex4 (p + 1, end, &ch))
              return NULL;
            p += 4;
            if (ch >= 0xD800 && ch <= 0xDBFF)
              {
                gunichar low;

                if (end - p < 7 || p[1] != '\\' || p[2] != 'u' || !read_hex4 (p + 3, end, &low)
                    || low < 0xDC00 || low > 0xDFFF)
                  return NULL;
                ch = 0x10000 + ((ch - 0xD800) << 10) + (low - 0xDC00);
                p += 6;
              }
            else if ((ch >= 0xDC00 && ch <= 0xDFFF) || ch == 0)
              {
                /* A lone low surrogate is not text, and NUL would cut
                 * the string short.
                 */
                return NULL;
              }
            g_string_append_unichar (out, ch);
          }
          break;
        default:
          return NULL;
        }
      p++;
    }

  return closing ? NULL : p;
}

/* Reads a JSON number at r->p: integers that fit stay int64. */
static JsonNode *
read_json_number (JsonText *r)
{
  const char *start = r->p;
  const char *p = r->p;
  gboolean is_int = TRUE;
  g_autofree char *text = NULL;

  if (p < r->end && *p == '-')
    p++;
  if (p >= r->end || !g_ascii_isdigit (*p))
    return NULL;
  if (*p == '0')
    p++;
  else
    while (p < r->end && g_ascii_isdigit (*p))
      p++;
  if (p < r->end && *p == '.')
    {
      is_int = FALSE;
      p++;
      if (p >= r->end || !g_ascii_isdigit (*p))
        return NULL;
      while (p < r->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < r->end && (*p == 'e' || *p == 'E'))
    {
      is_int = FALSE;
      p++;
      if (p < r->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= r->end || !g_ascii_isdigit (*p))
        return NULL;
      while (p < r->end && g_ascii_isdigit (*p))
        p++;
    }

  r->p = p;
  text = g_strndup (start, p - start);

  if (is_int)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (text, NULL, 10);
      if (errno == 0)
        return make_int (value);
    }

  {
    double value = g_ascii_strtod (text, NULL);

    if (!isfinite (value))
      return NULL;
    return make_double (value);
  }
}

static gboolean
read_json_keyword (JsonText *r,
                   const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (r->end - r->p) < len || strncmp (r->p, word, len) != 0)
    return FALSE;
  r->p += len;
  return TRUE;
}

static JsonNode *
read_json_container (JsonText *r)
{
  gboolean is_object = *r->p == '{';
  char close = is_object ? '}' : ']';
  JsonArray *array = NULL;
  JsonObject *object = NULL;

  if (++r->depth > MAX_NESTING)
    return NULL;

  if (is_object)
    object = json_object_new ();
  else
    array = json_array_new ();

  r->p++;
  skip_json_space (r);
  if (r->p < r->end && *r->p == close)
    {
      r->p++;
      goto done;
    }

  for (;;)
    {
      g_autoptr(GString) key = NULL;
      JsonNode *value;

      skip_json_space (r);
      if (is_object)
        {
          if (r->p >= r->end || *r->p != '"')
            goto fail;
          key = g_string_new (NULL);
          r->p = decode_json_string (r->p + 1, r->end, TRUE, key);
          if (r->p == NULL)
            goto fail;
          skip_json_space (r);
          if (r->p >= r->end || *r->p != ':')
            goto fail;
          r->p++;
        }

      value = read_json_value (r);
      if (value == NULL)
        goto fail;
      if (is_object)
        json_object_set_member (object, key->str, value);
      else
        json_array_add_element (array, value);

      skip_json_space (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == close)
        {
          r->p++;
          break;
        }
      goto fail;
    }

done:
  r->depth--;
  return is_object ? make_object_take (object) : make_array_take (array);

fail:
  /* r->p may be NULL here; the caller only looks at the result. */
  if (object != NULL)
    json_object_unref (object);
  if (array != NULL)
    json_array_unref (array);
  return NULL;
}

static JsonNode *
read_json_value (JsonText *r)
{
  skip_json_space (r);
  if (r->p >= r->end)
    return NULL;

  switch (*r->p)
    {
    case '{':
    case '[':
      return read_json_container (r);

    case '"':
      {
        g_autoptr(GString) s = g_string_new (NULL);

        r->p = decode_json_string (r->p + 1, r->end, TRUE, s);
        if (r->p == NULL)
          return NULL;
        return make_string (s->str);
      }

    case 't':
      return read_json_keyword (r, "true") ? make_boolean (TRUE) : NULL;

    case 'f':
      return read_json_keyword (r, "false") ? make_boolean (FALSE) : NULL;

    case 'n':
      return read_json_keyword (r, "null") ? make_null () : NULL;

    default:
      return read_json_number (r);
    }
}

/* The whole of [text, text + len) as one JSON value, or NULL. */
static JsonNode *
parse_json (const char *text,
            gsize       len)
{
  JsonText r = { text, text + len, 0 };
  JsonNode *node = read_json_value (&r);

  if (node == NULL)
    return NULL;
  if (r.p == NULL)
    {
      json_node_unref (node);
      return NULL;
    }
  skip_json_space (&r);
  if (r.p != r.end)
    {
      json_node_unref (node);
      return NULL;
    }
  return node;
}

/* ------------------------------------------------------------------ */
/* Tree                                                                */
/* ------------------------------------------------------------------ */

static void
node_free (Node *node)
{
  if (node == NULL)
    return;

  g_free (node->name);
  g_clear_pointer (&node->literal, json_node_unref);
  node_free (node->left);
  node_free (node->right);
  node_free (node->condition);
  for (guint i = 0; i < node->n_children; i++)
    node_free (node->children[i]);
  g_free (node->children);
  g_strfreev (node->keys);
  g_free (node);
}

static void
node_update_height (Node *node)
{
  guint height = 0;

  if (node->left != NULL)
    height = MAX (height, node->left->height);
  if (node->right != NULL)
    height = MAX (height, node->right->height);
  if (node->condition != NULL)
    height = MAX (height, node->condition->height);
  for (guint i = 0; i < node->n_children; i++)
    height = MAX (height, node->children[i]->height);

  node->height = height + 1;
}

static Node *
node_new (NodeKind  kind,
          gsize     offset,
          Node     *left,
          Node     *right)
{
  Node *node = g_new0 (Node, 1);

  node->kind = kind;
  node->offset = offset;
  node->left = left;
  node->right = right;
  node_update_height (node);

  return node;
}

/* ------------------------------------------------------------------ */
/* Lexer                                                               */
/* ------------------------------------------------------------------ */

static void
token_clear (gpointer data)
{
  Token *token = data;

  g_clear_pointer (&token->text, g_free);
  g_clear_pointer (&token->literal, json_node_unref);
}

static guint
column_at (const char *expression,
           gsize       offset)
{
  return (guint) g_utf8_strlen (expression, (gssize) offset) + 1;
}

static void
syntax_error (Parser     *p,
              gsize       offset,
              const char *format,
              ...) G_GNUC_PRINTF (3, 4);

static void
syntax_error (Parser     *p,
              gsize       offset,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (p->error != NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  p->error = g_error_new (WARD_JMESPATH_ERROR, WARD_JMESPATH_ERROR_SYNTAX,
                          "Syntax error at column %u: %s",
                          column_at (p->expression, offset), message);
}

/* The source text of a token for messages, quoted and shortened. */
static char *
describe_token (Parser      *p,
                const Token *token)
{
  g_autofree char *text = NULL;
  glong n_chars;

  if (token->kind == T_EOF)
    return g_strdup ("the end of the expression");

  text = g_strndup (p->expression + token->start, token->end - token->start);
  n_chars = g_utf8_strlen (text, -1);
  if (n_chars > 24)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, 20);

      return g_strdup_printf ("'%s...'", cut);
    }
  return g_strdup_printf ("'%s'", text);
}

/* Scans from the opening delimiter at *pos to the matching closing one;
 * a backslash always takes the next character with it.  Sets the
 * content's byte range and moves *pos past the closing delimiter.
 */
static gboolean
scan_delimited (Parser     *p,
                gsize      *pos,
                char        delimiter,
                const char *what,
                gsize      *content_start,
                gsize      *content_end)
{
  const char *s = p->expression;
  gsize i = *pos + 1;

  while (s[i] != delimiter)
    {
      if (s[i] == '\0')
        {
          syntax_error (p, *pos, "unterminated %s", what);
          return FALSE;
        }
      if (s[i] == '\\')
        {
          i++;
          if (s[i] == '\0')
            {
              syntax_error (p, *pos, "unterminated %s", what);
              return FALSE;
            }
        }
      i++;
    }

  *content_start = *pos + 1;
  *content_end = i;
  *pos = i + 1;
  return TRUE;
}

/* Copies the content, turning backslash + delimiter into the delimiter;
 * every other backslash stays as written.
 */
static char *
unescape_delimiter (const char *s,
                    gsize       len,
                    char        delimiter)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '\\' && i + 1 < len)
        {
          if (s[i + 1] != delimiter)
            g_string_append_c (out, '\\');
          g_string_append_c (out, s[i + 1]);
          i++;
        }
      else
        g_string_append_c (out, s[i]);
    }

  return g_string_free (out, FALSE);
}

static gboolean
lex_literal (Parser *p,
             gsize  *pos,
             Token  *token)
{
  g_autofree char *text = NULL;
  gsize start, end;
  const char *stripped;

  if (!scan_delimited (p, pos, '`', "JSON literal (missing closing '`')", &start, &end))
    return FALSE;

  text = unescape_delimiter (p->expression + start, end - start, '`');
  token->literal = parse_json (text, strlen (text));
  if (token->literal != NULL)
    return TRUE;

  /* JEP 12: before raw strings existed, `foo` meant the string "foo".
   * Old templates still write `heartRate`, so text that is not JSON but
   * reads as the inside of a JSON string is that string.
   */
  stripped = text;
  while (*stripped == ' ' || *stripped == '\t' || *stripped == '\n' || *stripped == '\r')
    stripped++;
  {
    g_autoptr(GString) s = g_string_new (NULL);

    if (decode_json_string (stripped, stripped + strlen (stripped), FALSE, s) != NULL)
      {
        token->literal = make_string (s->str);
        return TRUE;
      }
  }

  syntax_error (p, token->start, "invalid JSON literal");
  return FALSE;
}

static gboolean
lex_number (Parser *p,
            gsize  *pos,
            Token  *token)
{
  const char *s = p->expression;
  gsize i = *pos;
  gboolean negative = FALSE;
  guint64 magnitude = 0;

  if (s[i] == '-')
    {
      negative = TRUE;
      i++;
      if (!g_ascii_isdigit (s[i]))
        {
          syntax_error (p, *pos, "'-' must be followed by digits");
          return FALSE;
        }
    }

  /* Out-of-range numbers saturate: an index of 10^30 is as much out of
   * any array as one of 2^63 - 1.
   */
  for (; g_ascii_isdigit (s[i]); i++)
    {
      guint digit = (guint) (s[i] - '0');

      if (magnitude > (G_MAXUINT64 - digit) / 10)
        magnitude = G_MAXUINT64;
      else
        magnitude = magnitude * 10 + digit;
    }

  if (negative)
    token->number = magnitude > (guint64) G_MAXINT64 ? G_MININT64 : -(gint64) magnitude;
  else
    token->number = magnitude > (guint64) G_MAXINT64 ? G_MAXINT64 : (gint64) magnitude;

  token->kind = T_NUMBER;
  *pos = i;
  return TRUE;
}

static gboolean
tokenize (Parser *p)
{
  const char *s = p->expression;
  const char *invalid = NULL;
  gsize i = 0;
  Token eof = { 0, };

  if (!g_utf8_validate (s, -1, &invalid))
    {
      syntax_error (p, invalid - s, "the expression is not valid UTF-8");
      return FALSE;
    }

  while (s[i] != '\0')
    {
      Token token = { 0, };
      char c = s[i];

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          i++;
          continue;
        }

      token.start = i;

      if (g_ascii_isalpha (c) || c == '_')
        {
          gsize j = i + 1;

          while (g_ascii_isalnum (s[j]) || s[j] == '_')
            j++;
          token.kind = T_IDENTIFIER;
          token.text = g_strndup (s + i, j - i);
          i = j;
        }
      else if (g_ascii_isdigit (c) || c == '-')
        {
          if (!lex_number (p, &i, &token))
            return FALSE;
        }
      else if (c == '"')
        {
          g_autoptr(GString) name = g_string_new (NULL);
          gsize start, end;

          if (!scan_delimited (p, &i, '"', "quoted identifier (missing closing '\"')",
                               &start, &end))
            return FALSE;
          if (decode_json_string (s + start, s + end, FALSE, name) == NULL)
            {
              syntax_error (p, token.start, "invalid escape in quoted identifier");
              return FALSE;
            }
          token.kind = T_QUOTED_IDENTIFIER;
          token.text = g_string_free (g_steal_pointer (&name), FALSE);
        }
      else if (c == '\'')
        {
          g_autofree char *text = NULL;
          gsize start, end;

          if (!scan_delimited (p, &i, '\'', "raw string (missing closing \"'\")", &start, &end))
            return FALSE;
          text = unescape_delimiter (s + start, end - start, '\'');
          token.kind = T_LITERAL;
          token.literal = make_string (text);
        }
      else if (c == '`')
        {
          token.kind = T_LITERAL;
          if (!lex_literal (p, &i, &token))
            return FALSE;
        }
      else
        {
          char next = s[i + 1];

          i++;
          switch (c)
            {
            case '.':
              token.kind = T_DOT;
              break;
            case '*':
              token.kind = T_STAR;
              break;
            case ']':
              token.kind = T_RBRACKET;
              break;
            case '{':
              token.kind = T_LBRACE;
              break;
            case '}':
              token.kind = T_RBRACE;
              break;
            case '(':
              token.kind = T_LPAREN;
              break;
            case ')':
              token.kind = T_RPAREN;
              break;
            case ',':
              token.kind = T_COMMA;
              break;
            case ':':
              token.kind = T_COLON;
              break;
            case '@':
              token.kind = T_CURRENT;
              break;
            case '[':
              if (next == ']')
                token.kind = T_FLATTEN, i++;
              else if (next == '?')
                token.kind = T_FILTER, i++;
              else
                token.kind = T_LBRACKET;
              break;
            case '|':
              if (next == '|')
                token.kind = T_OR, i++;
              else
                token.kind = T_PIPE;
              break;
            case '&':
              if (next == '&')
                token.kind = T_AND, i++;
              else
                token.kind = T_EXPREF;
              break;
            case '!':
              if (next == '=')
                token.kind = T_NE, i++;
              else
                token.kind = T_NOT;
              break;
            case '<':
              if (next == '=')
                token.kind = T_LE, i++;
              else
                token.kind = T_LT;
              break;
            case '>':
              if (next == '=')
                token.kind = T_GE, i++;
              else
                token.kind = T_GT;
              break;
            case '=':
              if (next == '=')
                {
                  token.kind = T_EQ;
                  i++;
                  break;
                }
              syntax_error (p, token.start, "'=' is not an operator (did you mean '=='?)");
              return FALSE;
            default:
              {
                gunichar ch = g_utf8_get_char (s + token.start);
                char utf8[8] = { 0, };

                g_unichar_to_utf8 (ch, utf8);
                syntax_error (p, token.start, "unexpected character '%s'", utf8);
                return FALSE;
              }
            }
        }

      token.end = i;
      g_array_append_val (p->tokens, token);
    }

  eof.kind = T_EOF;
  eof.start = eof.end = i;
  g_array_append_val (p->tokens, eof);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

static const Function *lookup_function (const char *name);

static Node *parse_expression (Parser *p,
                               guint   rbp);

static Token *
peek (Parser *p,
      guint   ahead)
{
  guint i = MIN (p->pos + ahead, p->tokens->len - 1);

  return &g_array_index (p->tokens, Token, i);
}

static Token *
advance (Parser *p)
{
  Token *token = peek (p, 0);

  if (token->kind != T_EOF)
    p->pos++;
  return token;
}

static void
unexpected (Parser      *p,
            const Token *token,
            const char  *expected)
{
  g_autofree char *found = describe_token (p, token);

  if (token->kind == T_EOF && expected != NULL)
    syntax_error (p, token->start, "expected %s but the expression ended", expected);
  else if (token->kind == T_EOF)
    syntax_error (p, token->start, "unexpected end of the expression");
  else if (expected != NULL)
    syntax_error (p, token->start, "expected %s but found %s", expected, found);
  else
    syntax_error (p, token->start, "unexpected %s", found);
}

static gboolean
expect (Parser     *p,
        TokenKind   kind,
        const char *expected)
{
  Token *token = peek (p, 0);

  if (token->kind != kind)
    {
      unexpected (p, token, expected);
      return FALSE;
    }
  advance (p);
  return TRUE;
}

static Node *parse_multi_select_list (Parser *p,
                                      gsize   offset);
static Node *parse_multi_select_hash (Parser *p,
                                      gsize   offset);

/* What may follow a '.': an identifier (or a function call), '*', or a
 * multi-select list or hash.  Not an index: "foo.[0]" is an error.
 */
static Node *
parse_dot_rhs (Parser *p,
               guint   rbp)
{
  Token *token = peek (p, 0);

  switch (token->kind)
    {
    case T_IDENTIFIER:
    case T_QUOTED_IDENTIFIER:
    case T_STAR:
      return parse_expression (p, rbp);

    case T_LBRACKET:
      advance (p);
      return parse_multi_select_list (p, token->start);

    case T_LBRACE:
      advance (p);
      return parse_multi_select_hash (p, token->start);

    default:
      unexpected (p, token, "an identifier, '*', '[' or '{' after '.'");
      return NULL;
    }
}

/* What follows a projection ('[*]', '.*', '[]', a slice, a filter):
 * nothing when the next token stops projections, else more of the
 * projected expression.
 */
static Node *
parse_projection_rhs (Parser *p,
                      guint   rbp)
{
  Token *token = peek (p, 0);

  if (binding_power[token->kind] < PROJECTION_STOP)
    return node_new (NODE_CURRENT, token->start, NULL, NULL);

  switch (token->kind)
    {
    case T_LBRACKET:
    case T_FILTER:
      return parse_expression (p, rbp);

    case T_DOT:
      advance (p);
      return parse_dot_rhs (p, rbp);

    default:
      unexpected (p, token, NULL);
      return NULL;
    }
}

static Node *
parse_multi_select_list (Parser *p,
                         gsize   offset)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  Node *node;

  for (;;)
    {
      Node *item = parse_expression (p, 0);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (items, item);

      if (peek (p, 0)->kind == T_RBRACKET)
        {
          advance (p);
          break;
        }
      if (!expect (p, T_COMMA, "',' or ']'"))
        return NULL;
    }

  node = node_new (NODE_MULTI_SELECT_LIST, offset, NULL, NULL);
  node->n_children = items->len;
  g_ptr_array_set_free_func (items, NULL);
  node->children = (Node **) g_ptr_array_free (g_steal_pointer (&items), FALSE);
  node_update_height (node);
  return node;
}

static Node *
parse_multi_select_hash (Parser *p,
                         gsize   offset)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  Node *node;

  for (;;)
    {
      Token *key = peek (p, 0);
      Node *value;

      if (key->kind != T_IDENTIFIER && key->kind != T_QUOTED_IDENTIFIER)
        {
          unexpected (p, key, "a key (an identifier)");
          return NULL;
        }
      advance (p);
      if (!expect (p, T_COLON, "':'"))
        return NULL;

      value = parse_expression (p, 0);
      if (value == NULL)
        return NULL;
      g_ptr_array_add (keys, g_strdup (key->text));
      g_ptr_array_add (values, value);

      if (peek (p, 0)->kind == T_RBRACE)
        {
          advance (p);
          break;
        }
      if (!expect (p, T_COMMA, "',' or '}'"))
        return NULL;
    }

  node = node_new (NODE_MULTI_SELECT_HASH, offset, NULL, NULL);
  node->n_children = values->len;
  g_ptr_array_set_free_func (values, NULL);
  node->children = (Node **) g_ptr_array_free (g_steal_pointer (&values), FALSE);
  g_ptr_array_add (keys, NULL);
  g_ptr_array_set_free_func (keys, NULL);
  node->keys = (char **) g_ptr_array_free (g_steal_pointer (&keys), FALSE);
  node_update_height (node);
  return node;
}

/* After '[' when a number or ':' follows: an index or a slice. */
static Node *
parse_index (Parser *p,
             gsize   offset)
{
  Node *node;

  if (peek (p, 0)->kind != T_COLON && peek (p, 1)->kind != T_COLON)
    {
      Token *number = peek (p, 0);

      if (!expect (p, T_NUMBER, "a number"))
        return NULL;
      node = node_new (NODE_INDEX, offset, NULL, NULL);
      node->index = number->number;
      if (!expect (p, T_RBRACKET, "']'"))
        {
          node_free (node);
          return NULL;
        }
      return node;
    }

  node = node_new (NODE_SLICE, offset, NULL, NULL);
  for (guint part = 0;;)
    {
      Token *token = peek (p, 0);

      if (token->kind == T_RBRACKET)
        {
          advance (p);
          return node;
        }
      if (token->kind == T_COLON && part < 2)
        {
          part++;
          advance (p);
        }
      else if (token->kind == T_NUMBER && !node->has_slice[part])
        {
          node->slice[part] = token->number;
          node->has_slice[part] = TRUE;
          advance (p);
        }
      else
        {
          unexpected (p, token, part < 2 ? "a number, ':' or ']'" : "a number or ']'");
          node_free (node);
          return NULL;
        }
    }
}

/* left[index] is a plain sub-expression; left[slice] projects. */
static Node *
project_if_slice (Parser *p,
                  Node   *left,
                  Node   *index)
{
  Node *node = node_new (NODE_SUBEXPRESSION, index->offset, left, index);
  Node *rhs;

  if (index->kind != NODE_SLICE)
    return node;

  rhs = parse_projection_rhs (p, binding_power[T_STAR]);
  if (rhs == NULL)
    {
      node_free (node);
      return NULL;
    }
  return node_new (NODE_PROJECTION, index->offset, node, rhs);
}

static Node *
parse_filter (Parser *p,
              Node   *left,
              gsize   offset)
{
  Node *condition;
  Node *rhs;
  Node *node;

  condition = parse_expression (p, 0);
  if (condition == NULL)
    goto fail;
  if (!expect (p, T_RBRACKET, "']'"))
    goto fail;
  rhs = parse_projection_rhs (p, binding_power[T_FILTER]);
  if (rhs == NULL)
    goto fail;

  node = node_new (NODE_FILTER_PROJECTION, offset, left, rhs);
  node->condition = condition;
  node_update_height (node);
  return node;

fail:
  node_free (left);
  node_free (condition);
  return NULL;
}

static Node *
parse_function_call (Parser *p,
                     Node   *name,
                     gsize   offset)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  const Function *function;
  Node *node;

  if (name->kind != NODE_FIELD)
    {
      syntax_error (p, offset, "'(' must follow a function name");
      node_free (name);
      return NULL;
    }

  if (peek (p, 0)->kind == T_RPAREN)
    advance (p);
  else
    for (;;)
      {
        Node *arg = parse_expression (p, 0);

        if (arg == NULL)
          {
            node_free (name);
            return NULL;
          }
        g_ptr_array_add (args, arg);

        if (peek (p, 0)->kind == T_RPAREN)
          {
            advance (p);
            break;
          }
        if (!expect (p, T_COMMA, "',' or ')'"))
          {
            node_free (name);
            return NULL;
          }
      }

  function = lookup_function (name->name);
  if (function == NULL)
    {
      if (p->error == NULL)
        p->error = g_error_new (WARD_JMESPATH_ERROR, WARD_JMESPATH_ERROR_UNKNOWN_FUNCTION,
                                "Unknown function %s() at column %u",
                                name->name, column_at (p->expression, name->offset));
      node_free (name);
      return NULL;
    }

  if (args->len < function->min_args
      || (function->max_args >= 0 && args->len > (guint) function->max_args))
    {
      g_autofree char *takes = NULL;

      if (function->max_args < 0)
        takes = g_strdup_printf ("at least %u argument%s", function->min_args,
                                 function->min_args == 1 ? "" : "s");
      else
        takes = g_strdup_printf ("%u argument%s", function->min_args,
                                 function->min_args == 1 ? "" : "s");
      if (p->error == NULL)
        p->error = g_error_new (WARD_JMESPATH_ERROR, WARD_JMESPATH_ERROR_INVALID_ARITY,
                                "Invalid arity: %s() takes %s but was given %u (column %u)",
                                function->name, takes, args->len,
                                column_at (p->expression, name->offset));
      node_free (name);
      return NULL;
    }

  node = node_new (NODE_FUNCTION, name->offset, NULL, NULL);
  node->function = function;
  node->n_children = args->len;
  g_ptr_array_set_free_func (args, NULL);
  node->children = (Node **) g_ptr_array_free (g_steal_pointer (&args), FALSE);
  node_update_height (node);
  node_free (name);
  return node;
}

static Node *
nud (Parser *p,
     Token  *token)
{
  Node *node;
  Node *rhs;

  switch (token->kind)
    {
    case T_LITERAL:
      node = node_new (NODE_LITERAL, token->start, NULL, NULL);
      node->literal = g_steal_pointer (&token->literal);
      json_node_seal (node->literal);
      return node;

    case T_IDENTIFIER:
      node = node_new (NODE_FIELD, token->start, NULL, NULL);
      node->name = g_strdup (token->text);
      return node;

    case T_QUOTED_IDENTIFIER:
      if (peek (p, 0)->kind == T_LPAREN)
        {
          syntax_error (p, token->start, "a function name cannot be a quoted identifier");
          return NULL;
        }
      node = node_new (NODE_FIELD, token->start, NULL, NULL);
      node->name = g_strdup (token->text);
      return node;

    case T_CURRENT:
      return node_new (NODE_CURRENT, token->start, NULL, NULL);

    case T_STAR:
      rhs = parse_projection_rhs (p, binding_power[T_STAR]);
      if (rhs == NULL)
        return NULL;
      return node_new (NODE_VALUE_PROJECTION, token->start,
                       node_new (NODE_CURRENT, token->start, NULL, NULL), rhs);

    case T_FLATTEN:
      rhs = parse_projection_rhs (p, binding_power[T_FLATTEN]);
      if (rhs == NULL)
        return NULL;
      node = node_new (NODE_FLATTEN, token->start,
                       node_new (NODE_CURRENT, token->start, NULL, NULL), NULL);
      return node_new (NODE_PROJECTION, token->start, node, rhs);

    case T_FILTER:
      return parse_filter (p, node_new (NODE_CURRENT, token->start, NULL, NULL), token->start);

    case T_LBRACE:
      return parse_multi_select_hash (p, token->start);

    case T_LPAREN:
      node = parse_expression (p, 0);
      if (node == NULL)
        return NULL;
      if (!expect (p, T_RPAREN, "')'"))
        {
          node_free (node);
          return NULL;
        }
      return node;

    case T_NOT:
      node = parse_expression (p, binding_power[T_NOT]);
      if (node == NULL)
        return NULL;
      return node_new (NODE_NOT, token->start, node, NULL);

    case T_EXPREF:
      node = parse_expression (p, 0);
      if (node == NULL)
        return NULL;
      return node_new (NODE_EXPREF, token->start, node, NULL);

    case T_LBRACKET:
      {
        TokenKind next = peek (p, 0)->kind;

        if (next == T_NUMBER || next == T_COLON)
          {
            Node *index = parse_index (p, token->start);

            if (index == NULL)
              return NULL;
            return project_if_slice (p, node_new (NODE_CURRENT, token->start, NULL, NULL), index);
          }
        if (next == T_STAR && peek (p, 1)->kind == T_RBRACKET)
          {
            advance (p);
            advance (p);
            rhs = parse_projection_rhs (p, binding_power[T_STAR]);
            if (rhs == NULL)
              return NULL;
            return node_new (NODE_PROJECTION, token->start,
                             node_new (NODE_CURRENT, token->start, NULL, NULL), rhs);
          }
        return parse_multi_select_list (p, token->start);
      }

    case T_EOF:
    case T_NUMBER:
    case T_DOT:
    case T_RBRACKET:
    case T_RBRACE:
    case T_RPAREN:
    case T_COMMA:
    case T_COLON:
    case T_PIPE:
    case T_OR:
    case T_AND:
    case T_EQ:
    case T_NE:
    case T_LT:
    case T_LE:
    case T_GT:
    case T_GE:
    case N_TOKEN_KINDS:
    default:
      unexpected (p, token, NULL);
      return NULL;
    }
}

static Node *
led (Parser *p,
     Token  *token,
     Node   *left)
{
  Node *right;
  Node *node;

  switch (token->kind)
    {
    case T_DOT:
      if (peek (p, 0)->kind == T_STAR)
        {
          advance (p);
          right = parse_projection_rhs (p, binding_power[T_DOT]);
          if (right == NULL)
            break;
          return node_new (NODE_VALUE_PROJECTION, token->start, left, right);
        }
      right = parse_dot_rhs (p, binding_power[T_DOT]);
      if (right == NULL)
        break;
      return node_new (NODE_SUBEXPRESSION, token->start, left, right);

    case T_PIPE:
    case T_OR:
    case T_AND:
      right = parse_expression (p, binding_power[token->kind]);
      if (right == NULL)
        break;
      return node_new (token->kind == T_PIPE ? NODE_PIPE
                       : token->kind == T_OR ? NODE_OR
                       : NODE_AND,
                       token->start, left, right);

    case T_EQ:
    case T_NE:
    case T_LT:
    case T_LE:
    case T_GT:
    case T_GE:
      right = parse_expression (p, binding_power[token->kind]);
      if (right == NULL)
        break;
      node = node_new (NODE_COMPARE, token->start, left, right);
      node->op = token->kind == T_EQ ? CMP_EQ
               : token->kind == T_NE ? CMP_NE
               : token->kind == T_LT ? CMP_LT
               : token->kind == T_LE ? CMP_LE
               : token->kind == T_GT ? CMP_GT
               : CMP_GE;
      return node;

    case T_LPAREN:
      return parse_function_call (p, left, token->start);

    case T_FILTER:
      return parse_filter (p, left, token->start);

    case T_FLATTEN:
      right = parse_projection_rhs (p, binding_power[T_FLATTEN]);
      if (right == NULL)
        break;
      return node_new (NODE_PROJECTION, token->start,
                       node_new (NODE_FLATTEN, token->start, left, NULL), right);

    case T_LBRACKET:
      {
        TokenKind next = peek (p, 0)->kind;

        if (next == T_NUMBER || next == T_COLON)
          {
            Node *index = parse_index (p, token->start);

            if (index == NULL)
              break;
            return project_if_slice (p, left, index);
          }
        if (!expect (p, T_STAR, "a number, ':' or '*'")
            || !expect (p, T_RBRACKET, "']'"))
          break;
        right = parse_projection_rhs (p, binding_power[T_STAR]);
        if (right == NULL)
          break;
        return node_new (NODE_PROJECTION, token->start, left, right);
      }

    case T_EOF:
    case T_IDENTIFIER:
    case T_QUOTED_IDENTIFIER:
    case T_LITERAL:
    case T_NUMBER:
    case T_STAR:
    case T_RBRACKET:
    case T_LBRACE:
    case T_RBRACE:
    case T_RPAREN:
    case T_COMMA:
    case T_COLON:
    case T_NOT:
    case T_EXPREF:
    case T_CURRENT:
    case N_TOKEN_KINDS:
    default:
      unexpected (p, token, NULL);
      break;
    }

  node_free (left);
  return NULL;
}

static Node *
parse_expression (Parser *p,
                  guint   rbp)
{
  Token *token;
  Node *left;

  if (p->depth >= MAX_NESTING)
    {
      syntax_error (p, peek (p, 0)->start, "the expression is nested too deeply");
      return NULL;
    }
  p->depth++;

  token = advance (p);
  left = nud (p, token);

  while (left != NULL && rbp < binding_power[peek (p, 0)->kind])
    {
      if (left->height > MAX_TREE_HEIGHT)
        {
          syntax_error (p, token->start, "the expression is nested too deeply");
          node_free (left);
          left = NULL;
          break;
        }
      token = advance (p);
      left = led (p, token, left);
    }

  if (left != NULL && left->height > MAX_TREE_HEIGHT)
    {
      syntax_error (p, token->start, "the expression is nested too deeply");
      g_clear_pointer (&left, node_free);
    }

  p->depth--;
  return left;
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */
/* ------------------------------------------------------------------ */

static gboolean
add_element (Eval      *ev,
             JsonArray *array,
             JsonNode  *node)
{
  json_array_add_element (array, node);
  return charge (ev, 1);
}

static gint64
slice_bound (gboolean has_value,
             gint64   value,
             gint64   len,
             gint64   step,
             gboolean is_start)
{
  if (!has_value)
    {
      if (is_start)
        return step < 0 ? len - 1 : 0;
      return step < 0 ? -1 : len;
    }

  if (value < 0)
    {
      value += len;
      if (value < 0)
        value = step < 0 ? -1 : 0;
    }
  else if (value >= len)
    value = step < 0 ? len - 1 : len;

  return value;
}

static JsonNode *
eval_slice (Eval       *ev,
            const Node *node,
            JsonNode   *current)
{
  JsonArray *array;
  JsonArray *result;
  gint64 len, start, stop, step, count;

  step = node->has_slice[2] ? node->slice[2] : 1;
  if (step == 0)
    {
      eval_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
                  "Invalid value: a slice step cannot be 0 (column %u)",
                  column_at (ev->expression, node->offset));
      return NULL;
    }

  if (value_kind (current) != VALUE_ARRAY)
    return make_null ();

  if (step < -G_MAXINT64)
    step = -G_MAXINT64;

  array = json_node_get_array (current);
  len = json_array_get_length (array);
  start = slice_bound (node->has_slice[0], node->slice[0], len, step, TRUE);
  stop = slice_bound (node->has_slice[1], node->slice[1], len, step, FALSE);

  /* Counted so that neither a huge step nor the bounds can overflow. */
  if (step > 0 && stop > start)
    count = (stop - start - 1) / step + 1;
  else if (step < 0 && start > stop)
    count = (start - stop - 1) / -step + 1;
  else
    count = 0;

  result = json_array_sized_new ((guint) count);
  for (gint64 k = 0; k < count; k++)
    {
      JsonNode *element = json_array_get_element (array, (guint) (start + k * step));

      if (!add_element (ev, result, json_node_ref (element)))
        {
          json_array_unref (result);
          return NULL;
        }
    }

  return make_array_take (result);
}

/* left, then right on each element (or value), nulls left out. */
static JsonNode *
eval_projection (Eval       *ev,
                 const Node *node,
                 JsonNode   *current)
{
  g_autoptr(JsonNode) base = NULL;
  g_autoptr(GList) values = NULL;
  JsonArray *result;
  guint n;

  base = eval (ev, node->left, current);
  if (base == NULL)
    return NULL;

  if (node->kind == NODE_VALUE_PROJECTION)
    {
      if (value_kind (base) != VALUE_OBJECT)
        return make_null ();
      values = json_object_get_values (json_node_get_object (base));
      n = g_list_length (values);
    }
  else
    {
      if (value_kind (base) != VALUE_ARRAY)
        return make_null ();
      n = json_array_get_length (json_node_get_array (base));
    }

  result = json_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element;
      JsonNode *value;

      if (node->kind == NODE_VALUE_PROJECTION)
        {
          element = values->data;
          values = g_list_delete_link (values, values);
        }
      else
        element = json_array_get_element (json_node_get_array (base), i);

      if (node->kind == NODE_FILTER_PROJECTION)
        {
          JsonNode *test = eval (ev, node->condition, element);
          gboolean keep;

          if (test == NULL)
            goto fail;
          keep = is_truthy (test);
          json_node_unref (test);
          if (!keep)
            continue;
        }

      value = eval (ev, node->right, element);
      if (value == NULL)
        goto fail;
      if (value_kind (value) == VALUE_NULL)
        json_node_unref (value);
      else if (!add_element (ev, result, value))
        goto fail;
    }

  return make_array_take (result);

fail:
  json_array_unref (result);
  return NULL;
}

static JsonNode *
eval_flatten (Eval       *ev,
              const Node *node,
              JsonNode   *current)
{
  g_autoptr(JsonNode) base = NULL;
  JsonArray *array;
  JsonArray *result;
  guint n;

  base = eval (ev, node->left, current);
  if (base == NULL)
    return NULL;
  if (value_kind (base) != VALUE_ARRAY)
    return make_null ();

  array = json_node_get_array (base);
  n = json_array_get_length (array);
  result = json_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (value_kind (element) == VALUE_ARRAY)
        {
          JsonArray *inner = json_node_get_array (element);
          guint m = json_array_get_length (inner);

          for (guint j = 0; j < m; j++)
            if (!add_element (ev, result, json_node_ref (json_array_get_element (inner, j))))
              goto fail;
        }
      else if (!add_element (ev, result, json_node_ref (element)))
        goto fail;
    }

  return make_array_take (result);

fail:
  json_array_unref (result);
  return NULL;
}

static JsonNode *
eval_multi_select (Eval       *ev,
                   const Node *node,
                   JsonNode   *current)
{
  JsonArray *list = NULL;
  JsonObject *hash = NULL;

  if (value_kind (current) == VALUE_NULL)
    return make_null ();

  if (node->kind == NODE_MULTI_SELECT_LIST)
    list = json_array_sized_new (node->n_children);
  else
    hash = json_object_new ();

  for (guint i = 0; i < node->n_children; i++)
    {
      JsonNode *value = eval (ev, node->children[i], current);

      if (value == NULL)
        goto fail;
      if (list != NULL)
        json_array_add_element (list, value);
      else
        json_object_set_member (hash, node->keys[i], value);
    }

  return list != NULL ? make_array_take (list) : make_object_take (hash);

fail:
  if (list != NULL)
    json_array_unref (list);
  if (hash != NULL)
    json_object_unref (hash);
  return NULL;
}

static JsonNode *
eval_compare (Eval       *ev,
              const Node *node,
              JsonNode   *current)
{
  g_autoptr(JsonNode) left = NULL;
  g_autoptr(JsonNode) right = NULL;
  int r;

  left = eval (ev, node->left, current);
  if (left == NULL)
    return NULL;
  right = eval (ev, node->right, current);
  if (right == NULL)
    return NULL;

  if (node->op == CMP_EQ || node->op == CMP_NE)
    {
      r = values_equal (ev, left, right);
      if (r < 0)
        return NULL;
      return make_boolean (node->op == CMP_EQ ? r == 1 : r == 0);
    }

  /* Only numbers are ordered; anything else compares to null. */
  if (value_kind (left) != VALUE_NUMBER || value_kind (right) != VALUE_NUMBER)
    return make_null ();

  r = compare_numbers (left, right);
  switch (node->op)
    {
    case CMP_LT:
      return make_boolean (r < 0);
    case CMP_LE:
      return make_boolean (r <= 0);
    case CMP_GT:
      return make_boolean (r > 0);
    case CMP_GE:
      return make_boolean (r >= 0);
    case CMP_EQ:
    case CMP_NE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean check_arguments (Eval            *ev,
                                 const Function  *fn,
                                 Arg             *args,
                                 guint            n_args);

static JsonNode *
eval_function (Eval       *ev,
               const Node *node,
               JsonNode   *current)
{
  const Function *fn = node->function;
  Arg *args = g_new0 (Arg, MAX (node->n_children, 1));
  JsonNode *result = NULL;
  guint n_done = 0;

  for (; n_done < node->n_children; n_done++)
    {
      const Node *child = node->children[n_done];

      if (child->kind == NODE_EXPREF)
        args[n_done].expref = child->left;
      else
        {
          args[n_done].value = eval (ev, child, current);
          if (args[n_done].value == NULL)
            goto out;
        }
    }

  /* Saved and restored: the arguments and exprefs may call functions. */
  {
    gsize saved_offset = ev->call_offset;

    ev->call_offset = node->offset;
    if (check_arguments (ev, fn, args, node->n_children))
      result = fn->call (ev, fn, args, node->n_children);
    ev->call_offset = saved_offset;
  }

out:
  for (guint i = 0; i < n_done; i++)
    g_clear_pointer (&args[i].value, json_node_unref);
  g_free (args);
  return result;
}

/* Returns a new reference, or NULL with ev->failed set. */
static JsonNode *
eval (Eval       *ev,
      const Node *node,
      JsonNode   *current)
{
  if (!charge (ev, 1))
    return NULL;

  switch (node->kind)
    {
    case NODE_CURRENT:
      return json_node_ref (current);

    case NODE_FIELD:
      if (value_kind (current) == VALUE_OBJECT)
        {
          JsonNode *member = json_object_get_member (json_node_get_object (current), node->name);

          if (member != NULL)
            return json_node_ref (member);
        }
      return make_null ();

    case NODE_LITERAL:
      return json_node_ref (node->literal);

    case NODE_SUBEXPRESSION:
    case NODE_PIPE:
      {
        g_autoptr(JsonNode) left = eval (ev, node->left, current);

        if (left == NULL)
          return NULL;
        return eval (ev, node->right, left);
      }

    case NODE_INDEX:
      if (value_kind (current) == VALUE_ARRAY)
        {
          JsonArray *array = json_node_get_array (current);
          gint64 len = json_array_get_length (array);
          gint64 index = node->index < 0 ? node->index + len : node->index;

          if (index >= 0 && index < len)
            return json_node_ref (json_array_get_element (array, (guint) index));
        }
      return make_null ();

    case NODE_SLICE:
      return eval_slice (ev, node, current);

    case NODE_PROJECTION:
    case NODE_VALUE_PROJECTION:
    case NODE_FILTER_PROJECTION:
      return eval_projection (ev, node, current);

    case NODE_FLATTEN:
      return eval_flatten (ev, node, current);

    case NODE_MULTI_SELECT_LIST:
    case NODE_MULTI_SELECT_HASH:
      return eval_multi_select (ev, node, current);

    case NODE_OR:
    case NODE_AND:
      {
        JsonNode *left = eval (ev, node->left, current);

        if (left == NULL)
          return NULL;
        if (is_truthy (left) == (node->kind == NODE_OR))
          return left;
        json_node_unref (left);
        return eval (ev, node->right, current);
      }

    case NODE_NOT:
      {
        g_autoptr(JsonNode) value = eval (ev, node->left, current);

        if (value == NULL)
          return NULL;
        return make_boolean (!is_truthy (value));
      }

    case NODE_COMPARE:
      return eval_compare (ev, node, current);

    case NODE_FUNCTION:
      return eval_function (ev, node, current);

    case NODE_EXPREF:
      eval_error (ev, WARD_JMESPATH_ERROR_INVALID_TYPE,
                  "Invalid type: an expression reference (&) can only be a function argument "
                  "(column %u)", column_at (ev->expression, node->offset));
      return NULL;

    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* Functions                                                           */
/* ------------------------------------------------------------------ */

static char *
describe_types (guint types)
{
  static const struct { guint bit; const char *name; } names[] = {
    { ARG_NUMBER, "a number" },
    { ARG_STRING, "a string" },
    { ARG_BOOLEAN, "a boolean" },
    { ARG_ARRAY, "an array" },
    { ARG_OBJECT, "an object" },
    { ARG_NULL, "null" },
    { ARG_ARRAY_NUMBER, "an array of numbers" },
    { ARG_ARRAY_STRING, "an array of strings" },
    { ARG_EXPREF, "an expression reference (&expr)" },
  };
  GString *out = g_string_new (NULL);

  if ((types & ARG_ANY) == ARG_ANY)
    return g_string_free (out, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (types & names[i].bit)
      {
        if (out->len > 0)
          g_string_append (out, " or ");
        g_string_append (out, names[i].name);
      }

  return g_string_free (out, FALSE);
}

static gboolean
array_all_of (JsonNode  *node,
              ValueKind  kind)
{
  JsonArray *array = json_node_get_array (node);
  guint n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    if (value_kind (json_array_get_element (array, i)) != kind)
      return FALSE;
  return TRUE;
}

static gboolean
check_arguments (Eval           *ev,
                 const Function *fn,
                 Arg            *args,
                 guint           n_args)
{
  for (guint i = 0; i < n_args; i++)
    {
      guint slot = MIN (i, G_N_ELEMENTS (fn->types) - 1);
      guint types;
      ValueKind kind;
      gboolean ok;

      if (fn->max_args < 0 && i >= fn->min_args)
        slot = MIN (fn->min_args - 1, slot);
      types = fn->types[slot];

      if (args[i].expref != NULL)
        ok = (types & ARG_EXPREF) != 0;
      else
        {
          kind = value_kind (args[i].value);
          switch (kind)
            {
            case VALUE_NULL:
              ok = (types & ARG_NULL) != 0;
              break;
            case VALUE_BOOLEAN:
              ok = (types & ARG_BOOLEAN) != 0;
              break;
            case VALUE_NUMBER:
              ok = (types & ARG_NUMBER) != 0;
              break;
            case VALUE_STRING:
              ok = (types & ARG_STRING) != 0;
              break;
            case VALUE_OBJECT:
              ok = (types & ARG_OBJECT) != 0;
              break;
            case VALUE_ARRAY:
              ok = (types & ARG_ARRAY) != 0
                   || ((types & ARG_ARRAY_NUMBER) && array_all_of (args[i].value, VALUE_NUMBER))
                   || ((types & ARG_ARRAY_STRING) && array_all_of (args[i].value, VALUE_STRING));
              break;
            default:
              g_assert_not_reached ();
            }
        }

      if (!ok)
        {
          g_autofree char *expected = describe_types (types);
          const char *got = args[i].expref != NULL ? "an expression reference"
                                                    : value_kind_name (value_kind (args[i].value));

          if (args[i].expref == NULL && value_kind (args[i].value) == VALUE_ARRAY)
            got = "an array with other elements";

          call_error (ev, WARD_JMESPATH_ERROR_INVALID_TYPE,
                      "Invalid type: %s() argument %u must be %s, got %s",
                      fn->name, i + 1, expected, got);
          return FALSE;
        }
    }

  return TRUE;
}

/* The value of &expr for each element of array, checked to be all
 * numbers or all strings (the keys of sort_by, max_by and min_by).
 */
static GPtrArray *
eval_keys (Eval            *ev,
           const Function  *fn,
           const Node      *expref,
           JsonArray       *array)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  guint n = json_array_get_length (array);
  ValueKind first = VALUE_NULL;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *key = eval (ev, expref, json_array_get_element (array, i));
      ValueKind kind;

      if (key == NULL)
        return NULL;
      g_ptr_array_add (keys, key);

      kind = value_kind (key);
      if (i == 0)
        first = kind;
      if ((kind != VALUE_NUMBER && kind != VALUE_STRING) || kind != first)
        {
          call_error (ev, WARD_JMESPATH_ERROR_INVALID_TYPE,
                      "Invalid type: the expression of %s() must give all numbers or all strings, "
                      "got %s%s%s", fn->name, value_kind_name (kind),
                      kind == VALUE_NUMBER || kind == VALUE_STRING ? " after " : "",
                      kind == VALUE_NUMBER || kind == VALUE_STRING ? value_kind_name (first) : "");
          return NULL;
        }
    }

  return g_steal_pointer (&keys);
}

static int
compare_values (JsonNode *a,
                JsonNode *b)
{
  if (value_kind (a) == VALUE_NUMBER)
    return compare_numbers (a, b);
  return compare_strings (a, b);
}

static JsonNode *
fn_abs (Eval           *ev G_GNUC_UNUSED,
        const Function *fn G_GNUC_UNUSED,
        Arg            *args,
        guint           n_args G_GNUC_UNUSED)
{
  JsonNode *value = args[0].value;

  if (is_integer (value))
    {
      gint64 i = json_node_get_int (value);

      if (i == G_MININT64)
        return make_double (9223372036854775808.0);
      return make_int (i < 0 ? -i : i);
    }
  return make_double (fabs (json_node_get_double (value)));
}

/* Integers are added exactly until they overflow, then in double. */
static JsonNode *
sum_array (JsonArray *array)
{
  guint n = json_array_get_length (array);
  gboolean exact = TRUE;
  gint64 total = 0;
  double dtotal = 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gint64 next;

      if (exact && is_integer (element)
          && !__builtin_add_overflow (total, json_node_get_int (element), &next))
        {
          total = next;
          continue;
        }

      if (exact)
        {
          exact = FALSE;
          dtotal = (double) total;
        }
      dtotal += number_as_double (element);
    }

  return exact ? make_int (total) : make_double (dtotal);
}

static JsonNode *
fn_sum (Eval           *ev G_GNUC_UNUSED,
        const Function *fn G_GNUC_UNUSED,
        Arg            *args,
        guint           n_args G_GNUC_UNUSED)
{
  return sum_array (json_node_get_array (args[0].value));
}

static JsonNode *
fn_avg (Eval           *ev G_GNUC_UNUSED,
        const Function *fn G_GNUC_UNUSED,
        Arg            *args,
        guint           n_args G_GNUC_UNUSED)
{
  JsonArray *array = json_node_get_array (args[0].value);
  guint n = json_array_get_length (array);
  g_autoptr(JsonNode) total = NULL;

  if (n == 0)
    return make_null ();

  total = sum_array (array);
  return make_double (number_as_double (total) / n);
}

static JsonNode *
fn_ceil_floor (Eval           *ev G_GNUC_UNUSED,
               const Function *fn,
               Arg            *args,
               guint           n_args G_GNUC_UNUSED)
{
  JsonNode *value = args[0].value;
  double d;

  if (is_integer (value))
    return json_node_ref (value);

  d = json_node_get_double (value);
  return make_whole_number (fn->variant == 'c' ? ceil (d) : floor (d));
}

static JsonNode *
fn_contains (Eval           *ev,
             const Function *fn G_GNUC_UNUSED,
             Arg            *args,
             guint           n_args G_GNUC_UNUSED)
{
  JsonNode *subject = args[0].value;
  JsonNode *search = args[1].value;

  if (value_kind (subject) == VALUE_STRING)
    {
      if (value_kind (search) != VALUE_STRING)
        return make_boolean (FALSE);
      return make_boolean (strstr (value_string (subject), value_string (search)) != NULL);
    }
  else
    {
      JsonArray *array = json_node_get_array (subject);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          int r = values_equal (ev, json_array_get_element (array, i), search);

          if (r < 0)
            return NULL;
          if (r == 1)
            return make_boolean (TRUE);
        }
      return make_boolean (FALSE);
    }
}

static JsonNode *
fn_starts_with (Eval           *ev G_GNUC_UNUSED,
                const Function *fn G_GNUC_UNUSED,
                Arg            *args,
                guint           n_args G_GNUC_UNUSED)
{
  return make_boolean (g_str_has_prefix (value_string (args[0].value),
                                         value_string (args[1].value)));
}

static JsonNode *
fn_ends_with (Eval           *ev G_GNUC_UNUSED,
              const Function *fn G_GNUC_UNUSED,
              Arg            *args,
              guint           n_args G_GNUC_UNUSED)
{
  return make_boolean (g_str_has_suffix (value_string (args[0].value),
                                         value_string (args[1].value)));
}

static JsonNode *
fn_join (Eval           *ev,
         const Function *fn G_GNUC_UNUSED,
         Arg            *args,
         guint           n_args G_GNUC_UNUSED)
{
  const char *glue = value_string (args[0].value);
  JsonArray *array = json_node_get_array (args[1].value);
  guint n = json_array_get_length (array);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, glue);
      g_string_append (out, value_string (json_array_get_element (array, i)));
      if (!charge (ev, 1) || !charge_text (ev, out->len / (i + 1)))
        {
          g_string_free (out, TRUE);
          return NULL;
        }
    }

  return make_string_take (g_string_free (out, FALSE));
}

static JsonNode *
fn_keys_values (Eval           *ev,
                const Function *fn,
                Arg            *args,
                guint           n_args G_GNUC_UNUSED)
{
  gboolean keys = fn->variant == 'k';
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  JsonArray *result = json_array_new ();

  json_object_iter_init_ordered (&iter, json_node_get_object (args[0].value));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    if (!charge_text (ev, keys ? strlen (name) : 0)
        || !add_element (ev, result, keys ? make_string (name) : json_node_ref (member)))
      {
        json_array_unref (result);
        return NULL;
      }

  return make_array_take (result);
}

static JsonNode *
fn_length (Eval           *ev G_GNUC_UNUSED,
           const Function *fn G_GNUC_UNUSED,
           Arg            *args,
           guint           n_args G_GNUC_UNUSED)
{
  JsonNode *value = args[0].value;

  switch (value_kind (value))
    {
    case VALUE_STRING:
      {
        const char *s = value_string (value);

        /* Strings from json-glib are valid UTF-8; count bytes of
         * anything else rather than read past the end.
         */
        if (!g_utf8_validate (s, -1, NULL))
          return make_int ((gint64) strlen (s));
        return make_int (g_utf8_strlen (s, -1));
      }
    case VALUE_ARRAY:
      return make_int (json_array_get_length (json_node_get_array (value)));
    case VALUE_OBJECT:
      return make_int (json_object_get_size (json_node_get_object (value)));
    case VALUE_NULL:
    case VALUE_BOOLEAN:
    case VALUE_NUMBER:
    default:
      g_assert_not_reached ();
    }
}

static JsonNode *
fn_map (Eval           *ev,
        const Function *fn G_GNUC_UNUSED,
        Arg            *args,
        guint           n_args G_GNUC_UNUSED)
{
  JsonArray *array = json_node_get_array (args[1].value);
  guint n = json_array_get_length (array);
  JsonArray *result = json_array_sized_new (n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *value = eval (ev, args[0].expref, json_array_get_element (array, i));

      if (value == NULL || !add_element (ev, result, value))
        {
          json_array_unref (result);
          return NULL;
        }
    }

  return make_array_take (result);
}

static JsonNode *
fn_max_min (Eval           *ev G_GNUC_UNUSED,
            const Function *fn,
            Arg            *args,
            guint           n_args G_GNUC_UNUSED)
{
  gboolean is_max = fn->variant == '>';
  JsonArray *array = json_node_get_array (args[0].value);
  guint n = json_array_get_length (array);
  JsonNode *best = NULL;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      int r;

      if (best == NULL)
        {
          best = element;
          continue;
        }
      r = compare_values (element, best);
      if (is_max ? r > 0 : r < 0)
        best = element;
    }

  return best != NULL ? json_node_ref (best) : make_null ();
}

static JsonNode *
fn_max_min_by (Eval           *ev,
               const Function *fn,
               Arg            *args,
               guint           n_args G_GNUC_UNUSED)
{
  gboolean is_max = fn->variant == '>';
  JsonArray *array = json_node_get_array (args[0].value);
  g_autoptr(GPtrArray) keys = NULL;
  guint best = 0;

  keys = eval_keys (ev, fn, args[1].expref, array);
  if (keys == NULL)
    return NULL;
  if (keys->len == 0)
    return make_null ();

  for (guint i = 1; i < keys->len; i++)
    {
      int r = compare_values (keys->pdata[i], keys->pdata[best]);

      if (is_max ? r > 0 : r < 0)
        best = i;
    }

  return json_node_ref (json_array_get_element (array, best));
}

static JsonNode *
fn_merge (Eval           *ev,
          const Function *fn G_GNUC_UNUSED,
          Arg            *args,
          guint           n_args)
{
  JsonObject *result = json_object_new ();

  for (guint i = 0; i < n_args; i++)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (args[i].value));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          json_object_set_member (result, name, json_node_ref (member));
          if (!charge (ev, 1))
            {
              json_object_unref (result);
              return NULL;
            }
        }
    }

  return make_object_take (result);
}

static JsonNode *
fn_not_null (Eval           *ev G_GNUC_UNUSED,
             const Function *fn G_GNUC_UNUSED,
             Arg            *args,
             guint           n_args)
{
  for (guint i = 0; i < n_args; i++)
    if (value_kind (args[i].value) != VALUE_NULL)
      return json_node_ref (args[i].value);
  return make_null ();
}

static JsonNode *
fn_reverse (Eval           *ev,
            const Function *fn G_GNUC_UNUSED,
            Arg            *args,
            guint           n_args G_GNUC_UNUSED)
{
  JsonNode *value = args[0].value;

  if (value_kind (value) == VALUE_STRING)
    {
      const char *s = value_string (value);

      if (!g_utf8_validate (s, -1, NULL))
        {
          call_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
                      "Invalid value: reverse() of a string that is not UTF-8");
          return NULL;
        }
      if (!charge_text (ev, strlen (s)))
        return NULL;
      return make_string_take (g_utf8_strreverse (s, -1));
    }
  else
    {
      JsonArray *array = json_node_get_array (value);
      guint n = json_array_get_length (array);
      JsonArray *result = json_array_sized_new (n);

      for (guint i = n; i > 0; i--)
        if (!add_element (ev, result, json_node_ref (json_array_get_element (array, i - 1))))
          {
            json_array_unref (result);
            return NULL;
          }
      return make_array_take (result);
    }
}

static int
compare_values_cb (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data G_GNUC_UNUSED)
{
  return compare_values (*(JsonNode **) a, *(JsonNode **) b);
}

typedef struct
{
  JsonNode *key;
  JsonNode *element;
} SortPair;

static int
compare_pairs_cb (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data G_GNUC_UNUSED)
{
  return compare_values (((const SortPair *) a)->key, ((const SortPair *) b)->key);
}

static JsonNode *
fn_sort (Eval           *ev,
         const Function *fn G_GNUC_UNUSED,
         Arg            *args,
         guint           n_args G_GNUC_UNUSED)
{
  JsonArray *array = json_node_get_array (args[0].value);
  guint n = json_array_get_length (array);
  g_autofree JsonNode **elements = g_new (JsonNode *, MAX (n, 1));
  JsonArray *result;

  if (!charge (ev, n))
    return NULL;

  for (guint i = 0; i < n; i++)
    elements[i] = json_array_get_element (array, i);
  /* Elements are all numbers or all strings (checked); g_qsort_with_data
   * is a stable merge sort.
   */
  g_qsort_with_data (elements, (gint) n, sizeof (JsonNode *),
                     compare_values_cb, NULL);

  result = json_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    json_array_add_element (result, json_node_ref (elements[i]));
  return make_array_take (result);
}

static JsonNode *
fn_sort_by (Eval           *ev,
            const Function *fn,
            Arg            *args,
            guint           n_args G_GNUC_UNUSED)
{
  JsonArray *array = json_node_get_array (args[0].value);
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree SortPair *pairs = NULL;
  JsonArray *result;

  keys = eval_keys (ev, fn, args[1].expref, array);
  if (keys == NULL)
    return NULL;
  if (!charge (ev, keys->len))
    return NULL;

  pairs = g_new (SortPair, MAX (keys->len, 1));
  for (guint i = 0; i < keys->len; i++)
    {
      pairs[i].key = keys->pdata[i];
      pairs[i].element = json_array_get_element (array, i);
    }
  g_qsort_with_data (pairs, (gint) keys->len, sizeof (SortPair),
                     compare_pairs_cb, NULL);

  result = json_array_sized_new (keys->len);
  for (guint i = 0; i < keys->len; i++)
    json_array_add_element (result, json_node_ref (pairs[i].element));
  return make_array_take (result);
}

static JsonNode *
fn_to_array (Eval           *ev G_GNUC_UNUSED,
             const Function *fn G_GNUC_UNUSED,
             Arg            *args,
             guint           n_args G_GNUC_UNUSED)
{
  JsonArray *result;

  if (value_kind (args[0].value) == VALUE_ARRAY)
    return json_node_ref (args[0].value);

  result = json_array_sized_new (1);
  json_array_add_element (result, json_node_ref (args[0].value));
  return make_array_take (result);
}

static JsonNode *
fn_to_string (Eval           *ev,
              const Function *fn G_GNUC_UNUSED,
              Arg            *args,
              guint           n_args G_GNUC_UNUSED)
{
  GString *out;

  if (value_kind (args[0].value) == VALUE_STRING)
    return json_node_ref (args[0].value);

  out = g_string_new (NULL);
  if (!write_json (ev, out, args[0].value))
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return make_string_take (g_string_free (out, FALSE));
}

static JsonNode *
fn_to_number (Eval           *ev G_GNUC_UNUSED,
              const Function *fn G_GNUC_UNUSED,
              Arg            *args,
              guint           n_args G_GNUC_UNUSED)
{
  JsonNode *value = args[0].value;

  switch (value_kind (value))
    {
    case VALUE_NUMBER:
      return json_node_ref (value);

    case VALUE_STRING:
      {
        /* Only text that is a JSON number, without blanks around it. */
        const char *s = value_string (value);
        gsize len = strlen (s);
        JsonNode *number;

        if (len == 0 || (s[0] != '-' && !g_ascii_isdigit (s[0])) || !g_ascii_isdigit (s[len - 1]))
          return make_null ();
        number = parse_json (s, len);
        if (number == NULL || value_kind (number) != VALUE_NUMBER)
          {
            g_clear_pointer (&number, json_node_unref);
            return make_null ();
          }
        return number;
      }

    case VALUE_NULL:
    case VALUE_BOOLEAN:
    case VALUE_ARRAY:
    case VALUE_OBJECT:
    default:
      return make_null ();
    }
}

static JsonNode *
fn_type (Eval           *ev G_GNUC_UNUSED,
         const Function *fn G_GNUC_UNUSED,
         Arg            *args,
         guint           n_args G_GNUC_UNUSED)
{
  return make_string (value_kind_name (value_kind (args[0].value)));
}

/* IoMT arithmetic: integers stay integers while exact and in range. */
static JsonNode *
fn_arithmetic (Eval           *ev,
               const Function *fn,
               Arg            *args,
               guint           n_args G_GNUC_UNUSED)
{
  JsonNode *a = args[0].value;
  JsonNode *b = args[1].value;
  char op = fn->variant;
  double x, y, r;

  if (is_integer (a) && is_integer (b))
    {
      gint64 i = json_node_get_int (a);
      gint64 j = json_node_get_int (b);
      gint64 k = 0;
      gboolean overflow = FALSE;

      switch (op)
        {
        case '+':
          overflow = __builtin_add_overflow (i, j, &k);
          break;
        case '-':
          overflow = __builtin_sub_overflow (i, j, &k);
          break;
        case '*':
          overflow = __builtin_mul_overflow (i, j, &k);
          break;
        case '/':
          if (j == 0)
            goto divide_by_zero;
          if (j == -1 && i == G_MININT64)
            overflow = TRUE;
          else if (i % j == 0)
            k = i / j;
          else
            return make_double ((double) i / (double) j);
          break;
        case '^':
          if (j < 0)
            goto doubles;
          k = 1;
          /* Square-and-multiply, checking every step. */
          for (gint64 base = i, e = j; e > 0 && !overflow; e >>= 1)
            {
              if ((e & 1) && __builtin_mul_overflow (k, base, &k))
                overflow = TRUE;
              if (e > 1 && __builtin_mul_overflow (base, base, &base))
                overflow = TRUE;
            }
          break;
        default:
          g_assert_not_reached ();
        }

      if (overflow)
        {
          call_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
                      "Invalid value: mathematical error in %s(): "
                      "the result does not fit a 64-bit integer", fn->name);
          return NULL;
        }
      return make_int (k);
    }

doubles:
  x = number_as_double (a);
  y = number_as_double (b);
  switch (op)
    {
    case '+':
      r = x + y;
      break;
    case '-':
      r = x - y;
      break;
    case '*':
      r = x * y;
      break;
    case '/':
      if (y == 0)
        goto divide_by_zero;
      r = x / y;
      break;
    case '^':
      r = pow (x, y);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!isfinite (r))
    {
      call_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
                  "Invalid value: mathematical error in %s(): the result is not a finite number",
                  fn->name);
      return NULL;
    }
  return make_double (r);

divide_by_zero:
  call_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
              "Invalid value: mathematical error in divide(): division by zero");
  return NULL;
}

static gboolean
require_integer (Eval           *ev,
                 const Function *fn,
                 JsonNode       *value,
                 guint           position)
{
  if (is_integer (value))
    return TRUE;

  call_error (ev, WARD_JMESPATH_ERROR_INVALID_TYPE,
              "Invalid type: %s() argument %u must be an integer, got a number with a fraction",
              fn->name, position);
  return FALSE;
}

static JsonNode *
fn_from_unix_timestamp (Eval           *ev,
                        const Function *fn,
                        Arg            *args,
                        guint           n_args G_GNUC_UNUSED)
{
  gboolean millis = fn->variant == 'm';
  g_autoptr(GDateTime) time = NULL;
  gint64 value, seconds, fraction = 0;
  GString *out;

  if (!require_integer (ev, fn, args[0].value, 1))
    return NULL;

  value = json_node_get_int (args[0].value);
  if (millis)
    {
      /* Floor division: -1 ms is 23:59:59.999 the day before. */
      seconds = value / 1000;
      fraction = value % 1000;
      if (fraction < 0)
        {
          seconds--;
          fraction += 1000;
        }
    }
  else
    seconds = value;

  if (seconds < MIN_UNIX_SECONDS || seconds > MAX_UNIX_SECONDS)
    {
      call_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
                  "Invalid value: %s(): %" G_GINT64_FORMAT " is outside years 0001 to 9999",
                  fn->name, value);
      return NULL;
    }

  time = g_date_time_new_from_unix_utc (seconds);
  g_assert (time != NULL);

  out = g_string_new (NULL);
  g_string_append_printf (out, "%04d-%02d-%02dT%02d:%02d:%02d",
                          g_date_time_get_year (time), g_date_time_get_month (time),
                          g_date_time_get_day_of_month (time), g_date_time_get_hour (time),
                          g_date_time_get_minute (time), g_date_time_get_second (time));
  if (fraction != 0)
    {
      g_string_append_printf (out, ".%03d", (int) fraction);
      while (out->str[out->len - 1] == '0')
        g_string_truncate (out, out->len - 1);
    }
  g_string_append_c (out, 'Z');

  return make_string_take (g_string_free (out, FALSE));
}

static JsonNode *
fn_insert_string (Eval           *ev,
                  const Function *fn,
                  Arg            *args,
                  guint           n_args G_GNUC_UNUSED)
{
  const char *original = value_string (args[0].value);
  const char *insert = value_string (args[1].value);
  gint64 position, length;
  const char *at;
  GString *out;

  if (!require_integer (ev, fn, args[2].value, 3))
    return NULL;

  if (!g_utf8_validate (original, -1, NULL))
    {
      call_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
                  "Invalid value: insertString() of a string that is not UTF-8");
      return NULL;
    }

  position = json_node_get_int (args[2].value);
  length = g_utf8_strlen (original, -1);
  if (position < 0 || position > length)
    {
      call_error (ev, WARD_JMESPATH_ERROR_INVALID_VALUE,
                  "Invalid value: insertString() position %" G_GINT64_FORMAT
                  " is out of range (the string has %" G_GINT64_FORMAT " characters)",
                  position, length);
      return NULL;
    }

  if (!charge_text (ev, strlen (original) + strlen (insert)))
    return NULL;

  at = g_utf8_offset_to_pointer (original, (glong) position);
  out = g_string_new_len (original, at - original);
  g_string_append (out, insert);
  g_string_append (out, at);
  return make_string_take (g_string_free (out, FALSE));
}

static JsonNode *
fn_append_string (Eval           *ev,
                  const Function *fn G_GNUC_UNUSED,
                  Arg            *args,
                  guint           n_args G_GNUC_UNUSED)
{
  const char *first = value_string (args[0].value);
  const char *second = value_string (args[1].value);

  if (!charge_text (ev, strlen (first) + strlen (second)))
    return NULL;
  return make_string_take (g_strconcat (first, second, NULL));
}

static const Function functions[] = {
  /* The JMESPath specification. */
  { "abs", 1, 1, { ARG_NUMBER }, fn_abs, 0 },
  { "avg", 1, 1, { ARG_ARRAY_NUMBER }, fn_avg, 0 },
  { "ceil", 1, 1, { ARG_NUMBER }, fn_ceil_floor, 'c' },
  { "contains", 2, 2, { ARG_ARRAY | ARG_STRING, ARG_ANY }, fn_contains, 0 },
  { "ends_with", 2, 2, { ARG_STRING, ARG_STRING }, fn_ends_with, 0 },
  { "floor", 1, 1, { ARG_NUMBER }, fn_ceil_floor, 'f' },
  { "join", 2, 2, { ARG_STRING, ARG_ARRAY_STRING }, fn_join, 0 },
  { "keys", 1, 1, { ARG_OBJECT }, fn_keys_values, 'k' },
  { "length", 1, 1, { ARG_STRING | ARG_ARRAY | ARG_OBJECT }, fn_length, 0 },
  { "map", 2, 2, { ARG_EXPREF, ARG_ARRAY }, fn_map, 0 },
  { "max", 1, 1, { ARG_ARRAY_NUMBER | ARG_ARRAY_STRING }, fn_max_min, '>' },
  { "max_by", 2, 2, { ARG_ARRAY, ARG_EXPREF }, fn_max_min_by, '>' },
  { "merge", 1, -1, { ARG_OBJECT }, fn_merge, 0 },
  { "min", 1, 1, { ARG_ARRAY_NUMBER | ARG_ARRAY_STRING }, fn_max_min, '<' },
  { "min_by", 2, 2, { ARG_ARRAY, ARG_EXPREF }, fn_max_min_by, '<' },
  { "not_null", 1, -1, { ARG_ANY }, fn_not_null, 0 },
  { "reverse", 1, 1, { ARG_STRING | ARG_ARRAY }, fn_reverse, 0 },
  { "sort", 1, 1, { ARG_ARRAY_NUMBER | ARG_ARRAY_STRING }, fn_sort, 0 },
  { "sort_by", 2, 2, { ARG_ARRAY, ARG_EXPREF }, fn_sort_by, 0 },
  { "starts_with", 2, 2, { ARG_STRING, ARG_STRING }, fn_starts_with, 0 },
  { "sum", 1, 1, { ARG_ARRAY_NUMBER }, fn_sum, 0 },
  { "to_array", 1, 1, { ARG_ANY }, fn_to_array, 0 },
  { "to_number", 1, 1, { ARG_ANY }, fn_to_number, 0 },
  { "to_string", 1, 1, { ARG_ANY }, fn_to_string, 0 },
  { "type", 1, 1, { ARG_ANY }, fn_type, 0 },
  { "values", 1, 1, { ARG_OBJECT }, fn_keys_values, 'v' },

  /* The IoMT connector's (Azure MedTech) custom functions. */
  { "add", 2, 2, { ARG_NUMBER, ARG_NUMBER }, fn_arithmetic, '+' },
  { "subtract", 2, 2, { ARG_NUMBER, ARG_NUMBER }, fn_arithmetic, '-' },
  { "multiply", 2, 2, { ARG_NUMBER, ARG_NUMBER }, fn_arithmetic, '*' },
  { "divide", 2, 2, { ARG_NUMBER, ARG_NUMBER }, fn_arithmetic, '/' },
  { "pow", 2, 2, { ARG_NUMBER, ARG_NUMBER }, fn_arithmetic, '^' },
  { "fromUnixTimestamp", 1, 1, { ARG_NUMBER }, fn_from_unix_timestamp, 's' },
  { "fromUnixTimestampMs", 1, 1, { ARG_NUMBER }, fn_from_unix_timestamp, 'm' },
  { "insertString", 3, 3, { ARG_STRING, ARG_STRING, ARG_NUMBER }, fn_insert_string, 0 },
  { "appendString", 2, 2, { ARG_STRING, ARG_STRING }, fn_append_string, 0 },
};

static const Function *
lookup_function (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    if (strcmp (functions[i].name, name) == 0)
      return &functions[i];
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

WardJmesPath *
ward_jmespath_compile (const char  *expression,
                       GError     **error)
{
  Parser p = { 0, };
  Node *root = NULL;
  WardJmesPath *self;

  g_return_val_if_fail (expression != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p.expression = expression;
  p.tokens = g_array_new (FALSE, TRUE, sizeof (Token));
  g_array_set_clear_func (p.tokens, token_clear);

  if (tokenize (&p))
    {
      root = parse_expression (&p, 0);
      if (root != NULL && peek (&p, 0)->kind != T_EOF)
        {
          unexpected (&p, peek (&p, 0), NULL);
          g_clear_pointer (&root, node_free);
        }
    }

  g_array_unref (p.tokens);

  if (root == NULL)
    {
      g_assert (p.error != NULL);
      g_propagate_error (error, p.error);
      return NULL;
    }

  g_assert (p.error == NULL);
  self = g_new0 (WardJmesPath, 1);
  self->expression = g_strdup (expression);
  self->root = root;
  return self;
}

JsonNode *
ward_jmespath_search_bounded (WardJmesPath  *self,
                              JsonNode      *data,
                              guint64        max_steps,
                              GError       **error)
{
  Eval ev = { 0, };
  g_autoptr(JsonNode) result = NULL;
  JsonNode *copy;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ev.expression = self->expression;
  ev.max_steps = max_steps;
  ev.error = error;

  result = eval (&ev, self->root, data);
  if (result == NULL)
    {
      g_assert (ev.failed);
      return NULL;
    }

  copy = deep_copy (&ev, result);
  g_assert (copy != NULL || ev.failed);
  return copy;
}

JsonNode *
ward_jmespath_search (WardJmesPath  *self,
                      JsonNode      *data,
                      GError       **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return ward_jmespath_search_bounded (self, data, WARD_JMESPATH_DEFAULT_MAX_STEPS, error);
}

const char *
ward_jmespath_get_expression (WardJmesPath *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->expression;
}

char *
ward_jmespath_node_to_json (JsonNode *node)
{
  GString *out;

  g_return_val_if_fail (node != NULL, NULL);

  out = g_string_new (NULL);
  write_json (NULL, out, node);
  return g_string_free (out, FALSE);
}

void
ward_jmespath_free (WardJmesPath *self)
{
  if (self == NULL)
    return;

  node_free (self->root);
  g_free (self->expression);
  g_free (self);
}
