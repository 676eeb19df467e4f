/* test-alarm-sound.c: the alarm sound through real GStreamer pipelines
 * into sinks that make no noise, its audio pause, its strip and its
 * technical alarm.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-alarm-sound"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "ward-alarm-bar.h"
#include "ward-alarm-bar-private.h"
#include "ward-alarm-sound.h"
#include "ward-alarm-sound-private.h"
#include "ward-alarm-sound-strip.h"
#include "ward-alarm-tone.h"
#include "ward-application.h"
#include "ward-window.h"
#include "ward-window-private.h"

#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)
#define SEC G_USEC_PER_SEC
#define COUNTING_SINK "fakesink sync=true signal-handoffs=true"

/* What the fakesink was handed, counted on the streaming thread. */
typedef struct
{
  gint    buffers;
  gint    audible;       /* buffers with a sample louder than -30 dBFS */
  double  high_power;    /* Goertzel power at the high tone's pitch, summed */
  double  low_power;
} Heard;

static gint64 fake_now = 1000 * SEC;

static gint64
fake_clock (gpointer user_data)
{
  return fake_now;
}

static double
goertzel (const gint16 *samples,
          gsize         n,
          double        frequency)
{
  double coeff = 2.0 * cos (2.0 * G_PI * frequency / 48000.0);
  double s1 = 0.0, s2 = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double s = samples[i] / 32768.0 + coeff * s1 - s2;

      s2 = s1;
      s1 = s;
    }

  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

static void
handoff_cb (GstElement *sink,
            GstBuffer  *buffer,
            GstPad     *pad,
            Heard      *heard)
{
  GstMapInfo map;
  const gint16 *samples;
  gsize n;
  gboolean audible = FALSE;

  g_atomic_int_inc (&heard->buffers);
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;

  samples = (const gint16 *) map.data;
  n = map.size / sizeof (gint16);
  for (gsize i = 0; i < n && !audible; i++)
    audible = ABS ((int) samples[i]) > 1000;
  if (audible)
    {
      g_atomic_int_inc (&heard->audible);
      /* Read on the main thread only after the pipeline stopped. */
      heard->high_power += goertzel (samples, n,
                                     ward_alarm_tone_get (WARD_ALARM_PRIORITY_HIGH)->frequency);
      heard->low_power += goertzel (samples, n,
                                    ward_alarm_tone_get (WARD_ALARM_PRIORITY_LOW)->frequency);
    }
  gst_buffer_unmap (buffer, &map);
}

static WardBedState *
add_bed (GArray *beds)
{
  WardBedState bed = { 0 };
  guint number = beds->len + 1;

  bed.bed_id = g_strdup_printf ("bed-%02u", number);
  bed.bed_label = g_strdup_printf ("Bed %u", number);
  bed.patient_id = g_strdup_printf ("sim-patient-%02u", number);
  bed.patient_initials = g_strdup_printf ("P.N%u", number);
  bed.device_id = g_strdup_printf ("sim-monitor-%02u", number);
  bed.spo2_scale = 1;
  g_array_append_val (beds, bed);

  return &g_array_index (beds, WardBedState, beds->len - 1);
}

/* A ward whose bed 1 has a flag of @band (none if @band is LOW), or
 * whose bed 2 has a silent monitor when @device_silent.
 */
static WardSnapshot *
make_snapshot (WardBand  band,
               gboolean  flag,
               gboolean  acknowledged)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  WardBedState *bed;

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  bed = add_bed (beds);
  if (flag)
    {
      bed->flag_state = WARD_FLAG_STATE_OPEN;
      bed->flag_id = 21;
      bed->flag_band = band;
      bed->flag_opened_at = NOW - 60 * SEC;
      bed->has_score = TRUE;
      bed->score_band = band;
      bed->score_total = band == WARD_BAND_HIGH ? 8 : 5;
      if (acknowledged)
        bed->flag_acknowledged_by = g_strdup ("ada.nwosu");
    }
  add_bed (beds);

  return _ward_snapshot_new (NOW, 1, beds, &counters);
}

