/* ward-template-loader.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-template-loader"

#include "config.h"

#include "ward-template-loader-private.h"

#include <string.h>

#include "ward-core-resources.h"
#include "ward-device-template-private.h"

/* json-glib says "<data>:3:7: Parse error: ..." and _ward_json_scan()
 * "3:7: ...": keep line and column.
 */
static void
add_parse_issue (WardTemplateLoader *l,
                 const char         *message)
{
  WardTemplateIssue *issue = g_new0 (WardTemplateIssue, 1);
  const char *rest = message;
  int line = 0, column = 0;
  char *end = NULL;

  if (g_str_has_prefix (rest, "<data>:"))
    rest += strlen ("<data>:");

  line = (int) g_ascii_strtoll (rest, &end, 10);
  if (end != rest && *end == ':')
    {
      const char *p = end + 1;

      column = (int) g_ascii_strtoll (p, &end, 10);
      if (end != p && *end == ':')
        rest = end + 1;
      else
        line = column = 0;
      while (*rest == ' ')
        rest++;
    }
  else
    {
      line = 0;
    }

  issue->line = line;
  issue->column = column;
  issue->path = g_strdup ("$");
  issue->message = g_utf8_make_valid (rest, -1);
  issue->fatal = TRUE;
  g_ptr_array_add (l->issues, issue);
}

void
_ward_template_loader_clear (WardTemplateLoader *l)
{
  g_clear_pointer (&l->locations, g_hash_table_unref);
  g_clear_object (&l->parser);
}

/* Checks and parses data (see _ward_json_scan()) and returns its root,
 * an object, which l keeps alive.  On failure the problem is an issue
 * and error says it.
 */
JsonNode *
_ward_template_loader_parse (WardTemplateLoader  *l,
                             const char          *data,
                             gsize                length,
                             GError             **error)
{
  g_autoptr(GHashTable) locations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_assert (l->locations == NULL);
  g_assert (l->parser == NULL);

  l->parser = json_parser_new ();
  if (!_ward_json_scan (data, length, WARD_TEMPLATE_MAX_DEPTH, locations, &local_error) ||
      !json_parser_load_from_data (l->parser, data, (gssize) length, &local_error))
    {
      add_parse_issue (l, local_error->message);
      _ward_template_loader_fail (l, WARD_TEMPLATE_ERROR_PARSE, error);
      return NULL;
    }

  l->locations = g_steal_pointer (&locations);
  root = json_parser_get_root (l->parser);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      _ward_template_loader_add_issue (l, "$", FALSE, TRUE,
                                       "Expected a JSON object with templateType and template, found %s.",
                                       _ward_json_describe_node_type (root));
      _ward_template_loader_fail (l, WARD_TEMPLATE_ERROR_INVALID, error);
      return NULL;
    }

  return root;
}

void
_ward_template_loader_add_issue (WardTemplateLoader *l,
                                 const char         *path,
                                 gboolean            at_key,
                                 gboolean            fatal,
                                 const char         *format,
                                 ...)
{
  WardTemplateIssue *issue = g_new0 (WardTemplateIssue, 1);
  WardJsonLocation *loc = l->locations != NULL ? g_hash_table_lookup (l->locations, path) : NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Names and values quoted from the file are UTF-8 already; this is a
   * last guard, as messages end up in logs and JSON.
   */
  issue->message = g_utf8_make_valid (message, -1);
  issue->path = g_utf8_make_valid (path, -1);
  issue->fatal = fatal;
  if (loc != NULL)
    {
      if (at_key && loc->key_line > 0)
        {
          issue->line = loc->key_line;
          issue->column = loc->key_column;
        }
      else
        {
          issue->line = loc->value_line;
          issue->column = loc->value_column;
        }
    }

  g_ptr_array_add (l->issues, issue);
}

/* Sets error from the first fatal issue, counting the others.  Always
 * FALSE, for "return _ward_template_loader_fail (...)".
 */
