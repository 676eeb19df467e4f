/* test-fhir-resources.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-fhir-resources"

#include "config.h"

#include "ward-fhir-resources.h"

#include "ward-score-window.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* Codes, systems and units are written out here from
 * shared/reference/clinical/CLINICAL.md section 3 (and the UK Core
 * profile), not taken from the macros of the code under test.
 */

#define SNOMED "http://snomed.info/sct"
#define UCUM "http://unitsofmeasure.org"

/* 2026-01-01T10:00:00Z */
#define T0 G_GINT64_CONSTANT (1767261600000000)
#define MINUTE G_GINT64_CONSTANT (60000000)

static const char * const vitals[] = {
  "Observation/vs-rr-1", "Observation/vs-spo2-1", "Observation/vs-hr-1", NULL
};

/* RR 24 (2), SpO2 93 % scale 1 (2), air (0), SBP 105 (1), pulse 95 (1),
 * alert (0), 38.5 C (1): 7, high (CLINICAL.md sections 1 and 2).
 */
static void
init_complete (WardFhirScoreInput *input)
{
  static const struct { double value; int points; } row[WARD_NEWS2_N_PARAMS] = {
    [WARD_NEWS2_RR] = { 24, 2 },
    [WARD_NEWS2_SPO2] = { 93, 2 },
    [WARD_NEWS2_AIR_OR_OXYGEN] = { 0, 0 },
    [WARD_NEWS2_SBP] = { 105, 1 },
    [WARD_NEWS2_HR] = { 95, 1 },
    [WARD_NEWS2_CONSCIOUSNESS] = { WARD_ACVPU_ALERT, 0 },
    [WARD_NEWS2_TEMP] = { 38.5, 1 },
  };

  memset (input, 0, sizeof *input);
  input->patient_id = "sim-patient-01";
  input->device_id = "ww-device-test";
  input->window_start = T0 - 30 * MINUTE;
  input->window_end = T0;
  input->computed_at = T0 - 2 * MINUTE;
  input->total = 7;
  input->band = WARD_BAND_HIGH;
  input->complete = TRUE;
  input->final = FALSE;
  input->spo2_scale = 1;
  input->derived_from = vitals;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      input->params[p].present = TRUE;
      input->params[p].value = row[p].value;
      input->params[p].points = row[p].points;
      input->params[p].observed_at = T0 - 5 * MINUTE;
      input->params[p].source = WARD_SOURCE_DEVICE;
    }
}

/* The complete score without consciousness and temperature: 6, medium. */
static void
init_partial (WardFhirScoreInput *input)
{
  init_complete (input);
  input->params[WARD_NEWS2_CONSCIOUSNESS].present = FALSE;
  input->params[WARD_NEWS2_TEMP].present = FALSE;
  input->total = 6;
  input->band = WARD_BAND_MEDIUM;
  input->complete = FALSE;
}

/* Walks "a.b.0.c": object members, and array indices for numbers. */
static JsonNode *
lookup (JsonNode   *root,
        const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = root;

  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    {
      if (JSON_NODE_HOLDS_ARRAY (node) && g_ascii_isdigit (parts[i][0]))
        {
          JsonArray *array = json_node_get_array (node);
          guint index = (guint) g_ascii_strtoull (parts[i], NULL, 10);

          if (index < json_array_get_length (array))
            node = json_array_get_element (array, index);
          else
            node = NULL;
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
  JsonNode *node = lookup (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gint64
get_int (JsonNode   *root,
         const char *path)
{
  JsonNode *node = lookup (root, path);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);

  return json_node_get_int (node);
}

static guint
get_length (JsonNode   *root,
            const char *path)
{
  JsonNode *node = lookup (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return 0;

  return json_array_get_length (json_node_get_array (node));
}

static gboolean
has_member_anywhere (JsonNode   *node,
                     const char *name)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *child;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &member, &child))
        {
          if (strcmp (member, name) == 0 || has_member_anywhere (child, name))
            return TRUE;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (has_member_anywhere (json_array_get_element (array, i), name))
            return TRUE;
        }
    }

  return FALSE;
}

static gboolean
id_matches_regex (const char *id)
{
  return id != NULL && g_regex_match_simple ("^[A-Za-z0-9\\-\\.]{1,64}$", id, 0, 0);
}

/* Serialises, parses back and checks what every resource must have. */
static JsonNode *
roundtrip (JsonNode   *node,
           const char *resource_type)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  JsonNode *copy;

  g_assert_nonnull (node);
  json = ward_fhir_to_json (node);
  g_assert_nonnull (json);
  g_assert_null (strchr (json, '\n'));
  g_assert_null (strstr (json, "probabilityDecimal"));

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  copy = json_node_copy (json_parser_get_root (parser));

  g_assert_true (JSON_NODE_HOLDS_OBJECT (copy));
  g_assert_cmpstr (get_string (copy, "resourceType"), ==, resource_type);
  g_assert_true (id_matches_regex (get_string (copy, "id")));
  g_assert_true (json_node_equal (node, copy));
  g_assert_false (has_member_anywhere (copy, "probabilityDecimal"));

  return copy;
}

static JsonNode *
build_observation (const WardFhirScoreInput *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ward_fhir_news2_observation (input, &error);

  g_assert_no_error (error);
  return roundtrip (node, "Observation");
}

