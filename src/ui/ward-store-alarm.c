/* ward-store-alarm.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store-alarm"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-store-alarm.h"
#include "ward-a11y.h"

struct _WardStoreAlarm
{
  GtkWidget    parent_instance;

  /* Template widgets */
  GtkRevealer *revealer;
  GtkLabel    *title_label;
  GtkLabel    *detail_label;
};

G_DEFINE_FINAL_TYPE (WardStoreAlarm, ward_store_alarm, GTK_TYPE_WIDGET)

/* "Cannot write: <why> since <clock>", in words a nurse can pass on. */
static char *
make_title (WardStoreCondition  condition,
            const char         *clock)
{
  switch (condition)
    {
    case WARD_STORE_CONDITION_FULL:
      /* Translators: a technical alarm; %s is a time of day, "10:41" */
      return g_strdup_printf (_("Cannot write: disk full since %s"), clock);
    case WARD_STORE_CONDITION_READ_ONLY:
      /* Translators: a technical alarm; %s is a time of day */
      return g_strdup_printf (_("Cannot write: the database is read-only since %s"), clock);
    case WARD_STORE_CONDITION_IO:
      /* Translators: a technical alarm; %s is a time of day */
      return g_strdup_printf (_("Cannot write: disk error since %s"), clock);
    case WARD_STORE_CONDITION_LOCKED:
      /* Translators: a technical alarm; %s is a time of day */
      return g_strdup_printf (_("Cannot write: the database has been locked too long, since %s"),
                              clock);
    case WARD_STORE_CONDITION_DAMAGED:
      /* Translators: a technical alarm; %s is a time of day */
      return g_strdup_printf (_("Cannot write: the database is damaged, since %s"), clock);
    case WARD_STORE_CONDITION_OTHER:
    case WARD_STORE_CONDITION_NONE:
    default:
      /* Translators: a technical alarm; %s is a time of day */
      return g_strdup_printf (_("Cannot write: store error since %s"), clock);
    }
}

static void
ward_store_alarm_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), WARD_TYPE_STORE_ALARM);

  G_OBJECT_CLASS (ward_store_alarm_parent_class)->dispose (object);
}

static void
ward_store_alarm_class_init (WardStoreAlarmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_store_alarm_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-store-alarm.ui");
  gtk_widget_class_bind_template_child (widget_class, WardStoreAlarm, revealer);
  gtk_widget_class_bind_template_child (widget_class, WardStoreAlarm, title_label);
  gtk_widget_class_bind_template_child (widget_class, WardStoreAlarm, detail_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "storealarm");
}

static void
ward_store_alarm_init (WardStoreAlarm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ward_a11y_banner_revealer (self->revealer);
}

GtkWidget *
ward_store_alarm_new (void)
{
  return g_object_new (WARD_TYPE_STORE_ALARM, NULL);
}

void
ward_store_alarm_update (WardStoreAlarm *self,
                         WardSnapshot   *snapshot)
{
  const WardStoreStatus *status;
  g_autoptr(GDateTime) since = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *title = NULL;
  gboolean failing;

  g_return_if_fail (WARD_IS_STORE_ALARM (self));
  g_return_if_fail (snapshot != NULL);

  status = ward_snapshot_get_store_status (snapshot);
  failing = status->condition != WARD_STORE_CONDITION_NONE;

  if (failing)
    {
      /* Local time on screen; the snapshot's clock, as the subtitle. */
      since = g_date_time_new_from_unix_local (status->failing_since / G_USEC_PER_SEC);
      clock = since != NULL ? g_date_time_format (since, "%H:%M") : g_strdup ("?");
      title = make_title (status->condition, clock);
      if (g_strcmp0 (gtk_label_get_text (self->title_label), title) != 0)
        gtk_label_set_text (self->title_label, title);
      if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self->detail_label)),
                     status->last_error) != 0)
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->detail_label), status->last_error);
    }

  gtk_revealer_set_reveal_child (self->revealer, failing);
}

const char *
ward_store_alarm_get_title (WardStoreAlarm *self)
{
  g_return_val_if_fail (WARD_IS_STORE_ALARM (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->revealer))
    return NULL;

  return gtk_label_get_text (self->title_label);
}
