/* ward-care-view-private.h: test-only hooks of WardCareView, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-care-view.h"

G_BEGIN_DECLS

/* For tests: the rows shown, in order. */
guint          _ward_care_view_get_n_rows    (WardCareView   *self);
gint64         _ward_care_view_get_row_task  (WardCareView   *self,
                                              guint           index);
GtkWidget     *_ward_care_view_get_row       (WardCareView   *self,
                                              guint           index);
GtkWidget     *_ward_care_view_get_row_accept (WardCareView  *self,
                                               guint          index);
/* The row's due words ("overdue by 8 min"). */
const char    *_ward_care_view_get_row_due   (WardCareView   *self,
                                              guint           index);
/* The dialogs the row actions open, NULL when none is open. */
AdwMessageDialog *_ward_care_view_get_dialog (WardCareView   *self);

G_END_DECLS
