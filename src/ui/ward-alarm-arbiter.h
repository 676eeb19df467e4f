/* ward-alarm-arbiter.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-alarm-priority.h"
#include "ward-snapshot.h"

G_BEGIN_DECLS

/* No alarm sound. */
#define WARD_ALARM_SILENT (-1)

/* The audio pause of IEC 60601-1-8 in the reference: 2 minutes. */
#define WARD_ALARM_PAUSE_USEC (2 * 60 * G_USEC_PER_SEC)

/* What the ward's alarm sound plays, and the audio pause: pure logic,
 * driven with the time passed in, so that it is tested with a controlled
 * clock.  One sound for the whole station: the highest priority among
 * the alarms that are active and not acknowledged.
 */
typedef struct
{
  int       highest;        /* the highest active, unacknowledged priority, or WARD_ALARM_SILENT */
  int       sounding;       /* what plays now: highest, unless paused */
  gint64    pause_until;    /* 0 when not paused */
  int       pause_ceiling;  /* the priority that was sounding when the pause began */
  gboolean  broke_through;  /* the last pause ended because a higher priority came */
} WardAlarmArbiter;

int       ward_alarm_arbiter_collect              (WardSnapshot      *snapshot,
                                                   gboolean           source_alarm);
void      ward_alarm_arbiter_init                 (WardAlarmArbiter  *self);
gboolean  ward_alarm_arbiter_update               (WardAlarmArbiter  *self,
                                                   int                highest,
                                                   gint64             now);
gboolean  ward_alarm_arbiter_pause                (WardAlarmArbiter  *self,
                                                   gint64             now,
                                                   gint64             duration);
gboolean  ward_alarm_arbiter_resume               (WardAlarmArbiter  *self,
                                                   gint64             now);
gboolean  ward_alarm_arbiter_is_paused            (const WardAlarmArbiter *self);
gint64    ward_alarm_arbiter_get_pause_remaining  (const WardAlarmArbiter *self,
                                                   gint64             now);

G_END_DECLS
