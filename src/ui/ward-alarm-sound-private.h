/* ward-alarm-sound-private.h: test-only hooks of WardAlarmSound.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "ward-alarm-sound.h"

G_BEGIN_DECLS

typedef gint64 (*WardAlarmSoundClock) (gpointer user_data);

/* Plays into @description (a GStreamer bin description) rather than
 * WARDWATCH_AUDIO_SINK's; NULL for autoaudiosink.
 */
WardAlarmSound *_ward_alarm_sound_new_for_sink (const char *description);
/* A clock for the pause (g_get_monotonic_time() by default). */
void        _ward_alarm_sound_set_clock  (WardAlarmSound      *self,
                                          WardAlarmSoundClock  clock,
                                          gpointer             user_data);
/* Looks at the clock now, as the countdown's timer does. */
void        _ward_alarm_sound_tick       (WardAlarmSound      *self);
/* Plays into @description from the next time the output opens. */
void        _ward_alarm_sound_set_sink   (WardAlarmSound      *self,
                                          const char          *description);
/* What the 30 s timer does after an error: opens the output again now. */
void        _ward_alarm_sound_retry      (WardAlarmSound      *self);
/* The element that plays (inside WARDWATCH_AUDIO_SINK's bin), or NULL. */
GstElement *_ward_alarm_sound_get_sink   (WardAlarmSound      *self);

G_END_DECLS
