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
  /* Closed from outside while at or above threshold (another station
   * closed the flag): no new flag until the band falls below threshold
   * or rises above held_band (ward_flag_tracker_hold()).
   */
  gboolean      held;
  WardBand      held_band;
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
/* The same; nurse_validated: the score is a nurse's (confirmed, or a
 * full round of observations).  At or above threshold it opens or
 * escalates the flag at once: the sustain delay filters device
 * artefacts, not a nurse's judgement.  Closing keeps its delay.
 */
WardFlagAction  ward_flag_tracker_update_full (WardFlagTracker   *tracker,
                                           const WardFlagPolicy  *policy,
                                           WardBand               band,
                                           gboolean               nurse_validated,
                                           gint64                 now,
                                           WardBand              *out_band);
/* The change that will happen if the score stays where it is: PENDING,
 * the flag opens at *band at *at; OPEN with a higher band seen, it
 * escalates to *band at *at; RECOVERING, it closes at *at (*band is then
 * the band it last had open).  FALSE when nothing is pending.
 */
/* The flag was closed from outside (at another station) while the
 * score may still be at or above threshold, at band: the tracker is
 * back at NONE and opens a new flag only on a new crossing, that is once
 * the band has fallen below threshold (and then risen again, sustained
 * as usual) or as soon as it rises above band (a worse crossing, also
 * sustained).  The same still-abnormal data do not raise it again.
 */
void            ward_flag_tracker_hold    (WardFlagTracker       *tracker,
                                           WardBand               band);
gboolean        ward_flag_tracker_get_pending (const WardFlagTracker *tracker,
                                           const WardFlagPolicy  *policy,
                                           WardBand              *band,
                                           gint64                *at);

G_END_DECLS
