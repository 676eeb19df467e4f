/* ward-bench.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Which way a ratio passes its limit. */
typedef enum
{
  WARD_BENCH_AT_LEAST,  /* ratio >= limit passes (rates against a reference) */
  WARD_BENCH_AT_MOST,   /* ratio <= limit passes (times, shares, sizes) */
} WardBenchDirection;

gboolean  ward_bench_quick        (void);
guint     ward_bench_scale        (guint               full,
                                   guint               quick);
gboolean  ward_bench_passes       (WardBenchDirection  direction,
                                   double              ratio,
                                   double              limit);
gboolean  ward_bench_report       (const char         *name,
                                   WardBenchDirection  direction,
                                   double              limit,
                                   double              ratio,
                                   const char         *first_key,
                                   ...) G_GNUC_NULL_TERMINATED;
int       ward_bench_exit_status  (gboolean            pass);
double    ward_bench_percentile   (GArray             *values,
                                   double              fraction);

G_END_DECLS
