/* ward-device-template-load.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-device-template"

#include "config.h"

#include "ward-device-template-private.h"
#include "ward-template-loader-private.h"

#include <stdio.h>
#include <string.h>

/* Loading follows the connector's factories (CollectionContentTemplate
 * Factory and the factory of each template type): the same checks, in
 * the same order, with the same messages, so that a mapping the MedTech
 * service refuses is refused here with the text its users know.  Unlike
 * the connector, every problem carries where it is (line, column and a
 * JSONPath), and expressions are compiled now, so a bad expression is a
 * load error rather than an error on every message.
 */

typedef struct
{
  WardTemplateLoader *base;
  WardDeviceTemplate *self;
} Loader;

typedef struct
{
  const char       *type_name;       /* the connector's targetTypeName */
  const char       *short_name;      /* for messages */
  WardContentKind   kind;
  gboolean          historical;      /* ExpressionContent */
} ContentType;

static const ContentType content_types[] = {
  { "JsonPathContentTemplate", "JsonPathContent", WARD_CONTENT_JSONPATH, FALSE },
  { "IotJsonPathContentTemplate", "IotJsonPathContent", WARD_CONTENT_IOT, FALSE },
  { "IotCentralJsonPathContent", "IotCentralJsonPathContent", WARD_CONTENT_IOT_CENTRAL, FALSE },
  { "CalculatedContent", "CalculatedContent", WARD_CONTENT_CALCULATED, FALSE },
  { "ExpressionContent", "ExpressionContent", WARD_CONTENT_CALCULATED, TRUE },
};

/* The expressions of a template, in the order the connector checks the
 * required ones.
 */
static const struct {
  const char *member;
  const char *display;
  gsize       offset;
} expression_members[] = {
  { "typeMatchExpression", "TypeMatchExpression", G_STRUCT_OFFSET (WardContentTemplate, type_match) },
  { "deviceIdExpression", "DeviceIdExpression", G_STRUCT_OFFSET (WardContentTemplate, device_id) },
  { "timestampExpression", "TimestampExpression", G_STRUCT_OFFSET (WardContentTemplate, timestamp) },
  { "patientIdExpression", "PatientIdExpression", G_STRUCT_OFFSET (WardContentTemplate, patient_id) },
  { "encounterIdExpression", "EncounterIdExpression", G_STRUCT_OFFSET (WardContentTemplate, encounter_id) },
  { "correlationIdExpression", "CorrelationIdExpression", G_STRUCT_OFFSET (WardContentTemplate, correlation_id) },
};

/* Scanning */

typedef struct
{
  const char  *text;
  gsize        len;
  gsize        pos;
  int          line;
  gsize        line_start;
  guint        max_depth;
  GHashTable  *locations;
  GError     **error;
} Scanner;

static gboolean scan_value (Scanner    *s,
                            const char *path,
                            guint       depth);

static int
scan_column (Scanner *s)
{
  return (int) g_utf8_strlen (s->text + s->line_start, (gssize) (s->pos - s->line_start)) + 1;
}

static gboolean
scan_fail (Scanner    *s,
           const char *what)
{
  if (s->error != NULL && *s->error == NULL)
    g_set_error (s->error, WARD_TEMPLATE_ERROR, WARD_TEMPLATE_ERROR_PARSE,
                 "%d:%d: %s", s->line, scan_column (s), what);

  return FALSE;
}

static gboolean
scan_unexpected (Scanner    *s,
                 const char *expected)
{
  g_autofree char *what = NULL;

  if (s->pos >= s->len)
    what = g_strdup_printf ("unexpected end of data, expected %s", expected);
  else if ((guchar) s->text[s->pos] < 0x20)
    what = g_strdup_printf ("unexpected character U+%04X, expected %s", (guint) (guchar) s->text[s->pos], expected);
  else
    what = g_strdup_printf ("unexpected '%.*s', expected %s",
                            (int) (g_utf8_next_char (s->text + s->pos) - (s->text + s->pos)),
                            s->text + s->pos, expected);

  return scan_fail (s, what);
}

static void
scan_ws (Scanner *s)
{
  while (s->pos < s->len)
    {
      char c = s->text[s->pos];

      if (c == '\n')
        {
          s->line++;
          s->line_start = s->pos + 1;
        }
      else if (c != ' ' && c != '\t' && c != '\r')
        {
          break;
        }
      s->pos++;
    }
}

