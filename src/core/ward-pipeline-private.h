/* ward-pipeline-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-pipeline.h"

G_BEGIN_DECLS

/* Test hooks. */
void _ward_pipeline_set_delivery_paused (WardPipeline *self,
                                         gboolean      paused);

G_END_DECLS
