/* ward-device-template.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-device-template"

#include "config.h"

#include "ward-device-template-private.h"
#include "ward-template-loader-private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ward-device-mapping.h"

/* Mapping follows the connector's MeasurementExtractor and its legacy
 * variant:
 *
 * - Templates run in collection order; each one selects tokens with its
 *   typeMatchExpression (all of them, in order), and each token gives
 *   one measurement.
 * - CalculatedContent evaluates its other expressions on a copy of the
 *   message with the token added as "matchedToken"; the JsonPath and IoT
 *   templates evaluate them on the token itself.
 * - An expression must select at most one token ("single value"): more
 *   is an error even for an optional value.  A required value that is
 *   missing, null or blank is an error; an optional one is left out.
 *   The device id, the timestamp, and the correlation id when there is
 *   an expression for it, are required.
 * - A token becomes a string as Json.NET's Value<string>() makes it (see
 *   ward_device_template_format_value()).
 *
 * Unlike the connector, which let one bad message stop the pipeline,
 * an error fails only its message: nothing of it is kept, and the caller
 * dead-letters it and goes on.
 */

#define MAX_MESSAGE_DEPTH    256
#define FUTURE_TOLERANCE     (5 * WARD_USEC_PER_MINUTE)

typedef enum
{
  EVAL_STRING,
  EVAL_TIME,
} EvalKind;

G_DEFINE_FINAL_TYPE (WardDeviceTemplate, ward_device_template, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-template-error-quark, ward_template_error)

void
ward_template_issue_free (WardTemplateIssue *issue)
{
  if (issue == NULL)
    return;

  g_free (issue->path);
  g_free (issue->message);
  g_free (issue);
}

/* Values */

/* Json.NET formats a double as .NET Core's Double.ToString() does: the
 * shortest digits that read back the same, in scientific notation
 * ("1E+15", "1E-05") when the decimal exponent is at least 15 or below
 * -4.
 */
static char *
format_double (double d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[32];
  GString *out;
  gsize n_digits = 0;
  int exponent;
  char *e;

  if (d == 0)
    return g_strdup (signbit (d) ? "-0" : "0");

  if (!isfinite (d))
    return g_strdup (isnan (d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");

  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%de", precision - 1);
      g_ascii_formatd (buf, sizeof buf, format, d);
      if (g_ascii_strtod (buf, NULL) == d)
        break;
    }

  e = strchr (buf, 'e');
  g_assert (e != NULL);
  exponent = atoi (e + 1);
  for (const char *p = buf; p < e; p++)
    {
      if (g_ascii_isdigit (*p) && n_digits < sizeof digits - 1)
        digits[n_digits++] = *p;
    }
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;
  digits[n_digits] = '\0';

  out = g_string_new (d < 0 ? "-" : "");
  if (exponent >= 15 || exponent < -4)
    {
      g_string_append_c (out, digits[0]);
      if (n_digits > 1)
        g_string_append_printf (out, ".%s", digits + 1);
      g_string_append_printf (out, "E%c%02d", exponent < 0 ? '-' : '+', ABS (exponent));
    }
  else if (exponent < 0)
    {
      g_string_append (out, "0.");
      for (int i = -1; i > exponent; i--)
        g_string_append_c (out, '0');
      g_string_append (out, digits);
    }
  else
    {
      for (int i = 0; i <= exponent; i++)
        g_string_append_c (out, (gsize) i < n_digits ? digits[i] : '0');
      if (n_digits > (gsize) exponent + 1)
        g_string_append_printf (out, ".%s", digits + exponent + 1);
    }

  return g_string_free (out, FALSE);
}

char *
ward_device_template_format_value (JsonNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return format_double (json_node_get_double (node));
    case G_TYPE_BOOLEAN:
      /* Convert.ToString(bool): "True", "False". */
      return g_strdup (json_node_get_boolean (node) ? "True" : "False");
    default:
      return NULL;
    }
}

/* Times */

static gboolean
read_digits (const char **p,
             guint        n,
             int         *value)
{
  *value = 0;
  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      *value = *value * 10 + ((*p)[i] - '0');
    }

  *p += n;
  return TRUE;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 y = year - (month <= 2);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

