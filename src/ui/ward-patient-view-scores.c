/* ward-patient-view-scores.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-patient-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ward-clinical.h"
#include "ward-flag-words.h"
#include "ward-history.h"
#include "ward-news2.h"
#include "ward-patient-view.h"
#include "ward-patient-view-private.h"
#include "ward-score-inputs.h"

/* The patient view's scores in the span, each explaining itself (its
 * parameters' values, points and ages), its flags and its SpO2 scale.
 */

void
_ward_patient_view_clear_windows_list (WardPatientView *self)
{
  GtkWidget *child;

  /* gtk_list_box_remove_all() is GTK 4.12. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->windows_list))) != NULL)
    gtk_list_box_remove (self->windows_list, child);
}

static void
clear_inputs_grid (WardPatientView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->inputs_grid))) != NULL)
    gtk_grid_remove (self->inputs_grid, child);
}

static void
attach_cell (WardPatientView *self,
             const char      *text,
             int              column,
             int              row,
             gboolean         heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (heading)
    gtk_widget_add_css_class (label, "caption-heading");
  gtk_grid_attach (self->inputs_grid, label, column, row, 1, 1);
}

/* Every score explains itself: each parameter's value, points, age and
 * source, and who entered it.
 */
void
_ward_patient_view_show_window_inputs (WardPatientView        *self,
                                      const WardHistoryScore *score)
{
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *title = NULL;
  gint64 at;

  clear_inputs_grid (self);

  if (score == NULL)
    {
      gtk_label_set_text (self->inputs_title, "");
      return;
    }

  start = _ward_patient_view_format_time (score->window_start);
  end = _ward_patient_view_format_time (score->window_end);
  /* Translators: the inputs of one score window, "Window 10:05–10:35: NEWS2 5, final" */
  title = g_strdup_printf (_("Window %s–%s: NEWS2 %d, %s"), start, end, score->total,
                           score->final ? _("final") : _("preliminary"));
  gtk_label_set_text (self->inputs_title, title);

  /* Ages at the time the score was made, not now. */
  at = MIN (score->window_end, score->computed_at);

  attach_cell (self, _("Parameter"), 0, 0, TRUE);
  attach_cell (self, _("Value"), 1, 0, TRUE);
  attach_cell (self, _("Points"), 2, 0, TRUE);
  attach_cell (self, _("Age"), 3, 0, TRUE);
  attach_cell (self, _("Source"), 4, 0, TRUE);

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      const WardHistoryInput *input = &score->inputs[p];
      g_autofree char *value = NULL;
      g_autofree char *points = NULL;
      g_autofree char *age = NULL;
      g_autofree char *source = NULL;

      attach_cell (self, _ward_patient_view_get_param_title (p), 0, p + 1, FALSE);
      if (!input->present)
        {
          attach_cell (self, _("not measured"), 1, p + 1, FALSE);
          continue;
        }

      value = _ward_patient_view_format_value (p, input->value);
      if (p == WARD_NEWS2_SPO2)
        {
          g_autofree char *v = g_steal_pointer (&value);
          /* Translators: an SpO2 value and the scale it was scored on, "93 (Scale 2)" */
          value = g_strdup_printf (_("%s (Scale %d)"), v, score->spo2_scale);
        }
      points = g_strdup_printf ("%d", input->points);
      age = _ward_patient_view_format_age (at - input->observed_at);
      if (input->source == WARD_SOURCE_NURSE && input->entered_by != NULL)
        /* Translators: the source of a value, "Nurse (j.smith)" */
        source = g_strdup_printf (_("Nurse (%s)"), input->entered_by);
      else
        source = g_strdup (input->source == WARD_SOURCE_NURSE ? _("Nurse") : _("Device"));

      attach_cell (self, value, 1, p + 1, FALSE);
      attach_cell (self, points, 2, p + 1, FALSE);
      attach_cell (self, age, 3, p + 1, FALSE);
      attach_cell (self, source, 4, p + 1, FALSE);
    }
}

