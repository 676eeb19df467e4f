/* ward-handover-dialog.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-pipeline.h"
#include "ward-snapshot.h"

G_BEGIN_DECLS

#define WARD_TYPE_HANDOVER_DIALOG (ward_handover_dialog_get_type ())
G_DECLARE_FINAL_TYPE (WardHandoverDialog, ward_handover_dialog, WARD, HANDOVER_DIALOG, AdwWindow)

/* The shift handover (issue #16, part 6): the outgoing nurse (the acting
 * member) picks beds and the incoming nurse and writes an SBAR note per
 * bed; the incoming nurse, signed in, sees the handovers offered to them
 * and accepts; the ward's handover sheet prints to PDF.  The beds come
 * from the snapshot given; the offered handovers are read from db_path
 * off the main thread.
 */
WardHandoverDialog *ward_handover_dialog_new   (GtkWindow          *parent,
                                                WardPipeline       *pipeline,
                                                WardSnapshot       *snapshot,
                                                const char         *user,
                                                const char         *db_path,
                                                gboolean            show_names);
void     ward_handover_dialog_set_user          (WardHandoverDialog *self,
                                                 const char         *user);
/* Reads the offered handovers again. */
void     ward_handover_dialog_reload            (WardHandoverDialog *self);

G_END_DECLS
