/* test-fhir-template.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-fhir-template"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "ward-device-template.h"
#include "ward-fhir-template.h"
#include "ward-normalized.h"

/* The FHIR destination mapping engine against the IoMT FHIR Connector's
 * expectations, read from ../shared/reference/iomt/testdata/expected
 * (E12 to E16, their FHIR parts: one test per file), and against
 * Wardwatch's own: the built-in vital-signs mapping, merging, load
 * errors.
 *
 * Expectations not checked, and why:
 * - E13 "other_cases" about device messages alone (no measurements, the
 *   aggregated device errors, the invalid device mapping) are device
 *   mapping expectations: test-device-template covers them.
 * - E13/E15 "issued" is the time of creation, so it is only checked to be
 *   a time.
 */

#define SERVICE WARD_FHIR_SERVICE_SYSTEM

/* Helpers */

static char *
reference_dir (void)
{
  const char *source = g_getenv ("WARD_SOURCE_DIR");
  g_autofree char *root = g_strdup (source != NULL ? source : WARD_TEST_SOURCE_DIR "/..");
  g_autofree char *dir = g_build_filename (root, "..", "shared", "reference", "iomt", NULL);

  return g_canonicalize_filename (dir, NULL);
}

#define REQUIRE_REFERENCE(dir) \
  G_STMT_START { \
    if (!g_file_test ((dir), G_FILE_TEST_IS_DIR)) \
      { \
        g_autofree char *message = g_strdup_printf ("The IoMT connector's test data is not at %s " \
                                                    "(shared/reference/iomt beside the project): " \
                                                    "skipping the connector's expectations", (dir)); \
        g_test_skip (message); \
        return; \
      } \
  } G_STMT_END

static JsonNode *
load_json_file (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *data;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  data = contents;
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }
  json_parser_load_from_data (parser, data, (gssize) length, &error);
  g_assert_no_error (error);

  return json_parser_steal_root (parser);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

static WardFhirTemplate *
load_fhir_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return ward_fhir_template_new_for_check (contents, (gssize) length, path);
}

static WardFhirTemplate *
load_fhir (const char *text)
{
  g_autoptr(GError) error = NULL;
  WardFhirTemplate *mapping = ward_fhir_template_new_from_data (text, -1, "inline.json", &error);

  g_assert_no_error (error);
  g_assert_nonnull (mapping);
  g_assert_true (ward_fhir_template_is_valid (mapping));
  return mapping;
}

static gboolean
has_issue (WardFhirTemplate *mapping,
           const char       *text,
           gboolean          fatal)
{
  GPtrArray *issues = ward_fhir_template_get_issues (mapping);

  for (guint i = 0; i < issues->len; i++)
    {
      const WardTemplateIssue *issue = issues->pdata[i];

      if (issue->fatal == fatal && strstr (issue->message, text) != NULL)
        return TRUE;
    }

  return FALSE;
}

static const WardTemplateIssue *
find_issue (WardFhirTemplate *mapping,
            const char       *text)
{
  GPtrArray *issues = ward_fhir_template_get_issues (mapping);

  for (guint i = 0; i < issues->len; i++)
    {
      const WardTemplateIssue *issue = issues->pdata[i];

      if (strstr (issue->message, text) != NULL)
        return issue;
    }

  return NULL;
}

static void
dump_issues (WardFhirTemplate *mapping)
{
  GPtrArray *issues = ward_fhir_template_get_issues (mapping);

  for (guint i = 0; i < issues->len; i++)
    {
      const WardTemplateIssue *issue = issues->pdata[i];

      g_test_message ("%d:%d: %s: %s: %s", issue->line, issue->column, issue->path,
                      issue->fatal ? "error" : "warning", issue->message);
    }
}

/* An ISO time with up to 7 fraction digits, as ticks. */
static gint64
ticks (const char *text)
{
  const char *dot = strchr (text, '.');
  gint64 usec = 0;
  gint64 seventh = 0;

  g_assert_true (ward_device_template_parse_time (text, &usec));
  if (dot != NULL && strlen (dot) > 7 && g_ascii_isdigit (dot[7]))
    seventh = dot[7] - '0';

  return usec * WARD_FHIR_TICKS_PER_USEC + seventh;
}

static gint64
usec (const char *text)
{
  gint64 value = 0;

  g_assert_true (ward_device_template_parse_time (text, &value));
  return value;
}

/* A JSON path into a node: "a.b.0.c". */
static JsonNode *
get_node (JsonNode   *root,
          const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = root;

  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    {
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint64 index = g_ascii_strtoull (parts[i], NULL, 10);

          node = index < json_array_get_length (array) ? json_array_get_element (array, (guint) index) : NULL;
        }
      else if (JSON_NODE_HOLDS_OBJECT (node))
        {
          node = json_object_get_member (json_node_get_object (node), parts[i]);
        }
      else
        {
          node = NULL;
        }
    }

  return node;
}

static const char *
get_string (JsonNode   *root,
            const char *path)
{
  JsonNode *node = get_node (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static double
get_number (JsonNode   *root,
            const char *path)
{
  JsonNode *node = get_node (root, path);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64 ||
                 json_node_get_value_type (node) == G_TYPE_DOUBLE);
  return json_node_get_double (node);
}

static guint
get_length (JsonNode   *root,
            const char *path)
{
  JsonNode *node = get_node (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return 0;

  return json_array_get_length (json_node_get_array (node));
}

/* Deep equality of JSON, numbers by value, object members in any order;
 * members named in ignore (at any depth) are skipped.
 */
static void
assert_json_equal (JsonNode           *expected,
                   JsonNode           *actual,
                   const char         *path,
                   const char * const *ignore)
{
  if (actual == NULL)
    g_error ("%s: missing", path);

  if (JSON_NODE_TYPE (expected) != JSON_NODE_TYPE (actual))
    g_error ("%s: expected a JSON %s, got %s", path, json_node_type_name (expected), json_node_type_name (actual));

  switch (JSON_NODE_TYPE (expected))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *e = json_node_get_object (expected);
        JsonObject *a = json_node_get_object (actual);
        JsonObjectIter iter;
        const char *name;
        JsonNode *child;

        json_object_iter_init_ordered (&iter, e);
        while (json_object_iter_next_ordered (&iter, &name, &child))
          {
            g_autofree char *child_path = g_strdup_printf ("%s.%s", path, name);

            if (ignore != NULL && g_strv_contains (ignore, name))
              continue;
            assert_json_equal (child, json_object_get_member (a, name), child_path, ignore);
          }

        json_object_iter_init_ordered (&iter, a);
        while (json_object_iter_next_ordered (&iter, &name, &child))
          {
            if ((ignore == NULL || !g_strv_contains (ignore, name)) && !json_object_has_member (e, name))
              g_error ("%s: unexpected member %s", path, name);
          }
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *e = json_node_get_array (expected);
        JsonArray *a = json_node_get_array (actual);

        if (json_array_get_length (e) != json_array_get_length (a))
          g_error ("%s: expected %u elements, got %u", path, json_array_get_length (e), json_array_get_length (a));

        for (guint i = 0; i < json_array_get_length (e); i++)
          {
            g_autofree char *child_path = g_strdup_printf ("%s[%u]", path, i);

            assert_json_equal (json_array_get_element (e, i), json_array_get_element (a, i), child_path, ignore);
          }
        break;
      }

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (expected) == G_TYPE_STRING)
        {
          if (json_node_get_value_type (actual) != G_TYPE_STRING ||
              !g_str_equal (json_node_get_string (expected), json_node_get_string (actual)))
            g_error ("%s: expected \"%.80s\", got something else", path, json_node_get_string (expected));
        }
      else if (json_node_get_value_type (expected) == G_TYPE_BOOLEAN)
        {
          g_assert_cmpint (json_node_get_boolean (expected), ==, json_node_get_boolean (actual));
        }
      else
        {
          if (json_node_get_value_type (actual) == G_TYPE_STRING || json_node_get_value_type (actual) == G_TYPE_BOOLEAN)
            g_error ("%s: expected a number", path);
          if (json_node_get_double (expected) != json_node_get_double (actual))
            g_error ("%s: expected %g, got %g", path, json_node_get_double (expected), json_node_get_double (actual));
        }
      break;

    case JSON_NODE_NULL:
    default:
      break;
    }
}

static JsonNode *
build (WardFhirTemplate           *mapping,
       const WardObservationGroup *group,
       JsonNode                   *existing)
{
  g_autoptr(GError) error = NULL;
  JsonNode *observation = ward_fhir_template_build_observation (mapping, group, existing, &error);

  g_assert_no_error (error);
  g_assert_nonnull (observation);

  {
    g_autofree char *json = ward_fhir_template_to_json (observation);

    g_test_message ("%.2000s", json);
  }

  return observation;
}

static GPtrArray *
group_all (WardFhirTemplate *mapping,
           GPtrArray        *normalized,
           GPtrArray        *issues)
{
  GPtrArray *groups = ward_fhir_template_group (mapping, normalized, issues);

  g_assert_nonnull (groups);
  return groups;
}

static GPtrArray *
new_normalized_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
}

static GPtrArray *
new_issue_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ward_fhir_group_issue_free);
}

/* E12: template load validation */

static void
test_e12_load_validation (void)
{
  g_autofree char *dir = reference_dir ();
  g_autofree char *expected_dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) e12 = NULL;
  JsonArray *cases;
  guint n_checked = 0;

  REQUIRE_REFERENCE (dir);

  expected_dir = g_build_filename (dir, "testdata", "expected", NULL);
  path = g_build_filename (expected_dir, "E12_template_load_validation.json", NULL);
  e12 = load_json_file (path);
  cases = json_object_get_array_member (json_node_get_object (e12), "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *kind = json_object_get_string_member (c, "kind");
      const char *file = json_object_get_string_member (c, "file");
      gboolean valid = json_object_get_boolean_member (c, "valid");
      g_autofree char *joined = g_build_filename (expected_dir, file, NULL);
      g_autofree char *file_path = g_canonicalize_filename (joined, NULL);
      g_autoptr(WardFhirTemplate) mapping = NULL;
      g_autoptr(WardFhirTemplate) strict = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (strstr (kind, "fhir") == NULL)
        continue;

      g_test_message ("E12 %s (%s)", file, kind);
      mapping = load_fhir_file (file_path);
      dump_issues (mapping);
      g_assert_cmpint (ward_fhir_template_is_valid (mapping), ==, valid);

      /* The loader that the pipeline uses fails only without anything
       * usable.
       */
      g_file_get_contents (file_path, &contents, &length, NULL);
      strict = ward_fhir_template_new_from_data (contents, (gssize) length, file_path, &error);
      if (valid)
        {
          g_assert_no_error (error);
          g_assert_nonnull (strict);
        }
      else if (strict == NULL)
        {
          int code = strstr (file, "InvalidJson") != NULL ? WARD_TEMPLATE_ERROR_PARSE : WARD_TEMPLATE_ERROR_INVALID;

          g_assert_error (error, WARD_TEMPLATE_ERROR, code);
        }

      if (json_object_has_member (c, "errors_contain"))
        {
          JsonArray *errors = json_object_get_array_member (c, "errors_contain");

          for (guint e = 0; e < json_array_get_length (errors); e++)
            {
              const char *text = json_array_get_string_element (errors, e);

              if (!has_issue (mapping, text, TRUE))
                g_error ("E12 %s: no error containing \"%s\"", file, text);
            }
        }

      if (json_object_has_member (c, "usable"))
        {
          JsonObject *usable = json_object_get_object_member (c, "usable");
          JsonObjectIter iter;
          const char *type;
          JsonNode *what;

          json_object_iter_init_ordered (&iter, usable);
          while (json_object_iter_next_ordered (&iter, &type, &what))
            {
              const char *interval = json_object_get_string_member (json_node_get_object (what), "periodInterval");
              WardFhirPeriodInterval period = 0;

              g_assert_true (ward_fhir_template_lookup (mapping, type, &period));
              g_assert_cmpint (period, ==, strstr (interval, "(60)") ? 60 : -2);
            }
          g_assert_cmpuint (ward_fhir_template_get_n_templates (mapping), ==, 1);
          g_assert_nonnull (strict);
        }

      n_checked++;
    }

  /* Every FHIR case of E12: 2 shared, 6 collections, 2 single templates. */
  g_assert_cmpuint (n_checked, ==, 9);
}

