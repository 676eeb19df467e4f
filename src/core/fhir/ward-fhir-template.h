/* ward-fhir-template.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "ward-device-template.h"
#include "ward-normalized.h"

G_BEGIN_DECLS

/* FHIR destination mappings in the format of the IoMT FHIR Connector and
 * the Azure MedTech service: a CollectionFhir template whose templates
 * are CodeValueFhir.  Normalised measurements in, grouped as the
 * connector groups them, FHIR R4 Observations out, with the connector's
 * identifier and deterministic id, so that a resource written here and
 * one written by the MedTech service for the same readings are the same
 * resource.  See data/mappings/README.md.
 *
 * Choices, where the connector leaves one to make:
 *
 * - References are those of the connector's "Create" identity mode with
 *   no DefaultDeviceIdentifierSystem: subject is Patient/<id> and device
 *   is Device/<id>, where <id> is ward_fhir_template_resource_id (NULL,
 *   patient or device id), the id the connector gives the Patient and
 *   Device it creates, unless the group names the resource ids itself
 *   (a caller that resolved them on a FHIR server, as the connector's
 *   Lookup mode does).  Create mode writes no encounter reference, and
 *   neither do we.  A group without a patient id (Wardwatch links a
 *   device to its patient later, in the identity stage) is built without
 *   subject, with an empty patient part in its identifier; the MedTech
 *   service in Create mode would refuse it.
 * - effective[x] is always effectivePeriod, also when start == end, as
 *   the connector writes it.  An existing Observation with
 *   effectiveDateTime is read as a period of one instant.
 * - One group per Observation identifier: measurements whose identifier
 *   would be the same (same patient, device, type and window; for
 *   periodInterval 0, the same second) are one group, as the connector
 *   would merge the second Observation into the first.  The group's
 *   encounter and correlation ids are those of its first measurement.
 * - Within a group, a second value of a property at the same time
 *   replaces the first: measurements are taken in arrival order, the
 *   latest wins, as in one batch of the MedTech service.
 * - A Quantity or String value takes the group's latest value (the
 *   connector fails when a group has more than one).  Quantity and
 *   SampledData values must be numbers.
 * - Merging builds new components over the widened period (the
 *   connector builds them over the old one, misaligning their data), and
 *   an existing Observation without a value gets one.
 * - Template loading is stricter where the connector would load a
 *   template that fails on every group: SampledData needs a defaultPeriod
 *   greater than 0, periodInterval must be -1, 0, 60 or 1440, and a
 *   component needs a value with a valueName.
 *
 * A loaded mapping is immutable: threads may use it at once.
 */

/* The system of the connector's own codings and identifiers. */
#define WARD_FHIR_SERVICE_SYSTEM "https://azure.microsoft.com/en-us/services/iomt-fhir-connector/"

#define WARD_FHIR_TEMPLATE_ERROR (ward_fhir_template_error_quark ())

typedef enum
{
  WARD_FHIR_TEMPLATE_ERROR_NO_TEMPLATE,     /* no template for the group's type */
  WARD_FHIR_TEMPLATE_ERROR_BAD_VALUE,       /* a value that the value type cannot take */
  WARD_FHIR_TEMPLATE_ERROR_TOO_LARGE,       /* SampledData with too many samples */
  WARD_FHIR_TEMPLATE_ERROR_MERGE,           /* the existing Observation cannot be merged into */
} WardFhirTemplateError;

/* Period intervals (the connector's ObservationPeriodInterval). */
typedef enum
{
  WARD_FHIR_PERIOD_CORRELATION_ID = -1,
  WARD_FHIR_PERIOD_SINGLE         = 0,
  WARD_FHIR_PERIOD_HOURLY         = 60,
  WARD_FHIR_PERIOD_DAILY          = 1440,
} WardFhirPeriodInterval;

/* Group boundaries are in the connector's resolution: 100 ns ticks
 * since 1970-01-01 UTC, both ends included (an hourly window ends at
 * 00:59:59.9999999).  Values keep Wardwatch's UTC microseconds.
 */
#define WARD_FHIR_TICKS_PER_USEC 10

typedef struct
{
  gint64  time;              /* UTC usec */
  char   *value;
} WardObservationValue;

typedef struct
{
  char   *name;
  GArray *values;            /* WardObservationValue, by time, one per time */
} WardObservationProperty;

