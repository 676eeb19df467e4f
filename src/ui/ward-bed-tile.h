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

GtkWidget  *ward_bed_tile_new          (void);
const char *ward_bed_tile_get_bed_id   (WardBedTile        *self);
void        ward_bed_tile_update       (WardBedTile        *self,
                                        const WardBedState *bed,
                                        gint64              now,
                                        gboolean            show_patient_name);

G_END_DECLS
