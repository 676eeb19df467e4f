/* ward-handover-list.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-store-care.h"

G_BEGIN_DECLS

/* The handovers offered to a nurse and not yet accepted, for the
 * incoming nurse to see and accept (issue #16, part 6).
 */
typedef struct
{
  WardHandover  handover;
  GPtrArray    *beds;       /* WardHandoverBed, with their SBAR notes */
} WardOfferedHandover;

void        ward_offered_handover_free      (WardOfferedHandover *offered);

/* WardOfferedHandover offered to to_staff, oldest first; NULL on error. */
GPtrArray  *ward_store_list_offered_handovers (WardStore          *store,
                                               const char         *to_staff,
                                               GError            **error);

/* The same, read in a worker thread on its own read-only connection to
 * the database at db_path (the UI's way: no SQL on the main thread).
 */
void        ward_handover_list_async        (const char          *db_path,
                                             const char          *to_staff,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray  *ward_handover_list_finish       (GAsyncResult        *result,
                                             GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardOfferedHandover, ward_offered_handover_free)

G_END_DECLS
