/* ward-test-cli.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs argv (argv[0] the program) with input on its stdin (an empty stdin
 * when NULL), keeps its stdout in *out and its stderr in *err (either may
 * be NULL to drop it) and returns its exit status, -1 when a signal ended
 * it.  A program that cannot be started fails the test.
 */
int ward_test_run     (const char * const  *argv,
                       const char          *input,
                       char               **out,
                       char               **err);
/* Runs `$WARDWATCH_CLI [command] args…` as ward_test_run() does; args is
 * NULL-terminated, command may be NULL.
 */
int ward_test_run_cli (const char          *command,
                       const char * const  *args,
                       const char          *input,
                       char               **out,
                       char               **err);

G_END_DECLS
