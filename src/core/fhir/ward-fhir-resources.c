/* ward-fhir-resources.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-resources"

#include "config.h"

#include "ward-fhir-json-private.h"
#include "ward-fhir-resources.h"

#include "ward-news2.h"

#include <math.h>
#include <string.h>

/* FHIR id: [A-Za-z0-9\-\.]{1,64}. */
#define FHIR_ID_MAX 64
/* 160 bits of SHA-256: collisions are out of reach for any ward. */
#define ID_HEX_DIGITS 40
/* Keeps "ww-" KIND "-" HEX inside FHIR_ID_MAX. */
#define ID_KIND_MAX (FHIR_ID_MAX - ID_HEX_DIGITS - 4)
#define INSTALLATION_ID_MAX 256
/* 9999-12-31T23:59:59.999999Z: the last time ward_time_format_iso8601()
 * can write.
 */
#define MAX_TIME_USEC G_GINT64_CONSTANT (253402300799999999)

#define NEWS2_TOTAL_DISPLAY \
  "Royal College of Physicians NEWS2 (National Early Warning Score 2) total score"

/* What a child's (under 16) window says instead of a risk. */
#define NOT_APPLICABLE_INTERPRETATION \
  "NEWS2 is not validated under 16: no clinical risk"
#define NOT_APPLICABLE_OBSERVATION_NOTE \
  "The patient was under 16 at the end of the window. NEWS2 is not validated for " \
  "patients under 16 (Royal College of Physicians, 2017): this score is kept for the " \
  "record and does not stand for a clinical risk."
#define NOT_APPLICABLE_ASSESSMENT_NOTE \
  "No risk is claimed: the patient was under 16 at the end of the window, and NEWS2 is " \
  "not validated for patients under 16 (Royal College of Physicians, 2017)."

typedef struct
{
  const char *code;
  const char *display;
} Coding;

#define NEWS2_PREFIX "Royal College of Physicians NEWS2 (National Early Warning Score 2) - "

/* UK Core EarlyWarningSubScore codes (CLINICAL.md section 3), with the
 * displays of the UK Core NEWS2 example bundle.  SpO2 has two: the
 * patient's scale picks one.
 */
static const Coding subscore_codes[WARD_NEWS2_N_PARAMS] = {
  [WARD_NEWS2_RR] = { "1104301000000104",
    NEWS2_PREFIX "respiration rate score" },
  [WARD_NEWS2_SPO2] = { "1104311000000102",
    NEWS2_PREFIX "oxygen saturation scale 1 score" },
  [WARD_NEWS2_AIR_OR_OXYGEN] = { "1104331000000105",
    NEWS2_PREFIX "air or oxygen score" },
  [WARD_NEWS2_SBP] = { "1104341000000101",
    NEWS2_PREFIX "systolic blood pressure score" },
  [WARD_NEWS2_HR] = { "1104351000000103",
    NEWS2_PREFIX "pulse score" },
  [WARD_NEWS2_CONSCIOUSNESS] = { "1104361000000100",
    NEWS2_PREFIX "consciousness score" },
  [WARD_NEWS2_TEMP] = { "1104371000000107",
    NEWS2_PREFIX "temperature score" },
};

static const Coding spo2_scale2_code = {
  "1104321000000108",
  NEWS2_PREFIX "oxygen saturation scale 2 score"
};

/* How each parameter is named in the rationale and in notes. */
static const char * const param_labels[WARD_NEWS2_N_PARAMS] = {
  [WARD_NEWS2_RR] = "RR",
  [WARD_NEWS2_SPO2] = "SpO2",
  [WARD_NEWS2_AIR_OR_OXYGEN] = "air or oxygen",
  [WARD_NEWS2_SBP] = "systolic BP",
  [WARD_NEWS2_HR] = "pulse",
  [WARD_NEWS2_CONSCIOUSNESS] = "consciousness",
  [WARD_NEWS2_TEMP] = "temperature",
};

/* Indexed by WardBand. */
static const Coding qualitative_risk[] = {
  { "low", "Low likelihood" },
  { "moderate", "Moderate likelihood" },
  { "moderate", "Moderate likelihood" },
  { "high", "High likelihood" },
};

static const Coding flag_priority[] = {
  { "PN", "No alarm" },
  { "PL", "Low priority" },
  { "PM", "Medium priority" },
  { "PH", "High priority" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (qualitative_risk) == WARD_BAND_HIGH + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (flag_priority) == WARD_BAND_HIGH + 1);

G_DEFINE_QUARK (ward-fhir-resource-error-quark, ward_fhir_resource_error)

/* Ids */

static gboolean
is_id_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.';
}

static gboolean
is_kind (const char *kind)
{
  gsize len = strlen (kind);

  if (len == 0 || len > ID_KIND_MAX)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_islower (kind[i]) && !g_ascii_isdigit (kind[i]))
        return FALSE;
    }

  return TRUE;
}

static char *
make_time_key (const char *patient_id,
               gint64      at)
{
  return g_strdup_printf ("%s|%" G_GINT64_FORMAT, patient_id, at);
}

/* The FHIR id of the Patient: subject_id when set, else patient_id. */
static const char *
subject_of (const char *patient_id,
            const char *subject_id)
{
  return subject_id != NULL ? subject_id : patient_id;
}

/* Errors */

