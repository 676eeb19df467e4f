/* ward-palette.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The palette setting (GSettings "palette"): "system" follows the
 * desktop's light or dark style, "light" and "dark" force one, and
 * "night" is the dark ward's palette: very dark, little blue, no large
 * light areas, the alarm colours still apart (data/style.css, "Night
 * palette", on the window's "night" style class).  An unknown name is
 * taken as "system".
 */
gboolean    ward_palette_is_valid   (const char *palette);
/* Sets libadwaita's colour scheme for the whole application. */
void        ward_palette_apply      (const char *palette);
/* Adds or removes the night palette's style class on window. */
void        ward_palette_apply_to   (GtkWindow  *window,
                                     const char *palette);

G_END_DECLS