static void
feed (WardAlarmSound *sound,
      WardBand        band,
      gboolean        flag,
      gboolean        acknowledged)
{
  g_autoptr(WardSnapshot) snapshot = make_snapshot (band, flag, acknowledged);

  ward_alarm_sound_update (sound, snapshot);
}

/* Runs the main loop (the bus watch) for @usec of real time. */
static void
run_for (gint64 usec)
{
  gint64 end = g_get_monotonic_time () + usec;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

/* Waits until @count reaches @at_least, at most 10 s. */
static gboolean
wait_for (gint *count,
          gint  at_least)
{
  gint64 end = g_get_monotonic_time () + 10 * SEC;

  while (g_atomic_int_get (count) < at_least && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }

  return g_atomic_int_get (count) >= at_least;
}

static WardAlarmSound *
create_sound (const char *sink,
              Heard      *heard)
{
  WardAlarmSound *sound;
  GstElement *element;

  sound = _ward_alarm_sound_new_for_sink (sink);
  _ward_alarm_sound_set_clock (sound, fake_clock, NULL);
  g_assert_null (ward_alarm_sound_get_error (sound));

  element = _ward_alarm_sound_get_sink (sound);
  g_assert_nonnull (element);
  if (heard != NULL)
    g_signal_connect (element, "handoff", G_CALLBACK (handoff_cb), heard);

  return sound;
}

/* A high-priority flag is heard at the high tone's pitch; nothing flows
 * during the audio pause; the sound comes back when it runs out.
 */
static void
test_alarm_sound_plays_and_pauses (void)
{
  Heard heard = { 0 };
  g_autoptr(WardAlarmSound) sound = create_sound (COUNTING_SINK, &heard);
  gint buffers;

  /* Nothing to sound: nothing flows. */
  feed (sound, WARD_BAND_LOW, FALSE, FALSE);
  g_assert_cmpint (ward_alarm_sound_get_sounding (sound), ==, WARD_ALARM_SILENT);
  g_assert_false (ward_alarm_sound_pause (sound));
  run_for (300 * 1000);
  g_assert_cmpint (g_atomic_int_get (&heard.buffers), ==, 0);

  feed (sound, WARD_BAND_HIGH, TRUE, FALSE);
  g_assert_cmpint (ward_alarm_sound_get_sounding (sound), ==, WARD_ALARM_PRIORITY_HIGH);
  g_assert_true (wait_for (&heard.audible, 3));
  g_assert_null (ward_alarm_sound_get_error (sound));

  g_assert_true (ward_alarm_sound_pause (sound));
  g_assert_true (ward_alarm_sound_get_paused (sound));
  g_assert_cmpint (ward_alarm_sound_get_sounding (sound), ==, WARD_ALARM_SILENT);
  g_assert_cmpint (ward_alarm_sound_get_alarm_priority (sound), ==, WARD_ALARM_PRIORITY_HIGH);
  g_assert_cmpint (ward_alarm_sound_get_pause_remaining (sound), ==, 120 * SEC);
  /* The pitch was the high tone's, not the low one's. */
  g_assert_cmpfloat (heard.high_power, >, 100.0 * heard.low_power);

  buffers = g_atomic_int_get (&heard.buffers);
  feed (sound, WARD_BAND_HIGH, TRUE, FALSE);
  run_for (SEC);
  g_assert_cmpint (g_atomic_int_get (&heard.buffers), ==, buffers);

  /* Two minutes on the controlled clock: the sound is back. */
  fake_now += 119 * SEC;
  _ward_alarm_sound_tick (sound);
  g_assert_true (ward_alarm_sound_get_paused (sound));
  g_assert_cmpint (ward_alarm_sound_get_pause_remaining (sound), ==, SEC);
  fake_now += SEC;
  _ward_alarm_sound_tick (sound);
  g_assert_false (ward_alarm_sound_get_paused (sound));
  g_assert_cmpint (ward_alarm_sound_get_sounding (sound), ==, WARD_ALARM_PRIORITY_HIGH);
  g_assert_true (wait_for (&heard.audible, g_atomic_int_get (&heard.audible) + 2));

  /* Acknowledged: silent again, and nothing flows. */
  feed (sound, WARD_BAND_HIGH, TRUE, TRUE);
  g_assert_cmpint (ward_alarm_sound_get_sounding (sound), ==, WARD_ALARM_SILENT);
  buffers = g_atomic_int_get (&heard.buffers);
  run_for (500 * 1000);
  g_assert_cmpint (g_atomic_int_get (&heard.buffers), ==, buffers);
}

/* Paused at medium, a high-priority flag breaks through at once. */
static void
test_alarm_sound_break_through (void)
{
  Heard heard = { 0 };
  g_autoptr(WardAlarmSound) sound = create_sound (COUNTING_SINK, &heard);
  gint buffers;

  feed (sound, WARD_BAND_MEDIUM, TRUE, FALSE);
  g_assert_cmpint (ward_alarm_sound_get_sounding (sound), ==, WARD_ALARM_PRIORITY_MEDIUM);
  g_assert_true (wait_for (&heard.audible, 1));
  g_assert_true (ward_alarm_sound_pause (sound));

  buffers = g_atomic_int_get (&heard.buffers);
  run_for (300 * 1000);
  g_assert_cmpint (g_atomic_int_get (&heard.buffers), ==, buffers);

  fake_now += 10 * SEC;
  feed (sound, WARD_BAND_HIGH, TRUE, FALSE);
  g_assert_false (ward_alarm_sound_get_paused (sound));
  g_assert_cmpint (ward_alarm_sound_get_sounding (sound), ==, WARD_ALARM_PRIORITY_HIGH);
  g_assert_true (wait_for (&heard.buffers, buffers + 3));
}

/* A sink that cannot open raises the technical alarm with its reason,
 * in the alarm bar, and nothing pretends to play.
 */
static void
test_alarm_sound_broken_sink (void)
{
  static const char *broken[] = {
    /* No such element: a missing plugin. */
    "nosuchaudiosink",
    /* A sound server that is not there. */
    "pulsesink server=127.0.0.1:1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(WardAlarmSound) sound = NULL;
      WardWindow *window;
      WardAlarmBar *bar;
      const char *error;

      if (i == 1 && gst_element_factory_find ("pulsesink") == NULL)
        continue;

      g_test_expect_message ("ward-alarm-sound", G_LOG_LEVEL_MESSAGE, "Alarm sound cannot play: *");
      sound = _ward_alarm_sound_new_for_sink (broken[i]);
      g_test_assert_expected_messages ();
      _ward_alarm_sound_set_clock (sound, fake_clock, NULL);

      error = ward_alarm_sound_get_error (sound);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", broken[i], error);
      g_assert_true (g_str_has_prefix (error, "Alarm sound cannot play: "));
      g_assert_cmpuint (strlen (error), >, strlen ("Alarm sound cannot play: "));

      /* Shown in the window's alarm bar as a technical alarm. */
      window = ward_window_new (NULL);
      ward_alarm_sound_strip_attach (window, sound);
      gtk_window_present (GTK_WINDOW (window));
      bar = _ward_window_get_alarm_bar (window);
      g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, 1);
      g_assert_nonnull (strstr (_ward_alarm_bar_get_entry_text (_ward_alarm_bar_get_entry (bar, 0)),
                                error));

      /* A high-priority flag still chooses what would sound. */
      feed (sound, WARD_BAND_HIGH, TRUE, FALSE);
      g_assert_cmpint (ward_alarm_sound_get_alarm_priority (sound), ==, WARD_ALARM_PRIORITY_HIGH);
      g_assert_nonnull (ward_alarm_sound_get_error (sound));

      gtk_window_destroy (GTK_WINDOW (window));
    }
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

/* A failure that lasts is said once; when the output works again the
 * technical alarm clears by itself and the alarm sounds.
 */
static void
test_alarm_sound_recovers (void)
{
  Heard heard = { 0 };
  g_autoptr(WardAlarmSound) sound = NULL;
  guint notified = 0;

  g_test_expect_message ("ward-alarm-sound", G_LOG_LEVEL_MESSAGE, "Alarm sound cannot play: *");
  sound = _ward_alarm_sound_new_for_sink ("nosuchaudiosink");
  g_test_assert_expected_messages ();
  g_assert_nonnull (ward_alarm_sound_get_error (sound));
  g_signal_connect (sound, "notify::error", G_CALLBACK (count_cb), &notified);
  feed (sound, WARD_BAND_HIGH, TRUE, FALSE);

  _ward_alarm_sound_retry (sound);
  g_assert_nonnull (ward_alarm_sound_get_error (sound));
  g_assert_cmpuint (notified, ==, 0);

  _ward_alarm_sound_set_sink (sound, COUNTING_SINK);
  g_test_expect_message ("ward-alarm-sound", G_LOG_LEVEL_MESSAGE, "Alarm sound plays again");
  _ward_alarm_sound_retry (sound);
  g_test_assert_expected_messages ();
  g_assert_null (ward_alarm_sound_get_error (sound));
  g_assert_cmpuint (notified, ==, 1);
  g_signal_connect (_ward_alarm_sound_get_sink (sound), "handoff", G_CALLBACK (handoff_cb), &heard);
  g_assert_true (wait_for (&heard.audible, 1));
}

/* autoaudiosink without any working output plays into a fakesink of its
 * own: that is caught, never taken for sound.
 */
static void
test_alarm_sound_no_output (void)
{
  g_autoptr(WardAlarmSound) sound = NULL;

  sound = _ward_alarm_sound_new_for_sink (NULL);
  if (ward_alarm_sound_get_error (sound) == NULL)
    {
      g_test_skip ("This machine has a working audio output (JACK or OSS)");
      return;
    }
  g_assert_cmpstr (ward_alarm_sound_get_error (sound), ==,
                   "Alarm sound cannot play: no audio output was found (no sound server or sound card)");
}

/* --headless plays nothing: it never even opens an audio output (one
 * that cannot open would say so at start, as the window's does).
 */
static void
test_alarm_sound_headless (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *db_arg = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *output = NULL;

  if (g_getenv ("WARDWATCH") == NULL)
    {
      g_test_skip ("WARDWATCH (the program) is not set");
      return;
    }

  tmp_dir = g_dir_make_tmp ("ward-alarm-sound-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmp_dir, "ward.db", NULL);
  db_arg = g_strdup_printf ("--db=%s", db_path);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, "WARDWATCH_AUDIO_SINK", "nosuchaudiosink", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "ward-alarm-sound", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("WARDWATCH"),
                                      "--headless", "--demo", "--beds=4", "--seed=3",
                                      "--scenario=sepsis", "--duration=3", "--time-scale=1800",
                                      db_arg, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));
  g_assert_null (strstr (output, "Alarm sound"));
  g_assert_null (strstr (output, "ward-alarm-sound"));

  for (guint i = 0; i < 3; i++)
    {
      static const char *suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

      g_unlink (path);
    }
  g_rmdir (tmp_dir);
}

