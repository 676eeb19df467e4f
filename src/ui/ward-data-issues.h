/* ward-data-issues.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The most dead letters the view lists, newest first. */
#define WARD_DATA_ISSUES_LIMIT 1000

#define WARD_TYPE_DATA_ISSUES (ward_data_issues_get_type ())
G_DECLARE_FINAL_TYPE (WardDataIssues, ward_data_issues, WARD, DATA_ISSUES, AdwWindow)

WardDataIssues *ward_data_issues_new          (GtkWindow      *parent,
                                               const char     *db_path);
const char     *ward_data_issues_get_db_path  (WardDataIssues *self);
gboolean        ward_data_issues_get_loading  (WardDataIssues *self);
guint           ward_data_issues_get_n_issues (WardDataIssues *self);
void            ward_data_issues_reload       (WardDataIssues *self);

G_END_DECLS
