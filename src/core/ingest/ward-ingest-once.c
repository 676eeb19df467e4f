/* ward-ingest-once.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-ingest"

#include "config.h"

#include "ward-ingest-once.h"

#include "ward-engine.h"
#include "ward-log-limit.h"
#include "ward-store-answers.h"

WardMessageKey *
ward_message_key_new (const char *facility,
                      const char *application,
                      const char *control_id,
                      const char *digest,
                      gint64      keep_usec)
{
  WardMessageKey *key;

  g_return_val_if_fail (control_id != NULL, NULL);
  g_return_val_if_fail (digest != NULL, NULL);

  key = g_new0 (WardMessageKey, 1);
  key->facility = g_strdup (facility);
  key->application = g_strdup (application);
  key->control_id = g_strdup (control_id);
  key->digest = g_strdup (digest);
  key->keep_usec = keep_usec;
  return key;
}

WardMessageKey *
ward_message_key_copy (const WardMessageKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return ward_message_key_new (key->facility, key->application, key->control_id, key->digest,
                               key->keep_usec);
}

void
ward_message_key_free (WardMessageKey *key)
{
  if (key == NULL)
    return;

  g_free (key->facility);
  g_free (key->application);
  g_free (key->control_id);
  g_free (key->digest);
  g_free (key);
}

/* A sender that numbers every message with the same id would otherwise
 * log a line per message.
 */
static WardLogLimit *
get_log_limit (void)
{
  static WardLogLimit *limit;

  if (g_once_init_enter (&limit))
    g_once_init_leave (&limit, ward_log_limit_new (0));

  return limit;
}

gboolean
ward_ingest_once (WardEngine            *engine,
                  const WardMessageKey  *key,
                  const char            *source,
                  const char            *content_type,
                  const char            *device_id_hint,
                  const char            *payload,
                  gsize                  length,
                  gint64                 now,
                  WardIngestOutcome     *outcome,
                  char                 **reason,
                  gboolean              *duplicate,
                  GError               **error)
{
  g_auto(WardStoredAnswer) first = { 0 };
  g_autofree char *new_reason = NULL;
  WardStoredAnswer answer = { 0 };
  WardIngestOutcome new_outcome = WARD_INGEST_REJECTED;
  WardStore *store;
  gboolean found = FALSE;
  gint64 raw_id;

  g_return_val_if_fail (WARD_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (key != NULL && key->control_id != NULL && key->digest != NULL, FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  store = ward_engine_get_store (engine);
  if (duplicate != NULL)
    *duplicate = FALSE;

  if (key->keep_usec > 0 && ward_store_prune_answers (store, now - key->keep_usec, error) < 0)
    return FALSE;

  if (!ward_store_find_answer (store, source, key->facility, key->application, key->control_id,
                               &found, &first, error))
    return FALSE;

  if (found && g_strcmp0 (first.digest, key->digest) == 0)
    {
      /* Sent again: stored already, answered as the first time. */
      g_debug ("Message %s of %s/%s was stored already (raw message %" G_GINT64_FORMAT ")",
               key->control_id, key->facility ? key->facility : "",
               key->application ? key->application : "", first.raw_message_id);
      if (outcome != NULL)
        *outcome = first.outcome;
      if (reason != NULL)
        *reason = g_steal_pointer (&first.reason);
      if (duplicate != NULL)
        *duplicate = TRUE;
      return TRUE;
    }

  if (found)
    ward_log_limited (get_log_limit (), "message-id-reused", G_LOG_LEVEL_MESSAGE,
                      "Message id %s of %s/%s came again with other content: "
                      "stored as a new message",
                      key->control_id, key->facility ? key->facility : "",
                      key->application ? key->application : "");

  /* As ward_engine_ingest(), keeping the raw message's id for the answer. */
  raw_id = ward_store_add_raw_message (store, now, source, content_type, device_id_hint, payload,
                                       length, error);
  if (raw_id == 0)
    return FALSE;

  if (!ward_engine_process_archived (engine, raw_id, content_type, device_id_hint, payload, length,
                                     now, &new_outcome, &new_reason, error))
    return FALSE;

  answer.digest = key->digest;
  answer.outcome = new_outcome;
  answer.reason = new_reason;
  answer.raw_message_id = raw_id;
  answer.answered_at = now;
  if (!ward_store_put_answer (store, source, key->facility, key->application, key->control_id,
                              &answer, error))
    return FALSE;

  if (outcome != NULL)
    *outcome = new_outcome;
  if (reason != NULL)
    *reason = g_steal_pointer (&new_reason);

  return TRUE;
}
