/* ward-bed-tile.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ward-snapshot.h"

G_BEGIN_DECLS

#define WARD_TYPE_BED_TILE (ward_bed_tile_get_type ())
G_DECLARE_FINAL_TYPE (WardBedTile, ward_bed_tile, WARD, BED_TILE, GtkWidget)

/* When a value is stale (see docs/DASHBOARD.md): continuous monitor
 * values (HR, RR, SpO₂) after 2 minutes; any value outside the current
 * score's window, or after 30 minutes when there is no score.
 */
#define WARD_BED_TILE_STALE_CONTINUOUS_USEC (2 * WARD_USEC_PER_MINUTE)
#define WARD_BED_TILE_STALE_USEC            (30 * WARD_USEC_PER_MINUTE)

GtkWidget  *ward_bed_tile_new            (void);
const char *ward_bed_tile_get_bed_id     (WardBedTile        *self);
const char *ward_bed_tile_get_patient_id (WardBedTile        *self);
void        ward_bed_tile_update         (WardBedTile        *self,
                                          const WardBedState *bed,
                                          gint64              now,
                                          gboolean            show_patient_name);
gboolean    ward_bed_tile_get_mine       (WardBedTile        *self);
void        ward_bed_tile_set_mine       (WardBedTile        *self,
                                          gboolean            mine);
void        ward_bed_tile_set_compact    (WardBedTile        *self,
                                          gboolean            compact);
void        ward_bed_tile_set_wall       (WardBedTile        *self,
                                          gboolean            wall);
gboolean    ward_bed_tile_get_wall       (WardBedTile        *self);

/* "12 s", "4 min", "2 h 05 min"; shared with the alarm bar. */
char       *_ward_format_age             (gint64              age_usec);

G_END_DECLS
