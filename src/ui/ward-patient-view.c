/* ward-patient-view.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-patient-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ward-clinical.h"
#include "ward-patient-view.h"
#include "ward-patient-view-private.h"
#include "ward-chart.h"
#include "ward-flag-words.h"
#include "ward-history.h"
#include "ward-news2.h"
#include "ward-patient-words.h"
#include "ward-trend-words.h"
#include "ward-score-inputs.h"
#include "ward-model-score.h"

/* One patient.  History comes from the store, loaded in a worker thread
 * for the chosen span (and cancelled when the patient or the span
 * changes); live values come from snapshots.  A snapshot only carries the
 * newest value of each kind, so at a high demo time scale several device
 * values can arrive between two snapshots: the view appends the newest
 * one at once and reloads the span from the store every few seconds
 * (quietly, in the background), which fills in what the snapshots
 * skipped.  A chart only redraws when its points or its range (by a
 * pixel) changed.
 */

/* Points per series after decimation: about two per pixel of a wide chart. */
#define MAX_POINTS 1600
/* Charts follow snapshots at most this often. */
#define CHARTS_INTERVAL_MS 200

typedef struct
{
  const char        *title;
  const char        *unit;         /* shown */
  const char        *spoken_unit;  /* in the accessible description */
  int                kind;         /* WardMeasKind, -1 for the score */
  int                kind2;        /* a second series, or -1 */
  double             y_min;
  double             y_max;
  guint              digits;
  double             resolution;
  gint64             stale_after;
} ChartSpec;

G_DEFINE_FINAL_TYPE (WardPatientView, ward_patient_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define MIN_ WARD_USEC_PER_MINUTE

static const ChartSpec chart_specs[N_CHARTS] = {
  [CHART_RR] = { N_("Respiration rate"), N_("/min"), N_("per minute"),
                 WARD_MEAS_RR, -1, 6, 30, 0, 1, MIN_ },
  [CHART_SPO2] = { N_("SpO₂"), N_("%"), N_("percent"),
                   WARD_MEAS_SPO2, -1, 84, 100, 0, 1, MIN_ },
  [CHART_BP] = { N_("Blood pressure"), N_("mmHg"), N_("millimetres of mercury"),
                 WARD_MEAS_SBP, WARD_MEAS_DBP, 40, 230, 0, 1, 30 * MIN_ },
  [CHART_HR] = { N_("Pulse"), N_("/min"), N_("per minute"),
                 WARD_MEAS_HR, -1, 35, 140, 0, 1, MIN_ },
  [CHART_TEMP] = { N_("Temperature"), N_("°C"), N_("degrees Celsius"),
                   WARD_MEAS_TEMP, -1, 34.5, 39.5, 1, 0.1, 30 * MIN_ },
  [CHART_SCORE] = { N_("NEWS2 score"), "", N_("points"),
                    -1, -1, 0, 10, 0, 1, 10 * MIN_ },
};

/* The order of the spans in the template. */
static const gint64 spans[] = {
  10 * MIN_, 60 * MIN_, 8 * 60 * MIN_, 24 * 60 * MIN_, 72 * 60 * MIN_,
};

static const char *
get_span_label (gint64 span)
{
  if (span <= 10 * MIN_)
    return _("last 10 minutes");
  if (span <= 60 * MIN_)
    return _("last hour");
  if (span <= 8 * 60 * MIN_)
    return _("last 8 hours");
  if (span <= 24 * 60 * MIN_)
    return _("last 24 hours");
  return _("last 72 hours");
}

/* How often (real time) the span is read again from the store. */
static gint64
get_refresh_interval (gint64 span)
{
  if (span <= 60 * MIN_)
    return 2 * G_USEC_PER_SEC;
  if (span <= 8 * 60 * MIN_)
    return 5 * G_USEC_PER_SEC;
  return 15 * G_USEC_PER_SEC;
}

const char *
_ward_patient_view_get_band_word (WardBand band)
{
  return ward_clinical_band_title (band);
}

const char *
_ward_patient_view_get_param_title (WardNews2Param param)
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
    case WARD_NEWS2_N_PARAMS:
    default:
      return _("Temperature");
    }
}

static const char *
get_acvpu_word (WardAcvpu acvpu)
{
  switch (acvpu)
    {
    case WARD_ACVPU_CONFUSION:
      return _("New confusion");
    case WARD_ACVPU_VOICE:
      return _("Voice");
    case WARD_ACVPU_PAIN:
      return _("Pain");
    case WARD_ACVPU_UNRESPONSIVE:
      return _("Unresponsive");
    case WARD_ACVPU_ALERT:
    default:
      return _("Alert");
    }
}

