/* ward-log-limit.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One log line per condition per interval (a minute for the store), with
 * the number of lines held back since the last one: a condition that
 * repeats at every tick or every message must not flood the journal.
 * Keys name conditions ("disk-full"), never data.  Thread-safe.
 */
typedef struct _WardLogLimit WardLogLimit;

WardLogLimit *ward_log_limit_new    (gint64        interval_usec);
void          ward_log_limit_free   (WardLogLimit *self);

/* TRUE when a line for key may be written at now (any monotonic clock,
 * in microseconds); then *n_suppressed is the number of calls for key
 * that returned FALSE since the last TRUE.  FALSE: hold the line back,
 * it is counted.
 */
gboolean      ward_log_limit_allow  (WardLogLimit *self,
                                     const char   *key,
                                     gint64        now,
                                     guint64      *n_suppressed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardLogLimit, ward_log_limit_free)

G_END_DECLS
