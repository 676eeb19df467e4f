/* ward-score-inputs.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-score-inputs"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-score-inputs.h"
#include "ward-score-inputs-private.h"
#include "ward-bed-tile.h"

enum {
  COLUMN_VALUE,
  COLUMN_POINTS,
  COLUMN_AGE,
  COLUMN_SOURCE,
  COLUMN_OTHER,
  N_COLUMNS
};

struct _WardScoreInputs
{
  GtkWidget  parent_instance;

  /* Template widgets */
  GtkGrid   *grid;

  /* Owned by the grid */
  GtkLabel  *cells[WARD_NEWS2_N_PARAMS][N_COLUMNS];
};

G_DEFINE_FINAL_TYPE (WardScoreInputs, ward_score_inputs, GTK_TYPE_WIDGET)

/* The measurement each NEWS2 parameter is scored from. */
static const WardMeasKind param_kinds[WARD_NEWS2_N_PARAMS] = {
  [WARD_NEWS2_RR] = WARD_MEAS_RR,
  [WARD_NEWS2_SPO2] = WARD_MEAS_SPO2,
  [WARD_NEWS2_AIR_OR_OXYGEN] = WARD_MEAS_ON_OXYGEN,
  [WARD_NEWS2_SBP] = WARD_MEAS_SBP,
  [WARD_NEWS2_HR] = WARD_MEAS_HR,
  [WARD_NEWS2_CONSCIOUSNESS] = WARD_MEAS_CONSCIOUSNESS,
  [WARD_NEWS2_TEMP] = WARD_MEAS_TEMP,
};

static const char *
get_param_title (WardNews2Param param)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
      return _("Respiration rate");
    case WARD_NEWS2_SPO2:
      return _("SpO₂");
    case WARD_NEWS2_AIR_OR_OXYGEN:
      return _("Air or oxygen");
    case WARD_NEWS2_SBP:
      return _("Systolic BP");
    case WARD_NEWS2_HR:
      return _("Pulse");
    case WARD_NEWS2_CONSCIOUSNESS:
      return _("Consciousness");
    case WARD_NEWS2_TEMP:
      return _("Temperature");
    case WARD_NEWS2_N_PARAMS:
    default:
      g_assert_not_reached ();
    }
}

static char *
format_value (WardNews2Param param,
              double         value,
              int            spo2_scale)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
    case WARD_NEWS2_HR:
      /* Translators: a rate per minute, "28 /min" */
      return g_strdup_printf (_("%.0f /min"), value);
    case WARD_NEWS2_SPO2:
      if (spo2_scale == 2)
        /* Translators: an SpO₂ value on NEWS2 SpO₂ Scale 2, "88 % · Scale 2" */
        return g_strdup_printf (_("%.0f %% · Scale 2"), value);
      return g_strdup_printf ("%.0f %%", value);
    case WARD_NEWS2_AIR_OR_OXYGEN:
      return g_strdup (value != 0 ? _("Oxygen") : _("Air"));
    case WARD_NEWS2_SBP:
      return g_strdup_printf ("%.0f mmHg", value);
    case WARD_NEWS2_CONSCIOUSNESS:
      switch ((int) value)
        {
        case WARD_ACVPU_CONFUSION:
          return g_strdup (_("New confusion"));
        case WARD_ACVPU_VOICE:
          return g_strdup (_("Voice"));
        case WARD_ACVPU_PAIN:
          return g_strdup (_("Pain"));
        case WARD_ACVPU_UNRESPONSIVE:
          return g_strdup (_("Unresponsive"));
        case WARD_ACVPU_ALERT:
        default:
          return g_strdup (_("Alert"));
        }
    case WARD_NEWS2_TEMP:
      return g_strdup_printf ("%.1f °C", value);
    case WARD_NEWS2_N_PARAMS:
    default:
      g_assert_not_reached ();
    }
}

/* "Nurse (j.smith)", "Nurse", "Monitor". */
static char *
format_source (const WardLatestValue *value)
{
  if (value->source != WARD_SOURCE_NURSE)
    return g_strdup (_("Monitor"));
  if (value->entered_by != NULL)
    /* Translators: the source of a value, "Nurse (j.smith)" */
    return g_strdup_printf (_("Nurse (%s)"), value->entered_by);
  return g_strdup (_("Nurse"));
}

/* The value of the other source, when the nurse's and the monitor's both
 * exist: "Monitor: 14 /min, 10 s ago" under a nurse's value the score
 * kept, "Nurse (j.smith): 28 /min, 12 min ago" under a monitor's value
 * that scored worse.  NULL when there is none.
 */
static char *
format_other (const WardBedState    *bed,
              WardNews2Param         param,
              const WardLatestValue *used,
              gint64                 now)
{
  WardMeasKind kind = param_kinds[param];
  const WardLatestValue *other;
  g_autofree char *value = NULL;
  g_autofree char *age = NULL;
  g_autofree char *source = NULL;

  if (used->source == WARD_SOURCE_NURSE)
    other = &bed->latest[kind];
  else
    other = &bed->nurse_latest[kind];

  if (!other->valid || other->source == used->source)
    return NULL;

  value = format_value (param, other->value, bed->spo2_scale);
  age = _ward_format_age (now - other->observed_at);
  source = format_source (other);

  /* Translators: the other source's value of a parameter, "Monitor: 14 /min, 10 s ago" */
  return g_strdup_printf (_("%s: %s, %s ago"), source, value, age);
}

