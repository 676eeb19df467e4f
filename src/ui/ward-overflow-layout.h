/* ward-overflow-layout.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A row of children, each at its natural width, in their order; those
 * that do not fit whole are not shown (child-visible FALSE), never cut.
 * The first child is always shown, at least at its minimum width.  Once
 * one does not fit, none after it is shown: the order is the priority.
 * The number left out is the n-hidden property (notified during the
 * allocation: whoever shows it must not resize from the handler).
 */
#define WARD_TYPE_OVERFLOW_LAYOUT (ward_overflow_layout_get_type ())
G_DECLARE_FINAL_TYPE (WardOverflowLayout, ward_overflow_layout, WARD, OVERFLOW_LAYOUT,
                      GtkLayoutManager)

GtkLayoutManager *ward_overflow_layout_new          (int                 spacing);
guint             ward_overflow_layout_get_n_hidden (WardOverflowLayout *self);

G_END_DECLS
