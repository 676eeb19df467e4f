/* ward-types.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-types"

#include "config.h"

#include "ward-types.h"
#include "ward-clinical.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

static const char * const meas_names[] = {
  "hr", "rr", "spo2", "sbp", "dbp", "map", "temp", "consciousness", "on_oxygen", "o2_flow",
};
static const char * const news2_names[] = {
  "rr", "spo2", "air_or_oxygen", "sbp", "hr", "consciousness", "temp",
};

G_STATIC_ASSERT (G_N_ELEMENTS (meas_names) == WARD_MEAS_N_KINDS);
G_STATIC_ASSERT (G_N_ELEMENTS (news2_names) == WARD_NEWS2_N_PARAMS);

const char *
ward_band_to_string (WardBand band)
{
  g_return_val_if_fail (band <= WARD_BAND_HIGH, NULL);

  return ward_clinical_get_band (band)->key;
}

gboolean
ward_band_from_string (const char *str,
                       WardBand   *band)
{
  g_return_val_if_fail (band != NULL, FALSE);

  for (guint i = 0; str != NULL && i <= WARD_BAND_HIGH; i++)
    {
      if (strcmp (str, ward_clinical_get_band (i)->key) == 0)
        {
          *band = (WardBand) i;
          return TRUE;
        }
    }

  return FALSE;
}

char
ward_acvpu_to_letter (WardAcvpu acvpu)
{
  g_return_val_if_fail (acvpu <= WARD_ACVPU_UNRESPONSIVE, '?');

  return "ACVPU"[acvpu];
}

gboolean
ward_acvpu_from_string (const char *str,
                        WardAcvpu  *acvpu)
{
  const char *p;

  g_return_val_if_fail (acvpu != NULL, FALSE);

  if (str == NULL || str[0] == '\0' || str[1] != '\0')
    return FALSE;

  p = strchr ("ACVPU", g_ascii_toupper (str[0]));
  if (p == NULL)
    return FALSE;

  *acvpu = (WardAcvpu) (p - "ACVPU");
  return TRUE;
}

const char *
ward_source_to_string (WardSource source)
{
  return source == WARD_SOURCE_NURSE ? "nurse" : "device";
}

const char *
ward_meas_kind_to_string (WardMeasKind kind)
{
  g_return_val_if_fail (kind < WARD_MEAS_N_KINDS, NULL);

  return meas_names[kind];
}

gboolean
ward_meas_kind_from_string (const char   *str,
                            WardMeasKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (meas_names); i++)
    {
      if (strcmp (str, meas_names[i]) == 0)
        {
          *kind = (WardMeasKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
ward_news2_param_to_string (WardNews2Param param)
{
  g_return_val_if_fail (param < WARD_NEWS2_N_PARAMS, NULL);

  return news2_names[param];
}

char *
ward_time_format_iso8601 (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / WARD_USEC_PER_SEC);
  gint64 frac_ms;

  if (dt == NULL)
    return g_strdup ("invalid");

  frac_ms = (usec % WARD_USEC_PER_SEC) / 1000;
  if (frac_ms < 0)
    frac_ms += 1000;

  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt),
                          g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt),
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt),
                          g_date_time_get_second (dt),
                          (int) frac_ms);
}

gboolean
ward_time_parse_iso8601 (const char *str,
                         gint64     *usec)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  g_return_val_if_fail (usec != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (str, utc);
  if (dt == NULL)
    return FALSE;

  /* g_date_time_to_unix_usec() is GLib 2.80; bookworm has 2.74. */
  *usec = g_date_time_to_unix (dt) * WARD_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

/* Parses a FHIR date; absent parts are 0.  FALSE unless it is one. */
static gboolean
parse_fhir_date (const char *text,
                 guint      *year,
                 guint      *month,
                 guint      *day)
{
  gsize len;

  *year = *month = *day = 0;
  if (text == NULL)
    return FALSE;

  len = strlen (text);
  if (len != 4 && len != 7 && len != 10)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      gboolean dash = i == 4 || i == 7;

      if (dash ? text[i] != '-' : !g_ascii_isdigit (text[i]))
        return FALSE;
    }

  *year = (guint) g_ascii_digit_value (text[0]) * 1000 + (guint) g_ascii_digit_value (text[1]) * 100
        + (guint) g_ascii_digit_value (text[2]) * 10 + (guint) g_ascii_digit_value (text[3]);
  if (len >= 7)
    *month = (guint) g_ascii_digit_value (text[5]) * 10 + (guint) g_ascii_digit_value (text[6]);
  if (len == 10)
    *day = (guint) g_ascii_digit_value (text[8]) * 10 + (guint) g_ascii_digit_value (text[9]);

  if (*year < 1 || (len >= 7 && (*month < 1 || *month > 12)))
    return FALSE;
  if (len == 10 && !g_date_valid_dmy ((GDateDay) *day, (GDateMonth) *month, (GDateYear) *year))
    return FALSE;

  return TRUE;
}

gboolean
ward_birth_date_is_valid (const char *birth_date)
{
  guint year, month, day;

  return parse_fhir_date (birth_date, &year, &month, &day);
}

int
ward_age_in_years (const char *birth_date,
                   gint64      at_usec)
{
  g_autoptr(GDateTime) at = NULL;
  guint year, month, day;
  int age;

  if (!parse_fhir_date (birth_date, &year, &month, &day))
    return -1;

  /* The first day the date allows: the oldest the patient can be. */
  if (month == 0)
    month = 1;
  if (day == 0)
    day = 1;

  at = g_date_time_new_from_unix_utc (at_usec / WARD_USEC_PER_SEC);
  if (at == NULL)
    return -1;

  age = g_date_time_get_year (at) - (int) year;
  /* Born on 29 February: a year older on 1 March in common years. */
  if ((guint) g_date_time_get_month (at) < month ||
      ((guint) g_date_time_get_month (at) == month &&
       (guint) g_date_time_get_day_of_month (at) < day))
    age--;

  return age >= 0 ? age : -1;
}

gboolean
ward_read_secret_file (const char  *path,
                       char       **secret,
                       GError     **error)
{
  g_autofree char *contents = NULL;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  if (g_stat (path, &st) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "%s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  if ((st.st_mode & 0077) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   "%s can be read by others: make it readable by you only (chmod 600)", path);
      return FALSE;
    }

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;

  g_free (*secret);
  *secret = g_strdup (g_strstrip (contents));
  return TRUE;
}