typedef struct
{
  char       *type;          /* the measurements' type */
  char       *device_id;
  char       *patient_id;    /* NULL when the measurements have none */
  /* The FHIR ids of the Patient and the Device, when the caller knows
   * them (ward_observation_group_set_resource_ids()): used as they are
   * in subject, device and the identifier.  NULL: the connector's
   * Create-mode ids, ward_fhir_template_resource_id (NULL, id).
   */
  char       *patient_resource_id;
  char       *device_resource_id;
  char       *encounter_id;
  char       *correlation_id;
  gint64      start_ticks;
  gint64      end_ticks;
  GPtrArray  *properties;    /* WardObservationProperty*, in the order first seen */
  GArray     *sources;       /* guint: indexes of its measurements in the input */
} WardObservationGroup;

/* A measurement that could not be grouped. */
typedef struct
{
  guint  index;              /* in the input */
  char  *message;
} WardFhirGroupIssue;

WardObservationGroup *ward_observation_group_new            (const char                 *type,
                                                             const char                 *device_id,
                                                             const char                 *patient_id,
                                                             gint64                      start_ticks,
                                                             gint64                      end_ticks);
void                  ward_observation_group_free           (WardObservationGroup       *group);
/* Adds a value; one at the same time as an earlier one replaces it. */
void                  ward_observation_group_add_value      (WardObservationGroup       *group,
                                                             const char                 *name,
                                                             gint64                      time,
                                                             const char                 *value);
/* The FHIR ids to reference instead of the Create-mode ids (NULL: those). */
void                  ward_observation_group_set_resource_ids (WardObservationGroup     *group,
                                                             const char                 *patient_resource_id,
                                                             const char                 *device_resource_id);
/* The values of a property, or NULL (transfer none). */
GArray               *ward_observation_group_get_values     (const WardObservationGroup *group,
                                                             const char                 *name);
/* "{start:yyyyMMddHHmmss}Z.{end:yyyyMMddHHmmss}Z", or the correlation id
 * for periodInterval -1 (the template decides: see
 * ward_fhir_template_get_identifier()).
 */
char                 *ward_observation_group_get_time_segment (const WardObservationGroup *group);

void                  ward_fhir_group_issue_free            (WardFhirGroupIssue         *issue);

#define WARD_TYPE_FHIR_TEMPLATE (ward_fhir_template_get_type ())
G_DECLARE_FINAL_TYPE (WardFhirTemplate, ward_fhir_template, WARD, FHIR_TEMPLATE, GObject)

GQuark                ward_fhir_template_error_quark        (void);

/* Loads a mapping; load problems are WardTemplateIssues and load errors
 * WARD_TEMPLATE_ERROR, as for device mappings.  A UTF-8 BOM is skipped.
 * Fails only when nothing is usable (not JSON, not a CollectionFhir, or
 * every template invalid); otherwise every problem found is in the
 * issues.  filename (may be NULL) is used in messages.
 */
WardFhirTemplate     *ward_fhir_template_new_from_data      (const char                 *data,
                                                             gssize                      length,
                                                             const char                 *filename,
                                                             GError                    **error);
/* Always returns a mapping, possibly with no usable template, for tools
 * that show every issue (wardwatch-cli map --check).
 */
WardFhirTemplate     *ward_fhir_template_new_for_check      (const char                 *data,
                                                             gssize                      length,
                                                             const char                 *filename);
WardFhirTemplate     *ward_fhir_template_new_from_file      (const char                 *path,
                                                             GError                    **error);
WardFhirTemplate     *ward_fhir_template_new_from_resource  (const char                 *resource_path,
                                                             GError                    **error);

/* The built-in mapping of the canonical vital signs (Quantity, one
 * Observation per reading): data/mappings/wardwatch-fhir.json.
 */
#define WARD_FHIR_TEMPLATE_DEFAULT_RESOURCE \
  "/io/github/wardwatch/Wardwatch/core/mappings/wardwatch-fhir.json"

WardFhirTemplate     *ward_fhir_template_new_default        (GError                    **error);

const char           *ward_fhir_template_get_filename       (WardFhirTemplate           *self);
/* WardTemplateIssue*, in the order found (transfer none). */
GPtrArray            *ward_fhir_template_get_issues         (WardFhirTemplate           *self);
/* TRUE when there is no fatal issue: the connector would accept it. */
gboolean              ward_fhir_template_is_valid           (WardFhirTemplate           *self);
/* How many templates are used (the valid ones). */
guint                 ward_fhir_template_get_n_templates    (WardFhirTemplate           *self);
/* The typeNames of the templates in use, in file order. */
GStrv                 ward_fhir_template_get_type_names     (WardFhirTemplate           *self);
/* Whether a template is used for type (compared without regard to case,
 * as the connector looks templates up), and its periodInterval.
 */