/* What E12 says in its notes, and the other FHIR template files. */
static void
test_e12_notes (void)
{
  g_autofree char *dir = reference_dir ();
  g_autofree char *tu = NULL;
  const char * const singles[] = {
    "data_CodeValueFhirTemplate_SampledData.json",
    "data_CodeValueFhirTemplate_Components.json",
    "data_CodeValueFhirTemplate_Quantity.json",
    "data_CodeValueFhirTemplate_String.json",
    "data_CodeValueFhirTemplate_CodeableConceptData.json",
    "data_CodeValueFhirTemplate_CodeableConceptAndStringComponent.json",
  };

  REQUIRE_REFERENCE (dir);
  tu = g_build_filename (dir, "testdata", "template-unittests", NULL);

  /* CollectionFhirTemplateInvalid: all five problems, with places. */
  {
    g_autofree char *path = g_build_filename (tu, "data_CollectionFhirTemplateInvalid.json", NULL);
    g_autoptr(WardFhirTemplate) mapping = load_fhir_file (path);
    const WardTemplateIssue *issue;

    dump_issues (mapping);
    issue = find_issue (mapping, "Required property 'TypeName' not found in JSON.");
    g_assert_nonnull (issue);
    g_assert_cmpstr (issue->path, ==, "$.template[0].template");
    g_assert_cmpint (issue->line, ==, 6);

    issue = find_issue (mapping, "Property ValueType is missing.");
    g_assert_nonnull (issue);
    g_assert_cmpstr (issue->path, ==, "$.template[1].template.value");
    g_assert_cmpint (issue->line, ==, 32);

    issue = find_issue (mapping, "Empty type name is not allowed: ' '");
    g_assert_nonnull (issue);
    g_assert_cmpstr (issue->path, ==, "$.template[2].template.typeName");
    g_assert_cmpint (issue->line, ==, 47);

    issue = find_issue (mapping, "Duplicate template defined for type name: 'steps'");
    g_assert_nonnull (issue);
    g_assert_cmpstr (issue->path, ==, "$.template[4].template.typeName");

    /* The first valid "steps" is used. */
    g_assert_cmpuint (ward_fhir_template_get_n_templates (mapping), ==, 1);
    g_assert_true (ward_fhir_template_lookup (mapping, "steps", NULL));
  }

  /* CollectionFhirTemplateEmpty: templateType "". */
  {
    g_autofree char *path = g_build_filename (tu, "data_CollectionFhirTemplateEmpty.json", NULL);
    g_autoptr(WardFhirTemplate) mapping = load_fhir_file (path);

    g_assert_false (ward_fhir_template_is_valid (mapping));
    g_assert_true (has_issue (mapping, "Expected TemplateType value CollectionFhirTemplate, actual .", TRUE));
  }

  /* MultipleMocks: no factory claims mockA and mockB. */
  {
    g_autofree char *path = g_build_filename (tu, "data_CollectionFhirTemplateMultipleMocks.json", NULL);
    g_autoptr(WardFhirTemplate) mapping = load_fhir_file (path);

    g_assert_true (has_issue (mapping, "No match found for template type mockA.", TRUE));
    g_assert_true (has_issue (mapping, "No match found for template type mockB.", TRUE));
    g_assert_cmpuint (ward_fhir_template_get_n_templates (mapping), ==, 0);
  }

  /* "Mixed" is a device mapping despite its name. */
  {
    g_autofree char *path = g_build_filename (tu, "data_CollectionFhirTemplateMixed.json", NULL);
    g_autoptr(WardFhirTemplate) mapping = load_fhir_file (path);

    g_assert_true (has_issue (mapping, "Expected TemplateType value CollectionFhirTemplate, actual CollectionContent.",
                              TRUE));
  }

  /* The valid single templates load inside a collection. */
  for (guint i = 0; i < G_N_ELEMENTS (singles); i++)
    {
      g_autofree char *path = g_build_filename (tu, singles[i], NULL);
      g_autofree char *contents = NULL;
      g_autofree char *collection = NULL;
      g_autoptr(WardFhirTemplate) mapping = NULL;
      g_autoptr(WardFhirTemplate) alone = NULL;
      gsize length = 0;
      const char *start;

      g_file_get_contents (path, &contents, &length, NULL);
      g_assert_nonnull (contents);
      start = g_str_has_prefix (contents, "\xef\xbb\xbf") ? contents + 3 : contents;
      collection = g_strdup_printf ("{\"templateType\":\"CollectionFhir\",\"template\":[%s]}", start);
      mapping = ward_fhir_template_new_for_check (collection, -1, singles[i]);
      dump_issues (mapping);
      g_assert_true (ward_fhir_template_is_valid (mapping));
      g_assert_cmpuint (ward_fhir_template_get_n_templates (mapping), ==, 1);

      /* Alone, each is refused for not being a collection, and nothing
       * else.
       */
      alone = load_fhir_file (path);
      g_assert_true (has_issue (alone, "Expected TemplateType value CollectionFhirTemplate, actual CodeValueFhir.",
                                TRUE));
      g_assert_cmpuint (ward_fhir_template_get_issues (alone)->len, ==, 1);
    }
}

/* E13: the mapping validator end to end */

static GPtrArray *
map_device_message (WardDeviceTemplate *device,
                    JsonObject         *message_object)
{
  g_autoptr(JsonNode) message = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;
  GPtrArray *out = new_normalized_array ();

  json_node_set_object (message, message_object);
  g_assert_true (ward_device_template_map (device, message, NULL, 0, out, &error));
  g_assert_no_error (error);
  return out;
}

static WardDeviceTemplate *
load_device_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  WardDeviceTemplate *device = ward_device_template_new_from_file (path, &error);

  g_assert_no_error (error);
  return device;
}

static void
test_e13_validator (void)
{
  g_autofree char *dir = reference_dir ();
  g_autofree char *expected_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *device_path = NULL;
  g_autofree char *fhir_path = NULL;
  g_autoptr(JsonNode) e13 = NULL;
  g_autoptr(WardDeviceTemplate) device = NULL;
  g_autoptr(WardFhirTemplate) fhir = NULL;
  g_autoptr(GPtrArray) measurements = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) issues = new_issue_array ();
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(JsonNode) observation = NULL;
  const char * const ignore_issued[] = { "issued", NULL };
  const char * const ignore_identity[] = { "issued", "id", "identifier", "subject", "device", NULL };
  JsonObject *root;
  JsonArray *others;
  const WardNormalized *m;

  REQUIRE_REFERENCE (dir);

  expected_dir = g_build_filename (dir, "testdata", "expected", NULL);
  path = g_build_filename (expected_dir, "E13_mapping_validator_end_to_end.json", NULL);
  e13 = load_json_file (path);
  root = json_node_get_object (e13);

  device_path = g_build_filename (expected_dir, json_object_get_string_member (root, "device_mapping_file"), NULL);
  fhir_path = g_build_filename (expected_dir, json_object_get_string_member (root, "fhir_mapping_file"), NULL);
  device = load_device_file (device_path);
  fhir = load_fhir_file (fhir_path);
  g_assert_true (ward_fhir_template_is_valid (fhir));

  /* The measurement (the device side; checked here as the input). */
  measurements = map_device_message (device, json_object_get_object_member (root, "device_message"));
  g_assert_cmpuint (measurements->len, ==, 1);
  m = measurements->pdata[0];
  g_assert_cmpstr (m->type, ==, "bloodpressure");
  g_assert_cmpstr (m->patient_id, ==, "patient123");
  g_assert_cmpstr (ward_normalized_get_value (m, "systolic"), ==, "60");
  g_assert_cmpstr (ward_normalized_get_value (m, "diastolic"), ==, "80");

  /* The two mappings fit: no warnings. */
  warnings = ward_fhir_template_check_device_mapping (fhir, device);
  g_assert_cmpuint (warnings->len, ==, 0);

  groups = group_all (fhir, measurements, issues);
  g_assert_cmpuint (issues->len, ==, 0);
  g_assert_cmpuint (groups->len, ==, 1);

  observation = build (fhir, groups->pdata[0], NULL);
  assert_json_equal (json_object_get_member (root, "expected_observation_from_template"), observation, "$",
                     ignore_identity);
  assert_json_equal (json_object_get_member (root, "expected_observation_as_persisted_create_mode"), observation,
                     "$", ignore_issued);
  g_assert_nonnull (get_string (observation, "issued"));
  g_assert_cmpint (ticks (get_string (observation, "issued")), >, ticks ("2024-01-01T00:00:00Z"));

  /* The other cases that concern the FHIR mapping. */
  others = json_object_get_array_member (root, "other_cases");
  for (guint i = 0; i < json_array_get_length (others); i++)
    {
      JsonObject *c = json_array_get_object_element (others, i);
      g_autofree char *case_fhir_path = NULL;
      g_autoptr(WardFhirTemplate) case_fhir = NULL;
      g_autoptr(GPtrArray) case_warnings = NULL;

      if (!json_object_has_member (c, "fhir_mapping_file"))
        continue;

      case_fhir_path = g_build_filename (expected_dir, json_object_get_string_member (c, "fhir_mapping_file"), NULL);
      case_fhir = load_fhir_file (case_fhir_path);
      dump_issues (case_fhir);

      if (json_object_has_member (c, "template_errors_contain"))
        {
          JsonArray *errors = json_object_get_array_member (c, "template_errors_contain");

          g_assert_false (ward_fhir_template_is_valid (case_fhir));
          for (guint e = 0; e < json_array_get_length (errors); e++)
            g_assert_true (has_issue (case_fhir, json_array_get_string_element (errors, e), TRUE));
          continue;
        }

      g_assert_true (ward_fhir_template_is_valid (case_fhir));
      case_warnings = ward_fhir_template_check_device_mapping (case_fhir, device);
      for (guint w = 0; w < case_warnings->len; w++)
        g_test_message ("warning: %s", (const char *) case_warnings->pdata[w]);

      if (json_object_has_member (c, "template_warnings"))
        {
          JsonArray *expected = json_object_get_array_member (c, "template_warnings");

          g_assert_cmpuint (case_warnings->len, ==, json_array_get_length (expected));
          for (guint w = 0; w < json_array_get_length (expected); w++)
            {
              const char *text = json_array_get_string_element (expected, w);
              g_autofree char *prefix = g_strndup (text, strstr (text, "[...]") - text);

              g_assert_true (g_str_has_prefix (case_warnings->pdata[w], prefix));
            }
        }

      if (json_object_has_member (c, "device_result_errors"))
        {
          /* MissingTypeInvalid: the measurement has no template. */
          g_autoptr(GPtrArray) case_issues = new_issue_array ();
          g_autoptr(GPtrArray) case_groups = group_all (case_fhir, measurements, case_issues);
          const char *text = json_array_get_string_element (json_object_get_array_member (c, "device_result_errors"), 0);

          g_assert_cmpuint (case_groups->len, ==, 0);
          g_assert_cmpint (json_object_get_int_member (c, "observations"), ==, 0);
          g_assert_cmpuint (case_issues->len, ==, 1);
          g_assert_cmpuint (((WardFhirGroupIssue *) case_issues->pdata[0])->index, ==, 0);
          g_assert_cmpstr (((WardFhirGroupIssue *) case_issues->pdata[0])->message, ==, text);
        }

      if (json_object_has_member (c, "device_messages"))
        {
          /* IncorrectValueName: each message, one Observation with only
           * the diastolic component.
           */
          JsonArray *messages = json_object_get_array_member (c, "device_messages");
          const char * const diastolic[] = { "80", "180" };

          g_assert_cmpuint (json_array_get_length (messages), ==, 2);
          for (guint d = 0; d < json_array_get_length (messages); d++)
            {
              g_autoptr(GPtrArray) one = map_device_message (device, json_array_get_object_element (messages, d));
              g_autoptr(GPtrArray) one_groups = group_all (case_fhir, one, NULL);
              g_autoptr(JsonNode) one_observation = NULL;

              g_assert_cmpuint (one_groups->len, ==, 1);
              one_observation = build (case_fhir, one_groups->pdata[0], NULL);
              g_assert_cmpuint (get_length (one_observation, "component"), ==, 1);
              g_assert_cmpstr (get_string (one_observation, "component.0.code.text"), ==, "diastolic");
              g_assert_true (g_str_has_prefix (get_string (one_observation, "component.0.valueSampledData.data"),
                                               diastolic[d]));
              g_assert_true (g_str_has_prefix (get_string (one_observation, "component.0.valueSampledData.data")
                                               + strlen (diastolic[d]), " E E"));
            }
        }
    }
}

