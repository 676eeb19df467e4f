/* ward-store-model-flag.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* A model's own flag (issue #15): a flags row of kind 'model' naming
 * the scorer, its version and the probability that raised it (schema
 * version 12).  It is closed and acknowledged as any flag is
 * (ward_store_close_flag(), ward_store_acknowledge_flag()).
 */
typedef struct
{
  gint64  id;
  char   *scorer;            /* "model:NAME" */
  char   *scorer_version;
  double  probability;       /* the probability that raised it */
  gint64  opened_at;
  char   *acknowledged_by;   /* NULL: not acknowledged */
  gint64  acknowledged_at;
} WardStoreModelFlag;

void     ward_store_model_flag_clear     (WardStoreModelFlag  *flag);

/* Opens a model flag; score_id is the scorer's row for the patient's
 * window ending at window_end, when there is one.  Returns the flag's id,
 * or 0 with error.
 */
gint64   ward_store_open_model_flag      (WardStore           *self,
                                          const char          *patient_id,
                                          const char          *scorer,
                                          const char          *scorer_version,
                                          double               probability,
                                          gint64               window_end,
                                          gint64               opened_at,
                                          const char          *reason,
                                          GError             **error);
/* The patient's open model flags (WardStoreModelFlag), oldest first. */
GArray  *ward_store_list_open_model_flags (WardStore          *self,
                                          const char          *patient_id,
                                          GError             **error);

G_END_DECLS
