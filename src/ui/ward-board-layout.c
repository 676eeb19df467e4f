/* ward-board-layout.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The board follows the screen: the columns, the rows and the size of the
 * tiles come from the space the board has and the number of beds it shows,
 * not from a fixed tile size.  Two kinds of tile:
 *
 * - comfortable (a clinician's desk): every detail (ages, points, the
 *   flag's words, Acknowledge), at their natural size, in as many columns
 *   as the width takes; it scrolls when the beds do not fit;
 * - wall (a station screen read from 3 m): bed, initials, the NEWS2 total
 *   and its band, the vitals and the flag's colour and icon, in six size
 *   steps from a 48 px total and 20 px vitals up; every bed in view.
 *
 * Auto is wall in a fullscreen window (a station's screen, the kiosk) and
 * comfortable otherwise.  Within a density the largest step whose tile
 * fits a cell wins, and among the grids that fit it the one with the most
 * room to spare.
 *
 * The minimum cell of each step was measured on the tile at that step
 * (DejaVu Sans, the Debian default; tests/ui/test-board-layout.c checks
 * with the real widgets that the tiles fit and that the fonts are the
 * sizes promised).  Each step is a CSS class on the flow box
 * ("board-step-N", data/style.css) that sets the tiles' font sizes.
 */

#define G_LOG_DOMAIN "ward-board-layout"

#include "config.h"

#include <string.h>

#include "ward-bed-tile.h"
#include "ward-board-layout.h"

typedef struct
{
  int width;      /* the smallest cell a tile of this step fits */
  int height;
  int total_px;   /* the NEWS2 total's font size */
  int vital_px;   /* the vitals' font size */
} Step;

/* Wall tiles: the total beside the bed line and three lines of vitals. */
static const Step wall_steps[WARD_BOARD_N_WALL_STEPS] = {
  { 216,  98,  48, 20 },
  { 260, 118,  58, 24 },
  { 303, 137,  68, 28 },
  { 367, 167,  82, 34 },
  { 432, 196,  96, 40 },
  { 518, 235, 116, 48 },
};

/* Comfortable tiles: every detail, at their natural height (the tallest
 * tile's, one with a flag, its words and its button).  They are not
 * stretched to fill the screen: a board of a few tall tiles redrawn at
 * every snapshot kept the 64-bed pipeline test from keeping up.
 */
static const Step comfortable_step = { 250, 290, 0, 16 };

/* Up to this many columns when the comfortable board scrolls, as before. */
#define MAX_SCROLLING_COLUMNS 12

struct _WardBoardLayout
{
  GObject           parent_instance;

  /* Borrowed */
  GtkWidget        *viewport;   /* weak */
  GtkFlowBox       *flow_box;   /* weak */
  GdkFrameClock    *frame_clock;
  gulong            layout_handler;
  gulong            realize_handler;
  gulong            unrealize_handler;

  WardBoardDensity  density;
  WardBoardGrid     grid;
  int               last_width;
  int               last_height;
  guint             last_n_beds;
  guint             last_n_children;
  gboolean          last_wall;
  gboolean          valid;
};

G_DEFINE_FINAL_TYPE (WardBoardLayout, ward_board_layout, G_TYPE_OBJECT)

