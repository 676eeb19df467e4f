/* ward-board-layout.h: the board's columns, rows and tile size from the
 * space it has and the number of beds, for a desk and for a wall screen.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The GSettings key `board-density` (same nicks and values). */
typedef enum
{
  WARD_BOARD_DENSITY_AUTO,
  WARD_BOARD_DENSITY_COMFORTABLE,
  WARD_BOARD_DENSITY_WALL,
} WardBoardDensity;

/* Size steps: each has its own CSS class on the flow box ("board-step-N"),
 * which sets the tiles' font sizes (data/style.css).
 */
#define WARD_BOARD_N_WALL_STEPS        6

/* Spacing between tiles and around the board, in pixels. */
#define WARD_BOARD_SPACING       12
#define WARD_BOARD_WALL_SPACING  6

typedef struct
{
  gboolean wall;      /* wall tiles (see ward_bed_tile_set_wall()) */
  guint    step;      /* size step within the density */
  guint    columns;
  guint    rows;
  int      tile_width;
  int      tile_height;   /* -1: the tiles' natural height */
  int      spacing;
  gboolean fits;      /* every tile in view, no scrolling (comfortable: as far
                       * as the tallest tile's usual height tells) */
} WardBoardGrid;

void              ward_board_layout_compute        (int               width,
                                                    int               height,
                                                    guint             n_beds,
                                                    gboolean          wall,
                                                    WardBoardGrid    *grid);
int               ward_board_layout_wall_step_px   (guint             step,
                                                    gboolean          total);
const char       *ward_board_density_to_nick       (WardBoardDensity  density);
gboolean          ward_board_density_from_nick     (const char       *nick,
                                                    WardBoardDensity *density);

#define WARD_TYPE_BOARD_LAYOUT (ward_board_layout_get_type ())
G_DECLARE_FINAL_TYPE (WardBoardLayout, ward_board_layout, WARD, BOARD_LAYOUT, GObject)

WardBoardLayout  *ward_board_layout_new            (GtkWidget        *viewport,
                                                    GtkFlowBox       *flow_box);
void              ward_board_layout_set_density    (WardBoardLayout  *self,
                                                    WardBoardDensity  density);
WardBoardDensity  ward_board_layout_get_density    (WardBoardLayout  *self);
gboolean          ward_board_layout_get_wall       (WardBoardLayout  *self);
void              ward_board_layout_update         (WardBoardLayout  *self);
const WardBoardGrid *ward_board_layout_get_grid    (WardBoardLayout  *self);

G_END_DECLS
