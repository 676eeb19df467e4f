/* ward-notifier.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-notifier"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <libnotify/notify.h>

#include "ward-clinical.h"
#include "ward-notifier.h"
#include "ward-notifier-private.h"
#include "ward-flag-words.h"
#include "ward-patient-words.h"

/* Desktop notifications for flags: a second channel beside the in-app alarm
 * bar, which stays the primary display.
 *
 * One notification per flag episode (flag id).  It is shown when the flag
 * opens; when the flag escalates (its band rises) the same notification is
 * updated and shown again, with a higher urgency, so the server alerts a
 * second time but keeps one bubble (same replaces_id).  It is closed when
 * the flag closes or is acknowledged by anyone.  Snapshots that change
 * nothing show nothing; a flag that is already acknowledged when it is
 * first seen (at start-up) is only remembered.
 *
 * Storm control: when more than STORM_LIMIT alerts that would each add a
 * bubble (new flags, escalations of flags without a bubble of their own)
 * come within STORM_WINDOW_USEC, or in one snapshot, they go into a single
 * summary notification ("5 new flags: Bed 1, Bed 4, …") instead of a
 * bubble each.  The storm lasts while such alerts keep coming within the
 * window; meanwhile the summary is shown again at most every
 * SUMMARY_INTERVAL_MSEC with what was added.  An escalation of a flag that
 * has its own bubble always updates that bubble: it adds none.
 *
 * libnotify calls the server synchronously on the main thread.  When there
 * is no server (ServiceUnknown) the call fails at once, so it is tried
 * again whenever there is something to show; any other failure (a server
 * that does not answer) backs off for BACKOFF_USEC, so that a hung server
 * cannot keep freezing the ward board.
 */

#define STORM_LIMIT           3
#define STORM_WINDOW_USEC     (10 * G_USEC_PER_SEC)
#define SUMMARY_INTERVAL_MSEC 5000
#define SUMMARY_MAX_BEDS      4
#define BACKOFF_USEC          (60 * G_USEC_PER_SEC)

typedef enum
{
  ALERT_NONE,
  ALERT_NEW,
  ALERT_ESCALATED,
  ALERT_TASK_ESCALATED,   /* nobody accepted the task in time: the next role has it */
} AlertKind;

typedef struct
{
  gint64              flag_id;

  /* What the texts say, refreshed from every snapshot. */
  char               *bed_label;
  char               *patient_id;
  char               *patient_name;
  char               *patient_initials;
  gboolean            has_score;
  int                 score_total;
  gint64              opened_at;
  char               *line;             /* the score and flag in every view's words */
  char               *identity;         /* identifiers and birth date, or NULL */
  int                 spo2_scale;
  gint64              task_id;          /* the flag's care-team task that says who has it, or 0 */
  WardTaskStatus      task_status;
  char               *task_words;       /* "Awaiting bed nurse, due 14:20", or NULL */

  WardBand            band;             /* highest band alerted, or silenced by an acknowledgement */
  WardBand            escalated_from;
  gint64              acknowledged_at;  /* the last acknowledgement seen, 0 if none */
  AlertKind           alert;            /* pending for this snapshot */
  guint64             generation;       /* the last update that saw the flag */

  NotifyNotification *notification;     /* its own bubble, or NULL */
  gboolean            in_summary;
} Episode;

/* Owned by libnotify, freed with the notification's actions. */
typedef struct
{
  GWeakRef  notifier;
  gint64    flag_id;
  char     *patient_id;
} ActionData;

struct _WardNotifier
{
  GObject             parent_instance;

  /* Owned */
  GHashTable         *episodes;         /* gint64 flag id -> Episode */
  GArray             *alert_times;      /* monotonic times of recent alerts */
  NotifyNotification *summary;
  GArray             *summary_flags;    /* gint64 flag ids, in the order they came */
  gboolean            summary_escalations;
  gint64              summary_shown_at;
  guint               summary_source;
  gint64              storm_until;
  gint64              backoff_until;

  /* Borrowed */
  GActionGroup       *actions;          /* weak */

  WardNotifierSentHook sent_hook;       /* benchmarks: ward-notifier-private.h */
  gpointer            sent_hook_data;

  guint64             generation;
  guint               n_failures;
  guint               enabled : 1;
  guint               show_patient_names : 1;
  guint               available : 1;
};

