/* ward-model-scorer.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-model"

#include "config.h"

#include "ward-model-scorer.h"

#include "ward-features.h"
#include "ward-news2.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

/* What the scorer keeps of one patient between windows. */
typedef struct
{
  WardFeatureSeries *series;
  gint64             loaded_to;      /* measurements observed up to here are in series */
  gboolean           has_cached;
  int                cached_points[WARD_NEWS2_N_PARAMS];
  gint64             cached_at;      /* input->now of the prediction */
  WardScore          cached;
} PatientState;

struct _WardModelScorer
{
  GObject     parent_instance;

  WardModel  *model;
  char       *kind;
  char       *label;
  guint       n_features;
  int        *table_index;           /* card order -> features table index */
  char       *card_json;             /* the card part of detail_json */
  GHashTable *patients;              /* patient id -> PatientState */
  guint64     n_predictions;
  /* First windows (a day of history read) per batch: see
   * ward_model_scorer_set_first_windows_per_batch().
   */
  guint       first_windows_max;
  gint64      first_windows_now;     /* the batch's time they were counted for */
  guint       first_windows;
};

static void ward_model_scorer_iface_init (WardScorerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WardModelScorer, ward_model_scorer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WARD_TYPE_SCORER, ward_model_scorer_iface_init))

static void
patient_state_free (gpointer data)
{
  PatientState *state = data;

  ward_feature_series_free (state->series);
  ward_score_clear (&state->cached);
  g_free (state);
}

static const char *
ward_model_scorer_get_kind (WardScorer *scorer)
{
  return WARD_MODEL_SCORER (scorer)->kind;
}

static const char *
ward_model_scorer_get_label (WardScorer *scorer)
{
  return WARD_MODEL_SCORER (scorer)->label;
}

static const char *
ward_model_scorer_get_version (WardScorer *scorer)
{
  return ward_model_get_card (WARD_MODEL_SCORER (scorer)->model)->version;
}

/* The longest span any feature looks back over. */
static gint64
longest_span (void)
{
  WardFeatureConfig config;
  gint64 longest = 0;

  ward_feature_config_init (&config);
  for (guint s = 0; s < WARD_FEATURE_N_SPANS; s++)
    longest = MAX (longest, config.span_usec[s]);
  return longest;
}

/* Drops what no span reaches any more, once it is most of the series. */
static void
prune_series (WardFeatureSeries *series,
              gint64             before)
{
  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    {
      GArray *points = series->points[k];
      guint n = 0;

      /* The newest value of a kind is kept whatever its age: NEWS2's
       * nurse entries count for hours.
       */
      while (n + 1 < points->len && g_array_index (points, WardFeaturePoint, n).t < before)
        n++;
      if (n > 0 && n * 2 >= points->len)
        g_array_remove_range (points, 0, n);
    }
}

/* How far back each update reads again, for values that reach the store
 * after newer ones of their kind (a network's delay, a batch's order).
 */
#define LATE_MARGIN (2 * WARD_USEC_PER_MINUTE)

/* Reads what the store has of the patient observed up to @at (the first
 * time a day back, then from a little before the last read) into the
 * series.  A value older than the newest of its kind already held is
 * left out of the statistics (the window scoring still has it).
 */
static gboolean
update_series (PatientState           *state,
               const WardScorerInput  *input,
               gint64                  at,
               GError                **error)
{
  g_autoptr(GArray) points = ward_scorer_points_new ();
  gint64 from = state->loaded_to > 0 ? state->loaded_to - LATE_MARGIN : at - longest_span ();

  if (at < from)
    return TRUE;

  for (guint k = 0; k < WARD_MEAS_N_KINDS; k++)
    {
      GArray *series = state->series->points[k];
      gboolean any = series->len > 0;
      gint64 last = any ? g_array_index (series, WardFeaturePoint, series->len - 1).t : G_MININT64;

      g_array_set_size (points, 0);
      if (!ward_scorer_input_get_history (input, k, from, at, points, error))
        return FALSE;
      for (guint i = 0; i < points->len; i++)
        {
          const WardScorerPoint *p = &g_array_index (points, WardScorerPoint, i);

          /* The overlap is read again: what is held already is skipped. */
          if ((any && p->observed_at <= last) || !isfinite (p->value))
            continue;
          ward_feature_series_add (state->series, k, p->observed_at, p->value, p->source);
          last = p->observed_at;
          any = TRUE;
        }
    }

  state->loaded_to = MAX (state->loaded_to, at);
  prune_series (state->series, at - longest_span ());
  return TRUE;
}

