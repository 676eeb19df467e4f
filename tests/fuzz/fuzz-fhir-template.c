/* fuzz-fhir-template.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <string.h>

#include "ward-device-template.h"
#include "ward-fhir-template.h"
#include "ward-normalized.h"

/* Each input is used twice: as a FHIR destination mapping (loaded,
 * checked, then used to group and build fixed measurements, and to merge
 * them into what it built), and as an existing Observation that fixed
 * mappings merge groups into.
 */

static const char * const fixed_mappings[] = {
  NULL, /* the built-in mapping */
  "{\"templateType\":\"CollectionFhir\",\"template\":["
  "{\"templateType\":\"CodeValueFhir\",\"template\":{\"typeName\":\"heartrate\",\"periodInterval\":60,\"codes\":[],"
  "\"value\":{\"valueName\":\"hr\",\"valueType\":\"SampledData\",\"defaultPeriod\":1000,\"unit\":\"/min\"}}},"
  "{\"templateType\":\"CodeValueFhir\",\"template\":{\"typeName\":\"bloodpressure\",\"periodInterval\":1440,\"codes\":[],"
  "\"components\":[{\"codes\":[{\"code\":\"8480-6\"}],\"value\":{\"valueName\":\"systolic\",\"valueType\":\"SampledData\","
  "\"defaultPeriod\":60000}},{\"value\":{\"valueName\":\"diastolic\",\"valueType\":\"Quantity\",\"unit\":\"u\","
  "\"system\":\"s\",\"code\":\"c\"}}]}},"
  "{\"templateType\":\"CodeValueFhir\",\"template\":{\"typeName\":\"ecg\",\"periodInterval\":-1,\"codes\":[],"
  "\"value\":{\"valueName\":\"lead\",\"valueType\":\"SampledData\",\"defaultPeriod\":4}}},"
  "{\"templateType\":\"CodeValueFhir\",\"template\":{\"typeName\":\"alarm\",\"codes\":[],\"category\":[{\"codes\":[]}],"
  "\"value\":{\"valueName\":\"a\",\"valueType\":\"CodeableConcept\",\"codes\":[{\"code\":\"x\"}]},"
  "\"components\":[{\"value\":{\"valueName\":\"why\",\"valueType\":\"String\"}}]}}]}",
};

static const struct {
  const char *type;
  const char *time;
  const char *patient;
  const char *correlation;
  const char *values[2][2];
} fixed_measurements[] = {
  { "heartrate", "2024-05-01T10:00:00Z", "p", NULL, { { "hr", "72" } } },
  { "heartrate", "2024-05-01T10:00:01.5Z", "p", NULL, { { "hr", "73.5" } } },
  { "HeartRate", "2024-05-01T11:00:00Z", NULL, NULL, { { "hr", "not a number" } } },
  { "bloodpressure", "2024-05-01T10:00:00Z", "p", NULL, { { "systolic", "120" }, { "diastolic", "80" } } },
  { "bloodpressure", "2024-05-01T10:00:00Z", "p", NULL, { { "systolic", "121" }, { "mean", "90" } } },
  { "ecg", "2024-05-01T10:00:00.004Z", "p", "strip-1", { { "lead", "12" } } },
  { "ecg", "2024-05-01T10:00:00Z", "p", "strip-1", { { "lead", "11" } } },
  { "ecg", "2024-05-01T10:00:00Z", "p", NULL, { { "lead", "11" } } },
  { "alarm", "2024-05-01T10:00:00Z", "p", NULL, { { "a", "True" }, { "why", "probe off" } } },
  { "spo2", "1970-01-01T00:00:00Z", "p", NULL, { { "spo2", "97" } } },
  { "temperature", "9999-12-31T23:59:59Z", "p", NULL, { { "temperature", "37.2" } } },
  { "respiratoryrate", "0001-01-01T00:00:00Z", "p", NULL, { { "rr", "16" } } },
};

