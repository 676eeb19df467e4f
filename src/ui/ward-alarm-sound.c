/* ward-alarm-sound.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-alarm-sound"

#include "config.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsrc.h>
#include <gst/audio/streamvolume.h>
#include <gst/gst.h>
#include <string.h>

#include "ward-alarm-sound.h"
#include "ward-alarm-sound-private.h"
#include "ward-alarm-tone.h"

/* The tones are made in code (ward-alarm-tone.c) and pushed into
 *
 *   appsrc ! audioconvert ! audioresample ! volume ! SINK
 *
 * where SINK is autoaudiosink (the desktop's sound stack: PipeWire or
 * PulseAudio, else JACK or OSS) or, for tests and special set-ups, the
 * GStreamer description in WARDWATCH_AUDIO_SINK ("fakesink sync=true").
 *
 * A sound that cannot play must never pass for silence.  autoaudiosink,
 * when it finds no working output, quietly plays into a fakesink of its
 * own ("fake-audio-sink"): that is caught when the pipeline opens and is
 * an error like any other.  The pipeline is opened (READY, which opens
 * the device) at start, so that a station without sound says so before
 * the first alarm, and again before each sound; any error raises the
 * technical alarm ("error") and is retried every 30 s.
 */

#define RATE           48000
#define CHUNK_SAMPLES  (RATE / 10)
#define RETRY_SECONDS  30

struct _WardAlarmSound
{
  GObject              parent_instance;

  /* Owned */
  GstElement          *pipeline;     /* NULL until opened, and after an error */
  GstElement          *volume;       /* borrowed from the pipeline */
  GstElement          *sink;         /* the sink as made, borrowed from the pipeline */
  char                *error;
  WardSnapshot        *snapshot;
  WardAlarmArbiter     arbiter;
  WardAlarmSoundClock  clock;
  gpointer             clock_data;
  guint                bus_watch;
  guint                retry_source;
  guint                countdown_source;
  int                  playing;      /* what the pipeline plays now */
  guint                pause_seconds;
  double               volume_setting;
  gboolean             source_alarm;
  gboolean             station;
  gboolean             enabled;
  gboolean             retrying;     /* opening again despite "error" */
  char                *sink_description; /* NULL: WARDWATCH_AUDIO_SINK, else autoaudiosink */

  /* Shared with the streaming thread, under lock */
  GMutex               lock;
  const WardAlarmTone *tone;
  guint64              position;     /* samples since the burst began */
};

