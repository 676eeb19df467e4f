/* ward-handover-dialog-private.h: test-only hooks of WardHandoverDialog, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-handover-dialog.h"

G_BEGIN_DECLS

/* For tests. */
gboolean _ward_handover_dialog_set_bed          (WardHandoverDialog *self,
                                                 const char         *bed_id,
                                                 gboolean            handed,
                                                 const char         *situation,
                                                 const char         *background,
                                                 const char         *assessment,
                                                 const char         *recommendation);
gboolean _ward_handover_dialog_set_incoming     (WardHandoverDialog *self,
                                                 const char         *staff_id);
/* Loading: the offered handovers are being read. */
gboolean _ward_handover_dialog_is_loading       (WardHandoverDialog *self);
guint    _ward_handover_dialog_get_n_pending    (WardHandoverDialog *self);
GtkWidget *_ward_handover_dialog_get_pending_accept (WardHandoverDialog *self,
                                                     guint               index);
/* The last toast's text, or NULL. */
const char *_ward_handover_dialog_get_message   (WardHandoverDialog *self);
/* Becomes TRUE when an offer or acceptance was committed. */
guint    _ward_handover_dialog_get_n_done       (WardHandoverDialog *self);

G_END_DECLS
