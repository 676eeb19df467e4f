/* ward-feature-store.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-features.h"

G_BEGIN_DECLS

/* Reads what the features need from the store, on a read-only connection
 * of its own (WAL lets it read beside the pipeline's writer).  A reader
 * keeps its statements prepared: a scorer that computes features for
 * every bed at every window step opens one reader and reuses it.  Not
 * thread-safe: one thread at a time.
 */

#define WARD_FEATURE_STORE_ERROR (ward_feature_store_error_quark ())

typedef enum
{
  WARD_FEATURE_STORE_ERROR_OPEN,
  WARD_FEATURE_STORE_ERROR_SCHEMA,
  WARD_FEATURE_STORE_ERROR_SQL,
} WardFeatureStoreError;

typedef struct _WardFeatureReader WardFeatureReader;

GQuark              ward_feature_store_error_quark    (void);

WardFeatureReader  *ward_feature_reader_new           (const char         *db_path,
                                                       GError            **error);
void                ward_feature_reader_free          (WardFeatureReader  *self);

/* Replaces series with the patient's measurements observed in
 * (from, to] of the kinds features use, in one query on the
 * (patient_id, kind, observed_at) index, and the patient's SpO2 scale
 * and birth date (a primary-key lookup).  An unknown patient gives an
 * empty series.
 */
gboolean            ward_feature_reader_load          (WardFeatureReader  *self,
                                                       const char         *patient_id,
                                                       gint64              from,
                                                       gint64              to,
                                                       WardFeatureSeries  *series,
                                                       GError            **error);

/* The ids of patients with measurements, sorted. */
GPtrArray          *ward_feature_reader_list_patients (WardFeatureReader  *self,
                                                       GError            **error);
/* The ends of the patient's stored score windows in [from, to], oldest
 * first (gint64).
 */
GArray             *ward_feature_reader_window_ends   (WardFeatureReader  *self,
                                                       const char         *patient_id,
                                                       gint64              from,
                                                       gint64              to,
                                                       GError            **error);
/* The times of the patient's first and last measurement; FALSE without
 * any (error unset) or on an error (error set).
 */
gboolean            ward_feature_reader_time_range    (WardFeatureReader  *self,
                                                       const char         *patient_id,
                                                       gint64             *first,
                                                       gint64             *last,
                                                       GError            **error);

/* For an incremental export of the feature table (wardwatch-cli export
 * --features): the id of the newest score row, then the patients and
 * window ends of the NEWS2 score rows stored with ids in
 * (after_id, upto_id] (ids only grow, and a re-scored window keeps its
 * row and id), windows ending at or after since, oldest first.
 */
gboolean            ward_feature_reader_last_score_id (WardFeatureReader  *self,
                                                       gint64             *id,
                                                       GError            **error);
GPtrArray          *ward_feature_reader_list_scored_patients (WardFeatureReader *self,
                                                       gint64              after_id,
                                                       gint64              upto_id,
                                                       GError            **error);
GArray             *ward_feature_reader_new_window_ends (WardFeatureReader *self,
                                                       const char         *patient_id,
                                                       gint64              after_id,
                                                       gint64              upto_id,
                                                       gint64              since,
                                                       GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardFeatureReader, ward_feature_reader_free)

G_END_DECLS