G_DEFINE_FINAL_TYPE (WardAlarmSound, ward_alarm_sound, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SOUNDING,
  PROP_ALARM_PRIORITY,
  PROP_PAUSED,
  PROP_PAUSE_REMAINING,
  PROP_ERROR,
  PROP_STATION,
  PROP_ENABLED,
  PROP_VOLUME,
  PROP_PAUSE_SECONDS,
  PROP_EFFECTIVE_VOLUME,
  PROP_MUTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void apply (WardAlarmSound *self);

static gint64
default_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static gint64
get_now (WardAlarmSound *self)
{
  return self->clock (self->clock_data);
}

static gboolean
get_plays (WardAlarmSound *self)
{
  return self->station || self->enabled;
}

static void
set_error (WardAlarmSound *self,
           const char     *reason)
{
  g_autofree char *text = NULL;

  if (reason != NULL)
    /* Translators: a technical alarm; %s is why, from the sound system,
     * "no audio output was found (no sound server or sound card)"
     */
    text = g_strdup_printf (_("Alarm sound cannot play: %s"), reason);

  if (g_strcmp0 (self->error, text) == 0)
    return;

  if (text != NULL)
    g_message ("%s", text);
  else
    g_message ("Alarm sound plays again");

  g_free (self->error);
  self->error = g_steal_pointer (&text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
need_data_cb (GstAppSrc *src,
              guint      length,
              gpointer   user_data)
{
  WardAlarmSound *self = user_data;
  GstBuffer *buffer;
  GstMapInfo map;
  const WardAlarmTone *tone;
  guint64 position;

  g_mutex_lock (&self->lock);
  tone = self->tone;
  position = self->position;
  self->position += CHUNK_SAMPLES;
  g_mutex_unlock (&self->lock);

  buffer = gst_buffer_new_allocate (NULL, CHUNK_SAMPLES * sizeof (gint16), NULL);
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  if (tone != NULL)
    ward_alarm_tone_render (tone, RATE, position, (gint16 *) map.data, CHUNK_SAMPLES);
  else
    memset (map.data, 0, map.size);
  gst_buffer_unmap (buffer, &map);

  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (position, GST_SECOND, RATE);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (CHUNK_SAMPLES, GST_SECOND, RATE);
  gst_app_src_push_buffer (src, buffer);
}

static void
close_pipeline (WardAlarmSound *self)
{
  if (self->pipeline == NULL)
    return;

  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  self->volume = NULL;
  self->sink = NULL;
  g_clear_pointer (&self->pipeline, gst_object_unref);
  self->playing = WARD_ALARM_SILENT;
}

/* autoaudiosink with no working output has a fakesink inside. */
static gboolean
has_fake_output (GstElement *sink)
{
  g_autoptr(GstIterator) iter = NULL;
  GValue item = G_VALUE_INIT;
  gboolean fake = FALSE;

  if (!GST_IS_BIN (sink))
    return FALSE;

  iter = gst_bin_iterate_recurse (GST_BIN (sink));
  while (!fake && gst_iterator_next (iter, &item) == GST_ITERATOR_OK)
    {
      GstElementFactory *factory = gst_element_get_factory (g_value_get_object (&item));

      fake = factory != NULL &&
             g_strcmp0 (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "fakesink") == 0;
      g_value_reset (&item);
    }
  g_value_unset (&item);

  return fake;
}

/* The reason in an error message on the bus, if one is waiting. */
static char *
pop_bus_error (GstElement *pipeline)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_autoptr(GError) error = NULL;

  if (message == NULL)
    return NULL;

  gst_message_parse_error (message, &error, NULL);
  return g_strdup (error->message);
}

static gboolean
retry_cb (gpointer user_data)
{
  WardAlarmSound *self = user_data;

  /* The error stays until the output opens, so that a failure that
   * lasts is said once, not every 30 s.
   */
  self->retry_source = 0;
  self->retrying = TRUE;
  apply (self);
  self->retrying = FALSE;

  return G_SOURCE_REMOVE;
}

static void
fail (WardAlarmSound *self,
      const char     *reason)
{
  close_pipeline (self);
  set_error (self, reason);
  if (self->retry_source == 0)
    self->retry_source = g_timeout_add_seconds (RETRY_SECONDS, retry_cb, self);
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  WardAlarmSound *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      g_debug ("Sound pipeline error: %s (%s)", error->message, debug);
      /* The source is removed by fail() (close_pipeline). */
      self->bus_watch = 0;
      fail (self, error->message);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static GstElement *
create_sink (WardAlarmSound  *self,
             gboolean        *automatic,
             GError         **error)
{
  const char *description = self->sink_description;
  GstElement *sink;

  if (description == NULL)
    description = g_getenv ("WARDWATCH_AUDIO_SINK");

  *automatic = description == NULL || *description == '\0';
  if (!*automatic)
    return gst_parse_bin_from_description (description, TRUE, error);

  sink = gst_element_factory_make ("autoaudiosink", NULL);
  if (sink == NULL)
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                         _("GStreamer’s autoaudiosink is missing (gstreamer1.0-plugins-good)"));
  return sink;
}

/* Builds the pipeline and opens the output (READY): FALSE, with the
 * technical alarm raised, when it cannot.
 */
static gboolean
open_pipeline (WardAlarmSound *self)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *src, *convert, *resample, *volume, *sink;
  gboolean automatic = FALSE;

  if (self->pipeline != NULL)
    return TRUE;
  if (self->error != NULL && !self->retrying)
    return FALSE;   /* until the retry */

  src = gst_element_factory_make ("appsrc", NULL);
  convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  volume = gst_element_factory_make ("volume", NULL);
  if (src == NULL || convert == NULL || resample == NULL || volume == NULL)
    {
      g_clear_pointer (&src, gst_object_unref);
      g_clear_pointer (&convert, gst_object_unref);
      g_clear_pointer (&resample, gst_object_unref);
      g_clear_pointer (&volume, gst_object_unref);
      fail (self, _("GStreamer’s base plugins are missing (gstreamer1.0-plugins-base)"));
      return FALSE;
    }

  sink = create_sink (self, &automatic, &error);
  if (sink == NULL)
    {
      gst_object_unref (src);
      gst_object_unref (convert);
      gst_object_unref (resample);
      gst_object_unref (volume);
      fail (self, error->message);
      return FALSE;
    }

  pipeline = gst_object_ref_sink (gst_pipeline_new ("ward-alarm-sound"));
  gst_bin_add_many (GST_BIN (pipeline), src, convert, resample, volume, sink, NULL);
  if (!gst_element_link_many (src, convert, resample, volume, sink, NULL))
    {
      fail (self, _("the audio output does not take sound"));
      return FALSE;
    }

  caps = gst_caps_new_simple ("audio/x-raw",
                              "format", G_TYPE_STRING, "S16LE",
                              "layout", G_TYPE_STRING, "interleaved",
                              "rate", G_TYPE_INT, RATE,
                              "channels", G_TYPE_INT, 1,
                              NULL);
  g_object_set (src,
                "caps", caps,
                "format", GST_FORMAT_TIME,
                "is-live", FALSE,
                "max-bytes", (guint64) (2 * CHUNK_SAMPLES * sizeof (gint16)),
                NULL);
  gst_app_src_set_callbacks (GST_APP_SRC (src),
                             &(GstAppSrcCallbacks) { .need_data = need_data_cb },
                             self, NULL);

  if (gst_element_set_state (pipeline, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
    {
      g_autofree char *reason = pop_bus_error (pipeline);

      gst_element_set_state (pipeline, GST_STATE_NULL);
      fail (self, reason != NULL ? reason : _("the audio output cannot be opened"));
      return FALSE;
    }

  if (automatic && has_fake_output (sink))
    {
      gst_element_set_state (pipeline, GST_STATE_NULL);
      fail (self, _("no audio output was found (no sound server or sound card)"));
      return FALSE;
    }

  bus = gst_element_get_bus (pipeline);
  self->bus_watch = gst_bus_add_watch (bus, bus_cb, self);
  self->pipeline = g_steal_pointer (&pipeline);
  self->volume = volume;
  self->sink = sink;
  self->playing = WARD_ALARM_SILENT;
  set_error (self, NULL);
  g_object_set (self->volume, "volume",
                gst_stream_volume_convert_volume (GST_STREAM_VOLUME_FORMAT_CUBIC,
                                                  GST_STREAM_VOLUME_FORMAT_LINEAR,
                                                  ward_alarm_sound_get_effective_volume (self)),
                NULL);

  return TRUE;
}

/* Plays what the arbiter chose, from the start of its burst. */
static void
play (WardAlarmSound *self,
      int             want)
{
  if (want == self->playing)
    return;

  if (want == WARD_ALARM_SILENT)
    {
      /* READY stops the streaming thread and keeps the output open. */
      gst_element_set_state (self->pipeline, GST_STATE_READY);
      self->playing = WARD_ALARM_SILENT;
      return;
    }

  gst_element_set_state (self->pipeline, GST_STATE_READY);
  g_mutex_lock (&self->lock);
  self->tone = ward_alarm_tone_get (want);
  self->position = 0;
  g_mutex_unlock (&self->lock);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autofree char *reason = pop_bus_error (self->pipeline);

      fail (self, reason != NULL ? reason : _("the audio output refused to play"));
      return;
    }

  self->playing = want;
}

static gboolean
countdown_cb (gpointer user_data)
{
  WardAlarmSound *self = user_data;

  _ward_alarm_sound_tick (self);

  return G_SOURCE_CONTINUE;
}

/* After any change: the arbiter's choice, the pipeline and the
 * countdown's timer follow.
 */
static void
apply (WardAlarmSound *self)
{
  int want = get_plays (self) ? self->arbiter.sounding : WARD_ALARM_SILENT;
  gboolean paused = ward_alarm_arbiter_is_paused (&self->arbiter);

  if (get_plays (self))
    {
      if (open_pipeline (self))
        play (self, want);
    }
  else
    {
      close_pipeline (self);
      g_clear_handle_id (&self->retry_source, g_source_remove);
      set_error (self, NULL);
    }

  if (paused && self->countdown_source == 0)
    self->countdown_source = g_timeout_add (250, countdown_cb, self);
  else if (!paused)
    g_clear_handle_id (&self->countdown_source, g_source_remove);
}

static void
rearbitrate (WardAlarmSound *self)
{
  gboolean was_paused = ward_alarm_arbiter_is_paused (&self->arbiter);
  int was_highest = self->arbiter.highest;
  int highest = ward_alarm_arbiter_collect (self->snapshot, self->source_alarm);
  gboolean changed;

  changed = ward_alarm_arbiter_update (&self->arbiter, highest, get_now (self));
  apply (self);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOUNDING]);
  if (was_highest != self->arbiter.highest)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALARM_PRIORITY]);
  if (was_paused != ward_alarm_arbiter_is_paused (&self->arbiter))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

