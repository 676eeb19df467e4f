/* ward-settings-live.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-settings-live"

#include "config.h"

#include "ward-settings-live.h"

#include <math.h>

#include "ward-pipeline-live.h"
#include "ward-settings-config.h"

#define DEFAULT_DELAY_MSEC 500

struct _WardSettingsLive
{
  GObject             parent_instance;

  /* Owned */
  GSettings          *settings;
  WardPipeline       *pipeline;
  WardSources        *sources;          /* running, or NULL */
  WardPipelineConfig  command_line;
  WardSourcesConfig   command_line_sources;
  WardPipelineConfig  applied;          /* the merged configuration in force */
  WardSourcesConfig   applied_sources;
  GFileMonitor       *policy_monitor;   /* on applied.policy_file */
  GCancellable       *cancellable;
  char               *error;

  guint               delay_msec;
  guint               timeout_id;
  guint               n_applied;
  gboolean            policy_written;   /* the policy file changed on disk */
};

G_DEFINE_FINAL_TYPE (WardSettingsLive, ward_settings_live, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ERROR,
  N_PROPS
};

enum {
  SOURCES_CHANGED,
  APPLIED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule (WardSettingsLive *self);

void
ward_sources_config_copy (const WardSourcesConfig *src,
                          WardSourcesConfig       *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  ward_sources_config_clear (dest);
  ward_sources_config_init (dest);
  ward_mqtt_source_config_copy (&src->mqtt, &dest->mqtt);
  dest->mllp_bind = g_strdup (src->mllp_bind);
  dest->mllp_port = src->mllp_port;
  dest->mllp_limits = src->mllp_limits;
}

static gboolean
strv_equal (char **a,
            char **b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

static gboolean
sources_equal (const WardSourcesConfig *a,
               const WardSourcesConfig *b)
{
  const WardMqttSourceConfig *ma = &a->mqtt;
  const WardMqttSourceConfig *mb = &b->mqtt;

  return g_strcmp0 (ma->url, mb->url) == 0 &&
         g_strcmp0 (ma->client_id, mb->client_id) == 0 &&
         strv_equal (ma->topics, mb->topics) &&
         g_strcmp0 (ma->ca_file, mb->ca_file) == 0 &&
         g_strcmp0 (ma->ca_path, mb->ca_path) == 0 &&
         g_strcmp0 (ma->cert_file, mb->cert_file) == 0 &&
         g_strcmp0 (ma->key_file, mb->key_file) == 0 &&
         g_strcmp0 (ma->username, mb->username) == 0 &&
         g_strcmp0 (ma->password, mb->password) == 0 &&
         a->mllp_port == b->mllp_port &&
         g_strcmp0 (a->mllp_bind, b->mllp_bind) == 0;
}

static gboolean
days_equal (double a,
            double b)
{
  return (isnan (a) && isnan (b)) || a == b;
}

static void
set_error (WardSettingsLive *self,
           const char       *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;

  g_free (self->error);
  self->error = g_strdup (message);
  if (message != NULL)
    g_message ("Settings not applied: %s", message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
policy_file_changed_cb (GFileMonitor      *monitor,
                        GFile             *file,
                        GFile             *other_file,
                        GFileMonitorEvent  event,
                        WardSettingsLive  *self)
{
  /* The preferences write the file anew (a rename over it): the name
   * keeps its setting, so only the file says it changed.
   */
  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT || event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_RENAMED || event == G_FILE_MONITOR_EVENT_MOVED_IN)
    {
      self->policy_written = TRUE;
      schedule (self);
    }
}

static void
watch_policy_file (WardSettingsLive *self)
{
  g_autoptr(GFile) file = NULL;

  if (self->policy_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->policy_monitor, self);
      g_file_monitor_cancel (self->policy_monitor);
      g_clear_object (&self->policy_monitor);
    }
  if (self->applied.policy_file == NULL)
    return;

  file = g_file_new_for_path (self->applied.policy_file);
  self->policy_monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->policy_monitor != NULL)
    g_signal_connect (self->policy_monitor, "changed", G_CALLBACK (policy_file_changed_cb), self);
}

static void
fhir_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WardSettingsLive) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ward_pipeline_reconfigure_fhir_finish (WARD_PIPELINE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_error (self, error->message);
}

/* Stops the running sources and starts new ones from config; when they
 * cannot start, the old configuration again.
 */
