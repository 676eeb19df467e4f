/* ward-log-limit.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-log-limit"

#include "config.h"

#include "ward-log-limit.h"

typedef struct
{
  gint64  last_line;      /* when the last line was allowed */
  guint64 suppressed;     /* refused since then */
} Condition;

struct _WardLogLimit
{
  GMutex      lock;
  gint64      interval_usec;
  GHashTable *conditions;  /* key -> Condition */
};

WardLogLimit *
ward_log_limit_new (gint64 interval_usec)
{
  WardLogLimit *self;

  g_return_val_if_fail (interval_usec >= 0, NULL);

  self = g_new0 (WardLogLimit, 1);
  g_mutex_init (&self->lock);
  self->interval_usec = interval_usec;
  self->conditions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

void
ward_log_limit_free (WardLogLimit *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->conditions, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

gboolean
ward_log_limit_allow (WardLogLimit *self,
                      const char   *key,
                      gint64        now,
                      guint64      *n_suppressed)
{
  Condition *c;
  gboolean allow;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  g_mutex_lock (&self->lock);
  c = g_hash_table_lookup (self->conditions, key);
  if (c == NULL)
    {
      c = g_new0 (Condition, 1);
      g_hash_table_insert (self->conditions, g_strdup (key), c);
      allow = TRUE;
    }
  else
    allow = now - c->last_line >= self->interval_usec;

  if (allow)
    {
      if (n_suppressed != NULL)
        *n_suppressed = c->suppressed;
      c->last_line = now;
      c->suppressed = 0;
    }
  else
    c->suppressed++;
  g_mutex_unlock (&self->lock);

  return allow;
}
