/* ward-hl7-codes.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-hl7-mapper"

#include "config.h"

#include "ward-hl7-codes-private.h"

#include <math.h>
#include <string.h>

#define MDC(partition, code) (((guint32) (partition) << 16) | (code))

static const WardHl7Code codes[] = {
  /* Heart rate and pulse rate. */
  { 147842, "", "MDC_ECG_HEART_RATE", WARD_HL7_KIND_HR, "hr", "ecg", 0 },
  { 147842, "", "MDC_ECG_CARD_BEAT_RATE", WARD_HL7_KIND_HR, "hr", "ecg", 0 },
  { 0, "8867-4", NULL, WARD_HL7_KIND_HR, "hr", "unspecified", 1 },
  { 149530, "", "MDC_PULS_OXIM_PULS_RATE", WARD_HL7_KIND_PULSE, "pulse", "spo2", 2 },
  { MDC (2, 0x4822), "", NULL, WARD_HL7_KIND_PULSE, "pulse", "spo2", 2 },     /* Philips pleth pulse */
  { MDC (2, 0xF09D), "", NULL, WARD_HL7_KIND_PULSE, "pulse", "spo2", 2 },     /* Philips telemetry */
  { 0, "8889-8", NULL, WARD_HL7_KIND_PULSE, "pulse", "spo2", 2 },
  { 149514, "", "MDC_PULS_RATE", WARD_HL7_KIND_PULSE, "pulse", "unspecified", 2 },
  { 149546, "", "MDC_PULS_RATE_NON_INV", WARD_HL7_KIND_PULSE, "pulse", "nibp", 3 },
  { MDC (2, 0xF0E5), "", NULL, WARD_HL7_KIND_PULSE, "pulse", "nibp", 3 },     /* Philips NIBP pulse */

  /* Respiratory rate: measured first, derived and ventilator rates after. */
  { 151578, "", "MDC_TTHOR_RESP_RATE", WARD_HL7_KIND_RR, "rr", "impedance", 0 },
  { 151562, "", "MDC_RESP_RATE", WARD_HL7_KIND_RR, "rr", "unspecified", 0 },
  { 0, "9279-1", NULL, WARD_HL7_KIND_RR, "rr", "unspecified", 0 },
  { 151570, "", "MDC_AWAY_RESP_RATE", WARD_HL7_KIND_RR, "rr", "airway", 0 },
  { 151594, "", "MDC_CO2_RESP_RATE", WARD_HL7_KIND_RR, "rr", "capnography", 0 },
  { 151586, "", "MDC_VENT_RESP_RATE", WARD_HL7_KIND_RR, "rr", "ventilator", 1 },
  { MDC (2, 0xF0E2), "", NULL, WARD_HL7_KIND_RR, "rr", "spirometry", 1 },    /* Philips awRR spiro */
  { MDC (2, 0xF0F1), "", NULL, WARD_HL7_KIND_RR, "rr", "ventilator", 1 },    /* Philips mandatory */

  /* SpO2. */
  { 150456, "2708-6", "MDC_PULS_OXIM_SAT_O2", WARD_HL7_KIND_SPO2, "spo2", NULL, 0 },
  { 0, "59408-5", NULL, WARD_HL7_KIND_SPO2, "spo2", NULL, 0 },
  { MDC (2, 0xF09C), "", NULL, WARD_HL7_KIND_SPO2, "spo2", NULL, 0 },        /* Philips telemetry */

  /* Non-invasive blood pressure. */
  { 150301, "8480-6", "MDC_PRESS_CUFF_SYS", WARD_HL7_KIND_BP, "systolic", NULL, 0 },
  { 150302, "8462-4", "MDC_PRESS_CUFF_DIA", WARD_HL7_KIND_BP, "diastolic", NULL, 0 },
  { 150303, "8478-0", "MDC_PRESS_CUFF_MEAN", WARD_HL7_KIND_BP, "mean", NULL, 0 },
  { 150021, "", "MDC_PRESS_BLD_NONINV_SYS", WARD_HL7_KIND_BP, "systolic", NULL, 0 },
  { 150022, "", "MDC_PRESS_BLD_NONINV_DIA", WARD_HL7_KIND_BP, "diastolic", NULL, 0 },
  { 150023, "", "MDC_PRESS_BLD_NONINV_MEAN", WARD_HL7_KIND_BP, "mean", NULL, 0 },
  /* The generic blood pressure codes, as monitors send them for NIBP. */
  { 150017, "", "MDC_PRESS_BLD_SYS", WARD_HL7_KIND_BP, "systolic", NULL, 0 },
  { 150018, "", "MDC_PRESS_BLD_DIA", WARD_HL7_KIND_BP, "diastolic", NULL, 0 },
  { 150019, "", "MDC_PRESS_BLD_MEAN", WARD_HL7_KIND_BP, "mean", NULL, 0 },
  { MDC (2, 0xF0A1), "", NULL, WARD_HL7_KIND_BP, "systolic", NULL, 0 },      /* Philips telemetry */
  { MDC (2, 0xF0A2), "", NULL, WARD_HL7_KIND_BP, "diastolic", NULL, 0 },
  { MDC (2, 0xF0A3), "", NULL, WARD_HL7_KIND_BP, "mean", NULL, 0 },

  /* Invasive arterial pressure: kept, not scored. */
  { 150033, "", "MDC_PRESS_BLD_ART_SYS", WARD_HL7_KIND_ABP, "systolic", NULL, 0 },
  { 150034, "", "MDC_PRESS_BLD_ART_DIA", WARD_HL7_KIND_ABP, "diastolic", NULL, 0 },
  { 150035, "", "MDC_PRESS_BLD_ART_MEAN", WARD_HL7_KIND_ABP, "mean", NULL, 0 },
  { 150037, "", "MDC_PRESS_BLD_ART_ABP_SYS", WARD_HL7_KIND_ABP, "systolic", NULL, 0 },
  { 150038, "", "MDC_PRESS_BLD_ART_ABP_DIA", WARD_HL7_KIND_ABP, "diastolic", NULL, 0 },
  { 150039, "", "MDC_PRESS_BLD_ART_ABP_MEAN", WARD_HL7_KIND_ABP, "mean", NULL, 0 },

  /* Body temperature, by site; skin and generic probes are not body temperature. */
  { 150344, "8310-5", "MDC_TEMP", WARD_HL7_KIND_TEMP, "temperature", "body", 0 },
  { 150364, "", "MDC_TEMP_BODY", WARD_HL7_KIND_TEMP, "temperature", "body", 0 },
  { 188496, "8328-7", "MDC_TEMP_AXIL", WARD_HL7_KIND_TEMP, "temperature", "axillary", 0 },
  { MDC (2, 0xF10C), "", NULL, WARD_HL7_KIND_TEMP, "temperature", "axillary", 0 },  /* Philips */
  { MDC (2, 0xF118), "", NULL, WARD_HL7_KIND_TEMP, "temperature", "axillary", 0 },  /* predictive */
  { MDC (2, 0xF108), "8331-1", NULL, WARD_HL7_KIND_TEMP, "temperature", "oral", 0 },
  { MDC (2, 0xF110), "", NULL, WARD_HL7_KIND_TEMP, "temperature", "oral", 0 },      /* predictive */
  { 188420, "8332-9", "MDC_TEMP_RECT", WARD_HL7_KIND_TEMP, "temperature", "rectal", 0 },
  { MDC (2, 0xF114), "", NULL, WARD_HL7_KIND_TEMP, "temperature", "rectal", 0 },    /* predictive */
  { 150392, "8333-7", "MDC_TEMP_TYMP", WARD_HL7_KIND_TEMP, "temperature", "tympanic", 0 },
  { 150368, "8329-5", "MDC_TEMP_CORE", WARD_HL7_KIND_TEMP, "temperature", "core", 0 },
  { 150372, "", "MDC_TEMP_ESOPH", WARD_HL7_KIND_TEMP, "temperature", "oesophageal", 0 },
  { 150380, "", "MDC_TEMP_NASOPH", WARD_HL7_KIND_TEMP, "temperature", "nasopharyngeal", 0 },
  { MDC (2, 0xF0C4), "", NULL, WARD_HL7_KIND_TEMP, "temperature", "bladder", 0 },   /* Philips */

  /* Oxygen therapy and consciousness (nurse-entered, through interfaces). */
  { 0, "3151-8", NULL, WARD_HL7_KIND_O2_FLOW, "flow", NULL, 0 },
  { 152196, "3150-0", "MDC_CONC_AWAY_O2_INSP", WARD_HL7_KIND_FIO2, "fio2", NULL, 0 },
  { 0, "67775-7", NULL, WARD_HL7_KIND_ACVPU, "acvpu", NULL, 0 },
};