static gboolean
replace_sources (WardSettingsLive         *self,
                 const WardSourcesConfig  *config,
                 GError                  **error)
{
  g_autoptr(WardSources) sources = NULL;

  if (self->sources != NULL)
    ward_sources_stop (self->sources);
  g_clear_object (&self->sources);

  sources = ward_sources_new (self->pipeline, config);
  if (!ward_sources_start (sources, error))
    {
      g_autoptr(GError) again_error = NULL;

      ward_sources_stop (sources);
      g_clear_object (&sources);
      sources = ward_sources_new (self->pipeline, &self->applied_sources);
      if (!ward_sources_start (sources, &again_error))
        {
          g_warning ("The device sources as they were do not start again: %s",
                     again_error->message);
          g_clear_object (&sources);
        }
      self->sources = g_steal_pointer (&sources);
      g_signal_emit (self, signals[SOURCES_CHANGED], 0);
      return FALSE;
    }

  self->sources = g_steal_pointer (&sources);
  g_signal_emit (self, signals[SOURCES_CHANGED], 0);
  return TRUE;
}

static gboolean
apply_cb (gpointer data)
{
  WardSettingsLive *self = data;
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardSourcesConfig) sources = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) changed = g_string_new (NULL);
  gboolean policy_written = self->policy_written;

  self->timeout_id = 0;
  self->policy_written = FALSE;

  ward_pipeline_config_copy (&self->command_line, &config);
  ward_sources_config_init (&sources);
  ward_sources_config_copy (&self->command_line_sources, &sources);
  if (!ward_settings_config_merge (self->settings, &config, &sources, &error))
    {
      set_error (self, error->message);
      return G_SOURCE_REMOVE;
    }

  /* Each concern on its own: one that is refused keeps its old value and
   * does not hold the others back.
   */
  set_error (self, NULL);

  if (!sources_equal (&sources, &self->applied_sources))
    {
      if (replace_sources (self, &sources, &error))
        {
          ward_sources_config_copy (&sources, &self->applied_sources);
          g_string_append (changed, " sources");
        }
      else
        {
          set_error (self, error->message);
          g_clear_error (&error);
        }
    }

  if (!ward_pipeline_config_fhir_equal (&config, &self->applied))
    {
      ward_pipeline_reconfigure_fhir_async (self->pipeline, &config, self->cancellable,
                                            fhir_done_cb, g_object_ref (self));
      g_free (self->applied.fhir_url);
      self->applied.fhir_url = g_strdup (config.fhir_url);
      g_free (self->applied.fhir_auth);
      self->applied.fhir_auth = g_strdup (config.fhir_auth);
      g_free (self->applied.fhir_token_file);
      self->applied.fhir_token_file = g_strdup (config.fhir_token_file);
      g_free (self->applied.fhir_client_id);
      self->applied.fhir_client_id = g_strdup (config.fhir_client_id);
      g_free (self->applied.fhir_private_key);
      self->applied.fhir_private_key = g_strdup (config.fhir_private_key);
      g_string_append (changed, " fhir");
    }

  if (policy_written || g_strcmp0 (config.policy_file, self->applied.policy_file) != 0)
    {
      if (ward_pipeline_reload_policy (self->pipeline, config.policy_file, &error))
        {
          gboolean moved = g_strcmp0 (config.policy_file, self->applied.policy_file) != 0;

          g_free (self->applied.policy_file);
          self->applied.policy_file = g_strdup (config.policy_file);
          if (moved)
            watch_policy_file (self);
          g_string_append (changed, " policy");
        }
      else
        {
          set_error (self, error->message);
          g_clear_error (&error);
        }
    }

  if (g_strcmp0 (config.device_mapping, self->applied.device_mapping) != 0)
    {
      if (ward_pipeline_set_device_mapping (self->pipeline, config.device_mapping, &error))
        {
          g_free (self->applied.device_mapping);
          self->applied.device_mapping = g_strdup (config.device_mapping);
          g_string_append (changed, " mapping");
        }
      else
        {
          set_error (self, error->message);
          g_clear_error (&error);
        }
    }

  if (!days_equal (config.raw_retention_days, self->applied.raw_retention_days) ||
      !days_equal (config.measurement_retention_days, self->applied.measurement_retention_days))
    {
      ward_pipeline_set_retention (self->pipeline, config.raw_retention_days,
                                   config.measurement_retention_days);
      self->applied.raw_retention_days = config.raw_retention_days;
      self->applied.measurement_retention_days = config.measurement_retention_days;
      g_string_append (changed, " retention");
    }

  if (changed->len > 0)
    {
      self->n_applied++;
      g_message ("Settings applied:%s", changed->str);
      g_signal_emit (self, signals[APPLIED], 0, changed->str + 1);
    }

  return G_SOURCE_REMOVE;
}

