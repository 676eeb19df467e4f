/* ward-fhir-resources.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ward-score-window.h"
#include "ward-scorer.h"
#include "ward-types.h"

G_BEGIN_DECLS

/* FHIR R4 resources for what Wardwatch computes: the NEWS2 score
 * (Observation, UK Core EarlyWarningTotalScore), the clinical risk it
 * implies (RiskAssessment), the escalation it raises (Flag) and
 * Wardwatch itself as the Device that made them.  Codes and systems are
 * those of shared/reference/clinical/CLINICAL.md, section 3.
 *
 * Every resource is written to the local store first and sent later with
 * PUT (update as create), so ids are deterministic: the same inputs
 * always give the same id, and a re-scored window updates its resources
 * instead of duplicating them.
 *
 * Id scheme.  An id is "ww-" KIND "-" HEX, where HEX is the first 40 hex
 * digits (160 bits) of the SHA-256 of KIND "|" KEY, and KEY is:
 *
 *   news2  (Observation)     PATIENT "|" WINDOW_END
 *   risk   (RiskAssessment)  PATIENT "|" WINDOW_END
 *   flag   (Flag)            PATIENT "|" OPENED_AT
 *   device (Device)          INSTALLATION_ID
 *
 * Times are decimal UTC microseconds since the Unix epoch, as stored.
 * PATIENT is a FHIR id ([A-Za-z0-9.-]), so the "|" separator cannot occur
 * inside it and keys are unambiguous.  (patient, window_end) is also the
 * unique key of a score in the store, so one stored score is one
 * Observation and one RiskAssessment; a flag episode is one Flag for its
 * whole life (opened, escalated, closed).  The longest id is 50
 * characters, inside FHIR's [A-Za-z0-9\-\.]{1,64}.
 *
 * Builders return a new JsonNode (an object) or NULL with a
 * WARD_FHIR_RESOURCE_ERROR_INVALID error when the input cannot make a
 * valid resource.  They never emit probabilityDecimal: Wardwatch has no
 * probability model, and R4 reads it as a percentage (invariant ras-2).
 */

#define WARD_FHIR_RESOURCE_ERROR (ward_fhir_resource_error_quark ())

typedef enum
{
  WARD_FHIR_RESOURCE_ERROR_INVALID,
} WardFhirResourceError;

/* Canonical URLs, systems and codes used in the resources. */
#define WARD_FHIR_PROFILE_EARLY_WARNING_TOTAL_SCORE \
  "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation-EarlyWarningTotalScore"
#define WARD_FHIR_SYSTEM_SNOMED             "http://snomed.info/sct"
#define WARD_FHIR_SYSTEM_UCUM               "http://unitsofmeasure.org"
#define WARD_FHIR_SYSTEM_OBSERVATION_CATEGORY \
  "http://terminology.hl7.org/CodeSystem/observation-category"
#define WARD_FHIR_SYSTEM_DATA_ABSENT_REASON \
  "http://terminology.hl7.org/CodeSystem/data-absent-reason"
#define WARD_FHIR_SYSTEM_RISK_PROBABILITY   "http://terminology.hl7.org/CodeSystem/risk-probability"
#define WARD_FHIR_SYSTEM_FLAG_CATEGORY      "http://terminology.hl7.org/CodeSystem/flag-category"
#define WARD_FHIR_SYSTEM_FLAG_PRIORITY      "http://hl7.org/fhir/flag-priority-code"
#define WARD_FHIR_EXTENSION_FLAG_PRIORITY   "http://hl7.org/fhir/StructureDefinition/flag-priority"
#define WARD_FHIR_EXTENSION_FLAG_DETAIL     "http://hl7.org/fhir/StructureDefinition/flag-detail"
/* Who acknowledged a Flag and when (FHIR R4 has no element for it): a
 * complex extension with the sub-extensions "by" (valueString, the staff
 * id) and "at" (valueDateTime).  Shared between stations with the Flag.
 */
#define WARD_FHIR_EXTENSION_FLAG_ACKNOWLEDGEMENT \
  "https://wardwatch.github.io/fhir/StructureDefinition/flag-acknowledgement"
/* The naming system of installation ids.  The host is the reverse of the
 * application id (io.github.wardwatch.Wardwatch), the one namespace the
 * project already claims.
 */
