/* ward-window-private.h: the window's state, shared by its source files,
 * and its test-only hooks, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-alarm-bar.h"
#include "ward-board-layout.h"
#include "ward-care-view.h"
#include "ward-data-issues.h"
#include "ward-handover-dialog.h"
#include "ward-patient-view.h"
#include "ward-store-alarm.h"
#include "ward-summary-view.h"
#include "ward-timeline-window.h"
#include "ward-watchdog-banner.h"
#include "ward-window.h"

G_BEGIN_DECLS

/* The window's state, shared by ward-window.c and ward-window-care.c. */
struct _WardWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkWidget            *back_button;
  AdwBin               *acting_slot;
  GtkStack             *stack;
  AdwStatusPage        *status_page;
  GtkSpinner           *spinner;
  GtkLabel             *summary_label;
  GtkFlowBox           *flow_box;
  WardAlarmBar         *alarm_bar;
  WardStoreAlarm       *store_alarm;
  GtkRevealer          *sync_revealer;
  GtkLabel             *sync_label;
  GtkWidget            *sync_details_button;
  WardPatientView      *patient_view;
  WardWatchdogBanner   *watchdog_banner;

  /* Owned */
  GSettings            *settings;       /* NULL when the schema is not installed */
  WardSnapshot         *snapshot;       /* the one shown */
  WardSnapshot         *pending;        /* the newest not yet shown, or NULL */
  char                 *db_path;        /* NULL until the application sets it */
  WardPipeline         *pipeline;       /* NULL in tests that only show snapshots */
  char                 *user;
  GPtrArray            *tiles;          /* WardBedTile, in the snapshot's bed order */
  GArray               *ranks;          /* Rank per bed, for sorting by risk */
  GArray               *order;          /* guint: bed indexes in the order shown */
  GHashTable           *my_patients;    /* patient id set */
  GCancellable         *cancellable;
  WardBoardLayout      *board_layout;   /* ward-window-board.c */

  /* Borrowed */
  WardDataIssues       *data_issues;    /* weak */
  WardCareView         *care_view;      /* weak */
  WardHandoverDialog   *handover;       /* weak */
  AdwMessageDialog     *concern_dialog; /* weak */
  WardTimelineWindow   *timeline;       /* weak */
  WardSummaryView      *summary_view;   /* weak */

  guint                 tick_id;
  guint                 pace_id;        /* an ordinary update waiting its turn (ward-board-pace.c) */
  gint64                shown_at;       /* monotonic time the last snapshot was shown, or 0 */
  gint64                title_second;   /* the second the subtitle shows, or -1 */
  gint64                last_frame;     /* frame counter of the last applied snapshot */
  guint64               n_received;
  guint64               n_applied;
  gint64                apply_max_usec;   /* main-thread CPU time spent applying snapshots */
  gint64                apply_total_usec;
  guint                 demo : 1;
  guint                 show_patient_names : 1;
  guint                 sort_by_bed : 1;
  guint                 my_patients_only : 1;
  guint                 compact : 1;
  guint                 density_override : 1;
};

void _ward_window_toast             (WardWindow     *self,
                                     const char     *text);
/* ward-window-board.c: the board's layout and density. */
void _ward_window_init_board        (WardWindow     *self);
void _ward_window_dispose_board     (WardWindow     *self);
WardBoardLayout *_ward_window_get_board_layout (WardWindow *self);
/* ward-window-care.c: the care-team actions and their shortcuts. */
void _ward_window_class_init_care   (GtkWidgetClass *widget_class);
void _ward_window_init_keys          (WardWindow     *self);

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