char *
_ward_patient_view_format_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return dt != NULL ? g_date_time_format (dt, "%H:%M") : g_strdup ("—");
}

char *
_ward_patient_view_format_age (gint64 usec)
{
  gint64 seconds = MAX (0, usec / G_USEC_PER_SEC);

  if (seconds < 60)
    /* Translators: an age in seconds */
    return g_strdup_printf (_("%d s"), (int) seconds);
  if (seconds < 3600)
    /* Translators: an age in minutes */
    return g_strdup_printf (_("%d min"), (int) (seconds / 60));
  /* Translators: an age in hours and minutes */
  return g_strdup_printf (_("%d h %02d min"), (int) (seconds / 3600), (int) (seconds % 3600 / 60));
}

char *
_ward_patient_view_format_value (WardNews2Param param,
                                 double         value)
{
  switch (param)
    {
    case WARD_NEWS2_CONSCIOUSNESS:
      return g_strdup (get_acvpu_word ((WardAcvpu) CLAMP ((int) value, 0, WARD_ACVPU_UNRESPONSIVE)));
    case WARD_NEWS2_AIR_OR_OXYGEN:
      return g_strdup (value != 0 ? _("Oxygen") : _("Air"));
    case WARD_NEWS2_TEMP:
      return g_strdup_printf ("%.1f", value);
    case WARD_NEWS2_RR:
    case WARD_NEWS2_SPO2:
    case WARD_NEWS2_SBP:
    case WARD_NEWS2_HR:
    case WARD_NEWS2_N_PARAMS:
    default:
      return g_strdup_printf ("%.0f", value);
    }
}

const WardBedState *
_ward_patient_view_find_bed (WardPatientView *self)
{
  if (self->snapshot == NULL || self->patient_id == NULL)
    return NULL;

  for (guint i = 0; i < ward_snapshot_get_n_beds (self->snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);

      if (g_strcmp0 (bed->patient_id, self->patient_id) == 0)
        return bed;
    }

  return NULL;
}

static int
band_rr_cb (double   value,
            gpointer data)
{
  return ward_news2_score_rr (value);
}

static int
band_spo2_cb (double   value,
              gpointer data)
{
  WardPatientView *self = data;

  return ward_news2_score_spo2 (value, self->spo2_scale, self->on_oxygen);
}

static int
band_sbp_cb (double   value,
             gpointer data)
{
  return ward_news2_score_sbp (value);
}

static int
band_hr_cb (double   value,
            gpointer data)
{
  return ward_news2_score_hr (value);
}

static int
band_temp_cb (double   value,
              gpointer data)
{
  return ward_news2_score_temp (value);
}

/* The aggregate's bands: 1-4 low, 5-6 medium, 7 and over high. */
static int
band_score_cb (double   value,
               gpointer data)
{
  int total = (int) floor (value + 0.5);

  if (total >= 7)
    return 3;
  if (total >= 5)
    return 2;
  if (total >= 1)
    return 1;
  return 0;
}

static void
set_loading (WardPatientView *self,
             gboolean         loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  gtk_widget_set_visible (GTK_WIDGET (self->loading_spinner), loading);
  gtk_spinner_set_spinning (self->loading_spinner, loading);
  for (guint c = 0; c < N_CHARTS; c++)
    ward_chart_set_loading (self->charts[c], loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

void
_ward_patient_view_show_toast (WardPatientView *self,
                               const char      *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* History points of a kind inside the span, then the live ones after it. */
static GArray *
collect_points (WardPatientView *self,
                int              kind)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));
  gint64 from = self->now - self->span;
  gint64 history_to = 0;
  GArray *live;

  if (self->history != NULL && kind >= 0)
    {
      const WardHistoryPoint *stored;
      guint n;

      stored = ward_history_get_points (self->history, kind, &n);
      for (guint i = 0; i < n; i++)
        if (stored[i].t > from)
          g_array_append_vals (points, &stored[i], 1);
    }
  else if (self->history != NULL)
    {
      for (guint i = 0; i < ward_history_get_n_scores (self->history); i++)
        {
          const WardHistoryScore *score = ward_history_get_score (self->history, i);
          WardHistoryPoint point = {
            MIN (score->window_end, MAX (score->computed_at, score->window_start)),
            score->total,
            score->final ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE,
          };

          if (point.t > from)
            g_array_append_val (points, point);
        }
    }

  if (self->history != NULL)
    history_to = points->len > 0 ? g_array_index (points, WardHistoryPoint, points->len - 1).t
                                 : ward_history_get_to (self->history);

  live = kind >= 0 ? self->live[kind] : self->live_scores;
  for (guint i = 0; i < live->len; i++)
    {
      const WardHistoryPoint *p = &g_array_index (live, WardHistoryPoint, i);

      if (p->t > from && p->t > history_to)
        g_array_append_vals (points, p, 1);
    }

  return points;
}

