/* ward-normalized.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-normalized"

#include "config.h"

#include "ward-normalized.h"

#include <json-glib/json-glib.h>

#include "ward-device-mapping.h"

static const struct {
  const char   *type;
  const char   *name;
  WardMeasKind  kind;
} bindings[] = {
  { "heartrate", "hr", WARD_MEAS_HR },
  { "respiratoryrate", "rr", WARD_MEAS_RR },
  { "spo2", "spo2", WARD_MEAS_SPO2 },
  { "bloodpressure", "systolic", WARD_MEAS_SBP },
  { "bloodpressure", "diastolic", WARD_MEAS_DBP },
  { "bloodpressure", "mean", WARD_MEAS_MAP },
  { "temperature", "temperature", WARD_MEAS_TEMP },
};

static void
value_clear (WardNormalizedValue *v)
{
  g_clear_pointer (&v->name, g_free);
  g_clear_pointer (&v->value, g_free);
}

WardNormalized *
ward_normalized_new (const char *type,
                     gint64      occurrence_time,
                     const char *device_id)
{
  WardNormalized *self;

  g_return_val_if_fail (type != NULL, NULL);

  self = g_new0 (WardNormalized, 1);
  self->type = g_strdup (type);
  self->occurrence_time = occurrence_time;
  self->device_id = g_strdup (device_id);
  self->properties = g_array_new (FALSE, TRUE, sizeof (WardNormalizedValue));
  g_array_set_clear_func (self->properties, (GDestroyNotify) value_clear);

  return self;
}

void
ward_normalized_free (WardNormalized *self)
{
  if (self == NULL)
    return;

  g_free (self->type);
  g_free (self->device_id);
  g_free (self->patient_id);
  g_free (self->encounter_id);
  g_free (self->correlation_id);
  g_array_unref (self->properties);
  g_free (self);
}

void
ward_normalized_add_value (WardNormalized *self,
                           const char     *name,
                           const char     *value)
{
  WardNormalizedValue v;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  v.name = g_strdup (name);
  v.value = g_strdup (value);
  g_array_append_val (self->properties, v);
}

const char *
ward_normalized_get_value (const WardNormalized *self,
                           const char           *name)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->properties->len; i++)
    {
      const WardNormalizedValue *v = &g_array_index (self->properties, WardNormalizedValue, i);

      if (g_strcmp0 (v->name, name) == 0)
        return v->value;
    }

  return NULL;
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

char *
ward_normalized_to_json (const WardNormalized *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *time = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  time = ward_time_format_iso8601 (self->occurrence_time);

  json_builder_begin_object (builder);
  add_string_or_null (builder, "type", self->type);
  add_string_or_null (builder, "occurrenceTimeUtc", time);
  add_string_or_null (builder, "deviceId", self->device_id);
  add_string_or_null (builder, "patientId", self->patient_id);
  add_string_or_null (builder, "encounterId", self->encounter_id);
  add_string_or_null (builder, "correlationId", self->correlation_id);
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->properties->len; i++)
    {
      const WardNormalizedValue *v = &g_array_index (self->properties, WardNormalizedValue, i);

      json_builder_begin_object (builder);
      add_string_or_null (builder, "name", v->name);
      add_string_or_null (builder, "value", v->value);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;

  *value = g_ascii_strtod (text, &end);
  while (end && g_ascii_isspace (*end))
    end++;

  return end != text && end != NULL && *end == '\0';
}

guint
ward_normalized_bind (const WardNormalized *self,
                      GArray               *out,
                      GString              *rejected)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (out != NULL, 0);

  for (guint i = 0; i < self->properties->len; i++)
    {
      const WardNormalizedValue *v = &g_array_index (self->properties, WardNormalizedValue, i);

      for (guint b = 0; b < G_N_ELEMENTS (bindings); b++)
        {
          WardMeasurement m = { 0 };
          double value;

          if (g_ascii_strcasecmp (self->type, bindings[b].type) != 0 ||
              g_ascii_strcasecmp (v->name, bindings[b].name) != 0)
            continue;

          if (!parse_number (v->value, &value) ||
              !ward_measurement_is_plausible (bindings[b].kind, value))
            {
              if (rejected != NULL && parse_number (v->value, &value))
                g_string_append_printf (rejected, "%s%s.%s: impossible value %.40s",
                                        rejected->len ? "; " : "", self->type, v->name, v->value);
              else if (rejected != NULL)
                g_string_append_printf (rejected, "%s%s.%s: \"%.40s\" is not a number",
                                        rejected->len ? "; " : "", self->type, v->name,
                                        v->value ? v->value : "(null)");
              break;
            }

          m.kind = bindings[b].kind;
          m.value = value;
          m.observed_at = self->occurrence_time;
          m.source = WARD_SOURCE_DEVICE;
          m.device_id = g_strdup (self->device_id);
          m.patient_id = g_strdup (self->patient_id);
          g_array_append_val (out, m);
          n++;
          break;
        }
    }

  return n;
}
