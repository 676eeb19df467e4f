/* ward-fhir-template.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-template"

#include "config.h"

#include "ward-fhir-template.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ward-device-template-private.h"
#include "ward-template-loader-private.h"

/* Loading follows the connector's CollectionFhirTemplateFactory and
 * CodeValueFhirTemplateFactory: the same checks with the same messages
 * (Json.NET's, for what its deserialiser finds), every problem with
 * where it is.  Building follows its CodeValueFhirTemplateProcessor,
 * the value processors and SampledDataProcessor; grouping its
 * observation group factories; ids its FhirImportService.  See the
 * header for where Wardwatch chooses otherwise.
 */

#define TICKS_PER_SEC        G_GINT64_CONSTANT (10000000)
#define TICKS_PER_HOUR       (3600 * TICKS_PER_SEC)
#define TICKS_PER_DAY        (24 * TICKS_PER_HOUR)
#define TICKS_PER_MS         10000.0

/* A SampledData string longer than this is refused: an hour at 1 ms is
 * 3.6 million samples, more than any FHIR server takes in one resource.
 */
#define MAX_SAMPLES          (G_GINT64_CONSTANT (1) << 22)

typedef enum
{
  VALUE_SAMPLED_DATA,
  VALUE_QUANTITY,
  VALUE_STRING,
  VALUE_CODEABLE_CONCEPT,
} ValueKind;

typedef struct
{
  char *code;
  char *system;
  char *display;
} FhirCoding;

typedef struct
{
  ValueKind   kind;
  char       *value_name;
  double      default_period;    /* ms, SampledData */
  char       *unit;              /* SampledData, Quantity */
  char       *system;            /* Quantity */
  char       *code;              /* Quantity */
  char       *text;              /* CodeableConcept */
  GPtrArray  *codes;             /* FhirCoding*, CodeableConcept */
} FhirValue;

typedef struct
{
  GPtrArray  *codes;             /* FhirCoding*, may be NULL */
  FhirValue  *value;
} FhirComponent;

typedef struct
{
  char       *text;
  GPtrArray  *codes;             /* FhirCoding* */
} FhirConcept;

typedef struct
{
  guint                   index;          /* in the collection */
  char                   *type_name;
  char                   *type_name_path; /* for messages */
  WardFhirPeriodInterval  period_interval;
  GPtrArray              *category;       /* FhirConcept*, or NULL */
  GPtrArray              *codes;          /* FhirCoding* */
  FhirValue              *value;          /* or NULL */
  GPtrArray              *components;     /* FhirComponent*, or NULL */
} CodeValueTemplate;

struct _WardFhirTemplate
{
  GObject     parent_instance;

  char       *filename;
  GPtrArray  *templates;         /* CodeValueTemplate*, the usable ones */
  GHashTable *by_type;           /* casefolded typeName -> CodeValueTemplate* (borrowed) */
  GPtrArray  *issues;            /* WardTemplateIssue* */
};

typedef struct
{
  WardTemplateLoader *base;
  WardFhirTemplate   *self;
} Loader;

G_DEFINE_FINAL_TYPE (WardFhirTemplate, ward_fhir_template, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-fhir-template-error-quark, ward_fhir_template_error)

static const struct {
  const char *name;
  ValueKind   kind;
  const char *members[3];
} value_types[] = {
  { "SampledData", VALUE_SAMPLED_DATA, { "defaultPeriod", "unit", NULL } },
  { "Quantity", VALUE_QUANTITY, { "unit", "system", "code" } },
  { "String", VALUE_STRING, { NULL } },
  { "CodeableConcept", VALUE_CODEABLE_CONCEPT, { "text", "codes", NULL } },
};

static const char * const value_members[] = {
  "valueSampledData", "valueQuantity", "valueString", "valueCodeableConcept",
};

/* Freeing */

static void
fhir_coding_free (FhirCoding *coding)
{
  if (coding == NULL)
    return;

  g_free (coding->code);
  g_free (coding->system);
  g_free (coding->display);
  g_free (coding);
}

static void
fhir_value_free (FhirValue *value)
{
  if (value == NULL)
    return;

  g_free (value->value_name);
  g_free (value->unit);
  g_free (value->system);
  g_free (value->code);
  g_free (value->text);
  g_clear_pointer (&value->codes, g_ptr_array_unref);
  g_free (value);
}

static void
fhir_component_free (FhirComponent *component)
{
  if (component == NULL)
    return;

  g_clear_pointer (&component->codes, g_ptr_array_unref);
  fhir_value_free (component->value);
  g_free (component);
}

static void
fhir_concept_free (FhirConcept *concept)
{
  if (concept == NULL)
    return;

  g_free (concept->text);
  g_clear_pointer (&concept->codes, g_ptr_array_unref);
  g_free (concept);
}

static void
code_value_template_free (CodeValueTemplate *tmpl)
{
  if (tmpl == NULL)
    return;

  g_free (tmpl->type_name);
  g_free (tmpl->type_name_path);
  g_clear_pointer (&tmpl->category, g_ptr_array_unref);
  g_clear_pointer (&tmpl->codes, g_ptr_array_unref);
  fhir_value_free (tmpl->value);
  g_clear_pointer (&tmpl->components, g_ptr_array_unref);
  g_free (tmpl);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FhirValue, fhir_value_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FhirComponent, fhir_component_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FhirConcept, fhir_concept_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FhirCoding, fhir_coding_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CodeValueTemplate, code_value_template_free)

/* Observation groups */

static void
observation_value_clear (WardObservationValue *value)
{
  g_clear_pointer (&value->value, g_free);
}

static void
observation_property_free (WardObservationProperty *property)
{
  if (property == NULL)
    return;

  g_free (property->name);
  g_array_unref (property->values);
  g_free (property);
}

static WardObservationProperty *
find_property (const WardObservationGroup *group,
               const char                 *name)
{
  for (guint i = 0; i < group->properties->len; i++)
    {
      WardObservationProperty *property = group->properties->pdata[i];

      if (g_str_equal (property->name, name))
        return property;
    }

  return NULL;
}

/* Times */

static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;

  return q;
}

/* The proleptic Gregorian date of a count of days since 1970-01-01. */
static void
civil_from_days (gint64  days,
                 gint64 *year,
                 int    *month,
                 int    *day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;

  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2);
}

typedef struct
{
  gint64 year;
  int    month;
  int    day;
  int    hour;
  int    minute;
  int    second;
  gint64 fraction;     /* ticks within the second */
} Civil;

static void
civil_from_ticks (gint64  ticks,
                  Civil  *c)
{
  gint64 days = floor_div (ticks, TICKS_PER_DAY);
  gint64 rest = ticks - days * TICKS_PER_DAY;
  gint64 seconds = rest / TICKS_PER_SEC;

  civil_from_days (days, &c->year, &c->month, &c->day);
  c->hour = (int) (seconds / 3600);
  c->minute = (int) (seconds / 60 % 60);
  c->second = (int) (seconds % 60);
  c->fraction = rest % TICKS_PER_SEC;
}

static void
append_segment_time (GString *out,
                     gint64   ticks)
{
  Civil c;

  civil_from_ticks (ticks, &c);
  g_string_append_printf (out, "%04" G_GINT64_FORMAT "%02d%02d%02d%02d%02dZ",
                          c.year, c.month, c.day, c.hour, c.minute, c.second);
}

/* An ISO 8601 time to ticks: ward_device_template_parse_time() keeps
 * microseconds; the seventh digit of the fraction, which the connector
 * writes (00:59:59.9999999), is added back.
 */
static gboolean
parse_ticks (const char *text,
             gint64     *ticks)
{
  const char *dot;
  gint64 usec;
  gint64 seventh = 0;

  if (text == NULL || !ward_device_template_parse_time (text, &usec))
    return FALSE;

  if (usec > G_MAXINT64 / WARD_FHIR_TICKS_PER_USEC - 1 || usec < G_MININT64 / WARD_FHIR_TICKS_PER_USEC + 1)
    return FALSE;

  dot = strchr (text, '.');
  if (dot == NULL)
    dot = strchr (text, ',');
  if (dot != NULL && dot - text > 10)
    {
      guint n = 0;

      for (const char *p = dot + 1; g_ascii_isdigit (*p); p++)
        {
          if (++n == 7)
            seventh = *p - '0';
        }
    }

  *ticks = usec * WARD_FHIR_TICKS_PER_USEC + seventh;
  return TRUE;
}

/* Numbers */

/* A value as a FHIR decimal: what .NET's decimal.Parse() reads, and an
 * exponent (Wardwatch writes 1E-05 for small doubles).  Integers become
 * integer nodes, others doubles.  NULL if not a number.
 */
static JsonNode *
number_node (const char *text)
{
  g_autofree char *trimmed = NULL;
  const char *p;
  gboolean integral = TRUE;
  gboolean digits = FALSE;
  JsonNode *node;

  if (text == NULL)
    return NULL;

  trimmed = g_strstrip (g_strdup (text));
  p = trimmed;
  if (*p == '+' || *p == '-')
    p++;
  for (; g_ascii_isdigit (*p); p++)
    digits = TRUE;
  if (*p == '.')
    {
      integral = FALSE;
      for (p++; g_ascii_isdigit (*p); p++)
        digits = TRUE;
    }
  if (!digits)
    return NULL;
  if (*p == 'e' || *p == 'E')
    {
      integral = FALSE;
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return NULL;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p != '\0')
    return NULL;

  node = json_node_new (JSON_NODE_VALUE);
  if (integral)
    {
      char *end = NULL;
      gint64 i;

      errno = 0;
      i = g_ascii_strtoll (trimmed, &end, 10);
      if (errno == 0 && end != NULL && *end == '\0')
        {
          json_node_set_int (node, i);
          return node;
        }
    }

  {
    double d = g_ascii_strtod (trimmed, NULL);

    if (!isfinite (d))
      {
        json_node_unref (node);
        return NULL;
      }

    /* 78.0 is 78: write what the value is, not how it was spelt. */
    if (d == floor (d) && fabs (d) < 9007199254740992.0)
      json_node_set_int (node, (gint64) d);
    else
      json_node_set_double (node, d);
  }

  return node;
}

static JsonNode *
decimal_node (double d)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (d == floor (d) && fabs (d) < 9007199254740992.0)
    json_node_set_int (node, (gint64) d);
  else
    json_node_set_double (node, d);

  return node;
}

/* Loading: reading members */

static gboolean
holds_number (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

/* Json.NET matches member names without regard to case; the last of
 * several wins.
 */
static JsonNode *
get_member (JsonObject  *object,
            const char  *name,
            const char **actual)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;
  JsonNode *found = NULL;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &member, &node))
    {
      if (g_ascii_strcasecmp (member, name) == 0)
        {
          found = node;
          if (actual != NULL)
            *actual = member;
        }
    }

  return found;
}

