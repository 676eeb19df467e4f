/* fuzz-device-template.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <string.h>

#include "ward-device-mapping.h"
#include "ward-device-template.h"

/* Each input is used twice: as a device mapping (loaded, checked,
 * described, then used on fixed messages) and as a device message
 * (mapped with fixed mappings, as the pipeline would, wrapped and not).
 */

static const char * const fixed_messages[] = {
  "{\"heartRate\":72,\"deviceId\":\"m1\",\"measuredAt\":\"2024-05-01T10:00:00Z\",\"messageId\":\"x\"}",
  ("{\"Body\":[{\"heartrate\":\"60\",\"device\":\"abc\",\"date\":\"2019-01-01T00:00:00Z\",\"systolic\":1}],"
   "\"Properties\":{\"iothub-creation-time-utc\":\"2019-01-30T22:45:02.6073744Z\"},"
   "\"SystemProperties\":{\"iothub-connection-device-id\":\"ev\",\"iothub-enqueuedtime\":\"2019-02-01T22:46:01Z\"}}"),
  ("{\"deviceId\":\"1q\",\"enqueuedTime\":\"2021-06-08T19:45:20.2Z\",\"telemetry\":{\"HeartRate\":75,"
   "\"BloodPressure\":{\"Systolic\":62,\"Diastolic\":30}}}"),
};

static const char * const fixed_mappings[] = {
  NULL, /* the built-in mapping */
  "{\"templateType\":\"CollectionContent\",\"template\":["
  "{\"templateType\":\"CalculatedContent\",\"template\":{\"typeName\":\"hr\",\"typeMatchExpression\":\"$..[?(@heartrate || @heartRate)]\","
  "\"deviceIdExpression\":\"$.matchedToken.device\",\"timestampExpression\":\"$.matchedToken.date\","
  "\"patientIdExpression\":\"$.Properties.patient\",\"correlationIdExpression\":{\"value\":\"$.matchedToken.id\"},"
  "\"values\":[{\"valueName\":\"hr\",\"valueExpression\":\"$.matchedToken.heartrate\",\"required\":\"true\"},"
  "{\"valueName\":\"all\",\"valueExpression\":\"$..x\"}]}},"
  "{\"templateType\":\"IotJsonPathContent\",\"template\":{\"typeName\":\"bp\",\"typeMatchExpression\":\"$..[?(@Body.systolic)]\","
  "\"values\":[{\"valueName\":\"systolic\",\"valueExpression\":\"$.Body.systolic\",\"required\":true}]}},"
  "{\"templateType\":\"IotCentralJsonPathContent\",\"template\":{\"typeName\":\"t\",\"typeMatchExpression\":\"$..[?(@telemetry)]\","
  "\"values\":[{\"valueName\":\"v\",\"valueExpression\":\"$.telemetry.*\"}]}},"
  "{\"templateType\":\"CalculatedContent\",\"template\":{\"typeName\":\"j\",\"defaultExpressionLanguage\":\"JmesPath\","
  "\"typeMatchExpression\":\"to_array(@)[?heartRate]\",\"deviceIdExpression\":\"matchedToken.deviceId\","
  "\"timestampExpression\":\"matchedToken.measuredAt\",\"values\":[{\"valueName\":\"hr\",\"valueExpression\":\"matchedToken.heartRate\"}]}}"
  "]}",
};

static void
map_all (WardDeviceTemplate *mapping,
         JsonNode           *message)
{
  g_autoptr(JsonNode) wrapped = ward_device_template_wrap_message (message);
  JsonNode *variants[] = { message, wrapped };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
      g_autoptr(GError) error = NULL;
      gboolean ok;

      ok = ward_device_template_map (mapping, variants[v], v ? "hint" : NULL, 0, out, &error);
      g_assert (ok == (error == NULL));
      if (!ok)
        g_assert (out->len == 0 && error->domain == WARD_MAPPING_ERROR);

      for (guint i = 0; i < out->len; i++)
        {
          g_autofree char *json = ward_normalized_to_json (out->pdata[i]);

          g_assert (json != NULL);
        }
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(WardDeviceTemplate) mapping = NULL;
  g_autoptr(JsonNode) description = NULL;
  g_autoptr(JsonNode) message = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *issues;

  if (size > 65536)
    return 0;

  /* The input as a mapping. */
  mapping = ward_device_template_new_for_check ((const char *) data, (gssize) size, "fuzz");
  g_assert (mapping != NULL);
  issues = ward_device_template_get_issues (mapping);
  for (guint i = 0; i < issues->len; i++)
    {
      WardTemplateIssue *issue = issues->pdata[i];

      g_assert (issue->message != NULL && issue->path != NULL);
      g_assert (g_utf8_validate (issue->message, -1, NULL));
      g_assert (issue->line >= 0 && issue->column >= 0);
    }
  description = ward_device_template_describe (mapping);
  g_assert (description != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fixed_messages); i++)
    {
      g_autoptr(JsonNode) fixed = ward_device_template_parse_message (fixed_messages[i], -1, NULL);

      g_assert (fixed != NULL);
      map_all (mapping, fixed);
    }

  /* The input as a message. */
  message = ward_device_template_parse_message ((const char *) data, (gssize) size, &error);
  if (message == NULL)
    {
      g_assert (error != NULL && error->domain == WARD_MAPPING_ERROR);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (fixed_mappings); i++)
    {
      g_autoptr(WardDeviceTemplate) fixed = NULL;

      if (fixed_mappings[i] == NULL)
        fixed = ward_device_template_new_default (NULL);
      else
        fixed = ward_device_template_new_for_check (fixed_mappings[i], -1, "fixed");
      g_assert (fixed != NULL);
      map_all (fixed, message);
    }

  return 0;
}
