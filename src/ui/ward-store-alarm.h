/* ward-store-alarm.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

/* The technical alarm of a store that cannot write ("Cannot write: disk
 * full since 10:41"), a red strip under the alarm bar, taken from the
 * snapshot's store status; hidden while writes succeed.
 */
#define WARD_TYPE_STORE_ALARM (ward_store_alarm_get_type ())
G_DECLARE_FINAL_TYPE (WardStoreAlarm, ward_store_alarm, WARD, STORE_ALARM, GtkWidget)

GtkWidget  *ward_store_alarm_new       (void);
void        ward_store_alarm_update    (WardStoreAlarm *self,
                                        WardSnapshot   *snapshot);
/* The alarm's title while it is shown, else NULL. */
const char *ward_store_alarm_get_title (WardStoreAlarm *self);

G_END_DECLS
