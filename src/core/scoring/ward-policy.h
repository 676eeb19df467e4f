/* ward-policy.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-engine.h"

G_BEGIN_DECLS

#define WARD_POLICY_ERROR (ward_policy_error_quark ())

typedef enum
{
  WARD_POLICY_ERROR_PARSE,     /* not JSON, or not a JSON object */
  WARD_POLICY_ERROR_INVALID,   /* an unknown key or a bad value */
} WardPolicyError;

/* The ward policy file: which values a score uses (per-parameter
 * validity, the manual data timeout), when flags open and close, and how
 * often observations are due.  Every key is optional; what the file
 * leaves out keeps the value config already has (ward_engine_config_init()
 * gives the defaults).  An unknown key or a bad value refuses the whole
 * file, naming the key, and leaves config as it was.  The format is in
 * docs/ARCHITECTURE.md ("Ward policy file"); data/ward-policy.json holds
 * the defaults.
 */
GQuark    ward_policy_error_quark  (void);

gboolean  ward_policy_load_file    (const char        *path,
                                    WardEngineConfig  *config,
                                    GError           **error);
/* The same from text; origin names it in errors (a file name). */
gboolean  ward_policy_load_data    (const char        *data,
                                    gssize             length,
                                    const char        *origin,
                                    WardEngineConfig  *config,
                                    GError           **error);

G_END_DECLS