static gboolean
is_one_of (const char         *name,
           const char * const *names,
           gsize               n_names)
{
  for (gsize i = 0; i < n_names; i++)
    {
      if (names[i] != NULL && g_ascii_strcasecmp (name, names[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

/* MissingMemberHandling.Error: an unknown member is a mistake. */
static gboolean
check_members (Loader             *l,
               JsonObject         *object,
               const char         *path,
               const char * const *known,
               gsize               n_known,
               const char         *type)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;
  gboolean ok = TRUE;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      if (!is_one_of (name, known, n_known))
        {
          g_autofree char *child_path = _ward_json_path_append (path, name, -1);

          _ward_template_loader_add_issue (l->base, child_path, TRUE, TRUE,
                                           "Could not find member '%s' on object of type '%s'.", name, type);
          ok = FALSE;
        }
    }

  return ok;
}

/* Loading: members */

/* A string member.  Absent, or null when optional: *out is NULL. */
static gboolean
read_string (Loader      *l,
             JsonObject  *object,
             const char  *path,
             const char  *member,
             const char  *display,
             gboolean     required,
             char       **out)
{
  g_autofree char *member_path = NULL;
  const char *actual = member;
  JsonNode *node = get_member (object, member, &actual);

  *out = NULL;
  if (node == NULL)
    {
      if (required)
        {
          _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                           "Required property '%s' not found in JSON.", display);
          return FALSE;
        }
      return TRUE;
    }

  member_path = _ward_json_path_append (path, actual, -1);
  if (JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          _ward_template_loader_add_issue (l->base, member_path, TRUE, TRUE,
                                           "Required property '%s' expects a value but got null.", display);
          return FALSE;
        }
      return TRUE;
    }

  if (!_ward_json_holds_string (node))
    {
      _ward_template_loader_add_issue (l->base, member_path, FALSE, TRUE, "Expected a string for %s, found %s.", member,
                                       _ward_json_describe_node_type (node));
      return FALSE;
    }

  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* An array of FhirCode: [{code, system, display}]. */
static gboolean
read_codes (Loader      *l,
            JsonObject  *object,
            const char  *path,
            gboolean     required,
            GPtrArray  **out)
{
  static const char * const known[] = { "code", "system", "display" };
  g_autoptr(GPtrArray) codes = NULL;
  g_autofree char *member_path = NULL;
  const char *actual = "codes";
  JsonNode *node = get_member (object, "codes", &actual);
  JsonArray *array;
  gboolean ok = TRUE;

  *out = NULL;
  if (node == NULL)
    {
      if (required)
        {
          _ward_template_loader_add_issue (l->base, path, FALSE, TRUE, "Required property 'Codes' not found in JSON.");
          return FALSE;
        }
      return TRUE;
    }

  member_path = _ward_json_path_append (path, actual, -1);
  if (JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          _ward_template_loader_add_issue (l->base, member_path, TRUE, TRUE,
                                           "Required property 'Codes' expects a value but got null.");
          return FALSE;
        }
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _ward_template_loader_add_issue (l->base, member_path, FALSE, TRUE,
                                       "Expected an array of codes ({code, system, display}), found %s.",
                                       _ward_json_describe_node_type (node));
      return FALSE;
    }

  codes = g_ptr_array_new_with_free_func ((GDestroyNotify) fhir_coding_free);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *item_path = _ward_json_path_append (member_path, NULL, (gint) i);
      g_autoptr(FhirCoding) coding = g_new0 (FhirCoding, 1);
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *item_object;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          _ward_template_loader_add_issue (l->base, item_path, FALSE, TRUE,
                                           "Expected an object {code, system, display}, found %s.",
                                           _ward_json_describe_node_type (item));
          ok = FALSE;
          continue;
        }

      item_object = json_node_get_object (item);
      if (!check_members (l, item_object, item_path, known, G_N_ELEMENTS (known), "FhirCode"))
        ok = FALSE;
      if (!read_string (l, item_object, item_path, "code", "Code", FALSE, &coding->code) ||
          !read_string (l, item_object, item_path, "system", "System", FALSE, &coding->system) ||
          !read_string (l, item_object, item_path, "display", "Display", FALSE, &coding->display))
        {
          ok = FALSE;
          continue;
        }

      if (coding->code == NULL)
        _ward_template_loader_add_issue (l->base, item_path, FALSE, FALSE, "This coding has no code.");

      g_ptr_array_add (codes, g_steal_pointer (&coding));
    }

  if (!ok)
    return FALSE;

  *out = g_steal_pointer (&codes);
  return TRUE;
}

static gboolean
read_default_period (Loader     *l,
                     JsonObject *object,
                     const char *path,
                     double     *out)
{
  g_autofree char *member_path = NULL;
  const char *actual = "defaultPeriod";
  JsonNode *node = get_member (object, "defaultPeriod", &actual);
  double period = 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "A SampledData value needs defaultPeriod, the milliseconds between two samples.");
      return FALSE;
    }

  member_path = _ward_json_path_append (path, actual, -1);
  if (holds_number (node))
    {
      period = json_node_get_double (node);
    }
  else if (_ward_json_holds_string (node))
    {
      /* Json.NET reads "1000" into a decimal too. */
      g_autoptr(JsonNode) number = number_node (json_node_get_string (node));

      if (number == NULL)
        {
          _ward_template_loader_add_issue (l->base, member_path, FALSE, TRUE,
                                           "defaultPeriod \"%s\" is not a number of milliseconds.",
                                           json_node_get_string (node));
          return FALSE;
        }
      period = json_node_get_double (number);
    }
  else
    {
      _ward_template_loader_add_issue (l->base, member_path, FALSE, TRUE,
                                       "Expected a number of milliseconds for defaultPeriod, found %s.",
                                       _ward_json_describe_node_type (node));
      return FALSE;
    }

  /* The connector would loop for ever on 0; below one tick (100 ns) the
   * samples cannot be told apart.
   */
  if (!isfinite (period) || period < 0.0001)
    {
      _ward_template_loader_add_issue (l->base, member_path, FALSE, TRUE,
                                       "defaultPeriod must be greater than 0 milliseconds (at least 0.0001, 100 ns).");
      return FALSE;
    }

  *out = period;
  return TRUE;
}

/* A FhirValueType: the connector picks the class by valueType and reads
 * the rest without MissingMemberHandling, so unknown members are only
 * warned about.
 */
static FhirValue *
read_value (Loader     *l,
            JsonNode   *node,
            const char *path,
            gboolean    in_component)
{
  g_autoptr(FhirValue) value = g_new0 (FhirValue, 1);
  g_autofree char *type_path = NULL;
  const char *actual = "valueType";
  JsonObject *object;
  JsonNode *type_node;
  const char *type_name;
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;
  guint type_index = G_N_ELEMENTS (value_types);
  gboolean ok = TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Expected an object {valueName, valueType, …} for the value, found %s.",
                                       _ward_json_describe_node_type (node));
      return NULL;
    }

  object = json_node_get_object (node);
  type_node = get_member (object, "valueType", &actual);
  if (type_node == NULL || JSON_NODE_HOLDS_NULL (type_node))
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE, "Property ValueType is missing.");
      return NULL;
    }

  type_path = _ward_json_path_append (path, actual, -1);
  if (!_ward_json_holds_string (type_node))
    {
      _ward_template_loader_add_issue (l->base, type_path, FALSE, TRUE, "Expected a string for valueType, found %s.",
                                       _ward_json_describe_node_type (type_node));
      return NULL;
    }

  type_name = json_node_get_string (type_node);
  for (guint i = 0; i < G_N_ELEMENTS (value_types); i++)
    {
      if (g_ascii_strcasecmp (type_name, value_types[i].name) == 0)
        type_index = i;
    }

  if (type_index == G_N_ELEMENTS (value_types))
    {
      _ward_template_loader_add_issue (l->base, type_path, FALSE, TRUE,
                                       "Unknown valueType '%s': expected SampledData, Quantity, String or CodeableConcept.", type_name);
      return NULL;
    }

  value->kind = value_types[type_index].kind;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      if (g_ascii_strcasecmp (name, "valueName") != 0 && g_ascii_strcasecmp (name, "valueType") != 0 &&
          !is_one_of (name, value_types[type_index].members, G_N_ELEMENTS (value_types[type_index].members)))
        {
          g_autofree char *child_path = _ward_json_path_append (path, name, -1);

          _ward_template_loader_add_issue (l->base, child_path, TRUE, FALSE,
                                           "Unknown member '%s' of a %s value is ignored.", name,
                                           value_types[type_index].name);
        }
    }

  if (!read_string (l, object, path, "valueName", "ValueName", FALSE, &value->value_name))
    ok = FALSE;
  else if (value->value_name == NULL || *value->value_name == '\0')
    {
      /* A component without one fails every group in the connector. */
      _ward_template_loader_add_issue (l->base, path, FALSE, in_component,
                                       in_component ? "A component's value needs a valueName."
                                                    : "The value has no valueName: the Observations will have no value.");
      if (in_component)
        ok = FALSE;
    }

  switch (value->kind)
    {
    case VALUE_SAMPLED_DATA:
      if (!read_default_period (l, object, path, &value->default_period))
        ok = FALSE;
      if (!read_string (l, object, path, "unit", "Unit", FALSE, &value->unit))
        ok = FALSE;
      break;
    case VALUE_QUANTITY:
      if (!read_string (l, object, path, "unit", "Unit", TRUE, &value->unit))
        ok = FALSE;
      if (!read_string (l, object, path, "system", "System", TRUE, &value->system))
        ok = FALSE;
      if (!read_string (l, object, path, "code", "Code", TRUE, &value->code))
        ok = FALSE;
      break;
    case VALUE_STRING:
      break;
    case VALUE_CODEABLE_CONCEPT:
      if (!read_string (l, object, path, "text", "Text", FALSE, &value->text))
        ok = FALSE;
      if (!read_codes (l, object, path, TRUE, &value->codes))
        ok = FALSE;
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    return NULL;

  return g_steal_pointer (&value);
}

static gboolean
read_category (Loader      *l,
               JsonObject  *object,
               const char  *path,
               GPtrArray  **out)
{
  static const char * const known[] = { "text", "codes" };
  g_autoptr(GPtrArray) category = NULL;
  g_autofree char *member_path = NULL;
  const char *actual = "category";
  JsonNode *node = get_member (object, "category", &actual);
  JsonArray *array;
  gboolean ok = TRUE;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  member_path = _ward_json_path_append (path, actual, -1);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _ward_template_loader_add_issue (l->base, member_path, FALSE, TRUE,
                                       "Expected an array of {text, codes} for category, found %s.",
                                       _ward_json_describe_node_type (node));
      return FALSE;
    }

  category = g_ptr_array_new_with_free_func ((GDestroyNotify) fhir_concept_free);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *item_path = _ward_json_path_append (member_path, NULL, (gint) i);
      g_autoptr(FhirConcept) concept = g_new0 (FhirConcept, 1);
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *item_object;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          _ward_template_loader_add_issue (l->base, item_path, FALSE, TRUE,
                                           "Expected an object {text, codes}, found %s.",
                                           _ward_json_describe_node_type (item));
          ok = FALSE;
          continue;
        }

      item_object = json_node_get_object (item);
      if (!check_members (l, item_object, item_path, known, G_N_ELEMENTS (known), "FhirCodeableConcept"))
        ok = FALSE;
      if (!read_string (l, item_object, item_path, "text", "Text", FALSE, &concept->text) ||
          !read_codes (l, item_object, item_path, TRUE, &concept->codes))
        {
          ok = FALSE;
          continue;
        }

      g_ptr_array_add (category, g_steal_pointer (&concept));
    }

  if (!ok)
    return FALSE;

  *out = g_steal_pointer (&category);
  return TRUE;
}

