/* ward-bed-tile.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-bed-tile"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-bed-tile.h"
#include "ward-bed-tile-wall.h"
#include "ward-bed-tile-private.h"
#include "ward-model-words.h"
#include "ward-clinical.h"
#include "ward-flag-words.h"
#include "ward-patient-words.h"
#include "ward-trend-words.h"

#include <string.h>

typedef enum
{
  VITAL_HR,
  VITAL_RR,
  VITAL_SPO2,
  VITAL_TEMP,
  VITAL_BP,
  N_VITALS
} Vital;

/* A vital's tooltip says where the value came from and whether it is
 * stale; 0 until it is set.
 */
typedef enum
{
  VITAL_TOOLTIP_UNSET,
  VITAL_TOOLTIP_NONE,
  VITAL_TOOLTIP_DEVICE,
  VITAL_TOOLTIP_DEVICE_STALE,
  VITAL_TOOLTIP_NURSE,
  VITAL_TOOLTIP_NURSE_STALE
} VitalTooltip;

/* What the accessible name is made of. */
typedef struct
{
  gboolean  valid;
  gboolean  has_score;
  int       score_total;
  WardBand  score_band;
  gboolean  flag_open;        /* open or recovering */
  gboolean  recovering;
  gboolean  acknowledged;
  gboolean  technical_alert;
  gboolean  news2_not_applicable;
} SummaryKey;

struct _WardBedTile
{
  GtkWidget   parent_instance;

  /* Template widgets */
  GtkLabel   *bed_label;
  GtkToggleButton *mine_button;
  GtkLabel   *patient_label;
  GtkLabel   *status_label;
  GtkWidget  *score_badge;
  GtkLabel   *score_label;
  GtkImage   *trend_image;
  GtkLabel   *band_label;
  GtkLabel   *hr_label;
  GtkLabel   *rr_label;
  GtkLabel   *spo2_label;
  GtkLabel   *temp_label;
  GtkLabel   *bp_label;
  GtkLabel   *hr_age_label;
  GtkLabel   *rr_age_label;
  GtkLabel   *spo2_age_label;
  GtkLabel   *temp_age_label;
  GtkLabel   *bp_age_label;
  GtkLabel   *points_label;
  GtkLabel   *model_label;
  GtkLabel   *obs_label;
  GtkWidget  *flag_box;
  GtkLabel   *flag_label;
  GtkLabel   *ack_label;
  GtkWidget  *ack_button;
  GtkWidget  *silent_box;
  GtkLabel   *silent_label;

  /* Borrowed, while realized */
  GdkFrameClock *frame_clock;
  gulong      layout_handler;

  /* Owned */
  char       *bed_id;
  char       *patient_id;
  char       *summary;
  char       *description;
  /* The identifiers the identity text was made from, and the text */
  char       *hospital_number;
  char       *nhs_number;
  char       *birth_date;
  int         identity_age;
  char       *identity;

  /* Borrowed: one of the static band class names */
  const char *band_class;

  /* What the tile shows, kept to skip the work of what did not change:
   * a snapshot comes up to once a frame and mostly changes an age or two.
   */
  guint8      vital_tooltips[N_VITALS];   /* VitalTooltip */
  gint64      window_start;
  gint64      window_end;
  int         points[WARD_NEWS2_N_PARAMS];
  int         points_spo2_scale;
  gint64      flag_target;
  gint64      silent_since;
  gint64      obs_due_at;
  gboolean    obs_continuous;
  SummaryKey  summary_key;

  WardTileWall wall_parts;     /* the wall arrangement (ward-bed-tile-wall.c) */

  guint       mine : 1;
  guint       compact : 1;
  guint       wall : 1;
  guint       description_dirty : 1;
  guint       points_valid : 1;
  guint       repaint_mark : 1;
  guint       culled : 1;
  guint       stale_count;
};

G_DEFINE_FINAL_TYPE (WardBedTile, ward_bed_tile, GTK_TYPE_WIDGET)

#define NO_VALUE "—"

#define OUT_OF_SIGHT_MARGIN 120.0f

static const char *
get_band_title (WardBand band)
{
  return ward_clinical_band_title (band);
}

/* The same band inside a sentence, where most languages want lower case. */
static const char *
get_band_phrase (WardBand band)
{
  return ward_clinical_band_phrase (band);
}

static const char *
get_band_class (WardBand band)
{
  return ward_clinical_band_css_class (band);
}

static const char *
get_param_abbreviation (WardNews2Param param)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
      return _("RR");
    case WARD_NEWS2_SPO2:
      return _("SpO₂");
    case WARD_NEWS2_AIR_OR_OXYGEN:
      /* Translators: air or supplemental oxygen, a NEWS2 parameter, abbreviated */
      return _("O₂");
    case WARD_NEWS2_SBP:
      /* Translators: systolic blood pressure, abbreviated */
      return _("SBP");
    case WARD_NEWS2_HR:
      return _("HR");
    case WARD_NEWS2_CONSCIOUSNESS:
      /* Translators: the consciousness scale (Alert, new Confusion, Voice, Pain, Unresponsive) */
      return _("ACVPU");
    case WARD_NEWS2_TEMP:
      return _("Temp");
    case WARD_NEWS2_N_PARAMS:
    default:
      g_assert_not_reached ();
    }
}

static char *
format_clock (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup (NO_VALUE);

  return g_date_time_format (dt, "%H:%M");
}

/**
 * _ward_format_age:
 * @age_usec: an age
 *
 * An age for a tile or an alarm: "12 s", "4 min", "2 h 05 min".
 */
char *
_ward_format_age (gint64 age_usec)
{
  guint seconds = MAX (age_usec, 0) / G_USEC_PER_SEC;

  if (seconds < 60)
    /* Translators: an age in seconds */
    return g_strdup_printf (_("%u s"), seconds);
  if (seconds < 3600)
    /* Translators: an age in minutes */
    return g_strdup_printf (_("%u min"), seconds / 60);

  /* Translators: an age in hours and minutes */
  return g_strdup_printf (_("%u h %02u min"), seconds / 3600, (seconds % 3600) / 60);
}