static void
ward_alarm_sound_dispose (GObject *object)
{
  WardAlarmSound *self = WARD_ALARM_SOUND (object);

  close_pipeline (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);

  G_OBJECT_CLASS (ward_alarm_sound_parent_class)->dispose (object);
}

static void
ward_alarm_sound_finalize (GObject *object)
{
  WardAlarmSound *self = WARD_ALARM_SOUND (object);

  g_free (self->error);
  g_free (self->sink_description);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ward_alarm_sound_parent_class)->finalize (object);
}

static void
ward_alarm_sound_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  WardAlarmSound *self = WARD_ALARM_SOUND (object);

  switch (prop_id)
    {
    case PROP_SOUNDING:
      g_value_set_int (value, ward_alarm_sound_get_sounding (self));
      break;
    case PROP_ALARM_PRIORITY:
      g_value_set_int (value, ward_alarm_sound_get_alarm_priority (self));
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, ward_alarm_sound_get_paused (self));
      break;
    case PROP_PAUSE_REMAINING:
      g_value_set_int64 (value, ward_alarm_sound_get_pause_remaining (self));
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_STATION:
      g_value_set_boolean (value, self->station);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_VOLUME:
      g_value_set_double (value, self->volume_setting);
      break;
    case PROP_PAUSE_SECONDS:
      g_value_set_uint (value, self->pause_seconds);
      break;
    case PROP_EFFECTIVE_VOLUME:
      g_value_set_double (value, ward_alarm_sound_get_effective_volume (self));
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, ward_alarm_sound_get_muted (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_alarm_sound_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  WardAlarmSound *self = WARD_ALARM_SOUND (object);

  switch (prop_id)
    {
    case PROP_STATION:
      ward_alarm_sound_set_station (self, g_value_get_boolean (value));
      break;
    case PROP_ENABLED:
      ward_alarm_sound_set_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_VOLUME:
      ward_alarm_sound_set_volume (self, g_value_get_double (value));
      break;
    case PROP_PAUSE_SECONDS:
      ward_alarm_sound_set_pause_seconds (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_alarm_sound_class_init (WardAlarmSoundClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_alarm_sound_dispose;
  object_class->finalize = ward_alarm_sound_finalize;
  object_class->get_property = ward_alarm_sound_get_property;
  object_class->set_property = ward_alarm_sound_set_property;

  properties[PROP_SOUNDING] =
    g_param_spec_int ("sounding", NULL, NULL,
                      WARD_ALARM_SILENT, WARD_ALARM_PRIORITY_HIGH, WARD_ALARM_SILENT,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ALARM_PRIORITY] =
    g_param_spec_int ("alarm-priority", NULL, NULL,
                      WARD_ALARM_SILENT, WARD_ALARM_PRIORITY_HIGH, WARD_ALARM_SILENT,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PAUSE_REMAINING] =
    g_param_spec_int64 ("pause-remaining", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATION] =
    g_param_spec_boolean ("station", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_VOLUME] =
    g_param_spec_double ("volume", NULL, NULL, 0.0, 1.0, 0.8,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PAUSE_SECONDS] =
    g_param_spec_uint ("pause-seconds", NULL, NULL, 30, 120, 120,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_EFFECTIVE_VOLUME] =
    g_param_spec_double ("effective-volume", NULL, NULL, 0.0, 1.0, 0.8,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ward_alarm_sound_init (WardAlarmSound *self)
{
  g_mutex_init (&self->lock);
  ward_alarm_arbiter_init (&self->arbiter);
  self->clock = default_clock;
  self->playing = WARD_ALARM_SILENT;
  self->pause_seconds = WARD_ALARM_PAUSE_USEC / G_USEC_PER_SEC;
  self->volume_setting = 0.8;
  self->enabled = TRUE;
}

/**
 * ward_alarm_sound_new:
 *
 * Makes the station's alarm sound and opens the audio output at once, so
 * that a station without sound raises its technical alarm ("error")
 * before any patient's alarm needs it.
 *
 * Returns: (transfer full): a new #WardAlarmSound
 */
WardAlarmSound *
ward_alarm_sound_new (void)
{
  return _ward_alarm_sound_new_for_sink (NULL);
}

/* For tests: the sink's GStreamer description, instead of
 * WARDWATCH_AUDIO_SINK (which tests would have to set while GStreamer's
 * threads run).
 */
WardAlarmSound *
_ward_alarm_sound_new_for_sink (const char *description)
{
  g_autoptr(GError) error = NULL;
  WardAlarmSound *self = g_object_new (WARD_TYPE_ALARM_SOUND, NULL);

  self->sink_description = g_strdup (description);
  if (!gst_init_check (NULL, NULL, &error))
    set_error (self, error->message);
  else
    apply (self);

  return self;
}

/**
 * ward_alarm_sound_update:
 * @self: a #WardAlarmSound
 * @snapshot: (nullable): the ward
 *
 * Plays the highest priority among the ward's active, unacknowledged
 * alarms (ward_alarm_arbiter_collect()), unless the audio is paused.
 */
void
ward_alarm_sound_update (WardAlarmSound *self,
                         WardSnapshot   *snapshot)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  if (snapshot != NULL)
    ward_snapshot_ref (snapshot);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  self->snapshot = snapshot;

  rearbitrate (self);
}

/* The device source is down: the alarm bar's high-priority technical alarm. */
void
ward_alarm_sound_set_source_alarm (WardAlarmSound *self,
                                   gboolean        source_alarm)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  if (self->source_alarm == !!source_alarm)
    return;

  self->source_alarm = !!source_alarm;
  rearbitrate (self);
}

/**
 * ward_alarm_sound_pause:
 * @self: a #WardAlarmSound
 *
 * Audio pause: silent for the pause's length ("pause-seconds", 2 min),
 * unless an alarm of a higher priority than the one paused comes; the
 * alarms stay on screen.  Only while an alarm sounds (or to start a
 * pause again).
 *
 * Returns: %TRUE if the sound is paused
 */
gboolean
ward_alarm_sound_pause (WardAlarmSound *self)
{
  gboolean was_paused;

  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), FALSE);

  was_paused = ward_alarm_arbiter_is_paused (&self->arbiter);
  if (!ward_alarm_arbiter_pause (&self->arbiter, get_now (self),
                                 (gint64) self->pause_seconds * G_USEC_PER_SEC))
    return FALSE;

  apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOUNDING]);
  if (!was_paused)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSE_REMAINING]);

  return TRUE;
}