static gboolean
parse_ms_date (const char *p,
               gint64     *usec)
{
  gint64 ms;
  char *end = NULL;

  /* "/Date(1549061161875)/" or with an offset "/Date(1549061161875+0100)/";
   * the milliseconds are UTC whatever the offset says.
   */
  p += strlen ("/Date(");
  if (!g_ascii_isdigit (*p) && *p != '-')
    return FALSE;

  errno = 0;
  ms = g_ascii_strtoll (p, &end, 10);
  if (errno != 0 || end == p || ms > G_MAXINT64 / 1000 || ms < G_MININT64 / 1000)
    return FALSE;

  p = end;
  if (*p == '+' || *p == '-')
    {
      int offset;

      p++;
      if (!read_digits (&p, 4, &offset))
        return FALSE;
    }

  if (strncmp (p, ")/", 2) != 0)
    return FALSE;
  p += 2;
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return FALSE;

  *usec = ms * 1000;
  return TRUE;
}

gboolean
ward_device_template_parse_time (const char *text,
                                 gint64     *usec)
{
  static const int days_in_month[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  const char *p = text;
  int year, month, day, hour = 0, minute = 0, second = 0;
  gint64 fraction = 0;
  int offset = 0;
  int month_days;

  g_return_val_if_fail (usec != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  while (g_ascii_isspace (*p))
    p++;

  if (g_str_has_prefix (p, "/Date("))
    return parse_ms_date (p, usec);

  if (!read_digits (&p, 4, &year) || *p++ != '-' ||
      !read_digits (&p, 2, &month) || *p++ != '-' ||
      !read_digits (&p, 2, &day))
    return FALSE;

  if (*p == 'T' || *p == 't' || (*p == ' ' && g_ascii_isdigit (p[1])))
    {
      p++;
      if (!read_digits (&p, 2, &hour) || *p++ != ':' || !read_digits (&p, 2, &minute))
        return FALSE;

      if (*p == ':')
        {
          p++;
          if (!read_digits (&p, 2, &second))
            return FALSE;

          if (*p == '.' || *p == ',')
            {
              gint64 scale = 100000;

              p++;
              if (!g_ascii_isdigit (*p))
                return FALSE;
              for (; g_ascii_isdigit (*p); p++)
                {
                  fraction += (*p - '0') * scale;
                  scale /= 10;
                }
            }
        }

      if (*p == 'Z' || *p == 'z')
        {
          p++;
        }
      else if (*p == '+' || *p == '-')
        {
          int sign = *p == '-' ? -1 : 1;
          int off_hours, off_minutes = 0;

          p++;
          if (!read_digits (&p, 2, &off_hours))
            return FALSE;
          if (*p == ':')
            {
              p++;
              if (!read_digits (&p, 2, &off_minutes))
                return FALSE;
            }
          else if (g_ascii_isdigit (*p))
            {
              if (!read_digits (&p, 2, &off_minutes))
                return FALSE;
            }

          if (off_hours > 14 || off_minutes > 59)
            return FALSE;
          offset = sign * (off_hours * 60 + off_minutes);
        }
    }

  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return FALSE;

  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59)
    return FALSE;

  month_days = days_in_month[month - 1];
  if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
    month_days = 29;
  if (day < 1 || day > month_days)
    return FALSE;

  *usec = ((days_from_civil (year, month, day) * 24 + hour) * 3600 + minute * 60 + second - offset * 60)
          * WARD_USEC_PER_SEC + fraction;
  return TRUE;
}

/* Messages */

JsonNode *
ward_device_template_parse_message (const char  *data,
                                    gssize       length,
                                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = length < 0 ? strlen (data) : (gsize) length;
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      len -= 3;
    }

  if (!_ward_json_scan (data, len, MAX_MESSAGE_DEPTH, NULL, &local_error) ||
      !json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      const char *message = local_error->message;

      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      g_set_error (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_PARSE, "not JSON: %s", message);
      return NULL;
    }

  return json_parser_steal_root (parser);
}

