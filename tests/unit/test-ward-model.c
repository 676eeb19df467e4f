/* test-ward-model.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-ward-model.h"

/* The ward model alone: beds, patients, devices and the context the
 * stages read.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)

static void
test_beds_and_patients (void)
{
  WardWardModel model;
  WardPatient *p;

  ward_ward_model_init (&model);
  p = ward_ward_model_add_patient (&model, "bed-01", "Bed 1", "p1", "Ada  obi", "mon-1", 2);
  g_assert_nonnull (p);
  g_assert_cmpstr (p->initials, ==, "A.O.");
  g_assert_cmpint (p->spo2_scale, ==, 2);
  g_assert_cmpint (p->age, ==, -1);
  g_assert_nonnull (p->scores);
  g_assert_cmpuint (p->scores->len, ==, 0);
  /* A scale that is not 2 is scale 1. */
  g_assert_cmpint (ward_ward_model_add_patient (&model, "bed-02", "Bed 2", "p2", NULL, NULL, 7)->spo2_scale,
                   ==, 1);
  /* One bed per patient. */
  g_assert_null (ward_ward_model_add_patient (&model, "bed-03", "Bed 3", "p1", "Ada Obi", NULL, 1));

  g_assert_cmpuint (ward_ward_model_get_n_patients (&model), ==, 2);
  g_assert_true (ward_ward_model_get_patient (&model, 0) == p);
  g_assert_true (ward_ward_model_lookup_patient (&model, "p1") == p);
  g_assert_null (ward_ward_model_lookup_patient (&model, "nobody"));
  g_assert_null (ward_ward_model_lookup_patient (&model, NULL));
  ward_ward_model_clear (&model);
}

static void
test_devices (void)
{
  WardWardModel model;
  WardPatient *p;
  WardDevice *d;

  ward_ward_model_init (&model);
  p = ward_ward_model_add_patient (&model, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1", 1);
  g_assert_null (ward_ward_model_lookup_device (&model, "mon-1"));
  d = ward_ward_model_ensure_device (&model, "mon-1");
  g_assert_true (ward_ward_model_ensure_device (&model, "mon-1") == d);
  g_assert_true (ward_ward_model_lookup_device (&model, "mon-1") == d);
  g_assert_null (ward_device_patient_id (d));
  /* The FHIR server's answer counts when the bed map says nothing... */
  d->named = p;
  g_assert_cmpstr (ward_device_patient_id (d), ==, "p1");
  /* ...and the bed map wins. */
  d->patient = ward_ward_model_add_patient (&model, "bed-02", "Bed 2", "p2", "Lee Min-jun", NULL, 1);
  g_assert_cmpstr (ward_device_patient_id (d), ==, "p2");
  ward_ward_model_clear (&model);
}

static void
test_latest_values (void)
{
  WardWardModel model;
  WardPatient *p;
  WardMeasurement m = { 0 };

  ward_ward_model_init (&model);
  p = ward_ward_model_add_patient (&model, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1", 1);

  m.kind = WARD_MEAS_HR;
  m.value = 80;
  m.observed_at = T0;
  m.source = WARD_SOURCE_DEVICE;
  ward_patient_update_latest (p, &m);
  g_assert_true (p->dirty);
  g_assert_cmpfloat (p->latest[WARD_MEAS_HR].value, ==, 80);

  /* A late, older value does not replace the newest. */
  p->dirty = FALSE;
  m.value = 70;
  m.observed_at = T0 - 60 * WARD_USEC_PER_SEC;
  ward_patient_update_latest (p, &m);
  g_assert_false (p->dirty);
  g_assert_cmpfloat (p->latest[WARD_MEAS_HR].value, ==, 80);

  /* A nurse's value is kept apart, and the monitor's newer one does not
   * hide it.
   */
  m.value = 88;
  m.observed_at = T0 + 10 * WARD_USEC_PER_SEC;
  m.source = WARD_SOURCE_NURSE;
  m.entered_by = (char *) "Nurse Kim";
  ward_patient_update_latest (p, &m);
  m.value = 90;
  m.observed_at = T0 + 20 * WARD_USEC_PER_SEC;
  m.source = WARD_SOURCE_DEVICE;
  m.entered_by = NULL;
  ward_patient_update_latest (p, &m);
  g_assert_cmpfloat (p->latest[WARD_MEAS_HR].value, ==, 90);
  g_assert_cmpfloat (p->nurse_latest[WARD_MEAS_HR].value, ==, 88);
  g_assert_cmpstr (p->nurse_latest[WARD_MEAS_HR].entered_by, ==, "Nurse Kim");
  ward_ward_model_clear (&model);
}

static void
test_age (void)
{
  WardWardModel model;
  WardPatient *p;
  GDateTime *dt;
  gint64 end;

  ward_ward_model_init (&model);
  p = ward_ward_model_add_patient (&model, "bed-01", "Bed 1", "p1", "Ada Obi", NULL, 1);
  g_assert_cmpint (ward_patient_age_at (p, T0), ==, -1);

  /* Sixteen the day of the birthday, fifteen the day before. */
  p->birth_date = g_strdup ("2010-06-15");
  p->age_at = G_MININT64;
  dt = g_date_time_new_utc (2026, 6, 15, 0, 0, 1);
  end = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  g_date_time_unref (dt);
  g_assert_cmpint (ward_patient_age_at (p, end), ==, 16);
  g_assert_cmpint (ward_patient_age_at (p, end - 2 * WARD_USEC_PER_SEC), ==, 15);
  ward_ward_model_clear (&model);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ward-model/beds-and-patients", test_beds_and_patients);
  g_test_add_func ("/ward-model/devices", test_devices);
  g_test_add_func ("/ward-model/latest-values", test_latest_values);
  g_test_add_func ("/ward-model/age", test_age);

  return g_test_run ();
}
