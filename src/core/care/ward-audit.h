/* ward-audit.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store-care.h"

G_BEGIN_DECLS

/* The audit trail: one append-only row per clinical action (who, what,
 * when, about which patient, flag or task, from which station, and a
 * JSON detail).  Each row carries the SHA-256 of the previous row's hash
 * and of its own canonical content, so that a row changed, inserted or
 * removed behind the app's back breaks the chain at that row.  The
 * store's triggers refuse an UPDATE or DELETE on the table; the chain
 * catches whoever drops them first.  Removing the newest rows leaves a
 * shorter, sound chain: the AuditEvents already sent to the FHIR server
 * (one per row) are the copy that shows it.
 */

/* The hash of row (its prev_hash and content; row->hash is ignored). */
char     *ward_audit_row_hash   (const WardAuditRow  *row);

/* Appends a row after the last one; *id (may be NULL) gets its id. */
gboolean  ward_audit_append     (WardStore           *store,
                                 gint64               at,
                                 const char          *actor,
                                 const char          *action,
                                 const char          *patient_id,
                                 gint64               flag_id,
                                 gint64               task_id,
                                 const char          *station,
                                 const char          *detail_json,
                                 gint64              *id,
                                 GError             **error);

/* Walks the chain.  *n_rows gets the rows read; *broken_id the first row
 * whose link or hash does not hold (0: the chain is sound), and *reason
 * (may be NULL) says why.  FALSE only when the store cannot be read.
 */
gboolean  ward_audit_verify     (WardStore           *store,
                                 gint64              *n_rows,
                                 gint64              *broken_id,
                                 char               **reason,
                                 GError             **error);

G_END_DECLS