/* E14: SampledData vectors */

static const char sampled_template[] =
  "{\"templateType\":\"CollectionFhir\",\"template\":[{\"templateType\":\"CodeValueFhir\",\"template\":"
  "{\"typeName\":\"t\",\"periodInterval\":0,\"codes\":[],"
  "\"value\":{\"valueName\":\"v\",\"valueType\":\"SampledData\",\"defaultPeriod\":%s,\"unit\":\"u\"}}}]}";

static WardObservationGroup *
group_of (JsonArray *values,
          gint64     start,
          gint64     end)
{
  WardObservationGroup *group = ward_observation_group_new ("t", "d", "p", start, end);

  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++)
    {
      JsonArray *pair = json_array_get_array_element (values, i);

      ward_observation_group_add_value (group, "v", usec (json_array_get_string_element (pair, 0)),
                                        json_array_get_string_element (pair, 1));
    }

  return group;
}

/* The time values of a SampledData stream (tokens not "E"). */
static void
assert_time_values (const char *data,
                    gint64      start,
                    double      period_ms,
                    JsonArray  *expected)
{
  g_auto(GStrv) tokens = g_strsplit (data, " ", -1);
  guint n = 0;

  for (guint k = 0; tokens[k] != NULL; k++)
    {
      JsonArray *pair;

      if (g_str_equal (tokens[k], "E"))
        continue;

      g_assert_cmpuint (n, <, json_array_get_length (expected));
      pair = json_array_get_array_element (expected, n++);
      g_assert_cmpint (start + (gint64) (k * period_ms * 10000), ==, ticks (json_array_get_string_element (pair, 0)));
      g_assert_cmpstr (tokens[k], ==, json_array_get_string_element (pair, 1));
    }

  g_assert_cmpuint (n, ==, json_array_get_length (expected));
}

static void
test_e14_sampled_data (void)
{
  g_autofree char *dir = reference_dir ();
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) e14 = NULL;
  JsonObject *root;
  JsonArray *vectors;

  REQUIRE_REFERENCE (dir);

  path = g_build_filename (dir, "testdata", "expected", "E14_sampleddata_vectors.json", NULL);
  e14 = load_json_file (path);
  root = json_node_get_object (e14);

  /* Building */
  vectors = json_object_get_array_member (root, "build_vectors");
  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      g_autofree char *period = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (v, "period_ms"));
      g_autofree char *text = g_strdup_printf (sampled_template, period);
      g_autoptr(WardFhirTemplate) mapping = load_fhir (text);
      g_autoptr(WardObservationGroup) group = NULL;
      g_autoptr(JsonNode) observation = NULL;
      const char *data;

      g_test_message ("E14 %s", json_object_get_string_member (v, "name"));
      group = group_of (json_object_get_array_member (v, "values"),
                        ticks (json_object_get_string_member (v, "start")),
                        ticks (json_object_get_string_member (v, "end")));
      observation = build (mapping, group, NULL);
      data = get_string (observation, "valueSampledData.data");
      g_assert_cmpstr (data, ==, json_object_get_string_member (v, "expected_data"));
      g_assert_cmpfloat (get_number (observation, "valueSampledData.period"), ==,
                         (double) json_object_get_int_member (v, "period_ms"));
      g_assert_cmpfloat (get_number (observation, "valueSampledData.dimensions"), ==, 1);
      g_assert_cmpfloat (get_number (observation, "valueSampledData.origin.value"), ==, 0);

      if (json_object_has_member (v, "expected_slot_count"))
        {
          g_auto(GStrv) tokens = g_strsplit (data, " ", -1);

          g_assert_cmpuint (g_strv_length (tokens), ==, json_object_get_int_member (v, "expected_slot_count"));
          g_assert_cmpstr (tokens[json_object_get_int_member (v, "expected_value_index")], !=, "E");
        }
    }

  /* Reading back: "1 E 3" merged with a value in the gap. */
  {
    JsonObject *v = json_object_get_object_member (root, "to_time_values");
    g_autofree char *period = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (v, "period_ms"));
    g_autofree char *text = g_strdup_printf (sampled_template, period);
    g_autoptr(WardFhirTemplate) mapping = load_fhir (text);
    gint64 start = ticks (json_object_get_string_member (v, "start"));
    g_autofree char *start_text = ward_fhir_template_format_ticks (start);
    g_autofree char *end_text = ward_fhir_template_format_ticks (start + 2 * 10000000);
    g_autofree char *existing_text = g_strdup_printf ("{\"resourceType\":\"Observation\",\"status\":\"final\","
                                                      "\"effectivePeriod\":{\"start\":\"%s\",\"end\":\"%s\"},"
                                                      "\"valueSampledData\":{\"origin\":{\"value\":0},"
                                                      "\"period\":%s,\"dimensions\":1,\"data\":\"%s\"}}",
                                                      start_text, end_text, period,
                                                      json_object_get_string_member (v, "stream"));
    g_autoptr(JsonNode) existing = parse_json (existing_text);
    g_autoptr(WardObservationGroup) group = ward_observation_group_new ("t", "d", "p", start + 10000000,
                                                                        start + 10000000);
    g_autoptr(JsonNode) merged = NULL;

    merged = build (mapping, group, existing);
    /* No values in the group for v: nothing changes but the status. */
    g_assert_cmpstr (get_string (merged, "valueSampledData.data"), ==, "1 E 3");
    assert_time_values ("1 E 3", start, 1000, json_object_get_array_member (v, "expected"));
    g_clear_pointer (&merged, json_node_unref);

    ward_observation_group_add_value (group, "v", (start + 10000000) / 10, "2");
    merged = build (mapping, group, existing);
    g_assert_cmpstr (get_string (merged, "valueSampledData.data"), ==, "1 2 3");
  }

  /* Merging */
  vectors = json_object_get_array_member (root, "merge_vectors");
  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      g_autofree char *text = g_strdup_printf (sampled_template, "60000");
      g_autoptr(WardFhirTemplate) mapping = load_fhir (text);
      JsonArray *old_values = json_object_get_array_member (v, "existing");
      JsonArray *new_values = json_object_get_array_member (v, "new");
      JsonArray *expected = json_object_get_array_member (v, "expected");
      g_autoptr(WardObservationGroup) old_group = NULL;
      g_autoptr(WardObservationGroup) new_group = NULL;
      g_autoptr(JsonNode) existing = NULL;
      g_autoptr(JsonNode) merged = NULL;
      JsonArray *first;
      JsonArray *last;
      gint64 start;

      g_test_message ("E14 merge %s", json_object_get_string_member (v, "name"));
      first = json_array_get_array_element (old_values, 0);
      last = json_array_get_array_element (old_values, json_array_get_length (old_values) - 1);
      old_group = group_of (old_values, ticks (json_array_get_string_element (first, 0)),
                            ticks (json_array_get_string_element (last, 0)));
      existing = build (mapping, old_group, NULL);

      first = json_array_get_array_element (new_values, 0);
      last = json_array_get_array_element (new_values, json_array_get_length (new_values) - 1);
      new_group = group_of (new_values, ticks (json_array_get_string_element (first, 0)),
                            ticks (json_array_get_string_element (last, 0)));
      merged = build (mapping, new_group, existing);

      g_assert_cmpstr (get_string (merged, "status"), ==, "amended");
      start = ticks (get_string (merged, "effectivePeriod.start"));
      first = json_array_get_array_element (expected, 0);
      last = json_array_get_array_element (expected, json_array_get_length (expected) - 1);
      g_assert_cmpint (start, ==, ticks (json_array_get_string_element (first, 0)));
      g_assert_cmpint (ticks (get_string (merged, "effectivePeriod.end")), ==,
                       ticks (json_array_get_string_element (last, 0)));
      assert_time_values (get_string (merged, "valueSampledData.data"), start, 60000, expected);
      /* The rest of the existing value stays as it was. */
      g_assert_cmpstr (get_string (merged, "id"), ==, get_string (existing, "id"));
      g_assert_cmpfloat (get_number (merged, "valueSampledData.period"), ==, 60000);
    }
}

/* E15: identifiers and ids */

static void
test_e15_identifiers (void)
{
  g_autofree char *dir = reference_dir ();
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) e15 = NULL;
  JsonObject *root;
  JsonArray *vectors;
  const char *service;

  REQUIRE_REFERENCE (dir);

  path = g_build_filename (dir, "testdata", "expected", "E15_identifiers_and_ids.json", NULL);
  e15 = load_json_file (path);
  root = json_node_get_object (e15);
  service = json_object_get_string_member (root, "service_system");
  g_assert_cmpstr (service, ==, SERVICE);

  vectors = json_object_get_array_member (root, "vectors");
  g_assert_cmpuint (json_array_get_length (vectors), ==, 7);
  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      const char *what = json_object_get_string_member (v, "what");
      const char *expected = json_object_get_string_member (v, "expected");

      g_test_message ("E15 %s", what);

      if (g_str_has_prefix (what, "idSegment hourly"))
        {
          g_autoptr(WardObservationGroup) group = NULL;
          g_autofree char *segment = NULL;

          group = ward_observation_group_new ("heartrate", "d", "p", ticks (json_object_get_string_member (v, "start")),
                                              ticks (json_object_get_string_member (v, "end")));
          segment = ward_observation_group_get_time_segment (group);
          g_assert_cmpstr (segment, ==, expected);
        }
      else if (g_str_has_prefix (what, "identifier value"))
        {
          /* The connector's test gave resource ids "patientId" and
           * "deviceId"; ours are always hashed, so the rule is checked
           * with a correlation-id group whose segment is "segment".
           */
          g_autoptr(WardFhirTemplate) mapping = load_fhir (
            "{\"templateType\":\"CollectionFhir\",\"template\":[{\"templateType\":\"CodeValueFhir\",\"template\":"
            "{\"typeName\":\"heartrate\",\"periodInterval\":-1,\"codes\":[]}}]}");
          g_autoptr(WardObservationGroup) group = NULL;
          g_autofree char *identifier = NULL;
          g_autofree char *patient = ward_fhir_template_resource_id (NULL, json_object_get_string_member (v, "patientId"));
          g_autofree char *device = ward_fhir_template_resource_id (NULL, json_object_get_string_member (v, "deviceId"));
          g_autofree char *rule = NULL;
          g_auto(GStrv) parts = g_strsplit (expected, ".", -1);

          group = ward_observation_group_new (json_object_get_string_member (v, "type"),
                                              json_object_get_string_member (v, "deviceId"),
                                              json_object_get_string_member (v, "patientId"), 0, 0);
          group->correlation_id = g_strdup (json_object_get_string_member (v, "segment"));
          identifier = ward_fhir_template_get_identifier (mapping, group);
          g_assert_cmpuint (g_strv_length (parts), ==, 4);
          rule = g_strdup_printf ("%s.%s.%s.%s", patient, device, parts[2], parts[3]);
          g_assert_cmpstr (identifier, ==, rule);
        }
      else if (g_str_has_prefix (what, "observation id for identifier value"))
        {
          const char *value = strchr (what, '\'') + 1;
          g_autofree char *identifier = g_strndup (value, strchr (value, '\'') - value);
          g_autofree char *id = ward_fhir_template_resource_id (service, identifier);

          g_assert_cmpstr (id, ==, expected);
        }
      else if (g_str_has_prefix (what, "Create-mode"))
        {
          const char *input = json_object_get_string_member (v, "input");
          g_autofree char *id = NULL;

          g_assert_true (input[0] == '_');
          id = ward_fhir_template_resource_id (NULL, input + 1);
          g_assert_cmpstr (id, ==, expected);
        }
      else if (g_str_has_prefix (what, "Observation identifier value for E13") ||
               g_str_has_prefix (what, "Observation id for E13"))
        {
          g_autofree char *fhir_path = g_build_filename (dir, "testdata", "validation-unittests",
                                                         "data_CollectionFhirTemplateValid.json", NULL);
          g_autoptr(WardFhirTemplate) mapping = load_fhir_file (fhir_path);
          g_autoptr(WardNormalized) m = ward_normalized_new ("bloodpressure", usec ("2019-01-01T00:00:00Z"), "abc");
          g_autoptr(GPtrArray) measurements = g_ptr_array_new ();
          g_autoptr(GPtrArray) groups = NULL;
          g_autoptr(JsonNode) observation = NULL;
          g_autofree char *identifier = NULL;

          m->patient_id = g_strdup ("patient123");
          ward_normalized_add_value (m, "systolic", "60");
          ward_normalized_add_value (m, "diastolic", "80");
          g_ptr_array_add (measurements, m);
          groups = group_all (mapping, measurements, NULL);
          g_assert_cmpuint (groups->len, ==, 1);
          identifier = ward_fhir_template_get_identifier (mapping, groups->pdata[0]);
          observation = build (mapping, groups->pdata[0], NULL);

          if (json_object_has_member (v, "length"))
            {
              g_assert_cmpstr (identifier, ==, expected);
              g_assert_cmpuint (strlen (identifier), ==, json_object_get_int_member (v, "length"));
              g_assert_cmpstr (get_string (observation, "identifier.0.value"), ==, expected);
              g_assert_cmpstr (get_string (observation, "identifier.0.system"), ==, service);
            }
          else
            {
              g_assert_cmpstr (get_string (observation, "id"), ==, expected);
            }
        }
      else
        {
          g_error ("E15: unknown vector \"%s\"", what);
        }
    }
}

