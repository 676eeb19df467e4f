/* ward-preferences.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-connection-check.h"
#include "ward-preferences-private.h"
#include "ward-secret.h"
#include "ward-settings-config.h"

#define CHECK_TIMEOUT_SEC 10

G_DEFINE_FINAL_TYPE (WardPreferences, ward_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* The auth modes of the FHIR row, in its order. */
static const char * const fhir_auth_modes[] = { "none", "bearer", "smart" };

void
_ward_preferences_show_error (WardCheckedRow *checked,
                              const GError   *error)
{
  if (error != NULL)
    {
      gtk_widget_add_css_class (checked->row, "error");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (checked->error_row), error->message);
      gtk_widget_set_visible (GTK_WIDGET (checked->error_row), TRUE);
    }
  else
    {
      gtk_widget_remove_css_class (checked->row, "error");
      gtk_widget_set_visible (GTK_WIDGET (checked->error_row), FALSE);
    }
}

AdwActionRow *
_ward_preferences_add_error_row (AdwPreferencesGroup *group)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");

  /* Messages name files and URLs: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (row, "error");
  gtk_widget_set_visible (row, FALSE);
  adw_preferences_group_add (group, row);

  return ADW_ACTION_ROW (row);
}

/* A row that names a file (its subtitle) with buttons at its end: the
 * NULL-terminated list from button on.
 */
AdwActionRow *
_ward_preferences_add_button_row (AdwPreferencesGroup *group,
                                  const char          *title,
                                  GtkWidget           *button,
                                  ...)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  va_list args;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* The subtitle is a path: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  va_start (args, button);
  for (; button != NULL; button = va_arg (args, GtkWidget *))
    gtk_box_append (GTK_BOX (box), button);
  va_end (args);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
  adw_preferences_group_add (group, row);

  return ADW_ACTION_ROW (row);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     WardPreferences *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        self->chooser_chosen (self, path);
    }
  g_clear_object (&self->chooser);
}

/* Opens a file chooser titled title, showing the files filter lets
 * through (NULL: all); chosen gets the path of the file opened.
 */
void
_ward_preferences_choose_file (WardPreferences         *self,
                               const char              *title,
                               GtkFileFilter           *filter,
                               WardPreferencesPathFunc  chosen)
{
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                               _("_Cancel"));
  self->chooser_chosen = chosen;
  if (filter != NULL)
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

GtkWidget *
_ward_preferences_spin_row (AdwPreferencesGroup  *group,
                            const char           *title,
                            const char           *subtitle,
                            double                lower,
                            double                upper,
                            double                step,
                            guint                 digits,
                            GtkSpinButton       **spin)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_spin_button_new_with_range (lower, upper, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (button), digits);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (button), TRUE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (group, row);

  *spin = GTK_SPIN_BUTTON (button);
  return row;
}

