/* ward-store-scores.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-scorer.h"
#include "ward-store.h"

G_BEGIN_DECLS

/* Scores of any scorer, by kind (schema version 8).  One row per
 * patient, kind and window: a re-scored window updates its row.
 *
 * The score's confirmation (final, confirmed_by, confirmed_at) and the
 * patient's age at the window's end (-1: unknown) are the engine's;
 * not_applicable is kept as news2_applicable = 0, whatever the kind.
 */
typedef struct
{
  const char       *patient_id;
  const WardScore  *score;
  gint64            computed_at;
  const char       *confirmed_by;
  gint64            confirmed_at;
  int               age;
} WardStoreScoreRow;

/* A stored score, as read back. */
typedef struct
{
  gint64    id;
  char     *kind;
  char     *scorer_version;    /* NULL for rows from before version 8 */
  gint64    window_start;
  gint64    window_end;
  gint64    computed_at;
  double    value;
  gboolean  has_total;
  int       total;
  WardBand  band;
  gboolean  has_probability;
  double    probability;
  gboolean  complete;
  gboolean  final;
  gboolean  applicable;
  char     *inputs_json;
  char     *contributions_json; /* NULL for rows from before version 8 */
} WardStoredScore;

gint64      ward_store_upsert_kind_score  (WardStore               *self,
                                           const WardStoreScoreRow *row,
                                           gboolean                *inserted,
                                           GError                 **error);
/* The patient's scores of kind whose windows end in (from, to], oldest
 * first: an array of WardStoredScore.
 */
GArray     *ward_store_get_kind_scores    (WardStore               *self,
                                           const char              *patient_id,
                                           const char              *kind,
                                           gint64                   from,
                                           gint64                   to,
                                           GError                 **error);
/* The patient's measurements of kind observed in [from, to], oldest
 * first, appended to points (WardScorerPoint): a scorer's history.
 */
gboolean    ward_store_get_measurement_points (WardStore           *self,
                                           const char              *patient_id,
                                           WardMeasKind             kind,
                                           gint64                   from,
                                           gint64                   to,
                                           GArray                  *points,
                                           GError                 **error);

G_END_DECLS
