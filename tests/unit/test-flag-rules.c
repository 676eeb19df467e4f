/* test-flag-rules.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-flag-rules.h"

#define MIN_USEC WARD_USEC_PER_MINUTE
#define T0 G_GINT64_CONSTANT (1800000000000000)

static WardFlagPolicy
default_policy (void)
{
  WardFlagPolicy policy;

  ward_flag_policy_init (&policy);
  g_assert_cmpint (policy.threshold, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (policy.open_delay_usec, ==, 3 * MIN_USEC);
  g_assert_cmpint (policy.close_delay_usec, ==, 10 * MIN_USEC);

  return policy;
}

/* Feeds one band every 5 s from t to t + duration; counts the actions. */
static void
feed (WardFlagTracker      *tracker,
      const WardFlagPolicy *policy,
      WardBand              band,
      gint64               *t,
      gint64                duration,
      guint                 counts[4])
{
  for (gint64 end = *t + duration; *t < end; *t += 5 * WARD_USEC_PER_SEC)
    counts[ward_flag_tracker_update (tracker, policy, band, *t, NULL)]++;
}

static void
test_sustained_opens_once (void)
{
  WardFlagPolicy policy = default_policy ();
  WardFlagTracker tracker = { 0 };
  guint counts[4] = { 0 };
  gint64 t = T0;
  WardBand band = WARD_BAND_LOW;

  feed (&tracker, &policy, WARD_BAND_LOW, &t, 30 * MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 0);

  /* Medium, but not yet for 3 minutes: pending, no flag. */
  g_assert_cmpint (ward_flag_tracker_update (&tracker, &policy, WARD_BAND_MEDIUM, t, &band), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (tracker.state, ==, WARD_FLAG_STATE_PENDING);
  g_assert_cmpint (ward_flag_tracker_update (&tracker, &policy, WARD_BAND_MEDIUM,
                                             t + 3 * MIN_USEC - 1, &band), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (ward_flag_tracker_update (&tracker, &policy, WARD_BAND_MEDIUM,
                                             t + 3 * MIN_USEC, &band), ==,
                   WARD_FLAG_ACTION_OPEN);
  g_assert_cmpint (band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (tracker.state, ==, WARD_FLAG_STATE_OPEN);

  /* Staying medium for hours raises nothing more. */
  t += 3 * MIN_USEC;
  feed (&tracker, &policy, WARD_BAND_MEDIUM, &t, 4 * 60 * MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 0);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_ESCALATE], ==, 0);
}

static void
test_flicker_is_one_episode (void)
{
  WardFlagPolicy policy = default_policy ();
  WardFlagTracker tracker = { 0 };
  guint counts[4] = { 0 };
  gint64 t = T0;

  /* A value flickering around the threshold, 1 minute each side: never
   * sustained for 3 minutes, so no flag at all.
   */
  for (guint i = 0; i < 60; i++)
    {
      feed (&tracker, &policy, WARD_BAND_MEDIUM, &t, MIN_USEC, counts);
      feed (&tracker, &policy, WARD_BAND_LOW, &t, MIN_USEC, counts);
    }
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 0);

  /* Sustained medium opens one flag; flickering below threshold for less
   * than the close delay keeps it open: one flag for the episode.
   */
  feed (&tracker, &policy, WARD_BAND_MEDIUM, &t, 5 * MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 1);
  for (guint i = 0; i < 60; i++)
    {
      feed (&tracker, &policy, WARD_BAND_LOW, &t, 4 * MIN_USEC, counts);
      feed (&tracker, &policy, WARD_BAND_MEDIUM, &t, 30 * WARD_USEC_PER_SEC, counts);
    }
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 1);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_CLOSE], ==, 0);
  g_assert_cmpint (tracker.state, ==, WARD_FLAG_STATE_OPEN);

  /* Sustained recovery closes it, once. */
  feed (&tracker, &policy, WARD_BAND_LOW, &t, 11 * MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_CLOSE], ==, 1);
  g_assert_cmpint (tracker.state, ==, WARD_FLAG_STATE_NONE);

  /* A new sustained rise is a new episode. */
  feed (&tracker, &policy, WARD_BAND_HIGH, &t, 4 * MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 2);
}

