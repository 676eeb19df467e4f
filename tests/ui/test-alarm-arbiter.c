/* test-alarm-arbiter.c: what the alarm sound plays, and the audio pause,
 * with a controlled clock; no audio.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-alarm-arbiter"

#include "config.h"

#include "ward-alarm-arbiter.h"

#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)
#define SEC G_USEC_PER_SEC

static WardBedState *
add_bed (GArray *beds)
{
  WardBedState bed = { 0 };
  guint number = beds->len + 1;

  bed.bed_id = g_strdup_printf ("bed-%02u", number);
  bed.bed_label = g_strdup_printf ("Bed %u", number);
  bed.patient_id = g_strdup_printf ("sim-patient-%02u", number);
  bed.device_id = g_strdup_printf ("sim-monitor-%02u", number);
  g_array_append_val (beds, bed);

  return &g_array_index (beds, WardBedState, beds->len - 1);
}

static void
open_flag (WardBedState *bed,
           gint64        flag_id,
           WardBand      band)
{
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->flag_id = flag_id;
  bed->flag_band = band;
  bed->flag_opened_at = NOW - 60 * SEC;
}

static GArray *
new_beds (void)
{
  GArray *beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  return beds;
}

static int
collect (GArray   *beds,
         gboolean  source_alarm)
{
  WardCounters counters = { 0 };
  g_autoptr(WardSnapshot) snapshot = _ward_snapshot_new (NOW, 1, beds, &counters);

  return ward_alarm_arbiter_collect (snapshot, source_alarm);
}

/* The highest active, unacknowledged alarm decides, at the priority
 * the alarm bar gives it.
 */
static void
test_arbiter_collect (void)
{
  g_autoptr(GArray) beds = new_beds ();
  WardBedState *bed;
  WardModelFlagView model = { 0 };

  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_SILENT);
  g_assert_cmpint (ward_alarm_arbiter_collect (NULL, TRUE), ==, WARD_ALARM_PRIORITY_HIGH);

  /* A silent device: a technical alarm, low. */
  bed = add_bed (beds);
  bed->technical_alert = TRUE;
  bed->technical_alert_id = 5;
  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_PRIORITY_LOW);
  bed->technical_alert_acknowledged_by = g_strdup ("ada.nwosu");
  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_SILENT);

  /* A single red parameter (low-medium band) is a medium alarm. */
  bed = add_bed (beds);
  open_flag (bed, 11, WARD_BAND_LOW_MEDIUM);
  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_PRIORITY_MEDIUM);

  bed = add_bed (beds);
  open_flag (bed, 12, WARD_BAND_HIGH);
  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_PRIORITY_HIGH);

  /* Acknowledged: on screen, silent. */
  bed->flag_acknowledged_by = g_strdup ("ada.nwosu");
  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_PRIORITY_MEDIUM);

  /* Recovering (the score fell back): no longer an alarm condition. */
  g_array_index (beds, WardBedState, 1).flag_state = WARD_FLAG_STATE_RECOVERING;
  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_SILENT);

  /* A pending flag is not open yet. */
  g_array_index (beds, WardBedState, 1).flag_state = WARD_FLAG_STATE_PENDING;
  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_SILENT);

  /* A model's own flag: low. */
  bed = add_bed (beds);
  bed->model_flags = g_array_new (FALSE, TRUE, sizeof (WardModelFlagView));
  model.state = WARD_FLAG_STATE_OPEN;
  model.flag_id = 40;
  g_array_append_val (bed->model_flags, model);
  g_assert_cmpint (collect (beds, FALSE), ==, WARD_ALARM_PRIORITY_LOW);

  /* The device source down is high, whatever the beds say. */
  g_assert_cmpint (collect (beds, TRUE), ==, WARD_ALARM_PRIORITY_HIGH);
}