G_DEFINE_FINAL_TYPE (WardNotifier, ward_notifier, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ENABLED,
  PROP_SHOW_PATIENT_NAMES,
  PROP_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
episode_free (gpointer data)
{
  Episode *episode = data;

  g_assert (episode->notification == NULL);

  g_free (episode->bed_label);
  g_free (episode->patient_id);
  g_free (episode->patient_name);
  g_free (episode->patient_initials);
  g_free (episode->line);
  g_free (episode->identity);
  g_free (episode->task_words);
  g_free (episode);
}

static void
action_data_free (gpointer data)
{
  ActionData *action_data = data;

  g_weak_ref_clear (&action_data->notifier);
  g_free (action_data->patient_id);
  g_free (action_data);
}

static ActionData *
create_action_data (WardNotifier *self,
                    Episode      *episode)
{
  ActionData *action_data = g_new0 (ActionData, 1);

  g_weak_ref_init (&action_data->notifier, self);
  action_data->flag_id = episode != NULL ? episode->flag_id : 0;
  action_data->patient_id = episode != NULL ? g_strdup (episode->patient_id) : NULL;

  return action_data;
}

/* A flag's band, in the words that agree with "flag". */
static const char *
get_flag_band_phrase (WardBand band)
{
  return ward_clinical_flag_band_phrase (band);
}

/* The IEC 60601-1-8 text markers, so that the priority does not depend on
 * colour or on how a notification server draws urgency.
 */
static const char *
get_band_marker (WardBand band)
{
  switch (band)
    {
    case WARD_BAND_HIGH:
      return "***";
    case WARD_BAND_MEDIUM:
      return "**";
    case WARD_BAND_LOW:
    case WARD_BAND_LOW_MEDIUM:
      return "*";
    default:
      g_assert_not_reached ();
    }
}

static NotifyUrgency
get_band_urgency (WardBand band)
{
  return band >= WARD_BAND_HIGH ? NOTIFY_URGENCY_CRITICAL : NOTIFY_URGENCY_NORMAL;
}

static gint64
get_acknowledged_at (const WardBedState *bed)
{
  if (bed->flag_acknowledged_at != 0)
    return bed->flag_acknowledged_at;

  /* An acknowledgement without a time still silences the flag. */
  return bed->flag_acknowledged_by != NULL ? 1 : 0;
}

static const char *
get_patient (WardNotifier  *self,
             const Episode *episode)
{
  if (self->show_patient_names && episode->patient_name != NULL)
    return episode->patient_name;

  return episode->patient_initials;
}

static void
refresh_episode (Episode            *episode,
                 const WardBedState *bed)
{
  g_assert (episode->flag_id == bed->flag_id);

  if (g_strcmp0 (episode->bed_label, bed->bed_label) != 0)
    {
      g_free (episode->bed_label);
      episode->bed_label = g_strdup (bed->bed_label);
    }
  if (g_strcmp0 (episode->patient_id, bed->patient_id) != 0)
    {
      g_free (episode->patient_id);
      episode->patient_id = g_strdup (bed->patient_id);
    }
  if (g_strcmp0 (episode->patient_name, bed->patient_name) != 0)
    {
      g_free (episode->patient_name);
      episode->patient_name = g_strdup (bed->patient_name);
    }
  if (g_strcmp0 (episode->patient_initials, bed->patient_initials) != 0)
    {
      g_free (episode->patient_initials);
      episode->patient_initials = g_strdup (bed->patient_initials);
    }

  episode->has_score = bed->has_score;
  episode->score_total = bed->score_total;
  episode->opened_at = bed->flag_opened_at;
  episode->spo2_scale = bed->spo2_scale;
}

/* The words of a flag about to alert, as the other views say them; made
 * only then (a time of day costs a time zone look-up).  A bubble is read
 * later, so it says times of day, not countdowns.
 */
static void
describe_episode (Episode            *episode,
                  const WardBedState *bed,
                  gint64              now)
{
  g_auto(WardFlagWords) words = { 0 };

  _ward_flag_words_init (&words, bed, now, WARD_FLAG_WORDS_CLOCK);
  g_free (episode->line);
  episode->line = g_steal_pointer (&words.line);
  g_free (episode->identity);
  episode->identity = _ward_patient_words_identity (bed, now, " · ");
  g_clear_pointer (&episode->task_words, g_free);
  {
    const WardTask *task = _ward_flag_words_bed_task (bed, bed->flag_id);

    /* Who has it and by when, as a time of day: a bubble is read later. */
    if (task != NULL)
      episode->task_words = _ward_flag_words_task_state (task, now, WARD_FLAG_WORDS_CLOCK);
  }
}

/* Plain text: the summary of a notification is never markup. */
static char *
format_episode_line (const Episode *episode)
{
  const char *bed = episode->bed_label != NULL ? episode->bed_label : _("Unknown bed");

  if (episode->line != NULL && *episode->line != '\0')
    /* Translators: a bed and the words of its score and flag, e.g.
     * "Bed 4: NEWS2 8 (high) · flag medium, escalates at 10:07 if sustained" */
    return g_strdup_printf (_("%s: %s"), bed, episode->line);

  /* Translators: a bed and its flag's band, e.g. "Bed 4: high flag" */
  return g_strdup_printf (_("%s: %s flag"), bed, ward_clinical_flag_band_phrase (episode->band));
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) date_time = NULL;

  if (usec <= 0)
    return NULL;

  date_time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  if (date_time == NULL)
    return NULL;

  return g_date_time_format (date_time, "%H:%M");
}