/* E16: grouping */

static const char grouping_template[] =
  "{\"templateType\":\"CollectionFhir\",\"template\":[{\"templateType\":\"CodeValueFhir\",\"template\":"
  "{\"typeName\":\"t\",\"periodInterval\":%d,\"codes\":[],"
  "\"components\":[{\"value\":{\"valueName\":\"a\",\"valueType\":\"String\"}},"
  "{\"value\":{\"valueName\":\"b\",\"valueType\":\"String\"}}]}}]}";

static WardNormalized *
measurement (const char *type,
             const char *time,
             const char *a,
             const char *b)
{
  WardNormalized *m = ward_normalized_new (type, usec (time), "device");

  m->patient_id = g_strdup ("patient");
  if (a != NULL)
    ward_normalized_add_value (m, "a", a);
  if (b != NULL)
    ward_normalized_add_value (m, "b", b);
  return m;
}

static void
assert_values (const WardObservationGroup *group,
               const char                 *name,
               JsonArray                  *expected)
{
  GArray *values = ward_observation_group_get_values (group, name);

  g_assert_nonnull (values);
  g_assert_cmpuint (values->len, ==, json_array_get_length (expected));
  for (guint i = 0; i < values->len; i++)
    {
      const WardObservationValue *v = &g_array_index (values, WardObservationValue, i);
      JsonArray *pair = json_array_get_array_element (expected, i);

      g_assert_cmpint (v->time, ==, usec (json_array_get_string_element (pair, 0)));
      g_assert_cmpstr (v->value, ==, json_array_get_string_element (pair, 1));
    }
}

static void
test_e16_grouping (void)
{
  g_autofree char *dir = reference_dir ();
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) e16 = NULL;
  JsonArray *cases;
  guint n_rules = 0;

  REQUIRE_REFERENCE (dir);

  path = g_build_filename (dir, "testdata", "expected", "E16_observation_grouping.json", NULL);
  e16 = load_json_file (path);
  cases = json_object_get_array_member (json_node_get_object (e16), "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      int interval = (int) json_object_get_int_member (c, "periodInterval");
      g_autofree char *text = g_strdup_printf (grouping_template, interval);
      g_autoptr(WardFhirTemplate) mapping = load_fhir (text);
      g_autoptr(GPtrArray) measurements = new_normalized_array ();
      g_autoptr(GPtrArray) issues = new_issue_array ();
      g_autoptr(GPtrArray) groups = NULL;

      g_test_message ("E16 periodInterval %d", interval);

      if (json_object_has_member (c, "measurements"))
        {
          JsonArray *input = json_object_get_array_member (c, "measurements");
          JsonArray *expected = json_object_get_array_member (c, "expected_groups");

          for (guint m = 0; m < json_array_get_length (input); m++)
            {
              JsonObject *o = json_array_get_object_element (input, m);

              g_ptr_array_add (measurements, measurement ("t", json_object_get_string_member (o, "t"),
                                                          json_object_get_string_member (o, "a"),
                                                          json_object_get_string_member (o, "b")));
            }

          groups = group_all (mapping, measurements, issues);
          g_assert_cmpuint (issues->len, ==, 0);
          g_assert_cmpuint (groups->len, ==, json_array_get_length (expected));
          for (guint g = 0; g < groups->len; g++)
            {
              const WardObservationGroup *group = groups->pdata[g];
              JsonObject *e = json_array_get_object_element (expected, g);
              g_autoptr(JsonNode) observation = NULL;

              g_assert_cmpint (group->start_ticks, ==, ticks (json_object_get_string_member (e, "start")));
              g_assert_cmpint (group->end_ticks, ==, ticks (json_object_get_string_member (e, "end")));
              assert_values (group, "a", json_object_get_array_member (e, "a"));
              assert_values (group, "b", json_object_get_array_member (e, "b"));

              observation = build (mapping, group, NULL);
              g_assert_cmpint (ticks (get_string (observation, "effectivePeriod.start")), ==, group->start_ticks);
              g_assert_cmpint (ticks (get_string (observation, "effectivePeriod.end")), ==, group->end_ticks);
            }
          continue;
        }

      /* The rules without vectors: vectors of our own. */
      n_rules++;
      if (interval == 1440)
        {
          const WardObservationGroup *group;

          g_ptr_array_add (measurements, measurement ("t", "2019-01-01T13:45:00Z", "1", NULL));
          g_ptr_array_add (measurements, measurement ("t", "2019-01-01T23:59:59.999999Z", "2", NULL));
          g_ptr_array_add (measurements, measurement ("t", "2019-01-02T00:00:00Z", "3", NULL));
          /* Midnight UTC, whatever the offset the device gave. */
          g_ptr_array_add (measurements, measurement ("t", "2019-01-02T23:30:00-01:00", "4", NULL));
          groups = group_all (mapping, measurements, issues);
          g_assert_cmpuint (groups->len, ==, 3);
          group = groups->pdata[0];
          g_assert_cmpint (group->start_ticks, ==, ticks ("2019-01-01T00:00:00Z"));
          g_assert_cmpint (group->end_ticks, ==, ticks ("2019-01-01T23:59:59.9999999Z"));
          g_assert_cmpuint (ward_observation_group_get_values (group, "a")->len, ==, 2);
          group = groups->pdata[2];
          g_assert_cmpint (group->start_ticks, ==, ticks ("2019-01-03T00:00:00Z"));
          g_assert_cmpstr (g_array_index (ward_observation_group_get_values (group, "a"),
                                          WardObservationValue, 0).value, ==, "4");
        }
      else if (interval == -1)
        {
          const char * const correlation[] = { "strip-1", "strip-1", "strip-2", "strip-1", " ", NULL };
          const char * const times[] = { "2019-01-01T00:00:02.5Z", "2019-01-01T00:00:00Z", "2019-01-01T00:00:01Z",
                                         "2019-01-01T00:00:04Z", "2019-01-01T00:00:05Z", "2019-01-01T00:00:06Z" };
          const WardObservationGroup *group;
          g_autofree char *identifier = NULL;

          for (guint m = 0; m < G_N_ELEMENTS (times); m++)
            {
              WardNormalized *n = measurement ("t", times[m], "1", NULL);

              n->correlation_id = g_strdup (m < G_N_ELEMENTS (correlation) ? correlation[m] : NULL);
              g_ptr_array_add (measurements, n);
            }

          groups = group_all (mapping, measurements, issues);
          g_assert_cmpuint (groups->len, ==, 2);
          group = groups->pdata[0];
          g_assert_cmpstr (group->correlation_id, ==, "strip-1");
          g_assert_cmpint (group->start_ticks, ==, ticks ("2019-01-01T00:00:00Z"));
          g_assert_cmpint (group->end_ticks, ==, ticks ("2019-01-01T00:00:04Z"));
          g_assert_cmpuint (ward_observation_group_get_values (group, "a")->len, ==, 3);
          identifier = ward_fhir_template_get_identifier (mapping, group);
          g_assert_true (g_str_has_suffix (identifier, ".t.strip-1"));

          /* Blank and missing correlation ids cannot be grouped. */
          g_assert_cmpuint (issues->len, ==, 2);
          g_assert_cmpuint (((WardFhirGroupIssue *) issues->pdata[0])->index, ==, 4);
          g_assert_cmpuint (((WardFhirGroupIssue *) issues->pdata[1])->index, ==, 5);
          g_assert_nonnull (strstr (((WardFhirGroupIssue *) issues->pdata[0])->message, "correlation id"));
        }
      else
        {
          g_error ("E16: no vectors for periodInterval %d", interval);
        }
    }

  g_assert_cmpuint (n_rules, ==, 2);
}

/* The duplicate rule of E16's note, within one batch, and the key. */
static void
test_grouping_keys (void)
{
  g_autofree char *text = g_strdup_printf (grouping_template, 60);
  g_autoptr(WardFhirTemplate) mapping = load_fhir (text);
  g_autoptr(GPtrArray) measurements = new_normalized_array ();
  g_autoptr(GPtrArray) groups = NULL;
  WardNormalized *m;
  GArray *values;

  /* The same time twice: the later message wins (latest-wins batch). */
  g_ptr_array_add (measurements, measurement ("t", "2022-02-15T04:00:00Z", "129", "65"));
  g_ptr_array_add (measurements, measurement ("t", "2022-02-15T04:00:00Z", "113", "58"));
  /* Another device, another patient, another type case: other groups. */
  m = measurement ("t", "2022-02-15T04:10:00Z", "1", NULL);
  g_free (m->device_id);
  m->device_id = g_strdup ("other-device");
  g_ptr_array_add (measurements, m);
  m = measurement ("t", "2022-02-15T04:10:00Z", "1", NULL);
  g_free (m->patient_id);
  m->patient_id = NULL;
  g_ptr_array_add (measurements, m);
  g_ptr_array_add (measurements, measurement ("T", "2022-02-15T04:10:00Z", "1", NULL));
  /* A different correlation or encounter id, the same identifier: one
   * group, as the connector would merge them.
   */
  m = measurement ("t", "2022-02-15T04:20:00Z", "7", NULL);
  m->correlation_id = g_strdup ("message-7");
  m->encounter_id = g_strdup ("encounter-1");
  g_ptr_array_add (measurements, m);

  groups = group_all (mapping, measurements, NULL);
  g_assert_cmpuint (groups->len, ==, 4);

  values = ward_observation_group_get_values (groups->pdata[0], "a");
  g_assert_cmpuint (values->len, ==, 2);
  g_assert_cmpstr (g_array_index (values, WardObservationValue, 0).value, ==, "113");
  g_assert_cmpstr (g_array_index (values, WardObservationValue, 1).value, ==, "7");
  values = ward_observation_group_get_values (groups->pdata[0], "b");
  g_assert_cmpstr (g_array_index (values, WardObservationValue, 0).value, ==, "58");
  g_assert_cmpuint (((WardObservationGroup *) groups->pdata[0])->sources->len, ==, 3);

  g_assert_cmpstr (((WardObservationGroup *) groups->pdata[1])->device_id, ==, "other-device");
  g_assert_null (((WardObservationGroup *) groups->pdata[2])->patient_id);
  g_assert_cmpstr (((WardObservationGroup *) groups->pdata[3])->type, ==, "T");

  /* periodInterval 0: one group per second of the identifier. */
  {
    g_autofree char *single = g_strdup_printf (grouping_template, 0);
    g_autoptr(WardFhirTemplate) single_mapping = load_fhir (single);
    g_autoptr(GPtrArray) batch = new_normalized_array ();
    g_autoptr(GPtrArray) single_groups = NULL;
    const WardObservationGroup *group;

    g_ptr_array_add (batch, measurement ("t", "2022-02-15T04:00:00.100Z", "1", NULL));
    g_ptr_array_add (batch, measurement ("t", "2022-02-15T04:00:00.500Z", "2", NULL));
    g_ptr_array_add (batch, measurement ("t", "2022-02-15T04:00:01Z", "3", NULL));
    single_groups = group_all (single_mapping, batch, NULL);
    g_assert_cmpuint (single_groups->len, ==, 2);
    group = single_groups->pdata[0];
    g_assert_cmpint (group->start_ticks, ==, ticks ("2022-02-15T04:00:00.1Z"));
    g_assert_cmpint (group->end_ticks, ==, ticks ("2022-02-15T04:00:00.5Z"));
  }
}

