/* ward-sink.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-pipeline.h"

G_BEGIN_DECLS

/* WardSink is the one way a source (ward-device-source.h) hands messages on,
 * and the one place its durability point is defined:
 *
 *   When a sink call returns TRUE (commit_batch) or its completion
 *   finishes TRUE (submit, reject), the message is committed to the
 *   store.  Now, and not before, the source may acknowledge it to its
 *   sender.  FALSE: nothing was committed; do not acknowledge, let the
 *   sender send it again.
 *
 * Three calls, by how the source runs:
 *
 *   commit_batch()   blocking, thread-safe, for a source with a thread of
 *                    its own (MQTT): the raw messages of the batch are
 *                    committed in one transaction, then queued for mapping.
 *   submit_async()   for a source on a main context (MLLP): the message is
 *                    archived, mapped and stored in the pipeline's next
 *                    transaction; the completion comes after the commit,
 *                    with the outcome the sender should be told.  With a
 *                    key, a resend is stored once and completes with the
 *                    first outcome (duplicate TRUE).
 *   reject_async()   bytes that never became a message (a framing error):
 *                    archived and dead-lettered at stage with reason.
 *
 * A sink stamps everything with its source name.  It also gives the
 * source what must be stable across restarts of this Wardwatch instance
 * (instance_id, e.g. for an MQTT client id), so that sources need not
 * know where the store lives.
 */
#define WARD_TYPE_SINK (ward_sink_get_type ())
G_DECLARE_FINAL_TYPE (WardSink, ward_sink, WARD, SINK, GObject)

WardSink    *ward_sink_new             (WardPipeline          *pipeline,
                                        const char            *source_name);
const char  *ward_sink_get_source_name (WardSink              *self);
/* "wardwatch-" and 12 hex digits: the same for one host and database,
 * different for two databases on one host.  Free with g_free().
 */
char        *ward_sink_dup_instance_id (WardSink              *self);

gboolean     ward_sink_commit_batch    (WardSink              *self,
                                        const char            *content_type,
                                        WardArchiveItem       *items,
                                        guint                  n_items,
                                        GError               **error);

/* key may be NULL (no de-duplication); device_id is the transport's, or
 * NULL.
 */
void         ward_sink_submit_async    (WardSink              *self,
                                        const char            *content_type,
                                        const char            *device_id,
                                        const WardMessageKey  *key,
                                        const char            *payload,
                                        gssize                 length,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
/* FALSE with error only when nothing was committed.  outcome, reason and
 * duplicate may be NULL.
 */
gboolean     ward_sink_submit_finish   (WardSink              *self,
                                        GAsyncResult          *result,
                                        WardIngestOutcome     *outcome,
                                        char                 **reason,
                                        gboolean              *duplicate,
                                        GError               **error);

void         ward_sink_reject_async    (WardSink              *self,
                                        const char            *content_type,
                                        const char            *payload,
                                        gsize                  length,
                                        const char            *stage,
                                        const char            *reason,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
gboolean     ward_sink_reject_finish   (WardSink              *self,
                                        GAsyncResult          *result,
                                        GError               **error);

/* A stepped source (the in-process simulator) hands nothing over: the
 * pipeline steps it inside its tick, and its durability point is the
 * tick's commit (it has no one to acknowledge to).  These switch its
 * device messages on and off and read its counts; see
 * ward_pipeline_set_simulator_devices().  FALSE: this sink's pipeline
 * has no stepped source.
 */
gboolean     ward_sink_set_stepped_running (WardSink          *self,
                                            gboolean           running);
void         ward_sink_get_stepped_status  (WardSink          *self,
                                            gboolean          *running,
                                            guint             *n_beds,
                                            double            *time_scale,
                                            guint64           *received,
                                            guint64           *committed,
                                            guint64           *failed);

G_END_DECLS
