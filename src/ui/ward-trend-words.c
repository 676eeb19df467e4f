/* ward-trend-words.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-trend-words"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ward-trend-words.h"
#include "ward-clinical.h"

char *
_ward_trend_words_direction (const WardTrend *trend)
{
  g_return_val_if_fail (trend != NULL, NULL);

  if (!trend->valid)
    return NULL;

  switch (trend->direction)
    {
    case WARD_TREND_RISING:
      /* Translators: the NEWS2 trend, %+.1f is points per hour, "+2.5" */
      return g_strdup_printf (_("Rising, %+.1f points per hour"), trend->slope);
    case WARD_TREND_FALLING:
      /* Translators: the NEWS2 trend, %+.1f is points per hour, "-2.5" */
      return g_strdup_printf (_("Falling, %+.1f points per hour"), trend->slope);
    case WARD_TREND_STEADY:
    default:
      /* Translators: the NEWS2 trend, %+.1f is points per hour, "+0.5" */
      return g_strdup_printf (_("Steady, %+.1f points per hour"), trend->slope);
    }
}

char *
_ward_trend_words_projection (const WardTrend *trend)
{
  const char *band;
  int minutes;

  g_return_val_if_fail (trend != NULL, NULL);

  if (!trend->valid || !trend->projection.valid)
    return NULL;

  /* A projection is rough: say it in steps of 5 minutes, never "0". */
  minutes = (int) (round (trend->projection.minutes / 5) * 5);
  minutes = MAX (minutes, 5);
  band = ward_clinical_band_phrase (trend->projection.band);

  if (minutes < 60)
    /* Translators: the NEWS2 trend projected; %s is a band in a
     * sentence ("medium", "high"), %d minutes
     */
    return g_strdup_printf (_("At this rate, reaches the %s band in about %d min"), band, minutes);

  if (minutes % 60 == 0)
    /* Translators: the NEWS2 trend projected; %s is a band in a
     * sentence ("medium", "high"), %d hours
     */
    return g_strdup_printf (_("At this rate, reaches the %s band in about %d h"), band, minutes / 60);

  /* Translators: the NEWS2 trend projected; %s is a band in a sentence
   * ("medium", "high"), then hours and minutes: "1 h 20 min"
   */
  return g_strdup_printf (_("At this rate, reaches the %s band in about %d h %d min"),
                          band, minutes / 60, minutes % 60);
}

char *
_ward_trend_words_full (const WardTrend *trend)
{
  g_autofree char *direction = _ward_trend_words_direction (trend);
  g_autofree char *projection = _ward_trend_words_projection (trend);

  if (direction == NULL)
    return NULL;
  if (projection == NULL)
    return g_steal_pointer (&direction);

  /* Translators: the NEWS2 trend, then its projection: "Rising, +3.0
   * points per hour. At this rate, reaches the medium band in about 40 min"
   */
  return g_strdup_printf (_("%s. %s"), direction, projection);
}