/* Returns Pango markup: every piece of text is escaped. */
static char *
format_episode_body (WardNotifier  *self,
                     const Episode *episode)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *opened = format_time (episode->opened_at);
  const char *patient = get_patient (self, episode);

  /* Two identifiers before any action: the name or initials, and the
   * hospital number and date of birth where given.
   */
  if (patient != NULL && episode->identity != NULL)
    g_string_append_printf (body, "%s · %s\n", patient, episode->identity);
  else if (patient != NULL || episode->identity != NULL)
    g_string_append_printf (body, "%s\n", patient != NULL ? patient : episode->identity);

  /* Scale 2 scores SpO₂ against 88-92 %: the reader must know. */
  if (episode->spo2_scale == 2)
    {
      /* Translators: the patient's SpO₂ is scored on NEWS2 Scale 2 (%% is a percent sign) */
      g_string_append_printf (body, _("SpO₂ Scale 2 (target 88–92 %%)"));
      g_string_append_c (body, '\n');
    }

  if (episode->alert == ALERT_TASK_ESCALATED)
    /* Translators: nobody accepted a flag's task by its due time, so it went up the chain */
    g_string_append (body, _("Not accepted in time: escalated"));
  else if (episode->alert == ALERT_ESCALATED)
    /* Translators: a flag's NEWS2 band went up, e.g. "Escalated from medium to high" */
    g_string_append_printf (body, _("Escalated from %s to %s"),
                            get_flag_band_phrase (episode->escalated_from),
                            get_flag_band_phrase (episode->band));
  else if (opened != NULL)
    /* Translators: %s is a time of day, e.g. "New flag, opened at 10:04" */
    g_string_append_printf (body, _("New flag, opened at %s"), opened);
  else
    g_string_append (body, _("New flag"));

  /* The owner and the due time: "Awaiting doctor, due 14:50". */
  if (episode->task_words != NULL)
    {
      g_string_append_c (body, '\n');
      g_string_append (body, episode->task_words);
    }

  return g_markup_escape_text (body->str, body->len);
}

static gboolean
is_server_usable (WardNotifier *self)
{
  return g_get_monotonic_time () >= self->backoff_until;
}

static void
record_success (WardNotifier *self)
{
  self->backoff_until = 0;

  if (self->available)
    return;

  g_debug ("The notification server answers again");
  self->available = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
record_failure (WardNotifier *self,
                const GError *error)
{
  gboolean no_server = g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
                       g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);

  self->n_failures++;

  /* A missing server answers at once; one that does not answer could
   * block the main thread again on every flag.
   */
  if (!no_server)
    self->backoff_until = g_get_monotonic_time () + BACKOFF_USEC;

  if (!self->available)
    return;

  /* Once per outage: a kiosk session without a notification server is a
   * normal set-up, and the alarm bar shows every flag anyway.
   */
  if (no_server)
    g_debug ("No desktop notification server, flags are shown in the window only: %s",
             error->message);
  else
    g_message ("Desktop notifications failed, trying again in %d s: %s",
               (int) (BACKOFF_USEC / G_USEC_PER_SEC), error->message);

  self->available = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static gboolean
show_notification (WardNotifier       *self,
                   NotifyNotification *notification)
{
  g_autoptr(GError) error = NULL;

  if (!is_server_usable (self))
    return FALSE;

  if (!notify_notification_show (notification, &error))
    {
      record_failure (self, error);
      return FALSE;
    }

  record_success (self);

  return TRUE;
}

static void
close_notification (WardNotifier        *self,
                    NotifyNotification **notification)
{
  NotifyNotification *owned = g_steal_pointer (notification);
  g_autoptr(GError) error = NULL;

  /* libnotify 0.8.1 has no autoptr for its types. */
  if (owned == NULL)
    return;

  /* Nothing to close when the server already closed it (dismissed,
   * expired) or when it was never shown.
   */
  if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (owned), "ward-shown")) &&
      notify_notification_get_closed_reason (owned) == NOTIFY_CLOSED_REASON_UNSET &&
      is_server_usable (self) &&
      !notify_notification_close (owned, &error))
    record_failure (self, error);

  g_object_unref (owned);
}

