/* ward-alarm-sound-strip.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-alarm-sound-strip"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-alarm-bar.h"
#include "ward-alarm-sound-strip.h"
#include "ward-window-private.h"

struct _WardAlarmSoundStrip
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkWidget      *sound_box;
  GtkImage       *sound_icon;
  GtkLabel       *sound_label;
  GtkLabel       *sound_detail;
  GtkWidget      *pause_button;
  GtkWidget      *resume_button;
  GtkWidget      *muted_box;
  GtkLabel       *muted_label;

  /* Owned */
  WardAlarmSound *sound;
};

G_DEFINE_FINAL_TYPE (WardAlarmSoundStrip, ward_alarm_sound_strip, GTK_TYPE_WIDGET)

static const char *
get_priority_words (int priority)
{
  switch (priority)
    {
    case WARD_ALARM_PRIORITY_HIGH:
      return _("high priority");
    case WARD_ALARM_PRIORITY_MEDIUM:
      return _("medium priority");
    case WARD_ALARM_PRIORITY_LOW:
      return _("low priority");
    default:
      return "";
    }
}

static void
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

/* Whole seconds, rounded up: a pause of 2 min shows 2:00, then 1:59. */
static char *
format_remaining (gint64 usec)
{
  gint64 seconds = (usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d", seconds / 60, (int) (seconds % 60));
}

/* The pause's length: "2 min", or "90 s" when not whole minutes. */
static char *
format_length (guint seconds)
{
  if (seconds % 60 == 0)
    /* Translators: an age in minutes */
    return g_strdup_printf (_("%u min"), seconds / 60);

  /* Translators: an age in seconds */
  return g_strdup_printf (_("%u s"), seconds);
}

static void
update (WardAlarmSoundStrip *self)
{
  WardAlarmSound *sound = self->sound;
  gboolean paused, sounding, muted;
  g_autofree char *muted_text = NULL;

  if (sound == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }

  paused = ward_alarm_sound_get_paused (sound);
  sounding = ward_alarm_sound_get_sounding (sound) != WARD_ALARM_SILENT &&
             ward_alarm_sound_get_effective_volume (sound) > 0.0 &&
             ward_alarm_sound_get_error (sound) == NULL;
  muted = ward_alarm_sound_get_muted (sound);

  if (paused)
    {
      g_autofree char *remaining = format_remaining (ward_alarm_sound_get_pause_remaining (sound));
      g_autofree char *title = NULL;

      /* Translators: the audio pause's countdown, %s is minutes and seconds, "1:42" */
      title = g_strdup_printf (_("Audio paused %s"), remaining);
      set_text (self->sound_label, title);
      set_text (self->sound_detail,
                _("Alarms stay on screen. A new alarm of a higher priority sounds at once."));
      gtk_image_set_from_icon_name (self->sound_icon, "audio-volume-muted-symbolic");
    }
  else if (sounding)
    {
      g_autofree char *title = NULL;
      g_autofree char *length = format_length (ward_alarm_sound_get_pause_seconds (sound));
      g_autofree char *detail = NULL;
      g_autofree char *tooltip = NULL;

      /* Translators: %s is "high priority", "medium priority" or "low priority" */
      title = g_strdup_printf (_("Alarm sounding: %s"),
                               get_priority_words (ward_alarm_sound_get_sounding (sound)));
      set_text (self->sound_label, title);
      /* Translators: %s is how long the audio pause lasts, "2 min" */
      detail = g_strdup_printf (_("Acknowledge the alarms to silence them, or pause the sound for %s."),
                                length);
      set_text (self->sound_detail, detail);
      /* Translators: %s is how long the audio pause lasts, "2 min" */
      tooltip = g_strdup_printf (_("Silence the alarm sound for %s; alarms stay on screen (Ctrl+Shift+P)"),
                                 length);
      gtk_widget_set_tooltip_text (self->pause_button, tooltip);
      gtk_image_set_from_icon_name (self->sound_icon, "audio-volume-high-symbolic");
    }

  gtk_widget_set_visible (self->sound_box, paused || sounding);
  gtk_widget_set_visible (self->pause_button, sounding && !paused);
  gtk_widget_set_visible (self->resume_button, paused);
  gtk_widget_set_sensitive (self->pause_button, sounding && !paused);
  gtk_widget_set_sensitive (self->resume_button, paused);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alarm-sound.pause", sounding || paused);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "alarm-sound.resume", paused);

  if (muted && !ward_alarm_sound_get_enabled (sound))
    muted_text = g_strdup (_("Alarms muted: alarm sound is off on this computer. "
                             "A ward station always plays its alarms."));
  else if (muted)
    /* Translators: the first %d is the volume set, the second the lowest a
     * ward station plays at; "%%" is a per cent sign
     */
    muted_text = g_strdup_printf (_("Alarms muted: the alarm volume is %d %%, below the %d %% "
                                    "a ward station keeps."),
                                  (int) (ward_alarm_sound_get_volume (sound) * 100 + 0.5),
                                  (int) (WARD_ALARM_STATION_MIN_VOLUME * 100 + 0.5));
  if (muted_text != NULL)
    set_text (self->muted_label, muted_text);
  gtk_widget_set_visible (self->muted_box, muted);

  gtk_widget_set_visible (GTK_WIDGET (self), paused || sounding || muted);
}

static void
pause_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  WardAlarmSoundStrip *self = WARD_ALARM_SOUND_STRIP (widget);

  if (self->sound != NULL)
    ward_alarm_sound_pause (self->sound);
}

