/* ward-store-answers.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* The first answer to each message its sender identified (schema 6,
 * table message_answers): for a source whose sender resends a message
 * when it did not get the answer (MLLP after a lost ACK).  Keyed by
 * source, sending facility, sending application and the sender's id of
 * the message (MSH-4, MSH-3, MSH-10); a NULL facility or application is
 * stored as "".  digest is of the content that makes two sends the same
 * message.  Written in the transaction that stores the message, so the
 * answer is remembered exactly when the message is.
 */
typedef struct
{
  char              *digest;
  WardIngestOutcome  outcome;
  char              *reason;          /* NULL: none */
  gint64             raw_message_id;  /* 0: none */
  gint64             answered_at;
} WardStoredAnswer;

void        ward_stored_answer_clear      (WardStoredAnswer *answer);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardStoredAnswer, ward_stored_answer_clear)

/* TRUE with *found FALSE when there is none. */
gboolean    ward_store_find_answer        (WardStore               *self,
                                           const char              *source,
                                           const char              *facility,
                                           const char              *application,
                                           const char              *control_id,
                                           gboolean                *found,
                                           WardStoredAnswer        *answer,
                                           GError                 **error);
/* Inserts, or replaces the answer under the same key (an id reused for
 * another message: the newest answer is the one to repeat).
 */
gboolean    ward_store_put_answer         (WardStore               *self,
                                           const char              *source,
                                           const char              *facility,
                                           const char              *application,
                                           const char              *control_id,
                                           const WardStoredAnswer  *answer,
                                           GError                 **error);
/* Forgets answers given before older_than.  Returns how many, or -1 with
 * error.
 */
gint64      ward_store_prune_answers      (WardStore               *self,
                                           gint64                   older_than,
                                           GError                 **error);

G_END_DECLS