static void
update_charts (WardPatientView *self)
{
  if (self->now == 0)
    return;

  for (guint c = 0; c < N_CHARTS; c++)
    {
      const ChartSpec *spec = &chart_specs[c];
      g_autoptr(GArray) points = collect_points (self, spec->kind);
      g_autofree char *value = NULL;

      ward_chart_set_range (self->charts[c], self->now - self->span, self->now);
      ward_chart_set_points (self->charts[c], 0, (WardHistoryPoint *) (gpointer) points->data,
                             points->len);

      if (spec->kind2 >= 0)
        {
          g_autoptr(GArray) second = collect_points (self, spec->kind2);

          ward_chart_set_points (self->charts[c], 1, (WardHistoryPoint *) (gpointer) second->data,
                                 second->len);
          if (points->len > 0 && second->len > 0)
            value = g_strdup_printf ("%.0f/%.0f %s",
                                     g_array_index (points, WardHistoryPoint, points->len - 1).value,
                                     g_array_index (second, WardHistoryPoint, second->len - 1).value,
                                     _(spec->unit));
        }

      if (value == NULL && points->len > 0)
        value = g_strdup_printf ("%.*f %s", spec->digits,
                                 g_array_index (points, WardHistoryPoint, points->len - 1).value,
                                 spec->unit[0] != '\0' ? _(spec->unit) : "");

      /* SpO2 is read with what the patient breathes. */
      if (c == CHART_SPO2 && value != NULL && self->has_air_or_oxygen)
        {
          g_autofree char *v = g_steal_pointer (&value);

          if (!self->on_oxygen)
            /* Translators: an SpO2 value on room air, "95 % · air" */
            value = g_strdup_printf (_("%s · air"), v);
          else if (self->o2_flow > 0)
            /* Translators: an SpO2 value on oxygen, "93 % · oxygen 2.0 L/min" */
            value = g_strdup_printf (_("%s · oxygen %.1f L/min"), v, self->o2_flow);
          else
            /* Translators: an SpO2 value on oxygen of unknown flow, "93 % · oxygen" */
            value = g_strdup_printf (_("%s · oxygen"), v);
        }

      gtk_label_set_text (self->chart_values[c], value != NULL ? value : "—");
    }
}

static gboolean
update_charts_cb (gpointer data)
{
  WardPatientView *self = data;

  self->update_charts_source = 0;
  self->last_charts_update = g_get_monotonic_time ();
  update_charts (self);

  return G_SOURCE_REMOVE;
}

/* Snapshots come every tick (50 ms); at a high demo time scale each one
 * moves a short span's axis by pixels and brings new points, so every
 * chart would redraw at every tick.  Charts follow snapshots at most
 * CHARTS_INTERVAL_MS apart: a fifth of a second is nothing for vital
 * signs and bounds the cost of six PLplot redraws.
 */
static void
schedule_update_charts (WardPatientView *self)
{
  gint64 since = g_get_monotonic_time () - self->last_charts_update;

  if (self->update_charts_source != 0)
    return;

  if (since >= CHARTS_INTERVAL_MS * 1000)
    {
      self->last_charts_update = g_get_monotonic_time ();
      update_charts (self);
      return;
    }

  self->update_charts_source = g_timeout_add (CHARTS_INTERVAL_MS - since / 1000,
                                              update_charts_cb, self);
}

