/* ward-jsonpath.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-jsonpath"

#include "config.h"

#include "ward-jsonpath.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The grammar, in the spirit of Json.NET's JPath:
 *
 *   path      := ws? ('$' | '@')? segment* ws?
 *   segment   := '.' name | '.' '*' | '.'? bracket
 *              | '..' name | '..' '*' | '..' bracket
 *              | name                      (only first: "@heartRate", "Body.x")
 *   bracket   := '[' quoted (',' quoted)* ']' | '[' '*' ']'
 *              | '[' int (',' int)* ']' | '[' int? ':' int? (':' int?)? ']'
 *              | '[' '?' expr ']'          (usually written "[?(...)]")
 *   expr      := and ('||' and)*
 *   and       := unary ('&&' unary)*
 *   unary     := '!' unary | '(' expr ')' | operand (op operand)?
 *   operand   := '@' segment* | '$' segment* | 'string' | "string"
 *              | number | true | false | null
 *   op        := == | != | === | !== | < | <= | > | >=
 *
 * Semantics follow Json.NET where the connector depends on them: a
 * filter after '..' tests the node it starts from and then every
 * descendant, '..*' yields the starting node too, a path in a filter
 * matches when any node it selects matches, a present member whose value
 * is null exists, and null orders before every other value.  Where
 * Json.NET is plainly accidental we follow Goessner instead: filters and
 * '*' apply to object members as well as array elements, negative
 * indexes count from the end, and '..[n]' indexes every array below.
 */

#define MAX_NESTING       64
#define DEFAULT_MAX_NODES 100000
#define MAX_STEPS         20000000

typedef struct _Expr Expr;
typedef struct _Path Path;

typedef enum
{
  SEG_NAMES,
  SEG_WILDCARD,
  SEG_INDEXES,
  SEG_SLICE,
  SEG_FILTER,
} SegmentKind;

typedef struct
{
  SegmentKind  kind;
  gboolean     descend;       /* preceded by ".." */
  char       **names;         /* SEG_NAMES */
  gint64      *indexes;       /* SEG_INDEXES */
  guint        n_indexes;
  gboolean     has_start;     /* SEG_SLICE */
  gboolean     has_end;
  gint64       start;
  gint64       end;
  gint64       step;
  Expr        *filter;        /* SEG_FILTER */
} Segment;

typedef enum
{
  BASE_ROOT,
  BASE_CURRENT,
} PathBase;

struct _Path
{
  PathBase  base;
  GArray   *segments;         /* Segment */
};

typedef enum
{
  VALUE_NULL,
  VALUE_BOOL,
  VALUE_INT,
  VALUE_DOUBLE,
  VALUE_STRING,
  VALUE_CONTAINER,
} ValueType;

typedef struct
{
  ValueType   type;
  gboolean    b;
  gint64      i;
  double      d;
  const char *s;
} Value;

typedef struct
{
  Path  *path;                /* NULL for a literal */
  Value  literal;
  char  *string;              /* owns literal.s */
} Operand;

typedef enum
{
  EXPR_OR,
  EXPR_AND,
  EXPR_NOT,
  EXPR_EXISTS,
  EXPR_COMPARE,
} ExprKind;

typedef enum
{
  OP_EQ,
  OP_NE,
  OP_STRICT_EQ,
  OP_STRICT_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
} CompareOp;

struct _Expr
{
  ExprKind   kind;
  Expr      *left;
  Expr      *right;
  CompareOp  op;
  Operand    a;
  Operand    b;
};

struct _WardJsonPath
{
  char *expression;
  Path *path;
};

typedef struct
{
  const char  *text;
  gsize        pos;
  gsize        len;
  guint        depth;
  GError     **error;
} Parser;

typedef struct
{
  JsonNode *root;
  guint     max_nodes;
  guint64   steps;
  gboolean  overflow;
} Eval;

G_DEFINE_QUARK (ward-jsonpath-error-quark, ward_jsonpath_error)

static Path *parse_path_segments (Parser   *p,
                                  PathBase  base,
                                  gboolean  in_filter);
static Expr *parse_or            (Parser   *p);
static void  expr_free           (Expr     *expr);
static void  eval_path           (Eval     *ev,
                                  Path     *path,
                                  JsonNode *current,
                                  GPtrArray *out);

/* Freeing */

static void
segment_clear (Segment *seg)
{
  g_clear_pointer (&seg->names, g_strfreev);
  g_clear_pointer (&seg->indexes, g_free);
  g_clear_pointer (&seg->filter, expr_free);
}

static void
path_free (Path *path)
{
  if (path == NULL)
    return;

  g_array_unref (path->segments);
  g_free (path);
}

static Path *
path_new (PathBase base)
{
  Path *path = g_new0 (Path, 1);

  path->base = base;
  path->segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  g_array_set_clear_func (path->segments, (GDestroyNotify) segment_clear);

  return path;
}

static void
operand_clear (Operand *operand)
{
  g_clear_pointer (&operand->path, path_free);
  g_clear_pointer (&operand->string, g_free);
}