static const WardHl7Unit units[] = {
  { MDC (4, 0x0AA0), "MDC_DIM_BEAT_PER_MIN", "{beats}/min|{beat}/min|{heartbeats}/min|bpm|beats/min|/min{beats}",
    WARD_HL7_DIM_BEATS_PER_MIN, 1, 0 },
  { MDC (4, 0x0AC0), "MDC_DIM_PULS_PER_MIN", "{pulses}/min|{pulse}/min", WARD_HL7_DIM_BEATS_PER_MIN, 1, 0 },
  { MDC (4, 0x0AE0), "MDC_DIM_RESP_PER_MIN", "{breaths}/min|{breath}/min|{resp}/min|rpm|breaths/min|br/min",
    WARD_HL7_DIM_BREATHS_PER_MIN, 1, 0 },
  { MDC (4, 0x09E0), "MDC_DIM_PER_MIN", "/min|1/min|min-1", WARD_HL7_DIM_PER_MIN, 1, 0 },
  { MDC (4, 0x0220), "MDC_DIM_PERCENT", "%", WARD_HL7_DIM_PERCENT, 1, 0 },
  { MDC (4, 0x0F20), "MDC_DIM_MMHG", "mm[Hg]|mmHg|mm Hg", WARD_HL7_DIM_PRESSURE, 1, 0 },
  { MDC (4, 0x0F03), "MDC_DIM_KILO_PASCAL", "kPa", WARD_HL7_DIM_PRESSURE, 7.500617, 0 },
  { MDC (4, 0x0F02), "MDC_DIM_HECTO_PASCAL", "hPa", WARD_HL7_DIM_PRESSURE, 0.7500617, 0 },
  { MDC (4, 0x17A0), "MDC_DIM_DEGC", "Cel|degC|\xc2\xb0" "C", WARD_HL7_DIM_TEMPERATURE, 1, 0 },
  /* MDC_DIM_FAHR is term 4416 (0x1140) of partition 4: 266560. */
  { MDC (4, 0x1140), "MDC_DIM_FAHR", "[degF]|degF|\xc2\xb0" "F", WARD_HL7_DIM_TEMPERATURE, 5.0 / 9.0, -32.0 * 5.0 / 9.0 },
  { MDC (4, 0x1120), "MDC_DIM_KELVIN", "K", WARD_HL7_DIM_TEMPERATURE, 1, -273.15 },
  { MDC (4, 0x0C00), "MDC_DIM_X_L_PER_MIN", "L/min|l/min", WARD_HL7_DIM_FLOW, 1, 0 },
};