JsonNode *
ward_device_template_wrap_message (JsonNode *payload)
{
  JsonObject *object;
  JsonNode *node;

  g_return_val_if_fail (payload != NULL, NULL);

  if (JSON_NODE_HOLDS_OBJECT (payload))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      gboolean envelope;

      object = json_node_get_object (payload);
      envelope = json_object_has_member (object, "Body");
      json_object_iter_init_ordered (&iter, object);
      while (envelope && json_object_iter_next_ordered (&iter, &name, &member))
        envelope = g_str_equal (name, "Body") || g_str_equal (name, "Properties") ||
                   g_str_equal (name, "SystemProperties");

      if (envelope)
        return json_node_ref (payload);
    }

  object = json_object_new ();
  json_object_set_member (object, "Body", json_node_copy (payload));
  json_object_set_object_member (object, "Properties", json_object_new ());
  json_object_set_object_member (object, "SystemProperties", json_object_new ());

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

/* Evaluation */

static void set_map_error (GError              **error,
                           WardContentTemplate  *tmpl,
                           int                   code,
                           const char           *format,
                           ...) G_GNUC_PRINTF (4, 5);

/* The connector's message, then where: "(in $.template[1], bloodpressure,
 * CalculatedContent)", so that the dead letter says which template.
 */
static void
set_map_error (GError              **error,
               WardContentTemplate  *tmpl,
               int                   code,
               const char           *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, WARD_MAPPING_ERROR, code, "%s (in $.template[%u], %s, %s)",
               message, tmpl->index, tmpl->type_name, tmpl->template_type);
}

static int
error_code_for (const char *name)
{
  if (g_str_equal (name, "DeviceIdExpression"))
    return WARD_MAPPING_ERROR_NO_DEVICE;
  if (g_str_equal (name, "TimestampExpression"))
    return WARD_MAPPING_ERROR_BAD_TIME;

  return WARD_MAPPING_ERROR_BAD_VALUE;
}

static gboolean
is_blank (const char *s)
{
  for (; *s; s++)
    {
      if (!g_ascii_isspace (*s))
        return FALSE;
    }

  return TRUE;
}

/* SelectToken(): the one token an expression selects (*token is NULL
 * when there is none; *owned holds what JMESPath made).  Several tokens
 * are an error, as Json.NET's "Path returned multiple tokens.".
 */
static gboolean
select_token (WardContentTemplate  *tmpl,
              WardTemplateExpr     *expr,
              const char           *name,
              JsonNode             *scope,
              JsonNode            **token,
              JsonNode            **owned,
              GError              **error)
{
  g_autoptr(GError) local_error = NULL;

  *token = NULL;
  *owned = NULL;

  if (expr->language == WARD_EXPR_JSONPATH)
    {
      g_autoptr(GPtrArray) nodes = ward_jsonpath_select_full (expr->jsonpath, scope, 0, &local_error);

      if (nodes == NULL)
        {
          set_map_error (error, tmpl, error_code_for (name),
                         "Unable to retrieve JsonToken using expression %s: %s", expr->text,
                         local_error->message);
          return FALSE;
        }

      if (nodes->len > 1)
        {
          set_map_error (error, tmpl, error_code_for (name),
                         "Unable to retrieve JsonToken using expression %s for [%s]: "
                         "Path returned multiple tokens (%u).", expr->text, name, nodes->len);
          return FALSE;
        }

      if (nodes->len == 1)
        *token = nodes->pdata[0];

      return TRUE;
    }
  else
    {
      g_autoptr(JsonNode) result = ward_jmespath_search (expr->jmespath, scope, &local_error);

      if (result == NULL)
        {
          set_map_error (error, tmpl, error_code_for (name),
                         "Unable to evaluate JmesPath expression %s for [%s]: %s", expr->text, name,
                         local_error->message);
          return FALSE;
        }

      if (JSON_NODE_HOLDS_NULL (result))
        return TRUE;

      if (JSON_NODE_HOLDS_ARRAY (result) && json_array_get_length (json_node_get_array (result)) > 1)
        {
          set_map_error (error, tmpl, error_code_for (name),
                         "Multiple tokens were returned using expression %s for [%s]", expr->text, name);
          return FALSE;
        }

      *owned = g_steal_pointer (&result);
      *token = *owned;
      return TRUE;
    }
}

/* The connector's EvalExpression(): the first expression that gives a
 * usable value wins.  Returns FALSE only for an expression that cannot be
 * evaluated; what keeps a value from being used goes to problems.
 * *found tells whether a value was had (it may be NULL: a JSON null for
 * an optional value).
 */