static gboolean
check_id (const char  *what,
          const char  *id,
          GError     **error)
{
  if (!ward_fhir_id_is_valid (id))
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "%s \"%s\" is not a FHIR id ([A-Za-z0-9.-], 1 to 64 characters)",
                   what, id != NULL ? id : "(null)");
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_time (const char  *what,
            gint64       usec,
            GError     **error)
{
  /* Times are after 1970 everywhere in Wardwatch (ward-types.h); 0 is
   * the "unset" value of the structs.
   */
  if (usec <= 0 || usec > MAX_TIME_USEC)
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "%s is not set or out of range", what);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_band (WardBand   band,
            GError   **error)
{
  if ((guint) band > WARD_BAND_HIGH)
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "band %d is not a NEWS2 band", (int) band);
      return FALSE;
    }

  return TRUE;
}

/* "Observation/<id>", as derivedFrom and basis take them. */
static gboolean
check_observation_reference (const char  *reference,
                             GError     **error)
{
  if (!g_str_has_prefix (reference, "Observation/") ||
      !ward_fhir_id_is_valid (reference + strlen ("Observation/")))
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "derived_from: \"%s\" is not Observation/<id>", reference);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_score_input (const WardFhirScoreInput  *input,
                   GError                   **error)
{
  gboolean all_present = TRUE;
  guint n_present = 0;
  int sum = 0;

  if (!check_id ("patient_id", input->patient_id, error) ||
      (input->subject_id != NULL && !check_id ("subject_id", input->subject_id, error)) ||
      !check_id ("device_id", input->device_id, error) ||
      (input->encounter_id != NULL && !check_id ("encounter_id", input->encounter_id, error)) ||
      !check_time ("window_start", input->window_start, error) ||
      !check_time ("window_end", input->window_end, error) ||
      !check_time ("computed_at", input->computed_at, error) ||
      !check_band (input->band, error))
    return FALSE;

  if (input->window_start >= input->window_end)
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "the window ends at or before its start");
      return FALSE;
    }

  if (input->spo2_scale != 1 && input->spo2_scale != 2)
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "spo2_scale %d is not 1 or 2", input->spo2_scale);
      return FALSE;
    }

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      const WardFhirParam *param = &input->params[p];

      if (!param->present)
        {
          all_present = FALSE;
          continue;
        }

      if (param->points < 0 || param->points > 3)
        {
          g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                       "%s: %d points is outside 0 to 3", param_labels[p], param->points);
          return FALSE;
        }

      if (!isfinite (param->value))
        {
          g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                       "%s: the value is not a number", param_labels[p]);
          return FALSE;
        }

      if (p == WARD_NEWS2_CONSCIOUSNESS &&
          !(param->value >= WARD_ACVPU_ALERT && param->value <= WARD_ACVPU_UNRESPONSIVE))
        {
          g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                       "consciousness: %g is not an ACVPU level", param->value);
          return FALSE;
        }

      n_present++;
      sum += param->points;
    }

  if (n_present == 0)
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "no NEWS2 parameter is present");
      return FALSE;
    }

  /* The resources state both the total and its parts: they must agree,
   * or a reader would see a score that does not add up.
   */
  if (sum != input->total)
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "total %d is not the sum of the sub-scores (%d)", input->total, sum);
      return FALSE;
    }

  if (!input->complete != !all_present)
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "complete is %s but %s parameter is missing",
                   input->complete ? "TRUE" : "FALSE", all_present ? "no" : "a");
      return FALSE;
    }

  for (guint i = 0; input->derived_from != NULL && input->derived_from[i] != NULL; i++)
    {
      if (!check_observation_reference (input->derived_from[i], error))
        return FALSE;
    }

  return TRUE;
}

/* JSON helpers.  Every resource is built with one JsonBuilder; these add
 * FHIR datatypes to it.  A NULL member adds to the current array.
 */

static void
add_member (JsonBuilder *builder,
            const char  *member)
{
  if (member != NULL)
    json_builder_set_member_name (builder, member);
}

/* A CodeableConcept with one coding (if system is not NULL) and text (if
 * not NULL).
 */
static void
add_concept (JsonBuilder *builder,
             const char  *member,
             const char  *system,
             const char  *code,
             const char  *display,
             const char  *text)
{
  add_member (builder, member);
  json_builder_begin_object (builder);
  if (system != NULL)
    {
      json_builder_set_member_name (builder, "coding");
      json_builder_begin_array (builder);
      ward_fhir_add_coding (builder, system, code, display);
      json_builder_end_array (builder);
    }
  if (text != NULL)
    ward_fhir_add_string (builder, "text", text);
  json_builder_end_object (builder);
}

static void
add_literal_reference (JsonBuilder *builder,
                       const char  *reference)
{
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "reference", reference);
  json_builder_end_object (builder);
}

static void
add_period (JsonBuilder *builder,
            const char  *member,
            gint64       start,
            gint64       end)
{
  add_member (builder, member);
  json_builder_begin_object (builder);
  ward_fhir_add_time (builder, "start", start);
  if (end != 0)
    ward_fhir_add_time (builder, "end", end);
  json_builder_end_object (builder);
}

/* UK Core fixes the unit of the total and of every sub-score: UCUM
 * {ScoreOf}.  unit is the human-readable form.
 */