/* The built-in mapping */

static const struct {
  const char *type;
  const char *values[3][2];
  const char *loinc;
  const char *mdc;
  const char *unit;
} vitals[] = {
  { "heartrate", { { "hr", "72" } }, "8867-4", "147842", "/min" },
  { "respiratoryrate", { { "rr", "16" } }, "9279-1", "151562", "/min" },
  { "spo2", { { "spo2", "97" } }, "2708-6", "150456", "%" },
  { "temperature", { { "temperature", "37.2" } }, "8310-5", "150344", "Cel" },
  { "bloodpressure", { { "systolic", "128" }, { "diastolic", "78" }, { "mean", "95" } }, "85354-9", "150300",
    "mm[Hg]" },
};

static void
test_default_vitals (void)
{
  g_autoptr(WardFhirTemplate) mapping = NULL;
  g_autoptr(WardDeviceTemplate) device = NULL;
  g_autoptr(GPtrArray) measurements = new_normalized_array ();
  g_autoptr(GPtrArray) issues = new_issue_array ();
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;

  mapping = ward_fhir_template_new_default (&error);
  g_assert_no_error (error);
  dump_issues (mapping);
  g_assert_true (ward_fhir_template_is_valid (mapping));
  g_assert_cmpuint (ward_fhir_template_get_issues (mapping)->len, ==, 0);
  g_assert_cmpuint (ward_fhir_template_get_n_templates (mapping), ==, G_N_ELEMENTS (vitals));
  g_assert_cmpstr (ward_fhir_template_get_filename (mapping), ==, WARD_FHIR_TEMPLATE_DEFAULT_RESOURCE);

  /* It takes every value the built-in device mapping makes. */
  device = ward_device_template_new_default (&error);
  g_assert_no_error (error);
  warnings = ward_fhir_template_check_device_mapping (mapping, device);
  g_assert_cmpuint (warnings->len, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (vitals); i++)
    {
      WardNormalized *m = ward_normalized_new (vitals[i].type, usec ("2024-05-01T10:00:00.250Z"), "monitor-7");

      m->patient_id = g_strdup ("P-001");
      m->correlation_id = g_strdup_printf ("message-%u", i);
      for (guint v = 0; v < G_N_ELEMENTS (vitals[i].values) && vitals[i].values[v][0] != NULL; v++)
        ward_normalized_add_value (m, vitals[i].values[v][0], vitals[i].values[v][1]);
      g_ptr_array_add (measurements, m);
    }

  groups = group_all (mapping, measurements, issues);
  g_assert_cmpuint (issues->len, ==, 0);
  g_assert_cmpuint (groups->len, ==, G_N_ELEMENTS (vitals));

  for (guint i = 0; i < G_N_ELEMENTS (vitals); i++)
    {
      g_autoptr(JsonNode) o = build (mapping, groups->pdata[i], NULL);
      g_autofree char *patient = ward_fhir_template_resource_id (NULL, "P-001");
      g_autofree char *device_id = ward_fhir_template_resource_id (NULL, "monitor-7");
      g_autofree char *subject = g_strdup_printf ("Patient/%s", patient);
      g_autofree char *device_ref = g_strdup_printf ("Device/%s", device_id);
      g_autofree char *identifier = ward_fhir_template_get_identifier (mapping, groups->pdata[i]);
      g_autofree char *id = ward_fhir_template_resource_id (SERVICE, identifier);

      g_assert_cmpstr (get_string (o, "resourceType"), ==, "Observation");
      g_assert_cmpstr (get_string (o, "id"), ==, id);
      g_assert_cmpuint (strlen (id), ==, 64);
      g_assert_cmpstr (get_string (o, "identifier.0.value"), ==, identifier);
      g_assert_true (g_str_has_suffix (identifier, ".20240501100000Z.20240501100000Z"));
      g_assert_cmpstr (get_string (o, "status"), ==, "final");
      g_assert_cmpstr (get_string (o, "category.0.coding.0.system"), ==,
                       "http://terminology.hl7.org/CodeSystem/observation-category");
      g_assert_cmpstr (get_string (o, "category.0.coding.0.code"), ==, "vital-signs");
      g_assert_cmpstr (get_string (o, "code.coding.0.system"), ==, "http://loinc.org");
      g_assert_cmpstr (get_string (o, "code.coding.0.code"), ==, vitals[i].loinc);
      g_assert_cmpstr (get_string (o, "code.text"), ==, vitals[i].type);
      g_assert_cmpstr (get_string (o, "subject.reference"), ==, subject);
      g_assert_cmpstr (get_string (o, "device.reference"), ==, device_ref);
      g_assert_cmpstr (get_string (o, "effectivePeriod.start"), ==, "2024-05-01T10:00:00.2500000Z");
      g_assert_cmpstr (get_string (o, "effectivePeriod.end"), ==, "2024-05-01T10:00:00.2500000Z");
      g_assert_null (get_node (o, "effectiveDateTime"));

      /* The MDC coding beside LOINC, then the connector's own. */
      {
        guint n = get_length (o, "code.coding");
        g_autofree char *mdc_path = g_strdup_printf ("code.coding.%u.code", n - 2);
        g_autofree char *own_path = g_strdup_printf ("code.coding.%u.system", n - 1);
        g_autofree char *mdc_system = g_strdup_printf ("code.coding.%u.system", n - 2);

        g_assert_cmpstr (get_string (o, mdc_path), ==, vitals[i].mdc);
        g_assert_cmpstr (get_string (o, mdc_system), ==, "urn:iso:std:iso:11073:10101");
        g_assert_cmpstr (get_string (o, own_path), ==, SERVICE);
      }

      if (g_str_equal (vitals[i].type, "bloodpressure"))
        {
          const char * const loinc[] = { "8480-6", "8462-4", "8478-0" };

          g_assert_null (get_node (o, "valueQuantity"));
          g_assert_cmpuint (get_length (o, "component"), ==, 3);
          for (guint c = 0; c < 3; c++)
            {
              g_autofree char *code = g_strdup_printf ("component.%u.code.coding.0.code", c);
              g_autofree char *value = g_strdup_printf ("component.%u.valueQuantity.value", c);
              g_autofree char *unit = g_strdup_printf ("component.%u.valueQuantity.code", c);
              g_autofree char *system = g_strdup_printf ("component.%u.valueQuantity.system", c);

              g_assert_cmpstr (get_string (o, code), ==, loinc[c]);
              g_assert_cmpfloat (get_number (o, value), ==, g_ascii_strtod (vitals[i].values[c][1], NULL));
              g_assert_cmpstr (get_string (o, unit), ==, "mm[Hg]");
              g_assert_cmpstr (get_string (o, system), ==, "http://unitsofmeasure.org");
            }
        }
      else
        {
          g_assert_null (get_node (o, "component"));
          g_assert_cmpfloat (get_number (o, "valueQuantity.value"), ==, g_ascii_strtod (vitals[i].values[0][1], NULL));
          g_assert_cmpstr (get_string (o, "valueQuantity.unit"), ==, vitals[i].unit);
          g_assert_cmpstr (get_string (o, "valueQuantity.code"), ==, vitals[i].unit);
          g_assert_cmpstr (get_string (o, "valueQuantity.system"), ==, "http://unitsofmeasure.org");
        }

      /* Written as FHIR JSON, numbers as they read. */
      {
        g_autofree char *json = ward_fhir_template_to_json (o);
        g_autoptr(JsonNode) again = parse_json (json);

        assert_json_equal (o, again, "$", NULL);
        if (g_str_equal (vitals[i].type, "temperature"))
          g_assert_nonnull (strstr (json, "\"valueQuantity\":{\"value\":37.2,\"unit\":\"Cel\""));
      }
    }
}

/* Merging */

static const char quantity_template[] =
  "{\"templateType\":\"CollectionFhir\",\"template\":[{\"templateType\":\"CodeValueFhir\",\"template\":"
  "{\"typeName\":\"heartrate\",\"periodInterval\":60,\"codes\":[{\"code\":\"8867-4\",\"system\":\"http://loinc.org\"}],"
  "\"category\":[{\"text\":\"Vital Signs\",\"codes\":[{\"code\":\"vital-signs\"}]}],"
  "\"value\":{\"valueName\":\"hr\",\"valueType\":\"Quantity\",\"unit\":\"/min\",\"code\":\"/min\","
  "\"system\":\"http://unitsofmeasure.org\"}}},"
  "{\"templateType\":\"CodeValueFhir\",\"template\":"
  "{\"typeName\":\"bloodpressure\",\"periodInterval\":60,\"codes\":[{\"code\":\"85354-9\"}],"
  "\"components\":[{\"codes\":[{\"code\":\"8480-6\"}],\"value\":{\"valueName\":\"systolic\",\"valueType\":\"SampledData\","
  "\"defaultPeriod\":60000,\"unit\":\"mm[Hg]\"}},"
  "{\"codes\":[{\"code\":\"8462-4\"}],\"value\":{\"valueName\":\"diastolic\",\"valueType\":\"SampledData\","
  "\"defaultPeriod\":60000,\"unit\":\"mm[Hg]\"}}]}}]}";

