/* ward-preferences-policy.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-device-template.h"
#include "ward-policy-edit.h"
#include "ward-preferences-private.h"
#include "ward-settings-config.h"

/* The bands a flag may open at, in the threshold row's order. */
static const WardBand threshold_bands[] = {
  WARD_BAND_LOW, WARD_BAND_LOW_MEDIUM, WARD_BAND_MEDIUM, WARD_BAND_HIGH,
};

/* How the policy page names the NEWS2 parameters (the file's keys are
 * ward_news2_param_to_string()'s).
 */
static const char *
param_title (WardNews2Param param)
{
  switch (param)
    {
    case WARD_NEWS2_RR:
      return _("Respiration Rate");
    case WARD_NEWS2_SPO2:
      return _("SpO₂");
    case WARD_NEWS2_AIR_OR_OXYGEN:
      return _("Air or Oxygen");
    case WARD_NEWS2_SBP:
      return _("Systolic Blood Pressure");
    case WARD_NEWS2_HR:
      return _("Pulse");
    case WARD_NEWS2_CONSCIOUSNESS:
      return _("Consciousness");
    case WARD_NEWS2_TEMP:
      return _("Temperature");
    case WARD_NEWS2_N_PARAMS:
    default:
      g_assert_not_reached ();
    }
}

/* Mappings */

void
_ward_preferences_set_mapping (WardPreferences *self,
                               const char      *path)
{
  g_autoptr(WardDeviceTemplate) mapping = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) issues = NULL;
  GPtrArray *list;

  gtk_label_set_text (self->mapping_issues, "");
  gtk_widget_set_visible (GTK_WIDGET (self->mapping_issues), FALSE);

  if (path == NULL || path[0] == '\0')
    {
      _ward_preferences_show_error (&self->mapping, NULL);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->mapping.row),
                                   _("Built in: the Wardwatch monitor format"));
      if (!self->loading)
        {
          g_settings_set_string (self->settings, "device-mapping", "");
        }
      return;
    }

  /* Loaded as the pipeline will load it: what it refuses is not saved. */
  if (!ward_settings_config_check_file (path, &error) ||
      (mapping = ward_device_template_new_from_file (path, &error)) == NULL)
    {
      _ward_preferences_show_error (&self->mapping, error);
      return;
    }

  _ward_preferences_show_error (&self->mapping, NULL);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->mapping.row), path);

  /* Templates it skips are shown, with where they are. */
  list = ward_device_template_get_issues (mapping);
  issues = g_string_new (NULL);
  g_string_append_printf (issues,
                          g_dngettext (GETTEXT_PACKAGE, "%u template in use",
                                       "%u templates in use",
                                       ward_device_template_get_n_templates (mapping)),
                          ward_device_template_get_n_templates (mapping));
  for (guint i = 0; i < list->len && i < 10; i++)
    {
      WardTemplateIssue *issue = g_ptr_array_index (list, i);

      g_string_append_printf (issues, "\n%d:%d %s%s%s", issue->line, issue->column,
                              issue->path != NULL ? issue->path : "",
                              issue->path != NULL ? ": " : "", issue->message);
    }
  if (list->len > 10)
    g_string_append_printf (issues, "\n…");
  gtk_label_set_text (self->mapping_issues, issues->str);
  gtk_widget_set_visible (GTK_WIDGET (self->mapping_issues), TRUE);

  if (!self->loading)
    {
      g_autofree char *old = g_settings_get_string (self->settings, "device-mapping");

      if (!g_str_equal (old, path))
        {
          g_settings_set_string (self->settings, "device-mapping", path);
        }
    }
}

