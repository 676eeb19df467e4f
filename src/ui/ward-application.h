/* ward-application.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-alarm-sound.h"
#include "ward-board-layout.h"
#include "ward-pipeline.h"
#include "ward-session.h"
#include "ward-sources.h"

G_BEGIN_DECLS

#define WARD_TYPE_APPLICATION (ward_application_get_type ())
G_DECLARE_FINAL_TYPE (WardApplication, ward_application, WARD, APPLICATION, AdwApplication)

WardApplication *ward_application_new  (const WardPipelineConfig *config,
                                        const WardSourcesConfig  *sources);
const char      *ward_application_get_user (WardApplication   *self);
/* Who acts (ward-session.h); set before the application runs.  Without
 * one, the defaults: the demo staff with --demo, the login otherwise.
 */
void             ward_application_set_session (WardApplication *self,
                                               WardSession     *session);
WardSession     *ward_application_get_session (WardApplication *self);
/* The ward kiosk (--kiosk, or the kiosk setting): set before it runs. */
void             ward_application_set_kiosk   (WardApplication *self,
                                               gboolean         kiosk);
/* The kiosk once started, else NULL (ward-kiosk.h). */
gpointer         ward_application_get_kiosk   (WardApplication *self);
/* The station's alarm sound, once the application has started up. */
WardAlarmSound  *ward_application_get_alarm_sound (WardApplication *self);
void             ward_application_set_command_line (WardApplication          *self,
                                                    const WardPipelineConfig *config,
                                                    const WardSourcesConfig  *sources);
void             ward_application_set_board_density (WardApplication  *self,
                                                     WardBoardDensity  density);

G_END_DECLS