static void
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static GtkLabel *
attach_label (WardScoreInputs *self,
              const char      *text,
              int              column,
              int              row,
              int              width,
              const char      *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_grid_attach (self->grid, label, column, row, width, 1);

  return GTK_LABEL (label);
}

static void
build_grid (WardScoreInputs *self)
{
  attach_label (self, _("Parameter"), 0, 0, 1, "caption-heading");
  attach_label (self, _("Value"), 1, 0, 1, "caption-heading");
  attach_label (self, _("Points"), 2, 0, 1, "caption-heading");
  attach_label (self, _("Age"), 3, 0, 1, "caption-heading");
  attach_label (self, _("Source"), 4, 0, 1, "caption-heading");

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      int row = 1 + 2 * p;

      attach_label (self, get_param_title (p), 0, row, 1, NULL);
      self->cells[p][COLUMN_VALUE] = attach_label (self, "", 1, row, 1, "numeric");
      self->cells[p][COLUMN_POINTS] = attach_label (self, "", 2, row, 1, "numeric");
      self->cells[p][COLUMN_AGE] = attach_label (self, "", 3, row, 1, "numeric");
      self->cells[p][COLUMN_SOURCE] = attach_label (self, "", 4, row, 1, NULL);
      /* The other source's value, on a line of its own under the row. */
      self->cells[p][COLUMN_OTHER] = attach_label (self, "", 1, row + 1, 4, "caption");
      gtk_label_set_wrap (self->cells[p][COLUMN_OTHER], TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->cells[p][COLUMN_OTHER]), "dim-label");
      gtk_widget_set_visible (GTK_WIDGET (self->cells[p][COLUMN_OTHER]), FALSE);
    }
}

static void
ward_score_inputs_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), WARD_TYPE_SCORE_INPUTS);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ward_score_inputs_parent_class)->dispose (object);
}

static void
ward_score_inputs_class_init (WardScoreInputsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_score_inputs_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-score-inputs.ui");
  gtk_widget_class_bind_template_child (widget_class, WardScoreInputs, grid);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ward_score_inputs_init (WardScoreInputs *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  build_grid (self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
ward_score_inputs_new (void)
{
  return g_object_new (WARD_TYPE_SCORE_INPUTS, NULL);
}

/**
 * ward_score_inputs_update:
 * @bed: (nullable): the patient's bed in the newest snapshot
 * @now: the snapshot's time
 *
 * Shows what @bed's current score used.  Only texts change, and only
 * where they differ.
 */
void
ward_score_inputs_update (WardScoreInputs    *self,
                          const WardBedState *bed,
                          gint64              now)
{
  gboolean any = FALSE;

  g_return_if_fail (WARD_IS_SCORE_INPUTS (self));

  if (bed != NULL && bed->has_score)
    {
      for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
        any |= bed->score_inputs[p].valid;
    }

  /* Older data does not say what the score used: nothing to show. */
  gtk_widget_set_visible (GTK_WIDGET (self), any);
  if (!any)
    return;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      const WardLatestValue *used = &bed->score_inputs[p];
      g_autofree char *value = NULL;
      g_autofree char *points = NULL;
      g_autofree char *age = NULL;
      g_autofree char *source = NULL;
      g_autofree char *other = NULL;

      if (!used->valid)
        {
          set_text (self->cells[p][COLUMN_VALUE], _("not measured"));
          set_text (self->cells[p][COLUMN_POINTS], "–");
          set_text (self->cells[p][COLUMN_AGE], "");
          set_text (self->cells[p][COLUMN_SOURCE], "");
          gtk_widget_set_visible (GTK_WIDGET (self->cells[p][COLUMN_OTHER]), FALSE);
          continue;
        }

      value = format_value (p, used->value, bed->spo2_scale);
      if (bed->score_points[p] >= 0)
        points = g_strdup_printf ("%d", bed->score_points[p]);
      age = _ward_format_age (now - used->observed_at);
      source = format_source (used);
      other = format_other (bed, p, used, now);

      set_text (self->cells[p][COLUMN_VALUE], value);
      set_text (self->cells[p][COLUMN_POINTS], points != NULL ? points : "–");
      set_text (self->cells[p][COLUMN_AGE], age);
      set_text (self->cells[p][COLUMN_SOURCE], source);
      set_text (self->cells[p][COLUMN_OTHER], other != NULL ? other : "");
      gtk_widget_set_visible (GTK_WIDGET (self->cells[p][COLUMN_OTHER]), other != NULL);
    }
}

const char *
_ward_score_inputs_get_text (WardScoreInputs *self,
                             WardNews2Param   param,
                             guint            column)
{
  g_return_val_if_fail (WARD_IS_SCORE_INPUTS (self), NULL);
  g_return_val_if_fail (param < WARD_NEWS2_N_PARAMS, NULL);
  g_return_val_if_fail (column < N_COLUMNS, NULL);

  return gtk_label_get_text (self->cells[param][column]);
}
