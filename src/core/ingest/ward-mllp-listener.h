/* ward-mllp-listener.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-pipeline.h"
#include "ward-sink.h"

G_BEGIN_DECLS

/* Frames larger than this close the connection. */
#define WARD_MLLP_MAX_FRAME_SIZE (4 * 1024 * 1024)

/* Bytes of a framing error kept in the raw archive with its dead letter. */
#define WARD_MLLP_ARCHIVE_LIMIT (64 * 1024)

#define WARD_MLLP_DEFAULT_MAX_CONNECTIONS 64
#define WARD_MLLP_DEFAULT_IDLE_TIMEOUT    (120 * G_USEC_PER_SEC)
#define WARD_MLLP_DEFAULT_DEDUP_KEEP      (G_GINT64_CONSTANT (24) * 3600 * G_USEC_PER_SEC)

/* The limits a listener keeps; ward_mllp_limits_init() sets the defaults. */
typedef struct
{
  guint   max_connections;     /* open at once; one more is closed at once (64) */
  gint64  idle_timeout_usec;   /* a connection silent this long, with no ACK owed, is
                                * closed (120 s); 0: never */
  gint64  dedup_keep_usec;     /* how long a message's first answer is remembered for
                                * a resend (24 h, by the pipeline's clock); 0: no
                                * de-duplication */
  gint64  log_interval_usec;   /* one log line per condition per interval (60 s) */
} WardMllpLimits;

void ward_mllp_limits_init (WardMllpLimits *limits);

typedef struct
{
  guint64 connections;       /* accepted, in total */
  guint64 open_connections;
  guint64 connections_refused;  /* over max_connections: closed at once */
  guint64 connections_idle;  /* closed for idleness */
  guint64 accept_errors;     /* accept() failed (EMFILE...): accepting paused */
  guint64 frames;            /* complete frames pushed to the pipeline */
  guint64 duplicates;        /* frames stored before (same MSH-4, MSH-3, MSH-10, content) */
  guint64 acks_aa;           /* ACKs written, by code */
  guint64 acks_ae;
  guint64 acks_ar;
  guint64 acks_not_sent;     /* MSH-15 did not ask for it, or the client had gone */
  guint64 bytes_skipped;     /* outside any frame */
  guint64 frames_too_large;  /* each closed its connection */
  guint64 framing_errors;    /* dead letters at stage "framing" */
  guint64 committed;         /* frames the sink committed (then answered) */
  guint64 not_committed;     /* frames the store failed on (answered AR) */
} WardMllpCounters;

/* HL7 v2 over MLLP (0x0b message 0x1c 0x0d), for monitor gateways.
 * Each frame is pushed to the pipeline (source "mllp", content type
 * WARD_CONTENT_TYPE_HL7V2) and acknowledged only when the pipeline has
 * committed it ("acknowledged means durable"):
 *
 *   ACCEPTED                    AA
 *   PARTIAL                     AA, with the reason in MSA-3 and an ERR
 *                               segment of severity W: the message was
 *                               accepted and stored; some values were not
 *   REJECTED, ORU^R01           AE with the reason (content: unparsable,
 *                               unknown device...)
 *   REJECTED, not ORU^R01, or   AR with the reason
 *   not HL7 at all
 *   the store failed            AR (nothing was committed; resend later)
 *
 * MSH-15 decides whether the ACK is sent: AL always, NE never, ER only
 * for AE/AR, SU only for AA; empty (original mode) always.  Codes are the
 * original-mode AA/AE/AR, as IHE PCD-01 receivers expect.  ACKs go out in
 * the order of the frames on each connection.  A client that goes away
 * does not stop its messages from being processed; their ACKs are
 * dropped.
 *
 * A message sent again (same MSH-4, MSH-3 and MSH-10, same content but
 * for MSH-7) is stored once and answered as the first time, also after a
 * restart (ward_sink_submit_async() with a key).
 *
 * Framing errors are dead letters at stage "framing", their reason naming
 * the peer, their bytes archived up to WARD_MLLP_ARCHIVE_LIMIT: bytes
 * other than blanks before a start block (the connection stays open), a
 * frame over WARD_MLLP_MAX_FRAME_SIZE (the connection is closed), a frame
 * left unterminated (the peer closed, went idle, or began another frame),
 * and an empty frame (answered AR).
 *
 * Limits (WardMllpLimits): connections beyond max_connections are closed
 * at once; idle ones are closed; accept() failing (EMFILE) pauses
 * accepting for a moment instead of spinning.  Each such condition is
 * logged at most once per log interval, with a count of the rest.
 */
#define WARD_TYPE_MLLP_LISTENER (ward_mllp_listener_get_type ())
G_DECLARE_FINAL_TYPE (WardMllpListener, ward_mllp_listener, WARD, MLLP_LISTENER, GObject)

/* A WardDeviceSource (ward-device-source.h): ward_device_source_start() listens on
 * bind_address (NULL: "127.0.0.1") and port (0: any free port).
 */
WardMllpListener *ward_mllp_listener_new_for_sink (WardSink          *sink,
                                                   const char        *bind_address,
                                                   guint16            port);
/* With a sink of its own on pipeline, source name "mllp"; listen() says
 * where.
 */
WardMllpListener *ward_mllp_listener_new          (WardPipeline      *pipeline);
/* Listens on bind_address (NULL: "127.0.0.1") and port (0: any free
 * port, see get_port()).  Connections are served on the thread-default
 * main context of the caller.
 */
gboolean          ward_mllp_listener_listen       (WardMllpListener  *self,
                                                   const char        *bind_address,
                                                   guint16            port,
                                                   GError           **error);
guint16           ward_mllp_listener_get_port     (WardMllpListener  *self);
/* Before listen(). */
void              ward_mllp_listener_set_limits   (WardMllpListener     *self,
                                                   const WardMllpLimits *limits);
/* Stops listening and closes every connection.  Messages already pushed
 * are still processed by the pipeline; their ACKs are dropped.
 */
void              ward_mllp_listener_stop         (WardMllpListener  *self);
void              ward_mllp_listener_get_counters (WardMllpListener  *self,
                                                   WardMllpCounters  *counters);

G_END_DECLS
