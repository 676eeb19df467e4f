/* ward-application.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-application"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <libnotify/notify.h>
#include <signal.h>

#include "ward-application.h"
#include "ward-alarm-sound.h"
#include "ward-alarm-sound-strip.h"
#include "ward-renderer.h"
#include "ward-flag-words.h"
#include "ward-actions.h"
#include "ward-kiosk.h"
#include "ward-notifier.h"
#include "ward-palette.h"
#include "ward-preferences.h"
#include "ward-settings-config.h"
#include "ward-settings-live.h"
#include "ward-staff-directory.h"
#include "ward-switch-user.h"
#include "ward-window.h"

struct _WardApplication
{
  AdwApplication      parent_instance;

  /* Owned */
  WardPipelineConfig  config;
  WardSourcesConfig   sources_config;
  WardSources        *sources;
  WardPipeline       *pipeline;       /* NULL until started, and if it failed */
  WardNotifier       *notifier;
  WardAlarmSound     *alarm_sound;    /* the station's audible alarms (ward-alarm-sound.c) */
  GSettings          *settings;       /* NULL when the schema is not installed */
  WardSession        *session;        /* who acts */
  WardActions        *actions;        /* the scriptable actions, on the session bus */
  WardKiosk          *kiosk;          /* NULL: not a kiosk */
  WardStaffDirectory *staff_directory; /* NULL: staff from the file only */
  WardSettingsLive   *live;           /* the preferences applied while running, or NULL */
  WardPipelineConfig *command_line;   /* what the command line gave, before the settings */
  WardSourcesConfig  *command_line_sources;
  gboolean            kiosk_requested;

  /* Borrowed */
  WardWindow         *window;         /* weak */
  GtkWindow          *preferences;    /* weak */

  guint               sigint_source;
  guint               sigterm_source;
  int                 board_density;  /* -1: the setting's (ward_application_set_board_density) */
};

G_DEFINE_FINAL_TYPE (WardApplication, ward_application, ADW_TYPE_APPLICATION)

static void
show_start_error (WardApplication *self,
                  const GError    *error)
{
  AdwMessageDialog *dialog;

  g_assert (self->window != NULL);

  /* The window keeps saying what went wrong once the dialog is gone. */
  ward_window_show_error (self->window, error);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self->window),
                                                       _("Could Not Start the Ward Pipeline"),
                                                       error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A kiosk nobody can unlock still guards the station (the session can
 * stop it); it says so at once.
 */
static void
show_no_kiosk_pin (WardApplication *self)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self->window),
                                                       _("This Kiosk Has No PIN"),
                                                       _("Nobody can unlock, close or quit it, and "
                                                         "nobody can sign in. Give the ward's staff "
                                                         "file with PINs (--staff), or a ward PIN in "
                                                         "the policy file (kiosk.pin_hash); see "
                                                         "docs/KIOSK.md.")));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
  WardApplication *self = user_data;

  g_assert (WARD_IS_APPLICATION (self));

  if (self->window != NULL)
    ward_window_apply_snapshot (self->window, snapshot);
  if (self->notifier != NULL)
    ward_notifier_update (self->notifier, snapshot);
  if (self->alarm_sound != NULL)
    ward_alarm_sound_update (self->alarm_sound, snapshot);
}

/* The MQTT link is part of the alarm chain: when it is down, the ward
 * board is not live, and the window says so.
 */
static void
mqtt_status_changed_cb (WardApplication *self)
{
  WardMqttSource *mqtt = self->sources ? ward_sources_get_mqtt (self->sources) : NULL;
  g_autofree char *last_error = NULL;
  g_autofree char *text = NULL;

  if (self->window == NULL || mqtt == NULL)
    return;

  last_error = ward_mqtt_source_dup_last_error (mqtt);
  if (!ward_mqtt_source_get_connected (mqtt) && last_error != NULL)
    text = g_strdup_printf (_("No connection to the device broker (%s): data from MQTT devices "
                              "is not arriving. Retrying."), last_error);

  ward_window_set_source_alarm (self->window, text);
  if (self->alarm_sound != NULL)
    ward_alarm_sound_set_source_alarm (self->alarm_sound, text != NULL);
}

