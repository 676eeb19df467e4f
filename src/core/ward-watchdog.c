/* ward-watchdog.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-watchdog"

#include "config.h"

#include "ward-watchdog.h"
#include "ward-watchdog-private.h"

/* The watchdog of the thread that shows the ward (the main thread).  A
 * clinician must never take a still picture for a live one, so it says
 * when the picture stopped being live, for one of three reasons:
 *
 * - the pipeline thread made no progress (its heartbeat) for stall_usec;
 * - no snapshot reached this thread for stall_usec although the pipeline
 *   runs (a delivery that never comes);
 * - this thread's main loop was blocked: a timer due every
 *   WARD_WATCHDOG_CHECK_MSEC fired more than late_usec late.  Nothing can
 *   be shown while the loop is blocked, so this one is shown afterwards,
 *   for stall_usec, with the span the display missed.
 *
 * Everything runs on real monotonic time, never on the pipeline's clock,
 * which the demo speeds up.  Each episode is logged once when it starts
 * and once when it ends; the log names no patient.
 */

struct _WardWatchdog
{
  GObject            parent_instance;

  WardHeartbeatFunc  heartbeat;
  gpointer           heartbeat_data;
  WardWatchdogClock  clock;
  gpointer           clock_data;
  GSource           *timer;

  gint64             stall_usec;
  gint64             late_usec;

  /* Monotonic times. */
  gint64             last_arrival;    /* the last snapshot, or the start */
  gint64             due;             /* when the timer should fire next */
  gint64             late_from;       /* the last blocked main loop, 0 without one */
  gint64             late_to;
  gint64             episode_start;

  WardWatchdogState  state;
  gint64             since_mono;      /* what since and until were computed from */
  gint64             until_mono;
  gint64             since;           /* real time, local on screen */
  gint64             until;           /* real time, MAIN_LOOP_LATE only */
  guint              running : 1;
};

