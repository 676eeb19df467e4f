/* ward-types.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The seven NEWS2 parameters, in the order of the RCP chart. */
typedef enum
{
  WARD_NEWS2_RR,
  WARD_NEWS2_SPO2,
  WARD_NEWS2_AIR_OR_OXYGEN,
  WARD_NEWS2_SBP,
  WARD_NEWS2_HR,
  WARD_NEWS2_CONSCIOUSNESS,
  WARD_NEWS2_TEMP,
  WARD_NEWS2_N_PARAMS
} WardNews2Param;

typedef enum
{
  WARD_BAND_LOW,
  WARD_BAND_LOW_MEDIUM,
  WARD_BAND_MEDIUM,
  WARD_BAND_HIGH,
} WardBand;

/* ACVPU, stored as these letters. */
typedef enum
{
  WARD_ACVPU_ALERT,
  WARD_ACVPU_CONFUSION,
  WARD_ACVPU_VOICE,
  WARD_ACVPU_PAIN,
  WARD_ACVPU_UNRESPONSIVE,
} WardAcvpu;

/* Where a measurement came from. */
typedef enum
{
  WARD_SOURCE_DEVICE,
  WARD_SOURCE_NURSE,
} WardSource;

/* Kinds of measurement the pipeline stores.  NEWS2 uses a subset; the
 * others (diastolic, mean pressure, oxygen flow) are kept for display and
 * for FHIR.  The string names are the stable keys used in the store, the
 * CLI and snapshots.
 */
typedef enum
{
  WARD_MEAS_HR,
  WARD_MEAS_RR,
  WARD_MEAS_SPO2,
  WARD_MEAS_SBP,
  WARD_MEAS_DBP,
  WARD_MEAS_MAP,
  WARD_MEAS_TEMP,
  WARD_MEAS_CONSCIOUSNESS,   /* value is a WardAcvpu */
  WARD_MEAS_ON_OXYGEN,       /* value is 0 (air) or 1 (oxygen) */
  WARD_MEAS_O2_FLOW,         /* L/min */
  WARD_MEAS_N_KINDS
} WardMeasKind;

/* One value a nurse enters at the bedside. */
typedef struct
{
  WardMeasKind kind;
  double       value;
} WardNurseEntry;

/* What became of a device message, after device mapping. */
typedef enum
{
  WARD_INGEST_ACCEPTED,   /* mapped; its measurements are stored */
  WARD_INGEST_PARTIAL,    /* mapped, but some values were rejected or skipped, or a time
                           * was guessed (see reason) */
  WARD_INGEST_REJECTED,   /* archived and dead-lettered (see reason) */
} WardIngestOutcome;

/* Content types of device messages. */
#define WARD_CONTENT_TYPE_JSON "application/json"
#define WARD_CONTENT_TYPE_HL7V2 "x-application/hl7-v2+er7"

const char   *ward_band_to_string          (WardBand      band);
gboolean      ward_band_from_string        (const char   *str,
                                            WardBand     *band);
char          ward_acvpu_to_letter         (WardAcvpu     acvpu);
gboolean      ward_acvpu_from_string       (const char   *str,
                                            WardAcvpu    *acvpu);
const char   *ward_source_to_string        (WardSource    source);
const char   *ward_meas_kind_to_string     (WardMeasKind  kind);
gboolean      ward_meas_kind_from_string   (const char   *str,
                                            WardMeasKind *kind);
const char   *ward_news2_param_to_string   (WardNews2Param param);

/* Reads a secret (a password, a token) from a file only its owner can
 * read; refuses one that others can read.  Surrounding white space is
 * dropped.
 */
gboolean      ward_read_secret_file        (const char   *path,
                                            char        **secret,
                                            GError      **error);

/* Times are UTC microseconds since the Unix epoch everywhere inside. */
char         *ward_time_format_iso8601     (gint64        usec);
gboolean      ward_time_parse_iso8601      (const char   *str,
                                            gint64       *usec);

/* Birth dates are FHIR dates (Patient.birthDate): "YYYY", "YYYY-MM" or
 * "YYYY-MM-DD", a real calendar date.  The age is in full years on the
 * UTC day of at_usec, or -1 when unknown (no date, an invalid one, or a
 * date after that day).  A partial date counts from its first day
 * ("1970" as 1970-01-01), so the age is never understated: a patient is
 * under an age by a partial date only if they are under it whatever the
 * day of their birth.
 */
gboolean      ward_birth_date_is_valid     (const char   *birth_date);
int           ward_age_in_years            (const char   *birth_date,
                                            gint64        at_usec);

#define WARD_USEC_PER_SEC    G_GINT64_CONSTANT (1000000)
#define WARD_USEC_PER_MINUTE (60 * WARD_USEC_PER_SEC)
#define WARD_USEC_PER_HOUR   (60 * WARD_USEC_PER_MINUTE)

G_END_DECLS
