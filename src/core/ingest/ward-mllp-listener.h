/* ward-mllp-listener.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-pipeline.h"

G_BEGIN_DECLS

/* Frames larger than this close the connection. */
#define WARD_MLLP_MAX_FRAME_SIZE (4 * 1024 * 1024)

typedef struct
{
  guint64 connections;       /* accepted, in total */
  guint64 open_connections;
  guint64 frames;            /* complete frames pushed to the pipeline */
  guint64 acks_aa;           /* ACKs written, by code */
  guint64 acks_ae;
  guint64 acks_ar;
  guint64 acks_not_sent;     /* MSH-15 did not ask for it, or the client had gone */
  guint64 bytes_skipped;     /* outside any frame */
  guint64 frames_too_large;  /* each closed its connection */
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
 * dropped.  Bytes outside frames are skipped (and logged, without their
 * content); the connection stays open.
 */
#define WARD_TYPE_MLLP_LISTENER (ward_mllp_listener_get_type ())
G_DECLARE_FINAL_TYPE (WardMllpListener, ward_mllp_listener, WARD, MLLP_LISTENER, GObject)

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
/* Stops listening and closes every connection.  Messages already pushed
 * are still processed by the pipeline; their ACKs are dropped.
 */
void              ward_mllp_listener_stop         (WardMllpListener  *self);
void              ward_mllp_listener_get_counters (WardMllpListener  *self,
                                                   WardMllpCounters  *counters);

G_END_DECLS