void
_ward_preferences_toast (WardPreferences *self,
                         const char      *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

const char *
_ward_preferences_test_outcome (WardTestRow *test)
{
  if (test->running)
    return NULL;

  return adw_action_row_get_subtitle (test->row);
}

static const char *
entry_text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static GtkWidget *
add_entry_row (AdwPreferencesGroup *group,
               const char          *title,
               GType                type)
{
  GtkWidget *row = g_object_new (type, "title", title, NULL);

  adw_preferences_group_add (group, row);
  return row;
}

/* Saves a string key when it changed (settings notify only real changes). */
static void
save_string (WardPreferences *self,
             const char      *key,
             const char      *value)
{
  g_autofree char *old = g_settings_get_string (self->settings, key);
  g_autofree char *stripped = g_strstrip (g_strdup (value));

  if (g_str_equal (old, stripped))
    return;

  g_settings_set_string (self->settings, key, stripped);
}

/* Data sources: MQTT */

static void
mqtt_url_changed_cb (WardPreferences *self)
{
  const char *url = entry_text (self->mqtt_url.row);
  g_autoptr(GError) error = NULL;

  /* Empty is good: no MQTT. */
  if (url[0] != '\0' && !ward_settings_config_check_mqtt_url (url, &error))
    {
      _ward_preferences_show_error (&self->mqtt_url, error);
      return;
    }

  _ward_preferences_show_error (&self->mqtt_url, NULL);
  if (!self->loading)
    save_string (self, "mqtt-url", url);
}

static void
mqtt_topics_changed_cb (WardPreferences *self)
{
  g_autoptr(GError) error = NULL;

  if (!ward_settings_config_check_topics (entry_text (self->mqtt_topics.row), NULL, &error))
    {
      _ward_preferences_show_error (&self->mqtt_topics, error);
      return;
    }

  _ward_preferences_show_error (&self->mqtt_topics, NULL);
  if (!self->loading)
    save_string (self, "mqtt-topics", entry_text (self->mqtt_topics.row));
}

static void
mqtt_plain_changed_cb (GtkEditable     *editable,
                       WardPreferences *self)
{
  const char *key = g_object_get_data (G_OBJECT (editable), "ward-settings-key");

  if (!self->loading)
    save_string (self, key, gtk_editable_get_text (editable));
}

/* Stores the password in the keyring under the broker URL, never in the
 * settings.
 */
static void
mqtt_password_apply_cb (WardPreferences *self)
{
  const char *url = entry_text (self->mqtt_url.row);
  g_autoptr(GError) error = NULL;

  if (url[0] == '\0' || !ward_settings_config_check_mqtt_url (url, NULL))
    {
      g_set_error_literal (&error, WARD_SETTINGS_CONFIG_ERROR, WARD_SETTINGS_CONFIG_ERROR_INVALID,
                           _("Enter the broker’s address first: the password is kept for it"));
      _ward_preferences_show_error (&self->mqtt_password, error);
      return;
    }

  if (!ward_secret_store (WARD_SECRET_KIND_MQTT_PASSWORD, url, entry_text (self->mqtt_password.row),
                          &error))
    {
      _ward_preferences_show_error (&self->mqtt_password, error);
      return;
    }

  _ward_preferences_show_error (&self->mqtt_password, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->mqtt_password.row), "");
  /* A new password under a key already set changes no setting: set it
   * again, so that the running Wardwatch connects with the new password
   * (ward-settings-live.c merges once for both changes).
   */
  if (g_settings_get_boolean (self->settings, "mqtt-password-in-keyring"))
    g_settings_set_boolean (self->settings, "mqtt-password-in-keyring", FALSE);
  g_settings_set_boolean (self->settings, "mqtt-password-in-keyring", TRUE);
  _ward_preferences_toast (self, _("Password saved in the keyring"));
}

static void
set_ca_file (WardPreferences *self,
             const char      *path)
{
  g_autoptr(GError) error = NULL;

  if (path != NULL && path[0] != '\0' && !ward_settings_config_check_file (path, &error))
    {
      _ward_preferences_show_error (&self->mqtt_ca, error);
      return;
    }

  _ward_preferences_show_error (&self->mqtt_ca, NULL);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->mqtt_ca.row),
                               path != NULL && path[0] != '\0' ? path
                               : _("The system’s certificates"));
  if (!self->loading)
    save_string (self, "mqtt-ca-file", path != NULL ? path : "");
}

static void
ca_choose_clicked_cb (WardPreferences *self)
{
  _ward_preferences_choose_file (self, _("Choose the CA Certificates"), NULL, set_ca_file);
}

static void
ca_clear_clicked_cb (WardPreferences *self)
{
  set_ca_file (self, NULL);
}

/* "Test connection" rows */

static void
test_begin (WardTestRow *test)
{
  test->running = TRUE;
  test->succeeded = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (test->button), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (test->row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (test->row), "success");
  adw_action_row_set_subtitle (test->row, _("Trying…"));
}

static void
test_end (WardPreferences *self,
          WardTestRow     *test,
          GAsyncResult    *result)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sentence = ward_connection_check_finish (result, &error);

  /* The window was closed meanwhile: its rows are gone. */
  if (g_cancellable_is_cancelled (self->cancellable) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  test->running = FALSE;
  test->succeeded = sentence != NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (test->button), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (test->row), sentence != NULL ? "success" : "error");
  adw_action_row_set_subtitle (test->row, sentence != NULL ? sentence : error->message);
  _ward_preferences_toast (self, sentence != NULL ? sentence : error->message);
}