static gboolean
release_notification_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* libnotify still touches the notification after an action callback
 * returns; the action may end the episode and drop our reference.
 */
static void
hold_notification (NotifyNotification *notification)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, release_notification_cb,
                   g_object_ref (notification), g_object_unref);
}

/* The activation token lets the window take the focus the user gave the
 * notification.
 */
static void
pass_activation_token (WardNotifier       *self,
                       NotifyNotification *notification)
{
  const char *token = notify_notification_get_activation_token (notification);
  GtkWindow *window;

  if (token == NULL || !GTK_IS_APPLICATION (self->actions))
    return;

  window = gtk_application_get_active_window (GTK_APPLICATION (self->actions));
  if (window != NULL)
    gtk_window_set_startup_id (window, token);
}

static void
acknowledge_action_cb (NotifyNotification *notification,
                       char               *action,
                       gpointer            user_data)
{
  ActionData *action_data = user_data;
  g_autoptr(WardNotifier) self = g_weak_ref_get (&action_data->notifier);

  hold_notification (notification);

  if (self == NULL || self->actions == NULL)
    return;

  g_debug ("Acknowledge flag %" G_GINT64_FORMAT " from its notification", action_data->flag_id);
  g_action_group_activate_action (self->actions, "acknowledge-flag",
                                  g_variant_new_int64 (action_data->flag_id));
}

/* Accept: the flag's task as the snapshot last showed it (after an
 * escalation, the next role's task), taken by whoever acts in the window.
 */
static void
accept_action_cb (NotifyNotification *notification,
                  char               *action,
                  gpointer            user_data)
{
  ActionData *action_data = user_data;
  g_autoptr(WardNotifier) self = g_weak_ref_get (&action_data->notifier);
  Episode *episode;

  hold_notification (notification);

  if (self == NULL || self->actions == NULL)
    return;

  episode = g_hash_table_lookup (self->episodes, &action_data->flag_id);
  if (episode == NULL || episode->task_id == 0)
    {
      /* The task has gone since: acknowledging says so if it cannot. */
      g_action_group_activate_action (self->actions, "acknowledge-flag",
                                      g_variant_new_int64 (action_data->flag_id));
      return;
    }

  g_debug ("Accept task %" G_GINT64_FORMAT " from its notification", episode->task_id);
  g_action_group_activate_action (self->actions, "accept-flag-task",
                                  g_variant_new_int64 (episode->task_id));
}

static void
open_patient_action_cb (NotifyNotification *notification,
                        char               *action,
                        gpointer            user_data)
{
  ActionData *action_data = user_data;
  g_autoptr(WardNotifier) self = g_weak_ref_get (&action_data->notifier);

  hold_notification (notification);

  if (self == NULL || self->actions == NULL || action_data->patient_id == NULL)
    return;

  pass_activation_token (self, notification);
  g_action_group_activate_action (self->actions, "open-patient",
                                  g_variant_new_string (action_data->patient_id));
}

static void
open_window_action_cb (NotifyNotification *notification,
                       char               *action,
                       gpointer            user_data)
{
  ActionData *action_data = user_data;
  g_autoptr(WardNotifier) self = g_weak_ref_get (&action_data->notifier);

  hold_notification (notification);

  if (self == NULL || !G_IS_APPLICATION (self->actions))
    return;

  pass_activation_token (self, notification);
  g_application_activate (G_APPLICATION (self->actions));
}

static NotifyNotification *
create_notification (const char *summary,
                     const char *body)
{
  NotifyNotification *notification = notify_notification_new (summary, body, APP_ID);

  notify_notification_set_hint_string (notification, "desktop-entry", APP_ID);

  return notification;
}