static gboolean
read_components (Loader      *l,
                 JsonObject  *object,
                 const char  *path,
                 GPtrArray  **out)
{
  static const char * const known[] = { "codes", "value" };
  g_autoptr(GPtrArray) components = NULL;
  g_autofree char *member_path = NULL;
  const char *actual = "components";
  JsonNode *node = get_member (object, "components", &actual);
  JsonArray *array;
  gboolean ok = TRUE;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  member_path = _ward_json_path_append (path, actual, -1);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _ward_template_loader_add_issue (l->base, member_path, FALSE, TRUE,
                                       "Expected an array of {codes, value} for components, found %s.",
                                       _ward_json_describe_node_type (node));
      return FALSE;
    }

  components = g_ptr_array_new_with_free_func ((GDestroyNotify) fhir_component_free);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *item_path = _ward_json_path_append (member_path, NULL, (gint) i);
      g_autoptr(FhirComponent) component = g_new0 (FhirComponent, 1);
      JsonNode *item = json_array_get_element (array, i);
      const char *value_actual = "value";
      JsonObject *item_object;
      JsonNode *value;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          _ward_template_loader_add_issue (l->base, item_path, FALSE, TRUE,
                                           "Expected an object {codes, value}, found %s.",
                                           _ward_json_describe_node_type (item));
          ok = FALSE;
          continue;
        }

      item_object = json_node_get_object (item);
      if (!check_members (l, item_object, item_path, known, G_N_ELEMENTS (known), "CodeValueMapping"))
        ok = FALSE;
      if (!read_codes (l, item_object, item_path, FALSE, &component->codes))
        {
          ok = FALSE;
          continue;
        }

      value = get_member (item_object, "value", &value_actual);
      if (value == NULL || JSON_NODE_HOLDS_NULL (value))
        {
          _ward_template_loader_add_issue (l->base, item_path, FALSE, TRUE,
                                           "A component needs a value {valueName, valueType, …}.");
          ok = FALSE;
          continue;
        }
      else
        {
          g_autofree char *value_path = _ward_json_path_append (item_path, value_actual, -1);

          component->value = read_value (l, value, value_path, TRUE);
          if (component->value == NULL)
            {
              ok = FALSE;
              continue;
            }
        }

      if (component->codes == NULL)
        _ward_template_loader_add_issue (l->base, item_path, FALSE, FALSE,
                                         "The component has no codes: its code will only have the connector's own coding.");

      g_ptr_array_add (components, g_steal_pointer (&component));
    }

  if (!ok)
    return FALSE;

  *out = g_steal_pointer (&components);
  return TRUE;
}

static gboolean
read_period_interval (Loader                 *l,
                      JsonObject             *object,
                      const char             *path,
                      WardFhirPeriodInterval *out)
{
  static const struct {
    const char             *name;
    WardFhirPeriodInterval  interval;
  } names[] = {
    { "CorrelationId", WARD_FHIR_PERIOD_CORRELATION_ID },
    { "Single", WARD_FHIR_PERIOD_SINGLE },
    { "Hourly", WARD_FHIR_PERIOD_HOURLY },
    { "Daily", WARD_FHIR_PERIOD_DAILY },
  };
  g_autofree char *member_path = NULL;
  const char *actual = "periodInterval";
  JsonNode *node = get_member (object, "periodInterval", &actual);
  gint64 value = G_MININT64;

  *out = WARD_FHIR_PERIOD_SINGLE;
  if (node == NULL)
    return TRUE;

  member_path = _ward_json_path_append (path, actual, -1);
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      value = json_node_get_int (node);
    }
  else if (_ward_json_holds_string (node))
    {
      /* Json.NET reads an enum from its name or its number. */
      const char *text = json_node_get_string (node);
      char *end = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          if (g_ascii_strcasecmp (text, names[i].name) == 0)
            value = names[i].interval;
        }

      if (value == G_MININT64)
        {
          gint64 parsed = g_ascii_strtoll (text, &end, 10);

          if (end != text && end != NULL && *end == '\0')
            value = parsed;
        }
    }

  if (value != WARD_FHIR_PERIOD_CORRELATION_ID && value != WARD_FHIR_PERIOD_SINGLE &&
      value != WARD_FHIR_PERIOD_HOURLY && value != WARD_FHIR_PERIOD_DAILY)
    {
      g_autofree char *shown = NULL;

      if (_ward_json_holds_string (node))
        shown = g_strdup_printf ("\"%s\"", json_node_get_string (node));
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
        shown = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        shown = g_strdup (_ward_json_describe_node_type (node));

      _ward_template_loader_add_issue (l->base, member_path, FALSE, TRUE,
                                       "periodInterval %s is not one of -1 (correlation id), 0 (single), 60 (hourly) and 1440 (daily).",
                                       shown);
      return FALSE;
    }

  *out = (WardFhirPeriodInterval) value;
  return TRUE;
}

static CodeValueTemplate *
read_code_value (Loader     *l,
                 JsonObject *object,
                 const char *path,
                 guint       index)
{
  static const char * const known[] = { "typeName", "periodInterval", "category", "codes", "value", "components" };
  g_autoptr(CodeValueTemplate) tmpl = g_new0 (CodeValueTemplate, 1);
  const char *value_actual = "value";
  JsonNode *value;
  gboolean ok;
  const char *type_actual = "typeName";

  tmpl->index = index;
  get_member (object, "typeName", &type_actual);
  tmpl->type_name_path = _ward_json_path_append (path, type_actual, -1);

  ok = check_members (l, object, path, known, G_N_ELEMENTS (known), "CodeValueFhirTemplate");
  if (!read_string (l, object, path, "typeName", "TypeName", TRUE, &tmpl->type_name))
    {
      ok = FALSE;
    }
  else if (_ward_json_is_blank (tmpl->type_name))
    {
      /* FhirLookupTemplate.RegisterTemplate() says so when the rest is
       * fine; say it whatever else is wrong.
       */
      _ward_template_loader_add_issue (l->base, tmpl->type_name_path, FALSE, TRUE,
                                       "Empty type name is not allowed: '%s'", tmpl->type_name);
      ok = FALSE;
    }
  if (!read_period_interval (l, object, path, &tmpl->period_interval))
    ok = FALSE;
  if (!read_category (l, object, path, &tmpl->category))
    ok = FALSE;
  if (!read_codes (l, object, path, TRUE, &tmpl->codes))
    ok = FALSE;

  value = get_member (object, "value", &value_actual);
  if (value != NULL && !JSON_NODE_HOLDS_NULL (value))
    {
      g_autofree char *value_path = _ward_json_path_append (path, value_actual, -1);

      tmpl->value = read_value (l, value, value_path, FALSE);
      if (tmpl->value == NULL)
        ok = FALSE;
    }

  if (!read_components (l, object, path, &tmpl->components))
    ok = FALSE;

  if (!ok)
    return NULL;

  return g_steal_pointer (&tmpl);
}

static char *
type_key (const char *type)
{
  /* InvariantCultureIgnoreCase. */
  if (g_utf8_validate (type, -1, NULL))
    return g_utf8_casefold (type, -1);

  return g_ascii_strdown (type, -1);
}

/* FhirLookupTemplate.RegisterTemplate(). */
static void
register_template (Loader            *l,
                   CodeValueTemplate *tmpl)
{
  g_autofree char *key = NULL;

  g_assert (!_ward_json_is_blank (tmpl->type_name));

  key = type_key (tmpl->type_name);
  if (g_hash_table_contains (l->self->by_type, key))
    {
      _ward_template_loader_add_issue (l->base, tmpl->type_name_path, FALSE, TRUE,
                                       "Duplicate template defined for type name: '%s'",
                                       tmpl->type_name);
      code_value_template_free (tmpl);
      return;
    }

  g_hash_table_insert (l->self->by_type, g_steal_pointer (&key), tmpl);
  g_ptr_array_add (l->self->templates, tmpl);
}

static void
warn_unknown_container_members (Loader     *l,
                                JsonObject *object,
                                const char *path)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;

  /* The connector reads a container without MissingMemberHandling. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      if (g_ascii_strcasecmp (name, "templateType") != 0 && g_ascii_strcasecmp (name, "template") != 0)
        {
          g_autofree char *child_path = _ward_json_path_append (path, name, -1);

          _ward_template_loader_add_issue (l->base, child_path, TRUE, FALSE, "Unknown member '%s' is ignored.", name);
        }
    }
}

/* One {templateType, template} of the collection: returns the template
 * read, or NULL (with issues).
 */
static CodeValueTemplate *
load_container (Loader     *l,
                JsonNode   *node,
                const char *path,
                guint       index,
                gboolean    in_collection)
{
  g_autofree char *template_path = NULL;
  const char *template_actual = "template";
  const char *type_actual = "templateType";
  const char *template_type = NULL;
  JsonObject *object;
  JsonNode *type_node;
  JsonNode *template_node;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _ward_template_loader_add_issue (l->base, path, FALSE, TRUE,
                                       "Expected an object with templateType and template, found %s.",
                                       _ward_json_describe_node_type (node));
      return NULL;
    }

  object = json_node_get_object (node);
  if (in_collection)
    warn_unknown_container_members (l, object, path);

  type_node = get_member (object, "templateType", &type_actual);
  if (_ward_json_holds_string (type_node))
    template_type = json_node_get_string (type_node);

  if (!_ward_template_match_name (template_type, "CodeValueFhirTemplate"))
    {
      g_autofree char *type_path = _ward_json_path_append (path, type_actual, -1);

      _ward_template_loader_add_issue (l->base, type_node != NULL ? type_path : path, FALSE, TRUE,
                                       "No match found for template type %s.",
                                       template_type != NULL ? template_type : "");
      return NULL;
    }

  template_node = get_member (object, "template", &template_actual);
  template_path = _ward_json_path_append (path, template_actual, -1);
  if (template_node == NULL || !JSON_NODE_HOLDS_OBJECT (template_node))
    {
      _ward_template_loader_add_issue (l->base, template_node != NULL ? template_path : path, FALSE, TRUE,
                                       "Expected an object for the template property value for template type CodeValueFhirTemplate.");
      return NULL;
    }

  return read_code_value (l, json_node_get_object (template_node), template_path, index);
}

static gboolean
load_mapping (WardFhirTemplate  *self,
              const char        *data,
              gsize              length,
              GError           **error)
{
  g_auto(WardTemplateLoader) base = { .issues = self->issues, .filename = self->filename };
  Loader loader = { &base, self };
  Loader *l = &loader;
  const char *type_actual = "templateType";
  const char *template_actual = "template";
  const char *template_type = "";
  g_autofree char *template_path = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *type_node;
  JsonNode *template_node;
  JsonArray *array;

  root = _ward_template_loader_parse (l->base, data, length, error);
  if (root == NULL)
    return FALSE;

  object = json_node_get_object (root);
  warn_unknown_container_members (l, object, "$");

  type_node = get_member (object, "templateType", &type_actual);
  if (_ward_json_holds_string (type_node))
    template_type = json_node_get_string (type_node);

  if (!_ward_template_match_name (template_type, "CollectionFhirTemplate"))
    {
      g_autofree char *type_path = _ward_json_path_append ("$", type_actual, -1);
      gboolean single = _ward_template_match_name (template_type, "CodeValueFhirTemplate");

      _ward_template_loader_add_issue (l->base, type_node != NULL ? type_path : "$", FALSE, TRUE,
                                       "Expected TemplateType value CollectionFhirTemplate, actual %s.%s",
                                       template_type,
                                       single ? " A FHIR mapping is a collection: {\"templateType\": \"CollectionFhir\", "
                                                "\"template\": [ your templates ]}." : "");

      /* Say what else is wrong with the lone template, so that one round
       * of --check shows it all.
       */
      if (single)
        code_value_template_free (load_container (l, root, "$", 0, FALSE));

      return _ward_template_loader_fail (l->base, WARD_TEMPLATE_ERROR_INVALID, error);
    }

  template_node = get_member (object, "template", &template_actual);
  template_path = _ward_json_path_append ("$", template_actual, -1);
  if (template_node == NULL || !JSON_NODE_HOLDS_ARRAY (template_node))
    {
      _ward_template_loader_add_issue (l->base, template_node != NULL ? template_path : "$", FALSE, TRUE,
                                       "Expected an array for the template property value for template type CollectionFhirTemplate.");
      return _ward_template_loader_fail (l->base, WARD_TEMPLATE_ERROR_INVALID, error);
    }

  array = json_node_get_array (template_node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = _ward_json_path_append (template_path, NULL, (gint) i);
      CodeValueTemplate *tmpl = load_container (l, json_array_get_element (array, i), path, i, TRUE);

      if (tmpl != NULL)
        register_template (l, tmpl);
    }

  /* The templates that are valid are used even when others are not; only
   * a mapping with nothing usable fails.
   */
  if (self->templates->len == 0 && !ward_fhir_template_is_valid (self))
    return _ward_template_loader_fail (l->base, WARD_TEMPLATE_ERROR_INVALID, error);

  return TRUE;
}

