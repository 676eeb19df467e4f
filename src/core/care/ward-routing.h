/* ward-routing.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-tasks.h"

G_BEGIN_DECLS

/* The care policy: the "care" object of the ward policy file
 * (data/ward-policy.json, docs/ARCHITECTURE.md "Care team").
 *
 *   "care": {
 *     "escalation": ["bed-nurse", "nurse-in-charge", "doctor", "outreach"],
 *     "response_minutes": { "low": 60, "low-medium": 60, "medium": 60, "high": 30,
 *                           "concern": 30 },
 *     "routing": [ { "band": "high", "role": "doctor" },
 *                  { "bed": "bed-3", "flag_kind": "technical", "role": "nurse-in-charge" } ]
 *   }
 *
 * Rules are tried in order; the first whose every given key matches
 * (ward, bed, band, score_kind, flag_kind) routes the task to its role.
 * With no rule matching, a clinical flag goes to the bed nurse and a
 * concern to the role after the bed nurse in the escalation chain; a
 * technical flag (a silent device) gets a task only when a rule naming
 * "flag_kind": "technical" matches it, since the technical alert already
 * shows on the ward.
 */

typedef struct
{
  char         *ward;
  char         *bed;
  gboolean      has_band;
  WardBand      band;
  char         *score_kind;
  gboolean      has_flag_kind;
  WardCareKind  flag_kind;
  WardRole      role;
} WardRoutingRule;

typedef struct
{
  GPtrArray *rules;                        /* WardRoutingRule */
  gint64     response_usec[WARD_BAND_HIGH + 1];
  gint64     concern_response_usec;
  WardRole   chain[WARD_N_ROLES];
  guint      chain_len;
} WardCarePolicy;

/* What a task is routed for. */
typedef struct
{
  const char   *ward;
  const char   *bed;
  WardCareKind  kind;
  gboolean      has_band;
  WardBand      band;
  const char   *score_kind;   /* "news2" for NEWS2's flags, "model:NAME" for a model's own */
} WardRoutingQuery;

/* Whether a score kind is a model's ("model:NAME"). */
gboolean          ward_care_score_kind_is_model (const char *score_kind);

/* Defaults: no rules; 60 min for low, low-medium and medium, 30 min for
 * high and for a concern; bed nurse, nurse in charge, doctor, outreach.
 */
WardCarePolicy   *ward_care_policy_new          (void);
WardCarePolicy   *ward_care_policy_copy         (const WardCarePolicy    *policy);
void              ward_care_policy_free         (WardCarePolicy          *policy);
/* Reads a "care" object into policy; unknown keys and bad values refuse
 * it, naming the key (WARD_POLICY_ERROR_INVALID), and leave policy as it
 * was.
 */
gboolean          ward_care_policy_load_json    (WardCarePolicy          *policy,
                                                 JsonNode                *care,
                                                 const char              *origin,
                                                 GError                 **error);
/* The "care" object of a whole ward policy file (the other keys are
 * ward_policy_load_file()'s); a file without one keeps the defaults.
 */
gboolean          ward_care_policy_load_file    (WardCarePolicy          *policy,
                                                 const char              *path,
                                                 GError                 **error);

/* The role for a task; FALSE when it gets no task (a technical flag that
 * no rule routes).
 */
gboolean          ward_care_policy_route        (const WardCarePolicy    *policy,
                                                 const WardRoutingQuery  *query,
                                                 WardRole                *role);
/* The next role up the escalation chain; FALSE at its top, or for a role
 * that is not in it.
 */
gboolean          ward_care_policy_next_role    (const WardCarePolicy    *policy,
                                                 WardRole                 role,
                                                 WardRole                *next);
/* The response target for a task of that kind and band. */
gint64            ward_care_policy_response     (const WardCarePolicy    *policy,
                                                 WardCareKind             kind,
                                                 gboolean                 has_band,
                                                 WardBand                 band);
/* The first priority of a task: low routine, low-medium and medium
 * urgent, high asap, a concern urgent; each escalation one higher, stat
 * at most.
 */
WardTaskPriority  ward_care_priority_for        (WardCareKind             kind,
                                                 gboolean                 has_band,
                                                 WardBand                 band);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardCarePolicy, ward_care_policy_free)

G_END_DECLS