static void
add_score_quantity (JsonBuilder *builder,
                    const char  *member,
                    int          value)
{
  add_member (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  json_builder_add_int_value (builder, value);
  ward_fhir_add_string (builder, "unit", "score");
  ward_fhir_add_string (builder, "system", WARD_FHIR_SYSTEM_UCUM);
  ward_fhir_add_string (builder, "code", WARD_FHIR_UNIT_SCORE);
  json_builder_end_object (builder);
}

static void
begin_resource (JsonBuilder *builder,
                const char  *resource_type,
                const char  *id)
{
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "resourceType", resource_type);
  ward_fhir_add_string (builder, "id", id);
}

static JsonNode *
end_resource (JsonBuilder *builder)
{
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Text */

static const Coding *
subscore_coding (const WardFhirScoreInput *input,
                 WardNews2Param            param)
{
  if (param == WARD_NEWS2_SPO2 && input->spo2_scale == 2)
    return &spo2_scale2_code;

  return &subscore_codes[param];
}

static char *
missing_list (const WardFhirScoreInput *input)
{
  GString *str = g_string_new (NULL);

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      if (input->params[p].present)
        continue;
      if (str->len > 0)
        g_string_append (str, ", ");
      g_string_append (str, param_labels[p]);
    }

  return g_string_free (str, FALSE);
}

/* One parameter as clinicians read it, with the value NEWS2 scored (the
 * scorer rounds: whole numbers, temperature to one decimal).
 */
static void
append_param (GString                  *str,
              const WardFhirScoreInput *input,
              WardNews2Param            p)
{
  const WardFhirParam *param = &input->params[p];
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (p)
    {
    case WARD_NEWS2_RR:
    case WARD_NEWS2_HR:
      g_string_append_printf (str, "%s %s /min", param_labels[p],
                              g_ascii_formatd (buf, sizeof buf, "%.0f",
                                               ward_news2_round_whole (param->value)));
      break;
    case WARD_NEWS2_SPO2:
      g_string_append_printf (str, "SpO2 %s %% on scale %d",
                              g_ascii_formatd (buf, sizeof buf, "%.0f",
                                               ward_news2_round_whole (param->value)),
                              input->spo2_scale);
      break;
    case WARD_NEWS2_AIR_OR_OXYGEN:
      g_string_append (str, param->value != 0 ? "on oxygen" : "on air");
      break;
    case WARD_NEWS2_SBP:
      g_string_append_printf (str, "systolic BP %s mmHg",
                              g_ascii_formatd (buf, sizeof buf, "%.0f",
                                               ward_news2_round_whole (param->value)));
      break;
    case WARD_NEWS2_CONSCIOUSNESS:
      g_string_append_printf (str, "consciousness %c",
                              ward_acvpu_to_letter ((WardAcvpu) param->value));
      break;
    case WARD_NEWS2_TEMP:
      g_string_append_printf (str, "temperature %s \302\260C",
                              g_ascii_formatd (buf, sizeof buf, "%.1f",
                                               ward_news2_round_temp (param->value)));
      break;
    case WARD_NEWS2_N_PARAMS:
    default:
      g_assert_not_reached ();
    }

  /* Nurse-entered state stays valid for hours, longer than a window:
   * say how old it is when it predates the window.
   */
  if (param->observed_at > 0 && param->observed_at <= input->window_start)
    {
      g_autofree char *when = ward_time_format_iso8601 (param->observed_at);

      g_string_append_printf (str, ", recorded %s", when);
    }

  g_string_append_printf (str, " (%d)", param->points);
}

/* "NEWS2 5 (medium, partial): RR 24 /min (2), SpO2 93 % on scale 1 (2),
 * pulse 95 /min (1); missing: consciousness, temperature"
 */
static char *
make_rationale (const WardFhirScoreInput *input)
{
  GString *str = g_string_new (NULL);
  gboolean first = TRUE;

  g_string_append_printf (str, "NEWS2 %d (%s%s): ", input->total,
                          ward_band_to_string (input->band),
                          input->complete ? "" : ", partial");

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      if (!input->params[p].present)
        continue;
      if (!first)
        g_string_append (str, ", ");
      append_param (str, input, p);
      first = FALSE;
    }

  if (!input->complete)
    {
      g_autofree char *missing = missing_list (input);

      g_string_append_printf (str, "; missing: %s", missing);
    }

  return g_string_free (str, FALSE);
}

/* The clinical response and minimum observation frequency of
 * CLINICAL.md section 2.
 */
static const char *
clinical_response (const WardFhirScoreInput *input)
{
  switch (input->band)
    {
    case WARD_BAND_LOW:
      if (input->total == 0)
        return "Routine monitoring; minimum observation frequency 12-hourly.";
      return "Registered nurse assesses; minimum observation frequency 4-6-hourly.";
    case WARD_BAND_LOW_MEDIUM:
      return "Urgent ward-based response; minimum observation frequency 1-hourly.";
    case WARD_BAND_MEDIUM:
      return "Urgent response: medical team informed immediately; "
             "minimum observation frequency 1-hourly.";
    case WARD_BAND_HIGH:
      return "Emergency response, consider critical care; continuous monitoring.";
    default:
      g_assert_not_reached ();
    }

  return NULL;
}

/* Public API */

/**
 * ward_fhir_id_is_valid:
 * @id: (nullable): a candidate id
 *
 * Returns: whether @id matches FHIR's [A-Za-z0-9\-\.]{1,64}.
 */