static gboolean
evaluate (WardContentTemplate  *tmpl,
          JsonNode             *scope,
          const char           *name,
          gboolean              required,
          WardTemplateExpr    **exprs,
          guint                 n_exprs,
          EvalKind              kind,
          char                **string_out,
          gint64               *time_out,
          gboolean             *found,
          GPtrArray            *problems,
          GError              **error)
{
  *found = FALSE;

  for (guint i = 0; i < n_exprs; i++)
    {
      g_autoptr(JsonNode) owned = NULL;
      g_autofree char *value = NULL;
      JsonNode *token;
      gboolean is_null;

      if (exprs[i] == NULL)
        continue;

      if (!select_token (tmpl, exprs[i], name, scope, &token, &owned, error))
        return FALSE;

      if (token == NULL)
        continue;

      if (JSON_NODE_HOLDS_OBJECT (token) || JSON_NODE_HOLDS_ARRAY (token))
        {
          g_ptr_array_add (problems,
                           g_strdup_printf ("Encountered an error while extracting value for [%s] using "
                                            "expression %s: %s is not a value", name, exprs[i]->text,
                                            JSON_NODE_HOLDS_OBJECT (token) ? "an object" : "an array"));
          continue;
        }

      if (kind == EVAL_STRING)
        {
          /* string.IsNullOrWhiteSpace() */
          value = ward_device_template_format_value (token);
          is_null = value == NULL || is_blank (value);
        }
      else
        {
          is_null = JSON_NODE_HOLDS_NULL (token);
          if (!is_null)
            {
              if (!JSON_NODE_HOLDS_VALUE (token) || json_node_get_value_type (token) != G_TYPE_STRING)
                {
                  g_ptr_array_add (problems,
                                   g_strdup_printf ("Encountered an error while extracting value for [%s] using "
                                                    "expression %s: a %s is not a date and time", name,
                                                    exprs[i]->text,
                                                    json_node_get_value_type (token) == G_TYPE_BOOLEAN
                                                    ? "boolean" : "number"));
                  continue;
                }

              if (!ward_device_template_parse_time (json_node_get_string (token), time_out))
                {
                  g_ptr_array_add (problems,
                                   g_strdup_printf ("Encountered an error while extracting value for [%s] using "
                                                    "expression %s: \"%.64s\" is not an ISO 8601 date and time",
                                                    name, exprs[i]->text, json_node_get_string (token)));
                  continue;
                }
            }
        }

      if (required && is_null)
        {
          g_ptr_array_add (problems,
                           g_strdup_printf ("A null or empty value was supplied for the required field [%s]", name));
          continue;
        }

      if (string_out != NULL)
        *string_out = g_steal_pointer (&value);
      *found = !is_null;
      return TRUE;
    }

  return TRUE;
}

static gboolean
fail_required (WardContentTemplate  *tmpl,
               const char           *name,
               WardTemplateExpr    **exprs,
               guint                 n_exprs,
               GPtrArray            *problems,
               GError              **error)
{
  g_autoptr(GString) texts = g_string_new (NULL);

  if (problems->len > 0)
    {
      for (guint i = 0; i < problems->len; i++)
        g_string_append_printf (texts, "%s%s", i ? "; " : "", (const char *) problems->pdata[i]);

      set_map_error (error, tmpl, error_code_for (name), "Unable to extract required value for [%s]: %s",
                     name, texts->str);
      return FALSE;
    }

  for (guint i = 0; i < n_exprs; i++)
    {
      if (exprs[i] != NULL)
        g_string_append_printf (texts, "%s%s", texts->len ? "," : "", exprs[i]->text);
    }

  set_map_error (error, tmpl, error_code_for (name), "Unable to extract required value for [%s] using %s",
                 name, texts->str);
  return FALSE;
}

static gboolean
eval_string (WardContentTemplate  *tmpl,
             JsonNode             *scope,
             const char           *name,
             gboolean              required,
             WardTemplateExpr     *expr,
             char                **out,
             GError              **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  gboolean found;

  *out = NULL;
  if (expr == NULL)
    return TRUE;

  if (!evaluate (tmpl, scope, name, required, &expr, 1, EVAL_STRING, out, NULL, &found, problems, error))
    return FALSE;

  if (!found && required)
    return fail_required (tmpl, name, &expr, 1, problems, error);

  return TRUE;
}

