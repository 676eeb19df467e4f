/* ward-engine-policy.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine-private.h"

/* The ward policy changed while the engine runs (ward-pipeline-live.c).
 * Every stage reads self->config when it runs, so the next message and
 * the next evaluate use the new one; the flag trackers keep their state
 * and follow the new rules from there.
 */
void
ward_engine_set_config (WardEngine             *self,
                        const WardEngineConfig *config)
{
  g_return_if_fail (WARD_IS_ENGINE (self));
  g_return_if_fail (config != NULL);

  self->config = *config;
}

const WardEngineConfig *
ward_engine_get_config (WardEngine *self)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  return &self->config;
}
