/* ward-test-fhir-server.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real FHIR R4 server for tests: tests/fhir-server/server.mjs (Medplum's
 * FHIR router on Node, in memory), on 127.0.0.1 with a free port.  See
 * tests/fhir-server/README.md for what it serves and its test-control
 * endpoints.
 *
 * The package folder is $WARD_SOURCE_DIR/tests/fhir-server (meson test sets
 * WARD_SOURCE_DIR).  ward_test_fhir_server_new() runs
 * "npm ci --no-audit --no-fund" there first when node_modules is missing or
 * older than package-lock.json, under a lock file shared with the other
 * tests and with test-server.mjs.
 *
 * The server runs in its own process group and dies with the test, even
 * when the test aborts (PR_SET_PDEATHSIG).  Call stop/start/free from the
 * thread that created the server.
 */

typedef struct _WardTestFhirServer WardTestFhirServer;

/* NULL when the server can run here; otherwise why not ("node >= 20.19
 * required ...", "npm is not installed ..."), for g_test_skip().
 */
const char         *ward_test_fhir_server_skip_reason   (void);

/* Not a server option: given in EXTRA_ARGS, the server starts without
 * --strict-references.  A test that needs it says why.
 */
#define WARD_TEST_FHIR_LAX_REFERENCES "--lax-references"

/* Starts node server.mjs --port 0 --strict-references EXTRA_ARGS...
 * (e.g. "--token", "t") and waits for its {"port":N} line: references are
 * checked as HAPI FHIR checks them by default, so every test sees what a
 * strict hospital server would refuse.  Fails with
 * G_IO_ERROR_NOT_SUPPORTED and the skip reason when node or npm are
 * missing.
 */
WardTestFhirServer *ward_test_fhir_server_new           (const char * const *extra_args,
                                                         GError            **error);
/* Starts it again, on the same port when that is still free. */
gboolean            ward_test_fhir_server_start         (WardTestFhirServer *self,
                                                         GError            **error);
/* SIGTERM to its process group, then SIGKILL after 5 s.  The data is lost. */
void                ward_test_fhir_server_stop          (WardTestFhirServer *self);
gboolean            ward_test_fhir_server_is_running    (WardTestFhirServer *self);
guint16             ward_test_fhir_server_get_port      (WardTestFhirServer *self);
/* "http://127.0.0.1:PORT/fhir/R4" */
const char         *ward_test_fhir_server_get_base_url  (WardTestFhirServer *self);
/* "http://127.0.0.1:PORT" (test-control and SMART endpoints) */
const char         *ward_test_fhir_server_get_root_url  (WardTestFhirServer *self);
/* Its stderr so far (requests when started with "--verbose"). */
char               *ward_test_fhir_server_dup_log       (WardTestFhirServer *self);

/* POST /$reset: empties the repository, clears faults and statistics. */
gboolean            ward_test_fhir_server_reset         (WardTestFhirServer *self,
                                                         GError            **error);
/* POST /$fault: the next COUNT FHIR requests wait DELAY_MS (0: none), then
 * answer STATUS (0: answer normally) with Retry-After: RETRY_AFTER_S (-1:
 * no header), with a body that is not JSON when GARBAGE.
 */
gboolean            ward_test_fhir_server_fault         (WardTestFhirServer *self,
                                                         guint               status,
                                                         guint               count,
                                                         gint                retry_after_s,
                                                         guint               delay_ms,
                                                         gboolean            garbage,
                                                         GError            **error);
/* POST /$fault with a JSON object of one's own (e.g. {"reset":true}). */
gboolean            ward_test_fhir_server_fault_json    (WardTestFhirServer *self,
                                                         const char         *json,
                                                         GError            **error);
/* GET /$stats: the JSON text. */
char               *ward_test_fhir_server_dup_stats     (WardTestFhirServer *self,
                                                         GError            **error);
/* POST /$revoke-tokens */
gboolean            ward_test_fhir_server_revoke_tokens (WardTestFhirServer *self,
                                                         GError            **error);

/* A small HTTP/1.1 client for tests: METHOD PATH (from the root, e.g.
 * "/fhir/R4/Observation/x") with optional "Name: value" HEADERS and BODY
 * (Content-Type application/fhir+json unless HEADERS give one).  Returns
 * the status, or 0 with ERROR set when there was no answer.  The header
 * block and the body go to RESPONSE_HEADERS and RESPONSE_BODY when not NULL.
 */
guint               ward_test_fhir_server_request       (WardTestFhirServer *self,
                                                         const char         *method,
                                                         const char         *path,
                                                         const char * const *headers,
                                                         const char         *body,
                                                         char              **response_headers,
                                                         char              **response_body,
                                                         GError            **error);
/* The value of header NAME (any case) in a header block, or NULL. */
char               *ward_test_http_header               (const char         *response_headers,
                                                         const char         *name);

/* Kills the server and removes its log folder. */
void                ward_test_fhir_server_free          (WardTestFhirServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardTestFhirServer, ward_test_fhir_server_free)

G_END_DECLS