static void
test_merge (void)
{
  g_autoptr(WardFhirTemplate) mapping = load_fhir (quantity_template);
  g_autoptr(GError) error = NULL;

  /* Quantity: the group's latest value replaces the stored one. */
  {
    g_autoptr(GPtrArray) first = new_normalized_array ();
    g_autoptr(GPtrArray) second = new_normalized_array ();
    g_autoptr(GPtrArray) first_groups = NULL;
    g_autoptr(GPtrArray) second_groups = NULL;
    g_autoptr(JsonNode) created = NULL;
    g_autoptr(JsonNode) merged = NULL;
    g_autoptr(JsonNode) foreign = NULL;
    WardNormalized *m;

    m = ward_normalized_new ("heartrate", usec ("2024-05-01T10:05:00Z"), "dev");
    m->patient_id = g_strdup ("pat");
    ward_normalized_add_value (m, "hr", "72");
    g_ptr_array_add (first, m);
    first_groups = group_all (mapping, first, NULL);
    created = build (mapping, first_groups->pdata[0], NULL);
    g_assert_cmpstr (get_string (created, "status"), ==, "final");
    g_assert_cmpstr (get_string (created, "effectivePeriod.start"), ==, "2024-05-01T10:00:00.0000000Z");
    g_assert_cmpstr (get_string (created, "effectivePeriod.end"), ==, "2024-05-01T10:59:59.9999999Z");

    m = ward_normalized_new ("heartrate", usec ("2024-05-01T10:20:00Z"), "dev");
    m->patient_id = g_strdup ("pat");
    ward_normalized_add_value (m, "hr", "80");
    g_ptr_array_add (second, m);
    m = ward_normalized_new ("heartrate", usec ("2024-05-01T10:10:00Z"), "dev");
    m->patient_id = g_strdup ("pat");
    ward_normalized_add_value (m, "hr", "75");
    g_ptr_array_add (second, m);
    second_groups = group_all (mapping, second, NULL);
    g_assert_cmpuint (second_groups->len, ==, 1);

    /* The existing one is not changed; the result has the same ids. */
    merged = build (mapping, second_groups->pdata[0], created);
    g_assert_cmpstr (get_string (created, "status"), ==, "final");
    g_assert_cmpfloat (get_number (created, "valueQuantity.value"), ==, 72);
    g_assert_cmpstr (get_string (merged, "status"), ==, "amended");
    g_assert_cmpfloat (get_number (merged, "valueQuantity.value"), ==, 80);
    g_assert_cmpstr (get_string (merged, "id"), ==, get_string (created, "id"));
    g_assert_cmpstr (get_string (merged, "identifier.0.value"), ==, get_string (created, "identifier.0.value"));
    g_assert_cmpstr (get_string (merged, "issued"), ==, get_string (created, "issued"));
    g_assert_cmpstr (get_string (merged, "subject.reference"), ==, get_string (created, "subject.reference"));
    g_assert_cmpstr (get_string (merged, "category.0.coding.0.code"), ==, "vital-signs");

    /* A copy written elsewhere: an instant, members of its own (kept),
     * no id (filled in).
     */
    foreign = parse_json ("{\"resourceType\":\"Observation\",\"meta\":{\"versionId\":\"3\"},\"status\":\"final\","
                          "\"code\":{\"text\":\"heartrate\"},\"effectiveDateTime\":\"2024-05-01T09:30:00+00:00\","
                          "\"note\":[{\"text\":\"seen\"}],\"valueQuantity\":{\"value\":60}}");
    g_clear_pointer (&merged, json_node_unref);
    merged = build (mapping, second_groups->pdata[0], foreign);
    g_assert_null (get_node (merged, "effectiveDateTime"));
    g_assert_cmpstr (get_string (merged, "effectivePeriod.start"), ==, "2024-05-01T09:30:00.0000000Z");
    g_assert_cmpstr (get_string (merged, "effectivePeriod.end"), ==, "2024-05-01T10:59:59.9999999Z");
    g_assert_cmpstr (get_string (merged, "meta.versionId"), ==, "3");
    g_assert_cmpstr (get_string (merged, "note.0.text"), ==, "seen");
    g_assert_cmpstr (get_string (merged, "id"), ==, get_string (created, "id"));
    g_assert_cmpfloat (get_number (merged, "valueQuantity.value"), ==, 80);

    /* What cannot be merged. */
    {
      const char * const bad[] = {
        "[]",
        "{\"resourceType\":\"Patient\"}",
        "{\"resourceType\":\"Observation\",\"status\":\"final\"}",
        "{\"resourceType\":\"Observation\",\"effectiveDateTime\":\"2024-05-01T10:00:00Z\",\"valueString\":\"x\"}",
      };

      for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
        {
          g_autoptr(JsonNode) existing = parse_json (bad[b]);
          g_autoptr(JsonNode) result = NULL;

          result = ward_fhir_template_build_observation (mapping, second_groups->pdata[0], existing, &error);
          g_assert_null (result);
          g_assert_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE);
          g_test_message ("%s: %s", bad[b], error->message);
          g_clear_error (&error);
        }
    }
  }

  /* Components: SampledData merged on the grid; a new component added
   * over the widened period.
   */
  {
    g_autoptr(WardObservationGroup) first = ward_observation_group_new ("bloodpressure", "dev", "pat",
                                                                        ticks ("2024-05-01T10:00:00Z"),
                                                                        ticks ("2024-05-01T10:59:59.9999999Z"));
    g_autoptr(WardObservationGroup) second = ward_observation_group_new ("bloodpressure", "dev", "pat",
                                                                         ticks ("2024-05-01T10:00:00Z"),
                                                                         ticks ("2024-05-01T10:59:59.9999999Z"));
    g_autoptr(JsonNode) created = NULL;
    g_autoptr(JsonNode) merged = NULL;
    g_auto(GStrv) systolic = NULL;
    g_auto(GStrv) diastolic = NULL;

    ward_observation_group_add_value (first, "systolic", usec ("2024-05-01T10:00:00Z"), "120");
    ward_observation_group_add_value (first, "systolic", usec ("2024-05-01T10:02:00Z"), "121");
    created = build (mapping, first, NULL);
    g_assert_cmpuint (get_length (created, "component"), ==, 1);
    g_assert_cmpstr (get_string (created, "component.0.code.text"), ==, "systolic");

    ward_observation_group_add_value (second, "systolic", usec ("2024-05-01T10:02:00Z"), "125");
    ward_observation_group_add_value (second, "systolic", usec ("2024-05-01T10:03:00Z"), "126");
    ward_observation_group_add_value (second, "diastolic", usec ("2024-05-01T10:03:00Z"), "80");
    merged = build (mapping, second, created);
    g_assert_cmpuint (get_length (merged, "component"), ==, 2);
    /* The existing Observation is left as it was, its components too. */
    g_assert_cmpuint (get_length (created, "component"), ==, 1);
    g_assert_true (g_str_has_prefix (get_string (created, "component.0.valueSampledData.data"), "120 E 121 E"));
    systolic = g_strsplit (get_string (merged, "component.0.valueSampledData.data"), " ", -1);
    g_assert_cmpuint (g_strv_length (systolic), ==, 60);
    g_assert_cmpstr (systolic[0], ==, "120");
    g_assert_cmpstr (systolic[1], ==, "E");
    g_assert_cmpstr (systolic[2], ==, "125");
    g_assert_cmpstr (systolic[3], ==, "126");
    g_assert_cmpstr (get_string (merged, "component.1.code.text"), ==, "diastolic");
    diastolic = g_strsplit (get_string (merged, "component.1.valueSampledData.data"), " ", -1);
    g_assert_cmpstr (diastolic[3], ==, "80");
  }
}

/* Merging two copies of an Observation (ours into the server's) */

static const char strip_template[] =
  "{\"templateType\":\"CollectionFhir\",\"template\":[{\"templateType\":\"CodeValueFhir\",\"template\":"
  "{\"typeName\":\"strip\",\"periodInterval\":-1,\"codes\":[{\"code\":\"X\",\"system\":\"http://loinc.org\"}],"
  "\"value\":{\"valueName\":\"v\",\"valueType\":\"SampledData\",\"defaultPeriod\":1000,\"unit\":\"u\"},"
  "\"components\":[{\"codes\":[{\"code\":\"Y\"}],\"value\":{\"valueName\":\"q\",\"valueType\":\"Quantity\","
  "\"unit\":\"%\",\"code\":\"%\",\"system\":\"http://unitsofmeasure.org\"}}]}}]}";

/* A "strip" group of correlation id c1: v every second from first, q
 * at the last one.
 */
static WardObservationGroup *
strip_group (const char         *first,
             const char * const *values,
             const char         *q)
{
  WardObservationGroup *group;
  gint64 start = usec (first);
  guint n = g_strv_length ((char **) values);

  group = ward_observation_group_new ("strip", "dev", "pat", start * WARD_FHIR_TICKS_PER_USEC,
                                      (start + (n - 1) * G_USEC_PER_SEC) * WARD_FHIR_TICKS_PER_USEC);
  group->correlation_id = g_strdup ("c1");
  for (guint i = 0; i < n; i++)
    ward_observation_group_add_value (group, "v", start + i * G_USEC_PER_SEC, values[i]);
  ward_observation_group_add_value (group, "q", start + (n - 1) * G_USEC_PER_SEC, q);
  return group;
}

/* json_node_copy() shares objects: a copy to change. */
static JsonNode *
deep_copy (JsonNode *node)
{
  g_autofree char *json = ward_fhir_template_to_json (node);

  return parse_json (json);
}

static JsonNode *
merge_both (WardFhirTemplate *mapping,
            JsonNode         *theirs,
            JsonNode         *ours)
{
  g_autoptr(GError) error = NULL;
  JsonNode *merged = ward_fhir_template_merge_observations (mapping, theirs, ours, &error);

  g_assert_no_error (error);
  g_assert_nonnull (merged);
  {
    g_autofree char *json = ward_fhir_template_to_json (merged);

    g_test_message ("%.2000s", json);
  }
  return merged;
}