static void
test_refuse (WardPreferences *self,
             WardTestRow     *test,
             const char      *message)
{
  test->running = FALSE;
  test->succeeded = FALSE;
  gtk_widget_add_css_class (GTK_WIDGET (test->row), "error");
  adw_action_row_set_subtitle (test->row, message);
}

static void
mqtt_test_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WardPreferences) self = user_data;

  test_end (self, &self->mqtt_test, result);
}

static void
mqtt_test_clicked_cb (WardPreferences *self)
{
  g_auto(WardMqttSourceConfig) config = { 0 };
  const char *url = entry_text (self->mqtt_url.row);
  const char *password = entry_text (self->mqtt_password.row);
  g_autoptr(GError) error = NULL;

  if (!ward_settings_config_check_mqtt_url (url, &error))
    {
      test_refuse (self, &self->mqtt_test, error->message);
      return;
    }

  ward_mqtt_source_config_init (&config);
  config.url = g_strdup (url);
  if (entry_text (self->mqtt_username_row)[0] != '\0')
    config.username = g_strdup (entry_text (self->mqtt_username_row));
  /* The password typed and not yet saved, else the keyring's. */
  if (password[0] != '\0')
    config.password = g_strdup (password);
  else if (g_settings_get_boolean (self->settings, "mqtt-password-in-keyring"))
    config.password = ward_secret_lookup (WARD_SECRET_KIND_MQTT_PASSWORD, url, NULL);
  {
    g_autofree char *ca = g_settings_get_string (self->settings, "mqtt-ca-file");

    if (ca[0] != '\0')
      config.ca_file = g_steal_pointer (&ca);
  }

  test_begin (&self->mqtt_test);
  ward_connection_check_mqtt_async (&config, CHECK_TIMEOUT_SEC, self->cancellable,
                                    mqtt_test_done_cb, g_object_ref (self));
}

/* Data sources: MLLP */

static void
mllp_changed_cb (WardPreferences *self)
{
  gboolean enabled = gtk_switch_get_active (self->mllp_switch);
  int port = gtk_spin_button_get_value_as_int (self->mllp_port_spin);
  const char *bind = entry_text (self->mllp_bind.row);
  g_autoptr(GError) port_error = NULL;
  g_autoptr(GError) bind_error = NULL;
  gboolean good;

  gtk_widget_set_sensitive (self->mllp_port.row, enabled);
  gtk_widget_set_sensitive (self->mllp_bind.row, enabled);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mllp_test.row), enabled);

  good = ward_settings_config_check_port (port, &port_error);
  _ward_preferences_show_error (&self->mllp_port, port_error);
  if (bind[0] != '\0' && !ward_settings_config_check_address (bind, &bind_error))
    good = FALSE;
  _ward_preferences_show_error (&self->mllp_bind, bind_error);

  if (self->loading || (enabled && !good))
    return;

  if (g_settings_get_int (self->settings, "mllp-port") != (enabled ? port : 0))
    {
      g_settings_set_int (self->settings, "mllp-port", enabled ? port : 0);
    }
  save_string (self, "mllp-bind", bind);
}

static void
mllp_test_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WardPreferences) self = user_data;

  test_end (self, &self->mllp_test, result);
}

static void
mllp_test_clicked_cb (WardPreferences *self)
{
  int port = gtk_spin_button_get_value_as_int (self->mllp_port_spin);
  const char *bind = entry_text (self->mllp_bind.row);
  g_autoptr(GError) error = NULL;

  if (!ward_settings_config_check_port (port, &error) ||
      (bind[0] != '\0' && !ward_settings_config_check_address (bind, &error)))
    {
      test_refuse (self, &self->mllp_test, error->message);
      return;
    }

  test_begin (&self->mllp_test);
  ward_connection_check_mllp_async (bind, port, self->cancellable, mllp_test_done_cb,
                                    g_object_ref (self));
}

/* Data sources: FHIR */

static const char *
fhir_auth_mode (WardPreferences *self)
{
  guint selected = adw_combo_row_get_selected (self->fhir_auth_row);

  return selected < G_N_ELEMENTS (fhir_auth_modes) ? fhir_auth_modes[selected] : "none";
}