static void
expr_free (Expr *expr)
{
  if (expr == NULL)
    return;

  expr_free (expr->left);
  expr_free (expr->right);
  operand_clear (&expr->a);
  operand_clear (&expr->b);
  g_free (expr);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Path, path_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Expr, expr_free)

/* Parsing */

static gboolean
fail (Parser     *p,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Parser     *p,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;
  glong column;

  /* Only the first error is reported: later ones are consequences. */
  if (p->error == NULL || *p->error != NULL)
    return FALSE;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  column = g_utf8_strlen (p->text, (gssize) MIN (p->pos, p->len)) + 1;
  g_set_error (p->error, WARD_JSONPATH_ERROR, WARD_JSONPATH_ERROR_SYNTAX,
               "column %ld: %s", column, message);
  return FALSE;
}

static char
peek (Parser *p)
{
  return p->pos < p->len ? p->text[p->pos] : '\0';
}

static char
peek_at (Parser *p,
         gsize   offset)
{
  return p->pos + offset < p->len ? p->text[p->pos + offset] : '\0';
}

static void
skip_ws (Parser *p)
{
  while (p->pos < p->len && g_ascii_isspace (p->text[p->pos]))
    p->pos++;
}

static gboolean
at_end (Parser *p)
{
  return p->pos >= p->len;
}

/* Describes the character at the parser position for messages. */
static char *
describe_here (Parser *p)
{
  gunichar c;

  if (at_end (p))
    return g_strdup ("end of expression");

  c = g_utf8_get_char (p->text + p->pos);
  if (c < 0x20 || c == 0x7f)
    return g_strdup_printf ("character U+%04X", c);

  return g_strdup_printf ("'%.*s'", (int) (g_utf8_next_char (p->text + p->pos) - (p->text + p->pos)),
                          p->text + p->pos);
}

static gboolean
fail_unexpected (Parser     *p,
                 const char *expected)
{
  g_autofree char *here = describe_here (p);

  if (expected != NULL)
    return fail (p, "unexpected %s, expected %s", here, expected);

  return fail (p, "unexpected %s", here);
}

/* A member name in dot notation runs up to a character that has a
 * meaning in paths; in filters operators end it too, so that
 * "@heartRate>3" works as it does with Json.NET.
 */
static gboolean
is_name_char (char     c,
              gboolean in_filter)
{
  if (c == '\0' || g_ascii_isspace (c))
    return FALSE;

  if (strchr (".[]()", c) != NULL)
    return FALSE;

  if (in_filter && strchr ("=!<>&|,", c) != NULL)
    return FALSE;

  return TRUE;
}

static char *
parse_name (Parser   *p,
            gboolean  in_filter)
{
  gsize start = p->pos;

  while (p->pos < p->len && is_name_char (p->text[p->pos], in_filter))
    p->pos++;

  if (p->pos == start)
    return NULL;

  return g_strndup (p->text + start, p->pos - start);
}

static gboolean
parse_hex4 (Parser   *p,
            gunichar *out)
{
  gunichar value = 0;

  for (guint i = 0; i < 4; i++)
    {
      char c = peek (p);

      if (!g_ascii_isxdigit (c))
        return fail (p, "expected four hexadecimal digits after \\u");

      value = value * 16 + (gunichar) g_ascii_xdigit_value (c);
      p->pos++;
    }

  *out = value;
  return TRUE;
}