static JsonNode *
build_risk (const WardFhirScoreInput *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ward_fhir_risk_assessment (input, &error);

  g_assert_no_error (error);
  return roundtrip (node, "RiskAssessment");
}

static JsonNode *
build_flag (const WardFhirFlagInput *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ward_fhir_flag (input, &error);

  g_assert_no_error (error);
  return roundtrip (node, "Flag");
}

/* Finds the component with this SNOMED code, or -1. */
static int
find_component (JsonNode   *observation,
                const char *code)
{
  for (guint i = 0; i < get_length (observation, "component"); i++)
    {
      g_autofree char *path = g_strdup_printf ("component.%u.code.coding.0.code", i);

      if (g_strcmp0 (get_string (observation, path), code) == 0)
        return (int) i;
    }

  return -1;
}

static void
assert_score_quantity (JsonNode   *root,
                       const char *path,
                       gint64      value)
{
  g_autofree char *value_path = g_strdup_printf ("%s.value", path);
  g_autofree char *system_path = g_strdup_printf ("%s.system", path);
  g_autofree char *code_path = g_strdup_printf ("%s.code", path);

  g_assert_cmpint (get_int (root, value_path), ==, value);
  g_assert_cmpstr (get_string (root, system_path), ==, UCUM);
  g_assert_cmpstr (get_string (root, code_path), ==, "{ScoreOf}");
}

static void
test_ids (void)
{
  g_autofree char *a = ward_fhir_news2_observation_id ("p1", T0);
  g_autofree char *a2 = ward_fhir_news2_observation_id ("p1", T0);
  g_autofree char *b = ward_fhir_news2_observation_id ("p1", T0 + 5 * MINUTE);
  g_autofree char *c = ward_fhir_news2_observation_id ("p2", T0);
  g_autofree char *r = ward_fhir_risk_assessment_id ("p1", T0);
  g_autofree char *r2 = ward_fhir_risk_assessment_id ("p1", T0 + 5 * MINUTE);
  g_autofree char *f = ward_fhir_flag_id ("p1", T0);
  g_autofree char *f2 = ward_fhir_flag_id ("p1", T0 + 1);
  g_autofree char *d = ward_fhir_device_id ("install-1");
  g_autofree char *d2 = ward_fhir_device_id ("install-2");
  g_autofree char *generic = ward_fhir_resource_id_for ("news2", "p1|1767261600000000");
  g_autofree char *long_patient = NULL;
  g_autofree char *l = NULL;
  g_autofree char *long_id = g_strnfill (65, 'a');
  const char *all[] = { a, b, c, r, r2, f, f2, d, d2 };

  /* Same inputs, same id: a re-scored window updates, never duplicates. */
  g_assert_cmpstr (a, ==, a2);
  g_assert_cmpstr (a, ==, generic);
  g_assert_true (g_str_has_prefix (a, "ww-news2-"));
  g_assert_true (g_str_has_prefix (r, "ww-risk-"));
  g_assert_true (g_str_has_prefix (f, "ww-flag-"));
  g_assert_true (g_str_has_prefix (d, "ww-device-"));

  /* Different windows, patients, episodes, installations, kinds. */
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_assert_true (id_matches_regex (all[i]));
      g_assert_true (ward_fhir_id_is_valid (all[i]));
      for (guint j = i + 1; j < G_N_ELEMENTS (all); j++)
        g_assert_cmpstr (all[i], !=, all[j]);
    }

  /* The id's length does not grow with the key. */
  long_patient = g_strnfill (64, 'x');
  l = ward_fhir_news2_observation_id (long_patient, G_MAXINT64);
  g_assert_true (id_matches_regex (l));
  g_assert_cmpuint (strlen (l), ==, strlen (a));

  g_assert_false (ward_fhir_id_is_valid (NULL));
  g_assert_false (ward_fhir_id_is_valid (""));
  g_assert_false (ward_fhir_id_is_valid (long_id));
  g_assert_false (ward_fhir_id_is_valid ("a_b"));
  g_assert_false (ward_fhir_id_is_valid ("a/b"));
  g_assert_false (ward_fhir_id_is_valid ("a b"));
  g_assert_true (ward_fhir_id_is_valid ("A-z.09"));
  long_id[64] = '\0';
  g_assert_true (ward_fhir_id_is_valid (long_id));
}

