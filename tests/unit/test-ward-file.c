/* test-ward-file.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-pipeline.h"
#include "ward-store-shared.h"
#include "ward-summary.h"
#include "ward-ward-file.h"

/* The ward file: patients' identifiers reach the snapshot; a bad NHS
 * number, a device in two beds and a patient in two beds stop the start
 * with both places named.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)

/* NHS numbers worked out by hand: weights 10..2 over the first nine
 * digits, check digit 11 - (sum mod 11).
 *   9434765919: 90+36+24+28+42+30+20+27+2 = 299, 299 mod 11 = 2, check 9.
 *   4010232137: 40+0+8+0+12+15+8+3+6 = 92, 92 mod 11 = 4, check 7.
 *   000000006x: sum 12, 12 mod 11 = 1, check 10: never issued.
 */
#define NHS_A "9434765919"
#define NHS_B "4010232137"

#define NHS_ID(v) "{\"system\": \"https://fhir.nhs.uk/Id/nhs-number\", \"value\": \"" v "\"}"
#define MRN_ID(system, v) \
  "{\"type\": {\"coding\": [{\"system\": \"http://terminology.hl7.org/CodeSystem/v2-0203\"," \
  " \"code\": \"MR\"}]}, \"system\": \"" system "\", \"value\": \"" v "\"}"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ward-file-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static char *
write_ward (Fixture    *f,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, "ward.json", NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_nhs_number_check_digit (void)
{
  g_assert_true (ward_nhs_number_is_valid (NHS_A));
  g_assert_true (ward_nhs_number_is_valid (NHS_B));
  /* One digit changed, two swapped: the check digit no longer fits. */
  g_assert_false (ward_nhs_number_is_valid ("9434765918"));
  g_assert_false (ward_nhs_number_is_valid ("9434765991"));
  g_assert_false (ward_nhs_number_is_valid ("4010232173"));
  /* A check digit of 10 is never issued, whatever the last digit. */
  for (char last = '0'; last <= '9'; last++)
    {
      char number[] = "000000006_";

      number[9] = last;
      g_assert_false (ward_nhs_number_is_valid (number));
    }
  /* Written as people write it, or cut short. */
  g_assert_false (ward_nhs_number_is_valid ("943 476 5919"));
  g_assert_false (ward_nhs_number_is_valid ("943476591"));
  g_assert_false (ward_nhs_number_is_valid ("94347659190"));
  g_assert_false (ward_nhs_number_is_valid (NULL));
}

/* Identifiers, read as FHIR Patient.identifier, reach the snapshot
 * beside the birth date; a patient without them has NULL there.
 */
static void
test_identifiers_reach_snapshot (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *db = g_build_filename (f->dir, "ward.db", NULL);
  g_autoptr(WardWardFile) ward = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardSnapshot) snapshot = NULL;
  const WardWardBed *bed;
  const WardBedState *state;
  WardEngineConfig config;

  path = write_ward (f,
    "{\"beds\": ["
    " {\"id\": \"bed-01\", \"label\": \"Bay 1 Bed 1\", \"devices\": [\"mon-1\"],"
    "  \"patient\": {\"id\": \"p1\", \"name\": \"Ada Obi\", \"birthDate\": \"1951-03-09\","
    "   \"identifier\": [" NHS_ID (NHS_A) ", " MRN_ID ("https://trust.example/Id/mrn", "RX100001")
    "   ]}},"
    " {\"id\": \"bed-02\", \"devices\": [\"mon-2\"],"
    "  \"patient\": {\"id\": \"p2\", \"identifier\": [" NHS_ID (NHS_B) "]}},"
    " {\"id\": \"bed-03\", \"patient\": {\"id\": \"p3\"}}]}");

  ward = ward_ward_file_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ward_ward_file_get_n_beds (ward), ==, 3);

  bed = ward_ward_file_get_bed (ward, 0);
  g_assert_cmpstr (bed->nhs_number, ==, NHS_A);
  g_assert_cmpstr (bed->hospital_number, ==, "RX100001");
  g_assert_cmpuint (bed->identifiers->len, ==, 2);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (bed->fhir_identifiers));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (bed->fhir_identifiers)), ==, 2);
  g_assert_null (ward_ward_file_get_bed (ward, 2)->fhir_identifiers);
  g_assert_cmpstr (((WardPatientIdentifier *) bed->identifiers->pdata[1])->type_code, ==, "MR");
  g_assert_cmpstr (((WardPatientIdentifier *) bed->identifiers->pdata[1])->system, ==,
                   "https://trust.example/Id/mrn");
  g_assert_true (ward_ward_file_find_patient (ward, "p2") == ward_ward_file_get_bed (ward, 1));
  g_assert_null (ward_ward_file_find_patient (ward, "p9"));

  store = ward_store_open (db, &error);
  g_assert_no_error (error);
  ward_engine_config_init (&config);
  engine = ward_engine_new (store, &config);
  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_ward_file_register (ward, engine, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);

  snapshot = ward_engine_snapshot (engine, T0);
  g_assert_cmpuint (ward_snapshot_get_n_beds (snapshot), ==, 3);

  state = ward_snapshot_get_bed (snapshot, 0);
  g_assert_cmpstr (state->patient_id, ==, "p1");
  g_assert_cmpstr (state->bed_label, ==, "Bay 1 Bed 1");
  g_assert_cmpstr (state->hospital_number, ==, "RX100001");
  g_assert_cmpstr (state->nhs_number, ==, NHS_A);
  g_assert_cmpstr (state->birth_date, ==, "1951-03-09");

  state = ward_snapshot_get_bed (snapshot, 1);
  g_assert_cmpstr (state->nhs_number, ==, NHS_B);
  g_assert_null (state->hospital_number);
  g_assert_null (state->birth_date);

  state = ward_snapshot_get_bed (snapshot, 2);
  g_assert_null (state->nhs_number);
  g_assert_null (state->hospital_number);

  g_clear_object (&engine);
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
}