static void
mapping_choose_clicked_cb (WardPreferences *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("JSON Files"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_pattern (filter, "*.json");

  _ward_preferences_choose_file (self, _("Choose a Device Mapping"), filter,
                                 _ward_preferences_set_mapping);
}

static void
mapping_default_clicked_cb (WardPreferences *self)
{
  _ward_preferences_set_mapping (self, NULL);
}

AdwPreferencesPage *
_ward_preferences_mapping_page (WardPreferences *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *choose;
  GtkWidget *built_in;

  adw_preferences_page_set_title (page, _("Mappings"));
  adw_preferences_page_set_name (page, "mappings");
  adw_preferences_page_set_icon_name (page, "view-list-symbolic");
  adw_preferences_group_set_title (group, _("Device Mapping"));
  adw_preferences_group_set_description (group, _("How JSON device messages become measurements: "
                                                  "an IoMT (Azure MedTech) device mapping file. "
                                                  "The next message is mapped with it."));
  adw_preferences_page_add (page, group);

  choose = gtk_button_new_with_mnemonic (_("_Choose…"));
  g_signal_connect_swapped (choose, "clicked", G_CALLBACK (mapping_choose_clicked_cb), self);
  built_in = gtk_button_new_with_mnemonic (_("_Built In"));
  gtk_widget_set_tooltip_text (built_in, _("Use the built-in mapping"));
  g_signal_connect_swapped (built_in, "clicked", G_CALLBACK (mapping_default_clicked_cb), self);
  self->mapping.row = GTK_WIDGET (_ward_preferences_add_button_row (group, _("Mapping File"),
                                                                    choose, built_in, NULL));
  self->mapping.error_row = _ward_preferences_add_error_row (group);

  self->mapping_issues = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->mapping_issues, 0);
  gtk_label_set_wrap (self->mapping_issues, TRUE);
  gtk_label_set_selectable (self->mapping_issues, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->mapping_issues), "dim-label");
  gtk_widget_set_margin_top (GTK_WIDGET (self->mapping_issues), 12);
  gtk_widget_set_visible (GTK_WIDGET (self->mapping_issues), FALSE);
  adw_preferences_group_add (group, GTK_WIDGET (self->mapping_issues));

  return page;
}

/* Ward policy */

/* The saved policy file, or NULL for the built-in defaults. */
static char *
dup_policy_path (WardPreferences *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "policy-file");

  if (path[0] == '\0')
    return NULL;

  return g_steal_pointer (&path);
}

static void
load_policy (WardPreferences *self)
{
  g_autofree char *path = dup_policy_path (self);
  g_autofree char *care = NULL;
  g_autoptr(GError) error = NULL;
  WardPolicyNumbers numbers;

  if (!ward_policy_edit_read (path, &numbers, &error))
    {
      /* The file as it is cannot be used: say so, and edit the defaults. */
      _ward_preferences_show_error (&self->policy_save, error);
      g_clear_error (&error);
      ward_policy_edit_read (NULL, &numbers, NULL);
    }

  adw_action_row_set_subtitle (self->policy_file_row,
                               path != NULL ? path : _("Built in: the NEWS2 defaults"));

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    gtk_spin_button_set_value (self->validity_spins[p], numbers.validity_minutes[p]);
  gtk_spin_button_set_value (self->manual_timeout_spin, numbers.manual_timeout_minutes);
  gtk_spin_button_set_value (self->open_delay_spin, numbers.open_delay_seconds);
  gtk_spin_button_set_value (self->close_delay_spin, numbers.close_delay_seconds);
  for (guint i = 0; i < G_N_ELEMENTS (threshold_bands); i++)
    {
      if (threshold_bands[i] == numbers.flag_threshold)
        adw_combo_row_set_selected (self->threshold_row, i);
    }

  care = ward_policy_edit_describe_care (path, NULL);
  adw_action_row_set_subtitle (self->routing_row,
                               care != NULL ? care
                               : _("The built-in escalation chain; no routing rules"));
}

void
_ward_preferences_save_policy (WardPreferences *self)
{
  g_autofree char *source = dup_policy_path (self);
  g_autofree char *dest = ward_settings_config_user_policy_path ();
  g_autoptr(GError) error = NULL;
  WardPolicyNumbers numbers;
  guint selected;

  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    numbers.validity_minutes[p] = gtk_spin_button_get_value (self->validity_spins[p]);
  numbers.manual_timeout_minutes = gtk_spin_button_get_value (self->manual_timeout_spin);
  numbers.open_delay_seconds = gtk_spin_button_get_value (self->open_delay_spin);
  numbers.close_delay_seconds = gtk_spin_button_get_value (self->close_delay_spin);
  selected = adw_combo_row_get_selected (self->threshold_row);
  numbers.flag_threshold = threshold_bands[MIN (selected, G_N_ELEMENTS (threshold_bands) - 1)];

  /* A file that cannot be read any more keeps nothing of it: start from
   * the defaults rather than refuse to save.
   */
  if (source != NULL && !g_file_test (source, G_FILE_TEST_IS_REGULAR))
    g_clear_pointer (&source, g_free);

  /* Always the user's own copy: the packaged default is never written. */
  if (!ward_policy_edit_save (source, dest, &numbers, &error))
    {
      _ward_preferences_show_error (&self->policy_save, error);
      return;
    }

  _ward_preferences_show_error (&self->policy_save, NULL);
  g_settings_set_string (self->settings, "policy-file", dest);
  adw_action_row_set_subtitle (self->policy_file_row, dest);
  _ward_preferences_toast (self, _("Ward policy saved and applied to the ward"));
}