static void
fhir_auth_update (WardPreferences *self)
{
  const char *mode = fhir_auth_mode (self);

  gtk_widget_set_visible (self->fhir_token.row, g_str_equal (mode, "bearer"));
  gtk_widget_set_visible (GTK_WIDGET (self->fhir_client_id_row), g_str_equal (mode, "smart"));
  gtk_widget_set_visible (self->fhir_key.row, g_str_equal (mode, "smart"));
  /* A key's error stays with its row. */
  if (!g_str_equal (mode, "smart"))
    gtk_widget_set_visible (GTK_WIDGET (self->fhir_key.error_row), FALSE);
}

static void
fhir_url_changed_cb (WardPreferences *self)
{
  const char *url = entry_text (self->fhir_url.row);
  g_autoptr(GError) error = NULL;

  if (url[0] != '\0' && !ward_settings_config_check_fhir_url (url, &error))
    {
      _ward_preferences_show_error (&self->fhir_url, error);
      return;
    }

  _ward_preferences_show_error (&self->fhir_url, NULL);
  if (!self->loading)
    save_string (self, "fhir-url", url);
}

static void
fhir_auth_changed_cb (WardPreferences *self)
{
  fhir_auth_update (self);
  if (!self->loading)
    save_string (self, "fhir-auth", fhir_auth_mode (self));
}

static void
fhir_token_apply_cb (WardPreferences *self)
{
  const char *url = entry_text (self->fhir_url.row);
  g_autoptr(GError) error = NULL;

  if (!ward_settings_config_check_fhir_url (url, &error))
    {
      _ward_preferences_show_error (&self->fhir_token, error);
      return;
    }

  if (!ward_secret_store (WARD_SECRET_KIND_FHIR_TOKEN, url, entry_text (self->fhir_token.row),
                          &error))
    {
      _ward_preferences_show_error (&self->fhir_token, error);
      return;
    }

  _ward_preferences_show_error (&self->fhir_token, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->fhir_token.row), "");
  _ward_preferences_toast (self, _("Token saved in the keyring"));
}

static void
fhir_test_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(WardPreferences) self = user_data;

  test_end (self, &self->fhir_test, result);
}

static void
fhir_test_clicked_cb (WardPreferences *self)
{
  const char *url = entry_text (self->fhir_url.row);
  g_autoptr(GError) error = NULL;
  char *token = NULL;

  if (!ward_settings_config_check_fhir_url (url, &error))
    {
      test_refuse (self, &self->fhir_test, error->message);
      return;
    }

  if (g_str_equal (fhir_auth_mode (self), "bearer"))
    {
      if (entry_text (self->fhir_token.row)[0] != '\0')
        token = g_strdup (entry_text (self->fhir_token.row));
      else
        token = ward_secret_lookup (WARD_SECRET_KIND_FHIR_TOKEN, url, NULL);
    }

  test_begin (&self->fhir_test);
  ward_connection_check_fhir_async (url, token, CHECK_TIMEOUT_SEC, self->cancellable,
                                    fhir_test_done_cb, g_object_ref (self));
  if (token != NULL)
    ward_secret_free (token);
}