/* Identity */

static CodeValueTemplate *
find_template (WardFhirTemplate *self,
               const char       *type)
{
  g_autofree char *key = NULL;

  if (type == NULL)
    return NULL;

  key = type_key (type);
  return g_hash_table_lookup (self->by_type, key);
}

static char *
resource_id_or_empty (const char *id)
{
  if (id == NULL || _ward_json_is_blank (id))
    return g_strdup ("");

  return ward_fhir_template_resource_id (NULL, id);
}

/* The group's resource id when the caller set one, as it is; otherwise
 * the Create-mode id of the measurements' id, or "" without one.
 */
static char *
group_resource_id (const char *resource_id,
                   const char *id)
{
  if (resource_id != NULL && !_ward_json_is_blank (resource_id))
    return g_strdup (resource_id);

  return resource_id_or_empty (id);
}

static char *
make_identifier (CodeValueTemplate          *tmpl,
                 const WardObservationGroup *group)
{
  g_autofree char *patient = group_resource_id (group->patient_resource_id, group->patient_id);
  g_autofree char *device = group_resource_id (group->device_resource_id, group->device_id);
  g_autofree char *segment = NULL;

  if (tmpl->period_interval == WARD_FHIR_PERIOD_CORRELATION_ID)
    segment = g_strdup (group->correlation_id != NULL ? group->correlation_id : "");
  else
    segment = ward_observation_group_get_time_segment (group);

  return g_strdup_printf ("%s.%s.%s.%s", patient, device, group->type, segment);
}

/* Grouping */

static void
append_key_part (GString    *key,
                 const char *part)
{
  if (part == NULL)
    g_string_append (key, "-|");
  else
    g_string_append_printf (key, "%zu:%s|", strlen (part), part);
}

static void
add_group_issue (GPtrArray  *issues,
                 guint       index,
                 char       *message)
{
  WardFhirGroupIssue *issue;

  if (issues == NULL)
    {
      g_free (message);
      return;
    }

  issue = g_new0 (WardFhirGroupIssue, 1);
  issue->index = index;
  issue->message = message;
  g_ptr_array_add (issues, issue);
}

/* Measurement groups per (device, type, patient, encounter,
 * correlation id), then Observation groups by the template's interval,
 * as the connector; groups that would share an identifier are one (see
 * the header).
 */
static void
group_measurement (WardFhirTemplate     *self,
                   const WardNormalized *m,
                   guint                 index,
                   GPtrArray            *groups,
                   GHashTable           *lookup,
                   GPtrArray            *issues)
{
  g_autoptr(GString) key = g_string_new (NULL);
  CodeValueTemplate *tmpl = find_template (self, m->type);
  WardObservationGroup *group;
  gint64 ticks = m->occurrence_time * WARD_FHIR_TICKS_PER_USEC;
  gint64 start = ticks, end = ticks;

  if (tmpl == NULL)
    {
      add_group_issue (issues, index,
                       g_strdup_printf ("No Fhir Template exists with the type name [%s]. Ensure that all Fhir "
                                        "Template type names match Device Mapping type names (including casing)",
                                        m->type));
      return;
    }

  if (m->occurrence_time > G_MAXINT64 / WARD_FHIR_TICKS_PER_USEC - TICKS_PER_DAY ||
      m->occurrence_time < G_MININT64 / WARD_FHIR_TICKS_PER_USEC + TICKS_PER_DAY)
    {
      add_group_issue (issues, index, g_strdup ("The measurement's time is out of range"));
      return;
    }

  append_key_part (key, m->type);
  append_key_part (key, m->device_id);
  append_key_part (key, m->patient_id != NULL && !_ward_json_is_blank (m->patient_id) ? m->patient_id : NULL);

  switch (tmpl->period_interval)
    {
    case WARD_FHIR_PERIOD_CORRELATION_ID:
      if (m->correlation_id == NULL || _ward_json_is_blank (m->correlation_id))
        {
          add_group_issue (issues, index,
                           g_strdup_printf ("The Fhir Template of type [%s] groups by correlation id "
                                            "(periodInterval -1), and the measurement has none",
                                            tmpl->type_name));
          return;
        }
      append_key_part (key, m->correlation_id);
      break;
    case WARD_FHIR_PERIOD_SINGLE:
      /* The identifier has seconds: one group per second. */
      g_string_append_printf (key, "%" G_GINT64_FORMAT, floor_div (ticks, TICKS_PER_SEC));
      break;
    case WARD_FHIR_PERIOD_HOURLY:
      start = floor_div (ticks, TICKS_PER_HOUR) * TICKS_PER_HOUR;
      end = start + TICKS_PER_HOUR - 1;
      g_string_append_printf (key, "%" G_GINT64_FORMAT, start);
      break;
    case WARD_FHIR_PERIOD_DAILY:
      start = floor_div (ticks, TICKS_PER_DAY) * TICKS_PER_DAY;
      end = start + TICKS_PER_DAY - 1;
      g_string_append_printf (key, "%" G_GINT64_FORMAT, start);
      break;
    default:
      g_assert_not_reached ();
    }

  group = g_hash_table_lookup (lookup, key->str);
  if (group == NULL)
    {
      group = ward_observation_group_new (m->type, m->device_id,
                                          m->patient_id != NULL && !_ward_json_is_blank (m->patient_id) ? m->patient_id : NULL,
                                          start, end);
      group->encounter_id = g_strdup (m->encounter_id);
      group->correlation_id = g_strdup (m->correlation_id);
      g_ptr_array_add (groups, group);
      g_hash_table_insert (lookup, g_string_free (g_steal_pointer (&key), FALSE), group);
    }
  else if (tmpl->period_interval == WARD_FHIR_PERIOD_CORRELATION_ID ||
           tmpl->period_interval == WARD_FHIR_PERIOD_SINGLE)
    {
      group->start_ticks = MIN (group->start_ticks, start);
      group->end_ticks = MAX (group->end_ticks, end);
    }

  for (guint i = 0; i < m->properties->len; i++)
    {
      const WardNormalizedValue *v = &g_array_index (m->properties, WardNormalizedValue, i);

      if (v->name != NULL && v->value != NULL)
        ward_observation_group_add_value (group, v->name, m->occurrence_time, v->value);
    }

  g_array_append_val (group->sources, index);
}

/* SampledData (the connector's SampledDataProcessor) */

typedef struct
{
  gint64      ticks;
  const char *value;
} TimeValue;

/* Saturates: a slot that starts after any time there can be starts at
 * G_MAXINT64.
 */
static gint64
slot_start (gint64 start,
            double period_ticks,
            gint64 k)
{
  double offset = (double) k * period_ticks;

  if (offset >= 9.0e18 || (double) start + offset >= 9.0e18)
    return G_MAXINT64;

  return start + (gint64) llround (offset);
}

/* Slot k covers [start + k period, start + (k + 1) period); slots are
 * written while their start is not after end; the last value of a slot
 * wins; an empty slot is "E".
 */
static char *
build_sampled_data (const TimeValue  *values,
                    guint             n_values,
                    gint64            start,
                    gint64            end,
                    double            period_ms,
                    GError          **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  double period_ticks = period_ms * TICKS_PER_MS;
  double n_slots;
  guint i = 0;

  if (end < start)
    return g_strdup ("");

  n_slots = floor (((double) end - (double) start) / period_ticks) + 1;
  if (n_slots > (double) MAX_SAMPLES)
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_TOO_LARGE,
                   "SampledData of %.0f samples (%g ms apart) is more than the %" G_GINT64_FORMAT
                   " Wardwatch writes in one Observation", n_slots, period_ms, MAX_SAMPLES);
      return NULL;
    }

  for (gint64 k = 0; ; k++)
    {
      gint64 from = slot_start (start, period_ticks, k);
      gint64 to = slot_start (start, period_ticks, k + 1);
      const char *value = NULL;

      if (from > end)
        break;

      /* Values before the slot (only possible before the first) are
       * skipped; the connector would stop at them.
       */
      while (i < n_values && values[i].ticks < from)
        i++;
      while (i < n_values && values[i].ticks < to)
        value = values[i++].value;

      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, value != NULL ? value : "E");
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The values of a SampledData stream read back on the grid; "E" (and an
 * empty token) is no value.  data is cut into its tokens in place, in
 * one pass (a stream may have millions), and the values point into it.
 */
static GArray *
sampled_data_to_time_values (char   *data,
                             gint64  start,
                             double  period_ms)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (TimeValue));
  double period_ticks = period_ms * TICKS_PER_MS;
  char *token = data;
  gint64 k = 0;

  for (char *p = data; ; p++)
    {
      gboolean last = *p == '\0';

      if (*p != ' ' && !last)
        continue;

      *p = '\0';
      if (*token != '\0' && !g_str_equal (token, "E"))
        {
          TimeValue tv;

          tv.ticks = slot_start (start, period_ticks, k);
          tv.value = token;
          g_array_append_val (values, tv);
        }

      if (last)
        break;
      token = p + 1;
      k++;
    }

  return values;
}

/* Both sorted by time; at the same time the new value wins. */
static GArray *
merge_time_values (const TimeValue *existing,
                   guint            n_existing,
                   const TimeValue *fresh,
                   guint            n_fresh)
{
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (TimeValue), n_existing + n_fresh);
  guint i = 0, j = 0;

  while (i < n_existing || j < n_fresh)
    {
      if (i >= n_existing)
        g_array_append_val (out, fresh[j++]);
      else if (j >= n_fresh)
        g_array_append_val (out, existing[i++]);
      else if (existing[i].ticks < fresh[j].ticks)
        g_array_append_val (out, existing[i++]);
      else if (existing[i].ticks > fresh[j].ticks)
        g_array_append_val (out, fresh[j++]);
      else
        {
          g_array_append_val (out, fresh[j++]);
          i++;
        }
    }

  return out;
}

/* Building */

typedef struct
{
  gint64 start;        /* the Observation's period, ticks */
  gint64 end;
} Period;

/* json_node_copy() shares objects and arrays: a merge that must not
 * change the existing Observation copies what it changes in depth.
 */
static JsonNode *
deep_copy (JsonNode *node)
{
  JsonNode *copy;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        json_object_set_member (object, name, deep_copy (child));
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, object);
      return copy;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *source = json_node_get_array (node);
      JsonArray *array = json_array_sized_new (json_array_get_length (source));

      for (guint i = 0; i < json_array_get_length (source); i++)
        json_array_add_element (array, deep_copy (json_array_get_element (source, i)));
      copy = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (copy, array);
      return copy;
    }

  return json_node_copy (node);
}

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static void
set_string (JsonObject *object,
            const char *member,
            const char *text)
{
  if (text != NULL)
    json_object_set_string_member (object, member, text);
}