static void
schedule (WardSettingsLive *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add (self->delay_msec, apply_cb, self);
}

static void
settings_changed_cb (WardSettingsLive *self,
                     const char       *key)
{
  schedule (self);
}

static void
ward_settings_live_dispose (GObject *object)
{
  WardSettingsLive *self = (WardSettingsLive *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->policy_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->policy_monitor, self);
      g_file_monitor_cancel (self->policy_monitor);
    }
  g_clear_object (&self->policy_monitor);
  g_clear_object (&self->settings);
  g_clear_object (&self->sources);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (ward_settings_live_parent_class)->dispose (object);
}

static void
ward_settings_live_finalize (GObject *object)
{
  WardSettingsLive *self = (WardSettingsLive *) object;

  ward_pipeline_config_clear (&self->command_line);
  ward_sources_config_clear (&self->command_line_sources);
  ward_pipeline_config_clear (&self->applied);
  ward_sources_config_clear (&self->applied_sources);
  g_clear_object (&self->cancellable);
  g_free (self->error);

  G_OBJECT_CLASS (ward_settings_live_parent_class)->finalize (object);
}

static void
ward_settings_live_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  WardSettingsLive *self = WARD_SETTINGS_LIVE (object);

  switch (prop_id)
    {
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_settings_live_class_init (WardSettingsLiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_settings_live_dispose;
  object_class->finalize = ward_settings_live_finalize;
  object_class->get_property = ward_settings_live_get_property;

  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WardSettingsLive::sources-changed:
   *
   * The device sources were replaced (ward_settings_live_get_sources()).
   */
  signals[SOURCES_CHANGED] = g_signal_new ("sources-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  /**
   * WardSettingsLive::applied:
   * @concerns: what changed, space-separated: sources, fhir, policy,
   *   mapping, retention
   */
  signals[APPLIED] = g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ward_settings_live_init (WardSettingsLive *self)
{
  self->delay_msec = DEFAULT_DELAY_MSEC;
  self->cancellable = g_cancellable_new ();
}

WardSettingsLive *
ward_settings_live_new (GSettings                *settings,
                        WardPipeline             *pipeline,
                        const WardPipelineConfig *command_line,
                        const WardSourcesConfig  *command_line_sources,
                        WardSources              *sources)
{
  WardSettingsLive *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (WARD_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (command_line != NULL, NULL);
  g_return_val_if_fail (command_line_sources != NULL, NULL);
  g_return_val_if_fail (sources == NULL || WARD_IS_SOURCES (sources), NULL);

  self = g_object_new (WARD_TYPE_SETTINGS_LIVE, NULL);
  self->settings = g_object_ref (settings);
  self->pipeline = g_object_ref (pipeline);
  self->sources = sources != NULL ? g_object_ref (sources) : NULL;
  ward_pipeline_config_copy (command_line, &self->command_line);
  ward_sources_config_init (&self->command_line_sources);
  ward_sources_config_copy (command_line_sources, &self->command_line_sources);

  /* What runs now: the same merge main.c made before the start. */
  ward_pipeline_config_copy (command_line, &self->applied);
  ward_sources_config_init (&self->applied_sources);
  ward_sources_config_copy (command_line_sources, &self->applied_sources);
  if (!ward_settings_config_merge (settings, &self->applied, &self->applied_sources, &error))
    set_error (self, error->message);

  watch_policy_file (self);
  g_signal_connect_swapped (settings, "changed", G_CALLBACK (settings_changed_cb), self);

  return self;
}

WardSources *
ward_settings_live_get_sources (WardSettingsLive *self)
{
  g_return_val_if_fail (WARD_IS_SETTINGS_LIVE (self), NULL);

  return self->sources;
}

void
ward_settings_live_set_delay (WardSettingsLive *self,
                              guint             msec)
{
  g_return_if_fail (WARD_IS_SETTINGS_LIVE (self));

  self->delay_msec = msec;
}

const char *
ward_settings_live_get_error (WardSettingsLive *self)
{
  g_return_val_if_fail (WARD_IS_SETTINGS_LIVE (self), NULL);

  return self->error;
}

guint
ward_settings_live_get_n_applied (WardSettingsLive *self)
{
  g_return_val_if_fail (WARD_IS_SETTINGS_LIVE (self), 0);

  return self->n_applied;
}
