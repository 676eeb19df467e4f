/* ward-alarm-bar-private.h: test-only hooks of WardAlarmBar, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-alarm-bar.h"

G_BEGIN_DECLS

/* For tests: the entries in order. */
GtkWidget         *_ward_alarm_bar_get_entry           (WardAlarmBar   *self,
                                                        guint           index);
const char        *_ward_alarm_bar_get_entry_text      (GtkWidget      *entry);
GtkWidget         *_ward_alarm_bar_get_entry_open_button (GtkWidget    *entry);
GtkWidget         *_ward_alarm_bar_get_entry_ack_button (GtkWidget     *entry);

/* The flash's period of @priority in ms (0: steady); entries that flash
 * have the "flash-dim" class in the second half of each period.
 */
guint              _ward_alarm_bar_get_flash_period_msec (WardAlarmPriority priority);

/* The "+N more" button for the entries the bar has no room for. */
GtkWidget         *_ward_alarm_bar_get_more_button     (WardAlarmBar   *self);

G_END_DECLS