/* A copy of the message with the token as "matchedToken": what
 * CalculatedContent expressions see.  Members are shared, not copied.
 */
static JsonNode *
make_scope (JsonNode *message,
            JsonNode *match)
{
  JsonObject *object = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  JsonNode *node;

  json_object_iter_init_ordered (&iter, json_node_get_object (message));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!g_str_equal (name, "matchedToken"))
        json_object_set_member (object, name, json_node_copy (member));
    }
  json_object_set_member (object, "matchedToken", json_node_copy (match));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static GPtrArray *
match_tokens (WardContentTemplate  *tmpl,
              JsonNode             *message,
              GError              **error)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GError) local_error = NULL;
  WardTemplateExpr *expr = tmpl->type_match;

  if (expr->language == WARD_EXPR_JSONPATH)
    {
      g_autoptr(GPtrArray) nodes = ward_jsonpath_select_full (expr->jsonpath, message, 0, &local_error);

      if (nodes == NULL)
        {
          set_map_error (error, tmpl, WARD_MAPPING_ERROR_BAD_VALUE,
                         "Unable to retrieve JsonTokens using expression %s: %s", expr->text,
                         local_error->message);
          return NULL;
        }

      for (guint i = 0; i < nodes->len; i++)
        g_ptr_array_add (matches, json_node_ref (nodes->pdata[i]));
    }
  else
    {
      g_autoptr(JsonNode) result = ward_jmespath_search (expr->jmespath, message, &local_error);

      if (result == NULL)
        {
          set_map_error (error, tmpl, WARD_MAPPING_ERROR_BAD_VALUE,
                         "Unable to evaluate JmesPath expression %s for [TypeMatchExpression]: %s",
                         expr->text, local_error->message);
          return NULL;
        }

      /* A projection gives one token per element (the connector's
       * SelectTokens); we cannot tell a projection from an array value,
       * so an array always counts as one.
       */
      if (JSON_NODE_HOLDS_ARRAY (result))
        {
          JsonArray *array = json_node_get_array (result);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (!JSON_NODE_HOLDS_NULL (element))
                g_ptr_array_add (matches, json_node_ref (element));
            }
        }
      else if (!JSON_NODE_HOLDS_NULL (result))
        {
          g_ptr_array_add (matches, g_steal_pointer (&result));
        }
    }

  return g_steal_pointer (&matches);
}

static WardNormalized *
map_token (WardContentTemplate  *tmpl,
           JsonNode             *scope,
           const char           *device_id_hint,
           gint64                ingestion_time,
           GError              **error)
{
  g_autoptr(WardNormalized) normalized = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *device_id = NULL;
  WardTemplateExpr *time_exprs[2] = { tmpl->timestamp, tmpl->timestamp_fallback };
  gint64 time = 0;
  gboolean found;

  /* Device id, then time, then correlation id, as the connector. */
  if (!evaluate (tmpl, scope, "DeviceIdExpression", TRUE, &tmpl->device_id, 1, EVAL_STRING,
                 &device_id, NULL, &found, problems, error))
    return NULL;

  if (!found)
    {
      if (device_id_hint == NULL || *device_id_hint == '\0')
        {
          fail_required (tmpl, "DeviceIdExpression", &tmpl->device_id, 1, problems, error);
          return NULL;
        }

      /* Wardwatch: the MQTT topic names the device. */
      g_clear_pointer (&device_id, g_free);
      device_id = g_strdup (device_id_hint);
    }

  g_ptr_array_set_size (problems, 0);
  if (!evaluate (tmpl, scope, "TimestampExpression", TRUE, time_exprs, G_N_ELEMENTS (time_exprs),
                 EVAL_TIME, NULL, &time, &found, problems, error))
    return NULL;

  if (!found)
    {
      fail_required (tmpl, "TimestampExpression", time_exprs, G_N_ELEMENTS (time_exprs), problems, error);
      return NULL;
    }

  if (ingestion_time > 0 && time > ingestion_time + FUTURE_TOLERANCE)
    {
      g_autofree char *when = ward_time_format_iso8601 (time);

      set_map_error (error, tmpl, WARD_MAPPING_ERROR_BAD_TIME,
                     "The timestamp %s is more than 5 minutes after the message was received", when);
      return NULL;
    }

  normalized = ward_normalized_new (tmpl->type_name, time, device_id);

  if (!eval_string (tmpl, scope, "CorrelationIdExpression", TRUE, tmpl->correlation_id,
                    &normalized->correlation_id, error) ||
      !eval_string (tmpl, scope, "PatientIdExpression", FALSE, tmpl->patient_id,
                    &normalized->patient_id, error) ||
      !eval_string (tmpl, scope, "EncounterIdExpression", FALSE, tmpl->encounter_id,
                    &normalized->encounter_id, error))
    return NULL;

  for (guint i = 0; i < tmpl->values->len; i++)
    {
      WardTemplateValue *value = tmpl->values->pdata[i];
      g_autofree char *text = NULL;

      if (!eval_string (tmpl, scope, value->name, value->required, value->expr, &text, error))
        return NULL;

      if (text != NULL)
        ward_normalized_add_value (normalized, value->name, text);
    }

  return g_steal_pointer (&normalized);
}

