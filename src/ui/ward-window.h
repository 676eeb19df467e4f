/* ward-window.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-alarm-bar.h"
#include "ward-bed-tile.h"
#include "ward-board-layout.h"
#include "ward-care-view.h"
#include "ward-handover-dialog.h"
#include "ward-timeline-window.h"
#include "ward-pipeline.h"
#include "ward-snapshot.h"

G_BEGIN_DECLS

#define WARD_TYPE_WINDOW (ward_window_get_type ())
G_DECLARE_FINAL_TYPE (WardWindow, ward_window, WARD, WINDOW, AdwApplicationWindow)

WardWindow *ward_window_new                     (GtkApplication *application);
gboolean    ward_window_get_demo                (WardWindow     *self);
void        ward_window_set_demo                (WardWindow     *self,
                                                 gboolean        demo);
gboolean    ward_window_get_show_patient_names  (WardWindow     *self);
void        ward_window_set_show_patient_names  (WardWindow     *self,
                                                 gboolean        show_patient_names);
void        ward_window_apply_snapshot          (WardWindow     *self,
                                                 WardSnapshot   *snapshot);
/* The pipeline commands (acknowledge, nurse entry) go to; NULL in tests
 * that only show snapshots.
 */
void        ward_window_set_pipeline            (WardWindow     *self,
                                                 WardPipeline   *pipeline);
WardPipeline *ward_window_get_pipeline          (WardWindow     *self);
/* Who acknowledges, enters and confirms from this window. */
void        ward_window_set_acting_widget       (WardWindow     *self,
                                                 GtkWidget      *widget);
void        ward_window_set_user                (WardWindow     *self,
                                                 const char     *user);
const char *ward_window_get_user                (WardWindow     *self);
/* Shows the patient view of patient_id (a patient on the ward). */
void        ward_window_open_patient            (WardWindow     *self,
                                                 const char     *patient_id);
void        ward_window_set_source_alarm        (WardWindow     *self,
                                                 const char     *text);
void        ward_window_show_error              (WardWindow     *self,
                                                 const GError   *error);
/* The board's density for this window only (ward-window-board.c). */
void        ward_window_set_board_density       (WardWindow       *self,
                                                 WardBoardDensity  density);
WardBoardDensity ward_window_get_board_density  (WardWindow       *self);

G_END_DECLS
