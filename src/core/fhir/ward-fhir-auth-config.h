/* ward-fhir-auth-config.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-fhir-auth.h"
#include "ward-pipeline.h"

G_BEGIN_DECLS

/* The authentication wardwatch's options ask for (--fhir-auth,
 * --fhir-token-file, --fhir-client-id, --fhir-private-key), for each
 * part of the station that talks to the FHIR server (the sync, the
 * staff directory): "none", "bearer" or "smart".
 */
const char   *ward_fhir_auth_config_mode    (const WardPipelineConfig  *config);
/* A new WardFhirAuth for config (a file or keyring token for bearer, the
 * client's key for SMART); *bearer_token (may be NULL) gets the static
 * token in bearer mode, else NULL.  NULL with a WARD_PIPELINE_ERROR
 * saying which option is missing or wrong.
 */
WardFhirAuth *ward_fhir_auth_new_for_config (const WardPipelineConfig  *config,
                                             char                     **bearer_token,
                                             GError                   **error);

G_END_DECLS
