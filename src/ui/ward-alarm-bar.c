/* ward-alarm-bar.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-alarm-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-a11y.h"
#include "ward-alarm-bar.h"
#include "ward-alarm-bar-private.h"
#include "ward-bed-tile.h"
#include "ward-clinical.h"
#include "ward-flag-words.h"
#include "ward-model-words.h"
#include "ward-overflow-layout.h"

/* What one entry shows; entries are kept across snapshots by key (the
 * flag, the silent device or the source), so that focus stays on an
 * entry while its texts change.
 */
typedef struct
{
  char              *key;
  WardAlarmPriority  priority;
  gboolean           technical;
  gint64             since;
  gint64             flag_id;       /* 0: nothing to acknowledge */
  char              *patient_id;    /* NULL for the source alarm */
  gboolean           acknowledged;
  gboolean           recovering;    /* a flag whose score fell back: steady, outlined */
  gboolean           has_task;      /* the flag has a care-team task: Accept, not Acknowledge */
  char              *title;
  char              *detail;
} Alarm;

typedef struct
{
  Alarm      *alarm;
  GtkWidget  *open_button;
  GtkLabel   *title_label;
  GtkLabel   *detail_label;
  GtkWidget  *ack_button;
  guint       generation;
} Entry;

struct _WardAlarmBar
{
  GtkWidget     parent_instance;

  /* Template widgets */
  GtkBox       *entries_box;
  GtkLabel     *empty_label;
  GtkWidget    *more_button;
  GtkBox       *more_box;

  /* Owned */
  GHashTable   *entries;          /* key -> GtkWidget (the box owns it) */
  WardSnapshot *snapshot;
  char         *source_text;
  char         *sound_text;       /* the alarm sound cannot play (ward-alarm-sound.c) */

  guint         generation;
  guint         n_alarms;
  guint         more_source;      /* the "+N more" button's update, after a layout */
  guint         flash_source;     /* the next flip of a flashing entry */
  gulong        animations_handler;
  guint         show_patient_names : 1;
  guint         animations : 1;
};

G_DEFINE_FINAL_TYPE (WardAlarmBar, ward_alarm_bar, GTK_TYPE_WIDGET)

