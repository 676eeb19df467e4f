/* fuzz-jsonpath.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <string.h>

#include "ward-device-template.h"
#include "ward-jsonpath.h"

/* The input is a JSONPath expression, a newline, and a JSON document;
 * without a newline, or when the document is not JSON, the expression
 * runs against a fixed document.  Compiling must never crash, and a
 * compiled path must select from any document within its limits.
 */

static const char fixed_document[] =
  "{\"Body\":[{\"heartRate\":\"78\",\"deviceId\":\"d\",\"endDate\":\"2019-02-01T22:46:01.875Z\"},"
  "{\"systolic\":120,\"diastolic\":80,\"a\":{\"b\":[1,2.5,null,true,\"x\",{\"c\":[]}]}}],"
  "\"Properties\":{\"iothub-creation-time-utc\":\"2019-01-30T22:45:02Z\"},"
  "\"SystemProperties\":{\"iothub-connection-device-id\":\"ev\"},\"My Property\":\"data\"}";

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autoptr(WardJsonPath) path = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GError) error = NULL;
  const char *newline;

  if (size > 65536)
    return 0;

  text = g_strndup ((const char *) data, size);
  newline = memchr (text, '\n', strlen (text));
  if (newline != NULL)
    {
      document = ward_device_template_parse_message (newline + 1, -1, NULL);
      text[newline - text] = '\0';
    }
  if (document == NULL)
    document = ward_device_template_parse_message (fixed_document, -1, NULL);
  g_assert (document != NULL);

  path = ward_jsonpath_compile (text, &error);
  if (path == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->domain == WARD_JSONPATH_ERROR);
      g_assert (g_str_has_prefix (error->message, "column "));
      return 0;
    }

  g_assert (error == NULL);
  g_assert (strcmp (ward_jsonpath_get_expression (path), text) == 0);

  nodes = ward_jsonpath_select_full (path, document, 10000, &error);
  if (nodes != NULL)
    {
      /* Every node selected must be a valid node of the document. */
      for (guint i = 0; i < nodes->len; i++)
        g_assert (JSON_NODE_TYPE ((JsonNode *) nodes->pdata[i]) <= JSON_NODE_NULL);
    }
  else
    {
      g_assert (error != NULL);
    }

  return 0;
}