#define WARD_FHIR_SYSTEM_INSTALLATION_ID    "https://wardwatch.github.io/fhir/sid/installation-id"

/* The code system of Wardwatch's scorers: code is the scorer's kind
 * ("news2", "model:..."), version the scorer's version
 * (RiskAssessment.method of a scorer's assessment).
 */
#define WARD_FHIR_SYSTEM_SCORER             "https://wardwatch.github.io/fhir/CodeSystem/scorer"

#define WARD_FHIR_CODE_NEWS2_TOTAL          "1104051000000101"
#define WARD_FHIR_UNIT_SCORE                "{ScoreOf}"

/* One NEWS2 parameter as it went into a score.
 *
 * value is in the unit NEWS2 scores it in: RR and pulse /min, SpO2 %,
 * systolic BP mm[Hg], temperature Cel; for consciousness a WardAcvpu,
 * for air or oxygen 0 (air) or 1 (oxygen).  points is 0 to 3.
 * observed_at (UTC microseconds) and source say where the value came
 * from; a nurse-entered value older than the window is named with its
 * time in the RiskAssessment rationale.  Absent parameters have present
 * FALSE and the other fields are ignored.
 */
typedef struct
{
  gboolean    present;
  double      value;
  int         points;
  gint64      observed_at;
  WardSource  source;
} WardFhirParam;

/* One NEWS2 window score, as the Observation and the RiskAssessment need
 * it.  Strings are borrowed; they must outlive the call that reads them.
 *
 * patient_id:   the patient's id, the key of the resources' ids; also
 *               the FHIR id of the Patient (subject) unless subject_id
 *               is set.
 * subject_id:   the FHIR id of the Patient (subject: Patient/<subject_id>)
 *               when it is not patient_id, or NULL.  The engine passes
 *               the id its identity mode gives the patient, and keeps
 *               patient_id as the key, so that a resource keeps its id.
 * encounter_id: FHIR id of the Encounter, or NULL to leave it out.
 * device_id:    FHIR id of the Wardwatch Device (ward_fhir_device_id()):
 *               Observation.device, RiskAssessment.performer.
 * window_start, window_end: the window, UTC microseconds.  Wardwatch's
 *               windows are (start, end]: a value observed exactly at
 *               start belongs to the previous window.  FHIR Periods are
 *               closed, so effectivePeriod/occurrencePeriod carry the
 *               bounds as they are and this header defines start as
 *               exclusive.
 * computed_at:  when the score was computed: Observation.issued.
 * total, band:  the (possibly partial) total and its RCP band.
 * complete:     every parameter present; must agree with params[].
 * final:        confirmed by a nurse (status final) or device data only
 *               (status preliminary).
 * spo2_scale:   1 or 2: picks the SpO2 sub-score code.
 * params:       per parameter, in WardNews2Param order; the points of
 *               the present ones must add up to total.
 * derived_from: NULL-terminated "Observation/<id>" references to the
 *               vital-signs Observations, or NULL for none.
 * news2_not_applicable: the patient was under 16 at window_end.  NEWS2
 *               is not validated for them (RCP): the Observation keeps the
 *               score for the record and says so in a note, and the
 *               RiskAssessment claims no risk (no prediction, a note).
 */
typedef struct
{
  const char          *patient_id;
  const char          *subject_id;
  const char          *encounter_id;
  const char          *device_id;
  gint64               window_start;
  gint64               window_end;
  gint64               computed_at;
  int                  total;
  WardBand             band;
  gboolean             complete;
  gboolean             final;
  int                  spo2_scale;
  WardFhirParam        params[WARD_NEWS2_N_PARAMS];
  const char * const  *derived_from;
  gboolean             news2_not_applicable;
} WardFhirScoreInput;

/* One clinical flag episode.
 *
 * patient_id, subject_id, encounter_id, device_id: as in
 *               WardFhirScoreInput; the Device is Flag.author.
 * opened_at:    when the flag was raised: period.start, and the key of
 *               its id.
 * closed_at:    when it closed on recovery (status inactive, period.end),
 *               or 0 while it is active.
 * band:         the band of the flag now (after any escalation): the
 *               flag-priority extension.
 * assessment_window_end: window_end of the score whose RiskAssessment
 *               supports the flag now (flag-detail extension).
 * acknowledged_by, acknowledged_at: who acknowledged it and when (the
 *               flag-acknowledgement extension), or NULL and 0.
 */