static WardTestRow
add_test_row (AdwPreferencesGroup *group,
              const char          *title,
              GCallback            clicked,
              WardPreferences     *self)
{
  WardTestRow test = { 0 };
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Test"));

  test.row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (test.row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (test.row), FALSE);
  adw_action_row_set_subtitle (test.row, _("Not tried yet"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_signal_connect_swapped (button, "clicked", clicked, self);
  adw_action_row_add_suffix (test.row, button);
  adw_preferences_group_add (group, GTK_WIDGET (test.row));
  test.button = GTK_BUTTON (button);

  return test;
}

static void
build_mqtt_group (WardPreferences    *self,
                  AdwPreferencesPage *page)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *choose;
  GtkWidget *clear;

  adw_preferences_group_set_title (group, _("MQTT Broker"));
  adw_preferences_group_set_description (group, _("Device messages from monitors and gateways. "
                                                  "Leave the address empty for none."));
  adw_preferences_page_add (page, group);

  self->mqtt_url.row = add_entry_row (group, _("Broker Address (mqtts://host:8883)"),
                                      ADW_TYPE_ENTRY_ROW);
  self->mqtt_url.error_row = _ward_preferences_add_error_row (group);
  g_signal_connect_swapped (self->mqtt_url.row, "changed", G_CALLBACK (mqtt_url_changed_cb), self);

  self->mqtt_topics.row = add_entry_row (group, _("Topic Filters (comma-separated)"),
                                         ADW_TYPE_ENTRY_ROW);
  self->mqtt_topics.error_row = _ward_preferences_add_error_row (group);
  g_signal_connect_swapped (self->mqtt_topics.row, "changed",
                            G_CALLBACK (mqtt_topics_changed_cb), self);

  self->mqtt_client_id_row = ADW_ENTRY_ROW (add_entry_row (group, _("Client ID"),
                                                           ADW_TYPE_ENTRY_ROW));
  g_object_set_data (G_OBJECT (self->mqtt_client_id_row), "ward-settings-key",
                     (gpointer) "mqtt-client-id");
  g_signal_connect (self->mqtt_client_id_row, "changed", G_CALLBACK (mqtt_plain_changed_cb), self);

  self->mqtt_username_row = ADW_ENTRY_ROW (add_entry_row (group, _("User Name"),
                                                          ADW_TYPE_ENTRY_ROW));
  g_object_set_data (G_OBJECT (self->mqtt_username_row), "ward-settings-key",
                     (gpointer) "mqtt-username");
  g_signal_connect (self->mqtt_username_row, "changed", G_CALLBACK (mqtt_plain_changed_cb), self);

  self->mqtt_password.row = add_entry_row (group, _("Password (saved in the keyring)"),
                                           ADW_TYPE_PASSWORD_ENTRY_ROW);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->mqtt_password.row), TRUE);
  self->mqtt_password.error_row = _ward_preferences_add_error_row (group);
  g_signal_connect_swapped (self->mqtt_password.row, "apply",
                            G_CALLBACK (mqtt_password_apply_cb), self);

  choose = gtk_button_new_from_icon_name ("document-open-symbolic");
  gtk_widget_set_tooltip_text (choose, _("Choose a File"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (choose), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Choose the CA certificates file"), -1);
  g_signal_connect_swapped (choose, "clicked", G_CALLBACK (ca_choose_clicked_cb), self);
  clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_tooltip_text (clear, _("Use the System’s Certificates"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (clear), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Use the system’s certificates"), -1);
  g_signal_connect_swapped (clear, "clicked", G_CALLBACK (ca_clear_clicked_cb), self);
  self->mqtt_ca.row = GTK_WIDGET (_ward_preferences_add_button_row (group, _("CA Certificates"),
                                                                    choose, clear, NULL));
  self->mqtt_ca.error_row = _ward_preferences_add_error_row (group);

  self->mqtt_test = add_test_row (group, _("Test Connection to the Broker"),
                                  G_CALLBACK (mqtt_test_clicked_cb), self);
}

static void
build_mllp_group (WardPreferences    *self,
                  AdwPreferencesPage *page)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *row;

  adw_preferences_group_set_title (group, _("HL7 v2 over MLLP"));
  adw_preferences_group_set_description (group, _("Listen for HL7 v2 messages from an interface "
                                                  "engine or gateway."));
  adw_preferences_page_add (page, group);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Listen for MLLP"));
  self->mllp_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->mllp_switch), GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->mllp_switch),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->mllp_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->mllp_switch));
  adw_preferences_group_add (group, row);
  g_signal_connect_swapped (self->mllp_switch, "notify::active", G_CALLBACK (mllp_changed_cb), self);

  self->mllp_port.row = _ward_preferences_spin_row (group, _("Port"), NULL, 1, 65535, 1, 0,
                                                    &self->mllp_port_spin);
  self->mllp_port.error_row = _ward_preferences_add_error_row (group);
  g_signal_connect_swapped (self->mllp_port_spin, "value-changed", G_CALLBACK (mllp_changed_cb),
                            self);

  self->mllp_bind.row = add_entry_row (group, _("Address (empty: 127.0.0.1)"), ADW_TYPE_ENTRY_ROW);
  self->mllp_bind.error_row = _ward_preferences_add_error_row (group);
  g_signal_connect_swapped (self->mllp_bind.row, "changed", G_CALLBACK (mllp_changed_cb), self);

  self->mllp_test = add_test_row (group, _("Test the Port"), G_CALLBACK (mllp_test_clicked_cb),
                                  self);
}

