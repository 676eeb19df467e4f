/* ward-test-window.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-snapshot.h"
#include "ward-window.h"

G_BEGIN_DECLS

/* The UI tests' ward and window: beds made by hand into a snapshot, a
 * real WardWindow shown on the test's X display, and waiting for the
 * main loop to have done something.  Built with -Dui=true only.
 */

/* 2026-11-22T10:00:00Z: the tests' "now". */
#define WARD_TEST_NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

/* An empty array of WardBedState that clears its beds. */
GArray       *ward_test_beds_new             (void);
/* Appends bed number beds->len + 1: "bed-NN", "Bed N", patient
 * "sim-patient-NN" with initials "P.NN", monitor "sim-monitor-NN", SpO₂
 * Scale 1, nothing measured.  The pointer holds until the next append.
 */
WardBedState *ward_test_beds_append          (GArray        *beds);
/* A device value of kind, observed at observed_at. */
void          ward_test_bed_set_latest       (WardBedState  *bed,
                                              WardMeasKind   kind,
                                              double         value,
                                              gint64         observed_at);
/* A snapshot of beds at now (no counters). */
WardSnapshot *ward_test_snapshot_new         (GArray        *beds,
                                              gint64         now,
                                              guint64        serial);

/* A new window, presented. */
WardWindow   *ward_test_window_present       (void);
/* Applies snapshot and waits for the frame that shows it. */
void          ward_test_window_apply         (WardWindow    *window,
                                              WardSnapshot  *snapshot);
/* The application's stylesheet on the default display, as the
 * application loads it (once).
 */
void          ward_test_load_style           (void);

/* Runs the main loop until done (data) is TRUE; aborts the test naming
 * what after 10 s, so that a hang fails rather than stalls the suite.
 */
void          ward_test_wait_until           (gboolean     (*done) (gpointer data),
                                              gpointer       data,
                                              const char    *what);
/* Runs the main loop for msec milliseconds. */
void          ward_test_wait_ms              (guint          msec);
/* Dispatches what is ready, without blocking. */
void          ward_test_iterate              (void);

/* A template child of widget (of type), which must exist. */
GtkWidget    *ward_test_get_child            (gpointer       widget,
                                              GType          type,
                                              const char    *name);
/* The first widget under widget (itself included, depth first) whose
 * action is action_name, or NULL.
 */
GtkWidget    *ward_test_find_actionable      (GtkWidget     *widget,
                                              const char    *action_name);
/* Whether a label with exactly text is under widget. */
gboolean      ward_test_has_label            (GtkWidget     *widget,
                                              const char    *text);

G_END_DECLS
