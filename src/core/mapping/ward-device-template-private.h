/* ward-device-template-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-device-template.h"
#include "ward-jmespath.h"
#include "ward-jsonpath.h"

G_BEGIN_DECLS

/* The loaded form of a mapping, shared by ward-device-template.c
 * (mapping) and ward-device-template-load.c (loading).
 */

typedef enum
{
  WARD_EXPR_JSONPATH,
  WARD_EXPR_JMESPATH,
} WardExprLanguage;

typedef struct
{
  char             *text;
  WardExprLanguage  language;
  WardJsonPath     *jsonpath;
  WardJmesPath     *jmespath;
} WardTemplateExpr;

/* The template types, by how they evaluate. */
typedef enum
{
  WARD_CONTENT_JSONPATH,       /* expressions on the matched token */
  WARD_CONTENT_IOT,            /* JSONPath, IoT Hub device id and time */
  WARD_CONTENT_IOT_CENTRAL,    /* JSONPath, IoT Central device id and time */
  WARD_CONTENT_CALCULATED,     /* on the message plus matchedToken */
} WardContentKind;

typedef struct
{
  char             *name;
  WardTemplateExpr *expr;
  gboolean          required;
} WardTemplateValue;

typedef struct
{
  WardContentKind   kind;
  guint             index;           /* in the collection */
  char             *template_type;   /* as the file spells it */
  char             *type_name;
  WardTemplateExpr *type_match;
  WardTemplateExpr *device_id;
  WardTemplateExpr *timestamp;
  WardTemplateExpr *timestamp_fallback; /* IotJsonPathContent only */
  WardTemplateExpr *patient_id;
  WardTemplateExpr *encounter_id;
  WardTemplateExpr *correlation_id;
  GPtrArray        *values;          /* WardTemplateValue* */
} WardContentTemplate;

struct _WardDeviceTemplate
{
  GObject    parent_instance;

  char      *filename;
  GPtrArray *templates;              /* WardContentTemplate*, usable ones */
  GPtrArray *issues;                 /* WardTemplateIssue* */
};

void      _ward_template_expr_free       (WardTemplateExpr    *expr);
void      _ward_content_template_free    (WardContentTemplate *tmpl);

/* Fills self->templates and self->issues from data (BOM already
 * skipped).  FALSE with error when nothing is usable.
 */
gboolean  _ward_device_template_load     (WardDeviceTemplate  *self,
                                          const char          *data,
                                          gsize                length,
                                          GError             **error);

/* Checks that text holds exactly one JSON value nested at most max_depth
 * deep, so that json-glib, which ignores a second value and recurses
 * without limit, is only given what it handles.  When locations is not
 * NULL it gets, for every member and element, its JSONPath (as
 * _ward_json_path_append() builds them) mapped to a WardJsonLocation.
 */
typedef struct
{
  int key_line;        /* the member name; 0 for array elements */
  int key_column;
  int value_line;
  int value_column;
} WardJsonLocation;

gboolean  _ward_json_scan                (const char          *text,
                                          gsize                length,
                                          guint                max_depth,
                                          GHashTable          *locations,
                                          GError             **error);

char     *_ward_json_path_append         (const char          *parent,
                                          const char          *member,
                                          gint                 index);

G_END_DECLS