enum {
  OPEN_PATIENT,
  ACKNOWLEDGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define ENTRY_KEY "ward-alarm-entry"

static void
alarm_free (Alarm *alarm)
{
  if (alarm == NULL)
    return;

  g_free (alarm->key);
  g_free (alarm->patient_id);
  g_free (alarm->title);
  g_free (alarm->detail);
  g_free (alarm);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Alarm, alarm_free)

static void
entry_free (Entry *entry)
{
  g_clear_pointer (&entry->alarm, alarm_free);
  g_free (entry);
}

static const char *
get_priority_class (WardAlarmPriority priority)
{
  switch (priority)
    {
    case WARD_ALARM_PRIORITY_HIGH:
      return "alarm-high";
    case WARD_ALARM_PRIORITY_MEDIUM:
      return "alarm-medium";
    case WARD_ALARM_PRIORITY_LOW:
      return "alarm-low";
    default:
      g_assert_not_reached ();
    }
}

static const char *
get_priority_phrase (WardAlarmPriority priority)
{
  switch (priority)
    {
    case WARD_ALARM_PRIORITY_HIGH:
      return _("High priority alarm");
    case WARD_ALARM_PRIORITY_MEDIUM:
      return _("Medium priority alarm");
    case WARD_ALARM_PRIORITY_LOW:
      return _("Low priority alarm");
    default:
      g_assert_not_reached ();
    }
}

static const char *
get_patient_text (const WardBedState *bed,
                  gboolean            show_patient_names)
{
  if (show_patient_names && bed->patient_name != NULL)
    return bed->patient_name;
  if (bed->patient_initials != NULL)
    return bed->patient_initials;
  return bed->patient_id;
}

/* Oldest first within a priority: the alarm that has waited longest. */
static int
compare_alarms (gconstpointer a,
                gconstpointer b)
{
  const Alarm *alarm_a = *(const Alarm * const *) a;
  const Alarm *alarm_b = *(const Alarm * const *) b;

  /* A flag whose score has fallen below the threshold is no longer an
   * alarm condition, only a flag kept open until the fall is sustained:
   * it comes after every alarm whose condition lasts, whatever their
   * priorities, so that the bar starts with patients who are not better.
   */
  if (alarm_a->recovering != alarm_b->recovering)
    return alarm_a->recovering ? 1 : -1;
  if (alarm_a->priority != alarm_b->priority)
    return alarm_a->priority > alarm_b->priority ? -1 : 1;
  if (alarm_a->since != alarm_b->since)
    return alarm_a->since < alarm_b->since ? -1 : 1;

  return g_strcmp0 (alarm_a->key, alarm_b->key);
}

static Alarm *
make_clinical_alarm (const WardBedState *bed,
                     gint64              now,
                     gboolean            show_patient_names)
{
  Alarm *alarm = g_new0 (Alarm, 1);
  const char *bed_label = bed->bed_label != NULL ? bed->bed_label : bed->bed_id;
  g_autofree char *age = _ward_format_age (now - bed->flag_opened_at);
  g_autofree char *ack = NULL;
  g_auto(WardFlagWords) words = { 0 };
  const WardTask *task;

  alarm->key = g_strdup_printf ("flag-%" G_GINT64_FORMAT, bed->flag_id);
  alarm->priority = ward_alarm_priority_from_band (bed->flag_band);
  alarm->since = bed->flag_opened_at;
  alarm->flag_id = bed->flag_id;
  alarm->patient_id = g_strdup (bed->patient_id);
  alarm->acknowledged = bed->flag_acknowledged_by != NULL;

  alarm->recovering = bed->flag_state == WARD_FLAG_STATE_RECOVERING;

  /* The same words as the tile, the notification and the patient view. */
  _ward_flag_words_init (&words, bed, now, WARD_FLAG_WORDS_RELATIVE);
  /* Translators: an alarm, "*** Bed 4 · D.O. · NEWS2 8 (high) · flag medium" */
  alarm->title = g_strdup_printf (_("%s %s · %s · %s"),
                                  ward_alarm_priority_get_marker (alarm->priority),
                                  bed_label, get_patient_text (bed, show_patient_names),
                                  words.line);

  /* The flag's care-team task says who has it; accepting it is
   * acknowledging the flag (and acknowledging accepts it).
   */
  task = _ward_flag_words_bed_task (bed, bed->flag_id);
  if (task != NULL)
    {
      g_autofree char *state = _ward_flag_words_task_state (task, now, WARD_FLAG_WORDS_RELATIVE);

      gunichar first = g_utf8_get_char (state);
      char buffer[8];
      int len = g_unichar_to_utf8 (g_unichar_tolower (first), buffer);

      /* Inside the detail line: "open 12 min, awaiting bed nurse, due in 8 min". */
      buffer[len] = '\0';
      ack = g_strconcat (buffer, g_utf8_next_char (state), NULL);
      alarm->has_task = TRUE;
    }
  else if (alarm->acknowledged)
    /* Translators: %s is the name of the clinician who acknowledged the flag */
    ack = g_strdup_printf (_("acknowledged by %s"), bed->flag_acknowledged_by);
  else
    ack = g_strdup (_("not acknowledged"));

  if (words.closing != NULL)
    /* Translators: how long a flag has been open, when it closes and who acknowledged it,
     * "open 12 min, closes in 8 min if NEWS2 stays this low, not acknowledged" */
    alarm->detail = g_strdup_printf (_("open %s, %s, %s"), age, words.closing, ack);
  else
    /* Translators: how long a flag has been open and who acknowledged it, "open 12 min, not acknowledged" */
    alarm->detail = g_strdup_printf (_("open %s, %s"), age, ack);

  return alarm;
}

static Alarm *
make_technical_alarm (const WardBedState *bed,
                      gint64              now,
                      gboolean            show_patient_names)
{
  Alarm *alarm = g_new0 (Alarm, 1);
  const char *bed_label = bed->bed_label != NULL ? bed->bed_label : bed->bed_id;
  g_autofree char *age = _ward_format_age (now - bed->technical_alert_since);

  alarm->key = g_strdup_printf ("device-%s", bed->device_id != NULL ? bed->device_id : bed->bed_id);
  alarm->priority = WARD_ALARM_PRIORITY_LOW;
  alarm->technical = TRUE;
  alarm->since = bed->technical_alert_since;
  alarm->flag_id = bed->technical_alert_id;
  alarm->patient_id = g_strdup (bed->patient_id);
  alarm->acknowledged = bed->technical_alert_acknowledged_by != NULL;
  /* Translators: a technical alarm, "* Bed 8 · D.O. · device silent" */
  alarm->title = g_strdup_printf (_("%s %s · %s · device silent"),
                                  ward_alarm_priority_get_marker (alarm->priority),
                                  bed_label, get_patient_text (bed, show_patient_names));
  if (alarm->acknowledged)
    /* Translators: the first %s is how long a monitor has sent nothing, "2 min", the second who acknowledged it */
    alarm->detail = g_strdup_printf (_("technical alarm, no data for %s, acknowledged by %s"), age,
                                     bed->technical_alert_acknowledged_by);
  else
    /* Translators: %s is how long a monitor has sent nothing, "2 min" */
    alarm->detail = g_strdup_printf (_("technical alarm, no data for %s"), age);

  return alarm;
}

/* A model's own flag: low priority (advice beside NEWS2, which keeps
 * the clinical alarms), with words that say it is the model's.
 */
static Alarm *
make_model_alarm (const WardBedState      *bed,
                  const WardModelFlagView *flag,
                  gint64                   now,
                  gboolean                 show_patient_names)
{
  Alarm *alarm = g_new0 (Alarm, 1);
  const char *bed_label = bed->bed_label != NULL ? bed->bed_label : bed->bed_id;
  g_autofree char *age = _ward_format_age (now - flag->opened_at);
  g_autofree char *words = _ward_model_words_flag (bed, flag);

  alarm->key = g_strdup_printf ("flag-%" G_GINT64_FORMAT, flag->flag_id);
  alarm->priority = WARD_ALARM_PRIORITY_LOW;
  alarm->since = flag->opened_at;
  alarm->flag_id = flag->flag_id;
  alarm->patient_id = g_strdup (bed->patient_id);
  alarm->acknowledged = flag->acknowledged_by != NULL;
  alarm->recovering = flag->state == WARD_FLAG_STATE_RECOVERING;
  /* Translators: a model's alarm, "* Bed 4 · D.O. · Model alert: 34 % risk of deterioration
   * within 12 h (demo model)" */
  alarm->title = g_strdup_printf (_("%s %s · %s · %s"),
                                  ward_alarm_priority_get_marker (alarm->priority),
                                  bed_label, get_patient_text (bed, show_patient_names), words);
  if (alarm->acknowledged)
    /* Translators: how long a model's flag has been open and who acknowledged it */
    alarm->detail = g_strdup_printf (_("model alert open %s, acknowledged by %s"), age,
                                     flag->acknowledged_by);
  else
    /* Translators: how long a model's flag has been open, "open 12 min" */
    alarm->detail = g_strdup_printf (_("model alert open %s, not acknowledged"), age);

  return alarm;
}

static Alarm *
make_source_alarm (const char *text)
{
  Alarm *alarm = g_new0 (Alarm, 1);

  /* Every device of the ward is cut off, so this technical alarm is high
   * priority (IEC 60601-1-8: a failure of a distributed alarm system
   * raises a technical alarm); it clears when the source reconnects.
   */
  alarm->key = g_strdup ("source");
  alarm->priority = WARD_ALARM_PRIORITY_HIGH;
  alarm->technical = TRUE;
  alarm->since = G_MININT64;
  alarm->title = g_strdup_printf ("%s %s", ward_alarm_priority_get_marker (alarm->priority), text);
  alarm->detail = g_strdup (_("technical alarm, no device data reaches the ward"));

  return alarm;
}

/* The station's alarm sound cannot play: medium priority, as a patient's
 * alarm still shows and flashes here but is no longer heard; it clears
 * when the sound plays again.
 */
static Alarm *
make_sound_alarm (const char *text)
{
  Alarm *alarm = g_new0 (Alarm, 1);

  alarm->key = g_strdup ("sound");
  alarm->priority = WARD_ALARM_PRIORITY_MEDIUM;
  alarm->technical = TRUE;
  alarm->since = G_MININT64;
  alarm->title = g_strdup_printf ("%s %s", ward_alarm_priority_get_marker (alarm->priority), text);
  alarm->detail = g_strdup (_("technical alarm, alarms are shown but not heard: check the sound output"));

  return alarm;
}

/* Classes and texts are set only when they change: every snapshot shows
 * every alarm again, mostly as it was.
 */
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
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static Entry *
get_entry (GtkWidget *widget)
{
  Entry *entry = g_object_get_data (G_OBJECT (widget), ENTRY_KEY);

  g_assert (entry != NULL);

  return entry;
}

static void
open_clicked_cb (GtkButton    *button,
                 WardAlarmBar *self)
{
  Entry *entry = get_entry (gtk_widget_get_parent (GTK_WIDGET (button)));

  if (entry->alarm->patient_id != NULL)
    g_signal_emit (self, signals[OPEN_PATIENT], 0, entry->alarm->patient_id);
}

static void
ack_clicked_cb (GtkButton    *button,
                WardAlarmBar *self)
{
  Entry *entry = get_entry (gtk_widget_get_parent (GTK_WIDGET (button)));

  if (entry->alarm->flag_id != 0 && !entry->alarm->acknowledged)
    g_signal_emit (self, signals[ACKNOWLEDGE], 0, entry->alarm->flag_id, entry->alarm->patient_id);
}

static GtkWidget *
create_entry (WardAlarmBar *self)
{
  GtkWidget *widget = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  Entry *entry = g_new0 (Entry, 1);

  gtk_widget_add_css_class (widget, "alarm");

  entry->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (entry->title_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (entry->title_label), "heading");
  entry->detail_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (entry->detail_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (entry->detail_label), "caption");
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (entry->title_label));
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (entry->detail_label));

  entry->open_button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (entry->open_button), texts);
  gtk_widget_add_css_class (entry->open_button, "flat");
  gtk_widget_add_css_class (entry->open_button, "alarm-open");
  g_signal_connect (entry->open_button, "clicked", G_CALLBACK (open_clicked_cb), self);

  entry->ack_button = gtk_button_new_with_mnemonic (_("_Acknowledge"));
  ward_a11y_name_button (GTK_BUTTON (entry->ack_button));
  gtk_widget_set_valign (entry->ack_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (entry->ack_button, "alarm-ack");
  g_signal_connect (entry->ack_button, "clicked", G_CALLBACK (ack_clicked_cb), self);

  gtk_box_append (GTK_BOX (widget), entry->open_button);
  gtk_box_append (GTK_BOX (widget), entry->ack_button);

  g_object_set_data_full (G_OBJECT (widget), ENTRY_KEY, entry, (GDestroyNotify) entry_free);

  return widget;
}