static const char *
get_param_short (WardNews2Param param)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
      return C_("short NEWS2 parameter", "RR");
    case WARD_NEWS2_SPO2:
      return C_("short NEWS2 parameter", "SpO₂");
    case WARD_NEWS2_AIR_OR_OXYGEN:
      return C_("short NEWS2 parameter", "Air/O₂");
    case WARD_NEWS2_SBP:
      return C_("short NEWS2 parameter", "SBP");
    case WARD_NEWS2_HR:
      return C_("short NEWS2 parameter", "Pulse");
    case WARD_NEWS2_CONSCIOUSNESS:
      return C_("short NEWS2 parameter", "ACVPU");
    case WARD_NEWS2_TEMP:
    case WARD_NEWS2_N_PARAMS:
    default:
      return C_("short NEWS2 parameter", "Temp");
    }
}

/* "RR 2 · SpO₂ 1 · Air/O₂ – · ...": a dash where the window had no value. */
static char *
format_points_line (const WardHistoryScore *score)
{
  GString *line = g_string_new (NULL);

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    {
      if (p > 0)
        g_string_append (line, " · ");
      if (score->inputs[p].present)
        g_string_append_printf (line, "%s %d", get_param_short (p), score->inputs[p].points);
      else
        g_string_append_printf (line, "%s –", get_param_short (p));
    }

  return g_string_free (line, FALSE);
}

void
_ward_patient_view_update_windows_list (WardPatientView *self)
{
  GtkListBoxRow *select = NULL;
  g_autofree char *signature = NULL;
  guint n;

  n = self->history != NULL ? ward_history_get_n_scores (self->history) : 0;

  /* A reload that brought no new or changed window leaves the list (and
   * the keyboard focus in it) alone.
   */
  if (n > 0)
    {
      const WardHistoryScore *newest = ward_history_get_score (self->history, n - 1);

      signature = g_strdup_printf ("%u:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%d", n,
                                   newest->window_end, newest->computed_at, newest->final);
    }
  if (signature != NULL && g_strcmp0 (signature, self->windows_signature) == 0)
    return;
  g_free (self->windows_signature);
  self->windows_signature = g_steal_pointer (&signature);

  _ward_patient_view_clear_windows_list (self);

  if (self->history == NULL)
    return;

  for (guint i = n; i > 0; i--)
    {
      const WardHistoryScore *score = ward_history_get_score (self->history, i - 1);
      g_autofree char *start = _ward_patient_view_format_time (score->window_start);
      g_autofree char *end = _ward_patient_view_format_time (score->window_end);
      g_autofree char *text = NULL;
      g_autofree char *points = NULL;
      GtkWidget *row;
      GtkWidget *box;
      GtkWidget *label;

      if (score->news2_applicable)
        /* Translators: one score window in the list, "10:05–10:35  NEWS2 5 Medium, preliminary, partial" */
        text = g_strdup_printf (_("%s–%s  NEWS2 %d %s, %s%s"), start, end, score->total,
                                _ward_patient_view_get_band_word (score->band),
                                score->final ? _("final") : _("preliminary"),
                                score->complete ? "" : _(", partial"));
      else
        /* Translators: a child's window, "10:05–10:35  NEWS2 7, not validated under 16, preliminary" */
        text = g_strdup_printf (_("%s–%s  NEWS2 %d, not validated under 16, %s%s"), start, end,
                                score->total, score->final ? _("final") : _("preliminary"),
                                score->complete ? "" : _(", partial"));
      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      gtk_widget_set_margin_top (box, 6);
      gtk_widget_set_margin_bottom (box, 6);
      label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_box_append (GTK_BOX (box), label);

      /* Each parameter's points at a glance; the inputs below say the rest. */
      points = format_points_line (score);
      label = gtk_label_new (points);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);

      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      g_object_set_data (G_OBJECT (row), "index", GUINT_TO_POINTER (i - 1));
      gtk_list_box_append (self->windows_list, row);

      if (score->window_end == self->selected_window_end)
        select = GTK_LIST_BOX_ROW (row);
    }

  if (select == NULL)
    select = gtk_list_box_get_row_at_index (self->windows_list, 0);
  if (select != NULL)
    gtk_list_box_select_row (self->windows_list, select);
  else
    _ward_patient_view_show_window_inputs (self, NULL);
}

