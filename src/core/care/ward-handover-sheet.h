/* ward-handover-sheet.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

#define WARD_HANDOVER_SHEET_ERROR (ward_handover_sheet_error_quark ())

typedef enum
{
  WARD_HANDOVER_SHEET_ERROR_WRITE,   /* cairo could not make or write the PDF */
} WardHandoverSheetError;

/* The printable handover sheet of a ward (issue #16, part 6): A4 pages,
 * the ward and the time it was printed on every page, "Page N of M", and
 * per bed the bed, the patient (full name, or initials only), the NEWS2
 * score and band, the open tasks (owner, due) and the SBAR note in its
 * four labelled parts.  Long text wraps; a page breaks between lines,
 * never inside one, and a bed's heading is never left alone at the foot
 * of a page.
 *
 * The input is plain data the caller owns (all strings borrowed, any may
 * be NULL), so that whatever holds the tasks and notes can fill it.
 */
typedef struct
{
  const char *description;
  const char *owner;        /* a person's name, or NULL: nobody yet */
  gint64      due;          /* UTC microseconds, 0: no due time */
} WardHandoverTask;

typedef struct
{
  const char             *bed;            /* "Bed 3" */
  const char             *patient_name;   /* NULL: no patient */
  int                     news2;          /* < 0: no score */
  WardBand                band;
  const WardHandoverTask *tasks;
  guint                   n_tasks;
  const char             *situation;
  const char             *background;
  const char             *assessment;
  const char             *recommendation;
} WardHandoverBed;

typedef struct
{
  const char            *ward;            /* "Ward 7B" */
  gint64                 printed_at;      /* UTC microseconds */
  const char            *printed_by;      /* NULL: not shown */
  gboolean               show_names;      /* FALSE: initials only (a sheet left on a desk) */
  const WardHandoverBed *beds;
  guint                  n_beds;
} WardHandoverSheet;

GQuark    ward_handover_sheet_error_quark  (void);

/* "John Smith" -> "J. S."; what the sheet shows without names. */
char     *ward_handover_initials           (const char               *name);

/* Writes the sheet to path as PDF; *n_pages (may be NULL) says how many
 * pages it has.
 */
gboolean  ward_handover_sheet_write_pdf    (const WardHandoverSheet  *sheet,
                                            const char               *path,
                                            guint                    *n_pages,
                                            GError                  **error);

G_END_DECLS