gboolean
ward_fhir_id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;

  len = strlen (id);
  if (len == 0 || len > FHIR_ID_MAX)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!is_id_char (id[i]))
        return FALSE;
    }

  return TRUE;
}

/**
 * ward_fhir_resource_id_for:
 * @kind: the kind of resource: 1 to 20 of [a-z0-9] ("news2", "risk", ...)
 * @key: the stable key of the resource (any UTF-8)
 *
 * The generic form of the id scheme in the header: "ww-" @kind "-" and
 * 40 hex digits of the SHA-256 of @kind "|" @key.
 *
 * Returns: (transfer full): a FHIR id
 */
char *
ward_fhir_resource_id_for (const char *kind,
                           const char *key)
{
  g_autofree char *input = NULL;
  g_autofree char *hex = NULL;

  g_return_val_if_fail (kind != NULL && is_kind (kind), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  input = g_strconcat (kind, "|", key, NULL);
  hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

  return g_strdup_printf ("ww-%s-%.*s", kind, ID_HEX_DIGITS, hex);
}

/**
 * ward_fhir_news2_observation_id:
 * @patient_id: the FHIR id of the patient
 * @window_end: the end of the score's window, UTC microseconds
 *
 * Returns: (transfer full): the id of the NEWS2 Observation of that window
 */
char *
ward_fhir_news2_observation_id (const char *patient_id,
                                gint64      window_end)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (patient_id != NULL, NULL);

  key = make_time_key (patient_id, window_end);
  return ward_fhir_resource_id_for ("news2", key);
}

/**
 * ward_fhir_risk_assessment_id:
 * @patient_id: the FHIR id of the patient
 * @window_end: the end of the score's window, UTC microseconds
 *
 * Returns: (transfer full): the id of the RiskAssessment of that window
 */
char *
ward_fhir_risk_assessment_id (const char *patient_id,
                              gint64      window_end)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (patient_id != NULL, NULL);

  key = make_time_key (patient_id, window_end);
  return ward_fhir_resource_id_for ("risk", key);
}

/**
 * ward_fhir_flag_id:
 * @patient_id: the FHIR id of the patient
 * @opened_at: when the flag episode opened, UTC microseconds
 *
 * Returns: (transfer full): the id of the Flag of that episode
 */
char *
ward_fhir_flag_id (const char *patient_id,
                   gint64      opened_at)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (patient_id != NULL, NULL);

  key = make_time_key (patient_id, opened_at);
  return ward_fhir_resource_id_for ("flag", key);
}

/**
 * ward_fhir_device_id:
 * @installation_id: the id of this Wardwatch installation
 *
 * Returns: (transfer full): the id of the Wardwatch Device resource
 */
char *
ward_fhir_device_id (const char *installation_id)
{
  g_return_val_if_fail (installation_id != NULL, NULL);

  return ward_fhir_resource_id_for ("device", installation_id);
}

/**
 * ward_fhir_band_qualitative_risk:
 * @band: a NEWS2 band
 *
 * See the header for the mapping and why low-medium is "moderate".
 *
 * Returns: the risk-probability code of @band
 */
const char *
ward_fhir_band_qualitative_risk (WardBand band)
{
  g_return_val_if_fail (band <= WARD_BAND_HIGH, NULL);

  return qualitative_risk[band].code;
}

/**
 * ward_fhir_band_flag_priority:
 * @band: a NEWS2 band
 *
 * Returns: the flag-priority-code of @band (PN, PL, PM or PH)
 */
const char *
ward_fhir_band_flag_priority (WardBand band)
{
  g_return_val_if_fail (band <= WARD_BAND_HIGH, NULL);

  return flag_priority[band].code;
}

/**
 * ward_fhir_score_input_from_window:
 * @score: a window score from ward_window_score()
 * @patient_id: the FHIR id of the patient (borrowed)
 * @computed_at: when the score was computed, UTC microseconds
 * @final: whether a nurse confirmed the inputs
 * @input: (out caller-allocates): the input to fill
 *
 * Fills @input from what the engine already has.  encounter_id,
 * device_id and derived_from are left NULL for the caller to set: the
 * score does not know them.
 */
const char *
ward_fhir_news2_param_vitals_type (WardNews2Param param)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
      return "respiratoryrate";
    case WARD_NEWS2_SPO2:
      return "spo2";
    case WARD_NEWS2_SBP:
      return "bloodpressure";
    case WARD_NEWS2_HR:
      return "heartrate";
    case WARD_NEWS2_TEMP:
      return "temperature";
    case WARD_NEWS2_AIR_OR_OXYGEN:
    case WARD_NEWS2_CONSCIOUSNESS:
    case WARD_NEWS2_N_PARAMS:
    default:
      return NULL;
    }
}

void
ward_fhir_score_input_from_window (const WardWindowScore *score,
                                   const char            *patient_id,
                                   gint64                 computed_at,
                                   gboolean               final,
                                   WardFhirScoreInput    *input)
{
  g_return_if_fail (score != NULL);
  g_return_if_fail (patient_id != NULL);
  g_return_if_fail (input != NULL);

  memset (input, 0, sizeof *input);
  input->patient_id = patient_id;
  input->window_start = score->window_start;
  input->window_end = score->window_end;
  input->computed_at = computed_at;
  input->total = score->result.total;
  input->band = score->result.band;
  input->complete = score->result.complete;
  input->final = final;
  input->spo2_scale = score->input.spo2_scale == 2 ? 2 : 1;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      WardFhirParam *param = &input->params[p];

      if (score->result.points[p] < 0)
        continue;

      param->present = TRUE;
      param->value = score->used[p].value;
      param->points = score->result.points[p];
      param->observed_at = score->used[p].observed_at;
      param->source = score->used[p].source;
    }
}

