/* ward-timeline-window-private.h: test-only hooks of WardTimelineWindow, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-timeline-window.h"

G_BEGIN_DECLS

/* For tests. */
gboolean    _ward_timeline_window_is_loading (WardTimelineWindow *self);
guint       _ward_timeline_window_get_n_rows (WardTimelineWindow *self);
/* The row's text as a screen reader hears it. */
const char *_ward_timeline_window_get_row_text (WardTimelineWindow *self,
                                                guint               index);

G_END_DECLS
