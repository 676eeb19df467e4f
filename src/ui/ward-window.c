/* ward-window.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-bed-tile.h"
#include "ward-data-issues.h"
#include "ward-window.h"

struct _WardWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  AdwStatusPage        *status_page;
  GtkSpinner           *spinner;
  GtkLabel             *summary_label;
  GtkFlowBox           *flow_box;
  GtkRevealer          *source_revealer;
  GtkLabel             *source_label;

  /* Owned */
  GSettings            *settings;       /* NULL when the schema is not installed */
  WardSnapshot         *snapshot;
  char                 *db_path;        /* NULL until the application sets it */
  WardPipeline         *pipeline;       /* NULL in tests that only show snapshots */
  char                 *user;

  /* Borrowed */
  WardDataIssues       *data_issues;    /* weak */

  guint                 n_tiles;
  guint                 demo : 1;
  guint                 show_patient_names : 1;
};

G_DEFINE_FINAL_TYPE (WardWindow, ward_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DEMO,
  PROP_SHOW_PATIENT_NAMES,
  PROP_DB_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* A build run from its build directory without GSETTINGS_SCHEMA_DIR has
   * no schema; g_settings_new() would abort there, and the window works
   * well enough without remembering its size.
   */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_debug ("Schema %s is not installed, settings are not kept", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static WardBedTile *
get_tile (WardWindow *self,
          guint       index)
{
  GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->flow_box, index);

  g_assert (child != NULL);

  return WARD_BED_TILE (gtk_flow_box_child_get_child (child));
}

/* Tiles are kept as long as the snapshot lists the same beds in the same
 * order, which is every snapshot but the first on a running ward.
 */
static gboolean
can_reuse_tiles (WardWindow   *self,
                 WardSnapshot *snapshot)
{
  guint n_beds = ward_snapshot_get_n_beds (snapshot);

  if (n_beds != self->n_tiles)
    return FALSE;

  for (guint i = 0; i < n_beds; i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);

      if (g_strcmp0 (ward_bed_tile_get_bed_id (get_tile (self, i)), bed->bed_id) != 0)
        return FALSE;
    }

  return TRUE;
}

static void
rebuild_tiles (WardWindow *self,
               guint       n_beds)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box))) != NULL)
    gtk_flow_box_remove (self->flow_box, child);

  for (guint i = 0; i < n_beds; i++)
    gtk_flow_box_append (self->flow_box, ward_bed_tile_new ());

  self->n_tiles = n_beds;
}

static void
show_status (WardWindow *self,
             const char *icon_name,
             const char *title,
             const char *description,
             gboolean    busy)
{
  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static void
update_title (WardWindow *self)
{
  g_autofree char *clock = NULL;
  g_autofree char *subtitle = NULL;

  if (self->snapshot != NULL)
    {
      gint64 now = ward_snapshot_get_now (self->snapshot);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);

      if (dt != NULL)
        clock = g_date_time_format (dt, "%a %H:%M:%S");
    }

  if (self->demo && clock != NULL)
    /* Translators: %s is the simulated day and time of the demo ward, "Tue 14:32:05" */
    subtitle = g_strdup_printf (_("Demo · simulated time %s"), clock);
  else if (self->demo)
    subtitle = g_strdup (_("Demo"));
  else
    subtitle = g_steal_pointer (&clock);

  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : "");
}

static void
update_summary (WardWindow *self)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  const WardCounters *counters = ward_snapshot_get_counters (self->snapshot);
  guint n_beds = ward_snapshot_get_n_beds (self->snapshot);
  guint n_flags = 0;
  guint n_unacknowledged = 0;
  guint n_silent = 0;
  guint n_rejected = MIN (counters->dead_letters, G_MAXUINT);

  for (guint i = 0; i < n_beds; i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);

      if (bed->flag_state == WARD_FLAG_STATE_OPEN || bed->flag_state == WARD_FLAG_STATE_RECOVERING)
        {
          n_flags++;
          if (bed->flag_acknowledged_by == NULL)
            n_unacknowledged++;
        }

      if (bed->technical_alert)
        n_silent++;
    }

  g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u bed", "%u beds", n_beds), n_beds));
  g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u open flag", "%u open flags", n_flags),
                                           n_flags));
  if (n_unacknowledged > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u flag not acknowledged",
                                                       "%u flags not acknowledged",
                                                       n_unacknowledged),
                                             n_unacknowledged));
  if (n_silent > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u device silent",
                                                       "%u devices silent",
                                                       n_silent),
                                             n_silent));
  /* Rejected device messages are kept as dead letters; say that they exist. */
  if (n_rejected > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u message rejected",
                                                       "%u messages rejected",
                                                       n_rejected),
                                             n_rejected));
  g_ptr_array_add (parts, NULL);

  text = g_strjoinv (" · ", (char **) parts->pdata);
  gtk_label_set_text (self->summary_label, text);
}

