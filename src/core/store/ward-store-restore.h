/* ward-store-restore.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* Called for each measurement read back, oldest first within its kind.
 * entered_by is NULL for a device value.
 */
typedef void (*WardStoreRestoreFunc) (const char *kind,
                                      double      value,
                                      gint64      observed_at,
                                      const char *source,
                                      const char *entered_by,
                                      gpointer    user_data);

/* What the engine reads back at start to rebuild its newest values: of
 * the patient's measurements observed at or after since, for each kind
 * the engine knows, the newest and the newest nurse-entered one, oldest
 * first within the kind.  (Older rows of the span are not read: only the
 * newest of each matters, and a month of 5-second readings made the
 * start slow.)
 */
gboolean ward_store_foreach_measurement_since (WardStore             *self,
                                               const char            *patient_id,
                                               gint64                 since,
                                               WardStoreRestoreFunc   func,
                                               gpointer               user_data,
                                               GError               **error);

/* The patient's open clinical flag, if any (*flag_id 0 when none).  The
 * strings are newly allocated (or NULL); escalated_at and acknowledged_at
 * are 0 when unset.
 */
gboolean ward_store_get_open_clinical_flag    (WardStore   *self,
                                               const char  *patient_id,
                                               gint64      *flag_id,
                                               char       **band,
                                               gint64      *opened_at,
                                               gint64      *escalated_at,
                                               char       **acknowledged_by,
                                               gint64      *acknowledged_at,
                                               GError     **error);

G_END_DECLS
