/* ward-alarm-bar.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ward-alarm-priority.h"
#include "ward-snapshot.h"

G_BEGIN_DECLS

/* The alarm bar across the top of the window: one entry per open flag,
 * per silent device and for a device source that lost its devices,
 * ordered by priority, then by age (the oldest first).  Priorities follow
 * IEC 60601-1-8: high is red and flashes at 2 Hz, medium is yellow and
 * flashes at 0.6 Hz, low is cyan and steady; each carries its text marker
 * (*** / ** / *) so that colour is never the only cue.
 */

#define WARD_TYPE_ALARM_BAR (ward_alarm_bar_get_type ())
G_DECLARE_FINAL_TYPE (WardAlarmBar, ward_alarm_bar, WARD, ALARM_BAR, GtkWidget)

GtkWidget         *ward_alarm_bar_new                  (void);
void               ward_alarm_bar_update               (WardAlarmBar   *self,
                                                        WardSnapshot   *snapshot,
                                                        gboolean        show_patient_names);
/* A device source that cannot reach its devices (text), or NULL. */
void               ward_alarm_bar_set_source_alarm     (WardAlarmBar   *self,
                                                        const char     *text);
const char        *ward_alarm_bar_get_source_alarm     (WardAlarmBar   *self);
/* The station's alarm sound cannot play (text), or NULL. */
void               ward_alarm_bar_set_sound_alarm      (WardAlarmBar   *self,
                                                        const char     *text);
guint              ward_alarm_bar_get_n_alarms         (WardAlarmBar   *self);
/* The first alarm in the bar's order that can be acknowledged and is
 * not yet: its flag id, or 0.
 */
gint64             ward_alarm_bar_get_top_unacknowledged (WardAlarmBar *self,
                                                        const char    **patient_id);
/* Moves the keyboard focus to the first alarm; FALSE if there is none. */
gboolean           ward_alarm_bar_focus_first          (WardAlarmBar   *self);

G_END_DECLS
