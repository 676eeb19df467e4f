/* ward-notifier.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

#define WARD_TYPE_NOTIFIER (ward_notifier_get_type ())
G_DECLARE_FINAL_TYPE (WardNotifier, ward_notifier, WARD, NOTIFIER, GObject)

WardNotifier *ward_notifier_new                     (GActionGroup *actions);
void          ward_notifier_update                  (WardNotifier *self,
                                                     WardSnapshot *snapshot);
void          ward_notifier_withdraw_all            (WardNotifier *self);
gboolean      ward_notifier_get_enabled             (WardNotifier *self);
void          ward_notifier_set_enabled             (WardNotifier *self,
                                                     gboolean      enabled);
gboolean      ward_notifier_get_show_patient_names  (WardNotifier *self);
void          ward_notifier_set_show_patient_names  (WardNotifier *self,
                                                     gboolean      show_patient_names);
gboolean      ward_notifier_get_available           (WardNotifier *self);
guint         ward_notifier_get_n_failures          (WardNotifier *self);

G_END_DECLS
