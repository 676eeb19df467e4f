/* ward-overflow-layout.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-overflow-layout"

#include "config.h"

#include "ward-overflow-layout.h"

struct _WardOverflowLayout
{
  GtkLayoutManager parent_instance;

  int              spacing;
  guint            n_hidden;
};

G_DEFINE_FINAL_TYPE (WardOverflowLayout, ward_overflow_layout, GTK_TYPE_LAYOUT_MANAGER)

enum {
  PROP_0,
  PROP_N_HIDDEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ward_overflow_layout_measure (GtkLayoutManager *manager,
                              GtkWidget        *widget,
                              GtkOrientation    orientation,
                              int               for_size,
                              int              *minimum,
                              int              *natural,
                              int              *minimum_baseline,
                              int              *natural_baseline)
{
  WardOverflowLayout *self = WARD_OVERFLOW_LAYOUT (manager);
  gboolean first = TRUE;

  *minimum = *natural = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0;
      int child_nat = 0;

      if (!gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, orientation, -1, &child_min, &child_nat, NULL, NULL);
      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          /* At least the first child; naturally all of them. */
          if (first)
            *minimum = child_min;
          else
            *natural += self->spacing;
          *natural += child_nat;
        }
      else
        {
          *minimum = MAX (*minimum, child_min);
          *natural = MAX (*natural, child_nat);
        }
      first = FALSE;
    }
}

static void
ward_overflow_layout_allocate (GtkLayoutManager *manager,
                               GtkWidget        *widget,
                               int               width,
                               int               height,
                               int               baseline)
{
  WardOverflowLayout *self = WARD_OVERFLOW_LAYOUT (manager);
  gboolean full = FALSE;
  guint n_hidden = 0;
  int x = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0;
      int child_nat = 0;
      int gap;

      if (!gtk_widget_get_visible (child))
        continue;

      gap = x > 0 ? self->spacing : 0;
      if (!full)
        {
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, height, &child_min, &child_nat,
                              NULL, NULL);
          if (x == 0)
            {
              /* The first child is shown, squeezed down to its minimum. */
              child_nat = CLAMP (width, child_min, child_nat);
            }
          else if (x + gap + child_nat > width)
            full = TRUE;
        }

      /* Only a change: setting it unmaps or maps the child. */
      if (gtk_widget_get_child_visible (child) == full)
        gtk_widget_set_child_visible (child, !full);
      if (full)
        {
          n_hidden++;
          continue;
        }

      gtk_widget_size_allocate (child,
                                &(GtkAllocation) { x + gap, 0, child_nat, height },
                                baseline);
      x += gap + child_nat;
    }

  if (self->n_hidden != n_hidden)
    {
      self->n_hidden = n_hidden;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_HIDDEN]);
    }
}

static GtkSizeRequestMode
ward_overflow_layout_get_request_mode (GtkLayoutManager *manager,
                                       GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
ward_overflow_layout_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  WardOverflowLayout *self = WARD_OVERFLOW_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_N_HIDDEN:
      g_value_set_uint (value, self->n_hidden);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_overflow_layout_class_init (WardOverflowLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkLayoutManagerClass *layout_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  object_class->get_property = ward_overflow_layout_get_property;
  layout_class->measure = ward_overflow_layout_measure;
  layout_class->allocate = ward_overflow_layout_allocate;
  layout_class->get_request_mode = ward_overflow_layout_get_request_mode;

  properties[PROP_N_HIDDEN] =
    g_param_spec_uint ("n-hidden", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ward_overflow_layout_init (WardOverflowLayout *self)
{
}

GtkLayoutManager *
ward_overflow_layout_new (int spacing)
{
  WardOverflowLayout *self;

  g_return_val_if_fail (spacing >= 0, NULL);

  self = g_object_new (WARD_TYPE_OVERFLOW_LAYOUT, NULL);
  self->spacing = spacing;

  return GTK_LAYOUT_MANAGER (self);
}

guint
ward_overflow_layout_get_n_hidden (WardOverflowLayout *self)
{
  g_return_val_if_fail (WARD_IS_OVERFLOW_LAYOUT (self), 0);

  return self->n_hidden;
}
