/* ward-watchdog.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Why the picture on screen is not live, worst first. */
typedef enum
{
  WARD_WATCHDOG_LIVE,
  WARD_WATCHDOG_PIPELINE_STUCK,   /* the pipeline thread has not made progress */
  WARD_WATCHDOG_NO_SNAPSHOT,      /* it runs, but no snapshot reached this thread */
  WARD_WATCHDOG_MAIN_LOOP_LATE,   /* this thread's main loop was blocked (shown a while after) */
} WardWatchdogState;

#define WARD_WATCHDOG_STALL_USEC  (10 * G_USEC_PER_SEC)
#define WARD_WATCHDOG_LATE_USEC   (2 * G_USEC_PER_SEC)
#define WARD_WATCHDOG_CHECK_MSEC  500

/* The monotonic time of the pipeline thread's last progress, or 0 when
 * it is not running (then nothing is expected).
 */
typedef gint64 (*WardHeartbeatFunc) (gpointer user_data);

#define WARD_TYPE_WATCHDOG (ward_watchdog_get_type ())
G_DECLARE_FINAL_TYPE (WardWatchdog, ward_watchdog, WARD, WATCHDOG, GObject)

WardWatchdog      *ward_watchdog_new                (void);
void               ward_watchdog_start              (WardWatchdog      *self,
                                                     WardHeartbeatFunc  heartbeat,
                                                     gpointer           user_data);
void               ward_watchdog_stop               (WardWatchdog      *self);
void               ward_watchdog_snapshot_arrived   (WardWatchdog      *self);
void               ward_watchdog_set_limits         (WardWatchdog      *self,
                                                     gint64             stall_usec,
                                                     gint64             late_usec);
WardWatchdogState  ward_watchdog_get_state          (WardWatchdog      *self);
gint64             ward_watchdog_get_since          (WardWatchdog      *self);
gint64             ward_watchdog_get_until          (WardWatchdog      *self);
const char        *ward_watchdog_state_to_string    (WardWatchdogState  state);

G_END_DECLS