/* Ends the audio pause early.  Returns: %TRUE if there was one. */
gboolean
ward_alarm_sound_resume (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), FALSE);

  if (!ward_alarm_arbiter_resume (&self->arbiter, get_now (self)))
    return FALSE;

  apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOUNDING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSE_REMAINING]);

  return TRUE;
}

/* What the arbiter plays now (WARD_ALARM_SILENT while paused or with
 * nothing to sound), whether or not the output works.
 */
int
ward_alarm_sound_get_sounding (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), WARD_ALARM_SILENT);

  return self->arbiter.sounding;
}

/* The highest active, unacknowledged priority, paused or not. */
int
ward_alarm_sound_get_alarm_priority (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), WARD_ALARM_SILENT);

  return self->arbiter.highest;
}

gboolean
ward_alarm_sound_get_paused (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), FALSE);

  return ward_alarm_arbiter_is_paused (&self->arbiter);
}

/* Microseconds left of the audio pause; 0 when not paused. */
gint64
ward_alarm_sound_get_pause_remaining (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), 0);

  return ward_alarm_arbiter_get_pause_remaining (&self->arbiter, get_now (self));
}

/**
 * ward_alarm_sound_get_error:
 *
 * Returns: (nullable): the technical alarm's text, "Alarm sound cannot
 *   play: …", while the sound cannot play; NULL otherwise
 */
