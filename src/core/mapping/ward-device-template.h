/* ward-device-template.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "ward-normalized.h"

G_BEGIN_DECLS

/* Device mapping templates in the format of the IoMT FHIR Connector and
 * the Azure MedTech service: a CollectionContent template whose
 * templates are JsonPathContent, IotJsonPathContent,
 * IotCentralJsonPathContent or CalculatedContent (JSONPath or JMESPath
 * expressions).  A device message in, WardNormalized measurements out,
 * with the connector's matching, extraction and error rules.  See
 * data/mappings/README.md.
 *
 * A loaded mapping is immutable: threads may map with it at once.
 */

#define WARD_TEMPLATE_ERROR (ward_template_error_quark ())

typedef enum
{
  WARD_TEMPLATE_ERROR_PARSE,     /* not JSON */
  WARD_TEMPLATE_ERROR_INVALID,   /* JSON, but no usable template */
} WardTemplateError;

/* One problem found while loading: line and column count from 1 (0 when
 * unknown), path is a JSONPath to the member at fault ("$" for the whole
 * file).  A fatal issue makes the mapping invalid as the connector sees
 * it (the MedTech service would refuse it) and the template holding it
 * unusable; other templates are still used.  Non-fatal issues are
 * Wardwatch's warnings.
 */
typedef struct
{
  int       line;
  int       column;
  char     *path;
  char     *message;
  gboolean  fatal;
} WardTemplateIssue;

void                ward_template_issue_free              (WardTemplateIssue  *issue);

#define WARD_TYPE_DEVICE_TEMPLATE (ward_device_template_get_type ())
G_DECLARE_FINAL_TYPE (WardDeviceTemplate, ward_device_template, WARD, DEVICE_TEMPLATE, GObject)

GQuark              ward_template_error_quark             (void);

/* Loads a mapping.  A UTF-8 BOM is skipped.  Fails only when nothing is
 * usable (not JSON, not a CollectionContent, or every template invalid);
 * otherwise every problem found is in the issues.  filename (may be
 * NULL) is used in messages.
 */
WardDeviceTemplate *ward_device_template_new_from_data    (const char         *data,
                                                           gssize              length,
                                                           const char         *filename,
                                                           GError            **error);
/* Always returns a mapping, possibly with no usable template, for tools
 * that show every issue (wardwatch-cli map --check).
 */
WardDeviceTemplate *ward_device_template_new_for_check    (const char         *data,
                                                           gssize              length,
                                                           const char         *filename);
WardDeviceTemplate *ward_device_template_new_from_file    (const char         *path,
                                                           GError            **error);
WardDeviceTemplate *ward_device_template_new_from_resource (const char        *resource_path,
                                                           GError            **error);

/* The built-in mapping of the Wardwatch monitor format (what the
 * simulator sends): data/mappings/wardwatch-monitor.json.
 */
#define WARD_DEVICE_TEMPLATE_DEFAULT_RESOURCE \
  "/io/github/wardwatch/Wardwatch/core/mappings/wardwatch-monitor.json"

WardDeviceTemplate *ward_device_template_new_default      (GError            **error);

const char         *ward_device_template_get_filename     (WardDeviceTemplate *self);

/* WardTemplateIssue*, in the order found (transfer none). */
GPtrArray          *ward_device_template_get_issues       (WardDeviceTemplate *self);

/* TRUE when there is no fatal issue: the connector would accept it. */
gboolean            ward_device_template_is_valid         (WardDeviceTemplate *self);

/* How many templates are used (the valid ones). */
guint               ward_device_template_get_n_templates  (WardDeviceTemplate *self);

/* The templates in use as the engine reads them, one object per
 * template: index (in the file), templateType, typeName, every
 * expression as {value, language} (the implicit ones of the IoT
 * templates included), and values [{valueName, valueExpression,
 * required}].  For --check output and tests.
 */
JsonNode           *ward_device_template_describe         (WardDeviceTemplate *self);

/* Maps one device message: every template in collection order, every
 * match of its typeMatchExpression in order, one WardNormalized each,
 * appended to out (WardNormalized*).  On error nothing is appended and
 * error (WARD_MAPPING_ERROR) says which template and expression failed:
 * the caller dead-letters the message and goes on with the next one.
 * No match is not an error.
 *
 * The message is evaluated as given.  Device messages that come from
 * MQTT or a file should first go through
 * ward_device_template_wrap_message(), as the MedTech service puts every
 * Event Hub message into {Body, Properties, SystemProperties}.
 *
 * device_id_hint (may be NULL): used as the device id when the device id
 * expression finds nothing, null or blank (a Wardwatch extension: MQTT
 * devices name themselves in the topic).  ingestion_time (UTC usec, or
 * 0 for no check): a timestamp more than 5 minutes after it is an error,
 * as with the built-in mapping.
 */
gboolean            ward_device_template_map              (WardDeviceTemplate *self,
                                                           JsonNode           *message,
                                                           const char         *device_id_hint,
                                                           gint64              ingestion_time,
                                                           GPtrArray          *out,
                                                           GError            **error);

/* Parses a device message strictly: one JSON value (json-glib alone
 * ignores a second one), nesting at most 256 deep, a UTF-8 BOM skipped.
 * Errors are WARD_MAPPING_ERROR_PARSE: "not JSON: LINE:COLUMN: what".
 */
JsonNode           *ward_device_template_parse_message    (const char         *data,
                                                           gssize              length,
                                                           GError            **error);

/* What the MedTech service makes of an Event Hub message: the payload as
 * Body, with empty Properties and SystemProperties.  A payload that is
 * already in that shape (an object with Body and no members other than
 * Body, Properties and SystemProperties) is returned as it is.  Returns
 * a new reference; payload is not modified.
 */
JsonNode           *ward_device_template_wrap_message     (JsonNode           *payload);

/* A JSON scalar as the connector stores it (Json.NET's
 * JToken.Value<string>()): strings as they are, integers in decimal,
 * doubles in the shortest form that reads back the same ("37" for 37.0,
 * "1E+15" from 10^15), booleans "True" and "False".  NULL for null,
 * objects and arrays.
 */
char               *ward_device_template_format_value     (JsonNode           *node);

/* ISO 8601 date and time: "2019-02-01T22:46:01.8750000Z", a space for
 * the T, an offset (+01:00, +0100, +01) or none (read as UTC), seconds
 * and fraction optional, or a date alone (midnight UTC); and Json.NET's
 * "/Date(1549061161875)/".  Digits after microseconds are dropped.
 */
gboolean            ward_device_template_parse_time       (const char         *text,
                                                           gint64             *usec);

G_END_DECLS