/**
 * ward_fhir_news2_observation:
 * @input: the score (see #WardFhirScoreInput)
 * @error: return location for a #WARD_FHIR_RESOURCE_ERROR
 *
 * The NEWS2 total as a UK Core EarlyWarningTotalScore Observation: status
 * final or preliminary, category survey, SNOMED 1104051000000101, subject,
 * effectivePeriod = the window (start exclusive, see the header), issued
 * = computed_at, valueQuantity = total in UCUM {ScoreOf}, one component
 * per parameter (a sub-score, or a dataAbsentReason when the parameter is
 * missing), derivedFrom the vitals, device = the Wardwatch Device.
 *
 * The UK Core profile fixes status to "final", so only a final score
 * claims it in meta.profile; a preliminary one is plain R4.  Observation
 * has no performer of type Device in R4: Wardwatch is the device.
 *
 * Returns: (transfer full) (nullable): the Observation
 */
JsonNode *
ward_fhir_news2_observation (const WardFhirScoreInput  *input,
                             GError                   **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_score_input (input, error))
    return NULL;

  id = ward_fhir_news2_observation_id (input->patient_id, input->window_end);
  builder = json_builder_new ();
  begin_resource (builder, "Observation", id);

  if (input->final)
    {
      json_builder_set_member_name (builder, "meta");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "profile");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, WARD_FHIR_PROFILE_EARLY_WARNING_TOTAL_SCORE);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }

  ward_fhir_add_string (builder, "status", input->final ? "final" : "preliminary");

  json_builder_set_member_name (builder, "category");
  json_builder_begin_array (builder);
  add_concept (builder, NULL, WARD_FHIR_SYSTEM_OBSERVATION_CATEGORY, "survey", "Survey", NULL);
  json_builder_end_array (builder);

  add_concept (builder, "code", WARD_FHIR_SYSTEM_SNOMED, WARD_FHIR_CODE_NEWS2_TOTAL,
               NEWS2_TOTAL_DISPLAY, "NEWS2 total score");
  ward_fhir_add_reference (builder, "subject", "Patient", subject_of (input->patient_id, input->subject_id));
  if (input->encounter_id != NULL)
    ward_fhir_add_reference (builder, "encounter", "Encounter", input->encounter_id);
  add_period (builder, "effectivePeriod", input->window_start, input->window_end);
  ward_fhir_add_time (builder, "issued", input->computed_at);
  ward_fhir_add_reference (builder, "device", "Device", input->device_id);
  add_score_quantity (builder, "valueQuantity", input->total);

  {
    g_autofree char *text = NULL;

    if (input->news2_not_applicable)
      text = g_strdup (NOT_APPLICABLE_INTERPRETATION);
    else
      text = g_strdup_printf ("NEWS2 clinical risk: %s", ward_band_to_string (input->band));

    json_builder_set_member_name (builder, "interpretation");
    json_builder_begin_array (builder);
    add_concept (builder, NULL, NULL, NULL, NULL, text);
    json_builder_end_array (builder);
  }

  /* The total of a partial score is a lower bound: say so in words too,
   * not only in the components.  A child's score is there for the
   * record only: say that too.
   */
  if (!input->complete || input->news2_not_applicable)
    {
      json_builder_set_member_name (builder, "note");
      json_builder_begin_array (builder);
      if (!input->complete)
        {
          g_autofree char *missing = missing_list (input);
          g_autofree char *text = g_strdup_printf ("Partial score: no value in the window for %s.",
                                                   missing);

          json_builder_begin_object (builder);
          ward_fhir_add_string (builder, "text", text);
          json_builder_end_object (builder);
        }
      if (input->news2_not_applicable)
        {
          json_builder_begin_object (builder);
          ward_fhir_add_string (builder, "text", NOT_APPLICABLE_OBSERVATION_NOTE);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  if (input->derived_from != NULL && input->derived_from[0] != NULL)
    {
      json_builder_set_member_name (builder, "derivedFrom");
      json_builder_begin_array (builder);
      for (guint i = 0; input->derived_from[i] != NULL; i++)
        add_literal_reference (builder, input->derived_from[i]);
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "component");
  json_builder_begin_array (builder);
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      const Coding *coding = subscore_coding (input, p);

      json_builder_begin_object (builder);
      add_concept (builder, "code", WARD_FHIR_SYSTEM_SNOMED, coding->code, coding->display, NULL);
      if (input->params[p].present)
        {
          add_score_quantity (builder, "valueQuantity", input->params[p].points);
        }
      else
        {
          /* "unknown": no value arrived in the window.  Whether the
           * measurement was taken at all, Wardwatch cannot know.
           */
          g_autofree char *text = g_strdup_printf ("No %s value in the window", param_labels[p]);

          add_concept (builder, "dataAbsentReason", WARD_FHIR_SYSTEM_DATA_ABSENT_REASON,
                       "unknown", "Unknown", text);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return end_resource (builder);
}

/**
 * ward_fhir_risk_assessment:
 * @input: the score (see #WardFhirScoreInput)
 * @error: return location for a #WARD_FHIR_RESOURCE_ERROR
 *
 * The clinical risk of a NEWS2 score: status preliminary or final,
 * subject, occurrencePeriod = the window, performer = the Wardwatch
 * Device, method = NEWS2, basis = the NEWS2 Observation of the same
 * window and the vitals, one prediction whose qualitativeRisk follows
 * ward_fhir_band_qualitative_risk() and whose rationale lists every
 * parameter with its points and names the missing ones, and the RCP
 * clinical response as mitigation.  No probabilityDecimal.
 *
 * For a patient under 16 (news2_not_applicable) there is no prediction
 * and no mitigation: the assessment names its method, window and basis
 * and says in a note that NEWS2 claims no risk for them.
 *
 * Returns: (transfer full) (nullable): the RiskAssessment
 */
JsonNode *
ward_fhir_risk_assessment (const WardFhirScoreInput  *input,
                           GError                   **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *id = NULL;
  g_autofree char *observation_id = NULL;
  g_autofree char *rationale = NULL;
  g_autofree char *risk_text = NULL;
  const Coding *risk;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_score_input (input, error))
    return NULL;

  id = ward_fhir_risk_assessment_id (input->patient_id, input->window_end);
  observation_id = ward_fhir_news2_observation_id (input->patient_id, input->window_end);
  builder = json_builder_new ();
  begin_resource (builder, "RiskAssessment", id);

  ward_fhir_add_string (builder, "status", input->final ? "final" : "preliminary");
  add_concept (builder, "method", WARD_FHIR_SYSTEM_SNOMED, WARD_FHIR_CODE_NEWS2_TOTAL,
               NEWS2_TOTAL_DISPLAY, "Royal College of Physicians NEWS2 (2017)");
  ward_fhir_add_reference (builder, "subject", "Patient", subject_of (input->patient_id, input->subject_id));
  if (input->encounter_id != NULL)
    ward_fhir_add_reference (builder, "encounter", "Encounter", input->encounter_id);
  add_period (builder, "occurrencePeriod", input->window_start, input->window_end);
  ward_fhir_add_reference (builder, "performer", "Device", input->device_id);

  json_builder_set_member_name (builder, "basis");
  json_builder_begin_array (builder);
  ward_fhir_add_reference (builder, NULL, "Observation", observation_id);
  for (guint i = 0; input->derived_from != NULL && input->derived_from[i] != NULL; i++)
    add_literal_reference (builder, input->derived_from[i]);
  json_builder_end_array (builder);

  /* Under 16, NEWS2 says nothing about the risk: the assessment names
   * its method and basis and claims no risk.  Same id as the adult
   * assessment of the window would have, so an assessment written before
   * the age was known is replaced, not left standing.
   */
  if (input->news2_not_applicable)
    {
      json_builder_set_member_name (builder, "note");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "text", NOT_APPLICABLE_ASSESSMENT_NOTE);
      json_builder_end_object (builder);
      json_builder_end_array (builder);

      return end_resource (builder);
    }

  risk = &qualitative_risk[input->band];
  risk_text = g_strdup_printf ("NEWS2 clinical risk: %s", ward_band_to_string (input->band));
  rationale = make_rationale (input);

  json_builder_set_member_name (builder, "prediction");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  add_concept (builder, "outcome", NULL, NULL, NULL, "Acute clinical deterioration");
  add_concept (builder, "qualitativeRisk", WARD_FHIR_SYSTEM_RISK_PROBABILITY,
               risk->code, risk->display, risk_text);
  ward_fhir_add_string (builder, "rationale", rationale);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  ward_fhir_add_string (builder, "mitigation", clinical_response (input));

  return end_resource (builder);
}