/* A quoted string: '…' or "…", with JSON's escapes plus \'. */
static char *
parse_quoted (Parser *p)
{
  g_autoptr(GString) s = g_string_new (NULL);
  char quote = peek (p);

  g_assert (quote == '\'' || quote == '"');
  p->pos++;

  for (;;)
    {
      char c;

      if (at_end (p))
        {
          fail (p, "unterminated string");
          return NULL;
        }

      c = p->text[p->pos];
      if (c == quote)
        {
          p->pos++;
          return g_string_free (g_steal_pointer (&s), FALSE);
        }

      if (c != '\\')
        {
          g_string_append_c (s, c);
          p->pos++;
          continue;
        }

      p->pos++;
      c = peek (p);
      p->pos++;
      switch (c)
        {
        case '\'': g_string_append_c (s, '\''); break;
        case '"':  g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/':  g_string_append_c (s, '/'); break;
        case 'b':  g_string_append_c (s, '\b'); break;
        case 'f':  g_string_append_c (s, '\f'); break;
        case 'n':  g_string_append_c (s, '\n'); break;
        case 'r':  g_string_append_c (s, '\r'); break;
        case 't':  g_string_append_c (s, '\t'); break;
        case 'u':
          {
            gunichar u, low;

            if (!parse_hex4 (p, &u))
              return NULL;

            if (u >= 0xd800 && u < 0xdc00)
              {
                if (peek (p) != '\\' || peek_at (p, 1) != 'u')
                  {
                    fail (p, "unpaired surrogate in \\u escape");
                    return NULL;
                  }
                p->pos += 2;
                if (!parse_hex4 (p, &low))
                  return NULL;
                if (low < 0xdc00 || low > 0xdfff)
                  {
                    fail (p, "unpaired surrogate in \\u escape");
                    return NULL;
                  }
                u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (u >= 0xdc00 && u <= 0xdfff)
              {
                fail (p, "unpaired surrogate in \\u escape");
                return NULL;
              }

            if (u == 0)
              {
                fail (p, "\\u0000 is not allowed in a name or string");
                return NULL;
              }

            g_string_append_unichar (s, u);
          }
          break;
        default:
          p->pos--;
          fail_unexpected (p, "an escape (\\' \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
          return NULL;
        }
    }
}

static gboolean
parse_int (Parser *p,
           gint64 *out)
{
  gsize start = p->pos;
  g_autofree char *digits = NULL;
  char *end = NULL;
  gint64 value;

  if (peek (p) == '-' || peek (p) == '+')
    p->pos++;

  if (!g_ascii_isdigit (peek (p)))
    {
      p->pos = start;
      return fail_unexpected (p, "an array index");
    }

  while (g_ascii_isdigit (peek (p)))
    p->pos++;

  digits = g_strndup (p->text + start, p->pos - start);
  errno = 0;
  value = g_ascii_strtoll (digits, &end, 10);
  if (errno != 0 || *end != '\0' || value > G_MAXINT32 || value < G_MININT32)
    {
      p->pos = start;
      return fail (p, "array index %s is out of range", digits);
    }

  *out = value;
  return TRUE;
}

static gboolean
parse_bracket (Parser  *p,
               Segment *seg)
{
  char c;

  g_assert (peek (p) == '[');
  p->pos++;
  skip_ws (p);
  c = peek (p);

  if (c == '\'' || c == '"')
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

      for (;;)
        {
          char *name;

          if (peek (p) != '\'' && peek (p) != '"')
            return fail_unexpected (p, "a quoted member name");

          name = parse_quoted (p);
          if (name == NULL)
            return FALSE;
          g_ptr_array_add (names, name);

          skip_ws (p);
          if (peek (p) == ',')
            {
              p->pos++;
              skip_ws (p);
              continue;
            }
          if (peek (p) == ']')
            break;

          return fail_unexpected (p, "',' or ']'");
        }

      p->pos++;
      g_ptr_array_add (names, NULL);
      seg->kind = SEG_NAMES;
      seg->names = (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
      return TRUE;
    }

  if (c == '?')
    {
      p->pos++;
      seg->kind = SEG_FILTER;
      seg->filter = parse_or (p);
      if (seg->filter == NULL)
        return FALSE;

      skip_ws (p);
      if (peek (p) != ']')
        return fail_unexpected (p, "']' closing the filter");

      p->pos++;
      return TRUE;
    }

  if (c == '*')
    {
      p->pos++;
      skip_ws (p);
      if (peek (p) != ']')
        return fail_unexpected (p, "']'");

      p->pos++;
      seg->kind = SEG_WILDCARD;
      return TRUE;
    }

  if (c == ':' || c == '-' || c == '+' || g_ascii_isdigit (c))
    {
      g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (gint64));
      gint64 value = 0;
      gboolean has_first = FALSE;

      if (c != ':')
        {
          if (!parse_int (p, &value))
            return FALSE;
          has_first = TRUE;
          skip_ws (p);
        }

      if (peek (p) == ':')
        {
          seg->kind = SEG_SLICE;
          seg->has_start = has_first;
          seg->start = value;
          seg->step = 1;

          p->pos++;
          skip_ws (p);
          if (peek (p) != ':' && peek (p) != ']')
            {
              if (!parse_int (p, &seg->end))
                return FALSE;
              seg->has_end = TRUE;
              skip_ws (p);
            }

          if (peek (p) == ':')
            {
              p->pos++;
              skip_ws (p);
              if (peek (p) != ']')
                {
                  gsize step_pos = p->pos;

                  if (!parse_int (p, &seg->step))
                    return FALSE;
                  if (seg->step == 0)
                    {
                      p->pos = step_pos;
                      return fail (p, "a slice step cannot be zero");
                    }
                  skip_ws (p);
                }
            }

          if (peek (p) != ']')
            return fail_unexpected (p, "']' closing the slice");

          p->pos++;
          return TRUE;
        }

      g_array_append_val (indexes, value);
      while (peek (p) == ',')
        {
          p->pos++;
          skip_ws (p);
          if (!parse_int (p, &value))
            return FALSE;
          g_array_append_val (indexes, value);
          skip_ws (p);
        }

      if (peek (p) != ']')
        return fail_unexpected (p, "',' or ']'");

      p->pos++;
      seg->kind = SEG_INDEXES;
      seg->n_indexes = indexes->len;
      seg->indexes = (gint64 *) (void *) g_array_free (g_steal_pointer (&indexes), FALSE);
      return TRUE;
    }

  return fail_unexpected (p, "a quoted name, an index, a slice, '*' or '?'");
}

/* Parses the segments that follow a path's start ('$', '@' or nothing). */
static Path *
parse_path_segments (Parser   *p,
                     PathBase  base,
                     gboolean  in_filter)
{
  g_autoptr(Path) path = path_new (base);
  gboolean first = TRUE;

  if (++p->depth > MAX_NESTING)
    {
      fail (p, "expression nested too deeply");
      return NULL;
    }

  for (;;)
    {
      Segment seg = { 0 };
      char c = peek (p);

      if (c == '.')
        {
          if (peek_at (p, 1) == '.')
            {
              seg.descend = TRUE;
              p->pos += 2;
            }
          else
            {
              p->pos++;
            }

          if (peek (p) == '[')
            {
              if (!parse_bracket (p, &seg))
                {
                  segment_clear (&seg);
                  return NULL;
                }
            }
          else
            {
              char *name = parse_name (p, in_filter);

              if (name == NULL)
                {
                  fail_unexpected (p, "a member name");
                  return NULL;
                }

              if (g_str_equal (name, "*"))
                {
                  g_free (name);
                  seg.kind = SEG_WILDCARD;
                }
              else
                {
                  seg.kind = SEG_NAMES;
                  seg.names = g_new0 (char *, 2);
                  seg.names[0] = name;
                }
            }
        }
      else if (c == '[')
        {
          if (!parse_bracket (p, &seg))
            {
              segment_clear (&seg);
              return NULL;
            }
        }
      else if (first && is_name_char (c, in_filter))
        {
          /* Json.NET's habit: "@heartRate" and "$x" mean "@.heartRate"
           * and "$.x", and a path may start without '$'.
           */
          char *name = parse_name (p, in_filter);

          if (g_str_equal (name, "*"))
            {
              g_free (name);
              seg.kind = SEG_WILDCARD;
            }
          else
            {
              seg.kind = SEG_NAMES;
              seg.names = g_new0 (char *, 2);
              seg.names[0] = name;
            }
        }
      else
        {
          break;
        }

      g_array_append_val (path->segments, seg);
      first = FALSE;
    }

  p->depth--;
  return g_steal_pointer (&path);
}

static gboolean
is_keyword (Parser     *p,
            const char *word)
{
  gsize n = strlen (word);

  return p->len - p->pos >= n &&
         strncmp (p->text + p->pos, word, n) == 0 &&
         !g_ascii_isalnum (peek_at (p, n)) && peek_at (p, n) != '_';
}

static gboolean
parse_number (Parser *p,
              Value  *value)
{
  gsize start = p->pos;
  gboolean is_double = FALSE;
  g_autofree char *text = NULL;
  char *end = NULL;

  if (peek (p) == '-')
    p->pos++;
  if (!g_ascii_isdigit (peek (p)))
    {
      p->pos = start;
      return fail_unexpected (p, "a number");
    }
  while (g_ascii_isdigit (peek (p)))
    p->pos++;
  if (peek (p) == '.')
    {
      is_double = TRUE;
      p->pos++;
      if (!g_ascii_isdigit (peek (p)))
        return fail_unexpected (p, "a digit after '.'");
      while (g_ascii_isdigit (peek (p)))
        p->pos++;
    }
  if (peek (p) == 'e' || peek (p) == 'E')
    {
      is_double = TRUE;
      p->pos++;
      if (peek (p) == '+' || peek (p) == '-')
        p->pos++;
      if (!g_ascii_isdigit (peek (p)))
        return fail_unexpected (p, "a digit in the exponent");
      while (g_ascii_isdigit (peek (p)))
        p->pos++;
    }

  text = g_strndup (p->text + start, p->pos - start);
  if (!is_double)
    {
      errno = 0;
      value->i = g_ascii_strtoll (text, &end, 10);
      if (errno == 0 && *end == '\0')
        {
          value->type = VALUE_INT;
          return TRUE;
        }
    }

  value->type = VALUE_DOUBLE;
  value->d = g_ascii_strtod (text, &end);
  if (!isfinite (value->d))
    {
      p->pos = start;
      return fail (p, "number %s is out of range", text);
    }

  return TRUE;
}

static gboolean
parse_operand (Parser  *p,
               Operand *operand)
{
  char c;

  skip_ws (p);
  c = peek (p);

  if (c == '@' || c == '$')
    {
      p->pos++;
      operand->path = parse_path_segments (p, c == '@' ? BASE_CURRENT : BASE_ROOT, TRUE);
      return operand->path != NULL;
    }

  if (c == '\'' || c == '"')
    {
      operand->string = parse_quoted (p);
      if (operand->string == NULL)
        return FALSE;
      operand->literal.type = VALUE_STRING;
      operand->literal.s = operand->string;
      return TRUE;
    }

  if (c == '-' || g_ascii_isdigit (c))
    return parse_number (p, &operand->literal);

  if (is_keyword (p, "true") || is_keyword (p, "false"))
    {
      operand->literal.type = VALUE_BOOL;
      operand->literal.b = c == 't';
      p->pos += c == 't' ? 4 : 5;
      return TRUE;
    }

  if (is_keyword (p, "null"))
    {
      operand->literal.type = VALUE_NULL;
      p->pos += 4;
      return TRUE;
    }

  return fail_unexpected (p, "'@', '$' or a value");
}

static gboolean
parse_operator (Parser    *p,
                CompareOp *op,
                gboolean  *found)
{
  static const struct {
    const char *text;
    CompareOp   op;
  } ops[] = {
    /* Longest first. */
    { "===", OP_STRICT_EQ },
    { "!==", OP_STRICT_NE },
    { "==", OP_EQ },
    { "!=", OP_NE },
    { "<=", OP_LE },
    { ">=", OP_GE },
    { "<", OP_LT },
    { ">", OP_GT },
  };

  *found = FALSE;
  skip_ws (p);

  if (peek (p) == '=' && peek_at (p, 1) == '~')
    return fail (p, "regular expressions (=~) are not supported");

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      gsize n = strlen (ops[i].text);

      if (p->len - p->pos >= n && strncmp (p->text + p->pos, ops[i].text, n) == 0)
        {
          p->pos += n;
          *op = ops[i].op;
          *found = TRUE;
          return TRUE;
        }
    }

  if (peek (p) == '=')
    return fail (p, "'=' is not an operator; use '=='");

  return TRUE;
}

