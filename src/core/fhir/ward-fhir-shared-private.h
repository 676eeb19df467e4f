/* ward-fhir-shared-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ward-fhir-shared-json.c: reading what a server sends, whose shape is
 * not trusted, and comparing versions.
 */

JsonObject *_ward_fhir_shared_parse_object     (const char  *text,
                                                gsize        length,
                                                GError     **error);
/* A member that holds an object (or an array), else NULL. */
JsonObject *_ward_fhir_shared_object_member    (JsonObject  *object,
                                                const char  *name);
JsonArray  *_ward_fhir_shared_array_member     (JsonObject  *object,
                                                const char  *name);
JsonObject *_ward_fhir_shared_array_object     (JsonArray   *array,
                                                guint        index);
const char *_ward_fhir_shared_string_member    (JsonObject  *object,
                                                const char  *name);
char       *_ward_fhir_shared_object_to_string (JsonObject  *object);
/* meta.member of the resource, a string, or NULL. */
const char *_ward_fhir_shared_meta_string      (JsonObject  *resource,
                                                const char  *member);
/* Whether version is newer than known (NULL: nothing known). */
gboolean    _ward_fhir_shared_version_is_newer (const char  *version,
                                                const char  *known);

G_END_DECLS
