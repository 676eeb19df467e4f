/* ward-clinical.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* The clinical constants every layer shares, in one place: what values
 * of each measurement kind are possible at all (the device mapping drops
 * the rest, scoring refuses them, the patient view does not let them be
 * typed), and per NEWS2 band its stable key, its words on screen and its
 * colour.  Facts: reference/clinical/CLINICAL.md.
 */

/* Physically possible values of one measurement kind: wide on purpose, a
 * septic patient's heart rate of 180 is real, -3 or 900 is a broken
 * sensor or a typing error.  Both limits are included.
 */
typedef struct
{
  WardMeasKind  kind;
  double        min;
  double        max;
  const char   *unit;       /* as in error messages: "/min", "%", "mmHg", "C", "L/min", "" */
  gboolean      whole;      /* only whole numbers (ACVPU, air/oxygen) */
} WardPlausibleRange;

/* One NEWS2 band as it is shown. */
typedef struct
{
  WardBand      band;
  const char   *key;        /* stable: "low-medium", as stored and in JSON */
  const char   *title;      /* untranslated msgid, context "NEWS2 band": "Low-medium" */
  const char   *phrase;     /* untranslated msgid, context "NEWS2 band in a sentence" */
  const char   *css_class;  /* "band-low-medium"; data/style.css colours it */
  const char   *color;      /* the libadwaita palette colour of that class: "@yellow_3" */
} WardBandInfo;

const WardPlausibleRange *ward_clinical_get_range         (WardMeasKind  kind);
gboolean                  ward_clinical_is_plausible      (WardMeasKind  kind,
                                                           double        value);

const WardBandInfo       *ward_clinical_get_band          (WardBand      band);
const char               *ward_clinical_band_title        (WardBand      band);
const char               *ward_clinical_band_phrase       (WardBand      band);
const char               *ward_clinical_flag_band_phrase  (WardBand      band);
const char               *ward_clinical_band_css_class    (WardBand      band);

G_END_DECLS