static Expr *
parse_unary (Parser *p)
{
  g_autoptr(Expr) expr = g_new0 (Expr, 1);
  gboolean found;
  char c;

  if (++p->depth > MAX_NESTING)
    {
      fail (p, "expression nested too deeply");
      return NULL;
    }

  skip_ws (p);
  c = peek (p);

  if (c == '!' && peek_at (p, 1) != '=')
    {
      p->pos++;
      expr->kind = EXPR_NOT;
      expr->left = parse_unary (p);
      if (expr->left == NULL)
        return NULL;
    }
  else if (c == '(')
    {
      p->pos++;
      g_clear_pointer (&expr, expr_free);
      expr = parse_or (p);
      if (expr == NULL)
        return NULL;
      skip_ws (p);
      if (peek (p) != ')')
        {
          fail_unexpected (p, "')'");
          return NULL;
        }
      p->pos++;
    }
  else
    {
      if (!parse_operand (p, &expr->a))
        return NULL;

      if (!parse_operator (p, &expr->op, &found))
        return NULL;

      if (found)
        {
          expr->kind = EXPR_COMPARE;
          if (!parse_operand (p, &expr->b))
            return NULL;
        }
      else if (expr->a.path != NULL)
        {
          expr->kind = EXPR_EXISTS;
        }
      else
        {
          fail_unexpected (p, "a comparison operator after the value");
          return NULL;
        }
    }

  p->depth--;
  return g_steal_pointer (&expr);
}

