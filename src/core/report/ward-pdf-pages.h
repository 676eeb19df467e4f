/* ward-pdf-pages.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

G_BEGIN_DECLS

/* The page furniture every printed Wardwatch document shares (the
 * handover sheet, the shift report): A4 portrait, a header line on every
 * page (the caller's markup: ward, what, when), "Page N of M" at the
 * foot, and text placed line by line so that a page breaks between
 * lines, never inside one.
 *
 * The document is laid out twice by the caller's layout function: the
 * first pass counts the pages on a PDF surface that discards its bytes
 * (the same font metrics), the second draws, knowing M.  The layout
 * function must therefore do the same thing on both passes, and draw
 * only when ward_pdf_pages_is_drawing() says so.
 */

/* A4 in PostScript points, and the margins. */
#define WARD_PDF_PAGE_WIDTH    595.276
#define WARD_PDF_PAGE_HEIGHT   841.890
#define WARD_PDF_MARGIN        42.0
#define WARD_PDF_HEADER_HEIGHT 34.0
#define WARD_PDF_FOOTER_HEIGHT 26.0
#define WARD_PDF_BODY_TOP      (WARD_PDF_MARGIN + WARD_PDF_HEADER_HEIGHT)
#define WARD_PDF_BODY_BOTTOM   (WARD_PDF_PAGE_HEIGHT - WARD_PDF_MARGIN - WARD_PDF_FOOTER_HEIGHT)
#define WARD_PDF_BODY_WIDTH    (WARD_PDF_PAGE_WIDTH - 2 * WARD_PDF_MARGIN)

#define WARD_PDF_FONT_BODY     "Sans 9.5"
#define WARD_PDF_FONT_HEADING  "Sans Bold 11"
#define WARD_PDF_FONT_SMALL    "Sans 8"

typedef struct _WardPdfPages WardPdfPages;

typedef void (*WardPdfLayoutFunc) (WardPdfPages *pages,
                                   gpointer      user_data);

/* Lays the document out with layout and writes it to path; *n_pages
 * (may be NULL) says how many pages it has.  On failure error is set
 * in G_IO_ERROR with cairo's words, for the caller to wrap in its own.
 */
gboolean      ward_pdf_pages_write              (const char         *path,
                                                 const char         *title,
                                                 const char         *header_markup,
                                                 WardPdfLayoutFunc   layout,
                                                 gpointer            user_data,
                                                 guint              *n_pages,
                                                 GError            **error);

/* The same pages laid out alike (the same text metrics, page breaks and
 * "Page N of M"), each drawn on a cairo recording surface of A4 in
 * points instead of written: a print operation replays page i onto its
 * own cairo context.  Returns the pages (cairo_surface_t, freed with the
 * array).
 */
GPtrArray    *ward_pdf_pages_record             (const char         *header_markup,
                                                 WardPdfLayoutFunc   layout,
                                                 gpointer            user_data);

gboolean      ward_pdf_pages_is_drawing         (WardPdfPages       *pages);
cairo_t      *ward_pdf_pages_get_cairo          (WardPdfPages       *pages);
/* The top of what comes next, in points from the top of the page. */
double        ward_pdf_pages_get_y              (WardPdfPages       *pages);
void          ward_pdf_pages_add_y              (WardPdfPages       *pages,
                                                 double              dy);
/* TRUE when nothing is placed on this page yet. */
gboolean      ward_pdf_pages_at_top             (WardPdfPages       *pages);
void          ward_pdf_pages_new_page           (WardPdfPages       *pages);
/* Starts a new page unless height more points fit on this one. */
void          ward_pdf_pages_ensure             (WardPdfPages       *pages,
                                                 double              height);
PangoLayout  *ward_pdf_pages_make_layout        (WardPdfPages       *pages,
                                                 const char         *font_name,
                                                 double              width,
                                                 const char         *markup);
/* Places a layout line by line at x, going to a new page where the next
 * line does not fit.
 */
void          ward_pdf_pages_place              (WardPdfPages       *pages,
                                                 PangoLayout        *layout,
                                                 double              x);
/* Height of a layout's first line: to keep a heading with what follows. */
double        ward_pdf_pages_first_line_height  (PangoLayout        *layout);
/* A thin rule across the body at y (drawn only on the drawing pass). */
void          ward_pdf_pages_rule               (WardPdfPages       *pages,
                                                 double              y,
                                                 double              width);

G_END_DECLS