void
_ward_patient_view_update_actions (WardPatientView *self)
{
  const WardBedState *bed = _ward_patient_view_find_bed (self);
  /* With nobody signed in the commands stay enabled: they ask who is
   * acting first (require_user()).
   */
  gboolean can_command = self->pipeline != NULL && bed != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.confirm",
                                 can_command && bed->has_score && !bed->score_final);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.acknowledge",
                                 can_command && bed->flag_id != 0 &&
                                 bed->flag_acknowledged_by == NULL);
  /* Where the flag has a task the same command accepts it (the care core
   * makes an acknowledgement the acknowledger's accept): say so, with the
   * tile's word.
   */
  {
    const WardTask *task = bed != NULL && bed->flag_id != 0
                           ? _ward_flag_words_bed_task (bed, bed->flag_id) : NULL;
    gboolean accept = task != NULL && task->status == WARD_TASK_REQUESTED;

    gtk_button_set_label (self->acknowledge_button,
                          accept ? _("_Accept Task") : _("_Acknowledge Flag"));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->acknowledge_button),
                                 accept ? _("Take the task of the patient’s open flag: you become its owner")
                                        : _("Record that you have seen the patient’s open flag"));
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.record",
                                 can_command && self->n_pending_entries == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.set-scale", can_command);
}

/* Who the patient is (ward-patient-words.h), for the two-identifier
 * check before any clinical action; hidden while nothing is known.
 */
static void
update_age (WardPatientView    *self,
            const WardBedState *bed)
{
  g_autofree char *text = _ward_patient_words_context (bed, self->now);

  gtk_label_set_text (self->age_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->age_label), text != NULL);
}

/* Observations due: a reminder under the flag, bold when late, never in
 * an alarm's colours.
 */
static void
update_obs_due (WardPatientView    *self,
                const WardBedState *bed)
{
  g_autofree char *text = NULL;
  gboolean overdue = FALSE;

  if (bed != NULL)
    text = _ward_patient_words_obs_due (bed, self->now, &overdue);

  gtk_widget_set_visible (GTK_WIDGET (self->obs_label), text != NULL);
  if (text == NULL)
    return;

  gtk_label_set_text (self->obs_label, text);
  if (overdue)
    gtk_widget_add_css_class (GTK_WIDGET (self->obs_label), "obs-overdue");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->obs_label), "obs-overdue");
}

/* The trend in words under the flag, as the tile's tooltip says it:
 * "Rising, +3.0 points per hour. At this rate, reaches the medium band
 * in about 40 min".  Hidden until there are enough windows.
 */
static void
update_trend (WardPatientView    *self,
              const WardBedState *bed)
{
  g_autofree char *text = NULL;

  if (bed != NULL && bed->has_score && !bed->news2_not_applicable)
    text = _ward_trend_words_full (&bed->trend);

  if (text == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->trend_label), FALSE);
      return;
    }

  if (g_strcmp0 (gtk_label_get_text (self->trend_label), text) != 0)
    gtk_label_set_text (self->trend_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->trend_label), TRUE);
}

static void
update_header (WardPatientView *self)
{
  const WardBedState *bed = _ward_patient_view_find_bed (self);
  g_autofree char *flag = NULL;

  for (WardBand band = WARD_BAND_LOW; band <= WARD_BAND_HIGH; band++)
    gtk_widget_remove_css_class (self->score_badge, ward_clinical_band_css_class (band));

  if (bed == NULL)
    {
      gtk_label_set_text (self->bed_label, "");
      gtk_label_set_text (self->name_label, self->patient_id != NULL ? self->patient_id : "");
      gtk_widget_set_visible (GTK_WIDGET (self->age_label), FALSE);
      update_obs_due (self, NULL);
      ward_score_inputs_update (self->score_inputs, NULL, self->now);
      ward_model_score_update (self->model_score, NULL);
      gtk_label_set_text (self->score_label, "—");
      gtk_label_set_text (self->band_label, "");
      gtk_label_set_text (self->status_label, "");
      gtk_label_set_text (self->flag_label,
                          self->snapshot != NULL ? _("This patient is not on the ward") : "");
      update_trend (self, NULL);
      return;
    }

  gtk_label_set_text (self->bed_label, bed->bed_label);
  gtk_label_set_text (self->name_label, bed->patient_name != NULL ? bed->patient_name : bed->patient_id);
  update_age (self, bed);

  if (bed->has_score)
    {
      g_autofree char *total = g_strdup_printf ("%d", bed->score_total);
      const char *status;

      /* Under 16 the score is kept for the record: no band and no color,
       * since it claims no risk.
       */
      gtk_label_set_text (self->score_label, total);
      gtk_label_set_text (self->band_label, bed->news2_not_applicable ? _("Not validated")
                                            : _ward_patient_view_get_band_word (bed->score_band));
      if (bed->score_final)
        status = bed->score_complete ? _("Final") : _("Final, partial");
      else
        status = bed->score_complete ? _("Preliminary") : _("Preliminary, partial");
      gtk_label_set_text (self->status_label, status);
      if (!bed->news2_not_applicable)
        gtk_widget_add_css_class (self->score_badge, ward_clinical_band_css_class (bed->score_band));
    }
  else
    {
      gtk_label_set_text (self->score_label, "—");
      gtk_label_set_text (self->band_label, _("No score"));
      gtk_label_set_text (self->status_label, "");
    }

  flag = _ward_flag_words_header (bed, self->now);
  update_obs_due (self, bed);
  ward_score_inputs_update (self->score_inputs, bed, self->now);
  ward_model_score_update (self->model_score, bed);
  if (bed->technical_alert)
    {
      g_autofree char *f = g_steal_pointer (&flag);
      /* Translators: a flag state followed by a technical alert */
      flag = g_strdup_printf (_("%s · Monitor silent"), f);
    }
  gtk_label_set_text (self->flag_label, flag);
  update_trend (self, bed);
}