static void
set_band_class (WardBedTile *self,
                const char  *band_class)
{
  if (self->band_class == band_class)
    return;

  if (self->band_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self), self->band_class);
  self->band_class = band_class;
  gtk_widget_add_css_class (GTK_WIDGET (self), band_class);
}

/* Tooltips are set only when they change: each change notifies and
 * queries the tooltip again, 64 tiles a frame.
 */
static gboolean
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  const char *old = gtk_widget_get_tooltip_text (widget);

  if (g_strcmp0 (old, text) == 0)
    return FALSE;

  gtk_widget_set_tooltip_text (widget, text);
  return TRUE;
}

/* gtk_label_set_text() with the text the label has changes nothing, but
 * still freezes and thaws the label's notifications; most texts of a
 * snapshot are the ones of the snapshot before.  Returns whether the
 * text changed.
 */
static gboolean
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) == 0)
    return FALSE;

  gtk_label_set_text (label, text);
  return TRUE;
}

static void
set_class (GtkWidget  *widget,
           const char *name,
           gboolean    set)
{
  if (gtk_widget_has_css_class (widget, name) == !!set)
    return;

  if (set)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

static void
set_status_class (GtkWidget  *widget,
                  const char *status_class)
{
  static const char * const status_classes[] = { "error", "warning" };

  for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
    set_class (widget, status_classes[i], g_strcmp0 (status_classes[i], status_class) == 0);
}

/* The tooltip says what does not change every second, so it is made
 * only when the value's source or staleness changes.
 */
static void
set_vital_tooltip (WardBedTile  *self,
                   Vital         vital,
                   GtkLabel     *label,
                   VitalTooltip  tooltip)
{
  g_autofree char *text = NULL;
  const char *source;

  if (self->vital_tooltips[vital] == tooltip)
    return;

  self->vital_tooltips[vital] = tooltip;
  if (tooltip == VITAL_TOOLTIP_NONE)
    {
      set_tooltip (GTK_WIDGET (label), _("No measurement"));
      return;
    }

  if (tooltip == VITAL_TOOLTIP_NURSE || tooltip == VITAL_TOOLTIP_NURSE_STALE)
    source = _("Entered by a nurse");
  else
    source = _("From the device");

  if (tooltip == VITAL_TOOLTIP_NURSE_STALE || tooltip == VITAL_TOOLTIP_DEVICE_STALE)
    /* Translators: %s is where a value came from, "From the device" */
    text = g_strdup_printf (_("%s, stale: too old to describe the patient now"), source);
  else
    text = g_strdup (source);

  set_tooltip (GTK_WIDGET (label), text);
}

/* Shows one vital sign with its source and age.  A value is stale when
 * it is too old to describe the patient now: continuous monitor values
 * (HR, RR, SpO₂) after WARD_BED_TILE_STALE_CONTINUOUS_USEC, any value
 * outside the window the current score was computed on (and, without a
 * score, after WARD_BED_TILE_STALE_USEC).  A stale value is dimmed and its
 * age says "stale", so that colour is not the only cue.
 */
static gboolean
set_vital (WardBedTile           *self,
           Vital                  vital,
           GtkLabel              *label,
           GtkLabel              *age_label,
           const char            *text,
           const WardLatestValue *value,
           gboolean               continuous,
           const WardBedState    *bed,
           WardNews2Param         param,
           gint64                 now)
{
  const WardLatestValue *used = &bed->score_inputs[param];
  g_autofree char *age = NULL;
  gboolean stale;

  g_assert (GTK_IS_LABEL (label));
  g_assert (GTK_IS_LABEL (age_label));

  if (!value->valid)
    {
      set_text (label, NO_VALUE);
      set_text (age_label, "");
      set_vital_tooltip (self, vital, label, VITAL_TOOLTIP_NONE);
      set_class (GTK_WIDGET (label), "stale", FALSE);
      set_class (GTK_WIDGET (age_label), "stale", FALSE);
      return FALSE;
    }

  /* A value the current score counts, or a newer one, is not stale
   * however old: each parameter has its own validity (an hourly
   * temperature counts for hours).  Otherwise (and with older data, which
   * does not say what the score used) the score's window decides.
   */
  if (bed->has_score && used->valid && value->observed_at >= used->observed_at)
    stale = FALSE;
  else if (bed->has_score)
    stale = value->observed_at <= bed->score_window_start;
  else
    stale = now - value->observed_at > WARD_BED_TILE_STALE_USEC;
  /* A monitor sends HR, RR and SpO₂ every few seconds: one that has
   * not for minutes is stale.  A nurse's count is not a stream.
   */
  if (continuous && value->source == WARD_SOURCE_DEVICE &&
      now - value->observed_at > WARD_BED_TILE_STALE_CONTINUOUS_USEC)
    stale = TRUE;

  age = _ward_format_age (now - value->observed_at);

  /* The age has a label of its own; the tooltip says what does not
   * change every second.
   */
  set_text (label, text);
  if (stale)
    {
      /* Translators: the age of a value too old to count, "4 min, stale" */
      g_autofree char *age_text = g_strdup_printf (_("%s, stale"), age);

      set_text (age_label, age_text);
    }
  else
    {
      set_text (age_label, age);
    }

  if (value->source == WARD_SOURCE_NURSE)
    set_vital_tooltip (self, vital, label,
                       stale ? VITAL_TOOLTIP_NURSE_STALE : VITAL_TOOLTIP_NURSE);
  else
    set_vital_tooltip (self, vital, label,
                       stale ? VITAL_TOOLTIP_DEVICE_STALE : VITAL_TOOLTIP_DEVICE);
  set_class (GTK_WIDGET (label), "stale", stale);
  set_class (GTK_WIDGET (age_label), "stale", stale);

  return stale;
}

/* The value a tile shows: the newest, unless the score counts a nurse's
 * value over a newer one from the monitor (a counted respiratory rate is
 * the reference): then the nurse's, so that the tile shows what the
 * points beside it come from.  The patient view shows both.
 */
static const WardLatestValue *
get_shown_value (const WardBedState *bed,
                 WardMeasKind        kind,
                 WardNews2Param      param)
{
  const WardLatestValue *used = &bed->score_inputs[param];
  const WardLatestValue *nurse = &bed->nurse_latest[kind];

  if (bed->has_score && used->valid && used->source == WARD_SOURCE_NURSE &&
      nurse->valid && nurse->observed_at == used->observed_at)
    return nurse;

  return &bed->latest[kind];
}

static void
update_vitals (WardBedTile        *self,
               const WardBedState *bed,
               gint64              now)
{
  const WardLatestValue *hr = get_shown_value (bed, WARD_MEAS_HR, WARD_NEWS2_HR);
  const WardLatestValue *rr = get_shown_value (bed, WARD_MEAS_RR, WARD_NEWS2_RR);
  const WardLatestValue *spo2 = get_shown_value (bed, WARD_MEAS_SPO2, WARD_NEWS2_SPO2);
  const WardLatestValue *sbp = get_shown_value (bed, WARD_MEAS_SBP, WARD_NEWS2_SBP);
  const WardLatestValue *dbp = &bed->latest[WARD_MEAS_DBP];
  const WardLatestValue *temp = get_shown_value (bed, WARD_MEAS_TEMP, WARD_NEWS2_TEMP);
  char hr_text[32];
  char rr_text[32];
  char spo2_text[64];
  char temp_text[32];
  char bp_text[48];
  guint stale_count = 0;

  /* Wall tiles have no room for units: their names say them (and the
   * tooltips), as on a central station's screen.
   */
  g_snprintf (hr_text, sizeof hr_text, self->wall ? "%.0f" : _("%.0f /min"), hr->value);
  g_snprintf (rr_text, sizeof rr_text, self->wall ? "%.0f" : _("%.0f /min"), rr->value);
  /* Scale 2 scores SpO₂ against a target of 88-92 %: a value that would
   * alarm on Scale 1 is no alarm here, so the scale is said beside it,
   * on every tile size (compact tiles say it short).
   */
  if (bed->spo2_scale == 2 && self->wall)
    /* Translators: an SpO₂ value on NEWS2 SpO₂ Scale 2 on a wall tile, without its unit, "88 · S2" */
    g_snprintf (spo2_text, sizeof spo2_text, _("%.0f · S2"), spo2->value);
  else if (bed->spo2_scale == 2 && self->compact)
    /* Translators: an SpO₂ value on NEWS2 SpO₂ Scale 2, short for compact tiles, "88 % · S2" */
    g_snprintf (spo2_text, sizeof spo2_text, _("%.0f %% · S2"), spo2->value);
  else if (bed->spo2_scale == 2)
    /* Translators: an SpO₂ value on NEWS2 SpO₂ Scale 2, "88 % · Scale 2" */
    g_snprintf (spo2_text, sizeof spo2_text, _("%.0f %% · Scale 2"), spo2->value);
  else
    g_snprintf (spo2_text, sizeof spo2_text, self->wall ? "%.0f" : "%.0f %%", spo2->value);
  g_snprintf (temp_text, sizeof temp_text, self->wall ? "%.1f" : "%.1f °C", temp->value);
  if (dbp->valid && self->wall)
    g_snprintf (bp_text, sizeof bp_text, "%.0f/%.0f", sbp->value, dbp->value);
  else if (self->wall)
    g_snprintf (bp_text, sizeof bp_text, "%.0f/" NO_VALUE, sbp->value);
  else if (dbp->valid)
    g_snprintf (bp_text, sizeof bp_text, "%.0f/%.0f mmHg", sbp->value, dbp->value);
  else
    g_snprintf (bp_text, sizeof bp_text, "%.0f/" NO_VALUE " mmHg", sbp->value);

  stale_count += set_vital (self, VITAL_HR, self->hr_label, self->hr_age_label, hr_text, hr,
                            TRUE, bed, WARD_NEWS2_HR, now);
  stale_count += set_vital (self, VITAL_RR, self->rr_label, self->rr_age_label, rr_text, rr,
                            TRUE, bed, WARD_NEWS2_RR, now);
  stale_count += set_vital (self, VITAL_SPO2, self->spo2_label, self->spo2_age_label, spo2_text,
                            spo2, TRUE, bed, WARD_NEWS2_SPO2, now);
  stale_count += set_vital (self, VITAL_TEMP, self->temp_label, self->temp_age_label, temp_text,
                            temp, FALSE, bed, WARD_NEWS2_TEMP, now);
  /* NEWS2 scores the systolic pressure only, so its age is the one shown. */
  stale_count += set_vital (self, VITAL_BP, self->bp_label, self->bp_age_label, bp_text, sbp,
                            FALSE, bed, WARD_NEWS2_SBP, now);

  if (self->stale_count != stale_count)
    {
      self->stale_count = stale_count;
      self->description_dirty = TRUE;
    }
}

static void
update_patient (WardBedTile        *self,
                const WardBedState *bed,
                gboolean            show_patient_name)
{
  const char *text;

  if (bed->patient_id == NULL)
    text = _("No patient");
  else if (show_patient_name && bed->patient_name != NULL)
    text = bed->patient_name;
  else if (bed->patient_initials != NULL)
    text = bed->patient_initials;
  else
    text = NO_VALUE;

  set_text (self->patient_label, text);
}

static void
hide_trend (WardBedTile *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->trend_image)))
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->trend_image), FALSE);
  self->description_dirty = TRUE;
}