static void
record (Scanner    *s,
        const char *path,
        gboolean    is_key)
{
  WardJsonLocation *loc;

  if (s->locations == NULL)
    return;

  loc = g_hash_table_lookup (s->locations, path);
  if (loc == NULL)
    {
      loc = g_new0 (WardJsonLocation, 1);
      g_hash_table_insert (s->locations, g_strdup (path), loc);
    }

  if (is_key)
    {
      loc->key_line = s->line;
      loc->key_column = scan_column (s);
    }
  else
    {
      loc->value_line = s->line;
      loc->value_column = scan_column (s);
    }
}

static gboolean
scan_hex4 (Scanner  *s,
           gunichar *out)
{
  *out = 0;
  for (guint i = 0; i < 4; i++)
    {
      if (s->pos >= s->len || !g_ascii_isxdigit (s->text[s->pos]))
        return scan_unexpected (s, "a hexadecimal digit");
      *out = *out * 16 + (gunichar) g_ascii_xdigit_value (s->text[s->pos]);
      s->pos++;
    }

  return TRUE;
}

/* A string; its decoded text goes to *out when out is not NULL. */
static gboolean
scan_string (Scanner  *s,
             GString  *out)
{
  g_assert (s->text[s->pos] == '"');
  s->pos++;

  for (;;)
    {
      guchar c;

      if (s->pos >= s->len)
        return scan_fail (s, "unterminated string");

      c = (guchar) s->text[s->pos];
      if (c == '"')
        {
          s->pos++;
          return TRUE;
        }

      if (c < 0x20)
        return scan_unexpected (s, "a character or '\"' (control characters must be escaped)");

      if (c != '\\')
        {
          if (out != NULL)
            g_string_append_c (out, (char) c);
          s->pos++;
          continue;
        }

      s->pos++;
      if (s->pos >= s->len)
        return scan_fail (s, "unterminated string");

      c = (guchar) s->text[s->pos++];
      switch (c)
        {
        case '"': case '\\': case '/':
          if (out != NULL)
            g_string_append_c (out, (char) c);
          break;
        case 'b': if (out != NULL) g_string_append_c (out, '\b'); break;
        case 'f': if (out != NULL) g_string_append_c (out, '\f'); break;
        case 'n': if (out != NULL) g_string_append_c (out, '\n'); break;
        case 'r': if (out != NULL) g_string_append_c (out, '\r'); break;
        case 't': if (out != NULL) g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar u, low;

            gsize escape_pos = s->pos - 2;

            if (!scan_hex4 (s, &u))
              return FALSE;

            /* A lone surrogate has no UTF-8 form (and json-glib turns it
             * into bytes that are not UTF-8): refuse it.
             */
            if (u >= 0xd800 && u < 0xdc00)
              {
                if (s->pos + 1 < s->len && s->text[s->pos] == '\\' && s->text[s->pos + 1] == 'u')
                  {
                    s->pos += 2;
                    if (!scan_hex4 (s, &low))
                      return FALSE;
                  }
                else
                  {
                    low = 0;
                  }

                if (low < 0xdc00 || low > 0xdfff)
                  {
                    s->pos = escape_pos;
                    return scan_fail (s, "a \\u escape of a lone surrogate is not allowed");
                  }
                u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (u >= 0xdc00 && u <= 0xdfff)
              {
                s->pos = escape_pos;
                return scan_fail (s, "a \\u escape of a lone surrogate is not allowed");
              }

            if (out != NULL)
              g_string_append_unichar (out, u);
          }
          break;
        default:
          s->pos--;
          return scan_unexpected (s, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize n = strlen (word);

  if (s->len - s->pos < n || strncmp (s->text + s->pos, word, n) != 0)
    return scan_unexpected (s, "a JSON value");

  s->pos += n;
  return TRUE;
}

static gboolean
scan_number (Scanner *s)
{
  if (s->text[s->pos] == '-')
    s->pos++;

  if (s->pos >= s->len || !g_ascii_isdigit (s->text[s->pos]))
    return scan_unexpected (s, "a digit");

  if (s->text[s->pos] == '0')
    s->pos++;
  else
    while (s->pos < s->len && g_ascii_isdigit (s->text[s->pos]))
      s->pos++;

  if (s->pos < s->len && s->text[s->pos] == '.')
    {
      s->pos++;
      if (s->pos >= s->len || !g_ascii_isdigit (s->text[s->pos]))
        return scan_unexpected (s, "a digit after '.'");
      while (s->pos < s->len && g_ascii_isdigit (s->text[s->pos]))
        s->pos++;
    }

  if (s->pos < s->len && (s->text[s->pos] == 'e' || s->text[s->pos] == 'E'))
    {
      s->pos++;
      if (s->pos < s->len && (s->text[s->pos] == '+' || s->text[s->pos] == '-'))
        s->pos++;
      if (s->pos >= s->len || !g_ascii_isdigit (s->text[s->pos]))
        return scan_unexpected (s, "a digit in the exponent");
      while (s->pos < s->len && g_ascii_isdigit (s->text[s->pos]))
        s->pos++;
    }

  return TRUE;
}

static gboolean
scan_container (Scanner    *s,
                const char *path,
                guint       depth)
{
  gboolean is_object = s->text[s->pos] == '{';
  char close = is_object ? '}' : ']';
  gint index = 0;

  if (depth >= s->max_depth)
    {
      g_autofree char *what = g_strdup_printf ("nested too deeply (more than %u levels)", s->max_depth);

      return scan_fail (s, what);
    }

  s->pos++;
  scan_ws (s);
  if (s->pos < s->len && s->text[s->pos] == close)
    {
      s->pos++;
      return TRUE;
    }

  for (;;)
    {
      g_autofree char *child = NULL;

      scan_ws (s);
      if (is_object)
        {
          g_autoptr(GString) key = g_string_new (NULL);
          gsize key_pos = s->pos;
          int key_line = s->line;
          gsize key_line_start = s->line_start;

          if (s->pos >= s->len || s->text[s->pos] != '"')
            return scan_unexpected (s, "a member name in double quotes");

          if (!scan_string (s, s->locations != NULL ? key : NULL))
            return FALSE;

          if (s->locations != NULL)
            {
              gsize end = s->pos;

              child = _ward_json_path_append (path, key->str, -1);
              s->pos = key_pos;
              s->line = key_line;
              s->line_start = key_line_start;
              record (s, child, TRUE);
              s->pos = end;
            }

          scan_ws (s);
          if (s->pos >= s->len || s->text[s->pos] != ':')
            return scan_unexpected (s, "':'");
          s->pos++;
        }
      else if (s->locations != NULL)
        {
          child = _ward_json_path_append (path, NULL, index);
        }

      if (!scan_value (s, child, depth + 1))
        return FALSE;

      index++;
      scan_ws (s);
      if (s->pos < s->len && s->text[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      if (s->pos < s->len && s->text[s->pos] == close)
        {
          s->pos++;
          return TRUE;
        }

      return scan_unexpected (s, is_object ? "',' or '}'" : "',' or ']'");
    }
}

static gboolean
scan_value (Scanner    *s,
            const char *path,
            guint       depth)
{
  scan_ws (s);
  if (s->pos >= s->len)
    return scan_unexpected (s, "a JSON value");

  if (path != NULL)
    record (s, path, FALSE);

  switch (s->text[s->pos])
    {
    case '{':
    case '[':
      return scan_container (s, path, depth);
    case '"':
      return scan_string (s, NULL);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return scan_number (s);
    default:
      return scan_unexpected (s, "a JSON value");
    }
}

gboolean
_ward_json_scan (const char  *text,
                 gsize        length,
                 guint        max_depth,
                 GHashTable  *locations,
                 GError     **error)
{
  Scanner s = { 0 };
  const char *bad = NULL;

  s.text = text;
  s.len = length;
  s.line = 1;
  s.max_depth = max_depth;
  s.locations = locations;
  s.error = error;

  if (!g_utf8_validate (text, (gssize) length, &bad))
    {
      /* Position the error on the first bad byte. */
      s.pos = 0;
      while (text + s.pos < bad)
        {
          if (text[s.pos] == '\n')
            {
              s.line++;
              s.line_start = s.pos + 1;
            }
          s.pos++;
        }
      return scan_fail (&s, bad < text + length && *bad == '\0'
                            ? "a NUL character is not allowed" : "not valid UTF-8");
    }

  scan_ws (&s);
  if (s.pos >= s.len)
    return scan_fail (&s, "no JSON value (the data is empty)");

  if (!scan_value (&s, locations != NULL ? "$" : NULL, 0))
    return FALSE;

  scan_ws (&s);
  if (s.pos < s.len)
    return scan_unexpected (&s, "the end of the data (only one JSON value is allowed)");

  return TRUE;
}

static gboolean
is_simple_name (const char *name)
{
  if (*name == '\0' || g_ascii_isdigit (*name))
    return FALSE;

  for (const char *p = name; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
        return FALSE;
    }

  return TRUE;
}

char *
_ward_json_path_append (const char *parent,
                        const char *member,
                        gint        index)
{
  GString *path = g_string_new (parent);

  if (member == NULL)
    {
      g_string_append_printf (path, "[%d]", index);
    }
  else if (is_simple_name (member))
    {
      g_string_append_printf (path, ".%s", member);
    }
  else
    {
      g_string_append (path, "['");
      for (const char *p = member; *p; p++)
        {
          if (*p == '\'' || *p == '\\')
            g_string_append_c (path, '\\');
          g_string_append_c (path, *p);
        }
      g_string_append (path, "']");
    }

  return g_string_free (path, FALSE);
}

/* Expressions */

void
_ward_template_expr_free (WardTemplateExpr *expr)
{
  if (expr == NULL)
    return;

  g_free (expr->text);
  g_clear_pointer (&expr->jsonpath, ward_jsonpath_free);
  g_clear_pointer (&expr->jmespath, ward_jmespath_free);
  g_free (expr);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardTemplateExpr, _ward_template_expr_free)

static WardTemplateExpr *
compile_expression (const char        *text,
                    WardExprLanguage   language,
                    GError           **error)
{
  g_autoptr(WardTemplateExpr) expr = g_new0 (WardTemplateExpr, 1);

  expr->text = g_strdup (text);
  expr->language = language;

  if (language == WARD_EXPR_JSONPATH)
    expr->jsonpath = ward_jsonpath_compile (text, error);
  else
    expr->jmespath = ward_jmespath_compile (text, error);

  if (expr->jsonpath == NULL && expr->jmespath == NULL)
    return NULL;

  return g_steal_pointer (&expr);
}

static gboolean
parse_language (Loader           *l,
                JsonNode         *node,
                const char       *path,
                WardExprLanguage *language)
{
  const char *text;

  if (!_ward_json_holds_string (node))
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Expected \"JsonPath\" or \"JmesPath\" for the expression language, found %s.",
                                       _ward_json_describe_node_type (node));
      return FALSE;
    }

  text = json_node_get_string (node);
  if (g_ascii_strcasecmp (text, "JsonPath") == 0)
    *language = WARD_EXPR_JSONPATH;
  else if (g_ascii_strcasecmp (text, "JmesPath") == 0)
    *language = WARD_EXPR_JMESPATH;
  else
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Unknown expression language '%s'; expected JsonPath or JmesPath.", text);
      return FALSE;
    }

  return TRUE;
}

/* Reads one expression member.  Returns FALSE on a fatal issue; *out is
 * NULL when the member is absent (or optional and empty).
 */
static gboolean
parse_expression (Loader            *l,
                  JsonObject        *object,
                  const char        *object_path,
                  const char        *member,
                  const char        *display,
                  gboolean           required,
                  WardExprLanguage   language,
                  gboolean           allow_object,
                  const char        *language_member,
                  WardTemplateExpr **out)
{
  g_autofree char *path = _ward_json_path_append (object_path, member, -1);
  g_autofree char *text_path = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  *out = NULL;

  if (node == NULL)
    {
      if (required)
        {
          _ward_template_loader_add_issue (l->base, object_path, FALSE, TRUE,
                                           "Required property '%s' not found in JSON.", display);
          return FALSE;
        }
      return TRUE;
    }

  if (JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          _ward_template_loader_add_issue (l->base, path, TRUE, TRUE,
                                           "Required property '%s' expects a value but got null.", display);
          return FALSE;
        }
      return TRUE;
    }

  /* The historical ExpressionContent gave the language in a member of
   * its own: "typeMatchExpressionLanguage".
   */
  if (language_member != NULL && json_object_has_member (object, language_member))
    {
      g_autofree char *language_path = _ward_json_path_append (object_path, language_member, -1);

      if (!parse_language (l, json_object_get_member (object, language_member), language_path, &language))
        return FALSE;
    }

  if (_ward_json_holds_string (node))
    {
      text = json_node_get_string (node);
      text_path = g_strdup (path);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node) && allow_object)
    {
      JsonObject *expr_object = json_node_get_object (node);
      JsonNode *value = json_object_get_member (expr_object, "value");
      JsonNode *lang = json_object_get_member (expr_object, "language");
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, expr_object);
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (!g_str_equal (name, "value") && !g_str_equal (name, "language"))
            {
              g_autofree char *child_path = _ward_json_path_append (path, name, -1);

              _ward_template_loader_add_issue (l->base, child_path, TRUE, FALSE,
                                               "Unknown member '%s' of an expression is ignored (an expression has \"value\" and \"language\").",
                                               name);
            }
        }

      if (lang != NULL && !JSON_NODE_HOLDS_NULL (lang))
        {
          g_autofree char *language_path = _ward_json_path_append (path, "language", -1);

          if (!parse_language (l, lang, language_path, &language))
            return FALSE;
        }

      text_path = _ward_json_path_append (path, "value", -1);
      if (value == NULL || JSON_NODE_HOLDS_NULL (value))
        {
          _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                           "Required property 'Value' not found in JSON (the expression of %s).",
                                           display);
          return FALSE;
        }
      if (!_ward_json_holds_string (value))
        {
          _ward_template_loader_add_issue (l->base, text_path, FALSE, TRUE,
                                           "Expected a string for the value of %s, found %s.",
                                           display, _ward_json_describe_node_type (value));
          return FALSE;
        }
      text = json_node_get_string (value);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Expected a string for %s: {\"value\", \"language\"} expressions are for CalculatedContent templates.",
                                       display);
      return FALSE;
    }
  else
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Expected a string for %s, found %s.", display,
                                       _ward_json_describe_node_type (node));
      return FALSE;
    }

  if (_ward_json_is_blank (text))
    {
      if (required)
        {
          _ward_template_loader_add_issue (l->base, text_path, FALSE, TRUE,
                                           "An expression must be set for [%s]", display);
          return FALSE;
        }

      _ward_template_loader_add_issue (l->base, text_path, FALSE, FALSE, "%s is empty and is ignored.", display);
      return TRUE;
    }

  *out = compile_expression (text, language, &error);
  if (*out == NULL)
    {
      _ward_template_loader_add_issue (l->base, text_path, FALSE, TRUE,
                                       "%s \"%s\" is not a valid %s expression: %s", display, text,
                                       language == WARD_EXPR_JSONPATH ? "JSONPath" : "JMESPath", error->message);
      return FALSE;
    }

  return TRUE;
}

