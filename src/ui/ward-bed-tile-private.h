/* ward-bed-tile-private.h: test-only hooks of WardBedTile, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-bed-tile.h"

G_BEGIN_DECLS

/* For tests: the model line ("" when hidden). */
const char  *_ward_bed_tile_get_model_text (WardBedTile *self);

G_END_DECLS