static JsonArray *
codings_array (GPtrArray *codes)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; codes != NULL && i < codes->len; i++)
    {
      const FhirCoding *code = codes->pdata[i];
      JsonObject *coding = json_object_new ();

      set_string (coding, "system", code->system);
      set_string (coding, "code", code->code);
      set_string (coding, "display", code->display);
      json_array_add_object_element (array, coding);
    }

  return array;
}

/* ResolveCode(): the template's codings, then the connector's own. */
static JsonObject *
resolve_code (const char *type,
              GPtrArray  *codes)
{
  JsonObject *concept = json_object_new ();
  JsonArray *coding = codings_array (codes);
  JsonObject *own = json_object_new ();

  json_object_set_string_member (own, "system", WARD_FHIR_SERVICE_SYSTEM);
  json_object_set_string_member (own, "code", type);
  json_object_set_string_member (own, "display", type);
  json_array_add_object_element (coding, own);

  json_object_set_array_member (concept, "coding", coding);
  json_object_set_string_member (concept, "text", type);
  return concept;
}

static JsonArray *
resolve_category (GPtrArray *category)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < category->len; i++)
    {
      const FhirConcept *concept = category->pdata[i];
      JsonObject *object = json_object_new ();

      if (concept->codes != NULL && concept->codes->len > 0)
        json_object_set_array_member (object, "coding", codings_array (concept->codes));
      set_string (object, "text", concept->text);
      json_array_add_object_element (array, object);
    }

  return array;
}

static TimeValue *
time_values_of (GArray *values)
{
  TimeValue *out = g_new (TimeValue, values->len + 1);

  for (guint i = 0; i < values->len; i++)
    {
      const WardObservationValue *v = &g_array_index (values, WardObservationValue, i);

      out[i].ticks = v->time * WARD_FHIR_TICKS_PER_USEC;
      out[i].value = v->value;
    }

  return out;
}

/* A FHIR decimal as JSON writes it. */
static gboolean
is_fhir_decimal (const char *p)
{
  if (*p == '-')
    p++;
  if (*p == '0')
    p++;
  else if (*p >= '1' && *p <= '9')
    while (g_ascii_isdigit (*p))
      p++;
  else
    return FALSE;

  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }

  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }

  return *p == '\0';
}

/* SampledData tokens are decimals: refuse anything else.  A value is
 * written as sent (as the connector writes it) when that is a FHIR
 * decimal, else in the shortest form of its number ("+5" is 5, " 5. "
 * is 5): a space would split a token.
 */
static gboolean
check_sampled_values (const FhirValue  *tmpl,
                      GArray           *values,
                      GPtrArray        *trimmed,
                      TimeValue        *out,
                      GError          **error)
{
  for (guint i = 0; i < values->len; i++)
    {
      const WardObservationValue *v = &g_array_index (values, WardObservationValue, i);
      g_autoptr(JsonNode) number = number_node (v->value);
      char *text;

      if (number == NULL)
        {
          g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_BAD_VALUE,
                       "The value \"%.64s\" of [%s] is not a number: SampledData takes numbers only", v->value,
                       tmpl->value_name);
          return FALSE;
        }

      text = g_strstrip (g_strdup (v->value));
      if (!is_fhir_decimal (text))
        {
          g_free (text);
          if (json_node_get_value_type (number) == G_TYPE_INT64)
            text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (number));
          else
            text = ward_device_template_format_value (number);
        }
      g_ptr_array_add (trimmed, text);
      out[i].value = text;
    }

  return TRUE;
}

static JsonNode *
sampled_data_node (const FhirValue *tmpl,
                   const char      *data)
{
  JsonObject *object = json_object_new ();
  JsonObject *origin = json_object_new ();
  JsonNode *node;

  json_object_set_int_member (origin, "value", 0);
  set_string (origin, "unit", tmpl->unit);
  json_object_set_object_member (object, "origin", origin);
  json_object_set_member (object, "period", decimal_node (tmpl->default_period));
  json_object_set_int_member (object, "dimensions", 1);
  json_object_set_string_member (object, "data", data);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

/* CreateValue(): the value[x] for values over the Observation's period. */
static JsonNode *
create_value (const FhirValue  *tmpl,
              GArray           *values,
              const Period     *period,
              GError          **error)
{
  const WardObservationValue *latest = &g_array_index (values, WardObservationValue, values->len - 1);
  JsonObject *object;
  JsonNode *node;

  switch (tmpl->kind)
    {
    case VALUE_SAMPLED_DATA:
      {
        g_autoptr(GPtrArray) trimmed = g_ptr_array_new_with_free_func (g_free);
        g_autofree TimeValue *tvs = time_values_of (values);
        g_autofree char *data = NULL;

        if (!check_sampled_values (tmpl, values, trimmed, tvs, error))
          return NULL;

        data = build_sampled_data (tvs, values->len, period->start, period->end, tmpl->default_period, error);
        if (data == NULL)
          return NULL;

        return sampled_data_node (tmpl, data);
      }

    case VALUE_QUANTITY:
      {
        JsonNode *number = number_node (latest->value);

        if (number == NULL)
          {
            g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_BAD_VALUE,
                         "The value \"%.64s\" of [%s] is not a number: a Quantity needs one", latest->value,
                         tmpl->value_name);
            return NULL;
          }

        object = json_object_new ();
        json_object_set_member (object, "value", number);
        set_string (object, "unit", tmpl->unit);
        set_string (object, "system", tmpl->system);
        set_string (object, "code", tmpl->code);
        break;
      }

    case VALUE_STRING:
      return string_node (latest->value);

    case VALUE_CODEABLE_CONCEPT:
      /* The value only says that the code applies. */
      object = json_object_new ();
      if (tmpl->codes != NULL && tmpl->codes->len > 0)
        json_object_set_array_member (object, "coding", codings_array (tmpl->codes));
      set_string (object, "text", tmpl->text);
      break;

    default:
      g_assert_not_reached ();
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static const char *
value_member (const FhirValue *tmpl)
{
  return value_members[tmpl->kind];
}

/* The value[x] member an object has, or NULL. */
static const char *
find_value_member (JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &child))
    {
      if (g_str_has_prefix (name, "value") && g_ascii_isupper (name[5]))
        return name;
    }

  return NULL;
}

/* MergeValue(): the merged value[x] node for member value_name of
 * object, given the group's values.
 */
static JsonNode *
merge_value (const FhirValue  *tmpl,
             JsonObject       *object,
             GArray           *values,
             const Period     *observation,
             const Period     *merged,
             GError          **error)
{
  const char *existing_member = find_value_member (object);
  JsonObject *sampled;
  JsonNode *data_node;
  JsonNode *dimensions;

  if (existing_member == NULL)
    return create_value (tmpl, values, merged, error);

  if (!g_str_equal (existing_member, value_member (tmpl)))
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                   "The existing Observation has %s where the template of [%s] writes %s",
                   existing_member, tmpl->value_name, value_member (tmpl));
      return NULL;
    }

  if (tmpl->kind != VALUE_SAMPLED_DATA)
    return create_value (tmpl, values, merged, error);

  if (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, existing_member)))
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                   "The existing Observation's valueSampledData is not an object");
      return NULL;
    }

  sampled = json_object_get_object_member (object, existing_member);
  dimensions = json_object_get_member (sampled, "dimensions");
  if (dimensions != NULL && holds_number (dimensions) && json_node_get_double (dimensions) > 1)
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                   "The existing SampledData value has more than 1 dimension");
      return NULL;
    }

  data_node = json_object_get_member (sampled, "data");
  {
    g_autoptr(GPtrArray) trimmed = g_ptr_array_new_with_free_func (g_free);
    g_autofree TimeValue *fresh = time_values_of (values);
    g_autofree char *stream = NULL;
    g_autoptr(GArray) old = NULL;
    g_autoptr(GArray) all = NULL;
    g_autofree char *data = NULL;
    JsonNode *node;

    if (!check_sampled_values (tmpl, values, trimmed, fresh, error))
      return NULL;

    /* The stored stream is read on the template's grid, from the
     * Observation's start, as the connector reads it.
     */
    stream = g_strdup (_ward_json_holds_string (data_node) ? json_node_get_string (data_node) : "");
    old = sampled_data_to_time_values (stream, observation->start, tmpl->default_period);
    all = merge_time_values ((TimeValue *) (gpointer) old->data, old->len, fresh, values->len);
    data = build_sampled_data ((TimeValue *) (gpointer) all->data, all->len, merged->start, merged->end,
                               tmpl->default_period, error);
    if (data == NULL)
      return NULL;

    node = deep_copy (json_object_get_member (object, existing_member));
    json_object_set_string_member (json_node_get_object (node), "data", data);
    return node;
  }
}

static JsonNode *
reference_node (const char *type,
                const char *resource_id_set,
                const char *id)
{
  g_autofree char *resource_id = group_resource_id (resource_id_set, id);
  g_autofree char *reference = g_strdup_printf ("%s/%s", type, resource_id);
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "reference", reference);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
period_node (gint64 start,
             gint64 end)
{
  g_autofree char *start_text = ward_fhir_template_format_ticks (start);
  g_autofree char *end_text = ward_fhir_template_format_ticks (end);
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "start", start_text);
  json_object_set_string_member (object, "end", end_text);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
identifier_node (const char *value)
{
  JsonArray *array = json_array_new ();
  JsonObject *identifier = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_object_set_string_member (identifier, "system", WARD_FHIR_SERVICE_SYSTEM);
  json_object_set_string_member (identifier, "value", value);
  json_array_add_object_element (array, identifier);
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
component_node (const FhirComponent *component,
                JsonNode            *value)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_object_member (object, "code", resolve_code (component->value->value_name, component->codes));
  json_object_set_member (object, value_member (component->value), value);
  json_node_take_object (node, object);
  return node;
}

/* The members of an Observation in FHIR's order; a merged Observation
 * keeps its other members after them.
 */
static const char * const observation_order[] = {
  "resourceType", "id", "meta", "identifier", "status", "category", "code", "subject", "encounter",
  "effectiveDateTime", "effectivePeriod", "issued",
  "valueQuantity", "valueCodeableConcept", "valueString", "valueSampledData",
  "device", "component",
};

static JsonNode *
ordered_observation (GHashTable *members,
                     JsonObject *existing)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; i < G_N_ELEMENTS (observation_order); i++)
    {
      JsonNode *member = g_hash_table_lookup (members, observation_order[i]);

      if (member != NULL)
        json_object_set_member (object, observation_order[i], json_node_ref (member));
    }

  if (existing != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, existing);
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (!g_hash_table_contains (members, name) &&
              !is_one_of (name, observation_order, G_N_ELEMENTS (observation_order)))
            json_object_set_member (object, name, deep_copy (child));
        }
    }

  json_node_take_object (node, object);
  return node;
}