static GPtrArray *
make_measurements (void)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);

  for (guint i = 0; i < G_N_ELEMENTS (fixed_measurements); i++)
    {
      WardNormalized *m;
      gint64 time = 0;

      g_assert (ward_device_template_parse_time (fixed_measurements[i].time, &time));
      m = ward_normalized_new (fixed_measurements[i].type, time, "device");
      m->patient_id = g_strdup (fixed_measurements[i].patient);
      m->correlation_id = g_strdup (fixed_measurements[i].correlation);
      for (guint v = 0; v < 2 && fixed_measurements[i].values[v][0] != NULL; v++)
        ward_normalized_add_value (m, fixed_measurements[i].values[v][0], fixed_measurements[i].values[v][1]);
      g_ptr_array_add (out, m);
    }

  return out;
}

static void
check_json (JsonNode *node)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = ward_fhir_template_to_json (node);

  g_assert (json != NULL);
  g_assert (g_utf8_validate (json, -1, NULL));
  g_assert (json_parser_load_from_data (parser, json, -1, NULL));
}

/* Groups and builds; with existing, merges into it; otherwise merges each
 * group into what it built.
 */
static void
build_all (WardFhirTemplate *mapping,
           JsonNode         *existing)
{
  g_autoptr(GPtrArray) measurements = make_measurements ();
  g_autoptr(GPtrArray) issues = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_fhir_group_issue_free);
  g_autoptr(GPtrArray) groups = ward_fhir_template_group (mapping, measurements, issues);

  for (guint i = 0; i < issues->len; i++)
    {
      const WardFhirGroupIssue *issue = issues->pdata[i];

      g_assert (issue->index < measurements->len && issue->message != NULL);
    }

  for (guint i = 0; i < groups->len; i++)
    {
      const WardObservationGroup *group = groups->pdata[i];
      g_autoptr(JsonNode) built = NULL;
      g_autoptr(JsonNode) merged = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *identifier = ward_fhir_template_get_identifier (mapping, group);

      g_assert (identifier != NULL);
      g_assert (group->sources->len > 0 && group->start_ticks <= group->end_ticks);

      built = ward_fhir_template_build_observation (mapping, group, existing, &error);
      g_assert ((built == NULL) == (error != NULL));
      if (built == NULL)
        {
          g_assert (error->domain == WARD_FHIR_TEMPLATE_ERROR);
          continue;
        }
      check_json (built);

      if (existing != NULL)
        continue;

      merged = ward_fhir_template_build_observation (mapping, group, built, &error);
      g_assert (merged != NULL && error == NULL);
      check_json (merged);
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(WardFhirTemplate) mapping = NULL;
  g_autoptr(JsonNode) existing = NULL;
  g_auto(GStrv) type_names = NULL;
  GPtrArray *issues;

  if (size > 65536)
    return 0;

  /* The input as a mapping. */
  mapping = ward_fhir_template_new_for_check ((const char *) data, (gssize) size, "fuzz");
  g_assert (mapping != NULL);
  issues = ward_fhir_template_get_issues (mapping);
  for (guint i = 0; i < issues->len; i++)
    {
      WardTemplateIssue *issue = issues->pdata[i];

      g_assert (issue->message != NULL && issue->path != NULL);
      g_assert (g_utf8_validate (issue->message, -1, NULL));
      g_assert (issue->line >= 0 && issue->column >= 0);
    }
  type_names = ward_fhir_template_get_type_names (mapping);
  g_assert (g_strv_length (type_names) == ward_fhir_template_get_n_templates (mapping));
  for (guint i = 0; type_names[i] != NULL; i++)
    g_assert (ward_fhir_template_lookup (mapping, type_names[i], NULL));
  build_all (mapping, NULL);

  /* The input as an existing Observation. */
  existing = ward_device_template_parse_message ((const char *) data, (gssize) size, NULL);
  if (existing == NULL)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (fixed_mappings); i++)
    {
      g_autoptr(WardFhirTemplate) fixed = NULL;

      if (fixed_mappings[i] == NULL)
        fixed = ward_fhir_template_new_default (NULL);
      else
        fixed = ward_fhir_template_new_for_check (fixed_mappings[i], -1, "fixed");
      g_assert (fixed != NULL && ward_fhir_template_is_valid (fixed));
      build_all (fixed, existing);
    }

  return 0;
}