static void
history_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WardPatientView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHistory) history = NULL;

  history = ward_history_load_finish (result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (history == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_clear_object (&self->load_cancellable);
      set_loading (self, FALSE);
      gtk_label_set_text (self->history_label, error->message);
      return;
    }

  /* A load for another patient finishing late: its cancellation lost the race. */
  if (g_strcmp0 (ward_history_get_patient_id (history), self->patient_id) != 0)
    return;

  g_debug ("History of %s over (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]: "
           "%u heart rates stored, %u scores, %u flags",
           ward_history_get_patient_id (history), ward_history_get_from (history),
           ward_history_get_to (history), ward_history_get_n_stored (history, WARD_MEAS_HR),
           ward_history_get_n_scores (history), ward_history_get_n_flags (history));

  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->history, ward_history_unref);
  self->history = g_steal_pointer (&history);

  /* Live points the store now holds are no longer needed. */
  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    {
      GArray *live = self->live[k];
      guint keep = 0;

      while (keep < live->len &&
             g_array_index (live, WardHistoryPoint, keep).t <= ward_history_get_to (self->history))
        keep++;
      g_array_remove_range (live, 0, keep);
    }

  gtk_label_set_text (self->history_label, "");
  update_charts (self);
  _ward_patient_view_update_windows_list (self);
  _ward_patient_view_update_flags_label (self);
  _ward_patient_view_update_scale_label (self);
  set_loading (self, FALSE);
}

void
_ward_patient_view_load_history (WardPatientView *self,
                                 gboolean         quiet)
{
  const char *db_path;
  gint64 now = self->now;

  if (self->pipeline == NULL || self->patient_id == NULL)
    return;

  db_path = ward_pipeline_get_db_path (self->pipeline);
  if (db_path == NULL)
    return;

  /* Before the first snapshot reaches the view: the pipeline's newest
   * one, whose data the store holds (its clock may have run on without
   * new data, after a stop).
   */
  if (now == 0)
    {
      g_autoptr(WardSnapshot) snapshot = ward_pipeline_get_snapshot (self->pipeline);

      now = self->now = snapshot != NULL ? ward_snapshot_get_now (snapshot)
                                         : ward_pipeline_get_now (self->pipeline);
    }

  if (self->load_cancellable != NULL)
    {
      /* A quiet refresh never cuts a load short. */
      if (quiet)
        return;
      g_cancellable_cancel (self->load_cancellable);
      g_clear_object (&self->load_cancellable);
    }

  self->load_cancellable = g_cancellable_new ();
  self->last_load_real = g_get_monotonic_time ();
  if (!quiet)
    {
      set_loading (self, TRUE);
      gtk_label_set_text (self->history_label, _("Loading history…"));
    }

  ward_history_load_async (db_path, self->patient_id, now - self->span, now, MAX_POINTS,
                           self->load_cancellable, history_loaded_cb, g_object_ref (self));
}

