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

/* Where a strict reader is: the file (origin) and the error to refuse
 * it with.
 */
typedef struct
{
  GQuark       domain;
  int          code;
  const char  *origin;
} WardJsonStrictContext;

/* One member of an object read by ward_json_strict_read_object(): key is
 * one of the reader's keys, path its place ("kiosk.pin_hash").  Returns
 * FALSE with error set (ward_json_strict_fail()) to refuse the object.
 */
typedef gboolean (*WardJsonStrictMemberFunc) (const WardJsonStrictContext  *context,
                                              const char                   *key,
                                              const char                   *path,
                                              JsonNode                     *value,
                                              gpointer                      user_data,
                                              GError                      **error);

/* Reads node as an object named path ("care", "care.routing[2]"): each
 * member whose key is in keys goes to func in the file's order; a node
 * that is not an object refuses it ("path: expected an object"), and so
 * does an unknown key, naming the known ones ("path.key: unknown key
 * (a, b)").
 */
gboolean    ward_json_strict_read_object (const WardJsonStrictContext  *context,
                                          JsonNode                     *node,
                                          const char                   *path,
                                          const char * const           *keys,
                                          WardJsonStrictMemberFunc      func,
                                          gpointer                      user_data,
                                          GError                      **error);

G_END_DECLS