static JsonNode *
outcome_node (const WardModelCard *card)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (card->outcome_code != NULL)
    {
      json_builder_set_member_name (builder, "coding");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      if (card->outcome_system != NULL)
        {
          json_builder_set_member_name (builder, "system");
          json_builder_add_string_value (builder, card->outcome_system);
        }
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, card->outcome_code);
      if (card->outcome_display != NULL)
        {
          json_builder_set_member_name (builder, "display");
          json_builder_add_string_value (builder, card->outcome_display);
        }
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, card->outcome_text);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
card_to_json (WardModel *model)
{
  const WardModelCard *card = ward_model_get_card (model);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

#define ADD_STRING(key, value)                                          \
  G_STMT_START {                                                        \
    json_builder_set_member_name (builder, key);                        \
    if ((value) != NULL)                                                \
      json_builder_add_string_value (builder, (value));                 \
    else                                                                \
      json_builder_add_null_value (builder);                            \
  } G_STMT_END

  json_builder_begin_object (builder);
  ADD_STRING ("name", card->name);
  ADD_STRING ("version", card->version);
  ADD_STRING ("sha256", card->sha256);
  ADD_STRING ("path", ward_model_get_path (model));
  ADD_STRING ("outcome", card->outcome_text);
  json_builder_set_member_name (builder, "horizon_minutes");
  json_builder_add_int_value (builder, card->horizon_minutes);
  ADD_STRING ("intended_use", card->intended_use);
  ADD_STRING ("training_data", card->training_data);
  json_builder_set_member_name (builder, "not_for_clinical_use");
  json_builder_add_boolean_value (builder, card->not_for_clinical_use);
  ADD_STRING ("notice", card->notice);
  json_builder_set_member_name (builder, "may_flag");
  json_builder_add_boolean_value (builder, card->may_flag);
  json_builder_set_member_name (builder, "flag_probability");
  if (card->may_flag && isfinite (card->flag_probability))
    json_builder_add_double_value (builder, card->flag_probability);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
#undef ADD_STRING

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static char *
detail_json (WardModelScorer *self,
             const double    *row,
             gint64           at)
{
  const WardModelCard *card = ward_model_get_card (self->model);
  g_autofree char *at_text = ward_time_format_iso8601 (at);
  GString *out = g_string_new ("{\"card\":");

  g_string_append (out, self->card_json);
  g_string_append_printf (out, ",\"features_at\":\"%s\"", at_text);
  g_string_append (out, ",\"features\":{");
  for (guint i = 0; i < self->n_features; i++)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (out, "%s\"%s\":", i > 0 ? "," : "", card->features[i]);
      if (isnan (row[i]))
        g_string_append (out, "null");
      else
        g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, row[i]));
    }
  g_string_append (out, "}}");

  return g_string_free (out, FALSE);
}