/* A new staff list from the FHIR server: every view names staff from it. */
static void
staff_changed_cb (WardApplication *self)
{
  _ward_flag_words_set_staff (ward_session_get_staff (self->session));
}

static void
watch_mqtt_status (WardApplication *self)
{
  if (ward_sources_get_mqtt (self->sources) != NULL)
    {
      g_signal_connect_object (ward_sources_get_mqtt (self->sources), "notify::connected",
                               G_CALLBACK (mqtt_status_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (ward_sources_get_mqtt (self->sources), "notify::last-error",
                               G_CALLBACK (mqtt_status_changed_cb), self, G_CONNECT_SWAPPED);
    }
}

/* The preferences changed the device sources while running: the new
 * ones' status is shown, and an alarm about the old broker goes.
 */
static void
live_sources_changed_cb (WardApplication *self)
{
  g_set_object (&self->sources, ward_settings_live_get_sources (self->live));
  if (self->window != NULL)
    ward_window_set_source_alarm (self->window, NULL);
  if (self->alarm_sound != NULL)
    ward_alarm_sound_set_source_alarm (self->alarm_sound, FALSE);
  if (self->sources != NULL)
    watch_mqtt_status (self);
}

/* The saved settings follow the preferences while running (issue #12,
 * ward-settings-live.h); only when main.c said what the command line
 * gave, so that its options keep winning.
 */
static void
start_live_settings (WardApplication *self)
{
  g_autoptr(GSettings) settings = NULL;

  if (self->command_line == NULL || self->pipeline == NULL ||
      (settings = ward_settings_config_new_settings ()) == NULL)
    return;

  self->live = ward_settings_live_new (settings, self->pipeline, self->command_line,
                                       self->command_line_sources, self->sources);
  g_signal_connect_object (self->live, "sources-changed", G_CALLBACK (live_sources_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

static void
start_pipeline (WardApplication *self)
{
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (self->pipeline == NULL);

  pipeline = ward_pipeline_new (&self->config);
  if (!ward_pipeline_start (pipeline, snapshot_cb, self, &error))
    {
      g_debug ("Pipeline did not start: %s", error->message);
      show_start_error (self, error);
      return;
    }

  self->pipeline = g_steal_pointer (&pipeline);
  ward_actions_set_pipeline (self->actions, self->pipeline);

  /* Staff from the FHIR server's CareTeam (ward-staff-directory.h). */
  self->staff_directory = ward_staff_directory_new_for_session (self->session, &self->config,
                                                                &error);
  if (self->staff_directory != NULL)
    g_signal_connect_object (self->staff_directory, "changed", G_CALLBACK (staff_changed_cb),
                             self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  else if (error != NULL)
    {
      g_message ("Staff from the FHIR server: %s", error->message);
      g_clear_error (&error);
    }
  staff_changed_cb (self);

  /* The network sources start once the pipeline runs: a port that cannot
   * be bound is shown like any failure to start.
   */
  self->sources = ward_sources_new (self->pipeline, &self->sources_config);
  if (!ward_sources_start (self->sources, &error))
    {
      g_debug ("Device sources did not start: %s", error->message);
      show_start_error (self, error);
      return;
    }

  watch_mqtt_status (self);
  start_live_settings (self);
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  static const char *developers[] = { "The Wardwatch authors", NULL };
  WardApplication *self = user_data;
  g_autofree char *version = NULL;
  GtkWindow *about;

  if (WARD_DEVEL_PROFILE)
    /* Translators: the version in the About window of a development
     * build; %s is the version number, e.g. 0.1.0.
     */
    version = g_strdup_printf (_("%s (development build)"), PACKAGE_VERSION);
  else
    version = g_strdup (PACKAGE_VERSION);

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-icon", APP_ID,
                        "application-name", _("Wardwatch"),
                        "developer-name", _("The Wardwatch authors"),
                        "version", version,
                        "comments", _("Vital signs, NEWS2 early-warning scores, flags and device "
                                      "alerts for every bed of a hospital ward."),
                        "website", "https://github.com/wardwatch/wardwatch",
                        "issue-url", "https://github.com/wardwatch/wardwatch/issues",
                        "copyright", "© 2026 The Wardwatch authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (about);
}

static void
preferences_destroyed_cb (WardApplication *self)
{
  self->preferences = NULL;
}

/* One preferences window at a time; the settings carry every change. */
static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  WardApplication *self = user_data;
  g_autoptr(GSettings) settings = NULL;

  if (self->preferences == NULL)
    {
      settings = ward_settings_config_new_settings ();
      if (settings == NULL)
        {
          g_warning ("No GSettings schema with the preferences' keys: run the installed "
                     "Wardwatch, or set GSETTINGS_SCHEMA_DIR");
          return;
        }
      self->preferences = GTK_WINDOW (ward_preferences_new (gtk_application_get_active_window (
                                                              GTK_APPLICATION (self)),
                                                            settings));
      /* Forgotten once closed, even while a connection test still holds it. */
      g_signal_connect_swapped (self->preferences, "destroy",
                                G_CALLBACK (preferences_destroyed_cb), self);
    }

  gtk_window_present (self->preferences);
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  WardApplication *self = user_data;

  /* At a ward kiosk, only with a staff PIN (ward-kiosk.c). */
  if (self->kiosk != NULL && !ward_kiosk_allows_quit (self->kiosk))
    {
      ward_kiosk_request_quit (self->kiosk);
      return;
    }

  /* Closing the window first lets it remember its size. */
  if (self->window != NULL)
    gtk_window_close (GTK_WINDOW (self->window));

  g_application_quit (G_APPLICATION (self));
}

/* A kiosk session ending, or Ctrl+C in a terminal, quits like the menu item,
 * so that the pipeline commits its last tick.
 */
static gboolean
quit_signal_cb (gpointer user_data)
{
  WardApplication *self = user_data;

  /* The kiosk session stopping us needs no PIN. */
  if (self->kiosk != NULL)
    ward_kiosk_release (self->kiosk);
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);

  return G_SOURCE_CONTINUE;
}

/* app.acknowledge-flag (x): from a flag's notification.  The window
 * acknowledges as it does from its own buttons (who, and a toast saying
 * why when it cannot); the notification closes when a snapshot shows the
 * acknowledgement, after its commit.
 */
static void
acknowledge_flag_action_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  WardApplication *self = user_data;
  gint64 flag_id = g_variant_get_int64 (parameter);

  if (self->window == NULL || flag_id <= 0)
    {
      g_debug ("Cannot acknowledge flag %" G_GINT64_FORMAT ": no window", flag_id);
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self->window), "win.acknowledge", "x", flag_id);
}

/* app.accept-flag-task (x): Accept from a flag's notification: the
 * window accepts the task as its own Accept buttons do (who, and a toast
 * saying why when it cannot).  Not the scriptable accept-task, which
 * reports its outcome on the bus.
 */
static void
accept_flag_task_action_cb (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  WardApplication *self = user_data;
  gint64 task_id = g_variant_get_int64 (parameter);

  if (self->window == NULL || task_id <= 0)
    {
      g_debug ("Cannot accept task %" G_GINT64_FORMAT ": no window", task_id);
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self->window), "win.accept-task", "x", task_id);
}

/* app.open-patient (s): the window, at the patient's view. */
static void
open_patient_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  WardApplication *self = user_data;

  if (self->window == NULL)
    g_application_activate (G_APPLICATION (self));
  if (self->window == NULL)
    return;

  gtk_window_present (GTK_WINDOW (self->window));
  ward_window_open_patient (self->window, g_variant_get_string (parameter, NULL));
}

