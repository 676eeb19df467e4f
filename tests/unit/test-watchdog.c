/* test-watchdog.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-watchdog.h"
#include "ward-watchdog-private.h"

/* The watchdog on a clock of the test's own: the test moves time and
 * makes the checks the timer would make.
 */

typedef struct
{
  WardWatchdog *watchdog;
  gint64        now;        /* the monotonic clock */
  gint64        heartbeat;  /* the pipeline's last progress */
  guint         notifies;
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  Fixture *f = user_data;

  return f->now;
}

static gint64
fake_heartbeat (gpointer user_data)
{
  Fixture *f = user_data;

  return f->heartbeat;
}

static void
state_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Fixture    *f)
{
  f->notifies++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->now = 1000 * G_USEC_PER_SEC;
  f->heartbeat = f->now;
  f->watchdog = ward_watchdog_new ();
  _ward_watchdog_set_clock (f->watchdog, fake_clock, f);
  g_signal_connect (f->watchdog, "notify::state", G_CALLBACK (state_notify_cb), f);
  ward_watchdog_start (f->watchdog, fake_heartbeat, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->watchdog);
}

/* Time passes in timer steps: the pipeline beats, the main loop is on
 * time, snapshots come only when @snapshots says so.
 */
static void
run (Fixture  *f,
     double    seconds,
     gboolean  snapshots)
{
  gint64 end = f->now + (gint64) (seconds * G_USEC_PER_SEC);

  while (f->now < end)
    {
      f->now += WARD_WATCHDOG_CHECK_MSEC * 1000;
      f->heartbeat = f->now;
      if (snapshots)
        ward_watchdog_snapshot_arrived (f->watchdog);
      _ward_watchdog_check (f->watchdog);
    }
}

static void
test_live (Fixture       *f,
           gconstpointer  data)
{
  run (f, 60, TRUE);
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);
  g_assert_cmpint (ward_watchdog_get_since (f->watchdog), ==, 0);
  g_assert_cmpuint (f->notifies, ==, 0);
}

static void
test_no_snapshot (Fixture       *f,
                  gconstpointer  data)
{
  gint64 last;

  run (f, 5, TRUE);
  last = g_get_real_time ();

  /* Under the limit: still live. */
  run (f, 9.5, FALSE);
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);

  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE,
                         "Display not updating since *: no snapshot reached the display");
  run (f, 1, FALSE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_NO_SNAPSHOT);
  /* Since the last snapshot, on the wall clock: about 10.5 s before "now". */
  g_assert_cmpint (ward_watchdog_get_since (f->watchdog), <=, last - 10 * G_USEC_PER_SEC + G_USEC_PER_SEC);
  g_assert_cmpint (ward_watchdog_get_since (f->watchdog), >=, last - 11 * G_USEC_PER_SEC - G_USEC_PER_SEC);

  /* Staying stalled does not log again or change the time shown. */
  {
    gint64 since = ward_watchdog_get_since (f->watchdog);
    guint notifies = f->notifies;

    run (f, 30, FALSE);
    g_assert_cmpint (ward_watchdog_get_since (f->watchdog), ==, since);
    g_assert_cmpuint (f->notifies, ==, notifies);
  }

  /* The next snapshot clears it at once, not at the next check. */
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE, "Display updating again*");
  f->now += 1000;
  ward_watchdog_snapshot_arrived (f->watchdog);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);
  g_assert_cmpint (ward_watchdog_get_since (f->watchdog), ==, 0);
}

static void
test_pipeline_stuck (Fixture       *f,
                     gconstpointer  data)
{
  gint64 end;

  run (f, 2, TRUE);

  /* The pipeline stops beating: no snapshots either. */
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE,
                         "Display not updating since *: the pipeline thread makes no progress");
  end = f->now + 11 * G_USEC_PER_SEC;
  while (f->now < end)
    {
      f->now += WARD_WATCHDOG_CHECK_MSEC * 1000;
      _ward_watchdog_check (f->watchdog);
    }
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_PIPELINE_STUCK);

  /* It beats and delivers again. */
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE, "Display updating again*");
  run (f, 1, TRUE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);
}

