/* ward-test-station.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-care.h"
#include "ward-engine.h"
#include "ward-store.h"

G_BEGIN_DECLS

/* One station of a ward in the sharing tests: its own database in a
 * temporary directory (and so its own installation id), an engine with
 * bed-01 (patient p1 on monitor mon-1), and the care team of ward-7
 * under the station's name.
 */
typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
  WardCare   *care;
} WardTestStation;

void   ward_test_station_open      (WardTestStation *s,
                                    const char      *name);
/* Frees the station and removes its database and directory. */
void   ward_test_station_close     (WardTestStation *s);
/* One tick at @now: the engine's evaluation and the care team's. */
void   ward_test_station_tick      (WardTestStation *s,
                                    gint64           now);
/* Opens a high clinical flag for p1 at @at and returns its row id. */
gint64 ward_test_station_open_flag (WardTestStation *s,
                                    gint64           at);

G_END_DECLS