static WardAlarmSoundStrip *
get_strip (WardWindow *window)
{
  GtkWidget *bar = GTK_WIDGET (_ward_window_get_alarm_bar (window));
  GtkWidget *next = gtk_widget_get_next_sibling (bar);

  g_assert_true (WARD_IS_ALARM_SOUND_STRIP (next));

  return WARD_ALARM_SOUND_STRIP (next);
}

/* The strip under the alarm bar: what sounds, Pause Audio, the countdown
 * ("Audio paused 1:42"), Resume Audio.
 */
static void
test_alarm_sound_strip (void)
{
  g_autoptr(WardAlarmSound) sound = create_sound (COUNTING_SINK, NULL);
  WardWindow *window = ward_window_new (NULL);
  WardAlarmSoundStrip *strip;

  ward_alarm_sound_strip_attach (window, sound);
  gtk_window_present (GTK_WINDOW (window));
  strip = get_strip (window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (strip)));
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (_ward_window_get_alarm_bar (window)), ==, 0);

  feed (sound, WARD_BAND_HIGH, TRUE, FALSE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (strip)));
  g_assert_cmpstr (_ward_alarm_sound_strip_get_text (strip), ==, "Alarm sounding: high priority");
  g_assert_cmpstr (_ward_alarm_sound_strip_get_muted_text (strip), ==, "");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (strip), "alarm-sound.pause", NULL));
  g_assert_true (ward_alarm_sound_get_paused (sound));
  g_assert_cmpstr (_ward_alarm_sound_strip_get_text (strip), ==, "Audio paused 2:00");

  fake_now += 18 * SEC;
  _ward_alarm_sound_tick (sound);
  g_assert_cmpstr (_ward_alarm_sound_strip_get_text (strip), ==, "Audio paused 1:42");
  fake_now += SEC / 2;
  _ward_alarm_sound_tick (sound);
  g_assert_cmpstr (_ward_alarm_sound_strip_get_text (strip), ==, "Audio paused 1:42");
  fake_now += SEC / 2;
  _ward_alarm_sound_tick (sound);
  g_assert_cmpstr (_ward_alarm_sound_strip_get_text (strip), ==, "Audio paused 1:41");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (strip), "alarm-sound.resume", NULL));
  g_assert_false (ward_alarm_sound_get_paused (sound));
  g_assert_cmpstr (_ward_alarm_sound_strip_get_text (strip), ==, "Alarm sounding: high priority");

  /* Acknowledged: nothing sounds, the strip goes. */
  feed (sound, WARD_BAND_HIGH, TRUE, TRUE);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (strip)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Never silently quiet: a station plays at 0.3 or more and cannot be
 * turned off; a desktop may go lower or off, and says "Alarms muted".
 */