/* The arrow of the fitted trend (ward-trend.h), with its words for
 * tooltips and screen readers, and when rising the projection to the
 * next band; none until there are enough windows.
 */
static void
update_trend (WardBedTile        *self,
              const WardBedState *bed)
{
  g_autofree char *text = NULL;
  const char *icon_name;

  if (!bed->trend.valid)
    {
      hide_trend (self);
      return;
    }

  switch (bed->trend.direction)
    {
    case WARD_TREND_RISING:
      icon_name = "go-up-symbolic";
      break;
    case WARD_TREND_FALLING:
      icon_name = "go-down-symbolic";
      break;
    case WARD_TREND_STEADY:
    default:
      icon_name = "go-next-symbolic";
      break;
    }
  /* Under 16 NEWS2 claims no risk: the slope, but no band to reach. */
  if (bed->news2_not_applicable)
    text = _ward_trend_words_direction (&bed->trend);
  else
    text = _ward_trend_words_full (&bed->trend);

  /* Setting an icon clears the image first, even for the same name. */
  if (g_strcmp0 (gtk_image_get_icon_name (self->trend_image), icon_name) != 0)
    gtk_image_set_from_icon_name (self->trend_image, icon_name);
  if (set_tooltip (GTK_WIDGET (self->trend_image), text))
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->trend_image),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                      -1);
      self->description_dirty = TRUE;
    }
  set_class (GTK_WIDGET (self->trend_image), "rising", bed->trend.direction == WARD_TREND_RISING);
  set_class (GTK_WIDGET (self->trend_image), "falling", bed->trend.direction == WARD_TREND_FALLING);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->trend_image)))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->trend_image), TRUE);
      self->description_dirty = TRUE;
    }
}