/* SNOMED CT answers to LOINC 67775-7 (CLINICAL.md section 3). */
static const struct {
  const char *snomed;
  const char *letter;
} acvpu_answers[] = {
  { "248234008", "A" },
  { "130987000", "C" },
  { "300202002", "V" },
  { "450847001", "P" },
  { "422768004", "U" },
};

/* LOINC panels: header rows with no value of their own. */
static const char *loinc_panels[] = { "85353-1", "85354-9", "34566-0", "8716-3" };

static gboolean
is_all_digits (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;

  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;

  return TRUE;
}

/* Philips MDIL: "0002-4182" = partition 2, term code 0x4182. */
static gboolean
parse_mdil (const char *s,
            guint32    *mdc)
{
  const char *dash;
  guint64 partition, term;
  char *end = NULL;

  if (s == NULL)
    return FALSE;

  dash = strchr (s, '-');
  if (dash == NULL || dash == s || dash - s > 4 || strlen (dash + 1) == 0 || strlen (dash + 1) > 4)
    return FALSE;

  for (const char *p = s; *p != '\0'; p++)
    if (p != dash && !g_ascii_isxdigit (*p))
      return FALSE;

  partition = g_ascii_strtoull (s, &end, 16);
  if (end != dash)
    return FALSE;
  term = g_ascii_strtoull (dash + 1, &end, 16);
  if (*end != '\0')
    return FALSE;

  *mdc = MDC (partition, term);
  return TRUE;
}

