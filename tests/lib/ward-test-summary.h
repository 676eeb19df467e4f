/* ward-test-summary.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"

G_BEGIN_DECLS

/* The hand-counted ward of the summary and shift-report tests: 4 beds,
 * 4 patients (one no longer in a bed), scores, flags, tasks, messages,
 * dead letters and a handover around a 12-hour period [T0, T0 + 12 h).
 * The figures each test expects are counted by hand in ward-test-summary.c,
 * next to the rows.
 */
#define WARD_TEST_SUMMARY_T0   G_GINT64_CONSTANT (1796626800000000)   /* 2026-12-07 07:00 UTC */
#define WARD_TEST_SUMMARY_HOUR (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define WARD_TEST_SUMMARY_TO   (WARD_TEST_SUMMARY_T0 + 12 * WARD_TEST_SUMMARY_HOUR)

/* Writes the fixture's rows into a freshly migrated store. */
void ward_test_summary_fill (WardStore *store);

G_END_DECLS