/* app.switch-user: the PIN dialog, over the window. */
static void
switch_user_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  WardApplication *self = user_data;
  WardSwitchUser *dialog;

  if (self->window == NULL || self->session == NULL)
    return;

  dialog = ward_switch_user_new (GTK_WINDOW (self->window), self->session);
  ward_switch_user_select (dialog, ward_session_get_acting_id (self->session));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Any input at the station keeps its user signed in. */
static gboolean
window_input_cb (GtkEventControllerLegacy *controller,
                 GdkEvent                 *event,
                 WardApplication          *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (type == GDK_KEY_PRESS || type == GDK_BUTTON_PRESS || type == GDK_TOUCH_BEGIN ||
      type == GDK_SCROLL)
    ward_session_touch (self->session);

  return GDK_EVENT_PROPAGATE;
}

/* app.pause-alarm-audio (Ctrl+Shift+P, from any view): the audio pause. */
static void
pause_alarm_audio_action_cb (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  WardApplication *self = user_data;

  if (self->alarm_sound != NULL)
    ward_alarm_sound_pause (self->alarm_sound);
}

static void
resume_alarm_audio_action_cb (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  WardApplication *self = user_data;

  if (self->alarm_sound != NULL)
    ward_alarm_sound_resume (self->alarm_sound);
}