static void
show_episode (WardNotifier *self,
              Episode      *episode)
{
  g_autofree char *line = format_episode_line (episode);
  g_autofree char *summary = NULL;
  g_autofree char *body = format_episode_body (self, episode);
  gboolean shown;

  /* Translators: a priority marker ("***", "**") and a bed's line */
  summary = g_strdup_printf (C_("notification summary", "%s %s"),
                             get_band_marker (episode->band), line);

  if (episode->notification == NULL)
    {
      episode->notification = create_notification (summary, body);
      /* Accept replaces Acknowledge where the flag has a care-team task. */
      if (episode->task_id != 0)
        notify_notification_add_action (episode->notification, "accept", _("Accept"),
                                        accept_action_cb,
                                        create_action_data (self, episode), action_data_free);
      else
        notify_notification_add_action (episode->notification, "acknowledge", _("Acknowledge"),
                                        acknowledge_action_cb,
                                        create_action_data (self, episode), action_data_free);
      notify_notification_add_action (episode->notification, "open-patient", _("Open Patient"),
                                      open_patient_action_cb,
                                      create_action_data (self, episode), action_data_free);
      notify_notification_add_action (episode->notification, "default", _("Open Patient"),
                                      open_patient_action_cb,
                                      create_action_data (self, episode), action_data_free);
    }
  else
    {
      notify_notification_update (episode->notification, summary, body, APP_ID);
    }

  notify_notification_set_urgency (episode->notification, get_band_urgency (episode->band));

  shown = show_notification (self, episode->notification);
  if (shown)
    g_object_set_data (G_OBJECT (episode->notification), "ward-shown", GUINT_TO_POINTER (TRUE));
  if (self->sent_hook != NULL)
    self->sent_hook (self, &episode->flag_id, 1, shown, self->sent_hook_data);
}

static void
close_summary (WardNotifier *self)
{
  g_clear_handle_id (&self->summary_source, g_source_remove);
  close_notification (self, &self->summary);
  g_array_set_size (self->summary_flags, 0);
  self->summary_escalations = FALSE;
}