/* Each flag of the span: what, from when to when, and who acknowledged it. */
/* A line of the list starts with a capital, whatever word the language
 * puts first ("High flag since 10:03", "Alerte élevée depuis 10:03").
 * Takes @text and returns it.
 */
static char *
capitalize_first (char *text)
{
  gunichar first = g_utf8_get_char (text);
  gunichar title = g_unichar_totitle (first);
  char buf[6];
  int old_len, new_len;
  char *result;

  if (first == 0 || title == first)
    return text;

  old_len = g_utf8_next_char (text) - text;
  new_len = g_unichar_to_utf8 (title, buf);
  result = g_strdup_printf ("%.*s%s", new_len, buf, text + old_len);
  g_free (text);

  return result;
}

void
_ward_patient_view_update_flags_label (WardPatientView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = self->history != NULL ? ward_history_get_n_flags (self->history) : 0;

  for (guint i = n; i > 0; i--)
    {
      const WardHistoryFlag *flag = ward_history_get_flag (self->history, i - 1);
      g_autofree char *opened = _ward_patient_view_format_time (flag->opened_at);
      g_autofree char *what = NULL;
      g_autofree char *line = NULL;

      if (g_strcmp0 (flag->kind, "technical") == 0)
        {
          if (flag->closed_at != 0)
            {
              g_autofree char *closed = _ward_patient_view_format_time (flag->closed_at);
              /* Translators: a technical alert in the list of flags, "Monitor silent from 10:03 to 10:05" */
              what = g_strdup_printf (_("Monitor silent from %s to %s"), opened, closed);
            }
          else
            /* Translators: a technical alert still open, "Monitor silent since 10:03" */
            what = g_strdup_printf (_("Monitor silent since %s"), opened);
        }
      else if (flag->closed_at != 0)
        {
          g_autofree char *closed = _ward_patient_view_format_time (flag->closed_at);
          /* Translators: a closed flag, "High flag from 10:03 to 11:20" */
          what = capitalize_first (g_strdup_printf (_("%s flag from %s to %s"),
                                                    ward_clinical_flag_band_phrase (flag->band),
                                                    opened, closed));
        }
      else
        {
          /* Translators: an open flag, "High flag since 10:03" */
          what = capitalize_first (g_strdup_printf (_("%s flag since %s"),
                                                    ward_clinical_flag_band_phrase (flag->band),
                                                    opened));
        }

      if (flag->acknowledged_by != NULL)
        {
          g_autofree char *at = _ward_patient_view_format_time (flag->acknowledged_at);
          /* Translators: a flag and who acknowledged it, "High flag since 10:03; acknowledged by j.smith at 10:05" */
          line = g_strdup_printf (_("%s; acknowledged by %s at %s"), what, flag->acknowledged_by, at);
        }
      else
        {
          /* Translators: a flag nobody acknowledged, "High flag since 10:03; not acknowledged" */
          line = g_strdup_printf (_("%s; not acknowledged"), what);
        }

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, line);
    }

  gtk_label_set_text (self->flags_label, n > 0 ? text->str : _("No flags in this span"));
}

void
_ward_patient_view_update_scale_label (WardPatientView *self)
{
  g_autofree char *text = NULL;
  const char *set_by = NULL;
  gint64 set_at = 0;
  int scale = self->spo2_scale;

  if (self->history != NULL)
    ward_history_get_spo2_scale (self->history, &set_by, &set_at);

  if (set_by != NULL)
    {
      g_autofree char *time = _ward_patient_view_format_time (set_at);

      /* Translators: "Now Scale 2, decided by dr.osei at 10:04" */
      text = g_strdup_printf (_("Now Scale %d, decided by %s at %s"), scale, set_by, time);
    }
  else
    {
      /* Translators: the SpO2 scale nobody has changed, "Now Scale 1" */
      text = g_strdup_printf (_("Now Scale %d"), scale);
    }

  gtk_label_set_text (self->scale_label, text);
}