static const GActionEntry app_actions[] = {
  { "pause-alarm-audio", pause_alarm_audio_action_cb },
  { "resume-alarm-audio", resume_alarm_audio_action_cb },
  { "switch-user", switch_user_action_cb },
  { "about", about_action_cb },
  { "preferences", preferences_action_cb },
  { "quit", quit_action_cb },
  { "acknowledge-flag", acknowledge_flag_action_cb, "x" },
  { "accept-flag-task", accept_flag_task_action_cb, "x" },
  { "open-patient", open_patient_action_cb, "s" },
};

static WardSession *
create_default_session (WardApplication *self)
{
  g_auto(WardSessionConfig) config = { 0 };
  g_autoptr(WardStaff) empty = NULL;
  g_autoptr(GError) error = NULL;
  WardSession *session;

  ward_session_config_init (&config);
  session = ward_session_new_for_config (&config, self->config.demo, self->config.db_path, &error);
  if (session != NULL)
    return session;

  g_debug ("No staff list: %s", error->message);
  empty = ward_staff_new ();
  session = ward_session_new (empty, self->config.db_path, FALSE);
  ward_session_start (session, g_get_user_name ());
  return session;
}

/* The window's commands carry the acting member's id. */
static void
acting_changed_cb (WardApplication *self)
{
  if (self->window != NULL)
    ward_window_set_user (self->window, ward_session_get_acting_id (self->session));
}

static void
action_outcome_cb (WardActions *actions,
                   const char  *action,
                   gboolean     ok,
                   const char  *message,
                   gpointer     user_data)
{
  /* A script's action refused is logged by the actions themselves;
   * nothing more here yet: the board shows the effect of one done.
   */
}

static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Run from the build directory without GSETTINGS_SCHEMA_DIR there is no
   * schema, and g_settings_new() would abort: notifications stay on.
   */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "notifications"))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* The alarm sound follows the "alarm-sound", "alarm-volume" and
 * "alarm-pause-seconds" settings; a station (the kiosk's "kiosk" key,
 * where the schema has it) always plays at the station's minimum or
 * more.  Only the window's application has one: --headless never plays.
 */
static void
create_alarm_sound (WardApplication *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  self->alarm_sound = ward_alarm_sound_new ();
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "app.pause-alarm-audio",
                                         (const char * const[]) { "<Control><Shift>p", NULL });
  if (self->settings == NULL)
    return;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  if (g_settings_schema_has_key (schema, "alarm-sound"))
    {
      g_settings_bind (self->settings, "alarm-sound", self->alarm_sound, "enabled",
                       G_SETTINGS_BIND_GET);
      g_settings_bind (self->settings, "alarm-volume", self->alarm_sound, "volume",
                       G_SETTINGS_BIND_GET);
      g_settings_bind (self->settings, "alarm-pause-seconds", self->alarm_sound, "pause-seconds",
                       G_SETTINGS_BIND_GET);
    }
  if (g_settings_schema_has_key (schema, "kiosk"))
    g_settings_bind (self->settings, "kiosk", self->alarm_sound, "station", G_SETTINGS_BIND_GET);
}