static void
build_fhir_group (WardPreferences    *self,
                  AdwPreferencesPage *page)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autoptr(GtkStringList) modes = gtk_string_list_new (NULL);

  adw_preferences_group_set_title (group, _("FHIR Server"));
  adw_preferences_group_set_description (group, _("Scores, flags and vital signs are sent to this "
                                                  "FHIR R4 server. Leave the URL empty for none."));
  adw_preferences_page_add (page, group);

  self->fhir_url.row = add_entry_row (group, _("Base URL (https://host/fhir/R4)"),
                                      ADW_TYPE_ENTRY_ROW);
  self->fhir_url.error_row = _ward_preferences_add_error_row (group);
  g_signal_connect_swapped (self->fhir_url.row, "changed", G_CALLBACK (fhir_url_changed_cb), self);

  gtk_string_list_append (modes, _("None"));
  gtk_string_list_append (modes, _("Bearer Token"));
  gtk_string_list_append (modes, _("SMART Backend Services"));
  self->fhir_auth_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->fhir_auth_row), _("Authentication"));
  adw_combo_row_set_model (self->fhir_auth_row, G_LIST_MODEL (modes));
  adw_preferences_group_add (group, GTK_WIDGET (self->fhir_auth_row));
  g_signal_connect_swapped (self->fhir_auth_row, "notify::selected",
                            G_CALLBACK (fhir_auth_changed_cb), self);

  self->fhir_token.row = add_entry_row (group, _("Token (saved in the keyring)"),
                                        ADW_TYPE_PASSWORD_ENTRY_ROW);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->fhir_token.row), TRUE);
  self->fhir_token.error_row = _ward_preferences_add_error_row (group);
  g_signal_connect_swapped (self->fhir_token.row, "apply", G_CALLBACK (fhir_token_apply_cb), self);

  self->fhir_client_id_row = ADW_ENTRY_ROW (add_entry_row (group, _("Client ID"),
                                                           ADW_TYPE_ENTRY_ROW));
  g_object_set_data (G_OBJECT (self->fhir_client_id_row), "ward-settings-key",
                     (gpointer) "fhir-client-id");
  g_signal_connect (self->fhir_client_id_row, "changed", G_CALLBACK (mqtt_plain_changed_cb), self);

  _ward_preferences_add_key_row (self, group);

  self->fhir_test = add_test_row (group, _("Test Connection to the Server"),
                                  G_CALLBACK (fhir_test_clicked_cb), self);
}

static AdwPreferencesPage *
build_sources_page (WardPreferences *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *note;

  adw_preferences_page_set_title (page, _("Data Sources"));
  adw_preferences_page_set_name (page, "sources");
  adw_preferences_page_set_icon_name (page, "network-server-symbolic");

  /* Said before anything is changed, not only after. */
  note = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_description (note, _("A change applies a moment after you stop "
                                                 "typing: Wardwatch connects again with it, and "
                                                 "keeps what the server has not received yet. "
                                                 "Options given on the command line win over "
                                                 "these."));
  adw_preferences_page_add (page, note);

  build_mqtt_group (self, page);
  build_mllp_group (self, page);
  build_fhir_group (self, page);

  return page;
}