static void
show_snapshot (WardWindow *self)
{
  guint n_beds;
  gint64 now;

  update_title (self);

  if (self->snapshot == NULL)
    return;

  n_beds = ward_snapshot_get_n_beds (self->snapshot);
  now = ward_snapshot_get_now (self->snapshot);

  if (!can_reuse_tiles (self, self->snapshot))
    rebuild_tiles (self, n_beds);

  for (guint i = 0; i < n_beds; i++)
    ward_bed_tile_update (get_tile (self, i),
                          ward_snapshot_get_bed (self->snapshot, i),
                          now,
                          self->show_patient_names);

  update_summary (self);

  if (n_beds == 0)
    show_status (self,
                 "io.github.wardwatch.Wardwatch-symbolic",
                 _("No Beds"),
                 _("The ward has no beds to show."),
                 FALSE);
  else
    gtk_stack_set_visible_child_name (self->stack, "beds");
}

static void
update_actions (WardWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.data-issues", self->db_path != NULL);
}

static void
set_db_path (WardWindow *self,
             const char *db_path)
{
  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;

  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DB_PATH]);
}

static void
data_issues_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);

  g_assert (self->db_path != NULL);

  /* One view per window: opening it again brings it up to date. */
  if (self->data_issues != NULL &&
      g_strcmp0 (ward_data_issues_get_db_path (self->data_issues), self->db_path) == 0)
    ward_data_issues_reload (self->data_issues);
  else
    {
      if (self->data_issues != NULL)
        gtk_window_destroy (GTK_WINDOW (self->data_issues));
      g_set_weak_pointer (&self->data_issues, ward_data_issues_new (GTK_WINDOW (self),
                                                                    self->db_path));
    }

  gtk_window_present (GTK_WINDOW (self->data_issues));
}

static void
restore_size (WardWindow *self)
{
  g_assert (self->settings != NULL);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_size (WardWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  g_assert (self->settings != NULL);

  g_settings_delay (self->settings);
  /* The default size follows the window, except when it is maximized. */
  if (!maximized)
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  g_settings_apply (self->settings);
}

static gboolean
ward_window_close_request (GtkWindow *window)
{
  WardWindow *self = WARD_WINDOW (window);

  if (self->settings != NULL)
    save_size (self);

  return GTK_WINDOW_CLASS (ward_window_parent_class)->close_request (window);
}

static void
ward_window_dispose (GObject *object)
{
  WardWindow *self = WARD_WINDOW (object);

  if (self->settings != NULL)
    g_settings_unbind (self, "show-patient-names");
  g_clear_object (&self->settings);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->user, g_free);
  g_clear_weak_pointer (&self->data_issues);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_WINDOW);

  G_OBJECT_CLASS (ward_window_parent_class)->dispose (object);
}

static void
ward_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  WardWindow *self = WARD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      g_value_set_boolean (value, ward_window_get_demo (self));
      break;

    case PROP_SHOW_PATIENT_NAMES:
      g_value_set_boolean (value, ward_window_get_show_patient_names (self));
      break;

    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  WardWindow *self = WARD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      ward_window_set_demo (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_PATIENT_NAMES:
      ward_window_set_show_patient_names (self, g_value_get_boolean (value));
      break;

    case PROP_DB_PATH:
      set_db_path (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_window_class_init (WardWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ward_window_dispose;
  object_class->get_property = ward_window_get_property;
  object_class->set_property = ward_window_set_property;

  window_class->close_request = ward_window_close_request;

  /**
   * WardWindow:demo:
   *
   * Whether the ward is the simulated demo ward, which the header says.
   */
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * WardWindow:show-patient-names:
   *
   * Whether tiles show the patients' full names instead of their initials.
   */
  properties[PROP_SHOW_PATIENT_NAMES] =
    g_param_spec_boolean ("show-patient-names", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * WardWindow:db-path:
   *
   * The pipeline's database, whose dead letters the data issues view
   * reads; %NULL leaves the view unavailable.
   */
  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WardWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, flow_box);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, source_revealer);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, source_label);

  gtk_widget_class_install_action (widget_class, "win.data-issues", NULL, data_issues_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.data-issues", NULL);

  g_type_ensure (WARD_TYPE_BED_TILE);
}

static void
ward_window_init (WardWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = create_settings ();
  if (self->settings != NULL)
    {
      g_autoptr(GAction) patient_names = g_settings_create_action (self->settings, "patient-names");

      g_action_map_add_action (G_ACTION_MAP (self), patient_names);
      g_settings_bind (self->settings, "patient-names",
                       self, "show-patient-names",
                       G_SETTINGS_BIND_GET);
      restore_size (self);
    }

  update_title (self);
  update_actions (self);
}

/**
 * ward_window_new:
 * @application: (nullable): the application, %NULL in tests
 */
WardWindow *
ward_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (WARD_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

gboolean
ward_window_get_demo (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), FALSE);

  return self->demo;
}