static gboolean
ward_model_scorer_score (WardScorer             *scorer,
                         const WardScorerInput  *input,
                         WardScore              *out,
                         GError                **error)
{
  WardModelScorer *self = WARD_MODEL_SCORER (scorer);
  const WardModelCard *card = ward_model_get_card (self->model);
  const WardWindowScore *window = input->window;
  double full_row[WARD_FEATURE_N_FEATURES];
  g_autofree double *row = NULL;
  g_autofree double *contributions = NULL;
  g_autofree WardModelContribution *top = NULL;
  PatientState *state;
  gboolean any = FALSE;
  double probability;
  guint n_top;
  gint64 at;

  if (window == NULL || input->patient_id == NULL)
    {
      g_set_error_literal (error, WARD_SCORER_ERROR, WARD_SCORER_ERROR_FAILED,
                           "A model needs the window's values");
      return FALSE;
    }
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    any |= window->result.points[i] >= 0;
  if (!any)
    return TRUE;

  state = g_hash_table_lookup (self->patients, input->patient_id);
  if (state == NULL)
    {
      state = g_new0 (PatientState, 1);
      state->series = ward_feature_series_new ();
      g_hash_table_insert (self->patients, g_strdup (input->patient_id), state);
    }

  /* The same window again (a re-score within the step): the prediction
   * made for it stands, unless NEWS2's points changed, and then at most
   * once a minute (a monitor's noise can flip a point at every batch).
   */
  if (state->has_cached && state->cached.window_end == input->window_end &&
      (memcmp (state->cached_points, window->result.points, sizeof state->cached_points) == 0 ||
       input->now - state->cached_at < WARD_MODEL_SCORER_MIN_INTERVAL))
    {
      ward_score_copy (&state->cached, out);
      out->final = input->final;
      return TRUE;
    }

  /* A patient's first window reads a day of history (about 0.16 s): at
   * a start with a full ward, all of them at once would hold the
   * pipeline for seconds.  A batch (one time "now") takes at most
   * first_windows_max of them; the others score nothing this time and
   * get their first window at a later batch, as their data comes in.
   */
  if (state->loaded_to == 0 && self->first_windows_max > 0)
    {
      if (input->now != self->first_windows_now)
        {
          self->first_windows_now = input->now;
          self->first_windows = 0;
        }
      if (self->first_windows >= self->first_windows_max)
        return TRUE;
      self->first_windows++;
    }

  /* The window is the open one: it ends at the next step, after now.
   * Its features are those at now (values observed up to now), as the
   * training table's are at a time with the values up to it.
   */
  at = MIN (input->window_end, input->now);
  if (!update_series (state, input, at, error))
    return FALSE;

  state->series->spo2_scale = input->spo2_scale == 2 ? 2 : 1;
  if (g_strcmp0 (state->series->birth_date, input->birth_date) != 0)
    {
      g_free (state->series->birth_date);
      state->series->birth_date = g_strdup (input->birth_date);
    }

  ward_features_compute (state->series, at, NULL, full_row);

  /* NEWS2's features are the window's own score: what the ward saw. */
  for (guint i = 0; i < WARD_FEATURE_N_FEATURES; i++)
    {
      const WardFeatureDef *def = ward_features_get (i);

      if (def->stat == WARD_FEATURE_STAT_NEWS2_TOTAL)
        full_row[i] = window->result.total;
      else if (def->stat == WARD_FEATURE_STAT_NEWS2_POINTS)
        full_row[i] = window->result.points[def->param] >= 0 ? window->result.points[def->param]
                                                             : NAN;
      else if (def->stat == WARD_FEATURE_STAT_ON_OXYGEN)
        full_row[i] = input->has_on_oxygen ? (input->on_oxygen ? 1 : 0) : NAN;
    }

  row = g_new (double, self->n_features);
  for (guint i = 0; i < self->n_features; i++)
    row[i] = full_row[self->table_index[i]];

  contributions = g_new (double, self->n_features + 1);
  if (!ward_model_predict (self->model, row, &probability, contributions, error))
    return FALSE;
  self->n_predictions++;

  ward_score_init (out);
  out->kind = g_strdup (self->kind);
  out->label = g_strdup (self->label);
  out->version = g_strdup (card->version);
  out->window_start = input->window_start;
  out->window_end = input->window_end;
  out->value = probability;
  out->has_probability = TRUE;
  out->probability = probability;
  out->complete = window->result.complete;
  out->final = input->final;
  /* A model trained on adults claims nothing where NEWS2 does not apply. */
  out->not_applicable = !ward_news2_applies_to_age (input->age);
  out->outcome = outcome_node (card);
  out->detail_json = detail_json (self, row, at);

  top = g_new0 (WardModelContribution, WARD_MODEL_SCORER_N_TOP);
  n_top = ward_model_top_contributions (self->model, row, contributions,
                                        WARD_MODEL_SCORER_N_TOP, top);
  for (guint i = 0; i < n_top; i++)
    ward_score_add_contribution (out, top[i].feature, !isnan (top[i].value),
                                 isnan (top[i].value) ? 0 : top[i].value, top[i].contribution);

  ward_score_clear (&state->cached);
  ward_score_copy (out, &state->cached);
  memcpy (state->cached_points, window->result.points, sizeof state->cached_points);
  state->cached_at = input->now;
  state->has_cached = TRUE;

  return TRUE;
}

