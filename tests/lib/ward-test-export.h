/* ward-test-export.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads a `wardwatch-cli export --ndjson` folder: a folder per resource
 * type, a file per day in it (YYYY-MM-DD.ndjson), and manifest.json beside
 * the folders.  Asserts that layout and returns every file, "Type/DAY.ndjson"
 * -> its contents.  The manifest is not among them.
 */
GHashTable *ward_test_export_read   (const char *out_dir);
/* Removes the export folder and everything ward_test_export_read() reads. */
void        ward_test_export_remove (const char *out_dir);

G_END_DECLS