static gboolean
parse_mdc (const char *s,
           guint32    *mdc)
{
  guint64 v;

  if (!is_all_digits (s) || strlen (s) > 10)
    return FALSE;

  v = g_ascii_strtoull (s, NULL, 10);
  if (v > G_MAXUINT32)
    return FALSE;

  *mdc = (guint32) v;
  return TRUE;
}

static gboolean
is_system (const char *system,
           const char *name)
{
  return system != NULL && g_ascii_strcasecmp (system, name) == 0;
}

static gboolean
is_mdc_system (const char *system)
{
  return is_system (system, "MDC") || is_system (system, "urn:iso:std:iso:11073:10101");
}

static gboolean
is_loinc_system (const char *system)
{
  return is_system (system, "LN") || is_system (system, "LOINC") ||
         is_system (system, "http://loinc.org");
}

/* A numeric MDC code from an identifier in any of the forms we meet. */
static gboolean
identifier_to_mdc (const char *id,
                   const char *system,
                   guint32    *mdc)
{
  if (is_system (system, "MDIL") || (system == NULL && strchr (id, '-') != NULL))
    return parse_mdil (id, mdc);

  if (is_mdc_system (system) || system == NULL)
    return parse_mdc (id, mdc) || parse_mdil (id, mdc);

  return FALSE;
}


/* An MDC reference id names one code whatever the coding system that
 * comes with it: the prefix is the namespace.
 */
static const WardHl7Code *
code_by_refid (const char *refid)
{
  if (refid == NULL || !g_str_has_prefix (refid, "MDC_"))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if (codes[i].refid != NULL && strcmp (codes[i].refid, refid) == 0)
      return &codes[i];

  return NULL;
}

static const WardHl7Code *
lookup_code_triplet (const char    *id,
                     const char    *text,
                     const char    *system,
                     guint32       *mdc_out,
                     WardHl7Lookup *how)
{
  const WardHl7Code *by_name;
  guint32 mdc = 0;

  *how = WARD_HL7_LOOKUP_UNKNOWN;

  if (id != NULL && is_loinc_system (system))
    {
      for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
        if (codes[i].loinc != NULL && strcmp (codes[i].loinc, id) == 0)
          {
            *how = WARD_HL7_LOOKUP_FOUND;
            return &codes[i];
          }
      return NULL;
    }

  if (id != NULL && identifier_to_mdc (id, system, &mdc))
    {
      *mdc_out = mdc;
      /* 0 is no code: the LOINC-only rows of the table have it. */
      for (guint i = 0; i < G_N_ELEMENTS (codes) && mdc != 0; i++)
        if (codes[i].mdc == mdc)
          {
            /* A number and a name that are two different codes: which
             * one the device meant cannot be told.  (The name is looked
             * up only when it is not this code's own.)
             */
            by_name = g_strcmp0 (text, codes[i].refid) != 0 ? code_by_refid (text) : NULL;
            *how = by_name != NULL && by_name->mdc != mdc ? WARD_HL7_LOOKUP_CONFLICT
                                                           : WARD_HL7_LOOKUP_FOUND;
            return &codes[i];
          }

      /* Some monitors send a number of their own (or 0) with the MDC
       * reference id: the name is the code then.
       */
      by_name = code_by_refid (text);
      if (by_name != NULL)
        *how = WARD_HL7_LOOKUP_BY_NAME;
      return by_name;
    }

  by_name = code_by_refid (text);

  /* An MDC code sent by reference id only, in the identifier or the text. */
  if (id != NULL && code_by_refid (id) != NULL)
    {
      *how = WARD_HL7_LOOKUP_FOUND;
      return code_by_refid (id);
    }
  if (by_name != NULL && (id == NULL || is_mdc_system (system)))
    {
      *how = WARD_HL7_LOOKUP_FOUND;
      return by_name;
    }
  if (by_name != NULL)
    {
      /* A vendor's own code with the MDC name beside it. */
      *how = WARD_HL7_LOOKUP_BY_NAME;
      return by_name;
    }

  return NULL;
}

void
_ward_hl7_coded_clear (WardHl7Coded *coded)
{
  for (guint i = 0; i < G_N_ELEMENTS (coded->c); i++)
    g_clear_pointer (&coded->c[i], g_free);
}