/* The flash (IEC 60601-1-8): high priority at 2 Hz, medium at 0.6 Hz,
 * bright for the first half of each period and dim for the second.  It
 * is a class ("flash-dim") that a timer toggles at each half period, not
 * a CSS animation: GTK runs the frame clock at 60 Hz for as long as a CSS
 * animation runs, even one whose colour changes twice a period, which on
 * a station without a GPU cost a few per cent of a core whenever an
 * alarm flashed.  Now a flashing alarm costs two small redraws a period.
 * Every entry of one priority flashes in step, from the monotonic clock.
 */
guint
_ward_alarm_bar_get_flash_period_msec (WardAlarmPriority priority)
{
  switch (priority)
    {
    case WARD_ALARM_PRIORITY_HIGH:
      return 500;
    case WARD_ALARM_PRIORITY_MEDIUM:
      return 1667;
    case WARD_ALARM_PRIORITY_LOW:
    default:
      return 0;
    }
}

/* Half a period in microseconds, or 0 for a steady priority. */
static gint64
get_flash_half_usec (WardAlarmPriority priority)
{
  return (gint64) _ward_alarm_bar_get_flash_period_msec (priority) * 1000 / 2;
}

static gboolean
is_flash_dim (WardAlarmPriority priority,
              gint64            now)
{
  gint64 half = get_flash_half_usec (priority);

  return half > 0 && (now / half) % 2 == 1;
}

