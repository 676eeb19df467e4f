/* fuzz-ward-file.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "ward-ward-file.h"

/* The ward file is typed by people: any input is read without a crash,
 * and either refused with an error in the ward file's domain or read
 * into beds that keep the file's promises (one place per bed, patient
 * and device; an NHS number only with a valid check digit).
 */

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(WardWardFile) ward = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) devices = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = g_strndup ((const char *) data, size);

  /* The check digit on raw bytes, NUL-terminated at the first NUL. */
  if (ward_nhs_number_is_valid (text))
    g_assert (strlen (text) == 10);

  ward = ward_ward_file_new_from_data ((const char *) data, (gssize) size, "fuzz", &error);
  g_assert ((ward != NULL) == (error == NULL));
  if (ward == NULL)
    {
      g_assert (error->domain == WARD_WARD_FILE_ERROR || error->domain == JSON_PARSER_ERROR);
      return 0;
    }

  for (guint i = 0; i < ward_ward_file_get_n_beds (ward); i++)
    {
      const WardWardBed *bed = ward_ward_file_get_bed (ward, i);

      g_assert (bed->bed_id != NULL && bed->bed_label != NULL && bed->patient_id != NULL);
      g_assert (bed->spo2_scale == 1 || bed->spo2_scale == 2);
      g_assert (bed->nhs_number == NULL || ward_nhs_number_is_valid (bed->nhs_number));
      g_assert (bed->birth_date == NULL || ward_birth_date_is_valid (bed->birth_date));
      g_assert (ward_ward_file_find_patient (ward, bed->patient_id) == bed);
      for (guint k = 0; bed->device_ids[k] != NULL; k++)
        {
          const WardWardBed *other = g_hash_table_lookup (devices, bed->device_ids[k]);

          g_assert (other == NULL || other == bed);
          g_hash_table_insert (devices, bed->device_ids[k], (gpointer) bed);
        }
    }

  return 0;
}