static void
show_summary (WardNotifier *self)
{
  g_autoptr(GString) title = g_string_new (NULL);
  g_autoptr(GString) beds = g_string_new (NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *markup = NULL;
  WardBand highest = WARD_BAND_LOW;
  guint n = self->summary_flags->len;
  gboolean shown;

  g_clear_handle_id (&self->summary_source, g_source_remove);

  if (n == 0)
    {
      close_summary (self);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      gint64 flag_id = g_array_index (self->summary_flags, gint64, i);
      Episode *episode = g_hash_table_lookup (self->episodes, &flag_id);
      g_autofree char *line = NULL;
      const char *patient;

      g_assert (episode != NULL && episode->in_summary);

      highest = MAX (highest, episode->band);

      if (i < SUMMARY_MAX_BEDS)
        {
          if (i > 0)
            /* Translators: the separator of a list of beds */
            g_string_append (beds, _(", "));
          g_string_append (beds, episode->bed_label != NULL ? episode->bed_label : "?");
        }
      else if (i == SUMMARY_MAX_BEDS)
        {
          g_string_append (beds, _(", "));
          g_string_append (beds, "…");
        }

      line = format_episode_line (episode);
      patient = get_patient (self, episode);
      if (body->len > 0)
        g_string_append_c (body, '\n');
      g_string_append_printf (body, "%s %s", get_band_marker (episode->band), line);
      if (patient != NULL)
        /* Translators: a bed's line followed by its patient */
        g_string_append_printf (body, _(" — %s"), patient);
    }

  g_string_append_printf (title, "%s ", get_band_marker (highest));
  if (self->summary_escalations)
    g_string_append_printf (title,
                            /* Translators: %u is a number of flags, %s a list of beds */
                            g_dngettext (GETTEXT_PACKAGE, "%u flag raised or escalated: %s",
                                         "%u flags raised or escalated: %s", n),
                            n, beds->str);
  else
    g_string_append_printf (title,
                            /* Translators: %u is a number of flags, %s a list of beds */
                            g_dngettext (GETTEXT_PACKAGE, "%u new flag: %s", "%u new flags: %s", n),
                            n, beds->str);

  markup = g_markup_escape_text (body->str, body->len);

  if (self->summary == NULL)
    {
      self->summary = create_notification (title->str, markup);
      notify_notification_add_action (self->summary, "default", _("Open Wardwatch"),
                                      open_window_action_cb,
                                      create_action_data (self, NULL), action_data_free);
    }
  else
    {
      notify_notification_update (self->summary, title->str, markup, APP_ID);
    }

  notify_notification_set_urgency (self->summary, get_band_urgency (highest));

  self->summary_shown_at = g_get_monotonic_time ();
  shown = show_notification (self, self->summary);
  if (shown)
    g_object_set_data (G_OBJECT (self->summary), "ward-shown", GUINT_TO_POINTER (TRUE));
  if (self->sent_hook != NULL)
    self->sent_hook (self, (const gint64 *) (gpointer) self->summary_flags->data,
                     self->summary_flags->len, shown, self->sent_hook_data);
}

static gboolean
show_summary_cb (gpointer user_data)
{
  WardNotifier *self = user_data;

  self->summary_source = 0;
  show_summary (self);

  return G_SOURCE_REMOVE;
}

static void
queue_summary (WardNotifier *self)
{
  gint64 since;

  if (self->summary_source != 0)
    return;

  since = (g_get_monotonic_time () - self->summary_shown_at) / 1000;
  if (self->summary == NULL || since >= SUMMARY_INTERVAL_MSEC)
    show_summary (self);
  else
    self->summary_source = g_timeout_add (SUMMARY_INTERVAL_MSEC - since, show_summary_cb, self);
}

static void
remove_from_summary (WardNotifier *self,
                     Episode      *episode)
{
  if (!episode->in_summary)
    return;

  episode->in_summary = FALSE;

  for (guint i = 0; i < self->summary_flags->len; i++)
    {
      if (g_array_index (self->summary_flags, gint64, i) == episode->flag_id)
        {
          g_array_remove_index (self->summary_flags, i);
          break;
        }
    }

  /* The summary is not shown again for a flag less: that would alert. */
  if (self->summary_flags->len == 0)
    close_summary (self);
}

static void
withdraw_episode (WardNotifier *self,
                  Episode      *episode)
{
  close_notification (self, &episode->notification);
  remove_from_summary (self, episode);
}

static void
deliver_alerts (WardNotifier *self,
                GPtrArray    *alerts)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  gint64 now = g_get_monotonic_time ();
  gboolean storm;
  guint kept = 0;

  /* An escalation of a flag that has its own notification replaces it
   * in place: it alerts again but adds no bubble, so it is no storm.
   */
  for (guint i = 0; i < alerts->len; i++)
    {
      Episode *episode = g_ptr_array_index (alerts, i);

      if ((episode->alert == ALERT_ESCALATED || episode->alert == ALERT_TASK_ESCALATED) &&
          episode->notification != NULL)
        {
          show_episode (self, episode);
          episode->alert = ALERT_NONE;
        }
      else
        {
          g_ptr_array_add (fresh, episode);
        }
    }

  if (fresh->len == 0)
    return;

  for (guint i = 0; i < self->alert_times->len; i++)
    {
      gint64 at = g_array_index (self->alert_times, gint64, i);

      if (now - at < STORM_WINDOW_USEC)
        g_array_index (self->alert_times, gint64, kept++) = at;
    }
  g_array_set_size (self->alert_times, kept);

  storm = now < self->storm_until || self->alert_times->len + fresh->len > STORM_LIMIT;

  for (guint i = 0; i < fresh->len; i++)
    {
      Episode *episode = g_ptr_array_index (fresh, i);

      g_array_append_val (self->alert_times, now);

      if (storm)
        {
          if (episode->alert == ALERT_ESCALATED || episode->alert == ALERT_TASK_ESCALATED)
            self->summary_escalations = TRUE;
          if (!episode->in_summary)
            {
              episode->in_summary = TRUE;
              g_array_append_val (self->summary_flags, episode->flag_id);
            }
        }
      else
        {
          remove_from_summary (self, episode);
          show_episode (self, episode);
        }

      episode->alert = ALERT_NONE;
    }

  if (storm)
    {
      g_debug ("%u flag alerts within %d s: one summary notification",
               self->alert_times->len, (int) (STORM_WINDOW_USEC / G_USEC_PER_SEC));
      self->storm_until = now + STORM_WINDOW_USEC;
      queue_summary (self);
    }
}

static void
ward_notifier_dispose (GObject *object)
{
  WardNotifier *self = WARD_NOTIFIER (object);

  /* Actions of a notification outliving the notifier would do nothing. */
  ward_notifier_withdraw_all (self);
  g_clear_weak_pointer (&self->actions);

  G_OBJECT_CLASS (ward_notifier_parent_class)->dispose (object);
}