static void
test_main_loop_late (Fixture       *f,
                     gconstpointer  data)
{
  gint64 since, until;

  run (f, 3, TRUE);

  /* 1.9 s late is tolerated. */
  f->now += WARD_WATCHDOG_CHECK_MSEC * 1000 + 1900 * 1000;
  f->heartbeat = f->now;
  ward_watchdog_snapshot_arrived (f->watchdog);
  _ward_watchdog_check (f->watchdog);
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);

  /* 3 s late: the loop was blocked; snapshots flowed on either side. */
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE,
                         "Display not updating since *: the display's main loop was blocked");
  f->now += WARD_WATCHDOG_CHECK_MSEC * 1000 + 3 * G_USEC_PER_SEC;
  f->heartbeat = f->now;
  ward_watchdog_snapshot_arrived (f->watchdog);
  _ward_watchdog_check (f->watchdog);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_MAIN_LOOP_LATE);
  since = ward_watchdog_get_since (f->watchdog);
  until = ward_watchdog_get_until (f->watchdog);
  /* The span the display missed: from the check before to this one. */
  g_assert_cmpint (until - since, ==, WARD_WATCHDOG_CHECK_MSEC * 1000 + 3 * G_USEC_PER_SEC);

  /* Shown for the stall limit after the loop ran again, then cleared. */
  run (f, 9.5, TRUE);
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_MAIN_LOOP_LATE);
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE, "Display updating again*");
  run (f, 1, TRUE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);
}

static void
test_stopped (Fixture       *f,
              gconstpointer  data)
{
  run (f, 1, TRUE);

  /* Stopped (no pipeline running): nothing is expected, nothing shown,
   * and a stalled state goes.
   */
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE, "Display not updating since *");
  run (f, 11, FALSE);
  g_test_assert_expected_messages ();
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE, "Display updating again*");
  ward_watchdog_stop (f->watchdog);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);

  run (f, 60, FALSE);
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);
}

/* A pipeline that is not running (heartbeat 0) is not waited for; once
 * it runs again the wait starts afresh.
 */
static void
test_pipeline_stopped (Fixture       *f,
                       gconstpointer  data)
{
  gint64 end;

  run (f, 2, TRUE);

  f->heartbeat = 0;
  end = f->now + 60 * G_USEC_PER_SEC;
  while (f->now < end)
    {
      f->now += WARD_WATCHDOG_CHECK_MSEC * 1000;
      _ward_watchdog_check (f->watchdog);
      g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);
    }

  /* Running again, but no snapshot: the full limit before the banner. */
  end = f->now + 9 * G_USEC_PER_SEC;
  while (f->now < end)
    {
      f->now += WARD_WATCHDOG_CHECK_MSEC * 1000;
      f->heartbeat = f->now;
      _ward_watchdog_check (f->watchdog);
      g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);
    }
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE,
                         "Display not updating since *: no snapshot reached the display");
  run (f, 2, FALSE);
  g_test_assert_expected_messages ();
}

static void
test_limits (Fixture       *f,
             gconstpointer  data)
{
  ward_watchdog_set_limits (f->watchdog, 2 * G_USEC_PER_SEC, G_USEC_PER_SEC);
  run (f, 1.5, FALSE);
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_LIVE);
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE, "Display not updating since *");
  run (f, 1, FALSE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (f->watchdog), ==, WARD_WATCHDOG_NO_SNAPSHOT);
}

/* The real timer on a real main loop: a blocked loop is seen. */
static void
test_real_timer (void)
{
  g_autoptr(WardWatchdog) watchdog = ward_watchdog_new ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  gint64 deadline;

  g_main_context_push_thread_default (context);
  ward_watchdog_set_limits (watchdog, 60 * G_USEC_PER_SEC, 300 * 1000);
  ward_watchdog_start (watchdog, NULL, NULL);

  /* Let the timer fire once on time, then block the loop. */
  deadline = g_get_monotonic_time () + 700 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (ward_watchdog_get_state (watchdog), ==, WARD_WATCHDOG_LIVE);

  g_usleep (WARD_WATCHDOG_CHECK_MSEC * 1000 + 500 * 1000);
  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE,
                         "Display not updating since *: the display's main loop was blocked");
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (ward_watchdog_get_state (watchdog) == WARD_WATCHDOG_LIVE &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ward_watchdog_get_state (watchdog), ==, WARD_WATCHDOG_MAIN_LOOP_LATE);

  g_test_expect_message ("ward-watchdog", G_LOG_LEVEL_MESSAGE, "Display updating again*");
  ward_watchdog_stop (watchdog);
  g_test_assert_expected_messages ();
  g_main_context_pop_thread_default (context);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/core/watchdog/live", test_live);
  ADD ("/core/watchdog/no-snapshot", test_no_snapshot);
  ADD ("/core/watchdog/pipeline-stuck", test_pipeline_stuck);
  ADD ("/core/watchdog/main-loop-late", test_main_loop_late);
  ADD ("/core/watchdog/stopped", test_stopped);
  ADD ("/core/watchdog/pipeline-stopped", test_pipeline_stopped);
  ADD ("/core/watchdog/limits", test_limits);
  g_test_add_func ("/core/watchdog/real-timer", test_real_timer);

#undef ADD

  return g_test_run ();
}
