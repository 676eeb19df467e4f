/* ward-alarm-sound.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ward-alarm-arbiter.h"
#include "ward-snapshot.h"

G_BEGIN_DECLS

/* The lowest volume a ward station plays its alarms at, whatever the
 * settings say; a desktop may go lower, and then says alarms are muted.
 */
#define WARD_ALARM_STATION_MIN_VOLUME 0.3

/* The station's alarm sound: what the arbiter chooses, played through
 * GStreamer, with the audio pause and the technical alarm raised when
 * the sound cannot play.  Main thread only.
 */
#define WARD_TYPE_ALARM_SOUND (ward_alarm_sound_get_type ())
G_DECLARE_FINAL_TYPE (WardAlarmSound, ward_alarm_sound, WARD, ALARM_SOUND, GObject)

WardAlarmSound *ward_alarm_sound_new                  (void);
void            ward_alarm_sound_update               (WardAlarmSound *self,
                                                       WardSnapshot   *snapshot);
void            ward_alarm_sound_set_source_alarm     (WardAlarmSound *self,
                                                       gboolean        source_alarm);
gboolean        ward_alarm_sound_pause                (WardAlarmSound *self);
gboolean        ward_alarm_sound_resume               (WardAlarmSound *self);
int             ward_alarm_sound_get_sounding         (WardAlarmSound *self);
int             ward_alarm_sound_get_alarm_priority   (WardAlarmSound *self);
gboolean        ward_alarm_sound_get_paused           (WardAlarmSound *self);
gint64          ward_alarm_sound_get_pause_remaining  (WardAlarmSound *self);
const char     *ward_alarm_sound_get_error            (WardAlarmSound *self);
gboolean        ward_alarm_sound_get_station          (WardAlarmSound *self);
void            ward_alarm_sound_set_station          (WardAlarmSound *self,
                                                       gboolean        station);
gboolean        ward_alarm_sound_get_enabled          (WardAlarmSound *self);
void            ward_alarm_sound_set_enabled          (WardAlarmSound *self,
                                                       gboolean        enabled);
double          ward_alarm_sound_get_volume           (WardAlarmSound *self);
void            ward_alarm_sound_set_volume           (WardAlarmSound *self,
                                                       double          volume);
guint           ward_alarm_sound_get_pause_seconds    (WardAlarmSound *self);
void            ward_alarm_sound_set_pause_seconds    (WardAlarmSound *self,
                                                       guint           seconds);
double          ward_alarm_sound_get_effective_volume (WardAlarmSound *self);
gboolean        ward_alarm_sound_get_muted            (WardAlarmSound *self);

G_END_DECLS
