/* ward-board-pace.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-snapshot.h"

G_BEGIN_DECLS

/* The least time between two ordinary updates of a live board. */
#define WARD_BOARD_PACE_INTERVAL_USEC (G_USEC_PER_SEC)

gboolean  _ward_board_pace_is_urgent  (WardSnapshot *shown,
                                       WardSnapshot *next);
gint64    _ward_board_pace_get_delay  (WardSnapshot *shown,
                                       WardSnapshot *next,
                                       gint64        last_shown_at,
                                       gint64        now);

G_END_DECLS
