/* test-clinical.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "ward-clinical.h"
#include "ward-device-mapping.h"
#include "ward-news2.h"
#include "ward-types.h"

/* The clinical constants: one table, and every layer that used to keep
 * its own copy (the device mapping, NEWS2 validation, the stored band
 * names, the stylesheet) agrees with it.
 */

static const struct
{
  WardMeasKind kind;
  double       min;
  double       max;
} expected_ranges[] = {
  { WARD_MEAS_HR, 0, 350 },
  { WARD_MEAS_RR, 0, 120 },
  { WARD_MEAS_SPO2, 0, 100 },
  { WARD_MEAS_SBP, 0, 350 },
  { WARD_MEAS_DBP, 0, 350 },
  { WARD_MEAS_MAP, 0, 350 },
  { WARD_MEAS_TEMP, 25, 45 },
  { WARD_MEAS_CONSCIOUSNESS, WARD_ACVPU_ALERT, WARD_ACVPU_UNRESPONSIVE },
  { WARD_MEAS_ON_OXYGEN, 0, 1 },
  { WARD_MEAS_O2_FLOW, 0, 70 },
};

static void
test_ranges (void)
{
  G_STATIC_ASSERT (G_N_ELEMENTS (expected_ranges) == WARD_MEAS_N_KINDS);

  for (guint i = 0; i < G_N_ELEMENTS (expected_ranges); i++)
    {
      WardMeasKind kind = expected_ranges[i].kind;
      const WardPlausibleRange *range = ward_clinical_get_range (kind);
      double step = range->whole ? 1 : 0.1;

      g_assert_nonnull (range);
      g_assert_cmpint (range->kind, ==, kind);
      g_assert_cmpfloat (range->min, ==, expected_ranges[i].min);
      g_assert_cmpfloat (range->max, ==, expected_ranges[i].max);
      g_assert_nonnull (range->unit);

      /* Both limits are possible, a step beyond either is not. */
      g_assert_true (ward_clinical_is_plausible (kind, range->min));
      g_assert_true (ward_clinical_is_plausible (kind, range->max));
      g_assert_false (ward_clinical_is_plausible (kind, range->min - step));
      g_assert_false (ward_clinical_is_plausible (kind, range->max + step));
      g_assert_false (ward_clinical_is_plausible (kind, NAN));
      g_assert_false (ward_clinical_is_plausible (kind, INFINITY));
      g_assert_false (ward_clinical_is_plausible (kind, -INFINITY));
    }

  /* Codes are whole numbers; measurements need not be. */
  g_assert_false (ward_clinical_is_plausible (WARD_MEAS_CONSCIOUSNESS, 1.5));
  g_assert_false (ward_clinical_is_plausible (WARD_MEAS_ON_OXYGEN, 0.5));
  g_assert_true (ward_clinical_is_plausible (WARD_MEAS_TEMP, 38.45));
  g_assert_true (ward_clinical_is_plausible (WARD_MEAS_O2_FLOW, 2.5));

  g_assert_null (ward_clinical_get_range (WARD_MEAS_N_KINDS));
  g_assert_false (ward_clinical_is_plausible (WARD_MEAS_N_KINDS, 1));
}

/* The device mapping and NEWS2 validation take their limits from the
 * table: the same value is refused by all or by none.
 */
