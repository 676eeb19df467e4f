/* ward-shift-report.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

#include "ward-summary.h"

G_BEGIN_DECLS

#define WARD_SHIFT_REPORT_ERROR (ward_shift_report_error_quark ())

typedef enum
{
  WARD_SHIFT_REPORT_ERROR_WRITE,   /* the PDF or a CSV file could not be written */
} WardShiftReportError;

/* The shift report (issue #13, part 2): the ward summary of a period
 * (store/ward-summary.c: every number comes from there) as an A4 PDF
 * (the shared page furniture, report/ward-pdf-pages.c: the ward and the
 * period on every page, "Page N of M") with the charts, each flag's
 * timeline and the handover notes; and as CSV files of the same tables.
 * The summary must be computed with details for the timelines and notes.
 */
typedef struct
{
  const char *ward;           /* "Ward 7B" */
  gint64      printed_at;     /* UTC microseconds */
  const char *printed_by;     /* NULL: not shown */
  gboolean    show_names;     /* FALSE: initials only */
} WardShiftReportInfo;

GQuark    ward_shift_report_error_quark  (void);

gboolean  ward_shift_report_write_pdf    (const WardSummary          *summary,
                                          const WardShiftReportInfo  *info,
                                          const char                 *path,
                                          guint                      *n_pages,
                                          GError                    **error);

/* The PDF's pages, laid out alike, each on a cairo recording surface of
 * A4 in points (ward_pdf_pages_record()): what the app's print dialog
 * draws, page by page.
 */
GPtrArray *ward_shift_report_record_pages (const WardSummary         *summary,
                                           const WardShiftReportInfo *info);

/* Writes census.csv, flags.csv, response.csv, response-distribution.csv,
 * overdue.csv, technical.csv, burden.csv, data-issues.csv,
 * flag-timeline.csv and handover-notes.csv into dir (made if missing).
 * Comma-separated, RFC 4180 quoting, UTF-8, times in ISO 8601 UTC; a
 * text cell that a spreadsheet would run as a formula gets a leading '.
 */
gboolean  ward_shift_report_write_csv    (const WardSummary          *summary,
                                          const WardShiftReportInfo  *info,
                                          const char                 *dir,
                                          GError                    **error);

/* The charts, drawn with cairo into a width x height box at the current
 * origin: the report draws them on its pages, the summary view in its
 * widgets.  The census stacks patients by band at each hour mark; the
 * distribution is a bar per response bin, the last bar the missed.
 */
void      ward_report_draw_census        (cairo_t                    *cr,
                                          double                      width,
                                          double                      height,
                                          const WardSummary          *summary,
                                          gboolean                    dark);
void      ward_report_draw_responses     (cairo_t                    *cr,
                                          double                      width,
                                          double                      height,
                                          const WardSummary          *summary,
                                          gboolean                    dark);

/* A patient as the report names them: the full name, or initials. */
char     *ward_report_patient            (const char                 *name,
                                          const char                 *patient_id,
                                          gboolean                    show_names);

G_END_DECLS