const WardHl7Code *
_ward_hl7_lookup_code (const WardHl7Coded *coded,
                       guint32            *mdc,
                       WardHl7Lookup      *how)
{
  const WardHl7Code *info;

  *mdc = 0;
  info = lookup_code_triplet (coded->c[0], coded->c[1], coded->c[2], mdc, how);
  if (info == NULL && (coded->c[3] != NULL || coded->c[4] != NULL))
    {
      guint32 alt_mdc = 0;

      info = lookup_code_triplet (coded->c[3], coded->c[4], coded->c[5], &alt_mdc, how);
      if (info != NULL || *mdc == 0)
        *mdc = alt_mdc;
    }

  return info;
}

/* Whether s is one of the '|'-separated spellings, ignoring ASCII case.
 * Every OBX asks: no allocation.
 */
static gboolean
is_spelling (const char *spellings,
             const char *s)
{
  gsize len = strlen (s);

  for (const char *p = spellings; *p != '\0';)
    {
      const char *bar = strchr (p, '|');
      gsize n = bar != NULL ? (gsize) (bar - p) : strlen (p);

      if (n == len && g_ascii_strncasecmp (p, s, n) == 0)
        return TRUE;
      if (bar == NULL)
        break;
      p = bar + 1;
    }

  return FALSE;
}

