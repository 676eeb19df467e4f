/* ward-test-store.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-engine.h"
#include "ward-store.h"

G_BEGIN_DECLS

/* Fixtures the store and engine tests share: a database in a temporary
 * directory of its own, the test ward's beds, and queries that fail the
 * test on an error.
 */

/* Makes a temporary directory "name-XXXXXX" into *dir and returns the
 * path of a database file (not created yet) in it.
 */
char       *ward_test_db_new          (const char              *name,
                                       char                   **dir);
/* Removes the database at *path with its -wal and -shm files and the
 * directory *dir, and frees and clears both.
 */
void        ward_test_db_remove       (char                   **dir,
                                       char                   **path);

/* ward_store_open() that fails the test on an error. */
WardStore  *ward_test_store_open      (const char              *path);

/* An engine on store with config (the defaults when NULL) and the first
 * n_beds beds of the test ward registered: bed-0N "Bed N", patient pN,
 * named names[N-1] (Ada Obi, Lee Min-jun, Jo Brand when names is NULL),
 * on device devices[N-1] (mon-N when devices is NULL).
 */
WardEngine *ward_test_engine_new      (WardStore               *store,
                                       const WardEngineConfig  *config,
                                       guint                    n_beds,
                                       const char * const      *names,
                                       const char * const      *devices);
/* Registers the beds as ward_test_engine_new() does, in a transaction. */
void        ward_test_engine_add_beds (WardEngine              *engine,
                                       guint                    n_beds,
                                       const char * const      *names,
                                       const char * const      *devices);

/* The first column of the first row of sql, failing the test on an error. */
gint64      ward_test_query_int       (WardStore               *store,
                                       const char              *sql);
char       *ward_test_query_text      (WardStore               *store,
                                       const char              *sql);

G_END_DECLS