static gboolean flash_cb (gpointer user_data);

/* Each flashing entry in its phase; the timer runs to the next flip of
 * any of them, and stops when none flashes.
 */
static void
update_flash (WardAlarmBar *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 next = G_MAXINT64;

  g_clear_handle_id (&self->flash_source, g_source_remove);
  if (self->entries_box == NULL)
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->entries_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      Entry *entry = get_entry (child);
      gboolean flashing = gtk_widget_has_css_class (child, "flashing") && entry->alarm != NULL;
      gint64 half = flashing ? get_flash_half_usec (entry->alarm->priority) : 0;

      set_class (child, "flash-dim", flashing && is_flash_dim (entry->alarm->priority, now));
      if (half > 0)
        next = MIN (next, (now / half + 1) * half);
    }

  if (next != G_MAXINT64)
    {
      /* Rounded up: at the flip or just after it, never before. */
      self->flash_source = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                               (guint) ((next - now + 999) / 1000),
                                               flash_cb, self, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->flash_source),
                                "[ward-alarm-flash]");
    }
}

static gboolean
flash_cb (gpointer user_data)
{
  WardAlarmBar *self = user_data;

  self->flash_source = 0;
  update_flash (self);

  return G_SOURCE_REMOVE;
}

static void
show_alarm (WardAlarmBar *self,
            GtkWidget    *widget,
            Alarm        *alarm)
{
  Entry *entry = get_entry (widget);
  gboolean can_ack = alarm->flag_id != 0 && !alarm->acknowledged;
  gboolean flashing;

  for (WardAlarmPriority p = WARD_ALARM_PRIORITY_LOW; p <= WARD_ALARM_PRIORITY_HIGH; p++)
    set_class (widget, get_priority_class (p), p == alarm->priority);

  /* An acknowledged alarm stays in the bar, coloured and marked, while its
   * condition lasts; it stops flashing (see docs/DASHBOARD.md).  Without
   * animations nothing flashes; colour and marker stay.  A recovering
   * flag (its score fell below the threshold) never flashes: it keeps its
   * marker and an outline in its priority's colour, and says it recovers.
   */
  flashing = self->animations && alarm->priority != WARD_ALARM_PRIORITY_LOW &&
             !alarm->acknowledged && !alarm->recovering;
  set_class (widget, "flashing", flashing);
  set_class (widget, "acknowledged", alarm->acknowledged);
  set_class (widget, "recovering", alarm->recovering);
  set_class (widget, "technical", alarm->technical);

  set_text (entry->title_label, alarm->title);
  set_text (entry->detail_label, alarm->detail);
  gtk_widget_set_visible (entry->ack_button, can_ack);
  /* Acknowledging a flag accepts its task, by the same person. */
  if (can_ack && (entry->alarm == NULL || entry->alarm->has_task != alarm->has_task))
    gtk_button_set_label (GTK_BUTTON (entry->ack_button),
                          alarm->has_task ? _("_Accept") : _("_Acknowledge"));
  gtk_widget_set_sensitive (entry->open_button, alarm->patient_id != NULL);

  if (entry->alarm == NULL || entry->alarm->priority != alarm->priority ||
      entry->alarm->recovering != alarm->recovering ||
      g_strcmp0 (entry->alarm->title, alarm->title) != 0 ||
      g_strcmp0 (entry->alarm->detail, alarm->detail) != 0)
    {
      g_autofree char *accessible = NULL;
      g_autofree char *ack = NULL;

      /* Translators: the accessible name of an alarm: priority, what, details */
      accessible = g_strdup_printf (_("%s: %s, %s"), get_priority_phrase (alarm->priority),
                                    alarm->title, alarm->detail);
      /* Translators: the accessible name of an alarm's button, %s is the alarm */
      ack = g_strdup_printf (alarm->has_task ? _("Accept %s") : _("Acknowledge %s"), alarm->title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry->open_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                      -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry->ack_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, ack,
                                      -1);
    }

  g_clear_pointer (&entry->alarm, alarm_free);
  entry->alarm = alarm;
}

