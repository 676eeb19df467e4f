/* ward-headless.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-pipeline.h"
#include "ward-session.h"
#include "ward-sources.h"

G_BEGIN_DECLS

/* Runs the pipeline without a window until duration_sec has passed (0:
 * until SIGINT or SIGTERM), stops it cleanly and prints the run's summary
 * as one JSON object on stdout.  Meanwhile it is the GApplication
 * io.github.wardwatch.Wardwatch on the session bus (when there is one),
 * exporting the actions of ward-actions.h, acting as session_config
 * says (NULL: the defaults).  Returns the process exit status.
 */
int ward_headless_run (const WardPipelineConfig *config,
                       const WardSourcesConfig  *sources,
                       const WardSessionConfig  *session_config,
                       double                    duration_sec);
/* The same, in demo mode also stopping once the simulated ward's clock
 * has run simulated_sec (0: no such limit), however long that takes in
 * real time; duration_sec still bounds the real time.
 */
int ward_headless_run_full (const WardPipelineConfig *config,
                            const WardSourcesConfig  *sources,
                            const WardSessionConfig  *session_config,
                            double                    duration_sec,
                            double                    simulated_sec);

G_END_DECLS