static void
ward_model_scorer_iface_init (WardScorerInterface *iface)
{
  iface->get_kind = ward_model_scorer_get_kind;
  iface->get_label = ward_model_scorer_get_label;
  iface->get_version = ward_model_scorer_get_version;
  iface->score = ward_model_scorer_score;
}

static void
ward_model_scorer_finalize (GObject *object)
{
  WardModelScorer *self = WARD_MODEL_SCORER (object);

  g_clear_pointer (&self->model, ward_model_unref);
  g_clear_pointer (&self->kind, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->table_index, g_free);
  g_clear_pointer (&self->card_json, g_free);
  g_clear_pointer (&self->patients, g_hash_table_unref);

  G_OBJECT_CLASS (ward_model_scorer_parent_class)->finalize (object);
}

static void
ward_model_scorer_class_init (WardModelScorerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ward_model_scorer_finalize;
}

static void
ward_model_scorer_init (WardModelScorer *self)
{
  self->patients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, patient_state_free);
  self->first_windows_max = WARD_MODEL_SCORER_FIRST_WINDOWS_PER_BATCH;
}

void
ward_model_scorer_set_first_windows_per_batch (WardModelScorer *self,
                                               guint            n)
{
  g_return_if_fail (WARD_IS_MODEL_SCORER (self));

  self->first_windows_max = n;
}

/* A model whose features the table lacks is a programming error here:
 * callers check with ward_model_scorer_check_features() first.
 */
WardScorer *
ward_model_scorer_new (WardModel *model)
{
  const WardModelCard *card;
  WardModelScorer *self;

  g_return_val_if_fail (model != NULL, NULL);

  card = ward_model_get_card (model);
  for (guint i = 0; i < card->n_features; i++)
    g_return_val_if_fail (ward_features_lookup (card->features[i]) >= 0, NULL);

  self = g_object_new (WARD_TYPE_MODEL_SCORER, NULL);
  self->model = ward_model_ref (model);
  self->kind = g_strconcat (WARD_MODEL_SCORER_KIND_PREFIX, card->name, NULL);
  self->label = g_strdup (card->name);
  self->n_features = card->n_features;
  self->table_index = g_new (int, card->n_features);
  for (guint i = 0; i < card->n_features; i++)
    self->table_index[i] = ward_features_lookup (card->features[i]);
  self->card_json = card_to_json (model);

  return WARD_SCORER (self);
}

gboolean
ward_model_scorer_check_features (WardModel  *model,
                                  GError    **error)
{
  const WardModelCard *card;

  g_return_val_if_fail (model != NULL, FALSE);

  card = ward_model_get_card (model);
  for (guint i = 0; i < card->n_features; i++)
    if (ward_features_lookup (card->features[i]) < 0)
      {
        g_set_error (error, WARD_MODEL_ERROR, WARD_MODEL_ERROR_FEATURES,
                     "%s: feature %s is not one Wardwatch computes (wardwatch-cli features --list)",
                     card->name, card->features[i]);
        return FALSE;
      }

  return TRUE;
}

WardModel *
ward_model_scorer_get_model (WardModelScorer *self)
{
  g_return_val_if_fail (WARD_IS_MODEL_SCORER (self), NULL);

  return self->model;
}

guint64
ward_model_scorer_get_n_predictions (WardModelScorer *self)
{
  g_return_val_if_fail (WARD_IS_MODEL_SCORER (self), 0);

  return self->n_predictions;
}

void
ward_model_scorer_forget_patient (WardModelScorer *self,
                                  const char      *patient_id)
{
  g_return_if_fail (WARD_IS_MODEL_SCORER (self));

  g_hash_table_remove (self->patients, patient_id);
}