static void
test_layers_agree (void)
{
  for (WardMeasKind kind = 0; kind < WARD_MEAS_N_KINDS; kind++)
    for (double value = -10; value <= 400; value += 0.5)
      g_assert_cmpint (ward_measurement_is_plausible (kind, value), ==,
                       ward_clinical_is_plausible (kind, value));

  {
    static const struct
    {
      WardMeasKind  kind;
      const char   *message;
    } scored[] = {
      { WARD_MEAS_RR, "rr: impossible value 120.5 (expected 0 to 120 /min)" },
      { WARD_MEAS_SPO2, "spo2: impossible value 100.5 (expected 0 to 100 %)" },
      { WARD_MEAS_SBP, "sbp: impossible value 350.5 (expected 0 to 350 mmHg)" },
      { WARD_MEAS_HR, "hr: impossible value 350.5 (expected 0 to 350 /min)" },
      { WARD_MEAS_TEMP, "temp: impossible value 45.5 (expected 25 to 45 C)" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (scored); i++)
      {
        const WardPlausibleRange *range = ward_clinical_get_range (scored[i].kind);

        for (int over = 0; over <= 1; over++)
          {
            g_autoptr(GError) error = NULL;
            WardNews2Input input;
            double value = range->max + (over ? 0.5 : 0);
            gboolean ok;

            ward_news2_input_init (&input);
            switch (scored[i].kind)
              {
              case WARD_MEAS_RR: input.has_rr = TRUE; input.rr = value; break;
              case WARD_MEAS_SPO2: input.has_spo2 = TRUE; input.spo2 = value; break;
              case WARD_MEAS_SBP: input.has_sbp = TRUE; input.sbp = value; break;
              case WARD_MEAS_HR: input.has_hr = TRUE; input.hr = value; break;
              case WARD_MEAS_TEMP: input.has_temp = TRUE; input.temp = value; break;
              default: g_assert_not_reached ();
              }

            ok = ward_news2_validate (&input, &error);
            if (over)
              {
                g_assert_error (error, WARD_NEWS2_ERROR, WARD_NEWS2_ERROR_IMPOSSIBLE_VALUE);
                g_assert_cmpstr (error->message, ==, scored[i].message);
                g_assert_false (ok);
              }
            else
              {
                g_assert_no_error (error);
                g_assert_true (ok);
              }
          }
      }
  }
}

static void
test_bands (void)
{
  static const struct
  {
    WardBand     band;
    const char  *key;
    const char  *title;
    const char  *phrase;
    const char  *css_class;
  } expected[] = {
    { WARD_BAND_LOW, "low", "Low", "low", "band-low" },
    { WARD_BAND_LOW_MEDIUM, "low-medium", "Low-medium", "low-medium", "band-low-medium" },
    { WARD_BAND_MEDIUM, "medium", "Medium", "medium", "band-medium" },
    { WARD_BAND_HIGH, "high", "High", "high", "band-high" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const WardBandInfo *info = ward_clinical_get_band (expected[i].band);
      WardBand parsed = WARD_BAND_HIGH + 1;

      g_assert_cmpint (info->band, ==, expected[i].band);
      g_assert_cmpstr (info->key, ==, expected[i].key);
      /* Untranslated (no locale in tests): the words as written. */
      g_assert_cmpstr (ward_clinical_band_title (expected[i].band), ==, expected[i].title);
      g_assert_cmpstr (ward_clinical_band_phrase (expected[i].band), ==, expected[i].phrase);
      g_assert_cmpstr (ward_clinical_band_css_class (expected[i].band), ==,
                       expected[i].css_class);
      g_assert_true (g_str_has_prefix (info->color, "@"));

      /* The stored and printed key is the table's. */
      g_assert_cmpstr (ward_band_to_string (expected[i].band), ==, expected[i].key);
      g_assert_true (ward_band_from_string (expected[i].key, &parsed));
      g_assert_cmpint (parsed, ==, expected[i].band);
    }

  /* Bands in the RCP order, which the scorer returns (CLINICAL.md §2). */
  g_assert_cmpint (ward_news2_band (7, FALSE), ==, WARD_BAND_HIGH);
  g_assert_cmpint (ward_news2_band (5, FALSE), ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (ward_news2_band (3, TRUE), ==, WARD_BAND_LOW_MEDIUM);
  g_assert_cmpint (ward_news2_band (4, FALSE), ==, WARD_BAND_LOW);
}

/* data/style.css colours each band's class with the band's colour and
 * with no other band's: the stylesheet cannot include the table, so the
 * test keeps the two together.
 */
static void
test_stylesheet (void)
{
  g_autofree char *path = g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data", "style.css",
                                            NULL);
  g_autofree char *css = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) rules = NULL;

  if (!g_file_get_contents (path, &css, NULL, &error))
    g_error ("%s: %s", path, error->message);

  rules = g_strsplit (css, "}", -1);
  for (WardBand band = WARD_BAND_LOW; band <= WARD_BAND_HIGH; band++)
    {
      const WardBandInfo *info = ward_clinical_get_band (band);
      g_autofree char *selector = g_strdup_printf (".%s", info->css_class);
      guint n_rules = 0;

      for (guint i = 0; rules[i] != NULL; i++)
        {
          const char *open = strchr (rules[i], '{');
          g_autofree char *head = NULL;
          const char *match;

          if (open == NULL)
            continue;
          head = g_strndup (rules[i], open - rules[i]);
          /* The class itself, not a longer one that starts with it
           * (band-low in band-low-medium).
           */
          match = strstr (head, selector);
          if (match == NULL || match[strlen (selector)] == '-')
            continue;

          n_rules++;
          for (WardBand other = WARD_BAND_LOW; other <= WARD_BAND_HIGH; other++)
            if (other != band && strstr (open, ward_clinical_get_band (other)->color) != NULL)
              g_error ("%s uses %s's colour: %s", info->css_class,
                       ward_clinical_get_band (other)->key, rules[i]);
          if (strstr (open, "background-color") != NULL)
            g_assert_nonnull (strstr (open, info->color));
        }
      g_assert_cmpuint (n_rules, >=, 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/clinical/ranges", test_ranges);
  g_test_add_func ("/core/clinical/layers-agree", test_layers_agree);
  g_test_add_func ("/core/clinical/bands", test_bands);
  g_test_add_func ("/core/clinical/stylesheet", test_stylesheet);

  return g_test_run ();
}