static void
more_open_clicked_cb (GtkButton    *button,
                      WardAlarmBar *self)
{
  const char *patient_id = g_object_get_data (G_OBJECT (button), "ward-patient-id");

  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->more_button));
  if (patient_id != NULL)
    g_signal_emit (self, signals[OPEN_PATIENT], 0, patient_id);
}

/* The entries the bar has no room for, in their order (the lowest
 * priorities), counted on a "+N more" button whose popover lists them,
 * each opening its patient as the entry would.
 */
static gboolean
update_more_cb (gpointer user_data)
{
  WardAlarmBar *self = user_data;
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self->entries_box));
  guint n_hidden = ward_overflow_layout_get_n_hidden (WARD_OVERFLOW_LAYOUT (layout));
  g_autofree char *label = NULL;
  g_autofree char *tooltip = NULL;
  GtkWidget *child;

  self->more_source = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->more_box))) != NULL)
    gtk_box_remove (self->more_box, child);

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->entries_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      Entry *entry = get_entry (child);
      GtkWidget *row;
      GtkWidget *text;
      g_autofree char *markup = NULL;
      g_autofree char *accessible = NULL;

      if (!gtk_widget_get_visible (child) || gtk_widget_get_child_visible (child) ||
          entry->alarm == NULL)
        continue;

      markup = g_markup_printf_escaped ("<b>%s</b>\n<small>%s</small>", entry->alarm->title,
                                        entry->alarm->detail != NULL ? entry->alarm->detail : "");
      text = gtk_label_new (NULL);
      gtk_label_set_markup (GTK_LABEL (text), markup);
      gtk_label_set_xalign (GTK_LABEL (text), 0);
      row = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (row), text);
      gtk_widget_add_css_class (row, "flat");
      gtk_widget_add_css_class (row, "alarm-more-row");
      gtk_widget_add_css_class (row, get_priority_class (entry->alarm->priority));
      gtk_widget_set_sensitive (row, entry->alarm->patient_id != NULL);
      g_object_set_data_full (G_OBJECT (row), "ward-patient-id",
                              g_strdup (entry->alarm->patient_id), g_free);
      /* The entry's own accessible name: priority, what, details. */
      accessible = g_strdup_printf (_("%s: %s, %s"), get_priority_phrase (entry->alarm->priority),
                                    entry->alarm->title,
                                    entry->alarm->detail != NULL ? entry->alarm->detail : "");
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      accessible, -1);
      g_signal_connect (row, "clicked", G_CALLBACK (more_open_clicked_cb), self);
      gtk_box_append (self->more_box, row);
    }

  gtk_widget_set_visible (self->more_button, n_hidden > 0);
  if (n_hidden == 0)
    return G_SOURCE_REMOVE;

  /* Translators: the alarm bar's button for the alarms it has no room for */
  label = g_strdup_printf (ngettext ("+%u more", "+%u more", n_hidden), n_hidden);
  /* Translators: tooltip and accessible name of the "+N more" button */
  tooltip = g_strdup_printf (ngettext ("%u more alarm, not shown for lack of room",
                                       "%u more alarms, not shown for lack of room", n_hidden),
                             n_hidden);
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->more_button), label);
  gtk_widget_set_tooltip_text (self->more_button, tooltip);
  ward_a11y_name_buttons (self->more_button);

  return G_SOURCE_REMOVE;
}

