/* ward-preferences.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The preferences window (app.preferences, Ctrl+comma): data sources with
 * a "Test connection" each, the device mapping, the ward policy's main
 * numbers, retention and privacy.  Everything is saved in settings
 * (ward-settings-config.h) as soon as it is valid; data sources, mapping,
 * policy and retention apply at the next start, the board's names at
 * once.
 */
#define WARD_TYPE_PREFERENCES (ward_preferences_get_type ())
G_DECLARE_FINAL_TYPE (WardPreferences, ward_preferences, WARD, PREFERENCES, AdwPreferencesWindow)

WardPreferences *ward_preferences_new (GtkWindow *parent,
                                       GSettings *settings);

G_END_DECLS
