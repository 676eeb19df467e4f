/* ward-device-mapping.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-device-mapping"

#include "config.h"

#include "ward-device-mapping.h"

#include <math.h>

#include <json-glib/json-glib.h>

/* A device clock may run a little ahead of ours; more than this is an
 * error, not a measurement from the future.
 */
#define MAX_CLOCK_SKEW_USEC (5 * WARD_USEC_PER_MINUTE)

struct _WardDeviceMapping
{
  GObject     parent_instance;

  JsonParser *parser;
};

G_DEFINE_FINAL_TYPE (WardDeviceMapping, ward_device_mapping, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-mapping-error-quark, ward_mapping_error)

static const struct {
  const char   *member;
  WardMeasKind  kind;
} value_members[] = {
  { "heartRate", WARD_MEAS_HR },
  { "respiratoryRate", WARD_MEAS_RR },
  { "spo2", WARD_MEAS_SPO2 },
  { "systolic", WARD_MEAS_SBP },
  { "diastolic", WARD_MEAS_DBP },
  { "mean", WARD_MEAS_MAP },
  { "temperature", WARD_MEAS_TEMP },
};

/* Physically possible ranges.  Wide on purpose: a septic patient's heart
 * rate of 180 is real; a heart rate of -3 or 900 is a broken sensor.
 */
gboolean
ward_measurement_is_plausible (WardMeasKind kind,
                               double       value)
{
  if (!isfinite (value))
    return FALSE;

  switch (kind)
    {
    case WARD_MEAS_HR:
      return value >= 0 && value <= 350;
    case WARD_MEAS_RR:
      return value >= 0 && value <= 120;
    case WARD_MEAS_SPO2:
      return value >= 0 && value <= 100;
    case WARD_MEAS_SBP:
    case WARD_MEAS_DBP:
    case WARD_MEAS_MAP:
      return value >= 0 && value <= 350;
    case WARD_MEAS_TEMP:
      return value >= 25 && value <= 45;
    case WARD_MEAS_CONSCIOUSNESS:
      return value >= WARD_ACVPU_ALERT && value <= WARD_ACVPU_UNRESPONSIVE && value == floor (value);
    case WARD_MEAS_ON_OXYGEN:
      return value == 0 || value == 1;
    case WARD_MEAS_O2_FLOW:
      return value >= 0 && value <= 70;
    case WARD_MEAS_N_KINDS:
    default:
      return FALSE;
    }
}

/* Device input is untrusted: json-glib's getters warn on a member of the
 * wrong type, so look before taking.
 */
static const char *
get_string_member (JsonObject *obj,
                   const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static void
ward_device_mapping_finalize (GObject *object)
{
  WardDeviceMapping *self = (WardDeviceMapping *) object;

  g_clear_object (&self->parser);

  G_OBJECT_CLASS (ward_device_mapping_parent_class)->finalize (object);
}

static void
ward_device_mapping_class_init (WardDeviceMappingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_device_mapping_finalize;
}

static void
ward_device_mapping_init (WardDeviceMapping *self)
{
  self->parser = json_parser_new_immutable ();
}

WardDeviceMapping *
ward_device_mapping_new (void)
{
  return g_object_new (WARD_TYPE_DEVICE_MAPPING, NULL);
}

gboolean
ward_device_mapping_map (WardDeviceMapping  *self,
                         const char         *payload,
                         gsize               length,
                         const char         *device_id_hint,
                         gint64              received_at,
                         GArray             *out,
                         char              **device_id,
                         char              **rejected,
                         GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) rejections = NULL;
  JsonObject *obj;
  JsonNode *root;
  const char *dev;
  const char *when;
  gint64 observed_at;
  guint first = out->len;

  g_return_val_if_fail (WARD_IS_DEVICE_MAPPING (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (rejected != NULL)
    *rejected = NULL;

  if (payload == NULL || length == 0)
    {
      g_set_error_literal (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_PARSE,
                           "empty message");
      return FALSE;
    }

  if (!json_parser_load_from_data (self->parser, payload, length, &local_error))
    {
      g_set_error (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_PARSE,
                   "not JSON: %s", local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (self->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_PARSE,
                           "not a JSON object");
      return FALSE;
    }
  obj = json_node_get_object (root);

  dev = get_string_member (obj, "deviceId");
  if (dev == NULL || *dev == '\0')
    dev = device_id_hint;
  if (dev == NULL || *dev == '\0')
    {
      g_set_error_literal (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_NO_DEVICE,
                           "no deviceId in the message and none from its source");
      return FALSE;
    }

  when = get_string_member (obj, "measuredAt");
  if (when == NULL)
    {
      g_set_error_literal (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_BAD_TIME,
                           "measuredAt: missing (an ISO 8601 UTC time is required)");
      return FALSE;
    }
  if (!ward_time_parse_iso8601 (when, &observed_at))
    {
      g_set_error (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_BAD_TIME,
                   "measuredAt: \"%.40s\" is not an ISO 8601 time with a zone", when);
      return FALSE;
    }
  if (observed_at > received_at + MAX_CLOCK_SKEW_USEC)
    {
      g_set_error (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_BAD_TIME,
                   "measuredAt: %s is more than 5 minutes in the future", when);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (value_members); i++)
    {
      JsonNode *node = json_object_get_member (obj, value_members[i].member);
      WardMeasurement m = { 0 };
      double value;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;

      if (!JSON_NODE_HOLDS_VALUE (node) ||
          (json_node_get_value_type (node) != G_TYPE_INT64 &&
           json_node_get_value_type (node) != G_TYPE_DOUBLE))
        {
          if (rejections == NULL)
            rejections = g_string_new (NULL);
          g_string_append_printf (rejections, "%s%s: not a number",
                                  rejections->len ? "; " : "", value_members[i].member);
          continue;
        }

      value = json_node_get_double (node);
      if (!ward_measurement_is_plausible (value_members[i].kind, value))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          if (rejections == NULL)
            rejections = g_string_new (NULL);
          g_string_append_printf (rejections, "%s%s: impossible value %s",
                                  rejections->len ? "; " : "", value_members[i].member,
                                  g_ascii_dtostr (buf, sizeof buf, value));
          continue;
        }

      m.kind = value_members[i].kind;
      m.value = value;
      m.observed_at = observed_at;
      m.source = WARD_SOURCE_DEVICE;
      m.device_id = g_strdup (dev);
      g_array_append_val (out, m);
    }

  if (out->len == first && rejections == NULL)
    {
      /* A known status message with no values (a probe off, say) is not
       * an error: the device is alive and says so.
       */
      if (json_object_has_member (obj, "status"))
        {
          if (device_id != NULL)
            *device_id = g_strdup (dev);
          return TRUE;
        }

      g_set_error_literal (error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_NO_VALUES,
                           "no value this mapping knows (heartRate, respiratoryRate, spo2, "
                           "systolic, diastolic, mean, temperature)");
      return FALSE;
    }

  if (device_id != NULL)
    *device_id = g_strdup (dev);
  if (rejected != NULL && rejections != NULL)
    *rejected = g_string_free (g_steal_pointer (&rejections), FALSE);

  return TRUE;
}