/* The hospital number: of the system the file names when it names one
 * (another hospital's MR is not ours), else the one typed MR; two
 * different ones without a system named are ambiguous and refused.
 */
static void
test_hospital_number_system (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardWardFile) ward = NULL;

  ward = ward_ward_file_new_from_data (
    "{\"hospitalNumberSystem\": \"https://trust.example/Id/mrn\", \"beds\": ["
    " {\"id\": \"bed-01\", \"patient\": {\"id\": \"p1\", \"identifier\": ["
    MRN_ID ("https://other.example/Id/mrn", "OT-77") ", "
    "  {\"system\": \"https://trust.example/Id/mrn\", \"value\": \"RX200002\"}]}}]}",
    -1, "ward.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ward_ward_file_get_bed (ward, 0)->hospital_number, ==, "RX200002");
  g_assert_null (ward_ward_file_get_bed (ward, 0)->nhs_number);
  g_clear_object (&ward);

  ward = ward_ward_file_new_from_data (
    "{\"beds\": [{\"id\": \"bed-01\", \"patient\": {\"id\": \"p1\", \"identifier\": ["
    MRN_ID ("https://other.example/Id/mrn", "OT-77") ", "
    MRN_ID ("https://trust.example/Id/mrn", "RX200002") "]}}]}",
    -1, "ward.json", &error);
  g_assert_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_INVALID);
  g_assert_null (ward);
  g_assert_nonnull (strstr (error->message, "ward.json: beds[0]: patient.identifier[1]"));
  g_assert_nonnull (strstr (error->message, "hospitalNumberSystem"));
}

/* The ward's name: kept in the store when registered, for the summary
 * and the shift report; a bad one is refused with the key named.
 */
