/* ward-window-board.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The window's side of the board's layout (ward-board-layout.c): the
 * density from GSettings `board-density` (action win.board-density, the
 * sort menu's Density section), or from --wall-board for this run only,
 * until the user picks one in the menu.
 */

#define G_LOG_DOMAIN "ward-window"

#include "config.h"

#include "ward-board-layout.h"
#include "ward-window.h"
#include "ward-window-private.h"

static void
density_changed_cb (WardWindow *self,
                    const char *key,
                    GSettings  *settings)
{
  g_autofree char *nick = g_settings_get_string (settings, "board-density");
  WardBoardDensity density;

  /* A choice in the menu wins over the command line. */
  self->density_override = FALSE;
  if (!ward_board_density_from_nick (nick, &density))
    density = WARD_BOARD_DENSITY_AUTO;
  ward_board_layout_set_density (self->board_layout, density);
}

/* Wall tiles and desk tiles say their values differently. */
static void
wall_changed_cb (WardWindow      *self,
                 WardBoardLayout *layout)
{
  guint n_beds;
  gint64 now;

  if (self->snapshot == NULL)
    return;

  n_beds = MIN (ward_snapshot_get_n_beds (self->snapshot), self->tiles->len);
  now = ward_snapshot_get_now (self->snapshot);
  for (guint i = 0; i < n_beds; i++)
    ward_bed_tile_update (g_ptr_array_index (self->tiles, i),
                          ward_snapshot_get_bed (self->snapshot, i),
                          now,
                          self->show_patient_names);
}

void
_ward_window_init_board (WardWindow *self)
{
  GtkWidget *viewport = gtk_widget_get_ancestor (GTK_WIDGET (self->flow_box),
                                                 GTK_TYPE_SCROLLED_WINDOW);

  g_assert (viewport != NULL);
  self->board_layout = ward_board_layout_new (viewport, self->flow_box);
  g_signal_connect_object (self->board_layout, "wall-changed",
                           G_CALLBACK (wall_changed_cb), self, G_CONNECT_SWAPPED);

  if (self->settings != NULL)
    {
      g_autoptr(GAction) action = g_settings_create_action (self->settings, "board-density");

      g_action_map_add_action (G_ACTION_MAP (self), action);
      g_signal_connect_object (self->settings, "changed::board-density",
                               G_CALLBACK (density_changed_cb), self, G_CONNECT_SWAPPED);
      density_changed_cb (self, "board-density", self->settings);
    }
}

void
_ward_window_dispose_board (WardWindow *self)
{
  g_clear_object (&self->board_layout);
}

/**
 * ward_window_set_board_density:
 *
 * The board's density for this window, without changing the setting
 * (`--wall-board`, tests); the setting's next change replaces it.
 */
void
ward_window_set_board_density (WardWindow       *self,
                               WardBoardDensity  density)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  self->density_override = TRUE;
  ward_board_layout_set_density (self->board_layout, density);
}

WardBoardDensity
ward_window_get_board_density (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), WARD_BOARD_DENSITY_AUTO);

  return ward_board_layout_get_density (self->board_layout);
}

/* The board's layout, for the tests. */
WardBoardLayout *
_ward_window_get_board_layout (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);

  return self->board_layout;
}
