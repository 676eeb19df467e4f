/* ward-bed-tile-wall.h: the bed tile's arrangement for a wall screen.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The vitals, in the order _ward_tile_wall_enter() takes them. */
enum
{
  WARD_TILE_WALL_HR,
  WARD_TILE_WALL_RR,
  WARD_TILE_WALL_SPO2,
  WARD_TILE_WALL_BP,
  WARD_TILE_WALL_TEMP,
  WARD_TILE_WALL_N_VITALS
};

typedef struct
{
  GtkWidget *box;       /* the wall arrangement, the tile's second child, or NULL */
  GtkWidget *bed_row;
  GtkWidget *icon;      /* the flag's or the silent device's mark */
  GArray    *moves;     /* where each borrowed widget came from */
  GtkWidget *badge;     /* borrowed while shown */
  GtkWidget *bed_label;
} WardTileWall;

void _ward_tile_wall_enter    (WardTileWall *wall,
                               GtkWidget    *tile,
                               GtkWidget    *main_box,
                               GtkWidget    *badge,
                               GtkWidget    *bed_label,
                               GtkWidget    *patient_label,
                               GtkWidget   **vitals);
void _ward_tile_wall_leave    (WardTileWall *wall,
                               GtkWidget    *main_box);
void _ward_tile_wall_set_mark (WardTileWall *wall,
                               const char   *icon_name,
                               const char   *status_class,
                               const char   *tooltip);

G_END_DECLS
