/* ward-test-ward.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-engine.h"

G_BEGIN_DECLS

/* Ward data for tests that drive a WardEngine directly, each call one
 * committed batch, as a pipeline tick would make it.
 */

/* A vitals message of the Wardwatch monitor format; values is the inner
 * JSON members, e.g. "\"heartRate\":72,\"spo2\":97".
 */
void    ward_test_ingest_vitals     (WardEngine   *engine,
                                     const char   *device,
                                     gint64        at,
                                     const char   *values);
void    ward_test_nurse             (WardEngine   *engine,
                                     const char   *patient,
                                     WardMeasKind  kind,
                                     double        value,
                                     gint64        at);
/* Six minutes of scores for patients p1 (mon-1, well) and p2 (mon-2,
 * high and sustained): NEWS2 Observations, RiskAssessments, a Flag and
 * the Device, all in the outbox.
 */
void    ward_test_make_scored_ward  (WardEngine   *engine,
                                     gint64        from);
gint64  ward_test_n_pending         (WardStore    *store);

G_END_DECLS