/* Told during the layout: the button changes after it. */
static void
n_hidden_changed_cb (WardAlarmBar *self)
{
  if (self->more_source == 0)
    self->more_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_more_cb, self, NULL);
}

static void
rebuild (WardAlarmBar *self)
{
  g_autoptr(GPtrArray) alarms = g_ptr_array_new_with_free_func ((GDestroyNotify) alarm_free);
  GtkWidget *previous = NULL;
  GHashTableIter iter;
  gpointer value;

  if (self->source_text != NULL)
    g_ptr_array_add (alarms, make_source_alarm (self->source_text));
  if (self->sound_text != NULL)
    g_ptr_array_add (alarms, make_sound_alarm (self->sound_text));

  if (self->snapshot != NULL)
    {
      gint64 now = ward_snapshot_get_now (self->snapshot);
      guint n_beds = ward_snapshot_get_n_beds (self->snapshot);

      for (guint i = 0; i < n_beds; i++)
        {
          const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);

          if ((bed->flag_state == WARD_FLAG_STATE_OPEN ||
               bed->flag_state == WARD_FLAG_STATE_RECOVERING) && bed->flag_id != 0)
            g_ptr_array_add (alarms, make_clinical_alarm (bed, now, self->show_patient_names));
          if (bed->technical_alert)
            g_ptr_array_add (alarms, make_technical_alarm (bed, now, self->show_patient_names));
          for (guint m = 0; bed->model_flags != NULL && m < bed->model_flags->len; m++)
            {
              const WardModelFlagView *flag = &g_array_index (bed->model_flags,
                                                              WardModelFlagView, m);

              if (flag->flag_id != 0)
                g_ptr_array_add (alarms, make_model_alarm (bed, flag, now,
                                                           self->show_patient_names));
            }
        }
    }

  g_ptr_array_sort (alarms, compare_alarms);

  self->generation++;
  for (guint i = 0; i < alarms->len; i++)
    {
      Alarm *alarm = g_ptr_array_index (alarms, i);
      GtkWidget *widget = g_hash_table_lookup (self->entries, alarm->key);

      if (widget == NULL)
        {
          widget = create_entry (self);
          gtk_box_append (self->entries_box, widget);
          g_hash_table_insert (self->entries, g_strdup (alarm->key), widget);
        }

      get_entry (widget)->generation = self->generation;
      /* Only entries out of place move. */
      if (gtk_widget_get_prev_sibling (widget) != previous)
        gtk_box_reorder_child_after (self->entries_box, widget, previous);
      previous = widget;
      /* show_alarm() takes the alarm. */
      alarms->pdata[i] = NULL;
      show_alarm (self, widget, alarm);
    }

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (get_entry (value)->generation != self->generation)
        {
          gtk_box_remove (self->entries_box, value);
          g_hash_table_iter_remove (&iter);
        }
    }

  self->n_alarms = alarms->len;
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), alarms->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->entries_box), alarms->len > 0);
  set_class (GTK_WIDGET (self), "has-alarms", alarms->len > 0);
  update_flash (self);
}

