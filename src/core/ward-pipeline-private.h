/* ward-pipeline-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-pipeline.h"
#include "ward-engine.h"
#include "ward-store-errors.h"

G_BEGIN_DECLS

/* For tests of store failures: runs "PRAGMA <pragma>" on one writer's
 * connection, the pipeline's at its next tick (on its thread), the
 * archive's at once ("max_page_count = 1" fills the disk, "query_only =
 * 1" makes it read-only; their opposites give it back).
 */
void _ward_pipeline_set_store_pragma (WardPipeline    *self,
                                      WardStoreWriter  writer,
                                      const char      *pragma);

G_BEGIN_DECLS

/* Test hooks. */
void _ward_pipeline_set_delivery_paused (WardPipeline *self,
                                         gboolean      paused);

/* ward-pipeline-models.c: the policy's models, then --model options;
 * in demo mode with none, the demo model when it is installed.  FALSE
 * only for a configuration that cannot be read (a refused model is not
 * an error: see ward_engine_load_model()).
 */
gboolean _ward_pipeline_load_models (WardEngine         *engine,
                                     const char         *policy_file,
                                     const char * const *options,
                                     gboolean            demo,
                                     gint64              now,
                                     GError            **error);

/* The measurement retention the pipeline applies, in microseconds (0:
 * none): the command line's measurement_retention_days when it is set
 * (not negative), else the ward policy's (engine_config, after the
 * policy file was read).
 */
gint64 _ward_pipeline_measurement_retention (const WardPipelineConfig *config,
                                             const WardEngineConfig   *engine_config);

G_END_DECLS