static void
policy_save_clicked_cb (WardPreferences *self)
{
  _ward_preferences_save_policy (self);
}

static void
policy_default_clicked_cb (WardPreferences *self)
{
  g_settings_set_string (self->settings, "policy-file", "");
  _ward_preferences_show_error (&self->policy_save, NULL);
  load_policy (self);
  _ward_preferences_toast (self, _("Built-in ward policy chosen and applied to the ward"));
}

AdwPreferencesPage *
_ward_preferences_policy_page (WardPreferences *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *group;
  g_autoptr(GtkStringList) bands = gtk_string_list_new (NULL);
  GtkWidget *built_in;
  GtkWidget *save;

  adw_preferences_page_set_title (page, _("Ward Policy"));
  adw_preferences_page_set_name (page, "policy");
  adw_preferences_page_set_icon_name (page, "emblem-documents-symbolic");

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Policy File"));
  adw_preferences_group_set_description (group, _("Decided by the ward’s clinical leads. Saving "
                                                  "writes your own copy, keeps what this page "
                                                  "does not show, and applies it from the next "
                                                  "score on. The models it names are loaded only "
                                                  "when Wardwatch starts: each is checked against "
                                                  "its model card before it scores anyone."));
  adw_preferences_page_add (page, group);
  built_in = gtk_button_new_with_mnemonic (_("_Built In"));
  gtk_widget_set_tooltip_text (built_in, _("Use the built-in ward policy"));
  g_signal_connect_swapped (built_in, "clicked", G_CALLBACK (policy_default_clicked_cb), self);
  save = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (save, "suggested-action");
  gtk_widget_set_tooltip_text (save, _("Save the policy to your own file"));
  g_signal_connect_swapped (save, "clicked", G_CALLBACK (policy_save_clicked_cb), self);
  self->policy_file_row = _ward_preferences_add_button_row (group, _("In Use"),
                                                            built_in, save, NULL);
  self->policy_save.row = GTK_WIDGET (self->policy_file_row);
  self->policy_save.error_row = _ward_preferences_add_error_row (group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Values Count For (minutes)"));
  adw_preferences_group_set_description (group, _("How long a value still goes into the NEWS2 "
                                                  "score after it was measured"));
  adw_preferences_page_add (page, group);
  for (guint p = 0; p < WARD_NEWS2_N_PARAMS; p++)
    _ward_preferences_spin_row (group, param_title (p), NULL, 1, 7 * 24 * 60, 1, 0,
                                &self->validity_spins[p]);
  _ward_preferences_spin_row (group, _("Manual Data Timeout"),
                              _("How long a value entered by hand counts"),
                              1, 7 * 24 * 60, 1, 0, &self->manual_timeout_spin);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Flags"));
  adw_preferences_page_add (page, group);
  gtk_string_list_append (bands, _("Low (NEWS2 0–4)"));
  gtk_string_list_append (bands, _("Low–Medium (one parameter scoring 3)"));
  gtk_string_list_append (bands, _("Medium (NEWS2 5–6)"));
  gtk_string_list_append (bands, _("High (NEWS2 7 or more)"));
  self->threshold_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->threshold_row),
                                 _("Lowest Band That Raises a Flag"));
  adw_combo_row_set_model (self->threshold_row, G_LIST_MODEL (bands));
  adw_preferences_group_add (group, GTK_WIDGET (self->threshold_row));
  _ward_preferences_spin_row (group, _("Open Delay (seconds)"),
                              _("How long a band must last before a flag opens or escalates"),
                              0, 24 * 60 * 60, 10, 0, &self->open_delay_spin);
  _ward_preferences_spin_row (group, _("Close Delay (seconds)"),
                              _("How long a recovery must last before a flag closes"),
                              0, 24 * 60 * 60, 10, 0, &self->close_delay_spin);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Care Team Routing"));
  adw_preferences_group_set_description (group, _("Edited in the policy file’s “care” object "
                                                  "(see the documentation); kept as it is when "
                                                  "saving"));
  adw_preferences_page_add (page, group);
  self->routing_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->routing_row), _("Escalation"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->routing_row), FALSE);
  adw_preferences_group_add (group, GTK_WIDGET (self->routing_row));

  load_policy (self);

  return page;
}
