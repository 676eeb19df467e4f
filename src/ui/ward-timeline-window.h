/* ward-timeline-window.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define WARD_TYPE_TIMELINE_WINDOW (ward_timeline_window_get_type ())
G_DECLARE_FINAL_TYPE (WardTimelineWindow, ward_timeline_window, WARD, TIMELINE_WINDOW, AdwWindow)

/* A patient's timeline (care/ward-timeline.c), newest first: NEWS2 band
 * changes, the care team's communications and the audit trail, each
 * with who and when.  about names the patient in the title.
 */
WardTimelineWindow *ward_timeline_window_new (GtkWindow          *parent,
                                              const char         *db_path,
                                              const char         *patient_id,
                                              const char         *about);
/* Reads it again (F5). */
void        ward_timeline_window_reload      (WardTimelineWindow *self);

G_END_DECLS
