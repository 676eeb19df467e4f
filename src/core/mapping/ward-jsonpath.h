/* ward-jsonpath.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* JSONPath in the flavour of Json.NET's SelectTokens(), which is what
 * the IoMT FHIR Connector and the Azure MedTech service evaluate device
 * mapping expressions with: Goessner's syntax plus Json.NET's habits,
 * notably filters that test a member without a dot ("$..[?(@heartRate)]")
 * and "$..[?(...)]" testing the node it starts from as well as every
 * descendant.  See data/mappings/README.md for the full syntax.
 *
 * A compiled path is immutable, so one can be shared between threads.
 */

#define WARD_JSONPATH_ERROR (ward_jsonpath_error_quark ())

typedef enum
{
  WARD_JSONPATH_ERROR_SYNTAX,      /* the message starts with "column N: " */
  WARD_JSONPATH_ERROR_TOO_LARGE,   /* a selection grew beyond the limit */
} WardJsonPathError;

typedef struct _WardJsonPath WardJsonPath;

GQuark        ward_jsonpath_error_quark    (void);

WardJsonPath *ward_jsonpath_compile        (const char    *expr,
                                            GError       **error);
void          ward_jsonpath_free           (WardJsonPath  *self);
const char   *ward_jsonpath_get_expression (WardJsonPath  *self);

/* Returns borrowed pointers to the nodes of root that the path selects,
 * in Json.NET's order (document order for everything but unions, which
 * keep the order written).  Never NULL; empty when nothing matches or
 * when the selection would exceed the size limit.
 */
GPtrArray    *ward_jsonpath_select         (WardJsonPath  *self,
                                            JsonNode      *root);

/* Like ward_jsonpath_select(), but a selection beyond max_results nodes
 * (0 for the default limit) is an error rather than an empty array.
 */
GPtrArray    *ward_jsonpath_select_full    (WardJsonPath  *self,
                                            JsonNode      *root,
                                            guint          max_results,
                                            GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardJsonPath, ward_jsonpath_free)

G_END_DECLS
