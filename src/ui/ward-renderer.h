/* ward-renderer.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean  ward_renderer_is_software_gl  (const char  *gl_renderer);
void      ward_renderer_choose          (GdkDisplay  *display);
void      ward_renderer_log_frames      (void);

G_END_DECLS