static void
test_ward_name (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (f->dir, "ward.db", NULL);
  g_autoptr(WardWardFile) ward = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardSummary) summary = NULL;
  g_autofree char *name = NULL;
  WardSummaryOptions options = { 0 };
  WardEngineConfig config;

  ward = ward_ward_file_new_from_data ("{\"name\": \"Ward 7B — Cardiology\", \"beds\": ["
                                       " {\"id\": \"bed-01\", \"patient\": {\"id\": \"p1\"}}]}",
                                       -1, "ward.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ward_ward_file_get_name (ward), ==, "Ward 7B — Cardiology");

  store = ward_store_open (db, &error);
  g_assert_no_error (error);
  ward_engine_config_init (&config);
  engine = ward_engine_new (store, &config);
  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_ward_file_register (ward, engine, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
  name = ward_store_dup_setting (store, WARD_SUMMARY_WARD_NAME_KEY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Ward 7B — Cardiology");
  options.from = T0 - G_TIME_SPAN_HOUR;
  options.to = T0;
  summary = ward_summary_compute (store, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (summary->ward_name, ==, "Ward 7B — Cardiology");
  g_clear_object (&ward);

  /* Not a string, empty, too long. */
  {
    g_autofree char *long_name = g_strnfill (WARD_WARD_FILE_MAX_NAME + 1, 'x');
    g_autofree char *too_long = g_strdup_printf ("{\"name\": \"%s\", \"beds\": []}", long_name);
    const char *bad[] = { "{\"name\": 7, \"beds\": []}", "{\"name\": \"\", \"beds\": []}", too_long };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_clear_error (&error);
        ward = ward_ward_file_new_from_data (bad[i], -1, "ward.json", &error);
        g_assert_null (ward);
        g_assert_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_INVALID);
        g_assert_nonnull (strstr (error->message, "ward.json: \"name\""));
      }
  }

  g_clear_object (&engine);
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
}

static void
test_invalid_nhs_number (Fixture       *f,
                         gconstpointer  data)
{
  static const char * const bad[] = { "9434765918", "943 476 5919", "0000000060", "94347659" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WardWardFile) ward = NULL;
      g_autofree char *text = g_strdup_printf (
        "{\"beds\": [{\"id\": \"bed-01\", \"patient\": {\"id\": \"p1\"}},"
        " {\"id\": \"bed-02\", \"patient\": {\"id\": \"p2\", \"identifier\": ["
        "  {\"system\": \"https://fhir.nhs.uk/Id/nhs-number\", \"value\": \"%s\"}]}}]}", bad[i]);

      ward = ward_ward_file_new_from_data (text, -1, "ward.json", &error);
      g_assert_null (ward);
      g_assert_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "ward.json: beds[1]: patient.identifier[0]: "
                                                "not a valid NHS number"));
    }
}

static void
test_device_in_two_beds (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardWardFile) ward = NULL;

  ward = ward_ward_file_new_from_data (
    "{\"beds\": ["
    " {\"id\": \"bed-03\", \"label\": \"Bed 3\", \"patient\": {\"id\": \"p3\"},"
    "  \"devices\": [\"mon-3\", \"mon-7\"]},"
    " {\"id\": \"bed-05\", \"label\": \"Bed 5\", \"patient\": {\"id\": \"p5\"},"
    "  \"devices\": [\"mon-5\"]},"
    " {\"id\": \"bed-12\", \"label\": \"Bed 12\", \"patient\": {\"id\": \"p12\"},"
    "  \"devices\": [\"mon-12\", \"mon-7\"]}]}",
    -1, "ward.json", &error);
  g_assert_null (ward);
  g_assert_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==,
                   "ward.json: Device mon-7 is listed for Bed 3 (bed-03) and Bed 12 (bed-12)");
  g_clear_error (&error);

  /* Twice in the same bed is harmless. */
  ward = ward_ward_file_new_from_data (
    "{\"beds\": [{\"id\": \"bed-03\", \"patient\": {\"id\": \"p3\"},"
    " \"devices\": [\"mon-3\", \"mon-3\"]}]}", -1, "ward.json", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ward);
}