gboolean              ward_fhir_template_lookup             (WardFhirTemplate           *self,
                                                             const char                 *type,
                                                             WardFhirPeriodInterval     *period_interval);

/* What the connector's mapping validator warns about when a device
 * mapping and this mapping are used together: device types without a
 * FHIR template, and device values that no FHIR value or component
 * takes.  Returns the warnings (char*).
 */
GPtrArray            *ward_fhir_template_check_device_mapping (WardFhirTemplate         *self,
                                                             WardDeviceTemplate         *device_mapping);

/* Groups normalised measurements (WardNormalized*) into Observation
 * groups (WardObservationGroup*), in the order their first measurement
 * comes.  A measurement that has no template, or no correlation id for a
 * periodInterval -1 template, is left out and described in issues
 * (WardFhirGroupIssue*, may be NULL).
 */
GPtrArray            *ward_fhir_template_group              (WardFhirTemplate           *self,
                                                             GPtrArray                  *normalized,
                                                             GPtrArray                  *issues);

/* The Observation of a group: a new one (status final), or existing (an
 * Observation, not modified) with the group merged into it (status
 * amended, period widened, SampledData merged on the time grid with new
 * values winning, other values replaced).  Returns a new node, or NULL
 * with error (WARD_FHIR_TEMPLATE_ERROR).
 */
JsonNode             *ward_fhir_template_build_observation  (WardFhirTemplate           *self,
                                                             const WardObservationGroup *group,
                                                             JsonNode                   *existing,
                                                             GError                    **error);

/* Merges our Observation into another copy of the same Observation (the
 * same connector identifier), such as the FHIR server's, by the rules of
 * ward_fhir_template_build_observation(): the group is read back from
 * ours with the template of its type (the connector's coding in its
 * code) and merged into theirs, so the period is widened, the status
 * amended, SampledData merged on the template's time grid (our value
 * wins at a time both have), and a Quantity, String or CodeableConcept
 * (of the Observation, or of a component, matched by code) is ours
 * unless theirs is newer (their period ends later).  Without a template
 * for the type (self may be NULL) our values win and only the period is
 * widened (a SampledData stream padded in front to stay in time).
 * meta.versionId and meta.lastUpdated are dropped: the server keeps
 * them.  Neither node is modified.  Returns a new node, or NULL with
 * error (WARD_FHIR_TEMPLATE_ERROR) when they are not Observations with
 * the same identifier or cannot be merged.
 */
JsonNode             *ward_fhir_template_merge_observations (WardFhirTemplate           *self,
                                                             JsonNode                   *theirs,
                                                             JsonNode                   *ours,
                                                             GError                    **error);
/* The value of an Observation's identifier in the connector's system
 * (WARD_FHIR_SERVICE_SYSTEM), or NULL: Observations that the connector
 * may write too.
 */
const char           *ward_fhir_template_observation_identifier (JsonNode               *observation);

/* The connector's identifier value of a group's Observation:
 * "{patient resource id}.{device resource id}.{type}.{segment}", the
 * segment being the time segment, or the correlation id when the
 * group's template has periodInterval -1; the resource ids are the
 * group's own when set, otherwise the Create-mode ids.  NULL if no
 * template.
 */
char                 *ward_fhir_template_get_identifier     (WardFhirTemplate           *self,
                                                             const WardObservationGroup *group);

/* The connector's resource id for an identifier: the lowercase hex
 * SHA-256 of "{system}_{value}" (system may be NULL: "_{value}").
 */
char                 *ward_fhir_template_resource_id        (const char                 *system,
                                                             const char                 *value);

/* A time as the connector writes it: "2019-01-01T00:59:59.9999999Z". */
char                 *ward_fhir_template_format_ticks       (gint64                      ticks);

/* Compact JSON for a resource.  Unlike JsonGenerator, doubles are
 * written in the shortest form that reads back the same (37.2, not
 * 37.200000000000003) and are always valid JSON.
 */
char                 *ward_fhir_template_to_json            (JsonNode                   *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardObservationGroup, ward_observation_group_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardFhirGroupIssue, ward_fhir_group_issue_free)

G_END_DECLS