enum {
  WALL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const density_nicks[] = { "auto", "comfortable", "wall" };

/* The grid in which every bed fits a cell of at least step's size, with
 * the most room to spare; FALSE when there is none.
 */
static gboolean
fit_step (int          width,
          int          height,
          guint        n_beds,
          int          spacing,
          const Step  *step,
          WardBoardGrid *grid)
{
  double best = 0;

  for (guint columns = 1; columns <= n_beds; columns++)
    {
      guint rows = (n_beds + columns - 1) / columns;
      int cell_width = (width - (int) (columns - 1) * spacing) / (int) columns;
      int cell_height = (height - (int) (rows - 1) * spacing) / (int) rows;
      double room;

      if (cell_width < step->width)
        break;
      if (cell_height < step->height)
        continue;
      /* A last row that is not full would leave a column empty. */
      if (columns > 1 && (rows - 1) * columns >= n_beds)
        continue;

      room = MIN ((double) cell_width / step->width, (double) cell_height / step->height);
      if (room > best)
        {
          best = room;
          grid->columns = columns;
          grid->rows = rows;
          grid->tile_width = cell_width;
          grid->tile_height = cell_height;
        }
    }

  return best > 0;
}

static gboolean
fit_steps (int            width,
           int            height,
           guint          n_beds,
           int            spacing,
           const Step    *steps,
           guint          n_steps,
           WardBoardGrid *grid)
{
  for (guint i = n_steps; i > 0; i--)
    if (fit_step (width, height, n_beds, spacing, &steps[i - 1], grid))
      {
        grid->step = i - 1;
        grid->spacing = spacing;
        grid->fits = TRUE;
        return TRUE;
      }

  return FALSE;
}

/* Too many beds for the space: the smallest step, as many columns as the
 * width takes, and the board scrolls.
 */
static void
scroll_grid (int            width,
             guint          n_beds,
             int            spacing,
             const Step    *step,
             guint          max_columns,
             WardBoardGrid *grid)
{
  guint columns = MAX (1, (width + spacing) / (step->width + spacing));

  columns = MIN (columns, MAX (1, n_beds));
  columns = MIN (columns, max_columns);
  grid->step = 0;
  grid->spacing = spacing;
  grid->columns = columns;
  grid->rows = (MAX (1, n_beds) + columns - 1) / columns;
  grid->tile_width = (width - (int) (columns - 1) * spacing) / (int) columns;
  grid->tile_height = -1;
  grid->fits = FALSE;
}

/**
 * ward_board_layout_compute:
 * @width: the board's width, in pixels
 * @height: the board's height in view, in pixels
 * @n_beds: the number of tiles shown
 * @wall: wall tiles, else comfortable ones
 * @grid: (out): the layout
 *
 * The grid for @n_beds tiles in @width × @height.  Wall tiles fill their
 * cells (tile_height is the cell's); comfortable ones take their natural
 * height (tile_height -1), and the board scrolls when they do not fit.
 */
void
ward_board_layout_compute (int            width,
                           int            height,
                           guint          n_beds,
                           gboolean       wall,
                           WardBoardGrid *grid)
{
  g_return_if_fail (grid != NULL);

  memset (grid, 0, sizeof *grid);
  width = MAX (width, 1);
  height = MAX (height, 1);

  if (wall && n_beds > 0 &&
      fit_steps (width, height, n_beds, WARD_BOARD_WALL_SPACING,
                 wall_steps, G_N_ELEMENTS (wall_steps), grid))
    {
      grid->wall = TRUE;
      return;
    }

  if (wall)
    {
      /* Even the smallest wall tile does not fit: it scrolls, at least
       * its cells are the wall tile's own size.
       */
      scroll_grid (width, n_beds, WARD_BOARD_WALL_SPACING, &wall_steps[0], G_MAXUINT, grid);
      grid->wall = TRUE;
      grid->tile_height = wall_steps[0].height;
      return;
    }

  scroll_grid (width, n_beds, WARD_BOARD_SPACING, &comfortable_step,
               MAX_SCROLLING_COLUMNS, grid);
  grid->fits = (int) (grid->rows * comfortable_step.height +
                      (grid->rows - 1) * WARD_BOARD_SPACING) <= height;
}

/* The font size a wall step promises for the NEWS2 total (@total) or for
 * the vitals, in pixels; data/style.css sets the same.
 */
int
ward_board_layout_wall_step_px (guint    step,
                                gboolean total)
{
  g_return_val_if_fail (step < G_N_ELEMENTS (wall_steps), 0);

  return total ? wall_steps[step].total_px : wall_steps[step].vital_px;
}

const char *
ward_board_density_to_nick (WardBoardDensity density)
{
  g_return_val_if_fail (density <= WARD_BOARD_DENSITY_WALL, NULL);

  return density_nicks[density];
}

gboolean
ward_board_density_from_nick (const char       *nick,
                              WardBoardDensity *density)
{
  g_return_val_if_fail (density != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (density_nicks); i++)
    if (g_strcmp0 (nick, density_nicks[i]) == 0)
      {
        *density = i;
        return TRUE;
      }

  return FALSE;
}

/* The space the flow box has: the viewport less the margins and whatever
 * is above the flow box in its box (the summary line).
 */
static gboolean
get_board_size (WardBoardLayout *self,
                int             *width,
                int             *height)
{
  GtkWidget *box = gtk_widget_get_parent (GTK_WIDGET (self->flow_box));
  graphene_rect_t bounds;
  int top = 0;

  if (box == NULL || gtk_widget_get_width (self->viewport) <= 1)
    return FALSE;

  if (gtk_widget_compute_bounds (GTK_WIDGET (self->flow_box), box, &bounds))
    top = (int) bounds.origin.y;

  *width = gtk_widget_get_width (self->viewport)
           - gtk_widget_get_margin_start (box) - gtk_widget_get_margin_end (box);
  *height = gtk_widget_get_height (self->viewport)
            - gtk_widget_get_margin_top (box) - top - gtk_widget_get_margin_bottom (box);

  return TRUE;
}

/* The tiles shown, and in n_children all of them. */
static guint
count_shown (WardBoardLayout *self,
             guint           *n_children)
{
  guint n = 0;

  *n_children = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_FLOW_BOX_CHILD (child))
      {
        (*n_children)++;
        n += gtk_widget_get_child_visible (child);
      }

