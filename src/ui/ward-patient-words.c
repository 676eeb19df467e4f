/* ward-patient-words.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-patient-words"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-patient-words.h"
#include "ward-bed-tile.h"

#include <string.h>

char *
_ward_patient_words_nhs_number (const char *nhs_number)
{
  char digits[11];
  guint n = 0;

  g_return_val_if_fail (nhs_number != NULL, NULL);

  /* Spaces or dashes as given are dropped; anything else is shown as it is. */
  for (const char *p = nhs_number; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '-')
        continue;
      if (!g_ascii_isdigit (*p) || n == 10)
        return g_strdup (nhs_number);
      digits[n++] = *p;
    }
  if (n != 10)
    return g_strdup (nhs_number);
  digits[n] = '\0';

  return g_strdup_printf ("%.3s %.3s %.4s", digits, digits + 3, digits + 6);
}

char *
_ward_patient_words_birth_date (const char *birth_date)
{
  g_autoptr(GDateTime) dt = NULL;
  guint year = 0, month = 0, day = 0;

  if (birth_date == NULL || !ward_birth_date_is_valid (birth_date))
    return NULL;

  /* Valid, so "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
  year = g_ascii_strtoull (birth_date, NULL, 10);
  if (strlen (birth_date) >= 7)
    month = g_ascii_strtoull (birth_date + 5, NULL, 10);
  if (strlen (birth_date) >= 10)
    day = g_ascii_strtoull (birth_date + 8, NULL, 10);

  /* A calendar date, not an instant: no time zone moves it. */
  dt = g_date_time_new_utc (year, month != 0 ? month : 1, day != 0 ? day : 1, 0, 0, 0);
  if (dt == NULL)
    return NULL;

  if (month == 0)
    return g_strdup_printf ("%04u", year);
  if (day == 0)
    /* Translators: a birth date of which only the month is known, a
     * strftime() format: "Mar 1950" */
    return g_date_time_format (dt, C_("birth date", "%b %Y"));

  /* Translators: a date of birth, a strftime() format; a month name, not
   * its number, so that 03/12 cannot be read the wrong way round: "12-Mar-1950" */
  return g_date_time_format (dt, C_("birth date", "%d-%b-%Y"));
}

char *
_ward_patient_words_identity (const WardBedState *bed,
                              gint64              now,
                              const char         *separator)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *born = NULL;

  g_return_val_if_fail (bed != NULL, NULL);
  g_return_val_if_fail (separator != NULL, NULL);

  if (bed->hospital_number != NULL && *bed->hospital_number != '\0')
    /* Translators: the patient's hospital number (local identifier, MRN) */
    g_string_append_printf (text, _("Hospital no. %s"), bed->hospital_number);

  if (bed->nhs_number != NULL && *bed->nhs_number != '\0')
    {
      g_autofree char *nhs = _ward_patient_words_nhs_number (bed->nhs_number);

      if (text->len > 0)
        g_string_append (text, separator);
      /* Translators: the patient's NHS number, "NHS no. 943 476 5919" */
      g_string_append_printf (text, _("NHS no. %s"), nhs);
    }

  born = _ward_patient_words_birth_date (bed->birth_date);
  if (born != NULL)
    {
      int age = bed->age >= 0 ? bed->age : ward_age_in_years (bed->birth_date, now);

      if (text->len > 0)
        g_string_append (text, separator);
      if (age >= 0)
        /* Translators: the date of birth and the age in full years, "Born 12-Mar-1950 (76 y)" */
        g_string_append_printf (text, _("Born %s (%d y)"), born, age);
      else
        /* Translators: the date of birth, "Born 12-Mar-1950" */
        g_string_append_printf (text, _("Born %s"), born);
    }

  if (text->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
_ward_patient_words_context (const WardBedState *bed,
                             gint64              now)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *identity = NULL;
  g_autofree char *born = NULL;

  g_return_val_if_fail (bed != NULL, NULL);

  identity = _ward_patient_words_identity (bed, now, " · ");
  born = _ward_patient_words_birth_date (bed->birth_date);

  if (identity != NULL)
    g_string_append (text, identity);

  /* The age, where the birth date did not already say it. */
  if (bed->age >= 0 && born == NULL)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      /* Translators: a patient's age in full years, "54 y". */
      g_string_append_printf (text, _("%d y"), bed->age);
    }

  if (bed->news2_not_applicable)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append (text, _("NEWS2 not validated under 16"));
    }

  if (text->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
_ward_patient_words_obs_due (const WardBedState *bed,
                             gint64              now,
                             gboolean           *overdue)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *clock = NULL;

  g_return_val_if_fail (bed != NULL, NULL);

  if (overdue != NULL)
    *overdue = FALSE;

  if (bed->obs_continuous)
    return g_strdup (_("Continuous monitoring"));

  if (bed->obs_due_at == 0)
    return NULL;

  if (bed->obs_due_at <= now)
    {
      g_autofree char *late = _ward_format_age (now - bed->obs_due_at);

      if (overdue != NULL)
        *overdue = TRUE;
      /* Translators: a set of observations is late by %s, "Obs overdue 25 min" */
      return g_strdup_printf (_("Obs overdue %s"), late);
    }

  dt = g_date_time_new_from_unix_local (bed->obs_due_at / G_USEC_PER_SEC);
  clock = dt != NULL ? g_date_time_format (dt, "%H:%M") : g_strdup ("—");

  /* Translators: the next set of observations is due at a time of day, "Obs due 14:30" */
  return g_strdup_printf (_("Obs due %s"), clock);
}
