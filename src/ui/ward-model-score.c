/* ward-model-score.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-model-score.h"
#include "ward-model-score-private.h"

#include "ward-model-scorer.h"
#include "ward-model-words.h"

#include <glib/gi18n.h>

struct _WardModelScore
{
  GtkWidget  parent_instance;

  GtkWidget *box;
  GtkLabel  *title_label;
  GtkLabel  *probability_label;
  GtkLabel  *outcome_label;
  GtkLabel  *model_label;
  GtkLabel  *notice_label;
  GtkLabel  *explanation_label;
  GtkGrid   *contributions_grid;
  GtkLabel  *card_label;
};

G_DEFINE_FINAL_TYPE (WardModelScore, ward_model_score, GTK_TYPE_WIDGET)

static GtkLabel *
add_label (WardModelScore *self,
           GtkWidget      *parent,
           const char     *style)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  gtk_box_append (GTK_BOX (parent), label);
  return GTK_LABEL (label);
}

static void
ward_model_score_dispose (GObject *object)
{
  WardModelScore *self = WARD_MODEL_SCORE (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (ward_model_score_parent_class)->dispose (object);
}

static void
ward_model_score_class_init (WardModelScoreClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ward_model_score_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "modelscore");
}

static void
ward_model_score_init (WardModelScore *self)
{
  GtkWidget *expander;
  GtkWidget *card_box;
  GtkWidget *row;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->title_label = add_label (self, self->box, "heading");
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (self->box), row);
  self->probability_label = add_label (self, row, "title-2");
  gtk_label_set_wrap (self->probability_label, FALSE);
  self->outcome_label = add_label (self, row, NULL);
  gtk_widget_set_hexpand (GTK_WIDGET (self->outcome_label), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->outcome_label), GTK_ALIGN_CENTER);
  self->model_label = add_label (self, self->box, "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->model_label), "dim-label");
  /* The card's notice: a plain caption, never an alarm's colours. */
  self->notice_label = add_label (self, self->box, "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->notice_label), "model-notice");

  self->explanation_label = add_label (self, self->box, NULL);

  self->contributions_grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (self->contributions_grid, 12);
  gtk_grid_set_row_spacing (self->contributions_grid, 2);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->contributions_grid));

  expander = gtk_expander_new (_("Model card"));
  gtk_box_append (GTK_BOX (self->box), expander);
  card_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_expander_set_child (GTK_EXPANDER (expander), card_box);
  self->card_label = add_label (self, card_box, "caption");
  gtk_label_set_selectable (self->card_label, TRUE);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
ward_model_score_new (void)
{
  return g_object_new (WARD_TYPE_MODEL_SCORE, NULL);
}

static void
clear_grid (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static GtkWidget *
grid_label (const char *text,
            float       xalign,
            const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}

static char *
horizon_words (gint64 minutes)
{
  int n;

  if (minutes > 0 && minutes % 60 == 0)
    {
      n = (int) MIN (minutes / 60, G_MAXINT);
      /* Translators: a model's horizon, "looks 4 hours ahead" */
      return g_strdup_printf (ngettext ("%d hour", "%d hours", n), n);
    }
  n = (int) CLAMP (minutes, 0, G_MAXINT);
  /* Translators: a model's horizon, "looks 90 minutes ahead" */
  return g_strdup_printf (ngettext ("%d minute", "%d minutes", n), n);
}

void
ward_model_score_update (WardModelScore     *self,
                         const WardBedState *bed)
{
  const WardScore *score;
  WardModelWordsCard card;
  g_autofree char *percent = NULL;
  g_autofree char *horizon = NULL;
  g_autofree char *model = NULL;
  g_autofree char *explanation = NULL;
  g_autofree char *card_text = NULL;
  gboolean demo;

  g_return_if_fail (WARD_IS_MODEL_SCORE (self));

  score = _ward_model_words_find (bed);
  gtk_widget_set_visible (GTK_WIDGET (self), score != NULL);
  if (score == NULL)
    return;

  if (!_ward_model_words_card (score, &card))
    card.not_for_clinical_use = TRUE;
  demo = card.not_for_clinical_use;

  gtk_label_set_text (self->title_label, demo ? _("Demo model risk") : _("Model risk"));
  percent = _ward_model_words_percent (score->probability);
  gtk_label_set_text (self->probability_label, percent);
  /* The card's outcome says what is predicted (and usually by when);
   * the horizon is said again with the model, in hours where it can.
   */
  gtk_label_set_text (self->outcome_label, card.outcome != NULL ? card.outcome : score->label);
  horizon = horizon_words (card.horizon_minutes);
  /* Translators: a model's name, version and horizon beside its score:
   * "demo-deterioration, version 0.1.0 · looks 4 hours ahead · …"
   */
  model = g_strdup_printf (_("%s, version %s · looks %s ahead · shown beside NEWS2, never in its place"),
                           card.name != NULL ? card.name : score->label, score->version, horizon);
  gtk_label_set_text (self->model_label, model);

  if (demo)
    {
      /* The card's own notice, which says it; the plain words without one. */
      gtk_label_set_text (self->notice_label,
                          card.notice != NULL ? card.notice : _("Not for clinical use."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), demo);

  explanation = _ward_model_words_contributions (score);
  gtk_label_set_text (self->explanation_label, explanation);

  clear_grid (self->contributions_grid);
  for (guint i = 0; score->contributions != NULL && i < score->contributions->len; i++)
    {
      const WardScoreContribution *c = &g_array_index (score->contributions, WardScoreContribution, i);
      g_autofree char *label = ward_model_feature_label (c->name);
      g_autofree char *value = NULL;
      g_autofree char *contribution = g_strdup_printf ("%+.2f", c->contribution);

      value = c->has_value ? g_strdup_printf ("%.4g", c->value) : g_strdup (_("missing"));
      gtk_grid_attach (self->contributions_grid, grid_label (label, 0, NULL), 0, i, 1, 1);
      gtk_grid_attach (self->contributions_grid, grid_label (value, 1, "numeric"), 1, i, 1, 1);
      gtk_grid_attach (self->contributions_grid, grid_label (contribution, 1, "numeric"), 2, i, 1, 1);
      gtk_grid_attach (self->contributions_grid,
                       grid_label (c->contribution >= 0 ? _("raises risk") : _("lowers risk"), 0,
                                   "dim-label"),
                       3, i, 1, 1);
    }

  card_text = g_strdup_printf ("%s\n\n%s\n\n%s",
                               card.intended_use != NULL ? card.intended_use : "",
                               card.training_data != NULL ? card.training_data : "",
                               card.path != NULL ? card.path : "");
  gtk_label_set_text (self->card_label, card_text);

  _ward_model_words_card_clear (&card);
}

const char *
_ward_model_score_get_probability_text (WardModelScore *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self)) ? gtk_label_get_text (self->probability_label) : "";
}

const char *
_ward_model_score_get_explanation_text (WardModelScore *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self)) ? gtk_label_get_text (self->explanation_label) : "";
}