/* Starts again for a new patient or span: old data off the charts first. */
static void
reset_history (WardPatientView *self)
{
  g_clear_pointer (&self->history, ward_history_unref);
  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    g_array_set_size (self->live[k], 0);
  g_array_set_size (self->live_scores, 0);
  _ward_patient_view_clear_windows_list (self);
  g_clear_pointer (&self->windows_signature, g_free);
  _ward_patient_view_show_window_inputs (self, NULL);
  gtk_label_set_text (self->flags_label, "");
  self->selected_window_end = 0;

  for (guint c = 0; c < N_CHARTS; c++)
    {
      ward_chart_set_points (self->charts[c], 0, NULL, 0);
      ward_chart_set_points (self->charts[c], 1, NULL, 0);
      ward_chart_set_span_label (self->charts[c], get_span_label (self->span));
    }
  update_charts (self);
  _ward_patient_view_load_history (self, FALSE);
}

static void
append_live (GArray    *live,
             gint64     t,
             double     value,
             WardSource source)
{
  WardHistoryPoint point = { t, value, source };

  if (live->len > 0 && g_array_index (live, WardHistoryPoint, live->len - 1).t >= t)
    return;
  g_array_append_val (live, point);
}

static void
span_toggled_cb (WardPatientView *self,
                 GtkToggleButton *button)
{
  GtkToggleButton *buttons[] = { self->span_10m, self->span_1h, self->span_8h,
                                 self->span_24h, self->span_72h };

  if (!gtk_toggle_button_get_active (button))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      if (buttons[i] == button && self->span != spans[i])
        {
          self->span = spans[i];
          if (self->patient_id != NULL)
            reset_history (self);
          else
            for (guint c = 0; c < N_CHARTS; c++)
              ward_chart_set_span_label (self->charts[c], get_span_label (self->span));
        }
    }
}

static void
span_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  WardPatientView *self = WARD_PATIENT_VIEW (widget);
  GtkToggleButton *buttons[] = { self->span_10m, self->span_1h, self->span_8h,
                                 self->span_24h, self->span_72h };
  int index = g_variant_get_int32 (parameter);

  if (index >= 0 && index < (int) G_N_ELEMENTS (buttons))
    gtk_toggle_button_set_active (buttons[index], TRUE);
}

static void
window_selected_cb (WardPatientView *self,
                    GtkListBoxRow   *row)
{
  const WardHistoryScore *score;
  guint index;

  if (row == NULL || self->history == NULL)
    return;

  index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "index"));
  if (index >= ward_history_get_n_scores (self->history))
    return;

  score = ward_history_get_score (self->history, index);
  self->selected_window_end = score->window_end;
  _ward_patient_view_show_window_inputs (self, score);
}

static void
oxygen_changed_cb (WardPatientView *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->flow_row),
                            adw_combo_row_get_selected (self->oxygen_row) == 2);
}

static void
build_charts (WardPatientView *self)
{
  static const WardChartBandFunc band_funcs[N_CHARTS] = {
    [CHART_RR] = band_rr_cb,
    [CHART_SPO2] = band_spo2_cb,
    [CHART_BP] = band_sbp_cb,
    [CHART_HR] = band_hr_cb,
    [CHART_TEMP] = band_temp_cb,
    [CHART_SCORE] = band_score_cb,
  };

  for (guint c = 0; c < N_CHARTS; c++)
    {
      const ChartSpec *spec = &chart_specs[c];
      GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *title = gtk_label_new (_(spec->title));
      GtkWidget *value = gtk_label_new ("—");
      WardChart *chart = WARD_CHART (ward_chart_new ());
      g_autofree char *full_title = NULL;

      gtk_widget_add_css_class (title, "heading");
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_set_hexpand (value, TRUE);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_box_append (GTK_BOX (header), title);
      gtk_box_append (GTK_BOX (header), value);
      gtk_widget_set_margin_top (header, 8);
      gtk_box_append (self->charts_box, header);

      if (c == CHART_BP)
        /* Translators: the accessible name of the blood pressure chart */
        full_title = g_strdup (_("Blood pressure, systolic and diastolic"));
      else
        full_title = g_strdup (_(spec->title));

      ward_chart_set_title (chart, full_title);
      ward_chart_set_unit (chart, _(spec->spoken_unit));
      ward_chart_set_digits (chart, spec->digits);
      ward_chart_set_y_range (chart, spec->y_min, spec->y_max);
      ward_chart_set_band_func (chart, band_funcs[c], self, spec->resolution);
      ward_chart_set_stale_after (chart, spec->stale_after);
      ward_chart_set_span_label (chart, get_span_label (self->span));
      gtk_widget_set_size_request (GTK_WIDGET (chart), -1, c == CHART_SCORE ? 140 : 150);
      gtk_box_append (self->charts_box, GTK_WIDGET (chart));

      self->charts[c] = chart;
      self->chart_values[c] = GTK_LABEL (value);
    }
}

