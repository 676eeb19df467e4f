/* ward-secret.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Secrets (a FHIR bearer token, a SMART private key, an MQTT password)
 * from the desktop keyring (the Secret Service, through libsecret) or from
 * a file only the user can read.
 *
 * In the keyring a secret is stored under the schema
 * io.github.wardwatch.Wardwatch.Secret with two attributes: "kind" (one of
 * the WARD_SECRET_KIND_* names) and "key" (what it belongs to: the FHIR
 * base URL for a token, the SMART client id for a key, the broker URL for
 * an MQTT password).  `wardwatch-cli secret store KIND KEY` puts one there
 * from standard input.  Secrets are never logged.
 */

#define WARD_SECRET_ERROR (ward_secret_error_quark ())

typedef enum
{
  WARD_SECRET_ERROR_NOT_FOUND,     /* no such secret in the keyring */
  WARD_SECRET_ERROR_UNAVAILABLE,   /* no Secret Service to ask */
  WARD_SECRET_ERROR_INVALID,
} WardSecretError;

#define WARD_SECRET_KIND_FHIR_TOKEN       "fhir-token"
#define WARD_SECRET_KIND_FHIR_PRIVATE_KEY "fhir-private-key"
#define WARD_SECRET_KIND_MQTT_PASSWORD    "mqtt-password"

/* The prefix of a secret source that names the keyring: "keyring:" (the
 * key is the default one given to ward_secret_read()) or "keyring:KEY".
 */
#define WARD_SECRET_KEYRING_PREFIX "keyring:"

GQuark    ward_secret_error_quark  (void);

gboolean  ward_secret_kind_is_valid (const char  *kind);
/* SOURCE is a file path (readable only by the user) or "keyring:[KEY]";
 * DEFAULT_KEY is used for a bare "keyring:".  The secret, stripped of
 * surrounding white space, goes to *secret (free it with
 * ward_secret_free()).
 */
gboolean  ward_secret_read         (const char  *source,
                                    const char  *kind,
                                    const char  *default_key,
                                    char       **secret,
                                    GError     **error);
gboolean  ward_secret_is_keyring   (const char  *source);
char     *ward_secret_lookup       (const char  *kind,
                                    const char  *key,
                                    GError     **error);
gboolean  ward_secret_store        (const char  *kind,
                                    const char  *key,
                                    const char  *secret,
                                    GError     **error);
/* TRUE also when there was nothing to clear; *removed says which. */
gboolean  ward_secret_clear        (const char  *kind,
                                    const char  *key,
                                    gboolean    *removed,
                                    GError     **error);
/* Wipes and frees a secret. */
void      ward_secret_free         (char        *secret);

G_END_DECLS