  return n;
}

static void
set_step_class (GtkWidget  *widget,
                const char *prefix,
                guint       n_steps,
                guint       step,
                gboolean    on)
{
  for (guint i = 0; i < n_steps; i++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "%s%u", prefix, i);
      if (on && i == step)
        gtk_widget_add_css_class (widget, name);
      else
        gtk_widget_remove_css_class (widget, name);
    }
}

/* The flow box's settings and classes for the grid. */
static void
apply_grid (WardBoardLayout *self)
{
  GtkWidget *flow_box = GTK_WIDGET (self->flow_box);
  GtkWidget *box = gtk_widget_get_parent (flow_box);
  const WardBoardGrid *grid = &self->grid;
  int margin = grid->wall ? WARD_BOARD_WALL_SPACING : WARD_BOARD_SPACING;

  /* With its columns fixed, the board must not ask the window for the
   * width of its tiles: that would grow the window, which makes bigger
   * tiles, which grow the window.  The tests check that they fit.
   */
  if (GTK_IS_SCROLLED_WINDOW (self->viewport))
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->viewport),
                                    grid->wall ? GTK_POLICY_EXTERNAL : GTK_POLICY_NEVER,
                                    GTK_POLICY_AUTOMATIC);

  if (grid->wall)
    {
      /* Setting the maximum first: the minimum may not exceed it. */
      gtk_flow_box_set_max_children_per_line (self->flow_box, MAX (grid->columns, 1));
      gtk_flow_box_set_min_children_per_line (self->flow_box, MAX (grid->columns, 1));
    }
  else
    {
      gtk_flow_box_set_min_children_per_line (self->flow_box, 1);
      gtk_flow_box_set_max_children_per_line (self->flow_box, MAX (grid->columns, 1));
    }
  gtk_flow_box_set_column_spacing (self->flow_box, grid->spacing);
  gtk_flow_box_set_row_spacing (self->flow_box, grid->spacing);

  if (box != NULL)
    {
      gtk_widget_set_margin_top (box, margin);
      gtk_widget_set_margin_bottom (box, margin);
      gtk_widget_set_margin_start (box, margin);
      gtk_widget_set_margin_end (box, margin);
      if (GTK_IS_BOX (box))
        gtk_box_set_spacing (GTK_BOX (box), grid->wall ? WARD_BOARD_WALL_SPACING : 8);
    }

  if (grid->wall)
    {
      gtk_widget_add_css_class (flow_box, "board-wall");
      gtk_widget_remove_css_class (flow_box, "board-comfortable");
    }
  else
    {
      gtk_widget_add_css_class (flow_box, "board-comfortable");
      gtk_widget_remove_css_class (flow_box, "board-wall");
    }
  set_step_class (flow_box, "board-step-", WARD_BOARD_N_WALL_STEPS, grid->step, TRUE);
}

