/* ward-policy.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-policy"

#include "config.h"

#include "ward-policy.h"
#include "ward-json-strict.h"
#include "ward-kiosk-guard.h"
#include "ward-routing.h"

#include "ward-model-config.h"

#include <json-glib/json-glib.h>

/* Upper bounds that catch a unit mistaken (hours typed as minutes)
 * without standing in a ward's way.
 */
#define MAX_VALIDITY_MINUTES  (7 * 24 * 60)
#define MAX_FREQUENCY_MINUTES (7 * 24 * 60)
#define MAX_DELAY_SECONDS     (24 * 60 * 60)
/* Ten years: a store is not an archive (the NDJSON export is). */
#define MAX_RETENTION_DAYS    (10 * 366)

G_DEFINE_QUARK (ward-policy-error-quark, ward_policy_error)

/* Refuses the file: "origin: message" in this reader's error domain. */
#define set_invalid(error, origin, ...) \
  ward_json_strict_fail ((error), WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID, (origin), __VA_ARGS__)

/* A number in [min, max] (min excluded when positive is TRUE), in units
 * of unit_usec, into *usec.
 */
static gboolean
read_duration (JsonNode    *node,
               const char  *origin,
               const char  *key,
               gboolean     positive,
               double       max,
               gint64       unit_usec,
               const char  *unit,
               gint64      *usec,
               GError     **error)
{
  double v;

  if (!ward_json_strict_is_number (node))
    return set_invalid (error, origin, "%s: expected a number of %s", key, unit);

  v = json_node_get_double (node);
  if ((positive && !(v > 0)) || (!positive && !(v >= 0)) || v > max)
    return set_invalid (error, origin, "%s: %g %s is out of range (%s%g %s at most)", key, v, unit,
                        positive ? "more than 0, " : "0 or more, ", max, unit);

  *usec = (gint64) (v * unit_usec + 0.5);
  return TRUE;
}

static gboolean
expect_object (JsonNode    *node,
               const char  *origin,
               const char  *key,
               GError     **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_invalid (error, origin, "%s: expected an object", key);

  return TRUE;
}