static void
test_merge_observations (void)
{
  g_autoptr(WardFhirTemplate) strip = load_fhir (strip_template);
  g_autoptr(WardFhirTemplate) hourly = load_fhir (quantity_template);
  g_autoptr(GError) error = NULL;

  /* SampledData on the grid: theirs 10:00:00-04, ours 10:00:03-07; ours
   * wins at 03 and 04, the period spans both, the newer Quantity wins.
   */
  {
    const char * const their_values[] = { "1", "2", "3", "4", "5", NULL };
    const char * const our_values[] = { "30", "40", "50", "60", "70", NULL };
    g_autoptr(WardObservationGroup) their_group = strip_group ("2024-05-01T10:00:00Z", their_values, "90");
    g_autoptr(WardObservationGroup) our_group = strip_group ("2024-05-01T10:00:03Z", our_values, "95");
    g_autoptr(JsonNode) theirs = build (strip, their_group, NULL);
    g_autoptr(JsonNode) ours = build (strip, our_group, NULL);
    g_autoptr(JsonNode) merged = NULL;
    g_autoptr(JsonNode) reverse = NULL;
    g_autoptr(JsonNode) unchanged = NULL;

    g_assert_cmpstr (get_string (theirs, "id"), ==, get_string (ours, "id"));
    g_assert_cmpstr (ward_fhir_template_observation_identifier (ours), ==,
                     get_string (ours, "identifier.0.value"));

    /* The server's copy carries its version. */
    json_object_set_member (json_node_get_object (theirs), "meta",
                            parse_json ("{\"versionId\":\"2\",\"lastUpdated\":\"2024-05-01T10:01:00Z\","
                                        "\"profile\":[\"http://example.org/p\"]}"));
    merged = merge_both (strip, theirs, ours);
    g_assert_cmpstr (get_string (merged, "status"), ==, "amended");
    g_assert_cmpstr (get_string (merged, "id"), ==, get_string (ours, "id"));
    g_assert_cmpuint (get_length (merged, "identifier"), ==, 1);
    g_assert_cmpstr (get_string (merged, "effectivePeriod.start"), ==, "2024-05-01T10:00:00.0000000Z");
    g_assert_cmpstr (get_string (merged, "effectivePeriod.end"), ==, "2024-05-01T10:00:07.0000000Z");
    g_assert_cmpstr (get_string (merged, "valueSampledData.data"), ==, "1 2 3 30 40 50 60 70");
    g_assert_cmpuint (get_length (merged, "component"), ==, 1);
    g_assert_cmpfloat (get_number (merged, "component.0.valueQuantity.value"), ==, 95);
    g_assert_null (get_node (merged, "meta.versionId"));
    g_assert_null (get_node (merged, "meta.lastUpdated"));
    g_assert_cmpstr (get_string (merged, "meta.profile.0"), ==, "http://example.org/p");
    g_assert_cmpstr (get_string (merged, "issued"), ==, get_string (theirs, "issued"));
    /* Neither copy was changed. */
    g_assert_cmpstr (get_string (theirs, "valueSampledData.data"), ==, "1 2 3 4 5");
    g_assert_cmpstr (get_string (theirs, "status"), ==, "final");
    g_assert_cmpstr (get_string (ours, "valueSampledData.data"), ==, "30 40 50 60 70");
    g_assert_cmpstr (get_string (theirs, "meta.versionId"), ==, "2");

    /* The other way round: the older Quantity does not replace the
     * newer; at shared times the values merged in still win.
     */
    reverse = merge_both (strip, ours, theirs);
    g_assert_cmpstr (get_string (reverse, "valueSampledData.data"), ==, "1 2 3 4 5 50 60 70");
    g_assert_cmpfloat (get_number (reverse, "component.0.valueQuantity.value"), ==, 95);
    g_assert_cmpstr (get_string (reverse, "effectivePeriod.start"), ==, "2024-05-01T10:00:00.0000000Z");
    g_assert_cmpstr (get_string (reverse, "effectivePeriod.end"), ==, "2024-05-01T10:00:07.0000000Z");

    /* Merging what was merged changes no value: the same result again. */
    unchanged = merge_both (strip, merged, ours);
    g_assert_cmpstr (get_string (unchanged, "valueSampledData.data"), ==, "1 2 3 30 40 50 60 70");
    g_assert_cmpfloat (get_number (unchanged, "component.0.valueQuantity.value"), ==, 95);
  }

  /* Quantity of an hourly template: the same period, ours wins. */
  {
    g_autoptr(WardObservationGroup) their_group = NULL;
    g_autoptr(WardObservationGroup) our_group = NULL;
    g_autoptr(JsonNode) theirs = NULL;
    g_autoptr(JsonNode) ours = NULL;
    g_autoptr(JsonNode) merged = NULL;

    their_group = ward_observation_group_new ("heartrate", "dev", "pat", ticks ("2024-05-01T10:00:00Z"),
                                              ticks ("2024-05-01T10:59:59.9999999Z"));
    ward_observation_group_add_value (their_group, "hr", usec ("2024-05-01T10:10:00Z"), "72");
    our_group = ward_observation_group_new ("heartrate", "dev", "pat", ticks ("2024-05-01T10:00:00Z"),
                                            ticks ("2024-05-01T10:59:59.9999999Z"));
    ward_observation_group_add_value (our_group, "hr", usec ("2024-05-01T10:05:00Z"), "80");
    theirs = build (hourly, their_group, NULL);
    ours = build (hourly, our_group, NULL);

    merged = merge_both (hourly, theirs, ours);
    g_assert_cmpfloat (get_number (merged, "valueQuantity.value"), ==, 80);
    g_assert_cmpstr (get_string (merged, "valueQuantity.unit"), ==, "/min");
    g_assert_cmpstr (get_string (merged, "status"), ==, "amended");
    g_assert_cmpstr (get_string (merged, "effectivePeriod.start"), ==, "2024-05-01T10:00:00.0000000Z");
    g_assert_cmpstr (get_string (merged, "effectivePeriod.end"), ==, "2024-05-01T10:59:59.9999999Z");
    g_assert_cmpstr (get_string (merged, "category.0.coding.0.code"), ==, "vital-signs");

    /* A copy of theirs whose period ends later keeps its value. */
    {
      g_autoptr(JsonNode) later = deep_copy (theirs);
      g_autoptr(JsonNode) kept = NULL;

      json_object_set_member (json_node_get_object (later), "effectivePeriod",
                              parse_json ("{\"start\":\"2024-05-01T10:00:00Z\",\"end\":\"2024-05-01T11:30:00Z\"}"));
      kept = merge_both (hourly, later, ours);
      g_assert_cmpfloat (get_number (kept, "valueQuantity.value"), ==, 72);
      g_assert_cmpstr (get_string (kept, "effectivePeriod.end"), ==, "2024-05-01T11:30:00.0000000Z");
    }

    /* Theirs without a value gets ours. */
    {
      g_autoptr(JsonNode) empty = deep_copy (theirs);
      g_autoptr(JsonNode) filled = NULL;

      json_object_remove_member (json_node_get_object (empty), "valueQuantity");
      json_object_set_member (json_node_get_object (empty), "effectivePeriod",
                              parse_json ("{\"start\":\"2024-05-01T10:00:00Z\",\"end\":\"2024-05-01T11:30:00Z\"}"));
      filled = merge_both (hourly, empty, ours);
      g_assert_cmpfloat (get_number (filled, "valueQuantity.value"), ==, 80);
    }
  }

  /* Components merged by code: SampledData on a one-minute grid. */
  {
    g_autoptr(WardObservationGroup) their_group = ward_observation_group_new ("bloodpressure", "dev", "pat",
                                                                              ticks ("2024-05-01T10:00:00Z"),
                                                                              ticks ("2024-05-01T10:59:59.9999999Z"));
    g_autoptr(WardObservationGroup) our_group = ward_observation_group_new ("bloodpressure", "dev", "pat",
                                                                            ticks ("2024-05-01T10:00:00Z"),
                                                                            ticks ("2024-05-01T10:59:59.9999999Z"));
    g_autoptr(JsonNode) theirs = NULL;
    g_autoptr(JsonNode) ours = NULL;
    g_autoptr(JsonNode) merged = NULL;
    g_auto(GStrv) systolic = NULL;
    g_auto(GStrv) diastolic = NULL;

    ward_observation_group_add_value (their_group, "systolic", usec ("2024-05-01T10:00:00Z"), "120");
    ward_observation_group_add_value (their_group, "systolic", usec ("2024-05-01T10:02:00Z"), "121");
    ward_observation_group_add_value (our_group, "systolic", usec ("2024-05-01T10:02:00Z"), "125");
    ward_observation_group_add_value (our_group, "systolic", usec ("2024-05-01T10:03:00Z"), "126");
    ward_observation_group_add_value (our_group, "diastolic", usec ("2024-05-01T10:03:00Z"), "80");
    theirs = build (hourly, their_group, NULL);
    ours = build (hourly, our_group, NULL);
    g_assert_cmpuint (get_length (theirs, "component"), ==, 1);

    merged = merge_both (hourly, theirs, ours);
    g_assert_cmpuint (get_length (merged, "component"), ==, 2);
    g_assert_cmpstr (get_string (merged, "component.0.code.text"), ==, "systolic");
    systolic = g_strsplit (get_string (merged, "component.0.valueSampledData.data"), " ", -1);
    g_assert_cmpuint (g_strv_length (systolic), ==, 60);
    g_assert_cmpstr (systolic[0], ==, "120");
    g_assert_cmpstr (systolic[1], ==, "E");
    g_assert_cmpstr (systolic[2], ==, "125");
    g_assert_cmpstr (systolic[3], ==, "126");
    g_assert_cmpstr (get_string (merged, "component.1.code.text"), ==, "diastolic");
    diastolic = g_strsplit (get_string (merged, "component.1.valueSampledData.data"), " ", -1);
    g_assert_cmpstr (diastolic[3], ==, "80");
  }

  /* A type without a template: our values, their period too. */
  {
    const char * const our_values[] = { "30", "40", NULL };
    g_autoptr(WardObservationGroup) our_group = strip_group ("2024-05-01T10:00:03Z", our_values, "95");
    g_autoptr(JsonNode) ours = build (strip, our_group, NULL);
    g_autoptr(JsonNode) theirs = deep_copy (ours);
    g_autoptr(JsonNode) merged = NULL;
    g_autoptr(JsonNode) without = NULL;

    json_object_set_member (json_node_get_object (theirs), "effectivePeriod",
                            parse_json ("{\"start\":\"2024-05-01T10:00:01Z\",\"end\":\"2024-05-01T10:00:02Z\"}"));
    json_object_set_member (json_node_get_object (theirs), "valueSampledData",
                            parse_json ("{\"origin\":{\"value\":0},\"period\":1000,\"dimensions\":1,"
                                        "\"data\":\"7 8\"}"));
    merged = merge_both (hourly, theirs, ours);
    g_assert_cmpstr (get_string (merged, "status"), ==, "amended");
    g_assert_cmpstr (get_string (merged, "effectivePeriod.start"), ==, "2024-05-01T10:00:01.0000000Z");
    g_assert_cmpstr (get_string (merged, "effectivePeriod.end"), ==, "2024-05-01T10:00:04.0000000Z");
    g_assert_cmpstr (get_string (merged, "valueSampledData.data"), ==, "E E 30 40");
    g_assert_cmpfloat (get_number (merged, "component.0.valueQuantity.value"), ==, 95);

    without = merge_both (NULL, theirs, ours);
    g_assert_cmpstr (get_string (without, "valueSampledData.data"), ==, "E E 30 40");
  }

  /* Not the same Observation, or not ours to merge. */
  {
    const char * const our_values[] = { "30", NULL };
    g_autoptr(WardObservationGroup) our_group = strip_group ("2024-05-01T10:00:03Z", our_values, "95");
    g_autoptr(JsonNode) ours = build (strip, our_group, NULL);
    g_autoptr(JsonNode) other = deep_copy (ours);
    g_autoptr(JsonNode) news2 = parse_json ("{\"resourceType\":\"Observation\",\"id\":\"ww-news2-1\","
                                            "\"status\":\"final\",\"effectiveDateTime\":\"2024-05-01T10:00:00Z\"}");
    g_autoptr(JsonNode) patient = parse_json ("{\"resourceType\":\"Patient\",\"id\":\"x\"}");
    g_autoptr(JsonNode) result = NULL;

    json_object_set_member (json_node_get_object (other), "identifier",
                            parse_json ("[{\"system\":\"" SERVICE "\",\"value\":\"a.b.strip.c2\"}]"));
    g_assert_null (ward_fhir_template_observation_identifier (news2));

    result = ward_fhir_template_merge_observations (strip, other, ours, &error);
    g_assert_null (result);
    g_assert_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE);
    g_clear_error (&error);

    result = ward_fhir_template_merge_observations (strip, ours, news2, &error);
    g_assert_null (result);
    g_assert_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE);
    g_clear_error (&error);

    result = ward_fhir_template_merge_observations (strip, patient, ours, &error);
    g_assert_null (result);
    g_assert_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_MERGE);
    g_clear_error (&error);
  }
}

/* Values */