static void
test_patient_in_two_beds (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardWardFile) ward = NULL;

  ward = ward_ward_file_new_from_data (
    "{\"beds\": ["
    " {\"id\": \"bed-03\", \"label\": \"Bed 3\", \"patient\": {\"id\": \"p-1\"}},"
    " {\"id\": \"bed-12\", \"label\": \"Bed 12\", \"patient\": {\"id\": \"p-1\"}}]}",
    -1, "ward.json", &error);
  g_assert_null (ward);
  g_assert_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==,
                   "ward.json: Patient p-1 is listed for Bed 3 (bed-03) and Bed 12 (bed-12)");
  g_clear_error (&error);

  /* The same person under two patient ids: one NHS number, two beds.
   * The number itself stays out of the message.
   */
  ward = ward_ward_file_new_from_data (
    "{\"beds\": ["
    " {\"id\": \"bed-03\", \"patient\": {\"id\": \"p-1\", \"identifier\": [" NHS_ID (NHS_A) "]}},"
    " {\"id\": \"bed-04\", \"patient\": {\"id\": \"p-2\"}},"
    " {\"id\": \"bed-12\", \"patient\": {\"id\": \"p-9\", \"identifier\": [" NHS_ID (NHS_A) "]}}]}",
    -1, "ward.json", &error);
  g_assert_null (ward);
  g_assert_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==,
                   "ward.json: The same NHS number (patients p-1 and p-9) is listed for "
                   "bed-03 and bed-12");
  g_clear_error (&error);

  ward = ward_ward_file_new_from_data (
    "{\"beds\": ["
    " {\"id\": \"bed-03\", \"patient\": {\"id\": \"p-1\", \"identifier\": ["
    MRN_ID ("https://trust.example/Id/mrn", "RX1") "]}},"
    " {\"id\": \"bed-12\", \"patient\": {\"id\": \"p-9\", \"identifier\": ["
    MRN_ID ("https://trust.example/Id/mrn", "RX1") "]}}]}",
    -1, "ward.json", &error);
  g_assert_null (ward);
  g_assert_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==,
                   "ward.json: The same hospital number (patients p-1 and p-9) is listed for "
                   "bed-03 and bed-12");
  g_clear_error (&error);

  /* One bed id twice. */
  ward = ward_ward_file_new_from_data (
    "{\"beds\": [{\"id\": \"bed-03\", \"patient\": {\"id\": \"p-1\"}},"
    " {\"id\": \"bed-03\", \"patient\": {\"id\": \"p-2\"}}]}", -1, "ward.json", &error);
  g_assert_null (ward);
  g_assert_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==, "ward.json: bed bed-03 is listed twice (beds[0] and beds[1])");
}

/* The pipeline's start stops on a device in two beds, names both, and
 * registers nothing.
 */
static void
test_pipeline_refuses_duplicate (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ward = NULL;
  g_autofree char *db = g_build_filename (f->dir, "ward.db", NULL);
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardPipeline) pipeline = NULL;

  ward = write_ward (f,
    "{\"beds\": ["
    " {\"id\": \"bed-03\", \"label\": \"Bed 3\", \"patient\": {\"id\": \"p3\"}, \"devices\": [\"mon-7\"]},"
    " {\"id\": \"bed-12\", \"label\": \"Bed 12\", \"patient\": {\"id\": \"p12\"}, \"devices\": [\"mon-7\"]}]}");

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.ward_file = g_strdup (ward);
  pipeline = ward_pipeline_new (&config);
  g_assert_false (ward_pipeline_start (pipeline, NULL, NULL, &error));
  g_assert_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Device mon-7 is listed for Bed 3 (bed-03) and "
                                            "Bed 12 (bed-12)"));
  g_clear_error (&error);
  g_clear_object (&pipeline);

  /* Nothing of the refused file reached the store. */
  {
    g_autoptr(WardStore) store = ward_store_open (db, &error);
    WardStoreCounts counts;

    g_assert_no_error (error);
    g_assert_true (ward_store_get_counts (store, &counts, &error));
    g_assert_cmpint (counts.beds, ==, 0);
    g_assert_cmpint (counts.patients, ==, 0);
    g_assert_cmpint (counts.devices, ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/ward-file/nhs-number-check-digit", test_nhs_number_check_digit);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/ward-file/identifiers-reach-snapshot", test_identifiers_reach_snapshot);
  ADD ("/core/ward-file/hospital-number-system", test_hospital_number_system);
  ADD ("/core/ward-file/invalid-nhs-number", test_invalid_nhs_number);
  ADD ("/core/ward-file/ward-name", test_ward_name);
  ADD ("/core/ward-file/device-in-two-beds", test_device_in_two_beds);
  ADD ("/core/ward-file/patient-in-two-beds", test_patient_in_two_beds);
  ADD ("/core/ward-file/pipeline-refuses-duplicate", test_pipeline_refuses_duplicate);
#undef ADD

  return g_test_run ();
}