static gboolean
match_token (Parser     *p,
             const char *token)
{
  skip_ws (p);
  if (p->len - p->pos >= 2 && strncmp (p->text + p->pos, token, 2) == 0)
    {
      p->pos += 2;
      return TRUE;
    }

  return FALSE;
}

static Expr *
parse_and (Parser *p)
{
  g_autoptr(Expr) left = parse_unary (p);

  while (left != NULL && match_token (p, "&&"))
    {
      Expr *expr = g_new0 (Expr, 1);

      expr->kind = EXPR_AND;
      expr->left = g_steal_pointer (&left);
      expr->right = parse_unary (p);
      left = expr;
      if (expr->right == NULL)
        return NULL;
    }

  return g_steal_pointer (&left);
}

static Expr *
parse_or (Parser *p)
{
  g_autoptr(Expr) left = parse_and (p);

  while (left != NULL && match_token (p, "||"))
    {
      Expr *expr = g_new0 (Expr, 1);

      expr->kind = EXPR_OR;
      expr->left = g_steal_pointer (&left);
      expr->right = parse_and (p);
      left = expr;
      if (expr->right == NULL)
        return NULL;
    }

  return g_steal_pointer (&left);
}

/* Evaluation */

static gboolean
budget (Eval  *ev,
        guint  n)
{
  ev->steps += n;
  if (ev->steps > MAX_STEPS)
    ev->overflow = TRUE;

  return !ev->overflow;
}

static void
add_node (Eval      *ev,
          GPtrArray *out,
          JsonNode  *node)
{
  if (ev->overflow)
    return;

  if (out->len >= ev->max_nodes)
    {
      ev->overflow = TRUE;
      return;
    }

  g_ptr_array_add (out, node);
}

static Value
node_value (JsonNode *node)
{
  Value v = { 0 };

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
    case JSON_NODE_ARRAY:
      v.type = VALUE_CONTAINER;
      break;

    case JSON_NODE_NULL:
      v.type = VALUE_NULL;
      break;

    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          v.type = VALUE_INT;
          v.i = json_node_get_int (node);
          break;
        case G_TYPE_DOUBLE:
          v.type = VALUE_DOUBLE;
          v.d = json_node_get_double (node);
          break;
        case G_TYPE_BOOLEAN:
          v.type = VALUE_BOOL;
          v.b = json_node_get_boolean (node);
          break;
        case G_TYPE_STRING:
          v.type = VALUE_STRING;
          v.s = json_node_get_string (node);
          break;
        default:
          v.type = VALUE_NULL;
          break;
        }
      break;
    }

  return v;
}