static const char *
parameter_label (const char *parameter)
{
  if (g_str_equal (parameter, "rr"))
    return C_("vital sign, short", "RR");
  if (g_str_equal (parameter, "spo2"))
    return C_("vital sign, short", "SpO2");
  if (g_str_equal (parameter, "sbp"))
    return C_("vital sign, short", "Systolic BP");
  if (g_str_equal (parameter, "hr"))
    return C_("vital sign, short", "Pulse");
  if (g_str_equal (parameter, "temp"))
    return C_("vital sign, short", "Temp");
  return parameter;
}

static const char *
stat_label (WardFeatureStat stat)
{
  switch (stat)
    {
    case WARD_FEATURE_STAT_LATEST:
      return C_("feature statistic", "latest");
    case WARD_FEATURE_STAT_SINCE_LAST:
      return C_("feature statistic", "minutes since last");
    case WARD_FEATURE_STAT_MEAN:
      return C_("feature statistic", "mean");
    case WARD_FEATURE_STAT_MIN:
      return C_("feature statistic", "min");
    case WARD_FEATURE_STAT_MAX:
      return C_("feature statistic", "max");
    case WARD_FEATURE_STAT_SD:
      return C_("feature statistic", "variability");
    case WARD_FEATURE_STAT_SLOPE:
      return C_("feature statistic", "slope");
    default:
      return "";
    }
}

static const char *
span_label (int span)
{
  switch (span)
    {
    case WARD_FEATURE_SPAN_30M:
      return C_("feature span", "30 min");
    case WARD_FEATURE_SPAN_4H:
      return C_("feature span", "4 h");
    case WARD_FEATURE_SPAN_24H:
      return C_("feature span", "24 h");
    default:
      return "";
    }
}

static const char *
news2_parameter_label (int param)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
      return C_("vital sign, short", "RR");
    case WARD_NEWS2_SPO2:
      return C_("vital sign, short", "SpO2");
    case WARD_NEWS2_AIR_OR_OXYGEN:
      return C_("vital sign, short", "Air or oxygen");
    case WARD_NEWS2_SBP:
      return C_("vital sign, short", "Systolic BP");
    case WARD_NEWS2_HR:
      return C_("vital sign, short", "Pulse");
    case WARD_NEWS2_CONSCIOUSNESS:
      return C_("vital sign, short", "Consciousness");
    case WARD_NEWS2_TEMP:
      return C_("vital sign, short", "Temp");
    default:
      return "";
    }
}

char *
ward_model_feature_label (const char *feature)
{
  const WardFeatureDef *def;
  int index;

  g_return_val_if_fail (feature != NULL, NULL);

  index = ward_features_lookup (feature);
  if (index < 0)
    return g_strdup (feature);
  def = ward_features_get (index);

  switch (def->stat)
    {
    case WARD_FEATURE_STAT_NEWS2_TOTAL:
      return g_strdup (_("NEWS2 total"));
    case WARD_FEATURE_STAT_NEWS2_POINTS:
      /* TRANSLATORS: %s is a vital sign: "NEWS2 points for RR" */
      return g_strdup_printf (_("NEWS2 points for %s"), news2_parameter_label (def->param));
    case WARD_FEATURE_STAT_AGE:
      /* A context of its own: "Age" elsewhere is how long a value has been there. */
      return g_strdup (C_("model feature", "Age"));
    case WARD_FEATURE_STAT_SPO2_SCALE:
      return g_strdup (_("SpO2 scale"));
    case WARD_FEATURE_STAT_ON_OXYGEN:
      return g_strdup (_("On oxygen"));
    case WARD_FEATURE_STAT_LATEST:
    case WARD_FEATURE_STAT_SINCE_LAST:
      /* TRANSLATORS: a model feature: vital sign, statistic ("RR latest") */
      return g_strdup_printf (C_("feature label", "%1$s %2$s"),
                              parameter_label (def->parameter), stat_label (def->stat));
    default:
      /* TRANSLATORS: a model feature: vital sign, statistic, span ("RR slope 4 h") */
      return g_strdup_printf (C_("feature label", "%1$s %2$s %3$s"),
                              parameter_label (def->parameter), stat_label (def->stat),
                              span_label (def->span));
    }
}
