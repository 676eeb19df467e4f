/* ward-alarm-sound-strip.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ward-alarm-sound.h"
#include "ward-window.h"

G_BEGIN_DECLS

/* Under the alarm bar: "Audio paused 1:42" with Resume Audio, "Alarm
 * sounding: high priority" with Pause Audio, and the "Alarms muted"
 * banner of a desktop that turned its alarm sound off or down.
 */
#define WARD_TYPE_ALARM_SOUND_STRIP (ward_alarm_sound_strip_get_type ())
G_DECLARE_FINAL_TYPE (WardAlarmSoundStrip, ward_alarm_sound_strip, WARD, ALARM_SOUND_STRIP, GtkWidget)

GtkWidget           *ward_alarm_sound_strip_new        (void);
void                 ward_alarm_sound_strip_set_sound  (WardAlarmSoundStrip *self,
                                                        WardAlarmSound      *sound);
WardAlarmSoundStrip *ward_alarm_sound_strip_attach     (WardWindow          *window,
                                                        WardAlarmSound      *sound);

/* For tests. */
const char          *_ward_alarm_sound_strip_get_text       (WardAlarmSoundStrip *self);
const char          *_ward_alarm_sound_strip_get_muted_text (WardAlarmSoundStrip *self);

G_END_DECLS
