/* ward-bed-tile-wall.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A wall tile is read from across the ward: the bed and the patient's
 * initials on one line, the NEWS2 total and its band beside them, the
 * vitals under them, big.  It borrows the tile's own labels (the tile
 * keeps setting their texts as ever) into an arrangement of its own, and
 * hides the desk arrangement (its ages, points, flag words and buttons)
 * while it shows:
 *
 *   Bed 12  J.S.  ⚠    ┌────┐
 *   HR 111   RR 22     │ 7  │
 *   SpO₂ 88 · S2       │High│
 *   BP 120/80   T 38.3 └────┘
 *
 * Leaving puts every label back where it was, in the same order and in
 * the same grid cell.
 */

#define G_LOG_DOMAIN "ward-bed-tile"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-bed-tile-wall.h"

typedef struct
{
  GtkWidget *widget;    /* owned while moved */
  GtkWidget *parent;
  GtkWidget *prev;      /* the sibling before it, NULL when first */
  gboolean   in_grid;
  int        column;
  int        row;
  int        column_span;
  int        row_span;
} Move;

static void
move_into (WardTileWall *wall,
           GtkWidget    *widget,
           GtkWidget    *box)
{
  Move move = { 0 };
  GtkWidget *parent = gtk_widget_get_parent (widget);

  move.widget = g_object_ref (widget);
  move.parent = parent;
  move.prev = gtk_widget_get_prev_sibling (widget);
  if (GTK_IS_GRID (parent))
    {
      move.in_grid = TRUE;
      gtk_grid_query_child (GTK_GRID (parent), widget, &move.column, &move.row,
                            &move.column_span, &move.row_span);
    }
  g_array_append_val (wall->moves, move);

  gtk_widget_unparent (widget);
  gtk_box_append (GTK_BOX (box), widget);
}

static GtkWidget *
new_name (const char *text)
{
  /* Presentation, as on the desk tile: the value's tooltip and the
   * tile's accessible name say what it is.
   */
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "label", text,
                                   "xalign", 0.0f,
                                   "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                   NULL);

  gtk_widget_add_css_class (label, "vital-name");
  gtk_widget_add_css_class (label, "dim-label");

  return label;
}

static GtkWidget *
new_row (void)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

  gtk_widget_add_css_class (row, "wall-row");

  return row;
}

/* One vital: its short name, then the tile's own value label. */
static void
add_vital (WardTileWall *wall,
           GtkWidget    *row,
           const char   *name,
           GtkWidget    *value)
{
  GtkWidget *pair = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);

  gtk_box_append (GTK_BOX (pair), new_name (name));
  gtk_box_append (GTK_BOX (row), pair);
  move_into (wall, value, pair);
}

/**
 * _ward_tile_wall_enter:
 * @vitals: the value labels, WARD_TILE_WALL_N_VITALS of them
 *
 * Shows the wall arrangement in place of @main_box.
 */