typedef struct
{
  const char *patient_id;
  const char *subject_id;
  const char *encounter_id;
  const char *device_id;
  gint64      opened_at;
  gint64      closed_at;
  WardBand    band;
  gint64      assessment_window_end;
  const char *acknowledged_by;
  gint64      acknowledged_at;
} WardFhirFlagInput;

GQuark      ward_fhir_resource_error_quark     (void);

/* Ids (see the scheme above). */
gboolean    ward_fhir_id_is_valid              (const char                *id);
char       *ward_fhir_resource_id_for          (const char                *kind,
                                                const char                *key);
char       *ward_fhir_news2_observation_id     (const char                *patient_id,
                                                gint64                     window_end);
char       *ward_fhir_risk_assessment_id       (const char                *patient_id,
                                                gint64                     window_end);
char       *ward_fhir_flag_id                  (const char                *patient_id,
                                                gint64                     opened_at);
char       *ward_fhir_device_id                (const char                *installation_id);

/* Band mappings.
 *
 * qualitativeRisk (risk-probability): low -> low, low-medium -> moderate,
 * medium -> moderate, high -> high.  RCP's low-medium band is a single
 * red parameter: it asks for hourly observations and an urgent
 * ward-based response, the same frequency as medium.  Mapping it to low
 * would put a patient who needs urgent review among the routine ones for
 * any consumer that filters on qualitativeRisk, so the mapping rounds up,
 * never down.  The RCP band itself is kept in qualitativeRisk.text, and
 * the Flag priority still tells low-medium (PL) from medium (PM).  A
 * total of 0 is RCP "low", not "negligible".
 *
 * Flag priority (flag-priority-code): low -> PN, low-medium -> PL,
 * medium -> PM, high -> PH.
 */
const char *ward_fhir_band_qualitative_risk    (WardBand                   band);
const char *ward_fhir_band_flag_priority       (WardBand                   band);

void        ward_fhir_score_input_from_window  (const WardWindowScore     *score,
                                                const char                *patient_id,
                                                gint64                     computed_at,
                                                gboolean                   final,
                                                WardFhirScoreInput        *input);

JsonNode   *ward_fhir_news2_observation        (const WardFhirScoreInput  *input,
                                                GError                   **error);
JsonNode   *ward_fhir_risk_assessment          (const WardFhirScoreInput  *input,
                                                GError                   **error);
/* The RiskAssessment of any scorer's score (ward-scorer.h) of the
 * window input describes.  NEWS2 (kind "news2"): exactly
 * ward_fhir_risk_assessment().  Any other kind: id
 * ward_fhir_scorer_risk_assessment_id(); method the scorer (system
 * WARD_FHIR_SYSTEM_SCORER, code its kind, version its version, display
 * its label); basis the window's NEWS2 Observation and input's
 * derived_from, as NEWS2's; prediction.outcome the score's outcome
 * (text "Clinical deterioration" if the scorer gave none);
 * prediction.probabilityDecimal the probability as a PERCENTAGE, 0 to
 * 100, as FHIR R4 defines it (invariant ras-2: probabilityDecimal <=
 * 100; R5 made it 0 to 1); qualitativeRisk from the band of an integer
 * score.  A score that does not apply to the patient has no prediction
 * and says so in a note.
 */
char       *ward_fhir_scorer_risk_assessment_id (const char              *patient_id,
                                                const char                *kind,
                                                gint64                     window_end);
JsonNode   *ward_fhir_scorer_risk_assessment   (const WardFhirScoreInput  *input,
                                                const WardScore           *score,
                                                GError                   **error);
JsonNode   *ward_fhir_flag                     (const WardFhirFlagInput   *input,
                                                GError                   **error);
JsonNode   *ward_fhir_wardwatch_device         (const char                *installation_id,
                                                GError                   **error);

/* The normalised measurement type (the IoMT typeName of the built-in
 * mappings) whose vital-signs Observation holds a NEWS2 parameter's
 * device value: "respiratoryrate", "spo2", "bloodpressure" (systolic),
 * "heartrate", "temperature"; NULL for the parameters only a nurse
 * enters (air or oxygen, consciousness).
 */
const char *ward_fhir_news2_param_vitals_type  (WardNews2Param             param);

char       *ward_fhir_to_json                  (JsonNode                  *node);

G_END_DECLS
