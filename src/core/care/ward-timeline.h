/* ward-timeline.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-store.h"

G_BEGIN_DECLS

/* A patient's timeline (issue #16, part 5): what happened and who did
 * it, newest first, from the store: NEWS2 band changes, care
 * communications (notifications, escalations, concerns, handover notes)
 * and the audit trail (tasks made, accepted, escalated, reassigned and
 * completed; flags raised, escalated and closed, acknowledgements, nurse
 * entries, confirmations: the engine's events the care stage copies).
 */
typedef enum
{
  WARD_TIMELINE_SCORE,          /* total and band: the band changed */
  WARD_TIMELINE_COMMUNICATION,  /* action is its kind, detail the text */
  WARD_TIMELINE_AUDIT,          /* action is the audit action, detail its JSON */
} WardTimelineKind;

typedef struct
{
  gint64            at;         /* UTC microseconds */
  WardTimelineKind  kind;
  char             *actor;      /* staff id, "wardwatch", or NULL */
  char             *action;
  char             *detail;     /* or NULL */
  int               total;      /* SCORE */
  WardBand          band;       /* SCORE */
} WardTimelineEntry;

void        ward_timeline_entry_free   (WardTimelineEntry *entry);

/* At most limit entries, newest first; NULL on error. */
GPtrArray  *ward_store_read_timeline   (WardStore          *store,
                                        const char         *patient_id,
                                        guint               limit,
                                        GError            **error);

/* The same, in a worker thread on its own read-only connection (the
 * UI's way, as the charts' history).
 */
void        ward_timeline_load_async   (const char          *db_path,
                                        const char          *patient_id,
                                        guint                limit,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray  *ward_timeline_load_finish  (GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