static gboolean
read_validity (JsonObject        *object,
               const char        *origin,
               WardWindowPolicy  *window,
               GError           **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *key = g_strdup_printf ("validity_minutes.%s", name);
      guint p;

      for (p = 0; p < WARD_NEWS2_N_PARAMS; p++)
        {
          if (g_str_equal (name, ward_news2_param_to_string (p)))
            break;
        }
      if (p == WARD_NEWS2_N_PARAMS)
        return set_invalid (error, origin, "%s: unknown parameter (rr, spo2, air_or_oxygen, sbp, "
                            "hr, consciousness, temp)", key);

      if (!read_duration (json_object_get_member (object, name), origin, key, TRUE,
                          MAX_VALIDITY_MINUTES, WARD_USEC_PER_MINUTE, "minutes",
                          &window->validity_usec[p], error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_flag (JsonObject      *object,
           const char      *origin,
           WardFlagPolicy  *flags,
           GError         **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *key = g_strdup_printf ("flag.%s", name);
      JsonNode *node = json_object_get_member (object, name);

      if (g_str_equal (name, "threshold"))
        {
          const char *band = ward_json_strict_get_string (node);

          if (band == NULL || !ward_band_from_string (band, &flags->threshold))
            return set_invalid (error, origin, "%s: expected low, low-medium, medium or high",
                                key);
        }
      else if (g_str_equal (name, "open_delay_seconds"))
        {
          if (!read_duration (node, origin, key, FALSE, MAX_DELAY_SECONDS, WARD_USEC_PER_SEC,
                              "seconds", &flags->open_delay_usec, error))
            return FALSE;
        }
      else if (g_str_equal (name, "close_delay_seconds"))
        {
          if (!read_duration (node, origin, key, FALSE, MAX_DELAY_SECONDS, WARD_USEC_PER_SEC,
                              "seconds", &flags->close_delay_usec, error))
            return FALSE;
        }
      else
        return set_invalid (error, origin, "%s: unknown key (threshold, open_delay_seconds, "
                            "close_delay_seconds)", key);
    }

  return TRUE;
}

static gboolean
read_frequency (JsonObject     *object,
                const char     *origin,
                WardObsPolicy  *obs,
                GError        **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *key = g_strdup_printf ("observation_frequency_minutes.%s", name);
      JsonNode *node = json_object_get_member (object, name);
      WardObsStep step;

      if (!ward_obs_step_from_string (name, &step))
        return set_invalid (error, origin, "%s: unknown score range (zero, low, low-medium, "
                            "medium, high)", key);

      if (ward_json_strict_get_string (node) != NULL)
        {
          if (!g_str_equal (ward_json_strict_get_string (node), "continuous"))
            return set_invalid (error, origin, "%s: expected a number of minutes or "
                                "\"continuous\"", key);
          obs->interval_usec[step] = 0;
        }
      else if (!read_duration (node, origin, key, TRUE, MAX_FREQUENCY_MINUTES,
                               WARD_USEC_PER_MINUTE, "minutes", &obs->interval_usec[step], error))
        return FALSE;
    }

  return TRUE;
}

gboolean
ward_policy_load_data (const char        *data,
                       gssize             length,
                       const char        *origin,
                       WardEngineConfig  *config,
                       GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;
  WardEngineConfig result;
  JsonObject *root;

  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (origin == NULL)
    origin = "policy";

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_PARSE, "%s: not JSON: %s", origin,
                   local_error->message);
      return FALSE;
    }

  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_PARSE,
                   "%s: expected a JSON object", origin);
      return FALSE;
    }

  /* Read into a copy: a refused file changes nothing. */
  result = *config;
  root = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (root);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (root, name);

      if (g_str_equal (name, "description"))
        {
          if (ward_json_strict_get_string (node) == NULL)
            return set_invalid (error, origin, "description: expected a string");
        }
      else if (g_str_equal (name, "validity_minutes"))
        {
          if (!expect_object (node, origin, name, error) ||
              !read_validity (json_node_get_object (node), origin, &result.window, error))
            return FALSE;
        }
      else if (g_str_equal (name, "manual_data_timeout_minutes"))
        {
          if (!read_duration (node, origin, name, TRUE, MAX_VALIDITY_MINUTES, WARD_USEC_PER_MINUTE,
                              "minutes", &result.window.manual_timeout_usec, error))
            return FALSE;
        }
      else if (g_str_equal (name, "flag"))
        {
          if (!expect_object (node, origin, name, error) ||
              !read_flag (json_node_get_object (node), origin, &result.flags, error))
            return FALSE;
        }
      else if (g_str_equal (name, "observation_frequency_minutes"))
        {
          if (!expect_object (node, origin, name, error) ||
              !read_frequency (json_node_get_object (node), origin, &result.obs, error))
            return FALSE;
        }
      else if (g_str_equal (name, "measurement_retention_days"))
        {
          /* 0 keeps raw measurements forever. */
          if (!read_duration (node, origin, name, FALSE, MAX_RETENTION_DAYS,
                              24 * WARD_USEC_PER_HOUR, "days",
                              &result.measurement_retention_usec, error))
            return FALSE;
        }
      else if (g_str_equal (name, "care"))
        {
          /* The care team's part (care/ward-routing.c) is read by the
           * care coordinator; it is checked here too, so that a file with
           * a bad care object is refused as a whole, at the same time.
           */
          g_autoptr(WardCarePolicy) care = ward_care_policy_new ();

          if (!ward_care_policy_load_json (care, node, origin, error))
            return FALSE;
        }
      else if (g_str_equal (name, "kiosk"))
        {
          /* The kiosk's part (care/ward-kiosk-guard.c) is read by the
           * window's kiosk; checked here so that a bad one refuses the file.
           */
          g_auto(WardKioskPolicy) kiosk = { 0 };

          ward_kiosk_policy_init (&kiosk);
          if (!ward_kiosk_policy_load_json (&kiosk, node, origin, error))
            return FALSE;
        }
      else if (g_str_equal (name, "models"))
        {
          /* Checked here, loaded when the engine starts (ward-model-config.h). */
          if (!ward_model_specs_parse_json (node, origin, NULL, NULL, error))
            return FALSE;
        }
      else
        return set_invalid (error, origin, "%s: unknown key (description, validity_minutes, "
                            "manual_data_timeout_minutes, flag, observation_frequency_minutes, "
                            "measurement_retention_days, care, models, kiosk)", name);
    }

  *config = result;
  return TRUE;
}

gboolean
ward_policy_load_file (const char        *path,
                       WardEngineConfig  *config,
                       GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "Ward policy: %s", local_error->message);
      return FALSE;
    }

  return ward_policy_load_data (data, (gssize) length, path, config, error);
}