static void
test_observation_codes (void)
{
  static const char * const codes[] = {
    "1104301000000104", "1104311000000102", "1104331000000105", "1104341000000101",
    "1104351000000103", "1104361000000100", "1104371000000107",
  };
  static const int points[] = { 2, 2, 0, 1, 1, 0, 1 };
  g_autoptr(JsonNode) obs = NULL;
  g_autofree char *expected_id = NULL;
  WardFhirScoreInput input;

  init_complete (&input);
  input.final = TRUE;
  obs = build_observation (&input);

  expected_id = ward_fhir_news2_observation_id ("sim-patient-01", T0);
  g_assert_cmpstr (get_string (obs, "id"), ==, expected_id);
  g_assert_cmpstr (get_string (obs, "status"), ==, "final");
  g_assert_cmpstr (get_string (obs, "meta.profile.0"), ==,
                   "https://fhir.hl7.org.uk/StructureDefinition/"
                   "UKCore-Observation-EarlyWarningTotalScore");
  g_assert_cmpuint (get_length (obs, "category"), ==, 1);
  g_assert_cmpstr (get_string (obs, "category.0.coding.0.system"), ==,
                   "http://terminology.hl7.org/CodeSystem/observation-category");
  g_assert_cmpstr (get_string (obs, "category.0.coding.0.code"), ==, "survey");
  g_assert_cmpstr (get_string (obs, "code.coding.0.system"), ==, SNOMED);
  g_assert_cmpstr (get_string (obs, "code.coding.0.code"), ==, "1104051000000101");
  g_assert_cmpstr (get_string (obs, "code.coding.0.display"), ==,
                   "Royal College of Physicians NEWS2 "
                   "(National Early Warning Score 2) total score");
  g_assert_cmpstr (get_string (obs, "subject.reference"), ==, "Patient/sim-patient-01");
  g_assert_null (lookup (obs, "encounter"));
  g_assert_cmpstr (get_string (obs, "effectivePeriod.start"), ==, "2026-01-01T09:30:00.000Z");
  g_assert_cmpstr (get_string (obs, "effectivePeriod.end"), ==, "2026-01-01T10:00:00.000Z");
  g_assert_cmpstr (get_string (obs, "issued"), ==, "2026-01-01T09:58:00.000Z");
  g_assert_cmpstr (get_string (obs, "device.reference"), ==, "Device/ww-device-test");
  g_assert_null (lookup (obs, "performer"));
  assert_score_quantity (obs, "valueQuantity", 7);
  g_assert_null (lookup (obs, "note"));

  g_assert_cmpuint (get_length (obs, "derivedFrom"), ==, 3);
  g_assert_cmpstr (get_string (obs, "derivedFrom.0.reference"), ==, "Observation/vs-rr-1");
  g_assert_cmpstr (get_string (obs, "derivedFrom.2.reference"), ==, "Observation/vs-hr-1");

  g_assert_cmpuint (get_length (obs, "component"), ==, WARD_NEWS2_N_PARAMS);
  g_assert_cmpint (find_component (obs, "1104321000000108"), ==, -1);
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      int c = find_component (obs, codes[i]);
      g_autofree char *base = g_strdup_printf ("component.%d", c);
      g_autofree char *value = g_strdup_printf ("component.%d.valueQuantity", c);
      g_autofree char *system = g_strdup_printf ("component.%d.code.coding.0.system", c);
      g_autofree char *absent = g_strdup_printf ("component.%d.dataAbsentReason", c);

      g_assert_cmpint (c, >=, 0);
      g_assert_nonnull (lookup (obs, base));
      g_assert_cmpstr (get_string (obs, system), ==, SNOMED);
      assert_score_quantity (obs, value, points[i]);
      g_assert_null (lookup (obs, absent));
    }

  /* An encounter, when there is one. */
  {
    g_autoptr(JsonNode) with_encounter = NULL;

    input.encounter_id = "enc-1";
    with_encounter = build_observation (&input);
    g_assert_cmpstr (get_string (with_encounter, "encounter.reference"), ==, "Encounter/enc-1");
  }
}

static void
test_observation_scale2 (void)
{
  g_autoptr(JsonNode) obs = NULL;
  g_autoptr(JsonNode) partial = NULL;
  WardFhirScoreInput input;
  int c;

  /* Scale 2, 93 % on oxygen: 1 (SpO2) + 2 (oxygen). */
  init_complete (&input);
  input.spo2_scale = 2;
  input.params[WARD_NEWS2_SPO2].points = 1;
  input.params[WARD_NEWS2_AIR_OR_OXYGEN].value = 1;
  input.params[WARD_NEWS2_AIR_OR_OXYGEN].points = 2;
  input.total = 8;
  obs = build_observation (&input);

  g_assert_cmpint (find_component (obs, "1104311000000102"), ==, -1);
  c = find_component (obs, "1104321000000108");
  g_assert_cmpint (c, >=, 0);
  {
    g_autofree char *path = g_strdup_printf ("component.%d.valueQuantity", c);

    assert_score_quantity (obs, path, 1);
  }

  /* A missing SpO2 still uses the patient's scale. */
  input.params[WARD_NEWS2_SPO2].present = FALSE;
  input.total = 7;
  input.complete = FALSE;
  partial = build_observation (&input);
  g_assert_cmpint (find_component (partial, "1104311000000102"), ==, -1);
  g_assert_cmpint (find_component (partial, "1104321000000108"), >=, 0);
}