/* Templates */

void
_ward_content_template_free (WardContentTemplate *tmpl)
{
  if (tmpl == NULL)
    return;

  g_free (tmpl->template_type);
  g_free (tmpl->type_name);
  _ward_template_expr_free (tmpl->type_match);
  _ward_template_expr_free (tmpl->device_id);
  _ward_template_expr_free (tmpl->timestamp);
  _ward_template_expr_free (tmpl->timestamp_fallback);
  _ward_template_expr_free (tmpl->patient_id);
  _ward_template_expr_free (tmpl->encounter_id);
  _ward_template_expr_free (tmpl->correlation_id);
  g_clear_pointer (&tmpl->values, g_ptr_array_unref);
  g_free (tmpl);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardContentTemplate, _ward_content_template_free)

static void
template_value_free (WardTemplateValue *value)
{
  g_free (value->name);
  _ward_template_expr_free (value->expr);
  g_free (value);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardTemplateValue, template_value_free)

static WardTemplateExpr **
expression_slot (WardContentTemplate *tmpl,
                 guint                i)
{
  return G_STRUCT_MEMBER_P (tmpl, expression_members[i].offset);
}

static WardTemplateExpr *
implicit_expression (const char *text)
{
  WardTemplateExpr *expr = compile_expression (text, WARD_EXPR_JSONPATH, NULL);

  g_assert (expr != NULL);
  return expr;
}