static void
test_alarm_sound_volume (void)
{
  g_autoptr(WardAlarmSound) sound = create_sound (COUNTING_SINK, NULL);
  WardWindow *window = ward_window_new (NULL);
  WardAlarmSoundStrip *strip;

  ward_alarm_sound_strip_attach (window, sound);
  gtk_window_present (GTK_WINDOW (window));
  strip = get_strip (window);

  ward_alarm_sound_set_volume (sound, 0.1);
  g_assert_true (ward_alarm_sound_get_muted (sound));
  g_assert_cmpfloat_with_epsilon (ward_alarm_sound_get_effective_volume (sound), 0.1, 1e-9);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (strip)));
  g_assert_cmpstr (_ward_alarm_sound_strip_get_muted_text (strip), ==,
                   "Alarms muted: the alarm volume is 10 %, below the 30 % a ward station keeps.");

  ward_alarm_sound_set_station (sound, TRUE);
  g_assert_false (ward_alarm_sound_get_muted (sound));
  g_assert_cmpfloat_with_epsilon (ward_alarm_sound_get_effective_volume (sound), 0.3, 1e-9);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (strip)));

  /* A station plays with the sound "off"; a desktop then has no output at all. */
  ward_alarm_sound_set_enabled (sound, FALSE);
  g_assert_false (ward_alarm_sound_get_muted (sound));
  g_assert_nonnull (_ward_alarm_sound_get_sink (sound));
  ward_alarm_sound_set_station (sound, FALSE);
  g_assert_true (ward_alarm_sound_get_muted (sound));
  g_assert_null (_ward_alarm_sound_get_sink (sound));
  g_assert_cmpfloat (ward_alarm_sound_get_effective_volume (sound), ==, 0.0);
  g_assert_cmpstr (_ward_alarm_sound_strip_get_muted_text (strip), ==,
                   "Alarms muted: alarm sound is off on this computer. "
                   "A ward station always plays its alarms.");

  ward_alarm_sound_set_enabled (sound, TRUE);
  ward_alarm_sound_set_volume (sound, 0.5);
  g_assert_false (ward_alarm_sound_get_muted (sound));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (strip)));
  g_assert_nonnull (_ward_alarm_sound_get_sink (sound));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The application: Ctrl+Shift+P pauses from any view (an application
 * accelerator, whatever has the focus), and the settings drive the sound.
 */
