/* ward-news2.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

#define WARD_NEWS2_ERROR (ward_news2_error_quark ())

typedef enum
{
  WARD_NEWS2_ERROR_IMPOSSIBLE_VALUE,
} WardNews2Error;

/* The inputs of one NEWS2 score.  A parameter whose has_ flag is FALSE is
 * absent and contributes nothing; the result is then partial.
 */
typedef struct
{
  gboolean  has_rr;
  double    rr;
  gboolean  has_spo2;
  double    spo2;
  int       spo2_scale;            /* 1 or 2; anything else is treated as 1 */
  gboolean  has_air_or_oxygen;
  gboolean  on_oxygen;
  gboolean  has_sbp;
  double    sbp;
  gboolean  has_hr;
  double    hr;
  gboolean  has_consciousness;
  WardAcvpu consciousness;
  gboolean  has_temp;
  double    temp;
} WardNews2Input;

typedef struct
{
  int       points[WARD_NEWS2_N_PARAMS];   /* -1 where the parameter is absent */
  int       total;
  WardBand  band;
  gboolean  complete;
  gboolean  red_score;                     /* some single parameter scored 3 */
} WardNews2Result;

GQuark    ward_news2_error_quark    (void);

void      ward_news2_input_init     (WardNews2Input        *input);
gboolean  ward_news2_validate       (const WardNews2Input  *input,
                                     GError               **error);
void      ward_news2_score          (const WardNews2Input  *input,
                                     WardNews2Result       *result);
WardBand  ward_news2_band           (int                    total,
                                     gboolean               red_score);

int       ward_news2_score_rr       (double                 rr);
int       ward_news2_score_spo2     (double                 spo2,
                                     int                    scale,
                                     gboolean               on_oxygen);
int       ward_news2_score_oxygen   (gboolean               on_oxygen);
int       ward_news2_score_sbp      (double                 sbp);
int       ward_news2_score_hr       (double                 hr);
int       ward_news2_score_acvpu    (WardAcvpu              acvpu);
int       ward_news2_score_temp     (double                 temp);

double    ward_news2_round_whole    (double                 value);
double    ward_news2_round_temp     (double                 temp);

/* NEWS2 is not for under-16s (RCP 2017).  age is in full years, -1 when
 * unknown: an unknown age is scored as an adult's, as before ages were
 * known.
 */
#define WARD_NEWS2_MIN_AGE 16

gboolean  ward_news2_applies_to_age (int                    age);

G_END_DECLS