static void
ward_patient_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  WardPatientView *self = WARD_PATIENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_patient_view_dispose (GObject *object)
{
  WardPatientView *self = WARD_PATIENT_VIEW (object);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->update_charts_source, g_source_remove);

  /* AdwBin unparents its child, the template's toast overlay, itself:
   * gtk_widget_dispose_template() would unparent it a second time.
   */

  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  g_clear_pointer (&self->history, ward_history_unref);

  G_OBJECT_CLASS (ward_patient_view_parent_class)->dispose (object);
}

static void
ward_patient_view_finalize (GObject *object)
{
  WardPatientView *self = WARD_PATIENT_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->patient_id, g_free);
  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    g_clear_pointer (&self->live[k], g_array_unref);
  g_clear_pointer (&self->live_scores, g_array_unref);
  g_clear_pointer (&self->windows_signature, g_free);
  g_clear_error (&self->entry_error);

  G_OBJECT_CLASS (ward_patient_view_parent_class)->finalize (object);
}

static void
ward_patient_view_class_init (WardPatientViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ward_patient_view_get_property;
  object_class->dispose = ward_patient_view_dispose;
  object_class->finalize = ward_patient_view_finalize;

  /**
   * WardPatientView:loading:
   *
   * Whether the history of the patient and span shown is still loading.
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (WARD_TYPE_SCORE_INPUTS);
  g_type_ensure (WARD_TYPE_MODEL_SCORE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-patient-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, score_badge);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, bed_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, name_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, age_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, flag_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, trend_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, obs_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, score_inputs);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, model_score);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, score_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, band_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, status_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, acknowledge_button);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, span_10m);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, span_1h);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, span_8h);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, span_24h);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, span_72h);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, history_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, charts_box);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, acvpu_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, oxygen_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, flow_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, flow_spin);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, rr_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, spo2_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, sbp_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, hr_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, temp_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, entry_error_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, scale_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, decided_row);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, scale_label);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, windows_list);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, inputs_title);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, inputs_grid);
  gtk_widget_class_bind_template_child (widget_class, WardPatientView, flags_label);
  gtk_widget_class_bind_template_callback (widget_class, span_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, window_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, oxygen_changed_cb);

  _ward_patient_view_class_init_actions (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "patient.record", NULL);

  /* Alt+1 to Alt+5 choose the span, as the buttons from left to right. */
  gtk_widget_class_install_action (widget_class, "patient.span", "i", span_action_cb);
  for (int i = 0; i < (int) G_N_ELEMENTS (spans); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "patient.span", "i", i);
}

static void
ward_patient_view_init (WardPatientView *self)
{
  self->span = 60 * MIN_;
  self->spo2_scale = 1;
  self->cancellable = g_cancellable_new ();
  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    self->live[k] = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));
  self->live_scores = g_array_new (FALSE, FALSE, sizeof (WardHistoryPoint));

  gtk_widget_init_template (GTK_WIDGET (self));

  build_charts (self);
  _ward_patient_view_update_actions (self);
}

GtkWidget *
ward_patient_view_new (void)
{
  return g_object_new (WARD_TYPE_PATIENT_VIEW, NULL);
}

void
ward_patient_view_set_pipeline (WardPatientView *self,
                                WardPipeline    *pipeline)
{
  g_return_if_fail (WARD_IS_PATIENT_VIEW (self));
  g_return_if_fail (pipeline == NULL || WARD_IS_PIPELINE (pipeline));

  if (!g_set_object (&self->pipeline, pipeline))
    return;

  if (self->patient_id != NULL)
    reset_history (self);
  _ward_patient_view_update_actions (self);
}

void
ward_patient_view_set_user (WardPatientView *self,
                            const char      *user)
{
  g_return_if_fail (WARD_IS_PATIENT_VIEW (self));

  if (g_strcmp0 (self->user, user) == 0)
    return;

  g_free (self->user);
  self->user = g_strdup (user);

  /* Who decides the SpO2 scale is usually the user; it can be changed. */
  if (gtk_editable_get_text (GTK_EDITABLE (self->decided_row))[0] == '\0' && user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->decided_row), user);
  _ward_patient_view_update_actions (self);
}

