/* ward-clinical.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-clinical"

#include "config.h"

#include "ward-clinical.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* Impossible values, not alarming ones: these limits reject sensor
 * garbage and typing errors, never a sick patient.  Blood pressures share
 * one range, so a systolic of 300 and a diastolic of 10 both pass.
 */
static const WardPlausibleRange ranges[WARD_MEAS_N_KINDS] = {
  [WARD_MEAS_HR] = { WARD_MEAS_HR, 0, 350, "/min", FALSE },
  [WARD_MEAS_RR] = { WARD_MEAS_RR, 0, 120, "/min", FALSE },
  [WARD_MEAS_SPO2] = { WARD_MEAS_SPO2, 0, 100, "%", FALSE },
  [WARD_MEAS_SBP] = { WARD_MEAS_SBP, 0, 350, "mmHg", FALSE },
  [WARD_MEAS_DBP] = { WARD_MEAS_DBP, 0, 350, "mmHg", FALSE },
  [WARD_MEAS_MAP] = { WARD_MEAS_MAP, 0, 350, "mmHg", FALSE },
  [WARD_MEAS_TEMP] = { WARD_MEAS_TEMP, 25, 45, "C", FALSE },
  [WARD_MEAS_CONSCIOUSNESS] = { WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT,
                                WARD_ACVPU_UNRESPONSIVE, "", TRUE },
  [WARD_MEAS_ON_OXYGEN] = { WARD_MEAS_ON_OXYGEN, 0, 1, "", TRUE },
  [WARD_MEAS_O2_FLOW] = { WARD_MEAS_O2_FLOW, 0, 70, "L/min", FALSE },
};

/* The band words are marked here and translated where they are shown
 * (ward_clinical_band_title(), _phrase()); the colours are libadwaita's
 * palette, used by data/style.css for each class (a unit test checks it).
 */
static const WardBandInfo bands[] = {
  { WARD_BAND_LOW, "low", NC_("NEWS2 band", "Low"), NC_("NEWS2 band in a sentence", "low"),
    "band-low", "@green_3" },
  { WARD_BAND_LOW_MEDIUM, "low-medium", NC_("NEWS2 band", "Low-medium"),
    NC_("NEWS2 band in a sentence", "low-medium"), "band-low-medium", "@yellow_3" },
  { WARD_BAND_MEDIUM, "medium", NC_("NEWS2 band", "Medium"),
    NC_("NEWS2 band in a sentence", "medium"), "band-medium", "@orange_3" },
  { WARD_BAND_HIGH, "high", NC_("NEWS2 band", "High"), NC_("NEWS2 band in a sentence", "high"),
    "band-high", "@red_3" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (bands) == WARD_BAND_HIGH + 1);

/**
 * ward_clinical_get_range:
 *
 * Returns: (nullable): the plausible range of @kind, or %NULL for an
 *   unknown kind
 */
const WardPlausibleRange *
ward_clinical_get_range (WardMeasKind kind)
{
  if ((guint) kind >= WARD_MEAS_N_KINDS)
    return NULL;

  return &ranges[kind];
}

gboolean
ward_clinical_is_plausible (WardMeasKind kind,
                            double       value)
{
  const WardPlausibleRange *range = ward_clinical_get_range (kind);

  if (range == NULL || !isfinite (value))
    return FALSE;
  if (range->whole && value != floor (value))
    return FALSE;

  return value >= range->min && value <= range->max;
}

const WardBandInfo *
ward_clinical_get_band (WardBand band)
{
  g_return_val_if_fail ((guint) band <= WARD_BAND_HIGH, &bands[WARD_BAND_LOW]);

  return &bands[band];
}

/* "Low-medium": the band on its own (a badge, a title), translated. */
const char *
ward_clinical_band_title (WardBand band)
{
  return g_dpgettext2 (GETTEXT_PACKAGE, "NEWS2 band", ward_clinical_get_band (band)->title);
}

/* "low-medium": the band inside a sentence, where most languages want
 * lower case, translated.
 */
const char *
ward_clinical_band_phrase (WardBand band)
{
  return g_dpgettext2 (GETTEXT_PACKAGE, "NEWS2 band in a sentence",
                       ward_clinical_get_band (band)->phrase);
}

/* "high" as a flag's band, "flag high": languages whose adjectives agree
 * with the noun need their own words here (French "alerte élevée", where
 * the score is "élevé"), translated.
 */
const char *
ward_clinical_flag_band_phrase (WardBand band)
{
  static const char * const phrases[] = {
    [WARD_BAND_LOW] = NC_("NEWS2 band of a flag", "low"),
    [WARD_BAND_LOW_MEDIUM] = NC_("NEWS2 band of a flag", "low-medium"),
    [WARD_BAND_MEDIUM] = NC_("NEWS2 band of a flag", "medium"),
    [WARD_BAND_HIGH] = NC_("NEWS2 band of a flag", "high"),
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (phrases) == WARD_BAND_HIGH + 1);

  g_return_val_if_fail ((guint) band <= WARD_BAND_HIGH, "");

  return g_dpgettext2 (GETTEXT_PACKAGE, "NEWS2 band of a flag", phrases[band]);
}

const char *
ward_clinical_band_css_class (WardBand band)
{
  return ward_clinical_get_band (band)->css_class;
}
