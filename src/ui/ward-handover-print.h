/* ward-handover-print.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

/* A bed's SBAR note for the sheet (borrowed strings). */
typedef struct
{
  const char *bed_id;
  const char *situation;
  const char *background;
  const char *assessment;
  const char *recommendation;
} WardPrintNote;

/* The ward's handover sheet as PDF (care/ward-handover-sheet.c), filled
 * from the snapshot (beds, patients, NEWS2, open tasks with owner and
 * due) and the notes given.  Kept apart from the care commands because
 * the sheet's input types share names with the store's.
 */
gboolean _ward_handover_print (WardSnapshot        *snapshot,
                               const WardPrintNote *notes,
                               guint                n_notes,
                               const char          *ward,
                               const char          *printed_by,
                               gboolean             show_names,
                               const char          *path,
                               guint               *n_pages,
                               GError             **error);

G_END_DECLS
