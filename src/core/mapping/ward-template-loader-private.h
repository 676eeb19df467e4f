/* ward-template-loader-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ward-device-template.h"

G_BEGIN_DECLS

/* What the device mapping loader (ward-device-template-load.c) and the
 * FHIR mapping loader (ward-fhir-template.c) share: parsing a mapping
 * file, collecting issues with their line, column and JSONPath, and
 * turning the fatal ones into a GError.
 */

#define WARD_TEMPLATE_MAX_DEPTH 128

typedef struct
{
  GPtrArray  *issues;        /* WardTemplateIssue*, borrowed from the template */
  const char *filename;      /* borrowed; NULL for data without a name */
  GHashTable *locations;     /* JSONPath -> WardJsonLocation*, owned */
  JsonParser *parser;        /* owned; holds the root */
} WardTemplateLoader;

/* Creates a template of a type and fills it from data, which has its
 * byte order mark skipped.  load sets the filename before it loads.
 */
typedef gboolean (*WardTemplateLoadFunc) (gpointer     instance,
                                          const char  *data,
                                          gsize        length,
                                          const char  *filename,
                                          GError     **error);

void         _ward_template_loader_clear              (WardTemplateLoader    *l);
JsonNode    *_ward_template_loader_parse              (WardTemplateLoader    *l,
                                                       const char            *data,
                                                       gsize                  length,
                                                       GError               **error);
void         _ward_template_loader_add_issue          (WardTemplateLoader    *l,
                                                       const char            *path,
                                                       gboolean               at_key,
                                                       gboolean               fatal,
                                                       const char            *format,
                                                       ...) G_GNUC_PRINTF (5, 6);
gboolean     _ward_template_loader_fail               (WardTemplateLoader    *l,
                                                       guint                  code,
                                                       GError               **error);

gpointer     _ward_template_loader_new                (GType                  type,
                                                       WardTemplateLoadFunc   load,
                                                       const char            *data,
                                                       gssize                 length,
                                                       const char            *filename,
                                                       gboolean               keep_invalid,
                                                       GError               **error);
gpointer     _ward_template_loader_new_from_file      (GType                  type,
                                                       WardTemplateLoadFunc   load,
                                                       const char            *path,
                                                       GError               **error);
gpointer     _ward_template_loader_new_from_resource  (GType                  type,
                                                       WardTemplateLoadFunc   load,
                                                       const char            *resource_path,
                                                       GError               **error);

gboolean     _ward_template_issues_valid              (GPtrArray             *issues);
gboolean     _ward_template_match_name                (const char            *template_type,
                                                       const char            *expected);
const char  *_ward_json_describe_node_type            (JsonNode              *node);
gboolean     _ward_json_holds_string                  (JsonNode              *node);
gboolean     _ward_json_is_blank                      (const char            *s);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardTemplateLoader, _ward_template_loader_clear)

G_END_DECLS