static void
ward_notifier_finalize (GObject *object)
{
  WardNotifier *self = WARD_NOTIFIER (object);

  g_clear_pointer (&self->episodes, g_hash_table_unref);
  g_clear_pointer (&self->alert_times, g_array_unref);
  g_clear_pointer (&self->summary_flags, g_array_unref);

  G_OBJECT_CLASS (ward_notifier_parent_class)->finalize (object);
}

static void
ward_notifier_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  WardNotifier *self = WARD_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;

    case PROP_SHOW_PATIENT_NAMES:
      g_value_set_boolean (value, self->show_patient_names);
      break;

    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_notifier_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  WardNotifier *self = WARD_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      ward_notifier_set_enabled (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_PATIENT_NAMES:
      ward_notifier_set_show_patient_names (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_notifier_class_init (WardNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_notifier_dispose;
  object_class->finalize = ward_notifier_finalize;
  object_class->get_property = ward_notifier_get_property;
  object_class->set_property = ward_notifier_set_property;

  /**
   * WardNotifier:enabled:
   *
   * Whether flags are shown as desktop notifications.  Turning it off
   * closes the notifications shown; flags that open meanwhile are not
   * shown later.
   */
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * WardNotifier:show-patient-names:
   *
   * Whether notifications name the patient instead of giving initials.
   */
  properties[PROP_SHOW_PATIENT_NAMES] =
    g_param_spec_boolean ("show-patient-names", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * WardNotifier:available:
   *
   * %FALSE after the notification server could not be reached (there is
   * none, or it did not answer), until a notification goes through again.
   */
  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL,
                          TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ward_notifier_init (WardNotifier *self)
{
  self->episodes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, episode_free);
  self->alert_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->summary_flags = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->enabled = TRUE;
  self->available = TRUE;
}

/**
 * ward_notifier_new:
 * @actions: (nullable): where the notifications' actions go: the
 *   application, with "acknowledge-flag" (x) and "open-patient" (s)
 *
 * Initializes libnotify on first use.  Main thread only.
 *
 * Returns: (transfer full): a new #WardNotifier
 */
WardNotifier *
ward_notifier_new (GActionGroup *actions)
{
  WardNotifier *self;

  g_return_val_if_fail (actions == NULL || G_IS_ACTION_GROUP (actions), NULL);

  if (!notify_is_initted ())
    notify_init (_("Wardwatch"));

  self = g_object_new (WARD_TYPE_NOTIFIER, NULL);
  g_set_weak_pointer (&self->actions, actions);

  return self;
}

/**
 * ward_notifier_update:
 * @snapshot: the newest snapshot
 *
 * Shows, updates and closes notifications for what changed since the
 * previous snapshot.  A snapshot that changes no flag does nothing.
 */
void
ward_notifier_update (WardNotifier *self,
                      WardSnapshot *snapshot)
{
  g_autoptr(GPtrArray) alerts = NULL;
  GHashTableIter iter;
  Episode *episode;
  gint64 now;

  g_return_if_fail (WARD_IS_NOTIFIER (self));
  g_return_if_fail (snapshot != NULL);

  self->generation++;
  alerts = g_ptr_array_new ();
  now = ward_snapshot_get_now (snapshot);

  for (guint i = 0; i < ward_snapshot_get_n_beds (snapshot); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);
      gint64 acknowledged_at = get_acknowledged_at (bed);

      /* A pending flag has no id yet; a closed one has none any more. */
      if (bed->flag_id == 0)
        continue;

      episode = g_hash_table_lookup (self->episodes, &bed->flag_id);
      if (episode == NULL)
        {
          episode = g_new0 (Episode, 1);
          episode->flag_id = bed->flag_id;
          episode->band = bed->flag_band;
          episode->acknowledged_at = acknowledged_at;
          g_hash_table_insert (self->episodes, &episode->flag_id, episode);
          refresh_episode (episode, bed);

          /* Already acknowledged (seen at start-up): someone has it,
           * unless it escalated after the acknowledgement.
           */
          if (acknowledged_at == 0 || bed->flag_escalated_at > acknowledged_at)
            episode->alert = ALERT_NEW;
        }
      else
        {
          refresh_episode (episode, bed);

          if (acknowledged_at != 0 && acknowledged_at != episode->acknowledged_at)
            {
              /* Both between two snapshots: the acknowledgement silences
               * only what was there when it was given.
               */
              gboolean escalated_since = bed->flag_band > episode->band &&
                                         bed->flag_escalated_at > acknowledged_at;

              episode->acknowledged_at = acknowledged_at;
              withdraw_episode (self, episode);
              if (escalated_since)
                {
                  episode->escalated_from = episode->band;
                  episode->band = bed->flag_band;
                  episode->alert = ALERT_ESCALATED;
                }
              else
                {
                  episode->band = MAX (episode->band, bed->flag_band);
                }
            }
          else if (bed->flag_band > episode->band)
            {
              episode->escalated_from = episode->band;
              episode->band = bed->flag_band;
              episode->alert = ALERT_ESCALATED;
            }
        }

      {
        const WardTask *task = _ward_flag_words_bed_task (bed, bed->flag_id);
        gint64 task_id = task != NULL ? task->id : 0;

        /* An escalation of the task (nobody accepted it in time: a new
         * task for the next role) alerts again, naming that role.
         */
        if (task != NULL && task_id != episode->task_id && episode->task_id != 0 &&
            task->part_of != 0 && task->status == WARD_TASK_REQUESTED &&
            episode->alert == ALERT_NONE)
          episode->alert = ALERT_TASK_ESCALATED;
        episode->task_id = task_id;
        episode->task_status = task != NULL ? task->status : WARD_TASK_CANCELLED;
      }

      episode->generation = self->generation;

      if (episode->alert != ALERT_NONE)
        {
          if (self->enabled)
            {
              describe_episode (episode, bed, now);
              g_ptr_array_add (alerts, episode);
            }
          else
            episode->alert = ALERT_NONE;
        }
    }

  /* Flags not in this snapshot have closed (or their bed has gone). */
  g_hash_table_iter_init (&iter, self->episodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &episode))
    {
      if (episode->generation != self->generation)
        {
          withdraw_episode (self, episode);
          g_hash_table_iter_remove (&iter);
        }
    }

  if (alerts->len > 0)
    deliver_alerts (self, alerts);
}

/**
 * ward_notifier_withdraw_all:
 *
 * Closes every notification shown, for shutdown.  The flags stay known,
 * so a later update does not show them again.
 */
void
ward_notifier_withdraw_all (WardNotifier *self)
{
  GHashTableIter iter;
  Episode *episode;

  g_return_if_fail (WARD_IS_NOTIFIER (self));

  g_hash_table_iter_init (&iter, self->episodes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &episode))
    {
      close_notification (self, &episode->notification);
      episode->in_summary = FALSE;
    }

  close_summary (self);
}