static void
test_alarm_sound_application (void)
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) accels = NULL;
  WardAlarmSound *sound;

  g_setenv ("WARDWATCH_AUDIO_SINK", "fakesink sync=true", TRUE);
  ward_pipeline_config_init (&config);
  app = ward_application_new (&config, NULL);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_unsetenv ("WARDWATCH_AUDIO_SINK");

  sound = ward_application_get_alarm_sound (app);
  g_assert_nonnull (sound);
  g_assert_null (ward_alarm_sound_get_error (sound));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "pause-alarm-audio"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "resume-alarm-audio"));
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.pause-alarm-audio");
  g_assert_cmpstr (accels[0], ==, "<Shift><Control>p");

  settings = g_settings_new ("io.github.wardwatch.Wardwatch");
  g_settings_set_double (settings, "alarm-volume", 0.2);
  g_assert_true (ward_alarm_sound_get_muted (sound));
  g_settings_set_double (settings, "alarm-volume", 0.6);
  g_assert_false (ward_alarm_sound_get_muted (sound));
  g_settings_set_boolean (settings, "alarm-sound", FALSE);
  g_assert_true (ward_alarm_sound_get_muted (sound));
  g_settings_reset (settings, "alarm-sound");
  g_settings_set_uint (settings, "alarm-pause-seconds", 60);
  g_assert_cmpuint (ward_alarm_sound_get_pause_seconds (sound), ==, 60);

  /* The action pauses what sounds. */
  _ward_alarm_sound_set_clock (sound, fake_clock, NULL);
  feed (sound, WARD_BAND_MEDIUM, TRUE, FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (app), "pause-alarm-audio", NULL);
  g_assert_true (ward_alarm_sound_get_paused (sound));
  g_assert_cmpint (ward_alarm_sound_get_pause_remaining (sound), ==, 60 * SEC);
  g_action_group_activate_action (G_ACTION_GROUP (app), "resume-alarm-audio", NULL);
  g_assert_false (ward_alarm_sound_get_paused (sound));
  g_settings_reset (settings, "alarm-pause-seconds");
  g_settings_reset (settings, "alarm-volume");
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread: each test names its sink, none comes from the
   * environment, and the sound servers autoaudiosink tries are out of
   * reach (for /ui/alarm-sound/no-output).
   */
  g_unsetenv ("WARDWATCH_AUDIO_SINK");
  g_setenv ("PULSE_SERVER", "unix:/nonexistent/wardwatch-test", TRUE);
  g_setenv ("JACK_NO_START_SERVER", "1", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  gst_init (&argc, &argv);

  g_test_add_func ("/ui/alarm-sound/plays-and-pauses", test_alarm_sound_plays_and_pauses);
  g_test_add_func ("/ui/alarm-sound/break-through", test_alarm_sound_break_through);
  g_test_add_func ("/ui/alarm-sound/broken-sink", test_alarm_sound_broken_sink);
  g_test_add_func ("/ui/alarm-sound/recovers", test_alarm_sound_recovers);
  g_test_add_func ("/ui/alarm-sound/no-output", test_alarm_sound_no_output);
  g_test_add_func ("/ui/alarm-sound/headless", test_alarm_sound_headless);
  g_test_add_func ("/ui/alarm-sound/strip", test_alarm_sound_strip);
  g_test_add_func ("/ui/alarm-sound/volume", test_alarm_sound_volume);
  g_test_add_func ("/ui/alarm-sound/application", test_alarm_sound_application);

  return g_test_run ();
}
