/* ward-concern-dialog-private.h: test-only hooks of the concern dialog, for tests/ alone.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-concern-dialog.h"

G_BEGIN_DECLS

/* For tests: the reason entry of a dialog made above. */
GtkEditable      *_ward_concern_dialog_get_entry (AdwMessageDialog *dialog);

G_END_DECLS