static gboolean
is_number (const Value *v)
{
  return v->type == VALUE_INT || v->type == VALUE_DOUBLE;
}

static double
as_double (const Value *v)
{
  return v->type == VALUE_INT ? (double) v->i : v->d;
}

static int
compare_numbers (const Value *a,
                 const Value *b)
{
  if (a->type == VALUE_INT && b->type == VALUE_INT)
    return a->i < b->i ? -1 : a->i > b->i;

  return as_double (a) < as_double (b) ? -1 : as_double (a) > as_double (b);
}

/* Invariant-culture number parsing of a string, as Json.NET coerces a
 * string to a number when comparing it with one.
 */
static gboolean
string_as_number (const char *s,
                  Value      *out)
{
  char *end = NULL;

  if (s == NULL)
    return FALSE;

  while (g_ascii_isspace (*s))
    s++;
  if (*s == '\0' || (!g_ascii_isdigit (*s) && *s != '-' && *s != '+' && *s != '.'))
    return FALSE;

  out->type = VALUE_DOUBLE;
  out->d = g_ascii_strtod (s, &end);
  while (end != NULL && g_ascii_isspace (*end))
    end++;

  return end != NULL && *end == '\0' && isfinite (out->d);
}

static gboolean
values_equal (const Value *a,
              const Value *b,
              gboolean     strict)
{
  if (is_number (a) && is_number (b))
    {
      if (strict && a->type != b->type)
        return FALSE;
      return compare_numbers (a, b) == 0;
    }

  if (a->type != b->type)
    return FALSE;

  switch (a->type)
    {
    case VALUE_NULL:
      return TRUE;
    case VALUE_BOOL:
      return !a->b == !b->b;
    case VALUE_STRING:
      return strcmp (a->s, b->s) == 0;
    case VALUE_INT:
    case VALUE_DOUBLE:
    case VALUE_CONTAINER:
    default:
      return FALSE;
    }
}

/* Sets *cmp and returns TRUE when a and b can be ordered.  Null orders
 * before everything, as in Json.NET's JValue.Compare().
 */
static gboolean
values_order (const Value *a,
              const Value *b,
              int         *cmp)
{
  Value coerced;

  if (a->type == VALUE_CONTAINER || b->type == VALUE_CONTAINER)
    return FALSE;

  if (a->type == VALUE_NULL || b->type == VALUE_NULL)
    {
      *cmp = (a->type != VALUE_NULL) - (b->type != VALUE_NULL);
      return TRUE;
    }

  if (is_number (a) && is_number (b))
    {
      *cmp = compare_numbers (a, b);
      return TRUE;
    }

  if (a->type == VALUE_STRING && is_number (b))
    {
      if (!string_as_number (a->s, &coerced))
        return FALSE;
      *cmp = compare_numbers (&coerced, b);
      return TRUE;
    }

  if (is_number (a) && b->type == VALUE_STRING)
    {
      if (!string_as_number (b->s, &coerced))
        return FALSE;
      *cmp = compare_numbers (a, &coerced);
      return TRUE;
    }

  if (a->type == VALUE_STRING && b->type == VALUE_STRING)
    {
      int r = strcmp (a->s, b->s);

      *cmp = (r > 0) - (r < 0);
      return TRUE;
    }

  if (a->type == VALUE_BOOL && b->type == VALUE_BOOL)
    {
      *cmp = (!!a->b) - (!!b->b);
      return TRUE;
    }

  return FALSE;
}

static gboolean
compare_values (CompareOp    op,
                const Value *a,
                const Value *b)
{
  int cmp = 0;

  switch (op)
    {
    case OP_EQ:
      return values_equal (a, b, FALSE);
    case OP_NE:
      return !values_equal (a, b, FALSE);
    case OP_STRICT_EQ:
      return values_equal (a, b, TRUE);
    case OP_STRICT_NE:
      return !values_equal (a, b, TRUE);
    case OP_LT:
      return values_order (a, b, &cmp) && cmp < 0;
    case OP_LE:
      return values_order (a, b, &cmp) && cmp <= 0;
    case OP_GT:
      return values_order (a, b, &cmp) && cmp > 0;
    case OP_GE:
      return values_order (a, b, &cmp) && cmp >= 0;
    default:
      g_assert_not_reached ();
    }

  return FALSE;
}

static GPtrArray *
operand_values (Eval          *ev,
                const Operand *operand,
                JsonNode      *current)
{
  GPtrArray *nodes = g_ptr_array_new ();

  if (operand->path != NULL)
    eval_path (ev, operand->path, current, nodes);

  return nodes;
}