/* The "required" flag: a boolean, or a string the way Json.NET converts
 * it ("true", "False", " true ").
 */
static gboolean
parse_required (Loader     *l,
                JsonNode   *node,
                const char *path,
                gboolean   *required)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      *required = json_node_get_boolean (node);
      return TRUE;
    }

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *required = json_node_get_int (node) != 0;
      return TRUE;
    }

  if (_ward_json_holds_string (node))
    {
      g_autofree char *text = g_strstrip (g_strdup (json_node_get_string (node)));

      if (g_ascii_strcasecmp (text, "true") == 0 || g_ascii_strcasecmp (text, "false") == 0)
        {
          *required = g_ascii_strcasecmp (text, "true") == 0;
          return TRUE;
        }

      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Could not convert string to boolean: %s.", json_node_get_string (node));
      return FALSE;
    }

  _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                   "Expected true or false for required, found %s.",
                                   _ward_json_describe_node_type (node));
  return FALSE;
}

static gboolean
parse_values (Loader              *l,
              WardContentTemplate *tmpl,
              const ContentType   *type,
              JsonNode            *node,
              const char          *path,
              WardExprLanguage     language)
{
  gboolean ok = TRUE;
  JsonArray *array;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Expected an array for values, found %s.", _ward_json_describe_node_type (node));
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *item_path = _ward_json_path_append (path, NULL, (gint) i);
      g_autoptr(WardTemplateValue) value = g_new0 (WardTemplateValue, 1);
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *object;
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;
      JsonNode *value_name;
      gboolean item_ok = TRUE;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          _ward_template_loader_add_issue (l->base, item_path, FALSE, TRUE,
                                           "Expected an object with valueName, valueExpression and required, found %s.",
                                           _ward_json_describe_node_type (item));
          ok = FALSE;
          continue;
        }

      object = json_node_get_object (item);
      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          g_autofree char *child_path = _ward_json_path_append (item_path, name, -1);

          if (g_str_equal (name, "valueName") || g_str_equal (name, "valueExpression") ||
              (type->historical && g_str_equal (name, "valueExpressionLanguage")))
            continue;

          if (g_str_equal (name, "required"))
            {
              if (!parse_required (l, child, child_path, &value->required))
                item_ok = FALSE;
              continue;
            }

          _ward_template_loader_add_issue (l->base, child_path, TRUE, TRUE,
                                           "Could not find member '%s' on object of type '%s'.",
                                           name, "ValueExpression");
          item_ok = FALSE;
        }

      value_name = json_object_get_member (object, "valueName");
      if (value_name == NULL)
        {
          _ward_template_loader_add_issue (l->base, item_path, FALSE, TRUE,
                                           "Required property 'ValueName' not found in JSON.");
          item_ok = FALSE;
        }
      else if (!_ward_json_holds_string (value_name))
        {
          g_autofree char *name_path = _ward_json_path_append (item_path, "valueName", -1);

          _ward_template_loader_add_issue (l->base, name_path, FALSE, TRUE,
                                           "Expected a string for valueName, found %s.",
                                           _ward_json_describe_node_type (value_name));
          item_ok = FALSE;
        }
      else
        {
          value->name = g_strdup (json_node_get_string (value_name));
        }

      if (!parse_expression (l, object, item_path, "valueExpression", "ValueExpression", TRUE,
                             language, tmpl->kind == WARD_CONTENT_CALCULATED,
                             type->historical ? "valueExpressionLanguage" : NULL, &value->expr))
        item_ok = FALSE;

      if (item_ok && value->expr != NULL)
        g_ptr_array_add (tmpl->values, g_steal_pointer (&value));
      else
        ok = FALSE;
    }

  return ok;
}