/* Each tile: wall or not, and the cell's height.  Tiles made since the
 * last layout get it too.
 */
static void
apply_tiles (WardBoardLayout *self)
{
  int tile_height = self->grid.wall ? self->grid.tile_height : -1;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *tile;
      int height;

      if (!GTK_IS_FLOW_BOX_CHILD (child))
        continue;
      tile = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      if (!WARD_IS_BED_TILE (tile))
        continue;

      ward_bed_tile_set_wall (WARD_BED_TILE (tile), self->grid.wall);
      gtk_widget_get_size_request (tile, NULL, &height);
      if (height != tile_height)
        gtk_widget_set_size_request (tile, -1, tile_height);
    }
}

static void
relayout (WardBoardLayout *self,
          gboolean         force)
{
  WardBoardGrid grid;
  int width, height;
  guint n_beds, n_children;
  gboolean wall;

  if (self->viewport == NULL || self->flow_box == NULL)
    return;
  if (!get_board_size (self, &width, &height))
    return;

  wall = ward_board_layout_get_wall (self);
  n_beds = count_shown (self, &n_children);
  if (!force && self->valid && width == self->last_width && height == self->last_height &&
      n_beds == self->last_n_beds && wall == self->last_wall)
    {
      /* Tiles made since take the grid; otherwise there is nothing to do. */
      if (n_children != self->last_n_children)
        apply_tiles (self);
      self->last_n_children = n_children;
      return;
    }
  self->last_n_children = n_children;

  self->last_width = width;
  self->last_height = height;
  self->last_n_beds = n_beds;
  self->last_wall = wall;

  ward_board_layout_compute (width, height, n_beds, wall, &grid);
  if (!self->valid || force || memcmp (&grid, &self->grid, sizeof grid) != 0)
    {
      gboolean wall_changed = !self->valid || self->grid.wall != grid.wall;

      g_debug ("Board %d×%d, %u beds: %s step %u, %u×%u tiles of %d×%d%s",
               width, height, n_beds, grid.wall ? "wall" : "comfortable", grid.step,
               grid.columns, grid.rows, grid.tile_width, grid.tile_height,
               grid.fits ? "" : ", scrolls");
      self->grid = grid;
      self->valid = TRUE;
      apply_grid (self);
      apply_tiles (self);
      /* The tiles' texts differ (units): whoever has the beds sets them again. */
      if (wall_changed)
        g_signal_emit (self, signals[WALL_CHANGED], 0);
      return;
    }
  apply_tiles (self);
}

/* After GTK's own layout: the viewport's allocation is known.  A change
 * queues another layout, which the frame clock runs in the same frame.
 */
static void
frame_layout_cb (GdkFrameClock   *frame_clock,
                 WardBoardLayout *self)
{
  relayout (self, FALSE);
}

static void
viewport_realize_cb (GtkWidget       *viewport,
                     WardBoardLayout *self)
{
  if (self->frame_clock != NULL)
    return;

  self->frame_clock = gtk_widget_get_frame_clock (viewport);
  if (self->frame_clock != NULL)
    self->layout_handler = g_signal_connect_after (self->frame_clock, "layout",
                                                   G_CALLBACK (frame_layout_cb), self);
}

static void
viewport_unrealize_cb (GtkWidget       *viewport,
                       WardBoardLayout *self)
{
  if (self->frame_clock != NULL)
    g_clear_signal_handler (&self->layout_handler, self->frame_clock);
  self->frame_clock = NULL;
}