gboolean
_ward_template_loader_fail (WardTemplateLoader  *l,
                            guint                code,
                            GError             **error)
{
  WardTemplateIssue *first = NULL;
  guint n_fatal = 0;
  const char *filename = l->filename ? l->filename : "<data>";

  for (guint i = 0; i < l->issues->len; i++)
    {
      WardTemplateIssue *issue = l->issues->pdata[i];

      if (issue->fatal)
        {
          if (first == NULL)
            first = issue;
          n_fatal++;
        }
    }

  g_assert (first != NULL);

  if (n_fatal > 1)
    g_set_error (error, WARD_TEMPLATE_ERROR, code,
                 "%s:%d:%d: %s (and %u more errors; wardwatch-cli map --check lists them)",
                 filename, first->line, first->column, first->message, n_fatal - 1);
  else
    g_set_error (error, WARD_TEMPLATE_ERROR, code, "%s:%d:%d: %s", filename, first->line, first->column,
                 first->message);

  return FALSE;
}

/* The template constructors: new_from_data() passes keep_invalid FALSE
 * and gets NULL when nothing is usable; new_for_check() passes TRUE and
 * gets the template with its issues anyway.
 */
gpointer
_ward_template_loader_new (GType                  type,
                           WardTemplateLoadFunc   load,
                           const char            *data,
                           gssize                 length,
                           const char            *filename,
                           gboolean               keep_invalid,
                           GError               **error)
{
  g_autoptr(GObject) object = g_object_new (type, NULL);
  g_autoptr(GError) local_error = NULL;
  gsize len;

  if (data == NULL)
    data = "";
  len = length < 0 ? strlen (data) : (gsize) length;

  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      len -= 3;
    }

  if (!load (object, data, len, filename, &local_error) && !keep_invalid)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&object);
}

gpointer
_ward_template_loader_new_from_file (GType                  type,
                                     WardTemplateLoadFunc   load,
                                     const char            *path,
                                     GError               **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  return _ward_template_loader_new (type, load, contents, (gssize) length, path, FALSE, error);
}

gpointer
_ward_template_loader_new_from_resource (GType                  type,
                                         WardTemplateLoadFunc   load,
                                         const char            *resource_path,
                                         GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  const char *data;

  bytes = g_resource_lookup_data (ward_core_get_resource (), resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &length);
  return _ward_template_loader_new (type, load, data, (gssize) length, resource_path, FALSE, error);
}

/* Whether no issue is fatal. */
gboolean
_ward_template_issues_valid (GPtrArray *issues)
{
  for (guint i = 0; i < issues->len; i++)
    {
      const WardTemplateIssue *issue = issues->pdata[i];

      if (issue->fatal)
        return FALSE;
    }

  return TRUE;
}

/* TemplateContainer.MatchTemplateName(): case-insensitive, and the
 * "Template" suffix may be left out.  We accept it either way for every
 * type (the connector does for some only).
 */
gboolean
_ward_template_match_name (const char *template_type,
                           const char *expected)
{
  gsize n;

  if (template_type == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (template_type, expected) == 0)
    return TRUE;

  n = strlen (expected);
  if (n > 8 && g_ascii_strcasecmp (expected + n - 8, "Template") == 0)
    return strlen (template_type) == n - 8 && g_ascii_strncasecmp (template_type, expected, n - 8) == 0;

  return strlen (template_type) == n + 8 && g_ascii_strncasecmp (template_type, expected, n) == 0 &&
         g_ascii_strcasecmp (template_type + n, "Template") == 0;
}

const char *
_ward_json_describe_node_type (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return "a string";
        case G_TYPE_BOOLEAN:
          return "a boolean";
        default:
          return "a number";
        }
    }
}

gboolean
_ward_json_holds_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Whether s is NULL, empty or only ASCII white space. */
gboolean
_ward_json_is_blank (const char *s)
{
  for (; s != NULL && *s; s++)
    {
      if (!g_ascii_isspace (*s))
        return FALSE;
    }

  return TRUE;
}
