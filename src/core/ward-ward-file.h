/* ward-ward-file.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "ward-engine.h"

G_BEGIN_DECLS

/* The ward file: who is in which bed, their identifiers and which
 * devices are theirs (the local identity registry, docs/ARCHITECTURE.md
 * "The ward file").  It is read and checked as a whole before anything
 * is registered, so a file with a mistake changes nothing.
 */

#define WARD_WARD_FILE_ERROR (ward_ward_file_error_quark ())

typedef enum
{
  WARD_WARD_FILE_ERROR_INVALID,    /* not readable, not JSON, or a member is wrong */
  WARD_WARD_FILE_ERROR_DUPLICATE,  /* a bed, device or patient listed in two places */
} WardWardFileError;

/* Patient.identifier systems and types Wardwatch reads. */
#define WARD_IDENTIFIER_SYSTEM_NHS_NUMBER "https://fhir.nhs.uk/Id/nhs-number"
#define WARD_IDENTIFIER_SYSTEM_V2_0203    "http://terminology.hl7.org/CodeSystem/v2-0203"
#define WARD_IDENTIFIER_TYPE_MRN          "MR"

/* One entry of the patient's identifier list, as FHIR Patient.identifier. */
typedef struct
{
  char *system;       /* or NULL */
  char *value;
  char *type_code;    /* the v2-0203 code of its type ("MR"), or NULL */
} WardPatientIdentifier;

typedef struct
{
  char       *bed_id;
  char       *bed_label;
  char       *patient_id;
  char       *patient_name;     /* or NULL */
  int         spo2_scale;
  char       *birth_date;       /* a FHIR date, or NULL: keep what the store has */
  GPtrArray  *identifiers;      /* WardPatientIdentifier, in file order */
  JsonNode   *fhir_identifiers; /* the same list as written, a FHIR Patient.identifier
                                 * array; NULL without one */
  char       *hospital_number;  /* the MRN among them, or NULL */
  char       *nhs_number;       /* the NHS number among them (check digit valid), or NULL */
  GStrv       device_ids;       /* never NULL */
} WardWardBed;

#define WARD_TYPE_WARD_FILE (ward_ward_file_get_type ())
G_DECLARE_FINAL_TYPE (WardWardFile, ward_ward_file, WARD, WARD_FILE, GObject)

GQuark              ward_ward_file_error_quark  (void);

/* origin names the file in error messages ("ward.json: beds[2]: …"). */
WardWardFile       *ward_ward_file_new_from_file (const char        *path,
                                                  GError           **error);
WardWardFile       *ward_ward_file_new_from_data (const char        *data,
                                                  gssize             length,
                                                  const char        *origin,
                                                  GError           **error);

/* The ward's name (top-level "name", at most WARD_WARD_FILE_MAX_NAME
 * characters), or NULL; registering stores it for the summary.
 */
#define WARD_WARD_FILE_MAX_NAME 80
const char         *ward_ward_file_get_name      (WardWardFile      *self);
guint               ward_ward_file_get_n_beds    (WardWardFile      *self);
const WardWardBed  *ward_ward_file_get_bed       (WardWardFile      *self,
                                                  guint              index);
/* The bed a patient id is in, or NULL. */
const WardWardBed  *ward_ward_file_find_patient  (WardWardFile      *self,
                                                  const char        *patient_id);

/* Registers every bed, patient, identifier, birth date and device with
 * the engine, inside the caller's ward_engine_begin()/commit().
 */
gboolean            ward_ward_file_register      (WardWardFile      *self,
                                                  WardEngine        *engine,
                                                  GError           **error);

/* A UK NHS number: ten digits whose last is the modulus-11 check digit
 * of the first nine.
 */
gboolean            ward_nhs_number_is_valid     (const char        *value);

G_END_DECLS