static gboolean
is_known_member (const ContentType *type,
                 const char        *name)
{
  if (g_str_equal (name, "typeName") || g_str_equal (name, "values"))
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (expression_members); i++)
    {
      gsize n = strlen (expression_members[i].member);

      if (g_str_equal (name, expression_members[i].member))
        return TRUE;

      if (type->historical && strncmp (name, expression_members[i].member, n) == 0 &&
          g_str_equal (name + n, "Language"))
        return TRUE;
    }

  if (type->kind == WARD_CONTENT_CALCULATED && g_str_equal (name, "defaultExpressionLanguage"))
    return TRUE;

  return FALSE;
}

static WardContentTemplate *
parse_content_template (Loader            *l,
                        const ContentType *type,
                        JsonObject        *object,
                        const char        *path,
                        guint              index,
                        const char        *template_type)
{
  g_autoptr(WardContentTemplate) tmpl = g_new0 (WardContentTemplate, 1);
  WardExprLanguage language = WARD_EXPR_JSONPATH;
  gboolean is_iot = type->kind == WARD_CONTENT_IOT || type->kind == WARD_CONTENT_IOT_CENTRAL;
  gboolean ok = TRUE;
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;
  JsonNode *type_name;
  JsonNode *values;

  tmpl->kind = type->kind;
  tmpl->index = index;
  tmpl->template_type = g_strdup (template_type);
  tmpl->values = g_ptr_array_new_with_free_func ((GDestroyNotify) template_value_free);

  /* MissingMemberHandling.Error: an unknown member is a mistake. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      g_autofree char *child_path = _ward_json_path_append (path, name, -1);

      if (!is_known_member (type, name))
        {
          _ward_template_loader_add_issue (l->base, child_path, TRUE, TRUE,
                                           "Could not find member '%s' on object of type '%s'.",
                                           name, type->short_name);
          ok = FALSE;
        }
      else if (is_iot && (g_str_equal (name, "deviceIdExpression") || g_str_equal (name, "timestampExpression")))
        {
          _ward_template_loader_add_issue (l->base, child_path, TRUE, FALSE,
                                           "%s is ignored: %s templates take the device id and the time from the message envelope.",
                                           name, type->short_name);
        }
    }

  if (json_object_has_member (object, "defaultExpressionLanguage"))
    {
      g_autofree char *language_path = _ward_json_path_append (path, "defaultExpressionLanguage", -1);

      if (!parse_language (l, json_object_get_member (object, "defaultExpressionLanguage"), language_path, &language))
        ok = FALSE;
    }

  if (type->historical)
    _ward_template_loader_add_issue (l->base, path, FALSE, FALSE,
                                     "ExpressionContent is the connector's old name of CalculatedContent; it is read as CalculatedContent.");

  type_name = json_object_get_member (object, "typeName");
  if (type_name == NULL)
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE, "Required property 'TypeName' not found in JSON.");
      ok = FALSE;
    }
  else if (!_ward_json_holds_string (type_name))
    {
      g_autofree char *type_name_path = _ward_json_path_append (path, "typeName", -1);

      _ward_template_loader_add_issue (l->base, type_name_path, FALSE, TRUE,
                                       "Expected a string for typeName, found %s.",
                                       _ward_json_describe_node_type (type_name));
      ok = FALSE;
    }
  else
    {
      tmpl->type_name = g_strdup (json_node_get_string (type_name));
      if (_ward_json_is_blank (tmpl->type_name))
        {
          g_autofree char *type_name_path = _ward_json_path_append (path, "typeName", -1);

          _ward_template_loader_add_issue (l->base, type_name_path, FALSE, FALSE,
                                           "typeName is empty: its measurements will have no type and cannot be scored.");
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (expression_members); i++)
    {
      const char *member = expression_members[i].member;
      g_autofree char *language_member = NULL;
      gboolean envelope = is_iot && i >= 1 && i <= 2;
      gboolean required = i == 0 || (i <= 2 && !is_iot);

      if (envelope)
        continue;

      if (type->historical)
        language_member = g_strconcat (member, "Language", NULL);

      if (!parse_expression (l, object, path, member, expression_members[i].display, required, language,
                             type->kind == WARD_CONTENT_CALCULATED, language_member, expression_slot (tmpl, i)))
        ok = FALSE;
    }

  /* The IoT templates read the device id and the time from the envelope
   * (IotJsonPathContentTemplate, IotCentralJsonPathContentTemplate).
   */
  if (type->kind == WARD_CONTENT_IOT)
    {
      tmpl->device_id = implicit_expression ("$.SystemProperties.iothub-connection-device-id");
      tmpl->timestamp = implicit_expression ("$.Properties.iothub-creation-time-utc");
      tmpl->timestamp_fallback = implicit_expression ("$.SystemProperties.iothub-enqueuedtime");
    }
  else if (type->kind == WARD_CONTENT_IOT_CENTRAL)
    {
      tmpl->device_id = implicit_expression ("$.deviceId");
      tmpl->timestamp = implicit_expression ("$.enqueuedTime");
    }

  values = json_object_get_member (object, "values");
  if (values != NULL)
    {
      g_autofree char *values_path = _ward_json_path_append (path, "values", -1);

      if (!parse_values (l, tmpl, type, values, values_path, language))
        ok = FALSE;
    }

  if (!ok)
    return NULL;

  return g_steal_pointer (&tmpl);
}