static gboolean
map_template (WardContentTemplate  *tmpl,
              JsonNode             *message,
              const char           *device_id_hint,
              gint64                ingestion_time,
              GPtrArray            *out,
              GError              **error)
{
  g_autoptr(GPtrArray) matches = match_tokens (tmpl, message, error);

  if (matches == NULL)
    return FALSE;

  for (guint i = 0; i < matches->len; i++)
    {
      g_autoptr(JsonNode) scope = NULL;
      WardNormalized *normalized;

      if (tmpl->kind == WARD_CONTENT_CALCULATED)
        scope = make_scope (message, matches->pdata[i]);
      else
        scope = json_node_ref (matches->pdata[i]);

      normalized = map_token (tmpl, scope, device_id_hint, ingestion_time, error);
      if (normalized == NULL)
        return FALSE;

      g_ptr_array_add (out, normalized);
    }

  return TRUE;
}

/* Describing */

static void
describe_expression (JsonBuilder      *builder,
                     const char       *member,
                     WardTemplateExpr *expr)
{
  if (expr == NULL)
    return;

  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, expr->text);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, expr->language == WARD_EXPR_JSONPATH ? "JsonPath" : "JmesPath");
  json_builder_end_object (builder);
}

/* GObject */

static void
ward_device_template_finalize (GObject *object)
{
  WardDeviceTemplate *self = (WardDeviceTemplate *) object;

  g_clear_pointer (&self->filename, g_free);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->issues, g_ptr_array_unref);

  G_OBJECT_CLASS (ward_device_template_parent_class)->finalize (object);
}

static void
ward_device_template_class_init (WardDeviceTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_device_template_finalize;
}

static void
ward_device_template_init (WardDeviceTemplate *self)
{
  self->templates = g_ptr_array_new_with_free_func ((GDestroyNotify) _ward_content_template_free);
  self->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_template_issue_free);
}

/* Public API */

static gboolean
load_cb (gpointer     instance,
         const char  *data,
         gsize        length,
         const char  *filename,
         GError     **error)
{
  WardDeviceTemplate *self = instance;

  self->filename = g_strdup (filename);

  return _ward_device_template_load (self, data, length, error);
}

WardDeviceTemplate *
ward_device_template_new_from_data (const char  *data,
                                    gssize       length,
                                    const char  *filename,
                                    GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _ward_template_loader_new (WARD_TYPE_DEVICE_TEMPLATE, load_cb, data, length, filename, FALSE, error);
}

WardDeviceTemplate *
ward_device_template_new_for_check (const char *data,
                                    gssize      length,
                                    const char *filename)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return _ward_template_loader_new (WARD_TYPE_DEVICE_TEMPLATE, load_cb, data, length, filename, TRUE, NULL);
}

WardDeviceTemplate *
ward_device_template_new_from_file (const char  *path,
                                    GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _ward_template_loader_new_from_file (WARD_TYPE_DEVICE_TEMPLATE, load_cb, path, error);
}

