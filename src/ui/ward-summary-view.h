/* ward-summary-view.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define WARD_TYPE_SUMMARY_VIEW (ward_summary_view_get_type ())
G_DECLARE_FINAL_TYPE (WardSummaryView, ward_summary_view, WARD, SUMMARY_VIEW, AdwWindow)

/* The ward summary (store/ward-summary.c) of the last 8, 12 (the
 * default), 24 hours or 7 days (setting summary-period-hours, chosen in
 * the header bar), read again every summary-refresh-minutes (default 15)
 * and on F5, on its own read-only connection, titled with the ward's
 * name when the ward file gives one.  Ctrl+P prints the shift report of
 * the same period through the print dialog; Ctrl+S saves it as PDF.
 * printed_by names who prints it; show_names puts full names in the
 * report instead of initials.
 */
WardSummaryView *ward_summary_view_new        (GtkWindow       *parent,
                                               const char      *db_path,
                                               const char      *printed_by,
                                               gboolean         show_names);
void             ward_summary_view_refresh    (WardSummaryView *self);
/* "Print Shift Report": the print dialog, drawing the PDF's pages. */
void             ward_summary_view_print      (WardSummaryView *self);
/* "Save Shift Report": asks where to save, then writes the PDF. */
void             ward_summary_view_save       (WardSummaryView *self);
/* Writes the shift report of the period shown to path (the file chooser's
 * end; tests call it directly).
 */
void             ward_summary_view_save_report (WardSummaryView *self,
                                                const char      *path);

/* For tests. */
gboolean         _ward_summary_view_is_loading (WardSummaryView *self);
const char      *_ward_summary_view_get_text   (WardSummaryView *self,
                                                const char      *section);
guint            _ward_summary_view_get_refresh_seconds (WardSummaryView *self);
void             _ward_summary_view_set_period_end      (WardSummaryView *self,
                                                         gint64           to);
/* Runs the print operation without a dialog, exporting to a PDF file. */
void             _ward_summary_view_print_to_file       (WardSummaryView *self,
                                                         const char      *path);
gboolean         _ward_summary_view_is_printing         (WardSummaryView *self);
guint            _ward_summary_view_get_printed_pages   (WardSummaryView *self);
guint            _ward_summary_view_get_period_hours    (WardSummaryView *self);
GtkWidget       *_ward_summary_view_get_period_dropdown (WardSummaryView *self);

G_END_DECLS