static void
resume_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  WardAlarmSoundStrip *self = WARD_ALARM_SOUND_STRIP (widget);

  if (self->sound != NULL)
    ward_alarm_sound_resume (self->sound);
}

static void
ward_alarm_sound_strip_dispose (GObject *object)
{
  WardAlarmSoundStrip *self = WARD_ALARM_SOUND_STRIP (object);
  GtkWidget *child;

  if (self->sound != NULL)
    g_signal_handlers_disconnect_by_data (self->sound, self);
  g_clear_object (&self->sound);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_ALARM_SOUND_STRIP);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ward_alarm_sound_strip_parent_class)->dispose (object);
}

static void
ward_alarm_sound_strip_class_init (WardAlarmSoundStripClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_alarm_sound_strip_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-alarm-sound-strip.ui");
  gtk_widget_class_bind_template_child (widget_class, WardAlarmSoundStrip, sound_box);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmSoundStrip, sound_icon);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmSoundStrip, sound_label);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmSoundStrip, sound_detail);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmSoundStrip, pause_button);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmSoundStrip, resume_button);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmSoundStrip, muted_box);
  gtk_widget_class_bind_template_child (widget_class, WardAlarmSoundStrip, muted_label);

  gtk_widget_class_install_action (widget_class, "alarm-sound.pause", NULL, pause_action_cb);
  gtk_widget_class_install_action (widget_class, "alarm-sound.resume", NULL, resume_action_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "alarmsoundstrip");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ward_alarm_sound_strip_init (WardAlarmSoundStrip *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

GtkWidget *
ward_alarm_sound_strip_new (void)
{
  return g_object_new (WARD_TYPE_ALARM_SOUND_STRIP, NULL);
}

/**
 * ward_alarm_sound_strip_set_sound:
 * @self: a #WardAlarmSoundStrip
 * @sound: (nullable): the station's alarm sound
 *
 * Shows @sound's state: the audio pause's countdown, what sounds with
 * a Pause Audio button, and a banner while a desktop has muted alarms.
 */
void
ward_alarm_sound_strip_set_sound (WardAlarmSoundStrip *self,
                                  WardAlarmSound      *sound)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND_STRIP (self));
  g_return_if_fail (sound == NULL || WARD_IS_ALARM_SOUND (sound));

  if (self->sound == sound)
    return;

  if (self->sound != NULL)
    g_signal_handlers_disconnect_by_data (self->sound, self);
  g_set_object (&self->sound, sound);
  if (sound != NULL)
    g_signal_connect_object (sound, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);

  update (self);
}

static void
sound_error_cb (WardAlarmSound *sound,
                GParamSpec     *pspec,
                WardAlarmBar   *bar)
{
  ward_alarm_bar_set_sound_alarm (bar, ward_alarm_sound_get_error (sound));
}

/**
 * ward_alarm_sound_strip_attach:
 * @window: the ward window
 * @sound: the station's alarm sound
 *
 * Puts a strip for @sound under @window's alarm bar, and the sound's
 * technical alarm ("Alarm sound cannot play: …") into the bar.
 *
 * Returns: (transfer none): the strip
 */
WardAlarmSoundStrip *
ward_alarm_sound_strip_attach (WardWindow     *window,
                               WardAlarmSound *sound)
{
  WardAlarmBar *bar;
  GtkWidget *strip;

  g_return_val_if_fail (WARD_IS_WINDOW (window), NULL);
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (sound), NULL);

  bar = _ward_window_get_alarm_bar (window);
  strip = ward_alarm_sound_strip_new ();
  gtk_widget_insert_after (strip, gtk_widget_get_parent (GTK_WIDGET (bar)), GTK_WIDGET (bar));
  ward_alarm_sound_strip_set_sound (WARD_ALARM_SOUND_STRIP (strip), sound);

  g_signal_connect_object (sound, "notify::error", G_CALLBACK (sound_error_cb), bar, 0);
  ward_alarm_bar_set_sound_alarm (bar, ward_alarm_sound_get_error (sound));

  return WARD_ALARM_SOUND_STRIP (strip);
}

/* For tests: the texts shown, "" when hidden. */
const char *
_ward_alarm_sound_strip_get_text (WardAlarmSoundStrip *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND_STRIP (self), NULL);

  if (!gtk_widget_get_visible (self->sound_box))
    return "";

  return gtk_label_get_text (self->sound_label);
}

const char *
_ward_alarm_sound_strip_get_muted_text (WardAlarmSoundStrip *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND_STRIP (self), NULL);

  if (!gtk_widget_get_visible (self->muted_box))
    return "";

  return gtk_label_get_text (self->muted_label);
}