static void
palette_changed_cb (WardApplication *self)
{
  g_autofree char *palette = g_settings_get_string (self->settings, "palette");

  ward_palette_apply (palette);
  if (self->window != NULL)
    ward_palette_apply_to (GTK_WINDOW (self->window), palette);
}

/* The kiosk and the palette (issue #12): the palette is app.palette, a
 * setting's action; a kiosk starts with nobody signed in ("Locked").
 */
static void
setup_kiosk_and_palette (WardApplication *self)
{
  if (self->settings != NULL)
    {
      g_autoptr(GAction) palette = g_settings_create_action (self->settings, "palette");

      g_action_map_add_action (G_ACTION_MAP (self), palette);
      g_signal_connect_object (self->settings, "changed::palette",
                               G_CALLBACK (palette_changed_cb), self, G_CONNECT_SWAPPED);
      palette_changed_cb (self);
      if (g_settings_get_boolean (self->settings, "kiosk"))
        self->kiosk_requested = TRUE;
    }

  if (!self->kiosk_requested)
    return;

  if (!ward_session_get_station_mode (self->session))
    ward_session_sign_out (self->session);
  self->kiosk = ward_kiosk_new_for_policy (G_APPLICATION (self), self->session,
                                           self->config.policy_file, self->settings);
  ward_kiosk_keep_lockout (self->kiosk, self->config.db_path);
}

static void
ward_application_startup (GApplication *app)
{
  WardApplication *self = WARD_APPLICATION (app);

  G_APPLICATION_CLASS (ward_application_parent_class)->startup (app);

  /* Before any window is realized and before the pipeline's threads. */
  ward_renderer_choose (gdk_display_get_default ());
  ward_renderer_log_frames ();

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "app.quit",
                                         (const char * const[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "app.preferences",
                                         (const char * const[]) { "<Control>comma", NULL });

  if (self->session == NULL)
    self->session = create_default_session (self);
  /* Every view names staff from the session's list (ward-flag-words.c). */
  _ward_flag_words_set_staff (ward_session_get_staff (self->session));
  g_signal_connect_object (self->session, "notify::acting-id",
                           G_CALLBACK (acting_changed_cb), self, G_CONNECT_SWAPPED);
  self->actions = ward_actions_new (self->pipeline, self->session);
  g_signal_connect_object (self->actions, "outcome", G_CALLBACK (action_outcome_cb), self, 0);
  ward_actions_add_to_map (self->actions, G_ACTION_MAP (self));

  self->notifier = ward_notifier_new (G_ACTION_GROUP (self));
  self->settings = create_settings ();
  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "notifications",
                       self->notifier, "enabled",
                       G_SETTINGS_BIND_GET);
      g_settings_bind (self->settings, "patient-names",
                       self->notifier, "show-patient-names",
                       G_SETTINGS_BIND_GET);
    }

  setup_kiosk_and_palette (self);
  create_alarm_sound (self);

  self->sigint_source = g_unix_signal_add (SIGINT, quit_signal_cb, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, quit_signal_cb, self);
}