static void
test_observation_partial (void)
{
  g_autoptr(JsonNode) obs = NULL;
  WardFhirScoreInput input;
  const char *note;

  init_partial (&input);
  obs = build_observation (&input);

  assert_score_quantity (obs, "valueQuantity", 6);
  g_assert_cmpuint (get_length (obs, "component"), ==, WARD_NEWS2_N_PARAMS);

  for (guint i = 0; i < 2; i++)
    {
      const char *code = i == 0 ? "1104361000000100" : "1104371000000107";
      int c = find_component (obs, code);
      g_autofree char *value = g_strdup_printf ("component.%d.valueQuantity", c);
      g_autofree char *system = g_strdup_printf ("component.%d.dataAbsentReason.coding.0.system",
                                                 c);
      g_autofree char *absent = g_strdup_printf ("component.%d.dataAbsentReason.coding.0.code", c);

      g_assert_cmpint (c, >=, 0);
      g_assert_null (lookup (obs, value));
      g_assert_cmpstr (get_string (obs, system), ==,
                       "http://terminology.hl7.org/CodeSystem/data-absent-reason");
      g_assert_cmpstr (get_string (obs, absent), ==, "unknown");
    }

  /* The present ones keep their points. */
  {
    int c = find_component (obs, "1104301000000104");
    g_autofree char *path = g_strdup_printf ("component.%d.valueQuantity", c);

    assert_score_quantity (obs, path, 2);
  }

  note = get_string (obs, "note.0.text");
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, "consciousness"));
  g_assert_nonnull (strstr (note, "temperature"));
}

static void
test_status (void)
{
  WardFhirScoreInput input;

  init_partial (&input);

  for (guint final = 0; final < 2; final++)
    {
      g_autoptr(JsonNode) obs = NULL;
      g_autoptr(JsonNode) risk = NULL;
      const char *status = final ? "final" : "preliminary";

      input.final = final;
      obs = build_observation (&input);
      risk = build_risk (&input);

      g_assert_cmpstr (get_string (obs, "status"), ==, status);
      g_assert_cmpstr (get_string (risk, "status"), ==, status);
      /* UK Core fixes status to final: a preliminary score must not
       * claim the profile.
       */
      if (final)
        g_assert_nonnull (lookup (obs, "meta.profile"));
      else
        g_assert_null (lookup (obs, "meta"));
    }
}