void
_ward_tile_wall_enter (WardTileWall *wall,
                       GtkWidget    *tile,
                       GtkWidget    *main_box,
                       GtkWidget    *badge,
                       GtkWidget    *bed_label,
                       GtkWidget    *patient_label,
                       GtkWidget   **vitals)
{
  GtkWidget *top, *left, *row;

  g_assert (wall->box == NULL);

  if (wall->moves == NULL)
    wall->moves = g_array_new (FALSE, TRUE, sizeof (Move));

  wall->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (wall->box, "wall-tile");
  gtk_widget_set_parent (wall->box, tile);

  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_box_append (GTK_BOX (wall->box), top);
  left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_hexpand (left, TRUE);
  gtk_box_append (GTK_BOX (top), left);

  /* Bed, initials and the mark, on a bar in the flag's colour. */
  wall->bed_row = new_row ();
  gtk_widget_add_css_class (wall->bed_row, "wall-bed-row");
  gtk_box_append (GTK_BOX (left), wall->bed_row);
  wall->bed_label = bed_label;
  move_into (wall, bed_label, wall->bed_row);
  /* The bed is never cut short; the initials or the name may be. */
  gtk_label_set_ellipsize (GTK_LABEL (bed_label), PANGO_ELLIPSIZE_NONE);
  move_into (wall, patient_label, wall->bed_row);
  gtk_widget_set_hexpand (patient_label, TRUE);
  wall->icon = gtk_image_new ();
  gtk_widget_set_visible (wall->icon, FALSE);
  gtk_widget_add_css_class (wall->icon, "wall-mark");
  gtk_box_append (GTK_BOX (wall->bed_row), wall->icon);

  row = new_row ();
  gtk_box_append (GTK_BOX (left), row);
  add_vital (wall, row, C_("wall tile", "HR"), vitals[WARD_TILE_WALL_HR]);
  add_vital (wall, row, C_("wall tile", "RR"), vitals[WARD_TILE_WALL_RR]);

  row = new_row ();
  gtk_box_append (GTK_BOX (left), row);
  add_vital (wall, row, C_("wall tile", "SpO₂"), vitals[WARD_TILE_WALL_SPO2]);

  move_into (wall, badge, top);
  gtk_widget_set_valign (badge, GTK_ALIGN_START);
  /* Where the number is says what it is: no room for the word NEWS2
   * above it (the band's word stays under it).
   */
  gtk_widget_set_visible (gtk_widget_get_first_child (badge), FALSE);
  wall->badge = badge;

  /* The last line has the tile's whole width, under the badge too. */
  row = new_row ();
  gtk_box_append (GTK_BOX (wall->box), row);
  add_vital (wall, row, C_("wall tile", "BP"), vitals[WARD_TILE_WALL_BP]);
  /* Translators: temperature on a wall tile, as short as it can be */
  add_vital (wall, row, C_("wall tile", "T"), vitals[WARD_TILE_WALL_TEMP]);

  gtk_widget_set_visible (main_box, FALSE);
}

/* Puts every borrowed label back, last moved first, and drops the wall
 * arrangement.
 */
void
_ward_tile_wall_leave (WardTileWall *wall,
                       GtkWidget    *main_box)
{
  if (wall->box == NULL)
    return;

  for (guint i = wall->moves->len; i > 0; i--)
    {
      Move *move = &g_array_index (wall->moves, Move, i - 1);

      gtk_widget_unparent (move->widget);
      gtk_widget_insert_after (move->widget, move->parent, move->prev);
      if (move->in_grid)
        {
          GtkLayoutManager *layout = gtk_widget_get_layout_manager (move->parent);
          GtkGridLayoutChild *child =
            GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, move->widget));

          gtk_grid_layout_child_set_column (child, move->column);
          gtk_grid_layout_child_set_row (child, move->row);
          gtk_grid_layout_child_set_column_span (child, move->column_span);
          gtk_grid_layout_child_set_row_span (child, move->row_span);
        }
      g_object_unref (move->widget);
    }
  g_array_set_size (wall->moves, 0);
  gtk_widget_set_visible (gtk_widget_get_first_child (wall->badge), TRUE);
  gtk_widget_set_valign (wall->badge, GTK_ALIGN_START);
  gtk_label_set_ellipsize (GTK_LABEL (wall->bed_label), PANGO_ELLIPSIZE_END);
  wall->badge = NULL;
  wall->bed_label = NULL;

  g_clear_pointer (&wall->box, gtk_widget_unparent);
  wall->bed_row = NULL;
  wall->icon = NULL;
  gtk_widget_set_visible (main_box, TRUE);
}

/* The mark beside the bed: the flag's (a warning) or a silent device's,
 * @status_class "error" (an alarm not acknowledged) or "warning"; NULL
 * @icon_name for none.
 */
void
_ward_tile_wall_set_mark (WardTileWall *wall,
                          const char   *icon_name,
                          const char   *status_class,
                          const char   *tooltip)
{
  static const char * const classes[] = { "error", "warning" };

  if (wall->box == NULL)
    return;

  gtk_widget_set_visible (wall->icon, icon_name != NULL);
  if (icon_name != NULL &&
      g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (wall->icon)), icon_name) != 0)
    gtk_image_set_from_icon_name (GTK_IMAGE (wall->icon), icon_name);
  if (g_strcmp0 (gtk_widget_get_tooltip_text (wall->icon), tooltip) != 0)
    gtk_widget_set_tooltip_text (wall->icon, tooltip);

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      gboolean on = icon_name != NULL && g_strcmp0 (status_class, classes[i]) == 0;

      if (on != gtk_widget_has_css_class (wall->bed_row, classes[i]))
        {
          if (on)
            gtk_widget_add_css_class (wall->bed_row, classes[i]);
          else
            gtk_widget_remove_css_class (wall->bed_row, classes[i]);
        }
    }
}
