/* ward-preferences-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-news2.h"
#include "ward-preferences.h"

G_BEGIN_DECLS

/* A checked field: its row, and a row under it that says what is wrong
 * (hidden while the value is good).
 */
typedef struct
{
  GtkWidget    *row;
  AdwActionRow *error_row;
} WardCheckedRow;

/* What a file chooser calls with the path chosen. */
typedef void (*WardPreferencesPathFunc) (WardPreferences *self,
                                         const char      *path);

/* A "Test connection" row: its button, and the outcome in its subtitle. */
typedef struct
{
  AdwActionRow *row;
  GtkButton    *button;
  gboolean      running;
  gboolean      succeeded;
} WardTestRow;

struct _WardPreferences
{
  AdwPreferencesWindow  parent_instance;

  /* Data sources */
  WardCheckedRow        mqtt_url;
  WardCheckedRow        mqtt_topics;
  AdwEntryRow          *mqtt_client_id_row;
  AdwEntryRow          *mqtt_username_row;
  WardCheckedRow        mqtt_password;
  WardCheckedRow        mqtt_ca;
  WardTestRow           mqtt_test;
  GtkSwitch            *mllp_switch;
  WardCheckedRow        mllp_port;
  GtkSpinButton        *mllp_port_spin;
  WardCheckedRow        mllp_bind;
  WardTestRow           mllp_test;
  WardCheckedRow        fhir_url;
  AdwComboRow          *fhir_auth_row;
  AdwEntryRow          *fhir_client_id_row;
  WardCheckedRow        fhir_token;
  WardCheckedRow        fhir_key;
  WardTestRow           fhir_test;

  /* Mapping */
  WardCheckedRow        mapping;
  GtkLabel             *mapping_issues;
  GtkFileChooserNative *chooser;
  WardPreferencesPathFunc chooser_chosen;

  /* Ward policy */
  AdwActionRow         *policy_file_row;
  GtkSpinButton        *validity_spins[WARD_NEWS2_N_PARAMS];
  GtkSpinButton        *manual_timeout_spin;
  AdwComboRow          *threshold_row;
  GtkSpinButton        *open_delay_spin;
  GtkSpinButton        *close_delay_spin;
  AdwActionRow         *routing_row;
  WardCheckedRow        policy_save;

  /* Retention and privacy */
  GtkSpinButton        *raw_retention_spin;
  GtkSpinButton        *measurement_retention_spin;
  GtkSwitch            *names_switch;

  /* Owned */
  GSettings            *settings;
  GCancellable         *cancellable;
  guint                 loading : 1;      /* filling the rows: no saving */
};

/* ward-preferences.c */
void       _ward_preferences_show_error   (WardCheckedRow   *checked,
                                           const GError     *error);
AdwActionRow *_ward_preferences_add_error_row (AdwPreferencesGroup *group);
AdwActionRow *_ward_preferences_add_button_row (AdwPreferencesGroup *group,
                                                const char          *title,
                                                GtkWidget           *button,
                                                ...) G_GNUC_NULL_TERMINATED;
void       _ward_preferences_choose_file  (WardPreferences  *self,
                                           const char       *title,
                                           GtkFileFilter    *filter,
                                           WardPreferencesPathFunc chosen);
GtkWidget *_ward_preferences_spin_row     (AdwPreferencesGroup *group,
                                           const char       *title,
                                           const char       *subtitle,
                                           double            lower,
                                           double            upper,
                                           double            step,
                                           guint             digits,
                                           GtkSpinButton   **spin);
void       _ward_preferences_toast        (WardPreferences  *self,
                                           const char       *text);

/* ward-preferences-policy.c: the Mappings and Ward Policy pages. */
AdwPreferencesPage *_ward_preferences_mapping_page (WardPreferences *self);
AdwPreferencesPage *_ward_preferences_policy_page  (WardPreferences *self);
void       _ward_preferences_set_mapping  (WardPreferences  *self,
                                           const char       *path);
void       _ward_preferences_save_policy  (WardPreferences  *self);

/* ward-preferences-key.c: the SMART private key row. */
void       _ward_preferences_add_key_row  (WardPreferences     *self,
                                           AdwPreferencesGroup *group);
void       _ward_preferences_set_private_key (WardPreferences  *self,
                                           const char       *path);
void       _ward_preferences_load_private_key (WardPreferences *self);

/* For tests: the outcome of the last test of a row (NULL: none yet). */
const char *_ward_preferences_test_outcome (WardTestRow     *test);

G_END_DECLS