/**
 * ward_fhir_scorer_risk_assessment_id:
 * @patient_id: the FHIR id of the patient
 * @kind: the scorer's kind
 * @window_end: the end of the score's window, UTC microseconds
 *
 * Returns: (transfer full): the id of the RiskAssessment of that scorer
 *   and window (NEWS2's is ward_fhir_risk_assessment_id())
 */
char *
ward_fhir_scorer_risk_assessment_id (const char *patient_id,
                                     const char *kind,
                                     gint64      window_end)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (patient_id != NULL && kind != NULL, NULL);

  if (g_str_equal (kind, "news2"))
    return ward_fhir_risk_assessment_id (patient_id, window_end);

  key = g_strdup_printf ("%s|%s|%" G_GINT64_FORMAT, patient_id, kind, window_end);
  return ward_fhir_resource_id_for ("risk", key);
}

/**
 * ward_fhir_scorer_risk_assessment:
 * @input: the window, patient and basis (see #WardFhirScoreInput)
 * @score: a scorer's score of that window
 * @error: return location for a #WARD_FHIR_RESOURCE_ERROR
 *
 * See the header.
 *
 * Returns: (transfer full) (nullable): the RiskAssessment
 */
JsonNode *
ward_fhir_scorer_risk_assessment (const WardFhirScoreInput  *input,
                                  const WardScore           *score,
                                  GError                   **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *id = NULL;
  g_autofree char *observation_id = NULL;
  g_autofree char *method_text = NULL;

  g_return_val_if_fail (input != NULL && score != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (score->kind == NULL || score->version == NULL)
    {
      g_set_error_literal (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                           "the score names no scorer kind and version");
      return NULL;
    }
  if (g_str_equal (score->kind, "news2"))
    return ward_fhir_risk_assessment (input, error);

  if (!check_id ("patient_id", input->patient_id, error) ||
      (input->subject_id != NULL && !check_id ("subject_id", input->subject_id, error)) ||
      !check_id ("device_id", input->device_id, error) ||
      (input->encounter_id != NULL && !check_id ("encounter_id", input->encounter_id, error)) ||
      !check_time ("window_start", score->window_start, error) ||
      !check_time ("window_end", score->window_end, error) ||
      (score->has_total && !check_band (score->band, error)))
    return NULL;
  if (score->has_probability && !(score->probability >= 0.0 && score->probability <= 1.0))
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "probability %g is outside 0 to 1", score->probability);
      return NULL;
    }
  if (score->outcome != NULL && !JSON_NODE_HOLDS_OBJECT (score->outcome))
    {
      g_set_error_literal (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                           "the outcome is not a CodeableConcept object");
      return NULL;
    }

  id = ward_fhir_scorer_risk_assessment_id (input->patient_id, score->kind, score->window_end);
  observation_id = ward_fhir_news2_observation_id (input->patient_id, score->window_end);
  method_text = g_strdup_printf ("%s (%s %s)", score->label ? score->label : score->kind,
                                 score->kind, score->version);
  builder = json_builder_new ();
  begin_resource (builder, "RiskAssessment", id);

  ward_fhir_add_string (builder, "status", score->final ? "final" : "preliminary");
  json_builder_set_member_name (builder, "method");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "coding");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "system", WARD_FHIR_SYSTEM_SCORER);
  ward_fhir_add_string (builder, "version", score->version);
  ward_fhir_add_string (builder, "code", score->kind);
  if (score->label != NULL)
    ward_fhir_add_string (builder, "display", score->label);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  ward_fhir_add_string (builder, "text", method_text);
  json_builder_end_object (builder);
  ward_fhir_add_reference (builder, "subject", "Patient", subject_of (input->patient_id, input->subject_id));
  if (input->encounter_id != NULL)
    ward_fhir_add_reference (builder, "encounter", "Encounter", input->encounter_id);
  add_period (builder, "occurrencePeriod", score->window_start, score->window_end);
  ward_fhir_add_reference (builder, "performer", "Device", input->device_id);

  json_builder_set_member_name (builder, "basis");
  json_builder_begin_array (builder);
  ward_fhir_add_reference (builder, NULL, "Observation", observation_id);
  for (guint i = 0; input->derived_from != NULL && input->derived_from[i] != NULL; i++)
    add_literal_reference (builder, input->derived_from[i]);
  json_builder_end_array (builder);

  if (score->not_applicable)
    {
      json_builder_set_member_name (builder, "note");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "text", "This score does not apply to this patient: it claims no risk.");
      json_builder_end_object (builder);
      json_builder_end_array (builder);

      return end_resource (builder);
    }

  json_builder_set_member_name (builder, "prediction");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  if (score->outcome != NULL)
    {
      json_builder_set_member_name (builder, "outcome");
      json_builder_add_value (builder, json_node_copy (score->outcome));
    }
  else
    add_concept (builder, "outcome", NULL, NULL, NULL, "Clinical deterioration");
  /* R4: a percentage (ras-2: probabilityDecimal <= 100). */
  if (score->has_probability)
    {
      json_builder_set_member_name (builder, "probabilityDecimal");
      json_builder_add_double_value (builder, score->probability * 100.0);
    }
  if (score->has_total)
    {
      const Coding *risk = &qualitative_risk[score->band];
      g_autofree char *risk_text = g_strdup_printf ("%s: %d (%s)", score->label ? score->label
                                                    : score->kind, score->total,
                                                    ward_band_to_string (score->band));

      add_concept (builder, "qualitativeRisk", WARD_FHIR_SYSTEM_RISK_PROBABILITY,
                   risk->code, risk->display, risk_text);
    }
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  return end_resource (builder);
}

