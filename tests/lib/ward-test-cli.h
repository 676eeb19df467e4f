/* ward-test-cli.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

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

/* Starts `$WARDWATCH args…` (args NULL-terminated) with its output
 * dropped and no display, so that it runs headless; it is killed when the
 * test dies, also when an assertion aborts it.  A program that cannot be
 * started fails the test.
 */
GSubprocess *ward_test_spawn_wardwatch (const char * const *args);
/* ward_test_spawn_wardwatch() and waits: the test fails unless it exits
 * with status 0.
 */
void         ward_test_run_wardwatch   (const char * const *args);

G_END_DECLS