/* "Points: RR 2 · SpO₂ 1 · …", made again only when a point changes. */
static void
update_points (WardBedTile        *self,
               const WardBedState *bed)
{
  g_autoptr(GString) points = NULL;

  if (self->points_valid &&
      self->points_spo2_scale == bed->spo2_scale &&
      memcmp (self->points, bed->score_points, sizeof self->points) == 0)
    return;

  memcpy (self->points, bed->score_points, sizeof self->points);
  self->points_spo2_scale = bed->spo2_scale;
  self->points_valid = TRUE;

  /* Every score shows the points behind it, "–" where a parameter is absent.
   * A no-break space keeps each name with its points when the line wraps.
   */
  points = g_string_new (_("Points:"));
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    {
      const char *name = get_param_abbreviation (i);

      /* Scale 2 scores SpO₂ differently, so say which scale was used. */
      if (i == WARD_NEWS2_SPO2 && bed->spo2_scale == 2)
        /* Translators: SpO₂ scored on NEWS2 SpO₂ scale 2 (hypercapnic respiratory failure) */
        name = _("SpO₂ scale 2");

      g_string_append_printf (points, "%s%s\u00A0", i == 0 ? " " : " · ", name);
      if (bed->score_points[i] < 0)
        g_string_append (points, "–");
      else
        g_string_append_printf (points, "%d", bed->score_points[i]);
    }

  set_text (self->points_label, points->str);
}

/* The window a score was computed on, in the status's tooltip; formatted
 * only when it changes (a local time costs a time zone look-up).
 */
static void
update_score_window (WardBedTile        *self,
                     const WardBedState *bed)
{
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *window = NULL;

  if (self->window_start == bed->score_window_start &&
      self->window_end == bed->score_window_end &&
      gtk_widget_get_tooltip_text (GTK_WIDGET (self->status_label)) != NULL)
    return;

  self->window_start = bed->score_window_start;
  self->window_end = bed->score_window_end;

  start = format_clock (bed->score_window_start);
  end = format_clock (bed->score_window_end);
  /* Translators: the observation window a score was computed on, "14:00–14:30" */
  window = g_strdup_printf (_("Scored on the observations of %s–%s"), start, end);
  set_tooltip (GTK_WIDGET (self->status_label), window);
}

static void
update_score (WardBedTile        *self,
              const WardBedState *bed)
{
  char total[16];
  const char *status;

  if (!bed->has_score)
    {
      set_text (self->score_label, NO_VALUE);
      hide_trend (self);
      set_text (self->band_label, _("No score"));
      self->description_dirty |= set_text (self->status_label, _("Waiting for observations"));
      set_tooltip (GTK_WIDGET (self->status_label), NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->points_label), FALSE);
      set_band_class (self, "no-score");
      return;
    }

  if (bed->score_final)
    status = bed->score_complete ? _("Final") : _("Final, partial");
  else
    status = bed->score_complete ? _("Preliminary") : _("Preliminary, partial");

  g_snprintf (total, sizeof total, "%d", bed->score_total);

  set_text (self->score_label, total);
  update_trend (self, bed);
  self->description_dirty |= set_text (self->status_label, status);
  update_score_window (self, bed);
  update_points (self, bed);
  gtk_widget_set_visible (GTK_WIDGET (self->points_label), !self->compact);

  /* Under 16 the score is there for the record: the band label says that
   * NEWS2 does not apply, and the tile takes no band's color.
   */
  if (bed->news2_not_applicable)
    {
      set_text (self->band_label, _("NEWS2 not validated under 16"));
      set_band_class (self, "no-score");
      return;
    }

  set_text (self->band_label, get_band_title (bed->score_band));
  set_band_class (self, get_band_class (bed->score_band));
}

/* The flag in the words every view uses (ward-flag-words.h): the badge
 * beside it shows the score, so the flag says how it stands to it.
 */