void
ward_patient_view_set_patient (WardPatientView *self,
                               const char      *patient_id)
{
  g_return_if_fail (WARD_IS_PATIENT_VIEW (self));

  if (g_strcmp0 (self->patient_id, patient_id) == 0)
    return;

  g_free (self->patient_id);
  self->patient_id = g_strdup (patient_id);

  if (self->load_cancellable != NULL)
    {
      g_cancellable_cancel (self->load_cancellable);
      g_clear_object (&self->load_cancellable);
    }
  set_loading (self, FALSE);

  update_header (self);
  if (patient_id != NULL)
    reset_history (self);
  _ward_patient_view_update_actions (self);
}

const char *
ward_patient_view_get_patient (WardPatientView *self)
{
  g_return_val_if_fail (WARD_IS_PATIENT_VIEW (self), NULL);

  return self->patient_id;
}

/**
 * ward_patient_view_get_loading:
 *
 * Returns: whether the history of the patient and span is still loading
 */
gboolean
ward_patient_view_get_loading (WardPatientView *self)
{
  g_return_val_if_fail (WARD_IS_PATIENT_VIEW (self), FALSE);

  return self->loading;
}

void
ward_patient_view_apply_snapshot (WardPatientView *self,
                                  WardSnapshot    *snapshot)
{
  const WardBedState *bed;

  g_return_if_fail (WARD_IS_PATIENT_VIEW (self));
  g_return_if_fail (snapshot != NULL);

  if (self->snapshot != snapshot)
    {
      g_clear_pointer (&self->snapshot, ward_snapshot_unref);
      self->snapshot = ward_snapshot_ref (snapshot);
    }
  self->now = ward_snapshot_get_now (snapshot);

  update_header (self);
  _ward_patient_view_update_actions (self);

  bed = _ward_patient_view_find_bed (self);
  if (bed == NULL)
    return;

  if (bed->spo2_scale != self->spo2_scale ||
      (bed->latest[WARD_MEAS_ON_OXYGEN].valid &&
       (bed->latest[WARD_MEAS_ON_OXYGEN].value != 0) != self->on_oxygen))
    {
      self->spo2_scale = bed->spo2_scale;
      self->on_oxygen = bed->latest[WARD_MEAS_ON_OXYGEN].valid &&
                        bed->latest[WARD_MEAS_ON_OXYGEN].value != 0;
      ward_chart_bands_changed (self->charts[CHART_SPO2]);
      _ward_patient_view_update_scale_label (self);
      adw_combo_row_set_selected (self->scale_row, self->spo2_scale == 2 ? 1 : 0);
    }

  self->has_air_or_oxygen = bed->latest[WARD_MEAS_ON_OXYGEN].valid;
  self->o2_flow = bed->latest[WARD_MEAS_O2_FLOW].valid &&
                  bed->latest[WARD_MEAS_O2_FLOW].observed_at >= bed->latest[WARD_MEAS_ON_OXYGEN].observed_at
                  ? bed->latest[WARD_MEAS_O2_FLOW].value : 0;

  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    {
      const WardLatestValue *latest = &bed->latest[k];

      if (latest->valid)
        append_live (self->live[k], latest->observed_at, latest->value, latest->source);
    }

  if (bed->has_score)
    {
      gint64 t = MIN (bed->score_window_end, self->now);
      GArray *live = self->live_scores;
      WardSource source = bed->score_final ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE;

      /* The open window is re-scored as data arrives: one point per window. */
      if (live->len > 0 &&
          g_array_index (live, WardHistoryPoint, live->len - 1).t > bed->score_window_end - 5 * MIN_)
        g_array_set_size (live, live->len - 1);
      append_live (live, t, bed->score_total, source);
    }

  schedule_update_charts (self);

  /* History loaded for a "now" the snapshots have not reached (or have
   * long left): load the span again, as a new one.
   */
  if (self->history != NULL && self->load_cancellable == NULL &&
      (ward_history_get_to (self->history) > self->now ||
       ward_history_get_to (self->history) < self->now - self->span))
    {
      reset_history (self);
      return;
    }

  /* The first load waited for a "now"; a failed one is tried again, not
   * at every snapshot; a hidden view does not read the store.
   */
  if (g_get_monotonic_time () - self->last_load_real < get_refresh_interval (self->span))
    return;
  if (self->history == NULL && self->load_cancellable == NULL)
    _ward_patient_view_load_history (self, FALSE);
  else if (self->history != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    _ward_patient_view_load_history (self, TRUE);
}
