/* ward-watchdog-banner.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ward-pipeline.h"
#include "ward-watchdog.h"

G_BEGIN_DECLS

/* The banner across the window that says the picture is not live: the
 * view of a WardWatchdog fed with the window's snapshots and the
 * pipeline's heartbeat.
 */
#define WARD_TYPE_WATCHDOG_BANNER (ward_watchdog_banner_get_type ())
G_DECLARE_FINAL_TYPE (WardWatchdogBanner, ward_watchdog_banner, WARD, WATCHDOG_BANNER, GtkWidget)

GtkWidget    *ward_watchdog_banner_new               (void);
void          ward_watchdog_banner_set_pipeline      (WardWatchdogBanner *self,
                                                      WardPipeline       *pipeline);
void          ward_watchdog_banner_snapshot_arrived  (WardWatchdogBanner *self);
WardWatchdog *ward_watchdog_banner_get_watchdog      (WardWatchdogBanner *self);
gboolean      ward_watchdog_banner_get_shown         (WardWatchdogBanner *self);
const char   *ward_watchdog_banner_get_title         (WardWatchdogBanner *self);

G_END_DECLS