/* The unit that a name (reference id or spelling) gives, or NULL. */
static const WardHl7Unit *
unit_by_name (const char *s)
{
  if (s == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (strcmp (units[i].refid, s) == 0 || is_spelling (units[i].ucum, s))
      return &units[i];

  return NULL;
}

/* Two units that give the same number for the same reading: /min and
 * {beats}/min are one rate, degC and degF are not one temperature.
 */
static gboolean
units_agree (const WardHl7Unit *a,
             const WardHl7Unit *b)
{
  gboolean a_rate = a->dim == WARD_HL7_DIM_PER_MIN || a->dim == WARD_HL7_DIM_BEATS_PER_MIN ||
                    a->dim == WARD_HL7_DIM_BREATHS_PER_MIN;
  gboolean b_rate = b->dim == WARD_HL7_DIM_PER_MIN || b->dim == WARD_HL7_DIM_BEATS_PER_MIN ||
                    b->dim == WARD_HL7_DIM_BREATHS_PER_MIN;

  if (a == b)
    return TRUE;

  return (a->dim == b->dim || (a_rate && b_rate)) && a->scale == b->scale && a->offset == b->offset;
}

static const WardHl7Unit *
lookup_unit_triplet (const char    *id,
                     const char    *text,
                     const char    *system,
                     WardHl7Lookup *how)
{
  const WardHl7Unit *by_text = unit_by_name (text);
  guint32 mdc;

  *how = WARD_HL7_LOOKUP_UNKNOWN;

  if (id != NULL && !is_system (system, "UCUM") && identifier_to_mdc (id, system, &mdc))
    {
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (units[i].mdc == mdc)
          {
            *how = by_text != NULL && !units_agree (&units[i], by_text) ? WARD_HL7_LOOKUP_CONFLICT
                                                                          : WARD_HL7_LOOKUP_FOUND;
            return &units[i];
          }

      /* A number we do not know (a vendor's, or a wrong one) with a
       * name we do: the name is the unit.
       */
      if (by_text != NULL)
        *how = WARD_HL7_LOOKUP_BY_NAME;
      return by_text;
    }

  if (unit_by_name (id) != NULL)
    {
      const WardHl7Unit *by_id = unit_by_name (id);

      *how = by_text != NULL && !units_agree (by_id, by_text) ? WARD_HL7_LOOKUP_CONFLICT
                                                              : WARD_HL7_LOOKUP_FOUND;
      return by_id;
    }

  if (by_text != NULL)
    *how = id == NULL ? WARD_HL7_LOOKUP_FOUND : WARD_HL7_LOOKUP_BY_NAME;

  return by_text;
}

const WardHl7Unit *
_ward_hl7_lookup_unit (const WardHl7Coded *coded,
                       WardHl7Lookup      *how)
{
  const WardHl7Unit *unit;

  unit = lookup_unit_triplet (coded->c[0], coded->c[1], coded->c[2], how);
  if (unit == NULL && (coded->c[3] != NULL || coded->c[4] != NULL))
    unit = lookup_unit_triplet (coded->c[3], coded->c[4], coded->c[5], how);

  return unit;
}

gboolean
_ward_hl7_unit_fits (WardHl7Kind      kind,
                     WardHl7Dimension dim)
{
  switch (kind)
    {
    case WARD_HL7_KIND_HR:
    case WARD_HL7_KIND_PULSE:
      return dim == WARD_HL7_DIM_PER_MIN || dim == WARD_HL7_DIM_BEATS_PER_MIN;
    case WARD_HL7_KIND_RR:
      return dim == WARD_HL7_DIM_PER_MIN || dim == WARD_HL7_DIM_BREATHS_PER_MIN;
    case WARD_HL7_KIND_SPO2:
    case WARD_HL7_KIND_FIO2:
      return dim == WARD_HL7_DIM_PERCENT;
    case WARD_HL7_KIND_BP:
    case WARD_HL7_KIND_ABP:
      return dim == WARD_HL7_DIM_PRESSURE;
    case WARD_HL7_KIND_TEMP:
      return dim == WARD_HL7_DIM_TEMPERATURE;
    case WARD_HL7_KIND_O2_FLOW:
      return dim == WARD_HL7_DIM_FLOW;
    case WARD_HL7_KIND_ACVPU:
      return dim == WARD_HL7_DIM_NONE;
    default:
      g_assert_not_reached ();
    }
}

gboolean
_ward_hl7_kind_is_scored (WardHl7Kind kind)
{
  switch (kind)
    {
    case WARD_HL7_KIND_HR:
    case WARD_HL7_KIND_PULSE:
    case WARD_HL7_KIND_RR:
    case WARD_HL7_KIND_SPO2:
    case WARD_HL7_KIND_BP:
    case WARD_HL7_KIND_TEMP:
      return TRUE;
    case WARD_HL7_KIND_ABP:
    case WARD_HL7_KIND_O2_FLOW:
    case WARD_HL7_KIND_FIO2:
    case WARD_HL7_KIND_ACVPU:
      return FALSE;
    default:
      g_assert_not_reached ();
    }
}

const char *
_ward_hl7_kind_to_type (WardHl7Kind kind)
{
  switch (kind)
    {
    case WARD_HL7_KIND_HR:
      return "heartrate";
    case WARD_HL7_KIND_PULSE:
      return "pulserate";
    case WARD_HL7_KIND_RR:
      return "respiratoryrate";
    case WARD_HL7_KIND_SPO2:
      return "spo2";
    case WARD_HL7_KIND_BP:
      return "bloodpressure";
    case WARD_HL7_KIND_ABP:
      return "arterialpressure";
    case WARD_HL7_KIND_TEMP:
      return "temperature";
    case WARD_HL7_KIND_O2_FLOW:
      return "oxygenflow";
    case WARD_HL7_KIND_FIO2:
      return "inspiredoxygen";
    case WARD_HL7_KIND_ACVPU:
      return "consciousness";
    default:
      g_assert_not_reached ();
    }
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;

  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value);
}

/* The value in its canonical unit: the sender's text when nothing is
 * converted, so that no precision is added or lost.
 */
char *
_ward_hl7_convert_value (const char        *text,
                         const WardHl7Unit *unit)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double v;

  if (unit == NULL || (unit->scale == 1 && unit->offset == 0) || !parse_number (text, &v))
    return g_strdup (text);

  v = v * unit->scale + unit->offset;
  if (unit->dim == WARD_HL7_DIM_TEMPERATURE)
    g_ascii_formatd (buf, sizeof buf, "%.1f", v);
  else
    g_ascii_formatd (buf, sizeof buf, "%.0f", v);

  return g_strdup (buf);
}

const char *
_ward_hl7_acvpu_letter (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (acvpu_answers); i++)
    if (g_strcmp0 (code, acvpu_answers[i].snomed) == 0)
      return acvpu_answers[i].letter;

  return NULL;
}

gboolean
_ward_hl7_is_panel (const WardHl7Coded *coded)
{
  if (!is_loinc_system (coded->c[2]) || coded->c[0] == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (loinc_panels); i++)
    if (strcmp (loinc_panels[i], coded->c[0]) == 0)
      return TRUE;

  return FALSE;
}
