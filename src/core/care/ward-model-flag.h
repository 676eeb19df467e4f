/* ward-model-flag.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-flag-rules.h"

G_BEGIN_DECLS

/* When a model raises a flag of its own (issue #15): only an ACTIVE
 * model whose card's flag_policy says may_flag, when its probability
 * stays at or above the card's probability for the same open delay as
 * a NEWS2 flag, and it closes after the same close delay once the
 * probability has fallen below probability - hysteresis.  A model flag
 * has one level: it never escalates (the card gives one threshold; the
 * care team's task escalates through the chain as any task does).
 */

/* The hysteresis when the card gives none: five percentage points. */
#define WARD_MODEL_FLAG_DEFAULT_HYSTERESIS 0.05

typedef struct
{
  gboolean may_flag;
  double   probability;    /* opens at or above this (0 to 1) */
  double   hysteresis;     /* an open flag recovers below probability - hysteresis */
} WardModelFlagPolicy;

/* Feeds a model's probability at time now to the tracker, with the
 * sustain delays of @timing (the NEWS2 flag policy; its threshold is
 * not used).  Returns NONE, OPEN or CLOSE, never ESCALATE.
 */
WardFlagAction  ward_model_flag_update      (WardFlagTracker            *tracker,
                                             const WardFlagPolicy       *timing,
                                             const WardModelFlagPolicy  *policy,
                                             double                      probability,
                                             gint64                      now);
/* The probability below which an open flag starts to close. */
double          ward_model_flag_close_below (const WardModelFlagPolicy  *policy);

G_END_DECLS
