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
  gint64          last_logged;   /* monotonic usec of the last line */
  guint64         suppressed;    /* since that line */
  guint64         total;
  GLogLevelFlags  level;         /* of the last message, for flush() */
  char           *log_domain;
  char           *message;
} Condition;

struct _WardLogLimit
{
  GMutex      lock;
  gint64      interval;
  GHashTable *conditions;        /* char * -> Condition */
};

static void
condition_free (Condition *c)
{
  g_free (c->log_domain);
  g_free (c->message);
  g_free (c);
}

static Condition *
lookup_condition (WardLogLimit *self,
                  const char   *condition)
{
  Condition *c = g_hash_table_lookup (self->conditions, condition);

  if (c == NULL)
    {
      c = g_new0 (Condition, 1);
      g_hash_table_insert (self->conditions, g_strdup (condition), c);
    }

  return c;
}

/* With the lock held. */
static gboolean
check_locked (WardLogLimit *self,
              Condition    *c,
              gint64        now,
              guint64      *n_suppressed)
{
  c->total++;

  /* The first occurrence, or the interval since the last line is over. */
  if (c->total == 1 || now - c->last_logged >= self->interval)
    {
      if (n_suppressed != NULL)
        *n_suppressed = c->suppressed;
      c->suppressed = 0;
      c->last_logged = now;
      return TRUE;
    }

  c->suppressed++;
  return FALSE;
}

static void
emit (const char     *log_domain,
      GLogLevelFlags  level,
      const char     *message,
      guint64         suppressed,
      gint64          interval,
      gboolean        is_last)
{
  gint64 seconds = MAX (interval / G_USEC_PER_SEC, 1);

  if (suppressed > 0 && is_last)
    g_log (log_domain, level,
           "%s (the last of %" G_GUINT64_FORMAT " suppressed in the last %" G_GINT64_FORMAT " s)",
           message, suppressed, seconds);
  else if (suppressed > 0)
    g_log (log_domain, level,
           "%s (%" G_GUINT64_FORMAT " more suppressed in the last %" G_GINT64_FORMAT " s)",
           message, suppressed, seconds);
  else
    g_log (log_domain, level, "%s", message);
}

WardLogLimit *
ward_log_limit_new (gint64 interval_usec)
{
  WardLogLimit *self = g_new0 (WardLogLimit, 1);

  g_mutex_init (&self->lock);
  self->interval = interval_usec > 0 ? interval_usec : WARD_LOG_LIMIT_DEFAULT_INTERVAL;
  self->conditions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) condition_free);
  return self;
}

void
ward_log_limit_free (WardLogLimit *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->conditions);
  g_mutex_clear (&self->lock);
  g_free (self);
}

gint64
ward_log_limit_get_interval (WardLogLimit *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->interval;
}

gboolean
ward_log_limit_check (WardLogLimit *self,
                      const char   *condition,
                      gint64        now,
                      guint64      *n_suppressed)
{
  gboolean due;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (condition != NULL, FALSE);

  g_mutex_lock (&self->lock);
  due = check_locked (self, lookup_condition (self, condition), now, n_suppressed);
  g_mutex_unlock (&self->lock);

  return due;
}

gboolean
ward_log_limit_log (WardLogLimit   *self,
                    const char     *log_domain,
                    const char     *condition,
                    GLogLevelFlags  level,
                    const char     *format,
                    ...)
{
  g_autofree char *message = NULL;
  guint64 suppressed = 0;
  Condition *c;
  gboolean due;
  va_list args;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (condition != NULL, FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_mutex_lock (&self->lock);
  c = lookup_condition (self, condition);
  due = check_locked (self, c, g_get_monotonic_time (), &suppressed);
  /* Kept for flush(), which reports the suppressed ones with the last. */
  c->level = level;
  if (g_strcmp0 (c->log_domain, log_domain) != 0)
    {
      g_free (c->log_domain);
      c->log_domain = g_strdup (log_domain);
    }
  g_free (c->message);
  c->message = g_strdup (message);
  g_mutex_unlock (&self->lock);

  /* Logged outside the lock: a log handler may log again. */
  if (due)
    emit (log_domain, level, message, suppressed, self->interval, FALSE);

  return due;
}

static void
flush_conditions (WardLogLimit *self,
                  gint64        now,
                  gboolean      all)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) condition_free);
  GHashTableIter iter;
  Condition *c;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->conditions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    {
      Condition *line;

      if (c->suppressed == 0 || c->message == NULL ||
          (!all && now - c->last_logged < self->interval))
        continue;

      line = g_new0 (Condition, 1);
      line->level = c->level;
      line->log_domain = g_strdup (c->log_domain);
      line->message = g_strdup (c->message);
      line->suppressed = c->suppressed;
      g_ptr_array_add (lines, line);

      c->suppressed = 0;
      c->last_logged = now;
    }
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < lines->len; i++)
    {
      c = g_ptr_array_index (lines, i);
      /* The last suppressed message stands for all of them. */
      emit (c->log_domain, c->level, c->message, c->suppressed, self->interval, TRUE);
    }
}

void
ward_log_limit_flush (WardLogLimit *self,
                      gint64        now)
{
  g_return_if_fail (self != NULL);

  flush_conditions (self, now, FALSE);
}

void
ward_log_limit_flush_all (WardLogLimit *self)
{
  g_return_if_fail (self != NULL);

  flush_conditions (self, g_get_monotonic_time (), TRUE);
}

guint64
ward_log_limit_get_count (WardLogLimit *self,
                          const char   *condition)
{
  Condition *c;
  guint64 total;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (condition != NULL, 0);

  g_mutex_lock (&self->lock);
  c = g_hash_table_lookup (self->conditions, condition);
  total = c != NULL ? c->total : 0;
  g_mutex_unlock (&self->lock);

  return total;
}
