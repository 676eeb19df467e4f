/* ward-patient-view-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-chart.h"
#include "ward-history.h"
#include "ward-model-score.h"
#include "ward-news2.h"
#include "ward-patient-view.h"
#include "ward-score-inputs.h"

G_BEGIN_DECLS

typedef enum
{
  CHART_RR,
  CHART_SPO2,
  CHART_BP,
  CHART_HR,
  CHART_TEMP,
  CHART_SCORE,
  N_CHARTS
} ChartId;

/* The view's state, shared by ward-patient-view*.c. */
struct _WardPatientView
{
  AdwBin            parent_instance;

  /* Template widgets */
  AdwToastOverlay  *toast_overlay;
  GtkWidget        *score_badge;
  GtkLabel         *bed_label;
  GtkLabel         *name_label;
  GtkLabel         *age_label;
  GtkLabel         *flag_label;
  GtkLabel         *trend_label;
  GtkLabel         *obs_label;
  WardScoreInputs  *score_inputs;
  WardModelScore   *model_score;
  GtkLabel         *score_label;
  GtkLabel         *band_label;
  GtkLabel         *status_label;
  GtkButton        *confirm_button;
  GtkButton        *acknowledge_button;
  GtkToggleButton  *span_10m;
  GtkToggleButton  *span_1h;
  GtkToggleButton  *span_8h;
  GtkToggleButton  *span_24h;
  GtkToggleButton  *span_72h;
  GtkSpinner       *loading_spinner;
  GtkLabel         *history_label;
  GtkBox           *charts_box;
  AdwComboRow      *acvpu_row;
  AdwComboRow      *oxygen_row;
  AdwActionRow     *flow_row;
  GtkSpinButton    *flow_spin;
  AdwEntryRow      *rr_row;
  AdwEntryRow      *spo2_row;
  AdwEntryRow      *sbp_row;
  AdwEntryRow      *hr_row;
  AdwEntryRow      *temp_row;
  GtkLabel         *entry_error_label;
  AdwComboRow      *scale_row;
  AdwEntryRow      *decided_row;
  GtkLabel         *scale_label;
  GtkListBox       *windows_list;
  GtkLabel         *inputs_title;
  GtkGrid          *inputs_grid;
  GtkLabel         *flags_label;

  /* Owned */
  WardPipeline     *pipeline;
  char             *user;
  char             *patient_id;
  WardSnapshot     *snapshot;
  WardHistory      *history;
  GCancellable     *load_cancellable;   /* the load under way, or NULL */
  GCancellable     *cancellable;        /* commands; cancelled on dispose */
  GArray           *live[WARD_MEAS_N_KINDS];   /* of WardHistoryPoint, newer than history */
  GArray           *live_scores;        /* of WardHistoryPoint */
  WardChart        *charts[N_CHARTS];
  GtkLabel         *chart_values[N_CHARTS];

  gint64            span;
  gint64            now;
  gint64            last_load_real;     /* monotonic, when the last load started */
  gint64            last_charts_update; /* monotonic */
  guint             update_charts_source;
  gint64            selected_window_end;
  char             *windows_signature;  /* what the list of windows shows */
  guint             n_pending_entries;
  GError           *entry_error;        /* the first failure of a batch of entries */
  int               spo2_scale;
  gboolean          on_oxygen;
  gboolean          has_air_or_oxygen;
  double            o2_flow;            /* L/min, 0 when not known */
  gboolean          loading;            /* the first load of this patient and span */
  gboolean          found;              /* the patient is in the last snapshot */
};

/* ward-patient-view.c */
const WardBedState *_ward_patient_view_find_bed       (WardPatientView *self);
void        _ward_patient_view_load_history           (WardPatientView *self,
                                                       gboolean         quiet);
void        _ward_patient_view_show_toast             (WardPatientView *self,
                                                       const char      *text);
void        _ward_patient_view_update_actions         (WardPatientView *self);
char       *_ward_patient_view_format_time            (gint64          usec);
char       *_ward_patient_view_format_age             (gint64          usec);
char       *_ward_patient_view_format_value           (WardNews2Param  param,
                                                       double          value);
const char *_ward_patient_view_get_band_word          (WardBand        band);
const char *_ward_patient_view_get_param_title        (WardNews2Param  param);

/* ward-patient-view-scores.c */
void        _ward_patient_view_clear_windows_list     (WardPatientView *self);
void        _ward_patient_view_show_window_inputs     (WardPatientView        *self,
                                                       const WardHistoryScore *score);
void        _ward_patient_view_update_windows_list    (WardPatientView *self);
void        _ward_patient_view_update_flags_label     (WardPatientView *self);
void        _ward_patient_view_update_scale_label     (WardPatientView *self);

/* ward-patient-view-actions.c */
void        _ward_patient_view_class_init_actions     (GtkWidgetClass  *widget_class);

G_END_DECLS
