/* ward-json-strict.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Helpers for the configuration files read strictly (policy, routing,
 * staff): a mistake is refused with a message that names the file (origin)
 * and the path of the member ("flag.threshold"), never guessed around.
 */

/* Sets error in domain/code to "origin: message"; returns FALSE. */
gboolean    ward_json_strict_fail        (GError     **error,
                                          GQuark       domain,
                                          int          code,
                                          const char  *origin,
                                          const char  *format,
                                          ...) G_GNUC_PRINTF (5, 6);

/* TRUE when node holds a JSON number (integer or not). */
gboolean    ward_json_strict_is_number   (JsonNode    *node);
/* The string node holds, or NULL when it holds no string. */
const char *ward_json_strict_get_string  (JsonNode    *node);

G_END_DECLS