/**
 * ward_fhir_flag:
 * @input: the flag episode (see #WardFhirFlagInput)
 * @error: return location for a #WARD_FHIR_RESOURCE_ERROR
 *
 * A clinical Flag: status active, or inactive with period.end once it
 * closed; category clinical; a text-only code (no SNOMED CT concept for
 * "at risk of deterioration" could be verified, and a made-up code is
 * worse than none); subject; period.start = when it opened; author = the
 * Wardwatch Device; the flag-priority extension with
 * ward_fhir_band_flag_priority() and the flag-detail extension pointing
 * at the RiskAssessment of assessment_window_end.
 *
 * Returns: (transfer full) (nullable): the Flag
 */
JsonNode *
ward_fhir_flag (const WardFhirFlagInput  *input,
                GError                  **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *id = NULL;
  g_autofree char *assessment_id = NULL;
  const Coding *priority;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_id ("patient_id", input->patient_id, error) ||
      (input->subject_id != NULL && !check_id ("subject_id", input->subject_id, error)) ||
      !check_id ("device_id", input->device_id, error) ||
      (input->encounter_id != NULL && !check_id ("encounter_id", input->encounter_id, error)) ||
      !check_time ("opened_at", input->opened_at, error) ||
      !check_time ("assessment_window_end", input->assessment_window_end, error) ||
      !check_band (input->band, error))
    return NULL;
  if (input->acknowledged_by != NULL &&
      (*input->acknowledged_by == '\0' || !g_utf8_validate (input->acknowledged_by, -1, NULL) ||
       !check_time ("acknowledged_at", input->acknowledged_at, error)))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                     "acknowledged_by must be non-empty UTF-8");
      return NULL;
    }

  if (input->closed_at != 0 && input->closed_at < input->opened_at)
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "the flag closes before it opens");
      return NULL;
    }

  id = ward_fhir_flag_id (input->patient_id, input->opened_at);
  assessment_id = ward_fhir_risk_assessment_id (input->patient_id, input->assessment_window_end);
  priority = &flag_priority[input->band];

  builder = json_builder_new ();
  begin_resource (builder, "Flag", id);

  json_builder_set_member_name (builder, "extension");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "url", WARD_FHIR_EXTENSION_FLAG_PRIORITY);
  add_concept (builder, "valueCodeableConcept", WARD_FHIR_SYSTEM_FLAG_PRIORITY,
               priority->code, priority->display, NULL);
  json_builder_end_object (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "url", WARD_FHIR_EXTENSION_FLAG_DETAIL);
  ward_fhir_add_reference (builder, "valueReference", "RiskAssessment", assessment_id);
  json_builder_end_object (builder);
  if (input->acknowledged_by != NULL && input->acknowledged_at != 0)
    {
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "url", WARD_FHIR_EXTENSION_FLAG_ACKNOWLEDGEMENT);
      add_member (builder, "extension");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "url", "by");
      ward_fhir_add_string (builder, "valueString", input->acknowledged_by);
      json_builder_end_object (builder);
      json_builder_begin_object (builder);
      ward_fhir_add_string (builder, "url", "at");
      ward_fhir_add_time (builder, "valueDateTime", input->acknowledged_at);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  ward_fhir_add_string (builder, "status", input->closed_at != 0 ? "inactive" : "active");

  json_builder_set_member_name (builder, "category");
  json_builder_begin_array (builder);
  add_concept (builder, NULL, WARD_FHIR_SYSTEM_FLAG_CATEGORY, "clinical", "Clinical", NULL);
  json_builder_end_array (builder);

  add_concept (builder, "code", NULL, NULL, NULL,
               "NEWS2 escalation: risk of acute clinical deterioration");
  ward_fhir_add_reference (builder, "subject", "Patient", subject_of (input->patient_id, input->subject_id));
  add_period (builder, "period", input->opened_at, input->closed_at);
  if (input->encounter_id != NULL)
    ward_fhir_add_reference (builder, "encounter", "Encounter", input->encounter_id);
  ward_fhir_add_reference (builder, "author", "Device", input->device_id);

  return end_resource (builder);
}