static void
update_flag (WardBedTile        *self,
             const WardBedState *bed,
             gint64              now)
{
  g_auto(WardFlagWords) words = { 0 };
  g_autofree char *flag = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  const char *status_class;
  const WardTask *task;
  gboolean can_ack;

  if (bed->flag_state == WARD_FLAG_STATE_NONE)
    {
      gtk_widget_set_visible (self->flag_box, FALSE);
      gtk_widget_set_visible (self->ack_button, FALSE);
      return;
    }

  _ward_flag_words_init (&words, bed, now, WARD_FLAG_WORDS_RELATIVE);
  flag = _ward_flag_words_capitalize (words.flag);

  if (words.closing != NULL)
    {
      g_autofree char *closing = _ward_flag_words_capitalize (words.closing);

      g_string_append (detail, closing);
    }

  if (bed->flag_state == WARD_FLAG_STATE_PENDING)
    {
      status_class = "warning";
    }
  else
    {
      if (detail->len > 0)
        g_string_append_c (detail, '\n');
      /* The flag's care-team task says who has it ("Accepted by Ada
       * Nwosu", "Awaiting bed nurse, due in 12 min"): accepting it is
       * acknowledging the flag.
       */
      task = _ward_flag_words_bed_task (bed, bed->flag_id);
      if (task != NULL)
        {
          g_autofree char *state = _ward_flag_words_task_state (task, now, WARD_FLAG_WORDS_RELATIVE);

          g_string_append (detail, state);
          status_class = task->status == WARD_TASK_ACCEPTED || words.recovering ? "warning" : "error";
        }
      else if (bed->flag_acknowledged_by != NULL)
        {
          /* Translators: %s is the name of the clinician who acknowledged the flag */
          g_string_append_printf (detail, _("Acknowledged by %s"), bed->flag_acknowledged_by);
          status_class = "warning";
        }
      else
        {
          g_string_append (detail, _("Not acknowledged"));
          /* A recovering flag is not shown red, as in the alarm bar. */
          status_class = words.recovering ? "warning" : "error";
        }
    }

  set_text (self->flag_label, flag);
  set_text (self->ack_label, detail->str);
  gtk_widget_set_visible (GTK_WIDGET (self->ack_label), detail->len > 0);
  set_status_class (self->flag_box, status_class);
  set_class (self->flag_box, "recovering", words.recovering);
  gtk_widget_set_visible (self->flag_box, TRUE);

  /* Acknowledging goes through the window's action, with the flag id;
   * the button looks the action up again when its target is set.
   */
  can_ack = (bed->flag_state == WARD_FLAG_STATE_OPEN ||
             bed->flag_state == WARD_FLAG_STATE_RECOVERING) &&
            bed->flag_id != 0 && bed->flag_acknowledged_by == NULL;
  task = bed->flag_state == WARD_FLAG_STATE_PENDING ? NULL : _ward_flag_words_bed_task (bed, bed->flag_id);
  if (task != NULL)
    {
      /* Accept replaces Acknowledge where the flag has a task. */
      can_ack = task->status == WARD_TASK_REQUESTED;
      if (can_ack && self->flag_target != -task->id)
        {
          g_autofree char *accessible = NULL;

          self->flag_target = -task->id;
          gtk_button_set_label (GTK_BUTTON (self->ack_button), _("_Accept"));
          /* Translators: the accessible name of a tile's button, "Accept the task of Bed 4" */
          accessible = g_strdup_printf (_("Accept the task of %s"),
                                        bed->bed_label != NULL ? bed->bed_label : bed->bed_id);
          gtk_accessible_update_property (GTK_ACCESSIBLE (self->ack_button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
          gtk_actionable_set_action_target (GTK_ACTIONABLE (self->ack_button), "x", task->id);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (self->ack_button), "win.accept-task");
        }
    }
  else if (can_ack && self->flag_target != bed->flag_id)
    {
      g_autofree char *accessible = NULL;

      self->flag_target = bed->flag_id;
      gtk_button_set_label (GTK_BUTTON (self->ack_button), _("_Acknowledge"));
      accessible = g_strdup_printf (_("Acknowledge the flag of %s"),
                                    bed->bed_label != NULL ? bed->bed_label : bed->bed_id);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->ack_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->ack_button), "x", bed->flag_id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->ack_button), "win.acknowledge");
    }
  gtk_widget_set_visible (self->ack_button, can_ack);
}

/* "Obs due 14:30", "Obs overdue 25 min", "Continuous monitoring": a
 * reminder, in bold when late but never in an alarm's colours.
 */
static void
update_obs_due (WardBedTile        *self,
                const WardBedState *bed,
                gint64              now)
{
  g_autofree char *text = NULL;
  gboolean overdue = FALSE;

  /* A due time of day costs a time zone look-up: made again only when
   * it changes.  An overdue set counts its minutes (no look-up).
   */
  if (self->obs_due_at == bed->obs_due_at && self->obs_continuous == bed->obs_continuous &&
      !bed->obs_continuous && bed->obs_due_at > now &&
      gtk_widget_get_visible (GTK_WIDGET (self->obs_label)))
    return;
  self->obs_due_at = bed->obs_due_at;
  self->obs_continuous = bed->obs_continuous;

  if (bed->patient_id != NULL)
    text = _ward_patient_words_obs_due (bed, now, &overdue);

  gtk_widget_set_visible (GTK_WIDGET (self->obs_label), text != NULL);
  if (text == NULL)
    return;

  set_text (self->obs_label, text);
  set_class (GTK_WIDGET (self->obs_label), "obs-overdue", overdue);
}

static void
update_technical_alert (WardBedTile        *self,
                        const WardBedState *bed)
{
  g_autofree char *text = NULL;

  gtk_widget_set_visible (self->silent_box, bed->technical_alert);
  if (!bed->technical_alert)
    return;

  if (self->silent_since == bed->technical_alert_since &&
      gtk_label_get_text (self->silent_label)[0] != '\0')
    return;

  self->silent_since = bed->technical_alert_since;
  if (bed->technical_alert_since > 0)
    {
      g_autofree char *since = format_clock (bed->technical_alert_since);

      /* Translators: %s is a time of day, "14:02" */
      text = g_strdup_printf (_("Device silent since %s"), since);
    }
  else
    {
      text = g_strdup (_("Device silent"));
    }

  set_text (self->silent_label, text);
}

static void
update_description (WardBedTile        *self,
                    const WardBedState *bed)
{
  g_autoptr(GString) description = g_string_new (NULL);

  /* What is read on demand, not on every move. */
  if (bed->has_score)
    g_string_append (description, gtk_label_get_text (self->status_label));
  if (gtk_widget_get_visible (GTK_WIDGET (self->trend_image)))
    {
      if (description->len > 0)
        g_string_append (description, ", ");
      g_string_append (description, gtk_widget_get_tooltip_text (GTK_WIDGET (self->trend_image)));
    }
  if (self->stale_count > 0)
    {
      if (description->len > 0)
        g_string_append (description, ", ");
      g_string_append_printf (description,
                              ngettext ("%u stale value", "%u stale values", self->stale_count),
                              self->stale_count);
    }

  if (g_strcmp0 (description->str, self->description) != 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                      -1);
      g_free (self->description);
      self->description = g_strdup (description->str);
    }
}

/* The accessible name, "Bed 4, NEWS2 7, high, flag open", and the
 * description, made again only when what they say changed.
 */
