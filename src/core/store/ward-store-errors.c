/* ward-store-errors.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store-errors.h"

#include "ward-log-limit.h"
#include "ward-store.h"
#include "ward-types.h"

#define LOG_INTERVAL_USEC (60 * G_USEC_PER_SEC)

typedef struct
{
  WardStoreCondition  condition;     /* NONE while it succeeds */
  gint64              failing_since;
  gint64              failing_mono;
  guint64             n_failures;    /* in this episode */
  char               *last_error;
} Writer;

struct _WardStoreHealth
{
  GMutex        lock;
  Writer        writers[WARD_STORE_N_WRITERS];
  WardLogLimit *log_limit;
};

static const char * const writer_names[WARD_STORE_N_WRITERS] = {
  "the pipeline",
  "the message archive",
};

WardStoreCondition
ward_store_condition_from_error (const GError *error)
{
  if (error == NULL || error->domain != WARD_STORE_ERROR)
    return WARD_STORE_CONDITION_NONE;

  switch (error->code)
    {
    case WARD_STORE_ERROR_FULL:
      return WARD_STORE_CONDITION_FULL;
    case WARD_STORE_ERROR_READ_ONLY:
      return WARD_STORE_CONDITION_READ_ONLY;
    case WARD_STORE_ERROR_IO:
    case WARD_STORE_ERROR_OPEN:
      return WARD_STORE_CONDITION_IO;
    case WARD_STORE_ERROR_BUSY:
      return WARD_STORE_CONDITION_LOCKED;
    case WARD_STORE_ERROR_DAMAGED:
      return WARD_STORE_CONDITION_DAMAGED;
    default:
      return WARD_STORE_CONDITION_OTHER;
    }
}

const char *
ward_store_condition_to_string (WardStoreCondition condition)
{
  switch (condition)
    {
    case WARD_STORE_CONDITION_NONE:
      return "none";
    case WARD_STORE_CONDITION_FULL:
      return "disk-full";
    case WARD_STORE_CONDITION_READ_ONLY:
      return "read-only";
    case WARD_STORE_CONDITION_IO:
      return "io-error";
    case WARD_STORE_CONDITION_LOCKED:
      return "locked";
    case WARD_STORE_CONDITION_DAMAGED:
      return "damaged";
    case WARD_STORE_CONDITION_OTHER:
    default:
      return "store-error";
    }
}

WardStoreHealth *
ward_store_health_new (void)
{
  WardStoreHealth *self = g_new0 (WardStoreHealth, 1);

  g_mutex_init (&self->lock);
  self->log_limit = ward_log_limit_new (LOG_INTERVAL_USEC);

  return self;
}

void
ward_store_health_free (WardStoreHealth *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < WARD_STORE_N_WRITERS; i++)
    g_free (self->writers[i].last_error);
  g_clear_pointer (&self->log_limit, ward_log_limit_free);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
ward_store_health_failed (WardStoreHealth *self,
                          WardStoreWriter  writer,
                          const GError    *error,
                          gint64           now)
{
  WardStoreCondition condition = ward_store_condition_from_error (error);
  gint64 mono = g_get_monotonic_time ();
  g_autofree char *since = NULL;
  g_autofree char *key = NULL;
  guint64 n_suppressed = 0;
  Writer *w;

  g_return_if_fail (self != NULL);
  g_return_if_fail (writer < WARD_STORE_N_WRITERS);
  g_return_if_fail (error != NULL);

  if (condition == WARD_STORE_CONDITION_NONE)
    condition = WARD_STORE_CONDITION_OTHER;

  g_mutex_lock (&self->lock);
  w = &self->writers[writer];
  if (w->condition == WARD_STORE_CONDITION_NONE)
    {
      w->failing_since = now;
      w->failing_mono = mono;
      w->n_failures = 0;
    }
  w->condition = condition;
  w->n_failures++;
  g_free (w->last_error);
  w->last_error = g_strdup (error->message);
  since = ward_time_format_iso8601 (w->failing_since);
  g_mutex_unlock (&self->lock);

  /* The message names the statement and SQLite's reason, never values:
   * no patient data reaches the log.
   */
  key = g_strdup_printf ("%s/%d", ward_store_condition_to_string (condition), writer);
  if (ward_log_limit_check (self->log_limit, key, mono, &n_suppressed))
    g_warning ("Cannot write to the store (%s) from %s since %s: %s; what failed is not "
               "acknowledged and is tried again (%" G_GUINT64_FORMAT
               " more such failures in the last minute not logged)",
               ward_store_condition_to_string (condition), writer_names[writer], since,
               error->message, n_suppressed);
}

void
ward_store_health_succeeded (WardStoreHealth *self,
                             WardStoreWriter  writer,
                             gint64           now)
{
  g_autofree char *key = NULL;
  WardStoreCondition was;
  gint64 mono = g_get_monotonic_time ();
  gint64 failing_mono;
  guint64 n_failures;
  guint64 n_suppressed = 0;
  Writer *w;

  g_return_if_fail (self != NULL);
  g_return_if_fail (writer < WARD_STORE_N_WRITERS);

  g_mutex_lock (&self->lock);
  w = &self->writers[writer];
  was = w->condition;
  failing_mono = w->failing_mono;
  n_failures = w->n_failures;
  if (was != WARD_STORE_CONDITION_NONE)
    {
      w->condition = WARD_STORE_CONDITION_NONE;
      w->failing_since = 0;
      w->n_failures = 0;
      g_clear_pointer (&w->last_error, g_free);
    }
  g_mutex_unlock (&self->lock);

  if (was == WARD_STORE_CONDITION_NONE)
    return;

  /* Keyed by the condition that ended, so that the line after a
   * condition's line says it ended.
   */
  key = g_strdup_printf ("%s/%d/recovered", ward_store_condition_to_string (was), writer);
  if (ward_log_limit_check (self->log_limit, key, mono, &n_suppressed))
    g_message ("Writing to the store from %s works again after %.1f s (%" G_GUINT64_FORMAT
               " failed writes, %s; %" G_GUINT64_FORMAT " more recoveries in the last minute "
               "not logged)", writer_names[writer], (mono - failing_mono) / (double) G_USEC_PER_SEC,
               n_failures, ward_store_condition_to_string (was), n_suppressed);
}

WardStoreCondition
ward_store_health_get (WardStoreHealth  *self,
                       gint64           *failing_since,
                       char            **last_error)
{
  WardStoreCondition condition = WARD_STORE_CONDITION_NONE;
  const Writer *first = NULL;

  g_return_val_if_fail (self != NULL, WARD_STORE_CONDITION_NONE);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < WARD_STORE_N_WRITERS; i++)
    {
      const Writer *w = &self->writers[i];

      if (w->condition == WARD_STORE_CONDITION_NONE)
        continue;
      if (first == NULL || w->failing_since < first->failing_since)
        first = w;
    }
  if (first != NULL)
    condition = first->condition;
  if (failing_since != NULL)
    *failing_since = first != NULL ? first->failing_since : 0;
  if (last_error != NULL)
    *last_error = first != NULL ? g_strdup (first->last_error) : NULL;
  g_mutex_unlock (&self->lock);

  return condition;
}