static void
animations_changed_cb (GtkSettings  *settings,
                       GParamSpec   *pspec,
                       WardAlarmBar *self)
{
  gboolean animations;

  g_object_get (settings, "gtk-enable-animations", &animations, NULL);
  if (self->animations == !!animations)
    return;

  self->animations = !!animations;
  rebuild (self);
}

static void
ward_alarm_bar_dispose (GObject *object)
{
  WardAlarmBar *self = WARD_ALARM_BAR (object);
  GtkWidget *child;

  g_clear_signal_handler (&self->animations_handler, gtk_settings_get_default ());
  g_clear_handle_id (&self->more_source, g_source_remove);
  g_clear_handle_id (&self->flash_source, g_source_remove);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  g_clear_pointer (&self->source_text, g_free);
  g_clear_pointer (&self->sound_text, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_ALARM_BAR);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ward_alarm_bar_parent_class)->dispose (object);
}

static void
ward_alarm_bar_class_init (WardAlarmBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_alarm_bar_dispose;

  /**
   * WardAlarmBar::open-patient:
   * @patient_id: the patient of the alarm
   *
   * The user clicked or activated an alarm.
   */
  signals[OPEN_PATIENT] =
    g_signal_new ("open-patient",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * WardAlarmBar::acknowledge:
   * @flag_id: the flag to acknowledge
   * @patient_id: its patient
   *
   * The user asked to acknowledge an alarm.
   */
  signals[ACKNOWLEDGE] =
    g_signal_new ("acknowledge",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-alarm-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, WardAlarmBar, entries_box);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmBar, empty_label);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmBar, more_button);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmBar, more_box);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "alarmbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ward_alarm_bar_init (WardAlarmBar *self)
{
  GtkSettings *settings = gtk_settings_get_default ();
  GtkLayoutManager *layout;
  gboolean animations = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Whole entries only, never one cut at the edge (issue #12). */
  layout = ward_overflow_layout_new (6);
  gtk_widget_set_layout_manager (GTK_WIDGET (self->entries_box), layout);
  g_signal_connect_object (layout, "notify::n-hidden", G_CALLBACK (n_hidden_changed_cb), self,
                           G_CONNECT_SWAPPED);

  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (settings != NULL)
    {
      g_object_get (settings, "gtk-enable-animations", &animations, NULL);
      self->animations_handler = g_signal_connect (settings, "notify::gtk-enable-animations",
                                                   G_CALLBACK (animations_changed_cb), self);
    }
  self->animations = !!animations;

  rebuild (self);
}

GtkWidget *
ward_alarm_bar_new (void)
{
  return g_object_new (WARD_TYPE_ALARM_BAR, NULL);
}

/**
 * ward_alarm_bar_update:
 * @self: a #WardAlarmBar
 * @snapshot: (nullable): the ward
 * @show_patient_names: full names rather than initials
 *
 * Shows the open flags and silent devices of @snapshot.  Entries that
 * stay keep their widgets (and the keyboard focus); only texts, classes
 * and order change.
 */
void
ward_alarm_bar_update (WardAlarmBar *self,
                       WardSnapshot *snapshot,
                       gboolean      show_patient_names)
{
  g_return_if_fail (WARD_IS_ALARM_BAR (self));

  if (snapshot != NULL)
    ward_snapshot_ref (snapshot);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  self->snapshot = snapshot;
  self->show_patient_names = !!show_patient_names;

  rebuild (self);
}

void
ward_alarm_bar_set_source_alarm (WardAlarmBar *self,
                                 const char   *text)
{
  g_return_if_fail (WARD_IS_ALARM_BAR (self));

  if (g_strcmp0 (self->source_text, text) == 0)
    return;

  g_free (self->source_text);
  self->source_text = g_strdup (text);
  rebuild (self);
}

/* The alarm sound cannot play (its text, "Alarm sound cannot play: …"), or NULL. */
void
ward_alarm_bar_set_sound_alarm (WardAlarmBar *self,
                                const char   *text)
{
  g_return_if_fail (WARD_IS_ALARM_BAR (self));

  if (g_strcmp0 (self->sound_text, text) == 0)
    return;

  g_free (self->sound_text);
  self->sound_text = g_strdup (text);
  rebuild (self);
}

const char *
ward_alarm_bar_get_source_alarm (WardAlarmBar *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_BAR (self), NULL);

  return self->source_text;
}