/* Two minutes of silence, a countdown, then the sound again. */
static void
test_arbiter_pause_expires (void)
{
  WardAlarmArbiter arbiter;
  gint64 now = 1000 * SEC;

  ward_alarm_arbiter_init (&arbiter);
  g_assert_false (ward_alarm_arbiter_pause (&arbiter, now, WARD_ALARM_PAUSE_USEC));

  g_assert_true (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_MEDIUM, now));
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_PRIORITY_MEDIUM);

  g_assert_true (ward_alarm_arbiter_pause (&arbiter, now, WARD_ALARM_PAUSE_USEC));
  g_assert_true (ward_alarm_arbiter_is_paused (&arbiter));
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_SILENT);
  g_assert_cmpint (ward_alarm_arbiter_get_pause_remaining (&arbiter, now), ==, 120 * SEC);

  now += 18 * SEC;
  g_assert_false (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_MEDIUM, now));
  g_assert_cmpint (ward_alarm_arbiter_get_pause_remaining (&arbiter, now), ==, 102 * SEC);

  /* Another alarm of the same or a lower priority stays paused. */
  g_assert_false (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_LOW, now));
  g_assert_false (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_MEDIUM, now));
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_SILENT);

  now += 102 * SEC - 1;
  g_assert_false (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_MEDIUM, now));
  g_assert_true (ward_alarm_arbiter_is_paused (&arbiter));
  now += 1;
  g_assert_true (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_MEDIUM, now));
  g_assert_false (ward_alarm_arbiter_is_paused (&arbiter));
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_PRIORITY_MEDIUM);
  g_assert_false (arbiter.broke_through);
}

/* The reference: a new higher-priority alarm breaks through a pause. */
static void
test_arbiter_break_through (void)
{
  WardAlarmArbiter arbiter;
  gint64 now = 1000 * SEC;

  ward_alarm_arbiter_init (&arbiter);
  ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_LOW, now);
  g_assert_true (ward_alarm_arbiter_pause (&arbiter, now, WARD_ALARM_PAUSE_USEC));

  now += 30 * SEC;
  g_assert_true (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_MEDIUM, now));
  g_assert_false (ward_alarm_arbiter_is_paused (&arbiter));
  g_assert_true (arbiter.broke_through);
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_PRIORITY_MEDIUM);

  /* Paused at medium: a high alarm breaks through again. */
  g_assert_true (ward_alarm_arbiter_pause (&arbiter, now, WARD_ALARM_PAUSE_USEC));
  g_assert_false (arbiter.broke_through);
  now += 5 * SEC;
  g_assert_true (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_HIGH, now));
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_PRIORITY_HIGH);

  /* Paused at high: nothing is higher; the pause runs its course. */
  g_assert_true (ward_alarm_arbiter_pause (&arbiter, now, WARD_ALARM_PAUSE_USEC));
  now += 60 * SEC;
  g_assert_false (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_HIGH, now));
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_SILENT);
}

/* A pause ends with nothing left to pause, and on Resume; pausing again
 * starts the two minutes again.
 */
static void
test_arbiter_pause_ends (void)
{
  WardAlarmArbiter arbiter;
  gint64 now = 1000 * SEC;

  ward_alarm_arbiter_init (&arbiter);
  ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_HIGH, now);
  g_assert_true (ward_alarm_arbiter_pause (&arbiter, now, WARD_ALARM_PAUSE_USEC));

  now += 100 * SEC;
  g_assert_true (ward_alarm_arbiter_pause (&arbiter, now, WARD_ALARM_PAUSE_USEC));
  g_assert_cmpint (ward_alarm_arbiter_get_pause_remaining (&arbiter, now), ==, 120 * SEC);

  /* Every alarm acknowledged: the pause is over; the next one sounds. */
  ward_alarm_arbiter_update (&arbiter, WARD_ALARM_SILENT, now);
  g_assert_false (ward_alarm_arbiter_is_paused (&arbiter));
  g_assert_true (ward_alarm_arbiter_update (&arbiter, WARD_ALARM_PRIORITY_LOW, now + SEC));
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_PRIORITY_LOW);

  g_assert_true (ward_alarm_arbiter_pause (&arbiter, now, WARD_ALARM_PAUSE_USEC));
  g_assert_true (ward_alarm_arbiter_resume (&arbiter, now + SEC));
  g_assert_cmpint (arbiter.sounding, ==, WARD_ALARM_PRIORITY_LOW);
  g_assert_false (ward_alarm_arbiter_resume (&arbiter, now + SEC));
  g_assert_cmpint (ward_alarm_arbiter_get_pause_remaining (&arbiter, now), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/alarm-arbiter/collect", test_arbiter_collect);
  g_test_add_func ("/ui/alarm-arbiter/pause-expires", test_arbiter_pause_expires);
  g_test_add_func ("/ui/alarm-arbiter/break-through", test_arbiter_break_through);
  g_test_add_func ("/ui/alarm-arbiter/pause-ends", test_arbiter_pause_ends);

  return g_test_run ();
}