static void
load_content (Loader     *l,
              JsonNode   *node,
              const char *path,
              guint       index)
{
  const ContentType *type = NULL;
  g_autofree char *template_path = _ward_json_path_append (path, "template", -1);
  JsonObject *object;
  JsonNode *type_node;
  JsonNode *template_node;
  const char *template_type = NULL;
  WardContentTemplate *tmpl;
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Expected an object with templateType and template, found %s.",
                                       _ward_json_describe_node_type (node));
      return;
    }

  object = json_node_get_object (node);
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      if (!g_str_equal (name, "templateType") && !g_str_equal (name, "template"))
        {
          g_autofree char *child_path = _ward_json_path_append (path, name, -1);

          _ward_template_loader_add_issue (l->base, child_path, TRUE, FALSE, "Unknown member '%s' is ignored.", name);
        }
    }

  type_node = json_object_get_member (object, "templateType");
  if (_ward_json_holds_string (type_node))
    template_type = json_node_get_string (type_node);

  for (guint i = 0; template_type != NULL && i < G_N_ELEMENTS (content_types); i++)
    {
      if (_ward_template_match_name (template_type, content_types[i].type_name))
        {
          type = &content_types[i];
          break;
        }
    }

  if (type == NULL)
    {
      g_autofree char *type_path = _ward_json_path_append (path, "templateType", -1);

      _ward_template_loader_add_issue (l->base, type_node != NULL ? type_path : path, FALSE, TRUE,
                                       "No match found for template type %s.",
                                       template_type != NULL ? template_type : "");
      return;
    }

  template_node = json_object_get_member (object, "template");
  if (template_node == NULL || !JSON_NODE_HOLDS_OBJECT (template_node))
    {
      _ward_template_loader_add_issue (l->base, template_node != NULL ? template_path : path, FALSE, TRUE,
                                       "Expected an object for the template property value for template type %s.",
                                       type->type_name);
      return;
    }

  tmpl = parse_content_template (l, type, json_node_get_object (template_node), template_path, index,
                                 template_type);
  if (tmpl != NULL)
    g_ptr_array_add (l->self->templates, tmpl);
}