static JsonNode *
create_observation (WardFhirTemplate            *self,
                    CodeValueTemplate           *tmpl,
                    const WardObservationGroup  *group,
                    GError                     **error)
{
  g_autoptr(GHashTable) members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) json_node_unref);
  g_autofree char *identifier = make_identifier (tmpl, group);
  g_autofree char *id = ward_fhir_template_resource_id (WARD_FHIR_SERVICE_SYSTEM, identifier);
  g_autofree char *issued = ward_fhir_template_format_ticks (g_get_real_time () * WARD_FHIR_TICKS_PER_USEC);
  Period period = { group->start_ticks, group->end_ticks };
  JsonNode *node;

  g_hash_table_insert (members, (gpointer) "resourceType", string_node ("Observation"));
  g_hash_table_insert (members, (gpointer) "id", string_node (id));
  g_hash_table_insert (members, (gpointer) "identifier", identifier_node (identifier));
  g_hash_table_insert (members, (gpointer) "status", string_node ("final"));

  if (tmpl->category != NULL && tmpl->category->len > 0)
    {
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, resolve_category (tmpl->category));
      g_hash_table_insert (members, (gpointer) "category", node);
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, resolve_code (group->type, tmpl->codes));
  g_hash_table_insert (members, (gpointer) "code", node);

  if (group->patient_id != NULL && !_ward_json_is_blank (group->patient_id))
    g_hash_table_insert (members, (gpointer) "subject",
                         reference_node ("Patient", group->patient_resource_id, group->patient_id));
  g_hash_table_insert (members, (gpointer) "effectivePeriod", period_node (period.start, period.end));
  g_hash_table_insert (members, (gpointer) "issued", string_node (issued));
  if (group->device_id != NULL && !_ward_json_is_blank (group->device_id))
    g_hash_table_insert (members, (gpointer) "device",
                         reference_node ("Device", group->device_resource_id, group->device_id));

  if (tmpl->value != NULL && tmpl->value->value_name != NULL)
    {
      GArray *values = ward_observation_group_get_values (group, tmpl->value->value_name);

      if (values != NULL && values->len > 0)
        {
          JsonNode *value = create_value (tmpl->value, values, &period, error);

          if (value == NULL)
            return NULL;
          g_hash_table_insert (members, (gpointer) value_member (tmpl->value), value);
        }
    }

  if (tmpl->components != NULL)
    {
      JsonArray *components = json_array_new ();

      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, components);
      g_hash_table_insert (members, (gpointer) "component", node);

      for (guint i = 0; i < tmpl->components->len; i++)
        {
          const FhirComponent *component = tmpl->components->pdata[i];
          GArray *values = ward_observation_group_get_values (group, component->value->value_name);
          JsonNode *value;

          if (values == NULL || values->len == 0)
            continue;

          value = create_value (component->value, values, &period, error);
          if (value == NULL)
            return NULL;
          json_array_add_element (components, component_node (component, value));
        }

      /* An empty list is not written. */
      if (json_array_get_length (components) == 0)
        g_hash_table_remove (members, "component");
    }

  return ordered_observation (members, NULL);
}

static gboolean
read_period (JsonObject  *observation,
             Period      *period,
             GError     **error)
{
  JsonNode *effective = json_object_get_member (observation, "effectivePeriod");
  JsonNode *date_time = json_object_get_member (observation, "effectiveDateTime");

  if (effective != NULL && JSON_NODE_HOLDS_OBJECT (effective))
    {
      JsonObject *object = json_node_get_object (effective);
      JsonNode *start = json_object_get_member (object, "start");
      JsonNode *end = json_object_get_member (object, "end");

      if (_ward_json_holds_string (start) && parse_ticks (json_node_get_string (start), &period->start))
        {
          if (!_ward_json_holds_string (end) || !parse_ticks (json_node_get_string (end), &period->end))
            period->end = period->start;
          return TRUE;
        }
    }
  else if (_ward_json_holds_string (date_time) && parse_ticks (json_node_get_string (date_time), &period->start))
    {
      period->end = period->start;
      return TRUE;
    }

  g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
               "The existing Observation has no effectivePeriod or effectiveDateTime to merge into");
  return FALSE;
}

/* The existing component for a value: its code has the connector's own
 * coding of the valueName.
 */
static JsonObject *
find_component (JsonArray  *components,
                const char *value_name)
{
  for (guint i = 0; i < json_array_get_length (components); i++)
    {
      JsonNode *element = json_array_get_element (components, i);
      JsonObject *component;
      JsonNode *code;
      JsonNode *coding;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      component = json_node_get_object (element);
      code = json_object_get_member (component, "code");
      if (code == NULL || !JSON_NODE_HOLDS_OBJECT (code))
        continue;
      coding = json_object_get_member (json_node_get_object (code), "coding");
      if (coding == NULL || !JSON_NODE_HOLDS_ARRAY (coding))
        continue;

      for (guint c = 0; c < json_array_get_length (json_node_get_array (coding)); c++)
        {
          JsonNode *item = json_array_get_element (json_node_get_array (coding), c);
          JsonObject *object;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            continue;
          object = json_node_get_object (item);
          if (_ward_json_holds_string (json_object_get_member (object, "code")) &&
              _ward_json_holds_string (json_object_get_member (object, "system")) &&
              g_str_equal (json_object_get_string_member (object, "code"), value_name) &&
              g_str_equal (json_object_get_string_member (object, "system"), WARD_FHIR_SERVICE_SYSTEM))
            return component;
        }
    }

  return NULL;
}

static JsonNode *
merge_observation (WardFhirTemplate            *self,
                   CodeValueTemplate           *tmpl,
                   const WardObservationGroup  *group,
                   JsonNode                    *existing,
                   GError                     **error)
{
  g_autoptr(GHashTable) members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) json_node_unref);
  JsonObject *old;
  JsonNode *type;
  Period observation;
  Period merged;
  JsonNode *node;

  if (!JSON_NODE_HOLDS_OBJECT (existing))
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                   "The existing resource is not a JSON object");
      return NULL;
    }

  old = json_node_get_object (existing);
  type = json_object_get_member (old, "resourceType");
  if (type != NULL && (!_ward_json_holds_string (type) || !g_str_equal (json_node_get_string (type), "Observation")))
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                   "The existing resource is not an Observation");
      return NULL;
    }

  if (!read_period (old, &observation, error))
    return NULL;

  merged.start = MIN (observation.start, group->start_ticks);
  merged.end = MAX (observation.end, group->end_ticks);

  /* What the merge does not change is kept as it is. */
  {
    JsonObjectIter iter;
    const char *name;
    JsonNode *child;

    json_object_iter_init_ordered (&iter, old);
    while (json_object_iter_next_ordered (&iter, &name, &child))
      {
        if (is_one_of (name, observation_order, G_N_ELEMENTS (observation_order)))
          g_hash_table_insert (members, (gpointer) g_intern_string (name), deep_copy (child));
      }
  }

  g_hash_table_insert (members, (gpointer) "resourceType", string_node ("Observation"));
  g_hash_table_insert (members, (gpointer) "status", string_node ("amended"));

  g_hash_table_remove (members, "category");
  if (tmpl->category != NULL && tmpl->category->len > 0)
    {
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, resolve_category (tmpl->category));
      g_hash_table_insert (members, (gpointer) "category", node);
    }

  /* The same identifier found it: fill in what a foreign copy lacks. */
  if (!g_hash_table_contains (members, "identifier") || !g_hash_table_contains (members, "id"))
    {
      g_autofree char *identifier = make_identifier (tmpl, group);
      g_autofree char *id = ward_fhir_template_resource_id (WARD_FHIR_SERVICE_SYSTEM, identifier);

      if (!g_hash_table_contains (members, "identifier"))
        g_hash_table_insert (members, (gpointer) "identifier", identifier_node (identifier));
      if (!g_hash_table_contains (members, "id"))
        g_hash_table_insert (members, (gpointer) "id", string_node (id));
    }

  if (tmpl->value != NULL && tmpl->value->value_name != NULL)
    {
      GArray *values = ward_observation_group_get_values (group, tmpl->value->value_name);

      if (values != NULL && values->len > 0)
        {
          JsonNode *value = merge_value (tmpl->value, old, values, &observation, &merged, error);

          if (value == NULL)
            return NULL;

          for (guint i = 0; i < G_N_ELEMENTS (value_members); i++)
            g_hash_table_remove (members, value_members[i]);
          g_hash_table_insert (members, (gpointer) value_member (tmpl->value), value);
        }
    }

  if (tmpl->components != NULL)
    {
      JsonNode *old_components = g_hash_table_lookup (members, "component");
      JsonArray *components;

      if (old_components != NULL && !JSON_NODE_HOLDS_ARRAY (old_components))
        {
          g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                       "The existing Observation's component is not an array");
          return NULL;
        }

      if (old_components == NULL)
        {
          old_components = json_node_new (JSON_NODE_ARRAY);
          json_node_take_array (old_components, json_array_new ());
          g_hash_table_insert (members, (gpointer) "component", old_components);
        }
      components = json_node_get_array (old_components);

      for (guint i = 0; i < tmpl->components->len; i++)
        {
          const FhirComponent *component = tmpl->components->pdata[i];
          GArray *values = ward_observation_group_get_values (group, component->value->value_name);
          JsonObject *found;
          JsonNode *value;

          if (values == NULL || values->len == 0)
            continue;

          found = find_component (components, component->value->value_name);
          if (found == NULL)
            {
              value = create_value (component->value, values, &merged, error);
              if (value == NULL)
                return NULL;
              json_array_add_element (components, component_node (component, value));
              continue;
            }

          value = merge_value (component->value, found, values, &observation, &merged, error);
          if (value == NULL)
            return NULL;
          for (guint v = 0; v < G_N_ELEMENTS (value_members); v++)
            json_object_remove_member (found, value_members[v]);
          json_object_set_member (found, value_member (component->value), value);
        }

      if (json_array_get_length (components) == 0)
        g_hash_table_remove (members, "component");
    }

  g_hash_table_remove (members, "effectiveDateTime");
  g_hash_table_insert (members, (gpointer) "effectivePeriod", period_node (merged.start, merged.end));

  return ordered_observation (members, old);
}

/* Merging two copies of an Observation */

/* The value of an Observation's identifier in the connector's system. */
static const char *
connector_identifier (JsonObject *observation)
{
  JsonNode *node = json_object_get_member (observation, "identifier");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *identifier;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      identifier = json_node_get_object (element);
      if (_ward_json_holds_string (json_object_get_member (identifier, "system")) &&
          _ward_json_holds_string (json_object_get_member (identifier, "value")) &&
          g_str_equal (json_object_get_string_member (identifier, "system"), WARD_FHIR_SERVICE_SYSTEM))
        return json_object_get_string_member (identifier, "value");
    }

  return NULL;
}

/* The type of a connector Observation: ResolveCode() puts it in the
 * code as a coding of the connector's own system.
 */
static const char *
connector_type (JsonObject *observation)
{
  JsonNode *code = json_object_get_member (observation, "code");
  JsonNode *coding;
  JsonArray *array;

  if (code == NULL || !JSON_NODE_HOLDS_OBJECT (code))
    return NULL;
  coding = json_object_get_member (json_node_get_object (code), "coding");
  if (coding == NULL || !JSON_NODE_HOLDS_ARRAY (coding))
    return NULL;

  array = json_node_get_array (coding);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = json_node_get_object (element);
      if (_ward_json_holds_string (json_object_get_member (object, "system")) &&
          _ward_json_holds_string (json_object_get_member (object, "code")) &&
          g_str_equal (json_object_get_string_member (object, "system"), WARD_FHIR_SERVICE_SYSTEM))
        return json_object_get_string_member (object, "code");
    }

  return NULL;
}

