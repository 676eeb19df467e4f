/* ward-flag-rules.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-snapshot.h"
#include "ward-types.h"

G_BEGIN_DECLS

/* When a clinical flag opens, escalates and closes.  Alarm fatigue is
 * the first complaint on wards, so every change must be sustained: a
 * value flickering around a threshold opens one flag, not many.
 */
typedef struct
{
  WardBand threshold;            /* a flag opens at this band or above */
  gint64   open_delay_usec;      /* sustained this long before it opens or escalates */
  gint64   close_delay_usec;     /* below threshold this long before it closes */
} WardFlagPolicy;

typedef enum
{
  WARD_FLAG_ACTION_NONE,
  WARD_FLAG_ACTION_OPEN,
  WARD_FLAG_ACTION_ESCALATE,
  WARD_FLAG_ACTION_CLOSE,
} WardFlagAction;

/* Per-patient state.  Zero-initialise it. */
typedef struct
{
  WardFlagState state;
  WardBand      open_band;        /* the band of the open flag */
  gint64        pending_since;    /* PENDING: when the band first reached threshold */
  WardBand      pending_band;     /* PENDING: the lowest band seen since then */
  gint64        escalate_since;   /* OPEN: when a higher band was first seen, 0 if none */
  WardBand      escalate_band;    /* the lowest higher band seen since then */
  gint64        recovering_since; /* RECOVERING: when the band fell below threshold */
} WardFlagTracker;

void            ward_flag_policy_init     (WardFlagPolicy        *policy);

/* Feeds the band of the current score at time now.  Returns what to do;
 * for OPEN and ESCALATE, *band is the band to record.
 */
WardFlagAction  ward_flag_tracker_update  (WardFlagTracker       *tracker,
                                           const WardFlagPolicy  *policy,
                                           WardBand               band,
                                           gint64                 now,
                                           WardBand              *out_band);

G_END_DECLS