static void
ward_application_activate (GApplication *app)
{
  WardApplication *self = WARD_APPLICATION (app);
  WardWindow *window;

  if (self->window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->window));
      return;
    }

  window = ward_window_new (GTK_APPLICATION (self));
  ward_window_set_demo (window, self->config.demo);
  ward_window_set_user (window, ward_application_get_user (self));
  if (self->board_density >= 0)
    ward_window_set_board_density (window, self->board_density);
  if (self->session != NULL)
    {
      GtkEventController *input = gtk_event_controller_legacy_new ();

      if (self->kiosk != NULL)
        ward_window_set_acting_widget (window, ward_kiosk_attach (self->kiosk, GTK_WINDOW (window)));
      else
        ward_window_set_acting_widget (window, ward_acting_button_new (self->session));
      gtk_event_controller_set_propagation_phase (input, GTK_PHASE_CAPTURE);
      g_signal_connect (input, "event", G_CALLBACK (window_input_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (window), input);
    }
  if (self->alarm_sound != NULL)
    ward_alarm_sound_strip_attach (window, self->alarm_sound);
  g_set_weak_pointer (&self->window, window);
  if (self->settings != NULL)
    palette_changed_cb (self);
  gtk_window_present (GTK_WINDOW (window));
  if (self->kiosk != NULL && !ward_kiosk_guard_has_pin (ward_kiosk_get_guard (self->kiosk)))
    show_no_kiosk_pin (self);

  /* Started after the window is up, so that a failure has a parent to be
   * shown on; snapshots then arrive on this thread's main context.
   */
  if (self->pipeline == NULL)
    start_pipeline (self);

  /* The data issues view reads the store on its own connection. */
  if (self->pipeline != NULL)
    {
      g_object_set (window, "db-path", ward_pipeline_get_db_path (self->pipeline), NULL);
      ward_window_set_pipeline (window, self->pipeline);
    }
}

static void
ward_application_shutdown (GApplication *app)
{
  WardApplication *self = WARD_APPLICATION (app);

  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  /* Sources first, so nothing new arrives; then the pipeline, whose stop
   * runs a last tick and commits it before the thread is joined.
   */
  g_clear_object (&self->live);
  if (self->sources != NULL)
    ward_sources_stop (self->sources);
  g_clear_object (&self->sources);
  g_clear_object (&self->staff_directory);
  if (self->pipeline != NULL)
    ward_pipeline_stop (self->pipeline);
  g_clear_object (&self->pipeline);

  /* Their actions need this process: withdraw them. */
  if (self->notifier != NULL)
    ward_notifier_withdraw_all (self->notifier);
  g_clear_object (&self->notifier);
  g_clear_object (&self->alarm_sound);
  g_clear_object (&self->settings);
  g_clear_object (&self->actions);
  g_clear_object (&self->kiosk);
  notify_uninit ();

  G_APPLICATION_CLASS (ward_application_parent_class)->shutdown (app);
}

static void
ward_application_dispose (GObject *object)
{
  WardApplication *self = WARD_APPLICATION (object);

  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->notifier);
  g_clear_object (&self->alarm_sound);
  g_clear_object (&self->settings);
  g_clear_object (&self->actions);
  g_clear_object (&self->kiosk);
  g_clear_object (&self->live);
  g_clear_object (&self->staff_directory);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ward_application_parent_class)->dispose (object);
}

static void
ward_application_finalize (GObject *object)
{
  WardApplication *self = WARD_APPLICATION (object);

  ward_pipeline_config_clear (&self->config);
  ward_sources_config_clear (&self->sources_config);
  if (self->command_line != NULL)
    ward_pipeline_config_clear (self->command_line);
  g_clear_pointer (&self->command_line, g_free);
  if (self->command_line_sources != NULL)
    ward_sources_config_clear (self->command_line_sources);
  g_clear_pointer (&self->command_line_sources, g_free);

  G_OBJECT_CLASS (ward_application_parent_class)->finalize (object);
}

static void
ward_application_class_init (WardApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ward_application_dispose;
  object_class->finalize = ward_application_finalize;

  app_class->startup = ward_application_startup;
  app_class->activate = ward_application_activate;
  app_class->shutdown = ward_application_shutdown;
}

static void
ward_application_init (WardApplication *self)
{
}

/**
 * ward_application_new:
 * @config: what the pipeline is started with; it is copied
 *
 * Returns: (transfer full): a new #WardApplication
 */