gboolean
_ward_device_template_load (WardDeviceTemplate  *self,
                            const char          *data,
                            gsize                length,
                            GError             **error)
{
  g_auto(WardTemplateLoader) base = { .issues = self->issues, .filename = self->filename };
  Loader loader = { &base, self };
  Loader *l = &loader;
  JsonNode *root;
  JsonObject *object;
  JsonNode *type_node;
  JsonNode *template_node;
  const char *template_type = "";
  JsonArray *array;
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;

  root = _ward_template_loader_parse (l->base, data, length, error);
  if (root == NULL)
    return FALSE;

  object = json_node_get_object (root);
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      if (!g_str_equal (name, "templateType") && !g_str_equal (name, "template"))
        {
          g_autofree char *child_path = _ward_json_path_append ("$", name, -1);

          _ward_template_loader_add_issue (l->base, child_path, TRUE, FALSE, "Unknown member '%s' is ignored.", name);
        }
    }

  type_node = json_object_get_member (object, "templateType");
  if (_ward_json_holds_string (type_node))
    template_type = json_node_get_string (type_node);

  if (!_ward_template_match_name (template_type, "CollectionContentTemplate"))
    {
      gboolean single = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (content_types); i++)
        single |= _ward_template_match_name (template_type, content_types[i].type_name);

      _ward_template_loader_add_issue (l->base, type_node != NULL ? "$.templateType" : "$", FALSE, TRUE,
                                       "Expected TemplateType value CollectionContentTemplate, actual %s.%s",
                                       template_type,
                                       single ? " A device mapping is a collection: {\"templateType\": \"CollectionContent\", "
                                                "\"template\": [ your templates ]}." : "");
      return _ward_template_loader_fail (l->base, WARD_TEMPLATE_ERROR_INVALID, error);
    }

  template_node = json_object_get_member (object, "template");
  if (template_node == NULL || !JSON_NODE_HOLDS_ARRAY (template_node))
    {
      _ward_template_loader_add_issue (l->base, template_node != NULL ? "$.template" : "$", FALSE, TRUE,
                                       "Expected an array for the template property value for template type CollectionContentTemplate.");
      return _ward_template_loader_fail (l->base, WARD_TEMPLATE_ERROR_INVALID, error);
    }

  array = json_node_get_array (template_node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = _ward_json_path_append ("$.template", NULL, (gint) i);

      load_content (l, json_array_get_element (array, i), path, i);
    }

  /* MixedValidity: the templates that are valid are used even when
   * others are not; only a mapping with nothing usable fails.
   */
  if (self->templates->len == 0 && !ward_device_template_is_valid (self))
    return _ward_template_loader_fail (l->base, WARD_TEMPLATE_ERROR_INVALID, error);

  return TRUE;
}
