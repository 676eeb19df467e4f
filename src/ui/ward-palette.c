/* ward-palette.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-palette"

#include "config.h"

#include "ward-palette.h"

static const char * const palettes[] = { "system", "light", "dark", "night" };

gboolean
ward_palette_is_valid (const char *palette)
{
  for (guint i = 0; palette != NULL && i < G_N_ELEMENTS (palettes); i++)
    if (g_str_equal (palette, palettes[i]))
      return TRUE;

  return FALSE;
}

void
ward_palette_apply (const char *palette)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  AdwColorScheme scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_strcmp0 (palette, "light") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (palette, "dark") == 0 || g_strcmp0 (palette, "night") == 0)
    /* The night palette is drawn over the dark style: every widget that
     * it does not name is at least dark.
     */
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;

  adw_style_manager_set_color_scheme (manager, scheme);
}

void
ward_palette_apply_to (GtkWindow  *window,
                       const char *palette)
{
  g_return_if_fail (GTK_IS_WINDOW (window));

  if (g_strcmp0 (palette, "night") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (window), "night");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (window), "night");
}