static JsonArray *
components_of (JsonObject *observation)
{
  JsonNode *node = json_object_get_member (observation, "component");

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Ticks to the group's microseconds, rounding up: times * 10 come back
 * within the same slot of a SampledData grid (slots are at least 1 ms).
 */
static gint64
usec_of_ticks (gint64 ticks)
{
  return -floor_div (-ticks, WARD_FHIR_TICKS_PER_USEC);
}

/* Our values of one value[x] (of the Observation or of a component) back
 * into a group: a SampledData stream on the template's grid from our
 * start, as merge_value() reads a stored one; another kind as one value
 * at our period's end, left out when theirs has one and their period
 * ends later (the newest value wins; at the same time, ours).
 */
static gboolean
add_our_values (WardObservationGroup  *group,
                const FhirValue       *tmpl,
                JsonObject            *ours,
                JsonObject            *theirs,
                const Period          *our_period,
                const Period          *their_period,
                GError               **error)
{
  const char *member = value_member (tmpl);
  JsonNode *node = json_object_get_member (ours, member);
  g_autofree char *text = NULL;

  if (node == NULL)
    return TRUE;

  if (tmpl->kind == VALUE_SAMPLED_DATA)
    {
      JsonNode *data;
      g_autofree char *stream = NULL;
      g_autoptr(GArray) values = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                       "Our Observation's %s of [%s] is not an object", member, tmpl->value_name);
          return FALSE;
        }
      data = json_object_get_member (json_node_get_object (node), "data");
      if (!_ward_json_holds_string (data))
        return TRUE;

      stream = g_strdup (json_node_get_string (data));
      values = sampled_data_to_time_values (stream, our_period->start, tmpl->default_period);
      for (guint i = 0; i < values->len; i++)
        {
          const TimeValue *tv = &g_array_index (values, TimeValue, i);

          ward_observation_group_add_value (group, tmpl->value_name, usec_of_ticks (tv->ticks), tv->value);
        }
      return TRUE;
    }

  if (theirs != NULL && json_object_get_member (theirs, member) != NULL &&
      their_period->end > our_period->end)
    return TRUE;

  switch (tmpl->kind)
    {
    case VALUE_QUANTITY:
      if (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_member (json_node_get_object (node), "value") != NULL)
        text = ward_device_template_format_value (json_object_get_member (json_node_get_object (node), "value"));
      break;
    case VALUE_STRING:
      if (_ward_json_holds_string (node))
        text = g_strdup (json_node_get_string (node));
      break;
    case VALUE_CODEABLE_CONCEPT:
      /* The concept only says that the template's code applies. */
      text = g_strdup ("True");
      break;
    case VALUE_SAMPLED_DATA:
    default:
      g_assert_not_reached ();
    }

  if (text == NULL)
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                   "Our Observation's %s of [%s] has no value to merge", member, tmpl->value_name);
      return FALSE;
    }

  ward_observation_group_add_value (group, tmpl->value_name, usec_of_ticks (our_period->end), text);
  return TRUE;
}

/* The server keeps meta.versionId and meta.lastUpdated: a resource sent
 * (and stored locally) carries only what a client sets.
 */
static void
drop_server_meta (JsonObject *observation)
{
  JsonNode *meta = json_object_get_member (observation, "meta");

  if (meta == NULL)
    return;
  if (JSON_NODE_HOLDS_OBJECT (meta))
    {
      json_object_remove_member (json_node_get_object (meta), "versionId");
      json_object_remove_member (json_node_get_object (meta), "lastUpdated");
      if (json_object_get_size (json_node_get_object (meta)) > 0)
        return;
    }
  json_object_remove_member (observation, "meta");
}

/* A SampledData value whose period starts n_ticks earlier: empty slots
 * in front, as many as are closest to n_ticks on its own period.
 */
static gboolean
pad_sampled_data (JsonObject  *holder,
                  gint64       n_ticks,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (holder, "valueSampledData");
  JsonObject *sampled;
  JsonNode *period;
  JsonNode *data;
  double n_slots;
  g_autoptr(GString) padded = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return TRUE;
  sampled = json_node_get_object (node);
  period = json_object_get_member (sampled, "period");
  data = json_object_get_member (sampled, "data");
  if (!holds_number (period) || json_node_get_double (period) <= 0 || !_ward_json_holds_string (data))
    return TRUE;

  n_slots = round ((double) n_ticks / (json_node_get_double (period) * TICKS_PER_MS));
  if (n_slots > (double) MAX_SAMPLES)
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_TOO_LARGE,
                   "Widening the period would make SampledData of more than %" G_GINT64_FORMAT " samples",
                   MAX_SAMPLES);
      return FALSE;
    }

  padded = g_string_new (NULL);
  for (gint64 i = 0; i < (gint64) n_slots; i++)
    g_string_append (padded, "E ");
  g_string_append (padded, json_node_get_string (data));
  json_object_set_string_member (sampled, "data", padded->str);
  return TRUE;
}

/* No template for the type: our values win; the period is widened to
 * cover theirs too, and SampledData streams padded to stay in time.
 */
static JsonNode *
merge_without_template (JsonObject    *ours,
                        const Period  *our_period,
                        const Period  *their_period,
                        GError       **error)
{
  g_autoptr(JsonNode) wrapper = json_node_init_object (json_node_alloc (), ours);
  g_autoptr(JsonNode) merged = deep_copy (wrapper);
  JsonObject *object = json_node_get_object (merged);
  JsonArray *components;
  Period period;

  period.start = MIN (our_period->start, their_period->start);
  period.end = MAX (our_period->end, their_period->end);
  if (period.start < our_period->start)
    {
      if (!pad_sampled_data (object, our_period->start - period.start, error))
        return NULL;
      components = components_of (object);
      for (guint i = 0; components != NULL && i < json_array_get_length (components); i++)
        {
          JsonNode *element = json_array_get_element (components, i);

          if (JSON_NODE_HOLDS_OBJECT (element) &&
              !pad_sampled_data (json_node_get_object (element), our_period->start - period.start, error))
            return NULL;
        }
    }

  json_object_set_string_member (object, "status", "amended");
  json_object_remove_member (object, "effectiveDateTime");
  json_object_set_member (object, "effectivePeriod", period_node (period.start, period.end));
  drop_server_meta (object);
  return g_steal_pointer (&merged);
}

static JsonNode *
merge_observations (WardFhirTemplate  *self,
                    JsonNode          *theirs,
                    JsonNode          *ours,
                    GError           **error)
{
  g_autoptr(WardObservationGroup) group = NULL;
  g_autoptr(JsonNode) existing = NULL;
  JsonObject *their_object;
  JsonObject *our_object;
  const char *identifier;
  const char *their_identifier;
  const char *type;
  CodeValueTemplate *tmpl = NULL;
  JsonArray *our_components;
  JsonArray *their_components;
  Period our_period;
  Period their_period;
  JsonNode *merged;

  for (guint i = 0; i < 2; i++)
    {
      JsonNode *node = i == 0 ? theirs : ours;
      JsonNode *type_node;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !_ward_json_holds_string (type_node = json_object_get_member (json_node_get_object (node),
                                                                        "resourceType")) ||
          !g_str_equal (json_node_get_string (type_node), "Observation"))
        {
          g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                       "%s is not an Observation", i == 0 ? "Their resource" : "Our resource");
          return NULL;
        }
    }
  their_object = json_node_get_object (theirs);
  our_object = json_node_get_object (ours);

  identifier = connector_identifier (our_object);
  if (identifier == NULL)
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                   "Our Observation has no identifier of the connector's system");
      return NULL;
    }
  their_identifier = connector_identifier (their_object);
  if (their_identifier != NULL && !g_str_equal (their_identifier, identifier))
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE,
                   "The Observations have different identifiers (%s, %s)", their_identifier, identifier);
      return NULL;
    }

  if (!read_period (our_object, &our_period, error) || !read_period (their_object, &their_period, error))
    return NULL;

  type = connector_type (our_object);
  if (self != NULL && type != NULL)
    tmpl = find_template (self, type);
  if (tmpl == NULL)
    return merge_without_template (our_object, &our_period, &their_period, error);

  group = ward_observation_group_new (type, NULL, NULL, our_period.start, our_period.end);
  if (tmpl->value != NULL && tmpl->value->value_name != NULL &&
      !add_our_values (group, tmpl->value, our_object, their_object, &our_period, &their_period, error))
    return NULL;

  our_components = components_of (our_object);
  their_components = components_of (their_object);
  for (guint i = 0; tmpl->components != NULL && our_components != NULL && i < tmpl->components->len; i++)
    {
      const FhirComponent *component = tmpl->components->pdata[i];
      JsonObject *our_component = find_component (our_components, component->value->value_name);
      JsonObject *their_component = NULL;

      if (our_component == NULL)
        continue;
      if (their_components != NULL)
        their_component = find_component (their_components, component->value->value_name);
      if (!add_our_values (group, component->value, our_component, their_component, &our_period,
                           &their_period, error))
        return NULL;
    }

  /* merge_observation() fills a missing identifier or id from the group,
   * which has no patient or device here: ours are the right ones.
   */
  if (their_identifier == NULL || !json_object_has_member (their_object, "id"))
    {
      JsonObject *object;

      existing = deep_copy (theirs);
      object = json_node_get_object (existing);
      if (their_identifier == NULL)
        json_object_set_member (object, "identifier", identifier_node (identifier));
      if (!json_object_has_member (object, "id") && json_object_has_member (our_object, "id"))
        json_object_set_member (object, "id", json_node_copy (json_object_get_member (our_object, "id")));
    }
  else
    {
      existing = json_node_ref (theirs);
    }

  merged = merge_observation (self, tmpl, group, existing, error);
  if (merged != NULL)
    drop_server_meta (json_node_get_object (merged));
  return merged;
}

/* Writing JSON */

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static void
append_json (GString  *out,
             JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *child;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &child))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            append_json_string (out, name);
            g_string_append_c (out, ':');
            append_json (out, child);
          }
        g_string_append_c (out, '}');
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_json (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
        break;
      }

    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;

    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          append_json_string (out, json_node_get_string (node));
          break;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_DOUBLE:
          if (isfinite (json_node_get_double (node)))
            {
              g_autofree char *number = ward_device_template_format_value (node);

              g_string_append (out, number);
            }
          else
            {
              g_string_append (out, "null");
            }
          break;
        default:
          g_string_append (out, "null");
          break;
        }
      break;
    }
}

/* Checking against a device mapping */

static void
add_value_name (GPtrArray       *names,
                const FhirValue *value)
{
  if (value == NULL || value->value_name == NULL)
    return;

  for (guint i = 0; i < names->len; i++)
    {
      if (g_str_equal (names->pdata[i], value->value_name))
        return;
    }

  g_ptr_array_add (names, value->value_name);
}

static void
add_warning (GPtrArray *warnings,
             char      *warning)
{
  for (guint i = 0; i < warnings->len; i++)
    {
      if (g_str_equal (warnings->pdata[i], warning))
        {
          g_free (warning);
          return;
        }
    }

  g_ptr_array_add (warnings, warning);
}

/* GObject */

static void
ward_fhir_template_finalize (GObject *object)
{
  WardFhirTemplate *self = (WardFhirTemplate *) object;

  g_clear_pointer (&self->filename, g_free);
  g_clear_pointer (&self->by_type, g_hash_table_unref);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->issues, g_ptr_array_unref);

  G_OBJECT_CLASS (ward_fhir_template_parent_class)->finalize (object);
}

static void
ward_fhir_template_class_init (WardFhirTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_fhir_template_finalize;
}

static void
ward_fhir_template_init (WardFhirTemplate *self)
{
  self->templates = g_ptr_array_new_with_free_func ((GDestroyNotify) code_value_template_free);
  self->by_type = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_template_issue_free);
}

/* Public API */

