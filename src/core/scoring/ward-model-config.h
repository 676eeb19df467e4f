/* ward-model-config.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ward-scorer.h"

G_BEGIN_DECLS

/* Which models a ward runs, and how: the ward policy file's "models"
 * (an array of {"card": PATH, "mode": "shadow" | "active"}, PATH
 * relative to the policy file, mode required) and wardwatch's
 * --model=CARD[:shadow|active] (shadow when left out).  Parsing is
 * strict: an unknown key, a missing card or an unknown mode refuses the
 * whole list, naming it.  Whether the card and its model load is
 * decided later, when the engine starts (ward_engine_load_model()).
 */
typedef struct
{
  char           *card_path;
  WardScorerMode  mode;
} WardModelSpec;

void        ward_model_spec_free         (WardModelSpec  *spec);
GPtrArray  *ward_model_specs_new         (void);

/* Appends the specs of a policy file's "models" member to @specs (may
 * be NULL to only check).  @base_dir: what relative card paths are
 * relative to.  Errors are WARD_POLICY_ERROR_INVALID prefixed with
 * @origin.
 */
gboolean    ward_model_specs_parse_json  (JsonNode       *node,
                                          const char     *origin,
                                          const char     *base_dir,
                                          GPtrArray      *specs,
                                          GError        **error);
/* The specs of a policy file's "models" (none when it has none). */
gboolean    ward_model_specs_load_policy (const char     *policy_path,
                                          GPtrArray      *specs,
                                          GError        **error);
/* One --model=CARD[:shadow|active] option. */
WardModelSpec *ward_model_spec_parse_option (const char  *option,
                                          GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardModelSpec, ward_model_spec_free)

G_END_DECLS
