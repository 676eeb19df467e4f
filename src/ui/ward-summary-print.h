/* ward-summary-print.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A GtkPrintOperation that prints pages laid out by the report code
 * (report/ward-pdf-pages.c: cairo recording surfaces of A4 in points),
 * one recording per page, scaled to the printer's page: what the print
 * dialog prints is what the saved PDF holds.  Takes a reference on
 * pages.  A4 portrait by default; the whole sheet is the page (the
 * report draws its own margins).
 */
GtkPrintOperation *ward_summary_print_operation_new (GPtrArray  *pages,
                                                     const char *job_name);

G_END_DECLS