static void
test_values (void)
{
  g_autoptr(GError) error = NULL;

  /* CodeableConcept value and String component. */
  {
    g_autoptr(WardFhirTemplate) mapping = load_fhir (
      "{\"templateType\":\"CollectionFhir\",\"template\":[{\"templateType\":\"CodeValueFhir\",\"template\":"
      "{\"codes\":[{\"code\":\"deviceEvent\",\"system\":\"https://www.contoso.com/events/v1\",\"display\":\"Device Event\"}],"
      "\"periodInterval\":0,\"typeName\":\"alarmEvent\",\"value\":{\"text\":\"Alarm!\",\"codes\":[{\"code\":\"alarmEvent\","
      "\"system\":\"https://www.contoso.com/events/v1\",\"display\":\"Alarm Event\"}],\"valueName\":\"alarm\","
      "\"valueType\":\"CodeableConcept\"},\"components\":[{\"codes\":[{\"code\":\"reasonText\",\"display\":\"Reason Text\","
      "\"system\":\"https://www.contoso.com/events/v1\"}],\"value\":{\"valueName\":\"reason\",\"valueType\":\"String\"}}]}}]}");
    g_autoptr(WardObservationGroup) group = ward_observation_group_new ("alarmEvent", "d", NULL,
                                                                        ticks ("2024-01-01T00:00:00Z"),
                                                                        ticks ("2024-01-01T00:00:00Z"));
    g_autoptr(JsonNode) o = NULL;

    ward_observation_group_add_value (group, "alarm", usec ("2024-01-01T00:00:00Z"), "True");
    ward_observation_group_add_value (group, "reason", usec ("2024-01-01T00:00:00Z"), "Probe \"off\"\n");
    o = build (mapping, group, NULL);
    g_assert_cmpstr (get_string (o, "valueCodeableConcept.coding.0.code"), ==, "alarmEvent");
    g_assert_cmpstr (get_string (o, "valueCodeableConcept.text"), ==, "Alarm!");
    g_assert_cmpstr (get_string (o, "component.0.code.coding.0.code"), ==, "reasonText");
    g_assert_cmpstr (get_string (o, "component.0.code.coding.1.code"), ==, "reason");
    g_assert_cmpstr (get_string (o, "component.0.valueString"), ==, "Probe \"off\"\n");
    /* No patient id: no subject, an empty patient part. */
    g_assert_null (get_node (o, "subject"));
    g_assert_true (g_str_has_prefix (get_string (o, "identifier.0.value"), "."));
  }

  /* Quantity and SampledData take numbers only; too many samples. */
  {
    g_autoptr(WardFhirTemplate) mapping = load_fhir (quantity_template);
    g_autoptr(WardObservationGroup) hr = ward_observation_group_new ("HeartRate", "d", "p", 0, 0);
    g_autoptr(WardObservationGroup) bp = ward_observation_group_new ("bloodpressure", "d", "p", 0,
                                                                     G_GINT64_CONSTANT (10000000) * 3600 * 24 * 3650);
    g_autoptr(WardObservationGroup) other = ward_observation_group_new ("steps", "d", "p", 0, 0);
    g_autoptr(JsonNode) o = NULL;

    ward_observation_group_add_value (hr, "hr", 0, "fast");
    o = ward_fhir_template_build_observation (mapping, hr, NULL, &error);
    g_assert_null (o);
    g_assert_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_BAD_VALUE);
    g_clear_error (&error);

    ward_observation_group_add_value (bp, "systolic", 0, "1 2");
    o = ward_fhir_template_build_observation (mapping, bp, NULL, &error);
    g_assert_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_BAD_VALUE);
    g_clear_error (&error);

    ward_observation_group_add_value (bp, "systolic", 0, " 120 ");
    o = ward_fhir_template_build_observation (mapping, bp, NULL, &error);
    g_assert_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_TOO_LARGE);
    g_clear_error (&error);

    /* Tokens are FHIR decimals: as sent when they are, else rewritten. */
    {
      g_autoptr(WardObservationGroup) few = ward_observation_group_new ("bloodpressure", "d", "p", 0,
                                                                        G_GINT64_CONSTANT (10000000) * 60 * 4);
      g_autoptr(JsonNode) sampled = NULL;

      ward_observation_group_add_value (few, "systolic", 0, " 120.50 ");
      ward_observation_group_add_value (few, "systolic", 60000000, "+121");
      ward_observation_group_add_value (few, "systolic", 120000000, "122.");
      ward_observation_group_add_value (few, "systolic", 180000000, "1E-05");
      sampled = build (mapping, few, NULL);
      g_assert_cmpstr (get_string (sampled, "component.0.valueSampledData.data"), ==, "120.50 121 122 1E-05 E");
    }

    o = ward_fhir_template_build_observation (mapping, other, NULL, &error);
    g_assert_error (error, WARD_FHIR_TEMPLATE_ERROR, WARD_FHIR_TEMPLATE_ERROR_NO_TEMPLATE);
    g_clear_error (&error);
    g_assert_null (ward_fhir_template_get_identifier (mapping, other));

    /* Types are looked up without regard to case, and written as the
     * measurement has them.
     */
    g_clear_pointer (&hr, ward_observation_group_free);
    hr = ward_observation_group_new ("HeartRate", "d", "p", 0, 0);
    ward_observation_group_add_value (hr, "hr", 0, " 1e2 ");
    o = build (mapping, hr, NULL);
    g_assert_cmpstr (get_string (o, "code.text"), ==, "HeartRate");
    g_assert_cmpfloat (get_number (o, "valueQuantity.value"), ==, 100);
    g_assert_cmpstr (get_string (o, "effectivePeriod.start"), ==, "1970-01-01T00:00:00.0000000Z");
  }
}

/* Load errors */

static void
test_load_errors (void)
{
  g_autoptr(GError) error = NULL;

  /* Not JSON: a parse error with its place. */
  {
    g_autoptr(WardFhirTemplate) mapping = ward_fhir_template_new_from_data ("{\n  \"templateType\":\n}", -1,
                                                                            "broken.json", &error);
    g_autoptr(WardFhirTemplate) checked = ward_fhir_template_new_for_check ("{\n  \"templateType\":\n}", -1,
                                                                            "broken.json");
    const WardTemplateIssue *issue;

    g_assert_null (mapping);
    g_assert_error (error, WARD_TEMPLATE_ERROR, WARD_TEMPLATE_ERROR_PARSE);
    g_assert_true (g_str_has_prefix (error->message, "broken.json:3:1: "));
    g_clear_error (&error);
    g_assert_false (ward_fhir_template_is_valid (checked));
    issue = ward_fhir_template_get_issues (checked)->pdata[0];
    g_assert_cmpint (issue->line, ==, 3);
    g_assert_cmpint (issue->column, ==, 1);
  }

  /* Every problem of a template, with its place; the valid template
   * beside it is used.
   */
  {
    const char text[] =
      "\xef\xbb\xbf{\n"
      "  \"templateType\": \"collectionFhirTemplate\",\n"
      "  \"extra\": 1,\n"
      "  \"template\": [\n"
      "    { \"templateType\": \"CodeValueFhir\",\n"
      "      \"template\": {\n"
      "        \"typeName\": \"hr\",\n"
      "        \"periodInterval\": 30,\n"
      "        \"codes\": { \"code\": \"8867-4\" },\n"
      "        \"colour\": \"red\",\n"
      "        \"value\": { \"valueName\": \"hr\", \"valueType\": \"SampledData\", \"defaultPeriod\": 0 },\n"
      "        \"components\": [ { \"codes\": [] }, { \"value\": { \"valueType\": \"String\" } },\n"
      "                        { \"value\": { \"valueName\": \"x\", \"valueType\": \"Decimal\" } } ] } },\n"
      "    { \"templateType\": \"CodeValueFhirTemplate\",\n"
      "      \"template\": { \"TypeName\": \"spo2\", \"periodInterval\": \"Hourly\", \"codes\": [ { \"code\": \"2708-6\", \"version\": \"1\" } ],\n"
      "        \"value\": { \"valueName\": \"spo2\", \"valueType\": \"quantity\", \"unit\": \"%\", \"system\": null } } },\n"
      "    { \"templateType\": \"CodeValueFhir\",\n"
      "      \"template\": { \"typeName\": \"rr\", \"periodInterval\": \"daily\", \"codes\": [ { \"system\": \"http://loinc.org\" } ],\n"
      "        \"value\": { \"valueName\": \"rr\", \"valueType\": \"SampledData\", \"defaultPeriod\": \"1000\", \"factor\": 2 } } }\n"
      "  ]\n"
      "}\n";
    g_autoptr(WardFhirTemplate) mapping = ward_fhir_template_new_from_data (text, -1, "mine.json", &error);
    const struct {
      const char *message;
      int         line;
      int         column;
      gboolean    fatal;
    } expected[] = {
      { "Unknown member 'extra' is ignored.", 3, 3, FALSE },
      { "Could not find member 'colour' on object of type 'CodeValueFhirTemplate'.", 10, 9, TRUE },
      { "periodInterval 30 is not one of -1 (correlation id), 0 (single), 60 (hourly) and 1440 (daily).", 8, 27, TRUE },
      { "Expected an array of codes ({code, system, display}), found an object.", 9, 18, TRUE },
      { "defaultPeriod must be greater than 0 milliseconds", 11, 84, TRUE },
      { "A component needs a value {valueName, valueType, …}.", 12, 25, TRUE },
      { "A component's value needs a valueName.", 12, 53, TRUE },
      { "Unknown valueType 'Decimal'", 13, 69, TRUE },
      { "Could not find member 'version' on object of type 'FhirCode'.", 15, 100, TRUE },
      { "Required property 'System' expects a value but got null.", 16, 79, TRUE },
      { "Required property 'Code' not found in JSON.", 16, 18, TRUE },
      { "This coding has no code.", 18, 77, FALSE },
      { "Unknown member 'factor' of a SampledData value is ignored.", 19, 92, FALSE },
    };

    g_assert_no_error (error);
    g_assert_nonnull (mapping);
    dump_issues (mapping);
    g_assert_false (ward_fhir_template_is_valid (mapping));
    g_assert_cmpuint (ward_fhir_template_get_n_templates (mapping), ==, 1);
    g_assert_true (ward_fhir_template_lookup (mapping, "RR", NULL));
    g_assert_false (ward_fhir_template_lookup (mapping, "hr", NULL));
    g_assert_false (ward_fhir_template_lookup (mapping, "spo2", NULL));

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        const WardTemplateIssue *issue = find_issue (mapping, expected[i].message);

        if (issue == NULL)
          g_error ("no issue \"%s\"", expected[i].message);
        g_assert_cmpint (issue->line, ==, expected[i].line);
        g_assert_cmpint (issue->column, ==, expected[i].column);
        g_assert_cmpint (issue->fatal, ==, expected[i].fatal);
      }
    g_assert_cmpuint (ward_fhir_template_get_issues (mapping)->len, ==, G_N_ELEMENTS (expected));

    {
      WardFhirPeriodInterval interval = 0;

      g_assert_true (ward_fhir_template_lookup (mapping, "rr", &interval));
      g_assert_cmpint (interval, ==, WARD_FHIR_PERIOD_DAILY);
    }
  }

  /* Nothing usable: the first error, how many more. */
  {
    g_autoptr(WardFhirTemplate) mapping = ward_fhir_template_new_from_data (
      "{\"templateType\":\"CollectionFhir\",\"template\":[{\"templateType\":\"CodeValueFhir\",\"template\":{}}]}", -1,
      "none.json", &error);

    g_assert_null (mapping);
    g_assert_error (error, WARD_TEMPLATE_ERROR, WARD_TEMPLATE_ERROR_INVALID);
    g_assert_cmpstr (error->message, ==,
                     "none.json:1:89: Required property 'TypeName' not found in JSON. (and 1 more errors; "
                     "wardwatch-cli map --check lists them)");
    g_clear_error (&error);
  }

  /* Files that are not there, or not a mapping. */
  {
    g_autoptr(WardFhirTemplate) mapping = ward_fhir_template_new_from_file ("/nonexistent/fhir.json", &error);

    g_assert_null (mapping);
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_clear_error (&error);

    mapping = ward_fhir_template_new_from_data ("[1, 2]", -1, NULL, &error);
    g_assert_null (mapping);
    g_assert_error (error, WARD_TEMPLATE_ERROR, WARD_TEMPLATE_ERROR_INVALID);
    g_assert_true (g_str_has_prefix (error->message, "<data>:1:1: Expected a JSON object"));
    g_clear_error (&error);
  }
}

/* Writing JSON */

static void
test_to_json (void)
{
  g_autoptr(JsonNode) node = parse_json ("{\"a\":[37.2,78,1e21,-0.5,0.1,true,null],\"s\":\"\\\"q\\\" \\u0001 é\"}");
  g_autofree char *json = ward_fhir_template_to_json (node);

  g_assert_cmpstr (json, ==, "{\"a\":[37.2,78,1E+21,-0.5,0.1,true,null],\"s\":\"\\\"q\\\" \\u0001 é\"}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fhir/template/e12-load-validation", test_e12_load_validation);
  g_test_add_func ("/fhir/template/e12-notes", test_e12_notes);
  g_test_add_func ("/fhir/template/e13-validator", test_e13_validator);
  g_test_add_func ("/fhir/template/e14-sampled-data", test_e14_sampled_data);
  g_test_add_func ("/fhir/template/e15-identifiers", test_e15_identifiers);
  g_test_add_func ("/fhir/template/e16-grouping", test_e16_grouping);
  g_test_add_func ("/fhir/template/grouping-keys", test_grouping_keys);
  g_test_add_func ("/fhir/template/default-vitals", test_default_vitals);
  g_test_add_func ("/fhir/template/merge", test_merge);
  g_test_add_func ("/fhir/template/merge-observations", test_merge_observations);
  g_test_add_func ("/fhir/template/values", test_values);
  g_test_add_func ("/fhir/template/load-errors", test_load_errors);
  g_test_add_func ("/fhir/template/to-json", test_to_json);

  return g_test_run ();
}