static void
test_risk_mapping (void)
{
  static const struct {
    WardBand    band;
    const char *risk;
    const char *text;
  } rows[] = {
    { WARD_BAND_LOW, "low", "NEWS2 clinical risk: low" },
    { WARD_BAND_LOW_MEDIUM, "moderate", "NEWS2 clinical risk: low-medium" },
    { WARD_BAND_MEDIUM, "moderate", "NEWS2 clinical risk: medium" },
    { WARD_BAND_HIGH, "high", "NEWS2 clinical risk: high" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(JsonNode) risk = NULL;
      WardFhirScoreInput input;

      g_assert_cmpstr (ward_fhir_band_qualitative_risk (rows[i].band), ==, rows[i].risk);

      /* The band is the caller's; only the mapping is under test. */
      init_complete (&input);
      input.band = rows[i].band;
      risk = build_risk (&input);

      g_assert_cmpuint (get_length (risk, "prediction"), ==, 1);
      g_assert_cmpstr (get_string (risk, "prediction.0.qualitativeRisk.coding.0.system"), ==,
                       "http://terminology.hl7.org/CodeSystem/risk-probability");
      g_assert_cmpstr (get_string (risk, "prediction.0.qualitativeRisk.coding.0.code"), ==,
                       rows[i].risk);
      g_assert_cmpstr (get_string (risk, "prediction.0.qualitativeRisk.text"), ==, rows[i].text);
      g_assert_null (lookup (risk, "prediction.0.probabilityDecimal"));
      g_assert_nonnull (get_string (risk, "mitigation"));
    }
}

static void
test_risk_fields (void)
{
  g_autoptr(JsonNode) risk = NULL;
  g_autofree char *observation_id = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *basis0 = NULL;
  WardFhirScoreInput input;

  init_complete (&input);
  risk = build_risk (&input);

  expected_id = ward_fhir_risk_assessment_id ("sim-patient-01", T0);
  observation_id = ward_fhir_news2_observation_id ("sim-patient-01", T0);
  basis0 = g_strconcat ("Observation/", observation_id, NULL);

  g_assert_cmpstr (get_string (risk, "id"), ==, expected_id);
  g_assert_cmpstr (get_string (risk, "subject.reference"), ==, "Patient/sim-patient-01");
  g_assert_cmpstr (get_string (risk, "performer.reference"), ==, "Device/ww-device-test");
  g_assert_cmpstr (get_string (risk, "occurrencePeriod.start"), ==, "2026-01-01T09:30:00.000Z");
  g_assert_cmpstr (get_string (risk, "occurrencePeriod.end"), ==, "2026-01-01T10:00:00.000Z");
  g_assert_cmpstr (get_string (risk, "method.coding.0.system"), ==, SNOMED);
  g_assert_cmpstr (get_string (risk, "method.coding.0.code"), ==, "1104051000000101");
  g_assert_cmpuint (get_length (risk, "basis"), ==, 4);
  g_assert_cmpstr (get_string (risk, "basis.0.reference"), ==, basis0);
  g_assert_cmpstr (get_string (risk, "basis.1.reference"), ==, "Observation/vs-rr-1");
  g_assert_cmpstr (get_string (risk, "basis.3.reference"), ==, "Observation/vs-hr-1");
}

/* A child's window: the score is kept, no risk is claimed. */
static void
test_under_16 (void)
{
  g_autoptr(JsonNode) observation = NULL;
  g_autoptr(JsonNode) risk = NULL;
  g_autoptr(JsonNode) adult_risk = NULL;
  WardFhirScoreInput input;
  const char *note;

  init_partial (&input);
  input.news2_not_applicable = TRUE;
  observation = build_observation (&input);
  risk = build_risk (&input);
  input.news2_not_applicable = FALSE;
  adult_risk = build_risk (&input);

  /* The Observation keeps the score, says it is not a risk, and keeps
   * the partial-score note before its own.
   */
  g_assert_cmpfloat (json_node_get_double (lookup (observation, "valueQuantity.value")), ==, 6);
  g_assert_cmpstr (get_string (observation, "interpretation.0.text"), ==,
                   "NEWS2 is not validated under 16: no clinical risk");
  g_assert_null (strstr (get_string (observation, "interpretation.0.text"), "medium"));
  g_assert_cmpuint (get_length (observation, "note"), ==, 2);
  g_assert_true (g_str_has_prefix (get_string (observation, "note.0.text"), "Partial score"));
  note = get_string (observation, "note.1.text");
  g_assert_nonnull (strstr (note, "under 16"));
  g_assert_nonnull (strstr (note, "does not stand for a clinical risk"));

  /* The RiskAssessment: the window's id, method, subject, period and
   * basis, but no prediction, no mitigation, and a note saying why.
   */
  g_assert_cmpstr (get_string (risk, "id"), ==, get_string (adult_risk, "id"));
  g_assert_cmpstr (get_string (risk, "status"), ==, "preliminary");
  g_assert_cmpstr (get_string (risk, "method.coding.0.code"), ==, "1104051000000101");
  g_assert_cmpstr (get_string (risk, "subject.reference"), ==, "Patient/sim-patient-01");
  g_assert_cmpstr (get_string (risk, "occurrencePeriod.end"), ==, "2026-01-01T10:00:00.000Z");
  g_assert_cmpuint (get_length (risk, "basis"), ==, 4);
  g_assert_null (lookup (risk, "prediction"));
  g_assert_null (lookup (risk, "mitigation"));
  g_assert_cmpuint (get_length (risk, "note"), ==, 1);
  note = get_string (risk, "note.0.text");
  g_assert_true (g_str_has_prefix (note, "No risk is claimed"));
  g_assert_nonnull (strstr (note, "under 16"));
  /* An adult's assessment of the same window claims one. */
  g_assert_cmpuint (get_length (adult_risk, "prediction"), ==, 1);
  g_assert_null (lookup (adult_risk, "note"));
}

static void
test_rationale (void)
{
  g_autoptr(JsonNode) complete = NULL;
  g_autoptr(JsonNode) partial = NULL;
  g_autoptr(JsonNode) old = NULL;
  WardFhirScoreInput input;
  const char *text;

  init_complete (&input);
  complete = build_risk (&input);
  text = get_string (complete, "prediction.0.rationale");
  g_assert_cmpstr (text, ==,
                   "NEWS2 7 (high): RR 24 /min (2), SpO2 93 % on scale 1 (2), on air (0), "
                   "systolic BP 105 mmHg (1), pulse 95 /min (1), consciousness A (0), "
                   "temperature 38.5 \302\260C (1)");

  init_partial (&input);
  partial = build_risk (&input);
  text = get_string (partial, "prediction.0.rationale");
  g_assert_true (g_str_has_prefix (text, "NEWS2 6 (medium, partial): RR 24 /min (2)"));
  g_assert_true (g_str_has_suffix (text, "; missing: consciousness, temperature"));
  g_assert_null (strstr (text, "consciousness A"));

  /* Nurse-entered state older than the window says when it was entered;
   * values are shown as scored (rounded).
   */
  init_complete (&input);
  input.params[WARD_NEWS2_CONSCIOUSNESS].observed_at = T0 - 120 * MINUTE;
  input.params[WARD_NEWS2_CONSCIOUSNESS].source = WARD_SOURCE_NURSE;
  input.params[WARD_NEWS2_TEMP].value = 38.46;
  input.params[WARD_NEWS2_RR].value = 23.6;
  old = build_risk (&input);
  text = get_string (old, "prediction.0.rationale");
  g_assert_nonnull (strstr (text, "consciousness A, recorded 2026-01-01T08:00:00.000Z (0)"));
  g_assert_nonnull (strstr (text, "temperature 38.5 \302\260C (1)"));
  g_assert_nonnull (strstr (text, "RR 24 /min (2)"));
}

static void
test_flag_priority (void)
{
  static const struct {
    WardBand    band;
    const char *code;
  } rows[] = {
    { WARD_BAND_LOW, "PN" },
    { WARD_BAND_LOW_MEDIUM, "PL" },
    { WARD_BAND_MEDIUM, "PM" },
    { WARD_BAND_HIGH, "PH" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      WardFhirFlagInput input = {
        .patient_id = "sim-patient-01",
        .device_id = "ww-device-test",
        .opened_at = T0,
        .band = rows[i].band,
        .assessment_window_end = T0,
      };
      g_autoptr(JsonNode) flag = NULL;
      g_autofree char *risk_id = ward_fhir_risk_assessment_id ("sim-patient-01", T0);
      g_autofree char *risk_ref = g_strconcat ("RiskAssessment/", risk_id, NULL);
      g_autofree char *flag_id = ward_fhir_flag_id ("sim-patient-01", T0);

      g_assert_cmpstr (ward_fhir_band_flag_priority (rows[i].band), ==, rows[i].code);

      flag = build_flag (&input);
      g_assert_cmpstr (get_string (flag, "id"), ==, flag_id);
      g_assert_cmpuint (get_length (flag, "extension"), ==, 2);
      g_assert_cmpstr (get_string (flag, "extension.0.url"), ==,
                       "http://hl7.org/fhir/StructureDefinition/flag-priority");
      g_assert_cmpstr (get_string (flag, "extension.0.valueCodeableConcept.coding.0.system"), ==,
                       "http://hl7.org/fhir/flag-priority-code");
      g_assert_cmpstr (get_string (flag, "extension.0.valueCodeableConcept.coding.0.code"), ==,
                       rows[i].code);
      g_assert_cmpstr (get_string (flag, "extension.1.url"), ==,
                       "http://hl7.org/fhir/StructureDefinition/flag-detail");
      g_assert_cmpstr (get_string (flag, "extension.1.valueReference.reference"), ==, risk_ref);

      g_assert_cmpstr (get_string (flag, "category.0.coding.0.system"), ==,
                       "http://terminology.hl7.org/CodeSystem/flag-category");
      g_assert_cmpstr (get_string (flag, "category.0.coding.0.code"), ==, "clinical");
      g_assert_nonnull (get_string (flag, "code.text"));
      g_assert_cmpstr (get_string (flag, "subject.reference"), ==, "Patient/sim-patient-01");
      g_assert_cmpstr (get_string (flag, "author.reference"), ==, "Device/ww-device-test");
    }
}

static void
test_flag_states (void)
{
  WardFhirFlagInput input = {
    .patient_id = "sim-patient-01",
    .device_id = "ww-device-test",
    .opened_at = T0,
    .band = WARD_BAND_MEDIUM,
    .assessment_window_end = T0,
  };
  g_autoptr(JsonNode) active = NULL;
  g_autoptr(JsonNode) inactive = NULL;

  active = build_flag (&input);
  g_assert_cmpstr (get_string (active, "status"), ==, "active");
  g_assert_cmpstr (get_string (active, "period.start"), ==, "2026-01-01T10:00:00.000Z");
  g_assert_null (lookup (active, "period.end"));

  /* Recovery: the same episode, so the same id, now inactive with an end. */
  input.closed_at = T0 + 90 * MINUTE;
  input.assessment_window_end = T0 + 90 * MINUTE;
  inactive = build_flag (&input);
  g_assert_cmpstr (get_string (inactive, "id"), ==, get_string (active, "id"));
  g_assert_cmpstr (get_string (inactive, "status"), ==, "inactive");
  g_assert_cmpstr (get_string (inactive, "period.start"), ==, "2026-01-01T10:00:00.000Z");
  g_assert_cmpstr (get_string (inactive, "period.end"), ==, "2026-01-01T11:30:00.000Z");
}

static void
test_device (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) device = NULL;
  g_autofree char *expected_id = ward_fhir_device_id ("ward-7b-install");

  node = ward_fhir_wardwatch_device ("ward-7b-install", &error);
  g_assert_no_error (error);
  device = roundtrip (node, "Device");

  g_assert_cmpstr (get_string (device, "id"), ==, expected_id);
  g_assert_cmpstr (get_string (device, "identifier.0.value"), ==, "ward-7b-install");
  g_assert_nonnull (get_string (device, "identifier.0.system"));
  g_assert_cmpstr (get_string (device, "status"), ==, "active");
  g_assert_cmpstr (get_string (device, "manufacturer"), ==, "Wardwatch project");
  g_assert_cmpstr (get_string (device, "deviceName.0.name"), ==, "Wardwatch");
  g_assert_cmpstr (get_string (device, "deviceName.0.type"), ==, "manufacturer-name");
  g_assert_nonnull (get_string (device, "type.text"));
  g_assert_cmpstr (get_string (device, "version.0.value"), ==, PACKAGE_VERSION);

  g_clear_pointer (&node, json_node_unref);
  node = ward_fhir_wardwatch_device ("", &error);
  g_assert_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
  g_assert_null (node);
  g_clear_error (&error);

  node = ward_fhir_wardwatch_device ("bad\nid", &error);
  g_assert_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
  g_assert_null (node);
}

static void
test_from_window (void)
{
  WardLatestValue latest[WARD_MEAS_N_KINDS] = { 0 };
  WardWindowPolicy policy;
  WardWindowScore score;
  WardFhirScoreInput input;
  g_autoptr(JsonNode) obs = NULL;
  g_autoptr(JsonNode) risk = NULL;
  gint64 now = T0 - 3 * MINUTE;
  int c;

  ward_window_policy_init (&policy);

  /* RR 25 (3), SpO2 95 % (1), pulse 120 (2); nothing else: partial 6. */
  latest[WARD_MEAS_RR] = (WardLatestValue) { TRUE, 25, now - MINUTE, WARD_SOURCE_DEVICE };
  latest[WARD_MEAS_SPO2] = (WardLatestValue) { TRUE, 95, now - MINUTE, WARD_SOURCE_DEVICE };
  latest[WARD_MEAS_HR] = (WardLatestValue) { TRUE, 120, now - MINUTE, WARD_SOURCE_DEVICE };
  ward_window_score (&policy, latest, 1, now, &score);

  ward_fhir_score_input_from_window (&score, "p1", now, FALSE, &input);
  g_assert_cmpstr (input.patient_id, ==, "p1");
  g_assert_cmpint (input.window_start, ==, score.window_start);
  g_assert_cmpint (input.window_end, ==, score.window_end);
  g_assert_cmpint (input.computed_at, ==, now);
  g_assert_cmpint (input.total, ==, 6);
  g_assert_cmpint (input.band, ==, WARD_BAND_MEDIUM);
  g_assert_false (input.complete);
  g_assert_false (input.final);
  g_assert_cmpint (input.spo2_scale, ==, 1);
  g_assert_true (input.params[WARD_NEWS2_RR].present);
  g_assert_cmpint (input.params[WARD_NEWS2_RR].points, ==, 3);
  g_assert_cmpfloat (input.params[WARD_NEWS2_HR].value, ==, 120);
  g_assert_false (input.params[WARD_NEWS2_TEMP].present);
  g_assert_null (input.device_id);
  g_assert_null (input.derived_from);

  input.device_id = "ww-device-test";
  obs = build_observation (&input);
  risk = build_risk (&input);

  c = find_component (obs, "1104301000000104");
  {
    g_autofree char *path = g_strdup_printf ("component.%d.valueQuantity", c);

    assert_score_quantity (obs, path, 3);
  }
  g_assert_null (lookup (obs, "derivedFrom"));
  g_assert_cmpstr (get_string (risk, "prediction.0.qualitativeRisk.coding.0.code"), ==, "moderate");
  g_assert_nonnull (strstr (get_string (risk, "prediction.0.rationale"),
                            "missing: air or oxygen, systolic BP, consciousness, temperature"));
}

typedef void (*BreakFunc) (WardFhirScoreInput *input);

static void
break_patient (WardFhirScoreInput *input)
{
  input->patient_id = "has space";
}

static void
break_device (WardFhirScoreInput *input)
{
  input->device_id = NULL;
}

static void
break_total (WardFhirScoreInput *input)
{
  input->total = 9;
}

static void
break_complete (WardFhirScoreInput *input)
{
  input->params[WARD_NEWS2_TEMP].present = FALSE;
  input->total = 6;
}

static void
break_window (WardFhirScoreInput *input)
{
  input->window_start = input->window_end;
}

static void
break_scale (WardFhirScoreInput *input)
{
  input->spo2_scale = 3;
}

static void
break_points (WardFhirScoreInput *input)
{
  input->params[WARD_NEWS2_RR].points = 4;
  input->params[WARD_NEWS2_SPO2].points = 0;
}

static void
break_derived_from (WardFhirScoreInput *input)
{
  static const char * const bad[] = { "Observation/ok", "Patient/p1", NULL };

  input->derived_from = bad;
}

static void
break_value (WardFhirScoreInput *input)
{
  input->params[WARD_NEWS2_TEMP].value = NAN;
}

static void
break_time (WardFhirScoreInput *input)
{
  input->window_end = G_MAXINT64;
}

static void
break_empty (WardFhirScoreInput *input)
{
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    input->params[p].present = FALSE;
  input->total = 0;
  input->complete = FALSE;
}

/* subject_id names the Patient the resources reference; their ids stay
 * keyed by patient_id, and without it the subject is patient_id.
 */
static void
test_subject_id (void)
{
  static const char fhir_id[] = "0b1e6fd6a0e0f9b1c6f5b8e3d2a1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3";
  g_autofree char *obs_id = ward_fhir_news2_observation_id ("sim-patient-01", T0);
  g_autofree char *risk_id = ward_fhir_risk_assessment_id ("sim-patient-01", T0);
  g_autofree char *flag_id = ward_fhir_flag_id ("sim-patient-01", T0);
  g_autofree char *subject = g_strconcat ("Patient/", fhir_id, NULL);
  g_autoptr(JsonNode) obs = NULL;
  g_autoptr(JsonNode) risk = NULL;
  g_autoptr(JsonNode) flag = NULL;
  WardFhirScoreInput input;
  WardFhirFlagInput flag_input = {
    .patient_id = "sim-patient-01",
    .subject_id = fhir_id,
    .device_id = "ww-device-test",
    .opened_at = T0,
    .band = WARD_BAND_HIGH,
    .assessment_window_end = T0,
  };

  init_complete (&input);
  input.subject_id = fhir_id;
  obs = build_observation (&input);
  risk = build_risk (&input);
  flag = build_flag (&flag_input);

  g_assert_cmpstr (get_string (obs, "id"), ==, obs_id);
  g_assert_cmpstr (get_string (obs, "subject.reference"), ==, subject);
  g_assert_cmpstr (get_string (risk, "id"), ==, risk_id);
  g_assert_cmpstr (get_string (risk, "subject.reference"), ==, subject);
  g_assert_cmpstr (get_string (flag, "id"), ==, flag_id);
  g_assert_cmpstr (get_string (flag, "subject.reference"), ==, subject);

  /* Not a FHIR id: refused like a bad patient_id. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) flag_error = NULL;
    g_autoptr(JsonNode) bad = NULL;
    g_autoptr(JsonNode) bad_flag = NULL;

    input.subject_id = "not an id";
    bad = ward_fhir_news2_observation (&input, &error);
    g_assert_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
    g_assert_null (bad);
    flag_input.subject_id = "not an id";
    bad_flag = ward_fhir_flag (&flag_input, &flag_error);
    g_assert_error (flag_error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
    g_assert_null (bad_flag);
  }
}

static void
test_invalid (void)
{
  static const BreakFunc breaks[] = {
    break_patient, break_device, break_total, break_complete, break_window,
    break_scale, break_points, break_derived_from, break_value, break_time, break_empty,
  };

  for (guint i = 0; i < G_N_ELEMENTS (breaks); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) risk_error = NULL;
      g_autoptr(JsonNode) obs = NULL;
      g_autoptr(JsonNode) risk = NULL;
      WardFhirScoreInput input;

      init_complete (&input);
      breaks[i] (&input);

      obs = ward_fhir_news2_observation (&input, &error);
      g_assert_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
      g_assert_null (obs);
      risk = ward_fhir_risk_assessment (&input, &risk_error);
      g_assert_error (risk_error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
      g_assert_null (risk);
    }

  {
    WardFhirFlagInput flag = {
      .patient_id = "p1",
      .device_id = "ww-device-test",
      .opened_at = T0,
      .closed_at = T0 - 1,
      .band = WARD_BAND_HIGH,
      .assessment_window_end = T0,
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = ward_fhir_flag (&flag, &error);

    g_assert_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
    g_assert_null (node);
    g_clear_error (&error);

    flag.closed_at = 0;
    flag.assessment_window_end = 0;
    node = ward_fhir_flag (&flag, &error);
    g_assert_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID);
    g_assert_null (node);
  }
}

static void
test_deterministic_output (void)
{
  WardFhirScoreInput input;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;
  g_autoptr(JsonNode) later = NULL;
  g_autofree char *json_a = NULL;
  g_autofree char *json_b = NULL;

  /* Re-scoring the open window with new data: same id, new content. */
  init_partial (&input);
  a = build_observation (&input);
  b = build_observation (&input);
  json_a = ward_fhir_to_json (a);
  json_b = ward_fhir_to_json (b);
  g_assert_cmpstr (json_a, ==, json_b);

  init_complete (&input);
  input.computed_at = T0 - MINUTE;
  later = build_observation (&input);
  g_assert_cmpstr (get_string (later, "id"), ==, get_string (a, "id"));
  g_assert_false (json_node_equal (a, later));
}

/* Each device-measured parameter names the type of the vital-signs
 * Observation its value is in; the nurse-only ones none.
 */
static void
test_vitals_types (void)
{
  g_assert_cmpstr (ward_fhir_news2_param_vitals_type (WARD_NEWS2_RR), ==, "respiratoryrate");
  g_assert_cmpstr (ward_fhir_news2_param_vitals_type (WARD_NEWS2_SPO2), ==, "spo2");
  g_assert_cmpstr (ward_fhir_news2_param_vitals_type (WARD_NEWS2_SBP), ==, "bloodpressure");
  g_assert_cmpstr (ward_fhir_news2_param_vitals_type (WARD_NEWS2_HR), ==, "heartrate");
  g_assert_cmpstr (ward_fhir_news2_param_vitals_type (WARD_NEWS2_TEMP), ==, "temperature");
  g_assert_null (ward_fhir_news2_param_vitals_type (WARD_NEWS2_AIR_OR_OXYGEN));
  g_assert_null (ward_fhir_news2_param_vitals_type (WARD_NEWS2_CONSCIOUSNESS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/fhir/resources/ids", test_ids);
  g_test_add_func ("/core/fhir/resources/observation-codes", test_observation_codes);
  g_test_add_func ("/core/fhir/resources/observation-scale2", test_observation_scale2);
  g_test_add_func ("/core/fhir/resources/observation-partial", test_observation_partial);
  g_test_add_func ("/core/fhir/resources/status", test_status);
  g_test_add_func ("/core/fhir/resources/risk-mapping", test_risk_mapping);
  g_test_add_func ("/core/fhir/resources/risk-fields", test_risk_fields);
  g_test_add_func ("/core/fhir/resources/under-16", test_under_16);
  g_test_add_func ("/core/fhir/resources/rationale", test_rationale);
  g_test_add_func ("/core/fhir/resources/flag-priority", test_flag_priority);
  g_test_add_func ("/core/fhir/resources/flag-states", test_flag_states);
  g_test_add_func ("/core/fhir/resources/device", test_device);
  g_test_add_func ("/core/fhir/resources/from-window", test_from_window);
  g_test_add_func ("/core/fhir/resources/subject-id", test_subject_id);
  g_test_add_func ("/core/fhir/resources/invalid", test_invalid);
  g_test_add_func ("/core/fhir/resources/deterministic-output", test_deterministic_output);
  g_test_add_func ("/core/fhir/resources/vitals-types", test_vitals_types);

  return g_test_run ();
}