static AdwPreferencesPage *
build_retention_page (WardPreferences *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_page_set_title (page, _("Retention"));
  adw_preferences_page_set_name (page, "retention");
  adw_preferences_page_set_icon_name (page, "document-save-symbolic");
  adw_preferences_group_set_title (group, _("History Kept"));
  adw_preferences_group_set_description (group, _("Scores, flags and hourly roll-ups are always "
                                                  "kept. 0 keeps everything."));
  adw_preferences_page_add (page, group);

  _ward_preferences_spin_row (group, _("Raw Device Messages (days)"),
                              _("The messages as they arrived, for audit and replay"),
                              0, 3650, 1, 0, &self->raw_retention_spin);
  _ward_preferences_spin_row (group, _("Raw Measurements (days)"),
                              _("Each value, once the history roll-ups count it"),
                              0, 3650, 1, 0, &self->measurement_retention_spin);

  g_settings_bind (self->settings, "raw-retention-days",
                   gtk_spin_button_get_adjustment (self->raw_retention_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "measurement-retention-days",
                   gtk_spin_button_get_adjustment (self->measurement_retention_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);

  return page;
}

static AdwPreferencesPage *
build_privacy_page (WardPreferences *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_page_set_title (page, _("Privacy"));
  adw_preferences_page_set_name (page, "privacy");
  adw_preferences_page_set_icon_name (page, "security-high-symbolic");
  adw_preferences_group_set_title (group, _("Ward Board"));
  adw_preferences_page_add (page, group);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Show Full Patient Names"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Off: initials only, for a screen that visitors can see"));
  self->names_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->names_switch), GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->names_switch),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->names_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->names_switch));
  adw_preferences_group_add (group, row);
  g_settings_bind (self->settings, "patient-names", self->names_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  return page;
}

/* Fills the rows from the settings, saving nothing back. */
static void
load_settings (WardPreferences *self)
{
  g_autofree char *auth = g_settings_get_string (self->settings, "fhir-auth");
  g_autofree char *ca = g_settings_get_string (self->settings, "mqtt-ca-file");
  g_autofree char *text = NULL;
  int port = g_settings_get_int (self->settings, "mllp-port");

  self->loading = TRUE;

#define LOAD_ENTRY(row, key) \
  G_STMT_START { \
    g_free (text); \
    text = g_settings_get_string (self->settings, key); \
    gtk_editable_set_text (GTK_EDITABLE (row), text); \
  } G_STMT_END

  LOAD_ENTRY (self->mqtt_url.row, "mqtt-url");
  LOAD_ENTRY (self->mqtt_topics.row, "mqtt-topics");
  LOAD_ENTRY (self->mqtt_client_id_row, "mqtt-client-id");
  LOAD_ENTRY (self->mqtt_username_row, "mqtt-username");
  LOAD_ENTRY (self->mllp_bind.row, "mllp-bind");
  LOAD_ENTRY (self->fhir_url.row, "fhir-url");
  LOAD_ENTRY (self->fhir_client_id_row, "fhir-client-id");
#undef LOAD_ENTRY

  set_ca_file (self, ca);

  gtk_switch_set_active (self->mllp_switch, port > 0);
  gtk_spin_button_set_value (self->mllp_port_spin, port > 0 ? port : 2575);
  mllp_changed_cb (self);

  for (guint i = 0; i < G_N_ELEMENTS (fhir_auth_modes); i++)
    {
      if (g_str_equal (auth, fhir_auth_modes[i]))
        adw_combo_row_set_selected (self->fhir_auth_row, i);
    }
  _ward_preferences_load_private_key (self);
  fhir_auth_update (self);

  {
    g_autofree char *mapping = g_settings_get_string (self->settings, "device-mapping");

    _ward_preferences_set_mapping (self, mapping);
  }

  self->loading = FALSE;
}

static void
ward_preferences_dispose (GObject *object)
{
  WardPreferences *self = WARD_PREFERENCES (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (ward_preferences_parent_class)->dispose (object);
}

static void
ward_preferences_finalize (GObject *object)
{
  WardPreferences *self = WARD_PREFERENCES (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ward_preferences_parent_class)->finalize (object);
}

static void
ward_preferences_class_init (WardPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_preferences_dispose;
  object_class->finalize = ward_preferences_finalize;
}

static void
ward_preferences_init (WardPreferences *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 720);
  adw_preferences_window_set_search_enabled (ADW_PREFERENCES_WINDOW (self), TRUE);
}

WardPreferences *
ward_preferences_new (GtkWindow *parent,
                      GSettings *settings)
{
  WardPreferences *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (WARD_TYPE_PREFERENCES,
                       "title", _("Preferences"),
                       "transient-for", parent,
                       "modal", FALSE,
                       NULL);
  self->settings = g_object_ref (settings);

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), build_sources_page (self));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), _ward_preferences_mapping_page (self));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), _ward_preferences_policy_page (self));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), build_retention_page (self));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), build_privacy_page (self));

  load_settings (self);

  return self;
}
