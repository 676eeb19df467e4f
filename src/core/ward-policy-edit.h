/* ward-policy-edit.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* The main numbers of a ward policy file (ward-policy.h), as the
 * preferences edit them: how long each parameter's values count, the
 * manual data timeout and the flag threshold and delays.  Saving keeps
 * every other key of the file it started from (observation frequency,
 * care routing, models, description) and is checked by the policy
 * reader before anything is written, so a saved file always loads.
 */
typedef struct
{
  double    validity_minutes[WARD_NEWS2_N_PARAMS];
  double    manual_timeout_minutes;
  WardBand  flag_threshold;
  double    open_delay_seconds;
  double    close_delay_seconds;
} WardPolicyNumbers;

/* The numbers in effect with the file at path (NULL: the built-in
 * defaults, what data/ward-policy.json holds).
 */
gboolean  ward_policy_edit_read          (const char               *path,
                                          WardPolicyNumbers        *numbers,
                                          GError                  **error);
/* Writes source's keys (source NULL: none) with numbers put in to dest,
 * atomically, making its folder.  source and dest may be the same file.
 * Refused (WARD_POLICY_ERROR_INVALID, naming the key) without writing
 * when a number is out of the reader's range.
 */
gboolean  ward_policy_edit_save          (const char               *source,
                                          const char               *dest,
                                          const WardPolicyNumbers  *numbers,
                                          GError                  **error);
/* A line about the file's care routing: the escalation chain and how
 * many routing rules, or NULL when the file has no "care" object.
 */
char     *ward_policy_edit_describe_care (const char               *path,
                                          GError                  **error);

G_END_DECLS