const char *
ward_alarm_sound_get_error (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), NULL);

  return self->error;
}

gboolean
ward_alarm_sound_get_station (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), FALSE);

  return self->station;
}

/**
 * ward_alarm_sound_set_station:
 * @station: %TRUE at a ward station (the kiosk)
 *
 * A station always plays its alarms, at %WARD_ALARM_STATION_MIN_VOLUME
 * or more, whatever "enabled" and "volume" say.
 */
void
ward_alarm_sound_set_station (WardAlarmSound *self,
                              gboolean        station)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  if (self->station == !!station)
    return;

  self->station = !!station;
  apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EFFECTIVE_VOLUME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

gboolean
ward_alarm_sound_get_enabled (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), FALSE);

  return self->enabled;
}

/* The "alarm-sound" setting; a desktop only (a station always plays). */
void
ward_alarm_sound_set_enabled (WardAlarmSound *self,
                              gboolean        enabled)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  if (self->enabled == !!enabled)
    return;

  self->enabled = !!enabled;
  apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

double
ward_alarm_sound_get_volume (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), 0.0);

  return self->volume_setting;
}

/* The "alarm-volume" setting, 0 to 1 (a cubic scale, as the desktop's
 * own volume sliders).
 */
void
ward_alarm_sound_set_volume (WardAlarmSound *self,
                             double          volume)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  volume = CLAMP (volume, 0.0, 1.0);
  if (self->volume_setting == volume)
    return;

  self->volume_setting = volume;
  if (self->volume != NULL)
    g_object_set (self->volume, "volume",
                  gst_stream_volume_convert_volume (GST_STREAM_VOLUME_FORMAT_CUBIC,
                                                    GST_STREAM_VOLUME_FORMAT_LINEAR,
                                                    ward_alarm_sound_get_effective_volume (self)),
                  NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EFFECTIVE_VOLUME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

guint
ward_alarm_sound_get_pause_seconds (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), 0);

  return self->pause_seconds;
}

