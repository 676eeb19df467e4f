/* ward-fhir-auth.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How Wardwatch authenticates to the FHIR server: not at all, with a
 * static bearer token, or as a SMART Backend Services client (a JWT
 * signed with the client's private key, RS384 or ES384, traded at the
 * token endpoint found through {base}/.well-known/smart-configuration
 * for an access token that is cached until shortly before it expires).
 * Used on the thread-default main context of its first request.
 */

#define WARD_FHIR_AUTH_ERROR (ward_fhir_auth_error_quark ())

typedef enum
{
  WARD_FHIR_AUTH_ERROR_KEY,        /* the private key cannot be used */
  WARD_FHIR_AUTH_ERROR_DISCOVERY,  /* no usable smart-configuration */
  WARD_FHIR_AUTH_ERROR_REJECTED,   /* the token endpoint said no */
  WARD_FHIR_AUTH_ERROR_FAILED,
} WardFhirAuthError;

typedef enum
{
  WARD_FHIR_AUTH_NONE,
  WARD_FHIR_AUTH_BEARER,
  WARD_FHIR_AUTH_SMART,
} WardFhirAuthMode;

#define WARD_TYPE_FHIR_AUTH (ward_fhir_auth_get_type ())
G_DECLARE_FINAL_TYPE (WardFhirAuth, ward_fhir_auth, WARD, FHIR_AUTH, GObject)

GQuark            ward_fhir_auth_error_quark       (void);

WardFhirAuth     *ward_fhir_auth_new_none          (void);
WardFhirAuth     *ward_fhir_auth_new_bearer        (const char           *token);
/* Reads the PEM key at KEY_PATH (readable only by the user; PKCS#8 or
 * traditional RSA / EC P-384).  ALGORITHM is "RS384", "ES384" or NULL for
 * the key's; SCOPE NULL means all system writes ("system/" "*.write").
 */
WardFhirAuth     *ward_fhir_auth_new_smart         (const char           *fhir_base_url,
                                                    const char           *client_id,
                                                    const char           *key_path,
                                                    const char           *algorithm,
                                                    const char           *scope,
                                                    GError              **error);

WardFhirAuthMode  ward_fhir_auth_get_mode          (WardFhirAuth         *self);
/* "RS384" or "ES384" (SMART), else NULL. */
const char       *ward_fhir_auth_get_algorithm     (WardFhirAuth         *self);
/* Token requests sent so far (SMART). */
guint             ward_fhir_auth_get_n_requests    (WardFhirAuth         *self);

/* The access token (cached, or fetched now), or NULL without an error in
 * mode none.
 */
void              ward_fhir_auth_get_token_async   (WardFhirAuth         *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char             *ward_fhir_auth_get_token_finish  (WardFhirAuth         *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
/* Forgets the cached token (after a 401 with it). */
void              ward_fhir_auth_invalidate        (WardFhirAuth         *self);

G_END_DECLS
