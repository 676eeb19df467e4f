/* ward-a11y.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

char *ward_a11y_strip_mnemonic (const char *label);
void  ward_a11y_name_button    (GtkButton  *button);
void  ward_a11y_name_buttons   (GtkWidget  *root);
void  ward_a11y_banner_revealer (GtkRevealer *revealer);

G_END_DECLS