static void
test_escalation (void)
{
  WardFlagPolicy policy = default_policy ();
  WardFlagTracker tracker = { 0 };
  guint counts[4] = { 0 };
  WardBand band = WARD_BAND_LOW;
  gint64 t = T0;

  feed (&tracker, &policy, WARD_BAND_MEDIUM, &t, 4 * MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 1);
  g_assert_cmpint (tracker.open_band, ==, WARD_BAND_MEDIUM);

  /* A single high blip does not escalate. */
  feed (&tracker, &policy, WARD_BAND_HIGH, &t, MIN_USEC, counts);
  feed (&tracker, &policy, WARD_BAND_MEDIUM, &t, MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_ESCALATE], ==, 0);

  /* Sustained high does, once, and reports the band. */
  feed (&tracker, &policy, WARD_BAND_HIGH, &t, 3 * MIN_USEC, counts);
  g_assert_cmpint (ward_flag_tracker_update (&tracker, &policy, WARD_BAND_HIGH, t, &band), ==,
                   WARD_FLAG_ACTION_ESCALATE);
  g_assert_cmpint (band, ==, WARD_BAND_HIGH);
  feed (&tracker, &policy, WARD_BAND_HIGH, &t, 60 * MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_ESCALATE], ==, 0);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 1);

  /* Falling back to medium keeps the flag at high: no de-escalation. */
  feed (&tracker, &policy, WARD_BAND_MEDIUM, &t, 30 * MIN_USEC, counts);
  g_assert_cmpint (tracker.open_band, ==, WARD_BAND_HIGH);
  g_assert_cmpint (tracker.state, ==, WARD_FLAG_STATE_OPEN);
}

static void
test_opens_at_lowest_sustained_band (void)
{
  WardFlagPolicy policy = default_policy ();
  WardFlagTracker tracker = { 0 };
  WardBand band = WARD_BAND_LOW;
  gint64 t = T0;

  /* High then medium within the delay: the sustained level is medium. */
  ward_flag_tracker_update (&tracker, &policy, WARD_BAND_HIGH, t, &band);
  ward_flag_tracker_update (&tracker, &policy, WARD_BAND_MEDIUM, t + MIN_USEC, &band);
  g_assert_cmpint (ward_flag_tracker_update (&tracker, &policy, WARD_BAND_HIGH,
                                             t + 3 * MIN_USEC, &band), ==,
                   WARD_FLAG_ACTION_OPEN);
  g_assert_cmpint (band, ==, WARD_BAND_MEDIUM);
}

static void
test_threshold_is_configurable (void)
{
  WardFlagPolicy policy = default_policy ();
  WardFlagTracker tracker = { 0 };
  guint counts[4] = { 0 };
  gint64 t = T0;

  /* Default: a red score alone (low-medium) raises no flag... */
  feed (&tracker, &policy, WARD_BAND_LOW_MEDIUM, &t, 30 * MIN_USEC, counts);
  g_assert_cmpuint (counts[WARD_FLAG_ACTION_OPEN], ==, 0);

  /* ...a trust that flags low-medium gets one, and no delay means at once. */
  policy.threshold = WARD_BAND_LOW_MEDIUM;
  policy.open_delay_usec = 0;
  g_assert_cmpint (ward_flag_tracker_update (&tracker, &policy, WARD_BAND_LOW_MEDIUM, t, NULL), ==,
                   WARD_FLAG_ACTION_OPEN);
}

/* A nurse-validated score opens and escalates at once, at its own band;
 * recovery keeps its delay.
 */
