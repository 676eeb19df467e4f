/* ward-preferences-key.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-preferences-private.h"
#include "ward-settings-config.h"

/* The SMART Backend Services private key: a file chosen here, checked as
 * the FHIR sync will load it, or (none chosen) the key in the keyring
 * under the client ID.  GtkFileDialog is GTK 4.10; on 4.8 the chooser is
 * GtkFileChooserNative, which the portal shows in a Flatpak.
 */

static void
show_keyring (WardPreferences *self)
{
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->fhir_key.row),
                               _("Read from the keyring under the client ID; store it with "
                                 "“wardwatch-cli secret store fhir-private-key CLIENT-ID”"));
}

/* path NULL or empty: the keyring's.  A file that will not do is not
 * saved, and the row says why.
 */
void
_ward_preferences_set_private_key (WardPreferences *self,
                                   const char      *path)
{
  g_autofree char *algorithm = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *old = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL || path[0] == '\0')
    {
      _ward_preferences_show_error (&self->fhir_key, NULL);
      show_keyring (self);
      if (!self->loading)
        g_settings_set_string (self->settings, "fhir-private-key", "");
      return;
    }

  if (!ward_settings_config_check_private_key (path, &algorithm, &error))
    {
      _ward_preferences_show_error (&self->fhir_key, error);
      return;
    }

  _ward_preferences_show_error (&self->fhir_key, NULL);
  /* Translators: the private key file's path, then its algorithm
   * (RS384 or ES384).
   */
  subtitle = g_strdup_printf (_("%s (%s)"), path, algorithm);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->fhir_key.row), subtitle);

  old = g_settings_get_string (self->settings, "fhir-private-key");
  if (!self->loading && !g_str_equal (old, path))
    g_settings_set_string (self->settings, "fhir-private-key", path);
}

static void
key_choose_clicked_cb (WardPreferences *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("PEM Private Keys"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.key");
  gtk_file_filter_add_mime_type (filter, "application/x-pem-file");

  _ward_preferences_choose_file (self, _("Choose the Private Key"), filter,
                                 _ward_preferences_set_private_key);
}

static void
key_keyring_clicked_cb (WardPreferences *self)
{
  _ward_preferences_set_private_key (self, NULL);
}

void
_ward_preferences_add_key_row (WardPreferences     *self,
                               AdwPreferencesGroup *group)
{
  GtkWidget *choose = gtk_button_new_from_icon_name ("document-open-symbolic");
  GtkWidget *keyring = gtk_button_new_from_icon_name ("edit-clear-symbolic");

  gtk_widget_set_tooltip_text (choose, _("Choose a File"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (choose), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Choose the private key file"), -1);
  g_signal_connect_swapped (choose, "clicked", G_CALLBACK (key_choose_clicked_cb), self);
  gtk_widget_set_tooltip_text (keyring, _("Use the Key in the Keyring"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (keyring), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Use the key in the keyring"), -1);
  g_signal_connect_swapped (keyring, "clicked", G_CALLBACK (key_keyring_clicked_cb), self);

  self->fhir_key.row = GTK_WIDGET (_ward_preferences_add_button_row (group, _("Private Key"),
                                                                     choose, keyring, NULL));
  self->fhir_key.error_row = _ward_preferences_add_error_row (group);
  show_keyring (self);
}

void
_ward_preferences_load_private_key (WardPreferences *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "fhir-private-key");

  _ward_preferences_set_private_key (self, path);
}
