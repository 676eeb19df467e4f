/* ward-scorer.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "ward-score.h"
#include "ward-score-window.h"
#include "ward-types.h"

G_BEGIN_DECLS

/* Scoring as a plug-in point.
 *
 * A WardScorer turns one patient's window into a WardScore.  The engine
 * runs every registered scorer, in the order they were added, each time
 * it re-scores a patient (ward-engine-score.c); NEWS2
 * (ward-news2-scorer.c) is always first.  A scorer is synchronous and
 * reads no clock: "now" and the window come in WardScorerInput, and
 * measurements older than the window's newest values come through the
 * history callback, read from the store in the engine's transaction.
 */

#define WARD_SCORER_ERROR (ward_scorer_error_quark ())

typedef enum
{
  WARD_SCORER_ERROR_FAILED,
  WARD_SCORER_ERROR_HISTORY,
} WardScorerError;

/* ACTIVE scores are shown (the snapshot's scores) and sent to the FHIR
 * server; SHADOW scores are computed and stored, never shown, never
 * sent, never flagged: a new model is watched against the ward before
 * anyone sees it.  Only NEWS2 raises flags for now.
 */
typedef enum
{
  WARD_SCORER_MODE_ACTIVE,
  WARD_SCORER_MODE_SHADOW,
} WardScorerMode;

/* A measurement from the store, for the history callback. */
typedef struct
{
  double      value;
  gint64      observed_at;
  WardSource  source;
} WardScorerPoint;

/* Appends to points (WardScorerPoint) the patient's measurements of kind
 * observed in [from, to], oldest first.
 */
typedef gboolean (*WardScorerHistoryFunc) (gpointer      user_data,
                                           const char   *patient_id,
                                           WardMeasKind  kind,
                                           gint64        from,
                                           gint64        to,
                                           GArray       *points,
                                           GError      **error);

/* What a scorer sees of one patient.
 *
 * window: the values that count in this window per NEWS2 parameter
 *         (used[], with their source and observed_at; their age is
 *         scored_at - observed_at; each counts for its parameter's
 *         validity, see ward-score-window.h), and NEWS2's points.
 * latest: the newest value of each measurement kind
 *         (WARD_MEAS_N_KINDS), of any source, counting or not.
 * age:    in full years at window_end, -1 unknown; birth_date the FHIR
 *         date it comes from, or NULL.
 * spo2_scale: 1 or 2; on_oxygen / has_on_oxygen: from the window's
 *         air-or-oxygen value.
 * news2:  this window's NEWS2 score, for the scorers after NEWS2 (NULL
 *         for NEWS2 itself); earlier: every score computed before this
 *         scorer in this window (WardScore), NEWS2 first.
 */
typedef struct
{
  const char            *patient_id;
  gint64                 window_start;
  gint64                 window_end;
  gint64                 now;
  const WardWindowScore *window;
  const WardLatestValue *latest;
  int                    age;
  const char            *birth_date;
  int                    spo2_scale;
  gboolean               has_on_oxygen;
  gboolean               on_oxygen;
  gboolean               final;
  const WardScore       *news2;
  const GArray          *earlier;
  WardScorerHistoryFunc  history;
  gpointer               history_data;
} WardScorerInput;

#define WARD_TYPE_SCORER (ward_scorer_get_type ())
G_DECLARE_INTERFACE (WardScorer, ward_scorer, WARD, SCORER, GObject)

struct _WardScorerInterface
{
  GTypeInterface parent_iface;

  const char *(*get_kind)    (WardScorer             *self);
  const char *(*get_label)   (WardScorer             *self);
  const char *(*get_version) (WardScorer             *self);
  /* Fills out (initialised and empty) or fails; FALSE without a score
   * (nothing to score) is out->kind == NULL and no error.
   */
  gboolean    (*score)       (WardScorer             *self,
                              const WardScorerInput  *input,
                              WardScore              *out,
                              GError                **error);
};

GQuark       ward_scorer_error_quark     (void);

/* The kind: a short id, "news2" or "model:NAME", unique on a ward. */
const char  *ward_scorer_get_kind        (WardScorer             *self);
const char  *ward_scorer_get_label       (WardScorer             *self);
const char  *ward_scorer_get_version     (WardScorer             *self);
/* TRUE with out->kind set: a score; TRUE with out->kind NULL: nothing to
 * score in this window; FALSE: error.  kind, label, version and the
 * window are filled in from the scorer and input when the scorer leaves
 * them unset.
 */
gboolean     ward_scorer_score           (WardScorer             *self,
                                          const WardScorerInput  *input,
                                          WardScore              *out,
                                          GError                **error);

const char  *ward_scorer_mode_to_string  (WardScorerMode          mode);

/* A measurement history of the input's patient (see
 * WardScorerHistoryFunc); an error if the input has none.
 */
gboolean     ward_scorer_input_get_history (const WardScorerInput *input,
                                          WardMeasKind            kind,
                                          gint64                  from,
                                          gint64                  to,
                                          GArray                 *points,
                                          GError                **error);
/* A score computed before this one in the window, by kind, or NULL. */
const WardScore *ward_scorer_input_get_earlier (const WardScorerInput *input,
                                          const char             *kind);
GArray      *ward_scorer_points_new      (void);

G_END_DECLS
