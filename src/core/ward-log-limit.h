/* ward-log-limit.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Rate-limited logging: at most one line per condition per interval
 * (a minute by default), for conditions that can repeat thousands of
 * times a second (accept() failing with EMFILE, a full disk, a flood of
 * refused connections).  The first occurrence is logged at once; the
 * ones after it inside the interval are counted, and the next line
 * logged for that condition says how many were suppressed.  flush()
 * reports counts still outstanding once their interval is over, so a
 * burst that stops is not left unreported.
 *
 * A condition is any string the caller chooses ("accept-emfile",
 * "disk-full"); conditions are independent of each other.  Thread-safe.
 *
 *   static WardLogLimit *limit;  (ward_log_limit_new (0) once)
 *
 *   ward_log_limited (limit, "accept-emfile", G_LOG_LEVEL_WARNING,
 *                     "Cannot accept MLLP connections: %s", error->message);
 *
 * logs in the caller's G_LOG_DOMAIN, e.g.
 *
 *   Cannot accept MLLP connections: Too many open files (1234 more
 *   suppressed in the last 60 s)
 */
typedef struct _WardLogLimit WardLogLimit;

#define WARD_LOG_LIMIT_DEFAULT_INTERVAL (60 * G_USEC_PER_SEC)

/* interval_usec <= 0: WARD_LOG_LIMIT_DEFAULT_INTERVAL. */
WardLogLimit *ward_log_limit_new          (gint64          interval_usec);
void          ward_log_limit_free         (WardLogLimit   *self);
gint64        ward_log_limit_get_interval (WardLogLimit   *self);

/* The decision alone, for callers that log in their own way.  TRUE when
 * a line for condition is due at now (monotonic usec); *n_suppressed
 * (may be NULL) is then the number of occurrences not logged since the
 * last line.  FALSE counts this occurrence as suppressed.
 */
gboolean      ward_log_limit_check        (WardLogLimit   *self,
                                           const char     *condition,
                                           gint64          now,
                                           guint64        *n_suppressed);

/* Checks at the monotonic clock and logs the formatted message in
 * log_domain when due, with the suppressed count appended.  Returns
 * whether it logged.
 */
gboolean      ward_log_limit_log          (WardLogLimit   *self,
                                           const char     *log_domain,
                                           const char     *condition,
                                           GLogLevelFlags  level,
                                           const char     *format,
                                           ...) G_GNUC_PRINTF (5, 6);

/* Logs, for every condition whose interval is over and which has
 * suppressed occurrences, its last message with the count.  Call it from
 * a timer (the MLLP listener does, every few seconds).
 */
void          ward_log_limit_flush        (WardLogLimit   *self,
                                           gint64          now);

/* As flush(), whether or not the intervals are over: before the
 * limiter's owner stops, so that no count goes unreported.
 */
void          ward_log_limit_flush_all    (WardLogLimit   *self);

/* Total occurrences of condition seen (logged or not). */
guint64       ward_log_limit_get_count    (WardLogLimit   *self,
                                           const char     *condition);

#define ward_log_limited(limit, condition, level, ...) \
  ward_log_limit_log ((limit), G_LOG_DOMAIN, (condition), (level), __VA_ARGS__)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardLogLimit, ward_log_limit_free)

G_END_DECLS
