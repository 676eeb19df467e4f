/* ward-store-archive.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* The raw archive in batches, for sources that acknowledge a group of
 * messages once the group is committed (MQTT), with the recognition of
 * QoS 1 redeliveries.
 *
 * A redelivery is a message whose PUBACK did not reach the broker before
 * the connection broke (a kill, a crash, a network failure) although
 * Wardwatch had committed it: the broker sends it again, with the same
 * MQTT message id, at the next connection of the persistent session.  A
 * message is taken for such a copy when the archive already holds, among
 * its last WARD_STORE_REDELIVERY_WINDOW rows, an original (not itself a
 * copy) from the same source, with the same device id, the same message
 * id and the same payload (SHA-256).  Message ids are unique among the
 * 65535 messages in flight or recent on one session, so two different
 * messages of a device match only if their bytes are the same as well;
 * the window is far below the id space and far above any broker's
 * in-flight limit.  The copy is archived (the archive keeps what
 * arrived), marked with duplicate_of, and is never mapped: it makes no
 * second measurement.
 */
#define WARD_STORE_REDELIVERY_WINDOW 10000

typedef struct
{
  /* In */
  const char    *device_id;        /* or NULL */
  const void    *payload;
  gsize          length;
  int            mqtt_mid;         /* 0: no transport message id, never a copy */

  /* Out */
  gint64         raw_id;
  gint64         duplicate_of;     /* the original's raw id, or 0 */
} WardArchiveItem;

/* Archives n_items messages received at received_at, inside the caller's
 * transaction (ward_store_begin() .. ward_store_commit()): nothing is
 * durable before that commit.  Fills raw_id and duplicate_of; a copy is
 * stored already processed.  FALSE with error when the store failed.
 */
gboolean    ward_store_archive_items       (WardStore              *self,
                                            gint64                  received_at,
                                            const char             *source,
                                            const char             *content_type,
                                            WardArchiveItem        *items,
                                            guint                   n_items,
                                            GError                **error);

/* For a connection that only archives beside the pipeline's: waiting for
 * the pipeline's write lock, it retries every half millisecond (for up to
 * the same 5 s as SQLite's default wait) instead of SQLite's growing
 * sleeps of up to 100 ms, which would hold the source's acknowledgements
 * back long after the lock is free.
 */
void        ward_store_archive_set_busy_poll (WardStore            *self);

G_END_DECLS
