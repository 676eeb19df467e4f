/* ward-watchdog-banner.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-watchdog-banner"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-watchdog-banner.h"
#include "ward-a11y.h"

/* A still picture must never pass for a live one: while the watchdog
 * says the display is not updating, a red banner across the whole window
 * says since when, in local time, and what the clinician should do.  It
 * goes as soon as data flows again.  The banner is an accessible alert,
 * so a screen reader announces it too.
 */

struct _WardWatchdogBanner
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkRevealer   *revealer;
  GtkLabel      *title_label;
  GtkLabel      *detail_label;

  /* Owned */
  WardWatchdog  *watchdog;
  WardPipeline  *pipeline;
};

G_DEFINE_FINAL_TYPE (WardWatchdogBanner, ward_watchdog_banner, GTK_TYPE_WIDGET)

static char *
format_time (gint64 real_usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (real_usec / G_USEC_PER_SEC);

  return dt != NULL ? g_date_time_format (dt, "%H:%M:%S") : g_strdup ("?");
}

static void
update (WardWatchdogBanner *self)
{
  WardWatchdogState state = ward_watchdog_get_state (self->watchdog);
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  g_autofree char *title = NULL;
  const char *detail = NULL;

  if (state == WARD_WATCHDOG_LIVE)
    {
      gtk_revealer_set_reveal_child (self->revealer, FALSE);
      gtk_widget_remove_css_class (GTK_WIDGET (self), "stalled");
      return;
    }

  since = format_time (ward_watchdog_get_since (self->watchdog));

  switch (state)
    {
    case WARD_WATCHDOG_MAIN_LOOP_LATE:
      until = format_time (ward_watchdog_get_until (self->watchdog));
      /* Translators: the times are local, e.g. "from 10:41:05 to 10:41:25" */
      title = g_strdup_printf (_("Display was not updating from %s to %s"), since, until);
      detail = _("This screen was blocked and is live again. Alarms that came meanwhile are "
                 "shown now.");
      break;
    case WARD_WATCHDOG_PIPELINE_STUCK:
      /* Translators: the time is local, e.g. "since 10:41:05" */
      title = g_strdup_printf (_("Display not updating since %s"), since);
      detail = _("Wardwatch has stopped processing ward data. Values, scores and alarms on "
                 "this screen may be out of date: check patients at the bedside.");
      break;
    case WARD_WATCHDOG_NO_SNAPSHOT:
    default:
      title = g_strdup_printf (_("Display not updating since %s"), since);
      detail = _("No new ward data has reached this screen. Values, scores and alarms on this "
                 "screen may be out of date: check patients at the bedside.");
      break;
    }

  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->detail_label, detail);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "stalled");
}

static void
state_changed_cb (WardWatchdogBanner *self,
                  GParamSpec         *pspec,
                  WardWatchdog       *watchdog)
{
  update (self);
}

static gint64
heartbeat_cb (gpointer user_data)
{
  return ward_pipeline_get_heartbeat (user_data);
}

static void
ward_watchdog_banner_dispose (GObject *object)
{
  WardWatchdogBanner *self = (WardWatchdogBanner *) object;

  if (self->watchdog != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->watchdog, self);
      ward_watchdog_stop (self->watchdog);
    }
  g_clear_object (&self->watchdog);
  g_clear_object (&self->pipeline);
  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_WATCHDOG_BANNER);

  G_OBJECT_CLASS (ward_watchdog_banner_parent_class)->dispose (object);
}

static void
ward_watchdog_banner_class_init (WardWatchdogBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_watchdog_banner_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-watchdog-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, WardWatchdogBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, WardWatchdogBanner, title_label);
  gtk_widget_class_bind_template_child (widget_class, WardWatchdogBanner, detail_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "watchdogbanner");
}

static void
ward_watchdog_banner_init (WardWatchdogBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ward_a11y_banner_revealer (self->revealer);

  self->watchdog = ward_watchdog_new ();
  g_signal_connect_object (self->watchdog, "notify::state", G_CALLBACK (state_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
ward_watchdog_banner_new (void)
{
  return g_object_new (WARD_TYPE_WATCHDOG_BANNER, NULL);
}

/**
 * ward_watchdog_banner_set_pipeline:
 * @pipeline: (nullable): the running pipeline whose snapshots this window
 *   shows, or %NULL: nothing is expected then
 *
 * Starts watching on the thread-default main context (the main thread).
 */
void
ward_watchdog_banner_set_pipeline (WardWatchdogBanner *self,
                                   WardPipeline       *pipeline)
{
  g_return_if_fail (WARD_IS_WATCHDOG_BANNER (self));
  g_return_if_fail (pipeline == NULL || WARD_IS_PIPELINE (pipeline));

  if (self->pipeline == pipeline)
    return;

  ward_watchdog_stop (self->watchdog);
  g_set_object (&self->pipeline, pipeline);
  if (pipeline != NULL)
    ward_watchdog_start (self->watchdog, heartbeat_cb, pipeline);
}

/* The window got a snapshot from the pipeline. */
void
ward_watchdog_banner_snapshot_arrived (WardWatchdogBanner *self)
{
  g_return_if_fail (WARD_IS_WATCHDOG_BANNER (self));

  ward_watchdog_snapshot_arrived (self->watchdog);
}

WardWatchdog *
ward_watchdog_banner_get_watchdog (WardWatchdogBanner *self)
{
  g_return_val_if_fail (WARD_IS_WATCHDOG_BANNER (self), NULL);

  return self->watchdog;
}

gboolean
ward_watchdog_banner_get_shown (WardWatchdogBanner *self)
{
  g_return_val_if_fail (WARD_IS_WATCHDOG_BANNER (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

/* The banner's headline, e.g. "Display not updating since 10:41:05". */
const char *
ward_watchdog_banner_get_title (WardWatchdogBanner *self)
{
  g_return_val_if_fail (WARD_IS_WATCHDOG_BANNER (self), NULL);

  return gtk_label_get_text (self->title_label);
}