gboolean
ward_notifier_get_enabled (WardNotifier *self)
{
  g_return_val_if_fail (WARD_IS_NOTIFIER (self), FALSE);

  return self->enabled;
}

void
ward_notifier_set_enabled (WardNotifier *self,
                           gboolean      enabled)
{
  g_return_if_fail (WARD_IS_NOTIFIER (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  if (!enabled)
    ward_notifier_withdraw_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

gboolean
ward_notifier_get_show_patient_names (WardNotifier *self)
{
  g_return_val_if_fail (WARD_IS_NOTIFIER (self), FALSE);

  return self->show_patient_names;
}

/* Applies to notifications shown from now on. */
void
ward_notifier_set_show_patient_names (WardNotifier *self,
                                      gboolean      show_patient_names)
{
  g_return_if_fail (WARD_IS_NOTIFIER (self));

  show_patient_names = !!show_patient_names;
  if (self->show_patient_names == show_patient_names)
    return;

  self->show_patient_names = show_patient_names;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PATIENT_NAMES]);
}

/**
 * ward_notifier_get_available:
 *
 * Returns: %FALSE when the last attempt to reach the notification server
 *   failed
 */
gboolean
ward_notifier_get_available (WardNotifier *self)
{
  g_return_val_if_fail (WARD_IS_NOTIFIER (self), FALSE);

  return self->available;
}

/* How many calls to the notification server failed, for tests and logs. */
guint
ward_notifier_get_n_failures (WardNotifier *self)
{
  g_return_val_if_fail (WARD_IS_NOTIFIER (self), 0);

  return self->n_failures;
}

void
_ward_notifier_set_sent_hook (WardNotifier         *self,
                              WardNotifierSentHook  hook,
                              gpointer              user_data)
{
  g_return_if_fail (WARD_IS_NOTIFIER (self));

  self->sent_hook = hook;
  self->sent_hook_data = user_data;
}