static void
test_nurse_validated_skips_delay (void)
{
  WardFlagPolicy policy = default_policy ();
  WardFlagTracker tracker = { 0 };
  WardBand band = WARD_BAND_LOW;
  gint64 at = 0;

  /* The monitor's medium is pending... */
  g_assert_cmpint (ward_flag_tracker_update (&tracker, &policy, WARD_BAND_MEDIUM, T0, &band), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_true (ward_flag_tracker_get_pending (&tracker, &policy, &band, &at));
  g_assert_cmpint (band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (at, ==, T0 + 3 * MIN_USEC);

  /* ...a nurse's round says high a minute later: open at high, now. */
  g_assert_cmpint (ward_flag_tracker_update_full (&tracker, &policy, WARD_BAND_HIGH, TRUE,
                                                  T0 + MIN_USEC, &band), ==,
                   WARD_FLAG_ACTION_OPEN);
  g_assert_cmpint (band, ==, WARD_BAND_HIGH);
  g_assert_false (ward_flag_tracker_get_pending (&tracker, &policy, NULL, NULL));

  /* Below threshold, validated or not: recovering, closes after 10 min. */
  g_assert_cmpint (ward_flag_tracker_update_full (&tracker, &policy, WARD_BAND_LOW, TRUE,
                                                  T0 + 2 * MIN_USEC, &band), ==,
                   WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (tracker.state, ==, WARD_FLAG_STATE_RECOVERING);
  g_assert_true (ward_flag_tracker_get_pending (&tracker, &policy, &band, &at));
  g_assert_cmpint (at, ==, T0 + 12 * MIN_USEC);

  /* A new episode: the nurse's medium opens, her high escalates, at once. */
  tracker = (WardFlagTracker) { 0 };
  g_assert_cmpint (ward_flag_tracker_update_full (&tracker, &policy, WARD_BAND_MEDIUM, TRUE, T0,
                                                  &band), ==, WARD_FLAG_ACTION_OPEN);
  g_assert_cmpint (band, ==, WARD_BAND_MEDIUM);
  g_assert_cmpint (ward_flag_tracker_update (&tracker, &policy, WARD_BAND_HIGH, T0 + MIN_USEC,
                                             &band), ==, WARD_FLAG_ACTION_NONE);
  g_assert_true (ward_flag_tracker_get_pending (&tracker, &policy, &band, &at));
  g_assert_cmpint (band, ==, WARD_BAND_HIGH);
  g_assert_cmpint (at, ==, T0 + 4 * MIN_USEC);
  g_assert_cmpint (ward_flag_tracker_update_full (&tracker, &policy, WARD_BAND_HIGH, TRUE,
                                                  T0 + 2 * MIN_USEC, &band), ==,
                   WARD_FLAG_ACTION_ESCALATE);
  g_assert_cmpint (band, ==, WARD_BAND_HIGH);

  /* Below the threshold a nurse's score opens nothing. */
  tracker = (WardFlagTracker) { 0 };
  g_assert_cmpint (ward_flag_tracker_update_full (&tracker, &policy, WARD_BAND_LOW_MEDIUM, TRUE, T0,
                                                  &band), ==, WARD_FLAG_ACTION_NONE);
  g_assert_cmpint (tracker.state, ==, WARD_FLAG_STATE_NONE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/flag-rules/sustained-opens-once", test_sustained_opens_once);
  g_test_add_func ("/core/flag-rules/flicker-is-one-episode", test_flicker_is_one_episode);
  g_test_add_func ("/core/flag-rules/escalation", test_escalation);
  g_test_add_func ("/core/flag-rules/opens-at-lowest-sustained-band", test_opens_at_lowest_sustained_band);
  g_test_add_func ("/core/flag-rules/threshold-is-configurable", test_threshold_is_configurable);
  g_test_add_func ("/core/flag-rules/nurse-validated-skips-delay", test_nurse_validated_skips_delay);

  return g_test_run ();
}
