/* ward-hl7-codes-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The code and unit tables of the HL7 mapper: which OBX-3 codes (MDC,
 * Philips MDIL, LOINC) and OBX-6 units (MDC, MDIL, UCUM) it reads.
 */

typedef enum
{
  WARD_HL7_KIND_HR,          /* heart rate: ECG or unspecified */
  WARD_HL7_KIND_PULSE,       /* pulse rate: oximeter, NIBP, generic */
  WARD_HL7_KIND_RR,
  WARD_HL7_KIND_SPO2,
  WARD_HL7_KIND_BP,
  WARD_HL7_KIND_ABP,
  WARD_HL7_KIND_TEMP,
  WARD_HL7_KIND_O2_FLOW,
  WARD_HL7_KIND_FIO2,
  WARD_HL7_KIND_ACVPU,
} WardHl7Kind;

typedef enum
{
  WARD_HL7_DIM_NONE,
  WARD_HL7_DIM_PER_MIN,          /* /min: a heart or a respiratory rate */
  WARD_HL7_DIM_BEATS_PER_MIN,
  WARD_HL7_DIM_BREATHS_PER_MIN,
  WARD_HL7_DIM_PERCENT,
  WARD_HL7_DIM_PRESSURE,         /* converted to mm[Hg] */
  WARD_HL7_DIM_TEMPERATURE,      /* converted to Cel */
  WARD_HL7_DIM_FLOW,             /* L/min */
} WardHl7Dimension;

/* A code we know.  priority orders the sources of heart rate and of
 * respiratory rate: per message, the lowest present wins.
 */
typedef struct
{
  guint32      mdc;        /* 0 when LOINC only */
  const char  *loinc;
  const char  *refid;      /* the MDC reference id, for codes sent without number */
  WardHl7Kind  kind;
  const char  *name;       /* the value name */
  const char  *qualifier;  /* method, source or site */
  int          priority;
} WardHl7Code;

typedef struct
{
  guint32           mdc;
  const char       *refid;
  const char       *ucum;       /* and common spellings, '|'-separated */
  WardHl7Dimension  dim;
  double            scale;      /* value * scale + offset, in the canonical unit */
  double            offset;
} WardHl7Unit;

/* How a coded element was read. */
typedef enum
{
  WARD_HL7_LOOKUP_UNKNOWN,   /* nothing we know */
  WARD_HL7_LOOKUP_FOUND,     /* by its code (or by its MDC reference id alone) */
  WARD_HL7_LOOKUP_BY_NAME,   /* the code number is unknown; its MDC reference id is known */
  WARD_HL7_LOOKUP_CONFLICT,  /* the code number and the name say different things */
} WardHl7Lookup;

/* A CE/CWE as read from a field: identifier, text, coding system, then
 * the alternate identifier, text and coding system; NULL when empty.
 */
typedef struct
{
  char *c[6];
} WardHl7Coded;

void               _ward_hl7_coded_clear       (WardHl7Coded        *coded);

/* The code of OBX-3: the primary coding first, then the alternate.
 * *mdc is the MDC number read from the identifier (0 when none), even
 * when the code is unknown.
 */
const WardHl7Code *_ward_hl7_lookup_code       (const WardHl7Coded  *coded,
                                                guint32             *mdc,
                                                WardHl7Lookup       *how);
/* The unit of OBX-6, likewise. */
const WardHl7Unit *_ward_hl7_lookup_unit       (const WardHl7Coded  *coded,
                                                WardHl7Lookup       *how);

gboolean           _ward_hl7_unit_fits         (WardHl7Kind          kind,
                                                WardHl7Dimension     dim);
gboolean           _ward_hl7_kind_is_scored    (WardHl7Kind          kind);
const char        *_ward_hl7_kind_to_type      (WardHl7Kind          kind);

/* The value in the canonical unit; the sender's text when nothing is
 * converted.
 */
char              *_ward_hl7_convert_value     (const char          *text,
                                                const WardHl7Unit   *unit);
/* A (SNOMED CT) answer to LOINC 67775-7 as A, C, V, P or U, or NULL. */
const char        *_ward_hl7_acvpu_letter      (const char          *code);
/* A LOINC panel: a header row with no value of its own. */
gboolean           _ward_hl7_is_panel          (const WardHl7Coded  *coded);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardHl7Coded, _ward_hl7_coded_clear)

G_END_DECLS