static gboolean
take_string (char       **field,
             const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* The patient's identifiers for the accessible name, made again only
 * when they change.  Returns whether they did.
 */
static gboolean
update_identity (WardBedTile        *self,
                 const WardBedState *bed,
                 gint64              now)
{
  gboolean changed = FALSE;
  int age = bed->age;

  changed |= take_string (&self->hospital_number, bed->hospital_number);
  changed |= take_string (&self->nhs_number, bed->nhs_number);
  changed |= take_string (&self->birth_date, bed->birth_date);
  if (age < 0 && bed->birth_date != NULL)
    age = ward_age_in_years (bed->birth_date, now);
  if (self->identity_age != age)
    {
      self->identity_age = age;
      changed = TRUE;
    }

  if (!changed)
    return FALSE;

  g_free (self->identity);
  self->identity = _ward_patient_words_identity (bed, now, ", ");
  return TRUE;
}

static void
update_summary (WardBedTile        *self,
                const WardBedState *bed,
                gint64              now)
{
  g_autofree char *summary = NULL;
  const char *bed_label = bed->bed_label != NULL ? bed->bed_label : bed->bed_id;
  SummaryKey key;

  /* Compared with memcmp(), so no stray bytes. */
  memset (&key, 0, sizeof key);
  key.valid = TRUE;
  key.has_score = !!bed->has_score;
  key.score_total = bed->has_score ? bed->score_total : 0;
  key.score_band = bed->has_score ? bed->score_band : 0;
  key.flag_open = bed->flag_state == WARD_FLAG_STATE_OPEN ||
                  bed->flag_state == WARD_FLAG_STATE_RECOVERING;
  key.acknowledged = bed->flag_acknowledged_by != NULL;
  key.recovering = bed->flag_state == WARD_FLAG_STATE_RECOVERING;
  key.technical_alert = !!bed->technical_alert;
  key.news2_not_applicable = !!bed->news2_not_applicable;

  if (update_identity (self, bed, now))
    self->summary_key.valid = FALSE;

  if (self->description_dirty || self->description == NULL)
    {
      update_description (self, bed);
      self->description_dirty = FALSE;
    }

  if (self->summary != NULL && memcmp (&key, &self->summary_key, sizeof key) == 0)
    return;
  self->summary_key = key;

  if (bed->has_score)
    /* Translators: the accessible name of a bed tile, "Bed 4, NEWS2 7, high" */
    summary = g_strdup_printf (_("%s, NEWS2 %d, %s"),
                               bed_label, bed->score_total,
                               bed->news2_not_applicable ? _("NEWS2 not validated under 16")
                                                         : get_band_phrase (bed->score_band));
  else
    /* Translators: the accessible name of a bed tile, "Bed 4, no NEWS2 score" */
    summary = g_strdup_printf (_("%s, no NEWS2 score"), bed_label);

  if (key.flag_open)
    {
      g_autofree char *with_flag = NULL;

      if (key.recovering)
        /* Translators: a bed tile's accessible name with its flag, "Bed 4, NEWS2 3, low, flag recovering" */
        with_flag = g_strdup_printf (_("%s, flag recovering"), summary);
      else if (bed->flag_acknowledged_by != NULL)
        /* Translators: a bed tile's accessible name with its flag, "Bed 4, NEWS2 7, high, flag acknowledged" */
        with_flag = g_strdup_printf (_("%s, flag acknowledged"), summary);
      else
        /* Translators: a bed tile's accessible name with its flag, "Bed 4, NEWS2 7, high, flag open" */
        with_flag = g_strdup_printf (_("%s, flag open"), summary);
      g_free (summary);
      summary = g_steal_pointer (&with_flag);
    }

  if (bed->technical_alert)
    {
      g_autofree char *with_alert = NULL;

      /* Translators: a bed tile's accessible name, "Bed 4, NEWS2 2, low, device silent" */
      with_alert = g_strdup_printf (_("%s, device silent"), summary);
      g_free (summary);
      summary = g_steal_pointer (&with_alert);
    }

  /* Two identifiers before any clinical action: the screen reader hears
   * them as the screen shows them in the patient view.
   */
  if (self->identity != NULL)
    {
      g_autofree char *with_identity = NULL;

      /* Translators: a bed tile's accessible name and the patient's identifiers,
       * "Bed 4, NEWS2 7, high, Hospital no. H123456, Born 12-Mar-1950 (76 y)" */
      with_identity = g_strdup_printf (_("%s, %s"), summary, self->identity);
      g_free (summary);
      summary = g_steal_pointer (&with_identity);
    }

  if (g_strcmp0 (summary, self->summary) == 0)
    return;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, summary,
                                  -1);
  /* On the board the flow box child around the tile takes the keyboard
   * focus: a screen reader reads its name, so it gets the same one.
   */
  if (GTK_IS_FLOW_BOX_CHILD (gtk_widget_get_parent (GTK_WIDGET (self))))
    gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (GTK_WIDGET (self))),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, summary,
                                    -1);
  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
}

static void
mine_toggled_cb (WardBedTile *self)
{
  gboolean active = gtk_toggle_button_get_active (self->mine_button);

  gtk_button_set_icon_name (GTK_BUTTON (self->mine_button),
                            active ? "starred-symbolic" : "non-starred-symbolic");
  if (active == self->mine || self->patient_id == NULL)
    return;

  /* The window keeps the list and calls ward_bed_tile_set_mine() back. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toggle-my-patient", "s", self->patient_id);
}

static void
ward_bed_tile_dispose (GObject *object)
{
  WardBedTile *self = WARD_BED_TILE (object);
  GtkWidget *child;

  _ward_tile_wall_leave (&self->wall_parts, gtk_widget_get_first_child (GTK_WIDGET (self)));
  g_clear_pointer (&self->wall_parts.moves, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_BED_TILE);

  /* dispose_template() unparents bound children only, not the unnamed box. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ward_bed_tile_parent_class)->dispose (object);
}

static void
ward_bed_tile_finalize (GObject *object)
{
  WardBedTile *self = WARD_BED_TILE (object);

  g_clear_pointer (&self->bed_id, g_free);
  g_clear_pointer (&self->patient_id, g_free);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->hospital_number, g_free);
  g_clear_pointer (&self->nhs_number, g_free);
  g_clear_pointer (&self->birth_date, g_free);
  g_clear_pointer (&self->identity, g_free);

  G_OBJECT_CLASS (ward_bed_tile_parent_class)->finalize (object);
}

/* Whether the tile is out of sight in the scrolled window around it (the
 * board scrolls).  Nothing is drawn in such a tile but its card: with the
 * cairo renderer every node of the window is drawn on every repaint,
 * clipped or not, and most tiles of a large ward are out of sight.
 */
static gboolean
is_out_of_sight (WardBedTile *self)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;
  graphene_rect_t view;

  if (scrolled == NULL || !gtk_widget_compute_bounds (GTK_WIDGET (self), scrolled, &bounds))
    return FALSE;

  /* A margin, so that a tile is drawn a little before it scrolls in. */
  graphene_rect_init (&view, -OUT_OF_SIGHT_MARGIN, -OUT_OF_SIGHT_MARGIN,
                      gtk_widget_get_width (scrolled) + 2 * OUT_OF_SIGHT_MARGIN,
                      gtk_widget_get_height (scrolled) + 2 * OUT_OF_SIGHT_MARGIN);

  return !graphene_rect_intersection (&bounds, &view, NULL);
}

