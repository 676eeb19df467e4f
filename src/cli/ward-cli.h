/* ward-cli.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ward-feature-store.h"
#include "ward-news2.h"
#include "ward-store.h"

G_BEGIN_DECLS

/* Errors in a command's input, reported per line or per argument. */
#define WARD_CLI_ERROR (ward_cli_error_quark ())

typedef enum
{
  WARD_CLI_ERROR_INVALID_INPUT,
} WardCliError;

GQuark ward_cli_error_quark  (void);

/* Shared by commands (ward-cli-score.c): one set of vital signs read from
 * a JSON object as `score` reads it, and a score's "per_param" member as
 * `score` prints it (null where a parameter is absent).
 */
gboolean ward_cli_parse_vitals   (JsonObject      *object,
                                  WardNews2Input  *input,
                                  GError         **error);
void     ward_cli_add_per_param  (JsonBuilder     *builder,
                                  const int        points[WARD_NEWS2_N_PARAMS]);

/* Helpers of the commands (ward-cli.c). */
/* TRUE when line holds only white space. */
gboolean   ward_cli_is_blank    (const char    *line);
/* Writes json and a newline to stdout and flushes it; on a failure says
 * so on stderr and returns FALSE.
 */
gboolean   ward_cli_write_line  (const char    *json);
/* {"error": "line N: message"} as JSON text. */
char      *ward_cli_error_line  (JsonGenerator *generator,
                                 guint64        line_number,
                                 const char    *message);
/* A string member, null when value is NULL. */
void       ward_cli_add_string  (JsonBuilder   *builder,
                                 const char    *member,
                                 const char    *value);
/* A time member in ISO 8601 UTC. */
void       ward_cli_add_time    (JsonBuilder   *builder,
                                 const char    *member,
                                 gint64         usec);
/* The database at db_path opened read-only, beside a live Wardwatch;
 * NULL after saying why on stderr ("wardwatch-cli COMMAND: …").
 */
WardStore *ward_cli_open_store  (const char    *command,
                                 const char    *db_path);

/* The feature table's rows (ward-cli-features.c): the patient's features
 * at each of ends (gint64, oldest first), read a day at a time, handed
 * to func one row at a time (WARD_FEATURE_N_FEATURES values, NAN where
 * a feature cannot be computed).  Stops at func's first FALSE.
 */
typedef gboolean (*WardCliFeatureRowFunc) (const char    *patient_id,
                                           gint64         window_end,
                                           const double  *row,
                                           gpointer       user_data,
                                           GError       **error);

gboolean   ward_cli_features_foreach_row (WardFeatureReader     *reader,
                                          WardFeatureSeries     *series,
                                          const char            *patient_id,
                                          GArray                *ends,
                                          WardCliFeatureRowFunc  func,
                                          gpointer               user_data,
                                          GError               **error);

/* Each wardwatch-cli command takes the arguments after the command name,
 * with argv[0] naming the command ("wardwatch-cli score"), and returns
 * the process exit status: 0 on success, 1 when some input failed, 2 on
 * a usage error.
 */
int    ward_cli_score        (int    argc,
                              char **argv);
int    ward_cli_features     (int    argc,
                              char **argv);
/* `score --model=FILE [--csv]`: feature rows scored by a model
 * (ward-cli-score-model.c).
 */
int    ward_cli_score_model  (const char  *model_path,
                              gboolean     csv);
int    ward_cli_export       (int    argc,
                              char **argv);
int    ward_cli_model_report (int    argc,
                              char **argv);
int    ward_cli_stats        (int    argc,
                              char **argv);
int    ward_cli_tasks        (int    argc,
                              char **argv);
int    ward_cli_audit        (int    argc,
                              char **argv);
int    ward_cli_report       (int    argc,
                              char **argv);
int    ward_cli_dead_letters (int    argc,
                              char **argv);
int    ward_cli_fhir_rejections (int argc,
                                 char **argv);
int    ward_cli_map          (int    argc,
                              char **argv);
int    ward_cli_secret       (int    argc,
                              char **argv);
int    ward_cli_handover_sheet (int  argc,
                                char **argv);
int    ward_cli_staff        (int    argc,
                              char **argv);
int    ward_cli_simulate     (int    argc,
                              char **argv);
int    ward_cli_vacuum       (int    argc,
                              char **argv);
int    ward_cli_replay       (int    argc,
                              char **argv);

G_END_DECLS