guint
ward_alarm_bar_get_n_alarms (WardAlarmBar *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_BAR (self), 0);

  return self->n_alarms;
}

gint64
ward_alarm_bar_get_top_unacknowledged (WardAlarmBar  *self,
                                       const char   **patient_id)
{
  g_return_val_if_fail (WARD_IS_ALARM_BAR (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->entries_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      Entry *entry = get_entry (child);

      if (entry->alarm->flag_id != 0 && !entry->alarm->acknowledged)
        {
          if (patient_id != NULL)
            *patient_id = entry->alarm->patient_id;
          return entry->alarm->flag_id;
        }
    }

  return 0;
}

gboolean
ward_alarm_bar_focus_first (WardAlarmBar *self)
{
  GtkWidget *first;

  g_return_val_if_fail (WARD_IS_ALARM_BAR (self), FALSE);

  first = gtk_widget_get_first_child (GTK_WIDGET (self->entries_box));
  if (first == NULL)
    return FALSE;

  return gtk_widget_grab_focus (get_entry (first)->open_button);
}

GtkWidget *
_ward_alarm_bar_get_entry (WardAlarmBar *self,
                           guint         index)
{
  GtkWidget *child;

  g_return_val_if_fail (WARD_IS_ALARM_BAR (self), NULL);

  child = gtk_widget_get_first_child (GTK_WIDGET (self->entries_box));
  for (guint i = 0; child != NULL && i < index; i++)
    child = gtk_widget_get_next_sibling (child);

  return child;
}

const char *
_ward_alarm_bar_get_entry_text (GtkWidget *entry)
{
  return gtk_label_get_text (get_entry (entry)->title_label);
}

GtkWidget *
_ward_alarm_bar_get_entry_open_button (GtkWidget *entry)
{
  return get_entry (entry)->open_button;
}

GtkWidget *
_ward_alarm_bar_get_entry_ack_button (GtkWidget *entry)
{
  return get_entry (entry)->ack_button;
}

GtkWidget *
_ward_alarm_bar_get_more_button (WardAlarmBar *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_BAR (self), NULL);

  return self->more_button;
}