WardDeviceTemplate *
ward_device_template_new_from_resource (const char  *resource_path,
                                        GError     **error)
{
  g_return_val_if_fail (resource_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _ward_template_loader_new_from_resource (WARD_TYPE_DEVICE_TEMPLATE, load_cb, resource_path, error);
}

WardDeviceTemplate *
ward_device_template_new_default (GError **error)
{
  return ward_device_template_new_from_resource (WARD_DEVICE_TEMPLATE_DEFAULT_RESOURCE, error);
}

const char *
ward_device_template_get_filename (WardDeviceTemplate *self)
{
  g_return_val_if_fail (WARD_IS_DEVICE_TEMPLATE (self), NULL);

  return self->filename;
}

GPtrArray *
ward_device_template_get_issues (WardDeviceTemplate *self)
{
  g_return_val_if_fail (WARD_IS_DEVICE_TEMPLATE (self), NULL);

  return self->issues;
}

gboolean
ward_device_template_is_valid (WardDeviceTemplate *self)
{
  g_return_val_if_fail (WARD_IS_DEVICE_TEMPLATE (self), FALSE);

  return _ward_template_issues_valid (self->issues);
}

guint
ward_device_template_get_n_templates (WardDeviceTemplate *self)
{
  g_return_val_if_fail (WARD_IS_DEVICE_TEMPLATE (self), 0);

  return self->templates->len;
}

JsonNode *
ward_device_template_describe (WardDeviceTemplate *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (WARD_IS_DEVICE_TEMPLATE (self), NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; i < self->templates->len; i++)
    {
      WardContentTemplate *tmpl = self->templates->pdata[i];
      static const char * const kinds[] = {
        [WARD_CONTENT_JSONPATH] = "JsonPathContent",
        [WARD_CONTENT_IOT] = "IotJsonPathContent",
        [WARD_CONTENT_IOT_CENTRAL] = "IotCentralJsonPathContent",
        [WARD_CONTENT_CALCULATED] = "CalculatedContent",
      };

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, tmpl->index);
      json_builder_set_member_name (builder, "templateType");
      json_builder_add_string_value (builder, kinds[tmpl->kind]);
      json_builder_set_member_name (builder, "typeName");
      json_builder_add_string_value (builder, tmpl->type_name);
      describe_expression (builder, "typeMatchExpression", tmpl->type_match);
      describe_expression (builder, "deviceIdExpression", tmpl->device_id);
      describe_expression (builder, "timestampExpression", tmpl->timestamp);
      describe_expression (builder, "alternateTimestampExpression", tmpl->timestamp_fallback);
      describe_expression (builder, "patientIdExpression", tmpl->patient_id);
      describe_expression (builder, "encounterIdExpression", tmpl->encounter_id);
      describe_expression (builder, "correlationIdExpression", tmpl->correlation_id);
      json_builder_set_member_name (builder, "values");
      json_builder_begin_array (builder);
      for (guint v = 0; v < tmpl->values->len; v++)
        {
          WardTemplateValue *value = tmpl->values->pdata[v];

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "valueName");
          json_builder_add_string_value (builder, value->name);
          describe_expression (builder, "valueExpression", value->expr);
          json_builder_set_member_name (builder, "required");
          json_builder_add_boolean_value (builder, value->required);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

gboolean
ward_device_template_map (WardDeviceTemplate  *self,
                          JsonNode            *message,
                          const char          *device_id_hint,
                          gint64               ingestion_time,
                          GPtrArray           *out,
                          GError             **error)
{
  g_autoptr(GPtrArray) produced = NULL;

  g_return_val_if_fail (WARD_IS_DEVICE_TEMPLATE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (message))
    {
      g_set_error (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_PARSE,
                   "The device message is %s, not a JSON object",
                   JSON_NODE_HOLDS_ARRAY (message) ? "an array" : "a single value");
      return FALSE;
    }

  produced = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
  for (guint i = 0; i < self->templates->len; i++)
    {
      if (!map_template (self->templates->pdata[i], message, device_id_hint, ingestion_time, produced, error))
        return FALSE;
    }

  g_ptr_array_extend_and_steal (out, g_steal_pointer (&produced));

  return TRUE;
}