/**
 * ward_fhir_wardwatch_device:
 * @installation_id: the id of this installation: non-empty UTF-8, at
 *   most 256 bytes, no control characters
 * @error: return location for a #WARD_FHIR_RESOURCE_ERROR
 *
 * Wardwatch itself as the Device that scores, assesses and flags: id
 * from ward_fhir_device_id(), identifier = @installation_id in
 * %WARD_FHIR_SYSTEM_INSTALLATION_ID, status active, manufacturer
 * "Wardwatch project", deviceName, a text type and version
 * PACKAGE_VERSION.
 *
 * Returns: (transfer full) (nullable): the Device
 */
JsonNode *
ward_fhir_wardwatch_device (const char  *installation_id,
                            GError     **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *id = NULL;
  gsize len;

  g_return_val_if_fail (installation_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (installation_id);
  if (len == 0 || len > INSTALLATION_ID_MAX || !g_utf8_validate (installation_id, len, NULL))
    {
      g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                   "the installation id must be 1 to %d bytes of UTF-8", INSTALLATION_ID_MAX);
      return NULL;
    }

  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_iscntrl (installation_id[i]))
        {
          g_set_error (error, WARD_FHIR_RESOURCE_ERROR, WARD_FHIR_RESOURCE_ERROR_INVALID,
                       "the installation id contains a control character");
          return NULL;
        }
    }

  id = ward_fhir_device_id (installation_id);
  builder = json_builder_new ();
  begin_resource (builder, "Device", id);

  json_builder_set_member_name (builder, "identifier");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "system", WARD_FHIR_SYSTEM_INSTALLATION_ID);
  ward_fhir_add_string (builder, "value", installation_id);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  ward_fhir_add_string (builder, "status", "active");
  ward_fhir_add_string (builder, "manufacturer", "Wardwatch project");

  json_builder_set_member_name (builder, "deviceName");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "name", "Wardwatch");
  ward_fhir_add_string (builder, "type", "manufacturer-name");
  json_builder_end_object (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "name", "Wardwatch ward clinician dashboard");
  ward_fhir_add_string (builder, "type", "user-friendly-name");
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  add_concept (builder, "type", NULL, NULL, NULL,
               "Early warning score software (NEWS2 scoring and escalation)");

  json_builder_set_member_name (builder, "version");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "value", PACKAGE_VERSION);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  return end_resource (builder);
}

/**
 * ward_fhir_to_json:
 * @node: a resource from one of the builders
 *
 * Returns: (transfer full): @node as compact JSON, as it is stored and sent
 */
char *
ward_fhir_to_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = NULL;

  g_return_val_if_fail (node != NULL, NULL);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, FALSE);
  json_generator_set_root (generator, node);

  return json_generator_to_data (generator, NULL);
}