/* Scrolling, resizing and sorting move tiles without drawing them again:
 * after each layout, a tile that came into sight or went out of it is
 * drawn again.
 */
static void
frame_layout_cb (GdkFrameClock *frame_clock,
                 WardBedTile   *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && is_out_of_sight (self) != self->culled)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* GSK repaints what changed between two frames' render nodes, but gives
 * up past 30 rectangles and then repaints the whole board: a snapshot
 * that changes ages on twenty tiles makes some sixty small rectangles.
 * A tile is redrawn only when something in it changed, and then it adds
 * a transparent mark that differs from its last one, so that its changes
 * count as one rectangle.  On the board the mark covers the tile's flow
 * box child and half the spacing around it: the marks of changed tiles
 * side by side touch, and a region keeps them as one rectangle.  The
 * board then repaints only the tiles that changed; a transparent fill
 * costs nothing to draw.  A tile out of sight keeps its mark while it
 * stays out of sight: there is nothing to repaint.
 */
static void
ward_bed_tile_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  WardBedTile *self = WARD_BED_TILE (widget);
  static const GdkRGBA marks[2] = {
    { 0.0f, 0.0f, 0.0f, 0.0f },
    { 1.0f, 1.0f, 1.0f, 0.0f },
  };
  GtkWidget *child = gtk_widget_get_parent (widget);
  gboolean was_culled = self->culled;
  graphene_rect_t area;

  self->culled = is_out_of_sight (self);
  if (!self->culled)
    GTK_WIDGET_CLASS (ward_bed_tile_parent_class)->snapshot (widget, snapshot);

  graphene_rect_init (&area, 0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  if (GTK_IS_FLOW_BOX_CHILD (child) && GTK_IS_FLOW_BOX (gtk_widget_get_parent (child)) &&
      gtk_widget_compute_bounds (child, widget, &area))
    {
      GtkFlowBox *box = GTK_FLOW_BOX (gtk_widget_get_parent (child));

      graphene_rect_inset (&area,
                           -(float) gtk_flow_box_get_column_spacing (box) / 2.0f,
                           -(float) gtk_flow_box_get_row_spacing (box) / 2.0f);
    }

  if (!(was_culled && self->culled))
    self->repaint_mark = !self->repaint_mark;
  gtk_snapshot_append_color (snapshot, &marks[self->repaint_mark], &area);
}

static void
ward_bed_tile_realize (GtkWidget *widget)
{
  WardBedTile *self = WARD_BED_TILE (widget);

  GTK_WIDGET_CLASS (ward_bed_tile_parent_class)->realize (widget);

  /* After GTK's own layout: allocations are done by then. */
  self->frame_clock = gtk_widget_get_frame_clock (widget);
  if (self->frame_clock != NULL)
    self->layout_handler = g_signal_connect_after (self->frame_clock, "layout",
                                                   G_CALLBACK (frame_layout_cb), self);
}

static void
ward_bed_tile_unrealize (GtkWidget *widget)
{
  WardBedTile *self = WARD_BED_TILE (widget);

  if (self->frame_clock != NULL)
    g_clear_signal_handler (&self->layout_handler, self->frame_clock);
  self->frame_clock = NULL;
  self->culled = FALSE;

  GTK_WIDGET_CLASS (ward_bed_tile_parent_class)->unrealize (widget);
}