/* The audio pause's length for the next pause, 30 s to the reference's 2 min. */
void
ward_alarm_sound_set_pause_seconds (WardAlarmSound *self,
                                    guint           seconds)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  seconds = CLAMP (seconds, 30, WARD_ALARM_PAUSE_USEC / G_USEC_PER_SEC);
  if (self->pause_seconds == seconds)
    return;

  self->pause_seconds = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSE_SECONDS]);
}

/* The volume played at (0 when a desktop has turned alarm sound off). */
double
ward_alarm_sound_get_effective_volume (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), 0.0);

  if (self->station)
    return MAX (self->volume_setting, WARD_ALARM_STATION_MIN_VOLUME);
  if (!self->enabled)
    return 0.0;

  return self->volume_setting;
}

/* A desktop whose alarms are off or quieter than a station's minimum:
 * the window says so in a banner, never silently.
 */
gboolean
ward_alarm_sound_get_muted (WardAlarmSound *self)
{
  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), FALSE);

  return !self->station &&
         (!self->enabled || self->volume_setting < WARD_ALARM_STATION_MIN_VOLUME);
}

void
_ward_alarm_sound_set_clock (WardAlarmSound      *self,
                             WardAlarmSoundClock  clock,
                             gpointer             user_data)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  self->clock = clock != NULL ? clock : default_clock;
  self->clock_data = user_data;
}

void
_ward_alarm_sound_tick (WardAlarmSound *self)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  rearbitrate (self);
  if (ward_alarm_arbiter_is_paused (&self->arbiter) || self->countdown_source != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSE_REMAINING]);
}

void
_ward_alarm_sound_set_sink (WardAlarmSound *self,
                            const char     *description)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  g_free (self->sink_description);
  self->sink_description = g_strdup (description);
}

void
_ward_alarm_sound_retry (WardAlarmSound *self)
{
  g_return_if_fail (WARD_IS_ALARM_SOUND (self));

  if (self->retry_source == 0)
    return;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  retry_cb (self);
}

GstElement *
_ward_alarm_sound_get_sink (WardAlarmSound *self)
{
  g_autoptr(GstIterator) iter = NULL;
  GValue item = G_VALUE_INIT;
  GstElement *found = NULL;

  g_return_val_if_fail (WARD_IS_ALARM_SOUND (self), NULL);

  if (self->sink == NULL || !GST_IS_BIN (self->sink))
    return self->sink;

  iter = gst_bin_iterate_sinks (GST_BIN (self->sink));
  if (gst_iterator_next (iter, &item) == GST_ITERATOR_OK)
    found = g_value_get_object (&item);
  g_value_unset (&item);

  return found;
}