WardObservationGroup *
ward_observation_group_new (const char *type,
                            const char *device_id,
                            const char *patient_id,
                            gint64      start_ticks,
                            gint64      end_ticks)
{
  WardObservationGroup *group;

  g_return_val_if_fail (type != NULL, NULL);

  group = g_new0 (WardObservationGroup, 1);
  group->type = g_strdup (type);
  group->device_id = g_strdup (device_id);
  group->patient_id = g_strdup (patient_id);
  group->start_ticks = start_ticks;
  group->end_ticks = end_ticks;
  group->properties = g_ptr_array_new_with_free_func ((GDestroyNotify) observation_property_free);
  group->sources = g_array_new (FALSE, FALSE, sizeof (guint));

  return group;
}

void
ward_observation_group_free (WardObservationGroup *group)
{
  if (group == NULL)
    return;

  g_free (group->type);
  g_free (group->device_id);
  g_free (group->patient_id);
  g_free (group->patient_resource_id);
  g_free (group->device_resource_id);
  g_free (group->encounter_id);
  g_free (group->correlation_id);
  g_ptr_array_unref (group->properties);
  g_array_unref (group->sources);
  g_free (group);
}

void
ward_observation_group_set_resource_ids (WardObservationGroup *group,
                                         const char           *patient_resource_id,
                                         const char           *device_resource_id)
{
  g_return_if_fail (group != NULL);

  g_free (group->patient_resource_id);
  group->patient_resource_id = g_strdup (patient_resource_id);
  g_free (group->device_resource_id);
  group->device_resource_id = g_strdup (device_resource_id);
}

void
ward_observation_group_add_value (WardObservationGroup *group,
                                  const char           *name,
                                  gint64                time,
                                  const char           *value)
{
  WardObservationProperty *property;
  WardObservationValue v;
  guint lo, hi;

  g_return_if_fail (group != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  property = find_property (group, name);
  if (property == NULL)
    {
      property = g_new0 (WardObservationProperty, 1);
      property->name = g_strdup (name);
      property->values = g_array_new (FALSE, FALSE, sizeof (WardObservationValue));
      g_array_set_clear_func (property->values, (GDestroyNotify) observation_value_clear);
      g_ptr_array_add (group->properties, property);
    }

  /* The connector keeps a set sorted on time alone. */
  lo = 0;
  hi = property->values->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (property->values, WardObservationValue, mid).time < time)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo < property->values->len && g_array_index (property->values, WardObservationValue, lo).time == time)
    {
      WardObservationValue *existing = &g_array_index (property->values, WardObservationValue, lo);

      g_free (existing->value);
      existing->value = g_strdup (value);
      return;
    }

  v.time = time;
  v.value = g_strdup (value);
  g_array_insert_val (property->values, lo, v);
}

GArray *
ward_observation_group_get_values (const WardObservationGroup *group,
                                   const char                 *name)
{
  WardObservationProperty *property;

  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  property = find_property (group, name);
  return property != NULL ? property->values : NULL;
}

void
ward_fhir_group_issue_free (WardFhirGroupIssue *issue)
{
  if (issue == NULL)
    return;

  g_free (issue->message);
  g_free (issue);
}

char *
ward_fhir_template_format_ticks (gint64 ticks)
{
  Civil c;

  civil_from_ticks (ticks, &c);
  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02d-%02dT%02d:%02d:%02d.%07" G_GINT64_FORMAT "Z",
                          c.year, c.month, c.day, c.hour, c.minute, c.second, c.fraction);
}

char *
ward_observation_group_get_time_segment (const WardObservationGroup *group)
{
  GString *out;

  g_return_val_if_fail (group != NULL, NULL);

  out = g_string_new (NULL);
  append_segment_time (out, group->start_ticks);
  g_string_append_c (out, '.');
  append_segment_time (out, group->end_ticks);
  return g_string_free (out, FALSE);
}

char *
ward_fhir_template_resource_id (const char *system,
                                const char *value)
{
  g_autofree char *input = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  input = g_strconcat (system != NULL ? system : "", "_", value, NULL);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
}

static gboolean
load_cb (gpointer     instance,
         const char  *data,
         gsize        length,
         const char  *filename,
         GError     **error)
{
  WardFhirTemplate *self = instance;

  self->filename = g_strdup (filename);

  return load_mapping (self, data, length, error);
}

WardFhirTemplate *
ward_fhir_template_new_from_data (const char  *data,
                                  gssize       length,
                                  const char  *filename,
                                  GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _ward_template_loader_new (WARD_TYPE_FHIR_TEMPLATE, load_cb, data, length, filename, FALSE, error);
}

WardFhirTemplate *
ward_fhir_template_new_for_check (const char *data,
                                  gssize      length,
                                  const char *filename)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return _ward_template_loader_new (WARD_TYPE_FHIR_TEMPLATE, load_cb, data, length, filename, TRUE, NULL);
}

WardFhirTemplate *
ward_fhir_template_new_from_file (const char  *path,
                                  GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _ward_template_loader_new_from_file (WARD_TYPE_FHIR_TEMPLATE, load_cb, path, error);
}

WardFhirTemplate *
ward_fhir_template_new_from_resource (const char  *resource_path,
                                      GError     **error)
{
  g_return_val_if_fail (resource_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _ward_template_loader_new_from_resource (WARD_TYPE_FHIR_TEMPLATE, load_cb, resource_path, error);
}

WardFhirTemplate *
ward_fhir_template_new_default (GError **error)
{
  return ward_fhir_template_new_from_resource (WARD_FHIR_TEMPLATE_DEFAULT_RESOURCE, error);
}

const char *
ward_fhir_template_get_filename (WardFhirTemplate *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), NULL);

  return self->filename;
}

GPtrArray *
ward_fhir_template_get_issues (WardFhirTemplate *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), NULL);

  return self->issues;
}

gboolean
ward_fhir_template_is_valid (WardFhirTemplate *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), FALSE);

  return _ward_template_issues_valid (self->issues);
}

guint
ward_fhir_template_get_n_templates (WardFhirTemplate *self)
{
  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), 0);

  return self->templates->len;
}

GStrv
ward_fhir_template_get_type_names (WardFhirTemplate *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), NULL);

  for (guint i = 0; i < self->templates->len; i++)
    g_strv_builder_add (builder, ((CodeValueTemplate *) self->templates->pdata[i])->type_name);

  return g_strv_builder_end (builder);
}

gboolean
ward_fhir_template_lookup (WardFhirTemplate       *self,
                           const char             *type,
                           WardFhirPeriodInterval *period_interval)
{
  CodeValueTemplate *tmpl;

  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), FALSE);
  g_return_val_if_fail (type != NULL, FALSE);

  tmpl = find_template (self, type);
  if (tmpl != NULL && period_interval != NULL)
    *period_interval = tmpl->period_interval;

  return tmpl != NULL;
}

GPtrArray *
ward_fhir_template_check_device_mapping (WardFhirTemplate   *self,
                                         WardDeviceTemplate *device_mapping)
{
  g_autoptr(JsonNode) description = NULL;
  g_auto(GStrv) type_names = NULL;
  g_autofree char *available = NULL;
  GPtrArray *warnings;
  JsonArray *templates;

  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), NULL);
  g_return_val_if_fail (WARD_IS_DEVICE_TEMPLATE (device_mapping), NULL);

  warnings = g_ptr_array_new_with_free_func (g_free);
  description = ward_device_template_describe (device_mapping);
  templates = json_node_get_array (description);
  type_names = ward_fhir_template_get_type_names (self);
  available = g_strjoinv (", ", type_names);

  for (guint i = 0; i < json_array_get_length (templates); i++)
    {
      JsonObject *device = json_array_get_object_element (templates, i);
      const char *type_name = json_object_get_string_member (device, "typeName");
      JsonArray *values = json_object_get_array_member (device, "values");
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      g_autofree char *names_text = NULL;
      CodeValueTemplate *tmpl = find_template (self, type_name != NULL ? type_name : "");

      if (tmpl == NULL)
        {
          add_warning (warnings, g_strdup_printf ("No matching Fhir Template exists for Device Mapping [%s]. "
                                                  "Ensure case matches. Available Fhir Templates: [%s].",
                                                  type_name != NULL ? type_name : "", available));
          continue;
        }

      add_value_name (names, tmpl->value);
      for (guint c = 0; tmpl->components != NULL && c < tmpl->components->len; c++)
        add_value_name (names, ((FhirComponent *) tmpl->components->pdata[c])->value);
      g_ptr_array_add (names, NULL);
      names_text = g_strjoinv (", ", (char **) names->pdata);

      for (guint v = 0; v < json_array_get_length (values); v++)
        {
          const char *value_name = json_object_get_string_member (json_array_get_object_element (values, v),
                                                                  "valueName");

          if (value_name == NULL || g_strv_contains ((const char * const *) names->pdata, value_name))
            continue;

          add_warning (warnings, g_strdup_printf ("The value [%s] in Device Mapping [%s] is not represented "
                                                  "within the Fhir Template of type [%s]. Available values "
                                                  "are: [%s]. No value will appear inside of Observations.",
                                                  value_name, type_name, tmpl->type_name, names_text));
        }
    }

  return warnings;
}

GPtrArray *
ward_fhir_template_group (WardFhirTemplate *self,
                          GPtrArray        *normalized,
                          GPtrArray        *issues)
{
  g_autoptr(GHashTable) lookup = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *groups;

  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), NULL);
  g_return_val_if_fail (normalized != NULL, NULL);

  groups = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_observation_group_free);
  for (guint i = 0; i < normalized->len; i++)
    {
      const WardNormalized *m = normalized->pdata[i];

      g_return_val_if_fail (m != NULL && m->type != NULL, groups);
      group_measurement (self, m, i, groups, lookup, issues);
    }

  return groups;
}

JsonNode *
ward_fhir_template_build_observation (WardFhirTemplate            *self,
                                      const WardObservationGroup  *group,
                                      JsonNode                    *existing,
                                      GError                     **error)
{
  CodeValueTemplate *tmpl;

  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), NULL);
  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tmpl = find_template (self, group->type);
  if (tmpl == NULL)
    {
      g_set_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_NO_TEMPLATE,
                   "No Fhir Template exists with the type name [%s]. Ensure that all Fhir Template type names "
                   "match Device Mapping type names (including casing)", group->type);
      return NULL;
    }

  if (existing != NULL)
    return merge_observation (self, tmpl, group, existing, error);

  return create_observation (self, tmpl, group, error);
}

JsonNode *
ward_fhir_template_merge_observations (WardFhirTemplate  *self,
                                       JsonNode          *theirs,
                                       JsonNode          *ours,
                                       GError           **error)
{
  g_return_val_if_fail (self == NULL || WARD_IS_FHIR_TEMPLATE (self), NULL);
  g_return_val_if_fail (theirs != NULL, NULL);
  g_return_val_if_fail (ours != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return merge_observations (self, theirs, ours, error);
}

const char *
ward_fhir_template_observation_identifier (JsonNode *observation)
{
  g_return_val_if_fail (observation != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (observation))
    return NULL;

  return connector_identifier (json_node_get_object (observation));
}

char *
ward_fhir_template_get_identifier (WardFhirTemplate           *self,
                                   const WardObservationGroup *group)
{
  CodeValueTemplate *tmpl;

  g_return_val_if_fail (WARD_IS_FHIR_TEMPLATE (self), NULL);
  g_return_val_if_fail (group != NULL, NULL);

  tmpl = find_template (self, group->type);
  if (tmpl == NULL)
    return NULL;

  return make_identifier (tmpl, group);
}

char *
ward_fhir_template_to_json (JsonNode *node)
{
  GString *out;

  g_return_val_if_fail (node != NULL, NULL);

  out = g_string_new (NULL);
  append_json (out, node);
  return g_string_free (out, FALSE);
}