static void
ward_bed_tile_class_init (WardBedTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_bed_tile_dispose;
  object_class->finalize = ward_bed_tile_finalize;

  widget_class->snapshot = ward_bed_tile_snapshot;
  widget_class->realize = ward_bed_tile_realize;
  widget_class->unrealize = ward_bed_tile_unrealize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-bed-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, bed_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, mine_button);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, patient_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, status_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, score_badge);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, score_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, trend_image);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, band_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, hr_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, rr_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, spo2_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, temp_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, bp_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, hr_age_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, rr_age_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, spo2_age_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, temp_age_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, bp_age_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, model_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, points_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, obs_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, flag_box);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, flag_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, ack_label);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, ack_button);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, silent_box);
  gtk_widget_class_bind_template_child (widget_class, WardBedTile, silent_label);
  gtk_widget_class_bind_template_callback (widget_class, mine_toggled_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ward_bed_tile_init (WardBedTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_label_set_text (self->score_label, NO_VALUE);
  set_band_class (self, "no-score");
  self->identity_age = -1;
}

GtkWidget *
ward_bed_tile_new (void)
{
  return g_object_new (WARD_TYPE_BED_TILE, NULL);
}

const char *
ward_bed_tile_get_bed_id (WardBedTile *self)
{
  g_return_val_if_fail (WARD_IS_BED_TILE (self), NULL);

  return self->bed_id;
}

/* The wall tile's mark beside the bed: an open flag (red while not
 * acknowledged, as on the desk tile) or else a silent device.
 */
static void
update_wall_mark (WardBedTile        *self,
                  const WardBedState *bed)
{
  const char *icon = NULL;
  const char *status = NULL;
  const char *tooltip = NULL;

  if (gtk_widget_get_visible (self->flag_box))
    {
      icon = "dialog-warning-symbolic";
      status = gtk_widget_has_css_class (self->flag_box, "error") ? "error" : "warning";
      tooltip = gtk_label_get_text (self->flag_label);
    }
  else if (bed->technical_alert)
    {
      icon = "network-offline-symbolic";
      status = "warning";
      tooltip = gtk_label_get_text (self->silent_label);
    }

  _ward_tile_wall_set_mark (&self->wall_parts, icon, status, tooltip);
}

/* Called for every snapshot: it only sets texts, classes and visibility,
 * and GTK skips the relayout where a text did not change.
 */
/* An active model's probability: "Model 23 %", "Demo model 23 %". */
static void
update_model (WardBedTile        *self,
              const WardBedState *bed)
{
  g_autofree char *text = _ward_model_words_tile (_ward_model_words_find (bed));

  gtk_widget_set_visible (GTK_WIDGET (self->model_label), text != NULL);
  if (text != NULL)
    gtk_label_set_text (self->model_label, text);
}

void
ward_bed_tile_update (WardBedTile        *self,
                      const WardBedState *bed,
                      gint64              now,
                      gboolean            show_patient_name)
{
  g_return_if_fail (WARD_IS_BED_TILE (self));
  g_return_if_fail (bed != NULL);

  if (g_strcmp0 (self->bed_id, bed->bed_id) != 0)
    {
      const char *bed_label = bed->bed_label != NULL ? bed->bed_label : bed->bed_id;
      g_autofree char *ack = NULL;
      g_autofree char *mine = NULL;

      g_free (self->bed_id);
      self->bed_id = g_strdup (bed->bed_id);
      self->summary_key.valid = FALSE;

      /* Buttons that say which bed they act on, for screen readers. */
      /* Translators: the accessible name of a tile's button, "Acknowledge the flag of Bed 4" */
      ack = g_strdup_printf (_("Acknowledge the flag of %s"), bed_label);
      /* Translators: the accessible name of a tile's star, "Bed 4 is my patient" */
      mine = g_strdup_printf (_("%s is my patient"), bed_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->ack_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, ack,
                                      -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->mine_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, mine,
                                      -1);
    }
  if (g_strcmp0 (self->patient_id, bed->patient_id) != 0)
    {
      g_free (self->patient_id);
      self->patient_id = g_strdup (bed->patient_id);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->mine_button), bed->patient_id != NULL);

  if (set_text (self->bed_label, bed->bed_label != NULL ? bed->bed_label : bed->bed_id))
    self->summary_key.valid = FALSE;
  update_patient (self, bed, show_patient_name);
  update_score (self, bed);
  update_model (self, bed);
  update_vitals (self, bed, now);
  update_obs_due (self, bed, now);
  update_flag (self, bed, now);
  update_technical_alert (self, bed);
  update_summary (self, bed, now);
  if (self->wall)
    update_wall_mark (self, bed);
}

const char *
ward_bed_tile_get_patient_id (WardBedTile *self)
{
  g_return_val_if_fail (WARD_IS_BED_TILE (self), NULL);

  return self->patient_id;
}

gboolean
ward_bed_tile_get_mine (WardBedTile *self)
{
  g_return_val_if_fail (WARD_IS_BED_TILE (self), FALSE);

  return self->mine;
}

/* Whether the patient is on the user's list ("my patients"). */
void
ward_bed_tile_set_mine (WardBedTile *self,
                        gboolean     mine)
{
  g_return_if_fail (WARD_IS_BED_TILE (self));

  mine = !!mine;
  if (self->mine == mine)
    return;

  self->mine = mine;
  gtk_toggle_button_set_active (self->mine_button, mine);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mine_button),
                               mine ? _("My patient: click to remove from my patients")
                                    : _("Add to my patients"));
  set_class (GTK_WIDGET (self), "mine", mine);
}

/* A denser tile for wards with many beds: no points line. */
void
ward_bed_tile_set_compact (WardBedTile *self,
                           gboolean     compact)
{
  g_return_if_fail (WARD_IS_BED_TILE (self));

  compact = !!compact;
  if (self->compact == compact)
    return;

  self->compact = compact;
  set_class (GTK_WIDGET (self), "compact", compact);
  if (compact)
    gtk_widget_set_visible (GTK_WIDGET (self->points_label), FALSE);
  else
    gtk_widget_set_visible (GTK_WIDGET (self->points_label),
                            gtk_label_get_text (self->points_label)[0] != '\0');
}

const char *
_ward_bed_tile_get_model_text (WardBedTile *self)
{
  g_return_val_if_fail (WARD_IS_BED_TILE (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->model_label))
    ? gtk_label_get_text (self->model_label) : "";
}

/* A tile for a wall screen (ward-bed-tile-wall.c): the bed, the NEWS2
 * total and the vitals, big, without units, ages or buttons.  The texts
 * change with the next update.
 */
void
ward_bed_tile_set_wall (WardBedTile *self,
                        gboolean     wall)
{
  GtkWidget *vitals[WARD_TILE_WALL_N_VITALS];
  GtkWidget *main_box;

  g_return_if_fail (WARD_IS_BED_TILE (self));

  wall = !!wall;
  if (self->wall == wall)
    return;

  self->wall = wall;
  set_class (GTK_WIDGET (self), "wall", wall);
  main_box = gtk_widget_get_first_child (GTK_WIDGET (self));
  if (!wall)
    {
      _ward_tile_wall_leave (&self->wall_parts, main_box);
      return;
    }

  vitals[WARD_TILE_WALL_HR] = GTK_WIDGET (self->hr_label);
  vitals[WARD_TILE_WALL_RR] = GTK_WIDGET (self->rr_label);
  vitals[WARD_TILE_WALL_SPO2] = GTK_WIDGET (self->spo2_label);
  vitals[WARD_TILE_WALL_BP] = GTK_WIDGET (self->bp_label);
  vitals[WARD_TILE_WALL_TEMP] = GTK_WIDGET (self->temp_label);
  _ward_tile_wall_enter (&self->wall_parts, GTK_WIDGET (self), main_box,
                         GTK_WIDGET (self->score_badge), GTK_WIDGET (self->bed_label),
                         GTK_WIDGET (self->patient_label), vitals);
}

gboolean
ward_bed_tile_get_wall (WardBedTile *self)
{
  g_return_val_if_fail (WARD_IS_BED_TILE (self), FALSE);

  return self->wall;
}