G_DEFINE_FINAL_TYPE (WardWatchdog, ward_watchdog, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gint64
monotonic_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

/* A monotonic time as wall-clock time, for the screen and the log;
 * real_now is the wall clock read once at now, so that two times
 * converted together keep their exact distance.
 */
static gint64
to_real (gint64 mono,
         gint64 now,
         gint64 real_now)
{
  return mono != 0 ? real_now - (now - mono) : 0;
}

static char *
format_local (gint64 real_usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (real_usec / G_USEC_PER_SEC);

  return dt != NULL ? g_date_time_format (dt, "%H:%M:%S") : g_strdup ("?");
}

/* @since_mono, @until_mono: monotonic; converted to wall-clock time once,
 * so that the time on screen does not move while the episode lasts.
 */
static void
set_state (WardWatchdog      *self,
           WardWatchdogState  state,
           gint64             since_mono,
           gint64             until_mono,
           gint64             now)
{
  gint64 since, until, real_now;

  if (self->state == state && self->since_mono == since_mono && self->until_mono == until_mono)
    return;

  real_now = g_get_real_time ();
  since = to_real (since_mono, now, real_now);
  until = to_real (until_mono, now, real_now);

  if (state != WARD_WATCHDOG_LIVE && self->state == WARD_WATCHDOG_LIVE)
    {
      g_autofree char *when = format_local (since);

      self->episode_start = now;
      g_message ("Display not updating since %s: %s", when, ward_watchdog_state_to_string (state));
    }
  else if (state == WARD_WATCHDOG_LIVE && self->state != WARD_WATCHDOG_LIVE)
    g_message ("Display updating again (%s for %.1f s)",
               ward_watchdog_state_to_string (self->state),
               (now - self->episode_start) / (double) G_USEC_PER_SEC);

  self->state = state;
  self->since_mono = since_mono;
  self->until_mono = until_mono;
  self->since = since;
  self->until = until;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* @timer: called by the timer, which measures the main loop's lateness. */
static void
check (WardWatchdog *self,
       gboolean      timer)
{
  gint64 now, heartbeat;

  if (!self->running)
    return;

  now = self->clock (self->clock_data);

  if (timer)
    {
      if (self->due != 0 && now - self->due > self->late_usec)
        {
          /* Last seen alive when the timer fired before. */
          self->late_from = self->due - WARD_WATCHDOG_CHECK_MSEC * 1000;
          self->late_to = now;
        }
      self->due = now + WARD_WATCHDOG_CHECK_MSEC * 1000;
    }

  heartbeat = self->heartbeat != NULL ? self->heartbeat (self->heartbeat_data) : now;

  /* A pipeline that is not running (stopped at quit, or by a tool that
   * keeps its last picture) sends nothing, and nothing is expected; the
   * wait counts again from when it runs.
   */
  if (heartbeat == 0)
    {
      self->last_arrival = now;
      self->late_from = self->late_to = 0;
      set_state (self, WARD_WATCHDOG_LIVE, 0, 0, now);
      return;
    }

  if (now - heartbeat > self->stall_usec)
    set_state (self, WARD_WATCHDOG_PIPELINE_STUCK, self->last_arrival, 0, now);
  else if (self->late_to != 0 && now - self->late_to <= self->stall_usec)
    set_state (self, WARD_WATCHDOG_MAIN_LOOP_LATE, self->late_from, self->late_to, now);
  else if (now - self->last_arrival > self->stall_usec)
    set_state (self, WARD_WATCHDOG_NO_SNAPSHOT, self->last_arrival, 0, now);
  else
    set_state (self, WARD_WATCHDOG_LIVE, 0, 0, now);
}

static gboolean
timer_cb (gpointer user_data)
{
  check (user_data, TRUE);

  return G_SOURCE_CONTINUE;
}

static void
ward_watchdog_dispose (GObject *object)
{
  ward_watchdog_stop (WARD_WATCHDOG (object));

  G_OBJECT_CLASS (ward_watchdog_parent_class)->dispose (object);
}

static void
ward_watchdog_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  WardWatchdog *self = WARD_WATCHDOG (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_watchdog_class_init (WardWatchdogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_watchdog_dispose;
  object_class->get_property = ward_watchdog_get_property;

  /* A WardWatchdogState; notified when it, or the span it names, changes. */
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL, 0, WARD_WATCHDOG_MAIN_LOOP_LATE, WARD_WATCHDOG_LIVE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ward_watchdog_init (WardWatchdog *self)
{
  self->clock = monotonic_clock;
  self->stall_usec = WARD_WATCHDOG_STALL_USEC;
  self->late_usec = WARD_WATCHDOG_LATE_USEC;
}

WardWatchdog *
ward_watchdog_new (void)
{
  return g_object_new (WARD_TYPE_WATCHDOG, NULL);
}

/**
 * ward_watchdog_start:
 * @heartbeat: (nullable): the pipeline's heartbeat (ward_pipeline_get_heartbeat())
 *
 * Starts watching, on the thread-default main context: from now on a
 * snapshot is expected at least every stall limit.
 */
void
ward_watchdog_start (WardWatchdog      *self,
                     WardHeartbeatFunc  heartbeat,
                     gpointer           user_data)
{
  g_return_if_fail (WARD_IS_WATCHDOG (self));

  ward_watchdog_stop (self);

  self->heartbeat = heartbeat;
  self->heartbeat_data = user_data;
  self->running = TRUE;
  self->last_arrival = self->clock (self->clock_data);
  self->due = self->last_arrival + WARD_WATCHDOG_CHECK_MSEC * 1000;
  self->late_from = self->late_to = 0;

  self->timer = g_timeout_source_new (WARD_WATCHDOG_CHECK_MSEC);
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_static_name (self->timer, "[ward-watchdog]");
  g_source_attach (self->timer, g_main_context_get_thread_default ());
}

/* Stops watching; the picture counts as live (nothing is expected). */
void
ward_watchdog_stop (WardWatchdog *self)
{
  g_return_if_fail (WARD_IS_WATCHDOG (self));

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  self->running = FALSE;
  self->heartbeat = NULL;
  self->heartbeat_data = NULL;
  set_state (self, WARD_WATCHDOG_LIVE, 0, 0, self->clock (self->clock_data));
}

/* A snapshot reached the display: a banner about missing ones goes at once. */
void
ward_watchdog_snapshot_arrived (WardWatchdog *self)
{
  g_return_if_fail (WARD_IS_WATCHDOG (self));

  if (!self->running)
    return;

  self->last_arrival = self->clock (self->clock_data);
  check (self, FALSE);
}

void
ward_watchdog_set_limits (WardWatchdog *self,
                          gint64        stall_usec,
                          gint64        late_usec)
{
  g_return_if_fail (WARD_IS_WATCHDOG (self));
  g_return_if_fail (stall_usec > 0 && late_usec > 0);

  self->stall_usec = stall_usec;
  self->late_usec = late_usec;
}

WardWatchdogState
ward_watchdog_get_state (WardWatchdog *self)
{
  g_return_val_if_fail (WARD_IS_WATCHDOG (self), WARD_WATCHDOG_LIVE);

  return self->state;
}

/* The wall-clock time since which the display has not updated (the last
 * snapshot it got, or when its main loop last ran), 0 when live.
 */
gint64
ward_watchdog_get_since (WardWatchdog *self)
{
  g_return_val_if_fail (WARD_IS_WATCHDOG (self), 0);

  return self->since;
}

/* MAIN_LOOP_LATE: the wall-clock time the main loop ran again; else 0. */
gint64
ward_watchdog_get_until (WardWatchdog *self)
{
  g_return_val_if_fail (WARD_IS_WATCHDOG (self), 0);

  return self->until;
}

/* For the log (English, no patient data). */
const char *
ward_watchdog_state_to_string (WardWatchdogState state)
{
  switch (state)
    {
    case WARD_WATCHDOG_LIVE:
      return "live";
    case WARD_WATCHDOG_PIPELINE_STUCK:
      return "the pipeline thread makes no progress";
    case WARD_WATCHDOG_NO_SNAPSHOT:
      return "no snapshot reached the display";
    case WARD_WATCHDOG_MAIN_LOOP_LATE:
      return "the display's main loop was blocked";
    default:
      return "unknown";
    }
}

/* Test hooks. */
void
_ward_watchdog_set_clock (WardWatchdog      *self,
                          WardWatchdogClock  clock,
                          gpointer           user_data)
{
  g_return_if_fail (WARD_IS_WATCHDOG (self));

  self->clock = clock != NULL ? clock : monotonic_clock;
  self->clock_data = user_data;
}

void
_ward_watchdog_check (WardWatchdog *self)
{
  g_return_if_fail (WARD_IS_WATCHDOG (self));

  check (self, TRUE);
}
