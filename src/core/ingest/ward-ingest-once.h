/* ward-ingest-once.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-types.h"

G_BEGIN_DECLS

/* A device message as its sender identifies it, for a source whose
 * senders resend a message when they did not get its answer (MLLP: an
 * ACK lost to a dropped connection or a restart of Wardwatch).  HL7 v2:
 * MSH-4 and MSH-3 name the sender, MSH-10 the message.  digest is of the
 * content that makes two sends the same message (for HL7, everything but
 * MSH-7, the time of sending), so that an id a sender reuses for another
 * message never hides that message.
 */
typedef struct
{
  char   *facility;       /* MSH-4, or NULL */
  char   *application;    /* MSH-3, or NULL */
  char   *control_id;     /* MSH-10 */
  char   *digest;
  gint64  keep_usec;      /* answers are remembered this long */
} WardMessageKey;

WardMessageKey *ward_message_key_new  (const char           *facility,
                                       const char           *application,
                                       const char           *control_id,
                                       const char           *digest,
                                       gint64                keep_usec);
WardMessageKey *ward_message_key_copy (const WardMessageKey *key);
void            ward_message_key_free (WardMessageKey       *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardMessageKey, ward_message_key_free)

typedef struct _WardEngine WardEngine;

/* ward_engine_ingest(), once per key: the first send of a message is
 * archived, mapped and stored, and its outcome and reason remembered in
 * the same transaction (table message_answers); a send of the same key
 * and digest again stores nothing and gives the first outcome and reason
 * back, with *duplicate TRUE.  The same key with another digest is
 * another message: stored, and its answer replaces the first.  Answers
 * older than key->keep_usec before now are forgotten first.  FALSE with
 * error only when the store failed.  Call it inside the engine's batch.
 */
gboolean        ward_ingest_once      (WardEngine           *engine,
                                       const WardMessageKey *key,
                                       const char           *source,
                                       const char           *content_type,
                                       const char           *device_id_hint,
                                       const char           *payload,
                                       gsize                 length,
                                       gint64                now,
                                       WardIngestOutcome    *outcome,
                                       char                **reason,
                                       gboolean             *duplicate,
                                       GError              **error);

G_END_DECLS
