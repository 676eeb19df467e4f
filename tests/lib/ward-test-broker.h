/* ward-test-broker.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real mosquitto broker for tests and benchmarks, on 127.0.0.1 only,
 * with a generated configuration in a temporary folder: a free port,
 * persistence true (so that sessions and queued QoS 1 messages survive a
 * restart), max_queued_messages raised to 100000 (the default of 1000
 * silently drops messages for a slow or absent persistent subscriber),
 * anonymous access, and a log file.
 *
 * The broker dies with the test process, even when the test aborts: it
 * is started with PR_SET_PDEATHSIG.  Call stop/start from the thread that
 * created the broker (the death signal follows the thread that forked).
 */

typedef struct _WardTestBroker WardTestBroker;

/* Creates the folder and the configuration and starts the broker; waits
 * until its port accepts connections.
 */
WardTestBroker *ward_test_broker_new           (GError          **error);
/* Starts it again on the same port with the same persistence folder. */
gboolean        ward_test_broker_start         (WardTestBroker   *self,
                                                GError          **error);
/* SIGTERM (mosquitto saves its persistence file), then SIGKILL after 10 s. */
void            ward_test_broker_stop          (WardTestBroker   *self);
gboolean        ward_test_broker_is_running    (WardTestBroker   *self);
guint16         ward_test_broker_get_port      (WardTestBroker   *self);
/* "mqtt://127.0.0.1:PORT" */
const char     *ward_test_broker_get_url       (WardTestBroker   *self);
const char     *ward_test_broker_get_dir       (WardTestBroker   *self);
char           *ward_test_broker_dup_log       (WardTestBroker   *self);
/* Kills the broker and removes its folder. */
void            ward_test_broker_free          (WardTestBroker   *self);

/* Like ward_test_broker_new(), on a port chosen by the caller (a test
 * that first starts a client against a port with nothing behind it).
 */
WardTestBroker *ward_test_broker_new_at_port   (guint16           port,
                                                GError          **error);

/* Spawns a helper program (mosquitto_pub, wardwatch-cli) that also dies
 * with the test process.
 */
GSubprocess    *ward_test_spawnv               (const char * const *argv,
                                                GSubprocessFlags   flags,
                                                GError           **error);
/* Waits at most timeout_msec (ward_test_timeout_msec(): multiplied in a
 * sanitizer run) for the process to exit; kills it and returns FALSE when
 * it did not.
 */
gboolean        ward_test_wait_process         (GSubprocess       *process,
                                                guint              timeout_msec);

/* A port on 127.0.0.1 that was free a moment ago. */
guint16         ward_test_free_port            (GError          **error);
/* Waits until 127.0.0.1:port accepts a connection; FALSE on timeout
 * (timeout_msec as ward_test_timeout_msec() multiplies it).
 */
gboolean        ward_test_wait_for_port        (guint16           port,
                                                guint             timeout_msec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardTestBroker, ward_test_broker_free)

G_END_DECLS