/**
 * ward_application_get_user:
 *
 * Who acknowledges, enters and confirms: the acting staff member's id
 * (the login name when the ward has no staff list), which the audit log
 * and the FHIR resources record; NULL when nobody is signed in.
 */
const char *
ward_application_get_user (WardApplication *self)
{
  g_return_val_if_fail (WARD_IS_APPLICATION (self), NULL);

  if (self->session == NULL)
    return NULL;

  return ward_session_get_acting_id (self->session);
}

void
ward_application_set_session (WardApplication *self,
                              WardSession     *session)
{
  g_return_if_fail (WARD_IS_APPLICATION (self));
  g_return_if_fail (WARD_IS_SESSION (session));
  g_return_if_fail (self->actions == NULL);

  g_set_object (&self->session, session);
}

/* The board's density for this run (--wall-board), over the setting's,
 * until the user picks one in the menu.
 */
void
ward_application_set_board_density (WardApplication  *self,
                                    WardBoardDensity  density)
{
  g_return_if_fail (WARD_IS_APPLICATION (self));
  g_return_if_fail (density <= WARD_BOARD_DENSITY_WALL);

  self->board_density = density;
  if (self->window != NULL)
    ward_window_set_board_density (self->window, density);
}

WardSession *
ward_application_get_session (WardApplication *self)
{
  g_return_val_if_fail (WARD_IS_APPLICATION (self), NULL);

  return self->session;
}

void
ward_application_set_kiosk (WardApplication *self,
                            gboolean         kiosk)
{
  g_return_if_fail (WARD_IS_APPLICATION (self));
  g_return_if_fail (self->actions == NULL);

  self->kiosk_requested = kiosk;
}

gpointer
ward_application_get_kiosk (WardApplication *self)
{
  g_return_val_if_fail (WARD_IS_APPLICATION (self), NULL);

  return self->kiosk;
}

WardAlarmSound *
ward_application_get_alarm_sound (WardApplication *self)
{
  g_return_val_if_fail (WARD_IS_APPLICATION (self), NULL);

  return self->alarm_sound;
}

/* What the command line gave, before main.c merged the saved settings
 * in: with it, the preferences apply while running and the command
 * line's options still win (ward-settings-live.h).  Before the start.
 */
void
ward_application_set_command_line (WardApplication          *self,
                                   const WardPipelineConfig *config,
                                   const WardSourcesConfig  *sources)
{
  g_return_if_fail (WARD_IS_APPLICATION (self));
  g_return_if_fail (config != NULL && sources != NULL);
  g_return_if_fail (self->pipeline == NULL);

  if (self->command_line == NULL)
    {
      self->command_line = g_new0 (WardPipelineConfig, 1);
      self->command_line_sources = g_new0 (WardSourcesConfig, 1);
      ward_sources_config_init (self->command_line_sources);
    }
  else
    ward_pipeline_config_clear (self->command_line);
  ward_pipeline_config_copy (config, self->command_line);
  ward_sources_config_copy (sources, self->command_line_sources);
}

WardApplication *
ward_application_new (const WardPipelineConfig *config,
                      const WardSourcesConfig  *sources)
{
  WardApplication *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (WARD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       /* One resource path for every profile: the .Devel
                        * id would otherwise look for its style sheet,
                        * shortcuts and icons under …/Wardwatch/Devel.
                        */
                       "resource-base-path", "/io/github/wardwatch/Wardwatch",
                       NULL);
  self->board_density = -1;
  ward_pipeline_config_copy (config, &self->config);
  ward_sources_config_init (&self->sources_config);
  if (sources != NULL)
    {
      ward_mqtt_source_config_copy (&sources->mqtt, &self->sources_config.mqtt);
      self->sources_config.mllp_bind = g_strdup (sources->mllp_bind);
      self->sources_config.mllp_port = sources->mllp_port;
      self->sources_config.mllp_limits = sources->mllp_limits;
    }

  return self;
}
