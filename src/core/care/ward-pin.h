/* ward-pin.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WARD_PIN_ERROR (ward_pin_error_quark ())

typedef enum
{
  WARD_PIN_ERROR_FORMAT,   /* a stored hash that is not pbkdf2-sha256$N$SALT$HASH */
  WARD_PIN_ERROR_WEAK,     /* a PIN too short, or not digits */
} WardPinError;

/* Staff PINs are never stored: only a slow salted hash of them, in the
 * line format
 *
 *   pbkdf2-sha256$ITERATIONS$SALT_BASE64$HASH_BASE64
 *
 * PBKDF2 (RFC 8018) with HMAC-SHA-256, a 16-byte random salt, a 32-byte
 * key and at least WARD_PIN_MIN_ITERATIONS rounds: a stolen staff file
 * then costs an attacker about a tenth of a second per guess per member.
 */
#define WARD_PIN_MIN_ITERATIONS     100000
#define WARD_PIN_DEFAULT_ITERATIONS 200000
#define WARD_PIN_SALT_LENGTH        16
#define WARD_PIN_KEY_LENGTH         32
#define WARD_PIN_MIN_LENGTH         4
#define WARD_PIN_MAX_LENGTH         12

GQuark    ward_pin_error_quark      (void);

/* PBKDF2-HMAC-SHA256 into out (out_length bytes, any length). */
void      ward_pbkdf2_hmac_sha256   (const guint8  *password,
                                     gsize          password_length,
                                     const guint8  *salt,
                                     gsize          salt_length,
                                     guint          iterations,
                                     guint8        *out,
                                     gsize          out_length);

/* A PIN is 4 to 12 digits; the error says so in words for a nurse. */
gboolean  ward_pin_check_format     (const char    *pin,
                                     GError       **error);
/* The hash line for a PIN, with a fresh random salt.  iterations below
 * WARD_PIN_MIN_ITERATIONS are raised to it.
 */
char     *ward_pin_hash             (const char    *pin,
                                     guint          iterations,
                                     GError       **error);
/* Whether a hash line is well formed (to refuse a staff file early). */
gboolean  ward_pin_hash_is_valid    (const char    *encoded,
                                     GError       **error);
/* TRUE and *matches when the line could be read; the comparison takes
 * the same time whatever bytes differ.
 */
gboolean  ward_pin_verify           (const char    *encoded,
                                     const char    *pin,
                                     gboolean      *matches,
                                     GError       **error);

G_END_DECLS
