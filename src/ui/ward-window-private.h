/* ward-window-private.h: test-only hooks of WardWindow, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-window.h"

G_BEGIN_DECLS

/* The source alarm banner, the snapshot queue and its statistics, and the
 * window's parts, as the tests look at them.
 */
gboolean    _ward_window_get_source_alarm_visible (WardWindow   *self);
const char *_ward_window_get_source_alarm_text  (WardWindow     *self);
gboolean    _ward_window_has_pending_snapshot   (WardWindow     *self);
void        _ward_window_get_stats              (WardWindow     *self,
                                                 guint64        *n_received,
                                                 guint64        *n_applied,
                                                 gint64         *max_usec,
                                                 gint64         *total_usec);
WardTimelineWindow *_ward_window_get_timeline (WardWindow *self);
AdwMessageDialog *_ward_window_get_concern_dialog (WardWindow *self);
WardHandoverDialog *_ward_window_get_handover (WardWindow     *self);
WardCareView *_ward_window_get_care_view       (WardWindow     *self);
WardAlarmBar *_ward_window_get_alarm_bar        (WardWindow     *self);
/* The tile of the index-th bed of the snapshot. */
WardBedTile *_ward_window_get_tile              (WardWindow     *self,
                                                 guint           index);
/* How many tiles the filter shows; order gets their bed indexes as shown. */
guint       _ward_window_get_n_shown            (WardWindow     *self,
                                                 guint          *order,
                                                 guint           n_order);

G_END_DECLS
