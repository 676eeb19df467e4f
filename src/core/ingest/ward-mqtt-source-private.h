/* ward-mqtt-source-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-mqtt-source.h"

G_BEGIN_DECLS

/* Shared by ward-mqtt-source.c and ward-mqtt-source-config.c. */

typedef struct
{
  char *subscription;      /* the filter with its placeholder as "+" */
  char *match;             /* the same without a "$share/<group>/" prefix */
  int   device_level;      /* the placeholder's level in match, or -1 */
} Filter;

void      _ward_mqtt_filter_clear        (Filter              *filter);
/* Filter array; NULL topics: the default. */
GArray   *_ward_mqtt_parse_filters       (const char * const  *topics,
                                          GError             **error);
char     *_ward_mqtt_device_id_for_topic (GArray              *filters,
                                          const char          *topic);
gboolean  _ward_mqtt_check_file_option   (const char          *name,
                                          const char          *value,
                                          gboolean             is_dir,
                                          GError             **error);
gboolean  _ward_mqtt_find_system_cas     (char               **ca_file,
                                          char               **ca_path,
                                          char               **origin,
                                          GError             **error);

/* For tests: the next n batch commits fail as if the store had failed. */
void            _ward_mqtt_source_inject_failures    (WardMqttSource              *self,
                                                      guint                        n);

G_END_DECLS