static void
ward_board_layout_dispose (GObject *object)
{
  WardBoardLayout *self = WARD_BOARD_LAYOUT (object);

  if (self->frame_clock != NULL)
    g_clear_signal_handler (&self->layout_handler, self->frame_clock);
  self->frame_clock = NULL;
  if (self->viewport != NULL)
    {
      g_clear_signal_handler (&self->realize_handler, self->viewport);
      g_clear_signal_handler (&self->unrealize_handler, self->viewport);
    }
  g_clear_weak_pointer (&self->viewport);
  g_clear_weak_pointer (&self->flow_box);

  G_OBJECT_CLASS (ward_board_layout_parent_class)->dispose (object);
}

static void
ward_board_layout_class_init (WardBoardLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_board_layout_dispose;

  /**
   * WardBoardLayout::wall-changed:
   *
   * The tiles became wall tiles or desk tiles: their texts are to be set
   * again (ward_bed_tile_update()).
   */
  signals[WALL_CHANGED] =
    g_signal_new ("wall-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ward_board_layout_init (WardBoardLayout *self)
{
  self->density = WARD_BOARD_DENSITY_AUTO;
}

/**
 * ward_board_layout_new:
 * @viewport: the scrolled window the board is in
 * @flow_box: the board's flow box, inside @viewport
 *
 * Lays out @flow_box's tiles after each of @viewport's layouts, for as
 * long as both exist.
 */
WardBoardLayout *
ward_board_layout_new (GtkWidget  *viewport,
                       GtkFlowBox *flow_box)
{
  WardBoardLayout *self;

  g_return_val_if_fail (GTK_IS_WIDGET (viewport), NULL);
  g_return_val_if_fail (GTK_IS_FLOW_BOX (flow_box), NULL);

  self = g_object_new (WARD_TYPE_BOARD_LAYOUT, NULL);
  g_set_weak_pointer (&self->viewport, viewport);
  g_set_weak_pointer (&self->flow_box, flow_box);
  self->realize_handler = g_signal_connect (viewport, "realize",
                                            G_CALLBACK (viewport_realize_cb), self);
  self->unrealize_handler = g_signal_connect (viewport, "unrealize",
                                              G_CALLBACK (viewport_unrealize_cb), self);
  if (gtk_widget_get_realized (viewport))
    viewport_realize_cb (viewport, self);

  return self;
}

void
ward_board_layout_set_density (WardBoardLayout  *self,
                               WardBoardDensity  density)
{
  g_return_if_fail (WARD_IS_BOARD_LAYOUT (self));
  g_return_if_fail (density <= WARD_BOARD_DENSITY_WALL);

  if (self->density == density)
    return;

  self->density = density;
  self->valid = FALSE;
  if (self->viewport != NULL)
    gtk_widget_queue_resize (self->viewport);
}

/* Whether the tiles are wall tiles: the wall density, or auto in a
 * fullscreen window.  Known before the first layout, so that new tiles
 * are made the right kind.
 */
gboolean
ward_board_layout_get_wall (WardBoardLayout *self)
{
  GtkRoot *root;

  g_return_val_if_fail (WARD_IS_BOARD_LAYOUT (self), FALSE);

  if (self->density != WARD_BOARD_DENSITY_AUTO)
    return self->density == WARD_BOARD_DENSITY_WALL;

  root = self->viewport != NULL ? gtk_widget_get_root (self->viewport) : NULL;

  return GTK_IS_WINDOW (root) && gtk_window_is_fullscreen (GTK_WINDOW (root));
}

WardBoardDensity
ward_board_layout_get_density (WardBoardLayout *self)
{
  g_return_val_if_fail (WARD_IS_BOARD_LAYOUT (self), WARD_BOARD_DENSITY_AUTO);

  return self->density;
}

/* Lays out now, with the sizes of the last layout (tests, and after the
 * tiles were made again).
 */
void
ward_board_layout_update (WardBoardLayout *self)
{
  g_return_if_fail (WARD_IS_BOARD_LAYOUT (self));

  relayout (self, TRUE);
}

/* The grid shown, or NULL before the first layout. */
const WardBoardGrid *
ward_board_layout_get_grid (WardBoardLayout *self)
{
  g_return_val_if_fail (WARD_IS_BOARD_LAYOUT (self), NULL);

  return self->valid ? &self->grid : NULL;
}