static gboolean
expr_matches (Eval     *ev,
              Expr     *expr,
              JsonNode *node)
{
  if (!budget (ev, 1))
    return FALSE;

  switch (expr->kind)
    {
    case EXPR_OR:
      return expr_matches (ev, expr->left, node) || expr_matches (ev, expr->right, node);

    case EXPR_AND:
      return expr_matches (ev, expr->left, node) && expr_matches (ev, expr->right, node);

    case EXPR_NOT:
      return !expr_matches (ev, expr->left, node);

    case EXPR_EXISTS:
      {
        g_autoptr(GPtrArray) found = operand_values (ev, &expr->a, node);

        return found->len > 0;
      }

    case EXPR_COMPARE:
      {
        g_autoptr(GPtrArray) left = operand_values (ev, &expr->a, node);
        g_autoptr(GPtrArray) right = operand_values (ev, &expr->b, node);
        guint n_left = expr->a.path != NULL ? left->len : 1;
        guint n_right = expr->b.path != NULL ? right->len : 1;

        /* A path matches when any node it selects matches. */
        for (guint i = 0; i < n_left; i++)
          {
            Value a = expr->a.path != NULL ? node_value (left->pdata[i]) : expr->a.literal;

            for (guint j = 0; j < n_right; j++)
              {
                Value b = expr->b.path != NULL ? node_value (right->pdata[j]) : expr->b.literal;

                if (!budget (ev, 1))
                  return FALSE;

                if ((a.type == VALUE_CONTAINER || b.type == VALUE_CONTAINER))
                  {
                    /* Json.NET: a non-scalar is unequal to anything. */
                    if (expr->op == OP_NE || expr->op == OP_STRICT_NE)
                      return TRUE;
                    continue;
                  }

                if (compare_values (expr->op, &a, &b))
                  return TRUE;
              }
          }

        return FALSE;
      }

    default:
      g_assert_not_reached ();
    }

  return FALSE;
}

static void
select_children (Eval      *ev,
                 Segment   *seg,
                 JsonNode  *node,
                 GPtrArray *out)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);

      switch (seg->kind)
        {
        case SEG_NAMES:
          for (guint i = 0; seg->names[i] != NULL; i++)
            {
              JsonNode *member = json_object_get_member (object, seg->names[i]);

              if (member != NULL)
                add_node (ev, out, member);
            }
          break;

        case SEG_WILDCARD:
        case SEG_FILTER:
          {
            JsonObjectIter iter;
            const char *name;
            JsonNode *member;

            json_object_iter_init_ordered (&iter, object);
            while (json_object_iter_next_ordered (&iter, &name, &member) && budget (ev, 1))
              {
                if (seg->kind == SEG_WILDCARD || expr_matches (ev, seg->filter, member))
                  add_node (ev, out, member);
              }
          }
          break;

        case SEG_INDEXES:
        case SEG_SLICE:
        default:
          break;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      gint64 len = json_array_get_length (array);

      switch (seg->kind)
        {
        case SEG_WILDCARD:
        case SEG_FILTER:
          for (gint64 i = 0; i < len && budget (ev, 1); i++)
            {
              JsonNode *element = json_array_get_element (array, (guint) i);

              if (seg->kind == SEG_WILDCARD || expr_matches (ev, seg->filter, element))
                add_node (ev, out, element);
            }
          break;

        case SEG_INDEXES:
          for (guint i = 0; i < seg->n_indexes; i++)
            {
              gint64 index = seg->indexes[i];

              if (index < 0)
                index += len;
              if (index >= 0 && index < len)
                add_node (ev, out, json_array_get_element (array, (guint) index));
            }
          break;

        case SEG_SLICE:
          {
            gint64 step = seg->step;
            gint64 start = seg->has_start ? seg->start : (step > 0 ? 0 : len - 1);
            gint64 stop = seg->has_end ? seg->end : (step > 0 ? len : -1);

            if (seg->has_start && start < 0)
              start += len;
            if (seg->has_end && stop < 0)
              stop += len;

            if (step > 0)
              {
                start = CLAMP (start, 0, len);
                stop = CLAMP (stop, 0, len);
                for (gint64 i = start; i < stop && budget (ev, 1); i += step)
                  add_node (ev, out, json_array_get_element (array, (guint) i));
              }
            else
              {
                start = CLAMP (start, -1, len - 1);
                stop = CLAMP (stop, -1, len - 1);
                for (gint64 i = start; i > stop && budget (ev, 1); i += step)
                  add_node (ev, out, json_array_get_element (array, (guint) i));
              }
          }
          break;

        case SEG_NAMES:
        default:
          break;
        }
    }
}

/* Json.NET's ScanFilter: the values of members with one of the names,
 * anywhere below node, in document order.
 */
static void
scan_names (Eval      *ev,
            Segment   *seg,
            JsonNode  *node,
            GPtrArray *out)
{
  if (!budget (ev, 1))
    return;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member) && !ev->overflow)
        {
          if (g_strv_contains ((const char * const *) seg->names, name))
            add_node (ev, out, member);
          scan_names (ev, seg, member, out);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint len = json_array_get_length (array);

      for (guint i = 0; i < len && !ev->overflow; i++)
        scan_names (ev, seg, json_array_get_element (array, i), out);
    }
}

