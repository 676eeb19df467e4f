/* ward-renderer.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-renderer"

#include "config.h"

#include "ward-renderer.h"

#include <epoxy/gl.h>
#include <string.h>

/* Which GSK renderer the window draws with.
 *
 * GTK 4.8 picks its GL renderer whenever it can make a GL context.  On a
 * machine without a GPU (a thin client, a virtual desktop, Xvfb) that
 * context is Mesa's software rasteriser, llvmpipe, and every frame is
 * drawn by the CPU through GL: a ward board then takes most of a core
 * where the cairo renderer, made for that case, takes a few per cent.
 * So before the first window is realized, the application asks GDK for a
 * GL context and reads the renderer's name; when it is a software one,
 * GSK_RENDERER is set to cairo for the windows to come.  A GSK_RENDERER
 * the user set always wins: this only fills the gap GTK leaves.
 */

/* Mesa's software drivers and the swrast DRI name they share. */
static const char * const software_names[] = {
  "llvmpipe",
  "softpipe",
  "swrast",
  "software rasterizer",
  "lavapipe",
};

/**
 * ward_renderer_is_software_gl:
 * @gl_renderer: (nullable): a GL_RENDERER string
 *
 * Returns: whether @gl_renderer names a rasteriser that runs on the CPU
 */
gboolean
ward_renderer_is_software_gl (const char *gl_renderer)
{
  g_autofree char *lower = NULL;

  if (gl_renderer == NULL)
    return FALSE;

  lower = g_ascii_strdown (gl_renderer, -1);
  for (guint i = 0; i < G_N_ELEMENTS (software_names); i++)
    if (strstr (lower, software_names[i]) != NULL)
      return TRUE;

  return FALSE;
}

/* Whether the kernel offers a GPU to render with: a DRM render node. */
static gboolean
has_render_node (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;

  return FALSE;
}

/**
 * ward_renderer_choose:
 * @display: the display the windows will be on
 *
 * Sets GSK_RENDERER to cairo when GL on @display is a software
 * rasteriser and the user did not choose a renderer.  Call it once at
 * startup, before the first window is realized and before other threads
 * read the environment.
 */
void
ward_renderer_choose (GdkDisplay *display)
{
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  g_return_if_fail (GDK_IS_DISPLAY (display));

  if (g_getenv ("GSK_RENDERER") != NULL)
    {
      g_debug ("GSK_RENDERER=%s, as the user set it", g_getenv ("GSK_RENDERER"));
      return;
    }

  /* No GPU device at all (a virtual machine, a thin client's session on
   * a server): GL could only be software, and loading it to ask would
   * cost memory for nothing.
   */
  if (!has_render_node ())
    {
      g_info ("No GPU render node: drawing with cairo");
      g_setenv ("GSK_RENDERER", "cairo", TRUE);
      return;
    }

  /* Without GL, GTK falls back to cairo by itself. */
  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      g_debug ("No GL context (%s): GTK draws with cairo", error->message);
      return;
    }

  gdk_gl_context_make_current (context);
  name = (const char *) glGetString (GL_RENDERER);
  if (ward_renderer_is_software_gl (name))
    {
      g_info ("GL is drawn in software (%s): drawing with cairo", name);
      g_setenv ("GSK_RENDERER", "cairo", TRUE);
    }
  else
    {
      g_debug ("GL renderer %s: GTK's choice stands", name ? name : "(unknown)");
    }
  gdk_gl_context_clear_current ();
}

static gboolean
surface_render_hook_cb (GSignalInvocationHint *hint,
                        guint                  n_values,
                        const GValue          *values,
                        gpointer               user_data)
{
  g_log_structured (G_LOG_DOMAIN "-frames", G_LOG_LEVEL_DEBUG,
                    "MESSAGE", "frame rendered at %" G_GINT64_FORMAT, g_get_monotonic_time ());

  return TRUE;
}

/**
 * ward_renderer_log_frames:
 *
 * With G_MESSAGES_DEBUG naming ward-renderer-frames, logs each frame a
 * window renders (a #GdkSurface::render) with its monotonic time, for
 * bench-station to count the frames drawn.  Nothing is logged otherwise.
 */
void
ward_renderer_log_frames (void)
{
  static gsize installed = 0;

  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN "-frames"))
    return;

  if (g_once_init_enter (&installed))
    {
      g_signal_add_emission_hook (g_signal_lookup ("render", GDK_TYPE_SURFACE), 0,
                                  surface_render_hook_cb, NULL, NULL);
      g_once_init_leave (&installed, 1);
    }
}
