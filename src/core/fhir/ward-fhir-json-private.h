/* ward-fhir-json-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* The JsonBuilder steps every FHIR resource builder takes (the ward's
 * resources in ward-fhir-resources.c, the care team's in
 * care/ward-care-fhir.c).  A NULL member adds the value to the array
 * being built.
 */
static inline void
ward_fhir_add_string (JsonBuilder *builder,
                      const char  *member,
                      const char  *value)
{
  if (member != NULL)
    json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static inline void
ward_fhir_add_time (JsonBuilder *builder,
                    const char  *member,
                    gint64       usec)
{
  g_autofree char *iso = ward_time_format_iso8601 (usec);

  ward_fhir_add_string (builder, member, iso);
}

/* A Coding; display is left out when NULL. */
static inline void
ward_fhir_add_coding (JsonBuilder *builder,
                      const char  *system,
                      const char  *code,
                      const char  *display)
{
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "system", system);
  ward_fhir_add_string (builder, "code", code);
  if (display != NULL)
    ward_fhir_add_string (builder, "display", display);
  json_builder_end_object (builder);
}

/* A Reference to type/id. */
static inline void
ward_fhir_add_reference (JsonBuilder *builder,
                         const char  *member,
                         const char  *type,
                         const char  *id)
{
  g_autofree char *reference = g_strconcat (type, "/", id, NULL);

  if (member != NULL)
    json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  ward_fhir_add_string (builder, "reference", reference);
  json_builder_end_object (builder);
}

G_END_DECLS