void
ward_window_set_demo (WardWindow *self,
                      gboolean    demo)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  demo = !!demo;
  if (self->demo == demo)
    return;

  self->demo = demo;
  update_title (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
}

gboolean
ward_window_get_show_patient_names (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), FALSE);

  return self->show_patient_names;
}

void
ward_window_set_show_patient_names (WardWindow *self,
                                    gboolean    show_patient_names)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  show_patient_names = !!show_patient_names;
  if (self->show_patient_names == show_patient_names)
    return;

  self->show_patient_names = show_patient_names;
  show_snapshot (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PATIENT_NAMES]);
}

/**
 * ward_window_apply_snapshot:
 * @self: a #WardWindow
 * @snapshot: (transfer none): the newest snapshot of the ward
 *
 * Shows @snapshot.  Tiles are created for the first snapshot and whenever
 * the beds change; otherwise the existing tiles only get new texts.
 */
void
ward_window_apply_snapshot (WardWindow   *self,
                            WardSnapshot *snapshot)
{
  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (snapshot != NULL);

  ward_snapshot_ref (snapshot);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  self->snapshot = snapshot;

  show_snapshot (self);
}

/**
 * ward_window_show_error:
 * @self: a #WardWindow
 * @error: why the ward cannot be shown
 *
 * Replaces the dashboard with @error, for a pipeline that could not start.
 */
void
ward_window_show_error (WardWindow   *self,
                        const GError *error)
{
  g_autofree char *description = NULL;

  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  /* The status page description is markup; an error message is text. */
  description = g_markup_escape_text (error->message, -1);
  show_status (self,
               "dialog-error-symbolic",
               _("Could Not Start the Ward Pipeline"),
               description,
               FALSE);
}

/**
 * ward_window_set_source_alarm:
 * @self: a #WardWindow
 * @text: (nullable): what is wrong with a device source, or %NULL when
 *   all is well
 *
 * A source that cannot reach its devices (an MQTT broker that went away)
 * is a technical alarm in its own right: no data is not good news.  The
 * text is shown across the top of the window, with a "***" marker so that
 * colour is not the only cue, until it is cleared.
 */
void
ward_window_set_source_alarm (WardWindow *self,
                              const char *text)
{
  g_autofree char *marked = NULL;

  g_return_if_fail (WARD_IS_WINDOW (self));

  if (text == NULL)
    {
      gtk_revealer_set_reveal_child (self->source_revealer, FALSE);
      return;
    }

  marked = g_strdup_printf ("*** %s", text);
  gtk_label_set_text (self->source_label, marked);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->source_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, marked,
                                  -1);
  gtk_revealer_set_reveal_child (self->source_revealer, TRUE);
}

gboolean
_ward_window_get_source_alarm_visible (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), FALSE);

  return gtk_revealer_get_reveal_child (self->source_revealer);
}

const char *
_ward_window_get_source_alarm_text (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);

  return gtk_label_get_text (self->source_label);
}

void
ward_window_set_pipeline (WardWindow   *self,
                          WardPipeline *pipeline)
{
  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (pipeline == NULL || WARD_IS_PIPELINE (pipeline));

  g_set_object (&self->pipeline, pipeline);
}

WardPipeline *
ward_window_get_pipeline (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);

  return self->pipeline;
}

void
ward_window_set_user (WardWindow *self,
                      const char *user)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  if (g_strcmp0 (self->user, user) == 0)
    return;

  g_free (self->user);
  self->user = g_strdup (user);
}

const char *
ward_window_get_user (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);

  return self->user;
}

void
ward_window_open_patient (WardWindow *self,
                          const char *patient_id)
{
  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (patient_id != NULL);

  /* The patient view comes with the dashboard work. */
  g_debug ("Open patient %s", patient_id);
}