/* Visits node and then every node below it, in document order. */
static void
collect_self_and_descendants (Eval      *ev,
                              JsonNode  *node,
                              GPtrArray *out)
{
  add_node (ev, out, node);
  if (!budget (ev, 1))
    return;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member) && !ev->overflow)
        collect_self_and_descendants (ev, member, out);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint len = json_array_get_length (array);

      for (guint i = 0; i < len && !ev->overflow; i++)
        collect_self_and_descendants (ev, json_array_get_element (array, i), out);
    }
}

static void
apply_segment (Eval      *ev,
               Segment   *seg,
               JsonNode  *node,
               GPtrArray *out)
{
  g_autoptr(GPtrArray) all = NULL;

  if (!seg->descend)
    {
      select_children (ev, seg, node, out);
      return;
    }

  if (seg->kind == SEG_NAMES)
    {
      scan_names (ev, seg, node, out);
      return;
    }

  all = g_ptr_array_new ();
  collect_self_and_descendants (ev, node, all);

  for (guint i = 0; i < all->len && !ev->overflow; i++)
    {
      JsonNode *candidate = all->pdata[i];

      switch (seg->kind)
        {
        case SEG_WILDCARD:
          /* Json.NET's "..*" yields the start node and every node below. */
          add_node (ev, out, candidate);
          break;

        case SEG_FILTER:
          /* Json.NET's QueryScanFilter tests the start node and every
           * node below it: "$..[?(@heartRate)]" matches the root object.
           */
          if (expr_matches (ev, seg->filter, candidate))
            add_node (ev, out, candidate);
          break;

        case SEG_INDEXES:
        case SEG_SLICE:
          select_children (ev, seg, candidate, out);
          break;

        case SEG_NAMES:
        default:
          g_assert_not_reached ();
        }
    }
}

static void
eval_path (Eval      *ev,
           Path      *path,
           JsonNode  *current,
           GPtrArray *out)
{
  g_autoptr(GPtrArray) set = g_ptr_array_new ();

  g_ptr_array_add (set, path->base == BASE_ROOT ? ev->root : current);

  for (guint s = 0; s < path->segments->len && set->len > 0 && !ev->overflow; s++)
    {
      Segment *seg = &g_array_index (path->segments, Segment, s);
      g_autoptr(GPtrArray) next = g_ptr_array_new ();

      for (guint i = 0; i < set->len && !ev->overflow; i++)
        apply_segment (ev, seg, set->pdata[i], next);

      g_clear_pointer (&set, g_ptr_array_unref);
      set = g_steal_pointer (&next);
    }

  if (ev->overflow)
    return;

  for (guint i = 0; i < set->len; i++)
    add_node (ev, out, set->pdata[i]);
}

/* Public API */

WardJsonPath *
ward_jsonpath_compile (const char  *expr,
                       GError     **error)
{
  g_autoptr(WardJsonPath) self = NULL;
  Parser p = { 0 };
  PathBase base = BASE_ROOT;

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (expr, -1, NULL))
    {
      g_set_error_literal (error, WARD_JSONPATH_ERROR, WARD_JSONPATH_ERROR_SYNTAX,
                           "column 1: the expression is not valid UTF-8");
      return NULL;
    }

  p.text = expr;
  p.len = strlen (expr);
  p.error = error;

  skip_ws (&p);
  if (at_end (&p))
    {
      fail (&p, "empty expression");
      return NULL;
    }

  if (peek (&p) == '$' || peek (&p) == '@')
    {
      base = peek (&p) == '$' ? BASE_ROOT : BASE_CURRENT;
      p.pos++;
    }

  self = g_new0 (WardJsonPath, 1);
  self->expression = g_strdup (expr);
  self->path = parse_path_segments (&p, base, FALSE);
  if (self->path == NULL)
    return NULL;

  skip_ws (&p);
  if (!at_end (&p))
    {
      fail_unexpected (&p, NULL);
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
ward_jsonpath_free (WardJsonPath *self)
{
  if (self == NULL)
    return;

  path_free (self->path);
  g_free (self->expression);
  g_free (self);
}

const char *
ward_jsonpath_get_expression (WardJsonPath *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->expression;
}

GPtrArray *
ward_jsonpath_select_full (WardJsonPath  *self,
                           JsonNode      *root,
                           guint          max_results,
                           GError       **error)
{
  g_autoptr(GPtrArray) out = NULL;
  Eval ev = { 0 };

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ev.root = root;
  ev.max_nodes = max_results > 0 ? max_results : DEFAULT_MAX_NODES;

  out = g_ptr_array_new ();
  eval_path (&ev, self->path, root, out);

  if (ev.overflow)
    {
      g_set_error (error, WARD_JSONPATH_ERROR, WARD_JSONPATH_ERROR_TOO_LARGE,
                   "%s selects too many nodes (more than %u) or takes too long",
                   self->expression, ev.max_nodes);
      return NULL;
    }

  return g_steal_pointer (&out);
}

GPtrArray *
ward_jsonpath_select (WardJsonPath *self,
                      JsonNode     *root)
{
  GPtrArray *out;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (root != NULL, NULL);

  out = ward_jsonpath_select_full (self, root, 0, NULL);
  if (out == NULL)
    out = g_ptr_array_new ();

  return out;
}
